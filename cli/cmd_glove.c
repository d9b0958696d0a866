/* latent train glove */
#include "cli.h"
#include <stdlib.h>
#include <string.h>

enum {
    O_OUT = 1,
    O_FMT,
    O_DIM,
    O_WIN,
    O_XMAX,
    O_POW,
    O_ALPHA,
    O_EPO,
    O_MINC,
    O_MAXV,
    O_MEM,
    O_VEC,
    O_ASYM,
    O_NODIST,
    O_CLIP,
    O_LOWER,
    O_SVOC,
    O_F16,
    O_THREADS,
    O_SEED,
    O_QUIET,
    O_COOC,
    O_BALPHA,
    O_CKPT,
    O_RESUME
};

typedef struct {
    lt_progress count, train;
    int started;
} prog;
static void on_progress(void *ud, int stage, int epoch, double done, double total, double loss) {
    prog *p = ud;
    (void)epoch;
    if (stage == 0) {
        lt_progress_update(&p->count, done, -1);
        return;
    }
    if (!p->started) {
        p->started = 1;
        lt_progress_end(&p->count, p->count.total);
        p->train.total = total;
        p->train.t0 = lt_now();
    }
    lt_progress_update(&p->train, done, loss);
}

int cmd_train_glove(int argc, char **argv) {
    static const cli_opt opts[] = {
        { "output", 'o', "F", O_OUT,
                "output vectors; format from the extension (.lvec .bin .txt .vec .glove .npy .fvecs, + .gz)" },
        { "format", 0, "F", O_FMT,
                "native|w2v-txt|w2v-bin|glove|vec|npy|fvecs (overrides the extension)" },
        { "dim", 0, "N", O_DIM, "dimension [100]" },
        { "window", 0, "N", O_WIN, "context words on each side [10]" },
        { "x-max", 0, "X", O_XMAX,
                "weighting cutoff: f(x) = min(1, (x / x_max)^weight_power) [100]" },
        { "weight-power", 0, "X", O_POW, "GloVe's alpha, the weighting exponent [0.75]" },
        { "alpha", 0, "X", O_ALPHA,
                "learning rate (AdaGrad's initial step) of the vectors [0.05]" },
        { "bias-alpha", 0, "X", O_BALPHA,
                "the biases' learning rate [1, as GloVe's code: its rate multiplies the vectors' only]" },
        { "epochs", 0, "N", O_EPO, "passes over the co-occurrences [15]" },
        { "min-count", 0, "N", O_MINC, "drop rarer words [5]" },
        { "max-vocab", 0, "N", O_MAXV, "keep the N most frequent words [all]" },
        { "memory", 0, "GB", O_MEM,
                "memory for counting, all threads; runs spill to a temporary file beyond it [4]" },
        { "vectors", 0, "V", O_VEC,
                "sum (word + context, GloVe's default), word or context [sum]" },
        { "asymmetric", 0, NULL, O_ASYM,
                "count only the words before each word (GloVe's -symmetric 0)" },
        { "no-distance-weighting", 0, NULL, O_NODIST,
                "each context word counts 1, not 1 / distance" },
        { "grad-clip", 0, "X", O_CLIP, "clip gradient components to +-X [100]" },
        { "lower", 0, NULL, O_LOWER, "Unicode lowercasing of the corpus" },
        { "save-vocab", 0, "F", O_SVOC, "write \"word count\" lines" },
        { "cooccur-out", 0, "F", O_COOC,
                "write the counts as GloVe's cooccur does (int32, int32 1-based ranks, f64)" },
        { "checkpoint", 0, "F", O_CKPT,
                "write the training state to F after every epoch (a model file, kind glove-checkpoint)" },
        { "resume", 0, "F", O_RESUME,
                "continue from checkpoint F (same corpus and options; --epochs counts the epochs in all)" },
        { "f16", 0, NULL, O_F16, "store native output as half precision" },
        { "threads", 't', "N", O_THREADS, "[number of CPUs]" },
        { "seed", 's', "N", O_SEED, "initial vectors and the shuffle [1]" },
        { "quiet", 'q', NULL, O_QUIET, "no progress or summary on stderr" }, { 0 }
    };
    static const cli_spec S = { "train glove",
        "usage: latent train glove CORPUS -o VECS [options]\n"
        "  GloVe: co-occurrence counts (1/distance, symmetric window) and AdaGrad on the weighted\n"
        "  least squares of log counts; CORPUS: UTF-8 text, plain or .gz; a newline ends a window\n",
        opts };
    lt_glove_text_opts o;
    lt_glove_text_opts_init(&o);
    o.g.n_threads = lt_cpu_count();
    const char *out = NULL, *fmt = NULL, *a;
    int c, f16 = 0;
    long long iv;
    double fv;
    optind = 1;
    while ((c = cli_getopt(argc, argv, &S, &a)) != CLI_END) {
        switch (c) {
        case CLI_HELP:
        case CLI_ERROR: return CLI_DONE(c);
        case O_OUT: out = a; break;
        case O_FMT: fmt = a; break;
        case O_DIM:
            if (!cli_int(a, 1, 100000, &iv)) return cli_usage(S.usage, "--dim must be 1..100000");
            o.g.dim = (int)iv;
            break;
        case O_WIN:
            if (!cli_int(a, 1, 1000, &iv)) return cli_usage(S.usage, "--window must be 1..1000");
            o.g.window = (int)iv;
            break;
        case O_XMAX:
            if (!cli_float(a, 1e-9, 1e12, &fv))
                return cli_usage(S.usage, "--x-max must be a number from %g to %g", 1e-9, 1e12);
            o.g.x_max = fv;
            break;
        case O_POW:
            if (!cli_float(a, 0, 10, &fv))
                return cli_usage(S.usage, "--weight-power must be in [0, 10]");
            o.g.weight_power = fv;
            break;
        case O_ALPHA:
            if (!cli_float(a, 1e-9, 10, &fv))
                return cli_usage(S.usage, "--alpha must be in (0, 10]");
            o.g.alpha = fv;
            break;
        case O_BALPHA:
            if (!cli_float(a, 1e-9, 100, &fv))
                return cli_usage(S.usage, "--bias-alpha must be in (0, 100]");
            o.g.bias_alpha = fv;
            break;
        case O_EPO:
            if (!cli_int(a, 1, 100000, &iv))
                return cli_usage(S.usage, "--epochs must be an integer from %lld to %lld",
                        (long long)1, (long long)(100000));
            o.g.epochs = (int)iv;
            break;
        case O_MINC:
            if (!cli_int(a, 1, INT64_MAX, &iv))
                return cli_usage(S.usage, "--min-count must be >= 1");
            o.vocab.min_count = iv;
            break;
        case O_MAXV:
            if (!cli_int(a, 1, INT32_MAX, &iv))
                return cli_usage(S.usage, "--max-vocab must be a positive integer");
            o.vocab.max_size = iv;
            break;
        case O_MEM:
            if (!cli_float(a, 1e-6, 1e6, &fv))
                return cli_usage(S.usage, "--memory must be a positive number of GB");
            o.g.memory = fv * 1073741824.0;
            break;
        case O_VEC:
            if (!strcmp(a, "sum")) o.g.output = 0;
            else if (!strcmp(a, "word")) o.g.output = 1;
            else if (!strcmp(a, "context")) o.g.output = 2;
            else return cli_usage(S.usage, "--vectors: sum, word or context");
            break;
        case O_ASYM: o.g.symmetric = 0; break;
        case O_NODIST: o.g.distance_weighting = 0; break;
        case O_CLIP:
            if (!cli_float(a, 1e-9, 1e30, &fv))
                return cli_usage(S.usage, "--grad-clip must be a number from %g to %g", 1e-9, 1e30);
            o.g.grad_clip = fv;
            break;
        case O_LOWER: o.corpus.lower = 1; break;
        case O_SVOC: o.vocab_out = a; break;
        case O_COOC: o.cooc_out = a; break;
        case O_CKPT: o.g.checkpoint = a; break;
        case O_RESUME: o.g.resume = a; break;
        case O_F16: f16 = 1; break;
        case O_THREADS:
            if (!cli_int(a, 1, 256, &iv)) return cli_usage(S.usage, "--threads must be 1..256");
            o.g.n_threads = (int)iv;
            break;
        case O_SEED:
            if (!cli_int(a, 0, INT64_MAX, &iv))
                return cli_usage(S.usage, "--seed must be a non-negative integer");
            o.g.seed = (uint64_t)iv;
            break;
        case O_QUIET: cli_set_quiet(1); break;
        }
    }
    if (optind != argc - 1) return cli_usage(S.usage, "train glove: expected one CORPUS argument");
    if (!out) return cli_usage(S.usage, "train glove: -o VECS is required");
    lt_format f = fmt ? lt_format_from_name(fmt) : lt_format_from_path(out);
    if (f == LT_FMT_AUTO)
        return cli_usage(S.usage, "cannot tell the output format of '%s'; use --format", out);
    if (f16 && f != LT_FMT_NATIVE)
        return cli_usage(S.usage, "--f16 applies to native (.lvec) output only");
    lt_afile probe;
    if (strcmp(out, "-") && lt_afile_open(&probe, out) != LT_OK) return cli_fail("");
    if (strcmp(out, "-")) lt_afile_abort(&probe);
    prog p = { 0 };
    lt_progress_init(&p.count, NULL, "counting", "tokens", 0);
    lt_progress_init(&p.train, NULL, "training", "records", 0);
    o.g.progress = on_progress;
    o.g.progress_ud = &p;
    double t0 = lt_now();
    lt_vecs *v;
    lt_glove_info info;
    if (lt_glove_train_file(argv[optind], &o, &v, &info) != LT_OK) return cli_fail("train glove");
    lt_progress_end(&p.train, p.train.total);
    if (cli_save_vecs(v, out, f, f16)) return 1;
    if (!cli_quiet())
        fprintf(stderr,
                "latent %s: train glove: %lld words, %lld tokens, %lld co-occurrences (counted in %.1fs, %lld sorted runs spilled to disk), %d epochs in %.1fs, loss %.5g, %.1fs in all -> %s\n",
                LT_VERSION, (long long)info.vocab, (long long)info.tokens, (long long)info.records,
                info.count_seconds, (long long)info.runs, o.g.epochs, info.train_seconds,
                info.final_loss, lt_now() - t0, out);
    return 0;
}
