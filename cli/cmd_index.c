/* latent index build|add|delete|info, latent search, latent eval recall */
#include "cli.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int is_index(const char *p) {
    size_t n = strlen(p);
    return n > 6 && !strcmp(p + n - 6, ".lhnsw");
}

typedef struct {
    const char *out, *from, *queries, *truth, *base, *vectors, *efs;
    const char *words[256];
    int n_words;
    lt_hnsw_opts ho;
    int threads, k, ef, json, compact, metric_set, repeat;
    long long first_id;
} iopts;

enum {
    O_OUT = 1,
    O_THREADS,
    O_K,
    O_QUIET,
    O_METRIC,
    O_M,
    O_EFC,
    O_EF,
    O_QUER,
    O_TRUTH,
    O_WORD,
    O_BASE,
    O_VECT,
    O_JSON,
    O_FIRST,
    O_COMPACT,
    O_FROM,
    O_SEED,
    O_STORAGE,
    O_NORERANK,
    O_REPEAT
};
#define OPT_THREADS \
    { "threads", 't', "N", O_THREADS, "threads [number of CPUs]" }
#define OPT_QUIET \
    { "quiet", 'q', NULL, O_QUIET, "no summary on stderr" }
#define OPT_FROM \
    { "from", 0, "F", O_FROM, "format of the vector file [from its name]" }
#define OPT_JSON \
    { "json", 0, NULL, O_JSON, "JSON output" }

static int parse_i(int argc, char **argv, const cli_spec *S, iopts *o) {
    const char *U = S->usage, *a;
    int c;
    long long iv;
    optind = 1;
    while ((c = cli_getopt(argc, argv, S, &a)) != CLI_END) {
        switch (c) {
        case CLI_HELP:
        case CLI_ERROR: return CLI_DONE(c);
        case O_OUT: o->out = a; break;
        case O_THREADS:
            if (!cli_int(a, 1, 256, &iv)) return cli_usage(U, "--threads must be 1..256");
            o->threads = (int)iv;
            break;
        case O_K:
            if (!cli_int(a, 1, 100000, &iv)) return cli_usage(U, "-k must be 1..100000");
            o->k = (int)iv;
            break;
        case O_QUIET: cli_set_quiet(1); break;
        case O_METRIC:
            if (lt_metric_from_name(a, &o->ho.metric)) return cli_usage(U, "%s", lt_errmsg());
            o->metric_set = 1;
            break;
        case O_M:
            if (!cli_int(a, 2, 256, &iv)) return cli_usage(U, "--M must be 2..256");
            o->ho.M = (int)iv;
            break;
        case O_EFC:
            if (!cli_int(a, 1, 100000, &iv))
                return cli_usage(U, "--ef-construction must be an integer from %lld to %lld",
                        (long long)1, (long long)(100000));
            o->ho.ef_construction = (int)iv;
            break;
        case O_EF:
            o->efs = a;
            if (!cli_int(a, 1, 1000000, &iv)) {
                if (!strchr(a, ',') || strcmp(S->name, "eval recall"))
                    return cli_usage(U, "--ef must be a positive integer");
                iv = atoi(a);
            }
            o->ef = (int)iv;
            break;
        case O_QUER: o->queries = a; break;
        case O_TRUTH: o->truth = a; break;
        case O_WORD:
            if (o->n_words == 256) return cli_usage(U, "at most 256 --word queries");
            o->words[o->n_words++] = a;
            break;
        case O_BASE: o->base = a; break;
        case O_VECT: o->vectors = a; break;
        case O_JSON: o->json = 1; break;
        case O_FIRST:
            if (!cli_int(a, 0, INT64_MAX / 2, &iv))
                return cli_usage(U, "--first-id must be 0..2^62");
            o->first_id = iv;
            break;
        case O_COMPACT: o->compact = 1; break;
        case O_FROM:
            if (lt_format_from_name(a) == LT_FMT_AUTO)
                return cli_usage(U, "unknown format '%s'", a);
            o->from = a;
            break;
        case O_STORAGE:
            if (!strcmp(a, "f32")) o->ho.storage = LT_HNSW_F32;
            else if (!strcmp(a, "f16")) o->ho.storage = LT_HNSW_F16;
            else if (!strcmp(a, "int8")) o->ho.storage = LT_HNSW_INT8;
            else return cli_usage(U, "--storage must be f32, f16 or int8");
            break;
        case O_NORERANK: o->ho.rerank = 0; break;
        case O_REPEAT:
            if (!cli_int(a, 1, 100, &iv)) return cli_usage(U, "--repeat must be 1..100");
            o->repeat = (int)iv;
            break;
        case O_SEED:
            if (!cli_int(a, 0, INT64_MAX, &iv)) return cli_usage(U, "bad --seed");
            o->ho.seed = (uint64_t)iv;
            break;
        }
    }
    return -1;
}
static void iopts_init(iopts *o) {
    memset(o, 0, sizeof *o);
    lt_hnsw_opts_init(&o->ho);
    o->ho.metric = LT_METRIC_COS; /* the one default metric of every command (docs/cli.md) */
    o->threads = lt_cpu_count();
    o->k = 10;
    o->ef = 64;
    o->first_id = -1;
    o->repeat = 1;
}

