/* The training core's GEMM shapes: OpenBLAS (lt_sgemm) against latent's packed kernel
 * (lt_gemm_packed, packing included, as every training step must repack), one thread; and the
 * machine's practical peak, OpenBLAS on 2048^3 with 1 and 2 threads.
 *   cc -O2 -Iinclude -o build/nn_gemm_shapes bench/nn_gemm_shapes.c build/liblatent.a $(LDLIBS) */
#include "latent/latent.h"
#include <stdio.h>

static void run(int trans_w, int m, int n, int k) {
    float *A = lt_aligned_alloc((size_t)m * k * 4), *W = lt_aligned_alloc((size_t)n * k * 4),
          *C = lt_aligned_alloc((size_t)m * n * 4);
    for (long i = 0; i < (long)m * k; i++) A[i] = (float)(i % 7) * 0.1f;
    for (long i = 0; i < (long)n * k; i++) W[i] = (float)(i % 5) * 0.1f;
    int reps = (int)(2e10 / (2.0 * m * n * k));
    if (reps < 3) reps = 3;
    double t0 = lt_now();
    for (int r = 0; r < reps; r++)
        lt_sgemm(0, trans_w, m, n, k, 1, A, k, W, trans_w ? k : n, 0, C, n);
    double tb = (lt_now() - t0) / reps;
    lt_packed P;
    if (trans_w) lt_pack_rows(&P, W, n, k, k);
    else lt_pack_cols(&P, W, k, n, n);
    t0 = lt_now();
    for (int r = 0; r < reps; r++) {
        if (trans_w) lt_pack_rows_to(P.p, W, n, k, k);
        else lt_pack_cols_to(P.p, W, k, n, n);
        lt_gemm_packed(m, A, k, &P, C, n, NULL, 0, 1);
    }
    double tp = (lt_now() - t0) / reps;
    printf("%s m %5d n %4d k %4d: openblas %6.1f GFLOP/s, packed %6.1f GFLOP/s\n",
            trans_w ? "A W^T" : "A B  ", m, n, k, 2.0 * m * n * k / tb / 1e9,
            2.0 * m * n * k / tp / 1e9);
    lt_packed_free(&P);
    lt_aligned_free(A);
    lt_aligned_free(W);
    lt_aligned_free(C);
}

int main(void) {
    lt_blas_threads(1);
    /* forward passes: the autoencoder's layers, the CNN's fc1 and conv2 (im2col rows) */
    run(1, 256, 256, 784);
    run(1, 256, 784, 256);
    run(1, 256, 32, 256);
    run(1, 128, 64, 1568);
    run(1, 25088, 32, 144);
    /* input gradients dX = dY W */
    run(0, 25088, 144, 32);
    run(0, 256, 256, 32);
    run(0, 256, 784, 256);
    run(0, 128, 1568, 64);
    int big = 2048;
    float *A = lt_aligned_alloc((size_t)big * big * 4),
          *C = lt_aligned_alloc((size_t)big * big * 4);
    for (long i = 0; i < (long)big * big; i++) A[i] = 0.001f * (i % 11);
    for (int t = 1; t <= 2; t++) {
        lt_blas_threads(t);
        lt_sgemm(0, 0, big, big, big, 1, A, big, A, big, 0, C, big);
        double t0 = lt_now();
        for (int r = 0; r < 3; r++) lt_sgemm(0, 0, big, big, big, 1, A, big, A, big, 0, C, big);
        printf("peak: sgemm 2048^3, %d thread(s): %.1f GFLOP/s\n", t,
                3 * 2.0 * big * big * (double)big / (lt_now() - t0) / 1e9);
    }
    return 0;
}
