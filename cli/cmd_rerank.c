/* latent rerank: a cross-encoder's scores of (query, document) pairs, sorted */
#include "cli.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { R_IN = 1, R_JSONL, R_JSON, R_RAW, R_TOPK, R_TEXT, R_THREADS, R_BATCH, R_MAXSEQ, R_QUIET };

typedef struct {
    int64_t i;
    float s;
} scored;
static int by_score(const void *a, const void *b) { /* descending, ties by input order */
    const scored *x = a, *y = b;
    if (x->s != y->s) return x->s > y->s ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

int cmd_rerank(int argc, char **argv) {
    static const cli_opt opts[] = { { "input", 'i', "FILE", R_IN,
                                            "the documents, one per line ['-' = stdin]" },
        { "jsonl", 0, NULL, R_JSONL, "JSON Lines documents: a string, or an object with \"text\"" },
        { "json", 0, NULL, R_JSON,
                "print TEI's /rerank shape: [{\"index\": i, \"score\": s}, ...]" },
        { "raw-scores", 0, NULL, R_RAW, "the head's logits, not CrossEncoder's sigmoid of them" },
        { "top-k", 'k', "N", R_TOPK, "only the N best [all]" },
        { "return-text", 0, NULL, R_TEXT, "with --json: each result's \"text\" too" },
        { "max-seq", 0, "N", R_MAXSEQ,
                "tokens per pair, specials included (longest first) [from the model folder]" },
        { "batch", 0, "N", R_BATCH, "pairs per forward pass, packed without padding [32]" },
        { "threads", 't', "N", R_THREADS, "threads inside each forward pass [number of CPUs]" },
        { "quiet", 'q', NULL, R_QUIET, "no summary on stderr" }, { 0 } };
    static const cli_spec S = { "rerank",
        "usage: latent rerank MODEL_DIR QUERY [options]\n"
        "  scores each document against QUERY with a cross-encoder (a *ForSequenceClassification folder)\n"
        "  as sentence-transformers' CrossEncoder does, best first: index, score, document\n",
        opts };
    const char *U = S.usage, *in = "-", *a;
    int jsonl = 0, json = 0, raw = 0, text = 0, batch = 32, threads = lt_cpu_count(), max_seq = 0,
        c;
    long long iv, topk = -1;
    optind = 1;
    while ((c = cli_getopt(argc, argv, &S, &a)) != CLI_END) {
        switch (c) {
        case CLI_HELP:
        case CLI_ERROR: return CLI_DONE(c);
        case R_IN: in = a; break;
        case R_JSONL: jsonl = 1; break;
        case R_JSON: json = 1; break;
        case R_RAW: raw = 1; break;
        case R_TEXT: text = 1; break;
        case R_TOPK:
            if (!cli_int(a, 1, INT64_MAX, &iv))
                return cli_usage(U, "--top-k must be a positive integer");
            topk = iv;
            break;
        case R_MAXSEQ:
            if (!cli_int(a, 3, 1 << 20, &iv)) return cli_usage(U, "--max-seq must be >= 3");
            max_seq = (int)iv;
            break;
        case R_BATCH:
            if (!cli_int(a, 1, 1 << 16, &iv)) return cli_usage(U, "--batch must be 1..65536");
            batch = (int)iv;
            break;
        case R_THREADS:
            if (!cli_int(a, 1, 256, &iv)) return cli_usage(U, "--threads must be 1..256");
            threads = (int)iv;
            break;
        case R_QUIET: cli_set_quiet(1); break;
        }
    }
    if (argc - optind != 2) return cli_usage(U, "rerank: expected MODEL_DIR and QUERY");
    if (text && !json)
        return cli_usage(U,
                "--return-text shapes the --json output (the plain output always shows the text)");
    lt_bert_opts o;
    lt_bert_opts_init(&o);
    o.max_seq = max_seq;
    lt_bert *m;
    if (lt_bert_load(&m, argv[optind], &o)) return cli_fail("rerank");
    if (lt_bert_num_labels(m) != 1) {
        int nl = lt_bert_num_labels(m);
        lt_bert_free(m);
        if (!nl) {
            fprintf(stderr,
                    "latent: rerank: %s is not a cross-encoder (config.json names no *ForSequenceClassification)\n",
                    argv[optind]);
            return 1;
        }
        fprintf(stderr, "latent: rerank: %s has %d labels; reranking needs one score per pair\n",
                argv[optind], nl);
        return 1;
    }
    cli_inputs docs = { 0 };
    if (cli_read_inputs(in, jsonl, NULL, &docs)) {
        cli_free_inputs(&docs);
        lt_bert_free(m);
        return 1;
    }
    const char *q = argv[optind + 1];
    size_t ql = strlen(q);
    int64_t n = docs.n;
    scored *r = malloc(sizeof *r * (size_t)(n ? n : 1));
    const char **qs = malloc(sizeof(char *) * (size_t)batch);
    size_t *qls = malloc(sizeof(size_t) * (size_t)batch);
    float *sc = malloc(sizeof(float) * (size_t)batch);
    int rc = r && qs && qls && sc ? 0 : cli_fail("rerank");
    for (int k = 0; !rc && k < batch; k++) {
        qs[k] = q;
        qls[k] = ql;
    }
    double t0 = lt_now();
    for (int64_t i = 0; !rc && i < n; i += batch) {
        int nb = (int)(n - i < batch ? n - i : batch);
        if (lt_bert_score_pairs(m, qs, qls, (const char *const *)docs.text + i, docs.len + i, nb,
                    sc, threads)) {
            fprintf(stderr, "latent: rerank: %s: documents %lld..%lld: %s\n",
                    strcmp(in, "-") ? in : "<stdin>", (long long)i + 1, (long long)(i + nb),
                    lt_errmsg());
            rc = 1;
            break;
        }
        for (int k = 0; k < nb; k++)
            r[i + k] = (scored){ i + k, raw ? sc[k] : (float)(1 / (1 + exp(-(double)sc[k]))) };
    }
    if (!rc) {
        qsort(r, (size_t)n, sizeof *r, by_score);
        int64_t show = topk >= 0 && topk < n ? topk : n;
        if (json) {
            putchar('[');
            for (int64_t k = 0; k < show; k++) {
                printf("%s{\"index\": %lld, \"score\": ", k ? ", " : "", (long long)r[k].i);
                cli_json_num(stdout, r[k].s);
                if (text) {
                    fputs(", \"text\": ", stdout);
                    cli_json_str(stdout, docs.text[r[k].i]);
                }
                putchar('}');
            }
            puts("]");
        } else
            for (int64_t k = 0; k < show; k++)
                printf("%lld\t%.7g\t%s\n", (long long)r[k].i, r[k].s, docs.text[r[k].i]);
        if (!cli_quiet())
            fprintf(stderr,
                    "latent: reranked %lld documents in %.2fs (%d threads, batches of %d, max-seq %d)%s\n",
                    (long long)n, lt_now() - t0, threads, batch, lt_bert_max_seq(m),
                    raw ? "; raw scores" : "; sigmoid scores");
    }
    free(r);
    free(qs);
    free(qls);
    free(sc);
    cli_free_inputs(&docs);
    lt_bert_free(m);
    return rc;
}
