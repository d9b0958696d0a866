/* AVX-512F kernels. Compiled with -mavx512f; only called after CPU detection. */
#include "kern_impl.h"
#include <immintrin.h>
#include <math.h>
#include <string.h>

float lt__dot_avx512(const float *x, const float *y, int64_t d) {
    __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps();
    int64_t i = 0;
    for (; i + 32 <= d; i += 32) {
        a0 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i), a0);
        a1 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i + 16), _mm512_loadu_ps(y + i + 16), a1);
    }
    for (; i + 16 <= d; i += 16)
        a0 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i), a0);
    if (i < d) {
        __mmask16 k = (__mmask16)((1u << (d - i)) - 1);
        a1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(k, x + i), _mm512_maskz_loadu_ps(k, y + i), a1);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(a0, a1));
}

float lt__l2sq_avx512(const float *x, const float *y, int64_t d) {
    __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps();
    int64_t i = 0;
    for (; i + 32 <= d; i += 32) {
        __m512 t0 = _mm512_sub_ps(_mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i));
        __m512 t1 = _mm512_sub_ps(_mm512_loadu_ps(x + i + 16), _mm512_loadu_ps(y + i + 16));
        a0 = _mm512_fmadd_ps(t0, t0, a0);
        a1 = _mm512_fmadd_ps(t1, t1, a1);
    }
    for (; i + 16 <= d; i += 16) {
        __m512 t = _mm512_sub_ps(_mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i));
        a0 = _mm512_fmadd_ps(t, t, a0);
    }
    if (i < d) {
        __mmask16 k = (__mmask16)((1u << (d - i)) - 1);
        __m512 t = _mm512_sub_ps(_mm512_maskz_loadu_ps(k, x + i), _mm512_maskz_loadu_ps(k, y + i));
        a1 = _mm512_fmadd_ps(t, t, a1);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(a0, a1));
}

void lt__axpy_avx512(float a, const float *x, float *y, int64_t d) {
    __m512 va = _mm512_set1_ps(a);
    int64_t i = 0;
    for (; i + 16 <= d; i += 16)
        _mm512_storeu_ps(
                y + i, _mm512_fmadd_ps(va, _mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i)));
    if (i < d) {
        __mmask16 k = (__mmask16)((1u << (d - i)) - 1);
        _mm512_mask_storeu_ps(y + i, k,
                _mm512_fmadd_ps(
                        va, _mm512_maskz_loadu_ps(k, x + i), _mm512_maskz_loadu_ps(k, y + i)));
    }
}

/* S = A B^T over rows; four B rows at a time give four independent FMA chains. */
void lt__dots_rows_avx512(int m, int o, int64_t d, float *const *A, float *const *B, float *S) {
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

void lt__update_rows_avx512(
        int m, int o, int64_t d, float *const *A, float *const *B, const float *G, float *tmp) {
    /* tmp[i] = sum_j G[i,j] B[j] */
    for (int i = 0; i < m; i++) {
        float *t = tmp + (int64_t)i * d;
        const float *g = G + i * o;
        for (int64_t k = 0; k < d; k += 16) {
            __m512 acc = _mm512_setzero_ps();
            for (int j = 0; j < o; j++)
                acc = _mm512_fmadd_ps(_mm512_set1_ps(g[j]), _mm512_load_ps(B[j] + k), acc);
            _mm512_store_ps(t + k, acc);
        }
    }
    /* B[j] += sum_i G[i,j] A[i] (sequential per j so repeated B rows accumulate) */
    for (int j = 0; j < o; j++) {
        float *b = B[j];
        for (int64_t k = 0; k < d; k += 16) {
            __m512 acc = _mm512_load_ps(b + k);
            for (int i = 0; i < m; i++)
                acc = _mm512_fmadd_ps(_mm512_set1_ps(G[i * o + j]), _mm512_load_ps(A[i] + k), acc);
            _mm512_store_ps(b + k, acc);
        }
    }
    for (int i = 0; i < m; i++) {
        float *a = A[i];
        const float *t = tmp + (int64_t)i * d;
        for (int64_t k = 0; k < d; k += 16)
            _mm512_store_ps(a + k, _mm512_add_ps(_mm512_load_ps(a + k), _mm512_load_ps(t + k)));
    }
}

float lt__dot_f16_avx512(const float *q, const uint16_t *x, int64_t d) {
    __m512 a = _mm512_setzero_ps();
    for (int64_t i = 0; i < d; i += 16)
        a = _mm512_fmadd_ps(_mm512_loadu_ps(q + i),
                _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(x + i))), a);
    return _mm512_reduce_add_ps(a);
}
float lt__l2sq_f16_avx512(const float *q, const uint16_t *x, int64_t d) {
    __m512 a = _mm512_setzero_ps();
    for (int64_t i = 0; i < d; i += 16) {
        __m512 t = _mm512_sub_ps(_mm512_loadu_ps(q + i),
                _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(x + i))));
        a = _mm512_fmadd_ps(t, t, a);
    }
    return _mm512_reduce_add_ps(a);
}
float lt__dot_i8_avx512(const float *q, const int8_t *x, int64_t d) {
    __m512 a = _mm512_setzero_ps();
    for (int64_t i = 0; i < d; i += 16)
        a = _mm512_fmadd_ps(_mm512_loadu_ps(q + i),
                _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(x + i)))),
                a);
    return _mm512_reduce_add_ps(a);
}
float lt__l2sq_i8_avx512(const float *q, const int8_t *x, float scale, int64_t d) {
    __m512 a = _mm512_setzero_ps(), sc = _mm512_set1_ps(scale);
    for (int64_t i = 0; i < d; i += 16) {
        __m512 v =
                _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(x + i))));
        __m512 t = _mm512_fnmadd_ps(sc, v, _mm512_loadu_ps(q + i));
        a = _mm512_fmadd_ps(t, t, a);
    }
    return _mm512_reduce_add_ps(a);
}

