/* libFuzzer harness: latent serve's request handling (serve/routes.c) without sockets. Byte 0
 * picks the method and route; the rest is the JSON body (POST) or the query value (GET). Jobs
 * run inline on this thread, as the workers would run them; GET /map computes the view's map. Models: the tiny DistilBERT
 * embedding model and the BERT cross-encoder of tests/fixtures; vectors and a writable index
 * (its journal in build-fuzz). */
#include "../serve/serve.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static srv g_s;
static void nothing(srv_job *j) { (void)j; }

static const char *posts[] = { "/embed", "/embed_all", "/rerank", "/similarity", "/v1/embeddings",
    "/search", "/index/add", "/tokenize", "/index/delete", "/decode" };
static const char *gets[] = { "/health", "/info", "/v1/models", "/metrics", "/similar", "/vectors/",
    "/nope", "/map", "/", "/view.js" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static int loaded;
    if (!loaded) {
        loaded = 1;
        srv_init(&g_s);
        g_s.max_inputs = 64;
        FILE *f = fopen("build-fuzz/serve_w.txt", "w");
        if (f) {
            fprintf(f,
                    "4 4\nking 1 0 0 0\nqueen 0.9 0.1 0 0\nquick 0 1 0 0\nroyal 0.5 0.5 0.5 0\n");
            fclose(f);
        }
        lt_vecs *v;
        if (lt_vecs_load("build-fuzz/serve_w.txt", LT_FMT_AUTO, &v) == LT_OK) {
            lt_hnsw_opts o;
            lt_hnsw_opts_init(&o);
            o.metric = LT_METRIC_COS;
            lt_hnsw *h;
            if (lt_hnsw_new(&h, 4, &o) == LT_OK) {
                lt_hnsw_add_store(h, v, 0, 1);
                lt_hnsw_save(h, "build-fuzz/serve_w.lhnsw");
                lt_hnsw_free(h);
            }
            lt_vecs_free(v);
        }
        remove("build-fuzz/serve_w.lhnsw.journal");
        if (srv_add_model(&g_s, "emb", "tests/fixtures/encoders/distilbert/st") ||
                srv_add_model(&g_s, "cross", "tests/fixtures/encoders/bert-cross/model") ||
                srv_add_vectors(&g_s, "w", "build-fuzz/serve_w.txt") ||
                srv_add_index(&g_s, "w", "build-fuzz/serve_w.lhnsw")) {
            fprintf(stderr, "fuzz_serve: set-up failed: %s\n", lt_errmsg());
            abort();
        }
    }
    if (size < 1) return 0;
    int k = data[0] % 21;
    const char *body = (const char *)data + 1;
    size_t len = size - 1;
    srv_reply rep = { 0 };
    srv_job *job = NULL;
    int done;
    if (k < 10) done = srv_route(&g_s, "POST", posts[k], NULL, body, len, &rep, &job);
    else {
        char *q = strndup(body, len), path[256];
        int g = k - 10; /* 0..10: a GET route; 10: DELETE */
        const char *args[] = { "word", q, "k", q, "vectors", g == 7 ? q : "w", NULL };
        snprintf(path, sizeof path, "%s%s", gets[g % 10], g == 5 ? q : "");
        done = srv_route(&g_s, g == 10 ? "DELETE" : "GET", path, args, NULL, 0, &rep, &job);
        free(q);
    }
    if (!done) {
        job->finished = nothing;
        srv_run_inline(&g_s, job);
        srv_finish(&g_s, job, &rep);
        srv_job_free(job);
    }
    if (rep.status < 200 || rep.status > 599) abort(); /* every request gets a real status */
    sb_free(&rep.body);
    return 0;
}
