/* Nomic BERT (config.json model_type "nomic_bert", e.g. nomic-embed-text-v1.5): BERT's
 * post-norm block without biases, rotary positions instead of a position table, and a SwiGLU
 * feed-forward. Two layouts of the same weights are read: transformers' own (layers.N.self_attn
 * .q_proj, mlp.gate_proj, post_attention_layernorm, ...; hidden_size, rope_parameters) and the
 * published checkpoints' (encoder.layers.N.attn.Wqkv fused, mlp.fc11 = up, fc12 = gate, fc2,
 * norm1, norm2, emb_ln; GPT-2's config keys n_embd, n_head, n_layer, n_inner, n_positions,
 * rotary_emb_base), the renaming transformers applies when it loads the latter. Variants the
 * published code has and no oracle here checks (partial or interleaved rotation, rotary
 * scaling, pre-norm, RMSNorm, biases, causal) are refused by name. */
#include "encoder_impl.h"
#include <stdio.h>
#include <string.h>

/* config.json's key k, else its GPT-2 spelling g, else def */
static int key2(const cJSON *cfg, const char *k, const char *g, int def) {
    return lt__jint(cfg, k, lt__jint(cfg, g, def));
}

int lt__nomic_load(lt_bert *m, const cJSON *cfg, const char *path) {
    static const char *const off[] = { "rotary_emb_interleaved", "prenorm", "use_rms_norm",
        "causal", "qkv_proj_bias", "mlp_fc1_bias", "mlp_fc2_bias", "use_flash_attn_bias" };
    for (size_t i = 0; i < sizeof off / sizeof off[0]; i++)
        if (lt__jbool(cfg, off[i], 0))
            return lt_err(
                    LT_EFORMAT, "%s: %s true is not implemented for nomic_bert", path, off[i]);
    const cJSON *rs = cJSON_GetObjectItemCaseSensitive(cfg, "rotary_scaling_factor");
    if (rs && !cJSON_IsNull(rs))
        return lt_err(LT_EFORMAT, "%s: rotary_scaling_factor is not implemented", path);
    double frac = lt__jnum(cfg, "rotary_emb_fraction", 1.0);
    if (frac != 1.0)
        return lt_err(
                LT_EFORMAT, "%s: rotary_emb_fraction %g is not implemented (1 only)", path, frac);
    const cJSON *act = cJSON_GetObjectItemCaseSensitive(cfg, "hidden_act"),
                *af = cJSON_GetObjectItemCaseSensitive(cfg, "activation_function");
    if ((cJSON_IsString(act) && strcmp(act->valuestring, "silu")) ||
            (cJSON_IsString(af) && strcmp(af->valuestring, "swiglu")))
        return lt_err(LT_EFORMAT, "%s: unsupported activation '%s' (nomic_bert: silu, swiglu)",
                path, cJSON_IsString(act) ? act->valuestring : af->valuestring);
    m->H = key2(cfg, "hidden_size", "n_embd", 0);
    m->L = key2(cfg, "num_hidden_layers", "n_layer", 0);
    m->heads = key2(cfg, "num_attention_heads", "n_head", 0);
    m->I = key2(cfg, "intermediate_size", "n_inner", 0);
    m->P = key2(cfg, "max_position_embeddings", "n_positions", 2048);
    m->V = lt__jint(cfg, "vocab_size", 0);
    m->types = lt__jint(cfg, "type_vocab_size", 2);
    m->eps = lt__jnum(cfg, "layer_norm_eps", lt__jnum(cfg, "layer_norm_epsilon", 1e-12));
    m->kvh = m->heads;
    m->dh = lt__jint(cfg, "head_dim", m->heads > 0 ? m->H / m->heads : 0);
    int rc = m->types < 1 ? lt_err(LT_EFORMAT, "%s: type_vocab_size %d", path, m->types)
                          : lt__check_sizes(m, path);
    if (rc) return rc;
    double theta = 0;
    rc = lt__rope_base(cfg, path, lt__jnum(cfg, "rotary_emb_base", 1000.0), &theta);
    if (rc) return rc;
    int rope = lt__rope_add(m, theta);
    m->glu = 1;
    m->act = LT__ACT_SILU;
    const char *P = "nomic_bert";
    int orig = lt__has(m, P, "emb_ln.weight");
    if (!(m->word = lt__w(m, P, "embeddings.word_embeddings.weight", 2, m->V, m->H)) ||
            !(m->type = lt__w(
                      m, P, "embeddings.token_type_embeddings.weight", 2, m->types, m->H)) ||
            !(m->ln_g = lt__w(
                      m, P, orig ? "emb_ln.weight" : "embeddings.LayerNorm.weight", 1, m->H, -1)) ||
            !(m->ln_b = lt__w(
                      m, P, orig ? "emb_ln.bias" : "embeddings.LayerNorm.bias", 1, m->H, -1)))
        return LT_EFORMAT;
    if (!(m->layers = lt_calloc((size_t)m->L, sizeof(lt__layer))))
        return lt_err(LT_ENOMEM, "out of memory");
    m->lfmt = orig ? "encoder.layers.%d" : "layers.%d";
    for (int l = 0; l < m->L; l++) {
        lt__layer *y = &m->layers[l];
        y->rope = rope;
        const float *qkv;
        if (orig ? lt__wb(m, P, l, "attn.Wqkv", 0, &qkv, NULL, 3 * m->Dq, m->H) ||
                                lt__wb(m, P, l, "attn.out_proj", 0, &y->o_w, NULL, m->H, m->Dq) ||
                                lt__wb(m, P, l, "mlp.fc12", 0, &y->i_w, NULL, m->I, m->H) ||
                                lt__wb(m, P, l, "mlp.fc11", 0, &y->u_w, NULL, m->I, m->H) ||
                                lt__wb(m, P, l, "mlp.fc2", 0, &y->f_w, NULL, m->H, m->I) ||
                                lt__wb(m, P, l, "norm1", 1, &y->ln1_g, &y->ln1_b, m->H, -1) ||
                                lt__wb(m, P, l, "norm2", 1, &y->ln2_g, &y->ln2_b, m->H, -1)
                 : lt__wb(m, P, l, "self_attn.q_proj", 0, &y->q_w, NULL, m->Dq, m->H) ||
                                lt__wb(m, P, l, "self_attn.k_proj", 0, &y->k_w, NULL, m->Dq,
                                        m->H) ||
                                lt__wb(m, P, l, "self_attn.v_proj", 0, &y->v_w, NULL, m->Dq,
                                        m->H) ||
                                lt__wb(m, P, l, "self_attn.o_proj", 0, &y->o_w, NULL, m->H,
                                        m->Dq) ||
                                lt__wb(m, P, l, "mlp.gate_proj", 0, &y->i_w, NULL, m->I, m->H) ||
                                lt__wb(m, P, l, "mlp.up_proj", 0, &y->u_w, NULL, m->I, m->H) ||
                                lt__wb(m, P, l, "mlp.down_proj", 0, &y->f_w, NULL, m->H, m->I) ||
                                lt__wb(m, P, l, "post_attention_layernorm", 1, &y->ln1_g, &y->ln1_b,
                                        m->H, -1) ||
                                lt__wb(m, P, l, "post_mlp_layernorm", 1, &y->ln2_g, &y->ln2_b, m->H,
                                        -1))
            return LT_EFORMAT;
        if (orig) {
            y->q_w = qkv;
            y->k_w = qkv + (size_t)m->Dq * m->H;
            y->v_w = qkv + (size_t)2 * m->Dq * m->H;
        }
    }
    return LT_OK;
}
