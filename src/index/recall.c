/* recall@k of an HNSW index against exact search: what `latent eval recall` prints, here so
 * every front end (CLI, Python, the server's /metrics) measures it the same way. */
#include "latent/index.h"
#include "latent/core.h"
#include <stdint.h>

static int bad_size(int64_t nq, int k) {
    size_t cells;
    return nq < 0 || k < 1 || !lt_mul_ok((size_t)nq, (size_t)k, &cells) || cells > SIZE_MAX / 8;
}

int lt_hnsw_truth(const lt_hnsw *h, const float *Q, int64_t nq, int64_t ldq, int k, int n_threads,
        int64_t *T) {
    lt_hnsw_info in = lt_hnsw_get_info(h);
    if (bad_size(nq, k))
        return lt_err(LT_EINVAL, "recall: %lld queries x %d results", (long long)nq, k);
    lt_vecs *ev = NULL;
    int64_t *ids = NULL;
    float *TD = lt_malloc(sizeof(float) * (size_t)(nq * k));
    int rc = TD ? lt_hnsw_export(h, &ev, &ids)
                : lt_err(LT_ENOMEM, "out of memory for %lld x %d results", (long long)nq, k);
    if (rc == LT_OK) rc = lt_knn_exact(ev, Q, nq, ldq, k, in.metric, n_threads, TD, T);
    if (rc == LT_OK) /* rows of the export -> the index's ids */
        for (int64_t i = 0; i < nq * k; i++)
            if (T[i] >= 0) T[i] = ids[T[i]];
    lt_free(TD);
    lt_vecs_free(ev);
    lt_free(ids);
    return rc;
}

int lt_hnsw_recall(const lt_hnsw *h, const float *Q, int64_t nq, int64_t ldq, int k, int ef,
        const int64_t *T, int64_t tk, int repeat, int n_threads, double *recall, double *seconds) {
    if (k < 1 || tk < k)
        return lt_err(LT_EINVAL, "recall@%d needs at least %d true ids per query (have %lld)", k, k,
                (long long)tk);
    if (bad_size(nq, k))
        return lt_err(LT_EINVAL, "recall: %lld queries x %d results", (long long)nq, k);
    float *D = lt_malloc(sizeof(float) * (size_t)(nq * k) + 1);
    int64_t *I = lt_malloc(sizeof(int64_t) * (size_t)(nq * k) + 1);
    int rc = D && I ? LT_OK
                    : lt_err(LT_ENOMEM, "out of memory for %lld x %d results", (long long)nq, k);
    double best = 1e300;
    for (int rep = 0; rc == LT_OK && rep < (repeat < 1 ? 1 : repeat);
            rep++) { /* best of repeat: shared machines are noisy */
        double t0 = lt_now();
        rc = lt_hnsw_search_batch(h, Q, nq, ldq, k, ef, NULL, n_threads, D, I);
        double t = lt_now() - t0;
        if (t < best) best = t;
    }
    if (rc == LT_OK) {
        int64_t hit = 0;
        for (int64_t i = 0; i < nq; i++)
            for (int a = 0; a < k; a++) {
                int64_t id = I[i * k + a];
                if (id < 0) continue;
                for (int b = 0; b < k; b++)
                    if (id == T[i * tk + b]) {
                        hit++;
                        break;
                    }
            }
        *recall = nq > 0 ? (double)hit / (double)(nq * k) : 0;
        if (seconds) *seconds = best;
    }
    lt_free(D);
    lt_free(I);
    return rc;
}
