/* Classifiers behind the evaluators: the SVM solver against scikit-learn's SVC (LIBSVM) on a
 * committed fixture, the RBF kernel against a direct computation, and graph classification's
 * cross-validation (both classifiers, a C grid, thread independence). */
#include "test.h"
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
        if (sscanf(line, "%15s %d %lf %lf %lf", split, &lab, X + 3 * i, X + 3 * i + 1, X + 3 * i + 2) != 5) break;
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
        for (int t = 0; t < NTE; t++) { p = e; want[t] = strtod(p, &e); }
        lt_svm_opts o;
        lt_svm_opts_init(&o);
        o.C = C; o.tol = 1e-6;
        double rho;
        int64_t iters = 0;
        CHECK(lt_svm_fit(K, NALL, idx, NTR, y, &o, coef, &rho, &iters) == LT_OK);
        CHECK(iters > 0 && iters < o.max_iter);
        double ya = 0;
        for (int i = 0; i < NTR; i++) {
            ya += coef[i];   /* y^T alpha = 0 and 0 <= alpha <= C */
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
    CHECK(lt_rbf_kernel(X, 7, 4, 5, 0.3, K) == LT_OK);   /* the first 4 of 5 columns */
    for (int i = 0; i < 7; i++)
        for (int j = 0; j < 7; j++) {
            double d2 = 0;
            for (int c = 0; c < 4; c++) d2 += (X[i * 5 + c] - X[j * 5 + c]) * (X[i * 5 + c] - X[j * 5 + c]);
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
        for (int j = 0; j < 3; j++) { g[j] = lt_rng_uniform(&r) * 2 - 1; s += g[j] * g[j]; }
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
    CHECK_MSG(svm.accuracy > 0.95 && lr.accuracy < 0.6, "svm %.3f logreg %.3f", svm.accuracy, lr.accuracy);
    o.n_threads = 3;
    CHECK(lt_eval_graphs(v, path, &o, &svm2) == LT_OK);
    CHECK(svm2.accuracy == svm.accuracy && svm2.sd == svm.sd);
    o.C[0] = 1e-4; o.C[1] = 10; o.n_C = 2;   /* the inner CV must reject the useless C */
    CHECK(lt_eval_graphs(v, path, &o, &grid) == LT_OK);
    CHECK(grid.C == 10 && grid.accuracy > 0.95);
    o.n_C = 1; o.C[0] = -1;
    CHECK(lt_eval_graphs(v, path, &o, &grid) != LT_OK);
    lt_vecs_free(v);
    unlink(path);
}

RUN_TESTS(T(svm_matches_sklearn), T(rbf_kernel_direct), T(eval_graphs_classifiers))
