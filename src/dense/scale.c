/* Input scaling fitted on the training rows and stored in the model (see dense.h). */
#include "dense_impl.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *names[] = {"none", "unit", "standard", "minmax"};
int lt_scale_from_name(const char *s, lt_scale *out) {
    for (int i = 0; i < 4; i++) if (!strcmp(s, names[i])) { *out = (lt_scale)i; return LT_OK; }
    return lt_err(LT_EINVAL, "unknown scaling '%s' (none, unit, standard, minmax)", s);
}
const char *lt_scale_name(lt_scale s) { return (unsigned)s < 4 ? names[s] : "?"; }

int lt__scale_fit(const lt_vecs *X, lt_scale s, lt_model *m) {
    int64_t n = X->n, d = X->d;
    double *shift = lt_calloc((size_t)d, 8), *mult = lt_malloc((size_t)d * 8);
    int rc = shift && mult ? LT_OK : lt_err(LT_ENOMEM, "out of memory");
    for (int64_t j = 0; rc == LT_OK && j < d; j++) mult[j] = s == LT_SCALE_UNIT ? 1.0 / 255 : 1;
    if (rc == LT_OK && (s == LT_SCALE_STANDARD || s == LT_SCALE_MINMAX)) {
        double *a = lt_calloc((size_t)d, 8), *b = lt_calloc((size_t)d, 8);
        if (!a || !b) rc = lt_err(LT_ENOMEM, "out of memory");
        for (int64_t j = 0; rc == LT_OK && j < d; j++) { a[j] = s == LT_SCALE_MINMAX ? INFINITY : 0; b[j] = s == LT_SCALE_MINMAX ? -INFINITY : 0; }
        for (int64_t i = 0; rc == LT_OK && i < n; i++) {
            const float *x = lt_vecs_row(X, i);
            if (s == LT_SCALE_MINMAX) for (int64_t j = 0; j < d; j++) { a[j] = fmin(a[j], x[j]); b[j] = fmax(b[j], x[j]); }
            else for (int64_t j = 0; j < d; j++) a[j] += x[j];
        }
        if (rc == LT_OK && s == LT_SCALE_STANDARD) {   /* two passes: the variance about the mean */
            for (int64_t j = 0; j < d; j++) a[j] /= (double)(n ? n : 1);
            for (int64_t i = 0; i < n; i++) {
                const float *x = lt_vecs_row(X, i);
                for (int64_t j = 0; j < d; j++) { double t = x[j] - a[j]; b[j] += t * t; }
            }
        }
        for (int64_t j = 0; rc == LT_OK && j < d; j++) {
            shift[j] = n ? a[j] : 0;
            double w = s == LT_SCALE_MINMAX ? b[j] - a[j] : sqrt(b[j] / (double)(n ? n : 1));
            mult[j] = n && w > 0 ? 1 / w : 1;   /* a constant column is shifted only */
        }
        lt_free(a); lt_free(b);
    }
    if (rc == LT_OK) rc = lt_model_put(m, "shift", 1, d, shift);
    if (rc == LT_OK) rc = lt_model_put(m, "mult", 1, d, mult);
    if (rc == LT_OK) rc = lt_model_meta_set(m, "scale", lt_scale_name(s));
    lt_free(shift); lt_free(mult);
    return rc;
}

int lt__scale_get(const lt_model *m, int64_t d, const double **shift, const double **mult) {
    int64_t r1, c1, r2, c2;
    *shift = lt_model_get(m, "shift", &r1, &c1);
    *mult = lt_model_get(m, "mult", &r2, &c2);
    if (!*shift || !*mult || r1 != 1 || r2 != 1 || c1 != c2) return lt_err(LT_EFORMAT, "%s model without its scaler", lt_model_kind(m));
    if (c1 != d) return lt_err(LT_EINVAL, "the input has %lld columns, the %s model was fitted on %lld", (long long)d, lt_model_kind(m), (long long)c1);
    return LT_OK;
}
