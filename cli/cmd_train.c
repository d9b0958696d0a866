/* latent train word2vec */
#include "cli.h"
#include <stdlib.h>
#include <string.h>

enum {
    O_OUT = 1,
    O_FMT,
    O_CBOW,
    O_HS,
    O_DIM,
    O_WIN,
    O_NEG,
    O_SAMPLE,
    O_MINC,
    O_MAXV,
    O_EPO,
    O_ALPHA,
    O_LOWER,
    O_MAXTOK,
    O_PLAIN,
    O_EXACT,
    O_NSEXP,
    O_CMG,
    O_WINUP,
    O_EXEP,
    O_THREADS,
    O_SEED,
    O_CKPT,
    O_CKEV,
    O_RESUME,
    O_SVOC,
    O_RVOC,
    O_F16,
    O_QUIET,
    O_STOP,
    O_MINN,
    O_MAXN,
    O_BUCKET
};
static const cli_opt g_train_opts[] = {
    { "output", 'o', "F", O_OUT,
            "output vectors; format from the extension (.lvec .bin .txt .vec .glove .npy .fvecs, + .gz)" },
    { "format", 0, "F", O_FMT,
            "native|w2v-txt|w2v-bin|glove|vec|npy|fvecs (overrides the extension)" },
    { "cbow", 0, NULL, O_CBOW, "CBOW instead of skip-gram" },
    { "hs", 0, NULL, O_HS, "hierarchical softmax (with --negative 0 for HS alone)" },
    { "dim", 0, "N", O_DIM, "dimension [100]" }, { "window", 0, "N", O_WIN, "max window [5]" },
    { "negative", 0, "N", O_NEG, "negative samples [5]" },
    { "sample", 0, "X", O_SAMPLE, "subsampling threshold [1e-3]" },
    { "min-count", 0, "N", O_MINC, "drop rarer words [5]" },
    { "max-vocab", 0, "N", O_MAXV, "keep the N most frequent words [all]" },
    { "epochs", 0, "N", O_EPO, "passes over the corpus [5]" },
    { "alpha", 0, "X", O_ALPHA, "starting learning rate [0.025 skip-gram, 0.05 CBOW]" },
    { "lower", 0, NULL, O_LOWER, "Unicode lowercasing of the corpus" },
    { "max-token", 0, "N", O_MAXTOK, "cut longer tokens (bytes) [100]" },
    { "plain", 0, NULL, O_PLAIN, "word2vec's per-pair updates instead of the batched trainer" },
    { "exact-sigmoid", 0, NULL, O_EXACT, "exact logistic instead of word2vec's table" },
    { "ns-exponent", 0, "X", O_NSEXP, "noise distribution count^X [0.75]" },
    { "cbow-mean-grad", 0, NULL, O_CMG,
            "CBOW: context rows get the gradient of the mean (corrected CBOW)" },
    { "threads", 't', "N", O_THREADS, "[number of CPUs]" }, { "seed", 's', "N", O_SEED, "[1]" },
    { "checkpoint", 0, "F", O_CKPT,
            "write a resumable checkpoint to F (each epoch, or --checkpoint-every)" },
    { "checkpoint-every", 0, "N", O_CKEV, "checkpoint every N words" },
    { "resume", 0, NULL, O_RESUME,
            "continue from --checkpoint F (training options come from the checkpoint)" },
    { "save-vocab", 0, "F", O_SVOC, "write \"word count\" lines" },
    { "read-vocab", 0, "F", O_RVOC, "use a saved vocabulary instead of counting" },
    { "f16", 0, NULL, O_F16, "store native output as half precision" },
    { "quiet", 'q', NULL, O_QUIET, "no progress or summary on stderr" },
    { "stop-after-segments", 0, "N", O_STOP,
            "testing: stop after N checkpoint segments (as if killed)" },
    { 0 }
};
static const cli_spec g_train = { "train word2vec",
    "usage: latent train word2vec CORPUS -o VECS [options]\n"
    "  CORPUS: UTF-8 text, plain or .gz ('-' = stdin, kept in a temporary file for the epochs); newline ends a sentence\n",
    g_train_opts };

