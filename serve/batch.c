/* The encoder queue, as text-embeddings-inference batches: one queue of jobs; a worker cuts the
 * next batch from the head by a token budget (--max-batch-tokens) and an input count, across
 * requests of the same model, and runs it as one ragged batch. --threads workers: under load
 * each runs its batch on one thread (throughput); a batch cut from a queue left empty takes
 * the threads no other worker holds (latency). A job whose client went away is dropped from
 * the queue before its inputs are run. */
#include "serve.h"
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

enum { MAX_BATCH_ITEMS = 1024 };

/* the peer closed its end: a readable socket with nothing to read, or a hang-up */
static int client_gone(int fd) {
    if (fd < 0) return 0;
    struct pollfd p = { fd, POLLIN | POLLRDHUP, 0 };
    if (poll(&p, 1, 0) <= 0) return 0;
    if (p.revents & (POLLHUP | POLLRDHUP | POLLERR)) return 1;
    char c;
    return (p.revents & POLLIN) && recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

static void job_fail(srv_job *j, const char *msg) {
    if (!j->rc) {
        j->rc = 1;
        snprintf(j->err, sizeof j->err, "%s", msg);
    }
}

/* a job dropped: its client left, or the server is shutting down (503) */
static void gone_fail(srv *s, srv_job *j) {
    if (atomic_load(&s->draining)) {
        job_fail(j, "the server is shutting down");
        j->status = 503;
    } else job_fail(j, "the client went away");
}

/* everything scheduled has run and nothing more will be: the job is the route's again */
static int complete(const srv_job *j) {
    return j->done == j->next && (j->next == j->n || atomic_load(&j->gone));
}

static void run_whole(srv_job *j, int nt) {
    const srv_model *sm = j->sm;
    if (j->kind == JOB_SCORE) {
        const char **qs = malloc(sizeof(char *) * (size_t)(j->n ? j->n : 1));
        size_t *ql = malloc(sizeof(size_t) * (size_t)(j->n ? j->n : 1));
        if (!qs || !ql) job_fail(j, "out of memory");
        for (int i = 0; qs && ql && i < j->n; i++) {
            qs[i] = j->query;
            ql[i] = j->qlen;
        }
        for (int i = 0; !j->rc && i < j->n && !atomic_load(&j->gone); i += 32) {
            int nb = j->n - i < 32 ? j->n - i : 32;
            if (lt_bert_score_pairs(sm->m, qs, ql, (const char *const *)j->texts + i, j->lens + i,
                        nb, j->out + (size_t)i * sm->labels, nt))
                job_fail(j, lt_errmsg());
        }
        free(qs);
        free(ql);
        return;
    }
    int H = lt_bert_hidden_size(sm->m);
    int32_t *ids = malloc(sizeof(int32_t) * (size_t)sm->max_seq);
    if (!ids) job_fail(j, "out of memory");
    for (int i = 0; !j->rc && i < j->n && !atomic_load(&j->gone); i++) {
        int full, T = lt_bert_tokenize(sm->m, j->texts[i], j->lens[i], 1, ids, sm->max_seq, &full);
        if (T < 0 || !(j->hidden[i] = malloc(sizeof(float) * (size_t)(T ? T : 1) * H)))
            job_fail(j, T < 0 ? lt_errmsg() : "out of memory");
        else if (lt_bert_hidden(sm->m, ids, T, j->hidden[i])) job_fail(j, lt_errmsg());
        else j->ntok[i] = T;
    }
    free(ids);
}

/* the head job out of the queue (the caller holds the lock) */
static srv_job *pop_head(srv *s) {
    srv_job *j = s->head;
    s->head = j->qnext;
    if (!s->head) s->tail = NULL;
    atomic_fetch_sub(&s->met.queue, 1);
    return j;
}

typedef struct item {
    srv_job *j;
    int i;
} item;

static void *worker(void *arg) {
    srv *s = arg;
    item *it = malloc(sizeof(item) * MAX_BATCH_ITEMS);
    const char **texts = malloc(sizeof(char *) * MAX_BATCH_ITEMS);
    size_t *lens = malloc(sizeof(size_t) * MAX_BATCH_ITEMS);
    float *rows = NULL;
    size_t rows_cap = 0;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        while (!s->head && !s->stopping) pthread_cond_wait(&s->cv, &s->mu);
        if (!s->head) break;
        /* drop the jobs at the head whose clients left */
        srv_job *done_list = NULL;
        while (s->head && (atomic_load(&s->head->gone) || client_gone(s->head->fd))) {
            srv_job *j = pop_head(s);
            atomic_store(&j->gone, 1);
            atomic_fetch_add(&s->met.dropped, 1);
            if (complete(j)) {
                j->qnext = done_list;
                done_list = j;
            }
        }
        int nb = 0, tokens = 0, whole = 0;
        srv_job *head = s->head;
        if (head && head->kind != JOB_EMBED) { /* a job of its own */
            whole = 1;
            head->next = head->n;
            pop_head(s);
        } else
            while (s->head && s->head->kind == JOB_EMBED && s->head->sm == head->sm) {
                srv_job *j = s->head;
                while (j->next < j->n && nb < MAX_BATCH_ITEMS && nb < s->max_batch_inputs &&
                        (nb == 0 || tokens + j->ntok[j->next] <= s->max_batch_tokens)) {
                    it[nb++] = (item){ j, j->next };
                    tokens += j->ntok[j->next++];
                }
                if (j->next < j->n) break; /* the budget is spent */
                pop_head(s);
            }
        int nt = s->head ? 1 : s->threads - s->busy_threads;
        if (nt < 1) nt = 1;
        s->busy_threads += nt;
        pthread_mutex_unlock(&s->mu);
        for (srv_job *j = done_list, *nx; j; j = nx) {
            nx = j->qnext;
            gone_fail(s, j);
            j->finished(j);
        }
        if (whole) {
            run_whole(head, nt);
            head->done = head->n;
        } else if (nb) {
            const srv_model *sm = it[0].j->sm;
            for (int k = 0; k < nb; k++) {
                texts[k] = it[k].j->texts[it[k].i];
                lens[k] = it[k].j->lens[it[k].i];
            }
            size_t need = (size_t)nb * sm->dim;
            if (need > rows_cap) {
                free(rows);
                rows = malloc(sizeof(float) * need);
                rows_cap = rows ? need : 0;
            }
            int cut = 0,
                rc = rows ? lt_bert_embed_batch_mt(sm->m, texts, lens, nb, rows, &cut, nt)
                          : lt_err(LT_ENOMEM, "out of memory");
            for (int k = 0; k < nb; k++) {
                srv_job *j = it[k].j;
                if (rc) job_fail(j, lt_errmsg());
                else
                    memcpy(j->out + (size_t)it[k].i * sm->dim, rows + (size_t)k * sm->dim,
                            sizeof(float) * (size_t)sm->dim);
            }
            atomic_fetch_add(&s->met.batches, 1);
            atomic_fetch_add(&s->met.batch_inputs, nb);
            atomic_fetch_add(&s->met.batch_tokens, tokens);
        }
        pthread_mutex_lock(&s->mu);
        /* count what ran; a job is finished once all of it ran (or it was dropped) */
        srv_job *fin = NULL;
        if (whole) {
            head->qnext = NULL;
            fin = head;
        }
        for (int k = 0; k < nb; k++) {
            srv_job *j = it[k].j;
            j->done++;
            if (complete(j) && (k == nb - 1 || it[k + 1].j != j)) {
                if (j->next < j->n) { /* dropped while part of it ran: out of the queue */
                    srv_job **pp = &s->head, *prev = NULL;
                    while (*pp && *pp != j) prev = *pp, pp = &(*pp)->qnext;
                    if (*pp) {
                        *pp = j->qnext;
                        if (s->tail == j) s->tail = prev;
                        atomic_fetch_sub(&s->met.queue, 1);
                    }
                }
                j->qnext = fin;
                fin = j;
            }
        }
        pthread_mutex_unlock(&s->mu);
        for (srv_job *j = fin, *nx; j; j = nx) {
            nx = j->qnext;
            if (atomic_load(&j->gone)) gone_fail(s, j);
            j->finished(j);
        }
        pthread_mutex_lock(&s->mu);
        s->busy_threads -= nt; /* only now: shutdown waits for no queue and no busy thread */
    }
    pthread_mutex_unlock(&s->mu);
    free(it);
    free(texts);
    free(lens);
    free(rows);
    return NULL;
}

