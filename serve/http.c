/* The daemon: libmicrohttpd with its own threads (epoll, a pool of --http-threads), bodies
 * gathered up to --max-body, bearer keys compared in constant time, at most --max-concurrent
 * requests in flight (429 beyond), and the encoder's routes answered asynchronously: the
 * connection is suspended while its job waits in the queue and resumed by the worker that
 * finished it, so a slow batch never holds an HTTP thread. Idle or slow clients time out after
 * --timeout seconds. SIGTERM or SIGINT: stop accepting, finish what is in flight, write the
 * indexes, exit 0. */
#include "serve.h"
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#if MHD_VERSION < 0x00097002
typedef int MHD_Result_t;
#else
typedef enum MHD_Result MHD_Result_t;
#endif

static const double dur_le[12] = { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
    10 };

enum { ST_READ = 0, ST_QUEUED, ST_DONE };
typedef struct conn {
    srv *s;
    struct MHD_Connection *c;
    sbuf body;
    int too_big, counted, status;
    _Atomic int state;
    srv_job *job;
    srv_reply rep;
    double t0;
} conn;

void srv_init(srv *s) {
    memset(s, 0, sizeof *s);
    s->listen = "127.0.0.1:8080";
    s->threads = lt_cpu_count();
    s->max_batch_tokens = 4096;
    s->max_batch_inputs = 64;
    s->max_concurrent = 512;
    s->max_inputs = 1024;
    s->max_k = 1000;
    s->max_ef = 4096;
    s->max_body = 8 << 20;
    s->timeout_s = 30;
    s->http_threads = lt_cpu_count() < 16 ? lt_cpu_count() : 16; /* measured: RESULTS.md */
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
}

void srv_free(srv *s) {
    if (s->has_view_thread) pthread_join(s->view_thread, NULL);
    s->has_view_thread = 0;
    for (int i = 0; i < s->n_indexes; i++) {
        srv_journal_close(&s->indexes[i]);
        if (s->indexes[i].lockfd >= 0) lt_file_unlock(s->indexes[i].lockfd);
        lt_hnsw_free(s->indexes[i].h);
        pthread_mutex_destroy(&s->indexes[i].wmu);
    }
    for (int i = 0; i < s->n_vectors; i++) {
        srv_view_free(&s->vectors[i]);
        pthread_mutex_destroy(&s->vectors[i].map_mu);
        lt_vecs_free(s->vectors[i].v);
        lt_vecs_free(s->vectors[i].vn);
    }
    for (int i = 0; i < s->n_models; i++) {
        lt_bert_free(s->models[i].m);
        lt_tokenizer_free(s->models[i].tok);
    }
    for (int i = 0; i < s->n_keys; i++) free(s->keys[i]);
    free(s->keys);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
}

static int name_free(srv *s, const char *name, const char *what) {
    if (!*name || strlen(name) >= 128)
        return lt_err(LT_EINVAL, "%s name '%s': 1 to 127 bytes", what, name);
    int taken = 0;
    if (!strcmp(what, "model"))
        for (int i = 0; i < s->n_models; i++) taken |= !strcmp(s->models[i].name, name);
    if (!strcmp(what, "vectors"))
        for (int i = 0; i < s->n_vectors; i++) taken |= !strcmp(s->vectors[i].name, name);
    if (!strcmp(what, "index"))
        for (int i = 0; i < s->n_indexes; i++) taken |= !strcmp(s->indexes[i].name, name);
    return taken ? lt_err(LT_EINVAL, "two %s sets named '%s'", what, name) : LT_OK;
}

int srv_add_model(srv *s, const char *name, const char *dir) {
    if (s->n_models == SRV_MAX_NAMED) return lt_err(LT_EINVAL, "at most %d models", SRV_MAX_NAMED);
    int rc = name_free(s, name, "model");
    if (rc) return rc;
    srv_model *m = &s->models[s->n_models];
    memset(m, 0, sizeof *m);
    snprintf(m->name, sizeof m->name, "%s", name);
    snprintf(m->dir, sizeof m->dir, "%s", dir);
    lt_bert_opts o;
    lt_bert_opts_init(&o);
    o.normalize = 0; /* each request says; the folder's default is kept in m->normalizes */
    if ((rc = lt_bert_load(&m->m, dir, &o))) return rc;
    m->normalizes = lt_bert_folder_normalizes(m->m);
    m->labels = lt_bert_num_labels(m->m);
    m->dim = lt_bert_dim(m->m);
    m->max_seq = lt_bert_max_seq(m->m);
    char p[1100];
    snprintf(p, sizeof p, "%s/tokenizer.json", dir);
    if (!access(p, R_OK) && (rc = lt_tokenizer_load(&m->tok, p))) {
        lt_bert_free(m->m);
        return rc;
    }
    s->n_models++;
    return LT_OK;
}

