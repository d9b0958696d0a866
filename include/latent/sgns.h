/* latent sgns: the skip-gram / CBOW trainer with negative sampling or hierarchical
 * softmax, shared by every source of token sequences (text corpora, graph walks).
 *
 * Input is an lt_tokens stream of ids in [0, V) with -1 as sentence separators, plus the
 * count of each id (for subsampling, the unigram^0.75 noise distribution and the Huffman
 * tree). Behaviour and defaults follow the original word2vec tool: dynamic window,
 * subsampling  keep = (sqrt(c/(s*N)) + 1) * (s*N)/c,  linear learning-rate decay over all
 * epochs to alpha*1e-4, the 1000-entry sigmoid table with its clamping at |x| >= 6.
 *
 * Two formulations:
 *  - plain (batched = 0): word2vec's per-pair Hogwild updates. The reference.
 *  - batched (default): for skip-gram, each window's context rows are updated against
 *    one shared set of output rows (the centre word plus K negatives, or its Huffman
 *    path), as three small matrix products (Ji et al., "Parallelizing Word2Vec in Shared
 *    and Distributed Memory"). CBOW is one output set per window already; it uses the
 *    SIMD kernels directly.
 *  - batched = 2 (negative sampling): word2vec's pairs - every (context, centre) pair
 *    has its own negatives and updates the centre's output row - through the batched
 *    kernels, with a window's negatives drawn first so their rows are prefetched while
 *    the earlier pairs compute (1.6x the plain loop's speed). On graph walks a hub is the
 *    centre of many windows: updated by a whole window's gradients at once its row
 *    overshoots, and shared negatives cost Cora ~0.005 macro-F1 (bench/RESULTS.md). Its
 *    price is memory traffic: 2 window x negative random rows per word instead of negative.
 *  - batched = 3: the centre's row updated pair by pair as in 2, the negatives shared by the
 *    window as in 1. The graph trainers pick 2 when the output rows fit in 4 MiB (the rows
 *    stay in cache, and small graphs are where sharing costs quality) and 3 beyond (PubMed:
 *    2.2x faster, the same macro-F1).
 *
 * Determinism: with n_threads = 1 a seed reproduces the same bytes, and a run resumed
 * from a checkpoint equals the uninterrupted run. Threads split the token stream at
 * sentence boundaries; each has its own RNG stream.
 */
#ifndef LATENT_SGNS_H
#define LATENT_SGNS_H
#include "latent/core.h"
#include "latent/store.h"
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A token stream: ids in [0, V) with -1 ending each sentence (a walk, for graphs). Owned by
 * whoever made it (a corpus encoding maps an unlinked temporary file: map_ / map_len_);
 * lt_tokens_destroy releases such a mapping. The trainer depends on nothing else. */
typedef struct lt_tokens {
    const int32_t *ids;
    int64_t n; /* entries, including -1 separators */
    int64_t n_words; /* entries >= 0 */
    void *map_;
    size_t map_len_;
} lt_tokens;
void lt_tokens_destroy(lt_tokens *t);

typedef struct lt_sgns_opts {
    int dim; /* [100] */
    int window; /* max window; the effective one is uniform in [1, window] [5] */
    int negative; /* negative samples, 0 = none [5] */
    int hs; /* hierarchical softmax [0] */
    int cbow; /* CBOW instead of skip-gram [0] */
    int epochs; /* [5] */
    float alpha; /* starting learning rate; <= 0 picks 0.025 (skip-gram) or 0.05 (CBOW) */
    float sample; /* subsampling threshold, 0 = off [1e-3] */
    int n_threads; /* [1] */
    uint64_t seed; /* [1] */
    int batched; /* 0 plain, 1 batched, 2 batched per pair, 3 per-pair centre with window negatives [1] */
    int exact_sigmoid; /* exact logistic instead of the table [0] */
    int64_t checkpoint_every; /* words between checkpoints; 0 = once per epoch [0] */
    const char *checkpoint_path; /* where to write checkpoints (NULL = none) */
    int64_t stop_after_segments; /* testing: stop (LT_EINTR) after this many segments [0 = never] */
    float ns_exponent; /* noise distribution count^e [0.75, word2vec; fastText uses 0.5] */
    int cbow_mean_grad; /* CBOW: give each context row the gradient of the mean (hidden
                             gradient / context size, Irsoy et al. 2021) instead of word2vec's
                             full hidden gradient [0] */
    float init_range; /* input vectors start uniform in +-init_range / dim [0.5, word2vec.c;
                             gensim uses 1, and the graph trainers follow it] */
    int subword_window; /* subword skip-gram: one update of the centre's mean h for the whole
                             window instead of fastText's context word after context word [0] */
    int64_t epoch_words; /* lt_sgns_train: > 0 reads as fastText reads: the run trains
                             epochs x epoch_words words, each thread starting at its part of the
                             stream and going on through the whole stream (wrapping at its end)
                             until all threads together have read that many, with no pause
                             between epochs; the rate falls with every thread's words, sentence
                             by sentence. fastText's epoch counts every token it read
                             (out-of-vocabulary ones and line ends too), so it runs past the
                             last pass. Not with checkpoints. [0: epochs passes, each thread
                             over its own part, epoch by epoch] */
    lt_progress_fn progress; /* optional: (words done, words total, mean loss) about 4 times a
                             second from a training thread; non-zero return stops with LT_EINTR */
    void *progress_ud;
    const lt_ctx *ctx; /* optional: its progress sink (else the process's) and its cancel flag (the
                          run stops with LT_EINTR at the next report, ~4 Hz, after *cancel != 0);
                          threads stay n_threads, which the result depends on */
} lt_sgns_opts;
void lt_sgns_opts_init(lt_sgns_opts *o);
/* The subsampling keep probability of an id seen `count` times among `words` (> 1 = always
 * kept; sample 0 keeps every id). */
