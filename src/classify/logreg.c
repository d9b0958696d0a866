/* L2-regularised logistic regression (scikit-learn's objective: C * sum of log-losses +
 * |w|^2 / 2, intercept not penalised) by Newton's method with a backtracking line search:
 * the Hessian X^T D X is formed with OpenBLAS dsyrk and solved by Cholesky, so a few
 * iterations reach the optimum to machine precision. */
#include "latent/kern.h"
#include "latent/classify.h"
#include "latent/core.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lt_logreg_opts_init(lt_logreg_opts *o) {
    memset(o, 0, sizeof *o); /* every field, the ones added later included */
    o->C = 1.0;
    o->max_iter = 100;
    o->tol = 1e-10;
}

static double log1pexp(double z) { return z > 0 ? z + log1p(exp(-z)) : log1p(exp(z)); }

/* Cholesky solve of the SPD system A x = b (A: k x k, overwritten). 0 on success. */
static int chol_solve(double *A, int k, double *b) {
    for (int j = 0; j < k; j++) {
        double s = A[j * k + j];
        for (int p = 0; p < j; p++) s -= A[j * k + p] * A[j * k + p];
        if (!(s > 0)) return -1;
        double l = sqrt(s);
        A[j * k + j] = l;
        for (int i = j + 1; i < k; i++) {
            double t = A[i * k + j];
            for (int p = 0; p < j; p++) t -= A[i * k + p] * A[j * k + p];
            A[i * k + j] = t / l;
        }
    }
    for (int i = 0; i < k; i++) {
        double t = b[i];
        for (int p = 0; p < i; p++) t -= A[i * k + p] * b[p];
        b[i] = t / A[i * k + i];
    }
    for (int i = k - 1; i >= 0; i--) {
        double t = b[i];
        for (int p = i + 1; p < k; p++) t -= A[p * k + i] * b[p];
        b[i] = t / A[i * k + i];
    }
    return 0;
}

/* objective: C sum log(1 + exp(-y z)) + |w|^2 / 2, z = X w + b, y in {-1, +1} */
static double objective(
        const double *Xa, int64_t n, int k, const double *w, const int8_t *y, double C, double *z) {
    lt_dgemv(0, (int)n, k, 1.0, Xa, k, w, 0.0, z);
    double f = 0;
    for (int64_t i = 0; i < n; i++) f += log1pexp(-y[i] * z[i]);
    double r = 0;
    for (int j = 0; j < k - 1; j++) r += w[j] * w[j];
    return C * f + 0.5 * r;
}

int lt_logreg_fit(const double *Xa, int64_t n, int64_t d, const int8_t *y, const lt_logreg_opts *o,
        double *w) {
    int k = (int)d + 1; /* features plus the intercept column (last, all ones) */
    double C = o->C;
    double *z = lt_malloc((size_t)n * 8), *g = lt_malloc((size_t)k * 8),
           *H = lt_malloc((size_t)k * k * 8);
    double *S = lt_malloc((size_t)n * k * 8), *step = lt_malloc((size_t)k * 8),
           *wn = lt_malloc((size_t)k * 8), *zn = lt_malloc((size_t)n * 8);
    if (!z || !g || !H || !S || !step || !wn || !zn) {
        lt_free(z);
        lt_free(g);
        lt_free(H);
        lt_free(S);
        lt_free(step);
        lt_free(wn);
        lt_free(zn);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    memset(w, 0, (size_t)k * 8);
    double f = objective(Xa, n, k, w, y, C, z);
    int rc = LT_OK;
    for (int it = 0; it < o->max_iter; it++) {
        /* gradient: C X^T (sigma(z) - t) + [w; 0]; Hessian: C X^T D X + diag(1..1, 0) */
        double *r = zn;
        for (int64_t i = 0; i < n; i++) {
            double p = 1 / (1 + exp(-z[i])), t = y[i] > 0;
            r[i] = C * (p - t);
            double dd = sqrt(C * p * (1 - p));
            for (int j = 0; j < k; j++) S[i * k + j] = Xa[i * k + j] * dd;
        }
        lt_dgemv(1, (int)n, k, 1.0, Xa, k, r, 0.0, g);
        double gn = 0;
        for (int j = 0; j < k; j++) {
            if (j < k - 1) g[j] += w[j];
            gn += g[j] * g[j];
        }
        if (sqrt(gn) <= o->tol * (1 + fabs(f))) break;
        lt_dsyrk(0, 1, k, (int)n, 1.0, S, k, 0.0, H, k);
        for (int j = 0; j < k - 1; j++) H[j * k + j] += 1;
        H[(k - 1) * k + (k - 1)] += 1e-12; /* the unpenalised intercept: keep the system definite */
        for (int j = 0; j < k; j++) step[j] = -g[j];
        if (chol_solve(H, k, step)) {
            rc = lt_err(LT_EINVAL, "logistic regression: singular Hessian");
            break;
        }
        double dec = 0;
        for (int j = 0; j < k; j++) dec += g[j] * step[j];
        double a = 1, fn = 0;
        for (int ls = 0; ls < 60; ls++, a *= 0.5) {
            for (int j = 0; j < k; j++) wn[j] = w[j] + a * step[j];
            fn = objective(Xa, n, k, wn, y, C, zn);
            if (fn <= f + 1e-4 * a * dec) break;
        }
        if (!(fn <= f)) break; /* no progress possible: at the optimum to rounding */
        memcpy(w, wn, (size_t)k * 8);
        memcpy(z, zn, (size_t)n * 8);
        double df = f - fn;
        f = fn;
        if (df <= 1e-15 * (1 + fabs(f))) break;
    }
    lt_free(z);
    lt_free(g);
    lt_free(H);
    lt_free(S);
    lt_free(step);
    lt_free(wn);
    lt_free(zn);
    return rc;
}

/* ---- node classification ---- */
