/* GloVe co-occurrence counting (see glove.h): per thread, a dense f64 table for the frequent
 * pairs and sorted, merged runs of records for the rest, spilled to an unlinked temporary
 * file when they outgrow the thread's share of the memory budget, then merged k-way. */
#include "latent/glove.h"
#include "latent/core.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lt_glove_opts_init(lt_glove_opts *o) {
    memset(o, 0, sizeof *o);
    o->dim = 100;
    o->window = 10;
    o->symmetric = 1;
    o->distance_weighting = 1;
    o->x_max = 100;
    o->weight_power = 0.75;
    o->alpha = 0.05;
    o->bias_alpha = 1;
    o->grad_clip = 100;
    o->epochs = 15;
    o->n_threads = 1;
    o->seed = 1;
    o->memory = 4.0 * 1073741824.0;
}

void lt_cooc_free(lt_cooc *c) {
    if (!c) return;
    lt_free(c->r);
    lt_free(c);
}

typedef struct {
    int64_t off, n;
} run_t;
typedef struct {
    const lt_tokens *t;
    const lt_glove_opts *o;
    int64_t V, T, P, cap;
    int tid;
    double *dense;
    int64_t *doff; /* local row r = a / T: its cells start at doff[r] */
    lt_cooc_rec *buf, *tmp; /* sparse records and the radix sort's scratch */
    int64_t nb;
    FILE *spill;
    run_t *runs;
    int64_t n_runs, cap_runs, spilled_recs;
    lt_cooc_rec *out; /* this thread's result */
    int64_t n_out, cap_out;
    int rc;
} shard;

static int push_out(shard *s, int32_t a, int32_t b, double x) {
    if (s->n_out == s->cap_out) {
        int64_t nc = s->cap_out ? s->cap_out * 2 : 1 << 16;
        lt_cooc_rec *p = lt_realloc(s->out, (size_t)nc * sizeof *p);
        if (!p) return lt_err(LT_ENOMEM, "out of memory for the co-occurrence records");
        s->out = p;
        s->cap_out = nc;
    }
    s->out[s->n_out++] = (lt_cooc_rec){ a, b, (float)x };
    return LT_OK;
}

/* LSD radix sort of s->buf[0..nb) by a * V + b, 16 bits a pass */
static void sort_buf(shard *s) {
    uint64_t maxkey = (uint64_t)s->V * (uint64_t)s->V;
    lt_cooc_rec *src = s->buf, *dst = s->tmp;
    static _Thread_local int64_t cnt[65536];
    for (int shift = 0; shift < 64 && (maxkey >> shift); shift += 16) {
        memset(cnt, 0, sizeof cnt);
        for (int64_t i = 0; i < s->nb; i++)
            cnt[(((uint64_t)src[i].a * (uint64_t)s->V + (uint64_t)src[i].b) >> shift) & 0xffff]++;
        int64_t sum = 0;
        for (int k = 0; k < 65536; k++) {
            int64_t c = cnt[k];
            cnt[k] = sum;
            sum += c;
        }
        for (int64_t i = 0; i < s->nb; i++)
            dst[cnt[(((uint64_t)src[i].a * (uint64_t)s->V + (uint64_t)src[i].b) >> shift) &
                    0xffff]++] = src[i];
        lt_cooc_rec *t = src;
        src = dst;
        dst = t;
    }
    if (src != s->buf) memcpy(s->buf, src, (size_t)s->nb * sizeof *src);
}

