/* Image towers on the transformer core: the families' loaders (clip_vision.c, vit.c) fill an
 * lt_vision; this file loads the folder, cuts images into patches for the patch embedding (a
 * convolution with stride = kernel = p, as one GEMM against the packed (H, C p p) weight),
 * adds the class token and positions, runs the blocks and pools. */
#include "encoder_impl.h"
#include "latent/core.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

static const struct {
    const char *model_type;
    lt__vision_load_fn load;
} vision_families[] = {
    { "clip", lt__clip_vision_load },
    { "clip_vision_model", lt__clip_vision_load },
    { "vit", lt__vit_load },
    { "siglip", lt__siglip_vision_load },
    { "siglip_vision_model", lt__siglip_vision_load },
    { "dinov2", lt__dinov2_load },
};

const cJSON *lt__sub_config(
        const cJSON *cfg, const char *full_type, const char *key, const char *path) {
    const cJSON *mt = cJSON_GetObjectItemCaseSensitive(cfg, "model_type"),
                *sub = cJSON_GetObjectItemCaseSensitive(cfg, key);
    if (!cJSON_IsString(mt) || strcmp(mt->valuestring, full_type)) return cfg;
    if (!cJSON_IsObject(sub))
        lt_err(LT_EFORMAT, "%s: model_type %s without a %s", path, full_type, key);
    return cJSON_IsObject(sub) ? sub : NULL;
}

