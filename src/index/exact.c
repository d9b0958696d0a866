/* Exact k-NN: blocked sgemm candidates, double-precision re-ranking. Shapes: base (n, ld),
 * Q (nq, ldq), S (QB, NB) scratch per thread. */
#include "latent/index.h"
#include "latent/core.h"
#include "latent/kern.h"
#include "../core/topk.h"
#include <math.h>
#include <string.h>
#include <stdlib.h>

const char *lt_metric_name(lt_metric m) {
    return m == LT_METRIC_L2 ? "l2" : m == LT_METRIC_IP ? "ip" : "cosine";
}
int lt_metric_from_name(const char *s, lt_metric *out) {
    if (!strcmp(s, "l2")) *out = LT_METRIC_L2;
    else if (!strcmp(s, "ip")) *out = LT_METRIC_IP;
    else if (!strcmp(s, "cosine") || !strcmp(s, "cos")) *out = LT_METRIC_COS;
    else return lt_err(LT_EINVAL, "unknown metric '%s' (l2, ip, cosine)", s);
    return LT_OK;
}

#define QB 1024
#define NB 512
#define SCAN 256

typedef struct {
    const lt_vecs *base;
    const float *Q;
    int64_t nq, ldq;
    int k;
    lt_metric m;
    const double *bn2; /* |x|^2 (double) per base row; for cosine 1/|x| */
    const float *bn2f; /* the same in float, for the candidate pass */
    double maxn2;
    float *Dout;
    int64_t *Iout;
    int rc;
    int packed; /* candidate pass on latent's packed GEMM (else OpenBLAS sgemm) */
} ex_ctx;

static double dist_d(const float *q, const float *x, int64_t d, lt_metric m, double qn, double xn) {
    /* four independent sums: the re-rank is latency-bound with one */
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int64_t j = 0;
    if (m == LT_METRIC_L2) {
        for (; j + 4 <= d; j += 4) {
            double t0 = (double)q[j] - x[j], t1 = (double)q[j + 1] - x[j + 1],
                   t2 = (double)q[j + 2] - x[j + 2], t3 = (double)q[j + 3] - x[j + 3];
            s0 += t0 * t0;
            s1 += t1 * t1;
            s2 += t2 * t2;
            s3 += t3 * t3;
        }
        for (; j < d; j++) {
            double t = (double)q[j] - x[j];
            s0 += t * t;
        }
        return (s0 + s1) + (s2 + s3);
    }
    for (; j + 4 <= d; j += 4) {
        s0 += (double)q[j] * x[j];
        s1 += (double)q[j + 1] * x[j + 1];
        s2 += (double)q[j + 2] * x[j + 2];
        s3 += (double)q[j + 3] * x[j + 3];
    }
    for (; j < d; j++) s0 += (double)q[j] * x[j];
    double s = (s0 + s1) + (s2 + s3);
    if (m == LT_METRIC_IP) return 1 - s;
    return qn > 0 && xn > 0 ? 1 - s / (qn * xn) : 1;
}

/* |x| for cosine (bn2 holds 1/|x|), unused otherwise */
static inline double xnorm(const ex_ctx *c, int64_t x) {
    return c->m == LT_METRIC_COS ? (c->bn2[x] > 0 ? 1 / c->bn2[x] : 0) : 0;
}

/* Keeps the `cap` best (distance, id) pairs sorted ascending, ties by id; *cnt grows to cap. */
static inline void keep_best(double *cd, int64_t *ci, int *cnt, int cap, double dd, int64_t x) {
    int z;
    if (*cnt < cap) z = (*cnt)++;
    else if (dd < cd[cap - 1] || (dd == cd[cap - 1] && x < ci[cap - 1])) z = cap - 1;
    else return;
    while (z > 0 && (cd[z - 1] > dd || (cd[z - 1] == dd && ci[z - 1] > x))) {
        cd[z] = cd[z - 1];
        ci[z] = ci[z - 1];
        z--;
    }
    cd[z] = dd;
    ci[z] = x;
}

/* Bound on |float distance - exact distance| for any row, whatever order sgemm sums in:
 * a float dot product of length d is within g = d u / (1 - d u) of sum |q_j x_j| <= |q||x|
 * (u = 2^-24), plus a few roundings in forming the distance (the scan's fused
 * multiply-add, the float norms, the query normalisation for cosine). qn = |q|, X = max |x|. */
static double float_err(lt_metric m, int64_t d, double qn, double X) {
    const double u = 5.9604644775390625e-8;
    double g = (double)d * u / (1 - (double)d * u);
    if (m == LT_METRIC_L2) return 2 * g * qn * X + 4 * u * (qn + X) * (qn + X) + 1e-30;
    if (m == LT_METRIC_IP) return g * qn * X + 2 * u * (1 + qn * X) + 1e-30;
    return 1.001 * g + 8 * u;
}

