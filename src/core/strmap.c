/* String -> dense id map: open addressing over 64-bit FNV-1a hashes, keys in chunked arenas
 * (pointers to keys never move). */
#include "strmap.h"
#include "latent/core.h"
#include <string.h>

struct lt__strmap {
    int64_t *slot; /* cap entries: id or -1 */
    uint64_t *hash; /* per id */
    char **key; /* per id */
    int64_t n, cap_ids;
    uint64_t cap; /* power of two */
    char **arena;
    int n_arena;
    size_t arena_used, arena_cap, key_bytes;
};

lt__strmap *lt__strmap_new(void) { return lt_calloc(1, sizeof(lt__strmap)); }

void lt__strmap_free(lt__strmap *m) {
    if (!m) return;
    for (int i = 0; i < m->n_arena; i++) lt_free(m->arena[i]);
    lt_free(m->arena);
    lt_free(m->slot);
    lt_free(m->hash);
    lt_free(m->key);
    lt_free(m);
}

static uint64_t h64(const char *s, size_t n) {
    uint64_t h = lt_hash64(s, n, LT_HASH_INIT);
    return h ^ (h >> 31);
}

static int grow(lt__strmap *m) {
    uint64_t nc = m->cap ? m->cap * 2 : 1024;
    int64_t *ns = lt_malloc(nc * sizeof *ns);
    if (!ns) return lt_err(LT_ENOMEM, "out of memory");
    memset(ns, 0xff, nc * sizeof *ns);
    for (int64_t i = 0; i < m->n; i++) {
        uint64_t k = m->hash[i] & (nc - 1);
        while (ns[k] >= 0) k = (k + 1) & (nc - 1);
        ns[k] = i;
    }
    lt_free(m->slot);
    m->slot = ns;
    m->cap = nc;
    return LT_OK;
}

static char *arena_copy(lt__strmap *m, const char *s, size_t n) {
    if (m->arena_used + n + 1 > m->arena_cap) {
        size_t sz = n + 1 > (1u << 20) ? n + 1 : (1u << 20);
        char **na = lt_realloc(m->arena, (size_t)(m->n_arena + 1) * sizeof *na);
        if (!na) return NULL;
        m->arena = na;
        if (!(m->arena[m->n_arena] = lt_malloc(sz))) return NULL;
        m->n_arena++;
        m->arena_used = 0;
        m->arena_cap = sz;
    }
    char *d = m->arena[m->n_arena - 1] + m->arena_used;
    memcpy(d, s, n);
    d[n] = 0;
    m->arena_used += n + 1;
    m->key_bytes += n + 1;
    return d;
}

int64_t lt__strmap_get(const lt__strmap *m, const char *s, size_t n) {
    if (!m->cap) return -1;
    uint64_t h = h64(s, n);
    for (uint64_t k = h & (m->cap - 1);; k = (k + 1) & (m->cap - 1)) {
        int64_t i = m->slot[k];
        if (i < 0) return -1;
        if (m->hash[i] == h && !memcmp(m->key[i], s, n) && m->key[i][n] == 0) return i;
    }
}

int64_t lt__strmap_put(lt__strmap *m, const char *s, size_t n, int *added) {
    if (added) *added = 0;
    int64_t i = lt__strmap_get(m, s, n);
    if (i >= 0) return i;
    if ((uint64_t)(m->n + 1) * 2 > m->cap && grow(m)) return LT_ENOMEM;
    if (m->n == m->cap_ids) {
        int64_t nc = m->cap_ids ? m->cap_ids * 2 : 1024;
        uint64_t *nh = lt_realloc(m->hash, (size_t)nc * sizeof *nh);
        if (!nh) return lt_err(LT_ENOMEM, "out of memory");
        m->hash = nh;
        char **nk = lt_realloc(m->key, (size_t)nc * sizeof *nk);
        if (!nk) return lt_err(LT_ENOMEM, "out of memory");
        m->key = nk;
        m->cap_ids = nc;
    }
    char *k = arena_copy(m, s, n);
    if (!k) return lt_err(LT_ENOMEM, "out of memory");
    uint64_t h = h64(s, n);
    i = m->n++;
    m->hash[i] = h;
    m->key[i] = k;
    uint64_t p = h & (m->cap - 1);
    while (m->slot[p] >= 0) p = (p + 1) & (m->cap - 1);
    m->slot[p] = i;
    if (added) *added = 1;
    return i;
}

const char *lt__strmap_key(const lt__strmap *m, int64_t id) {
    return id >= 0 && id < m->n ? m->key[id] : NULL;
}
int64_t lt__strmap_size(const lt__strmap *m) { return m->n; }
size_t lt__strmap_key_bytes(const lt__strmap *m) { return m->key_bytes; }
