/* latent nn: a small training core for learned encoders (autoencoders, CNN features, entity
 * embeddings): layers with forward and backward passes, losses, optimisers, mini-batch
 * training on data-parallel threads, saved in the model container (model.h).
 *
 *   lt_nn *net;
 *   lt_nn_new("c16k3-p2-c32k3-p2-f64-f10", 1, 28, 28, &net);   // input shape C, H, W
 *   lt_nn_init(net, 1);                                        // seeded PyTorch-style init
 *   lt_nn_train_opts o; lt_nn_train_opts_init(&o);
 *   o.loss = LT_LOSS_SOFTMAX_CE; o.epochs = 5; o.batch = 128;
 *   lt_nn_train(net, X, NULL, y, &o, NULL);                    // X: n rows of C*H*W floats
 *   lt_model *m; lt_nn_to_model(net, "cnn", &m); lt_model_save(m, "cnn.lmodel");
 *
 * Shapes: a sample is a flat row of C*H*W floats stored channels-last (H, W, C); a batch is
 * B such rows. Layers: conv (weight (oc, kh, kw, ic), bias (oc); stride, zero padding), max
 * and average pooling (k x k, stride k, any remainder dropped as PyTorch does), linear
 * (weight (out, in) as PyTorch's, bias (out)), activations relu / gelu (erf form) / sigmoid /
 * tanh, dropout (inverted, p), layer norm over a sample's features (gamma, beta; eps 1e-5),
 * and an entity-embedding input layer (one table per categorical column, the rows of the
 * columns' ids concatenated, then the numeric inputs passed through). A linear layer after a
 * conv or pool flattens the (H, W, C) sample.
 *
 * Architecture strings (tokens joined by '-'):
 *   cNkK[sS][pP]  conv: N filters K x K, stride S [1], padding P [(K-1)/2: size-preserving]; ReLU
 *   pK / aK       max / average pool K x K, stride K
 *   fN or N       linear to N outputs; ReLU, except the last layer (none)
 *   dX            dropout with probability X          ln  layer norm
 *   ":act" after a conv or linear token sets its activation: relu, gelu, sigmoid, tanh, linear.
 * A string of numbers only ("784-256-32-256-784") is an autoencoder: the first number is the
 * input width, hidden layers ReLU, the narrowest layer (the bottleneck) linear, the last
 * sigmoid. Every layer that computes (conv, linear) gets a name, conv1.. / fc1.. in order,
 * and the last one is also "output"; lt_nn_forward can stop after any named layer (its
 * activation included).
 *
 * Threads: a batch is cut into n_threads contiguous shards; each thread runs forward and
 * backward on its shard with its own activations and gradient buffer, then the gradients
 * are summed shard by shard in order (each thread owns a slice of the parameters) and the
 * optimiser updates that slice. One thread reproduces bit-for-bit; n threads differ from one
 * by float rounding of the sums only. Dropout masks are drawn from (seed, step, row), so they
 * do not depend on the thread count. */
#ifndef LATENT_NN_H
#define LATENT_NN_H
#include "latent/core.h"
#include "latent/model.h"
#include "latent/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    LT_NN_CONV = 1,
    LT_NN_MAXPOOL,
    LT_NN_AVGPOOL,
    LT_NN_LINEAR,
    LT_NN_RELU,
    LT_NN_GELU,
    LT_NN_SIGMOID,
    LT_NN_TANH,
    LT_NN_DROPOUT,
    LT_NN_LAYERNORM,
    LT_NN_EMBED
} lt_nn_kind;

typedef struct lt_nn lt_nn;
/* Builds the layers of arch for inputs of shape (c, h, w) (flat inputs: c features, h = w = 1),
 * parameters zero. Errors name the token and the shapes that do not fit. */
int lt_nn_new(const char *arch, int c, int h, int w, lt_nn **out);
/* An entity-embedding network: n_cat categorical columns with card[j] categories (ids 0 ..
 * card[j] - 1; id card[j] is the row for categories not seen in training, kept at zero) and
 * dims[j] columns each, then n_num numeric inputs, followed by the layers of head (e.g.
 * "f64-f64-f2"). */
