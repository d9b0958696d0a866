/* Labels sidecars (an .npy's STEM.labels.txt): one label per line, bound to their .npy by a
 * trailer after the array's data. */
#include "latent/core.h"
#include "latent/kern.h"
#include "latent/io.h"
#include "store_impl.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void lt__npy_labels_path(const char *path, char *out, size_t n) {
    snprintf(out, n, "%s", path);
    size_t l = strlen(out);
    if (l > 4 && !strcmp(out + l - 4, ".npy")) out[l - 4] = 0;
    strncat(out, ".labels.txt", n - strlen(out) - 1);
}

int lt__parse_labels(lt_vecs *v, const char *buf, size_t len, const char *path) {
    int rc;
    if ((rc = lt__vecs_alloc_labels(v))) return rc;
    int64_t i = 0;
    size_t p = 0;
    while (p < len && i < v->n) {
        const char *nl = memchr(buf + p, '\n', len - p);
        size_t e = nl ? (size_t)(nl - buf) : len, l = e - p;
        if (l && buf[p + l - 1] == '\r') l--;
        if (memchr(buf + p, 0, l))
            return lt_err(LT_EFORMAT, "%s: offset %zu: NUL byte in label %lld", path, p,
                    (long long)i + 1);
        char *lab = lt__vecs_arena_alloc(v, l + 1);
        if (!lab) return lt_err(LT_ENOMEM, "out of memory");
        memcpy(lab, buf + p, l);
        lab[l] = 0;
        v->labels[i++] = lab;
        p = e + 1;
    }
    if (i != v->n || p < len)
        return lt_err(LT_EFORMAT, "%s: has %s labels than the %lld rows", path,
                i < v->n ? "fewer" : "more", (long long)v->n);
    return LT_OK;
}

int lt__read_labels_file(lt_vecs *v, const char *path) {
    char *buf;
    size_t len, ml;
    int rc = lt_read_whole(path, &buf, &len, &ml);
    if (rc) return rc;
    rc = lt__parse_labels(v, buf, len, path);
    lt_release_whole(buf, ml);
    return rc;
}

/* The binding of an .npy to its labels sidecar: after the array's data, 24 bytes "LTLABELS",
 * the sidecar's size and its FNV-1a hash (u64 little-endian each). NumPy reads the array and
 * ignores what follows it; latent refuses a sidecar whose size or hash differ, so a pair torn
 * by a kill between the two renames, or mixed up by hand, never loads. */
#define LABELS_TRAILER "LTLABELS"
void lt__digest_put(lt__label_digest *g, const char *s, size_t n) {
    g->hash = lt_hash64(s, n, g->hash);
    g->bytes += n;
}

/* n labels one per line, the first being row `first`'s (whole sidecars and streamed blocks);
 * g (optional) accumulates their digest */
int lt__put_label_lines(
        FILE *f, char *const *labels, int64_t n, int64_t first, lt__label_digest *g) {
    for (int64_t i = 0; i < n; i++) {
        if (strchr(labels[i], '\n'))
            return lt_err(LT_EINVAL, "label of row %lld holds a newline", (long long)(first + i));
        fputs(labels[i], f);
        fputc('\n', f);
        if (g) {
            lt__digest_put(g, labels[i], strlen(labels[i]));
            lt__digest_put(g, "\n", 1);
        }
    }
    return LT_OK;
}

int lt__put_labels_trailer(FILE *f, const lt__label_digest *g) {
    unsigned char t[24];
    memcpy(t, LABELS_TRAILER, 8);
    for (int i = 0; i < 8; i++) {
        t[8 + i] = (unsigned char)(g->bytes >> (8 * i));
        t[16 + i] = (unsigned char)(g->hash >> (8 * i));
    }
    return fwrite(t, 1, 24, f) == 24 ? LT_OK : lt_err(LT_EIO, "writing the labels binding failed");
}

/* After an .npy was parsed from buf: its sidecar lp (when present) must match the binding the
 * file carries (when it carries one); a bound file whose sidecar is gone is refused too. */
int lt__check_labels_binding(
        const char *buf, size_t len, const char *path, const char *lp, int have_lp) {
    int64_t n, d;
    int es;
    size_t off;
    if (lt_npy_header(buf, len, path, &n, &d, &es, &off)) {
        lt_clear_error();
        return LT_OK;
    }
    size_t end = off + (size_t)n * (size_t)d * (size_t)es;
    if (len - end != 24 || memcmp(buf + end, LABELS_TRAILER, 8))
        return LT_OK; /* not bound (NumPy's own .npy) */
    lt__label_digest want = { 0, 0 }, got = { 0, LT_HASH_INIT };
    for (int i = 0; i < 8; i++) {
        want.bytes |= (uint64_t)(unsigned char)buf[end + 8 + i] << (8 * i);
        want.hash |= (uint64_t)(unsigned char)buf[end + 16 + i] << (8 * i);
    }
    if (!have_lp)
        return lt_err(
                LT_EFORMAT, "%s: was written with its labels in %s, which is missing", path, lp);
    char *lb;
    size_t ll, ml;
    int rc = lt_read_whole(lp, &lb, &ll, &ml);
    if (rc) return rc;
    lt__digest_put(&got, lb, ll);
    lt_release_whole(lb, ml);
    if (got.bytes != want.bytes || got.hash != want.hash)
        return lt_err(LT_EFORMAT,
                "%s: does not belong to %s (they come from different writes: an interrupted save, or files "
                "mixed up); write both again",
                lp, path);
    return LT_OK;
}

/* an .npy written without labels removes a sidecar left from an earlier file */
int lt__drop_stale_labels(const char *lp) {
    return unlink(lp) != 0 && errno != ENOENT
            ? lt_err(LT_EIO, "%s: cannot remove the stale labels file: %s", lp, strerror(errno))
            : LT_OK;
}

int lt__write_labels_file(const lt_vecs *v, const char *path) {
    lt_afile a;
    int rc = lt_afile_open(&a, path);
    if (rc) return rc;
    if ((rc = lt__put_label_lines(a.f, v->labels, v->n, 0, NULL))) {
        lt_afile_abort(&a);
        return rc;
    }
    return lt_afile_commit(&a);
}
