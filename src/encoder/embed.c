/* The embedding pipeline: the one loop that turns many texts into rows, used by the CLI, the
 * Python module and (next) the server. Texts in memory (lt_embed_texts), or read, embedded and
 * written in order block by block (lt_embed_stream).
 *
 * Threads: by default each thread takes whole ragged batches (throughput); with `latency` one
 * batch at a time has every thread inside its forward pass. Both give the same bytes for any
 * thread count, since a row depends only on its own text. */
#include "latent/bert.h"
#include "latent/core.h"
#include "latent/kern.h"
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

void lt_embed_opts_init(lt_embed_opts *o) {
    memset(o, 0, sizeof *o);
    o->batch = 32;
}

typedef struct {
    const lt_bert *m;
    const char *const *texts;
    const size_t *lens;
    float *out;
    int64_t ld, first; /* first: the index of texts[0] in the whole job (messages) */
    int batch, intra, chunk;
    lt_progress *prog;
    const volatile int *cancel;
    _Atomic int stop;
    _Atomic long long done, truncated, chunked;
    _Atomic long long bad; /* lowest failing index, or LLONG_MAX */
    int bad_rc;
    char msg[512];
    _Atomic int msg_lock;
} emb_job;

/* the lowest failing input wins the message (threads may fail at once) */
static void fail_at(emb_job *j, int64_t i, int rc) {
    while (atomic_exchange(&j->msg_lock, 1)) {}
    if (i < j->bad) {
        j->bad = i;
        j->bad_rc = rc;
        snprintf(j->msg, sizeof j->msg, "input %lld: %s", (long long)(j->first + i + 1),
                lt_errmsg());
    }
    atomic_store(&j->msg_lock, 0);
    j->stop = 1;
}

static void note_progress(emb_job *j, int64_t k, int tid) {
    j->done += k;
    if (j->cancel && *j->cancel) j->stop = 1;
    if (tid == 0 && j->prog) {
        lt_progress_update(j->prog, (double)(j->first + j->done), -1);
        if (j->prog->stop) j->stop = 1;
    }
}

static void emb_range(void *ud, int64_t b, int64_t e, int tid) {
    emb_job *j = ud;
    int H = lt_bert_dim(j->m);
    if (j->chunk) { /* long inputs in windows: one input at a time */
        for (int64_t i = b; i < e && !j->stop; i++) {
            int nc = 1,
                rc = lt_bert_embed_chunked(j->m, j->texts[i], j->lens[i], j->out + i * j->ld, &nc);
            if (rc) {
                fail_at(j, i, rc);
                return;
            }
            j->chunked += nc > 1;
            note_progress(j, 1, tid);
        }
        return;
    }
    /* ragged batches of up to `batch` inputs; on an error, again one by one to name the input */
    float *tmp = j->ld == H ? NULL : lt_malloc(sizeof(float) * (size_t)j->batch * H);
    if (j->ld != H && !tmp) {
        lt_err(LT_ENOMEM, "out of memory");
        fail_at(j, b, LT_ENOMEM);
        return;
    }
    for (int64_t i = b; i < e && !j->stop; i += j->batch) {
        int nb = (int)(e - i < j->batch ? e - i : j->batch), cut = 0;
        float *dst = tmp ? tmp : j->out + i * j->ld;
        if (lt_bert_embed_batch_mt(j->m, j->texts + i, j->lens + i, nb, dst, &cut, j->intra) !=
                LT_OK) {
            for (int64_t k = i; k < i + nb; k++) {
                int rc = lt_bert_embed(j->m, j->texts[k], j->lens[k], j->out + k * j->ld, NULL);
                if (rc) {
                    fail_at(j, k, rc);
                    break;
                }
            }
            if (!j->stop) {
                lt_err(LT_EINVAL, "a batch failed and no input alone did");
                fail_at(j, i, LT_EINVAL);
            }
            break;
        }
        if (tmp)
            for (int k = 0; k < nb; k++)
                memcpy(j->out + (i + k) * j->ld, tmp + (size_t)k * H, sizeof(float) * (size_t)H);
        j->truncated += cut;
        note_progress(j, nb, tid);
    }
    lt_free(tmp);
}

