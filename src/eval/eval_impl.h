/* Pieces the evaluators share inside src/eval (not part of the public API). */
#ifndef LT_EVAL_IMPL_H
#define LT_EVAL_IMPL_H
#include "latent/eval.h"
#include "latent/core.h"
#include "../core/strmap.h"

/* "id label" lines (tabs, spaces or a comma; '#' comments): calls fn with the id's row in v
 * and the label's dense number (labels numbered in order of first appearance in `names`). */
typedef int (*lt__pair_fn)(void *ud, int64_t row, int64_t label, const char *id, long long line);
int lt__read_pairs(const lt_vecs *v, const char *path, const char *what, lt__strmap *names,
        lt__pair_fn fn, void *ud);

/* items[0..n) dealt to F folds (fold[i] for items[i]), stratified by yc[items[i]] in 0..L-1:
 * each class shuffled in turn, then dealt round-robin */
int lt__strat_folds(
        const int *yc, const int64_t *items, int64_t n, int L, int F, lt_rng *r, int *fold);

#endif
