/* The layers' forward and backward passes over a shard of b rows (the fast versions; ref.c
 * holds the plain ones they are tested against). Rows are samples, channels-last. */
#include "nn_impl.h"
#include "nn_vec.h"

#include <math.h>
#include <string.h>
#include <stdlib.h>

int lt__nnws_init(lt__nnws *w, const lt_nn *net, int64_t cap, int train) {
    memset(w, 0, sizeof *w);
    w->cap = cap;
    int nl = net->nl;
    w->act = lt_calloc((size_t)nl, sizeof *w->act);
    w->arg = lt_calloc((size_t)nl, sizeof *w->arg);
    w->mask = lt_calloc((size_t)nl, sizeof *w->mask);
    w->stats = lt_calloc((size_t)nl, sizeof *w->stats);
    w->col = lt_calloc((size_t)nl, sizeof *w->col);
    if (!w->col || !w->act || !w->arg || !w->mask || !w->stats)
        return lt_err(LT_ENOMEM, "out of memory");
    int64_t widest = lt_nn_in_dim(net), colw = 1;
    w->x = lt_aligned_alloc((size_t)(cap * widest) * 4 + 64);
    if (!w->x) return lt_err(LT_ENOMEM, "out of memory");
    size_t pk = 16;
    for (int l = 0; l < nl; l++) {
        const lt__nnl *L = &net->L[l];
        int64_t kk = L->kind == LT_NN_CONV ? (int64_t)L->k * L->k * L->ic : L->in,
                no = L->kind == LT_NN_CONV ? L->oc : L->out;
        if (L->kind != LT_NN_CONV && L->kind != LT_NN_LINEAR) continue;
        size_t a = lt_packed_floats((int)no, (int)kk), b = lt_packed_floats((int)kk, (int)no);
        if (a > pk) pk = a;
        if (b > pk) pk = b;
    }
    if (!(w->pack = lt_aligned_alloc(pk * 4))) return lt_err(LT_ENOMEM, "out of memory");
    for (int l = 0; l < nl; l++) {
        const lt__nnl *L = &net->L[l];
        if (L->out > widest) widest = L->out;
        if (L->kind == LT_NN_RELU && l > 0 && net->L[l - 1].relu_fused)
            w->act[l] = w->act[l - 1]; /* in place */
        else if (!(w->act[l] = lt_aligned_alloc((size_t)(cap * L->out) * 4 + 64)))
            return lt_err(LT_ENOMEM, "out of memory");
        if (L->kind == LT_NN_CONV && !L->direct) {
            int64_t c = (int64_t)L->oh * L->ow * L->k * L->k * L->ic;
            if (c > colw) colw = c;
            if (!(w->col[l] = lt_aligned_alloc((size_t)(cap * c) * 4 + 64)))
                return lt_err(LT_ENOMEM, "out of memory");
        }
        if (train && L->kind == LT_NN_MAXPOOL &&
                !(w->arg[l] = lt_malloc((size_t)(cap * L->out) * 4)))
            return lt_err(LT_ENOMEM, "out of memory");
        if (train && L->kind == LT_NN_DROPOUT && !(w->mask[l] = lt_malloc((size_t)(cap * L->out))))
            return lt_err(LT_ENOMEM, "out of memory");
        if (L->kind == LT_NN_LAYERNORM && !(w->stats[l] = lt_malloc((size_t)(cap * 2) * 4)))
            return lt_err(LT_ENOMEM, "out of memory");
    }
    if (train) {
        w->dcol = lt_aligned_alloc((size_t)(cap * colw) * 4 + 64);
        w->d0 = lt_aligned_alloc((size_t)(cap * widest) * 4 + 64);
        w->d1 = lt_aligned_alloc((size_t)(cap * widest) * 4 + 64);
        w->g = lt_aligned_alloc((size_t)(net->np ? net->np : 1) * 4 + 64);
        if (!w->dcol || !w->d0 || !w->d1 || !w->g) return lt_err(LT_ENOMEM, "out of memory");
    }
    return LT_OK;
}

