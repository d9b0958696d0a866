/* 2-D maps (see lt_map in eval.h): PCA, and exact t-SNE (van der Maaten and Hinton 2008) with
 * scikit-learn's optimiser: perplexity-calibrated affinities by bisection, symmetrised; PCA
 * initialisation scaled to sd 1e-4; 250 iterations of early exaggeration 12 at momentum 0.5,
 * then momentum 0.8; delta-bar-delta gains (+0.2 / x0.8, at least 0.01); learning rate
 * max(n / 12 / 4, 50). O(n^2) memory and time per iteration: for up to a few thousand rows. */
#include "map_impl.h"
#include "latent/kern.h"
#include <math.h>
#include <string.h>

void lt_map_opts_init(lt_map_opts *o) {
    memset(o, 0, sizeof *o);
    o->method = LT_MAP_TSNE;
    o->perplexity = 30;
    o->iters = 1000;
    o->exact = -1;
    o->theta = 0.5;
    o->n_threads = 1;
    o->n_neighbors = 15;
    o->min_dist = 0.1;
    o->seed = 1;
}
static int tsne_exact(const lt_vecs *X, const lt_map_opts *o, double *Yd, lt_map_result *res);

/* the two leading principal components of the rows (double), into Y (n x 2) */
static int pca2(const lt_vecs *X, double *Y) {
    int64_t n = X->n, d = X->d;
    double *mean = lt_calloc((size_t)d, 8), *C = lt_calloc((size_t)d * (size_t)d, 8),
           *w = lt_malloc((size_t)d * 8);
    if (!mean || !C || !w) {
        lt_free(mean);
        lt_free(C);
        lt_free(w);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < d; j++) mean[j] += lt_vecs_row(X, i)[j] / (double)n;
    for (int64_t i = 0; i < n; i++) {
        const float *x = lt_vecs_row(X, i);
        for (int64_t a = 0; a < d; a++)
            for (int64_t b = a; b < d; b++) C[a * d + b] += (x[a] - mean[a]) * (x[b] - mean[b]);
    }
    int rc = lt_dsyev(d, C, d, w) ? lt_err(LT_EINVAL, "map: eigensolver failed") : LT_OK;
    for (int c = 0; rc == LT_OK && c < 2; c++) {
        int64_t col = d - 1 - c; /* eigenvalues ascending */
        int64_t big =
                0; /* sign: the largest-magnitude loading positive, as scikit-learn's svd_flip */
        for (int64_t a = 0; a < d; a++)
            if (fabs(C[a * d + col]) > fabs(C[big * d + col])) big = a;
        double sg = C[big * d + col] < 0 ? -1 : 1;
        for (int64_t i = 0; i < n; i++) {
            const float *x = lt_vecs_row(X, i);
            double s = 0;
            for (int64_t a = 0; a < d; a++) s += (x[a] - mean[a]) * C[a * d + col];
            Y[i * 2 + c] = sg * s;
        }
    }
    lt_free(mean);
    lt_free(C);
    lt_free(w);
    return rc;
}

void lt__tsne_calibrate(const double *d2, int64_t n, int64_t i, double perp, double *p) {
    double lo = -INFINITY, hi = INFINITY, beta = 1, target = log(perp);
    for (int it = 0; it < 100; it++) {
        double s = 0, h = 0;
        for (int64_t j = 0; j < n; j++) {
            p[j] = j == i ? 0 : exp(-d2[j] * beta);
            s += p[j];
        }
        if (s == 0) s = 1e-8;
        for (int64_t j = 0; j < n; j++) {
            p[j] /= s;
            if (p[j] > 0) h -= p[j] * log(p[j]);
        }
        if (fabs(h - target) <= 1e-5) break;
        if (h > target) {
            lo = beta;
            beta = isinf(hi) ? beta * 2 : (beta + hi) / 2;
        } else {
            hi = beta;
            beta = isinf(lo) ? beta / 2 : (beta + lo) / 2;
        }
    }
}

double lt__tsne_rate(int64_t n) {
    return (double)n / LT__TSNE_EXAGGERATION / 4.0 > 50 ? (double)n / LT__TSNE_EXAGGERATION / 4.0
                                                        : 50;
}

