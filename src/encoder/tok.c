/* The tokenizer.json pipeline: added tokens (raw, then normalized), normalizer,
 * pre-tokenizer, model, post-processor; input byte offsets throughout (tok.h). */
#include "tok.h"
#include "latent/core.h"
#include "latent/io.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

typedef struct {
    char *s;
    size_t len;
    int32_t id;
    int lstrip, rstrip, single_word, normalized, special;
} added_tok;
typedef struct {
    int is_special;
    int32_t *ids;
    int n_ids;
    int seq;
    int type_id;
} tmpl_item; /* seq: 0 A, 1 B */
enum { PP_NONE, PP_TEMPLATE, PP_ROBERTA, PP_BERT, PP_BYTELEVEL };
typedef struct pp {
    int kind;
    tmpl_item *single, *pair;
    int n_single, n_pair;
    int32_t cls, sep;
    int trim, add_prefix_space;
    struct pp *sub;
    int n_sub;
} pp;

struct lt_tokenizer {
    const lt__tok_model *model;
    void *mstate;
    lt__tokvocab v;
    int64_t n_vocab;
    added_tok *added;
    int n_added;
    char **extra;
    int64_t n_extra; /* tokens of added ids >= n_vocab */
    int first_added[257]; /* per first byte: index of the first added token, sorted */
    lt__norm *norm;
    lt__pre *pre;
    pp post;
    int nul; /* the file spells U+0000 in tokens (see lt_tokenizer_parse) */
    lt__dec *dec; /* the decoder (NULL: tokens joined by spaces) */
    char *dec_err; /* why the decoder could not be read: decoding fails with it, encoding works */
};

/* ---- post-processors ---- */
static void pp_destroy(pp *p) {
    for (int i = 0; i < p->n_single; i++) lt_free(p->single[i].ids);
    for (int i = 0; i < p->n_pair; i++) lt_free(p->pair[i].ids);
    lt_free(p->single);
    lt_free(p->pair);
    for (int i = 0; i < p->n_sub; i++) pp_destroy(&p->sub[i]);
    lt_free(p->sub);
}
static int tok_id(const lt_tokenizer *t, const char *s, int32_t *id) {
    int64_t i = lt__vocab_find(&t->v, s, strlen(s));
    for (int a = 0; i < 0 && a < t->n_added; a++)
        if (!strcmp(t->added[a].s, s)) i = t->added[a].id;
    if (i < 0) return 0;
    *id = (int32_t)i;
    return 1;
}
static int parse_template(const lt_tokenizer *t, const cJSON *j, const cJSON *specials,
        tmpl_item **out, int *n, const char *name) {
    int k = cJSON_GetArraySize(j);
    if (!cJSON_IsArray(j))
        return lt_err(LT_EFORMAT, "%s: TemplateProcessing template is not a list", name);
    tmpl_item *it = lt_calloc((size_t)(k ? k : 1), sizeof *it);
    if (!it) return lt_err(LT_ENOMEM, "out of memory");
    *out = it;
    for (const cJSON *e = j->child; e; e = e->next) {
        const cJSON *sp = cJSON_GetObjectItemCaseSensitive(e, "SpecialToken"),
                    *sq = cJSON_GetObjectItemCaseSensitive(e, "Sequence");
        const cJSON *x = sp ? sp : sq, *id = cJSON_GetObjectItemCaseSensitive(x, "id"),
                    *ty = cJSON_GetObjectItemCaseSensitive(x, "type_id");
        if (!x || !cJSON_IsString(id))
            return lt_err(LT_EFORMAT,
                    "%s: TemplateProcessing item is neither SpecialToken nor Sequence", name);
        tmpl_item *m = &it[(*n)++];
        m->type_id = cJSON_IsNumber(ty) ? ty->valueint : 0;
        if (sq) {
            m->seq = strcmp(id->valuestring, "A") ? 1 : 0;
            continue;
        }
        m->is_special = 1;
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(specials, id->valuestring),
                    *ids = cJSON_GetObjectItemCaseSensitive(st, "ids");
        if (cJSON_IsArray(ids)) {
            m->n_ids = cJSON_GetArraySize(ids);
            if (!(m->ids = lt_malloc(sizeof(int32_t) * (size_t)(m->n_ids + 1))))
                return lt_err(LT_ENOMEM, "out of memory");
            int q = 0;
            for (const cJSON *v = ids->child; v; v = v->next) m->ids[q++] = (int32_t)v->valuedouble;
        } else {
            if (!(m->ids = lt_malloc(sizeof(int32_t)))) return lt_err(LT_ENOMEM, "out of memory");
            m->n_ids = 1;
            if (!tok_id(t, id->valuestring, &m->ids[0]))
                return lt_err(
                        LT_EFORMAT, "%s: template token '%.40s' is unknown", name, id->valuestring);
        }
    }
    return LT_OK;
}
static int pair_tok(
        const lt_tokenizer *t, const cJSON *j, int32_t *id, const char *what, const char *name) {
    const cJSON *a = cJSON_GetArrayItem(j, 1);
    if (!cJSON_IsArray(j) || !cJSON_IsNumber(a))
        return lt_err(LT_EFORMAT, "%s: post_processor %s is not [token, id]", name, what);
    *id = (int32_t)a->valuedouble;
    return LT_OK;
}
static int pp_parse(const lt_tokenizer *t, pp *p, const cJSON *j, const char *name) {
    memset(p, 0, sizeof *p);
    if (!j || cJSON_IsNull(j)) return LT_OK;
    const cJSON *ty = cJSON_GetObjectItemCaseSensitive(j, "type");
    if (!cJSON_IsString(ty)) return lt_err(LT_EFORMAT, "%s: post_processor without a type", name);
    const char *s = ty->valuestring;
    const cJSON *tr = cJSON_GetObjectItemCaseSensitive(j, "trim_offsets"),
                *ap = cJSON_GetObjectItemCaseSensitive(j, "add_prefix_space");
    p->trim = tr ? cJSON_IsTrue(tr) : 1;
    p->add_prefix_space = ap ? cJSON_IsTrue(ap) : 1;
    int rc = LT_OK;
    if (!strcmp(s, "TemplateProcessing")) {
        p->kind = PP_TEMPLATE;
        const cJSON *sp = cJSON_GetObjectItemCaseSensitive(j, "special_tokens");
        if ((rc = parse_template(t, cJSON_GetObjectItemCaseSensitive(j, "single"), sp, &p->single,
                     &p->n_single, name)))
            return rc;
        rc = parse_template(
                t, cJSON_GetObjectItemCaseSensitive(j, "pair"), sp, &p->pair, &p->n_pair, name);
    } else if (!strcmp(s, "RobertaProcessing") || !strcmp(s, "BertProcessing")) {
        p->kind = s[0] == 'R' ? PP_ROBERTA : PP_BERT;
        if ((rc = pair_tok(t, cJSON_GetObjectItemCaseSensitive(j, "cls"), &p->cls, "cls", name)))
            return rc;
        rc = pair_tok(t, cJSON_GetObjectItemCaseSensitive(j, "sep"), &p->sep, "sep", name);
    } else if (!strcmp(s, "ByteLevel")) {
        p->kind = PP_BYTELEVEL;
    } else if (!strcmp(s, "Sequence")) {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(j, "processors");
        int k = cJSON_GetArraySize(a);
        if (!cJSON_IsArray(a))
            return lt_err(LT_EFORMAT, "%s: Sequence post_processor without processors", name);
        if (k && !(p->sub = lt_calloc((size_t)k, sizeof *p->sub)))
            return lt_err(LT_ENOMEM, "out of memory");
        p->kind = PP_NONE;
        for (const cJSON *e = a->child; e && rc == LT_OK; e = e->next)
            rc = pp_parse(t, &p->sub[p->n_sub++], e, name);
    } else
        rc = lt_err(LT_EFORMAT,
                "%s: post_processor '%s' is not implemented (have: TemplateProcessing, RobertaProcessing, "
                "BertProcessing, ByteLevel, Sequence)",
                name, s);
    return rc;
}

