/* Normalizers of tokenizer.json: NFC/NFD/NFKC/NFKD, Lowercase, Strip, StripAccents, Replace
 * (string or regex), Prepend, Precompiled (SentencePiece's compiled character map), Nmt,
 * BertNormalizer, Sequence. Each rewrites a string with alignments in place: an output char
 * takes the input range of what it came from (a replaced stretch: the stretch's range). */
#include "tok.h"
#include "latent/core.h"
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>
#include "tok_unicode.h"

enum {
    N_NFC,
    N_NFD,
    N_NFKC,
    N_NFKD,
    N_LOWER,
    N_STRIP,
    N_STRIP_ACC,
    N_REPLACE,
    N_PREPEND,
    N_PRECOMP,
    N_BERT,
    N_SEQ,
    N_NMT
};
struct lt__norm {
    int kind;
    int left, right; /* Strip */
    char *pat, *content; /* Replace (string pattern), Prepend (content) */
    lt__re *re; /* Replace (regex pattern) */
    int clean, chinese, lower, strip_acc; /* BertNormalizer */
    const uint32_t *units;
    size_t n_units;
    const char *normd;
    size_t n_normd;
    char *blob; /* Precompiled */
    lt__norm **sub;
    int n_sub; /* Sequence */
};

int lt__nstr_push(lt__nstr *d, const char *b, size_t n, int32_t start, int32_t end) {
    if (d->n + n + 1 > d->cap) {
        size_t nc = d->cap ? d->cap : 64;
        while (nc < d->n + n + 1) nc *= 2;
        char *s = lt_realloc(d->s, nc);
        if (!s) return LT_ENOMEM;
        d->s = s;
        int32_t *o = lt_realloc(d->o, nc * 2 * sizeof(int32_t));
        if (!o) return LT_ENOMEM;
        d->o = o;
        d->cap = nc;
    }
    for (size_t i = 0; i < n; i++) {
        d->s[d->n] = b[i];
        d->o[2 * d->n] = start;
        d->o[2 * d->n + 1] = end;
        d->n++;
    }
    d->s[d->n] = 0;
    return LT_OK;
}
int lt__nstr_append(lt__nstr *d, const lt__nstr *s, size_t a, size_t b) {
    size_t n = b > a ? b - a : 0;
    if (lt__nstr_push(d, s->s + a, n, 0, 0))
        return LT_ENOMEM; /* room and bytes; the alignments next */
    memcpy(d->o + 2 * (d->n - n), s->o + 2 * a, sizeof(int32_t) * 2 * n);
    return LT_OK;
}
void lt__nstr_free(lt__nstr *d) {
    lt_free(d->s);
    lt_free(d->o);
    memset(d, 0, sizeof *d);
}
int32_t lt__utf8_next(const char *s, size_t n, size_t *p) {
    utf8proc_int32_t c = -1;
    utf8proc_ssize_t k =
            utf8proc_iterate((const utf8proc_uint8_t *)s + *p, (utf8proc_ssize_t)(n - *p), &c);
    *p += k > 0 ? (size_t)k : 1;
    return k > 0 ? c : 0xFFFD;
}
int lt__utf8_put(int32_t c, char *out) {
    return (int)utf8proc_encode_char(c, (utf8proc_uint8_t *)out);
}
int lt__is_ws(int32_t c) {
    return (c >= 9 && c <= 13) || c == 32 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
            (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
            c == 0x205F || c == 0x3000;
}
int lt__is_punct(int32_t c) {
    if (c < 128)
        return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) ||
                (c >= 123 && c <= 126);
    utf8proc_category_t k = utf8proc_category(c);
    return k >= UTF8PROC_CATEGORY_PC && k <= UTF8PROC_CATEGORY_PO;
}

/* the range of input bytes behind s's bytes [a, b) */
static void span(const lt__nstr *s, size_t a, size_t b, int32_t *st, int32_t *en) {
    if (a >= b) { /* empty: where it stands */
        *st = *en = a < s->n ? s->o[2 * a] : s->n ? s->o[2 * (s->n - 1) + 1] : 0;
        return;
    }
    int32_t lo = s->o[2 * a], hi = s->o[2 * a + 1];
    for (size_t i = a + 1; i < b; i++) {
        if (s->o[2 * i] < lo) lo = s->o[2 * i];
        if (s->o[2 * i + 1] > hi) hi = s->o[2 * i + 1];
    }
    *st = lo;
    *en = hi;
}
static void replace_with(lt__nstr *s, lt__nstr *d) {
    lt__nstr_free(s);
    *s = *d;
}

