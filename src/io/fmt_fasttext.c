/* fastText binary models (.bin, format version <= 12), read only. Layout (little-endian):
 * int32 magic 793712314, int32 version; args: int32 dim, ws, epoch, minCount, neg,
 * wordNgrams, loss, model, bucket, minn, maxn, lrUpdateRate, f64 t; dictionary: int32 size,
 * nwords, nlabels, int64 ntokens, int64 pruneidx_size, then size entries (NUL-terminated
 * word, int64 count, int8 type: 0 word, 1 label), then pruneidx_size (int32, int32) pairs;
 * u8 quantised-input flag; input matrix (int64 rows, int64 cols, rows x cols f32; rows =
 * nwords + bucket); u8 quantised-output flag; output matrix (left unread).
 * A word's vector, as fastText's getWordVector: the mean of the input rows of its subwords:
 * its own id (in-vocabulary words only) and its character n-grams of "<word>" (n in minn..maxn
 * UTF-8 characters, never "<" or ">" alone), each FNV-1a-hashed (bytes as signed chars) mod
 * bucket, offset by nwords (through the prune index when there is one). */
#include "latent/core.h"
#include "store_impl.h"
#include <stdlib.h>
#include <string.h>

struct lt_subword {
    int dim, minn, maxn;
    int64_t nwords, bucket, prune_n;
    float *ngrams; /* bucket x dim */
    int32_t *prune; /* prune_n (from, to) pairs sorted by from */
};

void lt__subword_free(lt_subword *s) {
    if (!s) return;
    lt_free(s->ngrams);
    lt_free(s->prune);
    lt_free(s);
}

