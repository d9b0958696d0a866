/* latent native vector format (.lvec), specified in docs/format.md. */
#include "latent/core.h"
#include "latent/kern.h"
#include "latent/box.h"
#include "store_impl.h"
#include "../core/fuzzing.h"
#include <string.h>
#include <zlib.h>

#define HDR 128
#define MAGIC "LTNTVECS"

static uint32_t get32(const unsigned char *p) {
    uint32_t x = 0;
    for (int i = 3; i >= 0; i--) x = x << 8 | p[i];
    return x;
}
static uint64_t get64(const unsigned char *p) {
    uint64_t x = 0;
    for (int i = 7; i >= 0; i--) x = x << 8 | p[i];
    return x;
}

static int64_t stride_for(int64_t d, int f16) {
    return f16 ? (d + 31) / 32 * 64 : lt_pad_dim(d) * 4;
}

/* n NUL-terminated labels back to back in blob[0..size), copied into the store */
static int set_labels(lt_vecs *v, const char *src, uint64_t size, uint64_t off, const char *name) {
    int rc = lt__vecs_alloc_labels(v);
    if (rc) return rc;
    char *blob = lt__vecs_arena_alloc(v, size + 1);
    if (!blob) return lt_err(LT_ENOMEM, "out of memory");
    memcpy(blob, src, size);
    blob[size] = 0;
    uint64_t p = 0;
    for (int64_t i = 0; i < v->n; i++) {
        if (p >= size)
            return lt_err(LT_EFORMAT, "%s: offset %llu: label section holds %lld of %lld labels",
                    name, (unsigned long long)(off + p), (long long)i, (long long)v->n);
        v->labels[i] = blob + p;
        const char *z = memchr(blob + p, 0, size - p);
        if (!z)
            return lt_err(LT_EFORMAT, "%s: offset %llu: unterminated label", name,
                    (unsigned long long)(off + p));
        p = (uint64_t)(z - blob) + 1;
    }
    if (p != size)
        return lt_err(LT_EFORMAT, "%s: offset %llu: extra bytes in the label section", name,
                (unsigned long long)(off + p));
    return LT_OK;
}

/* ---- version 2: a box (box.h), "LTNTVECS" version 2 ----
 * metadata: the store's key=value pairs as they are; arrays: vectors (f32 or f16, n x d, rows
 * padded to the stride below), labels (u8: n NUL-terminated strings back to back; absent when
 * the rows have none). */
typedef struct {
    const lt_vecs *v;
    int f16;
} vec_fill;

static int fill_rows(void *ctx, lt_box_out *o) {
    const vec_fill *c = ctx;
    const lt_vecs *v = c->v;
    int64_t stride = stride_for(v->d, c->f16);
    unsigned char *row = lt_aligned_alloc((size_t)stride);
    if (!row) return lt_err(LT_ENOMEM, "out of memory");
    int rc = LT_OK;
    for (int64_t i = 0; i < v->n && !rc; i++) {
        memset(row, 0, (size_t)stride);
        const float *r = lt_vecs_row(v, i);
        if (c->f16)
            for (int64_t j = 0; j < v->d; j++) {
                uint16_t x = lt_f32_to_f16(r[j]);
                memcpy(row + 2 * j, &x, 2);
            }
        else memcpy(row, r, (size_t)v->d * 4);
        rc = lt_box_put(o, row, (size_t)stride);
    }
    lt_aligned_free(row);
    return rc;
}

static int fill_labels(void *ctx, lt_box_out *o) {
    const lt_vecs *v = ((const vec_fill *)ctx)->v;
    int rc = LT_OK;
    for (int64_t i = 0; i < v->n && !rc; i++)
        rc = lt_box_put(o, v->labels[i], strlen(v->labels[i]) + 1);
    return rc;
}

