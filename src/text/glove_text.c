/* GloVe front end: corpus, vocabulary, token stream, co-occurrence counting, training. */
#include "latent/glove.h"
#include "latent/core.h"
#include <stdio.h>
#include <string.h>

void lt_glove_text_opts_init(lt_glove_text_opts *o) {
    memset(o, 0, sizeof *o);
    lt_glove_opts_init(&o->g);
    lt_corpus_opts_init(&o->corpus);
    lt_vocab_opts_init(&o->vocab);
    o->vocab.ties_by_bytes = 1; /* the vocabulary of GloVe's vocab_count, row for row */
}

int lt_glove_train_file(
        const char *path, const lt_glove_text_opts *o, lt_vecs **out, lt_glove_info *info) {
    *out = NULL;
    lt_glove_info inf = { 0 };
    lt_corpus *c = NULL;
    lt_vocab *voc = NULL;
    lt_tokens tok = { 0 };
    lt_cooc *co = NULL;
    lt_glove *g = NULL;
    double t0 = lt_now();
    int rc = lt_corpus_open(&c, path, &o->corpus);
    if (rc) return rc;
    if (!(voc = lt_vocab_new())) {
        rc = LT_ENOMEM;
        goto done;
    }
    if ((rc = lt_vocab_build(voc, c, &o->vocab))) goto done;
    if (lt_corpus_n_invalid(c) > 16 &&
            (uint64_t)lt_corpus_n_invalid(c) * 100 > lt_corpus_offset(c)) {
        rc = lt_err(LT_EFORMAT,
                "%s: %lld of %llu bytes are not valid UTF-8 (a binary file?); refusing to train on it",
                path, (long long)lt_corpus_n_invalid(c), (unsigned long long)lt_corpus_offset(c));
        goto done;
    }
    if (o->vocab_out && (rc = lt_vocab_save(voc, o->vocab_out))) goto done;
    if (lt_vocab_size(voc) < 2) {
        rc = lt_err(LT_EINVAL,
                "%s: only %lld distinct words with count >= %lld; training needs at least 2", path,
                (long long)lt_vocab_size(voc), (long long)o->vocab.min_count);
        goto done;
    }
    if ((rc = lt_corpus_rewind(c))) goto done;
    if ((rc = lt_tokens_encode(&tok, c, voc, INT64_MAX)))
        goto done; /* only line ends cut windows, as GloVe's cooccur */
    if (tok.n_words == 0) {
        rc = lt_err(LT_EINVAL, "%s: no words to train on", path);
        goto done;
    }
    if ((rc = lt_cooc_count(&tok, lt_vocab_size(voc), &o->g, &co))) goto done;
    inf.count_seconds = lt_now() - t0;
    if (o->cooc_out) {
        lt_afile af;
        if ((rc = lt_afile_open(&af, o->cooc_out))) goto done;
        for (int64_t i = 0; i < co->n; i++) {
            struct {
                int32_t a, b;
                double x;
            } crec = { co->r[i].a + 1, co->r[i].b + 1, co->r[i].x };
            fwrite(&crec, sizeof crec, 1, af.f);
        }
        if ((rc = lt_afile_commit(&af))) goto done;
    }
    inf.records = co->n;
    inf.runs = co->runs;
    double t1 = lt_now();
    if ((rc = lt_glove_train(co, &o->g, &g))) goto done;
    inf.train_seconds = lt_now() - t1;
    inf.final_loss = lt_glove_epoch_loss(g, o->g.epochs - 1);
    lt_vecs *v = lt_vecs_new(lt_vocab_size(voc), o->g.dim);
    if (!v) {
        rc = LT_ENOMEM;
        goto done;
    }
    lt_glove_vectors(g, v->data, v->ld);
    for (int64_t i = 0; i < v->n; i++)
        if ((rc = lt_vecs_set_label(v, i, lt_vocab_word(voc, i)))) {
            lt_vecs_free(v);
            goto done;
        }
    char buf[64];
#define META(k, fmt, val) \
    do { \
        snprintf(buf, sizeof buf, fmt, val); \
        lt_vecs_meta_set(v, k, buf); \
    } while (0)
    lt_vecs_meta_set(v, "method", "glove");
    lt_vecs_meta_set(v, "latent_version", LT_VERSION);
    lt_vecs_meta_set(v, "output",
            o->g.output == 1           ? "word"
                    : o->g.output == 2 ? "context"
                                       : "word+context");
    META("dim", "%d", o->g.dim);
    META("window", "%d", o->g.window);
    META("symmetric", "%d", o->g.symmetric);
    META("distance_weighting", "%d", o->g.distance_weighting);
    META("x_max", "%g", o->g.x_max);
    META("weight_power", "%g", o->g.weight_power);
    META("alpha", "%g", o->g.alpha);
    META("bias_alpha", "%g", o->g.bias_alpha);
    META("grad_clip", "%g", o->g.grad_clip);
    META("epochs", "%d", o->g.epochs);
    META("min_count", "%lld", (long long)o->vocab.min_count);
    META("threads", "%d", o->g.n_threads);
    META("seed", "%llu", (unsigned long long)o->g.seed);
    META("cooccurrences", "%lld", (long long)co->n);
    META("final_loss", "%.6g", inf.final_loss);
    META("lowercase", "%d", o->corpus.lower);
    META("corpus_tokens", "%lld", (long long)tok.n_words);
    lt_vecs_meta_set(v, "corpus", path);
#undef META
    inf.vocab = lt_vocab_size(voc);
    inf.tokens = tok.n_words;
    *out = v;
done:
    if (info) *info = inf;
    lt_glove_free(g);
    lt_cooc_free(co);
    lt_tokens_destroy(&tok);
    lt_vocab_free(voc);
    lt_corpus_close(c);
    return rc;
}
