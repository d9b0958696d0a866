/* Internal parts of lt_vecs shared by the store and the format readers/writers. */
#ifndef LT_STORE_IMPL_H
#define LT_STORE_IMPL_H
#include "latent/store.h"
#include "latent/io.h"
#include <stddef.h>

typedef struct lt_arena { struct lt_arena *next; size_t cap, used; char mem[]; } lt_arena;
struct lt_vecs_internal {
    int data_owned;       /* data from lt_aligned_alloc (else inside map) */
    void *map;            /* mmap of a native file the data points into */
    size_t map_len;
    lt_arena *arena;      /* label storage */
    int64_t *hash;        /* label -> row, open addressing, -1 empty */
    uint64_t hash_cap;
    int n_meta;
    char **meta_k, **meta_v;
    lt_subword *subword;  /* fastText models: the n-gram rows (fasttext.c) */
    float *subword_words; /* and the words' own rows */
};
void lt__subword_free(lt_subword *s);
int lt__parse_fasttext(const char *buf, size_t len, const char *name, lt_vecs **out);
int lt__fasttext_legacy(const void *buf, size_t len);   /* a fastText model from before its magic number */
char *lt__vecs_arena_alloc(lt_vecs *v, size_t n);
int lt__vecs_alloc_labels(lt_vecs *v);

/* Format parsers/writers (io_formats.c, io_native.c). */
int lt__parse_text(const char *buf, size_t len, int header, const char *name, lt_vecs **out);
int lt__parse_w2v_bin(const char *buf, size_t len, const char *name, lt_vecs **out);
int lt__parse_npy(const char *buf, size_t len, const char *name, lt_vecs **out);
int lt__parse_fvecs(const char *buf, size_t len, const char *name, lt_vecs **out);
int lt__parse_native(const char *buf, size_t len, const char *name, int alias, lt_vecs **out);
/* labels sidecar: one label per line for the n rows of v (fuzzed from memory) */
int lt__parse_labels(lt_vecs *v, const char *buf, size_t len, const char *name);
int lt__write_native(const lt_vecs *v, FILE *f, int f16);
/* A whole gzip file's bytes inflated (libdeflate; several members; what follows the last
 * member and is not gzip is ignored, as zlib's gzread does); `path` names it in messages. */
int lt__gunzip(const unsigned char *in, size_t size, const char *path, char **buf, size_t *len);
/* Labels one per line; used for .npy sidecars. */
int lt__read_labels_file(lt_vecs *v, const char *path);
int lt__write_labels_file(const lt_vecs *v, const char *path);
#endif
