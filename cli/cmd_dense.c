/* latent fit / encode, and the model part of latent info */
#include "cli.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    O_OUT = 1,
    O_FROM,
    O_FMT,
    O_DIM,
    O_WHITEN,
    O_SCALE,
    O_THREADS,
    O_QUIET,
    O_INVERSE,
    O_TEST,
    O_CV,
    O_CLF,
    O_C,
    O_MAXIT,
    O_TOL,
    O_STD,
    O_K,
    O_WEIGHTS,
    O_METRIC,
    O_SEED,
    O_JSON,
    O_KERNEL,
    O_GAMMA,
    O_DEGREE,
    O_COEF0,
    O_LABEL,
    O_UNKNOWN,
    O_MINFREQ,
    O_ALLCAT,
    O_MISSING,
    O_LABELS_OUT,
    O_STREAM,
    O_ENCODE_OUT,
    O_SOLVER,
    O_OVERSAMPLE,
    O_POWER,
    O_LANDMARKS,
    O_KMITERS,
    O_NLAND,
    O_LAYER,
    O_COLUMN,
    O_BATCH
};

static int fit_kernel(const char *kind, int argc, char **argv);
static int fit_categorical(const char *kind, int argc, char **argv);
static int is_categorical(const char *kind) {
    return !strcmp(kind, "onehot") || !strcmp(kind, "ordinal") || !strcmp(kind, "hash");
}

int cmd_fit(int argc, char **argv) {
    static const char *U =
            "usage: latent fit pca|rff|nystroem|kpca|onehot|ordinal|hash INPUT -o MODEL [options] ('latent fit KIND --help')\n";
    if (argc < 2 || argv[1][0] == '-') {
        if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
            fputs(U, stdout);
            return 0;
        }
        return cli_usage(
                U, "fit: expected a model kind (pca, rff, nystroem, kpca, onehot, ordinal, hash)");
    }
    const char *kind = argv[1];
    if (!strcmp(kind, "rff") || !strcmp(kind, "nystroem") || !strcmp(kind, "kpca"))
        return fit_kernel(kind, argc - 1, argv + 1);
    if (is_categorical(kind)) return fit_categorical(kind, argc - 1, argv + 1);
    if (strcmp(kind, "pca"))
        return cli_usage(U,
                "fit: unknown model kind '%s' (pca, rff, nystroem, kpca, onehot, ordinal, hash)",
                kind);
    static const cli_opt opts[] = { { "output", 'o', "MODEL", O_OUT,
                                            "the fitted model (.lmodel; required)" },
        { "dim", 0, "N", O_DIM, "components kept [50]" },
        { "whiten", 0, NULL, O_WHITEN, "scale each output to unit variance" },
        { "scale", 0, "S", O_SCALE,
                "input scaling fitted here: none, unit (x/255), standard, minmax [none]" },
        { "solver", 0, "S", O_SOLVER,
                "covariance (exact eigh), randomized (Halko); auto: covariance up to 4096 columns unless a randomized option is given [auto]" },
        { "oversample", 0, "N", O_OVERSAMPLE,
                "randomized: extra columns of the random block [10]" },
        { "power-iters", 0, "N", O_POWER,
                "randomized: power iterations [7 if dim < 0.1 min(n, d), else 4]" },
        { "seed", 's', "N", O_SEED, "randomized: the random block's seed [1]" },
        { "stream", 0, NULL, O_STREAM,
                "read INPUT (.npy f32/f64 or .fvecs, uncompressed) in blocks: memory O(d^2) (covariance) or O(d dim), not O(n d); IDX files (MNIST) always are, unless --encode-out" },
        { "encode-out", 0, "F", O_ENCODE_OUT,
                "also write INPUT's rows encoded by the new model (one read; format from the name)" },
        { "from", 0, "F", O_FROM,
                "input format (npy fvecs bvecs idx csv lvec ...) [from the name]" },
        { "threads", 't', "N", O_THREADS, "BLAS threads [number of CPUs]" },
        { "quiet", 'q', NULL, O_QUIET, "no summary on stderr" }, { 0 } };
    static const cli_spec S = { "fit pca",
        "usage: latent fit pca INPUT -o MODEL [options]\n"
        "  principal components of INPUT's rows (exact covariance eigendecomposition by LAPACK, or randomized);\n"
        "  the model keeps the scaler, mean, components and explained variance\n",
        opts };
    lt_pca_opts po;
    lt_pca_opts_init(&po);
    const char *out = NULL, *from = NULL, *a;
    long long iv;
    int c, threads = lt_cpu_count(), stream = 0;
    const char *enc_out = NULL, *rnd_opt = NULL;
    optind = 1;
    argc--;
    argv++;
    while ((c = cli_getopt(argc, argv, &S, &a)) != CLI_END) {
        switch (c) {
        case CLI_HELP:
        case CLI_ERROR: return CLI_DONE(c);
        case O_OUT: out = a; break;
        case O_DIM:
            if (!cli_int(a, 1, 1 << 24, &iv))
                return cli_usage(S.usage, "--dim must be an integer from %lld to %lld",
                        (long long)1, (long long)(1 << 24));
            po.dim = (int)iv;
            break;
        case O_WHITEN: po.whiten = 1; break;
        case O_STREAM: stream = 1; break;
        case O_SOLVER:
            if (lt_pca_solver_from_name(a, &po.solver))
                return cli_usage(S.usage, "%s", lt_errmsg());
            break;
        case O_OVERSAMPLE:
            if (!cli_int(a, 0, 1 << 20, &iv))
                return cli_usage(S.usage, "--oversample must be >= 0");
            po.oversample = (int)iv;
            rnd_opt = "--oversample";
            break;
        case O_POWER:
            if (!cli_int(a, 0, 1000, &iv))
                return cli_usage(S.usage, "--power-iters must be 0..1000");
            po.power_iters = (int)iv;
            rnd_opt = "--power-iters";
            break;
        case O_SEED:
            if (!cli_int(a, 0, INT64_MAX, &iv)) return cli_usage(S.usage, "--seed must be >= 0");
            po.seed = (uint64_t)iv;
            rnd_opt = "--seed";
            break;
        case O_ENCODE_OUT: enc_out = a; break;
        case O_SCALE:
            if (lt_scale_from_name(a, &po.scale)) return cli_usage(S.usage, "%s", lt_errmsg());
            break;
        case O_FROM:
            if (lt_format_from_name(a) == LT_FMT_AUTO)
                return cli_usage(S.usage, "unknown format '%s'", a);
            from = a;
            break;
        case O_THREADS:
            if (!cli_int(a, 1, 256, &iv)) return cli_usage(S.usage, "--threads must be 1..256");
            threads = (int)iv;
            break;
        case O_QUIET: cli_set_quiet(1); break;
        }
    }
    if (optind != argc - 1 || !out)
        return cli_usage(S.usage, "fit pca: expected INPUT and -o MODEL");
    po.n_threads = threads;
    if (stream && from)
        return cli_usage(
                S.usage, "--stream reads .npy or .fvecs by their names; --from does not apply");
    if (rnd_opt && po.solver == LT_PCA_COVARIANCE)
        return cli_usage(S.usage, "%s applies to the randomized solver only", rnd_opt);
    if (rnd_opt)
        po.solver = LT_PCA_RANDOMIZED; /* a randomized option picks the randomized solver */
    if (stream && enc_out)
        return cli_usage(S.usage,
                "--encode-out needs the rows in memory; encode the file with 'latent encode' after --stream");
    if (enc_out && lt_format_from_path(enc_out) == LT_FMT_AUTO)
        return cli_usage(S.usage, "cannot tell the format of '%s' from its name", enc_out);
    double t0 = lt_now();
    lt_vecs *X = NULL;
    /* an IDX file (MNIST's images) is fitted from its own bytes, block by block: the same model,
     * without the floats of every row at once (--encode-out needs them) */
    if (!enc_out && !from && lt_format_from_path(argv[optind]) == LT_FMT_IDX) stream = 1;
    int r = stream ? 0 : cli_load(argv[optind], from, &X);
    if (r) return r;
    lt_model *m;
    r = (stream ? lt_pca_fit_file(argv[optind], &po, &m) : lt_pca_fit(X, &po, &m))
            ? cli_fail("fit pca")
            : 0;
    if (!r) {
        lt_model_meta_set(m, "input", argv[optind]);
        lt_model_meta_set(m, "latent_version", LT_VERSION);
        r = lt_model_save(m, out) ? cli_fail("") : 0;
        if (!r && enc_out) {
            lt_vecs *Z = NULL;
            r = lt_encode(m, X, threads, &Z) || lt_vecs_meta_set(Z, "model", out) ||
                            lt_vecs_save(Z, enc_out, lt_format_from_path(enc_out), NULL)
                    ? cli_fail("fit pca")
                    : 0;
            lt_vecs_free(Z);
        }
        if (!r && !cli_quiet())
            fprintf(stderr,
                    "latent: fit pca: %s rows x %s -> %d components, explained variance ratio %s in %.2fs -> %s\n",
                    lt_model_meta(m, "n_samples"), lt_model_meta(m, "input_dim"), po.dim,
                    lt_model_meta(m, "explained_variance_ratio_sum"), lt_now() - t0, out);
        lt_model_free(m);
    }
    lt_vecs_free(X);
    return r;
}

