/* Vocabulary: counting hash table, pruning, sorting, save/load, and corpus encoding. */
#include "latent/core.h"
#include "latent/store.h"
#include "latent/text.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef struct {
    char *w;
    int64_t count, first;
} ventry;

struct lt_vocab {
    ventry *e;
    int64_t n, cap; /* entries */
    int64_t *hash; /* index into e, -1 empty */
    uint64_t hcap;
    int64_t *counts; /* after finalize: counts by id */
    int64_t total, seq;
    lt_vocab_stats st;
    int finalized;
};

void lt_vocab_opts_init(lt_vocab_opts *o) {
    memset(o, 0, sizeof *o); /* every field, the ones added later included */
    o->min_count = 5;
    o->max_size = 0;
    o->max_build = 30000000;
    o->ties_by_bytes = 0;
}

lt_vocab *lt_vocab_new(void) {
    lt_vocab *v = lt_calloc(1, sizeof *v);
    if (!v) {
        lt_err(LT_ENOMEM, "out of memory");
        return NULL;
    }
    return v;
}

void lt_vocab_free(lt_vocab *v) {
    if (!v) return;
    for (int64_t i = 0; i < v->n; i++) lt_free(v->e[i].w);
    lt_free(v->e);
    lt_free(v->hash);
    lt_free(v->counts);
    lt_free(v);
}

static uint64_t hw(const char *w, size_t n) { return lt_hash64(w, n, LT_HASH_INIT); }

static int rehash(lt_vocab *v, uint64_t cap) {
    int64_t *h = lt_malloc(cap * sizeof *h);
    if (!h) return lt_err(LT_ENOMEM, "out of memory for the vocabulary hash");
    memset(h, 0xff, cap * sizeof *h);
    for (int64_t i = 0; i < v->n; i++) {
        uint64_t k = hw(v->e[i].w, strlen(v->e[i].w)) & (cap - 1);
        while (h[k] >= 0) k = (k + 1) & (cap - 1);
        h[k] = i;
    }
    lt_free(v->hash);
    v->hash = h;
    v->hcap = cap;
    return LT_OK;
}

int64_t lt_vocab_find(const lt_vocab *v, const char *w, size_t n) {
    if (!v->hcap) return -1;
    uint64_t k = hw(w, n) & (v->hcap - 1);
    while (v->hash[k] >= 0) {
        const char *s = v->e[v->hash[k]].w;
        if (!strncmp(s, w, n) && s[n] == 0) return v->hash[k];
        k = (k + 1) & (v->hcap - 1);
    }
    return -1;
}

/* counts saturate at INT64_MAX instead of overflowing (a crafted vocabulary file) */
static int64_t sat_add(int64_t a, int64_t b) { return a > INT64_MAX - b ? INT64_MAX : a + b; }

int lt_vocab_add(lt_vocab *v, const char *w, size_t n, int64_t count) {
    if (count < 0) return lt_err(LT_EINVAL, "negative count for a vocabulary word");
    int64_t i = lt_vocab_find(v, w, n);
    if (i >= 0) {
        v->e[i].count = sat_add(v->e[i].count, count);
        return LT_OK;
    }
    if ((uint64_t)(v->n + 1) * 2 > v->hcap) {
        int rc = rehash(v, v->hcap ? v->hcap * 2 : 1024);
        if (rc) return rc;
    }
    if (v->n == v->cap) {
        int64_t nc = v->cap ? v->cap * 2 : 1024;
        ventry *ne = lt_realloc(v->e, (size_t)nc * sizeof *ne);
        if (!ne) return lt_err(LT_ENOMEM, "out of memory for the vocabulary");
        v->e = ne;
        v->cap = nc;
    }
    char *s = lt_malloc(n + 1);
    if (!s) return lt_err(LT_ENOMEM, "out of memory for the vocabulary");
    memcpy(s, w, n);
    s[n] = 0;
    v->e[v->n] = (ventry){ s, count, v->seq++ };
    uint64_t k = hw(w, n) & (v->hcap - 1);
    while (v->hash[k] >= 0) k = (k + 1) & (v->hcap - 1);
    v->hash[k] = v->n++;
    return LT_OK;
}

/* Drop entries with count < keep_at_least, compacting in place. */
static int64_t drop_below(lt_vocab *v, int64_t keep_at_least) {
    int64_t j = 0, dropped = 0;
    for (int64_t i = 0; i < v->n; i++) {
        if (v->e[i].count >= keep_at_least) v->e[j++] = v->e[i];
        else {
            lt_free(v->e[i].w);
            dropped++;
        }
    }
    v->n = j;
    return dropped;
}

