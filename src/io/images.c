/* PNG and JPEG images (Debian libpng, libjpeg-turbo) to rows: decoded to 8-bit gray or RGB,
 * optionally centre-cropped to the target's aspect ratio and resized bilinearly, stored
 * channels-last (H, W, C) as floats 0..255. A folder of class subfolders (the ImageFolder
 * layout) gives the rows in sorted path order with their class names. */
#include "latent/images.h"
#include "latent/store.h"
#include "../core/fuzzing.h"
#include "latent/io.h"
#include <dirent.h>
#include <errno.h>
#include <jpeglib.h>
#include <png.h>
#include <webp/decode.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { MAX_SIDE = 1 << 14 };

/* ---- decoding from memory ---- */
static int decode_png(
        const unsigned char *buf, size_t len, const char *name, int c, lt_image *out) {
    png_image im;
    memset(&im, 0, sizeof im);
    im.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&im, buf, len))
        return lt_err(LT_EFORMAT, "%s: not a readable PNG (%s)", name, im.message);
    if (im.width < 1 || im.height < 1 || im.width > MAX_SIDE || im.height > MAX_SIDE) {
        png_image_free(&im);
        return lt_err(LT_EFORMAT, "%s: PNG of %ux%u pixels (1 to %d a side)", name, im.width,
                im.height, MAX_SIDE);
    }
    /* RGB as Pillow's convert("RGB") makes it: the colour channels of RGBA, alpha dropped
     * (libpng's own RGB would composite over black) */
    im.format = c == 1 ? PNG_FORMAT_GRAY : PNG_FORMAT_RGBA;
    size_t n = PNG_IMAGE_SIZE(im);
    unsigned char *px = lt_malloc(n ? n : 1);
    if (!px) {
        png_image_free(&im);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    if (!png_image_finish_read(&im, NULL, px, 0, NULL)) {
        lt_free(px);
        return lt_err(LT_EFORMAT, "%s: PNG data: %s", name, im.message);
    }
    if (c == 3)
        for (size_t i = 0, np = (size_t)im.width * im.height; i < np; i++)
            memmove(px + 3 * i, px + 4 * i, 3);
    out->w = (int)im.width;
    out->h = (int)im.height;
    out->c = c;
    out->px = px;
    return LT_OK;
}

typedef struct {
    struct jpeg_error_mgr pub;
    jmp_buf jb;
    char msg[JMSG_LENGTH_MAX];
} jerr;
static void jpeg_fail(j_common_ptr ci) {
    jerr *e = (jerr *)ci->err;
    (*ci->err->format_message)(ci, e->msg);
    longjmp(e->jb, 1);
}
static void jpeg_quiet(j_common_ptr ci, int level) {
    (void)ci;
    (void)level;
}

