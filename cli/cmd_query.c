/* latent convert / similar / analogy / vector / info / eval */
#include "cli.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Parses the common query options; returns -1 to continue, else an exit code. */
typedef struct { int k; long long restrict_n; const char *fmt; int mul; const char *out, *to; int f16, prec; const char *index; int ef; } qopts;
static int parse_q(int argc, char **argv, const char *U, qopts *q) {
    static const struct option lo[] = {{"k", 1, 0, 'k'}, {"restrict", 1, 0, 'r'}, {"format", 1, 0, 'f'}, {"from", 1, 0, 'f'},
                                       {"to", 1, 0, 'T'}, {"mul", 0, 0, 'm'}, {"add", 0, 0, 'a'}, {"output", 1, 0, 'o'},
                                       {"f16", 0, 0, 'F'}, {"precision", 1, 0, 'p'}, {"help", 0, 0, 'h'}, {"quiet", 0, 0, 'q'},
                                       {"index", 1, 0, 'I'}, {"ef", 1, 0, 'E'},
                                       {0, 0, 0, 0}};
    int c;
    long long iv;
    while ((c = getopt_long(argc, argv, "k:o:hq", lo, NULL)) != -1) {
        switch (c) {
        case 'k': if (!cli_int(optarg, 1, 1000000, &iv)) return cli_usage(U, "-k must be 1..1000000"); q->k = (int)iv; break;
        case 'r': if (!cli_int(optarg, 0, INT64_MAX, &iv)) return cli_usage(U, "--restrict must be >= 0"); q->restrict_n = iv; break;
        case 'f': q->fmt = optarg; break;
        case 'T': q->to = optarg; break;
        case 'm': q->mul = 1; break;
        case 'a': q->mul = 0; break;
        case 'o': q->out = optarg; break;
        case 'F': q->f16 = 1; break;
        case 'p': if (!cli_int(optarg, 1, 17, &iv)) return cli_usage(U, "--precision must be 1..17"); q->prec = (int)iv; break;
        case 'q': break;
        case 'I': q->index = optarg; break;
        case 'E': if (!cli_int(optarg, 1, 1000000, &iv)) return cli_usage(U, "--ef must be positive"); q->ef = (int)iv; break;
        case 'h': fputs(U, stdout); return 0;
        default: return cli_usage(U, "bad option");
        }
    }
    return -1;
}

int cmd_convert(int argc, char **argv) {
    static const char *U = "usage: latent convert IN OUT [--from FMT] [--to FMT] [--f16] [--precision N]\n"
                           "  formats: native (.lvec), w2v-txt (.txt), w2v-bin (.bin), glove (.glove), vec (.vec), npy (.npy), fvecs (.fvecs)\n"
                           "  --f16 stores native output as half precision; --precision sets text digits [9]\n";
    qopts q = {10, 0, NULL, 0, NULL, NULL, 0, 9, NULL, 64};
    int r = parse_q(argc, argv, U, &q);
    if (r >= 0) return r;
    if (optind != argc - 2) return cli_usage(U, "convert: expected IN and OUT");
    lt_vecs *v;
    if ((r = cli_load(argv[optind], q.fmt, &v))) return r;
    lt_format to = q.to ? lt_format_from_name(q.to) : lt_format_from_path(argv[optind + 1]);
    if (to == LT_FMT_AUTO) { lt_vecs_free(v); return cli_usage(U, "cannot tell the output format of '%s'; use --to", argv[optind + 1]); }
    lt_save_opts so;
    lt_save_opts_init(&so);
    so.f16 = q.f16;
    so.precision = q.prec;
    r = lt_vecs_save(v, argv[optind + 1], to, &so);
    lt_vecs_free(v);
    return r ? cli_fail("convert") : 0;
}

