"""Writes a BERT model folder with seeded random weights (no download): config.json,
model.safetensors (f32), vocab.txt, tokenizer_config.json, and sentence-transformers
files (mean pooling + normalize). Default shape: all-MiniLM-L6-v2 (6 layers, hidden 384,
12 heads, intermediate 1536, vocab 30522, 512 positions).
usage: make_random_bert.py OUTDIR [layers hidden heads intermediate vocab]"""
import json, os, struct, sys
import numpy as np

out = sys.argv[1]
L, H, NH, I, V = (int(x) for x in (sys.argv[2:7] if len(sys.argv) > 6 else (6, 384, 12, 1536, 30522)))
P, TYPES = 512, 2
rng = np.random.default_rng(1234)
os.makedirs(out + "/1_Pooling", exist_ok=True)
os.makedirs(out + "/2_Normalize", exist_ok=True)
t = {}
def w(name, *shape, scale=0.02):
    t[name] = (rng.standard_normal(shape) * scale).astype(np.float32)
def ln(prefix):
    t[prefix + ".weight"] = (1 + 0.1 * rng.standard_normal(H)).astype(np.float32)
    t[prefix + ".bias"] = (0.1 * rng.standard_normal(H)).astype(np.float32)
w("embeddings.word_embeddings.weight", V, H); w("embeddings.position_embeddings.weight", P, H)
w("embeddings.token_type_embeddings.weight", TYPES, H); ln("embeddings.LayerNorm")
for l in range(L):
    p = f"encoder.layer.{l}."
    for n in ("query", "key", "value"):
        w(p + f"attention.self.{n}.weight", H, H); w(p + f"attention.self.{n}.bias", H)
    w(p + "attention.output.dense.weight", H, H); w(p + "attention.output.dense.bias", H); ln(p + "attention.output.LayerNorm")
    w(p + "intermediate.dense.weight", I, H); w(p + "intermediate.dense.bias", I)
    w(p + "output.dense.weight", H, I); w(p + "output.dense.bias", H); ln(p + "output.LayerNorm")
header, off = {}, 0
for k, v in t.items():
    header[k] = {"dtype": "F32", "shape": list(v.shape), "data_offsets": [off, off + v.nbytes]}
    off += v.nbytes
hb = json.dumps(header).encode()
hb += b" " * ((8 - len(hb) % 8) % 8)
with open(out + "/model.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(hb))); f.write(hb)
    for v in t.values():
        f.write(v.tobytes())
json.dump({"model_type": "bert", "hidden_act": "gelu", "hidden_size": H, "num_hidden_layers": L, "num_attention_heads": NH,
           "intermediate_size": I, "vocab_size": V, "max_position_embeddings": P, "type_vocab_size": TYPES,
           "layer_norm_eps": 1e-12, "architectures": ["BertModel"]}, open(out + "/config.json", "w"), indent=1)
special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
letters = [chr(c) for c in range(ord("a"), ord("z") + 1)]
toks = special + letters + ["##" + c for c in letters] + [str(d) for d in range(10)] + list(".,!?;:'\"()-")
i = 0
while len(toks) < V:
    a, b = letters[i % 26], letters[(i // 26) % 26]
    toks.append(a + b + letters[(i // 676) % 26] if i % 2 else "##" + a + b)
    i += 1
seen, uniq = set(), []
for s in toks:
    if s not in seen:
        seen.add(s); uniq.append(s)
k = 0
while len(uniq) < V:
    s = f"tok{k}"; k += 1
    if s not in seen:
        seen.add(s); uniq.append(s)
open(out + "/vocab.txt", "w").write("\n".join(uniq[:V]) + "\n")
json.dump({"do_lower_case": True, "model_max_length": 512}, open(out + "/tokenizer_config.json", "w"))
json.dump([{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
           {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
           {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}], open(out + "/modules.json", "w"))
json.dump({"word_embedding_dimension": H, "pooling_mode_mean_tokens": True}, open(out + "/1_Pooling/config.json", "w"))
json.dump({"max_seq_length": 256, "do_lower_case": False}, open(out + "/sentence_bert_config.json", "w"))
print("wrote", out)
