/* Internal: kernel implementations by instruction set. */
#ifndef LT_KERN_IMPL_H
#define LT_KERN_IMPL_H
#include "latent/kern.h"
#define LT_KDECL(sfx) \
    float lt__dot_##sfx(const float *x, const float *y, int64_t d); \
    float lt__l2sq_##sfx(const float *x, const float *y, int64_t d); \
    void lt__axpy_##sfx(float a, const float *x, float *y, int64_t d); \
    int lt__scan_below_##sfx(const float *s, const float *b, int n, int mode, float qn, float thr, \
            int *idx, float *dout); \
    float lt__dot_f16_##sfx(const float *q, const uint16_t *x, int64_t d); \
    float lt__l2sq_f16_##sfx(const float *q, const uint16_t *x, int64_t d); \
    float lt__dot_i8_##sfx(const float *q, const int8_t *x, int64_t d); \
    float lt__l2sq_i8_##sfx(const float *q, const int8_t *x, float scale, int64_t d); \
    void lt__dots_rows_##sfx(int m, int o, int64_t d, float *const *A, float *const *B, float *S); \
    void lt__update_rows_##sfx(int m, int o, int64_t d, float *const *A, float *const *B, \
            const float *G, float *tmp); \
    void lt__gemm_ukr_##sfx(int mr, int nr, int K, const float *A, int64_t lda, const float *B, \
            int64_t ldb, float *C, int64_t ldc, const float *bias, int flags); \
    void lt__gelu_##sfx(float *x, int64_t n); \
    void lt__glu_##sfx(float *a, const float *u, int64_t n, int act); \
    void lt__softmax_##sfx(float *x, int n); \
    uint32_t lt__scan32_##sfx(const float *s, int nr, float bx, const float *qn, const float *thr, \
            int mode, float *dist); \
    void lt__cos_add_##sfx(const float *s, const float *b, float amp, float *z, int64_t n); \
    float lt__glove_step_##sfx(float *w, float *c, float *gw, float *gc, int d, float lx, \
            float fw, float lr, float blr, float clip, float *tmp); \
    void lt__tsne_rep_##sfx(const float *px, const float *py, int np, const float *sx, \
            const float *sy, const float *sw, int64_t m, double *out); \
    void lt__tsne_attr_##sfx(float x, float y, const int32_t *ci, const float *pv, int64_t m, \
            const float *Y, double *out);
LT_KDECL(ref)
LT_KDECL(avx2)
LT_KDECL(avx512)
void lt__gemm_ukr_bf16(int mr, int nr, int K2, const uint16_t *A, int64_t lda2, const uint16_t *B,
        float *C, int64_t ldc, const float *bias, int flags);
void lt__to_bf16_avx512(const float *x, uint16_t *y, int64_t n);

/* One source for cos_add, compiled in each instruction set's file: blocks of 16 with a
 * fixed trip count (so -O2 vectorises them), branch-free. x = j pi/2 + r, |r| <= pi/4, with
 * pi/2 in three parts (Cody-Waite); Taylor polynomials to r^8 (cos) and r^9 (sin) are below
 * 3e-8 on that interval; the quadrant j picks +-cos or +-sin. */
#include <math.h>
static inline float lt__cos_poly(float x) {
    float j = rintf(x * 0.636619772367581343f);
    float r = x - j * 1.5703125f;
    r -= j * 4.83751296997070312e-4f;
    r -= j * 7.54978995489188216e-8f;
    float r2 = r * r;
    float c =
            1 + r2 * (-0.5f + r2 * (4.16666667e-2f + r2 * (-1.38888889e-3f + r2 * 2.48015873e-5f)));
    float s = r *
            (1 +
                    r2 *
                            (-1.66666667e-1f +
                                    r2 *
                                            (8.33333333e-3f +
                                                    r2 * (-1.98412698e-4f + r2 * 2.75573192e-6f))));
    int q = (int)j & 3;
    float v = (q & 1) ? s : c;
    return (q == 1 || q == 2) ? -v : v;
}
static inline void lt__cos_add(const float *s, const float *b, float amp, float *z, int64_t n) {
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        int big = 0;
        for (int k = 0; k < 16; k++) z[i + k] = amp * lt__cos_poly(s[i + k] + b[i + k]);
        for (int k = 0; k < 16; k++) big |= fabsf(s[i + k] + b[i + k]) >= 8192.0f;
        if (big)
            for (int k = 0; k < 16; k++)
                if (fabsf(s[i + k] + b[i + k]) >= 8192.0f)
                    z[i + k] = amp * cosf(s[i + k] + b[i + k]);
    }
    for (; i < n; i++) {
        float x = s[i] + b[i];
        z[i] = amp * (fabsf(x) < 8192.0f ? lt__cos_poly(x) : cosf(x));
    }
}
/* One source for tsne_rep and tsne_attr, compiled per instruction set: float terms summed
 * in 16 lanes, in a fixed order the compiler vectorises without reassociating, the lanes
 * added in double. */
