/* Internal: safetensors tensors and the WordPiece tokenizer. */
#ifndef LT_ENCODER_IMPL_H
#define LT_ENCODER_IMPL_H
#include "latent/bert.h"
#include "latent/vision.h"
#include "../core/strmap.h"
#include "latent/kern.h"
#include "latent/tokenizer.h"
#include <cjson/cJSON.h>
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

/* ---- the shared transformer core (model.c): one model struct for every family ----
 * Shapes: X (T, H); Linear weights W (out, in) as PyTorch's (y = x W^T + b). Attention has
 * `heads` query heads and `kvh` key/value heads (grouped-query when kvh < heads) of size dh;
 * Dq = heads * dh, Dkv = kvh * dh. Two block layouts: post-norm (BERT: x = norm(x + attn(x)),
 * x = norm(x + ffn(x))) and pre-norm (x += attn(norm1(x)), x += ffn(norm2(x)), then a final
 * norm), with LayerNorm or RMSNorm, rotary positions, causal or windowed attention and GLU
 * feed-forwards as the family sets them. */
typedef struct {
    /* sources (the mmap'ed or converted tensors; NULL once packed). Q, K, V and the GLU's two
     * halves may point into one fused tensor. Biases and norms may be NULL (none). */
    const float *q_w, *q_b, *k_w, *k_b, *v_w, *v_b, *o_w, *o_b, *ln1_g, *ln1_b, *i_w, *i_b, *u_w,
            *u_b, *f_w, *f_b, *ln2_g, *ln2_b;
    const float *qn, *kn; /* RMSNorm of each query / key head (dh), before the rotation */
    const float *post1, *post2; /* Gemma: RMSNorm of the attention's / feed-forward's output
                                 * before the residual add (NULL: none) */
    const float *ls1, *ls2; /* DINOv2's layer scales of those outputs (H; NULL: none) */
    int rope; /* index into the model's rotary tables, -1: none */
    int window; /* attention within |i - j| <= window (0: every position) */
    /* packed at load: Q, K, V as one ((Dq + 2 Dkv) x H) operand (the 1/sqrt(dh) scale folded
     * into Q's rows, or into qn when there is one); the feed-forward's input and, for a GLU,
     * its gate as one (2I x H) operand */
    lt_packed qkv, o, i, f;
    lt_packed_bf16 qkv16, o16, i16, f16; /* instead, with precision bf16 */
    float *qkv_b, *iu_b; /* the packed operands' biases */
    const float *qn_s; /* qn scaled (owned by the model) */
} lt__layer;

enum {
    LT__ACT_IDENTITY = 0,
    LT__ACT_TANH,
    LT__ACT_RELU,
    LT__ACT_SIGMOID,
    LT__ACT_GELU,
    LT__ACT_GELU_TANH,
    LT__ACT_SILU,
    LT__ACT_QUICK_GELU
};

struct lt_bert {
    int H, L, heads, I, P, types, V, max_seq;
    int kvh, dh, Dq, Dkv; /* attention shapes (BERT: kvh = heads, dh = H / heads) */
    double eps;
    float qscale; /* the attention's score scale (1/sqrt(dh), or the family's) */
    float emb_scale; /* the token embeddings times this (Gemma: sqrt(H)); 0: none */
    const char *lfmt; /* a layer's tensor prefix for lt__wb [layers.%d] */
    float **own; /* arrays the model owns (converted weights), freed with it */
    int n_own;
    int prenorm, rms, causal, glu, act; /* the block's layout (see above); act: LT__ACT_* */
    const float *word, *pos, *type, *ln_g,
            *ln_b; /* pos, type, ln_*: NULL when the family has none */
    const float *fin_g, *fin_b; /* pre-norm: the norm after the last layer */
    struct {
        double theta;
        float *cs; /* position p: cos of the dh/2 angles, then their sines (dh floats) */
        int n; /* positions */
    } rope[2];
    int n_rope;
    lt__layer *layers;
    lt_st st;
    lt_wp wp; /* vocab.txt folders, and [CLS]/[SEP] */
    lt_tokenizer *tok; /* tokenizer.json folders: the general pipeline (tok.c) */
    int32_t pre[4], suf[4]; /* the special tokens around a text ([CLS] .. [SEP], <s> .. </s>) */
    int n_pre, n_suf;
    int pos_offset; /* RoBERTa's family: positions start after padding_idx */
    const struct lt__arch *arch;
    float *zero_type; /* families without token types: a zero row */
    /* a cross-encoder's head (*ForSequenceClassification): labels = out(act(dense(x_first))) */
    const float *cd_w, *cd_b, *co_w, *co_b;
    int n_labels;
    /* sentence-transformers' prompts (config_sentence_transformers.json): name -> text */
    char **prompt_name, **prompt_text;
    int n_prompts, default_prompt; /* default: index, or -1 */
    /* MPNet's relative-position bias: rel (buckets, heads); bucket[d + P] for j - i = d */
    const float *rel;
    int *bucket;
    lt_pooling pooling;
    int eos_pool, eos_id; /* CLIP's text tower: pool at the end-of-text token (eos_row) */
    int pad_to, pad_id; /* SigLIP's text tower: inputs padded to max_seq with pad_id */
    int normalize, folder_normalize; /* in effect; what modules.json says */
    int bf16;
    /* sentence-transformers Dense modules after pooling: y = act(W x + b), W (out, in) */
    struct {
        lt_st st;
        const float *w, *b;
        int in, out, act;
    } dense[4];
    int n_dense, D; /* D: output dimension (H, or the last Dense's out) */
};

