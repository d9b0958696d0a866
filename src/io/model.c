/* The model container (.lmodel): kind + metadata + named f64 arrays; see docs/format.md.
 * Little-endian, as the native vector file. */
#include "latent/model.h"
#include "latent/box.h"
#include "latent/store.h"
#include "latent/io.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAGIC "LTMODEL1"
enum { NAME = 32, MAX_ARRAYS = 4096, MAX_META = 4096 };

typedef struct {
    char name[NAME];
    int64_t rows, cols;
    double *data;
} array;
struct lt_model { /* the kind is the metadata's "kind" */
    int n_meta;
    char **mk, **mv;
    int n_arr;
    array *arr;
};

lt_model *lt_model_new(const char *kind) {
    lt_model *m = lt_calloc(1, sizeof *m);
    if (!m) return NULL;
    if (lt_model_meta_set(m, "kind", kind ? kind : "")) {
        lt_model_free(m);
        return NULL;
    }
    return m;
}

void lt_model_free(lt_model *m) {
    if (!m) return;
    for (int i = 0; i < m->n_meta; i++) {
        lt_free(m->mk[i]);
        lt_free(m->mv[i]);
    }
    for (int i = 0; i < m->n_arr; i++) lt_free(m->arr[i].data);
    lt_free(m->mk);
    lt_free(m->mv);
    lt_free(m->arr);
    lt_free(m);
}

const char *lt_model_kind(const lt_model *m) { return lt_model_meta(m, "kind"); }

