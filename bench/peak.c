/* Measured peak of one core: independent FMA chains (12 accumulators, enough to cover the
 * FMA latency), AVX-512 and AVX2, single precision. Prints GFLOP/s. */
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

__attribute__((target("avx512f"))) static double run512(long it) {
    __m512 a[12], b = _mm512_set1_ps(0.999999f), c = _mm512_set1_ps(1e-7f);
    for (int i = 0; i < 12; i++) a[i] = _mm512_set1_ps(1.0f + i * 1e-3f);
    double t = now();
    for (long i = 0; i < it; i++)
        for (int j = 0; j < 12; j++) a[j] = _mm512_fmadd_ps(a[j], b, c);
    t = now() - t;
    float s = 0;
    for (int i = 0; i < 12; i++) s += _mm512_reduce_add_ps(a[i]);
    return s == 12345 ? 0 : it * 12.0 * 32 / t / 1e9;
}

__attribute__((target("avx2,fma"))) static double run256(long it) {
    __m256 a[12], b = _mm256_set1_ps(0.999999f), c = _mm256_set1_ps(1e-7f);
    for (int i = 0; i < 12; i++) a[i] = _mm256_set1_ps(1.0f + i * 1e-3f);
    double t = now();
    for (long i = 0; i < it; i++)
        for (int j = 0; j < 12; j++) a[j] = _mm256_fmadd_ps(a[j], b, c);
    t = now() - t;
    float v[8], s = 0;
    for (int i = 0; i < 12; i++) {
        _mm256_storeu_ps(v, a[i]);
        s += v[0];
    }
    return s == 12345 ? 0 : it * 12.0 * 16 / t / 1e9;
}

int main(void) {
    __builtin_cpu_init();
    double p512 = 0, p256 = 0;
    for (int r = 0; r < 3; r++) {
        if (__builtin_cpu_supports("avx512f")) {
            double g = run512(100000000);
            if (g > p512) p512 = g;
        }
        if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
            double g = run256(100000000);
            if (g > p256) p256 = g;
        }
    }
    printf("peak\tavx512\t%.1f\tavx2\t%.1f\n", p512, p256);
    return 0;
}
