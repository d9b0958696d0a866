/* UMAP's algorithm (McInnes, Healy and Melville 2018) with umap-learn's defaults and rules:
 *  - the graph: each row's n_neighbors - 1 nearest others (umap-learn counts the row itself),
 *    memberships exp(-(d - rho_i) / sigma_i) with rho_i the nearest distance and sigma_i by
 *    bisection to a sum of log2(n_neighbors), then the fuzzy union a + b - a b;
 *  - the curve 1 / (1 + a d^2b) fitted (least squares, as scipy's curve_fit) to 1 below
 *    min_dist and exp(-(d - min_dist)) above, on 300 points of [0, 3];
 *  - the layout: the PCA map scaled to [0, 10], then SGD epochs in which an edge of weight w
 *    is sampled every max_w / w epochs with 5 negative samples per sample, gradients clipped
 *    to 4, the rate falling linearly from 1; edges below max_w / epochs dropped.
 * One thread is deterministic; several split the edges and update the shared map without
 * locks (Hogwild), as umap-learn's parallel mode does. */
#include "map_impl.h"
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

/* a, b of 1 / (1 + a x^2b) for min_dist (spread 1): Levenberg-Marquardt from (1, 1) */
void lt__umap_fit_ab(double min_dist, double *a_out, double *b_out) {
    enum { NP = 300 };
    double xs[NP], ys[NP], a = 1, b = 1, lam = 1e-3;
    for (int i = 0; i < NP; i++) {
        xs[i] = 3.0 * i / (NP - 1);
        ys[i] = xs[i] < min_dist ? 1 : exp(-(xs[i] - min_dist));
    }
    for (int it = 0; it < 200; it++) {
        double JJ[3] = { 0 }, Jr[2] = { 0 }, err = 0;
        for (int i = 0; i < NP; i++) {
            double x = xs[i], p = x > 0 ? pow(x, 2 * b) : 0, f = 1 / (1 + a * p), r = f - ys[i];
            double da = -p * f * f, db = x > 0 ? -a * p * 2 * log(x) * f * f : 0;
            JJ[0] += da * da;
            JJ[1] += da * db;
            JJ[2] += db * db;
            Jr[0] += da * r;
            Jr[1] += db * r;
            err += r * r;
        }
        for (;;) {
            double m00 = JJ[0] * (1 + lam), m11 = JJ[2] * (1 + lam),
                   det = m00 * m11 - JJ[1] * JJ[1];
            double sa = -(m11 * Jr[0] - JJ[1] * Jr[1]) / det,
                   sb = -(m00 * Jr[1] - JJ[1] * Jr[0]) / det, e2 = 0;
            for (int i = 0; i < NP; i++) {
                double x = xs[i], p = x > 0 ? pow(x, 2 * (b + sb)) : 0,
                       r = 1 / (1 + (a + sa) * p) - ys[i];
                e2 += r * r;
            }
            if (e2 <= err) {
                a += sa;
                b += sb;
                lam /= 10;
                if (err - e2 < 1e-15 * (1 + err)) it = 200;
                break;
            }
            lam *= 10;
            if (lam > 1e12) {
                it = 200;
                break;
            }
        }
    }
    *a_out = a;
    *b_out = b;
}

/* sigma and rho of each row from its k - 1 neighbour distances (umap-learn's smooth_knn_dist) */
typedef struct {
    const float *D2;
    int k1;
    double *rho, *sigma, mean_all;
} smooth_ctx;
static void smooth_rows(void *ud, int64_t b, int64_t e, int tid) {
    smooth_ctx *c = ud;
    (void)tid;
    double target = log2((double)(c->k1 + 1));
    for (int64_t i = b; i < e; i++) {
        const float *d2 = c->D2 + i * c->k1;
        double rho = 0, mean = 0;
        for (int t = 0; t < c->k1; t++) {
            double d = sqrt((double)d2[t]);
            mean += d;
            if (rho == 0 && d > 0) rho = d;
        }
        mean /= c->k1;
        double lo = 0, hi = INFINITY, mid = 1;
        for (int it = 0; it < 64; it++) {
            double ps = 0;
            for (int t = 0; t < c->k1; t++) {
                double d = sqrt((double)d2[t]) - rho;
                ps += d > 0 ? exp(-d / mid) : 1;
            }
            if (fabs(ps - target) < 1e-5) break;
            if (ps > target) {
                hi = mid;
                mid = (lo + hi) / 2;
            } else {
                lo = mid;
                mid = isinf(hi) ? mid * 2 : (lo + hi) / 2;
            }
        }
        double floor_ = 1e-3 * (rho > 0 ? mean : c->mean_all);
        c->rho[i] = rho;
        c->sigma[i] = mid > floor_ ? mid : floor_;
    }
}