/* Candidate pass with latent's own GEMM, transposed: the block's queries are packed once
 * as the right operand (panels of 32), base rows are the left operand read in place, and
 * each 12 x 32 score tile is scanned while still in L1 against the 32 queries' current
 * k-th distances (no score block in memory, no per-block packing of the base). */
static void cand_packed(const ex_ctx *c, const lt_kernels *K, const float *Qb, int nb,
        const double *qn2, lt_topk *h, float *Pq, float *thr, float *qnf, float *tile) {
    const lt_vecs *B = c->base;
    int64_t n = B->n, ld = B->ld;
    int d = (int)B->d, mode = c->m == LT_METRIC_L2 ? 0 : c->m == LT_METRIC_IP ? 1 : 2;
    int MR = K->gemm_mr, np = (nb + LT_GEMM_NR - 1) / LT_GEMM_NR;
    lt_pack_rows_to(Pq, Qb, nb, d, ld);
    for (int i = 0; i < np * LT_GEMM_NR; i++) {
        qnf[i] = i < nb ? (float)qn2[i] : 0;
        thr[i] = INFINITY;
    }
    int64_t mc = (262144 / (ld * 4)) / MR * MR; /* about 256 KiB of base rows per pass */
    if (mc < MR) mc = MR;
    float dist[LT_GEMM_NR];
    for (int64_t x0 = 0; x0 < n; x0 += mc) {
        int64_t x1 = n - x0 < mc ? n : x0 + mc;
        for (int p = 0; p < np; p++) {
            int nr = nb - p * LT_GEMM_NR < LT_GEMM_NR ? nb - p * LT_GEMM_NR : LT_GEMM_NR;
            const float *Bp = Pq + (size_t)p * d * LT_GEMM_NR;
            float *th = thr + p * LT_GEMM_NR;
            for (int64_t r0 = x0; r0 < x1; r0 += MR) {
                int mr = (int)(x1 - r0 < MR ? x1 - r0 : MR);
                K->gemm_ukr(mr, nr, d, B->data + r0 * ld, ld, Bp, LT_GEMM_NR, tile, LT_GEMM_NR,
                        NULL, 0);
                for (int r = 0; r < mr; r++) {
                    uint32_t m = K->scan32(tile + r * LT_GEMM_NR, nr, c->bn2f[r0 + r],
                            qnf + p * LT_GEMM_NR, th, mode, dist);
                    while (m) {
                        int j = __builtin_ctz(m);
                        m &= m - 1;
                        lt_topk *hh = &h[p * LT_GEMM_NR + j];
                        lt_topk_push(hh, dist[j], r0 + r);
                        if (hh->n == hh->k) th[j] = hh->d[0];
                    }
                }
            }
        }
    }
}

