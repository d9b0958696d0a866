/* Networks: architecture strings to layers with shapes, parameters, initialisation, and the
 * model container. */
#include "nn_impl.h"
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_LAYERS = 256 };

static const char *kind_name(lt_nn_kind k) {
    switch (k) {
    case LT_NN_CONV: return "conv";
    case LT_NN_MAXPOOL: return "maxpool";
    case LT_NN_AVGPOOL: return "avgpool";
    case LT_NN_LINEAR: return "linear";
    case LT_NN_RELU: return "relu";
    case LT_NN_GELU: return "gelu";
    case LT_NN_SIGMOID: return "sigmoid";
    case LT_NN_TANH: return "tanh";
    case LT_NN_DROPOUT: return "dropout";
    case LT_NN_LAYERNORM: return "layernorm";
    case LT_NN_EMBED: return "embed";
    }
    return "?";
}

static int act_from_name(const char *s, size_t n, lt_nn_kind *k) {
    static const struct {
        const char *n;
        int k;
    } t[] = { { "relu", LT_NN_RELU }, { "gelu", LT_NN_GELU }, { "sigmoid", LT_NN_SIGMOID },
        { "tanh", LT_NN_TANH }, { "linear", 0 } };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strlen(t[i].n) == n && !strncmp(s, t[i].n, n)) {
            *k = (lt_nn_kind)t[i].k;
            return 1;
        }
    return 0;
}

static lt__nnl *push(lt_nn *net, lt_nn_kind kind) {
    if (net->nl == MAX_LAYERS) return NULL;
    lt__nnl *p = &net->L[net->nl];
    const lt__nnl *prev = net->nl ? &net->L[net->nl - 1] : NULL;
    memset(p, 0, sizeof *p);
    p->kind = kind;
    p->ic = prev ? prev->oc : net->c;
    p->ih = prev ? prev->oh : net->h;
    p->iw = prev ? prev->ow : net->w;
    p->oc = p->ic;
    p->oh = p->ih;
    p->ow = p->iw;
    net->nl++;
    return p;
}

static void finish(lt__nnl *p) {
    p->in = (int64_t)p->ic * p->ih * p->iw;
    p->out = (int64_t)p->oc * p->oh * p->ow;
}

static int is_number_token(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i])) return 0;
    return n > 0;
}

static lt_nn *alloc_net(const char *arch, int c, int h, int w) {
    lt_nn *net = lt_calloc(1, sizeof *net);
    if (!net) return NULL;
    net->L = lt_calloc(MAX_LAYERS, sizeof *net->L);
    net->arch = lt_strdup(arch ? arch : "");
    net->c = c;
    net->h = h;
    net->w = w;
    if (!net->L || !net->arch) {
        lt_nn_free(net);
        return NULL;
    }
    return net;
}

/* parameters: offsets in layer order */
static int place_params(lt_nn *net) {
    int64_t off = 0;
    for (int l = 0; l < net->nl; l++) {
        lt__nnl *p = &net->L[l];
        p->poff = off;
        switch (p->kind) {
        case LT_NN_CONV: p->np = (int64_t)p->oc * p->k * p->k * p->ic + p->oc; break;
        case LT_NN_LINEAR: p->np = p->out * p->in + p->out; break;
        case LT_NN_LAYERNORM: p->np = 2 * p->in; break;
        case LT_NN_EMBED:
            p->np = 0;
            for (int j = 0; j < p->n_cat; j++) p->np += (int64_t)(p->card[j] + 1) * p->dims[j];
            break;
        default: p->np = 0;
        }
        off += p->np;
        if (off > ((int64_t)1 << 34))
            return lt_err(LT_EINVAL, "network: more than 2^34 parameters");
    }
    net->np = off;
    for (int l = 0; l < net->nl; l++) { /* fusions the fast layers use (ref.c ignores them) */
        lt__nnl *p = &net->L[l];
        p->relu_fused = (p->kind == LT_NN_CONV || p->kind == LT_NN_LINEAR) && l + 1 < net->nl &&
                net->L[l + 1].kind == LT_NN_RELU;
        p->direct = p->kind == LT_NN_CONV && (int64_t)p->k * p->k * p->ic <= LT__NN_SMALLK &&
                p->oc <= LT__NN_SMALLK_OC;
    }
    net->P = lt_aligned_alloc((size_t)(off ? off : 1) * 4);
    if (!net->P) return lt_err(LT_ENOMEM, "out of memory");
    memset(net->P, 0, (size_t)(off ? off : 1) * 4);
    return LT_OK;
}

