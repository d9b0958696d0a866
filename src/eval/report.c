/* The quality report's metric table (keys, meanings, values) and its self-contained HTML page:
 * the tables, t-SNE and UMAP maps of a sample and the report's plots, each picture embedded as
 * a data: URI. */
#include "latent/eval.h"
#include "latent/plot.h"
#include "latent/store.h"
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const struct {
    const char *key, *meaning;
    int all;
} K[] = {
    { "trustworthiness",
            "neighbours in the vectors that are neighbours in the source (1: all; needs --source)",
            0 },
    { "continuity", "source neighbours kept as neighbours in the vectors (needs --source)", 0 },
    { "knn_overlap", "mean share of the k nearest neighbours shared with the source", 0 },
    { "effective_rank", "exp(entropy of the normalised singular values): dimensions in use", 0 },
    { "mean_abs_correlation", "mean |correlation| between dimensions: redundancy", 0 },
    { "mean_cosine",
            "mean cosine of random pairs: 0 for an isotropic space, near 1 for a narrow cone", 0 },
    { "isotropy_partition",
            "Mu and Viswanath's min/max of the partition function over principal directions: 1 for an isotropic space",
            0 },
    { "dead_dims", "dimensions with (almost) no variance", 0 },
    { "mean_norm", "mean Euclidean norm of the rows", 0 },
    { "norm_rank_spearman",
            "Spearman rho of the norm against the row's position (word vectors by falling frequency: norm against frequency)",
            0 },
    { "intrinsic_dim_twonn", "intrinsic dimension, TwoNN estimator (nearest two neighbours)", 0 },
    { "intrinsic_dim_mle", "intrinsic dimension, Levina-Bickel estimator at k", 0 },
    { "hubness",
            "skewness of the k-occurrence counts: a few rows are everyone's neighbour when large",
            0 },
    { "silhouette", "cluster separation of the labels, -1 to 1 (needs --labels)", 0 },
    { "probe_logreg_accuracy",
            "5-fold cross-validated accuracy of a logistic-regression probe of the labels (needs --labels)",
            0 },
    { "probe_knn_accuracy",
            "5-fold cross-validated accuracy of a k-nearest-neighbour probe of the labels (needs --labels)",
            0 },
    { "reconstruction_mse",
            "mean squared error per value of the model's reconstruction of the source, in its scaled space, every row (needs --model, --source)",
            1 },
    { "explained_variance",
            "1 - reconstruction error / variance of the source: the share the encoder keeps, every row (needs --model, --source)",
            1 },
};

int lt_quality_n_metrics(void) { return (int)(sizeof K / sizeof K[0]); }
const char *lt_quality_key(int i) { return i >= 0 && i < lt_quality_n_metrics() ? K[i].key : NULL; }
const char *lt_quality_meaning(int i) {
    return i >= 0 && i < lt_quality_n_metrics() ? K[i].meaning : NULL;
}
double lt_quality_value(const lt_quality_result *q, int i) {
    const double v[] = { q->trustworthiness, q->continuity, q->knn_overlap, q->effective_rank,
        q->mean_abs_corr, q->mean_cosine, q->isotropy_pf, (double)q->dead_dims, q->mean_norm,
        q->norm_rank_spearman, q->intrinsic_dim_twonn, q->intrinsic_dim_mle, q->hubness,
        q->silhouette, q->probe_logreg, q->probe_knn, q->reconstruction_mse,
        q->explained_variance };
    _Static_assert(sizeof v / sizeof v[0] == sizeof K / sizeof K[0], "one value per metric");
    return i >= 0 && i < lt_quality_n_metrics() ? v[i] : NAN;
}

int64_t lt_quality_rows(const lt_quality_result *q, int i) {
    return i >= 0 && i < lt_quality_n_metrics() && K[i].all ? q->n : q->sample;
}

static void html_text(FILE *f, const char *s) {
    for (; s && *s; s++) {
        if (*s == '<') fputs("&lt;", f);
        else if (*s == '>') fputs("&gt;", f);
        else if (*s == '&') fputs("&amp;", f);
        else if (*s == '"') fputs("&quot;", f);
        else fputc(*s, f);
    }
}

