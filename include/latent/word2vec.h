/* latent word2vec: corpus file -> vocabulary -> encoded tokens -> sgns -> vector store.
 *
 *   lt_w2v_opts o; lt_w2v_opts_init(&o); o.sg.cbow = 1;
 *   lt_vecs *v; if (lt_w2v_train("corpus.txt.gz", &o, &v)) ...; lt_vecs_free(v);
 *
 * The store's labels are the vocabulary in descending count order, and its metadata
 * holds the method, every parameter, the seed, the corpus hash and the latent version.
 */
#ifndef LATENT_WORD2VEC_H
#define LATENT_WORD2VEC_H
#include "latent/sgns.h"
#include "latent/store.h"
#include "latent/text.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lt_w2v_opts {
    lt_sgns_opts sg;
    lt_corpus_opts corpus;
    lt_vocab_opts vocab;
    const char *vocab_in; /* use this saved vocabulary instead of counting */
    const char *vocab_out; /* save the vocabulary here */
    const char *checkpoint; /* checkpoint file written during training */
    int resume; /* continue from `checkpoint` */
    /* subword vectors (fastText): with maxn > 0 each word's input is the mean of its row and
     * its character n-grams' rows (minn..maxn, hashed into bucket rows; lt_sgns_set_subwords);
     * the output rows are those means; model_out, if set, receives a fastText .bin */
    int minn, maxn;
    int64_t bucket;
    int64_t max_sentence; /* words per training sentence [1000; fastText reads 1024] */
    int exact_epochs; /* subwords: 1 = exactly sg.epochs passes; 0 = fastText's length, whose
                                 epoch counts every token read (out-of-vocabulary ones and line
                                 ends too; from the vocabulary's count, so not with vocab_in) and
                                 so runs past the last pass. Either way read in fastText's order
                                 (sg.epoch_words) [0] */
    const char *model_out;
} lt_w2v_opts;
void lt_w2v_opts_init(lt_w2v_opts *o);
/* fastText's defaults (the preset `latent train fasttext` and Python's train_fasttext start
 * from): subwords minn 3, maxn 6 in 2,000,000 buckets, sentences of 1024 words, alpha 0.05,
 * sample 1e-4, noise exponent 0.5, input rows uniform in +-1/dim. */
void lt_fasttext_opts_init(lt_w2v_opts *o);

int lt_w2v_train(const char *corpus_path, const lt_w2v_opts *o, lt_vecs **out);
/* Stats of the last run on this thread (for the CLI summary). */
typedef struct lt_w2v_info {
    int64_t vocab, tokens, truncated, invalid_utf8, pruned;
    double words_per_sec, seconds;
} lt_w2v_info;
lt_w2v_info lt_w2v_last_info(void);

#ifdef __cplusplus
}
#endif
#endif
