/* latent images: PNG and JPEG files (Debian libpng, libjpeg-turbo) as rows for the CNN trainer
 * and encoder. A row is an image channels-last (H, W, C), values 0..255 as floats.
 *
 *   lt_image_opts o = {.h = 28, .w = 28, .c = 1, .resize = 1};
 *   lt_vecs *X; char **cls;
 *   lt_images_load("train/", &o, &X, &cls);   // train/<class>/<file>.png|jpg
 */
#ifndef LATENT_IMAGES_H
#define LATENT_IMAGES_H
#include "latent/core.h"
#include "latent/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lt_image {
    int w, h, c;
    unsigned char *px;
} lt_image; /* 8-bit, row-major, channels-last */
/* PNG, JPEG or WebP (told by the first bytes) decoded to c = 1 (gray) or 3 (RGB) channels; RGB
 * as Pillow's convert("RGB") makes it (alpha dropped) */
int lt_image_decode(const void *buf, size_t len, const char *name, int channels, lt_image *out);
void lt_image_free(lt_image *im);
/* a JPEG's EXIF orientation (1..8; 1 when it has none), and the image turned upright by it as
 * Pillow's ImageOps.exif_transpose (what transformers' load_image does) */
int lt_image_exif_orientation(const void *buf, size_t len);
int lt_image_orient(lt_image *im, int orientation);
/* centre-cropped to the aspect ratio of h x w, then bilinear, into out (h x w x c floats) */
void lt_image_resize(const lt_image *im, int h, int w, float *out);

/* Resampling as Pillow's Image.resize computes it for 8-bit images, byte for byte: its filters
 * (codes as PIL.Image.Resampling), widened when shrinking (antialiased), 22-bit fixed-point
 * weights, a horizontal then a vertical pass. out: w x h, in's channels. */
enum {
    LT_RESAMPLE_LANCZOS = 1,
    LT_RESAMPLE_BILINEAR = 2,
    LT_RESAMPLE_BICUBIC = 3,
    LT_RESAMPLE_BOX = 4,
    LT_RESAMPLE_HAMMING = 5
};
int lt_image_resample(const lt_image *in, int w, int h, int filter, lt_image *out);

/* An image model's preprocessing as its Hugging Face image processor computes it
 * (preprocessor_config.json): resize (the shortest edge to `edge`, or to h x w) with Pillow's
 * filter, centre crop to ch x cw, rescale by `rescale`, normalise by mean and std, channels
 * first. */
typedef struct lt_image_prep {
    int do_resize, edge, h, w, filter;
    int do_crop, ch, cw;
    int do_rescale, do_normalize;
    double rescale;
    float mean[3], std[3];
} lt_image_prep;
void lt_image_prep_init(lt_image_prep *p);
/* DIR/preprocessor_config.json; keys latent does not implement (padding, ...) named */
int lt_image_prep_load(lt_image_prep *p, const char *dir);
/* the output's size for an input of in_w x in_h */
void lt_image_prep_size(const lt_image_prep *p, int in_w, int in_h, int *w, int *h);
/* im (RGB) into out (3 x h x w floats, h x w from lt_image_prep_size); shown (optional) gets the
 * 8-bit image after resizing and cropping (lt_image_free it). name: for errors. */
int lt_image_prep_apply(
        const lt_image_prep *p, const lt_image *im, const char *name, float *out, lt_image *shown);

/* h, w: the rows' size (0: the first image's); c: 1 or 3 [1]; resize: images of another size
 * are cropped and resized (else an error naming the file and both sizes) */
typedef struct lt_image_opts {
    int h, w, c, resize;
} lt_image_opts;
/* The images of a folder and of its subfolders (one level: the subfolder's name is the
 * class, "" for files at the top), in sorted path order; each row labelled with its path;
 * classes (optional): a NULL-terminated array of n class names (lt_free each and the array).
 * Meta idx_shape = HxWxC. */
int lt_images_load(const char *dir, const lt_image_opts *o, lt_vecs **out, char ***classes);

#ifdef __cplusplus
}
#endif
#endif
