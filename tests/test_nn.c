/* The training core: every layer's fast backward pass against the plain double reference,
 * the reference against finite differences, one optimiser step against PyTorch (fixture
 * made by tools/make_nn_fixture.py), training determinism across runs and thread counts. */
#include "test.h"

static void fill(float *x, int64_t n, double a, double b) {
    for (int64_t i = 0; i < n; i++) x[i] = (float)sin(a * (double)i + b);
}

typedef struct {
    const char *arch;
    int c, h, w;
    lt_loss loss;
    int classes;
} gcase;

/* the fast gradient equals the reference one; the reference equals central differences */
static void grad_check(lt_nn *net, lt_loss loss, int64_t n, const char *what) {
    int64_t in = lt_nn_in_dim(net), D = lt_nn_out_dim(net, -1), np = lt_nn_param_count(net);
    float *X = malloc((size_t)(n * in) * 4), *T = malloc((size_t)(n * D) * 4),
          *g = malloc((size_t)np * 4);
    int *y = malloc((size_t)n * sizeof(int));
    double *gr = malloc((size_t)np * 8);
    fill(X, n * in, 0.731, 0.2);
    for (int64_t i = 0; i < n * D; i++) T[i] = (float)(0.5 + 0.4 * sin(1.3 * (double)i));
    for (int64_t i = 0; i < n; i++) y[i] = (int)(i % D);
    double lf, lr;
    CHECK(lt_nn_loss_grad(net, X, n, in, T, y, loss, 7, &lf, g) == LT_OK);
    CHECK(lt_nn_loss_grad_ref(net, X, n, in, T, y, loss, 7, &lr, gr) == LT_OK);
    CHECK_MSG(fabs(lf - lr) <= 1e-5 * (1 + fabs(lr)), "%s: loss %.9g vs reference %.9g", what, lf,
            lr);
    double gmax = 0;
    for (int64_t i = 0; i < np; i++)
        if (fabs(gr[i]) > gmax) gmax = fabs(gr[i]);
    int bad = 0;
    for (int64_t i = 0; i < np; i++)
        if (fabs(g[i] - gr[i]) > 1e-4 * gmax + 1e-6) {
            if (bad++ < 3)
                fprintf(stderr, "  %s: grad[%lld] fast %.7g ref %.7g\n", what, (long long)i, g[i],
                        gr[i]);
        }
    CHECK_MSG(!bad, "%s: %d of %lld gradients differ from the reference", what, bad, (long long)np);
    /* finite differences of the reference loss in double, on a spread of parameters */
    float *P = lt_nn_params(net);
    double *g2 = malloc((size_t)np * 8);
    int fd_bad = 0, tested = 0;
    char msg[1024] = "";
    for (int64_t i = 0; i < np; i += 1 + np / 60) {
        float keep = P[i];
        double h = 1e-3 * (fabs(keep) > 1 ? fabs(keep) : 1), lp, lm;
        P[i] = (float)(keep + h);
        double hp = (double)P[i] - keep;
        lt_nn_loss_grad_ref(net, X, n, in, T, y, loss, 7, &lp, g2);
        P[i] = (float)(keep - h);
        double hm = keep - (double)P[i];
        lt_nn_loss_grad_ref(net, X, n, in, T, y, loss, 7, &lm, g2);
        P[i] = keep;
        double fd = (lp - lm) / (hp + hm);
        tested++;
        if (fabs(fd - gr[i]) > 2e-3 * gmax + 1e-5 &&
                fd_bad++ < 3) /* a kink (ReLU, max) inside the step can do this */
            snprintf(msg + strlen(msg), sizeof msg - strlen(msg),
                    "  %s: param %lld: finite difference %.7g, gradient %.7g\n", what, (long long)i,
                    fd, gr[i]);
    }
    if (fd_bad > tested / 20) fputs(msg, stderr);
    CHECK_MSG(fd_bad <= tested / 20, "%s: %d of %d finite differences disagree", what, fd_bad,
            tested);
    free(X);
    free(T);
    free(g);
    free(y);
    free(gr);
    free(g2);
}

