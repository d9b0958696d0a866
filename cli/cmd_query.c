/* latent convert / similar / analogy / similarity / doesnt-match / vector / info / eval */
#include "cli.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum {
    O_FROM = 1,
    O_TO,
    O_F16,
    O_PREC,
    O_ENC,
    O_OOV,
    O_K,
    O_NEG,
    O_RESTRICT,
    O_INDEX,
    O_EF,
    O_QUERIES,
    O_JSON,
    O_MUL,
    O_RATIO,
    O_REPEATS,
    O_SEED,
    O_THREADS,
    O_C,
    O_TRAINLIST,
    O_OP,
    O_FOLDS,
    O_CLF,
    O_GAMMA
};
#define OPT_FROM \
    { \
        "from", 0, "F", O_FROM, \
                "input format (native w2v-txt w2v-bin glove vec npy fvecs) [from the name]" \
    }
#define OPT_JSON \
    { "json", 0, NULL, O_JSON, "JSON output (one object per query or result)" }
#define OPT_K \
    { "k", 'k', "N", O_K, "neighbours [10]" }
#define OPT_INDEX \
    { "index", 0, "INDEX", O_INDEX, "answer through a cosine HNSW index built from VECS" }
#define OPT_EF \
    { "ef", 0, "N", O_EF, "HNSW search breadth with --index [64]" }

typedef struct {
    const char *from, *to, *index, *queries, *encoding;
    int k, json, mul, f16, prec, prec_set, ef, n_neg, oov;
    long long restrict_n;
    const char *neg[64];
    lt_node_eval_opts ne;
    lt_link_op op;
    int folds, n_C;
    double Cs[LT_MAX_C];
    lt_classifier clf;
    double gamma;
    lt_hnsw *hidx; /* --index, loaded and checked against VECS once (open_index) */
} qopts;

/* Parses argv with `spec`; returns -1 to go on, else the exit code. */
static int parse(int argc, char **argv, const cli_spec *spec, qopts *q) {
    const char *a;
    long long iv;
    int c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, spec, &a)) != CLI_END) {
        switch (c) {
        case CLI_HELP:
        case CLI_ERROR: return CLI_DONE(c);
        case O_FROM:
            if (lt_format_from_name(a) == LT_FMT_AUTO)
                return cli_usage(spec->usage, "unknown format '%s'", a);
            q->from = a;
            break;
        case O_TO:
            if (lt_format_from_name(a) == LT_FMT_AUTO)
                return cli_usage(spec->usage, "unknown format '%s'", a);
            q->to = a;
            break;
        case O_F16: q->f16 = 1; break;
        case O_ENC: q->encoding = a; break;
        case O_PREC:
            if (!cli_int(a, 1, 17, &iv)) return cli_usage(spec->usage, "--precision must be 1..17");
            q->prec = (int)iv;
            q->prec_set = 1;
            break;
        case O_K:
            if (!cli_int(a, 1, 1000000, &iv))
                return cli_usage(spec->usage, "-k must be 1..1000000");
            q->k = (int)iv;
            break;
        case O_NEG:
            if (q->n_neg == 64) return cli_usage(spec->usage, "at most 64 --negative words");
            q->neg[q->n_neg++] = a;
            break;
        case O_RESTRICT:
            if (!cli_int(a, 0, INT64_MAX, &iv))
                return cli_usage(spec->usage, "--restrict must be >= 0");
            q->restrict_n = iv;
            break;
        case O_INDEX: q->index = a; break;
        case O_EF:
            if (!cli_int(a, 1, 1000000, &iv))
                return cli_usage(spec->usage, "--ef must be an integer from %lld to %lld",
                        (long long)1, (long long)(1000000));
            q->ef = (int)iv;
            break;
        case O_QUERIES: q->queries = a; break;
        case O_JSON: q->json = 1; break;
        case O_MUL: q->mul = 1; break;
        case O_OOV: q->oov = 1; break;
        case O_RATIO: {
            double f;
            if (!cli_float(a, 1e-6, 1 - 1e-6, &f))
                return cli_usage(spec->usage, "--train-ratio must be in (0, 1)");
            q->ne.train_ratio = f;
            break;
        }
        case O_REPEATS:
            if (!cli_int(a, 1, 10000, &iv))
                return cli_usage(spec->usage, "--repeats must be 1..10000");
            q->ne.repeats = (int)iv;
            break;
        case O_SEED:
            if (!cli_int(a, 0, INT64_MAX, &iv))
                return cli_usage(spec->usage, "--seed must be a non-negative integer");
            q->ne.seed = (uint64_t)iv;
            break;
        case O_THREADS:
            if (!cli_int(a, 1, 256, &iv)) return cli_usage(spec->usage, "--threads must be 1..256");
            q->ne.n_threads = (int)iv;
            break;
        case O_C: { /* one value, or a comma-separated list where the command chooses among them */
            q->n_C = 0;
            for (const char *p = a; *p && q->n_C <= LT_MAX_C; p += *p == ',') {
                char buf[64];
                size_t l = strcspn(p, ",");
                double f;
                if (l == 0 || l >= sizeof buf || q->n_C == LT_MAX_C)
                    return cli_usage(spec->usage,
                            "--C: at most %d positive values, comma-separated", LT_MAX_C);
                memcpy(buf, p, l);
                buf[l] = 0;
                if (!cli_float(buf, 1e-9, 1e9, &f))
                    return cli_usage(
                            spec->usage, "--C must be a number from 1e-09 to 1e+09 ('%s')", buf);
                q->Cs[q->n_C++] = f;
                p += l;
            }
            q->ne.C = q->Cs[0];
            break;
        }
        case O_CLF:
            if (!strcmp(a, "logreg")) q->clf = LT_CLF_LOGREG;
            else if (!strcmp(a, "svm")) q->clf = LT_CLF_SVM;
            else return cli_usage(spec->usage, "--classifier must be logreg or svm");
            break;
        case O_GAMMA: {
            double f;
            if (!strcmp(a, "scale")) q->gamma = 0;
            else if (!cli_float(a, 1e-12, 1e12, &f))
                return cli_usage(spec->usage, "--gamma must be 'scale' or a positive number");
            else q->gamma = f;
            break;
        }
        case O_TRAINLIST: q->ne.train_list = a; break;
        case O_FOLDS:
            if (!cli_int(a, 2, 1000, &iv)) return cli_usage(spec->usage, "--folds must be 2..1000");
            q->folds = (int)iv;
            break;
        case O_OP:
            if (lt_link_op_from_name(a, &q->op)) return cli_usage(spec->usage, "%s", lt_errmsg());
            break;
        }
    }
    return -1;
}
static void qinit(qopts *q) {
    memset(q, 0, sizeof *q);
    q->k = 10;
    q->prec = 9;
    q->ef = 64;
    q->folds = 10;
    q->n_C = 1;
    q->Cs[0] = 1;
    lt_node_eval_opts_init(&q->ne);
    q->ne.n_threads = lt_cpu_count();
}

