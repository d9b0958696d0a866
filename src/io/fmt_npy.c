/* NumPy .npy (version 1-3; f4, f8 or f2, C order, 1-D or 2-D): the header, the reader, the
 * writer's header; .npy files of bytes. Labels ride in a sidecar (labels.c). */
#include "latent/core.h"
#include "latent/kern.h"
#include "latent/io.h"
#include "store_impl.h"
#include <stdlib.h>
#include <string.h>

/* The value of 'key' in a .npy header dict: after the quoted key, blanks, ':' and blanks. */
static const char *npy_value(const char *h, const char *key) {
    char k[32];
    snprintf(k, sizeof k, "'%s'", key);
    const char *p = strstr(h, k);
    if (!p) return NULL;
    p += strlen(k);
    while (*p == ' ') p++;
    if (*p != ':') return NULL;
    p++;
    while (*p == ' ') p++;
    return p;
}

/* .npy header: magic, version, dict with descr / fortran_order / shape; the data's shape,
 * element size and offset (the data itself is not checked here). */
int lt_npy_header(const char *buf, size_t len, const char *name, int64_t *n_out, int64_t *d_out,
        int *es_out, size_t *off_out) {
    const unsigned char *u = (const unsigned char *)buf;
    if (len < 10 || memcmp(buf, "\x93NUMPY", 6))
        return lt_err(LT_EFORMAT, "%s: offset 0: not a .npy file (bad magic)", name);
    size_t hl, ho;
    if (u[6] == 1) {
        hl = u[8] | (size_t)u[9] << 8;
        ho = 10;
    } else if (u[6] == 2 || u[6] == 3) {
        if (len < 12) return lt_err(LT_EFORMAT, "%s: offset 8: truncated header", name);
        hl = u[8] | (size_t)u[9] << 8 | (size_t)u[10] << 16 | (size_t)u[11] << 24;
        ho = 12;
    } else return lt_err(LT_EFORMAT, "%s: offset 6: unsupported .npy version %d", name, u[6]);
    if (hl > len - ho)
        return lt_err(LT_EFORMAT, "%s: offset %zu: header of %zu bytes is truncated", name, ho, hl);
    char h[4096];
    if (hl >= sizeof h) return lt_err(LT_EFORMAT, "%s: offset %zu: header too long", name, ho);
    memcpy(h, buf + ho, hl);
    h[hl] = 0;
    /* the header is a Python dict literal: each key's value is read right after its key and
     * colon (a later "False" elsewhere cannot stand in for fortran_order's value) */
    const char *ds = npy_value(h, "descr"), *fo = npy_value(h, "fortran_order"),
               *sh = npy_value(h, "shape");
    if (!ds || !fo || !sh)
        return lt_err(
                LT_EFORMAT, "%s: offset %zu: header lacks descr/fortran_order/shape", name, ho);
    int es;
    const char *q = ds;
    if (!strncmp(q, "'<f4'", 5) || !strncmp(q, "'|f4'", 5)) es = 4;
    else if (!strncmp(q, "'<f8'", 5)) es = 8;
    else if (!strncmp(q, "'<f2'", 5)) es = 2;
    else
        return lt_err(LT_EFORMAT,
                "%s: offset %zu: unsupported dtype %.6s (need little-endian f2/f4/f8)", name, ho,
                q);
    if (!strncmp(fo, "True", 4))
        return lt_err(LT_EFORMAT,
                "%s: offset %zu: Fortran-order arrays are not supported (save with np.ascontiguousarray)",
                name, ho);
    if (strncmp(fo, "False", 5))
        return lt_err(LT_EFORMAT, "%s: offset %zu: fortran_order must be True or False", name, ho);
    const char *lp = sh;
    if (*lp != '(') return lt_err(LT_EFORMAT, "%s: offset %zu: bad shape", name, ho);
    char *e;
    long long n = strtoll(lp + 1, &e, 10);
    while (*e == ' ') e++;
    if (*e != ',' || n < 0)
        return lt_err(LT_EFORMAT, "%s: offset %zu: shape must be (n, d)", name, ho);
    char *e2;
    long long d = strtoll(e + 1, &e2, 10);
    while (*e2 == ' ' || *e2 == ',') e2++;
    if (e2 == e + 1 || *e2 != ')' || d <= 0 || d > (1 << 24))
        return lt_err(
                LT_EFORMAT, "%s: offset %zu: shape must be (n, d) with 0 < d <= 2^24", name, ho);
    *n_out = n;
    *d_out = d;
    *es_out = es;
    *off_out = ho + hl;
    return LT_OK;
}

