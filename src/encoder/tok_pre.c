/* Pre-tokenizers of tokenizer.json: ByteLevel (GPT-2's regex and byte-to-char map), Metaspace,
 * Whitespace, WhitespaceSplit, BertPreTokenizer, Punctuation, Digits, Split (string or regex,
 * five behaviours, invert), Sequence; and the regexes they and Replace use (Oniguruma, the
 * engine Hugging Face's tokenizers uses). */
#include "tok.h"
#include "latent/core.h"
#include <oniguruma.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* ---- regexes ---- */
struct lt__re {
    regex_t *re;
};
static pthread_once_t g_onig_once = PTHREAD_ONCE_INIT;
static void onig_start(void) {
    OnigEncoding enc[1] = { ONIG_ENCODING_UTF8 };
    onig_initialize(enc, 1);
}
int lt__re_new(lt__re **out, const char *pattern, const char *name) {
    pthread_once(&g_onig_once, onig_start);
    lt__re *r = lt_calloc(1, sizeof *r);
    if (!r) return lt_err(LT_ENOMEM, "out of memory");
    OnigErrorInfo ei;
    const UChar *p = (const UChar *)pattern;
    int rc = onig_new(&r->re, p, p + strlen(pattern), ONIG_OPTION_NONE, ONIG_ENCODING_UTF8,
            ONIG_SYNTAX_DEFAULT, &ei);
    if (rc != ONIG_NORMAL) {
        UChar msg[ONIG_MAX_ERROR_MESSAGE_LEN];
        onig_error_code_to_str(msg, rc, &ei);
        lt_free(r);
        return lt_err(LT_EFORMAT, "%s: regex '%.60s': %s", name, pattern, msg);
    }
    *out = r;
    return LT_OK;
}
void lt__re_free(lt__re *r) {
    if (!r) return;
    onig_free(r->re);
    lt_free(r);
}
/* one match region per thread, kept: a search per token otherwise allocates twice */
static pthread_key_t g_region_key;
static pthread_once_t g_region_once = PTHREAD_ONCE_INIT;
static void region_free(void *r) { onig_region_free(r, 1); }
static void region_key(void) { pthread_key_create(&g_region_key, region_free); }
int lt__re_find(const lt__re *r, const char *s, size_t n, size_t from, size_t *b, size_t *e) {
    if (from > n) return 0;
    pthread_once(&g_region_once, region_key);
    OnigRegion *reg = pthread_getspecific(g_region_key);
    if (!reg) {
        if (!(reg = onig_region_new())) return 0;
        pthread_setspecific(g_region_key, reg);
    }
    const UChar *st = (const UChar *)s, *end = st + n;
    int rc = onig_search(r->re, st, end, st + from, end, reg, ONIG_OPTION_NONE);
    int hit = rc >= 0;
    if (hit) {
        *b = (size_t)reg->beg[0];
        *e = (size_t)reg->end[0];
    }
    return hit;
}

/* ---- pieces ---- */
void lt__pieces_free(lt__pieces *ps) {
    for (int i = 0; i < ps->n; i++) lt__nstr_free(&ps->p[i]);
    lt_free(ps->p);
    memset(ps, 0, sizeof *ps);
}
static int piece_add(lt__pieces *ps, const lt__nstr *s, size_t a, size_t b) {
    if (b <= a) return LT_OK; /* empty pieces are dropped */
    if (ps->n == ps->cap) {
        int nc = ps->cap ? ps->cap * 2 : 16;
        lt__nstr *p = lt_realloc(ps->p, sizeof *p * (size_t)nc);
        if (!p) return LT_ENOMEM;
        ps->p = p;
        ps->cap = nc;
    }
    lt__nstr *d = &ps->p[ps->n];
    memset(d, 0, sizeof *d);
    if (lt__nstr_append(d, s, a, b)) {
        lt__nstr_free(d);
        return LT_ENOMEM;
    }
    ps->n++;
    return LT_OK;
}

