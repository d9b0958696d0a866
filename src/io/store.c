/* The vector store type: rows, labels (arena-allocated), metadata, label index. */
#include "latent/store.h"
#include "latent/core.h"
#include "latent/kern.h"
#include "store_impl.h"
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

void lt_save_opts_init(lt_save_opts *o) {
    memset(o, 0, sizeof *o);
    o->precision = 9;
    o->bin_newline = 1;
}

static int ensure_in(lt_vecs *v) {
    if (v->in) return LT_OK;
    v->in = lt_calloc(1, sizeof *v->in);
    return v->in ? LT_OK : lt_err(LT_ENOMEM, "out of memory");
}

lt_vecs *lt_vecs_new(int64_t n, int64_t d) {
    if (n < 0 || d <= 0 || d > (1 << 24)) {
        lt_err(LT_EINVAL, "invalid store shape %lld x %lld", (long long)n, (long long)d);
        return NULL;
    }
    lt_vecs *v = lt_calloc(1, sizeof *v);
    if (!v || ensure_in(v)) {
        lt_free(v);
        lt_err(LT_ENOMEM, "out of memory");
        return NULL;
    }
    v->n = n;
    v->d = d;
    v->ld = lt_pad_dim(d);
    size_t bytes;
    if (!lt_mul_ok((size_t)n, (size_t)v->ld * sizeof(float), &bytes)) {
        lt_vecs_free(v);
        lt_err(LT_ENOMEM, "store of %lld x %lld overflows", (long long)n, (long long)d);
        return NULL;
    }
    v->data = lt_aligned_calloc(bytes ? bytes : 64);
    if (!v->data) {
        lt_vecs_free(v);
        lt_err(LT_ENOMEM, "out of memory for %lld x %lld vectors", (long long)n, (long long)d);
        return NULL;
    }
    v->in->data_owned = 1;
    return v;
}

void lt_vecs_free(lt_vecs *v) {
    if (!v) return;
    if (v->in) {
        if (v->in->data_owned) lt_aligned_free(v->data);
        if (v->in->map) munmap(v->in->map, v->in->map_len);
        lt_arena *a = v->in->arena;
        while (a) {
            lt_arena *nx = a->next;
            lt_free(a);
            a = nx;
        }
        lt_free(v->in->hash);
        for (int i = 0; i < v->in->n_meta; i++) {
            lt_free(v->in->meta_k[i]);
            lt_free(v->in->meta_v[i]);
        }
        lt_free(v->in->meta_k);
        lt_free(v->in->meta_v);
        lt__subword_free(v->in->subword);
        lt_free(v->in->subword_words);
        lt_free(v->in);
    } else {
        lt_aligned_free(v->data);
    }
    lt_free(v->labels);
    lt_free(v);
}

char *lt__vecs_arena_alloc(lt_vecs *v, size_t n) {
    if (ensure_in(v)) return NULL;
    lt_arena *a = v->in->arena;
    if (!a || a->cap - a->used < n) {
        size_t cap = n > (1u << 20) ? n : (1u << 20);
        lt_arena *b = lt_malloc(sizeof *b + cap);
        if (!b) return NULL;
        b->cap = cap;
        b->used = 0;
        b->next = a;
        v->in->arena = a = b;
    }
    char *p = a->mem + a->used;
    a->used += n;
    return p;
}

int lt__vecs_alloc_labels(lt_vecs *v) {
    if (v->labels) return LT_OK;
    v->labels = lt_calloc((size_t)(v->n ? v->n : 1), sizeof(char *));
    if (!v->labels) return lt_err(LT_ENOMEM, "out of memory for %lld labels", (long long)v->n);
    static char empty[1];
    for (int64_t i = 0; i < v->n; i++) v->labels[i] = empty;
    return LT_OK;
}

int lt_vecs_set_label(lt_vecs *v, int64_t i, const char *label) {
    if (i < 0 || i >= v->n) return lt_err(LT_EINVAL, "label index %lld out of range", (long long)i);
    int rc = lt__vecs_alloc_labels(v);
    if (rc) return rc;
    size_t n = strlen(label) + 1;
    char *p = lt__vecs_arena_alloc(v, n);
    if (!p) return lt_err(LT_ENOMEM, "out of memory for labels");
    memcpy(p, label, n);
    v->labels[i] = p;
    if (v->in->hash) {
        lt_free(v->in->hash);
        v->in->hash = NULL;
    }
    return LT_OK;
}

static uint64_t hstr(const char *s) { return lt_hash64(s, strlen(s), LT_HASH_INIT); }

int64_t lt_vecs_find(const lt_vecs *cv, const char *label) {
    lt_vecs *v = (lt_vecs *)cv;
    if (!v->labels || v->n == 0 || ensure_in(v)) return -1;
    lt_vecs_internal *in = v->in;
    if (!in->hash) {
        uint64_t cap = 16;
        while (cap < (uint64_t)v->n * 2) cap <<= 1;
        int64_t *h = lt_malloc(cap * sizeof *h);
        if (!h) return -1;
        memset(h, 0xff, cap * sizeof *h);
        for (int64_t i = 0; i < v->n; i++) {
            uint64_t k = hstr(v->labels[i]) & (cap - 1);
            while (h[k] >= 0) {
                if (!strcmp(v->labels[h[k]], v->labels[i])) goto dup; /* first occurrence wins */
                k = (k + 1) & (cap - 1);
            }
            h[k] = i;
        dup:;
        }
        in->hash_cap = cap;
        in->hash = h;
    }
    uint64_t k = hstr(label) & (in->hash_cap - 1);
    while (in->hash[k] >= 0) {
        if (!strcmp(v->labels[in->hash[k]], label)) return in->hash[k];
        k = (k + 1) & (in->hash_cap - 1);
    }
    return -1;
}