#define KOPTS_TAIL \
    { "scale", 0, "S", O_SCALE, \
        "input scaling fitted here: none, unit (x/255), standard, minmax [none]" }, \
            { "seed", 's', "N", O_SEED, \
                "random draws (features, landmarks, the gamma sample) [1]" }, \
            { "from", 0, "F", O_FROM, \
                "input format (npy fvecs bvecs idx csv lvec ...) [from the name]" }, \
            { "threads", 't', "N", O_THREADS, "BLAS threads [number of CPUs]" }, \
            { "quiet", 'q', NULL, O_QUIET, "no summary on stderr" }, { \
        0 \
    }
#define KOPTS_KERNEL \
    { "kernel", 0, "K", O_KERNEL, "rbf, laplacian, poly, cosine, chi2, linear [rbf]" }, \
            { "gamma", 0, "X", O_GAMMA, \
                "kernel width, or auto = 1 / median squared distance of 1000 sampled rows [auto]" }, \
            { "degree", 0, "N", O_DEGREE, "poly kernel degree [3]" }, \
            { "coef0", 0, "X", O_COEF0, "poly kernel constant [1]" }, \
            { "landmarks", 0, "R", O_LANDMARKS, \
                "uniform rows, or kmeans++ centres of a sample of max(10000, 10 x landmarks) rows [uniform]" }, \
    { \
        "kmeans-iters", 0, "N", O_KMITERS, "Lloyd iterations after the kmeans++ seeding [5]" \
    }
