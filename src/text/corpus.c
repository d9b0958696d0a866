/* Streaming UTF-8 corpus reader (plain or gzip), whitespace tokenisation. */
#include "latent/core.h"
#include "latent/text.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>
#include <utf8proc.h>
#include <zlib.h>

#define BUFSZ (1 << 20)

struct lt_corpus {
    gzFile gz;
    const unsigned char *mem; /* in-memory source */
    size_t mem_len;
    char *name;
    unsigned char *buf; /* read buffer (file sources) */
    size_t pos, len; /* window into buf or mem */
    uint64_t base; /* uncompressed offset of buf[0] */
    int eof;
    char *tok; /* current token (UTF-8) */
    size_t tok_len, tok_cap;
    int pending_eol;
    int64_t n_trunc, n_invalid;
    lt_corpus_opts o;
};

void lt_corpus_opts_init(lt_corpus_opts *o) {
    memset(o, 0, sizeof *o); /* every field, the ones added later included */
    o->lower = 0;
    o->max_token_bytes = 100;
}

static int alloc_common(lt_corpus **out, const char *name, const lt_corpus_opts *opts) {
    lt_corpus *c = lt_calloc(1, sizeof *c);
    if (!c) return lt_err(LT_ENOMEM, "out of memory");
    if (opts) c->o = *opts;
    else lt_corpus_opts_init(&c->o);
    if (c->o.max_token_bytes < 8) c->o.max_token_bytes = 8;
    c->tok_cap = c->o.max_token_bytes + 8;
    c->tok = lt_malloc(c->tok_cap);
    c->name = lt_strdup(name);
    if (!c->tok || !c->name) {
        lt_corpus_close(c);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    *out = c;
    return LT_OK;
}

/* Copies a stream (stdin for "-") into an unlinked file in $TMPDIR (or /tmp); returns its fd
 * at offset 0, or a negative status. */
static int spool(const char *path) {
    int in = !strcmp(path, "-") ? dup(0) : open(path, O_RDONLY);
    if (in < 0) return lt_err(LT_EIO, "%s: cannot open: %s", path, strerror(errno));
    const char *dir = getenv("TMPDIR");
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s/latent-corpus-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        close(in);
        return lt_err(LT_EIO, "%s: cannot create a temporary file to hold the stream: %s", tmp,
                strerror(e));
    }
    unlink(tmp);
    char *b = lt_malloc(1 << 20);
    int rc = b ? LT_OK : lt_err(LT_ENOMEM, "out of memory");
    for (ssize_t r; rc == LT_OK && (r = read(in, b, 1 << 20)) != 0;) {
        if (r < 0) {
            if (errno == EINTR) continue;
            rc = lt_err(LT_EIO, "%s: read error: %s", path, strerror(errno));
            break;
        }
        for (ssize_t w = 0; w < r;) {
            ssize_t k = write(fd, b + w, (size_t)(r - w));
            if (k < 0) {
                if (errno == EINTR) continue;
                rc = lt_err(LT_EIO, "%s: cannot spool the stream: %s", tmp, strerror(errno));
                break;
            }
            w += k;
        }
    }
    lt_free(b);
    close(in);
    if (rc == LT_OK && lseek(fd, 0, SEEK_SET) != 0)
        rc = lt_err(LT_EIO, "%s: cannot rewind the spooled stream", tmp);
    if (rc) {
        close(fd);
        return rc;
    }
    return fd;
}

int lt_corpus_open(lt_corpus **out, const char *path, const lt_corpus_opts *opts) {
    *out = NULL;
    int rc = alloc_common(out, path, opts);
    if (rc) return rc;
    lt_corpus *c = *out;
    c->buf = lt_malloc(BUFSZ);
    if (!c->buf) {
        lt_corpus_close(c);
        *out = NULL;
        return lt_err(LT_ENOMEM, "out of memory");
    }
    struct stat st;
    int piped = !strcmp(path, "-") ||
            (stat(path, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)));
    if (piped) {
        /* a stream cannot be read twice (vocabulary, then epochs): spool it to an unlinked
         * temporary file first */
        int fd = spool(path);
        if (fd < 0) {
            lt_corpus_close(c);
            *out = NULL;
            return fd;
        }
        c->gz = gzdopen(fd, "rb");
        if (!c->gz) close(fd);
    } else c->gz = gzopen(path, "rb");
    if (!c->gz) {
        int e = errno;
        lt_corpus_close(c);
        *out = NULL;
        return lt_err(LT_EIO, "%s: cannot open: %s", path, e ? strerror(e) : "gzip open failed");
    }
    gzbuffer(c->gz, 1 << 18);
    return LT_OK;
}

int lt_corpus_open_mem(lt_corpus **out, const void *buf, size_t len, const char *name,
        const lt_corpus_opts *opts) {
    *out = NULL;
    int rc = alloc_common(out, name, opts);
    if (rc) return rc;
    (*out)->mem = buf;
    (*out)->mem_len = len;
    (*out)->len = len;
    (*out)->eof = 1;
    return LT_OK;
}

void lt_corpus_close(lt_corpus *c) {
    if (!c) return;
    if (c->gz) gzclose(c->gz);
    lt_free(c->buf);
    lt_free(c->tok);
    lt_free(c->name);
    lt_free(c);
}

