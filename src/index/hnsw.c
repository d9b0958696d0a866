/* HNSW (Malkov & Yashunin 2018): layered proximity graphs, heuristic neighbour selection
 * (their Algorithm 4), per-node spinlocks, nodes in fixed chunks that never move so
 * searches run while a writer inserts. The file format is in hnsw_io.c, the shared internals
 * in hnsw_impl.h. */
#include "latent/index.h"
#include "latent/core.h"
#include "latent/kern.h"
#include "../core/topk.h"
#include "latent/io.h"
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "hnsw_impl.h"

void lt_hnsw_opts_init(lt_hnsw_opts *o) {
    memset(o, 0, sizeof *o); /* every field, the ones added later included */
    o->M = 16;
    o->ef_construction = 200;
    o->metric = LT_METRIC_L2;
    o->seed = 100;
    o->storage = LT_HNSW_F32;
    o->rerank = 1;
}

static inline float dist(const lt_hnsw *h, const float *a, const float *b) {
    return h->o.metric == LT_METRIC_L2 ? h->K->l2sq(a, b, h->ld) : 1 - h->K->dot(a, b, h->ld);
}

/* distance from an f32 query (prepared, ld floats) to node i as the graph sees it */
static inline float dist_q(const lt_hnsw *h, const float *q, int64_t i) {
    if (h->o.storage == LT_HNSW_F32) return dist(h, q, VEC(h, i));
    chunk *c = CHK(h, i);
    int64_t j = i & (CH - 1);
    const uint8_t *code = c->code + j * h->code_bytes;
    if (h->o.storage == LT_HNSW_F16)
        return h->o.metric == LT_METRIC_L2
                ? h->K->l2sq_f16(q, (const uint16_t *)(const void *)code, h->ld)
                : 1 - h->K->dot_f16(q, (const uint16_t *)(const void *)code, h->ld);
    return h->o.metric == LT_METRIC_L2
            ? h->K->l2sq_i8(q, (const int8_t *)code, c->scale[j], h->ld)
            : 1 - c->scale[j] * h->K->dot_i8(q, (const int8_t *)code, h->ld);
}
/* exact distance when f32 vectors are kept, else the compact one */
static inline float dist_exact(const lt_hnsw *h, const float *q, int64_t i) {
    return h->keep_vec ? dist(h, q, VEC(h, i)) : dist_q(h, q, i);
}
/* node i as f32 (ld floats) */
static void decode(const lt_hnsw *h, int64_t i, float *out) {
    if (h->keep_vec) {
        memcpy(out, VEC(h, i), (size_t)h->ld * 4);
        return;
    }
    chunk *c = CHK(h, i);
    int64_t j = i & (CH - 1);
    const uint8_t *code = c->code + j * h->code_bytes;
    if (h->o.storage == LT_HNSW_F16)
        for (int64_t k = 0; k < h->ld; k++) {
            uint16_t x;
            memcpy(&x, code + 2 * k, 2);
            out[k] = lt_f16_to_f32(x);
        }
    else
        for (int64_t k = 0; k < h->ld; k++) out[k] = c->scale[j] * (float)(int8_t)code[k];
}
static void encode(const lt_hnsw *h, int64_t i, const float *x) {
    chunk *c = CHK(h, i);
    int64_t j = i & (CH - 1);
    uint8_t *code = c->code + j * h->code_bytes;
    if (h->o.storage == LT_HNSW_F16)
        for (int64_t k = 0; k < h->ld; k++) {
            uint16_t v = lt_f32_to_f16(x[k]);
            memcpy(code + 2 * k, &v, 2);
        }
    else {
        float mx = 0;
        for (int64_t k = 0; k < h->ld; k++) mx = fabsf(x[k]) > mx ? fabsf(x[k]) : mx;
        float sc = mx > 0 ? mx / 127 : 1, inv = 1 / sc;
        c->scale[j] = sc;
        for (int64_t k = 0; k < h->ld; k++) {
            long v = lrintf(x[k] * inv);
            code[k] = (uint8_t)(int8_t)(v > 127 ? 127 : v < -127 ? -127 : v);
        }
    }
}

/* ---- id map (external id -> node) ---- */
static uint64_t hid(int64_t k) {
    uint64_t x = (uint64_t)k * 0x9e3779b97f4a7c15ULL;
    return x ^ (x >> 29);
}
int lt__hnsw_map_put(lt_hnsw *h, int64_t k, int32_t v) {
    if ((h->map_n + 1) * 2 > h->map_cap) {
        uint64_t nc = h->map_cap ? h->map_cap * 2 : 1024;
        int64_t *nk = lt_malloc(nc * 8);
        int32_t *nv = lt_malloc(nc * 4);
        if (!nk || !nv) {
            lt_free(nk);
            lt_free(nv);
            return lt_err(LT_ENOMEM, "out of memory");
        }
        memset(nk, 0xff, nc * 8);
        for (uint64_t i = 0; i < h->map_cap; i++)
            if (h->map_k[i] >= 0) {
                uint64_t s = hid(h->map_k[i]) & (nc - 1);
                while (nk[s] >= 0) s = (s + 1) & (nc - 1);
                nk[s] = h->map_k[i];
                nv[s] = h->map_v[i];
            }
        lt_free(h->map_k);
        lt_free(h->map_v);
        h->map_k = nk;
        h->map_v = nv;
        h->map_cap = nc;
    }
    uint64_t s = hid(k) & (h->map_cap - 1);
    while (h->map_k[s] >= 0 && h->map_k[s] != k) s = (s + 1) & (h->map_cap - 1);
    if (h->map_k[s] < 0) h->map_n++;
    h->map_k[s] = k;
    h->map_v[s] = v;
    return LT_OK;
}
int32_t lt__hnsw_map_get(const lt_hnsw *h, int64_t k) {
    if (!h->map_cap) return -1;
    uint64_t s = hid(k) & (h->map_cap - 1);
    while (h->map_k[s] >= 0) {
        if (h->map_k[s] == k) return h->map_v[s];
        s = (s + 1) & (h->map_cap - 1);
    }
    return -1;
}

