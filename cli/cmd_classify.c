/* latent classify: zero-shot image classification with a CLIP or SigLIP folder, as
 * transformers' zero-shot-image-classification pipeline: each label put into the template and
 * embedded by the text tower, each image by the image tower, logits = exp(logit_scale) *
 * cosine; CLIP: a softmax over the labels; SigLIP: sigmoid(logits + logit_bias) each. */
#include "cli.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { C_LABELS = 1, C_TEMPLATE, C_TOPK, C_JSON, C_THREADS, C_BATCH, C_QUIET };

typedef struct {
    int i;
    float p;
} lab;
static int by_p(const void *a, const void *b) { /* descending, ties by label order */
    const lab *x = a, *y = b;
    if (x->p != y->p) return x->p > y->p ? -1 : 1;
    return x->i - y->i;
}

int cmd_classify(int argc, char **argv) {
    static const cli_opt opts[] = { { "labels", 0, "L", C_LABELS,
                                            "the candidate labels, comma-separated (required)" },
        { "template", 0, "T", C_TEMPLATE,
                "each label put into T at {} [This is a photo of {}.], as transformers' pipeline" },
        { "top-k", 'k', "N", C_TOPK, "only the N most likely labels per image [all]" },
        { "json", 0, NULL, C_JSON,
                "one JSON object per image: {\"image\", \"scores\": [{\"label\", \"score\"}]}" },
        { "batch", 0, "N", C_BATCH, "images per forward pass [32]" },
        { "threads", 't', "N", C_THREADS, "threads inside each forward pass [number of CPUs]" },
        { "quiet", 'q', NULL, C_QUIET, "no summary on stderr" }, { 0 } };
    static const cli_spec S = { "classify",
        "usage: latent classify MODEL_DIR IMAGE|DIR... --labels \"a dog,a cat\" [options]\n"
        "  zero-shot classification with a CLIP or SigLIP folder (both towers and logit_scale): per\n"
        "  image the labels' probabilities (CLIP: a softmax over them; SigLIP: a sigmoid each), most\n"
        "  likely first (image, label, probability)\n",
        opts };
    const char *U = S.usage, *a, *labels = NULL, *tmpl = "This is a photo of {}.";
    int json = 0, batch = 32, threads = lt_cpu_count(), c;
    long long iv, topk = -1;
    optind = 1;
    while ((c = cli_getopt(argc, argv, &S, &a)) != CLI_END) {
        switch (c) {
        case CLI_HELP:
        case CLI_ERROR: return CLI_DONE(c);
        case C_LABELS: labels = a; break;
        case C_TEMPLATE:
            if (!strstr(a, "{}")) return cli_usage(U, "--template must contain {}");
            tmpl = a;
            break;
        case C_TOPK:
            if (!cli_int(a, 1, 1 << 20, &iv)) return cli_usage(U, "--top-k must be >= 1");
            topk = iv;
            break;
        case C_JSON: json = 1; break;
        case C_BATCH:
            if (!cli_int(a, 1, 1 << 16, &iv)) return cli_usage(U, "--batch must be 1..65536");
            batch = (int)iv;
            break;
        case C_THREADS:
            if (!cli_int(a, 1, 256, &iv)) return cli_usage(U, "--threads must be 1..256");
            threads = (int)iv;
            break;
        case C_QUIET: cli_set_quiet(1); break;
        }
    }
    if (argc - optind < 2) return cli_usage(U, "classify: expected MODEL_DIR and images");
    if (!labels || !*labels) return cli_usage(U, "classify: give --labels");
    const char *model = argv[optind];
    /* the labels and their prompts */
    int nl = 1;
    for (const char *q = labels; *q; q++) nl += *q == ',';
    char **lab_s = calloc((size_t)nl, sizeof(char *)), **prm = calloc((size_t)nl, sizeof(char *));
    size_t *plen = calloc((size_t)nl, sizeof(size_t));
    int r = lab_s && prm && plen ? 0 : (lt_err(LT_ENOMEM, "out of memory"), cli_fail(""));
    const char *q = labels, *hole = strstr(tmpl, "{}");
    for (int i = 0; !r && i < nl; i++) {
        const char *e = strchr(q, ',');
        size_t n = e ? (size_t)(e - q) : strlen(q);
        while (n && *q == ' ') q++, n--; /* "a dog, a cat" */
        if (!n) r = cli_usage(U, "classify: label %d of --labels is empty", i + 1);
        else if (!(lab_s[i] = strndup(q, n)) || !(prm[i] = malloc(strlen(tmpl) + n + 1)))
            r = (lt_err(LT_ENOMEM, "out of memory"), cli_fail(""));
        else {
            plen[i] = (size_t)sprintf(
                    prm[i], "%.*s%s%s", (int)(hole - tmpl), tmpl, lab_s[i], hole + 2);
        }
        q = e ? e + 1 : q + n;
    }
    lt_bert *m = NULL;
    lt_vision *v = NULL;
    lt_image_prep prep;
    char **files = NULL;
    int nf = 0;
    float *tf = NULL, *imf = NULL;
    if (!r && (lt_vision_load(&v, model, NULL) || lt_image_prep_load(&prep, model)))
        r = cli_fail("classify");
    float scale = 0, bias = 0;
    int kind = r ? 0 : lt_vision_scores(v, &scale, &bias);
    if (!r && !kind) {
        fprintf(stderr,
                "latent: classify: %s has no logit_scale (a CLIPModel or SiglipModel folder has)\n",
                model);
        r = 1;
    }
    if (!r && lt_bert_load(&m, model, NULL)) r = cli_fail("classify");
    int D = v ? lt_vision_dim(v) : 0;
    if (!r && lt_bert_dim(m) != D) {
        fprintf(stderr,
                "latent: classify: %s: the text tower gives %d dimensions, the image "
                "tower %d\n",
                model, lt_bert_dim(m), D);
        r = 1;
    }
    if (!r) r = cli_image_files(argv + optind + 1, argc - optind - 1, &files, &nf);
    double t0 = lt_now();
    if (!r &&
            (!(tf = malloc(sizeof(float) * (size_t)nl * D)) ||
                    !(imf = malloc(sizeof(float) * (size_t)nf * D))))
        r = (lt_err(LT_ENOMEM, "out of memory"), cli_fail(""));
    if (!r && lt_bert_embed_batch_mt(m, (const char *const *)prm, plen, nl, tf, NULL, threads))
        r = cli_fail("classify");
    if (!r) r = cli_image_features(v, &prep, files, nf, batch, threads, imf, D);
    lab *ls = r ? NULL : malloc(sizeof(lab) * (size_t)nl);
    if (!r && !ls) r = (lt_err(LT_ENOMEM, "out of memory"), cli_fail(""));
    for (int i = 0; !r && i < nl; i++) cli_l2_normalize(tf + (size_t)i * D, D);
    int k = topk > 0 && topk < nl ? (int)topk : nl;
    for (int f = 0; !r && f < nf; f++) {
        float *x = imf + (size_t)f * D;
        cli_l2_normalize(x, D);
        double mx = -1e300, sum = 0;
        for (int i = 0; i < nl; i++) {
            double s = 0;
            for (int j = 0; j < D; j++) s += (double)x[j] * tf[(size_t)i * D + j];
            ls[i].i = i;
            ls[i].p = (float)(scale * s + (kind == LT_SCORES_SIGMOID ? bias : 0));
            mx = fmax(mx, ls[i].p);
        }
        for (int i = 0; kind == LT_SCORES_SOFTMAX && i < nl; i++) sum += exp(ls[i].p - mx);
        for (int i = 0; i < nl; i++)
            ls[i].p = kind == LT_SCORES_SIGMOID ? (float)(1 / (1 + exp(-(double)ls[i].p)))
                                                : (float)(exp(ls[i].p - mx) / sum);
        qsort(ls, (size_t)nl, sizeof(lab), by_p);
        if (json) {
            printf("{\"image\": ");
            cli_json_str(stdout, files[f]);
            printf(", \"scores\": [");
            for (int i = 0; i < k; i++) {
                printf("%s{\"label\": ", i ? ", " : "");
                cli_json_str(stdout, lab_s[ls[i].i]);
                printf(", \"score\": %.9g}", ls[i].p);
            }
            printf("]}\n");
        } else
            for (int i = 0; i < k; i++) printf("%s\t%s\t%.6f\n", files[f], lab_s[ls[i].i], ls[i].p);
    }
    if (!r && !cli_quiet()) {
        double el = lt_now() - t0;
        fprintf(stderr,
                "latent: classified %d images among %d labels in %.2fs (%d threads, batches of "
                "%d; template \"%s\")\n",
                nf, nl, el, threads, batch, tmpl);
    }
    for (int i = 0; i < nl; i++) {
        if (lab_s) free(lab_s[i]);
        if (prm) free(prm[i]);
    }
    for (int i = 0; i < nf; i++) free(files[i]);
    free(files);
    free(lab_s);
    free(prm);
    free(plen);
    free(tf);
    free(imf);
    free(ls);
    lt_bert_free(m);
    lt_vision_free(v);
    return r;
}
