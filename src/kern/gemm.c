/* GEMM against a pre-packed right operand (see kern.h). The packed layout: panel j holds
 * rows j*NR .. j*NR+NR-1 of W (zero beyond n), stored k-major: p[(j*k + kk)*NR + c] =
 * W[j*NR + c][kk]. The driver walks row blocks of A that fit in L2, and for each block the
 * panels in order; the micro-kernel keeps an mr x NR tile in registers over all of k, so
 * an epilogue (bias, GELU, residual add) runs once per tile. */
#include "latent/kern.h"
#include "latent/core.h"
#include <string.h>

#define NR LT_GEMM_NR

size_t lt_packed_floats(int n, int k) { return ((size_t)n + NR - 1) / NR * NR * (size_t)k; }

void lt_pack_rows_to(float *dst, const float *W, int n, int k, int64_t ldw) {
    int np = (n + NR - 1) / NR;
    for (int j = 0; j < np; j++) {
        float *pj = dst + (size_t)j * k * NR;
        for (int c = 0; c < NR; c++) {
            int r = j * NR + c;
            if (r >= n) { for (int kk = 0; kk < k; kk++) pj[(size_t)kk * NR + c] = 0; continue; }
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
    P->n = n; P->k = k; P->p = NULL;
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
    P->p = NULL; P->n = P->k = 0;
}

typedef struct { int m; const float *A; int64_t lda; const lt_packed *P; float *C; int64_t ldc; const float *bias; int flags; } gemm_ctx;

static void gemm_range(void *ud, int64_t p0, int64_t p1, int tid) {
    const gemm_ctx *g = ud;
    const lt_kernels *K = lt_kern();
    int MR = K->gemm_mr, k = g->P->k, n = g->P->n;
    /* rows of A per block: about 256 KiB of A, a whole number of micro-tiles */
    int mc = (int)(262144 / ((size_t)(k > 0 ? k : 1) * 4)) / MR * MR;
    if (mc < MR) mc = MR;
    for (int m0 = 0; m0 < g->m; m0 += mc) {
        int m1 = g->m - m0 < mc ? g->m : m0 + mc;
        for (int64_t pj = p0; pj < p1; pj++) {
            int j0 = (int)pj * NR, nr = n - j0 < NR ? n - j0 : NR;
            const float *Bp = g->P->p + (size_t)pj * k * NR;
            for (int r = m0; r < m1; r += MR)
                K->gemm_ukr(m1 - r < MR ? m1 - r : MR, nr, k, g->A + (int64_t)r * g->lda, g->lda, Bp, NR,
                            g->C + (int64_t)r * g->ldc + j0, g->ldc, g->bias ? g->bias + j0 : NULL, g->flags);
        }
    }
}

void lt_gemm_packed(int m, const float *A, int64_t lda, const lt_packed *P, float *C, int64_t ldc,
                    const float *bias, int flags, int n_threads) {
    if (m <= 0 || P->n <= 0) return;
    gemm_ctx g = {m, A, lda, P, C, ldc, bias, flags};
    int64_t np = (P->n + NR - 1) / NR;
    if (n_threads <= 1) gemm_range(&g, 0, np, 0);
    else lt_parallel_for(n_threads, np, gemm_range, &g);
}

void lt_gemm_packed_part(int m, const float *A, int64_t lda, const lt_packed *P, float *C, int64_t ldc,
                         const float *bias, int flags, int part, int n_parts) {
    if (m <= 0 || P->n <= 0) return;
    gemm_ctx g = {m, A, lda, P, C, ldc, bias, flags};
    int64_t np = (P->n + NR - 1) / NR, b = np * part / n_parts, e = np * (part + 1) / n_parts;
    if (b < e) gemm_range(&g, b, e, part);
}
