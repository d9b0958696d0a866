/* One option table per command: the parser accepts exactly the options of the table (any
 * other is a usage error, exit 2) and the help text is printed from the same table, so what
 * --help lists and what the command honours cannot drift apart. */
#include "cli.h"
#include <stdlib.h>
#include <string.h>

static int count(const cli_opt *t) {
    int n = 0;
    while (t[n].name) n++;
    return n;
}

/* whether the command's table has its own -q (else cli_getopt takes it: no notes or warnings) */
static int has_quiet(const cli_spec *s) {
    for (const cli_opt *o = s->opts; o && o->name; o++)
        if (o->shrt == 'q') return 1;
    return 0;
}

void cli_help(const cli_spec *s, FILE *f) {
    fputs(s->usage, f);
    fputs("options:\n", f);
    for (const cli_opt *o = s->opts; o && o->name; o++) {
        char left[64];
        if (o->shrt)
            snprintf(left, sizeof left, "-%c, --%s%s%s", o->shrt, o->name, o->arg ? " " : "",
                    o->arg ? o->arg : "");
        else
            snprintf(left, sizeof left, "    --%s%s%s", o->name, o->arg ? " " : "",
                    o->arg ? o->arg : "");
        fprintf(f, "  %-26s %s\n", left, o->help);
    }
    if (!has_quiet(s))
        fputs("  -q, --quiet                no notes or warnings on stderr (errors still)\n", f);
    fputs("  -h, --help                 this help\n", f);
}

int cli_getopt(int argc, char **argv, const cli_spec *s, const char **arg) {
    enum { MAXO = 64 };
    static const cli_spec *built;
    static struct option lo[MAXO + 3];
    static char shorts[3 * MAXO + 4];
    if (built != s) {
        int n = count(s->opts), k = 0;
        if (n > MAXO) n = MAXO;
        for (int i = 0; i < n; i++) {
            lo[i] = (struct option){ s->opts[i].name,
                s->opts[i].arg ? required_argument : no_argument, NULL, 256 + i };
            if (s->opts[i].shrt) {
                shorts[k++] = s->opts[i].shrt;
                if (s->opts[i].arg) shorts[k++] = ':';
            }
        }
        lo[n] = (struct option){ "help", no_argument, NULL, 'h' };
        int q = !has_quiet(s);
        if (q) lo[n + 1] = (struct option){ "quiet", no_argument, NULL, 'q' };
        lo[n + 1 + q] = (struct option){ 0, 0, 0, 0 };
        shorts[k++] = 'h';
        if (q) shorts[k++] = 'q';
        shorts[k] = 0;
        built = s;
    }
    opterr = 0;
    int c = getopt_long(argc, argv, shorts, lo, NULL);
    *arg = optarg;
    if (c == -1) return CLI_END;
    if (c == 'h') {
        cli_help(s, stdout);
        return CLI_HELP;
    }
    if (c == 'q' && !has_quiet(s)) { /* every command takes -q: notes and warnings off */
        cli_set_quiet(1);
        return cli_getopt(argc, argv, s, arg);
    }
    if (c >= 256) return s->opts[c - 256].id;
    for (const cli_opt *o = s->opts; o->name; o++)
        if (o->shrt == c) return o->id;
    const char *bad = argv[optind - 1];
    if (c == ':' || (c == '?' && optopt && strchr(shorts, optopt)))
        cli_usage(s->usage, "option '%s' needs a value ('latent %s --help' lists the options)", bad,
                s->name);
    else
        cli_usage(s->usage, "'%s' is not an option of 'latent %s' ('latent %s --help' lists them)",
                bad, s->name, s->name);
    return CLI_ERROR;
}
