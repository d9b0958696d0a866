/* The box: the container of every native binary file (docs/format.md, "The box").
 * Little-endian. Header (128 bytes): magic, version u32, arrays u32, metadata offset u64 (128),
 * metadata size u64, table offset u64, file size u64, CRC of metadata + table + padding u32,
 * CRC of the data region u32, data offset u64, zeros, CRC of bytes 0..123 at 124. Table entry
 * (64 bytes): name[32], dtype u32, row padding u32 (elements), rows u64, cols u64, offset u64. */
#include "latent/box.h"
#include "latent/core.h"
#include "latent/store.h"
#include "../core/fuzzing.h"
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

enum { HDR = 128, ENTRY = 64, NAME = 32, MAX_ARRAYS = 4096, MAX_META = 1 << 16 };

size_t lt_box_dtype_size(int dtype) {
    switch (dtype) {
    case LT_BOX_F32:
    case LT_BOX_I32: return 4;
    case LT_BOX_F16: return 2;
    case LT_BOX_F64:
    case LT_BOX_I64:
    case LT_BOX_U64: return 8;
    case LT_BOX_U8: return 1;
    default: return 0;
    }
}

static void put64(unsigned char *p, uint64_t x) {
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(x >> (8 * i));
}
static void put32(unsigned char *p, uint32_t x) {
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(x >> (8 * i));
}
static uint64_t get64(const unsigned char *p) {
    uint64_t x = 0;
    for (int i = 7; i >= 0; i--) x = x << 8 | p[i];
    return x;
}
static uint32_t get32(const unsigned char *p) {
    uint32_t x = 0;
    for (int i = 3; i >= 0; i--) x = x << 8 | p[i];
    return x;
}
static uint64_t up64(uint64_t x) { return (x + 63) & ~(uint64_t)63; }

/* ---------------- writing ---------------- */
typedef struct {
    char name[NAME];
    int dtype;
    int64_t rows, cols, pad;
    const void *data;
    lt_box_fill fill;
    void *ctx;
    uint64_t off, bytes;
} warr;

struct lt_boxw {
    char magic[8];
    uint32_t version;
    int rc; /* the first error */
    int n_meta;
    char **mk, **mv;
    int n_arr;
    warr *arr;
};

struct lt_box_out {
    FILE *f;
    uLong crc;
    uint64_t n;
    int crc_pass, bad;
};

int lt_box_put(lt_box_out *o, const void *p, size_t n) {
    if (!n) return LT_OK;
    if (o->crc_pass) o->crc = crc32_z(o->crc, p, n);
    else if (fwrite(p, 1, n, o->f) != n) o->bad = 1;
    o->n += n;
    return o->bad ? LT_EIO : LT_OK;
}

lt_boxw *lt_boxw_new(const char *magic, uint32_t version) {
    lt_boxw *w = lt_calloc(1, sizeof *w);
    if (!w) return NULL;
    memcpy(w->magic, magic, 8);
    w->version = version;
    return w;
}

void lt_boxw_free(lt_boxw *w) {
    if (!w) return;
    for (int i = 0; i < w->n_meta; i++) {
        lt_free(w->mk[i]);
        lt_free(w->mv[i]);
    }
    lt_free(w->mk);
    lt_free(w->mv);
    lt_free(w->arr);
    lt_free(w);
}

static int fail(lt_boxw *w, int rc) {
    if (!w->rc) w->rc = rc;
    return rc;
}