/* sorts and merges the buffer into a run, written to the spill file */
static int flush(shard *s) {
    if (!s->nb) return LT_OK;
    sort_buf(s);
    int64_t m = 0;
    for (int64_t i = 0; i < s->nb;) {
        int32_t a = s->buf[i].a, b = s->buf[i].b;
        double x = 0;
        while (i < s->nb && s->buf[i].a == a && s->buf[i].b == b) x += s->buf[i++].x;
        s->buf[m++] = (lt_cooc_rec){ a, b, (float)x };
    }
    if (!s->spill && !(s->spill = tmpfile()))
        return lt_err(LT_EIO, "cannot create a temporary file for the co-occurrence runs");
    if (s->n_runs == s->cap_runs) {
        int64_t nc = s->cap_runs ? s->cap_runs * 2 : 64;
        run_t *p = lt_realloc(s->runs, (size_t)nc * sizeof *p);
        if (!p) return lt_err(LT_ENOMEM, "out of memory");
        s->runs = p;
        s->cap_runs = nc;
    }
    s->runs[s->n_runs++] = (run_t){ s->spilled_recs, m };
    if (fwrite(s->buf, sizeof *s->buf, (size_t)m, s->spill) != (size_t)m)
        return lt_err(LT_EIO, "cannot write the co-occurrence runs (disk full?)");
    s->spilled_recs += m;
    s->nb = 0;
    return LT_OK;
}

static inline int add(shard *s, int32_t a, int32_t b, double x) {
    if ((int64_t)(a + 1) * (b + 1) <= s->P) {
        s->dense[s->doff[a / s->T] + b] += x;
        return LT_OK;
    }
    s->buf[s->nb++] = (lt_cooc_rec){ a, b, (float)x };
    return s->nb == s->cap ? flush(s) : LT_OK;
}

/* k-way merge of the spilled runs (each read through a small buffer), sums across runs */
static int merge_runs(shard *s) {
    int64_t k = s->n_runs;
    if (!k) return LT_OK;
    if (fflush(s->spill)) return lt_err(LT_EIO, "cannot write the co-occurrence runs");
    int64_t per = s->cap / k > 4096 ? s->cap / k : 4096; /* records buffered per run */
    lt_cooc_rec *bufs = lt_malloc((size_t)(k * per) * sizeof *bufs);
    int64_t *pos = lt_calloc((size_t)k, 8), *have = lt_calloc((size_t)k, 8),
            *read = lt_calloc((size_t)k, 8), *heap = lt_malloc((size_t)k * 8);
    int rc = bufs && pos && have && read && heap
            ? LT_OK
            : lt_err(LT_ENOMEM, "out of memory merging %lld co-occurrence runs (raise --memory)",
                      (long long)k);
    int64_t hn = 0;
#define KEY(r) \
    ((uint64_t)bufs[(r)*per + pos[r]].a * (uint64_t)s->V + (uint64_t)bufs[(r)*per + pos[r]].b)
#define REFILL(r) \
    do { \
        int64_t want = s->runs[r].n - read[r] < per ? s->runs[r].n - read[r] : per; \
        if (fseeko(s->spill, (off_t)((s->runs[r].off + read[r]) * (int64_t)sizeof *bufs), \
                    SEEK_SET) || \
                fread(bufs + (r)*per, sizeof *bufs, (size_t)want, s->spill) != (size_t)want) \
            rc = lt_err(LT_EIO, "cannot read the co-occurrence runs back"); \
        read[r] += want; \
        have[r] = want; \
        pos[r] = 0; \
    } while (0)
    for (int64_t r = 0; rc == LT_OK && r < k; r++) {
        REFILL(r);
        /* sift up */
        int64_t i = hn++;
        heap[i] = r;
        while (i > 0 && KEY(heap[(i - 1) / 2]) > KEY(heap[i])) {
            int64_t p = (i - 1) / 2, t = heap[p];
            heap[p] = heap[i];
            heap[i] = t;
            i = p;
        }
    }
    int32_t ca = -1, cb = -1;
    double cx = 0;
    while (rc == LT_OK && hn > 0) {
        int64_t r = heap[0];
        lt_cooc_rec e = bufs[r * per + pos[r]];
        if (e.a != ca || e.b != cb) {
            if (ca >= 0 && (rc = push_out(s, ca, cb, cx))) break;
            ca = e.a;
            cb = e.b;
            cx = 0;
        }
        cx += e.x;
        if (++pos[r] == have[r]) {
            if (read[r] < s->runs[r].n) REFILL(r);
            else { heap[0] = heap[--hn]; }
        }
        /* sift down */
        for (int64_t i = 0;;) {
            int64_t l = 2 * i + 1, m = i;
            if (l < hn && KEY(heap[l]) < KEY(heap[m])) m = l;
            if (l + 1 < hn && KEY(heap[l + 1]) < KEY(heap[m])) m = l + 1;
            if (m == i) break;
            int64_t t = heap[m];
            heap[m] = heap[i];
            heap[i] = t;
            i = m;
        }
    }
    if (rc == LT_OK && ca >= 0) rc = push_out(s, ca, cb, cx);
#undef KEY
#undef REFILL
    lt_free(bufs);
    lt_free(pos);
    lt_free(have);
    lt_free(read);
    lt_free(heap);
    return rc;
}

