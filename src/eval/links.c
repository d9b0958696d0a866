/* Link prediction: ROC-AUC of held-out edges against sampled non-edges, scored by cosine
 * similarity, or by a logistic regression on an edge feature (node2vec's binary operators:
 * Hadamard, average, weighted L1 / L2) trained on a seeded half of the pairs and scored on
 * the other half. */
#include "latent/eval.h"
#include "latent/core.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    double s;
    int y;
} sy;
static int cmp_sy(const void *a, const void *b) {
    double x = ((const sy *)a)->s, y = ((const sy *)b)->s;
    return x < y ? -1 : x > y;
}

double lt_roc_auc(const double *score, const int8_t *label, int64_t n) {
    sy *a = lt_malloc((size_t)(n ? n : 1) * sizeof *a);
    if (!a) return NAN;
    int64_t P = 0;
    for (int64_t i = 0; i < n; i++) {
        a[i].s = score[i];
        a[i].y = label[i] > 0;
        P += a[i].y;
    }
    qsort(a, (size_t)n, sizeof *a, cmp_sy);
    double rsum = 0; /* Mann-Whitney: sum of the positives' ranks, ties sharing their mean rank */
    for (int64_t i = 0; i < n;) {
        int64_t j = i;
        while (j + 1 < n && a[j + 1].s == a[i].s) j++;
        double r = (double)(i + j) / 2 + 1;
        for (int64_t k = i; k <= j; k++)
            if (a[k].y) rsum += r;
        i = j + 1;
    }
    lt_free(a);
    int64_t N = n - P;
    return P && N ? (rsum - (double)P * (double)(P + 1) / 2) / ((double)P * (double)N) : NAN;
}

int lt_link_op_from_name(const char *s, lt_link_op *op) {
    static const char *names[] = { "cosine", "hadamard", "average", "l1", "l2" };
    for (int i = 0; i < 5; i++)
        if (!strcmp(s, names[i])) {
            *op = (lt_link_op)i;
            return LT_OK;
        }
    return lt_err(LT_EINVAL, "unknown edge operator '%s' (cosine, hadamard, average, l1, l2)", s);
}

static void edge_feature(const float *a, const float *b, int64_t d, lt_link_op op, double *f) {
    for (int64_t j = 0; j < d; j++) {
        double x = a[j], y = b[j];
        f[j] = op == LT_LINK_HADAMARD   ? x * y
                : op == LT_LINK_AVERAGE ? (x + y) / 2
                : op == LT_LINK_L1      ? fabs(x - y)
                                        : (x - y) * (x - y);
    }
    f[d] = 1;
}

