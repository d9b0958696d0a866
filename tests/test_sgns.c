/* trainer: finite-difference gradient checks of every update, batched vs plain,
 * determinism, resume == uninterrupted */
#include "test.h"
#include <pthread.h>
#include <unistd.h>
#include <zlib.h>

#define D 16
static double bce(double f, double label) {
    double ls = f >= 0 ? -log1p(exp(-f)) : f - log1p(exp(f)),
           lms = -f >= 0 ? -log1p(exp(f)) : -f - log1p(exp(-f));
    return -(label * ls + (1 - label) * lms);
}
static double dotd(const float *a, const float *b) {
    double s = 0;
    for (int k = 0; k < D; k++) s += (double)a[k] * b[k];
    return s;
}

/* loss of rows A (m) against B (o) with labels */
static double loss_ab(float *const *A, int m, float *const *B, int o, const float *lab) {
    double L = 0;
    for (int i = 0; i < m; i++)
        for (int j = 0; j < o; j++) L += bce(dotd(A[i], B[j]), lab[j]);
    return L;
}

static float *rows(int n, lt_rng *r, float scale) {
    float *x = lt_aligned_alloc((size_t)n * D * 4);
    for (int i = 0; i < n * D; i++) x[i] = (float)(lt_rng_uniform(r) * 2 - 1) * scale;
    return x;
}

/* numeric gradient of loss wrt every coordinate of `p` (n floats) */
static void numgrad(float *p, int n, double (*L)(void *), void *ud, double *g) {
    for (int i = 0; i < n; i++) {
        float s = p[i];
        double h = 1e-2;
        p[i] = (float)(s + h);
        double lp = L(ud);
        p[i] = (float)(s - h);
        double lm = L(ud);
        p[i] = s;
        g[i] = (lp - lm) / (2 * h);
    }
}

typedef struct {
    float **A;
    int m;
    float **B;
    int o;
    float *lab;
    int cbow;
} lctx;
static double lfun(void *ud) {
    lctx *c = ud;
    if (!c->cbow) return loss_ab(c->A, c->m, c->B, c->o, c->lab);
    float h[D];
    for (int k = 0; k < D; k++) {
        double s = 0;
        for (int i = 0; i < c->m; i++) s += c->A[i][k];
        h[k] = (float)(s / c->m);
    }
    float *hp = h;
    return loss_ab(&hp, 1, c->B, c->o, c->lab);
}

/* checks new - old == -alpha * scale * grad for the parameters in rows */
static void check_update(float *before, float *after, double *grad, int n, double alpha,
        double scale, const char *what) {
    double mx = 0, gmax = 0;
    for (int i = 0; i < n; i++) {
        double e = fabs((after[i] - before[i]) - (-alpha * scale * grad[i]));
        if (e > mx) mx = e;
        if (fabs(grad[i]) > gmax) gmax = fabs(grad[i]);
    }
    CHECK_MSG(mx <= 2e-3 * alpha * (gmax + 1), "%s: max deviation %.3g (alpha %.3g, max grad %.3g)",
            what, mx, alpha, gmax);
    CHECK_MSG(gmax > 1e-3, "%s: gradient too small to test", what);
}

