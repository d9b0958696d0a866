/* Gemma 3 text models (config.json model_type "gemma3_text", e.g. EmbeddingGemma, which runs
 * it bidirectionally): pre-norm blocks with Gemma's RMSNorm (x * (1 + w), converted to plain
 * weights at load) before and after both the attention and the feed-forward, token embeddings
 * times sqrt(hidden_size), grouped-query attention with per-head norms and the score scale
 * query_pre_attn_scalar^-1/2, rotary positions with a base per layer kind, sliding-window
 * layers between full ones (layer_types, or every sliding_window_pattern-th layer full), a
 * GeGLU feed-forward (tanh GELU), a final norm. Attention is causal unless
 * use_bidirectional_attention; the window is then |i - j| <= sliding_window / 2 (transformers
 * stores the full span in config.json), else i - j < sliding_window. */
#include "encoder_impl.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

/* Gemma's norm weight w as the plain weight 1 + w (owned by the model) */
static int norm1p(lt_bert *m, int l, const char *sub, int n, const float **out) {
    const float *w;
    int rc = l < 0 ? ((w = lt__w(m, "model", sub, 1, n, -1)) ? LT_OK : LT_EFORMAT)
                   : lt__wb(m, "model", l, sub, 0, &w, NULL, n, -1);
    if (rc) return rc;
    if (!(*out = lt__owned(m, w, n, 1.0f, 1.0f))) return lt_err(LT_ENOMEM, "out of memory");
    return LT_OK;
}

int lt__gemma3_load(lt_bert *m, const cJSON *cfg, const char *path) {
    const cJSON *act = cJSON_GetObjectItemCaseSensitive(cfg, "hidden_activation");
    const char *an = cJSON_IsString(act) ? act->valuestring : "gelu_pytorch_tanh";
    if (!strcmp(an, "gelu_pytorch_tanh")) m->act = LT__ACT_GELU_TANH;
    else if (!strcmp(an, "gelu")) m->act = LT__ACT_GELU;
    else
        return lt_err(LT_EFORMAT,
                "%s: unsupported hidden_activation '%s' (gelu_pytorch_tanh, gelu)", path, an);
    const cJSON *cap = cJSON_GetObjectItemCaseSensitive(cfg, "attn_logit_softcapping");
    if (cap && !cJSON_IsNull(cap))
        return lt_err(LT_EFORMAT, "%s: attn_logit_softcapping is not implemented", path);
    const cJSON *rs = cJSON_GetObjectItemCaseSensitive(cfg, "rope_scaling");
    if (rs && !cJSON_IsNull(rs))
        return lt_err(LT_EFORMAT, "%s: rope_scaling is not implemented for gemma3_text", path);
    lt__std_sizes(m, cfg, 131072);
    m->dh = lt__jint(cfg, "head_dim", 256);
    m->eps = lt__jnum(cfg, "rms_norm_eps", 1e-6);
    double qpas = lt__jnum(cfg, "query_pre_attn_scalar", 256);
    int bidir = lt__jbool(cfg, "use_bidirectional_attention", 0),
        sw = lt__jint(cfg, "sliding_window", 4096),
        pattern = lt__jint(cfg, "sliding_window_pattern", 6);
    int rc = lt__check_sizes(m, path);
    if (rc) return rc;
    if (!(qpas > 0) || sw < 1 || pattern < 1)
        return lt_err(LT_EFORMAT,
                "%s: query_pre_attn_scalar %g, sliding_window %d, sliding_window_pattern %d", path,
                qpas, sw, pattern);
    const cJSON *types = cJSON_GetObjectItemCaseSensitive(cfg, "layer_types");
    if (types && (!cJSON_IsArray(types) || cJSON_GetArraySize(types) != m->L))
        return lt_err(LT_EFORMAT, "%s: layer_types is not a list of %d layer kinds", path, m->L);
    double tg, tl;
    rc = lt__rope_kind(cfg, path, "full_attention", "rope_theta", 1000000.0, &tg);
    if (rc ||
            (rc = lt__rope_kind(
                     cfg, path, "sliding_attention", "rope_local_base_freq", 10000.0, &tl)))
        return rc;
    int rg = lt__rope_add(m, tg), rl = lt__rope_add(m, tl);
    m->prenorm = m->rms = m->glu = 1;
    m->causal = !bidir;
    m->qscale = (float)(1.0 / sqrt(qpas));
    m->emb_scale = (float)sqrt((double)m->H);
    int window = bidir ? sw / 2 : sw - 1, bias = lt__jbool(cfg, "attention_bias", 0);
    const char *P = "model";
    if (!(m->word = lt__w(m, P, "embed_tokens.weight", 2, m->V, m->H))) return LT_EFORMAT;
    if ((rc = norm1p(m, -1, "norm.weight", m->H, &m->fin_g))) return rc;
    if (!(m->layers = lt_calloc((size_t)m->L, sizeof(lt__layer))))
        return lt_err(LT_ENOMEM, "out of memory");
    for (int l = 0; l < m->L; l++) {
        lt__layer *y = &m->layers[l];
        int local = lt__layer_local(types, path, l, (l + 1) % pattern != 0);
        if (local < 0) return LT_EFORMAT;
        y->rope = local ? rl : rg;
        y->window = local ? window : 0;
        if ((rc = norm1p(m, l, "input_layernorm", m->H, &y->ln1_g)) ||
                (rc = norm1p(m, l, "post_attention_layernorm", m->H, &y->post1)) ||
                (rc = norm1p(m, l, "pre_feedforward_layernorm", m->H, &y->ln2_g)) ||
                (rc = norm1p(m, l, "post_feedforward_layernorm", m->H, &y->post2)) ||
                (rc = norm1p(m, l, "self_attn.q_norm", m->dh, &y->qn)) ||
                (rc = norm1p(m, l, "self_attn.k_norm", m->dh, &y->kn)))
            return rc;
        if (lt__wb(m, P, l, "self_attn.q_proj", bias, &y->q_w, &y->q_b, m->Dq, m->H) ||
                lt__wb(m, P, l, "self_attn.k_proj", bias, &y->k_w, &y->k_b, m->Dkv, m->H) ||
                lt__wb(m, P, l, "self_attn.v_proj", bias, &y->v_w, &y->v_b, m->Dkv, m->H) ||
                lt__wb(m, P, l, "self_attn.o_proj", bias, &y->o_w, &y->o_b, m->H, m->Dq) ||
                lt__wb(m, P, l, "mlp.gate_proj", 0, &y->i_w, NULL, m->I, m->H) ||
                lt__wb(m, P, l, "mlp.up_proj", 0, &y->u_w, NULL, m->I, m->H) ||
                lt__wb(m, P, l, "mlp.down_proj", 0, &y->f_w, NULL, m->H, m->I))
            return LT_EFORMAT;
    }
    return LT_OK;
}
