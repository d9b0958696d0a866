/* Internal: safetensors tensors and the WordPiece tokenizer. */
#ifndef LT_ENCODER_IMPL_H
#define LT_ENCODER_IMPL_H
#include "latent/bert.h"
#include "../core/strmap.h"
#include <stddef.h>
#include <stdint.h>

typedef struct lt_tensor {
    char *name;
    int ndim;
    int64_t shape[4];
    float *data;
    int owned;
} lt_tensor;
typedef struct lt_st {
    lt_tensor *t;
    int n;
    void *map;
    size_t map_len;
} lt_st;
int lt__st_open(lt_st *st, const char *path);
int lt__st_parse(lt_st *st, const unsigned char *buf, size_t len, const char *name, int convert);
void lt__st_close(lt_st *st);
/* Finds "name" or "bert.name"; checks the shape (-1 = any). */
const lt_tensor *lt__st_get(const lt_st *st, const char *name, int ndim, int64_t d0, int64_t d1);

typedef struct lt_added {
    char *s;
    size_t len;
    int32_t id;
    int lstrip, rstrip;
} lt_added;
typedef struct lt_wp {
    lt__strmap *vocab; /* token -> id (insertion index = id) */
    int32_t unk, cls, sep, pad;
    int lower, strip_accents, clean_text, chinese;
    int max_chars; /* per word before [UNK] [100] */
    char prefix[16]; /* "##" */
    int model_max_length; /* from tokenizer_config.json, 0 if absent */
    lt_added *added; /* special tokens matched in the raw text */
    int n_added;
} lt_wp;
int lt__wp_load(lt_wp *wp, const char *dir);
void lt__wp_destroy(lt_wp *wp);
/* ids without specials; returns count or negative status. Grows *ids. */
int lt__wp_encode(const lt_wp *wp, const char *text, size_t len, int32_t **ids, int *cap);

/* an encoder architecture (arch.c): config.json keys and tensor names of one model_type */
typedef struct lt__arch {
    const char *model_type;
    const char *hidden, *layers, *heads, *inter, *act; /* config.json keys */
    const char *prefix; /* the base model's prefix in task models ("bert", "roberta") */
    int types; /* 1: token type embeddings */
    int pos_from_pad; /* 1: positions start at pad_token_id + 1 */
    const char *layer; /* "encoder.layer.%d" */
    const char *q, *k, *v, *o, *ln1, *in, *out, *ln2; /* within a layer */
    /* *ForSequenceClassification: out(act(dense(first token))) */
    const char *cls_dense, *cls_out;
    int cls_act; /* 1 tanh, 2 relu */
    /* MPNet: a bias per head on the attention scores, by bucketed relative position (T5's
     * buckets, shared by every layer): the tensor (buckets, heads) and the config key */
    const char *rel_bias, *rel_buckets;
} lt__arch;
const lt__arch *lt__arch_find(const char *model_type);
const char *lt__arch_names(void);
/* the tensor name or prefix.name (task models), shape-checked */
const lt_tensor *lt__st_get_p(
        const lt_st *st, const char *prefix, const char *name, int ndim, int64_t d0, int64_t d1);
#endif
