/* Learned encoders on the training core (nn.h): an autoencoder of rows, a CNN of images, and
 * entity embeddings of a table's categorical columns; fitted into the model container with
 * their input scaling (or their table encoder) and applied by lt_neural_encode. */
#include "dense_impl.h"
#include "latent/classes.h"
#include "latent/nn.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lt_neural_opts_init(lt_neural_opts *o) {
    memset(o, 0, sizeof *o);
    lt_nn_train_opts_init(&o->train);
    o->train.batch = 128;
    o->seed = 1;
    o->init = -1;
}

/* rows of X scaled into a contiguous n x d block */
static float *scaled_rows(const lt_model *m, const lt_vecs *X) {
    const double *shift, *mult;
    if (lt__scale_get(m, X->d, &shift, &mult)) return NULL;
    size_t cells;
    if (!lt_mul_ok((size_t)X->n, (size_t)X->d, &cells)) {
        lt_err(LT_ENOMEM, "rows too large");
        return NULL;
    }
    float *B = lt_aligned_alloc((cells ? cells : 1) * 4);
    if (!B) {
        lt_err(LT_ENOMEM, "out of memory");
        return NULL;
    }
    lt__scale_rows(X, 0, X->n, shift, mult, NULL, B);
    return B;
}

/* a seeded split: the last n_val of a permutation are validation rows */
static int split(int64_t n, double frac, uint64_t seed, int64_t **perm, int64_t *n_val) {
    *n_val = frac > 0 ? (int64_t)floor(frac * (double)n) : 0;
    if (frac > 0 && (*n_val < 1 || *n_val >= n))
        return lt_err(LT_EINVAL, "--val %g leaves no training or no validation rows of %lld", frac,
                (long long)n);
    *perm = lt_malloc((size_t)n * 8);
    if (!*perm) return lt_err(LT_ENOMEM, "out of memory");
    for (int64_t i = 0; i < n; i++) (*perm)[i] = i;
    if (*n_val) {
        lt_rng r;
        lt_rng_seed(&r, seed, 0x7a1);
        lt_rng_shuffle(&r, *perm, n);
    }
    return LT_OK;
}

/* rows (and targets) reordered so that the validation rows come last */
static void reorder(float *B, int64_t n, int64_t d, const int64_t *perm, float *tmp) {
    memcpy(tmp, B, (size_t)(n * d) * 4);
    for (int64_t i = 0; i < n; i++) memcpy(B + i * d, tmp + perm[i] * d, (size_t)d * 4);
}

/* holds out a seeded share frac of the n rows of B (n x d): they move to the end of B (and of
 * the class ids, copied into *yy when y is given); *n_val of them */
static int hold_out(float *B, int64_t n, int64_t d, const int *y, double frac, uint64_t seed,
        int **yy, int64_t *n_val) {
    int64_t *perm = NULL;
    int rc = split(n, frac, seed, &perm, n_val);
    if (rc == LT_OK && y && !(*yy = lt_malloc((size_t)n * sizeof(int))))
        rc = lt_err(LT_ENOMEM, "out of memory");
    for (int64_t i = 0; rc == LT_OK && y && i < n; i++) (*yy)[i] = y[perm[i]];
    if (rc == LT_OK && *n_val) {
        float *tmp = lt_aligned_alloc((size_t)(n * d) * 4);
        if (!tmp) rc = lt_err(LT_ENOMEM, "out of memory");
        else reorder(B, n, d, perm, tmp);
        lt_aligned_free(tmp);
    }
    lt_free(perm);
    return rc;
}

static int meta_num(lt_model *m, const char *k, double v) {
    char b[48];
    snprintf(b, sizeof b, "%.10g", v);
    return lt_model_meta_set(m, k, b);
}

/* copies src's metadata and arrays into dst: names without `strip` (when given) are left out and
 * the prefix removed, `add` (when given) prefixed; a resulting key "kind" never replaces dst's */
