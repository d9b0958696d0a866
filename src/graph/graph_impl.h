/* Internal to src/graph: the graph's private part, shared by graph.c and walk.c. */
#ifndef LT_GRAPH_IMPL_H
#define LT_GRAPH_IMPL_H
#include "latent/graph.h"
#include "../core/strmap.h"
struct lt_graph_internal {
    int64_t *off;
    int32_t *adj;
    float *w; /* owned arrays (NULL when mapped) */
    char *label_blob; /* owned (NULL when mapped) */
    lt__strmap *map; /* label -> node, built on first lt_graph_find */
    void *map_base;
    size_t map_len; /* a mapped cache file */
    float *alias_p;
    int32_t *alias_i; /* weighted first-order sampling: per arc (walk.c) */
};
/* Is there an arc t -> x? (binary search of t's sorted row) */
static inline int lt__graph_has_arc(const lt_graph *g, int64_t t, int32_t x) {
    int64_t lo = g->off[t], hi = g->off[t + 1];
    while (lo < hi) {
        int64_t mid = (lo + hi) >> 1;
        if (g->adj[mid] < x) lo = mid + 1;
        else hi = mid;
    }
    return lo < g->off[t + 1] && g->adj[lo] == x;
}
/* walk.c: checks the walk options and builds the alias tables (weighted graphs) */
int lt__walk_prepare(const lt_graph *g, const lt_walk_opts *o);
/* one round of walks into buf (n_starts x (length + 1), -1 padded); returns the words */
int64_t lt__walk_round(const lt_graph *g, const lt_walk_opts *o, const int32_t *starts,
        int64_t n_starts, int64_t round, const int32_t *vid, int32_t *buf);
#endif
