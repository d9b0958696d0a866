/* HNSW persistence: the .lhnsw file format (docs/index.md), written atomically and loaded by
 * mapping the file. */
#include "hnsw_impl.h"
#include "latent/core.h"
#include "latent/io.h"
#include "latent/store.h"
#include "../core/fuzzing.h"
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* ---- persistence ----
 * v2 ("LTHNSW02", written): magic, header (16 x int64), RNG state, then sections at 64-byte
 * aligned offsets (zero padding): external ids (n x int64), levels (n x u8), deleted flags
 * (n x u8), vectors (n x ld f32, if kept), codes (n x code_bytes), int8 scales (n x f32),
 * level-0 links (n x (1 + 2M) int32: count, then ids), upper links (for each node in order,
 * level x (1 + M) int32); CRC-32 of everything after the magic, last. Every array is laid
 * out as the in-memory chunks are, so loading maps the file and points the full chunks
 * into it (no copy; pages shared with the page cache, private on write); only the last,
 * partly filled chunk is copied so it can grow. v1 ("LTHNSW01", node records) still loads. */
#define HMAGIC "LTHNSW01"
#define HMAGIC2 "LTHNSW02"
static int w(FILE *f, const void *p, size_t n, uLong *crc) { *crc = crc32_z(*crc, p, n); return fwrite(p, 1, n, f) == n ? 0 : 1; }

typedef struct { size_t ext, level, del, vec, code, scale, l0, up, end; } v2_layout;
static size_t al64(size_t x) { return (x + 63) & ~(size_t)63; }
/* section offsets for n nodes with up_total upper-link int32s; 0 on overflow */
static int v2_plan(const lt_hnsw *h, uint64_t n, uint64_t up_total, v2_layout *L) {
    if (n > (uint64_t)MAX_CHUNKS * CH || up_total > ((uint64_t)1 << 40)) return 0;
    size_t off = 8 + 128 + sizeof(lt_rng);
    L->ext = al64(off); off = L->ext + n * 8;
    L->level = al64(off); off = L->level + n;
    L->del = al64(off); off = L->del + n;
    L->vec = al64(off); off = L->vec + (h->keep_vec ? n * (size_t)h->ld * 4 : 0);
    L->code = al64(off); off = L->code + n * (size_t)h->code_bytes;
    L->scale = al64(off); off = L->scale + (h->o.storage == LT_HNSW_INT8 ? n * 4 : 0);
    L->l0 = al64(off); off = L->l0 + n * (size_t)(1 + h->M0) * 4;
    L->up = al64(off); off = L->up + up_total * 4;
    L->end = off;
    return 1;
}

static int pad_to(FILE *f, size_t *pos, size_t to, uLong *crc) {
    static const unsigned char z[64] = {0};
    int bad = 0;
    while (*pos < to && !bad) { size_t k = to - *pos < 64 ? to - *pos : 64; bad = w(f, z, k, crc); *pos += k; }
    return bad;
}

