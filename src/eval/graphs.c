/* Graph classification: stratified k-fold accuracy of a classifier on one vector per graph. */
#include "latent/eval.h"
#include "latent/core.h"
#include "eval_impl.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct { const double *X; int64_t k, d; const int *cls; const int64_t *tr; int64_t ntr; const lt_logreg_opts *lo; double *W; _Atomic int rc; } cv_ctx;
static void cv_classes(void *ud, int64_t b, int64_t e, int tid) {
    cv_ctx *c = ud;
    (void)tid;
    double *Xt = lt_malloc((size_t)c->ntr * c->k * 8);
    int8_t *y = lt_malloc((size_t)c->ntr);
    if (!Xt || !y) { c->rc = LT_ENOMEM; lt_free(Xt); lt_free(y); return; }
    for (int64_t i = 0; i < c->ntr; i++) memcpy(Xt + i * c->k, c->X + c->tr[i] * c->k, (size_t)c->k * 8);
    for (int64_t l = b; l < e && !c->rc; l++) {
        for (int64_t i = 0; i < c->ntr; i++) y[i] = c->cls[c->tr[i]] == l ? 1 : -1;
        int rc = lt_logreg_fit(Xt, c->ntr, c->d, y, c->lo, c->W + l * c->k);
        if (rc) c->rc = rc;
    }
    lt_free(Xt); lt_free(y);
}

typedef struct { const char *path; int *cls; } graph_classes;
static int set_class(void *ud, int64_t r, int64_t li, const char *id, long long line) {
    graph_classes *c = ud;
    if (c->cls[r] >= 0 && c->cls[r] != li) return lt_err(LT_EFORMAT, "%s: line %lld: '%s' has two classes", c->path, line, id);
    c->cls[r] = (int)li;
    return LT_OK;
}

int lt_eval_graphs(const lt_vecs *v, const char *labels_path, int folds, uint64_t seed, double C, int n_threads, lt_graph_eval_result *out) {
    memset(out, 0, sizeof *out);
    if (!v->labels) return lt_err(LT_EINVAL, "the vectors have no labels (graph ids)");
    if (folds < 2) return lt_err(LT_EINVAL, "folds must be >= 2");
    int64_t n = v->n;
    int *cls = lt_malloc((size_t)(n ? n : 1) * sizeof(int));
    lt__strmap *names = lt__strmap_new();
    int rc = cls && names ? LT_OK : lt_err(LT_ENOMEM, "out of memory");
    for (int64_t i = 0; cls && i < n; i++) cls[i] = -1;
    graph_classes gc = {labels_path, cls};
    if (rc == LT_OK) rc = lt__read_pairs(v, labels_path, "graph", names, set_class, &gc);
    int L = names ? (int)lt__strmap_size(names) : 0;
    /* the labelled rows, standardised per fold */
    int64_t m = 0, d = v->d, k = d + 1;
    int64_t *rows = rc == LT_OK ? lt_malloc((size_t)(n ? n : 1) * 8) : NULL;
    for (int64_t i = 0; rows && i < n; i++) if (cls[i] >= 0) rows[m++] = i;
    if (rc == LT_OK && !rows) rc = lt_err(LT_ENOMEM, "out of memory");
    if (rc == LT_OK && (L < 2 || m < folds)) rc = lt_err(LT_EINVAL, "%s: need 2 classes and at least %d labelled items", labels_path, folds);
    int *fold = NULL, *yc = NULL;
    double *X = NULL, *W = NULL, *mu = NULL, *sd = NULL, accs = 0, acc2 = 0;
    int64_t *tr = NULL;
    if (rc == LT_OK) {
        fold = lt_malloc((size_t)m * sizeof(int)); yc = lt_malloc((size_t)m * sizeof(int));
        X = lt_malloc((size_t)m * k * 8); W = lt_malloc((size_t)L * k * 8); mu = lt_malloc((size_t)d * 8); sd = lt_malloc((size_t)d * 8);
        tr = lt_malloc((size_t)m * 8);
        if (!fold || !yc || !X || !W || !mu || !sd || !tr) rc = lt_err(LT_ENOMEM, "out of memory");
    }
    if (rc == LT_OK) {
        /* stratified folds: each class shuffled, then dealt round-robin */
        lt_rng r;
        lt_rng_seed(&r, seed, 0);
        int64_t *idx = lt_malloc((size_t)m * 8);
        if (!idx) rc = lt_err(LT_ENOMEM, "out of memory");
        int next = 0;
        for (int l = 0; rc == LT_OK && l < L; l++) {
            int64_t c = 0;
            for (int64_t i = 0; i < m; i++) if (cls[rows[i]] == l) idx[c++] = i;
            lt_rng_shuffle(&r, idx, c);
            for (int64_t i = 0; i < c; i++) { fold[idx[i]] = next; next = (next + 1) % folds; }
        }
        lt_free(idx);
        for (int64_t i = 0; i < m; i++) yc[i] = cls[rows[i]];
    }
    lt_logreg_opts lo;
    lt_logreg_opts_init(&lo);
    lo.C = C;
    for (int fo = 0; rc == LT_OK && fo < folds; fo++) {
        int64_t ntr = 0, nte = 0, ok = 0;
        for (int64_t i = 0; i < m; i++) if (fold[i] != fo) tr[ntr++] = i;
        for (int64_t j = 0; j < d; j++) {
            double s = 0, s2 = 0;
            for (int64_t t = 0; t < ntr; t++) { double x = lt_vecs_row(v, rows[tr[t]])[j]; s += x; s2 += x * x; }
            mu[j] = s / (double)ntr;
            double var = s2 / (double)ntr - mu[j] * mu[j];
            sd[j] = var > 1e-24 ? sqrt(var) : 1;
        }
        for (int64_t i = 0; i < m; i++) {
            for (int64_t j = 0; j < d; j++) X[i * k + j] = (lt_vecs_row(v, rows[i])[j] - mu[j]) / sd[j];
            X[i * k + d] = 1;
        }
        cv_ctx c = {X, k, d, yc, tr, ntr, &lo, W, 0};
        lt_parallel_for(n_threads, L == 2 ? 1 : L, cv_classes, &c);
        if (c.rc) { rc = c.rc; break; }
        for (int64_t i = 0; i < m; i++) {
            if (fold[i] != fo) continue;
            nte++;
            int best = 0;
            double bz = -INFINITY;
            if (L == 2) {   /* one model: class 0 against the rest decides both */
                double z = 0;
                for (int64_t j = 0; j < k; j++) z += W[j] * X[i * k + j];
                best = z > 0 ? 0 : 1;
            } else
                for (int l = 0; l < L; l++) {
                    double z = 0;
                    for (int64_t j = 0; j < k; j++) z += W[l * k + j] * X[i * k + j];
                    if (z > bz) { bz = z; best = l; }
                }
            ok += best == yc[i];
        }
        double a = nte ? (double)ok / (double)nte : 0;
        accs += a; acc2 += a * a;
    }
    if (rc == LT_OK) {
        out->accuracy = accs / folds;
        double var = (acc2 - accs * accs / folds) / (folds - 1);
        out->sd = var > 0 ? sqrt(var) : 0;
        out->items = m; out->classes = L; out->folds = folds;
    }
    lt__strmap_free(names);
    lt_free(cls); lt_free(rows); lt_free(fold); lt_free(yc); lt_free(X); lt_free(W); lt_free(mu); lt_free(sd); lt_free(tr);
    return rc;
}
