/* Skip-gram / CBOW trainer with negative sampling and hierarchical softmax.
 * Reference: Mikolov et al. 2013 (word2vec.c behaviour), Ji et al. 2016 (batched
 * shared-negative formulation). Shapes: syn0, syn1neg, syn1 are (V, ld). */
#include "latent/sgns.h"
#include "latent/core.h"
#include "latent/kern.h"
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include "latent/io.h"
#include "latent/box.h"

#define MAX_CODE 40
#define MAX_SENT 10000

typedef struct {
    lt_rng rng;
    float alpha;
    int64_t words, last_words; /* tokens read by this thread (all epochs), last flush */
    double loss;
    int64_t loss_n;
} tstate;

struct lt_sgns {
    lt_sgns_opts o;
    int64_t V, d, ld;
    int64_t *counts;
    float *syn0, *syn1neg, *syn1;
    float *alias_p;
    int32_t *alias_i; /* unigram^0.75 alias table */
    uint8_t *code, *codelen;
    int32_t *point; /* Huffman tree */
    float *keep; /* subsampling keep probability */
    tstate *ts;
    int epoch, segment; /* resume position */
    _Atomic int64_t word_count_actual;
    int64_t segments_done;
    char *ckpt_path;
    const void *blob;
    size_t blob_len;
    uint64_t tok_hash;
    int64_t tok_n; /* identity of the token stream (checked on resume) */
    double wps;
    const float *sig;
    float logsig[LT_EXP_TABLE_SIZE + 1];
    int64_t rows; /* input rows: V, plus subword rows when set */
    int64_t *sub_ptr;
    int32_t *sub_rows; /* subwords: word w's input rows (lt_sgns_set_subwords) */
};

void lt_sgns_opts_init(lt_sgns_opts *o) {
    memset(o, 0, sizeof *o);
    o->dim = 100;
    o->window = 5;
    o->negative = 5;
    o->epochs = 5;
    o->alpha = 0;
    o->sample = 1e-3f;
    o->n_threads = 1;
    o->seed = 1;
    o->batched = 1;
    o->ns_exponent = 0.75f;
    o->init_range = 0.5f;
}

/* ---------- sigmoid helpers ---------- */
/* word2vec's gradient factor for label in {0,1}: clamps outside [-MAX_EXP, MAX_EXP]. */
static inline float ns_g(const lt_sgns *m, float f, float label, int exact) {
    if (exact) return label - lt_sigmoid(f);
    if (f > LT_MAX_EXP) return label - 1;
    if (f < -LT_MAX_EXP) return label;
    return label - lt_sigmoid_lookup(m ? m->sig : lt_sigmoid_table(), f);
}
/* log sigmoid(x) for the progress loss: word2vec's table indexing, clamped outside +-MAX_EXP */
static inline float logsig_tab(const lt_sgns *m, float x) {
    return x >= LT_MAX_EXP ? 0 : x <= -LT_MAX_EXP ? x : m->logsig[lt_exp_index(x)];
}
static double logsig_exact(double x) { return x >= 0 ? -log1p(exp(-x)) : x - log1p(exp(x)); }

