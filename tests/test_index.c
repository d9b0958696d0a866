/* exact search (ties, padding, double-precision oracle) and HNSW (recall, filters,
 * delete/compact, persistence, determinism, concurrent insert + search) */
#include "test.h"
#include "latent/index.h"
#include "latent/box.h"
#include <pthread.h>
#include <zlib.h>
#include <stdatomic.h>
#include <unistd.h>

/* n points around 20 centres; queries of the same distribution come from
 * queries_for(seed) (same centres, other points). */
static lt_vecs *clustered_q(int64_t n, int64_t d, uint64_t seed, uint64_t stream) {
    lt_vecs *v = lt_vecs_new(n, d);
    lt_rng r;
    lt_rng_seed(&r, seed, 0);
    float cent[20][64];
    for (int c = 0; c < 20; c++)
        for (int k = 0; k < d; k++) cent[c][k] = (float)(lt_rng_uniform(&r) * 4 - 2);
    lt_rng_seed(&r, seed, 1 + stream);
    for (int64_t i = 0; i < n; i++) {
        int c = (int)lt_rng_below(&r, 20);
        for (int64_t k = 0; k < d; k++)
            lt_vecs_row(v, i)[k] = cent[c][k] + (float)(lt_rng_uniform(&r) - 0.5);
    }
    return v;
}
static lt_vecs *clustered(int64_t n, int64_t d, uint64_t seed) {
    return clustered_q(n, d, seed, 0);
}
static lt_vecs *queries_for(int64_t n, int64_t d, uint64_t seed) {
    return clustered_q(n, d, seed, 1);
}

/* double-precision brute force oracle, ties by id */
static void oracle(const lt_vecs *b, const float *q, int k, lt_metric m, int64_t *ids) {
    double *dd = malloc(sizeof(double) * b->n);
    double qn = 0;
    for (int64_t j = 0; j < b->d; j++) qn += (double)q[j] * q[j];
    for (int64_t i = 0; i < b->n; i++) {
        const float *x = lt_vecs_row(b, i);
        double s = 0, xn = 0;
        for (int64_t j = 0; j < b->d; j++) {
            if (m == LT_METRIC_L2) {
                double t = (double)q[j] - x[j];
                s += t * t;
            } else s += (double)q[j] * x[j];
            xn += (double)x[j] * x[j];
        }
        dd[i] = m == LT_METRIC_L2 ? s : m == LT_METRIC_IP ? 1 - s : 1 - s / sqrt(qn * xn);
    }
    for (int t = 0; t < k; t++) {
        int64_t best = -1;
        for (int64_t i = 0; i < b->n; i++) {
            int used = 0;
            for (int u = 0; u < t; u++) used |= ids[u] == i;
            if (!used && (best < 0 || dd[i] < dd[best])) best = i;
        }
        ids[t] = best;
    }
    free(dd);
}

/* Both candidate passes (packed GEMM, used for blocks of >= 32 queries, and OpenBLAS) */
static const char *const exact_paths[2] = { "packed", "blas" };

TEST(exact_ties_and_padding) {
    lt_vecs *b = lt_vecs_new(5, 2);
    float pts[5][2] = { { 1, 0 }, { 0, 1 }, { 1, 0 }, { -1, 0 }, { 1, 0 } };
    for (int i = 0; i < 5; i++) memcpy(lt_vecs_row(b, i), pts[i], 8);
    float q[40 * 2], D[40 * 7];
    int64_t I[40 * 7];
    for (int i = 0; i < 40; i++) {
        q[2 * i] = 1;
        q[2 * i + 1] = 0;
    }
    int64_t want[7] = { 0, 2, 4, 1, 3, -1, -1 };
    for (int path = 0; path < 2; path++) {
        setenv("LATENT_EXACT", exact_paths[path], 1);
        for (int nq = 1; nq <= 40; nq += 39) { /* 1 query, and a block of 40 */
            CHECK(lt_knn_exact(b, q, nq, 2, 7, LT_METRIC_L2, 1, D, I) == LT_OK);
            for (int i = 0; i < nq; i++)
                CHECK_MSG(!memcmp(I + 7 * i, want, sizeof want), "%s path, %d queries, query %d",
                        exact_paths[path], nq, i);
            CHECK(D[0] == 0 && D[3] == 2 && D[4] == 4 && isinf(D[5]));
        }
    }
    unsetenv("LATENT_EXACT");
    lt_vecs_free(b);
}

