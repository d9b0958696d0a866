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
#include "latent/nn.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { LT_SCALE_NONE = 0, LT_SCALE_UNIT, LT_SCALE_STANDARD, LT_SCALE_MINMAX } lt_scale;
int lt_scale_from_name(const char *s, lt_scale *out);
const char *lt_scale_name(lt_scale s);

/* Solvers: LT_PCA_COVARIANCE forms the d x d covariance (one pass, ssyrk) and takes its top
 * eigenpairs (LAPACK dsyevr): exact, memory O(d^2). LT_PCA_RANDOMIZED (Halko, Martinsson and
 * Tropp 2011) iterates a seeded Gaussian block of dim + oversample columns through the
 * covariance operator - each product one pass over the rows, never forming the matrix, with
 * a QR between passes - power_iters times, then solves the small projected problem
 * (Rayleigh-Ritz): memory O(d (dim + oversample)), so d may exceed the covariance's limit.
 * LT_PCA_AUTO: covariance up to 4096 columns, randomized beyond. power_iters < 0: 7 when
 * dim < 0.1 min(n, d), else 4 (scikit-learn's rule). */
typedef enum { LT_PCA_AUTO = 0, LT_PCA_COVARIANCE, LT_PCA_RANDOMIZED } lt_pca_solver;
typedef struct lt_pca_opts {
    int dim;
    int whiten;
    lt_scale scale;
    int n_threads;
    lt_pca_solver solver;
    int oversample;
    int power_iters;
    uint64_t seed;
} lt_pca_opts;
/* dim 50, no whitening, no scaling, 1 thread, auto solver, oversample 10, power_iters -1, seed 1 */
void lt_pca_opts_init(lt_pca_opts *o);
int lt_pca_solver_from_name(const char *s, lt_pca_solver *out);
int lt_pca_fit(const lt_vecs *X, const lt_pca_opts *o, lt_model **out);
/* the same, streaming an uncompressed .npy (f32 / f64) or .fvecs file in blocks: two reads of
 * the file, memory O(d^2) whatever the number of rows */
int lt_pca_fit_file(const char *path, const lt_pca_opts *o, lt_model **out);

/* Kernels k(x, y): rbf exp(-gamma |x - y|^2); laplacian exp(-gamma |x - y|_1); poly
 * (gamma x.y + coef0)^degree; cosine x.y / (|x| |y|); chi2 exp(-gamma sum (x - y)^2 / (x + y))
 * (non-negative inputs; terms with x + y = 0 count 0); linear x.y. gamma <= 0 means 'auto':
 * 1 / the median squared Euclidean distance between rows of a seeded sample of 1000 rows of
 * the (scaled) training data, stored in the model.
 *
 * rff: random Fourier features (Rahimi and Recht) for rbf and laplacian: z(x) = sqrt(2 / dim)
 * cos(x W + b), W (d x dim) N(0, 2 gamma) for rbf or Cauchy(0, gamma) for laplacian, b
 * uniform in [0, 2 pi) (scikit-learn's RBFSampler for rbf); W and b are stored.
 * nystroem: dim landmark rows drawn uniformly without replacement; z(x) = k(x, landmarks)
 * M^T with M = U S^-1/2 U^T of the landmarks' kernel (eigenvalues floored at 1e-12), as
 * scikit-learn's Nystroem. kpca: exact kernel PCA: the training kernel, centred, its top
 * dim eigenpairs (dsyevr); a new row is centred against the training kernel's row and
 * overall means exactly as scikit-learn's KernelPCA and projected onto the eigenvectors
 * divided by the square roots of their eigenvalues; the training rows are stored. */
