/* CSV tables with a header (see dense.h): cells kept as strings in one arena. */
#include "dense_impl.h"
#include "latent/io.h"
#include "../core/strmap.h"
#include <stdlib.h>
#include <string.h>

struct lt_table {
    int cols;
    int64_t rows;
    char **names;
    char **cells;
    char *arena;
};

void lt_table_free(lt_table *t) {
    if (!t) return;
    lt_free(t->names);
    lt_free(t->cells);
    lt_free(t->arena);
    lt_free(t);
}
int64_t lt_table_rows(const lt_table *t) { return t->rows; }
int lt_table_cols(const lt_table *t) { return t->cols; }
const char *lt_table_name(const lt_table *t, int col) { return t->names[col]; }
int lt_table_col(const lt_table *t, const char *name) {
    for (int c = 0; c < t->cols; c++)
        if (!strcmp(t->names[c], name)) return c;
    return -1;
}
const char *lt_table_cell(const lt_table *t, int64_t row, int col) {
    return t->cells[row * t->cols + col];
}

/* one field from p (unquoting into out); returns the position after it, NULL on a bad quote */
static const char *field(const char *p, const char *end, char sep, char **out) {
    char *o = *out;
    if (p < end && *p == '"') {
        p++;
        for (;;) {
            if (p >= end) return NULL;
            if (*p == '"') {
                if (p + 1 < end && p[1] == '"') {
                    *o++ = '"';
                    p += 2;
                    continue;
                }
                p++;
                break;
            }
            *o++ = *p++;
        }
        if (p < end && *p != sep && *p != '\n' && *p != '\r') return NULL;
    } else
        while (p < end && *p != sep && *p != '\n' && *p != '\r') *o++ = *p++;
    *o++ = 0;
    *out = o;
    return p;
}

int lt_table_parse(
        const char *buf, size_t len, const char *path, const char *missing, lt_table **out) {
    *out = NULL;
    int rc = LT_OK;
    lt_table *t = lt_calloc(1, sizeof *t);
    int64_t cap = 0;
    if (!t || !(t->arena = lt_malloc(len + 1 + (len + 1)))) rc = lt_err(LT_ENOMEM, "out of memory");
    const char *p = buf, *end = buf + len;
    if (len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3))
        p += 3; /* a UTF-8 byte order mark is not part of the first name */
    char *a = t ? t->arena : NULL;
    long long line = 1; /* the physical line a record starts on (quoted cells may hold newlines) */
    const char *counted = buf;
    char **row = NULL;
    int rcap = 0;
    /* the separator: a tab when the header line has tabs and no comma, else a comma */
    const char *nl = p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL;
    size_t hl = nl ? (size_t)(nl - p) : (size_t)(end - p);
    char sep = hl && memchr(p, '\t', hl) && !memchr(p, ',', hl) ? '\t' : ',';
    while (rc == LT_OK && p < end) {
        for (; counted < p; counted++) line += *counted == '\n';
        const char *ls = p;
        if (*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n')) {
            p += *p == '\r' ? 2 : 1;
            continue;
        } /* blank line */
        int n = 0;
        for (;;) {
            if (n == rcap) {
                rcap = rcap ? rcap * 2 : 64;
                char **nr = lt_realloc(row, (size_t)rcap * sizeof *nr);
                if (!nr) {
                    rc = lt_err(LT_ENOMEM, "out of memory");
                    break;
                }
                row = nr;
            }
            row[n++] = a;
            p = field(p, end, sep, &a);
            if (!p) {
                rc = lt_err(LT_EFORMAT,
                        "%s: line %lld (offset %zu): unterminated or misplaced quote", path, line,
                        (size_t)(ls - buf));
                break;
            }
            if (p < end && *p == sep) {
                p++;
                continue;
            }
            if (p < end && *p == '\r') p++;
            if (p < end && *p == '\n') p++;
            break;
        }
        if (rc) break;
        if (!t->names) {
            t->cols = n;
            if (!(t->names = lt_malloc((size_t)n * sizeof *t->names))) {
                rc = lt_err(LT_ENOMEM, "out of memory");
                break;
            }
            memcpy(t->names, row, (size_t)n * sizeof *row);
            lt__strmap *seen = lt__strmap_new(); /* linear in the header, however wide */
            if (!seen) {
                rc = lt_err(LT_ENOMEM, "out of memory");
                break;
            }
            for (int i = 0; i < n && rc == LT_OK; i++) {
                int added;
                if (lt__strmap_put(seen, row[i], strlen(row[i]), &added) < 0)
                    rc = lt_err(LT_ENOMEM, "out of memory");
                else if (!added)
                    rc = lt_err(LT_EFORMAT, "%s: line 1: column '%s' appears twice", path, row[i]);
            }
            lt__strmap_free(seen);
            continue;
        }
        if (n != t->cols) {
            rc = lt_err(LT_EFORMAT, "%s: line %lld (offset %zu): %d fields, the header has %d",
                    path, line, (size_t)(ls - buf), n, t->cols);
            break;
        }
        if (t->rows == cap) {
            cap = cap ? cap * 2 : 1024;
            char **nc = lt_realloc(t->cells, (size_t)cap * t->cols * sizeof *nc);
            if (!nc) {
                rc = lt_err(LT_ENOMEM, "out of memory");
                break;
            }
            t->cells = nc;
        }
        for (int c = 0; c < n; c++)
            t->cells[t->rows * t->cols + c] =
                    !*row[c] || (missing && !strcmp(row[c], missing)) ? NULL : row[c];
        t->rows++;
    }
    lt_free(row);
    if (rc == LT_OK && !t->names)
        rc = lt_err(LT_EFORMAT, "%s: offset 0: empty table (no header line)", path);
    if (rc) {
        lt_table_free(t);
        return rc;
    }
    *out = t;
    return LT_OK;
}

static int table_load_impl(const char *path, const char *missing, lt_table **out) {
    char *buf;
    size_t len, ml;
    *out = NULL;
    int rc = lt_read_whole(path, &buf, &len, &ml);
    if (rc) return rc;
    rc = lt_table_parse(buf, len, path, missing, out);
    lt_release_whole(buf, ml);
    return rc;
}

int lt_table_load(const char *path, const char *missing, lt_table **out) {
    return lt_err_in(table_load_impl(path, missing, out), path);
}
