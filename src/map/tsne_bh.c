/* Barnes-Hut t-SNE (van der Maaten 2014) for maps of many rows, with scikit-learn's
 * optimiser (the schedule in tsne.c): affinities on the 3 * perplexity nearest neighbours
 * (lt__knn_graph), calibrated per row and symmetrised into a sparse P; the repulsion of
 * far cells summarised by their centre of mass when width^2 < theta^2 * distance^2.
 *
 * Each iteration sorts the points by a Morton code of their position (an LSD radix sort,
 * nearly free since the order hardly changes), builds the quadtree over that order (a cell
 * is a contiguous range of it) and walks it for fixed chunks of consecutive points, so that
 * neighbours in the walk share the cells they visit. The normalisation sum Z is added chunk
 * by chunk in a fixed order: the map does not depend on the thread count. */
#include "map_impl.h"
#include "latent/kern.h"
#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

enum { DEPTH = 21, CHUNK = 256, KL_EVERY = 50, RELABEL = 25 };

typedef struct {
    double cx, cy, w2;
    int32_t cnt, skip, lo, pad;
} bh_node;

typedef struct {
    int64_t n;
    const int64_t *rp;
    const int32_t *ci;
    const double *pv; /* P, CSR */
    const float *pf; /* P's values in float */
    double *Y, *G; /* n x 2 */
    float *Yf; /* Y in float, for the kernels */
    double *xs, *ys;
    int32_t *idx; /* points in Morton order */
    float *xf, *yf;
    bh_node *node;
    int64_t n_nodes;
    double theta2, ex, *zpart;
} bh_ctx;

/* ---- affinities ---- */
typedef struct {
    const float *D;
    double *cp;
    int k;
    double perp;
} cal_ctx;
static void cal_rows(void *ud, int64_t b, int64_t e, int tid) {
    cal_ctx *c = ud;
    double row[4096], *r = c->k <= 4096 ? row : lt_malloc((size_t)c->k * 8);
    (void)tid;
    for (int64_t i = b; i < e; i++) {
        for (int t = 0; t < c->k; t++) r[t] = c->D[i * c->k + t];
        if (r) lt__tsne_calibrate(r, c->k, -1, c->perp, c->cp + i * c->k);
        else
            for (int t = 0; t < c->k; t++)
                c->cp[i * c->k + t] = 1.0 / c->k; /* no memory for a huge k: uniform */
    }
    if (r != row) lt_free(r);
}
static int affinities(const lt_vecs *X, double perp, int n_threads, int64_t **rp_o, int32_t **ci_o,
        double **pv_o) {
    int64_t n = X->n;
    int k = (int)(3 * perp + 1);
    if (k > n - 1) k = (int)(n - 1);
    int64_t *I = lt_malloc((size_t)n * k * 8);
    float *D = lt_malloc((size_t)n * k * 4);
    double *cp = lt_malloc((size_t)n * k * 8);
    int rc = I && D && cp
            ? LT_OK
            : lt_err(LT_ENOMEM, "out of memory for the %d-neighbour graph of %lld rows", k,
                      (long long)n);
    if (rc == LT_OK) rc = lt__knn_graph(X, k, n_threads, I, D);
    cal_ctx cc = { D, cp, k, perp };
    if (rc == LT_OK) lt_parallel_for(n_threads, n, cal_rows, &cc);
    if (rc == LT_OK) rc = lt__knn_sym(I, cp, n, k, 0, rp_o, ci_o, pv_o); /* P + P^T */
    lt_free(I);
    lt_free(D);
    lt_free(cp);
    if (rc) return rc;
    int64_t m = (*rp_o)[n];
    double tot = 0, *pv = *pv_o;
    for (int64_t a = 0; a < m; a++) tot += pv[a];
    double s = tot > 2.220446049250313e-16 ? tot : 2.220446049250313e-16;
    for (int64_t a = 0; a < m; a++) pv[a] /= s;
    return LT_OK;
}

