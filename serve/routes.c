/* The routes: request JSON in, response JSON out. No sockets here: http.c calls srv_route and,
 * for the encoder's routes, submits the job it returns and calls srv_finish when it is done.
 * TEI's routes and shapes (/embed, /embed_all, /rerank, /similarity, /tokenize, /decode, /info,
 * /health, /metrics), OpenAI's (/v1/embeddings, /v1/models) and latent's search routes
 * (/search, /similar, /vectors/{label}, /index/add, /index/delete). */
#include "serve.h"
#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    R_EMBED = 1,
    R_EMBED_ALL,
    R_RERANK,
    R_SIMILARITY,
    R_OPENAI,
    R_SEARCH,
    R_INDEX_ADD,
};

/* what a queued route needs to finish its reply */
typedef struct req {
    cJSON *json;
    int normalize, dims, b64, raw, return_text, openai;
    int k, ef;
    srv_index *ix;
    const srv_vectors *vs;
    lt_filter filt;
    int64_t *allow, *add_ids;
    char *prefix;
    int64_t n_add;
} req;

void srv_error(srv_reply *r, int status, const char *type, const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sb_free(&r->body);
    r->status = status;
    r->type = "application/json";
    sb_puts(&r->body, "{\"error\":");
    sb_str(&r->body, msg, strlen(msg));
    sb_puts(&r->body, ",\"error_type\":");
    sb_str(&r->body, type, strlen(type));
    sb_puts(&r->body, "}");
}

/* OpenAI's error shape, for the /v1 routes */
static void oa_error(srv_reply *r, int status, const char *type, const char *msg) {
    sb_free(&r->body);
    r->status = status;
    r->type = "application/json";
    sb_puts(&r->body, "{\"error\":{\"message\":");
    sb_str(&r->body, msg, strlen(msg));
    sb_puts(&r->body, ",\"type\":");
    sb_str(&r->body, type, strlen(type));
    sb_puts(&r->body, ",\"param\":null,\"code\":null}}");
}

static void ok(srv_reply *r) {
    r->status = 200;
    r->type = "application/json";
}

static const char *arg(const char *const *args, const char *key) {
    for (int i = 0; args && args[i]; i += 2)
        if (!strcmp(args[i], key)) return args[i + 1];
    return NULL;
}

/* ---- names ---- */
static srv_model *find_model(srv *s, const char *name, int reranker) {
    for (int i = 0; i < s->n_models; i++)
        if (name ? !strcmp(s->models[i].name, name) : (s->models[i].labels > 0) == reranker)
            return &s->models[i];
    return NULL;
}
/* a model by name, or without one the first (of any kind): the tokenizer routes */
static srv_model *any_model(srv *s, const char *name) {
    return name ? find_model(s, name, 0) : s->n_models ? s->models : NULL;
}
static srv_index *find_index(srv *s, const char *name) {
    for (int i = 0; i < s->n_indexes; i++)
        if (!name || !strcmp(s->indexes[i].name, name)) return &s->indexes[i];
    return NULL;
}
static srv_vectors *find_vectors(srv *s, const char *name) {
    for (int i = 0; i < s->n_vectors; i++)
        if (!name || !strcmp(s->vectors[i].name, name)) return &s->vectors[i];
    return NULL;
}

/* ---- JSON fields ---- */
static _Thread_local const char *g_bad; /* the field a getter refused */
static int get_bool(cJSON *o, const char *k, int def) {
    cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!v || cJSON_IsNull(v)) return def;
    if (!cJSON_IsBool(v)) {
        g_bad = k;
        return def;
    }
    return cJSON_IsTrue(v);
}
static long long get_int(cJSON *o, const char *k, long long def, long long lo, long long hi) {
    cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!v || cJSON_IsNull(v)) return def;
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || v->valuedouble < lo ||
            v->valuedouble > hi) {
        g_bad = k;
        return def;
    }
    return (long long)v->valuedouble;
}
static const char *get_str(cJSON *o, const char *k) {
    cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!v || cJSON_IsNull(v)) return NULL;
    if (!cJSON_IsString(v)) {
        g_bad = k;
        return NULL;
    }
    return v->valuestring;
}

/* strings of a field: one string or an array of them; -1 with the reply set when malformed */
static int strings(srv *s, cJSON *v, const char *field, cJSON ***out, srv_reply *rep) {
    int n = !v ? 0 : cJSON_IsString(v) ? 1 : cJSON_IsArray(v) ? cJSON_GetArraySize(v) : -1;
    if (n < 0 || !v) {
        srv_error(rep, 422, "Validation", "`%s` must be a string or an array of strings", field);
        return -1;
    }
    if (n == 0) {
        srv_error(rep, 422, "Empty", "`%s` cannot be empty", field);
        return -1;
    }
    if (n > s->max_inputs) {
        srv_error(rep, 413, "Validation",
                "batch size %d > maximum allowed batch size %d (--max-inputs)", n, s->max_inputs);
        return -1;
    }
    cJSON **a = malloc(sizeof(cJSON *) * (size_t)n);
    if (!a) {
        srv_error(rep, 503, "Overloaded", "out of memory");
        return -1;
    }
    if (cJSON_IsString(v)) a[0] = v;
    else {
        int i = 0;
        cJSON *e;
        cJSON_ArrayForEach(e, v) {
            if (!cJSON_IsString(e)) {
                srv_error(rep, 422, "Validation", "`%s[%d]` is not a string", field, i);
                free(a);
                return -1;
            }
            a[i++] = e;
        }
    }
    *out = a;
    return n;
}

/* ---- jobs ---- */
/* what a request owns besides its JSON: the filter's ids and prefix, the ids to add */
static void req_clear(req *q) {
    free(q->allow);
    free(q->prefix);
    free(q->add_ids);
    q->allow = q->add_ids = NULL;
    q->prefix = NULL;
}

void srv_job_free(srv_job *j) {
    if (!j) return;
    for (int i = 0; j->texts && i < j->n; i++) free(j->texts[i]);
    for (int i = 0; j->hidden && i < j->n; i++) free(j->hidden[i]);
    free(j->texts);
    free(j->lens);
    free(j->ntok);
    free(j->out);
    free(j->hidden);
    free((char *)j->query);
    req *q = j->req;
    if (q) {
        cJSON_Delete(q->json);
        req_clear(q);
        free(q);
    }
    free(j);
}

/* A job of n texts (prompt + text), each tokenised to check its length against max_seq:
 * truncate or 413 as the request asks. NULL with the reply set on refusal. */