static int load_index(const char *p, lt_hnsw **h) { return lt_hnsw_load(h, p) ? cli_fail("") : 0; }

static const cli_opt g_build_opts[] = { { "output", 'o', "INDEX", O_OUT,
                                                "the index file to write (required)" },
    { "metric", 0, "M", O_METRIC, "l2 | ip | cosine [cosine]" },
    { "M", 0, "N", O_M, "links per node (2M on layer 0) [16]" },
    { "ef-construction", 0, "N", O_EFC, "build breadth [200]" },
    { "seed", 's', "N", O_SEED, "level draws [100]" },
    { "storage", 0, "S", O_STORAGE, "f32 | f16 | int8 vectors for the graph [f32]" },
    { "no-rerank", 0, NULL, O_NORERANK, "f16/int8: drop the f32 copy kept for exact re-ranking" },
    OPT_THREADS, OPT_FROM, OPT_QUIET, { 0 } };
static const cli_opt g_add_opts[] = { { "first-id", 0, "N", O_FIRST,
                                              "id of the first row [after the largest id]" },
    { "output", 'o', "OUT", O_OUT, "write the grown index here [in place]" }, OPT_THREADS, OPT_FROM,
    OPT_QUIET, { 0 } };
static const cli_opt g_del_opts[] = {
    { "compact", 0, NULL, O_COMPACT, "rebuild without the deleted nodes (reclaims space)" },
    { "output", 'o', "OUT", O_OUT, "write the index here [in place]" }, OPT_THREADS, OPT_QUIET,
    { 0 }
};
static const cli_opt g_info_opts[] = { OPT_JSON, { 0 } };
static const cli_spec g_build = { "index build",
    "usage: latent index build VECS -o INDEX.lhnsw [options]\n"
    "  an HNSW index of every row of VECS; ids are row numbers\n",
    g_build_opts };
static const cli_spec g_add = { "index add",
    "usage: latent index add INDEX VECS [options]\n"
    "  adds the rows of VECS (ids continue after the largest unless --first-id)\n",
    g_add_opts };
static const cli_spec g_del = { "index delete",
    "usage: latent index delete INDEX ID... [options]\n"
    "  deleted ids are never returned again\n",
    g_del_opts };
static const cli_spec g_info = { "index info", "usage: latent index info INDEX [options]\n",
    g_info_opts };