int cmd_convert(int argc, char **argv) {
    static const cli_opt opts[] = { OPT_FROM,
        { "to", 0, "F", O_TO, "output format [from the name of OUT; w2v-txt for '-']" },
        { "f16", 0, NULL, O_F16, "native output in half precision" },
        { "precision", 0, "N", O_PREC, "significant digits of text output [9: exact]" },
        { "encoding", 0, "E", O_ENC,
                "the input's words are in E (latin1, cp1252, ...; an iconv name), written as UTF-8 [utf-8]" },
        { 0 } };
    static const cli_spec S = { "convert",
        "usage: latent convert IN OUT [options]\n"
        "  copies vectors between formats: native (.lvec), w2v-txt (.txt), w2v-bin (.bin), glove (.glove),\n"
        "  vec (.vec), npy (.npy + .labels.txt), fvecs (.fvecs), csv (.csv/.tsv); read only: bvecs, ivecs, idx;\n"
        "  '-' is stdin/stdout; OUT.gz is compressed\n",
        opts };
    qopts q;
    qinit(&q);
    int r = parse(argc, argv, &S, &q);
    if (r >= 0) return r;
    if (optind != argc - 2) return cli_usage(S.usage, "convert: expected IN and OUT");
    const char *out = argv[optind + 1];
    lt_format to = q.to         ? lt_format_from_name(q.to)
            : !strcmp(out, "-") ? LT_FMT_W2V_TXT
                                : lt_format_from_path(out);
    if (to == LT_FMT_AUTO)
        return cli_usage(S.usage, "cannot tell the output format of '%s'; use --to", out);
    if (q.f16 && to != LT_FMT_NATIVE)
        return cli_usage(S.usage, "--f16 applies to native (.lvec) output only");
    lt_vecs *v;
    lt_format from = q.from ? lt_format_from_name(q.from) : LT_FMT_AUTO;
    if (q.encoding ? lt_vecs_load_encoded(argv[optind], from, q.encoding, &v) != LT_OK
                   : (r = cli_load(argv[optind], q.from, &v)) != 0)
        return q.encoding ? cli_fail("convert") : r;
    lt_save_opts so;
    lt_save_opts_init(&so);
    so.f16 = q.f16;
    so.precision = q.prec;
    int64_t fixed = cli_fit_labels(v, to); /* as embed writes them */
    if (fixed > 0 && !cli_quiet())
        fprintf(stderr,
                "latent: convert: %lld labels held whitespace or were empty: written with '_' (or <empty>), as %s cannot hold them\n",
                (long long)fixed, lt_format_name(to));
    r = fixed < 0 ? lt_err(LT_ENOMEM, "out of memory") : lt_vecs_save(v, out, to, &so);
    lt_vecs_free(v);
    return r ? cli_fail("convert") : 0;
}

/* --index: loaded once per command and checked to be a cosine index of these vectors (their
 * dimension, and the base it was built from), before any query */
static int open_index(qopts *q, const lt_vecs *v, const char *vpath) {
    if (!q->index) return LT_OK;
    if (lt_hnsw_load(&q->hidx, q->index)) return -1;
    lt_hnsw_info in = lt_hnsw_get_info(q->hidx);
    int rc = in.d != v->d || in.metric != LT_METRIC_COS
            ? lt_err(LT_EINVAL,
                      "%s: need a cosine index of dimension %lld built from these vectors",
                      q->index, (long long)v->d)
            : lt_hnsw_check_base(q->hidx, v, q->index, vpath);
    if (rc) {
        lt_hnsw_free(q->hidx);
        q->hidx = NULL;
    }
    return rc;
}

/* Top-k by cosine through an HNSW index built from the same store (ids = rows). */
static int nearest_index(const lt_hnsw *h, int ef, const lt_vecs *v, const float *q, int k,
        const int64_t *ex, int n_ex, int64_t *ids, float *sc) {
    int kk = k + n_ex;
    float *D = malloc(sizeof(float) * (size_t)kk);
    int64_t *I = malloc(sizeof(int64_t) * (size_t)kk);
    int got = 0;
    if (!D || !I) got = lt_err(LT_ENOMEM, "out of memory");
    else if (lt_hnsw_search(h, q, kk, ef > kk ? ef : kk, NULL, D, I) == LT_OK)
        for (int i = 0; i < kk && got < k; i++) {
            int skip = I[i] < 0 || I[i] >= v->n;
            for (int j = 0; j < n_ex; j++) skip |= I[i] == ex[j];
            if (!skip) {
                ids[got] = I[i];
                sc[got] = 1 - D[i];
                got++;
            }
        }
    else got = -1;
    free(D);
    free(I);
    return got;
}

