/* AVX2+FMA kernels. Compiled with -mavx2 -mfma; only called after CPU detection. */
#include "kern_impl.h"
#include <immintrin.h>
#include <math.h>
#include <string.h>

static inline float hsum256(__m256 v) {
    __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
    lo = _mm_add_ps(lo, hi);
    lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
    lo = _mm_add_ss(lo, _mm_movehdup_ps(lo));
    return _mm_cvtss_f32(lo);
}

float lt__dot_avx2(const float *x, const float *y, int64_t d) {
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= d; i += 16) {
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), a0);
        a1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 8), _mm256_loadu_ps(y + i + 8), a1);
    }
    for (; i + 8 <= d; i += 8)
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), a0);
    float s = hsum256(_mm256_add_ps(a0, a1));
    for (; i < d; i++) s += x[i] * y[i];
    return s;
}

float lt__l2sq_avx2(const float *x, const float *y, int64_t d) {
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= d; i += 16) {
        __m256 t0 = _mm256_sub_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i));
        __m256 t1 = _mm256_sub_ps(_mm256_loadu_ps(x + i + 8), _mm256_loadu_ps(y + i + 8));
        a0 = _mm256_fmadd_ps(t0, t0, a0);
        a1 = _mm256_fmadd_ps(t1, t1, a1);
    }
    for (; i + 8 <= d; i += 8) {
        __m256 t = _mm256_sub_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i));
        a0 = _mm256_fmadd_ps(t, t, a0);
    }
    float s = hsum256(_mm256_add_ps(a0, a1));
    for (; i < d; i++) {
        float t = x[i] - y[i];
        s += t * t;
    }
    return s;
}

void lt__axpy_avx2(float a, const float *x, float *y, int64_t d) {
    __m256 va = _mm256_set1_ps(a);
    int64_t i = 0;
    for (; i + 8 <= d; i += 8)
        _mm256_storeu_ps(
                y + i, _mm256_fmadd_ps(va, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
    for (; i < d; i++) y[i] += a * x[i];
}

void lt__dots_rows_avx2(int m, int o, int64_t d, float *const *A, float *const *B, float *S) {
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
            for (int64_t k = 0; k < d; k += 8)
                s0 = _mm256_fmadd_ps(_mm256_load_ps(a + k), _mm256_load_ps(B[j] + k), s0);
            S[i * o + j] = hsum256(s0);
        }
    }
}

void lt__update_rows_avx2(
        int m, int o, int64_t d, float *const *A, float *const *B, const float *G, float *tmp) {
    for (int i = 0; i < m; i++) {
        float *t = tmp + (int64_t)i * d;
        const float *g = G + i * o;
        for (int64_t k = 0; k < d; k += 8) {
            __m256 acc = _mm256_setzero_ps();
            for (int j = 0; j < o; j++)
                acc = _mm256_fmadd_ps(_mm256_set1_ps(g[j]), _mm256_load_ps(B[j] + k), acc);
            _mm256_store_ps(t + k, acc);
        }
    }
    for (int j = 0; j < o; j++) {
        float *b = B[j];
        for (int64_t k = 0; k < d; k += 8) {
            __m256 acc = _mm256_load_ps(b + k);
            for (int i = 0; i < m; i++)
                acc = _mm256_fmadd_ps(_mm256_set1_ps(G[i * o + j]), _mm256_load_ps(A[i] + k), acc);
            _mm256_store_ps(b + k, acc);
        }
    }
    for (int i = 0; i < m; i++) {
        float *a = A[i];
        const float *t = tmp + (int64_t)i * d;
        for (int64_t k = 0; k < d; k += 8)
            _mm256_store_ps(a + k, _mm256_add_ps(_mm256_load_ps(a + k), _mm256_load_ps(t + k)));
    }
}

