/* latent classify: the classifiers the evaluations train (logistic regression, a kernel SVM).
 * Plain numeric routines on dense double matrices; eval's probes and node and graph
 * classification call them, and so may a user. */
#ifndef LATENT_CLASSIFY_H
#define LATENT_CLASSIFY_H
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* L2-regularised logistic regression, scikit-learn's objective: minimise
 * C * sum_i log(1 + exp(-y_i (w.x_i + b))) + |w|^2 / 2 (b not penalised), by Newton's method.
 * Xa: n rows of d features followed by a 1 (n x (d + 1), row-major); y: +1 / -1;
 * w: d + 1 outputs (the intercept last). */
typedef struct lt_logreg_opts {
    double C;
    int max_iter;
    double tol;
} lt_logreg_opts;
void lt_logreg_opts_init(lt_logreg_opts *o); /* C 1, 100 iterations, gradient tolerance 1e-10 */
int lt_logreg_fit(const double *Xa, int64_t n, int64_t d, const int8_t *y, const lt_logreg_opts *o,
        double *w);

/* C-support vector classification (LIBSVM's dual, solved by SMO with second-order working-set
 * selection) on a precomputed kernel matrix K (row-major, leading dimension ldk): the n
 * training items are rows and columns idx[0..n) of K, y[i] = +1 / -1. On return coef[i] =
 * alpha_i y_i and rho: an item x's decision value is sum_i coef[i] K(idx[i], x) - rho (> 0:
 * the +1 class). iters (may be NULL): SMO steps taken. */
typedef struct lt_svm_opts {
    double C, tol;
    int64_t max_iter;
} lt_svm_opts;
void lt_svm_opts_init(lt_svm_opts *o); /* C 1, tol 1e-3 (scikit-learn's), at most 10^7 steps */
int lt_svm_fit(const double *K, int64_t ldk, const int64_t *idx, int64_t n, const int8_t *y,
        const lt_svm_opts *o, double *coef, double *rho, int64_t *iters);
/* K (n x n) = exp(-gamma |x_i - x_j|^2) over the rows of X (n x d, leading dimension ldx). */
int lt_rbf_kernel(const double *X, int64_t n, int64_t d, int64_t ldx, double gamma, double *K);

#ifdef __cplusplus
}
#endif
#endif
