/* Kernel dispatch and the sigmoid table. */
#include "kern_impl.h"
#include "latent/core.h"
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static const lt_kernels k_ref = {
    .name = "ref",
    .dot = lt__dot_ref,
    .l2sq = lt__l2sq_ref,
    .dot_f16 = lt__dot_f16_ref,
    .l2sq_f16 = lt__l2sq_f16_ref,
    .dot_i8 = lt__dot_i8_ref,
    .l2sq_i8 = lt__l2sq_i8_ref,
    .scan_below = lt__scan_below_ref,
    .axpy = lt__axpy_ref,
    .dots_rows = lt__dots_rows_ref,
    .update_rows = lt__update_rows_ref,
    .gemm_ukr = lt__gemm_ukr_ref,
    .gemm_mr = 4,
    .gelu = lt__gelu_ref,
    .glu = lt__glu_ref,
    .softmax = lt__softmax_ref,
    .scan32 = lt__scan32_ref,
    .cos_add = lt__cos_add_ref,
    .glove_step = lt__glove_step_ref,
    .tsne_rep = lt__tsne_rep_ref,
    .tsne_attr = lt__tsne_attr_ref,
};
#if defined(__x86_64__)
static const lt_kernels k_avx2 = {
    .name = "avx2",
    .dot = lt__dot_avx2,
    .l2sq = lt__l2sq_avx2,
    .dot_f16 = lt__dot_f16_avx2,
    .l2sq_f16 = lt__l2sq_f16_avx2,
    .dot_i8 = lt__dot_i8_avx2,
    .l2sq_i8 = lt__l2sq_i8_avx2,
    .scan_below = lt__scan_below_avx2,
    .axpy = lt__axpy_avx2,
    .dots_rows = lt__dots_rows_avx2,
    .update_rows = lt__update_rows_avx2,
    .gemm_ukr = lt__gemm_ukr_avx2,
    .gemm_mr = 6,
    .gelu = lt__gelu_avx2,
    .glu = lt__glu_avx2,
    .softmax = lt__softmax_avx2,
    .scan32 = lt__scan32_avx2,
    .cos_add = lt__cos_add_avx2,
    .glove_step = lt__glove_step_avx2,
    .tsne_rep = lt__tsne_rep_avx2,
    .tsne_attr = lt__tsne_attr_avx2,
};
static const lt_kernels k_avx512 = {
    .name = "avx512",
    .dot = lt__dot_avx512,
    .l2sq = lt__l2sq_avx512,
    .dot_f16 = lt__dot_f16_avx512,
    .l2sq_f16 = lt__l2sq_f16_avx512,
    .dot_i8 = lt__dot_i8_avx512,
    .l2sq_i8 = lt__l2sq_i8_avx512,
    .scan_below = lt__scan_below_avx512,
    .axpy = lt__axpy_avx512,
    .dots_rows = lt__dots_rows_avx512,
    .update_rows = lt__update_rows_avx512,
    .gemm_ukr = lt__gemm_ukr_avx512,
    .gemm_mr = 12,
    .gelu = lt__gelu_avx512,
    .glu = lt__glu_avx512,
    .softmax = lt__softmax_avx512,
    .scan32 = lt__scan32_avx512,
    .cos_add = lt__cos_add_avx512,
    .glove_step = lt__glove_step_avx512,
    .tsne_rep = lt__tsne_rep_avx512,
    .tsne_attr = lt__tsne_attr_avx512,
};
#endif

