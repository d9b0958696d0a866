/* Scatter plots of 2-D maps with cairo (Debian libcairo2): PNG or SVG, points coloured by
 * class with a legend, axes with ticks, an optional title and labelled points. */
#include "latent/plot.h"
#include <cairo/cairo.h>
#include <cairo/cairo-svg.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

void lt_plot_opts_init(lt_plot_opts *o) {
    memset(o, 0, sizeof *o);
    o->width = 900;
    o->height = 700;
    o->point = 2.0;
}

/* Tableau's ten colours, then darker variants */
static void colour(int c, double *r, double *g, double *b) {
    static const unsigned rgb[10] = { 0x4e79a7, 0xf28e2b, 0xe15759, 0x76b7b2, 0x59a14f, 0xedc948,
        0xb07aa1, 0xff9da7, 0x9c755f, 0xbab0ac };
    unsigned v = rgb[c % 10];
    double f = c < 10 ? 1.0 : c < 20 ? 0.6 : 0.35;
    *r = f * ((v >> 16) & 255) / 255.0;
    *g = f * ((v >> 8) & 255) / 255.0;
    *b = f * (v & 255) / 255.0;
}

/* a round tick step for a range */
static double tick_step(double span) {
    double s = pow(10, floor(log10(span / 5)));
    double m = span / 5 / s;
    return s * (m > 5 ? 10 : m > 2 ? 5 : m > 1 ? 2 : 1);
}

/* tick positions on an axis from lo to hi (log10 values when lg): round steps; on a log axis
 * whole decades, or 1, 2 and 5 times each decade when the axis spans under three */
static int ticks(double lo, double hi, int lg, double *t, int cap) {
    int n = 0;
    if (lg && hi - lo < 3) {
        for (double e = floor(lo); e <= ceil(hi) && n < cap; e++)
            for (int k = 0; k < 3 && n < cap; k++) {
                double v = e + log10((double[]){ 1, 2, 5 }[k]);
                if (v >= lo - 1e-9 && v <= hi + 1e-9) t[n++] = v;
            }
        return n;
    }
    double st = lg ? ceil((hi - lo) / 8) : tick_step(hi - lo);
    if (!(st > 0)) st = 1;
    for (double v = ceil(lo / st) * st; v <= hi + 1e-9 * st && n < cap; v += st)
        t[n++] = fabs(v) < 1e-12 * st ? 0 : v;
    return n;
}

/* the frame, round ticks with their numbers, axis labels and the title; logx, logy: the axis
 * holds log10 values, its ticks read the values themselves (1, 2, 5, 10 ... or 1e+06) */
static void frame(cairo_t *cr, double W, double H, double L, double T, double pw, double ph,
        double x0, double x1, double y0, double y1, const lt_plot_opts *o, int logx, int logy) {
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    cairo_set_line_width(cr, 1);
    cairo_rectangle(cr, L, T, pw, ph);
    cairo_stroke(cr);
    char b[64];
    double tk[64];
    cairo_text_extents_t e;
    int nt = ticks(x0, x1, logx, tk, 64);
    for (int i = 0; i < nt; i++) {
        double px = L + (tk[i] - x0) / (x1 - x0) * pw;
        cairo_move_to(cr, px, T + ph);
        cairo_line_to(cr, px, T + ph + 5);
        cairo_stroke(cr);
        snprintf(b, sizeof b, "%.6g", logx ? pow(10, tk[i]) : tk[i]);
        cairo_text_extents(cr, b, &e);
        cairo_move_to(cr, px - e.width / 2, T + ph + 20);
        cairo_show_text(cr, b);
    }
    nt = ticks(y0, y1, logy, tk, 64);
    for (int i = 0; i < nt; i++) {
        double py = T + ph - (tk[i] - y0) / (y1 - y0) * ph;
        cairo_move_to(cr, L - 5, py);
        cairo_line_to(cr, L, py);
        cairo_stroke(cr);
        snprintf(b, sizeof b, "%.6g", logy ? pow(10, tk[i]) : tk[i]);
        cairo_text_extents(cr, b, &e);
        cairo_move_to(cr, L - 8 - e.width, py + e.height / 2);
        cairo_show_text(cr, b);
    }
    if (o->xlabel) {
        cairo_move_to(cr, L + pw / 2 - 20, H - 12);
        cairo_show_text(cr, o->xlabel);
    }
    if (o->ylabel) {
        cairo_save(cr);
        cairo_move_to(cr, 16, T + ph / 2 + 20);
        cairo_rotate(cr, -M_PI / 2);
        cairo_show_text(cr, o->ylabel);
        cairo_restore(cr);
    }
    if (o->title) {
        cairo_set_font_size(cr, 15);
        cairo_move_to(cr, L, 26);
        cairo_show_text(cr, o->title);
        cairo_set_font_size(cr, 12);
    }
    (void)W;
}

