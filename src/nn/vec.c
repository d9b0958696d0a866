/* Elementwise and small-kernel loops of the layers: plain C, compiled three times with -O3
 * (the Makefile): baseline, AVX2+FMA and AVX-512+FMA, each copy's symbols suffixed by VSUF,
 * and chosen at run time by kern's CPU detection (vec_dispatch.c, LATENT_KERNEL applies).
 * The layer tests compare the layers built on them with the reference network (ref.c). */
#include "nn_vec.h"

#ifndef VSUF
#define VSUF _ref
#endif
#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define F(name) CAT(name, VSUF)
#define CLONES
#include <string.h>

/* 16 floats as one value (one AVX-512 register, two AVX ones, four SSE ones); unaligned */
typedef float v16 __attribute__((vector_size(64), aligned(4)));
typedef int32_t vi16 __attribute__((vector_size(64), aligned(4)));
typedef uint32_t vu16 __attribute__((vector_size(64), aligned(4)));
static inline v16 ld16(const float *p) {
    v16 v;
    memcpy(&v, p, 64);
    return v;
}
static inline void st16(float *p, v16 v) { memcpy(p, &v, 64); }
static inline v16 relu16(v16 v) {
    vi16 m = v > (v16){ 0 };
    return (v16)((vi16)v & m);
}

CLONES void F(lt__v_add_bias)(float *y, int64_t rows, int64_t n, const float *bias) {
    for (int64_t i = 0; i < rows; i++) {
        float *r = y + i * n;
        for (int64_t j = 0; j < n; j++) r[j] += bias[j];
    }
}

CLONES void F(lt__v_col_sums)(const float *dy, int64_t rows, int64_t n, float *g) {
    for (int64_t i = 0; i < rows; i++) {
        const float *r = dy + i * n;
        for (int64_t j = 0; j < n; j++) g[j] += r[j];
    }
}

CLONES void F(lt__v_relu)(const float *x, float *y, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : 0;
}

CLONES void F(lt__v_relu_bwd)(const float *y, const float *dy, float *dx, int64_t n) {
    for (int64_t i = 0; i < n; i++) dx[i] = y[i] > 0 ? dy[i] : 0;
}

/* y[c] = max over the window's rows x + off[p] (c contiguous), arg[c] the winning offset + c;
 * the first maximum wins, as PyTorch's */
CLONES void F(lt__v_maxpool)(
        const float *x, const int32_t *off, int np, int C, float *y, int32_t *arg) {
    const float *x0 = x + off[0];
    for (int c = 0; c < C; c++) {
        y[c] = x0[c];
        arg[c] = off[0] + c;
    }
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

CLONES void F(lt__v_sum_window)(
        const float *x, const int32_t *off, int np, int C, float scale, float *y) {
    for (int c = 0; c < C; c++) y[c] = 0;
    for (int p = 0; p < np; p++) {
        const float *xp = x + off[p];
        for (int c = 0; c < C; c++) y[c] += xp[c];
    }
    for (int c = 0; c < C; c++) y[c] *= scale;
}

/* e^x for |x| < 88 (Cody-Waite reduction by ln 2, a degree-6 polynomial on [-ln2/2, ln2/2]):
 * relative error below 2e-7, vectorisable (no libm call). Large |x| saturate. */
static inline float v_exp(float x) {
    x = x > 88.0f ? 88.0f : x < -88.0f ? -88.0f : x;
    float k = (x * 1.44269504088896341f + 12582912.0f) -
            12582912.0f; /* nearest integer: 1.5 x 2^23 shifts the fraction out */
    float r = x - k * 0.693145751953125f - k * 1.42860682030941723e-6f;
    /* e^r by its Taylor polynomial, Horner's rule */
    float p = 0.00833345205f + r * 0.00139819994f;
    p = 0.0416664183f + r * p;
    p = 0.166666672f + r * p;
    p = 0.5f + r * p;
    p = 1.0f + r * p;
    p = 1.0f + r * p;
    union {
        float f;
        int32_t i;
    } u = { p };
    u.i = (int32_t)((uint32_t)u.i +
            ((uint32_t)(int32_t)k << 23)); /* unsigned: no signed-shift overflow */
    return u.f;
}

/* 16 lanes of v_exp */
static inline v16 v_exp16(v16 x) {
    v16 hi = (v16){ 0 } + 88.0f, lo = (v16){ 0 } - 88.0f;
    vi16 over = x > hi, under = x < lo;
    x = (v16)(((vi16)x & ~over) | ((vi16)hi & over));
    x = (v16)(((vi16)x & ~under) | ((vi16)lo & under));
    v16 k = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
    v16 r = x - k * 0.693145751953125f - k * 1.42860682030941723e-6f;
    v16 p = 1.0f +
            r *
                    (1.0f +
                            r *
                                    (0.5f +
                                            r *
                                                    (0.166666672f +
                                                            r *
                                                                    (0.0416664183f +
                                                                            r *
                                                                                    (0.00833345205f +
                                                                                            r * 0.00139819994f)))));
    vu16 e = (vu16) __builtin_convertvector(k, vi16) << 23;
    return (v16)((vu16)p + e);
}

CLONES void F(lt__v_sigmoid)(const float *x, float *y, int64_t n) {
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) st16(y + i, 1.0f / (1.0f + v_exp16(-ld16(x + i))));
    for (; i < n; i++) y[i] = 1.0f / (1.0f + v_exp(-x[i]));
}