static int lt__write_native(const lt_vecs *v, FILE *f, int f16) {
    vec_fill c = { v, f16 };
    lt_boxw *w = lt_boxw_new(MAGIC, 2);
    const char *k, *val;
    for (int i = 0; lt_vecs_meta_at(v, i, &k, &val); i++) lt_boxw_meta(w, k, val);
    int64_t es = f16 ? 2 : 4;
    lt_boxw_array_fill(w, "vectors", f16 ? LT_BOX_F16 : LT_BOX_F32, v->n, v->d,
            stride_for(v->d, f16) / es - v->d, fill_rows, &c);
    if (v->labels) {
        size_t lab = 0;
        for (int64_t i = 0; i < v->n; i++) lab += strlen(v->labels[i]) + 1;
        lt_boxw_array_fill(w, "labels", LT_BOX_U8, 1, (int64_t)lab, 0, fill_labels, &c);
    }
    return lt_boxw_write(w, f, "vectors");
}

/* the rows (aliased in buf when f32 and allowed), metadata and labels of a version-2 file */
static int parse_box(const char *buf, size_t len, const char *name, int alias, lt_vecs **out) {
    lt_box *b;
    int rc = lt_box_open(buf, len, name, MAGIC, &b);
    if (rc) return rc;
    int64_t n, d, pad, lab = 0;
    int dt = LT_BOX_F32;
    lt_vecs *v = NULL;
    int can_alias = 0;
    if (!lt_box_shape(b, "vectors", &n, &d, &pad)) {
        rc = lt_err(LT_EFORMAT, "%s: no array 'vectors'", name);
        goto fail;
    }
    dt = lt_box_type(b, "vectors");
    size_t voff = lt_box_offset(b, "vectors");
    if (dt != LT_BOX_F32 && dt != LT_BOX_F16) {
        rc = lt_err(LT_EFORMAT, "%s: offset %zu: vectors of dtype %d (f32 or f16 expected)", name,
                voff, dt);
        goto fail;
    }
    if (d < 1 || d > (1 << 24)) {
        rc = lt_err(LT_EFORMAT, "%s: offset %zu: bad dimension %lld", name, voff, (long long)d);
        goto fail;
    }
    int64_t es = dt == LT_BOX_F16 ? 2 : 4, stride = stride_for(d, dt == LT_BOX_F16);
    if ((d + pad) * es != stride) {
        rc = lt_err(LT_EFORMAT,
                "%s: offset %zu: rows padded to %lld bytes, %lld expected for dimension %lld", name,
                voff, (long long)((d + pad) * es), (long long)stride, (long long)d);
        goto fail;
    }
    const unsigned char *data = lt_box_need(b, "vectors", dt, n, d);
    const char *labels = NULL;
    if (lt_box_shape(b, "labels", NULL, &lab, NULL) &&
            !(labels = lt_box_need(b, "labels", LT_BOX_U8, 1, -1))) {
        rc = LT_EFORMAT;
        goto fail;
    }
    can_alias = alias && dt == LT_BOX_F32 && ((uintptr_t)data % 64) == 0;
    if (can_alias) {
        v = lt_calloc(1, sizeof *v);
        if (!v || !(v->in = lt_calloc(1, sizeof *v->in))) {
            lt_free(v);
            v = NULL;
            rc = lt_err(LT_ENOMEM, "out of memory");
            goto fail;
        }
        v->n = n;
        v->d = d;
        v->ld = stride / 4;
        v->data = (float *)(void *)data;
    } else {
        if (!(v = lt_vecs_new(n, d))) {
            rc = LT_ENOMEM;
            goto fail;
        }
        for (int64_t i = 0; i < n; i++) {
            const unsigned char *src = data + i * stride;
            float *r = lt_vecs_row(v, i);
            if (dt == LT_BOX_F32) memcpy(r, src, (size_t)d * 4);
            else
                for (int64_t j = 0; j < d; j++) {
                    uint16_t x;
                    memcpy(&x, src + 2 * j, 2);
                    r[j] = lt_f16_to_f32(x);
                }
        }
    }
    for (int64_t i = 0; i < n && rc == LT_OK; i++)
        rc = lt_check_finite(lt_vecs_row(v, i), d, name, voff + (size_t)(i * stride), i);
    const char *k, *val;
    for (int i = 0; rc == LT_OK && lt_box_meta_at(b, i, &k, &val); i++)
        rc = lt_vecs_meta_set(v, k, val);
    if (rc == LT_OK && labels)
        rc = set_labels(v, labels, (uint64_t)lab, lt_box_offset(b, "labels"), name);
    if (rc) goto fail;
    lt_box_free(b);
    *out = v;
    return LT_OK;
fail:
    if (v && can_alias) v->data = NULL;
    lt_vecs_free(v);
    lt_box_free(b);
    return rc;
}

