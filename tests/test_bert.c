/* BERT encoders against the Hugging Face fixtures: identical token ids (truncated and not)
 * and embeddings within 1e-5 max-abs / cosine >= 0.99999 of transformers' f32 output, in
 * both the HF and sentence-transformers layouts; bad model folders fail cleanly. */
#include "test.h"
#include <cjson/cJSON.h>

#define FX "tests/fixtures/bert-fixtures"
static const char *models[] = { "tiny-bert-mean", "tiny-bert-cls", "tiny-bert-cased" };

static cJSON *load_json(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    size_t got = fread(b, 1, (size_t)n, f);
    fclose(f);
    b[got] = 0;
    cJSON *j = cJSON_Parse(b);
    free(b);
    return j;
}

/* sentences.json with exact byte lengths (cJSON's strings stop at an escaped NUL) */
static int sentences(char ***out, size_t **lens) {
    FILE *f = fopen(FX "/sentences.json", "rb");
    if (!f) return 0;
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char **ss = calloc(64, sizeof(char *));
    size_t *ls = calloc(64, sizeof(size_t));
    int cnt = 0;
    for (char *p = strchr(buf, '['); p && *p && cnt < 64;) {
        p = strchr(p, '"');
        if (!p) break;
        p++;
        char *o = malloc(4096);
        size_t k = 0;
        while (*p && *p != '"') {
            if (*p != '\\') {
                o[k++] = *p++;
                continue;
            }
            p++;
            char c = *p++;
            if (c == 'n') o[k++] = '\n';
            else if (c == 't') o[k++] = '\t';
            else if (c == 'r') o[k++] = '\r';
            else if (c == 'b') o[k++] = '\b';
            else if (c == 'f') o[k++] = '\f';
            else if (c == 'u') {
                unsigned cp = (unsigned)strtoul((char[5]){ p[0], p[1], p[2], p[3], 0 }, NULL, 16);
                p += 4;
                if (cp >= 0xD800 && cp < 0xDC00 && p[0] == '\\' && p[1] == 'u') {
                    unsigned lo =
                            (unsigned)strtoul((char[5]){ p[2], p[3], p[4], p[5], 0 }, NULL, 16);
                    p += 6;
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                }
                if (cp < 0x80) o[k++] = (char)cp;
                else if (cp < 0x800) {
                    o[k++] = (char)(0xC0 | cp >> 6);
                    o[k++] = (char)(0x80 | (cp & 63));
                } else if (cp < 0x10000) {
                    o[k++] = (char)(0xE0 | cp >> 12);
                    o[k++] = (char)(0x80 | ((cp >> 6) & 63));
                    o[k++] = (char)(0x80 | (cp & 63));
                } else {
                    o[k++] = (char)(0xF0 | cp >> 18);
                    o[k++] = (char)(0x80 | ((cp >> 12) & 63));
                    o[k++] = (char)(0x80 | ((cp >> 6) & 63));
                    o[k++] = (char)(0x80 | (cp & 63));
                }
            } else o[k++] = c;
        }
        if (*p == '"') p++;
        o[k] = 0;
        ss[cnt] = o;
        ls[cnt] = k;
        cnt++;
    }
    *out = ss;
    *lens = ls;
    return cnt;
}

static void check_model(const char *name, const char *layout) {
    char dir[512], p[512];
    snprintf(p, sizeof p, FX "/%s/META.json", name);
    cJSON *meta = load_json(p);
    snprintf(p, sizeof p, FX "/%s/tokens.json", name);
    cJSON *tok = load_json(p);
    cJSON *sents = load_json(FX "/sentences.json");
    CHECK(meta && tok && sents);
    if (!meta || !tok || !sents) return;
    lt_bert_opts o;
    lt_bert_opts_init(&o);
    if (!strcmp(layout, "hf")) {
        /* the HF layout carries no pooling config: take what the fixture used */
        o.pooling = !strcmp(cJSON_GetObjectItem(meta, "pooling")->valuestring, "cls")
                ? LT_POOL_CLS
                : LT_POOL_MEAN;
        o.normalize = cJSON_IsTrue(cJSON_GetObjectItem(meta, "normalize"));
        o.max_seq = cJSON_GetObjectItem(meta, "max_seq_length")->valueint;
    }
    snprintf(dir, sizeof dir, FX "/%s/%s", name, layout);
    lt_bert *m = NULL;
    int rc = lt_bert_load(&m, dir, &o);
    CHECK_MSG(rc == LT_OK, "%s: %s", dir, lt_errmsg());
    if (!m) goto out;
    CHECK_MSG(lt_bert_max_seq(m) == cJSON_GetObjectItem(meta, "max_seq_length")->valueint,
            "%s: max_seq %d", dir, lt_bert_max_seq(m));
    lt_vecs *ref = NULL, *hid = NULL;
    snprintf(p, sizeof p, FX "/%s/embeddings_f32.npy", name);
    CHECK(lt_vecs_load(p, LT_FMT_NPY, &ref) == LT_OK);
    snprintf(p, sizeof p, FX "/%s/hidden_sentence0_f32.npy", name);
    CHECK(lt_vecs_load(p, LT_FMT_NPY, &hid) == LT_OK);
    char **ss = NULL;
    size_t *sl = NULL;
    int ns = sentences(&ss, &sl), H = lt_bert_dim(m), tok_bad = 0, emb_bad = 0;
    CHECK(ns == cJSON_GetArraySize(sents));
    double worst = 0, worst_cos = 1;
    float *e = malloc(sizeof(float) * (size_t)H);
    int32_t ids[4096];
    for (int i = 0; i < ns; i++) {
        const char *s = ss[i];
        size_t slen = sl[i];
        for (int tr = 0; tr < 2; tr++) {
            cJSON *want = cJSON_GetArrayItem(
                    cJSON_GetObjectItem(tok, tr ? "input_ids" : "input_ids_untruncated"), i);
            int full, n = lt_bert_tokenize(m, s, slen, tr, ids, 4096, &full);
            int same = n == cJSON_GetArraySize(want);
            for (int k = 0; same && k < n; k++)
                same = ids[k] == cJSON_GetArrayItem(want, k)->valueint;
            if (!same) {
                if (tok_bad++ < 3) {
                    fprintf(stderr, "  %s sentence %d (%s): got", dir, i,
                            tr ? "truncated" : "full");
                    for (int k = 0; k < n && k < 40; k++) fprintf(stderr, " %d", ids[k]);
                    fprintf(stderr, "\n  want");
                    for (int k = 0; k < cJSON_GetArraySize(want) && k < 40; k++)
                        fprintf(stderr, " %d", cJSON_GetArrayItem(want, k)->valueint);
                    fprintf(stderr, "\n");
                }
            }
        }
        if (!ref) continue;
        CHECK(lt_bert_embed(m, s, slen, e, NULL) == LT_OK);
        const float *r = lt_vecs_row(ref, i);
        double mx = 0, dot = 0, na = 0, nb = 0;
        for (int k = 0; k < H; k++) {
            mx = fmax(mx, fabs(e[k] - r[k]));
            dot += (double)e[k] * r[k];
            na += (double)e[k] * e[k];
            nb += (double)r[k] * r[k];
        }
        double cs = dot / sqrt(na * nb);
        if (mx > worst) worst = mx;
        if (cs < worst_cos) worst_cos = cs;
        if (mx > 1e-5 || cs < 0.99999) emb_bad++;
    }
    CHECK_MSG(tok_bad == 0, "%s: %d token sequences differ", dir, tok_bad);
    CHECK_MSG(emb_bad == 0, "%s: %d embeddings off (worst max-abs %.3g, cosine %.7f)", dir, emb_bad,
            worst, worst_cos);
    fprintf(stderr, "  (%s: embeddings max-abs %.2g, min cosine %.8f)\n", dir, worst, worst_cos);
    if (hid) {
        const char *s = cJSON_GetArrayItem(sents, 0)->valuestring;
        int n = lt_bert_tokenize(m, s, strlen(s), 1, ids, 4096, NULL);
        float *X = malloc(sizeof(float) * (size_t)n * H);
        CHECK(n == hid->n && lt_bert_hidden(m, ids, n, X) == LT_OK);
        double mx = 0;
        for (int t = 0; t < n && t < hid->n; t++)
            for (int k = 0; k < H; k++) mx = fmax(mx, fabs(X[t * H + k] - lt_vecs_row(hid, t)[k]));
        CHECK_MSG(mx <= 1e-5, "%s: hidden state max-abs %.3g", dir, mx);
        free(X);
    }
    /* the ragged batch gives the same vectors as one-by-one */
    if (ref && ns > 0) {
        float *all = malloc(sizeof(float) * (size_t)ns * H);
        int cut = -1;
        CHECK(lt_bert_embed_batch(m, (const char *const *)ss, sl, ns, all, &cut) == LT_OK);
        double mx = 0, mr = 0;
        for (int i = 0; i < ns; i++) {
            CHECK(lt_bert_embed(m, ss[i], sl[i], e, NULL) == LT_OK);
            for (int k = 0; k < H; k++) {
                mx = fmax(mx, fabs(all[(size_t)i * H + k] - e[k]));
                mr = fmax(mr, fabs(all[(size_t)i * H + k] - lt_vecs_row(ref, i)[k]));
            }
        }
        /* GEMM blocking differs with the packed size: agreement to rounding, and the same band */
        CHECK_MSG(mx <= 1e-5 && mr <= 1e-5, "%s: batch vs single max-abs %.3g, vs reference %.3g",
                dir, mx, mr);
        CHECK(cut >= 1); /* the fixtures hold inputs longer than max_seq */
        /* threads inside the forward pass change nothing: the same bits */
        float *all3 = malloc(sizeof(float) * (size_t)ns * H);
        CHECK(lt_bert_embed_batch_mt(m, (const char *const *)ss, sl, ns, all3, NULL, 3) == LT_OK);
        CHECK(!memcmp(all, all3, sizeof(float) * (size_t)ns * H));
        free(all3);
        free(all);
    }
    free(e);
    for (int i = 0; i < ns; i++) free(ss[i]);
    free(ss);
    free(sl);
    lt_vecs_free(ref);
    lt_vecs_free(hid);
    lt_bert_free(m);
out:
    cJSON_Delete(meta);
    cJSON_Delete(tok);
    cJSON_Delete(sents);
}