typedef enum {
    LT_KERNEL_RBF = 0,
    LT_KERNEL_LAPLACIAN,
    LT_KERNEL_POLY,
    LT_KERNEL_COSINE,
    LT_KERNEL_CHI2,
    LT_KERNEL_LINEAR
} lt_kernel;
int lt_kernel_from_name(const char *s, lt_kernel *out);
const char *lt_kernel_name(lt_kernel k);
/* Landmarks (nystroem, and kpca's nystroem solver): LT_LANDMARKS_UNIFORM draws rows without
 * replacement; LT_LANDMARKS_KMEANSPP takes k-means centres (k-means++ seeding, then
 * kmeans_iters Lloyd iterations) of a seeded sample of max(10000, 10 x landmarks) rows.
 * kpca solvers: LT_KPCA_EXACT (n x n kernel, at most 20000 rows); LT_KPCA_NYSTROEM: linear PCA
 * of the centred Nystroem features on n_landmarks landmarks (any number of rows, memory
 * O(n_landmarks^2)); LT_KPCA_AUTO: exact up to 20000 rows. */
typedef enum { LT_LANDMARKS_UNIFORM = 0, LT_LANDMARKS_KMEANSPP } lt_landmarks;
typedef enum { LT_KPCA_AUTO = 0, LT_KPCA_EXACT, LT_KPCA_NYSTROEM } lt_kpca_solver;
typedef struct lt_kernel_opts {
    int dim;
    lt_kernel kernel;
    double gamma, coef0;
    int degree;
    lt_scale scale;
    uint64_t seed;
    int n_threads;
    lt_landmarks landmarks;
    int kmeans_iters;
    lt_kpca_solver kpca_solver;
    int n_landmarks;
} lt_kernel_opts;
/* dim 100, rbf, gamma auto, coef0 1, degree 3, no scaling, seed 1, uniform landmarks,
 * kmeans_iters 5, kpca solver auto, n_landmarks 1000 */
void lt_kernel_opts_init(lt_kernel_opts *o);
int lt_rff_fit(const lt_vecs *X, const lt_kernel_opts *o, lt_model **out);
int lt_nystroem_fit(const lt_vecs *X, const lt_kernel_opts *o, lt_model **out);
int lt_kpca_fit(const lt_vecs *X, const lt_kernel_opts *o, lt_model **out);

/* Tables: CSV with a header line (commas, or tabs when the header line has tabs and no comma;
 * fields may be double-quoted with "" inside). A
 * column is numeric when every value that is not missing parses as a finite number, else
 * categorical; `missing` (default "?") and empty fields are missing values. */
typedef struct lt_table lt_table;
int lt_table_load(const char *path, const char *missing, lt_table **out);
int lt_table_parse(
        const char *buf, size_t len, const char *name, const char *missing, lt_table **out);
void lt_table_free(lt_table *t);
int64_t lt_table_rows(const lt_table *t);
int lt_table_cols(const lt_table *t);
const char *lt_table_name(const lt_table *t, int col);
int lt_table_col(const lt_table *t, const char *name); /* -1 if absent */
const char *lt_table_cell(const lt_table *t, int64_t row, int col); /* NULL when missing */

/* Categorical encoders of a table (kinds onehot, ordinal, hash): numeric columns are
 * standardised (scikit-learn's StandardScaler) and come first, in table order; each
 * categorical column then adds, in table order: onehot, one 0/1 column per category in sorted
 * byte order (a missing value is a category of its own, sorted last, as scikit-learn treats
 * NaN), plus one column for the infrequent categories (seen fewer than min_frequency times)
 * when there are any; ordinal, the category's index in that order (infrequent ones share the
 * last index); hash, scikit-learn's FeatureHasher on "column=value" strings (signed 32-bit
 * MurmurHash3, seed 0; column |h| mod dim, sign of h), dim columns in all. Unknown categories
 * at encode time: error (names the row and value), ignore (all zeros; ordinal -1), or
 * infrequent (the infrequent column when the column has one, else as ignore). The label
 * column, if named, is left out of the features. */
