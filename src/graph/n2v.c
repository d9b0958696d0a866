/* DeepWalk / node2vec embeddings: walks stream into the shared skip-gram trainer one round
 * at a time (a first pass counts node occurrences for the vocabulary, the second
 * regenerates the same seeded walks and trains), so memory is the CSR, the model and one
 * round of walks. */
#include "latent/graph.h"
#include "latent/core.h"
#include "graph_impl.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "latent/kern.h"

void lt_n2v_opts_init(lt_n2v_opts *o) {
    memset(o, 0, sizeof *o);
    lt_walk_opts_init(&o->walk);
    lt_sgns_opts_init(&o->sg);
    o->sg.dim = 128;
    o->sg.window = 10;
    o->sg.negative = 5;
    o->sg.epochs = 1;
    o->sg.init_range =
            2; /* input rows uniform in +-2/dim, twice gensim's range: measured better on walks (RESULTS) */
    o->sg.batched =
            2; /* the batched trainer with per-pair centre updates (RESULTS); negatives below */
    o->sg.alpha = 0; /* auto: lt_n2v_auto_alpha */
    o->negatives = LT_NEG_AUTO;
    o->min_count = 0;
}

/* The starting learning rate that gives every edge the same total step. A walk crosses an
 * edge (u, v) about count(u) / deg(u) + count(v) / deg(v) times (weights: w / strength), and
 * the pair trains only when subsampling keeps both ends; the rate is KAPPA over the mean of
 * those kept crossings and over the epochs. Without subsampling the mean is steps / edges,
 * 1,600 / mean degree with 10 walks of 80 nodes. One fixed rate mis-trains one kind of
 * graph or the other: gensim's 0.025 is 0.6 per edge on BlogCatalog (mean degree 65: too
 * little, its low-degree nodes stay near their start) but 8.8 on PubMed (4.5: each edge is
 * stepped 350 times and the noise of the large steps stays in the rows); on a small graph
 * subsampling drops most of the walk (every node is frequent), which the kept crossings
 * count. KAPPA from a sweep on BlogCatalog, Cora and PubMed (bench/RESULTS.md, session
 * 14): macro-F1 peaks at 0.9 to 2.6 on all three and falls off steeply at 0.6 and below. */
#define N2V_KAPPA 1.25
/* the probability that a node's occurrence trains: 0 below min_count, else subsampling's keep */
static double kept(int64_t count, double words, double sample, int64_t min_count) {
    if (count < min_count || count < 1) return 0;
    double k = lt_sgns_keep((double)count, words, sample);
    return k < 1 ? k : 1;
}
double lt_n2v_auto_alpha(
        const lt_graph *g, const int64_t *count, double sample, int64_t min_count, int epochs) {
    double words = 0, cross = 0;
    for (int64_t u = 0; u < g->n; u++) words += count[u] >= min_count ? (double)count[u] : 0;
    for (int64_t u = 0; u < g->n; u++) {
        double ku = kept(count[u], words, sample, min_count), s = 0, kv = 0;
        if (ku == 0) continue;
        for (int64_t k = g->off[u]; k < g->off[u + 1]; k++) {
            double w = g->w ? g->w[k] : 1;
            s += w;
            kv += w * kept(count[g->adj[k]], words, sample, min_count);
        }
        if (s > 0) cross += (double)count[u] * ku * kv / s;
    }
    double edges = g->directed ? (double)g->m : (double)g->m / 2;
    if (!(cross > 0) || epochs < 1) return 0.025;
    double a = N2V_KAPPA * edges / (cross * epochs);
    return a > 0.1 ? 0.1 : a < 1e-4 ? 1e-4 : a;
}

static const char *const VEC_NAMES[] = { "sum", "node", "context" }; /* LT_N2V_SUM .. CONTEXT */
int lt_n2v_vectors_from_name(const char *s, int *out) {
    for (int i = 0; i < 3; i++)
        if (s && !strcmp(s, VEC_NAMES[i])) {
            *out = i;
            return LT_OK;
        }
    return lt_err(LT_EINVAL, "vectors: sum, node or context");
}
const char *lt_n2v_vectors_name(int v) {
    return v >= LT_N2V_SUM && v <= LT_N2V_CONTEXT ? VEC_NAMES[v] : "?";
}

/* starts of round r: every node with an out-arc, in an order drawn from (seed, r) */
static void round_order(const int32_t *base, int64_t n, uint64_t seed, int64_t r, int32_t *out) {
    memcpy(out, base, (size_t)n * 4);
    lt_rng g;
    lt_rng_seed(&g, seed ^ 0x6a09e667f3bcc909ULL, (uint64_t)r);
    for (int64_t i = n - 1; i > 0; i--) {
        int64_t j = (int64_t)lt_rng_below(&g, (uint64_t)i + 1);
        int32_t t = out[i];
        out[i] = out[j];
        out[j] = t;
    }
}

