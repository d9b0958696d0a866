/* latent eval: neighbours, analogies and intrinsic evaluations on any vector store.
 * Cosine scores use unit-normalised copies (lt_vecs_normalized). Batched scoring uses
 * OpenBLAS sgemm. Thread-safe for concurrent calls on the same const store. */
#ifndef LATENT_EVAL_H
#define LATENT_EVAL_H
#include "latent/store.h"
#include "latent/classes.h"
#include "latent/index.h"
#include "latent/model.h"
#include "latent/classify.h"
#include "latent/map.h"
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A copy with every row scaled to unit L2 norm (zero rows stay zero). */
lt_vecs *lt_vecs_normalized(const lt_vecs *v);

/* Top-k rows by cosine to q (q need not be unit), among the first `restrict_n` rows
 * (0 = all), skipping `exclude` ids. Ties: lower id first. Writes up to k results and
 * returns how many. vn must be normalised. */
int lt_nearest(const lt_vecs *vn, const float *q, int k, int64_t restrict_n, const int64_t *exclude,
        int n_ex, int64_t *ids, float *scores);

typedef enum { LT_ANALOGY_ADD = 0, LT_ANALOGY_MUL = 1 } lt_analogy_method;
/* a : b :: c : ?  (b - a + c for 3CosAdd; Levy-Goldberg 3CosMul). Query words excluded. */
int lt_analogy(const lt_vecs *vn, int64_t a, int64_t b, int64_t c, lt_analogy_method m, int k,
        int64_t restrict_n, int64_t *ids, float *scores);

typedef struct lt_analogy_section {
    char name[128];
    int64_t correct, total, skipped;
} lt_analogy_section;
/* One question of the file, in file order: its section, the rows of its four words (-1 when
 * a word is outside the restricted vocabulary; the question is then skipped) and the row the
 * method predicted (-1 when skipped). */
typedef struct lt_analogy_item {
    int sec;
    int64_t q[4], predicted;
} lt_analogy_item;
typedef struct lt_analogy_report {
    lt_analogy_section *sections;
    int n_sections;
    int64_t sem_correct, sem_total, syn_correct, syn_total, correct, total, questions;
    lt_analogy_item *items; /* `questions` items */
} lt_analogy_report;
/* Google analogy file (": section" headers, "a b c d" lines). Words matched case-
 * insensitively against the `restrict_n` most frequent rows (store order), as gensim's
 * evaluate_word_analogies does; sections named "gram*" are syntactic. */
int lt_eval_analogy(const lt_vecs *v, const char *path, int64_t restrict_n, lt_analogy_method m,
        int n_threads, lt_analogy_report *out);
void lt_analogy_report_destroy(lt_analogy_report *r);

typedef struct lt_similarity_report {
    double spearman, pearson;
    int64_t used, total, oov_filled;
} lt_similarity_report;
/* "w1<TAB>w2<TAB>score" lines, '#' comments; case-insensitive lookup. */
int lt_eval_similarity(
        const lt_vecs *v, const char *path, int64_t restrict_n, lt_similarity_report *out);
/* The same; with oov, a word missing from the rows takes its subword vector (fastText models,
 * lt_vecs_subword; counted in oov_filled), as fastText's print-word-vectors would give it. */
int lt_eval_similarity_oov(
        const lt_vecs *v, const char *path, int64_t restrict_n, int oov, lt_similarity_report *out);
/* Node classification (the DeepWalk / node2vec protocol): labels file "node<TAB>label" per
 * line (a node may have several lines: multi-label); nodes are matched to the vectors'
 * labels. Repeated random splits (train_ratio of the labelled nodes for training, split r
 * from RNG stream r of seed), one-vs-rest logistic regression per label, macro- and
 * micro-F1 under the top-k rule (each test node gets its k best labels, k = its true label
 * count) and under thresholding (every label with probability > 0.5); mean and standard
 * deviation over the repeats. train_list: a file of node ids used as the one training set. */
