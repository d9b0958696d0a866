/* The shared transformer core: loading (config, weights, tokenizer, the sentence-transformers
 * modules), the forward pass of both block layouts (encoder_impl.h) and pooling. BERT's family
 * is read here through the table in arch.c; families with a block of their own read their
 * config and tensors in their file (qwen3.c, modernbert.c) and run on the same forward pass.
 * The Linear weights are packed once at load for latent's GEMM (kern.h), with bias, GELU and
 * the residual add fused into its epilogue; the mmap'ed originals are then released. */
#include "encoder_impl.h"
#include "latent/io.h"
#include "latent/core.h"
#include "latent/kern.h"
#include "latent/tokenizer.h"
#include <sched.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

void lt_bert_opts_init(lt_bert_opts *o) {
    memset(o, 0, sizeof *o); /* every field, the ones added later included */
    o->pooling = LT_POOL_DEFAULT;
    o->normalize = -1;
    o->max_seq = 0;
    o->tokenizer_only = 0;
    o->precision = LT_PREC_F32;
}
int lt_bert_dim(const lt_bert *m) { return m->D; }
int lt_bert_hidden_size(const lt_bert *m) { return m->H; }
int lt_bert_max_seq(const lt_bert *m) { return m->max_seq; }
int lt_bert_normalizes(const lt_bert *m) { return m->normalize; }
int lt_bert_folder_normalizes(const lt_bert *m) { return m->folder_normalize; }
lt_pooling lt_bert_pooling(const lt_bert *m) { return m->pooling; }

void lt_bert_free(lt_bert *m) {
    if (!m) return;
    lt__st_close(&m->st);
    for (int i = 0; i < m->n_dense; i++) lt__st_close(&m->dense[i].st);
    lt__wp_destroy(&m->wp);
    lt_tokenizer_free(m->tok);
    lt_free(m->zero_type);
    lt_free(m->bucket);
    for (int i = 0; i < m->n_prompts; i++) {
        lt_free(m->prompt_name[i]);
        lt_free(m->prompt_text[i]);
    }
    lt_free(m->prompt_name);
    lt_free(m->prompt_text);
    for (int l = 0; m->layers && l < m->L; l++) {
        lt__layer *y = &m->layers[l];
        lt_packed_free(&y->qkv);
        lt_packed_free(&y->o);
        lt_packed_free(&y->i);
        lt_packed_free(&y->f);
        lt_packed_bf16_free(&y->qkv16);
        lt_packed_bf16_free(&y->o16);
        lt_packed_bf16_free(&y->i16);
        lt_packed_bf16_free(&y->f16);
        lt_free(y->qkv_b);
        lt_free(y->iu_b);
    }
    for (int r = 0; r < m->n_rope; r++) lt_free(m->rope[r].cs);
    for (int i = 0; i < m->n_own; i++) lt_free(m->own[i]);
    lt_free(m->own);
    lt_free(m->layers);
    lt_free(m);
}

cJSON *lt__read_json(const char *path, int required, int *rc) {
    char *b;
    size_t len, ml;
    *rc = LT_OK;
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (required) *rc = lt_err(LT_EIO, "%s: missing", path);
        return NULL;
    }
    fclose(f);
    if ((*rc = lt_read_whole(path, &b, &len, &ml))) return NULL;
    cJSON *j = cJSON_ParseWithLength(b, len);
    if (!j)
        *rc = lt_err(LT_EFORMAT, "%s: malformed JSON near offset %zu", path,
                cJSON_GetErrorPtr() ? (size_t)(cJSON_GetErrorPtr() - b) : (size_t)0);
    lt_release_whole(b, ml);
    return j;
}
int lt__jint(const cJSON *j, const char *k, int def) {
    cJSON *x = cJSON_GetObjectItemCaseSensitive(j, k);
    return cJSON_IsNumber(x) ? x->valueint : def;
}
double lt__jnum(const cJSON *j, const char *k, double def) {
    cJSON *x = cJSON_GetObjectItemCaseSensitive(j, k);
    return cJSON_IsNumber(x) ? x->valuedouble : def;
}
int lt__jbool(const cJSON *j, const char *k, int def) {
    cJSON *x = cJSON_GetObjectItemCaseSensitive(j, k);
    return cJSON_IsBool(x) ? cJSON_IsTrue(x) : def;
}
const float *lt__w(
        lt_bert *m, const char *prefix, const char *name, int ndim, int64_t d0, int64_t d1) {
    const lt_tensor *t = lt__st_get_p(&m->st, prefix, name, ndim, d0, d1);
    return t ? t->data : NULL;
}
int lt__wb(lt_bert *m, const char *prefix, int l, const char *sub, int bias, const float **w,
        const float **b, int64_t d0, int64_t d1) {
    char nm[256], pre[64];
    snprintf(pre, sizeof pre, m->lfmt ? m->lfmt : "layers.%d", l);
    snprintf(nm, sizeof nm, "%s.%s.weight", pre, sub);
    if (!(*w = lt__w(m, prefix, nm, d1 < 0 ? 1 : 2, d0, d1))) return LT_EFORMAT;
    snprintf(nm, sizeof nm, "%s.%s.bias", pre, sub);
    if (bias && !(*b = lt__w(m, prefix, nm, 1, d0, -1))) return LT_EFORMAT;
    return LT_OK;
}

#define T2(var, nm, a, b) \
    do { \
        const lt_tensor *t_ = lt__st_get_p(&m->st, m->arch->prefix, nm, 2, a, b); \
        if (!t_) goto tensor_fail; \
        var = t_->data; \
    } while (0)
#define T1(var, nm, a) \
    do { \
        const lt_tensor *t_ = lt__st_get_p(&m->st, m->arch->prefix, nm, 1, a, -1); \
        if (!t_) goto tensor_fail; \
        var = t_->data; \
    } while (0)

/* LayerNorm weights: "LayerNorm.weight" or the older "LayerNorm.gamma" */
static const float *ln_param(lt_bert *m, const char *prefix, const char *w, const char *alt) {
    char nm[256];
    snprintf(nm, sizeof nm, "%s.%s", prefix, w);
    const lt_tensor *t = lt__st_get_p(&m->st, m->arch->prefix, nm, 1, m->H, -1);
    if (t) return t->data;
    snprintf(nm, sizeof nm, "%s.%s", prefix, alt);
    t = lt__st_get_p(&m->st, m->arch->prefix, nm, 1, m->H, -1);
    return t ? t->data : NULL;
}

/* Drops the pages of a mmap'ed tensor once it is packed (file-backed and clean, so the
 * kernel simply forgets them): resident memory stays near one copy of the weights. */
static void release_src(const lt_bert *m, const float *p, size_t n) {
    if (!m->st.map) return;
    uintptr_t a = (uintptr_t)p, e = a + n * 4, lo = (uintptr_t)m->st.map, hi = lo + m->st.map_len;
    if (a < lo || e > hi) return; /* converted (f16/bf16) tensors live on the heap */
    uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
    a = (a + pg - 1) / pg * pg;
    e = e / pg * pg;
    if (e > a) madvise((void *)a, e - a, MADV_DONTNEED);
}

int lt__pack(lt_bert *m) {
    int H = m->H, I = m->I, Dq = m->Dq, Dkv = m->Dkv, NQ = Dq + 2 * Dkv, NI = m->glu ? 2 * I : I;
    float scale = m->qscale > 0 ? m->qscale : 1.0f / sqrtf((float)m->dh);
    size_t big = (size_t)NQ * H > (size_t)NI * H ? (size_t)NQ * H : (size_t)NI * H;
    float *tmp = lt_malloc(big * 4);
    if (!tmp) return lt_err(LT_ENOMEM, "out of memory");
    int rc = LT_OK;
    for (int l = 0; l < m->L && rc == LT_OK; l++) {
        lt__layer *y = &m->layers[l];
        /* the scale goes into the query's norm when it has one (RMSNorm, then a rotation: both
         * commute with it), else into the query rows */
        float qs = y->qn ? 1.0f : scale;
        for (size_t j = 0; j < (size_t)Dq * H; j++) tmp[j] = y->q_w[j] * qs;
        memcpy(tmp + (size_t)Dq * H, y->k_w, (size_t)Dkv * H * 4);
        memcpy(tmp + (size_t)(Dq + Dkv) * H, y->v_w, (size_t)Dkv * H * 4);
        y->qkv_b = lt_malloc((size_t)NQ * 4);
        int bad = !y->qkv_b;
        if (!bad && m->bf16) bad = lt_pack_rows_bf16(&y->qkv16, tmp, NQ, H, H);
        else if (!bad) bad = lt_pack_rows(&y->qkv, tmp, NQ, H, H);
        if (!bad && m->glu) { /* [act part; gate part] */
            memcpy(tmp, y->i_w, (size_t)I * H * 4);
            memcpy(tmp + (size_t)I * H, y->u_w, (size_t)I * H * 4);
        }
        const float *iw = m->glu ? tmp : y->i_w;
        if (!bad && m->bf16)
            bad = lt_pack_rows_bf16(&y->o16, y->o_w, H, Dq, Dq) ||
                    lt_pack_rows_bf16(&y->i16, iw, NI, H, H) ||
                    lt_pack_rows_bf16(&y->f16, y->f_w, H, I, I);
        else if (!bad)
            bad = lt_pack_rows(&y->o, y->o_w, H, Dq, Dq) || lt_pack_rows(&y->i, iw, NI, H, H) ||
                    lt_pack_rows(&y->f, y->f_w, H, I, I);
        if (!bad && y->qn && !(y->qn_s = lt__owned(m, y->qn, m->dh, 0, scale))) bad = 1;
        if (!bad && (y->i_b || y->u_b)) {
            if (!(y->iu_b = lt_calloc((size_t)NI, sizeof(float)))) bad = 1;
            for (int j = 0; !bad && j < I; j++) {
                y->iu_b[j] = y->i_b ? y->i_b[j] : 0;
                if (m->glu) y->iu_b[I + j] = y->u_b ? y->u_b[j] : 0;
            }
        }
        if (bad) {
            rc = lt_err(LT_ENOMEM, "out of memory packing weights");
            break;
        }
        for (int j = 0; j < NQ; j++)
            y->qkv_b[j] = j < Dq   ? (y->q_b ? y->q_b[j] * qs : 0)
                    : j < Dq + Dkv ? (y->k_b ? y->k_b[j - Dq] : 0)
                                   : (y->v_b ? y->v_b[j - Dq - Dkv] : 0);
        release_src(m, y->q_w, (size_t)Dq * H);
        release_src(m, y->k_w, (size_t)Dkv * H);
        release_src(m, y->v_w, (size_t)Dkv * H);
        release_src(m, y->o_w, (size_t)H * Dq);
        release_src(m, y->i_w, (size_t)I * H);
        if (y->u_w) release_src(m, y->u_w, (size_t)I * H);
        release_src(m, y->f_w, (size_t)H * I);
        y->q_w = y->k_w = y->v_w = y->o_w = y->i_w = y->u_w = y->f_w =
                NULL; /* only the packed copies from here on */
    }
    lt_free(tmp);
    return rc;
}

