/* Core services: errors, allocation, RNG, threads, timing, progress. */
#include "latent/core.h"
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* ---- errors ---- */
static _Thread_local char g_errmsg[1024];
int lt__fuzz_nocrc; /* src/core/fuzzing.h */

const char *lt_errmsg(void) { return g_errmsg; }
void lt_clear_error(void) { g_errmsg[0] = 0; }

int lt_err(int status, const char *fmt, ...) {
    /* formatted aside first: the arguments may be lt_errmsg() itself (adding context to a
     * message), which must not be overwritten while it is read */
    char tmp[sizeof g_errmsg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    memcpy(g_errmsg, tmp, sizeof tmp);
    return status;
}

int lt_err_in(int status, const char *name) {
    if (status != LT_OK && name && *name && !strstr(g_errmsg, name))
        lt_err(status, "%s: %s", name, g_errmsg);
    return status;
}

const char *lt_status_name(int s) {
    switch (s) {
    case LT_OK: return "ok";
    case LT_ENOMEM: return "out of memory";
    case LT_EIO: return "I/O error";
    case LT_EFORMAT: return "format error";
    case LT_EINVAL: return "invalid argument";
    case LT_ENOTFOUND: return "not found";
    case LT_EINTR: return "interrupted";
    default: return "unknown error";
    }
}

static lt_log_fn g_log;
static void *g_log_ud;
void lt_set_log(lt_log_fn fn, void *ud) {
    g_log = fn;
    g_log_ud = ud;
}
void lt_log(int level, const char *fmt, ...) {
    if (!g_log) return;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    g_log(level, buf, g_log_ud);
}

/* ---- allocation ----
 * Large blocks from the C library are offered transparent huge pages: on the virtual
 * machines we run on a 4 KiB page fault costs ~6 us, a third of the time of writing a fresh
 * 480 MB matrix once (the kernel still zeroes each page, 2 MiB at a time). */
static void *huge_advice(void *p, size_t n) {
#ifdef MADV_HUGEPAGE
    const uintptr_t H = (uintptr_t)2 << 20;
    if (p && n >= 4 * H) {
        uintptr_t lo = ((uintptr_t)p + H - 1) & ~(H - 1), hi = ((uintptr_t)p + n) & ~(H - 1);
        if (hi > lo)
            madvise((void *)lo, hi - lo, MADV_HUGEPAGE); /* advice only: failure is harmless */
    }
#endif
    return p;
}
static void *d_malloc(size_t n, void *ud) {
    (void)ud;
    return huge_advice(malloc(n), n);
}
static void *d_realloc(void *p, size_t n, void *ud) {
    (void)ud;
    return realloc(p, n);
}
static void d_free(void *p, void *ud) {
    (void)ud;
    free(p);
}
static lt_allocator g_alloc = { d_malloc, d_realloc, d_free, NULL };

void lt_set_allocator(const lt_allocator *a) {
    if (a) g_alloc = *a;
    else g_alloc = (lt_allocator){ d_malloc, d_realloc, d_free, NULL };
}
void *lt_malloc(size_t n) { return g_alloc.malloc_fn(n ? n : 1, g_alloc.ud); }
void *lt_calloc(size_t n, size_t size) {
    size_t t;
    if (!lt_mul_ok(n, size, &t)) return NULL;
    /* the C library's calloc knows fresh pages are zero and skips the memset (large blocks) */
    if (g_alloc.malloc_fn == d_malloc) return huge_advice(calloc(t ? t : 1, 1), t);
    void *p = lt_malloc(t);
    if (p) memset(p, 0, t);
    return p;
}
void *lt_realloc(void *p, size_t n) { return g_alloc.realloc_fn(p, n ? n : 1, g_alloc.ud); }
void lt_free(void *p) {
    if (p) g_alloc.free_fn(p, g_alloc.ud);
}

/* Aligned blocks: over-allocate through the hook and keep the raw pointer just before. */
static void *aligned_from(unsigned char *raw) {
    if (!raw) return NULL;
    uintptr_t a = ((uintptr_t)raw + sizeof(void *) + 63) & ~(uintptr_t)63;
    ((void **)a)[-1] = raw;
    return (void *)a;
}
void *lt_aligned_alloc(size_t n) {
    if (n > SIZE_MAX - 128) return NULL;
    return aligned_from(lt_malloc(n + 64 + sizeof(void *)));
}
void *lt_aligned_calloc(size_t n) {
    if (n > SIZE_MAX - 128) return NULL;
    return aligned_from(lt_calloc(1, n + 64 + sizeof(void *)));
}
void lt_aligned_free(void *p) {
    if (p) lt_free(((void **)p)[-1]);
}

char *lt_strdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = lt_malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

int lt_mul_ok(size_t a, size_t b, size_t *out) {
    if (a && b > SIZE_MAX / a) return 0;
    *out = a * b;
    return 1;
}

/* ---- RNG ---- */
static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
void lt_rng_seed(lt_rng *r, uint64_t seed, uint64_t stream) {
    uint64_t x = seed ^ (stream * 0xd1342543de82ef95ULL + 0x632be59bd9b4e019ULL);
    splitmix64(&x);
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&x);
}
static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
uint64_t lt_rng_next(lt_rng *r) {
    uint64_t *s = r->s;
    uint64_t res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return res;
}
uint64_t lt_rng_below(lt_rng *r, uint64_t n) {
    uint64_t x = lt_rng_next(r);
    __uint128_t m = (__uint128_t)x * n;
    uint64_t l = (uint64_t)m;
    if (l < n) {
        uint64_t t = (0 - n) % n;
        while (l < t) {
            x = lt_rng_next(r);
            m = (__uint128_t)x * n;
            l = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

double lt_rng_normal(lt_rng *r) {
    double u = lt_rng_uniform(r), v = lt_rng_uniform(r);
    return sqrt(-2 * log(u > 0 ? u : 1e-300)) * cos(2 * M_PI * v);
}

void lt_rng_shuffle(lt_rng *r, int64_t *a, int64_t n) {
    for (int64_t i = n - 1; i > 0; i--) {
        int64_t j = (int64_t)lt_rng_below(r, (uint64_t)i + 1), t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}

/* ---- threads ---- */
int lt_cpu_count(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

typedef struct {
    lt_for_fn fn;
    lt_thread_fn tfn;
    void *ud;
    int64_t n;
    int nt, tid;
} job_t;
static void *for_tramp(void *a) {
    job_t *j = a;
    if (j->tfn) {
        j->tfn(j->ud, j->tid);
        return NULL;
    }
    int64_t b = j->n * j->tid / j->nt, e = j->n * (j->tid + 1) / j->nt;
    if (b < e) j->fn(j->ud, b, e, j->tid);
    return NULL;
}
static int run_jobs(int nt, job_t *jobs) {
    pthread_t *th = lt_calloc((size_t)nt, sizeof *th);
    if (!th) return lt_err(LT_ENOMEM, "out of memory starting %d threads", nt);
    int started = 0, rc = LT_OK;
    for (int t = 1; t < nt; t++) {
        if (pthread_create(&th[t], NULL, for_tramp, &jobs[t]) != 0) {
            rc = lt_err(LT_ENOMEM, "cannot start thread %d", t);
            break;
        }
        started = t;
    }
    if (rc == LT_OK) for_tramp(&jobs[0]);
    for (int t = 1; t <= started; t++) pthread_join(th[t], NULL);
    lt_free(th);
    return rc;
}
int lt_parallel_for(int nt, int64_t n, lt_for_fn fn, void *ud) {
    if (n <= 0) return LT_OK;
    if (nt <= 1 || n == 1) {
        fn(ud, 0, n, 0);
        return LT_OK;
    }
    if (nt > n) nt = (int)n;
    job_t jobs[256];
    if (nt > 256) nt = 256;
    for (int t = 0; t < nt; t++) jobs[t] = (job_t){ fn, NULL, ud, n, nt, t };
    return run_jobs(nt, jobs);
}
int lt_run_threads(int nt, lt_thread_fn fn, void *ud) {
    if (nt <= 1) {
        fn(ud, 0);
        return LT_OK;
    }
    job_t jobs[256];
    if (nt > 256) nt = 256;
    for (int t = 0; t < nt; t++) jobs[t] = (job_t){ NULL, fn, ud, 0, nt, t };
    return run_jobs(nt, jobs);
}

/* ---- timing ---- */
double lt_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- progress and the execution context ---- */
static lt_progress_sink g_sink;
static void *g_sink_ud;
void lt_set_progress(lt_progress_sink fn, void *ud) {
    g_sink = fn;
    g_sink_ud = ud;
}

void lt_ctx_init(lt_ctx *c) {
    memset(c, 0, sizeof *c);
    c->n_threads = 1;
}
int lt_ctx_cancelled(const lt_ctx *c) { return c && c->cancel && *c->cancel; }

void lt_progress_init(
        lt_progress *p, const lt_ctx *ctx, const char *what, const char *unit, double total) {
    p->sink = ctx && ctx->progress ? ctx->progress : g_sink;
    p->sink_ud = ctx && ctx->progress ? ctx->progress_ud : g_sink_ud;
    p->cancel = ctx ? ctx->cancel : NULL;
    p->t0 = p->last = lt_now();
    p->total = total;
    p->what = what;
    p->unit = unit;
    p->fn = NULL;
    p->ud = NULL;
    p->stop = 0;
}
static void report(lt_progress *p, double now, double done, double loss, int final) {
    if (p->fn && p->fn(done, final && p->total <= 0 ? done : p->total, final ? -1 : loss, p->ud))
        p->stop = 1;
    if (p->sink) {
        lt_progress_info e = { p->what, p->unit, done, p->total, loss, now - p->t0, final };
        if (p->sink(&e, p->sink_ud)) p->stop = 1;
    }
    if (p->cancel && *p->cancel) p->stop = 1;
}
void lt_progress_update(lt_progress *p, double done, double loss) {
    if (!p->sink && !p->fn && !p->cancel) return;
    double now = lt_now();
    if (now - p->last < 0.25) return;
    p->last = now;
    report(p, now, done, loss, 0);
}
void lt_progress_end(lt_progress *p, double done) { report(p, lt_now(), done, -1, 1); }

uint64_t lt_hash64(const void *data, size_t n, uint64_t h) {
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}