/* helpers the family files share (model.c) */
int lt__jint(const cJSON *j, const char *k, int def);
double lt__jnum(const cJSON *j, const char *k, double def);
int lt__jbool(const cJSON *j, const char *k, int def);
/* tensor `name` (or prefix.name) of the given shape; NULL with the error set */
const float *lt__w(
        lt_bert *m, const char *prefix, const char *name, int ndim, int64_t d0, int64_t d1);
/* 1 when the tensor `name` (or prefix.name) exists */
int lt__has(const lt_bert *m, const char *prefix, const char *name);
/* layer l's "layers.L.sub.weight" (m->lfmt instead of "layers.%d" when set) (d0 x d1, or d0 when d1 < 0) into *w and, when `bias`, its
 * "layers.L.sub.bias" (d0) into *b; LT_EFORMAT with the error set when one is missing */
int lt__wb(lt_bert *m, const char *prefix, int l, const char *sub, int bias, const float **w,
        const float **b, int64_t d0, int64_t d1);
/* the sizes under transformers' usual keys (hidden_size, num_hidden_layers,
 * num_attention_heads, num_key_value_heads [heads], intermediate_size, vocab_size,
 * max_position_embeddings [p_def]); one token type */
void lt__std_sizes(lt_bert *m, const cJSON *cfg, int p_def);
/* the sizes read (H, L, heads, kvh, dh, I, V, P) are positive, bounded and consistent (dh
 * even, heads a multiple of kvh); then Dq and Dkv. The error names them all. */
int lt__check_sizes(lt_bert *m, const char *path);
/* n floats owned by the model (freed with it); NULL out of memory */
float *lt__own_alloc(lt_bert *m, size_t n);
/* a copy of n floats, a + b * w[i], owned by the model (Gemma's norms: 1 + w) */
const float *lt__owned(lt_bert *m, const float *w, int n, float a, float b);
/* the rotary base of a model with one: rope_parameters.rope_theta (transformers 5; only
 * rope_type default), else rope_theta, else def; rope_scaling refused */
int lt__rope_base(const cJSON *cfg, const char *path, double def, double *theta);
/* the rotary base of a layer kind: rope_parameters[kind].rope_theta (transformers 5; only
 * rope_type default), else the older top-level key old_key, else def */
int lt__rope_kind(const cJSON *cfg, const char *path, const char *kind, const char *old_key,
        double def, double *theta);
/* layer l's kind from config.json's layer_types (NULL: def): 1 sliding_attention, 0
 * full_attention, -1 (the error set) anything else */
int lt__layer_local(const cJSON *types, const char *path, int l, int def);
/* rotary tables: the index of the table for theta (one per distinct theta, at most 2) */
int lt__rope_add(lt_bert *m, double theta);
/* packs the layers' weights for the GEMM (bf16 when m->bf16); the sources are released */
int lt__pack(lt_bert *m);
/* the forward pass from given input embeddings E (T = off[nseg] rows of H; the family's
 * embedding norm, if any, applied to them) instead of token ids: image towers */
int lt__forward_embedded(
        const lt_bert *m, const float *E, const int *off, int nseg, float *X, int n_threads);
/* a family that is not BERT's block: reads its config.json keys and tensors into m (the
 * weights and tokenizer already open); errors name the file and the key or tensor */
