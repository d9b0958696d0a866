/* latent tokenize: token ids (and offsets, tokens) of any tokenizer.json, or of a BERT
 * vocab.txt folder */
#include "cli.h"
#include "latent/tokenizer.h"
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

enum { T_IN = 1, T_JSONL, T_MAXSEQ, T_QUIET, T_OFFSETS, T_TOKENS, T_NOSPECIAL, T_PAIR, T_DECODE };

/* ", 123" without printf (the numbers are most of the output) */
static void put_int(int32_t v, int sep) {
    char b[16];
    int k = 0;
    uint32_t u = v < 0 ? 0u - (uint32_t)v : (uint32_t)v;
    do {
        b[k++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (sep) {
        putchar_unlocked(',');
        putchar_unlocked(' ');
    }
    if (v < 0) putchar_unlocked('-');
    while (k) putchar_unlocked(b[--k]);
}
static void put_ids(const lt_encoding *e) {
    putchar_unlocked('[');
    for (int k = 0; k < e->n; k++) put_int(e->ids[k], k > 0);
    putchar_unlocked(']');
}

static void print_json_enc(const lt_tokenizer *t, const lt_encoding *e, int offsets, int tokens) {
    if (!offsets && !tokens) {
        put_ids(e);
        putchar_unlocked('\n');
        return;
    }
    fputs("{\"ids\": ", stdout);
    put_ids(e);
    if (tokens) {
        fputs(", \"tokens\": [", stdout);
        for (int k = 0; k < e->n; k++) {
            if (k) fputs(", ", stdout);
            cli_json_str(stdout,
                    lt_tokenizer_token(t, e->ids[k]) ? lt_tokenizer_token(t, e->ids[k]) : "");
        }
        putchar_unlocked(']');
    }
    if (offsets) {
        fputs(", \"offsets\": [", stdout);
        for (int k = 0; k < e->n; k++) {
            if (k) {
                putchar_unlocked(',');
                putchar_unlocked(' ');
            }
            putchar_unlocked('[');
            put_int(e->offsets[2 * k], 0);
            put_int(e->offsets[2 * k + 1], 1);
            putchar_unlocked(']');
        }
        putchar_unlocked(']');
    }
    puts("}");
}

/* --decode: each input line a JSON array of ids; each output line the text as a JSON string */
static int decode_lines(const lt_tokenizer *t, const cli_inputs *ins, const char *in, int special) {
    int32_t *ids = NULL;
    int r = 0;
    for (int64_t i = 0; i < ins->n && !r; i++) {
        cJSON *a = cJSON_ParseWithLength(ins->text[i], ins->len[i]);
        int n = cJSON_IsArray(a) ? cJSON_GetArraySize(a) : -1, k = 0;
        int32_t *nb = n >= 0 ? realloc(ids, sizeof(int32_t) * (size_t)(n ? n : 1)) : NULL;
        if (nb) ids = nb;
        cJSON *e;
        if (nb) cJSON_ArrayForEach(e, a) {
                if (!cJSON_IsNumber(e) || e->valuedouble != (double)(int32_t)e->valuedouble) break;
                ids[k++] = (int32_t)e->valuedouble;
            }
        cJSON_Delete(a);
        if (!nb || k != n) {
            fprintf(stderr, "latent: %s: line %lld: not a JSON array of token ids\n",
                    strcmp(in, "-") ? in : "<stdin>", (long long)i + 1);
            r = 1;
            break;
        }
        char *text;
        size_t tl;
        if (lt_tokenizer_decode(t, ids, n, !special, &text, &tl)) {
            fprintf(stderr, "latent: %s: line %lld: %s\n", strcmp(in, "-") ? in : "<stdin>",
                    (long long)i + 1, lt_errmsg());
            r = 1;
            break;
        }
        putchar_unlocked('"'); /* a JSON string of tl bytes, NULs included */
        for (size_t k = 0; k < tl; k++) {
            unsigned char ch = (unsigned char)text[k];
            if (ch == '"' || ch == '\\') printf("\\%c", ch);
            else if (ch < 0x20 || ch == 0x7f) printf("\\u%04x", ch);
            else putchar_unlocked(ch);
        }
        fputs("\"\n", stdout);
        lt_free(text);
    }
    free(ids);
    return r;
}

/* a folder with only vocab.txt (+ tokenizer_config.json): the BERT tokenizer */
static int tokenize_vocab_txt(const char *dir, const cli_inputs *ins, const char *in, int max_seq) {
    lt_bert_opts o;
    lt_bert_opts_init(&o);
    o.tokenizer_only = 1;
    o.max_seq = max_seq;
    lt_bert *m;
    if (lt_bert_load(&m, dir, &o)) return cli_fail("tokenize");
    int cap = lt_bert_max_seq(m), r = 0;
    int32_t *ids = malloc(sizeof(int32_t) * (size_t)cap);
    long long cut = 0;
    for (int64_t i = 0; ids && i < ins->n && !r; i++) {
        int full, n = lt_bert_tokenize(m, ins->text[i], ins->len[i], 1, ids, cap, &full);
        if (n < 0) {
            fprintf(stderr, "latent: %s: input %lld: %s\n", strcmp(in, "-") ? in : "<stdin>",
                    (long long)i + 1, lt_errmsg());
            r = 1;
            break;
        }
        cut += full > n;
        putchar_unlocked('[');
        for (int k = 0; k < n; k++) printf(k ? ", %d" : "%d", ids[k]);
        puts("]");
    }
    if (cut && !cli_quiet())
        fprintf(stderr, "latent: %lld inputs longer than %d tokens were cut\n", cut, cap);
    free(ids);
    lt_bert_free(m);
    return r;
}

int cmd_tokenize(int argc, char **argv) {
    static const cli_opt opts[] = { { "input", 'i', "FILE", T_IN,
                                            "one input per line ['-' = stdin]" },
        { "jsonl", 0, NULL, T_JSONL,
                "JSON Lines input: a string, or an object with \"text\" (and \"pair\")" },
        { "max-seq", 0, "N", T_MAXSEQ,
                "truncate to N tokens, special tokens included [from the model folder; none for a .json]" },
        { "offsets", 0, NULL, T_OFFSETS,
                "print {\"ids\", \"offsets\"}: each token's input byte range [start, stop)" },
        { "tokens", 0, NULL, T_TOKENS, "print the tokens too ({\"ids\", \"tokens\"})" },
        { "no-special", 0, NULL, T_NOSPECIAL,
                "without the special tokens the post-processor adds" },
        { "pair", 0, "TEXT", T_PAIR, "a second text for every input (cross-encoders' pairs)" },
        { "decode", 0, NULL, T_DECODE,
                "the other way: each input line a JSON array of ids, printed as the text (a JSON string) tokenizers' decode gives; --no-special skips special tokens" },
        { "quiet", 'q', NULL, T_QUIET, "no summary on stderr" }, { 0 } };
    static const cli_spec S = { "tokenize",
        "usage: latent tokenize MODEL_DIR|tokenizer.json [options]\n"
        "  token ids of each input as a JSON array per line, as Hugging Face tokenizers gives them\n"
        "  (any tokenizer.json: WordPiece, BPE, Unigram; or a BERT vocab.txt folder)\n",
        opts };
    const char *U = S.usage, *in = "-", *a, *pair = NULL;
    int jsonl = 0, max_seq = 0, offsets = 0, tokens = 0, special = 1, decode = 0, c;
    long long iv;
    optind = 1;
    while ((c = cli_getopt(argc, argv, &S, &a)) != CLI_END) {
        switch (c) {
        case CLI_HELP:
        case CLI_ERROR: return CLI_DONE(c);
        case T_IN: in = a; break;
        case T_JSONL: jsonl = 1; break;
        case T_MAXSEQ:
            if (!cli_int(a, 2, 1 << 20, &iv)) return cli_usage(U, "--max-seq must be >= 2");
            max_seq = (int)iv;
            break;
        case T_OFFSETS: offsets = 1; break;
        case T_TOKENS: tokens = 1; break;
        case T_NOSPECIAL: special = 0; break;
        case T_PAIR: pair = a; break;
        case T_DECODE: decode = 1; break;
        case T_QUIET: cli_set_quiet(1); break;
        }
    }
    if (argc - optind != 1) return cli_usage(U, "tokenize: expected MODEL_DIR or a tokenizer.json");
    const char *path = argv[optind];
    char tj[4096];
    snprintf(tj, sizeof tj, "%s/tokenizer.json", path);
    FILE *probe = cli_is_dir(path) ? fopen(tj, "rb") : NULL;
    int general = !cli_is_dir(path) || probe;
    if (probe) fclose(probe);
    cli_inputs ins = { 0 };
    if (cli_read_inputs(in, jsonl, NULL, &ins)) {
        cli_free_inputs(&ins);
        return 1;
    }
    if (decode && (offsets || tokens || pair || jsonl || max_seq)) {
        cli_free_inputs(&ins);
        return cli_usage(U,
                "--decode reads ids: not with --offsets, --tokens, --pair, --jsonl or --max-seq");
    }
    if (!general) {
        if (offsets || tokens || !special || pair || decode) {
            cli_free_inputs(&ins);
            return cli_usage(U,
                    "%s has no tokenizer.json: --offsets, --tokens, --no-special, --pair and --decode need one",
                    path);
        }
        int r = tokenize_vocab_txt(path, &ins, in, max_seq);
        cli_free_inputs(&ins);
        return r;
    }
    lt_tokenizer *t;
    if (lt_tokenizer_load(&t, path)) {
        cli_free_inputs(&ins);
        return cli_fail("tokenize");
    }
    if (decode) {
        int r = decode_lines(t, &ins, in, special);
        lt_tokenizer_free(t);
        cli_free_inputs(&ins);
        return r;
    }
    if (!max_seq && cli_is_dir(path)) max_seq = lt_tokenizer_max_length(path);
    lt_encoding e = { 0 };
    long long cut = 0;
    int r = 0;
    for (int64_t i = 0; i < ins.n && !r; i++) {
        if (lt_tokenizer_encode(t, ins.text[i], ins.len[i], pair, pair ? strlen(pair) : 0, special,
                    max_seq, &e)) {
            fprintf(stderr, "latent: %s: input %lld: %s\n", strcmp(in, "-") ? in : "<stdin>",
                    (long long)i + 1, lt_errmsg());
            r = 1;
            break;
        }
        cut += e.n_full > e.n;
        print_json_enc(t, &e, offsets, tokens);
    }
    if (cut && !cli_quiet())
        fprintf(stderr, "latent: %lld inputs longer than %d tokens were cut\n", cut, max_seq);
    lt_encoding_free(&e);
    lt_tokenizer_free(t);
    cli_free_inputs(&ins);
    return r;
}
