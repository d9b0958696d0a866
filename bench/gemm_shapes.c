#include "latent/latent.h"
#include <stdio.h>
#include <stdlib.h>
static void run(int m, int n, int k, int flags) {
    float *A = lt_aligned_alloc((size_t)m * k * 4), *W = lt_aligned_alloc((size_t)n * k * 4),
          *C = lt_aligned_alloc((size_t)m * n * 4), *b = lt_aligned_alloc(n * 4);
    for (long i = 0; i < (long)m * k; i++) A[i] = (float)(i % 7) * 0.1f;
    for (long i = 0; i < (long)n * k; i++) W[i] = (float)(i % 5) * 0.1f;
    for (int i = 0; i < n; i++) b[i] = 0.01f * i;
    lt_packed P;
    lt_pack_rows(&P, W, n, k, k);
    int reps = (int)(4e9 / (2.0 * m * n * k));
    if (reps < 3) reps = 3;
    double best = 1e9;
    for (int t = 0; t < 5; t++) {
        double t0 = lt_now();
        for (int r = 0; r < reps; r++) lt_gemm_packed(m, A, k, &P, C, n, b, flags, 1);
        double tp = (lt_now() - t0) / reps;
        if (tp < best) best = tp;
    }
    printf("m %5d n %4d k %4d fl %d: %6.1f GFLOP/s\n", m, n, k, flags,
            2.0 * m * n * k / best / 1e9);
    lt_packed_free(&P);
    lt_aligned_free(A);
    lt_aligned_free(W);
    lt_aligned_free(C);
}
int main(int argc, char **argv) {
    int m = argc > 1 ? atoi(argv[1]) : 128;
    run(m, 1152, 384, 1);
    run(m, 384, 384, 1);
    run(m, 1536, 384, 3);
    run(m, 384, 1536, 5);
    run(m, 2304, 768, 1);
    run(m, 3072, 768, 3);
    run(m, 768, 3072, 5);
    return 0;
}
