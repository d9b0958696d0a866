/* latent core: status codes, error messages, allocation hook, RNG, parallel-for,
 * timing and progress.
 *
 * Contracts
 *  - Every fallible function returns an int status: LT_OK (0) or a negative LT_E*.
 *    On failure a human-readable message (naming file, offset and cause where they
 *    apply) is kept per thread and read with lt_errmsg().
 *  - The library never prints and never exits; diagnostics go to the log callback.
 *  - All heap memory goes through lt_malloc/lt_calloc/lt_realloc/lt_free, which call
 *    the hooks installed by lt_set_allocator(); tests inject out-of-memory through it.
 *  - Every *_free() accepts NULL.
 */
#ifndef LATENT_CORE_H
#define LATENT_CORE_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LT_VERSION "0.1.0"

enum {
    LT_OK = 0,
    LT_ENOMEM = -1, /* allocation failed */
    LT_EIO = -2, /* open/read/write failed (errno in message) */
    LT_EFORMAT = -3, /* malformed or truncated input */
    LT_EINVAL = -4, /* invalid argument */
    LT_ENOTFOUND = -5, /* key/word not present */
    LT_EINTR = -6 /* stopped on request */
};

/* Thread-local message of the last failure on this thread ("" if none). */
const char *lt_errmsg(void);
/* Set the message (printf-style) and return `status` for `return lt_err(...)`. */
/* A failed load's message names what was loaded: unless the message holds `name` already,
 * it becomes "name: message" (an "out of memory" deep inside a reader then says which file).
 * Returns status. */
int lt_err_in(int status, const char *name);
int lt_err(int status, const char *fmt, ...)
#if defined(__GNUC__)
        __attribute__((format(printf, 2, 3)))
#endif
        ;
void lt_clear_error(void);
const char *lt_status_name(int status);

/* Log callback: level 0 = info, 1 = warning. Default: none (silent library). */
typedef void (*lt_log_fn)(int level, const char *msg, void *ud);
void lt_set_log(lt_log_fn fn, void *ud);
void lt_log(int level, const char *fmt, ...)
#if defined(__GNUC__)
        __attribute__((format(printf, 2, 3)))
#endif
        ;

/* Allocation hooks. `align` allocations are 64-byte aligned. */
typedef struct lt_allocator {
    void *(*malloc_fn)(size_t n, void *ud);
    void *(*realloc_fn)(void *p, size_t n, void *ud);
    void (*free_fn)(void *p, void *ud);
    void *ud;
} lt_allocator;
void lt_set_allocator(const lt_allocator *a); /* NULL restores the C library */
void *lt_malloc(size_t n);
void *lt_calloc(size_t n, size_t size); /* overflow-checked */
void *lt_realloc(void *p, size_t n);
void lt_free(void *p);
void *lt_aligned_alloc(size_t n); /* 64-byte aligned, free with lt_aligned_free */
void *lt_aligned_calloc(size_t n); /* the same, zeroed (large blocks: fresh pages, no memset) */
void lt_aligned_free(void *p);
char *lt_strdup(const char *s);
/* Overflow-safe a*b; returns 0 on overflow. */
int lt_mul_ok(size_t a, size_t b, size_t *out);

/* RNG: xoshiro256** seeded through splitmix64. Streams: lt_rng_seed(r, seed, k) gives
 * independent stream k (thread index) of `seed`. */
