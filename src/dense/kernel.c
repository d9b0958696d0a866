/* Kernel maps (see dense.h): random Fourier features, Nystroem and exact kernel PCA. Kernel
 * blocks come from f32 matrix products (OpenBLAS sgemm) with f64 row norms, then the kernel's
 * function in f64; fits keep f64 statistics. */
#include "dense_impl.h"
#include "latent/kern.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { BLOCK = 1024 };
static const char *knames[] = { "rbf", "laplacian", "poly", "cosine", "chi2", "linear" };
int lt_kernel_from_name(const char *s, lt_kernel *out) {
    for (int i = 0; i < 6; i++)
        if (!strcmp(s, knames[i])) {
            *out = (lt_kernel)i;
            return LT_OK;
        }
    return lt_err(LT_EINVAL, "unknown kernel '%s' (rbf, laplacian, poly, cosine, chi2, linear)", s);
}
const char *lt_kernel_name(lt_kernel k) { return (unsigned)k < 6 ? knames[k] : "?"; }
void lt_kernel_opts_init(lt_kernel_opts *o) {
    memset(o, 0, sizeof *o); /* every field, the ones added later included */
    o->dim = 100;
    o->kernel = LT_KERNEL_RBF;
    o->gamma = 0;
    o->coef0 = 1;
    o->degree = 3;
    o->scale = LT_SCALE_NONE;
    o->seed = 1;
    o->n_threads = 1;
    o->landmarks = LT_LANDMARKS_UNIFORM;
    o->kmeans_iters = 5;
    o->kpca_solver = LT_KPCA_AUTO;
    o->n_landmarks = 1000;
}

typedef struct {
    lt_kernel k;
    double gamma, coef0;
    int degree, nt;
} kparams; /* nt: threads for the elementwise part */

/* the kernel from a dot product and the two squared norms (rbf, cosine, poly, linear) */
static inline double kfun(const kparams *p, double x, double a2, double b2) {
    switch (p->k) {
    case LT_KERNEL_RBF: return exp(-p->gamma * fmax(a2 + b2 - 2 * x, 0));
    case LT_KERNEL_COSINE: return a2 > 0 && b2 > 0 ? x / sqrt(a2 * b2) : 0;
    case LT_KERNEL_POLY: return pow(p->gamma * x + p->coef0, p->degree);
    default: return x;
    }
}
/* the kernels that are not functions of a dot product: laplacian, chi2 */
#define ELEMENTWISE_KERNEL(T) \
    for (int64_t i = 0; i < na; i++) \
        for (int64_t j = 0; j < nb; j++) { \
            const T *a = A + i * d, *b = B + j * d; \
            double s = 0; \
            if (p->k == LT_KERNEL_LAPLACIAN) \
                for (int64_t t = 0; t < d; t++) s += fabs((double)a[t] - b[t]); \
            else \
                for (int64_t t = 0; t < d; t++) { \
                    double u = (double)a[t] + b[t], v = (double)a[t] - b[t]; \
                    if (u != 0) s += v * v / u; \
                } \
            K[i * nb + j] = exp(-p->gamma * s); \
        }

/* kfun over the rows of a block in parallel: K[i][j] = k(S or K[i][j], na2[i], nb2[j]) */
typedef struct {
    const kparams *p;
    const float *S;
    double *K;
    const double *na2, *nb2;
    int64_t nb;
} kf_ctx;
static void kf_rows(void *ud, int64_t b, int64_t e, int tid) {
    kf_ctx *c = ud;
    (void)tid;
    for (int64_t i = b; i < e; i++)
        for (int64_t j = 0; j < c->nb; j++)
            c->K[i * c->nb + j] = kfun(
                    c->p, c->S ? c->S[i * c->nb + j] : c->K[i * c->nb + j], c->na2[i], c->nb2[j]);
}

/* K (na x nb, f64) = k(A_i, B_j) for f32 rows A (na x d), B (nb x d); S: na x nb f32 scratch */
static void kernel_block(const kparams *p, const float *A, int64_t na, const float *B, int64_t nb,
        int64_t d, float *S, double *K) {
    if (p->k == LT_KERNEL_LAPLACIAN || p->k == LT_KERNEL_CHI2) { ELEMENTWISE_KERNEL(float) return; }
    lt_sgemm(0, 1, (int)na, (int)nb, (int)d, 1.0f, A, (int)d, B, (int)d, 0.0f, S, (int)nb);
    double na2[BLOCK] = { 0 }, nb2[BLOCK] = { 0 };
    if (p->k == LT_KERNEL_RBF || p->k == LT_KERNEL_COSINE) {
        for (int64_t i = 0; i < na; i++) {
            double s = 0;
            for (int64_t t = 0; t < d; t++) s += (double)A[i * d + t] * A[i * d + t];
            na2[i] = s;
        }
        for (int64_t j = 0; j < nb; j++) {
            double s = 0;
            for (int64_t t = 0; t < d; t++) s += (double)B[j * d + t] * B[j * d + t];
            nb2[j] = s;
        }
    }
    kf_ctx c = { p, S, K, na2, nb2, nb };
    lt_parallel_for(p->nt, na, kf_rows, &c);
}

/* the same in f64 throughout (fits: the landmarks' and the training kernel, where small
 * eigenvalues amplify rounding) */
static void kernel_block_d(const kparams *p, const double *A, int64_t na, const double *B,
        int64_t nb, int64_t d, double *K) {
    if (p->k == LT_KERNEL_LAPLACIAN || p->k == LT_KERNEL_CHI2) {
        ELEMENTWISE_KERNEL(double) return;
    }
    lt_dgemm(0, 1, (int)na, (int)nb, (int)d, 1.0, A, (int)d, B, (int)d, 0.0, K, (int)nb);
    double na2[BLOCK], nb2[BLOCK];
    for (int64_t i = 0; i < na; i++) {
        double s = 0;
        for (int64_t t = 0; t < d; t++) s += A[i * d + t] * A[i * d + t];
        na2[i] = s;
    }
    for (int64_t j = 0; j < nb; j++) {
        double s = 0;
        for (int64_t t = 0; t < d; t++) s += B[j * d + t] * B[j * d + t];
        nb2[j] = s;
    }
    kf_ctx c = { p, NULL, K, na2, nb2, nb };
    lt_parallel_for(p->nt, na, kf_rows, &c);
}