/* one block of a job: texts[0..n) are inputs first.. of the whole */
static int embed_core(const lt_bert *m, const char *const *texts, const size_t *lens, int64_t n,
        float *out, int64_t ld, int64_t first, const lt_embed_opts *o, int nt, lt_progress *prog,
        lt_embed_stats *st) {
    emb_job j = { .m = m,
        .texts = texts,
        .lens = lens,
        .out = out,
        .ld = ld,
        .first = first,
        .batch = o->batch < 1 ? 1 : o->batch,
        .chunk = o->chunk,
        .prog = prog,
        .bad = INT64_MAX,
        .cancel = prog ? prog->cancel : NULL };
    if (j.cancel && *j.cancel)
        return lt_err(LT_EINTR, "embedding stopped on request after %lld inputs", (long long)first);
    int latency = o->latency && !o->chunk;
    j.intra = latency ? nt : 1;
    int saved =
            lt_blas_begin(1); /* threads over batches, or inside the forward pass: not in BLAS */
    lt_parallel_for(latency ? 1 : nt, n, emb_range, &j);
    lt_blas_end(saved);
    st->done += j.done;
    st->truncated += j.truncated;
    st->chunked += j.chunked;
    if (j.bad != INT64_MAX) {
        st->failed = first + j.bad;
        return lt_err(j.bad_rc ? j.bad_rc : LT_EINVAL, "%s", j.msg);
    }
    if (j.stop || (prog && prog->stop))
        return lt_err(LT_EINTR, "embedding stopped on request after %lld inputs",
                (long long)(first + j.done));
    return LT_OK;
}

/* embed_core with the prompt put before every text and the rows cut to o->dim (renormalised
 * when the model normalises), as sentence-transformers' prompts and Matryoshka truncation */
static int embed_block(const lt_bert *m, const char *const *texts, const size_t *lens, int64_t n,
        float *out, int64_t ld, int64_t first, const lt_embed_opts *o, int nt, lt_progress *prog,
        lt_embed_stats *st) {
    int D = lt_bert_dim(m), dim = o->dim > 0 && o->dim < D ? o->dim : D;
    size_t pl = o->prompt ? strlen(o->prompt) : 0;
    if (!pl && dim == D) return embed_core(m, texts, lens, n, out, ld, first, o, nt, prog, st);
    char **pt = NULL;
    size_t *plen = NULL;
    float *rows = NULL;
    int rc = LT_OK;
    if (pl) {
        pt = lt_calloc((size_t)(n ? n : 1), sizeof(char *));
        plen = lt_malloc(sizeof(size_t) * (size_t)(n ? n : 1));
        for (int64_t i = 0; pt && plen && i < n && rc == LT_OK; i++) {
            if (!(pt[i] = lt_malloc(pl + lens[i] + 1))) {
                rc = LT_ENOMEM;
                break;
            }
            memcpy(pt[i], o->prompt, pl);
            memcpy(pt[i] + pl, texts[i], lens[i]);
            pt[i][pl + lens[i]] = 0;
            plen[i] = pl + lens[i];
        }
        if (!pt || !plen) rc = LT_ENOMEM;
    }
    if (rc == LT_OK && dim < D && !(rows = lt_malloc(sizeof(float) * (size_t)(n ? n : 1) * D)))
        rc = LT_ENOMEM;
    if (rc) rc = lt_err(LT_ENOMEM, "out of memory");
    if (rc == LT_OK)
        rc = embed_core(m, pl ? (const char *const *)pt : texts, pl ? plen : lens, n,
                rows ? rows : out, rows ? D : ld, first, o, nt, prog, st);
    if (rc == LT_OK && rows)
        for (int64_t i = 0; i < n; i++) {
            float *dst = out + i * ld;
            const float *src = rows + i * D;
            double ss = 0;
            for (int k = 0; k < dim; k++) ss += (double)src[k] * src[k];
            float sc = lt_bert_normalizes(m) && ss > 0 ? (float)(1 / sqrt(ss)) : 1.0f;
            for (int k = 0; k < dim; k++) dst[k] = src[k] * sc;
        }
    for (int64_t i = 0; pt && i < n; i++) lt_free(pt[i]);
    lt_free(pt);
    lt_free(plen);
    lt_free(rows);
    return rc;
}

