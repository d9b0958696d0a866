"""Trains the tokenizer.json files latent's tokenizer is checked against, with Hugging Face's
own `tokenizers` (and, for the Precompiled normalizer XLM-R models carry, SentencePiece's
trainer and transformers' converter, as a model's tokenizer.json is made).

    make_tokenizers.py LINES.jsonl OUTDIR

Writes OUTDIR/<kind>/tokenizer.json for each kind:
  bpe-bytelevel   RoBERTa/GPT-2 style: ByteLevel pre-tokenizer (GPT-2's regex), BPE,
                  RobertaProcessing, <mask> with lstrip
  sp-bpe          Llama/SentencePiece style: Prepend + Replace normalizer, no pre-tokenizer,
                  BPE with byte fallback and fused unknowns, TemplateProcessing "<s> $A"
  unigram         tokenizers' Unigram model on SentencePiece's pieces: NFKC, Metaspace, TemplateProcessing
  unigram-spm     XLM-R style: SentencePiece Unigram converted by transformers
                  (Precompiled normalizer, WhitespaceSplit + Metaspace, XLM-R's template)
  wordpiece       BERT style with StripAccents + Lowercase + NFD in a Sequence
Training text: the first 6000 lines. Versions go to OUTDIR/VERSIONS.
"""
import json
import os
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")   # the same files on every run: the trainers single-threaded
os.environ.setdefault("RAYON_NUM_THREADS", "1")
import sys

import tokenizers
from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers


def save(tok, out, kind):
    os.makedirs(os.path.join(out, kind), exist_ok=True)
    tok.save(os.path.join(out, kind, "tokenizer.json"))


def main():
    lines_path, out = sys.argv[1], sys.argv[2]
    lines = [json.loads(l) for l in open(lines_path, encoding="utf-8")][:6000]
    os.makedirs(out, exist_ok=True)

    # RoBERTa / GPT-2
    t = Tokenizer(models.BPE(unk_token=None))
    t.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    t.decoder = decoders.ByteLevel()
    tr = trainers.BpeTrainer(vocab_size=3000, min_frequency=2, special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"],
                             initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    t.train_from_iterator(lines, tr)
    t.post_processor = processors.RobertaProcessing(("</s>", t.token_to_id("</s>")), ("<s>", t.token_to_id("<s>")),
                                                    trim_offsets=True, add_prefix_space=False)
    t.add_special_tokens([tokenizers.AddedToken("<mask>", lstrip=True, special=True)])
    save(t, out, "bpe-bytelevel")

    # Llama-style SentencePiece BPE with byte fallback
    t = Tokenizer(models.BPE(unk_token="<unk>", byte_fallback=True, fuse_unk=True))
    t.normalizer = normalizers.Sequence([normalizers.Prepend("\u2581"), normalizers.Replace(" ", "\u2581")])
    t.decoder = decoders.Sequence([decoders.Replace("\u2581", " "), decoders.ByteFallback(), decoders.Fuse(), decoders.Strip(" ", 1, 0)])
    tr = trainers.BpeTrainer(vocab_size=3000, min_frequency=2,
                             special_tokens=["<unk>", "<s>", "</s>"] + ["<0x%02X>" % b for b in range(256)],
                             limit_alphabet=400, show_progress=False)
    t.train_from_iterator(lines, tr)
    t.post_processor = processors.TemplateProcessing(single="<s> $A", pair="<s> $A <s> $B", special_tokens=[("<s>", 1)])
    save(t, out, "sp-bpe")

    # XLM-R style: SentencePiece's Unigram through transformers' converter (Precompiled normalizer)
    import sentencepiece as spm
    from transformers.convert_slow_tokenizer import XLMRobertaConverter
    txt = os.path.join(out, "spm-train.txt")
    with open(txt, "w", encoding="utf-8") as f:
        f.write("\n".join(l.replace("\n", " ") for l in lines if l.strip()))
    spm.SentencePieceTrainer.train(input=txt, model_prefix=os.path.join(out, "spm"), vocab_size=8000, model_type="unigram",
                                   character_coverage=0.9995, minloglevel=2)

    # tokenizers' Unigram model with NFKC and Metaspace, on SentencePiece's pieces and scores
    # (its own UnigramTrainer is not deterministic from run to run)
    t = Tokenizer(models.Unigram([(p, float(sc)) for p, sc in (l.rstrip("\n").split("\t") for l in
                                  open(os.path.join(out, "spm.vocab"), encoding="utf-8"))], unk_id=0))
    t.normalizer = normalizers.NFKC()
    t.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always")
    t.decoder = decoders.Metaspace()
    t.post_processor = processors.TemplateProcessing(single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
                                                     special_tokens=[("<s>", 1), ("</s>", 2)])
    save(t, out, "unigram")

    from transformers import XLMRobertaTokenizer
    slow = XLMRobertaTokenizer(vocab_file=os.path.join(out, "spm.model"))
    slow.vocab_file = os.path.join(out, "spm.model")   # the converter reads the .model itself
    t = XLMRobertaConverter(slow).converted()
    save(t, out, "unigram-spm")

    # BERT with an explicit normalizer Sequence
    t = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    t.normalizer = normalizers.Sequence([normalizers.NFD(), normalizers.Lowercase(), normalizers.StripAccents()])
    t.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tr = trainers.WordPieceTrainer(vocab_size=3000, special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"], show_progress=False)
    t.train_from_iterator(lines, tr)
    t.post_processor = processors.BertProcessing(("[SEP]", t.token_to_id("[SEP]")), ("[CLS]", t.token_to_id("[CLS]")))
    save(t, out, "wordpiece")

    import transformers
    with open(os.path.join(out, "VERSIONS"), "w") as f:
        f.write(f"tokenizers {tokenizers.__version__}\nsentencepiece {spm.__version__}\ntransformers {transformers.__version__}\n")


if __name__ == "__main__":
    main()