int cmd_index(int argc, char **argv) {
    static const char *U =
            "usage: latent index build|add|delete|info ... ('latent index SUB --help')\n";
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs(U, stdout);
        cli_help(&g_build, stdout);
        cli_help(&g_add, stdout);
        cli_help(&g_del, stdout);
        cli_help(&g_info, stdout);
        return 0;
    }
    if (argc < 2) return cli_usage(U, "index: expected build, add, delete or info");
    const char *sub = argv[1];
    const cli_spec *S = !strcmp(sub, "build") ? &g_build
            : !strcmp(sub, "add")             ? &g_add
            : !strcmp(sub, "delete")          ? &g_del
            : !strcmp(sub, "info")            ? &g_info
                                              : NULL;
    if (!S) return cli_usage(U, "index: unknown subcommand '%s'", sub);
    argc--;
    argv++;
    iopts o;
    iopts_init(&o);
    int r = parse_i(argc, argv, S, &o);
    if (r >= 0) return r;
    int nargs = argc - optind;
    char **a = argv + optind;
    if (!strcmp(sub, "build")) {
        if (nargs != 1 || !o.out)
            return cli_usage(S->usage, "index build: expected VECS and -o INDEX");
        if (o.ho.rerank == 0 && o.ho.storage == LT_HNSW_F32)
            return cli_usage(S->usage, "--no-rerank applies to --storage f16 or int8");
        lt_vecs *v;
        if ((r = cli_load(a[0], o.from, &v))) return r;
        lt_hnsw *h;
        double t0 = lt_now();
        if (lt_hnsw_new(&h, v->d, &o.ho) || lt_hnsw_add_store(h, v, 0, o.threads)) {
            lt_vecs_free(v);
            return cli_fail("index build");
        }
        double tb = lt_now() - t0;
        lt_hnsw_base base; /* recorded, so that the index refuses to answer for other vectors */
        lt_hnsw_base_of(v, &base);
        lt_hnsw_set_base(h, &base);
        lt_vecs_free(v);
        r = lt_hnsw_save(h, o.out) ? cli_fail("") : 0;
        if (!r && !cli_quiet())
            fprintf(stderr, "latent: built %lld vectors in %.2fs (%d threads) -> %s\n",
                    (long long)lt_hnsw_get_info(h).count, tb, o.threads, o.out);
        lt_hnsw_free(h);
        return r;
    }
    if (!strcmp(sub, "info")) {
        if (nargs != 1) return cli_usage(S->usage, "index info: expected INDEX");
        lt_hnsw *h;
        if ((r = load_index(a[0], &h))) return r;
        lt_hnsw_info in = lt_hnsw_get_info(h);
        lt_hnsw_base base;
        int has_base = lt_hnsw_get_base(h, &base);
        static const char *stn[] = { "f32", "f16", "int8" };
        if (o.json) {
            fputs("{\"file\": ", stdout);
            cli_json_str(stdout, a[0]);
            printf(", \"count\": %lld, \"deleted\": %lld, \"dim\": %lld, \"metric\": \"%s\", \"M\": %d, \"ef_construction\": %d, "
                   "\"seed\": %llu, \"max_level\": %lld, \"storage\": \"%s\", \"rerank\": %s, \"memory_bytes\": %lld, "
                   "\"search_bytes\": %lld, \"built_from_rows\": ",
                    (long long)in.count, (long long)in.deleted, (long long)in.d,
                    lt_metric_name(in.metric), in.M, in.ef_construction,
                    (unsigned long long)in.seed, (long long)in.max_level, stn[in.storage],
                    in.rerank ? "true" : "false", (long long)in.bytes, (long long)in.search_bytes);
            if (has_base) printf("%lld}\n", (long long)base.rows);
            else puts("null}");
            lt_hnsw_free(h);
            return 0;
        }
        printf("file\t%s\ncount\t%lld\ndeleted\t%lld\ndim\t%lld\nmetric\t%s\nM\t%d\nef_construction\t%d\nseed\t%llu\nmax_level\t%lld\n"
               "storage\t%s\nrerank\t%s\nmemory_bytes\t%lld\nsearch_bytes\t%lld\n",
                a[0], (long long)in.count, (long long)in.deleted, (long long)in.d,
                lt_metric_name(in.metric), in.M, in.ef_construction, (unsigned long long)in.seed,
                (long long)in.max_level, stn[in.storage], in.rerank ? "yes" : "no",
                (long long)in.bytes, (long long)in.search_bytes);
        if (has_base) printf("built_from_rows\t%lld\n", (long long)base.rows);
        else puts("built_from_rows\tunknown (an older index, or changed since it was built)");
        lt_hnsw_free(h);
        return 0;
    }
    if (!strcmp(sub, "add") || !strcmp(sub, "delete")) {
        if (nargs < 2 || (!strcmp(sub, "add") && nargs != 2))
            return cli_usage(S->usage, "index %s: expected INDEX and %s", sub,
                    !strcmp(sub, "add") ? "VECS" : "IDs");
        /* in place: hold the file's lock from load to rename, so concurrent writers cannot lose
         * each other's changes (the second fails clearly instead) */
        int lockfd = -1;
        if ((!o.out || !strcmp(o.out, a[0])) && lt_file_lock(a[0], &lockfd)) return cli_fail("");
        lt_hnsw *h;
        if ((r = load_index(a[0], &h))) {
            lt_file_unlock(lockfd);
            return r;
        }
        if (!strcmp(sub, "add")) {
            lt_vecs *v;
            if ((r = cli_load(a[1], o.from, &v))) {
                lt_hnsw_free(h);
                return r;
            }
            if (o.first_id < 0) {
                lt_vecs *ev;
                int64_t *ids;
                if (lt_hnsw_export(h, &ev, &ids)) {
                    lt_vecs_free(v);
                    lt_hnsw_free(h);
                    return cli_fail("");
                }
                o.first_id = 0;
                for (int64_t i = 0; i < ev->n; i++)
                    if (ids[i] + 1 > o.first_id) o.first_id = ids[i] + 1;
                lt_vecs_free(ev);
                lt_free(ids);
            }
            r = lt_hnsw_add_store(h, v, o.first_id, o.threads) ? cli_fail("index add") : 0;
            lt_vecs_free(v);
        } else {
            for (int i = 1; i < nargs && !r; i++) {
                long long id;
                if (!cli_int(a[i], 0, INT64_MAX, &id)) {
                    r = cli_usage(S->usage, "bad id '%s'", a[i]);
                    break;
                }
                if (lt_hnsw_delete(h, id)) r = cli_fail("index delete");
            }
            if (!r && o.compact && lt_hnsw_compact(h, o.threads)) r = cli_fail("index delete");
        }
        if (!r && getenv("LATENT_TEST_HOLD_LOCK"))
            sleep((unsigned)atoi(getenv("LATENT_TEST_HOLD_LOCK"))); /* tests: widen the window */
        if (!r && lt_hnsw_save(h, o.out ? o.out : a[0])) r = cli_fail("");
        if (!r && !cli_quiet()) {
            lt_hnsw_info in = lt_hnsw_get_info(h);
            fprintf(stderr, "latent: index %s: %lld live of %lld nodes%s (%d threads) -> %s\n", sub,
                    (long long)(in.count - in.deleted), (long long)in.count,
                    o.compact ? ", compacted" : "", o.threads, o.out ? o.out : a[0]);
        }
        lt_hnsw_free(h);
        lt_file_unlock(lockfd);
        return r;
    }
    return cli_usage(U, "index: unknown subcommand '%s'", sub);
}

