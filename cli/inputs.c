/* The inputs of embed and tokenize: lines, or JSON Lines (a string, or an object with "text"). */
#include "cli.h"
#include <stdlib.h>
#include <string.h>

static int add_input(cli_inputs *in, const char *s, size_t n) {
    if (in->n == in->cap) {
        int64_t nc = in->cap ? in->cap * 2 : 1024;
        char **t = realloc(in->text, sizeof(char *) * (size_t)nc);
        if (t) in->text = t;
        size_t *l = t ? realloc(in->len, sizeof(size_t) * (size_t)nc) : NULL;
        if (l) in->len = l;
        char **id = l ? realloc(in->id, sizeof(char *) * (size_t)nc) : NULL;
        if (!id) return 1;
        in->id = id;
        in->cap = nc;
    }
    char *c = malloc(n + 1);
    if (!c) return 1;
    memcpy(c, s, n);
    c[n] = 0;
    in->text[in->n] = c;
    in->len[in->n] = n;
    in->id[in->n] = NULL;
    in->n++;
    return 0;
}

void cli_free_inputs(cli_inputs *in) {
    for (int64_t i = 0; i < in->n; i++) {
        free(in->text[i]);
        lt_free(in->id[i]);
    }
    free(in->text);
    free(in->len);
    free(in->id);
}

/* lines, or JSON Lines (a JSON string, or an object with "text") */
int cli_read_inputs(const char *path, int jsonl, const char *id_field, cli_inputs *in) {
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f) {
        fprintf(stderr, "latent: %s: cannot open\n", path);
        return 1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long long ln = 0, off = 0;
    int rc = 0;
    while ((n = getline(&line, &cap, f)) > 0) {
        ln++;
        long long here = off;
        off += n;
        size_t l = (size_t)n;
        if (l && line[l - 1] == '\n') l--;
        if (l && line[l - 1] == '\r') l--;
        if (!jsonl) {
            if ((rc = add_input(in, line, l))) break;
            continue;
        }
        if (l == 0) continue;
        char *txt = NULL, *idv = NULL;
        size_t tl = 0;
        if (lt_jsonl_text(line, l, id_field, &txt, &tl, &idv)) {
            fprintf(stderr, "latent: %s: line %lld (offset %lld): %s\n", path, ln, here,
                    lt_errmsg());
            rc = 1;
            break;
        }
        rc = add_input(in, txt, tl);
        if (!rc) in->id[in->n - 1] = idv;
        else lt_free(idv);
        lt_free(txt);
        if (rc) break;
    }
    free(line);
    if (f != stdin) fclose(f);
    return rc;
}
