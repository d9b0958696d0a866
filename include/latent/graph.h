/* latent graph: edge lists into a CSR graph, random walks (DeepWalk, node2vec), and node
 * embeddings by the shared skip-gram trainer.
 *
 *   lt_graph_opts go; lt_graph_opts_init(&go);
 *   lt_graph *g; lt_graph_stats st;
 *   if (lt_graph_load("edges.tsv", &go, &g, &st)) fprintf(stderr, "%s\n", lt_errmsg());
 *   lt_n2v_opts o; lt_n2v_opts_init(&o); o.p = 0.25; o.q = 4;
 *   lt_vecs *v; lt_n2v_train(g, &o, &v, NULL);     // labels = node ids as written
 *   lt_graph_free(g);
 *
 * Edge lists (docs/graph.md): one edge per line, "src dst [weight]", fields separated by
 * tabs, commas or spaces (more fields, or a third that is not a number, are refused: not an
 * edge list); '#' and '%' start comment lines; a header line is skipped when asked or
 * certain; node ids are any strings (numbers included) and are kept as labels. Rules, each counted in lt_graph_stats: self loops are
 * dropped; duplicate edges are merged (the first weight kept); zero weights drop the edge;
 * negative, NaN or infinite weights are errors. Undirected graphs store both directions.
 * Neighbour lists are sorted by node index.
 *
 * A parsed graph is cached next to the input ("INPUT.KIND.lgraph", KIND = undirected, weighted,
 * directed or directed-weighted; under $XDG_CACHE_HOME/latent, else ~/.cache/latent, when the
 * input's folder is read-only), checked against the input's size and content hash and the
 * options, and mapped on the next load (no parsing).
 */
#ifndef LATENT_GRAPH_H
#define LATENT_GRAPH_H
#include "latent/sgns.h"
#include "latent/store.h"
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

typedef struct lt_graph_internal lt_graph_internal;
typedef struct lt_graph {
    int64_t n; /* nodes */
    int64_t m; /* arcs: CSR entries (an undirected edge counts twice) */
    const int64_t *off; /* n + 1 row offsets */
    const int32_t *adj; /* m neighbours, sorted within each row */
    const float *w; /* m weights, or NULL when unweighted */
    char **labels; /* n node ids as written in the input */
    int directed, weighted;
    lt_graph_internal *in;
} lt_graph;

typedef struct lt_graph_opts {
    int directed; /* arcs src -> dst only [0: undirected] */
    int weighted; /* read the third column as the weight [0: every weight 1] */
    int cache; /* read and write the binary cache [1] */
    int header; /* 1: the first line names the columns [0: a header is skipped only when
                           * certain: non-numeric ids over lines of numeric ones] */
} lt_graph_opts;
void lt_graph_opts_init(lt_graph_opts *o);

typedef struct lt_graph_stats {
    int64_t lines, edges; /* edge lines read; edges kept (undirected: pairs) */
    int64_t self_loops, duplicates, zero_weights, isolated;
    int from_cache; /* 1 when the cache was used */
    int header; /* 1 when a header line was skipped */
    char cache_path[1024]; /* the cache read or written ("" when none) */
    char cache_note[1200]; /* why a file under a cache's name was passed over, or why no
                                 * cache could be written ("" when none): a warning to show */
} lt_graph_stats;

int lt_graph_load(const char *path, const lt_graph_opts *o, lt_graph **out, lt_graph_stats *st);
/* In-memory parsers (fuzzing): an edge list, and a cache file's bytes. */
int lt_graph_parse(const void *buf, size_t len, const char *name, const lt_graph_opts *o,
        lt_graph **out, lt_graph_stats *st);
int lt_graph_parse_cache(const void *buf, size_t len, const char *name, lt_graph **out);
void lt_graph_free(lt_graph *g);
/* Row of a node id as written (-1 if absent). */
int64_t lt_graph_find(const lt_graph *g, const char *label);

typedef struct lt_graph_info {
    int64_t nodes, arcs, isolated, dangling; /* dangling: no out-arc (directed) */
    int64_t deg_min, deg_max;
    double deg_mean, deg_median;
    int64_t components, largest_component; /* weakly connected */
    int64_t bytes; /* CSR + weights + labels in memory */
} lt_graph_info;
int lt_graph_describe(const lt_graph *g, lt_graph_info *out);

/* ---- walks ---- */
typedef struct lt_walk_opts {
    int length; /* nodes per walk [80] */
    int num_walks; /* walks per node [10] */
    double p, q; /* node2vec return and in-out parameters [1, 1] */
    int second_order; /* node2vec's biased walk; 0 = DeepWalk's first-order walk [1] */
    uint64_t seed; /* walk i uses RNG stream i of this seed [1] */
    int n_threads; /* [1]; walks do not depend on it */
} lt_walk_opts;
void lt_walk_opts_init(lt_walk_opts *o);
/* Walk number `index` from `start`: up to cap nodes into out; returns its length. Steps go
 * to a neighbour with probability proportional to the arc weight (first order), times 1/p
 * back to the previous node, 1 to a neighbour of the previous node, 1/q elsewhere (second
 * order, by rejection sampling against max(1, 1/p, 1/q): O(E) memory for any p, q). A node
 * without out-arcs ends the walk. */
