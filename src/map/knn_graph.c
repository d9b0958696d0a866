/* The k-nearest-neighbour graph of a set of rows, for the maps: latent's exact search
 * (deterministic, equal to a double-precision brute force) up to LT__KNN_EXACT_MAX rows,
 * an HNSW index beyond; and its symmetric form (t-SNE's P + P^T, UMAP's fuzzy union). */
#include "map_impl.h"
#include "latent/index.h"
#include <string.h>

int lt__knn_graph(const lt_vecs *X, int k, int n_threads, int64_t *I, float *D2) {
    int64_t n = X->n, kk = k + 1;
    float *Dt = lt_malloc((size_t)n * kk * 4);
    int64_t *It = lt_malloc((size_t)n * kk * 8);
    int rc = Dt && It ? LT_OK : lt_err(LT_ENOMEM, "out of memory for the %d-neighbour graph", k);
    if (rc == LT_OK && n <= LT__KNN_EXACT_MAX)
        rc = lt_knn_exact(X, X->data, n, X->ld, (int)kk, LT_METRIC_L2, n_threads, Dt, It);
    else if (rc == LT_OK) {
        lt_hnsw_opts ho;
        lt_hnsw_opts_init(&ho);
        lt_hnsw *h = NULL;
        rc = lt_hnsw_new(&h, X->d, &ho);
        if (rc == LT_OK) rc = lt_hnsw_add_store(h, X, 0, n_threads);
        if (rc == LT_OK)
            rc = lt_hnsw_search_batch(h, X->data, n, X->ld, (int)kk,
                    kk * 2 > 100 ? (int)(kk * 2) : 100, NULL, n_threads, Dt, It);
        lt_hnsw_free(h);
    }
    /* the row itself out (wherever duplicates put it), the k others kept in order */
    for (int64_t i = 0; rc == LT_OK && i < n; i++) {
        int t = 0;
        for (int64_t s = 0; s < kk && t < k; s++) {
            if (It[i * kk + s] == i || It[i * kk + s] < 0) continue;
            I[i * k + t] = It[i * kk + s];
            D2[i * k + t] = Dt[i * kk + s] > 0 ? Dt[i * kk + s] : 0;
            t++;
        }
        if (t < k)
            rc = lt_err(LT_EINVAL, "row %lld: fewer than %d neighbours found", (long long)i, k);
    }
    lt_free(Dt);
    lt_free(It);
    return rc;
}

int lt__knn_sym(const int64_t *I, const double *w, int64_t n, int k, int fuzzy, int64_t **rp_o,
        int32_t **ci_o, double **pv_o) {
    int64_t *rp = lt_calloc((size_t)n + 1, 8), *fill = lt_malloc((size_t)n * 8);
    int32_t *ci = NULL;
    double *pv = NULL;
    int rc = rp && fill
            ? LT_OK
            : lt_err(LT_ENOMEM, "out of memory for the neighbour graph of %lld rows", (long long)n);
    /* row i gets its k neighbours and every row naming i */
    for (int64_t i = 0; rc == LT_OK && i < n; i++) {
        rp[i + 1] += k;
        for (int t = 0; t < k; t++) rp[I[i * k + t] + 1]++;
    }
    for (int64_t i = 0; rc == LT_OK && i < n; i++) rp[i + 1] += rp[i];
    if (rc == LT_OK &&
            (!(ci = lt_malloc((size_t)rp[n] * 4 + 4)) || !(pv = lt_malloc((size_t)rp[n] * 8 + 8))))
        rc = lt_err(LT_ENOMEM, "out of memory for %lld neighbour pairs", (long long)rp[n]);
    if (rc == LT_OK) {
        memcpy(fill, rp, (size_t)n * 8);
        for (int64_t i = 0; i < n; i++)
            for (int t = 0; t < k; t++) {
                int64_t j = I[i * k + t];
                ci[fill[i]] = (int32_t)j;
                pv[fill[i]++] = w[i * k + t];
                ci[fill[j]] = (int32_t)i;
                pv[fill[j]++] = w[i * k + t];
            }
        /* each row sorted by column (insertion sort: rows are short), pairs found both ways combined */
        int64_t o = 0;
        for (int64_t i = 0; i < n; i++) {
            int64_t b = rp[i], e = rp[i + 1];
            for (int64_t a = b + 1; a < e; a++) {
                int32_t cj = ci[a];
                double v = pv[a];
                int64_t z = a;
                while (z > b && ci[z - 1] > cj) {
                    ci[z] = ci[z - 1];
                    pv[z] = pv[z - 1];
                    z--;
                }
                ci[z] = cj;
                pv[z] = v;
            }
            rp[i] = o;
            for (int64_t a = b; a < e; a++) {
                if (o > rp[i] && ci[o - 1] == ci[a])
                    pv[o - 1] = fuzzy ? pv[o - 1] + pv[a] - pv[o - 1] * pv[a] : pv[o - 1] + pv[a];
                else {
                    ci[o] = ci[a];
                    pv[o] = pv[a];
                    o++;
                }
            }
        }
        rp[n] = o;
    }
    lt_free(fill);
    if (rc) {
        lt_free(rp);
        lt_free(ci);
        lt_free(pv);
        return rc;
    }
    *rp_o = rp;
    *ci_o = ci;
    *pv_o = pv;
    return LT_OK;
}
