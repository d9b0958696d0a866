/* Resampling of 8-bit images as Pillow's Image.resize computes it (what the image processors of
 * transformers, timm and open_clip call): each output pixel a weighted sum of the input pixels
 * under the filter, the filter's support widened by the reduction factor when shrinking (so it
 * antialiases), the weights normalised in double and then rounded to 22-bit fixed point; a
 * horizontal pass over the rows the vertical pass will read, through an 8-bit intermediate,
 * then the vertical pass; every sum rounded and clamped to 0..255. The arithmetic follows
 * Pillow's so that the bytes are its bytes. */
#include "latent/images.h"
#include "latent/core.h"
#include <math.h>
#include <stdint.h>
#include <string.h>

enum { PREC = 32 - 8 - 2 }; /* fixed-point bits of a weight */

static double f_box(double x) { return x > -0.5 && x <= 0.5 ? 1.0 : 0.0; }
static double f_bilinear(double x) {
    x = x < 0 ? -x : x;
    return x < 1.0 ? 1.0 - x : 0.0;
}
static double f_hamming(double x) {
    x = x < 0 ? -x : x;
    if (x == 0.0) return 1.0;
    if (x >= 1.0) return 0.0;
    x *= M_PI;
    return sin(x) / x * (0.54f + 0.46f * cos(x)); /* float constants, as Pillow's */
}
static double f_bicubic(double x) { /* Keys' cubic, a = -0.5 */
    const double a = -0.5;
    x = x < 0 ? -x : x;
    if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
    if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
    return 0.0;
}
static double sinc(double x) {
    if (x == 0.0) return 1.0;
    x *= M_PI;
    return sin(x) / x;
}
static double f_lanczos(double x) { return x >= -3.0 && x < 3.0 ? sinc(x) * sinc(x / 3.0) : 0.0; }

static const struct {
    double (*f)(double);
    double support;
} filters[] = {
    [LT_RESAMPLE_LANCZOS] = { f_lanczos, 3.0 },
    [LT_RESAMPLE_BILINEAR] = { f_bilinear, 1.0 },
    [LT_RESAMPLE_BICUBIC] = { f_bicubic, 2.0 },
    [LT_RESAMPLE_BOX] = { f_box, 0.5 },
    [LT_RESAMPLE_HAMMING] = { f_hamming, 1.0 },
};

/* the weights of each output position along one axis: bounds[2 o] the first input, bounds[2 o
 * + 1] how many; kk[o * ksize ..] in fixed point. Returns ksize, or 0 out of memory. */
static int coeffs(int in_size, int out_size, int filter, int **bounds, int32_t **kk) {
    double scale = (double)(float)in_size / out_size, fscale = scale < 1.0 ? 1.0 : scale;
    double support = filters[filter].support * fscale;
    int ksize = (int)ceil(support) * 2 + 1;
    double *k = lt_malloc(sizeof(double) * (size_t)ksize);
    *bounds = lt_malloc(sizeof(int) * 2 * (size_t)out_size);
    *kk = lt_malloc(sizeof(int32_t) * (size_t)out_size * ksize);
    if (!k || !*bounds || !*kk) {
        lt_free(k);
        lt_free(*bounds);
        lt_free(*kk);
        *bounds = NULL;
        *kk = NULL;
        return 0;
    }
    for (int o = 0; o < out_size; o++) {
        double center = (o + 0.5) * scale, ww = 0.0, ss = 1.0 / fscale;
        int xmin = (int)(center - support + 0.5), xmax = (int)(center + support + 0.5);
        if (xmin < 0) xmin = 0;
        if (xmax > in_size) xmax = in_size;
        xmax -= xmin;
        int x = 0;
        for (; x < xmax; x++) {
            k[x] = filters[filter].f((x + xmin - center + 0.5) * ss);
            ww += k[x];
        }
        for (x = 0; x < xmax; x++)
            if (ww != 0.0) k[x] /= ww;
        for (; x < ksize; x++) k[x] = 0;
        for (x = 0; x < ksize; x++)
            (*kk)[(size_t)o * ksize + x] = k[x] < 0 ? (int32_t)(-0.5 + k[x] * (1 << PREC))
                                                    : (int32_t)(0.5 + k[x] * (1 << PREC));
        (*bounds)[2 * o] = xmin;
        (*bounds)[2 * o + 1] = xmax;
    }
    lt_free(k);
    return ksize;
}

static inline unsigned char clip8(int64_t v) {
    v >>= PREC;
    return (unsigned char)(v < 0 ? 0 : v > 255 ? 255 : v);
}

