/* PCA (see dense.h): a first pass over f32 row blocks for the scaler, the mean and the total
 * variance; then either the covariance (each block's X^T X by ssyrk summed into f64) and its
 * `dim` largest eigenpairs by LAPACK's dsyevr (lt_dsyevr), or the randomized subspace iteration, whose
 * covariance products X^T (X P) are made block by block. Transform and inverse are sgemm over
 * row blocks. */
#include "latent/kern.h"
#include "dense_impl.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

enum { BLOCK = 2048 };

void lt_pca_opts_init(lt_pca_opts *o) {
    memset(o, 0, sizeof *o); /* every field, the ones added later included */
    o->dim = 50;
    o->whiten = 0;
    o->scale = LT_SCALE_NONE;
    o->n_threads = 1;
    o->solver = LT_PCA_AUTO;
    o->oversample = 10;
    o->power_iters = -1;
    o->seed = 1;
}

int lt_pca_solver_from_name(const char *s, lt_pca_solver *out) {
    static const char *names[] = { "auto", "covariance", "randomized" };
    for (int i = 0; i < 3; i++)
        if (!strcmp(s, names[i])) {
            *out = (lt_pca_solver)i;
            return LT_OK;
        }
    return lt_err(LT_EINVAL, "unknown PCA solver '%s' (auto, covariance, randomized)", s);
}

static int meta_num(lt_model *m, const char *k, double v) {
    char b[64];
    snprintf(b, sizeof b, "%.10g", v);
    return lt_model_meta_set(m, k, b);
}

static int pca_fit_call(const lt_vecs *X, const lt_pca_opts *o, lt_model **out) {
    lt__rows r;
    lt__rows_vecs(&r, X);
    return lt__pca_fit_rows(&r, o, out);
}

static int pca_fit_file_call(const char *path, const lt_pca_opts *o, lt_model **out) {
    lt__rows r;
    *out = NULL;
    int rc = lt__rows_open(&r, path);
    if (rc == LT_OK) rc = lt__pca_fit_rows(&r, o, out);
    lt__rows_close(&r);
    return rc;
}

/* The next block of rows, scaled and centred. */
static int next_centred(lt__rows *src, float *B, const double *shift, const double *mult,
        const double *mean, int64_t *got) {
    int rc = lt__rows_next(src, B, BLOCK, got);
    int64_t d = src->d;
    for (int64_t i = 0; rc == LT_OK && i < *got; i++)
        for (int64_t j = 0; j < d; j++)
            B[i * d + j] = (float)((B[i * d + j] - shift[j]) * mult[j] - mean[j]);
    return rc;
}

/* The covariance's top k eigenpairs: Z (d x k) and w by decreasing eigenvalue. */
static int cov_eig(lt__rows *src, int64_t k, const double *shift, const double *mult,
        const double *mean, float *B, float *Cf, double *C, double *Z, double *w, int *isuppz) {
    int64_t n = src->n, d = src->d, got = 0;
    int rc = lt__rows_rewind(src);
    while (rc == LT_OK && (rc = next_centred(src, B, shift, mult, mean, &got)) == LT_OK &&
            got > 0) {
        lt_ssyrk(1, 1, (int)d, (int)got, 1.0f, B, (int)d, 0.0f, Cf, (int)d);
        for (int64_t a = 0; a < d; a++)
            for (int64_t b = a; b < d; b++) C[a * d + b] += Cf[a * d + b];
    }
    if (rc) return rc;
    for (int64_t a = 0; a < d; a++)
        for (int64_t b = a; b < d; b++) C[a * d + b] /= (double)(n - 1);
    int found = 0;
    double *Zt = lt_malloc((size_t)d * k * 8);
    if (!Zt) return lt_err(LT_ENOMEM, "out of memory");
    int info = lt_dsyevr(d, C, d, (d - k + 1), d, &found, w, Zt, k, isuppz);
    if (info != 0 || found != k)
        rc = lt_err(LT_EINVAL, "PCA: the eigensolver failed (LAPACK dsyevr info %d)", (int)info);
    for (int64_t c = 0; rc == LT_OK && c < k / 2; c++) { /* dsyevr returns ascending eigenvalues */
        double t = w[c];
        w[c] = w[k - 1 - c];
        w[k - 1 - c] = t;
    }
    for (int64_t j = 0; rc == LT_OK && j < d; j++)
        for (int64_t c = 0; c < k; c++) Z[j * k + c] = Zt[j * k + k - 1 - c];
    lt_free(Zt);
    return rc;
}

