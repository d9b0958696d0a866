/* latent plot: a picture of a 2-D map */
#include "cli.h"
#include <stdlib.h>
#include <string.h>

int cmd_plot(int argc, char **argv) {
    enum { P_OUT = 1, P_LABELS, P_TITLE, P_SIZE, P_POINT, P_SHOW, P_FROM, P_QUIET };
    static const cli_opt opts[] = {
        {"output", 'o', "F", P_OUT, "the picture: .png or .svg (required)"},
        {"labels", 0, "F", P_LABELS, "colour by class: one label per line in row order (or IDX labels) [one colour]"},
        {"title", 0, "T", P_TITLE, "a title above the plot"},
        {"size", 0, "WxH", P_SIZE, "picture size in pixels [900x700]"},
        {"point", 0, "R", P_POINT, "point radius in pixels [2]"},
        {"show", 0, "N", P_SHOW, "write the row labels of every N-th point beside it [none]"},
        {"from", 0, "F", P_FROM, "format of MAP [from the name]"},
        {"quiet", 'q', NULL, P_QUIET, "no summary on stderr"}, {0}};
    static const cli_spec S = {"plot", "usage: latent plot MAP -o PICTURE [options]\n"
                               "  a scatter of a 2-D map (latent map's output, or any 2-column vectors) with cairo\n", opts};
    lt_plot_opts po;
    lt_plot_opts_init(&po);
    const char *out = NULL, *labels = NULL, *from = NULL, *a;
    long long iv;
    int c, show = 0;
    optind = 1;
    while ((c = cli_getopt(argc, argv, &S, &a)) != CLI_END) {
        switch (c) {
        case CLI_HELP: case CLI_ERROR: return CLI_DONE(c);
        case P_OUT: out = a; break;
        case P_LABELS: labels = a; break;
        case P_TITLE: po.title = a; break;
        case P_SIZE: if (sscanf(a, "%dx%d", &po.width, &po.height) != 2 || po.width < 200 || po.height < 200 || po.width > 20000 || po.height > 20000)
                         return cli_usage(S.usage, "--size: WxH, 200 to 20000 each");
                     break;
        case P_POINT: if (!cli_float(a, 0.1, 100, &po.point)) return cli_usage(S.usage, "--point: 0.1 to 100"); break;
        case P_SHOW: if (!cli_int(a, 1, INT32_MAX, &iv)) return cli_usage(S.usage, "--show must be positive"); show = (int)iv; break;
        case P_FROM: if (lt_format_from_name(a) == LT_FMT_AUTO) return cli_usage(S.usage, "unknown format '%s'", a); from = a; break;
        case P_QUIET: cli_set_quiet(1); break;
        }
    }
    if (optind != argc - 1 || !out) return cli_usage(S.usage, "plot: expected MAP and -o PICTURE");
    lt_vecs *V = NULL;
    int r = cli_load(argv[optind], from, &V);
    if (r) return r;
    if (V->d != 2) {
        lt_err(LT_EINVAL, "%s: %lld columns; a map has 2 (latent map writes one)", argv[optind], (long long)V->d);
        lt_vecs_free(V);
        return cli_fail("plot");
    }
    float *xy = lt_malloc((size_t)V->n * 8 + 8);
    int *y = NULL, nc = 0;
    const char **names = NULL, **pl = NULL;
    lt_classes *cl = NULL;
    if (!xy) r = (lt_err(LT_ENOMEM, "out of memory"), cli_fail("plot"));
    for (int64_t i = 0; !r && i < V->n; i++) { xy[2 * i] = lt_vecs_row(V, i)[0]; xy[2 * i + 1] = lt_vecs_row(V, i)[1]; }
    if (!r && labels) {
        cl = lt_classes_new();
        y = lt_malloc((size_t)V->n * sizeof(int));
        if (!cl || !y || lt_classes_read(cl, labels, V->n, y) || lt_classes_sort(cl, y, V->n, NULL, 0)) r = cli_fail("plot");
        nc = cl ? lt_classes_count(cl) : 0;
        names = !r ? lt_malloc((size_t)(nc + 1) * sizeof *names) : NULL;
        for (int k = 0; names && k < nc; k++) names[k] = lt_classes_name(cl, k);
    }
    if (!r && show && V->labels) {
        pl = lt_calloc((size_t)V->n, sizeof *pl);
        for (int64_t i = 0; pl && i < V->n; i += show) pl[i] = V->labels[i];
    }
    if (!r && lt_plot_scatter(xy, V->n, y, nc, names, pl, &po, out)) r = cli_fail("plot");
    if (!r && !cli_quiet()) fprintf(stderr, "latent: plot: %lld points, %d classes -> %s\n", (long long)V->n, nc, out);
    lt_free(xy); lt_free(y); lt_free(names); lt_free(pl); lt_classes_free(cl); lt_vecs_free(V);
    return r;
}
