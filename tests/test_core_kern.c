/* core (rng, threads, alloc hook, f16) and kernels (SIMD vs reference, sigmoid table) */
#include "test.h"

TEST(rng_streams) {
    lt_rng a, b, c;
    lt_rng_seed(&a, 42, 0);
    lt_rng_seed(&b, 42, 0);
    lt_rng_seed(&c, 42, 1);
    int same = 1, diff = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = lt_rng_next(&a), y = lt_rng_next(&b), z = lt_rng_next(&c);
        same &= x == y;
        diff += x != z;
    }
    CHECK(same);
    CHECK(diff > 990);
    /* below(n) is in range and roughly uniform */
    long h[7] = { 0 };
    for (int i = 0; i < 70000; i++) {
        uint64_t v = lt_rng_below(&a, 7);
        CHECK(v < 7);
        if (v < 7) h[v]++;
    }
    for (int i = 0; i < 7; i++) CHECK(h[i] > 9500 && h[i] < 10500);
    double s = 0;
    for (int i = 0; i < 100000; i++) {
        double u = lt_rng_uniform(&a);
        CHECK(u >= 0 && u < 1);
        s += u;
    }
    CHECK_NEAR(s / 100000, 0.5, 0.01, 0);
}

static void mark(void *ud, int64_t b, int64_t e, int tid) {
    int *v = ud;
    for (int64_t i = b; i < e; i++) v[i] += 1 + tid * 0;
}
TEST(parallel_for_covers_once) {
    int v[1003] = { 0 };
    CHECK(lt_parallel_for(4, 1003, mark, v) == LT_OK);
    int ok = 1;
    for (int i = 0; i < 1003; i++) ok &= v[i] == 1;
    CHECK(ok);
}

static int g_fail_after = -1;
static void *fmalloc(size_t n, void *ud) {
    (void)ud;
    if (g_fail_after == 0) return NULL;
    if (g_fail_after > 0) g_fail_after--;
    return malloc(n);
}
static void *frealloc(void *p, size_t n, void *ud) {
    (void)ud;
    if (g_fail_after == 0) return NULL;
    if (g_fail_after > 0) g_fail_after--;
    return realloc(p, n);
}
static void ffree(void *p, void *ud) {
    (void)ud;
    free(p);
}
TEST(oom_injection) {
    /* every allocation point of a store + labels + save path fails cleanly */
    lt_allocator a = { fmalloc, frealloc, ffree, NULL };
    int failures = 0;
    for (int k = 0; k < 12; k++) {
        g_fail_after = k;
        lt_set_allocator(&a);
        lt_vecs *v = lt_vecs_new(10, 5);
        int rc = v ? lt_vecs_set_label(v, 3, "x") : LT_ENOMEM;
        if (rc == LT_OK) rc = lt_vecs_meta_set(v, "k", "v");
        lt_set_allocator(NULL);
        if (rc != LT_OK) {
            failures++;
            CHECK(strlen(lt_errmsg()) > 0);
        }
        lt_vecs_free(v);
    }
    CHECK(failures >= 3);
}

TEST(f16_conversion) {
    float vals[] = { 0.f, 1.f, -2.5f, 65504.f, 1e-5f, 3.14159f, -0.000061035156f };
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++)
        CHECK_NEAR(lt_f16_to_f32(lt_f32_to_f16(vals[i])), vals[i], 1e-7, 1e-3);
    CHECK(lt_f32_to_f16(1.0f) == 0x3c00);
    CHECK(lt_f32_to_f16(-2.0f) == 0xc000);
    CHECK(isinf(lt_f16_to_f32(lt_f32_to_f16(1e6f))));
    /* every half value round-trips through float exactly */
    int ok = 1;
    for (uint32_t h = 0; h < 65536; h++) {
        if (((h >> 10) & 0x1f) == 31 && (h & 0x3ff)) continue; /* NaN payloads */
        ok &= lt_f32_to_f16(lt_f16_to_f32((uint16_t)h)) == h;
    }
    CHECK(ok);
}

static void fill(float *x, int n, lt_rng *r) {
    for (int i = 0; i < n; i++) x[i] = (float)(lt_rng_uniform(r) * 2 - 1);
}