int lt_vecs_meta_set(lt_vecs *v, const char *key, const char *value) {
    if (ensure_in(v)) return LT_ENOMEM;
    if (!*key || strpbrk(key, "=\n") || strchr(value, '\n'))
        return lt_err(LT_EINVAL, "invalid metadata key/value '%s'", key);
    lt_vecs_internal *in = v->in;
    for (int i = 0; i < in->n_meta; i++)
        if (!strcmp(in->meta_k[i], key)) {
            char *nv = lt_strdup(value);
            if (!nv) return lt_err(LT_ENOMEM, "out of memory");
            lt_free(in->meta_v[i]);
            in->meta_v[i] = nv;
            return LT_OK;
        }
    char **nk = lt_realloc(in->meta_k, (size_t)(in->n_meta + 1) * sizeof(char *));
    if (!nk) return lt_err(LT_ENOMEM, "out of memory");
    in->meta_k = nk;
    char **nv = lt_realloc(in->meta_v, (size_t)(in->n_meta + 1) * sizeof(char *));
    if (!nv) return lt_err(LT_ENOMEM, "out of memory");
    in->meta_v = nv;
    char *k = lt_strdup(key), *val = lt_strdup(value);
    if (!k || !val) {
        lt_free(k);
        lt_free(val);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    in->meta_k[in->n_meta] = k;
    in->meta_v[in->n_meta] = val;
    in->n_meta++;
    return LT_OK;
}

const char *lt_vecs_meta_get(const lt_vecs *v, const char *key) {
    if (!v->in) return NULL;
    for (int i = 0; i < v->in->n_meta; i++)
        if (!strcmp(v->in->meta_k[i], key)) return v->in->meta_v[i];
    return NULL;
}

int lt_vecs_meta_at(const lt_vecs *v, int i, const char **key, const char **value) {
    if (!v->in || i < 0 || i >= v->in->n_meta) return 0;
    *key = v->in->meta_k[i];
    *value = v->in->meta_v[i];
    return 1;
}

static const struct {
    lt_format f;
    const char *name;
} g_names[] = {
    { LT_FMT_NATIVE, "native" },
    { LT_FMT_W2V_TXT, "w2v-txt" },
    { LT_FMT_W2V_BIN, "w2v-bin" },
    { LT_FMT_GLOVE, "glove" },
    { LT_FMT_VEC, "vec" },
    { LT_FMT_NPY, "npy" },
    { LT_FMT_FVECS, "fvecs" },
    { LT_FMT_BVECS, "bvecs" },
    { LT_FMT_IVECS, "ivecs" },
    { LT_FMT_IDX, "idx" },
    { LT_FMT_CSV, "csv" },
    { LT_FMT_FASTTEXT, "fasttext" },
};
lt_format lt_format_from_name(const char *name) {
    for (size_t i = 0; i < sizeof g_names / sizeof g_names[0]; i++)
        if (!strcmp(name, g_names[i].name)) return g_names[i].f;
    if (!strcmp(name, "lvec")) return LT_FMT_NATIVE;
    if (!strcmp(name, "txt") || !strcmp(name, "text")) return LT_FMT_W2V_TXT;
    if (!strcmp(name, "bin")) return LT_FMT_W2V_BIN;
    return LT_FMT_AUTO;
}
const char *lt_format_name(lt_format f) {
    for (size_t i = 0; i < sizeof g_names / sizeof g_names[0]; i++)
        if (g_names[i].f == f) return g_names[i].name;
    return "auto";
}
static int ends_with(const char *s, const char *suf) {
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && !strcmp(s + a - b, suf);
}
lt_format lt_format_from_path(const char *path) {
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    if (ends_with(buf, ".gz")) buf[strlen(buf) - 3] = 0;
    if (ends_with(buf, ".lvec")) return LT_FMT_NATIVE;
    if (ends_with(buf, ".bin")) return LT_FMT_W2V_BIN;
    if (ends_with(buf, ".vec")) return LT_FMT_VEC;
    if (ends_with(buf, ".glove")) return LT_FMT_GLOVE;
    if (ends_with(buf, ".npy")) return LT_FMT_NPY;
    if (ends_with(buf, ".fvecs")) return LT_FMT_FVECS;
    if (ends_with(buf, ".bvecs")) return LT_FMT_BVECS;
    if (ends_with(buf, ".ivecs")) return LT_FMT_IVECS;
    if (ends_with(buf, ".txt")) return LT_FMT_W2V_TXT;
    if (ends_with(buf, ".csv") || ends_with(buf, ".tsv")) return LT_FMT_CSV;
    if (ends_with(buf, ".idx") || strstr(buf, "-idx1-") || strstr(buf, "-idx2-") ||
            strstr(buf, "-idx3-") || strstr(buf, "-idx4-"))
        return LT_FMT_IDX;
    return LT_FMT_AUTO;
}
