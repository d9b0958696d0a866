/* GloVe training (see glove.h): AdaGrad over the shuffled co-occurrence records, Hogwild
 * threads on contiguous slices. Rows hold dim floats and the bias, padded to LT_KERN_PAD. */
#include "latent/glove.h"
#include "latent/core.h"
#include "latent/kern.h"
#include "latent/model.h"
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct lt_glove {
    lt_glove_opts o;
    int64_t V, ld; /* row stride in floats */
    float *W, *C, *GW,
            *GC; /* word and context rows (bias at [dim]) and their squared-gradient sums */
    double *loss; /* per epoch */
};

double lt_glove_step(
        float *w, float *c, float *gw, float *gc, int dim, double x, const lt_glove_opts *o) {
    float *u = lt_malloc((size_t)dim * 8);
    if (!u) return NAN;
    float fw = x > o->x_max ? 1.0f : (float)pow(x / o->x_max, o->weight_power);
    double l = lt_kern()->glove_step(w, c, gw, gc, dim, (float)log(x), fw, (float)o->alpha,
            (float)o->bias_alpha, (float)o->grad_clip, u);
    lt_free(u);
    return l;
}

typedef struct {
    lt_glove *g;
    const lt_cooc *c;
    const float *lf;
    int epoch;
    double *loss;
} run_ctx;

static void train_slice(void *ud, int64_t b, int64_t e, int tid) {
    run_ctx *r = ud;
    lt_glove *g = r->g;
    const lt_glove_opts *o = &g->o;
    int d = o->dim;
    int64_t T = o->n_threads < 1 ? 1 : o->n_threads, n = r->c->n;
    float *u = lt_malloc((size_t)d * 8);
    if (!u) return;
    const lt_kernels *K = lt_kern();
    for (int64_t th = b; th < e; th++) {
        int64_t lo = n * th / T, hi = n * (th + 1) / T;
        double loss = 0;
        float lr = (float)o->alpha, blr = (float)o->bias_alpha, clip = (float)o->grad_clip;
        int64_t lines = (d + 1 + 15) / 16; /* 64-byte lines per row */
        for (int64_t i = lo; i < hi; i++) {
            if (i + 6 < hi) { /* a few records ahead: their rows are random, fetch them now */
                const lt_cooc_rec *nx = &r->c->r[i + 6];
                const float *p1 = g->W + nx->a * g->ld, *p2 = g->C + nx->b * g->ld,
                            *p3 = g->GW + nx->a * g->ld, *p4 = g->GC + nx->b * g->ld;
                for (int64_t q = 0; q < lines; q++) {
                    __builtin_prefetch(p1 + 16 * q, 1, 3);
                    __builtin_prefetch(p2 + 16 * q, 1, 3);
                    __builtin_prefetch(p3 + 16 * q, 1, 3);
                    __builtin_prefetch(p4 + 16 * q, 1, 3);
                }
            }
            const lt_cooc_rec *rec = &r->c->r[i];
            int64_t a = rec->a, bb = rec->b;
            loss += K->glove_step(g->W + a * g->ld, g->C + bb * g->ld, g->GW + a * g->ld,
                    g->GC + bb * g->ld, d, r->lf[2 * i], r->lf[2 * i + 1], lr, blr, clip, u);
            if (((i - lo) & 0xfffff) == 0xfffff) {
                if (lt_ctx_cancelled(o->ctx)) break;
                if (th == 0 && o->progress)
                    o->progress(o->progress_ud, 1, r->epoch,
                            (double)(i - lo) * (double)T + (double)r->epoch * (double)n,
                            (double)n * o->epochs, loss / (double)(i - lo + 1));
            }
        }
        r->loss[th] = loss;
    }
    (void)tid;
    lt_free(u);
}

/* ---- checkpoints: the four row arrays as (V, dim + 1) f64 arrays, the losses so far ---- */
static const char *const ARR[4] = { "W", "C", "GW", "GC" };