float lt__dot_f16_avx2(const float *q, const uint16_t *x, int64_t d) {
    __m256 a = _mm256_setzero_ps();
    for (int64_t i = 0; i < d; i += 8)
        a = _mm256_fmadd_ps(_mm256_loadu_ps(q + i),
                _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(x + i))), a);
    return hsum256(a);
}
float lt__l2sq_f16_avx2(const float *q, const uint16_t *x, int64_t d) {
    __m256 a = _mm256_setzero_ps();
    for (int64_t i = 0; i < d; i += 8) {
        __m256 t = _mm256_sub_ps(
                _mm256_loadu_ps(q + i), _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(x + i))));
        a = _mm256_fmadd_ps(t, t, a);
    }
    return hsum256(a);
}
float lt__dot_i8_avx2(const float *q, const int8_t *x, int64_t d) {
    __m256 a = _mm256_setzero_ps();
    for (int64_t i = 0; i < d; i += 8)
        a = _mm256_fmadd_ps(_mm256_loadu_ps(q + i),
                _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(x + i)))),
                a);
    return hsum256(a);
}
float lt__l2sq_i8_avx2(const float *q, const int8_t *x, float scale, int64_t d) {
    __m256 a = _mm256_setzero_ps(), sc = _mm256_set1_ps(scale);
    for (int64_t i = 0; i < d; i += 8) {
        __m256 v =
                _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(x + i))));
        __m256 t = _mm256_fnmadd_ps(sc, v, _mm256_loadu_ps(q + i));
        a = _mm256_fmadd_ps(t, t, a);
    }
    return hsum256(a);
}

int lt__scan_below_avx2(const float *s, const float *b, int n, int mode, float qn, float thr,
        int *idx, float *dout) {
    int c = 0, j = 0;
    __m256 vt = _mm256_set1_ps(thr), vq = _mm256_set1_ps(qn), one = _mm256_set1_ps(1),
           two = _mm256_set1_ps(2);
    for (; j + 8 <= n; j += 8) {
        __m256 sv = _mm256_loadu_ps(s + j), d;
        if (mode == 0) d = _mm256_fnmadd_ps(two, sv, _mm256_add_ps(vq, _mm256_loadu_ps(b + j)));
        else if (mode == 1) d = _mm256_sub_ps(one, sv);
        else d = _mm256_fnmadd_ps(sv, _mm256_loadu_ps(b + j), one);
        int m = _mm256_movemask_ps(_mm256_cmp_ps(d, vt, _CMP_LE_OQ));
        if (!m) continue;
        float dv[8];
        _mm256_storeu_ps(dv, d);
        while (m) {
            int t = __builtin_ctz(m);
            m &= m - 1;
            idx[c] = j + t;
            dout[c] = dv[t];
            c++;
        }
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

/* ---- packed GEMM micro-kernel and element-wise maths (see kern_avx512.c) ---- */

static inline __m256 exp256(__m256 x) {
    x = _mm256_max_ps(_mm256_min_ps(x, _mm256_set1_ps(88.3762626647949f)), _mm256_set1_ps(-87.0f));
    __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
            _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.0f / 720);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    /* 2^n: n in [-126, 128) after the clamp; n = 128 only at the top, where p*2^127*2 */
    __m256i e =
            _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(126)), 23);
    return _mm256_mul_ps(_mm256_mul_ps(p, _mm256_castsi256_ps(e)), _mm256_set1_ps(2.0f));
}