static int copy_entries(lt_model *dst, const lt_model *src, const char *strip, const char *add) {
    size_t sl = strip ? strlen(strip) : 0;
    int rc = LT_OK;
    char nk[256];
    for (int i = 0; rc == LT_OK; i++) {
        const char *k, *v, *an;
        int64_t r, c;
        int more = 0;
        if (lt_model_meta_at(src, i, &k, &v)) {
            more = 1;
            if (!strip || !strncmp(k, strip, sl)) {
                snprintf(nk, sizeof nk, "%s%s", add ? add : "", k + sl);
                if (strcmp(nk, "kind")) rc = lt_model_meta_set(dst, nk, v);
            }
        }
        if (rc == LT_OK && lt_model_array_at(src, i, &an, &r, &c)) {
            more = 1;
            if (!strip || !strncmp(an, strip, sl)) {
                snprintf(nk, sizeof nk, "%s%s", add ? add : "", an + sl);
                rc = lt_model_put(dst, nk, r, c, lt_model_get(src, an, NULL, NULL));
            }
        }
        if (!more) break;
    }
    return rc;
}

/* trains net on the n rows of B (validation rows last), merges its parameters into m */
static int train_into(lt_nn *net, lt_model *m, const char *kind, float *B, int64_t n, int64_t n_val,
        const float *T, const int *y, lt_neural_opts *o, lt_nn_train_result *res) {
    lt_nn_train_opts to = o->train;
    int64_t d = lt_nn_in_dim(net), D = lt_nn_out_dim(net, -1), nt = n - n_val;
    to.kind = kind;
    if (n_val) {
        to.val_x = B + nt * d;
        to.val_t = T ? T + nt * D : NULL;
        to.val_y = y ? y + nt : NULL;
        to.n_val = n_val;
    }
    lt_nn_init_rule rule = o->init >= 0 ? (lt_nn_init_rule)o->init
            : strcmp(kind, "entity")    ? LT_INIT_HE
                                        : LT_INIT_TORCH;
    lt_nn_init_with(net, o->seed, rule);
    int rc = lt_nn_train(net, B, nt, d, T, y, &to, res);
    lt_model *nm = NULL;
    if (rc == LT_OK) rc = lt_nn_to_model(net, kind, &nm);
    if (rc == LT_OK)
        rc = copy_entries(m, nm, NULL, NULL); /* the network's metadata and parameters join m */
    lt_model_free(nm);
    if (rc == LT_OK && res) {
        char b[48];
        if (rc == LT_OK) rc = meta_num(m, "epochs", res->epochs);
        if (rc == LT_OK) rc = meta_num(m, "train_loss", res->loss);
        if (rc == LT_OK && n_val) rc = meta_num(m, "val_loss", res->val_loss);
        if (rc == LT_OK && n_val && y) rc = meta_num(m, "val_accuracy", res->val_accuracy);
        snprintf(b, sizeof b, "%llu", (unsigned long long)o->seed);
        if (rc == LT_OK) rc = lt_model_meta_set(m, "seed", b);
        if (rc == LT_OK) rc = lt_model_meta_set(m, "init", lt_nn_init_name(rule));
    }
    return rc;
}

static const char *loss_name(lt_loss l) {
    return l == LT_LOSS_MSE ? "mse" : l == LT_LOSS_BCE ? "bce" : "softmax_ce";
}