/* the layers of arch after whatever net already holds */
static int parse_arch(lt_nn *net, const char *arch, int autoenc_ok) {
    const char *s = arch;
    int n_tok = 0, all_num = 1;
    for (const char *p = s; *p;) {
        size_t n = strcspn(p, "-");
        if (!n) return lt_err(LT_EINVAL, "architecture '%s': empty token", arch);
        if (!is_number_token(p, n)) all_num = 0;
        n_tok++;
        p += n;
        if (*p) p++;
    }
    if (!n_tok) return lt_err(LT_EINVAL, "architecture: empty");
    int first_num = all_num && autoenc_ok; /* the first number is the input width */
    int bottleneck = -1, widths[MAX_LAYERS], nw = 0;
    if (first_num) {
        for (const char *p = s; *p && nw < MAX_LAYERS;) {
            widths[nw++] = atoi(p);
            p += strcspn(p, "-");
            if (*p) p++;
        }
        if (nw < 2)
            return lt_err(LT_EINVAL,
                    "architecture '%s': an autoencoder needs the input width and at least one layer",
                    arch);
        if (widths[0] != net->c * net->h * net->w)
            return lt_err(LT_EINVAL,
                    "architecture '%s': first number %d is the input width, but the input has %d columns",
                    arch, widths[0], net->c * net->h * net->w);
        int mn = 1;
        for (int i = 1; i < nw - 1; i++)
            if (widths[i] < widths[mn]) mn = i;
        bottleneck = mn; /* first of the narrowest (hidden) layers */
    }
    int n_lin = 0, n_conv = 0, n_pool = 0, ti = 0;
    const char *p = s;
    if (first_num) {
        p += strcspn(p, "-");
        if (*p) p++;
        ti = 1;
    }
    for (; *p; ti++) {
        size_t n = strcspn(p, "-");
        char tok[64];
        if (n >= sizeof tok) return lt_err(LT_EINVAL, "architecture '%s': token too long", arch);
        memcpy(tok, p, n);
        tok[n] = 0;
        p += n;
        if (*p) p++;
        int last = !*p;
        char *colon = strchr(tok, ':');
        lt_nn_kind act = 0;
        int act_given = 0;
        if (colon) {
            if (!act_from_name(colon + 1, strlen(colon + 1), &act))
                return lt_err(LT_EINVAL,
                        "architecture: token '%s': unknown activation '%s' (relu, gelu, sigmoid, tanh, linear)",
                        tok, colon + 1);
            *colon = 0;
            act_given = 1;
        }
        const lt__nnl *prev = net->nl ? &net->L[net->nl - 1] : NULL;
        int ih = prev ? prev->oh : net->h, iw = prev ? prev->ow : net->w;
        lt__nnl *L;
        char *e;
        if (tok[0] == 'c' && isdigit((unsigned char)tok[1])) {
            long nf = strtol(tok + 1, &e, 10), k = 3, st = 1, pad = -1;
            if (*e == 'k') k = strtol(e + 1, &e, 10);
            if (*e == 's') st = strtol(e + 1, &e, 10);
            if (*e == 'p') pad = strtol(e + 1, &e, 10);
            if (*e || nf < 1 || nf > 65536 || k < 1 || k > 64 || st < 1 || st > 64 || pad > 64)
                return lt_err(LT_EINVAL, "architecture: token '%s': expected cNkK[sS][pP]", tok);
            if (pad < 0) pad = (k - 1) / 2;
            if (prev && prev->kind == LT_NN_LINEAR)
                return lt_err(LT_EINVAL,
                        "architecture: token '%s': a convolution after a linear layer", tok);
            int oh = (int)((ih + 2 * pad - k) / st + 1), ow = (int)((iw + 2 * pad - k) / st + 1);
            if (ih + 2 * pad < k || iw + 2 * pad < k || oh < 1 || ow < 1)
                return lt_err(LT_EINVAL,
                        "architecture: token %d '%s': a %ldx%ld kernel does not fit the input %dx%dx%d (H x W x C)",
                        ti + 1, tok, k, k, ih, iw, prev ? prev->oc : net->c);
            if (!(L = push(net, LT_NN_CONV)))
                return lt_err(LT_EINVAL, "architecture: more than %d layers", MAX_LAYERS);
            L->k = (int)k;
            L->s = (int)st;
            L->pad = (int)pad;
            L->oc = (int)nf;
            L->oh = oh;
            L->ow = ow;
            finish(L);
            snprintf(L->name, sizeof L->name, "conv%d", ++n_conv);
            if (!act_given) act = LT_NN_RELU;
        } else if ((tok[0] == 'p' || tok[0] == 'a') && isdigit((unsigned char)tok[1])) {
            long k = strtol(tok + 1, &e, 10);
            if (*e || k < 1 || k > 64 || act_given)
                return lt_err(LT_EINVAL, "architecture: token '%s': expected pK or aK", tok);
            if (ih < k || iw < k)
                return lt_err(LT_EINVAL,
                        "architecture: token %d '%s': a %ldx%ld pool does not fit the input %dx%d",
                        ti + 1, tok, k, k, ih, iw);
            if (!(L = push(net, tok[0] == 'p' ? LT_NN_MAXPOOL : LT_NN_AVGPOOL)))
                return lt_err(LT_EINVAL, "architecture: more than %d layers", MAX_LAYERS);
            L->k = L->s = (int)k;
            L->oh = ih / (int)k;
            L->ow = iw / (int)k;
            finish(L);
            snprintf(L->name, sizeof L->name, "pool%d", ++n_pool);
            continue;
        } else if (tok[0] == 'd' && (isdigit((unsigned char)tok[1]) || tok[1] == '.')) {
            double pr = strtod(tok + 1, &e);
            if (*e || !(pr >= 0 && pr < 1) || act_given)
                return lt_err(
                        LT_EINVAL, "architecture: token '%s': expected dX with 0 <= X < 1", tok);
            if (!(L = push(net, LT_NN_DROPOUT)))
                return lt_err(LT_EINVAL, "architecture: more than %d layers", MAX_LAYERS);
            L->p = (float)pr;
            finish(L);
            continue;
        } else if (!strcmp(tok, "ln")) {
            if (!(L = push(net, LT_NN_LAYERNORM)))
                return lt_err(LT_EINVAL, "architecture: more than %d layers", MAX_LAYERS);
            finish(L);
            continue;
        } else if ((tok[0] == 'f' && isdigit((unsigned char)tok[1])) ||
                isdigit((unsigned char)tok[0])) {
            long nf = strtol(tok + (tok[0] == 'f'), &e, 10);
            if (*e || nf < 1 || nf > (1 << 24))
                return lt_err(LT_EINVAL, "architecture: token '%s': expected fN (N outputs)", tok);
            if (!(L = push(net, LT_NN_LINEAR)))
                return lt_err(LT_EINVAL, "architecture: more than %d layers", MAX_LAYERS);
            L->oc = (int)nf;
            L->oh = L->ow = 1;
            finish(L);
            snprintf(L->name, sizeof L->name, "fc%d", ++n_lin);
            if (!act_given)
                act = last ? (first_num ? LT_NN_SIGMOID : 0)
                           : (first_num && ti == bottleneck ? 0 : LT_NN_RELU);
        } else {
            return lt_err(
                    LT_EINVAL, "architecture: unknown token '%s' (cNkK, pK, aK, fN, dX, ln)", tok);
        }
        if (act) {
            lt__nnl *A = push(net, act);
            if (!A) return lt_err(LT_EINVAL, "architecture: more than %d layers", MAX_LAYERS);
            finish(A);
            /* the name means the compute layer's output after its activation */
            memcpy(A->name, L->name, sizeof A->name);
            L->name[0] = 0;
        }
    }
    if (!net->nl) return lt_err(LT_EINVAL, "architecture '%s': no layers", arch);
    return LT_OK;
}

