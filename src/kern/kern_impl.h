/* Internal: kernel implementations by instruction set. */
#ifndef LT_KERN_IMPL_H
#define LT_KERN_IMPL_H
#include "latent/kern.h"
#define LT_KDECL(sfx)                                                                          \
    float lt_dot_##sfx(const float *x, const float *y, int64_t d);                             \
    float lt_l2sq_##sfx(const float *x, const float *y, int64_t d);                            \
    void lt_axpy_##sfx(float a, const float *x, float *y, int64_t d);                          \
    int lt_scan_below_##sfx(const float *s, const float *b, int n, int mode, float qn, float thr, int *idx, float *dout); \
    float lt_dot_f16_##sfx(const float *q, const uint16_t *x, int64_t d);                      \
    float lt_l2sq_f16_##sfx(const float *q, const uint16_t *x, int64_t d);                     \
    float lt_dot_i8_##sfx(const float *q, const int8_t *x, int64_t d);                         \
    float lt_l2sq_i8_##sfx(const float *q, const int8_t *x, float scale, int64_t d);           \
    void lt_dots_rows_##sfx(int m, int o, int64_t d, float *const *A, float *const *B, float *S); \
    void lt_update_rows_##sfx(int m, int o, int64_t d, float *const *A, float *const *B,       \
                              const float *G, float *tmp);                              \
    void lt_gemm_ukr_##sfx(int mr, int nr, int K, const float *A, int64_t lda, const float *B, int64_t ldb, \
                           float *C, int64_t ldc, const float *bias, int flags);                \
    void lt_gelu_##sfx(float *x, int64_t n);                                                   \
    void lt_softmax_##sfx(float *x, int n);                                                    \
    uint32_t lt_scan32_##sfx(const float *s, int nr, float bx, const float *qn, const float *thr, int mode, float *dist);
LT_KDECL(ref)
LT_KDECL(avx2)
LT_KDECL(avx512)
void lt_gemm_ukr_bf16(int mr, int nr, int K2, const uint16_t *A, int64_t lda2, const uint16_t *B, float *C, int64_t ldc, const float *bias, int flags);
void lt_to_bf16_avx512(const float *x, uint16_t *y, int64_t n);
#endif