/* the model's scaled training rows (f32, contiguous) */
static float *scaled_all(const lt_vecs *X, const double *shift, const double *mult) {
    float *B = lt_malloc((size_t)(X->n ? X->n : 1) * X->d * 4);
    if (B) lt__scale_rows(X, 0, X->n, shift, mult, NULL, B);
    return B;
}

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* gamma 'auto': 1 / median squared distance among a seeded sample of up to 1000 rows */
static double auto_gamma(const float *Xs, int64_t n, int64_t d, uint64_t seed) {
    int64_t m = n < 1000 ? n : 1000, *idx = lt_malloc((size_t)(n ? n : 1) * 8);
    double *dd = lt_malloc((size_t)(m * (m - 1) / 2 + 1) * 8), g = 1;
    if (idx && dd && m >= 2) {
        lt_rng r;
        lt_rng_seed(&r, seed, 7);
        for (int64_t i = 0; i < n; i++) idx[i] = i;
        lt_rng_shuffle(&r, idx, n);
        int64_t c = 0;
        for (int64_t i = 0; i < m; i++)
            for (int64_t j = i + 1; j < m; j++) {
                double s = 0;
                for (int64_t t = 0; t < d; t++) {
                    double u = (double)Xs[idx[i] * d + t] - Xs[idx[j] * d + t];
                    s += u * u;
                }
                dd[c++] = s;
            }
        qsort(dd, (size_t)c, 8, cmp_d);
        double med = c % 2 ? dd[c / 2] : (dd[c / 2 - 1] + dd[c / 2]) / 2;
        g = med > 0 ? 1 / med : 1;
    }
    lt_free(idx);
    lt_free(dd);
    return g;
}

static int meta_num(lt_model *m, const char *k, double v) {
    char b[64];
    snprintf(b, sizeof b, "%.17g", v);
    return lt_model_meta_set(m, k, b);
}

/* common start of a fit: the scaler, the scaled rows, gamma and the kernel's metadata */
static int fit_start(const char *kind, const lt_vecs *X, const lt_kernel_opts *o, lt_model **m,
        float **Xs, kparams *p) {
    *Xs = NULL;
    if (X->n < 2) return lt_err(LT_EINVAL, "%s: at least 2 rows needed", kind);
    if (o->dim < 1) return lt_err(LT_EINVAL, "%s: --dim must be positive", kind);
    if (o->degree < 1 || o->degree > 100) return lt_err(LT_EINVAL, "%s: degree 1..100", kind);
    if (!(*m = lt_model_new(kind))) return lt_err(LT_ENOMEM, "out of memory");
    const double *shift, *mult;
    int rc = lt__scale_fit(X, o->scale, *m);
    if (rc == LT_OK) rc = lt__scale_get(*m, X->d, &shift, &mult);
    if (rc == LT_OK && !(*Xs = scaled_all(X, shift, mult))) rc = lt_err(LT_ENOMEM, "out of memory");
    p->k = o->kernel;
    p->coef0 = o->coef0;
    p->degree = o->degree;
    p->nt = o->n_threads;
    p->gamma =
            o->gamma > 0 ? o->gamma : auto_gamma(*Xs ? *Xs : NULL, *Xs ? X->n : 0, X->d, o->seed);
    if (rc == LT_OK) rc = lt_model_meta_set(*m, "kernel", lt_kernel_name(o->kernel));
    if (rc == LT_OK) rc = meta_num(*m, "gamma", p->gamma);
    if (rc == LT_OK)
        rc = lt_model_meta_set(*m, "gamma_rule",
                o->gamma > 0 ? "given" : "auto: 1 / median squared distance of 1000 sampled rows");
    if (rc == LT_OK) rc = meta_num(*m, "coef0", p->coef0);
    if (rc == LT_OK) rc = meta_num(*m, "degree", p->degree);
    if (rc == LT_OK) rc = meta_num(*m, "dim", o->dim);
    if (rc == LT_OK) rc = meta_num(*m, "input_dim", (double)X->d);
    if (rc == LT_OK) rc = meta_num(*m, "n_samples", (double)X->n);
    if (rc == LT_OK) rc = meta_num(*m, "seed", (double)o->seed);
    if (rc) {
        lt_model_free(*m);
        *m = NULL;
        lt_free(*Xs);
        *Xs = NULL;
    }
    return rc;
}

static int rff_fit_call(const lt_vecs *X, const lt_kernel_opts *o, lt_model **out) {
    *out = NULL;
    if (o->kernel != LT_KERNEL_RBF && o->kernel != LT_KERNEL_LAPLACIAN)
        return lt_err(LT_EINVAL, "rff: rbf or laplacian kernels only (nystroem takes the others)");
    lt_model *m;
    float *Xs;
    kparams p;
    int rc = fit_start("rff", X, o, &m, &Xs, &p);
    if (rc) return rc;
    lt_free(Xs);
    int64_t d = X->d, D = o->dim;
    double *W = lt_malloc((size_t)d * D * 8), *b = lt_malloc((size_t)D * 8);
    if (!W || !b) rc = lt_err(LT_ENOMEM, "out of memory");
    if (rc == LT_OK) {
        lt_rng r;
        lt_rng_seed(&r, o->seed, 0);
        for (int64_t i = 0; i < d * D; i++)
            W[i] = o->kernel == LT_KERNEL_RBF ? sqrt(2 * p.gamma) * lt_rng_normal(&r)
                                              : p.gamma * tan(M_PI * (lt_rng_uniform(&r) - 0.5));
        for (int64_t j = 0; j < D; j++) b[j] = 2 * M_PI * lt_rng_uniform(&r);
        rc = lt_model_put(m, "W", d, D, W);
        if (rc == LT_OK) rc = lt_model_put(m, "b", 1, D, b);
    }
    lt_free(W);
    lt_free(b);
    if (rc) {
        lt_model_free(m);
        return rc;
    }
    *out = m;
    return LT_OK;
}