int lt_nn_new(const char *arch, int c, int h, int w, lt_nn **out) {
    *out = NULL;
    if (c < 1 || h < 1 || w < 1 || (int64_t)c * h * w > (1 << 26))
        return lt_err(LT_EINVAL, "network input shape %dx%dx%d", c, h, w);
    lt_nn *net = alloc_net(arch, c, h, w);
    if (!net) return lt_err(LT_ENOMEM, "out of memory");
    int rc = parse_arch(net, arch, 1);
    if (rc == LT_OK) rc = place_params(net);
    if (rc) {
        lt_nn_free(net);
        return rc;
    }
    *out = net;
    return LT_OK;
}

int lt_nn_new_entity(
        int n_cat, const int *card, const int *dims, int n_num, const char *head, lt_nn **out) {
    *out = NULL;
    if (n_cat < 0 || n_num < 0 || n_cat + n_num < 1 || n_cat > 100000 || n_num > 100000)
        return lt_err(
                LT_EINVAL, "entity network: %d categorical and %d numeric inputs", n_cat, n_num);
    char *arch = lt_malloc(strlen(head) + 8);
    if (!arch) return lt_err(LT_ENOMEM, "out of memory");
    sprintf(arch, "emb-%s", head);
    lt_nn *net = alloc_net(arch, n_num + n_cat, 1, 1);
    lt_free(arch);
    if (!net) return lt_err(LT_ENOMEM, "out of memory");
    lt__nnl *E = push(net, LT_NN_EMBED);
    E->n_cat = n_cat;
    E->n_num = n_num;
    E->card = lt_malloc((size_t)(n_cat + 1) * sizeof(int));
    E->dims = lt_malloc((size_t)(n_cat + 1) * sizeof(int));
    E->toff = lt_malloc((size_t)(n_cat + 1) * 8);
    int rc = E->card && E->dims && E->toff ? LT_OK : lt_err(LT_ENOMEM, "out of memory");
    int64_t w = 0, off = 0;
    for (int j = 0; rc == LT_OK && j < n_cat; j++) {
        if (card[j] < 1 || card[j] > (1 << 26) || dims[j] < 1 || dims[j] > 65536) {
            rc = lt_err(LT_EINVAL, "entity network: column %d: %d categories, %d dims", j, card[j],
                    dims[j]);
            break;
        }
        E->card[j] = card[j];
        E->dims[j] = dims[j];
        E->toff[j] = off;
        off += (int64_t)(card[j] + 1) * dims[j];
        w += dims[j];
    }
    if (rc == LT_OK) {
        E->emb_out = w;
        E->oc = (int)(w + n_num);
        E->oh = E->ow = 1;
        finish(E);
        strcpy(E->name, "embed");
        rc = parse_arch(net, head, 0);
    }
    if (rc == LT_OK) rc = place_params(net);
    if (rc) {
        lt_nn_free(net);
        return rc;
    }
    *out = net;
    return LT_OK;
}