/* One similar query: positives minus negatives (unit vectors), query words excluded. */
static const char *g_missing; /* the word similar_one did not find */
static int similar_one(const lt_vecs *v, const lt_vecs *vn, const qopts *q, char **pos, int np,
        char **neg, int nn) {
    int n_ex = np + nn, r = 0;
    float *qv = calloc((size_t)vn->ld, 4);
    int64_t *ex = calloc((size_t)n_ex + 1, 8), *ids = calloc((size_t)q->k, 8);
    float *sc = calloc((size_t)q->k, 4);
    char qs[2048] = "";
    if (!qv || !ex || !ids || !sc) {
        free(qv);
        free(ex);
        free(ids);
        free(sc);
        fprintf(stderr, "latent: out of memory\n");
        return 1;
    }
    float *wv = calloc((size_t)vn->d + 1, 4);
    int n_in = 0;
    for (int i = 0; i < n_ex && !r; i++) {
        const char *w = i < np ? pos[i] : neg[i - np];
        int64_t id;
        if (!wv) {
            r = 1;
            break;
        }
        if (cli_word_vec_silent(v, w, wv, &id)) {
            g_missing = w;
            r = 2;
            break;
        } /* a word not in the vectors: the caller decides (g_missing names it) */
        if (id >= 0)
            ex[n_in++] = id; /* a word outside the rows (fastText n-grams) excludes nothing */
        double nr = 0;
        for (int64_t j = 0; j < vn->d; j++) nr += (double)wv[j] * wv[j];
        float s = (i < np ? 1.0f : -1.0f) / (nr > 0 ? (float)sqrt(nr) : 1.0f);
        for (int64_t j = 0; j < vn->d; j++) qv[j] += s * wv[j];
        size_t l = strlen(qs);
        snprintf(qs + l, sizeof qs - l, "%s%s%s", l ? " " : "", i < np ? "" : "-", w);
    }
    free(wv);
    if (!r) {
        int n = q->index ? nearest_index(q->hidx, q->ef, v, qv, q->k, ex, n_in, ids, sc)
                         : lt_nearest(vn, qv, q->k, q->restrict_n, ex, n_in, ids, sc);
        if (n < 0) r = cli_fail("similar");
        else cli_hits(stdout, q->json, qs, "similarity", ids, sc, n, v);
    }
    free(qv);
    free(ex);
    free(ids);
    free(sc);
    return r;
}

int cmd_similar(int argc, char **argv) {
    static const cli_opt opts[] = { OPT_K,
        { "negative", 0, "W", O_NEG, "subtract W's vector (repeatable), as gensim's negative=" },
        { "restrict", 0, "N", O_RESTRICT, "search the N first (most frequent) rows only [all]" },
        { "input", 'i', "FILE", O_QUERIES,
                "queries, one per line: words, then '-' and negative words ('-' = stdin); a line with a word not in the vectors is skipped and named, the rest answered (exit 1 if any was skipped)" },
        OPT_INDEX, OPT_EF, OPT_JSON, OPT_FROM, { 0 } };
    static const cli_spec S = { "similar",
        "usage: latent similar VECS WORD... [options]\n"
        "       latent similar VECS -i QUERIES [options]\n"
        "  the K nearest rows by cosine similarity to the mean of the WORDs' unit vectors (minus the\n"
        "  --negative ones), query words excluded; columns: query rank id label similarity\n",
        opts };
    qopts q;
    qinit(&q);
    int r = parse(argc, argv, &S, &q);
    if (r >= 0) return r;
    int nw = argc - optind - 1;
    if (nw < 0 || (nw == 0) == !q.queries)
        return cli_usage(S.usage, "similar: expected VECS and either WORDs or -i QUERIES");
    if (q.index && q.restrict_n)
        return cli_usage(
                S.usage, "--restrict and --index do not combine (an index holds every row)");
    if (!q.index && q.ef != 64) return cli_usage(S.usage, "--ef needs --index");
    FILE *qf = NULL;
    if (q.queries && !(qf = strcmp(q.queries, "-") ? fopen(q.queries, "r") : stdin)) {
        fprintf(stderr, "latent: %s: cannot open\n", q.queries);
        return 1;
    }
    lt_vecs *v, *vn = NULL;
    if ((r = cli_load(argv[optind], q.from, &v))) {
        if (qf && qf != stdin) fclose(qf);
        return r;
    }
    if (open_index(&q, v, argv[optind])) r = cli_fail("similar");
    else if (!(vn = lt_vecs_normalized(v))) r = cli_fail("");
    if (!r && !q.json) cli_hits_header(stdout, "similarity");
    if (!r && !qf &&
            (r = similar_one(v, vn, &q, argv + optind + 1, nw, (char **)q.neg, q.n_neg)) == 2) {
        fprintf(stderr, "latent: '%s' is not in the vectors\n", g_missing);
        r = 1;
    }
    char *line = NULL;
    size_t cap = 0;
    long long
            ln = 0,
            asked = 0,
            skipped =
                    0; /* -i: a line with an unknown word is skipped, said, and the rest answered */
    while (!r && qf && getline(&line, &cap, qf) > 0) {
        ln++;
        char *w[256], *save = NULL;
        int n = 0, np = -1;
        for (char *t = strtok_r(line, " \t\r\n", &save); t && n < 256;
                t = strtok_r(NULL, " \t\r\n", &save)) {
            if (!strcmp(t, "-") && np < 0) np = n;
            else w[n++] = t;
        }
        if (np < 0) np = n;
        if (n == 0) continue;
        if (np == 0) {
            fprintf(stderr, "latent: %s: a query with negative words only\n", q.queries);
            r = 1;
            break;
        }
        asked++;
        if ((r = similar_one(v, vn, &q, w, np, w + np, n - np)) == 2) {
            if (!cli_quiet())
                fprintf(stderr, "latent: %s: line %lld skipped ('%s' is not in the vectors)\n",
                        q.queries, ln, g_missing);
            skipped++;
            r = 0;
        }
    }
    free(line);
    if (!r && skipped) {
        fprintf(stderr,
                "latent: similar: %lld of %lld queries skipped (words not in the vectors)\n",
                skipped, asked);
        r = 1;
    }
    if (qf && qf != stdin) fclose(qf);
    lt_hnsw_free(q.hidx);
    lt_vecs_free(vn);
    lt_vecs_free(v);
    return r;
}

