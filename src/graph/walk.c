/* Random walks: first order (DeepWalk; uniform, or weight-proportional through one alias
 * table per node, O(E)) and node2vec's second order by rejection sampling (Yang et al.,
 * KnightKing, SOSP 2019): propose a first-order step, accept with alpha(t, x) / alpha_max,
 * alpha = 1/p back to t, 1 to a neighbour of t, 1/q otherwise. No per-arc second-order
 * tables, so memory stays O(E) for any p, q. */
#include "latent/graph.h"
#include "latent/core.h"
#include "graph_impl.h"
#include <pthread.h>
#include <string.h>

void lt_walk_opts_init(lt_walk_opts *o) {
    memset(o, 0, sizeof *o); /* every field, the ones added later included */
    o->length = 80;
    o->num_walks = 10;
    o->p = 1;
    o->q = 1;
    o->second_order = 1;
    o->seed = 1;
    o->n_threads = 1;
}

/* Vose's alias method over one row's weights. */
static void alias_row(const float *w, int64_t d, float *P, int32_t *A, double *tmp, int64_t *small,
        int64_t *large) {
    double s = 0;
    for (int64_t j = 0; j < d; j++) s += w[j];
    int64_t ns = 0, nl = 0;
    for (int64_t j = 0; j < d; j++) {
        tmp[j] = s > 0 ? w[j] / s * (double)d : 1;
        A[j] = (int32_t)j;
        if (tmp[j] < 1) small[ns++] = j;
        else large[nl++] = j;
    }
    while (ns && nl) {
        int64_t a = small[--ns], b = large[nl - 1];
        P[a] = (float)tmp[a];
        A[a] = (int32_t)b;
        tmp[b] -= 1 - tmp[a];
        if (tmp[b] < 1) {
            nl--;
            small[ns++] = b;
        }
    }
    while (nl) P[large[--nl]] = 1;
    while (ns) P[small[--ns]] = 1;
}

typedef struct {
    const lt_graph *g;
    float *P;
    int32_t *A;
    _Atomic int fail;
} alias_ctx;
static void alias_rows(void *ud, int64_t b, int64_t e, int tid) {
    alias_ctx *c = ud;
    (void)tid;
    int64_t cap = 0;
    double *tmp = NULL;
    int64_t *small = NULL, *large = NULL;
    for (int64_t v = b; v < e; v++) {
        int64_t o = c->g->off[v], d = c->g->off[v + 1] - o;
        if (d > cap) {
            lt_free(tmp);
            lt_free(small);
            lt_free(large);
            cap = d;
            tmp = lt_malloc((size_t)d * 8);
            small = lt_malloc((size_t)d * 8);
            large = lt_malloc((size_t)d * 8);
            if (!tmp || !small || !large) {
                c->fail = 1;
                cap = 0;
                continue;
            }
        }
        alias_row(c->g->w + o, d, c->P + o, c->A + o, tmp, small, large);
    }
    lt_free(tmp);
    lt_free(small);
    lt_free(large);
}

static pthread_mutex_t g_alias_lock = PTHREAD_MUTEX_INITIALIZER;
/* Builds the weighted graph's alias tables once (thread-safe); LT_OK for unweighted graphs. */
static int ensure_alias(const lt_graph *g, int n_threads) {
    if (!g->w) return LT_OK;
    pthread_mutex_lock(&g_alias_lock);
    int rc = LT_OK;
    if (!g->in->alias_p) {
        alias_ctx c = { g, lt_malloc((size_t)(g->m ? g->m : 1) * 4),
            lt_malloc((size_t)(g->m ? g->m : 1) * 4), 0 };
        if (!c.P || !c.A) rc = lt_err(LT_ENOMEM, "out of memory for the alias tables");
        else {
            lt_parallel_for(n_threads, g->n, alias_rows, &c);
            if (c.fail) rc = lt_err(LT_ENOMEM, "out of memory for the alias tables");
        }
        if (rc) {
            lt_free(c.P);
            lt_free(c.A);
        } else {
            g->in->alias_i = c.A;
            g->in->alias_p = c.P;
        }
    }
    pthread_mutex_unlock(&g_alias_lock);
    return rc;
}

/* index of a first-order step within v's row (d > 0 arcs from o) */
static inline int64_t first_step(const lt_graph *g, int64_t o, int64_t d, lt_rng *r) {
    uint64_t x = lt_rng_next(r);
    int64_t j = (int64_t)(((x >> 32) * (uint64_t)d) >> 32);
    if (g->w) {
        float u = (float)(x & 0xffffff) * (1.0f / 16777216.0f);
        if (u >= g->in->alias_p[o + j]) j = g->in->alias_i[o + j];
    }
    return j;
}

