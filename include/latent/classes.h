/* latent classes: row-aligned class labels, shared by the probes, the evaluations and the
 * supervised trainers. */
#ifndef LATENT_CLASSES_H
#define LATENT_CLASSES_H
#include "latent/core.h"
#include "latent/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Class labels of rows: a file with one label per line in row order ('#' lines skipped), an
 * "id label" file keyed by the vectors' labels (keys, optional: every line two fields split at
 * the first tab or space, every id a label of keys, every row named once; ids that do not
 * match are an error, never read as rows), or an IDX file (MNIST labels; each value's decimal
 * text is its name). Several files share one
 * lt_classes, so train and test agree on the class numbers; lt_classes_sort renumbers the
 * classes in sorted name order (numeric when every name is a number), as scikit-learn does. */
typedef struct lt_classes lt_classes;
lt_classes *lt_classes_new(void);
void lt_classes_free(lt_classes *c);
int lt_classes_read(lt_classes *c, const char *path, int64_t n_rows, const lt_vecs *keys,
        int *y); /* y: n_rows class ids */
/* the class id of one name (added when new); negative status on failure */
int lt_classes_add(lt_classes *c, const char *name);
int lt_classes_count(const lt_classes *c);
const char *lt_classes_name(const lt_classes *c, int i);
int lt_classes_sort(lt_classes *c, int *y1, int64_t n1, int *y2, int64_t n2);

#ifdef __cplusplus
}
#endif
#endif
