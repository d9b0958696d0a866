/* Row sources for the streaming fits: the rows of an lt_vecs, of an uncompressed .npy (f32 /
 * f64) or .fvecs file read block by block, so a fit's memory does not grow with n, or of an IDX
 * file of bytes kept as bytes and converted block by block. */
#include "dense_impl.h"
#include "latent/io.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>

int lt__rows_vecs(lt__rows *r, const lt_vecs *v) {
    memset(r, 0, sizeof *r);
    r->v = v;
    r->n = v->n;
    r->d = v->d;
    return LT_OK;
}

/* IDX (MNIST's and Fashion-MNIST's images, any IDX type), plain or .gz: the file stays as it
 * is (47 MB for Fashion-MNIST's training images, not 188 MB of floats, which a fresh process
 * pays for in page faults) and its rows are converted block by block */
static int open_idx(lt__rows *r, const char *path) {
    size_t len, off;
    int rc = lt_read_whole(path, &r->whole, &len, &r->map_len);
    if (rc == LT_OK)
        rc = lt_idx_header(r->whole, len, path, &r->idx_type, &r->es, &r->n, &r->d, &off);
    if (rc) {
        lt__rows_close(r);
        return rc;
    }
    r->u8 = (const unsigned char *)r->whole + off;
    return LT_OK;
}

int lt__rows_open(lt__rows *r, const char *path) {
    memset(r, 0, sizeof *r);
    r->path = path;
    lt_format f = lt_format_from_path(path);
    if (f == LT_FMT_IDX) return open_idx(r, path);
    size_t pl = strlen(path);
    if (pl > 3 && !strcmp(path + pl - 3, ".gz"))
        return lt_err(LT_EINVAL, "%s: a compressed file cannot be streamed", path);
    if (f != LT_FMT_NPY && f != LT_FMT_FVECS)
        return lt_err(LT_EINVAL, "%s: streaming reads .npy or .fvecs", path);
    if (!(r->f = fopen(path, "rb")))
        return lt_err(LT_EIO, "%s: cannot open: %s", path, strerror(errno));
    fseeko(r->f, 0, SEEK_END);
    off_t size = ftello(r->f);
    fseeko(r->f, 0, SEEK_SET);
    if (f == LT_FMT_NPY) {
        char h[4200];
        size_t got = fread(h, 1, sizeof h, r->f);
        int rc = lt_npy_header(h, got, path, &r->n, &r->d, &r->es, &r->off);
        if (rc == LT_OK && r->es == 2)
            rc = lt_err(LT_EINVAL, "%s: streaming reads f32 or f64 .npy", path);
        if (rc == LT_OK && (off_t)(r->off + (size_t)r->n * (size_t)r->d * (size_t)r->es) > size)
            rc = lt_err(LT_EFORMAT,
                    "%s: offset %zu: the data is shorter than the shape (truncated)", path, r->off);
        if (rc) {
            fclose(r->f);
            r->f = NULL;
            return rc;
        }
    } else {
        int32_t d;
        if (fread(&d, 4, 1, r->f) != 1 || d <= 0 || d > (1 << 24)) {
            fclose(r->f);
            r->f = NULL;
            return lt_err(LT_EFORMAT, "%s: offset 0: bad fvecs dimension", path);
        }
        r->fvecs = 1;
        r->d = d;
        r->es = 4;
        r->off = 0;
        size_t rs = 4 + 4 * (size_t)d;
        if ((size_t)size % rs) {
            fclose(r->f);
            r->f = NULL;
            return lt_err(LT_EFORMAT,
                    "%s: offset %zu: size is not a multiple of the row size (truncated?)", path,
                    (size_t)size / rs * rs);
        }
        r->n = (int64_t)((size_t)size / rs);
    }
    return lt__rows_rewind(r);
}

int lt__rows_rewind(lt__rows *r) {
    r->at = 0;
    if (r->f && fseeko(r->f, (off_t)r->off, SEEK_SET))
        return lt_err(LT_EIO, "%s: seek failed: %s", r->path, strerror(errno));
    return LT_OK;
}

/* up to max rows into B (got x d, contiguous f32); checks values are finite */
int lt__rows_next(lt__rows *r, float *B, int64_t max, int64_t *got) {
    int64_t k = r->n - r->at < max ? r->n - r->at : max, d = r->d;
    *got = 0;
    if (r->v) {
        for (int64_t i = 0; i < k; i++)
            memcpy(B + i * d, lt_vecs_row(r->v, r->at + i), (size_t)d * 4);
    } else if (r->u8 && r->idx_type == 0x08) { /* the floats lt_vecs_load makes of the bytes */
        const unsigned char *u = r->u8 + (size_t)r->at * (size_t)d;
        for (int64_t i = 0; i < k * d; i++) B[i] = (float)u[i];
    } else if (r->u8) { /* big-endian values of the other IDX types, as fmt_idx.c reads them */
        const unsigned char *u = r->u8 + (size_t)r->at * (size_t)d * (size_t)r->es;
        for (int64_t i = 0; i < k * d; i++, u += r->es) {
            uint64_t b = 0;
            for (int j = 0; j < r->es; j++) b = b << 8 | u[j];
            uint32_t x32 = (uint32_t)b;
            float f;
            double g;
            switch (r->idx_type) {
            case 0x09: B[i] = (float)(int8_t)u[0]; break;
            case 0x0B: B[i] = (float)(int16_t)(uint16_t)b; break;
            case 0x0C: B[i] = (float)(int32_t)x32; break;
            case 0x0D:
                memcpy(&f, &x32, 4);
                B[i] = f;
                break;
            default: memcpy(&g, &b, 8); B[i] = (float)g;
            }
        }
        for (int64_t i = 0; r->idx_type >= 0x0D && i < k; i++) {
            int rc = lt_check_finite(B + i * d, d, r->path, 0, r->at + i);
            if (rc) return rc;
        }
    } else {
        for (int64_t i = 0; i < k; i++) {
            float *b = B + i * d;
            int32_t dd = (int32_t)d;
            size_t ok = 1;
            if (r->fvecs) ok = fread(&dd, 4, 1, r->f) == 1;
            if (r->es == 4) ok = ok && fread(b, 4, (size_t)d, r->f) == (size_t)d;
            else
                for (int64_t j = 0; ok && j < d; j++) {
                    double x;
                    ok = fread(&x, 8, 1, r->f) == 1;
                    b[j] = (float)x;
                }
            if (!ok || dd != d)
                return lt_err(LT_EFORMAT, "%s: row %lld: short read or a row of another dimension",
                        r->path, (long long)(r->at + i));
            int rc = lt_check_finite(b, d, r->path, 0, r->at + i);
            if (rc) return rc;
        }
    }
    r->at += k;
    *got = k;
    return LT_OK;
}

void lt__rows_close(lt__rows *r) {
    if (r->f) fclose(r->f);
    r->f = NULL;
    if (r->whole) lt_release_whole(r->whole, r->map_len);
    r->whole = NULL;
    r->u8 = NULL;
}
