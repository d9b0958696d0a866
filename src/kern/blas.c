/* lt_sgemm: general matrix products through the CPU BLAS (OpenBLAS's cblas). */
#include "latent/kern.h"
#include <cblas.h>
#include <lapacke.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void openblas_set_num_threads(int);
int openblas_get_num_threads(void);

void lt_sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *A,
        int64_t lda, const float *B, int64_t ldb, float beta, float *C, int64_t ldc) {
    if (m <= 0 || n <= 0) return;
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
            trans_b ? CblasTrans : CblasNoTrans, m, n, k, alpha, A, (int)lda, B, (int)ldb, beta, C,
            (int)ldc);
}

/* OpenBLAS's pool threads poll (sched_yield) for a while after start-up and after each call;
 * a caller that runs its own threads on one-threaded BLAS calls stops them, or they take a
 * core from the caller's threads (measured: a 35 ms encode on 2 threads ran at 1-thread speed).
 * The pool is rebuilt by OpenBLAS on the next call that wants more threads. Weak: other BLAS
 * builds lack the symbol. */
int blas_thread_shutdown_(void) __attribute__((weak));

void lt_dgemm(int trans_a, int trans_b, int m, int n, int k, double alpha, const double *A,
        int64_t lda, const double *B, int64_t ldb, double beta, double *C, int64_t ldc) {
    if (m <= 0 || n <= 0) return;
    cblas_dgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
            trans_b ? CblasTrans : CblasNoTrans, m, n, k, alpha, A, (int)lda, B, (int)ldb, beta, C,
            (int)ldc);
}

void lt_sgemv(int trans, int m, int n, float alpha, const float *A, int64_t lda, const float *x,
        float beta, float *y) {
    cblas_sgemv(CblasRowMajor, trans ? CblasTrans : CblasNoTrans, m, n, alpha, A, (int)lda, x, 1,
            beta, y, 1);
}
void lt_dgemv(int trans, int m, int n, double alpha, const double *A, int64_t lda, const double *x,
        double beta, double *y) {
    cblas_dgemv(CblasRowMajor, trans ? CblasTrans : CblasNoTrans, m, n, alpha, A, (int)lda, x, 1,
            beta, y, 1);
}
void lt_ssyrk(int upper, int trans, int n, int k, float alpha, const float *A, int64_t lda,
        float beta, float *C, int64_t ldc) {
    cblas_ssyrk(CblasRowMajor, upper ? CblasUpper : CblasLower, trans ? CblasTrans : CblasNoTrans,
            n, k, alpha, A, (int)lda, beta, C, (int)ldc);
}
void lt_dsyrk(int upper, int trans, int n, int k, double alpha, const double *A, int64_t lda,
        double beta, double *C, int64_t ldc) {
    cblas_dsyrk(CblasRowMajor, upper ? CblasUpper : CblasLower, trans ? CblasTrans : CblasNoTrans,
            n, k, alpha, A, (int)lda, beta, C, (int)ldc);
}
int lt_dsyev(int n, double *A, int64_t lda, double *w) {
    return (int)LAPACKE_dsyev(LAPACK_ROW_MAJOR, 'V', 'U', n, A, (lapack_int)lda, w);
}
int lt_dsyevd(int n, double *A, int64_t lda, double *w) {
    return (int)LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'U', n, A, (lapack_int)lda, w);
}
int lt_dsyevr(int n, double *A, int64_t lda, int il, int iu, int *found, double *w, double *Z,
        int64_t ldz, int *isuppz) {
    lapack_int m = 0;
    lapack_int info = LAPACKE_dsyevr(LAPACK_ROW_MAJOR, 'V', 'I', 'U', n, A, (lapack_int)lda, 0, 0,
            il, iu, 0.0, &m, w, Z, (lapack_int)ldz, isuppz);
    *found = (int)m;
    return (int)info;
}
int lt_dqr_q(int m, int n, double *A, int64_t lda, double *tau) {
    lapack_int info = LAPACKE_dgeqrf(LAPACK_ROW_MAJOR, m, n, A, (lapack_int)lda, tau);
    if (info == 0) info = LAPACKE_dorgqr(LAPACK_ROW_MAJOR, m, n, n, A, (lapack_int)lda, tau);
    return (int)info;
}

void lt_blas_threads(int n) {
    openblas_set_num_threads(n < 1 ? 1 : n);
    if (n <= 1 && blas_thread_shutdown_) blas_thread_shutdown_();
}
int lt_blas_get_threads(void) { return openblas_get_num_threads(); }
int lt_blas_begin(int n) {
    int saved = openblas_get_num_threads();
    if (n > 0 && n != saved) lt_blas_threads(n);
    return saved;
}
void lt_blas_end(int saved) {
    if (saved > 0 && saved != openblas_get_num_threads()) lt_blas_threads(saved);
}

char *openblas_get_corename(void) __attribute__((weak));
static int blas_avx512(void) {
    if (!openblas_get_corename) return 1; /* another BLAS: assume it is tuned */
    const char *c = openblas_get_corename(),
               *fast[] = { "skylakex", "cooperlake", "sapphirerapids" };
    for (int i = 0; c && i < 3; i++)
        if (!strcasecmp(c, fast[i])) return 1;
    return 0;
}
static int g_packed;
static pthread_once_t g_packed_once = PTHREAD_ONCE_INIT;
static void pick_packed(void) {
    const char *e = getenv("LATENT_PACKED");
    g_packed = e && *e ? *e == '1' : !strcmp(lt_kern()->name, "avx512") && !blas_avx512();
}
int lt_prefer_packed(void) {
    pthread_once(&g_packed_once, pick_packed); /* called from training threads */
    return g_packed;
}
