/* latent index: exact k-nearest-neighbour search and HNSW approximate search.
 *
 * Distances are "smaller is closer" for every metric:
 *   LT_METRIC_L2   squared Euclidean distance
 *   LT_METRIC_IP   1 - <q, x>
 *   LT_METRIC_COS  1 - cos(q, x)   (vectors are normalised on insert / at query time)
 * Results go into caller arrays of (nq, k) distances and ids; when fewer than k items
 * exist the tail is padded with id -1 and distance +inf. Ties are broken by ascending id.
 *
 *   float D[10]; int64_t I[10];
 *   lt_knn_exact(base, q, 1, base->ld, 10, LT_METRIC_L2, 2, D, I);
 *
 *   lt_hnsw_opts o; lt_hnsw_opts_init(&o);
 *   lt_hnsw *h; lt_hnsw_new(&h, d, &o);
 *   lt_hnsw_add_store(h, base, 2);          // ids are row numbers
 *   lt_hnsw_search(h, q, 10, 64, NULL, D, I);
 *   lt_hnsw_save(h, "base.lhnsw"); lt_hnsw_free(h);
 *
 * Thread safety (HNSW): any number of lt_hnsw_search calls may run concurrently with each
 * other and with one writer (lt_hnsw_add / lt_hnsw_delete); per-node locks guard the
 * link lists and nodes live in fixed chunks that never move. Save/compact need exclusive
 * access.
 */
#ifndef LATENT_INDEX_H
#define LATENT_INDEX_H
#include "latent/store.h"
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum lt_metric { LT_METRIC_L2 = 0, LT_METRIC_IP = 1, LT_METRIC_COS = 2 } lt_metric;
const char *lt_metric_name(lt_metric m);
int lt_metric_from_name(const char *s, lt_metric *out);

/* Exact search of nq queries (rows of Q with stride ldq) over all rows of base.
 * Candidates come from float matrix products (OpenBLAS sgemm, blocked) and are re-ranked
 * in double precision, so the order equals a double-precision brute force. */
int lt_knn_exact(const lt_vecs *base, const float *Q, int64_t nq, int64_t ldq, int k, lt_metric m,
        int n_threads, float *D, int64_t *I);

/* Filters: an allow-list of ids, or a predicate. */
typedef struct lt_filter {
    const int64_t *allow;
    int64_t n_allow; /* sorted ascending, or NULL */
    int (*pred)(int64_t id, void *ud);
    void *ud; /* or a predicate, or NULL */
} lt_filter;

typedef struct lt_hnsw_opts {
    int M; /* links per node on upper layers, 2M on layer 0 [16] */
    int ef_construction; /* [200] */
    lt_metric metric; /* [L2] */
    uint64_t seed; /* level draws [100] */
    int storage; /* LT_HNSW_F32, LT_HNSW_F16 or LT_HNSW_INT8 (per-vector scale) [F32] */
    int rerank; /* compact storage: keep f32 vectors and re-rank the ef candidates
                              exactly [1]; 0 drops them (smallest memory, approximate distances) */
} lt_hnsw_opts;
enum { LT_HNSW_F32 = 0, LT_HNSW_F16 = 1, LT_HNSW_INT8 = 2 };
void lt_hnsw_opts_init(lt_hnsw_opts *o);

typedef struct lt_hnsw lt_hnsw;
int lt_hnsw_new(lt_hnsw **out, int64_t d, const lt_hnsw_opts *o);
void lt_hnsw_free(lt_hnsw *h);
/* Adds (or replaces) the vector with external id `id` (>= 0). */
int lt_hnsw_add(lt_hnsw *h, const float *x, int64_t id);
/* Adds every row of a store with ids first_id + row, using n_threads writers. */
int lt_hnsw_add_store(lt_hnsw *h, const lt_vecs *v, int64_t first_id, int n_threads);
/* Marks id deleted: never returned again; its slot is reclaimed by lt_hnsw_compact. */
int lt_hnsw_delete(lt_hnsw *h, int64_t id);
/* Rebuilds the graph without deleted nodes (same options and seed). */
int lt_hnsw_compact(lt_hnsw *h, int n_threads);
int lt_hnsw_search(
        const lt_hnsw *h, const float *q, int k, int ef, const lt_filter *f, float *D, int64_t *I);
/* nq queries on n_threads threads. */
int lt_hnsw_search_batch(const lt_hnsw *h, const float *Q, int64_t nq, int64_t ldq, int k, int ef,
        const lt_filter *f, int n_threads, float *D, int64_t *I);
/* Truth for recall: the exact k nearest of each query among the index's own live vectors, as
 * the index's ids (-1 where fewer exist); T is (nq, k). */
int lt_hnsw_truth(const lt_hnsw *h, const float *Q, int64_t nq, int64_t ldq, int k, int n_threads,
        int64_t *T);
/* recall@k at search breadth ef against truth T (nq rows of tk >= k ids, the first k used):
 * the share of the index's k results found among the row's k true ids. *seconds (optional) is
 * the fastest of `repeat` timed batch searches (queries/s = nq / *seconds). */
int lt_hnsw_recall(const lt_hnsw *h, const float *Q, int64_t nq, int64_t ldq, int k, int ef,
        const int64_t *T, int64_t tk, int repeat, int n_threads, double *recall, double *seconds);
int lt_hnsw_save(const lt_hnsw *h, const char *path);
int lt_hnsw_load(lt_hnsw **out, const char *path);
/* Parses an in-memory index file (fuzzing). */
int lt_hnsw_parse(const void *buf, size_t len, const char *name, lt_hnsw **out);

typedef struct lt_hnsw_info {
    int64_t d;
    int64_t count; /* live vectors (deleted ones are not counted) */
    int64_t deleted; /* nodes marked deleted (until compaction) */
    int64_t max_level;
    int64_t next_id; /* one past the largest id ever stored, live or deleted: where new ids start */
    int64_t bytes; /* total: vectors + codes + links */
    int64_t search_bytes; /* what graph search touches: codes (or f32 vectors) + links */
    int M, ef_construction, storage, rerank;
    lt_metric metric;
    uint64_t seed;
} lt_hnsw_info;
lt_hnsw_info lt_hnsw_get_info(const lt_hnsw *h);
/* What an index was built from: its row count and hashes of its labels and of a sample of
 * its rows. `latent index build` records it (saved in the file); any later add or delete drops
 * it. lt_hnsw_check_base refuses vectors an index does not belong to (an index answering for
 * another file gives unrelated neighbours): with a record, rows and both hashes must match;
 * without one, every id must be a row of v. */
typedef struct lt_hnsw_base {
    int64_t rows;
    uint64_t labels_hash, data_hash;
} lt_hnsw_base;
void lt_hnsw_base_of(const lt_vecs *v, lt_hnsw_base *b);
void lt_hnsw_set_base(lt_hnsw *h, const lt_hnsw_base *b); /* NULL drops the record */
int lt_hnsw_get_base(const lt_hnsw *h, lt_hnsw_base *b); /* 1 when recorded */
int lt_hnsw_check_base(
        const lt_hnsw *h, const lt_vecs *v, const char *index_name, const char *vecs_name);
/* Live vectors (as stored: unit length for cosine) and their ids (lt_malloc'ed). */
int lt_hnsw_export(const lt_hnsw *h, lt_vecs **vecs, int64_t **ids);
/* Vector of an id (NULL if absent/deleted); stable while the index lives. */
const float *lt_hnsw_vector(const lt_hnsw *h, int64_t id);

#ifdef __cplusplus
}
#endif
#endif