typedef struct lt_rng {
    uint64_t s[4];
} lt_rng;
void lt_rng_seed(lt_rng *r, uint64_t seed, uint64_t stream);
uint64_t lt_rng_next(lt_rng *r);
static inline double lt_rng_uniform(lt_rng *r) {
    return (double)(lt_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}
static inline float lt_rng_uniformf(lt_rng *r) {
    return (float)(lt_rng_next(r) >> 40) * (1.0f / 16777216.0f);
}
/* Uniform integer in [0, n), n > 0 (Lemire's multiply-shift, unbiased). */
uint64_t lt_rng_below(lt_rng *r, uint64_t n);
/* Standard normal draw (Box-Muller, two uniforms per draw). */
double lt_rng_normal(lt_rng *r);
/* Fisher-Yates shuffle of a[0..n) drawn from r. */
void lt_rng_shuffle(lt_rng *r, int64_t *a, int64_t n);

/* Parallel-for: calls fn(ud, i, tid) for i in [0, n) using n_threads workers with a
 * static partition (thread t gets the contiguous block t), so results that are reduced
 * in thread order do not depend on scheduling. n_threads <= 1 runs inline. */
typedef void (*lt_for_fn)(void *ud, int64_t begin, int64_t end, int tid);
int lt_parallel_for(int n_threads, int64_t n, lt_for_fn fn, void *ud);
/* Runs fn(ud, tid) on n_threads threads and joins. */
typedef void (*lt_thread_fn)(void *ud, int tid);
int lt_run_threads(int n_threads, lt_thread_fn fn, void *ud);
int lt_cpu_count(void);

/* Monotonic seconds. */
double lt_now(void);

/* ---- progress ----
 * Long calls report progress as events; the library never draws. A front end installs a sink:
 * the CLI's draws the terminal line on stderr, Python's calls the user's callable, a server
 * would count. Sinks are called (rate-limited to ~4 Hz, and once at the end with final = 1)
 * from whichever thread reports; a non-zero return asks the job to stop (LT_EINTR). */
typedef struct lt_progress_info {
    const char *what; /* the job: "train skip-gram", "embed", "t-SNE map", ... */
    const char *unit; /* what `done` counts: "words", "inputs", "epochs", ... */
    double done, total; /* total <= 0: not known */
    double loss; /* < 0: none to show */
    double elapsed; /* seconds since the job started */
    int final; /* 1 on the closing event */
} lt_progress_info;
typedef int (*lt_progress_sink)(const lt_progress_info *p, void *ud);
/* The process's default sink, used by jobs whose context names none [none: silent]. */
void lt_set_progress(lt_progress_sink fn, void *ud);

/* ---- execution context ----
 * What a long call runs with, apart from its options: threads, BLAS threads, where its log and
 * progress go, and a cancellation flag. Front ends fill one per job (per request, in a server);
 * NULL where a call takes one means lt_ctx_init's defaults.
 *
 *   lt_ctx c;
 *   lt_ctx_init(&c);
 *   c.n_threads = 4;
 *   lt_embed_texts(model, texts, lens, n, out, H, NULL, &c, NULL);
 */
typedef struct lt_ctx {
    int n_threads; /* worker threads [1] */
    int blas_threads; /* threads BLAS may use inside the call [0: as n_threads] */
    lt_log_fn log;
    void *log_ud; /* [NULL: the process log, lt_set_log] */
    lt_progress_sink progress;
    void *progress_ud; /* [NULL: the process sink, lt_set_progress] */
    const volatile int *cancel; /* non-NULL: the call stops with LT_EINTR soon after *cancel != 0 */
} lt_ctx;
void lt_ctx_init(lt_ctx *c);
/* 1 when the context asks the call to stop. */
int lt_ctx_cancelled(const lt_ctx *c);

/* Progress reporter of one job: reports to the context's sink (or the process's) and to an
 * optional per-job callback fn(done, total, loss, ud) (the trainers' option structs carry one).
 * lt_progress_update is cheap to call often. */
typedef int (*lt_progress_fn)(double done, double total, double loss, void *ud);
typedef struct lt_progress {
    lt_progress_sink sink;
    void *sink_ud;
    lt_progress_fn fn;
    void *ud; /* optional; set after lt_progress_init */
    const volatile int *cancel; /* from the context */
    volatile int stop; /* set when a sink or fn asked to stop, or on cancel */
    double t0, last;
    double total;
    const char *what;
    const char *unit;
} lt_progress;
void lt_progress_init(
        lt_progress *p, const lt_ctx *ctx, const char *what, const char *unit, double total);
/* loss < 0 means "no loss to show". */
void lt_progress_update(lt_progress *p, double done, double loss);
void lt_progress_end(lt_progress *p, double done);

/* 64-bit FNV-1a, for content hashes in metadata. */
uint64_t lt_hash64(const void *data, size_t n, uint64_t h);
/* fastText's string hash (FNV-1a over bytes read as signed chars) */
uint32_t lt_fasttext_hash(const char *s, size_t n);
/* The bucket of each character n-gram of "<word>" (n = minn..maxn UTF-8 characters, never "<"
 * or ">" alone), in fastText's order, into out (at most cap); returns the count (-1: no memory). */
int64_t lt_fasttext_ngrams(
        const char *word, int minn, int maxn, int64_t bucket, int32_t *out, int64_t cap);
#define LT_HASH_INIT 0xcbf29ce484222325ULL

#ifdef __cplusplus
}
#endif
#endif
