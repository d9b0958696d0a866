/* An image model's preprocessing as its Hugging Face image processor computes it
 * (preprocessor_config.json: CLIPImageProcessor, ViTImageProcessor and the processors with
 * their keys): RGB, resize (the shortest edge to N keeping the aspect, int(N * long / short)
 * for the other; or to height x width) with Pillow's filter (lt_image_resample), centre crop
 * (offsets (size - crop) / 2 rounded down), rescale (pixel * factor in double, then float),
 * normalise ((x - mean) / std in float), channels first. */
#include "latent/images.h"
#include "latent/io.h"
#include "latent/core.h"
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

void lt_image_prep_init(lt_image_prep *p) {
    memset(p, 0, sizeof *p);
    p->filter = LT_RESAMPLE_BICUBIC;
    p->rescale = 1.0 / 255;
    p->do_rescale = 1;
    for (int i = 0; i < 3; i++) p->std[i] = 1;
}

/* a size key: {"shortest_edge": n}, {"height": h, "width": w} or a number (square) */
static int read_size(const cJSON *j, const char *path, const char *key, int *edge, int *h, int *w) {
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(j, key);
    *edge = *h = *w = 0;
    if (cJSON_IsNumber(s)) *h = *w = s->valueint;
    else if (cJSON_IsObject(s)) {
        for (const cJSON *e = s->child; e; e = e->next) {
            if (!cJSON_IsNumber(e)) continue;
            if (!strcmp(e->string, "shortest_edge")) *edge = e->valueint;
            else if (!strcmp(e->string, "height")) *h = e->valueint;
            else if (!strcmp(e->string, "width")) *w = e->valueint;
            else
                return lt_err(LT_EFORMAT,
                        "%s: %s.%s is not implemented (shortest_edge, height, "
                        "width)",
                        path, key, e->string);
        }
    } else return lt_err(LT_EFORMAT, "%s: no %s", path, key);
    if (*edge ? (*edge < 1 || *edge > 16384 || *h || *w)
              : (*h < 1 || *w < 1 || *h > 16384 || *w > 16384))
        return lt_err(
                LT_EFORMAT, "%s: %s is neither a shortest edge nor a height and width", path, key);
    return LT_OK;
}

static int prep_load_impl(lt_image_prep *p, const char *dir) {
    char path[4096];
    char *b;
    size_t len, ml;
    lt_image_prep_init(p);
    snprintf(path, sizeof path, "%s/preprocessor_config.json", dir);
    int rc = lt_read_whole(path, &b, &len, &ml);
    if (rc) return lt_err(rc, "%s: missing (an image model's folder has one)", path);
    cJSON *j = cJSON_ParseWithLength(b, len);
    lt_release_whole(b, ml);
    if (!j) return lt_err(LT_EFORMAT, "%s: malformed JSON", path);
    static const char *const refused[] = { "do_pad", "do_reduce_labels", "do_flip_channel_order" };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, refused[i])))
            rc = lt_err(LT_EFORMAT, "%s: %s true is not implemented", path, refused[i]);
#define FLAG(k, def) \
    (cJSON_GetObjectItemCaseSensitive(j, k) ? cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, k)) \
                                            : (def))
    p->do_resize = FLAG("do_resize", 1);
    p->do_crop = FLAG("do_center_crop", 0);
    p->do_rescale = FLAG("do_rescale", 1);
    p->do_normalize = FLAG("do_normalize", 1);
