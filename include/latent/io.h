/* latent io: the one gate to bytes that every capability shares. Whole-file reads (a plain
 * file is mapped, a gzip file inflated), the .npy header, and the finite-value check every
 * loader applies. The vector store (store.h), the model container (model.h) and the table and
 * image readers build on these; a capability never opens a format's bytes by itself.
 *
 *   char *buf; size_t len, map_len;
 *   if (lt_read_whole("x.txt.gz", &buf, &len, &map_len) == LT_OK) {
 *       ... buf[0 .. len) ...
 *       lt_release_whole(buf, map_len);
 *   }
 *
 * Thread safety: every function here is reentrant.
 */
#ifndef LATENT_IO_H
#define LATENT_IO_H
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The whole file at path: mapped (private, copy-on-write; *map_len != 0) when plain, inflated
 * into memory (*map_len == 0) when gzip; an empty file gives buf NULL, len 0. Messages name
 * the path. Free with lt_release_whole(buf, map_len). */
int lt_read_whole(const char *path, char **buf, size_t *len, size_t *map_len);
void lt_release_whole(void *buf, size_t map_len);

/* A .npy header (version 1-3, little-endian f4 or f8 or f2, C order, 1-D or 2-D): rows n,
 * columns d, element size es (bytes) and the offset of the data; errors name `name`. */
int lt_npy_header(const char *buf, size_t len, const char *name, int64_t *n, int64_t *d, int *es,
        size_t *off);

/* An IDX header (LeCun's MNIST files: 0, 0, type, ndims, big-endian sizes): its type (0x08
 * u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32, 0x0E f64), element size es, rows n (the first
 * size), row size d (the product of the others) and the data's offset; the data's length is
 * checked against them. Errors name `name` and the byte offset. */
int lt_idx_header(const void *buf, size_t len, const char *name, int *type, int *es, int64_t *n,
        int64_t *d, size_t *off);

/* An (n, d) .npy of bytes (|i1 when is_signed, else |u1), written atomically. */
int lt_npy_save_bytes(const char *path, const uint8_t *data, int64_t n, int64_t d, int is_signed);

/* LT_OK, or an error naming file, byte offset and row when x (d floats) holds a NaN or
 * infinity: loaders refuse such rows rather than pass them on. */
int lt_check_finite(const float *x, int64_t d, const char *name, size_t off, int64_t row);

#ifdef __cplusplus
}
#endif
#endif