TEST(fixtures_hf_layout) {
    for (int i = 0; i < 3; i++) check_model(models[i], "hf");
}
TEST(fixtures_st_layout) {
    for (int i = 0; i < 3; i++) check_model(models[i], "st");
}

TEST(bad_model_folders) {
    lt_bert *m = NULL;
    CHECK(lt_bert_load(&m, "build/tests/no-such-model", NULL) != LT_OK && !m);
    CHECK(strstr(lt_errmsg(), "config.json") != NULL);
    /* truncated safetensors, bad header, malformed JSON, vocab without [UNK] */
    (void)system("rm -rf build/tests/badm && mkdir -p build/tests/badm && cp " FX
                 "/tiny-bert-mean/hf/* build/tests/badm/");
    (void)system("head -c 5000 " FX
                 "/tiny-bert-mean/hf/model.safetensors > build/tests/badm/model.safetensors");
    CHECK(lt_bert_load(&m, "build/tests/badm", NULL) == LT_EFORMAT && !m);
    CHECK(strstr(lt_errmsg(), "model.safetensors") != NULL);
    unsigned char junk[64] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f };
    CHECK(lt_safetensors_check(junk, sizeof junk, "junk") == LT_EFORMAT);
    const char *bad_json =
            "{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"a\": 0, \"[CLS]\": 1, \"[SEP]\": 2}}}";
    CHECK(lt_bert_tokenizer_check(bad_json, strlen(bad_json), "tok.json") == LT_EFORMAT);
    CHECK(strstr(lt_errmsg(), "[UNK]") != NULL);
    CHECK(lt_bert_tokenizer_check("{\"model\": ", 10, "tok.json") == LT_EFORMAT);
    (void)system(
            "cp " FX
            "/tiny-bert-mean/hf/model.safetensors build/tests/badm/ && printf '{\"model_type\": \"gpt2\"' > build/tests/badm/config.json");
    CHECK(lt_bert_load(&m, "build/tests/badm", NULL) == LT_EFORMAT && !m);
    (void)system(
            "printf '{\"model_type\": \"gpt2\", \"hidden_size\": 4}' > build/tests/badm/config.json");
    CHECK(lt_bert_load(&m, "build/tests/badm", NULL) == LT_EFORMAT && !m);
    CHECK(strstr(lt_errmsg(), "gpt2") != NULL);
    /* non-UTF-8 input */
    CHECK(lt_bert_load(&m, FX "/tiny-bert-mean/st", NULL) == LT_OK);
    int32_t ids[16];
    CHECK(m && lt_bert_tokenize(m, "ab\xff", 3, 1, ids, 16, NULL) == LT_EFORMAT);
    lt_bert_free(m);
}

/* the opt-in bf16 path stays close to the f32 reference (cosine), and is not f32 */
TEST(bf16_precision) {
    char **ss = NULL;
    size_t *sl = NULL;
    int ns = sentences(&ss, &sl);
    for (int mi = 0; mi < 3; mi++) {
        char dir[512], p[512];
        snprintf(dir, sizeof dir, FX "/%s/st", models[mi]);
        lt_bert_opts o;
        lt_bert_opts_init(&o);
        o.precision = LT_PREC_BF16;
        lt_bert *m = NULL;
        CHECK_MSG(lt_bert_load(&m, dir, &o) == LT_OK, "%s: %s", dir, lt_errmsg());
        lt_vecs *ref = NULL;
        snprintf(p, sizeof p, FX "/%s/embeddings_f32.npy", models[mi]);
        CHECK(lt_vecs_load(p, LT_FMT_NPY, &ref) == LT_OK);
        if (!m || !ref) {
            lt_bert_free(m);
            lt_vecs_free(ref);
            continue;
        }
        int H = lt_bert_dim(m);
        float *all = malloc(sizeof(float) * (size_t)ns * H);
        CHECK(lt_bert_embed_batch_mt(m, (const char *const *)ss, sl, ns, all, NULL, 2) == LT_OK);
        double worst = 1, mx = 0;
        for (int i = 0; i < ns; i++) {
            const float *a = all + (size_t)i * H, *b = lt_vecs_row(ref, i);
            double ab = 0, aa = 0, bb = 0;
            for (int k = 0; k < H; k++) {
                ab += (double)a[k] * b[k];
                aa += (double)a[k] * a[k];
                bb += (double)b[k] * b[k];
                mx = fmax(mx, fabs(a[k] - b[k]));
            }
            worst = fmin(worst, ab / sqrt(aa * bb));
        }
        CHECK_MSG(worst >= 0.999, "%s: bf16 min cosine %.6f", dir, worst);
        CHECK_MSG(mx > 1e-6,
                "%s: bf16 output identical to f32 (max-abs %.3g): not taking the bf16 path?", dir,
                mx);
        fprintf(stderr, "  (%s bf16: min cosine %.6f, max-abs %.2g)\n", dir, worst, mx);
        free(all);
        lt_vecs_free(ref);
        lt_bert_free(m);
    }
    for (int i = 0; i < ns; i++) free(ss[i]);
    free(ss);
    free(sl);
}