int lt_autoencoder_fit(
        const lt_vecs *X, lt_neural_opts *o, lt_model **out, lt_nn_train_result *res) {
    *out = NULL;
    if (o->train.loss == LT_LOSS_SOFTMAX_CE)
        return lt_err(
                LT_EINVAL, "an autoencoder reconstructs its input: mse or bce, not softmax_ce");
    char def[128]; /* the default network: d-256-32-256-d */
    snprintf(def, sizeof def, "%lld-256-32-256-%lld", (long long)X->d, (long long)X->d);
    const char *arch = o->arch ? o->arch : def;
    lt_nn *net;
    int rc = lt_nn_new(arch, (int)X->d, 1, 1, &net);
    if (rc) return rc;
    if (lt_nn_out_dim(net, -1) != X->d) {
        rc = lt_err(LT_EINVAL,
                "architecture '%s': the last layer has %lld outputs, the input %lld columns", arch,
                (long long)lt_nn_out_dim(net, -1), (long long)X->d);
        lt_nn_free(net);
        return rc;
    }
    lt_model *m = lt_model_new("autoencoder");
    float *B = NULL;
    int64_t n_val = 0;
    if (!m) rc = lt_err(LT_ENOMEM, "out of memory");
    if (rc == LT_OK) rc = lt__scale_fit(X, o->scale, m);
    if (rc == LT_OK && !(B = scaled_rows(m, X))) rc = LT_ENOMEM;
    if (rc == LT_OK && lt_nn_layer_kind(net, lt_nn_layers(net) - 1) == LT_NN_SIGMOID)
        for (int64_t i = 0; i < X->n * X->d; i++)
            if (!(B[i] >= -1e-6f && B[i] <= 1 + 1e-6f)) {
                rc = lt_err(LT_EINVAL,
                        "row %lld, column %lld: %g after scaling: a sigmoid output reconstructs values in [0, 1] (--scale unit or minmax)",
                        (long long)(i / X->d) + 1, (long long)(i % X->d) + 1, B[i]);
                break;
            }
    if (rc == LT_OK) rc = hold_out(B, X->n, X->d, NULL, o->val_frac, o->seed, NULL, &n_val);
    int bl = lt_nn_find_layer(net, "fc1"), nl = lt_nn_layers(net);
    /* the encoding: the narrowest named layer before the output (the bottleneck) */
    for (int l = 0; l < nl - 1; l++)
        if (lt_nn_layer_name(net, l)[0] && lt_nn_out_dim(net, l) < lt_nn_out_dim(net, bl)) bl = l;
    if (rc == LT_OK)
        rc = lt_model_meta_set(
                m, "encode_layer", bl >= 0 && bl < nl - 1 ? lt_nn_layer_name(net, bl) : "output");
    if (rc == LT_OK) rc = lt_model_meta_set(m, "loss", loss_name(o->train.loss));
    if (rc == LT_OK) rc = train_into(net, m, "autoencoder", B, X->n, n_val, B, NULL, o, res);
    lt_aligned_free(B);
    lt_nn_free(net);
    if (rc) {
        lt_model_free(m);
        return rc;
    }
    *out = m;
    return LT_OK;
}

/* an image shape (c, h, w) from X: o's, the IDX header's, or a square */
static int image_shape(const lt_vecs *X, const lt_neural_opts *o, int *c, int *h, int *w) {
    if (o->c > 0) {
        *c = o->c;
        *h = o->h;
        *w = o->w;
    } else {
        const char *s = lt_vecs_meta_get(X, "idx_shape");
        int a = 0, b = 0, k = 1;
        if (s && sscanf(s, "%dx%dx%d", &a, &b, &k) >= 2) {
            *h = a;
            *w = b;
            *c = k;
        } else {
            int r = (int)llround(sqrt((double)X->d));
            if ((int64_t)r * r != X->d)
                return lt_err(LT_EINVAL,
                        "rows of %lld values are not square images: give --shape HxWxC",
                        (long long)X->d);
            *h = *w = r;
            *c = 1;
        }
    }
    if ((int64_t)*c * *h * *w != X->d)
        return lt_err(LT_EINVAL,
                "image shape %dx%dx%d (H x W x C) is %lld values, the rows have %lld", *h, *w, *c,
                (long long)*c * *h * *w, (long long)X->d);
    return LT_OK;
}

int lt_cnn_fit(const lt_vecs *X, const int *y, int n_classes, lt_neural_opts *o, lt_model **out,
        lt_nn_train_result *res) {
    *out = NULL;
    int c = 0, h = 0, w = 0;
    int rc = image_shape(X, o, &c, &h, &w);
    if (rc) return rc;
    char def[128]; /* the default network: two 3x3 convolutions with pooling, 64 hidden */
    snprintf(def, sizeof def, "c16k3-p2-c32k3-p2-f64-f%d", n_classes);
    const char *arch = o->arch ? o->arch : def;
    lt_nn *net;
    if ((rc = lt_nn_new(arch, c, h, w, &net))) return rc;
    if (lt_nn_out_dim(net, -1) != n_classes) {
        rc = lt_err(LT_EINVAL, "architecture '%s': the last layer has %lld outputs for %d classes",
                arch, (long long)lt_nn_out_dim(net, -1), n_classes);
        lt_nn_free(net);
        return rc;
    }
    o->train.loss = LT_LOSS_SOFTMAX_CE;
    lt_model *m = lt_model_new("cnn");
    float *B = NULL;
    int *yy = NULL;
    int64_t n_val = 0;
    if (!m) rc = lt_err(LT_ENOMEM, "out of memory");
    if (rc == LT_OK) rc = lt__scale_fit(X, o->scale, m);
    if (rc == LT_OK && !(B = scaled_rows(m, X))) rc = LT_ENOMEM;
    if (rc == LT_OK) rc = hold_out(B, X->n, X->d, y, o->val_frac, o->seed, &yy, &n_val);
    /* the features: the output of the last named layer before the output (penultimate) */
    int nl = lt_nn_layers(net), fl = -1;
    for (int l = 0; l < nl - 1; l++)
        if (lt_nn_layer_name(net, l)[0]) fl = l;
    if (rc == LT_OK)
        rc = lt_model_meta_set(m, "encode_layer", fl >= 0 ? lt_nn_layer_name(net, fl) : "output");
    if (rc == LT_OK) rc = meta_num(m, "classes", n_classes);
    if (rc == LT_OK) rc = train_into(net, m, "cnn", B, X->n, n_val, NULL, yy, o, res);
    lt_aligned_free(B);
    lt_free(yy);
    lt_nn_free(net);
    if (rc) {
        lt_model_free(m);
        return rc;
    }
    *out = m;
    return LT_OK;
}

