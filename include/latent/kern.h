/* latent kernels: dense vector primitives with a scalar reference and SIMD versions
 * (AVX2+FMA, AVX-512F) chosen at run time by CPU detection.
 *
 * Dimension legend used across latent: n rows, d dims, k neighbours, V vocabulary,
 * B batch, T tokens, H hidden, m context rows, o output rows.
 *
 * The environment variable LATENT_KERNEL=ref|avx2|avx512 forces a path (a path the CPU
 * lacks falls back to the best available). Rows passed to the *_rows kernels must have a
 * length `d` that is a multiple of LT_KERN_PAD floats (callers pad rows with zeros;
 * the vector store and the trainer do this), and be 64-byte aligned.
 */
#ifndef LATENT_KERN_H
#define LATENT_KERN_H
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LT_KERN_PAD 16  /* floats: one AVX-512 register, 64 bytes */
static inline int64_t lt_pad_dim(int64_t d) { return (d + LT_KERN_PAD - 1) / LT_KERN_PAD * LT_KERN_PAD; }

typedef struct lt_kernels {
    const char *name;
    /* x, y are (d) */
    float (*dot)(const float *x, const float *y, int64_t d);
    /* sum (x - y)^2 */
    float (*l2sq)(const float *x, const float *y, int64_t d);
    /* compact rows: x as IEEE half (f16) or int8 codes; d % LT_KERN_PAD == 0 */
    float (*dot_f16)(const float *q, const uint16_t *x, int64_t d);
    float (*l2sq_f16)(const float *q, const uint16_t *x, int64_t d);
    float (*dot_i8)(const float *q, const int8_t *x, int64_t d);            /* sum q*x (unscaled) */
    float (*l2sq_i8)(const float *q, const int8_t *x, float scale, int64_t d); /* sum (q - scale*x)^2 */
    /* Distance scan after a score block (exact search): dist[j] = mode 0: (qn + b[j]) - 2 s[j]
     * (L2), 1: 1 - s[j] (IP), 2: 1 - s[j] b[j] (cosine); writes the j with dist[j] <= thr to
     * idx (ascending) and their distances to dout; returns the count. */
    int (*scan_below)(const float *s, const float *b, int n, int mode, float qn, float thr, int *idx, float *dout);
    /* y += a*x */
    void (*axpy)(float a, const float *x, float *y, int64_t d);
    /* S[i*o + j] = dot(A[i], B[j]) for A (m rows), B (o rows); d % LT_KERN_PAD == 0 */
    void (*dots_rows)(int m, int o, int64_t d, float *const *A, float *const *B, float *S);
    /* Batched negative-sampling update (shared outputs), G is (m,o):
     *   tmp[i] = sum_j G[i,j] * B[j]     (old B)
     *   B[j]  += sum_i G[i,j] * A[i]     (old A)
     *   A[i]  += tmp[i]
     * tmp is caller scratch of m*d floats, 64-byte aligned. Rows may repeat in A or B
     * (the same word twice in a window); updates then apply in index order. */
    void (*update_rows)(int m, int o, int64_t d, float *const *A, float *const *B, const float *G, float *tmp);
} lt_kernels;

/* The active kernel table (initialised on first use; thread-safe). */
const lt_kernels *lt_kern(void);
/* A specific table: "ref", "avx2", "avx512"; NULL if the CPU lacks it. */
const lt_kernels *lt_kern_get(const char *name);

/* Logistic function exactly, and word2vec's bounded lookup table over [-6, 6] with 1000
 * entries, indexed exactly as word2vec.c does (its integer step 1000/6/2 = 83 per unit
 * makes the max abs error vs the exact function 0.009, tested; --exact-sigmoid avoids it). */
#define LT_EXP_TABLE_SIZE 1000
#define LT_MAX_EXP 6
float lt_sigmoid(float x);
const float *lt_sigmoid_table(void);
static inline float lt_sigmoid_lookup(const float *tab, float f) {
    return tab[(int)((f + LT_MAX_EXP) * (LT_EXP_TABLE_SIZE / LT_MAX_EXP / 2))];
}

#ifdef __cplusplus
}
#endif
#endif