/* M landmarks of the scaled rows Xs (uniform rows or k-means++ centres) and the Nystroem
 * normalisation: stored in m as "landmarks" (M x d) and "normalization" (M x M). */
static int nystroem_build(const float *Xs, int64_t n, int64_t d, int64_t M, const kparams *p,
        const lt_kernel_opts *o, lt_model *m) {
    int64_t ns = o->landmarks == LT_LANDMARKS_KMEANSPP ? (10 * M > 10000 ? 10 * M : 10000) : M;
    if (ns > n) ns = n;
    int64_t *idx = lt_malloc((size_t)n * 8);
    float *Lf = lt_malloc((size_t)M * d * 4),
          *smp = o->landmarks == LT_LANDMARKS_KMEANSPP ? lt_malloc((size_t)ns * d * 4)
                                                       : lt_malloc(4);
    double *K = lt_malloc((size_t)M * M * 8), *w = lt_malloc((size_t)M * 8),
           *N = lt_calloc((size_t)M * M, 8), *Ld = lt_malloc((size_t)M * d * 8);
    int rc = idx && Lf && smp && K && w && N && Ld ? LT_OK : lt_err(LT_ENOMEM, "out of memory");
    if (rc == LT_OK) {
        lt_rng r;
        lt_rng_seed(&r, o->seed, 0);
        for (int64_t i = 0; i < n; i++) idx[i] = i;
        lt_rng_shuffle(&r, idx, n);
        if (o->landmarks == LT_LANDMARKS_KMEANSPP) {
            for (int64_t i = 0; i < ns; i++) memcpy(smp + i * d, Xs + idx[i] * d, (size_t)d * 4);
            rc = lt__kmeanspp(smp, ns, d, M, o->kmeans_iters, o->seed, o->n_threads, Lf);
        } else
            for (int64_t i = 0; i < M; i++) memcpy(Lf + i * d, Xs + idx[i] * d, (size_t)d * 4);
    }
    for (int64_t i = 0; rc == LT_OK && i < M * d; i++) Ld[i] = Lf[i];
    /* the landmarks' kernel, block by block */
    for (int64_t i0 = 0; rc == LT_OK && i0 < M; i0 += BLOCK)
        for (int64_t j0 = 0; j0 < M; j0 += BLOCK) {
            int64_t a = M - i0 < BLOCK ? M - i0 : BLOCK, b = M - j0 < BLOCK ? M - j0 : BLOCK;
            double *Kb = lt_malloc((size_t)a * b * 8);
            if (!Kb) {
                rc = lt_err(LT_ENOMEM, "out of memory");
                break;
            }
            kernel_block_d(p, Ld + i0 * d, a, Ld + j0 * d, b, d, Kb);
            for (int64_t i = 0; i < a; i++)
                memcpy(K + (i0 + i) * M + j0, Kb + i * b, (size_t)b * 8);
            lt_free(Kb);
        }
    if (rc == LT_OK && lt_dsyevd(M, K, M, w) != 0)
        rc = lt_err(LT_EINVAL, "nystroem: the eigensolver failed");
    if (rc == LT_OK) {
        /* N = U diag(sign(l) / sqrt(max(|l|, 1e-12))) U^T: the SVD form scikit-learn uses */
        for (int64_t c = 0; c < M; c++) {
            double sc = (w[c] < 0 ? -1 : 1) / sqrt(fmax(fabs(w[c]), 1e-12));
            for (int64_t i = 0; i < M; i++) {
                double ui = K[i * M + c] * sc;
                for (int64_t j = 0; j < M; j++) N[i * M + j] += ui * K[j * M + c];
            }
        }
        rc = lt_model_put(m, "landmarks", M, d, Ld);
        if (rc == LT_OK) rc = lt_model_put(m, "normalization", M, M, N);
        if (rc == LT_OK)
            rc = lt_model_meta_set(m, "landmark_rule",
                    o->landmarks == LT_LANDMARKS_KMEANSPP ? "kmeans++" : "uniform");
        if (rc == LT_OK && o->landmarks == LT_LANDMARKS_KMEANSPP)
            rc = meta_num(m, "kmeans_iters", o->kmeans_iters);
        if (rc == LT_OK && o->landmarks == LT_LANDMARKS_KMEANSPP)
            rc = meta_num(m, "kmeans_sample", (double)ns);
    }
    lt_free(idx);
    lt_free(Lf);
    lt_free(smp);
    lt_free(K);
    lt_free(w);
    lt_free(N);
    lt_free(Ld);
    return rc;
}

static int nystroem_fit_call(const lt_vecs *X, const lt_kernel_opts *o, lt_model **out) {
    *out = NULL;
    if (o->dim > X->n)
        return lt_err(LT_EINVAL, "nystroem: --dim %d landmarks but only %lld rows", o->dim,
                (long long)X->n);
    lt_model *m;
    float *Xs;
    kparams p;
    int rc = fit_start("nystroem", X, o, &m, &Xs, &p);
    if (rc) return rc;
    rc = nystroem_build(Xs, X->n, X->d, o->dim, &p, o, m);
    lt_free(Xs);
    if (rc) {
        lt_model_free(m);
        return rc;
    }
    *out = m;
    return LT_OK;
}

static int kernel_encode(const lt_model *m, const lt_vecs *X, int n_threads, int raw,
        lt_rows_sink sink, void *ud, lt_vecs **out);

/* Kernel PCA on the Nystroem approximation K ~ F F^T (F the Nystroem features): the centred
 * features' covariance (M x M, summed over row blocks), its top k eigenpairs; a row maps to
 * (f(x) - mean f) V, which is what exact kernel PCA computes with K replaced by F F^T. */