static int fit_kernel(const char *kind, int argc, char **argv) {
    static const cli_opt opts[] = { { "output", 'o', "MODEL", O_OUT,
                                            "the fitted model (.lmodel; required)" },
        { "dim", 0, "N", O_DIM, "landmarks [100]" }, KOPTS_KERNEL, KOPTS_TAIL };
    static const cli_opt kopts[] = { { "output", 'o', "MODEL", O_OUT,
                                             "the fitted model (.lmodel; required)" },
        { "dim", 0, "N", O_DIM, "components [100]" },
        { "solver", 0, "S", O_SOLVER,
                "exact (n x n kernel, <= 20000 rows), nystroem (PCA of Nystroem features), auto [auto]" },
        { "n-landmarks", 0, "N", O_NLAND, "nystroem solver: landmarks [1000]" }, KOPTS_KERNEL,
        KOPTS_TAIL };
    static const cli_opt ropts[] = { { "output", 'o', "MODEL", O_OUT,
                                             "the fitted model (.lmodel; required)" },
        { "dim", 0, "N", O_DIM, "random features [100]" },
        { "kernel", 0, "K", O_KERNEL, "rbf or laplacian [rbf]" },
        { "gamma", 0, "X", O_GAMMA,
                "kernel width, or auto = 1 / median squared distance of 1000 sampled rows [auto]" },
        KOPTS_TAIL };
    static const cli_spec SR = { "fit rff",
        "usage: latent fit rff INPUT -o MODEL [options]\n"
        "  random Fourier features of an rbf or laplacian kernel (Rahimi and Recht)\n",
        ropts };
    static const cli_spec SN = { "fit nystroem",
        "usage: latent fit nystroem INPUT -o MODEL [options]\n"
        "  Nystroem kernel map on landmark rows (uniform draws or k-means++ centres)\n",
        opts };
    static const cli_spec SK = { "fit kpca",
        "usage: latent fit kpca INPUT -o MODEL [options]\n"
        "  kernel PCA: exact (at most 20000 rows; the training rows are stored in the model), or on\n"
        "  Nystroem features beyond\n",
        kopts };
    const cli_spec *S = !strcmp(kind, "rff") ? &SR : !strcmp(kind, "nystroem") ? &SN : &SK;
    lt_kernel_opts ko;
    lt_kernel_opts_init(&ko);
    const char *out = NULL, *from = NULL, *a;
    long long iv;
    double fv;
    int c, threads = lt_cpu_count(), km_opt = 0;
    const char *ny_opt = NULL;
    optind = 1;
    while ((c = cli_getopt(argc, argv, S, &a)) != CLI_END) {
        switch (c) {
        case CLI_HELP:
        case CLI_ERROR: return CLI_DONE(c);
        case O_OUT: out = a; break;
        case O_DIM:
            if (!cli_int(a, 1, 1 << 24, &iv))
                return cli_usage(S->usage, "--dim must be an integer from %lld to %lld",
                        (long long)1, (long long)(1 << 24));
            ko.dim = (int)iv;
            break;
        case O_KERNEL:
            if (lt_kernel_from_name(a, &ko.kernel)) return cli_usage(S->usage, "%s", lt_errmsg());
            break;
        case O_GAMMA:
            if (!strcmp(a, "auto")) ko.gamma = 0;
            else if (!cli_float(a, 1e-300, 1e300, &fv))
                return cli_usage(S->usage, "--gamma must be positive or auto");
            else ko.gamma = fv;
            break;
        case O_DEGREE:
            if (!cli_int(a, 1, 100, &iv)) return cli_usage(S->usage, "--degree must be 1..100");
            ko.degree = (int)iv;
            break;
        case O_COEF0:
            if (!cli_float(a, -1e300, 1e300, &fv))
                return cli_usage(S->usage, "--coef0 must be a number");
            ko.coef0 = fv;
            break;
        case O_SCALE:
            if (lt_scale_from_name(a, &ko.scale)) return cli_usage(S->usage, "%s", lt_errmsg());
            break;
        case O_SEED:
            if (!cli_int(a, 0, INT64_MAX, &iv)) return cli_usage(S->usage, "--seed must be >= 0");
            ko.seed = (uint64_t)iv;
            break;
        case O_FROM:
            if (lt_format_from_name(a) == LT_FMT_AUTO)
                return cli_usage(S->usage, "unknown format '%s'", a);
            from = a;
            break;
        case O_THREADS:
            if (!cli_int(a, 1, 256, &iv)) return cli_usage(S->usage, "--threads must be 1..256");
            threads = (int)iv;
            break;
        case O_QUIET: cli_set_quiet(1); break;
        case O_LANDMARKS:
            if (!strcmp(a, "uniform")) ko.landmarks = LT_LANDMARKS_UNIFORM;
            else if (!strcmp(a, "kmeans++")) ko.landmarks = LT_LANDMARKS_KMEANSPP;
            else return cli_usage(S->usage, "--landmarks: uniform or kmeans++");
            ny_opt = "--landmarks";
            break;
        case O_KMITERS:
            if (!cli_int(a, 0, 1000, &iv))
                return cli_usage(S->usage, "--kmeans-iters must be 0..1000");
            ko.kmeans_iters = (int)iv;
            km_opt = 1;
            ny_opt = "--kmeans-iters";
            break;
        case O_NLAND:
            if (!cli_int(a, 1, 1 << 20, &iv))
                return cli_usage(S->usage, "--n-landmarks must be an integer from %lld to %lld",
                        (long long)1, (long long)(1 << 20));
            ko.n_landmarks = (int)iv;
            ny_opt = "--n-landmarks";
            break;
        case O_SOLVER:
            if (!strcmp(a, "auto")) ko.kpca_solver = LT_KPCA_AUTO;
            else if (!strcmp(a, "exact")) ko.kpca_solver = LT_KPCA_EXACT;
            else if (!strcmp(a, "nystroem")) ko.kpca_solver = LT_KPCA_NYSTROEM;
            else return cli_usage(S->usage, "--solver: auto, exact or nystroem");
            break;
        }
    }
    if (optind != argc - 1 || !out)
        return cli_usage(S->usage, "fit %s: expected INPUT and -o MODEL", kind);
    if (km_opt && ko.landmarks != LT_LANDMARKS_KMEANSPP)
        return cli_usage(S->usage, "--kmeans-iters applies to --landmarks kmeans++");
    if (S == &SK && ny_opt && ko.kpca_solver == LT_KPCA_EXACT)
        return cli_usage(S->usage, "%s applies to the nystroem solver", ny_opt);
    if (S == &SK && ny_opt)
        ko.kpca_solver = LT_KPCA_NYSTROEM; /* a landmark option picks the nystroem solver */
    if (ko.kernel != LT_KERNEL_POLY && (ko.degree != 3 || ko.coef0 != 1))
        return cli_usage(S->usage, "--degree and --coef0 belong to the poly kernel");
    ko.n_threads = threads;
    double t0 = lt_now();
    lt_vecs *X;
    int r = cli_load(argv[optind], from, &X);
    if (r) return r;
    lt_model *m;
    int rc = !strcmp(kind, "rff")       ? lt_rff_fit(X, &ko, &m)
            : !strcmp(kind, "nystroem") ? lt_nystroem_fit(X, &ko, &m)
                                        : lt_kpca_fit(X, &ko, &m);
    char what[32];
    snprintf(what, sizeof what, "fit %s", kind);
    r = rc ? cli_fail(what) : 0;
    if (!r) {
        lt_model_meta_set(m, "input", argv[optind]);
        lt_model_meta_set(m, "latent_version", LT_VERSION);
        r = lt_model_save(m, out) ? cli_fail("") : 0;
        if (!r && !cli_quiet())
            fprintf(stderr,
                    "latent: fit %s: %lld rows x %lld, %s kernel, gamma %s -> %d dimensions in %.2fs -> %s\n",
                    kind, (long long)X->n, (long long)X->d, lt_kernel_name(ko.kernel),
                    lt_model_meta(m, "gamma"), ko.dim, lt_now() - t0, out);
        lt_model_free(m);
    }
    lt_vecs_free(X);
    return r;
}

