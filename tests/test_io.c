/* vector store formats: round trips, and bad input with clear messages */
#include "test.h"
#include <unistd.h>

static const char *TMP = "build/tests/tmp_io";

static lt_vecs *sample(int64_t n, int64_t d) {
    lt_vecs *v = lt_vecs_new(n, d);
    lt_rng r;
    lt_rng_seed(&r, 3, 0);
    for (int64_t i = 0; i < n; i++) {
        char lab[32];
        snprintf(lab, sizeof lab, i == 2 ? "caf\xc3\xa9_%lld" : "w%lld", (long long)i);
        lt_vecs_set_label(v, i, lab);
        for (int64_t k = 0; k < d; k++)
            lt_vecs_row(v, i)[k] = (float)(lt_rng_uniform(&r) * 2 - 1) * (k == 0 ? 1e-7f : 1.0f);
    }
    lt_vecs_meta_set(v, "method", "test");
    lt_vecs_meta_set(v, "seed", "3");
    return v;
}

static int same(const lt_vecs *a, const lt_vecs *b, double tol, int labels) {
    if (a->n != b->n || a->d != b->d) return 0;
    for (int64_t i = 0; i < a->n; i++) {
        if (labels && strcmp(a->labels[i], b->labels[i])) return 0;
        for (int64_t k = 0; k < a->d; k++)
            if (fabs(lt_vecs_row(a, i)[k] - lt_vecs_row(b, i)[k]) >
                    tol * (1 + fabs(lt_vecs_row(a, i)[k])))
                return 0;
    }
    return 1;
}

static void roundtrip(const char *ext, lt_format f, double tol, int labels, int bin_nl) {
    lt_vecs *v = sample(37, 21), *w = NULL;
    char path[256];
    snprintf(path, sizeof path, "%s/rt%s", TMP, ext);
    lt_save_opts o;
    lt_save_opts_init(&o);
    o.bin_newline = bin_nl;
    CHECK_MSG(lt_vecs_save(v, path, f, &o) == LT_OK, "%s: %s", ext, lt_errmsg());
    CHECK_MSG(lt_vecs_load(path, f, &w) == LT_OK, "%s: %s", ext, lt_errmsg());
    CHECK_MSG(w && same(v, w, tol, labels), "round trip through %s", ext);
    lt_vecs_free(v);
    lt_vecs_free(w);
}

TEST(roundtrip_all_formats) {
    roundtrip(".lvec", LT_FMT_NATIVE, 0, 1, 1);
    roundtrip(".bin", LT_FMT_W2V_BIN, 0, 1, 1);
    roundtrip(".nonl.bin", LT_FMT_W2V_BIN, 0, 1, 0);
    roundtrip(".txt", LT_FMT_W2V_TXT, 0, 1, 1);
    roundtrip(".vec", LT_FMT_VEC, 0, 1, 1);
    roundtrip(".glove", LT_FMT_GLOVE, 0, 1, 1);
    roundtrip(".npy", LT_FMT_NPY, 0, 1, 1);
    roundtrip(".fvecs", LT_FMT_FVECS, 0, 0, 1);
}

TEST(native_metadata_mmap_f16) {
    lt_vecs *v = sample(50, 100), *w = NULL;
    char path[256];
    snprintf(path, sizeof path, "%s/meta.lvec", TMP);
    CHECK(lt_vecs_save(v, path, LT_FMT_AUTO, NULL) == LT_OK);
    CHECK(lt_vecs_load(path, LT_FMT_AUTO, &w) == LT_OK);
    CHECK(w && w->in && ((uintptr_t)w->data % 64) == 0);
    CHECK(w && lt_vecs_meta_get(w, "method") && !strcmp(lt_vecs_meta_get(w, "method"), "test"));
    CHECK(w && lt_vecs_find(w, "caf\xc3\xa9_2") == 2);
    CHECK(w && lt_vecs_find(w, "nope") == -1);
    lt_vecs_free(w);
    lt_save_opts o;
    lt_save_opts_init(&o);
    o.f16 = 1;
    CHECK(lt_vecs_save(v, path, LT_FMT_NATIVE, &o) == LT_OK);
    CHECK(lt_vecs_load(path, LT_FMT_AUTO, &w) == LT_OK);
    CHECK(w && same(v, w, 1e-3, 1));
    lt_vecs_free(v);
    lt_vecs_free(w);
}

static void write_file(const char *path, const void *b, size_t n) {
    FILE *f = fopen(path, "wb");
    fwrite(b, 1, n, f);
    fclose(f);
}
static char *read_file(const char *path, size_t *n) {
    long len = 0;
    char *b = (char *)t_read_file(path, &len);
    *n = b ? (size_t)len : 0;
    return b;
}

/* every load of a damaged file fails with the file name and "offset" in the message */
static void expect_bad(const char *path, lt_format f, const char *why) {
    lt_vecs *w = NULL;
    int rc = lt_vecs_load(path, f, &w);
    CHECK_MSG(rc != LT_OK && w == NULL, "%s should fail (%s)", path, why);
    CHECK_MSG(strstr(lt_errmsg(), path) != NULL, "message names the file: %s", lt_errmsg());
    lt_vecs_free(w);
}

