/* latent text: streaming corpus reader, vocabulary, and corpus encoding into token ids.
 *
 * Tokenisation rule (docs/design.md): tokens are maximal runs of non-whitespace, where
 * whitespace is ASCII space/tab/CR/VT/FF, NUL, and Unicode space separators (U+0085,
 * U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000). A newline
 * ends a sentence. Invalid UTF-8 bytes are replaced by U+FFFD, one per bad byte, so a
 * token is always valid UTF-8. Tokens longer than max_token_bytes are cut at a character
 * boundary (never inside a multi-byte character) and the rest is skipped; the number of
 * cut tokens is counted. Optional lowercasing uses Unicode simple case mapping (utf8proc).
 *
 *   lt_corpus *c; lt_corpus_open(&c, "text.txt.gz", NULL);
 *   const char *w; size_t n; int k;
 *   while ((k = lt_corpus_next(c, &w, &n)) > 0) if (k == LT_TOK_WORD) ...;
 *   lt_corpus_close(c);
 */
#ifndef LATENT_TEXT_H
#define LATENT_TEXT_H
#include "latent/sgns.h" /* lt_tokens */
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lt_corpus_opts {
    int lower; /* Unicode lowercasing [0] */
    size_t max_token_bytes; /* longer tokens are cut [100, as word2vec] */
} lt_corpus_opts;
void lt_corpus_opts_init(lt_corpus_opts *o);

enum { LT_TOK_END = 0, LT_TOK_WORD = 1, LT_TOK_EOL = 2 };
typedef struct lt_corpus lt_corpus;
/* path: plain or gzip text; "-" reads standard input. */
int lt_corpus_open(lt_corpus **out, const char *path, const lt_corpus_opts *opts);
/* Opens an in-memory buffer (not copied; must outlive the reader). */
int lt_corpus_open_mem(
        lt_corpus **out, const void *buf, size_t len, const char *name, const lt_corpus_opts *opts);
/* Next event: LT_TOK_WORD with tok and len set (valid until the next call), LT_TOK_EOL,
 * LT_TOK_END, or a negative status (read error). */
int lt_corpus_next(lt_corpus *c, const char **tok, size_t *len);
int lt_corpus_rewind(lt_corpus *c);
uint64_t lt_corpus_offset(const lt_corpus *c); /* bytes consumed (uncompressed) */
int64_t lt_corpus_n_truncated(const lt_corpus *c); /* tokens cut at max_token_bytes */
int64_t lt_corpus_n_invalid(const lt_corpus *c); /* invalid UTF-8 bytes replaced */
void lt_corpus_close(lt_corpus *c);

/* Vocabulary: words with counts, ids by descending count (ties: first seen first). */
typedef struct lt_vocab lt_vocab;
typedef struct lt_vocab_opts {
    int64_t min_count; /* drop words seen fewer times [5] */
    int64_t max_size; /* keep at most this many words, 0 = no limit [0] */
    int64_t max_build; /* entries held while counting before pruning rare ones [30M] */
    int ties_by_bytes; /* words of equal count: 0 in order of first occurrence, 1 by their
                              * bytes as stanfordnlp/GloVe's vocab_count orders them [0] */
} lt_vocab_opts;
void lt_vocab_opts_init(lt_vocab_opts *o);

lt_vocab *lt_vocab_new(void);
void lt_vocab_free(lt_vocab *v);
/* Counts every word of the corpus, then applies min_count / max_size. Stats on what was
 * dropped are in lt_vocab_stats. */
int lt_vocab_build(lt_vocab *v, lt_corpus *c, const lt_vocab_opts *o);
/* Low level: add one occurrence; finalize applies the options and sorts. */
int lt_vocab_add(lt_vocab *v, const char *w, size_t n, int64_t count);
int lt_vocab_finalize(lt_vocab *v, const lt_vocab_opts *o);
int64_t lt_vocab_size(const lt_vocab *v);
int64_t lt_vocab_find(const lt_vocab *v, const char *w, size_t n); /* -1 if absent */
const char *lt_vocab_word(const lt_vocab *v, int64_t id);
int64_t lt_vocab_count(const lt_vocab *v, int64_t id);
const int64_t *lt_vocab_counts(const lt_vocab *v);
int64_t lt_vocab_total(const lt_vocab *v); /* sum of counts of kept words */
typedef struct lt_vocab_stats {
    int64_t tokens_seen, types_seen, types_kept;
    int64_t pruned_while_counting; /* words dropped because of max_build (approximate counts) */
    int64_t below_min_count, over_max_size;
} lt_vocab_stats;
lt_vocab_stats lt_vocab_get_stats(const lt_vocab *v);
/* "word count" per line, word2vec -save-vocab compatible. Atomic write. */
int lt_vocab_save(const lt_vocab *v, const char *path);
int lt_vocab_load(lt_vocab **out, const char *path);

/* Encoded corpus: in-vocabulary word ids with -1 at sentence ends; kept in an unlinked
 * temporary file mapped into memory, so corpora larger than RAM work. */
/* max_sentence: separators are also inserted every max_sentence words [1000 if 0]. */
int lt_tokens_encode(lt_tokens *t, lt_corpus *c, const lt_vocab *v, int64_t max_sentence);

#ifdef __cplusplus
}
#endif
#endif
