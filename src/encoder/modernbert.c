/* ModernBERT (config.json model_type "modernbert", e.g. ModernBERT-base and the embedders built
 * on it): pre-norm blocks with LayerNorm (no bias unless norm_bias), the first layer without
 * an attention norm (the embeddings' norm serves), one fused Wqkv, rotary positions with a
 * base per layer kind, alternating global and local attention (layer_types, or every
 * global_attn_every_n_layers-th layer global; local layers see |i - j| <= local_attention / 2),
 * a GeGLU feed-forward (Wi's first half through the activation times its second half), a
 * final norm; no position table. */
#include "encoder_impl.h"
#include <stdio.h>
#include <string.h>

/* the rotary base of a layer kind: rope_parameters[kind].rope_theta (transformers 5), else
 * the older global_rope_theta / local_rope_theta */
static int kind_theta(const cJSON *cfg, const char *path, const char *kind, const char *old_key,
        double def, double *theta) {
    const cJSON *rp = cJSON_GetObjectItemCaseSensitive(cfg, "rope_parameters");
    const cJSON *k = cJSON_IsObject(rp) ? cJSON_GetObjectItemCaseSensitive(rp, kind) : NULL;
    *theta = lt__jnum(cfg, old_key, def);
    if (cJSON_IsObject(k)) {
        const cJSON *ty = cJSON_GetObjectItemCaseSensitive(k, "rope_type");
        if (cJSON_IsString(ty) && strcmp(ty->valuestring, "default"))
            return lt_err(LT_EFORMAT,
                    "%s: rope_parameters.%s.rope_type '%s' is not implemented (default only)", path,
                    kind, ty->valuestring);
        *theta = lt__jnum(k, "rope_theta", *theta);
    }
    if (!(*theta > 1.0)) return lt_err(LT_EFORMAT, "%s: %s rope_theta %g", path, kind, *theta);
    return LT_OK;
}

