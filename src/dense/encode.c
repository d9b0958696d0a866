/* lt_encode: applies any fitted model by its kind. */
#include "dense_impl.h"
#include <string.h>

int lt_encode(const lt_model *m, const lt_vecs *X, int n_threads, lt_vecs **out) {
    *out = NULL;
    const char *k = lt_model_kind(m);
    if (!strcmp(k, "pca")) return lt__pca_encode(m, X, n_threads, out);
    if (!strcmp(k, "rff") || !strcmp(k, "nystroem") || !strcmp(k, "kpca")) return lt__kernel_encode(m, X, n_threads, out);
    if (!strcmp(k, "autoencoder") || !strcmp(k, "cnn")) return lt_neural_encode(m, X, NULL, n_threads, out);
    return lt_err(LT_EINVAL, "cannot encode with a model of kind '%s'", k);
}
