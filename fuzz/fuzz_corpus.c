/* libFuzzer harness: the corpus tokenizer (with and without lowercasing) and the
 * vocabulary built from it. */
#include "latent/latent.h"
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    lt_corpus_opts o;
    lt_corpus_opts_init(&o);
    o.lower = size && (data[0] & 1);
    o.max_token_bytes = 16;
    lt_corpus *c;
    if (lt_corpus_open_mem(&c, data, size, "fuzz", &o) != LT_OK) return 0;
    lt_vocab *v = lt_vocab_new();
    lt_vocab_opts vo;
    lt_vocab_opts_init(&vo);
    vo.min_count = 1;
    vo.max_build = 64;
    if (v && lt_vocab_build(v, c, &vo) == LT_OK && lt_corpus_rewind(c) == LT_OK) {
        lt_tokens t;
        if (lt_tokens_encode(&t, c, v, 7) == LT_OK) lt_tokens_destroy(&t);
    }
    lt_vocab_free(v);
    lt_corpus_close(c);
    return 0;
}