static int fit_categorical(const char *kind, int argc, char **argv) {
#define COPTS_HEAD \
    { "output", 'o', "MODEL", O_OUT, "the fitted model (.lmodel; required)" }, \
            { "label", 0, "COL", O_LABEL, "the target column, left out of the features" }, { \
        "missing", 0, "S", O_MISSING, \
                "marker of a missing value (empty fields are missing too) [?]" \
    }
#define COPTS_TAIL \
    { "all-categorical", 0, NULL, O_ALLCAT, \
        "every column categorical, numbers included (scikit-learn's encoders)" }, \
            { "quiet", 'q', NULL, O_QUIET, "no summary on stderr" }, { \
        0 \
    }
    static const cli_opt copts[] = { COPTS_HEAD,
        { "handle-unknown", 0, "P", O_UNKNOWN,
                "unknown categories at encode time: error, ignore, infrequent [error]" },
        { "min-frequency", 0, "N", O_MINFREQ,
                "categories seen fewer times share one infrequent column [0]" },
        COPTS_TAIL };
    static const cli_opt hopts[] = { COPTS_HEAD, { "dim", 0, "N", O_DIM, "hashed columns [1024]" },
        COPTS_TAIL };
    static const cli_spec SO = { "fit onehot",
        "usage: latent fit onehot TABLE.csv -o MODEL [options]\n"
        "  one-hot categorical columns (sorted categories) after the standardised numeric ones\n",
        copts };
    static const cli_spec SD = { "fit ordinal",
        "usage: latent fit ordinal TABLE.csv -o MODEL [options]\n"
        "  ordinal codes of the categorical columns after the standardised numeric ones\n",
        copts };
    static const cli_spec SH = { "fit hash",
        "usage: latent fit hash TABLE.csv -o MODEL [options]\n"
        "  feature hashing of \"column=value\" (scikit-learn's FeatureHasher) after the standardised numeric ones\n",
        hopts };
    const cli_spec *S = !strcmp(kind, "onehot") ? &SO : !strcmp(kind, "ordinal") ? &SD : &SH;
    lt_cat_opts co;
    lt_cat_opts_init(&co);
    co.kind = kind;
    const char *out = NULL, *missing = "?", *a;
    long long iv;
    int c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, S, &a)) != CLI_END) {
        switch (c) {
        case CLI_HELP:
        case CLI_ERROR: return CLI_DONE(c);
        case O_OUT: out = a; break;
        case O_LABEL: co.label = a; break;
        case O_MISSING: missing = a; break;
        case O_UNKNOWN:
            if (!strcmp(a, "error")) co.unknown = LT_UNKNOWN_ERROR;
            else if (!strcmp(a, "ignore")) co.unknown = LT_UNKNOWN_IGNORE;
            else if (!strcmp(a, "infrequent")) co.unknown = LT_UNKNOWN_INFREQUENT;
            else return cli_usage(S->usage, "--handle-unknown must be error, ignore or infrequent");
            break;
        case O_MINFREQ:
            if (!cli_int(a, 0, INT64_MAX, &iv))
                return cli_usage(S->usage, "--min-frequency must be >= 0");
            co.min_frequency = iv;
            break;
        case O_DIM:
            if (!cli_int(a, 1, 1 << 24, &iv)) return cli_usage(S->usage, "--dim must be 1..2^24");
            co.dim = (int)iv;
            break;
        case O_ALLCAT: co.all_categorical = 1; break;
        case O_QUIET: cli_set_quiet(1); break;
        }
    }
    if (optind != argc - 1 || !out)
        return cli_usage(S->usage, "fit %s: expected TABLE and -o MODEL", kind);
    double t0 = lt_now();
    lt_table *t;
    char what[32];
    snprintf(what, sizeof what, "fit %s", kind);
    if (lt_table_load(argv[optind], missing, &t)) return cli_fail(what);
    lt_model *m;
    int r = lt_cat_fit(t, &co, &m) ? cli_fail(what) : 0;
    if (!r) {
        lt_model_meta_set(m, "missing", missing);
        lt_model_meta_set(m, "input", argv[optind]);
        lt_model_meta_set(m, "latent_version", LT_VERSION);
        r = lt_model_save(m, out) ? cli_fail("") : 0;
        if (!r && !cli_quiet())
            fprintf(stderr,
                    "latent: fit %s: %lld rows, %s feature columns -> %s dimensions in %.2fs -> %s\n",
                    kind, (long long)lt_table_rows(t), lt_model_meta(m, "columns"),
                    lt_model_meta(m, "dim"), lt_now() - t0, out);
        lt_model_free(m);
    }
    lt_table_free(t);
    return r;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}
/* libsvm targets from the model's label column: the numbers themselves, or, when any value is
 * not a number, the class index in sorted order (listed in classes); none fitted: NULL (0) */
static int svm_targets(
        const lt_model *m, const lt_table *t, double **y, char *classes, size_t cap) {
    const char *lab = lt_model_meta(m, "label"), *miss = lt_model_meta(m, "missing");
    *y = NULL;
    if (!lab) return 0;
    int lc = lt_table_col(t, lab);
    int64_t n = lt_table_rows(t), nd = 0;
    if (lc < 0)
        return (lt_err(LT_EINVAL, "no label column '%s' in the table", lab), cli_fail("encode"));
    const char **v = lt_malloc((size_t)(n ? n : 1) * sizeof *v),
               **u = lt_malloc((size_t)(n ? n : 1) * sizeof *v);
    *y = lt_malloc((size_t)(n ? n : 1) * 8);
    if (!v || !u || !*y) {
        lt_free(v);
        lt_free(u);
        return (lt_err(LT_ENOMEM, "out of memory"), cli_fail("encode"));
    }
    int numeric = 1;
    for (int64_t i = 0; i < n; i++) {
        const char *c = lt_table_cell(t, i, lc);
        v[i] = u[i] = c ? c : miss ? miss : "?";
        char *e;
        (*y)[i] = strtod(v[i], &e);
        if (e == v[i] || *e || !isfinite((*y)[i])) numeric = 0;
    }
    if (!numeric) {
        qsort(u, (size_t)n, sizeof *u, cmp_str);
        for (int64_t i = 0; i < n; i++)
            if (!nd || strcmp(u[nd - 1], u[i])) u[nd++] = u[i];
        size_t at = 0;
        for (int64_t c = 0; c < nd && at < cap; c++)
            at += (size_t)snprintf(
                    classes + at, cap - at, "%s%s=%lld", c ? " " : "", u[c], (long long)c);
        for (int64_t i = 0; i < n; i++) {
            const char **hit = bsearch(&v[i], u, (size_t)nd, sizeof *u, cmp_str);
            (*y)[i] = (double)(hit - u);
        }
    }
    lt_free(v);
    lt_free(u);
    return 0;
}

/* a folder of PNG/JPEG images, cropped and resized to a cnn model's input */
static int load_images_for(const lt_model *m, const char *dir, lt_vecs **X) {
    const char *in = lt_model_meta(m, "nn_input");
    lt_image_opts io = { 0, 0, 1, 1 };
    if (strcmp(lt_model_kind(m), "cnn") || !in || sscanf(in, "%d %d %d", &io.c, &io.h, &io.w) != 3)
        return (lt_err(LT_EINVAL, "%s: image folders go with cnn models", dir), cli_fail("encode"));
    return lt_images_load(dir, &io, X, NULL) ? cli_fail("encode") : 0;
}

