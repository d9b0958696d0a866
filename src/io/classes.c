/* Row-aligned class labels (see classes.h). */
#include "latent/classes.h"
#include "latent/store.h"
#include "../core/strmap.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct lt_classes { lt__strmap *names; int *order; int sorted; };   /* order: sorted position -> map id */

lt_classes *lt_classes_new(void) {
    lt_classes *c = lt_calloc(1, sizeof *c);
    if (c && !(c->names = lt__strmap_new())) { lt_free(c); return NULL; }
    return c;
}
void lt_classes_free(lt_classes *c) {
    if (!c) return;
    lt__strmap_free(c->names);
    lt_free(c->order);
    lt_free(c);
}
int lt_classes_count(const lt_classes *c) { return (int)lt__strmap_size(c->names); }
const char *lt_classes_name(const lt_classes *c, int i) { return lt__strmap_key(c->names, c->order && c->sorted ? c->order[i] : i); }

static int add(lt_classes *c, const char *s, int *y, const char *path, long long where) {
    int64_t id = lt__strmap_put(c->names, s, strlen(s), NULL);
    if (id < 0) return lt_err(LT_ENOMEM, "out of memory");
    if (id >= 1000000) return lt_err(LT_EFORMAT, "%s: line %lld: more than a million classes", path, where);
    *y = (int)id;
    return LT_OK;
}

int lt_classes_add(lt_classes *c, const char *name) {
    if (c->sorted) return lt_err(LT_EINVAL, "lt_classes_add after lt_classes_sort");
    int y, rc = add(c, name, &y, "classes", 0);
    return rc ? rc : y;
}

int lt_classes_read(lt_classes *c, const char *path, int64_t n_rows, int *y) {
    if (c->sorted) return lt_err(LT_EINVAL, "lt_classes_read after lt_classes_sort");
    if (lt_format_from_path(path) == LT_FMT_IDX) {
        lt_vecs *v;
        int rc = lt_vecs_load(path, LT_FMT_IDX, &v);
        if (rc) return rc;
        if (v->d != 1 || v->n != n_rows) {
            rc = lt_err(LT_EINVAL, "%s: %lld x %lld labels for %lld rows (one label per row expected)", path, (long long)v->n, (long long)v->d, (long long)n_rows);
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
    char *line = NULL;
    size_t cap = 0;
    long long ln = 0;
    int64_t i = 0;
    int rc = LT_OK;
    ssize_t len;
    while (rc == LT_OK && (len = getline(&line, &cap, f)) > 0) {
        ln++;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t')) line[--len] = 0;
        char *s = line + strspn(line, " \t");
        if (!*s || *s == '#') continue;
        if (i == n_rows) { rc = lt_err(LT_EFORMAT, "%s: line %lld: more labels than the %lld rows", path, ln, (long long)n_rows); break; }
        rc = add(c, s, y + i, path, ln);
        i++;
    }
    free(line);
    fclose(f);
    if (rc == LT_OK && i < n_rows) rc = lt_err(LT_EFORMAT, "%s: %lld labels for %lld rows", path, (long long)i, (long long)n_rows);
    return rc;
}

static int numeric(const char *s, double *x) { char *e; *x = strtod(s, &e); return *s && !*e; }
typedef struct { const lt__strmap *names; int num; } sort_ctx;
static int cmp_names(const void *a, const void *b, void *ud) {
    const sort_ctx *c = ud;
    const char *x = lt__strmap_key(c->names, *(const int *)a), *y = lt__strmap_key(c->names, *(const int *)b);
    if (c->num) { double u, v; numeric(x, &u); numeric(y, &v); if (u != v) return u < v ? -1 : 1; }
    return strcmp(x, y);
}

int lt_classes_sort(lt_classes *c, int *y1, int64_t n1, int *y2, int64_t n2) {
    int L = lt_classes_count(c);
    int *order = lt_malloc((size_t)(L ? L : 1) * sizeof(int)), *rank = lt_malloc((size_t)(L ? L : 1) * sizeof(int));
    if (!order || !rank) { lt_free(order); lt_free(rank); return lt_err(LT_ENOMEM, "out of memory"); }
    int num = 1;
    for (int i = 0; i < L; i++) { double x; order[i] = i; num &= numeric(lt__strmap_key(c->names, i), &x); }
    sort_ctx sc = {c->names, num};
    qsort_r(order, (size_t)L, sizeof(int), cmp_names, &sc);
    for (int i = 0; i < L; i++) rank[order[i]] = i;
    for (int64_t i = 0; y1 && i < n1; i++) y1[i] = rank[y1[i]];
    for (int64_t i = 0; y2 && i < n2; i++) y2[i] = rank[y2[i]];
    lt_free(rank);
    lt_free(c->order);
    c->order = order; c->sorted = 1;
    return LT_OK;
}