/* ---- the vocabulary ---- */
typedef struct {
    int64_t id;
    const char *tok;
} idtok;
static int cmp_idtok(const void *a, const void *b) {
    const idtok *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}
static int vocab_parse(lt_tokenizer *t, const cJSON *model, const char *type, const char *name) {
    const cJSON *voc = cJSON_GetObjectItemCaseSensitive(model, "vocab");
    int64_t n = cJSON_GetArraySize(voc);
    if (!(t->v.map = lt__strmap_new())) return lt_err(LT_ENOMEM, "out of memory");
    if (!(t->v.id_of = lt_malloc(sizeof(int64_t) * (size_t)(n + 1))) ||
            !(t->v.key_of = lt_malloc(sizeof(int64_t) * (size_t)(n + 1))))
        return lt_err(LT_ENOMEM, "out of memory");
    if (!strcmp(type, "Unigram")) {
        if (!cJSON_IsArray(voc))
            return lt_err(LT_EFORMAT, "%s: Unigram vocab is not a list of [piece, score]", name);
        int64_t i = 0;
        for (const cJSON *e = voc->child; e; e = e->next, i++) {
            const cJSON *s = cJSON_GetArrayItem(e, 0);
            if (!cJSON_IsString(s))
                return lt_err(LT_EFORMAT, "%s: Unigram vocab entry %lld has no piece", name,
                        (long long)i);
            int added = 0;
            int64_t k = lt__strmap_put(t->v.map, s->valuestring, strlen(s->valuestring), &added);
            if (k < 0) return lt_err(LT_ENOMEM, "out of memory");
            t->v.id_of[k] = i; /* a repeated piece answers with its last id */
            t->v.key_of[i] = k;
        }
        t->n_vocab = t->v.n = n;
        return LT_OK;
    }
    if (!cJSON_IsObject(voc))
        return lt_err(LT_EFORMAT, "%s: %s vocab is not an object of token: id", name, type);
    idtok *arr = lt_malloc(sizeof(idtok) * (size_t)(n ? n : 1));
    if (!arr) return lt_err(LT_ENOMEM, "out of memory");
    int64_t k = 0;
    for (const cJSON *e = voc->child; e; e = e->next) {
        if (!cJSON_IsNumber(e)) {
            lt_free(arr);
            return lt_err(LT_EFORMAT, "%s: vocab entry '%.40s' has no integer id", name, e->string);
        }
        arr[k++] = (idtok){ (int64_t)e->valuedouble, e->string };
    }
    qsort(arr, (size_t)k, sizeof *arr, cmp_idtok);
    int rc = LT_OK;
    for (int64_t i = 0; i < k && rc == LT_OK; i++) {
        int added = 0;
        if (arr[i].id != i)
            rc = lt_err(LT_EFORMAT, "%s: vocab ids are not 0..%lld (id %lld)", name,
                    (long long)k - 1, (long long)arr[i].id);
        else {
            int64_t key = lt__strmap_put(t->v.map, arr[i].tok, strlen(arr[i].tok), &added);
            if (key < 0) rc = lt_err(LT_ENOMEM, "out of memory");
            else if (!added)
                rc = lt_err(LT_EFORMAT, "%s: vocab token '%.40s' twice", name, arr[i].tok);
            else {
                t->v.id_of[key] = i;
                t->v.key_of[i] = key;
            }
        }
    }
    lt_free(arr);
    t->n_vocab = t->v.n = k;
    return rc;
}