static int kpca_nystroem(
        const lt_vecs *X, const float *Xs, const kparams *p, const lt_kernel_opts *o, lt_model *m) {
    int64_t n = X->n, d = X->d, M = o->n_landmarks, k = o->dim;
    if (M > n) M = n;
    if (k > M)
        return lt_err(LT_EINVAL, "kpca: --dim %d exceeds the %lld landmarks", o->dim, (long long)M);
    int rc = nystroem_build(Xs, n, d, M, p, o, m);
    if (rc) return rc;
    enum { RB = 2048 };
    double *C = lt_calloc((size_t)M * M, 8), *mu = lt_calloc((size_t)M, 8),
           *w = lt_malloc((size_t)M * 8), *V = lt_malloc((size_t)M * k * 8);
    double *comp = lt_malloc((size_t)M * k * 8), *ev = lt_malloc((size_t)k * 8);
    float *Cf = lt_malloc((size_t)M * M * 4);
    int *isuppz = lt_malloc((size_t)2 * M * sizeof(int));
    lt_vecs *blk = lt_vecs_new(RB, d);
    if (!C || !mu || !w || !V || !comp || !ev || !Cf || !isuppz || !blk)
        rc = lt_err(LT_ENOMEM, "out of memory for kpca (%lld landmarks)", (long long)M);
    /* the features of X by blocks: f32 products, f64 sums (the scaler is inside the model) */
    lt_model_meta_set(m, "solver", "nystroem-features");
    for (int64_t i0 = 0; rc == LT_OK && i0 < n; i0 += RB) {
        int64_t nb = n - i0 < RB ? n - i0 : RB;
        blk->n = nb;
        for (int64_t i = 0; i < nb; i++)
            memcpy(lt_vecs_row(blk, i), lt_vecs_row(X, i0 + i), (size_t)d * 4);
        lt_vecs *F = NULL;
        rc = kernel_encode(m, blk, o->n_threads, 1, NULL, NULL, &F);
        if (rc) break;
        for (int64_t i = 0; i < nb; i++)
            for (int64_t j = 0; j < M; j++) mu[j] += lt_vecs_row(F, i)[j];
        lt_ssyrk(1, 1, (int)M, (int)nb, 1.0f, F->data, (int)F->ld, 0.0f, Cf, (int)M);
        for (int64_t a = 0; a < M; a++)
            for (int64_t b = a; b < M; b++) C[a * M + b] += Cf[a * M + b];
        lt_vecs_free(F);
    }
    if (rc == LT_OK) {
        /* sum (f - mu)(f - mu)^T = F^T F - n mu mu^T; eigenvalues of the centred F F^T */
        for (int64_t j = 0; j < M; j++) mu[j] /= (double)n;
        for (int64_t a = 0; a < M; a++)
            for (int64_t b = a; b < M; b++) C[a * M + b] -= (double)n * mu[a] * mu[b];
        int found = 0;
        int info = lt_dsyevr(M, C, M, (M - k + 1), M, &found, w, V, k, isuppz);
        if (info != 0 || found != k)
            rc = lt_err(
                    LT_EINVAL, "kpca: the eigensolver failed (LAPACK dsyevr info %d)", (int)info);
    }
    for (int64_t c = 0; rc == LT_OK && c < k; c++) {
        int64_t src = k - 1 - c;
        double big = 0;
        for (int64_t j = 0; j < M; j++)
            if (fabs(V[j * k + src]) > fabs(big)) big = V[j * k + src];
        ev[c] = w[src];
        for (int64_t j = 0; j < M; j++) comp[j * k + c] = (big < 0 ? -1 : 1) * V[j * k + src];
    }
    if (rc == LT_OK) rc = lt_model_put(m, "feature_mean", 1, M, mu);
    if (rc == LT_OK) rc = lt_model_put(m, "components", M, k, comp);
    if (rc == LT_OK) rc = lt_model_put(m, "eigenvalues", 1, k, ev);
    if (rc == LT_OK) rc = meta_num(m, "n_landmarks", (double)M);
    lt_free(C);
    lt_free(mu);
    lt_free(w);
    lt_free(V);
    lt_free(comp);
    lt_free(ev);
    lt_free(Cf);
    lt_free(isuppz);
    if (blk) blk->n = RB;
    lt_vecs_free(blk);
    return rc;
}

/* The k largest eigenpairs of the symmetric n x n matrix A (destroyed), ascending like dsyevr:
 * w[0..k), Z (n x k, column c for w[c]). Small problems: dsyevr. Large ones (n > 2000 and
 * 4k < n): subspace iteration (block 2k + 10, 8 products with A, each followed by a QR)
 * then Rayleigh-Ritz on the block, which for a kernel matrix's fast-decaying spectrum
 * meets dsyevr's vectors to |cos| > 0.9999 at a fraction of the O(n^3) tridiagonalisation. */
