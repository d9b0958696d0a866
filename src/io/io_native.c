/* latent native vector format (.lvec), specified in docs/format.md. */
#include "latent/core.h"
#include "latent/kern.h"
#include "store_impl.h"
#include "../core/fuzzing.h"
#include <string.h>
#include <zlib.h>

#define HDR 128
#define MAGIC "LTNTVECS"

static void put32(unsigned char *p, uint32_t x) { for (int i = 0; i < 4; i++) p[i] = (unsigned char)(x >> (8 * i)); }
static void put64(unsigned char *p, uint64_t x) { for (int i = 0; i < 8; i++) p[i] = (unsigned char)(x >> (8 * i)); }
static uint32_t get32(const unsigned char *p) { uint32_t x = 0; for (int i = 3; i >= 0; i--) x = x << 8 | p[i]; return x; }
static uint64_t get64(const unsigned char *p) { uint64_t x = 0; for (int i = 7; i >= 0; i--) x = x << 8 | p[i]; return x; }

static int64_t stride_for(int64_t d, int f16) {
    return f16 ? (d + 31) / 32 * 64 : lt_pad_dim(d) * 4;
}

int lt__write_native(const lt_vecs *v, FILE *f, int f16) {
    /* metadata and labels */
    size_t meta_size = 0, lab_size = 0;
    const char *k, *val;
    for (int i = 0; lt_vecs_meta_at(v, i, &k, &val); i++) meta_size += strlen(k) + strlen(val) + 2;
    if (v->labels) for (int64_t i = 0; i < v->n; i++) lab_size += strlen(v->labels[i]) + 1;
    uint64_t meta_off = HDR, lab_off = meta_off + meta_size;
    uint64_t data_off = (lab_off + lab_size + 63) / 64 * 64;
    int64_t stride = stride_for(v->d, f16);
    unsigned char *rowbuf = lt_aligned_alloc((size_t)stride);
    if (!rowbuf) return lt_err(LT_ENOMEM, "out of memory");
    /* checksums first (the header precedes the data) */
    uLong c_data = crc32_z(0, Z_NULL, 0), c_aux = crc32_z(0, Z_NULL, 0);
    for (int i = 0; lt_vecs_meta_at(v, i, &k, &val); i++) {
        c_aux = crc32_z(c_aux, (const Bytef *)k, strlen(k));
        c_aux = crc32_z(c_aux, (const Bytef *)"=", 1);
        c_aux = crc32_z(c_aux, (const Bytef *)val, strlen(val));
        c_aux = crc32_z(c_aux, (const Bytef *)"\n", 1);
    }
    if (v->labels) for (int64_t i = 0; i < v->n; i++) c_aux = crc32_z(c_aux, (const Bytef *)v->labels[i], strlen(v->labels[i]) + 1);
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            unsigned char h[HDR];
            memset(h, 0, sizeof h);
            memcpy(h, MAGIC, 8);
            put32(h + 8, 1);
            put32(h + 12, f16 ? 2 : 1);
            put64(h + 16, (uint64_t)v->n);
            put64(h + 24, (uint64_t)v->d);
            put64(h + 32, (uint64_t)stride);
            put64(h + 40, data_off);
            put64(h + 48, v->labels ? lab_off : 0);
            put64(h + 56, lab_size);
            put64(h + 64, meta_off);
            put64(h + 72, meta_size);
            put32(h + 80, (uint32_t)c_data);
            put32(h + 84, (uint32_t)c_aux);
            put32(h + 124, (uint32_t)crc32_z(0, h, 124));
            fwrite(h, 1, HDR, f);
            for (int i = 0; lt_vecs_meta_at(v, i, &k, &val); i++) fprintf(f, "%s=%s\n", k, val);
            if (v->labels) for (int64_t i = 0; i < v->n; i++) fwrite(v->labels[i], 1, strlen(v->labels[i]) + 1, f);
            for (uint64_t p = lab_off + lab_size; p < data_off; p++) fputc(0, f);
        }
        for (int64_t i = 0; i < v->n; i++) {
            memset(rowbuf, 0, (size_t)stride);
            const float *r = lt_vecs_row(v, i);
            if (f16) for (int64_t j = 0; j < v->d; j++) { uint16_t x = lt_f32_to_f16(r[j]); memcpy(rowbuf + 2 * j, &x, 2); }
            else memcpy(rowbuf, r, (size_t)v->d * 4);
            if (pass == 0) c_data = crc32_z(c_data, rowbuf, (size_t)stride);
            else fwrite(rowbuf, 1, (size_t)stride, f);
        }
    }
    lt_aligned_free(rowbuf);
    return LT_OK;
}