/* ---- the tree ---- */
static uint64_t spread(uint32_t v) { /* 21 bits to the even bit positions */
    uint64_t x = v & 0x1fffff;
    x = (x | x << 16) & 0x0000ffff0000ffffULL;
    x = (x | x << 8) & 0x00ff00ff00ff00ffULL;
    x = (x | x << 4) & 0x0f0f0f0f0f0f0f0fULL;
    x = (x | x << 2) & 0x3333333333333333ULL;
    x = (x | x << 1) & 0x5555555555555555ULL;
    return x;
}

/* the points' Morton codes inside the square [x0, x0 + w) x [y0, y0 + w), radix-sorted into idx */
static void morton_sort(const double *Y, int64_t n, double x0, double y0, double w, uint64_t *code,
        uint64_t *tmp, int32_t *idx, int32_t *itmp) {
    double s = (double)(1u << DEPTH) / w;
    for (int64_t i = 0; i < n; i++) {
        double fx = (Y[2 * i] - x0) * s, fy = (Y[2 * i + 1] - y0) * s;
        uint32_t qx = fx <= 0 ? 0 : fx >= (1u << DEPTH) - 1 ? (1u << DEPTH) - 1 : (uint32_t)fx;
        uint32_t qy = fy <= 0 ? 0 : fy >= (1u << DEPTH) - 1 ? (1u << DEPTH) - 1 : (uint32_t)fy;
        code[i] = spread(qx) << 1 | spread(qy);
        idx[i] = (int32_t)i;
    }
    /* 42-bit keys, 3 passes of 14 bits; stable, so equal codes keep index order */
    enum { B = 14, NB = 1 << B };
    int32_t *cnt = lt_malloc(NB * 4);
    if (!cnt) { /* no memory for the counts: a plain sort by (code, index) */
        for (int64_t i = 1; i < n; i++) {
            uint64_t ck = code[i];
            int32_t ci = idx[i];
            int64_t z = i;
            while (z > 0 && code[z - 1] > ck) {
                code[z] = code[z - 1];
                idx[z] = idx[z - 1];
                z--;
            }
            code[z] = ck;
            idx[z] = ci;
        }
        return;
    }
    for (int pass = 0; pass < 3; pass++) {
        memset(cnt, 0, NB * 4);
        int sh = pass * B;
        for (int64_t i = 0; i < n; i++) cnt[(code[i] >> sh) & (NB - 1)]++;
        int32_t sum = 0;
        for (int b = 0; b < NB; b++) {
            int32_t t = cnt[b];
            cnt[b] = sum;
            sum += t;
        }
        for (int64_t i = 0; i < n; i++) {
            int32_t at = cnt[(code[i] >> sh) & (NB - 1)]++;
            tmp[at] = code[i];
            itmp[at] = idx[i];
        }
        memcpy(code, tmp, (size_t)n * 8);
        memcpy(idx, itmp, (size_t)n * 4);
    }
    lt_free(cnt);
}

/* the cell over sorted points [lo, hi) at `level`, in preorder: its subtree is the nodes
 * [me, me + skip), so a walk that summarises a cell jumps over it and one that opens it
 * steps to its first child; no stack, and the nodes are read front to back */
static void build(bh_ctx *c, const uint64_t *code, int64_t lo, int64_t hi, int level, double w,
        double *sx, double *sy) {
    /* a cell whose points all fall in one quadrant is that quadrant: no node for it (the
     * same points and centre, so it is summarised exactly when its child is) */
    while (hi - lo > 1 && level < DEPTH &&
            ((code[lo] ^ code[hi - 1]) >> (2 * (DEPTH - 1 - level))) == 0) {
        level++;
        w /= 2;
    }
    int64_t me = c->n_nodes++;
    double x = 0, y = 0;
    if (hi - lo == 1 || level == DEPTH) {
        for (int64_t a = lo; a < hi; a++) {
            x += c->xs[a];
            y += c->ys[a];
        }
    } else {
        int sh = 2 * (DEPTH - 1 - level);
        for (int64_t a = lo; a < hi;) {
            uint64_t dg = (code[a] >> sh) & 3;
            int64_t b = a + 1;
            while (b < hi && ((code[b] >> sh) & 3) == dg) b++;
            build(c, code, a, b, level + 1, w / 2, &x, &y);
            a = b;
        }
    }
    bh_node *nd = &c->node[me];
    nd->cnt = (int32_t)(hi - lo);
    nd->lo = (int32_t)lo;
    nd->w2 = w * w;
    nd->skip = (int32_t)(c->n_nodes - me);
    nd->cx = x / (double)nd->cnt;
    nd->cy = y / (double)nd->cnt;
    *sx += x;
    *sy += y;
}