static srv_job *make_job(srv *s, int kind, const srv_model *sm, cJSON **items, int n,
        const char *prompt, int truncate, srv_reply *rep) {
    srv_job *j = calloc(1, sizeof *j);
    size_t pl = prompt ? strlen(prompt) : 0;
    int32_t *ids = malloc(sizeof(int32_t) * (size_t)sm->max_seq);
    if (!j || !ids || !(j->texts = calloc((size_t)n, sizeof(char *))) ||
            !(j->lens = malloc(sizeof(size_t) * (size_t)n)) ||
            !(j->ntok = malloc(sizeof(int) * (size_t)n))) {
        free(ids);
        srv_job_free(j);
        srv_error(rep, 503, "Overloaded", "out of memory");
        return NULL;
    }
    j->kind = kind;
    j->sm = sm;
    j->n = n;
    j->fd = -1;
    for (int i = 0; i < n; i++) {
        const char *t = items[i]->valuestring;
        size_t tl = strlen(t);
        if (!(j->texts[i] = malloc(pl + tl + 1))) {
            srv_error(rep, 503, "Overloaded", "out of memory");
            break;
        }
        memcpy(j->texts[i], prompt ? prompt : "", pl);
        memcpy(j->texts[i] + pl, t, tl + 1);
        j->lens[i] = pl + tl;
        int full = 0,
            T = kind == JOB_SCORE
                ? 0
                : lt_bert_tokenize(sm->m, j->texts[i], j->lens[i], 1, ids, sm->max_seq, &full);
        if (T < 0) {
            srv_error(rep, 422, "Tokenizer", "input %d: %s", i, lt_errmsg());
            break;
        }
        if (full > sm->max_seq && !truncate) {
            srv_error(rep, 413, "Validation",
                    "Input validation error: `inputs` must have less than %d tokens. Given: %d "
                    "(input %d; send \"truncate\": true to cut it)",
                    sm->max_seq, full, i);
            break;
        }
        j->ntok[i] = T;
        rep->status = 0;
    }
    free(ids);
    if (rep->status) {
        srv_job_free(j);
        return NULL;
    }
    return j;
}

static void finish_rows(float *x, int keep, int normalize) {
    if (!normalize) return;
    double ss = 0;
    for (int k = 0; k < keep; k++) ss += (double)x[k] * x[k];
    double inv = 1 / fmax(sqrt(ss), 1e-12);
    for (int k = 0; k < keep; k++) x[k] = (float)(x[k] * inv);
}

/* ---- /embed, /v1/embeddings, /embed_all, /similarity ---- */
static int route_embed(srv *s, cJSON *js, int route, srv_reply *rep, srv_job **job) {
    int openai = route == R_OPENAI;
    const char *mname = get_str(js, "model");
    srv_model *sm = find_model(s, mname, 0);
    if (g_bad || !sm || sm->labels) {
        if (openai)
            oa_error(rep, g_bad ? 422 : 404, "invalid_request_error",
                    g_bad ? "`model` must be a string" : "no embedding model of that name");
        else
            srv_error(rep, g_bad ? 422 : 404, "Validation",
                    g_bad ? "`model` must be a string"
                          : "no embedding model of that name (GET /info lists them)");
        return 1;
    }
    cJSON *in = cJSON_GetObjectItemCaseSensitive(js, openai ? "input" : "inputs");
    cJSON *src = NULL;
    if (route == R_SIMILARITY) { /* {"inputs": {"source_sentence", "sentences"}} */
        src = in && cJSON_IsObject(in) ? cJSON_GetObjectItemCaseSensitive(in, "source_sentence")
                                       : NULL;
        in = in && cJSON_IsObject(in) ? cJSON_GetObjectItemCaseSensitive(in, "sentences") : NULL;
        if (!src || !cJSON_IsString(src) || !in || !cJSON_IsArray(in)) {
            srv_error(rep, 422, "Validation",
                    "`inputs` must be {\"source_sentence\": string, \"sentences\": [string]}");
            return 1;
        }
    }
    cJSON **items = NULL;
    int n = strings(s, in, openai ? "input" : "inputs", &items, rep);
    if (n < 0) {
        if (openai) {
            char m[1024];
            snprintf(m, sizeof m, "%s", rep->body.p ? rep->body.p : "bad input");
            oa_error(rep, rep->status, "invalid_request_error", m);
        }
        return 1;
    }
    if (src) { /* the source sentence first */
        cJSON **a = realloc(items, sizeof(cJSON *) * (size_t)(n + 1));
        if (!a) {
            free(items);
            srv_error(rep, 503, "Overloaded", "out of memory");
            return 1;
        }
        items = a;
        memmove(items + 1, items, sizeof(cJSON *) * (size_t)n);
        items[0] = src;
        n++;
    }
    g_bad = NULL;
    int truncate = get_bool(js, "truncate", openai || s->auto_truncate);
    int normalize = get_bool(js, "normalize", openai ? sm->normalizes : 1);
    long long dims = get_int(js, "dimensions", 0, 1, sm->dim);
    const char *pname = get_str(js, "prompt_name");
    const char *dir = get_str(js, "truncation_direction");
    const char *fmt = openai ? get_str(js, "encoding_format") : NULL;
    if (g_bad) {
        char m[256];
        snprintf(m, sizeof m, "`%s` has the wrong type or is out of range%s", g_bad,
                !strcmp(g_bad, "dimensions") ? " (1 .. the model's dimension)" : "");
        if (openai) oa_error(rep, 422, "invalid_request_error", m);
        else srv_error(rep, 422, "Validation", "%s", m);
        free(items);
        return 1;
    }
    if (dir && strcmp(dir, "Right") && strcmp(dir, "right")) {
        srv_error(rep, 422, "Validation",
                "truncation_direction \"%s\": only \"Right\" is supported (inputs are cut at "
                "their end)",
                dir);
        free(items);
        return 1;
    }
    if (fmt && strcmp(fmt, "float") && strcmp(fmt, "base64")) {
        oa_error(rep, 422, "invalid_request_error", "encoding_format must be float or base64");
        free(items);
        return 1;
    }
    const char *prompt = lt_bert_prompt(sm->m, pname);
    if (pname && !prompt) {
        srv_error(rep, 422, "Validation", "the model has no prompt named \"%s\"", pname);
        free(items);
        return 1;
    }
    int kind = route == R_EMBED_ALL ? JOB_HIDDEN : JOB_EMBED;
    srv_job *j = make_job(s, kind, sm, items, n, prompt && *prompt ? prompt : NULL, truncate, rep);
    free(items);
    if (!j) {
        if (openai) {
            char m[1024];
            snprintf(m, sizeof m, "%s", rep->body.p);
            oa_error(rep, rep->status, "invalid_request_error", m);
        }
        return 1;
    }
    req *q = calloc(1, sizeof *q);
    if (kind == JOB_EMBED) j->out = malloc(sizeof(float) * (size_t)n * sm->dim);
    else j->hidden = calloc((size_t)n, sizeof(float *));
    if (!q || (kind == JOB_EMBED ? !j->out : !j->hidden)) {
        free(q);
        srv_job_free(j);
        srv_error(rep, 503, "Overloaded", "out of memory");
        return 1;
    }
    q->normalize = normalize;
    q->dims = (int)(dims ? dims : sm->dim);
    q->b64 = fmt && !strcmp(fmt, "base64");
    q->openai = openai;
    j->req = q;
    j->route = route;
    *job = j;
    return 0;
}