TEST(gradients_every_layer) {
    static const gcase cs[] = {
        { "c4k3-p2-c3k3s2p1:tanh-a2-f5:gelu-ln-d0.3-f3", 2, 8, 8, LT_LOSS_SOFTMAX_CE, 3 },
        { "c3k5p2:sigmoid-c2k1-p2-f4:linear", 3, 6, 6, LT_LOSS_MSE, 4 },
        { "12-6-3-6-12", 12, 1, 1, LT_LOSS_MSE, 0 }, { "12-6-3-6-12", 12, 1, 1, LT_LOSS_BCE, 0 },
        { "f6:gelu-ln-f5:tanh-d0.5-f3", 7, 1, 1, LT_LOSS_SOFTMAX_CE, 3 },
        { "c16k3-p2-f3", 1, 6, 6, LT_LOSS_SOFTMAX_CE, 3 }, /* the direct 3x3 one-channel kernels */
        { "c16k3-c16k1-a2-f3", 2, 5, 5, LT_LOSS_SOFTMAX_CE,
                3 }, /* direct kernels, 16 outputs, with dx */
        { "c8k3s2-c32k3p0-f2", 3, 9, 9, LT_LOSS_SOFTMAX_CE, 2 }, /* im2col + BLAS, strided */
    };
    for (size_t k = 0; k < sizeof cs / sizeof cs[0]; k++) {
        lt_nn *net;
        int rc = lt_nn_new(cs[k].arch, cs[k].c, cs[k].h, cs[k].w, &net);
        CHECK_MSG(rc == LT_OK, "%s: %s", cs[k].arch, lt_errmsg());
        if (rc) continue;
        lt_nn_init(net, 3 + k);
        grad_check(net, cs[k].loss, 5, cs[k].arch);
        lt_nn_free(net);
    }
    int card[2] = { 3, 4 }, dims[2] = { 2, 3 };
    lt_nn *e;
    CHECK(lt_nn_new_entity(2, card, dims, 2, "f6:sigmoid-f2", &e) == LT_OK);
    lt_nn_init(e, 5);
    /* ids (as floats) in the columns after the numerics; fill() gives non-integers, so set them */
    int64_t n = 6, in = lt_nn_in_dim(e), np = lt_nn_param_count(e);
    float X[6 * 4], *g = malloc((size_t)np * 4);
    double *gr = malloc((size_t)np * 8), lf, lr;
    int y[6];
    for (int r = 0; r < n; r++) {
        X[r * in] = (float)sin(r);
        X[r * in + 1] = (float)cos(r);
        X[r * in + 2] = (float)(r % 3);
        X[r * in + 3] = (float)(r % 5);
        y[r] = r % 2;
    }
    CHECK(lt_nn_loss_grad(e, X, n, in, NULL, y, LT_LOSS_SOFTMAX_CE, 1, &lf, g) == LT_OK);
    CHECK(lt_nn_loss_grad_ref(e, X, n, in, NULL, y, LT_LOSS_SOFTMAX_CE, 1, &lr, gr) == LT_OK);
    CHECK_NEAR(lf, lr, 1e-6, 1e-5);
    int bad = 0;
    for (int64_t i = 0; i < np; i++) bad += fabs(g[i] - gr[i]) > 1e-5;
    CHECK_MSG(!bad, "entity: %d gradients differ", bad);
    /* id 4 of the second column (card 4) is unseen: its row is zero and gets no gradient */
    int64_t cnt;
    const float *t1 = lt_nn_param(e, 0, "table1", &cnt);
    CHECK(cnt == 5 * 3 && t1[12] == 0 && t1[13] == 0 && t1[14] == 0);
    CHECK(g[(t1 - lt_nn_params(e)) + 12] == 0);
    lt_nn_free(e);
    free(g);
    free(gr);
}

