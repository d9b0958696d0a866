/* Link-prediction splits: hold out a fraction of the edges (never a node's last one, so the
 * residual graph keeps every node's degree >= 1) and sample as many non-edges. */
#include "latent/graph.h"
#include "latent/core.h"
#include "graph_impl.h"
#include <stdlib.h>
#include <string.h>

/* pairs sampled so far (open addressing on u * n + v) */
typedef struct {
    uint64_t *k;
    uint64_t cap;
} pairset;
static int pairset_add(pairset *s, uint64_t key) {
    uint64_t h = (key * 0x9e3779b97f4a7c15ULL) >> 7;
    for (uint64_t i = h & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
        if (s->k[i] == key + 1) return 0;
        if (!s->k[i]) {
            s->k[i] = key + 1;
            return 1;
        }
    }
}

int lt_graph_split(const lt_graph *g, double holdout, uint64_t seed, const char *train_path,
        const char *test_path, lt_split_info *info) {
    memset(info, 0, sizeof *info);
    if (!(holdout > 0 && holdout < 1)) return lt_err(LT_EINVAL, "holdout must be in (0, 1)");
    int64_t n = g->n, ne = 0;
    /* candidate edges: each undirected edge once (u < v), every arc of a directed graph */
    for (int64_t u = 0; u < n; u++)
        for (int64_t k = g->off[u]; k < g->off[u + 1]; k++) ne += g->directed || g->adj[k] > u;
    int64_t *eu = lt_malloc((size_t)(ne ? ne : 1) * 8), *deg = lt_calloc((size_t)n, 8);
    int32_t *ev = lt_malloc((size_t)(ne ? ne : 1) * 4);
    uint8_t *held = lt_calloc((size_t)(ne ? ne : 1), 1);
    pairset ps = { NULL, 0 };
    int rc = eu && deg && ev && held ? LT_OK : lt_err(LT_ENOMEM, "out of memory");
    lt_afile tr = { 0 }, te = { 0 };
    if (rc == LT_OK) {
        int64_t e = 0;
        for (int64_t u = 0; u < n; u++)
            for (int64_t k = g->off[u]; k < g->off[u + 1]; k++)
                if (g->directed || g->adj[k] > u) {
                    eu[e] = u;
                    ev[e] = g->adj[k];
                    e++;
                }
        /* degree = arcs touching the node, either way */
        for (int64_t i = 0; i < ne; i++) {
            deg[eu[i]]++;
            deg[ev[i]]++;
        }
        lt_rng r;
        lt_rng_seed(&r, seed, 0);
        int64_t *ord = lt_malloc((size_t)(ne ? ne : 1) * 8);
        if (!ord) rc = lt_err(LT_ENOMEM, "out of memory");
        for (int64_t i = 0; rc == LT_OK && i < ne; i++) ord[i] = i;
        if (rc == LT_OK) lt_rng_shuffle(&r, ord, ne);
        int64_t want = (int64_t)(holdout * (double)ne + 0.5);
        for (int64_t i = 0; rc == LT_OK && i < ne && info->held_out < want; i++) {
            int64_t x = ord[i];
            if (deg[eu[x]] > 1 && deg[ev[x]] > 1) {
                held[x] = 1;
                deg[eu[x]]--;
                deg[ev[x]]--;
                info->held_out++;
            }
        }
        lt_free(ord);
        if (rc == LT_OK && info->held_out == 0)
            rc = lt_err(LT_EINVAL, "no edge can be held out without isolating a node");
        /* as many non-edges, distinct, never an edge of the full graph */
        uint64_t cap = 1;
        while (cap < (uint64_t)(4 * info->held_out + 16)) cap <<= 1;
        ps.cap = cap;
        if (rc == LT_OK && !(ps.k = lt_calloc(cap, 8))) rc = lt_err(LT_ENOMEM, "out of memory");
        if (rc == LT_OK && (rc = lt_afile_open(&te, test_path)) == LT_OK) {
            for (int64_t i = 0; i < ne; i++)
                if (held[i]) fprintf(te.f, "%s\t%s\t1\n", g->labels[eu[i]], g->labels[ev[i]]);
            int64_t tries = 0, limit = 1000 * info->held_out + 100000;
            while (info->negatives < info->held_out && tries++ < limit) {
                int64_t u = (int64_t)lt_rng_below(&r, (uint64_t)n),
                        v = (int64_t)lt_rng_below(&r, (uint64_t)n);
                if (u == v || lt__graph_has_arc(g, u, (int32_t)v) ||
                        (!g->directed && lt__graph_has_arc(g, v, (int32_t)u)))
                    continue;
                int64_t a = g->directed || u < v ? u : v, b = g->directed || u < v ? v : u;
                if (!pairset_add(&ps, (uint64_t)a * (uint64_t)n + (uint64_t)b)) continue;
                fprintf(te.f, "%s\t%s\t0\n", g->labels[u], g->labels[v]);
                info->negatives++;
            }
            if (info->negatives < info->held_out) {
                lt_afile_abort(&te);
                rc = lt_err(LT_EINVAL, "the graph is too dense to sample %lld non-edges",
                        (long long)info->held_out);
            } else rc = lt_afile_commit(&te);
        }
        if (rc == LT_OK && (rc = lt_afile_open(&tr, train_path)) == LT_OK) {
            for (int64_t i = 0; i < ne; i++) {
                if (held[i]) continue;
                if (g->w) {
                    float w = 1;
                    for (int64_t k = g->off[eu[i]]; k < g->off[eu[i] + 1]; k++)
                        if (g->adj[k] == ev[i]) {
                            w = g->w[k];
                            break;
                        }
                    fprintf(tr.f, "%s\t%s\t%.9g\n", g->labels[eu[i]], g->labels[ev[i]], (double)w);
                } else fprintf(tr.f, "%s\t%s\n", g->labels[eu[i]], g->labels[ev[i]]);
                info->kept++;
            }
            rc = lt_afile_commit(&tr);
        }
    }
    lt_free(eu);
    lt_free(ev);
    lt_free(deg);
    lt_free(held);
    lt_free(ps.k);
    return rc;
}