/* ---- visited sets ---- */
static vis *vis_get(lt_hnsw *h, int64_t n) {
    pthread_mutex_lock(&h->vlock);
    vis *v = h->pool;
    if (v) h->pool = v->next;
    pthread_mutex_unlock(&h->vlock);
    if (!v) {
        v = lt_calloc(1, sizeof *v);
        if (!v) return NULL;
    }
    if (v->cap < (size_t)n) {
        size_t nc = (size_t)n + (size_t)n / 2 + 1024;
        uint32_t *t = lt_realloc(v->tag, nc * 4);
        if (!t) {
            lt_free(v->tag);
            lt_free(v);
            return NULL;
        }
        memset(t, 0, nc * 4);
        v->tag = t;
        v->cap = nc;
        v->cur = 0;
    }
    if (++v->cur == 0) {
        memset(v->tag, 0, v->cap * 4);
        v->cur = 1;
    }
    return v;
}
static void vis_put(lt_hnsw *h, vis *v) {
    pthread_mutex_lock(&h->vlock);
    v->next = h->pool;
    h->pool = v;
    pthread_mutex_unlock(&h->vlock);
}

/* ---- small heaps of (dist, node) ---- */
typedef struct {
    float d;
    int32_t i;
} cand;
typedef struct {
    cand *a;
    int n, cap, fixed;
} cheap;
/* fixed: a is caller storage, not heap */ /* max-heap when sign = +1 (results), min-heap via negated d */
static int ch_push(cheap *h, float d, int32_t i) {
    if (h->n == h->cap) {
        int nc = h->cap ? h->cap * 2 : 64;
        cand *na;
        if (h->fixed) {
            na = lt_malloc((size_t)nc * sizeof *na);
            if (na) memcpy(na, h->a, (size_t)h->n * sizeof *na);
        } else na = lt_realloc(h->a, (size_t)nc * sizeof *na);
        if (!na) return LT_ENOMEM;
        h->a = na;
        h->cap = nc;
        h->fixed = 0;
    }
    int k = h->n++;
    while (k > 0) {
        int p = (k - 1) / 2;
        if (h->a[p].d > d || (h->a[p].d == d && h->a[p].i > i)) break;
        h->a[k] = h->a[p];
        k = p;
    }
    h->a[k] = (cand){ d, i };
    return LT_OK;
}
static cand ch_pop(cheap *h) {
    cand top = h->a[0], last = h->a[--h->n];
    int k = 0;
    for (;;) {
        int l = 2 * k + 1, r = l + 1, w = k;
        cand wc = last;
        if (l < h->n && (h->a[l].d > wc.d || (h->a[l].d == wc.d && h->a[l].i > wc.i))) {
            w = l;
            wc = h->a[l];
        }
        if (r < h->n && (h->a[r].d > wc.d || (h->a[r].d == wc.d && h->a[r].i > wc.i))) w = r;
        if (w == k) break;
        h->a[k] = h->a[w];
        k = w;
    }
    if (h->n) h->a[k] = last;
    return top;
}

/* pop then push in one sift: the result heap is full and (d, i) beats its worst */
static void ch_replace_top(cheap *h, float d, int32_t i) {
    int k = 0;
    for (;;) {
        int l = 2 * k + 1, r = l + 1, w = k;
        float wd = d;
        int32_t wi = i;
        if (l < h->n && (h->a[l].d > wd || (h->a[l].d == wd && h->a[l].i > wi))) {
            w = l;
            wd = h->a[l].d;
            wi = h->a[l].i;
        }
        if (r < h->n && (h->a[r].d > wd || (h->a[r].d == wd && h->a[r].i > wi))) w = r;
        if (w == k) break;
        h->a[k] = h->a[w];
        k = w;
    }
    h->a[k] = (cand){ d, i };
}

static int accept(const lt_hnsw *h, int32_t i, const lt_filter *f) {
    if (DELETED(h, i)) return 0;
    if (!f) return 1;
    int64_t e = EXT(h, i);
    if (f->allow) {
        int64_t lo = 0, hi = f->n_allow - 1;
        while (lo <= hi) {
            int64_t m = (lo + hi) / 2;
            if (f->allow[m] == e) return 1;
            if (f->allow[m] < e) lo = m + 1;
            else hi = m - 1;
        }
        return 0;
    }
    return f->pred ? f->pred(e, f->ud) : 1;
}

/* the row graph search reads for node e: its vector, or its compact code */
static inline const char *search_row(const lt_hnsw *h, int32_t e) {
    return h->o.storage == LT_HNSW_F32
            ? (const char *)VEC(h, e)
            : (const char *)(CHK(h, e)->code + (e & (CH - 1)) * h->code_bytes);
}
/* that row, every line of it */
static inline void prefetch_row(const lt_hnsw *h, int32_t e) {
    const char *p = search_row(h, e);
    size_t bytes = h->o.storage == LT_HNSW_F32 ? (size_t)h->ld * 4 : (size_t)h->code_bytes;
    for (size_t o = 0; o < bytes; o += 64) __builtin_prefetch(p + o);
}

/* Beam search on layer lc from ep. Results (max-heap by distance, at most ef) in *res.
 * With `f` (or deleted nodes) only accepted nodes enter the results; all are traversed. */