/* ---- splitting by matches, Hugging Face's five behaviours ---- */
enum { B_REMOVED, B_ISOLATED, B_MERGED_PREV, B_MERGED_NEXT, B_CONTIGUOUS };
typedef struct {
    size_t a, b;
    int m;
} range;
typedef struct {
    range *r;
    int n, cap;
} ranges;
static int rpush(ranges *rs, size_t a, size_t b, int m) {
    if (rs->n == rs->cap) {
        int nc = rs->cap ? rs->cap * 2 : 32;
        range *p = lt_realloc(rs->r, sizeof *p * (size_t)nc);
        if (!p) return LT_ENOMEM;
        rs->r = p;
        rs->cap = nc;
    }
    rs->r[rs->n++] = (range){ a, b, m };
    return LT_OK;
}
/* the string as (range, is_match) in order, covering it */
typedef int (*matcher)(const void *ud, const lt__nstr *s, size_t from, size_t *b, size_t *e);
static int find_ranges(const lt__nstr *s, matcher f, const void *ud, int invert, ranges *rs) {
    size_t prev = 0, p = 0;
    int rc = LT_OK;
    while (rc == LT_OK && p <= s->n) {
        size_t b, e;
        if (!f(ud, s, p, &b, &e)) break;
        if (b > prev) rc = rpush(rs, prev, b, invert);
        if (rc == LT_OK) rc = rpush(rs, b, e, !invert);
        prev = e;
        if (e > b) p = e;
        else { /* an empty match: step over one char */
            if (e >= s->n) break;
            size_t q = e;
            lt__utf8_next(s->s, s->n, &q);
            p = q;
        }
    }
    if (rc == LT_OK && prev < s->n) rc = rpush(rs, prev, s->n, invert);
    return rc;
}
static int split_by(
        const lt__nstr *s, matcher f, const void *ud, int behaviour, int invert, lt__pieces *out) {
    ranges rs = { 0 }, o = { 0 };
    int rc = find_ranges(s, f, ud, invert, &rs);
    int prev = 0;
    if (rc == LT_OK && behaviour == B_MERGED_NEXT) {
        for (int i = rs.n - 1; i >= 0 && rc == LT_OK; i--) {
            if (rs.r[i].m && !prev && o.n) o.r[o.n - 1].a = rs.r[i].a;
            else rc = rpush(&o, rs.r[i].a, rs.r[i].b, 0);
            prev = rs.r[i].m;
        }
        for (int i = 0; i < o.n / 2; i++) {
            range t = o.r[i];
            o.r[i] = o.r[o.n - 1 - i];
            o.r[o.n - 1 - i] = t;
        }
    } else
        for (int i = 0; i < rs.n && rc == LT_OK; i++) {
            range r = rs.r[i];
            switch (behaviour) {
            case B_REMOVED:
                if (!r.m) rc = rpush(&o, r.a, r.b, 0);
                break;
            case B_ISOLATED: rc = rpush(&o, r.a, r.b, 0); break;
            case B_MERGED_PREV:
                if (r.m && !prev && o.n) o.r[o.n - 1].b = r.b;
                else rc = rpush(&o, r.a, r.b, 0);
                break;
            case B_CONTIGUOUS:
                if (i > 0 && r.m == prev && o.n) o.r[o.n - 1].b = r.b;
                else rc = rpush(&o, r.a, r.b, 0);
                break;
            }
            prev = r.m;
        }
    for (int i = 0; i < o.n && rc == LT_OK; i++) rc = piece_add(out, s, o.r[i].a, o.r[i].b);
    lt_free(rs.r);
    lt_free(o.r);
    return rc ? lt_err(LT_ENOMEM, "out of memory") : LT_OK;
}
/* matchers: a regex, a literal string, or single chars by a predicate */
static int m_regex(const void *ud, const lt__nstr *s, size_t from, size_t *b, size_t *e) {
    return lt__re_find(ud, s->s, s->n, from, b, e);
}
static int m_string(const void *ud, const lt__nstr *s, size_t from, size_t *b, size_t *e) {
    const char *p = ud;
    size_t pl = strlen(p);
    if (!pl || from >= s->n) return 0;
    const char *f = memmem(s->s + from, s->n - from, p, pl);
    if (!f) return 0;
    *b = (size_t)(f - s->s);
    *e = *b + pl;
    return 1;
}
typedef int (*char_pred)(int32_t c);
static int m_char(const void *ud, const lt__nstr *s, size_t from, size_t *b, size_t *e) {
    char_pred f = *(const char_pred *)ud;
    for (size_t p = from; p < s->n;) {
        size_t q = p;
        if (f(lt__utf8_next(s->s, s->n, &q))) {
            *b = p;
            *e = q;
            return 1;
        }
        p = q;
    }
    return 0;
}
static int is_numeric(int32_t c) {
    utf8proc_category_t k = utf8proc_category(c);
    return k == UTF8PROC_CATEGORY_ND || k == UTF8PROC_CATEGORY_NL || k == UTF8PROC_CATEGORY_NO;
}
static int is_bert_punct(int32_t c) { return lt__is_punct(c); }

