/* SigLIP's image tower in Hugging Face's layout (config.json model_type siglip: SiglipModel's
 * vision_config; or siglip_vision_model): patches with a biased patch embedding and learned
 * positions (no class token), CLIP's pre-norm blocks (tanh-GELU), a layernorm on every token
 * (post_layernorm), then the attention-pooling head (a probe attends over the tokens, then
 * x + mlp(layernorm(x))): get_image_features. */
#include "encoder_impl.h"
#include <stdio.h>
#include <string.h>

int lt__siglip_vision_load(lt_vision *v, const cJSON *cfg, const char *path) {
    lt_bert *m = v->m;
    const cJSON *mt = cJSON_GetObjectItemCaseSensitive(cfg, "model_type"),
                *vc = cJSON_GetObjectItemCaseSensitive(cfg, "vision_config");
    int full = cJSON_IsString(mt) && !strcmp(mt->valuestring, "siglip");
    if (full && !cJSON_IsObject(vc))
        return lt_err(LT_EFORMAT, "%s: model_type siglip without a vision_config", path);
    const cJSON *c = full ? vc : cfg;
    const cJSON *act = cJSON_GetObjectItemCaseSensitive(c, "hidden_act");
    const char *an = cJSON_IsString(act) ? act->valuestring : "gelu_pytorch_tanh";
    if (!strcmp(an, "gelu_pytorch_tanh")) m->act = LT__ACT_GELU_TANH;
    else if (!strcmp(an, "gelu")) m->act = LT__ACT_GELU;
    else
        return lt_err(LT_EFORMAT, "%s: unsupported hidden_act '%s' (gelu_pytorch_tanh, gelu)",
                path, an);
    if (cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(c, "vision_use_head")))
        return lt_err(LT_EFORMAT, "%s: vision_use_head false (no pooled output) is not implemented",
                path);
    lt__std_sizes(m, c, 0);
    m->kvh = m->heads;
    m->dh = m->heads > 0 ? m->H / m->heads : 0;
    m->eps = lt__jnum(c, "layer_norm_eps", 1e-6);
    m->V = 1;
    v->S = lt__jint(c, "image_size", 224);
    v->p = lt__jint(c, "patch_size", 16);
    v->C = lt__jint(c, "num_channels", 3);
    m->P = v->p > 0 ? (v->S / v->p) * (v->S / v->p) : 0;
    int rc = m->dh * m->heads != m->H
            ? lt_err(LT_EFORMAT, "%s: hidden_size %d in %d heads", path, m->H, m->heads)
            : lt__check_sizes(m, path);
    if (rc) return rc;
    m->prenorm = 1;
    const char *P = "vision_model";
    int H = m->H, I = m->I;
    const lt_tensor *pw = lt__st_get_p(&m->st, P, "embeddings.patch_embedding.weight", 4, H, v->C),
                    *probe = lt__st_get_p(&m->st, P, "head.probe", 3, 1, 1);
    if (!pw || !probe) return LT_EFORMAT;
    if (pw->shape[2] != v->p || pw->shape[3] != v->p || probe->shape[2] != H)
        return lt_err(LT_EFORMAT, "%s: the patch embedding or the probe does not fit", path);
    v->patch_w = pw->data;
    v->probe = probe->data;
    v->has_cls = 0;
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
    return lt__clip_blocks(m, P);
}