int lt_hnsw_save(const lt_hnsw *h, const char *path) {
    lt_afile a;
    int rc = lt_afile_open(&a, path);
    if (rc) return rc;
    uLong crc = crc32_z(0, Z_NULL, 0);
    int64_t n = atomic_load(&h->n);
    int64_t hdr[16] = {2, h->d, h->o.metric, h->M, h->o.ef_construction, (int64_t)h->o.seed, n, h->max_level, h->entry, atomic_load(&h->n_deleted),
                       h->o.storage, h->o.rerank, h->has_base ? h->base.rows : 0, h->has_base ? (int64_t)h->base.labels_hash : 0,
                       h->has_base ? (int64_t)h->base.data_hash : 0, h->has_base};
    uint64_t up_total = 0;
    for (int64_t i = 0; i < n; i++) up_total += (uint64_t)LEVEL(h, i) * (1 + h->M);
    v2_layout L;
    if (!v2_plan(h, (uint64_t)n, up_total, &L)) { lt_afile_abort(&a); return lt_err(LT_EINVAL, "%s: index too large", path); }
    int bad = fwrite(HMAGIC2, 1, 8, a.f) != 8;
    size_t pos = 8;
    bad |= w(a.f, hdr, sizeof hdr, &crc); pos += sizeof hdr;
    bad |= w(a.f, &h->rng, sizeof h->rng, &crc); pos += sizeof h->rng;
    /* one pass per section, in file order */
    bad |= pad_to(a.f, &pos, L.ext, &crc);
    for (int64_t i = 0; i < n && !bad; i++) { int64_t e = EXT(h, i); bad |= w(a.f, &e, 8, &crc); pos += 8; }
    bad |= pad_to(a.f, &pos, L.level, &crc);
    for (int64_t i = 0; i < n && !bad; i++) { uint8_t v = (uint8_t)LEVEL(h, i); bad |= w(a.f, &v, 1, &crc); pos++; }
    bad |= pad_to(a.f, &pos, L.del, &crc);
    for (int64_t i = 0; i < n && !bad; i++) { uint8_t v = (uint8_t)DELETED(h, i); bad |= w(a.f, &v, 1, &crc); pos++; }
    bad |= pad_to(a.f, &pos, L.vec, &crc);
    if (h->keep_vec) for (int64_t i = 0; i < n && !bad; i++) { bad |= w(a.f, VEC(h, i), (size_t)h->ld * 4, &crc); pos += (size_t)h->ld * 4; }
    bad |= pad_to(a.f, &pos, L.code, &crc);
    for (int64_t i = 0; i < n && !bad && h->code_bytes; i++) {
        bad |= w(a.f, CHK(h, i)->code + (i & (CH - 1)) * h->code_bytes, (size_t)h->code_bytes, &crc);
        pos += (size_t)h->code_bytes;
    }
    bad |= pad_to(a.f, &pos, L.scale, &crc);
    if (h->o.storage == LT_HNSW_INT8) for (int64_t i = 0; i < n && !bad; i++) { bad |= w(a.f, &CHK(h, i)->scale[i & (CH - 1)], 4, &crc); pos += 4; }
    bad |= pad_to(a.f, &pos, L.l0, &crc);
    for (int64_t i = 0; i < n && !bad; i++) { bad |= w(a.f, LINKS(h, i, 0), (size_t)(1 + h->M0) * 4, &crc); pos += (size_t)(1 + h->M0) * 4; }
    bad |= pad_to(a.f, &pos, L.up, &crc);
    for (int64_t i = 0; i < n && !bad; i++) {
        int lv = LEVEL(h, i);
        if (lv) { bad |= w(a.f, CHK(h, i)->up[i & (CH - 1)], (size_t)lv * (1 + h->M) * 4, &crc); pos += (size_t)lv * (1 + h->M) * 4; }
    }
    uint32_t c32 = (uint32_t)crc;
    bad |= pos != L.end || fwrite(&c32, 4, 1, a.f) != 1;
    if (bad) { lt_afile_abort(&a); return lt_err(LT_EIO, "%s: write failed", path); }
    return lt_afile_commit(&a);
}

/* header checks shared by both versions; fills o, d, n */
static int check_header(const int64_t *hdr, int version, size_t len, size_t off, const char *name, lt_hnsw_opts *o, int64_t *d, int64_t *n) {
    lt_hnsw_opts_init(o);
    *d = hdr[1]; *n = hdr[6];
    o->metric = (lt_metric)hdr[2]; o->M = (int)hdr[3]; o->ef_construction = (int)hdr[4]; o->seed = (uint64_t)hdr[5];
    o->storage = (int)hdr[10]; o->rerank = (int)hdr[11];
    if (hdr[10] < 0 || hdr[10] > 2 || hdr[11] < 0 || hdr[11] > 1) return lt_err(LT_EFORMAT, "%s: offset 88: bad storage mode", name);
    if (hdr[0] != version || *d <= 0 || *d > (1 << 20) || hdr[2] < 0 || hdr[2] > 2 || o->M < 2 || o->M > 256 || *n < 0 || *n > (int64_t)MAX_CHUNKS * CH ||
        hdr[4] < 1 || hdr[7] < -1 || hdr[7] > MAX_LEVEL || hdr[8] < -1 || hdr[8] >= (*n ? *n : 1) || (*n > 0) != (hdr[8] >= 0) || hdr[9] < 0 || hdr[9] > *n)
        return lt_err(LT_EFORMAT, "%s: offset 8: corrupt header", name);
    if ((uint64_t)*n > (len - off) / (10 + (uint64_t)*d)) return lt_err(LT_EFORMAT, "%s: offset 8: %lld nodes cannot fit in %zu bytes", name, (long long)*n, len);
    return LT_OK;
}

/* size, CRC of everything after the magic, then the header: shared by both versions */
static int check_file(const unsigned char *p, size_t len, int version, const char *name, int64_t *hdr, lt_hnsw_opts *o, int64_t *d, int64_t *n) {
    if (len < 8 + 128 + sizeof(lt_rng) + 4) return lt_err(LT_EFORMAT, "%s: offset 0: too short for an index", name);
    uint32_t c32;
    memcpy(&c32, p + len - 4, 4);
    if (!lt__fuzz_nocrc && c32 != (uint32_t)crc32_z(0, p + 8, len - 12)) return lt_err(LT_EFORMAT, "%s: offset %zu: checksum mismatch (corrupt or truncated)", name, len - 4);
    memcpy(hdr, p + 8, 16 * sizeof *hdr);
    return check_header(hdr, version, len, 8 + 16 * sizeof *hdr, name, o, d, n);
}