TEST(arch_errors) {
    lt_nn *net = NULL;
    CHECK(lt_nn_new("c16k3-p2-c32k7p0-p2-f10", 1, 8, 8, &net) == LT_EINVAL);
    CHECK(strstr(lt_errmsg(), "token 3") && strstr(lt_errmsg(), "does not fit"));
    CHECK(lt_nn_new("784-32-784", 1, 28, 27, &net) == LT_EINVAL &&
            strstr(lt_errmsg(), "756 columns"));
    CHECK(lt_nn_new("c16x3", 1, 8, 8, &net) == LT_EINVAL && strstr(lt_errmsg(), "c16x3"));
    CHECK(lt_nn_new("f10:swish", 4, 1, 1, &net) == LT_EINVAL && strstr(lt_errmsg(), "swish"));
    CHECK(lt_nn_new("f10--f3", 4, 1, 1, &net) == LT_EINVAL);
    CHECK(lt_nn_new("d1.5-f3", 4, 1, 1, &net) == LT_EINVAL);
    CHECK(lt_nn_new("", 4, 1, 1, &net) == LT_EINVAL);
    CHECK(net == NULL);
    CHECK(lt_nn_new("784-256-32-256-784", 1, 28, 28, &net) == LT_OK);
    /* hidden ReLU, the bottleneck linear, a sigmoid output; names point after activations */
    CHECK(lt_nn_layers(net) == 7);
    CHECK(lt_nn_layer_kind(net, 2) == LT_NN_LINEAR && lt_nn_find_layer(net, "fc2") == 2);
    CHECK(lt_nn_layer_kind(net, 6) == LT_NN_SIGMOID && lt_nn_find_layer(net, "output") == 6);
    CHECK(lt_nn_out_dim(net, lt_nn_find_layer(net, "fc2")) == 32);
    lt_nn_free(net);
    CHECK(lt_nn_new("c16k3-p2-c32k3-p2-f64-f10", 1, 28, 28, &net) == LT_OK);
    CHECK(lt_nn_out_dim(net, lt_nn_find_layer(net, "fc1")) == 64 && lt_nn_out_dim(net, -1) == 10);
    CHECK(lt_nn_param_count(net) ==
            (16 * 9 + 16) + (32 * 144 + 32) + (64 * 7 * 7 * 32 + 64) + (10 * 64 + 10));
    lt_nn_free(net);
}

/* the initialisation rules: PyTorch's bound 1/sqrt(fan_in) on weights and biases; He's
 * sqrt(6/fan_in) where a ReLU follows, sqrt(3/fan_in) elsewhere, zero biases; each weight set
 * uniform over its whole bound (extremes near it, variance near bound^2/3) */
TEST(init_rules) {
    lt_nn *net = NULL;
    CHECK(lt_nn_new("c16k3-p2-f64-f10", 1, 12, 12, &net) ==
            LT_OK); /* conv, relu, pool, linear, relu, linear */
    int lin[3] = { 0, 3, 5 };
    double fan[3] = { 9, 16 * 6 * 6, 64 }, relu[3] = { 1, 1, 0 };
    for (int rule = 0; rule < 2; rule++) {
        lt_nn_init_with(net, 5, (lt_nn_init_rule)rule);
        for (int j = 0; j < 3; j++) {
            int64_t nw, nb;
            CHECK(lt_nn_layer_kind(net, lin[j]) == (j ? LT_NN_LINEAR : LT_NN_CONV));
            float *w = lt_nn_param(net, lin[j], "weight", &nw),
                  *b = lt_nn_param(net, lin[j], "bias", &nb);
            double bound = rule == LT_INIT_HE ? sqrt((relu[j] ? 6 : 3) / fan[j]) : 1 / sqrt(fan[j]),
                   mx = 0, ss = 0;
            for (int64_t i = 0; i < nw; i++) {
                mx = fmax(mx, fabs(w[i]));
                ss += (double)w[i] * w[i];
            }
            CHECK(mx <= bound && mx > 0.9 * bound);
            CHECK(fabs(ss / (double)nw / (bound * bound / 3) - 1) < (nw > 1000 ? 0.05 : 0.25));
            double bm = 0;
            for (int64_t i = 0; i < nb; i++) bm = fmax(bm, fabs(b[i]));
            CHECK(rule == LT_INIT_HE ? bm == 0 : bm > 0 && bm <= 1 / sqrt(fan[j]));
        }
    }
    float *p0 = lt_nn_params(net);
    float first = p0[0];
    lt_nn_init(net, 5); /* lt_nn_init is the PyTorch rule, from the same stream */
    CHECK(lt_nn_params(net)[0] != first);
    lt_nn_init_with(net, 5, LT_INIT_TORCH);
    float t0 = lt_nn_params(net)[0];
    lt_nn_init(net, 5);
    CHECK(lt_nn_params(net)[0] == t0);
    lt_nn_free(net);
}