/* a rotary parameters object (NULL: none): only rope_type default; its rope_theta over *theta;
 * where names the object in errors, label the theta */
static int rope_params(
        const cJSON *o, const char *path, const char *where, const char *label, double *theta) {
    if (cJSON_IsObject(o)) {
        const cJSON *ty = cJSON_GetObjectItemCaseSensitive(o, "rope_type");
        if (cJSON_IsString(ty) && strcmp(ty->valuestring, "default"))
            return lt_err(LT_EFORMAT, "%s: %s.rope_type '%s' is not implemented (default only)",
                    path, where, ty->valuestring);
        *theta = lt__jnum(o, "rope_theta", *theta);
    }
    if (!(*theta > 1.0)) return lt_err(LT_EFORMAT, "%s: %srope_theta %g", path, label, *theta);
    return LT_OK;
}

int lt__rope_base(const cJSON *cfg, const char *path, double def, double *theta) {
    const cJSON *rs = cJSON_GetObjectItemCaseSensitive(cfg, "rope_scaling");
    if (rs && !cJSON_IsNull(rs))
        return lt_err(LT_EFORMAT, "%s: rope_scaling is not implemented", path);
    *theta = lt__jnum(cfg, "rope_theta", def);
    return rope_params(cJSON_GetObjectItemCaseSensitive(cfg, "rope_parameters"), path,
            "rope_parameters", "", theta);
}

int lt__rope_kind(const cJSON *cfg, const char *path, const char *kind, const char *old_key,
        double def, double *theta) {
    const cJSON *rp = cJSON_GetObjectItemCaseSensitive(cfg, "rope_parameters");
    char where[96], label[96];
    snprintf(where, sizeof where, "rope_parameters.%s", kind);
    snprintf(label, sizeof label, "%s ", kind);
    *theta = lt__jnum(cfg, old_key, def);
    return rope_params(cJSON_IsObject(rp) ? cJSON_GetObjectItemCaseSensitive(rp, kind) : NULL, path,
            where, label, theta);
}

int lt__layer_local(const cJSON *types, const char *path, int l, int def) {
    const cJSON *kind = types ? cJSON_GetArrayItem(types, l) : NULL;
    if (!kind) return def;
    if (!cJSON_IsString(kind) ||
            (strcmp(kind->valuestring, "full_attention") &&
                    strcmp(kind->valuestring, "sliding_attention"))) {
        lt_err(LT_EFORMAT, "%s: layer_types[%d] is not full_attention or sliding_attention", path,
                l);
        return -1;
    }
    return !strcmp(kind->valuestring, "sliding_attention");
}

int lt__has(const lt_bert *m, const char *prefix, const char *name) {
    char alt[512];
    snprintf(alt, sizeof alt, "%s.%s", prefix, name);
    for (int i = 0; i < m->st.n; i++)
        if (!strcmp(m->st.t[i].name, name) || !strcmp(m->st.t[i].name, alt)) return 1;
    return 0;
}

void lt__std_sizes(lt_bert *m, const cJSON *cfg, int p_def) {
    m->H = lt__jint(cfg, "hidden_size", 0);
    m->L = lt__jint(cfg, "num_hidden_layers", 0);
    m->heads = lt__jint(cfg, "num_attention_heads", 0);
    m->kvh = lt__jint(cfg, "num_key_value_heads", m->heads);
    m->I = lt__jint(cfg, "intermediate_size", 0);
    m->V = lt__jint(cfg, "vocab_size", 0);
    m->P = lt__jint(cfg, "max_position_embeddings", p_def);
    m->types = 1;
}

int lt__check_sizes(lt_bert *m, const char *path) {
    if (m->H <= 0 || m->L <= 0 || m->heads <= 0 || m->kvh <= 0 || m->heads % m->kvh || m->dh <= 0 ||
            m->dh % 2 || m->I <= 0 || m->V <= 0 || m->P <= 0 || m->H > 65536 || m->L > 1000 ||
            m->dh > 4096 || m->heads > 1024 || m->I > (1 << 20))
        return lt_err(LT_EFORMAT,
                "%s: inconsistent sizes (hidden %d, layers %d, heads %d, key/value heads %d, "
                "head_dim %d, intermediate %d, vocab %d, positions %d)",
                path, m->H, m->L, m->heads, m->kvh, m->dh, m->I, m->V, m->P);
    m->Dq = m->heads * m->dh;
    m->Dkv = m->kvh * m->dh;
    return LT_OK;
}

float *lt__own_alloc(lt_bert *m, size_t n) {
    float **o = lt_realloc(m->own, sizeof(float *) * (size_t)(m->n_own + 1)), *c;
    if (!o) return NULL;
    m->own = o;
    if (!(c = lt_malloc(sizeof(float) * (n > 0 ? n : 1)))) return NULL;
    return m->own[m->n_own++] = c;
}
const float *lt__owned(lt_bert *m, const float *w, int n, float a, float b) {
    float *c = lt__own_alloc(m, (size_t)(n > 0 ? n : 0));
    for (int i = 0; c && i < n; i++) c[i] = a + b * w[i];
    return c;
}

/* rotary tables as transformers computes them in float32: inv_freq[i] = 1 / theta^(2i / dh),
 * the angle (float) p * inv_freq[i], its cosine and sine rounded to float */
int lt__rope_add(lt_bert *m, double theta) {
    for (int r = 0; r < m->n_rope; r++)
        if (m->rope[r].theta == theta) return r;
    if (m->n_rope == 2) return lt_err(LT_EFORMAT, "more than two rotary bases");
    m->rope[m->n_rope].theta = theta;
    m->rope[m->n_rope].cs = NULL;
    return m->n_rope++;
}
static int rope_tables(lt_bert *m, int n_pos) {
    int half = m->dh / 2;
    if ((int64_t)n_pos * m->dh > ((int64_t)1 << 26))
        return lt_err(LT_EFORMAT,
                "rotary tables of %d positions x head size %d: too long (set a shorter max_seq)",
                n_pos, m->dh);
    for (int r = 0; r < m->n_rope; r++) {
        lt_free(m->rope[r].cs);
        float *cs = m->rope[r].cs = lt_malloc((size_t)n_pos * m->dh * 4);
        if (!cs) return lt_err(LT_ENOMEM, "out of memory");
        m->rope[r].n = n_pos;
        for (int i = 0; i < half; i++) {
            float e = (float)(2 * i) / (float)m->dh;
            float inv = 1.0f / powf((float)m->rope[r].theta, e);
            for (int p = 0; p < n_pos; p++) {
                float a = (float)p * inv;
                cs[(size_t)p * m->dh + i] = (float)cos((double)a);
                cs[(size_t)p * m->dh + half + i] = (float)sin((double)a);
            }
        }
    }
    return LT_OK;
}

/* A sentence-transformers Dense module: DIR/PATH/config.json (in_features, out_features, bias,
 * activation_function) and DIR/PATH/model.safetensors (linear.weight (out, in), linear.bias). */