static const cli_opt g_ft_opts[] = {
    { "output", 'o', "F", O_OUT,
            "MODEL.bin: a fastText model (fastText and latent read it, any word gets a vector); other\n"
            "                           extensions: the words' vectors (.lvec .txt .vec .glove .npy .fvecs, + .gz)" },
    { "format", 0, "F", O_FMT,
            "native|w2v-txt|w2v-bin|glove|vec|npy|fvecs: write vectors, not a model" },
    { "cbow", 0, NULL, O_CBOW,
            "CBOW: the mean of the context words' rows and n-gram rows predicts the word (fastText's cbow)" },
    { "window-update", 0, NULL, O_WINUP,
            "skip-gram: one update of the centre's rows for its whole window, not fastText's word by word" },
    { "dim", 0, "N", O_DIM, "dimension [100]" }, { "window", 0, "N", O_WIN, "max window [5]" },
    { "negative", 0, "N", O_NEG, "negative samples [5]" },
    { "minn", 0, "N", O_MINN, "shortest character n-gram [3]" },
    { "maxn", 0, "N", O_MAXN, "longest character n-gram [6]" },
    { "bucket", 0, "N", O_BUCKET, "n-gram hash buckets [2000000]" },
    { "sample", 0, "X", O_SAMPLE, "subsampling threshold [1e-4, fastText's -t]" },
    { "min-count", 0, "N", O_MINC, "drop rarer words [5]" },
    { "max-vocab", 0, "N", O_MAXV, "keep the N most frequent words [all]" },
    { "epochs", 0, "N", O_EPO,
            "epochs [5]; as fastText's, an epoch counts every token read (unknown words and line\n"
            "                           ends too), so training runs a little past EPOCHS passes, on from the start" },
    { "exact-epochs", 0, NULL, O_EXEP, "train exactly EPOCHS passes over the known words" },
    { "alpha", 0, "X", O_ALPHA, "starting learning rate [0.05, fastText's -lr]" },
    { "lower", 0, NULL, O_LOWER, "Unicode lowercasing of the corpus" },
    { "max-token", 0, "N", O_MAXTOK, "cut longer tokens (bytes) [100]" },
    { "exact-sigmoid", 0, NULL, O_EXACT, "exact logistic instead of the table" },
    { "ns-exponent", 0, "X", O_NSEXP, "noise distribution count^X [0.5, as fastText]" },
    { "threads", 't', "N", O_THREADS, "[number of CPUs]" }, { "seed", 's', "N", O_SEED, "[1]" },
    { "save-vocab", 0, "F", O_SVOC, "write \"word count\" lines" },
    { "read-vocab", 0, "F", O_RVOC, "use a saved vocabulary instead of counting" },
    { "f16", 0, NULL, O_F16, "store native output as half precision" },
    { "quiet", 'q', NULL, O_QUIET, "no progress or summary on stderr" }, { 0 }
};
static const cli_spec g_ft = { "train fasttext",
    "usage: latent train fasttext CORPUS -o MODEL.bin|VECS [options]\n"
    "  subword skip-gram or CBOW (fastText): a word's input is the mean of its row and its character n-grams' rows;\n"
    "  CORPUS: UTF-8 text, plain or .gz; newline ends a sentence\n",
    g_ft_opts };

