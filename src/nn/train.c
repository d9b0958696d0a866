/* Mini-batch training on data-parallel threads, optimisers, schedules, checkpoints, and
 * inference over row blocks. */
#include "nn_impl.h"
#include "nn_vec.h"
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lt_nn_train_opts_init(lt_nn_train_opts *o) {
    memset(o, 0, sizeof *o);
    o->loss = LT_LOSS_MSE;
    o->optim = LT_OPT_ADAM;
    o->lr = 1e-3;
    o->beta1 = 0.9;
    o->beta2 = 0.999;
    o->eps = 1e-8;
    o->sched = LT_SCHED_CONSTANT;
    o->step_epochs = 10;
    o->step_gamma = 0.1;
    o->epochs = 10;
    o->batch = 64;
    o->shuffle = 1;
    o->n_threads = 1;
    o->seed = 1;
}

static int by_name(const char *s, const char *const *names, int n, const char *what, int *out) {
    for (int i = 0; i < n; i++)
        if (!strcmp(s, names[i])) {
            *out = i;
            return LT_OK;
        }
    return lt_err(LT_EINVAL, "unknown %s '%s'", what, s);
}
int lt_loss_from_name(const char *s, lt_loss *out) {
    static const char *const n[] = { "mse", "bce", "softmax_ce" };
    int i = 0, rc = by_name(s, n, 3, "loss (mse, bce, softmax_ce)", &i);
    if (!rc) *out = (lt_loss)i;
    return rc;
}
int lt_optim_from_name(const char *s, lt_optim *out) {
    static const char *const n[] = { "adam", "adamw", "sgd" };
    int i = 0, rc = by_name(s, n, 3, "optimiser (adam, adamw, sgd)", &i);
    if (!rc) *out = (lt_optim)i;
    return rc;
}
static const char *const init_names[] = { "torch", "he" }; /* lt_nn_init_rule order */
int lt_nn_init_from_name(const char *s, lt_nn_init_rule *out) {
    int i = 0, rc = by_name(s, init_names, 2, "initialisation (torch, he)", &i);
    if (!rc) *out = (lt_nn_init_rule)i;
    return rc;
}
const char *lt_nn_init_name(lt_nn_init_rule r) { return (unsigned)r < 2 ? init_names[r] : "?"; }
int lt_sched_from_name(const char *s, lt_sched *out) {
    static const char *const n[] = { "constant", "cosine", "step" };
    int i = 0, rc = by_name(s, n, 3, "schedule (constant, cosine, step)", &i);
    if (!rc) *out = (lt_sched)i;
    return rc;
}

/* the learning rate of (0-based) step t in epoch e of total steps */
static double rate(const lt_nn_train_opts *o, int64_t t, int e, int64_t total) {
    double lr = o->lr;
    if (o->sched == LT_SCHED_COSINE && total > 0)
        lr *= 0.5 * (1 + cos(M_PI * (double)t / (double)total));
    else if (o->sched == LT_SCHED_STEP && o->step_epochs > 0)
        lr *= pow(o->step_gamma, (double)(e / o->step_epochs));
    if (o->warmup_steps > 0 && t < o->warmup_steps) lr *= (double)(t + 1) / (double)o->warmup_steps;
    return lr;
}

