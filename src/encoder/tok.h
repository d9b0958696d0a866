/* Internal: the tokenizer.json pipeline (Hugging Face tokenizers' model of a tokenizer):
 * added tokens -> normalizer -> pre-tokenizer -> model -> post-processor, with every byte of
 * the text carrying the byte range of the input it came from, so tokens get input offsets.
 * One file per stage: tok_norm.c (normalizers), tok_pre.c (pre-tokenizers), tok_bpe.c,
 * tok_unigram.c, tok_wordpiece.c (models, behind lt__tok_model), tok.c (the pipeline). */
#ifndef LT_ENCODER_TOK_H
#define LT_ENCODER_TOK_H
#include "latent/tokenizer.h"
#include "../core/strmap.h"
#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

/* tokenizer.json fields: a string (NULL when absent), a boolean (def when absent) */
static inline const char *lt__jstr(const cJSON *j, const char *k) {
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(j, k);
    return cJSON_IsString(x) ? x->valuestring : NULL;
}
static inline int lt__jbool(const cJSON *j, const char *k, int def) {
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(j, k);
    return cJSON_IsBool(x) ? cJSON_IsTrue(x) : def;
}
/* the items of a Sequence's list `key`, each parsed by parse into sub[*n] (NULL ones skipped) */
typedef int (*lt__parse_fn)(void **out, const cJSON *j, const char *name);
int lt__parse_list(const cJSON *j, const char *key, const char *what, lt__parse_fn parse,
        void ***sub, int *n, const char *name);

/* A string with alignments: byte i of s came from input bytes [o[2i], o[2i+1]). */
typedef struct lt__nstr {
    char *s;
    int32_t *o;
    size_t n, cap;
} lt__nstr;
int lt__nstr_push(lt__nstr *d, const char *b, size_t n, int32_t start, int32_t end);
void lt__nstr_free(lt__nstr *d);
/* s's bytes [a, b) with their own alignments appended to d */
int lt__nstr_append(lt__nstr *d, const lt__nstr *s, size_t a, size_t b);
/* the next code point of s at *p (valid UTF-8 assumed: the input is checked once) */
int32_t lt__utf8_next(const char *s, size_t n, size_t *p);
int lt__utf8_put(int32_t c, char *out);
int lt__is_ws(int32_t c); /* Rust's char::is_whitespace */
int lt__is_punct(int32_t c); /* Unicode P* or ASCII punctuation (BERT's rule) */

/* Regexes (Oniguruma, as Hugging Face's tokenizers): compiled once per tokenizer */
typedef struct lt__re lt__re;
int lt__re_new(lt__re **out, const char *pattern, const char *name);
void lt__re_free(lt__re *r);
/* the leftmost match at or after `from` in s[0..n): 1 and [*b, *e), or 0 */
int lt__re_find(const lt__re *r, const char *s, size_t n, size_t from, size_t *b, size_t *e);

/* ---- normalizers ---- */
typedef struct lt__norm lt__norm;
int lt__norm_parse(lt__norm **out, const cJSON *j, const char *name);
void lt__norm_free(lt__norm *n);
int lt__norm_apply(const lt__norm *n, lt__nstr *s); /* in place */

/* ---- pre-tokenizers: split one string into pieces (each with its alignments) ---- */
typedef struct lt__pieces {
    lt__nstr *p;
    int n, cap;
} lt__pieces;
void lt__pieces_free(lt__pieces *ps);
typedef struct lt__pre lt__pre;
int lt__pre_parse(lt__pre **out, const cJSON *j, const char *name);
void lt__pre_free(lt__pre *p);
/* pieces of s (consumed); `first`: s starts the text (Metaspace's prepend_scheme "first") */
int lt__pre_apply(const lt__pre *p, lt__nstr *s, int first, lt__pieces *out);
int lt__pre_is_bytelevel(const lt__pre *p);
int lt__bytelevel_byte(int32_t c); /* the byte a ByteLevel char stands for, -1 for none */

/* ---- decoders: tokens back to text (tok_dec.c) ---- */
typedef struct lt__dec lt__dec;
int lt__dec_parse(lt__dec **out, const cJSON *j, const char *name); /* j NULL: *out NULL */
void lt__dec_free(lt__dec *d);
/* tokenizers' decode_chain: the n strings of *toks (lt_malloc'ed, NUL-terminated) replaced by
 * the decoder's output strings (*n may change) */
int lt__dec_apply(const lt__dec *d, char ***toks, int *n);

/* ---- models: one table entry per kind ---- */
/* the model's vocabulary: token <-> id for ids 0..n-1. A token listed twice (Unigram files
 * may) answers with its last id, as tokenizers' maps do; every id keeps its own text. */
typedef struct lt__tokvocab {
    lt__strmap *map;
    int64_t *id_of, *key_of;
    int64_t n;
} lt__tokvocab;
static inline int64_t lt__vocab_find(const lt__tokvocab *v, const char *s, size_t n) {
    int64_t k = lt__strmap_get(v->map, s, n);
    return k < 0 ? -1 : v->id_of[k];
}

typedef struct lt__tok_out {
    int32_t *ids;
    int32_t *off;
    int32_t *ws;
    int n, cap;
} lt__tok_out; /* off: 2 per token; ws: 2 per
 * token, the leading and trailing whitespace chars of an added token's matched text, -1 for a model token */
int lt__tok_out_push(lt__tok_out *o, int32_t id, int32_t start, int32_t end);

typedef struct lt__tok_model {
    const char *type; /* "BPE", "Unigram", "WordPiece" */
    int (*parse)(void **state, const cJSON *model, lt__tokvocab *v, const char *name);
    int (*encode)(
            const void *state, const lt__tokvocab *v, const lt__nstr *piece, lt__tok_out *out);
    void (*free)(void *state);
} lt__tok_model;
extern const lt__tok_model lt__tok_bpe, lt__tok_unigram, lt__tok_wordpiece;
#endif