static int search_layer(const lt_hnsw *h, const float *q, int32_t ep, int ef, int lc,
        const lt_filter *f, int filtering, vis *v, cheap *res, cheap *cands) {
    res->n = 0;
    cands->n = 0;
    float d0 = dist_q(h, q, ep);
    v->tag[ep] = v->cur;
    if (ch_push(cands, -d0, ep)) return LT_ENOMEM;
    if (!filtering || accept(h, ep, f))
        if (ch_push(res, d0, ep)) return LT_ENOMEM;
    int32_t buf[1 + 2 * 256];
    while (cands->n) {
        cand c = ch_pop(cands);
        float cd = -c.d;
        if (res->n >= ef && cd > res->a[0].d) break;
        /* the next node to expand is most likely the new top: start loading its links */
        if (cands->n) __builtin_prefetch(LINKS(h, cands->a[0].i, lc));
        int cnt = read_links(h, c.i, lc, buf);
        /* Short rows: unvisited neighbours first, then their distances with the rows three
         * ahead prefetched whole, so the loads overlap. Long rows (>= 512 bytes): one pass,
         * the next neighbour's first line prefetched (the hardware streams the rest; more
         * measured slower on Fashion-MNIST). */
        int nn = 0;
        for (int j = 0; j < cnt; j++) {
            int32_t e = buf[j];
            if ((size_t)e >= v->cap) continue; /* inserted after this search began */
            if (h->pf_ahead && v->tag[e] == v->cur) continue;
            buf[nn++] = e;
        }
        for (int j = 0; j < nn && j < h->pf_ahead; j++) prefetch_row(h, buf[j]);
        for (int j = 0; j < nn; j++) {
            int32_t e = buf[j];
            if (h->pf_ahead) {
                if (j + h->pf_ahead < nn) prefetch_row(h, buf[j + h->pf_ahead]);
            } else {
                if (j + 1 < nn) __builtin_prefetch(search_row(h, buf[j + 1]));
                if (v->tag[e] == v->cur) continue;
            }
            v->tag[e] = v->cur;
            float de = dist_q(h, q, e);
            if (res->n < ef || de < res->a[0].d) {
                if (ch_push(cands, -de, e)) return LT_ENOMEM;
                if (!filtering || accept(h, e, f)) {
                    if (res->n < ef) {
                        if (ch_push(res, de, e)) return LT_ENOMEM;
                    } else if (de < res->a[0].d || (de == res->a[0].d && e < res->a[0].i))
                        ch_replace_top(res, de, e);
                }
            }
        }
    }
    return LT_OK;
}

/* Greedy walk (ef = 1) from ep down the layers above `to`; returns the closest node found. */
static int32_t greedy_descend(const lt_hnsw *h, const float *q, int32_t ep, int from, int to) {
    float de = dist_q(h, q, ep);
    for (int lc = from; lc > to; lc--) {
        int changed = 1;
        while (changed) {
            changed = 0;
            int32_t buf[1 + 256];
            int cnt = read_links(h, ep, lc, buf);
            for (int j = 0; j < cnt; j++) {
                float d2 = dist_q(h, q, buf[j]);
                if (d2 < de) {
                    de = d2;
                    ep = buf[j];
                    changed = 1;
                }
            }
        }
    }
    return ep;
}

/* Heuristic selection (Alg. 4, no extension, no pruned-connection keeping): from
 * candidates sorted ascending, keep c if it is closer to the base than to every kept one. */
static int select_neighbors(const lt_hnsw *h, cand *c, int n, int M, int32_t *out) {
    /* sort ascending by (d, id) */
    for (int a = 1; a < n; a++) {
        cand x = c[a];
        int z = a - 1;
        while (z >= 0 && (c[z].d > x.d || (c[z].d == x.d && c[z].i > x.i))) {
            c[z + 1] = c[z];
            z--;
        }
        c[z + 1] = x;
    }
    int k = 0;
    float *buf = h->keep_vec ? NULL : lt_aligned_alloc((size_t)h->ld * 4);
    if (!h->keep_vec && !buf) {
        for (k = 0; k < n && k < M; k++) out[k] = c[k].i;
        return k;
    }
    for (int a = 0; a < n && k < M; a++) {
        int good = 1;
        const float *va = h->keep_vec ? VEC(h, c[a].i) : (decode(h, c[a].i, buf), buf);
        for (int b = 0; b < k; b++)
            if (dist_q(h, va, out[b]) < c[a].d) {
                good = 0;
                break;
            }
        if (good) out[k++] = c[a].i;
    }
    lt_aligned_free(buf);
    return k;
}

int lt__hnsw_alloc_chunk(lt_hnsw *h, int64_t ci) {
    chunk *c = lt_calloc(1, sizeof *c);
    if (!c) return LT_ENOMEM;
    c->vec = h->keep_vec ? lt_aligned_alloc((size_t)CH * h->ld * 4) : NULL;
    c->code = h->code_bytes ? lt_aligned_alloc((size_t)CH * h->code_bytes) : NULL;
    c->scale = h->o.storage == LT_HNSW_INT8 ? lt_calloc(CH, 4) : NULL;
    c->l0 = lt_calloc((size_t)CH * (1 + h->M0), 4);
    c->up = lt_calloc(CH, sizeof(int32_t *));
    c->level = lt_calloc(CH, 1);
    c->deleted = lt_calloc(CH, 1);
    c->lock = lt_calloc(CH, sizeof(atomic_flag));
    c->ext = lt_calloc(CH, 8);
    if ((h->keep_vec && !c->vec) || (h->code_bytes && !c->code) ||
            (h->o.storage == LT_HNSW_INT8 && !c->scale) || !c->l0 || !c->up || !c->level ||
            !c->deleted || !c->lock || !c->ext) {
        lt_aligned_free(c->vec);
        lt_aligned_free(c->code);
        lt_free(c->scale);
        lt_free(c->l0);
        lt_free(c->up);
        lt_free(c->level);
        lt_free((void *)c->deleted);
        lt_free(c->lock);
        lt_free(c->ext);
        lt_free(c);
        return LT_ENOMEM;
    }
    if (c->vec) memset(c->vec, 0, (size_t)CH * h->ld * 4);
    for (int i = 0; i < CH; i++) atomic_flag_clear(&c->lock[i]);
    h->chunks[ci] = c;
    return LT_OK;
}