typedef struct {
    const lt_graph *g;
    const lt_n2v_opts *o;
    const int32_t *starts;
    int32_t *order;
    int64_t n_starts;
    const int32_t *vid;
    int32_t *buf;
} stream_ctx;
static int next_batch(void *ud, int epoch, int64_t b, lt_tokens *t) {
    stream_ctx *c = ud;
    (void)epoch; /* every epoch trains on the same walks, as gensim's epochs over a walk corpus */
    if (b >= c->o->walk.num_walks) return 0;
    round_order(c->starts, c->n_starts, c->o->walk.seed, b, c->order);
    int64_t words = lt__walk_round(c->g, &c->o->walk, c->order, c->n_starts, b, c->vid, c->buf);
    t->ids = c->buf;
    t->n = c->n_starts * (c->o->walk.length + 1);
    t->n_words = words;
    return 1;
}

static int cmp_vocab(const void *a, const void *b, void *ud) {
    const int64_t *cnt = ud;
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    if (cnt[x] != cnt[y]) return cnt[x] > cnt[y] ? -1 : 1;
    return x < y ? -1 : 1;
}

int lt_n2v_train(const lt_graph *g, const lt_n2v_opts *o, lt_vecs **out, lt_n2v_info *info) {
    *out = NULL;
    lt_n2v_info inf;
    memset(&inf, 0, sizeof inf);
    if (o->vectors < LT_N2V_SUM || o->vectors > LT_N2V_CONTEXT)
        return lt_err(LT_EINVAL, "unknown vectors choice %d", o->vectors);
    if (o->vectors != LT_N2V_NODE && o->sg.negative < 1)
        return lt_err(LT_EINVAL,
                "context rows (vectors sum or context) need negative sampling (negative > 0)");
    lt_walk_opts wo = o->walk;
    wo.n_threads = o->sg.n_threads;
    int rc = lt__walk_prepare(g, &wo);
    if (rc) return rc;
    int64_t n = g->n, L = wo.length;
    int32_t *starts = lt_malloc((size_t)n * 4), *order = lt_malloc((size_t)n * 4),
            *vid = lt_malloc((size_t)n * 4), *rank = NULL;
    int64_t *cnt = lt_calloc((size_t)n, 8), *vcnt = NULL;
    int32_t *buf = NULL;
    lt_sgns *m = NULL;
    lt_afile wf = { 0 };
    lt_vecs *v = NULL;
    int64_t ns = 0;
    if (!starts || !order || !vid || !cnt) {
        rc = lt_err(LT_ENOMEM, "out of memory");
        goto done;
    }
    for (int64_t i = 0; i < n; i++)
        if (g->off[i + 1] > g->off[i]) starts[ns++] = (int32_t)i;
    if (ns == 0) {
        rc = lt_err(LT_EINVAL, "the graph has no edges to walk");
        goto done;
    }
    size_t cells;
    if (!lt_mul_ok((size_t)ns, (size_t)L + 1, &cells) || !(buf = lt_malloc(cells * 4))) {
        rc = lt_err(LT_ENOMEM, "out of memory for a round of walks");
        goto done;
    }
    if (o->walks_out && (rc = lt_afile_open(&wf, o->walks_out))) goto done;
    /* pass 1: occurrences (and the walk file) */
    double t0 = lt_now();
    for (int64_t r = 0; r < wo.num_walks; r++) {
        round_order(starts, ns, wo.seed, r, order);
        lt__walk_round(g, &wo, order, ns, r, NULL, buf);
        for (int64_t i = 0; i < ns; i++) {
            const int32_t *w = buf + i * (L + 1);
            for (int64_t j = 0; j < L && w[j] >= 0; j++) {
                cnt[w[j]]++;
                inf.steps++;
                if (o->walks_out) {
                    fputs(g->labels[w[j]], wf.f);
                    fputc(w[j + 1] >= 0 && j + 1 < L ? ' ' : '\n', wf.f);
                }
            }
        }
        inf.walks += ns;
    }
    if (o->walks_out && (rc = lt_afile_commit(&wf))) goto done;
    inf.walk_seconds = lt_now() - t0;
    /* vocabulary: walked nodes (>= min_count) by descending count */
    int64_t V = 0, words = 0, minc = o->min_count > 1 ? o->min_count : 1;
    for (int64_t i = 0; i < n; i++)
        if (cnt[i] >= minc) order[V++] = (int32_t)i;
    inf.nodes_unwalked = n - V;
    if (V < 2) {
        rc = lt_err(LT_EINVAL, "only %lld nodes occur in the walks; training needs at least 2",
                (long long)V);
        goto done;
    }
    qsort_r(order, (size_t)V, 4, cmp_vocab, cnt);
    vcnt = lt_malloc((size_t)V * 8);
    if (!vcnt) {
        rc = lt_err(LT_ENOMEM, "out of memory");
        goto done;
    }
    for (int64_t i = 0; i < n; i++) vid[i] = -1;
    for (int64_t k = 0; k < V; k++) {
        vid[order[k]] = (int32_t)k;
        vcnt[k] = cnt[order[k]];
        words += vcnt[k];
    }
    rank = lt_malloc((size_t)V * 4);
    if (!rank) {
        rc = lt_err(LT_ENOMEM, "out of memory");
        goto done;
    }
    memcpy(rank, order, (size_t)V * 4); /* vocabulary id -> node */
    inf.alpha = o->sg.alpha > 0 ? o->sg.alpha
                                : lt_n2v_auto_alpha(g, cnt, o->sg.sample, minc, o->sg.epochs);
    /* pass 2: the same walks, streamed into the trainer */
    lt_sgns_opts so = o->sg;
    so.alpha = (float)inf.alpha;
    if (so.batched) { /* per-pair negatives while the output rows stay in cache, shared beyond */
        int pair = o->negatives == LT_NEG_PAIR ||
                (o->negatives == LT_NEG_AUTO &&
                        (double)V * (double)lt_pad_dim(so.dim) * 4 <= 4194304.0);
        so.batched = pair ? 2 : 3;
    }
    if ((rc = lt_sgns_new(&m, &so, V, vcnt))) goto done;
    lt_n2v_opts o2 = *o; /* the walks with the trainer's thread count */
    o2.walk = wo;
    stream_ctx sc = { g, &o2, starts, order, ns, vid, buf };
    t0 = lt_now();
    if ((rc = lt_sgns_train_stream(m, next_batch, &sc, words))) goto done;
    inf.train_seconds = lt_now() - t0;
    int64_t ld, ldo;
    const float *W = lt_sgns_vectors(m, &ld), *O = lt_sgns_output_rows(m, &ldo);
    if (!(v = lt_vecs_new(V, o->sg.dim))) {
        rc = LT_ENOMEM;
        goto done;
    }
    for (int64_t k = 0; k < V; k++) {
        float *row = lt_vecs_row(v, k);
        for (int j = 0; j < o->sg.dim; j++)
            row[j] = o->vectors == LT_N2V_NODE     ? W[k * ld + j]
                    : o->vectors == LT_N2V_CONTEXT ? O[k * ldo + j]
                                                   : W[k * ld + j] + O[k * ldo + j];
        if ((rc = lt_vecs_set_label(v, k, g->labels[rank[k]]))) goto done;
    }
    char b[64];
#define META(k, fmt, val) \
    do { \
        snprintf(b, sizeof b, fmt, val); \
        lt_vecs_meta_set(v, k, b); \
    } while (0)
    lt_vecs_meta_set(v, "method", wo.second_order ? "node2vec" : "deepwalk");
    lt_vecs_meta_set(v, "vectors", lt_n2v_vectors_name(o->vectors));
    lt_vecs_meta_set(v, "latent_version", LT_VERSION);
    META("dim", "%d", o->sg.dim);
    META("walk_length", "%d", wo.length);
    META("num_walks", "%d", wo.num_walks);
    if (wo.second_order) {
        META("p", "%g", wo.p);
        META("q", "%g", wo.q);
    }
    META("window", "%d", o->sg.window);
    META("negative", "%d", o->sg.negative);
    META("alpha", "%.6g", inf.alpha);
    META("epochs", "%d", o->sg.epochs);
    META("sample", "%g", (double)o->sg.sample);
    META("min_count", "%lld", (long long)o->min_count);
    META("seed", "%llu", (unsigned long long)wo.seed);
    META("threads", "%d", o->sg.n_threads);
    META("directed", "%d", g->directed);
    META("weighted", "%d", g->weighted);
#undef META
    inf.nodes_out = V;
    *out = v;
    v = NULL;
done:
    if (wf.f) lt_afile_abort(&wf);
    lt_vecs_free(v);
    lt_sgns_free(m);
    lt_free(starts);
    lt_free(order);
    lt_free(vid);
    lt_free(rank);
    lt_free(cnt);
    lt_free(vcnt);
    lt_free(buf);
    if (info) *info = inf;
    return rc;
}
