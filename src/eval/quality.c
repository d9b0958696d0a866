/* Representation quality metrics (see lt_quality in eval.h): neighbourhood preservation
 * against the source rows, redundancy, intrinsic dimension, hubness, cluster separation. All
 * on one seeded sample of rows; distances are Euclidean, computed in double. */
#include "latent/eval.h"
#include "latent/kern.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

void lt_quality_opts_init(lt_quality_opts *o) {
    memset(o, 0, sizeof *o);
    o->k = 10;
    o->sample = 2000;
    o->seed = 1;
    o->n_threads = 1;
}

/* squared distances of the m sampled rows of X among themselves (m x m, double):
 * |a|^2 + |b|^2 - 2 a.b with the products by one double GEMM (as scikit-learn's
 * euclidean_distances), clamped at 0 */
static double *pair_d2(const lt_vecs *X, const int64_t *rows, int64_t m) {
    int64_t d = X->d;
    double *D = lt_malloc((size_t)m * (size_t)m * 8), *A = lt_malloc((size_t)m * (size_t)d * 8 + 8),
           *sq = lt_malloc((size_t)m * 8);
    if (!D || !A || !sq) {
        lt_free(D);
        lt_free(A);
        lt_free(sq);
        return NULL;
    }
    for (int64_t i = 0; i < m; i++) {
        const float *a = lt_vecs_row(X, rows[i]);
        double s = 0;
        for (int64_t t = 0; t < d; t++) {
            A[i * d + t] = a[t];
            s += (double)a[t] * a[t];
        }
        sq[i] = s;
    }
    lt_dgemm(0, 1, (int)m, (int)m, (int)d, -2.0, A, d, A, d, 0.0, D, m);
    for (int64_t i = 0; i < m; i++) {
        for (int64_t j = 0; j < m; j++) {
            double v = D[i * m + j] + sq[i] + sq[j];
            D[i * m + j] = v > 0 ? v : 0;
        }
        D[i * m + i] = 0;
    }
    for (int64_t i = 0; i < m; i++) /* exactly symmetric, so that ties rank alike from both ends */
        for (int64_t j = i + 1; j < m; j++) D[j * m + i] = D[i * m + j];
    lt_free(A);
    lt_free(sq);
    return D;
}

typedef struct {
    double d;
    int64_t j;
} dj;
static int cmp_dj(const void *a, const void *b) {
    const dj *x = a, *y = b;
    return x->d < y->d ? -1 : x->d > y->d ? 1 : (x->j > y->j) - (x->j < y->j);
}

/* order[i] = the other rows by distance from i (ties by index, as a stable argsort);
 * rank[i * m + j] = 1-based position of j in it */
