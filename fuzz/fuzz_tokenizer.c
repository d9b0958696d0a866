/* libFuzzer harness: the tokenizer.json parser (every normalizer, pre-tokenizer, model and
 * post-processor kind), and each tokenizer model on arbitrary bytes as text, single and in
 * pairs, with and without truncation; decoding of its own ids and of arbitrary ones.
 *   byte 0 % 7 == 0: the rest is a tokenizer.json; encode a fixed text with it
 *   otherwise: the rest is text for the tokenizer of that kind (tests/tok_real.sh makes them in
 *   build/tok_kinds; the BERT fixture's tokenizer.json stands in for a missing one) */
#include "latent/latent.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *kinds[] = { "minilm-real", "wordpiece", "bpe-bytelevel", "sp-bpe", "unigram",
    "unigram-spm" };
static lt_tokenizer *toks[6];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static int loaded;
    if (!loaded) {
        loaded = 1;
        for (int i = 0; i < 6; i++) {
            char p[512];
            snprintf(p, sizeof p, "build/tok_kinds/%s/tokenizer.json", kinds[i]);
            if (lt_tokenizer_load(&toks[i], p) != LT_OK)
                lt_tokenizer_load(
                        &toks[i], "tests/fixtures/bert-fixtures/tiny-bert-cased/hf/tokenizer.json");
        }
    }
    if (size < 1) return 0;
    const char *p = (const char *)data + 1;
    size_t n = size - 1;
    lt_encoding e = { 0 };
    int k = data[0] % 7;
    if (k == 0) {
        lt_tokenizer *t = NULL;
        if (lt_tokenizer_parse(&t, p, n, "fuzz.json") == LT_OK) {
            lt_tokenizer_encode(t, "Hello, w\xc3\xb6rld! <s> [CLS] 12345 \xe4\xb8\xad", 30, "pair",
                    4, 1, 0, &e);
            lt_tokenizer_encode(t, "x", 1, NULL, 0, 1, 3, &e);
            char *text; /* the file's decoder, on its own ids and on any */
            size_t tl;
            static const int32_t any[] = { 0, 1, 2, 3, 5, 100, -1, 1 << 30 };
            if (lt_tokenizer_decode(t, e.ids, e.n, 0, &text, &tl) == LT_OK) lt_free(text);
            if (lt_tokenizer_decode(t, any, 8, 1, &text, &tl) == LT_OK) lt_free(text);
        }
        lt_tokenizer_free(t);
    } else if (toks[k - 1]) {
        const lt_tokenizer *t = toks[k - 1];
        lt_tokenizer_encode(t, p, n, NULL, 0, 1, 0, &e);
        for (int i = 0; i < e.n; i++) /* offsets lie inside the text and do not run backwards */
            if (e.offsets[2 * i] < 0 || e.offsets[2 * i] > e.offsets[2 * i + 1] ||
                    (size_t)e.offsets[2 * i + 1] > n)
                abort();
        char *text; /* decoding: its own ids, and the bytes read as ids */
        size_t tl;
        if (lt_tokenizer_decode(t, e.ids, e.n, k % 2, &text, &tl) == LT_OK) {
            if (strlen(text) > tl) abort();
            lt_free(text);
        }
        int32_t ids[64];
        int m = (int)(n / 4 < 64 ? n / 4 : 64);
        memcpy(ids, p, (size_t)m * 4);
        for (int i = 0; i < m; i++) ids[i] = ids[i] % 70000;
        if (lt_tokenizer_decode(t, ids, m, 0, &text, &tl) == LT_OK) lt_free(text);
        size_t h = n / 2;
        lt_tokenizer_encode(t, p, h, p + h, n - h, 1, 8, &e);
        if (e.n > 8) abort();
    }
    lt_encoding_free(&e);
    return 0;
}
