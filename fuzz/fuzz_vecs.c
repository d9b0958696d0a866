/* libFuzzer harness: every vector-format parser and the HNSW index loader on arbitrary
 * bytes. The first byte picks the parser (low 3 bits; bit 6: the fastText model reader, whose
 * models then answer subword queries). Build: make fuzz (clang -fsanitize=fuzzer,address,undefined). */
#include "latent/latent.h"
#include "../src/core/fuzzing.h"
#include <stdint.h>
#include <string.h>

/* Bit 7 of the first byte skips the CRCs of .lvec and .lhnsw (CRC-bypass mode), so that
 * mutations reach the fields behind the checksums. */
static int run(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    lt__fuzz_nocrc = (data[0] & 0x80) != 0;
    run(data, size);
    lt__fuzz_nocrc = 0;
    return 0;
}
static int run(const uint8_t *data, size_t size) {
    static const lt_format f[] = { LT_FMT_NATIVE, LT_FMT_W2V_TXT, LT_FMT_W2V_BIN, LT_FMT_GLOVE,
        LT_FMT_NPY, LT_FMT_FVECS };
    if (data[0] % 8 >= 6) {
        lt_hnsw *h = NULL;
        if (lt_hnsw_parse(data + 1, size - 1, "fuzz.lhnsw", &h) == LT_OK) {
            float q[4096] = { 0 }, D[4];
            int64_t I[4];
            if (lt_hnsw_get_info(h).d <= 4096) lt_hnsw_search(h, q, 4, 16, NULL, D, I);
            lt_hnsw_free(h);
        }
        return 0;
    }
    lt_vecs *v = NULL;
    if (data[0] & 0x40) {
        if (lt_vecs_parse(data + 1, size - 1, LT_FMT_FASTTEXT, "fuzz.bin", &v) == LT_OK) {
            float *o = lt_malloc((size_t)v->d * 4);
            static const char *w[] = { "", "whale", "\xe6\x97\xa5\xe6\x9c\xac", "</s>",
                "\xff\x80" };
            for (int i = 0; o && i < 5; i++) lt_vecs_subword(v, w[i], o);
            lt_free(o);
            lt_vecs_free(v);
        }
        return 0;
    }
    if (lt_vecs_parse(data + 1, size - 1, f[data[0] % 6], "fuzz", &v) == LT_OK) {
        for (int64_t i = 0; i < v->n; i++)
            if (v->labels) lt_vecs_find(v, v->labels[i]);
        lt_vecs_free(v);
    }
    return 0;
}
