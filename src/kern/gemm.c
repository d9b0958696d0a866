/* GEMM against a pre-packed right operand (see kern.h). The packed layout: panel j holds
 * rows j*NR .. j*NR+NR-1 of W (zero beyond n), stored k-major: p[(j*k + kk)*NR + c] =
 * W[j*NR + c][kk]. The driver walks row blocks of A that fit in L2, and for each block the
 * panels in order; the micro-kernel keeps an mr x NR tile in registers over all of k, so
 * an epilogue (bias, GELU, residual add) runs once per tile. */
#include "latent/kern.h"
#include "latent/core.h"
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>
#include "kern_impl.h"

#define NR LT_GEMM_NR

size_t lt_packed_floats(int n, int k) { return ((size_t)n + NR - 1) / NR * NR * (size_t)k; }

void lt_pack_rows_to(float *dst, const float *W, int n, int k, int64_t ldw) {
    int np = (n + NR - 1) / NR;
    for (int j = 0; j < np; j++) {
        float *pj = dst + (size_t)j * k * NR;
        for (int c = 0; c < NR; c++) {
            int r = j * NR + c;
            if (r >= n) {
                for (int kk = 0; kk < k; kk++) pj[(size_t)kk * NR + c] = 0;
                continue;
            }
            const float *src = W + (int64_t)r * ldw;
            for (int kk = 0; kk < k; kk++) pj[(size_t)kk * NR + c] = src[kk];
        }
    }
}

void lt_pack_cols_to(float *dst, const float *B, int k, int n, int64_t ldb) {
    for (int j0 = 0; j0 < n; j0 += NR) {
        int w = n - j0 < NR ? n - j0 : NR;
        float *pj = dst + (size_t)(j0 / NR) * k * NR;
        for (int kk = 0; kk < k; kk++) {
            memcpy(pj + (size_t)kk * NR, B + (int64_t)kk * ldb + j0, (size_t)w * 4);
            if (w < NR) memset(pj + (size_t)kk * NR + w, 0, (size_t)(NR - w) * 4);
        }
    }
}

static int pack_alloc(lt_packed *P, int n, int k) {
    size_t bytes;
    P->n = n;
    P->k = k;
    P->p = NULL;
    if (n < 0 || k < 0 || !lt_mul_ok(lt_packed_floats(n, k), 4, &bytes)) return LT_ENOMEM;
    P->p = lt_aligned_alloc(bytes ? bytes : 64);
    return P->p ? LT_OK : LT_ENOMEM;
}

int lt_pack_rows(lt_packed *P, const float *W, int n, int k, int64_t ldw) {
    if (pack_alloc(P, n, k)) return LT_ENOMEM;
    lt_pack_rows_to(P->p, W, n, k, ldw);
    return LT_OK;
}

int lt_pack_cols(lt_packed *P, const float *B, int k, int n, int64_t ldb) {
    if (pack_alloc(P, n, k)) return LT_ENOMEM;
    lt_pack_cols_to(P->p, B, k, n, ldb);
    return LT_OK;
}

void lt_packed_free(lt_packed *P) {
    if (!P) return;
    lt_aligned_free(P->p);
    P->p = NULL;
    P->n = P->k = 0;
}

/* The bytes of A a row block may take: half the core's L2 (the other half holds the panel
 * being streamed and C's tile rows), 256 KiB when the size is unknown. A block is reused for
 * every panel, and every panel is read once per block, so on a 2 MiB L2 (Intel) a block of
 * 1 MiB reads the weights a quarter as often as 256 KiB would. */
static size_t a_block_bytes(void) {
    static _Atomic long cached;
    long v = cached;
    if (!v) {
        long l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
        v = l2 >= 524288 && l2 <= (64L << 20) ? l2 / 2 : 262144;
        cached = v;
    }
    return (size_t)v;
}

/* The blocking both GEMMs share: row blocks of A of a_block_bytes(), a whole number of
 * micro-tiles, and within each block the panels p0..p1, tile by tile. */