TEST(exact_matches_double_oracle) {
    lt_vecs *b = clustered(3000, 24, 1), *q = clustered(150, 24, 2);
    lt_metric ms[3] = { LT_METRIC_L2, LT_METRIC_IP, LT_METRIC_COS };
    for (int path = 0; path < 2; path++) {
        setenv("LATENT_EXACT", exact_paths[path], 1);
        for (int mi = 0; mi < 3; mi++) {
            float D[150 * 10];
            int64_t I[150 * 10], want[10];
            CHECK(lt_knn_exact(b, q->data, 150, q->ld, 10, ms[mi], 2, D, I) == LT_OK);
            int bad = 0;
            for (int i = 0; i < 150; i++) {
                oracle(b, lt_vecs_row(q, i), 10, ms[mi], want);
                bad += memcmp(want, I + i * 10, sizeof want) != 0;
            }
            CHECK_MSG(bad == 0, "%s path, metric %d: %d queries differ from the oracle",
                    exact_paths[path], mi, bad);
        }
    }
    unsetenv("LATENT_EXACT");
    lt_vecs_free(b);
    lt_vecs_free(q);
}

static double recall(const int64_t *got, const int64_t *truth, int64_t nq, int k) {
    int64_t hit = 0;
    for (int64_t i = 0; i < nq; i++)
        for (int a = 0; a < k; a++)
            for (int b = 0; b < k; b++)
                if (got[i * k + a] == truth[i * k + b] && truth[i * k + b] >= 0) {
                    hit++;
                    break;
                }
    return (double)hit / (double)(nq * k);
}

static lt_hnsw *build(const lt_vecs *b, lt_metric m, int threads) {
    lt_hnsw_opts o;
    lt_hnsw_opts_init(&o);
    o.metric = m;
    o.M = 12;
    o.ef_construction = 100;
    lt_hnsw *h;
    if (lt_hnsw_new(&h, b->d, &o)) return NULL;
    if (lt_hnsw_add_store(h, b, 0, threads)) {
        lt_hnsw_free(h);
        return NULL;
    }
    return h;
}

TEST(hnsw_recall_band) {
    lt_vecs *b = clustered(5000, 32, 3), *q = queries_for(200, 32, 3);
    lt_metric ms[2] = { LT_METRIC_L2, LT_METRIC_COS };
    for (int mi = 0; mi < 2; mi++) {
        lt_hnsw *h = build(b, ms[mi], 2);
        CHECK(h != NULL);
        if (!h) continue;
        float *D = malloc(200 * 10 * 4), *D2 = malloc(200 * 10 * 4);
        int64_t *I = malloc(200 * 10 * 8), *T = malloc(200 * 10 * 8);
        CHECK(lt_knn_exact(b, q->data, 200, q->ld, 10, ms[mi], 2, D2, T) == LT_OK);
        CHECK(lt_hnsw_search_batch(h, q->data, 200, q->ld, 10, 64, NULL, 2, D, I) == LT_OK);
        double r = recall(I, T, 200, 10);
        CHECK_MSG(r >= 0.95, "metric %d: recall@10 %.3f at ef 64", mi, r);
        free(D);
        free(D2);
        free(I);
        free(T);
        lt_hnsw_free(h);
    }
    lt_vecs_free(b);
    lt_vecs_free(q);
}

static int odd_pred(int64_t id, void *ud) {
    (void)ud;
    return id % 2 == 1;
}

