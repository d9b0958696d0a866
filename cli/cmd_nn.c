/* latent train autoencoder | cnn | entity: learned encoders on the training core */
#include "cli.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
    O_OUT = 1,
    O_ARCH,
    O_EPOCHS,
    O_BATCH,
    O_LR,
    O_OPTIM,
    O_WD,
    O_MOM,
    O_NEST,
    O_SCHED,
    O_STEPE,
    O_STEPG,
    O_WARM,
    O_LOSS,
    O_SCALE,
    O_VAL,
    O_SEED,
    O_THREADS,
    O_QUIET,
    O_CKPT,
    O_RESUME,
    O_MAXSTEPS,
    O_CLIP,
    O_NOSHUF,
    O_FROM,
    O_TEST,
    O_TESTL,
    O_SHAPE,
    O_TARGET,
    O_DIMS,
    O_MISSING,
    O_JSON,
    O_RESIZE,
    O_CHANNELS,
    O_INIT
};

#define NN_COMMON \
    { "output", 'o', "MODEL", O_OUT, "the trained model (.lmodel; required)" }, \
            { "epochs", 0, "N", O_EPOCHS, "passes over the training rows [10]" }, \
            { "batch", 0, "N", O_BATCH, "rows per step [128]" }, \
            { "lr", 0, "X", O_LR, "learning rate [1e-3]" }, \
            { "optim", 0, "O", O_OPTIM, "adam, adamw (decoupled weight decay) or sgd [adam]" }, \
            { "weight-decay", 0, "X", O_WD, \
                "L2 penalty (adam, sgd: added to the gradient; adamw: decoupled) [0]" }, \
            { "momentum", 0, "X", O_MOM, "sgd momentum [0]" }, \
            { "nesterov", 0, NULL, O_NEST, "sgd: Nesterov momentum" }, \
            { "schedule", 0, "S", O_SCHED, \
                "learning rate: constant, cosine (to 0 at the end), step [constant]" }, \
            { "step-epochs", 0, "N", O_STEPE, \
                "step schedule: multiply the rate by --step-gamma every N epochs [10]" }, \
            { "step-gamma", 0, "X", O_STEPG, "step schedule factor [0.1]" }, \
            { "warmup", 0, "N", O_WARM, "linear warm-up over the first N steps [0]" }, \
            { "clip-norm", 0, "X", O_CLIP, "clip the gradient's global norm to X [none]" }, \
            { "val", 0, "X", O_VAL, \
                "hold out a seeded share X of the rows, evaluated after every epoch [0]" }, \
            { "no-shuffle", 0, NULL, O_NOSHUF, \
                "rows in file order (default: reshuffled every epoch from the seed)" }, \
            { "max-steps", 0, "N", O_MAXSTEPS, "stop after N optimiser steps [no limit]" }, \
            { "checkpoint", 0, "F", O_CKPT, \
                "write the model with its optimiser state to F after every epoch" }, \
            { "resume", 0, "F", O_RESUME, \
                "continue from checkpoint F (same architecture and optimiser)" }, \
            { "seed", 's', "N", O_SEED, \
                "initial weights, shuffling, dropout, the --val split [1]" }, \
            { "init", 0, "R", O_INIT, \
                "initial weights: he (Kaiming uniform, zero biases) or torch (PyTorch's defaults) [he; entity: torch]" }, \
            { "threads", 't', "N", O_THREADS, \
                "data-parallel threads (one shard of each batch each) [number of CPUs]" }, \
            { "json", 0, NULL, O_JSON, \
                "print the training summary (per-epoch losses, test metrics) as JSON on stdout" }, \
    { \
        "quiet", 'q', NULL, O_QUIET, "no progress or summary on stderr" \
    }