typedef void (*tile_fn)(const void *ctx, int r, int mr, int64_t pj, int nr);
static void walk_tiles(int m, size_t row_bytes, int MR, int n, int64_t p0, int64_t p1, tile_fn tile,
        const void *ctx) {
    int mc = (int)(a_block_bytes() / (row_bytes ? row_bytes : 1)) / MR * MR;
    if (mc < MR) mc = MR;
    for (int m0 = 0; m0 < m; m0 += mc) {
        int m1 = m - m0 < mc ? m : m0 + mc;
        for (int64_t pj = p0; pj < p1; pj++) {
            int nr = n - (int)pj * NR < NR ? n - (int)pj * NR : NR;
            for (int r = m0; r < m1; r += MR) tile(ctx, r, m1 - r < MR ? m1 - r : MR, pj, nr);
        }
    }
}

typedef struct {
    int m;
    const float *A;
    int64_t lda;
    const lt_packed *P;
    float *C;
    int64_t ldc;
    const float *bias;
    int flags;
    const lt_kernels *K;
} gemm_ctx;

static void f32_tile(const void *ud, int r, int mr, int64_t pj, int nr) {
    const gemm_ctx *g = ud;
    int k = g->P->k, j0 = (int)pj * NR;
    g->K->gemm_ukr(mr, nr, k, g->A + (int64_t)r * g->lda, g->lda, g->P->p + (size_t)pj * k * NR, NR,
            g->C + (int64_t)r * g->ldc + j0, g->ldc, g->bias ? g->bias + j0 : NULL, g->flags);
}

static void gemm_range(void *ud, int64_t p0, int64_t p1, int tid) {
    const gemm_ctx *g = ud;
    walk_tiles(g->m, (size_t)g->P->k * 4, g->K->gemm_mr, g->P->n, p0, p1, f32_tile, g);
}

void lt_gemm_packed(int m, const float *A, int64_t lda, const lt_packed *P, float *C, int64_t ldc,
        const float *bias, int flags, int n_threads) {
    if (m <= 0 || P->n <= 0) return;
    gemm_ctx g = { m, A, lda, P, C, ldc, bias, flags, lt_kern() };
    int64_t np = (P->n + NR - 1) / NR;
    if (n_threads <= 1) gemm_range(&g, 0, np, 0);
    else lt_parallel_for(n_threads, np, gemm_range, &g);
}

void lt_gemm_packed_part(int m, const float *A, int64_t lda, const lt_packed *P, float *C,
        int64_t ldc, const float *bias, int flags, int part, int n_parts) {
    if (m <= 0 || P->n <= 0) return;
    gemm_ctx g = { m, A, lda, P, C, ldc, bias, flags, lt_kern() };
    int64_t np = (P->n + NR - 1) / NR, b = np * part / n_parts, e = np * (part + 1) / n_parts;
    if (b < e) gemm_range(&g, b, e, part);
}

/* ---- bf16 ---- */
int lt_pack_rows_bf16(lt_packed_bf16 *P, const float *W, int n, int k, int64_t ldw) {
    int k2 = (k + 1) / 2;
    size_t np = ((size_t)n + NR - 1) / NR, cnt, bytes;
    P->n = n;
    P->k = k;
    P->k2 = k2;
    P->p = NULL;
    if (!lt_mul_ok(np * NR * 2, (size_t)k2, &cnt) || !lt_mul_ok(cnt, 2, &bytes)) return LT_ENOMEM;
    P->p = lt_aligned_alloc(bytes ? bytes : 64);
    if (!P->p) return LT_ENOMEM;
    memset(P->p, 0, bytes);
    for (int r = 0; r < n; r++) {
        uint16_t *dst = P->p + (size_t)(r / NR) * k2 * 2 * NR + 2 * (r % NR);
        const float *src = W + (int64_t)r * ldw;
        for (int kk = 0; kk < k; kk++)
            dst[(size_t)(kk / 2) * 2 * NR + (kk & 1)] = lt_bf16_from_f32(src[kk]);
    }
    return LT_OK;
}

