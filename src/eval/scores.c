/* Test scores of trained networks on held-out data, as `latent train entity --test` reports
 * them and any front end asks for them. */
#include "latent/dense.h"
#include "latent/eval.h"
#include "latent/model.h"
#include <math.h>
#include <string.h>

int lt_entity_score(const lt_model *m, const lt_table *t, const char *name, const char *target,
        int n_threads, double *accuracy, double *auc) {
    *accuracy = NAN;
    *auc = NAN;
    lt_vecs *Z = NULL;
    int rc = lt_entity_encode(m, t, name, "output", n_threads, &Z);
    if (rc) return rc;
    int64_t n = lt_table_rows(t);
    const char *cs = lt_model_meta(m, "target_classes");
    int tc = lt_table_col(t, target);
    if (tc < 0) rc = lt_err(LT_EINVAL, "%s: no column '%s'", name, target);
    double *sc = rc ? NULL : lt_malloc((size_t)(n ? n : 1) * 8);
    int8_t *pos = rc ? NULL : lt_malloc((size_t)(n ? n : 1));
    if (!rc && (!sc || !pos)) rc = lt_err(LT_ENOMEM, "out of memory");
    int64_t hits = 0;
    for (int64_t i = 0; !rc && i < n; i++) {
        /* the row's class: its position in the model's list of target classes (0x1f-separated) */
        const char *v = lt_table_cell(t, i, tc);
        int id = -1, k = 0;
        for (const char *p = cs; p && v; k++) {
            size_t l = strcspn(p, "\x1f");
            if (l == strlen(v) && !strncmp(p, v, l)) {
                id = k;
                break;
            }
            if (!p[l]) break;
            p += l + 1;
        }
        if (id < 0) {
            rc = lt_err(LT_EINVAL, "%s: row %lld: target '%s' is not one of the trained classes",
                    name, (long long)i + 1, v ? v : "(missing)");
            break;
        }
        const float *z = lt_vecs_row(Z, i);
        int64_t best = 0;
        for (int64_t j = 1; j < Z->d; j++)
            if (z[j] > z[best]) best = j;
        hits += best == id;
        if (Z->d == 2) {
            sc[i] = (double)z[1] - z[0];
            pos[i] = id == 1;
        }
    }
    if (!rc && n) *accuracy = (double)hits / (double)n;
    if (!rc && n && Z->d == 2) *auc = lt_roc_auc(sc, pos, n);
    lt_free(sc);
    lt_free(pos);
    lt_vecs_free(Z);
    return rc;
}