static int power_iters(const lt_pca_opts *o, int64_t n, int64_t d) {
    if (o->power_iters >= 0) return o->power_iters;
    return (double)o->dim < 0.1 * (double)(n < d ? n : d) ? 7 : 4;
}

/* G = C P / (n - 1) for the covariance C of the centred rows, by blocks: G += B^T (B P). */
static int cov_apply(lt__rows *src, const double *shift, const double *mult, const double *mean,
        float *B, const double *P, int64_t l, double *G, float *Pf, float *Y, float *Gf) {
    int64_t n = src->n, d = src->d, got = 0;
    for (int64_t i = 0; i < d * l; i++) {
        Pf[i] = (float)P[i];
        G[i] = 0;
    }
    int rc = lt__rows_rewind(src);
    while (rc == LT_OK && (rc = next_centred(src, B, shift, mult, mean, &got)) == LT_OK &&
            got > 0) {
        lt_sgemm(0, 0, (int)got, (int)l, (int)d, 1.0f, B, (int)d, Pf, (int)l, 0.0f, Y, (int)l);
        lt_sgemm(1, 0, (int)d, (int)l, (int)got, 1.0f, B, (int)d, Y, (int)l, 0.0f, Gf, (int)l);
        for (int64_t i = 0; i < d * l; i++) G[i] += Gf[i];
    }
    for (int64_t i = 0; rc == LT_OK && i < d * l; i++) G[i] /= (double)(n - 1);
    return rc;
}

/* Orthonormal columns for the d x l matrix A (row-major), in place (Householder QR). */
static int orthonormalise(double *A, int64_t d, int64_t l) {
    double *tau = lt_malloc((size_t)l * 8);
    if (!tau) return lt_err(LT_ENOMEM, "out of memory");
    int info = lt_dqr_q((int)d, (int)l, A, l, tau);
    lt_free(tau);
    return info ? lt_err(LT_EINVAL, "PCA: QR failed (LAPACK info %d)", (int)info) : LT_OK;
}

/* Randomized subspace iteration on the covariance operator, then Rayleigh-Ritz on the final
 * basis P: T = P^T C P (l x l), its top k eigenpairs (V, w), components Z = P V. */
static int rand_eig(lt__rows *src, const lt_pca_opts *o, const double *shift, const double *mult,
        const double *mean, float *B, double *Z, double *w) {
    int64_t d = src->d, k = o->dim, l = k + o->oversample;
    double *P = lt_malloc((size_t)d * l * 8), *G = lt_malloc((size_t)d * l * 8),
           *T = lt_malloc((size_t)l * l * 8), *V = lt_malloc((size_t)l * l * 8);
    double *wl = lt_malloc((size_t)l * 8);
    float *Pf = lt_malloc((size_t)d * l * 4), *Y = lt_malloc((size_t)BLOCK * l * 4),
          *Gf = lt_malloc((size_t)d * l * 4);
    int *isuppz = lt_malloc((size_t)2 * l * sizeof(int));
    int rc = P && G && T && V && wl && Pf && Y && Gf && isuppz
            ? LT_OK
            : lt_err(LT_ENOMEM, "out of memory for the randomized PCA");
    lt_rng r;
    lt_rng_seed(&r, o->seed, 0);
    for (int64_t i = 0; rc == LT_OK && i < d * l; i++) P[i] = lt_rng_normal(&r);
    if (rc == LT_OK) rc = orthonormalise(P, d, l);
    for (int it = 0, q = power_iters(o, src->n, d); rc == LT_OK && it <= q; it++) {
        rc = cov_apply(src, shift, mult, mean, B, P, l, G, Pf, Y, Gf);
        if (rc == LT_OK && it < q) {
            memcpy(P, G, (size_t)d * l * 8);
            rc = orthonormalise(P, d, l);
        }
    }
    /* the last product G = C P gives T = P^T G without another pass */
    if (rc == LT_OK) {
        lt_dgemm(1, 0, (int)l, (int)l, (int)d, 1.0, P, (int)l, G, (int)l, 0.0, T, (int)l);
        int found = 0;
        int info = lt_dsyevr(l, T, l, (l - k + 1), l, &found, wl, V, k, isuppz);
        if (info != 0 || found != k)
            rc = lt_err(
                    LT_EINVAL, "PCA: the eigensolver failed (LAPACK dsyevr info %d)", (int)info);
    }
    if (rc == LT_OK) {
        for (int64_t c = 0; c < k; c++) w[c] = wl[k - 1 - c];
        for (int64_t j = 0; j < d; j++)
            for (int64_t c = 0; c < k; c++) {
                double s = 0;
                for (int64_t t = 0; t < l; t++) s += P[j * l + t] * V[t * k + k - 1 - c];
                Z[j * k + c] = s;
            }
    }
    lt_free(P);
    lt_free(G);
    lt_free(T);
    lt_free(V);
    lt_free(wl);
    lt_free(Pf);
    lt_free(Y);
    lt_free(Gf);
    lt_free(isuppz);
    return rc;
}