/* encode with --layer / --column: the neural models */
static int encode_neural(const cli_spec *S, int argc, char **argv, const char *out, const char *fmt,
        const char *from, const char *layer, const char *column, int threads, int batch) {
    if (!out) return cli_usage(S->usage, "encode: -o OUT is required");
    if (column ? optind != argc - 1 : optind != argc - 2)
        return cli_usage(S->usage,
                column ? "encode --column: expected MODEL alone (no INPUT)"
                       : "encode: expected MODEL, INPUT and -o OUT");
    lt_format f = fmt ? lt_format_from_name(fmt) : lt_format_from_path(out);
    if (f == LT_FMT_AUTO)
        return cli_usage(S->usage, "cannot tell the output format of '%s'; use --format", out);
    double t0 = lt_now();
    lt_model *m;
    if (lt_model_load(argv[optind], &m)) return cli_fail("encode");
    const char *k = lt_model_kind(m);
    int ent = !strcmp(k, "entity"), r = 0;
    if (!ent && strcmp(k, "autoencoder") &&
            strcmp(k, "cnn")) { /* the message before the free: k lives in m */
        r = cli_usage(S->usage,
                "encode: --layer and --column belong to autoencoder, cnn and entity models, not %s",
                k);
        lt_model_free(m);
        return r;
    }
    if (column && (!ent || layer)) {
        lt_model_free(m);
        return cli_usage(S->usage, "encode: --column belongs to entity models, without --layer");
    }
    if (ent && from) {
        lt_model_free(m);
        return cli_usage(
                S->usage, "encode: an entity model reads a CSV table; --from does not apply");
    }
    if (ent && batch) {
        lt_model_free(m);
        return cli_usage(S->usage, "encode: --batch belongs to autoencoder and cnn models");
    }
    lt_vecs *X = NULL, *Z = NULL;
    lt_table *t = NULL;
    if (column) r = lt_entity_column(m, column, &Z) ? cli_fail("encode") : 0;
    else if (ent)
        r = lt_table_load(argv[optind + 1], lt_model_meta(m, "enc.missing"), &t) ||
                        lt_entity_encode(m, t, argv[optind + 1], layer, threads, &Z)
                ? cli_fail("encode")
                : 0;
    else if (!(r = cli_is_dir(argv[optind + 1]) ? load_images_for(m, argv[optind + 1], &X)
                                                : cli_load(argv[optind + 1], from, &X))) {
        double tf = lt_now();
        r = lt_neural_encode_batch(m, X, layer, threads, batch ? batch : 256, &Z)
                ? cli_fail("encode")
                : 0;
        if (!r && !cli_quiet())
            fprintf(stderr, "latent: encode: forward pass %.3fs (%d rows per pass, %d threads)\n",
                    lt_now() - tf, batch ? batch : 256, threads);
    }
    if (!r) {
        lt_vecs_meta_set(Z, "model", argv[optind]);
        lt_vecs_meta_set(Z, "method", k);
        r = lt_vecs_save(Z, out, f, NULL) ? cli_fail("") : 0;
        if (!r && !cli_quiet())
            fprintf(stderr, "latent: encode: %lld rows x %lld (%s, %s %s) in %.2fs -> %s\n",
                    (long long)Z->n, (long long)Z->d, k, column ? "column" : "layer",
                    column ? column : lt_vecs_meta_get(Z, "layer"), lt_now() - t0, out);
    }
    lt_vecs_free(X);
    lt_vecs_free(Z);
    lt_table_free(t);
    lt_model_free(m);
    return r;
}

/* encode's streamed output: the writer opens at the first block, which tells the width; each
 * block is written by the writer's own thread while the library computes the next one */
typedef struct {
    lt_vecs_writer *w;
    const char *out;
    lt_format f;
    int64_t n, d;
    char **labels;
} enc_sink;
static int enc_put(void *ud, const lt_vecs *b, int64_t first) {
    enc_sink *s = ud;
    if (!b) return s->w ? lt_vecs_writer_wait(s->w) : LT_OK; /* the library's last block is free */
    s->d = b->d;
    int rc = s->w ? LT_OK
                  : lt_vecs_writer_open(&s->w, s->out, s->f, s->n, b->d, s->labels != NULL, NULL);
    return rc ? rc : lt_vecs_writer_put_async(s->w, b, s->labels ? s->labels + first : NULL);
}

