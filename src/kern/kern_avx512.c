/* AVX-512F kernels. Compiled with -mavx512f; only called after CPU detection. */
#include "kern_impl.h"
#include <immintrin.h>

float lt_dot_avx512(const float *x, const float *y, int64_t d) {
    __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps();
    int64_t i = 0;
    for (; i + 32 <= d; i += 32) {
        a0 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i), a0);
        a1 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i + 16), _mm512_loadu_ps(y + i + 16), a1);
    }
    for (; i + 16 <= d; i += 16) a0 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i), a0);
    if (i < d) {
        __mmask16 k = (__mmask16)((1u << (d - i)) - 1);
        a1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(k, x + i), _mm512_maskz_loadu_ps(k, y + i), a1);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(a0, a1));
}

float lt_l2sq_avx512(const float *x, const float *y, int64_t d) {
    __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps();
    int64_t i = 0;
    for (; i + 32 <= d; i += 32) {
        __m512 t0 = _mm512_sub_ps(_mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i));
        __m512 t1 = _mm512_sub_ps(_mm512_loadu_ps(x + i + 16), _mm512_loadu_ps(y + i + 16));
        a0 = _mm512_fmadd_ps(t0, t0, a0);
        a1 = _mm512_fmadd_ps(t1, t1, a1);
    }
    for (; i + 16 <= d; i += 16) { __m512 t = _mm512_sub_ps(_mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i)); a0 = _mm512_fmadd_ps(t, t, a0); }
    if (i < d) {
        __mmask16 k = (__mmask16)((1u << (d - i)) - 1);
        __m512 t = _mm512_sub_ps(_mm512_maskz_loadu_ps(k, x + i), _mm512_maskz_loadu_ps(k, y + i));
        a1 = _mm512_fmadd_ps(t, t, a1);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(a0, a1));
}

void lt_axpy_avx512(float a, const float *x, float *y, int64_t d) {
    __m512 va = _mm512_set1_ps(a);
    int64_t i = 0;
    for (; i + 16 <= d; i += 16)
        _mm512_storeu_ps(y + i, _mm512_fmadd_ps(va, _mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i)));
    if (i < d) {
        __mmask16 k = (__mmask16)((1u << (d - i)) - 1);
        _mm512_mask_storeu_ps(y + i, k, _mm512_fmadd_ps(va, _mm512_maskz_loadu_ps(k, x + i), _mm512_maskz_loadu_ps(k, y + i)));
    }
}

/* S = A B^T over rows; four B rows at a time give four independent FMA chains. */
void lt_dots_rows_avx512(int m, int o, int64_t d, float *const *A, float *const *B, float *S) {
    for (int i = 0; i < m; i++) {
        const float *a = A[i];
        int j = 0;
        for (; j + 4 <= o; j += 4) {
            const float *b0 = B[j], *b1 = B[j + 1], *b2 = B[j + 2], *b3 = B[j + 3];
            __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
            for (int64_t k = 0; k < d; k += 16) {
                __m512 va = _mm512_load_ps(a + k);
                s0 = _mm512_fmadd_ps(va, _mm512_load_ps(b0 + k), s0);
                s1 = _mm512_fmadd_ps(va, _mm512_load_ps(b1 + k), s1);
                s2 = _mm512_fmadd_ps(va, _mm512_load_ps(b2 + k), s2);
                s3 = _mm512_fmadd_ps(va, _mm512_load_ps(b3 + k), s3);
            }
            S[i * o + j] = _mm512_reduce_add_ps(s0);
            S[i * o + j + 1] = _mm512_reduce_add_ps(s1);
            S[i * o + j + 2] = _mm512_reduce_add_ps(s2);
            S[i * o + j + 3] = _mm512_reduce_add_ps(s3);
        }
        for (; j < o; j++) {
            __m512 s0 = _mm512_setzero_ps();
            for (int64_t k = 0; k < d; k += 16)
                s0 = _mm512_fmadd_ps(_mm512_load_ps(a + k), _mm512_load_ps(B[j] + k), s0);
            S[i * o + j] = _mm512_reduce_add_ps(s0);
        }
    }
}

