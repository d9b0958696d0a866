/* CLIP's image tower in Hugging Face's layout (config.json model_type clip: CLIPModel, its
 * vision_config and visual_projection; or clip_vision_model: CLIPVisionModel[WithProjection]):
 * a class embedding and learned positions, a layernorm on the embeddings (pre_layrnorm),
 * pre-norm blocks with biases and a quick-GELU feed-forward, then the class token's
 * post_layernorm and the visual projection (get_image_features). */
#include "encoder_impl.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

int lt__clip_vision_load(lt_vision *v, const cJSON *cfg, const char *path) {
    lt_bert *m = v->m;
    const cJSON *mt = cJSON_GetObjectItemCaseSensitive(cfg, "model_type"),
                *vc = cJSON_GetObjectItemCaseSensitive(cfg, "vision_config");
    int full = cJSON_IsString(mt) && !strcmp(mt->valuestring, "clip");
    if (full && !cJSON_IsObject(vc))
        return lt_err(LT_EFORMAT, "%s: model_type clip without a vision_config", path);
    const cJSON *c = full ? vc : cfg;
    const cJSON *act = cJSON_GetObjectItemCaseSensitive(c, "hidden_act");
    const char *an = cJSON_IsString(act) ? act->valuestring : "quick_gelu";
    if (!strcmp(an, "quick_gelu")) m->act = LT__ACT_QUICK_GELU;
    else if (!strcmp(an, "gelu")) m->act = LT__ACT_GELU;
    else return lt_err(LT_EFORMAT, "%s: unsupported hidden_act '%s' (quick_gelu, gelu)", path, an);
    lt__std_sizes(m, c, 0);
    m->kvh = m->heads;
    m->dh = m->heads > 0 ? m->H / m->heads : 0;
    m->eps = lt__jnum(c, "layer_norm_eps", 1e-5);
    m->V = 1; /* no vocabulary */
    v->S = lt__jint(c, "image_size", 224);
    v->p = lt__jint(c, "patch_size", 32);
    v->C = lt__jint(c, "num_channels", 3);
    m->P = v->p > 0 ? (v->S / v->p) * (v->S / v->p) + 1 : 0;
    int rc = m->dh * m->heads != m->H
            ? lt_err(LT_EFORMAT, "%s: hidden_size %d in %d heads", path, m->H, m->heads)
            : lt__check_sizes(m, path);
    if (rc) return rc;
    m->prenorm = 1;
    const char *P = "vision_model";
    int H = m->H, np1 = m->P;
    const lt_tensor *pw = lt__st_get_p(&m->st, P, "embeddings.patch_embedding.weight", 4, H, v->C);
    if (!pw) return LT_EFORMAT;
    if (pw->shape[2] != v->p || pw->shape[3] != v->p)
        return lt_err(LT_EFORMAT, "%s: patch_embedding.weight is %lldx%lld, patch_size %d", path,
                (long long)pw->shape[2], (long long)pw->shape[3], v->p);
    v->patch_w = pw->data;
    v->has_cls = 1;
    if (!(v->cls_emb = lt__w(m, P, "embeddings.class_embedding", 1, H, -1)) ||
            !(v->pos = lt__w(m, P, "embeddings.position_embedding.weight", 2, np1, H)) ||
            !(m->ln_g = lt__w(m, P, "pre_layrnorm.weight", 1, H, -1)) ||
            !(m->ln_b = lt__w(m, P, "pre_layrnorm.bias", 1, H, -1)) ||
            !(v->post_g = lt__w(m, P, "post_layernorm.weight", 1, H, -1)) ||
            !(v->post_b = lt__w(m, P, "post_layernorm.bias", 1, H, -1)))
        return LT_EFORMAT;
    v->D = H;
    if (lt__has(m, P, "visual_projection.weight")) {
        const lt_tensor *t = lt__st_get_p(&m->st, P, "visual_projection.weight", 2, -1, H);
        if (!t) return LT_EFORMAT;
        v->proj = t->data;
        v->D = (int)t->shape[0];
    }
    if (lt__has(m, P, "logit_scale")) { /* CLIPModel: image-text scores, as logits_per_image */
        const lt_tensor *t = lt__st_get_p(&m->st, P, "logit_scale", 0, -1, -1);
        if (!t) return LT_EFORMAT;
        v->logit_scale = expf(t->data[0]);
    }
    return lt__clip_blocks(m, P);
}
