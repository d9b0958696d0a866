/* latent bert: BERT-family sentence encoders from Hugging Face / sentence-transformers
 * model folders, in C.
 *
 *   lt_bert *m;
 *   if (lt_bert_load(&m, "all-MiniLM-L6-v2/", NULL) != LT_OK) fprintf(stderr, "%s\n", lt_errmsg());
 *   float emb[384];
 *   lt_bert_embed(m, "a sentence", strlen("a sentence"), emb, NULL);
 *   lt_bert_free(m);
 *
 * Loading reads config.json, model.safetensors (f32 tensors are used in place from the
 * mmap; f16/bf16 are converted), tokenizer.json (or vocab.txt + tokenizer_config.json),
 * and the sentence-transformers files (modules.json, 1_Pooling/config.json, 2_Normalize,
 * sentence_bert_config.json). Tensor names with or without a "bert." prefix.
 * The model is immutable after loading: any number of threads may call lt_bert_embed /
 * lt_bert_tokenize concurrently (each call uses its own workspace).
 */
#ifndef LATENT_BERT_H
#define LATENT_BERT_H
#include <stddef.h>
#include <stdint.h>
#include "latent/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Pooling of the last hidden states, as sentence-transformers' Pooling modes: mean, the first
 * token (cls), max, mean * sqrt(T) / T (mean_sqrt_len_tokens), weighted by position 1..T
 * (weightedmean), the last token (lasttoken) */
typedef enum {
    LT_POOL_DEFAULT = 0,
    LT_POOL_MEAN,
    LT_POOL_CLS,
    LT_POOL_MAX,
    LT_POOL_MEAN_SQRT_LEN,
    LT_POOL_WEIGHTED_MEAN,
    LT_POOL_LAST
} lt_pooling;
/* sentence-transformers' names ("mean", "cls", "max", "mean_sqrt_len_tokens", "weightedmean",
 * "lasttoken"); from_name gives LT_POOL_DEFAULT for an unknown name */
lt_pooling lt_pooling_from_name(const char *name);
const char *lt_pooling_name(lt_pooling p);

typedef enum { LT_PREC_F32 = 0, LT_PREC_BF16 } lt_precision;

typedef struct lt_bert_opts {
    lt_pooling pooling; /* DEFAULT: from 1_Pooling/config.json, else mean */
    int normalize; /* -1: from modules.json (2_Normalize), else 0; 0/1 force */
    int max_seq; /* tokens incl. [CLS]/[SEP]; 0: sentence-transformers config, else
                             tokenizer model_max_length, capped by max_position_embeddings */
    int tokenizer_only; /* load the tokenizer files only (config.json and weights optional);
                             lt_bert_tokenize works, the embed calls fail */
    lt_precision precision; /* F32 (default, matches Hugging Face) or BF16: weights and
                             activations of the Linear layers rounded to bfloat16, half the
                             weight memory, about twice the speed on AVX-512 BF16 CPUs */
} lt_bert_opts;
void lt_bert_opts_init(lt_bert_opts *o);

typedef struct lt_bert lt_bert;
int lt_bert_load(lt_bert **out, const char *dir, const lt_bert_opts *o);
void lt_bert_free(lt_bert *m);
int lt_bert_dim(const lt_bert *m);
int lt_bert_hidden_size(const lt_bert *m); /* the transformer's width (dim differs after Dense) */
int lt_bert_max_seq(const lt_bert *m);
int lt_bert_normalizes(const lt_bert *m); /* 1 when embeddings are L2-normalised */
/* 1 when the folder's modules.json normalises (2_Normalize), whatever lt_bert_opts forced: a
 * server that loads with normalize = 0 and normalises per request keeps the folder's default */
int lt_bert_folder_normalizes(const lt_bert *m);
lt_pooling lt_bert_pooling(const lt_bert *m);

/* Token ids of text (UTF-8, len bytes) with [CLS] ... [SEP]; truncated to max_seq when
 * `truncate`. Returns the count written (<= cap) or a negative status; *full gets the
 * untruncated length. */
int lt_bert_tokenize(const lt_bert *m, const char *text, size_t len, int truncate, int32_t *ids,
        int cap, int *full);
/* Sentence embedding (dim floats). *truncated (optional) is set when the input was cut. */
int lt_bert_embed(const lt_bert *m, const char *text, size_t len, float *out, int *truncated);
/* n texts as one ragged batch (tokens of all texts packed without padding; attention
 * per text): out is (n, dim). Faster than n calls for short texts. */
int lt_bert_embed_batch(const lt_bert *m, const char *const *texts, const size_t *lens, int n,
        float *out, int *n_truncated);
/* The same with n_threads working inside the forward pass (GEMM panels, attention heads):
 * lower latency for one batch; results are identical for any n_threads. */
