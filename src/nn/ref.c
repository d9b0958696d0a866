/* The plain reference network: every layer's forward and backward written as the direct
 * loops of its definition (convolution as the sum over the kernel window, no im2col, no
 * BLAS), one sample at a time, in double. Tests hold the fast layers and the finite
 * differences against it. */
#include "nn_impl.h"
#include <math.h>
#include <string.h>

/* x (ih, iw, ic) -> y (oh, ow, oc) */
static void conv_fwd(const lt__nnl *L, const double *P, const double *x, double *y) {
    int k = L->k;
    const double *W = P, *bias = P + (int64_t)L->oc * k * k * L->ic;
    for (int oy = 0; oy < L->oh; oy++)
        for (int ox = 0; ox < L->ow; ox++)
            for (int o = 0; o < L->oc; o++) {
                double s = bias[o];
                for (int ky = 0; ky < k; ky++)
                    for (int kx = 0; kx < k; kx++) {
                        int iy = oy * L->s - L->pad + ky, ix = ox * L->s - L->pad + kx;
                        if (iy < 0 || iy >= L->ih || ix < 0 || ix >= L->iw) continue;
                        for (int c = 0; c < L->ic; c++)
                            s += W[(((int64_t)o * k + ky) * k + kx) * L->ic + c] *
                                    x[((int64_t)iy * L->iw + ix) * L->ic + c];
                    }
                y[((int64_t)oy * L->ow + ox) * L->oc + o] = s;
            }
}

static void conv_bwd(const lt__nnl *L, const double *P, const double *x, const double *dy,
        double *G, double *dx) {
    int k = L->k;
    const double *W = P;
    double *gb = G + (int64_t)L->oc * k * k * L->ic;
    for (int oy = 0; oy < L->oh; oy++)
        for (int ox = 0; ox < L->ow; ox++)
            for (int o = 0; o < L->oc; o++) {
                double g = dy[((int64_t)oy * L->ow + ox) * L->oc + o];
                gb[o] += g;
                for (int ky = 0; ky < k; ky++)
                    for (int kx = 0; kx < k; kx++) {
                        int iy = oy * L->s - L->pad + ky, ix = ox * L->s - L->pad + kx;
                        if (iy < 0 || iy >= L->ih || ix < 0 || ix >= L->iw) continue;
                        for (int c = 0; c < L->ic; c++) {
                            int64_t wi = (((int64_t)o * k + ky) * k + kx) * L->ic + c,
                                    xi = ((int64_t)iy * L->iw + ix) * L->ic + c;
                            G[wi] += g * x[xi];
                            dx[xi] += g * W[wi];
                        }
                    }
            }
}

static double sigm(double x) { return 1 / (1 + exp(-x)); }

/* one sample through the layers; a[l] the output of layer l (a[-1] = x) */
static void fwd1(const lt_nn *net, const double *P, double **a, const double *x, uint64_t seed,
        int64_t row) {
    for (int l = 0; l < net->nl; l++) {
        const lt__nnl *L = &net->L[l];
        const double *in = l ? a[l - 1] : x, *p = P + L->poff;
        double *y = a[l];
        switch (L->kind) {
        case LT_NN_CONV: conv_fwd(L, p, in, y); break;
        case LT_NN_LINEAR:
            for (int64_t o = 0; o < L->out; o++) {
                double s = p[L->out * L->in + o];
                for (int64_t i = 0; i < L->in; i++) s += p[o * L->in + i] * in[i];
                y[o] = s;
            }
            break;
        case LT_NN_MAXPOOL:
        case LT_NN_AVGPOOL:
            for (int oy = 0; oy < L->oh; oy++)
                for (int ox = 0; ox < L->ow; ox++)
                    for (int c = 0; c < L->ic; c++) {
                        double v = L->kind == LT_NN_MAXPOOL ? -INFINITY : 0;
                        for (int ky = 0; ky < L->k; ky++)
                            for (int kx = 0; kx < L->k; kx++) {
                                double t = in[((int64_t)(oy * L->k + ky) * L->iw + ox * L->k + kx) *
                                                L->ic +
                                        c];
                                if (L->kind == LT_NN_AVGPOOL) v += t / (L->k * L->k);
                                else if (t > v) v = t;
                            }
                        y[((int64_t)oy * L->ow + ox) * L->oc + c] = v;
                    }
            break;
        case LT_NN_RELU:
            for (int64_t i = 0; i < L->in; i++) y[i] = in[i] > 0 ? in[i] : 0;
            break;
        case LT_NN_GELU:
            for (int64_t i = 0; i < L->in; i++) y[i] = 0.5 * in[i] * (1 + erf(in[i] / sqrt(2.0)));
            break;
        case LT_NN_SIGMOID:
            for (int64_t i = 0; i < L->in; i++) y[i] = sigm(in[i]);
            break;
        case LT_NN_TANH:
            for (int64_t i = 0; i < L->in; i++) y[i] = tanh(in[i]);
            break;
        case LT_NN_DROPOUT: {
            lt_rng r;
            lt__dropout_rng(&r, seed, 0, l, row);
            for (int64_t i = 0; i < L->in; i++) {
                int keep = L->p == 0 || lt_rng_uniformf(&r) >= L->p;
                y[i] = keep ? in[i] / (1.0 - L->p) : 0;
            }
            break;
        }
        case LT_NN_LAYERNORM: {
            double m = 0, v = 0;
            for (int64_t i = 0; i < L->in; i++) m += in[i] / L->in;
            for (int64_t i = 0; i < L->in; i++) v += (in[i] - m) * (in[i] - m) / L->in;
            for (int64_t i = 0; i < L->in; i++)
                y[i] = (in[i] - m) / sqrt(v + 1e-5) * p[i] + p[L->in + i];
            break;
        }
        case LT_NN_EMBED:
            for (int j = 0, o = 0; j < L->n_cat; o += L->dims[j], j++) {
                double v = in[L->n_num + j];
                int id = v >= 0 && v < L->card[j] ? (int)v : L->card[j];
                for (int i = 0; i < L->dims[j]; i++)
                    y[o + i] = p[L->toff[j] + (int64_t)id * L->dims[j] + i];
            }
            for (int i = 0; i < L->n_num; i++) y[L->emb_out + i] = in[i];
            break;
        }
    }
}

