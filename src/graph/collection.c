/* Collections of small graphs ("graph_id src dst" lines) and whole-graph embeddings:
 * FEATHER-graph (Rozemberczki and Sarkar, CIKM 2020): characteristic functions of node
 * features (log degree + 1, clustering coefficient) at `eval_points` points of (0.01 ..
 * theta_max], diffused by the random-walk matrix D^-1 A for 1..order steps, averaged over
 * the nodes; and the degree histogram, the usual baseline. */
#include "latent/graph.h"
#include "latent/core.h"
#include "../core/strmap.h"
#include "latent/io.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

void lt_feather_opts_init(lt_feather_opts *o) {
    memset(o, 0, sizeof *o); /* every field, the ones added later included */
    o->order = 5;
    o->eval_points = 25;
    o->theta_max = 2.5;
    o->n_threads = 1;
}

typedef struct {
    int64_t g;
    int32_t u, v;
} cedge;
static int cmp_cedge(const void *a, const void *b) {
    const cedge *x = a, *y = b;
    if (x->g != y->g) return x->g < y->g ? -1 : 1;
    if (x->u != y->u) return x->u < y->u ? -1 : 1;
    return x->v < y->v ? -1 : x->v > y->v;
}

struct lt_graphs {
    int64_t n_graphs;
    lt__strmap *gids; /* graph id -> index (order of first appearance) */
    int64_t *node_off; /* n_graphs + 1: nodes of graph g are node_off[g] .. */
    int64_t *off; /* per node (global): CSR rows */
    int32_t *adj; /* local node ids within the graph */
};

void lt_graphs_free(lt_graphs *c) {
    if (!c) return;
    lt__strmap_free(c->gids);
    lt_free(c->node_off);
    lt_free(c->off);
    lt_free(c->adj);
    lt_free(c);
}
int64_t lt_graphs_count(const lt_graphs *c) { return c->n_graphs; }
const char *lt_graphs_id(const lt_graphs *c, int64_t g) { return lt__strmap_key(c->gids, g); }

static int is_sep(char c) { return c == ' ' || c == '\t' || c == ','; }
/* next whitespace/comma-separated field of [p, e); NULL at the end of the line */
static const char *field(const char **p, const char *e, size_t *len) {
    const char *q = *p;
    while (q < e && (is_sep(*q) || *q == '\r')) q++;
    if (q >= e) return NULL;
    const char *s = q;
    while (q < e && !is_sep(*q) && *q != '\r') q++;
    *len = (size_t)(q - s);
    *p = q;
    return s;
}