/* one walk; the alias tables exist when the graph is weighted */
static int walk(const lt_graph *g, const lt_walk_opts *o, int64_t index, int32_t start,
        int32_t *out, int cap) {
    lt_rng r;
    lt_rng_seed(&r, o->seed, (uint64_t)index);
    int n = o->length < cap ? o->length : cap;
    if (n < 1) return 0;
    out[0] = start;
    int len = 1;
    int32_t prev = -1, cur = start;
    const int biased = o->second_order && !(o->p == 1 && o->q == 1);
    const double ip = 1 / o->p, iq = 1 / o->q;
    const double amax = ip > iq ? (ip > 1 ? ip : 1) : (iq > 1 ? iq : 1);
    while (len < n) {
        int64_t off = g->off[cur], d = g->off[cur + 1] - off;
        if (d == 0) break; /* a dangling node ends the walk */
        int32_t nxt;
        if (!biased || prev < 0) nxt = g->adj[off + first_step(g, off, d, &r)];
        else
            for (;;) {
                int32_t x = g->adj[off + first_step(g, off, d, &r)];
                double a = x == prev ? ip : lt__graph_has_arc(g, prev, x) ? 1 : iq;
                if (lt_rng_uniform(&r) * amax < a) {
                    nxt = x;
                    break;
                }
            }
        out[len++] = nxt;
        prev = cur;
        cur = nxt;
    }
    return len;
}

int lt_graph_walk(const lt_graph *g, const lt_walk_opts *o, int64_t index, int32_t start,
        int32_t *out, int cap) {
    if (start < 0 || start >= g->n) return lt_err(LT_EINVAL, "start node %d out of range", start);
    if (!(o->p > 0) || !(o->q > 0)) return lt_err(LT_EINVAL, "p and q must be > 0");
    int rc = ensure_alias(g, o->n_threads);
    if (rc) return rc;
    return walk(g, o, index, start, out, cap);
}

/* ---- rounds of walks, for the trainer ---- */
int lt__walk_prepare(const lt_graph *g, const lt_walk_opts *o) {
    if (!(o->p > 0) || !(o->q > 0) || o->p > 1e6 || o->q > 1e6)
        return lt_err(LT_EINVAL, "p and q must be in (0, 1e6]");
    if (o->length < 1 || o->num_walks < 1)
        return lt_err(LT_EINVAL, "walk length and walks per node must be >= 1");
    return ensure_alias(g, o->n_threads);
}

typedef struct {
    const lt_graph *g;
    const lt_walk_opts *o;
    const int32_t *starts;
    int64_t round, n_starts;
    int32_t *buf;
    int L;
    const int32_t *vid;
    int64_t *words;
} round_ctx;
static void round_range(void *ud, int64_t b, int64_t e, int tid) {
    round_ctx *c = ud;
    int64_t words = 0;
    for (int64_t i = b; i < e; i++) {
        int32_t *dst = c->buf + i * (c->L + 1);
        int len = walk(c->g, c->o, c->round * c->n_starts + i, c->starts[i], dst, c->L);
        int k = len;
        if (c->vid) { /* vocabulary ids; nodes below min_count dropped, as rare words are */
            k = 0;
            for (int j = 0; j < len; j++)
                if (c->vid[dst[j]] >= 0) dst[k++] = c->vid[dst[j]];
        }
        for (int j = k; j <= c->L; j++) dst[j] = -1;
        words += k;
    }
    c->words[tid] += words;
}

/* Walks of round `round` (a walk from each start, in a seeded order) into buf, n_starts x
 * (L + 1) int32 with -1 after each walk; node ids mapped through vid when given. Returns the
 * words written. Walk i of the round has RNG stream round * n_starts + i: the walks do not
 * depend on the thread count. */
int64_t lt__walk_round(const lt_graph *g, const lt_walk_opts *o, const int32_t *starts,
        int64_t n_starts, int64_t round, const int32_t *vid, int32_t *buf) {
    int64_t words[257] = { 0 };
    round_ctx c = { g, o, starts, round, n_starts, buf, o->length, vid, words };
    int nt = o->n_threads < 1 ? 1 : o->n_threads > 256 ? 256 : o->n_threads;
    lt_parallel_for(nt, n_starts, round_range, &c);
    int64_t s = 0;
    for (int t = 0; t < nt; t++) s += words[t];
    return s;
}
