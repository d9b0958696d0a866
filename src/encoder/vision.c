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
};

void lt_vision_free(lt_vision *v) {
    if (!v) return;
    lt_packed_free(&v->patch);
    lt_bert_free(v->m);
    lt_free(v);
}
int lt_vision_dim(const lt_vision *v) { return v->D; }
int lt_vision_image_size(const lt_vision *v) { return v->S; }
int lt_vision_channels(const lt_vision *v) { return v->C; }
float lt_vision_logit_scale(const lt_vision *v) { return v->logit_scale; }

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
                "%s: model_type '%s' has no image tower latent reads (clip, clip_vision_model, vit)",
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
        m->max_seq = m->P = v->np + 1;
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

int lt_vision_embed(const lt_vision *v, const float *pixels, int n, float *out, int n_threads) {
    if (n <= 0) return LT_OK;
    const lt_bert *m = v->m;
    int H = m->H, T1 = v->np + 1, K = v->C * v->p * v->p, p = v->p, S = v->S;
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
        lt_gemm_packed(v->np, Pm, K, &v->patch, e + H, H, v->patch_b, v->patch_b ? LT_GEMM_BIAS : 0,
                n_threads);
        for (int j = 0; j < H; j++) e[j] = v->cls[j] + v->pos[j];
        for (int t = 1; t < T1; t++)
            for (int j = 0; j < H; j++) e[(size_t)t * H + j] += v->pos[(size_t)t * H + j];
        off[i] = i * T1;
    }
    if (rc == LT_OK) {
        off[n] = n * T1;
        rc = lt__forward_embedded(m, E, off, n, X, n_threads);
    }
    for (int i = 0; rc == LT_OK && i < n; i++)
        pool(v, X + (size_t)i * T1 * H, out + (size_t)i * v->D, tmp);
    lt_free(E);
    lt_free(X);
    lt_free(Pm);
    lt_free(tmp);
    lt_free(off);
    return rc;
}
