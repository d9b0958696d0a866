/* GloVe: co-occurrence counts against a brute-force count (threads, spilled runs), one
 * record's loss and AdaGrad update against a double-precision reference with a numerical
 * gradient, determinism, the memory floor, and training lowering the loss. */
#include "test.h"

/* a token stream: n ids in [0, V) drawn Zipf-like, with line ends every ~len tokens */
static lt_tokens make_tokens(int64_t n, int V, int len, uint64_t seed) {
    lt_tokens t = { 0 };
    int32_t *ids = malloc((size_t)n * 4);
    lt_rng r;
    lt_rng_seed(&r, seed, 0);
    int64_t words = 0;
    for (int64_t i = 0; i < n; i++) {
        if (i > 0 && lt_rng_below(&r, (uint64_t)len) == 0 && ids[i - 1] >= 0) {
            ids[i] = -1;
            continue;
        }
        double u = lt_rng_uniform(&r);
        ids[i] = (int32_t)(pow(u, 3) * V); /* small ids frequent */
        words++;
    }
    t.ids = ids;
    t.n = n;
    t.n_words = words;
    return t;
}

static double *brute(const lt_tokens *t, int V, int W, int sym, int dw) {
    double *X = calloc((size_t)V * V, 8);
    int64_t ls = 0;
    for (int64_t p = 0; p < t->n; p++) {
        if (t->ids[p] < 0) {
            ls = p + 1;
            continue;
        }
        for (int k = 1; k <= W && p - k >= ls; k++) {
            double x = dw ? 1.0 / k : 1;
            X[(int64_t)t->ids[p - k] * V + t->ids[p]] += x;
            if (sym) X[(int64_t)t->ids[p] * V + t->ids[p - k]] += x;
        }
    }
    return X;
}

TEST(cooccurrence_counts_equal_brute_force) {
    enum { V = 1500 };
    lt_tokens t = make_tokens(60000, V, 300, 3);
    struct {
        int threads, window, sym, dw;
        double memory;
    } cases[] = {
        { 1, 5, 1, 1, 1e9 }, { 3, 5, 1, 1, 1e9 }, { 1, 4, 0, 1, 1e9 }, { 2, 3, 1, 0, 1e9 },
        { 1, 5, 1, 1, 3e5 },
        { 2, 6, 1, 1, 6e5 }, /* small budgets: a small dense table, many spilled runs */
    };
    for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
        lt_glove_opts o;
        lt_glove_opts_init(&o);
        o.n_threads = cases[ci].threads;
        o.window = cases[ci].window;
        o.symmetric = cases[ci].sym;
        o.distance_weighting = cases[ci].dw;
        o.memory = cases[ci].memory;
        double *X = brute(&t, V, o.window, o.symmetric, o.distance_weighting);
        lt_cooc *c = NULL;
        CHECK_MSG(lt_cooc_count(&t, V, &o, &c) == LT_OK, "case %zu: %s", ci, lt_errmsg());
        if (!c) {
            free(X);
            continue;
        }
        int64_t nz = 0, bad = 0;
        for (int64_t i = 0; i < (int64_t)V * V; i++) nz += X[i] != 0;
        char *seen = calloc((size_t)V * V, 1);
        for (int64_t i = 0; i < c->n; i++) {
            int64_t k = (int64_t)c->r[i].a * V + c->r[i].b;
            if (seen[k]++ || fabs(c->r[i].x - X[k]) > 1e-5 * X[k] + 1e-6) bad++;
        }
        CHECK_MSG(c->n == nz && bad == 0, "case %zu: %lld records, %lld non-zero pairs, %lld wrong",
                ci, (long long)c->n, (long long)nz, (long long)bad);
        free(seen);
        free(X);
        lt_cooc_free(c);
    }
    lt_glove_opts o;
    lt_glove_opts_init(&o);
    o.memory = 1e4;
    lt_cooc *c = NULL;
    CHECK(lt_cooc_count(&t, V, &o, &c) != LT_OK && !c && strstr(lt_errmsg(), "too small"));
    free((void *)t.ids);
}