static int load_dense(lt_bert *m, const char *dir, const char *sub) {
    char path[4096];
    int rc;
    if (m->n_dense == 4)
        return lt_err(LT_EFORMAT, "%s/modules.json: more than 4 Dense modules", dir);
    int in = m->n_dense ? m->dense[m->n_dense - 1].out : m->H;
    snprintf(path, sizeof path, "%s/%s/config.json", dir, sub);
    cJSON *c = lt__read_json(path, 1, &rc);
    if (!c) return rc;
    int fin = lt__jint(c, "in_features", -1), fout = lt__jint(c, "out_features", -1),
        bias = !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(c, "bias"));
    cJSON *a = cJSON_GetObjectItemCaseSensitive(c, "activation_function");
    const char *an = cJSON_IsString(a) ? a->valuestring : "torch.nn.modules.linear.Identity";
    const char *ab = strrchr(an, '.') ? strrchr(an, '.') + 1 : an;
    int act = !strcmp(ab, "Identity") ? LT__ACT_IDENTITY
            : !strcmp(ab, "Tanh")     ? LT__ACT_TANH
            : !strcmp(ab, "ReLU")     ? LT__ACT_RELU
            : !strcmp(ab, "Sigmoid")  ? LT__ACT_SIGMOID
            : !strcmp(ab, "GELU")     ? LT__ACT_GELU
                                      : -1;
    if (act < 0)
        rc = lt_err(LT_EFORMAT,
                "%s: activation '%s' is not supported (Identity, Tanh, ReLU, Sigmoid, GELU)", path,
                an);
    else if (fin != in || fout < 1 || fout > (1 << 20))
        rc = lt_err(LT_EFORMAT,
                "%s: in_features %d / out_features %d do not follow the %d-dimensional input", path,
                fin, fout, in);
    cJSON_Delete(c);
    if (rc) return rc;
    snprintf(path, sizeof path, "%s/%s/model.safetensors", dir, sub);
    if (access(path, R_OK) != 0) {
        snprintf(path, sizeof path, "%s/%s", dir, sub);
        return lt_err(LT_EFORMAT,
                "%s: no model.safetensors (latent does not read pytorch_model.bin pickles; re-save the model "
                "with safe_serialization=True)",
                path);
    }
    lt_st *st = &m->dense[m->n_dense].st;
    if ((rc = lt__st_open(st, path))) return rc;
    m->n_dense++; /* owned from here: freed with the model */
    const lt_tensor *w = lt__st_get(st, "linear.weight", 2, fout, fin),
                    *b = bias ? lt__st_get(st, "linear.bias", 1, fout, -1) : NULL;
    if (!w || (bias && !b))
        return lt_err(LT_EFORMAT, "%s: needs linear.weight (%d, %d)%s", path, fout, fin,
                bias ? " and linear.bias" : "");
    m->dense[m->n_dense - 1].w = w->data;
    m->dense[m->n_dense - 1].b = b ? b->data : NULL;
    m->dense[m->n_dense - 1].in = fin;
    m->dense[m->n_dense - 1].out = fout;
    m->dense[m->n_dense - 1].act = act;
    return LT_OK;
}