int cmd_analogy(int argc, char **argv) {
    static const cli_opt opts[] = { OPT_K,
        { "mul", 0, NULL, O_MUL, "3CosMul (Levy and Goldberg) instead of 3CosAdd" },
        { "restrict", 0, "N", O_RESTRICT, "answer among the N first rows only [all]" }, OPT_INDEX,
        OPT_EF, OPT_JSON, OPT_FROM, { 0 } };
    static const cli_spec S = { "analogy",
        "usage: latent analogy VECS A B C [options]\n"
        "  A is to B as C is to ?: the K best rows by 3CosAdd (cos(x, b - a + c)) or 3CosMul; A, B, C\n"
        "  excluded; columns: query rank id label similarity\n",
        opts };
    qopts q;
    qinit(&q);
    int r = parse(argc, argv, &S, &q);
    if (r >= 0) return r;
    if (argc - optind != 4) return cli_usage(S.usage, "analogy: expected VECS A B C");
    if (q.index && (q.mul || q.restrict_n))
        return cli_usage(S.usage, "--index answers 3CosAdd over every row: no --mul or --restrict");
    if (!q.index && q.ef != 64) return cli_usage(S.usage, "--ef needs --index");
    lt_vecs *v;
    if ((r = cli_load(argv[optind], q.from, &v))) return r;
    if (open_index(&q, v, argv[optind])) {
        lt_vecs_free(v);
        return cli_fail("analogy");
    }
    /* each word's unit vector: its row, or (fastText models) its n-grams' mean */
    float *abc = calloc((size_t)v->d * 3 + 1, 4);
    int64_t id3[3];
    for (int i = 0; i < 3; i++)
        if (!abc || cli_word_vec(v, argv[optind + 1 + i], abc + i * v->d, &id3[i])) {
            free(abc);
            lt_hnsw_free(q.hidx);
            lt_vecs_free(v);
            return 1;
        }
    int64_t a = id3[0], b = id3[1], c = id3[2];
    int oov = a < 0 || b < 0 || c < 0;
    if (oov && q.mul) {
        free(abc);
        lt_hnsw_free(q.hidx);
        lt_vecs_free(v);
        return cli_usage(
                S.usage, "--mul needs A, B and C in the rows (3CosAdd takes n-gram vectors)");
    }
    lt_vecs *vn = lt_vecs_normalized(v);
    int64_t *ids = calloc((size_t)q.k, 8);
    float *sc = calloc((size_t)q.k, 4);
    int n = -1;
    if (vn && ids && sc && (q.index || oov)) {
        float *qv = calloc((size_t)vn->ld, 4);
        for (int i = 0; qv && i < 3; i++) {
            double nr = 0;
            for (int64_t j = 0; j < v->d; j++) nr += (double)abc[i * v->d + j] * abc[i * v->d + j];
            float s = (i == 1 ? 1.0f : i == 0 ? -1.0f : 1.0f) / (nr > 0 ? (float)sqrt(nr) : 1.0f);
            for (int64_t j = 0; j < v->d; j++) qv[j] += s * abc[i * v->d + j];
        }
        int64_t ex[3];
        int ne = 0;
        for (int i = 0; i < 3; i++)
            if (id3[i] >= 0) ex[ne++] = id3[i];
        n = !qv           ? lt_err(LT_ENOMEM, "out of memory")
                : q.index ? nearest_index(q.hidx, q.ef, v, qv, q.k, ex, ne, ids, sc)
                          : lt_nearest(vn, qv, q.k, q.restrict_n, ex, ne, ids, sc);
        free(qv);
    } else if (vn && ids && sc)
        n = lt_analogy(
                vn, a, b, c, q.mul ? LT_ANALOGY_MUL : LT_ANALOGY_ADD, q.k, q.restrict_n, ids, sc);
    free(abc);
    if (n < 0) r = cli_fail("analogy");
    else {
        char qs[1024];
        snprintf(
                qs, sizeof qs, "%s:%s::%s:?", argv[optind + 1], argv[optind + 2], argv[optind + 3]);
        if (!q.json) cli_hits_header(stdout, "similarity");
        cli_hits(stdout, q.json, qs, "similarity", ids, sc, n, v);
    }
    free(ids);
    free(sc);
    lt_hnsw_free(q.hidx);
    lt_vecs_free(vn);
    lt_vecs_free(v);
    return r;
}

static double cosine(int64_t d, const float *a, const float *b) {
    double ab = 0, aa = 0, bb = 0;
    for (int64_t j = 0; j < d; j++) {
        double x = a[j], y = b[j];
        ab += x * y;
        aa += x * x;
        bb += y * y;
    }
    return aa > 0 && bb > 0 ? ab / sqrt(aa * bb) : 0;
}

int cmd_similarity(int argc, char **argv) {
    static const cli_opt opts[] = { OPT_JSON, OPT_FROM, { 0 } };
    static const cli_spec S = { "similarity",
        "usage: latent similarity VECS W1 W2 [W1 W2 ...] [options]\n"
        "  cosine similarity of each pair; columns: word1 word2 similarity\n",
        opts };
    qopts q;
    qinit(&q);
    int r = parse(argc, argv, &S, &q);
    if (r >= 0) return r;
    int nw = argc - optind - 1;
    if (nw < 2 || nw % 2) return cli_usage(S.usage, "similarity: expected VECS and pairs of words");
    lt_vecs *v;
    if ((r = cli_load(argv[optind], q.from, &v))) return r;
    if (!q.json) printf("word1\tword2\tsimilarity\n");
    float *wa = malloc((size_t)v->d * 8 + 4);
    for (int i = optind + 1; i + 1 < argc && !r; i += 2) {
        int64_t a, b;
        if (!wa || cli_word_vec(v, argv[i], wa, &a) ||
                cli_word_vec(v, argv[i + 1], wa + v->d, &b)) {
            r = 1;
            break;
        }
        double s = cosine(v->d, wa, wa + v->d);
        if (!q.json) {
            printf("%s\t%s\t%.6f\n", argv[i], argv[i + 1], s);
            continue;
        }
        fputs("{\"word1\": ", stdout);
        cli_json_str(stdout, argv[i]);
        fputs(", \"word2\": ", stdout);
        cli_json_str(stdout, argv[i + 1]);
        fputs(", \"similarity\": ", stdout);
        cli_json_num(stdout, s);
        fputs("}\n", stdout);
    }
    free(wa);
    lt_vecs_free(v);
    return r;
}

