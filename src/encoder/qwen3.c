/* Qwen3 (config.json model_type "qwen3", e.g. Qwen3-Embedding): a decoder used as an encoder.
 * Pre-norm blocks with RMSNorm, grouped-query attention (num_key_value_heads) with an RMSNorm
 * on each query and key head before the rotation, rotary positions (rope_theta), causal
 * attention, a SwiGLU feed-forward (down(silu(gate(x)) * up(x))), a final RMSNorm; no
 * position table, no biases unless attention_bias. Sentence vectors by last-token pooling
 * (the folder's Pooling module says so): with ragged batches there is no padding to skip. */
#include "encoder_impl.h"
#include <stdio.h>
#include <string.h>

int lt__qwen3_load(lt_bert *m, const cJSON *cfg, const char *path) {
    const cJSON *act = cJSON_GetObjectItemCaseSensitive(cfg, "hidden_act");
    if (cJSON_IsString(act) && strcmp(act->valuestring, "silu"))
        return lt_err(LT_EFORMAT, "%s: unsupported hidden_act '%s' (qwen3: silu)", path,
                act->valuestring);
    if (lt__jbool(cfg, "use_sliding_window", 0))
        return lt_err(LT_EFORMAT, "%s: use_sliding_window is not implemented for qwen3", path);
    lt__std_sizes(m, cfg, 32768);
    m->dh = lt__jint(cfg, "head_dim", m->heads > 0 ? m->H / m->heads : 0);
    m->eps = lt__jnum(cfg, "rms_norm_eps", 1e-6);
    int rc = lt__check_sizes(m, path);
    if (rc) return rc;
    double theta = 0;
    rc = lt__rope_base(cfg, path, 1000000.0, &theta);
    if (rc) return rc;
    int rope = lt__rope_add(m, theta);
    m->prenorm = m->rms = m->causal = m->glu = 1;
    m->act = LT__ACT_SILU;
    int bias = lt__jbool(cfg, "attention_bias", 0);
    const char *P = "model";
    if (!(m->word = lt__w(m, P, "embed_tokens.weight", 2, m->V, m->H)) ||
            !(m->fin_g = lt__w(m, P, "norm.weight", 1, m->H, -1)))
        return LT_EFORMAT;
    if (!(m->layers = lt_calloc((size_t)m->L, sizeof(lt__layer))))
        return lt_err(LT_ENOMEM, "out of memory");
    for (int l = 0; l < m->L; l++) {
        lt__layer *y = &m->layers[l];
        y->rope = rope;
        if (lt__wb(m, P, l, "input_layernorm", 0, &y->ln1_g, NULL, m->H, -1) ||
                lt__wb(m, P, l, "self_attn.q_proj", bias, &y->q_w, &y->q_b, m->Dq, m->H) ||
                lt__wb(m, P, l, "self_attn.k_proj", bias, &y->k_w, &y->k_b, m->Dkv, m->H) ||
                lt__wb(m, P, l, "self_attn.v_proj", bias, &y->v_w, &y->v_b, m->Dkv, m->H) ||
                lt__wb(m, P, l, "self_attn.o_proj", bias, &y->o_w, &y->o_b, m->H, m->Dq) ||
                lt__wb(m, P, l, "self_attn.q_norm", 0, &y->qn, NULL, m->dh, -1) ||
                lt__wb(m, P, l, "self_attn.k_norm", 0, &y->kn, NULL, m->dh, -1) ||
                lt__wb(m, P, l, "post_attention_layernorm", 0, &y->ln2_g, NULL, m->H, -1) ||
                lt__wb(m, P, l, "mlp.gate_proj", 0, &y->i_w, NULL, m->I, m->H) ||
                lt__wb(m, P, l, "mlp.up_proj", 0, &y->u_w, NULL, m->I, m->H) ||
                lt__wb(m, P, l, "mlp.down_proj", 0, &y->f_w, NULL, m->H, m->I))
            return LT_EFORMAT;
    }
    return LT_OK;
}
