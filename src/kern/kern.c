/* Kernel dispatch and the sigmoid table. */
#include "kern_impl.h"
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static const lt_kernels k_ref = {"ref", lt_dot_ref, lt_l2sq_ref, lt_dot_f16_ref, lt_l2sq_f16_ref, lt_dot_i8_ref, lt_l2sq_i8_ref, lt_scan_below_ref, lt_axpy_ref, lt_dots_rows_ref, lt_update_rows_ref, lt_gemm_ukr_ref, 4, lt_gelu_ref, lt_softmax_ref, lt_scan32_ref, lt_cos_add_ref, lt_glove_step_ref, lt_tsne_rep_ref, lt_tsne_attr_ref};
#if defined(__x86_64__)
static const lt_kernels k_avx2 = {"avx2", lt_dot_avx2, lt_l2sq_avx2, lt_dot_f16_avx2, lt_l2sq_f16_avx2, lt_dot_i8_avx2, lt_l2sq_i8_avx2, lt_scan_below_avx2, lt_axpy_avx2, lt_dots_rows_avx2, lt_update_rows_avx2, lt_gemm_ukr_avx2, 6, lt_gelu_avx2, lt_softmax_avx2, lt_scan32_avx2, lt_cos_add_avx2, lt_glove_step_avx2, lt_tsne_rep_avx2, lt_tsne_attr_avx2};
static const lt_kernels k_avx512 = {"avx512", lt_dot_avx512, lt_l2sq_avx512, lt_dot_f16_avx512, lt_l2sq_f16_avx512, lt_dot_i8_avx512, lt_l2sq_i8_avx512, lt_scan_below_avx512, lt_axpy_avx512, lt_dots_rows_avx512, lt_update_rows_avx512, lt_gemm_ukr_avx512, 12, lt_gelu_avx512, lt_softmax_avx512, lt_scan32_avx512, lt_cos_add_avx512, lt_glove_step_avx512, lt_tsne_rep_avx512, lt_tsne_attr_avx512};
#endif

const lt_kernels *lt_kern_get(const char *name) {
    if (!name || !strcmp(name, "ref")) return &k_ref;
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (!strcmp(name, "avx2") && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return &k_avx2; /* every AVX2 CPU has F16C */
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