int lt_model_meta_set(lt_model *m, const char *key, const char *value) {
    if (!*key || strpbrk(key, "=\n") || strchr(value, '\n'))
        return lt_err(LT_EINVAL, "model metadata: bad key or value '%s'", key);
    char *v = lt_strdup(value);
    if (!v) return lt_err(LT_ENOMEM, "out of memory");
    for (int i = 0; i < m->n_meta; i++)
        if (!strcmp(m->mk[i], key)) {
            lt_free(m->mv[i]);
            m->mv[i] = v;
            return LT_OK;
        }
    if (m->n_meta == MAX_META) {
        lt_free(v);
        return lt_err(LT_EINVAL, "model metadata: more than %d keys", MAX_META);
    }
    char **nk = lt_realloc(m->mk, (size_t)(m->n_meta + 1) * sizeof *nk);
    if (nk) m->mk = nk;
    char **nv = nk ? lt_realloc(m->mv, (size_t)(m->n_meta + 1) * sizeof *nv) : NULL;
    if (nv) m->mv = nv;
    char *k = nv ? lt_strdup(key) : NULL;
    if (!k) {
        lt_free(v);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    m->mk[m->n_meta] = k;
    m->mv[m->n_meta] = v;
    m->n_meta++;
    return LT_OK;
}

const char *lt_model_meta(const lt_model *m, const char *key) {
    for (int i = 0; i < m->n_meta; i++)
        if (!strcmp(m->mk[i], key)) return m->mv[i];
    return NULL;
}

int lt_model_meta_at(const lt_model *m, int i, const char **key, const char **value) {
    if (i < 0 || i >= m->n_meta) return 0;
    *key = m->mk[i];
    *value = m->mv[i];
    return 1;
}

int lt_model_put(lt_model *m, const char *name, int64_t rows, int64_t cols, const double *data) {
    size_t cells;
    if (!*name || strlen(name) >= NAME)
        return lt_err(LT_EINVAL, "model array name '%s': 1 to %d bytes", name, NAME - 1);
    if (rows < 0 || cols < 0 || !lt_mul_ok((size_t)rows, (size_t)cols, &cells) ||
            cells > ((size_t)1 << 40))
        return lt_err(LT_EINVAL, "model array '%s': bad shape", name);
    double *d = lt_malloc((cells ? cells : 1) * 8);
    if (!d) return lt_err(LT_ENOMEM, "out of memory");
    if (cells) memcpy(d, data, cells * 8);
    for (int i = 0; i < m->n_arr; i++)
        if (!strcmp(m->arr[i].name, name)) {
            lt_free(m->arr[i].data);
            m->arr[i].data = d;
            m->arr[i].rows = rows;
            m->arr[i].cols = cols;
            return LT_OK;
        }
    if (m->n_arr == MAX_ARRAYS) {
        lt_free(d);
        return lt_err(LT_EINVAL, "more than %d model arrays", MAX_ARRAYS);
    }
    array *na = lt_realloc(m->arr, (size_t)(m->n_arr + 1) * sizeof *na);
    if (!na) {
        lt_free(d);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    m->arr = na;
    array *a = &m->arr[m->n_arr++];
    memset(a->name, 0, NAME);
    memcpy(a->name, name, strlen(name));
    a->rows = rows;
    a->cols = cols;
    a->data = d;
    return LT_OK;
}

const double *lt_model_get(const lt_model *m, const char *name, int64_t *rows, int64_t *cols) {
    for (int i = 0; i < m->n_arr; i++)
        if (!strcmp(m->arr[i].name, name)) {
            if (rows) *rows = m->arr[i].rows;
            if (cols) *cols = m->arr[i].cols;
            return m->arr[i].data;
        }
    return NULL;
}

int lt_model_array_at(const lt_model *m, int i, const char **name, int64_t *rows, int64_t *cols) {
    if (i < 0 || i >= m->n_arr) return 0;
    *name = m->arr[i].name;
    *rows = m->arr[i].rows;
    *cols = m->arr[i].cols;
    return 1;
}

int lt_model_save(const lt_model *m, const char *path) {
    lt_boxw *w = lt_boxw_new(MAGIC, 1);
    for (int i = 0; i < m->n_meta; i++) lt_boxw_meta(w, m->mk[i], m->mv[i]);
    for (int i = 0; i < m->n_arr; i++)
        lt_boxw_array(
                w, m->arr[i].name, LT_BOX_F64, m->arr[i].rows, m->arr[i].cols, 0, m->arr[i].data);
    return lt_boxw_save(w, path);
}

int lt_model_parse(const void *buf, size_t len, const char *name, lt_model **out) {
    *out = NULL;
    if (len < 8 || memcmp(buf, MAGIC, 8))
        return lt_err(LT_EFORMAT, "%s: offset 0: not a latent model (magic %s)", name, MAGIC);
    lt_box *b;
    int rc = lt_box_open(buf, len, name, MAGIC, &b);
    if (rc) return rc;
    if (lt_box_version(b) != 1) {
        rc = lt_err(LT_EFORMAT, "%s: offset 8: model version %u (this latent reads 1)", name,
                lt_box_version(b));
        lt_box_free(b);
        return rc;
    }
    lt_model *m = lt_calloc(1, sizeof *m);
    if (!m) {
        lt_box_free(b);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    const char *k, *v, *an;
    for (int i = 0; rc == LT_OK && lt_box_meta_at(b, i, &k, &v); i++)
        rc = lt_model_meta_set(m, k, v);
    if (rc == LT_OK && !lt_model_meta(m, "kind"))
        rc = lt_err(LT_EFORMAT, "%s: offset 128: no 'kind' in the metadata", name);
    int dt;
    int64_t r, c, pad;
    const void *data;
    for (int i = 0; rc == LT_OK && lt_box_array_at(b, i, &an, &dt, &r, &c, &pad, &data); i++) {
        if (dt != LT_BOX_F64 || pad) {
            rc = lt_err(LT_EFORMAT, "%s: array '%s': dtype %d (3 = f64 expected)", name, an, dt);
            break;
        }
        rc = lt_model_put(m, an, r, c, data); /* copied in with memcpy: any alignment */
    }
    lt_box_free(b);
    if (rc) {
        lt_model_free(m);
        return rc;
    }
    *out = m;
    return LT_OK;
}

static int model_load_impl(const char *path, lt_model **out) {
    char *buf;
    size_t len, ml;
    *out = NULL;
    int rc = lt_read_whole(path, &buf, &len, &ml);
    if (rc) return rc;
    rc = lt_model_parse(buf, len, path, out);
    lt_release_whole(buf, ml);
    return rc;
}

int lt_model_load(const char *path, lt_model **out) {
    return lt_err_in(model_load_impl(path, out), path);
}

int lt_is_model_file(const char *path) {
    /* a peek must not consume a stream: only regular files are opened (a FIFO's bytes would
     * be gone, and the real read would then wait for a writer forever) */
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) return 0;
    FILE *f = fopen(path, "rb");
    char b[8];
    int yes = f && fread(b, 1, 8, f) == 8 && !memcmp(b, MAGIC, 8);
    if (f) fclose(f);
    return yes;
}