/* every link in range and pointing at a node present on that level; the entry point */
static int check_links(lt_hnsw *h, const int64_t *hdr, const char *name) {
    int64_t n = atomic_load(&h->n);
    for (int64_t i = 0; i < n; i++)
        for (int lc = 0; lc <= LEVEL(h, i); lc++) {
            int32_t *L = LINKS(h, i, lc);
            int mx = lc ? h->M : h->M0;
            if (L[0] < 0 || L[0] > mx) return lt_err(LT_EFORMAT, "%s: node %lld has a bad link count", name, (long long)i);
            for (int j = 0; j < L[0]; j++)
                if (L[1 + j] < 0 || L[1 + j] >= n || LEVEL(h, L[1 + j]) < lc) return lt_err(LT_EFORMAT, "%s: node %lld links to a bad node", name, (long long)i);
        }
    if (n > 0 && LEVEL(h, hdr[8]) != hdr[7]) return lt_err(LT_EFORMAT, "%s: entry point level mismatch", name);
    h->max_level = (int)hdr[7]; h->entry = (int32_t)hdr[8];
    atomic_store(&h->n_deleted, hdr[9]);
    return LT_OK;
}

/* v2 from base[0..len) (64-byte aligned, writable, private to us); on success the index
 * owns it (map_heap says how to release it), on failure the caller still does */
