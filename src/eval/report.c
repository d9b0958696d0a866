/* The quality report's metric table (keys, meanings, values) and its self-contained HTML page:
 * the table and a t-SNE map of the sample, the picture embedded as a data: URI. */
#include "latent/eval.h"
#include "latent/plot.h"
#include "latent/store.h"
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const struct { const char *key, *meaning; } K[] = {
    {"trustworthiness", "neighbours in the vectors that are neighbours in the source (1: all; needs --source)"},
    {"continuity", "source neighbours kept as neighbours in the vectors (needs --source)"},
    {"knn_overlap", "mean share of the k nearest neighbours shared with the source"},
    {"effective_rank", "exp(entropy of the normalised singular values): dimensions in use"},
    {"mean_abs_correlation", "mean |correlation| between dimensions: redundancy"},
    {"mean_cosine", "mean cosine of random pairs: 0 for an isotropic space, near 1 for a narrow cone"},
    {"dead_dims", "dimensions with (almost) no variance"},
    {"intrinsic_dim_twonn", "intrinsic dimension, TwoNN estimator (nearest two neighbours)"},
    {"intrinsic_dim_mle", "intrinsic dimension, Levina-Bickel estimator at k"},
    {"hubness", "skewness of the k-occurrence counts: a few rows are everyone's neighbour when large"},
    {"silhouette", "cluster separation of the labels, -1 to 1 (needs --labels)"},
};

int lt_quality_n_metrics(void) { return (int)(sizeof K / sizeof K[0]); }
const char *lt_quality_key(int i) { return i >= 0 && i < lt_quality_n_metrics() ? K[i].key : NULL; }
const char *lt_quality_meaning(int i) { return i >= 0 && i < lt_quality_n_metrics() ? K[i].meaning : NULL; }
double lt_quality_value(const lt_quality_result *q, int i) {
    const double v[] = {q->trustworthiness, q->continuity, q->knn_overlap, q->effective_rank, q->mean_abs_corr, q->mean_cosine, (double)q->dead_dims,
                        q->intrinsic_dim_twonn, q->intrinsic_dim_mle, q->hubness, q->silhouette};
    return i >= 0 && i < lt_quality_n_metrics() ? v[i] : NAN;
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
        unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
        fputc(a[v >> 18 & 63], f); fputc(a[v >> 12 & 63], f);
        fputc(i + 1 < n ? a[v >> 6 & 63] : '=', f); fputc(i + 2 < n ? a[v & 63] : '=', f);
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
        if (l > 0 && (buf = lt_malloc((size_t)l)) && fread(buf, 1, (size_t)l, pf) == (size_t)l) *len = (size_t)l;
        else { lt_free(buf); buf = NULL; }
        fclose(pf);
    }
    remove(path);
    if (!buf) lt_err(LT_EIO, "%s: cannot read the picture back", path);
    return buf;
}