void lt__nnws_free(lt__nnws *w, const lt_nn *net) {
    for (int l = 0; l < net->nl; l++) {
        if (w->act && !(l > 0 && w->act[l] == w->act[l - 1])) lt_aligned_free(w->act[l]);
        if (w->arg) lt_free(w->arg[l]);
        if (w->mask) lt_free(w->mask[l]);
        if (w->stats) lt_free(w->stats[l]);
        if (w->col) lt_aligned_free(w->col[l]);
    }
    lt_free(w->act);
    lt_free(w->arg);
    lt_free(w->mask);
    lt_free(w->stats);
    lt_free(w->col);
    lt_aligned_free(w->x);
    lt_aligned_free(w->dcol);
    lt_aligned_free(w->d0);
    lt_aligned_free(w->d1);
    lt_aligned_free(w->g);
    lt_aligned_free(w->pack);
    memset(w, 0, sizeof *w);
}

/* im2col, channels-last: row (n, oy, ox) of col is the k x k x ic patch (ky, kx, c order)
 * of sample n at (oy*s - pad, ox*s - pad), zeros outside. col is (b*oh*ow, k*k*ic). */
static void im2col(const lt__nnl *L, const float *x, int64_t b, float *col) {
    int k = L->k, ic = L->ic;
    int64_t kk = (int64_t)k * k * ic;
    for (int64_t n = 0; n < b; n++) {
        const float *xs = x + n * L->in;
        for (int oy = 0; oy < L->oh; oy++)
            for (int ox = 0; ox < L->ow; ox++) {
                float *r = col + ((n * L->oh + oy) * L->ow + ox) * kk;
                for (int ky = 0; ky < k; ky++) {
                    int iy = oy * L->s - L->pad + ky;
                    float *rr = r + (int64_t)ky * k * ic;
                    if (iy < 0 || iy >= L->ih) {
                        memset(rr, 0, (size_t)k * ic * 4);
                        continue;
                    }
                    int ix0 = ox * L->s - L->pad;
                    if (ix0 >= 0 && ix0 + k <= L->iw) { /* short rows: a loop beats a memcpy call */
                        const float *src = xs + ((int64_t)iy * L->iw + ix0) * ic;
                        for (int t = 0; t < k * ic; t++) rr[t] = src[t];
                        continue;
                    }
                    for (int kx = 0; kx < k; kx++) {
                        int ix = ix0 + kx;
                        if (ix < 0 || ix >= L->iw) memset(rr + kx * ic, 0, (size_t)ic * 4);
                        else
                            memcpy(rr + kx * ic, xs + ((int64_t)iy * L->iw + ix) * ic,
                                    (size_t)ic * 4);
                    }
                }
            }
    }
}

/* the adjoint of im2col: dx (zeroed here) += the patches of dcol */
static void col2im(const lt__nnl *L, const float *dcol, int64_t b, float *dx) {
    int k = L->k, ic = L->ic;
    int64_t kk = (int64_t)k * k * ic;
    memset(dx, 0, (size_t)(b * L->in) * 4);
    for (int64_t n = 0; n < b; n++) {
        float *xs = dx + n * L->in;
        for (int oy = 0; oy < L->oh; oy++)
            for (int ox = 0; ox < L->ow; ox++) {
                const float *r = dcol + ((n * L->oh + oy) * L->ow + ox) * kk;
                for (int ky = 0; ky < k; ky++) {
                    int iy = oy * L->s - L->pad + ky;
                    if (iy < 0 || iy >= L->ih) continue;
                    for (int kx = 0; kx < k; kx++) {
                        int ix = ox * L->s - L->pad + kx;
                        if (ix < 0 || ix >= L->iw) continue;
                        float *d = xs + ((int64_t)iy * L->iw + ix) * ic;
                        const float *sr = r + ((int64_t)ky * k + kx) * ic;
                        for (int c = 0; c < ic; c++) d[c] += sr[c];
                    }
                }
            }
    }
}

/* C (m x n) = A (m x k) W^T for W (n x k): latent's packed kernel for narrow outputs (n <= 32,
 * one panel: 1.3-1.5x OpenBLAS on these shapes, bench notes in docs/design.md) and wherever
 * the BLAS runs no AVX-512 kernel (lt_prefer_packed) and 32 rows or more pay for the packing
 * (one row at a time, packing the weights would cost as much as the product), else the BLAS */
