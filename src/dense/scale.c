/* Input scaling fitted on the training rows and stored in the model (see dense.h). */
#include "dense_impl.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *names[] = { "none", "unit", "standard", "minmax" };
int lt_scale_from_name(const char *s, lt_scale *out) {
    for (int i = 0; i < 4; i++)
        if (!strcmp(s, names[i])) {
            *out = (lt_scale)i;
            return LT_OK;
        }
    return lt_err(LT_EINVAL, "unknown scaling '%s' (none, unit, standard, minmax)", s);
}
const char *lt_scale_name(lt_scale s) { return (unsigned)s < 4 ? names[s] : "?"; }

int lt__scale_store(lt_model *m, lt_scale s, int64_t d, const double *mean, const double *var,
        const double *mn, const double *mx) {
    double *shift = lt_calloc((size_t)d, 8), *mult = lt_malloc((size_t)d * 8);
    int rc = shift && mult ? LT_OK : lt_err(LT_ENOMEM, "out of memory");
    for (int64_t j = 0; rc == LT_OK && j < d; j++) {
        mult[j] = 1; /* a constant column is shifted only */
        if (s == LT_SCALE_UNIT) mult[j] = 1.0 / 255;
        else if (s == LT_SCALE_STANDARD) {
            shift[j] = mean[j];
            mult[j] = var[j] > 0 ? 1 / sqrt(var[j]) : 1;
        } else if (s == LT_SCALE_MINMAX) {
            shift[j] = mn[j];
            mult[j] = mx[j] > mn[j] ? 1 / (mx[j] - mn[j]) : 1;
        }
    }
    if (rc == LT_OK) rc = lt_model_put(m, "shift", 1, d, shift);
    if (rc == LT_OK) rc = lt_model_put(m, "mult", 1, d, mult);
    if (rc == LT_OK) rc = lt_model_meta_set(m, "scale", lt_scale_name(s));
    lt_free(shift);
    lt_free(mult);
    return rc;
}

int lt__scale_fit(const lt_vecs *X, lt_scale s, lt_model *m) {
    int64_t n = X->n, d = X->d;
    double *mean = lt_calloc((size_t)d, 8), *var = lt_calloc((size_t)d, 8),
           *mn = lt_malloc((size_t)d * 8), *mx = lt_malloc((size_t)d * 8);
    int rc = mean && var && mn && mx ? LT_OK : lt_err(LT_ENOMEM, "out of memory");
    for (int64_t j = 0; rc == LT_OK && j < d; j++) {
        mn[j] = INFINITY;
        mx[j] = -INFINITY;
    }
    for (int64_t i = 0; rc == LT_OK && i < n; i++) {
        const float *x = lt_vecs_row(X, i);
        for (int64_t j = 0; j < d; j++) {
            mean[j] += x[j];
            mn[j] = fmin(mn[j], x[j]);
            mx[j] = fmax(mx[j], x[j]);
        }
    }
    for (int64_t j = 0; rc == LT_OK && j < d; j++) mean[j] /= (double)(n ? n : 1);
    for (int64_t i = 0; rc == LT_OK && i < n; i++) { /* two passes: the variance about the mean */
        const float *x = lt_vecs_row(X, i);
        for (int64_t j = 0; j < d; j++) {
            double t = x[j] - mean[j];
            var[j] += t * t;
        }
    }
    for (int64_t j = 0; rc == LT_OK && j < d; j++) var[j] /= (double)(n ? n : 1);
    if (rc == LT_OK) rc = lt__scale_store(m, s, d, mean, var, mn, mx);
    lt_free(mean);
    lt_free(var);
    lt_free(mn);
    lt_free(mx);
    return rc;
}

void lt__scale_rows(const lt_vecs *X, int64_t i0, int64_t nb, const double *shift,
        const double *mult, const double *mean, float *B) {
    int64_t d = X->d;
    for (int64_t i = 0; i < nb; i++) {
        const float *x = lt_vecs_row(X, i0 + i);
        float *b = B + i * d;
        for (int64_t j = 0; j < d; j++)
            b[j] = (float)((x[j] - shift[j]) * mult[j] - (mean ? mean[j] : 0));
    }
}

int lt__scale_get(const lt_model *m, int64_t d, const double **shift, const double **mult) {
    int64_t r1, c1, r2, c2;
    *shift = lt_model_get(m, "shift", &r1, &c1);
    *mult = lt_model_get(m, "mult", &r2, &c2);
    if (!*shift || !*mult || r1 != 1 || r2 != 1 || c1 != c2)
        return lt_err(LT_EFORMAT, "%s model without its scaler", lt_model_kind(m));
    if (c1 != d)
        return lt_err(LT_EINVAL, "the input has %lld columns, the %s model was fitted on %lld",
                (long long)d, lt_model_kind(m), (long long)c1);
    return LT_OK;
}
