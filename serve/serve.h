/* latent serve: embedding, reranking, tokenisation and search over HTTP (libmicrohttpd).
 *
 * A front end, like cli/ and python/: it parses requests and prints responses; the work is the
 * library's (lt_bert_*, lt_tokenizer_*, lt_hnsw_*, lt_nearest). Files:
 *   serve.h    the server's state, shared by the files below
 *   http.c     the daemon: connections, bodies, limits, keys, routing, metrics, shutdown
 *   routes.c   one function per route: request JSON in, response JSON out (no sockets: the
 *              fuzz harness and the tests call srv_route directly)
 *   batch.c    the queue of encoder work, cut into ragged batches by a token budget
 *   journal.c  the write-ahead journal of /index/add and /index/delete
 *   json.c     the growable output buffer and JSON writers
 */
#ifndef LT_SERVE_H
#define LT_SERVE_H
#include "latent/latent.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* ---- output buffer (json.c) ---- */
typedef struct sbuf {
    char *p;
    size_t n, cap;
    int oom;
} sbuf;
void sb_free(sbuf *b);
void sb_put(sbuf *b, const char *s, size_t n);
void sb_puts(sbuf *b, const char *s);
void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_str(sbuf *b, const char *s, size_t n); /* a JSON string, escaped */
void sb_float(sbuf *b, float x); /* shortest-exact (%.9g); null for NaN/inf */
void sb_floats(sbuf *b, const float *x, int n); /* [x0, x1, ...] */
void sb_base64(sbuf *b, const void *p, size_t n); /* a JSON string of base64 */

/* ---- what is served ---- */
typedef struct srv_model {
    char name[128], dir[1024];
    lt_bert *m; /* loaded with normalize = 0: each route normalises as its request asks */
    lt_tokenizer *tok; /* the folder's tokenizer.json (NULL for a vocab.txt folder) */
    int dim, max_seq, labels, normalizes; /* normalizes: the folder's default */
} srv_model;

typedef struct srv_vectors {
    char name[128], path[1024];
    lt_vecs *v, *vn; /* vn: unit rows, for cosine neighbours */
    /* the view's 2-D map (--map, else computed once: view.c) and the report's figures */
    pthread_mutex_t map_mu;
    const char *map_path; /* --map NAME=FILE */
    int map_done, map_rc;
    int64_t map_n, *map_ids;
    float *map_xy;
    char map_method[16];
    lt_quality_result quality;
} srv_vectors;

typedef struct srv_index {
    char name[128], path[1024];
    lt_hnsw *h;
    const srv_vectors *labels; /* the vectors of the same name, when they are its base */
    pthread_mutex_t wmu; /* one writer at a time (add/delete/save) */
    int lockfd; /* the file's advisory lock while served writable */
    void *journal; /* journal.c; NULL when read-only */
    int64_t pending, next_checkpoint; /* journal records since the last save; when to save */
} srv_index;

enum { SRV_MAX_NAMED = 32 };
typedef struct srv_metrics {
    _Atomic long long requests, success, failures[5], inputs, tokens, batches, batch_inputs,
            batch_tokens, queue, in_flight;
    _Atomic long long dur_bucket[12], dur_count; /* request seconds: histogram */
    _Atomic long long dur_us_sum;
    _Atomic long long dropped; /* jobs dropped from the queue: their clients went away */
} srv_metrics;

struct srv_job;
typedef struct srv {
    /* configuration (cmd_serve.c fills it) */
    const char *listen;
    int threads, max_batch_tokens, max_batch_inputs, max_concurrent, max_inputs, max_k, max_ef;
    int64_t max_body;
    int read_only, timeout_s, quiet, http_threads;
    int auto_truncate; /* "truncate" defaults to true (TEI's --auto-truncate) */
    char **keys;
    int n_keys;
    /* what is served */
    srv_model models[SRV_MAX_NAMED];
    srv_vectors vectors[SRV_MAX_NAMED];
    srv_index indexes[SRV_MAX_NAMED];
    int n_models, n_vectors, n_indexes;
    /* the encoder queue (batch.c) */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct srv_job *head, *tail;
    int stopping, busy_threads, n_workers;
    atomic_int draining; /* SIGTERM's bound passed: queued jobs are answered 503 */
    pthread_t workers[64];
    srv_metrics met;
    double started;
    pthread_t view_thread; /* view.c: the maps, computed at start */
    int has_view_thread;
} srv;

