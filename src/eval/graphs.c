/* Graph classification: stratified k-fold accuracy of a classifier (one-vs-rest logistic
 * regression, or an RBF-kernel SVM voting one-vs-one) on one vector per graph, features
 * standardised on each training fold, C chosen per fold by an inner CV when several are given.
 * Folds run in parallel; each owns its standardised copy of the data and, for the SVM, the
 * kernel among all items (train and test), so the result does not depend on the threads. */
#include "latent/kern.h"
#include "latent/eval.h"
#include "latent/core.h"
#include "eval_impl.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

void lt_graph_eval_opts_init(lt_graph_eval_opts *o) {
    memset(o, 0, sizeof *o);
    o->folds = 10;
    o->seed = 1;
    o->clf = LT_CLF_LOGREG;
    o->C[0] = 1;
    o->n_C = 1;
    o->gamma = 0;
    o->n_threads = 1;
}

typedef struct {
    const char *path;
    int *cls;
} graph_classes;
static int set_class(void *ud, int64_t r, int64_t li, const char *id, long long line) {
    graph_classes *c = ud;
    if (c->cls[r] >= 0 && c->cls[r] != li)
        return lt_err(LT_EFORMAT, "%s: line %lld: '%s' has two classes", c->path, line, id);
    c->cls[r] = (int)li;
    return LT_OK;
}

int lt__strat_folds(
        const int *yc, const int64_t *items, int64_t n, int L, int F, lt_rng *r, int *fold) {
    int64_t *idx = lt_malloc((size_t)(n ? n : 1) * 8);
    if (!idx) return lt_err(LT_ENOMEM, "out of memory");
    int next = 0;
    for (int l = 0; l < L; l++) {
        int64_t c = 0;
        for (int64_t i = 0; i < n; i++)
            if (yc[items[i]] == l) idx[c++] = i;
        lt_rng_shuffle(r, idx, c);
        for (int64_t i = 0; i < c; i++) {
            fold[idx[i]] = next;
            next = (next + 1) % F;
        }
    }
    lt_free(idx);
    return LT_OK;
}

/* one outer fold's data: X (m x k, standardised, a ones column last), K (m x m) for the SVM */
typedef struct {
    const lt_graph_eval_opts *o;
    const double *X, *K;
    int64_t m, d, k;
    const int *yc;
    int L;
} problem;

