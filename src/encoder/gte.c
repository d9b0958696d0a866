/* GTE v1.5 / mGTE (config.json model_type "gte", or "new" in the published remote-code
 * checkpoints such as gte-multilingual-base): BERT's post-norm block with rotary positions
 * instead of a position table, biases on the attention, and a GLU feed-forward
 * (down(act(gate(x)) * up(x)), the down projection with a bias). Two layouts: transformers'
 * own (layers.N.self_attn.q_proj, mlp.gate_proj / up_proj, post_attention_layernorm,
 * post_mlp_layernorm) and the published one (encoder.layer.N.attention.qkv_proj fused,
 * attention.o_proj, mlp.up_gate_proj = [up; gate], attn_ln, mlp_ln), the renaming transformers
 * applies when it loads the latter. Rotary scaling (the published "ntk" kind) and the other
 * variants of the remote code are refused by name. */
#include "encoder_impl.h"
#include <stdio.h>
#include <string.h>

int lt__gte_load(lt_bert *m, const cJSON *cfg, const char *path) {
    const cJSON *pe = cJSON_GetObjectItemCaseSensitive(cfg, "position_embedding_type"),
                *lnt = cJSON_GetObjectItemCaseSensitive(cfg, "layer_norm_type"),
                *act = cJSON_GetObjectItemCaseSensitive(cfg, "hidden_act");
    if (cJSON_IsString(pe) && strcmp(pe->valuestring, "rope"))
        return lt_err(LT_EFORMAT, "%s: position_embedding_type '%s' is not implemented (rope)",
                path, pe->valuestring);
    if (cJSON_IsString(lnt) && strcmp(lnt->valuestring, "layer_norm"))
        return lt_err(LT_EFORMAT, "%s: layer_norm_type '%s' is not implemented (layer_norm)", path,
                lnt->valuestring);
    if (lt__jbool(cfg, "logn_attention_scale", 0))
        return lt_err(LT_EFORMAT, "%s: logn_attention_scale true is not implemented", path);
    if (!lt__jbool(cfg, "pack_qkv", 1))
        return lt_err(LT_EFORMAT, "%s: pack_qkv false is not implemented", path);
    const char *an = cJSON_IsString(act) ? act->valuestring : "gelu";
    if (!strcmp(an, "gelu")) m->act = LT__ACT_GELU;
    else if (!strcmp(an, "silu")) m->act = LT__ACT_SILU;
    else return lt_err(LT_EFORMAT, "%s: unsupported hidden_act '%s' (gelu, silu)", path, an);
    lt__std_sizes(m, cfg, 8192);
    m->types = lt__jint(cfg, "type_vocab_size", 1);
    m->eps = lt__jnum(cfg, "layer_norm_eps", 1e-12);
    m->dh = m->heads > 0 ? m->H / m->heads : 0;
    int rc = m->types < 0 || m->dh * m->heads != m->H
            ? lt_err(LT_EFORMAT, "%s: hidden_size %d in %d heads, type_vocab_size %d", path, m->H,
                      m->heads, m->types)
            : lt__check_sizes(m, path);
    if (rc) return rc;
    double theta = 0;
    rc = lt__rope_base(cfg, path, 160000.0, &theta);
    if (rc) return rc;
    int rope = lt__rope_add(m, theta);
    m->glu = 1;
    int orig = lt__has(m, "new", "encoder.layer.0.attention.qkv_proj.weight");
    const char *P = orig ? "new" : "gte";
    if (!(m->word = lt__w(m, P, "embeddings.word_embeddings.weight", 2, m->V, m->H)) ||
            (m->types > 0 &&
                    !(m->type = lt__w(m, P, "embeddings.token_type_embeddings.weight", 2, m->types,
                              m->H))) ||
            !(m->ln_g = lt__w(m, P, "embeddings.LayerNorm.weight", 1, m->H, -1)) ||
            !(m->ln_b = lt__w(m, P, "embeddings.LayerNorm.bias", 1, m->H, -1)))
        return LT_EFORMAT;
    if (m->types < 1) m->types = 1; /* no table: type ids must be 0 */
    if (!(m->layers = lt_calloc((size_t)m->L, sizeof(lt__layer))))
        return lt_err(LT_ENOMEM, "out of memory");
    m->lfmt = orig ? "encoder.layer.%d" : "layers.%d";
    int H = m->H, I = m->I;
    for (int l = 0; l < m->L; l++) {
        lt__layer *y = &m->layers[l];
        y->rope = rope;
        const float *qkv, *qkv_b, *ug;
        if (orig ? lt__wb(m, P, l, "attention.qkv_proj", 1, &qkv, &qkv_b, 3 * H, H) ||
                                lt__wb(m, P, l, "attention.o_proj", 1, &y->o_w, &y->o_b, H, H) ||
                                lt__wb(m, P, l, "mlp.up_gate_proj", 0, &ug, NULL, 2 * I, H) ||
                                lt__wb(m, P, l, "mlp.down_proj", 1, &y->f_w, &y->f_b, H, I) ||
                                lt__wb(m, P, l, "attn_ln", 1, &y->ln1_g, &y->ln1_b, H, -1) ||
                                lt__wb(m, P, l, "mlp_ln", 1, &y->ln2_g, &y->ln2_b, H, -1)
                 : lt__wb(m, P, l, "self_attn.q_proj", 1, &y->q_w, &y->q_b, H, H) ||
                                lt__wb(m, P, l, "self_attn.k_proj", 1, &y->k_w, &y->k_b, H, H) ||
                                lt__wb(m, P, l, "self_attn.v_proj", 1, &y->v_w, &y->v_b, H, H) ||
                                lt__wb(m, P, l, "self_attn.o_proj", 1, &y->o_w, &y->o_b, H, H) ||
                                lt__wb(m, P, l, "mlp.gate_proj", 0, &y->i_w, NULL, I, H) ||
                                lt__wb(m, P, l, "mlp.up_proj", 0, &y->u_w, NULL, I, H) ||
                                lt__wb(m, P, l, "mlp.down_proj", 1, &y->f_w, &y->f_b, H, I) ||
                                lt__wb(m, P, l, "post_attention_layernorm", 1, &y->ln1_g, &y->ln1_b,
                                        H, -1) ||
                                lt__wb(m, P, l, "post_mlp_layernorm", 1, &y->ln2_g, &y->ln2_b, H,
                                        -1))
            return LT_EFORMAT;
        if (orig) {
            y->q_w = qkv;
            y->k_w = qkv + (size_t)H * H;
            y->v_w = qkv + (size_t)2 * H * H;
            y->q_b = qkv_b;
            y->k_b = qkv_b + H;
            y->v_b = qkv_b + 2 * H;
            y->u_w = ug;
            y->i_w = ug + (size_t)I * H;
        }
    }
    return LT_OK;
}
