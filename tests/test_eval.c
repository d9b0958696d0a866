/* Classifiers behind the evaluators: the SVM solver against scikit-learn's SVC (LIBSVM) on a
 * committed fixture, the RBF kernel against a direct computation, and graph classification's
 * cross-validation (both classifiers, a C grid, thread independence); the 2-D maps: the
 * Barnes-Hut gradient against a direct double computation, thread independence, UMAP's curve
 * against umap-learn's values, and both maps keeping separated clusters apart. */
#include "test.h"
#include "../src/eval/eval_impl.h"
#include "../src/map/map_impl.h"
#include <unistd.h>

enum { NTR = 80, NTE = 25, NALL = NTR + NTE };

static int read_fixture(double *X, int8_t *y) {
    FILE *f = fopen("tests/fixtures/svm/svm.tsv", "r");
    if (!f) return 0;
    char split[16];
    int lab, i = 0;
    char line[512];
    while (fgets(line, sizeof line, f) && i < NALL) {
        if (line[0] == '#') continue;
        if (sscanf(line, "%15s %d %lf %lf %lf", split, &lab, X + 3 * i, X + 3 * i + 1,
                    X + 3 * i + 2) != 5)
            break;
        if (i < NTR) y[i] = lab == 1 ? 1 : -1;
        i++;
    }
    fclose(f);
    return i == NALL;
}

TEST(svm_matches_sklearn) {
    static double X[NALL * 3], K[NALL * NALL], coef[NTR], want[NTE];
    int8_t y[NTR];
    int64_t idx[NTR];
    CHECK(read_fixture(X, y));
    CHECK(lt_rbf_kernel(X, NALL, 3, 3, 0.5, K) == LT_OK);
    for (int i = 0; i < NTR; i++) idx[i] = i;
    FILE *f = fopen("tests/fixtures/svm/decisions.tsv", "r");
    CHECK(f != NULL);
    if (!f) return;
    char line[4096];
    int cases = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#') continue;
        char *p = line, *e;
        double C = strtod(p, &e);
        for (int t = 0; t < NTE; t++) {
            p = e;
            want[t] = strtod(p, &e);
        }
        lt_svm_opts o;
        lt_svm_opts_init(&o);
        o.C = C;
        o.tol = 1e-6;
        double rho;
        int64_t iters = 0;
        CHECK(lt_svm_fit(K, NALL, idx, NTR, y, &o, coef, &rho, &iters) == LT_OK);
        CHECK(iters > 0 && iters < o.max_iter);
        double ya = 0;
        for (int i = 0; i < NTR; i++) {
            ya += coef[i]; /* y^T alpha = 0 and 0 <= alpha <= C */
            CHECK(coef[i] * y[i] >= -1e-12 && coef[i] * y[i] <= C + 1e-12);
        }
        CHECK_NEAR(ya, 0, 1e-9, 0);
        for (int t = 0; t < NTE; t++) {
            double dv = -rho;
            for (int i = 0; i < NTR; i++) dv += coef[i] * K[(NTR + t) * NALL + i];
            CHECK_NEAR(dv, want[t], 1e-4, 1e-4);
        }
        cases++;
    }
    fclose(f);
    CHECK(cases == 3);
}

TEST(rbf_kernel_direct) {
    double X[7 * 5], K[49];
    lt_rng r;
    lt_rng_seed(&r, 3, 0);
    for (int i = 0; i < 35; i++) X[i] = lt_rng_uniform(&r) * 4 - 2;
    CHECK(lt_rbf_kernel(X, 7, 4, 5, 0.3, K) == LT_OK); /* the first 4 of 5 columns */
    for (int i = 0; i < 7; i++)
        for (int j = 0; j < 7; j++) {
            double d2 = 0;
            for (int c = 0; c < 4; c++)
                d2 += (X[i * 5 + c] - X[j * 5 + c]) * (X[i * 5 + c] - X[j * 5 + c]);
            CHECK_NEAR(K[i * 7 + j], exp(-0.3 * d2), 1e-12, 1e-12);
        }
    CHECK(lt_rbf_kernel(X, 7, 4, 5, 0, K) != LT_OK);
}

/* three classes on concentric shells: not linearly separable, easy for an RBF kernel */
static lt_vecs *shells(const char *labels) {
    int n = 300;
    lt_vecs *v = lt_vecs_new(n, 3);
    FILE *f = fopen(labels, "w");
    lt_rng r;
    lt_rng_seed(&r, 9, 0);
    for (int i = 0; i < n; i++) {
        int c = i % 3;
        double g[3], s = 0;
        for (int j = 0; j < 3; j++) {
            g[j] = lt_rng_uniform(&r) * 2 - 1;
            s += g[j] * g[j];
        }
        double rad = (1 + c) * (1 + 0.1 * (lt_rng_uniform(&r) - 0.5)) / sqrt(s);
        float *row = lt_vecs_row(v, i);
        for (int j = 0; j < 3; j++) row[j] = (float)(g[j] * rad);
        char id[32];
        snprintf(id, sizeof id, "g%d", i);
        lt_vecs_set_label(v, i, id);
        fprintf(f, "%s\tshell%d\n", id, c);
    }
    fclose(f);
    return v;
}

