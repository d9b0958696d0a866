/* Every public *_opts_init sets every byte of its struct: the same result over memory that held
 * zeros and over memory that held 0xA5 (a field added later and left out of its init would read
 * garbage - a silently wrong default; lt_cat_opts' all_categorical did, caught by the sanitizer). */
#include "test.h"
#include "latent/box.h"

#define SAME_INIT(type, init) \
    do { \
        type a_, b_; \
        memset(&a_, 0x00, sizeof a_); \
        memset(&b_, 0xA5, sizeof b_); \
        init(&a_); \
        init(&b_); \
        CHECK_MSG(!memcmp(&a_, &b_, sizeof a_), "%s leaves bytes unset", #init); \
    } while (0)

TEST(every_opts_init_sets_every_byte) {
    SAME_INIT(lt_bert_opts, lt_bert_opts_init);
    SAME_INIT(lt_cat_opts, lt_cat_opts_init);
    SAME_INIT(lt_corpus_opts, lt_corpus_opts_init);
    SAME_INIT(lt_embed_opts, lt_embed_opts_init);
    SAME_INIT(lt_w2v_opts, lt_fasttext_opts_init);
    SAME_INIT(lt_w2v_opts, lt_w2v_opts_init);
    SAME_INIT(lt_feather_opts, lt_feather_opts_init);
    SAME_INIT(lt_glove_opts, lt_glove_opts_init);
    SAME_INIT(lt_glove_text_opts, lt_glove_text_opts_init);
    SAME_INIT(lt_graph_eval_opts, lt_graph_eval_opts_init);
    SAME_INIT(lt_graph_opts, lt_graph_opts_init);
    SAME_INIT(lt_hnsw_opts, lt_hnsw_opts_init);
    SAME_INIT(lt_kernel_opts, lt_kernel_opts_init);
    SAME_INIT(lt_logreg_opts, lt_logreg_opts_init);
    SAME_INIT(lt_map_opts, lt_map_opts_init);
    SAME_INIT(lt_neural_opts, lt_neural_opts_init);
    SAME_INIT(lt_nn_train_opts, lt_nn_train_opts_init);
    SAME_INIT(lt_node_eval_opts, lt_node_eval_opts_init);
    SAME_INIT(lt_pca_opts, lt_pca_opts_init);
    SAME_INIT(lt_plot_opts, lt_plot_opts_init);
    SAME_INIT(lt_probe_opts, lt_probe_opts_init);
    SAME_INIT(lt_quality_opts, lt_quality_opts_init);
    SAME_INIT(lt_report_opts, lt_report_opts_init);
    SAME_INIT(lt_save_opts, lt_save_opts_init);
    SAME_INIT(lt_sgns_opts, lt_sgns_opts_init);
    SAME_INIT(lt_svm_opts, lt_svm_opts_init);
    SAME_INIT(lt_vocab_opts, lt_vocab_opts_init);
    SAME_INIT(lt_walk_opts, lt_walk_opts_init);
    SAME_INIT(lt_n2v_opts, lt_n2v_opts_init);
}

RUN_TESTS(T(every_opts_init_sets_every_byte))