/* the (nq, k) distances as a store, for the .fvecs / .dist.npy beside the ids */
static lt_vecs *dist_store(const float *D, int64_t nq, int k) {
    lt_vecs *dv = lt_vecs_new(nq, k);
    for (int64_t i = 0; dv && i < nq; i++) memcpy(lt_vecs_row(dv, i), D + i * k, (size_t)k * 4);
    return dv;
}

/* results: .ivecs (+ .fvecs distances beside), .npy (+ .dist.npy), else TSV or JSON lines */
static int write_results(const char *out, int json, const float *D, const int64_t *I, int64_t nq,
        int k, const lt_vecs *labels, const char *const *qnames) {
    size_t n = strlen(out);
    char stem[4096];
    snprintf(stem, sizeof stem, "%s", out);
    if (n > 6 && !strcmp(out + n - 6, ".ivecs")) {
        if (json) return cli_usage("", "--json writes text: not with an .ivecs output");
        stem[n - 6] = 0;
        strncat(stem, ".fvecs", sizeof stem - strlen(stem) - 1);
        lt_vecs *dv = dist_store(D, nq, k);
        if (!dv) return cli_fail("");
        int r = lt_ivecs_write(out, I, nq, k) || lt_vecs_save(dv, stem, LT_FMT_FVECS, NULL);
        lt_vecs_free(dv);
        return r ? cli_fail("") : 0;
    }
    if (n > 4 && !strcmp(out + n - 4, ".npy")) {
        if (json) return cli_usage("", "--json writes text: not with an .npy output");
        lt_afile af;
        if (lt_afile_open(&af, out)) return cli_fail("");
        char h[128];
        int hl = snprintf(h, sizeof h,
                "{'descr': '<i8', 'fortran_order': False, 'shape': (%lld, %d), }", (long long)nq,
                k);
        int pad = (64 - (10 + hl + 1) % 64) % 64, tot = hl + pad + 1;
        fwrite("\x93NUMPY\x01\x00", 1, 8, af.f);
        fputc(tot & 0xff, af.f);
        fputc(tot >> 8, af.f);
        fwrite(h, 1, (size_t)hl, af.f);
        for (int i = 0; i < pad; i++) fputc(' ', af.f);
        fputc('\n', af.f);
        fwrite(I, 8, (size_t)(nq * k), af.f);
        if (lt_afile_commit(&af)) return cli_fail("");
        stem[n - 4] = 0;
        strncat(stem, ".dist.npy", sizeof stem - strlen(stem) - 1);
        lt_vecs *dv = dist_store(D, nq, k);
        int r = !dv || lt_vecs_save(dv, stem, LT_FMT_NPY, NULL);
        lt_vecs_free(dv);
        return r ? cli_fail("") : 0;
    }
    lt_afile af;
    if (lt_afile_open(&af, out)) return cli_fail("");
    if (!json) cli_hits_header(af.f, "distance");
    for (int64_t i = 0; i < nq; i++) {
        char qn[32];
        snprintf(qn, sizeof qn, "%lld", (long long)i);
        cli_hits(af.f, json, qnames ? qnames[i] : qn, "distance", I + i * k, D + i * k, k, labels);
    }
    return lt_afile_commit(&af) ? cli_fail("") : 0;
}