static void finish_embed(srv *s, srv_job *j, srv_reply *rep) {
    req *q = j->req;
    const srv_model *sm = j->sm;
    sbuf *b = &rep->body;
    ok(rep);
    if (j->route == R_EMBED_ALL) {
        int H = lt_bert_hidden_size(sm->m);
        sb_puts(b, "[");
        for (int i = 0; i < j->n; i++) {
            sb_puts(b, i ? ",[" : "[");
            for (int t = 0; t < j->ntok[i]; t++) {
                if (t) sb_puts(b, ",");
                sb_floats(b, j->hidden[i] + (size_t)t * H, H);
            }
            sb_puts(b, "]");
        }
        sb_puts(b, "]");
        return;
    }
    for (int i = 0; i < j->n; i++)
        finish_rows(
                j->out + (size_t)i * sm->dim, q->dims, q->normalize || j->route == R_SIMILARITY);
    if (j->route == R_SIMILARITY) { /* cosine of each sentence with the source */
        sb_puts(b, "[");
        for (int i = 1; i < j->n; i++) {
            double d = 0;
            for (int k = 0; k < q->dims; k++)
                d += (double)j->out[k] * j->out[(size_t)i * sm->dim + k];
            if (i > 1) sb_puts(b, ",");
            sb_float(b, (float)d);
        }
        sb_puts(b, "]");
        return;
    }
    (void)s;
    if (!q->openai) {
        sb_puts(b, "[");
        for (int i = 0; i < j->n; i++) {
            if (i) sb_puts(b, ",");
            sb_floats(b, j->out + (size_t)i * sm->dim, q->dims);
        }
        sb_puts(b, "]");
        return;
    }
    long long tokens = 0;
    sb_puts(b, "{\"object\":\"list\",\"data\":[");
    for (int i = 0; i < j->n; i++) {
        tokens += j->ntok[i];
        sb_puts(b,
                i ? ",{\"object\":\"embedding\",\"embedding\":"
                  : "{\"object\":\"embedding\",\"embedding\":");
        const float *x = j->out + (size_t)i * sm->dim;
        if (q->b64) sb_base64(b, x, sizeof(float) * (size_t)q->dims);
        else sb_floats(b, x, q->dims);
        sb_printf(b, ",\"index\":%d}", i);
    }
    sb_puts(b, "],\"model\":");
    sb_str(b, sm->name, strlen(sm->name));
    sb_printf(b, ",\"usage\":{\"prompt_tokens\":%lld,\"total_tokens\":%lld}}", tokens, tokens);
}

/* ---- /rerank ---- */
static int route_rerank(srv *s, cJSON *js, srv_reply *rep, srv_job **job) {
    const char *mname = get_str(js, "model");
    srv_model *sm = g_bad ? NULL : find_model(s, mname, 1);
    if (!sm || sm->labels != 1) {
        srv_error(rep, g_bad ? 422 : 404, "Validation",
                g_bad        ? "`model` must be a string"
                        : sm ? "the model is not a one-label cross-encoder"
                             : "no reranker (a cross-encoder folder) of that name");
        return 1;
    }
    const char *query = get_str(js, "query");
    if (g_bad || !query) {
        srv_error(rep, 422, "Validation", "`query` must be a string");
        return 1;
    }
    cJSON **items = NULL;
    int n = strings(s, cJSON_GetObjectItemCaseSensitive(js, "texts"), "texts", &items, rep);
    if (n < 0) return 1;
    int raw = get_bool(js, "raw_scores", 0), text = get_bool(js, "return_text", 0);
    get_bool(js, "truncate", 1); /* pairs are cut longest first to max_seq, as CrossEncoder */
    const char *dir = get_str(js, "truncation_direction");
    if (g_bad || (dir && strcmp(dir, "Right") && strcmp(dir, "right"))) {
        srv_error(rep, 422, "Validation", "`%s` has the wrong type or value",
                g_bad ? g_bad : "truncation_direction");
        free(items);
        return 1;
    }
    srv_job *j = make_job(s, JOB_SCORE, sm, items, n, NULL, 1, rep);
    free(items);
    if (!j) return 1;
    req *q = calloc(1, sizeof *q);
    j->out = malloc(sizeof(float) * (size_t)n);
    j->query = strdup(query);
    if (!q || !j->out || !j->query) {
        free(q);
        srv_job_free(j);
        srv_error(rep, 503, "Overloaded", "out of memory");
        return 1;
    }
    j->qlen = strlen(query);
    for (int i = 0; i < n; i++) j->ntok[i] = 1;
    q->raw = raw;
    q->return_text = text;
    j->req = q;
    j->route = R_RERANK;
    *job = j;
    return 0;
}

static const float *g_sc;
static int by_score(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    if (g_sc[x] != g_sc[y]) return g_sc[x] > g_sc[y] ? -1 : 1;
    return x < y ? -1 : x > y;
}
static pthread_mutex_t g_sort_mu = PTHREAD_MUTEX_INITIALIZER;

static void finish_rerank(srv_job *j, srv_reply *rep) {
    req *q = j->req;
    int *ord = malloc(sizeof(int) * (size_t)j->n);
    if (!ord) {
        srv_error(rep, 503, "Overloaded", "out of memory");
        return;
    }
    for (int i = 0; i < j->n; i++) {
        ord[i] = i;
        if (!q->raw) j->out[i] = (float)(1 / (1 + exp(-(double)j->out[i])));
    }
    pthread_mutex_lock(&g_sort_mu);
    g_sc = j->out;
    qsort(ord, (size_t)j->n, sizeof(int), by_score);
    pthread_mutex_unlock(&g_sort_mu);
    ok(rep);
    sb_puts(&rep->body, "[");
    for (int r = 0; r < j->n; r++) {
        int i = ord[r];
        sb_printf(&rep->body, "%s{\"index\":%d,\"score\":", r ? "," : "", i);
        sb_float(&rep->body, j->out[i]);
        if (q->return_text) {
            sb_puts(&rep->body, ",\"text\":");
            sb_str(&rep->body, j->texts[i], j->lens[i]);
        }
        sb_puts(&rep->body, "}");
    }
    sb_puts(&rep->body, "]");
    free(ord);
}

