/* Minimal test harness. Each binary runs its TESTs, prints one line per failure with the
 * location, and ends with "N passed, N failed" (test cases); exit status 1 on any failure. */
#ifndef LT_TEST_H
#define LT_TEST_H
#include "latent/latent.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int t_fail_now;
#define CHECK(c) \
    do { \
        if (!(c)) { \
            fprintf(stderr, "  FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); \
            t_fail_now = 1; \
        } \
    } while (0)
#define CHECK_MSG(c, ...) \
    do { \
        if (!(c)) { \
            fprintf(stderr, "  FAIL %s:%d: %s: ", __FILE__, __LINE__, #c); \
            fprintf(stderr, __VA_ARGS__); \
            fprintf(stderr, "\n"); \
            t_fail_now = 1; \
        } \
    } while (0)
#define CHECK_NEAR(a, b, atol, rtol) \
    do { \
        double _a = (a), _b = (b); \
        if (!(fabs(_a - _b) <= (atol) + (rtol)*fabs(_b))) { \
            fprintf(stderr, "  FAIL %s:%d: %s = %.9g, expected %s = %.9g\n", __FILE__, __LINE__, \
                    #a, _a, #b, _b); \
            t_fail_now = 1; \
        } \
    } while (0)
/* Compares arrays; prints the max error and the first mismatches. */
static inline int check_close_arr(const float *a, const float *b, long n, double atol, double rtol,
        const char *what, const char *file, int line) {
    double mx = 0;
    int bad = 0;
    for (long i = 0; i < n; i++) {
        double e = fabs((double)a[i] - b[i]);
        if (e > mx) mx = e;
        if (!(e <= atol + rtol * fabs(b[i]))) {
            if (bad < 3)
                fprintf(stderr, "  FAIL %s:%d: %s[%ld] = %.9g vs %.9g\n", file, line, what, i, a[i],
                        b[i]);
            bad++;
        }
    }
    if (bad) {
        fprintf(stderr, "  %s: %d of %ld differ, max abs error %.3g\n", what, bad, n, mx);
        t_fail_now = 1;
    }
    return !bad;
}
#define CHECK_ARR(a, b, n, atol, rtol) check_close_arr(a, b, n, atol, rtol, #a, __FILE__, __LINE__)

/* Whole file into a malloc'ed buffer (*len bytes); NULL if it cannot be read. */
static inline unsigned char *t_read_file(const char *path, long *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    *len = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)*len + 1);
    if (b && fread(b, 1, (size_t)*len, f) != (size_t)*len) {
        free(b);
        b = NULL;
    }
    fclose(f);
    return b;
}

typedef void (*t_fn)(void);
typedef struct {
    const char *name;
    t_fn fn;
} t_case;
#define TEST(name) static void name(void)
static inline int t_run(const t_case *cases, int n) {
    int pass = 0, fail = 0;
    const char *only = getenv("TEST_ONLY");
    for (int i = 0; i < n; i++) {
        if (only && !strstr(cases[i].name, only)) continue;
        t_fail_now = 0;
        cases[i].fn();
        if (t_fail_now) {
            fail++;
            fprintf(stderr, "not ok: %s\n", cases[i].name);
        } else {
            pass++;
            if (getenv("TEST_VERBOSE")) fprintf(stderr, "ok: %s\n", cases[i].name);
        }
    }
    printf("%d passed, %d failed\n", pass, fail);
    return fail ? 1 : 0;
}
#define T(x) \
    { #x, x }
#define RUN_TESTS(...) \
    int main(void) { \
        static const t_case c[] = { __VA_ARGS__ }; \
        return t_run(c, (int)(sizeof c / sizeof c[0])); \
    }
#endif