const lt_kernels *lt_kern_get(const char *name) {
    if (!name || !strcmp(name, "ref")) return &k_ref;
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (!strcmp(name, "avx2") && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return &k_avx2; /* every AVX2 CPU has F16C */
    if (!strcmp(name, "avx512") && __builtin_cpu_supports("avx512f")) return &k_avx512;
#endif
    return NULL;
}

static const lt_kernels *g_active;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static void pick(void) {
    const char *env = getenv("LATENT_KERNEL");
    const lt_kernels *k = NULL;
    if (env && *env) k = lt_kern_get(env);
    if (!k && !(env && !strcmp(env, "ref"))) {
        k = lt_kern_get("avx512");
        if (!k) k = lt_kern_get("avx2");
    }
    g_active = k ? k : &k_ref;
}
const lt_kernels *lt_kern(void) {
    pthread_once(&g_once, pick);
    return g_active;
}

float lt_sigmoid(float x) { return (float)(1.0 / (1.0 + exp(-(double)x))); }

static float g_tab[LT_EXP_TABLE_SIZE + 1];
static pthread_once_t g_tab_once = PTHREAD_ONCE_INIT;
static void build_tab(void) {
    for (int i = 0; i < LT_EXP_TABLE_SIZE; i++) {
        double e = exp(((double)i / LT_EXP_TABLE_SIZE * 2 - 1) * LT_MAX_EXP);
        g_tab[i] = (float)(e / (e + 1));
    }
    g_tab[LT_EXP_TABLE_SIZE] = g_tab[LT_EXP_TABLE_SIZE - 1]; /* guards f == MAX_EXP exactly */
}
const float *lt_sigmoid_table(void) {
    pthread_once(&g_tab_once, build_tab);
    return g_tab;
}

/* ---- half precision ---- */
uint16_t lt_f32_to_f16(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000, e = (x >> 23) & 0xff, m = x & 0x7fffff;
    if (e == 0xff) return (uint16_t)(sign | 0x7c00 | (m ? 0x200 : 0));
    int32_t ne = (int32_t)e - 127 + 15;
    if (ne >= 31) return (uint16_t)(sign | 0x7c00);
    if (ne <= 0) {
        if (ne < -10) return (uint16_t)sign;
        m |= 0x800000;
        int shift = 14 - ne;
        uint32_t half = m >> shift, rem = m & ((1u << shift) - 1), mid = 1u << (shift - 1);
        if (rem > mid || (rem == mid && (half & 1))) half++;
        return (uint16_t)(sign | half);
    }
    uint32_t half = (uint32_t)(ne << 10) | (m >> 13), rem = m & 0x1fff;
    if (rem > 0x1000 || (rem == 0x1000 && (half & 1))) half++;
    return (uint16_t)(sign | half);
}
float lt_f16_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, e = (h >> 10) & 0x1f, m = h & 0x3ff, x;
    if (e == 0) {
        if (!m) x = sign;
        else {
            e = 127 - 15 + 1;
            while (!(m & 0x400)) {
                m <<= 1;
                e--;
            }
            x = sign | (e << 23) | ((m & 0x3ff) << 13);
        }
    } else if (e == 31) x = sign | 0x7f800000 | (m << 13);
    else x = sign | ((e - 15 + 127) << 23) | (m << 13);
    float f;
    memcpy(&f, &x, 4);
    return f;
}

/* ---- quantised embeddings ---- */
int lt_quant_from_name(const char *name) {
    static const char *const names[] = { "int8", "uint8", "binary", "ubinary" };
    for (int i = 0; name && i < 4; i++)
        if (!strcmp(name, names[i])) return i + 1;
    return 0;
}
int64_t lt_quant_width(lt_quant q, int64_t d) {
    return q == LT_QUANT_BINARY || q == LT_QUANT_UBINARY ? (d + 7) / 8 : d;
}
int64_t lt_quantize(const float *x, int64_t n, int64_t d, int64_t ld, lt_quant q,
        const float *ranges, uint8_t *out) {
    int64_t w = lt_quant_width(q, d);
    if (q == LT_QUANT_BINARY || q == LT_QUANT_UBINARY) {
        for (int64_t i = 0; i < n; i++) {
            const float *r = x + i * ld;
            uint8_t *o = out + i * w;
            memset(o, 0, (size_t)w);
            for (int64_t j = 0; j < d; j++)
                if (r[j] > 0) o[j / 8] |= (uint8_t)(0x80 >> (j % 8));
            if (q == LT_QUANT_BINARY)
                for (int64_t k = 0; k < w; k++) o[k] = (uint8_t)(o[k] - 128); /* as int8 */
        }
        return w;
    }
    if (!ranges && n < 2)
        return lt_err(LT_EINVAL, "%s ranges from %lld embedding%s: give more, or ranges",
                q == LT_QUANT_INT8 ? "int8" : "uint8", (long long)n, n == 1 ? "" : "s");
    for (int64_t j = 0; j < d; j++) {
        float lo, hi;
        if (ranges) {
            lo = ranges[j];
            hi = ranges[d + j];
        } else {
            lo = hi = n ? x[j] : 0;
            for (int64_t i = 1; i < n; i++) {
                float v = x[i * ld + j];
                if (v < lo) lo = v;
                if (v > hi) hi = v;
            }
        }
        float step = (hi - lo) / 255.0f;
        if (step == 0) step = 1; /* a constant column */
        for (int64_t i = 0; i < n; i++) {
            float v = floorf((x[i * ld + j] - lo) / step); /* clip(floor(.), 0, 255) */
            int k = v != v || v < 0 ? 0 : v > 255 ? 255 : (int)v;
            out[i * w + j] = q == LT_QUANT_INT8 ? (uint8_t)(int8_t)(k - 128) : (uint8_t)k;
        }
    }
    return w;
}
