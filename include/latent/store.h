/* latent vector store: one in-memory type for every representation, and the file
 * formats it reads and writes.
 *
 *   lt_vecs *v;
 *   if (lt_vecs_load("vectors.bin", LT_FMT_AUTO, &v) != LT_OK) fprintf(stderr, "%s\n", lt_errmsg());
 *   int64_t i = lt_vecs_find(v, "king");            // row of a label, -1 if absent
 *   const float *row = lt_vecs_row(v, i);           // v->d floats (row stride v->ld)
 *   lt_vecs_save(v, "vectors.lvec", LT_FMT_AUTO, NULL);
 *   lt_vecs_free(v);
 *
 * Rows are 64-byte aligned with a stride of ld >= d floats; the padding is zero.
 * Native (.lvec) f32 files are memory-mapped (private copy-on-write, so writes to a
 * loaded store never reach the file). Saves are atomic: a temporary file in the same
 * folder, then rename. Loads validate every size before allocating and report the
 * file and byte offset of the first problem. A store is not thread-safe for writes;
 * concurrent reads (including lt_vecs_find after one warm-up call) are safe.
 * Formats: docs/format.md.
 */
#ifndef LATENT_STORE_H
#define LATENT_STORE_H
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum lt_format {
    LT_FMT_AUTO = 0, /* from the file name (and, for .txt, the first line) */
    LT_FMT_NATIVE, /* .lvec: latent native, mmap-able, with labels and metadata */
    LT_FMT_W2V_TXT, /* word2vec text: "n d" header then "label v1 .. vd" lines */
    LT_FMT_W2V_BIN, /* word2vec binary: "n d\n" then "label " + d LE float32 [+ "\n"] */
    LT_FMT_GLOVE, /* GloVe text: like word2vec text without the header line */
    LT_FMT_VEC, /* fastText .vec: word2vec text */
    LT_FMT_NPY, /* NumPy .npy (2-D f32/f64/f16, C order) + optional STEM.labels.txt */
    LT_FMT_FVECS, /* TEXMEX .fvecs: per row int32 d then d float32; no labels */
    LT_FMT_BVECS, /* TEXMEX .bvecs: per row int32 d then d uint8 (read only) */
    LT_FMT_IVECS, /* TEXMEX .ivecs: per row int32 d then d int32 (values as floats) */
    LT_FMT_IDX, /* IDX (MNIST): big-endian dims, u8/i8/i16/i32/f32/f64; row = first dim (read only) */
    LT_FMT_CSV, /* numeric CSV/TSV with a header; a first column "label", "id" or unnamed holds labels */
    LT_FMT_FASTTEXT /* fastText .bin model (read only; found by its magic whatever the name): the words'
                       * vectors, and n-gram rows for any other word (lt_vecs_subword) */
} lt_format;

typedef struct lt_vecs_internal lt_vecs_internal;
typedef struct lt_subword lt_subword;
typedef struct lt_vecs {
    int64_t n, d, ld; /* rows, dimension, row stride in floats (ld >= d, ld % 16 == 0) */
    float *data; /* n*ld floats, 64-byte aligned */
    char **labels; /* n NUL-terminated UTF-8 labels, or NULL when the source has none */
    lt_vecs_internal *in;
} lt_vecs;

typedef struct lt_save_opts {
    int f16; /* native only: store as IEEE half (load converts to f32) */
    int precision; /* text formats: significant digits (default 9 = exact round trip) */
    int bin_newline; /* word2vec binary: "\n" after each row (default 1, as word2vec.c) */
} lt_save_opts;
void lt_save_opts_init(lt_save_opts *o);

/* A zeroed store of n x d with no labels. NULL on failure (message set). */
lt_vecs *lt_vecs_new(int64_t n, int64_t d);
void lt_vecs_free(lt_vecs *v);
static inline float *lt_vecs_row(const lt_vecs *v, int64_t i) { return v->data + i * v->ld; }
/* Copies the label; allocates the label array on first use. */
int lt_vecs_set_label(lt_vecs *v, int64_t i, const char *label);
/* Row of a label (exact byte match), -1 if absent or no labels. Builds a hash index on
 * first call. */
int64_t lt_vecs_find(const lt_vecs *v, const char *label);
/* Subword vector of any word from a fastText model's n-grams, as fastText's getWordVector
 * (in-vocabulary words include their own row): writes d floats, returns the number of rows
 * averaged (0: no n-gram, a zero vector), or -1 when v has no subword information (out NULL:
 * only that test). */
int lt_vecs_subword(const lt_vecs *v, const char *word, float *out);
/* Writes a fastText skip-gram model (.bin, version 12, negative sampling) that fastText and
 * latent read: words with counts, the input rows (nwords + bucket) and the output rows
 * (nwords), ld floats apart. */
typedef struct lt_fasttext_args {
    int dim, ws, epoch, min_count, neg, minn, maxn;
    int64_t bucket, ntokens;
    double t;
    int cbow;
} lt_fasttext_args;
int lt_fasttext_save(const char *path, const lt_fasttext_args *a, int64_t nwords,
        const char *const *words, const int64_t *counts, const float *in, const float *out,
        int64_t ld);