/* ---- per-char maps: each input char becomes 0..n chars with its range ---- */
typedef int (*char_map)(const lt__norm *n, int32_t c, int32_t *out, int max);
static int map_chars(const lt__norm *n, lt__nstr *s, char_map f) {
    lt__nstr d = { 0 };
    size_t p = 0;
    while (p < s->n) {
        size_t q = p;
        int32_t c = lt__utf8_next(s->s, s->n, &q), out[8];
        int32_t st, en;
        span(s, p, q, &st, &en);
        int k = f(n, c, out, 8);
        for (int i = 0; i < k; i++) {
            char b[4];
            int bl = lt__utf8_put(out[i], b);
            if (lt__nstr_push(&d, b, (size_t)bl, st, en)) {
                lt__nstr_free(&d);
                return lt_err(LT_ENOMEM, "out of memory");
            }
        }
        p = q;
    }
    replace_with(s, &d);
    return LT_OK;
}
static int lower1(const lt__norm *n, int32_t c, int32_t *out, int max) {
    if (c == 0x130) {
        out[0] = 'i';
        out[1] = 0x307;
        return 2;
    } /* the one unconditional multi-char lowercase */
    out[0] = utf8proc_tolower(c);
    return 1;
}
static int in_ranges(
        const int32_t (*r)[2], int n, int32_t c) { /* binary search in a generated table */
    int lo = 0, hi = n - 1;
    while (lo <= hi) {
        int m = (lo + hi) / 2;
        if (c < r[m][0]) hi = m - 1;
        else if (c > r[m][1]) lo = m + 1;
        else return 1;
    }
    return 0;
}
static int in_list(const int32_t *l, size_t n, int32_t c) {
    for (size_t i = 0; i < n; i++)
        if (l[i] == c) return 1;
    return 0;
}
#define IN_RANGES(t, c) in_ranges(t, (int)(sizeof t / sizeof t[0]), c)
#define IN_LIST(t, c) in_list(t, sizeof t / sizeof t[0], c)
static int strip_acc1(const lt__norm *n, int32_t c, int32_t *out, int max) {
    utf8proc_category_t k = utf8proc_category(c);
    if ((k == UTF8PROC_CATEGORY_MN || k == UTF8PROC_CATEGORY_MC || k == UTF8PROC_CATEGORY_ME) &&
            !IN_RANGES(lt__marks_kept, c))
        return 0;
    if (IN_LIST(lt__marks_removed, c)) return 0;
    out[0] = c;
    return 1;
}
/* BertNormalizer's accent stripping drops nonspacing marks (Mn) only */
static int strip_mn1(const lt__norm *n, int32_t c, int32_t *out, int max) {
    if (utf8proc_category(c) == UTF8PROC_CATEGORY_MN ? !IN_RANGES(lt__mn_kept, c)
                                                     : IN_LIST(lt__mn_removed, c))
        return 0;
    out[0] = c;
    return 1;
}
static int is_cjk(int32_t c) {
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
            (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F) ||
            (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF) ||
            (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}
static int bert1(const lt__norm *n, int32_t c, int32_t *out, int max) {
    if (n->clean) {
        if (IN_RANGES(lt__bert_removed, c))
            return 0; /* tokenizers' own table: its Unicode is older */
        if (lt__is_ws(c)) c = ' ';
    }
    if (n->chinese && is_cjk(c)) {
        out[0] = ' ';
        out[1] = c;
        out[2] = ' ';
        return 3;
    }
    out[0] = c;
    return 1;
}
static int nmt1(const lt__norm *n, int32_t c, int32_t *out, int max) {
    /* SentencePiece's nmt_nfkc rules before NFKC: controls dropped, odd spaces to ' ' */
    if ((c >= 0x0001 && c <= 0x0008) || c == 0x000B || (c >= 0x000E && c <= 0x001F) ||
            c == 0x007F || c == 0x008F || c == 0x009F)
        return 0;
    if (c == 0x0009 || c == 0x000A || c == 0x000C || c == 0x000D || c == 0x1680 ||
            (c >= 0x200B && c <= 0x200F) || c == 0x2028 || c == 0x2029 || c == 0x2581 ||
            c == 0xFEFF || c == 0xFFFD)
        c = ' ';
    out[0] = c;
    return 1;
}

/* tokenizers' NormalizedString::transform, exactly: the new string is given as (char, change)
 * pairs; change 0 replaces the next char of s, +1 inserts (sharing the alignment of the byte
 * before), -n replaces the next char and removes n more. Each new char takes the alignment of
 * the byte it stands on. (Removals with nothing before them are lost, as there.) */
typedef struct {
    int32_t c;
    int change;
} tchange;
static int transform(lt__nstr *s, const tchange *t, size_t n) {
    lt__nstr d = { 0 };
    size_t offset = 0, rp = 0; /* byte position in s, and of the next char to replace */
    for (size_t i = 0; i < n; i++) {
        int32_t st, en;
        if (t[i].change > 0) {
            if (offset < 1 || offset - 1 >= s->n) {
                st = en = 0;
            } else {
                st = s->o[2 * (offset - 1)];
                en = s->o[2 * (offset - 1) + 1];
            }
        } else if (offset < s->n) {
            st = s->o[2 * offset];
            en = s->o[2 * offset + 1];
        } else {
            st = en = s->n ? s->o[2 * s->n - 1] : 0;
        }
        size_t rep = 0, rem = 0;
        if (t[i].change <= 0 && rp < s->n) {
            size_t q = rp;
            lt__utf8_next(s->s, s->n, &q);
            rep = q - rp;
            rp = q;
        }
        for (int k = 0; t[i].change < 0 && k < -t[i].change && rp < s->n; k++) {
            size_t q = rp;
            lt__utf8_next(s->s, s->n, &q);
            rem += q - rp;
            rp = q;
        }
        offset += rep + rem;
        char b[4];
        int bl = lt__utf8_put(t[i].c, b);
        if (lt__nstr_push(&d, b, (size_t)bl, st, en)) {
            lt__nstr_free(&d);
            return lt_err(LT_ENOMEM, "out of memory");
        }
    }
    if (!d.s && lt__nstr_push(&d, "", 0, 0, 0)) return lt_err(LT_ENOMEM, "out of memory");
    replace_with(s, &d);
    return LT_OK;
}
typedef struct {
    tchange *v;
    size_t n, cap;
} tlist;
static int tpush(tlist *l, int32_t c, int change) {
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 256;
        tchange *p = lt_realloc(l->v, sizeof *p * nc);
        if (!p) return LT_ENOMEM;
        l->v = p;
        l->cap = nc;
    }
    l->v[l->n++] = (tchange){ c, change };
    return LT_OK;
}
/* spm_precompiled's replace(): the new part's chars in order, extra ones inserted at the end,
 * a shortfall removed after the last char pushed so far */