typedef struct lt_node_eval_opts {
    double train_ratio;
    int repeats;
    uint64_t seed;
    int n_threads;
    double C;
    const char *train_list;
} lt_node_eval_opts;
void lt_node_eval_opts_init(lt_node_eval_opts *o); /* 0.5, 10 repeats, seed 1, 1 thread, C 1 */
typedef struct lt_node_eval_result {
    double macro_topk, micro_topk, macro_thr, micro_thr;
    double sd_macro_topk, sd_micro_topk, sd_macro_thr, sd_micro_thr;
    int64_t nodes, n_train, n_test, multilabel_nodes;
    int labels, repeats;
} lt_node_eval_result;
int lt_eval_nodes(const lt_vecs *v, const char *labels_path, const lt_node_eval_opts *o,
        lt_node_eval_result *out);

/* Graph classification: stratified k-fold cross-validation (folds drawn from seed), features
 * standardised on each training fold; accuracy mean and standard deviation over the folds.
 * Classifiers: one-vs-rest logistic regression, or an RBF-kernel SVM (one-vs-one voting
 * between classes, as LIBSVM; gamma 0 means scikit-learn's 'scale', 1 / (features x the
 * variance of the standardised training matrix)). With several values of C, each outer
 * fold picks its C by an inner stratified 3-fold CV on its training part (the first listed
 * wins ties), so the reported accuracy is not tuned on the test folds. Labels: "id class"
 * lines matched to the vectors' labels. */
typedef enum { LT_CLF_LOGREG = 0, LT_CLF_SVM } lt_classifier;
#define LT_MAX_C 16
typedef struct lt_graph_eval_opts {
    int folds;
    uint64_t seed;
    lt_classifier clf;
    double C[LT_MAX_C];
    int n_C;
    double gamma;
    int n_threads; /* folds evaluated in parallel */
} lt_graph_eval_opts;
void lt_graph_eval_opts_init(
        lt_graph_eval_opts *o); /* 10 folds, seed 1, logistic regression, C 1, 1 thread */
typedef struct lt_graph_eval_result {
    double accuracy, sd;
    double C; /* the C chosen most often over the folds (the only one when one is given) */
    int64_t items;
    int classes, folds;
} lt_graph_eval_result;
int lt_eval_graphs(const lt_vecs *v, const char *labels_path, const lt_graph_eval_opts *o,
        lt_graph_eval_result *out);

/* Linear and nearest-neighbour probes: how well a representation separates known classes.
 * logreg: multinomial logistic regression, scikit-learn's objective (C * summed cross-entropy
 * + |W|^2 / 2, intercepts not penalised) by L-BFGS; stops when the largest gradient entry of
 * the objective divided by C n is below tol (scikit-learn's lbfgs criterion) or after
 * max_iter. standardize: features centred and scaled on the training rows. knn: the k nearest
 * training rows by exact search (lt_knn_exact), uniform or 1/distance votes (an exact match
 * takes the vote alone), ties to the smaller class. */
typedef enum { LT_PROBE_LOGREG = 0, LT_PROBE_KNN } lt_probe_kind;
typedef struct lt_probe_opts {
    lt_probe_kind kind;
    double C, tol;
    int max_iter, standardize;
    int k, distance_weights;
    lt_metric metric;
    int n_threads;
} lt_probe_opts;
void lt_probe_opts_init(
        lt_probe_opts *o); /* logreg, C 1, tol 1e-4, 1000 iterations; k 5, uniform, L2; 1 thread */
/* auc: two classes only (else NaN): ROC-AUC of the second class's score (logreg: the logit
 * difference; knn: its share of the votes), classes in lt_classes_sort order */
typedef struct lt_probe_result {
    double accuracy, macro_f1, sd_accuracy, auc;
    int64_t n_train, n_test;
    int classes, iterations, folds;
} lt_probe_result;
int lt_probe(const lt_vecs *train, const int *ytrain, const lt_vecs *test, const int *ytest,
        int n_classes, const lt_probe_opts *o, lt_probe_result *out);