TEST(hnsw_filtered_recall) {
    lt_vecs *b = clustered(5000, 32, 5), *q = queries_for(100, 32, 5);
    lt_hnsw *h = build(b, LT_METRIC_L2, 1);
    CHECK(h != NULL);
    /* a 50% predicate (graph search) and a 0.4% allow-list (exact fallback), against exact search over the subset */
    for (int mode = 0; mode < 2; mode++) {
        int64_t na = 0, *allow = malloc(5000 * 8);
        for (int64_t i = 0; i < 5000; i++)
            if (mode == 0 ? i % 2 == 1 : i % 250 == 7) allow[na++] = i;
        lt_vecs *sub = lt_vecs_new(na, 32);
        for (int64_t i = 0; i < na; i++)
            memcpy(lt_vecs_row(sub, i), lt_vecs_row(b, allow[i]), 32 * 4);
        float D[100 * 10], D2[100 * 10];
        int64_t I[100 * 10], T[100 * 10];
        lt_knn_exact(sub, q->data, 100, q->ld, 10, LT_METRIC_L2, 1, D2, T);
        for (int i = 0; i < 1000; i++) T[i] = T[i] >= 0 ? allow[T[i]] : -1;
        lt_filter f = { 0 };
        if (mode == 0) f.pred = odd_pred;
        else {
            f.allow = allow;
            f.n_allow = na;
        }
        CHECK(lt_hnsw_search_batch(h, q->data, 100, q->ld, 10, 64, &f, 1, D, I) == LT_OK);
        int outside = 0;
        for (int i = 0; i < 1000; i++)
            if (I[i] >= 0 && (mode == 0 ? I[i] % 2 != 1 : I[i] % 250 != 7)) outside++;
        CHECK(outside == 0);
        double r = recall(I, T, 100, 10);
        CHECK_MSG(r >= 0.95, "filter mode %d: recall %.3f", mode, r);
        lt_vecs_free(sub);
        free(allow);
    }
    lt_hnsw_free(h);
    lt_vecs_free(b);
    lt_vecs_free(q);
}

TEST(hnsw_delete_compact_persist) {
    lt_vecs *b = clustered(3000, 16, 7), *q = queries_for(50, 16, 7);
    lt_hnsw *h = build(b, LT_METRIC_L2, 1);
    CHECK(h != NULL);
    if (!h) return;
    for (int64_t i = 0; i < 3000; i += 3) CHECK(lt_hnsw_delete(h, i) == LT_OK);
    CHECK(lt_hnsw_delete(h, 0) == LT_ENOTFOUND);
    float D[500], D2[500];
    int64_t I[500], I2[500];
    CHECK(lt_hnsw_search_batch(h, q->data, 50, q->ld, 10, 64, NULL, 1, D, I) == LT_OK);
    int bad = 0;
    for (int i = 0; i < 500; i++) bad += I[i] % 3 == 0;
    CHECK_MSG(bad == 0, "%d deleted ids returned", bad);
    /* truth over the survivors */
    lt_vecs *sub = lt_vecs_new(2000, 16);
    int64_t map[2000], n = 0;
    for (int64_t i = 0; i < 3000; i++)
        if (i % 3) {
            memcpy(lt_vecs_row(sub, n), lt_vecs_row(b, i), 64);
            map[n++] = i;
        }
    int64_t T[500];
    lt_knn_exact(sub, q->data, 50, q->ld, 10, LT_METRIC_L2, 1, D2, T);
    for (int i = 0; i < 500; i++) T[i] = map[T[i]];
    double r1 = recall(I, T, 50, 10);
    CHECK_MSG(r1 >= 0.95, "recall after deletes %.3f", r1);
    /* re-add a deleted id with a new vector (update), then compact; the live count counts the
     * re-added id once (its old node was already deleted) */
    int64_t before = lt_hnsw_get_info(h).count;
    CHECK(lt_hnsw_add(h, lt_vecs_row(b, 1), 3) == LT_OK);
    CHECK(lt_hnsw_get_info(h).count == before + 1 && lt_hnsw_get_info(h).next_id == 3000);
    CHECK(lt_hnsw_vector(h, 3) && !memcmp(lt_hnsw_vector(h, 3), lt_vecs_row(b, 1), 64));
    CHECK(lt_hnsw_delete(h, 3) == LT_OK);
    CHECK(lt_hnsw_compact(h, 1) == LT_OK);
    lt_hnsw_info in = lt_hnsw_get_info(h);
    CHECK(in.count == 2000 && in.deleted == 0);
    CHECK(lt_hnsw_search_batch(h, q->data, 50, q->ld, 10, 64, NULL, 1, D, I) == LT_OK);
    double r2 = recall(I, T, 50, 10);
    CHECK_MSG(r2 >= 0.95, "recall after compaction %.3f", r2);
    /* save / load gives identical results */
    CHECK(lt_hnsw_save(h, "build/tests/idx.lhnsw") == LT_OK);
    lt_hnsw *g = NULL;
    CHECK(lt_hnsw_load(&g, "build/tests/idx.lhnsw") == LT_OK);
    if (g) {
        CHECK(lt_hnsw_search_batch(g, q->data, 50, q->ld, 10, 64, NULL, 1, D2, I2) == LT_OK);
        CHECK(!memcmp(I, I2, sizeof I) && !memcmp(D, D2, sizeof D));
        lt_hnsw_info gi = lt_hnsw_get_info(g);
        CHECK(gi.M == 12 && gi.ef_construction == 100 && gi.count == 2000);
        /* adding after load continues */
        CHECK(lt_hnsw_add(g, lt_vecs_row(b, 0), 99999) == LT_OK);
        lt_hnsw_free(g);
    }
    /* truncated and corrupt files: clear error */
    long len = 0;
    unsigned char *buf = t_read_file("build/tests/idx.lhnsw", &len);
    CHECK(buf != NULL);
    if (!buf) return;
    long cuts[] = { 0, 5, 100, len / 2, len - 1 };
    for (int c = 0; c < 5; c++) {
        g = NULL;
        CHECK(lt_hnsw_parse(buf, (size_t)cuts[c], "x.lhnsw", &g) == LT_EFORMAT && !g);
    }
    buf[len / 3] ^= 0x20;
    g = NULL;
    CHECK(lt_hnsw_parse(buf, (size_t)len, "x.lhnsw", &g) == LT_EFORMAT && !g);
    CHECK(strstr(lt_errmsg(), "x.lhnsw: offset") != NULL);
    free(buf);
    lt_vecs_free(sub);
    lt_hnsw_free(h);
    lt_vecs_free(b);
    lt_vecs_free(q);
}

