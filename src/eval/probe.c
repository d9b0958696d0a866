/* Probes (see eval.h): multinomial logistic regression by L-BFGS, and k nearest neighbours. */
#include "latent/kern.h"
#include "eval_impl.h"
#include <math.h>
#include <string.h>

void lt_probe_opts_init(lt_probe_opts *o) {
    memset(o, 0, sizeof *o);
    o->kind = LT_PROBE_LOGREG;
    o->C = 1;
    o->tol = 1e-4;
    o->max_iter = 1000;
    o->k = 5;
    o->metric = LT_METRIC_L2;
    o->n_threads = 1;
}

/* ---- multinomial logistic regression ---- */
typedef struct {
    const float *X;
    int64_t n, d, ldx; /* rows (f32, stride ldx) */
    const int *y;
    int L;
    double C;
    float *Wf, *Z; /* L x d weights as f32; n x L scores / residuals */
} mlr;

/* objective and gradient at w (L x (d + 1): weights then intercept per class) */
static double mlr_eval(mlr *p, const double *w, double *g) {
    int64_t n = p->n, d = p->d, L = p->L, k = d + 1;
    for (int64_t l = 0; l < L; l++)
        for (int64_t j = 0; j < d; j++) p->Wf[l * d + j] = (float)w[l * k + j];
    lt_sgemm(0, 1, (int)n, (int)L, (int)d, 1.0f, p->X, (int)p->ldx, p->Wf, (int)d, 0.0f, p->Z,
            (int)L);
    double f = 0;
    double *gb = g + d; /* intercept gradients accumulate here per class (stride k) */
    for (int64_t l = 0; l < L; l++) gb[l * k] = 0;
    double zi[1024] = { 0 }, e[1024];
    for (int64_t i = 0; i < n; i++) {
        float *z = p->Z + i * L;
        double mx = -INFINITY, s = 0;
        for (int64_t l = 0; l < L; l++) {
            zi[l] = z[l] + w[l * k + d];
            if (zi[l] > mx) mx = zi[l];
        }
        for (int64_t l = 0; l < L; l++) {
            e[l] = exp(zi[l] - mx);
            s += e[l];
        }
        f += mx + log(s) - zi[p->y[i]];
        for (int64_t l = 0; l < L; l++) {
            double r = e[l] / s - (l == p->y[i]);
            z[l] = (float)r;
            gb[l * k] += r;
        }
    }
    /* weight gradients: C * R^T X + W (the intercepts are not penalised) */
    float *G = p->Wf;
    lt_sgemm(1, 0, (int)L, (int)d, (int)n, 1.0f, p->Z, (int)L, p->X, (int)p->ldx, 0.0f, G, (int)d);
    double reg = 0;
    for (int64_t l = 0; l < L; l++) {
        for (int64_t j = 0; j < d; j++) {
            g[l * k + j] = p->C * G[l * d + j] + w[l * k + j];
            reg += w[l * k + j] * w[l * k + j];
        }
        g[l * k + d] *= p->C;
    }
    return p->C * f + reg / 2;
}

