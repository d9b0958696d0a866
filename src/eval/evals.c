/* The report's task evaluations (lt_eval_dir in eval.h): every file of a folder whose content
 * (and name) says what it is, run through the matching evaluator. */
#include "latent/eval.h"
#include <ctype.h>
#include <math.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int ntok(const char *s, const char **last) {
    int n = 0;
    *last = NULL;
    while (*s) {
        while (*s == ' ' || *s == '\t' || *s == ',' || *s == '\r' || *s == '\n') s++;
        if (!*s) break;
        n++;
        *last = s;
        while (*s && *s != ' ' && *s != '\t' && *s != ',' && *s != '\r' && *s != '\n') s++;
    }
    return n;
}

static int has(const char *name, const char *w) {
    char low[256];
    size_t i = 0;
    for (; name[i] && i < sizeof low - 1; i++) low[i] = (char)tolower((unsigned char)name[i]);
    low[i] = 0;
    return strstr(low, w) != NULL;
}

/* what a file holds, from its first data lines: 'a' analogy (": section" headers or four
 * words), 's' similarity (two words and a number, tab-separated; not a file named as edges), 'n' node
 * labels (two columns, the name says labels), 0 unknown */
static int sniff(const char *path, const char *name) {
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    char line[4096];
    int kind = 0, seen = 0;
    while (!kind && seen < 20 && fgets(line, sizeof line, f)) {
        const char *p = line, *last;
        while (*p == ' ' || *p == '\t') p++;
        if (*p == '#' || *p == '\n' || *p == '\r' || !*p) continue;
        seen++;
        if (*p == ':') {
            kind = 'a';
            break;
        }
        int t = ntok(p, &last);
        char *end;
        if (t == 4) kind = 'a';
        else if (t == 3 && strchr(p, '\t') && (strtod(last, &end), end != last) &&
                !has(name, "edge"))
            kind = 's';
        else if (t == 2 && has(name, "label")) kind = 'n';
        else break;
    }
    fclose(f);
    return kind;
}

static int cmp_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static lt_eval_entry *add(lt_eval_entry **e, int *n, int *cap, const char *file, const char *task,
        const char *metric) {
    if (*n == *cap) {
        int nc = *cap ? 2 * *cap : 8;
        lt_eval_entry *t = lt_realloc(*e, (size_t)nc * sizeof *t);
        if (!t) return NULL;
        *e = t;
        *cap = nc;
    }
    lt_eval_entry *x = &(*e)[(*n)++];
    memset(x, 0, sizeof *x);
    snprintf(x->file, sizeof x->file, "%s", file);
    snprintf(x->task, sizeof x->task, "%s", task);
    snprintf(x->metric, sizeof x->metric, "%s", metric);
    return x;
}

int lt_eval_dir(const lt_vecs *v, const char *dir, int n_threads, lt_eval_entry **out, int *n_out) {
    *out = NULL;
    *n_out = 0;
    DIR *d = opendir(dir);
    if (!d) return lt_err(LT_EIO, "%s: cannot open the evaluation folder", dir);
    char **names = NULL;
    int nn = 0, capn = 0, rc = LT_OK;
    for (struct dirent *de; rc == LT_OK && (de = readdir(d));) {
        if (de->d_name[0] == '.') continue;
        if (nn == capn) {
            char **t = lt_realloc(names, (size_t)(capn = capn ? 2 * capn : 16) * sizeof *t);
            if (!t) {
                rc = lt_err(LT_ENOMEM, "out of memory");
                break;
            }
            names = t;
        }
        if (!(names[nn] = lt_strdup(de->d_name))) rc = lt_err(LT_ENOMEM, "out of memory");
        else nn++;
    }
    closedir(d);
    if (names) qsort(names, (size_t)nn, sizeof *names, cmp_names);
    lt_eval_entry *e = NULL;
    int n = 0, cap = 0;
    for (int i = 0; rc == LT_OK && i < nn; i++) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (stat(path, &st) || !S_ISREG(st.st_mode)) continue;
        int kind = sniff(path, names[i]);
        if (!kind) continue;
        if (!v->labels) { /* words and nodes are found by the rows' labels */
            lt_eval_entry *x = add(&e, &n, &cap, names[i],
                    kind == 'a'           ? "analogy"
                            : kind == 's' ? "similarity"
                                          : "nodes",
                    "-");
            if (!x) {
                rc = lt_err(LT_ENOMEM, "out of memory");
                break;
            }
            x->value = NAN;
            snprintf(x->note, sizeof x->note, "skipped: the vectors have no labels to match");
            continue;
        }
        if (kind == 'a') {
            lt_analogy_report r;
            lt_eval_entry *x = add(&e, &n, &cap, names[i], "analogy", "accuracy");
            if (!x) {
                rc = lt_err(LT_ENOMEM, "out of memory");
                break;
            }
            if (lt_eval_analogy(v, path, 30000, LT_ANALOGY_ADD, n_threads, &r) == LT_OK) {
                x->value = r.total ? (double)r.correct / (double)r.total : NAN;
                x->used = r.total;
                x->total = r.questions;
                snprintf(x->note, sizeof x->note,
                        "3CosAdd in the 30000 first rows; semantic %.4f, syntactic %.4f",
                        r.sem_total ? (double)r.sem_correct / (double)r.sem_total : NAN,
                        r.syn_total ? (double)r.syn_correct / (double)r.syn_total : NAN);
                lt_analogy_report_destroy(&r);
            } else {
                x->value = NAN;
                snprintf(x->note, sizeof x->note, "%s", lt_errmsg());
            }
        } else if (kind == 's') {
            lt_similarity_report r;
            lt_eval_entry *x = add(&e, &n, &cap, names[i], "similarity", "spearman");
            if (!x) {
                rc = lt_err(LT_ENOMEM, "out of memory");
                break;
            }
            if (lt_eval_similarity(v, path, 300000, &r) == LT_OK) {
                x->value = r.spearman;
                x->used = r.used;
                x->total = r.total;
                snprintf(x->note, sizeof x->note, "cosine; Pearson %.4f", r.pearson);
            } else {
                x->value = NAN;
                snprintf(x->note, sizeof x->note, "%s", lt_errmsg());
            }
        } else {
            lt_node_eval_opts o;
            lt_node_eval_opts_init(&o);
            o.n_threads = n_threads;
            lt_node_eval_result r;
            lt_eval_entry *x = add(&e, &n, &cap, names[i], "nodes", "micro_f1");
            if (!x) {
                rc = lt_err(LT_ENOMEM, "out of memory");
                break;
            }
            if (lt_eval_nodes(v, path, &o, &r) == LT_OK) {
                x->value = r.micro_topk;
                x->used = r.nodes;
                x->total = r.nodes;
                snprintf(x->note, sizeof x->note,
                        "one-vs-rest logistic regression, 50%% train, %d splits; macro-F1 %.4f",
                        r.repeats, r.macro_topk);
            } else {
                x->value = NAN;
                snprintf(x->note, sizeof x->note, "%s", lt_errmsg());
            }
        }
    }
    for (int i = 0; i < nn; i++) lt_free(names[i]);
    lt_free(names);
    if (rc) {
        lt_free(e);
        return rc;
    }
    *out = e;
    *n_out = n;
    return LT_OK;
}
