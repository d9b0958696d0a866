/* latent serve: parses the options into the server's state (serve/serve.h) and runs it */
#include "../serve/serve.h"
#include "cli.h"
#include <stdlib.h>
#include <string.h>

enum {
    S_MODEL = 1,
    S_VECS,
    S_INDEX,
    S_LISTEN,
    S_THREADS,
    S_HTTP,
    S_TOKENS,
    S_BINPUTS,
    S_CONC,
    S_BODY,
    S_INPUTS,
    S_KEYS,
    S_RO,
    S_TIMEOUT,
    S_QUIET,
    S_MAP,
    S_TRUNC
};

/* NAME=PATH, or PATH (named after its last component) */
static void split_named(char *a, const char **name, const char **path) {
    char *eq = strchr(a, '=');
    if (eq) {
        *eq = 0;
        *name = a;
        *path = eq + 1;
        return;
    }
    *path = a;
    size_t n = strlen(a);
    while (n > 1 && a[n - 1] == '/') a[--n] = 0;
    const char *sl = strrchr(a, '/');
    *name = sl ? sl + 1 : a;
}

static int read_keys(srv *s, const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "latent: serve: --api-key-file %s: cannot open it\n", path);
        return 1;
    }
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        size_t n = strcspn(line, "\r\n");
        line[n] = 0;
        if (!n || line[0] == '#') continue;
        char **k = realloc(s->keys, sizeof(char *) * (size_t)(s->n_keys + 1));
        if (!k || !(k[s->n_keys] = strdup(line))) {
            fclose(f);
            if (k) s->keys = k;
            return cli_fail("serve");
        }
        s->keys = k;
        s->n_keys++;
    }
    fclose(f);
    if (!s->n_keys) {
        fprintf(stderr, "latent: serve: --api-key-file %s holds no key (one per line)\n", path);
        return 1;
    }
    return 0;
}