/* ---- /tokenize ---- */
static int route_tokenize(srv *s, cJSON *js, srv_reply *rep) {
    const char *mname = get_str(js, "model");
    srv_model *sm = g_bad ? NULL : any_model(s, mname);
    if (!sm || !sm->tok) {
        srv_error(rep, g_bad ? 422 : 404, "Validation",
                sm ? "the model folder has no tokenizer.json" : "no model of that name");
        return 1;
    }
    cJSON **items = NULL;
    int n = strings(s, cJSON_GetObjectItemCaseSensitive(js, "inputs"), "inputs", &items, rep);
    if (n < 0) return 1;
    int special = get_bool(js, "add_special_tokens", 1);
    const char *pname = get_str(js, "prompt_name");
    const char *prompt = pname ? lt_bert_prompt(sm->m, pname) : NULL;
    if (g_bad || (pname && !prompt)) {
        srv_error(rep, 422, "Validation",
                g_bad ? "`%s` has the wrong type" : "the model has no prompt named \"%s\"",
                g_bad ? g_bad : pname);
        free(items);
        return 1;
    }
    lt_encoding e = { 0 };
    size_t pl = prompt ? strlen(prompt) : 0;
    char *buf = NULL;
    ok(rep);
    sb_puts(&rep->body, "[");
    for (int i = 0; i < n; i++) {
        const char *t = items[i]->valuestring;
        size_t tl = strlen(t);
        char *nb = realloc(buf, pl + tl + 1);
        if (!nb) {
            srv_error(rep, 503, "Overloaded", "out of memory");
            break;
        }
        buf = nb;
        memcpy(buf, prompt ? prompt : "", pl);
        memcpy(buf + pl, t, tl + 1);
        if (lt_tokenizer_encode(sm->tok, buf, pl + tl, NULL, 0, special, 0, &e)) {
            srv_error(rep, 422, "Tokenizer", "input %d: %s", i, lt_errmsg());
            break;
        }
        sb_puts(&rep->body, i ? ",[" : "[");
        for (int k = 0; k < e.n; k++) {
            int a = e.offsets[2 * k], z = e.offsets[2 * k + 1];
            sb_printf(&rep->body, "%s{\"id\":%d,\"text\":", k ? "," : "", e.ids[k]);
            if (e.special[k] || z <= a) {
                const char *tk = lt_tokenizer_token(sm->tok, e.ids[k]);
                sb_str(&rep->body, tk ? tk : "", tk ? strlen(tk) : 0);
            } else sb_str(&rep->body, buf + a, (size_t)(z - a));
            sb_printf(&rep->body, ",\"special\":%s,\"start\":%d,\"stop\":%d}",
                    e.special[k] ? "true" : "false", e.special[k] ? 0 : a, e.special[k] ? 0 : z);
        }
        sb_puts(&rep->body, "]");
    }
    if (rep->status == 200) sb_puts(&rep->body, "]");
    free(buf);
    free(items);
    lt_encoding_free(&e);
    return 1;
}

/* ---- /decode: {"ids": [int] or [[int]], "skip_special_tokens"} -> [string] ---- */
static int route_decode(srv *s, cJSON *js, srv_reply *rep) {
    const char *mname = get_str(js, "model");
    srv_model *sm = g_bad ? NULL : any_model(s, mname);
    int skip = get_bool(js, "skip_special_tokens", 1);
    cJSON *ids = cJSON_GetObjectItemCaseSensitive(js, "ids");
    if (!sm || !sm->tok || g_bad) {
        srv_error(rep, g_bad ? 422 : 404, "Validation", "%s",
                g_bad        ? "a field has the wrong type"
                        : sm ? "the model folder has no tokenizer.json"
                             : "no model of that name");
        return 1;
    }
    int n = cJSON_IsArray(ids) ? cJSON_GetArraySize(ids) : -1;
    int batch = n > 0 && cJSON_IsArray(cJSON_GetArrayItem(ids, 0));
    if (n <= 0 || (batch ? n : 1) > s->max_inputs) {
        srv_error(rep, n > 0 ? 413 : 422, "Validation",
                "`ids` must be a non-empty array of ids, or of arrays of ids (at most %d)",
                s->max_inputs);
        return 1;
    }
    ok(rep);
    sb_puts(&rep->body, "[");
    int32_t *v = NULL;
    for (int r = 0; r < (batch ? n : 1); r++) {
        cJSON *row = batch ? cJSON_GetArrayItem(ids, r) : ids, *e;
        int m = cJSON_IsArray(row) ? cJSON_GetArraySize(row) : -1, k = 0;
        int32_t *nv = m >= 0 ? realloc(v, sizeof(int32_t) * (size_t)(m ? m : 1)) : NULL;
        if (nv) v = nv;
        if (nv) cJSON_ArrayForEach(e, row) {
                if (!cJSON_IsNumber(e) || e->valuedouble != (double)(int32_t)e->valuedouble) break;
                v[k++] = (int32_t)e->valuedouble;
            }
        char *text;
        size_t tl;
        if (!nv || k != m) {
            srv_error(rep, 422, "Validation", "`ids%s` must hold integer token ids",
                    batch ? "[i]" : "");
            break;
        }
        if (lt_tokenizer_decode(sm->tok, v, m, skip, &text, &tl)) {
            srv_error(rep, 422, "Tokenizer", "%s", lt_errmsg());
            break;
        }
        if (r) sb_puts(&rep->body, ",");
        sb_str(&rep->body, text, tl);
        lt_free(text);
    }
    free(v);
    if (rep->status == 200) sb_puts(&rep->body, "]");
    return 1;
}