/* PyTorch's update rules on p[i0, i1) with gradient g; t the 1-based step */
static void update(const lt_nn_train_opts *o, float *p, const float *g, float *m, float *v,
        int64_t i0, int64_t i1, int64_t t, double lr) {
    if (o->optim == LT_OPT_SGD) {
        float mu = (float)o->momentum, wd = (float)o->weight_decay, a = (float)lr;
        for (int64_t i = i0; i < i1; i++) {
            float d = g[i] + wd * p[i];
            if (mu != 0) {
                m[i] = t == 1 ? d : mu * m[i] + d;
                d = o->nesterov ? d + mu * m[i] : m[i];
            }
            p[i] -= a * d;
        }
        return;
    }
    double bc1 = 1 - pow(o->beta1, (double)t), bc2 = 1 - pow(o->beta2, (double)t);
    float b1 = (float)o->beta1, b2 = (float)o->beta2, eps = (float)o->eps, step = (float)(lr / bc1),
          sbc2 = (float)sqrt(bc2);
    float wd = (float)o->weight_decay, decay = (float)(1 - lr * o->weight_decay);
    lt__v_adam(p + i0, g + i0, m + i0, v + i0, i1 - i0, b1, b2, eps, step, sbc2, wd, decay,
            o->optim == LT_OPT_ADAMW);
}

typedef struct {
    lt_nn *net;
    const lt_nn_train_opts *o;
    const float *X, *T;
    const int *y;
    int64_t n, ldx, D;
    const int64_t *perm;
    int nt;
    lt__nnws *ws;
    float **tb;
    int **yb;
    pthread_barrier_t bar;
    double *part; /* per thread: shard loss, then squared-norm share */
    float *m, *v, *gsum;
    float **parts; /* the threads' gradients, in shard order */
    int epoch;
    int64_t step0, steps, total_steps;
    /* results (thread 0) */
    double loss_sum;
    int64_t done_steps, rows_done;
    int bad;
    int64_t bad_step;
} tctx;

static void gather(const tctx *c, lt__nnws *w, float *tb, int *yb, int64_t lo, int64_t hi) {
    int64_t in = lt_nn_in_dim(c->net);
    for (int64_t r = lo; r < hi; r++) {
        int64_t src = c->perm ? c->perm[r] : r;
        memcpy(w->x + (r - lo) * in, c->X + src * c->ldx, (size_t)in * 4);
        if (c->T) memcpy(tb + (r - lo) * c->D, c->T + src * c->D, (size_t)c->D * 4);
        if (c->y) yb[r - lo] = c->y[src];
    }
}

static void worker(void *ud, int tid) {
    tctx *c = ud;
    lt_nn *net = c->net;
    const lt_nn_train_opts *o = c->o;
    lt__nnws *w = &c->ws[tid];
    int64_t np = net->np, p0 = np * tid / c->nt, p1 = np * (tid + 1) / c->nt;
    for (int64_t s = 0; s < c->steps; s++) {
        int64_t b0 = s * o->batch, nb = c->n - b0 < o->batch ? c->n - b0 : o->batch;
        int64_t lo = b0 + nb * tid / c->nt, hi = b0 + nb * (tid + 1) / c->nt, t = c->step0 + s;
        memset(w->g, 0, (size_t)np * 4);
        c->part[tid] = 0;
        if (hi > lo) {
            gather(c, w, c->tb[tid], c->yb[tid], lo, hi);
            int first;
            lt__nn_fwd(net, w, hi - lo, -1, 1, o->seed, t, lo);
            c->part[tid] = lt__nn_loss(
                    net, w, hi - lo, nb, c->T ? c->tb[tid] : NULL, c->yb[tid], o->loss, &first);
            lt__nn_bwd(net, w, hi - lo, first);
        }
        pthread_barrier_wait(&c->bar);
        double loss = 0;
        for (int k = 0; k < c->nt; k++) loss += c->part[k]; /* every thread sums the same way */
        if (!isfinite(loss)) {
            if (tid == 0) {
                c->bad = 1;
                c->bad_step = t;
            }
            break;
        }
        lt__v_reduce(c->gsum, c->parts, c->nt, p0, p1);
        if (o->clip_norm > 0) {
            double sq = 0;
            for (int64_t i = p0; i < p1; i++) sq += (double)c->gsum[i] * c->gsum[i];
            pthread_barrier_wait(&c->bar);
            c->part[tid] = sq;
            pthread_barrier_wait(&c->bar);
            double norm = 0;
            for (int k = 0; k < c->nt; k++) norm += c->part[k];
            norm = sqrt(norm);
            if (norm > o->clip_norm) {
                float f = (float)(o->clip_norm / (norm + 1e-6));
                for (int64_t i = p0; i < p1; i++) c->gsum[i] *= f;
            }
        }
        update(o, net->P, c->gsum, c->m, c->v, p0, p1, t + 1, rate(o, t, c->epoch, c->total_steps));
        if (tid == 0) {
            c->loss_sum += loss * (double)nb;
            c->done_steps++;
            c->rows_done += nb;
            if (o->progress) {
                lt_progress_update(
                        o->progress, (double)(t + 1), c->loss_sum / (double)c->rows_done);
                if (o->progress->stop) c->bad = 2;
            }
        }
        pthread_barrier_wait(&c->bar); /* parameters updated before the next forward pass */
        if (c->bad == 2) break;
    }
}

