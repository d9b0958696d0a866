/* The token models of tokenizer.json, one table entry each: BPE (merges by rank, byte
 * fallback, fused unknowns, continuing-subword prefix and end-of-word suffix, ignore_merges),
 * Unigram (Viterbi over the pieces' log-probabilities, SentencePiece's unknown penalty, fused
 * unknowns, byte fallback) and WordPiece (greedy longest match). A piece arrives as a string
 * with alignments; tokens leave with input byte offsets. */
#include "tok.h"
#include "latent/core.h"
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

int lt__tok_out_push(lt__tok_out *o, int32_t id, int32_t start, int32_t end) {
    if (o->n == o->cap) {
        int nc = o->cap ? o->cap * 2 : 64;
        int32_t *a = lt_realloc(o->ids, sizeof(int32_t) * (size_t)nc);
        if (!a) return LT_ENOMEM;
        o->ids = a;
        int32_t *b = lt_realloc(o->off, sizeof(int32_t) * 2 * (size_t)nc);
        if (!b) return LT_ENOMEM;
        o->off = b;
        int32_t *w = lt_realloc(o->ws, sizeof(int32_t) * 2 * (size_t)nc);
        if (!w) return LT_ENOMEM;
        o->ws = w;
        o->cap = nc;
    }
    o->ids[o->n] = id;
    o->off[2 * o->n] = start;
    o->off[2 * o->n + 1] = end;
    o->ws[2 * o->n] = o->ws[2 * o->n + 1] = -1;
    o->n++;
    return LT_OK;
}
/* a token over piece bytes [a, b): its input range */
static int emit(lt__tok_out *o, const lt__nstr *p, int32_t id, size_t a, size_t b) {
    int32_t st = p->o[2 * a], en = p->o[2 * (b - 1) + 1];
    for (size_t i = a; i < b; i++) {
        if (p->o[2 * i] < st) st = p->o[2 * i];
        if (p->o[2 * i + 1] > en) en = p->o[2 * i + 1];
    }
    return lt__tok_out_push(o, id, st, en) ? lt_err(LT_ENOMEM, "out of memory") : LT_OK;
}
static int64_t vfind(const lt__tokvocab *v, const char *s, size_t n) {
    return lt__vocab_find(v, s, n);
}
/* "<0xAB>" of byte b (Hugging Face's byte-fallback spelling) */
static int64_t byte_tok(const lt__tokvocab *v, unsigned char b) {
    char t[8];
    snprintf(t, sizeof t, "<0x%02X>", b);
    return vfind(v, t, 6);
}

