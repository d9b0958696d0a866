/* latent train deepwalk|node2vec, latent graph info */
#include "cli.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum {
    O_OUT = 1,
    O_FMT,
    O_WEIGHTED,
    O_DIRECTED,
    O_DIM,
    O_LEN,
    O_NUM,
    O_WIN,
    O_P,
    O_Q,
    O_EPO,
    O_NEG,
    O_MINC,
    O_THREADS,
    O_SEED,
    O_QUIET,
    O_WALKS,
    O_NOCACHE,
    O_ALPHA,
    O_SAMPLE,
    O_JSON,
    O_HOLDOUT,
    O_TEST,
    O_PLAIN,
    O_NUMNODES,
    O_ORDER,
    O_POINTS,
    O_THETA,
    O_BINS,
    O_NEGS,
    O_VECS,
    O_HEADER
};
#define GRAPH_OPTS \
    { "weighted", 0, NULL, O_WEIGHTED, "read the third column as the edge weight" }, \
            { "directed", 0, NULL, O_DIRECTED, "edges go src -> dst only (default: undirected)" }, \
            { "no-cache", 0, NULL, O_NOCACHE, \
                "neither read nor write the binary cache (GRAPH.KIND.lgraph)" }, \
    { \
        "header", 0, NULL, O_HEADER, \
                "the first line names the columns (without it, skipped only when certain)" \
    }

#define WALK_OPTS \
    { "output", 'o', "F", O_OUT, \
        "vectors; format from the extension (.lvec .bin .txt .vec .npy ..., + .gz)" }, \
            { "format", 0, "F", O_FMT, "output format, overriding the extension" }, GRAPH_OPTS, \
            { "dim", 0, "N", O_DIM, "dimension [128]" }, \
            { "walk-length", 0, "N", O_LEN, "nodes per walk [80]" }, \
            { "num-walks", 0, "N", O_NUM, "walks per node [10]" }, \
            { "window", 0, "N", O_WIN, "skip-gram window [10]" }, \
            { "epochs", 0, "N", O_EPO, "passes over the walks [1]" }, \
            { "negative", 0, "N", O_NEG, "negative samples [5]" }, \
            { "alpha", 0, "X", O_ALPHA, \
                "starting learning rate [auto: 1.25 / an edge's walk crossings, docs/graph.md]" }, \
            { "sample", 0, "X", O_SAMPLE, "subsampling threshold of frequent nodes [1e-3]" }, \
            { "min-count", 0, "N", O_MINC, "nodes seen fewer times in the walks get no row [0]" }, \
            { "walks-out", 0, "F", O_WALKS, "also write the walks, one per line of node ids" }, \
            { "threads", 't', "N", O_THREADS, "[number of CPUs]; the walks do not depend on it" }, \
            { "seed", 's', "N", O_SEED, "[1]" }, \
            { "plain", 0, NULL, O_PLAIN, \
                "word2vec's per-pair updates instead of the batched trainer" }, \
            { "negatives", 0, "M", O_NEGS, \
                "pair (each pair its own), window (shared by a window: less memory traffic), auto:\n" \
                "                           pair while the output rows fit in 4 MiB [auto]" }, \
            { "vectors", 0, "V", O_VECS, \
                "sum (a node's row + its context row, as GloVe's), node (the input rows alone, as\n" \
                "                           gensim, PecanPy and SNAP) or context [sum]" }, \
    { \
        "quiet", 'q', NULL, O_QUIET, "no progress or summary on stderr" \
    }
/* lt_graph_load, and its cache warning (a file under the cache's name passed over, a cache that
 * could not be written) on stderr */
static int load_graph(const char *path, const lt_graph_opts *go, lt_graph **g, lt_graph_stats *st) {
    int rc = lt_graph_load(path, go, g, st);
    if (!rc && st->cache_note[0] && !cli_quiet())
        fprintf(stderr, "latent: warning: %s\n", st->cache_note);
    if (!rc && st->header && !go->header && !cli_quiet())
        fprintf(stderr,
                "latent: %s: the first line was taken as a header (its ids are not numbers, all others are)\n",
                path);
    return rc;
}

