"""Tiny random encoders of each family latent reads, with what transformers and
sentence-transformers compute for them: the fixtures tests/test_bert.c checks (committed, so
`make test` needs no torch).

    make_encoder_fixtures.py TOKENIZERS_DIR OUT_DIR

TOKENIZERS_DIR is what tools/py/make_tokenizers.py wrote (build/tok_kinds after
tests/tok_real.sh). For each family: OUT_DIR/<name>/st, a sentence-transformers folder
(Transformer + Pooling + Normalize, and for one of them a Dense head) holding the model's
config.json, model.safetensors and tokenizer.json; OUT_DIR/<name>/embeddings.npy, what
SentenceTransformer.encode gives for OUT_DIR/sentences.json (float32); OUT_DIR/<name>/ids.json,
the token ids transformers' tokenizer gives; OUT_DIR/VERSIONS.
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

SENTENCES = [
    "The quick brown fox jumps over the lazy dog.",
    "Über den Wolken muss die Freiheit wohl grenzenlos sein.",
    "Привет, как дела? Всё хорошо.",
    "日本語のテキストと中文字符が混ざった文。",
    "A naïve café résumé — with em-dashes…",
    "",
    "   leading and trailing spaces   ",
    "emoji 😀 👍🏽 👨‍👩‍👧 and flags 🇫🇷",
    "<s> special tokens typed </s> in <mask> text",
    "numbers 12345 67.89 and symbols $%&*()",
    "Ελληνικά και العربية και עברית",
    "a",
    "word " * 80,
    "tab\tseparated\tvalues and\nnewlines",
    "zero\u200bwidth and control\u0007 chars",
    "हिन्दी और ไทย",
    "UPPER lower MiXeD",
    "don't can't won't it's",
    "https://example.com/a?b=c&d=e",
    "The end.",
]

ROBERTA = dict(bos_token="<s>", eos_token="</s>", unk_token="<unk>", pad_token="<pad>", cls_token="<s>", sep_token="</s>",
               mask_token="<mask>")
BERT = dict(unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]",
            model_input_names=["input_ids", "token_type_ids", "attention_mask"])   # BERT's pairs carry segment ids
SIZES = dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64, max_position_embeddings=66,
             type_vocab_size=1, hidden_act="gelu")
FAMILIES = [
    # name, transformers config class, its sizes, tokenizer kind, its special tokens, pooling, Dense head
    ("roberta", transformers.RobertaConfig, dict(SIZES, pad_token_id=1, bos_token_id=0, eos_token_id=2), "bpe-bytelevel",
     ROBERTA, "mean", False),
    ("xlm-roberta", transformers.XLMRobertaConfig, dict(SIZES, pad_token_id=1, bos_token_id=0, eos_token_id=2), "unigram-spm",
     ROBERTA, "cls", True),
    ("mpnet", transformers.MPNetConfig, dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
     max_position_embeddings=66, hidden_act="gelu", pad_token_id=1, bos_token_id=0, eos_token_id=2,
     relative_attention_num_buckets=32), "wordpiece", dict(BERT, model_input_names=["input_ids", "attention_mask"]), "mean", False),
    ("distilbert", transformers.DistilBertConfig, dict(dim=32, n_layers=2, n_heads=4, hidden_dim=64, max_position_embeddings=64,
     activation="gelu", pad_token_id=0), "wordpiece", BERT, "max", False),
]


CROSS = [
    # name, task model class, config class, sizes, tokenizer kind, its special tokens
    ("bert-cross", transformers.BertForSequenceClassification, transformers.BertConfig,
     dict(SIZES, type_vocab_size=2, num_labels=1), "wordpiece", BERT),
    ("xlm-roberta-cross", transformers.XLMRobertaForSequenceClassification, transformers.XLMRobertaConfig,
     dict(SIZES, pad_token_id=1, bos_token_id=0, eos_token_id=2, num_labels=1), "unigram-spm", ROBERTA),
    ("distilbert-cross", transformers.DistilBertForSequenceClassification, transformers.DistilBertConfig,
     dict(dim=32, n_layers=2, n_heads=4, hidden_dim=64, max_position_embeddings=64, activation="gelu", pad_token_id=0,
          num_labels=1), "wordpiece", BERT),
]


def cross_encoders(tok_dir, out):
    """Cross-encoder fixtures: <name>/model (the folder), pairs.json, scores.npy (CrossEncoder.predict,
    its default sigmoid) and logits.npy (the head's raw output)."""
    from sentence_transformers import CrossEncoder
    pairs = [[SENTENCES[i], SENTENCES[(i * 7 + 3) % len(SENTENCES)]] for i in range(len(SENTENCES))]
    with open(os.path.join(out, "pairs.json"), "w", encoding="utf-8") as f:
        json.dump(pairs, f, ensure_ascii=False)
    for ci, (name, task_cls, cfg_cls, sizes, kind, specials) in enumerate(CROSS):
        torch.manual_seed(2000 + ci)
        d = os.path.join(out, name)
        md = os.path.join(d, "model")
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(md)
        shutil.copy(os.path.join(tok_dir, kind, "tokenizer.json"), md)
        tok = transformers.PreTrainedTokenizerFast(tokenizer_file=os.path.join(md, "tokenizer.json"), **specials)
        tok.model_max_length = 64
        tok.save_pretrained(md)
        model = task_cls(cfg_cls(vocab_size=len(tok), **sizes))
        model.eval()
        model.save_pretrained(md, safe_serialization=True)
        ce = CrossEncoder(md, device="cpu", max_length=64)
        np.save(os.path.join(d, "scores.npy"), np.asarray(ce.predict(pairs, batch_size=4), dtype=np.float32).reshape(-1, 1))
        with torch.no_grad():
            enc = tok([p[0] for p in pairs], [p[1] for p in pairs], truncation=True, max_length=64, padding=True, return_tensors="pt")
            np.save(os.path.join(d, "logits.npy"), model(**enc).logits.numpy().astype(np.float32))


def quant_fixtures(out):
    """quantize_embeddings of the RoBERTa fixture's embeddings: <out>/roberta/q_<precision>.npy"""
    from sentence_transformers.util.quantization import quantize_embeddings
    emb = np.load(os.path.join(out, "roberta", "embeddings.npy"))
    for p in ("int8", "uint8", "binary", "ubinary"):
        np.save(os.path.join(out, "roberta", f"q_{p}.npy"), quantize_embeddings(emb, precision=p))


def pool_fixtures(out):
    """The RoBERTa fixture pooled each other way sentence-transformers has, without Normalize:
    <out>/roberta/pool_<mode>.npy"""
    st_dir = os.path.join(out, "roberta", "st")
    for mode in ("mean_sqrt_len_tokens", "weightedmean", "lasttoken"):
        st = SentenceTransformer(modules=[models.Transformer(st_dir, max_seq_length=64), models.Pooling(32, pooling_mode=mode)],
                                 device="cpu")
        np.save(os.path.join(out, "roberta", f"pool_{mode}.npy"),
                st.encode(SENTENCES, batch_size=4, convert_to_numpy=True).astype(np.float32))


def main():
    tok_dir, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    with open(os.path.join(out, "sentences.json"), "w", encoding="utf-8") as f:
        json.dump(SENTENCES, f, ensure_ascii=False, indent=0)
    for fi, (name, cfg_cls, sizes, kind, specials, pooling, dense) in enumerate(FAMILIES):
        torch.manual_seed(1000 + fi)   # each family's weights from its own seed: reproducible one by one
        d = os.path.join(out, name)
        hf = os.path.join(d, "hf")
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(hf)
        shutil.copy(os.path.join(tok_dir, kind, "tokenizer.json"), hf)
        tok = transformers.PreTrainedTokenizerFast(tokenizer_file=os.path.join(hf, "tokenizer.json"), **specials)
        tok.model_max_length = 64
        tok.save_pretrained(hf)
        cfg = cfg_cls(vocab_size=len(tok), **sizes)
        model = transformers.AutoModel.from_config(cfg)
        model.eval()
        model.save_pretrained(hf, safe_serialization=True)
        tr = models.Transformer(hf, max_seq_length=64)
        mods = [tr, models.Pooling(32, pooling_mode=pooling)]
        if dense:
            mods.append(models.Dense(32, 16, activation_function=torch.nn.Tanh()))
        mods.append(models.Normalize())
        st = SentenceTransformer(modules=mods, device="cpu")
        st.save(os.path.join(d, "st"))
        shutil.rmtree(hf)   # the sentence-transformers folder holds the model files too
        st = SentenceTransformer(os.path.join(d, "st"), device="cpu")
        emb = st.encode(SENTENCES, batch_size=4, convert_to_numpy=True)
        np.save(os.path.join(d, "embeddings.npy"), emb.astype(np.float32))
        if name == "roberta":   # a prompt, and Matryoshka's first 16 dimensions (renormalised, as latent's --dim)
            np.save(os.path.join(d, "embeddings_prompt.npy"),
                    st.encode(SENTENCES, batch_size=4, prompt="query: ", convert_to_numpy=True).astype(np.float32))
            t = st.encode(SENTENCES, batch_size=4, truncate_dim=16, convert_to_numpy=True).astype(np.float64)
            np.save(os.path.join(d, "embeddings_dim16.npy"), (t / np.linalg.norm(t, axis=1, keepdims=True)).astype(np.float32))
        ids = [tok(s, truncation=True, max_length=64)["input_ids"] for s in SENTENCES]
        with open(os.path.join(d, "ids.json"), "w") as f:
            json.dump(ids, f)
        # drop what latent does not read and the fixture does not need
        for extra_file in ("README.md",):
            p = os.path.join(d, "st", extra_file)
            if os.path.exists(p):
                os.remove(p)
    cross_encoders(tok_dir, out)
    quant_fixtures(out)
    pool_fixtures(out)
    with open(os.path.join(out, "VERSIONS"), "w") as f:
        f.write(f"torch {torch.__version__}\ntransformers {transformers.__version__}\n"
                f"sentence-transformers {sentence_transformers.__version__}\n")


if __name__ == "__main__":
    main()