static void count_one(shard *s);
static void count_shard(void *ud, int64_t b, int64_t e, int tid) {
    (void)tid;
    for (int64_t i = b; i < e; i++) count_one((shard *)ud + i);
}
static void count_one(shard *s) {
    const int32_t *ids = s->t->ids;
    int64_t n = s->t->n, ls = 0, T = s->T;
    int W = s->o->window, sym = s->o->symmetric, dw = s->o->distance_weighting;
    double inv[1024];
    for (int k = 1; k <= W && k < 1024; k++) inv[k] = dw ? 1.0 / k : 1.0;
    for (int64_t p = 0; p < n && s->rc == LT_OK; p++) {
        int32_t w2 = ids[p];
        if (w2 < 0) {
            ls = p + 1;
            continue;
        }
        if ((p & 0xfffff) == 0) {
            if (lt_ctx_cancelled(s->o->ctx)) {
                s->rc = lt_err(LT_EINTR, "cancelled");
                break;
            }
            if (s->tid == 0 && s->o->progress)
                s->o->progress(s->o->progress_ud, 0, 0, (double)p, (double)n, -1);
        }
        int own2 = sym && w2 % T == s->tid;
        for (int k = 1; k <= W && p - k >= ls; k++) {
            int32_t w1 = ids[p - k];
            if (w1 % T == s->tid && (s->rc = add(s, w1, w2, inv[k]))) break;
            if (own2 && (s->rc = add(s, w2, w1, inv[k]))) break;
        }
    }
    if (s->rc == LT_OK) s->rc = flush(s);
    /* the dense rows first (their pairs never reach the runs), then the merged runs */
    for (int64_t a = s->tid; s->rc == LT_OK && a < s->V; a += T) {
        int64_t r = a / T, len = s->doff[r + 1] - s->doff[r];
        for (int64_t bb = 0; bb < len && s->rc == LT_OK; bb++)
            if (s->dense[s->doff[r] + bb] != 0)
                s->rc = push_out(s, (int32_t)a, (int32_t)bb, s->dense[s->doff[r] + bb]);
    }
    lt_free(s->dense);
    s->dense = NULL;
    lt_free(s->buf);
    s->buf = NULL;
    lt_free(s->tmp);
    s->tmp = NULL;
    if (s->rc == LT_OK) s->rc = merge_runs(s); /* its buffers take the place of the record buffer */
}

/* cells of the dense rows a = tid, tid + T, ... for the bound P */
static int64_t dense_cells(int64_t V, int64_t T, int64_t tid, int64_t P) {
    int64_t c = 0;
    for (int64_t a = tid; a < V; a += T) {
        int64_t l = P / (a + 1);
        c += l < V ? l : V;
    }
    return c;
}