static void mm_nt(
        lt__nnws *w, int64_t m, int64_t n, int64_t k, const float *A, const float *W, float *C) {
    if (n <= LT_GEMM_NR || (m >= 32 && lt_prefer_packed())) {
        lt_packed P = { (int)n, (int)k, w->pack };
        lt_pack_rows_to(w->pack, W, (int)n, (int)k, k);
        lt_gemm_packed((int)m, A, k, &P, C, n, NULL, 0, 1);
        return;
    }
    lt_sgemm(0, 1, (int)m, (int)n, (int)k, 1.0f, A, k, W, k, 0.0f, C, n);
}

/* C (m x n) = A (m x k) B for B (k x n): packed when the inner size is small (k <= 32), or for
 * 32 rows or more when the BLAS runs no AVX-512 kernel */
static void mm_nn(
        lt__nnws *w, int64_t m, int64_t n, int64_t k, const float *A, const float *B, float *C) {
    if (k <= LT_GEMM_NR || (m >= 32 && lt_prefer_packed())) {
        lt_packed P = { (int)n, (int)k, w->pack };
        lt_pack_cols_to(w->pack, B, (int)k, (int)n, n);
        lt_gemm_packed((int)m, A, k, &P, C, n, NULL, 0, 1);
        return;
    }
    lt_sgemm(0, 0, (int)m, (int)n, (int)k, 1.0f, A, k, B, n, 0.0f, C, n);
}

static float gelu(float x) { return 0.5f * x * (1.0f + erff(x * 0.70710678118654752f)); }
static float gelu_grad(float x) {
    return 0.5f * (1.0f + erff(x * 0.70710678118654752f)) +
            x * 0.39894228040143268f * expf(-0.5f * x * x);
}