/* ---- entity embeddings: the ordinal encoder's columns feed the embedding tables ---- */
#define ENC "enc."
/* the table encoder inside an entity model, as a model of its own */
static int inner_encoder(const lt_model *m, lt_model **out) {
    lt_model *e = lt_model_new("ordinal");
    int rc = e ? LT_OK : lt_err(LT_ENOMEM, "out of memory");
    if (rc == LT_OK) rc = copy_entries(e, m, ENC, NULL);
    if (rc) {
        lt_model_free(e);
        return rc;
    }
    *out = e;
    return LT_OK;
}

int lt_entity_fit(const lt_table *t, const char *target, const int *dims, int n_dims,
        lt_neural_opts *o, lt_model **out, lt_nn_train_result *res) {
    *out = NULL;
    int tc = lt_table_col(t, target);
    if (tc < 0) return lt_err(LT_EINVAL, "no column '%s' in the table", target);
    lt_cat_opts co;
    lt_cat_opts_init(&co);
    co.kind = "ordinal";
    co.label = target;
    co.unknown = LT_UNKNOWN_IGNORE;
    lt_model *enc = NULL, *m = NULL;
    lt_vecs *X = NULL;
    int rc = lt_cat_fit(t, &co, &enc);
    if (rc) return rc;
    rc = lt_cat_encode(enc, t, "training table", &X); /* unseen categories (-1) meet the zero row */
    int nf = atoi(lt_model_meta(enc, "columns") ? lt_model_meta(enc, "columns") : "0"), ncat = 0,
        nnum = 0;
    int *card = lt_malloc((size_t)(nf + 1) * sizeof(int)),
        *dd = lt_malloc((size_t)(nf + 1) * sizeof(int));
    if (rc == LT_OK && (!card || !dd)) rc = lt_err(LT_ENOMEM, "out of memory");
    char key[64];
    for (int f = 0; rc == LT_OK && f < nf; f++) {
        snprintf(key, sizeof key, "col%d.type", f);
        if (!strcmp(lt_model_meta(enc, key), "numeric")) {
            nnum++;
            continue;
        }
        snprintf(key, sizeof key, "col%d.freq", f);
        int64_t r, k;
        lt_model_get(enc, key, &r, &k);
        card[ncat] = (int)k;
        dd[ncat] = ncat < n_dims && dims[ncat] > 0 ? dims[ncat]
                : ((int)k + 1) / 2 < 50            ? ((int)k + 1) / 2
                                                   : 50; /* fast.ai's rule */
        ncat++;
    }
    if (rc == LT_OK && n_dims > ncat)
        rc = lt_err(LT_EINVAL, "%d embedding dims given for %d categorical columns", n_dims, ncat);
    /* the target's classes, sorted as the encoders sort categories */
    lt_classes *cl = lt_classes_new();
    int *y = X ? lt_malloc((size_t)X->n * sizeof(int)) : NULL;
    if (rc == LT_OK && (!cl || !y)) rc = lt_err(LT_ENOMEM, "out of memory");
    for (int64_t i = 0; rc == LT_OK && i < lt_table_rows(t); i++) {
        const char *v = lt_table_cell(t, i, tc);
        if (!v)
            rc = lt_err(
                    LT_EINVAL, "row %lld: the target '%s' is missing", (long long)i + 1, target);
        else if ((y[i] = lt_classes_add(cl, v)) < 0) rc = lt_err(LT_ENOMEM, "out of memory");
    }
    int K = cl ? lt_classes_count(cl) : 0;
    if (rc == LT_OK && K < 2)
        rc = lt_err(LT_EINVAL, "the target '%s' has %d class%s: nothing to learn", target, K,
                K == 1 ? "" : "es");
    if (rc == LT_OK) rc = lt_classes_sort(cl, y, X->n, NULL, 0);
    char *head = NULL;
    lt_nn *net = NULL;
    const char *arch = o->arch ? o->arch : "f64-f64"; /* the default hidden layers */
    if (rc == LT_OK && (head = lt_malloc(strlen(arch) + 32))) {
        sprintf(head, "%s%sf%d", arch, *arch ? "-" : "", K);
        rc = lt_nn_new_entity(ncat, card, dd, nnum, head, &net);
    } else if (rc == LT_OK) rc = lt_err(LT_ENOMEM, "out of memory");
    /* columns of the ordinal rows: numerics first, then one id per categorical column */
    o->train.loss = LT_LOSS_SOFTMAX_CE;
    if (rc == LT_OK && !(m = lt_model_new("entity"))) rc = lt_err(LT_ENOMEM, "out of memory");
    if (rc == LT_OK)
        rc = copy_entries(m, enc, NULL, ENC); /* the encoder inside, its keys prefixed */
    if (rc == LT_OK) {
        size_t cap = 16;
        for (int i = 0; i < K; i++) cap += strlen(lt_classes_name(cl, i)) + 1;
        char *cs = lt_malloc(cap), *q = cs;
        if (!cs) rc = lt_err(LT_ENOMEM, "out of memory");
        for (int i = 0; cs && i < K; i++) {
            if (i) *q++ = '\x1f';
            strcpy(q, lt_classes_name(cl, i));
            q += strlen(q);
        }
        if (cs) {
            *q = 0;
            rc = lt_model_meta_set(m, "target_classes", cs);
        }
        lt_free(cs);
    }
    if (rc == LT_OK) rc = lt_model_meta_set(m, "target", target);
    int nl = net ? lt_nn_layers(net) : 0, fl = 0;
    for (int l = 0; l < nl - 1; l++)
        if (lt_nn_layer_name(net, l)[0]) fl = l;
    if (rc == LT_OK) rc = lt_model_meta_set(m, "encode_layer", lt_nn_layer_name(net, fl));
    float *B = NULL;
    int64_t n_val = 0;
    int *yy = NULL;
    if (rc == LT_OK && !(B = lt_aligned_alloc((size_t)(X->n * X->d) * 4 + 64)))
        rc = lt_err(LT_ENOMEM, "out of memory");
    for (int64_t i = 0; rc == LT_OK && i < X->n; i++)
        memcpy(B + i * X->d, lt_vecs_row(X, i), (size_t)X->d * 4);
    if (rc == LT_OK) rc = hold_out(B, X->n, X->d, y, o->val_frac, o->seed, &yy, &n_val);
    if (rc == LT_OK) rc = train_into(net, m, "entity", B, X->n, n_val, NULL, yy, o, res);
    lt_aligned_free(B);
    lt_free(yy);
    lt_free(head);
    lt_free(card);
    lt_free(dd);
    lt_free(y);
    lt_classes_free(cl);
    lt_nn_free(net);
    lt_vecs_free(X);
    lt_model_free(enc);
    if (rc) {
        lt_model_free(m);
        return rc;
    }
    *out = m;
    return LT_OK;
}

