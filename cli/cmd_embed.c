/* latent embed: BERT-family sentence encoders */
#include "cli.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *in, *out, *fmt, *id_field;
    int jsonl, threads, chunk, batch, latency;
    lt_bert_opts o;
    const char *prompt_name, *prompt, *quantize;
    int dim;
} eopts;
enum {
    O_IN = 1,
    O_OUT,
    O_THREADS,
    O_QUIET,
    O_JSONL,
    O_IDF,
    O_MAXSEQ,
    O_POOL,
    O_NORM,
    O_NONORM,
    O_FMT,
    O_CHUNK,
    O_BATCH,
    O_LATENCY,
    O_PREC,
    O_PNAME,
    O_PROMPT,
    O_DIM,
    O_QUANT
};

static int parse_e(int argc, char **argv, const cli_spec *S, eopts *e) {
    const char *U = S->usage, *a;
    int c;
    long long iv;
    optind = 1;
    while ((c = cli_getopt(argc, argv, S, &a)) != CLI_END) {
        switch (c) {
        case CLI_HELP:
        case CLI_ERROR: return CLI_DONE(c);
        case O_IN: e->in = a; break;
        case O_OUT: e->out = a; break;
        case O_THREADS:
            if (!cli_int(a, 1, 256, &iv)) return cli_usage(U, "--threads must be 1..256");
            e->threads = (int)iv;
            break;
        case O_QUIET: cli_set_quiet(1); break;
        case O_JSONL: e->jsonl = 1; break;
        case O_IDF: e->id_field = a; break;
        case O_MAXSEQ:
            if (!cli_int(a, 2, 1 << 20, &iv)) return cli_usage(U, "--max-seq must be >= 2");
            e->o.max_seq = (int)iv;
            break;
        case O_POOL:
            if (!(e->o.pooling = lt_pooling_from_name(a)))
                return cli_usage(U,
                        "--pooling must be mean, cls, max, mean_sqrt_len_tokens, weightedmean or lasttoken");
            break;
        case O_NORM: e->o.normalize = 1; break;
        case O_NONORM: e->o.normalize = 0; break;
        case O_FMT:
            if (lt_format_from_name(a) == LT_FMT_AUTO)
                return cli_usage(U, "unknown format '%s'", a);
            e->fmt = a;
            break;
        case O_CHUNK: e->chunk = 1; break;
        case O_LATENCY: e->latency = 1; break;
        case O_PREC:
            if (!strcmp(a, "f32")) e->o.precision = LT_PREC_F32;
            else if (!strcmp(a, "bf16")) e->o.precision = LT_PREC_BF16;
            else return cli_usage(U, "--precision must be f32 or bf16");
            break;
        case O_BATCH:
            if (!cli_int(a, 1, 1 << 16, &iv)) return cli_usage(U, "--batch must be 1..65536");
            e->batch = (int)iv;
            break;
        case O_PNAME: e->prompt_name = a; break;
        case O_PROMPT: e->prompt = a; break;
        case O_DIM:
            if (!cli_int(a, 1, 1 << 20, &iv))
                return cli_usage(U, "--dim must be an integer from %lld to %lld", (long long)1,
                        (long long)(1 << 20));
            e->dim = (int)iv;
            break;
        case O_QUANT:
            if (!lt_quant_from_name(a))
                return cli_usage(U, "--quantize takes int8, uint8, binary or ubinary");
            e->quantize = a;
            break;
        }
    }
    if (e->id_field && !e->jsonl) return cli_usage(U, "--id-field needs --jsonl");
    return -1;
}