void lt_update_rows_avx512(int m, int o, int64_t d, float *const *A, float *const *B, const float *G, float *tmp) {
    /* tmp[i] = sum_j G[i,j] B[j] */
    for (int i = 0; i < m; i++) {
        float *t = tmp + (int64_t)i * d;
        const float *g = G + i * o;
        for (int64_t k = 0; k < d; k += 16) {
            __m512 acc = _mm512_setzero_ps();
            for (int j = 0; j < o; j++) acc = _mm512_fmadd_ps(_mm512_set1_ps(g[j]), _mm512_load_ps(B[j] + k), acc);
            _mm512_store_ps(t + k, acc);
        }
    }
    /* B[j] += sum_i G[i,j] A[i] (sequential per j so repeated B rows accumulate) */
    for (int j = 0; j < o; j++) {
        float *b = B[j];
        for (int64_t k = 0; k < d; k += 16) {
            __m512 acc = _mm512_load_ps(b + k);
            for (int i = 0; i < m; i++) acc = _mm512_fmadd_ps(_mm512_set1_ps(G[i * o + j]), _mm512_load_ps(A[i] + k), acc);
            _mm512_store_ps(b + k, acc);
        }
    }
    for (int i = 0; i < m; i++) {
        float *a = A[i];
        const float *t = tmp + (int64_t)i * d;
        for (int64_t k = 0; k < d; k += 16) _mm512_store_ps(a + k, _mm512_add_ps(_mm512_load_ps(a + k), _mm512_load_ps(t + k)));
    }
}

float lt_dot_f16_avx512(const float *q, const uint16_t *x, int64_t d) {
    __m512 a = _mm512_setzero_ps();
    for (int64_t i = 0; i < d; i += 16)
        a = _mm512_fmadd_ps(_mm512_loadu_ps(q + i), _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(x + i))), a);
    return _mm512_reduce_add_ps(a);
}
float lt_l2sq_f16_avx512(const float *q, const uint16_t *x, int64_t d) {
    __m512 a = _mm512_setzero_ps();
    for (int64_t i = 0; i < d; i += 16) {
        __m512 t = _mm512_sub_ps(_mm512_loadu_ps(q + i), _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(x + i))));
        a = _mm512_fmadd_ps(t, t, a);
    }
    return _mm512_reduce_add_ps(a);
}
float lt_dot_i8_avx512(const float *q, const int8_t *x, int64_t d) {
    __m512 a = _mm512_setzero_ps();
    for (int64_t i = 0; i < d; i += 16)
        a = _mm512_fmadd_ps(_mm512_loadu_ps(q + i), _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(x + i)))), a);
    return _mm512_reduce_add_ps(a);
}
float lt_l2sq_i8_avx512(const float *q, const int8_t *x, float scale, int64_t d) {
    __m512 a = _mm512_setzero_ps(), sc = _mm512_set1_ps(scale);
    for (int64_t i = 0; i < d; i += 16) {
        __m512 v = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(x + i))));
        __m512 t = _mm512_fnmadd_ps(sc, v, _mm512_loadu_ps(q + i));
        a = _mm512_fmadd_ps(t, t, a);
    }
    return _mm512_reduce_add_ps(a);
}

int lt_scan_below_avx512(const float *s, const float *b, int n, int mode, float qn, float thr, int *idx, float *dout) {
    int c = 0, j = 0;
    __m512 vt = _mm512_set1_ps(thr), vq = _mm512_set1_ps(qn), one = _mm512_set1_ps(1), two = _mm512_set1_ps(2);
    __m512i iota = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    for (; j + 16 <= n; j += 16) {
        __m512 sv = _mm512_loadu_ps(s + j), d;
        if (mode == 0) d = _mm512_fnmadd_ps(two, sv, _mm512_add_ps(vq, _mm512_loadu_ps(b + j)));
        else if (mode == 1) d = _mm512_sub_ps(one, sv);
        else d = _mm512_fnmadd_ps(sv, _mm512_loadu_ps(b + j), one);
        __mmask16 m = _mm512_cmp_ps_mask(d, vt, _CMP_LE_OQ);
        if (!m) continue;
        _mm512_mask_compressstoreu_epi32(idx + c, m, _mm512_add_epi32(iota, _mm512_set1_epi32(j)));
        _mm512_mask_compressstoreu_ps(dout + c, m, d);
        c += __builtin_popcount(m);
    }
    for (; j < n; j++) {
        float d = mode == 0 ? (qn + b[j]) - 2 * s[j] : mode == 1 ? 1 - s[j] : 1 - s[j] * b[j];
        if (d <= thr) { idx[c] = j; dout[c] = d; c++; }
    }
    return c;
}
