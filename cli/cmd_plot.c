/* latent plot: a picture of a 2-D map, or of two columns of a table (recall against queries/s) */
#include "cli.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_WHERE = 8 };
typedef struct {
    const char *x, *y, *color_by, *where[MAX_WHERE];
    int n_where, axes;
} table_args;

/* the series of a cell: its class among the distinct values of the colour column */
static int table_plot(
        const char *path, const table_args *ta, const lt_plot_opts *po, const char *out) {
    lt_table *t = NULL;
    if (lt_table_load(path, NULL, &t)) return cli_fail("plot");
    int cx = lt_table_col(t, ta->x), cy = lt_table_col(t, ta->y),
        cc = ta->color_by ? lt_table_col(t, ta->color_by) : -1, wc[MAX_WHERE];
    const char *miss = cx < 0        ? ta->x
            : cy < 0                 ? ta->y
            : ta->color_by && cc < 0 ? ta->color_by
                                     : NULL;
    for (int w = 0; !miss && w < ta->n_where; w++) {
        const char *eq = strchr(ta->where[w], '=');
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int)(eq - ta->where[w]), ta->where[w]);
        if ((wc[w] = lt_table_col(t, name)) < 0) miss = ta->where[w];
    }
    if (miss) {
        lt_err(LT_EINVAL, "%s: no column '%s' (the header names the columns)", path, miss);
        lt_table_free(t);
        return cli_fail("plot");
    }
    int64_t n = lt_table_rows(t), m = 0, skipped = 0;
    double *x = lt_malloc((size_t)n * sizeof *x + 8), *y = lt_malloc((size_t)n * sizeof *y + 8);
    int *ser = lt_malloc((size_t)n * sizeof *ser + 8), r = 0;
    lt_classes *cl = lt_classes_new();
    if (!x || !y || !ser || !cl) r = (lt_err(LT_ENOMEM, "out of memory"), cli_fail("plot"));
    for (int64_t i = 0; !r && i < n; i++) {
        int keep = 1;
        for (int w = 0; keep && w < ta->n_where; w++) {
            const char *c = lt_table_cell(t, i, wc[w]);
            keep = c && !strcmp(c, strchr(ta->where[w], '=') + 1);
        }
        if (!keep) continue;
        const char *a = lt_table_cell(t, i, cx), *b = lt_table_cell(t, i, cy);
        char *e1 = NULL, *e2 = NULL;
        double u = a ? strtod(a, &e1) : NAN, v = b ? strtod(b, &e2) : NAN;
        if (!a || !b || *e1 || *e2 || !isfinite(u) || !isfinite(v)) {
            skipped++;
            continue;
        } /* "-", text: not a point */
        x[m] = u;
        y[m] = v;
        const char *c = cc >= 0 ? lt_table_cell(t, i, cc) : NULL;
        ser[m] = lt_classes_add(cl, cc >= 0 ? (c ? c : "(missing)") : "all");
        if (ser[m] < 0) r = cli_fail("plot");
        m++;
    }
    if (!r && m > INT32_MAX)
        r = (lt_err(LT_EINVAL, "%s: %lld points is too many for a line plot", path, (long long)m),
                cli_fail("plot"));
    if (!r && m == 0)
        r = (lt_err(LT_EINVAL, "%s: no row has numbers in both '%s' and '%s'%s", path, ta->x, ta->y,
                     ta->n_where ? " (after --where)" : ""),
                cli_fail("plot"));
    int ns = cl ? lt_classes_count(cl) : 0;
    const char **names = !r ? lt_malloc((size_t)ns * sizeof *names + 8) : NULL;
    for (int k = 0; names && k < ns; k++) names[k] = lt_classes_name(cl, k);
    lt_plot_opts o = *po;
    if (!o.xlabel) o.xlabel = ta->x;
    if (!o.ylabel) o.ylabel = ta->y;
    if (!r && lt_plot_lines(x, y, (int)m, ser, ns, ns > 1 ? names : NULL, ta->axes, &o, out))
        r = cli_fail("plot");
    if (!r && !cli_quiet())
        fprintf(stderr,
                "latent: plot: %lld points in %d series from %s (%lld rows left out: not numbers) -> %s\n",
                (long long)m, ns, path, (long long)skipped, out);
    lt_free(x);
    lt_free(y);
    lt_free(ser);
    lt_free(names);
    lt_classes_free(cl);
    lt_table_free(t);
    return r;
}