/* config_sentence_transformers.json: "prompts" {name: text} and "default_prompt_name" */
static int load_prompts(lt_bert *m, const char *dir) {
    char path[4096];
    int rc;
    m->default_prompt = -1;
    snprintf(path, sizeof path, "%s/config_sentence_transformers.json", dir);
    cJSON *j = lt__read_json(path, 0, &rc);
    if (rc || !j) return rc;
    cJSON *ps = cJSON_GetObjectItemCaseSensitive(j, "prompts"),
          *def = cJSON_GetObjectItemCaseSensitive(j, "default_prompt_name");
    int n = cJSON_IsObject(ps) ? cJSON_GetArraySize(ps) : 0;
    if (n &&
            (!(m->prompt_name = lt_calloc((size_t)n, sizeof(char *))) ||
                    !(m->prompt_text = lt_calloc((size_t)n, sizeof(char *))))) {
        cJSON_Delete(j);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    for (cJSON *e = n ? ps->child : NULL; e; e = e->next) {
        if (!cJSON_IsString(e)) continue;
        int k = m->n_prompts++;
        if (!(m->prompt_name[k] = lt_strdup(e->string)) ||
                !(m->prompt_text[k] = lt_strdup(e->valuestring))) {
            cJSON_Delete(j);
            return lt_err(LT_ENOMEM, "out of memory");
        }
        if (cJSON_IsString(def) && !strcmp(def->valuestring, e->string)) m->default_prompt = k;
    }
    if (cJSON_IsString(def) && m->default_prompt < 0) {
        rc = lt_err(LT_EFORMAT, "%s: default_prompt_name '%s' is not among the prompts", path,
                def->valuestring);
    }
    cJSON_Delete(j);
    return rc;
}

const char *lt_bert_prompt(const lt_bert *m, const char *name) {
    if (!name) return m->default_prompt >= 0 ? m->prompt_text[m->default_prompt] : NULL;
    for (int i = 0; i < m->n_prompts; i++)
        if (!strcmp(m->prompt_name[i], name)) return m->prompt_text[i];
    return NULL;
}
const char *lt_bert_prompt_name(const lt_bert *m, int i) {
    return i >= 0 && i < m->n_prompts ? m->prompt_name[i] : NULL;
}

/* T5's relative-position bucket of j - i = rel, as MPNet computes it: half the buckets for each
 * direction, exact below a quarter, logarithmic up to max_distance (in float32, as torch). */
static int rel_bucket(int rel, int num_buckets, int max_distance) {
    int ret = 0, n = -rel;
    num_buckets /= 2;
    if (n < 0) {
        ret += num_buckets;
        n = -n;
    }
    int max_exact = num_buckets / 2;
    if (n < max_exact) return ret + n;
    float t = logf((float)n / (float)max_exact) / (float)log((double)max_distance / max_exact) *
            (float)(num_buckets - max_exact);
    int v = max_exact + (int)t;
    return ret + (v < num_buckets - 1 ? v : num_buckets - 1);
}

/* a folder's tokenizer.json runs through the general pipeline (the same ids as the WordPiece
 * reader on BERT's files, and tokenizers' own Unicode tables where they differ) */
static int load_tok(lt_bert *m, const char *dir) {
    char path[4096];
    snprintf(path, sizeof path, "%s/tokenizer.json", dir);
    FILE *f = fopen(path, "rb");
    if (!f) { /* vocab.txt + tokenizer_config.json: BERT's WordPiece reader */
        int rc = lt__wp_load(&m->wp, dir);
        if (rc) return rc;
        m->pre[0] = m->wp.cls;
        m->suf[0] = m->wp.sep;
        m->n_pre = m->n_suf = 1;
        return LT_OK;
    }
    fclose(f);
    int rc = lt_tokenizer_load(&m->tok, dir);
    if (rc) return rc;
    m->wp.model_max_length = lt_tokenizer_max_length(dir);
    /* the template's special tokens before and after a text, from encoding one */
    lt_encoding e = { 0 };
    if ((rc = lt_tokenizer_encode(m->tok, "a", 1, NULL, 0, 1, 0, &e))) return rc;
    int first = -1, last = -1;
    for (int i = 0; i < e.n; i++)
        if (!e.special[i]) {
            if (first < 0) first = i;
            last = i;
        }
    if (first < 0) first = last = e.n;
    for (int i = 0; i < first && m->n_pre < 4; i++) m->pre[m->n_pre++] = e.ids[i];
    for (int i = last + 1; i < e.n && m->n_suf < 4; i++) m->suf[m->n_suf++] = e.ids[i];
    lt_encoding_free(&e);
    return LT_OK;
}

/* the ids of text without the special tokens, grown into *w */
static int content_ids(const lt_bert *m, const char *text, size_t len, int32_t **w, int *wcap) {
    if (!m->tok) return lt__wp_encode(&m->wp, text, len, w, wcap);
    lt_encoding e = { 0 };
    int rc = lt_tokenizer_encode(m->tok, text, len, NULL, 0, 0, 0, &e);
    if (rc == LT_OK && e.n > *wcap) {
        int32_t *p = lt_realloc(*w, sizeof(int32_t) * (size_t)e.n);
        if (!p) rc = lt_err(LT_ENOMEM, "out of memory");
        else {
            *w = p;
            *wcap = e.n;
        }
    }
    if (rc == LT_OK && e.n) memcpy(*w, e.ids, sizeof(int32_t) * (size_t)e.n);
    int n = e.n;
    lt_encoding_free(&e);
    return rc ? rc : n;
}

/* BERT's block and the families that share it (the table in arch.c): config keys, tensors,
 * MPNet's relative positions, a cross-encoder's head */
static int bert_family_load(lt_bert *m, const cJSON *cfg, const char *path) {
    const lt__arch *A = m->arch;
    int rc = LT_OK;
    cJSON *act = cJSON_GetObjectItemCaseSensitive(cfg, A->act);
    if (A->pos_from_pad) m->pos_offset = lt__jint(cfg, "pad_token_id", 1) + 1;
    if (cJSON_IsString(act) && strcmp(act->valuestring, "gelu"))
        return lt_err(LT_EFORMAT, "%s: unsupported %s '%s' (supported: gelu)", path, A->act,
                act->valuestring);
    m->H = lt__jint(cfg, A->hidden, 0);
    m->L = lt__jint(cfg, A->layers, 0);
    m->heads = lt__jint(cfg, A->heads, 0);
    m->I = lt__jint(cfg, A->inter, 0);
    m->P = lt__jint(cfg, "max_position_embeddings", 512);
    m->types = A->types ? lt__jint(cfg, "type_vocab_size", 2) : 1;
    m->V = lt__jint(cfg, "vocab_size", 0);
    m->eps = lt__jnum(cfg, "layer_norm_eps", 1e-12);
    if (m->H <= 0 || m->L <= 0 || m->heads <= 0 || m->H % m->heads || m->I <= 0 || m->V <= 0 ||
            m->P <= 0 || m->types <= 0 || m->H > 65536 || m->L > 1000)
        return lt_err(LT_EFORMAT,
                "%s: inconsistent sizes (hidden %d, layers %d, heads %d, intermediate %d, vocab %d)",
                path, m->H, m->L, m->heads, m->I, m->V);
    m->kvh = m->heads;
    m->dh = m->H / m->heads;
    m->Dq = m->Dkv = m->H;
    m->act = LT__ACT_GELU;
    if (m->pos_offset >= m->P)
        return lt_err(LT_EFORMAT, "%s: pad_token_id %d leaves no positions of %d", path,
                m->pos_offset - 1, m->P);
    T2(m->word, "embeddings.word_embeddings.weight", m->V, m->H);
    T2(m->pos, "embeddings.position_embeddings.weight", m->P, m->H);
    if (A->types) T2(m->type, "embeddings.token_type_embeddings.weight", m->types, m->H);
    else if (!(m->type = m->zero_type = lt_calloc((size_t)m->H, sizeof(float))))
        return lt_err(LT_ENOMEM, "out of memory");
    if (!(m->ln_g = ln_param(m, "embeddings.LayerNorm", "weight", "gamma")) ||
            !(m->ln_b = ln_param(m, "embeddings.LayerNorm", "bias", "beta")))
        goto tensor_fail;
    if (!(m->layers = lt_calloc((size_t)m->L, sizeof(lt__layer))))
        return lt_err(LT_ENOMEM, "out of memory");
    for (int l = 0; l < m->L; l++) {
        lt__layer *y = &m->layers[l];
        char nm[256], pre[64];
        y->rope = -1;
        snprintf(pre, sizeof pre, A->layer, l);
#define LW(var, sub, a, b) \
    do { \
        snprintf(nm, sizeof nm, "%s.%s.weight", pre, sub); \
        T2(var, nm, a, b); \
    } while (0)
#define LB(var, sub, a) \
    do { \
        snprintf(nm, sizeof nm, "%s.%s.bias", pre, sub); \
        T1(var, nm, a); \
    } while (0)
        LW(y->q_w, A->q, m->H, m->H);
        LB(y->q_b, A->q, m->H);
        LW(y->k_w, A->k, m->H, m->H);
        LB(y->k_b, A->k, m->H);
        LW(y->v_w, A->v, m->H, m->H);
        LB(y->v_b, A->v, m->H);
        LW(y->o_w, A->o, m->H, m->H);
        LB(y->o_b, A->o, m->H);
        LW(y->i_w, A->in, m->I, m->H);
        LB(y->i_b, A->in, m->I);
        LW(y->f_w, A->out, m->H, m->I);
        LB(y->f_b, A->out, m->H);
        snprintf(nm, sizeof nm, "%s.%s", pre, A->ln1);
        if (!(y->ln1_g = ln_param(m, nm, "weight", "gamma")) ||
                !(y->ln1_b = ln_param(m, nm, "bias", "beta")))
            goto tensor_fail;
        snprintf(nm, sizeof nm, "%s.%s", pre, A->ln2);
        if (!(y->ln2_g = ln_param(m, nm, "weight", "gamma")) ||
                !(y->ln2_b = ln_param(m, nm, "bias", "beta")))
            goto tensor_fail;
#undef LW
#undef LB
    }
    /* MPNet's relative-position bias */
    if (A->rel_bias) {
        int nb = lt__jint(cfg, A->rel_buckets, 32);
        if (nb < 2 || nb > 1024)
            return lt_err(LT_EFORMAT, "%s: %d relative position buckets", path, nb);
        T2(m->rel, A->rel_bias, nb, m->heads);
        if (!(m->bucket = lt_malloc(sizeof(int) * (size_t)(2 * m->P + 1))))
            return lt_err(LT_ENOMEM, "out of memory");
        for (int d = -m->P; d <= m->P; d++) m->bucket[d + m->P] = rel_bucket(d, nb, 128);
    }
    /* a cross-encoder's classification head */
    if (m->n_labels) {
        char nm[256];
        snprintf(nm, sizeof nm, "%s.weight", A->cls_dense);
        T2(m->cd_w, nm, m->H, m->H);
        snprintf(nm, sizeof nm, "%s.bias", A->cls_dense);
        T1(m->cd_b, nm, m->H);
        snprintf(nm, sizeof nm, "%s.weight", A->cls_out);
        T2(m->co_w, nm, m->n_labels, m->H);
        snprintf(nm, sizeof nm, "%s.bias", A->cls_out);
        T1(m->co_b, nm, m->n_labels);
    }
    return LT_OK;
tensor_fail:
    return rc ? rc : LT_EFORMAT; /* the tensor's error is set */
}

static int bert_load_impl(lt_bert **out, const char *dir, const lt_bert_opts *opts) {
    *out = NULL;
    lt_bert_opts def;
    if (!opts) {
        lt_bert_opts_init(&def);
        opts = &def;
    }
    char path[4096];
    int rc;
    if (opts->tokenizer_only) {
        /* tokenizer files only; config.json, when there, still caps the length */
        lt_bert *m = lt_calloc(1, sizeof *m);
        if (!m) return lt_err(LT_ENOMEM, "out of memory");
        snprintf(path, sizeof path, "%s/config.json", dir);
        cJSON *cfg = lt__read_json(path, 0, &rc);
        if (rc || (rc = load_tok(m, dir))) {
            cJSON_Delete(cfg);
            lt_bert_free(m);
            return rc;
        }
        m->P = cfg ? lt__jint(cfg, "max_position_embeddings", 512) : 0;
        cJSON_Delete(cfg);
        m->max_seq = opts->max_seq > 0       ? opts->max_seq
                : m->wp.model_max_length > 0 ? m->wp.model_max_length
                                             : 512;
        if (m->P > 0 && m->max_seq > m->P) m->max_seq = m->P;
        if (m->max_seq < 2) m->max_seq = 2;
        *out = m;
        return LT_OK;
    }
    snprintf(path, sizeof path, "%s/config.json", dir);
    cJSON *cfg = lt__read_json(path, 1, &rc);
    if (!cfg) return rc;
    lt_bert *m = lt_calloc(1, sizeof *m);
    if (!m) {
        cJSON_Delete(cfg);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    cJSON *mt = cJSON_GetObjectItemCaseSensitive(cfg, "model_type");
    /* the architecture table (arch.c): BERT's family, or a family's own loader */
    const lt__arch *A = lt__arch_find(cJSON_IsString(mt) ? mt->valuestring : NULL);
    if (!A) {
        rc = lt_err(LT_EFORMAT, "%s: unsupported model_type '%s' (supported: %s)", path,
                cJSON_IsString(mt) ? mt->valuestring : "?", lt__arch_names());
        goto fail;
    }
    m->arch = A;
    /* a cross-encoder: *ForSequenceClassification */
    cJSON *archs = cJSON_GetObjectItemCaseSensitive(cfg, "architectures");
    int is_cls = 0;
    for (cJSON *e = cJSON_IsArray(archs) ? archs->child : NULL; e; e = e->next)
        if (cJSON_IsString(e) && strstr(e->valuestring, "ForSequenceClassification")) is_cls = 1;
    if (is_cls) {
        cJSON *l2 = cJSON_GetObjectItemCaseSensitive(cfg, "id2label");
        m->n_labels = lt__jint(cfg, "num_labels", cJSON_IsObject(l2) ? cJSON_GetArraySize(l2) : 2);
        if (m->n_labels < 1 || m->n_labels > 4096) {
            rc = lt_err(LT_EFORMAT, "%s: %d labels", path, m->n_labels);
            goto fail;
        }
        if (!A->cls_dense) {
            rc = lt_err(LT_EFORMAT, "%s: a %s classification head is not implemented", path,
                    A->model_type);
            goto fail;
        }
    }
    char wpath[4096];
    snprintf(wpath, sizeof wpath, "%s/model.safetensors", dir);
    if ((rc = lt__st_open(&m->st, wpath))) goto fail;
    if ((rc = load_tok(m, dir))) goto fail;
    if ((rc = A->load ? A->load(m, cfg, path) : bert_family_load(m, cfg, path))) goto fail;
    int64_t nv = m->tok ? lt_tokenizer_vocab_size(m->tok) : lt__strmap_size(m->wp.vocab);
    if (nv > m->V) {
        rc = lt_err(LT_EFORMAT, "%s: tokenizer has %lld tokens, the model %d", dir, (long long)nv,
                m->V);
        goto fail;
    }
    m->bf16 = opts->precision == LT_PREC_BF16;
    if ((rc = lt__pack(m))) goto fail;
    /* sentence-transformers: pooling, normalisation, max_seq_length */
    lt_pooling pool = LT_POOL_MEAN;
    int normalize = 0, st_max = 0;
    snprintf(path, sizeof path, "%s/modules.json", dir);
    cJSON *mods = lt__read_json(path, 0, &rc);
    if (rc) goto fail;
    if (mods) {
        for (cJSON *e = mods->child; e; e = e->next) {
            cJSON *t = cJSON_GetObjectItemCaseSensitive(e, "type"),
                  *p = cJSON_GetObjectItemCaseSensitive(e, "path");
            if (!cJSON_IsString(t)) continue;
            const char *ty = t->valuestring, *dot = strrchr(ty, '.');
            const char *base = dot ? dot + 1 : ty;
            if (strcmp(base, "Transformer") && strcmp(base, "Pooling") &&
                    strcmp(base, "Normalize") && strcmp(base, "Dense")) {
                rc = lt_err(LT_EFORMAT,
                        "%s/modules.json: module '%s' is not implemented by latent (it runs Transformer, "
                        "Pooling, Dense and Normalize)",
                        dir, ty);
                cJSON_Delete(mods);
                goto fail;
            }
            if (!strcmp(base, "Normalize")) normalize = 1;
            else if (normalize && !strcmp(base, "Dense")) {
                rc = lt_err(LT_EFORMAT,
                        "%s/modules.json: a Dense module after Normalize is not supported", dir);
                cJSON_Delete(mods);
                goto fail;
            }
            if (!strcmp(base, "Dense") &&
                    (rc = load_dense(m, dir, cJSON_IsString(p) ? p->valuestring : ""))) {
                cJSON_Delete(mods);
                goto fail;
            }
            if (strstr(t->valuestring, "Pooling") && cJSON_IsString(p)) {
                snprintf(path, sizeof path, "%s/%s/config.json", dir, p->valuestring);
                cJSON *pc = lt__read_json(path, 1, &rc);
                if (!pc) {
                    cJSON_Delete(mods);
                    goto fail;
                }
                cJSON *pm = cJSON_GetObjectItemCaseSensitive(pc, "pooling_mode");
                if (cJSON_IsString(pm)) {
                    if (!(pool = lt_pooling_from_name(pm->valuestring))) {
                        rc = lt_err(LT_EFORMAT, "%s: unsupported pooling_mode '%s'", path,
                                pm->valuestring);
                        cJSON_Delete(pc);
                        cJSON_Delete(mods);
                        goto fail;
                    }
                } else {
                    /* the older flags: exactly one of the modes latent runs; several are concatenated
                     * by sentence-transformers, and the others pool otherwise: refused, not guessed */
                    static const char *const flags[] = { "pooling_mode_cls_token",
                        "pooling_mode_max_tokens", "pooling_mode_mean_tokens",
                        "pooling_mode_mean_sqrt_len_tokens", "pooling_mode_weightedmean_tokens",
                        "pooling_mode_lasttoken" };
                    int on = 0, which = -1;
                    for (int f = 0; f < 6; f++)
                        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(pc, flags[f]))) {
                            on++;
                            which = f;
                        }
                    if (on > 1) {
                        rc = lt_err(LT_EFORMAT,
                                "%s: several pooling modes at once (concatenated) are not implemented",
                                path);
                        cJSON_Delete(pc);
                        cJSON_Delete(mods);
                        goto fail;
                    }
                    static const lt_pooling modes[] = { LT_POOL_CLS, LT_POOL_MAX, LT_POOL_MEAN,
                        LT_POOL_MEAN_SQRT_LEN, LT_POOL_WEIGHTED_MEAN, LT_POOL_LAST };
                    pool = which < 0 ? LT_POOL_MEAN : modes[which];
                }
                if (cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(pc, "include_prompt"))) {
                    rc = lt_err(LT_EFORMAT,
                            "%s: include_prompt false (prompt tokens left out of the pooling) is not implemented",
                            path);
                    cJSON_Delete(pc);
                    cJSON_Delete(mods);
                    goto fail;
                }
                cJSON_Delete(pc);
            }
        }
        cJSON_Delete(mods);
        snprintf(path, sizeof path, "%s/sentence_bert_config.json", dir);
        cJSON *sb = lt__read_json(path, 0, &rc);
        if (rc) goto fail;
        if (sb) {
            st_max = lt__jint(sb, "max_seq_length", 0);
            cJSON_Delete(sb);
        }
    }
    if ((rc = load_prompts(m, dir))) goto fail;
    m->pooling = opts->pooling != LT_POOL_DEFAULT ? opts->pooling : pool;
    m->normalize = opts->normalize >= 0 ? opts->normalize : normalize;
    m->folder_normalize = normalize;
    m->D = m->n_dense ? m->dense[m->n_dense - 1].out : m->H;
    m->max_seq = opts->max_seq > 0       ? opts->max_seq
            : st_max > 0                 ? st_max
            : m->wp.model_max_length > 0 ? m->wp.model_max_length
                                         : m->P;
    if (m->max_seq > m->P - m->pos_offset) m->max_seq = m->P - m->pos_offset;
    if (m->max_seq < m->n_pre + m->n_suf + 1) m->max_seq = m->n_pre + m->n_suf + 1;
    if (m->n_rope && (rc = rope_tables(m, m->max_seq))) goto fail;
    cJSON_Delete(cfg);
    *out = m;
    return LT_OK;