/* a surface for path (.png or .svg), drawn into a temporary name beside it that finish() renames */
static cairo_surface_t *open_surface(
        const char *path, double W, double H, int *svg, char *tmp, size_t cap) {
    size_t pl = strlen(path);
    *svg = pl > 4 && !strcmp(path + pl - 4, ".svg");
    if (!*svg && !(pl > 4 && !strcmp(path + pl - 4, ".png"))) {
        lt_err(LT_EINVAL, "%s: plots are written as .png or .svg", path);
        return NULL;
    }
    if (snprintf(tmp, cap, "%s.tmp-plot", path) >= (int)cap) {
        lt_err(LT_EINVAL, "%s: path too long", path);
        return NULL;
    }
    cairo_surface_t *s = *svg ? cairo_svg_surface_create(tmp, W, H)
                              : cairo_image_surface_create(CAIRO_FORMAT_ARGB32, (int)W, (int)H);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);
        lt_err(LT_EIO, "%s: cannot create the picture", path);
        return NULL;
    }
    return s;
}

/* a white page and the text font */
static cairo_t *begin(cairo_surface_t *s) {
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, 12);
    return cr;
}

static int finish(cairo_surface_t *s, int svg, const char *tmp, const char *path) {
    cairo_status_t st = svg ? CAIRO_STATUS_SUCCESS : cairo_surface_write_to_png(s, tmp);
    cairo_surface_finish(s);
    if (st == CAIRO_STATUS_SUCCESS) st = cairo_surface_status(s);
    cairo_surface_destroy(s);
    if (st != CAIRO_STATUS_SUCCESS) {
        remove(tmp);
        return lt_err(
                LT_EIO, "%s: writing the picture failed: %s", path, cairo_status_to_string(st));
    }
    if (rename(tmp, path)) {
        remove(tmp);
        return lt_err(LT_EIO, "%s: cannot rename the picture into place", path);
    }
    return LT_OK;
}

static double val(double v, int lg) { return lg ? (v > 0 ? log10(v) : NAN) : v; }

/* the legend: a coloured disc and the name of each class, down the right edge from y T */
static void legend(
        cairo_t *cr, double W, double width, double T, int n_classes, const char *const *names) {
    char b[64];
    cairo_set_font_size(cr, 12);
    int shown = n_classes < 30 ? n_classes : 30;
    for (int c = 0; c < shown; c++) {
        double r, g, bl, ly = T + 10 + 18 * c;
        colour(c, &r, &g, &bl);
        cairo_set_source_rgb(cr, r, g, bl);
        cairo_arc(cr, W - width + 10, ly, 5, 0, 2 * M_PI);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        cairo_move_to(cr, W - width + 22, ly + 4);
        snprintf(b, sizeof b, "%.24s", names[c]);
        cairo_show_text(cr, b);
    }
    if (n_classes > shown) {
        cairo_move_to(cr, W - width + 22, T + 10 + 18 * shown + 4);
        snprintf(b, sizeof b, "(+%d more)", n_classes - shown);
        cairo_show_text(cr, b);
    }
}

