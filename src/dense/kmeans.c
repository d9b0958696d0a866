/* k-means++ landmarks (Arthur and Vassilvitskii 2007 seeding, then Lloyd iterations), for the
 * Nystroem map: centres spread over the data approximate the kernel better than uniform rows
 * (Zhang, Tsang and Kwok 2008). Distances by ||x||^2 - 2 x.c + ||c||^2 with the dot products
 * from sgemm over row blocks; seeded, and the same for any thread count. */
#include "dense_impl.h"
#include "latent/kern.h"
#include <math.h>
#include <string.h>

enum { KBLOCK = 1024 };

typedef struct {
    const float *X, *c;
    int64_t d;
    float *dist;
} seed_ctx;
static void seed_rows(void *ud, int64_t b, int64_t e, int tid) { /* dist = min(dist, |x - c|^2) */
    seed_ctx *s = ud;
    (void)tid;
    const lt_kernels *K = lt_kern();
    for (int64_t i = b; i < e; i++) {
        float v = K->l2sq(s->X + i * s->d, s->c, s->d);
        if (v < s->dist[i]) s->dist[i] = v;
    }
}

typedef struct {
    const float *X, *C, *xn, *cn;
    int64_t n, d, M;
    int32_t *assign;
    float *S;
} assign_ctx;
static void assign_blocks(
        void *ud, int64_t b, int64_t e, int tid) { /* nearest centre, by blocks of rows */
    assign_ctx *a = ud;
    float *S = a->S + (size_t)tid * KBLOCK * a->M;
    for (int64_t blk = b; blk < e; blk++) {
        int64_t i0 = blk * KBLOCK, nb = a->n - i0 < KBLOCK ? a->n - i0 : KBLOCK;
        lt_sgemm(0, 1, (int)nb, (int)a->M, (int)a->d, 1.0f, a->X + i0 * a->d, (int)a->d, a->C,
                (int)a->d, 0.0f, S, (int)a->M);
        for (int64_t i = 0; i < nb; i++) {
            int32_t best = 0;
            float bv = INFINITY;
            for (int64_t c = 0; c < a->M; c++) {
                float v = a->cn[c] - 2 * S[i * a->M + c];
                if (v < bv) {
                    bv = v;
                    best = (int32_t)c;
                }
            }
            a->assign[i0 + i] = best;
        }
    }
}

int lt__kmeanspp(const float *X, int64_t n, int64_t d, int64_t M, int iters, uint64_t seed,
        int n_threads, float *C) {
    if (M < 1 || M > n)
        return lt_err(
                LT_EINVAL, "k-means++: %lld centres for %lld rows", (long long)M, (long long)n);
    int nt = n_threads < 1 ? 1 : n_threads;
    float *dist = lt_malloc((size_t)n * 4), *cn = lt_malloc((size_t)M * 4),
          *S = lt_malloc((size_t)nt * KBLOCK * M * 4);
    double *sum = lt_malloc((size_t)M * d * 8);
    int64_t *cnt = lt_malloc((size_t)M * 8);
    int32_t *assign = lt_malloc((size_t)n * 4);
    int rc = dist && cn && S && sum && cnt && assign
            ? LT_OK
            : lt_err(LT_ENOMEM, "out of memory for k-means++ (%lld centres)", (long long)M);
    lt_rng r;
    lt_rng_seed(&r, seed, 7);
    if (rc == LT_OK) {
        memcpy(C, X + (int64_t)lt_rng_below(&r, (uint64_t)n) * d, (size_t)d * 4);
        for (int64_t i = 0; i < n; i++) dist[i] = INFINITY;
    }
    for (int64_t c = 1; rc == LT_OK && c <= M; c++) {
        seed_ctx sc = { X, C + (c - 1) * d, d, dist };
        lt_parallel_for(nt, n, seed_rows, &sc);
        if (c == M) break;
        double tot = 0; /* the next centre with probability proportional to the squared distance */
        for (int64_t i = 0; i < n; i++) tot += dist[i];
        double u = lt_rng_uniform(&r) * tot, acc = 0;
        int64_t pick = n - 1;
        for (int64_t i = 0; i < n && tot > 0; i++) {
            acc += dist[i];
            if (acc > u) {
                pick = i;
                break;
            }
        }
        if (!(tot > 0))
            pick = (int64_t)lt_rng_below(&r, (uint64_t)n); /* all points covered: duplicates */
        memcpy(C + c * d, X + pick * d, (size_t)d * 4);
    }
    for (int it = 0; rc == LT_OK && it < iters; it++) {
        for (int64_t c = 0; c < M; c++) {
            double s = 0;
            for (int64_t j = 0; j < d; j++) s += (double)C[c * d + j] * C[c * d + j];
            cn[c] = (float)s;
        }
        assign_ctx ac = { X, C, NULL, cn, n, d, M, assign, S };
        lt_parallel_for(nt, (n + KBLOCK - 1) / KBLOCK, assign_blocks, &ac);
        memset(sum, 0, (size_t)M * d * 8);
        memset(cnt, 0, (size_t)M * 8);
        for (int64_t i = 0; i < n; i++) {
            cnt[assign[i]]++;
            for (int64_t j = 0; j < d; j++) sum[assign[i] * d + j] += X[i * d + j];
        }
        for (int64_t c = 0; c < M; c++) /* an empty cluster keeps its centre */
            if (cnt[c])
                for (int64_t j = 0; j < d; j++)
                    C[c * d + j] = (float)(sum[c * d + j] / (double)cnt[c]);
    }
    lt_free(dist);
    lt_free(cn);
    lt_free(S);
    lt_free(sum);
    lt_free(cnt);
    lt_free(assign);
    return rc;
}