/* a learnable toy task: class = which quarter of the plane */
static void toy(float *X, int *y, int64_t n) {
    lt_rng r;
    lt_rng_seed(&r, 9, 0);
    for (int64_t i = 0; i < n; i++) {
        float a = 2 * lt_rng_uniformf(&r) - 1, b = 2 * lt_rng_uniformf(&r) - 1;
        X[i * 4] = a;
        X[i * 4 + 1] = b;
        X[i * 4 + 2] = a * b;
        X[i * 4 + 3] = 0.1f;
        y[i] = (a > 0) * 2 + (b > 0);
    }
}

TEST(training_determinism) {
    enum { N = 1000 };
    static float X[N * 4];
    static int y[N];
    toy(X, y, N);
    float *res[3] = { 0 };
    double loss[3] = { 0 };
    int threads[3] = { 1, 1, 2 };
    for (int k = 0; k < 3; k++) {
        lt_nn *net;
        CHECK(lt_nn_new("f32-d0.1-f16:tanh-f4", 4, 1, 1, &net) == LT_OK);
        lt_nn_init(net, 2);
        lt_nn_train_opts o;
        lt_nn_train_opts_init(&o);
        o.loss = LT_LOSS_SOFTMAX_CE;
        o.epochs = 5;
        o.batch = 32;
        o.lr = 1e-2;
        o.n_threads = threads[k];
        lt_nn_train_result tr;
        CHECK(lt_nn_train(net, X, N, 4, NULL, y, &o, &tr) == LT_OK);
        CHECK(tr.epochs == 5 && tr.steps == 5 * 32);
        CHECK_MSG(tr.per_epoch[4].loss < 0.5 * tr.per_epoch[0].loss, "loss %g -> %g",
                tr.per_epoch[0].loss, tr.per_epoch[4].loss);
        loss[k] = tr.loss;
        double l, acc;
        CHECK(lt_nn_evaluate(net, X, N, 4, NULL, y, LT_LOSS_SOFTMAX_CE, 2, &l, &acc) == LT_OK);
        CHECK_MSG(acc > 0.9, "training accuracy %g", acc);
        lt_free(tr.per_epoch);
        res[k] = malloc((size_t)lt_nn_param_count(net) * 4);
        memcpy(res[k], lt_nn_params(net), (size_t)lt_nn_param_count(net) * 4);
        if (k == 2) {
            int64_t np = lt_nn_param_count(net);
            CHECK(!memcmp(res[0], res[1], (size_t)np * 4)); /* one thread: bit for bit */
            CHECK_ARR(res[2], res[0], np, 2e-4, 2e-3); /* two threads: rounding only */
            CHECK(loss[0] == loss[1]);
            CHECK_NEAR(loss[2], loss[0], 1e-4, 1e-3);
        }
        lt_nn_free(net);
    }
    for (int k = 0; k < 3; k++) free(res[k]);
}

TEST(checkpoint_resume) {
    enum { N = 400 };
    static float X[N * 4];
    static int y[N];
    toy(X, y, N);
    const char *ck = "build/tests/nn_ckpt.lmodel";
    float *full = NULL;
    int64_t np = 0;
    for (int k = 0; k < 2; k++) {
        lt_nn *net;
        CHECK(lt_nn_new("f16-f4", 4, 1, 1, &net) == LT_OK);
        lt_nn_init(net, 4);
        lt_nn_train_opts o;
        lt_nn_train_opts_init(&o);
        o.loss = LT_LOSS_SOFTMAX_CE;
        o.batch = 50;
        o.epochs = 4;
        if (k == 0) CHECK(lt_nn_train(net, X, N, 4, NULL, y, &o, NULL) == LT_OK);
        else {
            o.epochs = 2;
            o.checkpoint = ck;
            CHECK(lt_nn_train(net, X, N, 4, NULL, y, &o, NULL) == LT_OK);
            lt_nn_init(net, 99); /* forget: the checkpoint must restore all */
            o.epochs = 4;
            o.checkpoint = NULL;
            o.resume = ck;
            lt_nn_train_result tr;
            CHECK(lt_nn_train(net, X, N, 4, NULL, y, &o, &tr) == LT_OK);
            CHECK(tr.steps == 4 * 8);
            lt_free(tr.per_epoch);
            CHECK_MSG(!memcmp(full, lt_nn_params(net), (size_t)np * 4),
                    "resumed run differs from the uninterrupted one");
            lt_nn *other;
            CHECK(lt_nn_new("f17-f4", 4, 1, 1, &other) == LT_OK);
            CHECK(lt_nn_train(other, X, N, 4, NULL, y, &o, NULL) == LT_EINVAL &&
                    strstr(lt_errmsg(), "not this one"));
            lt_nn_free(other);
        }
        if (k == 0) {
            np = lt_nn_param_count(net);
            full = malloc((size_t)np * 4);
            memcpy(full, lt_nn_params(net), (size_t)np * 4);
        }
        lt_nn_free(net);
    }
    free(full);
    remove(ck);
}

