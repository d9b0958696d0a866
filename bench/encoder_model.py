"""Random sentence-transformers folders of the encoder shapes the benchmark measures, built with
transformers itself (seeded), for bench/bench_encoders.sh:

    encoder_model.py SHAPE TOKENIZERS_DIR OUT_DIR

SHAPE: minilm-l6 (bert, 6 x 384, I 1536), mpnet-base (mpnet, 12 x 768, I 3072, the vocabulary
size of all-mpnet-base-v2) or xlm-roberta-base (xlm-roberta, 12 x 768, I 3072, the 250,002
pieces of multilingual-e5-base / bge-m3's base). TOKENIZERS_DIR is build/tok_kinds
after tests/tok_real.sh: the BERT shapes take all-MiniLM-L6-v2's real WordPiece tokenizer
(30,522 pieces; all-mpnet-base-v2 has the same vocabulary plus 5), XLM-RoBERTa a Unigram
tokenizer trained there with `tokenizers` (8,002 pieces, so English text makes about 1.8 times
the tokens the real 250,002 would); their ids are a subset of the model's vocabulary, which
only the embedding lookup sees. OUT_DIR: Transformer + mean Pooling + Normalize."""
import os
import shutil
import sys

import torch
import transformers
from sentence_transformers import SentenceTransformer, models

BASE = dict(hidden_size=768, num_hidden_layers=12, num_attention_heads=12, intermediate_size=3072,
            max_position_embeddings=514, hidden_act="gelu")
ROBERTA = dict(bos_token="<s>", eos_token="</s>", unk_token="<unk>", pad_token="<pad>", cls_token="<s>",
               sep_token="</s>", mask_token="<mask>")
BERT = dict(unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]")
SHAPES = {
    "minilm-l6": (transformers.BertConfig, dict(hidden_size=384, num_hidden_layers=6, num_attention_heads=12,
                  intermediate_size=1536, max_position_embeddings=512, vocab_size=30522, type_vocab_size=2),
                  "minilm-real", BERT),
    "mpnet-base": (transformers.MPNetConfig, dict(BASE, vocab_size=30527, pad_token_id=1, bos_token_id=0, eos_token_id=2,
                   relative_attention_num_buckets=32), "minilm-real", dict(BERT, model_input_names=["input_ids", "attention_mask"])),
    "xlm-roberta-base": (transformers.XLMRobertaConfig, dict(BASE, vocab_size=250002, type_vocab_size=1, pad_token_id=1,
                         bos_token_id=0, eos_token_id=2), "unigram-spm", ROBERTA),
}


def main():
    shape, tok_dir, out = sys.argv[1:4]
    cfg_cls, sizes, kind, specials = SHAPES[shape]
    torch.manual_seed(7)
    hf = out + ".hf"
    shutil.rmtree(hf, ignore_errors=True)
    os.makedirs(hf)
    shutil.copy(os.path.join(tok_dir, kind, "tokenizer.json"), hf)
    tok = transformers.PreTrainedTokenizerFast(tokenizer_file=os.path.join(hf, "tokenizer.json"), model_max_length=512,
                                               **specials)
    tok.save_pretrained(hf)
    model = transformers.AutoModel.from_config(cfg_cls(**sizes)).eval()
    model.save_pretrained(hf, safe_serialization=True)
    word = models.Transformer(hf, max_seq_length=512)
    st = SentenceTransformer(modules=[word, models.Pooling(word.get_word_embedding_dimension(), "mean"), models.Normalize()])
    shutil.rmtree(out, ignore_errors=True)
    st.save(out)
    shutil.rmtree(hf)
    print(f"wrote {out} ({shape}, {sum(p.numel() for p in model.parameters()) / 1e6:.1f} M parameters)")


if __name__ == "__main__":
    main()