void lt_nn_free(lt_nn *net) {
    if (!net) return;
    for (int l = 0; net->L && l < net->nl; l++) {
        lt_free(net->L[l].card);
        lt_free(net->L[l].dims);
        lt_free(net->L[l].toff);
    }
    lt_free(net->L);
    lt_aligned_free(net->P);
    lt_free(net->arch);
    lt_free(net);
}

void lt_nn_init(lt_nn *net, uint64_t seed) { lt_nn_init_with(net, seed, LT_INIT_TORCH); }

void lt_nn_init_with(lt_nn *net, uint64_t seed, lt_nn_init_rule rule) {
    lt_rng r;
    lt_rng_seed(&r, seed, 0x6e6e);
    for (int l = 0; l < net->nl; l++) {
        lt__nnl *L = &net->L[l];
        float *p = net->P + L->poff;
        if (L->kind == LT_NN_CONV || L->kind == LT_NN_LINEAR) {
            int64_t fan = L->kind == LT_NN_CONV ? (int64_t)L->k * L->k * L->ic : L->in;
            int64_t nw =
                    L->np - (L->kind == LT_NN_CONV ? L->oc : L->out); /* weights, then biases */
            double gain = l + 1 < net->nl && net->L[l + 1].kind == LT_NN_RELU ? 2 : 1;
            double b = rule == LT_INIT_HE ? sqrt(3 * gain / (double)fan) : 1.0 / sqrt((double)fan);
            for (int64_t i = 0; i < L->np; i++) /* He's biases are zero and draw nothing */
                p[i] = i >= nw && rule == LT_INIT_HE ? 0.0f
                                                     : (float)((2 * lt_rng_uniform(&r) - 1) * b);
        } else if (L->kind == LT_NN_LAYERNORM) {
            for (int64_t i = 0; i < L->in; i++) {
                p[i] = 1;
                p[L->in + i] = 0;
            }
        } else if (L->kind == LT_NN_EMBED) {
            for (int j = 0; j < L->n_cat; j++) {
                float *t = p + L->toff[j];
                for (int64_t i = 0; i < (int64_t)L->card[j] * L->dims[j]; i++)
                    t[i] = (float)lt_rng_normal(&r);
                memset(t + (int64_t)L->card[j] * L->dims[j], 0,
                        (size_t)L->dims[j] * 4); /* the unseen row */
            }
        }
    }
}