/* ---- the pre-tokenizers ---- */
enum {
    P_BYTELEVEL,
    P_METASPACE,
    P_WHITESPACE,
    P_WSSPLIT,
    P_BERT,
    P_PUNCT,
    P_DIGITS,
    P_SPLIT,
    P_SEQ
};
struct lt__pre {
    int kind;
    int add_prefix_space, use_regex; /* ByteLevel */
    char rep[8];
    int prepend, split; /* Metaspace: replacement, 0 never 1 always 2 first */
    int behaviour, invert, individual; /* Split, Punctuation, Digits */
    char *pat;
    lt__re *re; /* Split */
    lt__pre **sub;
    int n_sub; /* Sequence */
};

static const char GPT2_RE[] =
        "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
static lt__re *g_gpt2;
static int g_gpt2_rc;
static void gpt2_init(void) { g_gpt2_rc = lt__re_new(&g_gpt2, GPT2_RE, "ByteLevel"); }
static pthread_once_t g_gpt2_once = PTHREAD_ONCE_INIT;

/* GPT-2's byte -> char map: printable Latin-1 bytes stand for themselves, the others for
 * U+0100 upwards in byte order */
static int32_t byte_char(unsigned b) {
    if ((b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255))
        return (int32_t)b;
    int32_t k = 0;
    for (unsigned x = 0; x < b; x++)
        if (!((x >= 33 && x <= 126) || (x >= 161 && x <= 172) || (x >= 174 && x <= 255))) k++;
    return 256 + k;
}
static int32_t g_bytes[256];
static pthread_once_t g_bytes_once = PTHREAD_ONCE_INIT;
static void bytes_init(void) {
    for (unsigned b = 0; b < 256; b++) g_bytes[b] = byte_char(b);
}

int lt__bytelevel_byte(int32_t c) {
    pthread_once(&g_bytes_once, bytes_init);
    if (c < 0 || c > 0x1ff) return -1;
    for (int b = 0; b < 256; b++)
        if (g_bytes[b] == c) return b;
    return -1;
}

static int prepend_str(lt__nstr *s, const char *p) {
    lt__nstr d = { 0 };
    size_t q = 0;
    if (s->n) lt__utf8_next(s->s, s->n, &q);
    int32_t st = s->n ? s->o[0] : 0, en = s->n ? s->o[2 * q - 1] : 0;
    if (lt__nstr_push(&d, p, strlen(p), st, en)) goto oom;
    for (size_t i = 0; i < s->n; i++)
        if (lt__nstr_push(&d, s->s + i, 1, s->o[2 * i], s->o[2 * i + 1])) goto oom;
    lt__nstr_free(s);
    *s = d;
    return LT_OK;
oom:
    lt__nstr_free(&d);
    return LT_ENOMEM;
}

static int bytelevel_map(lt__nstr *s) {
    pthread_once(&g_bytes_once, bytes_init);
    lt__nstr d = { 0 };
    for (size_t i = 0; i < s->n; i++) {
        char b[4];
        int bl = lt__utf8_put(g_bytes[(unsigned char)s->s[i]], b);
        if (lt__nstr_push(&d, b, (size_t)bl, s->o[2 * i], s->o[2 * i + 1])) {
            lt__nstr_free(&d);
            return LT_ENOMEM;
        }
    }
    if (!d.s && lt__nstr_push(&d, "", 0, 0, 0)) return LT_ENOMEM;
    lt__nstr_free(s);
    *s = d;
    return LT_OK;
}