static int cmp_added(const void *a, const void *b) {
    const added_tok *x = a, *y = b;
    int c = (unsigned char)x->s[0] - (unsigned char)y->s[0];
    return c ? c : (x->len > y->len ? -1 : x->len < y->len); /* longest first within a first byte */
}
static int added_parse(lt_tokenizer *t, const cJSON *j, const char *name) {
    int k = cJSON_GetArraySize(j);
    if (j && !cJSON_IsNull(j) && !cJSON_IsArray(j))
        return lt_err(LT_EFORMAT, "%s: added_tokens is not a list", name);
    if (k && !(t->added = lt_calloc((size_t)k, sizeof *t->added)))
        return lt_err(LT_ENOMEM, "out of memory");
    for (const cJSON *e = j ? j->child : NULL; e; e = e->next) {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(e, "content"),
                    *id = cJSON_GetObjectItemCaseSensitive(e, "id");
        if (!cJSON_IsString(c) || !cJSON_IsNumber(id) || id->valuedouble < 0 ||
                id->valuedouble > INT32_MAX)
            return lt_err(LT_EFORMAT, "%s: added_tokens entry without content or a valid id", name);
        if (!*c->valuestring) continue;
        added_tok *a = &t->added[t->n_added++];
        if (!(a->s = lt_strdup(c->valuestring))) return lt_err(LT_ENOMEM, "out of memory");
        a->len = strlen(a->s);
        a->id = (int32_t)id->valuedouble;
        a->lstrip = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "lstrip"));
        a->rstrip = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "rstrip"));
        a->single_word = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "single_word"));
        a->special = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "special"));
        const cJSON *nz = cJSON_GetObjectItemCaseSensitive(e, "normalized");
        a->normalized = nz ? cJSON_IsTrue(nz) : !a->special;
        if (a->id >= t->n_vocab && a->id - t->n_vocab + 1 > t->n_extra)
            t->n_extra = a->id - t->n_vocab + 1;
    }
    if (t->n_extra > 10000000)
        return lt_err(LT_EFORMAT, "%s: added token ids run %lld past the vocabulary", name,
                (long long)t->n_extra);
    if (t->n_extra && !(t->extra = lt_calloc((size_t)t->n_extra, sizeof(char *))))
        return lt_err(LT_ENOMEM, "out of memory");
    for (int i = 0; i < t->n_added; i++)
        if (t->added[i].id >= t->n_vocab) t->extra[t->added[i].id - t->n_vocab] = t->added[i].s;
    if (t->n_added) qsort(t->added, (size_t)t->n_added, sizeof *t->added, cmp_added);
    for (int b = 0, i = 0; b <= 256; b++) {
        while (i < t->n_added && (unsigned char)t->added[i].s[0] < b) i++;
        t->first_added[b] = i;
    }
    return LT_OK;
}

void lt_tokenizer_free(lt_tokenizer *t) {
    if (!t) return;
    if (t->model && t->mstate) t->model->free(t->mstate);
    lt__strmap_free(t->v.map);
    lt_free(t->v.id_of);
    lt_free(t->v.key_of);
    for (int i = 0; i < t->n_added; i++) lt_free(t->added[i].s);
    lt_free(t->added);
    lt_free(t->extra);
    lt__norm_free(t->norm);
    lt__pre_free(t->pre);
    pp_destroy(&t->post);
    lt__dec_free(t->dec);
    lt_free(t->dec_err);
    lt_free(t);
}

