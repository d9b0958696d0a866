/* Edge lists -> CSR graphs (rules in graph.h), the binary cache, and graph statistics. */
#include "latent/graph.h"
#include "latent/core.h"
#include "graph_impl.h"
#include "latent/io.h"
#include "latent/box.h"
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

void lt_graph_opts_init(lt_graph_opts *o) {
    memset(o, 0, sizeof *o); /* every field, the ones added later included */
    o->directed = 0;
    o->weighted = 0;
    o->cache = 1;
    o->header = 0;
}

void lt_graph_free(lt_graph *g) {
    if (!g) return;
    if (g->in) {
        lt_free(g->in->off);
        lt_free(g->in->adj);
        lt_free(g->in->w);
        lt_free(g->in->label_blob);
        lt__strmap_free(g->in->map);
        lt_free(g->in->alias_p);
        lt_free(g->in->alias_i);
        if (g->in->map_base) munmap(g->in->map_base, g->in->map_len);
        lt_free(g->in);
    }
    lt_free(g->labels);
    lt_free(g);
}

int64_t lt_graph_find(const lt_graph *gc, const char *label) {
    lt_graph *g = (lt_graph *)gc;
    if (!g->in->map) {
        lt__strmap *m = lt__strmap_new();
        for (int64_t i = 0; m && i < g->n; i++)
            if (lt__strmap_put(m, g->labels[i], strlen(g->labels[i]), NULL) < 0) {
                lt__strmap_free(m);
                m = NULL;
            }
        if (!m) return -1;
        g->in->map = m;
    }
    return lt__strmap_get(g->in->map, label, strlen(label));
}

/* ---- parsing ---- */
typedef struct {
    int32_t dst;
    float w;
    int64_t pos;
} arc;
static int cmp_arc(const void *a, const void *b) {
    const arc *x = a, *y = b;
    if (x->dst != y->dst) return x->dst < y->dst ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

typedef struct {
    int64_t *off;
    int32_t *adj;
    float *w;
    int64_t *keep;
    int weighted;
} sort_ctx;
/* sorts each row by neighbour (input order among equals), drops repeats: keep[row] = new length */
static void sort_rows(void *ud, int64_t b, int64_t e, int tid) {
    sort_ctx *c = ud;
    (void)tid;
    arc *tmp = NULL;
    int64_t cap = 0;
    for (int64_t r = b; r < e; r++) {
        int64_t o = c->off[r], d = c->off[r + 1] - o, k = 0;
        if (d > cap) {
            lt_free(tmp);
            cap = d;
            tmp = lt_malloc((size_t)cap * sizeof *tmp);
            if (!tmp) {
                c->keep[r] = -1;
                cap = 0;
                continue;
            }
        }
        for (int64_t j = 0; j < d; j++)
            tmp[j] = (arc){ c->adj[o + j], c->weighted ? c->w[o + j] : 1.0f, j };
        qsort(tmp, (size_t)d, sizeof *tmp, cmp_arc);
        for (int64_t j = 0; j < d; j++) {
            if (k && tmp[j].dst == c->adj[o + k - 1]) continue;
            c->adj[o + k] = tmp[j].dst;
            if (c->weighted) c->w[o + k] = tmp[j].w;
            k++;
        }
        c->keep[r] = k;
    }
    lt_free(tmp);
}

static int is_sep(char c) { return c == ' ' || c == '\t' || c == ','; }

/* the first two fields of the data line at p (comment and blank lines give 0) */
static int id_fields(const char *p, const char *le, const char **f, size_t *fl) {
    while (p < le && (is_sep(*p) || *p == '\r')) p++;
    if (p >= le || *p == '#' || *p == '%') return 0;
    int nf = 0;
    while (p < le && *p != '\r' && nf < 2) {
        f[nf] = p;
        while (p < le && !is_sep(*p) && *p != '\r') p++;
        fl[nf] = (size_t)(p - f[nf]);
        nf++;
        while (p < le && (is_sep(*p) || *p == '\r')) p++;
    }
    return nf;
}
static int is_num(const char *s, size_t n) {
    char b[64], *e;
    if (!n || n >= sizeof b) return 0;
    memcpy(b, s, n);
    b[n] = 0;
    strtod(b, &e);
    return *e == 0;
}

/* A header is taken as one with certainty only: the first data line's two ids are not numbers
 * and every other line's are (a "source,target" line over numeric ids). Returns the byte
 * offset just past the header line, or 0. */
static size_t header_end(const char *buf, size_t len) {
    const char *end = buf + len, *f[2];
    size_t fl[2], past = 0;
    int64_t rows = 0;
    for (const char *p = buf; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p)), *le = nl ? nl : end;
        int nf = id_fields(p, le, f, fl);
        const char *next = nl ? nl + 1 : end;
        if (nf) {
            int numeric = nf == 2 && is_num(f[0], fl[0]) && is_num(f[1], fl[1]);
            if (!past) {
                if (numeric || nf < 2) return 0;
                past = (size_t)(next - buf);
            } else if (!numeric) return 0;
            else rows++;
        }
        p = next;
    }
    return rows ? past : 0;
}