typedef int (*lt__family_load)(lt_bert *m, const cJSON *cfg, const char *cfg_path);
int lt__qwen3_load(lt_bert *m, const cJSON *cfg, const char *cfg_path);
int lt__modernbert_load(lt_bert *m, const cJSON *cfg, const char *cfg_path);
int lt__gemma3_load(lt_bert *m, const cJSON *cfg, const char *cfg_path);
int lt__clip_text_load(lt_bert *m, const cJSON *cfg, const char *cfg_path);
int lt__clip_blocks(lt_bert *m, const char *prefix); /* CLIP's blocks, both towers */
int lt__siglip_text_load(lt_bert *m, const cJSON *cfg, const char *cfg_path);
int lt__nomic_load(lt_bert *m, const cJSON *cfg, const char *cfg_path);
int lt__gte_load(lt_bert *m, const cJSON *cfg, const char *cfg_path);

/* an image tower (vision.c): the transformer core plus the patch embedding and pooling */
struct lt_vision {
    lt_bert *m; /* the blocks (no tokenizer); m->ln_g: CLIP's pre-layernorm, m->fin_g: ViT's */
    int S, p, C, grid, np, D; /* side, patch, channels, patches per side, patches, output dim */
    const float *patch_w, *patch_b; /* (H, C, p, p), bias (H) or NULL; packed at load */
    lt_packed patch;
    const float *cls_emb, *pos; /* class embedding (H), positions ((np + has_cls) x H) */
    const float *post_g, *post_b; /* CLIP: the class token's layernorm (NULL: none) */
    const float *proj; /* CLIP: visual_projection (D x H), no bias (NULL: none) */
    float logit_scale; /* CLIPModel: exp(logit_scale), the image-text scores' scale; 0: none */
    float logit_bias; /* SigLIP: added to the scaled cosine; the scores are then sigmoids */
    int sigmoid; /* 1: SigLIP's scores (sigmoid of scale * cosine + bias) */
    int has_cls; /* 1: a class token before the patches (CLIP, ViT); 0: none (SigLIP) */
    /* SigLIP's multihead attention pooling: a probe attends over the tokens (torch's
     * MultiheadAttention: in_proj (3H x H), out_proj), then x + mlp(layernorm(x)) */
    const float *probe, *in_w, *in_b, *out_w, *out_b, *hln_g, *hln_b, *fc1_w, *fc1_b, *fc2_w,
            *fc2_b;
};
typedef int (*lt__vision_load_fn)(struct lt_vision *v, const cJSON *cfg, const char *cfg_path);
int lt__clip_vision_load(struct lt_vision *v, const cJSON *cfg, const char *cfg_path);
int lt__vit_load(struct lt_vision *v, const cJSON *cfg, const char *cfg_path);
int lt__siglip_vision_load(struct lt_vision *v, const cJSON *cfg, const char *cfg_path);
int lt__dinov2_load(struct lt_vision *v, const cJSON *cfg, const char *cfg_path);
/* ViT's embeddings (DINOv2's too): the patch embedding and its bias, the class token, the
 * positions (m->P of them), the final layernorm; v->D = H */
int lt__vit_embeddings(struct lt_vision *v, const char *prefix, const char *path);
/* ViT's attention names (DINOv2's too): encoder.layer.L.attention.attention.{query,key,value},
 * attention.output.dense; nonzero (the error set) when one is missing */
int lt__vit_attention(lt_bert *m, const char *prefix, int l, lt__layer *y, int qkv_bias);
/* what the towers' loaders share (vision.c): the sub-config (key, e.g. vision_config, when
 * model_type is full_type; NULL with the error set when it is missing), an activation by name
 * (names[0] the default), the sizes and the patch grid (v->has_cls set first), the 4-D patch
 * embedding weight */
const cJSON *lt__sub_config(
        const cJSON *cfg, const char *full_type, const char *key, const char *path);
int lt__activation(const cJSON *c, const char *key, const char *path, const char *const *names,
        const int *codes, int n, int *act);
int lt__tower_sizes(
        struct lt_vision *v, const cJSON *c, const char *path, double eps_def, int patch_def);
const float *lt__patch_weight(
        struct lt_vision *v, const char *prefix, const char *name, const char *path);
/* config.json read whole (required: an error naming it when missing) */
cJSON *lt__read_json(const char *path, int required, int *rc);

/* an encoder architecture (arch.c): config.json keys and tensor names of one model_type */
struct lt__arch {
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
    lt__family_load load; /* families with a block of their own (their file); NULL: BERT's */
};
typedef struct lt__arch lt__arch;
const lt__arch *lt__arch_find(const char *model_type);
const char *lt__arch_names(void);
/* the tensor name or prefix.name (task models), shape-checked */
const lt_tensor *lt__st_get_p(
        const lt_st *st, const char *prefix, const char *name, int ndim, int64_t d0, int64_t d1);
#endif