static inline __m256 gelu256(__m256 x) {
    __m256 z = _mm256_andnot_ps(
            _mm256_set1_ps(-0.0f), _mm256_mul_ps(x, _mm256_set1_ps(0.70710678118654752f)));
    __m256 t = _mm256_div_ps(
            _mm256_set1_ps(1), _mm256_fmadd_ps(z, _mm256_set1_ps(0.5f), _mm256_set1_ps(1)));
    __m256 p = _mm256_set1_ps(0.17087277f);
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-0.82215223f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(1.48851587f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-1.13520398f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(0.27886807f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-0.18628806f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(0.09678418f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(0.37409196f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(1.00002368f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-1.26551223f));
    __m256 h = _mm256_mul_ps(
            _mm256_mul_ps(t, exp256(_mm256_fnmadd_ps(z, z, p))), _mm256_set1_ps(0.5f));
    /* erfc(z) < 2e-45 beyond z = 10: zero, not a denormal (whose arithmetic stalls) */
    h = _mm256_and_ps(h, _mm256_cmp_ps(z, _mm256_set1_ps(10), _CMP_LT_OQ));
    __m256 neg = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LT_OQ);
    return _mm256_mul_ps(x, _mm256_blendv_ps(_mm256_sub_ps(_mm256_set1_ps(1), h), h, neg));
}

void lt__gelu_avx2(float *x, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, gelu256(_mm256_loadu_ps(x + i)));
    for (; i < n; i++) x[i] = 0.5f * x[i] * (1.0f + erff(x[i] * 0.70710678118654752f));
}

/* x sigmoid(z) = x / (1 + exp(-z)); exp's clamp keeps it finite (0 for z < -88) */
static inline __m256 sigmul256(__m256 x, __m256 z) {
    return _mm256_div_ps(
            x, _mm256_add_ps(_mm256_set1_ps(1), exp256(_mm256_sub_ps(_mm256_setzero_ps(), z))));
}
void lt__glu_avx2(float *a, const float *u, int64_t n, int act) {
    int64_t i = 0;
    const __m256 c = _mm256_set1_ps(2 * 0.79788456080286536f), c3 = _mm256_set1_ps(0.044715f);
    for (; i + 8 <= n; i += 8) {
        __m256 x = _mm256_loadu_ps(a + i), v;
        if (act == LT_GLU_GELU) v = gelu256(x);
        else if (act == LT_GLU_GELU_TANH)
            v = sigmul256(x,
                    _mm256_mul_ps(
                            c, _mm256_fmadd_ps(_mm256_mul_ps(c3, x), _mm256_mul_ps(x, x), x)));
        else if (act == LT_GLU_QUICK_GELU)
            v = sigmul256(x, _mm256_mul_ps(_mm256_set1_ps(1.702f), x));
        else v = sigmul256(x, x);
        _mm256_storeu_ps(a + i, u ? _mm256_mul_ps(v, _mm256_loadu_ps(u + i)) : v);
    }
    lt__glu_ref(a + i, u ? u + i : NULL, n - i, act);
}

void lt__softmax_avx2(float *x, int n) {
    float mx = -INFINITY;
    for (int i = 0; i < n; i++) mx = x[i] > mx ? x[i] : mx;
    __m256 m = _mm256_set1_ps(mx), s = _mm256_setzero_ps();
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 e = exp256(_mm256_sub_ps(_mm256_loadu_ps(x + i), m));
        _mm256_storeu_ps(x + i, e);
        s = _mm256_add_ps(s, e);
    }
    float sv[8], sum = 0;
    _mm256_storeu_ps(sv, s);
    for (int j = 0; j < 8; j++) sum += sv[j];
    for (; i < n; i++) {
        x[i] = expf(x[i] - mx);
        sum += x[i];
    }
    float inv = 1.0f / sum;
    for (i = 0; i < n; i++) x[i] *= inv;
}

/* 16 ymm registers: tiles of up to 3 rows by the whole 32-wide panel, 12 accumulators; each k
 * reads one contiguous 128-byte row of the panel (the FMAs take it from memory) and broadcasts
 * one float of A per row. Measured on Zen 4 (AVX2): 90-96% of the FMA peak on the encoders'
 * shapes, against 68-90% for 6 x 16 half-panels (bench/gemm_shapes.c). */