/* The price of bf16, measured: the first inputs again in f32, compared vector by vector. */
static int bf16_report(const char *dir, const lt_bert_opts *o, const lt_embed_opts *eo,
        const cli_inputs *in, const lt_vecs *v) {
    lt_bert_opts of = *o;
    of.precision = LT_PREC_F32;
    lt_bert *m;
    if (lt_bert_load(&m, dir, &of)) return cli_fail("embed");
    int n = in->n < 64 ? (int)in->n : 64, H = (int)v->d; /* the same prompt and --dim as the run */
    float *e = malloc(sizeof(float) * (size_t)(n ? n : 1) * H);
    int rc = e &&
                    lt_embed_texts(m, (const char *const *)in->text, in->len, n, e, H, eo, NULL,
                            NULL) == LT_OK
            ? 0
            : cli_fail("embed");
    if (!rc && n > 0) {
        double mn = 2, sum = 0, mx = 0;
        for (int i = 0; i < n; i++) {
            const float *a = lt_vecs_row(v, i), *b = e + (size_t)i * H;
            double ab = 0, aa = 0, bb = 0;
            for (int j = 0; j < H; j++) {
                ab += (double)a[j] * b[j];
                aa += (double)a[j] * a[j];
                bb += (double)b[j] * b[j];
                mx = fmax(mx, fabs((double)a[j] - b[j]));
            }
            double cs = aa > 0 && bb > 0 ? ab / sqrt(aa * bb) : 1;
            mn = fmin(mn, cs);
            sum += cs;
        }
        fprintf(stderr,
                "latent: bf16 against f32 on the first %d inputs: mean cosine %.6f, min %.6f, max abs difference %.2e%s\n",
                n, sum / n, mn, mx,
                lt_bf16_native() ? "" : " (no AVX-512 BF16 on this CPU: scalar bf16)");
    }
    free(e);
    lt_bert_free(m);
    return rc;
}