int cmd_serve(int argc, char **argv) {
    static const cli_opt opts[] = {
        { "model", 'm', "NAME=DIR", S_MODEL,
                "a model folder (embedding model or cross-encoder), served as NAME [repeatable]" },
        { "vectors", 0, "NAME=FILE", S_VECS,
                "a vector set for /similar, /vectors and exact /search [repeatable]" },
        { "index", 0, "NAME=FILE", S_INDEX,
                "an HNSW index for /search (its labels: the vectors of the same NAME) [repeatable]" },
        { "map", 0, "NAME=FILE", S_MAP,
                "the view's map of the vectors NAME (a `latent map` output) [UMAP of its first 5000 rows, at start]" },
        { "listen", 'l', "HOST:PORT", S_LISTEN,
                "address to listen on (port 0: any free one) [127.0.0.1:8080]" },
        { "threads", 't', "N", S_THREADS, "encoder threads [number of CPUs]" },
        { "http-threads", 0, "N", S_HTTP,
                "threads reading and answering connections (and running searches) [number of CPUs, at most 16]" },
        { "max-batch-tokens", 0, "N", S_TOKENS,
                "tokens per encoder batch, across requests [4096]" },
        { "max-batch-inputs", 0, "N", S_BINPUTS, "inputs per encoder batch [64]" },
        { "max-concurrent", 0, "N", S_CONC, "requests in flight; 429 beyond [512]" },
        { "max-body", 0, "BYTES", S_BODY, "largest request body; 413 beyond [8388608]" },
        { "max-inputs", 0, "N", S_INPUTS,
                "inputs (or query vectors) per request; 413 beyond [1024]" },
        { "api-key-file", 0, "F", S_KEYS,
                "require 'Authorization: Bearer KEY' with one of the keys in F (one per line)" },
        { "auto-truncate", 0, NULL, S_TRUNC,
                "cut inputs longer than the model's limit unless a request says \"truncate\": false [413 unless it says true, as TEI]" },
        { "read-only", 0, NULL, S_RO,
                "refuse /index/add and /index/delete; open indexes unlocked" },
        { "timeout", 0, "SECONDS", S_TIMEOUT, "close connections idle this long [30]" },
        { "quiet", 'q', NULL, S_QUIET, "no start and stop lines on stderr" }, { 0 }
    };
    static const cli_spec S = { "serve",
        "usage: latent serve [--model NAME=DIR ...] [--vectors NAME=FILE ...] [--index NAME=FILE ...] [options]\n"
        "  embedding, reranking, tokenisation and search over HTTP: text-embeddings-inference's routes\n"
        "  (/embed, /embed_all, /rerank, /similarity, /tokenize, /info, /health, /metrics), OpenAI's\n"
        "  (/v1/embeddings, /v1/models) and /search, /similar, /vectors/LABEL, /index/add, /index/delete;\n"
        "  SIGTERM or Ctrl-C finishes the requests in flight, writes the indexes and exits (docs/serve.md)\n",
        opts };
    const char *U = S.usage, *a, *keys = NULL;
    srv *s = calloc(1, sizeof *s);
    if (!s) return cli_fail("serve");
    srv_init(s);
    char *named[4][SRV_MAX_NAMED];
    int nn[4] = { 0, 0, 0, 0 }, c, r = 0;
    long long iv;
    optind = 1;
    while (!r && (c = cli_getopt(argc, argv, &S, &a)) != CLI_END) {
        switch (c) {
        case CLI_HELP:
        case CLI_ERROR: r = CLI_DONE(c) ? CLI_DONE(c) : -1; break; /* -1: help shown */
        case S_MODEL:
        case S_VECS:
        case S_INDEX:
            if (nn[c - S_MODEL] == SRV_MAX_NAMED)
                r = cli_usage(U, "at most %d of each", SRV_MAX_NAMED);
            else named[c - S_MODEL][nn[c - S_MODEL]++] = (char *)a;
            break;
        case S_MAP:
            if (nn[3] == SRV_MAX_NAMED) r = cli_usage(U, "at most %d maps", SRV_MAX_NAMED);
            else if (!strchr(a, '=')) r = cli_usage(U, "--map NAME=FILE: name the vector set");
            else named[3][nn[3]++] = (char *)a;
            break;
        case S_LISTEN: s->listen = a; break;
        case S_THREADS:
            if (!cli_int(a, 1, 64, &iv)) r = cli_usage(U, "--threads must be 1..64");
            s->threads = (int)iv;
            break;
        case S_HTTP:
            if (!cli_int(a, 1, 64, &iv)) r = cli_usage(U, "--http-threads must be 1..64");
            s->http_threads = (int)iv;
            break;
        case S_TOKENS:
            if (!cli_int(a, 1, 1 << 24, &iv)) r = cli_usage(U, "--max-batch-tokens must be >= 1");
            s->max_batch_tokens = (int)iv;
            break;
        case S_BINPUTS:
            if (!cli_int(a, 1, 1024, &iv)) r = cli_usage(U, "--max-batch-inputs must be 1..1024");
            s->max_batch_inputs = (int)iv;
            break;
        case S_CONC:
            if (!cli_int(a, 1, 1 << 20, &iv)) r = cli_usage(U, "--max-concurrent must be >= 1");
            s->max_concurrent = (int)iv;
            break;
        case S_BODY:
            if (!cli_int(a, 64, (long long)1 << 32, &iv))
                r = cli_usage(U, "--max-body must be 64 .. 4 GiB");
            s->max_body = iv;
            break;
        case S_INPUTS:
            if (!cli_int(a, 1, 1 << 20, &iv)) r = cli_usage(U, "--max-inputs must be >= 1");
            s->max_inputs = (int)iv;
            break;
        case S_KEYS: keys = a; break;
        case S_RO: s->read_only = 1; break;
        case S_TRUNC: s->auto_truncate = 1; break;
        case S_TIMEOUT:
            if (!cli_int(a, 1, 86400, &iv)) r = cli_usage(U, "--timeout must be 1..86400 seconds");
            s->timeout_s = (int)iv;
            break;
        case S_QUIET:
            s->quiet = 1;
            cli_set_quiet(1);
            break;
        }
    }
    if (r == -1) {
        srv_free(s);
        free(s);
        return 0;
    }
    if (!r && argc > optind) r = cli_usage(U, "serve: unexpected argument '%s'", argv[optind]);
    if (!r && !nn[0] && !nn[1] && !nn[2])
        r = cli_usage(U, "serve: give at least one --model, --vectors or --index");
    if (!r && keys) r = read_keys(s, keys);
    /* vectors before indexes: an index takes its labels from the vectors of its name */
    static const int order[3] = { 0, 1, 2 };
    for (int o = 0; !r && o < 3; o++)
        for (int i = 0; !r && i < nn[order[o]]; i++) {
            const char *name, *path;
            split_named(named[order[o]][i], &name, &path);
            int rc = order[o] == 0  ? srv_add_model(s, name, path)
                    : order[o] == 1 ? srv_add_vectors(s, name, path)
                                    : srv_add_index(s, name, path);
            if (rc) {
                fprintf(stderr, "latent: serve: %s %s: %s\n",
                        order[o] == 0           ? "--model"
                                : order[o] == 1 ? "--vectors"
                                                : "--index",
                        path, lt_errmsg());
                r = 1;
            }
        }
    for (int i = 0; !r && i < nn[3]; i++) {
        const char *name, *path;
        split_named(named[3][i], &name, &path);
        if (srv_set_map(s, name, path)) r = cli_fail("serve");
    }
    if (!r && srv_run(s)) r = cli_fail("serve");
    if (!r && !s->quiet) fprintf(stderr, "latent: serve: stopped\n");
    srv_free(s);
    free(s);
    return r;
}
