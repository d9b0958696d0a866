/* Pieces the dense encoders share (not public API). */
#ifndef LT_DENSE_IMPL_H
#define LT_DENSE_IMPL_H
#include "latent/dense.h"

/* fits the scaler on X and stores "shift" and "mult" (1 x d) and meta scale=NAME in m */
int lt__scale_fit(const lt_vecs *X, lt_scale s, lt_model *m);
/* the model's scaler: x' = (x - shift) * mult; checks X's dimension against the model */
int lt__scale_get(const lt_model *m, int64_t d, const double **shift, const double **mult);
int lt__pca_encode(const lt_model *m, const lt_vecs *X, int n_threads, lt_vecs **out);
int lt__kernel_encode(const lt_model *m, const lt_vecs *X, int n_threads, lt_vecs **out);
#endif