void lt_packed_bf16_free(lt_packed_bf16 *P) {
    if (!P) return;
    lt_aligned_free(P->p);
    P->p = NULL;
    P->n = P->k = P->k2 = 0;
}

static int g_bf16 = -1;
int lt_bf16_native(void) {
#if defined(__x86_64__)
    if (g_bf16 < 0) {
        __builtin_cpu_init();
        const lt_kernels *K = lt_kern();
        g_bf16 = !strcmp(K->name, "avx512") && __builtin_cpu_supports("avx512bf16");
    }
    return g_bf16;
#else
    return 0;
#endif
}

void lt_rows_to_bf16(const float *x, int m, int k, int64_t ldx, uint16_t *y) {
    int k2 = (k + 1) / 2, nat = lt_bf16_native();
    for (int i = 0; i < m; i++) {
        uint16_t *yr = y + (size_t)i * 2 * k2;
#if defined(__x86_64__)
        if (nat) lt__to_bf16_avx512(x + (int64_t)i * ldx, yr, k);
        else
#endif
            for (int j = 0; j < k; j++) yr[j] = lt_bf16_from_f32(x[(int64_t)i * ldx + j]);
        if (k & 1) yr[k] = 0;
    }
}

/* scalar reference: the same bf16 inputs, products and pair sums in f32 */
static void ukr_bf16_ref(int mr, int nr, int K2, const uint16_t *A, int64_t lda2, const uint16_t *B,
        float *C, int64_t ldc, const float *bias, int flags) {
    const lt_kernels *R = lt_kern_get("ref");
    for (int r = 0; r < mr; r++)
        for (int j = 0; j < nr; j++) {
            float s = 0;
            for (int k = 0; k < K2; k++)
                s += lt_f32_from_bf16(A[2 * (r * lda2 + k)]) *
                                lt_f32_from_bf16(B[(size_t)k * 2 * NR + 2 * j]) +
                        lt_f32_from_bf16(A[2 * (r * lda2 + k) + 1]) *
                                lt_f32_from_bf16(B[(size_t)k * 2 * NR + 2 * j + 1]);
            if (flags & LT_GEMM_BIAS) s += bias[j];
            if (flags & LT_GEMM_GELU) R->gelu(&s, 1);
            if (flags & LT_GEMM_ACC) s += C[r * ldc + j];
            C[r * ldc + j] = s;
        }
}

typedef struct {
    const uint16_t *A;
    const lt_packed_bf16 *P;
    float *C;
    int64_t ldc;
    const float *bias;
    int flags, nat;
} bf16_ctx;

static void bf16_tile(const void *ud, int r, int mr, int64_t pj, int nr) {
    const bf16_ctx *g = ud;
    int k2 = g->P->k2, j0 = (int)pj * NR;
    const uint16_t *Ar = g->A + (size_t)r * 2 * k2, *Bp = g->P->p + (size_t)pj * k2 * 2 * NR;
    float *Cr = g->C + (int64_t)r * g->ldc + j0;
    const float *bj = g->bias ? g->bias + j0 : NULL;
#if defined(__x86_64__)
    if (g->nat) {
        lt__gemm_ukr_bf16(mr, nr, k2, Ar, k2, Bp, Cr, g->ldc, bj, g->flags);
        return;
    }
#endif
    ukr_bf16_ref(mr, nr, k2, Ar, k2, Bp, Cr, g->ldc, bj, g->flags);
}

void lt_gemm_bf16_part(int m, const uint16_t *A, const lt_packed_bf16 *P, float *C, int64_t ldc,
        const float *bias, int flags, int part, int n_parts) {
    if (m <= 0 || P->n <= 0) return;
    bf16_ctx g = { A, P, C, ldc, bias, flags, lt_bf16_native() };
    int64_t np = (P->n + NR - 1) / NR;
    walk_tiles(m, (size_t)P->k2 * 4, g.nat ? 12 : 4, P->n, np * part / n_parts,
            np * (part + 1) / n_parts, bf16_tile, &g);
}
