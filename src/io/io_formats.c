/* Readers and writers of the interchange formats, plus load/save dispatch and atomic
 * output files. Every reader works on an in-memory buffer (mmap'ed or inflated), so it
 * can be fuzzed directly and can name exact byte offsets in its messages. */
#include "latent/core.h"
#include "latent/kern.h"
#include "store_impl.h"
#include "latent/io.h"
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libdeflate.h>
#include <zlib.h>

/* ---------- number parsing ---------- */
static const double g_pow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                                 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* Parses a float at p (< end). Returns the end of the number, or NULL if none.
 * Fast exact path (Clinger): <= 19 significant digits, mantissa < 2^53, |exp| <= 22;
 * otherwise strtod on a bounded copy. */
static const char *parse_float(const char *p, const char *end, float *out) {
    const char *s = p;
    int neg = 0;
    if (p < end && (*p == '-' || *p == '+')) { neg = *p == '-'; p++; }
    uint64_t m = 0;
    int nd = 0, e10 = 0, any = 0;
    while (p < end && (unsigned)(*p - '0') < 10) {
        if (nd < 19) { m = m * 10 + (uint64_t)(*p - '0'); if (m) nd++; } else e10++;
        p++; any = 1;
    }
    if (p < end && *p == '.') {
        p++;
        while (p < end && (unsigned)(*p - '0') < 10) {
            if (nd < 19) { m = m * 10 + (uint64_t)(*p - '0'); if (m) nd++; e10--; }
            p++; any = 1;
        }
    }
    if (!any) goto slow;
    if (p < end && (*p == 'e' || *p == 'E')) {
        const char *q = p + 1;
        int eneg = 0, ev = 0, edig = 0;
        if (q < end && (*q == '-' || *q == '+')) { eneg = *q == '-'; q++; }
        while (q < end && (unsigned)(*q - '0') < 10) { if (ev < 100000) ev = ev * 10 + (*q - '0'); q++; edig = 1; }
        if (!edig) return NULL;
        e10 += eneg ? -ev : ev;
        p = q;
    }
    if (p < end && !(*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) return NULL;
    if (m < (1ULL << 53) && e10 >= -22 && e10 <= 22 && nd <= 19) {
        double v = (double)m;
        v = e10 < 0 ? v / g_pow10[-e10] : v * g_pow10[e10];
        *out = (float)(neg ? -v : v);
        return p;
    }
slow:;
    char tmp[128];
    size_t n = 0;
    p = s;
    while (p < end && n < sizeof tmp - 1 && !(*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) tmp[n++] = *p++;
    if (n == 0 || n == sizeof tmp - 1) return NULL;
    tmp[n] = 0;
    char *e;
    errno = 0;
    double v = strtod(tmp, &e);
    if (e != tmp + n) return NULL;
    *out = (float)v;
    return p;
}

/* Non-finite values are refused at every input boundary: a NaN would rank first in every
 * search and poison every mean. */
int lt_check_finite(const float *x, int64_t d, const char *name, size_t off, int64_t row) {
    for (int64_t k = 0; k < d; k++)
        if (!isfinite(x[k]))
            return lt_err(LT_EFORMAT, "%s: offset %zu: row %lld, value %lld is %s (latent refuses NaN and infinite values)", name, off,
                          (long long)row, (long long)k, isnan(x[k]) ? "NaN" : "infinite");
    return LT_OK;
}

static const char *skip_blank(const char *p, const char *end) {
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r')) p++;
    return p;
}

static int parse_header_line(const char *buf, const char *end, const char *name, int64_t *n, int64_t *d, const char **after) {
    const char *p = skip_blank(buf, end);
    char *e;
    char tmp[64];
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl) return lt_err(LT_EFORMAT, "%s: offset 0: missing header line \"count dim\"", name);
    size_t ln = (size_t)(nl - p);
    if (ln >= sizeof tmp) return lt_err(LT_EFORMAT, "%s: offset 0: header line is not \"count dim\"", name);
    memcpy(tmp, p, ln);
    tmp[ln] = 0;
    long long a = strtoll(tmp, &e, 10);
    if (e == tmp) return lt_err(LT_EFORMAT, "%s: offset 0: header line is not \"count dim\"", name);
    char *e2;
    long long b = strtoll(e, &e2, 10);
    if (e2 == e) return lt_err(LT_EFORMAT, "%s: offset 0: header line is not \"count dim\"", name);
    while (*e2 == ' ' || *e2 == '\t' || *e2 == '\r') e2++;
    if (*e2) return lt_err(LT_EFORMAT, "%s: offset 0: header line is not \"count dim\"", name);
    if (a < 0 || b <= 0 || b > (1 << 24)) return lt_err(LT_EFORMAT, "%s: offset 0: bad header: count %lld, dimension %lld", name, a, b);
    *n = a; *d = b; *after = nl + 1;
    return LT_OK;
}

/* Is the first line exactly two integers (a word2vec/fastText header)? */
static int has_header(const char *buf, size_t len) {
    const char *end = buf + len, *p = skip_blank(buf, end);
    int fields = 0;
    while (p < end && *p != '\n') {
        const char *q = p;
        while (q < end && (unsigned)(*q - '0') < 10) q++;
        if (q == p) return 0;
        fields++;
        p = skip_blank(q, end);
    }
    return fields == 2;
}

/* Set by lt_vecs_load while it parses a file mapping: the text parser then hands the pages
 * it has read back to the kernel as it goes (MADV_DONTNEED on a private, unwritten mapping
 * drops them; a later touch reads the file again), so a text file's peak memory is its
 * vectors, not its vectors plus the whole file. */
static _Thread_local int g_release_mapped;
enum { RELEASE_STEP = 32 << 20 };
static void release_behind(const char *buf, const char *p, const char **done) {
    if (!g_release_mapped || p - *done < RELEASE_STEP) return;
    long pg = sysconf(_SC_PAGESIZE);
    const char *upto = buf + (size_t)(p - buf) / (size_t)pg * (size_t)pg;
    if (upto > *done) { madvise((void *)*done, (size_t)(upto - *done), MADV_DONTNEED); *done = upto; }
}

int lt__parse_text(const char *buf, size_t len, int header, const char *name, lt_vecs **out) {
    *out = NULL;
    const char *released = buf;
    const char *end = buf + len, *p = buf;
    int64_t n = 0, d = 0;
    if (header < 0) header = has_header(buf, len);
    int rc;
    if (header) {
        if ((rc = parse_header_line(buf, end, name, &n, &d, &p))) return rc;
        /* each value takes at least two bytes: refuse headers the file cannot hold */
        if ((double)n * (double)(d + 1) * 2.0 > (double)(end - p) + 2.0)
            return lt_err(LT_EFORMAT, "%s: offset 0: header says %lld x %lld but the file has only %zu bytes (truncated?)", name, (long long)n, (long long)d, len);
    } else {
        /* GloVe: dimension from the first line, rows = non-empty lines */
        const char *q = buf;
        while (q < end && (*q == '\n' || *q == ' ' || *q == '\r')) q++;
        const char *nl = memchr(q, '\n', (size_t)(end - q));
        const char *le = nl ? nl : end;
        int64_t fields = 0;
        const char *r = skip_blank(q, le);
        while (r < le) { fields++; while (r < le && *r != ' ' && *r != '\t' && *r != '\r') r++; r = skip_blank(r, le); }
        if (fields < 2) return lt_err(LT_EFORMAT, "%s: offset %zu: expected \"label v1 ... vd\" on the first line", name, (size_t)(q - buf));
        d = fields - 1;
        if (d > (1 << 24)) return lt_err(LT_EFORMAT, "%s: offset %zu: %lld values on the first line (more than 2^24)", name, (size_t)(q - buf), (long long)d);
        for (const char *s = q; s < end;) {
            const char *e = memchr(s, '\n', (size_t)(end - s));
            const char *t = skip_blank(s, e ? e : end);
            if (t < (e ? e : end)) n++;
            if (!e) break;
            s = e + 1;
        }
        p = q;
        /* every row holds d values of at least two bytes: a file that cannot is refused before
         * n x d floats are allocated (a long first line over many short ones) */
        if ((double)n * (double)(d + 1) * 2.0 > (double)(end - p) + 2.0) {
            const char *nl2 = memchr(q, '\n', (size_t)(end - q));
            return lt_err(LT_EFORMAT, "%s: offset %zu: the first line has %lld values but the next line does not (not a vector file?)",
                          name, nl2 ? (size_t)(nl2 + 1 - buf) : len, (long long)d);
        }
    }
    lt_vecs *v = lt_vecs_new(n, d);
    if (!v) return LT_ENOMEM;
    if (n && (rc = lt__vecs_alloc_labels(v))) { lt_vecs_free(v); return rc; }
    for (int64_t i = 0; i < n; i++) {
        release_behind(buf, p, &released);
        while (p < end && (*p == '\n' || *p == ' ' || *p == '\t' || *p == '\r')) p++;
        if (p >= end) { rc = lt_err(LT_EFORMAT, "%s: offset %zu: file ends after %lld of %lld rows (truncated)", name, len, (long long)i, (long long)n); goto fail; }
        const char *ls = p;
        while (p < end && *p != ' ' && *p != '\t' && *p != '\n') p++;
        if (p >= end || *p == '\n') { rc = lt_err(LT_EFORMAT, "%s: offset %zu: row %lld has a label but no values", name, (size_t)(p - buf), (long long)i); goto fail; }
        size_t ll = (size_t)(p - ls);
        if (memchr(ls, 0, ll)) { rc = lt_err(LT_EFORMAT, "%s: offset %zu: row %lld: NUL byte in the label", name, (size_t)(ls - buf), (long long)i); goto fail; }
        char *lab = lt__vecs_arena_alloc(v, ll + 1);
        if (!lab) { rc = lt_err(LT_ENOMEM, "out of memory for labels"); goto fail; }
        memcpy(lab, ls, ll);
        lab[ll] = 0;
        v->labels[i] = lab;
        float *row = lt_vecs_row(v, i);
        for (int64_t k = 0; k < d; k++) {
            p = skip_blank(p, end);
            const char *q = (p < end && *p != '\n') ? parse_float(p, end, &row[k]) : NULL;
            if (q && (rc = lt_check_finite(&row[k], 1, name, (size_t)(p - buf), i))) goto fail;
            if (!q) {
                if (p >= end || *p == '\n')
                    rc = lt_err(LT_EFORMAT, "%s: offset %zu: row %lld ('%.40s') has %lld values, expected %lld", name, (size_t)(p - buf), (long long)i, lab, (long long)k, (long long)d);
                else
                    rc = lt_err(LT_EFORMAT, "%s: offset %zu: row %lld: value %lld is not a number", name, (size_t)(p - buf), (long long)i, (long long)k);
                goto fail;
            }
            p = q;
        }
        p = skip_blank(p, end);
        if (p < end && *p != '\n') { rc = lt_err(LT_EFORMAT, "%s: offset %zu: row %lld has more than %lld values", name, (size_t)(p - buf), (long long)i, (long long)d); goto fail; }
    }
    while (p < end && (*p == '\n' || *p == ' ' || *p == '\t' || *p == '\r')) p++;
    if (p < end) { rc = lt_err(LT_EFORMAT, "%s: offset %zu: more rows than the header's %lld", name, (size_t)(p - buf), (long long)n); goto fail; }
    *out = v;
    return LT_OK;
fail:
    lt_vecs_free(v);
    return rc;
}

int lt__parse_w2v_bin(const char *buf, size_t len, const char *name, lt_vecs **out) {
    *out = NULL;
    const char *end = buf + len, *p;
    int64_t n, d;
    int rc = parse_header_line(buf, end, name, &n, &d, &p);
    if (rc) return rc;
    if ((double)n * (double)(d * 4 + 2) > (double)(end - p))
        return lt_err(LT_EFORMAT, "%s: offset 0: header says %lld x %lld but the file has only %zu bytes (truncated?)", name, (long long)n, (long long)d, len);
    lt_vecs *v = lt_vecs_new(n, d);
    if (!v) return LT_ENOMEM;
    if (n && (rc = lt__vecs_alloc_labels(v))) { lt_vecs_free(v); return rc; }
    for (int64_t i = 0; i < n; i++) {
        while (p < end && (*p == '\n' || *p == ' ' || *p == '\r')) p++;
        const char *ls = p;
        while (p < end && *p != ' ') p++;
        if (p >= end) { rc = lt_err(LT_EFORMAT, "%s: offset %zu: file ends in row %lld of %lld (truncated)", name, (size_t)(ls - buf), (long long)i, (long long)n); goto fail; }
        size_t ll = (size_t)(p - ls);
        if (ll == 0 || memchr(ls, '\n', ll) || memchr(ls, 0, ll)) { rc = lt_err(LT_EFORMAT, "%s: offset %zu: row %lld: bad label (empty, or a newline or NUL in it)", name, (size_t)(ls - buf), (long long)i); goto fail; }
        char *lab = lt__vecs_arena_alloc(v, ll + 1);
        if (!lab) { rc = lt_err(LT_ENOMEM, "out of memory for labels"); goto fail; }
        memcpy(lab, ls, ll);
        lab[ll] = 0;
        v->labels[i] = lab;
        p++;
        if ((size_t)(end - p) < (size_t)d * 4) { rc = lt_err(LT_EFORMAT, "%s: offset %zu: row %lld ('%.40s') needs %lld bytes of floats, %zu left (truncated)", name, (size_t)(p - buf), (long long)i, lab, (long long)d * 4, (size_t)(end - p)); goto fail; }
        memcpy(lt_vecs_row(v, i), p, (size_t)d * 4); /* little-endian hosts only (x86-64, arm64) */
        if ((rc = lt_check_finite(lt_vecs_row(v, i), d, name, (size_t)(p - buf), i))) goto fail;
        p += d * 4;
    }
    while (p < end && (*p == '\n' || *p == ' ' || *p == '\r')) p++;
    if (p < end) { rc = lt_err(LT_EFORMAT, "%s: offset %zu: data after the header's %lld rows", name, (size_t)(p - buf), (long long)n); goto fail; }
    *out = v;
    return LT_OK;
fail:
    lt_vecs_free(v);
    return rc;
}

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
int lt_npy_header(const char *buf, size_t len, const char *name, int64_t *n_out, int64_t *d_out, int *es_out, size_t *off_out) {
    const unsigned char *u = (const unsigned char *)buf;
    if (len < 10 || memcmp(buf, "\x93NUMPY", 6)) return lt_err(LT_EFORMAT, "%s: offset 0: not a .npy file (bad magic)", name);
    size_t hl, ho;
    if (u[6] == 1) { hl = u[8] | (size_t)u[9] << 8; ho = 10; }
    else if (u[6] == 2 || u[6] == 3) {
        if (len < 12) return lt_err(LT_EFORMAT, "%s: offset 8: truncated header", name);
        hl = u[8] | (size_t)u[9] << 8 | (size_t)u[10] << 16 | (size_t)u[11] << 24; ho = 12;
    } else return lt_err(LT_EFORMAT, "%s: offset 6: unsupported .npy version %d", name, u[6]);
    if (hl > len - ho) return lt_err(LT_EFORMAT, "%s: offset %zu: header of %zu bytes is truncated", name, ho, hl);
    char h[4096];
    if (hl >= sizeof h) return lt_err(LT_EFORMAT, "%s: offset %zu: header too long", name, ho);
    memcpy(h, buf + ho, hl);
    h[hl] = 0;
    /* the header is a Python dict literal: each key's value is read right after its key and
     * colon (a later "False" elsewhere cannot stand in for fortran_order's value) */
    const char *ds = npy_value(h, "descr"), *fo = npy_value(h, "fortran_order"), *sh = npy_value(h, "shape");
    if (!ds || !fo || !sh) return lt_err(LT_EFORMAT, "%s: offset %zu: header lacks descr/fortran_order/shape", name, ho);
    int es;
    const char *q = ds;
    if (!strncmp(q, "'<f4'", 5) || !strncmp(q, "'|f4'", 5)) es = 4;
    else if (!strncmp(q, "'<f8'", 5)) es = 8;
    else if (!strncmp(q, "'<f2'", 5)) es = 2;
    else return lt_err(LT_EFORMAT, "%s: offset %zu: unsupported dtype %.6s (need little-endian f2/f4/f8)", name, ho, q);
    if (!strncmp(fo, "True", 4)) return lt_err(LT_EFORMAT, "%s: offset %zu: Fortran-order arrays are not supported (save with np.ascontiguousarray)", name, ho);
    if (strncmp(fo, "False", 5)) return lt_err(LT_EFORMAT, "%s: offset %zu: fortran_order must be True or False", name, ho);
    const char *lp = sh;
    if (*lp != '(') return lt_err(LT_EFORMAT, "%s: offset %zu: bad shape", name, ho);
    char *e;
    long long n = strtoll(lp + 1, &e, 10);
    while (*e == ' ') e++;
    if (*e != ',' || n < 0) return lt_err(LT_EFORMAT, "%s: offset %zu: shape must be (n, d)", name, ho);
    char *e2;
    long long d = strtoll(e + 1, &e2, 10);
    while (*e2 == ' ' || *e2 == ',') e2++;
    if (e2 == e + 1 || *e2 != ')' || d <= 0 || d > (1 << 24)) return lt_err(LT_EFORMAT, "%s: offset %zu: shape must be (n, d) with 0 < d <= 2^24", name, ho);
    *n_out = n; *d_out = d; *es_out = es; *off_out = ho + hl;
    return LT_OK;
}

/* .npy: magic, version, header dict with descr / fortran_order / shape. */
int lt__parse_npy(const char *buf, size_t len, const char *name, lt_vecs **out) {
    *out = NULL;
    int64_t n, d;
    int es;
    size_t off, need;
    int rc = lt_npy_header(buf, len, name, &n, &d, &es, &off);
    if (rc) return rc;
    if (!lt_mul_ok((size_t)n, (size_t)d * (size_t)es, &need) || need > len - off)
        return lt_err(LT_EFORMAT, "%s: offset %zu: shape (%lld, %lld) needs %zu bytes of data, %zu present (truncated)", name, off, (long long)n,
                      (long long)d, need, len - off);
    lt_vecs *v = lt_vecs_new(n, d);
    if (!v) return LT_ENOMEM;
    const unsigned char *src = (const unsigned char *)buf + off;
    for (int64_t i = 0; i < n; i++) {
        float *row = lt_vecs_row(v, i);
        if (es == 4) memcpy(row, src + (size_t)i * d * 4, (size_t)d * 4);
        else if (es == 8) for (int64_t k = 0; k < d; k++) { double x; memcpy(&x, src + ((size_t)i * d + k) * 8, 8); row[k] = (float)x; }
        else for (int64_t k = 0; k < d; k++) { uint16_t x; memcpy(&x, src + ((size_t)i * d + k) * 2, 2); row[k] = lt_f16_to_f32(x); }
        if ((rc = lt_check_finite(row, d, name, off + (size_t)i * (size_t)d * es, i))) { lt_vecs_free(v); return rc; }
    }
    *out = v;
    return LT_OK;
}

/* es: element size (4 float / 4 int / 1 byte); kind 0 float, 1 int32, 2 uint8 */
static int parse_xvecs(const char *buf, size_t len, const char *name, int kind, lt_vecs **out);
int lt__parse_fvecs(const char *buf, size_t len, const char *name, lt_vecs **out) { return parse_xvecs(buf, len, name, 0, out); }
static int parse_xvecs(const char *buf, size_t len, const char *name, int kind, lt_vecs **out) {
    *out = NULL;
    size_t es = kind == 2 ? 1 : 4;
    if (len == 0) return lt_err(LT_EFORMAT, "%s: offset 0: file is empty (no vectors)", name);
    if (len < 4) return lt_err(LT_EFORMAT, "%s: offset 0: truncated", name);
    int32_t d;
    memcpy(&d, buf, 4);
    if (d <= 0 || d > (1 << 24)) return lt_err(LT_EFORMAT, "%s: offset 0: bad dimension %d", name, d);
    size_t rs = 4 + (size_t)d * es;
    if (len % rs) return lt_err(LT_EFORMAT, "%s: offset %zu: file size %zu is not a multiple of the row size %zu (truncated?)", name, len / rs * rs, len, rs);
    int64_t n = (int64_t)(len / rs);
    lt_vecs *v = lt_vecs_new(n, d);
    if (!v) return LT_ENOMEM;
    for (int64_t i = 0; i < n; i++) {
        int32_t di;
        memcpy(&di, buf + (size_t)i * rs, 4);
        if (di != d) { lt_vecs_free(v); return lt_err(LT_EFORMAT, "%s: offset %zu: row %lld has dimension %d, expected %d", name, (size_t)i * rs, (long long)i, di, d); }
        const char *src = buf + (size_t)i * rs + 4;
        float *row = lt_vecs_row(v, i);
        if (kind == 0) memcpy(row, src, (size_t)d * 4);
        else if (kind == 1) for (int64_t k = 0; k < d; k++) { int32_t x; memcpy(&x, src + 4 * k, 4); row[k] = (float)x; }
        else for (int64_t k = 0; k < d; k++) row[k] = (float)(unsigned char)src[k];
        int rc = kind == 0 ? lt_check_finite(row, d, name, (size_t)i * rs + 4, i) : LT_OK;
        if (rc) { lt_vecs_free(v); return rc; }
    }
    *out = v;
    return LT_OK;
}

/* IDX (LeCun's MNIST files): 0, 0, type, ndims; ndims big-endian u32 sizes; big-endian data.
 * Rows are the first dimension; the others flatten into the row (a 1-D file: one column). */
static int parse_idx(const unsigned char *u, size_t len, const char *name, lt_vecs **out) {
    *out = NULL;
    if (len < 4) return lt_err(LT_EFORMAT, "%s: offset 0: truncated IDX header", name);
    if (u[0] || u[1]) return lt_err(LT_EFORMAT, "%s: offset 0: bad IDX magic (first two bytes must be 0)", name);
    int type = u[2], nd = u[3], es;
    switch (type) {
    case 0x08: case 0x09: es = 1; break;
    case 0x0B: es = 2; break;
    case 0x0C: case 0x0D: es = 4; break;
    case 0x0E: es = 8; break;
    default: return lt_err(LT_EFORMAT, "%s: offset 2: unknown IDX data type 0x%02x", name, type);
    }
    if (nd < 1 || nd > 8) return lt_err(LT_EFORMAT, "%s: offset 3: IDX with %d dimensions", name, nd);
    if (len < 4 + 4 * (size_t)nd) return lt_err(LT_EFORMAT, "%s: offset 4: truncated IDX header", name);
    uint64_t n = 0, d = 1;
    for (int i = 0; i < nd; i++) {
        const unsigned char *p = u + 4 + 4 * i;
        uint64_t s = (uint64_t)p[0] << 24 | (uint64_t)p[1] << 16 | (uint64_t)p[2] << 8 | p[3];
        if (i == 0) n = s;
        else { d *= s; if (d > (1u << 24)) return lt_err(LT_EFORMAT, "%s: offset %d: row size over 2^24 values", name, 4 + 4 * i); }
    }
    size_t off = 4 + 4 * (size_t)nd;
    if (d == 0) return lt_err(LT_EFORMAT, "%s: offset 4: a dimension is 0", name);
    if (n > (len - off) / es / d || (len - off) != n * d * (uint64_t)es)
        return lt_err(LT_EFORMAT, "%s: offset %zu: %zu data bytes, the header announces %llu x %llu values of %d bytes (truncated?)", name, off,
                      len - off, (unsigned long long)n, (unsigned long long)d, es);
    lt_vecs *v = lt_vecs_new((int64_t)n, (int64_t)d);
    if (!v) return LT_ENOMEM;
    if (nd >= 3) {   /* the shape of a row (images: H x W [x C]), for the convolutional trainer */
        char shape[96] = "";
        for (int i = 1; i < nd; i++) {
            const unsigned char *p = u + 4 + 4 * i;
            size_t l = strlen(shape);
            snprintf(shape + l, sizeof shape - l, "%s%u", i > 1 ? "x" : "", (unsigned)p[0] << 24 | (unsigned)p[1] << 16 | (unsigned)p[2] << 8 | p[3]);
        }
        if (lt_vecs_meta_set(v, "idx_shape", shape)) { lt_vecs_free(v); return LT_ENOMEM; }
    }
    const unsigned char *src = u + off;
    for (uint64_t i = 0; i < n; i++) {
        float *row = lt_vecs_row(v, (int64_t)i);
        for (uint64_t k = 0; k < d; k++, src += es) {
            uint64_t b = 0;
            for (int j = 0; j < es; j++) b = b << 8 | src[j];
            switch (type) {
            case 0x08: row[k] = (float)src[0]; break;
            case 0x09: row[k] = (float)(int8_t)src[0]; break;
            case 0x0B: row[k] = (float)(int16_t)(uint16_t)b; break;
            case 0x0C: row[k] = (float)(int32_t)(uint32_t)b; break;
            case 0x0D: { uint32_t x = (uint32_t)b; float f; memcpy(&f, &x, 4); row[k] = f; break; }
            default: { double f; memcpy(&f, &b, 8); row[k] = (float)f; break; }
            }
        }
        if (type >= 0x0D) {
            int rc = lt_check_finite(row, (int64_t)d, name, off + (size_t)(i * d * (uint64_t)es), (int64_t)i);
            if (rc) { lt_vecs_free(v); return rc; }
        }
    }
    *out = v;
    return LT_OK;
}

/* Numeric CSV: a header line, then one row per line; the delimiter is the header's first
 * comma or tab. A first column headed "label", "id" or nothing holds the row labels; every
 * other field must be a finite number. Fields may be quoted ("" inside a quoted field is a
 * quote); blank lines are skipped; CRLF is accepted. */
static const char *csv_field(const char *p, const char *end, char delim, const char **fb, const char **fe, int *quoted) {
    while (p < end && *p == ' ') p++;
    *quoted = 0;
    if (p < end && *p == '"') {
        *quoted = 1;
        *fb = ++p;
        while (p < end && !(*p == '"' && (p + 1 >= end || p[1] != '"'))) p += *p == '"' ? 2 : 1;
        *fe = p;
        if (p < end) p++;
        while (p < end && *p == ' ') p++;
        return p;
    }
    *fb = p;
    while (p < end && *p != delim && *p != '\n' && *p != '\r') p++;
    *fe = p;
    while (*fe > *fb && (*fe)[-1] == ' ') (*fe)--;
    return p;
}
static const char *csv_eol(const char *p, const char *end) {
    if (p < end && *p == '\r') p++;
    return p;
}
static int parse_csv(const char *buf, size_t len, const char *name, lt_vecs **out) {
    *out = NULL;
    const char *p = buf, *end = buf + len, *fb, *fe;
    if (!len) return lt_err(LT_EFORMAT, "%s: offset 0: file is empty (a CSV header line is expected)", name);
    const char *nl = memchr(buf, '\n', len), *hend = nl ? nl : end;
    const char *c = memchr(buf, ',', (size_t)(hend - buf));
    char delim = c ? ',' : memchr(buf, '\t', (size_t)(hend - buf)) ? '\t' : ',';
    int64_t cols = 0, lab = 0;
    while (1) {
        int q;
        p = csv_field(p, end, delim, &fb, &fe, &q);
        if (cols == 0) {
            size_t k = (size_t)(fe - fb);
            lab = k == 0 || (k == 5 && !strncasecmp(fb, "label", 5)) || (k == 2 && !strncasecmp(fb, "id", 2));
        }
        cols++;
        p = csv_eol(p, end);
        if (p < end && *p == delim) { p++; continue; }
        if (p < end && *p != '\n') return lt_err(LT_EFORMAT, "%s: line 1, offset %zu: unexpected character in the header", name, (size_t)(p - buf));
        if (p < end) p++;
        break;
    }
    int64_t d = cols - lab, n = 0;
    if (d < 1) return lt_err(LT_EFORMAT, "%s: line 1: no numeric columns in the header", name);
    for (const char *r = p; r < end;) {
        const char *e = memchr(r, '\n', (size_t)(end - r));
        const char *le = e ? e : end;
        int blank = 1;
        for (const char *x = r; x < le; x++) if (*x != ' ' && *x != '\r') { blank = 0; break; }
        n += !blank;
        r = e ? e + 1 : end;
    }
    if (!n) return lt_err(LT_EFORMAT, "%s: no rows after the header", name);
    lt_vecs *v = lt_vecs_new(n, d);
    if (!v) return LT_ENOMEM;
    int64_t line = 1, i = 0;
    char lbuf[4096];
    while (p < end) {
        line++;
        const char *e = memchr(p, '\n', (size_t)(end - p)), *le = e ? e : end, *x = p;
        while (x < le && (*x == ' ' || *x == '\r')) x++;
        if (x == le) { p = e ? e + 1 : end; continue; }
        float *row = lt_vecs_row(v, i);
        int64_t col = 0;
        while (1) {
            int q;
            const char *fs = p;
            p = csv_field(p, le, delim, &fb, &fe, &q);
            if (col >= cols) { lt_vecs_free(v); return lt_err(LT_EFORMAT, "%s: line %lld, offset %zu: more than the header's %lld fields", name, (long long)line, (size_t)(fs - buf), (long long)cols); }
            if (col < lab) {
                size_t k = 0;
                for (const char *y = fb; y < fe && k + 1 < sizeof lbuf; y += (q && *y == '"') ? 2 : 1) lbuf[k++] = *y;
                lbuf[k] = 0;
                if (lt_vecs_set_label(v, i, lbuf)) { lt_vecs_free(v); return LT_ENOMEM; }
            } else {
                const char *y = fb < fe ? parse_float(fb, fe, &row[col - lab]) : NULL;
                if (!y || y != fe) { lt_vecs_free(v); return lt_err(LT_EFORMAT, "%s: line %lld, offset %zu: column %lld is not a number", name, (long long)line, (size_t)(fb - buf), (long long)col + 1); }
            }
            col++;
            p = csv_eol(p, le);
            if (p < le && *p == delim) { p++; continue; }
            if (p < le) { lt_vecs_free(v); return lt_err(LT_EFORMAT, "%s: line %lld, offset %zu: unexpected character after a field", name, (long long)line, (size_t)(p - buf)); }
            break;
        }
        if (col != cols) { lt_vecs_free(v); return lt_err(LT_EFORMAT, "%s: line %lld, offset %zu: %lld fields, the header has %lld", name, (long long)line, (size_t)(le - buf), (long long)col, (long long)cols); }
        int rc = lt_check_finite(row, d, name, (size_t)(x - buf), i);
        if (rc) { lt_vecs_free(v); return rc; }
        i++;
        p = e ? e + 1 : end;
    }
    *out = v;
    return LT_OK;
}

int lt_vecs_parse(const void *buf, size_t len, lt_format fmt, const char *name, lt_vecs **out) {
    switch (fmt) {
    case LT_FMT_NATIVE: return lt__parse_native(buf, len, name, 0, out);
    case LT_FMT_W2V_TXT: case LT_FMT_VEC: return lt__parse_text(buf, len, -1, name, out);
    case LT_FMT_GLOVE: return lt__parse_text(buf, len, 0, name, out);
    case LT_FMT_W2V_BIN: return lt__parse_w2v_bin(buf, len, name, out);
    case LT_FMT_NPY: return lt__parse_npy(buf, len, name, out);
    case LT_FMT_FVECS: return lt__parse_fvecs(buf, len, name, out);
    case LT_FMT_IVECS: return parse_xvecs(buf, len, name, 1, out);
    case LT_FMT_BVECS: return parse_xvecs(buf, len, name, 2, out);
    case LT_FMT_IDX: return parse_idx(buf, len, name, out);
    case LT_FMT_CSV: return parse_csv(buf, len, name, out);
    case LT_FMT_FASTTEXT: return lt__parse_fasttext(buf, len, name, out);
    default: *out = NULL; return lt_err(LT_EINVAL, "%s: unknown vector format (use --format)", name);
    }
}

/* ---------- writers ---------- */
/* Every format but the native one is a header and then rows, so whole stores (lt_vecs_save)
 * and streamed blocks (lt_vecs_writer) share one writer of each part. */
/* a .npy version 1 header of an (n, d) C-order array of dtype descr, padded to 64 bytes */
static void npy_header_write(FILE *f, const char *descr, int64_t n, int64_t d) {
    char h[256];
    int len = snprintf(h, sizeof h, "{'descr': '%s', 'fortran_order': False, 'shape': (%lld, %lld), }", descr, (long long)n, (long long)d);
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
    if (n > 0 && d > 0 && fwrite(data, 1, (size_t)(n * d), a.f) != (size_t)(n * d)) { lt_afile_abort(&a); return lt_err(LT_EIO, "%s: write failed", path); }
    return lt_afile_commit(&a);
}

/* a CSV file's separator: a tab for a .tsv name, else a comma */
static char csv_sep(const char *path) {
    size_t l = strlen(path);
    if (l > 3 && !strcmp(path + l - 3, ".gz")) l -= 3;
    return l > 4 && !strncmp(path + l - 4, ".tsv", 4) ? '\t' : ',';
}

static void write_header(FILE *f, lt_format fmt, int64_t n, int64_t d, int labelled, char sep) {
    switch (fmt) {
    case LT_FMT_W2V_TXT: case LT_FMT_VEC: case LT_FMT_W2V_BIN: fprintf(f, "%lld %lld\n", (long long)n, (long long)d); break;
    case LT_FMT_NPY: npy_header_write(f, "<f4", n, d); break;
    case LT_FMT_CSV:   /* label, c1 .. cd */
        if (labelled) fprintf(f, "label%c", sep);
        for (int64_t k = 0; k < d; k++) fprintf(f, "c%lld%c", (long long)k + 1, k + 1 < d ? sep : '\n');
        break;
    default: break;   /* GloVe text and fvecs have none */
    }
}

/* The rows of v; `first` is the row number of v's first row in the file (unlabelled rows of
 * text formats are labelled with it). */
static int write_rows(const lt_vecs *v, FILE *f, lt_format fmt, const lt_save_opts *o, int64_t first, char sep) {
    int precision = o->precision <= 0 || o->precision > 17 ? 9 : o->precision, text = fmt != LT_FMT_NPY && fmt != LT_FMT_FVECS && fmt != LT_FMT_CSV;
    int32_t d32 = (int32_t)v->d;
    for (int64_t i = 0; i < v->n; i++) {
        const float *r = lt_vecs_row(v, i);
        if (text) {   /* word2vec text / binary, GloVe, .vec: "label v1 .. vd" */
            if (v->labels && strpbrk(v->labels[i], " \t\n\r"))
                return lt_err(LT_EINVAL, "label of row %lld contains whitespace; %s cannot hold it", (long long)(first + i),
                              fmt == LT_FMT_W2V_BIN ? "word2vec binary" : "text formats");
            if (v->labels) fputs(v->labels[i][0] ? v->labels[i] : "<empty>", f);
            else fprintf(f, "%lld", (long long)(first + i));
            if (fmt == LT_FMT_W2V_BIN) {
                fputc(' ', f);
                fwrite(r, 4, (size_t)v->d, f);
                if (o->bin_newline) fputc('\n', f);
                continue;
            }
            for (int64_t k = 0; k < v->d; k++) fprintf(f, " %.*g", precision, r[k]);
            fputc('\n', f);
        } else if (fmt == LT_FMT_CSV) {   /* labels quoted when they hold the separator, a quote or a line break */
            if (v->labels) {
                const char *l = v->labels[i];
                char need[5] = {sep, '"', '\n', '\r', 0};
                if (strpbrk(l, need) || l[0] == ' ') {
                    fputc('"', f);
                    for (; *l; l++) { if (*l == '"') fputc('"', f); fputc(*l, f); }
                    fprintf(f, "\"%c", sep);
                } else fprintf(f, "%s%c", l, sep);
            }
            for (int64_t k = 0; k < v->d; k++) fprintf(f, "%.*g%c", precision, r[k], k + 1 < v->d ? sep : '\n');
        } else {
            if (fmt == LT_FMT_FVECS) fwrite(&d32, 4, 1, f);
            fwrite(r, 4, (size_t)v->d, f);
        }
    }
    return ferror(f) ? lt_err(LT_EIO, "write error") : LT_OK;
}

static int streamable(lt_format fmt) {
    return fmt == LT_FMT_W2V_TXT || fmt == LT_FMT_VEC || fmt == LT_FMT_GLOVE || fmt == LT_FMT_W2V_BIN || fmt == LT_FMT_NPY ||
           fmt == LT_FMT_FVECS || fmt == LT_FMT_CSV;
}

/* ---------- load / save ---------- */
void lt_release_whole(void *buf, size_t map_len) {
    if (map_len) munmap(buf, map_len);
    else lt_free(buf);
}

/* Inflates (or copies: zlib reads non-gzip data as is) a whole stream. A gzip stream cut
 * short is an error, never a silently shorter input. `size_hint` sizes the first buffer. */
static int read_stream(int fd, const char *path, size_t size_hint, char **buf, size_t *len) {
    gzFile g = gzdopen(fd, "rb");
    if (!g) { close(fd); return lt_err(LT_EIO, "%s: cannot open gzip stream", path); }
    size_t cap = size_hint + 65536, n = 0;
    char *b = lt_malloc(cap);
    if (!b) { gzclose(g); return lt_err(LT_ENOMEM, "%s: out of memory", path); }
    int rc = LT_OK;
    for (;;) {
        if (cap - n < 65536) {
            char *nb = cap > SIZE_MAX / 2 ? NULL : lt_realloc(b, cap * 2);
            if (!nb) { rc = lt_err(LT_ENOMEM, "%s: out of memory", path); break; }
            b = nb; cap *= 2;
        }
        int r = gzread(g, b + n, (unsigned)((cap - n) > (1u << 30) ? (1u << 30) : (cap - n)));
        int ze = Z_OK;
        const char *zm = gzerror(g, &ze);
        if (r < 0 || (ze != Z_OK && ze != Z_STREAM_END)) {
            rc = lt_err(LT_EFORMAT, "%s: offset %zu (uncompressed): gzip error: %s", path, n + (r > 0 ? (size_t)r : 0), zm);
            break;
        }
        if (r == 0) break;
        n += (size_t)r;
    }
    gzclose(g);
    if (rc) { lt_free(b); return rc; }
    *buf = b; *len = n;
    return LT_OK;
}

/* A whole gzip file (one member or several, as zlib's gzread reads them: what follows the
 * last member and is not gzip is ignored) by libdeflate, which inflates a whole buffer about
 * 3.5x faster than zlib's stream (Fashion-MNIST's 26 MB of images: 0.07 s against 0.27 s).
 * The output starts at the last member's ISIZE (exact for one member under 4 GiB) and doubles
 * when a member does not fit. Damaged or truncated data is an error at its member's offset. */
int lt__gunzip(const unsigned char *in, size_t size, const char *path, char **buf, size_t *len) {
    *buf = NULL; *len = 0;
    uint32_t isz = size >= 18 ? (uint32_t)in[size - 4] | (uint32_t)in[size - 3] << 8 | (uint32_t)in[size - 2] << 16 | (uint32_t)in[size - 1] << 24 : 0;
    /* the trailer is a claim, not a fact: deflate expands at most 1032x, so a larger ISIZE is
     * not believed (a 20-byte file must not make us allocate 2 GB) */
    size_t most = size <= SIZE_MAX / 1032 ? size * 1032 : SIZE_MAX - 1;
    size_t cap = ((size_t)isz < most ? (size_t)isz : most) + 1, n = 0, pos = 0;
    if (cap < size + 1) cap = size + 1;
    char *b = lt_malloc(cap);
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    int rc = b && d ? LT_OK : lt_err(LT_ENOMEM, "%s: out of memory", path);
    while (rc == LT_OK && pos + 2 <= size && in[pos] == 0x1f && in[pos + 1] == 0x8b) {
        size_t used = 0, got = 0;
        enum libdeflate_result r = libdeflate_gzip_decompress_ex(d, in + pos, size - pos, b + n, cap - n, &used, &got);
        if (r == LIBDEFLATE_INSUFFICIENT_SPACE) {   /* this member again, into twice the room */
            char *nb = cap > SIZE_MAX / 2 ? NULL : lt_realloc(b, cap * 2);
            if (!nb) rc = lt_err(LT_ENOMEM, "%s: out of memory", path);
            else { b = nb; cap *= 2; }
            continue;
        }
        if (r != LIBDEFLATE_SUCCESS) {
            rc = lt_err(LT_EFORMAT, "%s: offset %zu: gzip error: truncated or damaged data in the member starting here", path, pos);
            break;
        }
        pos += used; n += got;
    }
    if (rc == LT_OK && pos == 0) rc = lt_err(LT_EFORMAT, "%s: offset 0: gzip error: no complete gzip member", path);
    if (d) libdeflate_free_decompressor(d);
    if (rc) { lt_free(b); return rc; }
    *buf = b; *len = n;
    return LT_OK;
}

static int read_gzip_file(int fd, const char *path, size_t size, char **buf, size_t *len) {
    const unsigned char *in = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (in == MAP_FAILED) return lt_err(LT_EIO, "%s: cannot map: %s", path, strerror(errno));
    madvise((void *)in, size, MADV_SEQUENTIAL);
    int rc = lt__gunzip(in, size, path, buf, len);
    munmap((void *)in, size);
    return rc;
}

int lt_read_whole(const char *path, char **buf, size_t *len, size_t *map_len) {
    *buf = NULL; *len = 0; *map_len = 0;
    if (!strcmp(path, "-")) {   /* standard input, plain or gzip */
        int fd = dup(0);
        if (fd < 0) return lt_err(LT_EIO, "<stdin>: cannot read: %s", strerror(errno));
        return read_stream(fd, "<stdin>", 1 << 20, buf, len);
    }
    int fd = open(path, O_RDONLY);
    if (fd < 0) return lt_err(LT_EIO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) { close(fd); return lt_err(LT_EIO, "%s: cannot stat: %s", path, strerror(errno)); }
    if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) return read_stream(fd, path, 1 << 20, buf, len);
    if (!S_ISREG(st.st_mode)) { close(fd); return lt_err(LT_EIO, "%s: not a regular file", path); }
    unsigned char mg[2] = {0, 0};
    if (pread(fd, mg, 2, 0) == 2 && mg[0] == 0x1f && mg[1] == 0x8b) return read_gzip_file(fd, path, (size_t)st.st_size, buf, len);
    if (st.st_size == 0) { close(fd); *buf = NULL; *len = 0; return LT_OK; }
    void *m = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    close(fd);
    if (m == MAP_FAILED) return lt_err(LT_EIO, "%s: cannot map: %s", path, strerror(errno));
    madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
    *buf = m; *len = (size_t)st.st_size; *map_len = (size_t)st.st_size;
    return LT_OK;
}