/* The mapped (zero-copy) load: more than one full chunk of 4096 nodes plus a partial one,
 * every storage mode. A loaded index answers exactly as the one saved, keeps changing in
 * memory (adds into the copied last chunk and new chunks, deletes and updates inside the
 * mapped chunks, the file untouched), and saves again to the same answers. */
TEST(hnsw_mapped_load) {
    lt_vecs *b = clustered(9000, 8, 21), *q = queries_for(40, 8, 21);
    for (int st = 0; st < 3; st++) {
        lt_hnsw_opts o;
        lt_hnsw_opts_init(&o);
        o.M = 8;
        o.ef_construction = 40;
        o.storage = st;
        o.rerank = st != 2;
        lt_hnsw *h = NULL, *g = NULL, *g2 = NULL;
        CHECK(lt_hnsw_new(&h, 8, &o) == LT_OK && lt_hnsw_add_store(h, b, 0, 2) == LT_OK);
        for (int64_t i = 0; i < 9000; i += 97) CHECK(lt_hnsw_delete(h, i) == LT_OK);
        CHECK(lt_hnsw_save(h, "build/tests/m.lhnsw") == LT_OK);
        CHECK(lt_hnsw_load(&g, "build/tests/m.lhnsw") == LT_OK);
        if (!h || !g) {
            lt_hnsw_free(h);
            lt_hnsw_free(g);
            continue;
        }
        float D1[400], D2[400];
        int64_t I1[400], I2[400];
        CHECK(lt_hnsw_search_batch(h, q->data, 40, q->ld, 10, 50, NULL, 1, D1, I1) == LT_OK);
        CHECK(lt_hnsw_search_batch(g, q->data, 40, q->ld, 10, 50, NULL, 1, D2, I2) == LT_OK);
        CHECK(!memcmp(I1, I2, sizeof I1) && !memcmp(D1, D2, sizeof D1));
        int64_t I0[400], count0 = lt_hnsw_get_info(h).count;
        memcpy(I0, I1, sizeof I0);
        /* the same changes to both: deletes and updates in mapped chunks, adds past the end */
        for (lt_hnsw *x = h; x; x = x == h ? g : NULL) {
            for (int64_t i = 1; i < 9000; i += 211) CHECK(lt_hnsw_delete(x, i) == LT_OK);
            for (int64_t i = 5; i < 9000; i += 401)
                CHECK(lt_hnsw_add(x, lt_vecs_row(b, (i * 7) % 9000), i) == LT_OK);
            for (int64_t i = 0; i < 300; i++)
                CHECK(lt_hnsw_add(x, lt_vecs_row(q, i % 40), 100000 + i) == LT_OK);
        }
        CHECK(lt_hnsw_search_batch(h, q->data, 40, q->ld, 10, 50, NULL, 1, D1, I1) == LT_OK);
        CHECK(lt_hnsw_search_batch(g, q->data, 40, q->ld, 10, 50, NULL, 1, D2, I2) == LT_OK);
        CHECK_MSG(!memcmp(I1, I2, sizeof I1) && !memcmp(D1, D2, sizeof D1),
                "storage %d: changed mapped index differs", st);
        /* the file was not touched by those changes: it loads to the old answers */
        CHECK(lt_hnsw_load(&g2, "build/tests/m.lhnsw") == LT_OK);
        if (g2) {
            CHECK(lt_hnsw_get_info(g2).count == count0 && lt_hnsw_get_info(h).count > count0);
            CHECK(lt_hnsw_search_batch(g2, q->data, 40, q->ld, 10, 50, NULL, 1, D2, I2) == LT_OK &&
                    !memcmp(I0, I2, sizeof I0));
            lt_hnsw_free(g2);
            g2 = NULL;
        }
        CHECK(lt_hnsw_save(g, "build/tests/m2.lhnsw") == LT_OK);
        CHECK(lt_hnsw_load(&g2, "build/tests/m2.lhnsw") == LT_OK);
        if (g2) {
            CHECK(lt_hnsw_search_batch(g2, q->data, 40, q->ld, 10, 50, NULL, 1, D2, I2) == LT_OK);
            CHECK(!memcmp(I1, I2, sizeof I1) && !memcmp(D1, D2, sizeof D1));
            CHECK(lt_hnsw_compact(g2, 1) == LT_OK && lt_hnsw_get_info(g2).deleted == 0);
            lt_hnsw_free(g2);
        }
        lt_hnsw_free(h);
        lt_hnsw_free(g);
    }
    lt_vecs_free(b);
    lt_vecs_free(q);
}

