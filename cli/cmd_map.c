/* latent map: 2-D coordinates of rows (t-SNE, UMAP, PCA) */
#include "cli.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

int cmd_map(int argc, char **argv) {
    enum {
        M_OUT = 1,
        M_METHOD,
        M_PERP,
        M_ITERS,
        M_SOLVER,
        M_THETA,
        M_NEIGH,
        M_MINDIST,
        M_EPOCHS,
        M_THREADS,
        M_SEED,
        M_FROM,
        M_JSON,
        M_QUIET
    };
    static const cli_opt opts[] = {
        { "output", 'o', "F", M_OUT,
                "the map: n rows of 2 (x, y) with the rows' labels; .tsv, .npy (float32, input order), any vector format (required)" },
        { "method", 0, "M", M_METHOD, "tsne, umap or pca [tsne]" },
        { "perplexity", 0, "X", M_PERP, "t-SNE perplexity [30]" },
        { "iters", 0, "N", M_ITERS,
                "t-SNE iterations, 250 of them with early exaggeration [1000]" },
        { "solver", 0, "S", M_SOLVER,
                "t-SNE: exact (O(n^2), up to 20000 rows), barnes-hut, or auto (exact up to 2000 rows) [auto]" },
        { "theta", 0, "X", M_THETA,
                "Barnes-Hut angle: cells with width < theta x distance are summarised [0.5]" },
        { "neighbors", 0, "N", M_NEIGH, "UMAP neighbours [15]" },
        { "min-dist", 0, "X", M_MINDIST, "UMAP minimum distance of the layout [0.1]" },
        { "epochs", 0, "N", M_EPOCHS, "UMAP epochs; 0: 500 up to 10000 rows, 200 beyond [0]" },
        { "threads", 't', "N", M_THREADS, "threads [all cores]" },
        { "seed", 's', "N", M_SEED, "UMAP's sampling [1]" },
        { "from", 0, "F", M_FROM, "input format [from the name]" },
        { "json", 0, NULL, M_JSON, "print the method, rows and KL divergence as JSON on stdout" },
        { "quiet", 'q', NULL, M_QUIET, "no progress or summary on stderr" }, { 0 }
    };
    static const cli_spec S = { "map",
        "usage: latent map VECS -o MAP [options]\n  a 2-D map of VECS's rows (t-SNE, UMAP or PCA)\n",
        opts };
    lt_map_opts mo;
    lt_map_opts_init(&mo);
    const char *out = NULL, *from = NULL, *a;
    long long iv;
    const char *tsne_opt = NULL, *umap_opt = NULL;
    int perp_given = 0;
    int c, json = 0;
    mo.n_threads = lt_cpu_count();
    optind = 1;
    while ((c = cli_getopt(argc, argv, &S, &a)) != CLI_END) {
        switch (c) {
        case CLI_HELP:
        case CLI_ERROR: return CLI_DONE(c);
        case M_OUT: out = a; break;
        case M_METHOD:
            if (!strcmp(a, "tsne")) mo.method = LT_MAP_TSNE;
            else if (!strcmp(a, "pca")) mo.method = LT_MAP_PCA;
            else if (!strcmp(a, "umap")) mo.method = LT_MAP_UMAP;
            else return cli_usage(S.usage, "--method: tsne, umap or pca");
            break;
        case M_SOLVER:
            if (!strcmp(a, "exact")) mo.exact = 1;
            else if (!strcmp(a, "barnes-hut") || !strcmp(a, "bh")) mo.exact = 0;
            else if (!strcmp(a, "auto")) mo.exact = -1;
            else return cli_usage(S.usage, "--solver: exact, barnes-hut or auto");
            tsne_opt = "--solver";
            break;
        case M_THETA:
            if (!cli_float(a, 1e-6, 1, &mo.theta))
                return cli_usage(S.usage, "--theta must be in (0, 1]");
            tsne_opt = "--theta";
            break;
        case M_NEIGH:
            if (!cli_int(a, 2, 10000, &iv))
                return cli_usage(S.usage, "--neighbors must be 2..10000");
            mo.n_neighbors = (int)iv;
            umap_opt = "--neighbors";
            break;
        case M_MINDIST:
            if (!cli_float(a, 0, 100, &mo.min_dist))
                return cli_usage(S.usage, "--min-dist must be in [0, 100]");
            umap_opt = "--min-dist";
            break;
        case M_EPOCHS:
            if (!cli_int(a, 0, 1000000, &iv))
                return cli_usage(S.usage, "--epochs must be 0..1000000");
            mo.epochs = (int)iv;
            umap_opt = "--epochs";
            break;
        case M_THREADS:
            if (!cli_int(a, 1, 256, &iv)) return cli_usage(S.usage, "--threads must be 1..256");
            mo.n_threads = (int)iv;
            break;
        case M_SEED:
            if (!cli_int(a, 0, INT64_MAX, &iv)) return cli_usage(S.usage, "--seed must be >= 0");
            mo.seed = (uint64_t)iv;
            umap_opt = "--seed";
            break;
        case M_PERP:
            if (!cli_float(a, 1e-3, 1e6, &mo.perplexity))
                return cli_usage(S.usage, "--perplexity must be a number from %g to %g", 1e-3, 1e6);
            tsne_opt = "--perplexity";
            perp_given = 1;
            break;
        case M_ITERS:
            if (!cli_int(a, 251, 1000000, &iv))
                return cli_usage(S.usage, "--iters must be above 250");
            mo.iters = (int)iv;
            tsne_opt = "--iters";
            break;
        case M_FROM:
            if (lt_format_from_name(a) == LT_FMT_AUTO)
                return cli_usage(S.usage, "unknown format '%s'", a);
            from = a;
            break;
        case M_JSON: json = 1; break;
        case M_QUIET: cli_set_quiet(1); break;
        }
    }
    if (optind != argc - 1 || !out) return cli_usage(S.usage, "map: expected VECS and -o MAP");
    if (tsne_opt && mo.method != LT_MAP_TSNE)
        return cli_usage(S.usage, "%s belongs to --method tsne", tsne_opt);
    if (umap_opt && mo.method != LT_MAP_UMAP)
        return cli_usage(S.usage, "%s belongs to --method umap", umap_opt);
    lt_format f = lt_format_from_path(out);
    if (f == LT_FMT_AUTO)
        return cli_usage(S.usage, "cannot tell the format of '%s' from its name", out);
    double t0 = lt_now();
    lt_vecs *V = NULL;
    int r = cli_load(argv[optind], from, &V);
    if (r) return r;
    if (mo.method == LT_MAP_TSNE && !perp_given && V->n <= 90 &&
            V->n >= 4) { /* the default needs 3 x 30 rows */
        mo.perplexity = (double)(V->n - 1) / 3.5;
        if (!cli_quiet())
            fprintf(stderr,
                    "latent: map: %lld rows: perplexity %.3g instead of 30 (it must stay below a third of the rows)\n",
                    (long long)V->n, mo.perplexity);
    }
    lt_vecs *M = lt_vecs_new(V->n, 2);
    float *Y = lt_malloc((size_t)V->n * 2 * 4 + 4);
    lt_progress pg;
    int umap = mo.method == LT_MAP_UMAP;
    const char *mname = mo.method == LT_MAP_PCA ? "pca" : umap ? "umap" : "tsne";
    lt_progress_init(&pg, NULL, umap ? "UMAP" : "t-SNE", umap ? "epochs" : "iterations",
            umap ? (mo.epochs                     ? mo.epochs
                                   : V->n > 10000 ? 200
                                                  : 500)
                 : mo.iters);
    mo.progress = &pg;
    lt_map_result res;
    if (!M || !Y) r = (lt_err(LT_ENOMEM, "out of memory"), cli_fail("map"));
    if (!r && lt_map(V, &mo, Y, &res)) r = cli_fail("map");
    if (mo.method != LT_MAP_PCA) lt_progress_end(&pg, pg.total);
    for (int64_t i = 0; !r && i < V->n; i++) {
        lt_vecs_row(M, i)[0] = Y[2 * i];
        lt_vecs_row(M, i)[1] = Y[2 * i + 1];
        if (V->labels && lt_vecs_set_label(M, i, V->labels[i])) r = cli_fail("map");
    }
    if (!r) {
        lt_vecs_meta_set(M, "method", mname);
        r = lt_vecs_save(M, out, f, NULL) ? cli_fail("map") : 0;
    }
    if (!r && json) {
        printf("{\"method\": \"%s\", \"solver\": \"%s\", \"rows\": %lld, \"threads\": %d, \"kl_divergence\": ",
                mname,
                mo.method != LT_MAP_TSNE ? ""
                        : res.exact      ? "exact"
                                         : "barnes-hut",
                (long long)V->n, mo.n_threads);
        cli_json_num(stdout, mo.method == LT_MAP_TSNE ? res.kl_divergence : NAN);
        printf(", \"seconds\": ");
        cli_json_num(stdout, lt_now() - t0);
        puts("}");
    }
    if (!r && !cli_quiet()) {
        const char *how = mo.method == LT_MAP_TSNE ? (res.exact ? " exact" : " barnes-hut") : "";
        if (mo.method == LT_MAP_TSNE)
            fprintf(stderr,
                    "latent: map: %lld rows, tsne%s (KL divergence %.4f), %d threads, in %.2fs -> %s\n",
                    (long long)V->n, how, res.kl_divergence, mo.n_threads, lt_now() - t0, out);
        else if (umap)
            fprintf(stderr, "latent: map: %lld rows, umap, %d threads, in %.2fs -> %s\n",
                    (long long)V->n, mo.n_threads, lt_now() - t0, out);
        else
            fprintf(stderr, "latent: map: %lld rows, pca in %.2fs -> %s\n", (long long)V->n,
                    lt_now() - t0, out);
    }
    lt_free(Y);
    lt_vecs_free(M);
    lt_vecs_free(V);
    return r;
}
