/* Numeric CSV/TSV matrices: an optional header, an optional label column, then numbers. */
#include "latent/core.h"
#include "latent/kern.h"
#include "latent/io.h"
#include "store_impl.h"
#include <stdlib.h>
#include <string.h>

static const char *csv_field(
        const char *p, const char *end, char delim, const char **fb, const char **fe, int *quoted) {
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
    if (!len)
        return lt_err(
                LT_EFORMAT, "%s: offset 0: file is empty (a CSV header line is expected)", name);
    const char *nl = memchr(buf, '\n', len), *hend = nl ? nl : end;
    const char *c = memchr(buf, ',', (size_t)(hend - buf));
    char delim = c ? ',' : memchr(buf, '\t', (size_t)(hend - buf)) ? '\t' : ',';
    int64_t cols = 0, lab = 0;
    while (1) {
        int q;
        p = csv_field(p, end, delim, &fb, &fe, &q);
        if (cols == 0) {
            size_t k = (size_t)(fe - fb);
            lab = k == 0 || (k == 5 && !strncasecmp(fb, "label", 5)) ||
                    (k == 2 && !strncasecmp(fb, "id", 2));
        }
        cols++;
        p = csv_eol(p, end);
        if (p < end && *p == delim) {
            p++;
            continue;
        }
        if (p < end && *p != '\n')
            return lt_err(LT_EFORMAT, "%s: line 1, offset %zu: unexpected character in the header",
                    name, (size_t)(p - buf));
        if (p < end) p++;
        break;
    }
    int64_t d = cols - lab, n = 0;
    if (d < 1) return lt_err(LT_EFORMAT, "%s: line 1: no numeric columns in the header", name);
    for (const char *r = p; r < end;) {
        const char *e = memchr(r, '\n', (size_t)(end - r));
        const char *le = e ? e : end;
        int blank = 1;
        for (const char *x = r; x < le; x++)
            if (*x != ' ' && *x != '\r') {
                blank = 0;
                break;
            }
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
        if (x == le) {
            p = e ? e + 1 : end;
            continue;
        }
        float *row = lt_vecs_row(v, i);
        int64_t col = 0;
        while (1) {
            int q;
            const char *fs = p;
            p = csv_field(p, le, delim, &fb, &fe, &q);
            if (col >= cols) {
                lt_vecs_free(v);
                return lt_err(LT_EFORMAT,
                        "%s: line %lld, offset %zu: more than the header's %lld fields", name,
                        (long long)line, (size_t)(fs - buf), (long long)cols);
            }
            if (col < lab) {
                size_t k = 0;
                for (const char *y = fb; y < fe && k + 1 < sizeof lbuf;
                        y += (q && *y == '"') ? 2 : 1)
                    lbuf[k++] = *y;
                lbuf[k] = 0;
                if (lt_vecs_set_label(v, i, lbuf)) {
                    lt_vecs_free(v);
                    return LT_ENOMEM;
                }
            } else {
                const char *y = fb < fe ? lt__parse_float(fb, fe, &row[col - lab]) : NULL;
                if (!y || y != fe) {
                    lt_vecs_free(v);
                    return lt_err(LT_EFORMAT,
                            "%s: line %lld, offset %zu: column %lld is not a number", name,
                            (long long)line, (size_t)(fb - buf), (long long)col + 1);
                }
            }
            col++;
            p = csv_eol(p, le);
            if (p < le && *p == delim) {
                p++;
                continue;
            }
            if (p < le) {
                lt_vecs_free(v);
                return lt_err(LT_EFORMAT,
                        "%s: line %lld, offset %zu: unexpected character after a field", name,
                        (long long)line, (size_t)(p - buf));
            }
            break;
        }
        if (col != cols) {
            lt_vecs_free(v);
            return lt_err(LT_EFORMAT, "%s: line %lld, offset %zu: %lld fields, the header has %lld",
                    name, (long long)line, (size_t)(le - buf), (long long)col, (long long)cols);
        }
        int rc = lt_check_finite(row, d, name, (size_t)(x - buf), i);
        if (rc) {
            lt_vecs_free(v);
            return rc;
        }
        i++;
        p = e ? e + 1 : end;
    }
    *out = v;
    return LT_OK;
}

char lt__csv_sep(const char *path) {
    size_t l = strlen(path);
    if (l > 3 && !strcmp(path + l - 3, ".gz")) l -= 3;
    return l > 4 && !strncmp(path + l - 4, ".tsv", 4) ? '\t' : ',';
}

static void csv_header(
        FILE *f, int64_t n, int64_t d, int labelled, char sep) { /* label, c1 .. cd */
    (void)n;
    if (labelled) fprintf(f, "label%c", sep);
    for (int64_t k = 0; k < d; k++) fprintf(f, "c%lld%c", (long long)k + 1, k + 1 < d ? sep : '\n');
}

static int csv_rows(const lt_vecs *v, FILE *f, const lt_save_opts *o, int64_t first, char sep) {
    (void)first;
    int precision = o->precision <= 0 || o->precision > 17 ? 9 : o->precision;
    for (int64_t i = 0; i < v->n; i++) {
        const float *r = lt_vecs_row(v, i);
        if (v->labels) { /* quoted when it holds the separator, a quote or a line break */
            const char *l = v->labels[i];
            char need[5] = { sep, '"', '\n', '\r', 0 };
            if (strpbrk(l, need) || l[0] == ' ') {
                fputc('"', f);
                for (; *l; l++) {
                    if (*l == '"') fputc('"', f);
                    fputc(*l, f);
                }
                fprintf(f, "\"%c", sep);
            } else fprintf(f, "%s%c", l, sep);
        }
        for (int64_t k = 0; k < v->d; k++)
            fprintf(f, "%.*g%c", precision, r[k], k + 1 < v->d ? sep : '\n');
    }
    return ferror(f) ? lt_err(LT_EIO, "write error") : LT_OK;
}

static int parse(const char *buf, size_t len, const char *name, lt_vecs **out) {
    return parse_csv(buf, len, name, out);
}
const lt__format lt__fmt_csv = {
    .id = LT_FMT_CSV, .parse = parse, .header = csv_header, .rows = csv_rows
};