static int treplace(tlist *l, int old_count, const char *nw, size_t nl) {
    int new_count = 0;
    for (size_t p = 0; p < nl;) {
        int32_t c = lt__utf8_next(nw, nl, &p);
        if (tpush(l, c, 0)) return LT_ENOMEM;
        new_count++;
    }
    int diff = new_count - old_count;
    if (diff > 0)
        for (int k = 0; k < diff; k++) l->v[l->n - 1 - (size_t)k].change = 1;
    else if (diff < 0 && l->n) l->v[l->n - 1].change += diff;
    return LT_OK;
}

/* ---- Unicode normal forms, as change lists (tokenizers' alignments): each char decomposed
 * (its first char replaces it, the others are inserted), marks reordered by combining class
 * with their changes, and for the composed forms each mark or jamo that composes into the
 * last starter taken out (the starter's change falls by one, less what the mark brought). ---- */
static int ccc(int32_t c) { return utf8proc_get_property(c)->combining_class; }
static int32_t compose2(int32_t a, int32_t b) {
    char in[8];
    int l = lt__utf8_put(a, in);
    l += lt__utf8_put(b, in + l);
    utf8proc_uint8_t *o = NULL;
    utf8proc_ssize_t k =
            utf8proc_map((const utf8proc_uint8_t *)in, l, &o, UTF8PROC_STABLE | UTF8PROC_COMPOSE);
    int32_t r = -1;
    if (k > 0) {
        size_t p = 0;
        int32_t c = lt__utf8_next((const char *)o, (size_t)k, &p);
        if (p == (size_t)k) r = c;
    }
    free(o);
    return r;
}
static int unicode_form(lt__nstr *s, int compat, int compose) {
    tlist l = { 0 };
    int rc = LT_OK;
    for (size_t p = 0; p < s->n && rc == LT_OK;) {
        int32_t c = lt__utf8_next(s->s, s->n, &p), d[32];
        int last = 0;
        utf8proc_ssize_t k = utf8proc_decompose_char(
                c, d, 32, UTF8PROC_DECOMPOSE | (compat ? UTF8PROC_COMPAT : 0), &last);
        if (k <= 0 || k > 32) {
            d[0] = c;
            k = 1;
        }
        for (utf8proc_ssize_t i = 0; i < k && rc == LT_OK; i++) rc = tpush(&l, d[i], i ? 1 : 0);
    }
    /* canonical order: a stable sort of each run of marks by class */
    for (size_t i = 0; rc == LT_OK && i < l.n; i++) {
        if (!ccc(l.v[i].c)) continue;
        size_t j = i;
        while (j < l.n && ccc(l.v[j].c)) j++;
        for (size_t a = i + 1; a < j; a++)
            for (size_t b = a; b > i && ccc(l.v[b - 1].c) > ccc(l.v[b].c); b--) {
                tchange t = l.v[b];
                l.v[b] = l.v[b - 1];
                l.v[b - 1] = t;
            }
        i = j;
    }
    if (rc == LT_OK && compose) {
        size_t w = 0;
        long starter = -1;
        int last_cc = 0;
        for (size_t i = 0; i < l.n; i++) {
            tchange t = l.v[i];
            int cc = ccc(t.c);
            if (starter >= 0) {
                int blocked = last_cc ? last_cc >= cc : (long)w - 1 != starter;
                int32_t comp = blocked ? -1 : compose2(l.v[starter].c, t.c);
                if (comp >= 0) {
                    l.v[starter].c = comp;
                    l.v[starter].change += t.change - 1;
                    continue;
                }
            }
            if (!cc) {
                starter = (long)w;
                last_cc = 0;
            } else last_cc = cc;
            l.v[w++] = t;
        }
        l.n = w;
    }
    if (rc == LT_OK) rc = transform(s, l.v, l.n);
    else rc = lt_err(LT_ENOMEM, "out of memory");
    lt_free(l.v);
    return rc;
}