/* ---- /info, /v1/models ---- */
static void route_info(srv *s, srv_reply *rep) {
    sbuf *b = &rep->body;
    ok(rep);
    const srv_model *m0 = s->n_models ? s->models : NULL;
    sb_puts(b, "{\"model_id\":");
    sb_str(b, m0 ? m0->dir : "", m0 ? strlen(m0->dir) : 0);
    sb_puts(b, ",\"model_sha\":null,\"model_dtype\":\"float32\",\"model_type\":");
    if (!m0) sb_puts(b, "null");
    else if (m0->labels) sb_printf(b, "{\"reranker\":{\"id2label\":{\"0\":\"LABEL_0\"}}}");
    else
        sb_printf(
                b, "{\"embedding\":{\"pooling\":\"%s\"}}", lt_pooling_name(lt_bert_pooling(m0->m)));
    sb_printf(b,
            ",\"max_concurrent_requests\":%d,\"max_input_length\":%d,\"max_batch_tokens\":%d,"
            "\"max_batch_requests\":%d,\"max_client_batch_size\":%d,\"tokenization_workers\":%d,"
            "\"version\":\"%s\",\"models\":[",
            s->max_concurrent, m0 ? m0->max_seq : 0, s->max_batch_tokens, s->max_batch_inputs,
            s->max_inputs, s->threads, LT_VERSION);
    for (int i = 0; i < s->n_models; i++) {
        const srv_model *m = &s->models[i];
        sb_puts(b, i ? ",{\"name\":" : "{\"name\":");
        sb_str(b, m->name, strlen(m->name));
        sb_puts(b, ",\"dir\":");
        sb_str(b, m->dir, strlen(m->dir));
        sb_printf(b,
                ",\"kind\":\"%s\",\"dim\":%d,\"max_seq\":%d,\"pooling\":\"%s\",\"normalize\":%s}",
                m->labels ? "reranker" : "embedding", m->dim, m->max_seq,
                lt_pooling_name(lt_bert_pooling(m->m)), m->normalizes ? "true" : "false");
    }
    sb_puts(b, "],\"vectors\":[");
    for (int i = 0; i < s->n_vectors; i++) {
        const srv_vectors *v = &s->vectors[i];
        sb_puts(b, i ? ",{\"name\":" : "{\"name\":");
        sb_str(b, v->name, strlen(v->name));
        sb_printf(b, ",\"rows\":%lld,\"dim\":%lld}", (long long)v->v->n, (long long)v->v->d);
    }
    sb_puts(b, "],\"indexes\":[");
    for (int i = 0; i < s->n_indexes; i++) {
        srv_index *x = &s->indexes[i];
        pthread_mutex_lock(&x->wmu);
        lt_hnsw_info in = lt_hnsw_get_info(x->h);
        pthread_mutex_unlock(&x->wmu);
        sb_puts(b, i ? ",{\"name\":" : "{\"name\":");
        sb_str(b, x->name, strlen(x->name));
        sb_printf(b, ",\"count\":%lld,\"dim\":%lld,\"metric\":\"%s\",\"writable\":%s}",
                (long long)in.count, (long long)in.d, lt_metric_name(in.metric),
                x->journal ? "true" : "false");
    }
    sb_puts(b, "]}");
}

static void route_models(srv *s, srv_reply *rep) {
    ok(rep);
    sb_puts(&rep->body, "{\"object\":\"list\",\"data\":[");
    int k = 0;
    for (int i = 0; i < s->n_models; i++) {
        if (s->models[i].labels) continue;
        sb_puts(&rep->body, k++ ? ",{\"id\":" : "{\"id\":");
        sb_str(&rep->body, s->models[i].name, strlen(s->models[i].name));
        sb_printf(&rep->body, ",\"object\":\"model\",\"created\":%lld,\"owned_by\":\"latent\"}",
                (long long)s->started);
    }
    sb_puts(&rep->body, "]}");
}

/* ---- search ---- */
static int label_ok(const req *q, const srv_vectors *lab, int64_t id) {
    if (!q->prefix) return 1;
    if (!lab || !lab->v->labels || id < 0 || id >= lab->v->n) return 0;
    return !strncmp(lab->v->labels[id], q->prefix, strlen(q->prefix));
}
static int pred(int64_t id, void *ud) {
    const req *q = ud;
    return label_ok(q, q->ix ? q->ix->labels : q->vs, id);
}