/* ---- checkpoints: the network's model with the optimiser's state ---- */
static int save_checkpoint(const lt_nn *net, const lt_nn_train_opts *o, const float *m,
        const float *v, int epoch, int64_t step) {
    lt_model *M;
    int rc = lt_nn_to_model(net, o->kind ? o->kind : "nn", &M);
    if (rc) return rc;
    double *b = lt_malloc((size_t)(net->np ? net->np : 1) * 8);
    char s[32];
    if (!b) rc = lt_err(LT_ENOMEM, "out of memory");
    for (int64_t i = 0; b && i < net->np; i++) b[i] = m[i];
    if (rc == LT_OK) rc = lt_model_put(M, "opt.m", 1, net->np, b);
    for (int64_t i = 0; b && i < net->np; i++) b[i] = v[i];
    if (rc == LT_OK) rc = lt_model_put(M, "opt.v", 1, net->np, b);
    snprintf(s, sizeof s, "%d", epoch);
    if (rc == LT_OK) rc = lt_model_meta_set(M, "ckpt_epoch", s);
    snprintf(s, sizeof s, "%lld", (long long)step);
    if (rc == LT_OK) rc = lt_model_meta_set(M, "ckpt_step", s);
    if (rc == LT_OK)
        rc = lt_model_meta_set(M, "ckpt_optim",
                o->optim == LT_OPT_SGD             ? "sgd"
                        : o->optim == LT_OPT_ADAMW ? "adamw"
                                                   : "adam");
    if (rc == LT_OK) rc = lt_model_save(M, o->checkpoint);
    lt_free(b);
    lt_model_free(M);
    return rc;
}

static int load_checkpoint(
        lt_nn *net, const lt_nn_train_opts *o, float *m, float *v, int *epoch, int64_t *step) {
    lt_model *M;
    int rc = lt_model_load(o->resume, &M);
    if (rc) return rc;
    lt_nn *c = NULL;
    const char *e = lt_model_meta(M, "ckpt_epoch"), *st = lt_model_meta(M, "ckpt_step"),
               *op = lt_model_meta(M, "ckpt_optim");
    int64_t r1, k1, r2, k2;
    const double *mm = lt_model_get(M, "opt.m", &r1, &k1), *vv = lt_model_get(M, "opt.v", &r2, &k2);
    if (!e || !st || !op || !mm || !vv)
        rc = lt_err(LT_EFORMAT, "%s: not a training checkpoint (no optimiser state)", o->resume);
    else if ((rc = lt_nn_from_model(M, &c)) != LT_OK)
        rc = lt_err(rc, "%s: %s", o->resume, lt_errmsg());
    else if (strcmp(c->arch, net->arch) || c->np != net->np || k1 != net->np || k2 != net->np ||
            c->c != net->c || c->h != net->h || c->w != net->w)
        rc = lt_err(LT_EINVAL, "%s: the checkpoint's network (%s) is not this one (%s)", o->resume,
                c->arch, net->arch);
    else if (strcmp(op,
                     o->optim == LT_OPT_SGD             ? "sgd"
                             : o->optim == LT_OPT_ADAMW ? "adamw"
                                                        : "adam"))
        rc = lt_err(LT_EINVAL, "%s: the checkpoint was trained with %s", o->resume, op);
    if (rc == LT_OK) {
        memcpy(net->P, c->P, (size_t)net->np * 4);
        for (int64_t i = 0; i < net->np; i++) {
            m[i] = (float)mm[i];
            v[i] = (float)vv[i];
        }
        *epoch = atoi(e);
        *step = atoll(st);
    }
    lt_nn_free(c);
    lt_model_free(M);
    return rc;
}