static int apply_one(const lt__pre *p, lt__nstr *s, int first, lt__pieces *out) {
    static const char_pred ws = lt__is_ws, punct = is_bert_punct, num = is_numeric;
    int rc = LT_OK;
    switch (p->kind) {
    case P_BYTELEVEL: {
        if (p->add_prefix_space && (!s->n || s->s[0] != ' ') && prepend_str(s, " "))
            return lt_err(LT_ENOMEM, "out of memory");
        lt__pieces tmp = { 0 };
        if (p->use_regex) {
            pthread_once(&g_gpt2_once, gpt2_init);
            if (g_gpt2_rc) return g_gpt2_rc;
            rc = split_by(s, m_regex, g_gpt2, B_ISOLATED, 0, &tmp);
        } else rc = piece_add(&tmp, s, 0, s->n);
        for (int i = 0; i < tmp.n && rc == LT_OK; i++) {
            if ((rc = bytelevel_map(&tmp.p[i]))) break;
            rc = piece_add(out, &tmp.p[i], 0, tmp.p[i].n);
        }
        lt__pieces_free(&tmp);
        return rc ? lt_err(LT_ENOMEM, "out of memory") : LT_OK;
    }
    case P_METASPACE: {
        /* spaces become the replacement (each keeps its space's range) */
        lt__nstr d = { 0 };
        size_t rl = strlen(p->rep);
        for (size_t i = 0; i < s->n && rc == LT_OK; i++)
            rc = s->s[i] == ' ' ? lt__nstr_push(&d, p->rep, rl, s->o[2 * i], s->o[2 * i + 1])
                                : lt__nstr_push(&d, s->s + i, 1, s->o[2 * i], s->o[2 * i + 1]);
        if (rc == LT_OK && !d.s) rc = lt__nstr_push(&d, "", 0, 0, 0);
        if (rc) {
            lt__nstr_free(&d);
            return lt_err(LT_ENOMEM, "out of memory");
        }
        int starts = d.n >= rl && !memcmp(d.s, p->rep, rl);
        if (!starts && (p->prepend == 1 || (p->prepend == 2 && first)) && prepend_str(&d, p->rep)) {
            lt__nstr_free(&d);
            return lt_err(LT_ENOMEM, "out of memory");
        }
        rc = p->split ? split_by(&d, m_string, p->rep, B_MERGED_NEXT, 0, out)
                      : (piece_add(out, &d, 0, d.n) ? lt_err(LT_ENOMEM, "out of memory") : LT_OK);
        lt__nstr_free(&d);
        return rc;
    }
    case P_WHITESPACE: return split_by(s, m_regex, p->re, B_REMOVED, 1, out);
    case P_WSSPLIT: return split_by(s, m_char, &ws, B_REMOVED, 0, out);
    case P_BERT: {
        lt__pieces tmp = { 0 };
        rc = split_by(s, m_char, &ws, B_REMOVED, 0, &tmp);
        for (int i = 0; i < tmp.n && rc == LT_OK; i++)
            rc = split_by(&tmp.p[i], m_char, &punct, B_ISOLATED, 0, out);
        lt__pieces_free(&tmp);
        return rc;
    }
    case P_PUNCT: return split_by(s, m_char, &punct, p->behaviour, 0, out);
    case P_DIGITS:
        return split_by(s, m_char, &num, p->individual ? B_ISOLATED : B_CONTIGUOUS, 0, out);
    case P_SPLIT:
        return p->re ? split_by(s, m_regex, p->re, p->behaviour, p->invert, out)
                     : split_by(s, m_string, p->pat, p->behaviour, p->invert, out);
    }
    return LT_OK;
}

int lt__pre_apply(const lt__pre *p, lt__nstr *s, int first, lt__pieces *out) {
    if (!p) return piece_add(out, s, 0, s->n) ? lt_err(LT_ENOMEM, "out of memory") : LT_OK;
    if (p->kind != P_SEQ) return apply_one(p, s, first, out);
    /* each pre-tokenizer in turn on every piece the previous ones made */
    lt__pieces cur = { 0 };
    int rc = piece_add(&cur, s, 0, s->n) ? lt_err(LT_ENOMEM, "out of memory") : LT_OK;
    for (int k = 0; k < p->n_sub && rc == LT_OK; k++) {
        lt__pieces next = { 0 };
        for (int i = 0; i < cur.n && rc == LT_OK; i++)
            rc = lt__pre_apply(
                    p->sub[k], &cur.p[i], first && cur.p[i].n && cur.p[i].o[0] == 0, &next);
        lt__pieces_free(&cur);
        cur = next;
    }
    for (int i = 0; i < cur.n && rc == LT_OK; i++)
        rc = piece_add(out, &cur.p[i], 0, cur.p[i].n) ? lt_err(LT_ENOMEM, "out of memory") : LT_OK;
    lt__pieces_free(&cur);
    return rc;
}

int lt__pre_is_bytelevel(const lt__pre *p) {
    if (!p) return 0;
    if (p->kind == P_BYTELEVEL) return 1;
    for (int i = 0; i < p->n_sub; i++)
        if (lt__pre_is_bytelevel(p->sub[i])) return 1;
    return 0;
}

void lt__pre_free(lt__pre *p) {
    if (!p) return;
    for (int i = 0; i < p->n_sub; i++) lt__pre_free(p->sub[i]);
    lt_free(p->sub);
    lt_free(p->pat);
    if (p->kind != P_WHITESPACE) lt__re_free(p->re);
    lt_free(p);
}