int lt__scan_below_avx512(const float *s, const float *b, int n, int mode, float qn, float thr,
        int *idx, float *dout) {
    int c = 0, j = 0;
    __m512 vt = _mm512_set1_ps(thr), vq = _mm512_set1_ps(qn), one = _mm512_set1_ps(1),
           two = _mm512_set1_ps(2);
    __m512i iota = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    for (; j + 16 <= n; j += 16) {
        __m512 sv = _mm512_loadu_ps(s + j), d;
        if (mode == 0) d = _mm512_fnmadd_ps(two, sv, _mm512_add_ps(vq, _mm512_loadu_ps(b + j)));
        else if (mode == 1) d = _mm512_sub_ps(one, sv);
        else d = _mm512_fnmadd_ps(sv, _mm512_loadu_ps(b + j), one);
        __mmask16 m = _mm512_cmp_ps_mask(d, vt, _CMP_LE_OQ);
        if (!m) continue;
        /* compress in registers, then a plain store: the memory form of vcompress is
         * microcoded (slow) on some cores; the caller leaves 16 entries of slack */
        _mm512_storeu_si512(idx + c,
                _mm512_maskz_compress_epi32(m, _mm512_add_epi32(iota, _mm512_set1_epi32(j))));
        _mm512_storeu_ps(dout + c, _mm512_maskz_compress_ps(m, d));
        c += __builtin_popcount(m);
    }
    for (; j < n; j++) {
        float d = mode == 0 ? (qn + b[j]) - 2 * s[j] : mode == 1 ? 1 - s[j] : 1 - s[j] * b[j];
        if (d <= thr) {
            idx[c] = j;
            dout[c] = d;
            c++;
        }
    }
    return c;
}

/* ---- packed GEMM micro-kernel and element-wise maths ---- */

/* exp(x) for x in float range: x = n ln2 + r, |r| <= ln2/2, degree-6 polynomial in r,
 * scaled by 2^n through the exponent bits; relative error ~2e-7. Underflows to 0. */
static inline __m512 exp512(__m512 x) {
    x = _mm512_max_ps(_mm512_min_ps(x, _mm512_set1_ps(88.3762626647949f)), _mm512_set1_ps(-87.0f));
    __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
            _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
    __m512 p = _mm512_set1_ps(1.0f / 720);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 120));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 24));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 6));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    return _mm512_scalef_ps(p, n);
}

/* GELU, erf form: x/2 (1 + erf(x/sqrt2)), erfc by the Chebyshev-fitted form
 * t exp(-z^2 + P(t)), t = 1/(1 + z/2) (fractional error < 1.2e-7 for every z >= 0). */