static int top_eigs(
        double *A, int64_t n, int64_t k, uint64_t seed, int nt, double *w, double *Z, int *isuppz) {
    if (n <= 2000 || 4 * k >= n) {
        int found = 0;
        int info = lt_dsyevr(n, A, n, (n - k + 1), n, &found, w, Z, k, isuppz);
        return info != 0 || found != k
                ? lt_err(LT_EINVAL, "the eigensolver failed (LAPACK dsyevr info %d)", (int)info)
                : LT_OK;
    }
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < i; j++) A[i * n + j] = A[j * n + i]; /* full symmetric for dgemm */
    int64_t l = 2 * k + 10;
    double *Q = lt_malloc((size_t)n * l * 8), *Y = lt_malloc((size_t)n * l * 8),
           *tau = lt_malloc((size_t)l * 8);
    double *B = lt_malloc((size_t)l * l * 8), *bw = lt_malloc((size_t)l * 8);
    /* the iteration's products in f32 (half the time; the subspace only needs to converge to
     * f32 accuracy), the Rayleigh-Ritz step below in f64 */
    float *Af = lt_malloc((size_t)n * n * 4), *Qf = lt_malloc((size_t)n * l * 4),
          *Yf = lt_malloc((size_t)n * l * 4);
    float *Qp = lt_aligned_alloc(lt_packed_floats((int)l, (int)n) * 4);
    int rc = Q && Y && tau && B && bw && Af && Qf && Yf && Qp ? LT_OK
                                                              : lt_err(LT_ENOMEM, "out of memory");
    for (int64_t i = 0; rc == LT_OK && i < n * n; i++) Af[i] = (float)A[i];
    if (rc == LT_OK) {
        lt_rng r;
        lt_rng_seed(&r, seed, 11);
        for (int64_t i = 0; i < n * l; i++) Q[i] = lt_rng_uniform(&r) - 0.5;
        for (int it = 0; rc == LT_OK && it < 8; it++) {
            for (int64_t i = 0; i < n * l; i++) Qf[i] = (float)Q[i];
            lt_pack_cols_to(Qp, Qf, (int)n, (int)l, l); /* Y = A Q on latent's packed kernel */
            lt_packed PQ = { (int)l, (int)n, Qp };
            lt_gemm_packed((int)n, Af, n, &PQ, Yf, l, NULL, 0, nt);
            for (int64_t i = 0; i < n * l; i++) Y[i] = Yf[i];
            if (lt_dqr_q((int)n, (int)l, Y, l, tau))
                rc = lt_err(LT_EINVAL, "the eigensolver's QR failed");
            double *t = Q;
            Q = Y;
            Y = t;
        }
    }
    if (rc == LT_OK) {
        /* Rayleigh-Ritz: B = Q^T A Q, its eigenpairs, Z = Q U for the top k */
        lt_dgemm(0, 0, (int)n, (int)l, (int)n, 1.0, A, (int)n, Q, (int)l, 0.0, Y, (int)l);
        lt_dgemm(1, 0, (int)l, (int)l, (int)n, 1.0, Q, (int)l, Y, (int)l, 0.0, B, (int)l);
        if (lt_dsyevd(l, B, l, bw)) rc = lt_err(LT_EINVAL, "the eigensolver failed");
    }
    if (rc == LT_OK) {
        for (int64_t c = 0; c < k; c++) w[c] = bw[l - k + c];
        lt_dgemm(0, 0, (int)n, (int)k, (int)l, 1.0, Q, (int)l, B + (l - k), (int)l, 0.0, Z, (int)k);
    }
    lt_free(Q);
    lt_free(Y);
    lt_free(tau);
    lt_free(B);
    lt_free(bw);
    lt_free(Af);
    lt_free(Qf);
    lt_free(Yf);
    lt_aligned_free(Qp);
    return rc;
}

static int kpca_fit_call(const lt_vecs *X, const lt_kernel_opts *o, lt_model **out) {
    *out = NULL;
    int64_t n = X->n, d = X->d, k = o->dim;
    int approx =
            o->kpca_solver == LT_KPCA_NYSTROEM || (o->kpca_solver == LT_KPCA_AUTO && n > 20000);
    if (!approx && n > 20000)
        return lt_err(LT_EINVAL,
                "kpca: %lld rows; the exact solver holds n x n doubles (at most 20000 rows); use the nystroem solver",
                (long long)n);
    if (k > n) return lt_err(LT_EINVAL, "kpca: --dim must be at most the %lld rows", (long long)n);
    lt_model *m;
    float *Xs;
    kparams p;
    int rc = fit_start("kpca", X, o, &m, &Xs, &p);
    if (rc) return rc;
    if (approx) {
        rc = kpca_nystroem(X, Xs, &p, o, m);
        lt_free(Xs);
        if (rc) {
            lt_model_free(m);
            return rc;
        }
        *out = m;
        return LT_OK;
    }
    rc = lt_model_meta_set(m, "solver", "exact");
    double *K = lt_malloc((size_t)n * n * 8), *mu = lt_calloc((size_t)n, 8),
           *w = lt_malloc((size_t)n * 8), *Z = lt_malloc((size_t)n * k * 8);
    double *al = lt_malloc((size_t)n * k * 8), *ev = lt_malloc((size_t)k * 8),
           *Xd = lt_malloc((size_t)n * d * 8), *Kb = lt_malloc((size_t)BLOCK * BLOCK * 8);
    float *S = lt_malloc((size_t)BLOCK * BLOCK * 4);
    int *isuppz = lt_malloc((size_t)2 * n * sizeof(int));
    if (!K || !mu || !w || !Z || !al || !ev || !Xd || !Kb || !S || !isuppz)
        rc = lt_err(LT_ENOMEM, "out of memory for kpca (%lld rows)", (long long)n);
    for (int64_t i = 0; rc == LT_OK && i < n * d; i++) Xd[i] = Xs[i];
    for (int64_t i0 = 0; rc == LT_OK && i0 < n; i0 += BLOCK)
        for (int64_t j0 = i0; j0 < n;
                j0 += BLOCK) { /* the upper blocks, mirrored: K is symmetric */
            int64_t a = n - i0 < BLOCK ? n - i0 : BLOCK, b = n - j0 < BLOCK ? n - j0 : BLOCK;
            kernel_block_d(&p, Xd + i0 * d, a, Xd + j0 * d, b, d, Kb);
            for (int64_t i = 0; i < a; i++)
                memcpy(K + (i0 + i) * n + j0, Kb + i * b, (size_t)b * 8);
            for (int64_t i = 0; j0 > i0 && i < a; i++)
                for (int64_t j = 0; j < b; j++) K[(j0 + j) * n + i0 + i] = Kb[i * b + j];
        }
    double all = 0;
    if (rc == LT_OK) {
        for (int64_t i = 0; i < n; i++)
            for (int64_t j = 0; j < n; j++) mu[j] += K[i * n + j];
        for (int64_t j = 0; j < n; j++) {
            mu[j] /= (double)n;
            all += mu[j];
        }
        all /= (double)n;
        for (int64_t i = 0; i < n; i++)
            for (int64_t j = 0; j < n; j++) K[i * n + j] += all - mu[i] - mu[j];
        rc = top_eigs(K, n, k, o->seed, o->n_threads, w, Z, isuppz);
    }
    for (int64_t c = 0; rc == LT_OK && c < k; c++) {
        int64_t src = k - 1 - c;
        double big = 0;
        for (int64_t i = 0; i < n; i++)
            if (fabs(Z[i * k + src]) > fabs(big)) big = Z[i * k + src];
        ev[c] = w[src];
        double s = (big < 0 ? -1 : 1) /
                (w[src] > 0 ? sqrt(w[src]) : INFINITY); /* a zero eigenvalue projects to 0 */
        for (int64_t i = 0; i < n; i++) al[i * k + c] = Z[i * k + src] * s;
    }
    if (rc == LT_OK) {
        rc = lt_model_put(m, "X", n, d, Xd);
        if (rc == LT_OK) rc = lt_model_put(m, "alphas", n, k, al);
        if (rc == LT_OK) rc = lt_model_put(m, "eigenvalues", 1, k, ev);
        if (rc == LT_OK) rc = lt_model_put(m, "K_col_means", 1, n, mu);
        if (rc == LT_OK) rc = meta_num(m, "K_mean", all);
    }
    lt_free(K);
    lt_free(mu);
    lt_free(w);
    lt_free(Z);
    lt_free(al);
    lt_free(ev);
    lt_free(Xd);
    lt_free(Kb);
    lt_free(S);
    lt_free(isuppz);
    lt_free(Xs);
    if (rc) {
        lt_model_free(m);
        return rc;
    }
    *out = m;
    return LT_OK;
}

