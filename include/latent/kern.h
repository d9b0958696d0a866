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
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LT_KERN_PAD 16 /* floats: one AVX-512 register, 64 bytes */
static inline int64_t lt_pad_dim(int64_t d) {
    return (d + LT_KERN_PAD - 1) / LT_KERN_PAD * LT_KERN_PAD;
}

typedef struct lt_kernels {
    const char *name;
    /* x, y are (d) */
    float (*dot)(const float *x, const float *y, int64_t d);
    /* sum (x - y)^2 */
    float (*l2sq)(const float *x, const float *y, int64_t d);
    /* compact rows: x as IEEE half (f16) or int8 codes; d % LT_KERN_PAD == 0 */
    float (*dot_f16)(const float *q, const uint16_t *x, int64_t d);
    float (*l2sq_f16)(const float *q, const uint16_t *x, int64_t d);
    float (*dot_i8)(const float *q, const int8_t *x, int64_t d); /* sum q*x (unscaled) */
    float (*l2sq_i8)(
            const float *q, const int8_t *x, float scale, int64_t d); /* sum (q - scale*x)^2 */
    /* Distance scan after a score block (exact search): dist[j] = mode 0: (qn + b[j]) - 2 s[j]
     * (L2), 1: 1 - s[j] (IP), 2: 1 - s[j] b[j] (cosine); writes the j with dist[j] <= thr to
     * idx (ascending) and their distances to dout; returns the count. idx and dout must have
     * room for n + 16 entries (the vector versions store whole registers). */
    int (*scan_below)(const float *s, const float *b, int n, int mode, float qn, float thr,
            int *idx, float *dout);
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
    void (*update_rows)(
            int m, int o, int64_t d, float *const *A, float *const *B, const float *G, float *tmp);
    /* GEMM micro-kernel: the mr x nr tile (mr <= gemm_mr, nr <= LT_GEMM_NR) of
     * C = A (mr x K, row stride lda) B (K x LT_GEMM_NR, row stride ldb), then the epilogue
     * flags: LT_GEMM_BIAS (+ bias[j]), LT_GEMM_GELU, LT_GEMM_ACC (+ the old C). Use
     * lt_gemm_packed below rather than calling it directly. */
    void (*gemm_ukr)(int mr, int nr, int K, const float *A, int64_t lda, const float *B,
            int64_t ldb, float *C, int64_t ldc, const float *bias, int flags);
    int gemm_mr;
    /* x = GELU(x), the erf form (max abs error vs erff ~1e-7 in the vector versions) */
    void (*gelu)(float *x, int64_t n);
    /* a = act(a) * u, the GLU of a feed-forward (u NULL: a = act(a)); act: LT_GLU_GELU (erf),
     * LT_GLU_GELU_TANH (x sigmoid(2 sqrt(2/pi) (x + 0.044715 x^3)), the tanh form),
     * LT_GLU_SILU, LT_GLU_QUICK_GELU (x sigmoid(1.702 x), CLIP's) */
    void (*glu)(float *a, const float *u, int64_t n, int act);
    /* x = softmax(x), max-subtracted */
    void (*softmax)(float *x, int n);
    /* One row of a transposed score tile (exact search over packed queries): for the
     * nr <= 32 queries j, dist[j] from score s[j] as scan_below does (mode 0: (qn[j] + bx)
     * - 2 s[j], 1: 1 - s[j], 2: 1 - s[j] bx); returns the bit mask of dist[j] <= thr[j].
     * s and dist hold 32 floats. */
    uint32_t (*scan32)(const float *s, int nr, float bx, const float *qn, const float *thr,
            int mode, float *dist);
    /* z[i] = amp cos(s[i] + b[i]) (random Fourier features); |error| < 2e-7 amp for
     * |s + b| < 8192, libm's cosf beyond */
    void (*cos_add)(const float *s, const float *b, float amp, float *z, int64_t n);
    /* one GloVe record (glove.h): rows w, c of d floats + bias, their AdaGrad sums gw, gc;
     * lx = log x, fw = f(x); lr, blr: the vectors' and the biases' rates; tmp: 2d floats.
     * Returns the loss term 0.5 f diff^2. */
    float (*glove_step)(float *w, float *c, float *gw, float *gc, int d, float lx, float fw,
            float lr, float blr, float clip, float *tmp);
    /* t-SNE repulsion: for each of np points (px, py), over m sources (sx, sy) of
     * weight sw, with q = 1 / (1 + squared distance): out[3i] += sum w q, out[3i + 1, 2] +=
     * sum w q^2 (p - s). A source at the point itself adds w to the sum and nothing else. */
    void (*tsne_rep)(const float *px, const float *py, int np, const float *sx, const float *sy,
            const float *sw, int64_t m, double *out);
    /* t-SNE attraction of point (x, y) to the m rows ci of Y (n x 2, interleaved) with
     * affinities pv: out[0, 1] = sum p q (point - Y[ci]) */
    void (*tsne_attr)(float x, float y, const int32_t *ci, const float *pv, int64_t m,
            const float *Y, double *out);
} lt_kernels;