TEST(kernels_match_reference) {
    const char *names[] = { "avx2", "avx512" };
    const lt_kernels *R = lt_kern_get("ref");
    lt_rng r;
    lt_rng_seed(&r, 7, 0);
    int tested = 0;
    for (int ki = 0; ki < 2; ki++) {
        const lt_kernels *K = lt_kern_get(names[ki]);
        if (!K) continue;
        tested++;
        for (int d = 1; d <= 67; d += 3) {
            float x[80], y[80], y2[80];
            fill(x, d, &r);
            fill(y, d, &r);
            CHECK_NEAR(K->dot(x, y, d), R->dot(x, y, d), 1e-5, 1e-5);
            CHECK_NEAR(K->l2sq(x, y, d), R->l2sq(x, y, d), 1e-5, 1e-5);
            memcpy(y2, y, sizeof y);
            K->axpy(0.3f, x, y, d);
            R->axpy(0.3f, x, y2, d);
            CHECK_ARR(y, y2, d, 1e-6, 1e-6);
        }
        /* distance scan */
        {
            float sc[50], bb[50], d1[66], d2[66];
            int i1[66], i2[66];
            fill(sc, 50, &r);
            fill(bb, 50, &r);
            for (int mode = 0; mode < 3; mode++) {
                int n1 = K->scan_below(sc, bb, 50, mode, 0.7f, 0.9f, i1, d1),
                    n2 = R->scan_below(sc, bb, 50, mode, 0.7f, 0.9f, i2, d2);
                CHECK(n1 == n2 && n1 > 0 && n1 < 50 && !memcmp(i1, i2, sizeof(int) * (size_t)n1));
                CHECK_ARR(d1, d2, n1, 1e-6, 1e-6);
            }
        }
        /* transposed tile-row scan (exact search over packed queries) */
        {
            float sc[32], qn[32], th[32], d1[32], d2[32];
            fill(sc, 32, &r);
            fill(qn, 32, &r);
            fill(th, 32, &r);
            for (int j = 0; j < 32; j++) th[j] += 1; /* distances lie in [0, 2] for modes 1, 2 */
            for (int mode = 0; mode < 3; mode++)
                for (int nr = 5; nr <= 32; nr += 27) {
                    uint32_t m1 = K->scan32(sc, nr, 0.3f, qn, th, mode, d1),
                             m2 = R->scan32(sc, nr, 0.3f, qn, th, mode, d2);
                    CHECK_MSG(m1 == m2 && m1 != 0 && (nr == 32 || m1 < (1u << nr)),
                            "%s mode %d nr %d: %x vs %x", names[ki], mode, nr, m1, m2);
                    CHECK_ARR(d1, d2, nr, 1e-6, 1e-6);
                }
        }
        /* compact rows against the reference */
        {
            float q[64];
            uint16_t xh[64];
            int8_t xi[64];
            fill(q, 64, &r);
            for (int j = 0; j < 64; j++) {
                xh[j] = lt_f32_to_f16((float)(lt_rng_uniform(&r) * 2 - 1));
                xi[j] = (int8_t)((int)lt_rng_below(&r, 255) - 127);
            }
            CHECK_NEAR(K->dot_f16(q, xh, 64), R->dot_f16(q, xh, 64), 1e-4, 1e-5);
            CHECK_NEAR(K->l2sq_f16(q, xh, 64), R->l2sq_f16(q, xh, 64), 1e-4, 1e-5);
            CHECK_NEAR(K->dot_i8(q, xi, 64), R->dot_i8(q, xi, 64), 1e-3, 1e-5);
            CHECK_NEAR(K->l2sq_i8(q, xi, 0.01f, 64), R->l2sq_i8(q, xi, 0.01f, 64), 1e-4, 1e-5);
        }
        /* batched rows: m x o with repeated rows, d padded */
        int64_t d = 112;
        int m = 7, o = 6;
        float *A1 = lt_aligned_alloc(9 * d * 4), *B1 = lt_aligned_alloc(9 * d * 4),
              *A2 = lt_aligned_alloc(9 * d * 4), *B2 = lt_aligned_alloc(9 * d * 4);
        float *tmp = lt_aligned_alloc(m * d * 4), S1[64], S2[64], G[64];
        fill(A1, 9 * (int)d, &r);
        fill(B1, 9 * (int)d, &r);
        memcpy(A2, A1, 9 * d * 4);
        memcpy(B2, B1, 9 * d * 4);
        float *pa1[7], *pb1[6], *pa2[7], *pb2[6];
        int ai[7] = { 0, 1, 2, 1, 3, 4, 5 }, bi[6] = { 0, 2, 2, 3, 4, 8 };
        for (int i = 0; i < m; i++) {
            pa1[i] = A1 + ai[i] * d;
            pa2[i] = A2 + ai[i] * d;
        }
        for (int j = 0; j < o; j++) {
            pb1[j] = B1 + bi[j] * d;
            pb2[j] = B2 + bi[j] * d;
        }
        K->dots_rows(m, o, d, pa1, pb1, S1);
        R->dots_rows(m, o, d, pa2, pb2, S2);
        CHECK_ARR(S1, S2, m * o, 1e-5, 1e-5);
        fill(G, m * o, &r);
        K->update_rows(m, o, d, pa1, pb1, G, tmp);
        R->update_rows(m, o, d, pa2, pb2, G, tmp);
        CHECK_ARR(A1, A2, 9 * d, 1e-5, 1e-5);
        CHECK_ARR(B1, B2, 9 * d, 1e-5, 1e-5);
        lt_aligned_free(A1);
        lt_aligned_free(B1);
        lt_aligned_free(A2);
        lt_aligned_free(B2);
        lt_aligned_free(tmp);
    }
    fprintf(stderr, "  (SIMD kernel sets tested: %d)\n", tested);
    CHECK(lt_kern() != NULL);
}