/* ---- BPE ---- */
typedef struct {
    lt__strmap *pairs; /* (left id, right id) as 8 bytes -> merge index */
    int32_t *rank_new; /* per merge: the merged token's id (rank = index) */
    int64_t n_merges;
    int64_t unk; /* -1: none */
    int fuse_unk, byte_fallback, ignore_merges;
    char *prefix, *suffix;
} bpe;
static void bpe_free(void *st) {
    bpe *b = st;
    if (!b) return;
    lt__strmap_free(b->pairs);
    lt_free(b->rank_new);
    lt_free(b->prefix);
    lt_free(b->suffix);
    lt_free(b);
}
static int bpe_parse(void **state, const cJSON *m, lt__tokvocab *v, const char *name) {
    bpe *b = lt_calloc(1, sizeof *b);
    if (!b) return lt_err(LT_ENOMEM, "out of memory");
    int rc = LT_OK;
    const cJSON *merges = cJSON_GetObjectItemCaseSensitive(m, "merges");
    const char *unk = lt__jstr(m, "unk_token"), *pre = lt__jstr(m, "continuing_subword_prefix"),
               *suf = lt__jstr(m, "end_of_word_suffix");
    const cJSON *dr = cJSON_GetObjectItemCaseSensitive(m, "dropout");
    if (dr && cJSON_IsNumber(dr) && dr->valuedouble > 0) {
        rc = lt_err(LT_EFORMAT, "%s: BPE dropout %g is not supported (it is random)", name,
                dr->valuedouble);
        goto done;
    }
    b->unk = -1;
    if (unk && (b->unk = vfind(v, unk, strlen(unk))) < 0) {
        rc = lt_err(LT_EFORMAT, "%s: BPE unk_token '%.40s' is not in the vocabulary", name, unk);
        goto done;
    }
    b->fuse_unk = lt__jbool(m, "fuse_unk", 0);
    b->byte_fallback = lt__jbool(m, "byte_fallback", 0);
    b->ignore_merges = lt__jbool(m, "ignore_merges", 0);
    if ((pre && !(b->prefix = lt_strdup(pre))) || (suf && !(b->suffix = lt_strdup(suf)))) {
        rc = lt_err(LT_ENOMEM, "out of memory");
        goto done;
    }
    if (!cJSON_IsArray(merges)) {
        rc = lt_err(LT_EFORMAT, "%s: BPE model without merges", name);
        goto done;
    }
    int64_t n = cJSON_GetArraySize(merges);
    b->pairs = lt__strmap_new();
    b->rank_new = lt_malloc(sizeof(int32_t) * (size_t)(n + 1));
    if (!b->pairs || !b->rank_new) {
        rc = lt_err(LT_ENOMEM, "out of memory");
        goto done;
    }
    char buf[1024];
    for (const cJSON *e = merges->child; e; e = e->next) {
        const char *l, *r;
        size_t ll, rl;
        if (cJSON_IsString(e)) { /* "left right" */
            const char *sp = strchr(e->valuestring, ' ');
            if (!sp) {
                rc = lt_err(LT_EFORMAT, "%s: merge %lld '%.40s' is not two tokens", name,
                        (long long)b->n_merges, e->valuestring);
                goto done;
            }
            l = e->valuestring;
            ll = (size_t)(sp - l);
            r = sp + 1;
            rl = strlen(r);
        } else if (cJSON_IsArray(e) && cJSON_GetArraySize(e) == 2 && cJSON_IsString(e->child) &&
                cJSON_IsString(e->child->next)) {
            l = e->child->valuestring;
            ll = strlen(l);
            r = e->child->next->valuestring;
            rl = strlen(r);
        } else {
            rc = lt_err(LT_EFORMAT, "%s: merge %lld is neither \"a b\" nor [a, b]", name,
                    (long long)b->n_merges);
            goto done;
        }
        int64_t li = vfind(v, l, ll), ri = vfind(v, r, rl);
        size_t ml = ll + rl;
        if (ml >= sizeof buf) {
            rc = lt_err(LT_EFORMAT, "%s: merge %lld is too long", name, (long long)b->n_merges);
            goto done;
        }
        memcpy(buf, l, ll);
        memcpy(buf + ll, r, rl);
        int64_t mi = vfind(v, buf, ml);
        if (li < 0 || ri < 0 || mi < 0) {
            rc = lt_err(LT_EFORMAT, "%s: merge %lld '%.*s %.*s': a token is not in the vocabulary",
                    name, (long long)b->n_merges, (int)ll, l, (int)rl, r);
            goto done;
        }
        int32_t key[2] = { (int32_t)li, (int32_t)ri };
        int added = 0;
        int64_t k = lt__strmap_put(b->pairs, (const char *)key, 8, &added);
        if (k < 0) {
            rc = lt_err(LT_ENOMEM, "out of memory");
            goto done;
        }
        if (added) b->rank_new[k] = (int32_t)mi; /* a repeated pair keeps its first (best) rank */
        b->n_merges++;
    }
done:
    if (rc) {
        bpe_free(b);
        return rc;
    }
    *state = b;
    return LT_OK;
}
typedef struct {
    int32_t id;
    int64_t a, b;
} sym; /* a token over piece bytes [a, b) */
static int64_t pair_rank(const bpe *b, int32_t l, int32_t r) {
    int32_t key[2] = { l, r };
    return lt__strmap_get(b->pairs, (const char *)key, 8);
}
static void heap_push(uint64_t *h, int *n, uint64_t v) {
    int i = (*n)++;
    h[i] = v;
    while (i > 0 && h[(i - 1) / 2] > h[i]) {
        uint64_t t = h[i];
        h[i] = h[(i - 1) / 2];
        h[(i - 1) / 2] = t;
        i = (i - 1) / 2;
    }
}
static uint64_t heap_pop(uint64_t *h, int *n) {
    uint64_t top = h[0];
    h[0] = h[--(*n)];
    for (int i = 0;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        if (l < *n && h[l] < h[m]) m = l;
        if (r < *n && h[r] < h[m]) m = r;
        if (m == i) break;
        uint64_t t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
    return top;
}
/* the word's symbols w[0..*n) merged in place (the reference: repeatedly the lowest-rank pair,
 * leftmost first; this is that order through a heap, O(n log n)) */
static int bpe_merge(const bpe *b, sym *w, int *np) {
    int n = *np;
    if (n < 2) return LT_OK;
    int *next = lt_malloc(sizeof(int) * (size_t)n * 2), *prev = next ? next + n : NULL, hn = 0;
    uint64_t *h = lt_malloc(sizeof(uint64_t) * (size_t)n * 2 + 8);
    if (!next || !h) {
        lt_free(next);
        lt_free(h);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    for (int i = 0; i < n; i++) {
        next[i] = i + 1 < n ? i + 1 : -1;
        prev[i] = i - 1;
    }
    for (int i = 0; i + 1 < n; i++) {
        int64_t r = pair_rank(b, w[i].id, w[i + 1].id);
        if (r >= 0) heap_push(h, &hn, (uint64_t)r << 32 | (uint32_t)i);
    }
    while (hn) {
        uint64_t top = heap_pop(h, &hn);
        int i = (int)(uint32_t)top, j = next[i];
        int64_t r = (int64_t)(top >> 32);
        if (w[i].a < 0 || j < 0 || pair_rank(b, w[i].id, w[j].id) != r) continue; /* stale */
        w[i].id = b->rank_new[r];
        w[i].b = w[j].b;
        w[j].a = -1; /* dead */
        next[i] = next[j];
        if (next[j] >= 0) prev[next[j]] = i;
        if (prev[i] >= 0) {
            int64_t q = pair_rank(b, w[prev[i]].id, w[i].id);
            if (q >= 0) heap_push(h, &hn, (uint64_t)q << 32 | (uint32_t)prev[i]);
        }
        if (next[i] >= 0) {
            int64_t q = pair_rank(b, w[i].id, w[next[i]].id);
            if (q >= 0) heap_push(h, &hn, (uint64_t)q << 32 | (uint32_t)i);
        }
    }
    int k = 0;
    for (int i = 0; i < n; i++)
        if (w[i].a >= 0) w[k++] = w[i];
    *np = k;
    lt_free(next);
    lt_free(h);
    return LT_OK;
}
static int bpe_encode(const void *st, const lt__tokvocab *v, const lt__nstr *p, lt__tok_out *out) {
    const bpe *b = st;
    if (!p->n) return LT_OK;
    if (b->ignore_merges) {
        int64_t id = vfind(v, p->s, p->n);
        if (id >= 0) return emit(out, p, (int32_t)id, 0, p->n);
    }
    sym *w = lt_malloc(sizeof(sym) * (p->n + 1));
    char *tmp = lt_malloc(
            p->n + 64 + (b->prefix ? strlen(b->prefix) : 0) + (b->suffix ? strlen(b->suffix) : 0));
    if (!w || !tmp) {
        lt_free(w);
        lt_free(tmp);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    int n = 0;
    int64_t unk_a = -1, unk_b = -1; /* a pending (fused) unknown */
    for (size_t i = 0; i < p->n;) {
        size_t e = i;
        lt__utf8_next(p->s, p->n, &e);
        size_t tl = 0;
        if (i > 0 && b->prefix) {
            memcpy(tmp, b->prefix, strlen(b->prefix));
            tl = strlen(b->prefix);
        }
        memcpy(tmp + tl, p->s + i, e - i);
        tl += e - i;
        if (e == p->n && b->suffix) {
            memcpy(tmp + tl, b->suffix, strlen(b->suffix));
            tl += strlen(b->suffix);
        }
        int64_t id = vfind(v, tmp, tl);
        if (id >= 0) {
            if (unk_a >= 0) {
                w[n++] = (sym){ (int32_t)b->unk, unk_a, unk_b };
                unk_a = -1;
            }
            w[n++] = (sym){ (int32_t)id, (int64_t)i, (int64_t)e };
        } else {
            int done = 0;
            if (b->byte_fallback) {
                int all = 1;
                for (size_t k = 0; k < tl && all; k++)
                    all = byte_tok(v, (unsigned char)tmp[k]) >= 0;
                if (all) {
                    w = lt_realloc(w, sizeof(sym) * (size_t)(n + (int)tl + (int)p->n + 1));
                    if (!w) {
                        lt_free(tmp);
                        return lt_err(LT_ENOMEM, "out of memory");
                    }
                    if (unk_a >= 0) {
                        w[n++] = (sym){ (int32_t)b->unk, unk_a, unk_b };
                        unk_a = -1;
                    }
                    for (size_t k = 0; k < tl; k++)
                        w[n++] = (sym){ (int32_t)byte_tok(v, (unsigned char)tmp[k]), (int64_t)i,
                            (int64_t)e };
                    done = 1;
                }
            }
            if (!done && b->unk >= 0) {
                if (unk_a >= 0 && b->fuse_unk) unk_b = (int64_t)e;
                else {
                    if (unk_a >= 0) w[n++] = (sym){ (int32_t)b->unk, unk_a, unk_b };
                    unk_a = (int64_t)i;
                    unk_b = (int64_t)e;
                }
            } /* no unk token: the char is dropped, as Hugging Face does */
        }
        i = e;
    }
    if (unk_a >= 0) w[n++] = (sym){ (int32_t)b->unk, unk_a, unk_b };
    /* merges: the pair of lowest rank, leftmost first, until none applies. A heap of
     * (rank, left position) over the live neighbours; an entry whose pair has changed since is
     * skipped when it comes up (the rank names the pair, so an equal rank is the same merge). */
    int rc = bpe_merge(b, w, &n);
    for (int i = 0; i < n && rc == LT_OK; i++)
        rc = emit(out, p, w[i].id, (size_t)w[i].a, (size_t)w[i].b);
    lt_free(w);
    lt_free(tmp);
    return rc;
}
const lt__tok_model lt__tok_bpe = {
    .type = "BPE", .parse = bpe_parse, .encode = bpe_encode, .free = bpe_free
};

/* ---- Unigram ---- */
typedef struct {
    double *score;
    int64_t n;
    int64_t unk;
    int byte_fallback;
    double min_score;
    size_t max_len;
} unigram;
static void uni_free(void *st) {
    unigram *u = st;
    if (!u) return;
    lt_free(u->score);
    lt_free(u);
}
static int uni_parse(void **state, const cJSON *m, lt__tokvocab *v, const char *name) {
    /* the vocabulary is [[piece, score], ...]: tok.c has made the map; the scores are here */
    const cJSON *voc = cJSON_GetObjectItemCaseSensitive(m, "vocab");
    unigram *u = lt_calloc(1, sizeof *u);
    if (!u) return lt_err(LT_ENOMEM, "out of memory");
    int64_t n = cJSON_GetArraySize(voc);
    u->score = lt_malloc(sizeof(double) * (size_t)(n + 1));
    if (!u->score) {
        uni_free(u);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    u->min_score = DBL_MAX;
    for (const cJSON *e = voc->child; e; e = e->next) {
        const cJSON *sc = cJSON_GetArrayItem(e, 1);
        if (!cJSON_IsNumber(sc)) {
            uni_free(u);
            return lt_err(LT_EFORMAT, "%s: Unigram entry %lld has no score", name, (long long)u->n);
        }
        u->score[u->n] = sc->valuedouble;
        if (sc->valuedouble < u->min_score) u->min_score = sc->valuedouble;
        size_t l = strlen(cJSON_GetArrayItem(e, 0)->valuestring);
        if (l > u->max_len) u->max_len = l;
        u->n++;
    }
    const cJSON *ui = cJSON_GetObjectItemCaseSensitive(m, "unk_id");
    u->unk = cJSON_IsNumber(ui) ? (int64_t)ui->valuedouble : -1;
    if (u->unk >= u->n) {
        uni_free(u);
        return lt_err(LT_EFORMAT, "%s: Unigram unk_id %lld outside the vocabulary", name,
                (long long)u->unk);
    }
    u->byte_fallback = lt__jbool(m, "byte_fallback", 0);
    *state = u;
    return LT_OK;
}
typedef struct {
    double score;
    int64_t start;
    int64_t id;
} node;
static int uni_token(const unigram *u, const lt__tokvocab *v, const lt__nstr *p, size_t a, size_t b,
        int64_t id, lt__tok_out *out) {
    if (id >= 0 && id != u->unk) return emit(out, p, (int32_t)id, a, b);
    int64_t found = vfind(v, p->s + a, b - a);
    if (found >= 0) return emit(out, p, (int32_t)found, a, b);
    if (u->byte_fallback) {
        int all = 1;
        for (size_t k = a; k < b && all; k++) all = byte_tok(v, (unsigned char)p->s[k]) >= 0;
        if (all) {
            int rc = LT_OK;
            for (size_t k = a; k < b && rc == LT_OK; k++)
                rc = emit(out, p, (int32_t)byte_tok(v, (unsigned char)p->s[k]), a, b);
            return rc;
        }
    }
    if (u->unk < 0)
        return lt_err(LT_EFORMAT, "a Unigram tokenizer without unk_id met a piece it cannot spell");
    return emit(out, p, (int32_t)u->unk, a, b);
}
static int uni_encode(const void *st, const lt__tokvocab *v, const lt__nstr *p, lt__tok_out *out) {
    const unigram *u = st;
    size_t n = p->n;
    if (!n) return LT_OK;
    node *best = lt_malloc(sizeof(node) * (n + 1));
    if (!best) return lt_err(LT_ENOMEM, "out of memory");
    for (size_t i = 0; i <= n; i++) best[i] = (node){ 0, -1, -1 };
    best[0].start = 0;
    double unk_score = u->min_score - 10.0;
    for (size_t s = 0; s < n;) {
        size_t cl = s;
        lt__utf8_next(p->s, n, &cl);
        cl -= s;
        double base = best[s].score;
        int single = 0;
        for (size_t e = s + 1; e <= n && e - s <= u->max_len; e++) { /* prefixes, shortest first */
            if (e < n && ((unsigned char)p->s[e] & 0xC0) == 0x80) continue;
            int64_t id = vfind(v, p->s + s, e - s);
            if (id < 0 || id >= u->n) continue;
            double c = base + u->score[id];
            if (best[e].start < 0 || c > best[e].score) best[e] = (node){ c, (int64_t)s, id };
            if (e - s == cl) single = 1;
        }
        if (!single) {
            double c = base + unk_score;
            if (best[s + cl].start < 0 || c > best[s + cl].score)
                best[s + cl] = (node){ c, (int64_t)s, u->unk };
        }
        s += cl;
    }
    /* back from the end; consecutive unknowns fuse into one */
    int64_t *cut = lt_malloc(sizeof(int64_t) * 2 * (n + 1)), k = 0;
    if (!cut) {
        lt_free(best);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    for (int64_t e = (int64_t)n; e > 0;) {
        node nd = best[e];
        if (nd.start < 0) {
            lt_free(best);
            lt_free(cut);
            return lt_err(LT_EFORMAT, "Unigram: no path through the piece");
        }
        if (u->unk >= 0 && nd.id == u->unk && k > 0 && cut[2 * (k - 1) + 1] == u->unk &&
                cut[2 * (k - 1)] == e)
            cut[2 * (k - 1)] = nd.start; /* extend the unknown run leftwards */
        else {
            cut[2 * k] = nd.start;
            cut[2 * k + 1] = nd.id;
            k++;
        }
        e = nd.start;
    }
    /* cut[2i] is a start, in reverse; ends follow from the next start */
    int rc = LT_OK;
    int64_t end = (int64_t)n;
    int64_t *st2 = lt_malloc(sizeof(int64_t) * 3 * (size_t)(k + 1));
    if (!st2) {
        lt_free(best);
        lt_free(cut);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    for (int64_t i = 0; i < k; i++) {
        st2[3 * i] = cut[2 * i];
        st2[3 * i + 1] = end;
        st2[3 * i + 2] = cut[2 * i + 1];
        end = cut[2 * i];
    }
    for (int64_t i = k - 1; i >= 0 && rc == LT_OK; i--)
        rc = uni_token(u, v, p, (size_t)st2[3 * i], (size_t)st2[3 * i + 1], st2[3 * i + 2], out);
    lt_free(st2);
    lt_free(best);
    lt_free(cut);
    return rc;
}
const lt__tok_model lt__tok_unigram = {
    .type = "Unigram", .parse = uni_parse, .encode = uni_encode, .free = uni_free
};

/* ---- WordPiece ---- */
typedef struct {
    int64_t unk;
    int max_chars;
    char *prefix;
} wordpiece;
static void wp_free(void *st) {
    wordpiece *w = st;
    if (!w) return;
    lt_free(w->prefix);
    lt_free(w);
}
static int wp_parse(void **state, const cJSON *m, lt__tokvocab *v, const char *name) {
    wordpiece *w = lt_calloc(1, sizeof *w);
    if (!w) return lt_err(LT_ENOMEM, "out of memory");
    const char *unk = lt__jstr(m, "unk_token"), *pre = lt__jstr(m, "continuing_subword_prefix");
    if (!unk) unk = "[UNK]";
    if ((w->unk = vfind(v, unk, strlen(unk))) < 0) {
        wp_free(w);
        return lt_err(
                LT_EFORMAT, "%s: WordPiece unk_token '%.40s' is not in the vocabulary", name, unk);
    }
    const cJSON *mx = cJSON_GetObjectItemCaseSensitive(m, "max_input_chars_per_word");
    w->max_chars = cJSON_IsNumber(mx) ? mx->valueint : 100;
    if (!(w->prefix = lt_strdup(pre ? pre : "##"))) {
        wp_free(w);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    *state = w;
    return LT_OK;
}
static int wp_encode(const void *st, const lt__tokvocab *v, const lt__nstr *p, lt__tok_out *out) {
    const wordpiece *w = st;
    if (!p->n) return LT_OK;
    size_t chars = 0;
    for (size_t i = 0; i < p->n; i++) chars += ((unsigned char)p->s[i] & 0xC0) != 0x80;
    if ((int64_t)chars > w->max_chars) return emit(out, p, (int32_t)w->unk, 0, p->n);
    size_t pl = strlen(w->prefix);
    char *cand = lt_malloc(p->n + pl + 1);
    if (!cand) return lt_err(LT_ENOMEM, "out of memory");
    int first = out->n, rc = LT_OK;
    memcpy(cand, w->prefix, pl);
    for (size_t s = 0; s < p->n && rc == LT_OK;) {
        size_t e = p->n;
        int64_t id = -1;
        while (e > s) {
            if (s) {
                memcpy(cand + pl, p->s + s, e - s);
                id = vfind(v, cand, pl + e - s);
            } else id = vfind(v, p->s, e);
            if (id >= 0) break;
            do e--;
            while (e > s && ((unsigned char)p->s[e] & 0xC0) == 0x80);
        }
        if (id < 0) {
            out->n = first;
            rc = emit(out, p, (int32_t)w->unk, 0, p->n);
            break;
        }
        rc = emit(out, p, (int32_t)id, s, e);
        s = e;
    }
    lt_free(cand);
    return rc;
}
const lt__tok_model lt__tok_wordpiece = {
    .type = "WordPiece", .parse = wp_parse, .encode = wp_encode, .free = wp_free
};