static int decode_jpeg(
        const unsigned char *buf, size_t len, const char *name, int c, lt_image *out) {
    struct jpeg_decompress_struct ci;
    jerr e;
    unsigned char *volatile px = NULL;
    ci.err = jpeg_std_error(&e.pub);
    e.pub.error_exit = jpeg_fail;
    e.pub.emit_message = jpeg_quiet;
    if (setjmp(e.jb)) {
        jpeg_destroy_decompress(&ci);
        lt_free(px);
        return lt_err(LT_EFORMAT, "%s: JPEG: %s", name, e.msg);
    }
    jpeg_create_decompress(&ci);
    jpeg_mem_src(&ci, buf, (unsigned long)len);
    jpeg_read_header(&ci, TRUE);
    ci.out_color_space = c == 1 ? JCS_GRAYSCALE : JCS_RGB;
    if (ci.image_width < 1 || ci.image_height < 1 || ci.image_width > MAX_SIDE ||
            ci.image_height > MAX_SIDE) {
        jpeg_destroy_decompress(&ci);
        return lt_err(LT_EFORMAT, "%s: JPEG of %ux%u pixels (1 to %d a side)", name, ci.image_width,
                ci.image_height, MAX_SIDE);
    }
    jpeg_start_decompress(&ci);
    size_t stride = (size_t)ci.output_width * (size_t)ci.output_components;
    px = lt_malloc(stride * ci.output_height + 1);
    if (!px) {
        jpeg_destroy_decompress(&ci);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    while (ci.output_scanline < ci.output_height) {
        JSAMPROW row = px + stride * ci.output_scanline;
        jpeg_read_scanlines(&ci, &row, 1);
    }
    jpeg_finish_decompress(&ci);
    out->w = (int)ci.output_width;
    out->h = (int)ci.output_height;
    out->c = c;
    out->px = px;
    jpeg_destroy_decompress(&ci);
    return LT_OK;
}

/* WebP through libwebp: RGBA, alpha dropped as Pillow's convert("RGB"); grey by ITU-R 601-2 luma
 * as Pillow's convert("L") */
static int decode_webp(
        const unsigned char *buf, size_t len, const char *name, int c, lt_image *out) {
    int w = 0, h = 0;
    if (!WebPGetInfo(buf, len, &w, &h))
        return lt_err(LT_EFORMAT, "%s: not a readable WebP image", name);
    if (w < 1 || h < 1 || w > MAX_SIDE || h > MAX_SIDE)
        return lt_err(
                LT_EFORMAT, "%s: WebP of %dx%d pixels (1 to %d a side)", name, w, h, MAX_SIDE);
    uint8_t *rgba = WebPDecodeRGBA(buf, len, &w, &h);
    if (!rgba) return lt_err(LT_EFORMAT, "%s: WebP data could not be decoded", name);
    unsigned char *px = lt_malloc((size_t)w * h * c + 1);
    if (!px) {
        WebPFree(rgba);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    for (size_t i = 0, n = (size_t)w * h; i < n; i++) {
        const uint8_t *q = rgba + 4 * i;
        if (c == 3) memcpy(px + 3 * i, q, 3);
        else px[i] = (unsigned char)((q[0] * 19595 + q[1] * 38470 + q[2] * 7471 + 0x8000) >> 16);
    }
    WebPFree(rgba);
    out->w = w;
    out->h = h;
    out->c = c;
    out->px = px;
    return LT_OK;
}

int lt_image_decode(const void *buf, size_t len, const char *name, int channels, lt_image *out) {
    memset(out, 0, sizeof *out);
    if (channels != 1 && channels != 3)
        return lt_err(
                LT_EINVAL, "%s: images have 1 (gray) or 3 (RGB) channels, not %d", name, channels);
    const unsigned char *u = buf;
    if (len >= 8 && !memcmp(u, "\x89PNG\r\n\x1a\n", 8))
        return decode_png(u, len, name, channels, out);
    if (len >= 3 && u[0] == 0xFF && u[1] == 0xD8 && u[2] == 0xFF)
        return decode_jpeg(u, len, name, channels, out);
    if (len >= 12 && !memcmp(u, "RIFF", 4) && !memcmp(u + 8, "WEBP", 4))
        return decode_webp(u, len, name, channels, out);
    return lt_err(LT_EFORMAT, "%s: offset 0: not PNG, JPEG or WebP", name);
}

/* JPEG's EXIF orientation (APP1 "Exif", IFD0 tag 0x0112): 1..8, 1 when absent or unreadable */
int lt_image_exif_orientation(const void *buf, size_t len) {
    const unsigned char *u = buf;
    if (len < 4 || u[0] != 0xFF || u[1] != 0xD8) return 1;
    size_t i = 2;
    while (i + 4 <= len && u[i] == 0xFF) {
        int mk = u[i + 1];
        size_t sl = (size_t)u[i + 2] << 8 | u[i + 3];
        if (mk == 0xDA || mk == 0xD9 || sl < 2 || i + 2 + sl > len) break; /* scan data: stop */
        const unsigned char *a = u + i + 4;
        size_t n = sl - 2;
        if (mk == 0xE1 && n >= 14 && !memcmp(a, "Exif\0\0", 6)) {
            const unsigned char *t = a + 6;
            size_t tn = n - 6;
            int le = t[0] == 'I' && t[1] == 'I';
            if (!le && !(t[0] == 'M' && t[1] == 'M')) return 1;
#define U16(p) (le ? (unsigned)(p)[0] | (unsigned)(p)[1] << 8 : (unsigned)(p)[0] << 8 | (p)[1])
#define U32(p) \
    (le ? (uint32_t)U16(p) | (uint32_t)U16((p) + 2) << 16 \
        : (uint32_t)U16(p) << 16 | (uint32_t)U16((p) + 2))
            uint32_t ifd = U32(t + 4);
            if (ifd > tn || tn - ifd < 2) return 1;
            unsigned cnt = U16(t + ifd);
            for (unsigned e = 0; e < cnt; e++) {
                size_t o = ifd + 2 + (size_t)e * 12;
                if (o + 12 > tn) return 1;
                if (U16(t + o) == 0x0112 && U16(t + o + 2) == 3) {
                    unsigned v = U16(t + o + 8);
                    return v >= 1 && v <= 8 ? (int)v : 1;
                }
            }
#undef U16
#undef U32
            return 1;
        }
        i += 2 + sl;
    }
    return 1;
}

/* the EXIF orientation applied as Pillow's ImageOps.exif_transpose (2 mirror, 3 rotate 180, 4
 * flip, 5 transpose, 6 rotate 90 clockwise, 7 transverse, 8 rotate 90 counter-clockwise) */
int lt_image_orient(lt_image *im, int o) {
    if (o < 2 || o > 8) return LT_OK;
    int w = im->w, h = im->h, c = im->c, swap = o >= 5;
    int ow = swap ? h : w, oh = swap ? w : h;
    unsigned char *px = lt_malloc((size_t)w * h * c + 1);
    if (!px) return lt_err(LT_ENOMEM, "out of memory");
    for (int y = 0; y < oh; y++)
        for (int x = 0; x < ow; x++) {
            int sx, sy; /* the source pixel of output (x, y) */
            switch (o) {
            case 2: sx = w - 1 - x, sy = y; break;
            case 3: sx = w - 1 - x, sy = h - 1 - y; break;
            case 4: sx = x, sy = h - 1 - y; break;
            case 5: sx = y, sy = x; break;
            case 6: sx = y, sy = h - 1 - x; break;
            case 7: sx = w - 1 - y, sy = h - 1 - x; break;
            default: sx = w - 1 - y, sy = x; break;
            }
            memcpy(px + ((size_t)y * ow + x) * c, im->px + ((size_t)sy * w + sx) * c, (size_t)c);
        }
    lt_free(im->px);
    im->px = px;
    im->w = ow;
    im->h = oh;
    return LT_OK;
}

void lt_image_free(lt_image *im) {
    if (im) {
        lt_free(im->px);
        im->px = NULL;
    }
}

/* centre crop to the aspect ratio of (h, w), then bilinear resampling (pixel centres aligned,
 * as PIL and torchvision's antialias=False) into out (h x w x c floats, 0..255) */
void lt_image_resize(const lt_image *im, int h, int w, float *out) {
    double sh = im->h, sw = im->w, y0 = 0, x0 = 0;
    if (sw * h > sh * w) {
        sw = sh * w / h;
        x0 = (im->w - sw) / 2;
    } /* too wide: crop the sides */
    else if (sw * h < sh * w) {
        sh = sw * h / w;
        y0 = (im->h - sh) / 2;
    }
    int c = im->c;
    for (int y = 0; y < h; y++) {
        double fy = y0 + (y + 0.5) * sh / h - 0.5;
        if (fy < 0) fy = 0;
        if (fy > im->h - 1) fy = im->h - 1;
        int iy = (int)fy, iy1 = iy + 1 < im->h ? iy + 1 : iy;
        double ty = fy - iy;
        for (int x = 0; x < w; x++) {
            double fx = x0 + (x + 0.5) * sw / w - 0.5;
            if (fx < 0) fx = 0;
            if (fx > im->w - 1) fx = im->w - 1;
            int ix = (int)fx, ix1 = ix + 1 < im->w ? ix + 1 : ix;
            double tx = fx - ix;
            for (int k = 0; k < c; k++) {
                const unsigned char *p = im->px;
                double a = p[((size_t)iy * im->w + ix) * c + k],
                       b = p[((size_t)iy * im->w + ix1) * c + k];
                double d = p[((size_t)iy1 * im->w + ix) * c + k],
                       e = p[((size_t)iy1 * im->w + ix1) * c + k];
                out[((size_t)y * w + x) * c + k] =
                        (float)((a * (1 - tx) + b * tx) * (1 - ty) + (d * (1 - tx) + e * tx) * ty);
            }
        }
    }
}

/* ---- folders ---- */
typedef struct {
    char *path, *cls;
} entry;
static int cmp_entry(const void *a, const void *b) {
    return strcmp(((const entry *)a)->path, ((const entry *)b)->path);
}
static int is_image_name(const char *n) {
    const char *d = strrchr(n, '.');
    return d && (!strcasecmp(d, ".png") || !strcasecmp(d, ".jpg") || !strcasecmp(d, ".jpeg"));
}

static int add_entry(
        entry **e, int64_t *n, int64_t *cap, const char *dir, const char *file, const char *cls) {
    if (*n == *cap) {
        int64_t nc = *cap ? 2 * *cap : 256;
        entry *ne = lt_realloc(*e, (size_t)nc * sizeof *ne);
        if (!ne) return lt_err(LT_ENOMEM, "out of memory");
        *e = ne;
        *cap = nc;
    }
    size_t l = strlen(dir) + strlen(file) + 2;
    char *p = lt_malloc(l), *c = lt_strdup(cls ? cls : "");
    if (!p || !c) {
        lt_free(p);
        lt_free(c);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    snprintf(p, l, "%s/%s", dir, file);
    (*e)[*n].path = p;
    (*e)[*n].cls = c;
    (*n)++;
    return LT_OK;
}

static int list_dir(
        const char *dir, const char *cls, int depth, entry **e, int64_t *n, int64_t *cap) {
    DIR *d = opendir(dir);
    if (!d) return lt_err(LT_EIO, "%s: cannot open the folder: %s", dir, strerror(errno));
    struct dirent *de;
    int rc = LT_OK;
    while (rc == LT_OK && (de = readdir(d))) {
        if (de->d_name[0] == '.') continue;
        size_t l = strlen(dir) + strlen(de->d_name) + 2;
        char *p = lt_malloc(l);
        if (!p) {
            rc = lt_err(LT_ENOMEM, "out of memory");
            break;
        }
        snprintf(p, l, "%s/%s", dir, de->d_name);
        struct stat st;
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
            if (depth == 0) rc = list_dir(p, de->d_name, 1, e, n, cap);
        } else if (is_image_name(de->d_name)) rc = add_entry(e, n, cap, dir, de->d_name, cls);
        lt_free(p);
    }
    closedir(d);
    return rc;
}

static int images_load_impl(
        const char *dir, const lt_image_opts *o, lt_vecs **out, char ***classes) {
    *out = NULL;
    if (classes) *classes = NULL;
    entry *e = NULL;
    int64_t n = 0, cap = 0;
    int rc = list_dir(dir, NULL, 0, &e, &n, &cap);
    if (rc == LT_OK && n == 0)
        rc = lt_err(
                LT_EINVAL, "%s: no .png, .jpg or .jpeg files (in it or in its subfolders)", dir);
    if (rc == LT_OK) qsort(e, (size_t)n, sizeof *e, cmp_entry);
    int h = o->h, w = o->w, c = o->c > 0 ? o->c : 1;
    lt_vecs *v = NULL;
    for (int64_t i = 0; rc == LT_OK && i < n; i++) {
        char *buf = NULL;
        size_t len = 0, mapped = 0;
        lt_image im;
        rc = lt_read_whole(e[i].path, &buf, &len, &mapped);
        if (rc == LT_OK) rc = lt_image_decode(buf, len, e[i].path, c, &im);
        if (buf) lt_release_whole(buf, mapped);
        if (rc) break;
        if (!v) { /* the first image fixes the size unless one is given */
            if (h <= 0 || w <= 0) {
                h = im.h;
                w = im.w;
            }
            if (!(v = lt_vecs_new(n, (int64_t)h * w * c))) rc = LT_ENOMEM;
        }
        if (rc == LT_OK && !o->resize && (im.h != h || im.w != w))
            rc = lt_err(LT_EINVAL,
                    "%s: %dx%d pixels, the others %dx%d (resize them with --resize, or give --shape)",
                    e[i].path, im.w, im.h, w, h);
        if (rc == LT_OK) {
            float *row = lt_vecs_row(v, i);
            if (im.h == h && im.w == w)
                for (int64_t k = 0; k < (int64_t)h * w * c; k++) row[k] = im.px[k];
            else lt_image_resize(&im, h, w, row);
            rc = lt_vecs_set_label(v, i, e[i].path);
        }
        lt_image_free(&im);
    }
    if (rc == LT_OK) {
        char s[64];
        snprintf(s, sizeof s, "%dx%dx%d", h, w, c);
        rc = lt_vecs_meta_set(v, "idx_shape", s);
    }
    if (rc == LT_OK && classes) {
        *classes = lt_calloc((size_t)n + 1, sizeof **classes);
        if (!*classes) rc = lt_err(LT_ENOMEM, "out of memory");
        for (int64_t i = 0; rc == LT_OK && i < n; i++) {
            (*classes)[i] = e[i].cls;
            e[i].cls = NULL;
        }
    }
    for (int64_t i = 0; i < n; i++) {
        lt_free(e[i].path);
        lt_free(e[i].cls);
    }
    lt_free(e);
    if (rc) {
        lt_vecs_free(v);
        if (classes && *classes) {
            for (int64_t i = 0; (*classes)[i]; i++) lt_free((*classes)[i]);
            lt_free(*classes);
            *classes = NULL;
        }
        return rc;
    }
    *out = v;
    return LT_OK;
}

int lt_images_load(const char *dir, const lt_image_opts *o, lt_vecs **out, char ***classes) {
    return lt_err_in(images_load_impl(dir, o, out, classes), dir);
}
