/* Row-aligned class labels (see classes.h). */
#include "latent/classes.h"
#include "latent/store.h"
#include "../core/strmap.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct lt_classes {
    lt__strmap *names;
    int *order;
    int sorted;
}; /* order: sorted position -> map id */

lt_classes *lt_classes_new(void) {
    lt_classes *c = lt_calloc(1, sizeof *c);
    if (c && !(c->names = lt__strmap_new())) {
        lt_free(c);
        return NULL;
    }
    return c;
}
void lt_classes_free(lt_classes *c) {
    if (!c) return;
    lt__strmap_free(c->names);
    lt_free(c->order);
    lt_free(c);
}
int lt_classes_count(const lt_classes *c) { return (int)lt__strmap_size(c->names); }
const char *lt_classes_name(const lt_classes *c, int i) {
    return lt__strmap_key(c->names, c->order && c->sorted ? c->order[i] : i);
}

static int add(lt_classes *c, const char *s, int *y, const char *path, long long where) {
    int64_t id = lt__strmap_put(c->names, s, strlen(s), NULL);
    if (id < 0) return lt_err(LT_ENOMEM, "out of memory");
    if (id >= 1000000)
        return lt_err(LT_EFORMAT, "%s: line %lld: more than a million classes", path, where);
    *y = (int)id;
    return LT_OK;
}

int lt_classes_add(lt_classes *c, const char *name) {
    if (c->sorted) return lt_err(LT_EINVAL, "lt_classes_add after lt_classes_sort");
    int y, rc = add(c, name, &y, "classes", 0);
    return rc ? rc : y;
}

/* "id label" lines keyed by the vectors' labels: every line two fields (split at the first tab,
 * else at the first run of spaces), every id a label of keys, every row named once. Returns 1
 * when the file is of that kind (y filled, or *rc set to the error), 0 when it is not. */
static int read_keyed(lt_classes *c, const char *path, char **lines, const long long *lno,
        int64_t nl, const lt_vecs *keys, int *y, int *rc) {
    if (!keys || !keys->labels || nl == 0) return 0;
    int64_t known = 0, two = 0;
    lt__strmap *ids = lt__strmap_new();
    if (!ids) {
        *rc = lt_err(LT_ENOMEM, "out of memory");
        return 1;
    }
    for (int64_t i = 0; i < keys->n; i++)
        if (lt__strmap_put(ids, keys->labels[i], strlen(keys->labels[i]), NULL) < 0) {
            *rc = lt_err(LT_ENOMEM, "out of memory");
            lt__strmap_free(ids);
            return 1;
        }
    int64_t first_unknown = -1;
    for (int64_t i = 0; i < nl; i++) {
        size_t k = strcspn(lines[i], "\t");
        if (!lines[i][k]) k = strcspn(lines[i], " ");
        if (!lines[i][k]) continue;
        two++;
        if (lt__strmap_get(ids, lines[i], k) >= 0) known++;
        else if (first_unknown < 0) first_unknown = i;
    }
    if (two < nl || known == 0) {
        lt__strmap_free(ids);
        return 0;
    } /* row-order labels */
    if (known < nl) {
        size_t k = strcspn(lines[first_unknown], "\t");
        if (!lines[first_unknown][k]) k = strcspn(lines[first_unknown], " ");
        *rc = lt_err(LT_EFORMAT,
                "%s: line %lld: 'id label' lines, but '%.*s' is not a label of the vectors (%lld of %lld ids are)",
                path, lno[first_unknown], (int)k, lines[first_unknown], (long long)known,
                (long long)nl);
        lt__strmap_free(ids);
        return 1;
    }
    int64_t nk = lt__strmap_size(ids);
    int64_t *row_of = lt_malloc((size_t)(nk ? nk : 1) * 8);
    if (!row_of) {
        *rc = lt_err(LT_ENOMEM, "out of memory");
        lt__strmap_free(ids);
        return 1;
    }
    for (int64_t j = 0; j < nk; j++) row_of[j] = -1;
    for (int64_t i = 0; i < keys->n; i++) {
        int64_t j = lt__strmap_get(ids, keys->labels[i], strlen(keys->labels[i]));
        if (row_of[j] < 0) row_of[j] = i;
    }
    for (int64_t i = 0; i < keys->n; i++) y[i] = -1;
    *rc = LT_OK;
    for (int64_t i = 0; *rc == LT_OK && i < nl; i++) {
        size_t k = strcspn(lines[i], "\t");
        if (!lines[i][k]) k = strcspn(lines[i], " ");
        int64_t r = row_of[lt__strmap_get(ids, lines[i], k)];
        const char *lab = lines[i] + k + strspn(lines[i] + k, " \t");
        if (y[r] >= 0)
            *rc = lt_err(LT_EFORMAT, "%s: line %lld: '%.*s' has a label already", path, lno[i],
                    (int)k, lines[i]);
        else *rc = add(c, lab, &y[r], path, lno[i]);
    }
    for (int64_t i = 0; *rc == LT_OK && i < keys->n; i++)
        if (y[i] < 0)
            *rc = lt_err(LT_EFORMAT,
                    "%s: no label for '%s' (row %lld): an 'id label' file must name every row",
                    path, keys->labels[i], (long long)i + 1);
    lt_free(row_of);
    lt__strmap_free(ids);
    return 1;
}

