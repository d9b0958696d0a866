/* BERT tokenizer of vocab.txt folders: BertNormalizer (clean text, CJK spacing, accent stripping, lowercasing),
 * BertPreTokenizer (whitespace and punctuation), greedy longest-match WordPiece.
 * Unicode properties come from utf8proc; the rules follow Hugging Face tokenizers. */
#include "encoder_impl.h"
#include "latent/tokenizer.h"
#include "latent/io.h"
#include "latent/core.h"
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

static int is_ws(int32_t c) { /* Unicode White_Space (Rust char::is_whitespace) */
    return (c >= 9 && c <= 13) || c == 32 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
            (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
            c == 0x205F || c == 0x3000;
}
static int is_control(int32_t c) {
    if (c == '\t' || c == '\n' || c == '\r') return 0;
    utf8proc_category_t k = utf8proc_category(c);
    return k == UTF8PROC_CATEGORY_CC || k == UTF8PROC_CATEGORY_CF || k == UTF8PROC_CATEGORY_CS ||
            k == UTF8PROC_CATEGORY_CO || k == UTF8PROC_CATEGORY_CN;
}
static int is_punct(int32_t c) {
    if (c < 128)
        return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) ||
                (c >= 123 && c <= 126);
    utf8proc_category_t k = utf8proc_category(c);
    return k >= UTF8PROC_CATEGORY_PC && k <= UTF8PROC_CATEGORY_PO;
}
static int is_cjk(int32_t c) {
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
            (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F) ||
            (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF) ||
            (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

typedef struct {
    int32_t *c;
    size_t n, cap;
} cpbuf;
static int cp_push(cpbuf *b, int32_t c) {
    if (b->n == b->cap) {
        size_t nc = b->cap ? b->cap * 2 : 256;
        int32_t *p = lt_realloc(b->c, nc * 4);
        if (!p) return LT_ENOMEM;
        b->c = p;
        b->cap = nc;
    }
    b->c[b->n++] = c;
    return LT_OK;
}

/* text -> normalized code points */
static int normalize(const lt_wp *wp, const char *text, size_t len, cpbuf *out) {
    cpbuf a = { 0 };
    size_t p = 0;
    while (p < len) {
        utf8proc_int32_t c;
        utf8proc_ssize_t k = utf8proc_iterate(
                (const utf8proc_uint8_t *)text + p, (utf8proc_ssize_t)(len - p), &c);
        if (k <= 0) {
            lt_free(a.c);
            return lt_err(LT_EFORMAT, "invalid UTF-8 at byte %zu", p);
        }
        p += (size_t)k;
        if (wp->clean_text) {
            if (c == 0 || c == 0xFFFD || is_control(c)) continue;
            if (is_ws(c)) c = ' ';
        }
        if (wp->chinese && is_cjk(c)) {
            if (cp_push(&a, ' ') || cp_push(&a, c) || cp_push(&a, ' ')) {
                lt_free(a.c);
                return LT_ENOMEM;
            }
            continue;
        }
        if (cp_push(&a, c)) {
            lt_free(a.c);
            return LT_ENOMEM;
        }
    }
    if (wp->strip_accents) {
        /* NFD (canonical decomposition with reordering), then drop nonspacing marks */
        cpbuf b = { 0 };
        for (size_t i = 0; i < a.n; i++) {
            utf8proc_int32_t dec[32];
            int last = 0;
            utf8proc_ssize_t k =
                    utf8proc_decompose_char(a.c[i], dec, 32, UTF8PROC_DECOMPOSE, &last);
            if (k < 0 || k > 32) {
                dec[0] = a.c[i];
                k = 1;
            }
            for (utf8proc_ssize_t j = 0; j < k; j++)
                if (utf8proc_category(dec[j]) != UTF8PROC_CATEGORY_MN && cp_push(&b, dec[j])) {
                    lt_free(a.c);
                    lt_free(b.c);
                    return LT_ENOMEM;
                }
        }
        lt_free(a.c);
        a = b;
    }
    if (wp->lower) {
        cpbuf b = { 0 };
        for (size_t i = 0; i < a.n; i++) {
            int rc;
            if (a.c[i] == 0x130)
                rc = cp_push(&b, 'i') || cp_push(&b, 0x307); /* full lowercase mapping */
            else rc = cp_push(&b, utf8proc_tolower(a.c[i]));
            if (rc) {
                lt_free(a.c);
                lt_free(b.c);
                return LT_ENOMEM;
            }
        }
        lt_free(a.c);
        a = b;
    }
    *out = a;
    return LT_OK;
}

static int push_id(int32_t **ids, int *n, int *cap, int32_t id) {
    if (*n == *cap) {
        int nc = *cap ? *cap * 2 : 64;
        int32_t *p = lt_realloc(*ids, (size_t)nc * 4);
        if (!p) return LT_ENOMEM;
        *ids = p;
        *cap = nc;
    }
    (*ids)[(*n)++] = id;
    return LT_OK;
}

/* WordPiece on one word (code points): greedy longest match, "##" continuations; a word
 * with a piece that matches nothing, or longer than max_chars, is one [UNK]. */
static int wordpiece(
        const lt_wp *wp, const int32_t *w, size_t n, int32_t **ids, int *cnt, int *cap) {
    if ((int)n > wp->max_chars) return push_id(ids, cnt, cap, wp->unk);
    size_t pl = strlen(wp->prefix);
    char *u = lt_malloc(n * 4 + 1), *cand = lt_malloc(n * 4 + pl + 1);
    size_t *off = lt_malloc((n + 1) * sizeof(size_t));
    if (!u || !cand || !off) {
        lt_free(u);
        lt_free(cand);
        lt_free(off);
        return LT_ENOMEM;
    }
    size_t bl = 0;
    for (size_t i = 0; i < n; i++) {
        off[i] = bl;
        bl += (size_t)utf8proc_encode_char(w[i], (utf8proc_uint8_t *)u + bl);
    }
    off[n] = bl;
    memcpy(cand, wp->prefix, pl);
    int start_n = *cnt, rc = LT_OK, bad = 0;
    size_t st = 0;
    while (st < n) {
        size_t en = n;
        int64_t found = -1;
        for (; en > st; en--) {
            size_t sl = off[en] - off[st];
            if (st) {
                memcpy(cand + pl, u + off[st], sl);
                found = lt__strmap_get(wp->vocab, cand, pl + sl);
            } else found = lt__strmap_get(wp->vocab, u, sl);
            if (found >= 0) break;
        }
        if (found < 0) {
            bad = 1;
            break;
        }
        if ((rc = push_id(ids, cnt, cap, (int32_t)found))) break;
        st = en;
    }
    lt_free(u);
    lt_free(cand);
    lt_free(off);
    if (rc) return rc;
    if (bad) {
        *cnt = start_n;
        return push_id(ids, cnt, cap, wp->unk);
    }
    return LT_OK;
}

/* normalise + pre-tokenise + WordPiece one stretch of text free of added tokens */
static int encode_plain(
        const lt_wp *wp, const char *text, size_t len, int32_t **ids, int *cnt, int *cap) {
    cpbuf a = { 0 };
    int rc = normalize(wp, text, len, &a);
    if (rc) return rc;
    size_t i = 0;
    while (i < a.n && rc == LT_OK) {
        if (is_ws(a.c[i])) {
            i++;
            continue;
        }
        if (is_punct(a.c[i])) {
            rc = wordpiece(wp, &a.c[i], 1, ids, cnt, cap);
            i++;
            continue;
        }
        size_t j = i;
        while (j < a.n && !is_ws(a.c[j]) && !is_punct(a.c[j])) j++;
        rc = wordpiece(wp, &a.c[i], j - i, ids, cnt, cap);
        i = j;
    }
    lt_free(a.c);
    return rc;
}

static int ascii_ws(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Added tokens ([CLS], [MASK], ...) are found in the raw text first, leftmost-longest as
 * Hugging Face does, and map straight to their ids; the text between them is tokenised
 * normally. lstrip/rstrip tokens also swallow the whitespace on that side. */
int lt__wp_encode(const lt_wp *wp, const char *text, size_t len, int32_t **ids, int *cap) {
    int cnt = 0, rc = LT_OK;
    size_t start = 0, i = 0;
    while (i < len && rc == LT_OK) {
        int best = -1;
        for (int a = 0; a < wp->n_added; a++) {
            const lt_added *t = &wp->added[a];
            if (t->len <= len - i && !memcmp(text + i, t->s, t->len) &&
                    (best < 0 || t->len > wp->added[best].len))
                best = a;
        }
        if (best < 0) {
            i++;
            continue;
        }
        const lt_added *t = &wp->added[best];
        size_t b = i, e = i + t->len;
        if (t->lstrip)
            while (b > start && ascii_ws(text[b - 1])) b--;
        if (t->rstrip)
            while (e < len && ascii_ws(text[e])) e++;
        if (b > start && (rc = encode_plain(wp, text + start, b - start, ids, &cnt, cap))) break;
        if ((rc = push_id(ids, &cnt, cap, t->id))) break;
        start = i = e;
    }
    if (rc == LT_OK && start < len)
        rc = encode_plain(wp, text + start, len - start, ids, &cnt, cap);
    return rc ? rc : cnt;
}

static int add_added(lt_wp *wp, const char *s, int32_t id, int lstrip, int rstrip) {
    if (!*s) return LT_OK;
    lt_added *n = lt_realloc(wp->added, sizeof *n * (size_t)(wp->n_added + 1));
    if (!n) return LT_ENOMEM;
    wp->added = n;
    char *c = lt_strdup(s);
    if (!c) return LT_ENOMEM;
    n[wp->n_added++] = (lt_added){ c, strlen(c), id, lstrip, rstrip };
    return LT_OK;
}

void lt__wp_destroy(lt_wp *wp) {
    if (!wp) return;
    lt__strmap_free(wp->vocab);
    for (int i = 0; i < wp->n_added; i++) lt_free(wp->added[i].s);
    lt_free(wp->added);
    memset(wp, 0, sizeof *wp);
}

static int find_tok(const lt_wp *wp, const char *t, int32_t *out, const char *name) {
    int64_t i = lt__strmap_get(wp->vocab, t, strlen(t));
    if (i < 0) return lt_err(LT_EFORMAT, "%s: the vocabulary has no %s token", name, t);
    *out = (int32_t)i;
    return LT_OK;
}

static int read_text(const char *path, char **out, size_t *len) {
    char *b;
    size_t ml;
    int rc = lt_read_whole(path, &b, len, &ml);
    if (rc) return rc;
    char *c = lt_malloc(*len + 1);
    if (!c) {
        lt_release_whole(b, ml);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    if (*len) memcpy(c, b, *len); /* an empty file maps to no buffer at all */
    c[*len] = 0;
    lt_release_whole(b, ml);
    *out = c;
    return LT_OK;
}

int lt__wp_load(lt_wp *wp, const char *dir) {
    char path[4096];
    char *txt = NULL;
    size_t len;
    int rc;
    { /* vocab.txt + tokenizer_config.json (a folder with a tokenizer.json reads it through the
         * general pipeline, tok.c) */
        memset(wp, 0, sizeof *wp);
        snprintf(path, sizeof path, "%s/vocab.txt", dir);
        if ((rc = read_text(path, &txt, &len)))
            return lt_err(rc,
                    "%s: no tokenizer.json and no vocab.txt: a BERT tokenizer needs one of them",
                    dir);
        wp->vocab = lt__strmap_new();
        if (!wp->vocab) {
            lt_free(txt);
            return LT_ENOMEM;
        }
        size_t p = 0;
        while (p < len) {
            char *nl = memchr(txt + p, '\n', len - p);
            size_t e = nl ? (size_t)(nl - txt) : len, l = e - p;
            if (l && txt[p + l - 1] == '\r') l--;
            int added = 0;
            if (lt__strmap_put(wp->vocab, txt + p, l, &added) < 0) {
                rc = lt_err(LT_ENOMEM, "out of memory");
                lt_free(txt);
                lt__wp_destroy(wp);
                return rc;
            }
            if (!added) {
                lt_free(txt);
                lt__wp_destroy(wp);
                return lt_err(LT_EFORMAT, "%s: offset %zu: duplicate token", path, p);
            }
            p = e + 1;
        }
        lt_free(txt);
        wp->lower = 1;
        wp->clean_text = 1;
        wp->chinese = 1;
        wp->max_chars = 100;
        snprintf(wp->prefix, sizeof wp->prefix, "##");
        int strip = -1;
        snprintf(path, sizeof path, "%s/tokenizer_config.json", dir);
        if (read_text(path, &txt, &len) == LT_OK) {
            cJSON *j = cJSON_ParseWithLength(txt, len), *x;
            if (!j) {
                lt_free(txt);
                lt__wp_destroy(wp);
                return lt_err(LT_EFORMAT, "%s: malformed JSON", path);
            }
            if ((x = cJSON_GetObjectItemCaseSensitive(j, "do_lower_case")))
                wp->lower = cJSON_IsTrue(x);
            if ((x = cJSON_GetObjectItemCaseSensitive(j, "tokenize_chinese_chars")))
                wp->chinese = cJSON_IsTrue(x);
            if ((x = cJSON_GetObjectItemCaseSensitive(j, "strip_accents")) && !cJSON_IsNull(x))
                strip = cJSON_IsTrue(x);
            cJSON_Delete(j);
            lt_free(txt);
        }
        wp->strip_accents = strip >= 0 ? strip : wp->lower;
        if ((rc = find_tok(wp, "[UNK]", &wp->unk, path)) ||
                (rc = find_tok(wp, "[CLS]", &wp->cls, path)) ||
                (rc = find_tok(wp, "[SEP]", &wp->sep, path))) {
            lt__wp_destroy(wp);
            return rc;
        }
        if (find_tok(wp, "[PAD]", &wp->pad, path)) wp->pad = 0;
        /* the special tokens Hugging Face registers for a vocab.txt BERT tokenizer */
        static const char *const specials[] = { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" };
        for (int s = 0; s < 5; s++) {
            int64_t id = lt__strmap_get(wp->vocab, specials[s], strlen(specials[s]));
            if (id >= 0 && add_added(wp, specials[s], (int32_t)id, 0, 0)) {
                lt__wp_destroy(wp);
                return lt_err(LT_ENOMEM, "out of memory");
            }
        }
    }
    snprintf(path, sizeof path, "%s/tokenizer_config.json", dir);
    if (read_text(path, &txt, &len) == LT_OK) {
        cJSON *j = cJSON_ParseWithLength(txt, len), *x;
        if (j && (x = cJSON_GetObjectItemCaseSensitive(j, "model_max_length")) &&
                cJSON_IsNumber(x) && x->valuedouble > 0 && x->valuedouble < 1e9)
            wp->model_max_length = (int)x->valuedouble;
        cJSON_Delete(j);
        lt_free(txt);
    }
    return LT_OK;
}

int lt_bert_tokenizer_check(const char *json, size_t len, const char *name) {
    lt_tokenizer *t;
    int rc = lt_tokenizer_parse(&t, json, len, name);
    if (rc) return rc;
    lt_encoding e = { 0 };
    rc = lt_tokenizer_encode(t, json, len > 2000 ? 2000 : len, NULL, 0, 1, 0, &e);
    lt_encoding_free(&e);
    lt_tokenizer_free(t);
    return rc;
}
