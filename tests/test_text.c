/* corpus tokenisation rules, vocabulary, encoding */
#include "test.h"

static int collect(
        const char *buf, size_t len, const lt_corpus_opts *o, char out[][64], int max, int *eols) {
    lt_corpus *c;
    if (lt_corpus_open_mem(&c, buf, len, "mem", o) != LT_OK) return -1;
    const char *t;
    size_t n;
    int k, cnt = 0;
    *eols = 0;
    while ((k = lt_corpus_next(c, &t, &n)) > 0) {
        if (k == LT_TOK_EOL) {
            (*eols)++;
            continue;
        }
        if (cnt < max) { snprintf(out[cnt], 64, "%.*s", (int)n, t); }
        cnt++;
    }
    lt_corpus_close(c);
    return cnt;
}

TEST(tokenize_rules) {
    char tok[16][64];
    int eols;
    const char s[] = "a  b\tc\n\nd\xc2\xa0"
                     "e\x00"
                     "f \xff"
                     "g\xe2\x80\x83h\r\n";
    int n = collect(s, sizeof s - 1, NULL, tok, 16, &eols);
    CHECK(n == 8);
    CHECK(!strcmp(tok[0], "a") && !strcmp(tok[2], "c") && !strcmp(tok[3], "d") &&
            !strcmp(tok[4], "e") && !strcmp(tok[5], "f"));
    CHECK(!strcmp(tok[6], "\xef\xbf\xbdg")); /* invalid byte -> U+FFFD */
    CHECK(!strcmp(tok[7], "h")); /* U+2003 em space separates */
    CHECK(eols == 3);
}

TEST(lowercase_unicode) {
    char tok[4][64];
    int eols;
    lt_corpus_opts o;
    lt_corpus_opts_init(&o);
    o.lower = 1;
    const char s[] = "\xc3\x89T\xc3\x89 \xce\xa3OFIA ABC";
    int n = collect(s, sizeof s - 1, &o, tok, 4, &eols);
    CHECK(n == 3);
    CHECK(!strcmp(tok[0], "\xc3\xa9t\xc3\xa9"));
    CHECK(!strcmp(tok[1], "\xcf\x83ofia"));
    CHECK(!strcmp(tok[2], "abc"));
}

TEST(long_token_cut_at_char_boundary) {
    /* 10 MB token of 3-byte characters: cut at <= 100 bytes without splitting one */
    size_t n = 10 * 1024 * 1024;
    char *b = malloc(n + 8);
    for (size_t i = 0; i + 3 <= n; i += 3) memcpy(b + i, "\xe4\xb8\xad", 3);
    size_t len = n / 3 * 3;
    memcpy(b + len, " ok", 3);
    len += 3;
    lt_corpus *c;
    CHECK(lt_corpus_open_mem(&c, b, len, "big", NULL) == LT_OK);
    const char *t;
    size_t tl;
    CHECK(lt_corpus_next(c, &t, &tl) == LT_TOK_WORD);
    CHECK(tl == 99 && tl % 3 == 0);
    CHECK(lt_corpus_next(c, &t, &tl) == LT_TOK_WORD && tl == 2 && !memcmp(t, "ok", 2));
    CHECK(lt_corpus_next(c, &t, &tl) == LT_TOK_END);
    CHECK(lt_corpus_n_truncated(c) == 1);
    lt_corpus_close(c);
    free(b);
}

TEST(vocab_counts_order_saveload) {
    const char s[] = "b a b c a b d\ne e e e\n";
    lt_corpus *c;
    lt_corpus_open_mem(&c, s, sizeof s - 1, "v", NULL);
    lt_vocab *v = lt_vocab_new();
    lt_vocab_opts o;
    lt_vocab_opts_init(&o);
    o.min_count = 2;
    CHECK(lt_vocab_build(v, c, &o) == LT_OK);
    CHECK(lt_vocab_size(v) == 3);
    CHECK(!strcmp(lt_vocab_word(v, 0), "e") && lt_vocab_count(v, 0) == 4);
    CHECK(!strcmp(lt_vocab_word(v, 1), "b") && !strcmp(lt_vocab_word(v, 2), "a"));
    CHECK(lt_vocab_get_stats(v).below_min_count == 2);
    CHECK(lt_vocab_total(v) == 9);
    CHECK(lt_corpus_rewind(c) == LT_OK);
    lt_tokens t;
    CHECK(lt_tokens_encode(&t, c, v, 3) == LT_OK);
    /* b a b | a b | e e e | e  with -1 separators (sentence cap 3) */
    int32_t expect[] = { 1, 2, 1, -1, 2, 1, -1, 0, 0, 0, -1, 0, -1 };
    CHECK(t.n == 13 && t.n_words == 9);
    CHECK(t.n == 13 && !memcmp(t.ids, expect, sizeof expect));
    lt_tokens_destroy(&t);
    CHECK(lt_vocab_save(v, "build/tests/vocab.txt") == LT_OK);
    lt_vocab *w;
    CHECK(lt_vocab_load(&w, "build/tests/vocab.txt") == LT_OK);
    CHECK(lt_vocab_size(w) == 3 && !strcmp(lt_vocab_word(w, 1), "b") && lt_vocab_count(w, 1) == 3);
    lt_vocab_free(w);
    lt_vocab_free(v);
    lt_corpus_close(c);
    FILE *f = fopen("build/tests/badvocab.txt", "wb");
    fputs("a 3\nnocount\n", f);
    fclose(f);
    CHECK(lt_vocab_load(&w, "build/tests/badvocab.txt") == LT_EFORMAT);
    CHECK(strstr(lt_errmsg(), "offset 4") != NULL);
}