int lt__parse_native(const char *buf, size_t len, const char *name, int alias, lt_vecs **out) {
    *out = NULL;
    const unsigned char *u = (const unsigned char *)buf;
    if (len < HDR) return lt_err(LT_EFORMAT, "%s: offset %zu: file too short for a latent header (truncated)", name, len);
    if (memcmp(u, MAGIC, 8)) return lt_err(LT_EFORMAT, "%s: offset 0: not a latent vector file (bad magic)", name);
    if (!lt__fuzz_nocrc && get32(u + 124) != (uint32_t)crc32_z(0, u, 124)) return lt_err(LT_EFORMAT, "%s: offset 124: header checksum mismatch (corrupt header)", name);
    uint32_t ver = get32(u + 8), dt = get32(u + 12);
    if (ver != 1) return lt_err(LT_EFORMAT, "%s: offset 8: unsupported version %u (this build reads 1)", name, ver);
    if (dt != 1 && dt != 2) return lt_err(LT_EFORMAT, "%s: offset 12: unknown dtype %u", name, dt);
    uint64_t n = get64(u + 16), d = get64(u + 24), stride = get64(u + 32), data_off = get64(u + 40);
    uint64_t lab_off = get64(u + 48), lab_size = get64(u + 56), meta_off = get64(u + 64), meta_size = get64(u + 72);
    if (d == 0 || d > (1u << 24)) return lt_err(LT_EFORMAT, "%s: offset 24: bad dimension %llu", name, (unsigned long long)d);
    if (stride != (uint64_t)stride_for((int64_t)d, dt == 2)) return lt_err(LT_EFORMAT, "%s: offset 32: row stride %llu does not match dimension %llu", name, (unsigned long long)stride, (unsigned long long)d);
    if (data_off % 64 || data_off < HDR || data_off > len) return lt_err(LT_EFORMAT, "%s: offset 40: bad data offset %llu", name, (unsigned long long)data_off);
    if (n > (len - data_off) / stride || n * stride != len - data_off)
        return lt_err(LT_EFORMAT, "%s: offset %llu: %llu rows of %llu bytes do not match the %zu bytes present (truncated?)", name, (unsigned long long)data_off, (unsigned long long)n, (unsigned long long)stride, len - (size_t)data_off);
    if (meta_off > data_off || meta_size > data_off - meta_off) return lt_err(LT_EFORMAT, "%s: offset 64: metadata section out of bounds", name);
    if (lab_off && (lab_off > data_off || lab_size > data_off - lab_off)) return lt_err(LT_EFORMAT, "%s: offset 48: label section out of bounds", name);
    uLong c = crc32_z(0, u + meta_off, meta_size);
    if (lab_off) c = crc32_z(c, u + lab_off, lab_size);
    if (!lt__fuzz_nocrc && (uint32_t)c != get32(u + 84)) return lt_err(LT_EFORMAT, "%s: offset %llu: label/metadata checksum mismatch (corrupt)", name, (unsigned long long)meta_off);
    if (!lt__fuzz_nocrc && (uint32_t)crc32_z(0, u + data_off, len - data_off) != get32(u + 80)) return lt_err(LT_EFORMAT, "%s: offset %llu: data checksum mismatch (corrupt)", name, (unsigned long long)data_off);

    lt_vecs *v;
    int can_alias = alias && dt == 1 && ((uintptr_t)(u + data_off) % 64) == 0;
    if (can_alias) {
        v = lt_calloc(1, sizeof *v);
        if (!v || !(v->in = lt_calloc(1, sizeof *v->in))) { lt_free(v); return lt_err(LT_ENOMEM, "out of memory"); }
        v->n = (int64_t)n; v->d = (int64_t)d; v->ld = (int64_t)stride / 4;
        v->data = (float *)(void *)(u + data_off);
    } else {
        v = lt_vecs_new((int64_t)n, (int64_t)d);
        if (!v) return LT_ENOMEM;
        for (uint64_t i = 0; i < n; i++) {
            const unsigned char *src = u + data_off + i * stride;
            float *r = lt_vecs_row(v, (int64_t)i);
            if (dt == 1) memcpy(r, src, d * 4);
            else for (uint64_t j = 0; j < d; j++) { uint16_t x; memcpy(&x, src + 2 * j, 2); r[j] = lt_f16_to_f32(x); }
        }
    }
    int rc = LT_OK;
    for (uint64_t i = 0; i < n && rc == LT_OK; i++) rc = lt_check_finite(lt_vecs_row(v, (int64_t)i), (int64_t)d, name, data_off + i * stride, (int64_t)i);
    if (rc) goto fail;
    /* metadata lines key=value */
    for (uint64_t p = meta_off; p < meta_off + meta_size;) {
        const char *s = buf + p, *nl = memchr(s, '\n', meta_off + meta_size - p);
        if (!nl) { rc = lt_err(LT_EFORMAT, "%s: offset %llu: metadata line without newline", name, (unsigned long long)p); goto fail; }
        const char *eq = memchr(s, '=', (size_t)(nl - s));
        if (!eq || eq == s) { rc = lt_err(LT_EFORMAT, "%s: offset %llu: metadata line without key=value", name, (unsigned long long)p); goto fail; }
        char key[256], val[4096];
        size_t kl = (size_t)(eq - s), vl = (size_t)(nl - eq - 1);
        if (kl >= sizeof key || vl >= sizeof val) { rc = lt_err(LT_EFORMAT, "%s: offset %llu: metadata entry too long", name, (unsigned long long)p); goto fail; }
        memcpy(key, s, kl); key[kl] = 0;
        memcpy(val, eq + 1, vl); val[vl] = 0;
        if (memchr(key, 0, kl) || memchr(val, 0, vl)) { rc = lt_err(LT_EFORMAT, "%s: offset %llu: NUL byte in metadata", name, (unsigned long long)p); goto fail; }
        if ((rc = lt_vecs_meta_set(v, key, val))) goto fail;
        p = (uint64_t)(nl - buf) + 1;
    }
    if (lab_off) {
        if ((rc = lt__vecs_alloc_labels(v))) goto fail;
        char *blob = lt__vecs_arena_alloc(v, lab_size + 1);
        if (!blob) { rc = lt_err(LT_ENOMEM, "out of memory"); goto fail; }
        memcpy(blob, buf + lab_off, lab_size);
        blob[lab_size] = 0;
        uint64_t p = 0;
        for (uint64_t i = 0; i < n; i++) {
            if (p >= lab_size) { rc = lt_err(LT_EFORMAT, "%s: offset %llu: label section holds %llu of %llu labels", name, (unsigned long long)(lab_off + p), (unsigned long long)i, (unsigned long long)n); goto fail; }
            v->labels[i] = blob + p;
            const char *z = memchr(blob + p, 0, lab_size - p);
            if (!z) { rc = lt_err(LT_EFORMAT, "%s: offset %llu: unterminated label", name, (unsigned long long)(lab_off + p)); goto fail; }
            p = (uint64_t)(z - blob) + 1;
        }
        if (p != lab_size) { rc = lt_err(LT_EFORMAT, "%s: offset %llu: extra bytes in the label section", name, (unsigned long long)(lab_off + p)); goto fail; }
    }
    *out = v;
    return LT_OK;
fail:
    if (can_alias) v->data = NULL;
    lt_vecs_free(v);
    return rc;
}
