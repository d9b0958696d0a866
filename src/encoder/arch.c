/* The encoder architectures latent runs on its one post-LayerNorm transformer (model.c), one
 * table entry each, keyed by config.json's model_type: config keys, tensor names, position
 * offset. Adding a family of this shape is a line here; families that change the block itself
 * (rotary positions, RMSNorm, GLU, causal or windowed attention) read their config and
 * tensors in a file of their own (qwen3.c, modernbert.c) named here by its loader. */
#include "encoder_impl.h"
#include <string.h>

/* BERT's config keys and its layer's tensor names, which RoBERTa's family shares */
#define BERT_CONFIG_KEYS \
    .hidden = "hidden_size", .layers = "num_hidden_layers", .heads = "num_attention_heads", \
    .inter = "intermediate_size", .act = "hidden_act"
#define BERT_LAYER_NAMES \
    .layer = "encoder.layer.%d", .q = "attention.self.query", .k = "attention.self.key", \
    .v = "attention.self.value", .o = "attention.output.dense", \
    .ln1 = "attention.output.LayerNorm", .in = "intermediate.dense", .out = "output.dense", \
    .ln2 = "output.LayerNorm"

static const lt__arch archs[] = {
    { .model_type = "bert",
            BERT_CONFIG_KEYS,
            .prefix = "bert",
            .types = 1,
            .pos_from_pad = 0,
            BERT_LAYER_NAMES,
            .cls_dense = "pooler.dense",
            .cls_out = "classifier",
            .cls_act = 1 },
    { .model_type = "roberta-bert",
            BERT_CONFIG_KEYS,
            .prefix = "bert",
            .types = 1,
            .pos_from_pad = 0,
            BERT_LAYER_NAMES,
            .cls_dense = "pooler.dense",
            .cls_out = "classifier",
            .cls_act = 1 },
    /* RoBERTa's family: BERT's block, positions from padding_idx + 1 */
    { .model_type = "roberta",
            BERT_CONFIG_KEYS,
            .prefix = "roberta",
            .types = 1,
            .pos_from_pad = 1,
            BERT_LAYER_NAMES,
            .cls_dense = "classifier.dense",
            .cls_out = "classifier.out_proj",
            .cls_act = 1 },
    { .model_type = "xlm-roberta",
            BERT_CONFIG_KEYS,
            .prefix = "roberta",
            .types = 1,
            .pos_from_pad = 1,
            BERT_LAYER_NAMES,
            .cls_dense = "classifier.dense",
            .cls_out = "classifier.out_proj",
            .cls_act = 1 },
    { .model_type = "camembert",
            BERT_CONFIG_KEYS,
            .prefix = "roberta",
            .types = 1,
            .pos_from_pad = 1,
            BERT_LAYER_NAMES,
            .cls_dense = "classifier.dense",
            .cls_out = "classifier.out_proj",
            .cls_act = 1 },
    /* MPNet: BERT's block with a relative-position bias on the attention scores */
    { .model_type = "mpnet",
            BERT_CONFIG_KEYS,
            .prefix = "mpnet",
            .types = 0,
            .pos_from_pad = 1,
            .layer = "encoder.layer.%d",
            .q = "attention.attn.q",
            .k = "attention.attn.k",
            .v = "attention.attn.v",
            .o = "attention.attn.o",
            .ln1 = "attention.LayerNorm",
            .in = "intermediate.dense",
            .out = "output.dense",
            .ln2 = "output.LayerNorm",
            .cls_dense = "classifier.dense",
            .cls_out = "classifier.out_proj",
            .cls_act = 1,
            .rel_bias = "encoder.relative_attention_bias.weight",
            .rel_buckets = "relative_attention_num_buckets" },
    /* DistilBERT: the same block under other names, no token types */
    { .model_type = "distilbert",
            .hidden = "dim",
            .layers = "n_layers",
            .heads = "n_heads",
            .inter = "hidden_dim",
            .act = "activation",
            .prefix = "distilbert",
            .types = 0,
            .pos_from_pad = 0,
            .layer = "transformer.layer.%d",
            .q = "attention.q_lin",
            .k = "attention.k_lin",
            .v = "attention.v_lin",
            .o = "attention.out_lin",
            .ln1 = "sa_layer_norm",
            .in = "ffn.lin1",
            .out = "ffn.lin2",
            .ln2 = "output_layer_norm",
            .cls_dense = "pre_classifier",
            .cls_out = "classifier",
            .cls_act = 2 },
    /* families with a block of their own, one file each */
    { .model_type = "qwen3", .load = lt__qwen3_load },
    { .model_type = "modernbert", .load = lt__modernbert_load },
    { .model_type = "gemma3_text", .load = lt__gemma3_load },
    { .model_type = "nomic_bert", .load = lt__nomic_load },
    { .model_type = "gte", .load = lt__gte_load },
    { .model_type = "clip", .load = lt__clip_text_load }, /* the text tower; vision.c the other */
    { .model_type = "clip_text_model", .load = lt__clip_text_load },
    { .model_type = "siglip", .load = lt__siglip_text_load },
    { .model_type = "siglip_text_model", .load = lt__siglip_text_load },
    { .model_type = "new", .load = lt__gte_load }, /* gte's remote-code checkpoints */
};

const lt__arch *lt__arch_find(const char *model_type) {
    for (size_t i = 0; model_type && i < sizeof archs / sizeof archs[0]; i++)
        if (!strcmp(archs[i].model_type, model_type)) return &archs[i];
    return NULL;
}
const char *lt__arch_names(void) {
    return "bert, roberta, xlm-roberta, camembert, distilbert, mpnet, qwen3, modernbert, gemma3_text, nomic_bert, gte (new), clip, siglip (text towers)";
}
