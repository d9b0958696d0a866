"""Tiny random encoders of the rotary families latent reads (Qwen3, ModernBERT, Gemma 3, Nomic BERT,
GTE), with what
transformers and sentence-transformers compute for them: the fixtures tests/test_bert.c checks
(committed, so `make test` needs no torch).

    make_rotary_fixtures.py TOKENIZERS_DIR OUT_DIR

TOKENIZERS_DIR is what tools/py/make_tokenizers.py wrote (build/tok_kinds after
tests/tok_real.sh). For each family, OUT_DIR/<name>/: st/ (a sentence-transformers folder),
embeddings.npy (SentenceTransformer.encode of OUT_DIR/sentences.json, float32, max_seq_length
64), ids.json (transformers' tokenizer), long.txt and long.npy (one input of about 4,096
tokens encoded with max_seq_length 4,200), VERSIONS; for Nomic BERT and GTE also st-native/ and
st-orig/ (see layouts()). The weights are drawn wider than the
families' initialisers (std 0.3; norms 1 +- 0.2), so that attention is far from uniform and a
wrong mask, rotation or head grouping shows.
"""
import json
import os
import shutil
import sys

import numpy as np
import torch
import transformers
import sentence_transformers
from sentence_transformers import SentenceTransformer, models

BERT = dict(unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]",
            model_input_names=["input_ids", "attention_mask"])
SPM = dict(unk_token="<unk>", pad_token="<pad>", bos_token="<s>", eos_token="</s>",
           model_input_names=["input_ids", "attention_mask"])
QWEN = dict(unk_token="<unk>", pad_token="<pad>", eos_token="</s>", model_input_names=["input_ids", "attention_mask"])

FAMILIES = [
    # name, config, tokenizer kind, its special tokens, padding side, pooling, prompts, Dense layers
    ("qwen3", lambda v: transformers.Qwen3Config(
        vocab_size=v, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2, head_dim=16,
        intermediate_size=48, max_position_embeddings=8192, rms_norm_eps=1e-6,
        rope_parameters={"rope_type": "default", "rope_theta": 10000.0}, pad_token_id=1, eos_token_id=2),
     "bpe-bytelevel", QWEN, "left", "lasttoken", {"query": "Instruct: find the passage\nQuery: ", "document": ""}, []),
    ("modernbert", lambda v: transformers.ModernBertConfig(
        vocab_size=v, hidden_size=32, num_hidden_layers=4, num_attention_heads=4, intermediate_size=48,
        max_position_embeddings=8192, local_attention=16, global_attn_every_n_layers=3, global_rope_theta=160000.0,
        local_rope_theta=10000.0, pad_token_id=0, cls_token_id=2, sep_token_id=3, bos_token_id=2, eos_token_id=3),
     "wordpiece", BERT, "right", "mean", None, []),
    # EmbeddingGemma's shape: bidirectional, sliding and full layers, mean pooling, two Dense layers
    ("gemma3", lambda v: transformers.Gemma3TextConfig(
        vocab_size=v, hidden_size=32, num_hidden_layers=4, num_attention_heads=4, num_key_value_heads=2, head_dim=16,
        intermediate_size=48, max_position_embeddings=8192, query_pre_attn_scalar=16, sliding_window=16,
        layer_types=["sliding_attention", "sliding_attention", "full_attention", "sliding_attention"],
        use_bidirectional_attention=True, hidden_activation="gelu_pytorch_tanh",
        rope_parameters={"full_attention": {"rope_type": "default", "rope_theta": 1000000.0},
                         "sliding_attention": {"rope_type": "default", "rope_theta": 10000.0}},
        pad_token_id=1, bos_token_id=0, eos_token_id=2),
     "sp-bpe", SPM, "right", "mean", {"query": "task: search result | query: "}, [(32, 64), (64, 32)]),
    # the same family as the decoder it is: causal, the window behind each token, last-token pooling
    ("gemma3-causal", lambda v: transformers.Gemma3TextConfig(
        vocab_size=v, hidden_size=32, num_hidden_layers=3, num_attention_heads=4, num_key_value_heads=1, head_dim=8,
        intermediate_size=48, max_position_embeddings=8192, query_pre_attn_scalar=8, sliding_window=12,
        sliding_window_pattern=2, use_bidirectional_attention=False, hidden_activation="gelu_pytorch_tanh",
        pad_token_id=1, bos_token_id=0, eos_token_id=2),
     "sp-bpe", SPM, "right", "lasttoken", None, []),
    ("nomic_bert", lambda v: transformers.NomicBertConfig(
        vocab_size=v, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=48,
        max_position_embeddings=8192, type_vocab_size=2, rope_parameters={"rope_type": "default", "rope_theta": 1000.0},
        pad_token_id=0),
     "wordpiece", dict(BERT, model_input_names=["input_ids", "token_type_ids", "attention_mask"]), "right", "mean",
     {"query": "search_query: ", "document": "search_document: "}, []),
    ("gte", lambda v: transformers.GteConfig(
        vocab_size=v, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=48,
        max_position_embeddings=8192, type_vocab_size=1, rope_parameters={"rope_type": "default", "rope_theta": 160000.0},
        pad_token_id=1),
     "unigram-spm", dict(unk_token="<unk>", pad_token="<pad>", bos_token="<s>", eos_token="</s>", cls_token="<s>",
                         sep_token="</s>", mask_token="<mask>"), "right", "cls", None, []),
]


