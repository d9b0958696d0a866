/* Output shared by the query commands: one layout for neighbours (similar, analogy, search),
 * as TSV with a header or as one JSON object per query. */
#include "cli.h"
#include <math.h>
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