int lt_nn_train(lt_nn *net, const float *X, int64_t n, int64_t ldx, const float *T, const int *y,
        const lt_nn_train_opts *o, lt_nn_train_result *res) {
    if (res) memset(res, 0, sizeof *res);
    if (n < 1) return lt_err(LT_EINVAL, "no training rows");
    if (o->batch < 1 || o->epochs < 0 || o->n_threads < 1 || !(o->lr > 0))
        return lt_err(LT_EINVAL, "training: batch, epochs, threads or rate out of range");
    if (o->loss == LT_LOSS_SOFTMAX_CE) T = NULL;
    else y = NULL;
    if (o->loss == LT_LOSS_SOFTMAX_CE ? !y : !T)
        return lt_err(LT_EINVAL, "training: the loss needs %s",
                o->loss == LT_LOSS_SOFTMAX_CE ? "class ids" : "targets");
    if (o->loss == LT_LOSS_BCE && (net->nl < 2 || net->L[net->nl - 1].kind != LT_NN_SIGMOID))
        return lt_err(LT_EINVAL, "the bce loss needs a sigmoid output layer");
    int64_t D = net->L[net->nl - 1].out;
    if (y)
        for (int64_t i = 0; i < n; i++)
            if (y[i] < 0 || y[i] >= D)
                return lt_err(LT_EINVAL,
                        "row %lld: class %d out of range: the output layer has %lld classes",
                        (long long)i + 1, y[i], (long long)D);
    int nt = o->n_threads;
    int64_t shard = (o->batch + nt - 1) / nt;
    tctx c = { .net = net, .o = o, .X = X, .T = T, .y = y, .n = n, .ldx = ldx, .D = D, .nt = nt };
    c.ws = lt_calloc((size_t)nt, sizeof *c.ws);
    c.tb = lt_calloc((size_t)nt, sizeof *c.tb);
    c.yb = lt_calloc((size_t)nt, sizeof *c.yb);
    c.part = lt_calloc((size_t)nt, 8);
    c.parts = lt_calloc((size_t)nt, sizeof *c.parts);
    c.m = lt_aligned_alloc((size_t)(net->np + 16) * 4);
    c.v = lt_aligned_alloc((size_t)(net->np + 16) * 4);
    c.gsum = lt_aligned_alloc((size_t)(net->np + 16) * 4);
    int64_t *perm = lt_malloc((size_t)n * 8);
    lt_nn_epoch *per = lt_calloc((size_t)(o->epochs ? o->epochs : 1), sizeof *per);
    int rc = c.ws && c.tb && c.yb && c.part && c.parts && c.m && c.v && c.gsum && perm && per
            ? LT_OK
            : lt_err(LT_ENOMEM, "out of memory");
    for (int t = 0; rc == LT_OK && t < nt; t++) {
        rc = lt__nnws_init(&c.ws[t], net, shard, 1);
        c.parts[t] = c.ws[t].g;
        if (rc == LT_OK && T && !(c.tb[t] = lt_malloc((size_t)(shard * D) * 4)))
            rc = lt_err(LT_ENOMEM, "out of memory");
        if (rc == LT_OK && !(c.yb[t] = lt_malloc((size_t)shard * sizeof(int))))
            rc = lt_err(LT_ENOMEM, "out of memory");
    }
    int epoch0 = 0;
    int64_t step = 0;
    if (rc == LT_OK) {
        memset(c.m, 0, (size_t)net->np * 4);
        memset(c.v, 0, (size_t)net->np * 4);
    }
    if (rc == LT_OK && o->resume) rc = load_checkpoint(net, o, c.m, c.v, &epoch0, &step);
    if (rc == LT_OK && epoch0 > o->epochs)
        rc = lt_err(LT_EINVAL, "%s: the checkpoint is at epoch %d, past --epochs %d", o->resume,
                epoch0, o->epochs);
    int64_t steps_per_epoch = (n + o->batch - 1) / o->batch;
    c.total_steps = steps_per_epoch * o->epochs;
    if (o->max_steps > 0 && o->max_steps < c.total_steps) c.total_steps = o->max_steps;
    if (o->progress) o->progress->total = (double)c.total_steps;
    int saved_blas = lt_blas_begin(1); /* the shards run their own threads */
    double t_all = lt_now(), flops = 0;
    int e = epoch0;
    int bar = rc == LT_OK && pthread_barrier_init(&c.bar, NULL, (unsigned)nt) == 0;
    if (rc == LT_OK && !bar) rc = lt_err(LT_ENOMEM, "training: no thread barrier");
    for (; rc == LT_OK && e < o->epochs && step < c.total_steps; e++) {
        double t0 = lt_now();
        for (int64_t i = 0; i < n; i++) perm[i] = i;
        if (o->shuffle) {
            lt_rng r;
            lt_rng_seed(&r, o->seed,
                    0x5eed0000ULL + (uint64_t)e); /* epoch e's order, whatever was resumed */
            lt_rng_shuffle(&r, perm, n);
        }
        c.perm = perm;
        c.epoch = e;
        c.step0 = step;
        c.steps = steps_per_epoch;
        if (step + c.steps > c.total_steps) c.steps = c.total_steps - step;
        c.loss_sum = 0;
        c.done_steps = 0;
        c.rows_done = 0;
        lt_run_threads(nt, worker, &c);
        step += c.done_steps;
        /* forward, weight gradients, input gradients (none for layer 0) */
        double f0 = net->L[0].kind == LT_NN_CONV || net->L[0].kind == LT_NN_LINEAR
                ? lt__nn_flops_layer(&net->L[0])
                : 0;
        flops += (3.0 * lt__nn_flops(net) - f0) * (double)c.rows_done;
        if (c.bad == 1) {
            rc = lt_err(LT_EFORMAT,
                    "training diverged: the loss is not finite at epoch %d, step %lld (the parameters are those of the step before%s%s)",
                    e + 1, (long long)c.bad_step + 1,
                    o->checkpoint ? "; the last checkpoint is kept: " : "",
                    o->checkpoint ? o->checkpoint : "");
            break;
        }
        if (c.bad == 2) {
            rc = lt_err(LT_EINTR, "training stopped on request at epoch %d", e + 1);
            break;
        }
        lt_nn_epoch *pe = &per[e];
        pe->loss = c.rows_done ? c.loss_sum / (double)c.rows_done : NAN;
        pe->val_loss = pe->val_accuracy = NAN;
        if (o->n_val > 0) {
            lt_blas_threads(1);
            rc = lt_nn_evaluate(net, o->val_x, o->n_val, ldx, o->val_t, o->val_y, o->loss, nt,
                    &pe->val_loss, &pe->val_accuracy);
        }
        pe->seconds = lt_now() - t0;
        if (rc == LT_OK && o->checkpoint) rc = save_checkpoint(net, o, c.m, c.v, e + 1, step);
        if (rc == LT_OK && o->on_epoch) o->on_epoch(e + 1, o->epochs, pe, o->ud);
    }
    if (bar) pthread_barrier_destroy(&c.bar);
    lt_blas_end(saved_blas);
    if (res) {
        res->epochs = e;
        res->steps = step;
        res->seconds = lt_now() - t_all;
        res->gflops = res->seconds > 0 ? flops / res->seconds / 1e9 : 0;
        int last = e > epoch0 ? e - 1 : -1;
        res->loss = last >= 0 ? per[last].loss : NAN;
        res->val_loss = last >= 0 ? per[last].val_loss : NAN;
        res->val_accuracy = last >= 0 ? per[last].val_accuracy : NAN;
        res->per_epoch = per;
        per = NULL;
    }
    for (int t = 0; c.ws && t < nt; t++) {
        lt__nnws_free(&c.ws[t], net);
        if (c.tb) lt_free(c.tb[t]);
        if (c.yb) lt_free(c.yb[t]);
    }
    lt_free(c.ws);
    lt_free(c.tb);
    lt_free(c.yb);
    lt_free(c.part);
    lt_free(c.parts);
    lt_aligned_free(c.m);
    lt_aligned_free(c.v);
    lt_aligned_free(c.gsum);
    lt_free(perm);
    lt_free(per);
    return rc;
}