static int is_neural(const char *k) {
    return !strcmp(k, "autoencoder") || !strcmp(k, "cnn") || !strcmp(k, "entity");
}

/* forward of the rows of B (n x d) to the named layer into a new store */
static int forward_to(const lt_model *m, const float *B, int64_t n, int64_t ldb,
        const double *shift, const double *mult, const char *layer, int n_threads, int batch,
        lt_vecs **out) {
    lt_nn *net;
    int rc = lt_nn_from_model(m, &net);
    if (rc) return rc;
    const char *ln = layer ? layer : lt_model_meta(m, "encode_layer");
    int embed_only = ln && !strcmp(ln, "embed");
    int l = ln ? lt_nn_find_layer(net, ln) : lt_nn_layers(net) - 1;
    if (l < 0) {
        char names[512] = "";
        for (int i = 0; i < lt_nn_layers(net); i++)
            if (lt_nn_layer_name(net, i)[0] && strlen(names) + 20 < sizeof names) {
                strcat(names, " ");
                strcat(names, lt_nn_layer_name(net, i));
            }
        lt_nn_free(net);
        return lt_err(LT_EINVAL,
                "%s model: no layer '%s' (named layers:%s output, or a layer number)",
                lt_model_kind(m), ln, names);
    }
    int64_t D = lt_nn_out_dim(net, l), keep = D;
    if (embed_only && lt_nn_layer_kind(net, 0) == LT_NN_EMBED) { /* the category vectors alone */
        const char *e = lt_model_meta(m, "nn_entity");
        int nc = 0, nn = 0;
        if (e) sscanf(e, "%d %d", &nc, &nn);
        keep = D - nn;
    }
    lt_vecs *Z = lt_vecs_new(n, D);
    if (!Z) rc = LT_ENOMEM;
    if (rc == LT_OK)
        rc = lt_nn_forward_scaled(
                net, B, n, ldb, shift, mult, l, Z->data, Z->ld, n_threads, batch > 0 ? batch : 256);
    if (rc == LT_OK && keep < D) {
        lt_vecs *W = lt_vecs_new(n, keep);
        if (!W) rc = LT_ENOMEM;
        for (int64_t i = 0; W && i < n; i++)
            memcpy(lt_vecs_row(W, i), lt_vecs_row(Z, i), (size_t)keep * 4);
        lt_vecs_free(Z);
        Z = W;
    }
    if (rc == LT_OK)
        rc = lt_vecs_meta_set(
                Z, "layer", l == lt_nn_layers(net) - 1 ? "output" : lt_nn_layer_name(net, l));
    lt_nn_free(net);
    if (rc) {
        lt_vecs_free(Z);
        return rc;
    }
    *out = Z;
    return LT_OK;
}

