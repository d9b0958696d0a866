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

/* e^x for |x| < 88 (Cody-Waite reduction by ln 2, a degree-6 polynomial on [-ln2/2, ln2/2]):
 * relative error below 2e-7, vectorisable (no libm call). Large |x| saturate. */
static inline float v_exp(float x) {
    x = x > 88.0f ? 88.0f : x < -88.0f ? -88.0f : x;
    float k = __builtin_roundf(x * 1.44269504088896341f);
    float r = x - k * 0.693145751953125f - k * 1.42860682030941723e-6f;
    float p = 1.0f + r * (1.0f + r * (0.5f + r * (0.166666672f + r * (0.0416664183f + r * (0.00833345205f + r * 0.00139819994f)))));
    union { float f; int32_t i; } u = {p};
    u.i += (int32_t)k << 23;
    return u.f;
}

CLONES void lt__v_sigmoid(const float *x, float *y, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] = 1.0f / (1.0f + v_exp(-x[i]));
}

/* sum (y - t)^2 in 8 double lanes; d = (y - t) * scale */
CLONES double lt__v_mse(const float *y, const float *t, float scale, float *d, int64_t n) {
    double acc[8] = {0};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int j = 0; j < 8; j++) {
            float e = y[i + j] - t[i + j];
            acc[j] += (double)e * e;
            if (d) d[i + j] = e * scale;
        }
    for (; i < n; i++) { float e = y[i] - t[i]; acc[0] += (double)e * e; if (d) d[i] = e * scale; }
    return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

/* Adam / AdamW on [0, n): see train.c for the rule (PyTorch's) */
CLONES void lt__v_adam(float *p, const float *g, float *m, float *v, int64_t n, float b1, float b2, float eps, float step, float sbc2,
                       float wd, float decay, int adamw) {
    for (int64_t i = 0; i < n; i++) {
        float d = g[i];
        float pi = adamw ? p[i] * decay : p[i];
        d = adamw ? d : d + wd * pi;
        m[i] = b1 * m[i] + (1 - b1) * d;
        v[i] = b2 * v[i] + (1 - b2) * d * d;
        p[i] = pi - step * m[i] / (__builtin_sqrtf(v[i]) / sbc2 + eps);
    }
}

/* g[i] = sum over the k shard gradients, in shard order */
CLONES void lt__v_reduce(float *g, float *const *parts, int k, int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; i++) g[i] = parts[0][i];
    for (int s = 1; s < k; s++) {
        const float *p = parts[s];
        for (int64_t i = i0; i < i1; i++) g[i] += p[i];
    }
}

/* y (m, n) = x (m, k) W^T + bias with wt = W^T (k, n): for convolutions with few inputs per
 * output (k = K x K x C small), where a BLAS call spends its time packing */
CLONES void lt__v_gemm_smallk(const float *x, int64_t m, int k, const float *wt, int n, const float *bias, float *y) {
    for (int64_t i = 0; i < m; i++) {
        float *yr = y + i * n;
        const float *xr = x + i * k;
        for (int j = 0; j < n; j++) yr[j] = bias[j];
        for (int t = 0; t < k; t++) {
            float a = xr[t];
            const float *w = wt + (int64_t)t * n;
            for (int j = 0; j < n; j++) yr[j] += a * w[j];
        }
    }
}

/* gt (k, n) += x (m, k)^T dy (m, n): the weight gradient of the above, transposed */
CLONES void lt__v_gemm_smallk_grad(const float *x, int64_t m, int k, const float *dy, int n, float *gt) {
    for (int64_t i = 0; i < m; i++) {
        const float *xr = x + i * k, *d = dy + i * n;
        for (int t = 0; t < k; t++) {
            float a = xr[t];
            float *g = gt + (int64_t)t * n;
            for (int j = 0; j < n; j++) g[j] += a * d[j];
        }
    }
}