TEST(glove_step_matches_double_reference) {
    enum { D = 8 };
    lt_glove_opts o;
    lt_glove_opts_init(&o);
    lt_rng r;
    lt_rng_seed(&r, 1, 0);
    double xs[] = { 0.5, 3.7, 250 }; /* below and above x_max */
    for (int t = 0; t < 3; t++) {
        float w[D + 1], c[D + 1], gw[D + 1], gc[D + 1];
        double wd[D + 1], cd[D + 1], x = xs[t];
        for (int k = 0; k <= D; k++) {
            w[k] = (float)(lt_rng_uniform(&r) - 0.5);
            c[k] = (float)(lt_rng_uniform(&r) - 0.5);
            wd[k] = w[k];
            cd[k] = c[k];
            gw[k] = 1 + k * 0.1f;
            gc[k] = 2 - k * 0.1f;
        }
        double f = x > o.x_max ? 1 : pow(x / o.x_max, o.weight_power);
#define J(W, C) \
    ({ \
        double _s = 0; \
        for (int _k = 0; _k < D; _k++) _s += (W)[_k] * (C)[_k]; \
        _s += (W)[D] + (C)[D] - log(x); \
        0.5 * f *_s *_s; \
    })
        double j0 = J(wd, cd), gwn[D + 1], gcn[D + 1], h = 1e-6;
        for (int k = 0; k <= D; k++) { /* numerical gradient of J in double */
            double s = wd[k];
            wd[k] = s + h;
            double jp = J(wd, cd);
            wd[k] = s - h;
            double jm = J(wd, cd);
            wd[k] = s;
            gwn[k] = (jp - jm) / (2 * h);
            s = cd[k];
            cd[k] = s + h;
            jp = J(wd, cd);
            cd[k] = s - h;
            jm = J(wd, cd);
            cd[k] = s;
            gcn[k] = (jp - jm) / (2 * h);
        }
#undef J
        float gw0[D + 1], gc0[D + 1];
        memcpy(gw0, gw, sizeof gw);
        memcpy(gc0, gc, sizeof gc);
        double loss = lt_glove_step(w, c, gw, gc, D, x, &o);
        CHECK_NEAR(loss, j0, 1e-7, 1e-5);
        for (int k = 0; k <= D;
                k++) { /* step alpha g / sqrt(G), then G += (alpha g)^2; biases with bias_alpha */
            double a = k < D ? o.alpha : o.bias_alpha, sw = a * gwn[k], sc = a * gcn[k];
            CHECK_NEAR(w[k], wd[k] - sw / sqrt(gw0[k]), 1e-6, 1e-4);
            CHECK_NEAR(c[k], cd[k] - sc / sqrt(gc0[k]), 1e-6, 1e-4);
            CHECK_NEAR(gw[k], gw0[k] + sw * sw, 1e-7, 1e-5);
            CHECK_NEAR(gc[k], gc0[k] + sc * sc, 1e-7, 1e-5);
        }
    }
}

TEST(glove_training_deterministic_and_descending) {
    enum { V = 300 };
    lt_tokens t = make_tokens(40000, V, 200, 8);
    lt_glove_opts o;
    lt_glove_opts_init(&o);
    o.dim = 16;
    o.epochs = 6;
    o.window = 5;
    o.x_max = 10;
    float *out[3] = { 0 };
    for (int run = 0; run < 3; run++) {
        o.n_threads = run < 2 ? 1 : 2;
        lt_cooc *c = NULL;
        lt_glove *g = NULL;
        CHECK(lt_cooc_count(&t, V, &o, &c) == LT_OK && lt_glove_train(c, &o, &g) == LT_OK);
        if (!g) {
            lt_cooc_free(c);
            continue;
        }
        out[run] = malloc((size_t)V * o.dim * 4);
        lt_glove_vectors(g, out[run], o.dim);
        for (int ep = 1; ep < 6; ep++) /* the loss falls epoch after epoch */
            CHECK_MSG(lt_glove_epoch_loss(g, ep) < lt_glove_epoch_loss(g, ep - 1),
                    "epoch %d: loss %g -> %g", ep, lt_glove_epoch_loss(g, ep - 1),
                    lt_glove_epoch_loss(g, ep));
        CHECK_MSG(lt_glove_epoch_loss(g, 5) < 0.9 * lt_glove_epoch_loss(g, 0), "loss %g -> %g",
                lt_glove_epoch_loss(g, 0), lt_glove_epoch_loss(g, 5));
        lt_glove_free(g);
        lt_cooc_free(c);
    }
    CHECK(out[0] && out[1] && !memcmp(out[0], out[1], (size_t)V * o.dim * 4));
    CHECK(out[2] && out[0] &&
            memcmp(out[0], out[2], (size_t)V * o.dim * 4)); /* Hogwild threads: not bitwise */
    for (int run = 0; run < 3; run++) free(out[run]);
    free((void *)t.ids);
}