/* backward of one sample from dy at the last layer's output; parameter gradients into G */
static void bwd1(const lt_nn *net, const double *P, double **a, const double *x, double *dy,
        double *dx, double *G, int first, uint64_t seed, int64_t row) {
    for (int l = first; l >= 0; l--) {
        const lt__nnl *L = &net->L[l];
        const double *in = l ? a[l - 1] : x, *y = a[l], *p = P + L->poff;
        double *g = G + L->poff;
        memset(dx, 0, (size_t)L->in * 8);
        switch (L->kind) {
        case LT_NN_CONV: conv_bwd(L, p, in, dy, g, dx); break;
        case LT_NN_LINEAR:
            for (int64_t o = 0; o < L->out; o++) {
                g[L->out * L->in + o] += dy[o];
                for (int64_t i = 0; i < L->in; i++) {
                    g[o * L->in + i] += dy[o] * in[i];
                    dx[i] += dy[o] * p[o * L->in + i];
                }
            }
            break;
        case LT_NN_MAXPOOL:
        case LT_NN_AVGPOOL:
            for (int oy = 0; oy < L->oh; oy++)
                for (int ox = 0; ox < L->ow; ox++)
                    for (int c = 0; c < L->ic; c++) {
                        double gy = dy[((int64_t)oy * L->ow + ox) * L->oc + c];
                        int64_t best = -1;
                        for (int ky = 0; ky < L->k; ky++)
                            for (int kx = 0; kx < L->k; kx++) {
                                int64_t xi = ((int64_t)(oy * L->k + ky) * L->iw + ox * L->k + kx) *
                                                L->ic +
                                        c;
                                if (L->kind == LT_NN_AVGPOOL) dx[xi] += gy / (L->k * L->k);
                                else if (best < 0 || in[xi] > in[best]) best = xi;
                            }
                        if (best >= 0) dx[best] += gy;
                    }
            break;
        case LT_NN_RELU:
            for (int64_t i = 0; i < L->in; i++) dx[i] = in[i] > 0 ? dy[i] : 0;
            break;
        case LT_NN_GELU:
            for (int64_t i = 0; i < L->in; i++) {
                double t = in[i];
                dx[i] = dy[i] *
                        (0.5 * (1 + erf(t / sqrt(2.0))) + t * exp(-0.5 * t * t) / sqrt(2 * M_PI));
            }
            break;
        case LT_NN_SIGMOID:
            for (int64_t i = 0; i < L->in; i++) dx[i] = dy[i] * y[i] * (1 - y[i]);
            break;
        case LT_NN_TANH:
            for (int64_t i = 0; i < L->in; i++) dx[i] = dy[i] * (1 - y[i] * y[i]);
            break;
        case LT_NN_DROPOUT: {
            lt_rng r; /* the forward pass's draws again */
            lt__dropout_rng(&r, seed, 0, l, row);
            for (int64_t i = 0; i < L->in; i++)
                dx[i] = L->p == 0 || lt_rng_uniformf(&r) >= L->p ? dy[i] / (1.0 - L->p) : 0;
            break;
        }
        case LT_NN_LAYERNORM: {
            /* y_i = xh_i g_i + b_i, xh = (x - m) / s: dx = (1/s) (dxh - mean(dxh) - xh mean(dxh xh)) */
            double m = 0, v = 0, m1 = 0, m2 = 0;
            int64_t n = L->in;
            for (int64_t i = 0; i < n; i++) m += in[i] / n;
            for (int64_t i = 0; i < n; i++) v += (in[i] - m) * (in[i] - m) / n;
            double s = sqrt(v + 1e-5);
            for (int64_t i = 0; i < n; i++) {
                double xh = (in[i] - m) / s;
                g[i] += dy[i] * xh;
                g[n + i] += dy[i];
                m1 += dy[i] * p[i] / n;
                m2 += dy[i] * p[i] * xh / n;
            }
            for (int64_t i = 0; i < n; i++) dx[i] = (dy[i] * p[i] - m1 - (in[i] - m) / s * m2) / s;
            break;
        }
        case LT_NN_EMBED:
            for (int j = 0, o = 0; j < L->n_cat; o += L->dims[j], j++) {
                double v = in[L->n_num + j];
                if (!(v >= 0 && v < L->card[j])) continue;
                for (int i = 0; i < L->dims[j]; i++)
                    g[L->toff[j] + (int64_t)(int)v * L->dims[j] + i] += dy[o + i];
            }
            return;
        }
        memcpy(dy, dx, (size_t)L->in * 8);
    }
}

