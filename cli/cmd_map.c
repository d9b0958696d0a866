/* latent map: 2-D coordinates of rows (t-SNE, PCA) */
#include "cli.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

int cmd_map(int argc, char **argv) {
    enum { M_OUT = 1, M_METHOD, M_PERP, M_ITERS, M_FROM, M_JSON, M_QUIET };
    static const cli_opt opts[] = {
        {"output", 'o', "F", M_OUT, "the map: n rows of 2 (x, y) with the rows' labels; .tsv, .npy (float32, input order), any vector format (required)"},
        {"method", 0, "M", M_METHOD, "tsne (exact, up to 20000 rows) or pca [tsne]"},
        {"perplexity", 0, "X", M_PERP, "t-SNE perplexity [30]"},
        {"iters", 0, "N", M_ITERS, "t-SNE iterations, 250 of them with early exaggeration [1000]"},
        {"from", 0, "F", M_FROM, "input format [from the name]"},
        {"json", 0, NULL, M_JSON, "print the method, rows and KL divergence as JSON on stdout"},
        {"quiet", 'q', NULL, M_QUIET, "no progress or summary on stderr"}, {0}};
    static const cli_spec S = {"map", "usage: latent map VECS -o MAP [options]\n  a 2-D map of VECS's rows (t-SNE or PCA)\n", opts};
    lt_map_opts mo;
    lt_map_opts_init(&mo);
    const char *out = NULL, *from = NULL, *a;
    long long iv;
    int c, json = 0;
    optind = 1;
    while ((c = cli_getopt(argc, argv, &S, &a)) != CLI_END) {
        switch (c) {
        case CLI_HELP: case CLI_ERROR: return CLI_DONE(c);
        case M_OUT: out = a; break;
        case M_METHOD:
            if (!strcmp(a, "tsne")) mo.method = LT_MAP_TSNE;
            else if (!strcmp(a, "pca")) mo.method = LT_MAP_PCA;
            else return cli_usage(S.usage, "--method: tsne or pca");
            break;
        case M_PERP: if (!cli_float(a, 1e-3, 1e6, &mo.perplexity)) return cli_usage(S.usage, "--perplexity must be positive"); break;
        case M_ITERS: if (!cli_int(a, 251, 1000000, &iv)) return cli_usage(S.usage, "--iters must be above 250"); mo.iters = (int)iv; break;
        case M_FROM: if (lt_format_from_name(a) == LT_FMT_AUTO) return cli_usage(S.usage, "unknown format '%s'", a); from = a; break;
        case M_JSON: json = 1; break;
        case M_QUIET: cli_set_quiet(1); break;
        }
    }
    if (optind != argc - 1 || !out) return cli_usage(S.usage, "map: expected VECS and -o MAP");
    lt_format f = lt_format_from_path(out);
    if (f == LT_FMT_AUTO) return cli_usage(S.usage, "cannot tell the format of '%s' from its name", out);
    double t0 = lt_now();
    lt_vecs *V = NULL;
    int r = cli_load(argv[optind], from, &V);
    if (r) return r;
    lt_vecs *M = lt_vecs_new(V->n, 2);
    float *Y = lt_malloc((size_t)V->n * 2 * 4 + 4);
    lt_progress pg;
    lt_progress_init(&pg, stderr, cli_quiet(), "t-SNE", "iterations", mo.iters);
    mo.progress = &pg;
    lt_map_result res;
    if (!M || !Y) r = (lt_err(LT_ENOMEM, "out of memory"), cli_fail("map"));
    if (!r && lt_map(V, &mo, Y, &res)) r = cli_fail("map");
    if (mo.method == LT_MAP_TSNE) lt_progress_end(&pg, mo.iters);
    for (int64_t i = 0; !r && i < V->n; i++) {
        lt_vecs_row(M, i)[0] = Y[2 * i]; lt_vecs_row(M, i)[1] = Y[2 * i + 1];
        if (V->labels && lt_vecs_set_label(M, i, V->labels[i])) r = cli_fail("map");
    }
    if (!r) {
        lt_vecs_meta_set(M, "method", mo.method == LT_MAP_PCA ? "pca" : "tsne");
        r = lt_vecs_save(M, out, f, NULL) ? cli_fail("map") : 0;
    }
    if (!r && json) {
        printf("{\"method\": \"%s\", \"rows\": %lld, \"kl_divergence\": ", mo.method == LT_MAP_PCA ? "pca" : "tsne", (long long)V->n);
        cli_json_num(stdout, mo.method == LT_MAP_PCA ? NAN : res.kl_divergence);
        printf(", \"seconds\": ");
        cli_json_num(stdout, lt_now() - t0);
        puts("}");
    }
    if (!r && !cli_quiet())
        fprintf(stderr, "latent: map: %lld rows, %s (KL divergence %.4f) in %.2fs -> %s\n", (long long)V->n, mo.method == LT_MAP_PCA ? "pca" : "t-SNE",
                mo.method == LT_MAP_PCA ? NAN : res.kl_divergence, lt_now() - t0, out);
    lt_free(Y); lt_vecs_free(M); lt_vecs_free(V);
    return r;
}
