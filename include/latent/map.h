/* latent map: 2-D maps of rows (t-SNE, UMAP, PCA) for looking at a space; the report and
 * `latent map` draw them. */
#ifndef LATENT_MAP_H
#define LATENT_MAP_H
#include "latent/core.h"
#include "latent/store.h"
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 2-D maps of rows, Y: n x 2.
 *  LT_MAP_PCA: the two leading principal components.
 *  LT_MAP_TSNE: t-SNE with scikit-learn's optimiser and defaults (perplexity 30, 1000
 *   iterations, 250 of early exaggeration 12, PCA initialisation, learning rate
 *   max(n / 48, 50)): exact (O(n^2), at most 20000 rows) or Barnes-Hut (affinities on the
 *   3 * perplexity nearest neighbours, angle theta); exact < 0 picks exact up to
 *   LT_MAP_EXACT_AUTO rows. The same map for any thread count.
 *  LT_MAP_UMAP: UMAP's algorithm (McInnes et al. 2018): fuzzy simplicial set of the
 *   n_neighbors graph, a and b fitted to min_dist, SGD layout with 5 negative samples per
 *   edge, from the PCA map; epochs 0: 500 up to 10000 rows, 200 beyond. Seeded; one
 *   thread reproduces bit for bit, more threads update in parallel (Hogwild, as umap-learn). */
typedef enum { LT_MAP_TSNE = 0, LT_MAP_PCA, LT_MAP_UMAP } lt_map_method;
enum { LT_MAP_EXACT_AUTO = 2000 };
typedef struct lt_map_opts {
    lt_map_method method;
    double perplexity;
    int iters;
    int exact;
    double theta; /* t-SNE [30, 1000, -1, 0.5] */
    int n_neighbors;
    double min_dist;
    int epochs; /* UMAP [15, 0.1, 0] */
    int n_threads;
    uint64_t seed; /* [1, 1] */
    lt_progress *progress;
} lt_map_opts;
void lt_map_opts_init(lt_map_opts *o);
typedef struct lt_map_result {
    double kl_divergence;
    int iters;
    int exact;
} lt_map_result; /* exact: the t-SNE solver used */
int lt_map(const lt_vecs *X, const lt_map_opts *o, float *Y, lt_map_result *res);

#ifdef __cplusplus
}
#endif
#endif