/* Two passes over the rows: the scaler's statistics and the mean (sums about the first row,
 * so large offsets do not cancel), then the covariance of the scaled, centred rows. */
int lt__pca_fit_rows(lt__rows *src, const lt_pca_opts *o, lt_model **out) {
    *out = NULL;
    int64_t n = src->n, d = src->d, k = o->dim;
    if (n < 2) return lt_err(LT_EINVAL, "PCA needs at least 2 rows (got %lld)", (long long)n);
    if (k < 1 || k > d || k > n)
        return lt_err(LT_EINVAL, "PCA: --dim must be 1..min(rows, columns) = %lld",
                (long long)(d < n ? d : n));
    int cov = o->solver == LT_PCA_COVARIANCE || (o->solver == LT_PCA_AUTO && d <= 4096);
    if (cov && d > 46340)
        return lt_err(LT_EINVAL,
                "PCA: %lld columns: the covariance solver holds d x d doubles; at most 46340 (use the randomized solver)",
                (long long)d);
    if (!cov && (o->oversample < 0 || k + o->oversample > d))
        return lt_err(
                LT_EINVAL, "PCA: dim + oversample must be at most the %lld columns", (long long)d);
    lt_model *m = lt_model_new("pca");
    if (!m) return lt_err(LT_ENOMEM, "out of memory");
    double *x0 = lt_calloc((size_t)d, 8), *s1 = lt_calloc((size_t)d, 8),
           *s2 = lt_calloc((size_t)d, 8), *mn = lt_malloc((size_t)d * 8),
           *mx = lt_malloc((size_t)d * 8);
    double *mean = lt_calloc((size_t)d, 8), *C = cov ? lt_calloc((size_t)d * d, 8) : lt_malloc(8),
           *w = lt_malloc((size_t)d * 8);
    double *Z = lt_malloc((size_t)d * k * 8), *comp = lt_malloc((size_t)k * d * 8),
           *ev = lt_malloc((size_t)k * 8), *ratio = lt_malloc((size_t)k * 8);
    float *B = lt_malloc((size_t)BLOCK * d * 4), *Cf = lt_malloc(cov ? (size_t)d * d * 4 : 8);
    int *isuppz = lt_malloc((size_t)2 * d * sizeof(int));
    int rc = x0 && s1 && s2 && mn && mx && mean && C && w && Z && comp && ev && ratio && B && Cf &&
                    isuppz
            ? LT_OK
            : lt_err(LT_ENOMEM, "out of memory for PCA (d = %lld)", (long long)d);
    int64_t got = 0, seen = 0;
    /* pass 1 */
    if (rc == LT_OK) rc = lt__rows_rewind(src);
    while (rc == LT_OK && (rc = lt__rows_next(src, B, BLOCK, &got)) == LT_OK && got > 0) {
        if (seen == 0)
            for (int64_t j = 0; j < d; j++) {
                x0[j] = B[j];
                mn[j] = INFINITY;
                mx[j] = -INFINITY;
            }
        for (int64_t i = 0; i < got; i++)
            for (int64_t j = 0; j < d; j++) {
                double x = B[i * d + j], t = x - x0[j];
                s1[j] += t;
                s2[j] += t * t;
                if (x < mn[j]) mn[j] = x;
                if (x > mx[j]) mx[j] = x;
            }
        seen += got;
    }
    if (rc == LT_OK && seen != n)
        rc = lt_err(LT_EFORMAT, "%s: %lld rows read, %lld announced",
                src->path ? src->path : "input", (long long)seen, (long long)n);
    for (int64_t j = 0; rc == LT_OK && j < d; j++) { /* s1, s2 become the mean and the variance */
        double m1 = s1[j] / (double)n;
        s2[j] = fmax(s2[j] / (double)n - m1 * m1, 0);
        s1[j] = x0[j] + m1;
    }
    const double *shift = NULL, *mult = NULL;
    if (rc == LT_OK) rc = lt__scale_store(m, o->scale, d, s1, s2, mn, mx);
    if (rc == LT_OK) rc = lt__scale_get(m, d, &shift, &mult);
    for (int64_t j = 0; rc == LT_OK && j < d; j++) mean[j] = (s1[j] - shift[j]) * mult[j];
    double total = 0;
    for (int64_t j = 0; rc == LT_OK && j < d; j++)
        total += s2[j] * mult[j] * mult[j] * (double)n / (double)(n - 1);
    int randomized = o->solver == LT_PCA_RANDOMIZED || (o->solver == LT_PCA_AUTO && d > 4096);
    if (rc == LT_OK)
        rc = randomized ? rand_eig(src, o, shift, mult, mean, B, Z, w)
                        : cov_eig(src, k, shift, mult, mean, B, Cf, C, Z, w, isuppz);
    if (rc == LT_OK) {
        double kept = 0;
        for (int64_t c = 0; c < k; c++) { /* Z: d x k, columns by decreasing eigenvalue w */
            double big = 0;
            for (int64_t j = 0; j < d; j++)
                if (fabs(Z[j * k + c]) > fabs(big)) big = Z[j * k + c];
            double sg = big < 0 ? -1 : 1;
            for (int64_t j = 0; j < d; j++) comp[c * d + j] = sg * Z[j * k + c];
            ev[c] = w[c] > 0 ? w[c] : 0;
            ratio[c] = total > 0 ? ev[c] / total : 0;
            kept += ev[c];
        }
        if (rc == LT_OK) rc = lt_model_put(m, "mean", 1, d, mean);
        if (rc == LT_OK) rc = lt_model_put(m, "components", k, d, comp);
        if (rc == LT_OK) rc = lt_model_put(m, "explained_variance", 1, k, ev);
        if (rc == LT_OK) rc = lt_model_put(m, "explained_variance_ratio", 1, k, ratio);
        int64_t rk = n - 1 < d ? n - 1 : d; /* the rank available to the remaining components */
        if (rc == LT_OK) rc = meta_num(m, "dim", (double)k);
        if (rc == LT_OK) rc = meta_num(m, "input_dim", (double)d);
        if (rc == LT_OK) rc = lt_model_meta_set(m, "whiten", o->whiten ? "1" : "0");
        if (rc == LT_OK)
            rc = lt_model_meta_set(m, "solver", randomized ? "randomized" : "covariance-eigh");
        if (rc == LT_OK && randomized) rc = meta_num(m, "oversample", o->oversample);
        if (rc == LT_OK && randomized)
            rc = meta_num(m, "power_iters", (double)power_iters(o, n, d));
        char sb[32];
        snprintf(sb, sizeof sb, "%llu", (unsigned long long)o->seed);
        if (rc == LT_OK && randomized) rc = lt_model_meta_set(m, "seed", sb);
        if (rc == LT_OK) rc = meta_num(m, "n_samples", (double)n);
        if (rc == LT_OK) rc = meta_num(m, "total_variance", total);
        if (rc == LT_OK)
            rc = meta_num(m, "explained_variance_ratio_sum", total > 0 ? kept / total : 0);
        if (rc == LT_OK)
            rc = meta_num(
                    m, "noise_variance", rk > k ? fmax(total - kept, 0) / (double)(rk - k) : 0);
        /* mean squared distance of a training row to its reconstruction: the dropped variance */
        if (rc == LT_OK)
            rc = meta_num(m, "train_reconstruction_error",
                    fmax(total - kept, 0) * (double)(n - 1) / (double)n);
    }
    lt_free(x0);
    lt_free(s1);
    lt_free(s2);
    lt_free(mn);
    lt_free(mx);
    lt_free(mean);
    lt_free(C);
    lt_free(w);
    lt_free(Z);
    lt_free(comp);
    lt_free(ev);
    lt_free(ratio);
    lt_free(B);
    lt_free(Cf);
    lt_free(isuppz);
    if (rc) {
        lt_model_free(m);
        return rc;
    }
    *out = m;
    return LT_OK;
}