/* cJSON's strings end at a NUL, so a token holding U+0000 (vocabularies learnt from text with
 * NULs have one) would lose its tail: such a file is read with each \u0000 spelt U+10FFFF, a
 * noncharacter, and the input's NUL bytes are read as that too (tok.c's encode_one). */
static char *nul_escapes(const char *json, size_t len, size_t *out_len) {
    size_t hits = 0;
    for (size_t i = 0; i + 6 <= len; i++)
        if (json[i] == '\\' && !strncmp(json + i + 1, "u0000", 5)) {
            size_t k = 0;
            while (k < i && json[i - 1 - k] == '\\') k++;
            if (k % 2 == 0) hits++;
        }
    if (!hits) return NULL;
    char *o = lt_malloc(len + hits * 6 + 1);
    if (!o) return NULL;
    size_t w = 0;
    for (size_t i = 0; i < len; i++) {
        if (json[i] == '\\' && i + 6 <= len && !strncmp(json + i + 1, "u0000", 5)) {
            size_t k = 0;
            while (k < i && json[i - 1 - k] == '\\') k++;
            if (k % 2 == 0) {
                memcpy(o + w, "\\uDBFF\\uDFFF", 12);
                w += 12;
                i += 5;
                continue;
            }
        }
        o[w++] = json[i];
    }
    o[w] = 0;
    *out_len = w;
    return o;
}

int lt_tokenizer_parse(lt_tokenizer **out, const char *json, size_t len, const char *name) {
    *out = NULL;
    size_t nl = 0;
    char *fixed = nul_escapes(json, len, &nl);
    cJSON *j = fixed ? cJSON_ParseWithLength(fixed, nl) : cJSON_ParseWithLength(json, len);
    lt_free(fixed);
    if (!j)
        return lt_err(LT_EFORMAT, "%s: malformed JSON near offset %zu", name,
                (size_t)(cJSON_GetErrorPtr() ? cJSON_GetErrorPtr() - json : 0));
    lt_tokenizer *t = lt_calloc(1, sizeof *t);
    int rc = t ? LT_OK : lt_err(LT_ENOMEM, "out of memory");
    if (t) t->nul = fixed != NULL;
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(j, "model"),
                *ty = cJSON_GetObjectItemCaseSensitive(model, "type");
    static const lt__tok_model *const models[] = { &lt__tok_bpe, &lt__tok_unigram,
        &lt__tok_wordpiece };
    const char *type = cJSON_IsString(ty) ? ty->valuestring : NULL;
    if (rc == LT_OK && !type) { /* older files: the model's kind from its fields */
        if (cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(model, "merges"))) type = "BPE";
        else if (cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(model, "vocab"))) type = "Unigram";
        else if (cJSON_GetObjectItemCaseSensitive(model, "continuing_subword_prefix"))
            type = "WordPiece";
        else rc = lt_err(LT_EFORMAT, "%s: no model, or a model without a type", name);
    }
    for (size_t i = 0; rc == LT_OK && !t->model && i < sizeof models / sizeof models[0]; i++)
        if (!strcmp(type, models[i]->type)) t->model = models[i];
    if (rc == LT_OK && !t->model)
        rc = lt_err(LT_EFORMAT, "%s: model '%s' is not implemented (have: BPE, Unigram, WordPiece)",
                name, type);
    if (rc == LT_OK) rc = vocab_parse(t, model, type, name);
    if (rc == LT_OK) rc = t->model->parse(&t->mstate, model, &t->v, name);
    if (rc == LT_OK) rc = added_parse(t, cJSON_GetObjectItemCaseSensitive(j, "added_tokens"), name);
    if (rc == LT_OK)
        rc = lt__norm_parse(&t->norm, cJSON_GetObjectItemCaseSensitive(j, "normalizer"), name);
    if (rc == LT_OK)
        rc = lt__pre_parse(&t->pre, cJSON_GetObjectItemCaseSensitive(j, "pre_tokenizer"), name);
    if (rc == LT_OK)
        rc = pp_parse(t, &t->post, cJSON_GetObjectItemCaseSensitive(j, "post_processor"), name);
    if (rc == LT_OK &&
            lt__dec_parse(&t->dec, cJSON_GetObjectItemCaseSensitive(j, "decoder"), name)) {
        /* only decoding needs it: keep the reason for then */
        if (!(t->dec_err = lt_strdup(lt_errmsg()))) rc = lt_err(LT_ENOMEM, "out of memory");
    }
    cJSON_Delete(j);
    if (rc) {
        lt_tokenizer_free(t);
        return rc;
    }
    *out = t;
    return LT_OK;
}

static int tokenizer_load_impl(lt_tokenizer **out, const char *path) {
    *out = NULL;
    char p[4096];
    size_t pl = strlen(path);
    if (pl > 5 && !strcmp(path + pl - 5, ".json")) snprintf(p, sizeof p, "%s", path);
    else snprintf(p, sizeof p, "%s/tokenizer.json", path);
    char *buf;
    size_t len, ml;
    int rc = lt_read_whole(p, &buf, &len, &ml);
    if (rc) return rc;
    rc = lt_tokenizer_parse(out, buf ? buf : "", len, p);
    lt_release_whole(buf, ml);
    return rc;
}