int lt_graph_walk(const lt_graph *g, const lt_walk_opts *o, int64_t index, int32_t start,
        int32_t *out, int cap);

/* ---- node embeddings ---- */
typedef struct lt_n2v_opts {
    lt_walk_opts walk;
    lt_sgns_opts sg; /* dim 128, window 10, negative 5, epochs 1, as the node2vec paper;
                             alpha 0: lt_n2v_auto_alpha */
    int64_t min_count; /* nodes seen fewer times in the walks get no row [0: every node walked] */
    const char *walks_out; /* also write the walks here, one per line of node ids (NULL: none) */
    int negatives; /* LT_NEG_AUTO: per pair when the output rows fit in 4 MiB, else shared
                             by the window (sgns batched 2 / 3; measured in bench/RESULTS.md) */
    int vectors; /* the rows returned: LT_N2V_SUM, a node's input row plus its output
                             (context) row, as GloVe's word + context (default: better on every
                             graph measured, bench/RESULTS.md); LT_N2V_NODE, the input rows alone
                             (what gensim, PecanPy and SNAP return); LT_N2V_CONTEXT, the output
                             rows. SUM and CONTEXT need negative sampling (sg.negative > 0). */
} lt_n2v_opts;
enum { LT_NEG_AUTO = 0, LT_NEG_PAIR, LT_NEG_WINDOW };
enum { LT_N2V_SUM = 0, LT_N2V_NODE, LT_N2V_CONTEXT };
int lt_n2v_vectors_from_name(
        const char *s, int *out); /* "sum", "node", "context"; LT_EINVAL else */
const char *lt_n2v_vectors_name(int v);
void lt_n2v_opts_init(lt_n2v_opts *o);
typedef struct lt_n2v_info {
    int64_t walks, steps, nodes_out, nodes_unwalked;
    double walk_seconds, train_seconds, alpha;
} lt_n2v_info;
/* The default starting learning rate: 1.25 / (the mean number of times a walk crosses an edge
 * with both ends kept by subsampling, x epochs), in [1e-4, 0.1], so that the rate summed over
 * an edge's crossings is the same on every graph (0.05 on BlogCatalog, 0.0036 on PubMed with
 * the paper's walks; n2v.c says why). count: each node's occurrences in the walks. */
double lt_n2v_auto_alpha(
        const lt_graph *g, const int64_t *count, double sample, int64_t min_count, int epochs);
/* Walks stream into the trainer one round (a walk from every node) at a time: a first pass
 * counts node occurrences (the trainer's vocabulary), the second regenerates the same walks
 * and trains on them. Rows: nodes by descending count (gensim's order), labels = node ids. */
int lt_n2v_train(const lt_graph *g, const lt_n2v_opts *o, lt_vecs **out, lt_n2v_info *info);

/* ---- collections of graphs and whole-graph embeddings ---- */
typedef struct lt_graphs lt_graphs;
/* "graph_id src dst" lines (ids are strings; node ids local to their graph); num_nodes_path
 * (optional): "graph_id count" lines, so isolated nodes (and edgeless graphs) count. Graphs
 * are numbered in order of first appearance; self loops and duplicates dropped. */
int lt_graphs_load(const char *path, const char *num_nodes_path, lt_graphs **out);
void lt_graphs_free(lt_graphs *c);
int64_t lt_graphs_count(const lt_graphs *c);
const char *lt_graphs_id(const lt_graphs *c, int64_t g);
/* FEATHER-graph (Rozemberczki and Sarkar 2020): one row of order x 4 x eval_points per graph */
typedef struct lt_feather_opts {
    int order, eval_points;
    double theta_max;
    int n_threads;
} lt_feather_opts;
void lt_feather_opts_init(lt_feather_opts *o); /* order 5, 25 points, theta_max 2.5 (the paper's) */
int lt_feather_graphs(const lt_graphs *c, const lt_feather_opts *o, lt_vecs **out);
/* the baseline: the fraction of nodes of each degree (the last bin: that degree or more) */
int lt_degree_histogram(const lt_graphs *c, int bins, lt_vecs **out);

/* ---- link prediction ---- */
typedef struct lt_split_info {
    int64_t kept, held_out, negatives;
} lt_split_info;
/* Holds out about `holdout` of the edges, drawn in a seeded order and never a node's last
 * one (the residual graph keeps every node's degree >= 1), writes the residual graph to
 * train_path (an edge list, ids as written) and to test_path the held-out edges ("u v 1")
 * and as many distinct sampled non-edges ("u v 0"). */
int lt_graph_split(const lt_graph *g, double holdout, uint64_t seed, const char *train_path,
        const char *test_path, lt_split_info *info);

#ifdef __cplusplus
}
#endif
#endif