TEST(sigmoid_table_bound) {
    const float *t = lt_sigmoid_table();
    double mx = 0;
    for (int i = 0; i <= 120000; i++) {
        float x = -6.0f + 12.0f * (float)i / 120000.0f;
        if (x >= 6.0f) x = 5.9999f;
        double e = fabs((double)lt_sigmoid_lookup(t, x) - 1.0 / (1.0 + exp(-(double)x)));
        if (e > mx) mx = e;
    }
    /* word2vec indexes with the integer step 1000/6/2 = 83 per unit, so the error is ~0.009 */
    CHECK_MSG(mx < 0.0095, "max error %g", mx);
    CHECK_NEAR(lt_sigmoid(0), 0.5, 1e-7, 0);
    CHECK_NEAR(lt_sigmoid(-30), 0, 1e-12, 0);
}

/* cos_add on every kernel set against double cos: arguments spread over [-300, 300] (every
 * quadrant, the range reduction's whole span), tails not a multiple of 16, and arguments past
 * the polynomial's range (handed to cosf). */
TEST(cos_add_matches_double) {
    enum { N = 100003 };
    float *s = malloc(N * 4), *b = malloc(N * 4), *z = malloc(N * 4);
    lt_rng r;
    lt_rng_seed(&r, 5, 0);
    for (int i = 0; i < N; i++) {
        s[i] = (lt_rng_uniformf(&r) - 0.5f) * 600;
        b[i] = lt_rng_uniformf(&r) * 6.2831853f;
    }
    s[7] = 1e5f;
    s[N - 1] = -3e4f;
    s[20] = 8191.5f;
    const char *names[] = { "ref", "avx2", "avx512" };
    for (int ki = 0; ki < 3; ki++) {
        const lt_kernels *K = lt_kern_get(names[ki]);
        if (!K) continue;
        for (int n = 1; n <= N; n += n < 40 ? 1 : 49999) {
            K->cos_add(s, b, 1.5f, z, n);
            double mx = 0;
            for (int i = 0; i < n; i++) {
                double e = fabs(z[i] - 1.5 * cos((double)(s[i] + b[i])));
                if (e > mx) mx = e;
            }
            CHECK_MSG(mx < 1.5 * 4e-7, "%s n %d: max error %g", names[ki], n, mx);
        }
    }
    free(s);
    free(b);
    free(z);
}

/* t-SNE's repulsion and attraction kernels on every kernel set against double sums: list
 * lengths around the 16 lanes, a source at the point itself, weights of cells and leaves. */