int lt_tokenizer_load(lt_tokenizer **out, const char *path) {
    return lt_err_in(tokenizer_load_impl(out, path), path);
}

static double json_num(const char *path, const char *key, double def) {
    char *buf;
    size_t len, ml;
    if (lt_read_whole(path, &buf, &len, &ml) != LT_OK) {
        lt_clear_error();
        return def;
    }
    cJSON *j = buf ? cJSON_ParseWithLength(buf, len) : NULL;
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(j, key);
    double v = cJSON_IsNumber(x) ? x->valuedouble : def;
    cJSON_Delete(j);
    lt_release_whole(buf, ml);
    return v;
}
int lt_tokenizer_max_length(const char *dir) {
    char p[4096];
    snprintf(p, sizeof p, "%s/tokenizer_config.json", dir);
    double m = json_num(p, "model_max_length", 0);
    if (!(m > 0 && m < 1e8)) m = 0;
    snprintf(p, sizeof p, "%s/config.json", dir);
    double pos = json_num(p, "max_position_embeddings", 0), pad = json_num(p, "pad_token_id", -1);
    char *buf;
    size_t len, ml;
    int offset = 0; /* RoBERTa-style positions start after padding_idx */
    if (lt_read_whole(p, &buf, &len, &ml) == LT_OK) {
        static const char *fams[] = { "\"roberta\"", "\"xlm-roberta\"", "\"camembert\"",
            "\"mpnet\"" };
        for (int i = 0; buf && i < 4; i++)
            if (memmem(buf, len, fams[i], strlen(fams[i]))) offset = pad >= 0 ? (int)pad + 1 : 2;
        lt_release_whole(buf, ml);
    } else lt_clear_error();
    if (pos > offset && pos < 1e8 && (m == 0 || m > pos - offset)) m = pos - offset;
    return (int)m;
}

const char *lt_tokenizer_token(const lt_tokenizer *t, int32_t id) {
    if (id < 0) return NULL;
    if (id < t->n_vocab) return lt__strmap_key(t->v.map, t->v.key_of[id]);
    return id - t->n_vocab < t->n_extra ? t->extra[id - t->n_vocab] : NULL;
}
int lt_tokenizer_decode(const lt_tokenizer *t, const int32_t *ids, int n, int skip_special,
        char **out, size_t *out_len) {
    *out = NULL;
    *out_len = 0;
    if (t->dec_err) return lt_err(LT_EFORMAT, "%s", t->dec_err);
    if (n < 0) return lt_err(LT_EINVAL, "a negative number of ids");
    char **tk = lt_malloc(sizeof(char *) * (size_t)(n ? n : 1));
    int m = 0, rc = tk ? LT_OK : LT_ENOMEM;
    for (int i = 0; rc == LT_OK && i < n; i++) {
        const char *s = NULL;
        int special = 0;
        for (int a = 0; a < t->n_added; a++) /* the added vocabulary first, as tokenizers */
            if (t->added[a].id == ids[i]) {
                s = t->added[a].s;
                special = t->added[a].special;
                break;
            }
        if (!s) s = lt_tokenizer_token(t, ids[i]);
        if (!s || (special && skip_special)) continue; /* ids it does not know are skipped */
        if (!(tk[m] = lt_strdup(s))) rc = LT_ENOMEM;
        else m++;
    }
    if (rc == LT_OK && t->dec) rc = lt__dec_apply(t->dec, &tk, &m);
    /* joined: by nothing after a decoder, by spaces without one */
    size_t len = 0;
    for (int i = 0; rc == LT_OK && i < m; i++) len += strlen(tk[i]) + 1;
    char *o = rc == LT_OK ? lt_malloc(len + 1) : NULL;
    if (rc == LT_OK && !o) rc = LT_ENOMEM;
    size_t w = 0;
    for (int i = 0; o && i < m; i++) {
        if (i && !t->dec) o[w++] = ' ';
        for (const char *p = tk[i]; *p;) /* U+10FFFF spells U+0000 (nul_escapes, decoders) */
            if (!strncmp(p, "\xf4\x8f\xbf\xbf", 4) && (t->nul || t->dec)) {
                o[w++] = 0;
                p += 4;
            } else o[w++] = *p++;
    }
    if (o) o[w] = 0;
    *out_len = w;
    for (int i = 0; tk && i < m; i++) lt_free(tk[i]);
    lt_free(tk);
    if (rc) return rc == LT_ENOMEM ? lt_err(LT_ENOMEM, "out of memory") : rc;
    *out = o;
    return LT_OK;
}
const char *lt_tokenizer_model(const lt_tokenizer *t) { return t->model->type; }
int64_t lt_tokenizer_vocab_size(const lt_tokenizer *t) { return t->n_vocab + t->n_extra; }