static int parse_v1(const char *buf, size_t len, const char *name, int alias, lt_vecs **out) {
    *out = NULL;
    const unsigned char *u = (const unsigned char *)buf;
    if (len < HDR)
        return lt_err(LT_EFORMAT, "%s: offset %zu: file too short for a latent header (truncated)",
                name, len);
    if (memcmp(u, MAGIC, 8))
        return lt_err(LT_EFORMAT, "%s: offset 0: not a latent vector file (bad magic)", name);
    if (!lt__fuzz_nocrc && get32(u + 124) != (uint32_t)crc32_z(0, u, 124))
        return lt_err(
                LT_EFORMAT, "%s: offset 124: header checksum mismatch (corrupt header)", name);
    uint32_t ver = get32(u + 8), dt = get32(u + 12);
    if (ver != 1)
        return lt_err(
                LT_EFORMAT, "%s: offset 8: unsupported version %u (this build reads 1)", name, ver);
    if (dt != 1 && dt != 2) return lt_err(LT_EFORMAT, "%s: offset 12: unknown dtype %u", name, dt);
    uint64_t n = get64(u + 16), d = get64(u + 24), stride = get64(u + 32), data_off = get64(u + 40);
    uint64_t lab_off = get64(u + 48), lab_size = get64(u + 56), meta_off = get64(u + 64),
             meta_size = get64(u + 72);
    if (d == 0 || d > (1u << 24))
        return lt_err(LT_EFORMAT, "%s: offset 24: bad dimension %llu", name, (unsigned long long)d);
    if (stride != (uint64_t)stride_for((int64_t)d, dt == 2))
        return lt_err(LT_EFORMAT, "%s: offset 32: row stride %llu does not match dimension %llu",
                name, (unsigned long long)stride, (unsigned long long)d);
    if (data_off % 64 || data_off < HDR || data_off > len)
        return lt_err(LT_EFORMAT, "%s: offset 40: bad data offset %llu", name,
                (unsigned long long)data_off);
    if (n > (len - data_off) / stride || n * stride != len - data_off)
        return lt_err(LT_EFORMAT,
                "%s: offset %llu: %llu rows of %llu bytes do not match the %zu bytes present (truncated?)",
                name, (unsigned long long)data_off, (unsigned long long)n,
                (unsigned long long)stride, len - (size_t)data_off);
    if (meta_off > data_off || meta_size > data_off - meta_off)
        return lt_err(LT_EFORMAT, "%s: offset 64: metadata section out of bounds", name);
    if (lab_off && (lab_off > data_off || lab_size > data_off - lab_off))
        return lt_err(LT_EFORMAT, "%s: offset 48: label section out of bounds", name);
    uLong c = crc32_z(0, u + meta_off, meta_size);
    if (lab_off) c = crc32_z(c, u + lab_off, lab_size);
    if (!lt__fuzz_nocrc && (uint32_t)c != get32(u + 84))
        return lt_err(LT_EFORMAT, "%s: offset %llu: label/metadata checksum mismatch (corrupt)",
                name, (unsigned long long)meta_off);
    if (!lt__fuzz_nocrc && (uint32_t)crc32_z(0, u + data_off, len - data_off) != get32(u + 80))
        return lt_err(LT_EFORMAT, "%s: offset %llu: data checksum mismatch (corrupt)", name,
                (unsigned long long)data_off);

    lt_vecs *v;
    int can_alias = alias && dt == 1 && ((uintptr_t)(u + data_off) % 64) == 0;
    if (can_alias) {
        v = lt_calloc(1, sizeof *v);
        if (!v || !(v->in = lt_calloc(1, sizeof *v->in))) {
            lt_free(v);
            return lt_err(LT_ENOMEM, "out of memory");
        }
        v->n = (int64_t)n;
        v->d = (int64_t)d;
        v->ld = (int64_t)stride / 4;
        v->data = (float *)(void *)(u + data_off);
    } else {
        v = lt_vecs_new((int64_t)n, (int64_t)d);
        if (!v) return LT_ENOMEM;
        for (uint64_t i = 0; i < n; i++) {
            const unsigned char *src = u + data_off + i * stride;
            float *r = lt_vecs_row(v, (int64_t)i);
            if (dt == 1) memcpy(r, src, d * 4);
            else
                for (uint64_t j = 0; j < d; j++) {
                    uint16_t x;
                    memcpy(&x, src + 2 * j, 2);
                    r[j] = lt_f16_to_f32(x);
                }
        }
    }
    int rc = LT_OK;
    for (uint64_t i = 0; i < n && rc == LT_OK; i++)
        rc = lt_check_finite(
                lt_vecs_row(v, (int64_t)i), (int64_t)d, name, data_off + i * stride, (int64_t)i);
    if (rc) goto fail;
    /* metadata lines key=value */
    for (uint64_t p = meta_off; p < meta_off + meta_size;) {
        const char *s = buf + p, *nl = memchr(s, '\n', meta_off + meta_size - p);
        if (!nl) {
            rc = lt_err(LT_EFORMAT, "%s: offset %llu: metadata line without newline", name,
                    (unsigned long long)p);
            goto fail;
        }
        const char *eq = memchr(s, '=', (size_t)(nl - s));
        if (!eq || eq == s) {
            rc = lt_err(LT_EFORMAT, "%s: offset %llu: metadata line without key=value", name,
                    (unsigned long long)p);
            goto fail;
        }
        char key[256], val[4096];
        size_t kl = (size_t)(eq - s), vl = (size_t)(nl - eq - 1);
        if (kl >= sizeof key || vl >= sizeof val) {
            rc = lt_err(LT_EFORMAT, "%s: offset %llu: metadata entry too long", name,
                    (unsigned long long)p);
            goto fail;
        }
        memcpy(key, s, kl);
        key[kl] = 0;
        memcpy(val, eq + 1, vl);
        val[vl] = 0;
        if (memchr(key, 0, kl) || memchr(val, 0, vl)) {
            rc = lt_err(LT_EFORMAT, "%s: offset %llu: NUL byte in metadata", name,
                    (unsigned long long)p);
            goto fail;
        }
        if ((rc = lt_vecs_meta_set(v, key, val))) goto fail;
        p = (uint64_t)(nl - buf) + 1;
    }
    if (lab_off && (rc = set_labels(v, buf + lab_off, lab_size, lab_off, name))) goto fail;
    *out = v;
    return LT_OK;
fail:
    if (can_alias) v->data = NULL;
    lt_vecs_free(v);
    return rc;
}

int lt__parse_native(const char *buf, size_t len, const char *name, int alias, lt_vecs **out) {
    *out = NULL;
    if (len >= 12 && !memcmp(buf, MAGIC, 8) && get32((const unsigned char *)buf + 8) == 1)
        return parse_v1(buf, len, name, alias, out);
    return parse_box(buf, len, name, alias, out);
}

static int parse_copy(const char *buf, size_t len, const char *name, lt_vecs **out) {
    return lt__parse_native(buf, len, name, 0, out);
}
static int write_whole(const lt_vecs *v, FILE *f, const lt_save_opts *o) {
    return lt__write_native(v, f, o->f16);
}
const lt__format lt__fmt_native = {
    .id = LT_FMT_NATIVE, .parse = parse_copy, .write_whole = write_whole
};
