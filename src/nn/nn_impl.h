/* The training core's private types (not API). */
#ifndef LT_NN_IMPL_H
#define LT_NN_IMPL_H
#include "latent/nn.h"
#include "latent/kern.h"

/* One layer. Shapes are per sample, channels-last: input (ih, iw, ic), output (oh, ow, oc);
 * flat layers have h = w = 1. Parameters live in the net's one array at [poff, poff + np). */
typedef struct lt__nnl {
    lt_nn_kind kind;
    char name[16];
    int ic, ih, iw, oc, oh, ow;
    int k, s, pad; /* conv / pool: kernel, stride, padding */
    float p; /* dropout probability */
    int64_t in, out; /* features in and out of a sample */
    int64_t poff, np;
    int n_cat, n_num; /* embed: input = n_num numerics, then n_cat category ids */
    int *card, *dims; /* embed: categories and width of each column's table */
    int64_t *toff; /* embed: each table's offset in the layer's parameters */
    int64_t emb_out; /* embed: sum of dims (the numerics follow in the output) */
    int relu_fused; /* conv / linear followed by ReLU: applied in place, the ReLU's output aliases this one's */
    int direct; /* conv with few inputs per output: direct loops, no im2col */
} lt__nnl;

struct lt_nn {
    int nl;
    lt__nnl *L;
    int64_t np;
    float *P; /* parameters, 64-byte aligned */
    char *arch;
    int c, h, w; /* input shape */
};

/* convolutions with at most SMALLK inputs per output (and at most SMALLK_OC outputs) run
 * direct loops instead of im2col and a GEMM */
enum { LT__NN_SMALLK = 32, LT__NN_SMALLK_OC = 256 };

/* Per-thread working memory for rows of at most cap samples. */
typedef struct lt__nnws {
    int64_t cap;
    float **act; /* act[l]: output of layer l, cap x L[l].out */
    float *x; /* the gathered input rows, cap x in */
    float **col, *dcol; /* conv: each conv layer's im2col rows; their gradient */
    float *d0, *d1; /* gradient ping-pong, cap x widest layer */
    int32_t **arg; /* max pool: the input offset of each output */
    uint8_t **mask; /* dropout */
    float **stats; /* layer norm: mean, rstd per row */
    float *g; /* this thread's gradient, np floats */
    float *pack; /* a weight packed for latent's GEMM kernel (narrow layers) */
} lt__nnws;

int lt__nnws_init(lt__nnws *w, const lt_nn *net, int64_t cap, int train);
void lt__nnws_free(lt__nnws *w, const lt_nn *net);
/* forward of b rows (w->x) through layers [0, upto]; train: dropout on (seed, step, row0) */
void lt__nn_fwd(const lt_nn *net, lt__nnws *w, int64_t b, int upto, int train, uint64_t seed,
        int64_t step, int64_t row0);
/* loss of the b rows against T / y (the batch has nb rows in all: the mean's denominator),
 * the gradient w.r.t. the last layer's output (or its input, fused) left in w->d0; returns
 * the summed loss / nb, the shard's share of the batch mean. *first: the layer the backward
 * pass starts at (the last, or the one before a fused sigmoid). */
double lt__nn_loss(const lt_nn *net, lt__nnws *w, int64_t b, int64_t nb, const float *T,
        const int *y, lt_loss loss, int *first);
/* backward from layer `first` down, adding parameter gradients into w->g (not zeroed here) */
void lt__nn_bwd(const lt_nn *net, lt__nnws *w, int64_t b, int first);
/* the dropout draws of row `row` at layer l in step `step` */
static inline void lt__dropout_rng(lt_rng *r, uint64_t seed, int64_t step, int l, int64_t row) {
    lt_rng_seed(
            r, seed ^ ((uint64_t)(step + 1) * 0x9e3779b97f4a7c15ULL) ^ (uint64_t)l, (uint64_t)row);
}
double lt__nn_flops(const lt_nn
                *net); /* forward flops per sample (multiply-adds x 2 of conv and linear layers) */
double lt__nn_flops_layer(const lt__nnl *L);
#endif