enum { LT_GLU_GELU = 0, LT_GLU_GELU_TANH, LT_GLU_SILU, LT_GLU_QUICK_GELU };

/* ---- GEMM with a pre-packed right operand ----
 * C (m x n) = A (m x k) W^T for W (n x k) row-major (a PyTorch Linear weight, or a vector
 * base): W is packed once into panels of LT_GEMM_NR rows, each stored k-major, so the
 * micro-kernel streams one panel while the accumulators stay in registers for all k. */
#define LT_GEMM_NR 32
enum { LT_GEMM_BIAS = 1, LT_GEMM_GELU = 2, LT_GEMM_ACC = 4 };
typedef struct lt_packed {
    int n, k;
    float *p;
} lt_packed;
/* Packs W (n x k, row stride ldw) as the transposed right operand; p is 64-byte aligned,
 * padded with zeros to whole panels. Returns 0 or LT_ENOMEM. */
int lt_pack_rows(lt_packed *P, const float *W, int n, int k, int64_t ldw);
/* Packs B (k x n, row stride ldb) as the plain right operand: C = A B. */
int lt_pack_cols(lt_packed *P, const float *B, int k, int n, int64_t ldb);
void lt_packed_free(lt_packed *P);
/* The same into caller memory of lt_packed_floats(n, k) floats (then P = {n, k, dst}). */
size_t lt_packed_floats(int n, int k);
void lt_pack_rows_to(float *dst, const float *W, int n, int k, int64_t ldw);
void lt_pack_cols_to(float *dst, const float *B, int k, int n, int64_t ldb);
/* C (m x P->n, row stride ldc) = epilogue(A P); n_threads split the panels. */
void lt_gemm_packed(int m, const float *A, int64_t lda, const lt_packed *P, float *C, int64_t ldc,
        const float *bias, int flags, int n_threads);
/* ---- bf16 (opt-in reduced precision): weights and activations rounded to bfloat16,
 * products exact, sums in f32. AVX-512 BF16 (vdpbf16ps) where the CPU has it, else a scalar
 * version with the same rounding of the inputs. */
/* Quantised embeddings as sentence-transformers' quantize_embeddings computes them (float32
 * arithmetic): INT8/UINT8 map each column's [min, max] over the n >= 2 rows (or the ranges
 * given: 2 x d floats, mins then maxes) onto 256 steps, clip(floor((x - min) / step), 0, 255),
 * less 128 for int8; BINARY/UBINARY pack the signs (x > 0) eight to a byte, first value in the
 * high bit, BINARY less 128 as int8. x is (n, d) with row stride ld; out is (n, width) bytes.
 * Returns the width, or LT_EINVAL (int8/uint8 ranges from fewer than two rows). */
typedef enum { LT_QUANT_INT8 = 1, LT_QUANT_UINT8, LT_QUANT_BINARY, LT_QUANT_UBINARY } lt_quant;
int lt_quant_from_name(const char *name); /* "int8", "uint8", "binary", "ubinary"; 0 if none */
int64_t lt_quantize(const float *x, int64_t n, int64_t d, int64_t ld, lt_quant q,
        const float *ranges, uint8_t *out);
/* the bytes per row of a quantisation: d, or ceil(d / 8) for the binary ones */
int64_t lt_quant_width(lt_quant q, int64_t d);