int cmd_encode(int argc, char **argv) {
    static const cli_opt opts[] = {
        { "output", 'o', "F", O_OUT,
                "encoded rows, labels carried over; format from the extension (required)" },
        { "format", 0, "F", O_FMT,
                "output format, overriding the extension; libsvm (.svm): sparse rows, table models" },
        { "from", 0, "F", O_FROM, "input format [from the name]" },
        { "inverse", 0, NULL, O_INVERSE, "pca: map encoded rows back to the input space" },
        { "labels-out", 0, "F", O_LABELS_OUT,
                "table models: write the label column, one value per line" },
        { "layer", 0, "L", O_LAYER,
                "autoencoder/cnn/entity: the layer written: a name (fc1, conv2, ...), output, embed (entity), or a\n"
                "                           layer number [the model's encode_layer: bottleneck, penultimate]" },
        { "batch", 0, "N", O_BATCH,
                "autoencoder/cnn: rows per forward pass (1: one row at a time, as a server would) [256]" },
        { "column", 0, "NAME", O_COLUMN,
                "entity: write the learned vectors of a categorical column, one row per category (no INPUT)" },
        { "threads", 't', "N", O_THREADS, "BLAS threads [number of CPUs]" },
        { "quiet", 'q', NULL, O_QUIET, "no summary on stderr" }, { 0 }
    };
    static const cli_spec S = { "encode",
        "usage: latent encode MODEL INPUT -o OUT [options]\n"
        "  applies a model from 'latent fit' to INPUT's rows\n",
        opts };
    const char *out = NULL, *from = NULL, *fmt = NULL, *labels_out = NULL, *layer = NULL,
               *column = NULL, *a;
    long long iv;
    int c, threads = lt_cpu_count(), inverse = 0, batch = 0;
    optind = 1;
    while ((c = cli_getopt(argc, argv, &S, &a)) != CLI_END) {
        switch (c) {
        case CLI_HELP:
        case CLI_ERROR: return CLI_DONE(c);
        case O_OUT: out = a; break;
        case O_FMT:
            if (lt_format_from_name(a) == LT_FMT_AUTO && strcmp(a, "libsvm"))
                return cli_usage(S.usage, "unknown format '%s'", a);
            fmt = a;
            break;
        case O_FROM:
            if (lt_format_from_name(a) == LT_FMT_AUTO)
                return cli_usage(S.usage, "unknown format '%s'", a);
            from = a;
            break;
        case O_INVERSE: inverse = 1; break;
        case O_LABELS_OUT: labels_out = a; break;
        case O_LAYER: layer = a; break;
        case O_COLUMN: column = a; break;
        case O_BATCH:
            if (!cli_int(a, 1, 1 << 20, &iv))
                return cli_usage(S.usage, "--batch must be an integer from %lld to %lld",
                        (long long)1, (long long)(1 << 20));
            batch = (int)iv;
            break;
        case O_THREADS:
            if (!cli_int(a, 1, 256, &iv)) return cli_usage(S.usage, "--threads must be 1..256");
            threads = (int)iv;
            break;
        case O_QUIET: cli_set_quiet(1); break;
        }
    }
    if (column || layer || batch)
        return encode_neural(&S, argc, argv, out, fmt, from, layer, column, threads, batch);
    if (optind != argc - 2 || !out)
        return cli_usage(S.usage, "encode: expected MODEL, INPUT and -o OUT");
    size_t ol = strlen(out);
    int svm = fmt ? !strcmp(fmt, "libsvm")
                  : (ol > 4 && !strcmp(out + ol - 4, ".svm")) ||
                    (ol > 7 && !strcmp(out + ol - 7, ".libsvm"));
    lt_format f = svm ? LT_FMT_AUTO : fmt ? lt_format_from_name(fmt) : lt_format_from_path(out);
    if (f == LT_FMT_AUTO && !svm)
        return cli_usage(S.usage, "cannot tell the output format of '%s'; use --format", out);
    double t0 = lt_now();
    lt_model *m;
    if (lt_model_load(argv[optind], &m)) return cli_fail("encode");
    if (!strcmp(lt_model_kind(m), "entity") || cli_is_dir(argv[optind + 1])) {
        lt_model_free(m);
        return encode_neural(&S, argc, argv, out, fmt, from, NULL, NULL, threads, 0);
    }
    lt_vecs *X = NULL, *Z = NULL;
    int r, table = is_categorical(lt_model_kind(m));
    int64_t in_n = 0, in_d = 0;
    if (table && (from || inverse)) { /* the message before the free: the kind lives in m */
        r = cli_usage(S.usage,
                "encode: --from and --inverse do not apply to a %s model (its input is a CSV table)",
                lt_model_kind(m));
        lt_model_free(m);
        return r;
    }
    if (!table && labels_out) {
        lt_model_free(m);
        return cli_usage(
                S.usage, "encode: --labels-out belongs to table models (onehot, ordinal, hash)");
    }
    if (!table && svm) {
        lt_model_free(m);
        return cli_usage(S.usage,
                "encode: libsvm (sparse) output belongs to table models (onehot, ordinal, hash)");
    }
    if (svm) {
        lt_table *t = NULL;
        lt_csr *C = NULL;
        r = lt_table_load(argv[optind + 1], lt_model_meta(m, "missing"), &t) ||
                        lt_cat_encode_csr(m, t, argv[optind + 1], &C)
                ? cli_fail("encode")
                : 0;
        double *y = NULL;
        char classes[512] = "";
        if (!r) r = svm_targets(m, t, &y, classes, sizeof classes);
        if (!r) r = lt_csr_save_libsvm(C, y, out) ? cli_fail("encode") : 0;
        if (!r && !cli_quiet())
            fprintf(stderr,
                    "latent: encode: %lld rows x %lld columns, %lld non-zeros (%s) in %.2fs -> %s%s%s\n",
                    (long long)C->n, (long long)C->d, (long long)C->nnz, lt_model_kind(m),
                    lt_now() - t0, out, classes[0] ? "; targets: " : "", classes);
        lt_free(y);
        lt_csr_free(C);
        lt_table_free(t);
        lt_model_free(m);
        return r;
    }
    if (table) {
        lt_table *t = NULL; /* stays NULL when the load fails: nothing below may read it then */
        const char *lab = lt_model_meta(m, "label");
        r = lt_table_load(argv[optind + 1], lt_model_meta(m, "missing"), &t) ||
                        lt_cat_encode(m, t, argv[optind + 1], &Z)
                ? cli_fail("encode")
                : 0;
        if (!r && labels_out) {
            int lc = lab ? lt_table_col(t, lab) : -1;
            lt_afile lf;
            if (lc < 0)
                r = (lt_err(LT_EINVAL, "%s: no label column '%s'", argv[optind + 1],
                             lab ? lab : "(none fitted)"),
                        cli_fail("encode"));
            else if (lt_afile_open(&lf, labels_out)) r = cli_fail("encode");
            else {
                const char *miss = lt_model_meta(m, "missing");
                for (int64_t i = 0; i < lt_table_rows(t); i++) {
                    const char *v = lt_table_cell(t, i, lc);
                    fprintf(lf.f, "%s\n", v ? v : miss ? miss : "?");
                }
                r = lt_afile_commit(&lf) ? cli_fail("encode") : 0;
            }
        }
        if (t) {
            in_n = lt_table_rows(t);
            in_d = lt_table_cols(t);
        }
        lt_table_free(t);
        if (r) {
            lt_vecs_free(Z);
            lt_model_free(m);
            return r;
        }
    } else if (!from && !inverse && lt_format_from_path(argv[optind + 1]) == LT_FMT_IDX &&
            lt_format_streamable(f)) {
        /* an IDX file (MNIST's images): its rows read and encoded block by block, never all in
         * memory as floats (the same values) */
        enc_sink es = { .out = out, .f = f, .n = -1, .labels = NULL };
        int64_t d_in = 0;
        r = lt_encode_file(m, argv[optind + 1], threads, enc_put, &es, &es.n, &d_in)
                ? (lt_vecs_writer_abort(es.w), cli_fail("encode"))
                : !es.w ? (fprintf(stderr, "latent: encode: %s has no rows\n", argv[optind + 1]), 1)
                : lt_vecs_writer_commit(es.w) ? cli_fail("")
                                              : 0;
        if (!r && !cli_quiet())
            fprintf(stderr,
                    "latent: encode: %lld rows, %lld -> %lld dimensions (%s) in %.2fs -> %s\n",
                    (long long)es.n, (long long)d_in, (long long)es.d, lt_model_kind(m),
                    lt_now() - t0, out);
        lt_model_free(m);
        return r;
    } else {
        r = cli_load(argv[optind + 1], from, &X);
        if (r) {
            lt_model_free(m);
            return r;
        }
        in_n = X->n;
        in_d = X->d;
        if (!inverse && X->n > 0 &&
                lt_format_streamable(
                        f)) { /* block by block to the file: no whole result in memory */
            enc_sink es = { .out = out, .f = f, .n = X->n, .labels = X->labels };
            r = lt_encode_rows(m, X, threads, enc_put, &es)
                    ? (lt_vecs_writer_abort(es.w), cli_fail("encode"))
                    : lt_vecs_writer_commit(es.w) ? cli_fail("")
                                                  : 0;
            if (!r && !cli_quiet())
                fprintf(stderr,
                        "latent: encode: %lld rows, %lld -> %lld dimensions (%s) in %.2fs -> %s\n",
                        (long long)in_n, (long long)in_d, (long long)es.d, lt_model_kind(m),
                        lt_now() - t0, out);
            lt_vecs_free(X);
            lt_model_free(m);
            return r;
        }
        r = (inverse ? lt_pca_inverse(m, X, &Z) : lt_encode(m, X, threads, &Z)) ? cli_fail("encode")
                                                                                : 0;
    }
    if (!r) {
        lt_vecs_meta_set(Z, "model", argv[optind]);
        lt_vecs_meta_set(Z, "method", lt_model_kind(m));
        r = lt_vecs_save(Z, out, f, NULL) ? cli_fail("") : 0;
        if (!r && !cli_quiet())
            fprintf(stderr,
                    "latent: encode: %lld rows, %lld -> %lld dimensions (%s%s) in %.2fs -> %s\n",
                    (long long)in_n, (long long)in_d, (long long)Z->d, lt_model_kind(m),
                    inverse ? ", inverse" : "", lt_now() - t0, out);
    }
    lt_vecs_free(X);
    lt_vecs_free(Z);
    lt_model_free(m);
    return r;
}