int lt_classes_read(lt_classes *c, const char *path, int64_t n_rows, const lt_vecs *keys, int *y) {
    if (c->sorted) return lt_err(LT_EINVAL, "lt_classes_read after lt_classes_sort");
    if (keys && keys->n != n_rows)
        return lt_err(LT_EINVAL, "%s: %lld keys for %lld rows", path, (long long)keys->n,
                (long long)n_rows);
    if (lt_format_from_path(path) == LT_FMT_IDX) {
        lt_vecs *v;
        int rc = lt_vecs_load(path, LT_FMT_IDX, &v);
        if (rc) return rc;
        if (v->d != 1 || v->n != n_rows) {
            rc = lt_err(LT_EINVAL,
                    "%s: %lld x %lld labels for %lld rows (one label per row expected)", path,
                    (long long)v->n, (long long)v->d, (long long)n_rows);
        }
        for (int64_t i = 0; rc == LT_OK && i < n_rows; i++) {
            char b[32];
            snprintf(b, sizeof b, "%.9g", (double)lt_vecs_row(v, i)[0]);
            rc = add(c, b, y + i, path, i + 1);
        }
        lt_vecs_free(v);
        return rc;
    }
    FILE *f = fopen(path, "rb");
    if (!f) return lt_err(LT_EIO, "%s: cannot open: %s", path, strerror(errno));
    char *line = NULL, **lines = NULL;
    long long *lno = NULL;
    size_t cap = 0;
    long long ln = 0;
    int64_t nl = 0, lcap = 0;
    int rc = LT_OK;
    ssize_t len;
    while (rc == LT_OK &&
            (len = getline(&line, &cap, f)) > 0) { /* the label lines, trimmed, comments skipped */
        ln++;
        while (len &&
                (line[len - 1] == '\n' || line[len - 1] == '\r' || line[len - 1] == ' ' ||
                        line[len - 1] == '\t'))
            line[--len] = 0;
        char *s = line + strspn(line, " \t");
        if (!*s || *s == '#') continue;
        if (nl == lcap) {
            lcap = lcap ? 2 * lcap : 1024;
            char **nlines = lt_realloc(lines, (size_t)lcap * sizeof *lines);
            long long *nno = nlines ? lt_realloc(lno, (size_t)lcap * sizeof *lno) : NULL;
            if (nlines) lines = nlines;
            if (nno) lno = nno;
            if (!nlines || !nno) {
                rc = lt_err(LT_ENOMEM, "out of memory");
                break;
            }
        }
        if (!(lines[nl] = lt_strdup(s))) {
            rc = lt_err(LT_ENOMEM, "out of memory");
            break;
        }
        lno[nl++] = ln;
    }
    free(line);
    fclose(f);
    if (rc == LT_OK &&
            !read_keyed(
                    c, path, lines, lno, nl, keys, y, &rc)) { /* one label per line, in row order */
        if (nl > n_rows)
            rc = lt_err(LT_EFORMAT, "%s: line %lld: more labels than the %lld rows", path,
                    lno[n_rows], (long long)n_rows);
        else if (nl < n_rows)
            rc = lt_err(LT_EFORMAT, "%s: %lld labels for %lld rows", path, (long long)nl,
                    (long long)n_rows);
        for (int64_t i = 0; rc == LT_OK && i < nl; i++) rc = add(c, lines[i], y + i, path, lno[i]);
    }
    for (int64_t i = 0; i < nl; i++) lt_free(lines[i]);
    lt_free(lines);
    lt_free(lno);
    return rc;
}

static int numeric(const char *s, double *x) {
    char *e;
    *x = strtod(s, &e);
    return *s && !*e;
}
typedef struct {
    const lt__strmap *names;
    int num;
} sort_ctx;
static int cmp_names(const void *a, const void *b, void *ud) {
    const sort_ctx *c = ud;
    const char *x = lt__strmap_key(c->names, *(const int *)a),
               *y = lt__strmap_key(c->names, *(const int *)b);
    if (c->num) {
        double u, v;
        numeric(x, &u);
        numeric(y, &v);
        if (u != v) return u < v ? -1 : 1;
    }
    return strcmp(x, y);
}

int lt_classes_sort(lt_classes *c, int *y1, int64_t n1, int *y2, int64_t n2) {
    int L = lt_classes_count(c);
    int *order = lt_malloc((size_t)(L ? L : 1) * sizeof(int)),
        *rank = lt_malloc((size_t)(L ? L : 1) * sizeof(int));
    if (!order || !rank) {
        lt_free(order);
        lt_free(rank);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    int num = 1;
    for (int i = 0; i < L; i++) {
        double x;
        order[i] = i;
        num &= numeric(lt__strmap_key(c->names, i), &x);
    }
    sort_ctx sc = { c->names, num };
    qsort_r(order, (size_t)L, sizeof(int), cmp_names, &sc);
    for (int i = 0; i < L; i++) rank[order[i]] = i;
    for (int64_t i = 0; y1 && i < n1; i++) y1[i] = rank[y1[i]];
    for (int64_t i = 0; y2 && i < n2; i++) y2[i] = rank[y2[i]];
    lt_free(rank);
    lt_free(c->order);
    c->order = order;
    c->sorted = 1;
    return LT_OK;
}
