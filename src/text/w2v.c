/* word2vec front end: ties corpus, vocabulary, encoding and the sgns trainer together. */
#include "latent/word2vec.h"
#include "latent/core.h"
#include <stdio.h>
#include <string.h>

static _Thread_local lt_w2v_info g_info;
lt_w2v_info lt_w2v_last_info(void) { return g_info; }

void lt_w2v_opts_init(lt_w2v_opts *o) {
    memset(o, 0, sizeof *o);
    lt_sgns_opts_init(&o->sg);
    lt_corpus_opts_init(&o->corpus);
    lt_vocab_opts_init(&o->vocab);
}

void lt_fasttext_opts_init(lt_w2v_opts *o) {
    lt_w2v_opts_init(o);
    o->minn = 3;
    o->maxn = 6;
    o->bucket = 2000000;
    o->max_sentence = 1024;
    o->sg.alpha = 0.05f;
    o->sg.sample = 1e-4f;
    o->sg.ns_exponent = 0.5f;
    o->sg.init_range = 1;
}

/* vocabulary blob for checkpoints: "word\tcount\n" lines */
static char *vocab_blob(const lt_vocab *v, size_t *len) {
    size_t n = 0;
    for (int64_t i = 0; i < lt_vocab_size(v); i++) n += strlen(lt_vocab_word(v, i)) + 24;
    char *b = lt_malloc(n + 1), *p = b;
    if (!b) return NULL;
    for (int64_t i = 0; i < lt_vocab_size(v); i++)
        p += sprintf(p, "%s\t%lld\n", lt_vocab_word(v, i), (long long)lt_vocab_count(v, i));
    *len = (size_t)(p - b);
    return b;
}
static int vocab_from_blob(lt_vocab **out, const char *b, size_t len) {
    lt_vocab *v = lt_vocab_new();
    if (!v) return LT_ENOMEM;
    size_t p = 0;
    while (p < len) {
        const char *nl = memchr(b + p, '\n', len - p),
                   *tab = nl ? memchr(b + p, '\t', (size_t)(nl - b - (ptrdiff_t)p)) : NULL;
        if (!nl || !tab) {
            lt_vocab_free(v);
            return lt_err(LT_EFORMAT, "checkpoint: corrupt vocabulary");
        }
        long long c = 0;
        sscanf(tab + 1, "%lld", &c);
        int rc = lt_vocab_add(v, b + p, (size_t)(tab - b - (ptrdiff_t)p), c);
        if (rc) {
            lt_vocab_free(v);
            return rc;
        }
        p = (size_t)(nl - b) + 1;
    }
    lt_vocab_opts o;
    lt_vocab_opts_init(&o);
    o.min_count = 0;
    int rc = lt_vocab_finalize(v, &o);
    if (rc) {
        lt_vocab_free(v);
        return rc;
    }
    *out = v;
    return LT_OK;
}

/* each word's input rows: its own, then its n-grams' buckets after the V word rows */
static int set_subwords(lt_sgns *m, const lt_vocab *voc, const lt_w2v_opts *o) {
    int64_t V = lt_vocab_size(voc), cap = 0, n = 0;
    if (o->bucket < 1 || o->bucket > INT32_MAX - V || o->minn < 1 || o->maxn < o->minn ||
            o->maxn > 100)
        return lt_err(LT_EINVAL, "subwords: need 1 <= minn <= maxn <= 100 and bucket >= 1");
    int64_t *ptr = lt_malloc((size_t)(V + 1) * 8);
    int32_t *rows = NULL;
    int rc = ptr ? LT_OK : lt_err(LT_ENOMEM, "out of memory");
    for (int64_t w = 0; rc == LT_OK && w < V; w++) {
        const char *word = lt_vocab_word(voc, w);
        int64_t k = lt_fasttext_ngrams(word, o->minn, o->maxn, o->bucket, NULL, 0);
        if (k < 0) {
            rc = lt_err(LT_ENOMEM, "out of memory");
            break;
        }
        if (n + 1 + k > cap) {
            int64_t nc = (n + 1 + k) * 2;
            int32_t *p = lt_realloc(rows, (size_t)nc * 4);
            if (!p) {
                rc = lt_err(LT_ENOMEM, "out of memory");
                break;
            }
            rows = p;
            cap = nc;
        }
        ptr[w] = n;
        rows[n++] = (int32_t)w;
        lt_fasttext_ngrams(word, o->minn, o->maxn, o->bucket, rows + n, k);
        for (int64_t q = 0; q < k; q++) rows[n + q] += (int32_t)V;
        n += k;
    }
    if (rc == LT_OK) {
        ptr[V] = n;
        rc = lt_sgns_set_subwords(m, o->bucket, ptr, rows);
    }
    lt_free(ptr);
    lt_free(rows);
    return rc;
}