typedef enum { LT_UNKNOWN_ERROR = 0, LT_UNKNOWN_IGNORE, LT_UNKNOWN_INFREQUENT } lt_unknown;
typedef struct lt_cat_opts {
    const char *kind;
    const char *label;
    lt_unknown unknown;
    int64_t min_frequency;
    int dim;
    int all_categorical; /* every column a categorical one, numbers included (scikit-learn's
                            encoders) [0: a column of numbers is numeric, standardised] */
} lt_cat_opts;
void lt_cat_opts_init(
        lt_cat_opts *o); /* onehot, no label, error, min_frequency 0, dim 1024 (hash) */
int lt_cat_fit(const lt_table *t, const lt_cat_opts *o, lt_model **out);
/* rows of a table with the fitted columns (matched by name); name: the table's file, for errors */
int lt_cat_encode(const lt_model *m, const lt_table *t, const char *name, lt_vecs **out);
/* The same rows as a sparse CSR matrix (row i's entries at indptr[i] .. indptr[i + 1], column
 * indices increasing, zeros left out, hashed duplicates summed): memory O(non-zeros), for
 * one-hot encodings with many categories. */
typedef struct lt_csr {
    int64_t n, d, nnz;
    int64_t *indptr;
    int32_t *indices;
    float *data;
} lt_csr;
int lt_cat_encode_csr(const lt_model *m, const lt_table *t, const char *name, lt_csr **out);
/* The categories a categorical model keeps for its feature column col (0-based, in the order
 * fitted), as they were in the table: *n strings (NULL = the missing value), lt_free'd with
 * lt_cat_categories_free. LT_EINVAL when col is out of range or numeric. */
int lt_cat_categories(const lt_model *m, int col, char ***out, int64_t *n);
void lt_cat_categories_free(char **c, int64_t n);
void lt_csr_free(lt_csr *c);
/* libsvm / svmlight text: per row "y j:v j:v ..." with 1-based column indices; y[i] the row's
 * target (NULL: 0). Written atomically. */
int lt_csr_save_libsvm(const lt_csr *c, const double *y, const char *path);
uint32_t lt_murmur3_32(const void *data, size_t len, uint32_t seed);

/* Applies a fitted model (any kind latent fits) to the rows of X; labels are carried over. */
int lt_encode(const lt_model *m, const lt_vecs *X, int n_threads, lt_vecs **out);
/* The same, block by block, for results larger than memory: sink gets each block of encoded
 * rows in order, block row i being row first_row + i of X (the block carries no labels; take
 * X's), then a last call with block NULL (first_row = X->n), also after an error. A block
 * stays valid until the sink's next call returns (so a sink may write one block while the
 * next is computed); a non-zero return stops with that code.
 * rff, nystroem and kpca (exact) models never hold more than a block of the result; the
 * others encode X in slices. The values equal lt_encode's. */
typedef int (*lt_rows_sink)(void *ud, const lt_vecs *block, int64_t first_row);
int lt_encode_rows(const lt_model *m, const lt_vecs *X, int n_threads, lt_rows_sink sink, void *ud);
/* The same for the rows of a file read block by block, never all in memory as floats: an IDX
 * file (MNIST's images; plain or .gz) or an uncompressed f32/f64 .npy or .fvecs. *n_rows and
 * *d_in (optional) get the input's shape. The values equal lt_encode's of the loaded rows. */
int lt_encode_file(const lt_model *m, const char *path, int n_threads, lt_rows_sink sink, void *ud,
        int64_t *n_rows, int64_t *d_in);
/* PCA's inverse: rows of Z (dim columns) back to the input space (scaling undone). */
int lt_pca_inverse(const lt_model *m, const lt_vecs *Z, lt_vecs **out);
/* What a model keeps of its input: the rows of X scaled by the model's own scaler (*scaled)
 * and their reconstructions in that space (*recon): pca encodes and maps back, autoencoder
 * runs to its output layer. Models fitted with the same --scale compare directly (Fashion-
 * MNIST /255: squared error per pixel in [0, 1]); other kinds are refused. */