/* IEEE half conversions (round to nearest even). */
uint16_t lt_f32_to_f16(float f);
float lt_f16_to_f32(uint16_t h);
static inline uint16_t lt_bf16_from_f32(float f) {
    union {
        float f;
        uint32_t u;
    } v = { f };
    if ((v.u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((v.u >> 16) | 0x40); /* quiet NaN */
    v.u += 0x7fffu + ((v.u >> 16) & 1); /* nearest even */
    return (uint16_t)(v.u >> 16);
}
static inline float lt_f32_from_bf16(uint16_t h) {
    union {
        uint32_t u;
        float f;
    } v = { (uint32_t)h << 16 };
    return v.f;
}
/* Panels as lt_packed, but each panel row holds a pair of k for the 32 columns:
 * p[(j*k2 + kk2)*64 + 2c + t] = W[j*32 + c][2*kk2 + t]; k2 = (k + 1) / 2. */
typedef struct lt_packed_bf16 {
    int n, k, k2;
    uint16_t *p;
} lt_packed_bf16;
int lt_pack_rows_bf16(lt_packed_bf16 *P, const float *W, int n, int k, int64_t ldw);
void lt_packed_bf16_free(lt_packed_bf16 *P);
/* 1 when the bf16 GEMM runs on AVX-512 BF16 instructions (else the scalar fallback) */
int lt_bf16_native(void);
/* rows of x (m x k, stride ldx) to bf16 rows of 2*k2 (zero padded), for lt_gemm_bf16_part */
void lt_rows_to_bf16(const float *x, int m, int k, int64_t ldx, uint16_t *y);
/* C (m x P->n) = epilogue(A P) for A already in bf16 (m rows of 2*P->k2); panels of part
 * `part` of n_parts. */
void lt_gemm_bf16_part(int m, const uint16_t *A, const lt_packed_bf16 *P, float *C, int64_t ldc,
        const float *bias, int flags, int part, int n_parts);

/* The same for the panels of part `part` of n_parts (static split), for callers that run
 * their own threads. */
void lt_gemm_packed_part(int m, const float *A, int64_t lda, const lt_packed *P, float *C,
        int64_t ldc, const float *bias, int flags, int part, int n_parts);

/* ---- BLAS: the one entry to the CPU BLAS (OpenBLAS) for general matrix products ----
 * C (m x n) = alpha op(A) op(B) + beta C, row-major; op(X) = X^T when the flag is set (A is
 * then k x m, B n x k). Runs on the calling thread plus whatever threads the BLAS is set to. */
void lt_sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *A,
        int64_t lda, const float *B, int64_t ldb, float beta, float *C, int64_t ldc);
/* the same in double */
void lt_dgemm(int trans_a, int trans_b, int m, int n, int k, double alpha, const double *A,
        int64_t lda, const double *B, int64_t ldb, double beta, double *C, int64_t ldc);
/* The rest of the BLAS and LAPACK latent uses, row-major, unit strides (kern/blas.c):
 * y = alpha op(A) x + beta y, A (m, n), op(A) = A or A^T (trans) */
void lt_sgemv(int trans, int m, int n, float alpha, const float *A, int64_t lda, const float *x,
        float beta, float *y);
void lt_dgemv(int trans, int m, int n, double alpha, const double *A, int64_t lda, const double *x,
        double beta, double *y);
/* C = alpha op(A) op(A)^T + beta C on the upper (upper = 1) or lower triangle of C (n, n);
 * op(A) = A (n, k), or A^T for A (k, n) when trans */
void lt_ssyrk(int upper, int trans, int n, int k, float alpha, const float *A, int64_t lda,
        float beta, float *C, int64_t ldc);
void lt_dsyrk(int upper, int trans, int n, int k, double alpha, const double *A, int64_t lda,
        double beta, double *C, int64_t ldc);
/* Symmetric eigenproblems on the upper triangle of A (n, n); eigenvalues ascending into w,
 * eigenvectors over A (columns). dsyev: QR iteration; dsyevd: divide and conquer. Return
 * LAPACK's info (0 = success). */
int lt_dsyev(int n, double *A, int64_t lda, double *w);
int lt_dsyevd(int n, double *A, int64_t lda, double *w);
/* Eigenpairs il..iu (1-based, ascending) of A (n, n, upper) by MRRR: *found of them, values
 * in w, vectors as the columns of Z (n, iu - il + 1); isuppz has 2 (iu - il + 1) ints. */
int lt_dsyevr(int n, double *A, int64_t lda, int il, int iu, int *found, double *w, double *Z,
        int64_t ldz, int *isuppz);
/* A (m, n), m >= n, replaced by the orthonormal Q of its QR factorisation (Householder);
 * tau has n doubles of scratch. */
int lt_dqr_q(int m, int n, double *A, int64_t lda, double *tau);

/* BLAS threads. This file's functions are the only door to the BLAS and LAPACK, and the only
 * place their thread count is set. OpenBLAS keeps one count per process, so each library entry
 * that reaches BLAS sets it for the length of its call and puts the previous one back:
 *   int saved = lt_blas_begin(n);   // n: the call's BLAS threads (1 while it runs its own)
 *   ...
 *   lt_blas_end(saved);
 * n <= 0 leaves the count as it is. Calls running at once with different counts each get one of
 * them: the results are the same, only the speed differs. Front ends never set it. */
int lt_blas_begin(int n_threads);
void lt_blas_end(int saved);
/* the same as a plain setting (kept for callers outside the library) */
void lt_blas_threads(int n);
int lt_blas_get_threads(void);
/* 1 when latent's packed kernel should take general products too: latent runs AVX-512 and the
 * BLAS's chosen core does not (OpenBLAS 0.3.21 picks its Haswell kernels on AMD Zen 4: 105
 * GFLOP/s against the packed kernel's 150-200 on the training shapes; on Intel SkylakeX
 * kernels it is the other way round for wide products). LATENT_PACKED=0/1 overrides. */
int lt_prefer_packed(void);

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
/* Table index of f, clamped to the table: out-of-range and NaN inputs (a diverging run) can
 * never index outside it. Inside [-MAX_EXP, MAX_EXP] the index is word2vec's. */
static inline int lt_exp_index(float f) {
    float x = (f + LT_MAX_EXP) * (LT_EXP_TABLE_SIZE / LT_MAX_EXP / 2);
    if (!(x >= 0)) return 0; /* also NaN */
    if (x > LT_EXP_TABLE_SIZE) return LT_EXP_TABLE_SIZE;
    return (int)x;
}
static inline float lt_sigmoid_lookup(const float *tab, float f) { return tab[lt_exp_index(f)]; }

#ifdef __cplusplus
}
#endif
#endif