/* The repulsion on a group of consecutive sorted points: one walk for the group, a cell
 * summarised when width^2 < theta^2 d^2 for d its centre's distance to the group's box
 * (so for every point of the group), leaves taken point by point; then the group against
 * that list in one vector kernel. */
typedef struct {
    float *sx, *sy, *sw;
    int64_t m, cap;
    int oom;
} rep_list;
static void push(rep_list *L, float x, float y, float w) {
    if (L->m == L->cap) {
        int64_t nc = L->cap ? 2 * L->cap : 1024;
        float *a = lt_realloc(L->sx, (size_t)nc * 4),
              *b = a ? lt_realloc(L->sy, (size_t)nc * 4) : NULL,
              *c = b ? lt_realloc(L->sw, (size_t)nc * 4) : NULL;
        if (a) L->sx = a;
        if (b) L->sy = b;
        if (c) L->sw = c;
        if (!c) {
            L->oom = 1;
            return;
        }
        L->cap = nc;
    }
    L->sx[L->m] = x;
    L->sy[L->m] = y;
    L->sw[L->m++] = w;
}
static void group_list(const bh_ctx *c, int64_t s0, int64_t s1, rep_list *L) {
    double bx0 = INFINITY, bx1 = -INFINITY, by0 = INFINITY, by1 = -INFINITY, t2 = c->theta2;
    for (int64_t s = s0; s < s1; s++) {
        if (c->xs[s] < bx0) bx0 = c->xs[s];
        if (c->xs[s] > bx1) bx1 = c->xs[s];
        if (c->ys[s] < by0) by0 = c->ys[s];
        if (c->ys[s] > by1) by1 = c->ys[s];
    }
    L->m = 0;
    const bh_node *node = c->node;
    for (int64_t i = 0, end = c->n_nodes; i < end;) {
        const bh_node *nd = &node[i];
        if (nd->skip == 1) {
            for (int64_t a = nd->lo, e = nd->lo + nd->cnt; a < e; a++)
                push(L, c->xf[a], c->yf[a], 1);
            i++;
            continue;
        }
        double dx = nd->cx < bx0 ? bx0 - nd->cx : nd->cx > bx1 ? nd->cx - bx1 : 0;
        double dy = nd->cy < by0 ? by0 - nd->cy : nd->cy > by1 ? nd->cy - by1 : 0;
        if (nd->w2 < t2 * (dx * dx + dy * dy)) {
            push(L, (float)nd->cx, (float)nd->cy, (float)nd->cnt);
            i += nd->skip;
        } else i++;
    }
}

/* gradient of the chunks [b, e) of sorted points: attraction (exaggerated) into G, the
 * repulsion's unnormalised sum into R, and each chunk's share of Z */
typedef struct {
    bh_ctx *c;
    double *R;
    atomic_int oom;
    atomic_llong next;
} grad_ctx;
enum { GROUP = 32 };
static void grad_chunks(void *ud, int tid) { /* chunks taken one at a time: their costs differ */
    grad_ctx *g = ud;
    bh_ctx *c = g->c;
    (void)tid;
    rep_list L = { 0 };
    const lt_kernels *K = lt_kern();
    double out[3 * GROUP];
    int64_t nch = (c->n + CHUNK - 1) / CHUNK;
    for (int64_t ch; (ch = atomic_fetch_add(&g->next, 1)) < nch;) {
        int64_t s0 = ch * CHUNK, s1 = s0 + CHUNK < c->n ? s0 + CHUNK : c->n;
        double zc = 0;
        for (int64_t g0 = s0; g0 < s1; g0 += GROUP) {
            int np = (int)(s1 - g0 < GROUP ? s1 - g0 : GROUP);
            group_list(c, g0, g0 + np, &L);
            if (L.oom) {
                atomic_store(&g->oom, 1);
                break;
            }
            memset(out, 0, sizeof out);
            K->tsne_rep(c->xf + g0, c->yf + g0, np, L.sx, L.sy, L.sw, L.m, out);
            for (int t = 0; t < np; t++) {
                int64_t i = c->idx[g0 + t];
                zc += out[3 * t] - 1; /* the point itself: q = 1 */
                g->R[2 * i] = out[3 * t + 1];
                g->R[2 * i + 1] = out[3 * t + 2];
            }
        }
        for (int64_t s = s0; s < s1; s++) {
            int64_t i = c->idx[s];
            double at[2];
            K->tsne_attr(c->Yf[2 * i], c->Yf[2 * i + 1], c->ci + c->rp[i], c->pf + c->rp[i],
                    c->rp[i + 1] - c->rp[i], c->Yf, at);
            c->G[2 * i] = c->ex * at[0];
            c->G[2 * i + 1] = c->ex * at[1];
        }
        c->zpart[ch] = zc;
    }
    lt_free(L.sx);
    lt_free(L.sy);
    lt_free(L.sw);
}