/* a categorical model's "colN.categories": the categories as a JSON array (null: the missing
 * value), readable where the metadata holds them escaped and 0x1f-separated; 0 for other keys */
static int print_categories(const lt_model *m, const char *key) {
    int col;
    char tail[16];
    if (sscanf(key, "col%d.%15s", &col, tail) != 2 || strcmp(tail, "categories")) return 0;
    char **c;
    int64_t n;
    if (lt_cat_categories(m, col, &c, &n)) {
        lt_clear_error();
        return 0;
    }
    fputc('[', stdout);
    for (int64_t i = 0; i < n; i++) {
        if (i) fputs(", ", stdout);
        if (c[i]) cli_json_str(stdout, c[i]);
        else fputs("null", stdout);
    }
    fputc(']', stdout);
    lt_cat_categories_free(c, n);
    return 1;
}

int cli_model_info(const char *path, int json) {
    lt_model *m;
    if (lt_model_load(path, &m)) return cli_fail("info");
    const char *k, *v, *name;
    int64_t r, c;
    if (json) {
        fputs("{\"file\": ", stdout);
        cli_json_str(stdout, path);
        fputs(", \"model\": ", stdout);
        cli_json_str(stdout, lt_model_kind(m));
        fputs(", \"meta\": {", stdout);
        for (int i = 0; lt_model_meta_at(m, i, &k, &v); i++) {
            if (i) fputs(", ", stdout);
            cli_json_str(stdout, k);
            fputs(": ", stdout);
            if (!print_categories(m, k)) cli_json_str(stdout, v);
        }
        fputs("}, \"arrays\": {", stdout);
        for (int i = 0; lt_model_array_at(m, i, &name, &r, &c); i++) {
            if (i) fputs(", ", stdout);
            cli_json_str(stdout, name);
            printf(": [%lld, %lld]", (long long)r, (long long)c);
        }
        fputs("}}\n", stdout);
    } else {
        printf("file\t%s\nmodel\t%s\n", path, lt_model_kind(m));
        for (int i = 0; lt_model_meta_at(m, i, &k, &v); i++) {
            if (!strcmp(k, "kind")) continue;
            printf("%s\t", k);
            if (!print_categories(m, k)) fputs(v, stdout);
            putchar('\n');
        }
        for (int i = 0; lt_model_array_at(m, i, &name, &r, &c); i++)
            printf("array\t%s\t%lld x %lld\n", name, (long long)r, (long long)c);
        lt_nn *net = NULL;
        if (lt_model_meta(m, "nn_arch") &&
                lt_nn_from_model(m, &net) == LT_OK) { /* neural models: the layers */
            char buf[16384];
            lt_nn_describe(net, buf, sizeof buf);
            for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n")) printf("layer\t%s\n", l);
            lt_nn_free(net);
        }
        const double *ratio = lt_model_get(m, "explained_variance_ratio", NULL, &c);
        if (ratio) {
            fputs("explained_variance_ratio", stdout);
            for (int64_t j = 0; j < c && j < 10; j++) printf("%s%.6f", j ? " " : "\t", ratio[j]);
            puts(c > 10 ? " ..." : "");
        }
    }
    lt_model_free(m);
    return 0;
}

