/* latent GloVe: global co-occurrence counting and weighted least-squares training
 * (Pennington, Socher and Manning 2014), as stanfordnlp/GloVe's vocab_count, cooccur,
 * shuffle and glove programs do it, in one process.
 *
 * Counting (lt_cooc_count): over an lt_tokens stream (ids by descending frequency, -1 ends a
 * line; a window never crosses one), each word and each of the `window` words before it add
 * 1/distance (or 1 with distance_weighting = 0) to X[a][b] and, when symmetric, to X[b][a].
 * Threads own the rows a with a % threads == t: each scans the whole stream and keeps its
 * rows in a dense table for the frequent pairs ((a + 1)(b + 1) <= a bound sized to half of
 * its share of `memory`, f64) and sorted, merged runs of (a, b, x) records for the rest.
 * The result is every non-zero X[a][b] once, as f32, rows in thread order.
 *
 * Training (lt_glove_train): J = sum f(X_ab) (w_a . c_b + bw_a + bc_b - log X_ab)^2 / 2 with
 * f(x) = min(1, (x / x_max)^weight_power); AdaGrad on each record in a seeded shuffled
 * order (shuffled once, as GloVe's shuffle), each vector component with step alpha g / sqrt(G),
 * G += (alpha g)^2, each bias the same with bias_alpha (1, as stanfordnlp/GloVe's current code
 * does: its learning rate multiplies the vectors' gradients only), G starting at 1, gradient
 * components clipped to +-grad_clip; parameters
 * start uniform in +-0.5/dim. Threads take contiguous slices of the records (Hogwild); one
 * thread reproduces bit for bit. Outputs: word + context vectors (GloVe's default), or
 * either one. */
#ifndef LATENT_GLOVE_H
#define LATENT_GLOVE_H
#include "latent/model.h"
#include "latent/sgns.h" /* lt_tokens */
#include "latent/store.h"
#include "latent/text.h"
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lt_cooc_rec {
    int32_t a, b;
    float x;
} lt_cooc_rec;
typedef struct lt_cooc {
    int64_t n, vocab, runs;
    lt_cooc_rec *r;
} lt_cooc; /* runs: sorted runs spilled to disk */

typedef struct lt_glove_opts {
    int dim; /* [100] */
    int window; /* words on each side [10] */
    int symmetric; /* count both directions [1] */
    int distance_weighting; /* 1 / distance [1] */
    double x_max; /* weighting cutoff [100] */
    double weight_power; /* GloVe's alpha [0.75] */
    double alpha; /* learning rate [0.05] */
    double bias_alpha; /* the biases' learning rate [1: GloVe's code applies alpha to the vectors only] */
    double grad_clip; /* [100] */
    int epochs; /* [15] */
    int output; /* 0 word + context, 1 word, 2 context [0] */
    int n_threads; /* [1] */
    uint64_t seed; /* [1] */
    double memory; /* bytes for counting, all threads [4 GiB] */
    /* progress: stage 0 counting (done = tokens), 1 training (done = records, loss = the
     * epoch's mean weighted squared error so far, -1 if none) */
    void (*progress)(void *ud, int stage, int epoch, double done, double total, double loss);
    void *progress_ud;
    const lt_ctx *ctx; /* optional: its cancel flag stops counting or training with LT_EINTR
                          within about a million records after *cancel != 0 */
    /* checkpoint: written (atomically, a model container of kind glove-checkpoint: the word and
     * context rows, their AdaGrad sums, the losses so far) after every epoch; resume: continue
     * from one, which must come from the same co-occurrences (their count and a hash of the
     * shuffled records are checked) and dimension; one thread then gives the vectors of an
     * uninterrupted run */
    const char *checkpoint, *resume;
} lt_glove_opts;
void lt_glove_opts_init(lt_glove_opts *o);

int lt_cooc_count(const lt_tokens *t, int64_t vocab, const lt_glove_opts *o, lt_cooc **out);
void lt_cooc_free(lt_cooc *c);

typedef struct lt_glove lt_glove;
/* Trains on c (its records are shuffled in place). */
int lt_glove_train(lt_cooc *c, const lt_glove_opts *o, lt_glove **out);
/* The output rows (vocab x dim, per o->output) into dst with row stride ld floats. */
void lt_glove_vectors(const lt_glove *g, float *dst, int64_t ld);
double lt_glove_epoch_loss(const lt_glove *g, int epoch); /* mean of J's terms per record */
/* Checks a checkpoint model against training of dim on n records of vocab words with hash h
 * (the trainer's own check, public for tests and the fuzz harness); *epochs_done on success. */
int lt_glove_checkpoint_check(
        const lt_model *m, int dim, int64_t vocab, int64_t n, uint64_t h, int *epochs_done);
void lt_glove_free(lt_glove *g);
/* One record's loss and update (the reference the trainer inlines; tests): w, c rows of
 * dim + 1 floats (bias last), gw, gc their squared-gradient sums. Returns the loss term. */
double lt_glove_step(
        float *w, float *c, float *gw, float *gc, int dim, double x, const lt_glove_opts *o);

/* Corpus to vectors: vocabulary (min_count, ids by frequency, ties by bytes as GloVe's
 * vocab_count: the same rows in the same order), the in-vocabulary token
 * stream (lines end windows; nothing else does), counting, training; rows labelled with the
 * words, metadata as word2vec's output. */
typedef struct lt_glove_text_opts {
    lt_glove_opts g;
    lt_corpus_opts corpus;
    lt_vocab_opts vocab;
    const char *vocab_out; /* write "word count" lines */
    const char *cooc_out; /* write the co-occurrences as GloVe's cooccur does: records of
                                 int32 word1, int32 word2 (1-based vocabulary ranks), f64 count */
} lt_glove_text_opts;
void lt_glove_text_opts_init(lt_glove_text_opts *o);
typedef struct lt_glove_info {
    int64_t vocab, tokens, records, runs;
    double count_seconds, train_seconds, final_loss;
} lt_glove_info;
int lt_glove_train_file(
        const char *path, const lt_glove_text_opts *o, lt_vecs **out, lt_glove_info *info);

#ifdef __cplusplus
}
#endif
#endif
