/* graph: edge-list rules, the binary cache, and the walks' transition probabilities against
 * the exact ones (chi-square), first and second order, weighted and directed. */
#include "test.h"
#include <unistd.h>

static lt_graph *parse(
        const char *text, int directed, int weighted, lt_graph_stats *st, int expect_rc) {
    lt_graph_opts o;
    lt_graph_opts_init(&o);
    o.directed = directed;
    o.weighted = weighted;
    lt_graph *g = NULL;
    int rc = lt_graph_parse(text, strlen(text), "t.tsv", &o, &g, st);
    CHECK_MSG(rc == expect_rc, "rc %d, want %d (%s)", rc, expect_rc, lt_errmsg());
    return g;
}
static int64_t arc_w(const lt_graph *g, const char *a, const char *b, float *w) {
    int64_t x = lt_graph_find(g, a), y = lt_graph_find(g, b);
    if (x < 0 || y < 0) return -1;
    for (int64_t k = g->off[x]; k < g->off[x + 1]; k++)
        if (g->adj[k] == y) {
            if (w) *w = g->w ? g->w[k] : 1;
            return 1;
        }
    return 0;
}

TEST(edge_list_rules) {
    lt_graph_stats st;
    const char *t =
            "# comment\n% another\n\nalice bob\nbob,carol\ncarol\tdave 3\nalice alice\nbob alice\n  erin  erin \n";
    lt_graph *g = parse(t, 0, 0, &st, LT_OK);
    if (!g) return;
    CHECK(g->n == 5); /* erin has only a self loop: isolated */
    CHECK(st.lines == 6 && st.self_loops == 2 && st.duplicates == 1 && st.edges == 3 &&
            st.isolated == 1);
    CHECK(g->m == 6 && arc_w(g, "bob", "alice", NULL) == 1 && arc_w(g, "dave", "carol", NULL) == 1);
    for (int64_t i = 0; i < g->n; i++)
        for (int64_t k = g->off[i] + 1; k < g->off[i + 1]; k++)
            CHECK(g->adj[k] > g->adj[k - 1]); /* sorted rows */
    lt_graph_free(g);
    /* directed, weighted: the first duplicate's weight; a zero weight drops the arc */
    g = parse("a b 2\nb a 0.5\na b 7\nb c 0\nc a 1e-3\n", 1, 1, &st, LT_OK);
    if (!g) return;
    float w = 0;
    CHECK(arc_w(g, "a", "b", &w) == 1 && w == 2.0f);
    CHECK(arc_w(g, "b", "a", &w) == 1 && w == 0.5f);
    CHECK(arc_w(g, "b", "c", NULL) == 0 && arc_w(g, "a", "c", NULL) == 0);
    CHECK(st.duplicates == 1 && st.zero_weights == 1 && g->m == 3);
    lt_graph_free(g);
    /* bad inputs: line numbers in the messages */
    parse("a b 1\nb c -2\n", 0, 1, &st, LT_EFORMAT);
    CHECK(strstr(lt_errmsg(), "line 2") && strstr(lt_errmsg(), "negative"));
    parse("a b nan\n", 0, 1, &st, LT_EFORMAT);
    CHECK(strstr(lt_errmsg(), "line 1"));
    parse("a b\nc\n", 0, 0, &st, LT_EFORMAT);
    CHECK(strstr(lt_errmsg(), "line 2"));
    parse("a b\n", 0, 1, &st, LT_EFORMAT);
    CHECK(strstr(lt_errmsg(), "weight"));
    parse("# nothing\n\n", 0, 0, &st, LT_EFORMAT);
    CHECK(strstr(lt_errmsg(), "empty"));
    /* ids over 2^31 are ids like any other (labels), not indices */
    g = parse("4294967297 1\n1 99999999999999999999\n", 0, 0, &st, LT_OK);
    CHECK(g && g->n == 3 && lt_graph_find(g, "99999999999999999999") >= 0);
    lt_graph_free(g);
}