int cmd_doesnt_match(int argc, char **argv) {
    static const cli_opt opts[] = { OPT_JSON, OPT_FROM, { 0 } };
    static const cli_spec S = { "doesnt-match",
        "usage: latent doesnt-match VECS WORD WORD... [options]\n"
        "  the word furthest from the mean of the words' unit vectors (gensim's doesnt_match);\n"
        "  unknown words are ignored with a warning\n",
        opts };
    qopts q;
    qinit(&q);
    int r = parse(argc, argv, &S, &q);
    if (r >= 0) return r;
    int nw = argc - optind - 1;
    if (nw < 2) return cli_usage(S.usage, "doesnt-match: expected VECS and at least two words");
    lt_vecs *v;
    if ((r = cli_load(argv[optind], q.from, &v))) return r;
    lt_vecs *vn = lt_vecs_normalized(v);
    int64_t *id = calloc((size_t)nw, 8);
    double *mean = calloc((size_t)v->d, sizeof(double));
    if (!vn || !id || !mean) r = cli_fail("");
    int used = 0;
    for (int i = 0; !r && i < nw; i++) {
        id[i] = lt_vecs_find(v, argv[optind + 1 + i]);
        if (id[i] < 0) {
            if (!cli_quiet())
                fprintf(stderr, "latent: warning: '%s' is not in the vectors; ignored\n",
                        argv[optind + 1 + i]);
            continue;
        }
        used++;
        for (int64_t j = 0; j < v->d; j++) mean[j] += lt_vecs_row(vn, id[i])[j];
    }
    if (!r && used == 0) {
        fprintf(stderr, "latent: doesnt-match: none of the words is in the vectors\n");
        r = 1;
    }
    int best = -1;
    double bs = INFINITY;
    for (int i = 0; !r && i < nw; i++) {
        if (id[i] < 0) continue;
        double s = 0;
        for (int64_t j = 0; j < v->d; j++) s += mean[j] * lt_vecs_row(vn, id[i])[j];
        if (s < bs) {
            bs = s;
            best = i;
        }
    }
    if (!r && q.json) {
        fputs("{\"doesnt_match\": ", stdout);
        cli_json_str(stdout, argv[optind + 1 + best]);
        printf(", \"used\": %d}\n", used);
    } else if (!r) printf("%s\n", argv[optind + 1 + best]);
    free(id);
    free(mean);
    lt_vecs_free(vn);
    lt_vecs_free(v);
    return r;
}

int cmd_vector(int argc, char **argv) {
    static const cli_opt opts[] = {
        { "precision", 0, "N", O_PREC,
                "significant digits [9: exact; fastText models: 5, as print-word-vectors]" },
        OPT_JSON, OPT_FROM, { 0 }
    };
    static const cli_spec S = { "vector",
        "usage: latent vector VECS WORD... [options]\n"
        "  prints \"WORD v1 ... vd\" for each WORD (with --json: {\"word\": ..., \"vector\": [...]});\n"
        "  a fastText .bin model gives every word a vector from its character n-grams\n",
        opts };
    qopts q;
    qinit(&q);
    int r = parse(argc, argv, &S, &q);
    if (r >= 0) return r;
    if (argc - optind < 2) return cli_usage(S.usage, "vector: expected VECS and at least one WORD");
    lt_vecs *v;
    if ((r = cli_load(argv[optind], q.from, &v))) return r;
    /* a fastText model: any word has a vector (its n-grams), printed as print-word-vectors does
     * (5 significant digits, a space after each value) unless --precision or --json is given */
    float *sub = lt_malloc((size_t)v->d * 4);
    int ft = sub && lt_vecs_subword(v, "", sub) >= 0, ftstyle = ft && !q.json && !q.prec_set;
    for (int i = optind + 1; sub && i < argc; i++) {
        const float *row;
        if (ft) {
            lt_vecs_subword(v, argv[i], sub);
            row = sub;
        } else {
            int64_t id = cli_lookup(v, argv[i]);
            if (id < 0) {
                r = 1;
                continue;
            }
            row = lt_vecs_row(v, id);
        }
        if (q.json) {
            fputs("{\"word\": ", stdout);
            cli_json_str(stdout, argv[i]);
            fputs(", \"vector\": [", stdout);
        } else printf("%s", argv[i]);
        for (int64_t j = 0; j < v->d; j++)
            if (ftstyle) printf(" %.5g", (double)row[j]);
            else printf(q.json ? (j ? ", %.*g" : "%.*g") : " %.*g", q.prec, (double)row[j]);
        printf(q.json ? "]}\n" : ftstyle ? " \n" : "\n");
    }
    lt_free(sub);
    lt_vecs_free(v);
    return r;
}

int cmd_info(int argc, char **argv) {
    static const cli_opt opts[] = { OPT_JSON, OPT_FROM, { 0 } };
    static const cli_spec S = { "info",
        "usage: latent info VECS|MODEL [options]\n  shape, format, mean norm and metadata; a model's kind, parameters and fitted statistics\n",
        opts };
    qopts q;
    qinit(&q);
    int r = parse(argc, argv, &S, &q);
    if (r >= 0) return r;
    if (argc - optind != 1) return cli_usage(S.usage, "info: expected VECS");
    if (!q.from && lt_is_model_file(argv[optind])) return cli_model_info(argv[optind], q.json);
    lt_vecs *v;
    if ((r = cli_load(argv[optind], q.from, &v))) return r;
    lt_format f = q.from ? lt_format_from_name(q.from) : lt_format_from_path(argv[optind]);
    if (lt_vecs_meta_get(v, "fasttext_version"))
        f = LT_FMT_FASTTEXT; /* found by its magic, whatever the name */
    double sn = 0;
    for (int64_t i = 0; i < v->n; i++) {
        double s = 0;
        for (int64_t j = 0; j < v->d; j++) s += (double)lt_vecs_row(v, i)[j] * lt_vecs_row(v, i)[j];
        sn += sqrt(s);
    }
    double mn = v->n ? sn / (double)v->n : 0.0;
    const char *k, *val;
    if (q.json) {
        fputs("{\"file\": ", stdout);
        cli_json_str(stdout, argv[optind]);
        fputs(", \"format\": ", stdout);
        cli_json_str(stdout, lt_format_name(f));
        printf(", \"rows\": %lld, \"dim\": %lld, \"labels\": %s, \"mean_norm\": ", (long long)v->n,
                (long long)v->d, v->labels ? "true" : "false");
        cli_json_num(stdout, mn);
        fputs(", \"meta\": {", stdout);
        for (int i = 0; lt_vecs_meta_at(v, i, &k, &val); i++) {
            if (i) fputs(", ", stdout);
            cli_json_str(stdout, k);
            fputs(": ", stdout);
            cli_json_str(stdout, val);
        }
        fputs("}}\n", stdout);
    } else {
        printf("file\t%s\nformat\t%s\nrows\t%lld\ndim\t%lld\nlabels\t%s\nmean_norm\t%.6f\n",
                argv[optind], lt_format_name(f), (long long)v->n, (long long)v->d,
                v->labels ? "yes" : "no", mn);
        for (int i = 0; lt_vecs_meta_at(v, i, &k, &val); i++) printf("meta.%s\t%s\n", k, val);
    }
    lt_vecs_free(v);
    return 0;
}