int cmd_embed(int argc, char **argv) {
    static const cli_opt opts[] = { { "input", 'i', "FILE", O_IN,
                                            "one input per line ['-' = stdin]" },
        { "output", 'o', "OUT", O_OUT,
                "any vector format by extension [-: word2vec text on stdout]" },
        { "format", 0, "F", O_FMT, "output format, overriding the extension" },
        { "jsonl", 0, NULL, O_JSONL, "JSON Lines input: a string, or an object with \"text\"" },
        { "id-field", 0, "NAME", O_IDF,
                "JSONL: the label of each row is this field of the object (exact)" },
        { "max-seq", 0, "N", O_MAXSEQ,
                "tokens per input incl. [CLS]/[SEP] [from the model folder]" },
        { "pooling", 0, "P", O_POOL,
                "mean | cls | max | mean_sqrt_len_tokens | weightedmean | lasttoken [from the model folder, else mean]" },
        { "normalize", 0, NULL, O_NORM, "L2-normalise the embeddings [from the model folder]" },
        { "no-normalize", 0, NULL, O_NONORM, "do not normalise, whatever the folder says" },
        { "chunk", 0, NULL, O_CHUNK,
                "inputs longer than max-seq: embed windows and average them (else cut)" },
        { "batch", 0, "N", O_BATCH, "inputs per forward pass, packed without padding [32]" },
        { "latency", 0, NULL, O_LATENCY,
                "one batch at a time, all threads inside it [threads take batches]" },
        { "precision", 0, "P", O_PREC,
                "f32 | bf16 (bf16: faster; its cost on the first 64 inputs is printed) [f32]" },
        { "prompt-name", 0, "NAME", O_PNAME,
                "put the folder's prompt NAME before every input (sentence-transformers' prompts) [its default prompt]" },
        { "prompt", 0, "TEXT", O_PROMPT,
                "put TEXT before every input ('' for none, whatever the folder's default)" },
        { "dim", 0, "N", O_DIM,
                "Matryoshka: keep the first N dimensions, renormalised when the model normalises [all]" },
        { "quantize", 0, "P", O_QUANT,
                "int8 | uint8 (each column's range over the inputs) | binary | ubinary, as sentence-transformers' quantize_embeddings; a .npy of bytes [f32]" },
        { "threads", 't', "N", O_THREADS, "[number of CPUs]" },
        { "quiet", 'q', NULL, O_QUIET, "no progress or summary on stderr" }, { 0 } };
    static const cli_spec S = { "embed",
        "usage: latent embed MODEL_DIR [options]\n"
        "       latent embed MODEL_DIR IMAGE|DIR... [options]\n"
        "  sentence embeddings with a text model folder (Hugging Face or sentence-transformers);\n"
        "  labels = the input lines (or --id-field); pooling, normalisation and max length are printed\n"
        "  and stored in the output's metadata. With image files or folders after MODEL_DIR: the\n"
        "  image tower of a CLIP, SigLIP, ViT or DINOv2 folder over them (PNG, JPEG, WebP; upright by\n"
        "  their EXIF orientation), preprocessed as its preprocessor_config.json says; labels = the\n"
        "  paths\n",
        opts };
    const char *U = S.usage;
    eopts e = { "-", "-", NULL, NULL, 0, lt_cpu_count(), 0, 32, 0, { 0 }, NULL, NULL, NULL, 0 };
    lt_bert_opts_init(&e.o);
    int r = parse_e(argc, argv, &S, &e);
    if (r >= 0) return r;
    const char *in = e.in, *out = e.out, *fmt = e.fmt;
    int jsonl = e.jsonl, threads = e.threads, chunk = e.chunk, batch = e.batch, latency = e.latency;
    lt_bert_opts o = e.o;
    if (chunk && latency) return cli_usage(U, "--chunk embeds input by input: not with --latency");
    if (e.prompt_name && e.prompt) return cli_usage(U, "give --prompt-name or --prompt, not both");
    if (argc - optind < 1) return cli_usage(U, "embed: expected MODEL_DIR");
    lt_format f = fmt          ? lt_format_from_name(fmt)
            : strcmp(out, "-") ? lt_format_from_path(out)
                               : LT_FMT_W2V_TXT;
    if (f == LT_FMT_AUTO)
        return cli_usage(U, "cannot tell the output format of '%s'; use --format", out);
    if (argc - optind > 1) { /* images: the options of text inputs do not apply */
        const char *bad = strcmp(in, "-") ? "--input"
                : jsonl                   ? "--jsonl"
                : o.max_seq               ? "--max-seq"
                : o.pooling               ? "--pooling"
                : chunk                   ? "--chunk"
                : latency                 ? "--latency"
                : e.prompt_name           ? "--prompt-name"
                : e.prompt                ? "--prompt"
                : e.dim                   ? "--dim"
                : e.quantize              ? "--quantize"
                                          : NULL;
        if (bad) return cli_usage(U, "%s applies to text inputs, not to images", bad);
        cli_image_opts io = { out, f, threads, batch, o.precision == LT_PREC_BF16,
            o.normalize > 0 };
        return cli_embed_images(argv[optind], argv + optind + 1, argc - optind - 1, &io);
    }
    if (e.quantize && (f != LT_FMT_NPY || e.o.precision == LT_PREC_BF16))
        return cli_usage(U,
                "--quantize writes a .npy of bytes: give -o FILE.npy (and not with --precision bf16)");
    lt_bert *m;
    if (lt_bert_load(&m, argv[optind], &o)) return cli_fail("embed");
    /* the prompt: --prompt, else --prompt-name, else the folder's default */
    const char *prompt = e.prompt ? e.prompt : lt_bert_prompt(m, e.prompt_name);
    if (e.prompt_name && !prompt) {
        fprintf(stderr, "latent: embed: %s has no prompt '%s' (it has:", argv[optind],
                e.prompt_name);
        for (int i = 0; lt_bert_prompt_name(m, i); i++)
            fprintf(stderr, " %s", lt_bert_prompt_name(m, i));
        fprintf(stderr, ")\n");
        lt_bert_free(m);
        return 1;
    }
    if (e.dim > lt_bert_dim(m)) {
        fprintf(stderr, "latent: embed: --dim %d exceeds the model's %d dimensions\n", e.dim,
                lt_bert_dim(m));
        lt_bert_free(m);
        return 1;
    }
    int odim = e.dim ? e.dim : lt_bert_dim(m);
    cli_inputs ins = { 0 };
    if (cli_read_inputs(in, jsonl, e.id_field, &ins)) {
        lt_bert_free(m);
        cli_free_inputs(&ins);
        return 1;
    }
    lt_vecs *v = lt_vecs_new(ins.n, odim);
    r = v ? 0 : cli_fail("");
    for (int64_t i = 0; !r && i < ins.n; i++)
        if (lt_vecs_set_label(v, i, ins.id[i] ? ins.id[i] : ins.text[i])) r = cli_fail("");
    if (!r && cli_fit_labels(v, f) < 0)
        r = (lt_err(LT_ENOMEM, "out of memory"), cli_fail("")); /* as convert writes them */
    if (!r) {
        /* the library's pipeline: threads take whole batches, or with --latency all of them
         * work inside one batch at a time */
        lt_ctx ctx;
        lt_ctx_init(&ctx);
        ctx.n_threads = threads;
        lt_embed_opts eo;
        lt_embed_opts_init(&eo);
        eo.batch = batch;
        eo.latency = latency;
        eo.chunk = chunk;
        eo.prompt = prompt && *prompt ? prompt : NULL;
        eo.dim = odim;
        lt_embed_stats st;
        if (lt_embed_texts(m, (const char *const *)ins.text, ins.len, ins.n, v->data, v->ld, &eo,
                    &ctx, &st)) {
            fprintf(stderr, "latent: %s: %s\n", strcmp(in, "-") ? in : "<stdin>", lt_errmsg());
            r = 1;
        }
        double el = st.seconds;
        if (!r) {
            lt_vecs_meta_set(v, "method", "bert");
            lt_vecs_meta_set(v, "model", argv[optind]);
            char b[32];
            snprintf(b, sizeof b, "%d", lt_bert_max_seq(m));
            lt_vecs_meta_set(v, "max_seq", b);
            lt_vecs_meta_set(v, "pooling", lt_pooling_name(lt_bert_pooling(m)));
            lt_vecs_meta_set(v, "normalize", lt_bert_normalizes(m) ? "1" : "0");
            lt_vecs_meta_set(v, "precision", o.precision == LT_PREC_BF16 ? "bf16" : "f32");
            if (eo.prompt) lt_vecs_meta_set(v, "prompt", eo.prompt);
            snprintf(b, sizeof b, "%d", odim);
            if (odim != lt_bert_dim(m)) lt_vecs_meta_set(v, "dim", b);
            lt_vecs_meta_set(v, "latent_version", LT_VERSION);
            if (e.quantize) { /* bytes, not floats: a .npy of int8 or uint8, no labels sidecar */
                lt_quant q = (lt_quant)lt_quant_from_name(e.quantize);
                int64_t w = lt_quant_width(q, v->d);
                uint8_t *qb = malloc((size_t)(v->n ? v->n : 1) * (size_t)w);
                if (!qb) r = cli_fail("");
                else {
                    if (lt_quantize(v->data, v->n, v->d, v->ld, q, NULL, qb) < 0)
                        r = cli_fail("embed --quantize");
                    else if (lt_npy_save_bytes(
                                     out, qb, v->n, w, q == LT_QUANT_INT8 || q == LT_QUANT_BINARY))
                        r = cli_fail("");
                    free(qb);
                }
            } else if (lt_vecs_save(v, out, f, NULL)) r = cli_fail("");
            if (!cli_quiet()) {
                fprintf(stderr,
                        "latent: embedded %lld inputs in %.2fs (%.1f/s, %d threads, %s%d%s); pooling %s, %snormalized, "
                        "max-seq %d, dim %d",
                        (long long)ins.n, el, el > 0 ? ins.n / el : 0.0, threads,
                        chunk ? "windows of " : "batches of ",
                        chunk ? lt_bert_max_seq(m) - 2 : batch,
                        latency && !chunk ? ", threads inside each batch" : "",
                        lt_pooling_name(lt_bert_pooling(m)), lt_bert_normalizes(m) ? "" : "not ",
                        lt_bert_max_seq(m), odim);
                if (eo.prompt) fprintf(stderr, "; prompt \"%s\"", eo.prompt);
                if (st.truncated)
                    fprintf(stderr, "; %lld inputs longer than %d tokens were cut (use --chunk)",
                            (long long)st.truncated, lt_bert_max_seq(m));
                if (st.chunked)
                    fprintf(stderr, "; %lld inputs embedded in several windows",
                            (long long)st.chunked);
                fprintf(stderr, "\n");
            }
            if (o.precision == LT_PREC_BF16 && !chunk)
                r = bf16_report(argv[optind], &o, &eo, &ins, v);
        }
    }
    cli_free_inputs(&ins);
    lt_vecs_free(v);
    lt_bert_free(m);
    return r;
}