int lt_graph_parse(const void *data, size_t len, const char *name, const lt_graph_opts *o,
        lt_graph **out, lt_graph_stats *st) {
    *out = NULL;
    lt_graph_opts def;
    if (!o) {
        lt_graph_opts_init(&def);
        o = &def;
    }
    lt_graph_stats s0;
    if (!st) st = &s0;
    memset(st, 0, sizeof *st);
    const char *buf = data, *end = buf + len;
    lt__strmap *map = lt__strmap_new();
    int32_t *src = NULL, *dst = NULL;
    float *wt = NULL;
    int64_t ne = 0, cap = 0, line = 0;
    int rc = map ? LT_OK : lt_err(LT_ENOMEM, "out of memory");
    /* a header line: skipped when asked (header) or when certain (header_end) */
    size_t skip_to = 0;
    if (o->header) {
        const char *f[2];
        size_t fl[2];
        for (const char *p = buf; p < end && !skip_to;) {
            const char *nl = memchr(p, '\n', (size_t)(end - p)), *le = nl ? nl : end;
            if (id_fields(p, le, f, fl)) skip_to = (size_t)((nl ? nl + 1 : end) - buf);
            p = nl ? nl + 1 : end;
        }
    } else skip_to = header_end(buf, len);
    st->header = skip_to > 0;
    for (const char *p = buf; rc == LT_OK && p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p)), *le = nl ? nl : end;
        line++;
        if ((size_t)(p - buf) < skip_to) {
            p = nl ? nl + 1 : end;
            continue;
        }
        const char *q = p;
        p = nl ? nl + 1 : end;
        while (q < le && (is_sep(*q) || *q == '\r')) q++;
        if (q >= le || *q == '#' || *q == '%') continue;
        const char *f[3];
        size_t fl[3];
        int nf = 0;
        while (q < le && *q != '\r') {
            const char *a = q;
            while (q < le && !is_sep(*q) && *q != '\r') q++;
            if (nf < 3) {
                f[nf] = a;
                fl[nf] = (size_t)(q - a);
            }
            nf++;
            while (q < le && (is_sep(*q) || *q == '\r')) q++;
        }
        if (nf < 2) {
            rc = lt_err(LT_EFORMAT, "%s: line %lld: expected \"src dst%s\", found %d field%s", name,
                    (long long)line, o->weighted ? " weight" : "", nf, nf == 1 ? "" : "s");
            break;
        }
        if (o->weighted && nf < 3) {
            rc = lt_err(LT_EFORMAT, "%s: line %lld: no weight (third column) in a --weighted graph",
                    name, (long long)line);
            break;
        }
        /* what is not "src dst [weight]" is not an edge list (a text corpus would make edges of
         * its first two words) */
        if (nf > 3 || (nf == 3 && !is_num(f[2], fl[2]))) {
            rc = lt_err(LT_EFORMAT,
                    "%s: line %lld: %d fields%s: an edge list has \"src dst [weight]\" per line (a text corpus? "
                    "latent train word2vec reads those)",
                    name, (long long)line, nf, nf == 3 ? ", the third not a number" : "");
            break;
        }
        for (int k = 0; k < 2; k++)
            if (memchr(f[k], 0, fl[k])) {
                rc = lt_err(
                        LT_EFORMAT, "%s: line %lld: NUL byte in a node id", name, (long long)line);
                break;
            }
        if (rc) break;
        float w = 1;
        if (o->weighted) {
            char tmp[64], *e;
            if (fl[2] >= sizeof tmp) {
                rc = lt_err(
                        LT_EFORMAT, "%s: line %lld: weight is not a number", name, (long long)line);
                break;
            }
            memcpy(tmp, f[2], fl[2]);
            tmp[fl[2]] = 0;
            double x = strtod(tmp, &e);
            if (e == tmp || *e) {
                rc = lt_err(LT_EFORMAT, "%s: line %lld: weight '%s' is not a number", name,
                        (long long)line, tmp);
                break;
            }
            if (!isfinite(x) || x < 0 || !isfinite((float)x)) {
                rc = lt_err(LT_EFORMAT,
                        "%s: line %lld: weight %s is %s (weights must be finite and >= 0)", name,
                        (long long)line, tmp, x < 0 ? "negative" : "not finite");
                break;
            }
            w = (float)x;
            if (x > 0 &&
                    !(w >= FLT_MIN)) { /* a positive weight float32 cannot hold would be dropped as zero */
                rc = lt_err(LT_EFORMAT,
                        "%s: line %lld: weight %s is below float32's smallest normal value (%g); rescale the weights",
                        name, (long long)line, tmp, (double)FLT_MIN);
                break;
            }
        }
        int64_t a = lt__strmap_put(map, f[0], fl[0], NULL),
                b = a < 0 ? a : lt__strmap_put(map, f[1], fl[1], NULL);
        if (a < 0 || b < 0) {
            rc = lt_err(LT_ENOMEM, "out of memory");
            break;
        }
        if (lt__strmap_size(map) > INT32_MAX - 1) {
            rc = lt_err(
                    LT_EFORMAT, "%s: line %lld: more than 2^31 - 1 nodes", name, (long long)line);
            break;
        }
        st->lines++;
        if (a == b) {
            st->self_loops++;
            continue;
        }
        if (o->weighted && w == 0) {
            st->zero_weights++;
            continue;
        }
        if (ne == cap) {
            int64_t nc = cap ? cap * 2 : 65536;
            int32_t *ns = lt_realloc(src, (size_t)nc * 4),
                    *nd = ns ? lt_realloc(dst, (size_t)nc * 4) : NULL;
            if (ns) src = ns;
            if (nd) dst = nd;
            float *nw = nd && o->weighted ? lt_realloc(wt, (size_t)nc * 4) : NULL;
            if (nw) wt = nw;
            if (!ns || !nd || (o->weighted && !nw)) {
                rc = lt_err(LT_ENOMEM, "out of memory for %lld edges", (long long)nc);
                break;
            }
            cap = nc;
        }
        src[ne] = (int32_t)a;
        dst[ne] = (int32_t)b;
        if (o->weighted) wt[ne] = w;
        ne++;
    }
    int64_t n = map ? lt__strmap_size(map) : 0;
    if (rc == LT_OK && n == 0) rc = lt_err(LT_EFORMAT, "%s: no edges (empty graph)", name);
    lt_graph *g = NULL;
    int64_t *off = NULL, *fill = NULL, *keep = NULL;
    int32_t *adj = NULL;
    float *w = NULL;
    char *blob = NULL;
    if (rc == LT_OK) {
        int64_t m = o->directed ? ne : 2 * ne;
        off = lt_calloc((size_t)n + 1, 8);
        fill = lt_malloc(((size_t)n + 1) * 8);
        keep = lt_malloc(((size_t)n + 1) * 8);
        adj = lt_malloc((size_t)(m ? m : 1) * 4);
        w = o->weighted ? lt_malloc((size_t)(m ? m : 1) * 4) : NULL;
        blob = lt_malloc(lt__strmap_key_bytes(map) + 1);
        g = lt_calloc(1, sizeof *g);
        if (g) g->in = lt_calloc(1, sizeof *g->in);
        if (g && g->in) g->labels = lt_malloc((size_t)n * sizeof(char *));
        if (!off || !fill || !keep || !adj || (o->weighted && !w) || !blob || !g || !g->in ||
                !g->labels)
            rc = lt_err(LT_ENOMEM, "out of memory");
        if (rc == LT_OK) {
            /* counting sort by source: stable, so equal arcs keep input order */
            for (int64_t e = 0; e < ne; e++) {
                off[src[e] + 1]++;
                if (!o->directed) off[dst[e] + 1]++;
            }
            for (int64_t i = 0; i < n; i++) off[i + 1] += off[i];
            memcpy(fill, off, ((size_t)n + 1) * 8);
            for (int64_t e = 0; e < ne; e++) {
                int64_t k = fill[src[e]]++;
                adj[k] = dst[e];
                if (w) w[k] = wt[e];
                if (!o->directed) {
                    k = fill[dst[e]]++;
                    adj[k] = src[e];
                    if (w) w[k] = wt[e];
                }
            }
            sort_ctx sc = { off, adj, w, keep, o->weighted };
            lt_parallel_for(lt_cpu_count(), n, sort_rows, &sc);
            int64_t at = 0;
            for (int64_t i = 0; i < n && rc == LT_OK; i++) {
                if (keep[i] < 0) {
                    rc = lt_err(LT_ENOMEM, "out of memory");
                    break;
                }
                int64_t o0 = off[i];
                memmove(adj + at, adj + o0, (size_t)keep[i] * 4);
                if (w) memmove(w + at, w + o0, (size_t)keep[i] * 4);
                off[i] = at;
                at += keep[i];
                st->isolated += keep[i] == 0;
            }
            off[n] = at;
            st->duplicates = o->directed ? m - at : (m - at) / 2;
            st->edges = o->directed ? at : at / 2;
            if (o->directed) { /* isolated: neither out- nor in-arcs */
                st->isolated = 0;
                for (int64_t i = 0; i < n; i++) fill[i] = 0;
                for (int64_t k = 0; k < at; k++) fill[adj[k]] = 1;
                for (int64_t i = 0; i < n; i++) st->isolated += off[i + 1] == off[i] && !fill[i];
            }
            size_t bp = 0;
            for (int64_t i = 0; i < n; i++) {
                const char *k = lt__strmap_key(map, i);
                size_t l = strlen(k) + 1;
                memcpy(blob + bp, k, l);
                g->labels[i] = blob + bp;
                bp += l;
            }
            g->n = n;
            g->m = at;
            g->off = off;
            g->adj = adj;
            g->w = w;
            g->directed = o->directed;
            g->weighted = o->weighted;
            g->in->off = off;
            g->in->adj = adj;
            g->in->w = w;
            g->in->label_blob = blob;
            g->in->map = map;
            map = NULL;
        }
    }
    lt_free(src);
    lt_free(dst);
    lt_free(wt);
    lt_free(fill);
    lt_free(keep);
    lt__strmap_free(map);
    if (rc) { /* the arrays are the graph's only on success */
        lt_graph_free(g);
        lt_free(off);
        lt_free(adj);
        lt_free(w);
        lt_free(blob);
        return rc;
    }
    *out = g;
    return LT_OK;
}