typedef struct {
    const double *comp, *ev, *mean;
    int64_t k;
    int whiten;
} pca_parts;
static int pca_get(const lt_model *m, int64_t d, pca_parts *p) {
    int64_t r, c, r2, c2, r3, c3;
    p->comp = lt_model_get(m, "components", &r, &c);
    p->ev = lt_model_get(m, "explained_variance", &r2, &c2);
    p->mean = lt_model_get(m, "mean", &r3, &c3);
    if (!p->comp || !p->ev || !p->mean || r2 != 1 || c2 != r || r3 != 1 || c3 != c || r < 1)
        return lt_err(LT_EFORMAT, "pca model: arrays missing or inconsistent");
    if (d >= 0 && c != d)
        return lt_err(LT_EINVAL, "the input has %lld columns, the pca model was fitted on %lld",
                (long long)d, (long long)c);
    const char *wh = lt_model_meta(m, "whiten");
    p->k = r;
    p->whiten = wh && !strcmp(wh, "1");
    return LT_OK;
}

static lt_vecs *new_like(const lt_vecs *X, int64_t d) {
    lt_vecs *v = lt_vecs_new(X->n, d);
    for (int64_t i = 0; v && X->labels && i < X->n; i++)
        if (lt_vecs_set_label(v, i, X->labels[i])) {
            lt_vecs_free(v);
            return NULL;
        }
    return v;
}