/* train on items tr, predict items te into pred */
static int fit_predict(const problem *p, const int64_t *tr, int64_t ntr, const int64_t *te,
        int64_t nte, double C, int *pred) {
    int64_t k = p->k, d = p->d;
    int L = p->L, rc = LT_OK;
    int8_t *y = lt_malloc((size_t)(ntr ? ntr : 1));
    if (!y) return lt_err(LT_ENOMEM, "out of memory");
    if (p->o->clf == LT_CLF_LOGREG) {
        int nm = L == 2 ? 1 : L; /* binary: class 0 against the rest decides both */
        double *Xt = lt_malloc((size_t)(ntr ? ntr : 1) * k * 8), *W = lt_malloc((size_t)nm * k * 8);
        if (!Xt || !W) rc = lt_err(LT_ENOMEM, "out of memory");
        for (int64_t i = 0; rc == LT_OK && i < ntr; i++)
            memcpy(Xt + i * k, p->X + tr[i] * k, (size_t)k * 8);
        lt_logreg_opts lo;
        lt_logreg_opts_init(&lo);
        lo.C = C;
        for (int l = 0; rc == LT_OK && l < nm; l++) {
            for (int64_t i = 0; i < ntr; i++) y[i] = p->yc[tr[i]] == l ? 1 : -1;
            rc = lt_logreg_fit(Xt, ntr, d, y, &lo, W + l * k);
        }
        for (int64_t i = 0; rc == LT_OK && i < nte; i++) {
            const double *x = p->X + te[i] * k;
            int best = 0;
            double bz = -INFINITY;
            for (int l = 0; l < nm; l++) {
                double z = 0;
                for (int64_t j = 0; j < k; j++) z += W[l * k + j] * x[j];
                if (nm == 1) best = z > 0 ? 0 : 1;
                else if (z > bz) {
                    bz = z;
                    best = l;
                }
            }
            pred[i] = best;
        }
        lt_free(Xt);
        lt_free(W);
    } else {
        /* one-vs-one: a model per pair of classes, each test item voting */
        int64_t *sub = lt_malloc((size_t)(ntr ? ntr : 1) * 8);
        double *coef = lt_malloc((size_t)(ntr ? ntr : 1) * 8);
        int *votes = lt_calloc((size_t)(nte ? nte : 1) * L, sizeof(int));
        if (!sub || !coef || !votes) rc = lt_err(LT_ENOMEM, "out of memory");
        lt_svm_opts so;
        lt_svm_opts_init(&so);
        so.C = C;
        for (int a = 0; rc == LT_OK && a < L; a++)
            for (int b = a + 1; rc == LT_OK && b < L; b++) {
                int64_t ns = 0, na = 0;
                for (int64_t i = 0; i < ntr; i++) {
                    int c = p->yc[tr[i]];
                    if (c != a && c != b) continue;
                    y[ns] = c == a ? 1 : -1;
                    na += c == a;
                    sub[ns++] = tr[i];
                }
                double rho = 0;
                if (na && na < ns) rc = lt_svm_fit(p->K, p->m, sub, ns, y, &so, coef, &rho, NULL);
                for (int64_t i = 0; rc == LT_OK && i < nte; i++) {
                    double f = na == ns ? 1
                            : na == 0   ? -1
                                        : -rho; /* a pair with one class present votes for it */
                    if (na && na < ns) {
                        const double *Kx = p->K + te[i] * p->m;
                        for (int64_t t = 0; t < ns; t++) f += coef[t] * Kx[sub[t]];
                    }
                    votes[i * L + (f > 0 ? a : b)]++;
                }
            }
        for (int64_t i = 0; rc == LT_OK && i < nte; i++) {
            int best = 0;
            for (int l = 1; l < L; l++)
                if (votes[i * L + l] > votes[i * L + best]) best = l;
            pred[i] = best;
        }
        lt_free(sub);
        lt_free(coef);
        lt_free(votes);
    }
    lt_free(y);
    return rc;
}

static int64_t count_correct(const problem *p, const int64_t *te, int64_t nte, const int *pred) {
    int64_t ok = 0;
    for (int64_t i = 0; i < nte; i++) ok += pred[i] == p->yc[te[i]];
    return ok;
}

/* the C among o->C with the best inner 3-fold CV accuracy on the items tr */
static int choose_C(const problem *p, const int64_t *tr, int64_t ntr, int outer, double *C) {
    const lt_graph_eval_opts *o = p->o;
    *C = o->C[0];
    if (o->n_C == 1) return LT_OK;
    enum { F = 3 };
    int *fold = lt_malloc((size_t)ntr * sizeof(int)), *pred = lt_malloc((size_t)ntr * sizeof(int));
    int64_t *itr = lt_malloc((size_t)ntr * 8), *ite = lt_malloc((size_t)ntr * 8);
    int rc = fold && pred && itr && ite ? LT_OK : lt_err(LT_ENOMEM, "out of memory");
    lt_rng r;
    lt_rng_seed(&r, o->seed, (uint64_t)outer + 1);
    if (rc == LT_OK) rc = lt__strat_folds(p->yc, tr, ntr, p->L, F, &r, fold);
    int64_t best = -1;
    for (int c = 0; rc == LT_OK && c < o->n_C; c++) {
        int64_t ok = 0;
        for (int f = 0; rc == LT_OK && f < F; f++) {
            int64_t a = 0, b = 0;
            for (int64_t i = 0; i < ntr; i++) {
                if (fold[i] == f) ite[b++] = tr[i];
                else itr[a++] = tr[i];
            }
            rc = fit_predict(p, itr, a, ite, b, o->C[c], pred);
            if (rc == LT_OK) ok += count_correct(p, ite, b, pred);
        }
        if (rc == LT_OK && ok > best) {
            best = ok;
            *C = o->C[c];
        }
    }
    lt_free(fold);
    lt_free(pred);
    lt_free(itr);
    lt_free(ite);
    return rc;
}

typedef struct {
    const lt_graph_eval_opts *o;
    const lt_vecs *v;
    const int64_t *rows;
    const int *yc, *fold;
    int64_t m;
    int L;
    double *acc, *Cf;
    _Atomic int rc;
} cv_ctx;