static inline __attribute__((always_inline)) void ukr256(const int MR, int nr, int K,
        const float *A, int64_t lda, const float *B, int64_t ldb, float *C, int64_t ldc,
        const float *bias, int flags) {
    __m256 c0[3], c1[3], c2[3], c3[3];
#pragma GCC unroll 3
    for (int r = 0; r < MR; r++) c0[r] = c1[r] = c2[r] = c3[r] = _mm256_setzero_ps();
    for (int k = 0; k < K; k++) {
        const float *b = B + k * ldb;
#pragma GCC unroll 3
        for (int r = 0; r < MR; r++) {
            __m256 a = _mm256_broadcast_ss(A + r * lda + k);
            c0[r] = _mm256_fmadd_ps(a, _mm256_loadu_ps(b), c0[r]);
            c1[r] = _mm256_fmadd_ps(a, _mm256_loadu_ps(b + 8), c1[r]);
            c2[r] = _mm256_fmadd_ps(a, _mm256_loadu_ps(b + 16), c2[r]);
            c3[r] = _mm256_fmadd_ps(a, _mm256_loadu_ps(b + 24), c3[r]);
        }
    }
    float tile[32], bb[32] = { 0 };
    if (flags & LT_GEMM_BIAS) memcpy(bb, bias, (size_t)nr * 4);
#pragma GCC unroll 3
    for (int r = 0; r < MR; r++) {
        __m256 x[4] = { c0[r], c1[r], c2[r], c3[r] };
        float *cr = C + r * ldc;
        for (int q = 0; q < 4; q++) {
            if (flags & LT_GEMM_BIAS) x[q] = _mm256_add_ps(x[q], _mm256_loadu_ps(bb + 8 * q));
            if (flags & LT_GEMM_GELU) x[q] = gelu256(x[q]);
            if (nr == 32 && (flags & LT_GEMM_ACC))
                x[q] = _mm256_add_ps(x[q], _mm256_loadu_ps(cr + 8 * q));
            if (nr == 32) _mm256_storeu_ps(cr + 8 * q, x[q]);
            else _mm256_storeu_ps(tile + 8 * q, x[q]);
        }
        if (nr == 32) continue;
        if (flags & LT_GEMM_ACC)
            for (int j = 0; j < nr; j++) cr[j] += tile[j];
        else memcpy(cr, tile, (size_t)nr * 4);
    }
}

void lt__gemm_ukr_avx2(int mr, int nr, int K, const float *A, int64_t lda, const float *B,
        int64_t ldb, float *C, int64_t ldc, const float *bias, int flags) {
    for (int r0 = 0; r0 < mr; r0 += 3) {
        int m = mr - r0 < 3 ? mr - r0 : 3;
        const float *Ar = A + r0 * lda;
        float *Cr = C + r0 * ldc;
        if (m == 3) ukr256(3, nr, K, Ar, lda, B, ldb, Cr, ldc, bias, flags);
        else if (m == 2) ukr256(2, nr, K, Ar, lda, B, ldb, Cr, ldc, bias, flags);
        else ukr256(1, nr, K, Ar, lda, B, ldb, Cr, ldc, bias, flags);
    }
}

uint32_t lt__scan32_avx2(const float *s, int nr, float bx, const float *qn, const float *thr,
        int mode, float *dist) {
    if (nr < 32) return lt__scan32_ref(s, nr, bx, qn, thr, mode, dist);
    __m256 b = _mm256_set1_ps(bx), one = _mm256_set1_ps(1), two = _mm256_set1_ps(2);
    uint32_t m = 0;
    for (int j = 0; j < 32; j += 8) {
        __m256 sv = _mm256_loadu_ps(s + j), d;
        if (mode == 0) d = _mm256_fnmadd_ps(two, sv, _mm256_add_ps(_mm256_loadu_ps(qn + j), b));
        else if (mode == 1) d = _mm256_sub_ps(one, sv);
        else d = _mm256_fnmadd_ps(sv, b, one);
        _mm256_storeu_ps(dist + j, d);
        m |= (uint32_t)_mm256_movemask_ps(_mm256_cmp_ps(d, _mm256_loadu_ps(thr + j), _CMP_LE_OQ))
                << j;
    }
    return m;
}

void lt__cos_add_avx2(const float *s, const float *b, float amp, float *z, int64_t n) {
    lt__cos_add(s, b, amp, z, n);
}
float lt__glove_step_avx2(float *w, float *c, float *gw, float *gc, int d, float lx, float fw,
        float lr, float blr, float clip, float *tmp) {
    return lt__glove_step(w, c, gw, gc, d, lx, fw, lr, blr, clip, tmp);
}
void lt__tsne_rep_avx2(const float *px, const float *py, int np, const float *sx, const float *sy,
        const float *sw, int64_t m, double *out) {
    lt__tsne_rep(px, py, np, sx, sy, sw, m, out);
}
void lt__tsne_attr_avx2(float x, float y, const int32_t *ci, const float *pv, int64_t m,
        const float *Y, double *out) {
    lt__tsne_attr(x, y, ci, pv, m, Y, out);
}