int cmd_search(int argc, char **argv) {
    static const cli_opt opts[] = {
        { "word", 0, "W", O_WORD,
                "query with the vector of W (repeatable; from VECS, or --base for an index)" },
        { "vectors", 0, "Q", O_VECT, "query with every row of the vector file Q" },
        { "base", 0, "VECS", O_BASE,
                "the vectors an index was built from: labels and --word lookups" },
        { "k", 'k', "N", O_K, "neighbours per query [10]" },
        { "ef", 0, "N", O_EF, "HNSW search breadth [64]" },
        { "metric", 0, "M", O_METRIC,
                "exact search: l2 | ip | cosine [cosine]; an index keeps its own" },
        { "output", 'o', "OUT", O_OUT,
                ".ivecs (+ .fvecs distances), .npy (+ .dist.npy), else TSV [stdout]" },
        OPT_JSON, OPT_THREADS, OPT_FROM, OPT_QUIET, { 0 }
    };
    static const cli_spec S = { "search",
        "usage: latent search INDEX.lhnsw|VECS (--word W | --vectors Q) [options]\n"
        "  k nearest neighbours: HNSW search of an index, or exact search over every row of VECS;\n"
        "  columns: query rank id label distance (smaller is closer: l2 squared, 1 - dot, 1 - cosine)\n",
        opts };
    const char *U = S.usage;
    iopts o;
    iopts_init(&o);
    int r = parse_i(argc, argv, &S, &o);
    if (r >= 0) return r;
    if (argc - optind != 1) return cli_usage(U, "search: expected INDEX or VECS");
    if (!!o.n_words == !!o.vectors)
        return cli_usage(U, "search: give --word or --vectors (not both)");
    const char *target = argv[optind];
    if (is_index(target) && o.from)
        return cli_usage(U, "--from names the format of a vector file, not of an index");
    if (!is_index(target) && (o.base || o.ef != 64))
        return cli_usage(U, "--base and --ef apply to an index");
    lt_hnsw *h = NULL;
    lt_vecs *base = NULL, *labels = NULL, *Q = NULL;
    float *D = NULL;
    int64_t *I = NULL;
    if (is_index(target)) {
        if ((r = load_index(target, &h))) return r;
        lt_metric im = lt_hnsw_get_info(h).metric;
        if (o.metric_set && o.ho.metric != im) {
            r = cli_usage(U, "search: %s was built with metric %s; --metric %s cannot change it",
                    target, lt_metric_name(im), lt_metric_name(o.ho.metric));
            goto done;
        }
    } else if ((r = cli_load(target, o.from, &base))) return r;
    if (o.base) {
        if ((r = cli_load(o.base, NULL, &labels))) goto done;
        if (h && lt_hnsw_check_base(h, labels, target, o.base)) {
            r = cli_fail("search");
            goto done;
        }
    }
    const lt_vecs *lab = labels ? labels : base;
    if (o.n_words) {
        if (!lab || !lab->labels) {
            r = cli_usage(
                    U, "search: --word needs labelled vectors (give --base VECS with an index)");
            goto done;
        }
        if (!(Q = lt_vecs_new(o.n_words, lab->d))) {
            r = cli_fail("");
            goto done;
        }
        for (int i = 0; i < o.n_words; i++) {
            int64_t id = cli_lookup(lab, o.words[i]);
            if (id < 0) {
                r = 1;
                goto done;
            }
            memcpy(lt_vecs_row(Q, i), lt_vecs_row(lab, id), (size_t)lab->d * 4);
        }
    } else if ((r = cli_load(o.vectors, NULL, &Q))) goto done;
    int64_t d = h ? lt_hnsw_get_info(h).d : base->d;
    if (Q->d != d) {
        fprintf(stderr, "latent: queries have dimension %lld, the %s %lld\n", (long long)Q->d,
                h ? "index" : "vectors", (long long)d);
        r = 1;
        goto done;
    }
    size_t cells;
    if (!lt_mul_ok((size_t)Q->n, (size_t)o.k, &cells) ||
            !(D = malloc(sizeof(float) * (cells ? cells : 1))) ||
            !(I = malloc(sizeof(int64_t) * (cells ? cells : 1)))) {
        fprintf(stderr, "latent: search: out of memory for %lld x %d results\n", (long long)Q->n,
                o.k);
        r = 1;
        goto done;
    }
    double t0 = lt_now();
    if (h) r = lt_hnsw_search_batch(h, Q->data, Q->n, Q->ld, o.k, o.ef, NULL, o.threads, D, I);
    else r = lt_knn_exact(base, Q->data, Q->n, Q->ld, o.k, o.ho.metric, o.threads, D, I);
    double el = lt_now() - t0;
    if (!r && !cli_quiet())
        fprintf(stderr, "latent: search: %lld queries in %.3fs (%.1f queries/s, %s, %d threads)\n",
                (long long)Q->n, el, el > 0 ? (double)Q->n / el : 0.0, h ? "hnsw" : "exact",
                o.threads);
    if (r) r = cli_fail("search");
    else
        r = write_results(o.out ? o.out : "-", o.json, D, I, Q->n, o.k,
                lab && lab->labels ? lab : NULL, o.n_words ? o.words : NULL);
done:
    free(D);
    free(I);
    lt_hnsw_free(h);
    lt_vecs_free(base);
    lt_vecs_free(labels);
    lt_vecs_free(Q);
    return r;
}

