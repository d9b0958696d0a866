"""Exports a BERT model folder (safetensors f32, as tools/make_random_bert.py writes) to ONNX
with Debian's python3-torch (the TorchScript exporter; no onnx package needed), for the
ONNX Runtime peer (bench/bert_ort.js). Inputs input_ids, attention_mask (int64, dynamic
batch and length); output: mean-pooled, L2-normalised sentence embeddings.
usage: bert_onnx.py MODEL_DIR OUT.onnx"""
import json, struct, sys
import numpy as np
import torch
import bert_weights

d, out = sys.argv[1], sys.argv[2]
cfg, W = bert_weights.load(d)
H, L, NH, I, eps = cfg["hidden_size"], cfg["num_hidden_layers"], cfg["num_attention_heads"], cfg["intermediate_size"], cfg["layer_norm_eps"]
nn = torch.nn

def linear(prefix, i, o):
    m = nn.Linear(i, o)
    m.weight.data.copy_(W[prefix + ".weight"]); m.bias.data.copy_(W[prefix + ".bias"])
    return m

def layernorm(prefix):
    m = nn.LayerNorm(H, eps=eps)
    m.weight.data.copy_(W[prefix + ".weight"]); m.bias.data.copy_(W[prefix + ".bias"])
    return m

class Layer(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.q, self.k, self.v = (linear(p + f"attention.self.{n}", H, H) for n in ("query", "key", "value"))
        self.o, self.ln1 = linear(p + "attention.output.dense", H, H), layernorm(p + "attention.output.LayerNorm")
        self.i, self.f, self.ln2 = linear(p + "intermediate.dense", H, I), linear(p + "output.dense", I, H), layernorm(p + "output.LayerNorm")
    def forward(self, x, bias):
        B, S = x.shape[0], x.shape[1]
        dh = H // NH
        q = self.q(x).view(B, S, NH, dh).transpose(1, 2)
        k = self.k(x).view(B, S, NH, dh).transpose(1, 2)
        v = self.v(x).view(B, S, NH, dh).transpose(1, 2)
        a = torch.softmax(q @ k.transpose(-1, -2) / dh ** 0.5 + bias, dim=-1) @ v
        x = self.ln1(x + self.o(a.transpose(1, 2).reshape(B, S, H)))
        return self.ln2(x + self.f(nn.functional.gelu(self.i(x))))

class Bert(nn.Module):
    def __init__(self):
        super().__init__()
        self.we = nn.Parameter(W["embeddings.word_embeddings.weight"])
        self.pe = nn.Parameter(W["embeddings.position_embeddings.weight"])
        self.te = nn.Parameter(W["embeddings.token_type_embeddings.weight"][0])
        self.ln = layernorm("embeddings.LayerNorm")
        self.layers = nn.ModuleList(Layer(f"encoder.layer.{l}.") for l in range(L))
    def forward(self, ids, mask):
        S = ids.shape[1]
        x = self.ln(self.we[ids] + self.pe[:S] + self.te)
        bias = (1.0 - mask[:, None, None, :].float()) * -1e9
        for m in self.layers:
            x = m(x, bias)
        mf = mask[:, :, None].float()
        e = (x * mf).sum(1) / mf.sum(1)
        return nn.functional.normalize(e, dim=1)

model = Bert().eval()
ids = torch.ones(2, 16, dtype=torch.long); mask = torch.ones(2, 16, dtype=torch.long)
torch.onnx.export(model, (ids, mask), out, input_names=["input_ids", "attention_mask"], output_names=["embedding"],
                  dynamic_axes={"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"}, "embedding": {0: "batch"}},
                  opset_version=14, do_constant_folding=True, **({"dynamo": False} if "dynamo" in torch.onnx.export.__code__.co_varnames else {}))
print(f"wrote {out}")