/* ---- requests and responses (routes.c) ---- */
typedef struct srv_reply {
    int status; /* HTTP status */
    sbuf body; /* JSON (or text for /metrics, HTML for /) */
    const char *type; /* Content-Type */
} srv_reply;

/* A unit of encoder work: n inputs of one model, embedded (EMBED), their token states (HIDDEN)
 * or scored as pairs against one query (SCORE). The route fills it, batch.c runs it, the route
 * finishes the reply from its rows. */
enum { JOB_EMBED = 0, JOB_HIDDEN, JOB_SCORE };
typedef struct srv_job {
    int kind;
    const srv_model *sm;
    int n;
    char **texts; /* owned */
    size_t *lens;
    int *ntok; /* tokens of each input (for the budget) */
    const char *query; /* SCORE: the first text of every pair */
    size_t qlen;
    float *out; /* EMBED/SCORE: n rows (dim or 1 floats); HIDDEN: per input, ntok x H */
    float **hidden;
    int next, done; /* inputs scheduled / finished */
    int rc, status; /* status: the HTTP status of a failure [500] */
    char err[512];
    atomic_int gone; /* the client went away: drop what is not yet run */
    int fd; /* the client's socket, to notice that (-1: none) */
    void (*finished)(struct srv_job *j); /* called once, from a worker, when done */
    void *ud;
    struct srv_job *qnext;
    /* the route's request, kept until the reply is written */
    int route;
    void *req;
} srv_job;

/* Routes a request. method and path (percent-decoded) as received, args the query's key,
 * value pairs (NULL-terminated; may be NULL), body may be NULL. Returns 1 with *rep filled, or
 * 0 with *job set: the caller submits the job (srv_submit) and, once it has finished, calls
 * srv_finish(job, rep) and srv_job_free(job). */
int srv_route(srv *s, const char *method, const char *path, const char *const *args,
        const char *body, size_t len, srv_reply *rep, srv_job **job);
void srv_finish(srv *s, srv_job *job, srv_reply *rep); /* writes the reply */
void srv_job_free(srv_job *j);
void srv_error(srv_reply *r, int status, const char *type, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
void srv_metrics_text(srv *s, sbuf *b);

/* ---- the browser view (view.c): /, /view.js, /map ---- */
void srv_view_page(srv_reply *rep, int js);
void srv_view_map(srv *s, srv_vectors *vs, srv_reply *rep);
int srv_view_prepare(srv *s, srv_vectors *vs); /* the map and figures, once (thread-safe) */
void srv_view_free(srv_vectors *vs);
int srv_set_map(srv *s, const char *name, const char *path); /* --map NAME=FILE */
void srv_start_views(srv *s); /* prepares every set's view on a thread of its own */

/* ---- the queue (batch.c) ---- */
int srv_start_workers(srv *s);
void srv_stop_workers(srv *s);
void srv_submit(srv *s, srv_job *j); /* queues (the route checked the limits) */
void srv_run_inline(srv *s, srv_job *j); /* runs a job on the calling thread (fuzzing, tests) */
int64_t srv_queued(srv *s);

/* ---- the index journal (journal.c) ---- */
int srv_journal_open(srv_index *ix); /* replays PATH.journal, then opens it for appends */
int srv_journal_add(srv_index *ix, int64_t id, const float *x); /* appended */
int srv_journal_delete(srv_index *ix, int64_t id);
int srv_journal_sync(srv_index *ix); /* on disk: then the request may be acknowledged */
int srv_journal_checkpoint(srv_index *ix); /* saves the index atomically, empties the journal */
void srv_journal_close(srv_index *ix);

/* ---- loading and running (http.c) ---- */
int srv_add_model(srv *s, const char *name, const char *dir);
int srv_add_vectors(srv *s, const char *name, const char *path);
int srv_add_index(srv *s, const char *name, const char *path);
void srv_init(srv *s);
void srv_free(srv *s);
int srv_run(srv *s); /* until SIGTERM/SIGINT; 0 after a clean shutdown */

#endif