/* stratified k-fold cross-validation on one labelled set (folds drawn from seed) */
int lt_probe_cv(const lt_vecs *X, const int *y, int n_classes, int folds, uint64_t seed,
        const lt_probe_opts *o, lt_probe_result *out);

/* An entity model (dense.h) on a held-out table t (name for messages) with its target column:
 * accuracy of the output layer's arg-max, and for two classes the ROC-AUC of logit 1 - logit 0
 * (else NaN). A target value the model was not trained on is an error naming the row. */
typedef struct lt_table lt_table;
int lt_entity_score(const lt_model *m, const lt_table *t, const char *name, const char *target,
        int n_threads, double *accuracy, double *auc);

/* ROC-AUC of scores against labels (> 0 positive), ties sharing their mean rank. */
double lt_roc_auc(const double *score, const int8_t *label, int64_t n);
/* Link prediction on a pairs file ("u v 1|0" lines, as lt_graph_split writes): cosine
 * scores, or an edge feature (Hadamard product, average, |a - b|, (a - b)^2; node2vec's
 * operators) fed to a logistic regression trained on a seeded half of the pairs and scored
 * on the other half. */
typedef enum {
    LT_LINK_COSINE = 0,
    LT_LINK_HADAMARD,
    LT_LINK_AVERAGE,
    LT_LINK_L1,
    LT_LINK_L2
} lt_link_op;
int lt_link_op_from_name(const char *s, lt_link_op *op);
typedef struct lt_link_result {
    double auc;
    int64_t pairs, positives, trained, scored;
} lt_link_result;
int lt_eval_links(const lt_vecs *v, const char *pairs_path, lt_link_op op, uint64_t seed,
        lt_link_result *out);

/* Is this a good representation? Metrics of the rows of V on one seeded sample of `sample`
 * rows (all rows when sample <= 0 or >= n), Euclidean distances in double:
 *  - with source (the same rows before encoding): trustworthiness and continuity at k (Venna
 *    and Kaski; as scikit-learn's trustworthiness), and the mean share of each row's k nearest
 *    neighbours that are also its k nearest in the source (knn_overlap); NaN without;
 *  - redundancy: effective rank (exp of the entropy of the normalised singular values of the
 *    centred rows, Roy and Vetterli 2007), mean |correlation| between dimensions, dead
 *    dimensions (variance below 1e-12 of the largest), mean cosine of 10000 seeded random
 *    pairs (isotropy: 0 for an isotropic cloud), Mu and Viswanath's partition-function ratio
 *    (isotropy: 1 for an isotropic space);
 *  - structure: intrinsic dimension by TwoNN (Facco et al. 2017, maximum likelihood) and by the
 *    Levina-Bickel estimator at k (MacKay and Ghahramani's average), hubness (skewness of the
 *    k-occurrence counts), silhouette (Rousseeuw) when labels (class ids of V's rows) are given;
 *    the mean row norm and its Spearman correlation with the row's position (word vectors
 *    listed by falling frequency: how the norm follows frequency);
 *  - generalisation, with labels: 5-fold cross-validated accuracy of the logistic-regression
 *    and kNN (k) probes on the sample, and the logistic probe on the 1, 2, 4, ... leading
 *    principal components (accuracy against dimension).
 * Memory O(sample^2). */
