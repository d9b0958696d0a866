/* The model container (.lmodel): kind + metadata + named f64 arrays; see docs/format.md.
 * Little-endian, as the native vector file. */
#include "latent/model.h"
#include "latent/store.h"
#include "latent/io.h"
#include "../core/fuzzing.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#define MAGIC "LTMODEL1"
enum { HDR = 128, ENTRY = 64, NAME = 32, MAX_ARRAYS = 4096, MAX_META = 4096 };

typedef struct { char name[NAME]; int64_t rows, cols; double *data; } array;
struct lt_model {   /* the kind is the metadata's "kind" */
    int n_meta; char **mk, **mv;
    int n_arr; array *arr;
};

lt_model *lt_model_new(const char *kind) {
    lt_model *m = lt_calloc(1, sizeof *m);
    if (!m) return NULL;
    if (lt_model_meta_set(m, "kind", kind ? kind : "")) { lt_model_free(m); return NULL; }
    return m;
}

void lt_model_free(lt_model *m) {
    if (!m) return;
    for (int i = 0; i < m->n_meta; i++) { lt_free(m->mk[i]); lt_free(m->mv[i]); }
    for (int i = 0; i < m->n_arr; i++) lt_free(m->arr[i].data);
    lt_free(m->mk); lt_free(m->mv); lt_free(m->arr); lt_free(m);
}

const char *lt_model_kind(const lt_model *m) { return lt_model_meta(m, "kind"); }

int lt_model_meta_set(lt_model *m, const char *key, const char *value) {
    if (!*key || strpbrk(key, "=\n") || strchr(value, '\n')) return lt_err(LT_EINVAL, "model metadata: bad key or value '%s'", key);
    char *v = lt_strdup(value);
    if (!v) return lt_err(LT_ENOMEM, "out of memory");
    for (int i = 0; i < m->n_meta; i++)
        if (!strcmp(m->mk[i], key)) { lt_free(m->mv[i]); m->mv[i] = v; return LT_OK; }
    if (m->n_meta == MAX_META) { lt_free(v); return lt_err(LT_EINVAL, "model metadata: more than %d keys", MAX_META); }
    char **nk = lt_realloc(m->mk, (size_t)(m->n_meta + 1) * sizeof *nk);
    if (nk) m->mk = nk;
    char **nv = nk ? lt_realloc(m->mv, (size_t)(m->n_meta + 1) * sizeof *nv) : NULL;
    if (nv) m->mv = nv;
    char *k = nv ? lt_strdup(key) : NULL;
    if (!k) { lt_free(v); return lt_err(LT_ENOMEM, "out of memory"); }
    m->mk[m->n_meta] = k; m->mv[m->n_meta] = v; m->n_meta++;
    return LT_OK;
}

const char *lt_model_meta(const lt_model *m, const char *key) {
    for (int i = 0; i < m->n_meta; i++) if (!strcmp(m->mk[i], key)) return m->mv[i];
    return NULL;
}

int lt_model_meta_at(const lt_model *m, int i, const char **key, const char **value) {
    if (i < 0 || i >= m->n_meta) return 0;
    *key = m->mk[i]; *value = m->mv[i];
    return 1;
}

int lt_model_put(lt_model *m, const char *name, int64_t rows, int64_t cols, const double *data) {
    size_t cells;
    if (!*name || strlen(name) >= NAME) return lt_err(LT_EINVAL, "model array name '%s': 1 to %d bytes", name, NAME - 1);
    if (rows < 0 || cols < 0 || !lt_mul_ok((size_t)rows, (size_t)cols, &cells) || cells > ((size_t)1 << 40))
        return lt_err(LT_EINVAL, "model array '%s': bad shape", name);
    double *d = lt_malloc((cells ? cells : 1) * 8);
    if (!d) return lt_err(LT_ENOMEM, "out of memory");
    if (cells) memcpy(d, data, cells * 8);
    for (int i = 0; i < m->n_arr; i++)
        if (!strcmp(m->arr[i].name, name)) { lt_free(m->arr[i].data); m->arr[i].data = d; m->arr[i].rows = rows; m->arr[i].cols = cols; return LT_OK; }
    if (m->n_arr == MAX_ARRAYS) { lt_free(d); return lt_err(LT_EINVAL, "more than %d model arrays", MAX_ARRAYS); }
    array *na = lt_realloc(m->arr, (size_t)(m->n_arr + 1) * sizeof *na);
    if (!na) { lt_free(d); return lt_err(LT_ENOMEM, "out of memory"); }
    m->arr = na;
    array *a = &m->arr[m->n_arr++];
    memset(a->name, 0, NAME);
    memcpy(a->name, name, strlen(name));
    a->rows = rows; a->cols = cols; a->data = d;
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
    *name = m->arr[i].name; *rows = m->arr[i].rows; *cols = m->arr[i].cols;
    return 1;
}

