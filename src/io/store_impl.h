/* Internal parts of lt_vecs shared by the store and the format readers/writers. */
#ifndef LT_STORE_IMPL_H
#define LT_STORE_IMPL_H
#include "latent/store.h"
#include "latent/io.h"
#include <stddef.h>

typedef struct lt_arena {
    struct lt_arena *next;
    size_t cap, used;
    char mem[];
} lt_arena;
struct lt_vecs_internal {
    int data_owned; /* data from lt_aligned_alloc (else inside map) */
    void *map; /* mmap of a native file the data points into */
    size_t map_len;
    lt_arena *arena; /* label storage */
    int64_t *hash; /* label -> row, open addressing, -1 empty */
    uint64_t hash_cap;
    int n_meta;
    char **meta_k, **meta_v;
    lt_subword *subword; /* fastText models: the n-gram rows (fasttext.c) */
    float *subword_words; /* and the words' own rows */
};
void lt__subword_free(lt_subword *s);
int lt__parse_fasttext(const char *buf, size_t len, const char *name, lt_vecs **out);
int lt__fasttext_legacy(
        const void *buf, size_t len); /* a fastText model from before its magic number */
char *lt__vecs_arena_alloc(lt_vecs *v, size_t n);
int lt__vecs_alloc_labels(lt_vecs *v);

/* One entry per vector format, each defined in its own file (fmt_*.c); vecs_io.c dispatches.
 * A format whose rows can be written as they come has a header (NULL: none) and a rows writer;
 * one written whole (the native box) has write_whole. `first` is the file row number of v's
 * first row (unlabelled rows of text formats are labelled with it); sep is the CSV separator. */
typedef struct lt__format {
    lt_format id;
    int (*parse)(const char *buf, size_t len, const char *name, lt_vecs **out);
    void (*header)(FILE *f, int64_t n, int64_t d, int labelled, char sep);
    int (*rows)(const lt_vecs *v, FILE *f, const lt_save_opts *o, int64_t first, char sep);
    int (*write_whole)(const lt_vecs *v, FILE *f, const lt_save_opts *o);
} lt__format;
extern const lt__format lt__fmt_native, lt__fmt_w2v_txt, lt__fmt_vec, lt__fmt_glove,
        lt__fmt_w2v_bin, lt__fmt_npy, lt__fmt_fvecs, lt__fmt_ivecs, lt__fmt_bvecs, lt__fmt_idx,
        lt__fmt_csv, lt__fmt_fasttext;

int lt__parse_native(const char *buf, size_t len, const char *name, int alias, lt_vecs **out);
/* Set by lt_vecs_load while a parser reads a file mapping: the text parser hands the pages it
 * has read back to the kernel as it goes. */
extern _Thread_local int lt__release_mapped;
/* a float at p (< end), exact for up to 19 significant digits; the end of the number, or NULL */
const char *lt__parse_float(const char *p, const char *end, float *out);
/* lt_vecs_load_encoded's conversion while it parses (NULL: the labels are UTF-8), opened once per
 * load; lt__to_utf8 converts one label (lt_free'd; NULL with the error set) */
typedef struct lt__recoder {
    void *cd;
    const char *encoding;
    int done; /* a parser converted the labels itself (fastText: before the words' vectors) */
} lt__recoder;
extern _Thread_local lt__recoder *lt__load_recoder;
char *lt__to_utf8(lt__recoder *r, const char *s, size_t n, const char *name, int64_t row);
/* a CSV file's separator: a tab for a .tsv name (.gz looked through), else a comma */
char lt__csv_sep(const char *path);
/* labels sidecar: one label per line for the n rows of v (fuzzed from memory) */
int lt__parse_labels(lt_vecs *v, const char *buf, size_t len, const char *name);
/* A whole gzip file's bytes inflated (libdeflate; several members; what follows the last
 * member and is not gzip is ignored, as zlib's gzread does); `path` names it in messages. */
int lt__gunzip(const unsigned char *in, size_t size, const char *path, char **buf, size_t *len);
/* Labels one per line; used for .npy sidecars. */
int lt__read_labels_file(lt_vecs *v, const char *path);
int lt__write_labels_file(const lt_vecs *v, const char *path);
/* An .npy's sidecar (labels.c): its path; the binding trailer after the array (the sidecar's
 * size and hash), accumulated while the labels are written; the check at load; removal of a
 * sidecar an .npy without labels would otherwise inherit. */
typedef struct {
    uint64_t bytes, hash;
} lt__label_digest;
void lt__npy_labels_path(const char *path, char *out, size_t n);
void lt__digest_put(lt__label_digest *g, const char *s, size_t n);
int lt__put_label_lines(
        FILE *f, char *const *labels, int64_t n, int64_t first, lt__label_digest *g);
int lt__put_labels_trailer(FILE *f, const lt__label_digest *g);
int lt__check_labels_binding(
        const char *buf, size_t len, const char *path, const char *lp, int have_lp);
int lt__drop_stale_labels(const char *lp);
#endif
