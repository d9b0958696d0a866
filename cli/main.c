/* latent command-line tool: git-style subcommands. */
#include "cli.h"
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const cmd g_cmds[] = {
    { "train", cmd_train,
            "train embeddings (word2vec, fasttext, glove, deepwalk, node2vec, feather, degree-histogram, autoencoder, cnn, entity)" },
    { "graph", cmd_graph, "describe an edge list, or split it for link prediction (info, split)" },
    { "convert", cmd_convert, "convert vectors between formats" },
    { "similar", cmd_similar, "nearest neighbours of words" },
    { "analogy", cmd_analogy, "a : b :: c : ? (3CosAdd or 3CosMul)" },
    { "similarity", cmd_similarity, "cosine similarity of word pairs" },
    { "doesnt-match", cmd_doesnt_match, "the word that does not belong with the others" },
    { "vector", cmd_vector, "print the vector of words" },
    { "info", cmd_info, "shape, format and metadata of a vector file or model" },
    { "eval", cmd_eval,
            "evaluate vectors (analogy, similarity, recall, nodes, links, graphs, probe)" },
    { "vocab", cmd_vocab, "count the vocabulary of a corpus" },
    { "index", cmd_index,
            "build, grow, shrink and inspect HNSW indexes (build, add, delete, info)" },
    { "search", cmd_search, "k nearest neighbours: HNSW index or exact over vectors" },
    { "embed", cmd_embed, "embeddings of texts or images with a model folder" },
    { "tokenize", cmd_tokenize, "token ids (and offsets) of any tokenizer.json" },
    { "rerank", cmd_rerank, "score documents against a query with a cross-encoder" },
    { "classify", cmd_classify, "zero-shot image classification with a CLIP folder" },
    { "serve", cmd_serve, "embedding, reranking and search over HTTP (TEI's and OpenAI's routes)" },
    { "fit", cmd_fit,
            "fit an encoder model (pca, rff, nystroem, kpca; onehot, ordinal, hash on tables)" },
    { "encode", cmd_encode, "apply a fitted model to rows" },
    { "map", cmd_map, "2-D map of rows (t-SNE, UMAP, PCA)" },
    { "plot", cmd_plot, "picture of a 2-D map or of two table columns (PNG, SVG)" },
    { "report", cmd_report,
            "measured qualities of a representation (neighbourhoods, redundancy, dimension)" },
};