TEST(truncated_and_corrupt) {
    const char *exts[] = { ".lvec", ".bin", ".txt", ".npy", ".fvecs" };
    lt_format fm[] = { LT_FMT_NATIVE, LT_FMT_W2V_BIN, LT_FMT_W2V_TXT, LT_FMT_NPY, LT_FMT_FVECS };
    for (int e = 0; e < 5; e++) {
        lt_vecs *v = sample(20, 9);
        char path[256], bad[256];
        snprintf(path, sizeof path, "%s/src%s", TMP, exts[e]);
        snprintf(bad, sizeof bad, "%s/bad%s", TMP, exts[e]);
        CHECK(lt_vecs_save(v, path, fm[e], NULL) == LT_OK);
        size_t n;
        char *b = read_file(path, &n);
        /* truncations at several points */
        size_t cuts[] = { 1, 7, n / 3, n / 2 + 1, n - 60 }; /* n-60 cuts values off the last row */
        for (int c = 0; c < 5; c++) {
            write_file(bad, b, cuts[c]);
            expect_bad(bad, fm[e], "truncated");
            CHECK_MSG(strstr(lt_errmsg(), "offset") != NULL, "%s: message has an offset: %s",
                    exts[e], lt_errmsg());
        }
        /* corruption of one byte in the data (native checks a checksum) */
        if (fm[e] == LT_FMT_NATIVE) {
            b[n - 5] ^= 0x55;
            write_file(bad, b, n);
            expect_bad(bad, fm[e], "corrupt data");
            b[n - 5] ^= 0x55;
            b[20] ^= 1;
            write_file(bad, b, n);
            expect_bad(bad, fm[e], "corrupt header");
        }
        free(b);
        lt_vecs_free(v);
    }
    /* empty, missing, garbage */
    char p[256];
    snprintf(p, sizeof p, "%s/empty.bin", TMP);
    write_file(p, "", 0);
    expect_bad(p, LT_FMT_AUTO, "empty");
    snprintf(p, sizeof p, "%s/missing.txt", TMP);
    unlink(p);
    expect_bad(p, LT_FMT_AUTO, "missing");
    unsigned char g[4096];
    lt_rng r;
    lt_rng_seed(&r, 9, 0);
    for (size_t i = 0; i < sizeof g; i++) g[i] = (unsigned char)lt_rng_next(&r);
    const char *gext[] = { ".lvec", ".bin", ".txt", ".npy", ".glove" };
    for (int e = 0; e < 5; e++) {
        snprintf(p, sizeof p, "%s/garbage%s", TMP, gext[e]);
        write_file(p, g, sizeof g);
        expect_bad(p, LT_FMT_AUTO, "garbage");
    }
    /* header promising more than the file holds must not allocate it */
    snprintf(p, sizeof p, "%s/huge.txt", TMP);
    write_file(p, "1000000000000 300\na 1\n", 22);
    expect_bad(p, LT_FMT_AUTO, "huge header");
    snprintf(p, sizeof p, "%s/shortrow.txt", TMP);
    write_file(p, "2 3\na 1 2 3\nb 1 2\n", 18);
    expect_bad(p, LT_FMT_AUTO, "short row");
    CHECK(strstr(lt_errmsg(), "has 2 values, expected 3") != NULL);
}

TEST(unwritable_output) {
    lt_vecs *v = sample(3, 4);
    int rc = lt_vecs_save(v, "/nonexistent-dir/x.bin", LT_FMT_AUTO, NULL);
    CHECK(rc == LT_EIO);
    CHECK(strstr(lt_errmsg(), "/nonexistent-dir/x.bin") != NULL);
    /* a failed save leaves the previous file intact and no temporary behind */
    char path[256];
    snprintf(path, sizeof path, "%s/keep.txt", TMP);
    CHECK(lt_vecs_save(v, path, LT_FMT_AUTO, NULL) == LT_OK);
    lt_vecs_set_label(v, 1, "has space");
    CHECK(lt_vecs_save(v, path, LT_FMT_AUTO, NULL) != LT_OK);
    lt_vecs *w = NULL;
    CHECK(lt_vecs_load(path, LT_FMT_AUTO, &w) == LT_OK && w && !strcmp(w->labels[1], "w1"));
    lt_vecs_free(w);
    lt_vecs_free(v);
}

TEST(text_variants) {
    /* GloVe without header, CRLF, tabs, scientific notation, trailing spaces */
    char p[256];
    snprintf(p, sizeof p, "%s/g.txt", TMP);
    const char *s = "the 1.5 -2e-3 3\r\nof\t0.25 1E2 -0 \nand .5 +7 1e-45\n";
    write_file(p, s, strlen(s));
    lt_vecs *w = NULL;
    CHECK_MSG(lt_vecs_load(p, LT_FMT_AUTO, &w) == LT_OK, "%s", lt_errmsg());
    if (w) {
        CHECK(w->n == 3 && w->d == 3);
        CHECK_NEAR(lt_vecs_row(w, 0)[1], -2e-3, 1e-9, 0);
        CHECK_NEAR(lt_vecs_row(w, 1)[1], 100, 0, 0);
        CHECK_NEAR(lt_vecs_row(w, 2)[0], 0.5, 0, 0);
        CHECK(!strcmp(w->labels[1], "of"));
    }
    lt_vecs_free(w);
}