static const cli_opt g_n2v_opts[] = { WALK_OPTS,
    { "p", 0, "X", O_P, "return parameter: weight 1/p to step back [1]" },
    { "q", 0, "X", O_Q, "in-out parameter: weight 1/q to step away from the previous node [1]" },
    { 0 } };
static const cli_opt g_dw_opts[] = { WALK_OPTS, { 0 } };
static const cli_spec g_n2v = { "train node2vec",
    "usage: latent train node2vec GRAPH -o VECS [options]\n"
    "  node2vec (Grover and Leskovec 2016): second-order walks with return p and in-out q, then skip-gram;\n"
    "  GRAPH: an edge list, \"src dst [weight]\" per line (tabs, commas or spaces; '#' comments); rows of\n"
    "  the output are the nodes by descending walk count, labelled with their ids as written\n",
    g_n2v_opts };
static const cli_spec g_dw = { "train deepwalk",
    "usage: latent train deepwalk GRAPH -o VECS [options]\n"
    "  DeepWalk (Perozzi et al. 2014): first-order random walks (weight-proportional with --weighted), then\n"
    "  skip-gram; GRAPH and the output as for node2vec\n",
    g_dw_opts };

int cmd_train_graph(const char *method, int argc, char **argv) {
    int n2v = !strcmp(method, "node2vec");
    const cli_spec *S = n2v ? &g_n2v : &g_dw;
    const char *U = S->usage, *a, *out = NULL, *fmt = NULL;
    lt_n2v_opts o;
    lt_n2v_opts_init(&o);
    o.sg.n_threads = lt_cpu_count();
    o.walk.second_order = n2v;
    lt_graph_opts go;
    lt_graph_opts_init(&go);
    int c;
    long long iv;
    double fv;
    int negs = 0;
    optind = 1;
    while ((c = cli_getopt(argc, argv, S, &a)) != CLI_END) {
        switch (c) {
        case CLI_HELP:
        case CLI_ERROR: return CLI_DONE(c);
        case O_OUT: out = a; break;
        case O_FMT:
            if (lt_format_from_name(a) == LT_FMT_AUTO)
                return cli_usage(U, "unknown format '%s'", a);
            fmt = a;
            break;
        case O_WEIGHTED: go.weighted = 1; break;
        case O_DIRECTED: go.directed = 1; break;
        case O_HEADER: go.header = 1; break;
        case O_NOCACHE: go.cache = 0; break;
        case O_DIM:
            if (!cli_int(a, 1, 100000, &iv)) return cli_usage(U, "--dim must be 1..100000");
            o.sg.dim = (int)iv;
            break;
        case O_LEN:
            if (!cli_int(a, 2, 1000000, &iv))
                return cli_usage(U, "--walk-length must be 2..1000000");
            o.walk.length = (int)iv;
            break;
        case O_NUM:
            if (!cli_int(a, 1, 100000, &iv)) return cli_usage(U, "--num-walks must be 1..100000");
            o.walk.num_walks = (int)iv;
            break;
        case O_WIN:
            if (!cli_int(a, 1, 1000, &iv)) return cli_usage(U, "--window must be 1..1000");
            o.sg.window = (int)iv;
            break;
        case O_P:
        case O_Q:
            if (!cli_float(a, 1e-6, 1e6, &fv))
                return cli_usage(U, "--%s must be a number in (0, 1e6]", c == O_P ? "p" : "q");
            if (c == O_P) o.walk.p = fv;
            else o.walk.q = fv;
            break;
        case O_EPO:
            if (!cli_int(a, 1, 100000, &iv))
                return cli_usage(U, "--epochs must be an integer from %lld to %lld", (long long)1,
                        (long long)(100000));
            o.sg.epochs = (int)iv;
            break;
        case O_NEG:
            if (!cli_int(a, 0, 1000, &iv)) return cli_usage(U, "--negative must be 0..1000");
            o.sg.negative = (int)iv;
            break;
        case O_ALPHA:
            if (!cli_float(a, 1e-9, 1, &fv)) return cli_usage(U, "--alpha must be in (0, 1]");
            o.sg.alpha = (float)fv;
            break;
        case O_SAMPLE:
            if (!cli_float(a, 0, 1, &fv)) return cli_usage(U, "--sample must be in [0, 1]");
            o.sg.sample = (float)fv;
            break;
        case O_MINC:
            if (!cli_int(a, 0, INT64_MAX, &iv)) return cli_usage(U, "--min-count must be >= 0");
            o.min_count = iv;
            break;
        case O_WALKS: o.walks_out = a; break;
        case O_THREADS:
            if (!cli_int(a, 1, 256, &iv)) return cli_usage(U, "--threads must be 1..256");
            o.sg.n_threads = (int)iv;
            break;
        case O_SEED:
            if (!cli_int(a, 0, INT64_MAX, &iv))
                return cli_usage(U, "--seed must be a non-negative integer");
            o.walk.seed = o.sg.seed = (uint64_t)iv;
            break;
        case O_QUIET: cli_set_quiet(1); break;
        case O_PLAIN: o.sg.batched = 0; break;
        case O_NEGS:
            if (!strcmp(a, "auto")) o.negatives = LT_NEG_AUTO;
            else if (!strcmp(a, "pair")) o.negatives = LT_NEG_PAIR;
            else if (!strcmp(a, "window")) o.negatives = LT_NEG_WINDOW;
            else return cli_usage(U, "--negatives: auto, pair or window");
            negs = 1;
            break;
        case O_VECS:
            if (lt_n2v_vectors_from_name(a, &o.vectors))
                return cli_usage(U, "--vectors: sum, node or context");
            break;
        }
    }
    if (optind != argc - 1) return cli_usage(U, "train %s: expected one GRAPH argument", method);
    if (negs && !o.sg.batched)
        return cli_usage(
                U, "--negatives chooses for the batched trainer; --plain draws per pair already");
    if (!out) return cli_usage(U, "train %s: -o VECS is required", method);
    lt_format f = fmt ? lt_format_from_name(fmt) : lt_format_from_path(out);
    if (f == LT_FMT_AUTO)
        return cli_usage(U, "cannot tell the output format of '%s'; use --format", out);
    lt_afile probe; /* the output must be writable before the work starts */
    if (strcmp(out, "-") && lt_afile_open(&probe, out) != LT_OK) return cli_fail("");
    if (strcmp(out, "-")) lt_afile_abort(&probe);
    double t0 = lt_now();
    lt_graph *g;
    lt_graph_stats st;
    if (load_graph(argv[optind], &go, &g, &st)) return cli_fail(method);
    double tl = lt_now() - t0;
    if (!cli_quiet())
        fprintf(stderr,
                "latent: %s: %lld nodes, %lld %s edges (%s%.2fs); dropped: %lld self loops, %lld duplicates, %lld zero weights; %lld isolated nodes\n",
                argv[optind], (long long)g->n, (long long)st.edges,
                g->directed ? "directed" : "undirected", st.from_cache ? "from the cache, " : "",
                tl, (long long)st.self_loops, (long long)st.duplicates, (long long)st.zero_weights,
                (long long)st.isolated);
    lt_vecs *v;
    lt_n2v_info inf;
    int r = lt_n2v_train(g, &o, &v, &inf) ? cli_fail(method) : 0;
    lt_graph_free(g);
    if (r) return r;
    lt_vecs_meta_set(v, "graph", argv[optind]);
    r = lt_vecs_save(v, out, f, NULL) ? cli_fail("") : 0;
    if (!r && !cli_quiet())
        fprintf(stderr,
                "latent %s: train %s: %lld walks, %lld steps in %.2fs; alpha %.4g%s; trained in %.2fs; %lld nodes -> %s (%lld nodes in no walk: no row); total %.2fs\n",
                LT_VERSION, method, (long long)inf.walks, (long long)inf.steps, inf.walk_seconds,
                inf.alpha, o.sg.alpha > 0 ? "" : " (auto)", inf.train_seconds,
                (long long)inf.nodes_out, out, (long long)inf.nodes_unwalked, lt_now() - t0);
    lt_vecs_free(v);
    return r;
}