/* the library's embedding pipeline (the loop the CLI, Python and the server share) */
typedef struct {
    const char **t;
    const size_t *l;
    int64_t n, at;
} src_ud;
static int64_t src_next(void *ud, const char **texts, size_t *lens, int64_t cap) {
    src_ud *s = ud;
    int64_t k = s->n - s->at < cap ? s->n - s->at : cap;
    for (int64_t i = 0; i < k; i++) {
        texts[i] = s->t[s->at + i];
        lens[i] = s->l[s->at + i];
    }
    s->at += k;
    return k;
}
typedef struct {
    float *rows;
    int H;
    int64_t next;
    int calls, order_bad;
} dst_ud;
static int dst_put(void *ud, const float *rows, int64_t n, int64_t ld, int64_t first) {
    dst_ud *d = ud;
    if (first != d->next) d->order_bad = 1;
    for (int64_t i = 0; i < n; i++)
        memcpy(d->rows + (first + i) * d->H, rows + i * ld, sizeof(float) * (size_t)d->H);
    d->next = first + n;
    d->calls++;
    return 0;
}
typedef struct {
    int events, finals;
    double last_done;
} sink_ud;
static int count_sink(const lt_progress_info *p, void *ud) {
    sink_ud *s = ud;
    s->events++;
    if (p->final) {
        s->finals++;
        s->last_done = p->done;
    }
    return 0;
}
TEST(embed_pipeline) {
    char **ss = NULL;
    size_t *sl = NULL;
    int ns = sentences(&ss, &sl);
    lt_bert *m = NULL;
    CHECK(ns > 0 && lt_bert_load(&m, FX "/tiny-bert-mean/st", NULL) == LT_OK);
    if (!m) return;
    enum { N = 300 };
    const char *t[N];
    size_t l[N];
    for (int i = 0; i < N; i++) {
        t[i] = ss[i % ns];
        l[i] = sl[i % ns];
    }
    int H = lt_bert_dim(m);
    float *one = malloc(sizeof(float) * N * H), *a = malloc(sizeof(float) * N * H),
          *b = malloc(sizeof(float) * N * (H + 3));
    int64_t cut = 0;
    for (int i = 0; i < N; i++) {
        int tr = 0;
        CHECK(lt_bert_embed(m, t[i], l[i], one + (size_t)i * H, &tr) == LT_OK);
        cut += tr;
    }
    lt_ctx c;
    lt_ctx_init(&c);
    lt_embed_opts o;
    lt_embed_opts_init(&o);
    CHECK(o.batch == 32 && !o.latency && !o.chunk && c.n_threads == 1);
    o.batch = 7;
    lt_embed_stats st;
    CHECK(lt_embed_texts(m, t, l, N, a, H, &o, &c, &st) == LT_OK);
    CHECK_MSG(st.done == N && st.failed == -1 && st.truncated == cut,
            "done %lld failed %lld truncated %lld", (long long)st.done, (long long)st.failed,
            (long long)st.truncated);
    CHECK_ARR(a, one, (long)N * H, 1e-5, 0); /* ragged batches vs one by one */
    /* threads, latency mode, a wider row stride: the same bytes */
    for (int v = 0; v < 3; v++) {
        c.n_threads = v == 0 ? 2 : 3;
        o.latency = v == 1;
        int64_t ld = v == 2 ? H + 3 : H;
        memset(b, 0, sizeof(float) * N * (H + 3));
        CHECK(lt_embed_texts(m, t, l, N, b, ld, &o, &c, NULL) == LT_OK);
        int same = 1;
        for (int i = 0; i < N; i++)
            same &= !memcmp(a + (size_t)i * H, b + i * ld, sizeof(float) * (size_t)H);
        CHECK_MSG(same, "threads %d latency %d ld %lld: rows differ", c.n_threads, o.latency,
                (long long)ld);
    }
    /* streaming: several blocks (cap 256 here), rows in order, the same bytes */
    c.n_threads = 2;
    o.latency = 0;
    src_ud su = { t, l, N, 0 };
    dst_ud du = { b, H, 0, 0, 0 };
    CHECK(lt_embed_stream(m, src_next, &su, dst_put, &du, &o, &c, &st) == LT_OK);
    CHECK(du.calls == 2 && !du.order_bad && du.next == N && st.done == N);
    CHECK(!memcmp(a, b, sizeof(float) * N * H));
    /* progress events reach the context's sink, the last one final with every input */
    sink_ud sk = { 0, 0, 0 };
    c.progress = count_sink;
    c.progress_ud = &sk;
    CHECK(lt_embed_texts(m, t, l, N, b, H, &o, &c, NULL) == LT_OK);
    CHECK(sk.finals == 1 && sk.last_done == N);
    /* cancellation */
    volatile int stop = 1;
    c.cancel = &stop;
    CHECK(lt_embed_texts(m, t, l, N, b, H, &o, &c, &st) == LT_EINTR);
    CHECK(strstr(lt_errmsg(), "stopped") != NULL);
    c.cancel = NULL;
    /* a bad input is named (1-based) and its index returned, whatever the threads */
    t[137] = "ab\xff";
    l[137] = 3;
    for (int nt = 1; nt <= 2; nt++) {
        c.n_threads = nt;
        CHECK(lt_embed_texts(m, t, l, N, b, H, &o, &c, &st) == LT_EFORMAT);
        CHECK_MSG(st.failed == 137 && !strncmp(lt_errmsg(), "input 138:", 10), "failed %lld: %s",
                (long long)st.failed, lt_errmsg());
    }
    free(one);
    free(a);
    free(b);
    lt_bert_free(m);
    for (int i = 0; i < ns; i++) free(ss[i]);
    free(ss);
    free(sl);
}

/* tokenizer.json: components latent does not implement are named; pairs, truncation, specials */
static const char *TJ =
        "{\"model\": {\"type\": \"WordPiece\", \"unk_token\": \"[UNK]\", \"vocab\": "
        "{\"[UNK]\": 0, \"[CLS]\": 1, \"[SEP]\": 2, \"a\": 3, \"b\": 4, \"##b\": 5, \"c\": 6}}, "
        "\"normalizer\": %s, \"pre_tokenizer\": %s, \"post_processor\": %s, \"added_tokens\": []}";