/* ---- transforms ---- */
static double meta_d(const lt_model *m, const char *k, double dflt) {
    const char *s = lt_model_meta(m, k);
    return s ? strtod(s, NULL) : dflt;
}

/* Random Fourier features of a block of scaled rows: each thread takes chunks of RFF_RC rows,
 * S = X W on latent's packed GEMM (one thread per chunk, so S stays in cache; on the AMD
 * machine of session 11 it ran 2x OpenBLAS's sgemm on this shape), then z = amp cos(S + b). */
enum { RFF_RC = 64 };
typedef struct {
    const float *X, *b;
    const lt_packed *P;
    float *S;
    lt_vecs *Z;
    int64_t i0, nb, d, D;
    float amp;
} rff_ctx;
static void rff_rows(void *ud, int64_t c0, int64_t c1, int tid) {
    rff_ctx *c = ud;
    float *S = c->S + (int64_t)tid * RFF_RC * c->D;
    for (int64_t ch = c0; ch < c1; ch++) {
        int64_t r0 = ch * RFF_RC, m = c->nb - r0 < RFF_RC ? c->nb - r0 : RFF_RC;
        lt_gemm_packed_part((int)m, c->X + r0 * c->d, c->d, c->P, S, c->D, NULL, 0, 0, 1);
        for (int64_t i = 0; i < m; i++)
            lt_kern()->cos_add(S + i * c->D, c->b, c->amp, lt_vecs_row(c->Z, c->i0 + r0 + i), c->D);
    }
}

/* Nystroem / kernel PCA rows of a block from S = X B^T (dot-product kernels): each row's
 * kernel values in f64 in a thread's row buffer, then (kpca) centred with the training
 * kernel's column means, the row's own mean and the grand mean, to f32 for the projection */
typedef struct {
    const kparams *p;
    const float *S, *X;
    const double *nb2, *mu;
    double all;
    int64_t R, d;
    int kpca;
    double *rowbuf;
    float *Kf;
} krow_ctx;
static void krow_rows(void *ud, int64_t b, int64_t e, int tid) {
    krow_ctx *c = ud;
    double *kd = c->rowbuf + (int64_t)tid * c->R;
    for (int64_t i = b; i < e; i++) {
        const float *x = c->X + i * c->d, *srow = c->S + i * c->R;
        double a2 = 0, rm = 0;
        for (int64_t t = 0; t < c->d; t++) a2 += (double)x[t] * x[t];
        for (int64_t j = 0; j < c->R; j++) {
            kd[j] = kfun(c->p, srow[j], a2, c->nb2[j]);
            rm += kd[j];
        }
        rm = c->kpca ? rm / (double)c->R : 0;
        float *o = c->Kf + i * c->R;
        if (c->kpca)
            for (int64_t j = 0; j < c->R; j++) o[j] = (float)(kd[j] - c->mu[j] - rm + c->all);
        else
            for (int64_t j = 0; j < c->R; j++) o[j] = (float)kd[j];
    }
}

/* raw: for kpca's nystroem solver, the Nystroem features themselves (used while fitting).
 * sink: each block of encoded rows goes to it and Z holds one block (reused), else Z holds
 * every row and goes to *out. */