TEST(eval_graphs_classifiers) {
    char path[] = "/tmp/lt_test_evalXXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    lt_vecs *v = shells(path);
    lt_graph_eval_opts o;
    lt_graph_eval_opts_init(&o);
    lt_graph_eval_result lr, svm, svm2, grid;
    CHECK(lt_eval_graphs(v, path, &o, &lr) == LT_OK);
    o.clf = LT_CLF_SVM;
    CHECK(lt_eval_graphs(v, path, &o, &svm) == LT_OK);
    CHECK(svm.items == 300 && svm.classes == 3 && svm.folds == 10);
    CHECK_MSG(svm.accuracy > 0.95 && lr.accuracy < 0.6, "svm %.3f logreg %.3f", svm.accuracy,
            lr.accuracy);
    o.n_threads = 3;
    CHECK(lt_eval_graphs(v, path, &o, &svm2) == LT_OK);
    CHECK(svm2.accuracy == svm.accuracy && svm2.sd == svm.sd);
    o.C[0] = 1e-4;
    o.C[1] = 10;
    o.n_C = 2; /* the inner CV must reject the useless C */
    CHECK(lt_eval_graphs(v, path, &o, &grid) == LT_OK);
    CHECK(grid.C == 10 && grid.accuracy > 0.95);
    o.n_C = 1;
    o.C[0] = -1;
    CHECK(lt_eval_graphs(v, path, &o, &grid) != LT_OK);
    lt_vecs_free(v);
    unlink(path);
}

/* n rows of d floats in C Gaussian clusters (centres 10 apart per axis), label i % C */
static lt_vecs *blobs(int64_t n, int d, int C, uint64_t seed) {
    lt_vecs *v = lt_vecs_new(n, d);
    lt_rng r;
    lt_rng_seed(&r, seed, 0);
    for (int64_t i = 0; i < n; i++)
        for (int t = 0; t < d; t++) {
            double u1 = lt_rng_uniformf(&r) + 1e-7, u2 = lt_rng_uniformf(&r);
            lt_vecs_row(v, i)[t] = (float)((t == (i % C) % d ? 10.0 * (1 + (i % C) / d) : 0) +
                    sqrt(-2 * log(u1)) * cos(6.283185307 * u2));
        }
    return v;
}
/* leave-one-out 5-nearest-neighbour accuracy of the map's labels i % C */
static double map_knn(const float *Y, int64_t n, int C) {
    int64_t ok = 0;
    for (int64_t i = 0; i < n; i++) {
        double bd[5];
        int64_t bj[5];
        int m = 0;
        for (int64_t j = 0; j < n; j++) {
            if (j == i) continue;
            double dx = Y[2 * i] - Y[2 * j], dy = Y[2 * i + 1] - Y[2 * j + 1],
                   d2 = dx * dx + dy * dy;
            if (m < 5) m++;
            else if (d2 >= bd[4]) continue;
            int z = m - 1;
            while (z > 0 && bd[z - 1] > d2) {
                bd[z] = bd[z - 1];
                bj[z] = bj[z - 1];
                z--;
            }
            bd[z] = d2;
            bj[z] = j;
        }
        int votes = 0;
        for (int t = 0; t < 5; t++) votes += bj[t] % C == i % C;
        ok += votes >= 3;
    }
    return (double)ok / (double)n;
}

/* One Barnes-Hut iteration from a given map, read back through the optimiser's first step
 * (gain 0.8, no momentum yet: Y1 = Y0 - 0.8 lr G), against the exaggerated gradient summed
 * directly in double. perplexity 20 on 60 rows takes every other row as a neighbour, so
 * the sparse P is the dense one. theta -> 0 opens every cell (exact to float rounding); at
 * 0.5 the summaries move the repulsion by a few percent at most. */