TEST(hnsw_deterministic_single_thread) {
    lt_vecs *b = clustered(2000, 16, 9);
    lt_hnsw *a = build(b, LT_METRIC_L2, 1), *c = build(b, LT_METRIC_L2, 1);
    CHECK(a && c);
    CHECK(lt_hnsw_save(a, "build/tests/d1.lhnsw") == LT_OK &&
            lt_hnsw_save(c, "build/tests/d2.lhnsw") == LT_OK);
    CHECK(system("cmp -s build/tests/d1.lhnsw build/tests/d2.lhnsw") == 0);
    lt_hnsw_free(a);
    lt_hnsw_free(c);
    lt_vecs_free(b);
}

/* Writers insert while readers search in every mode a reader can use: unfiltered graph
 * search, a filtered graph search (half the ids), and the two brute-force paths (a selective
 * predicate, an allow-list). Ids are rows; inserts cross chunk boundaries (4096 nodes). */
typedef struct {
    lt_hnsw *h;
    const lt_vecs *v;
    int64_t from, to;
    int mode;
    _Atomic int *stop;
    int fails, bad;
} conc;
static int odd_id(int64_t id, void *ud) {
    (void)ud;
    return id % 2 == 1;
}
static int rare_id(int64_t id, void *ud) {
    (void)ud;
    return id % 500 == 3;
}
static void *conc_run(void *p) {
    conc *c = p;
    float D[10];
    int64_t I[10], allow[64];
    for (int a = 0; a < 64; a++) allow[a] = a * 97 + 5;
    lt_filter half = { NULL, 0, odd_id, NULL }, rare = { NULL, 0, rare_id, NULL },
              list = { allow, 64, NULL, NULL };
    const lt_filter *fs[4] = { NULL, &half, &rare, &list };
    if (c->mode < 0) {
        for (int64_t i = c->from; i < c->to; i++)
            if (lt_hnsw_add(c->h, lt_vecs_row(c->v, i), i)) c->fails++;
        atomic_fetch_add(c->stop, 1);
        return NULL;
    }
    for (int64_t i = 0; atomic_load(c->stop) < 2; i++) {
        if (lt_hnsw_search(c->h, lt_vecs_row(c->v, (i * 7) % c->to), 10, 32, fs[c->mode], D, I))
            c->fails++;
        for (int a = 0; a < 10; a++)
            if (I[a] >= 0 &&
                    ((c->mode == 1 && I[a] % 2 != 1) || (c->mode == 2 && I[a] % 500 != 3) ||
                            I[a] >= c->to))
                c->bad++;
    }
    return NULL;
}
static void concurrent_round(lt_hnsw *h, const lt_vecs *b, int64_t start, const char *what) {
    _Atomic int stop = 0;
    int64_t mid = (start + b->n) / 2;
    conc w[2] = { { h, b, start, mid, -1, &stop, 0, 0 }, { h, b, mid, b->n, -1, &stop, 0, 0 } };
    conc r[4];
    pthread_t t[6];
    for (int m = 0; m < 4; m++) r[m] = (conc){ h, b, 0, b->n, m, &stop, 0, 0 };
    for (int i = 0; i < 2; i++) pthread_create(&t[i], NULL, conc_run, &w[i]);
    for (int m = 0; m < 4; m++) pthread_create(&t[2 + m], NULL, conc_run, &r[m]);
    for (int i = 0; i < 6; i++) pthread_join(t[i], NULL);
    int fails = w[0].fails + w[1].fails, bad = 0;
    for (int m = 0; m < 4; m++) {
        fails += r[m].fails;
        bad += r[m].bad;
    }
    CHECK_MSG(fails == 0 && bad == 0, "%s: %d failed calls, %d results outside their filter", what,
            fails, bad);
    CHECK_MSG(lt_hnsw_get_info(h).count == b->n, "%s: count %lld", what,
            (long long)lt_hnsw_get_info(h).count);
    int found = 0;
    for (int64_t i = 0; i < b->n; i += b->n / 100) {
        float D[1];
        int64_t I[1];
        lt_hnsw_search(h, lt_vecs_row(b, i), 1, 64, NULL, D, I);
        found += I[0] == i || D[0] == 0;
    }
    CHECK_MSG(found >= 98, "%s: self-recall %d/100", what, found);
}
TEST(hnsw_concurrent_insert_search) {
    lt_vecs *b = clustered(9000, 16, 10);
    lt_vecs *head = lt_vecs_new(1000, 16);
    memcpy(head->data, b->data, (size_t)1000 * b->ld * 4);
    lt_hnsw *h = build(head, LT_METRIC_L2, 1);
    concurrent_round(h, b, 1000, "fresh index");
    lt_hnsw_free(h);
    /* a mapped index (its first full chunk points into the file) growing across the next boundaries */
    lt_vecs *head2 = lt_vecs_new(5000, 16);
    memcpy(head2->data, b->data, (size_t)5000 * b->ld * 4);
    h = build(head2, LT_METRIC_L2, 1);
    CHECK(h && lt_hnsw_save(h, "build/tests/conc.lhnsw") == LT_OK);
    lt_hnsw_free(h);
    h = NULL;
    CHECK(lt_hnsw_load(&h, "build/tests/conc.lhnsw") == LT_OK);
    if (h) concurrent_round(h, b, 5000, "mapped index");
    lt_hnsw_free(h);
    lt_vecs_free(head);
    lt_vecs_free(head2);
    lt_vecs_free(b);
}