/* Files people have that are not vector files latent reads: named, with what to do. */
static int foreign_kind(const char *buf, size_t len, const char *path) {
    const unsigned char *u = (const unsigned char *)buf;
    if (len >= 4 && !memcmp(buf, "PK\x03\x04", 4))
        return lt_err(LT_EFORMAT, "%s: offset 0: this is a zip archive (NumPy .npz?); save the array as .npy: "
                      "python3 -c \"import numpy as np; np.save('x.npy', np.load('FILE.npz')['arr_0'])\"", path);
    if (len >= 2 && u[0] == 0x80 && u[1] >= 2 && u[1] <= 5)
        return lt_err(LT_EFORMAT, "%s: offset 0: this is a Python pickle (a gensim .kv/.model file?); latent does not run "
                      "pickles: save the vectors with gensim's kv.save_word2vec_format('vecs.bin', binary=True)", path);
    if (len >= 8 && !memcmp(buf, "LTHNSW", 6))
        return lt_err(LT_EFORMAT, "%s: offset 0: this is a latent HNSW index, not a vector file (use latent search or "
                      "latent index info)", path);
    return LT_OK;
}

static void npy_labels_path(const char *path, char *out, size_t n) {
    snprintf(out, n, "%s", path);
    size_t l = strlen(out);
    if (l > 4 && !strcmp(out + l - 4, ".npy")) out[l - 4] = 0;
    strncat(out, ".labels.txt", n - strlen(out) - 1);
}

