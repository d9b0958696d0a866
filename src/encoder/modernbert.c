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

int lt__modernbert_load(lt_bert *m, const cJSON *cfg, const char *path) {
    const cJSON *act = cJSON_GetObjectItemCaseSensitive(cfg, "hidden_activation");
    const char *an = cJSON_IsString(act) ? act->valuestring : "gelu";
    if (!strcmp(an, "gelu")) m->act = LT__ACT_GELU;
    else if (!strcmp(an, "gelu_pytorch_tanh")) m->act = LT__ACT_GELU_TANH;
    else if (!strcmp(an, "silu")) m->act = LT__ACT_SILU;
    else
        return lt_err(LT_EFORMAT,
                "%s: unsupported hidden_activation '%s' (gelu, gelu_pytorch_tanh, silu)", path, an);
    lt__std_sizes(m, cfg, 8192);
    m->eps = lt__jnum(cfg, "norm_eps", 1e-5);
    int every = lt__jint(cfg, "global_attn_every_n_layers", 3),
        window = lt__jint(cfg, "local_attention", 128) / 2;
    m->dh = m->heads > 0 ? m->H / m->heads : 0;
    int rc = every < 1 || window < 1 || m->dh * m->heads != m->H
            ? lt_err(LT_EFORMAT,
                      "%s: hidden_size %d in %d heads, global_attn_every_n_layers %d, "
                      "local_attention %d",
                      path, m->H, m->heads, every, 2 * window)
            : lt__check_sizes(m, path);
    if (rc) return rc;
    const cJSON *types = cJSON_GetObjectItemCaseSensitive(cfg, "layer_types");
    if (types && (!cJSON_IsArray(types) || cJSON_GetArraySize(types) != m->L))
        return lt_err(LT_EFORMAT, "%s: layer_types is not a list of %d layer kinds", path, m->L);
    double tg, tl;
    rc = lt__rope_kind(cfg, path, "full_attention", "global_rope_theta", 160000.0, &tg);
    if (rc ||
            (rc = lt__rope_kind(cfg, path, "sliding_attention", "local_rope_theta", 10000.0, &tl)))
        return rc;
    int rg = lt__rope_add(m, tg), rl = lt__rope_add(m, tl);
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
        int local = lt__layer_local(types, path, l, l % every != 0);
        if (local < 0) return LT_EFORMAT;
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