static double ratio(int64_t a, int64_t b) { return b ? (double)a / (double)b : 0.0; }
static void acc_row(int json, const char *name, int64_t c, int64_t t, int64_t skipped, int first) {
    if (!json) {
        printf("%s\t%lld\t%lld\t%.4f\t%lld\n", name, (long long)c, (long long)t, ratio(c, t),
                (long long)skipped);
        return;
    }
    printf("%s{\"section\": ", first ? "" : ", ");
    cli_json_str(stdout, name);
    cli_jprintf(stdout,
            ", \"correct\": %lld, \"total\": %lld, \"accuracy\": %.6f, \"skipped\": %lld}",
            (long long)c, (long long)t, ratio(c, t), (long long)skipped);
}

int cmd_eval(int argc, char **argv) {
    static const cli_opt aopts[] = {
        { "restrict", 0, "N", O_RESTRICT,
                "questions over the N most frequent words [30000; 0 = all]" },
        { "mul", 0, NULL, O_MUL, "3CosMul instead of 3CosAdd" }, OPT_JSON, OPT_FROM, { 0 }
    };
    static const cli_opt sopts[] = {
        { "restrict", 0, "N", O_RESTRICT,
                "pairs over the N most frequent words [300000; 0 = all]" },
        { "oov", 0, NULL, O_OOV, "fastText models: a missing word takes its n-gram vector" },
        OPT_JSON, OPT_FROM, { 0 }
    };
    static const cli_spec SA = { "eval analogy",
        "usage: latent eval analogy VECS QUESTIONS [options]\n"
        "  Google analogy file: accuracy per section, semantic/syntactic/total and coverage,\n"
        "  case-insensitive, as gensim's evaluate_word_analogies\n",
        aopts };
    static const cli_spec SS = { "eval similarity",
        "usage: latent eval similarity VECS PAIRS.tsv [options]\n"
        "  word1<TAB>word2<TAB>score lines: Spearman rho, Pearson r and coverage\n",
        sopts };
    static const char *U =
            "usage: latent eval analogy|similarity|recall|nodes|links|graphs|probe ... ('latent eval SUB --help')\n";
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs(U, stdout);
        cli_help(&SA, stdout);
        cli_help(&SS, stdout);
        fputs("usage: latent eval recall INDEX --queries Q ... (see 'latent eval recall --help')\n",
                stdout);
        fputs("usage: latent eval nodes VECS LABELS ... (see 'latent eval nodes --help')\n",
                stdout);
        fputs("usage: latent eval links VECS PAIRS ... (see 'latent eval links --help')\n", stdout);
        fputs("usage: latent eval graphs VECS LABELS ... (see 'latent eval graphs --help')\n",
                stdout);
        fputs("usage: latent eval probe TRAIN LABELS ... (see 'latent eval probe --help')\n",
                stdout);
        return 0;
    }
    if (argc < 2) return cli_usage(U, "eval: expected 'analogy', 'similarity' or 'recall'");
    const char *what = argv[1];
    if (!strcmp(what, "recall")) return cmd_eval_recall(argc - 1, argv + 1);
    if (!strcmp(what, "nodes")) return cmd_eval_nodes(argc - 1, argv + 1);
    if (!strcmp(what, "links")) return cmd_eval_links(argc - 1, argv + 1);
    if (!strcmp(what, "graphs")) return cmd_eval_graphs(argc - 1, argv + 1);
    if (!strcmp(what, "probe")) return cmd_eval_probe(argc - 1, argv + 1);
    if (strcmp(what, "analogy") && strcmp(what, "similarity"))
        return cli_usage(U, "eval: unknown evaluation '%s'", what);
    int ana = !strcmp(what, "analogy");
    const cli_spec *S = ana ? &SA : &SS;
    argc--;
    argv++;
    qopts q;
    qinit(&q);
    q.restrict_n = ana ? 30000 : 300000;
    int r = parse(argc, argv, S, &q);
    if (r >= 0) return r;
    if (argc - optind != 2)
        return cli_usage(S->usage, "eval %s: expected VECS and a test file", what);
    lt_vecs *v;
    if ((r = cli_load(argv[optind], q.from, &v))) return r;
    if (ana) {
        lt_analogy_report rep;
        if (lt_eval_analogy(v, argv[optind + 1], q.restrict_n,
                    q.mul ? LT_ANALOGY_MUL : LT_ANALOGY_ADD, 1, &rep)) {
            lt_vecs_free(v);
            return cli_fail("eval analogy");
        }
        if (q.json) fputs("{\"sections\": [", stdout);
        else printf("section\tcorrect\ttotal\taccuracy\tskipped\n");
        for (int i = 0; i < rep.n_sections; i++) {
            lt_analogy_section *s = &rep.sections[i];
            acc_row(q.json, s->name, s->correct, s->total, s->skipped, i == 0);
        }
        if (q.json) {
            cli_jprintf(stdout,
                    "], \"semantic\": {\"correct\": %lld, \"total\": %lld, \"accuracy\": %.6f}",
                    (long long)rep.sem_correct, (long long)rep.sem_total,
                    ratio(rep.sem_correct, rep.sem_total));
            cli_jprintf(stdout,
                    ", \"syntactic\": {\"correct\": %lld, \"total\": %lld, \"accuracy\": %.6f}",
                    (long long)rep.syn_correct, (long long)rep.syn_total,
                    ratio(rep.syn_correct, rep.syn_total));
            cli_jprintf(stdout,
                    ", \"total\": {\"correct\": %lld, \"total\": %lld, \"accuracy\": %.6f}",
                    (long long)rep.correct, (long long)rep.total, ratio(rep.correct, rep.total));
            cli_jprintf(stdout,
                    ", \"coverage\": {\"answered\": %lld, \"questions\": %lld, \"ratio\": %.6f}}\n",
                    (long long)rep.total, (long long)rep.questions,
                    ratio(rep.total, rep.questions));
        } else {
            printf("semantic\t%lld\t%lld\t%.4f\n", (long long)rep.sem_correct,
                    (long long)rep.sem_total, ratio(rep.sem_correct, rep.sem_total));
            printf("syntactic\t%lld\t%lld\t%.4f\n", (long long)rep.syn_correct,
                    (long long)rep.syn_total, ratio(rep.syn_correct, rep.syn_total));
            printf("total\t%lld\t%lld\t%.4f\n", (long long)rep.correct, (long long)rep.total,
                    ratio(rep.correct, rep.total));
            printf("coverage\t%lld\t%lld\t%.4f\n", (long long)rep.total, (long long)rep.questions,
                    ratio(rep.total, rep.questions));
        }
        lt_analogy_report_destroy(&rep);
    } else {
        lt_similarity_report rep;
        if (q.oov && lt_vecs_subword(v, "", NULL) < 0) {
            lt_vecs_free(v);
            return cli_usage(
                    S->usage, "--oov needs a fastText model (.bin): these vectors have no n-grams");
        }
        if (lt_eval_similarity_oov(v, argv[optind + 1], q.restrict_n, q.oov, &rep)) {
            lt_vecs_free(v);
            return cli_fail("eval similarity");
        }
        if (q.json) {
            fputs("{\"spearman\": ", stdout);
            cli_json_num(stdout, rep.spearman);
            fputs(", \"pearson\": ", stdout);
            cli_json_num(stdout, rep.pearson);
            cli_jprintf(stdout, ", \"used\": %lld, \"total\": %lld, \"coverage\": %.6f",
                    (long long)rep.used, (long long)rep.total, ratio(rep.used, rep.total));
            if (q.oov) printf(", \"oov_filled\": %lld", (long long)rep.oov_filled);
            fputs("}\n", stdout);
        } else {
            printf("spearman\t%.4f\npearson\t%.4f\ncoverage\t%lld\t%lld\t%.4f\n", rep.spearman,
                    rep.pearson, (long long)rep.used, (long long)rep.total,
                    ratio(rep.used, rep.total));
            if (q.oov) printf("oov_filled\t%lld\n", (long long)rep.oov_filled);
        }
    }
    lt_vecs_free(v);
    return 0;
}