int lt_hnsw_new(lt_hnsw **out, int64_t d, const lt_hnsw_opts *o) {
    *out = NULL;
    lt_hnsw_opts def;
    if (!o) {
        lt_hnsw_opts_init(&def);
        o = &def;
    }
    if (d <= 0 || d > (1 << 20)) return lt_err(LT_EINVAL, "bad dimension %lld", (long long)d);
    if (o->M < 2 || o->M > 256) return lt_err(LT_EINVAL, "M must be 2..256");
    if (o->ef_construction < 1) return lt_err(LT_EINVAL, "ef_construction must be positive");
    if (o->storage < LT_HNSW_F32 || o->storage > LT_HNSW_INT8)
        return lt_err(LT_EINVAL, "unknown storage %d", o->storage);
    lt_hnsw *h = lt_calloc(1, sizeof *h);
    if (!h) return lt_err(LT_ENOMEM, "out of memory");
    h->o = *o;
    h->d = d;
    h->ld = lt_pad_dim(d);
    h->M = o->M;
    h->M0 = 2 * o->M;
    h->mL = 1 / log((double)o->M);
    h->code_bytes = o->storage == LT_HNSW_F16 ? h->ld * 2 : o->storage == LT_HNSW_INT8 ? h->ld : 0;
    h->keep_vec = o->storage == LT_HNSW_F32 || o->rerank;
    int64_t row = o->storage == LT_HNSW_F32 ? h->ld * 4 : h->code_bytes;
    h->pf_ahead = row >= 512 ? 0 : 3;
    h->entry = -1;
    h->max_level = -1;
    lt_rng_seed(&h->rng, o->seed, 0);
    pthread_mutex_init(&h->glock, NULL);
    pthread_mutex_init(&h->mlock, NULL);
    pthread_mutex_init(&h->vlock, NULL);
    h->K = lt_kern();
    *out = h;
    return LT_OK;
}

void lt_hnsw_free(lt_hnsw *h) {
    if (!h) return;
    int64_t n = atomic_load(&h->n);
    for (int64_t ci = 0; ci < MAX_CHUNKS && h->chunks[ci]; ci++) {
        chunk *c = h->chunks[ci];
        for (int64_t j = 0; j < CH && ci * CH + j < n; j++)
            if (!c->mapped) lt_free(c->up[j]);
        if (!c->mapped) {
            lt_aligned_free(c->vec);
            lt_aligned_free(c->code);
            lt_free(c->scale);
            lt_free(c->l0);
            lt_free(c->level);
            lt_free((void *)c->deleted);
            lt_free(c->ext);
        }
        lt_free(c->up);
        lt_free(c->lock);
        lt_free(c);
    }
    if (h->map) {
        if (h->map_heap) lt_aligned_free(h->map);
        else munmap(h->map, h->map_len);
    }
    while (h->pool) {
        vis *v = h->pool;
        h->pool = v->next;
        lt_free(v->tag);
        lt_free(v);
    }
    lt_free(h->map_k);
    lt_free(h->map_v);
    pthread_mutex_destroy(&h->glock);
    pthread_mutex_destroy(&h->mlock);
    pthread_mutex_destroy(&h->vlock);
    lt_free(h);
}

static void prep(const lt_hnsw *h, const float *x, float *out) {
    memset(out, 0, (size_t)h->ld * 4);
    memcpy(out, x, (size_t)h->d * 4);
    if (h->o.metric == LT_METRIC_COS) {
        double s = 0;
        for (int64_t j = 0; j < h->d; j++) s += (double)out[j] * out[j];
        float inv = s > 0 ? (float)(1 / sqrt(s)) : 0;
        for (int64_t j = 0; j < h->d; j++) out[j] *= inv;
    }
}