/* ---- encoding ---- */
static int is_word(int32_t c) {
    utf8proc_category_t k = utf8proc_category(c);
    return (k >= UTF8PROC_CATEGORY_LU && k <= UTF8PROC_CATEGORY_LO) ||
            (k >= UTF8PROC_CATEGORY_ND && k <= UTF8PROC_CATEGORY_NO);
}
/* segments of s: runs of text, and added tokens (id >= 0), in order */
typedef struct {
    lt__nstr s;
    int32_t id;
} seg;
typedef struct {
    seg *v;
    int n, cap;
} segs;
static int seg_add(segs *ss, const lt__nstr *s, size_t a, size_t b, int32_t id) {
    if (b <= a && id < 0) return LT_OK;
    if (ss->n == ss->cap) {
        int nc = ss->cap ? ss->cap * 2 : 16;
        seg *p = lt_realloc(ss->v, sizeof *p * (size_t)nc);
        if (!p) return LT_ENOMEM;
        ss->v = p;
        ss->cap = nc;
    }
    seg *g = &ss->v[ss->n];
    memset(g, 0, sizeof *g);
    g->id = id;
    if (b > a && lt__nstr_append(&g->s, s, a, b)) {
        lt__nstr_free(&g->s);
        return LT_ENOMEM;
    }
    if (!g->s.s && lt__nstr_push(&g->s, "", 0, 0, 0)) return LT_ENOMEM;
    if (b <= a) { g->s.o[0] = a < s->n ? s->o[2 * a] : 0; }
    ss->n++;
    return LT_OK;
}
static void segs_free(segs *ss) {
    for (int i = 0; i < ss->n; i++) lt__nstr_free(&ss->v[i].s);
    lt_free(ss->v);
    memset(ss, 0, sizeof *ss);
}
/* the added tokens (normalized == want) of s, leftmost-longest, with lstrip/rstrip/single_word */
static int split_added(const lt_tokenizer *t, const lt__nstr *s, int want, segs *out) {
    size_t start = 0, i = 0;
    while (i < s->n) {
        unsigned char c0 = (unsigned char)s->s[i];
        const added_tok *hit = NULL;
        for (int a = t->first_added[c0]; a < t->first_added[c0 + 1] && !hit; a++) {
            const added_tok *k = &t->added[a];
            if (k->normalized != want || k->len > s->n - i || memcmp(s->s + i, k->s, k->len))
                continue;
            if (k->single_word) {
                size_t q = i, r = i + k->len;
                int before = 0, after = 0;
                if (i > 0) {
                    q = i - 1;
                    while (q > 0 && ((unsigned char)s->s[q] & 0xC0) == 0x80) q--;
                    size_t qq = q;
                    before = is_word(lt__utf8_next(s->s, s->n, &qq));
                }
                if (r < s->n) after = is_word(lt__utf8_next(s->s, s->n, &r));
                if (before || after) continue;
            }
            hit = k; /* longest first within the byte */
        }
        if (!hit) {
            i++;
            continue;
        }
        size_t b = i, e = i + hit->len;
        if (hit->lstrip)
            while (b > start) {
                size_t q = b - 1;
                while (q > start && ((unsigned char)s->s[q] & 0xC0) == 0x80) q--;
                size_t qq = q;
                if (!lt__is_ws(lt__utf8_next(s->s, s->n, &qq))) break;
                b = q;
            }
        if (hit->rstrip)
            while (e < s->n) {
                size_t q = e;
                if (!lt__is_ws(lt__utf8_next(s->s, s->n, &q))) break;
                e = q;
            }
        if (seg_add(out, s, start, b, -1) || seg_add(out, s, b, e, hit->id))
            return lt_err(LT_ENOMEM, "out of memory");
        start = i = e;
    }
    return seg_add(out, s, start, s->n, -1) ? lt_err(LT_ENOMEM, "out of memory") : LT_OK;
}

/* leading and trailing spaces of a token's text: byte-level 'Ġ' (U+0120) or whitespace */
static void count_ws(const char *s, size_t n, int *lead_out, int *trail_out) {
    size_t p = 0, e = n;
    int lead = 0, trail = 0;
    while (p < n) {
        size_t q = p;
        int32_t c = lt__utf8_next(s, n, &q);
        if (c != 0x120 && !lt__is_ws(c)) break;
        lead++;
        p = q;
    }
    while (e > p) {
        size_t r = e - 1;
        while (r > p && ((unsigned char)s[r] & 0xC0) == 0x80) r--;
        size_t q = r;
        int32_t c = lt__utf8_next(s, n, &q);
        if (c != 0x120 && !lt__is_ws(c)) break;
        trail++;
        e = r;
    }
    *lead_out = lead;
    *trail_out = trail;
}