/* Metadata: UTF-8 key/value pairs (no '=' in keys, no newline in either). */
int lt_vecs_meta_set(lt_vecs *v, const char *key, const char *value);
const char *lt_vecs_meta_get(const lt_vecs *v, const char *key);
/* Iterate: returns 0 when i is past the end. */
int lt_vecs_meta_at(const lt_vecs *v, int i, const char **key, const char **value);

lt_format lt_format_from_path(const char *path);
lt_format lt_format_from_name(const char *
                name); /* "native","w2v-txt","w2v-bin","glove","vec","npy","fvecs"; AUTO if unknown */
const char *lt_format_name(lt_format f);

int lt_vecs_load(const char *path, lt_format fmt, lt_vecs **out);
/* The same for a file whose labels (words) are in another encoding than UTF-8 (an iconv name:
 * latin1, cp1252, koi8-r, ...; NULL or "utf-8": as lt_vecs_load), converted to UTF-8; a fastText
 * model's word vectors and n-grams are then those of the UTF-8 words, as gensim's
 * load_facebook_model(encoding=) gives them. A label the encoding cannot decode is an error
 * naming the file and the row. */
int lt_vecs_load_encoded(const char *path, lt_format fmt, const char *encoding, lt_vecs **out);
int lt_vecs_save(const lt_vecs *v, const char *path, lt_format fmt, const lt_save_opts *opts);

/* A file written block by block, for outputs larger than memory, atomic as lt_vecs_save:
 * open with the final shape (n rows of d) and whether rows carry labels, put blocks of rows
 * in order (labels[i] labels row i of the block; NULL for an unlabelled file), commit (which
 * checks that n rows came). Every format but the native .lvec streams (its header holds the
 * data's checksum): lt_format_streamable says which. Metadata is not written (the streamed
 * formats have no place for it). */
typedef struct lt_vecs_writer lt_vecs_writer;
int lt_format_streamable(lt_format fmt);
int lt_vecs_writer_open(lt_vecs_writer **w, const char *path, lt_format fmt, int64_t n, int64_t d,
        int labelled, const lt_save_opts *opts);
int lt_vecs_writer_put(lt_vecs_writer *w, const lt_vecs *rows, char *const *labels);
/* The same on a thread of the writer's own, so the caller computes the next block while this one
 * is written: rows and labels must stay valid until the next put (of either kind), commit or
 * abort, which wait for it first; a write error comes back from that next call. */
int lt_vecs_writer_put_async(lt_vecs_writer *w, const lt_vecs *rows, char *const *labels);
int lt_vecs_writer_wait(lt_vecs_writer *w); /* the block in flight written (its rows free again) */
int lt_vecs_writer_commit(lt_vecs_writer *w); /* frees w, also on failure */
void lt_vecs_writer_abort(lt_vecs_writer *w); /* removes the temporaries; NULL-safe */

/* In-memory parsers (used by the loaders and the fuzz harnesses); `name` is used in
 * messages. */
int lt_vecs_parse(const void *buf, size_t len, lt_format fmt, const char *name, lt_vecs **out);

/* Output file written as a whole or not at all:
 *  - a regular file (new or existing) is written to "PATH.tmp-PID-XXXXXX" beside it, then
 *    flushed, fsync'ed and renamed over PATH; temporaries left by a killed process (its PID
 *    gone) are removed by the next open of the same PATH;
 *  - "-" is stdout; an existing FIFO, character or block device or socket is written through
 *    (opened as is, never replaced by a regular file; not atomic);
 *  - a symbolic link is followed: the temporary is made beside the link's target, which is
 *    replaced, so the link stays; a dangling link is refused;
 *  - a name ending in ".gz" is written gzip-compressed (not for "-" or devices).
 * Every write error (including a full disk on stdout) is reported by lt_afile_commit. */
typedef struct lt_afile {
    FILE *f;
    char *path, *tmp;
    int is_stdout, direct;
    void *gz, *buf;
} lt_afile;
int lt_afile_open(lt_afile *a, const char *path);
/* For files latent writes on its own (caches beside an input): always a temporary renamed over
 * PATH, and refused when PATH exists as anything but a regular file (a symbolic link, FIFO or
 * device is never followed, written through or replaced). */
int lt_afile_open_implicit(lt_afile *a, const char *path);
int lt_afile_commit(lt_afile *a); /* flush, fsync, rename; closes */
void lt_afile_abort(lt_afile *a); /* close and remove the temporary; NULL-safe */

/* One line of JSON Lines input: a JSON string, or an object with a "text" string; *text gets
 * its exact bytes (escaped NUL kept; NUL-terminated, lt_malloc'ed, length in *text_len).
 * With id_field, *id gets that member (string, or number printed with %.17g), which must
 * exist. LT_EFORMAT with a message otherwise. */
int lt_jsonl_text(const char *line, size_t len, const char *id_field, char **text, size_t *text_len,
        char **id);
/* Exclusive advisory lock (flock) on a file about to be modified in place: fails at once,
 * with a message saying so, when another process holds it. Release with lt_file_unlock after
 * the new version has been renamed into place. */
int lt_file_lock(const char *path, int *fd);
void lt_file_unlock(int fd);
/* .ivecs of ids (n rows of k int32), e.g. ground truth; *out is lt_malloc'ed. */
int lt_ivecs_read(const char *path, int64_t **out, int64_t *n, int64_t *k);
int lt_ivecs_write(const char *path, const int64_t *ids, int64_t n, int64_t k);

#ifdef __cplusplus
}
#endif
#endif