int cmd_eval_probe(int argc, char **argv) {
    static const cli_opt opts[] = { { "test", 0, "VECS LABELS", O_TEST,
                                            "held-out rows and their labels (two arguments)" },
        { "cv", 0, "K", O_CV, "stratified K-fold cross-validation on TRAIN instead of --test" },
        { "classifier", 0, "NAME", O_CLF, "logreg (multinomial, L-BFGS) or knn [logreg]" },
        { "C", 0, "X", O_C, "logreg: inverse L2 strength, as scikit-learn's C [1]" },
        { "max-iter", 0, "N", O_MAXIT, "logreg: L-BFGS iterations at most [1000]" },
        { "tol", 0, "X", O_TOL,
                "logreg: stop when the largest gradient entry / (C n) is below X [1e-4]" },
        { "standardize", 0, NULL, O_STD,
                "logreg: centre and scale the features on the training rows" },
        { "k", 'k', "N", O_K, "knn: neighbours [5]" },
        { "weights", 0, "W", O_WEIGHTS, "knn: uniform or distance [uniform]" },
        { "metric", 0, "M", O_METRIC, "knn: l2 or cosine [l2]" },
        { "seed", 's', "N", O_SEED, "draws the --cv folds [1]" },
        { "threads", 't', "N", O_THREADS, "[number of CPUs]" },
        { "json", 0, NULL, O_JSON, "JSON output" },
        { "from", 0, "F", O_FROM, "input format of the vectors [from the name]" }, { 0 } };
    static const cli_spec S = { "eval probe",
        "usage: latent eval probe TRAIN LABELS (--test VECS LABELS | --cv K) [options]\n"
        "  how well a representation separates known classes: accuracy and macro-F1 of a\n"
        "  classifier; LABELS: one label per line in row order, or an IDX labels file\n",
        opts };
    lt_probe_opts po;
    lt_probe_opts_init(&po);
    po.n_threads = lt_cpu_count();
    const char *from = NULL, *test = NULL, *test_labels = NULL, *a;
    long long iv;
    double fv;
    int c, cv = 0, json = 0;
    uint64_t seed = 1;
    optind = 1;
    while ((c = cli_getopt(argc, argv, &S, &a)) != CLI_END) {
        switch (c) {
        case CLI_HELP:
        case CLI_ERROR: return CLI_DONE(c);
        case O_TEST:
            if (optind >= argc) return cli_usage(S.usage, "--test takes VECS and LABELS");
            test = a;
            test_labels = argv[optind++];
            break;
        case O_CV:
            if (!cli_int(a, 2, 1000, &iv)) return cli_usage(S.usage, "--cv must be 2..1000");
            cv = (int)iv;
            break;
        case O_CLF:
            if (!strcmp(a, "logreg")) po.kind = LT_PROBE_LOGREG;
            else if (!strcmp(a, "knn")) po.kind = LT_PROBE_KNN;
            else return cli_usage(S.usage, "--classifier must be logreg or knn");
            break;
        case O_C:
            if (!cli_float(a, 1e-9, 1e9, &fv))
                return cli_usage(S.usage, "--C must be a number from %g to %g", 1e-9, 1e9);
            po.C = fv;
            break;
        case O_MAXIT:
            if (!cli_int(a, 1, 1000000, &iv))
                return cli_usage(S.usage, "--max-iter must be an integer from %lld to %lld",
                        (long long)1, (long long)(1000000));
            po.max_iter = (int)iv;
            break;
        case O_TOL:
            if (!cli_float(a, 1e-15, 1, &fv)) return cli_usage(S.usage, "--tol must be in (0, 1]");
            po.tol = fv;
            break;
        case O_STD: po.standardize = 1; break;
        case O_K:
            if (!cli_int(a, 1, 100000, &iv)) return cli_usage(S.usage, "-k must be 1..100000");
            po.k = (int)iv;
            break;
        case O_WEIGHTS:
            if (!strcmp(a, "uniform")) po.distance_weights = 0;
            else if (!strcmp(a, "distance")) po.distance_weights = 1;
            else return cli_usage(S.usage, "--weights must be uniform or distance");
            break;
        case O_METRIC:
            if (!strcmp(a, "l2")) po.metric = LT_METRIC_L2;
            else if (!strcmp(a, "cosine")) po.metric = LT_METRIC_COS;
            else return cli_usage(S.usage, "--metric must be l2 or cosine");
            break;
        case O_SEED:
            if (!cli_int(a, 0, INT64_MAX, &iv)) return cli_usage(S.usage, "--seed must be >= 0");
            seed = (uint64_t)iv;
            break;
        case O_THREADS:
            if (!cli_int(a, 1, 256, &iv)) return cli_usage(S.usage, "--threads must be 1..256");
            po.n_threads = (int)iv;
            break;
        case O_JSON: json = 1; break;
        case O_FROM:
            if (lt_format_from_name(a) == LT_FMT_AUTO)
                return cli_usage(S.usage, "unknown format '%s'", a);
            from = a;
            break;
        }
    }
    if (optind != argc - 2) return cli_usage(S.usage, "eval probe: expected TRAIN and LABELS");
    if (!test == !cv) return cli_usage(S.usage, "eval probe: give --test VECS LABELS or --cv K");
    int knn = po.kind == LT_PROBE_KNN;
    double t0 = lt_now();
    lt_vecs *tr = NULL, *te = NULL;
    int *ytr = NULL, *yte = NULL, r;
    lt_classes *cl = lt_classes_new();
    if ((r = cli_load(argv[optind], from, &tr))) {
        lt_classes_free(cl);
        return r;
    }
    if (test && (r = cli_load(test, from, &te))) {
        lt_vecs_free(tr);
        lt_classes_free(cl);
        return r;
    }
    ytr = malloc((size_t)(tr->n ? tr->n : 1) * sizeof(int));
    yte = te ? malloc((size_t)(te->n ? te->n : 1) * sizeof(int)) : NULL;
    lt_probe_result res;
    r = !cl || !ytr || (te && !yte) ? (lt_err(LT_ENOMEM, "out of memory"), 1) : 0;
    if (!r && lt_classes_read(cl, argv[optind + 1], tr->n, tr, ytr)) r = 1;
    if (!r && te && lt_classes_read(cl, test_labels, te->n, te, yte)) r = 1;
    if (!r && lt_classes_sort(cl, ytr, tr->n, yte, te ? te->n : 0)) r = 1;
    if (!r)
        r = (te ? lt_probe(tr, ytr, te, yte, lt_classes_count(cl), &po, &res)
                : lt_probe_cv(tr, ytr, lt_classes_count(cl), cv, seed, &po, &res)) != LT_OK;
    if (r) r = cli_fail("eval probe");
    else {
        double secs = lt_now() - t0;
        const char *clf = knn ? "knn" : "logreg";
        if (json) {
            cli_jprintf(stdout,
                    "{\"classifier\": \"%s\", \"accuracy\": %.6f, \"macro_f1\": %.6f, \"sd\": %.6f, \"auc\": ",
                    clf, res.accuracy, res.macro_f1, res.sd_accuracy);
            cli_json_num(stdout, res.auc);
            cli_jprintf(stdout,
                    ", \"train\": %lld, \"test\": %lld, \"classes\": %d, \"folds\": %d, \"iterations\": %d, \"seconds\": %.3f}\n",
                    (long long)res.n_train, (long long)res.n_test, res.classes, res.folds,
                    res.iterations, secs);
        } else {
            printf("classifier\t%s\naccuracy\t%.4f\nmacro_f1\t%.4f\nsd\t%.4f\n", clf, res.accuracy,
                    res.macro_f1, res.sd_accuracy);
            if (res.classes == 2) printf("auc\t%.4f\n", res.auc);
            printf("train\t%lld\ntest\t%lld\nclasses\t%d\nfolds\t%d\niterations\t%d\n",
                    (long long)res.n_train, (long long)res.n_test, res.classes, res.folds,
                    res.iterations);
        }
    }
    lt_vecs_free(tr);
    lt_vecs_free(te);
    free(ytr);
    free(yte);
    lt_classes_free(cl);
    return r;
}