static int graph_split(int argc, char **argv) {
    static const cli_opt opts[] = { GRAPH_OPTS,
        { "holdout", 0, "X", O_HOLDOUT, "fraction of the edges held out [0.1]" },
        { "output", 'o', "TRAIN", O_OUT, "the residual graph (edge list; required)" },
        { "test", 0, "PAIRS", O_TEST,
                "held-out edges and as many non-edges, \"u v 1|0\" (required)" },
        { "seed", 's', "N", O_SEED, "[1]" },
        { "quiet", 'q', NULL, O_QUIET, "no summary on stderr" }, { 0 } };
    static const cli_spec S = { "graph split",
        "usage: latent graph split GRAPH -o TRAIN --test PAIRS [options]\n"
        "  link-prediction split: held-out edges never take a node's last edge (the residual graph\n"
        "  keeps every node's degree >= 1); as many distinct non-edges are sampled\n",
        opts };
    lt_graph_opts go;
    lt_graph_opts_init(&go);
    const char *a, *out = NULL, *test = NULL;
    double holdout = 0.1, fv;
    long long iv;
    uint64_t seed = 1;
    int c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, &S, &a)) != CLI_END) {
        switch (c) {
        case CLI_HELP:
        case CLI_ERROR: return CLI_DONE(c);
        case O_WEIGHTED: go.weighted = 1; break;
        case O_DIRECTED: go.directed = 1; break;
        case O_HEADER: go.header = 1; break;
        case O_NOCACHE: go.cache = 0; break;
        case O_HOLDOUT:
            if (!cli_float(a, 1e-9, 1 - 1e-9, &fv))
                return cli_usage(S.usage, "--holdout must be in (0, 1)");
            holdout = fv;
            break;
        case O_OUT: out = a; break;
        case O_TEST: test = a; break;
        case O_SEED:
            if (!cli_int(a, 0, INT64_MAX, &iv))
                return cli_usage(S.usage, "--seed must be a non-negative integer");
            seed = (uint64_t)iv;
            break;
        case O_QUIET: cli_set_quiet(1); break;
        }
    }
    if (optind != argc - 1 || !out || !test)
        return cli_usage(S.usage, "graph split: expected GRAPH, -o TRAIN and --test PAIRS");
    lt_graph *g;
    lt_graph_stats st;
    if (load_graph(argv[optind], &go, &g, &st)) return cli_fail("graph split");
    lt_split_info si;
    int r = lt_graph_split(g, holdout, seed, out, test, &si) ? cli_fail("graph split") : 0;
    lt_graph_free(g);
    if (!r && !cli_quiet())
        fprintf(stderr,
                "latent: graph split: %lld edges kept -> %s; %lld held out and %lld non-edges -> %s\n",
                (long long)si.kept, out, (long long)si.held_out, (long long)si.negatives, test);
    return r;
}