/* 2 epochs with a checkpoint, then resumed to 5: the vectors of 5 uninterrupted epochs (1 thread) */
/* a context's cancel flag stops counting and training with LT_EINTR */
TEST(glove_cancel) {
    enum { V = 300 };
    lt_tokens t = make_tokens(40000, V, 200, 8);
    lt_glove_opts o;
    lt_glove_opts_init(&o);
    o.dim = 8;
    o.epochs = 3;
    volatile int cancel = 1;
    lt_ctx ctx;
    lt_ctx_init(&ctx);
    ctx.cancel = &cancel;
    lt_cooc *c = NULL;
    lt_glove *g = NULL;
    o.ctx = &ctx;
    CHECK(lt_cooc_count(&t, V, &o, &c) == LT_EINTR && strstr(lt_errmsg(), "cancelled") && !c);
    o.ctx = NULL;
    CHECK(lt_cooc_count(&t, V, &o, &c) == LT_OK);
    o.ctx = &ctx;
    CHECK(c && lt_glove_train(c, &o, &g) == LT_EINTR && !g);
    lt_cooc_free(c);
    free((void *)t.ids);
}

TEST(glove_checkpoint_resume) {
    enum { V = 200 };
    lt_tokens t = make_tokens(20000, V, 150, 4);
    lt_glove_opts o;
    lt_glove_opts_init(&o);
    o.dim = 8;
    o.window = 4;
    o.x_max = 10;
    const char *ck = "build/tests/glove_ckpt.lmodel";
    float *v[2];
    for (int run = 0; run < 2; run++) {
        lt_cooc *c = NULL;
        lt_glove *g = NULL;
        v[run] = calloc((size_t)V * o.dim, 4);
        CHECK(lt_cooc_count(&t, V, &o, &c) == LT_OK);
        if (run == 0) {
            o.epochs = 5;
            o.checkpoint = o.resume = NULL;
            CHECK(lt_glove_train(c, &o, &g) == LT_OK);
        } else {
            o.epochs = 2;
            o.checkpoint = ck;
            CHECK(lt_glove_train(c, &o, &g) == LT_OK);
            lt_glove_free(g);
            g = NULL;
            lt_cooc_free(c);
            c = NULL;
            CHECK(lt_cooc_count(&t, V, &o, &c) == LT_OK);
            o.epochs = 5;
            o.checkpoint = NULL;
            o.resume = ck;
            CHECK_MSG(lt_glove_train(c, &o, &g) == LT_OK, "%s", lt_errmsg());
            if (g)
                CHECK(lt_glove_epoch_loss(g, 1) >
                        lt_glove_epoch_loss(g, 4)); /* the losses before the resume are kept */
        }
        if (g) lt_glove_vectors(g, v[run], o.dim);
        lt_glove_free(g);
        lt_cooc_free(c);
    }
    CHECK_MSG(!memcmp(v[0], v[1], (size_t)V * o.dim * 4),
            "resumed vectors differ from an uninterrupted run");
    /* a checkpoint of other co-occurrences or another dimension is refused */
    lt_tokens t2 = make_tokens(20000, V, 150, 5);
    lt_cooc *c = NULL;
    lt_glove *g = NULL;
    CHECK(lt_cooc_count(&t2, V, &o, &c) == LT_OK);
    CHECK(lt_glove_train(c, &o, &g) == LT_EINVAL && strstr(lt_errmsg(), "other co-occurrences"));
    o.dim = 9;
    CHECK(lt_glove_train(c, &o, &g) == LT_EINVAL && strstr(lt_errmsg(), "dims"));
    lt_cooc_free(c);
    free(v[0]);
    free(v[1]);
    free((void *)t.ids);
    free((void *)t2.ids);
    remove(ck);
}

RUN_TESTS(T(glove_cancel), T(cooccurrence_counts_equal_brute_force),
        T(glove_step_matches_double_reference), T(glove_training_deterministic_and_descending),
        T(glove_checkpoint_resume))