/* one text into out (ids and offsets), before post-processing */
static int encode_one(const lt_tokenizer *t, const char *text, size_t len, lt__tok_out *out) {
    lt__nstr raw = { 0 };
    segs s1 = { 0 }, s2 = { 0 };
    int rc = LT_OK;
    for (size_t p = 0; p < len && rc == LT_OK;) {
        utf8proc_int32_t c;
        utf8proc_ssize_t k = utf8proc_iterate(
                (const utf8proc_uint8_t *)text + p, (utf8proc_ssize_t)(len - p), &c);
        if (k <= 0) {
            rc = lt_err(LT_EFORMAT, "invalid UTF-8 at byte %zu", p);
            break;
        }
        if (c == 0 && t->nul)
            rc = lt__nstr_push(&raw, "\xF4\x8F\xBF\xBF", 4, (int32_t)p, (int32_t)p + 1) ? LT_ENOMEM
                                                                                        : LT_OK;
        else
            rc = lt__nstr_push(&raw, text + p, (size_t)k, (int32_t)p, (int32_t)(p + (size_t)k))
                    ? LT_ENOMEM
                    : LT_OK;
        if (rc) rc = lt_err(LT_ENOMEM, "out of memory");
        p += (size_t)k;
    }
    if (rc == LT_OK && !raw.s && lt__nstr_push(&raw, "", 0, 0, 0))
        rc = lt_err(LT_ENOMEM, "out of memory");
    if (rc == LT_OK) rc = split_added(t, &raw, 0, &s1);
    for (int i = 0; i < s1.n && rc == LT_OK; i++) {
        seg *g = &s1.v[i];
        if (g->id >= 0) {
            rc = seg_add(&s2, &g->s, 0, g->s.n, g->id) ? lt_err(LT_ENOMEM, "out of memory") : LT_OK;
            continue;
        }
        int32_t origin = g->s.n ? g->s.o[0] : 0;
        if ((rc = lt__norm_apply(t->norm, &g->s))) break;
        int before = s2.n;
        rc = split_added(t, &g->s, 1, &s2);
        for (int k = before; k < s2.n; k++)
            if (s2.v[k].id < 0 && !s2.v[k].s.n) s2.v[k].s.o[0] = origin;
    }
    for (int i = 0; i < s2.n && rc == LT_OK; i++) {
        seg *g = &s2.v[i];
        if (g->id >= 0) {
            int32_t st = g->s.n ? g->s.o[0] : 0, en = g->s.n ? g->s.o[2 * g->s.n - 1] : 0;
            rc = lt__tok_out_push(out, g->id, st, en) ? lt_err(LT_ENOMEM, "out of memory") : LT_OK;
            if (rc == LT_OK) { /* the matched text's own spaces (lstrip/rstrip), for trim_offsets */
                int lead = 0, trail = 0;
                count_ws(g->s.s, g->s.n, &lead, &trail);
                out->ws[2 * (out->n - 1)] = lead;
                out->ws[2 * (out->n - 1) + 1] = trail;
            }
            continue;
        }
        if (!g->s.n) continue;
        lt__pieces ps = { 0 };
        rc = lt__pre_apply(t->pre, &g->s, g->s.o[0] == 0, &ps);
        for (int k = 0; k < ps.n && rc == LT_OK; k++)
            rc = t->model->encode(t->mstate, &t->v, &ps.p[k], out);
        lt__pieces_free(&ps);
    }
    lt__nstr_free(&raw);
    segs_free(&s1);
    segs_free(&s2);
    return rc;
}

/* Roberta's and ByteLevel's trim_offsets: offsets without the token's leading and trailing
 * spaces (of its vocabulary text, or of an added token's matched text); not the first token's
 * one added space */
static void trim_offsets(const lt_tokenizer *t, lt__tok_out *o, int add_prefix_space) {
    for (int i = 0; i < o->n; i++) {
        int lead = o->ws[2 * i], trail = o->ws[2 * i + 1];
        if (lead < 0) {
            const char *s = lt_tokenizer_token(t, o->ids[i]);
            if (!s) continue;
            count_ws(s, strlen(s), &lead, &trail);
        }
        int32_t *st = &o->off[2 * i], *en = &o->off[2 * i + 1];
        if (lead) {
            if ((i == 0 || *st == 0) && add_prefix_space && lead == 1) lead = 0;
            *st = *st + lead < *en ? *st + lead : *en;
        }
        if (trail && *en >= trail) *en = *en - trail > *st ? *en - trail : *st;
    }
}