int lt_reconstruct(
        const lt_model *m, const lt_vecs *X, int n_threads, lt_vecs **scaled, lt_vecs **recon);

/* Learned encoders, trained by the nn core (nn.h) and saved as models of kind autoencoder,
 * cnn or entity: the network (meta nn_arch, nn_input, array nn.params), the input scaler (or,
 * for entity, the ordinal table encoder under keys "enc.*"), and encode_layer, the layer
 * lt_neural_encode writes by default. autoencoder: rows to themselves through arch (a string
 * of widths: hidden ReLU, bottleneck linear, sigmoid output, whose targets must lie in [0, 1]
 * after scaling), mse or bce; encodes to the bottleneck. cnn: images (channels-last rows;
 * shape from o->c/h/w, else the IDX header, else square) to n_classes logits, softmax
 * cross-entropy; encodes to the last named layer before the output. entity: a table's target
 * column from its categorical columns (one table each, dims[j] or min(50, (categories + 1) / 2)
 * columns; categories as the ordinal encoder sorts them, the missing value one of them, an
 * unseen one a zero row) and its standardised numerics, through the hidden layers of arch
 * (e.g. "f64-f64") and a softmax layer over the target's classes. val_frac holds out a seeded
 * share of the rows, evaluated after every epoch. */
typedef struct lt_neural_opts {
    const char *arch; /* NULL: the default network (autoencoder d-256-32-256-d; cnn
                                 c16k3-p2-c32k3-p2-f64-fK; entity hidden layers f64-f64) */
    lt_scale scale;
    int c, h, w; /* cnn image shape (0: from the input) */
    double val_frac;
    uint64_t seed; /* initial weights, and the validation split */
    int init; /* an lt_nn_init_rule, or -1 (default): He for autoencoder and cnn,
                                 PyTorch's for entity, the better of the two measured on each */
    lt_nn_train_opts train; /* optimiser, epochs, batch, threads, checkpoints, progress */
} lt_neural_opts;
void lt_neural_opts_init(lt_neural_opts *o); /* train.batch 128, the rest lt_nn_train_opts_init's */
int lt_autoencoder_fit(
        const lt_vecs *X, lt_neural_opts *o, lt_model **out, lt_nn_train_result *res);
/* y: class ids 0 .. n_classes - 1 of X's rows */
int lt_cnn_fit(const lt_vecs *X, const int *y, int n_classes, lt_neural_opts *o, lt_model **out,
        lt_nn_train_result *res);
int lt_entity_fit(const lt_table *t, const char *target, const int *dims, int n_dims,
        lt_neural_opts *o, lt_model **out, lt_nn_train_result *res);
/* rows through a neural model up to layer (a name from lt_nn_find_layer, "output", or NULL for
 * the model's encode_layer; entity models also take "embed" for the category vectors alone) */
int lt_neural_encode(
        const lt_model *m, const lt_vecs *X, const char *layer, int n_threads, lt_vecs **out);
/* the same, batch rows per forward pass (lt_neural_encode: 256) */
int lt_neural_encode_batch(const lt_model *m, const lt_vecs *X, const char *layer, int n_threads,
        int batch, lt_vecs **out);
int lt_entity_encode(const lt_model *m, const lt_table *t, const char *name, const char *layer,
        int n_threads, lt_vecs **out);
/* mean test loss (autoencoder: its loss on the scaled rows; cnn: cross-entropy against y) and,
 * for cnn, accuracy (else NaN) */
int lt_neural_score(const lt_model *m, const lt_vecs *X, const int *y, int n_threads, double *loss,
        double *accuracy);
/* the learned vectors of one categorical column: a row per category, labelled with it */
int lt_entity_column(const lt_model *m, const char *column, lt_vecs **out);

#ifdef __cplusplus
}
#endif
#endif
