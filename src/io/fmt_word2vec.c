/* word2vec text (a "n d" header), fastText .vec (the same), GloVe text (no header) and word2vec
 * binary: a label and then the values on each row. Also the number parser every text reader uses. */
#include "latent/core.h"
#include "latent/kern.h"
#include "latent/io.h"
#include "store_impl.h"
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* ---------- number parsing ---------- */
static const double g_pow10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };

/* Parses a float at p (< end). Returns the end of the number, or NULL if none.
 * Fast exact path (Clinger): <= 19 significant digits, mantissa < 2^53, |exp| <= 22;
 * otherwise strtod on a bounded copy. */
const char *lt__parse_float(const char *p, const char *end, float *out) {
    const char *s = p;
    int neg = 0;
    if (p < end && (*p == '-' || *p == '+')) {
        neg = *p == '-';
        p++;
    }
    uint64_t m = 0;
    int nd = 0, e10 = 0, any = 0;
    while (p < end && (unsigned)(*p - '0') < 10) {
        if (nd < 19) {
            m = m * 10 + (uint64_t)(*p - '0');
            if (m) nd++;
        } else e10++;
        p++;
        any = 1;
    }
    if (p < end && *p == '.') {
        p++;
        while (p < end && (unsigned)(*p - '0') < 10) {
            if (nd < 19) {
                m = m * 10 + (uint64_t)(*p - '0');
                if (m) nd++;
                e10--;
            }
            p++;
            any = 1;
        }
    }
    if (!any) goto slow;
    if (p < end && (*p == 'e' || *p == 'E')) {
        const char *q = p + 1;
        int eneg = 0, ev = 0, edig = 0;
        if (q < end && (*q == '-' || *q == '+')) {
            eneg = *q == '-';
            q++;
        }
        while (q < end && (unsigned)(*q - '0') < 10) {
            if (ev < 100000) ev = ev * 10 + (*q - '0');
            q++;
            edig = 1;
        }
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
    while (p < end && n < sizeof tmp - 1 && !(*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        tmp[n++] = *p++;
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
            return lt_err(LT_EFORMAT,
                    "%s: offset %zu: row %lld, value %lld is %s (latent refuses NaN and infinite values)",
                    name, off, (long long)row, (long long)k, isnan(x[k]) ? "NaN" : "infinite");
    return LT_OK;
}

static const char *skip_blank(const char *p, const char *end) {
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r')) p++;
    return p;
}

static int parse_header_line(const char *buf, const char *end, const char *name, int64_t *n,
        int64_t *d, const char **after) {
    const char *p = skip_blank(buf, end);
    char *e;
    char tmp[64];
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl) return lt_err(LT_EFORMAT, "%s: offset 0: missing header line \"count dim\"", name);
    size_t ln = (size_t)(nl - p);
    if (ln >= sizeof tmp)
        return lt_err(LT_EFORMAT, "%s: offset 0: header line is not \"count dim\"", name);
    memcpy(tmp, p, ln);
    tmp[ln] = 0;
    long long a = strtoll(tmp, &e, 10);
    if (e == tmp) return lt_err(LT_EFORMAT, "%s: offset 0: header line is not \"count dim\"", name);
    char *e2;
    long long b = strtoll(e, &e2, 10);
    if (e2 == e) return lt_err(LT_EFORMAT, "%s: offset 0: header line is not \"count dim\"", name);
    while (*e2 == ' ' || *e2 == '\t' || *e2 == '\r') e2++;
    if (*e2) return lt_err(LT_EFORMAT, "%s: offset 0: header line is not \"count dim\"", name);
    if (a < 0 || b <= 0 || b > (1 << 24))
        return lt_err(
                LT_EFORMAT, "%s: offset 0: bad header: count %lld, dimension %lld", name, a, b);
    *n = a;
    *d = b;
    *after = nl + 1;
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
_Thread_local int lt__release_mapped;
enum { RELEASE_STEP = 32 << 20 };
static void release_behind(const char *buf, const char *p, const char **done) {
    if (!lt__release_mapped || p - *done < RELEASE_STEP) return;
    long pg = sysconf(_SC_PAGESIZE);
    const char *upto = buf + (size_t)(p - buf) / (size_t)pg * (size_t)pg;
    if (upto > *done) {
        madvise((void *)*done, (size_t)(upto - *done), MADV_DONTNEED);
        *done = upto;
    }
}

/* row i's label: bytes s[0..n) copied into the store's arena */
static int put_label(lt_vecs *v, int64_t i, const char *s, size_t n) {
    char *lab = lt__vecs_arena_alloc(v, n + 1);
    if (!lab) return lt_err(LT_ENOMEM, "out of memory for labels");
    memcpy(lab, s, n);
    lab[n] = 0;
    v->labels[i] = lab;
    return LT_OK;
}

static int parse_text(const char *buf, size_t len, int header, const char *name, lt_vecs **out) {
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
            return lt_err(LT_EFORMAT,
                    "%s: offset 0: header says %lld x %lld but the file has only %zu bytes (truncated?)",
                    name, (long long)n, (long long)d, len);
    } else {
        /* GloVe: dimension from the first line, rows = non-empty lines */
        const char *q = buf;
        while (q < end && (*q == '\n' || *q == ' ' || *q == '\r')) q++;
        const char *nl = memchr(q, '\n', (size_t)(end - q));
        const char *le = nl ? nl : end;
        int64_t fields = 0;
        const char *r = skip_blank(q, le);
        while (r < le) {
            fields++;
            while (r < le && *r != ' ' && *r != '\t' && *r != '\r') r++;
            r = skip_blank(r, le);
        }
        if (fields < 2)
            return lt_err(LT_EFORMAT,
                    "%s: offset %zu: expected \"label v1 ... vd\" on the first line", name,
                    (size_t)(q - buf));
        d = fields - 1;
        if (d > (1 << 24))
            return lt_err(LT_EFORMAT,
                    "%s: offset %zu: %lld values on the first line (more than 2^24)", name,
                    (size_t)(q - buf), (long long)d);
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
            return lt_err(LT_EFORMAT,
                    "%s: offset %zu: the first line has %lld values but the next line does not (not a vector file?)",
                    name, nl2 ? (size_t)(nl2 + 1 - buf) : len, (long long)d);
        }
    }
    lt_vecs *v = lt_vecs_new(n, d);
    if (!v) return LT_ENOMEM;
    if (n && (rc = lt__vecs_alloc_labels(v))) {
        lt_vecs_free(v);
        return rc;
    }
    for (int64_t i = 0; i < n; i++) {
        release_behind(buf, p, &released);
        while (p < end && (*p == '\n' || *p == ' ' || *p == '\t' || *p == '\r')) p++;
        if (p >= end) {
            rc = lt_err(LT_EFORMAT, "%s: offset %zu: file ends after %lld of %lld rows (truncated)",
                    name, len, (long long)i, (long long)n);
            goto fail;
        }
        const char *ls = p;
        while (p < end && *p != ' ' && *p != '\t' && *p != '\n') p++;
        if (p >= end || *p == '\n') {
            rc = lt_err(LT_EFORMAT, "%s: offset %zu: row %lld has a label but no values", name,
                    (size_t)(p - buf), (long long)i);
            goto fail;
        }
        size_t ll = (size_t)(p - ls);
        if (memchr(ls, 0, ll)) {
            rc = lt_err(LT_EFORMAT, "%s: offset %zu: row %lld: NUL byte in the label", name,
                    (size_t)(ls - buf), (long long)i);
            goto fail;
        }
        if ((rc = put_label(v, i, ls, ll))) goto fail;
        float *row = lt_vecs_row(v, i);
        for (int64_t k = 0; k < d; k++) {
            p = skip_blank(p, end);
            const char *q = (p < end && *p != '\n') ? lt__parse_float(p, end, &row[k]) : NULL;
            if (q && (rc = lt_check_finite(&row[k], 1, name, (size_t)(p - buf), i))) goto fail;
            if (!q) {
                if (p >= end || *p == '\n')
                    rc = lt_err(LT_EFORMAT,
                            "%s: offset %zu: row %lld ('%.40s') has %lld values, expected %lld",
                            name, (size_t)(p - buf), (long long)i, v->labels[i], (long long)k,
                            (long long)d);
                else
                    rc = lt_err(LT_EFORMAT, "%s: offset %zu: row %lld: value %lld is not a number",
                            name, (size_t)(p - buf), (long long)i, (long long)k);
                goto fail;
            }
            p = q;
        }
        p = skip_blank(p, end);
        if (p < end && *p != '\n') {
            rc = lt_err(LT_EFORMAT, "%s: offset %zu: row %lld has more than %lld values", name,
                    (size_t)(p - buf), (long long)i, (long long)d);
            goto fail;
        }
    }
    while (p < end && (*p == '\n' || *p == ' ' || *p == '\t' || *p == '\r')) p++;
    if (p < end) {
        rc = lt_err(LT_EFORMAT, "%s: offset %zu: more rows than the header's %lld", name,
                (size_t)(p - buf), (long long)n);
        goto fail;
    }
    *out = v;
    return LT_OK;
fail:
    lt_vecs_free(v);
    return rc;
}

static int parse_w2v_bin(const char *buf, size_t len, const char *name, lt_vecs **out) {
    *out = NULL;
    const char *end = buf + len, *p;
    int64_t n, d;
    int rc = parse_header_line(buf, end, name, &n, &d, &p);
    if (rc) return rc;
    if ((double)n * (double)(d * 4 + 2) > (double)(end - p))
        return lt_err(LT_EFORMAT,
                "%s: offset 0: header says %lld x %lld but the file has only %zu bytes (truncated?)",
                name, (long long)n, (long long)d, len);
    lt_vecs *v = lt_vecs_new(n, d);
    if (!v) return LT_ENOMEM;
    if (n && (rc = lt__vecs_alloc_labels(v))) {
        lt_vecs_free(v);
        return rc;
    }
    for (int64_t i = 0; i < n; i++) {
        while (p < end && (*p == '\n' || *p == ' ' || *p == '\r')) p++;
        const char *ls = p;
        while (p < end && *p != ' ') p++;
        if (p >= end) {
            rc = lt_err(LT_EFORMAT, "%s: offset %zu: file ends in row %lld of %lld (truncated)",
                    name, (size_t)(ls - buf), (long long)i, (long long)n);
            goto fail;
        }
        size_t ll = (size_t)(p - ls);
        if (ll == 0 || memchr(ls, '\n', ll) || memchr(ls, 0, ll)) {
            rc = lt_err(LT_EFORMAT,
                    "%s: offset %zu: row %lld: bad label (empty, or a newline or NUL in it)", name,
                    (size_t)(ls - buf), (long long)i);
            goto fail;
        }
        if ((rc = put_label(v, i, ls, ll))) goto fail;
        p++;
        if ((size_t)(end - p) < (size_t)d * 4) {
            rc = lt_err(LT_EFORMAT,
                    "%s: offset %zu: row %lld ('%.40s') needs %lld bytes of floats, %zu left (truncated)",
                    name, (size_t)(p - buf), (long long)i, v->labels[i], (long long)d * 4,
                    (size_t)(end - p));
            goto fail;
        }
        memcpy(lt_vecs_row(v, i), p, (size_t)d * 4); /* little-endian hosts only (x86-64, arm64) */
        if ((rc = lt_check_finite(lt_vecs_row(v, i), d, name, (size_t)(p - buf), i))) goto fail;
        p += d * 4;
    }
    while (p < end && (*p == '\n' || *p == ' ' || *p == '\r')) p++;
    if (p < end) {
        rc = lt_err(LT_EFORMAT, "%s: offset %zu: data after the header's %lld rows", name,
                (size_t)(p - buf), (long long)n);
        goto fail;
    }
    *out = v;
    return LT_OK;
fail:
    lt_vecs_free(v);
    return rc;
}

/* ---- writers: "label v1 .. vd" per row, after a "n d" header (GloVe: none) ---- */
static void counts_header(FILE *f, int64_t n, int64_t d, int labelled, char sep) {
    (void)labelled;
    (void)sep;
    fprintf(f, "%lld %lld\n", (long long)n, (long long)d);
}

static int row_label(const lt_vecs *v, int64_t i, FILE *f, int64_t first, const char *what) {
    if (v->labels && strpbrk(v->labels[i], " \t\n\r"))
        return lt_err(LT_EINVAL, "label of row %lld contains whitespace; %s cannot hold it",
                (long long)(first + i), what);
    if (v->labels) fputs(v->labels[i][0] ? v->labels[i] : "<empty>", f);
    else fprintf(f, "%lld", (long long)(first + i));
    return LT_OK;
}

static int text_rows(const lt_vecs *v, FILE *f, const lt_save_opts *o, int64_t first, char sep) {
    (void)sep;
    int precision = o->precision <= 0 || o->precision > 17 ? 9 : o->precision, rc;
    for (int64_t i = 0; i < v->n; i++) {
        const float *r = lt_vecs_row(v, i);
        if ((rc = row_label(v, i, f, first, "text formats"))) return rc;
        for (int64_t k = 0; k < v->d; k++) fprintf(f, " %.*g", precision, r[k]);
        fputc('\n', f);
    }
    return ferror(f) ? lt_err(LT_EIO, "write error") : LT_OK;
}

static int bin_rows(const lt_vecs *v, FILE *f, const lt_save_opts *o, int64_t first, char sep) {
    (void)sep;
    int rc;
    for (int64_t i = 0; i < v->n; i++) {
        if ((rc = row_label(v, i, f, first, "word2vec binary"))) return rc;
        fputc(' ', f);
        fwrite(lt_vecs_row(v, i), 4, (size_t)v->d, f);
        if (o->bin_newline) fputc('\n', f);
    }
    return ferror(f) ? lt_err(LT_EIO, "write error") : LT_OK;
}

static int parse_counted(const char *buf, size_t len, const char *name, lt_vecs **out) {
    return parse_text(buf, len, -1, name, out);
}
static int parse_glove(const char *buf, size_t len, const char *name, lt_vecs **out) {
    return parse_text(buf, len, 0, name, out);
}

const lt__format lt__fmt_w2v_txt = {
    .id = LT_FMT_W2V_TXT, .parse = parse_counted, .header = counts_header, .rows = text_rows
};
const lt__format lt__fmt_vec = {
    .id = LT_FMT_VEC, .parse = parse_counted, .header = counts_header, .rows = text_rows
};
const lt__format lt__fmt_glove = { .id = LT_FMT_GLOVE, .parse = parse_glove, .rows = text_rows };
const lt__format lt__fmt_w2v_bin = {
    .id = LT_FMT_W2V_BIN, .parse = parse_w2v_bin, .header = counts_header, .rows = bin_rows
};