TEST(tsne_kernels_match_double) {
    enum { M = 1003, NP = 7 };
    float px[NP], py[NP], sx[M], sy[M], sw[M], pv[M], Y[2 * M];
    int32_t ci[M];
    lt_rng r;
    lt_rng_seed(&r, 11, 0);
    for (int i = 0; i < NP; i++) {
        px[i] = (lt_rng_uniformf(&r) - 0.5f) * 20;
        py[i] = (lt_rng_uniformf(&r) - 0.5f) * 20;
    }
    for (int j = 0; j < M; j++) {
        sx[j] = (lt_rng_uniformf(&r) - 0.5f) * 30;
        sy[j] = (lt_rng_uniformf(&r) - 0.5f) * 30;
        sw[j] = j % 3 ? 1 : (float)(1 + j % 17);
        Y[2 * j] = (lt_rng_uniformf(&r) - 0.5f) * 30;
        Y[2 * j + 1] = (lt_rng_uniformf(&r) - 0.5f) * 30;
        ci[j] = (int32_t)((j * 7919) % M);
        pv[j] = lt_rng_uniformf(&r) * 1e-3f;
    }
    sx[5] = px[2];
    sy[5] = py[2]; /* point 2 is a source of the list */
    const char *names[] = { "ref", "avx2", "avx512" };
    int ms[] = { 0, 1, 15, 16, 17, 33, 250, M };
    for (int ki = 0; ki < 3; ki++) {
        const lt_kernels *K = lt_kern_get(names[ki]);
        if (!K) continue;
        for (int mi = 0; mi < 8; mi++) {
            int m = ms[mi];
            double out[3 * NP], at[2];
            for (int t = 0; t < 3 * NP; t++) out[t] = 0.25; /* the kernel adds to out */
            K->tsne_rep(px, py, NP, sx, sy, sw, m, out);
            for (int i = 0; i < NP; i++) {
                double z = 0.25, gx = 0.25, gy = 0.25, az = 0, ag = 0;
                for (int j = 0; j < m; j++) {
                    double dx = (double)px[i] - sx[j], dy = (double)py[i] - sy[j],
                           q = 1 / (1 + dx * dx + dy * dy);
                    z += sw[j] * q;
                    gx += sw[j] * q * q * dx;
                    gy += sw[j] * q * q * dy;
                    az += sw[j] * q;
                    ag += sw[j] * q * q * (fabs(dx) + fabs(dy));
                }
                CHECK_MSG(fabs(out[3 * i] - z) <= 1e-6 * az + 1e-12,
                        "%s m %d point %d: z %.9g vs %.9g", names[ki], m, i, out[3 * i], z);
                CHECK_MSG(fabs(out[3 * i + 1] - gx) <= 1e-6 * ag + 1e-12 &&
                                fabs(out[3 * i + 2] - gy) <= 1e-6 * ag + 1e-12,
                        "%s m %d point %d: (%.9g %.9g) vs (%.9g %.9g)", names[ki], m, i,
                        out[3 * i + 1], out[3 * i + 2], gx, gy);
            }
            K->tsne_attr(px[3], py[3], ci, pv, m, Y, at);
            double ax = 0, ay = 0, aa = 0;
            for (int j = 0; j < m; j++) {
                double dx = (double)px[3] - Y[2 * ci[j]], dy = (double)py[3] - Y[2 * ci[j] + 1],
                       pq = pv[j] / (1 + dx * dx + dy * dy);
                ax += pq * dx;
                ay += pq * dy;
                aa += pq * (fabs(dx) + fabs(dy));
            }
            CHECK_MSG(
                    fabs(at[0] - ax) <= 1e-6 * aa + 1e-15 && fabs(at[1] - ay) <= 1e-6 * aa + 1e-15,
                    "%s m %d: attraction (%.9g %.9g) vs (%.9g %.9g)", names[ki], m, at[0], at[1],
                    ax, ay);
        }
    }
}

/* Packed GEMM on every kernel set against a double-precision product, odd shapes (rows not
 * a multiple of the micro-tile, columns not of the panel), every epilogue, 1 and 3 threads,
 * both packings. */