static const cli_opt g_ae_opts[] = { NN_COMMON,
    { "arch", 0, "A", O_ARCH,
            "widths: input-hidden..-bottleneck..-output, or layer tokens (docs/nn.md) [D-256-32-256-D]" },
    { "loss", 0, "L", O_LOSS, "mse or bce [mse]" },
    { "scale", 0, "S", O_SCALE,
            "input scaling fitted here: none, unit (x/255), standard, minmax [none]" },
    { "from", 0, "F", O_FROM, "input format (idx npy fvecs csv lvec ...) [from the name]" },
    { "test", 0, "F", O_TEST, "rows to report the reconstruction loss of after training" }, { 0 } };
static const cli_opt g_cnn_opts[] = { NN_COMMON,
    { "arch", 0, "A", O_ARCH,
            "layer tokens cNkK, pK, aK, fN, dX, ln (docs/nn.md); the last fN = classes [c16k3-p2-c32k3-p2-f64-fK]" },
    { "scale", 0, "S", O_SCALE,
            "input scaling fitted here: none, unit (x/255), standard, minmax [none]" },
    { "shape", 0, "HxWxC", O_SHAPE,
            "image shape of a row, channels last [the IDX header's or the first image's, else square, 1 channel]" },
    { "resize", 0, NULL, O_RESIZE,
            "image folders: centre-crop and resize every image to --shape (or the first image's size)" },
    { "channels", 0, "N", O_CHANNELS, "image folders: 1 (gray) or 3 (RGB) [1, or --shape's]" },
    { "from", 0, "F", O_FROM, "input format (idx npy fvecs csv lvec ...) [from the name]" },
    { "test", 0, "F", O_TEST, "test images, with --test-labels: accuracy reported after training" },
    { "test-labels", 0, "F", O_TESTL, "labels of --test (one per line, or IDX)" }, { 0 } };
static const cli_opt g_ent_opts[] = { NN_COMMON,
    { "target", 0, "COL", O_TARGET, "the column to predict (required)" },
    { "arch", 0, "A", O_ARCH,
            "hidden layers after the embeddings; a softmax layer over the classes follows [f64-f64]" },
    { "dims", 0, "N,N,..", O_DIMS,
            "embedding widths of the categorical columns in table order [min(50, (categories + 1) / 2)]" },
    { "missing", 0, "S", O_MISSING, "the missing-value marker (a category of its own) [?]" },
    { "test", 0, "F", O_TEST,
            "a test table: accuracy (and ROC-AUC for two classes) after training" },
    { 0 } };

typedef struct {
    int quiet, tty;
} epoch_ctx;
static void on_epoch(int e, int n, const lt_nn_epoch *ep, void *ud) {
    epoch_ctx *c = ud;
    if (c->quiet) return;
    fprintf(stderr, "%slatent: epoch %d/%d: loss %.6g", c->tty ? "\r" : "", e, n, ep->loss);
    if (!isnan(ep->val_loss)) fprintf(stderr, ", val loss %.6g", ep->val_loss);
    if (!isnan(ep->val_accuracy)) fprintf(stderr, ", val accuracy %.4f", ep->val_accuracy);
    fprintf(stderr, " (%.2fs, ETA %.0fs)%s\n", ep->seconds, ep->seconds * (n - e),
            c->tty ? "\033[K" : "");
}

static int parse_shape(const char *s, int *c, int *h, int *w) {
    char x1, x2;
    return sscanf(s, "%d%c%d%c%d", h, &x1, w, &x2, c) == 5 && x1 == 'x' && x2 == 'x' && *h > 0 &&
            *w > 0 && *c > 0;
}