static void ex_block(void *ud, int64_t b, int64_t e, int tid) {
    ex_ctx *c = ud;
    const lt_vecs *B = c->base;
    int64_t n = B->n, d = B->d, ld = B->ld;
    /* candidates per query: k plus a margin that grows while the float candidates fail to
     * separate (each failure costs one full scan); results never depend on it */
    int kmax = (int)(n < 4 * (int64_t)c->k + 64 ? n : 4 * c->k + 64);
    int kk = (int)(n < (int64_t)c->k + 6 ? n : c->k + 6);
    float *S = lt_aligned_alloc((size_t)QB * NB * 4), *Qb = lt_aligned_alloc((size_t)QB * ld * 4);
    float *hd = lt_malloc((size_t)QB * kmax * 4);
    int64_t *hi = lt_malloc((size_t)QB * kmax * 8);
    double *cd = lt_malloc((size_t)kmax * 8);
    int64_t *ci = lt_malloc((size_t)kmax * 8);
    double *qn2buf = lt_malloc(QB * sizeof(double));
    const lt_kernels *K = lt_kern();
    int *sidx = lt_malloc((NB + 16) * sizeof(int));
    float *sdst = lt_malloc((NB + 16) * sizeof(float));
    float *fd = lt_malloc((size_t)kmax * 4);
    int64_t *fi = lt_malloc((size_t)kmax * 8);
    lt_topk *heaps = lt_malloc(QB * sizeof(lt_topk));
    float *Pq = c->packed ? lt_aligned_alloc(lt_packed_floats(QB, (int)d) * 4) : NULL,
          *thr = lt_malloc((QB + LT_GEMM_NR) * 4);
    float *qnf = lt_malloc((QB + LT_GEMM_NR) * 4), *tile = lt_aligned_alloc(16 * LT_GEMM_NR * 4);
    if ((c->packed && !Pq) || !thr || !qnf || !tile || !S || !Qb || !hd || !hi || !cd || !ci ||
            !qn2buf || !heaps || !sidx || !sdst || !fd || !fi) {
        c->rc = LT_ENOMEM;
        goto out;
    }
    for (int64_t q0 = b; q0 < e; q0 += QB) {
        int nb = (int)(e - q0 < QB ? e - q0 : QB);
        double *qn2 = qn2buf;
        lt_topk *h = heaps;
        for (int i = 0; i < nb; i++) {
            const float *q = c->Q + (q0 + i) * c->ldq;
            float *r = Qb + (int64_t)i * ld;
            memset(r, 0, (size_t)ld * 4);
            memcpy(r, q, (size_t)d * 4);
            double s = 0;
            for (int64_t j = 0; j < d; j++) s += (double)q[j] * q[j];
            qn2[i] = s;
            h[i] = (lt_topk){ hd + (int64_t)i * kmax, hi + (int64_t)i * kmax, 0, kk };
        }
        if (c->packed && nb >= LT_GEMM_NR) cand_packed(c, K, Qb, nb, qn2, h, Pq, thr, qnf, tile);
        else
            for (int64_t x0 = 0; x0 < n; x0 += NB) {
                int mb = (int)(n - x0 < NB ? n - x0 : NB);
                lt_sgemm(0, 1, nb, mb, (int)ld, 1.0f, Qb, (int)ld, B->data + x0 * ld, (int)ld, 0.0f,
                        S, NB);
                const float *bf = c->bn2f + x0;
                int mode = c->m == LT_METRIC_L2 ? 0 : c->m == LT_METRIC_IP ? 1 : 2;
                for (int i = 0; i < nb; i++) {
                    const float *row = S + (int64_t)i * NB;
                    lt_topk *hh = &h[i];
                    /* SIMD scan keeps only rows under the current k-th distance; the heap sees
                 * few. The threshold is refreshed every SCAN rows (and the heap filled
                 * exactly first), so the pushes stay near k ln(n/k) per query. */
                    for (int j0 = 0; j0 < mb;) {
                        int full = hh->n == hh->k;
                        int len = full ? SCAN : hh->k - hh->n;
                        if (len > mb - j0) len = mb - j0;
                        int nc = K->scan_below(row + j0, bf + j0, len, mode, (float)qn2[i],
                                full ? hh->d[0] : INFINITY, sidx, sdst);
                        for (int t = 0; t < nc; t++) {
                            if (hh->n == hh->k && !(sdst[t] <= hh->d[0])) continue;
                            lt_topk_push(hh, sdst[t], x0 + j0 + sidx[t]);
                        }
                        j0 += len;
                    }
                }
            }
        /* re-rank in double; verify the float candidates cannot have missed a closer row */
        for (int i = 0; i < nb; i++) {
            const float *q = c->Q + (q0 + i) * c->ldq;
            double qn = sqrt(qn2[i]);
            float worst = h[i].n ? h[i].d[0] : INFINITY;
            int cnt = lt_topk_sorted(&h[i], fd, fi);
            int kout = c->k < cnt ? c->k : cnt;
            double err = float_err(c->m, d, qn, sqrt(c->maxn2));
            /* Only candidates within 2*err of the float k-th can be among the k best in
             * double; every row outside the candidates is at float >= worst. */
            double lim = kout > 0 ? (double)fd[kout - 1] + 2 * err : -INFINITY;
            int safe = cnt == n || (kout > 0 && lim < (double)worst);
            int cnt1 = 0;
            for (int t = 0; t < cnt && (double)fd[t] <= lim; t++)
                keep_best(cd, ci, &cnt1, kmax,
                        dist_d(q, lt_vecs_row(B, fi[t]), d, c->m, qn, xnorm(c, fi[t])), fi[t]);
            if (cnt1 < kout) kout = cnt1;
            if (!safe) {
                if (kk + 2 <= kmax) kk += 2;
                /* rare: float candidates too close to separate. Rescan this query in float (one
                 * matrix-vector product), keep every row within 2*err of the float k-th best,
                 * and re-rank those in double: still exact, without a full double scan. */
                float *dist = lt_malloc((size_t)n * 4);
                if (!dist) {
                    c->rc = LT_ENOMEM;
                    goto out;
                }
                lt_sgemv(0, (int)n, (int)ld, 1.0f, B->data, (int)ld, Qb + (int64_t)i * ld, 0.0f,
                        dist);
                for (int64_t x = 0; x < n; x++)
                    dist[x] = c->m == LT_METRIC_L2 ? ((float)qn2[i] + c->bn2f[x]) - 2 * dist[x]
                            : c->m == LT_METRIC_IP ? 1 - dist[x]
                                                   : 1 - dist[x] * c->bn2f[x];
                lt_topk kth = { hd + (int64_t)i * kmax, hi + (int64_t)i * kmax, 0, kout };
                for (int64_t x = 0; x < n; x++) lt_topk_push(&kth, dist[x], x);
                float thr = (float)((double)kth.d[0] + 2 * err);
                int cnt2 = 0;
                for (int64_t x = 0; x < n; x++)
                    if (dist[x] <= thr)
                        keep_best(cd, ci, &cnt2, kout,
                                dist_d(q, lt_vecs_row(B, x), d, c->m, qn, xnorm(c, x)), x);
                lt_free(dist);
            }
            float *Do = c->Dout + (q0 + i) * c->k;
            int64_t *Io = c->Iout + (q0 + i) * c->k;
            for (int t = 0; t < c->k; t++) {
                if (t < kout) {
                    Do[t] = (float)cd[t];
                    Io[t] = ci[t];
                } else {
                    Do[t] = INFINITY;
                    Io[t] = -1;
                }
            }
        }
    }
out:
    lt_aligned_free(S);
    lt_aligned_free(Qb);
    lt_free(hd);
    lt_free(hi);
    lt_free(cd);
    lt_free(ci);
    lt_free(qn2buf);
    lt_free(heaps);
    lt_free(sidx);
    lt_free(sdst);
    lt_free(fd);
    lt_free(fi);
    lt_aligned_free(Pq);
    lt_free(thr);
    lt_free(qnf);
    lt_aligned_free(tile);
}

