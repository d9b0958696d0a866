/* Load speed of a 1M x 300 word2vec text file (and the same data as .bin and .lvec).
 * usage: bench_load [N] [D] [DIR]   (writes DIR/load_NxD.{txt,bin,lvec} once, then times loads)
 * Validates each load against the generated data before reporting. */
#include "latent/latent.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static double check(const lt_vecs *a, const lt_vecs *b) {
    double mx = 0;
    for (int64_t i = 0; i < a->n; i += 997)
        for (int64_t k = 0; k < a->d; k++) {
            double e = fabs((double)lt_vecs_row(a, i)[k] - lt_vecs_row(b, i)[k]);
            if (e > mx) mx = e;
        }
    return mx;
}

int main(int argc, char **argv) {
    int64_t n = argc > 1 ? atoll(argv[1]) : 1000000, d = argc > 2 ? atoll(argv[2]) : 300;
    const char *dir = argc > 3 ? argv[3] : "bench/out";
    lt_vecs *v = lt_vecs_new(n, d);
    lt_rng r;
    lt_rng_seed(&r, 1, 0);
    char lab[32];
    for (int64_t i = 0; i < n; i++) {
        snprintf(lab, sizeof lab, "w%lld", (long long)i);
        lt_vecs_set_label(v, i, lab);
        for (int64_t k = 0; k < d; k++)
            lt_vecs_row(v, i)[k] = (float)((int)(lt_rng_uniform(&r) * 2e6) - 1000000) / 1e6f;
    }
    const char *ext[] = { "txt", "bin", "lvec" };
    for (int e = 0; e < 3; e++) {
        char path[512];
        snprintf(
                path, sizeof path, "%s/load_%lldx%lld.%s", dir, (long long)n, (long long)d, ext[e]);
        struct stat st;
        if (stat(path, &st) != 0) {
            lt_save_opts o;
            lt_save_opts_init(&o);
            o.precision = 6;
            double t0 = lt_now();
            if (lt_vecs_save(v, path, LT_FMT_AUTO, &o)) {
                fprintf(stderr, "%s\n", lt_errmsg());
                return 1;
            }
            fprintf(stderr, "wrote %s in %.1fs\n", path, lt_now() - t0);
            stat(path, &st);
        }
        double best = 1e30;
        for (int rep = 0; rep < 3; rep++) {
            lt_vecs *w;
            double t0 = lt_now();
            if (lt_vecs_load(path, LT_FMT_AUTO, &w)) {
                fprintf(stderr, "%s\n", lt_errmsg());
                return 1;
            }
            double t = lt_now() - t0;
            if (t < best) best = t;
            double err = check(v, w);
            if (err > 1e-6) {
                fprintf(stderr, "%s: loaded values differ (max %g)\n", path, err);
                return 1;
            }
            lt_vecs_free(w);
        }
        printf("%s\t%lld x %lld\t%.0f MB\tload %.2fs\t%.0f MB/s\t%.0f rows/s\n", ext[e],
                (long long)n, (long long)d, (double)st.st_size / 1e6, best,
                (double)st.st_size / 1e6 / best, (double)n / best);
    }
    lt_vecs_free(v);
    return 0;
}