typedef struct {
    int64_t n, ne;
    const int32_t *head, *tail;
    const float *eps; /* edges, epochs per sample */
    float *Y;
    double a, b;
    int epochs;
    uint64_t seed;
    int nt;
    float *next, *next_neg;
    atomic_int epoch_done;
} sgd_ctx;

static inline float clip4(float v) { return v > 4 ? 4 : v < -4 ? -4 : v; }

/* one thread's share of the edges through every epoch; threads meet at each epoch's end */
static void sgd_epoch(sgd_ctx *c, int ep, int64_t e0, int64_t e1, lt_rng *r) {
    float alpha = (float)(1.0 - (double)ep / c->epochs), a = (float)c->a, b = (float)c->b,
          *Y = c->Y;
    for (int64_t s = e0; s < e1; s++) {
        if (c->next[s] > (float)ep) continue;
        int64_t j = c->head[s], k = c->tail[s];
        float *cur = Y + 2 * j, *oth = Y + 2 * k;
        float dx = cur[0] - oth[0], dy = cur[1] - oth[1], d2 = dx * dx + dy * dy;
        if (d2 > 0) {
            float pb = powf(d2, b), gc = -2 * a * b * pb / d2 / (a * pb + 1);
            float gx = clip4(gc * dx) * alpha, gy = clip4(gc * dy) * alpha;
            cur[0] += gx;
            cur[1] += gy;
            oth[0] -= gx;
            oth[1] -= gy;
        }
        c->next[s] += c->eps[s];
        float epn = c->eps[s] / 5;
        int nneg = (int)(((float)ep - c->next_neg[s]) / epn);
        for (int p = 0; p < nneg; p++) {
            int64_t t = (int64_t)lt_rng_below(r, (uint64_t)c->n);
            if (t == j) continue;
            oth = Y + 2 * t;
            dx = cur[0] - oth[0];
            dy = cur[1] - oth[1];
            d2 = dx * dx + dy * dy;
            if (d2 > 0) {
                float gc = 2 * b / ((0.001f + d2) * (a * powf(d2, b) + 1));
                cur[0] += clip4(gc * dx) * alpha;
                cur[1] += clip4(gc * dy) * alpha;
            }
        }
        c->next_neg[s] += (float)nneg * epn;
    }
}

typedef struct {
    sgd_ctx *c;
    lt_progress *pg;
    pthread_barrier_t *bar;
} run_ctx;
static void sgd_thread(void *ud, int tid) {
    run_ctx *rc = ud;
    sgd_ctx *c = rc->c;
    int64_t e0 = c->ne * tid / c->nt, e1 = c->ne * (tid + 1) / c->nt;
    for (int ep = 0; ep < c->epochs; ep++) {
        lt_rng r;
        lt_rng_seed(&r, c->seed ^ 0x75a4d1ULL, (uint64_t)ep * 256 + (uint64_t)tid);
        sgd_epoch(c, ep, e0, e1, &r);
        if (c->nt > 1) pthread_barrier_wait(rc->bar);
        if (tid == 0 && rc->pg) lt_progress_update(rc->pg, ep + 1, -1);
    }
}