void lt_boxw_meta(lt_boxw *w, const char *key, const char *value) {
    if (!w || w->rc) return;
    if (!*key || strpbrk(key, "=\n") || strchr(value, '\n')) {
        fail(w, lt_err(LT_EINVAL, "metadata: bad key or value '%s'", key));
        return;
    }
    char *v = lt_strdup(value);
    if (!v) {
        fail(w, lt_err(LT_ENOMEM, "out of memory"));
        return;
    }
    for (int i = 0; i < w->n_meta; i++)
        if (!strcmp(w->mk[i], key)) {
            lt_free(w->mv[i]);
            w->mv[i] = v;
            return;
        }
    char **nk = lt_realloc(w->mk, (size_t)(w->n_meta + 1) * sizeof *nk);
    if (nk) w->mk = nk;
    char **nv = nk ? lt_realloc(w->mv, (size_t)(w->n_meta + 1) * sizeof *nv) : NULL;
    if (nv) w->mv = nv;
    char *k = nv ? lt_strdup(key) : NULL;
    if (!k || w->n_meta == MAX_META) {
        lt_free(k);
        lt_free(v);
        fail(w, lt_err(LT_ENOMEM, "out of memory"));
        return;
    }
    w->mk[w->n_meta] = k;
    w->mv[w->n_meta] = v;
    w->n_meta++;
}

void lt_boxw_meta_i64(lt_boxw *w, const char *key, int64_t value) {
    char s[32];
    snprintf(s, sizeof s, "%" PRId64, value);
    lt_boxw_meta(w, key, s);
}

void lt_boxw_meta_u64(lt_boxw *w, const char *key, uint64_t value) {
    char s[32];
    snprintf(s, sizeof s, "%" PRIu64, value);
    lt_boxw_meta(w, key, s);
}

void lt_boxw_meta_f64(lt_boxw *w, const char *key, double value) {
    char s[40];
    snprintf(s, sizeof s, "%.17g", value);
    lt_boxw_meta(w, key, s);
}

static void add(lt_boxw *w, const char *name, int dtype, int64_t rows, int64_t cols, int64_t pad,
        const void *data, lt_box_fill fill, void *ctx) {
    if (!w || w->rc) return;
    size_t es = lt_box_dtype_size(dtype), cells;
    if (!*name || strlen(name) >= NAME) {
        fail(w, lt_err(LT_EINVAL, "array name '%s': 1 to %d bytes", name, NAME - 1));
        return;
    }
    if (!es || rows < 0 || cols < 0 || pad < 0 || pad > INT32_MAX ||
            !lt_mul_ok((size_t)rows, (size_t)(cols + pad), &cells) ||
            cells > ((size_t)1 << 44) / es) {
        fail(w, lt_err(LT_EINVAL, "array '%s': bad dtype or shape", name));
        return;
    }
    for (int i = 0; i < w->n_arr; i++)
        if (!strcmp(w->arr[i].name, name)) {
            fail(w, lt_err(LT_EINVAL, "array '%s' given twice", name));
            return;
        }
    warr *na =
            w->n_arr < MAX_ARRAYS ? lt_realloc(w->arr, (size_t)(w->n_arr + 1) * sizeof *na) : NULL;
    if (!na) {
        fail(w, lt_err(LT_ENOMEM, "out of memory (or more than %d arrays)", MAX_ARRAYS));
        return;
    }
    w->arr = na;
    warr *a = &w->arr[w->n_arr++];
    memset(a, 0, sizeof *a);
    memcpy(a->name, name, strlen(name));
    a->dtype = dtype;
    a->rows = rows;
    a->cols = cols;
    a->pad = pad;
    a->data = data;
    a->fill = fill;
    a->ctx = ctx;
    a->bytes = (uint64_t)cells * es;
}

void lt_boxw_array(lt_boxw *w, const char *name, int dtype, int64_t rows, int64_t cols, int64_t pad,
        const void *data) {
    add(w, name, dtype, rows, cols, pad, data, NULL, NULL);
}

void lt_boxw_array_fill(lt_boxw *w, const char *name, int dtype, int64_t rows, int64_t cols,
        int64_t pad, lt_box_fill fill, void *ctx) {
    add(w, name, dtype, rows, cols, pad, NULL, fill, ctx);
}

