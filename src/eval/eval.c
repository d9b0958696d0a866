/* Neighbours, analogies, analogy and similarity evaluation. */
#include "latent/eval.h"
#include "latent/core.h"
#include "latent/kern.h"
#include "../core/strmap.h"
#include "../core/topk.h"
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

lt_vecs *lt_vecs_normalized(const lt_vecs *v) {
    lt_vecs *o = lt_vecs_new(v->n, v->d);
    if (!o) return NULL;
    for (int64_t i = 0; i < v->n; i++) {
        const float *r = lt_vecs_row(v, i);
        float *w = lt_vecs_row(o, i);
        double s = 0;
        for (int64_t k = 0; k < v->d; k++) s += (double)r[k] * r[k];
        float inv = s > 0 ? (float)(1.0 / sqrt(s)) : 0;
        for (int64_t k = 0; k < v->d; k++) w[k] = r[k] * inv;
    }
    if (v->labels) {
        for (int64_t i = 0; i < v->n; i++)
            if (lt_vecs_set_label(o, i, v->labels[i])) {
                lt_vecs_free(o);
                return NULL;
            }
    }
    return o;
}

static int excluded(int64_t i, const int64_t *ex, int n) {
    for (int j = 0; j < n; j++)
        if (ex[j] == i) return 1;
    return 0;
}