static int strip(const lt__norm *n, lt__nstr *s) {
    size_t a = 0, b = s->n;
    while (n->left && a < b) {
        size_t q = a;
        if (!lt__is_ws(lt__utf8_next(s->s, s->n, &q))) break;
        a = q;
    }
    while (n->right && b > a) {
        size_t r = b - 1;
        while (r > a && ((unsigned char)s->s[r] & 0xC0) == 0x80) r--;
        size_t q = r;
        if (!lt__is_ws(lt__utf8_next(s->s, s->n, &q))) break;
        b = r;
    }
    lt__nstr d = { 0 };
    for (size_t i = a; i < b; i++)
        if (lt__nstr_push(&d, s->s + i, 1, s->o[2 * i], s->o[2 * i + 1])) {
            lt__nstr_free(&d);
            return lt_err(LT_ENOMEM, "out of memory");
        }
    replace_with(s, &d);
    return LT_OK;
}

static int replace(const lt__norm *n, lt__nstr *s) {
    lt__nstr d = { 0 };
    size_t p = 0, pl = n->pat ? strlen(n->pat) : 0, cl = strlen(n->content);
    int rc = LT_OK;
    while (p <= s->n && rc == LT_OK) {
        size_t b = s->n, e = s->n;
        int hit;
        if (n->re) hit = lt__re_find(n->re, s->s, s->n, p, &b, &e) && e > b;
        else {
            char *f = pl ? memmem(s->s + p, s->n - p, n->pat, pl) : NULL;
            hit = f != NULL;
            if (hit) {
                b = (size_t)(f - s->s);
                e = b + pl;
            }
        }
        if (!hit) { b = e = s->n; }
        if (b > p && rc == LT_OK) rc = lt__nstr_append(&d, s, p, b);
        if (!hit) break;
        /* tokenizers inserts the replacement after the match's last char, whose range it takes */
        size_t last = e - 1;
        while (last > b && ((unsigned char)s->s[last] & 0xC0) == 0x80) last--;
        int32_t st = s->o[2 * last], en = s->o[2 * last + 1];
        if (rc == LT_OK) rc = lt__nstr_push(&d, n->content, cl, st, en);
        p = e;
    }
    if (rc) {
        lt__nstr_free(&d);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    if (d.s == NULL && lt__nstr_push(&d, "", 0, 0, 0)) return lt_err(LT_ENOMEM, "out of memory");
    replace_with(s, &d);
    return LT_OK;
}

static int prepend(const lt__norm *n, lt__nstr *s) {
    if (!s->n) return LT_OK;
    lt__nstr d = { 0 };
    size_t q = 0;
    lt__utf8_next(s->s, s->n, &q);
    int32_t st, en;
    span(s, 0, q, &st, &en); /* the prepended text stands with the first char */
    if (lt__nstr_push(&d, n->content, strlen(n->content), st, en) ||
            lt__nstr_push(&d, s->s, 0, 0, 0))
        goto oom;
    for (size_t i = 0; i < s->n; i++)
        if (lt__nstr_push(&d, s->s + i, 1, s->o[2 * i], s->o[2 * i + 1])) goto oom;
    replace_with(s, &d);
    return LT_OK;
oom:
    lt__nstr_free(&d);
    return lt_err(LT_ENOMEM, "out of memory");
}

/* ---- Precompiled: SentencePiece's normaliser blob: u32 trie size, a darts-clone double
 * array of that many bytes, then NUL-terminated replacement strings; a key's value is the
 * offset of its replacement. Graphemes shorter than 6 bytes are looked up whole first, then
 * each char; the first (shortest) prefix match replaces the whole chunk, as spm_precompiled. */
static int prefix_value(const lt__norm *n, const unsigned char *k, size_t len, uint32_t *val) {
    size_t pos = 0;
    uint32_t u = n->units[0];
    pos ^= (size_t)((u >> 10) << ((u & (1u << 9)) >> 6));
    for (size_t i = 0; i < len; i++) {
        pos ^= k[i];
        if (pos >= n->n_units) return 0;
        u = n->units[pos];
        if ((u & ((1u << 31) | 0xFF)) != k[i]) return 0;
        pos ^= (size_t)((u >> 10) << ((u & (1u << 9)) >> 6));
        if (pos >= n->n_units) return 0;
        if ((u >> 8) & 1) {
            *val = n->units[pos] & ((1u << 31) - 1);
            return 1;
        }
    }
    return 0;
}
static const char *precomp_lookup(const lt__norm *n, const char *s, size_t len, size_t *out_len) {
    uint32_t v;
    if (!prefix_value(n, (const unsigned char *)s, len, &v) || v >= n->n_normd) return NULL;
    const char *r = n->normd + v;
    *out_len = strnlen(r, n->n_normd - v);
    return r;
}
static int chars_in(const char *s, size_t n) {
    int k = 0;
    for (size_t i = 0; i < n; i++) k += ((unsigned char)s[i] & 0xC0) != 0x80;
    return k;
}
static int precompiled(const lt__norm *n, lt__nstr *s) {
    tlist l = { 0 };
    size_t p = 0;
    int rc = LT_OK, modified = 0;
    while (p < s->n && rc == LT_OK) {
        /* one extended grapheme cluster [p, g) */
        utf8proc_int32_t state = 0;
        size_t g = p;
        int32_t prev = lt__utf8_next(s->s, s->n, &g);
        while (g < s->n) {
            size_t h = g;
            int32_t c = lt__utf8_next(s->s, s->n, &h);
            if (utf8proc_grapheme_break_stateful(prev, c, &state)) break;
            prev = c;
            g = h;
        }
        size_t rl;
        const char *r = g - p < 6 ? precomp_lookup(n, s->s + p, g - p, &rl) : NULL;
        if (r) {
            modified = 1;
            rc = treplace(&l, chars_in(s->s + p, g - p), r, rl);
        } else
            for (size_t c = p; c < g && rc == LT_OK;) {
                size_t c2 = c;
                int32_t ch = lt__utf8_next(s->s, g, &c2);
                r = precomp_lookup(n, s->s + c, c2 - c, &rl);
                if (r) {
                    modified = 1;
                    rc = treplace(&l, 1, r, rl);
                } else rc = tpush(&l, ch, 0);
                c = c2;
            }
        p = g;
    }
    if (rc == LT_OK && modified) rc = transform(s, l.v, l.n);
    else if (rc) rc = lt_err(LT_ENOMEM, "out of memory");
    lt_free(l.v);
    return rc;
}

int lt__norm_apply(const lt__norm *n, lt__nstr *s) {
    if (!n) return LT_OK;
    int rc = LT_OK;
    switch (n->kind) {
    case N_NFC: return unicode_form(s, 0, 1);
    case N_NFD: return unicode_form(s, 0, 0);
    case N_NFKC: return unicode_form(s, 1, 1);
    case N_NFKD: return unicode_form(s, 1, 0);
    case N_LOWER: return map_chars(n, s, lower1);
    case N_STRIP: return strip(n, s);
    case N_STRIP_ACC: return map_chars(n, s, strip_acc1);
    case N_REPLACE: return replace(n, s);
    case N_PREPEND: return prepend(n, s);
    case N_PRECOMP: return precompiled(n, s);
    case N_NMT:
        if ((rc = map_chars(n, s, nmt1))) return rc;
        return LT_OK;
    case N_BERT:
        if ((rc = map_chars(n, s, bert1))) return rc;
        if (n->strip_acc && ((rc = unicode_form(s, 0, 0)) || (rc = map_chars(n, s, strip_mn1))))
            return rc;
        if (n->lower) rc = map_chars(n, s, lower1);
        return rc;
    case N_SEQ:
        for (int i = 0; i < n->n_sub && rc == LT_OK; i++) rc = lt__norm_apply(n->sub[i], s);
        return rc;
    }
    return LT_OK;
}

void lt__norm_free(lt__norm *n) {
    if (!n) return;
    for (int i = 0; i < n->n_sub; i++) lt__norm_free(n->sub[i]);
    lt_free(n->sub);
    lt_free(n->pat);
    lt_free(n->content);
    lt__re_free(n->re);
    lt_free(n->blob);
    lt_free(n);
}

static int b64(const char *in, char **out, size_t *len) {
    size_t n = strlen(in);
    char *o = lt_malloc(n / 4 * 3 + 4);
    if (!o) return LT_ENOMEM;
    size_t k = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        char c = in[i];
        int v = c >= 'A' && c <= 'Z'   ? c - 'A'
                : c >= 'a' && c <= 'z' ? c - 'a' + 26
                : c >= '0' && c <= '9' ? c - '0' + 52
                : c == '+'             ? 62
                : c == '/'             ? 63
                                       : -1;
        if (c == '=') break;
        if (v < 0) {
            lt_free(o);
            return LT_EFORMAT;
        }
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            o[k++] = (char)(acc >> bits & 0xFF);
        }
    }
    *out = o;
    *len = k;
    return LT_OK;
}