int cmd_graph(int argc, char **argv) {
    static const cli_opt opts[] = { GRAPH_OPTS, { "json", 0, NULL, O_JSON, "JSON output" }, { 0 } };
    static const cli_spec S = { "graph info",
        "usage: latent graph info GRAPH [options]\n"
        "  nodes, edges, what the reading rules dropped, degrees, weakly connected components, memory\n",
        opts };
    static const char *U = "usage: latent graph info|split ... ('latent graph SUB --help')\n";
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs(U, stdout);
        return 0;
    }
    if (argc >= 2 && !strcmp(argv[1], "split")) return graph_split(argc - 1, argv + 1);
    if (argc < 2 || strcmp(argv[1], "info"))
        return cli_usage(U, "graph: expected 'info' or 'split'");
    argc--;
    argv++;
    lt_graph_opts go;
    lt_graph_opts_init(&go);
    int json = 0, c;
    const char *a;
    optind = 1;
    while ((c = cli_getopt(argc, argv, &S, &a)) != CLI_END) {
        switch (c) {
        case CLI_HELP:
        case CLI_ERROR: return CLI_DONE(c);
        case O_WEIGHTED: go.weighted = 1; break;
        case O_DIRECTED: go.directed = 1; break;
        case O_HEADER: go.header = 1; break;
        case O_NOCACHE: go.cache = 0; break;
        case O_JSON: json = 1; break;
        }
    }
    if (optind != argc - 1) return cli_usage(S.usage, "graph info: expected GRAPH");
    lt_graph *g;
    lt_graph_stats st;
    if (load_graph(argv[optind], &go, &g, &st)) return cli_fail("graph info");
    lt_graph_info in;
    if (lt_graph_describe(g, &in)) {
        lt_graph_free(g);
        return cli_fail("graph info");
    }
    double bpe = st.edges ? (double)in.bytes / (double)st.edges : 0;
    if (json) {
        fputs("{\"file\": ", stdout);
        cli_json_str(stdout, argv[optind]);
        cli_jprintf(stdout,
                ", \"nodes\": %lld, \"edges\": %lld, \"arcs\": %lld, \"directed\": %s, \"weighted\": %s, \"lines\": %lld, "
                "\"self_loops\": %lld, \"duplicates\": %lld, \"zero_weights\": %lld, \"isolated\": %lld, \"dangling\": %lld, "
                "\"degree_min\": %lld, \"degree_max\": %lld, \"degree_mean\": %.4f, \"degree_median\": %.1f, \"components\": %lld, "
                "\"largest_component\": %lld, \"bytes\": %lld, \"bytes_per_edge\": %.2f, \"from_cache\": %s}\n",
                (long long)in.nodes, (long long)st.edges, (long long)in.arcs,
                g->directed ? "true" : "false", g->weighted ? "true" : "false", (long long)st.lines,
                (long long)st.self_loops, (long long)st.duplicates, (long long)st.zero_weights,
                (long long)in.isolated, (long long)in.dangling, (long long)in.deg_min,
                (long long)in.deg_max, in.deg_mean, in.deg_median, (long long)in.components,
                (long long)in.largest_component, (long long)in.bytes, bpe,
                st.from_cache ? "true" : "false");
    } else {
        printf("file\t%s\nnodes\t%lld\nedges\t%lld\narcs\t%lld\ndirected\t%s\nweighted\t%s\nlines\t%lld\nself_loops\t%lld\nduplicates\t%lld\n"
               "zero_weights\t%lld\nisolated\t%lld\ndangling\t%lld\ndegree_min\t%lld\ndegree_max\t%lld\ndegree_mean\t%.4f\ndegree_median\t%.1f\n"
               "components\t%lld\nlargest_component\t%lld\nbytes\t%lld\nbytes_per_edge\t%.2f\nfrom_cache\t%s\n",
                argv[optind], (long long)in.nodes, (long long)st.edges, (long long)in.arcs,
                g->directed ? "yes" : "no", g->weighted ? "yes" : "no", (long long)st.lines,
                (long long)st.self_loops, (long long)st.duplicates, (long long)st.zero_weights,
                (long long)in.isolated, (long long)in.dangling, (long long)in.deg_min,
                (long long)in.deg_max, in.deg_mean, in.deg_median, (long long)in.components,
                (long long)in.largest_component, (long long)in.bytes, bpe,
                st.from_cache ? "yes" : "no");
    }
    lt_graph_free(g);
    return 0;
}