double lt_sgns_keep(double count, double words, double sample);

typedef struct lt_sgns lt_sgns;
/* V ids with their counts. */
int lt_sgns_new(lt_sgns **out, const lt_sgns_opts *o, int64_t V, const int64_t *counts);
void lt_sgns_free(lt_sgns *m);
/* Trains (or continues a resumed run) over `t`. Returns LT_EINTR when stopped by
 * stop_after_segments after writing a checkpoint. */
int lt_sgns_train(lt_sgns *m, const lt_tokens *t);
/* Streaming input (graph walks): fn(ud, epoch, batch, &t) fills t with the next batch of an
 * epoch and returns 1, or returns 0 at the end of the epoch (negative: an error, returned
 * as is); t stays the callback's until its next call. words_per_epoch (the sum over an
 * epoch's batches) drives the learning-rate schedule and subsampling. No checkpoints. */
typedef int (*lt_sgns_batch_fn)(void *ud, int epoch, int64_t batch, lt_tokens *t);
int lt_sgns_train_stream(lt_sgns *m, lt_sgns_batch_fn fn, void *ud, int64_t words_per_epoch);
/* Input (word) vectors, V rows of ld floats. */
const float *lt_sgns_vectors(const lt_sgns *m, int64_t *ld);
/* Subword vectors (fastText): `extra` more input rows (character n-gram buckets), initialised
 * like the words' rows, and for each word w its input rows rows[ptr[w] .. ptr[w + 1]) (its own
 * row w among them). Training then follows fastText: skip-gram, the mean h of the centre
 * word's rows predicts each word of its window, each with its own negatives, as one batched
 * update of h, and h's change is added to every one of those rows; CBOW, the mean of every row
 * of every context word predicts the centre word and each of those rows takes the hidden
 * gradient. Negative sampling only; no checkpoints. Call before training. */
int lt_sgns_set_subwords(lt_sgns *m, int64_t extra, const int64_t *ptr, const int32_t *rows);
/* Word w's vector: the mean of its input rows (its own row without subwords). */
void lt_sgns_word_vector(const lt_sgns *m, int64_t w, float *out);
/* Every input row (V + extra) and the output rows (negative sampling; V rows), ld floats each. */
const float *lt_sgns_input_rows(const lt_sgns *m, int64_t *rows, int64_t *ld);
const float *lt_sgns_output_rows(const lt_sgns *m, int64_t *ld);
const lt_sgns_opts *lt_sgns_get_opts(const lt_sgns *m);
/* Words/s of the last lt_sgns_train, counting every corpus token of every epoch. */
double lt_sgns_words_per_sec(const lt_sgns *m);

/* Checkpoints hold the options, counts, both matrices, the epoch/segment position,
 * the shared word counter and every thread's RNG, learning rate and counters, plus an
 * opaque blob from the caller (the vocabulary's words for text). */
int lt_sgns_save_checkpoint(const lt_sgns *m, const char *path, const void *blob, size_t blob_len);
/* blob is allocated with lt_malloc; caller frees. */
int lt_sgns_load_checkpoint(lt_sgns **out, const char *path, void **blob, size_t *blob_len);
/* The same from memory (`name` in messages; fuzzing). */
int lt_sgns_parse_checkpoint(const void *buf, size_t len, const char *name, lt_sgns **out,
        void **blob, size_t *blob_len);
void lt_sgns_set_output(lt_sgns *m, const char *checkpoint_path);
/* Caller-supplied blob written with periodic checkpoints (not copied). */
void lt_sgns_set_blob(lt_sgns *m, const void *blob, size_t len);

/* Exposed for tests: one update of each kind on raw rows (d padded to LT_KERN_PAD).
 * Skip-gram pair with negatives: input row `in`, output rows outs[0] (label 1) and
 * outs[1..k] (label 0). Returns the loss before the update. */
double lt_sgns_step_ns(float *in, float *const *outs, int n_out, int64_t d, float alpha, int exact);
/* Hierarchical softmax: path rows with codes (0/1). */
double lt_sgns_step_hs(float *in, float *const *nodes, const uint8_t *codes, int n, int64_t d,
        float alpha, int exact);
/* CBOW with negatives: mean of ctx rows predicts outs[0] against outs[1..]. */
double lt_sgns_step_cbow_ns(float *const *ctx, int n_ctx, float *const *outs, int n_out, int64_t d,
        float alpha, int exact);
/* Batched skip-gram window: ctx rows against shared outs (label 1 for outs[0]). */
double lt_sgns_step_batch(
        float *const *ctx, int m, float *const *outs, int n_out, int64_t d, float alpha, int exact);

#ifdef __cplusplus
}
#endif
#endif