int lt__parse_list(const cJSON *j, const char *key, const char *what, lt__parse_fn parse,
        void ***sub, int *n, const char *name) {
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(j, key);
    int k = cJSON_GetArraySize(a), rc = LT_OK;
    if (!cJSON_IsArray(a)) return lt_err(LT_EFORMAT, "%s: Sequence %s without %s", name, what, key);
    if (k && !(*sub = lt_calloc((size_t)k, sizeof(void *))))
        return lt_err(LT_ENOMEM, "out of memory");
    for (const cJSON *e = a->child; e && rc == LT_OK; e = e->next) {
        rc = parse(&(*sub)[*n], e, name);
        if ((*sub)[*n]) (*n)++;
    }
    return rc;
}

int lt__norm_parse(lt__norm **out, const cJSON *j, const char *name) {
    *out = NULL;
    if (!j || cJSON_IsNull(j)) return LT_OK;
    const char *t = lt__jstr(j, "type");
    if (!t) return lt_err(LT_EFORMAT, "%s: normalizer without a type", name);
    lt__norm *n = lt_calloc(1, sizeof *n);
    if (!n) return lt_err(LT_ENOMEM, "out of memory");
    int rc = LT_OK;
    static const struct {
        const char *name;
        int kind;
    } simple[] = { { "NFC", N_NFC }, { "NFD", N_NFD }, { "NFKC", N_NFKC }, { "NFKD", N_NFKD },
        { "Lowercase", N_LOWER }, { "StripAccents", N_STRIP_ACC } };
    n->kind = -1;
    for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++)
        if (!strcmp(t, simple[i].name)) n->kind = simple[i].kind;
    if (n->kind >= 0) {
        *out = n;
        return LT_OK;
    }
    if (!strcmp(t, "Strip")) {
        n->kind = N_STRIP;
        n->left = lt__jbool(j, "strip_left", 1);
        n->right = lt__jbool(j, "strip_right", 1);
    } else if (!strcmp(t, "Replace")) {
        n->kind = N_REPLACE;
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(j, "pattern");
        const char *c = lt__jstr(j, "content"), *ps = lt__jstr(p, "String"),
                   *pr = lt__jstr(p, "Regex");
        if (!c || (!ps && !pr))
            rc = lt_err(LT_EFORMAT, "%s: Replace needs a pattern (String or Regex) and a content",
                    name);
        else if (!(n->content = lt_strdup(c))) rc = lt_err(LT_ENOMEM, "out of memory");
        else if (ps && !(n->pat = lt_strdup(ps))) rc = lt_err(LT_ENOMEM, "out of memory");
        else if (pr) rc = lt__re_new(&n->re, pr, name);
    } else if (!strcmp(t, "Prepend")) {
        n->kind = N_PREPEND;
        const char *c = lt__jstr(j, "prepend");
        if (!c) rc = lt_err(LT_EFORMAT, "%s: Prepend needs a prepend string", name);
        else if (!(n->content = lt_strdup(c))) rc = lt_err(LT_ENOMEM, "out of memory");
    } else if (!strcmp(t, "BertNormalizer")) {
        n->kind = N_BERT;
        n->clean = lt__jbool(j, "clean_text", 1);
        n->chinese = lt__jbool(j, "handle_chinese_chars", 1);
        n->lower = lt__jbool(j, "lowercase", 1);
        const cJSON *sa = cJSON_GetObjectItemCaseSensitive(j, "strip_accents");
        n->strip_acc = sa && cJSON_IsBool(sa) ? cJSON_IsTrue(sa) : n->lower;
    } else if (!strcmp(t, "Nmt")) {
        n->kind = N_NMT;
    } else if (!strcmp(t, "Precompiled")) {
        n->kind = N_PRECOMP;
        const char *b = lt__jstr(j, "precompiled_charsmap");
        size_t bl = 0;
        if (!b || b64(b, &n->blob, &bl))
            rc = lt_err(LT_EFORMAT, "%s: Precompiled: precompiled_charsmap is not base64", name);
        else if (bl < 4)
            rc = lt_err(LT_EFORMAT, "%s: Precompiled: charsmap of %zu bytes", name, bl);
        else {
            uint32_t ts;
            memcpy(&ts, n->blob, 4);
            if (ts % 4 || ts < 4 || ts > bl - 4)
                rc = lt_err(LT_EFORMAT, "%s: Precompiled: trie of %u bytes in a charsmap of %zu",
                        name, ts, bl);
            else {
                n->units = (const uint32_t *)(void *)(n->blob +
                        4); /* lt_malloc is 16-byte aligned: +4 keeps 4 */
                n->n_units = ts / 4;
                n->normd = n->blob + 4 + ts;
                n->n_normd = bl - 4 - ts;
            }
        }
    } else if (!strcmp(t, "Sequence")) {
        n->kind = N_SEQ;
        rc = lt__parse_list(j, "normalizers", "normalizer", (lt__parse_fn)lt__norm_parse,
                (void ***)&n->sub, &n->n_sub, name);
    } else {
        rc = lt_err(LT_EFORMAT,
                "%s: normalizer '%s' is not implemented (have: NFC, NFD, NFKC, NFKD, Lowercase, Strip, "
                "StripAccents, Replace, Prepend, Precompiled, Nmt, BertNormalizer, Sequence)",
                name, t);
    }
    if (rc) {
        lt__norm_free(n);
        return rc;
    }
    *out = n;
    return LT_OK;
}