int cmd_train_nn(const char *method, int argc, char **argv) {
    int ae = !strcmp(method, "autoencoder"), cnn = !strcmp(method, "cnn");
    static const cli_spec SA = { "train autoencoder",
        "usage: latent train autoencoder INPUT -o MODEL [options]\n"
        "  an MLP autoencoder of INPUT's rows; 'latent encode MODEL X' writes the bottleneck\n",
        g_ae_opts };
    static const cli_spec SC = { "train cnn",
        "usage: latent train cnn IMAGES LABELS -o MODEL [options]\n"
        "       latent train cnn FOLDER -o MODEL [options]\n"
        "  a convolutional classifier of images (IDX, .npy, ... rows, or a folder of PNG/JPEG files in one\n"
        "  subfolder per class); 'latent encode MODEL X' writes the penultimate layer's features\n",
        g_cnn_opts };
    static const cli_spec SE = { "train entity",
        "usage: latent train entity TABLE.csv --target COL -o MODEL [options]\n"
        "  entity embeddings: a learned vector per category of each categorical column, with the standardised\n"
        "  numerics, through an MLP predicting --target; 'latent encode MODEL --column NAME' writes a column's vectors\n",
        g_ent_opts };
    const cli_spec *S = ae ? &SA : cnn ? &SC : &SE;
    lt_neural_opts o;
    lt_neural_opts_init(&o);
    lt_nn_train_opts *t = &o.train;
    t->n_threads = lt_cpu_count();
    const char *out = NULL, *arch = NULL, *from = NULL, *test = NULL, *testl = NULL, *target = NULL,
               *dims_s = NULL, *missing = "?", *a;
    long long iv;
    int c, json = 0, resize = 0, channels = 0;
    optind = 1;
    while ((c = cli_getopt(argc, argv, S, &a)) != CLI_END) {
        switch (c) {
        case CLI_HELP:
        case CLI_ERROR: return CLI_DONE(c);
        case O_OUT: out = a; break;
        case O_ARCH: arch = a; break;
        case O_EPOCHS:
            if (!cli_int(a, 0, 1000000, &iv)) return cli_usage(S->usage, "--epochs must be >= 0");
            t->epochs = (int)iv;
            break;
        case O_BATCH:
            if (!cli_int(a, 1, 1 << 24, &iv))
                return cli_usage(S->usage, "--batch must be an integer from %lld to %lld",
                        (long long)1, (long long)(1 << 24));
            t->batch = (int)iv;
            break;
        case O_LR:
            if (!cli_float(a, 1e-12, 1e6, &t->lr))
                return cli_usage(S->usage, "--lr must be a number from %g to %g", 1e-12, 1e6);
            break;
        case O_OPTIM:
            if (lt_optim_from_name(a, &t->optim)) return cli_usage(S->usage, "%s", lt_errmsg());
            break;
        case O_WD:
            if (!cli_float(a, 0, 1e6, &t->weight_decay))
                return cli_usage(S->usage, "--weight-decay must be >= 0");
            break;
        case O_MOM:
            if (!cli_float(a, 0, 0.999999, &t->momentum))
                return cli_usage(S->usage, "--momentum must be in [0, 1)");
            break;
        case O_NEST: t->nesterov = 1; break;
        case O_SCHED:
            if (lt_sched_from_name(a, &t->sched)) return cli_usage(S->usage, "%s", lt_errmsg());
            break;
        case O_STEPE:
            if (!cli_int(a, 1, 1000000, &iv))
                return cli_usage(S->usage, "--step-epochs must be an integer from %lld to %lld",
                        (long long)1, (long long)(1000000));
            t->step_epochs = (int)iv;
            break;
        case O_STEPG:
            if (!cli_float(a, 0, 1e6, &t->step_gamma))
                return cli_usage(S->usage, "--step-gamma must be >= 0");
            break;
        case O_WARM:
            if (!cli_int(a, 0, INT32_MAX, &iv)) return cli_usage(S->usage, "--warmup must be >= 0");
            t->warmup_steps = (int)iv;
            break;
        case O_CLIP:
            if (!cli_float(a, 1e-12, 1e12, &t->clip_norm))
                return cli_usage(
                        S->usage, "--clip-norm must be a number from %g to %g", 1e-12, 1e12);
            break;
        case O_VAL:
            if (!cli_float(a, 0, 0.99, &o.val_frac))
                return cli_usage(S->usage, "--val must be in [0, 0.99]");
            break;
        case O_NOSHUF: t->shuffle = 0; break;
        case O_MAXSTEPS:
            if (!cli_int(a, 1, INT64_MAX, &iv))
                return cli_usage(S->usage, "--max-steps must be a positive integer");
            t->max_steps = iv;
            break;
        case O_CKPT: t->checkpoint = a; break;
        case O_RESUME: t->resume = a; break;
        case O_INIT: {
            lt_nn_init_rule r;
            if (lt_nn_init_from_name(a, &r)) return cli_usage(S->usage, "--init: he or torch");
            o.init = (int)r;
            break;
        }
        case O_SEED:
            if (!cli_int(a, 0, INT64_MAX, &iv)) return cli_usage(S->usage, "--seed must be >= 0");
            o.seed = t->seed = (uint64_t)iv;
            break;
        case O_THREADS:
            if (!cli_int(a, 1, 256, &iv)) return cli_usage(S->usage, "--threads must be 1..256");
            t->n_threads = (int)iv;
            break;
        case O_JSON: json = 1; break;
        case O_QUIET: cli_set_quiet(1); break;
        case O_LOSS:
            if (lt_loss_from_name(a, &t->loss) || t->loss == LT_LOSS_SOFTMAX_CE)
                return cli_usage(S->usage, "--loss: mse or bce");
            break;
        case O_SCALE:
            if (lt_scale_from_name(a, &o.scale)) return cli_usage(S->usage, "%s", lt_errmsg());
            break;
        case O_FROM:
            if (lt_format_from_name(a) == LT_FMT_AUTO)
                return cli_usage(S->usage, "unknown format '%s'", a);
            from = a;
            break;
        case O_TEST: test = a; break;
        case O_TESTL: testl = a; break;
        case O_SHAPE:
            if (!parse_shape(a, &o.c, &o.h, &o.w))
                return cli_usage(S->usage, "--shape: HxWxC, e.g. 28x28x1");
            break;
        case O_TARGET: target = a; break;
        case O_RESIZE: resize = 1; break;
        case O_CHANNELS:
            if (!cli_int(a, 1, 3, &iv) || iv == 2) return cli_usage(S->usage, "--channels: 1 or 3");
            channels = (int)iv;
            break;
        case O_DIMS: dims_s = a; break;
        case O_MISSING: missing = a; break;
        }
    }
    int folder = cnn && optind < argc && cli_is_dir(argv[optind]);
    int nargs = cnn && !folder ? 2 : 1;
    if (optind != argc - nargs || !out)
        return cli_usage(S->usage, "train %s: expected %s and -o MODEL", method,
                cnn          ? "IMAGES LABELS (or a FOLDER)"
                        : ae ? "INPUT"
                             : "TABLE.csv");
    if (!ae && !cnn && !target)
        return cli_usage(S->usage, "train entity: --target COL names the column to predict");
    int test_folder = cnn && test && cli_is_dir(test);
    if (cnn && !test_folder && !!test != !!testl)
        return cli_usage(
                S->usage, "train cnn: --test and --test-labels go together (or --test FOLDER)");
    if (cnn && test_folder && testl)
        return cli_usage(S->usage,
                "train cnn: a --test folder has its labels in its subfolders; --test-labels does not apply");
    if ((resize || channels) && !folder)
        return cli_usage(S->usage, "train cnn: --resize and --channels apply to image folders");
    if (channels && o.c && channels != o.c)
        return cli_usage(
                S->usage, "train cnn: --channels %d and --shape with %d channels", channels, o.c);
    if (t->resume && o.init >= 0)
        return cli_usage(S->usage,
                "train %s: --init does not apply with --resume (the checkpoint holds the weights)",
                method);
    if (t->checkpoint && !strcmp(t->checkpoint, out))
        return cli_usage(S->usage, "train %s: -o and --checkpoint name the same file", method);
    int dims[1024], n_dims = 0;
    for (const char *p = dims_s; p && *p && n_dims < 1024;) {
        char *e;
        long v = strtol(p, &e, 10);
        if (e == p || v < 1 || v > 65536 || (*e && *e != ','))
            return cli_usage(S->usage, "--dims: positive widths separated by commas");
        dims[n_dims++] = (int)v;
        p = *e ? e + 1 : e;
    }
    epoch_ctx ec = { cli_quiet(), isatty(2) };
    t->on_epoch = on_epoch;
    t->ud = &ec;
    lt_progress pg;
    lt_progress_init(&pg, NULL, method, "steps", 0);
    t->progress = &pg;
    double t0 = lt_now();
    lt_vecs *X = NULL, *Xt = NULL;
    lt_table *tab = NULL, *ttab = NULL;
    lt_model *m = NULL;
    lt_nn_train_result res;
    memset(&res, 0, sizeof res);
    int *y = NULL, *yt = NULL, r = 0, K = 0;
    lt_classes *cl = NULL;
    char **fcls = NULL, **tcls = NULL;
    if (folder) {
        lt_image_opts io = { o.h, o.w, channels ? channels : o.c ? o.c : 1, resize };
        if (lt_images_load(argv[optind], &io, &X, &fcls)) return cli_fail("train cnn");
        lt_image_opts to = { 0, 0, io.c, 1 };
        sscanf(lt_vecs_meta_get(X, "idx_shape"), "%dx%dx%d", &to.h, &to.w, &to.c);
        if (test_folder && lt_images_load(test, &to, &Xt, &tcls)) {
            r = cli_fail("train cnn");
            for (int64_t i = 0; fcls[i]; i++) lt_free(fcls[i]);
            lt_free(fcls);
            lt_vecs_free(X);
            return r;
        }
    } else if (ae || cnn) {
        if ((r = cli_load(argv[optind], from, &X))) return r;
        if (test &&
                (r = (test_folder ? (lt_err(LT_EINVAL,
                                             "%s: a folder of images needs a folder for training",
                                             test),
                                            cli_fail("train cnn"))
                                  : cli_load(test, from, &Xt)))) {
            lt_vecs_free(X);
            return r;
        }
    }
    o.arch = arch; /* NULL: the library's default network */
    if (ae) {
        r = lt_autoencoder_fit(X, &o, &m, &res) ? cli_fail("train autoencoder") : 0;
    } else if (cnn) {
        cl = lt_classes_new();
        y = lt_malloc((size_t)X->n * sizeof(int));
        yt = Xt ? lt_malloc((size_t)Xt->n * sizeof(int)) : NULL;
        if (!cl || !y || (Xt && !yt))
            r = (lt_err(LT_ENOMEM, "out of memory"), cli_fail("train cnn"));
        for (int64_t i = 0; !r && fcls && i < X->n; i++)
            if ((y[i] = lt_classes_add(cl, fcls[i])) < 0) r = cli_fail("train cnn");
        for (int64_t i = 0; !r && tcls && i < Xt->n; i++)
            if ((yt[i] = lt_classes_add(cl, tcls[i])) < 0) r = cli_fail("train cnn");
        if (!r && !fcls && lt_classes_read(cl, argv[optind + 1], X->n, NULL, y))
            r = cli_fail("train cnn");
        if (!r && Xt && !tcls && lt_classes_read(cl, testl, Xt->n, NULL, yt))
            r = cli_fail("train cnn");
        if (!r && lt_classes_sort(cl, y, X->n, yt, Xt ? Xt->n : 0)) r = cli_fail("train cnn");
        K = cl ? lt_classes_count(cl) : 0;
        if (!r) r = lt_cnn_fit(X, y, K, &o, &m, &res) ? cli_fail("train cnn") : 0;
    } else {
        if (lt_table_load(argv[optind], missing, &tab)) return cli_fail("train entity");
        if (test && lt_table_load(test, missing, &ttab)) {
            lt_table_free(tab);
            return cli_fail("train entity");
        }
        r = lt_entity_fit(tab, target, dims, n_dims, &o, &m, &res) ? cli_fail("train entity") : 0;
    }
    lt_progress_end(&pg, (double)res.steps);
    double train_s = lt_now() - t0;
    double test_loss = NAN, test_acc = NAN, test_auc = NAN;
    int64_t n_test = 0;
    if (!r && Xt) {
        n_test = Xt->n;
        r = lt_neural_score(m, Xt, yt, t->n_threads, &test_loss, &test_acc) ? cli_fail("test") : 0;
    }
    if (!r && ttab) {
        n_test = lt_table_rows(ttab);
        r = lt_entity_score(m, ttab, test, target, t->n_threads, &test_acc, &test_auc)
                ? cli_fail("test")
                : 0;
    }
    if (!r) {
        lt_model_meta_set(m, "input", argv[optind]);
        lt_model_meta_set(m, "latent_version", LT_VERSION);
        r = lt_model_save(m, out) ? cli_fail("") : 0;
    }
    if (!r && !cli_quiet()) {
        fprintf(stderr,
                "latent: train %s: %d epochs, %lld steps in %.2fs (%.1f GFLOP/s), loss %.6g",
                method, res.epochs, (long long)res.steps, train_s, res.gflops, res.loss);
        if (!isnan(test_loss)) fprintf(stderr, ", test loss %.6g", test_loss);
        if (!isnan(test_acc)) fprintf(stderr, ", test accuracy %.4f", test_acc);
        if (!isnan(test_auc)) fprintf(stderr, ", test AUC %.4f", test_auc);
        fprintf(stderr, " -> %s\n", out);
    }
    if (!r && json) {
        printf("{\"method\": \"%s\", \"epochs\": %d, \"steps\": %lld, \"seconds\": ", method,
                res.epochs, (long long)res.steps);
        cli_json_num(stdout, train_s);
        fputs(", \"gflops\": ", stdout);
        cli_json_num(stdout, res.gflops);
        fputs(", \"loss\": ", stdout);
        cli_json_num(stdout, res.loss);
        fputs(", \"per_epoch\": [", stdout);
        for (int e = 0; res.per_epoch && e < res.epochs; e++) {
            printf("%s{\"loss\": ", e ? ", " : "");
            cli_json_num(stdout, res.per_epoch[e].loss);
            fputs(", \"val_loss\": ", stdout);
            cli_json_num(stdout, res.per_epoch[e].val_loss);
            fputs(", \"val_accuracy\": ", stdout);
            cli_json_num(stdout, res.per_epoch[e].val_accuracy);
            fputs(", \"seconds\": ", stdout);
            cli_json_num(stdout, res.per_epoch[e].seconds);
            fputs("}", stdout);
        }
        printf("], \"test_rows\": %lld, \"test_loss\": ", (long long)n_test);
        cli_json_num(stdout, test_loss);
        fputs(", \"test_accuracy\": ", stdout);
        cli_json_num(stdout, test_acc);
        fputs(", \"test_auc\": ", stdout);
        cli_json_num(stdout, test_auc);
        fputs("}\n", stdout);
    }
    for (int64_t i = 0; fcls && fcls[i]; i++) lt_free(fcls[i]);
    for (int64_t i = 0; tcls && tcls[i]; i++) lt_free(tcls[i]);
    lt_free(fcls);
    lt_free(tcls);
    lt_free(res.per_epoch);
    lt_free(y);
    lt_free(yt);
    lt_classes_free(cl);
    lt_vecs_free(X);
    lt_vecs_free(Xt);
    lt_table_free(tab);
    lt_table_free(ttab);
    lt_model_free(m);
    return r;
}