int lt_glove_checkpoint_check(
        const lt_model *m, int dim, int64_t vocab, int64_t n, uint64_t h, int *epochs_done) {
    const char *k = lt_model_kind(m), *ms;
    if (dim < 1 || dim > 100000 || vocab < 1 || n < 1)
        return lt_err(LT_EINVAL, "checkpoint check: dim %d, vocab %lld, %lld records", dim,
                (long long)vocab, (long long)n);
    if (!k || strcmp(k, "glove-checkpoint"))
        return lt_err(LT_EFORMAT, "not a GloVe checkpoint (kind '%s')", k ? k : "");
    long long d = (ms = lt_model_meta(m, "dim")) ? atoll(ms) : -1,
              V = (ms = lt_model_meta(m, "vocab")) ? atoll(ms) : -1;
    long long N = (ms = lt_model_meta(m, "records")) ? atoll(ms) : -1,
              e = (ms = lt_model_meta(m, "epochs_done")) ? atoll(ms) : -1;
    unsigned long long hh = (ms = lt_model_meta(m, "records_hash")) ? strtoull(ms, NULL, 16) : 0;
    if (d != dim || V != vocab)
        return lt_err(LT_EINVAL, "the checkpoint is of %lld words x %lld dims, this run %lld x %d",
                V, d, (long long)vocab, dim);
    if (N != n || hh != h)
        return lt_err(LT_EINVAL,
                "the checkpoint was trained on other co-occurrences (%lld records), this run has %lld: same corpus and counting options needed",
                N, (long long)n);
    if (e < 1 || e > 1000000) return lt_err(LT_EFORMAT, "checkpoint: epochs_done %lld", e);
    for (int a = 0; a < 4; a++) {
        int64_t r, cc;
        const double *x = lt_model_get(m, ARR[a], &r, &cc);
        if (!x || r != vocab || cc != dim + 1)
            return lt_err(LT_EFORMAT, "checkpoint: array %s missing or not %lld x %d", ARR[a],
                    (long long)vocab, dim + 1);
        for (int64_t i = 0; i < r * cc; i++)
            if (!isfinite(x[i]) || (a >= 2 && !(x[i] > 0)))
                return lt_err(LT_EFORMAT, "checkpoint: array %s: value %lld is %g", ARR[a],
                        (long long)i, x[i]);
    }
    int64_t r, cc;
    const double *l = lt_model_get(m, "loss", &r, &cc);
    if (!l || r != 1 || cc != e)
        return lt_err(LT_EFORMAT, "checkpoint: %lld epochs done, %lld losses", e,
                l ? (long long)cc : 0LL);
    *epochs_done = (int)e;
    return LT_OK;
}

static int save_checkpoint(const lt_glove *g, int done, uint64_t h, int64_t n) {
    lt_model *m = lt_model_new("glove-checkpoint");
    if (!m) return lt_err(LT_ENOMEM, "out of memory");
    int d = g->o.dim, rc = LT_OK;
    char b[64];
    double *buf = lt_malloc((size_t)g->V * (size_t)(d + 1) * 8 + 8);
    if (!buf) rc = lt_err(LT_ENOMEM, "out of memory");
#define META(k, f, v) \
    do { \
        snprintf(b, sizeof b, f, v); \
        if (rc == LT_OK) rc = lt_model_meta_set(m, k, b); \
    } while (0)
    META("dim", "%d", d);
    META("vocab", "%lld", (long long)g->V);
    META("records", "%lld", (long long)n);
    META("records_hash", "%016llx", (unsigned long long)h);
    META("epochs_done", "%d", done);
    META("seed", "%llu", (unsigned long long)g->o.seed);
#undef META
    const float *src[4] = { g->W, g->C, g->GW, g->GC };
    for (int a = 0; rc == LT_OK && a < 4; a++) {
        for (int64_t i = 0; i < g->V; i++)
            for (int k = 0; k <= d; k++) buf[i * (d + 1) + k] = src[a][i * g->ld + k];
        rc = lt_model_put(m, ARR[a], g->V, d + 1, buf);
    }
    if (rc == LT_OK) rc = lt_model_put(m, "loss", 1, done, g->loss);
    if (rc == LT_OK) rc = lt_model_save(m, g->o.checkpoint);
    lt_free(buf);
    lt_model_free(m);
    return rc;
}

static int load_checkpoint(lt_glove *g, uint64_t h, int64_t n, int *done) {
    lt_model *m;
    int rc = lt_model_load(g->o.resume, &m);
    if (rc) return rc;
    rc = lt_glove_checkpoint_check(m, g->o.dim, g->V, n, h, done);
    if (rc == LT_OK && *done > g->o.epochs)
        rc = lt_err(LT_EINVAL, "the checkpoint has %d epochs done, past --epochs %d", *done,
                g->o.epochs);
    if (rc == LT_OK) {
        float *dst[4] = { g->W, g->C, g->GW, g->GC };
        int d = g->o.dim;
        for (int a = 0; a < 4; a++) {
            const double *x = lt_model_get(m, ARR[a], NULL, NULL);
            for (int64_t i = 0; i < g->V; i++)
                for (int k = 0; k <= d; k++) dst[a][i * g->ld + k] = (float)x[i * (d + 1) + k];
        }
        memcpy(g->loss, lt_model_get(m, "loss", NULL, NULL), (size_t)*done * 8);
    } else {
        rc = lt_err(rc, "%s: %s", g->o.resume, lt_errmsg());
    }
    lt_model_free(m);
    return rc;
}

