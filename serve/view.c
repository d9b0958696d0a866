/* The browser view: the page and its script (serve/page.html, serve/view.js, built into the
 * binary as strings by the Makefile), and GET /map?vectors=NAME: a 2-D map of the set's first
 * 5,000 rows (a word list's most frequent words; UMAP, seeded) or the rows of a `latent map`
 * output given with --map, with the quality figures of `latent report` on a sample. Computed
 * once, at start on a thread of its own, or at the first request that needs it. */
#include "serve.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

extern const char srv_page_html[], srv_view_js[];

enum { MAP_ROWS = 5000 };

void srv_view_page(srv_reply *rep, int js) {
    rep->status = 200;
    rep->type = js ? "text/javascript; charset=utf-8" : "text/html; charset=utf-8";
    sb_puts(&rep->body, js ? srv_view_js : srv_page_html);
}

int srv_set_map(srv *s, const char *name, const char *path) {
    for (int i = 0; i < s->n_vectors; i++)
        if (!strcmp(s->vectors[i].name, name)) {
            s->vectors[i].map_path = path;
            return LT_OK;
        }
    return lt_err(LT_EINVAL, "--map %s: no --vectors set named '%s'", path, name);
}

static int compute(srv *s, srv_vectors *vs) {
    const lt_vecs *v = vs->v;
    int rc;
    if (vs->map_path) { /* a `latent map` output: rows matched to the set by label */
        lt_vecs *m;
        if ((rc = lt_vecs_load(vs->map_path, LT_FMT_AUTO, &m))) return rc;
        if (m->d != 2 || !m->labels) {
            lt_vecs_free(m);
            return lt_err(
                    LT_EFORMAT, "%s: a map has 2 columns and labels (latent map -o)", vs->map_path);
        }
        vs->map_ids = malloc(sizeof(int64_t) * (size_t)(m->n ? m->n : 1));
        vs->map_xy = malloc(sizeof(float) * 2 * (size_t)(m->n ? m->n : 1));
        if (!vs->map_ids || !vs->map_xy) {
            lt_vecs_free(m);
            return lt_err(LT_ENOMEM, "out of memory");
        }
        for (int64_t i = 0; i < m->n; i++) {
            int64_t id = lt_vecs_find(v, m->labels[i]);
            if (id < 0) continue; /* a row the set does not have */
            vs->map_ids[vs->map_n] = id;
            vs->map_xy[2 * vs->map_n] = lt_vecs_row(m, i)[0];
            vs->map_xy[2 * vs->map_n + 1] = lt_vecs_row(m, i)[1];
            vs->map_n++;
        }
        lt_vecs_free(m);
        snprintf(vs->map_method, sizeof vs->map_method, "given");
    } else {
        int64_t n = v->n < MAP_ROWS ? v->n : MAP_ROWS;
        lt_vecs *x = lt_vecs_new(n, v->d);
        vs->map_ids = malloc(sizeof(int64_t) * (size_t)(n ? n : 1));
        vs->map_xy = malloc(sizeof(float) * 2 * (size_t)(n ? n : 1));
        if (!x || !vs->map_ids || !vs->map_xy) {
            lt_vecs_free(x);
            return lt_err(LT_ENOMEM, "out of memory");
        }
        for (int64_t i = 0; i < n; i++) {
            memcpy(lt_vecs_row(x, i), lt_vecs_row(v, i), sizeof(float) * (size_t)v->d);
            vs->map_ids[i] = i;
        }
        lt_map_opts o;
        lt_map_opts_init(&o);
        o.method = n >= 20 ? LT_MAP_UMAP : LT_MAP_PCA; /* UMAP needs neighbours to place */
        o.n_threads = s->threads;
        rc = n >= 3 ? lt_map(x, &o, vs->map_xy, NULL) : LT_OK;
        if (n < 3)
            for (int64_t i = 0; i < n; i++) vs->map_xy[2 * i] = (float)i, vs->map_xy[2 * i + 1] = 0;
        lt_vecs_free(x);
        if (rc) return rc;
        vs->map_n = n;
        snprintf(vs->map_method, sizeof vs->map_method, "%s",
                n < 3                             ? "line"
                        : o.method == LT_MAP_UMAP ? "umap"
                                                  : "pca");
    }
    lt_quality_opts qo;
    lt_quality_opts_init(&qo);
    qo.n_threads = s->threads;
    if (v->n >= 12) /* the figures are extra: a set they cannot be computed for has none */
        (void)lt_quality(v, NULL, NULL, 0, &qo, &vs->quality);
    return LT_OK;
}

int srv_view_prepare(srv *s, srv_vectors *vs) {
    pthread_mutex_lock(&vs->map_mu);
    if (!vs->map_done) {
        memset(&vs->quality, 0, sizeof vs->quality);
        vs->map_rc = compute(s, vs);
        vs->map_done = 1;
    }
    int rc = vs->map_rc;
    pthread_mutex_unlock(&vs->map_mu);
    return rc;
}

void srv_view_free(srv_vectors *vs) {
    free(vs->map_ids);
    free(vs->map_xy);
    vs->map_ids = NULL;
    vs->map_xy = NULL;
}

void srv_view_map(srv *s, srv_vectors *vs, srv_reply *rep) {
    if (srv_view_prepare(s, vs)) {
        srv_error(rep, 500, "Backend", "the map of %s: %s", vs->name, lt_errmsg());
        return;
    }
    sbuf *b = &rep->body;
    rep->status = 200;
    rep->type = "application/json";
    sb_puts(b, "{\"name\":");
    sb_str(b, vs->name, strlen(vs->name));
    sb_printf(b, ",\"rows\":%lld,\"dim\":%lld,\"method\":\"%s\",\"labels\":[", (long long)vs->v->n,
            (long long)vs->v->d, vs->map_method);
    for (int64_t i = 0; i < vs->map_n; i++) {
        const char *l = vs->v->labels ? vs->v->labels[vs->map_ids[i]] : "";
        if (i) sb_puts(b, ",");
        if (vs->v->labels) sb_str(b, l, strlen(l));
        else sb_printf(b, "\"%lld\"", (long long)vs->map_ids[i]);
    }
    sb_puts(b, "],\"ids\":[");
    for (int64_t i = 0; i < vs->map_n; i++)
        sb_printf(b, "%s%lld", i ? "," : "", (long long)vs->map_ids[i]);
    sb_puts(b, "],\"xy\":");
    sb_floats(b, vs->map_xy, (int)(2 * vs->map_n));
    sb_puts(b, ",\"quality\":[");
    int k = 0;
    for (int i = 0; vs->quality.n > 0 && i < lt_quality_n_metrics(); i++) {
        double x = lt_quality_value(&vs->quality, i);
        const char *key = lt_quality_key(i), *m = lt_quality_meaning(i);
        sb_puts(b, k++ ? ",{\"key\":" : "{\"key\":");
        sb_str(b, key, strlen(key));
        sb_puts(b, ",\"meaning\":");
        sb_str(b, m, strlen(m));
        sb_puts(b, ",\"value\":");
        if (isfinite(x)) sb_printf(b, "%.6g", x);
        else sb_puts(b, "null");
        sb_puts(b, "}");
    }
    sb_puts(b, "]}");
}

static void *views(void *arg) {
    srv *s = arg;
    for (int i = 0; i < s->n_vectors; i++) srv_view_prepare(s, &s->vectors[i]);
    return NULL;
}

void srv_start_views(srv *s) {
    s->has_view_thread = s->n_vectors && !pthread_create(&s->view_thread, NULL, views, s);
}