static int cmp_entry(const void *a, const void *b) {
    const ventry *x = a, *y = b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return x->first < y->first ? -1 : x->first > y->first;
}

/* Ties by the words' bytes, compared as (signed) char, as GloVe's vocab_count does: its order
 * for UTF-8 too, so that the two vocabularies are the same file. */
static int cmp_entry_bytes(const void *a, const void *b) {
    const ventry *x = a, *y = b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    const signed char *s = (const signed char *)x->w, *t = (const signed char *)y->w;
    while (*s && *s == *t) {
        s++;
        t++;
    }
    return (*s > *t) - (*s < *t);
}

int lt_vocab_finalize(lt_vocab *v, const lt_vocab_opts *o) {
    lt_vocab_opts def;
    if (!o) {
        lt_vocab_opts_init(&def);
        o = &def;
    }
    v->st.types_seen = v->n + v->st.pruned_while_counting;
    v->st.below_min_count = drop_below(v, o->min_count > 1 ? o->min_count : 1);
    if (v->n > 1)
        qsort(v->e, (size_t)v->n, sizeof *v->e, o->ties_by_bytes ? cmp_entry_bytes : cmp_entry);
    if (o->max_size > 0 && v->n > o->max_size) {
        for (int64_t i = o->max_size; i < v->n; i++) lt_free(v->e[i].w);
        v->st.over_max_size = v->n - o->max_size;
        v->n = o->max_size;
    }
    v->st.types_kept = v->n;
    lt_free(v->counts);
    v->counts = lt_malloc((size_t)(v->n ? v->n : 1) * sizeof(int64_t));
    if (!v->counts) return lt_err(LT_ENOMEM, "out of memory");
    v->total = 0;
    for (int64_t i = 0; i < v->n; i++) {
        v->counts[i] = v->e[i].count;
        v->total = sat_add(v->total, v->e[i].count);
        v->e[i].first = i;
    }
    v->finalized = 1;
    uint64_t cap = 1024;
    while (cap < (uint64_t)v->n * 2 + 2) cap <<= 1;
    return rehash(v, cap);
}

int lt_vocab_build(lt_vocab *v, lt_corpus *c, const lt_vocab_opts *o) {
    lt_vocab_opts def;
    if (!o) {
        lt_vocab_opts_init(&def);
        o = &def;
    }
    const char *w;
    size_t n;
    int k, rc;
    int64_t min_reduce = 1;
    while ((k = lt_corpus_next(c, &w, &n)) > 0) {
        if (k != LT_TOK_WORD) continue;
        v->st.tokens_seen++;
        if ((rc = lt_vocab_add(v, w, n, 1))) return rc;
        if (o->max_build > 0 && v->n > o->max_build) {
            /* memory bound: drop the rarest words (said in stats and by the caller) */
            int64_t before = v->n;
            v->st.pruned_while_counting += drop_below(v, ++min_reduce);
            lt_log(1,
                    "vocabulary reached %lld entries; pruned %lld words seen fewer than %lld times so far (counts of rare words become approximate)",
                    (long long)before, (long long)(before - v->n), (long long)min_reduce);
            if ((rc = rehash(v, v->hcap))) return rc;
        }
    }
    if (k < 0) return k;
    return lt_vocab_finalize(v, o);
}

int64_t lt_vocab_size(const lt_vocab *v) { return v->n; }
const char *lt_vocab_word(const lt_vocab *v, int64_t id) {
    return id >= 0 && id < v->n ? v->e[id].w : NULL;
}
int64_t lt_vocab_count(const lt_vocab *v, int64_t id) {
    return id >= 0 && id < v->n ? v->e[id].count : 0;
}
const int64_t *lt_vocab_counts(const lt_vocab *v) { return v->counts; }
int64_t lt_vocab_total(const lt_vocab *v) { return v->total; }
lt_vocab_stats lt_vocab_get_stats(const lt_vocab *v) { return v->st; }

int lt_vocab_save(const lt_vocab *v, const char *path) {
    lt_afile a;
    int rc = lt_afile_open(&a, path);
    if (rc) return rc;
    for (int64_t i = 0; i < v->n; i++)
        fprintf(a.f, "%s %lld\n", v->e[i].w, (long long)v->e[i].count);
    return lt_afile_commit(&a);
}

