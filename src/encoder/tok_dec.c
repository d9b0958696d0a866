/* Decoders of tokenizer.json ("decoder"): tokens back to text, as Hugging Face tokenizers'
 * decode_chain does for each kind: ByteLevel, WordPiece, Metaspace, BPEDecoder, ByteFallback,
 * Fuse, Strip, Replace and Sequence. A token list is an array of lt_malloc'ed strings. */
#include "tok.h"
#include "latent/core.h"
#include <stdlib.h>
#include <string.h>

enum {
    D_BYTELEVEL,
    D_WORDPIECE,
    D_METASPACE,
    D_BPE,
    D_BYTEFALLBACK,
    D_FUSE,
    D_STRIP,
    D_REPLACE,
    D_SEQUENCE
};
struct lt__dec {
    int kind;
    char *a, *b; /* WordPiece prefix; Metaspace replacement; BPE suffix; Strip content; Replace
                    pattern and content */
    int cleanup, prepend, start, stop; /* prepend: Metaspace adds a space before the first word */
    lt__re *re; /* Replace with a Regex pattern */
    lt__dec **sub;
    int n_sub;
};

void lt__dec_free(lt__dec *d) {
    if (!d) return;
    for (int i = 0; i < d->n_sub; i++) lt__dec_free(d->sub[i]);
    lt_free(d->sub);
    lt_free(d->a);
    lt_free(d->b);
    if (d->re) lt__re_free(d->re);
    lt_free(d);
}

static int parse_one(void **out, const cJSON *j, const char *name) {
    return lt__dec_parse((lt__dec **)out, j, name);
}

int lt__dec_parse(lt__dec **out, const cJSON *j, const char *name) {
    *out = NULL;
    if (!j || cJSON_IsNull(j)) return LT_OK;
    const char *ty = lt__jstr(j, "type");
    if (!ty) return lt_err(LT_EFORMAT, "%s: a decoder without a type", name);
    lt__dec *d = lt_calloc(1, sizeof *d);
    if (!d) return lt_err(LT_ENOMEM, "out of memory");
    int rc = LT_OK;
    const char *s;
    if (!strcmp(ty, "ByteLevel")) d->kind = D_BYTELEVEL;
    else if (!strcmp(ty, "WordPiece")) {
        d->kind = D_WORDPIECE;
        s = lt__jstr(j, "prefix");
        if (!(d->a = lt_strdup(s ? s : "##"))) rc = LT_ENOMEM;
        d->cleanup = lt__jbool(j, "cleanup", 1);
    } else if (!strcmp(ty, "Metaspace")) {
        d->kind = D_METASPACE;
        s = lt__jstr(j, "replacement");
        if (!(d->a = lt_strdup(s ? s : "\xe2\x96\x81"))) rc = LT_ENOMEM;
        const char *ps = lt__jstr(j, "prepend_scheme");
        d->prepend = ps ? strcmp(ps, "never") != 0 : lt__jbool(j, "add_prefix_space", 1);
    } else if (!strcmp(ty, "BPEDecoder")) {
        d->kind = D_BPE;
        s = lt__jstr(j, "suffix");
        if (!(d->a = lt_strdup(s ? s : "</w>"))) rc = LT_ENOMEM;
    } else if (!strcmp(ty, "ByteFallback")) d->kind = D_BYTEFALLBACK;
    else if (!strcmp(ty, "Fuse")) d->kind = D_FUSE;
    else if (!strcmp(ty, "Strip")) {
        d->kind = D_STRIP;
        s = lt__jstr(j, "content");
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(j, "start"),
                    *b = cJSON_GetObjectItemCaseSensitive(j, "stop");
        d->start =
                cJSON_IsNumber(a) && a->valuedouble > 0 && a->valuedouble < 1e6 ? a->valueint : 0;
        d->stop = cJSON_IsNumber(b) && b->valuedouble > 0 && b->valuedouble < 1e6 ? b->valueint : 0;
        if (!s || !*s) rc = lt_err(LT_EFORMAT, "%s: Strip decoder without content", name);
        else if (!(d->a = lt_strdup(s))) rc = LT_ENOMEM;
    } else if (!strcmp(ty, "Replace")) {
        d->kind = D_REPLACE;
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(j, "pattern");
        const char *str = lt__jstr(p, "String"), *re = lt__jstr(p, "Regex");
        s = lt__jstr(j, "content");
        if ((!str && !re) || !s)
            rc = lt_err(LT_EFORMAT, "%s: Replace decoder without pattern or content", name);
        else if (!(d->b = lt_strdup(s))) rc = LT_ENOMEM;
        else if (str && !*str)
            rc = lt_err(LT_EFORMAT, "%s: Replace decoder with an empty pattern", name);
        else if (str) rc = (d->a = lt_strdup(str)) ? LT_OK : LT_ENOMEM;
        else rc = lt__re_new(&d->re, re, name);
    } else if (!strcmp(ty, "Sequence")) {
        d->kind = D_SEQUENCE;
        rc = lt__parse_list(
                j, "decoders", "decoder", parse_one, (void ***)&d->sub, &d->n_sub, name);
    } else
        rc = lt_err(LT_EFORMAT,
                "%s: decoder '%s' is not implemented (have: ByteLevel, WordPiece, Metaspace, "
                "BPEDecoder, ByteFallback, Fuse, Strip, Replace, Sequence)",
                name, ty);
    if (rc == LT_ENOMEM) rc = lt_err(LT_ENOMEM, "out of memory");
    if (rc) {
        lt__dec_free(d);
        return rc;
    }
    *out = d;
    return LT_OK;
}