/* the data region: each array then zeros to the next multiple of 64 */
static int emit_data(lt_boxw *w, lt_box_out *o) {
    static const unsigned char zero[64];
    for (int i = 0; i < w->n_arr; i++) {
        warr *a = &w->arr[i];
        uint64_t at = o->n;
        int rc = LT_OK;
        if (a->fill) rc = a->fill(a->ctx, o);
        else if (a->bytes && a->pad) { /* rows from memory, the padding written as zero */
            size_t es = lt_box_dtype_size(a->dtype), row = (size_t)a->cols * es,
                   pb = (size_t)a->pad * es;
            for (int64_t r = 0; r < a->rows && !rc; r++) {
                rc = lt_box_put(o, (const char *)a->data + (size_t)r * (row + pb), row);
                for (size_t z = 0; z < pb && !rc; z += 64)
                    rc = lt_box_put(o, zero, pb - z < 64 ? pb - z : 64);
            }
        } else if (a->bytes) rc = lt_box_put(o, a->data, (size_t)a->bytes);
        if (rc) return o->bad ? LT_EIO : rc;
        if (o->n - at != a->bytes)
            return lt_err(LT_EINVAL, "array '%s': %" PRIu64 " bytes given for %" PRIu64, a->name,
                    o->n - at, a->bytes);
        while (o->n % 64) lt_box_put(o, zero, (size_t)(64 - o->n % 64));
    }
    return o->bad ? LT_EIO : LT_OK;
}

static int write_box(lt_boxw *w, FILE *f) {
    if (w->rc) return w->rc;
    size_t meta = 0;
    for (int i = 0; i < w->n_meta; i++) meta += strlen(w->mk[i]) + strlen(w->mv[i]) + 2;
    uint64_t table = HDR + meta, data_off = up64(table + (uint64_t)w->n_arr * ENTRY),
             end = data_off;
    for (int i = 0; i < w->n_arr; i++) {
        w->arr[i].off = end;
        end = up64(end + w->arr[i].bytes);
    }
    unsigned char *b = lt_calloc((size_t)data_off, 1);
    if (!b) return lt_err(LT_ENOMEM, "out of memory");
    size_t p = HDR;
    for (int i = 0; i < w->n_meta; i++)
        p += (size_t)sprintf((char *)b + p, "%s=%s\n", w->mk[i], w->mv[i]);
    for (int i = 0; i < w->n_arr; i++) {
        unsigned char *e = b + table + (size_t)i * ENTRY;
        const warr *a = &w->arr[i];
        memcpy(e, a->name, NAME);
        put32(e + 32, (uint32_t)a->dtype);
        put32(e + 36, (uint32_t)a->pad);
        put64(e + 40, (uint64_t)a->rows);
        put64(e + 48, (uint64_t)a->cols);
        put64(e + 56, a->off);
    }
    lt_box_out o = { f, crc32_z(0, Z_NULL, 0), 0, 1, 0 };
    int rc = emit_data(w, &o); /* the first pass only sums the CRC */
    if (rc == LT_OK) {
        memcpy(b, w->magic, 8);
        put32(b + 8, w->version);
        put32(b + 12, (uint32_t)w->n_arr);
        put64(b + 16, HDR);
        put64(b + 24, meta);
        put64(b + 32, table);
        put64(b + 40, end);
        put64(b + 56, data_off);
        put32(b + 48, (uint32_t)crc32_z(0, b + HDR, (size_t)(data_off - HDR)));
        put32(b + 52, (uint32_t)o.crc);
        put32(b + 124, (uint32_t)crc32_z(0, b, 124));
        if (fwrite(b, 1, (size_t)data_off, f) != data_off) rc = LT_EIO;
        o = (lt_box_out){ f, 0, 0, 0, 0 };
        if (rc == LT_OK) rc = emit_data(w, &o);
    }
    lt_free(b);
    if (rc == LT_EIO) rc = lt_err(LT_EIO, "write failed: %s", strerror(errno ? errno : EIO));
    return rc;
}

int lt_boxw_write(lt_boxw *w, FILE *f, const char *name) {
    if (!w) return lt_err(LT_ENOMEM, "out of memory");
    int rc = write_box(w, f);
    lt_boxw_free(w);
    return rc ? lt_err_in(rc, name) : LT_OK;
}