/* Top-k by cosine through an HNSW index built from the same store (ids = rows). */
static int nearest_index(const char *path, int ef, const lt_vecs *v, const float *q, int k, const int64_t *ex, int n_ex,
                         int64_t *ids, float *sc) {
    lt_hnsw *h;
    if (lt_hnsw_load(&h, path)) return -1;
    lt_hnsw_info in = lt_hnsw_get_info(h);
    if (in.d != v->d || in.metric != LT_METRIC_COS) {
        lt_hnsw_free(h);
        return lt_err(LT_EINVAL, "%s: need a cosine index of dimension %lld built from these vectors", path, (long long)v->d);
    }
    int kk = k + n_ex;
    float *D = malloc(sizeof(float) * (size_t)kk);
    int64_t *I = malloc(sizeof(int64_t) * (size_t)kk);
    int got = 0;
    if (lt_hnsw_search(h, q, kk, ef > kk ? ef : kk, NULL, D, I) == LT_OK)
        for (int i = 0; i < kk && got < k; i++) {
            int skip = I[i] < 0 || I[i] >= v->n;
            for (int j = 0; j < n_ex; j++) skip |= I[i] == ex[j];
            if (!skip) { ids[got] = I[i]; sc[got] = 1 - D[i]; got++; }
        }
    free(D); free(I);
    lt_hnsw_free(h);
    return got;
}

static void print_hits(const lt_vecs *v, const int64_t *ids, const float *sc, int n) {
    for (int i = 0; i < n; i++) {
        if (v->labels) printf("%s\t%.6f\n", v->labels[ids[i]], (double)sc[i]);
        else printf("%lld\t%.6f\n", (long long)ids[i], (double)sc[i]);
    }
}

int cmd_similar(int argc, char **argv) {
    static const char *U = "usage: latent similar VECS WORD... [-k K] [--restrict N] [--format F] [--index INDEX [--ef 64]]\n"
                           "  the K [10] nearest rows by cosine to each WORD (or to the sum of several), among the first N rows [all];\n"
                           "  --index uses a cosine HNSW index built from VECS ('latent index build VECS --metric cosine')\n";
    qopts q = {10, 0, NULL, 0, NULL, NULL, 0, 9, NULL, 64};
    int r = parse_q(argc, argv, U, &q);
    if (r >= 0) return r;
    if (argc - optind < 2) return cli_usage(U, "similar: expected VECS and at least one WORD");
    lt_vecs *v;
    if ((r = cli_load(argv[optind], q.fmt, &v))) return r;
    lt_vecs *vn = lt_vecs_normalized(v);
    if (!vn) { lt_vecs_free(v); return cli_fail(""); }
    int nw = argc - optind - 1;
    float *qv = calloc((size_t)vn->ld, 4);
    int64_t *ex = calloc((size_t)nw, 8), *ids = calloc((size_t)q.k, 8);
    float *sc = calloc((size_t)q.k, 4);
    r = 0;
    for (int i = 0; i < nw && !r; i++) {
        int64_t id = cli_lookup(v, argv[optind + 1 + i]);
        if (id < 0) { r = 1; break; }
        ex[i] = id;
        for (int64_t j = 0; j < vn->d; j++) qv[j] += lt_vecs_row(vn, id)[j];
    }
    if (!r) {
        int n = q.index ? nearest_index(q.index, q.ef, v, qv, q.k, ex, nw, ids, sc) : lt_nearest(vn, qv, q.k, q.restrict_n, ex, nw, ids, sc);
        if (n < 0) r = cli_fail("similar");
        else print_hits(v, ids, sc, n);
    }
    free(qv); free(ex); free(ids); free(sc);
    lt_vecs_free(vn); lt_vecs_free(v);
    return r;
}