int lt_plot_lines(const double *xs, const double *y, int n, const int *series, int n_series,
        const char *const *names, int axes, const lt_plot_opts *o, const char *path) {
    if (n < 1) return lt_err(LT_EINVAL, "%s: no values", path);
    if (series && n_series < 1) return lt_err(LT_EINVAL, "%s: no series", path);
    for (int i = 0; series && i < n; i++)
        if (series[i] < 0 || series[i] >= n_series)
            return lt_err(LT_EINVAL, "%s: point %d is in series %d of %d", path, i + 1, series[i],
                    n_series);
    if (!series) n_series = 1;
    int logx = axes & LT_PLOT_LOGX, logy = axes & LT_PLOT_LOGY;
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
#define XV(i) val(xs ? xs[i] : (double)(i) + 1, logx)
    for (int i = 0; i < n; i++) {
        double u = XV(i), v = val(y[i], logy);
        if (!isfinite(u) || !isfinite(v)) continue;
        if (u < x0) x0 = u;
        if (u > x1) x1 = u;
        if (v < y0) y0 = v;
        if (v > y1) y1 = v;
    }
    if (!isfinite(y0))
        return lt_err(LT_EINVAL, "%s: no finite%s values", path, logx || logy ? " positive" : "");
    if (y1 - y0 < 1e-12) {
        y0 -= 1;
        y1 += 1;
    }
    if (x1 - x0 < 1e-12) {
        x0 -= 0.5;
        x1 += 0.5;
    }
    double my = 0.05 * (y1 - y0), mx = xs || logx ? 0.04 * (x1 - x0) : 0.5;
    x0 -= mx;
    x1 += mx;
    y0 -= my;
    y1 += my;
    double lw = n_series > 1 && names ? 160 : 0;
    double W = o->width, H = o->height, L = 60, T = o->title ? 40 : 20, pw = W - L - 20 - lw,
           ph = H - T - 50;
    if (pw < 50 || ph < 50) return lt_err(LT_EINVAL, "%s: %gx%g is too small", path, W, H);
    int svg;
    char tmp[4096];
    cairo_surface_t *s = open_surface(path, W, H, &svg, tmp, sizeof tmp);
    if (!s) return LT_EINVAL;
    cairo_t *cr = begin(s);
    frame(cr, W, H, L, T, pw, ph, x0, x1, y0, y1, o, logx, logy);
    cairo_set_line_width(cr, 1.5);
    for (int k = 0; k < n_series; k++) {
        double r = 0.31, g = 0.47, bl = 0.65;
        if (n_series > 1) colour(k, &r, &g, &bl);
        cairo_set_source_rgb(cr, r, g, bl);
        int started = 0, count = 0;
        for (int i = 0; i < n; i++) {
            if (series && series[i] != k) continue;
            double u = XV(i), v = val(y[i], logy);
            if (!isfinite(u) || !isfinite(v)) {
                started = 0;
                continue;
            }
            double px = L + (u - x0) / (x1 - x0) * pw, py = T + ph - (v - y0) / (y1 - y0) * ph;
            if (started) cairo_line_to(cr, px, py);
            else cairo_move_to(cr, px, py);
            started = 1;
            count++;
        }
        if (axes & LT_PLOT_NOLINE) cairo_new_path(cr);
        else cairo_stroke(cr);
        for (int i = 0; i < n && (count <= 200 || axes & LT_PLOT_NOLINE); i++) {
            if (series && series[i] != k) continue;
            double u = XV(i), v = val(y[i], logy);
            if (isfinite(u) && isfinite(v)) {
                cairo_arc(cr, L + (u - x0) / (x1 - x0) * pw, T + ph - (v - y0) / (y1 - y0) * ph,
                        o->point > 0 ? o->point + 0.5 : 2.5, 0, 2 * M_PI);
                cairo_fill(cr);
            }
        }
    }
#undef XV
    if (lw > 0) legend(cr, W, lw, T, n_series, names);
    cairo_destroy(cr);
    return finish(s, svg, tmp, path);
}

