/* Shared CLI helpers. Exit codes: 0 ok, 1 runtime error, 2 usage. */
#ifndef LT_CLI_H
#define LT_CLI_H
#include "latent/latent.h"
#include <getopt.h>
#include <stdio.h>

typedef struct cmd {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} cmd;

/* Option tables: one per command; `arg` is the value's name in the help (NULL for a flag). */
typedef struct cli_opt {
    const char *name;
    char shrt;
    const char *arg;
    int id;
    const char *help;
} cli_opt;
typedef struct cli_spec {
    const char *name, *usage;
    const cli_opt *opts;
} cli_spec;
enum { CLI_END = -1, CLI_HELP = -2, CLI_ERROR = -3 };
/* Next option of argv: its id, CLI_END, CLI_HELP (help printed: exit 0) or CLI_ERROR (usage
 * error printed: exit 2). Reset optind = 1 before the first call. */
int cli_getopt(int argc, char **argv, const cli_spec *s, const char **arg);
void cli_help(const cli_spec *s, FILE *f);
#define CLI_DONE(c) ((c) == CLI_HELP ? 0 : 2) /* exit code after CLI_HELP / CLI_ERROR */

int cli_fail(const char *what); /* prints "latent: <what>: <errmsg>", returns 1 */
int cli_usage(const char *usage, const char *fmt, ...); /* prints a usage error, returns 2 */
int cli_int(const char *s, long long lo, long long hi, long long *out);
int cli_float(const char *s, double lo, double hi, double *out);
int cli_load(const char *path, const char *fmt, lt_vecs **out); /* prints errors */
int64_t cli_lookup(const lt_vecs *v, const char *word); /* prints if missing */
/* a word's vector: its row (*id set), else from a fastText model's n-grams (*id = -1); -1 and a
 * message when it has neither */
int cli_word_vec(const lt_vecs *v, const char *word, float *out, int64_t *id);
int cli_word_vec_silent(
        const lt_vecs *v, const char *word, float *out, int64_t *id); /* no message */
/* saves v (f16: native half precision) and frees it; prints errors */
int cli_save_vecs(lt_vecs *v, const char *out, lt_format f, int f16);
/* inputs of embed/tokenize, one per line or JSON Lines ("text", and id_field for labels);
 * errors printed with the file and line */
typedef struct {
    char **text;
    size_t *len;
    char **id;
    int64_t n, cap;
} cli_inputs;
int cli_read_inputs(const char *path, int jsonl, const char *id_field, cli_inputs *in);
void cli_free_inputs(cli_inputs *in);
int cli_quiet(void);
/* latent embed MODEL IMAGE|DIR... (cli/embed_images.c) */
typedef struct cli_image_opts {
    const char *out;
    lt_format f;
    int threads, batch, bf16, normalize; /* normalize: 1 L2-normalise the rows */
} cli_image_opts;
int cli_embed_images(const char *model, char *const *args, int nargs, const cli_image_opts *o);
/* the PNG/JPEG files of args (folders walked, sorted): *files (free each and the array) */
int cli_image_files(char *const *args, int nargs, char ***files, int *n);
/* the image tower's features of n files (decoded, preprocessed) into out (row stride ld),
 * batches of B; prints the error and returns 1 on failure */
int cli_image_features(const lt_vision *v, const lt_image_prep *prep, char *const *files, int n,
        int B, int threads, float *out, int64_t ld);
void cli_l2_normalize(float *row, int d);
int cli_is_dir(const char *path); /* 1 when path names a folder */
void cli_set_quiet(int q);
/* output helpers (out.c) */
void cli_json_str(FILE *f, const char *s);
void cli_json_num(FILE *f, double x); /* null for NaN/inf */
int64_t cli_fit_labels(
        lt_vecs *v, lt_format f); /* labels as format f can hold them; the count changed */
void cli_jprintf(FILE *f, const char *fmt, ...)
        __attribute__((format(printf, 2, 3))); /* non-finite -> null */
void cli_hits_header(FILE *f, const char *score);
/* one query's neighbours: TSV rows "query rank id label score" or one JSON object */
void cli_hits(FILE *f, int json, const char *query, const char *score, const int64_t *ids,
        const float *sc, int n, const lt_vecs *labels);

int cmd_train(int argc, char **argv);
int cmd_train_graph(const char *method, int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_train_graphs(const char *method, int argc, char **argv);
int cmd_train_glove(int argc, char **argv);
int cmd_train_nn(const char *method, int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_similar(int argc, char **argv);
int cmd_analogy(int argc, char **argv);
int cmd_similarity(int argc, char **argv);
int cmd_doesnt_match(int argc, char **argv);
int cmd_vector(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_vocab(int argc, char **argv);
int cmd_index(int argc, char **argv);
int cmd_search(int argc, char **argv);
int cmd_eval_recall(int argc, char **argv);
int cmd_eval_nodes(int argc, char **argv);
int cmd_eval_links(int argc, char **argv);
int cmd_eval_graphs(int argc, char **argv);
int cmd_eval_probe(int argc, char **argv);
int cmd_embed(int argc, char **argv);
int cmd_tokenize(int argc, char **argv);
int cmd_rerank(int argc, char **argv);
int cmd_classify(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_fit(int argc, char **argv);
int cmd_encode(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_map(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cli_model_info(const char *path, int json); /* latent info on a .lmodel */
#endif