int srv_add_vectors(srv *s, const char *name, const char *path) {
    if (s->n_vectors == SRV_MAX_NAMED)
        return lt_err(LT_EINVAL, "at most %d vector sets", SRV_MAX_NAMED);
    int rc = name_free(s, name, "vectors");
    if (rc) return rc;
    srv_vectors *v = &s->vectors[s->n_vectors];
    memset(v, 0, sizeof *v);
    snprintf(v->name, sizeof v->name, "%s", name);
    snprintf(v->path, sizeof v->path, "%s", path);
    if ((rc = lt_vecs_load(path, LT_FMT_AUTO, &v->v))) return rc;
    if (!(v->vn = lt_vecs_normalized(v->v))) {
        lt_vecs_free(v->v);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    pthread_mutex_init(&v->map_mu, NULL);
    s->n_vectors++;
    return LT_OK;
}

int srv_add_index(srv *s, const char *name, const char *path) {
    if (s->n_indexes == SRV_MAX_NAMED)
        return lt_err(LT_EINVAL, "at most %d indexes", SRV_MAX_NAMED);
    int rc = name_free(s, name, "index");
    if (rc) return rc;
    srv_index *x = &s->indexes[s->n_indexes];
    memset(x, 0, sizeof *x);
    x->lockfd = -1;
    snprintf(x->name, sizeof x->name, "%s", name);
    snprintf(x->path, sizeof x->path, "%s", path);
    if (!s->read_only && (rc = lt_file_lock(path, &x->lockfd))) return rc;
    if ((rc = lt_hnsw_load(&x->h, path))) goto fail;
    for (int i = 0; i < s->n_vectors; i++)
        if (!strcmp(s->vectors[i].name, name)) { /* its labels, if it was built from them */
            if ((rc = lt_hnsw_check_base(x->h, s->vectors[i].v, path, s->vectors[i].path)))
                goto fail;
            x->labels = &s->vectors[i];
        }
    if (!s->read_only && (rc = srv_journal_open(x))) goto fail;
    pthread_mutex_init(&x->wmu, NULL);
    s->n_indexes++;
    return LT_OK;
fail:
    lt_hnsw_free(x->h);
    if (x->lockfd >= 0) lt_file_unlock(x->lockfd);
    return rc;
}

/* ---- metrics ---- */
void srv_metrics_text(srv *s, sbuf *b) {
    srv_metrics *m = &s->met;
    sb_printf(b,
            "# HELP te_request_count Requests received\n# TYPE te_request_count counter\n"
            "te_request_count %lld\n"
            "# HELP te_request_success Requests answered 2xx\n# TYPE te_request_success counter\n"
            "te_request_success %lld\n"
            "# HELP te_request_failure Requests answered with an error\n"
            "# TYPE te_request_failure counter\n"
            "te_request_failure{err=\"validation\"} %lld\nte_request_failure{err=\"unauthorized\"} %lld\n"
            "te_request_failure{err=\"overloaded\"} %lld\nte_request_failure{err=\"backend\"} %lld\n"
            "te_request_failure{err=\"other\"} %lld\n",
            (long long)m->requests, (long long)m->success, (long long)m->failures[0],
            (long long)m->failures[1], (long long)m->failures[2], (long long)m->failures[3],
            (long long)m->failures[4]);
    sb_printf(b,
            "# HELP te_request_duration Request duration in seconds\n"
            "# TYPE te_request_duration histogram\n");
    long long cum = 0;
    for (int i = 0; i < 12; i++) {
        cum += m->dur_bucket[i];
        sb_printf(b, "te_request_duration_bucket{le=\"%g\"} %lld\n", dur_le[i], cum);
    }
    sb_printf(b,
            "te_request_duration_bucket{le=\"+Inf\"} %lld\nte_request_duration_sum %.6f\n"
            "te_request_duration_count %lld\n",
            (long long)m->dur_count, (double)m->dur_us_sum / 1e6, (long long)m->dur_count);
    sb_printf(b,
            "# HELP te_request_input_count Inputs (texts) received\n# TYPE te_request_input_count counter\n"
            "te_request_input_count %lld\n"
            "# HELP te_queue_size Jobs waiting for the encoder\n# TYPE te_queue_size gauge\n"
            "te_queue_size %lld\n"
            "# HELP te_requests_in_flight Requests being served\n# TYPE te_requests_in_flight gauge\n"
            "te_requests_in_flight %lld\n"
            "# HELP te_batch_count Batches run by the encoder\n# TYPE te_batch_count counter\n"
            "te_batch_count %lld\n"
            "# HELP te_batch_size_total Inputs in those batches\n# TYPE te_batch_size_total counter\n"
            "te_batch_size_total %lld\n"
            "# HELP te_batch_tokens_total Tokens in those batches\n# TYPE te_batch_tokens_total counter\n"
            "te_batch_tokens_total %lld\n"
            "# HELP latent_jobs_dropped_total Queued jobs dropped because their client went away\n"
            "# TYPE latent_jobs_dropped_total counter\nlatent_jobs_dropped_total %lld\n",
            (long long)m->inputs, (long long)m->queue, (long long)m->in_flight,
            (long long)m->batches, (long long)m->batch_inputs, (long long)m->batch_tokens,
            (long long)m->dropped);
}

/* ---- connections ---- */
static int authorized(srv *s, struct MHD_Connection *c) {
    if (!s->n_keys) return 1;
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    if (!h || strncmp(h, "Bearer ", 7)) return 0;
    h += 7;
    size_t hl = strlen(h);
    int okk = 0;
    for (int i = 0; i < s->n_keys; i++) { /* every key, every byte: the time says nothing */
        size_t kl = strlen(s->keys[i]);
        unsigned diff = (unsigned)(kl ^ hl);
        for (size_t k = 0; k < kl; k++) diff |= (unsigned char)(s->keys[i][k] ^ h[k < hl ? k : 0]);
        okk |= diff == 0;
    }
    return okk;
}

static MHD_Result_t send_reply(conn *x, struct MHD_Connection *c, srv_reply *r) {
    size_t n = r->body.n;
    char *p = r->body.p ? r->body.p : strdup("");
    r->body.p = NULL;
    r->body.n = r->body.cap = 0;
    struct MHD_Response *resp = MHD_create_response_from_buffer(
            n, p, p ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        free(p);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", r->type ? r->type : "application/json");
    x->status = r->status;
    MHD_Result_t ret = MHD_queue_response(c, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static MHD_Result_t early(
        conn *x, struct MHD_Connection *c, int status, const char *type, const char *msg) {
    srv_reply r = { 0 };
    srv_error(&r, status, type, "%s", msg);
    return send_reply(x, c, &r);
}

typedef struct args {
    const char *kv[66];
    int n;
} args;
static MHD_Result_t take_arg(void *ud, enum MHD_ValueKind kind, const char *k, const char *v) {
    args *a = ud;
    if (a->n < 64) {
        a->kv[a->n++] = k;
        a->kv[a->n++] = v ? v : "";
    }
    return MHD_YES;
}

static void job_finished(srv_job *j) { /* a worker's thread */
    conn *x = j->ud;
    atomic_store(&x->state, ST_DONE);
    MHD_resume_connection(x->c);
}

static MHD_Result_t handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
        const char *version, const char *up, size_t *upsz, void **cc) {
    srv *s = cls;
    conn *x = *cc;
    if (!x) {
        if (!(x = calloc(1, sizeof *x))) return MHD_NO;
        x->s = s;
        x->c = c;
        x->t0 = lt_now();
        *cc = x;
        atomic_fetch_add(&s->met.requests, 1);
        if (!authorized(s, c))
            return early(
                    x, c, 401, "Unauthorized", "a valid 'Authorization: Bearer KEY' is needed");
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoll(cl, NULL, 10) > s->max_body)
            return early(x, c, 413, "Validation", "the body is larger than --max-body");
        return MHD_YES;
    }
    if (atomic_load(&x->state) == ST_DONE) { /* resumed by the worker */
        srv_finish(s, x->job, &x->rep);
        srv_job_free(x->job);
        x->job = NULL;
        return send_reply(x, c, &x->rep);
    }
    if (*upsz) {
        if (x->body.n + *upsz > (size_t)s->max_body) x->too_big = 1;
        else sb_put(&x->body, up, *upsz);
        *upsz = 0;
        return MHD_YES;
    }
    if (x->too_big) return early(x, c, 413, "Validation", "the body is larger than --max-body");
    if (x->body.oom) return early(x, c, 503, "Overloaded", "out of memory");
    /* in flight from here (a client still sending its body holds only a connection) */
    if (atomic_fetch_add(&s->met.in_flight, 1) >= s->max_concurrent) {
        atomic_fetch_sub(&s->met.in_flight, 1);
        return early(x, c, 429, "Overloaded",
                "Model is overloaded: too many requests in flight (--max-concurrent)");
    }
    x->counted = 1;
    args a = { { 0 }, 0 };
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, take_arg, &a);
    a.kv[a.n] = NULL;
    srv_job *job = NULL;
    if (srv_route(s, method, url, a.kv, x->body.p, x->body.n, &x->rep, &job))
        return send_reply(x, c, &x->rep);
    const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    job->fd = ci ? ci->connect_fd : -1;
    job->ud = x;
    job->finished = job_finished;
    x->job = job;
    atomic_fetch_add(&s->met.inputs, job->n);
    atomic_store(&x->state, ST_QUEUED);
    MHD_suspend_connection(c);
    srv_submit(s, job);
    return MHD_YES;
}

static void completed(
        void *cls, struct MHD_Connection *c, void **cc, enum MHD_RequestTerminationCode toe) {
    srv *s = cls;
    conn *x = *cc;
    if (!x) return;
    srv_metrics *m = &s->met;
    double d = lt_now() - x->t0;
    int b = 0;
    while (b < 11 && d > dur_le[b]) b++;
    atomic_fetch_add(&m->dur_bucket[b], d <= dur_le[11] ? 1 : 0);
    atomic_fetch_add(&m->dur_count, 1);
    atomic_fetch_add(&m->dur_us_sum, (long long)(d * 1e6));
    int st = x->status;
    if (st >= 200 && st < 300 && toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
        atomic_fetch_add(&m->success, 1);
    else
        atomic_fetch_add(&m->failures[st == 401                   ? 1
                                         : st == 429 || st == 503 ? 2
                                         : st >= 500              ? 3
                                         : st >= 400              ? 0
                                                                  : 4],
                1);
    if (x->counted) atomic_fetch_sub(&m->in_flight, 1);
    if (x->job) srv_job_free(x->job); /* only when the connection died while queued */
    sb_free(&x->body);
    sb_free(&x->rep.body);
    free(x);
    *cc = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap) {
    srv *s = cls;
    if (s->quiet) return;
    fputs("latent: serve: ", stderr);
    vfprintf(stderr, fmt, ap);
}

int srv_run(srv *s) {
    /* host:port; [v6]:port */
    char host[256], port[16];
    const char *colon = strrchr(s->listen, ':');
    size_t hl = colon ? (size_t)(colon - s->listen) : 0;
    if (!colon || hl >= sizeof host || strlen(colon + 1) >= sizeof port || !colon[1])
        return lt_err(LT_EINVAL, "--listen %s: give HOST:PORT", s->listen);
    memcpy(host, s->listen, hl);
    host[hl] = 0;
    if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
        memmove(host, host + 1, hl - 2);
        host[hl - 2] = 0;
    }
    snprintf(port, sizeof port, "%s", colon + 1);
    struct addrinfo hints = { 0 }, *ai = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    int g = getaddrinfo(host, port, &hints, &ai);
    if (g) return lt_err(LT_EINVAL, "--listen %s: %s", s->listen, gai_strerror(g));
    /* as many connections as descriptors allow (idle ones time out) */
    struct rlimit rl;
    if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    unsigned conn_limit = !getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur > 256
            ? (unsigned)(rl.rlim_cur - 128 < 100000 ? rl.rlim_cur - 128 : 100000)
            : 128;
    /* signals: every thread blocks them; this one waits for them */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGXFSZ, SIG_IGN); /* a file size limit: a write error to report, not a crash */
    s->started = (double)time(NULL);
    srv_start_views(s);
    int rc = srv_start_workers(s);
    if (rc) {
        freeaddrinfo(ai);
        return rc;
    }
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC |
            MHD_USE_ERROR_LOG | (ai->ai_family == AF_INET6 ? MHD_USE_IPv6 : 0);
    struct MHD_Daemon *d = MHD_start_daemon(flags, 0, NULL, NULL, handle, s,
            MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s, MHD_OPTION_SOCK_ADDR, ai->ai_addr,
            MHD_OPTION_THREAD_POOL_SIZE, (unsigned)s->http_threads, MHD_OPTION_CONNECTION_TIMEOUT,
            (unsigned)s->timeout_s, MHD_OPTION_CONNECTION_LIMIT, conn_limit,
            MHD_OPTION_NOTIFY_COMPLETED, completed, s, MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024U,
            MHD_OPTION_END);
    freeaddrinfo(ai);
    if (!d) {
        srv_stop_workers(s);
        return lt_err(LT_EIO, "cannot listen on %s: %s", s->listen, strerror(errno));
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    if (!s->quiet) {
        fprintf(stderr, "latent: serving on http://%s%s%s:%u (", strchr(host, ':') ? "[" : "", host,
                strchr(host, ':') ? "]" : "", di ? (unsigned)di->port : 0);
        const char *sep = "";
        for (int i = 0; i < s->n_models; i++, sep = ", ")
            fprintf(stderr, "%s%s %s", sep, s->models[i].labels ? "reranker" : "model",
                    s->models[i].name);
        for (int i = 0; i < s->n_vectors; i++, sep = ", ")
            fprintf(stderr, "%svectors %s", sep, s->vectors[i].name);
        for (int i = 0; i < s->n_indexes; i++, sep = ", ")
            fprintf(stderr, "%sindex %s%s", sep, s->indexes[i].name,
                    s->indexes[i].journal ? "" : " (read-only)");
        fprintf(stderr, "; %d encoder threads, %d HTTP threads%s%s)\n", s->threads, s->http_threads,
                s->n_keys ? ", keys required" : "", s->read_only ? ", read-only" : "");
    }
    int sig = 0;
    sigwait(&set, &sig);
    if (!s->quiet)
        fprintf(stderr, "latent: serve: %s: finishing %lld requests in flight\n",
                sig == SIGTERM ? "SIGTERM" : "SIGINT", (long long)atomic_load(&s->met.in_flight));
    MHD_socket ls = MHD_quiesce_daemon(d);
    if (ls != MHD_INVALID_SOCKET) close(ls);
    for (int w = 0; w < 300 && atomic_load(&s->met.in_flight) > 0; w++) usleep(100000);
    /* past the bound: what still waits is dropped (answered as gone), and every job is finished
     * (its connection resumed) before the daemon stops, so no worker touches a closed one */
    pthread_mutex_lock(&s->mu);
    atomic_store(&s->draining, 1);
    for (srv_job *j = s->head; j; j = j->qnext) atomic_store(&j->gone, 1);
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    for (;;) {
        pthread_mutex_lock(&s->mu);
        int idle = !s->head && !s->busy_threads;
        pthread_mutex_unlock(&s->mu);
        if (idle) break;
        usleep(10000);
    }
    MHD_stop_daemon(d);
    srv_stop_workers(s);
    rc = LT_OK;
    for (int i = 0; i < s->n_indexes; i++) {
        srv_index *x = &s->indexes[i];
        pthread_mutex_lock(&x->wmu);
        int r = srv_journal_checkpoint(x);
        pthread_mutex_unlock(&x->wmu);
        if (r && !rc) rc = r; /* the journal stays: nothing is lost, the next start replays it */
        if (r && !s->quiet)
            fprintf(stderr, "latent: serve: %s: %s; its journal %s.journal keeps the changes\n",
                    x->name, lt_errmsg(), x->path);
    }
    return rc;
}