int lt__parse_labels(lt_vecs *v, const char *buf, size_t len, const char *path) {
    int rc;
    if ((rc = lt__vecs_alloc_labels(v))) return rc;
    int64_t i = 0;
    size_t p = 0;
    while (p < len && i < v->n) {
        const char *nl = memchr(buf + p, '\n', len - p);
        size_t e = nl ? (size_t)(nl - buf) : len, l = e - p;
        if (l && buf[p + l - 1] == '\r') l--;
        if (memchr(buf + p, 0, l)) return lt_err(LT_EFORMAT, "%s: offset %zu: NUL byte in label %lld", path, p, (long long)i + 1);
        char *lab = lt__vecs_arena_alloc(v, l + 1);
        if (!lab) return lt_err(LT_ENOMEM, "out of memory");
        memcpy(lab, buf + p, l);
        lab[l] = 0;
        v->labels[i++] = lab;
        p = e + 1;
    }
    if (i != v->n || p < len) return lt_err(LT_EFORMAT, "%s: has %s labels than the %lld rows", path, i < v->n ? "fewer" : "more", (long long)v->n);
    return LT_OK;
}

int lt__read_labels_file(lt_vecs *v, const char *path) {
    char *buf; size_t len, ml;
    int rc = lt_read_whole(path, &buf, &len, &ml);
    if (rc) return rc;
    rc = lt__parse_labels(v, buf, len, path);
    lt_release_whole(buf, ml);
    return rc;
}