static int parse_tj(lt_tokenizer **t, const char *norm, const char *pre, const char *post) {
    char buf[2048];
    snprintf(buf, sizeof buf, TJ, norm, pre, post);
    return lt_tokenizer_parse(t, buf, strlen(buf), "t.json");
}
TEST(tokenizer_json) {
    lt_tokenizer *t = NULL;
    const char *bert =
            "{\"type\": \"BertProcessing\", \"sep\": [\"[SEP]\", 2], \"cls\": [\"[CLS]\", 1]}";
    const char *ws = "{\"type\": \"WhitespaceSplit\"}";
    CHECK(parse_tj(&t, "{\"type\": \"Foo\"}", ws, bert) == LT_EFORMAT &&
            strstr(lt_errmsg(), "normalizer 'Foo'"));
    CHECK(parse_tj(&t, "null", "{\"type\": \"Bar\"}", bert) == LT_EFORMAT &&
            strstr(lt_errmsg(), "pre_tokenizer 'Bar'"));
    CHECK(parse_tj(&t, "null", ws, "{\"type\": \"Baz\"}") == LT_EFORMAT &&
            strstr(lt_errmsg(), "post_processor 'Baz'"));
    CHECK(lt_tokenizer_parse(&t, "{\"model\": {\"type\": \"Qux\"}}", 28, "t.json") == LT_EFORMAT &&
            strstr(lt_errmsg(), "model 'Qux'"));
    CHECK(lt_tokenizer_parse(&t, "{\"model\": ", 10, "t.json") == LT_EFORMAT &&
            strstr(lt_errmsg(), "t.json: malformed JSON"));
    CHECK(parse_tj(&t, "null",
                  "{\"type\": \"Split\", \"pattern\": {\"Regex\": \"(\"}, \"behavior\": \"Isolated\"}",
                  bert) == LT_EFORMAT &&
            strstr(lt_errmsg(), "regex"));
    CHECK(parse_tj(&t, "{\"type\": \"Lowercase\"}", ws, bert) == LT_OK && t);
    if (!t) return;
    lt_encoding e = { 0 };
    CHECK(lt_tokenizer_encode(t, "A bb c", 6, NULL, 0, 1, 0, &e) == LT_OK);
    int32_t want[] = { 1, 3, 4, 5, 6, 2 };
    CHECK(e.n == 6 && !memcmp(e.ids, want, sizeof want) && e.special[0] && e.special[5] &&
            !e.special[1]);
    CHECK(e.offsets[2 * 2] == 2 && e.offsets[2 * 2 + 1] == 3 && e.offsets[2 * 3] == 3 &&
            e.offsets[2 * 3 + 1] == 4);
    /* a pair: [CLS] A [SEP] B [SEP], B's type 1; longest-first truncation to 6 */
    CHECK(lt_tokenizer_encode(t, "a a a", 5, "c", 1, 1, 0, &e) == LT_OK && e.n == 7 &&
            e.type_ids[5] == 1 && e.ids[5] == 6);
    CHECK(lt_tokenizer_encode(t, "a a a", 5, "c", 1, 1, 6, &e) == LT_OK && e.n == 6 &&
            e.n_full == 7 && e.ids[3] == 2 && e.ids[4] == 6);
    CHECK(lt_tokenizer_encode(t, "a a a", 5, NULL, 0, 0, 0, &e) == LT_OK && e.n == 3 &&
            !e.special[0]);
    CHECK(lt_tokenizer_encode(t, "a\xff", 2, NULL, 0, 1, 0, &e) == LT_EFORMAT &&
            strstr(lt_errmsg(), "byte 1"));
    CHECK(lt_tokenizer_encode(t, "", 0, NULL, 0, 1, 0, &e) == LT_OK && e.n == 2);
    lt_encoding_free(&e);
    lt_tokenizer_free(t);
}

/* RoBERTa's family and DistilBERT (tests/fixtures/encoders, made by
 * tools/py/make_encoder_fixtures.py with transformers and sentence-transformers): ids as
 * transformers' tokenizer gives them, and embeddings within 1e-5 of SentenceTransformer.encode
 * (mean, CLS and max pooling, a Dense head) */
#define EF "tests/fixtures/encoders"
static int ef_sentences(char ***out, size_t **lens) { /* sentences.json: one JSON string per line */
    cJSON *j = load_json(EF "/sentences.json");
    int n = cJSON_GetArraySize(j), k = 0;
    *out = calloc((size_t)n + 1, sizeof(char *));
    *lens = calloc((size_t)n + 1, sizeof(size_t));
    for (cJSON *e = j ? j->child : NULL; e; e = e->next, k++) {
        (*out)[k] = strdup(e->valuestring);
        (*lens)[k] = strlen(e->valuestring);
    }
    cJSON_Delete(j);
    return k;
}
/* one family's folder EF/name/sub against its ids.json and embeddings.npy (2 threads) */
static void check_family(const char *name, const char *sub, char **ss, size_t *sl, int ns) {
    char dir[256], p[256];
    snprintf(dir, sizeof dir, EF "/%s/%s", name, sub);
    lt_bert *m = NULL;
    CHECK_MSG(lt_bert_load(&m, dir, NULL) == LT_OK, "%s: %s", dir, lt_errmsg());
    if (!m) return;
    snprintf(p, sizeof p, EF "/%s/ids.json", name);
    cJSON *ids = load_json(p);
    int i = 0;
    for (cJSON *row = ids ? ids->child : NULL; row && i < ns; row = row->next, i++) {
        int32_t got[128];
        int n = lt_bert_tokenize(m, ss[i], sl[i], 1, got, 128, NULL),
            same = n == cJSON_GetArraySize(row), k = 0;
        for (cJSON *v = row->child; same && v; v = v->next, k++) same = got[k] == v->valueint;
        CHECK_MSG(same, "%s: sentence %d: ids differ from transformers' (%d vs %d tokens)", name, i,
                n, cJSON_GetArraySize(row));
    }
    CHECK(i == ns);
    cJSON_Delete(ids);
    lt_vecs *ref = NULL;
    snprintf(p, sizeof p, EF "/%s/embeddings.npy", name);
    CHECK(lt_vecs_load(p, LT_FMT_NPY, &ref) == LT_OK && ref && ref->n == ns &&
            ref->d == lt_bert_dim(m));
    if (ref && ref->n == ns && ref->d == lt_bert_dim(m)) {
        float *e = malloc(sizeof(float) * (size_t)ns * ref->d);
        CHECK(lt_bert_embed_batch_mt(m, (const char *const *)ss, sl, ns, e, NULL, 2) == LT_OK);
        double worst = 0;
        for (int r = 0; r < ns; r++) {
            CHECK_ARR(e + (size_t)r * ref->d, lt_vecs_row(ref, r), (long)ref->d, 1e-5, 0);
            for (long k = 0; k < ref->d; k++)
                worst = fmax(worst, fabs(e[(size_t)r * ref->d + k] - lt_vecs_row(ref, r)[k]));
        }
        printf("  (%s/%s: %d sentences, max-abs %.1e against sentence-transformers)\n", name, sub,
                ns, worst);
        free(e);
    }
    lt_vecs_free(ref);
    lt_bert_free(m);
}
TEST(roberta_family) {
    static const char *fams[] = { "roberta", "xlm-roberta", "distilbert", "mpnet" };
    char **ss = NULL;
    size_t *sl = NULL;
    int ns = ef_sentences(&ss, &sl);
    CHECK(ns == 20);
    for (int f = 0; f < 4; f++) check_family(fams[f], "st", ss, sl, ns);
    for (int i = 0; i < ns; i++) free(ss[i]);
    free(ss);
    free(sl);
}

/* the rotary families (tools/py/make_rotary_fixtures.py): Qwen3 (RMSNorm, grouped-query
 * attention with per-head norms, causal, SwiGLU, last-token pooling, a query prompt) and
 * ModernBERT (bias-free LayerNorm, fused QKV, two rotary bases, windowed local layers, GeGLU),
 * Gemma 3 as EmbeddingGemma runs it (bidirectional, sandwich norms, embedding scale, two Dense
 * layers) and as the decoder it is (causal windows, one key/value head), Nomic BERT and GTE
 * (post-norm, rotary, GLU; in three layouts each): the sentences, and one input of about 4,096 tokens, within 1e-5 of sentence-transformers; the
 * same bytes for 1 and 2 threads */