int lt_corpus_rewind(lt_corpus *c) {
    c->pos = 0;
    c->pending_eol = 0;
    c->n_trunc = 0;
    c->n_invalid = 0;
    if (c->mem) return LT_OK;
    if (gzrewind(c->gz) != 0) return lt_err(LT_EIO, "%s: cannot rewind (not seekable?)", c->name);
    c->len = 0;
    c->base = 0;
    c->eof = 0;
    return LT_OK;
}

uint64_t lt_corpus_offset(const lt_corpus *c) { return c->base + c->pos; }
int64_t lt_corpus_n_truncated(const lt_corpus *c) { return c->n_trunc; }
int64_t lt_corpus_n_invalid(const lt_corpus *c) { return c->n_invalid; }

static inline const unsigned char *data(const lt_corpus *c) { return c->mem ? c->mem : c->buf; }

/* Ensures at least `need` bytes after pos unless at EOF. Returns bytes available. */
static int fill(lt_corpus *c, size_t need, size_t *avail) {
    if (c->len - c->pos >= need || c->eof) {
        *avail = c->len - c->pos;
        return LT_OK;
    }
    size_t keep = c->len - c->pos;
    memmove(c->buf, c->buf + c->pos, keep);
    c->base += c->pos;
    c->pos = 0;
    c->len = keep;
    while (c->len < need && !c->eof) {
        int r = gzread(c->gz, c->buf + c->len, (unsigned)(BUFSZ - c->len));
        if (r < 0) {
            int ze;
            const char *m = gzerror(c->gz, &ze);
            return lt_err(LT_EIO, "%s: offset %llu: read error: %s", c->name,
                    (unsigned long long)(c->base + c->len), ze == Z_ERRNO ? strerror(errno) : m);
        }
        if (r == 0) {
            int ze = Z_OK;
            const char *m = gzerror(c->gz, &ze);
            size_t nl = strlen(c->name);
            if (!strncmp(m, c->name, nl) && !strncmp(m + nl, ": ", 2))
                m += nl + 2; /* zlib prefixes the path */
            if (ze != Z_OK &&
                    ze != Z_STREAM_END) /* a gzip stream cut short is not a shorter corpus */
                return lt_err(LT_EFORMAT,
                        "%s: offset %llu (uncompressed): %s (truncated or damaged gzip)", c->name,
                        (unsigned long long)(c->base + c->len), m);
            c->eof = 1;
        }
        c->len += (size_t)r;
        if (c->len >= need) break;
    }
    *avail = c->len - c->pos;
    return LT_OK;
}

/* Decodes one code point at pos (>= 0x80 lead). Returns its byte length, or 0 for an
 * invalid byte (consumes one byte). */
static int decode(const unsigned char *s, size_t avail, int32_t *cp) {
    utf8proc_int32_t v;
    utf8proc_ssize_t n = utf8proc_iterate(s, (utf8proc_ssize_t)(avail < 4 ? avail : 4), &v);
    if (n <= 0) return 0;
    *cp = v;
    return (int)n;
}

static int is_space_cp(int32_t cp) {
    switch (cp) {
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000: return 1;
    default: return cp >= 0x2000 && cp <= 0x200A;
    }
}

static void tok_put(lt_corpus *c, const unsigned char *b, size_t n, int *cut) {
    if (*cut) return;
    if (c->tok_len + n > c->o.max_token_bytes) {
        *cut = 1;
        c->n_trunc++;
        return;
    }
    memcpy(c->tok + c->tok_len, b, n);
    c->tok_len += n;
}

int lt_corpus_next(lt_corpus *c, const char **tok, size_t *len) {
    if (c->pending_eol) {
        c->pending_eol = 0;
        return LT_TOK_EOL;
    }
    c->tok_len = 0;
    int cut = 0, in_tok = 0, rc;
    size_t avail;
    for (;;) {
        if (c->pos >= c->len) {
            if ((rc = fill(c, 1, &avail))) return rc;
            if (!avail) break;
        }
        const unsigned char *d = data(c);
        unsigned char ch = d[c->pos];
        if (ch < 0x80) {
            if (ch == '\n') {
                c->pos++;
                if (in_tok) {
                    c->pending_eol = 1;
                    break;
                }
                return LT_TOK_EOL;
            }
            if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' || ch == '\f' || ch == 0) {
                c->pos++;
                if (in_tok) break;
                continue;
            }
            if (c->o.lower && ch >= 'A' && ch <= 'Z') ch = (unsigned char)(ch + 32);
            tok_put(c, &ch, 1, &cut);
            in_tok = 1;
            c->pos++;
            continue;
        }
        if ((rc = fill(c, 4, &avail))) return rc;
        d = data(c);
        int32_t cp;
        int n = decode(d + c->pos, c->len - c->pos, &cp);
        if (n == 0) {
            cp = 0xFFFD;
            n = 1;
            c->n_invalid++;
        }
        c->pos += (size_t)n;
        if (is_space_cp(cp)) {
            if (in_tok) break;
            continue;
        }
        if (c->o.lower) cp = utf8proc_tolower(cp);
        unsigned char enc[4];
        utf8proc_ssize_t el = utf8proc_encode_char(cp, enc);
        tok_put(c, enc, (size_t)el, &cut);
        in_tok = 1;
    }
    if (!in_tok) return LT_TOK_END;
    c->tok[c->tok_len] = 0;
    *tok = c->tok;
    *len = c->tok_len;
    return LT_TOK_WORD;
}
