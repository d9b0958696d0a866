/* AVX2+FMA kernels. Compiled with -mavx2 -mfma; only called after CPU detection. */
#include "kern_impl.h"
#include <immintrin.h>

static inline float hsum256(__m256 v) {
    __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
    lo = _mm_add_ps(lo, hi);
    lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
    lo = _mm_add_ss(lo, _mm_movehdup_ps(lo));
    return _mm_cvtss_f32(lo);
}

float lt_dot_avx2(const float *x, const float *y, int64_t d) {
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= d; i += 16) {
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), a0);
        a1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 8), _mm256_loadu_ps(y + i + 8), a1);
    }
    for (; i + 8 <= d; i += 8) a0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), a0);
    float s = hsum256(_mm256_add_ps(a0, a1));
    for (; i < d; i++) s += x[i] * y[i];
    return s;
}

float lt_l2sq_avx2(const float *x, const float *y, int64_t d) {
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= d; i += 16) {
        __m256 t0 = _mm256_sub_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i));
        __m256 t1 = _mm256_sub_ps(_mm256_loadu_ps(x + i + 8), _mm256_loadu_ps(y + i + 8));
        a0 = _mm256_fmadd_ps(t0, t0, a0);
        a1 = _mm256_fmadd_ps(t1, t1, a1);
    }
    for (; i + 8 <= d; i += 8) { __m256 t = _mm256_sub_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)); a0 = _mm256_fmadd_ps(t, t, a0); }
    float s = hsum256(_mm256_add_ps(a0, a1));
    for (; i < d; i++) { float t = x[i] - y[i]; s += t * t; }
    return s;
}

void lt_axpy_avx2(float a, const float *x, float *y, int64_t d) {
    __m256 va = _mm256_set1_ps(a);
    int64_t i = 0;
    for (; i + 8 <= d; i += 8)
        _mm256_storeu_ps(y + i, _mm256_fmadd_ps(va, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
    for (; i < d; i++) y[i] += a * x[i];
}

void lt_dots_rows_avx2(int m, int o, int64_t d, float *const *A, float *const *B, float *S) {
    for (int i = 0; i < m; i++) {
        const float *a = A[i];
        int j = 0;
        for (; j + 4 <= o; j += 4) {
            const float *b0 = B[j], *b1 = B[j + 1], *b2 = B[j + 2], *b3 = B[j + 3];
            __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
            for (int64_t k = 0; k < d; k += 8) {
                __m256 va = _mm256_load_ps(a + k);
                s0 = _mm256_fmadd_ps(va, _mm256_load_ps(b0 + k), s0);
                s1 = _mm256_fmadd_ps(va, _mm256_load_ps(b1 + k), s1);
                s2 = _mm256_fmadd_ps(va, _mm256_load_ps(b2 + k), s2);
                s3 = _mm256_fmadd_ps(va, _mm256_load_ps(b3 + k), s3);
            }
            S[i * o + j] = hsum256(s0);
            S[i * o + j + 1] = hsum256(s1);
            S[i * o + j + 2] = hsum256(s2);
            S[i * o + j + 3] = hsum256(s3);
        }
        for (; j < o; j++) {
            __m256 s0 = _mm256_setzero_ps();
            for (int64_t k = 0; k < d; k += 8) s0 = _mm256_fmadd_ps(_mm256_load_ps(a + k), _mm256_load_ps(B[j] + k), s0);
            S[i * o + j] = hsum256(s0);
        }
    }
}

void lt_update_rows_avx2(int m, int o, int64_t d, float *const *A, float *const *B, const float *G, float *tmp) {
    for (int i = 0; i < m; i++) {
        float *t = tmp + (int64_t)i * d;
        const float *g = G + i * o;
        for (int64_t k = 0; k < d; k += 8) {
            __m256 acc = _mm256_setzero_ps();
            for (int j = 0; j < o; j++) acc = _mm256_fmadd_ps(_mm256_set1_ps(g[j]), _mm256_load_ps(B[j] + k), acc);
            _mm256_store_ps(t + k, acc);
        }
    }
    for (int j = 0; j < o; j++) {
        float *b = B[j];
        for (int64_t k = 0; k < d; k += 8) {
            __m256 acc = _mm256_load_ps(b + k);
            for (int i = 0; i < m; i++) acc = _mm256_fmadd_ps(_mm256_set1_ps(G[i * o + j]), _mm256_load_ps(A[i] + k), acc);
            _mm256_store_ps(b + k, acc);
        }
    }
    for (int i = 0; i < m; i++) {
        float *a = A[i];
        const float *t = tmp + (int64_t)i * d;
        for (int64_t k = 0; k < d; k += 8) _mm256_store_ps(a + k, _mm256_add_ps(_mm256_load_ps(a + k), _mm256_load_ps(t + k)));
    }
}

float lt_dot_f16_avx2(const float *q, const uint16_t *x, int64_t d) {
    __m256 a = _mm256_setzero_ps();
    for (int64_t i = 0; i < d; i += 8)
        a = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(x + i))), a);
    return hsum256(a);
}
float lt_l2sq_f16_avx2(const float *q, const uint16_t *x, int64_t d) {
    __m256 a = _mm256_setzero_ps();
    for (int64_t i = 0; i < d; i += 8) {
        __m256 t = _mm256_sub_ps(_mm256_loadu_ps(q + i), _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(x + i))));
        a = _mm256_fmadd_ps(t, t, a);
    }
    return hsum256(a);
}
float lt_dot_i8_avx2(const float *q, const int8_t *x, int64_t d) {
    __m256 a = _mm256_setzero_ps();
    for (int64_t i = 0; i < d; i += 8)
        a = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(x + i)))), a);
    return hsum256(a);
}
float lt_l2sq_i8_avx2(const float *q, const int8_t *x, float scale, int64_t d) {
    __m256 a = _mm256_setzero_ps(), sc = _mm256_set1_ps(scale);
    for (int64_t i = 0; i < d; i += 8) {
        __m256 v = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(x + i))));
        __m256 t = _mm256_fnmadd_ps(sc, v, _mm256_loadu_ps(q + i));
        a = _mm256_fmadd_ps(t, t, a);
    }
    return hsum256(a);
}

int lt_scan_below_avx2(const float *s, const float *b, int n, int mode, float qn, float thr, int *idx, float *dout) {
    int c = 0, j = 0;
    __m256 vt = _mm256_set1_ps(thr), vq = _mm256_set1_ps(qn), one = _mm256_set1_ps(1), two = _mm256_set1_ps(2);
    for (; j + 8 <= n; j += 8) {
        __m256 sv = _mm256_loadu_ps(s + j), d;
        if (mode == 0) d = _mm256_fnmadd_ps(two, sv, _mm256_add_ps(vq, _mm256_loadu_ps(b + j)));
        else if (mode == 1) d = _mm256_sub_ps(one, sv);
        else d = _mm256_fnmadd_ps(sv, _mm256_loadu_ps(b + j), one);
        int m = _mm256_movemask_ps(_mm256_cmp_ps(d, vt, _CMP_LE_OQ));
        if (!m) continue;
        float dv[8];
        _mm256_storeu_ps(dv, d);
        while (m) { int t = __builtin_ctz(m); m &= m - 1; idx[c] = j + t; dout[c] = dv[t]; c++; }
    }
    for (; j < n; j++) {
        float d = mode == 0 ? (qn + b[j]) - 2 * s[j] : mode == 1 ? 1 - s[j] : 1 - s[j] * b[j];
        if (d <= thr) { idx[c] = j; dout[c] = d; c++; }
    }
    return c;
}