static void grad_case(int kind) {
    /* kind 0: skip-gram NS, 1: HS, 2: CBOW NS, 3: batched window */
    lt_rng r;
    lt_rng_seed(&r, 11 + kind, 0);
    int m = kind == 2 ? 4 : kind == 3 ? 5 : 1, o = 4;
    float *A = rows(m, &r, 0.8f), *B = rows(o, &r, 0.8f);
    float *Ap[8], *Bp[8], lab[8];
    uint8_t codes[8];
    for (int i = 0; i < m; i++) Ap[i] = A + i * D;
    for (int j = 0; j < o; j++) {
        Bp[j] = B + j * D;
        lab[j] = j == 0;
        codes[j] = (uint8_t)(j % 2);
    }
    if (kind == 1)
        for (int j = 0; j < o; j++) lab[j] = 1 - codes[j];
    lctx c = { Ap, m, Bp, o, lab, kind == 2 };
    double *gA = malloc(sizeof(double) * m * D), *gB = malloc(sizeof(double) * o * D);
    numgrad(A, m * D, lfun, &c, gA);
    numgrad(B, o * D, lfun, &c, gB);
    double L0 = lfun(&c);
    float *A0 = malloc((size_t)m * D * 4), *B0 = malloc((size_t)o * D * 4);
    memcpy(A0, A, (size_t)m * D * 4);
    memcpy(B0, B, (size_t)o * D * 4);
    float alpha = 0.01f;
    double Lr = 0;
    if (kind == 0) Lr = lt_sgns_step_ns(A, Bp, o, D, alpha, 1);
    if (kind == 1) Lr = lt_sgns_step_hs(A, Bp, codes, o, D, alpha, 1);
    if (kind == 2) Lr = lt_sgns_step_cbow_ns(Ap, m, Bp, o, D, alpha, 1);
    if (kind == 3) Lr = lt_sgns_step_batch(Ap, m, Bp, o, D, alpha, 1);
    CHECK_NEAR(Lr, L0, 1e-4, 1e-4);
    const char *nm[] = { "skip-gram NS", "hierarchical softmax", "CBOW NS", "batched window" };
    /* word2vec applies CBOW's hidden gradient to every context row: scale m */
    check_update(A0, A, gA, m * D, alpha, kind == 2 ? m : 1, nm[kind]);
    check_update(B0, B, gB, o * D, alpha, 1, nm[kind]);
    /* a step lowers the loss */
    CHECK(lfun(&c) < L0);
    free(gA);
    free(gB);
    free(A0);
    free(B0);
    lt_aligned_free(A);
    lt_aligned_free(B);
}
TEST(gradcheck_skipgram_ns) { grad_case(0); }
TEST(gradcheck_hs) { grad_case(1); }
TEST(gradcheck_cbow_ns) { grad_case(2); }
TEST(gradcheck_batched) { grad_case(3); }

/* Synthetic corpus: 4 topics of 25 words; each sentence draws from one topic. */
#define NW 100
static int32_t *synth(int64_t n_sent, int64_t *n_out, int64_t *counts) {
    lt_rng r;
    lt_rng_seed(&r, 5, 0);
    int64_t n = 0;
    int32_t *ids = malloc((size_t)n_sent * 21 * 4);
    memset(counts, 0, NW * sizeof *counts);
    for (int64_t s = 0; s < n_sent; s++) {
        int topic = (int)lt_rng_below(&r, 4);
        for (int k = 0; k < 20; k++) {
            int w = topic * 25 +
                    (int)(lt_rng_below(&r, 25) * lt_rng_below(&r, 25) / 25); /* skewed counts */
            ids[n++] = w;
            counts[w]++;
        }
        ids[n++] = -1;
    }
    *n_out = n;
    return ids;
}

