/* Internal: bounded top-k selection by (distance ascending, id ascending). The heap keeps
 * the worst kept item at the root so a candidate is compared with one element. */
#ifndef LT_TOPK_H
#define LT_TOPK_H
#include <stdint.h>

typedef struct lt_topk {
    float *d;
    int64_t *id;
    int n, k;
} lt_topk;

static inline int lt_topk_better(float d1, int64_t i1, float d2, int64_t i2) {
    return d1 < d2 || (d1 == d2 && i1 < i2);
}

static inline void lt_topk_sift_down(lt_topk *h, int i, float d, int64_t id) {
    for (;;) {
        int l = 2 * i + 1, r = l + 1, w = i;
        float wd = d;
        int64_t wi = id;
        if (l < h->n && lt_topk_better(wd, wi, h->d[l], h->id[l])) {
            w = l;
            wd = h->d[l];
            wi = h->id[l];
        }
        if (r < h->n && lt_topk_better(wd, wi, h->d[r], h->id[r])) w = r;
        if (w == i) break;
        h->d[i] = h->d[w];
        h->id[i] = h->id[w];
        i = w;
    }
    h->d[i] = d;
    h->id[i] = id;
}

/* Worst kept distance (+inf semantics left to the caller when n < k). */
static inline void lt_topk_push(lt_topk *h, float d, int64_t id) {
    if (h->n < h->k) {
        int i = h->n++;
        while (i > 0) {
            int p = (i - 1) / 2;
            if (!lt_topk_better(h->d[p], h->id[p], d, id)) break;
            h->d[i] = h->d[p];
            h->id[i] = h->id[p];
            i = p;
        }
        h->d[i] = d;
        h->id[i] = id;
        return;
    }
    if (!lt_topk_better(d, id, h->d[0], h->id[0])) return;
    lt_topk_sift_down(h, 0, d, id);
}

/* Empties the heap into ascending order; returns the count. */
static inline int lt_topk_sorted(lt_topk *h, float *d, int64_t *ids) {
    int n = h->n;
    for (int i = n - 1; i >= 0; i--) {
        d[i] = h->d[0];
        ids[i] = h->id[0];
        h->n--;
        if (h->n > 0) lt_topk_sift_down(h, 0, h->d[h->n], h->id[h->n]);
    }
    return n;
}
#endif