static int save(lt_boxw *w, const char *path, int implicit) {
    if (!w) return lt_err(LT_ENOMEM, "out of memory");
    int rc = w->rc;
    lt_afile a;
    if (rc == LT_OK) rc = implicit ? lt_afile_open_implicit(&a, path) : lt_afile_open(&a, path);
    if (rc == LT_OK) {
        rc = write_box(w, a.f);
        if (rc) {
            lt_afile_abort(&a);
            rc = lt_err_in(rc, path);
        } else rc = lt_afile_commit(&a);
    }
    lt_boxw_free(w);
    return rc;
}

int lt_boxw_save(lt_boxw *w, const char *path) { return save(w, path, 0); }
int lt_boxw_save_implicit(lt_boxw *w, const char *path) { return save(w, path, 1); }

/* ---------------- reading ---------------- */
typedef struct {
    const char *name;
    int dtype;
    int64_t rows, cols, pad;
    const unsigned char *data;
    uint64_t off;
} rarr;

struct lt_box {
    const char *file; /* for messages (the caller's string) */
    uint32_t version;
    int n_meta;
    char **mk, **mv;
    int n_arr;
    rarr *arr;
    char *meta_blob;
};

void lt_box_free(lt_box *b) {
    if (!b) return;
    lt_free(b->mk);
    lt_free(b->mv);
    lt_free(b->arr);
    lt_free(b->meta_blob);
    lt_free(b);
}