int lt_glove_train(lt_cooc *c, const lt_glove_opts *o, lt_glove **out) {
    *out = NULL;
    if (o->dim < 1 || o->dim > 100000) return lt_err(LT_EINVAL, "glove: dim must be 1..100000");
    if (o->epochs < 1) return lt_err(LT_EINVAL, "glove: epochs must be positive");
    if (!(o->x_max > 0) || !(o->alpha > 0) || !(o->bias_alpha > 0) || !(o->weight_power >= 0) ||
            !(o->grad_clip > 0))
        return lt_err(
                LT_EINVAL, "glove: x_max, alpha and grad_clip must be positive, weight_power >= 0");
    if (c->n < 1) return lt_err(LT_EINVAL, "glove: no co-occurrences to train on");
    lt_glove *g = lt_calloc(1, sizeof *g);
    if (!g) return lt_err(LT_ENOMEM, "out of memory");
    g->o = *o;
    g->V = c->vocab;
    g->ld = (o->dim + 1 + LT_KERN_PAD - 1) / LT_KERN_PAD * LT_KERN_PAD;
    size_t sz = (size_t)g->V * (size_t)g->ld * 4;
    g->W = lt_aligned_alloc(sz);
    g->C = lt_aligned_alloc(sz);
    g->GW = lt_aligned_alloc(sz);
    g->GC = lt_aligned_alloc(sz);
    g->loss = lt_calloc((size_t)o->epochs, 8);
    int64_t T = o->n_threads < 1 ? 1 : o->n_threads;
    double *tl = lt_calloc((size_t)T, 8);
    if (!g->W || !g->C || !g->GW || !g->GC || !g->loss || !tl) {
        lt_free(tl);
        lt_glove_free(g);
        return lt_err(LT_ENOMEM, "out of memory for %lld x %d parameters", (long long)g->V, o->dim);
    }
    lt_rng r;
    lt_rng_seed(&r, o->seed, 0);
    for (int64_t i = 0; i < g->V; i++)
        for (int64_t k = 0; k < g->ld; k++) {
            int in = k <= o->dim;
            g->W[i * g->ld + k] = in ? (float)((lt_rng_uniform(&r) - 0.5) / o->dim) : 0;
            g->C[i * g->ld + k] = in ? (float)((lt_rng_uniform(&r) - 0.5) / o->dim) : 0;
            g->GW[i * g->ld + k] = g->GC[i * g->ld + k] = 1;
        }
    /* one seeded shuffle of the records, as GloVe's shuffle program */
    for (int64_t i = c->n - 1; i > 0; i--) {
        int64_t j = (int64_t)lt_rng_below(&r, (uint64_t)i + 1);
        lt_cooc_rec t = c->r[i];
        c->r[i] = c->r[j];
        c->r[j] = t;
    }
    /* log x and f(x) once for all epochs */
    float *lf = lt_malloc((size_t)c->n * 8);
    if (!lf) {
        lt_free(tl);
        lt_glove_free(g);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    for (int64_t i = 0; i < c->n; i++) {
        double x = c->r[i].x;
        lf[2 * i] = (float)log(x);
        lf[2 * i + 1] = x > o->x_max ? 1.0f : (float)pow(x / o->x_max, o->weight_power);
    }
    uint64_t h = lt_hash64(c->r, (size_t)c->n * sizeof *c->r, LT_HASH_INIT);
    int ep0 = 0, rcode = o->resume ? load_checkpoint(g, h, c->n, &ep0) : LT_OK;
    if (rcode) {
        lt_free(tl);
        lt_free(lf);
        lt_glove_free(g);
        return rcode;
    }
    for (int ep = ep0; ep < o->epochs; ep++) {
        run_ctx rc = { g, c, lf, ep, tl };
        lt_parallel_for((int)T, T, train_slice, &rc);
        double s = 0;
        for (int64_t t = 0; t < T; t++) s += tl[t];
        g->loss[ep] = s / (double)c->n;
        if (lt_ctx_cancelled(o->ctx)) {
            lt_free(tl);
            lt_free(lf);
            lt_glove_free(g);
            return lt_err(LT_EINTR, "cancelled");
        }
        if (!isfinite(g->loss[ep])) {
            lt_free(tl);
            lt_free(lf);
            lt_glove_free(g);
            return lt_err(LT_EINVAL, "glove diverged in epoch %d (lower --alpha)", ep + 1);
        }
        if (o->progress)
            o->progress(o->progress_ud, 1, ep, (double)(ep + 1) * (double)c->n,
                    (double)c->n * o->epochs, g->loss[ep]);
        if (o->checkpoint && (rcode = save_checkpoint(g, ep + 1, h, c->n)) != LT_OK) {
            lt_free(tl);
            lt_free(lf);
            lt_glove_free(g);
            return rcode;
        }
    }
    lt_free(tl);
    lt_free(lf);
    *out = g;
    return LT_OK;
}

void lt_glove_vectors(const lt_glove *g, float *dst, int64_t ld) {
    int d = g->o.dim;
    for (int64_t i = 0; i < g->V; i++)
        for (int k = 0; k < d; k++) {
            float w = g->W[i * g->ld + k], c = g->C[i * g->ld + k];
            dst[i * ld + k] = g->o.output == 1 ? w : g->o.output == 2 ? c : w + c;
        }
}

double lt_glove_epoch_loss(const lt_glove *g, int epoch) {
    return epoch >= 0 && epoch < g->o.epochs ? g->loss[epoch] : NAN;
}

void lt_glove_free(lt_glove *g) {
    if (!g) return;
    lt_aligned_free(g->W);
    lt_aligned_free(g->C);
    lt_aligned_free(g->GW);
    lt_aligned_free(g->GC);
    lt_free(g->loss);
    lt_free(g);
}
