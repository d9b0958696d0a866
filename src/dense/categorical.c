/* Categorical encoders of tables (see dense.h). The model keeps, per feature column, its
 * type and, for a categorical one, the sorted categories ("\x1f"-separated in the metadata;
 * an empty item is the missing value) with a 0/1 array of which are frequent. Names and
 * categories are stored escaped (backslash, newline and 0x1f as \\, \n and \f; metadata
 * "escaped" = 1; models written before hold them raw), as CSV cells may hold any byte. */
#include "dense_impl.h"
#include "../core/strmap.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lt_cat_opts_init(lt_cat_opts *o) {
    memset(o, 0, sizeof *o); /* every field, the ones added later included */
    o->kind = "onehot";
    o->label = NULL;
    o->unknown = LT_UNKNOWN_ERROR;
    o->min_frequency = 0;
    o->dim = 1024;
}

static inline uint32_t rotl(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }
uint32_t lt_murmur3_32(const void *data, size_t len, uint32_t seed) {
    const unsigned char *p = data;
    uint32_t h = seed, k;
    const uint32_t c1 = 0xcc9e2d51u, c2 = 0x1b873593u;
    size_t i = 0;
    for (; i + 4 <= len; i += 4) {
        k = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8 | (uint32_t)p[i + 2] << 16 |
                (uint32_t)p[i + 3] << 24;
        k *= c1;
        k = rotl(k, 15);
        k *= c2;
        h ^= k;
        h = rotl(h, 13);
        h = h * 5 + 0xe6546b64u;
    }
    k = 0;
    switch (len & 3) {
    case 3: k ^= (uint32_t)p[i + 2] << 16; /* fall through */
    case 2: k ^= (uint32_t)p[i + 1] << 8; /* fall through */
    case 1:
        k ^= p[i];
        k *= c1;
        k = rotl(k, 15);
        k *= c2;
        h ^= k;
    }
    h ^= (uint32_t)len;
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

static int is_number(const char *s, double *x) {
    char *e;
    *x = strtod(s, &e);
    return *s && !*e && isfinite(*x);
}

typedef struct {
    const char *s;
    int64_t count;
} catc;
static int cmp_cat(const void *a, const void *b) {
    const catc *x = a, *y = b;
    if (!x->s || !y->s) return !x->s - !y->s; /* the missing value last */
    return strcmp(x->s, y->s);
}

static int setf(lt_model *m, const char *fmt, int i, const char *v) {
    char k[64];
    snprintf(k, sizeof k, fmt, i);
    return lt_model_meta_set(m, k, v);
}

/* the escaping above: q needs 2l bytes; returns the end */
static char *esc_put(char *q, const char *s, size_t l) {
    for (size_t i = 0; i < l; i++) {
        if (s[i] == '\\' || s[i] == '\n' || s[i] == '\x1f') {
            *q++ = '\\';
            *q++ = s[i] == '\n' ? 'n' : s[i] == '\x1f' ? 'f' : '\\';
        } else *q++ = s[i];
    }
    return q;
}
/* the inverse, into d (l bytes at most); returns the length */
static size_t unesc(char *d, const char *s, size_t l) {
    size_t o = 0;
    for (size_t i = 0; i < l; i++) {
        if (s[i] == '\\' && i + 1 < l) {
            i++;
            d[o++] = s[i] == 'n' ? '\n' : s[i] == 'f' ? '\x1f' : s[i];
        } else d[o++] = s[i];
    }
    return o;
}
static int set_name(lt_model *m, int i, const char *name) {
    size_t l = strlen(name);
    char *e = lt_malloc(2 * l + 1);
    if (!e) return lt_err(LT_ENOMEM, "out of memory");
    *esc_put(e, name, l) = 0;
    int rc = setf(m, "col%d.name", i, e);
    lt_free(e);
    return rc;
}

/* the model keeps a few metadata entries per column (lt_model's limits): wider tables are
 * refused before any work, with a message about columns */
enum { CAT_MAX_COLS = 1360 };

int lt_cat_fit(const lt_table *t, const lt_cat_opts *o, lt_model **out) {
    *out = NULL;
    int kind = !strcmp(o->kind, "onehot") ? 0
            : !strcmp(o->kind, "ordinal") ? 1
            : !strcmp(o->kind, "hash")    ? 2
                                          : -1;
    if (kind < 0)
        return lt_err(
                LT_EINVAL, "unknown categorical encoder '%s' (onehot, ordinal, hash)", o->kind);
    if (kind == 2 && (o->dim < 1 || o->dim > (1 << 24)))
        return lt_err(LT_EINVAL, "hash: dim 1..2^24");
    int label = o->label ? lt_table_col(t, o->label) : -1;
    if (o->label && label < 0) return lt_err(LT_EINVAL, "no column '%s' in the table", o->label);
    int64_t n = lt_table_rows(t);
    if (n < 1) return lt_err(LT_EINVAL, "the table has no rows");
    lt_model *m = lt_model_new(o->kind);
    if (!m) return lt_err(LT_ENOMEM, "out of memory");
    int C = lt_table_cols(t), nf = 0, nnum = 0, rc = LT_OK;
    if (C - (label >= 0) > CAT_MAX_COLS) {
        lt_model_free(m);
        return lt_err(LT_EINVAL,
                "the table has %d feature columns; the %s encoder takes at most %d (keep the columns you need, "
                "e.g. with cut -d, -f)",
                C - (label >= 0), o->kind, CAT_MAX_COLS);
    }
    int64_t outdim = 0;
    double *mean = lt_calloc((size_t)C, 8), *sd = lt_calloc((size_t)C, 8);
    catc *cats = lt_malloc((size_t)n * sizeof *cats);
    char *buf = NULL;
    if (!mean || !sd || !cats) rc = lt_err(LT_ENOMEM, "out of memory");
    for (int c = 0; rc == LT_OK && c < C; c++) {
        if (c == label) continue;
        int numeric = !o->all_categorical, missing = 0;
        double x;
        for (int64_t i = 0; i < n; i++) {
            const char *v = lt_table_cell(t, i, c);
            if (!v) missing++;
            else if (numeric && !is_number(v, &x)) numeric = 0;
        }
        if (numeric && missing == n) numeric = 0; /* nothing but missing values: one category */
        rc = set_name(m, nf, lt_table_name(t, c));
        if (rc == LT_OK) rc = setf(m, "col%d.type", nf, numeric ? "numeric" : "categorical");
        if (rc == LT_OK && numeric) {
            if (missing) {
                rc = lt_err(LT_EINVAL,
                        "numeric column '%s' has %d missing values (impute them first)",
                        lt_table_name(t, c), missing);
                break;
            }
            double s = 0, s2 = 0;
            for (int64_t i = 0; i < n; i++) {
                is_number(lt_table_cell(t, i, c), &x);
                s += x;
            }
            for (int64_t i = 0; i < n; i++) {
                is_number(lt_table_cell(t, i, c), &x);
                s2 += (x - s / n) * (x - s / n);
            }
            mean[nnum] = s / (double)n;
            sd[nnum] = sqrt(s2 / (double)n) > 0 ? sqrt(s2 / (double)n) : 1;
            nnum++;
            outdim++;
        } else if (rc == LT_OK) {
            /* distinct values with counts, sorted; the missing value last */
            lt__strmap *sm = lt__strmap_new();
            int64_t nc = 0, miss = 0, *cnt = lt_calloc((size_t)n, 8);
            if (!sm || !cnt) {
                lt__strmap_free(sm);
                lt_free(cnt);
                rc = lt_err(LT_ENOMEM, "out of memory");
                break;
            }
            for (int64_t i = 0; i < n; i++) {
                const char *v = lt_table_cell(t, i, c);
                if (!v) {
                    miss++;
                    continue;
                }
                int64_t id = lt__strmap_put(sm, v, strlen(v), NULL);
                if (id < 0) {
                    rc = lt_err(LT_ENOMEM, "out of memory");
                    break;
                }
                cnt[id]++;
            }
            nc = lt__strmap_size(sm);
            for (int64_t k = 0; k < nc; k++) {
                cats[k].s = lt__strmap_key(sm, k);
                cats[k].count = cnt[k];
            }
            if (miss) {
                cats[nc].s = NULL;
                cats[nc].count = miss;
                nc++;
            }
            qsort(cats, (size_t)nc, sizeof *cats, cmp_cat);
            size_t bytes = 1;
            for (int64_t k = 0; k < nc; k++) bytes += 2 * (cats[k].s ? strlen(cats[k].s) : 0) + 1;
            char *nb = rc == LT_OK ? lt_realloc(buf, bytes) : NULL;
            double *freq = lt_malloc((size_t)(nc ? nc : 1) * 8);
            if (rc == LT_OK && (!nb || !freq)) rc = lt_err(LT_ENOMEM, "out of memory");
            if (nb) buf = nb;
            int64_t nfreq = 0, ninf = 0;
            if (rc == LT_OK) {
                char *q = buf;
                for (int64_t k = 0; k < nc; k++) {
                    if (k) *q++ = '\x1f';
                    q = esc_put(q, cats[k].s ? cats[k].s : "", cats[k].s ? strlen(cats[k].s) : 0);
                    freq[k] = cats[k].count >= o->min_frequency;
                    nfreq += freq[k] > 0;
                    ninf += freq[k] == 0;
                }
                *q = 0;
                rc = setf(m, "col%d.categories", nf, buf);
            }
            char key[32];
            snprintf(key, sizeof key, "col%d.freq", nf);
            if (rc == LT_OK) rc = lt_model_put(m, key, 1, nc, freq);
            outdim += kind == 0 ? nfreq + (ninf > 0) : kind == 1 ? 1 : 0;
            lt_free(freq);
            lt_free(cnt);
            lt__strmap_free(sm);
        }
        nf++;
    }
    if (kind == 2) outdim += o->dim;
    char b[64];
#define META(k, fmt, v) \
    do { \
        snprintf(b, sizeof b, fmt, v); \
        if (rc == LT_OK) rc = lt_model_meta_set(m, k, b); \
    } while (0)
    META("columns", "%d", nf);
    META("dim", "%lld", (long long)outdim);
    META("hash_dim", "%d", kind == 2 ? o->dim : 0);
    META("min_frequency", "%lld", (long long)o->min_frequency);
    META("handle_unknown", "%s",
            o->unknown == LT_UNKNOWN_ERROR            ? "error"
                    : o->unknown == LT_UNKNOWN_IGNORE ? "ignore"
                                                      : "infrequent");
    META("n_samples", "%lld", (long long)n);
    META("escaped", "%d", 1);
#undef META
    if (rc == LT_OK && o->label) rc = lt_model_meta_set(m, "label", o->label);
    if (rc == LT_OK) rc = lt_model_put(m, "num_mean", 1, nnum, mean);
    if (rc == LT_OK) rc = lt_model_put(m, "num_sd", 1, nnum, sd);
    lt_free(mean);
    lt_free(sd);
    lt_free(cats);
    lt_free(buf);
    if (rc) {
        lt_model_free(m);
        return rc;
    }
    *out = m;
    return LT_OK;
}

/* Appends row i's entries (ei, ev: ne of them, any order, duplicates allowed) to the CSR. */
static int csr_push(lt_csr *c, int64_t *cap, int32_t *ei, float *ev, int ne) {
    /* sort by column (insertion: a row has one entry per table column), merge, drop zeros */
    for (int a = 1; a < ne; a++)
        for (int b = a; b > 0 && ei[b - 1] > ei[b]; b--) {
            int32_t ti = ei[b];
            ei[b] = ei[b - 1];
            ei[b - 1] = ti;
            float tv = ev[b];
            ev[b] = ev[b - 1];
            ev[b - 1] = tv;
        }
    if (c->nnz + ne > *cap) {
        int64_t nc = *cap * 2 + ne + 1024;
        int32_t *ni = lt_realloc(c->indices, (size_t)nc * 4);
        if (ni) c->indices = ni;
        float *nd = lt_realloc(c->data, (size_t)nc * 4);
        if (nd) c->data = nd;
        if (!ni || !nd) return lt_err(LT_ENOMEM, "out of memory for the sparse rows");
        *cap = nc;
    }
    for (int a = 0; a < ne;) {
        int32_t j = ei[a];
        float v = 0;
        while (a < ne && ei[a] == j) v += ev[a++];
        if (v != 0) {
            c->indices[c->nnz] = j;
            c->data[c->nnz++] = v;
        }
    }
    return LT_OK;
}

void lt_csr_free(lt_csr *c) {
    if (!c) return;
    lt_free(c->indptr);
    lt_free(c->indices);
    lt_free(c->data);
    lt_free(c);
}

static int cat_encode(
        const lt_model *m, const lt_table *t, const char *name, lt_vecs **out, lt_csr **csr);
int lt_cat_encode(const lt_model *m, const lt_table *t, const char *name, lt_vecs **out) {
    return cat_encode(m, t, name, out, NULL);
}
int lt_cat_encode_csr(const lt_model *m, const lt_table *t, const char *name, lt_csr **out) {
    return cat_encode(m, t, name, NULL, out);
}

/* one of out (dense) or csr (sparse) */
static int cat_encode(
        const lt_model *m, const lt_table *t, const char *name, lt_vecs **out, lt_csr **csr) {
    if (out) *out = NULL;
    if (csr) *csr = NULL;
    const char *kind = lt_model_kind(m), *s;
    int k = !strcmp(kind, "onehot") ? 0 : !strcmp(kind, "ordinal") ? 1 : 2;
    int esc =
            (s = lt_model_meta(m, "escaped")) && !strcmp(s, "1"); /* names and categories escaped */
    int nf = (s = lt_model_meta(m, "columns")) ? atoi(s) : -1;
    int64_t dim = (s = lt_model_meta(m, "dim")) ? atoll(s) : -1,
            hd = (s = lt_model_meta(m, "hash_dim")) ? atoll(s) : 0;
    const char *hu = lt_model_meta(m, "handle_unknown"), *missing = lt_model_meta(m, "missing");
    lt_unknown unk = !hu || !strcmp(hu, "error") ? LT_UNKNOWN_ERROR
            : !strcmp(hu, "ignore")              ? LT_UNKNOWN_IGNORE
                                                 : LT_UNKNOWN_INFREQUENT;
    int64_t nn;
    const double *mean = lt_model_get(m, "num_mean", NULL, &nn),
                 *sd = lt_model_get(m, "num_sd", NULL, NULL);
    if (nf < 0 || nf > 100000 || dim < 0 || dim > (1 << 26) || !mean || !sd || hd < 0 ||
            (k == 2) != (hd > 0))
        return lt_err(LT_EFORMAT, "%s model: metadata missing or inconsistent", kind);
    int64_t n = lt_table_rows(t);
    int *col = lt_malloc((size_t)(nf ? nf : 1) * sizeof(int)),
        *isnum = lt_malloc((size_t)(nf ? nf : 1) * sizeof(int));
    lt__strmap **maps = lt_calloc((size_t)(nf ? nf : 1), sizeof *maps);
    const double **freq = lt_calloc((size_t)(nf ? nf : 1), sizeof *freq);
    int64_t *ncat = lt_calloc((size_t)(nf ? nf : 1), 8),
            *miss_id = lt_malloc((size_t)(nf ? nf : 1) * 8),
            *nfreq = lt_calloc((size_t)(nf ? nf : 1), 8);
    int64_t **rankof = lt_calloc((size_t)(nf ? nf : 1),
            sizeof *rankof); /* category -> its place among the frequent ones, or -1 */
    int rc = col && isnum && maps && freq && ncat && miss_id && nfreq && rankof
            ? LT_OK
            : lt_err(LT_ENOMEM, "out of memory");
    int64_t used = 0, numi = 0;
    for (int f = 0; rc == LT_OK && f < nf; f++) {
        char key[64];
        snprintf(key, sizeof key, "col%d.name", f);
        const char *cn = lt_model_meta(m, key);
        snprintf(key, sizeof key, "col%d.type", f);
        const char *ty = lt_model_meta(m, key);
        if (!cn || !ty) {
            rc = lt_err(LT_EFORMAT, "%s model: column %d undescribed", kind, f);
            break;
        }
        char *raw = lt_malloc(strlen(cn) + 1);
        if (!raw) {
            rc = lt_err(LT_ENOMEM, "out of memory");
            break;
        }
        if (esc) raw[unesc(raw, cn, strlen(cn))] = 0;
        else strcpy(raw, cn);
        col[f] = lt_table_col(t, raw);
        if (col[f] < 0)
            rc = lt_err(LT_EINVAL, "%s: no column '%s' (the model was fitted with it)", name, raw);
        lt_free(raw);
        if (rc) break;
        isnum[f] = !strcmp(ty, "numeric");
        miss_id[f] = -1;
        if (isnum[f]) {
            used++;
            numi++;
            continue;
        }
        snprintf(key, sizeof key, "col%d.categories", f);
        const char *cs = lt_model_meta(m, key);
        snprintf(key, sizeof key, "col%d.freq", f);
        int64_t fr = 0, fc = 0;
        freq[f] = lt_model_get(m, key, &fr, &fc);
        if (!cs || !freq[f] || !(maps[f] = lt__strmap_new())) {
            rc = lt_err(LT_EFORMAT, "%s model: column '%s' without its categories", kind, cn);
            break;
        }
        char *tmp = lt_malloc(strlen(cs) + 1);
        if (!tmp) {
            rc = lt_err(LT_ENOMEM, "out of memory");
            break;
        }
        for (const char *p = cs;;) {
            size_t l = strcspn(p, "\x1f");
            if (l == 0) miss_id[f] = ncat[f];
            size_t rl = esc ? unesc(tmp, p, l) : (memcpy(tmp, p, l), l);
            if (lt__strmap_put(maps[f], tmp, rl, NULL) < 0) {
                rc = lt_err(LT_ENOMEM, "out of memory");
                break;
            }
            ncat[f]++;
            if (!p[l]) break;
            p += l + 1;
        }
        lt_free(tmp);
        if (rc == LT_OK && (fr != 1 || fc != ncat[f]))
            rc = lt_err(LT_EFORMAT, "%s model: column '%s': %lld categories, %lld flags", kind, cn,
                    (long long)ncat[f], (long long)fc);
        if (rc == LT_OK && !(rankof[f] = lt_malloc((size_t)ncat[f] * 8)))
            rc = lt_err(LT_ENOMEM, "out of memory");
        for (int64_t j = 0; rc == LT_OK && j < ncat[f]; j++)
            rankof[f][j] = freq[f][j] > 0 ? nfreq[f]++ : -1;
        if (rc == LT_OK) used += k == 0 ? nfreq[f] + (nfreq[f] < ncat[f]) : k == 1 ? 1 : 0;
    }
    if (rc == LT_OK && (numi != nn || used + hd != dim))
        rc = lt_err(LT_EFORMAT, "%s model: %lld output columns announced, %lld described", kind,
                (long long)dim, (long long)(used + hd));
    lt_vecs *v = rc == LT_OK && out ? lt_vecs_new(n, dim) : NULL;
    lt_csr *C = rc == LT_OK && csr ? lt_calloc(1, sizeof *C) : NULL;
    int64_t cap = 0;
    int32_t *ei = lt_malloc((size_t)(nf + 1) * 4);
    float *ev = lt_malloc((size_t)(nf + 1) * 4);
    if (C) {
        C->n = n;
        C->d = dim;
        C->indptr = lt_calloc((size_t)n + 1, 8);
    }
    if (rc == LT_OK && ((out && !v) || (csr && (!C || !C->indptr)) || !ei || !ev))
        rc = lt_err(LT_ENOMEM, "out of memory");
    for (int64_t i = 0; rc == LT_OK && i < n; i++) {
        int ne = 0;
        int64_t o = 0, ni = 0;
#define EMIT(j, x) \
    do { \
        ei[ne] = (int32_t)(j); \
        ev[ne++] = (float)(x); \
    } while (0)
        for (int f = 0; rc == LT_OK && f < nf; f++) { /* numerics first */
            if (!isnum[f]) continue;
            const char *x = lt_table_cell(t, i, col[f]);
            double val;
            if (!x || !is_number(x, &val)) {
                rc = lt_err(LT_EFORMAT, "%s: row %lld: column '%s': '%s' is not a number", name,
                        (long long)i + 1, lt_table_name(t, col[f]), x ? x : "(missing)");
                break;
            }
            EMIT(o, (val - mean[ni]) / sd[ni]);
            o++;
            ni++;
        }
        for (int f = 0; rc == LT_OK && f < nf; f++) {
            if (isnum[f]) continue;
            const char *x = lt_table_cell(t, i, col[f]);
            int64_t id = x ? lt__strmap_get(maps[f], x, strlen(x)) : miss_id[f];
            int64_t nfq = nfreq[f], infreq_col = nfq < ncat[f] ? nfq : -1;
            if (k == 2) { /* FeatureHasher on "column=value" */
                char tok[4096];
                int l = snprintf(tok, sizeof tok, "%s=%s", lt_table_name(t, col[f]),
                        x ? x : (missing ? missing : "?"));
                if (l < 0 || l >= (int)sizeof tok) {
                    rc = lt_err(LT_EINVAL, "%s: row %lld: value too long to hash", name,
                            (long long)i + 1);
                    break;
                }
                int32_t h = (int32_t)lt_murmur3_32(tok, (size_t)l, 0);
                uint32_t a = h < 0 ? (uint32_t)0 - (uint32_t)h : (uint32_t)h;
                EMIT(used + a % (uint32_t)hd, h >= 0 ? 1.0f : -1.0f);
                continue;
            }
            if (id < 0 && unk == LT_UNKNOWN_ERROR) {
                rc = lt_err(LT_EINVAL,
                        "%s: row %lld: column '%s': unknown category '%s' (--handle-unknown ignore or infrequent)",
                        name, (long long)i + 1, lt_table_name(t, col[f]), x ? x : "(missing)");
                break;
            }
            int to_inf =
                    id >= 0 ? rankof[f][id] < 0 : (unk == LT_UNKNOWN_INFREQUENT && infreq_col >= 0);
            int64_t rank = id >= 0 ? rankof[f][id] : -1;
            if (k == 0) {
                int64_t width = nfq + (infreq_col >= 0);
                if (rank >= 0) EMIT(o + rank, 1);
                else if (to_inf && infreq_col >= 0) EMIT(o + infreq_col, 1);
                o += width;
            } else
                EMIT(o++,
                        rank >= 0                           ? (float)rank
                                : to_inf && infreq_col >= 0 ? (float)infreq_col
                                                            : -1.0f);
        }
#undef EMIT
        if (rc) break;
        if (v) {
            float *z = lt_vecs_row(v, i);
            for (int a = 0; a < ne; a++) z[ei[a]] += ev[a];
        } else {
            rc = csr_push(C, &cap, ei, ev, ne);
            C->indptr[i + 1] = C->nnz;
        }
    }
    lt_free(ei);
    lt_free(ev);
    for (int f = 0; maps && f < nf; f++) lt__strmap_free(maps[f]);
    for (int f = 0; rankof && f < nf; f++) lt_free(rankof[f]);
    lt_free(col);
    lt_free(isnum);
    lt_free(maps);
    lt_free(freq);
    lt_free(ncat);
    lt_free(miss_id);
    lt_free(nfreq);
    lt_free(rankof);
    if (rc) {
        lt_vecs_free(v);
        lt_csr_free(C);
        return rc;
    }
    if (out) *out = v;
    else *csr = C;
    return LT_OK;
}

int lt_csr_save_libsvm(const lt_csr *c, const double *y, const char *path) {
    lt_afile a;
    int rc = lt_afile_open(&a, path);
    if (rc) return rc;
    for (int64_t i = 0; i < c->n; i++) {
        fprintf(a.f, "%.17g", y ? y[i] : 0.0);
        for (int64_t p = c->indptr[i]; p < c->indptr[i + 1]; p++)
            fprintf(a.f, " %d:%.9g", c->indices[p] + 1, c->data[p]);
        fputc('\n', a.f);
    }
    return lt_afile_commit(&a);
}

int lt_cat_categories(const lt_model *m, int col, char ***out, int64_t *n) {
    *out = NULL;
    *n = 0;
    char key[64];
    snprintf(key, sizeof key, "col%d.categories", col);
    const char *cs = col >= 0 ? lt_model_meta(m, key) : NULL, *e = lt_model_meta(m, "escaped");
    if (!cs) return lt_err(LT_EINVAL, "%s model: no categorical column %d", lt_model_kind(m), col);
    int esc = e && !strcmp(e, "1");
    int64_t cnt = 1;
    for (const char *p = cs; *p; p++) cnt += *p == '\x1f';
    char **c = lt_calloc((size_t)cnt, sizeof *c);
    if (!c) return lt_err(LT_ENOMEM, "out of memory");
    int64_t i = 0;
    for (const char *p = cs;; i++) {
        size_t l = strcspn(p, "\x1f");
        if (l) { /* the empty item is the missing value */
            if (!(c[i] = lt_malloc(l + 1))) {
                lt_cat_categories_free(c, cnt);
                return lt_err(LT_ENOMEM, "out of memory");
            }
            if (esc) c[i][unesc(c[i], p, l)] = 0;
            else {
                memcpy(c[i], p, l);
                c[i][l] = 0;
            }
        }
        if (!p[l]) break;
        p += l + 1;
    }
    *out = c;
    *n = cnt;
    return LT_OK;
}

void lt_cat_categories_free(char **c, int64_t n) {
    for (int64_t i = 0; c && i < n; i++) lt_free(c[i]);
    lt_free(c);
}