static inline __m512 gelu512(__m512 x) {
    __m512 z = _mm512_abs_ps(_mm512_mul_ps(x, _mm512_set1_ps(0.70710678118654752f)));
    /* t = 1/(1 + z/2): 14-bit reciprocal, one Newton step (~2^-28 relative) */
    __m512 den = _mm512_fmadd_ps(z, _mm512_set1_ps(0.5f), _mm512_set1_ps(1)),
           t = _mm512_rcp14_ps(den);
    t = _mm512_mul_ps(t, _mm512_fnmadd_ps(den, t, _mm512_set1_ps(2)));
    __m512 p = _mm512_set1_ps(0.17087277f);
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(-0.82215223f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(1.48851587f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(-1.13520398f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(0.27886807f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(-0.18628806f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(0.09678418f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(0.37409196f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(1.00002368f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(-1.26551223f));
    __m512 erfc = _mm512_mul_ps(t, exp512(_mm512_fnmadd_ps(z, z, p))); /* erfc(|x|/sqrt2) */
    /* x >= 0: x (1 - erfc/2); x < 0: x erfc/2 (erf is odd) */
    /* erfc(z) < 2e-45 beyond z = 10: zero, not a denormal (whose arithmetic stalls) */
    __m512 h = _mm512_maskz_mul_ps(
            _mm512_cmp_ps_mask(z, _mm512_set1_ps(10), _CMP_LT_OQ), erfc, _mm512_set1_ps(0.5f));
    __mmask16 neg = _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ);
    __m512 f = _mm512_mask_blend_ps(neg, _mm512_sub_ps(_mm512_set1_ps(1), h), h);
    return _mm512_mul_ps(x, f);
}

void lt__gelu_avx512(float *x, int64_t n) {
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) _mm512_storeu_ps(x + i, gelu512(_mm512_loadu_ps(x + i)));
    if (i < n) {
        __mmask16 k = (__mmask16)((1u << (n - i)) - 1);
        _mm512_mask_storeu_ps(x + i, k, gelu512(_mm512_maskz_loadu_ps(k, x + i)));
    }
}

static inline __m512 sigmul512(__m512 x, __m512 z) {
    return _mm512_div_ps(
            x, _mm512_add_ps(_mm512_set1_ps(1), exp512(_mm512_sub_ps(_mm512_setzero_ps(), z))));
}
void lt__glu_avx512(float *a, const float *u, int64_t n, int act) {
    int64_t i = 0;
    const __m512 c = _mm512_set1_ps(2 * 0.79788456080286536f), c3 = _mm512_set1_ps(0.044715f);
    for (; i + 16 <= n; i += 16) {
        __m512 x = _mm512_loadu_ps(a + i), v;
        if (act == LT_GLU_GELU) v = gelu512(x);
        else if (act == LT_GLU_GELU_TANH)
            v = sigmul512(x,
                    _mm512_mul_ps(
                            c, _mm512_fmadd_ps(_mm512_mul_ps(c3, x), _mm512_mul_ps(x, x), x)));
        else if (act == LT_GLU_QUICK_GELU)
            v = sigmul512(x, _mm512_mul_ps(_mm512_set1_ps(1.702f), x));
        else v = sigmul512(x, x);
        _mm512_storeu_ps(a + i, u ? _mm512_mul_ps(v, _mm512_loadu_ps(u + i)) : v);
    }
    lt__glu_ref(a + i, u ? u + i : NULL, n - i, act);
}

void lt__softmax_avx512(float *x, int n) {
    __m512 mx = _mm512_set1_ps(-INFINITY);
    int i = 0;
    for (; i + 16 <= n; i += 16) mx = _mm512_max_ps(mx, _mm512_loadu_ps(x + i));
    __mmask16 k = (__mmask16)((1u << (n - i)) - 1);
    if (i < n) mx = _mm512_mask_max_ps(mx, k, mx, _mm512_maskz_loadu_ps(k, x + i));
    __m512 m = _mm512_set1_ps(_mm512_reduce_max_ps(mx)), s = _mm512_setzero_ps();
    for (i = 0; i + 16 <= n; i += 16) {
        __m512 e = exp512(_mm512_sub_ps(_mm512_loadu_ps(x + i), m));
        _mm512_storeu_ps(x + i, e);
        s = _mm512_add_ps(s, e);
    }
    if (i < n) {
        __m512 e =
                _mm512_maskz_mov_ps(k, exp512(_mm512_sub_ps(_mm512_maskz_loadu_ps(k, x + i), m)));
        _mm512_mask_storeu_ps(x + i, k, e);
        s = _mm512_add_ps(s, e);
    }
    __m512 inv = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(s));
    for (i = 0; i + 16 <= n; i += 16)
        _mm512_storeu_ps(x + i, _mm512_mul_ps(_mm512_loadu_ps(x + i), inv));
    if (i < n) _mm512_mask_storeu_ps(x + i, k, _mm512_mul_ps(_mm512_maskz_loadu_ps(k, x + i), inv));
}

/* the tile epilogue, shared with the bf16 kernel: + bias, GELU, + C, masked store */
static inline __attribute__((always_inline)) void lt_epilogue_avx512(
        __m512 x0, __m512 x1, __mmask16 m0, __mmask16 m1, float *cr, const float *bias, int flags) {
    if (flags & LT_GEMM_BIAS) {
        x0 = _mm512_add_ps(x0, _mm512_maskz_loadu_ps(m0, bias));
        x1 = _mm512_add_ps(x1, _mm512_maskz_loadu_ps(m1, bias + 16));
    }
    if (flags & LT_GEMM_GELU) {
        x0 = gelu512(x0);
        x1 = gelu512(x1);
    }
    if (flags & LT_GEMM_ACC) {
        x0 = _mm512_add_ps(x0, _mm512_maskz_loadu_ps(m0, cr));
        x1 = _mm512_add_ps(x1, _mm512_maskz_loadu_ps(m1, cr + 16));
    }
    _mm512_mask_storeu_ps(cr, m0, x0);
    _mm512_mask_storeu_ps(cr + 16, m1, x1);
}

/* C (mr x nr tile, mr <= 12, nr <= 32) = A (mr x K, row stride lda) times one packed panel
 * (K rows of 32 floats, row stride ldb), accumulators in registers for the whole K, then
 * the epilogue: + bias, GELU, + C (residual). */
static inline __attribute__((always_inline)) void ukr512(const int MR, int nr, int K,
        const float *A, int64_t lda, const float *B, int64_t ldb, float *C, int64_t ldc,
        const float *bias, int flags) {
    __m512 c0[12], c1[12];
#pragma GCC unroll 12
    for (int r = 0; r < MR; r++) {
        c0[r] = _mm512_setzero_ps();
        c1[r] = _mm512_setzero_ps();
    }
#pragma GCC unroll 2
    for (int k = 0; k < K; k++) {
        __m512 b0 = _mm512_loadu_ps(B + k * ldb), b1 = _mm512_loadu_ps(B + k * ldb + 16);
#pragma GCC unroll 12
        for (int r = 0; r < MR; r++) {
            __m512 a = _mm512_set1_ps(A[r * lda + k]);
            c0[r] = _mm512_fmadd_ps(a, b0, c0[r]);
            c1[r] = _mm512_fmadd_ps(a, b1, c1[r]);
        }
    }
    __mmask16 m0 = nr >= 16 ? 0xffff : (__mmask16)((1u << nr) - 1);
    __mmask16 m1 = nr >= 32 ? 0xffff : nr <= 16 ? 0 : (__mmask16)((1u << (nr - 16)) - 1);
#pragma GCC unroll 12
    for (int r = 0; r < MR; r++) lt_epilogue_avx512(c0[r], c1[r], m0, m1, C + r * ldc, bias, flags);
}

void lt__gemm_ukr_avx512(int mr, int nr, int K, const float *A, int64_t lda, const float *B,
        int64_t ldb, float *C, int64_t ldc, const float *bias, int flags) {
    switch (mr) {
    case 12: ukr512(12, nr, K, A, lda, B, ldb, C, ldc, bias, flags); break;
    case 11: ukr512(11, nr, K, A, lda, B, ldb, C, ldc, bias, flags); break;
    case 10: ukr512(10, nr, K, A, lda, B, ldb, C, ldc, bias, flags); break;
    case 9: ukr512(9, nr, K, A, lda, B, ldb, C, ldc, bias, flags); break;
    case 8: ukr512(8, nr, K, A, lda, B, ldb, C, ldc, bias, flags); break;
    case 7: ukr512(7, nr, K, A, lda, B, ldb, C, ldc, bias, flags); break;
    case 6: ukr512(6, nr, K, A, lda, B, ldb, C, ldc, bias, flags); break;
    case 5: ukr512(5, nr, K, A, lda, B, ldb, C, ldc, bias, flags); break;
    case 4: ukr512(4, nr, K, A, lda, B, ldb, C, ldc, bias, flags); break;
    case 3: ukr512(3, nr, K, A, lda, B, ldb, C, ldc, bias, flags); break;
    case 2: ukr512(2, nr, K, A, lda, B, ldb, C, ldc, bias, flags); break;
    default: ukr512(1, nr, K, A, lda, B, ldb, C, ldc, bias, flags); break;
    }
}

/* ---- AVX-512 BF16 (the opt-in reduced-precision path; this file is also built with
 * -mavx512bf16, and these run only after CPU detection). The right operand is packed as
 * bf16 pairs along k: panel row kk2 holds, for each of the 32 columns, (W[c][2kk2],
 * W[c][2kk2+1]); A is bf16 too, row-major with an even row length, read as 32-bit pairs.
 * vdpbf16ps multiplies the pairs exactly and accumulates in f32. ---- */
static inline __attribute__((always_inline)) void ukbf(const int MR, int nr, int K2,
        const uint16_t *A, int64_t lda2, const uint16_t *B, float *C, int64_t ldc,
        const float *bias, int flags) {
    __m512 c0[12], c1[12];
#pragma GCC unroll 12
    for (int r = 0; r < MR; r++) {
        c0[r] = _mm512_setzero_ps();
        c1[r] = _mm512_setzero_ps();
    }
    const uint32_t *A32 = (const uint32_t *)A;
    for (int k = 0; k < K2; k++) {
        __m512bh b0 = (__m512bh)_mm512_loadu_si512(B + (size_t)k * 64),
                 b1 = (__m512bh)_mm512_loadu_si512(B + (size_t)k * 64 + 32);
#pragma GCC unroll 12
        for (int r = 0; r < MR; r++) {
            __m512bh a = (__m512bh)_mm512_set1_epi32((int)A32[r * lda2 + k]);
            c0[r] = _mm512_dpbf16_ps(c0[r], a, b0);
            c1[r] = _mm512_dpbf16_ps(c1[r], a, b1);
        }
    }
    __mmask16 m0 = nr >= 16 ? 0xffff : (__mmask16)((1u << nr) - 1);
    __mmask16 m1 = nr >= 32 ? 0xffff : nr <= 16 ? 0 : (__mmask16)((1u << (nr - 16)) - 1);
#pragma GCC unroll 12
    for (int r = 0; r < MR; r++) lt_epilogue_avx512(c0[r], c1[r], m0, m1, C + r * ldc, bias, flags);
}

void lt__gemm_ukr_bf16(int mr, int nr, int K2, const uint16_t *A, int64_t lda2, const uint16_t *B,
        float *C, int64_t ldc, const float *bias, int flags) {
    switch (mr) {
    case 12: ukbf(12, nr, K2, A, lda2, B, C, ldc, bias, flags); break;
    case 11: ukbf(11, nr, K2, A, lda2, B, C, ldc, bias, flags); break;
    case 10: ukbf(10, nr, K2, A, lda2, B, C, ldc, bias, flags); break;
    case 9: ukbf(9, nr, K2, A, lda2, B, C, ldc, bias, flags); break;
    case 8: ukbf(8, nr, K2, A, lda2, B, C, ldc, bias, flags); break;
    case 7: ukbf(7, nr, K2, A, lda2, B, C, ldc, bias, flags); break;
    case 6: ukbf(6, nr, K2, A, lda2, B, C, ldc, bias, flags); break;
    case 5: ukbf(5, nr, K2, A, lda2, B, C, ldc, bias, flags); break;
    case 4: ukbf(4, nr, K2, A, lda2, B, C, ldc, bias, flags); break;
    case 3: ukbf(3, nr, K2, A, lda2, B, C, ldc, bias, flags); break;
    case 2: ukbf(2, nr, K2, A, lda2, B, C, ldc, bias, flags); break;
    default: ukbf(1, nr, K2, A, lda2, B, C, ldc, bias, flags); break;
    }
}

/* f32 -> bf16, round to nearest even (n any) */
void lt__to_bf16_avx512(const float *x, uint16_t *y, int64_t n) {
    int64_t i = 0;
    for (; i + 16 <= n; i += 16)
        _mm256_storeu_si256(
                (__m256i *)(y + i), (__m256i)_mm512_cvtneps_pbh(_mm512_loadu_ps(x + i)));
    for (; i < n; i++) y[i] = lt_bf16_from_f32(x[i]);
}

uint32_t lt__scan32_avx512(const float *s, int nr, float bx, const float *qn, const float *thr,
        int mode, float *dist) {
    __mmask16 k0 = nr >= 16 ? 0xffff : (__mmask16)((1u << nr) - 1),
              k1 = nr >= 32 ? 0xffff
            : nr <= 16      ? 0
                            : (__mmask16)((1u << (nr - 16)) - 1);
    __m512 b = _mm512_set1_ps(bx), one = _mm512_set1_ps(1), two = _mm512_set1_ps(2);
    __m512 s0 = _mm512_loadu_ps(s), s1 = _mm512_loadu_ps(s + 16), d0, d1;
    if (mode == 0) {
        d0 = _mm512_fnmadd_ps(two, s0, _mm512_add_ps(_mm512_maskz_loadu_ps(k0, qn), b));
        d1 = _mm512_fnmadd_ps(two, s1, _mm512_add_ps(_mm512_maskz_loadu_ps(k1, qn + 16), b));
    } else if (mode == 1) {
        d0 = _mm512_sub_ps(one, s0);
        d1 = _mm512_sub_ps(one, s1);
    } else {
        d0 = _mm512_fnmadd_ps(s0, b, one);
        d1 = _mm512_fnmadd_ps(s1, b, one);
    }
    _mm512_storeu_ps(dist, d0);
    _mm512_storeu_ps(dist + 16, d1);
    uint32_t m0 = _mm512_mask_cmp_ps_mask(k0, d0, _mm512_maskz_loadu_ps(k0, thr), _CMP_LE_OQ);
    uint32_t m1 = _mm512_mask_cmp_ps_mask(k1, d1, _mm512_maskz_loadu_ps(k1, thr + 16), _CMP_LE_OQ);
    return m0 | m1 << 16;
}

void lt__cos_add_avx512(const float *s, const float *b, float amp, float *z, int64_t n) {
    lt__cos_add(s, b, amp, z, n);
}
float lt__glove_step_avx512(float *w, float *c, float *gw, float *gc, int d, float lx, float fw,
        float lr, float blr, float clip, float *tmp) {
    return lt__glove_step(w, c, gw, gc, d, lx, fw, lr, blr, clip, tmp);
}
void lt__tsne_rep_avx512(const float *px, const float *py, int np, const float *sx, const float *sy,
        const float *sw, int64_t m, double *out) {
    lt__tsne_rep(px, py, np, sx, sy, sw, m, out);
}
/* the shared source's lanes, with each (x, y) pair fetched by one 64-bit gather (GCC builds
 * gathers element by element) and split into x and y lanes by two permutes */
void lt__tsne_attr_avx512(float x, float y, const int32_t *ci, const float *pv, int64_t m,
        const float *Y, double *out) {
    __m512 vx = _mm512_set1_ps(x), vy = _mm512_set1_ps(y), one = _mm512_set1_ps(1),
           ax = _mm512_setzero_ps(), ay = _mm512_setzero_ps();
    float xy[2] = { x, y };
    double self;
    memcpy(&self, xy, 8);
    const __m512d pass = _mm512_set1_pd(self);
    const __m512i ev = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i od = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    for (int64_t j = 0; j < m; j += 16) {
        __mmask16 k = m - j >= 16 ? 0xffff : (__mmask16)((1u << (m - j)) - 1);
        __m512i c = _mm512_maskz_loadu_epi32(k, ci + j);
        __m512 g0 = _mm512_castpd_ps(_mm512_mask_i32gather_pd(
                pass, (__mmask8)k, _mm512_castsi512_si256(c), (const double *)Y, 8));
        __m512 g1 = _mm512_castpd_ps(_mm512_mask_i32gather_pd(
                pass, (__mmask8)(k >> 8), _mm512_extracti64x4_epi64(c, 1), (const double *)Y, 8));
        __m512 yx = _mm512_permutex2var_ps(g0, ev, g1), yy = _mm512_permutex2var_ps(g0, od, g1);
        __m512 dx = _mm512_sub_ps(vx, yx), dy = _mm512_sub_ps(vy, yy);
        __m512 den =
                _mm512_add_ps(one, _mm512_add_ps(_mm512_mul_ps(dx, dx), _mm512_mul_ps(dy, dy)));
        __m512 pq = _mm512_div_ps(_mm512_maskz_loadu_ps(k, pv + j), den);
        ax = _mm512_add_ps(ax, _mm512_mul_ps(pq, dx));
        ay = _mm512_add_ps(ay, _mm512_mul_ps(pq, dy));
    }
    float a[16], b[16];
    _mm512_storeu_ps(a, ax);
    _mm512_storeu_ps(b, ay);
    out[0] = lt__lanes16(a);
    out[1] = lt__lanes16(b);
}
