/* latent train word2vec */
#include "cli.h"
#include <stdlib.h>
#include <string.h>

static const char *U =
    "usage: latent train word2vec CORPUS -o VECS [options]\n"
    "  CORPUS            UTF-8 text, plain or .gz ('-' = stdin); newline ends a sentence\n"
    "  -o, --output F    output vectors; format from the extension (.lvec .bin .txt .vec .glove .npy .fvecs)\n"
    "      --format F    native|w2v-txt|w2v-bin|glove|vec|npy|fvecs (overrides the extension)\n"
    "      --cbow        CBOW instead of skip-gram\n"
    "      --hs          hierarchical softmax (with --negative 0 for HS alone)\n"
    "      --dim N       dimension [100]\n"
    "      --window N    max window [5]\n"
    "      --negative N  negative samples [5]\n"
    "      --sample X    subsampling threshold [1e-3]\n"
    "      --min-count N drop rarer words [5]\n"
    "      --max-vocab N keep the N most frequent words [all]\n"
    "      --epochs N    [5]\n"
    "      --alpha X     starting learning rate [0.025 skip-gram, 0.05 CBOW]\n"
    "      --lower       Unicode lowercasing of the corpus\n"
    "      --max-token N cut longer tokens (bytes) [100]\n"
    "      --plain       word2vec's per-pair updates instead of the batched trainer\n"
    "      --exact-sigmoid exact logistic instead of word2vec's table\n"
    "      --ns-exponent X  noise distribution count^X [0.75]\n"
    "      --cbow-mean-grad CBOW: context rows get the gradient of the mean (corrected CBOW)\n"
    "  -t, --threads N   [number of CPUs]\n"
    "  -s, --seed N      [1]\n"
    "      --checkpoint F write a resumable checkpoint to F (each epoch, or see below)\n"
    "      --checkpoint-every N  checkpoint every N words\n"
    "      --resume      continue from --checkpoint F (options come from the checkpoint)\n"
    "      --save-vocab F  write \"word count\" lines\n"
    "      --read-vocab F  use a saved vocabulary instead of counting\n"
    "      --f16         store native output as half precision\n"
    "  -q, --quiet       no progress or summary on stderr\n";