int cmd_eval_recall(int argc, char **argv) {
    static const cli_opt opts[] = { { "queries", 0, "Q", O_QUER, "query vectors (required)" },
        { "truth", 0, "T.ivecs", O_TRUTH,
                "true neighbour ids [exact search over the index's own vectors]" },
        { "k", 'k', "N", O_K, "recall@k [10]" },
        { "ef", 0, "N[,N...]", O_EF, "search breadths to measure [64]" },
        { "repeat", 0, "N", O_REPEAT, "time each ef N times and keep the best [1]" }, OPT_JSON,
        OPT_THREADS, { 0 } };
    static const cli_spec S = { "eval recall",
        "usage: latent eval recall INDEX --queries Q [options]\n"
        "  recall@k of HNSW against exact search, and queries/s of the search alone (after loading)\n",
        opts };
    const char *U = S.usage;
    iopts o;
    iopts_init(&o);
    int r = parse_i(argc, argv, &S, &o);
    if (r >= 0) return r;
    if (argc - optind != 1 || !o.queries)
        return cli_usage(U, "eval recall: expected INDEX and --queries Q");
    lt_hnsw *h;
    if ((r = load_index(argv[optind], &h))) return r;
    lt_vecs *Q = NULL;
    int64_t *T = NULL, tn = 0, tk = 0;
    if ((r = cli_load(o.queries, NULL, &Q))) goto done;
    lt_hnsw_info in = lt_hnsw_get_info(h);
    if (Q->d != in.d) {
        fprintf(stderr, "latent: queries have dimension %lld, the index %lld\n", (long long)Q->d,
                (long long)in.d);
        r = 1;
        goto done;
    }
    if (o.truth) {
        if (lt_ivecs_read(o.truth, &T, &tn, &tk)) {
            r = cli_fail("");
            goto done;
        }
        if (tn != Q->n || tk < o.k) {
            fprintf(stderr, "latent: %s has %lld x %lld ids; need %lld x >= %d\n", o.truth,
                    (long long)tn, (long long)tk, (long long)Q->n, o.k);
            r = 1;
            goto done;
        }
    } else {
        tk = o.k;
        tn = Q->n;
        T = lt_malloc(sizeof(int64_t) * (size_t)(tn * tk) + 1);
        if (!T) {
            lt_err(LT_ENOMEM, "out of memory for %lld x %lld results", (long long)tn,
                    (long long)tk);
            r = cli_fail("eval recall");
        } else if (lt_hnsw_truth(h, Q->data, Q->n, Q->ld, o.k, o.threads, T))
            r = cli_fail("eval recall");
        if (r) goto done;
    }
    char efbuf[256];
    snprintf(efbuf, sizeof efbuf, "%s", o.efs ? o.efs : "64");
    if (!o.json) printf("k\tef\tthreads\trecall\tqps\trepeat\n");
    for (char *tok = strtok(efbuf, ","); tok; tok = strtok(NULL, ",")) {
        int ef = atoi(tok);
        if (ef <= 0) continue;
        double rec = 0, el = 0;
        if (lt_hnsw_recall(
                    h, Q->data, Q->n, Q->ld, o.k, ef, T, tk, o.repeat, o.threads, &rec, &el)) {
            r = cli_fail("eval recall");
            break;
        }
        double qps = el > 0 ? (double)Q->n / el : 0;
        if (o.json)
            cli_jprintf(stdout,
                    "{\"k\": %d, \"ef\": %d, \"threads\": %d, \"recall\": %.5f, \"qps\": %.1f, \"repeat\": %d}\n",
                    o.k, ef, o.threads, rec, qps, o.repeat);
        else printf("%d\t%d\t%d\t%.5f\t%.1f\t%d\n", o.k, ef, o.threads, rec, qps, o.repeat);
    }
done:
    lt_hnsw_free(h);
    lt_vecs_free(Q);
    lt_free(T);
    return r;
}