TEST(divergence_stops) {
    enum { N = 200 };
    static float X[N * 4];
    static int y[N];
    toy(X, y, N);
    for (int i = 0; i < N * 4; i++) X[i] *= 1e18f;
    lt_nn *net;
    CHECK(lt_nn_new("f16-f4", 4, 1, 1, &net) == LT_OK);
    lt_nn_init(net, 4);
    lt_nn_train_opts o;
    lt_nn_train_opts_init(&o);
    o.loss = LT_LOSS_SOFTMAX_CE;
    o.batch = 20;
    o.epochs = 3;
    o.lr = 1e10;
    o.optim = LT_OPT_SGD;
    int rc = lt_nn_train(net, X, N, 4, NULL, y, &o, NULL);
    CHECK(rc == LT_EFORMAT && strstr(lt_errmsg(), "not finite at epoch 1, step"));
    float *P = lt_nn_params(net);
    int finite = 1;
    for (int64_t i = 0; i < lt_nn_param_count(net); i++) finite &= isfinite(P[i]) != 0;
    CHECK(finite); /* the parameters of the last good step */
    y[3] = 4;
    CHECK(lt_nn_train(net, X, N, 4, NULL, y, &o, NULL) == LT_EINVAL &&
            strstr(lt_errmsg(), "row 4: class 4 out of range"));
    lt_nn_free(net);
}

TEST(model_round_trip) {
    lt_nn *net, *back;
    CHECK(lt_nn_new("c4k3-p2-f5", 1, 6, 6, &net) == LT_OK);
    lt_nn_init(net, 8);
    lt_model *m;
    CHECK(lt_nn_to_model(net, "cnn", &m) == LT_OK);
    CHECK(lt_nn_from_model(m, &back) == LT_OK);
    CHECK(lt_nn_param_count(back) == lt_nn_param_count(net));
    CHECK(!memcmp(lt_nn_params(back), lt_nn_params(net), (size_t)lt_nn_param_count(net) * 4));
    float X[2 * 36], Y1[10], Y2[10];
    fill(X, 72, 0.3, 0);
    CHECK(lt_nn_forward(net, X, 2, 36, -1, Y1, 5, 1) == LT_OK);
    CHECK(lt_nn_forward(back, X, 2, 36, -1, Y2, 5, 2) == LT_OK);
    CHECK(!memcmp(Y1, Y2, sizeof Y1));
    double bad[3] = { 1, 2, 3 };
    CHECK(lt_model_put(m, "nn.params", 1, 3, bad) == LT_OK);
    lt_nn *x = NULL;
    CHECK(lt_nn_from_model(m, &x) == LT_EFORMAT && strstr(lt_errmsg(), "nn.params holds 3 values"));
    lt_model_free(m);
    lt_nn_free(net);
    lt_nn_free(back);
}

/* ---- one step against PyTorch (tests/fixtures/nn/torch_steps.txt) ---- */
static char *next_line(char **p) {
    char *s = *p;
    if (!s || !*s) return NULL;
    char *e = strchr(s, '\n');
    if (e) {
        *e = 0;
        *p = e + 1;
    } else *p = s + strlen(s);
    return s;
}