TEST(vocab_ties_by_bytes) { /* GloVe's vocab_count order: count, then bytes as signed char */
    const char s[] =
            "zeta beta \xc3\xa9t\xc3\xa9 alpha alp beta zeta alpha \xc3\xa9t\xc3\xa9 alp ab\n";
    const char *first[] = { "zeta", "beta", "\xc3\xa9t\xc3\xa9", "alpha", "alp", "ab" };
    const char *bytes[] = { "\xc3\xa9t\xc3\xa9", "alp", "alpha", "beta", "zeta", "ab" };
    for (int by = 0; by < 2; by++) {
        lt_corpus *c;
        lt_corpus_open_mem(&c, s, sizeof s - 1, "t", NULL);
        lt_vocab *v = lt_vocab_new();
        lt_vocab_opts o;
        lt_vocab_opts_init(&o);
        o.min_count = 1;
        o.ties_by_bytes = by;
        CHECK(lt_vocab_build(v, c, &o) == LT_OK && lt_vocab_size(v) == 6);
        for (int i = 0; i < 6 && lt_vocab_size(v) == 6; i++)
            CHECK_MSG(!strcmp(lt_vocab_word(v, i), (by ? bytes : first)[i]),
                    "ties_by_bytes %d: row %d is %s", by, i, lt_vocab_word(v, i));
        lt_vocab_free(v);
        lt_corpus_close(c);
    }
}

TEST(vocab_pruning_is_reported) {
    char s[4000];
    size_t p = 0;
    for (int i = 0; i < 300; i++) p += (size_t)snprintf(s + p, sizeof s - p, "w%d the ", i);
    lt_corpus *c;
    lt_corpus_open_mem(&c, s, p, "p", NULL);
    lt_vocab *v = lt_vocab_new();
    lt_vocab_opts o;
    lt_vocab_opts_init(&o);
    o.min_count = 1;
    o.max_build = 100;
    CHECK(lt_vocab_build(v, c, &o) == LT_OK);
    CHECK(lt_vocab_get_stats(v).pruned_while_counting > 0);
    CHECK(lt_vocab_find(v, "the", 3) == 0 && lt_vocab_count(v, 0) == 300);
    lt_vocab_free(v);
    lt_corpus_close(c);
}

static int last_done(double done, double total, double loss, void *ud) {
    ((double *)ud)[0] = done;
    ((double *)ud)[1] = total;
    (void)loss;
    return 0;
}
/* train fasttext's epoch is fastText's: 100 lines of 8 known words and one word below
 * min-count count 900 tokens and 100 line ends against 800 known words, so 2 epochs train
 * 2 x 800 x 1000/900 words (to a sentence); exact_epochs trains 1600 */
TEST(fasttext_epoch_counts_unknown_words_and_line_ends) {
    const char *path = "build/tests/ft_epoch.txt";
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f) return;
    for (int i = 0; i < 100; i++) fprintf(f, "a b c d e f g h u%d\n", i);
    fclose(f);
    for (int exact = 0; exact <= 1; exact++) {
        lt_w2v_opts o;
        lt_w2v_opts_init(&o);
        o.sg.dim = 8;
        o.sg.epochs = 2;
        o.sg.sample = 0;
        o.sg.n_threads = 1;
        o.vocab.min_count = 2;
        o.minn = 2;
        o.maxn = 3;
        o.bucket = 100;
        o.exact_epochs = exact;
        double p[2] = { 0, 0 };
        o.sg.progress = last_done;
        o.sg.progress_ud = p;
        lt_vecs *v = NULL;
        CHECK(lt_w2v_train(path, &o, &v) == LT_OK && v && v->n == 8);
        double want = exact ? 1600 : 2 * 800 * 1000.0 / 900;
        CHECK_MSG(fabs(p[0] - want) <= 8 && fabs(p[1] - (exact ? 1600 : 2 * 888)) < 1,
                "exact %d: %.0f of %.0f words, want %.0f", exact, p[0], p[1], want);
        lt_vecs_free(v);
    }
    remove(path);
}

RUN_TESTS(T(tokenize_rules), T(lowercase_unicode), T(long_token_cut_at_char_boundary),
        T(vocab_counts_order_saveload), T(vocab_ties_by_bytes), T(vocab_pruning_is_reported),
        T(fasttext_epoch_counts_unknown_words_and_line_ends))
