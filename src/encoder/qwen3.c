/* Qwen3 (config.json model_type "qwen3", e.g. Qwen3-Embedding): a decoder used as an encoder.
 * Pre-norm blocks with RMSNorm, grouped-query attention (num_key_value_heads) with an RMSNorm
 * on each query and key head before the rotation, rotary positions (rope_theta), causal
 * attention, a SwiGLU feed-forward (down(silu(gate(x)) * up(x))), a final RMSNorm; no
 * position table, no biases unless attention_bias. Sentence vectors by last-token pooling
 * (the folder's Pooling module says so): with ragged batches there is no padding to skip. */
#include "encoder_impl.h"
#include <stdio.h>
#include <string.h>

/* the rotary base: rope_parameters.rope_theta (transformers 5), else rope_theta */
static int rope_base(const cJSON *cfg, const char *path, double *theta) {
    const cJSON *rp = cJSON_GetObjectItemCaseSensitive(cfg, "rope_parameters");
    const cJSON *rs = cJSON_GetObjectItemCaseSensitive(cfg, "rope_scaling");
    if (rs && !cJSON_IsNull(rs))
        return lt_err(LT_EFORMAT, "%s: rope_scaling is not implemented for qwen3", path);
    *theta = lt__jnum(cfg, "rope_theta", 1000000.0);
    if (cJSON_IsObject(rp)) {
        const cJSON *ty = cJSON_GetObjectItemCaseSensitive(rp, "rope_type");
        if (cJSON_IsString(ty) && strcmp(ty->valuestring, "default"))
            return lt_err(LT_EFORMAT,
                    "%s: rope_parameters.rope_type '%s' is not implemented (default only)", path,
                    ty->valuestring);
        *theta = lt__jnum(rp, "rope_theta", *theta);
    }
    if (!(*theta > 1.0)) return lt_err(LT_EFORMAT, "%s: rope_theta %g", path, *theta);
    return LT_OK;
}

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
    if (m->H <= 0 || m->L <= 0 || m->heads <= 0 || m->kvh <= 0 || m->heads % m->kvh || m->dh <= 0 ||
            m->dh % 2 || m->I <= 0 || m->V <= 0 || m->P <= 0 || m->H > 65536 || m->L > 1000 ||
            m->dh > 4096 || m->heads > 1024)
        return lt_err(LT_EFORMAT,
                "%s: inconsistent sizes (hidden %d, layers %d, heads %d, key/value heads %d, "
                "head_dim %d, intermediate %d, vocab %d)",
                path, m->H, m->L, m->heads, m->kvh, m->dh, m->I, m->V);
    double theta = 0;
    int rc = rope_base(cfg, path, &theta);
    if (rc) return rc;
    int rope = lt__rope_add(m, theta);
    m->Dq = m->heads * m->dh;
    m->Dkv = m->kvh * m->dh;
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
