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
    static const char *const acts[] = { "quick_gelu", "gelu" };
    static const int codes[] = { LT__ACT_QUICK_GELU, LT__ACT_GELU };
    const cJSON *c = lt__sub_config(cfg, "clip", "vision_config", path);
    if (!c) return LT_EFORMAT;
    v->has_cls = 1;
    int rc = lt__activation(c, "hidden_act", path, acts, codes, 2, &m->act);
    if (rc || (rc = lt__tower_sizes(v, c, path, 1e-5, 32))) return rc;
    const char *P = "vision_model";
    int H = m->H, np1 = m->P;
    if (!(v->patch_w = lt__patch_weight(v, P, "embeddings.patch_embedding.weight", path)))
        return LT_EFORMAT;
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