static void put64(unsigned char *p, uint64_t x) { for (int i = 0; i < 8; i++) p[i] = (unsigned char)(x >> (8 * i)); }
static void put32(unsigned char *p, uint32_t x) { for (int i = 0; i < 4; i++) p[i] = (unsigned char)(x >> (8 * i)); }
static uint64_t get64(const unsigned char *p) { uint64_t x = 0; for (int i = 7; i >= 0; i--) x = x << 8 | p[i]; return x; }
static uint32_t get32(const unsigned char *p) { uint32_t x = 0; for (int i = 3; i >= 0; i--) x = x << 8 | p[i]; return x; }
static size_t up64(size_t x) { return (x + 63) & ~(size_t)63; }

int lt_model_save(const lt_model *m, const char *path) {
    /* layout: header, metadata, array table, padding, arrays (each 64-aligned) */
    size_t meta = 0;
    for (int i = 0; i < m->n_meta; i++) meta += strlen(m->mk[i]) + strlen(m->mv[i]) + 2;
    size_t table_off = HDR + meta, data_off = up64(table_off + (size_t)m->n_arr * ENTRY), end = data_off;
    size_t *offs = lt_malloc((size_t)(m->n_arr ? m->n_arr : 1) * sizeof *offs);
    if (!offs) return lt_err(LT_ENOMEM, "out of memory");
    for (int i = 0; i < m->n_arr; i++) { offs[i] = end; end = up64(end + (size_t)m->arr[i].rows * (size_t)m->arr[i].cols * 8); }
    unsigned char *b = lt_calloc(data_off, 1);
    if (!b) { lt_free(offs); return lt_err(LT_ENOMEM, "out of memory"); }
    size_t p = HDR;
    for (int i = 0; i < m->n_meta; i++) p += (size_t)sprintf((char *)b + p, "%s=%s\n", m->mk[i], m->mv[i]);
    for (int i = 0; i < m->n_arr; i++) {
        unsigned char *e = b + table_off + (size_t)i * ENTRY;
        memcpy(e, m->arr[i].name, NAME);
        put32(e + 32, 3);   /* f64 */
        put64(e + 40, (uint64_t)m->arr[i].rows); put64(e + 48, (uint64_t)m->arr[i].cols); put64(e + 56, offs[i]);
    }
    /* the data CRC runs over the data region as written, padding included */
    static const unsigned char zero[64];
    uLong cd = crc32_z(0, Z_NULL, 0);
    for (int i = 0; i < m->n_arr; i++) {
        size_t bytes = (size_t)m->arr[i].rows * (size_t)m->arr[i].cols * 8;
        cd = crc32_z(cd, (const Bytef *)m->arr[i].data, bytes);
        cd = crc32_z(cd, zero, up64(offs[i] + bytes) - (offs[i] + bytes));
    }
    memcpy(b, MAGIC, 8);
    put32(b + 8, 1); put32(b + 12, (uint32_t)m->n_arr);
    put64(b + 16, HDR); put64(b + 24, meta); put64(b + 32, table_off); put64(b + 40, end); put64(b + 56, data_off);
    put32(b + 48, (uint32_t)crc32_z(0, b + HDR, data_off - HDR));
    put32(b + 52, (uint32_t)cd);
    put32(b + 124, (uint32_t)crc32_z(0, b, 124));
    lt_afile f;
    int rc = lt_afile_open(&f, path);
    if (rc == LT_OK) {
        int ok = fwrite(b, 1, data_off, f.f) == data_off;
        for (int i = 0; ok && i < m->n_arr; i++) {
            size_t bytes = (size_t)m->arr[i].rows * (size_t)m->arr[i].cols * 8;
            ok = fwrite(m->arr[i].data, 1, bytes, f.f) == bytes && fwrite(zero, 1, up64(offs[i] + bytes) - (offs[i] + bytes), f.f) == up64(offs[i] + bytes) - (offs[i] + bytes);
        }
        if (!ok) { lt_afile_abort(&f); rc = lt_err(LT_EIO, "%s: write failed: %s", path, strerror(errno)); }
        else rc = lt_afile_commit(&f);
    }
    lt_free(b); lt_free(offs);
    return rc;
}