/* KL(P || Q) with Q from the current Z, as scikit-learn's Barnes-Hut reports it; summed by
 * fixed blocks of rows, so the value does not depend on the thread count */
enum { KL_BLOCK = 1024 };
typedef struct {
    const bh_ctx *c;
    double Z, *part;
} kl_ctx;
static void kl_rows(void *ud, int64_t b, int64_t e, int tid) {
    kl_ctx *k = ud;
    const bh_ctx *c = k->c;
    const double tiny =
            1.1754943508222875e-38; /* float32's smallest normal, scikit-learn's floor */
    (void)tid;
    for (int64_t blk = b; blk < e; blk++) {
        double kl = 0;
        for (int64_t i = blk * KL_BLOCK; i < (blk + 1) * KL_BLOCK && i < c->n; i++)
            for (int64_t a = c->rp[i]; a < c->rp[i + 1]; a++) {
                int64_t j = c->ci[a];
                double dx = c->Y[2 * i] - c->Y[2 * j], dy = c->Y[2 * i + 1] - c->Y[2 * j + 1],
                       q = 1 / (1 + dx * dx + dy * dy) / k->Z, p = c->pv[a];
                kl += p * log((p > tiny ? p : tiny) / (q > tiny ? q : tiny));
            }
        k->part[blk] = kl;
    }
}
static double kl_of(const bh_ctx *c, double Z, int n_threads) {
    int64_t nb = (c->n + KL_BLOCK - 1) / KL_BLOCK;
    double *part = c->zpart, kl = 0; /* free between the gradient's uses */
    kl_ctx k = { c, Z, part };
    lt_parallel_for(n_threads, nb, kl_rows, &k);
    for (int64_t b = 0; b < nb; b++) kl += part[b];
    return kl;
}

/* the points' coordinates in sorted order (double and float) and Y in float */
static void copy_rows(void *ud, int64_t b, int64_t e, int tid) {
    bh_ctx *c = ud;
    (void)tid;
    for (int64_t s = b; s < e; s++) {
        c->xs[s] = c->Y[2 * c->idx[s]];
        c->ys[s] = c->Y[2 * c->idx[s] + 1];
        c->xf[s] = (float)c->xs[s];
        c->yf[s] = (float)c->ys[s];
        c->Yf[2 * s] = (float)c->Y[2 * s];
        c->Yf[2 * s + 1] = (float)c->Y[2 * s + 1];
    }
}

/* gradient 4 (attraction - repulsion / Z), then the optimiser's step, elementwise */
typedef struct {
    bh_ctx *c;
    const double *R;
    double *U, *gain, Z, mom, lr;
} step_ctx;
static void step_rows(void *ud, int64_t b, int64_t e, int tid) {
    step_ctx *s = ud;
    double *G = s->c->G;
    (void)tid;
    for (int64_t t = 2 * b; t < 2 * e; t++) G[t] = 4 * (G[t] - s->R[t] / s->Z);
    lt__tsne_step(
            s->c->Y + 2 * b, G + 2 * b, s->U + 2 * b, s->gain + 2 * b, 2 * (e - b), s->mom, s->lr);
}