void lt__tsne_step(
        double *Y, const double *G, double *U, double *gain, int64_t n2, double mom, double lr) {
    for (int64_t t = 0; t < n2; t++) {
        gain[t] = U[t] * G[t] < 0 ? gain[t] + 0.2 : gain[t] * 0.8;
        if (gain[t] < 0.01) gain[t] = 0.01;
        U[t] = mom * U[t] - lr * gain[t] * G[t];
        Y[t] += U[t];
    }
}

int lt_map(const lt_vecs *X, const lt_map_opts *o, float *Y, lt_map_result *res) {
    int64_t n = X->n;
    if (res) memset(res, 0, sizeof *res);
    if (n < 3) return lt_err(LT_EINVAL, "a map needs at least 3 rows (%lld given)", (long long)n);
    int exact =
            o->method == LT_MAP_TSNE && (o->exact > 0 || (o->exact < 0 && n <= LT_MAP_EXACT_AUTO));
    if (o->method == LT_MAP_TSNE) {
        if (exact && n > 20000)
            return lt_err(LT_EINVAL,
                    "exact t-SNE on %lld rows: at most 20000 (O(n^2) memory); Barnes-Hut maps any number",
                    (long long)n);
        if (!(o->perplexity > 0) || 3 * o->perplexity >= n)
            return lt_err(LT_EINVAL, "perplexity %g: positive and below a third of the %lld rows",
                    o->perplexity, (long long)n);
        if (!exact && !(o->theta > 0 && o->theta <= 1))
            return lt_err(LT_EINVAL, "Barnes-Hut angle %g: in (0, 1]", o->theta);
    }
    if (o->method == LT_MAP_UMAP &&
            (o->n_neighbors < 2 || o->n_neighbors >= n || !(o->min_dist >= 0)))
        return lt_err(LT_EINVAL,
                "UMAP: %d neighbours for %lld rows (2 to n - 1), min_dist %g (>= 0)",
                o->n_neighbors, (long long)n, o->min_dist);
    int64_t same =
            1; /* identical rows have no map (t-SNE's scaling of the first coordinate then blew up) */
    for (int64_t i = 1; i < n && same == i; i++)
        same += !memcmp(lt_vecs_row(X, i), lt_vecs_row(X, 0), (size_t)X->d * 4);
    if (same == n)
        return lt_err(LT_EINVAL,
                "all %lld rows are identical: there is nothing to map (check the input, or drop duplicate rows)",
                (long long)n);
    double *Yd = lt_malloc((size_t)n * 2 * 8);
    if (!Yd) return lt_err(LT_ENOMEM, "out of memory");
    int rc = pca2(X, Yd);
    if (rc == LT_OK &&
            o->method ==
                    LT_MAP_TSNE) { /* PCA initialisation, the first coordinate's sd scaled to 1e-4 */
        double m0 = 0, v0 = 0;
        for (int64_t i = 0; i < n; i++) m0 += Yd[2 * i] / (double)n;
        for (int64_t i = 0; i < n; i++) v0 += (Yd[2 * i] - m0) * (Yd[2 * i] - m0) / (double)n;
        double sc = v0 > 0 ? 1e-4 / sqrt(v0) : 1;
        for (int64_t i = 0; i < 2 * n; i++) Yd[i] *= sc;
    }
    if (rc == LT_OK && o->method == LT_MAP_TSNE)
        rc = exact ? tsne_exact(X, o, Yd, res) : lt__tsne_bh(X, o, Yd, res);
    if (rc == LT_OK && o->method == LT_MAP_UMAP) rc = lt__umap(X, o, Yd, res);
    if (res) res->exact = exact;
    for (int64_t i = 0; rc == LT_OK && i < 2 * n; i++) Y[i] = (float)Yd[i];
    lt_free(Yd);
    return rc;
}