TEST(tsne_bh_gradient_direct) {
    enum { N = 60, D = 5 };
    lt_vecs *X = lt_vecs_new(N, D);
    lt_rng r;
    lt_rng_seed(&r, 3, 0);
    for (int i = 0; i < N; i++)
        for (int t = 0; t < D; t++) lt_vecs_row(X, i)[t] = lt_rng_uniformf(&r) * 4 + (i % 3) * 3;
    double Y0[2 * N], Y[2 * N], d2[N], cp[N][N], G[2 * N], rnrm = 0;
    for (int i = 0; i < 2 * N; i++) Y0[i] = (lt_rng_uniformf(&r) - 0.5) * 6;
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < N; j++) {
            double s = 0;
            for (int t = 0; t < D; t++) {
                double e = (double)lt_vecs_row(X, i)[t] - lt_vecs_row(X, j)[t];
                s += e * e;
            }
            d2[j] = s;
        }
        lt__tsne_calibrate(d2, N, i, 20, cp[i]);
    }
    double Z = 0, gmax = 0;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            if (i != j) {
                double dx = Y0[2 * i] - Y0[2 * j], dy = Y0[2 * i + 1] - Y0[2 * j + 1];
                Z += 1 / (1 + dx * dx + dy * dy);
            }
    for (int i = 0; i < N; i++) {
        double ax = 0, ay = 0, rx = 0, ry = 0;
        for (int j = 0; j < N; j++) {
            if (i == j) continue;
            double dx = Y0[2 * i] - Y0[2 * j], dy = Y0[2 * i + 1] - Y0[2 * j + 1],
                   w = 1 / (1 + dx * dx + dy * dy), p = (cp[i][j] + cp[j][i]) / (2.0 * N);
            ax += p * w * dx;
            ay += p * w * dy;
            rx += w * w * dx / Z;
            ry += w * w * dy / Z;
        }
        rnrm += 16 * (rx * rx + ry * ry);
        G[2 * i] = 4 * (LT__TSNE_EXAGGERATION * ax - rx);
        G[2 * i + 1] = 4 * (LT__TSNE_EXAGGERATION * ay - ry);
        if (fabs(G[2 * i]) > gmax) gmax = fabs(G[2 * i]);
        if (fabs(G[2 * i + 1]) > gmax) gmax = fabs(G[2 * i + 1]);
    }
    lt_map_opts o;
    lt_map_opts_init(&o);
    o.iters = 1;
    o.perplexity = 20;
    double thetas[] = { 1e-9, 0.5 }, tol[] = { 1e-6, 0.05 };
    for (int ti = 0; ti < 2; ti++) {
        memcpy(Y, Y0, sizeof Y);
        o.theta = thetas[ti];
        lt_map_result res;
        CHECK(lt__tsne_bh(X, &o, Y, &res) == LT_OK);
        double lr = lt__tsne_rate(N), err = 0, emax = 0;
        for (int t = 0; t < 2 * N; t++) {
            double g = (Y0[t] - Y[t]) / (0.8 * lr);
            err += (g - G[t]) * (g - G[t]);
            if (fabs(g - G[t]) > emax) emax = fabs(g - G[t]);
        }
        if (ti == 0)
            CHECK_MSG(emax <= tol[0] * gmax, "theta ~0: max gradient error %.3g of max %.3g", emax,
                    gmax);
        else
            CHECK_MSG(sqrt(err / rnrm) <= tol[1] && sqrt(err / rnrm) > 1e-5,
                    "theta 0.5: error %.3g of the repulsion", sqrt(err / rnrm));
    }
    lt_vecs_free(X);
}

/* Barnes-Hut t-SNE and UMAP on 5 separated clusters: the clusters stay apart in the map,
 * t-SNE gives the same map on 1 and 3 threads, UMAP the same on one thread twice; UMAP's
 * curve for min_dist 0.1 is umap-learn's (a 1.57694, b 0.89506). */
TEST(maps_keep_clusters) {
    enum { N = 1500, C = 5 };
    lt_vecs *X = blobs(N, 8, C, 9);
    float *Y1 = malloc(N * 8), *Y3 = malloc(N * 8);
    lt_map_opts o;
    lt_map_opts_init(&o);
    o.exact = 0;
    o.iters = 400;
    o.seed = 4;
    lt_map_result res;
    CHECK(lt_map(X, &o, Y1, &res) == LT_OK);
    CHECK(res.exact == 0 && isfinite(res.kl_divergence) && res.kl_divergence > 0 &&
            res.kl_divergence < 3);
    o.n_threads = 3;
    CHECK(lt_map(X, &o, Y3, &res) == LT_OK);
    CHECK_MSG(!memcmp(Y1, Y3, N * 8), "t-SNE map differs on 3 threads");
    double acc = map_knn(Y1, N, C);
    CHECK_MSG(acc > 0.99, "t-SNE kNN accuracy %.4f", acc);
    double a, b;
    lt__umap_fit_ab(0.1, &a, &b);
    CHECK_NEAR(a, 1.57694, 2e-4, 0);
    CHECK_NEAR(b, 0.89506, 2e-4, 0);
    o.method = LT_MAP_UMAP;
    o.n_threads = 1;
    o.epochs = 200;
    CHECK(lt_map(X, &o, Y1, &res) == LT_OK);
    CHECK(lt_map(X, &o, Y3, &res) == LT_OK);
    CHECK_MSG(!memcmp(Y1, Y3, N * 8), "UMAP map differs between two 1-thread runs");
    acc = map_knn(Y1, N, C);
    CHECK_MSG(acc > 0.99, "UMAP kNN accuracy %.4f", acc);
    o.n_threads = 2;
    CHECK(lt_map(X, &o, Y3, &res) == LT_OK);
    acc = map_knn(Y3, N, C);
    CHECK_MSG(acc > 0.99, "UMAP 2-thread kNN accuracy %.4f", acc);
    o.seed = 5;
    o.n_threads = 1; /* the seed drives the sampling */
    CHECK(lt_map(X, &o, Y3, &res) == LT_OK);
    CHECK(memcmp(Y1, Y3, N * 8) != 0);
    free(Y1);
    free(Y3);
    lt_vecs_free(X);
}

RUN_TESTS(T(svm_matches_sklearn), T(rbf_kernel_direct), T(eval_graphs_classifiers),
        T(tsne_bh_gradient_direct), T(maps_keep_clusters))
