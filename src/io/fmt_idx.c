/* IDX (MNIST, Fashion-MNIST), read only. */
#include "latent/core.h"
#include "latent/kern.h"
#include "latent/io.h"
#include "store_impl.h"
#include <math.h>
#include <string.h>

/* IDX (LeCun's MNIST files): 0, 0, type, ndims; ndims big-endian u32 sizes; big-endian data.
 * Rows are the first dimension; the others flatten into the row (a 1-D file: one column). */
int lt_idx_header(const void *buf, size_t len, const char *name, int *type, int *es, int64_t *n,
        int64_t *d, size_t *off) {
    const unsigned char *u = buf;
    if (len < 4) return lt_err(LT_EFORMAT, "%s: offset 0: truncated IDX header", name);
    if (u[0] || u[1])
        return lt_err(LT_EFORMAT, "%s: offset 0: bad IDX magic (first two bytes must be 0)", name);
    int nd = u[3];
    switch (u[2]) {
    case 0x08:
    case 0x09: *es = 1; break;
    case 0x0B: *es = 2; break;
    case 0x0C:
    case 0x0D: *es = 4; break;
    case 0x0E: *es = 8; break;
    default: return lt_err(LT_EFORMAT, "%s: offset 2: unknown IDX data type 0x%02x", name, u[2]);
    }
    *type = u[2];
    if (nd < 1 || nd > 8)
        return lt_err(LT_EFORMAT, "%s: offset 3: IDX with %d dimensions", name, nd);
    if (len < 4 + 4 * (size_t)nd)
        return lt_err(LT_EFORMAT, "%s: offset 4: truncated IDX header", name);
    uint64_t nn = 0, dd = 1;
    for (int i = 0; i < nd; i++) {
        const unsigned char *p = u + 4 + 4 * i;
        uint64_t s = (uint64_t)p[0] << 24 | (uint64_t)p[1] << 16 | (uint64_t)p[2] << 8 | p[3];
        if (i == 0) nn = s;
        else {
            dd *= s;
            if (dd > (1u << 24))
                return lt_err(
                        LT_EFORMAT, "%s: offset %d: row size over 2^24 values", name, 4 + 4 * i);
        }
    }
    *off = 4 + 4 * (size_t)nd;
    if (dd == 0) return lt_err(LT_EFORMAT, "%s: offset 4: a dimension is 0", name);
    if (nn > (len - *off) / (size_t)*es / dd || (len - *off) != nn * dd * (uint64_t)*es)
        return lt_err(LT_EFORMAT,
                "%s: offset %zu: %zu data bytes, the header announces %llu x %llu values of %d bytes (truncated?)",
                name, *off, len - *off, (unsigned long long)nn, (unsigned long long)dd, *es);
    *n = (int64_t)nn;
    *d = (int64_t)dd;
    return LT_OK;
}

static int parse_idx(const unsigned char *u, size_t len, const char *name, lt_vecs **out) {
    *out = NULL;
    int type, es;
    int64_t n, d;
    size_t off;
    int rc = lt_idx_header(u, len, name, &type, &es, &n, &d, &off);
    if (rc) return rc;
    int nd = u[3];
    lt_vecs *v = lt_vecs_new((int64_t)n, (int64_t)d);
    if (!v) return LT_ENOMEM;
    if (nd >= 3) { /* the shape of a row (images: H x W [x C]), for the convolutional trainer */
        char shape[96] = "";
        for (int i = 1; i < nd; i++) {
            const unsigned char *p = u + 4 + 4 * i;
            size_t l = strlen(shape);
            snprintf(shape + l, sizeof shape - l, "%s%u", i > 1 ? "x" : "",
                    (unsigned)p[0] << 24 | (unsigned)p[1] << 16 | (unsigned)p[2] << 8 | p[3]);
        }
        if (lt_vecs_meta_set(v, "idx_shape", shape)) {
            lt_vecs_free(v);
            return LT_ENOMEM;
        }
    }
    const unsigned char *src = u + off;
    for (int64_t i = 0; i < n; i++) {
        float *row = lt_vecs_row(v, i);
        for (int64_t k = 0; k < d; k++, src += es) {
            uint64_t b = 0;
            for (int j = 0; j < es; j++) b = b << 8 | src[j];
            switch (type) {
            case 0x08: row[k] = (float)src[0]; break;
            case 0x09: row[k] = (float)(int8_t)src[0]; break;
            case 0x0B: row[k] = (float)(int16_t)(uint16_t)b; break;
            case 0x0C: row[k] = (float)(int32_t)(uint32_t)b; break;
            case 0x0D: {
                uint32_t x = (uint32_t)b;
                float f;
                memcpy(&f, &x, 4);
                row[k] = f;
                break;
            }
            default: {
                double f;
                memcpy(&f, &b, 8);
                row[k] = (float)f;
                break;
            }
            }
        }
        if (type >= 0x0D) {
            int rc = lt_check_finite(
                    row, (int64_t)d, name, off + (size_t)(i * d * (uint64_t)es), (int64_t)i);
            if (rc) {
                lt_vecs_free(v);
                return rc;
            }
        }
    }
    *out = v;
    return LT_OK;
}

/* Numeric CSV: a header line, then one row per line; the delimiter is the header's first
 * comma or tab. A first column headed "label", "id" or nothing holds the row labels; every
 * other field must be a finite number. Fields may be quoted ("" inside a quoted field is a
 * quote); blank lines are skipped; CRLF is accepted. */

static int parse(const char *buf, size_t len, const char *name, lt_vecs **out) {
    return parse_idx((const unsigned char *)buf, len, name, out);
}
const lt__format lt__fmt_idx = { .id = LT_FMT_IDX, .parse = parse };