/* exact t-SNE from the initial map in Yd */
static int tsne_exact(const lt_vecs *X, const lt_map_opts *o, double *Yd, lt_map_result *res) {
    int64_t n = X->n, d = X->d;
    int rc = LT_OK;
    size_t nn = (size_t)n * (size_t)n;
    double *P = lt_malloc(nn * 8), *W = lt_malloc(nn * 8), *G = lt_calloc((size_t)n * 2, 8),
           *U = lt_calloc((size_t)n * 2, 8), *gain = lt_malloc((size_t)n * 2 * 8);
    double *sq = lt_malloc((size_t)n * 8), *A = lt_malloc((size_t)n * (size_t)d * 8 + 8);
    if (!P || !W || !G || !U || !gain || !sq || !A)
        rc = lt_err(
                LT_ENOMEM, "out of memory for %lld x %lld affinities", (long long)n, (long long)n);
    if (rc == LT_OK) {
        /* squared distances (one double GEMM), then each row calibrated */
        for (int64_t i = 0; i < n; i++) {
            const float *x = lt_vecs_row(X, i);
            double s = 0;
            for (int64_t t = 0; t < d; t++) {
                A[i * d + t] = x[t];
                s += (double)x[t] * x[t];
            }
            sq[i] = s;
        }
        lt_dgemm(0, 1, (int)n, (int)n, (int)d, -2.0, A, d, A, d, 0.0, W, n);
        for (int64_t i = 0; i < n; i++)
            for (int64_t j = 0; j < n; j++) {
                double v = W[i * n + j] + sq[i] + sq[j];
                W[i * n + j] = i == j || v < 0 ? 0 : v;
            }
        for (int64_t i = 0; i < n; i++)
            lt__tsne_calibrate(W + i * n, n, i, o->perplexity, P + i * n);
        double tot = 0;
        for (int64_t i = 0; i < n; i++)
            for (int64_t j = i + 1; j < n; j++) {
                double v = P[i * n + j] + P[j * n + i];
                P[i * n + j] = P[j * n + i] = v;
                tot += 2 * v;
            }
        for (size_t t = 0; t < nn; t++) P[t] = P[t] / (tot > 0 ? tot : 1);
        for (int64_t i = 0; i < n; i++) P[i * n + i] = 0;
        for (size_t t = 0; t < nn; t++)
            if (P[t] < 2.220446049250313e-16 && t % (size_t)(n + 1)) P[t] = 2.220446049250313e-16;
        for (int64_t i = 0; i < 2 * n; i++) gain[i] = 1;
        double lr = lt__tsne_rate(n), kl = 0;
        int iters = o->iters;
        for (int it = 0; it < iters; it++) {
            int early = it < LT__TSNE_EARLY;
            double ex = early ? LT__TSNE_EXAGGERATION : 1.0, mom = early ? 0.5 : 0.8, z = 0;
            for (int64_t i = 0; i < n; i++)
                for (int64_t j = 0; j < n; j++) {
                    double dx = Yd[2 * i] - Yd[2 * j], dy = Yd[2 * i + 1] - Yd[2 * j + 1],
                           w = i == j ? 0 : 1 / (1 + dx * dx + dy * dy);
                    W[i * n + j] = w;
                    z += w;
                }
            kl = 0;
            for (int64_t i = 0; i < n; i++) {
                double gx = 0, gy = 0;
                for (int64_t j = 0; j < n; j++) {
                    if (i == j) continue;
                    double w = W[i * n + j], q = w / z, p = P[i * n + j] * ex, f = (p - q) * w;
                    gx += f * (Yd[2 * i] - Yd[2 * j]);
                    gy += f * (Yd[2 * i + 1] - Yd[2 * j + 1]);
                    if (!early)
                        kl += P[i * n + j] *
                                log(P[i * n + j] /
                                        (q > 2.220446049250313e-16 ? q : 2.220446049250313e-16));
                }
                G[2 * i] = 4 * gx;
                G[2 * i + 1] = 4 * gy;
            }
            lt__tsne_step(Yd, G, U, gain, 2 * n, mom, lr);
            if (o->progress) lt_progress_update(o->progress, it + 1, early ? -1 : kl);
            if (!isfinite(Yd[0])) {
                rc = lt_err(LT_EINVAL, "t-SNE diverged at iteration %d", it + 1);
                break;
            }
        }
        if (res) {
            res->kl_divergence = kl;
            res->iters = iters;
        }
    }
    lt_free(P);
    lt_free(W);
    lt_free(G);
    lt_free(U);
    lt_free(gain);
    lt_free(sq);
    lt_free(A);
    return rc;
}