int cmd_analogy(int argc, char **argv) {
    static const char *U = "usage: latent analogy VECS A B C [-k K] [--mul] [--restrict N] [--index INDEX [--ef 64]]\n"
                           "  A is to B as C is to ?: 3CosAdd (b - a + c) [default] or 3CosMul (--mul); A, B, C excluded;\n"
                           "  --index answers 3CosAdd through a cosine HNSW index built from VECS\n";
    qopts q = {10, 0, NULL, 0, NULL, NULL, 0, 9, NULL, 64};
    int r = parse_q(argc, argv, U, &q);
    if (r >= 0) return r;
    if (argc - optind != 4) return cli_usage(U, "analogy: expected VECS A B C");
    lt_vecs *v;
    if ((r = cli_load(argv[optind], q.fmt, &v))) return r;
    int64_t a = cli_lookup(v, argv[optind + 1]), b = cli_lookup(v, argv[optind + 2]), c = cli_lookup(v, argv[optind + 3]);
    if (a < 0 || b < 0 || c < 0) { lt_vecs_free(v); return 1; }
    lt_vecs *vn = lt_vecs_normalized(v);
    int64_t *ids = calloc((size_t)q.k, 8);
    float *sc = calloc((size_t)q.k, 4);
    int n = -1;
    if (vn && q.index && !q.mul) {
        float *qv = calloc((size_t)vn->ld, 4);
        for (int64_t j = 0; j < vn->d; j++) qv[j] = lt_vecs_row(vn, b)[j] - lt_vecs_row(vn, a)[j] + lt_vecs_row(vn, c)[j];
        int64_t ex[3] = {a, b, c};
        n = nearest_index(q.index, q.ef, v, qv, q.k, ex, 3, ids, sc);
        free(qv);
    } else if (vn) n = lt_analogy(vn, a, b, c, q.mul ? LT_ANALOGY_MUL : LT_ANALOGY_ADD, q.k, q.restrict_n, ids, sc);
    if (n < 0) r = cli_fail("analogy");
    else print_hits(v, ids, sc, n);
    free(ids); free(sc);
    lt_vecs_free(vn); lt_vecs_free(v);
    return r;
}

int cmd_vector(int argc, char **argv) {
    static const char *U = "usage: latent vector VECS WORD... [--format F]\n  prints \"WORD v1 ... vd\" for each WORD\n";
    qopts q = {10, 0, NULL, 0, NULL, NULL, 0, 9, NULL, 64};
    int r = parse_q(argc, argv, U, &q);
    if (r >= 0) return r;
    if (argc - optind < 2) return cli_usage(U, "vector: expected VECS and at least one WORD");
    lt_vecs *v;
    if ((r = cli_load(argv[optind], q.fmt, &v))) return r;
    for (int i = optind + 1; i < argc; i++) {
        int64_t id = cli_lookup(v, argv[i]);
        if (id < 0) { r = 1; continue; }
        printf("%s", argv[i]);
        for (int64_t j = 0; j < v->d; j++) printf(" %.9g", (double)lt_vecs_row(v, id)[j]);
        printf("\n");
    }
    lt_vecs_free(v);
    return r;
}

int cmd_info(int argc, char **argv) {
    static const char *U = "usage: latent info VECS [--format F]\n  shape, format, norms and metadata\n";
    qopts q = {10, 0, NULL, 0, NULL, NULL, 0, 9, NULL, 64};
    int r = parse_q(argc, argv, U, &q);
    if (r >= 0) return r;
    if (argc - optind != 1) return cli_usage(U, "info: expected VECS");
    lt_vecs *v;
    if ((r = cli_load(argv[optind], q.fmt, &v))) return r;
    lt_format f = q.fmt ? lt_format_from_name(q.fmt) : lt_format_from_path(argv[optind]);
    double sn = 0;
    for (int64_t i = 0; i < v->n; i++) {
        double s = 0;
        for (int64_t j = 0; j < v->d; j++) s += (double)lt_vecs_row(v, i)[j] * lt_vecs_row(v, i)[j];
        sn += sqrt(s);
    }
    printf("file\t%s\nformat\t%s\nrows\t%lld\ndim\t%lld\nlabels\t%s\nmean_norm\t%.6f\n", argv[optind], lt_format_name(f),
           (long long)v->n, (long long)v->d, v->labels ? "yes" : "no", v->n ? sn / (double)v->n : 0.0);
    const char *k, *val;
    for (int i = 0; lt_vecs_meta_at(v, i, &k, &val); i++) printf("meta.%s\t%s\n", k, val);
    lt_vecs_free(v);
    return 0;
}