/* the classes of the rows from one column of a table with a header, one table row per point */
static int column_classes(const char *path, const char *col, lt_classes *cl, int64_t n, int *y) {
    lt_table *t = NULL;
    int rc = lt_table_load(path, NULL, &t);
    if (rc) return rc;
    int c = lt_table_col(t, col);
    if (c < 0)
        rc = lt_err(LT_EINVAL, "%s: no column '%s' (the header names the columns)", path, col);
    else if (lt_table_rows(t) != n)
        rc = lt_err(LT_EINVAL, "%s: %lld rows, the map has %lld", path, (long long)lt_table_rows(t),
                (long long)n);
    for (int64_t i = 0; !rc && i < n; i++) {
        const char *v = lt_table_cell(t, i, c);
        if ((y[i] = lt_classes_add(cl, v ? v : "(missing)")) < 0) rc = y[i];
    }
    lt_table_free(t);
    return rc;
}

int cmd_plot(int argc, char **argv) {
    enum {
        P_OUT = 1,
        P_LABELS,
        P_TITLE,
        P_SIZE,
        P_POINT,
        P_SHOW,
        P_FROM,
        P_X,
        P_Y,
        P_COLOR,
        P_WHERE,
        P_LINE,
        P_LOGX,
        P_LOGY,
        P_XLABEL,
        P_YLABEL,
        P_QUIET
    };
    static const cli_opt opts[] = { { "output", 'o', "F", P_OUT,
                                            "the picture: .png or .svg (required)" },
        { "labels", 0, "F", P_LABELS,
                "colour by class: one label per line in row order, 'id label' lines keyed by the map's labels, IDX labels, or a table with --color-by [one colour]" },
        { "color-by", 0, "COL", P_COLOR,
                "colour by this column: of the --labels table (a header line, CSV or TSV), or of TABLE with --x/--y" },
        { "title", 0, "T", P_TITLE, "a title above the plot" },
        { "size", 0, "WxH", P_SIZE, "picture size in pixels [900x700]" },
        { "point", 0, "R", P_POINT, "point radius in pixels [2]" },
        { "show", 0, "N", P_SHOW, "write the row labels of every N-th point beside it [none]" },
        { "from", 0, "F", P_FROM, "format of MAP [from the name]" },
        { "x", 0, "COL", P_X,
                "MAP is a table (CSV or TSV with a header): x from this column (rows without numbers left out)" },
        { "y", 0, "COL", P_Y, "with --x: y from this column" },
        { "where", 0, "COL=V", P_WHERE,
                "with --x: only the rows whose COL is V (up to 8, all must hold)" },
        { "line", 0, NULL, P_LINE,
                "with --x: join each colour's points in file order (recall against queries/s)" },
        { "logx", 0, NULL, P_LOGX, "with --x: a log10 x axis" },
        { "logy", 0, NULL, P_LOGY, "with --x: a log10 y axis" },
        { "xlabel", 0, "T", P_XLABEL, "the x axis' name [the --x column; none for maps]" },
        { "ylabel", 0, "T", P_YLABEL, "the y axis' name [the --y column; none for maps]" },
        { "quiet", 'q', NULL, P_QUIET, "no summary on stderr" }, { 0 } };
    static const cli_spec S = { "plot",
        "usage: latent plot MAP -o PICTURE [options]\n"
        "       latent plot TABLE --x COL --y COL -o PICTURE [--color-by COL] [--line] [options]\n"
        "  a scatter of a 2-D map (latent map's output, or any 2-column vectors), or of two\n"
        "  columns of a table (bench results: recall against queries/s), with cairo\n",
        opts };
    lt_plot_opts po;
    lt_plot_opts_init(&po);
    const char *out = NULL, *labels = NULL, *from = NULL, *a;
    table_args ta = { 0 };
    int line = 0;
    long long iv;
    int c, show = 0;
    optind = 1;
    while ((c = cli_getopt(argc, argv, &S, &a)) != CLI_END) {
        switch (c) {
        case CLI_HELP:
        case CLI_ERROR: return CLI_DONE(c);
        case P_OUT: out = a; break;
        case P_LABELS: labels = a; break;
        case P_TITLE: po.title = a; break;
        case P_SIZE:
            if (sscanf(a, "%dx%d", &po.width, &po.height) != 2 || po.width < 200 ||
                    po.height < 200 || po.width > 20000 || po.height > 20000)
                return cli_usage(S.usage, "--size: WxH, 200 to 20000 each");
            break;
        case P_POINT:
            if (!cli_float(a, 0.1, 100, &po.point))
                return cli_usage(S.usage, "--point: 0.1 to 100");
            break;
        case P_SHOW:
            if (!cli_int(a, 1, INT32_MAX, &iv))
                return cli_usage(S.usage, "--show must be a positive integer");
            show = (int)iv;
            break;
        case P_FROM:
            if (lt_format_from_name(a) == LT_FMT_AUTO)
                return cli_usage(S.usage, "unknown format '%s'", a);
            from = a;
            break;
        case P_X: ta.x = a; break;
        case P_Y: ta.y = a; break;
        case P_COLOR: ta.color_by = a; break;
        case P_WHERE:
            if (ta.n_where == MAX_WHERE || !strchr(a, '=') || a[0] == '=' ||
                    strchr(a, '=') - a > 255)
                return cli_usage(S.usage, "--where: COL=VALUE, at most %d", MAX_WHERE);
            ta.where[ta.n_where++] = a;
            break;
        case P_LINE: line = 1; break;
        case P_XLABEL: po.xlabel = a; break;
        case P_YLABEL: po.ylabel = a; break;
        case P_LOGX: ta.axes |= LT_PLOT_LOGX; break;
        case P_LOGY: ta.axes |= LT_PLOT_LOGY; break;
        case P_QUIET: cli_set_quiet(1); break;
        }
    }
    if (optind != argc - 1 || !out) return cli_usage(S.usage, "plot: expected MAP and -o PICTURE");
    if (!ta.x != !ta.y) return cli_usage(S.usage, "--x and --y go together");
    if (!ta.x && (ta.n_where || line || ta.axes))
        return cli_usage(S.usage, "--where, --line, --logx and --logy need --x and --y");
    if (ta.x && (labels || show || from))
        return cli_usage(S.usage,
                "--labels, --show and --from are for maps, not tables (--x); colour with --color-by");
    if (!ta.x && ta.color_by && !labels)
        return cli_usage(
                S.usage, "--color-by on a map needs --labels TABLE (the table with that column)");
    if (ta.x) {
        if (!line) ta.axes |= LT_PLOT_NOLINE;
        return table_plot(argv[optind], &ta, &po, out);
    }
    lt_vecs *V = NULL;
    int r = cli_load(argv[optind], from, &V);
    if (r) return r;
    if (V->d != 2) {
        lt_err(LT_EINVAL, "%s: %lld columns; a map has 2 (latent map writes one)", argv[optind],
                (long long)V->d);
        lt_vecs_free(V);
        return cli_fail("plot");
    }
    float *xy = lt_malloc((size_t)V->n * 8 + 8);
    int *y = NULL, nc = 0;
    const char **names = NULL, **pl = NULL;
    lt_classes *cl = NULL;
    if (!xy) r = (lt_err(LT_ENOMEM, "out of memory"), cli_fail("plot"));
    for (int64_t i = 0; !r && i < V->n; i++) {
        xy[2 * i] = lt_vecs_row(V, i)[0];
        xy[2 * i + 1] = lt_vecs_row(V, i)[1];
    }
    if (!r && labels) {
        cl = lt_classes_new();
        y = lt_malloc((size_t)V->n * sizeof(int));
        if (!cl || !y) r = (lt_err(LT_ENOMEM, "out of memory"), cli_fail("plot"));
        else if (ta.color_by ? column_classes(labels, ta.color_by, cl, V->n, y)
                             : lt_classes_read(cl, labels, V->n, V, y))
            r = cli_fail("plot");
        else if (lt_classes_sort(cl, y, V->n, NULL, 0)) r = cli_fail("plot");
        nc = cl ? lt_classes_count(cl) : 0;
        names = !r ? lt_malloc((size_t)(nc + 1) * sizeof *names) : NULL;
        for (int k = 0; names && k < nc; k++) names[k] = lt_classes_name(cl, k);
    }
    if (!r && show && V->labels) {
        pl = lt_calloc((size_t)V->n, sizeof *pl);
        for (int64_t i = 0; pl && i < V->n; i += show) pl[i] = V->labels[i];
    }
    if (!r && lt_plot_scatter(xy, V->n, y, nc, names, pl, &po, out)) r = cli_fail("plot");
    if (!r && !cli_quiet())
        fprintf(stderr, "latent: plot: %lld points, %d classes -> %s\n", (long long)V->n, nc, out);
    lt_free(xy);
    lt_free(y);
    lt_free(names);
    lt_free(pl);
    lt_classes_free(cl);
    lt_vecs_free(V);
    return r;
}