int cmd_eval_nodes(int argc, char **argv) {
    static const cli_opt opts[] = {
        { "train-ratio", 0, "X", O_RATIO,
                "fraction of the labelled nodes used for training [0.5]" },
        { "repeats", 0, "N", O_REPEATS, "random splits averaged [10]" },
        { "seed", 's', "N", O_SEED, "split r uses RNG stream r of this seed [1]" },
        { "C", 0, "X", O_C,
                "inverse L2 strength of the logistic regression, as scikit-learn's C [1]" },
        { "train-list", 0, "FILE", O_TRAINLIST,
                "node ids of one fixed training set (instead of random splits)" },
        { "threads", 't', "N", O_THREADS, "labels trained in parallel [number of CPUs]" }, OPT_JSON,
        OPT_FROM, { 0 }
    };
    static const cli_spec S = { "eval nodes",
        "usage: latent eval nodes VECS LABELS [options]\n"
        "  node classification: LABELS has \"node<TAB>label\" lines (several per node: multi-label);\n"
        "  one-vs-rest L2 logistic regression; macro/micro-F1 by the top-k rule of DeepWalk/node2vec\n"
        "  (k = the node's label count) and by thresholding (p > 0.5), mean and sd over the splits\n",
        opts };
    qopts q;
    qinit(&q);
    int r = parse(argc, argv, &S, &q);
    if (r >= 0) return r;
    if (q.n_C > 1) return cli_usage(S.usage, "eval nodes: --C takes one value");
    if (argc - optind != 2) return cli_usage(S.usage, "eval nodes: expected VECS and LABELS");
    if (q.ne.train_list && q.ne.repeats != 10)
        return cli_usage(S.usage, "--train-list is one fixed split: no --repeats");
    lt_vecs *v;
    if ((r = cli_load(argv[optind], q.from, &v))) return r;
    lt_node_eval_result res;
    r = lt_eval_nodes(v, argv[optind + 1], &q.ne, &res) ? cli_fail("eval nodes") : 0;
    lt_vecs_free(v);
    if (r) return r;
    if (q.json)
        cli_jprintf(stdout,
                "{\"nodes\": %lld, \"labels\": %d, \"multilabel_nodes\": %lld, \"train\": %lld, \"test\": %lld, \"repeats\": %d, "
                "\"topk\": {\"macro_f1\": %.6f, \"macro_f1_sd\": %.6f, \"micro_f1\": %.6f, \"micro_f1_sd\": %.6f}, "
                "\"threshold\": {\"macro_f1\": %.6f, \"macro_f1_sd\": %.6f, \"micro_f1\": %.6f, \"micro_f1_sd\": %.6f}}\n",
                (long long)res.nodes, res.labels, (long long)res.multilabel_nodes,
                (long long)res.n_train, (long long)res.n_test, res.repeats, res.macro_topk,
                res.sd_macro_topk, res.micro_topk, res.sd_micro_topk, res.macro_thr,
                res.sd_macro_thr, res.micro_thr, res.sd_micro_thr);
    else
        printf("rule\tmacro_f1\tsd\tmicro_f1\tsd\n"
               "topk\t%.4f\t%.4f\t%.4f\t%.4f\nthreshold\t%.4f\t%.4f\t%.4f\t%.4f\n"
               "nodes\t%lld\nlabels\t%d\ntrain\t%lld\ntest\t%lld\nrepeats\t%d\n",
                res.macro_topk, res.sd_macro_topk, res.micro_topk, res.sd_micro_topk, res.macro_thr,
                res.sd_macro_thr, res.micro_thr, res.sd_micro_thr, (long long)res.nodes, res.labels,
                (long long)res.n_train, (long long)res.n_test, res.repeats);
    return 0;
}

