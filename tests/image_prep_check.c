/* Helper of tests/image_prep.sh: latent's preprocessing of image files as 8-bit bytes.
 *   image_prep_check clip|vit LIST OUT
 * LIST: one path per line; the image of line i (from 0) is first cropped to the box x0 = 7i mod
 * (w / 4 + 1), y0 = 13i mod (h / 4 + 1), x1 = w - 5i mod (w / 4 + 1), y1 = h - 11i mod
 * (h / 4 + 1), so that sizes vary (the test crops the same box with Pillow). OUT: per file one status byte (1 decoded and preprocessed, 0 not)
 * then, when 1, 224 x 224 x 3 bytes: clip = CLIPImageProcessor's resize (shortest edge 224,
 * bicubic) and centre crop 224; vit = ViTImageProcessor's 224 x 224, bilinear. */
#include "latent/latent.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    if (argc != 4) return 2;
    lt_image_prep p;
    lt_image_prep_init(&p);
    p.do_resize = 1;
    if (!strcmp(argv[1], "clip")) {
        p.edge = 224;
        p.filter = LT_RESAMPLE_BICUBIC;
        p.do_crop = 1;
        p.ch = p.cw = 224;
    } else {
        p.h = p.w = 224;
        p.filter = LT_RESAMPLE_BILINEAR;
    }
    FILE *in = fopen(argv[2], "r"), *out = fopen(argv[3], "wb");
    if (!in || !out) return 1;
    char line[4096];
    float *px = malloc(sizeof(float) * 3 * 224 * 224);
    for (long i = 0; fgets(line, sizeof line, in); i++) {
        line[strcspn(line, "\n")] = 0;
        char *b = NULL;
        size_t n, ml = 0;
        lt_image im = { 0 }, shown = { 0 }, cut = { 0 };
        unsigned char ok = lt_read_whole(line, &b, &n, &ml) == LT_OK &&
                lt_image_decode(b, n, line, 3, &im) == LT_OK;
        if (ok) {
            int mx = im.w / 4 + 1, my = im.h / 4 + 1;
            int x0 = (int)(7 * i % mx), y0 = (int)(13 * i % my), x1 = im.w - (int)(5 * i % mx),
                y1 = im.h - (int)(11 * i % my);
            cut.w = x1 - x0;
            cut.h = y1 - y0;
            cut.c = 3;
            ok = cut.w > 0 && cut.h > 0 && (cut.px = malloc((size_t)cut.w * cut.h * 3));
            for (int y = 0; ok && y < cut.h; y++)
                memcpy(cut.px + (size_t)y * cut.w * 3, im.px + ((size_t)(y + y0) * im.w + x0) * 3,
                        (size_t)cut.w * 3);
        }
        ok = ok && lt_image_prep_apply(&p, &cut, line, px, &shown) == LT_OK && shown.w == 224 &&
                shown.h == 224;
        free(cut.px);
        fwrite(&ok, 1, 1, out);
        if (ok) fwrite(shown.px, 1, 224 * 224 * 3, out);
        if (b) lt_release_whole(b, ml);
        lt_image_free(&im);
        lt_image_free(&shown);
    }
    free(px);
    fclose(in);
    return fclose(out) ? 1 : 0;
}
