/* Elementwise loops of the layers (vec.c). */
#ifndef LT_NN_VEC_H
#define LT_NN_VEC_H
#include <stdint.h>
void lt__v_add_bias(float *y, int64_t rows, int64_t n, const float *bias);   /* y (rows, n) += bias (n) */
void lt__v_col_sums(const float *dy, int64_t rows, int64_t n, float *g);     /* g (n) += column sums of dy */
void lt__v_relu(const float *x, float *y, int64_t n);
void lt__v_relu_bwd(const float *y, const float *dy, float *dx, int64_t n);
void lt__v_maxpool(const float *x, const int32_t *off, int np, int C, float *y, int32_t *arg);
void lt__v_sum_window(const float *x, const int32_t *off, int np, int C, float scale, float *y);
void lt__v_add(float *y, const float *x, int64_t n);                         /* y += x */
#endif
#ifndef LT_NN_VEC_H2
#define LT_NN_VEC_H2
void lt__v_sigmoid(const float *x, float *y, int64_t n);
double lt__v_mse(const float *y, const float *t, float scale, float *d, int64_t n);   /* returns sum (y - t)^2 */
void lt__v_adam(float *p, const float *g, float *m, float *v, int64_t n, float b1, float b2, float eps, float step, float sbc2,
                float wd, float decay, int adamw);
void lt__v_reduce(float *g, float *const *parts, int k, int64_t i0, int64_t i1);
#endif
void lt__v_gemm_smallk(const float *x, int64_t m, int k, const float *wt, int n, const float *bias, float *y);
void lt__v_gemm_smallk_grad(const float *x, int64_t m, int k, const float *dy, int n, float *gt);
