/* SigLIP's image tower in Hugging Face's layout (config.json model_type siglip: SiglipModel's
 * vision_config; or siglip_vision_model): patches with a biased patch embedding and learned
 * positions (no class token), CLIP's pre-norm blocks (tanh-GELU), a layernorm on every token
 * (post_layernorm), then the attention-pooling head (a probe attends over the tokens, then
 * x + mlp(layernorm(x))): get_image_features. */
#include "encoder_impl.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

int lt__siglip_vision_load(lt_vision *v, const cJSON *cfg, const char *path) {
    lt_bert *m = v->m;
    static const char *const acts[] = { "gelu_pytorch_tanh", "gelu" };
    static const int codes[] = { LT__ACT_GELU_TANH, LT__ACT_GELU };
    const cJSON *c = lt__sub_config(cfg, "siglip", "vision_config", path);
    if (!c) return LT_EFORMAT;
    int rc = lt__activation(c, "hidden_act", path, acts, codes, 2, &m->act);
    if (rc) return rc;
    if (cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(c, "vision_use_head")))
        return lt_err(LT_EFORMAT, "%s: vision_use_head false (no pooled output) is not implemented",
                path);
    v->has_cls = 0;
    if ((rc = lt__tower_sizes(v, c, path, 1e-6, 16))) return rc;
    const char *P = "vision_model";
    int H = m->H, I = m->I;
    const lt_tensor *probe = lt__st_get_p(&m->st, P, "head.probe", 3, 1, 1);
    if (!(v->patch_w = lt__patch_weight(v, P, "embeddings.patch_embedding.weight", path)) || !probe)
        return LT_EFORMAT;
    if (probe->shape[2] != H) return lt_err(LT_EFORMAT, "%s: head.probe is not %d wide", path, H);
    v->probe = probe->data;
    v->D = H;
    if (!(v->patch_b = lt__w(m, P, "embeddings.patch_embedding.bias", 1, H, -1)) ||
            !(v->pos = lt__w(m, P, "embeddings.position_embedding.weight", 2, m->P, H)) ||
            !(m->fin_g = lt__w(m, P, "post_layernorm.weight", 1, H, -1)) ||
            !(m->fin_b = lt__w(m, P, "post_layernorm.bias", 1, H, -1)) ||
            !(v->in_w = lt__w(m, P, "head.attention.in_proj_weight", 2, 3 * H, H)) ||
            !(v->in_b = lt__w(m, P, "head.attention.in_proj_bias", 1, 3 * H, -1)) ||
            !(v->out_w = lt__w(m, P, "head.attention.out_proj.weight", 2, H, H)) ||
            !(v->out_b = lt__w(m, P, "head.attention.out_proj.bias", 1, H, -1)) ||
            !(v->hln_g = lt__w(m, P, "head.layernorm.weight", 1, H, -1)) ||
            !(v->hln_b = lt__w(m, P, "head.layernorm.bias", 1, H, -1)) ||
            !(v->fc1_w = lt__w(m, P, "head.mlp.fc1.weight", 2, I, H)) ||
            !(v->fc1_b = lt__w(m, P, "head.mlp.fc1.bias", 1, I, -1)) ||
            !(v->fc2_w = lt__w(m, P, "head.mlp.fc2.weight", 2, H, I)) ||
            !(v->fc2_b = lt__w(m, P, "head.mlp.fc2.bias", 1, H, -1)))
        return LT_EFORMAT;
    if (lt__has(m, P, "logit_scale")) { /* SiglipModel: sigmoid(scale x cosine + bias) */
        const float *ls = lt__w(m, P, "logit_scale", 1, 1, -1),
                    *lb = lt__w(m, P, "logit_bias", 1, 1, -1);
        if (!ls || !lb) return LT_EFORMAT;
        v->logit_scale = expf(ls[0]);
        v->logit_bias = lb[0];
        v->sigmoid = 1;
    }
    return lt__clip_blocks(m, P);
}