/* rows first .. first + rows - 1 of src (sw wide) into dst (w wide), each output column the
 * weighted sum of its input columns */
static void hpass(const unsigned char *src, int sw, int first, int rows, int c, int w, const int *b,
        const int32_t *kk, int ks, unsigned char *dst) {
    for (int yy = 0; yy < rows; yy++) {
        const unsigned char *r = src + (size_t)(yy + first) * sw * c;
        unsigned char *o = dst + (size_t)yy * w * c;
        for (int xx = 0; xx < w; xx++) {
            int xmin = b[2 * xx], xn = b[2 * xx + 1];
            const int32_t *k = kk + (size_t)xx * ks;
            for (int ch = 0; ch < c; ch++) {
                int64_t ss = 1 << (PREC - 1);
                for (int x = 0; x < xn; x++) ss += (int64_t)r[(size_t)(x + xmin) * c + ch] * k[x];
                o[(size_t)xx * c + ch] = clip8(ss);
            }
        }
    }
}
/* h output rows from src (w wide, its row 0 is input row -shift), each the weighted sum of
 * its input rows */
static void vpass(const unsigned char *src, int w, int shift, int c, int h, const int *b,
        const int32_t *kk, int ks, unsigned char *dst) {
    for (int yy = 0; yy < h; yy++) {
        int ymin = b[2 * yy] + shift, yn = b[2 * yy + 1];
        const int32_t *k = kk + (size_t)yy * ks;
        unsigned char *o = dst + (size_t)yy * w * c;
        for (int xx = 0; xx < w; xx++)
            for (int ch = 0; ch < c; ch++) {
                int64_t ss = 1 << (PREC - 1);
                for (int y = 0; y < yn; y++)
                    ss += (int64_t)src[((size_t)(y + ymin) * w + xx) * c + ch] * k[y];
                o[(size_t)xx * c + ch] = clip8(ss);
            }
    }
}

int lt_image_resample(const lt_image *in, int w, int h, int filter, lt_image *out) {
    memset(out, 0, sizeof *out);
    if (filter < 0 || filter > LT_RESAMPLE_HAMMING || !filters[filter].f)
        return lt_err(LT_EINVAL,
                "resampling filter %d (bilinear 2, bicubic 3, box 4, hamming 5, "
                "lanczos 1)",
                filter);
    if (w < 1 || h < 1 || w > (1 << 15) || h > (1 << 15) || in->w < 1 || in->h < 1)
        return lt_err(LT_EINVAL, "resampling %dx%d to %dx%d", in->w, in->h, w, h);
    int c = in->c, rc = LT_OK;
    int *bh = NULL, *bv = NULL;
    int32_t *kh = NULL, *kv = NULL;
    int ksh = coeffs(in->w, w, filter, &bh, &kh), ksv = coeffs(in->h, h, filter, &bv, &kv);
    unsigned char *tmp = NULL, *px = lt_malloc((size_t)w * h * c);
    if (!ksh || !ksv || !px) {
        rc = lt_err(LT_ENOMEM, "out of memory");
        goto done;
    }
    int need_h = w != in->w, need_v = h != in->h;
    /* horizontal first, as Pillow up to 12.x always does (Pillow 13 runs the vertical pass
     * first for some shapes, which moves a few pixels by a level or two) */
    if (need_h && need_v) { /* only the rows the vertical pass reads */
        int y0 = bv[0], y1 = bv[2 * (h - 1)] + bv[2 * (h - 1) + 1];
        if (!(tmp = lt_malloc((size_t)w * (y1 - y0) * c + 1))) {
            rc = lt_err(LT_ENOMEM, "out of memory");
            goto done;
        }
        hpass(in->px, in->w, y0, y1 - y0, c, w, bh, kh, ksh, tmp);
        vpass(tmp, w, -y0, c, h, bv, kv, ksv, px);
    } else if (need_h) hpass(in->px, in->w, 0, h, c, w, bh, kh, ksh, px);
    else if (need_v) vpass(in->px, in->w, 0, c, h, bv, kv, ksv, px);
    else memcpy(px, in->px, (size_t)w * h * c);
done:
    lt_free(bh);
    lt_free(bv);
    lt_free(kh);
    lt_free(kv);
    lt_free(tmp);
    if (rc) {
        lt_free(px);
        return rc;
    }
    out->w = w;
    out->h = h;
    out->c = c;
    out->px = px;
    return LT_OK;
}