fail:
    cJSON_Delete(cfg);
    lt_bert_free(m);
    return rc;
}

int lt_bert_load(lt_bert **out, const char *dir, const lt_bert_opts *opts) {
    return lt_err_in(bert_load_impl(out, dir, opts), dir);
}

int lt_bert_tokenize(const lt_bert *m, const char *text, size_t len, int truncate, int32_t *ids,
        int cap, int *full) {
    int32_t *w = NULL;
    int wcap = 0;
    int n = content_ids(m, text, len, &w, &wcap);
    if (n < 0) {
        lt_free(w);
        return n;
    }
    int keep = n, ns = m->n_pre + m->n_suf;
    if (full) *full = n + ns;
    if (truncate && keep > m->max_seq - ns) keep = m->max_seq - ns;
    int k = 0;
    for (int i = 0; i < m->n_pre && k < cap; i++) ids[k++] = m->pre[i];
    for (int i = 0; i < keep && k < cap; i++) ids[k++] = w[i];
    for (int i = 0; i < m->n_suf && k < cap; i++) ids[k++] = m->suf[i];
    /* SigLIP's text tower reads max_length inputs, its pad tokens attended to */
    while (truncate && m->pad_to && k < cap && k < m->max_seq) ids[k++] = m->pad_id;
    lt_free(w);
    return k;
}

/* ---- forward ---- */
/* two-pass LayerNorm in double, four partial sums (the loop is latency-bound otherwise);
 * b may be NULL (no bias) */
static void layernorm_rows(
        float *x, int t0, int t1, int H, const float *g, const float *b, double eps) {
    for (int t = t0; t < t1; t++) {
        float *r = x + (size_t)t * H;
        double s[4] = { 0, 0, 0, 0 }, v[4] = { 0, 0, 0, 0 };
        int i = 0;
        for (; i + 4 <= H; i += 4)
            for (int u = 0; u < 4; u++) s[u] += r[i + u];
        for (; i < H; i++) s[0] += r[i];
        double mu = ((s[0] + s[1]) + (s[2] + s[3])) / H;
        for (i = 0; i + 4 <= H; i += 4)
            for (int u = 0; u < 4; u++) {
                double d = r[i + u] - mu;
                v[u] += d * d;
            }
        for (; i < H; i++) {
            double d = r[i] - mu;
            v[0] += d * d;
        }
        double inv = 1.0 / sqrt(((v[0] + v[1]) + (v[2] + v[3])) / H + eps);
        float fm = (float)mu, fi = (float)inv;
        /* (x - mu) * inv in float: the centred value is exact enough, the scale is rounded once */
        if (b)
            for (i = 0; i < H; i++) r[i] = (r[i] - fm) * fi * g[i] + b[i];
        else
            for (i = 0; i < H; i++) r[i] = (r[i] - fm) * fi * g[i];
    }
}
/* RMSNorm of one row of n (stride 1): x / sqrt(mean(x^2) + eps) * g, as transformers (the
 * scale first, then the weight) */
static void rmsnorm_row(float *r, int n, const float *g, double eps) {
    double s[4] = { 0, 0, 0, 0 };
    int i = 0;
    for (; i + 4 <= n; i += 4)
        for (int u = 0; u < 4; u++) s[u] += (double)r[i + u] * r[i + u];
    for (; i < n; i++) s[0] += (double)r[i] * r[i];
    float fi = (float)(1.0 / sqrt(((s[0] + s[1]) + (s[2] + s[3])) / n + eps));
    for (i = 0; i < n; i++) r[i] = g[i] * (r[i] * fi);
}
/* the model's norm (LayerNorm or RMSNorm) of rows t0..t1 of x (n wide) */
static void norm_rows(const lt_bert *m, float *x, int t0, int t1, const float *g, const float *b) {
    if (!m->rms) layernorm_rows(x, t0, t1, m->H, g, b, m->eps);
    else
        for (int t = t0; t < t1; t++) rmsnorm_row(x + (size_t)t * m->H, m->H, g, m->eps);
}

/* One forward pass over a ragged batch, run by n_threads workers that split every step
 * (GEMM panels, attention heads, norm rows) and meet at a barrier between steps. */
typedef struct {
    const lt_bert *m;
    const int32_t *ids, *types, *pos;
    const float *E; /* input embeddings instead of ids (image towers) */
    const int *off;
    int nseg, T, maxT, nth;
    float *X, *N, *QKV, *C, *F, *scratch;
    size_t per_thread;
    uint16_t *Abf; /* bf16 copy of the current GEMM's left operand (precision bf16) */
    _Atomic int arrived, phase;
} fwd_ctx;

/* Barrier between steps. The workers are busy on their own cores and a step lasts tens
 * of microseconds, so spinning beats sleeping on a futex; yield after a while in case
 * the machine is oversubscribed. */
static void fwd_sync(fwd_ctx *c) {
    if (c->nth <= 1) return;
    int ph = atomic_load_explicit(&c->phase, memory_order_acquire);
    if (atomic_fetch_add_explicit(&c->arrived, 1, memory_order_acq_rel) == c->nth - 1) {
        atomic_store_explicit(&c->arrived, 0, memory_order_relaxed);
        atomic_store_explicit(&c->phase, ph + 1, memory_order_release);
        return;
    }
    for (long spin = 0; atomic_load_explicit(&c->phase, memory_order_acquire) == ph; spin++) {
        if (spin > 20000) sched_yield();
#if defined(__x86_64__)
        else __builtin_ia32_pause();
#endif
    }
}

/* Attention of query head h of sequence sg, in blocks of ATT_ROWS query rows: the scores of a
 * block against the keys it may see (all; up to itself when causal; within the window), a
 * softmax over each row's allowed span, then the block's output. Memory grows with the
 * length (ATT_ROWS x n scores and the packed keys and values), not with its square. */
