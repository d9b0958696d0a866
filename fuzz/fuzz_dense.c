/* libFuzzer harness: the model container parser, the IDX and numeric CSV matrix parsers and
 * the CSV table parser on arbitrary bytes; a model that parses is applied to a small matrix, a table that
 * parses is fitted and encoded by the one-hot and hashing encoders.
 * A model with GloVe checkpoint metadata also goes through the checkpoint check.
 * First byte: low 2 bits pick the parser, bit 7 skips the model's CRCs (see fuzzing.h). */
#include "latent/latent.h"
#include "../src/core/fuzzing.h"
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    lt__fuzz_nocrc = (data[0] & 0x80) != 0;
    if ((data[0] & 3) == 2) {
        lt_table *t = NULL;
        if (lt_table_parse((const char *)data + 1, size - 1, "fuzz.csv", "?", &t) == LT_OK) {
            static const char *kinds[] = { "onehot", "hash" };
            for (int k = 0; k < 2; k++) {
                lt_cat_opts o;
                lt_cat_opts_init(&o);
                o.kind = kinds[k];
                o.dim = 16;
                o.min_frequency = 2;
                o.unknown = LT_UNKNOWN_INFREQUENT;
                lt_model *m = NULL;
                lt_vecs *z = NULL;
                lt_csr *c = NULL;
                if (lt_cat_fit(t, &o, &m) == LT_OK && lt_cat_encode(m, t, "fuzz.csv", &z) == LT_OK)
                    lt_vecs_free(z);
                if (m && lt_cat_encode_csr(m, t, "fuzz.csv", &c) == LT_OK) lt_csr_free(c);
                lt_model_free(m);
            }
            lt_table_free(t);
        }
    } else if ((data[0] & 3) == 3) {
        lt_vecs *v = NULL;
        if (lt_vecs_parse(data + 1, size - 1, LT_FMT_CSV, "fuzz.csv", &v) == LT_OK) lt_vecs_free(v);
    } else if (data[0] & 1) {
        lt_vecs *v = NULL;
        if (lt_vecs_parse(data + 1, size - 1, LT_FMT_IDX, "fuzz.idx", &v) == LT_OK) lt_vecs_free(v);
    } else {
        lt_model *m = NULL;
        if (lt_model_parse(data + 1, size - 1, "fuzz.lmodel", &m) == LT_OK) {
            const char *dm = lt_model_meta(m, "dim"), *vm = lt_model_meta(m, "vocab"),
                       *nm = lt_model_meta(m, "records");
            int done = 0;
            if (dm && vm && nm) /* a GloVe checkpoint: checked against what its metadata claims */
                lt_glove_checkpoint_check(m, atoi(dm), atoll(vm), atoll(nm), 0, &done);
            int64_t r = 0, c = 0;
            lt_model_get(m, "mean", &r, &c);
            if (c > 0 && c <= 4096) {
                lt_vecs *x = lt_vecs_new(3, c), *z = NULL, *back = NULL;
                if (x && lt_encode(m, x, 1, &z) == LT_OK) {
                    lt_pca_inverse(m, z, &back);
                    lt_vecs_free(back);
                }
                lt_vecs_free(z);
                lt_vecs_free(x);
            }
            lt_model_free(m);
        }
    }
    lt__fuzz_nocrc = 0;
    return 0;
}
