/* Pieces the maps share inside src/map (not part of the public API). */
#ifndef LT_MAP_IMPL_H
#define LT_MAP_IMPL_H
#include "latent/map.h"
#include "latent/core.h"

/* 2-D maps (tsne.c, tsne_bh.c, umap.c) */
enum { LT__TSNE_EARLY = 250 }; /* iterations of early exaggeration (momentum 0.5) */
#define LT__TSNE_EXAGGERATION 12.0
/* row i's conditional affinities from its squared distances d2[0..n) (entry `skip` excluded;
 * -1: none) for entropy log(perp), by bisection on the precision */
void lt__tsne_calibrate(const double *d2, int64_t n, int64_t skip, double perp, double *p);
double lt__tsne_rate(int64_t n); /* scikit-learn's 'auto' learning rate */
/* one step of scikit-learn's optimiser: delta-bar-delta gains, momentum */
void lt__tsne_step(
        double *Y, const double *G, double *U, double *gain, int64_t n2, double mom, double lr);
int lt__tsne_bh(const lt_vecs *X, const lt_map_opts *o, double *Y, lt_map_result *res);
int lt__umap(const lt_vecs *X, const lt_map_opts *o, double *Y, lt_map_result *res);
/* UMAP's a, b of 1 / (1 + a x^2b) for min_dist (spread 1) */
void lt__umap_fit_ab(double min_dist, double *a, double *b);
/* the k nearest other rows of every row (squared L2, ascending): latent's exact search up to
 * LT__KNN_EXACT_MAX rows, HNSW beyond */
enum { LT__KNN_EXACT_MAX = 200000 };
int lt__knn_graph(const lt_vecs *X, int k, int n_threads, int64_t *I, float *D2);
/* the symmetric graph of neighbour lists I (n x k, no row naming itself) with weights w:
 * row i (CSR, sorted by column) holds j for every j it names or that names it, a pair found
 * both ways weighted w_ij + w_ji, or w_ij + w_ji - w_ij w_ji when fuzzy (UMAP's union) */
int lt__knn_sym(const int64_t *I, const double *w, int64_t n, int k, int fuzzy, int64_t **rp,
        int32_t **ci, double **pv);

#endif