int lt__activation(const cJSON *c, const char *key, const char *path, const char *const *names,
        const int *codes, int n, int *act) {
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(c, key);
    const char *an = cJSON_IsString(a) ? a->valuestring : names[0];
    for (int i = 0; i < n; i++)
        if (!strcmp(an, names[i])) return *act = codes[i], LT_OK;
    char list[256] = "";
    for (int i = 0; i < n; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", names[i]);
    return lt_err(LT_EFORMAT, "%s: unsupported %s '%s' (%s)", path, key, an, list);
}

int lt__tower_sizes(lt_vision *v, const cJSON *c, const char *path, double eps_def, int patch_def) {
    lt_bert *m = v->m;
    lt__std_sizes(m, c, 0);
    m->kvh = m->heads;
    m->dh = m->heads > 0 ? m->H / m->heads : 0;
    m->eps = lt__jnum(c, "layer_norm_eps", eps_def);
    m->V = 1; /* no vocabulary */
    m->prenorm = 1;
    v->S = lt__jint(c, "image_size", 224);
    v->p = lt__jint(c, "patch_size", patch_def);
    v->C = lt__jint(c, "num_channels", 3);
    m->P = v->p > 0 ? (v->S / v->p) * (v->S / v->p) + v->has_cls : 0;
    if (m->I <= 0) m->I = (int)(m->H * lt__jnum(c, "mlp_ratio", 0)); /* DINOv2's */
    return m->dh * m->heads != m->H
            ? lt_err(LT_EFORMAT, "%s: hidden_size %d in %d heads", path, m->H, m->heads)
            : lt__check_sizes(m, path);
}

const float *lt__patch_weight(
        lt_vision *v, const char *prefix, const char *name, const char *path) {
    const lt_tensor *t = lt__st_get_p(&v->m->st, prefix, name, 4, v->m->H, v->C);
    if (t && (t->shape[2] != v->p || t->shape[3] != v->p))
        lt_err(LT_EFORMAT, "%s: %s is %lldx%lld, patch_size %d", path, name, (long long)t->shape[2],
                (long long)t->shape[3], v->p);
    return t && t->shape[2] == v->p && t->shape[3] == v->p ? t->data : NULL;
}

void lt_vision_free(lt_vision *v) {
    if (!v) return;
    lt_packed_free(&v->patch);
    lt_bert_free(v->m);
    lt_free(v);
}
int lt_vision_dim(const lt_vision *v) { return v->D; }
int lt_vision_image_size(const lt_vision *v) { return v->S; }
int lt_vision_channels(const lt_vision *v) { return v->C; }
int lt_vision_scores(const lt_vision *v, float *scale, float *bias) {
    *scale = v->logit_scale;
    *bias = v->logit_bias;
    return v->logit_scale <= 0 ? 0 : v->sigmoid ? LT_SCORES_SIGMOID : LT_SCORES_SOFTMAX;
}

static int vision_load_impl(lt_vision **out, const char *dir, const lt_bert_opts *opts) {
    char path[4096];
    int rc;
    *out = NULL;
    snprintf(path, sizeof path, "%s/config.json", dir);
    cJSON *cfg = lt__read_json(path, 1, &rc);
    if (!cfg) return rc;
    lt_vision *v = lt_calloc(1, sizeof *v);
    if (!v || !(v->m = lt_calloc(1, sizeof(lt_bert)))) {
        lt_free(v);
        cJSON_Delete(cfg);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    const cJSON *mt = cJSON_GetObjectItemCaseSensitive(cfg, "model_type");
    lt__vision_load_fn load = NULL;
    for (size_t i = 0; i < sizeof vision_families / sizeof vision_families[0]; i++)
        if (cJSON_IsString(mt) && !strcmp(mt->valuestring, vision_families[i].model_type))
            load = vision_families[i].load;
    if (!load)
        rc = lt_err(LT_EFORMAT,
                "%s: model_type '%s' has no image tower latent reads (clip, clip_vision_model, "
                "siglip, siglip_vision_model, vit, dinov2)",
                path, cJSON_IsString(mt) ? mt->valuestring : "?");
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    if (!rc) rc = lt__st_open(&v->m->st, path);
    snprintf(path, sizeof path, "%s/config.json", dir);
    if (!rc) rc = load(v, cfg, path);
    lt_bert *m = v->m;
    if (!rc && (v->C < 1 || v->C > 16 || v->p < 1 || v->S < v->p || v->S > 16384))
        rc = lt_err(LT_EFORMAT, "%s: image_size %d, patch_size %d, num_channels %d", path, v->S,
                v->p, v->C);
    if (!rc) {
        v->grid = v->S / v->p;
        v->np = v->grid * v->grid;
        m->bf16 = opts && opts->precision == LT_PREC_BF16;
        m->max_seq = m->P = v->np + v->has_cls;
        m->types = 1;
        if (lt_pack_rows(&v->patch, v->patch_w, m->H, v->C * v->p * v->p, v->C * v->p * v->p) ||
                (rc = lt__pack(m)))
            rc = rc ? rc : lt_err(LT_ENOMEM, "out of memory packing weights");
    }
    cJSON_Delete(cfg);
    if (rc) {
        lt_vision_free(v);
        return rc;
    }
    *out = v;
    return LT_OK;
}

int lt_vision_load(lt_vision **out, const char *dir, const lt_bert_opts *opts) {
    return lt_err_in(vision_load_impl(out, dir, opts), dir);
}

/* the class token's row: its layernorm (CLIP), then the projection, in double as the text
 * encoders' heads */
static void pool(const lt_vision *v, const float *x, float *out, float *tmp) {
    const lt_bert *m = v->m;
    int H = m->H;
    memcpy(tmp, x, sizeof(float) * (size_t)H);
    if (v->post_g) {
        double s = 0, q = 0;
        for (int i = 0; i < H; i++) s += tmp[i];
        double mu = s / H;
        for (int i = 0; i < H; i++) q += (tmp[i] - mu) * (tmp[i] - mu);
        float inv = (float)(1.0 / sqrt(q / H + m->eps)), fm = (float)mu;
        for (int i = 0; i < H; i++)
            tmp[i] = (tmp[i] - fm) * inv * v->post_g[i] + (v->post_b ? v->post_b[i] : 0);
    }
    if (!v->proj) {
        memcpy(out, tmp, sizeof(float) * (size_t)H);
        return;
    }
    for (int o = 0; o < v->D; o++) {
        const float *w = v->proj + (size_t)o * H;
        double acc = 0;
        for (int i = 0; i < H; i++) acc += (double)w[i] * tmp[i];
        out[o] = (float)acc;
    }
}

/* SigLIP's attention pooling of the T tokens X (T x H) into out (H), as torch's
 * MultiheadAttention with the probe as the one query, then x + mlp(layernorm(x)) */
static int map_pool(const lt_vision *v, const float *X, int T, float *out) {
    const lt_bert *m = v->m;
    int H = m->H, I = m->I, nh = m->heads, dh = H / nh;
    float *KV = lt_malloc(sizeof(float) * (size_t)T * 2 * H),
          *q = lt_malloc(sizeof(float) * (size_t)(4 * H + I + T));
    if (!KV || !q) {
        lt_free(KV);
        lt_free(q);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    float *o = q + H, *x = o + H, *y = x + H, *hid = y + H, *p = hid + I;
    /* K, V (T x 2H) = X [Wk; Wv]^T + [bk; bv] */
    lt_sgemm(0, 1, T, 2 * H, H, 1.0f, X, H, v->in_w + (size_t)H * H, H, 0.0f, KV, 2 * H);
    for (int t = 0; t < T; t++)
        for (int j = 0; j < 2 * H; j++) KV[(size_t)t * 2 * H + j] += v->in_b[H + j];
    for (int j = 0; j < H; j++) {
        double s = v->in_b[j];
        for (int i = 0; i < H; i++) s += (double)v->in_w[(size_t)j * H + i] * v->probe[i];
        q[j] = (float)s;
    }
    float scale = 1.0f / sqrtf((float)dh);
    for (int h = 0; h < nh; h++) {
        double mx = -1e300, sum = 0;
        for (int t = 0; t < T; t++) {
            double s = 0;
            for (int d = 0; d < dh; d++)
                s += (double)(q[h * dh + d] * scale) * KV[(size_t)t * 2 * H + h * dh + d];
            p[t] = (float)s;
            mx = fmax(mx, p[t]);
        }
        for (int t = 0; t < T; t++) sum += exp(p[t] - mx);
        for (int d = 0; d < dh; d++) o[h * dh + d] = 0;
        for (int t = 0; t < T; t++) {
            float w = (float)(exp(p[t] - mx) / sum);
            for (int d = 0; d < dh; d++)
                o[h * dh + d] += w * KV[(size_t)t * 2 * H + H + h * dh + d];
        }
    }
    for (int j = 0; j < H; j++) { /* out_proj */
        double s = v->out_b[j];
        for (int i = 0; i < H; i++) s += (double)v->out_w[(size_t)j * H + i] * o[i];
        x[j] = (float)s;
    }
    double mu = 0, var = 0; /* layernorm */
    for (int j = 0; j < H; j++) mu += x[j];
    mu /= H;
    for (int j = 0; j < H; j++) var += (x[j] - mu) * (x[j] - mu);
    float inv = (float)(1.0 / sqrt(var / H + m->eps));
    for (int j = 0; j < H; j++) y[j] = (x[j] - (float)mu) * inv * v->hln_g[j] + v->hln_b[j];
    for (int j = 0; j < I; j++) { /* fc1, then the activation */
        double s = v->fc1_b[j];
        for (int i = 0; i < H; i++) s += (double)v->fc1_w[(size_t)j * H + i] * y[i];
        hid[j] = (float)s;
    }
    lt_kern()->glu(hid, NULL, I,
            m->act == LT__ACT_GELU_TANH            ? LT_GLU_GELU_TANH
                    : m->act == LT__ACT_QUICK_GELU ? LT_GLU_QUICK_GELU
                                                   : LT_GLU_GELU);
    for (int j = 0; j < H; j++) { /* fc2, the residual */
        double s = v->fc2_b[j];
        for (int i = 0; i < I; i++) s += (double)v->fc2_w[(size_t)j * I + i] * hid[i];
        out[j] = x[j] + (float)s;
    }
    lt_free(KV);
    lt_free(q);
    return LT_OK;
}

int lt_vision_embed(const lt_vision *v, const float *pixels, int n, float *out, int n_threads) {
    if (n <= 0) return LT_OK;
    const lt_bert *m = v->m;
    int H = m->H, T1 = v->np + v->has_cls, K = v->C * v->p * v->p, p = v->p, S = v->S;
    size_t T = (size_t)n * T1;
    float *E = lt_malloc(sizeof(float) * T * H), *X = lt_malloc(sizeof(float) * T * H),
          *Pm = lt_malloc(sizeof(float) * (size_t)v->np * K), *tmp = lt_malloc(sizeof(float) * H);
    int *off = lt_malloc(sizeof(int) * (size_t)(n + 1));
    int rc = E && X && Pm && tmp && off ? LT_OK : lt_err(LT_ENOMEM, "out of memory");
    for (int i = 0; rc == LT_OK && i < n; i++) {
        const float *img = pixels + (size_t)i * v->C * S * S;
        /* patch (gy, gx) as the convolution reads it: channel, row, column */
        for (int gy = 0; gy < v->grid; gy++)
            for (int gx = 0; gx < v->grid; gx++) {
                float *row = Pm + (size_t)(gy * v->grid + gx) * K;
                for (int c = 0; c < v->C; c++)
                    for (int ky = 0; ky < p; ky++)
                        memcpy(row + (c * p + ky) * p,
                                img + ((size_t)c * S + (size_t)gy * p + ky) * S + (size_t)gx * p,
                                sizeof(float) * (size_t)p);
            }
        float *e = E + (size_t)i * T1 * H;
        lt_gemm_packed(v->np, Pm, K, &v->patch, e + (size_t)v->has_cls * H, H, v->patch_b,
                v->patch_b ? LT_GEMM_BIAS : 0, n_threads);
        for (int j = 0; v->has_cls && j < H; j++) e[j] = v->cls_emb[j] + v->pos[j];
        for (int t = v->has_cls; t < T1; t++)
            for (int j = 0; j < H; j++) e[(size_t)t * H + j] += v->pos[(size_t)t * H + j];
        off[i] = i * T1;
    }
    if (rc == LT_OK) {
        off[n] = n * T1;
        rc = lt__forward_embedded(m, E, off, n, X, n_threads);
    }
    for (int i = 0; rc == LT_OK && i < n; i++) {
        if (v->probe) rc = map_pool(v, X + (size_t)i * T1 * H, T1, out + (size_t)i * v->D);
        else pool(v, X + (size_t)i * T1 * H, out + (size_t)i * v->D, tmp);
    }
    lt_free(E);
    lt_free(X);
    lt_free(Pm);
    lt_free(tmp);
    lt_free(off);
    return rc;
}
