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
    if (n >= (int)sizeof small && (b = malloc((size_t)n + 1))) vsnprintf(b, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    if (n < 0 || !b) { fputs("null", f); return; }
    int in_str = 0;
    for (const char *p = b; *p; p++) {
        if (in_str) {
            if (*p == '\\' && p[1]) { fputc(*p++, f); fputc(*p, f); continue; }
            if (*p == '"') in_str = 0;
            fputc(*p, f);
            continue;
        }
        if (*p == '"') { in_str = 1; fputc(*p, f); continue; }
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

void cli_hits_header(FILE *f, const char *score) { fprintf(f, "query\trank\tid\tlabel\t%s\n", score); }

void cli_hits(FILE *f, int json, const char *query, const char *score, const int64_t *ids, const float *sc, int n,
              const lt_vecs *labels) {
    if (json) {
        fputs("{\"query\": ", f);
        cli_json_str(f, query);
        fputs(", \"results\": [", f);
    }
    int r = 0;
    for (int i = 0; i < n; i++) {
        if (ids[i] < 0) continue;
        const char *lab = labels && labels->labels && ids[i] < labels->n ? labels->labels[ids[i]] : "";
        r++;
        if (json) {
            fprintf(f, "%s{\"rank\": %d, \"id\": %lld, \"label\": ", r > 1 ? ", " : "", r, (long long)ids[i]);
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