int lt_neural_encode(
        const lt_model *m, const lt_vecs *X, const char *layer, int n_threads, lt_vecs **out) {
    return lt_neural_encode_batch(m, X, layer, n_threads, 256, out);
}

int lt_neural_encode_batch(const lt_model *m, const lt_vecs *X, const char *layer, int n_threads,
        int batch, lt_vecs **out) {
    *out = NULL;
    const char *k = lt_model_kind(m);
    if (!strcmp(k, "entity"))
        return lt_err(LT_EINVAL, "an entity model encodes CSV tables (lt_entity_encode)");
    if (!is_neural(k)) return lt_err(LT_EINVAL, "not a neural model: '%s'", k);
    const double *shift, *mult;
    int rc = lt__scale_get(m, X->d, &shift, &mult);
    if (rc == LT_OK)
        rc = forward_to(m, X->data, X->n, X->ld, shift, mult, layer, n_threads, batch, out);
    if (rc == LT_OK && X->labels)
        for (int64_t i = 0; i < X->n && rc == LT_OK; i++)
            rc = lt_vecs_set_label(*out, i, X->labels[i]);
    if (rc) {
        lt_vecs_free(*out);
        *out = NULL;
    }
    return rc;
}

int lt_entity_encode(const lt_model *m, const lt_table *t, const char *name, const char *layer,
        int n_threads, lt_vecs **out) {
    *out = NULL;
    if (strcmp(lt_model_kind(m), "entity"))
        return lt_err(LT_EINVAL, "not an entity model: '%s'", lt_model_kind(m));
    lt_model *enc;
    lt_vecs *X = NULL;
    int rc = inner_encoder(m, &enc);
    if (rc) return rc;
    rc = lt_cat_encode(enc, t, name, &X);
    if (rc == LT_OK)
        rc = forward_to(m, X->data, X->n, X->ld, NULL, NULL, layer, n_threads, 256, out);
    lt_vecs_free(X);
    lt_model_free(enc);
    return rc;
}