int lt_cooc_count(const lt_tokens *t, int64_t V, const lt_glove_opts *o, lt_cooc **out) {
    *out = NULL;
    if (V < 1 || V > INT32_MAX)
        return lt_err(LT_EINVAL, "co-occurrence: vocabulary of %lld words", (long long)V);
    if (o->window < 1 || o->window > 1000)
        return lt_err(LT_EINVAL, "co-occurrence: window must be 1..1000");
    int64_t T = o->n_threads < 1 ? 1 : o->n_threads;
    double share = o->memory / (double)T;
    /* per thread: half for the dense table, a quarter for the record buffer and its radix
     * scratch (24 bytes per record), the rest for the merge's buffers */
    int64_t cap = (int64_t)(share / 4 / 24);
    if (cap < 1024 || share / 2 < (double)(V / T + 2) * 8)
        return lt_err(LT_EINVAL,
                "--memory %.2f MiB is too small: each of %lld threads needs at least %.1f MiB",
                o->memory / 1048576, (long long)T,
                (1024.0 * 24 * 4 + (double)(V / T + 2) * 16) / 1048576);
    shard *S = lt_calloc((size_t)T, sizeof *S);
    if (!S) return lt_err(LT_ENOMEM, "out of memory");
    int rc = LT_OK;
    for (int64_t i = 0; i < T && rc == LT_OK; i++) {
        shard *s = &S[i];
        s->t = t;
        s->o = o;
        s->V = V;
        s->T = T;
        s->tid = (int)i;
        s->cap = cap;
        /* the budget, but no more cells than a quarter of the additions this thread will make
         * (2 window per token): most of a larger table stays zero, and its scan and page faults
         * cost more than the runs it saves (corpus.txt: counting 11.0 s and 2.6 GB peak with
         * the whole budget, 7.0 s and 1.0 GB with a quarter of it) */
        int64_t budget = (int64_t)(share / 2 / 8) - (V / T + 2),
                adds = 2 * (int64_t)o->window * (t->n_words / T + 1) / 4;
        if (budget > adds) budget = adds;
        int64_t lo = 0, hi = V * V;
        while (lo < hi) { /* the largest P whose dense cells fit the budget */
            int64_t mid = lo + (hi - lo + 1) / 2;
            if (dense_cells(V, T, i, mid) <= budget) lo = mid;
            else hi = mid - 1;
        }
        s->P = lo;
        int64_t rows = (V - i + T - 1) / T;
        s->doff = lt_malloc((size_t)(rows + 1) * 8);
        if (!s->doff) {
            rc = lt_err(LT_ENOMEM, "out of memory");
            break;
        }
        s->doff[0] = 0;
        for (int64_t r = 0; r < rows; r++) {
            int64_t a = i + r * T, l = s->P / (a + 1);
            s->doff[r + 1] = s->doff[r] + (l < V ? l : V);
        }
        s->dense = lt_calloc((size_t)(s->doff[rows] ? s->doff[rows] : 1), 8);
        s->buf = lt_malloc((size_t)cap * sizeof *s->buf);
        s->tmp = lt_malloc((size_t)cap * sizeof *s->tmp);
        if (!s->dense || !s->buf || !s->tmp)
            rc = lt_err(LT_ENOMEM, "out of memory for the co-occurrence tables (lower --memory?)");
    }
    if (rc == LT_OK) {
        lt_parallel_for((int)T, T, count_shard, S);
        for (int64_t i = 0; i < T && rc == LT_OK; i++) rc = S[i].rc;
    }
    lt_cooc *c = NULL;
    if (rc == LT_OK) {
        int64_t n = 0;
        for (int64_t i = 0; i < T; i++) n += S[i].n_out;
        c = lt_calloc(1, sizeof *c);
        if (c) c->r = lt_malloc((size_t)(n ? n : 1) * sizeof *c->r);
        if (!c || !c->r) {
            rc = lt_err(LT_ENOMEM, "out of memory for %lld co-occurrence records", (long long)n);
            lt_cooc_free(c);
            c = NULL;
        }
        for (int64_t i = 0, at = 0; c && i < T; i++) {
            memcpy(c->r + at, S[i].out, (size_t)S[i].n_out * sizeof *c->r);
            at += S[i].n_out;
        }
        if (c) {
            c->n = n;
            c->vocab = V;
            for (int64_t i = 0; i < T; i++) c->runs += S[i].n_runs;
        }
    }
    for (int64_t i = 0; i < T; i++) {
        shard *s = &S[i];
        lt_free(s->dense);
        lt_free(s->doff);
        lt_free(s->buf);
        lt_free(s->tmp);
        lt_free(s->runs);
        lt_free(s->out);
        if (s->spill) fclose(s->spill);
    }
    lt_free(S);
    if (rc) return rc;
    *out = c;
    return LT_OK;
}