int lt_nn_layers(const lt_nn *net) { return net->nl; }
int64_t lt_nn_in_dim(const lt_nn *net) { return (int64_t)net->c * net->h * net->w; }
int64_t lt_nn_out_dim(const lt_nn *net, int layer) {
    return net->L[layer < 0 || layer >= net->nl ? net->nl - 1 : layer].out;
}
lt_nn_kind lt_nn_layer_kind(const lt_nn *net, int layer) { return net->L[layer].kind; }
const char *lt_nn_layer_name(const lt_nn *net, int layer) { return net->L[layer].name; }
int64_t lt_nn_param_count(const lt_nn *net) { return net->np; }
float *lt_nn_params(lt_nn *net) { return net->P; }

int lt_nn_find_layer(const lt_nn *net, const char *name) {
    if (!strcmp(name, "output")) return net->nl - 1;
    for (int l = 0; l < net->nl; l++)
        if (net->L[l].name[0] && !strcmp(net->L[l].name, name)) return l;
    char *e;
    long i = strtol(name, &e, 10);
    if (*name && !*e && i >= 1 && i <= net->nl) return (int)i - 1; /* 1-based layer number */
    return -1;
}

float *lt_nn_param(lt_nn *net, int layer, const char *what, int64_t *count) {
    if (layer < 0 || layer >= net->nl) return NULL;
    lt__nnl *L = &net->L[layer];
    float *p = net->P + L->poff;
    int64_t nw = L->np - L->oc;
    if (L->kind == LT_NN_CONV || L->kind == LT_NN_LINEAR) {
        if (!strcmp(what, "weight")) {
            if (count) *count = nw;
            return p;
        }
        if (!strcmp(what, "bias")) {
            if (count) *count = L->oc;
            return p + nw;
        }
    } else if (L->kind == LT_NN_LAYERNORM) {
        if (!strcmp(what, "gamma")) {
            if (count) *count = L->in;
            return p;
        }
        if (!strcmp(what, "beta")) {
            if (count) *count = L->in;
            return p + L->in;
        }
    } else if (L->kind == LT_NN_EMBED && !strncmp(what, "table", 5)) {
        int j = atoi(what + 5);
        if (j >= 0 && j < L->n_cat) {
            if (count) *count = (int64_t)(L->card[j] + 1) * L->dims[j];
            return p + L->toff[j];
        }
    }
    return NULL;
}

double lt__nn_flops_layer(const lt__nnl *L) {
    if (L->kind == LT_NN_CONV) return 2.0 * L->oh * L->ow * L->oc * L->k * L->k * L->ic;
    if (L->kind == LT_NN_LINEAR) return 2.0 * L->in * L->out;
    return 0;
}

double lt__nn_flops(const lt_nn *net) {
    double f = 0;
    for (int l = 0; l < net->nl; l++) f += lt__nn_flops_layer(&net->L[l]);
    return f;
}

int lt_nn_describe(const lt_nn *net, char *buf, size_t cap) {
    size_t o = 0;
    for (int l = 0; l < net->nl && o < cap; l++) {
        const lt__nnl *L = &net->L[l];
        int w = snprintf(buf + o, cap - o, "%3d %-9s %-8s out %dx%dx%d", l + 1, kind_name(L->kind),
                L->name, L->oh, L->ow, L->oc);
        if (w > 0) o += (size_t)w;
        if (o < cap && L->kind == LT_NN_CONV) {
            w = snprintf(buf + o, cap - o, "  k %d stride %d pad %d", L->k, L->s, L->pad);
            if (w > 0) o += (size_t)w;
        }
        if (o < cap && L->kind == LT_NN_DROPOUT) {
            w = snprintf(buf + o, cap - o, "  p %g", L->p);
            if (w > 0) o += (size_t)w;
        }
        if (o < cap && L->np) {
            w = snprintf(buf + o, cap - o, "  %lld params", (long long)L->np);
            if (w > 0) o += (size_t)w;
        }
        if (o < cap) buf[o++] = '\n';
    }
    if (o >= cap) o = cap - 1;
    buf[o] = 0;
    return LT_OK;
}