int lt__modernbert_load(lt_bert *m, const cJSON *cfg, const char *path) {
    const cJSON *act = cJSON_GetObjectItemCaseSensitive(cfg, "hidden_activation");
    const char *an = cJSON_IsString(act) ? act->valuestring : "gelu";
    if (!strcmp(an, "gelu")) m->act = LT__ACT_GELU;
    else if (!strcmp(an, "gelu_pytorch_tanh")) m->act = LT__ACT_GELU_TANH;
    else if (!strcmp(an, "silu")) m->act = LT__ACT_SILU;
    else
        return lt_err(LT_EFORMAT,
                "%s: unsupported hidden_activation '%s' (gelu, gelu_pytorch_tanh, silu)", path, an);
    m->H = lt__jint(cfg, "hidden_size", 0);
    m->L = lt__jint(cfg, "num_hidden_layers", 0);
    m->heads = lt__jint(cfg, "num_attention_heads", 0);
    m->I = lt__jint(cfg, "intermediate_size", 0);
    m->V = lt__jint(cfg, "vocab_size", 0);
    m->P = lt__jint(cfg, "max_position_embeddings", 8192);
    m->eps = lt__jnum(cfg, "norm_eps", 1e-5);
    m->types = 1;
    int every = lt__jint(cfg, "global_attn_every_n_layers", 3),
        window = lt__jint(cfg, "local_attention", 128) / 2;
    if (m->H <= 0 || m->L <= 0 || m->heads <= 0 || m->H % m->heads || (m->H / m->heads) % 2 ||
            m->I <= 0 || m->V <= 0 || m->P <= 0 || m->H > 65536 || m->L > 1000 || every < 1 ||
            window < 1)
        return lt_err(LT_EFORMAT,
                "%s: inconsistent sizes (hidden %d, layers %d, heads %d, intermediate %d, vocab %d, "
                "global_attn_every_n_layers %d, local_attention %d)",
                path, m->H, m->L, m->heads, m->I, m->V, every, 2 * window);
    const cJSON *types = cJSON_GetObjectItemCaseSensitive(cfg, "layer_types");
    if (types && (!cJSON_IsArray(types) || cJSON_GetArraySize(types) != m->L))
        return lt_err(LT_EFORMAT, "%s: layer_types is not a list of %d layer kinds", path, m->L);
    double tg, tl;
    int rc = kind_theta(cfg, path, "full_attention", "global_rope_theta", 160000.0, &tg);
    if (rc || (rc = kind_theta(cfg, path, "sliding_attention", "local_rope_theta", 10000.0, &tl)))
        return rc;
    int rg = lt__rope_add(m, tg), rl = lt__rope_add(m, tl);
    m->kvh = m->heads;
    m->dh = m->H / m->heads;
    m->Dq = m->Dkv = m->H;
    m->prenorm = m->glu = 1;
    int nb = lt__jbool(cfg, "norm_bias", 0), ab = lt__jbool(cfg, "attention_bias", 0),
        mb = lt__jbool(cfg, "mlp_bias", 0);
    const char *P = "model";
    if (!(m->word = lt__w(m, P, "embeddings.tok_embeddings.weight", 2, m->V, m->H)) ||
            !(m->ln_g = lt__w(m, P, "embeddings.norm.weight", 1, m->H, -1)) ||
            (nb && !(m->ln_b = lt__w(m, P, "embeddings.norm.bias", 1, m->H, -1))) ||
            !(m->fin_g = lt__w(m, P, "final_norm.weight", 1, m->H, -1)) ||
            (nb && !(m->fin_b = lt__w(m, P, "final_norm.bias", 1, m->H, -1))))
        return LT_EFORMAT;
    if (!(m->layers = lt_calloc((size_t)m->L, sizeof(lt__layer))))
        return lt_err(LT_ENOMEM, "out of memory");
    for (int l = 0; l < m->L; l++) {
        lt__layer *y = &m->layers[l];
        const cJSON *kind = types ? cJSON_GetArrayItem(types, l) : NULL;
        int local;
        if (kind) {
            if (!cJSON_IsString(kind) ||
                    (strcmp(kind->valuestring, "full_attention") &&
                            strcmp(kind->valuestring, "sliding_attention")))
                return lt_err(LT_EFORMAT,
                        "%s: layer_types[%d] is not full_attention or sliding_attention", path, l);
            local = !strcmp(kind->valuestring, "sliding_attention");
        } else local = l % every != 0;
        y->rope = local ? rl : rg;
        y->window = local ? window : 0;
        const float *wqkv, *bqkv = NULL, *wi, *bi = NULL;
        if ((l > 0 && /* the first layer's attention norm is the identity */
                    lt__wb(m, P, l, "attn_norm", nb, &y->ln1_g, &y->ln1_b, m->H, -1)) ||
                lt__wb(m, P, l, "attn.Wqkv", ab, &wqkv, &bqkv, 3 * m->H, m->H) ||
                lt__wb(m, P, l, "attn.Wo", ab, &y->o_w, &y->o_b, m->H, m->H) ||
                lt__wb(m, P, l, "mlp_norm", nb, &y->ln2_g, &y->ln2_b, m->H, -1) ||
                lt__wb(m, P, l, "mlp.Wi", mb, &wi, &bi, 2 * m->I, m->H) ||
                lt__wb(m, P, l, "mlp.Wo", mb, &y->f_w, &y->f_b, m->H, m->I))
            return LT_EFORMAT;
        size_t hh = (size_t)m->H * m->H, ih = (size_t)m->I * m->H;
        y->q_w = wqkv;
        y->k_w = wqkv + hh;
        y->v_w = wqkv + 2 * hh;
        y->i_w = wi;
        y->u_w = wi + ih;
        if (bqkv) {
            y->q_b = bqkv;
            y->k_b = bqkv + m->H;
            y->v_b = bqkv + 2 * m->H;
        }
        if (bi) {
            y->i_b = bi;
            y->u_b = bi + m->I;
        }
    }
    return LT_OK;
}
