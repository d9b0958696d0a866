/* HNSW internals shared by the graph (hnsw.c) and its file format (hnsw_io.c): the node
 * chunks, the index struct and the accessors of a node's parts. Private to src/index. */
#ifndef LATENT_HNSW_IMPL_H
#define LATENT_HNSW_IMPL_H
#include "latent/core.h"
#include "latent/index.h"
#include "latent/kern.h"
#include <pthread.h>
#include <stdatomic.h>

#define CH_BITS 12
#define CH (1 << CH_BITS)
#define MAX_CHUNKS 65536
#define MAX_LEVEL 30

typedef struct chunk {
    float *vec; /* CH x ld (f32 storage, or compact storage with re-ranking) */
    uint8_t *code; /* CH x code_bytes (compact storage) */
    float *scale; /* CH (int8) */
    int32_t *l0; /* CH x (1 + 2M): count then links */
    int32_t **up; /* CH pointers: level x (1 + M) */
    uint8_t *level;
    _Atomic uint8_t *deleted;
    atomic_flag *lock;
    int64_t *ext;
    int mapped; /* arrays point into the loaded file (v2); up[] and lock are ours */
} chunk;

typedef struct vis {
    uint32_t *tag;
    size_t cap;
    uint32_t cur;
    struct vis *next;
} vis;

struct lt_hnsw {
    lt_hnsw_opts o;
    int64_t d, ld;
    int M, M0;
    int64_t code_bytes; /* 2*ld (f16), ld (int8), 0 (f32) */
    int keep_vec;
    double mL;
    chunk *chunks[MAX_CHUNKS];
    _Atomic int64_t n; /* nodes published: storage of every node < n is initialised */
    int64_t n_res; /* nodes reserved by writers (under mlock); n <= n_res */
    _Atomic int64_t n_deleted;
    pthread_mutex_t glock; /* entry point, max level, level RNG */
    int32_t entry;
    int max_level;
    lt_rng rng;
    pthread_mutex_t mlock; /* id map */
    int64_t *map_k;
    int32_t *map_v;
    uint64_t map_cap, map_n;
    pthread_mutex_t vlock; /* visited pool */
    vis *pool;
    const lt_kernels *K;
    int pf_ahead; /* rows prefetched whole ahead in a neighbour scan (short rows: 3; 0: next row's first line) */
    int has_base; /* what the index was built from, recorded by lt_hnsw_set_base and */
    lt_hnsw_base base; /* dropped by any later change (header words 12-15) */
    unsigned char *map; /* a v2 file the full chunks point into: mmap'ed, or a heap copy */
    size_t map_len;
    int map_heap;
};

static inline chunk *CHK(const lt_hnsw *h, int64_t i) { return h->chunks[i >> CH_BITS]; }
static inline float *VEC(const lt_hnsw *h, int64_t i) {
    return CHK(h, i)->vec + (i & (CH - 1)) * h->ld;
}
static inline int32_t *LINKS(const lt_hnsw *h, int64_t i, int lc) {
    chunk *c = CHK(h, i);
    int64_t j = i & (CH - 1);
    return lc == 0 ? c->l0 + j * (1 + h->M0) : c->up[j] + (lc - 1) * (1 + h->M);
}
/* Link lists are read without locks (searches run beside one writer): the writer, holding
 * the node's lock against other writers, stores the entries and then the count (release);
 * a reader loads the count (acquire), clamps it, then the entries. It may see a list in
 * the middle of a rewrite, a mix of old and new neighbours, all of them real nodes, whose
 * vectors and own links were written before any link to them (two-phase insert). */
static inline int read_links(const lt_hnsw *h, int64_t i, int lc, int32_t *buf) {
    const _Atomic int32_t *L = (const _Atomic int32_t *)LINKS(h, i, lc);
    int cnt = atomic_load_explicit(&L[0], memory_order_acquire), mx = lc ? h->M : h->M0;
    if (cnt < 0) cnt = 0;
    if (cnt > mx) cnt = mx;
    for (int j = 0; j < cnt; j++) buf[j] = atomic_load_explicit(&L[1 + j], memory_order_relaxed);
    return cnt;
}
static inline void write_links(int32_t *Lp, const int32_t *ids, int cnt) {
    _Atomic int32_t *L = (_Atomic int32_t *)Lp;
    for (int j = 0; j < cnt; j++) atomic_store_explicit(&L[1 + j], ids[j], memory_order_relaxed);
    atomic_store_explicit(&L[0], cnt, memory_order_release);
}
static inline void LOCK(const lt_hnsw *h, int64_t i) {
    atomic_flag *f = &CHK(h, i)->lock[i & (CH - 1)];
    while (atomic_flag_test_and_set_explicit(f, memory_order_acquire)) {}
}
static inline void UNLOCK(const lt_hnsw *h, int64_t i) {
    atomic_flag_clear_explicit(&CHK(h, i)->lock[i & (CH - 1)], memory_order_release);
}
static inline int DELETED(const lt_hnsw *h, int64_t i) {
    return atomic_load_explicit(&CHK(h, i)->deleted[i & (CH - 1)], memory_order_relaxed);
}
static inline int64_t EXT(const lt_hnsw *h, int64_t i) { return CHK(h, i)->ext[i & (CH - 1)]; }
static inline int LEVEL(const lt_hnsw *h, int64_t i) { return CHK(h, i)->level[i & (CH - 1)]; }

/* hnsw.c: the id map, node storage */
int lt__hnsw_map_put(lt_hnsw *h, int64_t k, int32_t v);
int32_t lt__hnsw_map_get(const lt_hnsw *h, int64_t k);
int lt__hnsw_alloc_chunk(lt_hnsw *h, int64_t ci);
int32_t lt__hnsw_new_node(
        lt_hnsw *h, const float *x, int64_t id, int level, int raw, float *prepared);
#endif
