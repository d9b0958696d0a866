/* Pieces the dense encoders share (not public API). */
#ifndef LT_DENSE_IMPL_H
#define LT_DENSE_IMPL_H
#include "latent/dense.h"

/* fits the scaler on X and stores "shift" and "mult" (1 x d) and meta scale=NAME in m */
int lt__scale_fit(const lt_vecs *X, lt_scale s, lt_model *m);
/* the same from column statistics (population variance): the one rule of every scaling */
int lt__scale_store(lt_model *m, lt_scale s, int64_t d, const double *mean, const double *var,
        const double *mn, const double *mx);
/* rows [i0, i0 + nb) of X, scaled (and centred on mean unless NULL), into the f32 block B (nb x d) */
void lt__scale_rows(const lt_vecs *X, int64_t i0, int64_t nb, const double *shift,
        const double *mult, const double *mean, float *B);
/* the model's scaler: x' = (x - shift) * mult; checks X's dimension against the model */
int lt__scale_get(const lt_model *m, int64_t d, const double **shift, const double **mult);
int lt__pca_encode(const lt_model *m, const lt_vecs *X, int n_threads, lt_vecs **out);
/* PCA's inverse into the model's scaled space (the scaler not undone) */
int lt__pca_inverse_scaled(const lt_model *m, const lt_vecs *Z, lt_vecs **out);
int lt__kernel_encode(const lt_model *m, const lt_vecs *X, int n_threads, lt_vecs **out);
/* the same, block by block into a sink (lt_encode_rows) */
int lt__kernel_encode_rows(
        const lt_model *m, const lt_vecs *X, int n_threads, lt_rows_sink sink, void *ud);
/* hands the first nb rows of Z to a sink as rows first.. of the result */
int lt__put_block(lt_rows_sink sink, void *ud, lt_vecs *Z, int64_t nb, int64_t first);
/* row sources (rows.c): an lt_vecs, a .npy / .fvecs file read in blocks, or an IDX file of bytes */
#include <stdio.h>
typedef struct {
    const lt_vecs *v;
    FILE *f;
    const char *path;
    int64_t n, d, at;
    int es, fvecs;
    size_t off;
    char *whole; /* an IDX file of bytes (MNIST's images), whole in memory (inflated if .gz): */
    size_t map_len; /* its rows are converted block by block, never all at once to floats */
    const unsigned char *u8;
    int idx_type;
} lt__rows;
int lt__rows_vecs(lt__rows *r, const lt_vecs *v);
int lt__rows_open(lt__rows *r, const char *path);
int lt__rows_rewind(lt__rows *r);
int lt__rows_next(lt__rows *r, float *B, int64_t max, int64_t *got);
void lt__rows_close(lt__rows *r);
int lt__pca_fit_rows(lt__rows *r, const lt_pca_opts *o, lt_model **out);
/* k-means++ seeding then iters Lloyd iterations: M centres of the n x d rows X into C (kmeans.c) */
int lt__kmeanspp(const float *X, int64_t n, int64_t d, int64_t M, int iters, uint64_t seed,
        int n_threads, float *C);
#endif