#include <sys/stat.h>
#include <unistd.h>
int cli_is_dir(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int g_quiet;
int cli_quiet(void) { return g_quiet; }
void cli_set_quiet(int q) {
    g_quiet = q;
    if (q)
        lt_set_progress(NULL, NULL); /* -q: no events at all (a trainer then skips its loss sums) */
}

/* The terminal progress line: the library reports events (lt_set_progress); the CLI draws them
 * on stderr when it is a terminal and the command was not given -q. */
static void fmt_rate(char *b, size_t n, double r) {
    if (r >= 1e6) snprintf(b, n, "%.2fM", r / 1e6);
    else if (r >= 1e3) snprintf(b, n, "%.1fk", r / 1e3);
    else snprintf(b, n, "%.0f", r);
}
static int draw_progress(const lt_progress_info *p, void *ud) {
    static int tty = -1;
    if (tty < 0) tty = isatty(fileno(stderr));
    if (!tty || g_quiet) return 0;
    char rb[32];
    fmt_rate(rb, sizeof rb, p->elapsed > 0 ? p->done / p->elapsed : 0);
    if (p->final) {
        fprintf(stderr, "\r%s: done, %.0f %s in %.1fs (%s %s/s)\033[K\n", p->what, p->done, p->unit,
                p->elapsed, rb, p->unit);
        return 0;
    }
    if (p->total > 0) {
        double rate = p->elapsed > 0 ? p->done / p->elapsed : 0;
        double pct = 100.0 * p->done / p->total, eta = rate > 0 ? (p->total - p->done) / rate : 0;
        fprintf(stderr, "\r%s: %5.1f%%  %s %s/s  ETA %02d:%02d", p->what, pct, rb, p->unit,
                (int)(eta / 60), (int)eta % 60);
    } else {
        fprintf(stderr, "\r%s: %.0f %s  %s %s/s", p->what, p->done, p->unit, rb, p->unit);
    }
    if (p->loss >= 0) fprintf(stderr, "  loss %.4f", p->loss);
    fprintf(stderr, "\033[K");
    fflush(stderr);
    return 0;
}

static void usage(FILE *f) {
    fprintf(f,
            "latent %s: embeddings in C\n\nusage: latent <command> [options] args\n\ncommands:\n",
            LT_VERSION);
    for (size_t i = 0; i < sizeof g_cmds / sizeof g_cmds[0]; i++)
        fprintf(f, "  %-13s %s\n", g_cmds[i].name, g_cmds[i].summary);
    fprintf(f,
            "\n'latent help <command>' or 'latent <command> --help' describes a command. Data goes to stdout or -o; logs to stderr.\n"
            "Environment: LATENT_KERNEL=ref|avx2|avx512 forces a kernel path.\n");
}

int cli_save_vecs(lt_vecs *v, const char *out, lt_format f, int f16) {
    lt_save_opts so;
    lt_save_opts_init(&so);
    so.f16 = f16;
    int rc = lt_vecs_save(v, out, f, &so);
    lt_vecs_free(v);
    return rc ? cli_fail("") : 0;
}

int cli_fail(const char *what) {
    fprintf(stderr, "latent: %s%s%s\n", what ? what : "", what && *what ? ": " : "", lt_errmsg());
    return 1;
}
int cli_usage(const char *u, const char *fmt, ...) {
    va_list ap;
    fprintf(stderr, "latent: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n%s", u);
    return 2;
}
int cli_int(const char *s, long long lo, long long hi, long long *out) {
    char *e;
    long long v = strtoll(s, &e, 10);
    if (!*s || *e || v < lo || v > hi) return 0;
    *out = v;
    return 1;
}
int cli_float(const char *s, double lo, double hi, double *out) {
    char *e;
    double v = strtod(s, &e);
    if (!*s || *e || !(v >= lo && v <= hi)) return 0;
    *out = v;
    return 1;
}
int cli_load(const char *path, const char *fmt, lt_vecs **out) {
    lt_format f = LT_FMT_AUTO;
    if (fmt && (f = lt_format_from_name(fmt)) == LT_FMT_AUTO) {
        fprintf(stderr, "latent: unknown format '%s'\n", fmt);
        return 2;
    }
    if (lt_vecs_load(path, f, out) != LT_OK) return cli_fail("");
    return 0;
}
int64_t cli_lookup(const lt_vecs *v, const char *w) {
    int64_t i = lt_vecs_find(v, w);
    if (i < 0) fprintf(stderr, "latent: '%s' is not in the vectors\n", w);
    return i;
}

int cli_word_vec_silent(const lt_vecs *v, const char *w, float *out, int64_t *id) {
    *id = lt_vecs_find(v, w);
    if (*id >= 0) {
        memcpy(out, lt_vecs_row(v, *id), (size_t)v->d * 4);
        return 0;
    }
    return lt_vecs_subword(v, w, out) >= 0 ? 0 : -1;
}
int cli_word_vec(const lt_vecs *v, const char *w, float *out, int64_t *id) {
    if (!cli_word_vec_silent(v, w, out, id)) return 0;
    fprintf(stderr, "latent: '%s' is not in the vectors\n", w);
    return -1;
}

static void log_cb(int level, const char *msg, void *ud) {
    (void)ud;
    if (level && g_quiet) return; /* -q: warnings off (errors come back as statuses) */
    fprintf(stderr, "latent: %s%s\n", level ? "warning: " : "", msg);
}

int main(int argc, char **argv) {
    lt_set_log(log_cb, NULL);
    if (isatty(fileno(stderr))) lt_set_progress(draw_progress, NULL);
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "help") &&
            argc >= 3) { /* latent help CMD [SUB] == latent CMD [SUB] --help */
        char *hv[4] = { argv[2], argc >= 4 ? argv[3] : "--help", "--help", NULL };
        for (size_t i = 0; i < sizeof g_cmds / sizeof g_cmds[0]; i++)
            if (!strcmp(argv[2], g_cmds[i].name)) {
                optind = 1;
                return g_cmds[i].fn(argc >= 4 ? 3 : 2, hv);
            }
        fprintf(stderr, "latent: unknown command '%s'\n", argv[2]);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
        printf("latent %s (kernel %s)\n", LT_VERSION, lt_kern()->name);
        return 0;
    }
    for (size_t i = 0; i < sizeof g_cmds / sizeof g_cmds[0]; i++)
        if (!strcmp(argv[1], g_cmds[i].name)) {
            optind = 1;
            int rc = g_cmds[i].fn(argc - 1, argv + 1);
            /* data written to stdout must have reached it (a full disk, a closed pipe) */
            if ((fflush(stdout) != 0 || ferror(stdout)) && rc == 0) {
                fprintf(stderr, "latent: %s: writing to stdout failed: %s\n", argv[1],
                        strerror(errno));
                rc = 1;
            }
            return rc;
        }
    fprintf(stderr, "latent: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return 2;
}