static int one_fold(cv_ctx *c, int fo) {
    const lt_graph_eval_opts *o = c->o;
    int64_t m = c->m, d = c->v->d, k = d + 1, ntr = 0, nte = 0;
    int svm = o->clf == LT_CLF_SVM;
    int64_t *tr = lt_malloc((size_t)m * 8), *te = lt_malloc((size_t)m * 8);
    double *X = lt_malloc((size_t)m * k * 8), *mu = lt_malloc((size_t)d * 8),
           *sd = lt_malloc((size_t)d * 8);
    double *K = svm ? lt_malloc((size_t)m * m * 8) : NULL;
    int *pred = lt_malloc((size_t)m * sizeof(int));
    int rc = tr && te && X && mu && sd && pred && (K || !svm) ? LT_OK
                                                              : lt_err(LT_ENOMEM, "out of memory");
    if (rc == LT_OK) {
        for (int64_t i = 0; i < m; i++) {
            if (c->fold[i] != fo) tr[ntr++] = i;
            else te[nte++] = i;
        }
        for (int64_t j = 0; j < d; j++) {
            double s = 0, s2 = 0;
            for (int64_t t = 0; t < ntr; t++) {
                double x = lt_vecs_row(c->v, c->rows[tr[t]])[j];
                s += x;
                s2 += x * x;
            }
            mu[j] = s / (double)ntr;
            double var = s2 / (double)ntr - mu[j] * mu[j];
            sd[j] = var > 1e-24 ? sqrt(var) : 1;
        }
        for (int64_t i = 0; i < m; i++) {
            for (int64_t j = 0; j < d; j++)
                X[i * k + j] = (lt_vecs_row(c->v, c->rows[i])[j] - mu[j]) / sd[j];
            X[i * k + d] = 1;
        }
    }
    if (rc == LT_OK && svm) {
        double g = o->gamma;
        if (!(g > 0)) { /* 'scale': 1 / (d x the variance of the standardised training matrix) */
            double s = 0, s2 = 0;
            for (int64_t t = 0; t < ntr; t++)
                for (int64_t j = 0; j < d; j++) {
                    double x = X[tr[t] * k + j];
                    s += x;
                    s2 += x * x;
                }
            double nn = (double)ntr * (double)d, var = s2 / nn - (s / nn) * (s / nn);
            g = var > 0 ? 1 / ((double)d * var) : 1;
        }
        rc = lt_rbf_kernel(X, m, d, k, g, K);
    }
    problem p = { o, X, K, m, d, k, c->yc, c->L };
    double C = 0;
    if (rc == LT_OK) rc = choose_C(&p, tr, ntr, fo, &C);
    if (rc == LT_OK) rc = fit_predict(&p, tr, ntr, te, nte, C, pred);
    if (rc == LT_OK) {
        c->acc[fo] = nte ? (double)count_correct(&p, te, nte, pred) / (double)nte : 0;
        c->Cf[fo] = C;
    }
    lt_free(tr);
    lt_free(te);
    lt_free(X);
    lt_free(mu);
    lt_free(sd);
    lt_free(K);
    lt_free(pred);
    return rc;
}

static void folds_range(void *ud, int64_t b, int64_t e, int tid) {
    cv_ctx *c = ud;
    (void)tid;
    for (int64_t fo = b; fo < e && !c->rc; fo++) {
        int rc = one_fold(c, (int)fo);
        if (rc) c->rc = rc;
    }
}