#define ATT_ROWS 64
static void attention(const fwd_ctx *c, const lt__layer *y, int sg, int h, float *ws) {
    const lt_bert *m = c->m;
    const lt_kernels *K = lt_kern();
    int dh = m->dh, o = c->off[sg], n = c->off[sg + 1] - o, g = h / (m->heads / m->kvh);
    int64_t ld = m->Dq + 2 * (int64_t)m->Dkv;
    const float *Q = c->QKV + (size_t)o * ld + (size_t)h * dh,
                *Kh = c->QKV + (size_t)o * ld + m->Dq + (size_t)g * dh, *Vh = Kh + m->Dkv;
    float *S = ws, *Kp = S + (size_t)ATT_ROWS * c->maxT, *Vp = Kp + lt_packed_floats(c->maxT, dh);
    int w = y->window, full = !m->causal && !w;
    if (full) {
        lt_pack_rows_to(Kp, Kh, n, dh, ld);
        lt_pack_cols_to(Vp, Vh, n, dh, ld);
    }
    for (int i0 = 0; i0 < n; i0 += ATT_ROWS) {
        int i1 = i0 + ATT_ROWS < n ? i0 + ATT_ROWS : n, k0 = 0, k1 = n;
        if (w) {
            k0 = i0 - w > 0 ? i0 - w : 0;
            k1 = i1 + w < n ? i1 + w : n;
        }
        if (m->causal) k1 = i1;
        int nk = k1 - k0;
        if (!full) {
            lt_pack_rows_to(Kp, Kh + (size_t)k0 * ld, nk, dh, ld);
            lt_pack_cols_to(Vp, Vh + (size_t)k0 * ld, nk, dh, ld);
        }
        /* S (rows, nk) = Q K^T (the scale is in Q) */
        lt_packed PK = { nk, dh, Kp };
        lt_gemm_packed(i1 - i0, Q + (size_t)i0 * ld, ld, &PK, S, nk, NULL, 0, 1);
        for (int i = i0; i < i1; i++) {
            float *r = S + (size_t)(i - i0) * nk;
            if (m->rel) /* MPNet: + bias[bucket(j - i)][h] */
                for (int j = 0; j < nk; j++)
                    r[j] += m->rel[(size_t)m->bucket[j + k0 - i + m->P] * m->heads + h];
            int lo = 0, hi = nk; /* the allowed keys k0 + lo .. k0 + hi - 1 */
            if (w) {
                lo = i - w - k0 > 0 ? i - w - k0 : 0;
                hi = i + w + 1 - k0 < nk ? i + w + 1 - k0 : nk;
            }
            if (m->causal && i + 1 - k0 < hi) hi = i + 1 - k0;
            for (int j = 0; j < lo; j++) r[j] = 0;
            for (int j = hi; j < nk; j++) r[j] = 0;
            K->softmax(r + lo, hi - lo);
        }
        lt_packed PV = { dh, nk, Vp };
        lt_gemm_packed(i1 - i0, S, nk, &PV, c->C + (size_t)(o + i0) * m->Dq + (size_t)h * dh, m->Dq,
                NULL, 0, 1);
    }
}

/* the query and key heads of rows r0..r1: their RMSNorm (Qwen3), then the rotation by each
 * token's position (transformers' rotate_half layout: pairs (i, i + dh/2)) */
static void qk_rotate(const fwd_ctx *c, const lt__layer *y, int r0, int r1) {
    const lt_bert *m = c->m;
    int dh = m->dh, half = dh / 2, nh = m->heads + m->kvh;
    int64_t ld = m->Dq + 2 * (int64_t)m->Dkv;
    for (int t = r0; t < r1; t++) {
        const float *cs = y->rope >= 0 ? m->rope[y->rope].cs + (size_t)c->pos[t] * dh : NULL;
        for (int hh = 0; hh < nh; hh++) {
            float *x = c->QKV + (size_t)t * ld + (size_t)hh * dh;
            const float *gn = hh < m->heads ? y->qn_s : y->kn;
            if (gn) rmsnorm_row(x, dh, gn, m->eps);
            if (!cs) continue;
            for (int i = 0; i < half; i++) {
                float a = x[i], b = x[half + i], co = cs[i], si = cs[half + i];
                float ac = a * co, bs = b * si, bc = b * co, as = a * si;
                x[i] = ac - bs;
                x[half + i] = bc + as;
            }
        }
    }
}

/* the feed-forward's activation on rows r0..r1 of F: with a GLU (2I wide) F[:, :I] =
 * act(F[:, :I]) * F[:, I:], else F = act(F) (I wide) */
static void glu_rows(const lt_bert *m, float *F, int r0, int r1) {
    const lt_kernels *K = lt_kern();
    int act = m->act == LT__ACT_SILU       ? LT_GLU_SILU
            : m->act == LT__ACT_GELU_TANH  ? LT_GLU_GELU_TANH
            : m->act == LT__ACT_QUICK_GELU ? LT_GLU_QUICK_GELU
                                           : LT_GLU_GELU;
    int w = m->glu ? 2 * m->I : m->I;
    for (int t = r0; t < r1; t++) {
        float *a = F + (size_t)t * w;
        K->glu(a, m->glu ? a + m->I : NULL, m->I, act);
    }
}

/* Y = epilogue(A W^T) on this worker's panels (A: k wide, stride lda); with bf16, the workers
 * first round their rows of A to bf16 and meet, then multiply. */
static void linear(fwd_ctx *c, const float *A, int k, int64_t lda, const lt_packed *P,
        const lt_packed_bf16 *P16, float *Y, int ldy, const float *bias, int flags, int tid, int r0,
        int r1) {
    if (!bias) flags &= ~LT_GEMM_BIAS;
    if (!c->m->bf16) {
        lt_gemm_packed_part(c->T, A, lda, P, Y, ldy, bias, flags, tid, c->nth);
        return;
    }
    lt_rows_to_bf16(A + (size_t)r0 * lda, r1 - r0, k, lda, c->Abf + (size_t)r0 * 2 * ((k + 1) / 2));
    fwd_sync(c);
    lt_gemm_bf16_part(c->T, c->Abf, P16, Y, ldy, bias, flags, tid, c->nth);
}

/* attention of every (sequence, head) task, the tasks dealt round-robin to the workers */
static void attend(fwd_ctx *c, const lt__layer *y, int tid, int r0, int r1) {
    const lt_bert *m = c->m;
    if (y->rope >= 0 || y->qn_s || y->kn) {
        qk_rotate(c, y, r0, r1);
        fwd_sync(c);
    }
    float *ws = c->scratch + c->per_thread * (size_t)tid;
    for (int task = tid; task < c->nseg * m->heads; task += c->nth)
        attention(c, y, task / m->heads, task % m->heads, ws);
    fwd_sync(c);
}

/* x += A W^T (+ b), or with a post-norm (Gemma) x += norm(A W^T + b), or with a layer scale
 * (DINOv2) x += ls * (A W^T + b) */
static void out_add(fwd_ctx *c, const float *post, const float *ls, const float *A, int k,
        int64_t lda, const lt_packed *P, const lt_packed_bf16 *P16, const float *b, int tid, int r0,
        int r1) {
    int H = c->m->H;
    if (ls) {
        linear(c, A, k, lda, P, P16, c->N, H, b, LT_GEMM_BIAS, tid, r0, r1);
        fwd_sync(c);
        for (int t = r0; t < r1; t++) {
            float *n = c->N + (size_t)t * H, *x = c->X + (size_t)t * H;
            for (int i = 0; i < H; i++) x[i] += ls[i] * n[i];
        }
        fwd_sync(c);
        return;
    }
    if (!post) {
        linear(c, A, k, lda, P, P16, c->X, H, b, LT_GEMM_BIAS | LT_GEMM_ACC, tid, r0, r1);
        fwd_sync(c);
        return;
    }
    linear(c, A, k, lda, P, P16, c->N, H, b, LT_GEMM_BIAS, tid, r0, r1);
    fwd_sync(c);
    for (int t = r0; t < r1; t++) {
        float *n = c->N + (size_t)t * H, *x = c->X + (size_t)t * H;
        rmsnorm_row(n, H, post, c->m->eps);
        for (int i = 0; i < H; i++) x[i] += n[i];
    }
    fwd_sync(c);
}

/* x += down(act(up(A))), or with a GLU x += down(act(gate(A)) * up(A)) (post-normed for Gemma) */
static void ffn(fwd_ctx *c, const lt__layer *y, const float *A, int tid, int r0, int r1) {
    const lt_bert *m = c->m;
    int I = m->I, NI = m->glu ? 2 * I : I;
    int fused = !m->glu && m->act == LT__ACT_GELU; /* the GEMM's own GELU epilogue */
    linear(c, A, m->H, m->H, &y->i, &y->i16, c->F, NI, y->iu_b,
            LT_GEMM_BIAS | (fused ? LT_GEMM_GELU : 0), tid, r0, r1);
    fwd_sync(c);
    if (!fused) {
        glu_rows(m, c->F, r0, r1);
        fwd_sync(c);
    }
    out_add(c, y->post2, y->ls2, c->F, I, NI, &y->f, &y->f16, y->f_b, tid, r0, r1);
}