#undef FLAG
    if (!rc && p->do_resize) rc = read_size(j, path, "size", &p->edge, &p->h, &p->w);
    int e2 = 0;
    if (!rc && p->do_crop) rc = read_size(j, path, "crop_size", &e2, &p->ch, &p->cw);
    if (!rc && p->do_crop && e2) rc = lt_err(LT_EFORMAT, "%s: crop_size as a shortest edge", path);
    const cJSON *rs = cJSON_GetObjectItemCaseSensitive(j, "resample"),
                *rf = cJSON_GetObjectItemCaseSensitive(j, "rescale_factor");
    if (cJSON_IsNumber(rs)) p->filter = rs->valueint;
    if (!rc && (p->filter < LT_RESAMPLE_LANCZOS || p->filter > LT_RESAMPLE_HAMMING))
        rc = lt_err(LT_EFORMAT,
                "%s: resample %d is not implemented (1 lanczos, 2 bilinear, 3 "
                "bicubic, 4 box, 5 hamming)",
                path, p->filter);
    if (cJSON_IsNumber(rf)) p->rescale = rf->valuedouble;
    static const char *const keys[2] = { "image_mean", "image_std" };
    for (int k = 0; !rc && p->do_normalize && k < 2; k++) {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(j, keys[k]);
        if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) != 3) {
            rc = lt_err(LT_EFORMAT, "%s: %s is not three numbers", path, keys[k]);
            break;
        }
        for (int i = 0; i < 3; i++) {
            double v = cJSON_GetArrayItem(a, i)->valuedouble;
            if (k == 1 && !(v > 0)) rc = lt_err(LT_EFORMAT, "%s: image_std %g", path, v);
            (k ? p->std : p->mean)[i] = (float)v;
        }
    }
    cJSON_Delete(j);
    return rc;
}

int lt_image_prep_load(lt_image_prep *p, const char *dir) {
    return lt_err_in(prep_load_impl(p, dir), dir);
}

void lt_image_prep_size(const lt_image_prep *p, int in_w, int in_h, int *w, int *h) {
    *w = in_w;
    *h = in_h;
    if (p->do_resize) {
        if (p->edge) {
            int sh = in_w < in_h ? in_w : in_h, lo = in_w < in_h ? in_h : in_w;
            int nl = (int)((double)p->edge * lo / sh);
            *w = in_w <= in_h ? p->edge : nl;
            *h = in_w <= in_h ? nl : p->edge;
        } else {
            *w = p->w;
            *h = p->h;
        }
    }
    if (p->do_crop) {
        *w = p->cw;
        *h = p->ch;
    }
}

int lt_image_prep_apply(
        const lt_image_prep *p, const lt_image *im, const char *name, float *out, lt_image *shown) {
    if (im->c != 3) return lt_err(LT_EINVAL, "%s: the preprocessing takes RGB images", name);
    lt_image r = *im, owned = { 0 };
    int rw = im->w, rh = im->h, rc = LT_OK;
    if (p->do_resize) {
        lt_image_prep_size(
                &(lt_image_prep){ .do_resize = 1, .edge = p->edge, .w = p->w, .h = p->h }, im->w,
                im->h, &rw, &rh);
        if (rw < 1 || rh < 1)
            return lt_err(LT_EFORMAT, "%s: %dx%d pixels resize to nothing", name, im->w, im->h);
        if ((rc = lt_image_resample(im, rw, rh, p->filter, &owned)))
            return lt_err(rc, "%s: %s", name, lt_errmsg());
        r = owned;
    }
    int x0 = 0, y0 = 0, ow = rw, oh = rh;
    if (p->do_crop) {
        if (p->cw > rw || p->ch > rh) {
            lt_image_free(&owned);
            return lt_err(LT_EFORMAT,
                    "%s: %dx%d after resizing, smaller than the %dx%d crop (padding is not "
                    "implemented)",
                    name, rw, rh, p->cw, p->ch);
        }
        x0 = (rw - p->cw) / 2;
        y0 = (rh - p->ch) / 2;
        ow = p->cw;
        oh = p->ch;
    }
    for (int ch = 0; ch < 3; ch++)
        for (int y = 0; y < oh; y++)
            for (int x = 0; x < ow; x++) {
                unsigned char u = r.px[((size_t)(y + y0) * rw + x + x0) * 3 + ch];
                float v = p->do_rescale ? (float)((double)u * p->rescale) : (float)u;
                if (p->do_normalize) v = (v - p->mean[ch]) / p->std[ch];
                out[((size_t)ch * oh + y) * ow + x] = v;
            }
    if (shown) { /* the 8-bit image after resize and crop */
        memset(shown, 0, sizeof *shown);
        shown->px = lt_malloc((size_t)ow * oh * 3 + 1);
        if (!shown->px) rc = lt_err(LT_ENOMEM, "out of memory");
        else {
            for (int y = 0; y < oh; y++)
                memcpy(shown->px + (size_t)y * ow * 3, r.px + ((size_t)(y + y0) * rw + x0) * 3,
                        (size_t)ow * 3);
            shown->w = ow;
            shown->h = oh;
            shown->c = 3;
        }
    }
    lt_image_free(&owned);
    return rc;
}