static int kernel_encode(const lt_model *m, const lt_vecs *X, int n_threads, int raw,
        lt_rows_sink sink, void *ud, lt_vecs **out) {
    if (out) *out = NULL;
    const char *kind = lt_model_kind(m), *solver = lt_model_meta(m, "solver");
    const double *shift, *mult;
    int rc = lt__scale_get(m, X->d, &shift, &mult);
    if (rc) return rc;
    kparams p = { LT_KERNEL_RBF, meta_d(m, "gamma", 1), meta_d(m, "coef0", 1),
        (int)meta_d(m, "degree", 3), n_threads };
    const char *kn = lt_model_meta(m, "kernel");
    if (!kn || lt_kernel_from_name(kn, &p.k))
        return lt_err(LT_EFORMAT, "%s model: unknown kernel", kind);
    int64_t d = X->d, n = X->n, D = 0, R = 0, c = 0;
    const double *W = NULL, *b = NULL, *Bm = NULL, *Nm = NULL, *mu = NULL;
    int rff = !strcmp(kind, "rff"), kpca = !strcmp(kind, "kpca");
    int nyk = kpca && solver && !strcmp(solver, "nystroem-features");
    if (nyk) kpca = 0; /* the Nystroem map first, the projection after */
    if (rff) {
        W = lt_model_get(m, "W", &R, &D);
        b = lt_model_get(m, "b", NULL, &c);
        if (!W || !b || R != d || c != D)
            return lt_err(LT_EFORMAT, "rff model: arrays missing or inconsistent");
        if (p.k != LT_KERNEL_RBF && p.k != LT_KERNEL_LAPLACIAN)
            return lt_err(LT_EFORMAT, "rff model: kernel %s (rbf or laplacian expected)", kn);
    } else {
        Bm = lt_model_get(m, kpca ? "X" : "landmarks", &R, &c);
        Nm = lt_model_get(m, kpca ? "alphas" : "normalization", NULL, &D);
        mu = kpca ? lt_model_get(m, "K_col_means", NULL, NULL) : NULL;
        int64_t nr = 0;
        if (Nm) lt_model_get(m, kpca ? "alphas" : "normalization", &nr, NULL);
        if (!Bm || !Nm || c != d || nr != R || (kpca && !mu) || (!kpca && D != R))
            return lt_err(LT_EFORMAT, "%s model: arrays missing or inconsistent", kind);
    }
    /* rows per block: larger for rff (its threads take chunks of a block) */
    const int64_t RB = rff ? 8192 : BLOCK;
    lt_rows_sink sink0 = sink;
    if (nyk && !raw) sink = NULL; /* the projection below needs every row: handed over whole */
    /* streamed: two block stores in turn, so the sink may still use a block while the next is made */
    lt_vecs *Z = lt_vecs_new(sink ? (n < RB ? n : RB) : n, D),
            *Z2 = sink && n > RB ? lt_vecs_new(RB, D) : NULL;
    int nt = n_threads < 1 ? 1 : n_threads;
    float *Xb = lt_malloc((size_t)RB * d * 4), *Bf = lt_malloc((size_t)(rff ? d * D : R * d) * 4);
    float *S = lt_malloc((size_t)(rff ? nt * RFF_RC * D : BLOCK * R) * 4);
    float *Nf = rff ? NULL : lt_malloc((size_t)R * D * 4),
          *Kf = rff ? NULL : lt_malloc((size_t)BLOCK * R * 4);
    int dotk = !rff && p.k != LT_KERNEL_LAPLACIAN &&
            p.k != LT_KERNEL_CHI2; /* kernels of a dot product */
    double *K = rff || dotk ? NULL : lt_malloc((size_t)BLOCK * R * 8);
    if (!Z || (sink && n > RB && !Z2) || !Xb || !Bf || !S || (!rff && (!Nf || !Kf)) ||
            (!rff && !dotk && !K))
        rc = lt_err(LT_ENOMEM, "out of memory");
    for (int64_t i = 0; rc == LT_OK && i < (rff ? d * D : R * d); i++)
        Bf[i] = (float)(rff ? W[i] : Bm[i]);
    for (int64_t i = 0; rc == LT_OK && !rff && i < R * D; i++) Nf[i] = (float)Nm[i];
    float *bf = rff ? lt_malloc((size_t)D * 4) : NULL;
    if (rff && !bf) rc = lt_err(LT_ENOMEM, "out of memory");
    for (int64_t j = 0; rc == LT_OK && rff && j < D; j++) bf[j] = (float)b[j];
    lt_packed P = { 0, 0, NULL },
              PN = { 0, 0, NULL }; /* rff: W; the others: the basis rows, and N */
    double *nb2 = dotk ? lt_calloc((size_t)R, 8) : NULL,
           *rowbuf = dotk ? lt_malloc((size_t)nt * R * 8) : NULL;
    if (rc == LT_OK && dotk && (!nb2 || !rowbuf)) rc = lt_err(LT_ENOMEM, "out of memory");
    if (rc == LT_OK && rff && lt_pack_cols(&P, Bf, (int)d, (int)D, D))
        rc = lt_err(LT_ENOMEM, "out of memory");
    if (rc == LT_OK && dotk && lt_pack_rows(&P, Bf, (int)R, (int)d, d))
        rc = lt_err(LT_ENOMEM, "out of memory");
    /* the projection's right operand: kpca's alphas (R x D); Nystroem's N^T = N (symmetric) */
    if (rc == LT_OK && dotk && lt_pack_cols(&PN, Nf, (int)R, (int)D, D))
        rc = lt_err(LT_ENOMEM, "out of memory");
    for (int64_t j = 0; rc == LT_OK && dotk && j < R; j++)
        for (int64_t t = 0; t < d; t++) nb2[j] += (double)Bf[j * d + t] * Bf[j * d + t];
    /* the block products below are latent's own: OpenBLAS's polling pool would take a core
     * from them; its thread count is put back after the blocks */
    int saved_blas = lt_blas_begin(rff || dotk ? 1 : 0);
    double all = kpca ? meta_d(m, "K_mean", 0) : 0, amp = sqrt(2.0 / (double)(D ? D : 1));
    for (int64_t i0 = 0; rc == LT_OK && i0 < n; i0 += RB) {
        int64_t nb = n - i0 < RB ? n - i0 : RB;
        lt_vecs *Zc = sink && (i0 / RB) % 2 ? Z2 : Z;
        int64_t zr = sink ? 0 : i0; /* the block's first row in Zc */
        lt__scale_rows(X, i0, nb, shift, mult, NULL, Xb);
        if (rff) {
            rff_ctx cc = { Xb, bf, &P, S, Zc, zr, nb, d, D, (float)amp };
            lt_parallel_for(nt, (nb + RFF_RC - 1) / RFF_RC, rff_rows, &cc);
            if (sink) rc = lt__put_block(sink, ud, Zc, nb, i0);
            continue;
        }
        if (dotk) { /* S = X B^T on the packed kernel, then each row's kernel values */
            lt_gemm_packed((int)nb, Xb, d, &P, S, R, NULL, 0, nt);
            krow_ctx kc = { &p, S, Xb, nb2, mu, all, R, d, kpca, rowbuf, Kf };
            lt_parallel_for(nt, nb, krow_rows, &kc);
            lt_gemm_packed((int)nb, Kf, R, &PN, Zc->data + zr * Zc->ld, Zc->ld, NULL, 0, nt);
            if (sink) rc = lt__put_block(sink, ud, Zc, nb, i0);
            continue;
        }
        /* laplacian, chi2: k(x, basis) in blocks of the basis, then the projection */
        for (int64_t j0 = 0; j0 < R; j0 += BLOCK) {
            int64_t bj = R - j0 < BLOCK ? R - j0 : BLOCK;
            double *Kt = lt_malloc((size_t)nb * bj * 8);
            if (!Kt) {
                rc = lt_err(LT_ENOMEM, "out of memory");
                break;
            }
            kernel_block(&p, Xb, nb, Bf + j0 * d, bj, d, S, Kt);
            for (int64_t i = 0; i < nb; i++) memcpy(K + i * R + j0, Kt + i * bj, (size_t)bj * 8);
            lt_free(Kt);
        }
        if (rc) break;
        for (int64_t i = 0; i < nb; i++) {
            double rm = 0;
            if (kpca) {
                for (int64_t j = 0; j < R; j++) rm += K[i * R + j];
                rm /= (double)R;
            }
            for (int64_t j = 0; j < R; j++)
                Kf[i * R + j] = (float)(kpca ? K[i * R + j] - mu[j] - rm + all : K[i * R + j]);
        }
        /* nystroem: K N^T (N is symmetric); kpca: Kc alphas */
        lt_sgemm(0, (kpca ? 0 : 1), (int)nb, (int)D, (int)R, 1.0f, Kf, (int)R, Nf, (int)D, 0.0f,
                Zc->data + zr * Zc->ld, (int)Zc->ld);
        if (sink) rc = lt__put_block(sink, ud, Zc, nb, i0);
    }
    lt_blas_end(saved_blas);
    if (sink) {
        int re = sink(ud, NULL, n);
        if (rc == LT_OK) rc = re;
    } /* the end: the sink lets go of the blocks */
    lt_vecs_free(Z2);
    lt_free(Xb);
    lt_free(Bf);
    lt_free(S);
    lt_free(Nf);
    lt_free(Kf);
    lt_free(K);
    lt_free(bf);
    lt_packed_free(&P);
    lt_packed_free(&PN);
    lt_free(nb2);
    lt_free(rowbuf);
    if (rc == LT_OK && nyk && !raw) { /* (f(x) - mean f) V */
        int64_t r1 = 0, c1 = 0, r2 = 0, k = 0;
        const double *fm = lt_model_get(m, "feature_mean", &r1, &c1),
                     *V = lt_model_get(m, "components", &r2, &k);
        lt_vecs *P = NULL;
        float *Vf = NULL;
        if (!fm || !V || r1 != 1 || c1 != D || r2 != D || k < 1)
            rc = lt_err(LT_EFORMAT, "kpca model: arrays missing or inconsistent");
        else if (!(P = lt_vecs_new(n, k)) || !(Vf = lt_malloc((size_t)D * k * 4)))
            rc = lt_err(LT_ENOMEM, "out of memory");
        for (int64_t i = 0; rc == LT_OK && i < D * k; i++) Vf[i] = (float)V[i];
        for (int64_t i = 0; rc == LT_OK && i < n; i++)
            for (int64_t j = 0; j < D; j++) lt_vecs_row(Z, i)[j] -= (float)fm[j];
        if (rc == LT_OK && n > 0)
            lt_sgemm(0, 0, (int)n, (int)k, (int)D, 1.0f, Z->data, (int)Z->ld, Vf, (int)k, 0.0f,
                    P->data, (int)P->ld);
        lt_free(Vf);
        lt_vecs_free(Z);
        Z = P;
        if (rc) {
            lt_vecs_free(P);
            Z = NULL;
        }
    }
    if (rc || sink || !out) { /* streamed; or whole but for a sink */
        if (rc == LT_OK && !sink) {
            rc = lt__put_block(sink0, ud, Z, n, 0);
            int re = sink0(ud, NULL, n);
            if (rc == LT_OK) rc = re;
        }
        lt_vecs_free(Z);
        return rc;
    }
    for (int64_t i = 0; X->labels && i < n; i++)
        if (lt_vecs_set_label(Z, i, X->labels[i])) {
            lt_vecs_free(Z);
            return lt_err(LT_ENOMEM, "out of memory");
        }
    *out = Z;
    return LT_OK;
}