int lt_w2v_train(const char *path, const lt_w2v_opts *o, lt_vecs **out) {
    *out = NULL;
    memset(&g_info, 0, sizeof g_info);
    double t0 = lt_now();
    lt_corpus *c = NULL;
    lt_vocab *voc = NULL;
    lt_sgns *m = NULL;
    lt_tokens tok = { 0 };
    char *blob = NULL;
    size_t blob_len = 0;
    int rc;
    if ((rc = lt_corpus_open(&c, path, &o->corpus))) return rc;
    if (o->resume) {
        if (!o->checkpoint) {
            rc = lt_err(LT_EINVAL, "--resume needs --checkpoint FILE");
            goto done;
        }
        void *b;
        if ((rc = lt_sgns_load_checkpoint(&m, o->checkpoint, &b, &blob_len))) goto done;
        blob = b;
        if ((rc = vocab_from_blob(&voc, blob, blob_len))) goto done;
    } else if (o->vocab_in) {
        if ((rc = lt_vocab_load(&voc, o->vocab_in))) goto done;
    } else {
        voc = lt_vocab_new();
        if (!voc) {
            rc = LT_ENOMEM;
            goto done;
        }
        if ((rc = lt_vocab_build(voc, c, &o->vocab))) goto done;
        if (lt_corpus_n_invalid(c) > 16 &&
                (uint64_t)lt_corpus_n_invalid(c) * 100 > lt_corpus_offset(c)) {
            rc = lt_err(LT_EFORMAT,
                    "%s: %lld of %llu bytes are not valid UTF-8 (a binary file?); refusing to train on it",
                    path, (long long)lt_corpus_n_invalid(c),
                    (unsigned long long)lt_corpus_offset(c));
            goto done;
        }
        g_info.truncated = lt_corpus_n_truncated(c);
        g_info.invalid_utf8 = lt_corpus_n_invalid(c);
        if ((rc = lt_corpus_rewind(c))) goto done;
    }
    g_info.pruned = lt_vocab_get_stats(voc).pruned_while_counting;
    if (o->vocab_out && (rc = lt_vocab_save(voc, o->vocab_out))) goto done;
    if (lt_vocab_size(voc) < 2) {
        rc = lt_err(LT_EINVAL,
                "%s: only %lld distinct words with count >= %lld; training needs at least 2", path,
                (long long)lt_vocab_size(voc), (long long)o->vocab.min_count);
        goto done;
    }
    if ((rc = lt_tokens_encode(&tok, c, voc, o->max_sentence > 0 ? o->max_sentence : 1000)))
        goto done;
    if (tok.n_words == 0) {
        rc = lt_err(LT_EINVAL, "%s: no words to train on", path);
        goto done;
    }
    if (o->maxn > 0 && (o->resume || o->checkpoint)) {
        rc = lt_err(LT_EINVAL, "subword training has no checkpoints");
        goto done;
    }
    /* subwords read as fastText reads (lt_sgns_opts.epoch_words) */
    int64_t epoch_words = o->maxn > 0 ? tok.n_words : 0;
    if (o->maxn > 0 && !o->exact_epochs) {
        /* fastText's epoch: every token read plus one end-of-line token per line (the stream's
         * separators), over the in-vocabulary ones (which count their end-of-lines too) */
        double seen = (double)lt_vocab_get_stats(voc).tokens_seen,
               ends = (double)(tok.n - tok.n_words);
        if (seen > (double)tok.n_words)
            epoch_words =
                    (int64_t)((double)tok.n_words * (seen + ends) / ((double)tok.n_words + ends));
    }
    if (!m) {
        if ((rc = lt_sgns_new(&m, &o->sg, lt_vocab_size(voc), lt_vocab_counts(voc)))) goto done;
        if (o->maxn > 0 && (rc = set_subwords(m, voc, o))) goto done;
        blob = vocab_blob(voc, &blob_len);
        if (!blob) {
            rc = lt_err(LT_ENOMEM, "out of memory");
            goto done;
        }
    }
    lt_sgns_set_output(m, o->checkpoint);
    lt_sgns_set_blob(m, blob, blob_len);
    if (o->resume) {
        /* the resumed run may be told to stop again (tests) */
        lt_sgns_opts *mo = (lt_sgns_opts *)lt_sgns_get_opts(m);
        mo->stop_after_segments = o->sg.stop_after_segments;
    }
    {
        lt_sgns_opts *mo = (lt_sgns_opts *)lt_sgns_get_opts(m);
        mo->progress = o->sg.progress;
        mo->progress_ud = o->sg.progress_ud;
        if (epoch_words) mo->epoch_words = epoch_words;
    }
    if ((rc = lt_sgns_train(m, &tok))) goto done;
    const lt_sgns_opts *so = lt_sgns_get_opts(m);
    int64_t ld;
    const float *W = lt_sgns_vectors(m, &ld);
    lt_vecs *v = lt_vecs_new(lt_vocab_size(voc), so->dim);
    if (!v) {
        rc = LT_ENOMEM;
        goto done;
    }
    for (int64_t i = 0; i < v->n; i++) {
        if (o->maxn > 0) lt_sgns_word_vector(m, i, lt_vecs_row(v, i));
        else memcpy(lt_vecs_row(v, i), W + i * ld, (size_t)so->dim * 4);
        if ((rc = lt_vecs_set_label(v, i, lt_vocab_word(voc, i)))) {
            lt_vecs_free(v);
            goto done;
        }
    }
    char buf[64];
#define META(k, fmt, val) \
    do { \
        snprintf(buf, sizeof buf, fmt, val); \
        lt_vecs_meta_set(v, k, buf); \
    } while (0)
    lt_vecs_meta_set(v, "method",
            o->maxn > 0        ? (so->cbow ? "fasttext-cbow" : "fasttext-skipgram")
                    : so->cbow ? "word2vec-cbow"
                               : "word2vec-skipgram");
    if (o->maxn > 0) {
        META("minn", "%d", o->minn);
        META("maxn", "%d", o->maxn);
        META("bucket", "%lld", (long long)o->bucket);
    }
    if (o->model_out) {
        lt_fasttext_args fa = { so->dim, so->window, so->epochs, (int)o->vocab.min_count,
            so->negative, o->minn, o->maxn, o->bucket, tok.n_words, so->sample, so->cbow };
        const char **words = lt_malloc((size_t)v->n * sizeof *words);
        int64_t rows, ild, old;
        const float *in = lt_sgns_input_rows(m, &rows, &ild), *outr = lt_sgns_output_rows(m, &old);
        for (int64_t i = 0; words && i < v->n; i++) words[i] = lt_vocab_word(voc, i);
        rc = !words     ? lt_err(LT_ENOMEM, "out of memory")
                : !outr ? lt_err(LT_EINVAL, "a fastText model needs negative sampling")
                        : lt_fasttext_save(o->model_out, &fa, v->n, words, lt_vocab_counts(voc), in,
                                  outr, ild);
        lt_free(words);
        if (rc) {
            lt_vecs_free(v);
            goto done;
        }
    }
    lt_vecs_meta_set(v, "latent_version", LT_VERSION);
    META("dim", "%d", so->dim);
    META("window", "%d", so->window);
    META("negative", "%d", so->negative);
    META("hs", "%d", so->hs);
    META("sample", "%g", (double)so->sample);
    META("alpha", "%g", (double)so->alpha);
    META("epochs", "%d", so->epochs);
    META("min_count", "%lld", (long long)o->vocab.min_count);
    META("threads", "%d", so->n_threads);
    META("seed", "%llu", (unsigned long long)so->seed);
    META("batched", "%d", so->batched);
    META("ns_exponent", "%g", (double)so->ns_exponent);
    if (so->cbow) META("cbow_mean_grad", "%d", so->cbow_mean_grad);
    META("lowercase", "%d", o->corpus.lower);
    META("corpus_tokens", "%lld", (long long)tok.n_words);
    META("corpus_hash", "%016llx",
            (unsigned long long)lt_hash64(tok.ids, (size_t)tok.n * 4, LT_HASH_INIT));
    lt_vecs_meta_set(v, "corpus", path);
#undef META
    g_info.vocab = lt_vocab_size(voc);
    g_info.tokens = tok.n_words;
    g_info.words_per_sec = lt_sgns_words_per_sec(m);
    *out = v;
done:
    g_info.seconds = lt_now() - t0;
    lt_tokens_destroy(&tok);
    lt_sgns_free(m);
    lt_vocab_free(voc);
    lt_corpus_close(c);
    lt_free(blob);
    return rc;
}
