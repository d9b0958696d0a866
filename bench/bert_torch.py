"""PyTorch (Debian python3-torch) peer for the BERT encoder benchmark: the same model
folder (safetensors read with NumPy), the same token ids (from `latent tokenize`), mean
pooling + L2 normalisation. Validates against latent's embeddings, then times
(a) one 128-token sentence at a time and (b) padded batches of 64 short sentences.
usage: bert_torch.py MODEL_DIR IDS_128.jsonl IDS_SHORT.jsonl LATENT_128.npy THREADS"""
import json, struct, sys, time
import numpy as np
import torch
import bert_weights

d, f128, fshort, ref, T = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
torch.set_num_threads(T)
cfg, W = bert_weights.load(d)
H, L, NH, eps = cfg["hidden_size"], cfg["num_hidden_layers"], cfg["num_attention_heads"], cfg["layer_norm_eps"]
dh = H // NH
F = torch.nn.functional

@torch.inference_mode()
def encode(ids, mask):
    B, S = ids.shape
    x = W["embeddings.word_embeddings.weight"][ids] + W["embeddings.position_embeddings.weight"][:S] + W["embeddings.token_type_embeddings.weight"][0]
    x = F.layer_norm(x, (H,), W["embeddings.LayerNorm.weight"], W["embeddings.LayerNorm.bias"], eps)
    bias = (1.0 - mask[:, None, None, :].float()) * -1e9
    for l in range(L):
        p = f"encoder.layer.{l}."
        lin = lambda t, n: F.linear(t, W[p + n + ".weight"], W[p + n + ".bias"])
        q = lin(x, "attention.self.query").view(B, S, NH, dh).transpose(1, 2)
        k = lin(x, "attention.self.key").view(B, S, NH, dh).transpose(1, 2)
        v = lin(x, "attention.self.value").view(B, S, NH, dh).transpose(1, 2)
        a = torch.softmax(q @ k.transpose(-1, -2) / dh ** 0.5 + bias, dim=-1) @ v
        a = lin(a.transpose(1, 2).reshape(B, S, H), "attention.output.dense")
        x = F.layer_norm(x + a, (H,), W[p + "attention.output.LayerNorm.weight"], W[p + "attention.output.LayerNorm.bias"], eps)
        h = F.gelu(lin(x, "intermediate.dense"))
        x = F.layer_norm(x + lin(h, "output.dense"), (H,), W[p + "output.LayerNorm.weight"], W[p + "output.LayerNorm.bias"], eps)
    m = mask[:, :, None].float()
    e = (x * m).sum(1) / m.sum(1)
    return F.normalize(e, dim=1)

ids128 = [json.loads(l) for l in open(f128)]
idsS = [json.loads(l) for l in open(fshort)]
# validate against latent
out = torch.cat([encode(torch.tensor([s]), torch.ones(1, len(s), dtype=torch.long)) for s in ids128]).numpy()
R = np.load(ref) if ref.endswith(".npy") else None
if R is not None:
    print(f"max-abs vs latent {np.abs(out - R).max():.2e}", file=sys.stderr)
encode(torch.tensor([ids128[0]]), torch.ones(1, len(ids128[0]), dtype=torch.long))
t0 = time.monotonic()
for s in ids128:
    encode(torch.tensor([s]), torch.ones(1, len(s), dtype=torch.long))
ta = time.monotonic() - t0
t0 = time.monotonic()
for b in range(0, len(idsS), 64):
    chunk = idsS[b:b + 64]
    S = max(len(s) for s in chunk)
    ids = torch.zeros(len(chunk), S, dtype=torch.long); mask = torch.zeros(len(chunk), S, dtype=torch.long)
    for i, s in enumerate(chunk):
        ids[i, :len(s)] = torch.tensor(s); mask[i, :len(s)] = 1
    encode(ids, mask)
tb = time.monotonic() - t0
print(f"torch\t{T}\t128-token one at a time\t{len(ids128) / ta:.1f}\tbatches of 64 short\t{len(idsS) / tb:.1f}")
