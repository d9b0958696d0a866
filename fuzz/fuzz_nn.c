/* libFuzzer harness: the architecture parser, the neural model loader and the PNG/JPEG readers.
 * First byte: bit 1 set: an image file (decoded gray and RGB, resized, resampled as Pillow,
 * preprocessed as an image model); else bit 0 picks arch
 * strings (bytes 1-3: input C, H, W up to 16; the rest the string) or a model file (parsed,
 * the network rebuilt from it, two rows of zeros encoded); bit 7 skips CRCs. */
#include "latent/latent.h"
#include "../src/core/fuzzing.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    lt__fuzz_nocrc = (data[0] & 0x80) != 0;
    if (data[0] & 2) {
        for (int c = 1; c <= 3; c += 2) {
            lt_image im;
            if (lt_image_decode(data + 1, size - 1, "fuzz.img", c, &im) == LT_OK) {
                float out[5 * 7 * 3];
                lt_image_resize(&im, 5, 7, out);
                if (c == 3) /* upright by the EXIF orientation, or by each (the bytes' last) */
                    lt_image_orient(&im,
                            lt_image_exif_orientation(data + 1, size - 1) != 1
                                    ? lt_image_exif_orientation(data + 1, size - 1)
                                    : 1 + data[size - 1] % 8);
                if (c == 3) { /* Pillow's resampling, each filter, and a model's preprocessing */
                    lt_image r;
                    int f = 1 + (int)(size % 5), w = 1 + (int)(size % 37), h = 1 + (int)(size % 29);
                    if (lt_image_resample(&im, w, h, f, &r) == LT_OK) lt_image_free(&r);
                    lt_image_prep p;
                    lt_image_prep_init(&p);
                    p.do_resize = p.do_crop = p.do_normalize = 1;
                    p.edge = 9;
                    p.ch = p.cw = 8;
                    float px[3 * 8 * 8];
                    int pw, ph;
                    lt_image_prep_size(&p, im.w, im.h, &pw, &ph);
                    if (pw == 8 && ph == 8) lt_image_prep_apply(&p, &im, "fuzz.img", px, NULL);
                }
                lt_image_free(&im);
            }
        }
    } else if (data[0] & 1) {
        if (size < 4) return 0;
        char arch[512];
        size_t n = size - 4 < sizeof arch - 1 ? size - 4 : sizeof arch - 1;
        memcpy(arch, data + 4, n);
        arch[n] = 0;
        /* widths past 4096 would only test the allocator (the parameters are allocated at once) */
        for (const char *q = arch; *q; q++)
            if (*q >= '0' && *q <= '9' && strtol(q, NULL, 10) > 4096) return 0;
        lt_nn *net = NULL;
        if (lt_nn_new(arch, 1 + data[1] % 16, 1 + data[2] % 16, 1 + data[3] % 16, &net) == LT_OK &&
                lt_nn_param_count(net) < 100000) {
            lt_nn_init(net, 1);
            int64_t in = lt_nn_in_dim(net), out = lt_nn_out_dim(net, -1);
            float *x = lt_calloc((size_t)(2 * in), 4), *y = lt_calloc((size_t)(2 * out), 4);
            if (x && y) lt_nn_forward(net, x, 2, in, -1, y, out, 1);
            lt_free(x);
            lt_free(y);
        }
        lt_nn_free(net);
    } else {
        lt_model *m = NULL;
        if (lt_model_parse(data + 1, size - 1, "fuzz.lmodel", &m) == LT_OK) {
            lt_nn *net = NULL;
            if (lt_nn_from_model(m, &net) == LT_OK && lt_nn_in_dim(net) <= 4096 &&
                    strcmp(lt_model_kind(m), "entity")) {
                lt_vecs *x = lt_vecs_new(2, lt_nn_in_dim(net)), *z = NULL;
                if (x && lt_neural_encode(m, x, NULL, 1, &z) == LT_OK) lt_vecs_free(z);
                lt_vecs_free(x);
            }
            lt_nn_free(net);
            lt_model_free(m);
        }
    }
    lt__fuzz_nocrc = 0;
    return 0;
}