void lt__nn_fwd(const lt_nn *net, lt__nnws *w, int64_t b, int upto, int train, uint64_t seed,
        int64_t step, int64_t row0) {
    if (upto < 0 || upto >= net->nl) upto = net->nl - 1;
    for (int l = 0; l <= upto; l++) {
        const lt__nnl *L = &net->L[l];
        const float *x = l ? w->act[l - 1] : w->x, *P = net->P + L->poff;
        float *y = w->act[l];
        int64_t nx = b * L->in;
        switch (L->kind) {
        case LT_NN_CONV: {
            /* y (b*oh*ow, oc) = col (b*oh*ow, k*k*ic) W^T */
            int64_t kk = (int64_t)L->k * L->k * L->ic, m = b * L->oh * L->ow;
            int relu = L->relu_fused && l < upto;
            if (L->direct) { /* few inputs per output: direct loops over the sample beat im2col + a BLAS call */
                float wt[LT__NN_SMALLK * LT__NN_SMALLK_OC];
                for (int o = 0; o < L->oc; o++)
                    for (int64_t t = 0; t < kk; t++) wt[t * L->oc + o] = P[o * kk + t];
                for (int64_t n = 0; n < b; n++)
                    lt__v_conv_direct(x + n * L->in, L->ih, L->iw, L->ic, L->k, L->s, L->pad, wt,
                            P + (int64_t)L->oc * kk, L->oc, L->oh, L->ow, relu, y + n * L->out);
                break;
            }
            const float *cin = x;
            if (!(L->k == 1 && L->s == 1 && L->pad == 0)) {
                im2col(L, x, b, w->col[l]);
                cin = w->col[l];
            }
            mm_nt(w, m, L->oc, kk, cin, P, y);
            if (relu) lt__v_add_bias_relu(y, m, L->oc, P + (int64_t)L->oc * kk);
            else lt__v_add_bias(y, m, L->oc, P + (int64_t)L->oc * kk);
            break;
        }
        case LT_NN_LINEAR:
            mm_nt(w, b, L->out, L->in, x, P, y);
            if (L->relu_fused && l < upto) lt__v_add_bias_relu(y, b, L->out, P + L->out * L->in);
            else lt__v_add_bias(y, b, L->out, P + L->out * L->in);
            break;
        case LT_NN_MAXPOOL:
        case LT_NN_AVGPOOL: {
            int k = L->k, C = L->ic, np = k * k;
            int32_t off[64 * 64], tmp_arg[4096];
            for (int ky = 0; ky < k; ky++)
                for (int kx = 0; kx < k; kx++) off[ky * k + kx] = (ky * L->iw + kx) * C;
            for (int64_t n = 0; n < b; n++) {
                const float *xs = x + n * L->in;
                float *ys = y + n * L->out;
                int32_t *as = w->arg[l] ? w->arg[l] + n * L->out : NULL;
                for (int oy = 0; oy < L->oh; oy++)
                    for (int ox = 0; ox < L->ow; ox++) {
                        int64_t o = ((int64_t)oy * L->ow + ox) * C;
                        int32_t base = (int32_t)(((int64_t)(oy * k) * L->iw + ox * k) * C);
                        if (L->kind == LT_NN_AVGPOOL) {
                            lt__v_sum_window(xs + base, off, np, C, 1.0f / (float)np, ys + o);
                            continue;
                        }
                        for (int c0 = 0; c0 < C;
                                c0 += 4096) { /* channels in chunks of the scratch */
                            int cc = C - c0 < 4096 ? C - c0 : 4096;
                            int32_t *ao = as ? as + o + c0 : tmp_arg;
                            lt__v_maxpool(xs + base + c0, off, np, cc, ys + o + c0, ao);
                            for (int c = 0; c < cc; c++) ao[c] += base + c0;
                        }
                    }
            }
            break;
        }
        case LT_NN_RELU:
            if (y != x) lt__v_relu(x, y, nx);
            break; /* else applied in place by the layer before */
        case LT_NN_GELU:
            for (int64_t i = 0; i < nx; i++) y[i] = gelu(x[i]);
            break;
        case LT_NN_SIGMOID: lt__v_sigmoid(x, y, nx); break;
        case LT_NN_TANH:
            for (int64_t i = 0; i < nx; i++) y[i] = tanhf(x[i]);
            break;
        case LT_NN_DROPOUT:
            if (!train || L->p == 0) {
                memcpy(y, x, (size_t)nx * 4);
                break;
            }
            for (int64_t n = 0; n < b; n++) {
                lt_rng r;
                lt__dropout_rng(&r, seed, step, l, row0 + n);
                uint8_t *mk = w->mask[l] + n * L->in;
                float sc = 1.0f / (1.0f - L->p);
                for (int64_t i = 0; i < L->in; i++) {
                    mk[i] = lt_rng_uniformf(&r) >= L->p;
                    y[n * L->in + i] = mk[i] ? x[n * L->in + i] * sc : 0;
                }
            }
            break;
        case LT_NN_LAYERNORM:
            for (int64_t n = 0; n < b; n++) {
                const float *xr = x + n * L->in;
                float *yr = y + n * L->in;
                double s = 0, s2 = 0;
                for (int64_t i = 0; i < L->in; i++) s += xr[i];
                double mean = s / (double)L->in;
                for (int64_t i = 0; i < L->in; i++) s2 += (xr[i] - mean) * (xr[i] - mean);
                float rstd = (float)(1.0 / sqrt(s2 / (double)L->in + 1e-5));
                w->stats[l][2 * n] = (float)mean;
                w->stats[l][2 * n + 1] = rstd;
                for (int64_t i = 0; i < L->in; i++)
                    yr[i] = (xr[i] - (float)mean) * rstd * P[i] + P[L->in + i];
            }
            break;
        case LT_NN_EMBED:
            for (int64_t n = 0; n < b; n++) {
                const float *xr = x + n * L->in;
                float *yr = y + n * L->out;
                for (int j = 0, o = 0; j < L->n_cat; o += L->dims[j], j++) {
                    float v = xr[L->n_num + j];
                    int id = v >= 0 && v < (float)L->card[j] ? (int)v : L->card[j];
                    memcpy(yr + o, P + L->toff[j] + (int64_t)id * L->dims[j],
                            (size_t)L->dims[j] * 4);
                }
                memcpy(yr + L->emb_out, xr, (size_t)L->n_num * 4);
            }
            break;
        }
    }
}