/* The binding of an .npy to its labels sidecar: after the array's data, 24 bytes "LTLABELS",
 * the sidecar's size and its FNV-1a hash (u64 little-endian each). NumPy reads the array and
 * ignores what follows it; latent refuses a sidecar whose size or hash differ, so a pair torn
 * by a kill between the two renames, or mixed up by hand, never loads. */
typedef struct { uint64_t bytes, hash; } label_digest;
#define LABELS_TRAILER "LTLABELS"
static void digest_put(label_digest *g, const char *s, size_t n) {
    g->hash = lt_hash64(s, n, g->hash);
    g->bytes += n;
}

/* n labels one per line, the first being row `first`'s (whole sidecars and streamed blocks);
 * g (optional) accumulates their digest */
static int put_label_lines(FILE *f, char *const *labels, int64_t n, int64_t first, label_digest *g) {
    for (int64_t i = 0; i < n; i++) {
        if (strchr(labels[i], '\n')) return lt_err(LT_EINVAL, "label of row %lld holds a newline", (long long)(first + i));
        fputs(labels[i], f);
        fputc('\n', f);
        if (g) { digest_put(g, labels[i], strlen(labels[i])); digest_put(g, "\n", 1); }
    }
    return LT_OK;
}

static int put_labels_trailer(FILE *f, const label_digest *g) {
    unsigned char t[24];
    memcpy(t, LABELS_TRAILER, 8);
    for (int i = 0; i < 8; i++) { t[8 + i] = (unsigned char)(g->bytes >> (8 * i)); t[16 + i] = (unsigned char)(g->hash >> (8 * i)); }
    return fwrite(t, 1, 24, f) == 24 ? LT_OK : lt_err(LT_EIO, "writing the labels binding failed");
}