int lt__umap(const lt_vecs *X, const lt_map_opts *o, double *Yd, lt_map_result *res) {
    int64_t n = X->n;
    int k1 = o->n_neighbors - 1,
        epochs = o->epochs > 0 ? o->epochs
            : n > 10000        ? 200
                               : 500,
        nt = o->n_threads > 0 ? o->n_threads : 1;
    if (k1 < 1) k1 = 1;
    int64_t *I = lt_malloc((size_t)n * k1 * 8), *rp = NULL;
    float *D2 = lt_malloc((size_t)n * k1 * 4), *Y = lt_malloc((size_t)n * 8);
    double *rho = lt_malloc((size_t)n * 8), *sigma = lt_malloc((size_t)n * 8);
    int32_t *col = NULL, *head = NULL, *tail = NULL;
    double *val = NULL;
    float *eps = NULL, *next = NULL, *next_neg = NULL;
    int rc = I && D2 && Y && rho && sigma
            ? LT_OK
            : lt_err(LT_ENOMEM, "out of memory for UMAP of %lld rows", (long long)n);
    if (rc == LT_OK) rc = lt__knn_graph(X, k1, nt, I, D2);
    double mean_all = 0;
    for (int64_t t = 0; rc == LT_OK && t < n * k1; t++)
        mean_all += sqrt((double)D2[t]) / (double)(n * k1);
    smooth_ctx sc = { D2, k1, rho, sigma, mean_all };
    if (rc == LT_OK) lt_parallel_for(nt, n, smooth_rows, &sc);
    /* the fuzzy union of the memberships a_ij = exp(-(d_ij - rho_i) / sigma_i) */
    double *mw = rc == LT_OK ? lt_malloc((size_t)n * k1 * 8) : NULL;
    if (rc == LT_OK && !mw)
        rc = lt_err(LT_ENOMEM, "out of memory for UMAP of %lld rows", (long long)n);
    for (int64_t i = 0; rc == LT_OK && i < n; i++)
        for (int t = 0; t < k1; t++) {
            double d = sqrt((double)D2[i * k1 + t]) - rho[i];
            mw[i * k1 + t] = d <= 0 || sigma[i] == 0 ? 1 : exp(-d / sigma[i]);
        }
    if (rc == LT_OK) rc = lt__knn_sym(I, mw, n, k1, 1, &rp, &col, &val);
    lt_free(mw);
    /* edges kept and their sampling periods */
    int64_t ne = 0;
    if (rc == LT_OK) {
        double mx = 0;
        for (int64_t q = 0; q < rp[n]; q++)
            if (val[q] > mx) mx = val[q];
        for (int64_t q = 0; q < rp[n]; q++)
            if (val[q] >= mx / epochs) ne++;
        head = lt_malloc((size_t)ne * 4 + 4);
        tail = lt_malloc((size_t)ne * 4 + 4);
        eps = lt_malloc((size_t)ne * 4 + 4);
        next = lt_malloc((size_t)ne * 4 + 4);
        next_neg = lt_malloc((size_t)ne * 4 + 4);
        if (!head || !tail || !eps || !next || !next_neg)
            rc = lt_err(LT_ENOMEM, "out of memory for %lld edges", (long long)ne);
        int64_t s = 0;
        for (int64_t i = 0; rc == LT_OK && i < n; i++)
            for (int64_t q = rp[i]; q < rp[i + 1]; q++)
                if (val[q] >= mx / epochs) {
                    head[s] = (int32_t)i;
                    tail[s] = col[q];
                    eps[s] = next[s] = (float)(mx / val[q]);
                    next_neg[s] = eps[s] / 5;
                    s++;
                }
    }
    /* the PCA map scaled to [0, 10] per axis */
    for (int c = 0; rc == LT_OK && c < 2; c++) {
        double lo = INFINITY, hi = -INFINITY;
        for (int64_t i = 0; i < n; i++) {
            if (Yd[2 * i + c] < lo) lo = Yd[2 * i + c];
            if (Yd[2 * i + c] > hi) hi = Yd[2 * i + c];
        }
        double sc2 = hi > lo ? 10 / (hi - lo) : 0;
        for (int64_t i = 0; i < n; i++) Y[2 * i + c] = (float)((Yd[2 * i + c] - lo) * sc2);
    }
    if (rc == LT_OK) {
        sgd_ctx c = { n, ne, head, tail, eps, Y, 0, 0, epochs, o->seed, nt, next, next_neg, 0 };
        lt__umap_fit_ab(o->min_dist, &c.a, &c.b);
        pthread_barrier_t bar;
        if (nt > 1 && pthread_barrier_init(&bar, NULL, (unsigned)nt))
            rc = lt_err(LT_ENOMEM, "cannot start the UMAP threads");
        run_ctx r = { &c, o->progress, &bar };
        if (rc == LT_OK) {
            rc = lt_run_threads(nt, sgd_thread, &r);
            if (nt > 1) pthread_barrier_destroy(&bar);
        }
        for (int64_t t = 0; rc == LT_OK && t < 2 * n; t++) Yd[t] = Y[t];
        if (rc == LT_OK && !isfinite(Yd[0])) rc = lt_err(LT_EINVAL, "UMAP layout diverged");
    }
    if (res) {
        res->kl_divergence = NAN;
        res->iters = epochs;
    }
    lt_free(I);
    lt_free(rp);
    lt_free(D2);
    lt_free(Y);
    lt_free(rho);
    lt_free(sigma);
    lt_free(col);
    lt_free(val);
    lt_free(head);
    lt_free(tail);
    lt_free(eps);
    lt_free(next);
    lt_free(next_neg);
    return rc;
}