int lt_nearest(const lt_vecs *vn, const float *q, int k, int64_t restrict_n, const int64_t *exclude,
        int n_ex, int64_t *ids, float *scores) {
    if (k <= 0) return 0;
    int64_t n = restrict_n > 0 && restrict_n < vn->n ? restrict_n : vn->n;
    float *qq = lt_aligned_alloc((size_t)vn->ld * 4), *hs = lt_malloc((size_t)k * 4);
    int64_t *hi = lt_malloc((size_t)k * 8);
    if (!qq || !hs || !hi) {
        lt_aligned_free(qq);
        lt_free(hs);
        lt_free(hi);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    memset(qq, 0, (size_t)vn->ld * 4);
    double s = 0;
    for (int64_t j = 0; j < vn->d; j++) s += (double)q[j] * q[j];
    float inv = s > 0 ? (float)(1 / sqrt(s)) : 0;
    for (int64_t j = 0; j < vn->d; j++) qq[j] = q[j] * inv;
    const lt_kernels *K = lt_kern();
    lt_topk h = { hs, hi, 0, k };
    for (int64_t i = 0; i < n; i++) {
        if (n_ex && excluded(i, exclude, n_ex)) continue;
        lt_topk_push(&h, -K->dot(qq, lt_vecs_row(vn, i), vn->ld), i);
    }
    int got = lt_topk_sorted(&h, scores, ids);
    for (int i = 0; i < got; i++) scores[i] = -scores[i];
    lt_aligned_free(qq);
    lt_free(hs);
    lt_free(hi);
    return got;
}

int lt_analogy(const lt_vecs *vn, int64_t a, int64_t b, int64_t c, lt_analogy_method m, int k,
        int64_t restrict_n, int64_t *ids, float *scores) {
    int64_t ex[3] = { a, b, c };
    if (m == LT_ANALOGY_ADD) {
        float *q = lt_aligned_alloc((size_t)vn->ld * 4);
        if (!q) return lt_err(LT_ENOMEM, "out of memory");
        for (int64_t j = 0; j < vn->ld; j++)
            q[j] = lt_vecs_row(vn, b)[j] - lt_vecs_row(vn, a)[j] + lt_vecs_row(vn, c)[j];
        int r = lt_nearest(vn, q, k, restrict_n, ex, 3, ids, scores);
        lt_aligned_free(q);
        return r;
    }
    int64_t n = restrict_n > 0 && restrict_n < vn->n ? restrict_n : vn->n;
    float *hs = lt_malloc((size_t)k * 4);
    int64_t *hi = lt_malloc((size_t)k * 8);
    if (!hs || !hi) {
        lt_free(hs);
        lt_free(hi);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    lt_topk h = { hs, hi, 0, k };
    const lt_kernels *K = lt_kern();
    for (int64_t i = 0; i < n; i++) {
        if (excluded(i, ex, 3)) continue;
        const float *x = lt_vecs_row(vn, i);
        float ca = (K->dot(x, lt_vecs_row(vn, a), vn->ld) + 1) / 2,
              cb = (K->dot(x, lt_vecs_row(vn, b), vn->ld) + 1) / 2,
              cc = (K->dot(x, lt_vecs_row(vn, c), vn->ld) + 1) / 2;
        lt_topk_push(&h, -(cb * cc / (ca + 0.001f)), i);
    }
    int got = lt_topk_sorted(&h, scores, ids);
    for (int i = 0; i < got; i++) scores[i] = -scores[i];
    lt_free(hs);
    lt_free(hi);
    return got;
}

/* case-insensitive map of the first n labels: lowercased label -> first row */
typedef struct {
    lt__strmap *map;
    int64_t *rows;
} lcmap;
static char *lower_utf8(const char *s) {
    utf8proc_uint8_t *out = NULL;
    if (utf8proc_map((const utf8proc_uint8_t *)s, 0, &out, UTF8PROC_NULLTERM | UTF8PROC_CASEFOLD) <
            0) {
        char *d = strdup(s);
        for (char *p = d; p && *p; p++) *p = (char)tolower((unsigned char)*p);
        return d;
    }
    return (char *)out;
}
static int lcmap_build(lcmap *m, const lt_vecs *v, int64_t n) {
    m->map = lt__strmap_new();
    m->rows = lt_malloc((size_t)(n ? n : 1) * 8);
    if (!m->map || !m->rows) return lt_err(LT_ENOMEM, "out of memory");
    int64_t cnt = 0;
    for (int64_t i = 0; i < n; i++) {
        char *l = lower_utf8(v->labels[i]);
        if (!l) return lt_err(LT_ENOMEM, "out of memory");
        int added = 0;
        if (lt__strmap_put(m->map, l, strlen(l), &added) < 0) {
            free(l);
            return lt_err(LT_ENOMEM, "out of memory");
        }
        if (added) m->rows[cnt++] = i;
        free(l);
    }
    return LT_OK;
}
static int64_t lcmap_get(const lcmap *m, const char *w) {
    char *l = lower_utf8(w);
    if (!l) return -1;
    int64_t e = lt__strmap_get(m->map, l, strlen(l));
    free(l);
    return e < 0 ? -1 : m->rows[e];
}
static void lcmap_free(lcmap *m) {
    lt__strmap_free(m->map);
    lt_free(m->rows);
}

typedef struct {
    int64_t q[4];
    int sec;
    int64_t item;
} question;

int lt_eval_analogy(const lt_vecs *v, const char *path, int64_t restrict_n, lt_analogy_method meth,
        int n_threads, lt_analogy_report *out) {
    memset(out, 0, sizeof *out);
    (void)n_threads;
    if (!v->labels) return lt_err(LT_EINVAL, "the vectors have no labels; analogy needs words");
    int64_t n = restrict_n > 0 && restrict_n < v->n ? restrict_n : v->n;
    FILE *f = fopen(path, "rb");
    if (!f) return lt_err(LT_EIO, "%s: cannot open: %s", path, strerror(errno));
    lcmap lm = { 0 };
    int rc = lcmap_build(&lm, v, n);
    question *qs = NULL;
    int64_t nq = 0, capq = 0;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    uint64_t off = 0;
    while (rc == LT_OK && (len = getline(&line, &cap, f)) > 0) {
        uint64_t here = off;
        off += (uint64_t)len;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = 0;
        if (len == 0) continue;
        if (line[0] == ':') {
            lt_analogy_section *ns =
                    lt_realloc(out->sections, (size_t)(out->n_sections + 1) * sizeof *ns);
            if (!ns) {
                rc = lt_err(LT_ENOMEM, "out of memory");
                break;
            }
            out->sections = ns;
            lt_analogy_section *s = &ns[out->n_sections++];
            memset(s, 0, sizeof *s);
            const char *nm = line + 1;
            while (*nm == ' ') nm++;
            snprintf(s->name, sizeof s->name, "%s", nm);
            continue;
        }
        if (out->n_sections == 0) {
            rc = lt_err(LT_EFORMAT, "%s: offset %llu: question before any \": section\" line", path,
                    (unsigned long long)here);
            break;
        }
        char *w[5], *save = NULL;
        int nw = 0;
        for (char *t = strtok_r(line, " \t", &save); t && nw < 5; t = strtok_r(NULL, " \t", &save))
            w[nw++] = t;
        if (nw != 4) {
            rc = lt_err(LT_EFORMAT, "%s: offset %llu: expected 4 words", path,
                    (unsigned long long)here);
            break;
        }
        if (out->questions % 1024 == 0) {
            lt_analogy_item *ni =
                    lt_realloc(out->items, (size_t)(out->questions + 1024) * sizeof *ni);
            if (!ni) {
                rc = lt_err(LT_ENOMEM, "out of memory");
                break;
            }
            out->items = ni;
        }
        lt_analogy_item *it = &out->items[out->questions];
        question q;
        q.sec = out->n_sections - 1;
        q.item = out->questions++;
        int ok = 1;
        for (int i = 0; i < 4; i++) {
            q.q[i] = lcmap_get(&lm, w[i]);
            if (q.q[i] < 0) ok = 0;
        }
        it->sec = q.sec;
        memcpy(it->q, q.q, sizeof q.q);
        it->predicted = -1;
        if (!ok) {
            out->sections[q.sec].skipped++;
            continue;
        }
        if (nq == capq) {
            capq = capq ? capq * 2 : 1024;
            question *nqs = lt_realloc(qs, (size_t)capq * sizeof *qs);
            if (!nqs) {
                rc = lt_err(LT_ENOMEM, "out of memory");
                break;
            }
            qs = nqs;
        }
        qs[nq++] = q;
    }
    free(line);
    fclose(f);
    lt_vecs *vn = rc ? NULL : lt_vecs_normalized(v);
    if (!rc && !vn) rc = LT_ENOMEM;
    if (rc == LT_OK && meth == LT_ANALOGY_ADD && nq) {
        /* batched 3CosAdd: scores = Q (B x ld) * M^T (ld x n) with OpenBLAS */
        const int B = 512;
        float *Q = lt_aligned_alloc((size_t)B * vn->ld * 4),
              *Sc = lt_aligned_alloc((size_t)B * n * 4);
        if (!Q || !Sc) rc = lt_err(LT_ENOMEM, "out of memory");
        for (int64_t q0 = 0; rc == LT_OK && q0 < nq; q0 += B) {
            int nb = (int)(nq - q0 < B ? nq - q0 : B);
            for (int i = 0; i < nb; i++) {
                const int64_t *x = qs[q0 + i].q;
                float *r = Q + (int64_t)i * vn->ld;
                const float *a = lt_vecs_row(vn, x[0]), *b = lt_vecs_row(vn, x[1]),
                            *c = lt_vecs_row(vn, x[2]);
                double s = 0;
                for (int64_t k = 0; k < vn->ld; k++) {
                    r[k] = b[k] - a[k] + c[k];
                    s += (double)r[k] * r[k];
                }
                float inv = s > 0 ? (float)(1 / sqrt(s)) : 0;
                for (int64_t k = 0; k < vn->ld; k++) r[k] *= inv;
            }
            lt_sgemm(0, 1, nb, (int)n, (int)vn->ld, 1.0f, Q, (int)vn->ld, vn->data, (int)vn->ld,
                    0.0f, Sc, (int)n);
            for (int i = 0; i < nb; i++) {
                const question *qq = &qs[q0 + i];
                const float *row = Sc + (int64_t)i * n;
                int64_t best = -1;
                float bs = -INFINITY;
                for (int64_t j = 0; j < n; j++)
                    if (row[j] > bs && j != qq->q[0] && j != qq->q[1] && j != qq->q[2]) {
                        bs = row[j];
                        best = j;
                    }
                lt_analogy_section *s = &out->sections[qq->sec];
                s->total++;
                out->items[qq->item].predicted = best;
                if (best == qq->q[3]) s->correct++;
            }
        }
        lt_aligned_free(Q);
        lt_aligned_free(Sc);
    } else if (rc == LT_OK) {
        for (int64_t i = 0; i < nq; i++) {
            int64_t id;
            float sc;
            const question *qq = &qs[i];
            int got = lt_analogy(vn, qq->q[0], qq->q[1], qq->q[2], meth, 1, n, &id, &sc);
            lt_analogy_section *s = &out->sections[qq->sec];
            s->total++;
            out->items[qq->item].predicted = got == 1 ? id : -1;
            if (got == 1 && id == qq->q[3]) s->correct++;
        }
    }
    for (int i = 0; i < out->n_sections; i++) {
        lt_analogy_section *s = &out->sections[i];
        int syn = !strncmp(s->name, "gram", 4);
        if (syn) {
            out->syn_correct += s->correct;
            out->syn_total += s->total;
        } else {
            out->sem_correct += s->correct;
            out->sem_total += s->total;
        }
        out->correct += s->correct;
        out->total += s->total;
    }
    lt_vecs_free(vn);
    lt_free(qs);
    lcmap_free(&lm);
    if (rc) lt_analogy_report_destroy(out);
    return rc;
}

void lt_analogy_report_destroy(lt_analogy_report *r) {
    if (!r) return;
    lt_free(r->sections);
    lt_free(r->items);
    r->sections = NULL;
    r->items = NULL;
    r->n_sections = 0;
}

double lt_pearson(const double *x, const double *y, int64_t n) {
    if (n < 2) return NAN;
    double mx = 0, my = 0;
    for (int64_t i = 0; i < n; i++) {
        mx += x[i];
        my += y[i];
    }
    mx /= (double)n;
    my /= (double)n;
    double sxy = 0, sxx = 0, syy = 0;
    for (int64_t i = 0; i < n; i++) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
    }
    return sxx > 0 && syy > 0 ? sxy / sqrt(sxx * syy) : NAN;
}

static const double *g_sort_key;
static int cmp_idx(const void *a, const void *b) {
    double x = g_sort_key[*(const int64_t *)a], y = g_sort_key[*(const int64_t *)b];
    return x < y ? -1 : x > y;
}
static void ranks(const double *x, int64_t n, double *r, int64_t *idx) {
    for (int64_t i = 0; i < n; i++) idx[i] = i;
    g_sort_key = x; /* only used inside this single-threaded qsort call */
    qsort(idx, (size_t)n, sizeof *idx, cmp_idx);
    for (int64_t i = 0; i < n;) {
        int64_t j = i;
        while (j + 1 < n && x[idx[j + 1]] == x[idx[i]]) j++;
        double avg = (double)(i + j) / 2.0 + 1.0;
        for (int64_t k = i; k <= j; k++) r[idx[k]] = avg;
        i = j + 1;
    }
}

double lt_spearman(const double *x, const double *y, int64_t n) {
    if (n < 2) return NAN;
    double *rx = lt_malloc((size_t)n * 8), *ry = lt_malloc((size_t)n * 8);
    int64_t *idx = lt_malloc((size_t)n * 8);
    double r = NAN;
    if (rx && ry && idx) {
        ranks(x, n, rx, idx);
        ranks(y, n, ry, idx);
        r = lt_pearson(rx, ry, n);
    }
    lt_free(rx);
    lt_free(ry);
    lt_free(idx);
    return r;
}

int lt_eval_similarity(
        const lt_vecs *v, const char *path, int64_t restrict_n, lt_similarity_report *out) {
    return lt_eval_similarity_oov(v, path, restrict_n, 0, out);
}

int lt_eval_similarity_oov(const lt_vecs *v, const char *path, int64_t restrict_n, int oov,
        lt_similarity_report *out) {
    memset(out, 0, sizeof *out);
    if (!v->labels) return lt_err(LT_EINVAL, "the vectors have no labels; similarity needs words");
    int64_t n = restrict_n > 0 && restrict_n < v->n ? restrict_n : v->n;
    FILE *f = fopen(path, "rb");
    if (!f) return lt_err(LT_EIO, "%s: cannot open: %s", path, strerror(errno));
    lcmap lm = { 0 };
    int rc = lcmap_build(&lm, v, n);
    double *gold = NULL, *pred = NULL;
    int64_t cnt = 0, cap2 = 0;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    uint64_t off = 0;
    const lt_kernels *K = lt_kern();
    float *sub = oov ? lt_aligned_alloc((size_t)v->ld * 8) : NULL;
    while (rc == LT_OK && (len = getline(&line, &cap, f)) > 0) {
        uint64_t here = off;
        off += (uint64_t)len;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = 0;
        if (len == 0 || line[0] == '#') continue;
        char *w[4], *save = NULL;
        int nw = 0;
        for (char *t = strtok_r(line, "\t", &save); t && nw < 4; t = strtok_r(NULL, "\t", &save))
            w[nw++] = t;
        char *e = NULL;
        double sc = nw == 3 ? strtod(w[2], &e) : 0;
        if (nw != 3 || !e || e == w[2]) {
            rc = lt_err(LT_EFORMAT, "%s: offset %llu: expected word1<TAB>word2<TAB>score", path,
                    (unsigned long long)here);
            break;
        }
        out->total++;
        int64_t a = lcmap_get(&lm, w[0]), b = lcmap_get(&lm, w[1]);
        const float *x = a >= 0 ? lt_vecs_row(v, a) : NULL, *y = b >= 0 ? lt_vecs_row(v, b) : NULL;
        if (oov && (!x || !y) && sub) { /* subword vectors for the missing words */
            for (int q = 0; q < 2 && rc == LT_OK; q++) {
                if (q == 0 ? x != NULL : y != NULL) continue;
                char *l = lower_utf8(w[q]);
                if (!l) {
                    rc = lt_err(LT_ENOMEM, "out of memory");
                    break;
                }
                float *dst = sub + q * v->ld;
                memset(dst, 0, (size_t)v->ld * 4);
                if (lt_vecs_subword(v, l, dst) >= 0) {
                    if (q == 0) x = dst;
                    else y = dst;
                    out->oov_filled++;
                }
                free(l);
            }
        }
        if (!x || !y) continue;
        if (cnt == cap2) {
            cap2 = cap2 ? cap2 * 2 : 512;
            double *ng = lt_realloc(gold, (size_t)cap2 * 8), *np;
            if (!ng) {
                rc = lt_err(LT_ENOMEM, "out of memory");
                break;
            }
            gold = ng;
            np = lt_realloc(pred, (size_t)cap2 * 8);
            if (!np) {
                rc = lt_err(LT_ENOMEM, "out of memory");
                break;
            }
            pred = np;
        }
        double nx = K->dot(x, x, v->ld), ny = K->dot(y, y, v->ld);
        gold[cnt] = sc;
        pred[cnt] = nx > 0 && ny > 0 ? K->dot(x, y, v->ld) / sqrt(nx * ny) : 0;
        cnt++;
    }
    free(line);
    fclose(f);
    if (rc == LT_OK) {
        out->used = cnt;
        out->spearman = lt_spearman(pred, gold, cnt);
        out->pearson = lt_pearson(pred, gold, cnt);
    }
    lt_free(gold);
    lt_free(pred);
    lt_aligned_free(sub);
    lcmap_free(&lm);
    return rc;
}
