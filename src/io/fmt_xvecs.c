/* TEXMEX .fvecs / .ivecs / .bvecs: each row its dimension (int32) and then its values. */
#include "latent/core.h"
#include "latent/kern.h"
#include "latent/io.h"
#include "store_impl.h"
#include <string.h>

/* es: element size (4 float / 4 int / 1 byte); kind 0 float, 1 int32, 2 uint8 */
static int parse_xvecs(const char *buf, size_t len, const char *name, int kind, lt_vecs **out) {
    *out = NULL;
    size_t es = kind == 2 ? 1 : 4;
    if (len == 0) return lt_err(LT_EFORMAT, "%s: offset 0: file is empty (no vectors)", name);
    if (len < 4) return lt_err(LT_EFORMAT, "%s: offset 0: truncated", name);
    int32_t d;
    memcpy(&d, buf, 4);
    if (d <= 0 || d > (1 << 24))
        return lt_err(LT_EFORMAT, "%s: offset 0: bad dimension %d", name, d);
    size_t rs = 4 + (size_t)d * es;
    if (len % rs)
        return lt_err(LT_EFORMAT,
                "%s: offset %zu: file size %zu is not a multiple of the row size %zu (truncated?)",
                name, len / rs * rs, len, rs);
    int64_t n = (int64_t)(len / rs);
    lt_vecs *v = lt_vecs_new(n, d);
    if (!v) return LT_ENOMEM;
    for (int64_t i = 0; i < n; i++) {
        int32_t di;
        memcpy(&di, buf + (size_t)i * rs, 4);
        if (di != d) {
            lt_vecs_free(v);
            return lt_err(LT_EFORMAT, "%s: offset %zu: row %lld has dimension %d, expected %d",
                    name, (size_t)i * rs, (long long)i, di, d);
        }
        const char *src = buf + (size_t)i * rs + 4;
        float *row = lt_vecs_row(v, i);
        if (kind == 0) memcpy(row, src, (size_t)d * 4);
        else if (kind == 1)
            for (int64_t k = 0; k < d; k++) {
                int32_t x;
                memcpy(&x, src + 4 * k, 4);
                row[k] = (float)x;
            }
        else
            for (int64_t k = 0; k < d; k++) row[k] = (float)(unsigned char)src[k];
        int rc = kind == 0 ? lt_check_finite(row, d, name, (size_t)i * rs + 4, i) : LT_OK;
        if (rc) {
            lt_vecs_free(v);
            return rc;
        }
    }
    *out = v;
    return LT_OK;
}

static int parse_fvecs(const char *buf, size_t len, const char *name, lt_vecs **out) {
    return parse_xvecs(buf, len, name, 0, out);
}
static int parse_ivecs(const char *buf, size_t len, const char *name, lt_vecs **out) {
    return parse_xvecs(buf, len, name, 1, out);
}
static int parse_bvecs(const char *buf, size_t len, const char *name, lt_vecs **out) {
    return parse_xvecs(buf, len, name, 2, out);
}

static int fvecs_rows(const lt_vecs *v, FILE *f, const lt_save_opts *o, int64_t first, char sep) {
    (void)o;
    (void)first;
    (void)sep;
    int32_t d32 = (int32_t)v->d;
    for (int64_t i = 0; i < v->n; i++) {
        fwrite(&d32, 4, 1, f);
        fwrite(lt_vecs_row(v, i), 4, (size_t)v->d, f);
    }
    return ferror(f) ? lt_err(LT_EIO, "write error") : LT_OK;
}

const lt__format lt__fmt_fvecs = { .id = LT_FMT_FVECS, .parse = parse_fvecs, .rows = fvecs_rows };
const lt__format lt__fmt_ivecs = { .id = LT_FMT_IVECS, .parse = parse_ivecs };
const lt__format lt__fmt_bvecs = { .id = LT_FMT_BVECS, .parse = parse_bvecs };

int lt_ivecs_read(const char *path, int64_t **out, int64_t *n, int64_t *k) {
    *out = NULL;
    lt_vecs *v;
    int rc = lt_vecs_load(path, LT_FMT_IVECS, &v);
    if (rc) return rc;
    int64_t cnt = v->n * v->d;
    int64_t *ids = lt_malloc((size_t)(cnt > 0 ? cnt : 1) * 8);
    if (!ids) {
        lt_vecs_free(v);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    for (int64_t i = 0; i < v->n; i++)
        for (int64_t j = 0; j < v->d; j++) ids[i * v->d + j] = (int64_t)lt_vecs_row(v, i)[j];
    *out = ids;
    *n = v->n;
    *k = v->d;
    lt_vecs_free(v);
    return LT_OK;
}

int lt_ivecs_write(const char *path, const int64_t *ids, int64_t n, int64_t k) {
    lt_afile a;
    int rc = lt_afile_open(&a, path);
    if (rc) return rc;
    int32_t kk = (int32_t)k;
    for (int64_t i = 0; i < n; i++) {
        fwrite(&kk, 4, 1, a.f);
        for (int64_t j = 0; j < k; j++) {
            int32_t x = (int32_t)ids[i * k + j];
            fwrite(&x, 4, 1, a.f);
        }
    }
    return lt_afile_commit(&a);
}