/* ---- the binary cache ----
 * A box (box.h) "LTGRAPH2": metadata nodes, arcs, directed, weighted, input_size, input_hash
 * (which reading of which input it is) and the reading's counts (lines, self_loops, duplicates,
 * zero_weights); arrays off ((n+1) int64), adj (m int32), w (m float, weighted only), labels (the
 * n NUL-terminated ids). docs/graph.md. */
#define GMAGIC "LTGRAPH2"
typedef struct {
    int64_t n, m, directed, weighted, lines, self_loops, duplicates, zero_weights;
    uint64_t isize, ihash;
} cache_info;

static int cache_write(const lt_graph *g, const lt_graph_stats *st, uint64_t isize, uint64_t ihash,
        const char *path) {
    size_t lab = 0;
    for (int64_t i = 0; i < g->n; i++) lab += strlen(g->labels[i]) + 1;
    char *blob = lt_malloc(lab ? lab : 1), *p = blob;
    if (!blob) return lt_err(LT_ENOMEM, "out of memory");
    for (int64_t i = 0; i < g->n; i++) {
        size_t k = strlen(g->labels[i]) + 1;
        memcpy(p, g->labels[i], k);
        p += k;
    }
    lt_boxw *w = lt_boxw_new(GMAGIC, 2);
    lt_boxw_meta_i64(w, "nodes", g->n);
    lt_boxw_meta_i64(w, "arcs", g->m);
    lt_boxw_meta_i64(w, "directed", g->directed);
    lt_boxw_meta_i64(w, "weighted", g->weighted);
    lt_boxw_meta_u64(w, "input_size", isize);
    lt_boxw_meta_u64(w, "input_hash", ihash);
    lt_boxw_meta_i64(w, "lines", st->lines);
    lt_boxw_meta_i64(w, "self_loops", st->self_loops);
    lt_boxw_meta_i64(w, "duplicates", st->duplicates);
    lt_boxw_meta_i64(w, "zero_weights", st->zero_weights);
    lt_boxw_array(w, "off", LT_BOX_I64, g->n + 1, 1, 0, g->off);
    lt_boxw_array(w, "adj", LT_BOX_I32, g->m, 1, 0, g->adj);
    if (g->weighted) lt_boxw_array(w, "w", LT_BOX_F32, g->m, 1, 0, g->w);
    lt_boxw_array(w, "labels", LT_BOX_U8, 1, (int64_t)lab, 0, blob);
    int rc = lt_boxw_save_implicit(w, path);
    lt_free(blob);
    return rc;
}