TEST(hnsw_compact_storage) {
    lt_vecs *b = clustered(5000, 32, 11), *q = queries_for(200, 32, 11);
    float D[2000], D2[2000], TD[2000];
    int64_t I[2000], I2[2000], T[2000];
    lt_knn_exact(b, q->data, 200, q->ld, 10, LT_METRIC_L2, 1, TD, T);
    int64_t f32_search = 0;
    for (int st = 0; st < 3; st++)
        for (int rr = 1; rr >= (st ? 0 : 1); rr--) {
            lt_hnsw_opts o;
            lt_hnsw_opts_init(&o);
            o.M = 12;
            o.ef_construction = 100;
            o.storage = st;
            o.rerank = rr;
            lt_hnsw *h;
            CHECK(lt_hnsw_new(&h, 32, &o) == LT_OK && lt_hnsw_add_store(h, b, 0, 1) == LT_OK);
            CHECK(lt_hnsw_search_batch(h, q->data, 200, q->ld, 10, 64, NULL, 1, D, I) == LT_OK);
            double r = recall(I, T, 200, 10);
            lt_hnsw_info in = lt_hnsw_get_info(h);
            if (st == 0) f32_search = in.search_bytes;
            fprintf(stderr,
                    "  (storage %d rerank %d: recall %.3f, search bytes %lld, total %lld)\n", st,
                    rr, r, (long long)in.search_bytes, (long long)in.bytes);
            CHECK_MSG(r >= (rr ? 0.95 : 0.85), "storage %d rerank %d: recall %.3f", st, rr, r);
            if (st) CHECK(in.search_bytes < f32_search);
            /* with re-ranking the reported distances are exact */
            if (rr)
                for (int i = 0; i < 10; i++)
                    if (I[i] == T[i]) CHECK_NEAR(D[i], TD[i], 1e-3, 1e-5);
            CHECK(lt_hnsw_save(h, "build/tests/c.lhnsw") == LT_OK);
            lt_hnsw *g = NULL;
            CHECK(lt_hnsw_load(&g, "build/tests/c.lhnsw") == LT_OK);
            if (g) {
                CHECK(lt_hnsw_search_batch(g, q->data, 200, q->ld, 10, 64, NULL, 1, D2, I2) ==
                        LT_OK);
                CHECK(!memcmp(I, I2, sizeof I) && !memcmp(D, D2, sizeof D));
                lt_hnsw_free(g);
            }
            lt_hnsw_free(h);
        }
    lt_vecs_free(b);
    lt_vecs_free(q);
}