TEST(torch_steps) {
    long len;
    char *buf = (char *)t_read_file("tests/fixtures/nn/torch_steps.txt", &len);
    CHECK_MSG(buf, "tests/fixtures/nn/torch_steps.txt missing (tools/make_nn_fixture.py makes it)");
    if (!buf) return;
    buf[len] = 0;
    char *p = buf, *line;
    int cases = 0;
    while ((line = next_line(&p))) {
        /* case NAME ARCH C H W LOSS OPTIM LR WD MOMENTUM NESTEROV STEPS B [ENTITY n_cat n_num card.. dims..] */
        if (strncmp(line, "case ", 5)) continue;
        char name[32], arch[128], loss_s[16], opt_s[16];
        int c, h, w, nest, steps, B, used;
        double lr, wd, mom;
        CHECK(sscanf(line, "case %31s %127s %d %d %d %15s %15s %lf %lf %lf %d %d %d%n", name, arch,
                      &c, &h, &w, loss_s, opt_s, &lr, &wd, &mom, &nest, &steps, &B, &used) == 13);
        lt_nn *net = NULL;
        int ncat = 0, nnum = 0, card[8], dims[8];
        const char *rest = line + used;
        if (strstr(rest, "entity")) {
            int off;
            sscanf(rest, " entity %d %d%n", &ncat, &nnum, &off);
            rest += off;
            for (int j = 0; j < ncat; j++) {
                sscanf(rest, "%d%n", &card[j], &off);
                rest += off;
            }
            for (int j = 0; j < ncat; j++) {
                sscanf(rest, "%d%n", &dims[j], &off);
                rest += off;
            }
            CHECK(lt_nn_new_entity(ncat, card, dims, nnum, arch, &net) == LT_OK);
        } else {
            CHECK(lt_nn_new(arch, c, h, w, &net) == LT_OK);
        }
        if (!net) break;
        int64_t np = lt_nn_param_count(net), in = lt_nn_in_dim(net), D = lt_nn_out_dim(net, -1);
        float *P = lt_nn_params(net);
        /* the fixture lists the initial parameters, the inputs, targets, then per step the loss
         * and the parameters after it, all in latent's layout */
        float *X = malloc((size_t)(B * in) * 4), *T = malloc((size_t)(B * D) * 4);
        int *y = malloc((size_t)B * sizeof(int));
        char *l2 = next_line(&p);
        for (int64_t i = 0; i < np; i++) P[i] = strtof(l2, &l2);
        l2 = next_line(&p);
        for (int64_t i = 0; i < B * in; i++) X[i] = strtof(l2, &l2);
        l2 = next_line(&p);
        lt_loss loss;
        CHECK(lt_loss_from_name(loss_s, &loss) == LT_OK);
        if (loss == LT_LOSS_SOFTMAX_CE)
            for (int i = 0; i < B; i++) y[i] = (int)strtol(l2, &l2, 10);
        else
            for (int64_t i = 0; i < B * D; i++) T[i] = strtof(l2, &l2);
        lt_nn_train_opts o;
        lt_nn_train_opts_init(&o);
        o.loss = loss;
        o.lr = lr;
        o.weight_decay = wd;
        o.momentum = mom;
        o.nesterov = nest;
        CHECK(lt_optim_from_name(opt_s, &o.optim) == LT_OK);
        o.batch = B;
        o.shuffle = 0;
        o.epochs = steps; /* one batch: an epoch is a step */
        float *want = malloc((size_t)np * 4);
        for (int s = 0; s < steps; s++) {
            l2 = next_line(&p);
            double tl = strtod(l2, &l2);
            l2 = next_line(&p);
            for (int64_t i = 0; i < np; i++) want[i] = strtof(l2, &l2);
            (void)tl;
        }
        lt_nn_train_result tr;
        CHECK_MSG(lt_nn_train(net, X, B, in, T, y, &o, &tr) == LT_OK, "%s: %s", name, lt_errmsg());
        double maxe = 0;
        for (int64_t i = 0; i < np; i++)
            if (fabs(P[i] - want[i]) > maxe) maxe = fabs(P[i] - want[i]);
        CHECK_MSG(maxe <= 1e-5,
                "%s (%s, %s): parameters after %d steps differ from PyTorch's by %.3g", name, arch,
                opt_s, steps, maxe);
        if (getenv("TEST_VERBOSE"))
            fprintf(stderr, "  %s: max |latent - torch| after %d steps %.3g\n", name, steps, maxe);
        lt_free(tr.per_epoch);
        free(X);
        free(T);
        free(y);
        free(want);
        lt_nn_free(net);
        cases++;
    }
    CHECK(cases >= 4);
    free(buf);
}