int lt__kernel_encode(const lt_model *m, const lt_vecs *X, int n_threads, lt_vecs **out) {
    return kernel_encode(m, X, n_threads, 0, NULL, NULL, out);
}
int lt__kernel_encode_rows(
        const lt_model *m, const lt_vecs *X, int n_threads, lt_rows_sink sink, void *ud) {
    return kernel_encode(m, X, n_threads, 0, sink, ud, NULL);
}

int lt_rff_fit(const lt_vecs *X, const lt_kernel_opts *o, lt_model **out) {
    int saved = lt_blas_begin(o ? o->n_threads : 1); /* BLAS threads: the call's own */
    int rc = rff_fit_call(X, o, out);
    lt_blas_end(saved);
    return rc;
}

int lt_nystroem_fit(const lt_vecs *X, const lt_kernel_opts *o, lt_model **out) {
    int saved = lt_blas_begin(o ? o->n_threads : 1); /* BLAS threads: the call's own */
    int rc = nystroem_fit_call(X, o, out);
    lt_blas_end(saved);
    return rc;
}

int lt_kpca_fit(const lt_vecs *X, const lt_kernel_opts *o, lt_model **out) {
    int saved = lt_blas_begin(o ? o->n_threads : 1); /* BLAS threads: the call's own */
    int rc = kpca_fit_call(X, o, out);
    lt_blas_end(saved);
    return rc;
}