/* an index file whose nodes share a live id (valid checksum) is refused at load */
TEST(hnsw_duplicate_ids_refused) {
    lt_vecs *b = clustered(50, 16, 4);
    lt_hnsw *h = build(b, LT_METRIC_L2, 1);
    CHECK(h && lt_hnsw_save(h, "build/tests/dup.lhnsw") == LT_OK);
    lt_hnsw_free(h);
    long len = 0;
    unsigned char *buf = t_read_file("build/tests/dup.lhnsw", &len);
    CHECK(buf != NULL);
    if (!buf) return;
    lt_hnsw *g = NULL;
    CHECK(lt_hnsw_parse(buf, (size_t)len, "dup.lhnsw", &g) == LT_OK);
    lt_hnsw_free(g);
    /* node 7 takes node 3's id in the box's "ext" array; the data checksum recomputed */
    lt_box *bx = NULL;
    CHECK(lt_box_open(buf, (size_t)len, "dup.lhnsw", "LTHNSW03", &bx) == LT_OK);
    if (!bx) {
        free(buf);
        return;
    }
    size_t ext = lt_box_offset(bx, "ext"), dof;
    lt_box_free(bx);
    memcpy(&dof, buf + 56, 8);
    memcpy(buf + ext + 7 * 8, buf + ext + 3 * 8, 8);
    uint32_t c32 = (uint32_t)crc32(crc32(0, Z_NULL, 0), buf + dof, (uInt)(len - (long)dof));
    memcpy(buf + 52, &c32, 4);
    c32 = (uint32_t)crc32(crc32(0, Z_NULL, 0), buf, 124);
    memcpy(buf + 124, &c32, 4);
    g = NULL;
    CHECK(lt_hnsw_parse(buf, (size_t)len, "dup.lhnsw", &g) == LT_EFORMAT && g == NULL);
    CHECK_MSG(strstr(lt_errmsg(), "another live node") != NULL, "%s", lt_errmsg());
    free(buf);
    lt_vecs_free(b);
}

RUN_TESTS(T(hnsw_duplicate_ids_refused), T(hnsw_compact_storage), T(exact_ties_and_padding),
        T(exact_matches_double_oracle), T(hnsw_recall_band), T(hnsw_filtered_recall),
        T(hnsw_delete_compact_persist), T(hnsw_mapped_load), T(hnsw_deterministic_single_thread),
        T(hnsw_concurrent_insert_search))