TEST(gemm_packed_matches_double) {
    const char *names[] = { "ref", "avx2", "avx512" };
    lt_rng r;
    lt_rng_seed(&r, 7, 0);
    int shapes[][3] = { { 1, 1, 1 }, { 5, 7, 3 }, { 13, 33, 17 }, { 37, 100, 70 }, { 128, 64, 96 },
        { 25, 384, 65 } };
    for (int ki = 0; ki < 3; ki++) {
        const lt_kernels *K = lt_kern_get(names[ki]);
        if (!K) continue;
        for (int si = 0; si < 6; si++) {
            int m = shapes[si][0], k = shapes[si][1], n = shapes[si][2];
            float *A = malloc(sizeof(float) * m * k), *W = malloc(sizeof(float) * n * k),
                  *b = malloc(sizeof(float) * n);
            float *C = malloc(sizeof(float) * m * n), *C0 = malloc(sizeof(float) * m * n),
                  *E = malloc(sizeof(float) * m * n);
            fill(A, m * k, &r);
            fill(W, n * k, &r);
            fill(b, n, &r);
            fill(C0, m * n, &r);
            lt_packed P, Pc;
            CHECK(lt_pack_rows(&P, W, n, k, k) == 0);
            float *Wt = malloc(sizeof(float) * n * k);
            for (int i = 0; i < n; i++)
                for (int j = 0; j < k; j++) Wt[j * n + i] = W[i * k + j];
            CHECK(lt_pack_cols(&Pc, Wt, k, n, n) == 0);
            CHECK(!memcmp(P.p, Pc.p, lt_packed_floats(n, k) * sizeof(float)));
            for (int flags = 0; flags < 8; flags++) {
                if ((flags & LT_GEMM_GELU) && (flags & LT_GEMM_ACC)) continue;
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < n; j++) {
                        double s = 0;
                        for (int t = 0; t < k; t++) s += (double)A[i * k + t] * W[j * k + t];
                        if (flags & LT_GEMM_BIAS) s += b[j];
                        if (flags & LT_GEMM_GELU) s = 0.5 * s * (1 + erf(s / sqrt(2.0)));
                        if (flags & LT_GEMM_ACC) s += C0[i * n + j];
                        E[i * n + j] = (float)s;
                    }
                /* this set's micro-kernel, tile by tile (the driver below uses the active set) */
                memcpy(C, C0, sizeof(float) * m * n);
                for (int j0 = 0; j0 < n; j0 += LT_GEMM_NR)
                    for (int i0 = 0; i0 < m; i0 += K->gemm_mr) {
                        int mr = m - i0 < K->gemm_mr ? m - i0 : K->gemm_mr,
                            nr = n - j0 < LT_GEMM_NR ? n - j0 : LT_GEMM_NR;
                        K->gemm_ukr(mr, nr, k, A + i0 * k, k, P.p + (size_t)j0 * k, LT_GEMM_NR,
                                C + i0 * n + j0, n, b + j0, flags);
                    }
                CHECK_ARR(C, E, m * n, 1e-5 * sqrt(k), 1e-5);
                /* the driver (active set), 1 and 3 threads */
                for (int th = 1; th <= 3; th += 2) {
                    memcpy(C, C0, sizeof(float) * m * n);
                    lt_gemm_packed(m, A, k, &P, C, n, b, flags, th);
                    CHECK_ARR(C, E, m * n, 1e-5 * sqrt(k), 1e-5);
                }
            }
            lt_packed_free(&P);
            lt_packed_free(&Pc);
            free(A);
            free(W);
            free(Wt);
            free(b);
            free(C);
            free(C0);
            free(E);
        }
        /* vector GELU and softmax against libm */
        float x[77], y[77];
        for (int i = 0; i < 77; i++) x[i] = -9 + 18.0f * i / 76;
        memcpy(y, x, sizeof x);
        K->gelu(y, 77);
        for (int i = 0; i < 77; i++)
            CHECK_NEAR(y[i], 0.5 * x[i] * (1 + erf(x[i] / sqrt(2.0))), 2e-6, 1e-6);
        /* the GLU's three activations times the gate, against double libm (x up to +-40:
         * exp's clamp must not turn the tails into NaN) */
        float g[77], u[77];
        for (int act = LT_GLU_GELU; act <= LT_GLU_QUICK_GELU; act++) {
            for (int i = 0; i < 77; i++) {
                g[i] = (i % 3 == 0 ? 4.5f : 1.0f) * x[i];
                u[i] = 0.25f + 0.01f * i;
            }
            K->glu(g, u, 77, act);
            for (int i = 0; i < 77; i++) {
                double v = (i % 3 == 0 ? 4.5 : 1.0) * (double)x[i], want;
                if (act == LT_GLU_GELU) want = 0.5 * v * (1 + erf(v / sqrt(2.0)));
                else if (act == LT_GLU_GELU_TANH)
                    want = 0.5 * v * (1 + tanh(sqrt(2 / M_PI) * (v + 0.044715 * v * v * v)));
                else if (act == LT_GLU_QUICK_GELU) want = v / (1 + exp(-1.702 * v));
                else want = v / (1 + exp(-v));
                CHECK_NEAR(g[i], want * u[i], 2e-6, 1e-6);
            }
            for (int i = 0; i < 77; i++) g[i] = x[i];
            K->glu(g, NULL, 77, act); /* no gate */
            double v = x[76],
                   w = act == LT_GLU_QUICK_GELU ? v / (1 + exp(-1.702 * v))
                    : act == LT_GLU_SILU        ? v / (1 + exp(-v))
                                                : v;
            CHECK_NEAR(g[76], w, 2e-6, 1e-6);
        }
        for (int n = 1; n <= 77; n += 19) {
            memcpy(y, x, sizeof x);
            K->softmax(y, n);
            double mx = -1e30, s = 0;
            for (int i = 0; i < n; i++) mx = fmax(mx, x[i]);
            for (int i = 0; i < n; i++) s += exp(x[i] - mx);
            for (int i = 0; i < n; i++) CHECK_NEAR(y[i], exp(x[i] - mx) / s, 1e-7, 1e-6);
        }
    }
}