static int graphs_load_impl(const char *path, const char *num_nodes_path, lt_graphs **out) {
    *out = NULL;
    lt_graphs *c = lt_calloc(1, sizeof *c);
    lt__strmap *nodes = lt__strmap_new(); /* "graph\tnode" -> global node, for string node ids */
    int64_t *gof = NULL, ne = 0, cap = 0, gcap = 0; /* graph of each global node */
    cedge *E = NULL;
    char *buf = NULL;
    size_t len = 0, ml = 0;
    int rc =
            c && nodes && (c->gids = lt__strmap_new()) ? LT_OK : lt_err(LT_ENOMEM, "out of memory");
    if (rc == LT_OK) rc = lt_read_whole(path, &buf, &len, &ml);
    char key[512];
    int64_t line = 0;
    for (const char *p = buf; rc == LT_OK && p && p < buf + len;) {
        const char *nl = memchr(p, '\n', (size_t)(buf + len - p)), *le = nl ? nl : buf + len;
        line++;
        const char *q = p;
        p = nl ? nl + 1 : buf + len;
        size_t l[3];
        const char *f0 = field(&q, le, &l[0]);
        if (!f0 || *f0 == '#') continue;
        const char *f1 = field(&q, le, &l[1]), *f2 = f1 ? field(&q, le, &l[2]) : NULL;
        if (!f2) {
            rc = lt_err(LT_EFORMAT, "%s: line %lld: expected \"graph_id src dst\"", path,
                    (long long)line);
            break;
        }
        if (l[0] + l[1] + 2 > sizeof key || l[0] + l[2] + 2 > sizeof key) {
            rc = lt_err(LT_EFORMAT, "%s: line %lld: id too long", path, (long long)line);
            break;
        }
        int64_t g = lt__strmap_put(c->gids, f0, l[0], NULL);
        int32_t uv[2];
        for (int k = 0; k < 2 && rc == LT_OK; k++) {
            const char *f = k ? f2 : f1;
            size_t fl = k ? l[2] : l[1];
            memcpy(key, f0, l[0]);
            key[l[0]] = '\t';
            memcpy(key + l[0] + 1, f, fl);
            int added;
            int64_t id = lt__strmap_put(nodes, key, l[0] + 1 + fl, &added);
            if (g < 0 || id < 0 || id > INT32_MAX - 1) {
                rc = lt_err(LT_ENOMEM, "out of memory");
                break;
            }
            if (added) {
                if (id >= gcap) {
                    gcap = gcap ? gcap * 2 : 65536;
                    int64_t *ng = lt_realloc(gof, (size_t)gcap * 8);
                    if (!ng) {
                        rc = lt_err(LT_ENOMEM, "out of memory");
                        break;
                    }
                    gof = ng;
                }
                gof[id] = g;
            }
            uv[k] = (int32_t)id;
        }
        if (rc) break;
        if (uv[0] == uv[1]) continue; /* self loops dropped, as for single graphs */
        if (ne + 2 > cap) {
            cap = cap ? cap * 2 : 65536;
            cedge *n2 = lt_realloc(E, (size_t)cap * sizeof *E);
            if (!n2) {
                rc = lt_err(LT_ENOMEM, "out of memory");
                break;
            }
            E = n2;
        }
        E[ne++] = (cedge){ g, uv[0], uv[1] };
        E[ne++] = (cedge){ g, uv[1], uv[0] };
    }
    if (buf) lt_release_whole(buf, ml);
    int64_t G = rc == LT_OK ? lt__strmap_size(c->gids) : 0,
            N = rc == LT_OK ? lt__strmap_size(nodes) : 0;
    int64_t *extra = NULL; /* isolated nodes per graph, from num_nodes */
    if (rc == LT_OK && G == 0) rc = lt_err(LT_EFORMAT, "%s: no edges (empty collection)", path);
    if (rc == LT_OK && num_nodes_path) {
        /* "graph_id count": graphs may have more nodes than their edges show (isolated ones) */
        extra = lt_calloc((size_t)G, 8);
        char *nb;
        size_t nlen, nml;
        if (!extra) rc = lt_err(LT_ENOMEM, "out of memory");
        else if ((rc = lt_read_whole(num_nodes_path, &nb, &nlen, &nml)) == LT_OK) {
            int64_t *seen = lt_calloc((size_t)G, 8);
            for (int64_t i = 0; seen && i < N; i++) seen[gof[i]]++;
            int64_t ln2 = 0;
            for (const char *p = nb; rc == LT_OK && p < nb + nlen;) {
                const char *nl = memchr(p, '\n', (size_t)(nb + nlen - p)),
                           *le = nl ? nl : nb + nlen, *q = p;
                p = nl ? nl + 1 : nb + nlen;
                ln2++;
                size_t a, b;
                const char *f0 = field(&q, le, &a);
                if (!f0 || *f0 == '#') continue;
                const char *f1 = field(&q, le, &b);
                char tmp[32];
                if (!f1 || b >= sizeof tmp) {
                    rc = lt_err(LT_EFORMAT, "%s: line %lld: expected \"graph_id nodes\"",
                            num_nodes_path, (long long)ln2);
                    break;
                }
                memcpy(tmp, f1, b);
                tmp[b] = 0;
                char *e;
                long long cnt = strtoll(tmp, &e, 10);
                int64_t g = lt__strmap_put(
                        c->gids, f0, a, NULL); /* a graph of isolated nodes only is a graph too */
                if (*e || cnt < 0 || cnt > INT32_MAX || g < 0) {
                    rc = lt_err(LT_EFORMAT, "%s: line %lld: bad node count", num_nodes_path,
                            (long long)ln2);
                    break;
                }
                if (g >= G) { /* a new graph: grow the per-graph arrays */
                    int64_t *nx = lt_realloc(extra, (size_t)(g + 1) * 8),
                            *ns = nx ? lt_realloc(seen, (size_t)(g + 1) * 8) : NULL;
                    if (nx) extra = nx;
                    if (ns) seen = ns;
                    if (!ns) {
                        rc = lt_err(LT_ENOMEM, "out of memory");
                        break;
                    }
                    for (int64_t k = G; k <= g; k++) extra[k] = seen[k] = 0;
                    G = g + 1;
                }
                if (cnt < seen[g]) {
                    rc = lt_err(LT_EFORMAT,
                            "%s: line %lld: graph %.*s has %lld nodes in its edges, more than %lld",
                            num_nodes_path, (long long)ln2, (int)a, f0, (long long)seen[g], cnt);
                    break;
                }
                extra[g] = cnt - seen[g];
            }
            lt_free(seen);
            lt_release_whole(nb, nml);
        }
    }
    if (rc == LT_OK) {
        /* renumber nodes graph by graph: global id -> (graph, local) with locals 0.. in first-seen order */
        int64_t *cnt = lt_calloc((size_t)G + 1, 8), *loc = lt_malloc((size_t)(N ? N : 1) * 8);
        c->node_off = lt_malloc(((size_t)G + 1) * 8);
        if (!cnt || !loc || !c->node_off) rc = lt_err(LT_ENOMEM, "out of memory");
        for (int64_t i = 0; rc == LT_OK && i < N; i++) loc[i] = cnt[gof[i]]++;
        if (rc == LT_OK) {
            c->node_off[0] = 0;
            for (int64_t g = 0; g < G; g++)
                c->node_off[g + 1] = c->node_off[g] + cnt[g] + (extra ? extra[g] : 0);
            int64_t T = c->node_off[G];
            qsort(E, (size_t)ne, sizeof *E, cmp_cedge);
            c->off = lt_calloc((size_t)T + 1, 8);
            c->adj = lt_malloc((size_t)(ne ? ne : 1) * 4);
            if (!c->off || !c->adj) rc = lt_err(LT_ENOMEM, "out of memory");
            int64_t m = 0;
            for (int64_t i = 0; rc == LT_OK && i < ne; i++) {
                if (i && E[i].u == E[i - 1].u && E[i].v == E[i - 1].v) continue; /* duplicates */
                int64_t gu = c->node_off[E[i].g] + loc[E[i].u];
                c->off[gu + 1]++;
                c->adj[m++] = (int32_t)loc[E[i].v];
            }
            for (int64_t i = 0; rc == LT_OK && i < T; i++) c->off[i + 1] += c->off[i];
            c->n_graphs = G;
        }
        lt_free(cnt);
        lt_free(loc);
    }
    lt_free(extra);
    lt_free(E);
    lt_free(gof);
    lt__strmap_free(nodes);
    if (rc) {
        lt_graphs_free(c);
        return rc;
    }
    *out = c;
    return LT_OK;
}