int lt_entity_column(const lt_model *m, const char *column, lt_vecs **out) {
    *out = NULL;
    if (strcmp(lt_model_kind(m), "entity"))
        return lt_err(LT_EINVAL, "not an entity model: '%s'", lt_model_kind(m));
    lt_nn *net;
    int rc = lt_nn_from_model(m, &net);
    if (rc) return rc;
    const char *cols = lt_model_meta(m, ENC "columns");
    int nf = cols ? atoi(cols) : 0, j = 0, f;
    char key[64];
    for (f = 0; f < nf; f++) {
        snprintf(key, sizeof key, ENC "col%d.name", f);
        const char *cn = lt_model_meta(m, key);
        snprintf(key, sizeof key, ENC "col%d.type", f);
        const char *ty = lt_model_meta(m, key);
        if (!cn || !ty) break;
        if (!strcmp(cn, column)) break;
        if (strcmp(ty, "numeric")) j++;
    }
    snprintf(key, sizeof key, ENC "col%d.type", f);
    const char *ty = f < nf ? lt_model_meta(m, key) : NULL;
    if (!ty || !strcmp(ty, "numeric")) {
        lt_nn_free(net);
        return lt_err(
                LT_EINVAL, "entity model: '%s' is not one of its categorical columns", column);
    }
    int64_t cnt;
    char tn[16];
    snprintf(tn, sizeof tn, "table%d", j);
    const float *tab = lt_nn_param(net, 0, tn, &cnt);
    snprintf(key, sizeof key, ENC "col%d.categories", f);
    const char *cs = lt_model_meta(m, key);
    int64_t ncat = 1;
    for (const char *p = cs; p && *p; p++) ncat += *p == '\x1f';
    int64_t dim = ncat ? cnt / (ncat + 1) : 0;
    if (!tab || !cs || dim < 1 || dim * (ncat + 1) != cnt) {
        lt_nn_free(net);
        return lt_err(
                LT_EFORMAT, "entity model: column '%s': table and categories disagree", column);
    }
    lt_vecs *V = lt_vecs_new(ncat, dim);
    rc = V ? LT_OK : LT_ENOMEM;
    const char *miss = lt_model_meta(m, ENC "missing");
    const char *p = cs;
    for (int64_t i = 0; rc == LT_OK && i < ncat; i++) {
        size_t l = strcspn(p, "\x1f");
        char lab[512];
        snprintf(lab, sizeof lab, "%.*s", (int)(l < 500 ? l : 500), p);
        memcpy(lt_vecs_row(V, i), tab + i * dim, (size_t)dim * 4);
        rc = lt_vecs_set_label(V, i,
                l              ? lab
                        : miss ? miss
                               : "?"); /* the missing value's category */
        p += l + (p[l] != 0);
    }
    if (rc == LT_OK) rc = lt_vecs_meta_set(V, "column", column);
    lt_nn_free(net);
    if (rc) {
        lt_vecs_free(V);
        return rc;
    }
    *out = V;
    return LT_OK;
}

int lt_neural_score(const lt_model *m, const lt_vecs *X, const int *y, int n_threads, double *loss,
        double *accuracy) {
    *loss = *accuracy = NAN;
    const char *k = lt_model_kind(m), *ls = lt_model_meta(m, "loss");
    if (strcmp(k, "autoencoder") && strcmp(k, "cnn"))
        return lt_err(LT_EINVAL, "lt_neural_score: a %s model", k);
    lt_nn *net;
    int rc = lt_nn_from_model(m, &net);
    if (rc) return rc;
    float *B = scaled_rows(m, X);
    if (!B) rc = lt_errmsg()[0] ? LT_EINVAL : LT_ENOMEM;
    lt_loss l = !strcmp(k, "cnn")      ? LT_LOSS_SOFTMAX_CE
            : ls && !strcmp(ls, "bce") ? LT_LOSS_BCE
                                       : LT_LOSS_MSE;
    if (rc == LT_OK && l == LT_LOSS_SOFTMAX_CE)
        for (int64_t i = 0; i < X->n; i++)
            if (y[i] < 0 || y[i] >= lt_nn_out_dim(net, -1)) {
                rc = lt_err(LT_EINVAL, "row %lld: class %d out of range", (long long)i + 1, y[i]);
                break;
            }
    if (rc == LT_OK) rc = lt_nn_evaluate(net, B, X->n, X->d, B, y, l, n_threads, loss, accuracy);
    lt_aligned_free(B);
    lt_nn_free(net);
    return rc;
}
