/* Node classification on top of logistic regression (classify.h): one-vs-rest, multi-label,
 * macro/micro-F1 under the top-k rule of DeepWalk/node2vec and under plain thresholding, over
 * repeated random splits; and the "id label" reader the evaluations share. */
#include "latent/kern.h"
#include "latent/eval.h"
#include "latent/core.h"
#include "eval_impl.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lt_node_eval_opts_init(lt_node_eval_opts *o) {
    memset(o, 0, sizeof *o); /* every field, the ones added later included */
    o->train_ratio = 0.5;
    o->repeats = 10;
    o->seed = 1;
    o->n_threads = 1;
    o->C = 1.0;
    o->train_list = NULL;
}

typedef struct {
    const double *X;
    int64_t n;
    int64_t d; /* rows of labelled nodes, with the ones column */
    const uint8_t *Y;
    int L; /* n x L membership */
    const int64_t *train;
    int64_t ntr;
    const lt_logreg_opts *lo;
    double *W; /* L x (d + 1) */
    _Atomic int rc;
} ovr_ctx;
static void ovr_labels(void *ud, int64_t b, int64_t e, int tid) {
    ovr_ctx *c = ud;
    (void)tid;
    int k = (int)c->d + 1;
    double *Xt = lt_malloc((size_t)c->ntr * k * 8);
    int8_t *y = lt_malloc((size_t)c->ntr);
    if (!Xt || !y) {
        c->rc = LT_ENOMEM;
        lt_free(Xt);
        lt_free(y);
        return;
    }
    for (int64_t i = 0; i < c->ntr; i++) memcpy(Xt + i * k, c->X + c->train[i] * k, (size_t)k * 8);
    for (int64_t l = b; l < e && !c->rc; l++) {
        for (int64_t i = 0; i < c->ntr; i++) y[i] = c->Y[c->train[i] * c->L + l] ? 1 : -1;
        int rc = lt_logreg_fit(Xt, c->ntr, c->d, y, c->lo, c->W + l * k);
        if (rc) c->rc = rc;
    }
    lt_free(Xt);
    lt_free(y);
}

typedef struct {
    double p;
    int l;
} scored;
static int cmp_scored(const void *a, const void *b) {
    const scored *x = a, *y = b;
    if (x->p != y->p) return x->p > y->p ? -1 : 1;
    return x->l - y->l;
}

/* macro/micro F1 from per-label tp, fp, fn */
static void f1s(const int64_t *tp, const int64_t *fp, const int64_t *fn, int L, double *macro,
        double *micro) {
    double sum = 0;
    int64_t TP = 0, FP = 0, FN = 0;
    for (int l = 0; l < L; l++) {
        double den = 2.0 * tp[l] + fp[l] + fn[l];
        sum += den > 0 ? 2.0 * tp[l] / den : 0;
        TP += tp[l];
        FP += fp[l];
        FN += fn[l];
    }
    *macro = sum / L;
    *micro = 2.0 * TP + FP + FN > 0 ? 2.0 * TP / (2.0 * TP + FP + FN) : 0;
}

static char *trim(char *s) {
    while (*s == ' ' || *s == '\t') s++;
    size_t l = strlen(s);
    while (l && (s[l - 1] == '\n' || s[l - 1] == '\r' || s[l - 1] == ' ' || s[l - 1] == '\t'))
        s[--l] = 0;
    return s;
}