static int vocab_load_impl(lt_vocab **out, const char *path) {
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return lt_err(LT_EIO, "%s: cannot open: %s", path, strerror(errno));
    lt_vocab *v = lt_vocab_new();
    if (!v) {
        fclose(f);
        return LT_ENOMEM;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    uint64_t off = 0;
    int rc = LT_OK;
    while ((len = getline(&line, &cap, f)) > 0) {
        size_t l = (size_t)len;
        while (l && (line[l - 1] == '\n' || line[l - 1] == '\r')) l--;
        if (l == 0) {
            off += (uint64_t)len;
            continue;
        }
        char *sp = NULL;
        for (size_t i = l; i > 0; i--)
            if (line[i - 1] == ' ' || line[i - 1] == '\t') {
                sp = line + i - 1;
                break;
            }
        char *e = NULL;
        long long cnt = -1;
        if (sp && sp > line) {
            line[l] = 0;
            errno = 0;
            cnt = strtoll(sp + 1, &e, 10);
        }
        if (!sp || sp == line || !e || *e || cnt < 0 || errno) {
            rc = lt_err(LT_EFORMAT, "%s: offset %llu: expected \"word count\"", path,
                    (unsigned long long)off);
            break;
        }
        if (memchr(line, 0, (size_t)(sp - line))) {
            rc = lt_err(
                    LT_EFORMAT, "%s: offset %llu: NUL byte in word", path, (unsigned long long)off);
            break;
        }
        if ((rc = lt_vocab_add(v, line, (size_t)(sp - line), cnt))) break;
        off += (uint64_t)len;
    }
    free(line);
    fclose(f);
    if (rc == LT_OK) {
        lt_vocab_opts o;
        lt_vocab_opts_init(&o);
        o.min_count = 0;
        rc = lt_vocab_finalize(v, &o);
    }
    if (rc) {
        lt_vocab_free(v);
        return rc;
    }
    *out = v;
    return LT_OK;
}

int lt_vocab_load(lt_vocab **out, const char *path) {
    return lt_err_in(vocab_load_impl(out, path), path);
}

/* ---- encoding ---- */
int lt_tokens_encode(lt_tokens *t, lt_corpus *c, const lt_vocab *v, int64_t max_sentence) {
    memset(t, 0, sizeof *t);
    if (max_sentence <= 0) max_sentence = 1000;
    FILE *f = tmpfile();
    if (!f)
        return lt_err(LT_EIO, "cannot create a temporary file for the encoded corpus: %s",
                strerror(errno));
    int32_t buf[65536];
    int nb = 0;
    int64_t n = 0, nw = 0, in_sent = 0;
    const char *w;
    size_t len;
    int k;
#define PUT(x) \
    do { \
        buf[nb++] = (x); \
        n++; \
        if (nb == 65536) { \
            if (fwrite(buf, 4, (size_t)nb, f) != (size_t)nb) goto wfail; \
            nb = 0; \
        } \
    } while (0)
    while ((k = lt_corpus_next(c, &w, &len)) > 0) {
        if (k == LT_TOK_EOL) {
            if (in_sent) {
                PUT(-1);
                in_sent = 0;
            }
            continue;
        }
        int64_t id = lt_vocab_find(v, w, len);
        if (id < 0) continue;
        PUT((int32_t)id);
        nw++;
        if (++in_sent == max_sentence) {
            PUT(-1);
            in_sent = 0;
        }
    }
    if (k < 0) {
        fclose(f);
        return k;
    }
    if (in_sent) PUT(-1);
    if (nb && fwrite(buf, 4, (size_t)nb, f) != (size_t)nb) goto wfail;
    if (fflush(f) != 0) goto wfail;
#undef PUT
    if (n == 0) {
        fclose(f);
        t->ids = NULL;
        return LT_OK;
    }
    void *m = mmap(NULL, (size_t)n * 4, PROT_READ, MAP_SHARED, fileno(f), 0);
    fclose(f); /* the mapping keeps the unlinked file alive */
    if (m == MAP_FAILED)
        return lt_err(LT_EIO, "cannot map the encoded corpus: %s", strerror(errno));
    t->ids = m;
    t->n = n;
    t->n_words = nw;
    t->map_ = m;
    t->map_len_ = (size_t)n * 4;
    return LT_OK;
wfail:;
    int e = errno;
    fclose(f);
    return lt_err(LT_EIO, "writing the encoded corpus to a temporary file failed: %s", strerror(e));
}