static int cmp_pair(const void *a, const void *b) {
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* adds the rows of "<word>"'s n-grams to acc (dim floats); returns how many */
static int64_t add_ngrams(const lt_subword *s, const char *word, float *acc) {
    if (s->maxn <= 0 || s->prune_n == 0) return 0;
    int32_t fix[512], *ids = fix;
    int64_t n = lt_fasttext_ngrams(word, s->minn, s->maxn, s->bucket, fix, 512);
    if (n > 512) {
        if (!(ids = lt_malloc((size_t)n * 4))) return 0;
        lt_fasttext_ngrams(word, s->minn, s->maxn, s->bucket, ids, n);
    }
    int64_t cnt = 0;
    for (int64_t q = 0; q < n; q++) {
        int64_t id = ids[q];
        if (s->prune_n > 0) {
            int32_t key = (int32_t)id;
            const int32_t *hit = bsearch(&key, s->prune, (size_t)s->prune_n, 8, cmp_pair);
            if (!hit) continue;
            id = hit[1];
            if (id < 0 || id >= s->bucket) continue;
        }
        const float *r = s->ngrams + id * s->dim;
        for (int k = 0; k < s->dim; k++) acc[k] += r[k];
        cnt++;
    }
    if (ids != fix) lt_free(ids);
    return cnt;
}

int lt_vecs_subword(const lt_vecs *v, const char *word, float *out) {
    const lt_subword *s = v->in ? v->in->subword : NULL;
    if (!s) return -1;
    if (!out) return 0; /* a probe */
    /* f32 sums in fastText's order (the word's own row first, then its n-grams), times
     * (float)(1 / n): the same bits as fastText's getWordVector */
    int64_t id = lt_vecs_find(v, word), n = 0;
    memset(out, 0, (size_t)s->dim * 4);
    if (id >= 0 && id < s->nwords) {
        const float *r = v->in->subword_words + id * s->dim;
        for (int k = 0; k < s->dim; k++) out[k] += r[k];
        n++;
    }
    if (strcmp(word, "</s>")) n += add_ngrams(s, word, out);
    float inv = n ? (float)(1.0 / (double)n) : 0.0f;
    for (int k = 0; k < s->dim; k++) out[k] *= inv;
    return (int)(n > 0x7fffffff ? 0x7fffffff : n);
}

typedef struct {
    const unsigned char *p;
    size_t len, at;
    const char *name;
} rd;
static int need(rd *r, size_t n, const char *what) {
    if (r->len - r->at < n)
        return lt_err(
                LT_EFORMAT, "%s: offset %zu: truncated fastText model (%s)", r->name, r->at, what);
    return LT_OK;
}
static int32_t i32(rd *r) {
    int32_t x;
    memcpy(&x, r->p + r->at, 4);
    r->at += 4;
    return x;
}
static int64_t i64(rd *r) {
    int64_t x;
    memcpy(&x, r->p + r->at, 8);
    r->at += 8;
    return x;
}

/* A model written before fastText's magic number and version (the 2016 wiki.*.bin models): the
 * same 12 int32 arguments and the double t from offset 0, then the dictionary without the
 * prune index's size and the matrices without the quantisation flag (as gensim's
 * load_facebook_model reads them). Told from other files by every argument in range. */
int lt__fasttext_legacy(const void *buf, size_t len) {
    if (len < 12 * 4 + 8 + 4 * 3 + 8) return 0;
    int32_t a[12];
    double t;
    memcpy(a, buf, sizeof a);
    memcpy(&t, (const char *)buf + sizeof a, 8);
    return a[0] >= 1 && a[0] <= 100000 && a[1] >= 1 && a[1] <= 1000 && a[2] >= 1 &&
            a[2] <= 100000 && a[3] >= 0 && a[4] >= 0 && a[4] <= 1000 && a[5] >= 1 && a[5] <= 100 &&
            a[6] >= 1 && a[6] <= 4 && a[7] >= 1 && a[7] <= 3 && a[8] >= 0 && a[9] >= 0 &&
            a[9] <= 100 && a[10] >= 0 && a[10] <= 100 && a[11] >= 1 && t > 0 && t <= 1;
}

int lt__parse_fasttext(const char *buf, size_t len, const char *name, lt_vecs **out) {
    *out = NULL;
    rd r = { (const unsigned char *)buf, len, 0, name };
    int rc = need(&r, 8 + 12 * 4 + 8, "header");
    if (rc) return rc;
    int32_t magic = i32(&r), version = i32(&r);
    int legacy = magic != 793712314 && lt__fasttext_legacy(buf, len);
    if (legacy) {
        r.at = 0;
        version = 0;
    } else if (magic != 793712314)
        return lt_err(LT_EFORMAT, "%s: offset 0: not a fastText model (bad magic)", name);
    else if (version < 11 || version > 12)
        return lt_err(LT_EFORMAT,
                "%s: offset 4: fastText format version %d (latent reads 11 and 12, and the legacy format before them)",
                name, version);
    int32_t a[12];
    for (int i = 0; i < 12; i++) a[i] = i32(&r);
    r.at += 8; /* t */
    int32_t dim = a[0], model = a[7], bucket = a[8], minn = a[9], maxn = a[10];
    if (version <= 11 && model == 3) maxn = 0; /* old supervised models had no n-grams */
    if (dim < 1 || dim > 100000) return lt_err(LT_EFORMAT, "%s: offset 8: dimension %d", name, dim);
    if (bucket < 0 || minn < 0 || maxn < 0 || maxn > 1000 || (maxn > 0 && (minn < 1 || bucket < 1)))
        return lt_err(LT_EFORMAT,
                "%s: offset 40: bad n-gram settings (bucket %d, minn %d, maxn %d)", name, bucket,
                minn, maxn);
    if ((rc = need(&r, 4 * 3 + 16, "dictionary header"))) return rc;
    size_t dict_at = r.at;
    int32_t size = i32(&r), nwords = i32(&r), nlabels = i32(&r);
    (void)i64(&r);
    int64_t prune_n = legacy ? -1 : i64(&r);
    if (size < 0 || nwords < 0 || nlabels < 0 || (int64_t)nwords + nlabels != size ||
            prune_n < -1 || prune_n > (int64_t)1 << 31)
        return lt_err(LT_EFORMAT,
                "%s: offset %zu: inconsistent dictionary sizes (%d entries, %d words, %d labels, prune index %lld)",
                name, dict_at, size, nwords, nlabels, (long long)prune_n);
    if ((size_t)size > len / 10)
        return lt_err(LT_EFORMAT, "%s: offset %zu: %d dictionary entries cannot fit in %zu bytes",
                name, dict_at, size, len);
    lt_vecs *v = lt_vecs_new(nwords, dim);
    lt_subword *sw = lt_calloc(1, sizeof *sw);
    if (!v || !sw) {
        lt_vecs_free(v);
        lt_free(sw);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    for (int32_t i = 0; i < size && rc == LT_OK; i++) {
        const unsigned char *z = memchr(r.p + r.at, 0, r.len - r.at);
        if (!z) {
            rc = lt_err(LT_EFORMAT,
                    "%s: offset %zu: truncated fastText model (dictionary entry %d)", name, r.at,
                    i);
            break;
        }
        const char *w = (const char *)r.p + r.at;
        r.at = (size_t)(z - r.p) + 1;
        if ((rc = need(&r, 9, "dictionary entry"))) break;
        r.at += 8;
        int8_t type = (int8_t)r.p[r.at++];
        if ((type == 0) != (i < nwords)) {
            rc = lt_err(LT_EFORMAT, "%s: offset %zu: entry %d of type %d among the %s", name,
                    r.at - 1, i, type, i < nwords ? "words" : "labels");
            break;
        }
        if (i < nwords && lt__load_recoder) { /* lt_vecs_load_encoded: the word in UTF-8 */
            char *u = lt__to_utf8(lt__load_recoder, w, strlen(w), name, i);
            lt__load_recoder->done = 1;
            rc = u ? lt_vecs_set_label(v, i, u) : LT_EFORMAT;
            lt_free(u);
        } else if (i < nwords) rc = lt_vecs_set_label(v, i, w);
    }
    if (rc == LT_OK && prune_n > 0) {
        if ((rc = need(&r, (size_t)prune_n * 8, "prune index")) == LT_OK) {
            sw->prune = lt_malloc((size_t)prune_n * 8);
            if (!sw->prune) rc = lt_err(LT_ENOMEM, "out of memory");
            else {
                memcpy(sw->prune, r.p + r.at, (size_t)prune_n * 8);
                r.at += (size_t)prune_n * 8;
                qsort(sw->prune, (size_t)prune_n, 8, cmp_pair);
            }
        }
    }
    if (rc == LT_OK && (rc = need(&r, !legacy + 16, "input matrix header")) == LT_OK && !legacy &&
            r.p[r.at])
        rc = lt_err(LT_EFORMAT,
                "%s: offset %zu: a quantised fastText model (.ftz); latent reads unquantised .bin models only",
                name, r.at);
    int64_t m = 0, n = 0;
    size_t mat_at = r.at + !legacy;
    if (rc == LT_OK) {
        r.at += !legacy; /* the quantisation flag (not in the legacy format) */
        m = i64(&r);
        n = i64(&r);
        if (n != dim || m != (int64_t)nwords + bucket)
            rc = lt_err(LT_EFORMAT, "%s: offset %zu: input matrix %lld x %lld, expected %lld x %d",
                    name, mat_at, (long long)m, (long long)n, (long long)nwords + bucket, dim);
        else if ((uint64_t)m > (r.len - r.at) / 4 / (uint64_t)dim)
            rc = lt_err(LT_EFORMAT,
                    "%s: offset %zu: truncated fastText model (input matrix of %lld rows)", name,
                    r.at, (long long)m);
    }
    if (rc == LT_OK) {
        sw->dim = dim;
        sw->minn = minn;
        sw->maxn = maxn;
        sw->nwords = nwords;
        sw->bucket = bucket;
        sw->prune_n = prune_n;
        sw->ngrams = lt_malloc((size_t)(bucket ? bucket : 1) * (size_t)dim * 4);
        float *words = lt_malloc((size_t)(nwords ? nwords : 1) * (size_t)dim * 4);
        if (!sw->ngrams || !words) {
            lt_free(words);
            rc = lt_err(LT_ENOMEM, "out of memory for a %lld x %d fastText input matrix",
                    (long long)m, dim);
        } else {
            memcpy(words, r.p + r.at, (size_t)nwords * (size_t)dim * 4);
            memcpy(sw->ngrams, r.p + r.at + (size_t)nwords * (size_t)dim * 4,
                    (size_t)bucket * (size_t)dim * 4);
            /* every row of the input matrix, words' and n-grams' alike, must be finite */
            for (int64_t i = 0; i < (int64_t)nwords && rc == LT_OK; i++)
                rc = lt_check_finite(
                        words + i * dim, dim, name, r.at + (size_t)i * (size_t)dim * 4, i);
            for (int64_t i = 0; i < (int64_t)bucket && rc == LT_OK; i++)
                rc = lt_check_finite(sw->ngrams + i * dim, dim, name,
                        r.at + ((size_t)nwords + (size_t)i) * (size_t)dim * 4, nwords + i);
            v->in->subword_words = words;
            v->in->subword = sw;
            sw = NULL;
        }
    }
    if (rc == LT_OK) {
        /* each word's vector: the mean of its own row and its n-grams' rows */
        for (int64_t i = 0; i < nwords; i++) lt_vecs_subword(v, v->labels[i], lt_vecs_row(v, i));
    }
    lt__subword_free(sw);
    if (rc) {
        lt_vecs_free(v);
        return rc;
    }
    char b[32];
    lt_vecs_meta_set(v, "method",
            model == 3           ? "fasttext-supervised"
                    : model == 1 ? "fasttext-cbow"
                                 : "fasttext-skipgram");
    snprintf(b, sizeof b, "%d", version);
    lt_vecs_meta_set(v, "fasttext_version", legacy ? "legacy (before 11)" : b);
    snprintf(b, sizeof b, "%d", minn);
    lt_vecs_meta_set(v, "minn", b);
    snprintf(b, sizeof b, "%d", maxn);
    lt_vecs_meta_set(v, "maxn", b);
    snprintf(b, sizeof b, "%d", bucket);
    lt_vecs_meta_set(v, "bucket", b);
    *out = v;
    return LT_OK;
}

int lt_fasttext_save(const char *path, const lt_fasttext_args *a, int64_t nwords,
        const char *const *words, const int64_t *counts, const float *in, const float *out,
        int64_t ld) {
    if (nwords < 1 || nwords > INT32_MAX || a->dim < 1 || a->bucket < 0)
        return lt_err(LT_EINVAL, "fastText model: bad sizes");
    lt_afile f;
    int rc = lt_afile_open(&f, path);
    if (rc) return rc;
    int32_t hd[14] = { 793712314, 12, a->dim, a->ws, a->epoch, a->min_count, a->neg, 1, 2,
        a->cbow ? 1 : 2, (int32_t)a->bucket, a->minn, a->maxn, 100 };
    fwrite(hd, 4, 14, f.f);
    fwrite(&a->t, 8, 1, f.f);
    int32_t ds[3] = { (int32_t)nwords, (int32_t)nwords, 0 };
    int64_t nt = a->ntokens, prune = -1;
    fwrite(ds, 4, 3, f.f);
    fwrite(&nt, 8, 1, f.f);
    fwrite(&prune, 8, 1, f.f);
    for (int64_t i = 0; i < nwords; i++) {
        int8_t type = 0;
        fwrite(words[i], 1, strlen(words[i]) + 1, f.f);
        fwrite(&counts[i], 8, 1, f.f);
        fwrite(&type, 1, 1, f.f);
    }
    uint8_t q = 0;
    int64_t m = nwords + a->bucket, n = a->dim;
    fwrite(&q, 1, 1, f.f);
    fwrite(&m, 8, 1, f.f);
    fwrite(&n, 8, 1, f.f);
    for (int64_t i = 0; i < m; i++) fwrite(in + i * ld, 4, (size_t)a->dim, f.f);
    m = nwords;
    fwrite(&q, 1, 1, f.f);
    fwrite(&m, 8, 1, f.f);
    fwrite(&n, 8, 1, f.f);
    for (int64_t i = 0; i < m; i++) fwrite(out + i * ld, 4, (size_t)a->dim, f.f);
    return lt_afile_commit(&f);
}

const lt__format lt__fmt_fasttext = { .id = LT_FMT_FASTTEXT, .parse = lt__parse_fasttext };