/* Links node `cur` into the graph; level already drawn. */
static int insert_node(lt_hnsw *h, int32_t cur, int level, const float *q) {
    pthread_mutex_lock(&h->glock);
    int32_t ep = h->entry;
    int maxl = h->max_level;
    int hold = level > maxl; /* keep the global lock while a new top level is built */
    if (!hold) pthread_mutex_unlock(&h->glock);
    if (ep < 0) {
        h->entry = cur;
        h->max_level = level;
        pthread_mutex_unlock(&h->glock);
        return LT_OK;
    }
    ep = greedy_descend(h, q, ep, maxl, level);
    vis *v = vis_get(h, atomic_load(&h->n));
    cheap res = { 0 }, cands = { 0 };
    int rc = v ? LT_OK : LT_ENOMEM;
    cand *tmp = lt_malloc(sizeof(cand) *
            (size_t)(h->M0 + 2 > h->o.ef_construction ? h->M0 + 2 : h->o.ef_construction + 2));
    float *ebuf = lt_aligned_alloc((size_t)h->ld * 4);
    if (!tmp || !ebuf) rc = LT_ENOMEM;
    /* Two phases. First, top down, the searches: each layer's neighbours become the node's
     * own links at once, but nothing links to the node yet, so no other thread can reach
     * it. Then the back-links. A concurrent insert that meets this node thus always finds
     * its links on every layer below, never an empty layer-0 list (a dead end that made
     * 2-thread graphs measurably worse); with one thread the graph is the same. */
    int top = level < maxl ? level : maxl;
    int32_t *sels = lt_malloc(sizeof(int32_t) * (size_t)(top + 1) * (1 + 256));
    if (!sels) rc = LT_ENOMEM;
    for (int lc = top; lc >= 0 && rc == LT_OK; lc--) {
        if (lc != top) {
            if (++v->cur == 0) {
                memset(v->tag, 0, v->cap * 4);
                v->cur = 1;
            }
        }
        if ((rc = search_layer(h, q, ep, h->o.ef_construction, lc, NULL, 0, v, &res, &cands)))
            break;
        int nr = res.n;
        for (int a = 0; a < nr; a++) tmp[a] = res.a[a];
        /* next entry: the closest found */
        int best = 0;
        for (int a = 1; a < nr; a++)
            if (tmp[a].d < tmp[best].d) best = a;
        ep = tmp[best].i;
        int32_t *sel = sels + (size_t)lc * (1 + 256);
        sel[0] = select_neighbors(h, tmp, nr, h->M, sel + 1);
        LOCK(h, cur);
        write_links(LINKS(h, cur, lc), sel + 1, sel[0]);
        UNLOCK(h, cur);
    }
    for (int lc = top; lc >= 0 && rc == LT_OK; lc--) {
        const int32_t *sel = sels + (size_t)lc * (1 + 256);
        int Mmax = lc == 0 ? h->M0 : h->M;
        for (int a = 0; a < sel[0]; a++) {
            int32_t e = sel[1 + a];
            LOCK(h, e);
            int32_t *E = LINKS(h, e, lc), cur_links[1 + 256];
            int ne = read_links(h, e, lc, cur_links);
            if (ne < Mmax) {
                _Atomic int32_t *EA = (_Atomic int32_t *)E;
                atomic_store_explicit(&EA[1 + ne], cur, memory_order_relaxed);
                atomic_store_explicit(&EA[0], ne + 1, memory_order_release);
            } else {
                /* shrink: existing links plus cur, by the heuristic around e */
                float *ve = ebuf;
                if (h->keep_vec) ve = VEC(h, e);
                else decode(h, e, ebuf);
                int m = 0;
                for (int b = 0; b < ne; b++)
                    tmp[m++] = (cand){ dist_q(h, ve, cur_links[b]), cur_links[b] };
                tmp[m++] = (cand){ dist_q(h, ve, cur), cur };
                int32_t keep[1 + 2 * 256];
                int nk = select_neighbors(h, tmp, m, Mmax, keep);
                write_links(E, keep, nk);
            }
            UNLOCK(h, e);
        }
    }
    lt_free(sels);
    lt_free(tmp);
    lt_free(res.a);
    lt_free(cands.a);
    lt_aligned_free(ebuf);
    if (v) vis_put(h, v);
    if (hold) {
        if (rc == LT_OK) {
            h->entry = cur;
            h->max_level = level;
        }
        pthread_mutex_unlock(&h->glock);
    }
    return rc ? lt_err(rc, "out of memory while inserting") : LT_OK;
}

/* Allocates node storage for id with a drawn level; returns internal index or < 0. */
/* Writers reserve node slots under mlock (allocating the chunk first), initialise the node,
 * then publish it: h->n only grows in order (each writer waits for the slots before its own),
 * with release, so a reader that loads n (acquire) finds every node below it complete. */
static void publish(lt_hnsw *h, int64_t i) {
    while (atomic_load_explicit(&h->n, memory_order_acquire) != i) sched_yield();
    atomic_store_explicit(&h->n, i + 1, memory_order_release);
}

/* Allocates node storage for id with a drawn level; returns internal index or < 0. */
int32_t lt__hnsw_new_node(
        lt_hnsw *h, const float *x, int64_t id, int level, int raw, float *prepared) {
    pthread_mutex_lock(&h->mlock);
    int64_t i = h->n_res;
    if (i >= (int64_t)MAX_CHUNKS * CH || i > INT32_MAX - 1) {
        pthread_mutex_unlock(&h->mlock);
        lt_err(LT_EINVAL, "index is full");
        return -1;
    }
    int64_t ci = i >> CH_BITS;
    if (!h->chunks[ci] && lt__hnsw_alloc_chunk(h, ci)) {
        pthread_mutex_unlock(&h->mlock);
        lt_err(LT_ENOMEM, "out of memory");
        return -1;
    }
    h->n_res = i + 1;
    pthread_mutex_unlock(&h->mlock);
    chunk *c = h->chunks[ci];
    int64_t j = i & (CH - 1);
    if (raw) {
        if (prepared != x) {
            memset(prepared, 0, (size_t)h->ld * 4);
            memcpy(prepared, x, (size_t)h->d * 4);
        }
    } else prep(h, x, prepared);
    if (c->vec) memcpy(c->vec + j * h->ld, prepared, (size_t)h->ld * 4);
    if (h->code_bytes && !raw) encode(h, i, prepared);
    c->level[j] = (uint8_t)level;
    c->ext[j] = id;
    c->l0[j * (1 + h->M0)] = 0;
    if (level > 0) {
        c->up[j] = lt_calloc((size_t)level * (1 + h->M), 4);
        if (!c->up[j]) { /* the slot is published as a deleted node: later writers wait for it */
            c->level[j] = 0;
            atomic_store(&c->deleted[j], 1);
            atomic_fetch_add(&h->n_deleted, 1);
            publish(h, i);
            lt_err(LT_ENOMEM, "out of memory");
            return -1;
        }
    }
    publish(h, i);
    return (int32_t)i;
}

static int draw_level(lt_hnsw *h) {
    double u = lt_rng_uniform(&h->rng);
    int l = (int)floor(-log(1 - u) * h->mL);
    return l > MAX_LEVEL ? MAX_LEVEL : l;
}