int lt_box_open(const void *buf, size_t len, const char *name, const char *magic, lt_box **out) {
    *out = NULL;
    const unsigned char *u = buf;
    if (len < HDR)
        return lt_err(LT_EFORMAT, "%s: offset %zu: too short for a latent file header (truncated)",
                name, len);
    if (magic && memcmp(u, magic, 8))
        return lt_err(LT_EFORMAT, "%s: offset 0: bad magic (%.8s expected)", name, magic);
    if (!lt__fuzz_nocrc && get32(u + 124) != (uint32_t)crc32_z(0, u, 124))
        return lt_err(LT_EFORMAT, "%s: offset 124: header checksum mismatch (corrupt file)", name);
    uint32_t na = get32(u + 12);
    uint64_t mo = get64(u + 16), ms = get64(u + 24), to = get64(u + 32), end = get64(u + 40),
             dof = get64(u + 56);
    if (na > MAX_ARRAYS)
        return lt_err(LT_EFORMAT, "%s: offset 12: %u arrays (at most %d)", name, na, MAX_ARRAYS);
    if (end != len)
        return lt_err(LT_EFORMAT,
                "%s: offset 40: the header announces %" PRIu64
                " bytes, the file has %zu (truncated?)",
                name, end, len);
    if (mo != HDR || ms > len || to != mo + ms || dof % 64 || dof < to + (uint64_t)na * ENTRY ||
            dof > len)
        return lt_err(LT_EFORMAT, "%s: offset 16: section offsets out of bounds", name);
    if (!lt__fuzz_nocrc && get32(u + 48) != (uint32_t)crc32_z(0, u + HDR, (size_t)(dof - HDR)))
        return lt_err(
                LT_EFORMAT, "%s: offset %d: metadata checksum mismatch (corrupt file)", name, HDR);
    if (!lt__fuzz_nocrc && get32(u + 52) != (uint32_t)crc32_z(0, u + dof, len - (size_t)dof))
        return lt_err(LT_EFORMAT, "%s: offset %" PRIu64 ": data checksum mismatch (corrupt file)",
                name, dof);
    lt_box *b = lt_calloc(1, sizeof *b);
    if (!b) return lt_err(LT_ENOMEM, "out of memory");
    b->file = name;
    b->version = get32(u + 8);
    int rc = LT_OK;
    /* metadata: key=value lines, copied and cut in place */
    size_t lines = 0;
    for (uint64_t i = 0; i < ms; i++) lines += u[mo + i] == '\n';
    b->meta_blob = lt_malloc((size_t)ms + 1);
    b->mk = lt_malloc((lines + 1) * sizeof(char *));
    b->mv = lt_malloc((lines + 1) * sizeof(char *));
    b->arr = lt_calloc((size_t)na + 1, sizeof(rarr));
    if (!b->meta_blob || !b->mk || !b->mv || !b->arr) {
        lt_box_free(b);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    memcpy(b->meta_blob, u + mo, (size_t)ms);
    b->meta_blob[ms] = 0;
    for (char *p = b->meta_blob, *e = p + ms; rc == LT_OK && p < e;) {
        size_t at = HDR + (size_t)(p - b->meta_blob);
        char *nl = memchr(p, '\n', (size_t)(e - p)), *eq = memchr(p, '=', (size_t)(e - p));
        if (!nl || !eq || eq > nl || eq == p || memchr(p, 0, (size_t)(nl - p))) {
            rc = lt_err(LT_EFORMAT, "%s: offset %zu: bad metadata line", name, at);
            break;
        }
        *eq = 0;
        *nl = 0;
        if (lt_box_meta(b, p)) {
            rc = lt_err(LT_EFORMAT, "%s: offset %zu: metadata key '%s' twice", name, at, p);
            break;
        }
        b->mk[b->n_meta] = p;
        b->mv[b->n_meta] = eq + 1;
        b->n_meta++;
        p = nl + 1;
    }
    for (uint32_t i = 0; rc == LT_OK && i < na; i++) {
        const unsigned char *t = u + to + (size_t)i * ENTRY;
        size_t at = (size_t)(t - u), es = lt_box_dtype_size((int)get32(t + 32));
        uint64_t r = get64(t + 40), c = get64(t + 48), o = get64(t + 56), pad = get32(t + 36),
                 rowb = (c + pad) * es;
        if (!memchr(t, 0, NAME) || !t[0]) {
            rc = lt_err(LT_EFORMAT, "%s: offset %zu: bad array name", name, at);
            break;
        }
        if (!es) {
            rc = lt_err(LT_EFORMAT, "%s: offset %zu: array '%s': unknown dtype %u", name, at + 32,
                    (const char *)t, get32(t + 32));
            break;
        }
        if (r > len || c > len || pad > len || (r && rowb > len / r) || o % 64 || o < dof ||
                o > len || r * rowb > len - o) {
            rc = lt_err(LT_EFORMAT, "%s: offset %zu: array '%s' out of the file's bounds", name, at,
                    (const char *)t);
            break;
        }
        if (lt_box_shape(b, (const char *)t, NULL, NULL, NULL)) {
            rc = lt_err(LT_EFORMAT, "%s: offset %zu: array '%s' twice", name, at, (const char *)t);
            break;
        }
        b->arr[i] = (rarr){ (const char *)t, (int)get32(t + 32), (int64_t)r, (int64_t)c,
            (int64_t)pad, u + o, o };
        b->n_arr = (int)i + 1;
    }
    if (rc) {
        lt_box_free(b);
        return rc;
    }
    *out = b;
    return LT_OK;
}

uint32_t lt_box_version(const lt_box *b) { return b->version; }

const char *lt_box_meta(const lt_box *b, const char *key) {
    for (int i = 0; i < b->n_meta; i++)
        if (!strcmp(b->mk[i], key)) return b->mv[i];
    return NULL;
}

int lt_box_meta_at(const lt_box *b, int i, const char **key, const char **value) {
    if (i < 0 || i >= b->n_meta) return 0;
    *key = b->mk[i];
    *value = b->mv[i];
    return 1;
}

int lt_box_i64(const lt_box *b, const char *key, int64_t lo, int64_t hi, int64_t *v) {
    const char *s = lt_box_meta(b, key);
    if (!s) return lt_err(LT_EFORMAT, "%s: metadata: no '%s'", b->file, key);
    char *e;
    errno = 0;
    long long x = strtoll(s, &e, 10);
    if (e == s || *e || errno || x < lo || x > hi)
        return lt_err(LT_EFORMAT,
                "%s: metadata: %s=%s (an integer in [%" PRId64 ", %" PRId64 "] expected)", b->file,
                key, s, lo, hi);
    *v = (int64_t)x;
    return LT_OK;
}

int lt_box_u64(const lt_box *b, const char *key, uint64_t *v) {
    const char *s = lt_box_meta(b, key);
    if (!s) return lt_err(LT_EFORMAT, "%s: metadata: no '%s'", b->file, key);
    char *e;
    errno = 0;
    unsigned long long x = strtoull(s, &e, 10);
    if (e == s || *e || errno || *s == '-')
        return lt_err(
                LT_EFORMAT, "%s: metadata: %s=%s (an unsigned integer expected)", b->file, key, s);
    *v = (uint64_t)x;
    return LT_OK;
}

int lt_box_f64(const lt_box *b, const char *key, double *v) {
    const char *s = lt_box_meta(b, key);
    if (!s) return lt_err(LT_EFORMAT, "%s: metadata: no '%s'", b->file, key);
    char *e;
    double x = strtod(s, &e);
    if (e == s || *e || !isfinite(x))
        return lt_err(
                LT_EFORMAT, "%s: metadata: %s=%s (a finite number expected)", b->file, key, s);
    *v = x;
    return LT_OK;
}

static const rarr *find(const lt_box *b, const char *name) {
    for (int i = 0; i < b->n_arr; i++)
        if (!strcmp(b->arr[i].name, name)) return &b->arr[i];
    return NULL;
}

static const void *get(
        const lt_box *b, const char *name, int dtype, int64_t rows, int64_t cols, int need) {
    const rarr *a = find(b, name);
    if (!a) {
        if (need) lt_err(LT_EFORMAT, "%s: no array '%s'", b->file, name);
        return NULL;
    }
    if (a->dtype != dtype) {
        lt_err(LT_EFORMAT, "%s: offset %" PRIu64 ": array '%s' has dtype %d, %d expected", b->file,
                a->off, name, a->dtype, dtype);
        return NULL;
    }
    if ((rows >= 0 && a->rows != rows) || (cols >= 0 && a->cols != cols)) {
        lt_err(LT_EFORMAT,
                "%s: offset %" PRIu64 ": array '%s' is %" PRId64 " x %" PRId64 ", %" PRId64
                " x %" PRId64 " expected",
                b->file, a->off, name, a->rows, a->cols, rows, cols);
        return NULL;
    }
    return a->data;
}

const void *lt_box_need(const lt_box *b, const char *name, int dtype, int64_t rows, int64_t cols) {
    return get(b, name, dtype, rows, cols, 1);
}

const void *lt_box_get(const lt_box *b, const char *name, int dtype, int64_t rows, int64_t cols) {
    return get(b, name, dtype, rows, cols, 0);
}

int lt_box_array_at(const lt_box *b, int i, const char **name, int *dtype, int64_t *rows,
        int64_t *cols, int64_t *pad, const void **data) {
    if (i < 0 || i >= b->n_arr) return 0;
    const rarr *a = &b->arr[i];
    if (name) *name = a->name;
    if (dtype) *dtype = a->dtype;
    if (rows) *rows = a->rows;
    if (cols) *cols = a->cols;
    if (pad) *pad = a->pad;
    if (data) *data = a->data;
    return 1;
}

int lt_box_shape(const lt_box *b, const char *name, int64_t *rows, int64_t *cols, int64_t *pad) {
    const rarr *a = find(b, name);
    if (!a) return 0;
    if (rows) *rows = a->rows;
    if (cols) *cols = a->cols;
    if (pad) *pad = a->pad;
    return 1;
}

int lt_box_type(const lt_box *b, const char *name) {
    const rarr *a = find(b, name);
    return a ? a->dtype : 0;
}

size_t lt_box_offset(const lt_box *b, const char *name) {
    const rarr *a = find(b, name);
    return a ? (size_t)a->off : 0;
}