TEST(cache_round_trip) {
    const char *path = "build/tests/cache_graph.tsv";
    FILE *f = fopen(path, "wb");
    for (int i = 0; i < 200; i++) fprintf(f, "n%d n%d %d\n", i, (i * 7 + 3) % 200, i % 5 + 1);
    fclose(f);
    char cp[512];
    snprintf(cp, sizeof cp, "%s.directed-weighted.lgraph", path);
    unlink(cp);
    snprintf(cp, sizeof cp, "%s.weighted.lgraph", path);
    unlink(cp);
    lt_graph_opts o;
    lt_graph_opts_init(&o);
    o.weighted = 1;
    lt_graph *a = NULL, *b = NULL;
    lt_graph_stats sa, sb;
    CHECK(lt_graph_load(path, &o, &a, &sa) == LT_OK && !sa.from_cache &&
            !strcmp(sa.cache_path, cp));
    CHECK(lt_graph_load(path, &o, &b, &sb) == LT_OK && sb.from_cache);
    if (a && b) {
        CHECK(a->n == b->n && a->m == b->m && !memcmp(a->off, b->off, (size_t)(a->n + 1) * 8));
        CHECK(!memcmp(a->adj, b->adj, (size_t)a->m * 4) && !memcmp(a->w, b->w, (size_t)a->m * 4));
        for (int64_t i = 0; i < a->n; i++) CHECK(!strcmp(a->labels[i], b->labels[i]));
        CHECK(sa.duplicates == sb.duplicates && sa.self_loops == sb.self_loops &&
                sa.edges == sb.edges);
    }
    lt_graph_free(b);
    b = NULL;
    /* other options: the cache does not apply */
    o.directed = 1;
    CHECK(lt_graph_load(path, &o, &b, &sb) == LT_OK && !sb.from_cache && b && b->directed);
    lt_graph_free(b);
    b = NULL;
    o.directed = 0;
    /* a damaged cache is ignored (parsed again) and a changed input invalidates it */
    long len = 0;
    unsigned char *img = t_read_file(cp, &len);
    CHECK(img != NULL);
    if (img) {
        lt_graph *c = NULL;
        CHECK(lt_graph_parse_cache(img, (size_t)len, cp, &c) == LT_OK && c && c->m == a->m);
        lt_graph_free(c);
        img[len / 2] ^= 0x55;
        c = NULL;
        CHECK(lt_graph_parse_cache(img, (size_t)len, cp, &c) == LT_EFORMAT && !c);
        f = fopen(cp, "wb");
        fwrite(img, 1, (size_t)len, f);
        fclose(f);
        CHECK(lt_graph_load(path, &o, &b, &sb) == LT_OK && !sb.from_cache);
        lt_graph_free(b);
        free(img);
    }
    f = fopen(path, "ab");
    fprintf(f, "n1 n150 2\n");
    fclose(f);
    b = NULL;
    CHECK(lt_graph_load(path, &o, &b, &sb) == LT_OK && !sb.from_cache && b && b->m == a->m + 2);
    lt_graph_free(a);
    lt_graph_free(b);
}

/* chi-square of the steps taken from v after arriving from t, against exact probabilities */
static double chi2_step(const lt_graph *g, const lt_walk_opts *o, int32_t t, int32_t v,
        const double *expect, int64_t N) {
    int64_t d = g->off[v + 1] - g->off[v], seen = 0, *cnt = calloc((size_t)g->n, 8);
    int32_t w[3];
    for (int64_t i = 0; seen < N; i++) {
        if (lt_graph_walk(g, o, i, t, w, 3) < 3 || w[1] != v) continue;
        cnt[w[2]]++;
        seen++;
    }
    double x2 = 0;
    for (int64_t k = 0; k < d; k++) {
        int32_t x = g->adj[g->off[v] + k];
        double e = expect[k] * (double)N;
        x2 += (cnt[x] - e) * (cnt[x] - e) / e;
    }
    free(cnt);
    return x2;
}

