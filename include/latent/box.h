/* latent box: the one container every native binary file is written in (.lmodel, .lvec, .lhnsw,
 * the graph cache, the trainer checkpoint). A box is an 8-byte magic naming the format, a
 * version, key=value metadata and named arrays (dtype, rows, cols, rows optionally padded), laid
 * out for mapping: a 128-byte header with its own CRC-32, the metadata and array table under one
 * CRC, the arrays 64-byte aligned under another. Layout: docs/format.md ("The box").
 *
 * Writing: declare metadata and arrays, then save (atomic) or write to a stream. Arrays are
 * given as memory (referenced, not copied, until the write) or as a fill function that emits
 * the bytes in pieces; the fill runs twice (the data CRC precedes the data, and the output may
 * be a pipe), and must emit the same bytes both times. The first error is kept and returned by
 * the write, so a writer checks once:
 *
 *   lt_boxw *w = lt_boxw_new("LTMODEL1", 1);
 *   lt_boxw_meta(w, "kind", "pca");
 *   lt_boxw_array(w, "mean", LT_BOX_F64, 1, d, mean);
 *   int rc = lt_boxw_save(w, path);   (frees w)
 *
 * Reading checks every CRC, bound, alignment, dtype and name before anything is believed; the
 * arrays then point into the caller's buffer (keep it alive while the box is used). Messages
 * name the file and the byte offset.
 *
 *   lt_box *b;
 *   if (lt_box_open(buf, len, path, "LTMODEL1", &b) == LT_OK) {
 *       int64_t d; lt_box_i64(b, "dim", 1, 1 << 20, &d);
 *       const double *mean = lt_box_need(b, "mean", LT_BOX_F64, 1, d);
 *       lt_box_free(b);
 *   }
 */
#ifndef LATENT_BOX_H
#define LATENT_BOX_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    LT_BOX_F32 = 1,
    LT_BOX_F16 = 2,
    LT_BOX_F64 = 3,
    LT_BOX_U8 = 4,
    LT_BOX_I32 = 5,
    LT_BOX_I64 = 6,
    LT_BOX_U64 = 7
} lt_box_dtype;
size_t lt_box_dtype_size(int dtype); /* 0 for an unknown dtype */

/* ---- writing ---- */
typedef struct lt_boxw lt_boxw;
typedef struct lt_box_out lt_box_out;
/* emits an array's bytes with lt_box_put, in order; returns LT_OK or an error */
typedef int (*lt_box_fill)(void *ctx, lt_box_out *out);
int lt_box_put(lt_box_out *out, const void *p, size_t n);

lt_boxw *lt_boxw_new(const char *magic, uint32_t version); /* magic: 8 bytes */
/* metadata: keys without '=' or newline, values without newline; a key set again replaces it */
void lt_boxw_meta(lt_boxw *w, const char *key, const char *value);
void lt_boxw_meta_i64(lt_boxw *w, const char *key, int64_t value);
void lt_boxw_meta_u64(lt_boxw *w, const char *key, uint64_t value);
void lt_boxw_meta_f64(lt_boxw *w, const char *key, double value); /* printed to round-trip */
/* an array of rows x cols elements, each row followed by `pad` zero elements in the file (so rows
 * start aligned when mapped); data holds rows x (cols + pad) elements (the pad ones are
 * written as zero). Names: 1 to 31 bytes, unique. */
void lt_boxw_array(lt_boxw *w, const char *name, int dtype, int64_t rows, int64_t cols, int64_t pad,
        const void *data);
/* the same, with the bytes (pad included) emitted by fill(ctx) */
void lt_boxw_array_fill(lt_boxw *w, const char *name, int dtype, int64_t rows, int64_t cols,
        int64_t pad, lt_box_fill fill, void *ctx);
int lt_boxw_save(lt_boxw *w, const char *path); /* atomic; frees w */
int lt_boxw_save_implicit(
        lt_boxw *w, const char *path); /* the same for a file nobody named (a cache) */
int lt_boxw_write(lt_boxw *w, FILE *f, const char *name); /* to an open stream; frees w */
void lt_boxw_free(lt_boxw *w);

/* ---- reading ---- */
typedef struct lt_box lt_box;
/* buf[0..len) checked as a box with this magic (NULL: any); errors name `name` */
int lt_box_open(const void *buf, size_t len, const char *name, const char *magic, lt_box **out);
void lt_box_free(lt_box *b);
uint32_t lt_box_version(const lt_box *b);
const char *lt_box_meta(const lt_box *b, const char *key); /* NULL if absent */
int lt_box_meta_at(
        const lt_box *b, int i, const char **key, const char **value); /* 0 past the end */
/* a metadata integer in [lo, hi] / a finite number: LT_OK, or LT_EFORMAT naming the file and key */
int lt_box_i64(const lt_box *b, const char *key, int64_t lo, int64_t hi, int64_t *v);
int lt_box_u64(const lt_box *b, const char *key, uint64_t *v);
int lt_box_f64(const lt_box *b, const char *key, double *v);
/* the array called name when it has this dtype and shape (rows or cols -1: any), else NULL with
 * the reason as the error (absent, other dtype, other shape) */
const void *lt_box_need(const lt_box *b, const char *name, int dtype, int64_t rows, int64_t cols);
/* the same without an error when the array is absent (NULL, error clear) */
const void *lt_box_get(const lt_box *b, const char *name, int dtype, int64_t rows, int64_t cols);
/* the i-th array (0 past the end): its name, dtype, shape, row padding and bytes */
int lt_box_array_at(const lt_box *b, int i, const char **name, int *dtype, int64_t *rows,
        int64_t *cols, int64_t *pad, const void **data);
/* the shape of a named array (0 when absent) */
int lt_box_shape(const lt_box *b, const char *name, int64_t *rows, int64_t *cols, int64_t *pad);
/* the dtype of a named array (0 when absent) */
int lt_box_type(const lt_box *b, const char *name);
/* the byte offset of a named array in the file (for messages), 0 when absent */
size_t lt_box_offset(const lt_box *b, const char *name);

#ifdef __cplusplus
}
#endif
#endif