/* latent train feather|degree-histogram GRAPHS: one row per graph */
int cmd_train_graphs(const char *method, int argc, char **argv) {
    static const cli_opt fopts[] = {
        { "output", 'o', "F", O_OUT,
                "one row per graph, labelled with the graph ids; format from the extension" },
        { "format", 0, "F", O_FMT, "output format, overriding the extension" },
        { "num-nodes", 0, "FILE", O_NUMNODES,
                "\"graph_id count\" lines: nodes without edges count too" },
        { "order", 0, "N", O_ORDER, "random-walk steps of the diffusion [5]" },
        { "eval-points", 0, "N", O_POINTS, "points of the characteristic function [25]" },
        { "theta-max", 0, "X", O_THETA, "largest evaluation point [2.5]" },
        { "threads", 't', "N", O_THREADS, "[number of CPUs]" },
        { "quiet", 'q', NULL, O_QUIET, "no summary on stderr" }, { 0 }
    };
    static const cli_opt hopts[] = {
        { "output", 'o', "F", O_OUT,
                "one row per graph, labelled with the graph ids; format from the extension" },
        { "format", 0, "F", O_FMT, "output format, overriding the extension" },
        { "num-nodes", 0, "FILE", O_NUMNODES,
                "\"graph_id count\" lines: nodes without edges count too" },
        { "bins", 0, "N", O_BINS, "degrees 0 .. N-2, the last bin holds the rest [32]" },
        { "quiet", 'q', NULL, O_QUIET, "no summary on stderr" }, { 0 }
    };
    static const cli_spec SF = { "train feather",
        "usage: latent train feather GRAPHS -o VECS [options]\n"
        "  FEATHER-graph (Rozemberczki and Sarkar 2020): characteristic functions of log degree and clustering\n"
        "  coefficient, diffused by random-walk steps, averaged over each graph's nodes;\n"
        "  GRAPHS: \"graph_id src dst\" lines (node ids local to each graph)\n",
        fopts };
    static const cli_spec SH = { "train degree-histogram",
        "usage: latent train degree-histogram GRAPHS -o VECS [options]\n"
        "  the fraction of each graph's nodes of each degree: the baseline whole-graph embedding\n",
        hopts };
    int feather = !strcmp(method, "feather");
    const cli_spec *S = feather ? &SF : &SH;
    const char *U = S->usage, *a, *out = NULL, *fmt = NULL, *nn = NULL;
    lt_feather_opts fo;
    lt_feather_opts_init(&fo);
    fo.n_threads = lt_cpu_count();
    int bins = 32, c;
    long long iv;
    double fv;
    optind = 1;
    while ((c = cli_getopt(argc, argv, S, &a)) != CLI_END) {
        switch (c) {
        case CLI_HELP:
        case CLI_ERROR: return CLI_DONE(c);
        case O_OUT: out = a; break;
        case O_FMT:
            if (lt_format_from_name(a) == LT_FMT_AUTO)
                return cli_usage(U, "unknown format '%s'", a);
            fmt = a;
            break;
        case O_NUMNODES: nn = a; break;
        case O_ORDER:
            if (!cli_int(a, 1, 100, &iv)) return cli_usage(U, "--order must be 1..100");
            fo.order = (int)iv;
            break;
        case O_POINTS:
            if (!cli_int(a, 1, 10000, &iv)) return cli_usage(U, "--eval-points must be 1..10000");
            fo.eval_points = (int)iv;
            break;
        case O_THETA:
            if (!cli_float(a, 0.02, 1e6, &fv)) return cli_usage(U, "--theta-max must be > 0.01");
            fo.theta_max = fv;
            break;
        case O_BINS:
            if (!cli_int(a, 2, 100000, &iv)) return cli_usage(U, "--bins must be 2..100000");
            bins = (int)iv;
            break;
        case O_THREADS:
            if (!cli_int(a, 1, 256, &iv)) return cli_usage(U, "--threads must be 1..256");
            fo.n_threads = (int)iv;
            break;
        case O_QUIET: cli_set_quiet(1); break;
        }
    }
    if (optind != argc - 1 || !out)
        return cli_usage(U, "train %s: expected GRAPHS and -o VECS", method);
    lt_format f = fmt ? lt_format_from_name(fmt) : lt_format_from_path(out);
    if (f == LT_FMT_AUTO)
        return cli_usage(U, "cannot tell the output format of '%s'; use --format", out);
    double t0 = lt_now();
    lt_graphs *gs;
    if (lt_graphs_load(argv[optind], nn, &gs)) return cli_fail(method);
    lt_vecs *v;
    int r = (feather ? lt_feather_graphs(gs, &fo, &v) : lt_degree_histogram(gs, bins, &v))
            ? cli_fail(method)
            : 0;
    int64_t ng = lt_graphs_count(gs);
    lt_graphs_free(gs);
    if (r) return r;
    char b[64];
    lt_vecs_meta_set(v, "method", method);
    lt_vecs_meta_set(v, "graphs", argv[optind]);
    if (feather) {
        snprintf(b, sizeof b, "%d", fo.order);
        lt_vecs_meta_set(v, "order", b);
        snprintf(b, sizeof b, "%d", fo.eval_points);
        lt_vecs_meta_set(v, "eval_points", b);
        snprintf(b, sizeof b, "%g", fo.theta_max);
        lt_vecs_meta_set(v, "theta_max", b);
    } else {
        snprintf(b, sizeof b, "%d", bins);
        lt_vecs_meta_set(v, "bins", b);
    }
    r = lt_vecs_save(v, out, f, NULL) ? cli_fail("") : 0;
    if (!r && !cli_quiet())
        fprintf(stderr, "latent: train %s: %lld graphs, %lld dimensions in %.2fs -> %s\n", method,
                (long long)ng, (long long)v->d, lt_now() - t0, out);
    lt_vecs_free(v);
    return r;
}