int lt_knn_exact(const lt_vecs *base, const float *Q, int64_t nq, int64_t ldq, int k, lt_metric m,
        int n_threads, float *Dres, int64_t *Ires) {
    if (k <= 0) return lt_err(LT_EINVAL, "k must be positive");
    if (nq <= 0) return LT_OK;
    if (base->n == 0) {
        for (int64_t i = 0; i < nq * k; i++) {
            Dres[i] = INFINITY;
            Ires[i] = -1;
        }
        return LT_OK;
    }
    double *bn2 = lt_malloc((size_t)base->n * 8);
    float *bn2f = lt_malloc((size_t)base->n * 4);
    if (!bn2 || !bn2f) {
        lt_free(bn2);
        lt_free(bn2f);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    double mx = 0;
    for (int64_t i = 0; i < base->n; i++) {
        const float *x = lt_vecs_row(base, i);
        double s = 0;
        for (int64_t j = 0; j < base->d; j++) s += (double)x[j] * x[j];
        if (s > mx) mx = s;
        bn2[i] = m == LT_METRIC_COS ? (s > 0 ? 1 / sqrt(s) : 0) : s;
        bn2f[i] = (float)bn2[i];
    }
    /* cosine scores need the query normalised too: S = q.x / (|q||x|) */
    float *Qn = NULL;
    if (m == LT_METRIC_COS) {
        Qn = lt_malloc((size_t)nq * (size_t)base->d * 4);
        if (!Qn) {
            lt_free(bn2);
            lt_free(bn2f);
            return lt_err(LT_ENOMEM, "out of memory");
        }
        for (int64_t i = 0; i < nq; i++) {
            double s = 0;
            for (int64_t j = 0; j < base->d; j++) s += (double)Q[i * ldq + j] * Q[i * ldq + j];
            float inv = s > 0 ? (float)(1 / sqrt(s)) : 0;
            for (int64_t j = 0; j < base->d; j++) Qn[i * base->d + j] = Q[i * ldq + j] * inv;
        }
        Q = Qn;
        ldq = base->d;
    }
    ex_ctx c = { base, Q, nq, ldq, k, m, bn2, bn2f, mx, Dres, Ires, LT_OK, 1 };
    /* LATENT_EXACT=blas picks the OpenBLAS candidate pass (tests compare the two) */
    const char *ev = getenv("LATENT_EXACT");
    if (ev && !strcmp(ev, "blas")) c.packed = 0;
    if (n_threads < 1) n_threads = 1;
    int saved = lt_blas_begin(1); /* parallel over query blocks instead */
    /* blocks of QB queries per task keep the partition static */
    int rc = lt_parallel_for(n_threads, nq, ex_block, &c);
    lt_blas_end(saved);
    lt_free(bn2);
    lt_free(bn2f);
    lt_free(Qn);
    if (rc == LT_OK) rc = c.rc;
    return rc ? lt_err(rc, "exact search: out of memory") : LT_OK;
}