/* After an .npy was parsed from buf: its sidecar lp (when present) must match the binding the
 * file carries (when it carries one); a bound file whose sidecar is gone is refused too. */
static int check_labels_binding(const char *buf, size_t len, const char *path, const char *lp, int have_lp) {
    int64_t n, d;
    int es;
    size_t off;
    if (lt_npy_header(buf, len, path, &n, &d, &es, &off)) { lt_clear_error(); return LT_OK; }
    size_t end = off + (size_t)n * (size_t)d * (size_t)es;
    if (len - end != 24 || memcmp(buf + end, LABELS_TRAILER, 8)) return LT_OK;   /* not bound (NumPy's own .npy) */
    label_digest want = {0, 0}, got = {0, LT_HASH_INIT};
    for (int i = 0; i < 8; i++) {
        want.bytes |= (uint64_t)(unsigned char)buf[end + 8 + i] << (8 * i);
        want.hash |= (uint64_t)(unsigned char)buf[end + 16 + i] << (8 * i);
    }
    if (!have_lp) return lt_err(LT_EFORMAT, "%s: was written with its labels in %s, which is missing", path, lp);
    char *lb; size_t ll, ml;
    int rc = lt_read_whole(lp, &lb, &ll, &ml);
    if (rc) return rc;
    digest_put(&got, lb, ll);
    lt_release_whole(lb, ml);
    if (got.bytes != want.bytes || got.hash != want.hash)
        return lt_err(LT_EFORMAT, "%s: does not belong to %s (they come from different writes: an interrupted save, or files "
                      "mixed up); write both again", lp, path);
    return LT_OK;
}