int lt_nn_loss_grad_ref(lt_nn *net, const float *X, int64_t n, int64_t ldx, const float *T,
        const int *y, lt_loss loss, uint64_t seed, double *loss_out, double *g) {
    int nl = net->nl;
    int64_t widest = lt_nn_in_dim(net);
    for (int l = 0; l < nl; l++)
        if (net->L[l].out > widest) widest = net->L[l].out;
    double *P = lt_malloc((size_t)(net->np ? net->np : 1) * 8),
           **a = lt_calloc((size_t)nl, sizeof *a);
    double *x = lt_malloc((size_t)widest * 8), *dy = lt_malloc((size_t)widest * 8),
           *dx = lt_malloc((size_t)widest * 8);
    int rc = P && a && x && dy && dx ? LT_OK : lt_err(LT_ENOMEM, "out of memory");
    for (int l = 0; rc == LT_OK && l < nl; l++)
        if (!(a[l] = lt_malloc((size_t)net->L[l].out * 8))) rc = lt_err(LT_ENOMEM, "out of memory");
    if (rc == LT_OK) {
        for (int64_t i = 0; i < net->np; i++) {
            P[i] = net->P[i];
            g[i] = 0;
        }
        const lt__nnl *Lz = &net->L[nl - 1];
        int64_t D = Lz->out;
        double total = 0;
        for (int64_t r = 0; r < n; r++) {
            for (int64_t i = 0; i < lt_nn_in_dim(net); i++) x[i] = X[r * ldx + i];
            fwd1(net, P, a, x, seed, r);
            const double *o = a[nl - 1];
            int first = nl - 1;
            if (loss == LT_LOSS_MSE) {
                for (int64_t j = 0; j < D; j++) {
                    double e = o[j] - T[r * D + j];
                    total += e * e / (double)(n * D);
                    dy[j] = 2 * e / (double)(n * D);
                }
            } else if (loss == LT_LOSS_BCE) {
                for (int64_t j = 0; j < D; j++) {
                    double t = T[r * D + j], p = o[j];
                    total += -(t * log(p) + (1 - t) * log(1 - p)) / (double)(n * D);
                    dy[j] = (p - t) / (double)(n * D); /* w.r.t. the logit before the sigmoid */
                }
                first = nl - 2;
            } else {
                double mx = o[0], s = 0;
                for (int64_t j = 1; j < D; j++)
                    if (o[j] > mx) mx = o[j];
                for (int64_t j = 0; j < D; j++) s += exp(o[j] - mx);
                double lse = mx + log(s);
                total += (lse - o[y[r]]) / (double)n;
                for (int64_t j = 0; j < D; j++) dy[j] = (exp(o[j] - lse) - (j == y[r])) / (double)n;
            }
            bwd1(net, P, a, x, dy, dx, g, first, seed, r);
        }
        *loss_out = total;
    }
    for (int l = 0; a && l < nl; l++) lt_free(a[l]);
    lt_free(a);
    lt_free(P);
    lt_free(x);
    lt_free(dy);
    lt_free(dx);
    return rc;
}