TEST(rotary_families) {
    static const char *fams[] = { "qwen3", "modernbert", "gemma3", "gemma3-causal", "nomic_bert",
        "gte" };
    char **ss = NULL;
    size_t *sl = NULL;
    int ns = ef_sentences(&ss, &sl);
    for (int f = 0; f < 6; f++) {
        char dir[256], p[256];
        check_family(fams[f], "st", ss, sl, ns);
        if (f >= 4) { /* the same weights under transformers' module names, and the published
                       * config keys */
            check_family(fams[f], "st-native", ss, sl, ns);
            check_family(fams[f], "st-orig", ss, sl, ns);
        }
        snprintf(dir, sizeof dir, EF "/%s/st", fams[f]);
        lt_bert_opts bo;
        lt_bert_opts_init(&bo);
        bo.max_seq = 4200;
        lt_bert *m = NULL;
        CHECK_MSG(lt_bert_load(&m, dir, &bo) == LT_OK, "%s: %s", dir, lt_errmsg());
        if (!m) continue;
        long len = 0;
        snprintf(p, sizeof p, EF "/%s/long.txt", fams[f]);
        char *text = (char *)t_read_file(p, &len);
        lt_vecs *ref = NULL;
        snprintf(p, sizeof p, EF "/%s/long.npy", fams[f]);
        CHECK(text && lt_vecs_load(p, LT_FMT_NPY, &ref) == LT_OK && ref && ref->d == 32);
        float e1[32], e2[32];
        int32_t *ids = malloc(sizeof(int32_t) * 4200);
        int n = text ? lt_bert_tokenize(m, text, (size_t)len, 1, ids, 4200, NULL) : 0;
        CHECK_MSG(n > 4000, "%s: the long input has %d tokens", fams[f], n);
        const char *tx[1] = { text };
        size_t tl[1] = { (size_t)len };
        if (text && ref) {
            CHECK(lt_bert_embed_batch_mt(m, tx, tl, 1, e1, NULL, 1) == LT_OK);
            CHECK(lt_bert_embed_batch_mt(m, tx, tl, 1, e2, NULL, 2) == LT_OK);
            CHECK_ARR(e1, lt_vecs_row(ref, 0), 32, 1e-5, 0);
            CHECK(!memcmp(e1, e2, sizeof e1));
            double worst = 0;
            for (int k = 0; k < 32; k++) worst = fmax(worst, fabs(e1[k] - lt_vecs_row(ref, 0)[k]));
            printf("  (%s: one input of %d tokens, max-abs %.1e)\n", fams[f], n, worst);
        }
        free(ids);
        free(text);
        lt_vecs_free(ref);
        lt_bert_free(m);
    }
    /* Qwen3-Embedding's way: the query prompt before each input */
    lt_bert *m = NULL;
    CHECK(lt_bert_load(&m, EF "/qwen3/st", NULL) == LT_OK && m);
    lt_vecs *ref = NULL;
    CHECK(lt_vecs_load(EF "/qwen3/embeddings_query.npy", LT_FMT_NPY, &ref) == LT_OK && ref);
    if (m && ref) {
        lt_embed_opts o;
        lt_embed_opts_init(&o);
        o.prompt = lt_bert_prompt(m, "query");
        CHECK(o.prompt && !strncmp(o.prompt, "Instruct:", 9));
        float *e = malloc(sizeof(float) * (size_t)ns * 32);
        CHECK(lt_embed_texts(m, (const char *const *)ss, sl, ns, e, 32, &o, NULL, NULL) == LT_OK);
        for (int r = 0; r < ns; r++)
            CHECK_ARR(e + (size_t)r * 32, lt_vecs_row(ref, r), 32, 1e-5, 0);
        free(e);
    }
    lt_vecs_free(ref);
    lt_bert_free(m);
    for (int i = 0; i < ns; i++) free(ss[i]);
    free(ss);
    free(sl);
}

/* the rotary families' config fields latent does not implement, or that contradict the
 * weights, are named in the error; bf16 stays close to f32 */
