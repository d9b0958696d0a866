/* Scalar reference kernels: the plain definitions every SIMD kernel is tested against. */
#include "kern_impl.h"
#include <math.h>

float lt__dot_ref(const float *x, const float *y, int64_t d) {
    float s = 0;
    for (int64_t i = 0; i < d; i++) s += x[i] * y[i];
    return s;
}
float lt__l2sq_ref(const float *x, const float *y, int64_t d) {
    float s = 0;
    for (int64_t i = 0; i < d; i++) {
        float t = x[i] - y[i];
        s += t * t;
    }
    return s;
}
void lt__axpy_ref(float a, const float *x, float *y, int64_t d) {
    for (int64_t i = 0; i < d; i++) y[i] += a * x[i];
}
void lt__dots_rows_ref(int m, int o, int64_t d, float *const *A, float *const *B, float *S) {
    for (int i = 0; i < m; i++)
        for (int j = 0; j < o; j++) S[i * o + j] = lt__dot_ref(A[i], B[j], d);
}
void lt__update_rows_ref(
        int m, int o, int64_t d, float *const *A, float *const *B, const float *G, float *tmp) {
    for (int i = 0; i < m; i++) {
        float *t = tmp + (int64_t)i * d;
        for (int64_t k = 0; k < d; k++) t[k] = 0;
        for (int j = 0; j < o; j++) lt__axpy_ref(G[i * o + j], B[j], t, d);
    }
    for (int j = 0; j < o; j++)
        for (int i = 0; i < m; i++) lt__axpy_ref(G[i * o + j], A[i], B[j], d);
    for (int i = 0; i < m; i++) lt__axpy_ref(1.0f, tmp + (int64_t)i * d, A[i], d);
}

float lt__dot_f16_ref(const float *q, const uint16_t *x, int64_t d) {
    float s = 0;
    for (int64_t i = 0; i < d; i++) s += q[i] * lt_f16_to_f32(x[i]);
    return s;
}
float lt__l2sq_f16_ref(const float *q, const uint16_t *x, int64_t d) {
    float s = 0;
    for (int64_t i = 0; i < d; i++) {
        float t = q[i] - lt_f16_to_f32(x[i]);
        s += t * t;
    }
    return s;
}
float lt__dot_i8_ref(const float *q, const int8_t *x, int64_t d) {
    float s = 0;
    for (int64_t i = 0; i < d; i++) s += q[i] * (float)x[i];
    return s;
}
float lt__l2sq_i8_ref(const float *q, const int8_t *x, float scale, int64_t d) {
    float s = 0;
    for (int64_t i = 0; i < d; i++) {
        float t = q[i] - scale * (float)x[i];
        s += t * t;
    }
    return s;
}

int lt__scan_below_ref(const float *s, const float *b, int n, int mode, float qn, float thr,
        int *idx, float *dout) {
    int c = 0;
    for (int j = 0; j < n; j++) {
        float d = mode == 0 ? (qn + b[j]) - 2 * s[j] : mode == 1 ? 1 - s[j] : 1 - s[j] * b[j];
        if (d <= thr) {
            idx[c] = j;
            dout[c] = d;
            c++;
        }
    }
    return c;
}

/* ---- packed GEMM micro-kernel and element-wise maths: the plain reference ---- */
void lt__gelu_ref(float *x, int64_t n) {
    for (int64_t i = 0; i < n; i++) x[i] = 0.5f * x[i] * (1.0f + erff(x[i] * 0.70710678118654752f));
}

void lt__glu_ref(float *a, const float *u, int64_t n, int act) {
    for (int64_t i = 0; i < n; i++) {
        float x = a[i], v;
        if (act == LT_GLU_GELU) v = 0.5f * x * (1.0f + erff(x * 0.70710678118654752f));
        else if (act == LT_GLU_GELU_TANH)
            v = 0.5f * x * (1.0f + tanhf(0.79788456080286536f * (x + 0.044715f * x * x * x)));
        else if (act == LT_GLU_QUICK_GELU) v = x / (1.0f + expf(-1.702f * x));
        else v = x / (1.0f + expf(-x));
        a[i] = u ? v * u[i] : v;
    }
}

void lt__softmax_ref(float *x, int n) {
    float mx = -INFINITY, sum = 0;
    for (int i = 0; i < n; i++) mx = x[i] > mx ? x[i] : mx;
    for (int i = 0; i < n; i++) {
        x[i] = expf(x[i] - mx);
        sum += x[i];
    }
    float inv = 1.0f / sum;
    for (int i = 0; i < n; i++) x[i] *= inv;
}

void lt__gemm_ukr_ref(int mr, int nr, int K, const float *A, int64_t lda, const float *B,
        int64_t ldb, float *C, int64_t ldc, const float *bias, int flags) {
    for (int r = 0; r < mr; r++)
        for (int j = 0; j < nr; j++) {
            float s = 0;
            for (int k = 0; k < K; k++) s += A[r * lda + k] * B[k * ldb + j];
            if (flags & LT_GEMM_BIAS) s += bias[j];
            if (flags & LT_GEMM_GELU) lt__gelu_ref(&s, 1);
            if (flags & LT_GEMM_ACC) s += C[r * ldc + j];
            C[r * ldc + j] = s;
        }
}

uint32_t lt__scan32_ref(const float *s, int nr, float bx, const float *qn, const float *thr,
        int mode, float *dist) {
    uint32_t m = 0;
    for (int j = 0; j < nr; j++) {
        float d = mode == 0 ? (qn[j] + bx) - 2 * s[j] : mode == 1 ? 1 - s[j] : 1 - s[j] * bx;
        dist[j] = d;
        if (d <= thr[j]) m |= 1u << j;
    }
    return m;
}

void lt__cos_add_ref(const float *s, const float *b, float amp, float *z, int64_t n) {
    lt__cos_add(s, b, amp, z, n);
}
float lt__glove_step_ref(float *w, float *c, float *gw, float *gc, int d, float lx, float fw,
        float lr, float blr, float clip, float *tmp) {
    return lt__glove_step(w, c, gw, gc, d, lx, fw, lr, blr, clip, tmp);
}
void lt__tsne_rep_ref(const float *px, const float *py, int np, const float *sx, const float *sy,
        const float *sw, int64_t m, double *out) {
    lt__tsne_rep(px, py, np, sx, sy, sw, m, out);
}
void lt__tsne_attr_ref(float x, float y, const int32_t *ci, const float *pv, int64_t m,
        const float *Y, double *out) {
    lt__tsne_attr(x, y, ci, pv, m, Y, out);
}