static int enc_push(lt_encoding *e, int32_t id, int32_t a, int32_t b, int32_t type, int special) {
    if (e->n == e->cap) {
        int nc = e->cap ? e->cap * 2 : 64;
        int32_t *ids = lt_realloc(e->ids, sizeof(int32_t) * (size_t)nc);
        if (!ids) return LT_ENOMEM;
        e->ids = ids;
        int32_t *off = lt_realloc(e->offsets, sizeof(int32_t) * 2 * (size_t)nc);
        if (!off) return LT_ENOMEM;
        e->offsets = off;
        int32_t *ty = lt_realloc(e->type_ids, sizeof(int32_t) * (size_t)nc);
        if (!ty) return LT_ENOMEM;
        e->type_ids = ty;
        uint8_t *sp = lt_realloc(e->special, (size_t)nc);
        if (!sp) return LT_ENOMEM;
        e->special = sp;
        e->cap = nc;
    }
    e->ids[e->n] = id;
    e->offsets[2 * e->n] = a;
    e->offsets[2 * e->n + 1] = b;
    e->type_ids[e->n] = type;
    e->special[e->n] = (uint8_t)special;
    e->n++;
    return LT_OK;
}
static int put_seq(lt_encoding *e, const lt__tok_out *o, int type) {
    for (int i = 0; i < o->n; i++)
        if (enc_push(e, o->ids[i], o->off[2 * i], o->off[2 * i + 1], type, 0)) return LT_ENOMEM;
    return LT_OK;
}
static void pp_trim(const lt_tokenizer *t, const pp *p, lt__tok_out *a, lt__tok_out *b) {
    if ((p->kind == PP_ROBERTA || p->kind == PP_BYTELEVEL) && p->trim) {
        trim_offsets(t, a, p->add_prefix_space);
        if (b) trim_offsets(t, b, p->add_prefix_space);
    }
    for (int i = 0; i < p->n_sub; i++) pp_trim(t, &p->sub[i], a, b);
}
static const pp *pp_specials(const pp *p) { /* the processor that adds special tokens */
    if (p->kind == PP_TEMPLATE || p->kind == PP_ROBERTA || p->kind == PP_BERT) return p;
    for (int i = 0; i < p->n_sub; i++) {
        const pp *q = pp_specials(&p->sub[i]);
        if (q) return q;
    }
    return NULL;
}

/* the special tokens a processor adds around one text or a pair */
static int n_specials(const pp *p, int pair) {
    if (!p) return 0;
    if (p->kind == PP_ROBERTA) return pair ? 4 : 2;
    if (p->kind == PP_BERT) return pair ? 3 : 2;
    int n = 0;
    const tmpl_item *it = pair ? p->pair : p->single;
    for (int i = 0; i < (pair ? p->n_pair : p->n_single); i++)
        n += it[i].is_special ? it[i].n_ids : 0;
    return n;
}

int lt_tokenizer_encode(const lt_tokenizer *t, const char *text, size_t len, const char *pair,
        size_t pair_len, int add_special, int max_len, lt_encoding *e) {
    e->n = 0;
    lt__tok_out a = { 0 }, b = { 0 };
    int rc = encode_one(t, text, len, &a);
    if (rc == LT_OK && pair) rc = encode_one(t, pair, pair_len, &b);
    if (rc == LT_OK) {
        pp_trim(t, &t->post, &a, pair ? &b : NULL);
        const pp *p = add_special ? pp_specials(&t->post) : NULL;
        int ns = n_specials(p, pair != NULL);
        e->n_full = a.n + b.n + ns;
        if (max_len > 0) { /* longest first: one token at a time from the longer */
            int budget = max_len - ns > 0 ? max_len - ns : 0;
            while (a.n + b.n > budget) {
                if (b.n > a.n) b.n--;
                else a.n--;
            }
        }
        if (!p) {
            rc = put_seq(e, &a, 0);
            if (rc == LT_OK && pair) rc = put_seq(e, &b, 1);
        } else if (p->kind == PP_TEMPLATE) {
            const tmpl_item *it = pair ? p->pair : p->single;
            int n = pair ? p->n_pair : p->n_single;
            for (int i = 0; i < n && rc == LT_OK; i++) {
                if (!it[i].is_special) {
                    rc = put_seq(e, it[i].seq ? &b : &a, it[i].type_id);
                    continue;
                }
                for (int k = 0; k < it[i].n_ids && rc == LT_OK; k++)
                    rc = enc_push(e, it[i].ids[k], 0, 0, it[i].type_id, 1);
            }
        } else { /* Roberta: <s> A </s> (</s> B </s>); Bert: [CLS] A [SEP] (B [SEP]) */
            rc = enc_push(e, p->cls, 0, 0, 0, 1);
            if (rc == LT_OK) rc = put_seq(e, &a, 0);
            if (rc == LT_OK) rc = enc_push(e, p->sep, 0, 0, 0, 1);
            if (rc == LT_OK && pair) {
                int ty = 1;
                if (p->kind == PP_ROBERTA) rc = enc_push(e, p->sep, 0, 0, ty, 1);
                if (rc == LT_OK) rc = put_seq(e, &b, ty);
                if (rc == LT_OK) rc = enc_push(e, p->sep, 0, 0, ty, 1);
            }
        }
        if (rc > 0 || rc == LT_ENOMEM) rc = lt_err(LT_ENOMEM, "out of memory");
    }
    lt_free(a.ids);
    lt_free(a.off);
    lt_free(a.ws);
    lt_free(b.ids);
    lt_free(b.off);
    lt_free(b.ws);
    return rc;
}

void lt_encoding_free(lt_encoding *e) {
    if (!e) return;
    lt_free(e->ids);
    lt_free(e->offsets);
    lt_free(e->type_ids);
    lt_free(e->special);
    memset(e, 0, sizeof *e);
}