int srv_start_workers(srv *s) {
    s->n_workers = s->threads < 64 ? s->threads : 64;
    for (int i = 0; i < s->n_workers; i++)
        if (pthread_create(&s->workers[i], NULL, worker, s)) {
            s->n_workers = i;
            return lt_err(LT_ENOMEM, "cannot start the encoder threads");
        }
    return LT_OK;
}

void srv_stop_workers(srv *s) {
    pthread_mutex_lock(&s->mu);
    s->stopping = 1;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    for (int i = 0; i < s->n_workers; i++) pthread_join(s->workers[i], NULL);
    s->n_workers = 0;
}

void srv_submit(srv *s, srv_job *j) {
    pthread_mutex_lock(&s->mu);
    j->qnext = NULL;
    if (s->tail) s->tail->qnext = j;
    else s->head = j;
    s->tail = j;
    atomic_fetch_add(&s->met.queue, 1);
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

int64_t srv_queued(srv *s) { return atomic_load(&s->met.queue); }

void srv_run_inline(srv *s, srv_job *j) {
    if (j->kind != JOB_EMBED) run_whole(j, 1);
    else {
        const srv_model *sm = j->sm;
        for (int i = 0; !j->rc && i < j->n; i++)
            if (lt_bert_embed_batch_mt(sm->m, (const char *const *)j->texts + i, j->lens + i, 1,
                        j->out + (size_t)i * sm->dim, NULL, 1))
                job_fail(j, lt_errmsg());
    }
    j->next = j->done = j->n;
    j->finished(j);
}
