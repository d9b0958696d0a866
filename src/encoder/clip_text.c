/* CLIP's text tower in Hugging Face's layout (config.json model_type clip: CLIPModel's
 * text_config and text_projection; or clip_text_model: CLIPTextModel[WithProjection]): token
 * and learned position embeddings, causal pre-norm blocks with biases and a quick-GELU
 * feed-forward, a final layernorm, the end-of-text token's state (the first position of
 * eos_token_id; with the legacy eos_token_id 2, of the largest id, as transformers), then the
 * text projection (a Dense module without bias). Its vectors share the space of the image
 * tower's (vision.c) for the same folder. */
#include "encoder_impl.h"
#include <stdio.h>
#include <string.h>

/* CLIP's blocks (both towers): prefix.encoder.layers.N.{layer_norm1, self_attn.{q,k,v,out}_proj,
 * layer_norm2, mlp.fc1, mlp.fc2}, all with biases */
int lt__clip_blocks(lt_bert *m, const char *P) {
    int H = m->H;
    if (!(m->layers = lt_calloc((size_t)m->L, sizeof(lt__layer))))
        return lt_err(LT_ENOMEM, "out of memory");
    m->lfmt = "encoder.layers.%d";
    for (int l = 0; l < m->L; l++) {
        lt__layer *y = &m->layers[l];
        y->rope = -1;
        if (lt__wb(m, P, l, "layer_norm1", 1, &y->ln1_g, &y->ln1_b, H, -1) ||
                lt__wb(m, P, l, "self_attn.q_proj", 1, &y->q_w, &y->q_b, H, H) ||
                lt__wb(m, P, l, "self_attn.k_proj", 1, &y->k_w, &y->k_b, H, H) ||
                lt__wb(m, P, l, "self_attn.v_proj", 1, &y->v_w, &y->v_b, H, H) ||
                lt__wb(m, P, l, "self_attn.out_proj", 1, &y->o_w, &y->o_b, H, H) ||
                lt__wb(m, P, l, "layer_norm2", 1, &y->ln2_g, &y->ln2_b, H, -1) ||
                lt__wb(m, P, l, "mlp.fc1", 1, &y->i_w, &y->i_b, m->I, H) ||
                lt__wb(m, P, l, "mlp.fc2", 1, &y->f_w, &y->f_b, H, m->I))
            return LT_EFORMAT;
    }
    return LT_OK;
}

int lt__clip_text_load(lt_bert *m, const cJSON *cfg, const char *path) {
    static const char *const acts[] = { "quick_gelu", "gelu" };
    static const int codes[] = { LT__ACT_QUICK_GELU, LT__ACT_GELU };
    const cJSON *c = lt__sub_config(cfg, "clip", "text_config", path);
    if (!c) return LT_EFORMAT;
    int rc = lt__activation(c, "hidden_act", path, acts, codes, 2, &m->act);
    if (rc) return rc;
    lt__std_sizes(m, c, 77);
    m->kvh = m->heads;
    m->dh = m->heads > 0 ? m->H / m->heads : 0;
    m->eps = lt__jnum(c, "layer_norm_eps", 1e-5);
    m->eos_id = lt__jint(c, "eos_token_id", 2);
    m->eos_pool = m->eos_id == 2 ? 1 : 2;
    rc = m->dh * m->heads != m->H
            ? lt_err(LT_EFORMAT, "%s: hidden_size %d in %d heads", path, m->H, m->heads)
            : lt__check_sizes(m, path);
    if (rc) return rc;
    m->prenorm = m->causal = 1;
    const char *P = "text_model";
    int H = m->H;
    if (!(m->word = lt__w(m, P, "embeddings.token_embedding.weight", 2, m->V, H)) ||
            !(m->pos = lt__w(m, P, "embeddings.position_embedding.weight", 2, m->P, H)) ||
            !(m->fin_g = lt__w(m, P, "final_layer_norm.weight", 1, H, -1)) ||
            !(m->fin_b = lt__w(m, P, "final_layer_norm.bias", 1, H, -1)))
        return LT_EFORMAT;
    if (lt__has(m, P, "text_projection.weight")) { /* as a Dense module of the folder's st */
        const lt_tensor *t = lt__st_get_p(&m->st, P, "text_projection.weight", 2, -1, H);
        if (!t) return LT_EFORMAT;
        m->dense[0].w = t->data;
        m->dense[0].b = NULL;
        m->dense[0].in = H;
        m->dense[0].out = (int)t->shape[0];
        m->dense[0].act = LT__ACT_IDENTITY;
        m->n_dense = 1;
    }
    return lt__clip_blocks(m, P);
}