static int add_with_level(lt_hnsw *h, const float *x, int64_t id, int level) {
    if (id < 0) return lt_err(LT_EINVAL, "ids must be >= 0");
    pthread_mutex_lock(&h->mlock);
    int32_t old = lt__hnsw_map_get(h, id);
    pthread_mutex_unlock(&h->mlock);
    float *qv = lt_aligned_alloc((size_t)h->ld * 4);
    if (!qv) return lt_err(LT_ENOMEM, "out of memory");
    int32_t i = lt__hnsw_new_node(h, x, id, level, 0, qv);
    if (i < 0) {
        lt_aligned_free(qv);
        return LT_ENOMEM;
    }
    int rc = insert_node(h, i, level, qv);
    lt_aligned_free(qv);
    if (rc) { /* the node stays, as a deleted one, and is counted so */
        atomic_store(&CHK(h, i)->deleted[i & (CH - 1)], 1);
        atomic_fetch_add(&h->n_deleted, 1);
        return rc;
    }
    pthread_mutex_lock(&h->mlock);
    /* replacing an id: its old node is deleted now, unless it already was (then it is counted) */
    if (old >= 0 && !DELETED(h, old)) {
        atomic_store(&CHK(h, old)->deleted[old & (CH - 1)], 1);
        atomic_fetch_add(&h->n_deleted, 1);
    }
    rc = lt__hnsw_map_put(h, id, i);
    pthread_mutex_unlock(&h->mlock);
    return rc;
}

int lt_hnsw_add(lt_hnsw *h, const float *x, int64_t id) {
    h->has_base = 0; /* no longer the vectors it was built from */
    for (int64_t k = 0; k < h->d; k++)
        if (!isfinite(x[k]))
            return lt_err(LT_EINVAL, "id %lld: value %lld is NaN or infinite", (long long)id,
                    (long long)k);
    pthread_mutex_lock(&h->glock);
    int level = draw_level(h);
    pthread_mutex_unlock(&h->glock);
    return add_with_level(h, x, id, level);
}

typedef struct {
    lt_hnsw *h;
    const lt_vecs *v;
    int64_t first;
    const uint8_t *levels;
    _Atomic int64_t next;
    _Atomic int rc;
} add_ctx;
static void add_worker(void *ud, int tid) {
    add_ctx *c = ud;
    (void)tid;
    for (;;) {
        int64_t r = atomic_fetch_add(&c->next, 1);
        if (r >= c->v->n || atomic_load(&c->rc)) break;
        int rc = add_with_level(c->h, lt_vecs_row(c->v, r), c->first + r, c->levels[r]);
        if (rc) atomic_store(&c->rc, rc);
    }
}
int lt_hnsw_add_store(lt_hnsw *h, const lt_vecs *v, int64_t first_id, int n_threads) {
    h->has_base = 0;
    if (v->d != h->d)
        return lt_err(LT_EINVAL, "vectors have dimension %lld, the index %lld", (long long)v->d,
                (long long)h->d);
    if (first_id < 0 || first_id > INT64_MAX - v->n)
        return lt_err(
                LT_EINVAL, "ids %lld + %lld rows overflow", (long long)first_id, (long long)v->n);
    for (int64_t i = 0; i < v->n; i++)
        for (int64_t k = 0; k < v->d; k++)
            if (!isfinite(lt_vecs_row(v, i)[k]))
                return lt_err(LT_EINVAL, "row %lld: value %lld is NaN or infinite", (long long)i,
                        (long long)k);
    uint8_t *lv = lt_malloc((size_t)(v->n ? v->n : 1));
    if (!lv) return lt_err(LT_ENOMEM, "out of memory");
    for (int64_t i = 0; i < v->n; i++)
        lv[i] = (uint8_t)draw_level(h); /* levels fixed up front: deterministic */
    add_ctx c = { h, v, first_id, lv, 0, 0 };
    int rc = lt_run_threads(n_threads < 1 ? 1 : n_threads, add_worker, &c);
    lt_free(lv);
    if (rc) return rc;
    return atomic_load(&c.rc);
}

int lt_hnsw_delete(lt_hnsw *h, int64_t id) {
    h->has_base = 0; /* no longer the vectors it was built from */
    pthread_mutex_lock(&h->mlock);
    int32_t i = lt__hnsw_map_get(h, id);
    int rc = LT_OK;
    if (i < 0 || DELETED(h, i))
        rc = lt_err(LT_ENOTFOUND, "id %lld is not in the index", (long long)id);
    else {
        atomic_store(&CHK(h, i)->deleted[i & (CH - 1)], 1);
        atomic_fetch_add(&h->n_deleted, 1);
    }
    pthread_mutex_unlock(&h->mlock);
    return rc;
}

const float *lt_hnsw_vector(const lt_hnsw *h, int64_t id) {
    pthread_mutex_lock((pthread_mutex_t *)&h->mlock);
    int32_t i = lt__hnsw_map_get(h, id);
    pthread_mutex_unlock((pthread_mutex_t *)&h->mlock);
    return i < 0 || DELETED(h, i) ? NULL : VEC(h, i);
}

int lt_hnsw_compact(lt_hnsw *h, int n_threads) {
    lt_vecs *v;
    int64_t *ids;
    int rc0 = lt_hnsw_export(h, &v, &ids);
    if (rc0) return rc0;
    int64_t live = v->n;
    lt_hnsw *nh;
    int rc = lt_hnsw_new(&nh, h->d, &h->o);
    if (rc == LT_OK) {
        lt_rng_seed(&nh->rng, h->o.seed, 0);
        for (int64_t i = 0; i < live && rc == LT_OK; i++)
            rc = lt_hnsw_add(nh, lt_vecs_row(v, i), ids[i]);
    }
    (void)n_threads;
    lt_vecs_free(v);
    lt_free(ids);
    if (rc) {
        lt_hnsw_free(nh);
        return rc;
    }
    /* swap contents */
    lt_hnsw tmp;
    memcpy(&tmp, h, sizeof tmp);
    memcpy(h, nh, sizeof tmp);
    memcpy(nh, &tmp, sizeof tmp);
    pthread_mutex_init(&h->glock, NULL);
    pthread_mutex_init(&h->mlock, NULL);
    pthread_mutex_init(&h->vlock, NULL);
    pthread_mutex_init(&nh->glock, NULL);
    pthread_mutex_init(&nh->mlock, NULL);
    pthread_mutex_init(&nh->vlock, NULL);
    lt_hnsw_free(nh);
    return LT_OK;
}

