/* latent eval: neighbours, analogies and intrinsic evaluations on any vector store.
 * Cosine scores use unit-normalised copies (lt_vecs_normalized). Batched scoring uses
 * OpenBLAS sgemm. Thread-safe for concurrent calls on the same const store. */
#ifndef LATENT_EVAL_H
#define LATENT_EVAL_H
#include "latent/store.h"
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A copy with every row scaled to unit L2 norm (zero rows stay zero). */
lt_vecs *lt_vecs_normalized(const lt_vecs *v);

/* Top-k rows by cosine to q (q need not be unit), among the first `restrict_n` rows
 * (0 = all), skipping `exclude` ids. Ties: lower id first. Writes up to k results and
 * returns how many. vn must be normalised. */
int lt_nearest(const lt_vecs *vn, const float *q, int k, int64_t restrict_n, const int64_t *exclude, int n_ex,
               int64_t *ids, float *scores);

typedef enum { LT_ANALOGY_ADD = 0, LT_ANALOGY_MUL = 1 } lt_analogy_method;
/* a : b :: c : ?  (b - a + c for 3CosAdd; Levy-Goldberg 3CosMul). Query words excluded. */
int lt_analogy(const lt_vecs *vn, int64_t a, int64_t b, int64_t c, lt_analogy_method m, int k, int64_t restrict_n,
               int64_t *ids, float *scores);

typedef struct lt_analogy_section { char name[128]; int64_t correct, total, skipped; } lt_analogy_section;
/* One question of the file, in file order: its section, the rows of its four words (-1 when
 * a word is outside the restricted vocabulary; the question is then skipped) and the row the
 * method predicted (-1 when skipped). */
typedef struct lt_analogy_item { int sec; int64_t q[4], predicted; } lt_analogy_item;
typedef struct lt_analogy_report {
    lt_analogy_section *sections; int n_sections;
    int64_t sem_correct, sem_total, syn_correct, syn_total, correct, total, questions;
    lt_analogy_item *items;  /* `questions` items */
} lt_analogy_report;
/* Google analogy file (": section" headers, "a b c d" lines). Words matched case-
 * insensitively against the `restrict_n` most frequent rows (store order), as gensim's
 * evaluate_word_analogies does; sections named "gram*" are syntactic. */
int lt_eval_analogy(const lt_vecs *v, const char *path, int64_t restrict_n, lt_analogy_method m, int n_threads,
                    lt_analogy_report *out);
void lt_analogy_report_destroy(lt_analogy_report *r);

typedef struct lt_similarity_report { double spearman, pearson; int64_t used, total; } lt_similarity_report;
/* "w1<TAB>w2<TAB>score" lines, '#' comments; case-insensitive lookup. */
int lt_eval_similarity(const lt_vecs *v, const char *path, int64_t restrict_n, lt_similarity_report *out);
/* Spearman rho with average ranks for ties; Pearson r. */
double lt_spearman(const double *x, const double *y, int64_t n);
double lt_pearson(const double *x, const double *y, int64_t n);

#ifdef __cplusplus
}
#endif
#endif