/* bf16 GEMM: against a double product of the same bf16-rounded inputs (so only the f32
 * accumulation differs), odd k (padding), every epilogue, split into parts */
TEST(gemm_bf16_matches_rounded_double) {
    lt_rng r;
    lt_rng_seed(&r, 9, 0);
    int shapes[][3] = { { 1, 1, 1 }, { 13, 33, 17 }, { 30, 100, 70 }, { 25, 385, 65 } };
    CHECK(lt_bf16_from_f32(1.0f) == 0x3f80 && lt_f32_from_bf16(0x3f80) == 1.0f);
    CHECK(lt_bf16_from_f32(1.00390625f) == 0x3f80); /* halfway: to even */
    CHECK(lt_bf16_from_f32(1.01171875f) == 0x3f82); /* halfway: to even, upwards */
    for (int si = 0; si < 4; si++) {
        int m = shapes[si][0], k = shapes[si][1], n = shapes[si][2], k2 = (k + 1) / 2;
        float *A = malloc(sizeof(float) * m * k), *W = malloc(sizeof(float) * n * k),
              *b = malloc(sizeof(float) * n);
        float *C = malloc(sizeof(float) * m * n), *C0 = malloc(sizeof(float) * m * n),
              *E = malloc(sizeof(float) * m * n);
        uint16_t *Ab = malloc(sizeof(uint16_t) * m * 2 * k2);
        fill(A, m * k, &r);
        fill(W, n * k, &r);
        fill(b, n, &r);
        fill(C0, m * n, &r);
        lt_packed_bf16 P;
        CHECK(lt_pack_rows_bf16(&P, W, n, k, k) == 0);
        lt_rows_to_bf16(A, m, k, k, Ab);
        for (int flags = 0; flags < 8; flags++) {
            if ((flags & LT_GEMM_GELU) && (flags & LT_GEMM_ACC)) continue;
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int t = 0; t < k; t++)
                        s += (double)lt_f32_from_bf16(lt_bf16_from_f32(A[i * k + t])) *
                                lt_f32_from_bf16(lt_bf16_from_f32(W[j * k + t]));
                    if (flags & LT_GEMM_BIAS) s += b[j];
                    if (flags & LT_GEMM_GELU) s = 0.5 * s * (1 + erf(s / sqrt(2.0)));
                    if (flags & LT_GEMM_ACC) s += C0[i * n + j];
                    E[i * n + j] = (float)s;
                }
            memcpy(C, C0, sizeof(float) * m * n);
            for (int part = 0; part < 3; part++)
                lt_gemm_bf16_part(m, Ab, &P, C, n, b, flags, part, 3);
            CHECK_ARR(C, E, m * n, 1e-5 * sqrt(k), 1e-5);
        }
        lt_packed_bf16_free(&P);
        free(A);
        free(W);
        free(b);
        free(C);
        free(C0);
        free(E);
        free(Ab);
    }
    fprintf(stderr, "  (bf16 GEMM %s)\n", lt_bf16_native() ? "on AVX-512 BF16" : "scalar");
}