/* sum (y - t)^2 in 8 double lanes; d = (y - t) * scale */
CLONES double F(lt__v_mse)(const float *y, const float *t, float scale, float *d, int64_t n) {
    double acc[8] = { 0 };
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int j = 0; j < 8; j++) {
            float e = y[i + j] - t[i + j];
            acc[j] += (double)e * e;
            if (d) d[i + j] = e * scale;
        }
    for (; i < n; i++) {
        float e = y[i] - t[i];
        acc[0] += (double)e * e;
        if (d) d[i] = e * scale;
    }
    return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

/* Adam / AdamW on [0, n): see train.c for the rule (PyTorch's) */
CLONES void F(lt__v_adam)(float *p, const float *g, float *m, float *v, int64_t n, float b1,
        float b2, float eps, float step, float sbc2, float wd, float decay, int adamw) {
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
CLONES void F(lt__v_reduce)(float *g, float *const *parts, int k, int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; i++) g[i] = parts[0][i];
    for (int s = 1; s < k; s++) {
        const float *p = parts[s];
        for (int64_t i = i0; i < i1; i++) g[i] += p[i];
    }
}

/* the taps [k0, k1) of a k-wide window starting at i0 that fall inside [0, n) */
static inline void taps(int i0, int k, int n, int *k0, int *k1) {
    *k0 = i0 < 0 ? -i0 : 0;
    *k1 = i0 + k > n ? n - i0 : k;
}

/* Direct convolution of one channels-last sample, for few inputs per output (no im2col):
 * y (oh, ow, oc) = bias + sum over the k x k x ic window at (oy s - pad, ox s - pad) of x
 * times wt (k k ic, oc), the weight transposed; relu: max(0, .) after */
CLONES void F(lt__v_conv_direct)(const float *restrict x, int ih, int iw, int ic, int k, int s,
        int pad, const float *restrict wt, const float *restrict bias, int oc, int oh, int ow,
        int relu, float *restrict y) {
    for (int oy = 0; oy < oh; oy++) {
        int iy0 = oy * s - pad, ky0, ky1;
        taps(iy0, k, ih, &ky0, &ky1);
        for (int ox = 0; ox < ow; ox++) {
            int ix0 = ox * s - pad, kx0, kx1;
            taps(ix0, k, iw, &kx0, &kx1);
            float *yr = y + ((int64_t)oy * ow + ox) * oc;
            if (oc % 16 == 0) { /* 16 outputs at a time in one register */
                for (int j0 = 0; j0 < oc; j0 += 16) {
                    v16 acc = ld16(bias + j0);
                    for (int ky = ky0; ky < ky1; ky++)
                        for (int kx = kx0; kx < kx1; kx++) {
                            const float *xp = x + ((int64_t)(iy0 + ky) * iw + ix0 + kx) * ic,
                                        *wp = wt + (int64_t)(ky * k + kx) * ic * oc + j0;
                            for (int c = 0; c < ic; c++) acc += xp[c] * ld16(wp + (int64_t)c * oc);
                        }
                    st16(yr + j0, relu ? relu16(acc) : acc);
                }
                continue;
            }
            for (int j = 0; j < oc; j++) yr[j] = bias[j];
            for (int ky = ky0; ky < ky1; ky++)
                for (int kx = kx0; kx < kx1; kx++) {
                    const float *xp = x + ((int64_t)(iy0 + ky) * iw + ix0 + kx) * ic,
                                *wp = wt + (int64_t)(ky * k + kx) * ic * oc;
                    for (int c = 0; c < ic; c++) {
                        float a = xp[c];
                        const float *wc = wp + (int64_t)c * oc;
                        for (int j = 0; j < oc; j++) yr[j] += a * wc[j];
                    }
                }
            if (relu)
                for (int j = 0; j < oc; j++) yr[j] = yr[j] > 0 ? yr[j] : 0;
        }
    }
}