int lt_bert_embed_batch_mt(const lt_bert *m, const char *const *texts, const size_t *lens, int n,
        float *out, int *n_truncated, int n_threads);
/* Long texts: embeds windows of max_seq - 2 tokens and averages them (token-weighted)
 * before the optional normalisation; *n_chunks gets the window count. */
int lt_bert_embed_chunked(
        const lt_bert *m, const char *text, size_t len, float *out, int *n_chunks);
/* Last hidden state of given ids: (n_ids, lt_bert_hidden_size) into out. */
int lt_bert_hidden(const lt_bert *m, const int32_t *ids, int n, float *out);

/* sentence-transformers' prompts (config_sentence_transformers.json): the text of the prompt
 * `name`, or with name NULL the folder's default prompt; NULL when there is none. The names:
 * lt_bert_prompt_name(m, 0, 1, ...) until NULL. */
const char *lt_bert_prompt(const lt_bert *m, const char *name);
const char *lt_bert_prompt_name(const lt_bert *m, int i);

/* ---- the embedding pipeline: the one loop every front end (CLI, Python, server) uses ----
 * Threads and progress come from the context (lt_ctx: n_threads, the progress sink, cancel);
 * BLAS runs on one thread inside (the parallelism is over batches, or inside the forward pass).
 * Rows are the same bytes for any thread count and either mode. */
typedef struct lt_embed_opts {
    int batch; /* inputs per forward pass, packed without padding [32] */
    int latency; /* 1: one batch at a time with every thread inside its forward pass (lower
                      latency for a few inputs); 0: threads take whole batches [0] */
    int chunk; /* inputs longer than max_seq: embed windows and average them (else cut) [0] */
    const char *prompt; /* text put before every input, as sentence-transformers' prompts [none];
                             see lt_bert_prompt for a folder's named and default prompts */
    int dim; /* Matryoshka: keep the first dim values of each row (renormalised when the
                      model normalises); out then has rows of dim floats [0: all] */
} lt_embed_opts;
void lt_embed_opts_init(lt_embed_opts *o);

typedef struct lt_embed_stats {
    int64_t done; /* inputs embedded */
    int64_t truncated; /* inputs cut to max_seq */
    int64_t chunked; /* inputs embedded in several windows (chunk) */
    int64_t failed; /* index of the input that failed, -1 if none */
    double seconds;
} lt_embed_stats;

/* n texts (UTF-8, lens bytes each) into out: n rows of lt_bert_dim floats, row stride ld.
 * ctx and o may be NULL (defaults); st may be NULL. Progress "embed" in inputs to the
 * context's sink. On failure the message names the input ("input N: ...", 1-based) and
 * st->failed holds its index; LT_EINTR when the context or the sink asked to stop. */
int lt_embed_texts(const lt_bert *m, const char *const *texts, const size_t *lens, int64_t n,
        float *out, int64_t ld, const lt_embed_opts *o, const lt_ctx *ctx, lt_embed_stats *st);

/* Streaming: read -> embed -> write in order, block by block, in memory bounded by the block
 * (batch x threads x 8 texts, at least 256). The source fills up to cap texts (valid until its
 * next call) and returns the count, 0 at the end or a negative status; the sink receives the
 * rows of texts first .. first + n - 1 in order, and returns non-zero to stop. */
typedef int64_t (*lt_text_source)(void *ud, const char **texts, size_t *lens, int64_t cap);
typedef int (*lt_rows_out)(void *ud, const float *rows, int64_t n, int64_t ld, int64_t first);
int lt_embed_stream(const lt_bert *m, lt_text_source src, void *src_ud, lt_rows_out dst,
        void *dst_ud, const lt_embed_opts *o, const lt_ctx *ctx, lt_embed_stats *st);

/* Cross-encoders (a folder whose config.json names a *ForSequenceClassification architecture:
 * BERT's pooler, RoBERTa's classification head, DistilBERT's pre_classifier): the labels of
 * the head, 0 for an embedding model. */
int lt_bert_num_labels(const lt_bert *m);
/* n (a, b) pairs, e.g. (query, document), through the tokenizer's pair template (truncated
 * longest first to max_seq) as one ragged batch: out (n, labels) receives the head's logits.
 * sentence-transformers' CrossEncoder applies a sigmoid to one label by default; that is the
 * caller's (latent rerank, Python's CrossEncoder). Needs the folder's tokenizer.json. */
int lt_bert_score_pairs(const lt_bert *m, const char *const *a, const size_t *al,
        const char *const *b, const size_t *bl, int n, float *out, int n_threads);

/* In-memory parsers (fuzzing): safetensors header and tokenizer.json. */
int lt_safetensors_check(const void *buf, size_t len, const char *name);
int lt_bert_tokenizer_check(const char *json, size_t len, const char *name);

#ifdef __cplusplus
}
#endif
#endif