static void fwd_worker(void *ud, int tid) {
    fwd_ctx *c = ud;
    const lt_bert *m = c->m;
    int H = m->H, T = c->T, nth = c->nth, NQ = m->Dq + 2 * m->Dkv;
    int r0 = (int)((int64_t)T * tid / nth), r1 = (int)((int64_t)T * (tid + 1) / nth);
    if (c->E) memcpy(c->X + (size_t)r0 * H, c->E + (size_t)r0 * H, (size_t)(r1 - r0) * H * 4);
    for (int s = 0; !c->E && s < c->nseg; s++)
        for (int t = c->off[s] > r0 ? c->off[s] : r0; t < c->off[s + 1] && t < r1; t++) {
            float *r = c->X + (size_t)t * H;
            const float *we = m->word + (size_t)c->ids[t] * H;
            memcpy(r, we, (size_t)H * 4);
            if (m->emb_scale)
                for (int i = 0; i < H; i++) r[i] *= m->emb_scale;
            const float *te = m->type ? m->type + (size_t)(c->types ? c->types[t] : 0) * H : NULL;
            const float *pe = m->pos ? m->pos + (size_t)c->pos[t] * H : NULL;
            if (pe && te)
                for (int i = 0; i < H; i++) r[i] = we[i] + pe[i] + te[i];
            else if (pe)
                for (int i = 0; i < H; i++) r[i] = we[i] + pe[i];
            else if (te)
                for (int i = 0; i < H; i++) r[i] = we[i] + te[i];
        }
    if (m->ln_g) norm_rows(m, c->X, r0, r1, m->ln_g, m->ln_b);
    fwd_sync(c);
    for (int l = 0; l < m->L; l++) {
        const lt__layer *y = &m->layers[l];
        if (!m->prenorm) { /* BERT: x = norm(x + attn(x)); x = norm(x + ffn(x)) */
            linear(c, c->X, H, H, &y->qkv, &y->qkv16, c->QKV, NQ, y->qkv_b, LT_GEMM_BIAS, tid, r0,
                    r1);
            fwd_sync(c);
            attend(c, y, tid, r0, r1);
            linear(c, c->C, m->Dq, m->Dq, &y->o, &y->o16, c->X, H, y->o_b,
                    LT_GEMM_BIAS | LT_GEMM_ACC, tid, r0, r1);
            fwd_sync(c);
            layernorm_rows(c->X, r0, r1, H, y->ln1_g, y->ln1_b, m->eps);
            fwd_sync(c);
            ffn(c, y, c->X, tid, r0, r1);
            layernorm_rows(c->X, r0, r1, H, y->ln2_g, y->ln2_b, m->eps);
            fwd_sync(c);
            continue;
        }
        /* pre-norm: x += attn(norm1(x)); x += ffn(norm2(x)) */
        const float *A = c->X;
        if (y->ln1_g) {
            memcpy(c->N + (size_t)r0 * H, c->X + (size_t)r0 * H, (size_t)(r1 - r0) * H * 4);
            norm_rows(m, c->N, r0, r1, y->ln1_g, y->ln1_b);
            fwd_sync(c);
            A = c->N;
        }
        linear(c, A, H, H, &y->qkv, &y->qkv16, c->QKV, NQ, y->qkv_b, LT_GEMM_BIAS, tid, r0, r1);
        fwd_sync(c);
        attend(c, y, tid, r0, r1);
        out_add(c, y->post1, y->ls1, c->C, m->Dq, m->Dq, &y->o, &y->o16, y->o_b, tid, r0, r1);
        memcpy(c->N + (size_t)r0 * H, c->X + (size_t)r0 * H, (size_t)(r1 - r0) * H * 4);
        norm_rows(m, c->N, r0, r1, y->ln2_g, y->ln2_b);
        fwd_sync(c);
        ffn(c, y, c->N, tid, r0, r1);
    }
    if (m->fin_g) norm_rows(m, c->X, r0, r1, m->fin_g, m->fin_b);
}

/* the longest sequence a forward pass takes */
static int max_tokens(const lt_bert *m) { return m->n_rope ? m->rope[0].n : m->P - m->pos_offset; }

/* Forward pass over a ragged batch: nseg sequences packed back to back (off[s]..off[s+1]),
 * T = off[nseg] tokens. Linear layers run on the packed (T, H) matrix; attention runs per
 * sequence, so no padding is computed. X receives the last hidden state (T, H). */
static int forward(const lt_bert *m, const int32_t *ids, const float *E, const int32_t *types,
        const int *off, int nseg, float *X, int nth) {
    if (!m->layers) return lt_err(LT_EINVAL, "the model was loaded for tokenizing only");
    int H = m->H, I = m->I, T = off[nseg], maxT = 0, dh = m->dh;
    for (int s = 0; s < nseg; s++) {
        int n = off[s + 1] - off[s];
        if (n <= 0 || n > max_tokens(m))
            return lt_err(LT_EINVAL, "sequence of %d tokens (max %d)", n, max_tokens(m));
        if (n > maxT) maxT = n;
    }
    for (int t = 0; ids && t < T; t++)
        if (ids[t] < 0 || ids[t] >= m->V)
            return lt_err(LT_EINVAL, "token id %d out of range", ids[t]);
    for (int t = 0; types && t < T; t++)
        if (types[t] < 0 || types[t] >= m->types)
            return lt_err(LT_EINVAL, "token type %d out of range", types[t]);
    if (nth < 1) nth = 1;
    if (nth > 64) nth = 64;
    /* positions: 0.. for BERT; RoBERTa's family counts from padding_idx + 1 over the tokens that
     * are not the pad id, which itself stands at padding_idx (transformers'
     * create_position_ids_from_input_ids) */
    int32_t *pos = lt_malloc(sizeof(int32_t) * (size_t)(T ? T : 1));
    if (!pos) return lt_err(LT_ENOMEM, "out of memory");
    for (int s = 0; s < nseg; s++)
        for (int t = off[s], k = 0; t < off[s + 1]; t++) {
            if (!m->pos_offset || !ids) pos[t] = t - off[s];
            else pos[t] = ids[t] == m->pos_offset - 1 ? m->pos_offset - 1 : m->pos_offset + k++;
        }
    fwd_ctx c = { .m = m,
        .ids = ids,
        .E = E,
        .types = types,
        .pos = pos,
        .off = off,
        .nseg = nseg,
        .T = T,
        .maxT = maxT,
        .nth = nth,
        .X = X };
    c.per_thread = ((size_t)ATT_ROWS * maxT + lt_packed_floats(maxT, dh) +
                           lt_packed_floats(dh, maxT) + 15) /
            16 * 16;
    int NQ = m->Dq + 2 * m->Dkv, NI = m->glu ? 2 * I : I;
    size_t kmax = (size_t)(H > NI ? H : NI) + (size_t)m->Dq + 1,
           nbf = m->bf16 ? ((size_t)T * kmax + 1) / 2 + 16 : 0;
    /* QKV is dead once attention has written C, and F once the next layer starts: they share */
    size_t wide = (size_t)(NQ > NI ? NQ : NI), nn = m->prenorm ? (size_t)T * H : 0;
    size_t need = (size_t)T * (wide + (size_t)m->Dq) + nn + c.per_thread * (size_t)nth + nbf;
    float *ws = lt_aligned_alloc(need * 4);
    if (!ws) {
        lt_free(pos);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    c.QKV = ws;
    c.F = ws;
    c.C = ws + (size_t)T * wide;
    c.N = m->prenorm ? c.C + (size_t)T * m->Dq : NULL;
    c.scratch = c.C + (size_t)T * m->Dq + nn;
    c.Abf = m->bf16 ? (uint16_t *)(c.scratch + c.per_thread * (size_t)nth) : NULL;
    int rc = lt_run_threads(nth, fwd_worker, &c);
    lt_aligned_free(ws);
    lt_free(pos);
    return rc;
}

int lt__forward_embedded(
        const lt_bert *m, const float *E, const int *off, int nseg, float *X, int n_threads) {
    return forward(m, NULL, E, NULL, off, nseg, X, n_threads);
}

int lt_bert_hidden(const lt_bert *m, const int32_t *ids, int T, float *X) {
    int off[2] = { 0, T };
    return forward(m, ids, NULL, NULL, off, 1, X, 1);
}

/* pooled (not normalised) embedding from hidden states X (T, H) */
static const char *const pool_names[] = { "default", "mean", "cls", "max", "mean_sqrt_len_tokens",
    "weightedmean", "lasttoken" };
lt_pooling lt_pooling_from_name(const char *name) {
    for (int i = 1; name && i < 7; i++)
        if (!strcmp(name, pool_names[i])) return (lt_pooling)i;
    return LT_POOL_DEFAULT;
}
const char *lt_pooling_name(lt_pooling p) { return p >= 0 && p < 7 ? pool_names[p] : "?"; }

/* CLIP's text tower pools the end-of-text token: the first position of eos_id, or with the
 * legacy eos_token_id 2 the first position of the largest id (transformers' two rules) */
static int eos_row(const lt_bert *m, const int32_t *ids, int T) {
    if (m->eos_pool == 3) return T - 1; /* SigLIP: the last position, padding or not */
    if (m->eos_pool == 2) {
        for (int t = 0; t < T; t++)
            if (ids[t] == m->eos_id) return t;
        return T - 1;
    }
    int b = 0; /* the first maximum, as argmax */
    for (int t = 1; t < T; t++) b = ids[t] > ids[b] ? t : b;
    return b;
}

static void pool_hidden(const lt_bert *m, const int32_t *ids, const float *X, int T, float *out) {
    int H = m->H;
    if (m->eos_pool) {
        memcpy(out, X + (size_t)eos_row(m, ids, T) * H, (size_t)H * 4);
        return;
    }
    switch (m->pooling) {
    case LT_POOL_CLS: memcpy(out, X, (size_t)H * 4); break;
    case LT_POOL_LAST: memcpy(out, X + (size_t)(T - 1) * H, (size_t)H * 4); break;
    case LT_POOL_MAX:
        for (int i = 0; i < H; i++) {
            float mx = X[i];
            for (int t = 1; t < T; t++) mx = X[(size_t)t * H + i] > mx ? X[(size_t)t * H + i] : mx;
            out[i] = mx;
        }
        break;
    case LT_POOL_WEIGHTED_MEAN: /* weights 1..T by position */
        for (int i = 0; i < H; i++) {
            double s = 0;
            for (int t = 0; t < T; t++) s += (double)(t + 1) * X[(size_t)t * H + i];
            out[i] = (float)(s / ((double)T * (T + 1) / 2));
        }
        break;
    default: /* mean, and mean * sqrt(T) / T */
        for (int i = 0; i < H; i++) {
            double s = 0;
            for (int t = 0; t < T; t++) s += X[(size_t)t * H + i];
            out[i] = (float)(s / (m->pooling == LT_POOL_MEAN_SQRT_LEN ? sqrt((double)T) : T));
        }
    }
}
static int pool_ids(const lt_bert *m, const int32_t *ids, int T, float *X, float *out) {
    int rc = lt_bert_hidden(m, ids, T, X);
    if (rc == LT_OK) pool_hidden(m, ids, X, T, out);
    return rc;
}
static void l2norm(float *v, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) s += (double)v[i] * v[i];
    double inv = 1 / fmax(sqrt(s), 1e-12);
    for (int i = 0; i < n; i++) v[i] = (float)(v[i] * inv);
}