/* ---------- setup ---------- */
static int build_alias(lt_sgns *m) {
    int64_t V = m->V;
    m->alias_p = lt_malloc((size_t)V * sizeof(float));
    m->alias_i = lt_malloc((size_t)V * sizeof(int32_t));
    double *p = lt_malloc((size_t)V * sizeof(double));
    int64_t *small = lt_malloc((size_t)V * sizeof(int64_t)),
            *large = lt_malloc((size_t)V * sizeof(int64_t));
    if (!m->alias_p || !m->alias_i || !p || !small || !large) {
        lt_free(p);
        lt_free(small);
        lt_free(large);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    double z = 0;
    for (int64_t i = 0; i < V; i++) z += pow((double)m->counts[i], m->o.ns_exponent);
    int64_t ns = 0, nl = 0;
    for (int64_t i = 0; i < V; i++) {
        p[i] = z > 0 ? pow((double)m->counts[i], m->o.ns_exponent) / z * (double)V : 1.0;
        m->alias_i[i] = (int32_t)i;
        if (p[i] < 1) small[ns++] = i;
        else large[nl++] = i;
    }
    while (ns && nl) {
        int64_t s = small[--ns], l = large[nl - 1];
        m->alias_p[s] = (float)p[s];
        m->alias_i[s] = (int32_t)l;
        p[l] -= 1 - p[s];
        if (p[l] < 1) {
            nl--;
            small[ns++] = l;
        }
    }
    while (nl) m->alias_p[large[--nl]] = 1.0f;
    while (ns) m->alias_p[small[--ns]] = 1.0f;
    lt_free(p);
    lt_free(small);
    lt_free(large);
    return LT_OK;
}

static inline int32_t draw_neg(const lt_sgns *m, lt_rng *r) {
    uint64_t x = lt_rng_next(r);
    int32_t i = (int32_t)(((x >> 32) * (uint64_t)m->V) >> 32);
    float u = (float)(x & 0xffffff) * (1.0f / 16777216.0f);
    return u < m->alias_p[i] ? i : m->alias_i[i];
}

static const int64_t *g_sort_counts;
static int cmp_count_desc(const void *a, const void *b) {
    int64_t x = g_sort_counts[*(const int64_t *)a], y = g_sort_counts[*(const int64_t *)b];
    if (x != y) return x > y ? -1 : 1;
    return *(const int64_t *)a < *(const int64_t *)b ? -1 : 1; /* stable */
}
/* Huffman tree over counts (word2vec's construction, on ids by descending count). */
static int build_tree(lt_sgns *m) {
    int64_t V = m->V;
    m->code = lt_calloc((size_t)V * MAX_CODE, 1);
    m->point = lt_calloc((size_t)V * MAX_CODE, sizeof(int32_t));
    m->codelen = lt_calloc((size_t)V, 1);
    int64_t *parent = lt_malloc((size_t)V * 2 * sizeof(int64_t));
    uint8_t *bin = lt_calloc((size_t)V * 2, 1);
    if (!m->code || !m->point || !m->codelen || !parent || !bin) {
        lt_free(parent);
        lt_free(bin);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    /* word2vec's two-queue construction needs leaves by descending count: work on a sorted
     * order (the identity for a sorted vocabulary, so trees are word2vec's), with sums that
     * saturate instead of overflowing on absurd counts */
    int64_t *ord = lt_malloc((size_t)V * sizeof(int64_t));
    if (!ord) {
        lt_free(parent);
        lt_free(bin);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    int sorted = 1;
    for (int64_t i = 0; i < V; i++) {
        ord[i] = i;
        if (i && m->counts[i] > m->counts[i - 1]) sorted = 0;
    }
    if (!sorted) {
        g_sort_counts =
                m->counts; /* qsort has no context argument; build_tree runs once per model, not concurrently */
        qsort(ord, (size_t)V, sizeof *ord, cmp_count_desc);
    }
    /* weights as long double: sums of any int64 counts neither overflow nor (below 2^64)
     * round, so real vocabularies get word2vec's exact tree */
    long double *w = lt_malloc((size_t)V * 2 * sizeof(long double));
    if (!w) {
        lt_free(ord);
        lt_free(parent);
        lt_free(bin);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    for (int64_t i = 0; i < V; i++) w[i] = (long double)m->counts[ord[i]];
    for (int64_t i = V; i < 2 * V; i++) w[i] = LDBL_MAX;
    int64_t p1 = V - 1, p2 = V;
    for (int64_t a = 0; a < V - 1; a++) {
        int64_t mn[2];
        for (int k = 0; k < 2; k++) {
            if (p1 >= 0 && w[p1] < w[p2]) mn[k] = p1--;
            else mn[k] = p2++;
        }
        w[V + a] = w[mn[0]] + w[mn[1]];
        parent[mn[0]] = V + a;
        parent[mn[1]] = V + a;
        bin[mn[1]] = 1;
    }
    lt_free(w);
    int rc = LT_OK;
    for (int64_t a = 0; a < V && rc == LT_OK; a++) {
        uint8_t c[MAX_CODE];
        int64_t pt[MAX_CODE];
        int n = 0;
        int64_t b = a;
        for (; b != 2 * V - 2 && n < MAX_CODE; b = parent[b]) {
            c[n] = bin[b];
            pt[n] = b;
            n++;
        }
        if (b != 2 * V - 2) {
            rc = lt_err(LT_EINVAL,
                    "hierarchical softmax: a Huffman code longer than %d bits (pathological counts)",
                    MAX_CODE);
            break;
        }
        int64_t w = ord[a];
        m->codelen[w] = (uint8_t)n;
        /* path from the root: point[0] is the root (inner node V-2) */
        for (int i = 0; i < n; i++) {
            m->code[w * MAX_CODE + (n - 1 - i)] = c[i];
            m->point[w * MAX_CODE + (n - 1 - i)] =
                    (int32_t)((i + 1 < n ? pt[i + 1] : 2 * V - 2) - V);
        }
    }
    lt_free(ord);
    lt_free(parent);
    lt_free(bin);
    return rc;
}

static int alloc_model(lt_sgns *m) {
    size_t bytes;
    if (!lt_mul_ok((size_t)m->V, (size_t)m->ld * sizeof(float), &bytes))
        return lt_err(LT_ENOMEM, "model too large");
    m->syn0 = lt_aligned_alloc(bytes);
    if (!m->syn0)
        return lt_err(LT_ENOMEM, "out of memory for %lld x %lld vectors", (long long)m->V,
                (long long)m->d);
    memset(m->syn0, 0, bytes);
    if (m->o.negative > 0) {
        if (!(m->syn1neg = lt_aligned_alloc(bytes))) return lt_err(LT_ENOMEM, "out of memory");
        memset(m->syn1neg, 0, bytes);
    }
    if (m->o.hs) {
        if (!(m->syn1 = lt_aligned_alloc(bytes))) return lt_err(LT_ENOMEM, "out of memory");
        memset(m->syn1, 0, bytes);
    }
    m->ts = lt_calloc((size_t)m->o.n_threads, sizeof(tstate));
    m->keep = lt_malloc((size_t)m->V * sizeof(float));
    if (!m->ts || !m->keep) return lt_err(LT_ENOMEM, "out of memory");
    int rc;
    if (m->o.negative > 0 && (rc = build_alias(m))) return rc;
    if (m->o.hs && (rc = build_tree(m))) return rc;
    m->sig = lt_sigmoid_table();
    for (int i = 0; i <= LT_EXP_TABLE_SIZE; i++)
        m->logsig[i] = logf(m->sig[i] > 1e-30f ? m->sig[i] : 1e-30f);
    return LT_OK;
}

static int check_opts(const lt_sgns_opts *o, int64_t V) {
    if (o->dim <= 0 || o->dim > 100000) return lt_err(LT_EINVAL, "dimension must be in 1..100000");
    if (o->window <= 0 || o->window > 1000) return lt_err(LT_EINVAL, "window must be in 1..1000");
    if (o->negative < 0 || o->negative > 1000)
        return lt_err(LT_EINVAL, "negative must be in 0..1000");
    if (o->negative == 0 && !o->hs)
        return lt_err(LT_EINVAL, "need negative sampling (--negative > 0) or --hs");
    if (o->epochs <= 0) return lt_err(LT_EINVAL, "epochs must be positive");
    if (o->n_threads <= 0 || o->n_threads > 256)
        return lt_err(LT_EINVAL, "threads must be in 1..256");
    if (o->sample < 0) return lt_err(LT_EINVAL, "sample must be >= 0");
    if (V < 2)
        return lt_err(LT_EINVAL,
                "the vocabulary has %lld words; training needs at least 2 (lower --min-count?)",
                (long long)V);
    if (V > INT32_MAX) return lt_err(LT_EINVAL, "vocabulary too large");
    if (!(o->alpha >= 0 && o->alpha <= 10) || !(o->sample <= 1))
        return lt_err(LT_EINVAL, "alpha must be in [0, 10], sample in [0, 1]");
    return LT_OK;
}

int lt_sgns_new(lt_sgns **out, const lt_sgns_opts *o, int64_t V, const int64_t *counts) {
    *out = NULL;
    int rc = check_opts(o, V);
    if (rc) return rc;
    lt_sgns *m = lt_calloc(1, sizeof *m);
    if (!m) return lt_err(LT_ENOMEM, "out of memory");
    m->o = *o;
    if (m->o.alpha <= 0) m->o.alpha = m->o.cbow ? 0.05f : 0.025f;
    m->o.checkpoint_path = NULL;
    m->V = V;
    m->rows = V;
    m->d = o->dim;
    m->ld = lt_pad_dim(o->dim);
    for (int64_t i = 0; i < V; i++)
        if (counts[i] < 0) {
            lt_free(m);
            return lt_err(LT_EINVAL, "count of word %lld is negative", (long long)i);
        }
    m->counts = lt_malloc((size_t)V * sizeof(int64_t));
    if (!m->counts) {
        lt_free(m);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    memcpy(m->counts, counts, (size_t)V * sizeof(int64_t));
    if ((rc = alloc_model(m))) {
        lt_sgns_free(m);
        return rc;
    }
    /* word2vec initialisation: syn0 uniform in [-0.5/d, 0.5/d] (init_range 0.5; gensim's
     * +-1/d with 1), output layers zero */
    const float init = o->init_range > 0 && o->init_range <= 100 ? o->init_range : 0.5f;
    lt_rng r;
    lt_rng_seed(&r, o->seed, 0xffffffffULL);
    for (int64_t i = 0; i < V; i++)
        for (int64_t k = 0; k < m->d; k++)
            m->syn0[i * m->ld + k] = (lt_rng_uniformf(&r) - 0.5f) * 2 * init / (float)m->d;
    for (int t = 0; t < m->o.n_threads; t++) {
        lt_rng_seed(&m->ts[t].rng, o->seed, (uint64_t)t);
        m->ts[t].alpha = m->o.alpha;
    }
    *out = m;
    return LT_OK;
}

void lt_sgns_free(lt_sgns *m) {
    if (!m) return;
    lt_free(m->counts);
    lt_aligned_free(m->syn0);
    lt_aligned_free(m->syn1neg);
    lt_aligned_free(m->syn1);
    lt_free(m->alias_p);
    lt_free(m->alias_i);
    lt_free(m->code);
    lt_free(m->codelen);
    lt_free(m->point);
    lt_free(m->keep);
    lt_free(m->ts);
    lt_free(m->ckpt_path);
    lt_free(m->sub_ptr);
    lt_free(m->sub_rows);
    lt_free(m);
}

const float *lt_sgns_vectors(const lt_sgns *m, int64_t *ld) {
    if (ld) *ld = m->ld;
    return m->syn0;
}
const float *lt_sgns_input_rows(const lt_sgns *m, int64_t *rows, int64_t *ld) {
    *rows = m->rows;
    *ld = m->ld;
    return m->syn0;
}
const float *lt_sgns_output_rows(const lt_sgns *m, int64_t *ld) {
    *ld = m->ld;
    return m->syn1neg;
}

int lt_sgns_set_subwords(lt_sgns *m, int64_t extra, const int64_t *ptr, const int32_t *rows) {
    if (m->o.hs || m->o.negative < 1)
        return lt_err(LT_EINVAL, "subword vectors: negative sampling only (no --hs)");
    if (extra < 0 || m->V + extra > INT32_MAX)
        return lt_err(LT_EINVAL, "subwords: %lld extra rows", (long long)extra);
    int64_t nr = ptr[m->V];
    if (ptr[0] != 0 || nr < 0) return lt_err(LT_EINVAL, "subwords: bad row lists");
    for (int64_t w = 0; w < m->V; w++)
        if (ptr[w + 1] <= ptr[w])
            return lt_err(LT_EINVAL, "subwords: word %lld has no input row", (long long)w);
    for (int64_t i = 0; i < nr; i++)
        if (rows[i] < 0 || rows[i] >= m->V + extra)
            return lt_err(LT_EINVAL, "subwords: row %d out of range", rows[i]);
    size_t bytes;
    if (!lt_mul_ok((size_t)(m->V + extra), (size_t)m->ld * 4, &bytes))
        return lt_err(LT_ENOMEM, "model too large");
    float *s0 = lt_aligned_alloc(bytes);
    m->sub_ptr = lt_malloc((size_t)(m->V + 1) * 8);
    m->sub_rows = lt_malloc((size_t)(nr ? nr : 1) * 4);
    if (!s0 || !m->sub_ptr || !m->sub_rows) {
        lt_aligned_free(s0);
        return lt_err(LT_ENOMEM, "out of memory for %lld x %lld input rows",
                (long long)(m->V + extra), (long long)m->d);
    }
    memcpy(s0, m->syn0, (size_t)m->V * (size_t)m->ld * 4);
    memset(s0 + m->V * m->ld, 0, (size_t)extra * (size_t)m->ld * 4);
    lt_rng r; /* the extra rows: the same initial range as the words' rows */
    lt_rng_seed(&r, m->o.seed, 0xfffffffeULL);
    const float init = m->o.init_range > 0 && m->o.init_range <= 100 ? m->o.init_range : 0.5f;
    for (int64_t i = m->V; i < m->V + extra; i++)
        for (int64_t k = 0; k < m->d; k++)
            s0[i * m->ld + k] = (lt_rng_uniformf(&r) - 0.5f) * 2 * init / (float)m->d;
    lt_aligned_free(m->syn0);
    m->syn0 = s0;
    m->rows = m->V + extra;
    memcpy(m->sub_ptr, ptr, (size_t)(m->V + 1) * 8);
    memcpy(m->sub_rows, rows, (size_t)nr * 4);
    return LT_OK;
}

void lt_sgns_word_vector(const lt_sgns *m, int64_t w, float *out) {
    if (!m->sub_ptr) {
        memcpy(out, m->syn0 + w * m->ld, (size_t)m->d * 4);
        return;
    }
    int64_t a = m->sub_ptr[w], b = m->sub_ptr[w + 1];
    memset(out, 0, (size_t)m->d * 4);
    for (int64_t i = a; i < b; i++)
        for (int64_t k = 0; k < m->d; k++) out[k] += m->syn0[(int64_t)m->sub_rows[i] * m->ld + k];
    float inv = (float)(1.0 / (double)(b - a));
    for (int64_t k = 0; k < m->d; k++) out[k] *= inv;
}
const lt_sgns_opts *lt_sgns_get_opts(const lt_sgns *m) { return &m->o; }
double lt_sgns_words_per_sec(const lt_sgns *m) { return m->wps; }
void lt_sgns_set_output(lt_sgns *m, const char *path) {
    lt_free(m->ckpt_path);
    m->ckpt_path = path ? lt_strdup(path) : NULL;
}
void lt_sgns_set_blob(lt_sgns *m, const void *blob, size_t len) {
    m->blob = blob;
    m->blob_len = len;
}

/* ---------- single updates (also the plain trainer's inner steps) ---------- */
/* One skip-gram (or CBOW hidden) row against outputs with labels; accumulates the input
 * gradient into neu1e and updates the outputs. word2vec: NS loop body. */
static inline void ns_pairs(const lt_sgns *m, const lt_kernels *K, const float *l1,
        float *const *outs, const float *labels, int n, int64_t ld, float alpha, float *neu1e,
        int exact) {
    for (int j = 0; j < n; j++) {
        float f = K->dot(l1, outs[j], ld);
        float g = ns_g(m, f, labels[j], exact) * alpha;
        K->axpy(g, outs[j], neu1e, ld);
        K->axpy(g, l1, outs[j], ld);
    }
}
static inline void hs_pairs(const lt_sgns *m, const lt_kernels *K, const float *l1,
        float *const *nodes, const uint8_t *codes, int n, int64_t ld, float alpha, float *neu1e,
        int exact) {
    for (int j = 0; j < n; j++) {
        float f = K->dot(l1, nodes[j], ld), g;
        if (exact) g = (1 - codes[j] - lt_sigmoid(f)) * alpha;
        else {
            if (f <= -LT_MAX_EXP || f >= LT_MAX_EXP) continue;
            g = (1 - codes[j] - lt_sigmoid_lookup(m ? m->sig : lt_sigmoid_table(), f)) * alpha;
        }
        K->axpy(g, nodes[j], neu1e, ld);
        K->axpy(g, l1, nodes[j], ld);
    }
}

static double bce_loss(double f, double label) {
    return -(label * logsig_exact(f) + (1 - label) * logsig_exact(-f));
}

double lt_sgns_step_ns(
        float *in, float *const *outs, int n_out, int64_t d, float alpha, int exact) {
    const lt_kernels *K = lt_kern();
    float labels[1024], neu1e[4096] __attribute__((aligned(64)));
    if (n_out > 1024 || d > 4096) return NAN;
    double loss = 0;
    for (int j = 0; j < n_out; j++) {
        labels[j] = j == 0;
        loss += bce_loss(K->dot(in, outs[j], d), labels[j]);
    }
    memset(neu1e, 0, (size_t)d * 4);
    ns_pairs(NULL, K, in, outs, labels, n_out, d, alpha, neu1e, exact);
    K->axpy(1, neu1e, in, d);
    return loss;
}

double lt_sgns_step_hs(float *in, float *const *nodes, const uint8_t *codes, int n, int64_t d,
        float alpha, int exact) {
    const lt_kernels *K = lt_kern();
    float neu1e[4096] __attribute__((aligned(64)));
    if (d > 4096) return NAN;
    double loss = 0;
    for (int j = 0; j < n; j++) loss += bce_loss(K->dot(in, nodes[j], d), 1 - codes[j]);
    memset(neu1e, 0, (size_t)d * 4);
    hs_pairs(NULL, K, in, nodes, codes, n, d, alpha, neu1e, exact);
    K->axpy(1, neu1e, in, d);
    return loss;
}

double lt_sgns_step_cbow_ns(float *const *ctx, int n_ctx, float *const *outs, int n_out, int64_t d,
        float alpha, int exact) {
    const lt_kernels *K = lt_kern();
    float labels[1024], neu1[4096] __attribute__((aligned(64))),
            neu1e[4096] __attribute__((aligned(64)));
    if (n_out > 1024 || d > 4096 || n_ctx <= 0) return NAN;
    memset(neu1, 0, (size_t)d * 4);
    for (int i = 0; i < n_ctx; i++) K->axpy(1, ctx[i], neu1, d);
    for (int64_t k = 0; k < d; k++) neu1[k] /= (float)n_ctx;
    double loss = 0;
    for (int j = 0; j < n_out; j++) {
        labels[j] = j == 0;
        loss += bce_loss(K->dot(neu1, outs[j], d), labels[j]);
    }
    memset(neu1e, 0, (size_t)d * 4);
    ns_pairs(NULL, K, neu1, outs, labels, n_out, d, alpha, neu1e, exact);
    for (int i = 0; i < n_ctx; i++) K->axpy(1, neu1e, ctx[i], d);
    return loss;
}

/* Batched window: G = (label - sigma(C O^T)) * alpha, then the three products. */
static inline double batch_update(const lt_sgns *m, const lt_kernels *K, float *const *ctx, int mm,
        float *const *outs, int o, const float *labels, const uint8_t *valid, int hs_clamp,
        int64_t ld, float alpha, float *S, float *tmp, int exact, int want_loss) {
    K->dots_rows(mm, o, ld, ctx, outs, S);
    double loss = 0;
    for (int i = 0; i < mm; i++)
        for (int j = 0; j < o; j++) {
            float f = S[i * o + j], lab = labels[j], g;
            if (!valid[j]) {
                S[i * o + j] = 0;
                continue;
            }
            if (want_loss) {
                float x = lab > 0.5f ? f : -f;
                loss -= logsig_tab(m, x);
            }
            if (hs_clamp && !exact && (f <= -LT_MAX_EXP || f >= LT_MAX_EXP)) g = 0;
            else g = ns_g(m, f, lab, exact);
            S[i * o + j] = g * alpha;
        }
    K->update_rows(mm, o, ld, ctx, outs, S, tmp);
    return loss;
}

double lt_sgns_step_batch(float *const *ctx, int mm, float *const *outs, int n_out, int64_t d,
        float alpha, int exact) {
    const lt_kernels *K = lt_kern();
    if (n_out > 64 || mm > 64 || d % LT_KERN_PAD) return NAN;
    float labels[64], S[64 * 64];
    uint8_t valid[64];
    float *tmp = lt_aligned_alloc((size_t)mm * (size_t)d * 4);
    if (!tmp) return NAN;
    double loss = 0;
    for (int j = 0; j < n_out; j++) {
        labels[j] = j == 0;
        valid[j] = 1;
    }
    for (int i = 0; i < mm; i++)
        for (int j = 0; j < n_out; j++) loss += bce_loss(K->dot(ctx[i], outs[j], d), labels[j]);
    batch_update(NULL, K, ctx, mm, outs, n_out, labels, valid, 0, d, alpha, S, tmp, exact, 0);
    lt_aligned_free(tmp);
    return loss;
}

/* ---------- the training loop ---------- */
/* Output rows of w's Huffman path with their codes; returns the path length. */
static inline int gather_hs(const lt_sgns *m, int32_t w, float **outs, uint8_t *codes) {
    int n = m->codelen[w];
    for (int j = 0; j < n; j++) {
        outs[j] = m->syn1 + (int64_t)m->point[w * MAX_CODE + j] * m->ld;
        codes[j] = m->code[w * MAX_CODE + j];
    }
    return n;
}
/* w's output row (label 1) then negatives (label 0), skipping draws equal to w as
 * word2vec does; returns the count. */
static inline int gather_ns(const lt_sgns *m, int32_t w, lt_rng *r, float **outs, float *labels) {
    int n = 0;
    outs[n] = m->syn1neg + (int64_t)w * m->ld;
    labels[n++] = 1;
    for (int j = 1; j <= m->o.negative; j++) {
        int32_t tg = draw_neg(m, r);
        if (tg == w) continue;
        outs[n] = m->syn1neg + (int64_t)tg * m->ld;
        labels[n++] = 0;
    }
    return n;
}

typedef struct {
    lt_sgns *m;
    const lt_tokens *t;
    int64_t *bounds; /* per thread: nt+1 boundaries of the token stream */
    int nseg, seg;
    int wrap; /* fastText's reading (epoch_words): from the part's start through the
                             whole stream, wrapping, until all threads together read the total */
    lt_progress *prog;
    double total_words;
    int want_loss;
} run_ctx;

static void flush_words(lt_sgns *m, tstate *s, double total) {
    int64_t add = s->words - s->last_words;
    s->last_words = s->words;
    int64_t wca = atomic_fetch_add(&m->word_count_actual, add) + add;
    s->alpha = m->o.alpha * (float)(1 - (double)wca / (total + 1));
    if (s->alpha < m->o.alpha * 0.0001f) s->alpha = m->o.alpha * 0.0001f;
}

/* flush_words, then thread 0 reports progress; returns the words every thread has flushed */
static double flush_report(const run_ctx *c, tstate *s, int tid) {
    flush_words(c->m, s, c->total_words);
    double done = (double)atomic_load(&c->m->word_count_actual);
    if (tid == 0)
        lt_progress_update(
                c->prog, done, c->want_loss && s->loss_n ? s->loss / (double)s->loss_n : -1);
    return done;
}

static int64_t snap(const lt_tokens *t, int64_t p) {
    while (p > 0 && p < t->n && t->ids[p - 1] != -1) p++;
    return p;
}

static void train_thread(void *ud, int tid) {
    run_ctx *c = ud;
    lt_sgns *m = c->m;
    const lt_kernels *K = lt_kern();
    tstate *s = &m->ts[tid];
    const lt_sgns_opts *o = &m->o;
    const int32_t *ids = c->t->ids;
    int64_t tb = c->bounds[tid], te = c->bounds[tid + 1];
    int64_t b = tb, e = c->t->n;
    if (!c->wrap) {
        b = snap(c->t, tb + (te - tb) * c->seg / c->nseg),
        e = snap(c->t, tb + (te - tb) * (c->seg + 1) / c->nseg);
        if (e > te) e = te;
        if (b > e) b = e;
    }
    int64_t ld = m->ld;
    int W = o->window, NEG = o->negative, maxo = (NEG + 1) > MAX_CODE ? NEG + 1 : MAX_CODE,
        maxm = 2 * W;
    int32_t *sen = lt_malloc(MAX_SENT * sizeof(int32_t));
    float **ctx = lt_malloc((size_t)(maxm + 1) * sizeof(float *)),
          **outs = lt_malloc((size_t)maxo * sizeof(float *));
    float *labels = lt_malloc((size_t)maxo * sizeof(float)),
          *S = lt_malloc((size_t)maxm * maxo * sizeof(float) + 64);
    uint8_t *valid = lt_malloc((size_t)maxo), *codes = lt_malloc((size_t)maxo);
    float **outs2 = lt_malloc((size_t)(maxm + 1) * (size_t)(NEG + 1) * sizeof(float *));
    uint8_t *v2 = lt_malloc((size_t)(maxm + 1) * (size_t)(NEG + 1));
    float *tmp = lt_aligned_alloc((size_t)(maxm + 2) * (size_t)ld * 4);
    /* subwords: the centre's mean row h (and its value before the update), one output list */
    float *h = lt_aligned_alloc((size_t)ld * 8), *h0 = h ? h + ld : NULL;
    float *slab = lt_malloc(
            (size_t)maxm * (size_t)(NEG + 1) * sizeof(float) + 8); /* rows and flags: outs2, v2 */
    float *neu1 = lt_aligned_alloc((size_t)ld * 4), *neu1e = lt_aligned_alloc((size_t)ld * 4);
    if (!sen || !ctx || !outs || !labels || !S || !valid || !codes || !tmp || !neu1 || !neu1e ||
            !outs2 || !v2 || !h || !slab)
        goto done;
    const int batched = o->batched && !o->cbow;
    const double total = c->total_words; /* words of every epoch: the learning-rate schedule */
    int64_t pos = b;
    for (;;) {
        if (c->wrap) {
            /* fastText's reading: the rate and the stop follow every thread's words, sentence
             * by sentence; the stream's end wraps to its start */
            if (flush_report(c, s, tid) >= total || c->prog->stop) break;
            if (pos >= e) pos = 0;
        } else if (pos >= e) break;
        int len = 0;
        while (pos < e && ids[pos] != -1 && len < MAX_SENT) {
            int32_t w = ids[pos++];
            s->words++;
            if (s->words - s->last_words > 10000) flush_report(c, s, tid);
            if (o->sample > 0 && m->keep[w] < lt_rng_uniformf(&s->rng)) continue;
            sen[len++] = w;
        }
        if (pos < e && ids[pos] == -1) pos++;
        const float alpha = s->alpha;
        for (int i = 0; i < len; i++) {
            int32_t w = sen[i];
            int bw = W - (int)lt_rng_below(&s->rng, (uint64_t)W); /* effective window in [1, W] */
            int lo = i - bw < 0 ? 0 : i - bw, hi = i + bw >= len ? len - 1 : i + bw;
            int mm = 0;
            for (int j = lo; j <= hi; j++)
                if (j != i) ctx[mm++] = m->syn0 + (int64_t)sen[j] * ld;
            if (mm == 0) continue;
            if (m->sub_ptr && !o->cbow) {
                /* subwords (fastText's skip-gram): the centre's rows' mean h predicts each context
                 * word against its own negatives, updating h; h's change is then added to each
                 * of the centre's rows */
                int64_t ra = m->sub_ptr[w], rb = m->sub_ptr[w + 1];
                memset(h, 0, (size_t)ld * 4);
                for (int64_t q = ra; q < rb; q++)
                    K->axpy(1, m->syn0 + (int64_t)m->sub_rows[q] * ld, h, ld);
                float inv = 1.0f / (float)(rb - ra);
                for (int64_t k = 0; k < ld; k++) {
                    h[k] *= inv;
                    h0[k] = h[k];
                }
                int no = 0;
                for (int j = lo; j <= hi; j++) {
                    if (j == i) continue;
                    int32_t tw = sen[j];
                    outs2[no] = m->syn1neg + (int64_t)tw * ld;
                    slab[no] = 1;
                    v2[no++] = 1;
                    for (int q = 0; q < NEG; q++) {
                        int32_t tg = draw_neg(m, &s->rng);
                        outs2[no] = m->syn1neg + (int64_t)tg * ld;
                        slab[no] = 0;
                        v2[no++] = tg != tw;
                    }
                }
                /* one context word after the other, as fastText: each sees h after the
                 * previous one's update (every row of the centre took that update, so their
                 * mean moved by exactly as much) */
                float *hp = h;
                int step = o->subword_window ? no : NEG + 1;
                for (int q = 0; q < no; q += step)
                    s->loss += batch_update(m, K, &hp, 1, outs2 + q, step, slab + q, v2 + q, 0, ld,
                            alpha, S, tmp, o->exact_sigmoid, c->want_loss);
                s->loss_n += mm;
                for (int64_t k = 0; k < ld; k++) h[k] -= h0[k];
                for (int64_t q = ra; q < rb; q++)
                    K->axpy(1, h, m->syn0 + (int64_t)m->sub_rows[q] * ld, ld);
                continue;
            }
            if (batched) {
                if (o->hs) {
                    int n = m->codelen[w];
                    for (int j = 0; j < n; j++) {
                        outs[j] = m->syn1 + (int64_t)m->point[w * MAX_CODE + j] * ld;
                        labels[j] = 1 - m->code[w * MAX_CODE + j];
                        valid[j] = 1;
                    }
                    batch_update(m, K, ctx, mm, outs, n, labels, valid, 1, ld, alpha, S, tmp,
                            o->exact_sigmoid, 0);
                }
                if (NEG > 0 && o->batched == 2) {
                    /* per-pair negatives as in word2vec, drawn for the whole window first so
                     * that the rows of pair ci + PF are fetched while pair ci computes */
                    float **po = outs2;
                    enum { PF = 2 };
                    for (int ci = 0; ci < mm; ci++) {
                        float **q = po + ci * (NEG + 1);
                        q[0] = m->syn1neg + (int64_t)w * ld;
                        for (int j = 1; j <= NEG; j++) {
                            int32_t tg = draw_neg(m, &s->rng);
                            q[j] = m->syn1neg + (int64_t)tg * ld;
                            v2[ci * (NEG + 1) + j] = tg != w;
                        }
                        v2[ci * (NEG + 1)] = 1;
                    }
                    labels[0] = 1;
                    for (int j = 1; j <= NEG; j++) labels[j] = 0;
                    for (int ci = 0; ci < mm + PF; ci++) {
                        if (ci < mm)
                            for (int j = 1; j <= NEG; j++)
                                for (int64_t k = 0; k < ld; k += 16)
                                    __builtin_prefetch(po[ci * (NEG + 1) + j] + k, 1, 3);
                        int cc = ci - PF;
                        if (cc >= 0)
                            s->loss += batch_update(m, K, ctx + cc, 1, po + cc * (NEG + 1), NEG + 1,
                                    labels, v2 + cc * (NEG + 1), 0, ld, alpha, S, tmp,
                                    o->exact_sigmoid, c->want_loss);
                    }
                    s->loss_n += mm;
                } else if (NEG > 0 && o->batched == 3) {
                    /* the centre's output row against each context row in turn, then the
                     * negatives shared by the window */
                    outs[0] = m->syn1neg + (int64_t)w * ld;
                    labels[0] = 1;
                    valid[0] = 1;
                    for (int ci = 0; ci < mm; ci++)
                        s->loss += batch_update(m, K, ctx + ci, 1, outs, 1, labels, valid, 0, ld,
                                alpha, S, tmp, o->exact_sigmoid, c->want_loss);
                    int nn = 0;
                    for (int j = 1; j <= NEG; j++) {
                        int32_t tg = draw_neg(m, &s->rng);
                        outs[nn] = m->syn1neg + (int64_t)tg * ld;
                        labels[nn] = 0;
                        valid[nn] = tg != w;
                        nn++;
                    }
                    s->loss += batch_update(m, K, ctx, mm, outs, nn, labels, valid, 0, ld, alpha, S,
                            tmp, o->exact_sigmoid, c->want_loss);
                    s->loss_n += mm;
                } else if (NEG > 0) {
                    outs[0] = m->syn1neg + (int64_t)w * ld;
                    labels[0] = 1;
                    valid[0] = 1;
                    for (int j = 1; j <= NEG; j++) {
                        int32_t tg = draw_neg(m, &s->rng);
                        outs[j] = m->syn1neg + (int64_t)tg * ld;
                        labels[j] = 0;
                        valid[j] = tg != w;
                    }
                    s->loss += batch_update(m, K, ctx, mm, outs, NEG + 1, labels, valid, 0, ld,
                            alpha, S, tmp, o->exact_sigmoid, c->want_loss);
                    s->loss_n += mm;
                }
            } else if (!o->cbow) {
                /* plain skip-gram: every context word against the centre word */
                for (int ci = 0; ci < mm; ci++) {
                    float *l1 = ctx[ci];
                    memset(neu1e, 0, (size_t)ld * 4);
                    if (o->hs)
                        hs_pairs(m, K, l1, outs, codes, gather_hs(m, w, outs, codes), ld, alpha,
                                neu1e, o->exact_sigmoid);
                    if (NEG > 0)
                        ns_pairs(m, K, l1, outs, labels, gather_ns(m, w, &s->rng, outs, labels), ld,
                                alpha, neu1e, o->exact_sigmoid);
                    K->axpy(1, neu1e, l1, ld);
                }
            } else {
                /* CBOW: mean of the context predicts the centre word; with subwords (fastText's
                 * CBOW) the mean of every input row of every context word, each row then given
                 * the whole hidden gradient, once per time it was counted */
                memset(neu1, 0, (size_t)ld * 4);
                int64_t nrows = mm;
                if (m->sub_ptr) {
                    nrows = 0;
                    for (int j = lo; j <= hi; j++) {
                        if (j == i) continue;
                        for (int64_t q = m->sub_ptr[sen[j]]; q < m->sub_ptr[sen[j] + 1];
                                q++, nrows++)
                            K->axpy(1, m->syn0 + (int64_t)m->sub_rows[q] * ld, neu1, ld);
                    }
                } else
                    for (int ci = 0; ci < mm; ci++) K->axpy(1, ctx[ci], neu1, ld);
                float inv = 1.0f / (float)nrows;
                for (int64_t k = 0; k < ld; k++) neu1[k] *= inv;
                memset(neu1e, 0, (size_t)ld * 4);
                if (o->hs)
                    hs_pairs(m, K, neu1, outs, codes, gather_hs(m, w, outs, codes), ld, alpha,
                            neu1e, o->exact_sigmoid);
                if (NEG > 0) {
                    int n = gather_ns(m, w, &s->rng, outs, labels);
                    if (c->want_loss) {
                        for (int j = 0; j < n; j++) {
                            float f = K->dot(neu1, outs[j], ld), x = labels[j] > 0.5f ? f : -f;
                            s->loss -= logsig_tab(m, x);
                        }
                        s->loss_n++;
                    }
                    ns_pairs(m, K, neu1, outs, labels, n, ld, alpha, neu1e, o->exact_sigmoid);
                }
                float cg = o->cbow_mean_grad ? inv : 1.0f;
                if (m->sub_ptr) {
                    for (int j = lo; j <= hi; j++) {
                        if (j == i) continue;
                        for (int64_t q = m->sub_ptr[sen[j]]; q < m->sub_ptr[sen[j] + 1]; q++)
                            K->axpy(cg, neu1e, m->syn0 + (int64_t)m->sub_rows[q] * ld, ld);
                    }
                } else
                    for (int ci = 0; ci < mm; ci++) K->axpy(cg, neu1e, ctx[ci], ld);
            }
        }
    }
done:
    lt_free(outs2);
    lt_free(v2);
    lt_aligned_free(h);
    lt_free(slab);
    lt_free(sen);
    lt_free(ctx);
    lt_free(outs);
    lt_free(labels);
    lt_free(S);
    lt_free(valid);
    lt_free(codes);
    lt_aligned_free(tmp);
    lt_aligned_free(neu1);
    lt_aligned_free(neu1e);
}

void lt_tokens_destroy(lt_tokens *t) {
    if (t && t->map_) munmap(t->map_, t->map_len_);
    if (t) memset(t, 0, sizeof *t);
}

static uint64_t tokens_hash(const lt_tokens *t) {
    return lt_hash64(t->ids, (size_t)t->n * 4, LT_HASH_INIT);
}

static int finite_rows(const float *a, int64_t n, int64_t ld) {
    float acc = 0;
    for (int64_t i = 0; i < n * ld; i++)
        acc += a[i] * 0.0f; /* NaN/inf propagate; finite values add 0 */
    return acc == 0;
}

/* subsampling keep probabilities (word2vec's formula) against `words` per epoch */
double lt_sgns_keep(double count, double words, double sample) {
    if (!(sample > 0)) return 1;
    double thr = sample * words, cn = count > 1 ? count : 1;
    return (sqrt(cn / thr) + 1) * thr / cn;
}
static void set_keep(lt_sgns *m, double words) {
    for (int64_t i = 0; i < m->V; i++)
        m->keep[i] = (float)lt_sgns_keep((double)m->counts[i], words, (double)m->o.sample);
}

/* the process's progress sink, and the caller's callback: its first report at once, then ~4 Hz */
static void progress_start(const lt_sgns *m, lt_progress *prog, double total) {
    const lt_sgns_opts *o = &m->o;
    lt_progress_init(prog, o->ctx, o->cbow ? "train cbow" : "train skip-gram", "words", total);
    prog->fn = o->progress;
    prog->ud = o->progress_ud;
    if (prog->fn) prog->last = prog->t0 - 1;
}

static const char *stopped_why(const lt_progress *p) {
    return p->cancel && *p->cancel ? "cancelled" : "stopped by the progress callback";
}

/* A diverged run (learning rate too high) is stopped after its segment, before its weights
 * could replace the last good checkpoint; sets the message. */
static int diverged(const lt_sgns *m, int epoch) {
    if (finite_rows(m->syn0, m->V, m->ld) &&
            (!m->syn1neg || finite_rows(m->syn1neg, m->V, m->ld)) &&
            (!m->syn1 || finite_rows(m->syn1, m->V, m->ld)))
        return 0;
    lt_err(LT_EINVAL,
            "training diverged in epoch %d (weights became infinite or NaN; lower the learning rate, now %g)%s",
            epoch + 1, (double)m->o.alpha, m->ckpt_path ? "; the last checkpoint is kept" : "");
    return 1;
}

int lt_sgns_train(lt_sgns *m, const lt_tokens *t) {
    const lt_sgns_opts *o = &m->o;
    if (t->n_words == 0) return lt_err(LT_EINVAL, "the corpus has no in-vocabulary words");
    if (m->sub_ptr && m->ckpt_path) return lt_err(LT_EINVAL, "subword training has no checkpoints");
    for (int64_t i = 0; i < t->n; i++)
        if (t->ids[i] >= m->V || t->ids[i] < -1)
            return lt_err(LT_EINVAL, "token %lld has id %d outside the vocabulary", (long long)i,
                    t->ids[i]);
    uint64_t h = tokens_hash(t);
    if (m->tok_n && (m->tok_n != t->n || m->tok_hash != h))
        return lt_err(LT_EINVAL, "the corpus differs from the one the checkpoint was trained on");
    m->tok_n = t->n;
    m->tok_hash = h;
    set_keep(m, (double)t->n_words);
    int nt = o->n_threads;
    int64_t bounds[257];
    for (int i = 0; i <= nt; i++) bounds[i] = i == nt ? t->n : snap(t, t->n * i / nt);
    int nseg = 1;
    if (o->checkpoint_every > 0) {
        int64_t s = (t->n_words + o->checkpoint_every - 1) / o->checkpoint_every;
        nseg = s < 1 ? 1 : s > 100000 ? 100000 : (int)s;
    }
    lt_progress prog;
    if (o->epoch_words > 0 && m->ckpt_path)
        return lt_err(LT_EINVAL, "epoch_words: not with checkpoints");
    double total = (double)o->epochs * (double)(o->epoch_words > 0 ? o->epoch_words : t->n_words);
    progress_start(m, &prog, total);
    run_ctx c = { m, t, bounds, nseg, 0, o->epoch_words > 0, &prog, total,
        prog.sink || prog.fn || prog.cancel };
    double t0 = lt_now();
    int64_t start_words = atomic_load(&m->word_count_actual);
    if (c.wrap) { /* fastText's reading: one run, no pause between epochs */
        int rc = lt_run_threads(nt, train_thread, &c);
        if (rc) return rc;
        for (int i = 0; i < nt; i++) flush_words(m, &m->ts[i], total);
        if (diverged(m, o->epochs - 1)) return LT_EINVAL;
        if (prog.stop) return lt_err(LT_EINTR, "%s", stopped_why(&prog));
        m->epoch = o->epochs;
    }
    for (; m->epoch < o->epochs; m->epoch++, m->segment = 0) {
        for (; m->segment < nseg; m->segment++) {
            c.seg = m->segment;
            int rc = lt_run_threads(nt, train_thread, &c);
            if (rc) return rc;
            for (int i = 0; i < nt; i++) flush_words(m, &m->ts[i], total);
            /* a diverged run (learning rate too high) stops here, before its weights could
             * replace the last good checkpoint */
            if (diverged(m, m->epoch)) return LT_EINVAL;
            m->segments_done++;
            int last = m->epoch == o->epochs - 1 && m->segment == nseg - 1;
            int stop = o->stop_after_segments > 0 && m->segments_done >= o->stop_after_segments &&
                    !last;
            if (m->ckpt_path && (!last || stop)) {
                int save_epoch = m->epoch, save_seg = m->segment;
                m->segment++;
                if (m->segment == nseg) {
                    m->segment = 0;
                    m->epoch++;
                }
                rc = lt_sgns_save_checkpoint(m, m->ckpt_path, m->blob, m->blob_len);
                m->epoch = save_epoch;
                m->segment = save_seg;
                if (rc) return rc;
            }
            if (prog.stop) return lt_err(LT_EINTR, "%s", stopped_why(&prog));
            if (stop) {
                m->segment++;
                if (m->segment == nseg) {
                    m->segment = 0;
                    m->epoch++;
                }
                return lt_err(LT_EINTR, "stopped after %lld segments", (long long)m->segments_done);
            }
        }
    }
    double el = lt_now() - t0;
    lt_progress_end(&prog, (double)atomic_load(&m->word_count_actual));
    m->wps = el > 0 ? (double)(atomic_load(&m->word_count_actual) - start_words) / el : 0;
    return LT_OK;
}

/* Streaming: batches of tokens made on demand (graph walks), trained as they come; the
 * learning rate decays over epochs x words_per_epoch, and subsampling uses the counts given
 * at lt_sgns_new against words_per_epoch. */
int lt_sgns_train_stream(lt_sgns *m, lt_sgns_batch_fn fn, void *ud, int64_t words_per_epoch) {
    const lt_sgns_opts *o = &m->o;
    if (words_per_epoch <= 0) return lt_err(LT_EINVAL, "no words to train on");
    set_keep(m, (double)words_per_epoch);
    int nt = o->n_threads;
    int64_t bounds[257];
    lt_progress prog;
    double total = (double)o->epochs * (double)words_per_epoch;
    progress_start(m, &prog, total);
    double t0 = lt_now();
    int64_t start_words = atomic_load(&m->word_count_actual);
    for (int epoch = 0; epoch < o->epochs; epoch++) {
        for (int64_t b = 0;; b++) {
            lt_tokens t = { 0 };
            int rc = fn(ud, epoch, b, &t);
            if (rc < 0) return rc;
            if (rc == 0) break;
            for (int64_t i = 0; i < t.n; i++)
                if (t.ids[i] >= m->V || t.ids[i] < -1)
                    return lt_err(LT_EINVAL,
                            "batch %lld: token %lld has id %d outside the vocabulary", (long long)b,
                            (long long)i, t.ids[i]);
            for (int i = 0; i <= nt; i++) bounds[i] = i == nt ? t.n : snap(&t, t.n * i / nt);
            run_ctx c = { m, &t, bounds, 1, 0, 0, &prog, total,
                prog.sink || prog.fn || prog.cancel };
            if ((rc = lt_run_threads(nt, train_thread, &c))) return rc;
            for (int i = 0; i < nt; i++) flush_words(m, &m->ts[i], total);
            if (diverged(m, epoch)) return LT_EINVAL;
            if (prog.stop) return lt_err(LT_EINTR, "%s", stopped_why(&prog));
        }
    }
    double el = lt_now() - t0;
    lt_progress_end(&prog, (double)atomic_load(&m->word_count_actual));
    m->wps = el > 0 ? (double)(atomic_load(&m->word_count_actual) - start_words) / el : 0;
    return LT_OK;
}

/* ---------- checkpoints ----------
 * A box (box.h) "LTSGCK02", version 2: every option and counter a resume needs as its own
 * metadata field, the per-thread state as arrays (one row per thread), the caller's blob, the
 * matrices (V x dim, rows padded as in memory). docs/format.md. */
#define CK_MAGIC "LTSGCK02"

int lt_sgns_save_checkpoint(const lt_sgns *m, const char *path, const void *blob, size_t blob_len) {
    const lt_sgns_opts *o = &m->o;
    int nt = o->n_threads;
    lt_boxw *w = lt_boxw_new(CK_MAGIC, 2);
    lt_boxw_meta_i64(w, "vocab", m->V);
    lt_boxw_meta_i64(w, "dim", o->dim);
    lt_boxw_meta_i64(w, "window", o->window);
    lt_boxw_meta_i64(w, "negative", o->negative);
    lt_boxw_meta_i64(w, "hs", o->hs);
    lt_boxw_meta_i64(w, "cbow", o->cbow);
    lt_boxw_meta_i64(w, "cbow_mean_grad", o->cbow_mean_grad);
    lt_boxw_meta_i64(w, "epochs", o->epochs);
    lt_boxw_meta_i64(w, "threads", nt);
    lt_boxw_meta_u64(w, "seed", o->seed);
    lt_boxw_meta_i64(w, "batched", o->batched);
    lt_boxw_meta_i64(w, "exact_sigmoid", o->exact_sigmoid);
    lt_boxw_meta_i64(w, "checkpoint_every", o->checkpoint_every);
    lt_boxw_meta_f64(w, "alpha", o->alpha);
    lt_boxw_meta_f64(w, "sample", o->sample);
    lt_boxw_meta_f64(w, "ns_exponent", o->ns_exponent);
    lt_boxw_meta_i64(w, "epoch", m->epoch);
    lt_boxw_meta_i64(w, "segment", m->segment);
    lt_boxw_meta_i64(w, "segments_done", m->segments_done);
    lt_boxw_meta_i64(w, "words_done", atomic_load(&m->word_count_actual));
    lt_boxw_meta_i64(w, "stream_tokens", m->tok_n);
    lt_boxw_meta_u64(w, "stream_hash", m->tok_hash);
    /* the thread states, field by field */
    uint64_t *rng = lt_malloc((size_t)nt * sizeof(lt_rng));
    int64_t *words = lt_malloc((size_t)nt * 3 * 8);
    double *loss = lt_malloc((size_t)nt * 8);
    float *alpha = lt_malloc((size_t)nt * 4);
    if (!rng || !words || !loss || !alpha) {
        lt_free(rng);
        lt_free(words);
        lt_free(loss);
        lt_free(alpha);
        lt_boxw_free(w);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    for (int t = 0; t < nt; t++) {
        memcpy(rng + 4 * t, m->ts[t].rng.s, sizeof(lt_rng));
        words[3 * t] = m->ts[t].words;
        words[3 * t + 1] = m->ts[t].last_words;
        words[3 * t + 2] = m->ts[t].loss_n;
        loss[t] = m->ts[t].loss;
        alpha[t] = m->ts[t].alpha;
    }
    lt_boxw_array(w, "thread.rng", LT_BOX_U64, nt, 4, 0, rng);
    lt_boxw_array(w, "thread.words", LT_BOX_I64, nt, 3, 0,
            words); /* read, at the last flush, loss terms */
    lt_boxw_array(w, "thread.loss", LT_BOX_F64, nt, 1, 0, loss);
    lt_boxw_array(w, "thread.alpha", LT_BOX_F32, nt, 1, 0, alpha);
    lt_boxw_array(w, "counts", LT_BOX_I64, m->V, 1, 0, m->counts);
    if (blob_len) lt_boxw_array(w, "blob", LT_BOX_U8, 1, (int64_t)blob_len, 0, blob);
    lt_boxw_array(w, "syn0", LT_BOX_F32, m->V, o->dim, m->ld - o->dim, m->syn0);
    if (m->syn1neg)
        lt_boxw_array(w, "syn1neg", LT_BOX_F32, m->V, o->dim, m->ld - o->dim, m->syn1neg);
    if (m->syn1) lt_boxw_array(w, "syn1", LT_BOX_F32, m->V, o->dim, m->ld - o->dim, m->syn1);
    int rc = lt_boxw_save(w, path);
    lt_free(rng);
    lt_free(words);
    lt_free(loss);
    lt_free(alpha);
    return rc;
}

int lt_sgns_load_checkpoint(lt_sgns **out, const char *path, void **blob, size_t *blob_len) {
    *out = NULL;
    *blob = NULL;
    *blob_len = 0;
    char *buf;
    size_t len, ml;
    int rc = lt_read_whole(path, &buf, &len, &ml);
    if (rc) return rc;
    rc = lt_sgns_parse_checkpoint(buf, len, path, out, blob, blob_len);
    lt_release_whole(buf, ml);
    return rc;
}

static int parse_checkpoint_aligned(const void *data, size_t len, const char *path, lt_sgns **out,
        void **blob, size_t *blob_len);

int lt_sgns_parse_checkpoint(const void *data, size_t len, const char *path, lt_sgns **out,
        void **blob, size_t *blob_len) {
    *out = NULL;
    *blob = NULL;
    *blob_len = 0;
    if (((uintptr_t)data & 63) == 0)
        return parse_checkpoint_aligned(data, len, path, out, blob, blob_len);
    void *a = lt_aligned_alloc(len ? len : 1); /* the arrays are read in place: aligned first */
    if (!a) return lt_err(LT_ENOMEM, "out of memory");
    memcpy(a, data, len);
    int rc = parse_checkpoint_aligned(a, len, path, out, blob, blob_len);
    lt_aligned_free(a);
    return rc;
}

static int parse_checkpoint_aligned(const void *data, size_t len, const char *path, lt_sgns **out,
        void **blob, size_t *blob_len) {
    *out = NULL;
    *blob = NULL;
    *blob_len = 0;
    if (len >= 8 && !memcmp(data, "LTSGCK01", 8))
        return lt_err(LT_EFORMAT,
                "%s: a checkpoint of an older latent (format 1); start the training again", path);
    lt_box *b;
    int rc = lt_box_open(data, len, path, CK_MAGIC, &b);
    if (rc) return rc;
    lt_sgns *m = NULL;
    lt_sgns_opts o;
    lt_sgns_opts_init(&o);
    /* the integer fields and their ranges, in the order x[] holds them */
    static const struct {
        const char *key;
        int64_t lo, hi;
    } F[] = { { "vocab", 2, INT32_MAX }, { "dim", 1, 1 << 20 }, { "window", 1, 1 << 20 },
        { "negative", 0, 1 << 20 }, { "hs", 0, 1 }, { "cbow", 0, 1 }, { "epochs", 1, INT32_MAX },
        { "threads", 1, 4096 }, { "batched", 0, 3 }, { "exact_sigmoid", 0, 1 },
        { "cbow_mean_grad", 0, 1 }, { "checkpoint_every", 0, INT64_MAX }, { "epoch", 0, INT32_MAX },
        { "segment", 0, INT32_MAX }, { "segments_done", 0, INT64_MAX },
        { "words_done", 0, INT64_MAX }, { "stream_tokens", 0, INT64_MAX } };
    enum { N_F = sizeof F / sizeof F[0] };
    int64_t x[N_F], bl = 0;
    double f[3];
    uint64_t tok_hash;
    if (lt_box_version(b) != 2) {
        rc = lt_err(LT_EFORMAT, "%s: offset 8: checkpoint version %u (this latent reads 2)", path,
                lt_box_version(b));
        goto fail;
    }
    for (int i = 0; i < N_F; i++)
        if ((rc = lt_box_i64(b, F[i].key, F[i].lo, F[i].hi, &x[i]))) goto fail;
    if ((rc = lt_box_u64(b, "seed", &o.seed)) || (rc = lt_box_u64(b, "stream_hash", &tok_hash)) ||
            (rc = lt_box_f64(b, "alpha", &f[0])) || (rc = lt_box_f64(b, "sample", &f[1])) ||
            (rc = lt_box_f64(b, "ns_exponent", &f[2])))
        goto fail;
    int64_t V = x[0], epoch = x[12], seg = x[13], segs = x[14], wca = x[15], tok_n = x[16];
    o.dim = (int)x[1];
    o.window = (int)x[2];
    o.negative = (int)x[3];
    o.hs = (int)x[4];
    o.cbow = (int)x[5];
    o.epochs = (int)x[6];
    o.n_threads = (int)x[7];
    o.batched = (int)x[8];
    o.exact_sigmoid = (int)x[9];
    o.cbow_mean_grad = (int)x[10];
    o.checkpoint_every = x[11];
    o.alpha = (float)f[0];
    o.sample = (float)f[1];
    o.ns_exponent = (float)f[2];
    if (check_opts(&o, V) || epoch > o.epochs || !(o.ns_exponent >= -2 && o.ns_exponent <= 2)) {
        rc = lt_err(LT_EFORMAT, "%s: metadata: options out of range", path);
        goto fail;
    }
    int nt = o.n_threads;
    const uint64_t *rng = lt_box_need(b, "thread.rng", LT_BOX_U64, nt, 4);
    const int64_t *words = rng ? lt_box_need(b, "thread.words", LT_BOX_I64, nt, 3) : NULL;
    const double *loss = words ? lt_box_need(b, "thread.loss", LT_BOX_F64, nt, 1) : NULL;
    const float *alpha = loss ? lt_box_need(b, "thread.alpha", LT_BOX_F32, nt, 1) : NULL;
    const int64_t *counts = alpha ? lt_box_need(b, "counts", LT_BOX_I64, V, 1) : NULL;
    if (!counts) {
        rc = LT_EFORMAT;
        goto fail;
    }
    for (int64_t i = 0; i < V; i++)
        if (counts[i] < 0) {
            rc = lt_err(LT_EFORMAT, "%s: offset %zu: negative count", path,
                    lt_box_offset(b, "counts") + (size_t)i * 8);
            goto fail;
        }
    const uint8_t *bb = NULL;
    if (lt_box_shape(b, "blob", NULL, &bl, NULL) &&
            !(bb = lt_box_need(b, "blob", LT_BOX_U8, 1, -1))) {
        rc = LT_EFORMAT;
        goto fail;
    }
    if ((rc = lt_sgns_new(&m, &o, V, counts))) goto fail;
    const float *mats[3] = { NULL, NULL, NULL };
    float *dst[3] = { m->syn0, m->syn1neg, m->syn1 };
    const char *names[3] = { "syn0", "syn1neg", "syn1" };
    for (int i = 0; i < 3; i++) {
        int64_t pad;
        if (!dst[i]) continue;
        if (!(mats[i] = lt_box_need(b, names[i], LT_BOX_F32, V, o.dim))) {
            rc = LT_EFORMAT;
            goto fail;
        }
        lt_box_shape(b, names[i], NULL, NULL, &pad);
        if (pad != m->ld - o.dim) {
            rc = lt_err(LT_EFORMAT,
                    "%s: offset %zu: rows of '%s' padded to %lld floats, %lld expected", path,
                    lt_box_offset(b, names[i]), names[i], (long long)(o.dim + pad),
                    (long long)m->ld);
            goto fail;
        }
        memcpy(dst[i], mats[i], (size_t)V * (size_t)m->ld * 4);
    }
    for (int t = 0; t < nt; t++) {
        memcpy(m->ts[t].rng.s, rng + 4 * t, sizeof(lt_rng));
        m->ts[t].words = words[3 * t];
        m->ts[t].last_words = words[3 * t + 1];
        m->ts[t].loss_n = words[3 * t + 2];
        m->ts[t].loss = loss[t];
        m->ts[t].alpha = alpha[t];
    }
    if (bl) {
        if (!(*blob = lt_malloc((size_t)bl))) {
            rc = lt_err(LT_ENOMEM, "out of memory");
            goto fail;
        }
        memcpy(*blob, bb, (size_t)bl);
        *blob_len = (size_t)bl;
    }
    m->epoch = (int)epoch;
    m->segment = (int)seg;
    atomic_store(&m->word_count_actual, wca);
    m->segments_done = segs;
    m->tok_n = tok_n;
    m->tok_hash = tok_hash;
    lt_box_free(b);
    *out = m;
    return LT_OK;
fail:
    lt_box_free(b);
    lt_sgns_free(m);
    lt_free(*blob);
    *blob = NULL;
    *blob_len = 0;
    return rc;
}