int cmd_eval(int argc, char **argv) {
    static const char *U = "usage: latent eval analogy VECS QUESTIONS [--restrict N] [--mul]\n"
                           "       latent eval similarity VECS PAIRS.tsv [--restrict N]\n"
                           "  analogy: Google format; accuracy per section, semantic/syntactic/total and coverage,\n"
                           "           over the N [30000] most frequent words (0 = all), case-insensitive\n"
                           "  similarity: word1<TAB>word2<TAB>score; Spearman rho, Pearson r, coverage\n"
                           "       latent eval recall INDEX --queries Q ...   (see 'latent eval recall --help')\n";
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) { fputs(U, stdout); return 0; }
    if (argc < 2) return cli_usage(U, "eval: expected 'analogy', 'similarity' or 'recall'");
    const char *what = argv[1];
    if (!strcmp(what, "recall")) { optind = 1; return cmd_eval_recall(argc - 1, argv + 1); }
    argc--; argv++;
    qopts q = {10, strcmp(what, "similarity") ? 30000 : 300000, NULL, 0, NULL, NULL, 0, 9, NULL, 64};
    int r = parse_q(argc, argv, U, &q);
    if (r >= 0) return r;
    if (argc - optind != 2) return cli_usage(U, "eval %s: expected VECS and a test file", what);
    if (strcmp(what, "analogy") && strcmp(what, "similarity")) return cli_usage(U, "eval: unknown evaluation '%s'", what);
    lt_vecs *v;
    if ((r = cli_load(argv[optind], q.fmt, &v))) return r;
    if (!strcmp(what, "analogy")) {
        lt_analogy_report rep;
        if (lt_eval_analogy(v, argv[optind + 1], q.restrict_n, q.mul ? LT_ANALOGY_MUL : LT_ANALOGY_ADD, 1, &rep)) { lt_vecs_free(v); return cli_fail("eval analogy"); }
        printf("section\tcorrect\ttotal\taccuracy\tskipped\n");
        for (int i = 0; i < rep.n_sections; i++) {
            lt_analogy_section *s = &rep.sections[i];
            printf("%s\t%lld\t%lld\t%.4f\t%lld\n", s->name, (long long)s->correct, (long long)s->total, s->total ? (double)s->correct / (double)s->total : 0.0, (long long)s->skipped);
        }
        printf("semantic\t%lld\t%lld\t%.4f\n", (long long)rep.sem_correct, (long long)rep.sem_total, rep.sem_total ? (double)rep.sem_correct / (double)rep.sem_total : 0.0);
        printf("syntactic\t%lld\t%lld\t%.4f\n", (long long)rep.syn_correct, (long long)rep.syn_total, rep.syn_total ? (double)rep.syn_correct / (double)rep.syn_total : 0.0);
        printf("total\t%lld\t%lld\t%.4f\n", (long long)rep.correct, (long long)rep.total, rep.total ? (double)rep.correct / (double)rep.total : 0.0);
        printf("coverage\t%lld\t%lld\t%.4f\n", (long long)rep.total, (long long)rep.questions, rep.questions ? (double)rep.total / (double)rep.questions : 0.0);
        lt_analogy_report_destroy(&rep);
    } else {
        lt_similarity_report rep;
        if (lt_eval_similarity(v, argv[optind + 1], q.restrict_n, &rep)) { lt_vecs_free(v); return cli_fail("eval similarity"); }
        printf("spearman\t%.4f\npearson\t%.4f\ncoverage\t%lld\t%lld\t%.4f\n", rep.spearman, rep.pearson, (long long)rep.used,
               (long long)rep.total, rep.total ? (double)rep.used / (double)rep.total : 0.0);
    }
    lt_vecs_free(v);
    return 0;
}
