/* HNSW persistence: the .lhnsw file (docs/index.md), a box (box.h) "LTHNSW03", written atomically
 * and loaded by mapping the file. */
#include "hnsw_impl.h"
#include "latent/box.h"
#include "latent/core.h"
#include "latent/io.h"
#include "latent/store.h"
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- persistence ----
 * Metadata: the build options (dim, metric, M, ef_construction, seed, storage, rerank), the graph's
 * state (nodes, max_level, entry, deleted) and, when recorded, the base it was built from
 * (base_rows, base_labels_hash, base_data_hash). Arrays, one row per node: ext (int64 ids), level
 * (u8), deleted (u8), vectors (f32, rows padded to ld; kept storage only), codes (compact storage),
 * scales (int8 storage), links0 (int32: count, then 2M ids); then links_up (int32, for each node in
 * order, level x (1 + M)); rng (the level generator's state). Every array is laid out as the
 * in-memory chunks are, so loading maps the file and points the full chunks into it (no copy;
 * pages shared with the page cache, private on write); only the last, partly filled chunk is
 * copied so it can grow. Files of formats 1 and 2 (LTHNSW01/02) are refused by name. */
#define HMAGIC "LTHNSW03"
enum { VERSION = 3 };
enum { S_EXT, S_LEVEL, S_DEL, S_VEC, S_CODE, S_SCALE, S_L0, S_UP };

typedef struct {
    const lt_hnsw *h;
    int64_t n;
    int what;
} section;

/* a section's bytes, chunk by chunk (each chunk's part is contiguous), upper links node by node */
static int fill(void *ctx, lt_box_out *o) {
    const section *s = ctx;
    const lt_hnsw *h = s->h;
    int rc = LT_OK;
    for (int64_t i0 = 0; i0 < s->n && !rc; i0 += CH) {
        const chunk *c = CHK(h, i0);
        size_t cnt = (size_t)(s->n - i0 < CH ? s->n - i0 : CH);
        switch (s->what) {
        case S_EXT: rc = lt_box_put(o, c->ext, cnt * 8); break;
        case S_LEVEL: rc = lt_box_put(o, c->level, cnt); break;
        case S_DEL: rc = lt_box_put(o, (const void *)c->deleted, cnt); break;
        case S_VEC: rc = lt_box_put(o, c->vec, cnt * (size_t)h->ld * 4); break;
        case S_CODE: rc = lt_box_put(o, c->code, cnt * (size_t)h->code_bytes); break;
        case S_SCALE: rc = lt_box_put(o, c->scale, cnt * 4); break;
        case S_L0: rc = lt_box_put(o, c->l0, cnt * (size_t)(1 + h->M0) * 4); break;
        case S_UP:
            for (size_t j = 0; j < cnt && !rc; j++)
                if (c->level[j]) rc = lt_box_put(o, c->up[j], (size_t)c->level[j] * (1 + h->M) * 4);
            break;
        }
    }
    return rc;
}

int lt_hnsw_save(const lt_hnsw *h, const char *path) {
    int64_t n = atomic_load(&h->n);
    uint64_t up_total = 0;
    for (int64_t i = 0; i < n; i++) up_total += (uint64_t)LEVEL(h, i) * (1 + h->M);
    lt_boxw *w = lt_boxw_new(HMAGIC, VERSION);
    lt_boxw_meta_i64(w, "dim", h->d);
    lt_boxw_meta_i64(w, "metric", h->o.metric);
    lt_boxw_meta_i64(w, "M", h->M);
    lt_boxw_meta_i64(w, "ef_construction", h->o.ef_construction);
    lt_boxw_meta_u64(w, "seed", h->o.seed);
    lt_boxw_meta_i64(w, "storage", h->o.storage);
    lt_boxw_meta_i64(w, "rerank", h->o.rerank);
    lt_boxw_meta_i64(w, "nodes", n);
    lt_boxw_meta_i64(w, "max_level", h->max_level);
    lt_boxw_meta_i64(w, "entry", h->entry);
    lt_boxw_meta_i64(w, "deleted", atomic_load(&h->n_deleted));
    if (h->has_base) {
        lt_boxw_meta_i64(w, "base_rows", h->base.rows);
        lt_boxw_meta_u64(w, "base_labels_hash", h->base.labels_hash);
        lt_boxw_meta_u64(w, "base_data_hash", h->base.data_hash);
    }
    section s[8];
    for (int i = 0; i < 8; i++) s[i] = (section){ h, n, i };
    lt_boxw_array_fill(w, "ext", LT_BOX_I64, n, 1, 0, fill, &s[S_EXT]);
    lt_boxw_array_fill(w, "level", LT_BOX_U8, n, 1, 0, fill, &s[S_LEVEL]);
    lt_boxw_array_fill(w, "deleted", LT_BOX_U8, n, 1, 0, fill, &s[S_DEL]);
    if (h->keep_vec)
        lt_boxw_array_fill(w, "vectors", LT_BOX_F32, n, h->d, h->ld - h->d, fill, &s[S_VEC]);
    if (h->code_bytes)
        lt_boxw_array_fill(w, "codes", LT_BOX_U8, n, h->code_bytes, 0, fill, &s[S_CODE]);
    if (h->o.storage == LT_HNSW_INT8)
        lt_boxw_array_fill(w, "scales", LT_BOX_F32, n, 1, 0, fill, &s[S_SCALE]);
    lt_boxw_array_fill(w, "links0", LT_BOX_I32, n, 1 + h->M0, 0, fill, &s[S_L0]);
    lt_boxw_array_fill(w, "links_up", LT_BOX_I32, (int64_t)up_total, 1, 0, fill, &s[S_UP]);
    lt_boxw_array(w, "rng", LT_BOX_U64, 1, 4, 0, h->rng.s);
    return lt_boxw_save(w, path);
}

/* every link in range and pointing at a node present on that level; the entry point */
static int check_links(
        lt_hnsw *h, int64_t max_level, int64_t entry, int64_t n_deleted, const char *name) {
    int64_t n = atomic_load(&h->n);
    for (int64_t i = 0; i < n; i++)
        for (int lc = 0; lc <= LEVEL(h, i); lc++) {
            int32_t *L = LINKS(h, i, lc);
            int mx = lc ? h->M : h->M0;
            if (L[0] < 0 || L[0] > mx)
                return lt_err(LT_EFORMAT, "%s: node %lld has a bad link count", name, (long long)i);
            for (int j = 0; j < L[0]; j++)
                if (L[1 + j] < 0 || L[1 + j] >= n || LEVEL(h, L[1 + j]) < lc)
                    return lt_err(
                            LT_EFORMAT, "%s: node %lld links to a bad node", name, (long long)i);
        }
    if (n > 0 && LEVEL(h, entry) != max_level)
        return lt_err(LT_EFORMAT, "%s: entry point level mismatch", name);
    h->max_level = (int)max_level;
    h->entry = (int32_t)entry;
    atomic_store(&h->n_deleted, n_deleted);
    return LT_OK;
}

/* the options and the graph's state from the metadata */
static int read_meta(const lt_box *b, const char *name, lt_hnsw_opts *o, int64_t *d, int64_t *x) {
    lt_hnsw_opts_init(o);
    int64_t v[6];
    int rc;
    if ((rc = lt_box_i64(b, "dim", 1, 1 << 20, d)) || (rc = lt_box_i64(b, "metric", 0, 2, &v[0])) ||
            (rc = lt_box_i64(b, "M", 2, 256, &v[1])) ||
            (rc = lt_box_i64(b, "ef_construction", 1, INT32_MAX, &v[2])) ||
            (rc = lt_box_u64(b, "seed", &o->seed)) ||
            (rc = lt_box_i64(b, "storage", 0, 2, &v[3])) ||
            (rc = lt_box_i64(b, "rerank", 0, 1, &v[4])) ||
            (rc = lt_box_i64(b, "nodes", 0, (int64_t)MAX_CHUNKS * CH, &x[0])) ||
            (rc = lt_box_i64(b, "max_level", -1, MAX_LEVEL, &x[1])) ||
            (rc = lt_box_i64(b, "entry", -1, INT32_MAX, &x[2])) ||
            (rc = lt_box_i64(b, "deleted", 0, x[0], &x[3])))
        return rc;
    o->metric = (lt_metric)v[0];
    o->M = (int)v[1];
    o->ef_construction = (int)v[2];
    o->storage = (int)v[3];
    o->rerank = (int)v[4];
    if (x[2] >= (x[0] ? x[0] : 1) || (x[0] > 0) != (x[2] >= 0))
        return lt_err(LT_EFORMAT, "%s: metadata: entry point %lld for %lld nodes", name,
                (long long)x[2], (long long)x[0]);
    return LT_OK;
}

/* base[0..len) (64-byte aligned, writable, private to us); on success the index owns it
 * (map_heap says how to release it), on failure the caller still does */
static int parse_box(unsigned char *base, size_t len, int heap, const char *name, lt_hnsw **out) {
    *out = NULL;
    lt_box *b;
    int rc = lt_box_open(base, len, name, HMAGIC, &b);
    if (rc) return rc;
    lt_hnsw_opts o;
    int64_t d, x[4];
    lt_hnsw *h = NULL;
    if (lt_box_version(b) != VERSION) {
        rc = lt_err(LT_EFORMAT, "%s: offset 8: index version %u (this latent reads %d)", name,
                lt_box_version(b), VERSION);
        goto fail_box;
    }
    if ((rc = read_meta(b, name, &o, &d, x))) goto fail_box;
    int64_t n = x[0];
    if ((rc = lt_hnsw_new(&h, d, &o))) goto fail_box;
    if (lt_box_meta(b, "base_rows")) {
        int64_t rows;
        if ((rc = lt_box_i64(b, "base_rows", 0, INT64_MAX, &rows)) ||
                (rc = lt_box_u64(b, "base_labels_hash", &h->base.labels_hash)) ||
                (rc = lt_box_u64(b, "base_data_hash", &h->base.data_hash)))
            goto fail;
        h->has_base = 1;
        h->base.rows = rows;
    }
    const uint64_t *rng = lt_box_need(b, "rng", LT_BOX_U64, 1, 4);
    const int64_t *ext = rng ? lt_box_need(b, "ext", LT_BOX_I64, n, 1) : NULL;
    const uint8_t *lev = ext ? lt_box_need(b, "level", LT_BOX_U8, n, 1) : NULL;
    const uint8_t *del = lev ? lt_box_need(b, "deleted", LT_BOX_U8, n, 1) : NULL;
    const unsigned char *vec = NULL, *code = NULL, *scale = NULL, *l0 = NULL;
    int32_t *up = NULL;
    int ok = del != NULL;
    if (ok && h->keep_vec) {
        int64_t pad = -1;
        ok = (vec = lt_box_need(b, "vectors", LT_BOX_F32, n, d)) &&
                lt_box_shape(b, "vectors", NULL, NULL, &pad) && pad == h->ld - d;
        if (vec && !ok)
            lt_err(LT_EFORMAT, "%s: offset %zu: vectors padded to %lld floats, %lld expected", name,
                    lt_box_offset(b, "vectors"), (long long)(d + pad), (long long)h->ld);
    }
    if (ok && h->code_bytes)
        ok = (code = lt_box_need(b, "codes", LT_BOX_U8, n, h->code_bytes)) != NULL;
    if (ok && o.storage == LT_HNSW_INT8)
        ok = (scale = lt_box_need(b, "scales", LT_BOX_F32, n, 1)) != NULL;
    if (ok) ok = (l0 = lt_box_need(b, "links0", LT_BOX_I32, n, 1 + h->M0)) != NULL;
    uint64_t up_total = 0;
    for (int64_t i = 0; ok && i < n; i++) {
        if (lev[i] > MAX_LEVEL || del[i] > 1 || ext[i] < 0) {
            rc = lt_err(LT_EFORMAT, "%s: offset %zu: corrupt node %lld", name,
                    lt_box_offset(b, "level") + (size_t)i, (long long)i);
            goto fail;
        }
        up_total += (uint64_t)lev[i] * (1 + h->M);
    }
    if (ok)
        ok = (up = (int32_t *)lt_box_need(b, "links_up", LT_BOX_I32, (int64_t)up_total, 1)) != NULL;
    if (!ok) {
        rc = LT_EFORMAT;
        goto fail;
    }
    memcpy(h->rng.s, rng, sizeof h->rng);
    h->map = base;
    h->map_len = len;
    h->map_heap = heap;
    int64_t nfull = n / CH;
    for (int64_t ci = 0; ci * CH < n; ci++) {
        int64_t i0 = ci * CH, cnt = n - i0 < CH ? n - i0 : CH;
        chunk *c;
        if (ci < nfull) {
            /* a full chunk: its arrays are the file's */
            c = lt_calloc(1, sizeof *c);
            if (!c || !(c->up = lt_calloc(CH, sizeof(int32_t *))) ||
                    !(c->lock = lt_calloc(CH, sizeof(atomic_flag)))) {
                if (c) {
                    lt_free(c->up);
                    lt_free(c);
                }
                rc = lt_err(LT_ENOMEM, "out of memory");
                goto fail_unmap;
            }
            for (int j = 0; j < CH; j++) atomic_flag_clear(&c->lock[j]);
            c->mapped = 1;
            c->ext = (int64_t *)ext + i0;
            c->level = (uint8_t *)lev + i0;
            c->deleted = (_Atomic uint8_t *)(del + i0);
            c->vec = vec ? (float *)vec + i0 * h->ld : NULL;
            c->code = code ? (uint8_t *)code + (size_t)i0 * h->code_bytes : NULL;
            c->scale = scale ? (float *)scale + i0 : NULL;
            c->l0 = (int32_t *)l0 + i0 * (1 + h->M0);
            for (int64_t j = 0; j < cnt; j++)
                if (c->level[j]) {
                    c->up[j] = up;
                    up += c->level[j] * (1 + h->M);
                }
            h->chunks[ci] = c;
        } else {
            /* the last, partly filled chunk is copied: it grows with the next insert */
            if (lt__hnsw_alloc_chunk(h, ci)) {
                rc = lt_err(LT_ENOMEM, "out of memory");
                goto fail_unmap;
            }
            c = h->chunks[ci];
            memcpy(c->ext, ext + i0, (size_t)cnt * 8);
            memcpy(c->level, lev + i0, (size_t)cnt);
            for (int64_t j = 0; j < cnt; j++) atomic_store(&c->deleted[j], del[i0 + j]);
            if (vec) memcpy(c->vec, vec + (size_t)i0 * h->ld * 4, (size_t)cnt * h->ld * 4);
            if (code)
                memcpy(c->code, code + (size_t)i0 * h->code_bytes, (size_t)cnt * h->code_bytes);
            if (scale) memcpy(c->scale, scale + (size_t)i0 * 4, (size_t)cnt * 4);
            memcpy(c->l0, l0 + (size_t)i0 * (1 + h->M0) * 4, (size_t)cnt * (1 + h->M0) * 4);
            for (int64_t j = 0; j < cnt; j++) {
                int lv = c->level[j];
                if (!lv) continue;
                if (!(c->up[j] = lt_malloc((size_t)lv * (1 + h->M) * 4))) {
                    rc = lt_err(LT_ENOMEM, "out of memory");
                    atomic_store(&h->n, i0 + j);
                    h->n_res = i0 + j;
                    goto fail_unmap;
                }
                memcpy(c->up[j], up, (size_t)lv * (1 + h->M) * 4);
                up += lv * (1 + h->M);
            }
        }
        atomic_store(&h->n, i0 + cnt);
        h->n_res = i0 + cnt;
    }
    for (int64_t i = 0; i < n; i++) {
        if (DELETED(h, i)) continue;
        if (lt__hnsw_map_get(h, EXT(h, i)) >= 0) {
            rc = lt_err(LT_EFORMAT,
                    "%s: node %lld: id %lld is held by another live node (corrupt index)", name,
                    (long long)i, (long long)EXT(h, i));
            goto fail_unmap;
        }
        if ((rc = lt__hnsw_map_put(h, EXT(h, i), (int32_t)i))) goto fail_unmap;
    }
    if ((rc = check_links(h, x[1], x[2], x[3], name))) goto fail_unmap;
    lt_box_free(b);
    *out = h;
    return LT_OK;
fail_unmap:
    h->map = NULL; /* the caller releases the buffer */
fail:
    lt_hnsw_free(h);
fail_box:
    lt_box_free(b);
    return rc;
}

static int old_format(const void *buf, size_t len, const char *name) {
    if (len >= 8 && (!memcmp(buf, "LTHNSW01", 8) || !memcmp(buf, "LTHNSW02", 8)))
        return lt_err(LT_EFORMAT,
                "%s: an index of an older latent (format %c); build it again with `latent index build`",
                name, ((const char *)buf)[7]);
    return LT_OK;
}

int lt_hnsw_parse(const void *buf, size_t len, const char *name, lt_hnsw **out) {
    *out = NULL;
    int rc = old_format(buf, len, name);
    if (rc) return rc;
    /* the index keeps pointing into its file: give it an aligned copy of its own */
    unsigned char *copy = lt_aligned_alloc(len ? len : 1);
    if (!copy) return lt_err(LT_ENOMEM, "out of memory");
    memcpy(copy, buf, len);
    rc = parse_box(copy, len, 1, name, out);
    if (rc) lt_aligned_free(copy);
    return rc;
}

static int hnsw_load_impl(lt_hnsw **out, const char *path) {
    *out = NULL;
    int fd = open(path, O_RDONLY);
    if (fd < 0) return lt_err(LT_EIO, "%s: cannot open", path);
    struct stat st;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size < 8) {
        close(fd);
        return lt_err(
                LT_EFORMAT, "%s: offset 0: not a latent HNSW index (bad magic or too short)", path);
    }
    size_t len = (size_t)st.st_size;
    /* private and writable: the index may be changed in memory (copy on write), never the file */
    unsigned char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    close(fd);
    if (m == MAP_FAILED) return lt_err(LT_EIO, "%s: cannot map", path);
    int rc = old_format(m, len, path);
    if (!rc) rc = parse_box(m, len, 0, path, out);
    if (rc) munmap(m, len);
    return rc;
}

int lt_hnsw_load(lt_hnsw **out, const char *path) {
    return lt_err_in(hnsw_load_impl(out, path), path);
}
