/* Elementwise and small-kernel loops of the layers (vec.c), one table per ISA. */
#ifndef LT_NN_VEC_H
#define LT_NN_VEC_H
#include <stdint.h>
typedef struct lt__nnvec {
    const char *name;
    void (*add_bias)(float *y, int64_t rows, int64_t n, const float *bias);
    void (*col_sums)(const float *dy, int64_t rows, int64_t n, float *g);
    void (*relu)(const float *x, float *y, int64_t n);
    void (*relu_bwd)(const float *y, const float *dy, float *dx, int64_t n);
    void (*maxpool)(const float *x, const int32_t *off, int np, int C, float *y, int32_t *arg);
    void (*sum_window)(const float *x, const int32_t *off, int np, int C, float scale, float *y);
    void (*sigmoid)(const float *x, float *y, int64_t n);
    double (*mse)(const float *y, const float *t, float scale, float *d, int64_t n);
    void (*adam)(float *p, const float *g, float *m, float *v, int64_t n, float b1, float b2,
            float eps, float step, float sbc2, float wd, float decay, int adamw);
    void (*reduce)(float *g, float *const *parts, int k, int64_t i0, int64_t i1);
    void (*conv_direct)(const float *x, int ih, int iw, int ic, int k, int s, int pad,
            const float *wt, const float *bias, int oc, int oh, int ow, int relu, float *y);
    void (*conv_direct_bwd)(const float *x, int ih, int iw, int ic, int k, int s, int pad,
            const float *wt, int oc, int oh, int ow, const float *dy, float *gt, float *dx);
    void (*add_bias_relu)(float *y, int64_t rows, int64_t n, const float *bias);
    void (*maxpool_bwd)(float *dx, const int32_t *off, int np, int C, int32_t base, const float *dy,
            const int32_t *arg);
    void (*scale_row)(
            const float *src, const double *shift, const double *mult, float *dst, int64_t n);
} lt__nnvec;
/* the table for this CPU (the path lt_kern() chose: avx512, avx2, or the baseline) */
const lt__nnvec *lt__nnv(void);
#define lt__v_add_bias(...) (lt__nnv()->add_bias(__VA_ARGS__))
#define lt__v_col_sums(...) (lt__nnv()->col_sums(__VA_ARGS__))
#define lt__v_relu(...) (lt__nnv()->relu(__VA_ARGS__))
#define lt__v_relu_bwd(...) (lt__nnv()->relu_bwd(__VA_ARGS__))
#define lt__v_maxpool(...) (lt__nnv()->maxpool(__VA_ARGS__))
#define lt__v_sum_window(...) (lt__nnv()->sum_window(__VA_ARGS__))
#define lt__v_sigmoid(...) (lt__nnv()->sigmoid(__VA_ARGS__))
#define lt__v_mse(...) (lt__nnv()->mse(__VA_ARGS__))
#define lt__v_adam(...) (lt__nnv()->adam(__VA_ARGS__))
#define lt__v_reduce(...) (lt__nnv()->reduce(__VA_ARGS__))
#define lt__v_conv_direct(...) (lt__nnv()->conv_direct(__VA_ARGS__))
#define lt__v_conv_direct_bwd(...) (lt__nnv()->conv_direct_bwd(__VA_ARGS__))
#define lt__v_add_bias_relu(...) (lt__nnv()->add_bias_relu(__VA_ARGS__))
#define lt__v_maxpool_bwd(...) (lt__nnv()->maxpool_bwd(__VA_ARGS__))
#define lt__v_scale_row(...) (lt__nnv()->scale_row(__VA_ARGS__))
#endif