enum { MEM = 10 };
/* L-BFGS (two-loop recursion, Armijo backtracking); returns iterations */
static int lbfgs(mlr *p, double *w, int64_t nw, int max_iter, double gtol, int *rc) {
    double *g = lt_calloc((size_t)nw, 8), *gn = lt_malloc((size_t)nw * 8),
           *dir = lt_malloc((size_t)nw * 8), *wn = lt_malloc((size_t)nw * 8);
    double *S = lt_malloc((size_t)MEM * nw * 8), *Y = lt_malloc((size_t)MEM * nw * 8), rho[MEM],
           al[MEM];
    if (!g || !gn || !dir || !wn || !S || !Y) {
        *rc = lt_err(LT_ENOMEM, "out of memory");
        lt_free(g);
        lt_free(gn);
        lt_free(dir);
        lt_free(wn);
        lt_free(S);
        lt_free(Y);
        return 0;
    }
    double f = mlr_eval(p, w, g), scale = p->C * (double)p->n;
    int it = 0, m = 0, head = 0;
    for (; it < max_iter; it++) {
        double gmax = 0;
        for (int64_t i = 0; i < nw; i++) gmax = fmax(gmax, fabs(g[i]));
        if (gmax / scale < gtol) break;
        /* direction = -H g */
        for (int64_t i = 0; i < nw; i++) dir[i] = -g[i];
        for (int j = 0; j < m; j++) {
            int s = (head - 1 - j + MEM) % MEM;
            double a = 0;
            for (int64_t i = 0; i < nw; i++) a += S[s * nw + i] * dir[i];
            al[s] = a * rho[s];
            for (int64_t i = 0; i < nw; i++) dir[i] -= al[s] * Y[s * nw + i];
        }
        if (m) {
            int s = (head - 1 + MEM) % MEM;
            double yy = 0, sy = 0;
            for (int64_t i = 0; i < nw; i++) {
                yy += Y[s * nw + i] * Y[s * nw + i];
                sy += S[s * nw + i] * Y[s * nw + i];
            }
            for (int64_t i = 0; i < nw; i++) dir[i] *= sy / yy;
        } else {
            double gn2 = 0;
            for (int64_t i = 0; i < nw; i++) gn2 += g[i] * g[i];
            for (int64_t i = 0; i < nw; i++) dir[i] /= sqrt(gn2) > 1 ? sqrt(gn2) : 1;
        }
        for (int j = m - 1; j >= 0; j--) {
            int s = (head - 1 - j + MEM) % MEM;
            double b = 0;
            for (int64_t i = 0; i < nw; i++) b += Y[s * nw + i] * dir[i];
            b *= rho[s];
            for (int64_t i = 0; i < nw; i++) dir[i] += S[s * nw + i] * (al[s] - b);
        }
        double gd = 0;
        for (int64_t i = 0; i < nw; i++) gd += g[i] * dir[i];
        if (gd >= 0) {
            for (int64_t i = 0; i < nw; i++) dir[i] = -g[i];
            gd = 0;
            for (int64_t i = 0; i < nw; i++) gd -= g[i] * g[i];
            m = 0;
        }
        double step = 1, fn = 0;
        int ok = 0;
        for (int ls = 0; ls < 40; ls++) {
            for (int64_t i = 0; i < nw; i++) wn[i] = w[i] + step * dir[i];
            fn = mlr_eval(p, wn, gn);
            if (fn <= f + 1e-4 * step * gd) {
                ok = 1;
                break;
            }
            step /= 2;
        }
        if (!ok) break; /* no decrease left at float precision */
        double sy = 0;
        for (int64_t i = 0; i < nw; i++) {
            S[head * nw + i] = wn[i] - w[i];
            Y[head * nw + i] = gn[i] - g[i];
            sy += S[head * nw + i] * Y[head * nw + i];
        }
        if (sy > 1e-12) {
            rho[head] = 1 / sy;
            head = (head + 1) % MEM;
            if (m < MEM) m++;
        }
        memcpy(w, wn, (size_t)nw * 8);
        memcpy(g, gn, (size_t)nw * 8);
        f = fn;
    }
    lt_free(g);
    lt_free(gn);
    lt_free(dir);
    lt_free(wn);
    lt_free(S);
    lt_free(Y);
    return it;
}

/* rows of v as one dense f32 block, standardised with the statistics of `fit` when asked */
static float *dense_rows(const lt_vecs *v, const lt_vecs *fit, int standardize, int64_t *ld) {
    int64_t n = v->n, d = v->d;
    if (!standardize) {
        *ld = v->ld;
        return NULL;
    }
    float *X = lt_malloc((size_t)(n ? n : 1) * d * 4);
    double *mu = lt_calloc((size_t)d, 8), *sd = lt_calloc((size_t)d, 8);
    if (!X || !mu || !sd) {
        lt_free(X);
        lt_free(mu);
        lt_free(sd);
        return NULL;
    }
    for (int64_t i = 0; i < fit->n; i++)
        for (int64_t j = 0; j < d; j++) mu[j] += lt_vecs_row(fit, i)[j];
    for (int64_t j = 0; j < d; j++) mu[j] /= (double)(fit->n ? fit->n : 1);
    for (int64_t i = 0; i < fit->n; i++)
        for (int64_t j = 0; j < d; j++) {
            double t = lt_vecs_row(fit, i)[j] - mu[j];
            sd[j] += t * t;
        }
    for (int64_t j = 0; j < d; j++) {
        sd[j] = sqrt(sd[j] / (double)(fit->n ? fit->n : 1));
        if (!(sd[j] > 0)) sd[j] = 1;
    }
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < d; j++)
            X[i * d + j] = (float)((lt_vecs_row(v, i)[j] - mu[j]) / sd[j]);
    lt_free(mu);
    lt_free(sd);
    *ld = d;
    return X;
}