int lt_plot_xy(const double *xs, const double *y, int n, int axes, const lt_plot_opts *o,
        const char *path) {
    return lt_plot_lines(xs, y, n, NULL, 1, NULL, axes, o, path);
}

int lt_plot_line(const double *y, int n, int logy, const lt_plot_opts *o, const char *path) {
    return lt_plot_xy(NULL, y, n, logy ? LT_PLOT_LOGY : 0, o, path);
}

int lt_plot_scatter(const float *xy, int64_t n, const int *cls, int n_classes,
        const char *const *class_names, const char *const *point_labels, const lt_plot_opts *o,
        const char *path) {
    if (n < 1) return lt_err(LT_EINVAL, "%s: no points", path);
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (int64_t i = 0; i < n; i++) {
        double x = xy[2 * i], y = xy[2 * i + 1];
        if (!isfinite(x) || !isfinite(y))
            return lt_err(LT_EINVAL, "%s: point %lld is not finite", path, (long long)i + 1);
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
    }
    if (x1 - x0 < 1e-12) {
        x0 -= 1;
        x1 += 1;
    }
    if (y1 - y0 < 1e-12) {
        y0 -= 1;
        y1 += 1;
    }
    double mx = 0.03 * (x1 - x0), my = 0.03 * (y1 - y0); /* a margin, so edge points are whole */
    x0 -= mx;
    x1 += mx;
    y0 -= my;
    y1 += my;
    double W = o->width, H = o->height, lw = n_classes > 1 && class_names ? 160 : 0;
    double L = 60, R = 20 + lw, T = o->title ? 40 : 20, B = 50, pw = W - L - R, ph = H - T - B;
    if (pw < 50 || ph < 50) return lt_err(LT_EINVAL, "%s: %gx%g is too small", path, W, H);
    /* written to a temporary name beside the target, then renamed: no half-written picture */
    int svg;
    char tmp[4096];
    cairo_surface_t *s = open_surface(path, W, H, &svg, tmp, sizeof tmp);
    if (!s) return LT_EINVAL;
    cairo_t *cr = begin(s);
    frame(cr, W, H, L, T, pw, ph, x0, x1, y0, y1, o, 0, 0);
#define PX(x) (L + ((x)-x0) / (x1 - x0) * pw)
#define PY(y) (T + ph - ((y)-y0) / (y1 - y0) * ph)
    /* points, clipped to the frame */
    cairo_save(cr);
    cairo_rectangle(cr, L, T, pw, ph);
    cairo_clip(cr);
    double rad = o->point > 0 ? o->point : 2;
    for (int64_t i = 0; i < n; i++) {
        double r, g, bl;
        if (cls && cls[i] >= 0) colour(cls[i], &r, &g, &bl);
        else {
            r = 0.3;
            g = 0.45;
            bl = 0.7;
        }
        cairo_set_source_rgba(cr, r, g, bl, n > 5000 ? 0.6 : 0.85);
        cairo_arc(cr, PX(xy[2 * i]), PY(xy[2 * i + 1]), rad, 0, 2 * M_PI);
        cairo_fill(cr);
    }
    if (point_labels) {
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        cairo_set_font_size(cr, 11);
        for (int64_t i = 0; i < n; i++)
            if (point_labels[i] && point_labels[i][0]) {
                cairo_move_to(cr, PX(xy[2 * i]) + rad + 2, PY(xy[2 * i + 1]) + 4);
                cairo_show_text(cr, point_labels[i]);
            }
    }
    cairo_restore(cr);
    if (lw > 0) legend(cr, W, lw, T, n_classes, class_names);
#undef PX
#undef PY
    cairo_destroy(cr);
    return finish(s, svg, tmp, path);
}
