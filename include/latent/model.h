/* latent model: one container for every fitted encoder (PCA, kernel maps, categorical
 * encoders, ...). A model is a kind ("pca"), key=value metadata (parameters and fitted
 * statistics, printed by `latent info`) and named f64 arrays. The file (.lmodel) follows the
 * vector store's conventions: a 128-byte header with its own CRC-32, CRCs over every
 * section, checks before any allocation, atomic writes. Layout: docs/format.md. */
#ifndef LATENT_MODEL_H
#define LATENT_MODEL_H
#include "latent/core.h"
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lt_model lt_model;
lt_model *lt_model_new(const char *kind);
void lt_model_free(lt_model *m);
const char *lt_model_kind(const lt_model *m);
/* metadata: keys without '=' or newline, values without newline; setting a key again replaces it */
int lt_model_meta_set(lt_model *m, const char *key, const char *value);
const char *lt_model_meta(const lt_model *m, const char *key); /* NULL if absent */
int lt_model_meta_at(
        const lt_model *m, int i, const char **key, const char **value); /* 0 past the end */
/* arrays: copied in; names up to 31 bytes; putting a name again replaces it */
int lt_model_put(lt_model *m, const char *name, int64_t rows, int64_t cols, const double *data);
const double *lt_model_get(
        const lt_model *m, const char *name, int64_t *rows, int64_t *cols); /* NULL if absent */
int lt_model_array_at(const lt_model *m, int i, const char **name, int64_t *rows,
        int64_t *cols); /* 0 past the end */
int lt_model_save(const lt_model *m, const char *path);
int lt_model_load(const char *path, lt_model **out);
int lt_model_parse(const void *buf, size_t len, const char *name, lt_model **out);
int lt_is_model_file(const char *path); /* starts with the model magic */

#ifdef __cplusplus
}
#endif
#endif
