/* SigLIP's text tower in Hugging Face's layout (config.json model_type siglip: SiglipModel's
 * text_config; or siglip_text_model): token and learned position embeddings, bidirectional
 * pre-norm blocks (CLIP's names, tanh-GELU), a final layernorm, the last position's state (the
 * inputs are padded to max_position_embeddings with the pad id, and the pads attended to, as
 * the model was trained and as its processor pads), then the head (a biased Linear). */
#include "encoder_impl.h"
#include <stdio.h>
#include <string.h>

int lt__siglip_text_load(lt_bert *m, const cJSON *cfg, const char *path) {
    static const char *const acts[] = { "gelu_pytorch_tanh", "gelu" };
    static const int codes[] = { LT__ACT_GELU_TANH, LT__ACT_GELU };
    const cJSON *c = lt__sub_config(cfg, "siglip", "text_config", path);
    if (!c) return LT_EFORMAT;
    int rc = lt__activation(c, "hidden_act", path, acts, codes, 2, &m->act);
    if (rc) return rc;
    lt__std_sizes(m, c, 64);
    m->kvh = m->heads;
    m->dh = m->heads > 0 ? m->H / m->heads : 0;
    m->eps = lt__jnum(c, "layer_norm_eps", 1e-6);
    m->pad_to = 1;
    m->pad_id = lt__jint(c, "pad_token_id", 1);
    m->eos_pool = 3; /* the last position */
    rc = m->dh * m->heads != m->H
            ? lt_err(LT_EFORMAT, "%s: hidden_size %d in %d heads", path, m->H, m->heads)
            : lt__check_sizes(m, path);
    if (!rc && (m->pad_id < 0 || m->pad_id >= m->V))
        rc = lt_err(LT_EFORMAT, "%s: pad_token_id %d outside the vocabulary", path, m->pad_id);
    if (rc) return rc;
    m->prenorm = 1;
    const char *P = "text_model";
    int H = m->H;
    const lt_tensor *hw = lt__st_get_p(&m->st, P, "head.weight", 2, -1, H);
    if (!(m->word = lt__w(m, P, "embeddings.token_embedding.weight", 2, m->V, H)) ||
            !(m->pos = lt__w(m, P, "embeddings.position_embedding.weight", 2, m->P, H)) ||
            !(m->fin_g = lt__w(m, P, "final_layer_norm.weight", 1, H, -1)) ||
            !(m->fin_b = lt__w(m, P, "final_layer_norm.bias", 1, H, -1)) || !hw ||
            !(m->dense[0].b = lt__w(m, P, "head.bias", 1, hw->shape[0], -1)))
        return LT_EFORMAT;
    m->dense[0].w = hw->data;
    m->dense[0].in = H;
    m->dense[0].out = (int)hw->shape[0];
    m->dense[0].act = LT__ACT_IDENTITY;
    m->n_dense = 1;
    return lt__clip_blocks(m, P);
}