int lt_nn_loss_grad(lt_nn *net, const float *X, int64_t n, int64_t ldx, const float *T,
        const int *y, lt_loss loss, uint64_t seed, double *loss_out, float *g) {
    lt__nnws w;
    int rc = lt__nnws_init(&w, net, n, 1);
    if (rc == LT_OK) {
        int64_t in = lt_nn_in_dim(net), first;
        for (int64_t r = 0; r < n; r++) memcpy(w.x + r * in, X + r * ldx, (size_t)in * 4);
        memset(w.g, 0, (size_t)net->np * 4);
        int f;
        lt__nn_fwd(net, &w, n, -1, 1, seed, 0, 0);
        *loss_out = lt__nn_loss(net, &w, n, n, T, y, loss, &f);
        first = f;
        lt__nn_bwd(net, &w, n, (int)first);
        memcpy(g, w.g, (size_t)net->np * 4);
    }
    lt__nnws_free(&w, net);
    return rc;
}

/* ---- inference over row blocks ---- */
enum { BLOCK = 256 };
typedef struct {
    const lt_nn *net;
    const float *X;
    int64_t n, ldx;
    int upto;
    float *Y;
    int64_t ldy;
    int64_t block;
    const double *shift,
            *mult; /* optional input scaling, (x - shift) * mult, applied while gathering */
    const float *T;
    const int *y;
    lt_loss loss;
    double *lsum;
    int64_t *hits;
    int *err;
} fctx;