/* ---- model container: meta nn_arch, nn_input (C H W), entity tables; one array "nn.params" ---- */
int lt_nn_to_model(const lt_nn *net, const char *kind, lt_model **out) {
    *out = NULL;
    lt_model *m = lt_model_new(kind);
    if (!m) return lt_err(LT_ENOMEM, "out of memory");
    char b[64];
    const lt__nnl *E = net->L[0].kind == LT_NN_EMBED ? &net->L[0] : NULL;
    int rc = lt_model_meta_set(m, "nn_arch", E ? net->arch + 4 : net->arch);
    snprintf(b, sizeof b, "%d %d %d", net->c, net->h, net->w);
    if (rc == LT_OK) rc = lt_model_meta_set(m, "nn_input", b);
    snprintf(b, sizeof b, "%lld", (long long)net->np);
    if (rc == LT_OK) rc = lt_model_meta_set(m, "nn_params", b);
    if (rc == LT_OK && E) {
        double *cd = lt_malloc((size_t)(2 * E->n_cat + 1) * 8);
        if (!cd) rc = lt_err(LT_ENOMEM, "out of memory");
        for (int j = 0; cd && j < E->n_cat; j++) {
            cd[j] = E->card[j];
            cd[E->n_cat + j] = E->dims[j];
        }
        snprintf(b, sizeof b, "%d %d", E->n_cat, E->n_num);
        if (rc == LT_OK) rc = lt_model_meta_set(m, "nn_entity", b);
        if (rc == LT_OK) rc = lt_model_put(m, "nn.entity", 2, E->n_cat, cd);
        lt_free(cd);
    }
    double *p = rc == LT_OK ? lt_malloc((size_t)(net->np ? net->np : 1) * 8) : NULL;
    if (rc == LT_OK && !p) rc = lt_err(LT_ENOMEM, "out of memory");
    for (int64_t i = 0; p && i < net->np; i++) p[i] = net->P[i];
    if (rc == LT_OK) rc = lt_model_put(m, "nn.params", 1, net->np, p);
    lt_free(p);
    if (rc) {
        lt_model_free(m);
        return rc;
    }
    *out = m;
    return LT_OK;
}

int lt_nn_from_model(const lt_model *m, lt_nn **out) {
    *out = NULL;
    const char *arch = lt_model_meta(m, "nn_arch"), *in = lt_model_meta(m, "nn_input"),
               *ent = lt_model_meta(m, "nn_entity");
    int c, h, w, rc;
    if (!arch || !in || sscanf(in, "%d %d %d", &c, &h, &w) != 3)
        return lt_err(LT_EFORMAT, "%s model: no network description (nn_arch, nn_input)",
                lt_model_kind(m));
    lt_nn *net = NULL;
    if (ent) {
        int nc, nn;
        int64_t r, k;
        const double *cd = lt_model_get(m, "nn.entity", &r, &k);
        if (sscanf(ent, "%d %d", &nc, &nn) != 2 || !cd || r != 2 || k != nc || nc < 0 ||
                nc > 100000 || nn + nc != c)
            return lt_err(LT_EFORMAT, "%s model: entity tables described inconsistently",
                    lt_model_kind(m));
        int *card = lt_malloc((size_t)(nc + 1) * sizeof(int)),
            *dims = lt_malloc((size_t)(nc + 1) * sizeof(int));
        if (!card || !dims) {
            lt_free(card);
            lt_free(dims);
            return lt_err(LT_ENOMEM, "out of memory");
        }
        rc = LT_OK;
        for (int j = 0; j < nc; j++) {
            if (!(cd[j] >= 1 && cd[j] <= (1 << 26) && cd[nc + j] >= 1 && cd[nc + j] <= 65536))
                rc = lt_err(LT_EFORMAT, "entity model: column %d: bad table shape", j);
            else {
                card[j] = (int)cd[j];
                dims[j] = (int)cd[nc + j];
            }
        }
        if (rc == LT_OK) rc = lt_nn_new_entity(nc, card, dims, nn, arch, &net);
        lt_free(card);
        lt_free(dims);
    } else {
        rc = lt_nn_new(arch, c, h, w, &net);
    }
    if (rc) return lt_err(rc, "%s model: %s", lt_model_kind(m), lt_errmsg());
    int64_t r, k;
    const double *p = lt_model_get(m, "nn.params", &r, &k);
    if (!p || r != 1 || k != net->np) {
        rc = lt_err(LT_EFORMAT, "%s model: nn.params holds %lld values, the network has %lld",
                lt_model_kind(m), p ? (long long)(r * k) : 0LL, (long long)net->np);
        lt_nn_free(net);
        return rc;
    }
    for (int64_t i = 0; i < k; i++) {
        if (!isfinite(p[i])) {
            lt_nn_free(net);
            return lt_err(LT_EFORMAT, "%s model: parameter %lld is not finite", lt_model_kind(m),
                    (long long)i);
        }
        net->P[i] = (float)p[i];
    }
    *out = net;
    return LT_OK;
}