int cmd_train(int argc, char **argv) {
    const char *U = g_train.usage;
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs("usage: latent train word2vec|fasttext|glove|deepwalk|node2vec|feather|degree-histogram|autoencoder|cnn|entity ... ('latent train METHOD --help')\n",
                stdout);
        return 0;
    }
    if (argc >= 2 && (!strcmp(argv[1], "deepwalk") || !strcmp(argv[1], "node2vec")))
        return cmd_train_graph(argv[1], argc - 1, argv + 1);
    if (argc >= 2 && (!strcmp(argv[1], "feather") || !strcmp(argv[1], "degree-histogram")))
        return cmd_train_graphs(argv[1], argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "glove")) return cmd_train_glove(argc - 1, argv + 1);
    if (argc >= 2 &&
            (!strcmp(argv[1], "autoencoder") || !strcmp(argv[1], "cnn") ||
                    !strcmp(argv[1], "entity")))
        return cmd_train_nn(argv[1], argc - 1, argv + 1);
    int ft = argc >= 2 && !strcmp(argv[1], "fasttext");
    if (argc < 2 || (strcmp(argv[1], "word2vec") && !ft))
        return cli_usage(U,
                "train: expected a method ('word2vec', 'fasttext', 'glove', 'deepwalk', 'node2vec', 'feather', 'degree-histogram', 'autoencoder', 'cnn' or 'entity')");
    const cli_spec *SP = ft ? &g_ft : &g_train;
    if (ft) U = g_ft.usage;
    argc--;
    argv++;
    lt_w2v_opts o;
    if (ft) lt_fasttext_opts_init(&o); /* fastText's defaults, from the library */
    else lt_w2v_opts_init(&o);
    o.sg.n_threads = lt_cpu_count();
    const char *out = NULL, *fmt = NULL, *optarg_ = NULL, *fixed = NULL;
    int f16 = 0, c;
    long long iv;
    double fv;
    optind = 1;
    while ((c = cli_getopt(argc, argv, SP, &optarg_)) != CLI_END) {
        const char *optarg = optarg_;
        switch (c) {
        case CLI_HELP:
        case CLI_ERROR: return CLI_DONE(c);
        case O_OUT: out = optarg; break;
        case O_THREADS:
            if (!cli_int(optarg, 1, 256, &iv)) return cli_usage(U, "--threads must be 1..256");
            o.sg.n_threads = (int)iv;
            fixed = "--threads";
            break;
        case O_SEED:
            if (!cli_int(optarg, 0, INT64_MAX, &iv))
                return cli_usage(U, "--seed must be a non-negative integer");
            o.sg.seed = (uint64_t)iv;
            fixed = "--seed";
            break;
        case O_QUIET: cli_set_quiet(1); break;
        case O_CBOW:
            o.sg.cbow = 1;
            fixed = "--cbow";
            break;
        case O_HS:
            o.sg.hs = 1;
            fixed = "--hs";
            break;
        case O_DIM:
            if (!cli_int(optarg, 1, 100000, &iv)) return cli_usage(U, "--dim must be 1..100000");
            o.sg.dim = (int)iv;
            fixed = "--dim";
            break;
        case O_WIN:
            if (!cli_int(optarg, 1, 1000, &iv)) return cli_usage(U, "--window must be 1..1000");
            o.sg.window = (int)iv;
            fixed = "--window";
            break;
        case O_NEG:
            if (!cli_int(optarg, 0, 1000, &iv)) return cli_usage(U, "--negative must be 0..1000");
            o.sg.negative = (int)iv;
            fixed = "--negative";
            break;
        case O_SAMPLE:
            if (!cli_float(optarg, 0, 1, &fv)) return cli_usage(U, "--sample must be in [0, 1]");
            o.sg.sample = (float)fv;
            fixed = "--sample";
            break;
        case O_MINC:
            if (!cli_int(optarg, 1, INT64_MAX, &iv))
                return cli_usage(U, "--min-count must be >= 1");
            o.vocab.min_count = iv;
            fixed = "--min-count";
            break;
        case O_MAXV:
            if (!cli_int(optarg, 1, INT32_MAX, &iv))
                return cli_usage(U, "--max-vocab must be a positive integer");
            o.vocab.max_size = iv;
            fixed = "--max-vocab";
            break;
        case O_EPO:
            if (!cli_int(optarg, 1, 100000, &iv))
                return cli_usage(U, "--epochs must be an integer from %lld to %lld", (long long)1,
                        (long long)(100000));
            o.sg.epochs = (int)iv;
            fixed = "--epochs";
            break;
        case O_ALPHA:
            if (!cli_float(optarg, 1e-9, 1, &fv)) return cli_usage(U, "--alpha must be in (0, 1]");
            o.sg.alpha = (float)fv;
            fixed = "--alpha";
            break;
        case O_LOWER: o.corpus.lower = 1; break;
        case O_MAXTOK:
            if (!cli_int(optarg, 8, 1 << 20, &iv))
                return cli_usage(U, "--max-token must be 8..1048576");
            o.corpus.max_token_bytes = (size_t)iv;
            break;
        case O_PLAIN:
            o.sg.batched = 0;
            fixed = "--plain";
            break;
        case O_EXACT:
            o.sg.exact_sigmoid = 1;
            fixed = "--exact-sigmoid";
            break;
        case O_CKPT: o.checkpoint = optarg; break;
        case O_CKEV:
            if (!cli_int(optarg, 1, INT64_MAX, &iv))
                return cli_usage(U, "--checkpoint-every must be a positive integer");
            o.sg.checkpoint_every = iv;
            fixed = "--checkpoint-every";
            break;
        case O_RESUME: o.resume = 1; break;
        case O_SVOC: o.vocab_out = optarg; break;
        case O_RVOC: o.vocab_in = optarg; break;
        case O_F16: f16 = 1; break;
        case O_FMT: fmt = optarg; break;
        case O_NSEXP:
            if (!cli_float(optarg, -2, 2, &fv))
                return cli_usage(U, "--ns-exponent must be in [-2, 2]");
            o.sg.ns_exponent = (float)fv;
            fixed = "--ns-exponent";
            break;
        case O_WINUP: o.sg.subword_window = 1; break;
        case O_EXEP: o.exact_epochs = 1; break;
        case O_CMG:
            o.sg.cbow_mean_grad = 1;
            fixed = "--cbow-mean-grad";
            break;
        case O_STOP:
            if (!cli_int(optarg, 1, INT64_MAX, &iv))
                return cli_usage(U, "bad --stop-after-segments");
            o.sg.stop_after_segments = iv;
            break;
        case O_MINN:
            if (!cli_int(optarg, 1, 100, &iv)) return cli_usage(U, "--minn must be 1..100");
            o.minn = (int)iv;
            break;
        case O_MAXN:
            if (!cli_int(optarg, 1, 100, &iv)) return cli_usage(U, "--maxn must be 1..100");
            o.maxn = (int)iv;
            break;
        case O_BUCKET:
            if (!cli_int(optarg, 1, 100000000, &iv))
                return cli_usage(U, "--bucket must be 1..100000000");
            o.bucket = iv;
            break;
        }
    }
    if (o.resume && fixed)
        return cli_usage(U,
                "%s cannot change a resumed run: its training options come from the checkpoint",
                fixed);
    if (o.resume && (o.vocab_in || o.vocab_out))
        return cli_usage(U,
                "--resume takes the vocabulary from the checkpoint: no --read-vocab/--save-vocab");
    const char *what = ft ? "train fasttext" : "train word2vec";
    if (optind != argc - 1) return cli_usage(U, "%s: expected one CORPUS argument", what);
    if (!out) return cli_usage(U, "%s: -o %s is required", what, ft ? "MODEL.bin or VECS" : "VECS");
    size_t ol = strlen(out);
    int model = ft && !fmt && ol > 4 &&
            !strcmp(out + ol - 4, ".bin"); /* a fastText model, not word2vec binary */
    lt_format f = model ? LT_FMT_NATIVE : fmt ? lt_format_from_name(fmt) : lt_format_from_path(out);
    if (f == LT_FMT_AUTO)
        return cli_usage(U, "cannot tell the output format of '%s'; use --format", out);
    if (f16 && (model || f != LT_FMT_NATIVE))
        return cli_usage(U, "--f16 applies to native (.lvec) output only");
    if (o.sg.checkpoint_every && !o.checkpoint)
        return cli_usage(U, "--checkpoint-every needs --checkpoint F");
    if (o.resume && !o.checkpoint) return cli_usage(U, "--resume needs --checkpoint FILE");
    if (ft && o.minn > o.maxn) return cli_usage(U, "--minn must not exceed --maxn");
    if (model) o.model_out = out;
    const char *corpus = argv[optind];
    /* check the output is writable before hours of training */
    lt_afile probe;
    if (strcmp(out, "-") && lt_afile_open(&probe, out) != LT_OK) return cli_fail("");
    if (strcmp(out, "-")) lt_afile_abort(&probe);
    double t0 = lt_now();
    lt_vecs *v;
    if (lt_w2v_train(corpus, &o, &v) != LT_OK) return cli_fail(what);
    lt_w2v_info info = lt_w2v_last_info();
    if (info.truncated)
        fprintf(stderr, "latent: warning: %lld tokens longer than %zu bytes were cut\n",
                (long long)info.truncated, o.corpus.max_token_bytes);
    if (info.invalid_utf8)
        fprintf(stderr, "latent: warning: %lld invalid UTF-8 bytes were replaced by U+FFFD\n",
                (long long)info.invalid_utf8);
    if (model) lt_vecs_free(v);
    else if (cli_save_vecs(v, out, f, f16)) return 1;
    if (!cli_quiet())
        fprintf(stderr,
                "latent %s: %s: %lld words, %lld tokens, %.0f words/s, %.1fs, kernel %s -> %s\n",
                LT_VERSION, what, (long long)info.vocab, (long long)info.tokens, info.words_per_sec,
                lt_now() - t0, lt_kern()->name, out);
    return 0;
}