static void fwd_part(void *ud, int64_t b, int64_t e, int tid) {
    fctx *c = ud;
    lt__nnws w;
    int64_t blk = c->block > 0 ? c->block : BLOCK, cap = e - b < blk ? e - b : blk,
            in = lt_nn_in_dim(c->net);
    if (lt__nnws_init(&w, c->net, cap, 0)) {
        c->err[tid] = 1;
        lt__nnws_free(&w, c->net);
        return;
    }
    int upto = c->upto < 0 ? c->net->nl - 1 : c->upto;
    int64_t D = c->net->L[upto].out;
    for (int64_t r0 = b; r0 < e; r0 += cap) {
        int64_t nb = e - r0 < cap ? e - r0 : cap;
        for (int64_t r = 0; r < nb; r++) {
            const float *src = c->X + (r0 + r) * c->ldx;
            float *dst = w.x + r * in;
            if (!c->shift) memcpy(dst, src, (size_t)in * 4);
            else lt__v_scale_row(src, c->shift, c->mult, dst, in); /* as the trainer's rows */
        }
        lt__nn_fwd(c->net, &w, nb, upto, 0, 0, 0, r0);
        const float *A = w.act[upto];
        if (c->Y)
            for (int64_t r = 0; r < nb; r++)
                memcpy(c->Y + (r0 + r) * c->ldy, A + r * D, (size_t)D * 4);
        if (c->lsum) {
            int f;
            c->lsum[tid] += lt__nn_loss(c->net, &w, nb, c->n, c->T ? c->T + r0 * D : NULL,
                    c->y ? c->y + r0 : NULL, c->loss, &f);
            if (c->y)
                for (int64_t r = 0; r < nb; r++) {
                    int64_t best = 0;
                    for (int64_t j = 1; j < D; j++)
                        if (A[r * D + j] > A[r * D + best]) best = j;
                    c->hits[tid] += best == c->y[r0 + r];
                }
        }
    }
    lt__nnws_free(&w, c->net);
}