/* brute force over accepted nodes (selective filters) */
static int brute(
        const lt_hnsw *h, const float *q, int k, const lt_filter *f, float *D, int64_t *I) {
    float *hd = lt_malloc((size_t)k * 4);
    int64_t *hi = lt_malloc((size_t)k * 8);
    if (!hd || !hi) {
        lt_free(hd);
        lt_free(hi);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    lt_topk t = { hd, hi, 0, k };
    int64_t n = atomic_load(&h->n);
    if (f && f->allow) {
        pthread_mutex_lock((pthread_mutex_t *)&h->mlock);
        for (int64_t a = 0; a < f->n_allow; a++) {
            int32_t i = lt__hnsw_map_get(h, f->allow[a]);
            if (i >= 0 && !DELETED(h, i)) lt_topk_push(&t, dist_exact(h, q, i), EXT(h, i));
        }
        pthread_mutex_unlock((pthread_mutex_t *)&h->mlock);
    } else {
        for (int64_t i = 0; i < n; i++)
            if (accept(h, (int32_t)i, f)) lt_topk_push(&t, dist_exact(h, q, i), EXT(h, i));
    }
    int got = lt_topk_sorted(&t, D, I);
    for (int a = got; a < k; a++) {
        D[a] = INFINITY;
        I[a] = -1;
    }
    lt_free(hd);
    lt_free(hi);
    return LT_OK;
}

int lt_hnsw_search(const lt_hnsw *hc, const float *x, int k, int ef, const lt_filter *f, float *D,
        int64_t *I) {
    lt_hnsw *h = (lt_hnsw *)hc;
    if (k <= 0) return lt_err(LT_EINVAL, "k must be positive");
    if (ef < k) ef = k;
    float qbuf[4096] __attribute__((aligned(64)));
    float *q = h->ld <= 4096 ? qbuf : lt_aligned_alloc((size_t)h->ld * 4);
    if (!q) return lt_err(LT_ENOMEM, "out of memory");
    prep(h, x, q);
    pthread_mutex_lock(&h->glock);
    int32_t ep = h->entry;
    int maxl = h->max_level;
    pthread_mutex_unlock(&h->glock);
    int64_t n = atomic_load(&h->n);
    int rc = LT_OK;
    if (ep < 0) {
        for (int a = 0; a < k; a++) {
            D[a] = INFINITY;
            I[a] = -1;
        }
        goto done;
    }
    /* selective filter: estimate the accepted fraction; below 1% brute force is faster and exact */
    if (f && (f->allow || f->pred)) {
        double frac;
        if (f->allow) frac = (double)f->n_allow / (double)n;
        else {
            int acc = 0, tot = n < 512 ? (int)n : 512;
            for (int a = 0; a < tot; a++) acc += accept(h, (int32_t)((int64_t)a * n / tot), f);
            frac = (double)acc / tot;
        }
        if (frac * (double)n < 2000 || frac < 0.01) {
            rc = brute(h, q, k, f, D, I);
            goto done;
        }
        if (frac < 0.5) ef = (int)(ef / frac < 5000 ? ef / frac : 5000);
    }
    ep = greedy_descend(h, q, ep, maxl, 0);
    vis *v = vis_get(h, n);
    cheap res = { 0 }, cands = { 0 };
    if (!v) {
        rc = lt_err(LT_ENOMEM, "out of memory");
        goto done;
    }
    int filtering = (f && (f->allow || f->pred)) || atomic_load(&h->n_deleted) > 0;
    /* small searches run on stack buffers (no allocation per query) */
    cand rbuf[1024], cbuf[2048];
    int on_stack = ef < 1000;
    if (on_stack) {
        res = (cheap){ rbuf, 0, 1024, 1 };
        cands = (cheap){ cbuf, 0, 2048, 1 };
    }
    rc = search_layer(h, q, ep, ef, 0, f, filtering, v, &res, &cands);
    vis_put(h, v);
    if (rc == LT_OK) {
        float hds[256];
        int64_t his[256];
        float *hd = k <= 256 ? hds : lt_malloc((size_t)k * 4);
        int64_t *hi = k <= 256 ? his : lt_malloc((size_t)k * 8);
        if (!hd || !hi) rc = LT_ENOMEM;
        else {
            lt_topk t = { hd, hi, 0, k };
            /* compact storage with f32 kept: exact re-ranking of the ef candidates */
            int rr = h->o.storage != LT_HNSW_F32 && h->keep_vec;
            for (int a = 0; a < res.n; a++)
                lt_topk_push(
                        &t, rr ? dist(h, q, VEC(h, res.a[a].i)) : res.a[a].d, EXT(h, res.a[a].i));
            int got = lt_topk_sorted(&t, D, I);
            for (int a = got; a < k; a++) {
                D[a] = INFINITY;
                I[a] = -1;
            }
        }
        if (hd != hds) lt_free(hd);
        if (hi != his) lt_free(hi);
    }
    if (!res.fixed) lt_free(res.a);
    if (!cands.fixed) lt_free(cands.a);
    if (rc) rc = lt_err(rc, "out of memory in search");
done:
    if (q != qbuf) lt_aligned_free(q);
    return rc;
}

typedef struct {
    const lt_hnsw *h;
    const float *Q;
    int64_t ldq;
    int k, ef;
    const lt_filter *f;
    float *D;
    int64_t *I;
    _Atomic int rc;
} sb_ctx;
static void sb_range(void *ud, int64_t b, int64_t e, int tid) {
    sb_ctx *c = ud;
    (void)tid;
    for (int64_t i = b; i < e; i++) {
        int rc = lt_hnsw_search(
                c->h, c->Q + i * c->ldq, c->k, c->ef, c->f, c->D + i * c->k, c->I + i * c->k);
        if (rc) atomic_store(&c->rc, rc);
    }
}
int lt_hnsw_search_batch(const lt_hnsw *h, const float *Q, int64_t nq, int64_t ldq, int k, int ef,
        const lt_filter *f, int n_threads, float *D, int64_t *I) {
    sb_ctx c = { h, Q, ldq, k, ef, f, D, I, 0 };
    int rc = lt_parallel_for(n_threads, nq, sb_range, &c);
    return rc ? rc : atomic_load(&c.rc);
}

int lt_hnsw_export(const lt_hnsw *h, lt_vecs **vecs, int64_t **ids) {
    *vecs = NULL;
    *ids = NULL;
    int64_t n = atomic_load(&h->n), live = 0;
    for (int64_t i = 0; i < n; i++) live += !DELETED(h, i);
    lt_vecs *v = lt_vecs_new(live, h->d);
    int64_t *id = lt_malloc((size_t)(live ? live : 1) * 8);
    if (!v || !id) {
        lt_vecs_free(v);
        lt_free(id);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    int64_t r = 0;
    for (int64_t i = 0; i < n; i++)
        if (!DELETED(h, i)) {
            decode(h, i, lt_vecs_row(v, r));
            id[r++] = EXT(h, i);
        }
    *vecs = v;
    *ids = id;
    return LT_OK;
}

lt_hnsw_info lt_hnsw_get_info(const lt_hnsw *h) {
    lt_hnsw_info in;
    memset(&in, 0, sizeof in);
    in.d = h->d;
    in.count = atomic_load(&h->n) - atomic_load(&h->n_deleted);
    in.deleted = atomic_load(&h->n_deleted);
    in.max_level = h->max_level;
    in.M = h->M;
    in.ef_construction = h->o.ef_construction;
    in.metric = h->o.metric;
    in.seed = h->o.seed;
    in.storage = h->o.storage;
    in.rerank = h->keep_vec && h->o.storage != LT_HNSW_F32;
    int64_t n = atomic_load(&h->n), up = 0;
    for (int64_t i = 0; i < n; i++) up += LEVEL(h, i);
    for (int64_t i = 0; i < n; i++)
        if (EXT(h, i) + 1 > in.next_id) in.next_id = EXT(h, i) + 1;
    int64_t links = n * ((1 + h->M0) * 4 + 8 + 3) + up * (1 + h->M) * 4;
    int64_t codes = n * (h->code_bytes + (h->o.storage == LT_HNSW_INT8 ? 4 : 0));
    int64_t vecs = h->keep_vec ? n * h->ld * 4 : 0;
    in.bytes = links + codes + vecs;
    in.search_bytes = links + (h->o.storage == LT_HNSW_F32 ? vecs : codes);
    return in;
}

/* ---- the base: what the index was built from ---- */
void lt_hnsw_base_of(const lt_vecs *v, lt_hnsw_base *b) {
    b->rows = v->n;
    b->labels_hash = LT_HASH_INIT;
    for (int64_t i = 0; v->labels && i < v->n; i++)
        b->labels_hash = lt_hash64(v->labels[i], strlen(v->labels[i]) + 1, b->labels_hash);
    /* the shape and up to 1024 evenly spaced rows: a cheap fingerprint of the numbers */
    int64_t shape[2] = { v->n, v->d }, step = v->n > 1024 ? v->n / 1024 : 1;
    b->data_hash = lt_hash64(shape, sizeof shape, LT_HASH_INIT);
    for (int64_t i = 0; i < v->n; i += step)
        b->data_hash = lt_hash64(lt_vecs_row(v, i), (size_t)v->d * 4, b->data_hash);
}

void lt_hnsw_set_base(lt_hnsw *h, const lt_hnsw_base *b) {
    h->has_base = b != NULL;
    if (b) h->base = *b;
}

int lt_hnsw_get_base(const lt_hnsw *h, lt_hnsw_base *b) {
    if (h->has_base && b) *b = h->base;
    return h->has_base;
}

int lt_hnsw_check_base(
        const lt_hnsw *h, const lt_vecs *v, const char *index_name, const char *vecs_name) {
    if (!h->has_base) { /* not recorded (an older file, or changed since): its ids must at least be rows of v */
        lt_hnsw_info in = lt_hnsw_get_info(h);
        if (in.next_id > v->n)
            return lt_err(LT_EINVAL,
                    "%s: holds ids up to %lld but %s has %lld rows: it was not built from these vectors "
                    "(rebuild it: latent index build %s -o %s)",
                    index_name, (long long)in.next_id - 1, vecs_name, (long long)v->n, vecs_name,
                    index_name);
        return LT_OK;
    }
    lt_hnsw_base b;
    lt_hnsw_base_of(v, &b);
    if (b.rows != h->base.rows || b.labels_hash != h->base.labels_hash ||
            b.data_hash != h->base.data_hash)
        return lt_err(LT_EINVAL,
                "%s: was built from other vectors than %s (%lld rows then, %lld now%s); rebuild it: latent index build %s -o %s",
                index_name, vecs_name, (long long)h->base.rows, (long long)b.rows,
                b.rows == h->base.rows ? (b.labels_hash != h->base.labels_hash ? ", other labels"
                                                                               : ", other numbers")
                                       : "",
                vecs_name, index_name);
    return LT_OK;
}