int cmd_vocab(int argc, char **argv) {
    static const cli_opt opts[] = { { "output", 'o', "F", O_OUT, "write here [stdout]" },
        { "min-count", 0, "N", O_MINC, "drop rarer words [5]" },
        { "max-vocab", 0, "N", O_MAXV, "keep the N most frequent words [all]" },
        { "lower", 0, NULL, O_LOWER, "Unicode lowercasing" },
        { "max-token", 0, "N", O_MAXTOK, "cut longer tokens (bytes) [100]" }, { 0 } };
    static const cli_spec S = { "vocab",
        "usage: latent vocab CORPUS [options]\n"
        "  prints \"word count\" lines, most frequent first (the format --read-vocab takes)\n",
        opts };
    const char *UV = S.usage;
    lt_corpus_opts co;
    lt_corpus_opts_init(&co);
    lt_vocab_opts vo;
    lt_vocab_opts_init(&vo);
    const char *out = "-", *a;
    int c;
    long long iv;
    optind = 1;
    while ((c = cli_getopt(argc, argv, &S, &a)) != CLI_END) {
        switch (c) {
        case CLI_HELP:
        case CLI_ERROR: return CLI_DONE(c);
        case O_OUT: out = a; break;
        case O_MINC:
            if (!cli_int(a, 1, INT64_MAX, &iv)) return cli_usage(UV, "bad --min-count");
            vo.min_count = iv;
            break;
        case O_MAXV:
            if (!cli_int(a, 1, INT32_MAX, &iv)) return cli_usage(UV, "bad --max-vocab");
            vo.max_size = iv;
            break;
        case O_LOWER: co.lower = 1; break;
        case O_MAXTOK:
            if (!cli_int(a, 8, 1 << 20, &iv))
                return cli_usage(UV, "--max-token must be 8..1048576");
            co.max_token_bytes = (size_t)iv;
            break;
        }
    }
    if (optind != argc - 1) return cli_usage(UV, "vocab: expected one CORPUS argument");
    lt_corpus *cp;
    if (lt_corpus_open(&cp, argv[optind], &co)) return cli_fail("");
    lt_vocab *v = lt_vocab_new();
    int rc = v ? lt_vocab_build(v, cp, &vo) : LT_ENOMEM;
    lt_corpus_close(cp);
    if (rc == LT_OK) rc = lt_vocab_save(v, out);
    lt_vocab_free(v);
    return rc ? cli_fail("vocab") : 0;
}