static int logreg_predict(const lt_vecs *tr, const int *ytr, const lt_vecs *te, int L,
        const lt_probe_opts *o, int *pred, double *sc, int *iters) {
    int64_t d = tr->d, k = d + 1, ldtr, ldte;
    if (L > 1024) return lt_err(LT_EINVAL, "logistic-regression probe: at most 1024 classes");
    float *Xs = dense_rows(tr, tr, o->standardize, &ldtr),
          *Ts = dense_rows(te, tr, o->standardize, &ldte);
    if (o->standardize && (!Xs || !Ts)) {
        lt_free(Xs);
        lt_free(Ts);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    mlr p = { Xs ? Xs : tr->data, tr->n, d, ldtr, ytr, L, o->C, NULL, NULL };
    double *w = lt_calloc((size_t)L * k, 8);
    p.Wf = lt_malloc((size_t)L * d * 4);
    int64_t zn = tr->n > te->n ? tr->n : te->n;
    p.Z = lt_malloc((size_t)(zn ? zn : 1) * L * 4);
    int rc = w && p.Wf && p.Z ? LT_OK : lt_err(LT_ENOMEM, "out of memory");
    if (rc == LT_OK) *iters = lbfgs(&p, w, L * k, o->max_iter, o->tol, &rc);
    if (rc == LT_OK) {
        for (int64_t l = 0; l < L; l++)
            for (int64_t j = 0; j < d; j++) p.Wf[l * d + j] = (float)w[l * k + j];
        lt_sgemm(0, 1, (int)te->n, L, (int)d, 1.0f, Ts ? Ts : te->data, (int)ldte, p.Wf, (int)d,
                0.0f, p.Z, L);
        for (int64_t i = 0; i < te->n; i++) {
            int best = 0;
            double bz = -INFINITY;
            for (int l = 0; l < L; l++) {
                double z = p.Z[i * L + l] + w[l * k + d];
                if (z > bz) {
                    bz = z;
                    best = l;
                }
            }
            pred[i] = best;
            if (L == 2) sc[i] = (p.Z[i * L + 1] + w[k + d]) - (p.Z[i * L] + w[d]);
        }
    }
    lt_free(w);
    lt_free(p.Wf);
    lt_free(p.Z);
    lt_free(Xs);
    lt_free(Ts);
    return rc;
}

static int knn_predict(const lt_vecs *tr, const int *ytr, const lt_vecs *te, int L,
        const lt_probe_opts *o, int *pred, double *sc) {
    int k = o->k < tr->n ? o->k : (int)tr->n;
    enum { QB = 4096 };
    float *D = lt_malloc((size_t)QB * k * 4);
    int64_t *nb = lt_malloc((size_t)QB * k * 8);
    double *votes = lt_malloc((size_t)L * 8);
    int rc = D && nb && votes ? LT_OK : lt_err(LT_ENOMEM, "out of memory");
    for (int64_t q0 = 0; rc == LT_OK && q0 < te->n; q0 += QB) {
        int64_t nq = te->n - q0 < QB ? te->n - q0 : QB;
        rc = lt_knn_exact(
                tr, te->data + q0 * te->ld, nq, te->ld, k, o->metric, o->n_threads, D, nb);
        for (int64_t q = 0; rc == LT_OK && q < nq; q++) {
            for (int l = 0; l < L; l++) votes[l] = 0;
            int exact = 0;
            if (o->distance_weights)
                for (int j = 0; j < k; j++) exact |= nb[q * k + j] >= 0 && D[q * k + j] <= 0;
            for (int j = 0; j < k; j++) {
                int64_t id = nb[q * k + j];
                if (id < 0) continue;
                double dist = o->metric == LT_METRIC_L2 ? sqrt(fmax(D[q * k + j], 0))
                                                        : fmax(D[q * k + j], 0);
                double wgt = !o->distance_weights ? 1 : exact ? (dist <= 0) : 1 / dist;
                votes[ytr[id]] += wgt;
            }
            int best = 0;
            for (int l = 1; l < L; l++)
                if (votes[l] > votes[best]) best = l;
            pred[q0 + q] = best;
            if (L == 2)
                sc[q0 + q] = votes[0] + votes[1] > 0 ? votes[1] / (votes[0] + votes[1]) : 0.5;
        }
    }
    lt_free(D);
    lt_free(nb);
    lt_free(votes);
    return rc;
}

static void score(const int *y, const int *pred, int64_t n, int L, double *acc, double *macro) {
    int64_t *tp = lt_calloc((size_t)L * 3, 8), ok = 0;
    if (!tp) {
        *acc = *macro = NAN;
        return;
    }
    int64_t *fp = tp + L, *fn = fp + L;
    for (int64_t i = 0; i < n; i++) {
        if (pred[i] == y[i]) {
            ok++;
            tp[y[i]]++;
        } else {
            fp[pred[i]]++;
            fn[y[i]]++;
        }
    }
    double s = 0;
    int present = 0;
    for (int l = 0; l < L; l++) {
        if (!tp[l] && !fp[l] && !fn[l]) continue; /* neither true nor predicted: not counted */
        present++;
        s += 2.0 * tp[l] / (2.0 * tp[l] + fp[l] + fn[l]);
    }
    *acc = n ? (double)ok / (double)n : 0;
    *macro = present ? s / present : 0;
    lt_free(tp);
}

static int check(
        const lt_vecs *tr, const int *ytr, const lt_vecs *te, int L, const lt_probe_opts *o) {
    if (tr->d != te->d)
        return lt_err(LT_EINVAL, "probe: train vectors have %lld dimensions, test vectors %lld",
                (long long)tr->d, (long long)te->d);
    if (tr->n < 1 || L < 1) return lt_err(LT_EINVAL, "probe: no training rows");
    for (int64_t i = 0; i < tr->n; i++)
        if (ytr[i] < 0 || ytr[i] >= L) return lt_err(LT_EINVAL, "probe: class id out of range");
    if (o->kind == LT_PROBE_LOGREG && (!(o->C > 0) || !(o->tol > 0) || o->max_iter < 1))
        return lt_err(LT_EINVAL, "probe: C, tol and max_iter must be positive");
    if (o->kind == LT_PROBE_KNN && o->k < 1) return lt_err(LT_EINVAL, "probe: k must be >= 1");
    return LT_OK;
}

static int probe_call(const lt_vecs *train, const int *ytrain, const lt_vecs *test,
        const int *ytest, int L, const lt_probe_opts *o, lt_probe_result *out) {
    memset(out, 0, sizeof *out);
    int rc = check(train, ytrain, test, L, o);
    if (rc) return rc;
    int *pred = lt_malloc((size_t)(test->n ? test->n : 1) * sizeof(int));
    double *sc = lt_malloc((size_t)(test->n ? test->n : 1) * 8);
    int8_t *pos = L == 2 ? lt_malloc((size_t)(test->n ? test->n : 1)) : NULL;
    if (!pred || !sc || (L == 2 && !pos)) {
        lt_free(pred);
        lt_free(sc);
        lt_free(pos);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    rc = o->kind == LT_PROBE_KNN
            ? knn_predict(train, ytrain, test, L, o, pred, sc)
            : logreg_predict(train, ytrain, test, L, o, pred, sc, &out->iterations);
    if (rc == LT_OK) score(ytest, pred, test->n, L, &out->accuracy, &out->macro_f1);
    out->auc = NAN;
    if (rc == LT_OK && L == 2) { /* binary: ROC-AUC of the score of the second class */
        for (int64_t i = 0; i < test->n; i++) pos[i] = ytest[i] == 1 ? 1 : -1;
        out->auc = lt_roc_auc(sc, pos, test->n);
    }
    lt_free(sc);
    lt_free(pos);
    out->n_train = train->n;
    out->n_test = test->n;
    out->classes = L;
    out->folds = 1;
    lt_free(pred);
    return rc;
}

static lt_vecs *subset(const lt_vecs *X, const int64_t *rows, int64_t n) {
    lt_vecs *v = lt_vecs_new(n, X->d);
    for (int64_t i = 0; v && i < n; i++)
        memcpy(lt_vecs_row(v, i), lt_vecs_row(X, rows[i]), (size_t)X->d * 4);
    return v;
}

static int probe_cv_call(const lt_vecs *X, const int *y, int L, int folds, uint64_t seed,
        const lt_probe_opts *o, lt_probe_result *out) {
    memset(out, 0, sizeof *out);
    int64_t n = X->n;
    if (folds < 2 || folds > n) return lt_err(LT_EINVAL, "probe: 2 to %lld folds", (long long)n);
    int64_t *all = lt_malloc((size_t)n * 8), *tr = lt_malloc((size_t)n * 8),
            *te = lt_malloc((size_t)n * 8);
    int *fold = lt_malloc((size_t)n * sizeof(int)), *ytr = lt_malloc((size_t)n * sizeof(int)),
        *yte = lt_malloc((size_t)n * sizeof(int));
    int rc = all && tr && te && fold && ytr && yte ? LT_OK : lt_err(LT_ENOMEM, "out of memory");
    double sa = 0, sa2 = 0, sf = 0, su = 0;
    if (rc == LT_OK) {
        for (int64_t i = 0; i < n; i++) all[i] = i;
        lt_rng r;
        lt_rng_seed(&r, seed, 0);
        rc = lt__strat_folds(y, all, n, L, folds, &r, fold);
    }
    for (int f = 0; rc == LT_OK && f < folds; f++) {
        int64_t a = 0, b = 0;
        for (int64_t i = 0; i < n; i++) {
            if (fold[i] == f) {
                yte[b] = y[i];
                te[b++] = i;
            } else {
                ytr[a] = y[i];
                tr[a++] = i;
            }
        }
        lt_vecs *A = subset(X, tr, a), *B = subset(X, te, b);
        lt_probe_result pr;
        rc = A && B ? lt_probe(A, ytr, B, yte, L, o, &pr) : lt_err(LT_ENOMEM, "out of memory");
        lt_vecs_free(A);
        lt_vecs_free(B);
        if (rc == LT_OK) {
            sa += pr.accuracy;
            sa2 += pr.accuracy * pr.accuracy;
            sf += pr.macro_f1;
            su += pr.auc;
            out->iterations += pr.iterations;
        }
    }
    if (rc == LT_OK) {
        out->accuracy = sa / folds;
        out->macro_f1 = sf / folds;
        out->auc = su / folds;
        double var = (sa2 - sa * sa / folds) / (folds - 1);
        out->sd_accuracy = var > 0 ? sqrt(var) : 0;
        out->n_train = n;
        out->n_test = n;
        out->classes = L;
        out->folds = folds;
    }
    lt_free(all);
    lt_free(tr);
    lt_free(te);
    lt_free(fold);
    lt_free(ytr);
    lt_free(yte);
    return rc;
}

int lt_probe(const lt_vecs *train, const int *ytrain, const lt_vecs *test, const int *ytest, int L,
        const lt_probe_opts *o, lt_probe_result *out) {
    int saved = lt_blas_begin(o ? o->n_threads : 1); /* BLAS threads: the call's own */
    int rc = probe_call(train, ytrain, test, ytest, L, o, out);
    lt_blas_end(saved);
    return rc;
}

int lt_probe_cv(const lt_vecs *X, const int *y, int L, int folds, uint64_t seed,
        const lt_probe_opts *o, lt_probe_result *out) {
    int saved = lt_blas_begin(o ? o->n_threads : 1); /* BLAS threads: the call's own */
    int rc = probe_cv_call(X, y, L, folds, seed, o, out);
    lt_blas_end(saved);
    return rc;
}