static int parse_v2(unsigned char *base, size_t len, int heap, const char *name, lt_hnsw **out) {
    *out = NULL;
    int64_t hdr[16], d, n;
    size_t off = 8 + sizeof hdr;
    lt_hnsw_opts o;
    int rc = check_file(base, len, 2, name, hdr, &o, &d, &n);
    if (rc) return rc;
    lt_hnsw *h;
    if ((rc = lt_hnsw_new(&h, d, &o))) return rc;
    memcpy(&h->rng, base + off, sizeof h->rng);
    if (hdr[15] == 1 && hdr[12] >= 0) {
        h->has_base = 1;
        h->base.rows = hdr[12]; h->base.labels_hash = (uint64_t)hdr[13]; h->base.data_hash = (uint64_t)hdr[14];
    }
    v2_layout L;
    /* the levels first (their section does not depend on the upper links) */
    v2_plan(h, (uint64_t)n, 0, &L);
    uint64_t up_total = 0;
    if (L.del + (size_t)n > len) { rc = lt_err(LT_EFORMAT, "%s: offset %zu: truncated", name, L.level); goto fail; }
    for (int64_t i = 0; i < n; i++) {
        uint8_t lv = base[L.level + i], del = base[L.del + i];
        int64_t e;
        memcpy(&e, base + L.ext + i * 8, 8);
        if (lv > MAX_LEVEL || del > 1 || e < 0) { rc = lt_err(LT_EFORMAT, "%s: offset %zu: corrupt node %lld", name, L.level + (size_t)i, (long long)i); goto fail; }
        up_total += (uint64_t)lv * (1 + h->M);
    }
    if (!v2_plan(h, (uint64_t)n, up_total, &L) || L.end + 4 != len) { rc = lt_err(LT_EFORMAT, "%s: offset %zu: size does not match the node table (%zu bytes expected)", name, len, L.end + 4); goto fail; }
    h->map = base; h->map_len = len; h->map_heap = heap;
    int64_t nfull = n / CH;
    int32_t *up = (int32_t *)(base + L.up);
    for (int64_t ci = 0; ci * CH < n; ci++) {
        int64_t i0 = ci * CH, cnt = n - i0 < CH ? n - i0 : CH;
        chunk *c;
        if (ci < nfull) {
            /* a full chunk: its arrays are the file's */
            c = lt_calloc(1, sizeof *c);
            if (!c || !(c->up = lt_calloc(CH, sizeof(int32_t *))) || !(c->lock = lt_calloc(CH, sizeof(atomic_flag)))) {
                if (c) { lt_free(c->up); lt_free(c); }
                rc = lt_err(LT_ENOMEM, "out of memory"); goto fail_unmap;
            }
            for (int j = 0; j < CH; j++) atomic_flag_clear(&c->lock[j]);
            c->mapped = 1;
            c->ext = (int64_t *)(base + L.ext) + i0;
            c->level = base + L.level + i0;
            c->deleted = (_Atomic uint8_t *)(base + L.del + i0);
            c->vec = h->keep_vec ? (float *)(base + L.vec) + i0 * h->ld : NULL;
            c->code = h->code_bytes ? base + L.code + (size_t)i0 * h->code_bytes : NULL;
            c->scale = h->o.storage == LT_HNSW_INT8 ? (float *)(base + L.scale) + i0 : NULL;
            c->l0 = (int32_t *)(base + L.l0) + i0 * (1 + h->M0);
            for (int64_t j = 0; j < cnt; j++) if (c->level[j]) { c->up[j] = up; up += c->level[j] * (1 + h->M); }
            h->chunks[ci] = c;
        } else {
            /* the last, partly filled chunk is copied: it grows with the next insert */
            if (lt__hnsw_alloc_chunk(h, ci)) { rc = lt_err(LT_ENOMEM, "out of memory"); goto fail_unmap; }
            c = h->chunks[ci];
            memcpy(c->ext, base + L.ext + i0 * 8, (size_t)cnt * 8);
            memcpy(c->level, base + L.level + i0, (size_t)cnt);
            for (int64_t j = 0; j < cnt; j++) atomic_store(&c->deleted[j], base[L.del + i0 + j]);
            if (h->keep_vec) memcpy(c->vec, base + L.vec + (size_t)i0 * h->ld * 4, (size_t)cnt * h->ld * 4);
            if (h->code_bytes) memcpy(c->code, base + L.code + (size_t)i0 * h->code_bytes, (size_t)cnt * h->code_bytes);
            if (c->scale) memcpy(c->scale, base + L.scale + (size_t)i0 * 4, (size_t)cnt * 4);
            memcpy(c->l0, base + L.l0 + (size_t)i0 * (1 + h->M0) * 4, (size_t)cnt * (1 + h->M0) * 4);
            for (int64_t j = 0; j < cnt; j++) {
                int lv = c->level[j];
                if (!lv) continue;
                if (!(c->up[j] = lt_malloc((size_t)lv * (1 + h->M) * 4))) { rc = lt_err(LT_ENOMEM, "out of memory"); atomic_store(&h->n, i0 + j); h->n_res = i0 + j; goto fail_unmap; }
                memcpy(c->up[j], up, (size_t)lv * (1 + h->M) * 4);
                up += lv * (1 + h->M);
            }
        }
        atomic_store(&h->n, i0 + cnt);
        h->n_res = i0 + cnt;
    }
    for (int64_t i = 0; i < n; i++) {
        if (DELETED(h, i)) continue;
        if (EXT(h, i) < 0 || lt__hnsw_map_get(h, EXT(h, i)) >= 0) {
            rc = lt_err(LT_EFORMAT, "%s: node %lld: id %lld is %s (corrupt index)", name, (long long)i, (long long)EXT(h, i),
                        EXT(h, i) < 0 ? "negative" : "held by another live node");
            goto fail_unmap;
        }
        if ((rc = lt__hnsw_map_put(h, EXT(h, i), (int32_t)i))) goto fail_unmap;
    }
    if ((rc = check_links(h, hdr, name))) goto fail_unmap;
    *out = h;
    return LT_OK;
fail_unmap:
    h->map = NULL;   /* the caller releases the buffer */
fail:
    lt_hnsw_free(h);
    return rc;
}