int lt_graphs_load(const char *path, const char *num_nodes_path, lt_graphs **out) {
    return lt_err_in(graphs_load_impl(path, num_nodes_path, out), path);
}

/* one graph's FEATHER vector: n nodes from base, rows off[base + i], neighbours local */
static void feather_one(const lt_graphs *c, int64_t g, const lt_feather_opts *o, float *out,
        double *H, double *H2, double *x) {
    int64_t base = c->node_off[g], n = c->node_off[g + 1] - base;
    int P = o->eval_points, W = 4 * P; /* 2 features x (cos, sin) x P */
    int64_t dim = (int64_t)o->order * W;
    memset(out, 0, (size_t)dim * 4);
    if (n == 0) return;
    /* node features: log(degree + 1) and the local clustering coefficient */
    for (int64_t i = 0; i < n; i++) {
        const int64_t *off = c->off + base;
        int64_t d = off[i + 1] - off[i], tri = 0;
        for (int64_t a = off[i]; a < off[i + 1]; a++) {
            int32_t u = c->adj[a];
            int64_t p = off[i], q = off[u]; /* |N(i) & N(u)| by merging sorted rows */
            while (p < off[i + 1] && q < off[u + 1]) {
                if (c->adj[p] < c->adj[q]) p++;
                else if (c->adj[p] > c->adj[q]) q++;
                else {
                    tri++;
                    p++;
                    q++;
                }
            }
        }
        x[2 * i] = log((double)d + 1);
        x[2 * i + 1] = d > 1 ? (double)tri / ((double)d * (double)(d - 1)) : 0;
    }
    for (int64_t i = 0; i < n; i++)
        for (int f = 0; f < 2; f++)
            for (int t = 0; t < P; t++) {
                double th = P > 1 ? 0.01 + (o->theta_max - 0.01) * t / (P - 1) : o->theta_max;
                double v = x[2 * i + f] * th;
                H[i * W + f * P + t] = cos(v);
                H[i * W + 2 * P + f * P + t] = sin(v);
            }
    for (int r = 0; r < o->order; r++) {
        /* H2 = D^-1 A H; an isolated node's row stays 0 */
        for (int64_t i = 0; i < n; i++) {
            const int64_t *off = c->off + base;
            int64_t d = off[i + 1] - off[i];
            double *h = H2 + i * W;
            memset(h, 0, (size_t)W * 8);
            for (int64_t a = off[i]; a < off[i + 1]; a++) {
                const double *s = H + (int64_t)c->adj[a] * W;
                for (int k = 0; k < W; k++) h[k] += s[k];
            }
            if (d)
                for (int k = 0; k < W; k++) h[k] /= (double)d;
        }
        double *t = H;
        H = H2;
        H2 = t;
        for (int k = 0; k < W; k++) {
            double s = 0;
            for (int64_t i = 0; i < n; i++) s += H[i * W + k];
            out[(int64_t)r * W + k] = (float)(s / (double)n);
        }
    }
}