static int orders(const double *D, int64_t m, int64_t **order, int64_t **rank) {
    *order = lt_malloc((size_t)m * (size_t)(m - 1) * 8);
    *rank = lt_malloc((size_t)m * (size_t)m * 8);
    dj *t = lt_malloc((size_t)m * sizeof *t);
    if (!*order || !*rank || !t) {
        lt_free(t);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    for (int64_t i = 0; i < m; i++) {
        int64_t c = 0;
        for (int64_t j = 0; j < m; j++)
            if (j != i) {
                t[c].d = D[i * m + j];
                t[c].j = j;
                c++;
            }
        qsort(t, (size_t)c, sizeof *t, cmp_dj);
        for (int64_t r = 0; r < c; r++) {
            (*order)[i * (m - 1) + r] = t[r].j;
            (*rank)[i * m + t[r].j] = r + 1;
        }
        (*rank)[i * m + i] = 0;
    }
    lt_free(t);
    return LT_OK;
}

/* trustworthiness of the map B (k neighbours in B not among A's k, penalised by their rank in
 * A), Venna and Kaski; continuity is the same with A and B swapped */
static double trust(const int64_t *ordB, const int64_t *rankA, int64_t m, int k) {
    double s = 0;
    for (int64_t i = 0; i < m; i++)
        for (int r = 0; r < k; r++) {
            int64_t j = ordB[i * (m - 1) + r], ra = rankA[i * m + j];
            if (ra > k) s += (double)(ra - k);
        }
    return 1 - 2.0 / ((double)m * k * (2.0 * m - 3.0 * k - 1)) * s;
}

/* the sample's rows in double (m x d) */
static double *sample_rows(const lt_vecs *V, const int64_t *rows, int64_t m) {
    int64_t d = V->d;
    double *A = lt_malloc((size_t)m * (size_t)d * 8 + 8);
    for (int64_t i = 0; A && i < m; i++)
        for (int64_t t = 0; t < d; t++) A[i * d + t] = lt_vecs_row(V, rows[i])[t];
    return A;
}

/* Mu and Viswanath's isotropy: Z(c) = sum_i exp(c.x_i) for c each eigenvector of X^T X (the
 * sample, uncentred) and its negation, min Z / max Z from the log-sums; the mean norm and its rank correlation
 * with the rows' positions */
static int isotropy_norms(
        const lt_vecs *V, const int64_t *rows, int64_t m, lt_quality_result *out) {
    int64_t d = V->d;
    double *A = sample_rows(V, rows, m), *U = lt_malloc((size_t)d * (size_t)d * 8),
           *ev = lt_malloc((size_t)d * 8);
    double *S = lt_malloc((size_t)m * (size_t)d * 8 + 8), *nrm = lt_malloc((size_t)m * 8),
           *pos = lt_malloc((size_t)m * 8);
    int rc = A && U && ev && S && nrm && pos
            ? LT_OK
            : lt_err(LT_ENOMEM, "out of memory for the isotropy of %lld x %lld rows", (long long)m,
                      (long long)d);
    if (rc == LT_OK) {
        lt_dgemm(1, 0, (int)d, (int)d, (int)m, 1.0, A, d, A, d, 0.0, U, d);
        if (lt_dsyev(d, U, d, ev) != 0) rc = lt_err(LT_EINVAL, "isotropy: eigensolver failed");
    }
    if (rc == LT_OK) {
        lt_dgemm(
                0, 0, (int)m, (int)d, (int)d, 1.0, A, d, U, d, 0.0, S, d); /* S[i][j] = x_i . c_j */
        double lo = INFINITY, hi = -INFINITY;
        for (int64_t j = 0; j < 2 * d;
                j++) { /* an eigenvector's sign is arbitrary: both c and -c */
            double sg = j < d ? 1 : -1, mx = -INFINITY, z = 0;
            for (int64_t i = 0; i < m; i++)
                if (sg * S[i * d + j % d] > mx) mx = sg * S[i * d + j % d];
            for (int64_t i = 0; i < m; i++) z += exp(sg * S[i * d + j % d] - mx);
            double lz = mx + log(z);
            if (lz < lo) lo = lz;
            if (lz > hi) hi = lz;
        }
        out->isotropy_pf = exp(lo - hi);
        double sn = 0;
        for (int64_t i = 0; i < m; i++) {
            double q = 0;
            for (int64_t t = 0; t < d; t++) q += A[i * d + t] * A[i * d + t];
            nrm[i] = sqrt(q);
            pos[i] = (double)rows[i];
            sn += nrm[i];
        }
        out->mean_norm = sn / (double)m;
        out->norm_rank_spearman = lt_spearman(nrm, pos, m);
    }
    lt_free(A);
    lt_free(U);
    lt_free(ev);
    lt_free(S);
    lt_free(nrm);
    lt_free(pos);
    return rc;
}

/* the sample's columns 0..dk of A (m x ld) as a vector set */
static lt_vecs *vecs_of(const double *A, int64_t m, int64_t ld, int64_t dk) {
    lt_vecs *v = lt_vecs_new(m, dk);
    for (int64_t i = 0; v && i < m; i++)
        for (int64_t t = 0; t < dk; t++) lt_vecs_row(v, i)[t] = (float)A[i * ld + t];
    return v;
}

/* generalisation: the probes (5-fold CV on the sample; a probe the labels do not allow, as a
 * class with fewer rows than folds, gives NaN), and the logistic probe on the leading
 * principal components (E: the covariance's eigenvectors as columns, ascending) */
static int probes(const lt_vecs *V, const int64_t *rows, int64_t m, const int *labels,
        int n_classes, const double *mean, const double *E, const lt_quality_opts *o,
        lt_quality_result *out) {
    int64_t d = V->d;
    double *A = sample_rows(V, rows, m), *P = lt_malloc((size_t)m * (size_t)d * 8 + 8),
           *Ed = lt_malloc((size_t)d * (size_t)d * 8);
    int *y = lt_malloc((size_t)m * sizeof(int));
    int rc = A && P && Ed && y ? LT_OK : lt_err(LT_ENOMEM, "out of memory for the probes");
    for (int64_t i = 0; rc == LT_OK && i < m; i++) y[i] = labels[rows[i]];
    lt_probe_opts po;
    lt_probe_opts_init(&po);
    po.n_threads = o->n_threads;
    lt_probe_result pr;
    lt_vecs *S = rc == LT_OK ? vecs_of(A, m, d, d) : NULL;
    if (rc == LT_OK && !S) rc = lt_err(LT_ENOMEM, "out of memory for the probes");
    if (rc == LT_OK)
        out->probe_logreg =
                lt_probe_cv(S, y, n_classes, 5, o->seed, &po, &pr) == LT_OK ? pr.accuracy : NAN;
    po.kind = LT_PROBE_KNN;
    po.k = o->k;
    if (rc == LT_OK)
        out->probe_knn =
                lt_probe_cv(S, y, n_classes, 5, o->seed, &po, &pr) == LT_OK ? pr.accuracy : NAN;
    lt_vecs_free(S);
    po.kind = LT_PROBE_LOGREG;
    if (rc == LT_OK && !isnan(out->probe_logreg)) {
        for (int64_t a = 0; a < d; a++)
            for (int64_t j = 0; j < d; j++) Ed[a * d + j] = E[a * d + (d - 1 - j)]; /* descending */
        for (int64_t i = 0; i < m; i++)
            for (int64_t t = 0; t < d; t++) A[i * d + t] -= mean[t];
        lt_dgemm(0, 0, (int)m, (int)d, (int)d, 1.0, A, d, Ed, d, 0.0, P, d);
        for (int64_t dk = 1; rc == LT_OK && out->n_curve < LT_QUALITY_CURVE;
                dk = dk * 2 < d || dk == d ? dk * 2 : d) {
            if (dk > d) break;
            lt_vecs *v = vecs_of(P, m, d, dk);
            if (!v) {
                rc = lt_err(LT_ENOMEM, "out of memory for the probes");
                break;
            }
            out->curve_dim[out->n_curve] = (int)dk;
            out->curve_acc[out->n_curve++] =
                    lt_probe_cv(v, y, n_classes, 5, o->seed, &po, &pr) == LT_OK ? pr.accuracy : NAN;
            lt_vecs_free(v);
            if (dk == d) break;
        }
    }
    lt_free(A);
    lt_free(P);
    lt_free(Ed);
    lt_free(y);
    return rc;
}

int lt_quality(const lt_vecs *V, const lt_vecs *source, const int *labels, int n_classes,
        const lt_quality_opts *o, lt_quality_result *out) {
    memset(out, 0, sizeof *out);
    out->probe_logreg = out->probe_knn = out->reconstruction_mse = out->explained_variance = NAN;
    int64_t n = V->n, d = V->d;
    if (n < 3)
        return lt_err(LT_EINVAL, "quality metrics need at least 3 rows (%lld given)", (long long)n);
    if (source && source->n != n)
        return lt_err(LT_EINVAL, "the source has %lld rows, the vectors %lld", (long long)source->n,
                (long long)n);
    int64_t m = o->sample > 0 && o->sample < n ? o->sample : n;
    int k = o->k;
    if (k < 1 || k >= (m - 1) / 2)
        return lt_err(LT_EINVAL, "k = %d: at least 1 and below half of the %lld sampled rows", k,
                (long long)m);
    int64_t *rows = lt_malloc((size_t)n * 8);
    if (!rows) return lt_err(LT_ENOMEM, "out of memory");
    for (int64_t i = 0; i < n; i++) rows[i] = i;
    if (m < n) {
        lt_rng r;
        lt_rng_seed(&r, o->seed, 0x9a1);
        lt_rng_shuffle(&r, rows, n);
    }
    out->sample = m;
    out->k = k;
    out->n = n;
    out->d = d;
    int rc = LT_OK;
    /* redundancy: column statistics, effective rank, correlation, dead dimensions */
    double *mean = lt_calloc((size_t)d, 8), *var = lt_calloc((size_t)d, 8),
           *C = lt_calloc((size_t)d * (size_t)d, 8), *sv = lt_calloc((size_t)d + 1, 8);
    if (!mean || !var || !C || !sv) rc = lt_err(LT_ENOMEM, "out of memory");
    for (int64_t i = 0; rc == LT_OK && i < m;
            i++) { /* sums, divided once: identical rows give their value exactly */
        const float *x = lt_vecs_row(V, rows[i]);
        for (int64_t j = 0; j < d; j++) mean[j] += x[j];
    }
    for (int64_t j = 0; rc == LT_OK && j < d; j++) mean[j] /= (double)m;
    for (int64_t i = 0; rc == LT_OK && i < m; i++) {
        const float *x = lt_vecs_row(V, rows[i]);
        for (int64_t a = 0; a < d; a++) {
            double ea = x[a] - mean[a];
            var[a] += ea * ea / (double)m;
            for (int64_t b = a; b < d; b++) C[a * d + b] += ea * (x[b] - mean[b]) / (double)m;
        }
    }
    if (rc == LT_OK) {
        /* a dimension is dead when its variance is rounding noise next to the data's scale
         * (the largest variance or squared mean): constant columns count however the
         * sums round, and take no part in the correlations */
        double vmax = 0, scale = 0, corr = 0;
        int64_t pairs = 0;
        for (int64_t a = 0; a < d; a++) {
            if (var[a] > vmax) vmax = var[a];
            if (mean[a] * mean[a] > scale) scale = mean[a] * mean[a];
        }
        double floor_v = 1e-12 * (vmax > scale ? vmax : scale);
        for (int64_t a = 0; a < d; a++) {
            if (!(var[a] > floor_v)) {
                out->dead_dims++;
                continue;
            }
            for (int64_t b = a + 1; b < d; b++)
                if (var[b] > floor_v) {
                    corr += fabs(C[a * d + b]) / sqrt(var[a] * var[b]);
                    pairs++;
                }
        }
        out->mean_abs_corr = pairs ? corr / (double)pairs : NAN;
        /* singular values of the centred sample: square roots of the covariance's eigenvalues */
        for (int64_t a = 0; a < d; a++)
            for (int64_t b = 0; b < a; b++) C[a * d + b] = C[b * d + a];
        if (lt_dsyev(d, C, d, sv) != 0)
            rc = lt_err(LT_EINVAL, "effective rank: eigensolver failed");
        double tot = 0, h = 0;
        for (int64_t a = 0; rc == LT_OK && a < d; a++) {
            sv[a] = sv[a] > floor_v ? sqrt(sv[a]) : 0;
            tot += sv[a];
        }
        for (int64_t a = 0; rc == LT_OK && a < d; a++)
            if (sv[a] > 0) {
                double p = sv[a] / tot;
                h -= p * log(p);
            }
        out->effective_rank = tot > 0 ? exp(h) : 0;
        for (int64_t a = d - 1; rc == LT_OK && a >= 0 && out->n_spectrum < 256; a--)
            out->spectrum[out->n_spectrum++] = sv[a]; /* ascending from dsyev */
    }
    if (rc == LT_OK) rc = isotropy_norms(V, rows, m, out);
    if (rc == LT_OK && labels && n_classes >= 2)
        rc = probes(V, rows, m, labels, n_classes, mean, C, o, out);
    /* isotropy: mean cosine of seeded random pairs */
    if (rc == LT_OK) {
        lt_rng r;
        lt_rng_seed(&r, o->seed, 0x150);
        double s = 0;
        int64_t cnt = 0;
        for (int64_t t = 0; t < 10000; t++) {
            int64_t a = rows[lt_rng_below(&r, (uint64_t)m)],
                    b = rows[lt_rng_below(&r, (uint64_t)m)];
            if (a == b) continue;
            const float *x = lt_vecs_row(V, a), *y = lt_vecs_row(V, b);
            double xy = 0, xx = 0, yy = 0;
            for (int64_t j = 0; j < d; j++) {
                xy += (double)x[j] * y[j];
                xx += (double)x[j] * x[j];
                yy += (double)y[j] * y[j];
            }
            if (xx > 0 && yy > 0) {
                s += xy / sqrt(xx * yy);
                cnt++;
            }
        }
        out->mean_cosine = cnt ? s / (double)cnt : NAN;
    }
    /* neighbourhoods in the sample */
    double *D = rc == LT_OK ? pair_d2(V, rows, m) : NULL, *DS = NULL;
    int64_t *ord = NULL, *rk = NULL, *ordS = NULL, *rkS = NULL;
    if (rc == LT_OK && !D)
        rc = lt_err(
                LT_ENOMEM, "out of memory for %lld x %lld distances", (long long)m, (long long)m);
    if (rc == LT_OK) rc = orders(D, m, &ord, &rk);
    if (rc == LT_OK) {
        /* TwoNN (Facco et al. 2017): d = (m - 1) / sum log(r2 / r1), the maximum-likelihood form */
        double s = 0;
        int64_t used = 0;
        for (int64_t i = 0; i < m; i++) {
            double r1 = sqrt(D[i * m + ord[i * (m - 1)]]),
                   r2 = sqrt(D[i * m + ord[i * (m - 1) + 1]]);
            if (r1 > 0 && r2 > r1) {
                s += log(r2 / r1);
                used++;
            }
        }
        out->intrinsic_dim_twonn = s > 0 ? (double)(used - 1) / s : NAN;
        /* Levina-Bickel MLE at k, averaged over points (inverse of the mean of the inverses, MacKay and Ghahramani) */
        double inv = 0;
        int64_t ui = 0;
        for (int64_t i = 0; i < m; i++) {
            double rk2 = sqrt(D[i * m + ord[i * (m - 1) + k - 1]]), t = 0;
            int ok = rk2 > 0;
            for (int j = 0; ok && j < k - 1; j++) {
                double rj = sqrt(D[i * m + ord[i * (m - 1) + j]]);
                if (!(rj > 0)) {
                    ok = 0;
                    break;
                }
                t += log(rk2 / rj);
            }
            if (ok && t > 0) {
                inv += t / (k - 1);
                ui++;
            }
        }
        out->intrinsic_dim_mle = inv > 0 ? (double)ui / inv : NAN;
        /* hubness: skewness of the k-occurrence counts */
        double *occ = lt_calloc((size_t)m, 8), mu = (double)k, m2 = 0, m3 = 0;
        if (!occ) rc = lt_err(LT_ENOMEM, "out of memory");
        for (int64_t i = 0; occ && i < m; i++)
            for (int r = 0; r < k; r++) occ[ord[i * (m - 1) + r]] += 1;
        for (int64_t i = 0; occ && i < m; i++) {
            double e = occ[i] - mu;
            m2 += e * e / m;
            m3 += e * e * e / m;
        }
        out->hubness = m2 > 0 ? m3 / pow(m2, 1.5) : 0;
        lt_free(occ);
    }
    if (rc == LT_OK && source) {
        if (!(DS = pair_d2(source, rows, m))) rc = lt_err(LT_ENOMEM, "out of memory");
        if (rc == LT_OK) rc = orders(DS, m, &ordS, &rkS);
        if (rc == LT_OK) {
            out->trustworthiness = trust(ord, rkS, m, k);
            out->continuity = trust(ordS, rk, m, k);
            double ov = 0;
            for (int64_t i = 0; i < m; i++)
                for (int r = 0; r < k; r++)
                    if (rkS[i * m + ord[i * (m - 1) + r]] <= k) ov += 1;
            out->knn_overlap = ov / ((double)m * k);
        }
    } else {
        out->trustworthiness = out->continuity = out->knn_overlap = NAN;
    }
    /* silhouette (Rousseeuw 1987), Euclidean, over the sample */
    out->silhouette = NAN;
    if (rc == LT_OK && labels && n_classes >= 2) {
        double *sum = lt_malloc((size_t)n_classes * 8), tot = 0;
        int64_t *cnt = lt_malloc((size_t)n_classes * 8), used = 0;
        if (!sum || !cnt) rc = lt_err(LT_ENOMEM, "out of memory");
        for (int64_t i = 0; rc == LT_OK && i < m; i++) {
            memset(sum, 0, (size_t)n_classes * 8);
            memset(cnt, 0, (size_t)n_classes * 8);
            for (int64_t j = 0; j < m; j++)
                if (j != i) {
                    int c = labels[rows[j]];
                    sum[c] += sqrt(D[i * m + j]);
                    cnt[c]++;
                }
            int ci = labels[rows[i]];
            if (cnt[ci] == 0) continue; /* a singleton cluster scores 0, as scikit-learn */
            double a = sum[ci] / (double)cnt[ci], b = INFINITY;
            for (int c = 0; c < n_classes; c++)
                if (c != ci && cnt[c] && sum[c] / (double)cnt[c] < b) b = sum[c] / (double)cnt[c];
            tot += isinf(b) ? 0 : (b - a) / (a > b ? a : b);
            used++;
        }
        out->silhouette = m ? tot / (double)m : NAN;
        (void)used;
        lt_free(sum);
        lt_free(cnt);
    }
    lt_free(D);
    lt_free(DS);
    lt_free(ord);
    lt_free(rk);
    lt_free(ordS);
    lt_free(rkS);
    lt_free(mean);
    lt_free(var);
    lt_free(C);
    lt_free(sv);
    lt_free(rows);
    return rc;
}

int lt_reconstruction_error(const lt_vecs *X, const lt_vecs *R, lt_quality_result *q) {
    if (X->n != R->n || X->d != R->d)
        return lt_err(LT_EINVAL, "reconstruction: %lld x %lld rows against %lld x %lld",
                (long long)X->n, (long long)X->d, (long long)R->n, (long long)R->d);
    if (X->n < 1) return lt_err(LT_EINVAL, "reconstruction: no rows");
    int64_t n = X->n, d = X->d;
    double *mean = lt_calloc((size_t)d, sizeof *mean), sse = 0, sst = 0;
    if (!mean) return lt_err(LT_ENOMEM, "out of memory");
    for (int64_t i = 0; i < n; i++) {
        const float *x = lt_vecs_row(X, i);
        for (int64_t j = 0; j < d; j++) mean[j] += x[j];
    }
    for (int64_t j = 0; j < d; j++) mean[j] /= (double)n;
    for (int64_t i = 0; i < n; i++) {
        const float *x = lt_vecs_row(X, i), *r = lt_vecs_row(R, i);
        for (int64_t j = 0; j < d; j++) {
            double e = (double)x[j] - r[j], c = x[j] - mean[j];
            sse += e * e;
            sst += c * c;
        }
    }
    lt_free(mean);
    if (!isfinite(sse))
        return lt_err(LT_EINVAL, "reconstruction: not finite (a value overflowed or is NaN)");
    q->reconstruction_mse = sse / ((double)n * (double)d);
    q->explained_variance = sst > 0 ? 1 - sse / sst : NAN;
    return LT_OK;
}
