/* latent report: measured qualities of a representation, task evaluations, and the HTML page */
#include "cli.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
    O_LABELS = 1,
    O_SOURCE,
    O_K,
    O_SAMPLE,
    O_SEED,
    O_JSON,
    O_OUT,
    O_FROM,
    O_QUIET,
    O_EVAL,
    O_THREADS,
    O_MAPROWS,
    O_MODEL
};

/* a stage line on stderr, shown as progress is: on a terminal, without -q */
static void stage(const char *fmt, long long a, long long b, const char *s) {
    if (cli_quiet() || !isatty(2)) return;
    fputs("latent: report: ", stderr);
    if (s) fprintf(stderr, fmt, s);
    else fprintf(stderr, fmt, a, b);
    fputs("...\n", stderr);
}

int cmd_report(int argc, char **argv) {
    static const cli_opt opts[] = {
        { "labels", 0, "F", O_LABELS,
                "class labels: one per line in row order, 'id label' lines keyed by the vectors' labels, or IDX: adds the silhouette and the probes" },
        { "source", 0, "F", O_SOURCE,
                "the same rows before encoding: adds trustworthiness, continuity, kNN overlap" },
        { "model", 0, "M", O_MODEL,
                "the pca or autoencoder model that encoded --source: adds its reconstruction error and explained variance" },
        { "k", 'k', "N", O_K, "neighbourhood size [10]" },
        { "sample", 0, "N", O_SAMPLE, "rows sampled (seeded) for every metric; 0 = all [2000]" },
        { "seed", 's', "N", O_SEED, "the sample and the random pairs [1]" },
        { "eval-dir", 0, "DIR", O_EVAL,
                "also run the evaluation files of DIR: analogy sets, similarity sets, node labels (by content)" },
        { "map-rows", 0, "N", O_MAPROWS, "HTML: rows sampled for the t-SNE and UMAP maps [5000]" },
        { "threads", 't', "N", O_THREADS, "threads [number of CPUs]" },
        { "from", 0, "F", O_FROM, "format of VECS and --source [from the names]" },
        { "output", 'o', "F", O_OUT,
                "write the report to F instead of stdout; F.html: a self-contained page with the metrics, maps and plots" },
        { "json", 0, NULL, O_JSON,
                "one JSON object, keys in snake case, with k and sample beside them" },
        { "quiet", 'q', NULL, O_QUIET, "no progress or summary on stderr" }, { 0 }
    };
    static const cli_spec S = { "report",
        "usage: latent report VECS [--labels L] [--source X] [options]\n"
        "  is this a good representation? neighbourhood preservation, redundancy, intrinsic dimension,\n"
        "  hubness, cluster separation and probes of VECS's rows, each with the sample it came from\n",
        opts };
    lt_quality_opts qo;
    lt_quality_opts_init(&qo);
    const char *labels = NULL, *source = NULL, *from = NULL, *out = NULL, *evdir = NULL,
               *model = NULL, *a;
    long long iv;
    int c, json = 0, map_rows = 5000, threads = lt_cpu_count();
    optind = 1;
    while ((c = cli_getopt(argc, argv, &S, &a)) != CLI_END) {
        switch (c) {
        case CLI_HELP:
        case CLI_ERROR: return CLI_DONE(c);
        case O_LABELS: labels = a; break;
        case O_SOURCE: source = a; break;
        case O_MODEL: model = a; break;
        case O_K:
            if (!cli_int(a, 1, 100000, &iv))
                return cli_usage(S.usage, "--k must be an integer from %lld to %lld", (long long)1,
                        (long long)(100000));
            qo.k = (int)iv;
            break;
        case O_SAMPLE:
            if (!cli_int(a, 0, 1 << 20, &iv)) return cli_usage(S.usage, "--sample must be 0..2^20");
            qo.sample = iv;
            break;
        case O_SEED:
            if (!cli_int(a, 0, INT64_MAX, &iv)) return cli_usage(S.usage, "--seed must be >= 0");
            qo.seed = (uint64_t)iv;
            break;
        case O_FROM:
            if (lt_format_from_name(a) == LT_FMT_AUTO)
                return cli_usage(S.usage, "unknown format '%s'", a);
            from = a;
            break;
        case O_OUT: out = a; break;
        case O_EVAL: evdir = a; break;
        case O_MAPROWS:
            if (!cli_int(a, 3, 1 << 20, &iv))
                return cli_usage(S.usage, "--map-rows must be 3..2^20");
            map_rows = (int)iv;
            break;
        case O_THREADS:
            if (!cli_int(a, 1, 1024, &iv)) return cli_usage(S.usage, "--threads must be 1..1024");
            threads = (int)iv;
            break;
        case O_JSON: json = 1; break;
        case O_QUIET: cli_set_quiet(1); break;
        }
    }
    if (optind != argc - 1) return cli_usage(S.usage, "report: expected VECS");
    if (model && !source)
        return cli_usage(S.usage, "--model needs --source: the rows the model encoded");
    size_t ol = out ? strlen(out) : 0;
    int html = ol > 5 && !strcmp(out + ol - 5, ".html");
    if (map_rows != 5000 && !html)
        return cli_usage(S.usage, "--map-rows is for an HTML report (-o F.html)");
    qo.n_threads = threads;
    double t0 = lt_now();
    lt_vecs *V = NULL, *X = NULL;
    int r = cli_load(argv[optind], from, &V);
    if (r) return r;
    if (source && (r = cli_load(source, from, &X))) {
        lt_vecs_free(V);
        return r;
    }
    int *y = NULL, nc = 0;
    lt_classes *cl = NULL;
    if (labels) {
        cl = lt_classes_new();
        y = lt_malloc((size_t)V->n * sizeof(int));
        /* classes numbered in sorted name order, so the probes do not depend on the file's order */
        if (!cl || !y || lt_classes_read(cl, labels, V->n, V, y) ||
                lt_classes_sort(cl, y, V->n, NULL, 0))
            r = cli_fail("report");
        nc = cl ? lt_classes_count(cl) : 0;
    }
    lt_quality_result q;
    if (!r)
        stage("metrics on %lld of %lld rows", qo.sample > 0 && qo.sample < V->n ? qo.sample : V->n,
                V->n, NULL);
    if (!r && lt_quality(V, X, y, nc, &qo, &q)) r = cli_fail("report");
    if (!r && !cli_quiet() && q.dead_dims == q.d)
        fprintf(stderr,
                "latent: report: warning: every dimension is constant over the sample (identical rows?): the neighbourhood and isotropy figures mean nothing\n");
    if (!r && model) {
        stage("reconstruction of %s", 0, 0, source);
        lt_model *m = NULL;
        lt_vecs *Sx = NULL, *R = NULL;
        if (lt_model_load(model, &m) || lt_reconstruct(m, X, threads, &Sx, &R) ||
                lt_reconstruction_error(Sx, R, &q))
            r = cli_fail("report");
        lt_vecs_free(Sx);
        lt_vecs_free(R);
        lt_model_free(m);
    }
    lt_eval_entry *ev = NULL;
    int nev = 0;
    if (!r && evdir) stage("evaluations in %s", 0, 0, evdir);
    if (!r && evdir && lt_eval_dir(V, evdir, threads, &ev, &nev)) r = cli_fail("report");
    if (!r && html) {
        const char **names = nc ? lt_malloc((size_t)nc * sizeof *names) : NULL;
        for (int i = 0; !r && names && i < nc; i++) names[i] = lt_classes_name(cl, i);
        lt_report_opts ro;
        lt_report_opts_init(&ro);
        ro.seed = qo.seed;
        ro.map_rows = map_rows;
        ro.n_threads = threads;
        ro.evals = ev;
        ro.n_evals = nev;
        lt_progress pg;
        lt_progress_init(&pg, NULL, "maps", "", 1);
        ro.progress = &pg;
        if (!r && lt_report_html(out, argv[optind], V, y, nc, names, &q, &ro))
            r = cli_fail("report");
        lt_free(names);
        if (!r && !cli_quiet())
            fprintf(stderr,
                    "latent: report: %lld rows, sample %lld, k %d, %d threads, HTML in %.2fs -> %s\n",
                    (long long)q.n, (long long)q.sample, q.k, threads, lt_now() - t0, out);
        lt_free(ev);
        lt_free(y);
        lt_classes_free(cl);
        lt_vecs_free(V);
        lt_vecs_free(X);
        return r;
    }
    lt_afile af = { 0 };
    FILE *f = stdout;
    if (!r && out) {
        if (lt_afile_open(&af, out)) r = cli_fail("report");
        else f = af.f;
    }
    if (!r) {
        int nm = lt_quality_n_metrics();
        if (json) {
            fprintf(f, "{\"file\": ");
            cli_json_str(f, argv[optind]);
            fprintf(f,
                    ", \"rows\": %lld, \"dim\": %lld, \"k\": %d, \"sample\": %lld, \"seed\": %llu",
                    (long long)q.n, (long long)q.d, q.k, (long long)q.sample,
                    (unsigned long long)qo.seed);
            for (int i = 0; i < nm; i++) {
                fprintf(f, ", \"%s\": ", lt_quality_key(i));
                cli_json_num(f, lt_quality_value(&q, i));
            }
            fputs(", \"probe_curve\": [", f);
            for (int i = 0; i < q.n_curve; i++) {
                fprintf(f, "%s{\"dim\": %d, \"accuracy\": ", i ? ", " : "", q.curve_dim[i]);
                cli_json_num(f, q.curve_acc[i]);
                fputc('}', f);
            }
            fputs("], \"evaluations\": [", f);
            for (int i = 0; i < nev; i++) {
                fputs(i ? ", {\"file\": " : "{\"file\": ", f);
                cli_json_str(f, ev[i].file);
                fprintf(f, ", \"task\": \"%s\", \"metric\": \"%s\", \"value\": ", ev[i].task,
                        ev[i].metric);
                cli_json_num(f, ev[i].value);
                fprintf(f, ", \"used\": %lld, \"total\": %lld, \"note\": ", (long long)ev[i].used,
                        (long long)ev[i].total);
                cli_json_str(f, ev[i].note);
                fputc('}', f);
            }
            fputs("]}\n", f);
        } else {
            fprintf(f, "metric\tvalue\tk\tsample\tmeaning\n");
            for (int i = 0; i < nm; i++)
                if (!isnan(lt_quality_value(&q, i)))
                    fprintf(f, "%s\t%.6g\t%d\t%lld\t%s\n", lt_quality_key(i),
                            lt_quality_value(&q, i), q.k, (long long)lt_quality_rows(&q, i),
                            lt_quality_meaning(i));
            for (int i = 0; i < q.n_curve; i++)
                fprintf(f,
                        "probe_logreg_accuracy_pc%d\t%.6g\t%d\t%lld\tthe logistic probe on the %d leading principal components\n",
                        q.curve_dim[i], q.curve_acc[i], q.k, (long long)q.sample, q.curve_dim[i]);
            for (int i = 0; i < nev; i++) /* evaluations: the sample column holds the items used */
                fprintf(f, "%s_%s[%s]\t%.6g\t-\t%lld\t%lld of %lld items; %s\n", ev[i].task,
                        ev[i].metric, ev[i].file, ev[i].value, (long long)ev[i].used,
                        (long long)ev[i].used, (long long)ev[i].total, ev[i].note);
        }
        if (out && lt_afile_commit(&af)) r = cli_fail("report");
        if (!r && !cli_quiet())
            fprintf(stderr,
                    "latent: report: %lld rows x %lld, sample %lld (seed %llu), k %d, %d threads in %.2fs\n",
                    (long long)q.n, (long long)q.d, (long long)q.sample,
                    (unsigned long long)qo.seed, q.k, threads, lt_now() - t0);
    }
    lt_free(ev);
    lt_free(y);
    lt_classes_free(cl);
    lt_vecs_free(V);
    lt_vecs_free(X);
    return r;
}