/* sort ids by count so the Huffman tree sees descending counts, as a vocabulary gives */
static void by_count(int32_t *ids, int64_t n, int64_t *counts) {
    int order[NW], rank[NW];
    for (int i = 0; i < NW; i++) order[i] = i;
    for (int i = 0; i < NW; i++)
        for (int j = i + 1; j < NW; j++)
            if (counts[order[j]] > counts[order[i]]) {
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
    int64_t c2[NW];
    for (int i = 0; i < NW; i++) {
        rank[order[i]] = i;
        c2[i] = counts[order[i]];
    }
    for (int64_t i = 0; i < n; i++)
        if (ids[i] >= 0) ids[i] = rank[ids[i]];
    memcpy(counts, c2, sizeof c2);
    /* topic of rank i is order[i]/25: keep the map for scoring */
    static int topic_of[NW];
    for (int i = 0; i < NW; i++) topic_of[i] = order[i] / 25;
    memcpy((void *)(counts + NW), topic_of, sizeof topic_of);
}

/* mean cosine within topics minus across topics */
static double topic_margin(const float *W, int64_t ld, const int *topic) {
    double in = 0, out = 0;
    int64_t ni = 0, no = 0;
    for (int a = 0; a < NW; a++)
        for (int b = a + 1; b < NW; b++) {
            double s = 0, na = 0, nb = 0;
            for (int k = 0; k < D; k++) {
                s += W[a * ld + k] * W[b * ld + k];
                na += W[a * ld + k] * W[a * ld + k];
                nb += W[b * ld + k] * W[b * ld + k];
            }
            double c = s / sqrt(na * nb + 1e-30);
            if (topic[a] == topic[b]) {
                in += c;
                ni++;
            } else {
                out += c;
                no++;
            }
        }
    return in / (double)ni - out / (double)no;
}

typedef struct {
    int32_t *ids;
    int64_t n;
    int64_t counts[NW + NW / 2 + 1];
    lt_tokens t;
} corpus_t;
static corpus_t *g_corp;
static corpus_t *corp(void) {
    if (g_corp) return g_corp;
    g_corp = calloc(1, sizeof *g_corp);
    g_corp->ids = synth(4000, &g_corp->n, g_corp->counts);
    by_count(g_corp->ids, g_corp->n, g_corp->counts);
    g_corp->t.ids = g_corp->ids;
    g_corp->t.n = g_corp->n;
    for (int64_t i = 0; i < g_corp->n; i++) g_corp->t.n_words += g_corp->ids[i] >= 0;
    return g_corp;
}

static lt_sgns *train(
        int cbow, int hs, int neg, int batched, int threads, int64_t ck_every, double *margin) {
    corpus_t *c = corp();
    lt_sgns_opts o;
    lt_sgns_opts_init(&o);
    o.dim = D;
    o.cbow = cbow;
    o.hs = hs;
    o.negative = neg;
    o.batched = batched;
    o.n_threads = threads;
    o.epochs = 3;
    o.sample = 0;
    o.checkpoint_every = ck_every;
    lt_sgns *m;
    if (lt_sgns_new(&m, &o, NW, c->counts) != LT_OK) return NULL;
    if (lt_sgns_train(m, &c->t) != LT_OK) {
        lt_sgns_free(m);
        return NULL;
    }
    int64_t ld;
    const float *W = lt_sgns_vectors(m, &ld);
    if (margin) *margin = topic_margin(W, ld, (const int *)(void *)(c->counts + NW));
    return m;
}

TEST(trainers_learn_topics) {
    /* every mode separates the topics; batched and plain reach similar margins */
    int modes[][3] = { { 0, 0, 5 }, { 1, 0, 5 }, { 0, 1, 0 }, { 1, 1, 0 } };
    for (int i = 0; i < 4; i++) {
        double mb = 0, mp = 0;
        lt_sgns *a = train(modes[i][0], modes[i][1], modes[i][2], 1, 1, 0, &mb);
        lt_sgns *b = train(modes[i][0], modes[i][1], modes[i][2], 0, 1, 0, &mp);
        CHECK(a && b);
        CHECK_MSG(mb > 0.3 && mp > 0.3, "mode %d: margins batched %.3f plain %.3f", i, mb, mp);
        CHECK_MSG(fabs(mb - mp) < 0.25, "mode %d: batched %.3f vs plain %.3f", i, mb, mp);
        lt_sgns_free(a);
        lt_sgns_free(b);
    }
    /* batched = 2 (per-pair centre updates, shared negatives): skip-gram NS learns as well */
    double m2 = 0, mp = 0;
    lt_sgns *a = train(0, 0, 5, 2, 1, 0, &m2), *b = train(0, 0, 5, 0, 1, 0, &mp);
    CHECK(a && b);
    CHECK_MSG(m2 > 0.3 && fabs(m2 - mp) < 0.25, "batched 2 %.3f vs plain %.3f", m2, mp);
    lt_sgns_free(a);
    lt_sgns_free(b);
}

/* fastText's CBOW with subwords: with each word's own row as its only input row it is plain
 * CBOW, bit for bit; with a shared "n-gram" row per topic the words' vectors (means of their
 * rows) separate the topics, and the shared rows move (they take the hidden gradient) */
TEST(subword_cbow) {
    corpus_t *c = corp();
    lt_sgns *plain = train(1, 0, 5, 1, 1, 0, NULL);
    lt_sgns_opts o = *lt_sgns_get_opts(plain);
    int64_t ptr[NW + 1], ptr2[NW + 1];
    int32_t rows[NW], rows2[2 * NW];
    for (int w = 0; w < NW; w++) {
        ptr[w] = w;
        rows[w] = w;
        ptr2[w] = 2 * w;
        rows2[2 * w] = w;
        rows2[2 * w + 1] = NW + ((const int *)(void *)(c->counts + NW))[w];
    }
    ptr[NW] = NW;
    ptr2[NW] = 2 * NW;
    lt_sgns *id = NULL, *sh = NULL;
    CHECK(lt_sgns_new(&id, &o, NW, c->counts) == LT_OK &&
            lt_sgns_set_subwords(id, 0, ptr, rows) == LT_OK && lt_sgns_train(id, &c->t) == LT_OK);
    int64_t ld = 0;
    const float *wp = plain ? lt_sgns_vectors(plain, &ld) : NULL;
    CHECK(plain && id && !memcmp(wp, lt_sgns_vectors(id, NULL), (size_t)NW * ld * 4));
    CHECK(lt_sgns_new(&sh, &o, NW, c->counts) == LT_OK &&
            lt_sgns_set_subwords(sh, 4, ptr2, rows2) == LT_OK);
    int64_t nr = 0, ild = 0;
    float before[4][D], *V = malloc((size_t)NW * ld * 4);
    const float *in = sh ? lt_sgns_input_rows(sh, &nr, &ild) : NULL;
    for (int t = 0; in && t < 4; t++) memcpy(before[t], in + (NW + t) * ild, sizeof before[t]);
    CHECK(sh && nr == NW + 4 && lt_sgns_train(sh, &c->t) == LT_OK);
    double moved = 0;
    for (int t = 0; in && t < 4; t++)
        for (int k = 0; k < D; k++) moved += fabs(in[(NW + t) * ild + k] - before[t][k]);
    CHECK_MSG(moved > 0.1, "shared rows moved by %g", moved);
    memset(V, 0, (size_t)NW * ld * 4);
    for (int w = 0; sh && w < NW; w++) lt_sgns_word_vector(sh, w, V + w * ld);
    double mg = topic_margin(V, ld, (const int *)(void *)(c->counts + NW));
    CHECK_MSG(mg > 0.3, "subword CBOW topic margin %.3f", mg);
    o.hs = 1;
    lt_sgns *bad = NULL;
    CHECK(lt_sgns_new(&bad, &o, NW, c->counts) == LT_OK &&
            lt_sgns_set_subwords(bad, 0, ptr, rows) != LT_OK &&
            strstr(lt_errmsg(), "negative sampling only"));
    free(V);
    lt_sgns_free(bad);
    lt_sgns_free(plain);
    lt_sgns_free(id);
    lt_sgns_free(sh);
}

typedef struct {
    double done, total;
} prog_t;
static int prog_cb(double done, double total, double loss, void *ud) {
    prog_t *p = ud;
    p->done = done;
    p->total = total;
    (void)loss;
    return 0;
}
static int stop_cb(double done, double total, double loss, void *ud) {
    prog_cb(done, total, loss, ud);
    return 1;
}
/* fastText's epoch length (epoch_words): 2 epochs of 1.25 x the stream's words run 2.5
 * passes, the half pass from the start of the stream with the rate still falling; one thread
 * reproduces it bit for bit; 0 is exactly `epochs` passes; no checkpoints with it */
/* sets *flag after 0.2 s */
static void *raise_later(void *flag) {
    double t0 = lt_now();
    while (lt_now() - t0 < 0.2) {}
    *(volatile int *)flag = 1;
    return NULL;
}

TEST(epoch_words_runs_past_the_epochs) {
    corpus_t *c = corp();
    lt_sgns_opts o;
    lt_sgns_opts_init(&o);
    o.dim = D;
    o.epochs = 2;
    o.sample = 0;
    o.n_threads = 1;
    prog_t p = { 0 };
    o.progress = prog_cb;
    o.progress_ud = &p;
    double n = (double)c->t.n_words;
    lt_sgns *e = NULL, *a = NULL, *b = NULL, *k = NULL;
    CHECK(lt_sgns_new(&e, &o, NW, c->counts) == LT_OK && lt_sgns_train(e, &c->t) == LT_OK);
    CHECK_MSG(p.done == 2 * n && p.total == 2 * n, "exact epochs: %.0f of %.0f words, stream %.0f",
            p.done, p.total, n);
    o.epoch_words = c->t.n_words * 5 / 4;
    p.done = p.total = 0;
    CHECK(lt_sgns_new(&a, &o, NW, c->counts) == LT_OK && lt_sgns_train(a, &c->t) == LT_OK);
    CHECK_MSG(fabs(p.total - 2.0 * (double)o.epoch_words) < 1 && fabs(p.done - 2.5 * n) < 0.02 * n,
            "epoch_words: %.0f of %.0f words, expected about %.0f", p.done, p.total, 2.5 * n);
    CHECK(lt_sgns_new(&b, &o, NW, c->counts) == LT_OK && lt_sgns_train(b, &c->t) == LT_OK);
    int64_t ld = 0;
    const float *wa = a ? lt_sgns_vectors(a, &ld) : NULL;
    CHECK(a && b && e && !memcmp(wa, lt_sgns_vectors(b, NULL), (size_t)NW * ld * 4));
    CHECK(a && e && memcmp(wa, lt_sgns_vectors(e, NULL), (size_t)NW * ld * 4));
    CHECK(lt_sgns_new(&k, &o, NW, c->counts) == LT_OK);
    if (k) lt_sgns_set_output(k, "build/tests/epoch_words.ckpt");
    CHECK(k && lt_sgns_train(k, &c->t) == LT_EINVAL && strstr(lt_errmsg(), "checkpoints"));
    /* two threads read as fastText: each from its part's start on through the whole stream,
     * wrapping, until both together read the total (at most one sentence of 20 words more
     * each); a stop asked by the progress callback ends the run inside it */
    o.n_threads = 2;
    p.done = p.total = 0;
    lt_sgns *t2 = NULL, *st = NULL;
    CHECK(lt_sgns_new(&t2, &o, NW, c->counts) == LT_OK && lt_sgns_train(t2, &c->t) == LT_OK);
    CHECK_MSG(p.done >= 2.0 * (double)o.epoch_words && p.done <= 2.0 * (double)o.epoch_words + 40,
            "2 threads: %.0f words, total %.0f", p.done, 2.0 * (double)o.epoch_words);
    o.progress = stop_cb;
    o.epochs = 2000; /* 200M words: seconds of work unless the stop is seen inside the run */
    double t0 = lt_now();
    CHECK(lt_sgns_new(&st, &o, NW, c->counts) == LT_OK && lt_sgns_train(st, &c->t) == LT_EINTR);
    CHECK_MSG(lt_now() - t0 < 1.0, "the stop took %.2f s", lt_now() - t0);
    /* a context's cancel flag, raised by another thread mid-run, stops it the same way */
    volatile int cancel = 0;
    lt_ctx ctx;
    lt_ctx_init(&ctx);
    ctx.cancel = &cancel;
    o.progress = NULL;
    o.ctx = &ctx;
    lt_sgns *cn = NULL;
    pthread_t th;
    CHECK(lt_sgns_new(&cn, &o, NW, c->counts) == LT_OK);
    pthread_create(&th, NULL, raise_later, (void *)&cancel);
    t0 = lt_now();
    CHECK(cn && lt_sgns_train(cn, &c->t) == LT_EINTR && strstr(lt_errmsg(), "cancelled"));
    CHECK_MSG(lt_now() - t0 < 1.5, "the cancel took %.2f s", lt_now() - t0);
    pthread_join(th, NULL);
    lt_sgns_free(cn);
    lt_sgns_free(e);
    lt_sgns_free(a);
    lt_sgns_free(b);
    lt_sgns_free(k);
    lt_sgns_free(t2);
    lt_sgns_free(st);
}

TEST(one_thread_deterministic) {
    lt_sgns *a = train(0, 0, 5, 1, 1, 0, NULL), *b = train(0, 0, 5, 1, 1, 0, NULL);
    int64_t ld = 0;
    const float *wa = a ? lt_sgns_vectors(a, &ld) : NULL;
    CHECK(a && b && !memcmp(wa, lt_sgns_vectors(b, NULL), (size_t)NW * ld * 4));
    lt_sgns_free(a);
    lt_sgns_free(b);
    /* two threads still learn */
    double m2;
    lt_sgns *c = train(0, 0, 5, 1, 2, 0, &m2);
    CHECK(c && m2 > 0.3);
    lt_sgns_free(c);
}

TEST(resume_equals_uninterrupted) {
    corpus_t *c = corp();
    for (int mode = 0; mode < 2; mode++) {
        lt_sgns *full = train(mode, mode, 5, 1, 1, 20000, NULL);
        lt_sgns_opts o = *lt_sgns_get_opts(full);
        o.stop_after_segments = 4;
        lt_sgns *m;
        CHECK(lt_sgns_new(&m, &o, NW, c->counts) == LT_OK);
        lt_sgns_set_output(m, "build/tests/ck.bin");
        lt_sgns_set_blob(m, "vocab", 5);
        CHECK(lt_sgns_train(m, &c->t) == LT_EINTR);
        lt_sgns_free(m);
        void *blob;
        size_t bl;
        CHECK(lt_sgns_load_checkpoint(&m, "build/tests/ck.bin", &blob, &bl) == LT_OK);
        CHECK(bl == 5 && !memcmp(blob, "vocab", 5));
        lt_free(blob);
        CHECK(m && lt_sgns_train(m, &c->t) == LT_OK);
        int64_t ld;
        const float *wf = lt_sgns_vectors(full, &ld);
        CHECK(m && !memcmp(wf, lt_sgns_vectors(m, NULL), (size_t)NW * ld * 4));
        lt_sgns_free(m);
        lt_sgns_free(full);
    }
    /* a corrupt checkpoint is refused */
    FILE *f = fopen("build/tests/ck.bin", "r+b");
    fseek(f, 500, SEEK_SET);
    fputc(0x42, f);
    fclose(f);
    lt_sgns *m = NULL;
    void *blob;
    size_t bl;
    CHECK(lt_sgns_load_checkpoint(&m, "build/tests/ck.bin", &blob, &bl) == LT_EFORMAT && m == NULL);
    CHECK(strstr(lt_errmsg(), "ck.bin") != NULL);
}

/* the Huffman tree does not depend on the vocabulary being sorted: the same counts in
 * another order give the same trained vectors (permuted), and absurd counts neither
 * overflow nor crash */
TEST(huffman_any_order_and_huge_counts) {
    corpus_t *c = corp();
    lt_sgns_opts o;
    lt_sgns_opts_init(&o);
    o.dim = D;
    o.hs = 1;
    o.negative = 0;
    o.epochs = 1;
    o.sample = 0;
    lt_sgns *a = NULL, *b = NULL;
    CHECK(lt_sgns_new(&a, &o, NW, c->counts) == LT_OK && lt_sgns_train(a, &c->t) == LT_OK);
    /* reverse the ids: counts ascending now */
    int64_t rc[NW];
    for (int i = 0; i < NW; i++) rc[i] = c->counts[NW - 1 - i];
    int32_t *ids = malloc((size_t)c->n * 4);
    for (int64_t i = 0; i < c->n; i++) ids[i] = c->ids[i] < 0 ? -1 : NW - 1 - c->ids[i];
    lt_tokens t = c->t;
    t.ids = ids;
    CHECK(lt_sgns_new(&b, &o, NW, rc) == LT_OK && lt_sgns_train(b, &t) == LT_OK);
    if (a && b) {
        int64_t ld;
        const float *wa = lt_sgns_vectors(a, &ld), *wb = lt_sgns_vectors(b, NULL);
        int same_tree_rows = 0;
        for (int i = 0; i < NW; i++)
            same_tree_rows += fabsf(wa[(int64_t)i * ld] - wb[(int64_t)(NW - 1 - i) * ld]) < 1;
        CHECK_MSG(same_tree_rows == NW, "%d of %d rows", same_tree_rows, NW);
        for (int64_t k = 0; k < NW * ld; k++) CHECK(isfinite(wb[k]));
    }
    lt_sgns_free(a);
    lt_sgns_free(b);
    int64_t huge[NW];
    for (int i = 0; i < NW; i++) huge[i] = i % 3 ? INT64_MAX : i;
    lt_sgns *h = NULL;
    CHECK(lt_sgns_new(&h, &o, NW, huge) == LT_OK);
    CHECK(h && lt_sgns_train(h, &c->t) == LT_OK);
    lt_sgns_free(h);
    huge[5] = -1;
    CHECK(lt_sgns_new(&h, &o, NW, huge) == LT_EINVAL && h == NULL);
    free(ids);
}

/* a crafted checkpoint with a valid checksum and a header claiming a huge vocabulary is
 * refused before anything of that size is allocated */
static size_t g_biggest;
static void *big_malloc(size_t n, void *ud) {
    (void)ud;
    if (n > g_biggest) g_biggest = n;
    return malloc(n);
}
static void *big_realloc(void *p, size_t n, void *ud) {
    (void)ud;
    if (n > g_biggest) g_biggest = n;
    return realloc(p, n);
}
static void big_free(void *p, void *ud) {
    (void)ud;
    free(p);
}
TEST(checkpoint_sizes_checked_before_allocating) {
    lt_sgns *m = train(0, 0, 5, 1, 1, 20000, NULL);
    CHECK(m && lt_sgns_save_checkpoint(m, "build/tests/ck2.bin", "v", 1) == LT_OK);
    lt_sgns_free(m);
    long len = 0;
    unsigned char *b = t_read_file("build/tests/ck2.bin", &len);
    CHECK(b != NULL);
    if (!b) return;
    int64_t V = 1 << 28; /* 2^28 words x 16 dims: gigabytes */
    memcpy(b + 8 + 8, &V, 8);
    uint32_t c32 = (uint32_t)crc32(crc32(0, Z_NULL, 0), b + 8, (uInt)(len - 12));
    memcpy(b + len - 4, &c32, 4);
    lt_allocator al = { big_malloc, big_realloc, big_free, NULL };
    g_biggest = 0;
    lt_set_allocator(&al);
    lt_sgns *x = NULL;
    void *blob;
    size_t bl;
    int rc = lt_sgns_parse_checkpoint(b, (size_t)len, "crafted.ckpt", &x, &blob, &bl);
    lt_set_allocator(NULL);
    CHECK(rc == LT_EFORMAT && x == NULL);
    CHECK_MSG(g_biggest < (1u << 20), "allocated %zu bytes before refusing", g_biggest);
    CHECK(strstr(lt_errmsg(), "crafted.ckpt") != NULL);
    free(b);
}

RUN_TESTS(T(huffman_any_order_and_huge_counts), T(checkpoint_sizes_checked_before_allocating),
        T(gradcheck_skipgram_ns), T(gradcheck_hs), T(gradcheck_cbow_ns), T(gradcheck_batched),
        T(trainers_learn_topics), T(subword_cbow), T(epoch_words_runs_past_the_epochs),
        T(one_thread_deterministic), T(resume_equals_uninterrupted))