static int run_fwd(fctx *c, int n_threads) {
    int nt = n_threads < 1 ? 1 : n_threads > 256 ? 256 : n_threads;
    if (nt > c->n) nt = (int)c->n;
    int err[256] = { 0 };
    c->err = err;
    int saved = lt_blas_begin(1);
    lt_parallel_for(nt, c->n, fwd_part, c);
    lt_blas_end(saved);
    for (int t = 0; t < nt; t++)
        if (err[t]) return lt_err(LT_ENOMEM, "out of memory");
    return LT_OK;
}

int lt_nn_forward_batch(const lt_nn *net, const float *X, int64_t n, int64_t ldx, int upto,
        float *Y, int64_t ldy, int n_threads, int batch) {
    if (upto >= net->nl)
        return lt_err(LT_EINVAL, "no layer %d (the network has %d)", upto + 1, net->nl);
    if (n <= 0) return LT_OK;
    fctx c = {
        .net = net, .X = X, .n = n, .ldx = ldx, .upto = upto, .Y = Y, .ldy = ldy, .block = batch
    };
    return run_fwd(&c, n_threads);
}

int lt_nn_forward_scaled(const lt_nn *net, const float *X, int64_t n, int64_t ldx,
        const double *shift, const double *mult, int upto, float *Y, int64_t ldy, int n_threads,
        int batch) {
    if (upto >= net->nl)
        return lt_err(LT_EINVAL, "no layer %d (the network has %d)", upto + 1, net->nl);
    if (n <= 0) return LT_OK;
    fctx c = { .net = net,
        .X = X,
        .n = n,
        .ldx = ldx,
        .upto = upto,
        .Y = Y,
        .ldy = ldy,
        .block = batch,
        .shift = shift,
        .mult = mult };
    return run_fwd(&c, n_threads);
}

int lt_nn_forward(const lt_nn *net, const float *X, int64_t n, int64_t ldx, int upto, float *Y,
        int64_t ldy, int n_threads) {
    return lt_nn_forward_batch(net, X, n, ldx, upto, Y, ldy, n_threads, BLOCK);
}

int lt_nn_evaluate(const lt_nn *net, const float *X, int64_t n, int64_t ldx, const float *T,
        const int *y, lt_loss loss, int n_threads, double *mean_loss, double *accuracy) {
    *mean_loss = *accuracy = NAN;
    if (n <= 0) return LT_OK;
    double ls[256] = { 0 };
    int64_t hits[256] = { 0 };
    fctx c = { .net = net,
        .X = X,
        .n = n,
        .ldx = ldx,
        .upto = -1,
        .T = T,
        .y = loss == LT_LOSS_SOFTMAX_CE ? y : NULL,
        .loss = loss,
        .lsum = ls,
        .hits = hits };
    int nt = n_threads < 1 ? 1 : n_threads > 256 ? 256 : n_threads;
    if (nt > n) nt = (int)n;
    int rc = run_fwd(&c, nt);
    if (rc) return rc;
    double s = 0;
    int64_t h = 0;
    for (int t = 0; t < nt; t++) {
        s += ls[t];
        h += hits[t];
    }
    *mean_loss = s;
    if (c.y) *accuracy = (double)h / (double)n;
    return LT_OK;
}