/* an .npy written without labels removes a sidecar left from an earlier file */
static int drop_stale_labels(const char *lp) {
    return unlink(lp) != 0 && errno != ENOENT ? lt_err(LT_EIO, "%s: cannot remove the stale labels file: %s", lp, strerror(errno)) : LT_OK;
}

int lt__write_labels_file(const lt_vecs *v, const char *path) {
    lt_afile a;
    int rc = lt_afile_open(&a, path);
    if (rc) return rc;
    if ((rc = put_label_lines(a.f, v->labels, v->n, 0, NULL))) { lt_afile_abort(&a); return rc; }
    return lt_afile_commit(&a);
}

static int vecs_load_impl(const char *path, lt_format fmt, lt_vecs **out) {
    *out = NULL;
    if (fmt == LT_FMT_AUTO) fmt = lt_format_from_path(path);
    char *buf; size_t len, ml;
    int rc = lt_read_whole(path, &buf, &len, &ml);
    if (rc) return rc;
    const unsigned char *u = (const unsigned char *)buf;
    if (len >= 4 && u[0] == 0xBA && u[1] == 0x16 && u[2] == 0x4F && u[3] == 0x2F && fmt != LT_FMT_NATIVE && fmt != LT_FMT_NPY) fmt = LT_FMT_FASTTEXT;
    if ((fmt == LT_FMT_W2V_BIN || fmt == LT_FMT_AUTO) && lt__fasttext_legacy(buf, len)) fmt = LT_FMT_FASTTEXT;   /* no magic: fastText before 2017 */
    if (fmt != LT_FMT_NATIVE && fmt != LT_FMT_NPY && fmt != LT_FMT_FASTTEXT && (rc = foreign_kind(buf, len, path))) goto done;
    if (fmt == LT_FMT_AUTO) {
        /* sniff: native magic, npy magic, else text with or without header */
        if (len >= 8 && !memcmp(buf, "LTNTVECS", 8)) fmt = LT_FMT_NATIVE;
        else if (len >= 6 && !memcmp(buf, "\x93NUMPY", 6)) fmt = LT_FMT_NPY;
        else fmt = LT_FMT_W2V_TXT;
    }
    if (len == 0) { rc = lt_err(LT_EFORMAT, "%s: offset 0: file is empty", path); goto done; }
    if (fmt == LT_FMT_NATIVE && ml) {
        rc = lt__parse_native(buf, len, path, 1, out);
        if (rc == LT_OK && (*out)->in->data_owned == 0) { (*out)->in->map = buf; (*out)->in->map_len = ml; return LT_OK; }
        goto done;
    }
    g_release_mapped = ml != 0;
    rc = lt_vecs_parse(buf, len, fmt, path, out);
    g_release_mapped = 0;
    if (rc == LT_OK && fmt == LT_FMT_NPY) {
        char lp[4096];
        npy_labels_path(path, lp, sizeof lp);
        int have = access(lp, F_OK) == 0;
        if ((rc = check_labels_binding(buf, len, path, lp, have)) || (have && (rc = lt__read_labels_file(*out, lp)))) {
            lt_vecs_free(*out);
            *out = NULL;
        }
    }
done:
    lt_release_whole(buf, ml);
    return rc;
}

