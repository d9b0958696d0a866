/* Dense encoders: the model container (round trip, corruption and truncation named), IDX
 * input, and PCA against a plain reference (power iteration on the covariance). */
#include "test.h"
#include <unistd.h>

TEST(model_round_trip_and_corruption) {
    lt_model *m = lt_model_new("demo");
    double a[6] = { 1, 2, 3, 4, 5, 6 }, b[1] = { -0.5 };
    CHECK(m && lt_model_put(m, "a", 2, 3, a) == LT_OK && lt_model_put(m, "b", 1, 1, b) == LT_OK);
    CHECK(lt_model_meta_set(m, "x", "1.5") == LT_OK &&
            lt_model_meta_set(m, "bad=key", "v") != LT_OK);
    const char *path = "build/tests/m.lmodel";
    CHECK(lt_model_save(m, path) == LT_OK && lt_is_model_file(path));
    lt_model *r = NULL;
    CHECK(lt_model_load(path, &r) == LT_OK);
    int64_t rows, cols;
    const double *ra = r ? lt_model_get(r, "a", &rows, &cols) : NULL;
    CHECK(ra && rows == 2 && cols == 3 && !memcmp(ra, a, sizeof a));
    CHECK(r && !strcmp(lt_model_kind(r), "demo") && !strcmp(lt_model_meta(r, "x"), "1.5"));
    lt_model_free(r);
    long len;
    unsigned char *buf = t_read_file(path, &len);
    CHECK(buf != NULL);
    if (buf) {
        buf[len - 10] ^= 1; /* a data byte */
        CHECK(lt_model_parse(buf, (size_t)len, "x.lmodel", &r) != LT_OK &&
                strstr(lt_errmsg(), "data checksum mismatch"));
        buf[len - 10] ^= 1;
        CHECK(lt_model_parse(buf, (size_t)len - 64, "x.lmodel", &r) != LT_OK &&
                strstr(lt_errmsg(), "truncated"));
        buf[0] = 'X';
        CHECK(lt_model_parse(buf, (size_t)len, "x.lmodel", &r) != LT_OK &&
                strstr(lt_errmsg(), "offset 0"));
        free(buf);
    }
    lt_model_free(m);
}

TEST(idx_files) {
    /* 2 images of 2 x 3 u8, then a wrong magic and a short file */
    unsigned char f[] = { 0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9,
        10, 11, 255 };
    lt_vecs *v = NULL;
    CHECK(lt_vecs_parse(f, sizeof f, LT_FMT_IDX, "x.idx", &v) == LT_OK);
    CHECK(v && v->n == 2 && v->d == 6 && lt_vecs_row(v, 1)[5] == 255.0f &&
            lt_vecs_row(v, 0)[0] == 1.0f);
    lt_vecs_free(v);
    f[1] = 1;
    CHECK(lt_vecs_parse(f, sizeof f, LT_FMT_IDX, "x.idx", &v) != LT_OK &&
            strstr(lt_errmsg(), "magic"));
    f[1] = 0;
    CHECK(lt_vecs_parse(f, sizeof f - 1, LT_FMT_IDX, "x.idx", &v) != LT_OK &&
            strstr(lt_errmsg(), "truncated"));
    unsigned char g[] = { 0, 0, 0x0B, 1, 0, 0, 0, 2, 0xff, 0xfe, 0x01,
        0x00 }; /* i16 big-endian: -2, 256 */
    CHECK(lt_vecs_parse(g, sizeof g, LT_FMT_IDX, "y.idx", &v) == LT_OK && v->d == 1 &&
            lt_vecs_row(v, 0)[0] == -2.0f && lt_vecs_row(v, 1)[0] == 256.0f);
    lt_vecs_free(v);
}

