/* libFuzzer harness: every vector-format parser on arbitrary bytes. The first byte picks
 * the format. Build: make fuzz (clang -fsanitize=fuzzer,address,undefined). */
#include "latent/latent.h"
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    static const lt_format f[] = {LT_FMT_NATIVE, LT_FMT_W2V_TXT, LT_FMT_W2V_BIN, LT_FMT_GLOVE, LT_FMT_NPY, LT_FMT_FVECS};
    lt_vecs *v = NULL;
    if (lt_vecs_parse(data + 1, size - 1, f[data[0] % 6], "fuzz", &v) == LT_OK) {
        for (int64_t i = 0; i < v->n; i++) if (v->labels) lt_vecs_find(v, v->labels[i]);
        lt_vecs_free(v);
    }
    return 0;
}