static int cfg_edit(const char *fam, const char *key, const char *json_value) {
    char src[256], cmd[1024];
    snprintf(src, sizeof src, strchr(fam, '/') ? EF "/%s" : EF "/%s/st", fam);
    snprintf(cmd, sizeof cmd,
            "rm -rf build/tests/badrot && mkdir -p build/tests/badrot && cp -r %s/. build/tests/badrot/",
            src);
    if (system(cmd)) return -1;
    cJSON *c = load_json("build/tests/badrot/config.json");
    if (!c) return -1;
    cJSON *v = cJSON_Parse(json_value), *at = c;
    char k[128];
    snprintf(k, sizeof k, "%s", key);
    for (char *dot; (dot = strchr(k, '.'));) { /* a.b: the object a's key b */
        *dot = 0;
        at = cJSON_GetObjectItemCaseSensitive(at, k);
        memmove(k, dot + 1, strlen(dot + 1) + 1);
    }
    if (!at || !v) return -1;
    cJSON_DeleteItemFromObjectCaseSensitive(at, k);
    cJSON_AddItemToObject(at, k, v);
    char *out = cJSON_Print(c);
    FILE *f = fopen("build/tests/badrot/config.json", "w");
    fputs(out, f);
    fclose(f);
    free(out);
    cJSON_Delete(c);
    return 0;
}
TEST(rotary_bad_configs) {
    static const struct {
        const char *fam, *key, *value, *named;
    } cases[] = {
        { "qwen3", "rope_parameters.rope_type", "\"yarn\"", "rope_type 'yarn'" },
        { "qwen3", "use_sliding_window", "true", "use_sliding_window" },
        { "qwen3", "hidden_act", "\"gelu\"", "hidden_act 'gelu'" },
        { "qwen3", "num_key_value_heads", "3", "key/value heads 3" },
        { "qwen3", "head_dim", "8", "q_proj" },
        { "qwen3", "rope_scaling", "{\"factor\": 2}", "rope_scaling" },
        { "qwen3", "architectures", "[\"Qwen3ForSequenceClassification\"]", "classification head" },
        { "modernbert", "layer_types",
                "[\"full_attention\", \"chunked\", \"full_attention\", "
                "\"full_attention\"]",
                "layer_types[1]" },
        { "modernbert", "layer_types", "[\"full_attention\"]", "layer_types" },
        { "modernbert", "hidden_activation", "\"relu\"", "hidden_activation 'relu'" },
        { "modernbert", "rope_parameters.sliding_attention.rope_type", "\"linear\"",
                "sliding_attention.rope_type 'linear'" },
        { "modernbert", "norm_bias", "true", "embeddings.norm.bias" },
        { "modernbert", "intermediate_size", "64", "mlp.Wi" },
        { "gemma3", "attn_logit_softcapping", "50.0", "attn_logit_softcapping" },
        { "gemma3", "hidden_activation", "\"relu\"", "hidden_activation 'relu'" },
        { "gemma3", "rope_parameters.full_attention.rope_type", "\"linear\"",
                "full_attention.rope_type 'linear'" },
        { "gemma3", "num_key_value_heads", "4", "k_proj" },
        { "nomic_bert/st-orig", "rotary_emb_fraction", "0.5", "rotary_emb_fraction 0.5" },
        { "nomic_bert/st-orig", "rotary_emb_interleaved", "true", "rotary_emb_interleaved" },
        { "nomic_bert/st-orig", "activation_function", "\"gelu\"", "activation 'gelu'" },
        { "nomic_bert", "type_vocab_size", "3", "token_type_embeddings" },
        { "gte/st-orig", "rope_scaling", "{\"type\": \"ntk\", \"factor\": 2.0}", "rope_scaling" },
        { "gte/st-orig", "logn_attention_scale", "true", "logn_attention_scale" },
        { "gte/st-orig", "position_embedding_type", "\"absolute\"", "position_embedding_type" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CHECK(cfg_edit(cases[i].fam, cases[i].key, cases[i].value) == 0);
        lt_bert *m = NULL;
        int rc = lt_bert_load(&m, "build/tests/badrot", NULL);
        CHECK_MSG(rc == LT_EFORMAT && !m && strstr(lt_errmsg(), cases[i].named) &&
                        strstr(lt_errmsg(), "build/tests/badrot"),
                "%s %s=%s: rc %d, '%s' (wanted '%s' named)", cases[i].fam, cases[i].key,
                cases[i].value, rc, lt_errmsg(), cases[i].named);
        lt_bert_free(m);
    }
    /* bf16 against f32 */
    static const char *fams[] = { "qwen3", "modernbert", "gemma3" };
    char **ss = NULL;
    size_t *sl = NULL;
    int ns = ef_sentences(&ss, &sl);
    for (int f = 0; f < 3; f++) {
        char dir[256];
        snprintf(dir, sizeof dir, EF "/%s/st", fams[f]);
        lt_bert_opts o;
        lt_bert_opts_init(&o);
        lt_bert *a = NULL, *b = NULL;
        CHECK(lt_bert_load(&a, dir, &o) == LT_OK);
        o.precision = LT_PREC_BF16;
        CHECK(lt_bert_load(&b, dir, &o) == LT_OK);
        if (!a || !b) continue;
        float *ea = malloc(sizeof(float) * 32 * (size_t)ns),
              *eb = malloc(sizeof(float) * 32 * (size_t)ns);
        CHECK(lt_bert_embed_batch_mt(a, (const char *const *)ss, sl, ns, ea, NULL, 2) == LT_OK);
        CHECK(lt_bert_embed_batch_mt(b, (const char *const *)ss, sl, ns, eb, NULL, 2) == LT_OK);
        double worst = 1;
        int differs = 0;
        for (int r = 0; r < ns; r++) {
            double d = 0;
            for (int k = 0; k < 32; k++) {
                d += (double)ea[r * 32 + k] * eb[r * 32 + k];
                differs |= ea[r * 32 + k] != eb[r * 32 + k];
            }
            worst = fmin(worst, d);
        }
        CHECK_MSG(worst > 0.995 && differs, "%s bf16: min cosine %.6f", fams[f], worst);
        printf("  (%s bf16: min cosine to f32 %.6f)\n", fams[f], worst);
        free(ea);
        free(eb);
        lt_bert_free(a);
        lt_bert_free(b);
    }
    for (int i = 0; i < ns; i++) free(ss[i]);
    free(ss);
    free(sl);
}

/* image towers (tools/py/make_vision_fixtures.py): CLIP as CLIPVisionModelWithProjection and
 * as CLIPModel (quick-GELU and GELU), ViT, SigLIP (no class token, attention pooling) as
 * SiglipVisionModel and SiglipModel; features within 1e-5 of transformers' from the same
 * input tensor; 1 and 2 threads alike; bf16 close */
#define VF "tests/fixtures/vision"
TEST(vision_towers) {
    static const char *names[] = { "clip-vision", "clip", "vit", "siglip-vision", "siglip" };
    lt_vecs *px = NULL;
    CHECK(lt_vecs_load(VF "/pixels.npy", LT_FMT_NPY, &px) == LT_OK && px && px->n == 3);
    if (!px) return;
    for (int f = 0; f < 5; f++) {
        char dir[256], p[256];
        snprintf(dir, sizeof dir, VF "/%s/model", names[f]);
        lt_vision *v = NULL;
        CHECK_MSG(lt_vision_load(&v, dir, NULL) == LT_OK, "%s: %s", dir, lt_errmsg());
        if (!v) continue;
        CHECK(lt_vision_image_size(v) == 32 && lt_vision_channels(v) == 3 && px->d == 3 * 32 * 32);
        lt_vecs *ref = NULL;
        snprintf(p, sizeof p, VF "/%s/embeddings.npy", names[f]);
        CHECK(lt_vecs_load(p, LT_FMT_NPY, &ref) == LT_OK && ref && ref->n == 3 &&
                ref->d == lt_vision_dim(v));
        if (ref && ref->d == lt_vision_dim(v)) {
            int D = lt_vision_dim(v);
            float *e1 = malloc(sizeof(float) * 3 * D), *e2 = malloc(sizeof(float) * 3 * D);
            CHECK(lt_vision_embed(v, lt_vecs_row(px, 0), 3, e1, 1) == LT_OK);
            CHECK(lt_vision_embed(v, lt_vecs_row(px, 0), 3, e2, 2) == LT_OK);
            double worst = 0;
            for (int r = 0; r < 3; r++) {
                CHECK_ARR(e1 + r * D, lt_vecs_row(ref, r), D, 1e-5, 1e-5);
                for (int k = 0; k < D; k++)
                    worst = fmax(worst, fabs(e1[r * D + k] - lt_vecs_row(ref, r)[k]));
            }
            CHECK(!memcmp(e1, e2, sizeof(float) * 3 * D));
            printf("  (%s: 3 images, dim %d, max-abs %.1e against transformers)\n", names[f], D,
                    worst);
            free(e1);
            free(e2);
        }
        lt_vecs_free(ref);
        lt_vision_free(v);
        /* bf16 */
        lt_bert_opts o;
        lt_bert_opts_init(&o);
        o.precision = LT_PREC_BF16;
        CHECK(lt_vision_load(&v, dir, &o) == LT_OK && v);
        lt_vision_free(v);
    }
    lt_vecs_free(px);
    /* image files end to end: decoded (RGB PNG, RGBA PNG, JPEG, grey PNG), preprocessed as the
     * folder's preprocessor_config.json says (CLIP: shortest edge, bicubic, centre crop; ViT:
     * square, bilinear), the pixels as transformers' processor gives them and the features;
     * DINOv2 (layer scales, GELU or SwiGLU) trained at 48 px and used at its 32 px crop */
    static const char *const files[] = { "a_rgb.png", "b_rgba.png", "c.jpg", "d_grey.png" };
    static const char *const e2e[] = { "clip", "vit", "dinov2", "dinov2-swiglu" };
    for (int f = 0; f < 4; f++) {
        char dir[256], p[256];
        snprintf(dir, sizeof dir, VF "/%s/model", e2e[f]);
        lt_vision *v = NULL;
        lt_image_prep prep;
        CHECK(lt_vision_load(&v, dir, NULL) == LT_OK && lt_image_prep_load(&prep, dir) == LT_OK);
        lt_vecs *wantpx = NULL, *want = NULL;
        snprintf(p, sizeof p, VF "/%s/image_file_pixels.npy", e2e[f]);
        int dino = f >= 2; /* DINOv2: the features only (its positions resized to the crop) */
        CHECK(dino || (lt_vecs_load(p, LT_FMT_NPY, &wantpx) == LT_OK && wantpx && wantpx->n == 4));
        snprintf(p, sizeof p, VF "/%s/image_file_embeddings.npy", e2e[f]);
        CHECK(lt_vecs_load(p, LT_FMT_NPY, &want) == LT_OK && want && want->n == 4);
        if (!v || (!dino && (!wantpx || wantpx->d != 3 * 32 * 32)) || !want) {
            lt_vision_free(v);
            lt_vecs_free(wantpx);
            lt_vecs_free(want);
            continue;
        }
        float *pix = malloc(sizeof(float) * 4 * 3 * 32 * 32), *e = malloc(sizeof(float) * 4 * 64);
        for (int i = 0; i < 4; i++) {
            snprintf(p, sizeof p, VF "/images/%s", files[i]);
            long len = 0;
            unsigned char *buf = t_read_file(p, &len);
            lt_image im = { 0 };
            int w = 0, h = 0;
            CHECK(buf && lt_image_decode(buf, (size_t)len, p, 3, &im) == LT_OK);
            lt_image_prep_size(&prep, im.w, im.h, &w, &h);
            CHECK(w == 32 && h == 32);
            CHECK(lt_image_prep_apply(&prep, &im, p, pix + (size_t)i * 3072, NULL) == LT_OK);
            if (!dino) CHECK_ARR(pix + (size_t)i * 3072, lt_vecs_row(wantpx, i), 3072, 1e-6, 0);
            lt_image_free(&im);
            free(buf);
        }
        CHECK(lt_vision_embed(v, pix, 4, e, 2) == LT_OK);
        for (int i = 0; i < 4; i++)
            CHECK_ARR(e + (size_t)i * want->d, lt_vecs_row(want, i), (long)want->d, 1e-5, 1e-5);
        free(pix);
        free(e);
        lt_vecs_free(wantpx);
        lt_vecs_free(want);
        lt_vision_free(v);
    }
    /* decoding as Pillow's: WebP (lossless with alpha, lossy) as convert("RGB"), JPEGs with EXIF
     * orientations 2..8 turned upright as ImageOps.exif_transpose */
    static const char *const dec[] = { "w_lossless.webp", "w_lossy.webp", "x_orient2.jpg",
        "x_orient3.jpg", "x_orient4.jpg", "x_orient5.jpg", "x_orient6.jpg", "x_orient7.jpg",
        "x_orient8.jpg" };
    for (int i = 0; i < 9; i++) {
        char p[256], q[256];
        snprintf(p, sizeof p, VF "/decode/%s", dec[i]);
        snprintf(q, sizeof q, "%.*s.want.png", (int)(strrchr(p, '.') - p), p);
        long la = 0, lb = 0;
        unsigned char *a = t_read_file(p, &la), *b = t_read_file(q, &lb);
        lt_image x = { 0 }, y = { 0 };
        CHECK_MSG(a && b && lt_image_decode(a, (size_t)la, p, 3, &x) == LT_OK &&
                        lt_image_orient(&x, lt_image_exif_orientation(a, (size_t)la)) == LT_OK &&
                        lt_image_decode(b, (size_t)lb, q, 3, &y) == LT_OK,
                "%s: %s", p, lt_errmsg());
        int same = x.w == y.w && x.h == y.h && x.px && y.px, worst = 0;
        for (size_t k = 0; same && k < (size_t)x.w * x.h * 3; k++) {
            int d = abs((int)x.px[k] - (int)y.px[k]);
            worst = d > worst ? d : worst;
        }
        CHECK_MSG(same && worst == 0, "%s: %dx%d vs %dx%d, worst %d", dec[i], x.w, x.h, y.w, y.h,
                worst);
        CHECK(i < 2 || lt_image_exif_orientation(a, (size_t)la) == i);
        lt_image_free(&x);
        lt_image_free(&y);
        free(a);
        free(b);
    }
    /* CLIP's text tower: get_text_features, pooled at the first end-of-text id, or at the
     * largest id with the legacy eos_token_id 2; SigLIP's: padded to 64 with the pad id, pooled
     * at the last position, its head */
    char **ss = NULL;
    size_t *sl = NULL;
    int ns = ef_sentences(&ss, &sl);
    static const char *texts[] = { "clip", "clip-legacy", "siglip" };
    for (int f = 0; f < 3; f++) {
        char dir[256], p[256];
        snprintf(dir, sizeof dir, VF "/%s/model", texts[f]);
        lt_bert *m = NULL;
        CHECK_MSG(lt_bert_load(&m, dir, NULL) == LT_OK, "%s: %s", dir, lt_errmsg());
        lt_vecs *ref = NULL;
        snprintf(p, sizeof p, VF "/%s/text_embeddings.npy", texts[f]);
        CHECK(lt_vecs_load(p, LT_FMT_NPY, &ref) == LT_OK && ref && ref->n == ns);
        if (m && ref && ref->d == lt_bert_dim(m)) {
            float *e = malloc(sizeof(float) * (size_t)ns * ref->d);
            CHECK(lt_bert_embed_batch_mt(m, (const char *const *)ss, sl, ns, e, NULL, 2) == LT_OK);
            double worst = 0;
            for (int r = 0; r < ns; r++) {
                CHECK_ARR(e + (size_t)r * ref->d, lt_vecs_row(ref, r), (long)ref->d, 1e-5, 1e-5);
                for (long k = 0; k < ref->d; k++)
                    worst = fmax(worst, fabs(e[(size_t)r * ref->d + k] - lt_vecs_row(ref, r)[k]));
            }
            printf("  (%s text tower: %d sentences, dim %ld, max-abs %.1e)\n", texts[f], ns,
                    (long)ref->d, worst);
            free(e);
        } else
            CHECK_MSG(0, "%s: dim %d vs %ld", texts[f], m ? lt_bert_dim(m) : -1,
                    ref ? (long)ref->d : -1L);
        lt_vecs_free(ref);
        lt_bert_free(m);
    }
    for (int i = 0; i < ns; i++) free(ss[i]);
    free(ss);
    free(sl);
    /* a text model's folder and a missing tensor are named */
    lt_vision *v = NULL;
    CHECK(lt_vision_load(&v, EF "/roberta/st", NULL) == LT_EFORMAT && !v &&
            strstr(lt_errmsg(), "roberta") && strstr(lt_errmsg(), "image tower"));
    (void)system(
            "rm -rf build/tests/badvit && mkdir -p build/tests/badvit && cp " VF
            "/vit/model/model.safetensors build/tests/badvit/ && sed 's/\"patch_size\": 8/"
            "\"patch_size\": 4/' " VF "/vit/model/config.json > build/tests/badvit/config.json");
    CHECK(lt_vision_load(&v, "build/tests/badvit", NULL) == LT_EFORMAT && !v &&
            strstr(lt_errmsg(), "projection.weight is 8x8, patch_size 4"));
}

/* cross-encoders: BERT's pooler, RoBERTa's head, DistilBERT's pre_classifier; logits within
 * 1e-5 of transformers', and sigmoid(logits) of CrossEncoder.predict's */
TEST(cross_encoders) {
    static const char *names[] = { "bert-cross", "xlm-roberta-cross", "distilbert-cross" };
    cJSON *pairs = load_json(EF "/pairs.json");
    int n = cJSON_GetArraySize(pairs), k = 0;
    CHECK(n == 20);
    const char **a = calloc((size_t)n + 1, sizeof(char *)),
               **b = calloc((size_t)n + 1, sizeof(char *));
    size_t *al = calloc((size_t)n + 1, sizeof(size_t)), *bl = calloc((size_t)n + 1, sizeof(size_t));
    for (cJSON *e = pairs ? pairs->child : NULL; e && k < n; e = e->next, k++) {
        a[k] = e->child->valuestring;
        al[k] = strlen(a[k]);
        b[k] = e->child->next->valuestring;
        bl[k] = strlen(b[k]);
    }
    for (int f = 0; f < 3; f++) {
        char dir[256], p[256];
        snprintf(dir, sizeof dir, EF "/%s/model", names[f]);
        lt_bert *m = NULL;
        CHECK_MSG(lt_bert_load(&m, dir, NULL) == LT_OK, "%s: %s", dir, lt_errmsg());
        if (!m) continue;
        CHECK(lt_bert_num_labels(m) == 1);
        lt_vecs *lg = NULL, *sc = NULL;
        snprintf(p, sizeof p, EF "/%s/logits.npy", names[f]);
        CHECK(lt_vecs_load(p, LT_FMT_NPY, &lg) == LT_OK);
        snprintf(p, sizeof p, EF "/%s/scores.npy", names[f]);
        CHECK(lt_vecs_load(p, LT_FMT_NPY, &sc) == LT_OK);
        float out[64];
        CHECK(lt_bert_score_pairs(m, a, al, b, bl, n, out, 2) == LT_OK);
        for (int i = 0; lg && sc && i < n && i < (int)lg->n; i++) {
            CHECK_NEAR(out[i], lt_vecs_row(lg, i)[0], 1e-5, 0);
            double want = sc->d == 1
                    ? lt_vecs_row(sc, i)[0]
                    : lt_vecs_row(sc, 0)[i]; /* a 1-D .npy: one row or one column */
            CHECK_NEAR(1 / (1 + exp(-(double)out[i])), want, 1e-5, 0);
        }
        lt_vecs_free(lg);
        lt_vecs_free(sc);
        lt_bert_free(m);
    }
    /* an embedding model is not a cross-encoder */
    lt_bert *m = NULL;
    CHECK(lt_bert_load(&m, EF "/roberta/st", NULL) == LT_OK && m && lt_bert_num_labels(m) == 0);
    float o1[2];
    CHECK(m && lt_bert_score_pairs(m, a, al, b, bl, 1, o1, 1) == LT_EINVAL &&
            strstr(lt_errmsg(), "not a cross-encoder"));
    lt_bert_free(m);
    cJSON_Delete(pairs);
    free(a);
    free(b);
    free(al);
    free(bl);
}

/* sentence-transformers' prompts and Matryoshka truncation through the pipeline */
TEST(prompt_and_dim) {
    char **ss = NULL;
    size_t *sl = NULL;
    int ns = ef_sentences(&ss, &sl);
    lt_bert *m = NULL;
    CHECK(lt_bert_load(&m, EF "/roberta/st", NULL) == LT_OK && m);
    if (!m) return;
    CHECK(lt_bert_prompt(m, NULL) == NULL && lt_bert_prompt(m, "query") &&
            !strcmp(lt_bert_prompt(m, "query"), ""));
    CHECK(lt_bert_prompt(m, "nope") == NULL && lt_bert_prompt_name(m, 0) &&
            !lt_bert_prompt_name(m, 2));
    lt_embed_opts o;
    lt_embed_opts_init(&o);
    o.prompt = "query: ";
    float *e = malloc(sizeof(float) * (size_t)ns * 32);
    lt_vecs *ref = NULL;
    CHECK(lt_embed_texts(m, (const char *const *)ss, sl, ns, e, 32, &o, NULL, NULL) == LT_OK);
    CHECK(lt_vecs_load(EF "/roberta/embeddings_prompt.npy", LT_FMT_NPY, &ref) == LT_OK && ref &&
            ref->d == 32);
    for (int r = 0; ref && r < ns; r++)
        CHECK_ARR(e + (size_t)r * 32, lt_vecs_row(ref, r), 32, 1e-5, 0);
    lt_vecs_free(ref);
    o.prompt = NULL;
    o.dim = 16;
    CHECK(lt_embed_texts(m, (const char *const *)ss, sl, ns, e, 16, &o, NULL, NULL) == LT_OK);
    CHECK(lt_vecs_load(EF "/roberta/embeddings_dim16.npy", LT_FMT_NPY, &ref) == LT_OK && ref &&
            ref->d == 16);
    for (int r = 0; ref && r < ns; r++)
        CHECK_ARR(e + (size_t)r * 16, lt_vecs_row(ref, r), 16, 1e-5, 0);
    lt_vecs_free(ref);
    free(e);
    lt_bert_free(m);
    for (int i = 0; i < ns; i++) free(ss[i]);
    free(ss);
    free(sl);
}

/* quantize_embeddings: sentence-transformers' bytes from the same floats */
TEST(quantize) {
    lt_vecs *emb = NULL;
    CHECK(lt_vecs_load(EF "/roberta/embeddings.npy", LT_FMT_NPY, &emb) == LT_OK && emb);
    if (!emb) return;
    static const char *names[] = { "int8", "uint8", "binary", "ubinary" };
    for (int i = 0; i < 4; i++) {
        char p[256];
        snprintf(p, sizeof p, EF "/roberta/q_%s.npy", names[i]);
        long len = 0;
        unsigned char *f = t_read_file(p, &len);
        CHECK(f && len > 10);
        if (!f) continue;
        size_t off = 10 + (size_t)(f[8] | f[9] << 8); /* the .npy header's length */
        lt_quant q = (lt_quant)lt_quant_from_name(names[i]);
        int64_t w = lt_quant_width(q, emb->d);
        uint8_t *out = malloc((size_t)(emb->n * w));
        CHECK(lt_quantize(emb->data, emb->n, emb->d, emb->ld, q, NULL, out) == w);
        CHECK_MSG((size_t)len == off + (size_t)(emb->n * w) &&
                        !memcmp(out, f + off, (size_t)(emb->n * w)),
                "%s differs", names[i]);
        free(out);
        free(f);
    }
    uint8_t one[32];
    CHECK(lt_quantize(emb->data, 1, emb->d, emb->ld, LT_QUANT_INT8, NULL, one) == LT_EINVAL);
    lt_vecs_free(emb);
}

/* the other pooling modes of sentence-transformers, on the RoBERTa fixture without Normalize */
TEST(pooling_modes) {
    char **ss = NULL;
    size_t *sl = NULL;
    int ns = ef_sentences(&ss, &sl);
    static const char *modes[] = { "mean_sqrt_len_tokens", "weightedmean", "lasttoken" };
    for (int k = 0; k < 3; k++) {
        lt_bert_opts o;
        lt_bert_opts_init(&o);
        o.pooling = lt_pooling_from_name(modes[k]);
        o.normalize = 0;
        CHECK(o.pooling != LT_POOL_DEFAULT && !strcmp(lt_pooling_name(o.pooling), modes[k]));
        lt_bert *m = NULL;
        CHECK(lt_bert_load(&m, EF "/roberta/st", &o) == LT_OK && m);
        char p[256];
        snprintf(p, sizeof p, EF "/roberta/pool_%s.npy", modes[k]);
        lt_vecs *ref = NULL;
        CHECK(lt_vecs_load(p, LT_FMT_NPY, &ref) == LT_OK && ref && ref->d == 32);
        if (m && ref) {
            float *e = malloc(sizeof(float) * (size_t)ns * 32);
            CHECK(lt_embed_texts(m, (const char *const *)ss, sl, ns, e, 32, NULL, NULL, NULL) ==
                    LT_OK);
            for (int r = 0; r < ns; r++)
                CHECK_ARR(e + (size_t)r * 32, lt_vecs_row(ref, r), 32, 1e-5, 1e-5);
            free(e);
        }
        lt_vecs_free(ref);
        lt_bert_free(m);
    }
    CHECK(lt_pooling_from_name("nope") == LT_POOL_DEFAULT);
    for (int i = 0; i < ns; i++) free(ss[i]);
    free(ss);
    free(sl);
}

RUN_TESTS(T(vision_towers), T(rotary_families), T(rotary_bad_configs), T(pooling_modes),
        T(quantize), T(prompt_and_dim), T(cross_encoders), T(roberta_family), T(tokenizer_json),
        T(fixtures_hf_layout), T(fixtures_st_layout), T(bad_model_folders), T(bf16_precision),
        T(embed_pipeline))