/* its gradients: gt (k k ic, oc) += window x dy; dx (ih, iw, ic; NULL: skipped) += dy W */
CLONES void F(lt__v_conv_direct_bwd)(const float *restrict x, int ih, int iw, int ic, int k, int s,
        int pad, const float *restrict wt, int oc, int oh, int ow, const float *restrict dy,
        float *restrict gt, float *restrict dx) {
    v16 acc9[9] = { { 0 } };
    for (int oy = 0; oy < oh; oy++) {
        int iy0 = oy * s - pad, ky0, ky1;
        taps(iy0, k, ih, &ky0, &ky1);
        for (int ox = 0; ox < ow; ox++) {
            int ix0 = ox * s - pad, kx0, kx1;
            taps(ix0, k, iw, &kx0, &kx1);
            const float *dr = dy + ((int64_t)oy * ow + ox) * oc;
            if (oc == 16 && ic == 1 && k == 3 &&
                    !dx) { /* a first 3x3 layer on one channel: 9 accumulators */
                v16 d = ld16(dr);
                for (int ky = ky0; ky < ky1; ky++)
                    for (int kx = kx0; kx < kx1; kx++)
                        acc9[ky * 3 + kx] += x[(int64_t)(iy0 + ky) * iw + ix0 + kx] * d;
                continue;
            }
            if (oc % 16 == 0 && !dx) {
                for (int j0 = 0; j0 < oc; j0 += 16) {
                    v16 d = ld16(dr + j0);
                    for (int ky = ky0; ky < ky1; ky++)
                        for (int kx = kx0; kx < kx1; kx++) {
                            int64_t xo = ((int64_t)(iy0 + ky) * iw + ix0 + kx) * ic,
                                    wo = (int64_t)(ky * k + kx) * ic * oc + j0;
                            for (int c = 0; c < ic; c++) {
                                float *g = gt + wo + (int64_t)c * oc;
                                st16(g, ld16(g) + x[xo + c] * d);
                            }
                        }
                }
                continue;
            }
            for (int ky = ky0; ky < ky1; ky++)
                for (int kx = kx0; kx < kx1; kx++) {
                    int64_t xo = ((int64_t)(iy0 + ky) * iw + ix0 + kx) * ic,
                            wo = (int64_t)(ky * k + kx) * ic * oc;
                    for (int c = 0; c < ic; c++) {
                        float a = x[xo + c];
                        float *g = gt + wo + (int64_t)c * oc;
                        for (int j = 0; j < oc; j++) g[j] += a * dr[j];
                        if (dx) {
                            const float *wc = wt + wo + (int64_t)c * oc;
                            float sum = 0;
                            for (int j = 0; j < oc; j++) sum += dr[j] * wc[j];
                            dx[xo + c] += sum;
                        }
                    }
                }
        }
    }
    if (oc == 16 && ic == 1 && k == 3 && !dx)
        for (int t = 0; t < 9; t++) st16(gt + t * 16, ld16(gt + t * 16) + acc9[t]);
}

CLONES void F(lt__v_add_bias_relu)(float *y, int64_t rows, int64_t n, const float *bias) {
    for (int64_t i = 0; i < rows; i++) {
        float *r = y + i * n;
        for (int64_t j = 0; j < n; j++) {
            float v = r[j] + bias[j];
            r[j] = v > 0 ? v : 0;
        }
    }
}

/* max pool backward over one window: every input of the window gets dy where it won, else 0
 * (windows do not overlap, so no zeroing pass is needed) */
CLONES void F(lt__v_maxpool_bwd)(float *dx, const int32_t *off, int np, int C, int32_t base,
        const float *dy, const int32_t *arg) {
    for (int p = 0; p < np; p++) {
        int32_t o = base + off[p];
        float *d = dx + o;
        for (int c = 0; c < C; c++) d[c] = arg[c] == o + c ? dy[c] : 0;
    }
}

/* dst = (src - shift) * mult in double, rounded to float (the dense encoders' scaler formula) */
CLONES void F(lt__v_scale_row)(const float *restrict src, const double *restrict shift,
        const double *restrict mult, float *restrict dst, int64_t n) {
    for (int64_t j = 0; j < n; j++) dst[j] = (float)(((double)src[j] - shift[j]) * mult[j]);
}

#define STR2(x) #x
#define STR(x) STR2(x)
const lt__nnvec CAT(lt__nnvec, VSUF) = {
    .name = STR(VSUF) + 1,
    .add_bias = F(lt__v_add_bias),
    .col_sums = F(lt__v_col_sums),
    .relu = F(lt__v_relu),
    .relu_bwd = F(lt__v_relu_bwd),
    .maxpool = F(lt__v_maxpool),
    .sum_window = F(lt__v_sum_window),
    .sigmoid = F(lt__v_sigmoid),
    .mse = F(lt__v_mse),
    .adam = F(lt__v_adam),
    .reduce = F(lt__v_reduce),
    .conv_direct = F(lt__v_conv_direct),
    .conv_direct_bwd = F(lt__v_conv_direct_bwd),
    .add_bias_relu = F(lt__v_add_bias_relu),
    .maxpool_bwd = F(lt__v_maxpool_bwd),
    .scale_row = F(lt__v_scale_row),
};