int cmd_eval_links(int argc, char **argv) {
    static const cli_opt opts[] = {
        { "op", 0, "OP", O_OP,
                "cosine (a score, no classifier) or an edge feature for a logistic regression: hadamard, average, l1, l2 [cosine]" },
        { "seed", 's', "N", O_SEED,
                "the split of the pairs into classifier training and scoring halves [1]" },
        OPT_JSON, OPT_FROM, { 0 }
    };
    static const cli_spec S = { "eval links",
        "usage: latent eval links VECS PAIRS [options]\n"
        "  link prediction ROC-AUC; PAIRS has \"u v 1\" (held-out edge) and \"u v 0\" (non-edge) lines, as\n"
        "  'latent graph split' writes them\n",
        opts };
    qopts q;
    qinit(&q);
    int r = parse(argc, argv, &S, &q);
    if (r >= 0) return r;
    if (argc - optind != 2) return cli_usage(S.usage, "eval links: expected VECS and PAIRS");
    if (q.op == LT_LINK_COSINE && q.ne.seed != 1)
        return cli_usage(S.usage,
                "--seed splits the pairs for a classifier: it needs --op other than cosine");
    lt_vecs *v;
    if ((r = cli_load(argv[optind], q.from, &v))) return r;
    lt_link_result res;
    static const char *ops[] = { "cosine", "hadamard", "average", "l1", "l2" };
    r = lt_eval_links(v, argv[optind + 1], q.op, q.ne.seed, &res) ? cli_fail("eval links") : 0;
    lt_vecs_free(v);
    if (r) return r;
    if (q.json)
        cli_jprintf(stdout,
                "{\"op\": \"%s\", \"auc\": %.6f, \"pairs\": %lld, \"positives\": %lld, \"trained\": %lld, \"scored\": %lld}\n",
                ops[q.op], res.auc, (long long)res.pairs, (long long)res.positives,
                (long long)res.trained, (long long)res.scored);
    else
        printf("op\t%s\nauc\t%.4f\npairs\t%lld\npositives\t%lld\ntrained\t%lld\nscored\t%lld\n",
                ops[q.op], res.auc, (long long)res.pairs, (long long)res.positives,
                (long long)res.trained, (long long)res.scored);
    return 0;
}

int cmd_eval_graphs(int argc, char **argv) {
    static const cli_opt opts[] = {
        { "classifier", 0, "NAME", O_CLF,
                "logreg (one-vs-rest) or svm (RBF kernel, one-vs-one) [logreg]" },
        { "C", 0, "X[,X...]", O_C,
                "inverse regularisation (scikit-learn's C); a list: each fold picks by inner CV [1]" },
        { "gamma", 0, "X", O_GAMMA,
                "SVM's RBF width: a number, or 'scale' = 1 / (features x variance) [scale]" },
        { "folds", 0, "N", O_FOLDS, "stratified cross-validation folds [10]" },
        { "seed", 's', "N", O_SEED, "draws the folds [1]" },
        { "threads", 't', "N", O_THREADS, "folds evaluated in parallel [number of CPUs]" },
        OPT_JSON, OPT_FROM, { 0 }
    };
    static const cli_spec S = { "eval graphs",
        "usage: latent eval graphs VECS LABELS [options]\n"
        "  graph classification: LABELS has \"graph_id class\" lines; stratified k-fold accuracy of a\n"
        "  classifier on features standardised per training fold\n",
        opts };
    qopts q;
    qinit(&q);
    int r = parse(argc, argv, &S, &q);
    if (r >= 0) return r;
    if (argc - optind != 2) return cli_usage(S.usage, "eval graphs: expected VECS and LABELS");
    if (q.gamma > 0 && q.clf != LT_CLF_SVM)
        return cli_usage(S.usage, "eval graphs: --gamma needs --classifier svm");
    lt_vecs *v;
    if ((r = cli_load(argv[optind], q.from, &v))) return r;
    lt_graph_eval_opts go;
    lt_graph_eval_opts_init(&go);
    go.folds = q.folds;
    go.seed = q.ne.seed;
    go.n_threads = q.ne.n_threads;
    go.clf = q.clf;
    go.gamma = q.gamma;
    go.n_C = q.n_C;
    memcpy(go.C, q.Cs, sizeof go.C);
    lt_graph_eval_result res;
    r = lt_eval_graphs(v, argv[optind + 1], &go, &res) ? cli_fail("eval graphs") : 0;
    lt_vecs_free(v);
    if (r) return r;
    const char *clf = q.clf == LT_CLF_SVM ? "svm" : "logreg";
    if (q.json)
        cli_jprintf(stdout,
                "{\"accuracy\": %.6f, \"sd\": %.6f, \"items\": %lld, \"classes\": %d, \"folds\": %d, \"classifier\": \"%s\", \"C\": %g}\n",
                res.accuracy, res.sd, (long long)res.items, res.classes, res.folds, clf, res.C);
    else
        printf("accuracy\t%.4f\nsd\t%.4f\nitems\t%lld\nclasses\t%d\nfolds\t%d\nclassifier\t%s\nC\t%g\n",
                res.accuracy, res.sd, (long long)res.items, res.classes, res.folds, clf, res.C);
    return 0;
}