int lt_vecs_load(const char *path, lt_format fmt, lt_vecs **out) { return lt_err_in(vecs_load_impl(path, fmt, out), path); }

int lt_vecs_save(const lt_vecs *v, const char *path, lt_format fmt, const lt_save_opts *opts) {
    lt_save_opts def;
    if (!opts) { lt_save_opts_init(&def); opts = &def; }
    if (fmt == LT_FMT_AUTO) fmt = lt_format_from_path(path);
    if (fmt == LT_FMT_AUTO) return lt_err(LT_EINVAL, "%s: cannot tell the format from the name; use --format", path);
    /* .npy + labels: the sidecar is written first and the .npy, bound to it by its size and
     * hash after the data, renamed last; a store without labels removes a sidecar left from
     * an earlier file, so a stale labels file never attaches to new vectors */
    char lp[4096] = "";
    int rc;
    if (fmt == LT_FMT_NPY && strcmp(path, "-")) {
        npy_labels_path(path, lp, sizeof lp);
        if (v->labels) { if ((rc = lt__write_labels_file(v, lp))) return rc; }
        else if ((rc = drop_stale_labels(lp))) return rc;
    }
    lt_afile a;
    rc = lt_afile_open(&a, path);
    if (rc) return rc;
    if (fmt == LT_FMT_NATIVE) rc = lt__write_native(v, a.f, opts->f16);
    else if (streamable(fmt)) {
        write_header(a.f, fmt, v->n, v->d, v->labels != NULL, csv_sep(path));
        rc = write_rows(v, a.f, fmt, opts, 0, csv_sep(path));
        if (rc == LT_OK && lp[0] && v->labels) {
            label_digest g = {0, LT_HASH_INIT};
            for (int64_t i = 0; i < v->n; i++) { digest_put(&g, v->labels[i], strlen(v->labels[i])); digest_put(&g, "\n", 1); }
            rc = put_labels_trailer(a.f, &g);
        }
    }
    else rc = lt_err(LT_EINVAL, "%s: cannot write this format", path);
    if (rc) { lt_afile_abort(&a); return rc; }
    return lt_afile_commit(&a);
}