typedef struct {
    const lt_graphs *c;
    const lt_feather_opts *o;
    lt_vecs *v;
    _Atomic int fail;
} fctx;
static void feather_range(void *ud, int64_t b, int64_t e, int tid) {
    fctx *f = ud;
    (void)tid;
    int64_t maxn = 0;
    for (int64_t g = b; g < e; g++) {
        int64_t n = f->c->node_off[g + 1] - f->c->node_off[g];
        if (n > maxn) maxn = n;
    }
    int W = 4 * f->o->eval_points;
    double *H = lt_malloc((size_t)(maxn ? maxn : 1) * W * 8),
           *H2 = lt_malloc((size_t)(maxn ? maxn : 1) * W * 8);
    double *x = lt_malloc((size_t)(maxn ? maxn : 1) * 2 * 8);
    if (!H || !H2 || !x) f->fail = 1;
    for (int64_t g = b; g < e && !f->fail; g++)
        feather_one(f->c, g, f->o, lt_vecs_row(f->v, g), H, H2, x);
    lt_free(H);
    lt_free(H2);
    lt_free(x);
}

int lt_feather_graphs(const lt_graphs *c, const lt_feather_opts *o, lt_vecs **out) {
    *out = NULL;
    if (o->order < 1 || o->order > 100 || o->eval_points < 1 || o->eval_points > 10000 ||
            !(o->theta_max > 0.01))
        return lt_err(LT_EINVAL, "FEATHER: order 1..100, eval points 1..10000, theta_max > 0.01");
    lt_vecs *v = lt_vecs_new(c->n_graphs, (int64_t)o->order * 4 * o->eval_points);
    if (!v) return lt_err(LT_ENOMEM, "out of memory");
    fctx f = { c, o, v, 0 };
    lt_parallel_for(o->n_threads, c->n_graphs, feather_range, &f);
    int rc = f.fail ? lt_err(LT_ENOMEM, "out of memory") : LT_OK;
    for (int64_t g = 0; rc == LT_OK && g < c->n_graphs; g++)
        rc = lt_vecs_set_label(v, g, lt_graphs_id(c, g));
    if (rc) {
        lt_vecs_free(v);
        return rc;
    }
    *out = v;
    return LT_OK;
}

int lt_degree_histogram(const lt_graphs *c, int bins, lt_vecs **out) {
    *out = NULL;
    if (bins < 2 || bins > 100000) return lt_err(LT_EINVAL, "bins must be 2..100000");
    lt_vecs *v = lt_vecs_new(c->n_graphs, bins);
    if (!v) return lt_err(LT_ENOMEM, "out of memory");
    for (int64_t g = 0; g < c->n_graphs; g++) {
        float *r = lt_vecs_row(v, g);
        int64_t b = c->node_off[g], n = c->node_off[g + 1] - b;
        for (int64_t i = 0; i < n; i++) {
            int64_t d = c->off[b + i + 1] - c->off[b + i];
            r[d < bins - 1 ? d : bins - 1] += 1.0f / (float)n; /* the last bin holds the tail */
        }
        if (lt_vecs_set_label(v, g, lt_graphs_id(c, g))) {
            lt_vecs_free(v);
            return lt_err(LT_ENOMEM, "out of memory");
        }
    }
    *out = v;
    return LT_OK;
}
