/* Elementwise loops of the layers, compiled with -O3 and cloned per ISA (AVX-512, AVX2,
 * baseline) by the compiler, the clone chosen at load time from the CPU. Plain C: each is
 * its own reference, and the layer tests compare the layers built on them with ref.c. */
#include "nn_vec.h"

#define CLONES __attribute__((target_clones("avx512f", "avx2", "default")))

CLONES void lt__v_add_bias(float *y, int64_t rows, int64_t n, const float *bias) {
    for (int64_t i = 0; i < rows; i++) {
        float *r = y + i * n;
        for (int64_t j = 0; j < n; j++) r[j] += bias[j];
    }
}

CLONES void lt__v_col_sums(const float *dy, int64_t rows, int64_t n, float *g) {
    for (int64_t i = 0; i < rows; i++) {
        const float *r = dy + i * n;
        for (int64_t j = 0; j < n; j++) g[j] += r[j];
    }
}

CLONES void lt__v_relu(const float *x, float *y, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : 0;
}

CLONES void lt__v_relu_bwd(const float *y, const float *dy, float *dx, int64_t n) {
    for (int64_t i = 0; i < n; i++) dx[i] = y[i] > 0 ? dy[i] : 0;
}

/* y[c] = max over the window's rows x + off[p] (c contiguous), arg[c] the winning offset + c;
 * the first maximum wins, as PyTorch's */
CLONES void lt__v_maxpool(const float *x, const int32_t *off, int np, int C, float *y, int32_t *arg) {
    const float *x0 = x + off[0];
    for (int c = 0; c < C; c++) { y[c] = x0[c]; arg[c] = off[0] + c; }
    for (int p = 1; p < np; p++) {
        const float *xp = x + off[p];
        int32_t o = off[p];
        for (int c = 0; c < C; c++) {
            int gt = xp[c] > y[c];
            y[c] = gt ? xp[c] : y[c];
            arg[c] = gt ? o + c : arg[c];
        }
    }
}

CLONES void lt__v_sum_window(const float *x, const int32_t *off, int np, int C, float scale, float *y) {
    for (int c = 0; c < C; c++) y[c] = 0;
    for (int p = 0; p < np; p++) {
        const float *xp = x + off[p];
        for (int c = 0; c < C; c++) y[c] += xp[c];
    }
    for (int c = 0; c < C; c++) y[c] *= scale;
}

CLONES void lt__v_add(float *y, const float *x, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] += x[i];
}