static void base64(FILE *f, const unsigned char *p, size_t n) {
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
                (i + 2 < n ? p[i + 2] : 0);
        fputc(a[v >> 18 & 63], f);
        fputc(a[v >> 12 & 63], f);
        fputc(i + 1 < n ? a[v >> 6 & 63] : '=', f);
        fputc(i + 2 < n ? a[v & 63] : '=', f);
    }
}

/* a picture file's bytes (then removed) */
static unsigned char *slurp(const char *path, size_t *len) {
    FILE *pf = fopen(path, "rb");
    unsigned char *buf = NULL;
    *len = 0;
    if (pf) {
        fseek(pf, 0, SEEK_END);
        long l = ftell(pf);
        fseek(pf, 0, SEEK_SET);
        if (l > 0 && (buf = lt_malloc((size_t)l)) && fread(buf, 1, (size_t)l, pf) == (size_t)l)
            *len = (size_t)l;
        else {
            lt_free(buf);
            buf = NULL;
        }
        fclose(pf);
    }
    remove(path);
    if (!buf) lt_err(LT_EIO, "%s: cannot read the picture back", path);
    return buf;
}

/* a picture drawn by fn into a temporary PNG beside the page, read back (and removed) */
typedef int (*draw_fn)(const void *ud, const char *png);
static int picture(const char *page, const char *what, draw_fn fn, const void *ud,
        unsigned char **buf, size_t *len) {
    char png[4096];
    snprintf(png, sizeof png, "%s.tmp-%s-%d.png", page, what, (int)getpid());
    int rc = fn(ud, png);
    if (rc == LT_OK && !(*buf = slurp(png, len))) rc = LT_EIO;
    if (rc) remove(png);
    return rc;
}
static void embed(FILE *f, const char *id, const char *alt, const unsigned char *buf, size_t len) {
    fprintf(f, "<img id=\"%s\" alt=\"%s\" src=\"data:image/png;base64,", id, alt);
    base64(f, buf, len);
    fputs("\">\n", f);
}

typedef struct {
    const float *Y;
    int64_t m;
    const int *cls;
    int nc;
    const char *const *names;
    const char *title, *xl, *yl;
    int w, h;
} scatter_ud;
static int draw_scatter(const void *ud, const char *png) {
    const scatter_ud *u = ud;
    lt_plot_opts po;
    lt_plot_opts_init(&po);
    po.title = u->title;
    po.xlabel = u->xl;
    po.ylabel = u->yl;
    if (u->w) {
        po.width = u->w;
        po.height = u->h;
    }
    return lt_plot_scatter(u->Y, u->m, u->cls, u->cls ? u->nc : 0, u->names, NULL, &po, png);
}
typedef struct {
    const double *x, *y;
    int n, axes;
    const char *title, *xl, *yl;
} xy_ud;
static int draw_xy(const void *ud, const char *png) {
    const xy_ud *u = ud;
    lt_plot_opts po;
    lt_plot_opts_init(&po);
    po.width = 700;
    po.height = 420;
    po.title = u->title;
    po.xlabel = u->xl;
    po.ylabel = u->yl;
    return lt_plot_xy(u->x, u->y, u->n, u->axes, &po, png);
}

void lt_report_opts_init(lt_report_opts *o) {
    memset(o, 0, sizeof *o);
    o->seed = 1;
    o->map_rows = 5000;
    o->n_threads = 1;
}

/* the caller's reporter, started again for the next map: its sink, callback and cancel kept */
static void restart(lt_progress *p, const char *what, const char *unit, double total) {
    lt_progress q = *p;
    lt_progress_init(p, NULL, what, unit, total);
    p->sink = q.sink;
    p->sink_ud = q.sink_ud;
    p->fn = q.fn;
    p->ud = q.ud;
    p->cancel = q.cancel;
}