int lt_report_html(const char *path, const char *title, const lt_vecs *V, const int *labels, int n_classes, const char *const *class_names,
                   const lt_quality_result *q, uint64_t seed, int map_rows) {
    /* the map: t-SNE of (a seeded sample of at most map_rows of) the rows */
    int64_t m = map_rows > 0 && map_rows < V->n ? map_rows : V->n, *rows = lt_malloc((size_t)V->n * 8);
    lt_vecs *S = lt_vecs_new(m, V->d);
    float *Y = lt_malloc((size_t)m * 8 + 8);
    int *cls = labels ? lt_malloc((size_t)m * sizeof(int)) : NULL;
    int rc = rows && S && Y && (!labels || cls) ? LT_OK : lt_err(LT_ENOMEM, "out of memory");
    for (int64_t i = 0; rc == LT_OK && i < V->n; i++) rows[i] = i;
    if (rc == LT_OK && m < V->n) { lt_rng r; lt_rng_seed(&r, seed, 0x3a9); lt_rng_shuffle(&r, rows, V->n); }
    for (int64_t i = 0; rc == LT_OK && i < m; i++) {
        memcpy(lt_vecs_row(S, i), lt_vecs_row(V, rows[i]), (size_t)V->d * 4);
        if (cls) cls[i] = labels[rows[i]];
    }
    lt_map_opts mo;
    lt_map_opts_init(&mo);
    if (m <= 90) mo.perplexity = (double)(m - 1) / 3.5;   /* small files: a perplexity the rows allow */
    lt_map_result mr = {0};
    if (rc == LT_OK) rc = lt_map(S, &mo, Y, &mr);
    char png[4096];
    snprintf(png, sizeof png, "%s.tmp-map-%d.png", path, (int)getpid());
    lt_plot_opts po;
    lt_plot_opts_init(&po);
    po.title = "t-SNE map";
    if (rc == LT_OK) rc = lt_plot_scatter(Y, m, cls, labels ? n_classes : 0, class_names, NULL, &po, png);
    unsigned char *buf = NULL, *sbuf = NULL;
    size_t len = 0, slen = 0;
    if (rc == LT_OK && !(buf = slurp(png, &len))) rc = LT_EIO;
    /* the singular-value spectrum, log scale */
    char spng[4096];
    snprintf(spng, sizeof spng, "%s.tmp-spectrum-%d.png", path, (int)getpid());
    lt_plot_opts so;
    lt_plot_opts_init(&so);
    so.width = 700; so.height = 420; so.title = "singular values of the centred sample"; so.xlabel = "index";
    if (rc == LT_OK && q->n_spectrum > 0) {
        rc = lt_plot_line(q->spectrum, q->n_spectrum, 1, &so, spng);
        if (rc == LT_OK && !(sbuf = slurp(spng, &slen))) rc = LT_EIO;
    }
    lt_afile af;
    if (rc == LT_OK) rc = lt_afile_open(&af, path);
    if (rc == LT_OK) {
        FILE *f = af.f;
        fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>", f);
        html_text(f, title);
        fputs("</title>\n<style>body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse}"
              "td,th{border-bottom:1px solid #ddd;padding:4px 10px;text-align:left}td.v{text-align:right;font-variant-numeric:tabular-nums}"
              "img{max-width:100%;border:1px solid #eee}</style></head><body>\n<h1>", f);
        html_text(f, title);
        fprintf(f, "</h1>\n<p>%lld rows x %lld dimensions; every metric on a seeded sample of %lld rows (seed %llu), k = %d.</p>\n", (long long)q->n,
                (long long)q->d, (long long)q->sample, (unsigned long long)seed, q->k);
        fputs("<h2>Metrics</h2>\n<table id=\"metrics\"><tr><th>metric</th><th>value</th><th>meaning</th></tr>\n", f);
        for (int i = 0; i < lt_quality_n_metrics(); i++) {
            double v = lt_quality_value(q, i);
            fprintf(f, "<tr><td>%s</td><td class=\"v\">", lt_quality_key(i));
            if (isnan(v)) fputs("&ndash;", f); else fprintf(f, "%.6g", v);
            fputs("</td><td>", f);
            html_text(f, lt_quality_meaning(i));
            fputs("</td></tr>\n", f);
        }
        fprintf(f, "</table>\n<h2>Map</h2>\n<p>Exact t-SNE (perplexity %g) of %lld rows%s; KL divergence %.4f.</p>\n<img id=\"map\" alt=\"t-SNE map\" src=\"data:image/png;base64,",
                mo.perplexity, (long long)m, m < V->n ? " sampled with the same seed" : "", mr.kl_divergence);
        base64(f, buf, len);
        fputs("\">\n", f);
        if (sbuf) {
            fprintf(f, "<h2>Spectrum</h2>\n<p>The %d leading singular values (effective rank %.4g).</p>\n<img id=\"spectrum\" alt=\"singular values\" src=\"data:image/png;base64,",
                    q->n_spectrum, q->effective_rank);
            base64(f, sbuf, slen);
            fputs("\">\n", f);
        }
        fputs("<p>Made by latent " LT_VERSION ".</p>\n</body></html>\n", f);
        rc = lt_afile_commit(&af);
    }
    lt_free(buf); lt_free(sbuf); lt_free(rows); lt_vecs_free(S); lt_free(Y); lt_free(cls);
    return rc;
}