/* ---- a growable string ---- */
typedef struct {
    char *s;
    size_t n, cap;
    int oom;
} str;
static void put(str *b, const char *s, size_t n) {
    if (b->oom) return;
    if (b->n + n + 1 > b->cap) {
        size_t c = b->cap ? b->cap : 32;
        while (c < b->n + n + 1) c *= 2;
        char *p = lt_realloc(b->s, c);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->s = p;
        b->cap = c;
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = 0;
}
static char *take(str *b) {
    if (!b->s && !b->oom) put(b, "", 0);
    if (b->oom) {
        lt_free(b->s);
        return NULL;
    }
    return b->s;
}

/* bytes as Rust's String::from_utf8_lossy: each maximal invalid subpart becomes U+FFFD; returns
 * how many there were (0: the bytes were valid UTF-8) */
static int lossy(str *o, const unsigned char *s, size_t n) {
    int bad = 0;
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        size_t need = c < 0x80           ? 0
                : c >= 0xc2 && c <= 0xdf ? 1
                : c >= 0xe0 && c <= 0xef ? 2
                : c >= 0xf0 && c <= 0xf4 ? 3
                                         : 9;
        if (need == 0) { /* NUL travels as U+10FFFF, the tokenizer's spelling of it (tok.c) */
            if (c) put(o, (const char *)s + i, 1);
            else put(o, "\xf4\x8f\xbf\xbf", 4);
            i++;
            continue;
        }
        size_t k = 1;
        if (need != 9)
            for (; k <= need && i + k < n; k++) {
                unsigned x = s[i + k];
                unsigned lo = 0x80, hi = 0xbf;
                if (k == 1) {
                    if (c == 0xe0) lo = 0xa0;
                    else if (c == 0xed) hi = 0x9f;
                    else if (c == 0xf0) lo = 0x90;
                    else if (c == 0xf4) hi = 0x8f;
                }
                if (x < lo || x > hi) break;
            }
        if (need != 9 && k == need + 1) put(o, (const char *)s + i, k);
        else {
            put(o, "\xef\xbf\xbd", 3);
            bad++;
        }
        i += k;
    }
    return bad;
}

static int hexval(char c) {
    return c >= '0' && c <= '9'    ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : -1;
}

/* s with every occurrence of pat replaced by rep */
static char *replace_all(const char *s, const char *pat, const char *rep) {
    str o = { 0 };
    size_t pl = strlen(pat), rl = strlen(rep);
    for (const char *p = s;;) {
        const char *h = pl ? strstr(p, pat) : NULL;
        if (!h) {
            put(&o, p, strlen(p));
            break;
        }
        put(&o, p, (size_t)(h - p));
        put(&o, rep, rl);
        p = h + pl;
    }
    return take(&o);
}

static int set(char **slot, char *v) {
    if (!v) return LT_ENOMEM;
    lt_free(*slot);
    *slot = v;
    return LT_OK;
}

