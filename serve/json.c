/* The server's output buffer and JSON writers. A buffer that ran out of memory keeps its oom
 * flag and stops growing; the caller answers 503 instead. */
#include "serve.h"
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sb_free(sbuf *b) {
    free(b->p);
    memset(b, 0, sizeof *b);
}

static int grow(sbuf *b, size_t need) {
    if (b->oom) return 0;
    if (b->n + need + 1 <= b->cap) return 1;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->n + need + 1) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = 1;
        return 0;
    }
    b->p = p;
    b->cap = cap;
    return 1;
}

void sb_put(sbuf *b, const char *s, size_t n) {
    if (!grow(b, n)) return;
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

void sb_puts(sbuf *b, const char *s) { sb_put(b, s, strlen(s)); }

void sb_printf(sbuf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (k < 0 || !grow(b, (size_t)k)) return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->n, (size_t)k + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)k;
}

/* the length of the valid UTF-8 sequence at s (2-4 bytes), 0 when none starts there */
static size_t utf8_len(const unsigned char *s, size_t n) {
    unsigned c = s[0];
    size_t k = c >= 0xc2 && c <= 0xdf ? 2
            : c >= 0xe0 && c <= 0xef  ? 3
            : c >= 0xf0 && c <= 0xf4  ? 4
                                      : 0;
    if (!k || k > n) return 0;
    for (size_t j = 1; j < k; j++) {
        unsigned lo = 0x80, hi = 0xbf, x = s[j];
        if (j == 1 && c == 0xe0) lo = 0xa0;
        if (j == 1 && c == 0xed) hi = 0x9f;
        if (j == 1 && c == 0xf0) lo = 0x90;
        if (j == 1 && c == 0xf4) hi = 0x8f;
        if (x < lo || x > hi) return 0;
    }
    return k;
}

void sb_str(sbuf *b, const char *s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    if (!grow(b, n + 2)) return;
    b->p[b->n++] = '"';
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char e = c == '"'   ? '"'
                : c == '\\' ? '\\'
                : c == '\n' ? 'n'
                : c == '\r' ? 'r'
                : c == '\t' ? 't'
                            : 0;
        if (e) {
            char t[2] = { '\\', e };
            sb_put(b, t, 2);
        } else if (c < 0x20 || c == 0x7f) {
            char t[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
            sb_put(b, t, 6);
        } else if (c < 0x80) sb_put(b, (const char *)&s[i], 1);
        else { /* JSON is UTF-8: a byte that starts no valid sequence becomes U+FFFD */
            size_t k = utf8_len((const unsigned char *)s + i, n - i);
            if (k) {
                sb_put(b, s + i, k);
                i += k - 1;
            } else sb_put(b, "\xef\xbf\xbd", 3);
        }
    }
    sb_put(b, "\"", 1);
}

void sb_float(sbuf *b, float x) {
    if (!isfinite(x)) {
        sb_put(b, "null", 4);
        return;
    }
    char t[32];
    int k = snprintf(t, sizeof t, "%.9g", (double)x);
    sb_put(b, t, (size_t)k);
}

void sb_floats(sbuf *b, const float *x, int n) {
    sb_put(b, "[", 1);
    for (int i = 0; i < n; i++) {
        if (i) sb_put(b, ",", 1);
        sb_float(b, x[i]);
    }
    sb_put(b, "]", 1);
}

void sb_base64(sbuf *b, const void *p, size_t n) {
    static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *s = p;
    if (!grow(b, (n + 2) / 3 * 4 + 2)) return;
    char *o = b->p + b->n;
    *o++ = '"';
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        unsigned v = (unsigned)s[i] << 16 | (unsigned)s[i + 1] << 8 | s[i + 2];
        *o++ = A[v >> 18];
        *o++ = A[v >> 12 & 63];
        *o++ = A[v >> 6 & 63];
        *o++ = A[v & 63];
    }
    if (i < n) {
        unsigned v = (unsigned)s[i] << 16 | (i + 1 < n ? (unsigned)s[i + 1] << 8 : 0);
        *o++ = A[v >> 18];
        *o++ = A[v >> 12 & 63];
        *o++ = i + 1 < n ? A[v >> 6 & 63] : '=';
        *o++ = '=';
    }
    *o++ = '"';
    b->n = (size_t)(o - b->p);
    b->p[b->n] = 0;
}