static void put_hits(sbuf *b, const srv_vectors *lab, const int64_t *I, const float *D, int k,
        const char *score) {
    sb_puts(b, "[");
    int r = 0;
    for (int i = 0; i < k; i++) {
        if (I[i] < 0) continue;
        sb_printf(b, "%s{\"id\":%lld", r++ ? "," : "", (long long)I[i]);
        if (lab && lab->v->labels && I[i] < lab->v->n) {
            sb_puts(b, ",\"label\":");
            sb_str(b, lab->v->labels[I[i]], strlen(lab->v->labels[I[i]]));
        }
        sb_printf(b, ",\"%s\":", score);
        sb_float(b, D[i]);
        sb_puts(b, "}");
    }
    sb_puts(b, "]");
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* nq queries (rows of Q, stride ld) against the request's index or vector set */
static void do_search(srv *s, req *q, const float *Q, int64_t nq, int64_t ld, srv_reply *rep) {
    int k = q->k;
    float *D = malloc(sizeof(float) * (size_t)(nq * k));
    int64_t *I = malloc(sizeof(int64_t) * (size_t)(nq * k));
    if (!D || !I) {
        free(D);
        free(I);
        srv_error(rep, 503, "Overloaded", "out of memory");
        return;
    }
    int rc = LT_OK;
    const lt_filter *f = q->allow || q->prefix ? &q->filt : NULL;
    if (q->ix) {
        for (int64_t i = 0; rc == LT_OK && i < nq; i++)
            rc = lt_hnsw_search(
                    q->ix->h, Q + i * ld, k, q->ef > k ? q->ef : k, f, D + i * k, I + i * k);
    } else if (!f) rc = lt_knn_exact(q->vs->v, Q, nq, ld, k, LT_METRIC_COS, 1, D, I);
    else /* exact over the rows the filter lets through */
        for (int64_t i = 0; i < nq; i++) {
            const float *x = Q + i * ld;
            double nx = 0;
            for (int64_t c = 0; c < q->vs->v->d; c++) nx += (double)x[c] * x[c];
            nx = nx > 0 ? 1 / sqrt(nx) : 0;
            float *Di = D + i * k;
            int64_t *Ii = I + i * k;
            for (int r = 0; r < k; r++) Di[r] = INFINITY, Ii[r] = -1;
            int64_t n = q->allow ? q->filt.n_allow : q->vs->v->n;
            for (int64_t r = 0; r < n; r++) {
                int64_t id = q->allow ? q->allow[r] : r;
                if (id < 0 || id >= q->vs->v->n || !label_ok(q, q->vs, id)) continue;
                const float *y = lt_vecs_row(q->vs->vn, id);
                double dot = 0;
                for (int64_t c = 0; c < q->vs->v->d; c++) dot += (double)x[c] * y[c];
                float dist = (float)(1 - dot * nx);
                int p = k;
                while (p > 0 && (Di[p - 1] > dist || (Di[p - 1] == dist && Ii[p - 1] > id))) p--;
                if (p >= k) continue;
                memmove(Di + p + 1, Di + p, sizeof(float) * (size_t)(k - p - 1));
                memmove(Ii + p + 1, Ii + p, sizeof(int64_t) * (size_t)(k - p - 1));
                Di[p] = dist;
                Ii[p] = id;
            }
        }
    if (rc) srv_error(rep, 500, "Backend", "search: %s", lt_errmsg());
    else {
        ok(rep);
        sb_puts(&rep->body, "[");
        for (int64_t i = 0; i < nq; i++) {
            if (i) sb_puts(&rep->body, ",");
            put_hits(
                    &rep->body, q->ix ? q->ix->labels : q->vs, I + i * k, D + i * k, k, "distance");
        }
        sb_puts(&rep->body, "]");
    }
    (void)s;
    free(D);
    free(I);
}

/* an array of n rows of d finite floats into a new buffer */
static float *rows_of(cJSON *a, int64_t d, int *n, srv_reply *rep, int max) {
    int m = cJSON_IsArray(a) ? cJSON_GetArraySize(a) : -1;
    if (m <= 0 || m > max) {
        srv_error(rep, m > max ? 413 : 422, "Validation",
                "`vectors` must be a non-empty array of at most %d arrays of numbers", max);
        return NULL;
    }
    float *x = malloc(sizeof(float) * (size_t)m * (size_t)d);
    if (!x) {
        srv_error(rep, 503, "Overloaded", "out of memory");
        return NULL;
    }
    int i = 0;
    cJSON *row;
    cJSON_ArrayForEach(row, a) {
        if (!cJSON_IsArray(row) || cJSON_GetArraySize(row) != d) {
            srv_error(rep, 422, "Validation", "`vectors[%d]` must have %lld numbers", i,
                    (long long)d);
            free(x);
            return NULL;
        }
        int c = 0;
        cJSON *e;
        cJSON_ArrayForEach(e, row) {
            if (!cJSON_IsNumber(e) || !isfinite(e->valuedouble) || fabs(e->valuedouble) > 3e38) {
                srv_error(rep, 422, "Validation", "`vectors[%d][%d]` is not a finite number", i, c);
                free(x);
                return NULL;
            }
            x[(size_t)i * d + c++] = (float)e->valuedouble;
        }
        i++;
    }
    *n = m;
    return x;
}

static int route_search(srv *s, cJSON *js, int route, srv_reply *rep, srv_job **job) {
    const char *name = get_str(js, "index");
    req q0 = { 0 };
    q0.ix = find_index(s, name);
    q0.vs = q0.ix || route == R_INDEX_ADD ? NULL : find_vectors(s, name);
    if (g_bad || (!q0.ix && !q0.vs)) {
        srv_error(rep, g_bad ? 422 : 404, "Validation",
                g_bad                          ? "`index` must be a string"
                        : route == R_INDEX_ADD ? "no index of that name"
                                               : "no index or vector set of that name");
        return 1;
    }
    int64_t d = q0.ix ? lt_hnsw_get_info(q0.ix->h).d : q0.vs->v->d;
    q0.k = (int)get_int(js, "k", 10, 1, s->max_k);
    q0.ef = (int)get_int(js, "ef", 64, 1, s->max_ef);
    const char *mname = get_str(js, "model");
    if (g_bad) {
        srv_error(rep, 422, "Validation",
                "`%s` has the wrong type or is out of range (k <= %d, ef <= %d)", g_bad, s->max_k,
                s->max_ef);
        return 1;
    }
    cJSON *filt = cJSON_GetObjectItemCaseSensitive(js, "filter");
    if (filt && !cJSON_IsNull(filt)) {
        cJSON *ids = cJSON_IsObject(filt) ? cJSON_GetObjectItemCaseSensitive(filt, "ids") : NULL;
        const char *pre = cJSON_IsObject(filt) ? get_str(filt, "label_prefix") : NULL;
        int ni = ids && cJSON_IsArray(ids) ? cJSON_GetArraySize(ids) : -1;
        if (!cJSON_IsObject(filt) || g_bad || (ids && ni < 0) || (!ids && !pre)) {
            srv_error(rep, 422, "Validation",
                    "`filter` must be {\"ids\": [int]} and/or {\"label_prefix\": string}");
            return 1;
        }
        if (ids) {
            q0.allow = malloc(sizeof(int64_t) * (size_t)(ni ? ni : 1));
            int i = 0;
            cJSON *e;
            cJSON_ArrayForEach(e, ids) {
                if (!q0.allow || !cJSON_IsNumber(e) || e->valuedouble < 0 ||
                        e->valuedouble > 9e15 || e->valuedouble != floor(e->valuedouble)) {
                    req_clear(&q0);
                    srv_error(rep, 422, "Validation", "`filter.ids` must be ids (integers >= 0)");
                    return 1;
                }
                q0.allow[i++] = (int64_t)e->valuedouble;
            }
            qsort(q0.allow, (size_t)ni, sizeof(int64_t), cmp_i64);
            q0.filt.allow = q0.allow;
            q0.filt.n_allow = ni;
        }
        if (pre) {
            q0.prefix = strdup(pre);
            q0.filt.pred = pred;
        }
    }
    cJSON *vecs = cJSON_GetObjectItemCaseSensitive(js, "vectors");
    cJSON *texts = cJSON_GetObjectItemCaseSensitive(js, "texts");
    if (route == R_INDEX_ADD) {
        cJSON *ids = cJSON_GetObjectItemCaseSensitive(js, "ids");
        int ni = ids && cJSON_IsArray(ids) ? cJSON_GetArraySize(ids) : -1;
        int nv = vecs                           ? cJSON_GetArraySize(vecs)
                : texts && cJSON_IsArray(texts) ? cJSON_GetArraySize(texts)
                : texts                         ? 1
                                                : -1;
        if (ni < 0 || ni != nv) {
            req_clear(&q0);
            srv_error(rep, 422, "Validation",
                    "`ids` must be an array of as many ids as `vectors` (or `texts`)");
            return 1;
        }
        q0.add_ids = malloc(sizeof(int64_t) * (size_t)(ni ? ni : 1));
        int i = 0;
        cJSON *e;
        cJSON_ArrayForEach(e, ids) {
            if (!q0.add_ids || !cJSON_IsNumber(e) || e->valuedouble < 0 || e->valuedouble > 9e15 ||
                    e->valuedouble != floor(e->valuedouble)) {
                req_clear(&q0);
                srv_error(rep, 422, "Validation", "`ids[%d]` must be an integer >= 0", i);
                return 1;
            }
            q0.add_ids[i++] = (int64_t)e->valuedouble;
        }
        q0.n_add = ni;
    }
    if (!vecs == !texts) {
        req_clear(&q0);
        srv_error(
                rep, 422, "Validation", "give `vectors` (arrays of numbers) or `texts`, not both");
        return 1;
    }
    if (vecs) { /* answered now */
        int n = 0;
        float *Q = rows_of(vecs, d, &n, rep, s->max_inputs);
        req *q = &q0;
        if (q->allow || q->prefix) q->filt.ud = q;
        if (Q && route == R_INDEX_ADD) {
            srv_job tmp = { 0 };
            tmp.route = R_INDEX_ADD;
            tmp.req = q;
            tmp.out = Q;
            tmp.n = n;
            srv_finish(s, &tmp, rep); /* the same path as texts, below */
        } else if (Q) do_search(s, q, Q, n, d, rep);
        free(Q);
        req_clear(&q0);
        return 1;
    }
    srv_model *sm = find_model(s, mname, 0);
    if (!sm || sm->labels || sm->dim != d) {
        req_clear(&q0);
        srv_error(rep, 422, "Validation",
                !sm || sm->labels ? "`texts` need an embedding model (`model`, or load one)"
                                  : "the model's dimension differs from the index's");
        return 1;
    }
    cJSON **items = NULL;
    int n = strings(s, texts, "texts", &items, rep);
    srv_job *j = n < 0 ? NULL : make_job(s, JOB_EMBED, sm, items, n, NULL, 1, rep);
    free(items);
    req *q = j ? calloc(1, sizeof *q) : NULL;
    if (j && (!q || !(j->out = malloc(sizeof(float) * (size_t)n * sm->dim)))) {
        srv_error(rep, 503, "Overloaded", "out of memory");
        free(q);
        srv_job_free(j);
        j = NULL;
    }
    if (!j) {
        req_clear(&q0);
        return 1;
    }
    *q = q0;
    if (q->allow || q->prefix) q->filt.ud = q;
    q->normalize = sm->normalizes;
    q->dims = sm->dim;
    j->req = q;
    j->route = route;
    *job = j;
    return 0;
}

/* A checkpoint every 4,096 journal records. The records are on disk already, so a checkpoint
 * that fails (a full disk) does not fail the request: the journal keeps them, and the next try
 * waits for another 4,096. */
static void checkpoint_now(srv_index *ix) {
    if (ix->pending < ix->next_checkpoint) return;
    if (srv_journal_checkpoint(ix)) ix->next_checkpoint = ix->pending + 4096;
    else ix->next_checkpoint = 4096;
}

/* /index/add (vectors, or texts once embedded) and /index/delete, written through the journal */
static void index_add(srv *s, srv_job *j, srv_reply *rep) {
    req *q = j->req;
    srv_index *ix = q->ix;
    int64_t d = lt_hnsw_get_info(ix->h).d;
    if (!ix->journal) {
        srv_error(rep, 403, "ReadOnly", "index %s is served read-only (--read-only)", ix->name);
        return;
    }
    pthread_mutex_lock(&ix->wmu);
    int rc = LT_OK, i = 0;
    for (; rc == LT_OK && i < j->n; i++) {
        rc = srv_journal_add(ix, q->add_ids[i], j->out + (size_t)i * d);
        if (rc == LT_OK) rc = lt_hnsw_add(ix->h, j->out + (size_t)i * d, q->add_ids[i]);
    }
    if (rc == LT_OK) rc = srv_journal_sync(ix);
    if (rc == LT_OK) checkpoint_now(ix);
    pthread_mutex_unlock(&ix->wmu);
    if (rc) srv_error(rep, 500, "Backend", "index %s: %s", ix->name, lt_errmsg());
    else {
        ok(rep);
        sb_printf(&rep->body, "{\"added\":%d,\"count\":%lld}", j->n,
                (long long)lt_hnsw_get_info(ix->h).count);
    }
    (void)s;
}

static int route_delete(srv *s, cJSON *js, srv_reply *rep) {
    const char *name = get_str(js, "index");
    srv_index *ix = g_bad ? NULL : find_index(s, name);
    cJSON *ids = cJSON_GetObjectItemCaseSensitive(js, "ids");
    if (!ix || !ids || !cJSON_IsArray(ids)) {
        srv_error(rep, ix ? 422 : 404, "Validation",
                ix ? "`ids` must be an array of ids" : "no index of that name");
        return 1;
    }
    if (!ix->journal) {
        srv_error(rep, 403, "ReadOnly", "index %s is served read-only (--read-only)", ix->name);
        return 1;
    }
    cJSON *e;
    cJSON_ArrayForEach(e, ids) if (!cJSON_IsNumber(e) || e->valuedouble < 0 ||
            e->valuedouble > 9e15 || e->valuedouble != floor(e->valuedouble)) {
        srv_error(rep, 422, "Validation", "`ids` must be integers >= 0");
        return 1;
    }
    int deleted = 0, rc = LT_OK;
    sbuf missing = { 0 };
    pthread_mutex_lock(&ix->wmu);
    cJSON_ArrayForEach(e, ids) {
        int64_t id = (int64_t)e->valuedouble;
        if (!lt_hnsw_vector(ix->h, id)) {
            sb_printf(&missing, "%s%lld", missing.n ? "," : "", (long long)id);
            continue;
        }
        if ((rc = srv_journal_delete(ix, id)) || (rc = lt_hnsw_delete(ix->h, id))) break;
        deleted++;
    }
    if (rc == LT_OK && deleted) rc = srv_journal_sync(ix);
    if (rc == LT_OK) checkpoint_now(ix);
    pthread_mutex_unlock(&ix->wmu);
    if (rc) srv_error(rep, 500, "Backend", "index %s: %s", ix->name, lt_errmsg());
    else {
        ok(rep);
        sb_printf(&rep->body, "{\"deleted\":%d,\"missing\":[%s],\"count\":%lld}", deleted,
                missing.p ? missing.p : "", (long long)lt_hnsw_get_info(ix->h).count);
    }
    sb_free(&missing);
    return 1;
}

/* GET /similar?word=W&k=10&vectors=NAME: as `latent similar VECS W -k 10` */
static void route_similar(srv *s, const char *const *args, srv_reply *rep) {
    const char *w = arg(args, "word"), *ks = arg(args, "k");
    srv_vectors *vs = find_vectors(s, arg(args, "vectors"));
    long k = ks ? strtol(ks, NULL, 10) : 10;
    if (!vs || !w || k < 1 || k > s->max_k) {
        srv_error(rep, vs ? 422 : 404, "Validation",
                vs ? "give ?word=W (and k between 1 and %d)" : "no vector set of that name",
                s->max_k);
        return;
    }
    int64_t id = lt_vecs_find(vs->v, w);
    if (id < 0) {
        srv_error(rep, 404, "Validation", "word not in the vectors");
        return;
    }
    int64_t ids[4096];
    float sc[4096];
    if (k > 4096) k = 4096;
    const float *x = lt_vecs_row(vs->vn, id);
    int n = lt_nearest(vs->vn, x, (int)k, 0, &id, 1, ids, sc);
    if (n < 0) {
        srv_error(rep, 500, "Backend", "%s", lt_errmsg());
        return;
    }
    ok(rep);
    put_hits(&rep->body, vs, ids, sc, n, "similarity");
}

/* GET /vectors/{label}?vectors=NAME */
static void route_vector(srv *s, const char *label, const char *const *args, srv_reply *rep) {
    srv_vectors *vs = find_vectors(s, arg(args, "vectors"));
    int64_t id = vs ? lt_vecs_find(vs->v, label) : -1;
    if (id < 0) {
        srv_error(rep, 404, "Validation", vs ? "no such label" : "no vector set of that name");
        return;
    }
    ok(rep);
    sb_printf(&rep->body, "{\"id\":%lld,\"label\":", (long long)id);
    sb_str(&rep->body, label, strlen(label));
    sb_puts(&rep->body, ",\"vector\":");
    sb_floats(&rep->body, lt_vecs_row(vs->v, id), (int)vs->v->d);
    sb_puts(&rep->body, "}");
}

void srv_finish(srv *s, srv_job *j, srv_reply *rep) {
    if (j->rc)
        srv_error(rep, j->status ? j->status : 500, j->status == 503 ? "Unhealthy" : "Backend",
                "%s", j->err);
    else switch (j->route) {
        case R_RERANK: finish_rerank(j, rep); break;
        case R_SEARCH: {
            req *q = j->req;
            for (int i = 0; i < j->n; i++)
                finish_rows(j->out + (size_t)i * j->sm->dim, j->sm->dim, q->normalize);
            do_search(s, q, j->out, j->n, j->sm->dim, rep);
            break;
        }
        case R_INDEX_ADD:
            for (int i = 0; j->sm && i < j->n; i++) /* texts: as `latent embed` writes them */
                finish_rows(
                        j->out + (size_t)i * j->sm->dim, j->sm->dim, ((req *)j->req)->normalize);
            index_add(s, j, rep);
            break;
        default: finish_embed(s, j, rep);
        }
    if (rep->body.oom) srv_error(rep, 503, "Overloaded", "out of memory for the response");
}

/* the routes that take a JSON body */
static const struct {
    const char *path;
    int route;
} posts[] = { { "/embed", R_EMBED }, { "/embed_all", R_EMBED_ALL }, { "/rerank", R_RERANK },
    { "/similarity", R_SIMILARITY }, { "/v1/embeddings", R_OPENAI }, { "/search", R_SEARCH },
    { "/index/add", R_INDEX_ADD }, { "/tokenize", 100 }, { "/index/delete", 101 },
    { "/decode", 102 } };

int srv_route(srv *s, const char *method, const char *path, const char *const *args,
        const char *body, size_t len, srv_reply *rep, srv_job **job) {
    *job = NULL;
    rep->status = 0;
    rep->type = "application/json";
    int get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
    if (get) {
        if (!strcmp(path, "/health")) {
            ok(rep);
            sb_puts(&rep->body, "{}");
        } else if (!strcmp(path, "/info")) route_info(s, rep);
        else if (!strcmp(path, "/v1/models")) route_models(s, rep);
        else if (!strcmp(path, "/metrics")) {
            ok(rep);
            rep->type = "text/plain; version=0.0.4";
            srv_metrics_text(s, &rep->body);
        } else if (!strcmp(path, "/similar")) route_similar(s, args, rep);
        else if (!strcmp(path, "/") || !strcmp(path, "/view.js")) srv_view_page(rep, path[1] != 0);
        else if (!strcmp(path, "/map")) {
            srv_vectors *vs = find_vectors(s, arg(args, "vectors"));
            if (vs) srv_view_map(s, vs, rep);
            else srv_error(rep, 404, "Validation", "no vector set of that name");
        } else if (!strncmp(path, "/vectors/", 9) && path[9]) route_vector(s, path + 9, args, rep);
        else {
            int post_only = 0;
            for (size_t i = 0; i < sizeof posts / sizeof *posts; i++)
                post_only |= !strcmp(path, posts[i].path);
            srv_error(rep, post_only ? 405 : 404, "Validation", "%s %s: %s", method, path,
                    post_only ? "use POST" : "no such route");
        }
        return 1;
    }
    int route = 0;
    for (size_t i = 0; i < sizeof posts / sizeof *posts; i++)
        if (!strcmp(path, posts[i].path)) route = posts[i].route;
    if (!route || strcmp(method, "POST")) {
        srv_error(rep, route ? 405 : 404, "Validation", "%s %s: %s", method, path,
                route ? "use POST" : "no such route");
        return 1;
    }
    if ((route == R_INDEX_ADD || route == 101) && s->read_only) {
        srv_error(rep, 403, "ReadOnly", "the server is read-only (--read-only)");
        return 1;
    }
    cJSON *js = body ? cJSON_ParseWithLength(body, len) : NULL;
    if (!js || !cJSON_IsObject(js)) {
        const char *e = js ? NULL : cJSON_GetErrorPtr();
        if (route == R_OPENAI)
            oa_error(rep, 400, "invalid_request_error",
                    js ? "the body must be a JSON object" : "the body is not valid JSON");
        else if (js) srv_error(rep, 422, "Validation", "the body must be a JSON object");
        else
            srv_error(rep, 400, "Validation", "the body is not valid JSON (byte %lld)",
                    body && e && e >= body && e <= body + len ? (long long)(e - body) : 0LL);
        cJSON_Delete(js);
        return 1;
    }
    g_bad = NULL;
    int done = route == 102                             ? route_decode(s, js, rep)
            : route == 100                              ? route_tokenize(s, js, rep)
            : route == 101                              ? route_delete(s, js, rep)
            : route == R_RERANK                         ? route_rerank(s, js, rep, job)
            : route == R_SEARCH || route == R_INDEX_ADD ? route_search(s, js, route, rep, job)
                                                        : route_embed(s, js, route, rep, job);
    if (*job) ((req *)(*job)->req)->json = js; /* the strings it points into live as long */
    else cJSON_Delete(js);
    if (done && rep->body.oom) srv_error(rep, 503, "Overloaded", "out of memory for the response");
    return done;
}