PUBLISHED = {"nomic_bert": "encoder.layers.0.attn.Wqkv.weight", "gte": "encoder.layer.0.attention.qkv_proj.weight"}


def layouts(name, st_dir, d):
    """transformers saves Nomic BERT and GTE in the published checkpoints' layout (fused QKV, their tensor names;
    asserted here). Two more folders of the same weights: st-native, the names of transformers' own modules (what
    model.state_dict() holds), checked to load back to the same outputs; st-orig, the published config.json keys
    (Nomic's GPT-2 spellings, GTE's model_type "new"), which transformers itself does not read."""
    from safetensors.torch import load_file, save_file
    assert PUBLISHED[name] in load_file(os.path.join(st_dir, "model.safetensors")), name
    ref = transformers.AutoModel.from_pretrained(st_dir).eval()
    nat = os.path.join(d, "st-native")
    shutil.copytree(st_dir, nat)
    save_file({k: v.contiguous() for k, v in ref.state_dict().items()}, os.path.join(nat, "model.safetensors"),
              metadata={"format": "pt"})
    back = transformers.AutoModel.from_pretrained(nat).eval()
    cfg = json.load(open(os.path.join(st_dir, "config.json")))
    ids = torch.randint(5, cfg["vocab_size"], (2, 40), generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        diff = (ref(input_ids=ids).last_hidden_state - back(input_ids=ids).last_hidden_state).abs().max().item()
    assert diff == 0, f"{name}: transformers' own names load back otherwise ({diff})"
    org = os.path.join(d, "st-orig")
    shutil.copytree(st_dir, org)
    theta = cfg["rope_parameters"]["rope_theta"]
    del cfg["rope_parameters"]
    if name == "nomic_bert":
        for k, g in (("hidden_size", "n_embd"), ("num_hidden_layers", "n_layer"), ("num_attention_heads", "n_head"),
                     ("intermediate_size", "n_inner"), ("max_position_embeddings", "n_positions"),
                     ("layer_norm_eps", "layer_norm_epsilon")):
            cfg[g] = cfg.pop(k)
        del cfg["hidden_act"]
        cfg.update(activation_function="swiglu", rotary_emb_base=theta, rotary_emb_fraction=1.0,
                   rotary_emb_interleaved=False, rotary_scaling_factor=None, prenorm=False, qkv_proj_bias=False,
                   mlp_fc1_bias=False, mlp_fc2_bias=False, causal=False, use_rms_norm=False)
    else:
        cfg.update(model_type="new", architectures=["NewModel"], rope_theta=theta, rope_scaling=None,
                   position_embedding_type="rope", layer_norm_type="layer_norm", pack_qkv=True,
                   logn_attention_scale=False)
    with open(os.path.join(org, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)


def widen(model, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.ndim == 1 and "norm" in name:
                p.copy_(1 + 0.2 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(0.3 * torch.randn(p.shape, generator=g))


def tokenizer_json(kind_dir, name, out):
    """the kind's tokenizer.json; Qwen3's appends the end-of-text token (as Qwen3-Embedding's)"""
    t = json.load(open(os.path.join(kind_dir, "tokenizer.json"), encoding="utf-8"))
    if name == "qwen3":
        eos = [a for a in t["added_tokens"] if a["content"] == "</s>"][0]["id"]
        t["post_processor"] = {"type": "TemplateProcessing",
                               "single": [{"Sequence": {"id": "A", "type_id": 0}},
                                          {"SpecialToken": {"id": "</s>", "type_id": 0}}],
                               "pair": [{"Sequence": {"id": "A", "type_id": 0}},
                                        {"SpecialToken": {"id": "</s>", "type_id": 0}},
                                        {"Sequence": {"id": "B", "type_id": 1}},
                                        {"SpecialToken": {"id": "</s>", "type_id": 1}}],
                               "special_tokens": {"</s>": {"id": "</s>", "ids": [eos], "tokens": ["</s>"]}}}
    with open(os.path.join(out, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(t, f, ensure_ascii=False)


def long_text(lines_path, tok, n_tokens):
    """real lines of the tokenizer corpus joined until the text has about n_tokens tokens"""
    text, parts = "", []
    with open(lines_path, encoding="utf-8") as f:
        for line in f:
            parts.append(json.loads(line))
            if len(parts) % 20 == 0:
                text = " ".join(parts)
                if len(tok(text)["input_ids"]) >= n_tokens:
                    break
    ids = tok(text)["input_ids"]
    while len(ids) > n_tokens:   # trim whole words from the end
        text = text[: text.rstrip().rfind(" ")]
        ids = tok(text)["input_ids"]
    return text


def main():
    tok_dir, out = sys.argv[1], sys.argv[2]
    sentences = json.load(open(os.path.join(out, "sentences.json"), encoding="utf-8"))
    only = sys.argv[3:]   # names to (re)make; all when none
    for fi, (name, make_cfg, kind, specials, side, pooling, prompts, dense) in enumerate(FAMILIES):
        if only and name not in only:
            continue
        torch.manual_seed(3000 + fi)
        d = os.path.join(out, name)
        hf = os.path.join(d, "hf")
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(hf)
        tokenizer_json(os.path.join(tok_dir, kind), name, hf)
        tok = transformers.PreTrainedTokenizerFast(tokenizer_file=os.path.join(hf, "tokenizer.json"), **specials)
        tok.model_max_length = 8192
        tok.padding_side = side
        tok.save_pretrained(hf)
        model = transformers.AutoModel.from_config(make_cfg(len(tok)))
        widen(model, 4000 + fi)
        model.eval()
        model.save_pretrained(hf, safe_serialization=True)
        tr = models.Transformer(hf, max_seq_length=64)
        mods = [tr, models.Pooling(32, pooling_mode=pooling)]
        mods += [models.Dense(i, o, bias=False, activation_function=torch.nn.Identity()) for i, o in dense]
        mods.append(models.Normalize())
        st = SentenceTransformer(modules=mods, device="cpu", prompts=prompts)
        st.save(os.path.join(d, "st"))
        shutil.rmtree(hf)
        st = SentenceTransformer(os.path.join(d, "st"), device="cpu")
        np.save(os.path.join(d, "embeddings.npy"),
                st.encode(sentences, batch_size=4, convert_to_numpy=True).astype(np.float32))
        if prompts:
            np.save(os.path.join(d, "embeddings_query.npy"),
                    st.encode(sentences, batch_size=4, prompt_name="query", convert_to_numpy=True).astype(np.float32))
        ids = [tok(s, truncation=True, max_length=64)["input_ids"] for s in sentences]
        with open(os.path.join(d, "ids.json"), "w") as f:
            json.dump(ids, f)
        text = long_text(os.path.join(os.path.dirname(tok_dir.rstrip("/")), "tok_kinds.lines.jsonl"), tok, 4096)
        with open(os.path.join(d, "long.txt"), "w", encoding="utf-8") as f:
            f.write(text)
        st.max_seq_length = 4200
        np.save(os.path.join(d, "long.npy"), st.encode([text], convert_to_numpy=True).astype(np.float32))
        with open(os.path.join(d, "long_tokens"), "w") as f:
            f.write(f"{len(tok(text)['input_ids'])}\n")
        for extra_file in ("README.md",):
            p = os.path.join(d, "st", extra_file)
            if os.path.exists(p):
                os.remove(p)
        if name in ("nomic_bert", "gte"):
            layouts(name, os.path.join(d, "st"), d)
        with open(os.path.join(d, "VERSIONS"), "w") as f:
            f.write(f"torch {torch.__version__}\ntransformers {transformers.__version__}\n"
                    f"sentence-transformers {sentence_transformers.__version__}\n")


if __name__ == "__main__":
    main()