/* the BLAS/LAPACK door (kern/blas.c) against plain loops and against each other */
TEST(blas_lapack_wrappers) {
    enum { N = 9, K = 5 };
    lt_rng r;
    lt_rng_seed(&r, 11, 0);
    double A[N * K], S[N * N], C[N * N], E[N * N], w[N], w2[N], Z[N * 3], y[N], x[K], tau[K];
    int isuppz[6], found = 0;
    for (int i = 0; i < N * K; i++) A[i] = lt_rng_normal(&r);
    for (int i = 0; i < K; i++) x[i] = lt_rng_normal(&r);
    /* gemv against a loop */
    lt_dgemv(0, N, K, 1.0, A, K, x, 0.0, y);
    for (int i = 0; i < N; i++) {
        double t = 0;
        for (int j = 0; j < K; j++) t += A[i * K + j] * x[j];
        CHECK_NEAR(y[i], t, 1e-12, 1e-12);
    }
    /* syrk (upper, A A^T) against a loop */
    memset(C, 0, sizeof C);
    lt_dsyrk(1, 0, N, K, 1.0, A, K, 0.0, C, N);
    for (int i = 0; i < N; i++)
        for (int j = i; j < N; j++) {
            double t = 0;
            for (int k = 0; k < K; k++) t += A[i * K + k] * A[j * K + k];
            S[i * N + j] = S[j * N + i] = t + (i == j ? 1.0 : 0.0); /* positive definite */
            CHECK_NEAR(C[i * N + j], t, 1e-12, 1e-12);
        }
    /* the top 3 eigenpairs by dsyevr equal dsyev's; A v = lambda v */
    memcpy(E, S, sizeof E);
    CHECK(lt_dsyev(N, E, N, w) == 0);
    memcpy(C, S, sizeof C);
    CHECK(lt_dsyevr(N, C, N, N - 2, N, &found, w2, Z, 3, isuppz) == 0 && found == 3);
    for (int c = 0; c < 3; c++) {
        CHECK_NEAR(w2[c], w[N - 3 + c], 1e-10, 1e-10);
        for (int i = 0; i < N; i++) {
            double t = 0;
            for (int j = 0; j < N; j++) t += S[i * N + j] * Z[j * 3 + c];
            CHECK_NEAR(t, w2[c] * Z[i * 3 + c], 1e-9, 1e-9);
        }
    }
    memcpy(C, S, sizeof C);
    CHECK(lt_dsyevd(N, C, N, w2) == 0);
    for (int i = 0; i < N; i++) CHECK_NEAR(w2[i], w[i], 1e-10, 1e-10);
    /* QR: Q^T Q = I */
    CHECK(lt_dqr_q(N, K, A, K, tau) == 0);
    for (int a = 0; a < K; a++)
        for (int b = 0; b < K; b++) {
            double t = 0;
            for (int i = 0; i < N; i++) t += A[i * K + a] * A[i * K + b];
            CHECK_NEAR(t, a == b ? 1.0 : 0.0, 1e-12, 0);
        }
    /* BLAS threads: a scope sets and restores */
    int before = lt_blas_get_threads(), s = lt_blas_begin(1);
    CHECK(s == before && lt_blas_get_threads() == 1);
    lt_blas_end(s);
    CHECK(lt_blas_get_threads() == before);
}

RUN_TESTS(T(blas_lapack_wrappers), T(rng_streams), T(parallel_for_covers_once), T(oom_injection),
        T(f16_conversion), T(kernels_match_reference), T(sigmoid_table_bound),
        T(cos_add_matches_double), T(tsne_kernels_match_double), T(gemm_packed_matches_double),
        T(gemm_bf16_matches_rounded_double))