/* Renumbers the points in the current Morton order (point s of the order becomes point s),
 * so that the attraction's reads of its neighbours' positions stay in cache; each row of P
 * keeps the order of its entries, so the sums, and the map, do not change. */
typedef struct {
    int64_t *rp;
    int32_t *ci;
    double *pv;
} csr_buf;
static void relabel(bh_ctx *c, csr_buf *spare, int32_t *orig, int32_t *itmp, double *U,
        double *gain, double *tmp) {
    int64_t n = c->n;
    int32_t *inv = itmp;
    for (int64_t s = 0; s < n; s++) inv[c->idx[s]] = (int32_t)s;
    spare->rp[0] = 0;
    for (int64_t s = 0; s < n; s++) {
        int64_t i = c->idx[s], b = c->rp[i], e = c->rp[i + 1], w = spare->rp[s];
        for (int64_t a = b; a < e; a++, w++) {
            spare->ci[w] = inv[c->ci[a]];
            spare->pv[w] = c->pv[a];
        }
        spare->rp[s + 1] = w;
    }
    csr_buf cur = { (int64_t *)c->rp, (int32_t *)c->ci, (double *)c->pv };
    c->rp = spare->rp;
    c->ci = spare->ci;
    c->pv = spare->pv;
    *spare = cur;
    double *arr[3] = { c->Y, U, gain };
    for (int k = 0; k < 3; k++) {
        for (int64_t s = 0; s < n; s++) {
            tmp[2 * s] = arr[k][2 * c->idx[s]];
            tmp[2 * s + 1] = arr[k][2 * c->idx[s] + 1];
        }
        memcpy(arr[k], tmp, (size_t)n * 16);
    }
    for (int64_t s = 0; s < n; s++) inv[s] = orig[c->idx[s]];
    memcpy(orig, inv, (size_t)n * 4);
    for (int64_t s = 0; s < n; s++) c->idx[s] = (int32_t)s;
}