/* NULL options and statistics: the defaults, and a local record */
static lt_embed_stats *start(
        const lt_embed_opts **o, lt_embed_opts *def, lt_embed_stats *st, lt_embed_stats *mine) {
    if (!*o) {
        lt_embed_opts_init(def);
        *o = def;
    }
    if (!st) st = mine;
    memset(st, 0, sizeof *st);
    st->failed = -1;
    return st;
}

int lt_embed_texts(const lt_bert *m, const char *const *texts, const size_t *lens, int64_t n,
        float *out, int64_t ld, const lt_embed_opts *o, const lt_ctx *ctx, lt_embed_stats *st) {
    lt_embed_opts def;
    lt_embed_stats mine;
    st = start(&o, &def, st, &mine);
    int want = o->dim > 0 && o->dim < lt_bert_dim(m) ? o->dim : lt_bert_dim(m);
    if (o->dim < 0) return lt_err(LT_EINVAL, "embed: dim %d", o->dim);
    if (ld < want)
        return lt_err(
                LT_EINVAL, "embed: row stride %lld below the dimension %d", (long long)ld, want);
    lt_progress prog;
    lt_progress_init(&prog, ctx, "embed", "inputs", (double)n);
    double t0 = lt_now();
    int rc = embed_block(m, texts, lens, n, out, ld, 0, o, ctx ? ctx->n_threads : 1, &prog, st);
    st->seconds = lt_now() - t0;
    lt_progress_end(&prog, (double)st->done);
    return rc;
}

int lt_embed_stream(const lt_bert *m, lt_text_source src, void *src_ud, lt_rows_out dst,
        void *dst_ud, const lt_embed_opts *o, const lt_ctx *ctx, lt_embed_stats *st) {
    lt_embed_opts def;
    lt_embed_stats mine;
    st = start(&o, &def, st, &mine);
    int nt = ctx && ctx->n_threads > 1 ? ctx->n_threads : 1,
        H = o->dim > 0 && o->dim < lt_bert_dim(m) ? o->dim : lt_bert_dim(m);
    /* a block: enough batches for every thread several times over, so the threads stay busy */
    int64_t cap = (int64_t)(o->batch < 1 ? 1 : o->batch) * nt * 8;
    if (cap < 256) cap = 256;
    const char **texts = lt_malloc(sizeof(char *) * (size_t)cap);
    size_t *lens = lt_malloc(sizeof(size_t) * (size_t)cap);
    float *rows = lt_aligned_alloc(sizeof(float) * (size_t)cap * H);
    if (!texts || !lens || !rows) {
        lt_free(texts);
        lt_free(lens);
        lt_aligned_free(rows);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    lt_progress prog;
    lt_progress_init(&prog, ctx, "embed", "inputs", 0);
    double t0 = lt_now();
    int rc = LT_OK;
    int64_t first = 0;
    for (;;) {
        int64_t n = src(src_ud, texts, lens, cap);
        if (n < 0) {
            rc = (int)n;
            break;
        }
        if (n == 0) break;
        if (n > cap) {
            rc = lt_err(LT_EINVAL, "embed: the source gave %lld texts for %lld places",
                    (long long)n, (long long)cap);
            break;
        }
        if ((rc = embed_block(m, texts, lens, n, rows, H, first, o, nt, &prog, st))) break;
        if ((rc = dst(dst_ud, rows, n, H, first))) break;
        first += n;
    }
    st->seconds = lt_now() - t0;
    lt_progress_end(&prog, (double)st->done);
    lt_free(texts);
    lt_free(lens);
    lt_aligned_free(rows);
    return rc;
}