int lt_report_html(const char *path, const char *title, const lt_vecs *V, const int *labels,
        int n_classes, const char *const *class_names, const lt_quality_result *q,
        const lt_report_opts *o) {
    /* the maps: t-SNE and UMAP of (a seeded sample of at most map_rows of) the rows */
    int64_t m = o->map_rows > 0 && o->map_rows < V->n ? o->map_rows : V->n,
            *rows = lt_malloc((size_t)V->n * 8);
    lt_vecs *S = lt_vecs_new(m, V->d);
    float *Y = lt_malloc((size_t)m * 8 + 8), *U = lt_malloc((size_t)m * 8 + 8),
          *NR = lt_malloc((size_t)m * 8 + 8);
    int *cls = labels ? lt_malloc((size_t)m * sizeof(int)) : NULL;
    int rc = rows && S && Y && U && NR && (!labels || cls) ? LT_OK
                                                           : lt_err(LT_ENOMEM, "out of memory");
    for (int64_t i = 0; rc == LT_OK && i < V->n; i++) rows[i] = i;
    if (rc == LT_OK && m < V->n) {
        lt_rng r;
        lt_rng_seed(&r, o->seed, 0x3a9);
        lt_rng_shuffle(&r, rows, V->n);
    }
    for (int64_t i = 0; rc == LT_OK && i < m; i++) {
        const float *x = lt_vecs_row(V, rows[i]);
        double nn = 0;
        memcpy(lt_vecs_row(S, i), x, (size_t)V->d * 4);
        for (int64_t t = 0; t < V->d; t++) nn += (double)x[t] * x[t];
        NR[2 * i] = (float)log10((double)rows[i] + 1);
        NR[2 * i + 1] = (float)sqrt(nn); /* norm against position */
        if (cls) cls[i] = labels[rows[i]];
    }
    lt_map_opts mo, uo;
    lt_map_opts_init(&mo);
    mo.n_threads = o->n_threads;
    mo.seed = o->seed;
    mo.exact = m <= 500
            ? 1
            : 0; /* exact t-SNE is O(n^2) an iteration: Barnes-Hut beyond a few hundred rows */
    if (m <= 90)
        mo.perplexity = (double)(m - 1) / 3.5; /* small files: a perplexity the rows allow */
    uo = mo;
    uo.method = LT_MAP_UMAP;
    if (uo.n_neighbors >= m) uo.n_neighbors = (int)(m - 1);
    lt_map_result mr = { 0 }, ur = { 0 };
    lt_progress *pg = o->progress;
    if (pg) restart(pg, "t-SNE map", "iterations", mo.iters);
    mo.progress = pg;
    if (rc == LT_OK) rc = lt_map(S, &mo, Y, &mr);
    if (pg) lt_progress_end(pg, pg->total);
    if (pg) restart(pg, "UMAP map", "epochs", m > 10000 ? 200 : 500);
    uo.progress = pg;
    int umap_ok = rc == LT_OK && m > 3 ? lt_map(S, &uo, U, &ur) == LT_OK : 0;
    if (pg) lt_progress_end(pg, pg->total);
    unsigned char *pic[5] = { 0 };
    size_t len[5] = { 0 };
    scatter_ud ts = { Y, m, cls, n_classes, class_names,
        mr.exact ? "t-SNE (exact)" : "t-SNE (Barnes-Hut)", NULL, NULL, 620, 520 };
    scatter_ud us = { U, m, cls, n_classes, class_names, "UMAP", NULL, NULL, 620, 520 };
    scatter_ud ns = { NR, m, NULL, 0, NULL, "row norm against the row's position", "log10(row + 1)",
        "norm", 700, 420 };
    xy_ud sp = { NULL, q->spectrum, q->n_spectrum, LT_PLOT_LOGY,
        "singular values of the centred sample", "index", NULL };
    double cd[LT_QUALITY_CURVE];
    for (int i = 0; i < q->n_curve; i++) cd[i] = q->curve_dim[i];
    xy_ud pc = { cd, q->curve_acc, q->n_curve, LT_PLOT_LOGX, "probe accuracy against dimension",
        "leading principal components", "accuracy" };
    if (rc == LT_OK) rc = picture(path, "tsne", draw_scatter, &ts, &pic[0], &len[0]);
    if (rc == LT_OK && umap_ok) rc = picture(path, "umap", draw_scatter, &us, &pic[1], &len[1]);
    if (rc == LT_OK && q->n_spectrum > 0)
        rc = picture(path, "spectrum", draw_xy, &sp, &pic[2], &len[2]);
    if (rc == LT_OK && q->n_curve > 0) rc = picture(path, "probe", draw_xy, &pc, &pic[3], &len[3]);
    if (rc == LT_OK) rc = picture(path, "norms", draw_scatter, &ns, &pic[4], &len[4]);
    lt_afile af;
    if (rc == LT_OK) rc = lt_afile_open(&af, path);
    if (rc == LT_OK) {
        FILE *f = af.f;
        fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>", f);
        html_text(f, title);
        fputs("</title>\n<style>body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse}"
              "td,th{border-bottom:1px solid #ddd;padding:4px 10px;text-align:left}td.v{text-align:right;font-variant-numeric:tabular-nums}"
              "img{max-width:100%;border:1px solid #eee}.maps img{max-width:49%}</style></head><body>\n<h1>",
                f);
        html_text(f, title);
        fprintf(f,
                "</h1>\n<p>%lld rows x %lld dimensions; the metrics on a seeded sample of %lld rows (seed %llu) unless they say every row, k = %d.</p>\n",
                (long long)q->n, (long long)q->d, (long long)q->sample, (unsigned long long)o->seed,
                q->k);
        fputs("<h2>Metrics</h2>\n<table id=\"metrics\"><tr><th>metric</th><th>value</th><th>meaning</th></tr>\n",
                f);
        for (int i = 0; i < lt_quality_n_metrics(); i++) {
            double v = lt_quality_value(q, i);
            fprintf(f, "<tr><td>%s</td><td class=\"v\">", lt_quality_key(i));
            if (isnan(v)) fputs("&ndash;", f);
            else fprintf(f, "%.6g", v);
            fputs("</td><td>", f);
            html_text(f, lt_quality_meaning(i));
            fputs("</td></tr>\n", f);
        }
        fputs("</table>\n", f);
        if (o->n_evals > 0) {
            fputs("<h2>Evaluations</h2>\n<table id=\"evals\"><tr><th>file</th><th>task</th><th>metric</th><th>value</th><th>used / total</th><th>note</th></tr>\n",
                    f);
            for (int i = 0; i < o->n_evals; i++) {
                const lt_eval_entry *e = &o->evals[i];
                fputs("<tr><td>", f);
                html_text(f, e->file);
                fprintf(f, "</td><td>%s</td><td>%s</td><td class=\"v\">", e->task, e->metric);
                if (isnan(e->value)) fputs("&ndash;", f);
                else fprintf(f, "%.4f", e->value);
                fprintf(f, "</td><td class=\"v\">%lld / %lld</td><td>", (long long)e->used,
                        (long long)e->total);
                html_text(f, e->note);
                fputs("</td></tr>\n", f);
            }
            fputs("</table>\n", f);
        }
        fprintf(f,
                "<h2>Maps</h2>\n<p>%lld rows%s; t-SNE perplexity %g, KL divergence %.4f; UMAP %d neighbours, min_dist %g%s.</p>\n<div class=\"maps\">\n",
                (long long)m, m < V->n ? " sampled with the same seed" : "", mo.perplexity,
                mr.kl_divergence, uo.n_neighbors, uo.min_dist,
                umap_ok ? "" : " (not drawn: too few rows)");
        embed(f, "map", "t-SNE map", pic[0], len[0]);
        if (pic[1]) embed(f, "umap", "UMAP map", pic[1], len[1]);
        fputs("</div>\n", f);
        if (pic[2]) {
            fprintf(f,
                    "<h2>Spectrum</h2>\n<p>The %d leading singular values (effective rank %.4g).</p>\n",
                    q->n_spectrum, q->effective_rank);
            embed(f, "spectrum", "singular values", pic[2], len[2]);
        }
        if (pic[3]) {
            fputs("<h2>Probe against dimension</h2>\n<p>Logistic-regression probe (5-fold CV on the metric sample) on the leading principal components: "
                  "how many directions carry the labels.</p>\n",
                    f);
            embed(f, "probe", "probe accuracy against dimension", pic[3], len[3]);
        }
        fputs("<h2>Norms</h2>\n<p>Each sampled row's norm against its position in the file (word vectors are listed by falling frequency, so "
              "this is norm against frequency rank).</p>\n",
                f);
        embed(f, "norms", "norm against row position", pic[4], len[4]);
        fputs("<p>Made by latent " LT_VERSION ".</p>\n</body></html>\n", f);
        rc = lt_afile_commit(&af);
    }
    for (int i = 0; i < 5; i++) lt_free(pic[i]);
    lt_free(rows);
    lt_vecs_free(S);
    lt_free(Y);
    lt_free(U);
    lt_free(NR);
    lt_free(cls);
    return rc;
}