double lt__nn_loss(const lt_nn *net, lt__nnws *w, int64_t b, int64_t nb, const float *T,
        const int *y, lt_loss loss, int *first) {
    int last = net->nl - 1;
    const lt__nnl *L = &net->L[last];
    const float *out = w->act[last];
    int64_t D = L->out;
    double sum = 0;
    float *d = w->d0;
    *first = last;
    if (loss == LT_LOSS_MSE) {
        float sc = (float)(2.0 / ((double)nb * D));
        return lt__v_mse(out, T, sc, d, b * D) / ((double)nb * D);
    }
    if (loss == LT_LOSS_BCE) {
        /* from the logits z before the sigmoid: max(z, 0) - z t + log(1 + e^-|z|); d/dz = p - t */
        const float *z = w->act[last - 1];
        float sc = (float)(1.0 / ((double)nb * D));
        for (int64_t i = 0; i < b * D; i++) {
            double zi = z[i];
            sum += (zi > 0 ? zi : 0) - zi * T[i] + log1p(exp(-fabs(zi)));
            if (d) d[i] = (out[i] - T[i]) * sc;
        }
        *first = last - 1;
        return sum / ((double)nb * D);
    }
    /* softmax cross-entropy over the logits, mean over the batch */
    float sc = (float)(1.0 / (double)nb);
    for (int64_t n = 0; n < b; n++) {
        const float *z = out + n * D;
        float *dz = d ? d + n * D : NULL;
        double mx = z[0], s = 0;
        for (int64_t j = 1; j < D; j++)
            if (z[j] > mx) mx = z[j];
        for (int64_t j = 0; j < D; j++) s += exp((double)z[j] - mx);
        double lse = mx + log(s);
        sum += lse - z[y[n]];
        if (!dz) continue;
        for (int64_t j = 0; j < D; j++) dz[j] = (float)(exp((double)z[j] - lse)) * sc;
        dz[y[n]] -= sc;
    }
    return sum / (double)nb;
}