/* PNG and JPEG decoding against PIL's pixels (tests/fixtures/images/pixels.txt) */
TEST(images) {
    long len;
    char *buf = (char *)t_read_file("tests/fixtures/images/pixels.txt", &len);
    CHECK(buf);
    if (!buf) return;
    buf[len] = 0;
    int files = 0;
    for (char *p = buf, *line; (line = next_line(&p));) {
        char rel[256], path[512];
        int ch, w, h, off;
        if (sscanf(line, "%255s %d %d %d%n", rel, &ch, &w, &h, &off) != 4) continue;
        snprintf(path, sizeof path, "tests/fixtures/images/%s", rel);
        long n;
        unsigned char *f = t_read_file(path, &n);
        lt_image im;
        CHECK_MSG(f && lt_image_decode(f, (size_t)n, path, ch, &im) == LT_OK, "%s: %s", path,
                lt_errmsg());
        if (!f) continue;
        CHECK(im.w == w && im.h == h && im.c == ch);
        int jpeg = strstr(rel, ".jpg") != NULL, maxd = 0;
        char *q = line + off;
        for (long i = 0; i < (long)w * h * ch; i++) {
            int v = (int)strtol(q, &q, 10), d = abs(v - im.px[i]);
            if (d > maxd) maxd = d;
        }
        CHECK_MSG(maxd <= (jpeg ? 2 : 0), "%s (%d channels): pixels differ from PIL's by up to %d",
                rel, ch, maxd);
        lt_image_free(&im);
        free(f);
        files++;
    }
    CHECK(files >= 10);
    free(buf);
    /* a folder of class folders: sorted paths, class names, one size */
    lt_image_opts o = { 0, 0, 1, 0 };
    lt_vecs *X = NULL;
    char **cls = NULL;
    CHECK(lt_images_load("tests/fixtures/images/train", &o, &X, &cls) == LT_OK);
    if (X) {
        CHECK(X->n == 9 && X->d == 120 && !strcmp(lt_vecs_meta_get(X, "idx_shape"), "10x12x1"));
        CHECK(!strcmp(cls[0], "dots") && !strcmp(cls[8], "stripes") && cls[9] == NULL);
        CHECK(strstr(X->labels[0], "dots/d0.png") && strstr(X->labels[8], "stripes/s3.jpg"));
        for (int i = 0; cls[i]; i++) lt_free(cls[i]);
        lt_free(cls);
        lt_vecs_free(X);
    }
    /* mixed sizes: an error naming the file without resize; resized (a flat image stays flat) with it */
    CHECK(lt_images_load("tests/fixtures/images/mixed", &o, &X, NULL) == LT_EINVAL &&
            strstr(lt_errmsg(), "b.png: 7x9 pixels, the others 12x10"));
    lt_image_opts r = { 6, 6, 3, 1 };
    CHECK(lt_images_load("tests/fixtures/images/mixed", &r, &X, NULL) == LT_OK);
    if (X) {
        int flat = X->d == 108;
        for (int64_t i = 0; i < X->n * X->d && flat; i++)
            flat = fabsf(lt_vecs_row(X, i / X->d)[i % X->d] - 100) < 1e-4f;
        CHECK(flat);
        lt_vecs_free(X);
    }
    lt_image im;
    CHECK(lt_image_decode("GIF89a....", 10, "x.gif", 1, &im) == LT_EFORMAT &&
            strstr(lt_errmsg(), "not PNG, JPEG or WebP"));
    CHECK(lt_image_decode("\x89PNG\r\n\x1a\nxxxx", 12, "cut.png", 1, &im) == LT_EFORMAT &&
            strstr(lt_errmsg(), "cut.png"));
    CHECK(lt_image_decode("\xff\xd8\xff\xe0xxxx", 8, "cut.jpg", 3, &im) == LT_EFORMAT &&
            strstr(lt_errmsg(), "cut.jpg"));
}

RUN_TESTS(T(images), T(gradients_every_layer), T(arch_errors), T(init_rules),
        T(training_determinism), T(checkpoint_resume), T(divergence_stops), T(model_round_trip),
        T(torch_steps))