static int behaviour(const char *b, int def) {
    static const char *names[] = { "Removed", "Isolated", "MergedWithPrevious", "MergedWithNext",
        "Contiguous" };
    if (!b) return def;
    for (int i = 0; i < 5; i++)
        if (!strcmp(b, names[i])) return i;
    return -1;
}

static lt__re *g_ws_re;
static int g_ws_rc;
static void ws_init(void) { g_ws_rc = lt__re_new(&g_ws_re, "\\w+|[^\\w\\s]+", "Whitespace"); }
static pthread_once_t g_ws_once = PTHREAD_ONCE_INIT;

int lt__pre_parse(lt__pre **out, const cJSON *j, const char *name) {
    *out = NULL;
    if (!j || cJSON_IsNull(j)) return LT_OK;
    const char *t = lt__jstr(j, "type");
    if (!t) return lt_err(LT_EFORMAT, "%s: pre_tokenizer without a type", name);
    lt__pre *p = lt_calloc(1, sizeof *p);
    if (!p) return lt_err(LT_ENOMEM, "out of memory");
    int rc = LT_OK;
    if (!strcmp(t, "ByteLevel")) {
        p->kind = P_BYTELEVEL;
        p->add_prefix_space = lt__jbool(j, "add_prefix_space", 1);
        p->use_regex = lt__jbool(j, "use_regex", 1);
    } else if (!strcmp(t, "Metaspace")) {
        p->kind = P_METASPACE;
        const char *r = lt__jstr(j, "replacement"), *ps = lt__jstr(j, "prepend_scheme");
        snprintf(p->rep, sizeof p->rep, "%s", r ? r : "\u2581");
        p->prepend = ps ? (!strcmp(ps, "always")                 ? 1
                                          : !strcmp(ps, "first") ? 2
                                                                 : 0)
                        : lt__jbool(j, "add_prefix_space", 1);
        if (ps && strcmp(ps, "always") && strcmp(ps, "first") && strcmp(ps, "never"))
            rc = lt_err(LT_EFORMAT, "%s: Metaspace prepend_scheme '%s'", name, ps);
        p->split = lt__jbool(j, "split", 1);
    } else if (!strcmp(t, "Whitespace")) {
        p->kind = P_WHITESPACE;
        pthread_once(&g_ws_once, ws_init);
        rc = g_ws_rc;
        p->re = g_ws_re;
    } else if (!strcmp(t, "WhitespaceSplit")) p->kind = P_WSSPLIT;
    else if (!strcmp(t, "BertPreTokenizer")) p->kind = P_BERT;
    else if (!strcmp(t, "Punctuation")) {
        p->kind = P_PUNCT;
        if ((p->behaviour = behaviour(lt__jstr(j, "behavior"), B_ISOLATED)) < 0)
            rc = lt_err(LT_EFORMAT, "%s: Punctuation behavior", name);
    } else if (!strcmp(t, "Digits")) {
        p->kind = P_DIGITS;
        p->individual = lt__jbool(j, "individual_digits", 0);
    } else if (!strcmp(t, "Split")) {
        p->kind = P_SPLIT;
        const cJSON *pt = cJSON_GetObjectItemCaseSensitive(j, "pattern");
        const char *ps = lt__jstr(pt, "String"), *pr = lt__jstr(pt, "Regex");
        p->invert = lt__jbool(j, "invert", 0);
        if ((p->behaviour = behaviour(lt__jstr(j, "behavior"), B_ISOLATED)) < 0)
            rc = lt_err(LT_EFORMAT, "%s: Split behavior '%s'", name, lt__jstr(j, "behavior"));
        else if (pr) rc = lt__re_new(&p->re, pr, name);
        else if (!ps) rc = lt_err(LT_EFORMAT, "%s: Split needs a pattern (String or Regex)", name);
        else if (!(p->pat = lt_strdup(ps))) rc = lt_err(LT_ENOMEM, "out of memory");
    } else if (!strcmp(t, "Sequence")) {
        p->kind = P_SEQ;
        rc = lt__parse_list(j, "pretokenizers", "pre_tokenizer", (lt__parse_fn)lt__pre_parse,
                (void ***)&p->sub, &p->n_sub, name);
    } else
        rc = lt_err(LT_EFORMAT,
                "%s: pre_tokenizer '%s' is not implemented (have: ByteLevel, Metaspace, Whitespace, "
                "WhitespaceSplit, BertPreTokenizer, Punctuation, Digits, Split, Sequence)",
                name, t);
    if (rc) {
        lt__pre_free(p);
        return rc;
    }
    *out = p;
    return LT_OK;
}