void lt__nn_bwd(const lt_nn *net, lt__nnws *w, int64_t b, int first) {
    float *dy = w->d0, *dx = w->d1;
    for (int l = first; l >= 0; l--) {
        const lt__nnl *L = &net->L[l];
        const float *x = l ? w->act[l - 1] : w->x, *y = w->act[l], *P = net->P + L->poff;
        float *G = w->g + L->poff;
        int need_dx = l > 0;
        int64_t nx = b * L->in;
        switch (L->kind) {
        case LT_NN_CONV: {
            int64_t kk = (int64_t)L->k * L->k * L->ic, m = b * L->oh * L->ow;
            lt__v_col_sums(dy, m, L->oc, G + (int64_t)L->oc * kk);
            if (L->direct) {
                float gt[LT__NN_SMALLK * LT__NN_SMALLK_OC], wt[LT__NN_SMALLK * LT__NN_SMALLK_OC];
                memset(gt, 0, sizeof(float) * (size_t)(kk * L->oc));
                for (int o = 0; o < L->oc; o++)
                    for (int64_t t = 0; t < kk; t++) wt[t * L->oc + o] = P[o * kk + t];
                if (need_dx) memset(dx, 0, (size_t)nx * 4);
                for (int64_t n = 0; n < b; n++)
                    lt__v_conv_direct_bwd(x + n * L->in, L->ih, L->iw, L->ic, L->k, L->s, L->pad,
                            wt, L->oc, L->oh, L->ow, dy + n * L->out, gt,
                            need_dx ? dx + n * L->in : NULL);
                for (int o = 0; o < L->oc; o++)
                    for (int64_t t = 0; t < kk; t++) G[o * kk + t] += gt[t * L->oc + o];
                break;
            }
            int direct = L->k == 1 && L->s == 1 && L->pad == 0;
            const float *cin = direct ? x : w->col[l]; /* kept from the forward pass */
            /* dW (oc, kk) += dY^T (oc, m) col (m, kk); db += column sums of dY */
            lt_sgemm(1, 0, L->oc, (int)kk, (int)m, 1.0f, dy, L->oc, cin, kk, 1.0f, G, kk);
            if (need_dx) {
                /* dcol (m, kk) = dY (m, oc) W (oc, kk) */
                float *dc = direct ? dx : w->dcol;
                mm_nn(w, m, kk, L->oc, dy, P, dc);
                if (!direct) col2im(L, w->dcol, b, dx);
            }
            break;
        }
        case LT_NN_LINEAR:
            lt_sgemm(1, 0, (int)L->out, (int)L->in, (int)b, 1.0f, dy, L->out, x, L->in, 1.0f, G,
                    L->in);
            lt__v_col_sums(dy, b, L->out, G + L->out * L->in);
            if (need_dx) mm_nn(w, b, L->in, L->out, dy, P, dx);
            break;
        case LT_NN_MAXPOOL: {
            int k = L->k, C = L->ic, np = k * k;
            int32_t off[64 * 64];
            for (int ky = 0; ky < k; ky++)
                for (int kx = 0; kx < k; kx++) off[ky * k + kx] = (ky * L->iw + kx) * C;
            if (L->ih % k || L->iw % k)
                memset(dx, 0, (size_t)nx * 4); /* rows and columns no window covers */
            for (int64_t n = 0; n < b; n++) {
                const int32_t *a = w->arg[l] + n * L->out;
                const float *dyn = dy + n * L->out;
                float *dxn = dx + n * L->in;
                for (int oy = 0; oy < L->oh; oy++)
                    for (int ox = 0; ox < L->ow; ox++) {
                        int64_t o = ((int64_t)oy * L->ow + ox) * C;
                        lt__v_maxpool_bwd(dxn, off, np, C,
                                (int32_t)(((int64_t)(oy * k) * L->iw + ox * k) * C), dyn + o,
                                a + o);
                    }
            }
            break;
        }
        case LT_NN_AVGPOOL: {
            int k = L->k, C = L->ic;
            float inv = 1.0f / (float)(k * k);
            memset(dx, 0, (size_t)nx * 4);
            for (int64_t n = 0; n < b; n++)
                for (int oy = 0; oy < L->oh; oy++)
                    for (int ox = 0; ox < L->ow; ox++)
                        for (int c = 0; c < C; c++) {
                            float g = dy[n * L->out + ((int64_t)oy * L->ow + ox) * C + c] * inv;
                            for (int ky = 0; ky < k; ky++)
                                for (int kx = 0; kx < k; kx++)
                                    dx[n * L->in +
                                            ((int64_t)(oy * k + ky) * L->iw + ox * k + kx) * C +
                                            c] += g;
                        }
            break;
        }
        case LT_NN_RELU: lt__v_relu_bwd(y, dy, dx, nx); break;
        case LT_NN_GELU:
            for (int64_t i = 0; i < nx; i++) dx[i] = dy[i] * gelu_grad(x[i]);
            break;
        case LT_NN_SIGMOID:
            for (int64_t i = 0; i < nx; i++) dx[i] = dy[i] * y[i] * (1 - y[i]);
            break;
        case LT_NN_TANH:
            for (int64_t i = 0; i < nx; i++) dx[i] = dy[i] * (1 - y[i] * y[i]);
            break;
        case LT_NN_DROPOUT: {
            float sc = 1.0f / (1.0f - L->p);
            if (L->p == 0) memcpy(dx, dy, (size_t)nx * 4);
            else
                for (int64_t i = 0; i < nx; i++) dx[i] = w->mask[l][i] ? dy[i] * sc : 0;
            break;
        }
        case LT_NN_LAYERNORM:
            for (int64_t n = 0; n < b; n++) {
                const float *xr = x + n * L->in, *dyr = dy + n * L->in;
                float *dxr = dx + n * L->in;
                float mean = w->stats[l][2 * n], rstd = w->stats[l][2 * n + 1];
                double s1 = 0, s2 = 0;
                for (int64_t i = 0; i < L->in; i++) {
                    float xh = (xr[i] - mean) * rstd, g = dyr[i] * P[i];
                    G[i] += dyr[i] * xh;
                    G[L->in + i] += dyr[i];
                    s1 += g;
                    s2 += g * xh;
                }
                float m1 = (float)(s1 / (double)L->in), m2 = (float)(s2 / (double)L->in);
                for (int64_t i = 0; i < L->in; i++) {
                    float xh = (xr[i] - mean) * rstd;
                    dxr[i] = rstd * (dyr[i] * P[i] - m1 - xh * m2);
                }
            }
            break;
        case LT_NN_EMBED:
            for (int64_t n = 0; n < b; n++) {
                const float *xr = x + n * L->in, *dr = dy + n * L->out;
                for (int j = 0, o = 0; j < L->n_cat; o += L->dims[j], j++) {
                    float v = xr[L->n_num + j];
                    if (!(v >= 0 && v < (float)L->card[j]))
                        continue; /* the unseen row stays zero */
                    float *t = G + L->toff[j] + (int64_t)(int)v * L->dims[j];
                    for (int i = 0; i < L->dims[j]; i++) t[i] += dr[o + i];
                }
            }
            need_dx = 0;
            break;
        }
        if (!need_dx) break;
        float *t = dy;
        dy = dx;
        dx = t;
    }
}