int lt_model_parse(const void *buf, size_t len, const char *name, lt_model **out) {
    *out = NULL;
    const unsigned char *b = buf;
    if (len < HDR || memcmp(b, MAGIC, 8)) return lt_err(LT_EFORMAT, "%s: offset 0: not a latent model (magic %s)", name, MAGIC);
    if (!lt__fuzz_nocrc && get32(b + 124) != (uint32_t)crc32_z(0, b, 124)) return lt_err(LT_EFORMAT, "%s: offset 124: header CRC mismatch (corrupt file)", name);
    if (get32(b + 8) != 1) return lt_err(LT_EFORMAT, "%s: offset 8: model version %u (this latent reads 1)", name, get32(b + 8));
    uint32_t na = get32(b + 12);
    uint64_t mo = get64(b + 16), ms = get64(b + 24), to = get64(b + 32), end = get64(b + 40), dof = get64(b + 56);
    if (na > MAX_ARRAYS) return lt_err(LT_EFORMAT, "%s: offset 12: %u arrays", name, na);
    if (end != len) return lt_err(LT_EFORMAT, "%s: offset 40: the header announces %llu bytes, the file has %zu (truncated?)", name, (unsigned long long)end, len);
    if (mo != HDR || ms > len || to != mo + ms || dof % 64 || dof < to + (uint64_t)na * ENTRY || dof > len)
        return lt_err(LT_EFORMAT, "%s: offset 16: section offsets out of bounds", name);
    if (!lt__fuzz_nocrc && get32(b + 48) != (uint32_t)crc32_z(0, b + HDR, dof - HDR)) return lt_err(LT_EFORMAT, "%s: offset %d: metadata CRC mismatch (corrupt file)", name, HDR);
    if (!lt__fuzz_nocrc && get32(b + 52) != (uint32_t)crc32_z(0, b + dof, len - dof)) return lt_err(LT_EFORMAT, "%s: offset %llu: data CRC mismatch (corrupt file)", name, (unsigned long long)dof);
    lt_model *m = lt_calloc(1, sizeof *m);
    if (!m) return lt_err(LT_ENOMEM, "out of memory");
    int rc = LT_OK;
    const char *p = (const char *)b + mo, *e = p + ms;
    while (rc == LT_OK && p < e) {
        const char *nl = memchr(p, '\n', (size_t)(e - p)), *eq = memchr(p, '=', (size_t)(e - p));
        if (!nl || !eq || eq > nl || eq == p) { rc = lt_err(LT_EFORMAT, "%s: offset %zu: bad metadata line", name, (size_t)(p - (const char *)b)); break; }
        char k[256], *v;
        size_t kl = (size_t)(eq - p), vl = (size_t)(nl - eq - 1);
        if (kl >= sizeof k || memchr(p, 0, (size_t)(nl - p))) { rc = lt_err(LT_EFORMAT, "%s: offset %zu: bad metadata line", name, (size_t)(p - (const char *)b)); break; }
        if (!(v = lt_malloc(vl + 1))) { rc = lt_err(LT_ENOMEM, "out of memory"); break; }
        memcpy(k, p, kl); k[kl] = 0; memcpy(v, eq + 1, vl); v[vl] = 0;
        rc = lt_model_meta_set(m, k, v);
        lt_free(v);
        p = nl + 1;
    }
    const char *kind = rc == LT_OK ? lt_model_meta(m, "kind") : NULL;
    if (rc == LT_OK && !kind) rc = lt_err(LT_EFORMAT, "%s: offset %d: no 'kind' in the metadata", name, HDR);
    for (uint32_t i = 0; rc == LT_OK && i < na; i++) {
        const unsigned char *t = b + to + (size_t)i * ENTRY;
        size_t at = (size_t)(t - b);
        uint64_t r = get64(t + 40), c = get64(t + 48), o = get64(t + 56);
        if (!memchr(t, 0, NAME) || !t[0]) { rc = lt_err(LT_EFORMAT, "%s: offset %zu: bad array name", name, at); break; }
        if (get32(t + 32) != 3) { rc = lt_err(LT_EFORMAT, "%s: offset %zu: array dtype %u (3 = f64 expected)", name, at + 32, get32(t + 32)); break; }
        if (r > len || c > len || (r && c > (len / 8) / r) || o % 64 || o < dof || o > len || r * c * 8 > len - o) {
            rc = lt_err(LT_EFORMAT, "%s: offset %zu: array '%s' out of the file's bounds", name, at, (const char *)t);
            break;
        }
        double *tmp = lt_malloc((size_t)(r * c > 0 ? r * c : 1) * 8);
        if (!tmp) { rc = lt_err(LT_ENOMEM, "out of memory"); break; }
        memcpy(tmp, b + o, (size_t)(r * c) * 8);
        rc = lt_model_put(m, (const char *)t, (int64_t)r, (int64_t)c, tmp);
        lt_free(tmp);
    }
    if (rc) { lt_model_free(m); return rc; }
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

int lt_model_load(const char *path, lt_model **out) { return lt_err_in(model_load_impl(path, out), path); }

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