static int eval_graphs_call(const lt_vecs *v, const char *labels_path, const lt_graph_eval_opts *o,
        lt_graph_eval_result *out) {
    memset(out, 0, sizeof *out);
    int folds = o->folds;
    if (!v->labels) return lt_err(LT_EINVAL, "the vectors have no labels (graph ids)");
    if (folds < 2) return lt_err(LT_EINVAL, "folds must be >= 2");
    if (o->n_C < 1 || o->n_C > LT_MAX_C) return lt_err(LT_EINVAL, "1 to %d values of C", LT_MAX_C);
    for (int c = 0; c < o->n_C; c++)
        if (!(o->C[c] > 0) || !isfinite(o->C[c]))
            return lt_err(LT_EINVAL, "C must be > 0 and finite");
    if (!(o->gamma >= 0) || !isfinite(o->gamma))
        return lt_err(LT_EINVAL, "gamma must be >= 0 (0: 'scale')");
    int64_t n = v->n;
    int *cls = lt_malloc((size_t)(n ? n : 1) * sizeof(int));
    lt__strmap *names = lt__strmap_new();
    int rc = cls && names ? LT_OK : lt_err(LT_ENOMEM, "out of memory");
    for (int64_t i = 0; cls && i < n; i++) cls[i] = -1;
    graph_classes gc = { labels_path, cls };
    if (rc == LT_OK) rc = lt__read_pairs(v, labels_path, "graph", names, set_class, &gc);
    int L = names ? (int)lt__strmap_size(names) : 0;
    int64_t m = 0;
    int64_t *rows = rc == LT_OK ? lt_malloc((size_t)(n ? n : 1) * 8) : NULL;
    for (int64_t i = 0; rows && i < n; i++)
        if (cls[i] >= 0) rows[m++] = i;
    if (rc == LT_OK && !rows) rc = lt_err(LT_ENOMEM, "out of memory");
    if (rc == LT_OK && (L < 2 || m < folds))
        rc = lt_err(
                LT_EINVAL, "%s: need 2 classes and at least %d labelled items", labels_path, folds);
    /* the SVM holds an m x m kernel per fold in flight: bound the memory */
    double kbytes = (double)m * (double)m * 8;
    if (rc == LT_OK && o->clf == LT_CLF_SVM && kbytes > 8e9)
        rc = lt_err(LT_EINVAL,
                "%lld items: the SVM's kernel matrix would take %.1f GB; use the logistic regression",
                (long long)m, kbytes / 1e9);
    int *fold = NULL, *yc = NULL;
    int64_t *all = NULL;
    double *acc = NULL, *Cf = NULL;
    if (rc == LT_OK) {
        fold = lt_malloc((size_t)m * sizeof(int));
        yc = lt_malloc((size_t)m * sizeof(int));
        all = lt_malloc((size_t)m * 8);
        acc = lt_calloc((size_t)folds, 8);
        Cf = lt_calloc((size_t)folds, 8);
        if (!fold || !yc || !all || !acc || !Cf) rc = lt_err(LT_ENOMEM, "out of memory");
    }
    if (rc == LT_OK) {
        for (int64_t i = 0; i < m; i++) {
            yc[i] = cls[rows[i]];
            all[i] = i;
        }
        lt_rng r;
        lt_rng_seed(&r, o->seed, 0);
        rc = lt__strat_folds(yc, all, m, L, folds, &r, fold);
    }
    if (rc == LT_OK) {
        int nt = o->n_threads < 1 ? 1 : o->n_threads > folds ? folds : o->n_threads;
        if (o->clf == LT_CLF_SVM)
            while (nt > 1 && nt * kbytes > 4e9) nt--;
        cv_ctx c = { o, v, rows, yc, fold, m, L, acc, Cf, 0 };
        lt_parallel_for(nt, folds, folds_range, &c);
        rc = c.rc;
    }
    if (rc == LT_OK) {
        double s = 0, s2 = 0;
        for (int f = 0; f < folds; f++) {
            s += acc[f];
            s2 += acc[f] * acc[f];
        }
        out->accuracy = s / folds;
        double var = (s2 - s * s / folds) / (folds - 1);
        out->sd = var > 0 ? sqrt(var) : 0;
        int best = 0; /* the C chosen most often, the first listed on ties */
        for (int c = 0, bn = -1; c < o->n_C; c++) {
            int cnt = 0;
            for (int f = 0; f < folds; f++) cnt += Cf[f] == o->C[c];
            if (cnt > bn) {
                bn = cnt;
                best = c;
            }
        }
        out->C = o->C[best];
        out->items = m;
        out->classes = L;
        out->folds = folds;
    }
    lt__strmap_free(names);
    lt_free(cls);
    lt_free(rows);
    lt_free(fold);
    lt_free(yc);
    lt_free(all);
    lt_free(acc);
    lt_free(Cf);
    return rc;
}

int lt_eval_graphs(const lt_vecs *v, const char *labels_path, const lt_graph_eval_opts *o,
        lt_graph_eval_result *out) {
    int saved = lt_blas_begin(1); /* parallel over its own work: BLAS on one thread */
    int rc = eval_graphs_call(v, labels_path, o, out);
    lt_blas_end(saved);
    return rc;
}
