/* latent plot: pictures of latent spaces with cairo (Debian libcairo2): a scatter of a 2-D map,
 * points coloured by class with a legend, readable axes, optional point labels; PNG or SVG by
 * the file's extension, written whole or not at all. */
#ifndef LATENT_PLOT_H
#define LATENT_PLOT_H
#include "latent/core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lt_plot_opts {
    int width, height;
    double point;
    const char *title, *xlabel, *ylabel;
} lt_plot_opts;
void lt_plot_opts_init(lt_plot_opts *o); /* 900 x 700 pixels, points of radius 2 */
/* xy: n points (x, y); cls: class ids 0 .. n_classes - 1 or -1 (NULL: one colour); class_names:
 * n_classes names for the legend; point_labels: text beside the points whose entry is
 * non-empty (NULL: none) */
int lt_plot_scatter(const float *xy, int64_t n, const int *cls, int n_classes,
        const char *const *class_names, const char *const *point_labels, const lt_plot_opts *o,
        const char *path);

/* A line of y[0 .. n) against 1 .. n (logy: a log10 axis for positive values), with markers;
 * PNG or SVG as lt_plot_scatter. */
int lt_plot_line(const double *y, int n, int logy, const lt_plot_opts *o, const char *path);
/* The same against x[0 .. n) (NULL: 1 .. n); axes: LT_PLOT_LOGX | LT_PLOT_LOGY for log10 axes
 * (non-positive values left out) */
enum { LT_PLOT_LOGX = 1, LT_PLOT_LOGY = 2 };
int lt_plot_xy(
        const double *x, const double *y, int n, int axes, const lt_plot_opts *o, const char *path);
/* Several lines in one frame with a legend (recall against queries/s of indexes): point i
 * belongs to line series[i] (0 .. n_series - 1; NULL: all to one line), the points of a line
 * joined in their order here; names: n_series legend entries (NULL: no legend); axes as
 * lt_plot_xy plus LT_PLOT_NOLINE for markers only. Points with a non-finite coordinate (or a
 * non-positive one on a log axis) are left out and break their line. */
enum { LT_PLOT_NOLINE = 4 };
int lt_plot_lines(const double *x, const double *y, int n, const int *series, int n_series,
        const char *const *names, int axes, const lt_plot_opts *o, const char *path);

#ifdef __cplusplus
}
#endif
#endif