int cmd_train(int argc, char **argv) {
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) { fputs(U, stdout); return 0; }
    if (argc < 2 || strcmp(argv[1], "word2vec")) return cli_usage(U, "train: expected a method ('word2vec')");
    argc--; argv++;
    lt_w2v_opts o;
    lt_w2v_opts_init(&o);
    o.sg.n_threads = lt_cpu_count();
    const char *out = NULL, *fmt = NULL;
    int f16 = 0;
    enum { CBOW = 256, HS, DIM, WIN, NEG, SAMPLE, MINC, MAXV, EPO, ALPHA, LOWER, MAXTOK, PLAIN, EXACT, CKPT, CKEV, RESUME, SVOC, RVOC, F16, FMT, STOP, NSEXP, CMG };
    static const struct option lo[] = {
        {"output", 1, 0, 'o'}, {"threads", 1, 0, 't'}, {"seed", 1, 0, 's'}, {"quiet", 0, 0, 'q'}, {"help", 0, 0, 'h'},
        {"cbow", 0, 0, CBOW}, {"hs", 0, 0, HS}, {"dim", 1, 0, DIM}, {"window", 1, 0, WIN}, {"negative", 1, 0, NEG},
        {"sample", 1, 0, SAMPLE}, {"min-count", 1, 0, MINC}, {"max-vocab", 1, 0, MAXV}, {"epochs", 1, 0, EPO}, {"iter", 1, 0, EPO},
        {"alpha", 1, 0, ALPHA}, {"lower", 0, 0, LOWER}, {"max-token", 1, 0, MAXTOK}, {"plain", 0, 0, PLAIN},
        {"exact-sigmoid", 0, 0, EXACT}, {"checkpoint", 1, 0, CKPT}, {"checkpoint-every", 1, 0, CKEV}, {"resume", 0, 0, RESUME},
        {"save-vocab", 1, 0, SVOC}, {"read-vocab", 1, 0, RVOC}, {"f16", 0, 0, F16}, {"format", 1, 0, FMT},
        {"stop-after-segments", 1, 0, STOP}, {"ns-exponent", 1, 0, NSEXP}, {"cbow-mean-grad", 0, 0, CMG}, {0, 0, 0, 0}};
    int c;
    long long iv;
    double fv;
    while ((c = getopt_long(argc, argv, "o:t:s:qh", lo, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 't': if (!cli_int(optarg, 1, 256, &iv)) return cli_usage(U, "--threads must be 1..256"); o.sg.n_threads = (int)iv; break;
        case 's': if (!cli_int(optarg, 0, INT64_MAX, &iv)) return cli_usage(U, "--seed must be a non-negative integer"); o.sg.seed = (uint64_t)iv; break;
        case 'q': o.sg.quiet = 1; break;
        case 'h': fputs(U, stdout); return 0;
        case CBOW: o.sg.cbow = 1; break;
        case HS: o.sg.hs = 1; break;
        case DIM: if (!cli_int(optarg, 1, 100000, &iv)) return cli_usage(U, "--dim must be 1..100000"); o.sg.dim = (int)iv; break;
        case WIN: if (!cli_int(optarg, 1, 1000, &iv)) return cli_usage(U, "--window must be 1..1000"); o.sg.window = (int)iv; break;
        case NEG: if (!cli_int(optarg, 0, 1000, &iv)) return cli_usage(U, "--negative must be 0..1000"); o.sg.negative = (int)iv; break;
        case SAMPLE: if (!cli_float(optarg, 0, 1, &fv)) return cli_usage(U, "--sample must be in [0, 1]"); o.sg.sample = (float)fv; break;
        case MINC: if (!cli_int(optarg, 1, INT64_MAX, &iv)) return cli_usage(U, "--min-count must be >= 1"); o.vocab.min_count = iv; break;
        case MAXV: if (!cli_int(optarg, 1, INT32_MAX, &iv)) return cli_usage(U, "--max-vocab must be positive"); o.vocab.max_size = iv; break;
        case EPO: if (!cli_int(optarg, 1, 100000, &iv)) return cli_usage(U, "--epochs must be positive"); o.sg.epochs = (int)iv; break;
        case ALPHA: if (!cli_float(optarg, 1e-9, 10, &fv)) return cli_usage(U, "--alpha must be positive"); o.sg.alpha = (float)fv; break;
        case LOWER: o.corpus.lower = 1; break;
        case MAXTOK: if (!cli_int(optarg, 8, 1 << 20, &iv)) return cli_usage(U, "--max-token must be 8..1048576"); o.corpus.max_token_bytes = (size_t)iv; break;
        case PLAIN: o.sg.batched = 0; break;
        case EXACT: o.sg.exact_sigmoid = 1; break;
        case CKPT: o.checkpoint = optarg; break;
        case CKEV: if (!cli_int(optarg, 1, INT64_MAX, &iv)) return cli_usage(U, "--checkpoint-every must be positive"); o.sg.checkpoint_every = iv; break;
        case RESUME: o.resume = 1; break;
        case SVOC: o.vocab_out = optarg; break;
        case RVOC: o.vocab_in = optarg; break;
        case F16: f16 = 1; break;
        case FMT: fmt = optarg; break;
        case NSEXP: if (!cli_float(optarg, -2, 2, &fv)) return cli_usage(U, "--ns-exponent must be in [-2, 2]"); o.sg.ns_exponent = (float)fv; break;
        case CMG: o.sg.cbow_mean_grad = 1; break;
        case STOP: if (!cli_int(optarg, 1, INT64_MAX, &iv)) return cli_usage(U, "bad --stop-after-segments"); o.sg.stop_after_segments = iv; break;
        default: return cli_usage(U, "train: bad option");
        }
    }
    if (optind != argc - 1) return cli_usage(U, "train word2vec: expected one CORPUS argument");
    if (!out) return cli_usage(U, "train word2vec: -o VECS is required");
    lt_format f = fmt ? lt_format_from_name(fmt) : lt_format_from_path(out);
    if (f == LT_FMT_AUTO) return cli_usage(U, "cannot tell the output format of '%s'; use --format", out);
    if (o.resume && !o.checkpoint) return cli_usage(U, "--resume needs --checkpoint FILE");
    const char *corpus = argv[optind];
    /* check the output is writable before hours of training */
    lt_afile probe;
    if (strcmp(out, "-") && lt_afile_open(&probe, out) != LT_OK) return cli_fail("");
    if (strcmp(out, "-")) lt_afile_abort(&probe);
    double t0 = lt_now();
    lt_vecs *v;
    if (lt_w2v_train(corpus, &o, &v) != LT_OK) return cli_fail("train word2vec");
    lt_w2v_info info = lt_w2v_last_info();
    if (info.truncated) fprintf(stderr, "latent: warning: %lld tokens longer than %zu bytes were cut\n", (long long)info.truncated, o.corpus.max_token_bytes);
    if (info.invalid_utf8) fprintf(stderr, "latent: warning: %lld invalid UTF-8 bytes were replaced by U+FFFD\n", (long long)info.invalid_utf8);
    lt_save_opts so;
    lt_save_opts_init(&so);
    so.f16 = f16;
    int rc = lt_vecs_save(v, out, f, &so);
    lt_vecs_free(v);
    if (rc) return cli_fail("");
    if (!o.sg.quiet)
        fprintf(stderr, "latent %s: train word2vec: %lld words, %lld tokens, %.0f words/s, %.1fs, kernel %s -> %s\n", LT_VERSION,
                (long long)info.vocab, (long long)info.tokens, info.words_per_sec, lt_now() - t0, lt_kern()->name, out);
    return 0;
}

int cmd_vocab(int argc, char **argv) {
    static const char *UV = "usage: latent vocab CORPUS [-o VOCAB] [--min-count N] [--max-vocab N] [--lower]\n"
                            "  prints \"word count\" lines, most frequent first [--min-count 5]\n";
    lt_corpus_opts co;
    lt_corpus_opts_init(&co);
    lt_vocab_opts vo;
    lt_vocab_opts_init(&vo);
    const char *out = "-";
    static const struct option lo[] = {{"output", 1, 0, 'o'}, {"min-count", 1, 0, 'm'}, {"max-vocab", 1, 0, 'x'},
                                       {"lower", 0, 0, 'l'}, {"help", 0, 0, 'h'}, {"quiet", 0, 0, 'q'}, {0, 0, 0, 0}};
    int c;
    long long iv;
    while ((c = getopt_long(argc, argv, "o:hq", lo, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'm': if (!cli_int(optarg, 1, INT64_MAX, &iv)) return cli_usage(UV, "bad --min-count"); vo.min_count = iv; break;
        case 'x': if (!cli_int(optarg, 1, INT32_MAX, &iv)) return cli_usage(UV, "bad --max-vocab"); vo.max_size = iv; break;
        case 'l': co.lower = 1; break;
        case 'q': break;
        case 'h': fputs(UV, stdout); return 0;
        default: return cli_usage(UV, "vocab: bad option");
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