TEST(walk_transitions_chi_square) {
    /* t = a; v = b; from b: back to a (1/p), to c (a -> c exists: 1), to d and e (1/q) */
    const char *text = "a b 10\na c 1\nb a 2\nb c 1\nb d 3\nb e 0.5\nc a 1\nd a 1\ne a 1\n";
    for (int directed = 0; directed < 2; directed++) {
        lt_graph_stats st;
        lt_graph *g = parse(text, directed, 1, &st, LT_OK);
        if (!g) return;
        int32_t t = (int32_t)lt_graph_find(g, "a"), v = (int32_t)lt_graph_find(g, "b");
        double pq[][2] = { { 1, 1 }, { 0.25, 4 }, { 4, 0.25 }, { 2, 0.5 } };
        for (int s = 0; s < 5; s++) {
            lt_walk_opts o;
            lt_walk_opts_init(&o);
            o.length = 3;
            o.seed = 17 + (uint64_t)s;
            if (s == 4) o.second_order = 0;
            else {
                o.p = pq[s][0];
                o.q = pq[s][1];
            }
            double ex[8], z = 0;
            int64_t d = g->off[v + 1] - g->off[v];
            for (int64_t k = 0; k < d; k++) {
                int32_t x = g->adj[g->off[v] + k];
                double wt = g->w[g->off[v] + k], al = 1;
                if (o.second_order) {
                    int adj = 0;
                    for (int64_t j = g->off[t]; j < g->off[t + 1]; j++) adj |= g->adj[j] == x;
                    al = x == t ? 1 / o.p : adj ? 1 : 1 / o.q;
                }
                ex[k] = al * wt;
                z += ex[k];
            }
            for (int64_t k = 0; k < d; k++) ex[k] /= z;
            double x2 = chi2_step(g, &o, t, v, ex, 100000);
            /* d - 1 degrees of freedom (4 or 5 arcs): 0.1% critical values 16.27 / 18.47 */
            CHECK_MSG(x2 < (d == 4 ? 16.27 : 18.47),
                    "directed %d case %d: chi-square %.2f over %lld arcs", directed, s, x2,
                    (long long)d);
        }
        lt_graph_free(g);
    }
}

TEST(walks_deterministic_and_dangling) {
    lt_graph_stats st;
    lt_graph *g = parse("a b\nb c\nc d\n", 1, 0, &st, LT_OK); /* directed chain: d is dangling */
    if (!g) return;
    lt_walk_opts o;
    lt_walk_opts_init(&o);
    o.length = 10;
    int32_t w1[10], w2[10];
    int n1 = lt_graph_walk(g, &o, 5, (int32_t)lt_graph_find(g, "a"), w1, 10);
    int n2 = lt_graph_walk(g, &o, 5, (int32_t)lt_graph_find(g, "a"), w2, 10);
    CHECK(n1 == 4 && n2 == 4 &&
            !memcmp(w1, w2, sizeof(int32_t) * 4)); /* ends at the dangling node */
    o.p = 0;
    CHECK(lt_graph_walk(g, &o, 0, 0, w1, 10) == LT_EINVAL);
    lt_graph_free(g);
}

/* the default learning rate: 1.25 x edges / the crossings of an edge kept by subsampling */
TEST(auto_alpha) {
    lt_graph_stats st;
    lt_graph *g = parse("a b\nb c\nc a\nc d\n", 0, 0, &st, LT_OK); /* 4 edges; c has degree 3 */
    if (!g) return;
    int64_t cnt[4] = { 30, 30, 30, 30 };
    /* no subsampling: crossings = sum of count(u) / deg(u) over arcs = 120 steps over 4 edges */
    CHECK_NEAR(lt_n2v_auto_alpha(g, cnt, 0, 1, 1), 1.25 * 4 / 120, 1e-12, 0);
    CHECK_NEAR(lt_n2v_auto_alpha(g, cnt, 0, 1, 2), 1.25 * 4 / 240, 1e-12, 0);
    int64_t d = lt_graph_find(g, "d"), c = lt_graph_find(g, "c");
    cnt[d] = 0; /* d below min count: c's arc to d crosses to a dropped node (30 / 3 lost) */
    CHECK_NEAR(lt_n2v_auto_alpha(g, cnt, 0, 1, 1), 1.25 * 4 / 80, 1e-12, 0);
    cnt[d] = 30;
    int64_t eq[4] = { 3000, 3000, 3000, 3000 };
    double k = lt_sgns_keep(3000, 12000, 0.01); /* every node equally frequent: crossings x k^2 */
    CHECK(k < 1 && k > 0.1);
    CHECK_NEAR(lt_n2v_auto_alpha(g, eq, 0.01, 1, 1), 1.25 * 4 / (12000 * k * k), 1e-12, 1e-9);
    int64_t few[4] = { 1, 1, 1, 1 }, many[4] = { 1000000, 1000000, 1000000, 1000000 };
    CHECK_NEAR(lt_n2v_auto_alpha(g, few, 0, 1, 1), 0.1, 1e-12, 0); /* capped */
    CHECK_NEAR(lt_n2v_auto_alpha(g, many, 0, 1, 1), 1e-4, 1e-12, 0); /* floored */
    (void)c;
    lt_n2v_opts o;
    lt_n2v_opts_init(&o);
    o.sg.dim = 8;
    o.walk.length = 6;
    o.walk.num_walks = 5;
    o.sg.window = 2;
    o.sg.sample = 0;
    lt_vecs *v = NULL;
    lt_n2v_info inf;
    CHECK(lt_n2v_train(g, &o, &v, &inf) == LT_OK);
    CHECK(inf.walks == 20 && inf.steps == 120); /* no dangling node: 20 walks of 6 */
    CHECK_NEAR(inf.alpha, 1.25 * 4 / 120, 1e-12, 0);
    const char *ma = v ? lt_vecs_meta_get(v, "alpha") : NULL;
    CHECK(ma && fabs(atof(ma) - 1.25 * 4 / 120) < 1e-6);
    lt_vecs_free(v);
    o.sg.alpha = 0.02f; /* given: used as is */
    CHECK(lt_n2v_train(g, &o, &v, &inf) == LT_OK && fabs(inf.alpha - 0.02) < 1e-7);
    lt_vecs_free(v);
    lt_graph_free(g);
}