static inline double lt__lanes16(const float *a) {
    double s[4];
    for (int k = 0; k < 4; k++)
        s[k] = ((double)a[4 * k] + a[4 * k + 1]) + ((double)a[4 * k + 2] + a[4 * k + 3]);
    return (s[0] + s[1]) + (s[2] + s[3]);
}
static inline void lt__tsne_rep(const float *restrict px, const float *restrict py, int np,
        const float *restrict sx, const float *restrict sy, const float *restrict sw, int64_t m,
        double *restrict out) {
    for (int i = 0; i < np; i++) {
        float x = px[i], y = py[i], az[16] = { 0 }, ax[16] = { 0 }, ay[16] = { 0 };
        int64_t j = 0;
        for (; j + 16 <= m; j += 16)
            for (int l = 0; l < 16; l++) {
                float dx = x - sx[j + l], dy = y - sy[j + l], q = 1 / (1 + dx * dx + dy * dy),
                      wq = sw[j + l] * q, wq2 = wq * q;
                az[l] += wq;
                ax[l] += wq2 * dx;
                ay[l] += wq2 * dy;
            }
        for (int l = 0; j < m; j++, l++) {
            float dx = x - sx[j], dy = y - sy[j], q = 1 / (1 + dx * dx + dy * dy), wq = sw[j] * q,
                  wq2 = wq * q;
            az[l] += wq;
            ax[l] += wq2 * dx;
            ay[l] += wq2 * dy;
        }
        out[3 * i] += lt__lanes16(az);
        out[3 * i + 1] += lt__lanes16(ax);
        out[3 * i + 2] += lt__lanes16(ay);
    }
}
static inline void lt__tsne_attr(float x, float y, const int32_t *restrict ci,
        const float *restrict pv, int64_t m, const float *restrict Y, double *restrict out) {
    float ax[16] = { 0 }, ay[16] = { 0 };
    int64_t j = 0;
    for (; j + 16 <= m; j += 16)
        for (int l = 0; l < 16; l++) {
            int32_t c = ci[j + l];
            float dx = x - Y[2 * c], dy = y - Y[2 * c + 1],
                  pq = pv[j + l] / (1 + dx * dx + dy * dy);
            ax[l] += pq * dx;
            ay[l] += pq * dy;
        }
    for (int l = 0; j < m; j++, l++) {
        int32_t c = ci[j];
        float dx = x - Y[2 * c], dy = y - Y[2 * c + 1], pq = pv[j] / (1 + dx * dx + dy * dy);
        ax[l] += pq * dx;
        ay[l] += pq * dy;
    }
    out[0] = lt__lanes16(ax);
    out[1] = lt__lanes16(ay);
}
/* One source for glove_step, compiled per instruction set (see glove.h for the rule). The
 * row update is skipped when it is not finite, as GloVe does. */
static inline float lt__glove_step(float *restrict w, float *restrict c, float *restrict gw,
        float *restrict gc, int d, float lx, float fw, float lr, float blr, float clip,
        float *restrict tmp) {
    /* sums in 16 lanes (a fixed order the compiler may vectorise without reassociating) */
    float acc[16] = { 0 }, sacc[16] = { 0 }, diff = 0, su = 0;
    int k = 0;
    for (; k + 16 <= d; k += 16)
        for (int l = 0; l < 16; l++) acc[l] += w[k + l] * c[k + l];
    for (; k < d; k++) acc[k & 15] += w[k] * c[k];
    for (int l = 0; l < 16; l++) diff += acc[l];
    diff += w[d] + c[d] - lx;
    float fdiff = fw * diff;
    if (!(fabsf(fdiff) < INFINITY)) return 0;
    float *uw = tmp, *uc = tmp + d;
#define LT__GLOVE_UPD(k, l) \
    do { \
        float g1 = fdiff * c[k], g2 = fdiff * w[k]; \
        g1 = (g1 > clip ? clip : g1 < -clip ? -clip : g1) * lr; \
        g2 = (g2 > clip ? clip : g2 < -clip ? -clip : g2) * lr; \
        uw[k] = g1 / sqrtf(gw[k]); \
        uc[k] = g2 / sqrtf(gc[k]); \
        sacc[l] += uw[k] + uc[k]; \
        gw[k] += g1 * g1; \
        gc[k] += g2 * g2; \
    } while (0)
    for (k = 0; k + 16 <= d; k += 16)
        for (int l = 0; l < 16; l++) LT__GLOVE_UPD(k + l, l);
    for (; k < d; k++) LT__GLOVE_UPD(k, k & 15);
#undef LT__GLOVE_UPD
    for (int l = 0; l < 16; l++) su += sacc[l];
    if (fabsf(su) < INFINITY)
        for (int k = 0; k < d; k++) {
            w[k] -= uw[k];
            c[k] -= uc[k];
        }
    float gb = fdiff * blr;
    w[d] -= gb / sqrtf(gw[d]);
    c[d] -= gb / sqrtf(gc[d]);
    gw[d] += gb * gb;
    gc[d] += gb * gb;
    return 0.5f * fdiff * diff;
}
#endif
