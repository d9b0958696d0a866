/* libFuzzer harness: safetensors header parser, tokenizer.json parser (WordPiece +
 * normalizer config) and the tokenizer itself on arbitrary text, through a fixture model. */
#include "latent/latent.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static lt_bert *m;
    static int tried;
    if (!tried) {
        tried = 1;
        lt_bert_load(&m, "tests/fixtures/bert-fixtures/tiny-bert-mean/st", NULL);
    }
    if (size < 1) return 0;
    const char *p = (const char *)data + 1;
    size_t n = size - 1;
    switch (data[0] % 3) {
    case 0: lt_safetensors_check(p, n, "fuzz.safetensors"); break;
    case 1: lt_bert_tokenizer_check(p, n, "fuzz.json"); break;
    default:
        if (m) {
            int32_t ids[64];
            lt_bert_tokenize(m, p, n, 1, ids, 64, NULL);
        }
    }
    return 0;
}