static int max_dim(const lt_bert *m) {
    int d = m->H;
    for (int i = 0; i < m->n_dense; i++) d = m->dense[i].out > d ? m->dense[i].out : d;
    return d;
}
/* After pooling: the Dense modules, then the optional normalisation. x: H floats (scratch,
 * max_dim floats; overwritten), out: D floats. */
static void head(const lt_bert *m, float *x, float *out, float *tmp) {
    float *cur = x;
    for (int l = 0; l < m->n_dense; l++) {
        const int I = m->dense[l].in, O = m->dense[l].out;
        float *dst = cur == x ? tmp : x;
        for (int o = 0; o < O; o++) {
            const float *w = m->dense[l].w + (size_t)o * I;
            double s = m->dense[l].b ? m->dense[l].b[o] : 0;
            for (int i = 0; i < I; i++) s += (double)w[i] * cur[i];
            switch (m->dense[l].act) {
            case LT__ACT_TANH: s = tanh(s); break;
            case LT__ACT_RELU: s = s > 0 ? s : 0; break;
            case LT__ACT_SIGMOID: s = 1 / (1 + exp(-s)); break;
            case LT__ACT_GELU: s = 0.5 * s * erfc(-s / sqrt(2.0)); break;
            default: break;
            }
            dst[o] = (float)s;
        }
        cur = dst;
    }
    if (cur != out) memcpy(out, cur, (size_t)m->D * 4);
    if (m->normalize) l2norm(out, m->D);
}

int lt_bert_embed(const lt_bert *m, const char *text, size_t len, float *out, int *truncated) {
    int cap = m->max_seq, full = 0;
    int32_t *ids = lt_malloc((size_t)cap * 4);
    float *X = lt_malloc((size_t)cap * m->H * 4);
    if (!ids || !X) {
        lt_free(ids);
        lt_free(X);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    float *P = lt_malloc((size_t)max_dim(m) * 8);
    if (!P) {
        lt_free(ids);
        lt_free(X);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    int T = lt_bert_tokenize(m, text, len, 1, ids, cap, &full);
    int rc = T < 0 ? T : pool_ids(m, ids, T, X, P);
    if (rc == LT_OK) {
        if (truncated) *truncated = full > T;
        head(m, P, out, P + max_dim(m));
    }
    lt_free(ids);
    lt_free(X);
    lt_free(P);
    return rc;
}

int lt_bert_embed_chunked(
        const lt_bert *m, const char *text, size_t len, float *out, int *n_chunks) {
    if (m->pad_to)
        return lt_err(LT_EINVAL, "windows (--chunk) are not implemented for a padded text tower");
    int32_t *w = NULL;
    int wcap = 0;
    int n = content_ids(m, text, len, &w, &wcap);
    if (n < 0) {
        lt_free(w);
        return n;
    }
    int win = m->max_seq - m->n_pre - m->n_suf, H = m->H, nc = n > 0 ? (n + win - 1) / win : 1;
    int32_t *ids = lt_malloc((size_t)m->max_seq * 4);
    float *X = lt_malloc((size_t)m->max_seq * H * 4), *e = lt_malloc((size_t)max_dim(m) * 8);
    double *acc = lt_calloc((size_t)H, sizeof(double));
    int rc = ids && X && e && acc ? LT_OK : lt_err(LT_ENOMEM, "out of memory");
    double wsum = 0;
    for (int c = 0; c < nc && rc == LT_OK; c++) {
        int b = c * win, k = n - b < win ? n - b : win, T = 0;
        if (k < 0) k = 0;
        for (int i = 0; i < m->n_pre; i++) ids[T++] = m->pre[i];
        for (int i = 0; i < k; i++) ids[T++] = w[b + i];
        for (int i = 0; i < m->n_suf; i++) ids[T++] = m->suf[i];
        if ((rc = pool_ids(m, ids, T, X, e))) break;
        for (int i = 0; i < H; i++) acc[i] += (double)e[i] * (k ? k : 1);
        wsum += k ? k : 1;
    }
    if (rc == LT_OK) {
        for (int i = 0; i < H; i++) e[i] = (float)(acc[i] / wsum);
        head(m, e, out, e + max_dim(m));
        if (n_chunks) *n_chunks = nc;
    }
    lt_free(w);
    lt_free(ids);
    lt_free(X);
    lt_free(e);
    lt_free(acc);
    return rc;
}

int lt_bert_embed_batch(const lt_bert *m, const char *const *texts, const size_t *lens, int n,
        float *out, int *n_truncated) {
    return lt_bert_embed_batch_mt(m, texts, lens, n, out, n_truncated, 1);
}

int lt_bert_embed_batch_mt(const lt_bert *m, const char *const *texts, const size_t *lens, int n,
        float *out, int *n_truncated, int n_threads) {
    int cap = m->max_seq, H = m->H, rc = LT_OK, cut = 0;
    int *off = lt_malloc(sizeof(int) * (size_t)(n + 1));
    int32_t *ids = lt_malloc((size_t)n * cap * 4);
    float *X = lt_malloc((size_t)n * cap * H * 4), *P = lt_malloc((size_t)max_dim(m) * 8);
    if (!off || !ids || !X || !P) {
        rc = lt_err(LT_ENOMEM, "out of memory");
        goto done;
    }
    off[0] = 0;
    for (int s = 0; s < n; s++) {
        int full, k = lt_bert_tokenize(m, texts[s], lens[s], 1, ids + off[s], cap, &full);
        if (k < 0) {
            rc = lt_err(k, "input %d of the batch: %s", s + 1, lt_errmsg());
            goto done;
        }
        cut += full > k;
        off[s + 1] = off[s] + k;
    }
    if ((rc = forward(m, ids, NULL, NULL, off, n, X, n_threads))) goto done;
    for (int s = 0; s < n; s++) {
        pool_hidden(m, ids + off[s], X + (size_t)off[s] * H, off[s + 1] - off[s], P);
        head(m, P, out + (size_t)s * m->D, P + max_dim(m));
    }
    if (n_truncated) *n_truncated = cut;
done:
    lt_free(off);
    lt_free(ids);
    lt_free(X);
    lt_free(P);
    return rc;
}

int lt_bert_num_labels(const lt_bert *m) { return m->n_labels; }

/* Cross-encoder scores: each (a, b) pair through the tokenizer's pair template (truncated
 * longest first to max_seq), one ragged forward pass, then the head on the first token:
 * out[s * labels + j] = co_b[j] + co_w[j] . act(cd_w x + cd_b), in double as head() does. */
int lt_bert_score_pairs(const lt_bert *m, const char *const *a, const size_t *al,
        const char *const *b, const size_t *bl, int n, float *out, int n_threads) {
    if (!m->n_labels)
        return lt_err(
                LT_EINVAL, "not a cross-encoder: config.json names no *ForSequenceClassification");
    if (!m->tok) return lt_err(LT_EINVAL, "pairs need the folder's tokenizer.json");
    int cap = m->max_seq, H = m->H, rc = LT_OK;
    int *off = lt_malloc(sizeof(int) * (size_t)(n + 1));
    int32_t *ids = lt_malloc((size_t)(n ? n : 1) * cap * 4),
            *types = lt_malloc((size_t)(n ? n : 1) * cap * 4);
    float *X = lt_malloc((size_t)(n ? n : 1) * cap * H * 4);
    double *h = lt_malloc(sizeof(double) * (size_t)H);
    lt_encoding e = { 0 };
    if (!off || !ids || !types || !X || !h) {
        rc = lt_err(LT_ENOMEM, "out of memory");
        goto done;
    }
    off[0] = 0;
    for (int s = 0; s < n; s++) {
        if ((rc = lt_tokenizer_encode(m->tok, a[s], al[s], b[s], bl[s], 1, cap, &e))) {
            rc = lt_err(rc, "pair %d: %s", s + 1, lt_errmsg());
            goto done;
        }
        memcpy(ids + off[s], e.ids, sizeof(int32_t) * (size_t)e.n);
        for (int k = 0; k < e.n; k++) types[off[s] + k] = m->arch->types ? e.type_ids[k] : 0;
        off[s + 1] = off[s] + e.n;
    }
    if ((rc = forward(m, ids, NULL, types, off, n, X, n_threads))) goto done;
    for (int s = 0; s < n; s++) {
        const float *x = X + (size_t)off[s] * H; /* the first token: [CLS] or <s> */
        for (int o = 0; o < H; o++) {
            const float *w = m->cd_w + (size_t)o * H;
            double v = m->cd_b[o];
            for (int i = 0; i < H; i++) v += (double)w[i] * x[i];
            h[o] = m->arch->cls_act == 2 ? (v > 0 ? v : 0) : tanh(v);
        }
        for (int j = 0; j < m->n_labels; j++) {
            const float *w = m->co_w + (size_t)j * H;
            double v = m->co_b[j];
            for (int i = 0; i < H; i++) v += (double)w[i] * (double)(float)h[i];
            out[(size_t)s * m->n_labels + j] = (float)v;
        }
    }
done:
    lt_encoding_free(&e);
    lt_free(off);
    lt_free(ids);
    lt_free(types);
    lt_free(X);
    lt_free(h);
    return rc;
}