/* numeric CSV: labels column, quoting, CRLF, blank lines, tabs; each bad input named by line */
TEST(csv_matrices) {
    const char *ok = "label,a,b\r\n\"x,\"\"y\"\"\",1.5,-2\r\n\r\nz, 3e2 ,4\r\n";
    lt_vecs *v = NULL;
    CHECK(lt_vecs_parse(ok, strlen(ok), LT_FMT_CSV, "m.csv", &v) == LT_OK);
    CHECK(v && v->n == 2 && v->d == 2 && v->labels && !strcmp(v->labels[0], "x,\"y\"") &&
            !strcmp(v->labels[1], "z"));
    CHECK(v && lt_vecs_row(v, 0)[0] == 1.5f && lt_vecs_row(v, 1)[0] == 300.0f &&
            lt_vecs_row(v, 1)[1] == 4.0f);
    lt_vecs_free(v);
    const char *tsv = "a\tb\n1\t2\n";
    CHECK(lt_vecs_parse(tsv, strlen(tsv), LT_FMT_CSV, "m.tsv", &v) == LT_OK && v->n == 1 &&
            v->d == 2 && !v->labels && lt_vecs_row(v, 0)[1] == 2.0f);
    lt_vecs_free(v);
    struct {
        const char *in, *msg;
    } bad[] = {
        { "a,b\n1,2\n3\n", "line 3" },
        { "a,b\n1,2,3\n", "line 2" },
        { "a,b\n1,x\n", "line 2, offset 6: column 2 is not a number" },
        { "a,b\n1,nan\n", "NaN" },
        { "a,b\n1,inf\n", "infinite" },
        { "", "empty" },
        { "a,b\n", "no rows" },
        { "label\nx\n", "no numeric" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        v = NULL;
        int rc = lt_vecs_parse(bad[i].in, strlen(bad[i].in), LT_FMT_CSV, "m.csv", &v);
        CHECK_MSG(rc != LT_OK && !v && strstr(lt_errmsg(), bad[i].msg), "case %zu: %s", i,
                lt_errmsg());
    }
    CHECK(lt_format_from_path("x.tsv") == LT_FMT_CSV &&
            lt_format_from_path("x.csv.gz") == LT_FMT_CSV);
}

/* tables: comma or tab separated (tab when the header has tabs and no comma), quotes, missing
 * values, errors with line and offset */
TEST(tables_csv_and_tsv) {
    const char *csv = "a,b c\n\"x\ty\",?\n,2\n";
    lt_table *t = NULL;
    CHECK(lt_table_parse(csv, strlen(csv), "t.csv", "?", &t) == LT_OK);
    CHECK(t && lt_table_cols(t) == 2 && lt_table_rows(t) == 2 &&
            !strcmp(lt_table_name(t, 1), "b c"));
    CHECK(t && !strcmp(lt_table_cell(t, 0, 0), "x\ty") && !lt_table_cell(t, 0, 1) &&
            !lt_table_cell(t, 1, 0) && !strcmp(lt_table_cell(t, 1, 1), "2"));
    lt_table_free(t);
    const char *tsv = "tool\trecall,at 10\na\t0,9\r\nb\t1,2\n";
    CHECK(lt_table_parse(tsv, strlen(tsv), "t.tsv", NULL, &t) ==
            LT_OK); /* a comma in the header: commas separate */
    CHECK(t && lt_table_cols(t) == 2 && !strcmp(lt_table_name(t, 0), "tool\trecall") &&
            lt_table_rows(t) == 2);
    lt_table_free(t);
    const char *tsv2 = "tool\trecall\n\"a\"\t0,9\r\nb\t1\n";
    CHECK(lt_table_parse(tsv2, strlen(tsv2), "t.tsv", NULL, &t) == LT_OK);
    CHECK(t && lt_table_cols(t) == 2 && lt_table_rows(t) == 2 &&
            !strcmp(lt_table_cell(t, 0, 0), "a") && !strcmp(lt_table_cell(t, 0, 1), "0,9"));
    CHECK(t && lt_table_col(t, "recall") == 1 && lt_table_col(t, "qps") == -1);
    lt_table_free(t);
    const char *bad = "a\tb\n1\t2\t3\n";
    t = NULL;
    CHECK(lt_table_parse(bad, strlen(bad), "t.tsv", NULL, &t) != LT_OK && !t &&
            strstr(lt_errmsg(), "t.tsv: line 2 (offset 4): 3 fields, the header has 2"));
}

/* kernel PCA's nystroem solver with every training row a landmark is exact kernel PCA
 * (K = F F^T then), on training rows and on new rows; k-means++ landmarks find blob centres */
TEST(kpca_nystroem_and_kmeanspp) {
    enum { N = 150, D = 5, T = 40, K = 4 };
    lt_vecs *X = lt_vecs_new(N, D), *Y = lt_vecs_new(T, D);
    lt_rng r;
    lt_rng_seed(&r, 9, 0);
    for (int i = 0; i < N; i++)
        for (int j = 0; j < D; j++)
            lt_vecs_row(X, i)[j] = (float)(lt_rng_normal(&r) * (1 + j % 2) + (i % 3) * 2);
    for (int i = 0; i < T; i++)
        for (int j = 0; j < D; j++) lt_vecs_row(Y, i)[j] = (float)(lt_rng_normal(&r) * 1.5 + 1);
    lt_kernel_opts o;
    lt_kernel_opts_init(&o);
    o.dim = K;
    o.gamma = 0.1;
    o.kpca_solver = LT_KPCA_EXACT;
    lt_model *ex = NULL, *ny = NULL;
    CHECK(lt_kpca_fit(X, &o, &ex) == LT_OK);
    o.kpca_solver = LT_KPCA_NYSTROEM;
    o.n_landmarks = N;
    CHECK(lt_kpca_fit(X, &o, &ny) == LT_OK && ny &&
            !strcmp(lt_model_meta(ny, "solver"), "nystroem-features"));
    const lt_vecs *ins[2] = { X, Y };
    for (int t = 0; ex && ny && t < 2; t++) {
        lt_vecs *a = NULL, *b = NULL;
        CHECK(lt_encode(ex, ins[t], 1, &a) == LT_OK && lt_encode(ny, ins[t], 2, &b) == LT_OK && a &&
                b && a->d == K && b->d == K);
        for (int c = 0; a && b && c < K; c++) {
            double ab = 0, aa = 0, bb = 0;
            for (int64_t i = 0; i < a->n; i++) {
                double u = lt_vecs_row(a, i)[c], v = lt_vecs_row(b, i)[c];
                ab += u * v;
                aa += u * u;
                bb += v * v;
            }
            CHECK_MSG(fabs(ab) / sqrt(aa * bb) > 0.9999 && fabs(sqrt(aa / bb) - 1) < 1e-3,
                    "input %d component %d: cos %g, norms %g %g", t, c, ab / sqrt(aa * bb), aa, bb);
        }
        lt_vecs_free(a);
        lt_vecs_free(b);
    }
    /* three tight blobs: k-means++ puts one landmark near each centre */
    lt_vecs *B = lt_vecs_new(300, 2);
    for (int i = 0; i < 300; i++)
        for (int j = 0; j < 2; j++)
            lt_vecs_row(B, i)[j] = (float)(lt_rng_normal(&r) * 0.1 + (i % 3 == j ? 10 : 0));
    lt_kernel_opts_init(&o);
    o.dim = 3;
    o.gamma = 0.5;
    o.landmarks = LT_LANDMARKS_KMEANSPP;
    lt_model *nm = NULL;
    CHECK(lt_nystroem_fit(B, &o, &nm) == LT_OK && nm);
    const double *L = nm ? lt_model_get(nm, "landmarks", NULL, NULL) : NULL;
    int found[3] = { 0, 0, 0 };
    for (int c = 0; L && c < 3; c++)
        for (int b = 0; b < 3; b++) {
            double cx = b == 0 ? 10 : 0, cy = b == 1 ? 10 : 0;
            if (hypot(L[c * 2] - cx, L[c * 2 + 1] - cy) < 0.1) found[b]++;
        }
    CHECK_MSG(found[0] == 1 && found[1] == 1 && found[2] == 1, "blob hits %d %d %d", found[0],
            found[1], found[2]);
    lt_model_free(nm);
    lt_vecs_free(B);
    lt_model_free(ex);
    lt_model_free(ny);
    lt_vecs_free(X);
    lt_vecs_free(Y);
}

/* lt_encode_rows hands over the same rows as lt_encode, in order, each block intact until the
 * next call (the library alternates two block stores), then a last call with NULL */
typedef struct {
    lt_vecs *all;
    float *prev;
    int64_t prev_n, prev_first, next, ends;
    int intact;
} rows_seen;
static int rows_sink(void *ud, const lt_vecs *b, int64_t first) {
    rows_seen *s = ud;
    if (s->prev &&
            memcmp(s->prev, lt_vecs_row(s->all, s->prev_first),
                    (size_t)(s->prev_n * s->all->ld) * 4))
        s->intact = 0;
    if (!b) {
        s->ends++;
        return first == s->all->n ? 0 : LT_EINVAL;
    }
    if (first != s->next || b->d != s->all->d) return LT_EINVAL;
    for (int64_t i = 0; i < b->n; i++)
        memcpy(lt_vecs_row(s->all, first + i), lt_vecs_row(b, i), (size_t)b->d * 4);
    s->prev = lt_vecs_row(b, 0);
    s->prev_n = b->n;
    s->prev_first = first; /* b's rows, checked at the next call */
    s->next += b->n;
    return 0;
}
TEST(encode_rows_equals_encode) {
    enum { N = 20000, D = 6 };
    lt_vecs *X = lt_vecs_new(N, D);
    lt_rng r;
    lt_rng_seed(&r, 4, 0);
    for (int i = 0; i < N; i++)
        for (int j = 0; j < D; j++) lt_vecs_row(X, i)[j] = (float)lt_rng_normal(&r);
    lt_vecs S = *X; /* the first 1500 rows fit kernel PCA */
    S.n = 1500;
    lt_kernel_opts o;
    lt_kernel_opts_init(&o);
    o.dim = 24;
    o.gamma = 0.2;
    lt_pca_opts po;
    lt_pca_opts_init(&po);
    po.dim = 3;
    lt_model *ms[6] = { NULL };
    CHECK(lt_rff_fit(X, &o, &ms[0]) == LT_OK);
    CHECK(lt_nystroem_fit(X, &o, &ms[1]) == LT_OK);
    o.kernel = LT_KERNEL_LAPLACIAN; /* not a function of a dot product: the other block path */
    CHECK(lt_nystroem_fit(X, &o, &ms[5]) == LT_OK);
    o.kernel = LT_KERNEL_RBF;
    o.dim = 5;
    o.kpca_solver = LT_KPCA_EXACT;
    CHECK(lt_kpca_fit(&S, &o, &ms[2]) == LT_OK);
    o.kpca_solver = LT_KPCA_NYSTROEM;
    o.n_landmarks = 50;
    CHECK(lt_kpca_fit(X, &o, &ms[3]) == LT_OK);
    CHECK(lt_pca_fit(X, &po, &ms[4]) == LT_OK);
    for (int k = 0; k < 6; k++) {
        lt_vecs *Z = NULL;
        if (!ms[k] || lt_encode(ms[k], X, 2, &Z) != LT_OK) {
            CHECK_MSG(0, "model %d", k);
            continue;
        }
        rows_seen s = { lt_vecs_new(N, Z->d), NULL, 0, 0, 0, 0, 1 };
        CHECK_MSG(lt_encode_rows(ms[k], X, 2, rows_sink, &s) == LT_OK && s.next == N &&
                        s.ends == 1 && s.intact,
                "model %s: %lld rows, %lld ends, intact %d", lt_model_kind(ms[k]),
                (long long)s.next, (long long)s.ends, s.intact);
        CHECK_MSG(!memcmp(s.all->data, Z->data, (size_t)(N * Z->ld) * 4),
                "model %s: rows differ from lt_encode's", lt_model_kind(ms[k]));
        lt_vecs_free(s.all);
        lt_vecs_free(Z);
        lt_model_free(ms[k]);
    }
    lt_vecs_free(X);
}

TEST(pca_against_power_iteration) {
    enum { N = 500, D = 12, K = 3 };
    lt_vecs *X = lt_vecs_new(N, D);
    lt_rng r;
    lt_rng_seed(&r, 4, 0);
    for (int i = 0; i < N; i++) { /* anisotropic: column j has scale 1 + j, plus a shared factor */
        double f = lt_rng_uniform(&r) * 2 - 1;
        for (int j = 0; j < D; j++)
            lt_vecs_row(X, i)[j] = (float)(5 + (lt_rng_uniform(&r) - 0.5) * (1 + j) + f * (j % 3));
    }
    lt_pca_opts o;
    lt_pca_opts_init(&o);
    o.dim = K;
    lt_model *m = NULL;
    CHECK(lt_pca_fit(X, &o, &m) == LT_OK);
    if (!m) {
        lt_vecs_free(X);
        return;
    }
    /* reference: covariance in f64, deflated power iteration */
    double mu[D] = { 0 }, C[D * D] = { 0 };
    for (int i = 0; i < N; i++)
        for (int j = 0; j < D; j++) mu[j] += lt_vecs_row(X, i)[j] / (double)N;
    for (int i = 0; i < N; i++)
        for (int a = 0; a < D; a++)
            for (int b = 0; b < D; b++)
                C[a * D + b] +=
                        (lt_vecs_row(X, i)[a] - mu[a]) * (lt_vecs_row(X, i)[b] - mu[b]) / (N - 1);
    int64_t kr, kc;
    const double *comp = lt_model_get(m, "components", &kr, &kc),
                 *ev = lt_model_get(m, "explained_variance", NULL, NULL);
    CHECK(comp && ev && kr == K && kc == D);
    for (int c = 0; comp && c < K; c++) {
        double v[D], lam = 0;
        for (int j = 0; j < D; j++) v[j] = 1.0 / (j + 1);
        for (int it = 0; it < 5000; it++) {
            double w[D] = { 0 }, s = 0;
            for (int a = 0; a < D; a++)
                for (int b = 0; b < D; b++) w[a] += C[a * D + b] * v[b];
            for (int a = 0; a < D; a++) s += w[a] * w[a];
            s = sqrt(s);
            for (int a = 0; a < D; a++) v[a] = w[a] / s;
            lam = s;
        }
        double dot = 0;
        for (int j = 0; j < D; j++) dot += v[j] * comp[c * D + j];
        CHECK_NEAR(fabs(dot), 1, 1e-6, 0);
        CHECK_NEAR(ev[c], lam, 0, 1e-5);
        for (int a = 0; a < D; a++)
            for (int b = 0; b < D; b++) C[a * D + b] -= lam * v[a] * v[b]; /* deflate */
    }
    /* transform, whitening and inverse: a K = D fit reconstructs exactly */
    o.dim = D;
    o.whiten = 1;
    o.scale = LT_SCALE_STANDARD;
    lt_model *full = NULL;
    lt_vecs *Z = NULL, *B = NULL;
    CHECK(lt_pca_fit(X, &o, &full) == LT_OK && lt_encode(full, X, 1, &Z) == LT_OK &&
            lt_pca_inverse(full, Z, &B) == LT_OK);
    if (Z && B) {
        double var0 = 0, err = 0;
        for (int i = 0; i < N; i++) {
            var0 += lt_vecs_row(Z, i)[0] * lt_vecs_row(Z, i)[0] / (N - 1);
            for (int j = 0; j < D; j++)
                err = fmax(err, fabs(lt_vecs_row(B, i)[j] - lt_vecs_row(X, i)[j]));
        }
        CHECK_NEAR(var0, 1, 1e-3, 0);
        CHECK_MSG(err < 1e-3, "reconstruction error %g", err);
    }
    /* the randomized solver meets the exact components and variances; another seed too */
    for (uint64_t seed = 1; seed <= 2; seed++) {
        lt_pca_opts ro;
        lt_pca_opts_init(&ro);
        ro.dim = K;
        ro.solver = LT_PCA_RANDOMIZED;
        ro.oversample = 4;
        ro.seed = seed;
        ro.power_iters = 30; /* gaps of ~1.2 here */
        lt_model *rm = NULL;
        CHECK(lt_pca_fit(X, &ro, &rm) == LT_OK && rm &&
                !strcmp(lt_model_meta(rm, "solver"), "randomized"));
        const double *rc = rm ? lt_model_get(rm, "components", NULL, NULL) : NULL,
                     *rev = rm ? lt_model_get(rm, "explained_variance", NULL, NULL) : NULL;
        for (int c = 0; rc && comp && c < K; c++) {
            double dot = 0;
            for (int j = 0; j < D; j++) dot += rc[c * D + j] * comp[c * D + j];
            CHECK_NEAR(dot, 1, 1e-6, 0); /* the same sign rule too */
            CHECK_NEAR(rev[c], ev[c], 0, 1e-6);
        }
        lt_model_free(rm);
    }
    lt_pca_opts bad;
    lt_pca_opts_init(&bad);
    bad.dim = K;
    bad.solver = LT_PCA_RANDOMIZED;
    bad.oversample = D;
    lt_model *bm = NULL;
    CHECK(lt_pca_fit(X, &bad, &bm) != LT_OK && !bm && strstr(lt_errmsg(), "oversample"));
    lt_vecs *wrong = lt_vecs_new(2, D + 1), *o2 = NULL;
    CHECK(lt_encode(m, wrong, 1, &o2) != LT_OK && strstr(lt_errmsg(), "columns"));
    lt_vecs_free(wrong);
    lt_vecs_free(Z);
    lt_vecs_free(B);
    lt_model_free(full);
    lt_model_free(m);
    lt_vecs_free(X);
}

RUN_TESTS(T(model_round_trip_and_corruption), T(idx_files), T(csv_matrices), T(tables_csv_and_tsv),
        T(kpca_nystroem_and_kmeanspp), T(pca_against_power_iteration), T(encode_rows_equals_encode))