int lt_nn_new_entity(
        int n_cat, const int *card, const int *dims, int n_num, const char *head, lt_nn **out);
void lt_nn_free(lt_nn *net);
/* PyTorch's default initialisation drawn from seed: linear and conv weights and biases
 * U(-1/sqrt(fan_in), 1/sqrt(fan_in)); embeddings N(0, 1); layer norm gamma 1, beta 0. */
void lt_nn_init(lt_nn *net, uint64_t seed);
/* LT_INIT_TORCH: as lt_nn_init. LT_INIT_HE: linear and conv weights U(-b, b) with
 * b = sqrt(3 gain / fan_in), gain 2 where the layer's output goes through a ReLU and 1 otherwise
 * (He et al. 2015's uniform form; PyTorch's kaiming_uniform_ with nonlinearity 'relu' or
 * 'linear'), biases zero; embeddings and layer norms as lt_nn_init. */
typedef enum { LT_INIT_TORCH = 0, LT_INIT_HE } lt_nn_init_rule;
void lt_nn_init_with(lt_nn *net, uint64_t seed, lt_nn_init_rule rule);
int lt_nn_init_from_name(const char *s, lt_nn_init_rule *out); /* "torch", "he" */
const char *lt_nn_init_name(lt_nn_init_rule r);

int lt_nn_layers(const lt_nn *net);
int64_t lt_nn_in_dim(const lt_nn *net);
int64_t lt_nn_out_dim(const lt_nn *net, int layer); /* features out of layer (-1: the last) */
lt_nn_kind lt_nn_layer_kind(const lt_nn *net, int layer);
const char *lt_nn_layer_name(const lt_nn *net, int layer); /* "" when unnamed */
int lt_nn_find_layer(const lt_nn *net,
        const char *name); /* index of the layer whose output that name means; -1 */
/* The parameters of a layer ("weight", "bias", "gamma", "beta"; an embedding's tables are
 * "table0", "table1", ... each (card + 1) x dim), in place; NULL if it has none. */
float *lt_nn_param(lt_nn *net, int layer, const char *what, int64_t *count);
int64_t lt_nn_param_count(const lt_nn *net);
/* One line per layer: kind, output shape, parameters (for `latent info` and logs) */
int lt_nn_describe(const lt_nn *net, char *buf, size_t cap);

/* Forward pass in inference mode (dropout off) of the n rows of X (stride ldx) up to and
 * including layer `upto` (-1: all), into Y (n x lt_nn_out_dim(upto), stride ldy). */
int lt_nn_forward(const lt_nn *net, const float *X, int64_t n, int64_t ldx, int upto, float *Y,
        int64_t ldy, int n_threads);
/* the same, batch rows per forward pass (lt_nn_forward: 256); each thread takes a contiguous
 * share of the rows */
int lt_nn_forward_batch(const lt_nn *net, const float *X, int64_t n, int64_t ldx, int upto,
        float *Y, int64_t ldy, int n_threads, int batch);
/* the same with the input scaled on the way in, x' = (x - shift[j]) * mult[j] (in double, as
 * the dense encoders' scaler): no scaled copy of the rows */
int lt_nn_forward_scaled(const lt_nn *net, const float *X, int64_t n, int64_t ldx,
        const double *shift, const double *mult, int upto, float *Y, int64_t ldy, int n_threads,
        int batch);

typedef enum { LT_LOSS_MSE = 0, LT_LOSS_BCE, LT_LOSS_SOFTMAX_CE } lt_loss;
typedef enum { LT_OPT_ADAM = 0, LT_OPT_ADAMW, LT_OPT_SGD } lt_optim;
typedef enum { LT_SCHED_CONSTANT = 0, LT_SCHED_COSINE, LT_SCHED_STEP } lt_sched;
int lt_loss_from_name(const char *s, lt_loss *out);
int lt_optim_from_name(const char *s, lt_optim *out);
int lt_sched_from_name(const char *s, lt_sched *out);

