/* ViT in Hugging Face's layout (config.json model_type vit: ViTModel, and the base of
 * ViTForImageClassification under vit.): a class token and learned positions, pre-norm blocks
 * (layernorm_before / layernorm_after) with GELU, a final layernorm; the image's vector is the
 * class token's last hidden state (the pooler, a dense + tanh head trained for classification,
 * is not used). */
#include "encoder_impl.h"
#include <stdio.h>
#include <string.h>

int lt__vit_embeddings(lt_vision *v, const char *P, const char *path) {
    lt_bert *m = v->m;
    int H = m->H;
    const lt_tensor *cls = lt__st_get_p(&m->st, P, "embeddings.cls_token", 3, 1, 1),
                    *pos = lt__st_get_p(&m->st, P, "embeddings.position_embeddings", 3, 1, m->P);
    if (!(v->patch_w = lt__patch_weight(
                  v, P, "embeddings.patch_embeddings.projection.weight", path)) ||
            !cls || !pos)
        return LT_EFORMAT;
    if (cls->shape[2] != H || pos->shape[2] != H)
        return lt_err(LT_EFORMAT, "%s: the class token or positions are not %d wide", path, H);
    v->cls_emb = cls->data;
    v->pos = pos->data;
    v->D = H;
    if (!(v->patch_b = lt__w(m, P, "embeddings.patch_embeddings.projection.bias", 1, H, -1)) ||
            !(m->fin_g = lt__w(m, P, "layernorm.weight", 1, H, -1)) ||
            !(m->fin_b = lt__w(m, P, "layernorm.bias", 1, H, -1)))
        return LT_EFORMAT;
    return LT_OK;
}

int lt__vit_attention(lt_bert *m, const char *P, int l, lt__layer *y, int qkv_bias) {
    int H = m->H;
    return lt__wb(m, P, l, "attention.attention.query", qkv_bias, &y->q_w, &y->q_b, H, H) ||
            lt__wb(m, P, l, "attention.attention.key", qkv_bias, &y->k_w, &y->k_b, H, H) ||
            lt__wb(m, P, l, "attention.attention.value", qkv_bias, &y->v_w, &y->v_b, H, H) ||
            lt__wb(m, P, l, "attention.output.dense", 1, &y->o_w, &y->o_b, H, H);
}

int lt__vit_load(lt_vision *v, const cJSON *cfg, const char *path) {
    lt_bert *m = v->m;
    static const char *const acts[] = { "gelu" };
    static const int codes[] = { LT__ACT_GELU };
    v->has_cls = 1;
    int qkv_bias = lt__jbool(cfg, "qkv_bias", 1),
        rc = lt__activation(cfg, "hidden_act", path, acts, codes, 1, &m->act);
    if (rc || (rc = lt__tower_sizes(v, cfg, path, 1e-12, 16))) return rc;
    const char *P = "vit";
    int H = m->H;
    if ((rc = lt__vit_embeddings(v, P, path))) return rc;
    if (!(m->layers = lt_calloc((size_t)m->L, sizeof(lt__layer))))
        return lt_err(LT_ENOMEM, "out of memory");
    m->lfmt = "encoder.layer.%d";
    for (int l = 0; l < m->L; l++) {
        lt__layer *y = &m->layers[l];
        y->rope = -1;
        if (lt__wb(m, P, l, "layernorm_before", 1, &y->ln1_g, &y->ln1_b, H, -1) ||
                lt__vit_attention(m, P, l, y, qkv_bias) ||
                lt__wb(m, P, l, "layernorm_after", 1, &y->ln2_g, &y->ln2_b, H, -1) ||
                lt__wb(m, P, l, "intermediate.dense", 1, &y->i_w, &y->i_b, m->I, H) ||
                lt__wb(m, P, l, "output.dense", 1, &y->f_w, &y->f_b, H, m->I))
            return LT_EFORMAT;
    }
    return LT_OK;
}