int lt__tsne_bh(const lt_vecs *X, const lt_map_opts *o, double *Yout, lt_map_result *res) {
    double *Y = Yout;
    int64_t n = X->n, nch = (n + CHUNK - 1) / CHUNK;
    bh_ctx c = { 0 };
    c.n = n;
    c.Y = Y;
    c.theta2 = o->theta * o->theta;
    int64_t *rp = NULL;
    int32_t *ci = NULL;
    double *pv = NULL;
    int rc = affinities(X, o->perplexity, o->n_threads, &rp, &ci, &pv);
    if (rc) return rc;
    c.rp = rp;
    c.ci = ci;
    c.pv = pv;
    double *Yw = lt_malloc((size_t)n * 16); /* the map in the working numbering */
    int32_t *orig = lt_malloc((size_t)n * 4);
    csr_buf spare = { lt_malloc((size_t)(n + 1) * 8), lt_malloc((size_t)rp[n] * 4 + 4),
        lt_malloc((size_t)rp[n] * 8 + 8) };
    if (!Yw || !orig || !spare.rp || !spare.ci || !spare.pv)
        rc = lt_err(LT_ENOMEM, "out of memory for Barnes-Hut t-SNE of %lld rows", (long long)n);
    for (int64_t i = 0; rc == LT_OK && i < n; i++) {
        orig[i] = (int32_t)i;
        Yw[2 * i] = Y[2 * i];
        Yw[2 * i + 1] = Y[2 * i + 1];
    }
    c.Y = Y = Yw;
    uint64_t *code = lt_malloc((size_t)n * 8), *ctmp = lt_malloc((size_t)n * 8);
    int32_t *itmp = lt_malloc((size_t)n * 4);
    double *R = lt_malloc((size_t)n * 16), *U = lt_calloc((size_t)n * 2, 8),
           *gain = lt_malloc((size_t)n * 16);
    c.idx = lt_malloc((size_t)n * 4);
    c.xs = lt_malloc((size_t)n * 8);
    c.ys = lt_malloc((size_t)n * 8);
    c.xf = lt_malloc((size_t)n * 4);
    c.yf = lt_malloc((size_t)n * 4);
    c.Yf = lt_malloc((size_t)n * 8);
    float *pf = lt_malloc((size_t)rp[n] * 4 + 4);
    c.G = lt_malloc((size_t)n * 16);
    c.zpart = lt_malloc((size_t)nch * 8);
    c.node = lt_malloc(
            (size_t)(2 * n + 8) * sizeof(bh_node)); /* every inner cell branches: at most 2n - 1 */
    if (rc == LT_OK &&
            (!code || !ctmp || !itmp || !R || !U || !gain || !c.idx || !c.xs || !c.ys || !c.G ||
                    !c.zpart || !c.node || !c.xf || !c.yf || !c.Yf || !pf))
        rc = lt_err(LT_ENOMEM, "out of memory for Barnes-Hut t-SNE of %lld rows", (long long)n);
    for (int64_t t = 0; t < 2 * n; t++)
        if (gain) gain[t] = 1;
    double lr = lt__tsne_rate(n), kl = NAN;
    for (int it = 0; rc == LT_OK && it < o->iters; it++) {
        int early = it < LT__TSNE_EARLY;
        c.ex = early ? LT__TSNE_EXAGGERATION : 1;
        double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
        for (int64_t i = 0; i < n; i++) {
            if (Y[2 * i] < x0) x0 = Y[2 * i];
            if (Y[2 * i] > x1) x1 = Y[2 * i];
            if (Y[2 * i + 1] < y0) y0 = Y[2 * i + 1];
            if (Y[2 * i + 1] > y1) y1 = Y[2 * i + 1];
        }
        double w = (x1 - x0 > y1 - y0 ? x1 - x0 : y1 - y0);
        w = w * (1 + 1e-9) + 1e-12;
        morton_sort(Y, n, x0, y0, w, code, ctmp, c.idx, itmp);
        if (it % RELABEL == 0) relabel(&c, &spare, orig, itmp, U, gain, R);
        if (it % RELABEL == 0)
            for (int64_t a = 0; a < c.rp[n]; a++) pf[a] = (float)c.pv[a];
        c.pf = pf;
        lt_parallel_for(o->n_threads, n, copy_rows, &c);
        c.n_nodes = 0;
        double sx = 0, sy = 0;
        build(&c, code, 0, n, 0, w, &sx, &sy);
        grad_ctx g = { &c, R, 0, 0 };
        lt_run_threads(o->n_threads, grad_chunks, &g);
        if (atomic_load(&g.oom)) {
            rc = lt_err(LT_ENOMEM, "out of memory for Barnes-Hut interaction lists");
            break;
        }
        double Z = 0;
        for (int64_t ch = 0; ch < nch; ch++) Z += c.zpart[ch];
        if (!(Z > 0)) Z = 2.220446049250313e-16;
        if (!early && ((it + 1) % KL_EVERY == 0 || it + 1 == o->iters))
            kl = kl_of(&c, Z, o->n_threads);
        step_ctx sc = { &c, R, U, gain, Z, early ? 0.5 : 0.8, lr };
        lt_parallel_for(o->n_threads, n, step_rows, &sc);
        if (o->progress) lt_progress_update(o->progress, it + 1, early ? -1 : kl);
        if (!isfinite(Y[0])) rc = lt_err(LT_EINVAL, "t-SNE diverged at iteration %d", it + 1);
    }
    if (res) {
        res->kl_divergence = kl;
        res->iters = o->iters;
    }
    for (int64_t s = 0; rc == LT_OK && s < n; s++) {
        Yout[2 * orig[s]] = Yw[2 * s];
        Yout[2 * orig[s] + 1] = Yw[2 * s + 1];
    }
    lt_free(Yw);
    lt_free(orig);
    lt_free(spare.rp);
    lt_free(spare.ci);
    lt_free(spare.pv);
    lt_free(code);
    lt_free(ctmp);
    lt_free(itmp);
    lt_free(R);
    lt_free(U);
    lt_free(gain);
    lt_free(c.idx);
    lt_free(c.xs);
    lt_free(c.ys);
    lt_free(c.xf);
    lt_free(c.yf);
    lt_free(c.Yf);
    lt_free(pf);
    lt_free(c.G);
    lt_free(c.zpart);
    lt_free(c.node);
    lt_free((void *)c.rp);
    lt_free((void *)c.ci);
    lt_free((void *)c.pv);
    return rc;
}
