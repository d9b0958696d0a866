/* C-support vector classification on a precomputed kernel: the dual
 *     min 1/2 a^T Q a - e^T a,   0 <= a_i <= C,   y^T a = 0,   Q_ij = y_i y_j K_ij
 * solved by sequential minimal optimisation with the second-order working-set selection of
 * Fan, Chen and Lin (JMLR 2005), the method LIBSVM and so scikit-learn's SVC use: each step
 * picks the most violating index i, then the j that most decreases the objective given i,
 * and solves the two-variable problem in closed form, clipped to the box. Stops when the
 * maximal violation m(a) - M(a) is below tol (scikit-learn's default 1e-3). No shrinking:
 * the kernel is already in memory, so a step costs two kernel rows. */
#include "latent/kern.h"
#include "latent/classify.h"
#include "latent/core.h"
#include <math.h>
#include <string.h>

void lt_svm_opts_init(lt_svm_opts *o) {
    memset(o, 0, sizeof *o); /* every field, the ones added later included */
    o->C = 1.0;
    o->tol = 1e-3;
    o->max_iter = 10000000;
}

int lt_rbf_kernel(const double *X, int64_t n, int64_t d, int64_t ldx, double gamma, double *K) {
    if (n <= 0) return LT_OK;
    if (!(gamma > 0)) return lt_err(LT_EINVAL, "RBF kernel: gamma must be > 0");
    /* |x_i - x_j|^2 = |x_i|^2 + |x_j|^2 - 2 x_i.x_j, the dot products by one dsyrk */
    lt_dsyrk(0, 0, (int)n, (int)d, 1.0, X, (int)ldx, 0.0, K, (int)n);
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < i; j++) {
            double d2 = K[i * n + i] + K[j * n + j] - 2 * K[i * n + j];
            K[i * n + j] = K[j * n + i] = exp(-gamma * (d2 > 0 ? d2 : 0));
        }
    for (int64_t i = 0; i < n; i++) K[i * n + i] = 1;
    return LT_OK;
}

int lt_svm_fit(const double *K, int64_t ldk, const int64_t *idx, int64_t n, const int8_t *y,
        const lt_svm_opts *o, double *coef, double *rho, int64_t *iters) {
    if (!(o->C > 0) || !(o->tol > 0)) return lt_err(LT_EINVAL, "SVM: C and tol must be > 0");
    double *a = lt_malloc((size_t)(n ? n : 1) * 8), *G = lt_malloc((size_t)(n ? n : 1) * 8);
    if (!a || !G) {
        lt_free(a);
        lt_free(G);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    const double C = o->C, tau = 1e-12;
    for (int64_t t = 0; t < n; t++) {
        a[t] = 0;
        G[t] = -1;
    } /* G = Q a - e */
#define KK(i, j) K[idx[i] * ldk + idx[j]]
    int64_t it = 0;
    for (; it < o->max_iter; it++) {
        /* i: the largest -y_t G_t over the indices that may move up */
        double Gmax = -INFINITY, Gmin = INFINITY;
        int64_t i = -1, j = -1;
        for (int64_t t = 0; t < n; t++) {
            int up = y[t] > 0 ? a[t] < C : a[t] > 0;
            if (up && -y[t] * G[t] >= Gmax) {
                Gmax = -y[t] * G[t];
                i = t;
            }
        }
        if (i < 0) break;
        /* j: among those that may move down with -y_t G_t < Gmax, the largest decrease b^2 / a */
        const double *Ki = K + idx[i] * ldk;
        double best = INFINITY, Kii = Ki[idx[i]];
        for (int64_t t = 0; t < n; t++) {
            int low = y[t] > 0 ? a[t] > 0 : a[t] < C;
            if (!low) continue;
            double v = -y[t] * G[t];
            if (v < Gmin) Gmin = v;
            double b = Gmax - v;
            if (b > 0) {
                double q = Kii + KK(t, t) - 2 * Ki[idx[t]];
                double obj = -b * b / (q > 0 ? q : tau);
                if (obj <= best) {
                    best = obj;
                    j = t;
                }
            }
        }
        if (Gmax - Gmin < o->tol || j < 0) break;
        /* the two-variable subproblem (Q_ii + Q_jj - 2 y_i y_j Q_ij = K_ii + K_jj - 2 K_ij) */
        double q = Kii + KK(j, j) - 2 * Ki[idx[j]];
        if (q <= 0) q = tau;
        double ai = a[i], aj = a[j];
        if (y[i] != y[j]) {
            double delta = (-G[i] - G[j]) / q, diff = ai - aj;
            a[i] += delta;
            a[j] += delta;
            if (diff > 0) {
                if (a[j] < 0) {
                    a[j] = 0;
                    a[i] = diff;
                }
            } else if (a[i] < 0) {
                a[i] = 0;
                a[j] = -diff;
            }
            if (diff > 0) {
                if (a[i] > C) {
                    a[i] = C;
                    a[j] = C - diff;
                }
            } else if (a[j] > C) {
                a[j] = C;
                a[i] = C + diff;
            }
        } else {
            double delta = (G[i] - G[j]) / q, sum = ai + aj;
            a[i] -= delta;
            a[j] += delta;
            if (sum > C) {
                if (a[i] > C) {
                    a[i] = C;
                    a[j] = sum - C;
                }
            } else if (a[j] < 0) {
                a[j] = 0;
                a[i] = sum;
            }
            if (sum > C) {
                if (a[j] > C) {
                    a[j] = C;
                    a[i] = sum - C;
                }
            } else if (a[i] < 0) {
                a[i] = 0;
                a[j] = sum;
            }
        }
        /* G_t += Q_ti da_i + Q_tj da_j */
        double di = (a[i] - ai) * y[i], dj = (a[j] - aj) * y[j];
        const double *Kj = K + idx[j] * ldk;
        for (int64_t t = 0; t < n; t++) G[t] += y[t] * (Ki[idx[t]] * di + Kj[idx[t]] * dj);
    }
#undef KK
    /* rho: the mean of y_t G_t over free variables, else the middle of the feasible interval */
    double ub = INFINITY, lb = -INFINITY, sum = 0;
    int64_t nfree = 0;
    for (int64_t t = 0; t < n; t++) {
        double yg = y[t] * G[t];
        if (a[t] >= C) {
            if (y[t] < 0) ub = fmin(ub, yg);
            else lb = fmax(lb, yg);
        } else if (a[t] <= 0) {
            if (y[t] > 0) ub = fmin(ub, yg);
            else lb = fmax(lb, yg);
        } else {
            sum += yg;
            nfree++;
        }
    }
    *rho = nfree ? sum / (double)nfree : (ub + lb) / 2;
    for (int64_t t = 0; t < n; t++) coef[t] = a[t] * y[t];
    if (iters) *iters = it;
    lt_free(a);
    lt_free(G);
    return LT_OK;
}
