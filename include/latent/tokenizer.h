/* latent tokenizer: any tokenizer.json as Hugging Face's tokenizers reads it, in C.
 *
 *   lt_tokenizer *t;
 *   if (lt_tokenizer_load(&t, "xlm-roberta-base/") != LT_OK) fprintf(stderr, "%s\n", lt_errmsg());
 *   lt_encoding e = {0};
 *   lt_tokenizer_encode(t, "Hello world", 11, NULL, 0, 1, &e);
 *   for (int i = 0; i < e.n; i++) printf("%d [%d, %d)\n", e.ids[i], e.offsets[2 * i], e.offsets[2 * i + 1]);
 *   lt_encoding_free(&e);
 *   lt_tokenizer_free(t);
 *
 * Implemented: models WordPiece, BPE (byte-level as GPT-2/RoBERTa/Qwen, SentencePiece-style with
 * byte fallback), Unigram (SentencePiece's Viterbi, unknown penalty and fusion, byte fallback);
 * normalizers NFC/NFD/NFKC/NFKD, Lowercase, Strip, StripAccents, Replace (string or regex),
 * Prepend, Precompiled (SentencePiece's compiled character map), Nmt, BertNormalizer, Sequence;
 * pre-tokenizers ByteLevel, Metaspace, Whitespace, WhitespaceSplit, BertPreTokenizer,
 * Punctuation, Digits, Split (string or regex; Oniguruma, the engine tokenizers uses),
 * Sequence; post-processors TemplateProcessing, RobertaProcessing, BertProcessing, ByteLevel,
 * Sequence; added tokens with lstrip, rstrip, single_word and normalized. Anything else is an
 * error naming the component. Offsets are byte ranges of the input text; special tokens added
 * by the post-processor have [0, 0). Truncation and padding are the caller's (tokenizer.json's
 * own settings are ignored, as `tokenizers` does after no_truncation/no_padding).
 * A loaded tokenizer is immutable: any number of threads may encode with it at once.
 */
#ifndef LATENT_TOKENIZER_H
#define LATENT_TOKENIZER_H
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lt_tokenizer lt_tokenizer;
/* path: a tokenizer.json, or a folder holding one */
int lt_tokenizer_load(lt_tokenizer **out, const char *path);
/* from memory (fuzzing); name appears in messages */
int lt_tokenizer_parse(lt_tokenizer **out, const char *json, size_t len, const char *name);
void lt_tokenizer_free(lt_tokenizer *t);

/* One encoding, grown as needed; zero-initialise, reuse across calls, free with lt_encoding_free. */
typedef struct lt_encoding {
    int32_t *ids;
    int32_t *offsets; /* 2 per token: input byte start, end (a pair's second text: its own bytes) */
    int32_t *type_ids; /* 0 for the first text, 1 for the second (as the template says) */
    uint8_t *special; /* 1 for tokens the post-processor added */
    int n, cap;
    int n_full; /* tokens before truncation (== n when nothing was cut) */
} lt_encoding;
void lt_encoding_free(lt_encoding *e);

/* text (UTF-8, len bytes) and optionally a second text (pair; NULL for none) into e; with
 * add_special the post-processor's template adds its special tokens. max_len > 0 truncates
 * (longest first, at the end, as tokenizers' default) so that the whole, special tokens
 * included, has at most max_len tokens. Invalid UTF-8 is an error naming the byte offset. */
int lt_tokenizer_encode(const lt_tokenizer *t, const char *text, size_t len, const char *pair,
        size_t pair_len, int add_special, int max_len, lt_encoding *e);
/* The length a model folder allows: tokenizer_config.json's model_max_length, capped by
 * config.json's max_position_embeddings (less RoBERTa's padding offset, padding_idx + 1, for
 * the families whose positions start after it); 0 when the folder says nothing. */
int lt_tokenizer_max_length(const char *dir);
/* the token of an id (NULL outside the vocabulary and the added tokens) */
const char *lt_tokenizer_token(const lt_tokenizer *t, int32_t id);
/* ids back to text, as tokenizers' decode: each id's token (the added tokens first; ids it
 * does not know are skipped, and special added tokens when skip_special), through the file's
 * decoder (ByteLevel, WordPiece, Metaspace, BPEDecoder, ByteFallback, Fuse, Strip, Replace,
 * Sequence; without one the tokens joined by spaces). *out: *out_len bytes of UTF-8 (U+0000
 * included, as a NUL byte) and a terminating NUL; free with lt_free. A file whose decoder
 * latent does not implement loads (encoding works) and fails here, naming it. */
int lt_tokenizer_decode(const lt_tokenizer *t, const int32_t *ids, int n, int skip_special,
        char **out, size_t *out_len);
/* the model's type: "BPE", "Unigram" or "WordPiece" */
const char *lt_tokenizer_model(const lt_tokenizer *t);
int64_t lt_tokenizer_vocab_size(const lt_tokenizer *t); /* including added tokens */

#ifdef __cplusplus
}
#endif
#endif