/* a store streamed block by block is byte for byte the file lt_vecs_save writes */
TEST(streamed_writes) {
    lt_vecs *v = sample(37, 21);
    const char *ext[] = { ".npy", ".fvecs", ".txt", ".bin", ".glove", ".vec", ".csv" };
    for (int e = 0; e < 7; e++)
        for (int lab = 0; lab < 2; lab++) {
            if (!lab && e != 0 && e != 1 && e != 6)
                continue; /* text formats number unlabelled rows: covered by csv/npy */
            char a[256], b[256];
            snprintf(a, sizeof a, "%s/whole%s", TMP, ext[e]);
            snprintf(b, sizeof b, "%s/streamed%s", TMP, ext[e]);
            char **saved = v->labels;
            if (!lab) v->labels = NULL;
            CHECK(lt_vecs_save(v, a, LT_FMT_AUTO, NULL) == LT_OK);
            lt_vecs_writer *w = NULL;
            CHECK(lt_format_streamable(lt_format_from_path(b)));
            int rc = lt_vecs_writer_open(&w, b, LT_FMT_AUTO, v->n, v->d, lab, NULL);
            for (int64_t i0 = 0; rc == LT_OK && i0 < v->n;
                    i0 += 10) { /* blocks of 10, the last of 7 */
                lt_vecs blk = *v;
                blk.n = v->n - i0 < 10 ? v->n - i0 : 10;
                blk.data = v->data + i0 * v->ld;
                blk.labels = NULL;
                /* every other block through the writer's own thread */
                rc = (i0 / 10) % 2 ? lt_vecs_writer_put_async(w, &blk, lab ? saved + i0 : NULL)
                                   : lt_vecs_writer_put(w, &blk, lab ? saved + i0 : NULL);
            }
            CHECK(rc == LT_OK && lt_vecs_writer_commit(w) == LT_OK);
            v->labels = saved;
            long la = 0, lb = 0;
            unsigned char *fa = t_read_file(a, &la), *fb = t_read_file(b, &lb);
            CHECK_MSG(fa && fb && la == lb && !memcmp(fa, fb, (size_t)la),
                    "%s labels %d: streamed file differs", ext[e], lab);
            free(fa);
            free(fb);
            if (e == 0) { /* the .npy sidecar */
                char la_[256], lb_[256];
                snprintf(la_, sizeof la_, "%s/whole.labels.txt", TMP);
                snprintf(lb_, sizeof lb_, "%s/streamed.labels.txt", TMP);
                CHECK(access(lb_, F_OK) == (lab ? 0 : -1) && access(la_, F_OK) == (lab ? 0 : -1));
            }
        }
    /* fewer rows than announced, more rows, labels on an unlabelled file: errors, no file */
    char p[256];
    snprintf(p, sizeof p, "%s/short.npy", TMP);
    unlink(p);
    lt_vecs_writer *w = NULL;
    CHECK(lt_vecs_writer_open(&w, p, LT_FMT_AUTO, v->n + 1, v->d, 0, NULL) == LT_OK);
    lt_vecs nol = *v;
    nol.labels = NULL;
    CHECK(w && lt_vecs_writer_put(w, &nol, NULL) == LT_OK);
    CHECK(w && lt_vecs_writer_put(w, &nol, NULL) != LT_OK && strstr(lt_errmsg(), "more than"));
    CHECK(w && lt_vecs_writer_put(w, &nol, v->labels) != LT_OK);
    CHECK(w && lt_vecs_writer_commit(w) != LT_OK && strstr(lt_errmsg(), "of the 38 rows") &&
            access(p, F_OK) != 0);
    /* an asynchronous put's error comes back from the next call */
    CHECK(lt_vecs_writer_open(&w, p, LT_FMT_AUTO, v->n, v->d, 0, NULL) == LT_OK);
    CHECK(w && lt_vecs_writer_put_async(w, &nol, NULL) == LT_OK);
    CHECK(w && lt_vecs_writer_put_async(w, &nol, NULL) == LT_OK);
    CHECK(w && lt_vecs_writer_wait(w) != LT_OK && strstr(lt_errmsg(), "more than"));
    lt_vecs_writer_abort(w);
    CHECK(access(p, F_OK) != 0);
    CHECK(lt_vecs_writer_open(&w, p, LT_FMT_NATIVE, 1, 1, 0, NULL) != LT_OK &&
            strstr(lt_errmsg(), "not streamed"));
    lt_vecs_free(v);
}

int main(void) {

    (void)system("mkdir -p build/tests/tmp_io");
    static const t_case c[] = { T(roundtrip_all_formats), T(native_metadata_mmap_f16),
        T(truncated_and_corrupt), T(unwritable_output), T(text_variants), T(streamed_writes) };
    return t_run(c, 6);
}