/* ROC-AUC against the direct count over all (positive, negative) pairs, ties counting 1/2 */
TEST(auc_against_direct_count) {
    lt_rng r;
    lt_rng_seed(&r, 3, 0);
    int n = 500;
    double *s = malloc(sizeof(double) * (size_t)n);
    int8_t *y = malloc((size_t)n);
    for (int i = 0; i < n; i++) {
        y[i] = lt_rng_uniform(&r) < 0.4 ? 1 : -1;
        s[i] = (double)(int)(lt_rng_uniform(&r) * 20) + (y[i] > 0) * 3;
    }
    double num = 0, den = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            if (y[i] > 0 && y[j] < 0) {
                num += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0;
                den++;
            }
    CHECK_NEAR(lt_roc_auc(s, y, n), num / den, 1e-12, 0);
    free(s);
    free(y);
}

/* a split holds out edges without isolating any node, and samples true non-edges */
TEST(link_split_rules) {
    const char *path = "build/tests/split_graph.tsv";
    FILE *f = fopen(path, "wb");
    for (int i = 0; i < 60; i++) {
        fprintf(f, "%d %d\n", i, (i + 1) % 60);
        fprintf(f, "%d %d\n", i, (i * 7 + 11) % 60);
    }
    fprintf(f, "100 101\n"); /* a pair whose edge can never be held out */
    fclose(f);
    lt_graph_opts o;
    lt_graph_opts_init(&o);
    o.cache = 0;
    lt_graph *g = NULL, *t = NULL;
    CHECK(lt_graph_load(path, &o, &g, NULL) == LT_OK);
    if (!g) return;
    lt_split_info si;
    CHECK(lt_graph_split(g, 0.3, 5, "build/tests/split_train.tsv", "build/tests/split_test.tsv",
                  &si) == LT_OK);
    CHECK(si.held_out > 20 && si.negatives == si.held_out && si.kept + si.held_out == g->m / 2);
    CHECK(lt_graph_load("build/tests/split_train.tsv", &o, &t, NULL) == LT_OK);
    if (t) {
        CHECK(t->n == g->n); /* every node kept an edge */
        for (int64_t i = 0; i < t->n; i++) CHECK(t->off[i + 1] > t->off[i]);
        lt_graph_free(t);
    }
    f = fopen("build/tests/split_test.tsv", "rb");
    char a[64], b[64];
    int lab, bad = 0, n0 = 0;
    while (f && fscanf(f, "%63s %63s %d", a, b, &lab) == 3) {
        int64_t x = lt_graph_find(g, a), y = lt_graph_find(g, b), e = 0;
        for (int64_t k = g->off[x]; k < g->off[x + 1]; k++) e |= g->adj[k] == y;
        bad += e != lab;
        n0 += !lab;
    }
    if (f) fclose(f);
    CHECK(bad == 0 && n0 == si.negatives);
    lt_graph_free(g);
}

RUN_TESTS(T(auto_alpha), T(auc_against_direct_count), T(link_split_rules), T(edge_list_rules),
        T(cache_round_trip), T(walk_transitions_chi_square), T(walks_deterministic_and_dangling))
