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
    const char *vocab_in;     /* use this saved vocabulary instead of counting */
    const char *vocab_out;    /* save the vocabulary here */
    const char *checkpoint;   /* checkpoint file written during training */
    int resume;               /* continue from `checkpoint` */
} lt_w2v_opts;
void lt_w2v_opts_init(lt_w2v_opts *o);

int lt_w2v_train(const char *corpus_path, const lt_w2v_opts *o, lt_vecs **out);
/* Stats of the last run on this thread (for the CLI summary). */
typedef struct lt_w2v_info { int64_t vocab, tokens, truncated, invalid_utf8, pruned; double words_per_sec, seconds; } lt_w2v_info;
lt_w2v_info lt_w2v_last_info(void);

#ifdef __cplusplus
}
#endif
#endif