int lt__pca_encode(const lt_model *m, const lt_vecs *X, int n_threads, lt_vecs **out) {
    (void)n_threads; /* OpenBLAS's threads do the products */
    *out = NULL;
    const double *shift, *mult;
    pca_parts p;
    int rc = lt__scale_get(m, X->d, &shift, &mult);
    if (rc == LT_OK) rc = pca_get(m, X->d, &p);
    if (rc) return rc;
    int64_t d = X->d, k = p.k;
    float *W = lt_malloc((size_t)k * d * 4), *B = lt_malloc((size_t)BLOCK * d * 4);
    lt_vecs *Z = new_like(X, k);
    if (!W || !B || !Z) rc = lt_err(LT_ENOMEM, "out of memory");
    for (int64_t c = 0; rc == LT_OK && c < k; c++) {
        double s = p.whiten && p.ev[c] > 0 ? 1 / sqrt(p.ev[c]) : 1;
        for (int64_t j = 0; j < d; j++) W[c * d + j] = (float)(p.comp[c * d + j] * s);
    }
    for (int64_t i0 = 0; rc == LT_OK && i0 < X->n; i0 += BLOCK) {
        int64_t nb = X->n - i0 < BLOCK ? X->n - i0 : BLOCK;
        lt__scale_rows(X, i0, nb, shift, mult, p.mean, B);
        lt_sgemm(0, 1, (int)nb, (int)k, (int)d, 1.0f, B, (int)d, W, (int)d, 0.0f,
                Z->data + i0 * Z->ld, (int)Z->ld);
    }
    lt_free(W);
    lt_free(B);
    if (rc) {
        lt_vecs_free(Z);
        return rc;
    }
    *out = Z;
    return LT_OK;
}

/* unscale: the scaler undone (lt_pca_inverse), or left on (the model's scaled space) */
static int pca_inverse(const lt_model *m, const lt_vecs *Z, int unscale, lt_vecs **out) {
    *out = NULL;
    if (strcmp(lt_model_kind(m), "pca"))
        return lt_err(
                LT_EINVAL, "inverse transform: a pca model expected, not '%s'", lt_model_kind(m));
    pca_parts p;
    int rc = pca_get(m, -1, &p);
    int64_t d = 0;
    if (rc == LT_OK) { lt_model_get(m, "components", NULL, &d); }
    const double *shift, *mult;
    if (rc == LT_OK) rc = lt__scale_get(m, d, &shift, &mult);
    if (rc) return rc;
    if (Z->d != p.k)
        return lt_err(LT_EINVAL,
                "inverse transform: the input has %lld columns, the model %lld components",
                (long long)Z->d, (long long)p.k);
    lt_vecs *X = new_like(Z, d);
    if (!X) return lt_err(LT_ENOMEM, "out of memory");
    for (int64_t i = 0; i < Z->n; i++) {
        const float *z = lt_vecs_row(Z, i);
        float *x = lt_vecs_row(X, i);
        for (int64_t j = 0; j < d; j++) {
            double s = p.mean[j];
            for (int64_t c = 0; c < p.k; c++)
                s += z[c] * (p.whiten ? sqrt(p.ev[c]) : 1) * p.comp[c * d + j];
            x[j] = (float)(unscale ? s / mult[j] + shift[j] : s);
        }
    }
    *out = X;
    return LT_OK;
}

int lt_pca_inverse(const lt_model *m, const lt_vecs *Z, lt_vecs **out) {
    return pca_inverse(m, Z, 1, out);
}
int lt__pca_inverse_scaled(const lt_model *m, const lt_vecs *Z, lt_vecs **out) {
    return pca_inverse(m, Z, 0, out);
}

int lt_pca_fit(const lt_vecs *X, const lt_pca_opts *o, lt_model **out) {
    int saved = lt_blas_begin(o ? o->n_threads : 1); /* BLAS threads: the call's own */
    int rc = pca_fit_call(X, o, out);
    lt_blas_end(saved);
    return rc;
}

int lt_pca_fit_file(const char *path, const lt_pca_opts *o, lt_model **out) {
    int saved = lt_blas_begin(o ? o->n_threads : 1); /* BLAS threads: the call's own */
    int rc = pca_fit_file_call(path, o, out);
    lt_blas_end(saved);
    return rc;
}