/* ---------- streamed writes ---------- */
struct lt_vecs_writer {
    lt_afile a, lab;      /* the file, and an .npy's labels sidecar */
    lt_format fmt;
    lt_save_opts o;
    int64_t n, d, done;
    int labelled, has_lab;
    off_t synced;         /* bytes handed to writeback so far */
    label_digest lab_digest;   /* of the sidecar's bytes, for the .npy's binding */
    char sep;                  /* CSV: ',' or, for a .tsv, a tab */
};

int lt_format_streamable(lt_format fmt) { return streamable(fmt); }

int lt_vecs_writer_open(lt_vecs_writer **out, const char *path, lt_format fmt, int64_t n, int64_t d, int labelled, const lt_save_opts *opts) {
    *out = NULL;
    if (fmt == LT_FMT_AUTO) fmt = lt_format_from_path(path);
    if (fmt == LT_FMT_AUTO) return lt_err(LT_EINVAL, "%s: cannot tell the format from the name; use --format", path);
    if (!streamable(fmt)) return lt_err(LT_EINVAL, "%s: the %s format is written whole, not streamed", path, lt_format_name(fmt));
    if (n < 0 || d <= 0) return lt_err(LT_EINVAL, "%s: invalid shape %lld x %lld", path, (long long)n, (long long)d);
    lt_vecs_writer *w = lt_calloc(1, sizeof *w);
    if (!w) return lt_err(LT_ENOMEM, "out of memory");
    w->fmt = fmt; w->n = n; w->d = d; w->labelled = labelled;
    w->lab_digest.hash = LT_HASH_INIT;
    if (opts) w->o = *opts; else lt_save_opts_init(&w->o);
    int rc = LT_OK;
    if (fmt == LT_FMT_NPY && strcmp(path, "-")) {   /* the sidecar as lt_vecs_save writes it */
        char lp[4096];
        npy_labels_path(path, lp, sizeof lp);
        if (labelled) { if ((rc = lt_afile_open(&w->lab, lp)) == LT_OK) w->has_lab = 1; }
        else rc = drop_stale_labels(lp);
    }
    if (rc == LT_OK && (rc = lt_afile_open(&w->a, path)) != LT_OK && w->has_lab) { lt_afile_abort(&w->lab); w->has_lab = 0; }
    if (rc) { lt_free(w); return rc; }
    w->sep = csv_sep(path);
    write_header(w->a.f, fmt, n, d, labelled, w->sep);
    *out = w;
    return LT_OK;
}

int lt_vecs_writer_put(lt_vecs_writer *w, const lt_vecs *rows, char *const *labels) {
    if (rows->d != w->d) return lt_err(LT_EINVAL, "%s: rows of %lld columns put into a file of %lld", w->a.path, (long long)rows->d, (long long)w->d);
    if (rows->n > w->n - w->done) return lt_err(LT_EINVAL, "%s: more than the %lld rows announced", w->a.path, (long long)w->n);
    if (!labels != !w->labelled) return lt_err(LT_EINVAL, "%s: labels %s", w->a.path, labels ? "for an unlabelled file" : "missing");
    /* a plain file: the disk writes of each 8 MiB written start at once, so that the commit's
     * fsync finds them done (a 480 MB .npy: fsync 0.34 s after the last row without this) */
    int plain = !w->a.is_stdout && !w->a.gz && w->a.direct == 0;
    int64_t step = plain ? ((int64_t)8 << 20) / (w->d * 4 + 16) + 1 : rows->n, base = w->done;
    int rc = LT_OK;
    for (int64_t i0 = 0; rc == LT_OK && i0 < rows->n; i0 += step) {
        lt_vecs view = *rows;
        view.n = rows->n - i0 < step ? rows->n - i0 : step;
        view.data = rows->data + i0 * rows->ld;
        view.labels = labels ? (char **)labels + i0 : NULL;
        rc = write_rows(&view, w->a.f, w->fmt, &w->o, base + i0, w->sep);
        if (rc == LT_OK && plain && fflush(w->a.f) == 0) {
            off_t end = ftello(w->a.f);
            sync_file_range(fileno(w->a.f), w->synced, end - w->synced, SYNC_FILE_RANGE_WRITE);   /* advice: failure is harmless */
            w->synced = end;
        }
    }
    if (rc == LT_OK && w->has_lab) rc = put_label_lines(w->lab.f, labels, rows->n, w->done, &w->lab_digest);
    if (rc == LT_OK) w->done += rows->n;
    return rc;
}

void lt_vecs_writer_abort(lt_vecs_writer *w) {
    if (!w) return;
    if (w->has_lab) lt_afile_abort(&w->lab);
    lt_afile_abort(&w->a);
    lt_free(w);
}

int lt_vecs_writer_commit(lt_vecs_writer *w) {
    if (w->done != w->n) {
        int rc = lt_err(LT_EINVAL, "%s: %lld of the %lld rows announced were written", w->a.path, (long long)w->done, (long long)w->n);
        lt_vecs_writer_abort(w);
        return rc;
    }
    int rc = w->has_lab ? put_labels_trailer(w->a.f, &w->lab_digest) : LT_OK;
    if (rc) { lt_vecs_writer_abort(w); return rc; }
    if (w->has_lab) rc = lt_afile_commit(&w->lab);   /* the sidecar first, the .npy renamed last */
    w->has_lab = 0;
    if (rc) { lt_vecs_writer_abort(w); return rc; }
    rc = lt_afile_commit(&w->a);
    lt_free(w);
    return rc;
}

int lt_ivecs_read(const char *path, int64_t **out, int64_t *n, int64_t *k) {
    *out = NULL;
    lt_vecs *v;
    int rc = lt_vecs_load(path, LT_FMT_IVECS, &v);
    if (rc) return rc;
    int64_t cnt = v->n * v->d;
    int64_t *ids = lt_malloc((size_t)(cnt > 0 ? cnt : 1) * 8);
    if (!ids) { lt_vecs_free(v); return lt_err(LT_ENOMEM, "out of memory"); }
    for (int64_t i = 0; i < v->n; i++) for (int64_t j = 0; j < v->d; j++) ids[i * v->d + j] = (int64_t)lt_vecs_row(v, i)[j];
    *out = ids; *n = v->n; *k = v->d;
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
        for (int64_t j = 0; j < k; j++) { int32_t x = (int32_t)ids[i * k + j]; fwrite(&x, 4, 1, a.f); }
    }
    return lt_afile_commit(&a);
}