typedef struct lt_quality_opts {
    int k;
    int64_t sample;
    uint64_t seed;
    int n_threads;
} lt_quality_opts;
void lt_quality_opts_init(lt_quality_opts *o); /* k 10, sample 2000, seed 1, 1 thread */
enum { LT_QUALITY_CURVE = 24 };
typedef struct lt_quality_result {
    int64_t n, d, sample;
    int k;
    double trustworthiness, continuity, knn_overlap;
    double effective_rank, mean_abs_corr, mean_cosine;
    int64_t dead_dims;
    double isotropy_pf; /* Mu & Viswanath: min over max of Z(c) = sum exp(c.x), c the eigenvectors of X^T X, both signs */
    double mean_norm, norm_rank_spearman; /* Spearman of the row norm against the row's position */
    double intrinsic_dim_twonn, intrinsic_dim_mle, hubness, silhouette;
    double probe_logreg, probe_knn; /* 5-fold CV accuracy of the labels on the sample */
    double reconstruction_mse,
            explained_variance; /* lt_reconstruction_error, on every row; NaN without */
    double spectrum[256];
    int n_spectrum; /* the leading singular values of the centred sample, descending */
    /* the logistic-regression probe (5-fold CV) on the curve_dim[i] leading principal components */
    int n_curve, curve_dim[LT_QUALITY_CURVE];
    double curve_acc[LT_QUALITY_CURVE];
} lt_quality_result;
int lt_quality(const lt_vecs *V, const lt_vecs *source, const int *labels, int n_classes,
        const lt_quality_opts *o, lt_quality_result *out);
/* What an encoder keeps (information retained), on every row: X the rows it was given and R
 * their reconstructions (lt_reconstruct in dense.h), the same shape: the mean squared error
 * per value and the explained variance 1 - sum |x - r|^2 / sum |x - mean(X)|^2 (for PCA on
 * its training rows: the sum of the explained variance ratios). Sums in double. */
int lt_reconstruction_error(const lt_vecs *X, const lt_vecs *R, lt_quality_result *q);
/* the metrics by index: snake-case key, one-line meaning, value (NaN when not computed), and
 * the rows it came from (the sample, or every row) */
int lt_quality_n_metrics(void);
const char *lt_quality_key(int i);
const char *lt_quality_meaning(int i);
double lt_quality_value(const lt_quality_result *q, int i);
int64_t lt_quality_rows(const lt_quality_result *q, int i);
/* The task evaluations of a folder (the report's --eval-dir): each regular file, in name
 * order, is read as what its first data lines show: ": section" headers or four words: an
 * analogy set (3CosAdd in the 30000 first rows, accuracy); two words and a number by tabs
 * (not in a file named *edge*): a similarity set (Spearman of the cosines); two columns in a file named
 * *label*: node labels (node classification, micro-F1 by the top-k rule). Other files are
 * passed over. An evaluation that fails (or vectors without labels to match) gives NaN and
 * the reason in `note`. *out: lt_free. */
typedef struct lt_eval_entry {
    char file[256], task[16], metric[16];
    double value;
    int64_t used, total;
    char note[200];
} lt_eval_entry;
int lt_eval_dir(const lt_vecs *v, const char *dir, int n_threads, lt_eval_entry **out, int *n_out);

/* A self-contained HTML page (no network): the metric table, the evaluations, t-SNE and UMAP
 * maps of a seeded sample of at most map_rows rows (coloured by labels when given), the
 * singular-value spectrum, probe accuracy against dimension (labels) and the rows' norms
 * against their positions, each PNG a data: URI. progress (optional): one bar per map.
 * Written atomically. */
typedef struct lt_report_opts {
    uint64_t seed;
    int map_rows;
    int n_threads;
    const lt_eval_entry *evals;
    int n_evals;
    lt_progress *progress;
} lt_report_opts;
void lt_report_opts_init(lt_report_opts *o); /* seed 1, 5000 map rows, 1 thread, no evaluations */
int lt_report_html(const char *path, const char *title, const lt_vecs *V, const int *labels,
        int n_classes, const char *const *class_names, const lt_quality_result *q,
        const lt_report_opts *o);

/* Spearman rho with average ranks for ties; Pearson r. */
double lt_spearman(const double *x, const double *y, int64_t n);
double lt_pearson(const double *x, const double *y, int64_t n);

#ifdef __cplusplus
}
#endif
#endif
