/* DINOv2 in Hugging Face's layout (config.json model_type dinov2: Dinov2Model): a class token and
 * learned positions for config.image_size, pre-norm blocks whose two outputs are scaled by
 * per-channel layer scales (lambda1), GELU or SwiGLU feed-forwards (use_swiglu_ffn), a final
 * layernorm; the image's vector is the class token (pooler_output). The model is trained at 518
 * pixels and used at its processor's crop (224): the patch positions are then resized as
 * transformers does, torch's bicubic interpolation (A = -0.75, align_corners false, borders
 * clamped) in float, done once at load for the folder's preprocessor_config.json size. */
#include "encoder_impl.h"
#include "latent/images.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

/* torch's cubic convolution weights of the 4 taps around t in [0, 1) */
static void cubic_w(float t, float w[4]) {
    const float A = -0.75f;
    float x = t + 1;
    w[0] = ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
    x = t;
    w[1] = ((A + 2) * x - (A + 3)) * x * x + 1;
    x = 1 - t;
    w[2] = ((A + 2) * x - (A + 3)) * x * x + 1;
    x = 2 - t;
    w[3] = ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
}

/* src (g x g grid of H-vectors) to dst (n x n), bicubic as torch.nn.functional.interpolate(size,
 * mode="bicubic", align_corners=False) */
static void resize_grid(const float *src, int g, int n, int H, float *dst) {
    float scale = (float)g / (float)n;
    for (int oy = 0; oy < n; oy++) {
        float ry = scale * (oy + 0.5f) - 0.5f;
        int iy = (int)floorf(ry);
        float wy[4];
        cubic_w(ry - iy, wy);
        for (int ox = 0; ox < n; ox++) {
            float rx = scale * (ox + 0.5f) - 0.5f;
            int ix = (int)floorf(rx);
            float wx[4];
            cubic_w(rx - ix, wx);
            for (int h = 0; h < H; h++) {
                float acc = 0;
                for (int j = 0; j < 4; j++) {
                    int yy = iy - 1 + j < 0 ? 0 : iy - 1 + j >= g ? g - 1 : iy - 1 + j;
                    const float *row = src + (size_t)yy * g * H;
                    float r = 0;
                    for (int i = 0; i < 4; i++) {
                        int xx = ix - 1 + i < 0 ? 0 : ix - 1 + i >= g ? g - 1 : ix - 1 + i;
                        r += row[(size_t)xx * H + h] * wx[i];
                    }
                    acc += r * wy[j];
                }
                dst[((size_t)oy * n + ox) * H + h] = acc;
            }
        }
    }
}

/* the SwiGLU's weights: the published layout (mlp.weights_in = [gate; up], mlp.weights_out), as
 * transformers saves them, or its module names (gate_proj, up_proj, down_proj) */
static int swiglu_weights(lt_bert *m, const char *P, int l, lt__layer *y) {
    int H = m->H, I = m->I;
    char nm[96];
    snprintf(nm, sizeof nm, "encoder.layer.%d.mlp.weights_in.weight", l);
    if (!lt__has(m, P, nm))
        return lt__wb(m, P, l, "mlp.gate_proj", 1, &y->i_w, &y->i_b, I, H) ||
                lt__wb(m, P, l, "mlp.up_proj", 1, &y->u_w, &y->u_b, I, H) ||
                lt__wb(m, P, l, "mlp.down_proj", 1, &y->f_w, &y->f_b, H, I);
    if (lt__wb(m, P, l, "mlp.weights_in", 1, &y->i_w, &y->i_b, 2 * I, H) ||
            lt__wb(m, P, l, "mlp.weights_out", 1, &y->f_w, &y->f_b, H, I))
        return LT_EFORMAT;
    y->u_w = y->i_w + (size_t)I * H;
    y->u_b = y->i_b + I;
    return LT_OK;
}

int lt__dinov2_load(lt_vision *v, const cJSON *cfg, const char *path) {
    lt_bert *m = v->m;
    static const char *const acts[] = { "gelu" };
    static const int codes[] = { LT__ACT_GELU };
    v->has_cls = 1;
    int swiglu = lt__jbool(cfg, "use_swiglu_ffn", 0), qkv_bias = lt__jbool(cfg, "qkv_bias", 1);
    int rc = lt__activation(cfg, "hidden_act", path, acts, codes, 1, &m->act);
    if (rc || (rc = lt__tower_sizes(v, cfg, path, 1e-6, 14))) return rc; /* I from mlp_ratio */
    if (lt__jint(cfg, "num_register_tokens", 0))
        return lt_err(LT_EFORMAT, "%s: register tokens are not implemented", path);
    if (swiglu) { /* two thirds of the hidden size, rounded up to a multiple of 8 */
        m->I = ((int)(m->I * 2 / 3) + 7) / 8 * 8;
        m->glu = 1;
        m->act = LT__ACT_SILU;
        if ((rc = lt__check_sizes(m, path))) return rc;
    }
    /* the size the model is used at: its processor's crop (else size), else config.image_size */
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash) *slash = 0;
    lt_image_prep prep;
    int g0 = v->grid = v->S / v->p, S = v->S;
    if (lt_image_prep_load(&prep, dir) == LT_OK) {
        int w = 0, h = 0;
        lt_image_prep_size(&prep, 1000, 1000, &w, &h);
        if (w == h && w >= v->p) S = w;
    }
    const char *P = "dinov2";
    int H = m->H, n = S / v->p;
    if ((rc = lt__vit_embeddings(v, P, path))) return rc;
    if (n != g0) { /* positions for an n x n grid of patches */
        float *p2 = lt__own_alloc(m, (size_t)(n * n + 1) * H);
        if (!p2) return lt_err(LT_ENOMEM, "out of memory");
        memcpy(p2, v->pos, sizeof(float) * (size_t)H); /* the class token's */
        resize_grid(v->pos + H, g0, n, H, p2 + H);
        v->pos = p2;
        v->S = S;
        m->P = n * n + 1;
    }
    if (!(m->layers = lt_calloc((size_t)m->L, sizeof(lt__layer))))
        return lt_err(LT_ENOMEM, "out of memory");
    m->lfmt = "encoder.layer.%d";
    for (int l = 0; l < m->L; l++) {
        lt__layer *y = &m->layers[l];
        char n1[96], n2[96];
        snprintf(n1, sizeof n1, "encoder.layer.%d.layer_scale1.lambda1", l);
        snprintf(n2, sizeof n2, "encoder.layer.%d.layer_scale2.lambda1", l);
        y->rope = -1;
        if (!(y->ls1 = lt__w(m, P, n1, 1, H, -1)) || !(y->ls2 = lt__w(m, P, n2, 1, H, -1)))
            return LT_EFORMAT;
        if (lt__wb(m, P, l, "norm1", 1, &y->ln1_g, &y->ln1_b, H, -1) ||
                lt__vit_attention(m, P, l, y, qkv_bias) ||
                lt__wb(m, P, l, "norm2", 1, &y->ln2_g, &y->ln2_b, H, -1) ||
                (swiglu ? swiglu_weights(m, P, l, y)
                        : lt__wb(m, P, l, "mlp.fc1", 1, &y->i_w, &y->i_b, m->I, H) ||
                                        lt__wb(m, P, l, "mlp.fc2", 1, &y->f_w, &y->f_b, H, m->I)))
            return LT_EFORMAT;
    }
    return LT_OK;
}
