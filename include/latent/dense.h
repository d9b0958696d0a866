/* latent dense: encoders of numeric matrices, fitted into an lt_model and applied to new rows.
 *
 *   lt_pca_fit(X, &o, &model);          fit on the rows of X (an lt_vecs)
 *   lt_encode(model, Y, threads, &Z);   the same transform on any rows with X's dimension
 *
 * Every encoder first scales its input with statistics fitted on the training rows and stored
 * in the model (`scale`): none; unit (x / 255, for 8-bit pixels); standard ((x - mean) / sd, a
 * constant column keeps sd 1); minmax ((x - min) / (max - min)).
 *
 * PCA: the d x d covariance of the scaled, centred rows is accumulated in f64 from f32 blocks
 * (one pass, so rows can stream) and its top `dim` eigenpairs taken with LAPACK's dsyevr (MRRR).
 * The fitted model keeps the mean, the components (dim x d, unit rows, each signed so that its
 * largest-magnitude entry is positive), the explained variance (eigenvalues of the covariance
 * with the n - 1 denominator, as scikit-learn's explained_variance_) and its ratio to the
 * total variance. whiten divides each output by the square root of its variance. */
#ifndef LATENT_DENSE_H
#define LATENT_DENSE_H
#include "latent/core.h"
#include "latent/model.h"
#include "latent/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { LT_SCALE_NONE = 0, LT_SCALE_UNIT, LT_SCALE_STANDARD, LT_SCALE_MINMAX } lt_scale;
int lt_scale_from_name(const char *s, lt_scale *out);
const char *lt_scale_name(lt_scale s);

typedef struct lt_pca_opts { int dim; int whiten; lt_scale scale; int n_threads; } lt_pca_opts;
void lt_pca_opts_init(lt_pca_opts *o);   /* dim 50, no whitening, no scaling, 1 thread */
int lt_pca_fit(const lt_vecs *X, const lt_pca_opts *o, lt_model **out);

/* Applies a fitted model (any kind latent fits) to the rows of X; labels are carried over. */
int lt_encode(const lt_model *m, const lt_vecs *X, int n_threads, lt_vecs **out);
/* PCA's inverse: rows of Z (dim columns) back to the input space (scaling undone). */
int lt_pca_inverse(const lt_model *m, const lt_vecs *Z, lt_vecs **out);

#ifdef __cplusplus
}
#endif
#endif