/* .npy: magic, version, header dict with descr / fortran_order / shape. */
static int parse_npy(const char *buf, size_t len, const char *name, lt_vecs **out) {
    *out = NULL;
    int64_t n, d;
    int es;
    size_t off, need;
    int rc = lt_npy_header(buf, len, name, &n, &d, &es, &off);
    if (rc) return rc;
    if (!lt_mul_ok((size_t)n, (size_t)d * (size_t)es, &need) || need > len - off)
        return lt_err(LT_EFORMAT,
                "%s: offset %zu: shape (%lld, %lld) needs %zu bytes of data, %zu present (truncated)",
                name, off, (long long)n, (long long)d, need, len - off);
    lt_vecs *v = lt_vecs_new(n, d);
    if (!v) return LT_ENOMEM;
    const unsigned char *src = (const unsigned char *)buf + off;
    for (int64_t i = 0; i < n; i++) {
        float *row = lt_vecs_row(v, i);
        if (es == 4) memcpy(row, src + (size_t)i * d * 4, (size_t)d * 4);
        else if (es == 8)
            for (int64_t k = 0; k < d; k++) {
                double x;
                memcpy(&x, src + ((size_t)i * d + k) * 8, 8);
                row[k] = (float)x;
            }
        else
            for (int64_t k = 0; k < d; k++) {
                uint16_t x;
                memcpy(&x, src + ((size_t)i * d + k) * 2, 2);
                row[k] = lt_f16_to_f32(x);
            }
        if ((rc = lt_check_finite(row, d, name, off + (size_t)i * (size_t)d * es, i))) {
            lt_vecs_free(v);
            return rc;
        }
    }
    *out = v;
    return LT_OK;
}

/* a .npy version 1 header of an (n, d) C-order array of dtype descr, padded to 64 bytes */
static void npy_header_write(FILE *f, const char *descr, int64_t n, int64_t d) {
    char h[256];
    int len = snprintf(h, sizeof h,
            "{'descr': '%s', 'fortran_order': False, 'shape': (%lld, %lld), }", descr, (long long)n,
            (long long)d);
    int total = 10 + len + 1, pad = (64 - total % 64) % 64, hl = len + pad + 1;
    fwrite("\x93NUMPY\x01\x00", 1, 8, f);
    fputc(hl & 0xff, f);
    fputc(hl >> 8, f);
    fwrite(h, 1, (size_t)len, f);
    for (int i = 0; i < pad; i++) fputc(' ', f);
    fputc('\n', f);
}

int lt_npy_save_bytes(const char *path, const uint8_t *data, int64_t n, int64_t d, int is_signed) {
    lt_afile a;
    int rc = lt_afile_open(&a, path);
    if (rc) return rc;
    npy_header_write(a.f, is_signed ? "|i1" : "|u1", n, d);
    if (n > 0 && d > 0 && fwrite(data, 1, (size_t)(n * d), a.f) != (size_t)(n * d)) {
        lt_afile_abort(&a);
        return lt_err(LT_EIO, "%s: write failed", path);
    }
    return lt_afile_commit(&a);
}

static void npy_header(FILE *f, int64_t n, int64_t d, int labelled, char sep) {
    (void)labelled;
    (void)sep;
    npy_header_write(f, "<f4", n, d);
}

static int npy_rows(const lt_vecs *v, FILE *f, const lt_save_opts *o, int64_t first, char sep) {
    (void)o;
    (void)first;
    (void)sep;
    for (int64_t i = 0; i < v->n; i++) fwrite(lt_vecs_row(v, i), 4, (size_t)v->d, f);
    return ferror(f) ? lt_err(LT_EIO, "write error") : LT_OK;
}

const lt__format lt__fmt_npy = {
    .id = LT_FMT_NPY, .parse = parse_npy, .header = npy_header, .rows = npy_rows
};