static int apply(const lt__dec *d, char ***tp, int *np) {
    char **t = *tp;
    int n = *np, rc = LT_OK;
    switch (d->kind) {
    case D_SEQUENCE:
        for (int i = 0; rc == LT_OK && i < d->n_sub; i++) rc = apply(d->sub[i], tp, np);
        return rc;
    case D_BYTELEVEL:
    case D_FUSE: { /* one string of all tokens */
        str raw = { 0 }, o = { 0 };
        for (int i = 0; i < n; i++) {
            if (d->kind == D_FUSE) {
                put(&o, t[i], strlen(t[i]));
                continue;
            }
            size_t len = strlen(t[i]), p = 0, start = raw.n;
            int all = 1;
            while (p < len && all) {
                int b = lt__bytelevel_byte(lt__utf8_next(t[i], len, &p));
                if (b < 0) all = 0;
                else {
                    char c = (char)b;
                    put(&raw, &c, 1);
                }
            }
            if (!all) { /* a token of other chars stands for its own bytes */
                raw.n = start;
                put(&raw, t[i], len);
            }
        }
        if (d->kind == D_BYTELEVEL) lossy(&o, (const unsigned char *)raw.s, raw.n);
        lt_free(raw.s);
        char *one = take(&o);
        if (!one || raw.oom) {
            lt_free(one);
            return LT_ENOMEM;
        }
        for (int i = 0; i < n; i++) lt_free(t[i]);
        if (!n && !(t = *tp = lt_realloc(t, sizeof(char *)))) {
            lt_free(one);
            return LT_ENOMEM;
        }
        t[0] = one;
        *np = 1;
        return LT_OK;
    }
    case D_BYTEFALLBACK: { /* runs of <0xNN> tokens decoded as UTF-8, else one U+FFFD a byte */
        char **o = lt_malloc(sizeof(char *) * (size_t)(n ? n : 1));
        if (!o) return LT_ENOMEM;
        int m = 0;
        str run = { 0 };
        for (int i = 0; i <= n && rc == LT_OK; i++) {
            const char *x = i < n ? t[i] : NULL;
            int v = x && strlen(x) == 6 && !strncmp(x, "<0x", 3) && x[5] == '>' &&
                            hexval(x[3]) >= 0 && hexval(x[4]) >= 0
                    ? hexval(x[3]) * 16 + hexval(x[4])
                    : -1;
            if (v >= 0) {
                char c = (char)v;
                put(&run, &c, 1);
                lt_free(t[i]);
                continue;
            }
            if (run.n) { /* flush: valid UTF-8 as one token, else U+FFFD per byte */
                str u = { 0 };
                int valid = lossy(&u, (const unsigned char *)run.s, run.n) == 0;
                if (valid) o[m++] = take(&u);
                else lt_free(u.s);
                if (valid && !o[m - 1]) rc = LT_ENOMEM;
                else if (!valid)
                    for (size_t k = 0; k < run.n && rc == LT_OK; k++)
                        rc = (o[m++] = lt_strdup("\xef\xbf\xbd")) ? LT_OK : LT_ENOMEM;
                lt_free(run.s);
                run = (str){ 0 };
            }
            if (x) o[m++] = t[i];
        }
        lt_free(run.s);
        if (rc || run.oom) {
            for (int i = 0; i < m; i++) lt_free(o[i]);
            lt_free(o);
            *np = 0;
            return LT_ENOMEM;
        }
        lt_free(t);
        *tp = o;
        *np = m;
        return LT_OK;
    }
    default: break;
    }
    for (int i = 0; i < n && rc == LT_OK; i++) { /* token by token */
        char *x = t[i];
        switch (d->kind) {
        case D_WORDPIECE: {
            size_t pl = strlen(d->a);
            if (i) {
                str o = { 0 };
                if (pl && !strncmp(x, d->a, pl)) put(&o, x + pl, strlen(x + pl));
                else {
                    put(&o, " ", 1);
                    put(&o, x, strlen(x));
                }
                if ((rc = set(&t[i], take(&o)))) break;
            }
            if (d->cleanup) {
                static const char *const cl[][2] = { { " .", "." }, { " ?", "?" }, { " !", "!" },
                    { " ,", "," }, { " ' ", "'" }, { " n't", "n't" }, { " 'm", "'m" },
                    { " do not", " don't" }, { " 's", "'s" }, { " 've", "'ve" },
                    { " 're", "'re" } };
                for (size_t k = 0; rc == LT_OK && k < sizeof cl / sizeof cl[0]; k++)
                    rc = set(&t[i], replace_all(t[i], cl[k][0], cl[k][1]));
            }
            break;
        }
        case D_METASPACE: { /* the replacement is a space; the first token's leading one goes */
            char *r = replace_all(x, d->a, " ");
            if (r && i == 0 && d->prepend && r[0] == ' ') memmove(r, r + 1, strlen(r));
            rc = set(&t[i], r);
            break;
        }
        case D_BPE: rc = set(&t[i], replace_all(x, d->a, i == n - 1 ? "" : " ")); break;
        case D_STRIP: {
            size_t cl = strlen(d->a), len = strlen(x), a = 0, b = len;
            for (int k = 0; k < d->start && b - a >= cl && !strncmp(x + a, d->a, cl); k++) a += cl;
            for (int k = 0; k < d->stop && b - a >= cl && !strncmp(x + b - cl, d->a, cl); k++)
                b -= cl;
            memmove(x, x + a, b - a);
            x[b - a] = 0;
            break;
        }
        case D_REPLACE:
            if (d->a) rc = set(&t[i], replace_all(x, d->a, d->b));
            else {
                str o = { 0 };
                size_t len = strlen(x), p = 0, mb, me;
                while (p <= len && lt__re_find(d->re, x, len, p, &mb, &me)) {
                    put(&o, x + p, mb - p);
                    put(&o, d->b, strlen(d->b));
                    if (me == mb) { /* an empty match: keep one char and go on */
                        if (mb >= len) {
                            p = len + 1;
                            break;
                        }
                        size_t q = mb;
                        lt__utf8_next(x, len, &q);
                        put(&o, x + mb, q - mb);
                        p = q;
                    } else p = me;
                }
                if (p <= len) put(&o, x + p, len - p);
                rc = set(&t[i], take(&o));
            }
            break;
        default: break;
        }
    }
    return rc;
}

int lt__dec_apply(const lt__dec *d, char ***toks, int *n) {
    int rc = d ? apply(d, toks, n) : LT_OK;
    return rc == LT_ENOMEM ? lt_err(LT_ENOMEM, "out of memory") : rc;
}