static int parse_v1(const void *buf, size_t len, const char *name, lt_hnsw **out) {
    *out = NULL;
    const unsigned char *p = buf;
    size_t off = 8;
    if (len < 8 || memcmp(p, HMAGIC, 8)) return lt_err(LT_EFORMAT, "%s: offset 0: not a latent HNSW index (bad magic or too short)", name);
    int64_t hdr[16], d, n;
    lt_hnsw_opts o;
    int rc0 = check_file(p, len, 1, name, hdr, &o, &d, &n);
    if (rc0) return rc0;
    off += sizeof hdr;
    lt_hnsw *h;
    float *vbuf = NULL;
    int rc = lt_hnsw_new(&h, d, &o);
    if (rc) return rc;
    memcpy(&h->rng, p + off, sizeof h->rng);
    off += sizeof h->rng;
    size_t end = len - 4;
    vbuf = lt_aligned_alloc((size_t)h->ld * 4);
    if (!vbuf) { rc = lt_err(LT_ENOMEM, "out of memory"); goto fail; }
    for (int64_t i = 0; i < n; i++) {
        if (end - off < 10) { rc = lt_err(LT_EFORMAT, "%s: offset %zu: truncated node %lld", name, off, (long long)i); goto fail; }
        int64_t e;
        memcpy(&e, p + off, 8);
        uint8_t lv = p[off + 8], del = p[off + 9];
        off += 10;
        size_t need = (h->keep_vec ? (size_t)d * 4 : 0) + (size_t)h->code_bytes + (h->o.storage == LT_HNSW_INT8 ? 4 : 0) +
                      (size_t)(1 + h->M0) * 4 + (size_t)lv * (1 + h->M) * 4;
        if (lv > MAX_LEVEL || del > 1 || e < 0 || end - off < need) { rc = lt_err(LT_EFORMAT, "%s: offset %zu: corrupt node %lld", name, off - 10, (long long)i); goto fail; }
        memset(vbuf, 0, (size_t)h->ld * 4);
        if (h->keep_vec) { memcpy(vbuf, p + off, (size_t)d * 4); off += (size_t)d * 4; }
        int32_t id = lt__hnsw_new_node(h, vbuf, e, lv, 1, vbuf);
        if (id < 0) { rc = LT_ENOMEM; goto fail; }
        if (h->code_bytes) {
            chunk *c = CHK(h, id);
            memcpy(c->code + (id & (CH - 1)) * h->code_bytes, p + off, (size_t)h->code_bytes);
            off += (size_t)h->code_bytes;
            if (c->scale) { memcpy(&c->scale[id & (CH - 1)], p + off, 4); off += 4; }
        }
        int32_t *L0 = LINKS(h, id, 0);
        memcpy(L0, p + off, (size_t)(1 + h->M0) * 4);
        off += (size_t)(1 + h->M0) * 4;
        if (lv) { memcpy(CHK(h, id)->up[id & (CH - 1)], p + off, (size_t)lv * (1 + h->M) * 4); off += (size_t)lv * (1 + h->M) * 4; }
        if (del) atomic_store(&CHK(h, id)->deleted[id & (CH - 1)], 1);
        else if (lt__hnsw_map_get(h, e) >= 0) { rc = lt_err(LT_EFORMAT, "%s: node %lld: id %lld is held by another live node (corrupt index)", name, (long long)i, (long long)e); goto fail; }
        else if ((rc = lt__hnsw_map_put(h, e, id))) goto fail;
    }
    if (off != end) { rc = lt_err(LT_EFORMAT, "%s: offset %zu: trailing bytes", name, off); goto fail; }
    if ((rc = check_links(h, hdr, name))) goto fail;
    lt_aligned_free(vbuf);
    *out = h;
    return LT_OK;
fail:
    lt_aligned_free(vbuf);
    lt_hnsw_free(h);
    return rc;
}

int lt_hnsw_parse(const void *buf, size_t len, const char *name, lt_hnsw **out) {
    *out = NULL;
    if (len >= 8 && !memcmp(buf, HMAGIC2, 8)) {
        /* the index keeps pointing into its file: give it an aligned copy of its own */
        unsigned char *copy = lt_aligned_alloc(len);
        if (!copy) return lt_err(LT_ENOMEM, "out of memory");
        memcpy(copy, buf, len);
        int rc = parse_v2(copy, len, 1, name, out);
        if (rc) lt_aligned_free(copy);
        return rc;
    }
    if (len < 8 || memcmp(buf, HMAGIC, 8)) return lt_err(LT_EFORMAT, "%s: offset 0: not a latent HNSW index (bad magic or too short)", name);
    return parse_v1(buf, len, name, out);
}

static int hnsw_load_impl(lt_hnsw **out, const char *path) {
    *out = NULL;
    int fd = open(path, O_RDONLY);
    if (fd < 0) return lt_err(LT_EIO, "%s: cannot open", path);
    struct stat st;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size < 8) {
        close(fd);
        return lt_err(LT_EFORMAT, "%s: offset 0: not a latent HNSW index (bad magic or too short)", path);
    }
    size_t len = (size_t)st.st_size;
    /* private and writable: the index may be changed in memory (copy on write), never the file */
    unsigned char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    close(fd);
    if (m == MAP_FAILED) return lt_err(LT_EIO, "%s: cannot map", path);
    int rc;
    if (!memcmp(m, HMAGIC2, 8)) {
        rc = parse_v2(m, len, 0, path, out);
        if (rc) munmap(m, len);
    } else {
        rc = lt_hnsw_parse(m, len, path, out);
        munmap(m, len);
    }
    return rc;
}

int lt_hnsw_load(lt_hnsw **out, const char *path) { return lt_err_in(hnsw_load_impl(out, path), path); }
