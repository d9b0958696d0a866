/* lt_encode: applies any fitted model by its kind. */
#include "latent/kern.h"
#include "dense_impl.h"
#include <string.h>

static int encode_call(const lt_model *m, const lt_vecs *X, int n_threads, lt_vecs **out) {
    *out = NULL;
    const char *k = lt_model_kind(m);
    if (!strcmp(k, "pca")) return lt__pca_encode(m, X, n_threads, out);
    if (!strcmp(k, "rff") || !strcmp(k, "nystroem") || !strcmp(k, "kpca"))
        return lt__kernel_encode(m, X, n_threads, out);
    if (!strcmp(k, "autoencoder") || !strcmp(k, "cnn"))
        return lt_neural_encode(m, X, NULL, n_threads, out);
    return lt_err(LT_EINVAL, "cannot encode with a model of kind '%s'", k);
}

int lt__put_block(lt_rows_sink sink, void *ud, lt_vecs *Z, int64_t nb, int64_t first) {
    int64_t n = Z->n;
    Z->n = nb;
    int rc = sink(ud, Z, first);
    Z->n = n;
    return rc;
}

static int encode_rows_call(
        const lt_model *m, const lt_vecs *X, int n_threads, lt_rows_sink sink, void *ud) {
    const char *k = lt_model_kind(m);
    if (!strcmp(k, "rff") || !strcmp(k, "nystroem") || !strcmp(k, "kpca"))
        return lt__kernel_encode_rows(m, X, n_threads, sink, ud);
    /* the others row by row in their nature: slices of X (views sharing its rows) */
    enum { SLICE = 8192 };
    int rc = LT_OK;
    lt_vecs *prev = NULL; /* the sink may use a block until its next call returns */
    int64_t i0 = 0;
    do { /* at least once: no rows still make one (empty) block */
        lt_vecs view = *X, *Z = NULL;
        view.n = X->n - i0 < SLICE ? X->n - i0 : SLICE;
        view.data = X->data + i0 * X->ld;
        view.labels = NULL;
        rc = lt_encode(m, &view, n_threads, &Z);
        if (rc == LT_OK) rc = sink(ud, Z, i0);
        lt_vecs_free(prev);
        prev = Z;
    } while (rc == LT_OK && (i0 += SLICE) < X->n);
    int re = sink(ud, NULL, X->n);
    lt_vecs_free(prev);
    return rc ? rc : re;
}

static int encode_file_call(const lt_model *m, const char *path, int n_threads, lt_rows_sink sink,
        void *ud, int64_t *n_rows, int64_t *d_in) {
    enum { SLICE = 8192 };
    lt__rows r;
    int rc = lt__rows_open(&r, path);
    if (rc) return rc;
    if (n_rows) *n_rows = r.n;
    if (d_in) *d_in = r.d;
    int64_t cap = r.n < SLICE ? (r.n ? r.n : 1) : SLICE;
    lt_vecs *B = lt_vecs_new(cap, r.d), *prev = NULL;
    float *tmp = B && B->ld != r.d ? lt_malloc(sizeof(float) * (size_t)(cap * r.d)) : NULL;
    if (!B || (B->ld != r.d && !tmp)) rc = lt_err(LT_ENOMEM, "out of memory");
    int64_t i0 = 0;
    while (rc == LT_OK && i0 < r.n) {
        int64_t got = 0;
        float *dst = tmp ? tmp : B->data; /* rows land in B, contiguous when its stride is d */
        if ((rc = lt__rows_next(&r, dst, cap, &got)) || !got) break;
        for (int64_t i = 0; tmp && i < got; i++)
            memcpy(lt_vecs_row(B, i), tmp + i * r.d, sizeof(float) * (size_t)r.d);
        lt_vecs view = *B, *Z = NULL;
        view.n = got;
        rc = lt_encode(m, &view, n_threads, &Z);
        if (rc == LT_OK) rc = sink(ud, Z, i0);
        lt_vecs_free(prev);
        prev = Z;
        i0 += got;
    }
    int re = sink(ud, NULL, i0);
    lt_vecs_free(prev);
    lt_vecs_free(B);
    lt_free(tmp);
    lt__rows_close(&r);
    return rc ? rc : re;
}

int lt_encode_file(const lt_model *m, const char *path, int n_threads, lt_rows_sink sink, void *ud,
        int64_t *n_rows, int64_t *d_in) {
    int saved = lt_blas_begin(n_threads); /* BLAS threads: the call's own */
    int rc = encode_file_call(m, path, n_threads, sink, ud, n_rows, d_in);
    lt_blas_end(saved);
    return rc;
}

static int reconstruct_call(
        const lt_model *m, const lt_vecs *X, int n_threads, lt_vecs **scaled, lt_vecs **recon) {
    *scaled = *recon = NULL;
    const char *k = lt_model_kind(m);
    int pca = !strcmp(k, "pca");
    if (!pca && strcmp(k, "autoencoder"))
        return lt_err(
                LT_EINVAL, "a %s model has no reconstruction (pca and autoencoder models have)", k);
    const double *shift, *mult;
    int rc = lt__scale_get(m, X->d, &shift, &mult);
    if (rc) return rc;
    lt_vecs *S = lt_vecs_new(X->n, X->d), *Z = NULL;
    if (!S) return lt_err(LT_ENOMEM, "out of memory");
    for (int64_t i = 0; i < X->n; i++)
        lt__scale_rows(X, i, 1, shift, mult, NULL, lt_vecs_row(S, i));
    if (pca) {
        rc = lt__pca_encode(m, X, n_threads, &Z);
        if (rc == LT_OK) rc = lt__pca_inverse_scaled(m, Z, recon);
        lt_vecs_free(Z);
    } else rc = lt_neural_encode(m, X, "output", n_threads, recon);
    if (rc) {
        lt_vecs_free(S);
        return rc;
    }
    *scaled = S;
    return LT_OK;
}

int lt_encode(const lt_model *m, const lt_vecs *X, int n_threads, lt_vecs **out) {
    int saved = lt_blas_begin(n_threads); /* BLAS threads: the call's own */
    int rc = encode_call(m, X, n_threads, out);
    lt_blas_end(saved);
    return rc;
}

int lt_encode_rows(
        const lt_model *m, const lt_vecs *X, int n_threads, lt_rows_sink sink, void *ud) {
    int saved = lt_blas_begin(n_threads); /* BLAS threads: the call's own */
    int rc = encode_rows_call(m, X, n_threads, sink, ud);
    lt_blas_end(saved);
    return rc;
}

int lt_reconstruct(
        const lt_model *m, const lt_vecs *X, int n_threads, lt_vecs **scaled, lt_vecs **recon) {
    int saved = lt_blas_begin(n_threads); /* BLAS threads: the call's own */
    int rc = reconstruct_call(m, X, n_threads, scaled, recon);
    lt_blas_end(saved);
    return rc;
}