int lt_eval_links(const lt_vecs *v, const char *pairs_path, lt_link_op op, uint64_t seed,
        lt_link_result *out) {
    memset(out, 0, sizeof *out);
    if (!v->labels) return lt_err(LT_EINVAL, "the vectors have no labels (node ids)");
    FILE *f = fopen(pairs_path, "rb");
    if (!f) return lt_err(LT_EIO, "%s: cannot open: %s", pairs_path, strerror(errno));
    int64_t *pu = NULL, *pv = NULL, n = 0, cap = 0;
    int8_t *y = NULL;
    char *line = NULL;
    size_t lc = 0;
    long long ln = 0;
    int rc = LT_OK;
    while (rc == LT_OK && getline(&line, &lc, f) > 0) {
        ln++;
        char *w[3], *save = NULL;
        int nw = 0;
        for (char *t = strtok_r(line, " \t,\r\n", &save); t && nw < 3;
                t = strtok_r(NULL, " \t,\r\n", &save))
            w[nw++] = t;
        if (nw == 0 || w[0][0] == '#') continue;
        if (nw != 3 || (strcmp(w[2], "0") && strcmp(w[2], "1"))) {
            rc = lt_err(LT_EFORMAT, "%s: line %lld: expected \"u v 1|0\"", pairs_path, ln);
            break;
        }
        int64_t a = lt_vecs_find(v, w[0]), b = lt_vecs_find(v, w[1]);
        if (a < 0 || b < 0) {
            rc = lt_err(LT_EINVAL, "%s: line %lld: node '%s' has no vector", pairs_path, ln,
                    a < 0 ? w[0] : w[1]);
            break;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 1024;
            int64_t *nu = lt_realloc(pu, (size_t)cap * 8);
            if (nu) pu = nu;
            int64_t *nv = nu ? lt_realloc(pv, (size_t)cap * 8) : NULL;
            if (nv) pv = nv;
            int8_t *ny = nv ? lt_realloc(y, (size_t)cap) : NULL;
            if (ny) y = ny;
            if (!ny) {
                rc = lt_err(LT_ENOMEM, "out of memory");
                break;
            }
        }
        pu[n] = a;
        pv[n] = b;
        y[n] = w[2][0] == '1' ? 1 : -1;
        n++;
    }
    free(line);
    fclose(f);
    int64_t pos = 0;
    for (int64_t i = 0; i < n; i++) pos += y[i] > 0;
    if (rc == LT_OK && (pos == 0 || pos == n))
        rc = lt_err(LT_EINVAL, "%s: needs both edges (1) and non-edges (0)", pairs_path);
    int64_t d = v->d, k = d + 1;
    double *score = NULL, *X = NULL, *w = NULL;
    int8_t *ys = NULL;
    int64_t *perm = NULL;
    if (rc == LT_OK && op == LT_LINK_COSINE) {
        score = lt_malloc((size_t)n * 8);
        if (!score) rc = lt_err(LT_ENOMEM, "out of memory");
        for (int64_t i = 0; rc == LT_OK && i < n; i++) {
            const float *a = lt_vecs_row(v, pu[i]), *b = lt_vecs_row(v, pv[i]);
            double ab = 0, aa = 0, bb = 0;
            for (int64_t j = 0; j < d; j++) {
                ab += (double)a[j] * b[j];
                aa += (double)a[j] * a[j];
                bb += (double)b[j] * b[j];
            }
            score[i] = aa > 0 && bb > 0 ? ab / sqrt(aa * bb) : 0;
        }
        if (rc == LT_OK) {
            out->auc = lt_roc_auc(score, y, n);
            out->scored = n;
        }
    } else if (rc == LT_OK) {
        /* a seeded half trains the classifier, the other half is scored */
        perm = lt_malloc((size_t)n * 8);
        X = lt_malloc((size_t)n * k * 8);
        w = lt_malloc((size_t)k * 8);
        ys = lt_malloc((size_t)n);
        score = lt_malloc((size_t)n * 8);
        if (!perm || !X || !w || !ys || !score) rc = lt_err(LT_ENOMEM, "out of memory");
        if (rc == LT_OK) {
            lt_rng r;
            lt_rng_seed(&r, seed, 0);
            for (int64_t i = 0; i < n; i++) perm[i] = i;
            lt_rng_shuffle(&r, perm, n);
            int64_t ntr = n / 2;
            for (int64_t i = 0; i < n; i++) {
                edge_feature(
                        lt_vecs_row(v, pu[perm[i]]), lt_vecs_row(v, pv[perm[i]]), d, op, X + i * k);
                ys[i] = y[perm[i]];
            }
            lt_logreg_opts lo;
            lt_logreg_opts_init(&lo);
            rc = lt_logreg_fit(X, ntr, d, ys, &lo, w);
            for (int64_t i = ntr; rc == LT_OK && i < n; i++) {
                double z = 0;
                for (int64_t j = 0; j < k; j++) z += w[j] * X[i * k + j];
                score[i - ntr] = z;
            }
            if (rc == LT_OK) {
                out->auc = lt_roc_auc(score, ys + ntr, n - ntr);
                out->scored = n - ntr;
                out->trained = ntr;
            }
        }
    }
    out->pairs = n;
    out->positives = pos;
    lt_free(pu);
    lt_free(pv);
    lt_free(y);
    lt_free(score);
    lt_free(X);
    lt_free(w);
    lt_free(ys);
    lt_free(perm);
    return rc;
}
