/* latent embed MODEL IMAGE|DIR...: an image model's tower over image files (PNG, JPEG, WebP;
 * folders walked in sorted path order), turned upright by their EXIF orientation and
 * preprocessed as the folder's preprocessor_config.json says (as transformers' load_image and
 * processor); labels are the paths. */
#include "cli.h"
#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct {
    char **p;
    int n, cap;
} plist;

static int plist_add(plist *l, const char *s) {
    if (l->n == l->cap) {
        int cap = l->cap ? 2 * l->cap : 64;
        char **q = realloc(l->p, sizeof(char *) * (size_t)cap);
        if (!q) return -1;
        l->p = q;
        l->cap = cap;
    }
    return (l->p[l->n] = strdup(s)) ? (l->n++, 0) : -1;
}
static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}
static int is_image(const char *n) {
    const char *d = strrchr(n, '.');
    return d &&
            (!strcasecmp(d, ".png") || !strcasecmp(d, ".jpg") || !strcasecmp(d, ".jpeg") ||
                    !strcasecmp(d, ".webp"));
}
/* the image files under dir, recursively, sorted */
static int walk(const char *dir, plist *l) {
    DIR *d = opendir(dir);
    if (!d) return lt_err(LT_EIO, "%s: cannot open the folder", dir);
    plist here = { 0 };
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.') continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if ((cli_is_dir(path) || is_image(e->d_name)) && plist_add(&here, path)) {
            closedir(d);
            return lt_err(LT_ENOMEM, "out of memory");
        }
    }
    closedir(d);
    qsort(here.p, (size_t)here.n, sizeof(char *), by_name);
    int rc = LT_OK;
    for (int i = 0; i < here.n; i++) {
        if (!rc)
            rc = cli_is_dir(here.p[i])        ? walk(here.p[i], l)
                    : plist_add(l, here.p[i]) ? lt_err(LT_ENOMEM, "out of memory")
                                              : LT_OK;
        free(here.p[i]);
    }
    free(here.p);
    return rc;
}

void cli_l2_normalize(float *row, int d) {
    double s = 0;
    for (int j = 0; j < d; j++) s += (double)row[j] * row[j];
    double inv = 1 / fmax(sqrt(s), 1e-12);
    for (int j = 0; j < d; j++) row[j] = (float)(row[j] * inv);
}

int cli_image_features(const lt_vision *v, const lt_image_prep *prep, char *const *files, int n,
        int B, int threads, float *out, int64_t ld) {
    int S = lt_vision_image_size(v), D = lt_vision_dim(v), r = 0;
    float *px = malloc(sizeof(float) * 3 * (size_t)S * S * (size_t)B),
          *emb = malloc(sizeof(float) * (size_t)D * B);
    if (!px || !emb) r = (lt_err(LT_ENOMEM, "out of memory"), cli_fail(""));
    for (int b0 = 0; !r && b0 < n; b0 += B) {
        int nb = n - b0 < B ? n - b0 : B;
        for (int k = 0; !r && k < nb; k++) {
            const char *f = files[b0 + k];
            char *buf = NULL;
            size_t len, ml = 0;
            lt_image im = { 0 };
            int w, h;
            if (lt_read_whole(f, &buf, &len, &ml) || lt_image_decode(buf, len, f, 3, &im) ||
                    lt_image_orient(&im, lt_image_exif_orientation(buf, len))) {
                if (buf) lt_release_whole(buf, ml);
                lt_image_free(&im);
                r = cli_fail("");
                break;
            }
            lt_release_whole(buf, ml);
            lt_image_prep_size(prep, im.w, im.h, &w, &h);
            if (w != S || h != S) {
                fprintf(stderr,
                        "latent: %s: %dx%d pixels preprocess to %dx%d, the model takes %dx%d "
                        "(its preprocessor_config.json does not crop to its image_size)\n",
                        f, im.w, im.h, w, h, S, S);
                r = 1;
            } else if (lt_image_prep_apply(prep, &im, f, px + (size_t)k * 3 * S * S, NULL))
                r = cli_fail("");
            lt_image_free(&im);
        }
        if (!r && lt_vision_embed(v, px, nb, emb, threads)) r = cli_fail("");
        for (int k = 0; !r && k < nb; k++) /* rows of the output have their own stride */
            memcpy(out + (size_t)(b0 + k) * ld, emb + (size_t)k * D, sizeof(float) * (size_t)D);
    }
    free(px);
    free(emb);
    return r;
}

int cli_image_files(char *const *args, int nargs, char ***files, int *n) {
    plist l = { 0 };
    int r = 0;
    for (int i = 0; !r && i < nargs; i++)
        if (cli_is_dir(args[i]) ? walk(args[i], &l) : plist_add(&l, args[i])) r = cli_fail("");
    if (!r && !l.n) {
        fprintf(stderr, "latent: no PNG, JPEG or WebP files in the arguments\n");
        r = 1;
    }
    *files = l.p;
    *n = l.n;
    return r;
}

int cli_embed_images(const char *model, char *const *args, int nargs, const cli_image_opts *o) {
    lt_bert_opts bo;
    lt_bert_opts_init(&bo);
    bo.precision = o->bf16 ? LT_PREC_BF16 : LT_PREC_F32;
    lt_vision *v = NULL;
    lt_image_prep prep;
    char **files = NULL;
    int n = 0, r = 0;
    lt_vecs *out = NULL;
    if (lt_vision_load(&v, model, &bo) || lt_image_prep_load(&prep, model)) {
        r = cli_fail("embed");
        goto done;
    }
    if ((r = cli_image_files(args, nargs, &files, &n))) goto done;
    int D = lt_vision_dim(v);
    if (!(out = lt_vecs_new(n, D))) r = cli_fail("");
    for (int i = 0; !r && i < n; i++)
        if (lt_vecs_set_label(out, i, files[i])) r = cli_fail("");
    if (!r && cli_fit_labels(out, o->f) < 0) r = (lt_err(LT_ENOMEM, "out of memory"), cli_fail(""));
    double t0 = lt_now();
    if (!r) r = cli_image_features(v, &prep, files, n, o->batch, o->threads, out->data, out->ld);
    for (int i = 0; !r && o->normalize > 0 && i < n; i++)
        cli_l2_normalize(out->data + (size_t)i * out->ld, D);
    if (!r) {
        lt_vecs_meta_set(out, "method", "vision");
        lt_vecs_meta_set(out, "model", model);
        lt_vecs_meta_set(out, "normalize", o->normalize > 0 ? "1" : "0");
        lt_vecs_meta_set(out, "precision", o->bf16 ? "bf16" : "f32");
        if (lt_vecs_save(out, o->out, o->f, NULL)) r = cli_fail("");
    }
    if (!r && !cli_quiet()) {
        double el = lt_now() - t0;
        fprintf(stderr,
                "latent: embedded %d images in %.2fs (%.1f/s, %d threads, batches of %d); %dx%d "
                "pixels, %snormalized, dim %d\n",
                n, el, el > 0 ? n / el : 0.0, o->threads, o->batch, lt_vision_image_size(v),
                lt_vision_image_size(v), o->normalize > 0 ? "" : "not ", D);
    }
done:
    for (int i = 0; i < n; i++) free(files[i]);
    free(files);
    lt_vecs_free(out);
    lt_vision_free(v);
    return r;
}