typedef struct lt_nn_epoch {
    double loss, val_loss, val_accuracy, seconds;
} lt_nn_epoch;
typedef struct lt_nn_train_opts {
    lt_loss loss; /* mse (mean over all outputs), bce (sigmoid outputs, fused with the
                            * last sigmoid), softmax_ce (class ids; mean over rows) */
    lt_optim optim;
    double lr, beta1, beta2, eps, weight_decay,
            momentum; /* Adam: L2 added to the gradient; AdamW: decoupled */
    int nesterov;
    lt_sched sched;
    int step_epochs;
    double step_gamma;
    int warmup_steps;
    int epochs, batch, shuffle, n_threads;
    int64_t max_steps; /* stop after this many optimiser steps (0: no limit) */
    uint64_t seed; /* shuffling and dropout */
    double clip_norm; /* global gradient-norm clip (0: none) */
    /* validation rows (optional): evaluated after every epoch (loss; accuracy for softmax_ce) */
    const float *val_x;
    const float *val_t;
    const int *val_y;
    int64_t n_val;
    /* checkpoint written (atomically) after every epoch when set: the model with its
     * optimiser state; lt_nn_train resumes from `resume` (a checkpoint) when set */
    const char *checkpoint, *resume, *kind;
    lt_progress *progress; /* steps done of all, with the running mean loss of the epoch */
    /* called after every epoch (epoch is 1-based) */
    void (*on_epoch)(int epoch, int epochs, const lt_nn_epoch *e, void *ud);
    void *ud;
} lt_nn_train_opts;
/* mse, adam, lr 1e-3, betas 0.9/0.999, eps 1e-8, no weight decay, momentum 0, constant rate,
 * step 10 epochs x 0.1, no warmup, 10 epochs, batch 64, shuffled, 1 thread, seed 1 */
void lt_nn_train_opts_init(lt_nn_train_opts *o);

typedef struct lt_nn_train_result {
    int epochs;
    int64_t steps;
    double loss, val_loss, val_accuracy, seconds, gflops;
    lt_nn_epoch *per_epoch; /* epochs entries, lt_free'd by the caller (NULL if none) */
} lt_nn_train_result;
/* Trains on n rows of X (lt_nn_in_dim columns, row stride ldx) against targets T (mse/bce:
 * n x out_dim, stride out_dim) or class ids y (softmax_ce). A non-finite loss stops training
 * with LT_EFORMAT naming the epoch and step; the parameters are then those of the last good
 * step and the last checkpoint on disk is kept. */
int lt_nn_train(lt_nn *net, const float *X, int64_t n, int64_t ldx, const float *T, const int *y,
        const lt_nn_train_opts *o, lt_nn_train_result *res);
/* Mean loss of n rows (and accuracy for softmax_ce, else NaN) in inference mode. */
int lt_nn_evaluate(const lt_nn *net, const float *X, int64_t n, int64_t ldx, const float *T,
        const int *y, lt_loss loss, int n_threads, double *mean_loss, double *accuracy);

/* One step's pieces, for tests: loss and gradient of a batch (training mode, dropout seeded
 * from seed), gradients written to g (lt_nn_param_count floats, parameter order). */
int lt_nn_loss_grad(lt_nn *net, const float *X, int64_t n, int64_t ldx, const float *T,
        const int *y, lt_loss loss, uint64_t seed, double *loss_out, float *g);
/* The parameters as one flat array in parameter order (layer by layer, as lt_nn_param). */
float *lt_nn_params(lt_nn *net);
/* The same network computed by the plain reference layers (direct loops, double sums). */
int lt_nn_loss_grad_ref(lt_nn *net, const float *X, int64_t n, int64_t ldx, const float *T,
        const int *y, lt_loss loss, uint64_t seed, double *loss_out, double *g);

/* Model container: kind ("autoencoder", "cnn", "entity"), meta arch / input shape / encode
 * layer, arrays "p.LAYER.weight" etc. */
int lt_nn_to_model(const lt_nn *net, const char *kind, lt_model **out);
int lt_nn_from_model(const lt_model *m, lt_nn **out);

#ifdef __cplusplus
}
#endif
#endif
