/* Output shared by the query commands: one layout for neighbours (similar, analogy, search),
 * as TSV with a header or as one JSON object per query. */
#include "cli.h"
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void cli_json_str(FILE *f, const char *s) {
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') fprintf(f, "\\%c", *p);
        else if (*p == '\n') fputs("\\n", f);
        else if (*p == '\t') fputs("\\t", f);
        else if (*p == '\r') fputs("\\r", f);
        else if (*p < 0x20) fprintf(f, "\\u%04x", *p);
        else fputc(*p, f);
    }
    fputc('"', f);
}

/* printf for JSON: what the format makes, with every bare nan / inf / -nan / -inf outside
 * strings written as null, so no JSON output holds a non-finite number */
void cli_jprintf(FILE *f, const char *fmt, ...) {
    char small[1024], *b = small;
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof small && (b = malloc((size_t)n + 1)))
        vsnprintf(b, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    if (n < 0 || !b) {
        fputs("null", f);
        return;
    }
    int in_str = 0;
    for (const char *p = b; *p; p++) {
        if (in_str) {
            if (*p == '\\' && p[1]) {
                fputc(*p++, f);
                fputc(*p, f);
                continue;
            }
            if (*p == '"') in_str = 0;
            fputc(*p, f);
            continue;
        }
        if (*p == '"') {
            in_str = 1;
            fputc(*p, f);
            continue;
        }
        const char *q = p + (*p == '-');
        size_t w = !strncmp(q, "nan", 3) || !strncmp(q, "inf", 3) ? 3 : 0;
        if (w && !strncmp(q, "infinity", 8)) w = 8;
        if (w && !isalnum((unsigned char)q[w]) && (p == b || !isalnum((unsigned char)p[-1]))) {
            fputs("null", f);
            p = q + w - 1;
            continue;
        }
        fputc(*p, f);
    }
    if (b != small) free(b);
}

void cli_json_num(FILE *f, double x) {
    if (isfinite(x)) fprintf(f, "%.9g", x);
    else fputs("null", f);
}

void cli_hits_header(FILE *f, const char *score) {
    fprintf(f, "query\trank\tid\tlabel\t%s\n", score);
}

void cli_hits(FILE *f, int json, const char *query, const char *score, const int64_t *ids,
        const float *sc, int n, const lt_vecs *labels) {
    if (json) {
        fputs("{\"query\": ", f);
        cli_json_str(f, query);
        fputs(", \"results\": [", f);
    }
    int r = 0;
    for (int i = 0; i < n; i++) {
        if (ids[i] < 0) continue;
        const char *lab =
                labels && labels->labels && ids[i] < labels->n ? labels->labels[ids[i]] : "";
        r++;
        if (json) {
            fprintf(f, "%s{\"rank\": %d, \"id\": %lld, \"label\": ", r > 1 ? ", " : "", r,
                    (long long)ids[i]);
            cli_json_str(f, lab);
            fprintf(f, ", \"%s\": ", score);
            cli_json_num(f, sc[i]);
            fputc('}', f);
        } else {
            fprintf(f, "%s\t%d\t%lld\t%s\t%.6f\n", query, r, (long long)ids[i], lab, (double)sc[i]);
        }
    }
    if (json) fputs("]}\n", f);
}

/* Labels as a format can hold them, the same for every command that writes vectors: text
 * formats (word2vec text and binary, GloVe, .vec) get '_' for whitespace, an .npy's sidecar a
 * space for a line break, and an empty label is "<empty>". Returns how many labels changed (-1
 * when out of memory). */
int64_t cli_fit_labels(lt_vecs *v, lt_format f) {
    int text = f == LT_FMT_W2V_TXT || f == LT_FMT_W2V_BIN || f == LT_FMT_VEC || f == LT_FMT_GLOVE,
        lines = f == LT_FMT_NPY;
    int64_t changed = 0;
    for (int64_t i = 0; v->labels && (text || lines) && i < v->n; i++) {
        const char *lab = v->labels[i];
        if (*lab && !strpbrk(lab, text ? " \t\r\n" : "\r\n")) continue;
        char *tmp = strdup(*lab ? lab : "<empty>");
        if (!tmp) return -1;
        for (char *p = tmp; *p; p++)
            if (*p == '\r' || *p == '\n' || (text && (*p == ' ' || *p == '\t')))
                *p = text ? '_' : ' ';
        int rc = lt_vecs_set_label(v, i, tmp);
        free(tmp);
        if (rc) return -1;
        changed++;
    }
    return changed;
}