int lt__read_pairs(const lt_vecs *v, const char *path, const char *what, lt__strmap *names,
        lt__pair_fn fn, void *ud) {
    FILE *f = fopen(path, "rb");
    if (!f) return lt_err(LT_EIO, "%s: cannot open: %s", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    long long ln = 0;
    int rc = LT_OK;
    while (rc == LT_OK && getline(&line, &cap, f) > 0) {
        ln++;
        char *s = trim(line);
        if (!*s || *s == '#') continue;
        char *sep = s + strcspn(s, "\t ,");
        char *lab = *sep ? (*sep = 0, trim(sep + 1)) : sep;
        if (!*lab) {
            rc = lt_err(LT_EFORMAT, "%s: line %lld: expected \"%s label\"", path, ln, what);
            break;
        }
        int64_t r = lt_vecs_find(v, s);
        if (r < 0) {
            rc = lt_err(LT_EINVAL, "%s: line %lld: %s '%s' has no vector", path, ln, what, s);
            break;
        }
        int64_t li = lt__strmap_put(names, lab, strlen(lab), NULL);
        if (li < 0) {
            rc = lt_err(LT_ENOMEM, "out of memory");
            break;
        }
        if (li >= 100000) {
            rc = lt_err(LT_EFORMAT, "%s: more than 100000 distinct labels", path);
            break;
        }
        rc = fn(ud, r, li, s, ln);
    }
    free(line);
    fclose(f);
    return rc;
}

typedef struct {
    const char *path;
    int64_t *mark, *row_of, nrows, *lab_row, *lab_id, np, cap;
} node_pairs;
static int add_node_pair(void *ud, int64_t r, int64_t li, const char *id, long long line) {
    node_pairs *c = ud;
    (void)id;
    (void)line;
    if (c->mark[r] < 0) {
        int64_t *nr = lt_realloc(c->row_of, (size_t)(c->nrows + 1) * 8);
        if (!nr) return lt_err(LT_ENOMEM, "out of memory");
        c->row_of = nr;
        c->mark[r] = c->nrows;
        c->row_of[c->nrows++] = r;
    }
    if (c->np == c->cap) {
        int64_t nc = c->cap ? c->cap * 2 : 1024;
        int64_t *a = lt_realloc(c->lab_row, (size_t)nc * 8);
        if (a) c->lab_row = a;
        int64_t *b = a ? lt_realloc(c->lab_id, (size_t)nc * 8) : NULL;
        if (b) c->lab_id = b;
        if (!b) return lt_err(LT_ENOMEM, "out of memory");
        c->cap = nc;
    }
    c->lab_row[c->np] = c->mark[r];
    c->lab_id[c->np] = li;
    c->np++;
    return LT_OK;
}

static int eval_nodes_call(const lt_vecs *v, const char *labels_path, const lt_node_eval_opts *o,
        lt_node_eval_result *out) {
    memset(out, 0, sizeof *out);
    if (!v->labels) return lt_err(LT_EINVAL, "the vectors have no labels (node ids)");
    if (!(o->train_ratio > 0 && o->train_ratio < 1))
        return lt_err(LT_EINVAL, "train ratio must be in (0, 1)");
    /* node -> row of v; labels (strings) -> label ids */
    lt__strmap *names = lt__strmap_new();
    node_pairs np_ = { labels_path, lt_malloc((size_t)(v->n ? v->n : 1) * 8), NULL, 0, NULL, NULL,
        0, 0 };
    int rc = names && np_.mark ? LT_OK : lt_err(LT_ENOMEM, "out of memory");
    for (int64_t i = 0; rc == LT_OK && i < v->n; i++) np_.mark[i] = -1;
    if (rc == LT_OK) rc = lt__read_pairs(v, labels_path, "node", names, add_node_pair, &np_);
    int L = names ? (int)lt__strmap_size(names) : 0;
    int64_t *mark = np_.mark, *row_of = np_.row_of, nrows = np_.nrows, *lab_row = np_.lab_row,
            *lab_id = np_.lab_id, np = np_.np;
    if (rc == LT_OK && (nrows < 2 || L < 2))
        rc = lt_err(LT_EINVAL, "%s: need at least 2 labelled nodes and 2 labels (found %lld, %d)",
                labels_path, (long long)nrows, L);
    int64_t d = v->d, k = d + 1, n = nrows;
    double *X = NULL, *W = NULL;
    uint8_t *Y = NULL, *is_tr = NULL;
    int64_t *perm = NULL, *tr = NULL, *te = NULL;
    int64_t *tp = NULL, *fp = NULL, *fn = NULL;
    double *P = NULL;
    scored *sc = NULL;
    double acc[4][2] = { { 0 } }; /* macro/micro x topk/thr: sum, sum of squares */
    if (rc == LT_OK) {
        X = lt_malloc((size_t)n * k * 8);
        Y = lt_calloc((size_t)n * L, 1);
        W = lt_malloc((size_t)L * k * 8);
        perm = lt_malloc((size_t)n * 8);
        tr = lt_malloc((size_t)n * 8);
        te = lt_malloc((size_t)n * 8);
        is_tr = lt_calloc((size_t)n, 1);
        tp = lt_malloc((size_t)L * 8 * 2);
        fp = lt_malloc((size_t)L * 8 * 2);
        fn = lt_malloc((size_t)L * 8 * 2);
        P = lt_malloc((size_t)L * 8);
        sc = lt_malloc((size_t)L * sizeof *sc);
        if (!X || !Y || !W || !perm || !tr || !te || !is_tr || !tp || !fp || !fn || !P || !sc)
            rc = lt_err(LT_ENOMEM, "out of memory");
    }
    if (rc == LT_OK) {
        for (int64_t i = 0; i < n; i++) {
            for (int64_t j = 0; j < d; j++) X[i * k + j] = lt_vecs_row(v, row_of[i])[j];
            X[i * k + d] = 1;
        }
        for (int64_t p = 0; p < np; p++) Y[lab_row[p] * L + lab_id[p]] = 1;
    }
    /* a fixed training set: the nodes listed in train_list */
    if (rc == LT_OK && o->train_list) {
        FILE *tf = fopen(o->train_list, "rb");
        if (!tf) rc = lt_err(LT_EIO, "%s: cannot open: %s", o->train_list, strerror(errno));
        char *l2 = NULL;
        size_t c2 = 0;
        long long n2 = 0;
        while (rc == LT_OK && tf && getline(&l2, &c2, tf) > 0) {
            n2++;
            char *s = trim(l2);
            if (!*s) continue;
            int64_t r = lt_vecs_find(v, s);
            if (r < 0 || mark[r] < 0) {
                rc = lt_err(LT_EINVAL, "%s: line %lld: node '%s' is not a labelled node",
                        o->train_list, n2, s);
                break;
            }
            is_tr[mark[r]] = 1;
        }
        free(l2);
        if (tf) fclose(tf);
    }
    lt_logreg_opts lo;
    lt_logreg_opts_init(&lo);
    lo.C = o->C;
    int reps = o->train_list ? 1 : o->repeats;
    for (int rep = 0; rc == LT_OK && rep < reps; rep++) {
        int64_t ntr = 0, nte = 0;
        if (o->train_list) {
            for (int64_t i = 0; i < n; i++) {
                if (is_tr[i]) tr[ntr++] = i;
                else te[nte++] = i;
            }
        } else {
            lt_rng r;
            lt_rng_seed(&r, o->seed, (uint64_t)rep);
            for (int64_t i = 0; i < n; i++) perm[i] = i;
            lt_rng_shuffle(&r, perm, n);
            ntr = (int64_t)floor(o->train_ratio * (double)n + 0.5);
            if (ntr < 1) ntr = 1;
            if (ntr > n - 1) ntr = n - 1;
            for (int64_t i = 0; i < n; i++) {
                if (i < ntr) tr[i] = perm[i];
                else te[nte++] = perm[i];
            }
        }
        if (ntr < 1 || nte < 1) {
            rc = lt_err(LT_EINVAL, "the split leaves no training or no test node");
            break;
        }
        ovr_ctx c = { X, n, d, Y, L, tr, ntr, &lo, W, 0 };
        lt_parallel_for(o->n_threads, L, ovr_labels, &c);
        if (c.rc) {
            rc = c.rc;
            break;
        }
        memset(tp, 0, (size_t)L * 16);
        memset(fp, 0, (size_t)L * 16);
        memset(fn, 0, (size_t)L * 16);
        for (int64_t t = 0; t < nte; t++) {
            int64_t i = te[t];
            int truth = 0;
            for (int l = 0; l < L; l++) {
                double z = 0;
                for (int64_t j = 0; j < k; j++) z += W[l * k + j] * X[i * k + j];
                P[l] = z;
                sc[l] = (scored){ z, l };
                truth += Y[i * L + l];
            }
            qsort(sc, (size_t)L, sizeof *sc, cmp_scored);
            for (int rank = 0; rank < L;
                    rank++) { /* top-k: the k best labels, k = true label count */
                int l = sc[rank].l, pred = rank < truth, y = Y[i * L + l];
                tp[l] += pred && y;
                fp[l] += pred && !y;
                fn[l] += !pred && y;
            }
            for (int l = 0; l < L; l++) { /* thresholded: probability > 0.5 */
                int pred = P[l] > 0, y = Y[i * L + l];
                tp[L + l] += pred && y;
                fp[L + l] += pred && !y;
                fn[L + l] += !pred && y;
            }
        }
        double ma, mi;
        f1s(tp, fp, fn, L, &ma, &mi);
        acc[0][0] += ma;
        acc[0][1] += ma * ma;
        acc[1][0] += mi;
        acc[1][1] += mi * mi;
        f1s(tp + L, fp + L, fn + L, L, &ma, &mi);
        acc[2][0] += ma;
        acc[2][1] += ma * ma;
        acc[3][0] += mi;
        acc[3][1] += mi * mi;
        out->n_train = ntr;
        out->n_test = nte;
    }
    if (rc == LT_OK) {
        double R = reps;
        double *m[4] = { &out->macro_topk, &out->micro_topk, &out->macro_thr, &out->micro_thr };
        double *s[4] = { &out->sd_macro_topk, &out->sd_micro_topk, &out->sd_macro_thr,
            &out->sd_micro_thr };
        for (int q = 0; q < 4; q++) {
            *m[q] = acc[q][0] / R;
            double var = reps > 1 ? (acc[q][1] - acc[q][0] * acc[q][0] / R) / (R - 1) : 0;
            *s[q] = var > 0 ? sqrt(var) : 0;
        }
        out->nodes = n;
        out->labels = L;
        out->repeats = reps;
        int64_t multi = 0;
        for (int64_t i = 0; i < n; i++) {
            int t = 0;
            for (int l = 0; l < L; l++) t += Y[i * L + l];
            multi += t > 1;
        }
        out->multilabel_nodes = multi;
    }
    lt__strmap_free(names);
    lt_free(mark);
    lt_free(row_of);
    lt_free(lab_row);
    lt_free(lab_id);
    lt_free(X);
    lt_free(Y);
    lt_free(W);
    lt_free(perm);
    lt_free(tr);
    lt_free(te);
    lt_free(is_tr);
    lt_free(tp);
    lt_free(fp);
    lt_free(fn);
    lt_free(P);
    lt_free(sc);
    return rc;
}

int lt_eval_nodes(const lt_vecs *v, const char *labels_path, const lt_node_eval_opts *o,
        lt_node_eval_result *out) {
    int saved = lt_blas_begin(1); /* parallel over its own work: BLAS on one thread */
    int rc = eval_nodes_call(v, labels_path, o, out);
    lt_blas_end(saved);
    return rc;
}