/* Validates a cache image and makes a graph pointing into it (the caller keeps buf alive). */
static int cache_view(
        const unsigned char *u, size_t len, const char *name, cache_info *ci, lt_graph **out) {
    *out = NULL;
    lt_box *b;
    int rc = lt_box_open(u, len, name, GMAGIC, &b);
    if (rc) return rc;
    if (lt_box_version(b) != 2 || lt_box_i64(b, "nodes", 1, INT32_MAX - 1, &ci->n) ||
            lt_box_i64(b, "arcs", 0, INT64_MAX, &ci->m) ||
            lt_box_i64(b, "directed", 0, 1, &ci->directed) ||
            lt_box_i64(b, "weighted", 0, 1, &ci->weighted) ||
            lt_box_u64(b, "input_size", &ci->isize) || lt_box_u64(b, "input_hash", &ci->ihash) ||
            lt_box_i64(b, "lines", 0, INT64_MAX, &ci->lines) ||
            lt_box_i64(b, "self_loops", 0, INT64_MAX, &ci->self_loops) ||
            lt_box_i64(b, "duplicates", 0, INT64_MAX, &ci->duplicates) ||
            lt_box_i64(b, "zero_weights", 0, INT64_MAX, &ci->zero_weights)) {
        lt_box_free(b);
        return lt_err(LT_EFORMAT, "%s: corrupt cache header (%s)", name, lt_errmsg());
    }
    int64_t n = ci->n, m = ci->m, lab = 0;
    const int64_t *off = lt_box_need(b, "off", LT_BOX_I64, n + 1, 1);
    const int32_t *adj = off ? lt_box_need(b, "adj", LT_BOX_I32, m, 1) : NULL;
    const float *w = adj && ci->weighted ? lt_box_need(b, "w", LT_BOX_F32, m, 1) : NULL;
    const char *lb = adj && (w || !ci->weighted) && lt_box_shape(b, "labels", NULL, &lab, NULL)
            ? lt_box_need(b, "labels", LT_BOX_U8, 1, -1)
            : NULL;
    lt_box_free(b);
    if (!lb) return lt_err(LT_EFORMAT, "%s: corrupt cache (%s)", name, lt_errmsg());
    if (off[0] != 0 || off[n] != m) return lt_err(LT_EFORMAT, "%s: corrupt row offsets", name);
    for (int64_t i = 0; i < n; i++) {
        if (off[i + 1] < off[i])
            return lt_err(LT_EFORMAT, "%s: corrupt row offsets at node %lld", name, (long long)i);
        for (int64_t k = off[i]; k < off[i + 1]; k++)
            if (adj[k] < 0 || adj[k] >= n || (k > off[i] && adj[k] <= adj[k - 1]) || adj[k] == i ||
                    (w && !(w[k] > 0 && isfinite(w[k]))))
                return lt_err(LT_EFORMAT, "%s: corrupt arc %lld of node %lld", name,
                        (long long)(k - off[i]), (long long)i);
    }
    lt_graph *g = lt_calloc(1, sizeof *g);
    if (!g || !(g->in = lt_calloc(1, sizeof *g->in)) ||
            !(g->labels = lt_malloc((size_t)n * sizeof(char *)))) {
        lt_graph_free(g);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    const char *le = lb + lab;
    for (int64_t i = 0; i < n; i++) {
        const char *z = memchr(lb, 0, (size_t)(le - lb));
        if (!z) {
            lt_graph_free(g);
            return lt_err(LT_EFORMAT, "%s: the label section holds %lld of %lld labels", name,
                    (long long)i, (long long)n);
        }
        g->labels[i] = (char *)lb;
        lb = z + 1;
    }
    if (lb != le) {
        lt_graph_free(g);
        return lt_err(LT_EFORMAT, "%s: trailing bytes in the label section", name);
    }
    g->n = n;
    g->m = m;
    g->off = off;
    g->adj = adj;
    g->w = w;
    g->directed = (int)ci->directed;
    g->weighted = (int)ci->weighted;
    *out = g;
    return LT_OK;
}

static int parse_cache_aligned(const void *buf, size_t len, const char *name, lt_graph **out);

int lt_graph_parse_cache(const void *buf, size_t len, const char *name, lt_graph **out) {
    if (((uintptr_t)buf & 63) == 0) return parse_cache_aligned(buf, len, name, out);
    /* the arrays are read in place: an unaligned buffer is copied first (the copy is freed: the
     * graph made below owns copies of its own) */
    void *a = lt_aligned_alloc(len ? len : 1);
    if (!a) return lt_err(LT_ENOMEM, "out of memory");
    memcpy(a, buf, len);
    int rc = parse_cache_aligned(a, len, name, out);
    lt_aligned_free(a);
    return rc;
}

static int parse_cache_aligned(const void *buf, size_t len, const char *name, lt_graph **out) {
    cache_info ci;
    lt_graph *v;
    int rc = cache_view(buf, len, name, &ci, &v);
    if (rc) {
        *out = NULL;
        return rc;
    }
    /* a copy that owns its arrays (the caller may free buf) */
    lt_graph *g = lt_calloc(1, sizeof *g);
    size_t lab = v->n
            ? (size_t)(v->labels[v->n - 1] - v->labels[0]) + strlen(v->labels[v->n - 1]) + 1
            : 0;
    if (g) g->in = lt_calloc(1, sizeof *g->in);
    if (g && g->in) {
        g->in->off = lt_malloc(((size_t)v->n + 1) * 8);
        g->in->adj = lt_malloc((size_t)(v->m ? v->m : 1) * 4);
        g->in->w = v->w ? lt_malloc((size_t)(v->m ? v->m : 1) * 4) : NULL;
        g->in->label_blob = lt_malloc(lab ? lab : 1);
        g->labels = lt_malloc((size_t)v->n * sizeof(char *));
    }
    if (!g || !g->in || !g->in->off || !g->in->adj || (v->w && !g->in->w) || !g->in->label_blob ||
            !g->labels) {
        lt_graph_free(g);
        lt_graph_free(v);
        *out = NULL;
        return lt_err(LT_ENOMEM, "out of memory");
    }
    memcpy(g->in->off, v->off, ((size_t)v->n + 1) * 8);
    memcpy(g->in->adj, v->adj, (size_t)v->m * 4);
    if (v->w) memcpy(g->in->w, v->w, (size_t)v->m * 4);
    memcpy(g->in->label_blob, v->labels[0], lab);
    for (int64_t i = 0; i < v->n; i++)
        g->labels[i] = g->in->label_blob + (v->labels[i] - v->labels[0]);
    g->n = v->n;
    g->m = v->m;
    g->off = g->in->off;
    g->adj = g->in->adj;
    g->w = g->in->w;
    g->directed = v->directed;
    g->weighted = v->weighted;
    lt_graph_free(v);
    *out = g;
    return LT_OK;
}

/* cache beside the input, else under $XDG_CACHE_HOME/latent (or ~/.cache/latent); one file
 * per reading of the input (directed or not, weighted or not), so they do not replace each other */
static void cache_paths(const char *path, const lt_graph_opts *o, uint64_t ihash, char *beside,
        char *home, size_t n) {
    const char *kind = o->directed ? (o->weighted ? "directed-weighted" : "directed")
                                   : (o->weighted ? "weighted" : "undirected");
    snprintf(beside, n, "%s.%s.lgraph", path, kind);
    const char *x = getenv("XDG_CACHE_HOME"), *h = getenv("HOME");
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    if (x && *x)
        snprintf(home, n, "%s/latent/%s-%016llx.%s.lgraph", x, base, (unsigned long long)ihash,
                kind);
    else if (h && *h)
        snprintf(home, n, "%s/.cache/latent/%s-%016llx.%s.lgraph", h, base,
                (unsigned long long)ihash, kind);
    else home[0] = 0;
}

/* The cache at cp when it is a regular file made from this very input (its size and hash in
 * the header, read first) and valid throughout; else 0, with the reason in st->cache_note when
 * a file was there. */
static int try_cache(const char *cp, uint64_t isize, uint64_t ihash, const lt_graph_opts *o,
        lt_graph **out, lt_graph_stats *st) {
    struct stat sb;
    if (!cp[0] || lstat(cp, &sb) != 0) return 0;
    if (!S_ISREG(sb.st_mode)) { /* a link, FIFO or device under the cache's name: never opened */
        snprintf(st->cache_note, sizeof st->cache_note,
                "%s is not a regular file; not used as the graph cache", cp);
        return 0;
    }
    char *buf;
    size_t len, ml;
    if (lt_read_whole(cp, &buf, &len, &ml)) {
        lt_clear_error();
        return 0;
    }
    if (len < 8 || memcmp(buf, GMAGIC, 8)) {
        lt_release_whole(buf, ml);
        return 0;
    } /* not a cache, or an older one */
    lt_graph *g = NULL;
    cache_info ci;
    if (!ml || cache_view((const unsigned char *)buf, len, cp, &ci, &g)) {
        snprintf(st->cache_note, sizeof st->cache_note, "%s",
                ml ? lt_errmsg() : "the graph cache could not be mapped");
        lt_release_whole(buf, ml);
        lt_clear_error();
        return 0;
    }
    if (ci.isize != isize || ci.ihash != ihash || ci.directed != o->directed ||
            ci.weighted != o->weighted) {
        lt_graph_free(g); /* another input's or another reading's cache */
        lt_release_whole(buf, ml);
        return 0;
    }
    g->in->map_base = buf;
    g->in->map_len = ml;
    st->lines = ci.lines;
    st->self_loops = ci.self_loops;
    st->duplicates = ci.duplicates;
    st->zero_weights = ci.zero_weights;
    st->edges = g->directed ? g->m : g->m / 2;
    for (int64_t i = 0; i < g->n; i++) st->isolated += g->off[i + 1] == g->off[i];
    if (g->directed) { /* isolated: no arc either way */
        uint8_t *in = lt_calloc((size_t)g->n, 1);
        if (in) {
            st->isolated = 0;
            for (int64_t k = 0; k < g->m; k++) in[g->adj[k]] = 1;
            for (int64_t i = 0; i < g->n; i++) st->isolated += g->off[i + 1] == g->off[i] && !in[i];
            lt_free(in);
        }
    }
    st->from_cache = 1;
    snprintf(st->cache_path, sizeof st->cache_path, "%s", cp);
    *out = g;
    return 1;
}

static int graph_load_impl(
        const char *path, const lt_graph_opts *o, lt_graph **out, lt_graph_stats *st) {
    *out = NULL;
    lt_graph_opts def;
    if (!o) {
        lt_graph_opts_init(&def);
        o = &def;
    }
    lt_graph_stats s0;
    if (!st) st = &s0;
    memset(st, 0, sizeof *st);
    char *buf;
    size_t len, ml;
    int rc = lt_read_whole(path, &buf, &len, &ml);
    if (rc) return rc;
    int cacheable = o->cache && strcmp(path, "-");
    uint64_t ihash = cacheable ? lt_hash64(buf, len, LT_HASH_INIT) ^ (o->header ? 0x68656164ULL : 0)
                               : 0; /* --header reads differently */
    char beside[1024], home[1024];
    cache_paths(path, o, ihash, beside, home, sizeof beside);
    if (cacheable &&
            (try_cache(beside, len, ihash, o, out, st) ||
                    try_cache(home, len, ihash, o, out, st))) {
        lt_release_whole(buf, ml);
        return LT_OK;
    }
    char note[sizeof st->cache_note]; /* lt_graph_parse resets the statistics */
    memcpy(note, st->cache_note, sizeof note);
    rc = lt_graph_parse(buf, len, path, o, out, st);
    memcpy(st->cache_note, note, sizeof note);
    lt_release_whole(buf, ml);
    if (rc || !cacheable) return rc;
    /* a cache that cannot be written is only a slower next run (the reason in cache_note) */
    if (cache_write(*out, st, len, ihash, beside) == LT_OK)
        snprintf(st->cache_path, sizeof st->cache_path, "%s", beside);
    else {
        snprintf(st->cache_note, sizeof st->cache_note, "graph cache not written: %s", lt_errmsg());
        if (home[0]) {
            char dir[1024];
            snprintf(dir, sizeof dir, "%s", home);
            for (char *s = strchr(dir + 1, '/'); s; s = strchr(s + 1, '/')) {
                *s = 0;
                mkdir(dir, 0755);
                *s = '/';
            }
            if (cache_write(*out, st, len, ihash, home) == LT_OK) {
                snprintf(st->cache_path, sizeof st->cache_path, "%s", home);
                size_t u = strlen(st->cache_note);
                snprintf(st->cache_note + u, sizeof st->cache_note - u, " (written to %s instead)",
                        home);
            } else
                snprintf(st->cache_note, sizeof st->cache_note, "graph cache not written: %s",
                        lt_errmsg());
        }
    }
    lt_clear_error();
    return LT_OK;
}

int lt_graph_load(const char *path, const lt_graph_opts *o, lt_graph **out, lt_graph_stats *st) {
    return lt_err_in(graph_load_impl(path, o, out, st), path);
}

/* ---- statistics ---- */
static int64_t uf_find(int64_t *p, int64_t x) {
    while (p[x] != x) {
        p[x] = p[p[x]];
        x = p[x];
    }
    return x;
}
static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

int lt_graph_describe(const lt_graph *g, lt_graph_info *out) {
    memset(out, 0, sizeof *out);
    int64_t n = g->n;
    int64_t *deg = lt_malloc((size_t)n * 8), *par = lt_malloc((size_t)n * 8),
            *size = lt_calloc((size_t)n, 8);
    uint8_t *in = lt_calloc((size_t)n, 1);
    if (!deg || !par || !size || !in) {
        lt_free(deg);
        lt_free(par);
        lt_free(size);
        lt_free(in);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    for (int64_t i = 0; i < n; i++) par[i] = i;
    for (int64_t i = 0; i < n; i++)
        for (int64_t k = g->off[i]; k < g->off[i + 1]; k++) {
            in[g->adj[k]] = 1;
            int64_t a = uf_find(par, i), b = uf_find(par, g->adj[k]);
            if (a != b) par[a] = b;
        }
    double sum = 0;
    out->deg_min = INT64_MAX;
    for (int64_t i = 0; i < n; i++) {
        deg[i] = g->off[i + 1] - g->off[i];
        sum += (double)deg[i];
        if (deg[i] < out->deg_min) out->deg_min = deg[i];
        if (deg[i] > out->deg_max) out->deg_max = deg[i];
        out->isolated += deg[i] == 0 && !in[i];
        out->dangling += g->directed && deg[i] == 0;
        size[uf_find(par, i)]++;
    }
    for (int64_t i = 0; i < n; i++)
        if (size[i]) {
            out->components++;
            if (size[i] > out->largest_component) out->largest_component = size[i];
        }
    qsort(deg, (size_t)n, 8, cmp_i64);
    out->nodes = n;
    out->arcs = g->m;
    out->deg_mean = sum / (double)n;
    out->deg_median =
            n % 2 ? (double)deg[n / 2] : ((double)deg[n / 2 - 1] + (double)deg[n / 2]) / 2;
    size_t lab = 0;
    for (int64_t i = 0; i < n; i++) lab += strlen(g->labels[i]) + 1 + sizeof(char *);
    out->bytes =
            (int64_t)(((size_t)n + 1) * 8 + (size_t)g->m * 4 + (g->w ? (size_t)g->m * 4 : 0) + lab);
    lt_free(deg);
    lt_free(par);
    lt_free(size);
    lt_free(in);
    return LT_OK;
}
