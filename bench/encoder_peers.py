"""The peers of the encoder benchmark (bench/bench_encoders.sh), PyPI packages pinned in
tools/py/requirements-oracle.txt: sentence-transformers on PyTorch, and ONNX Runtime on the same
model exported from it. Both get latent's token ids (`latent tokenize`), so their times hold no
tokenisation while latent's do; each checks its vectors against latent's first.

    encoder_peers.py export ST_DIR OUT.onnx
    encoder_peers.py ort OUT.onnx IDS_128.jsonl IDS_SHORT.jsonl LATENT_128.npy THREADS
    encoder_peers.py torch ST_DIR IDS_128.jsonl IDS_SHORT.jsonl LATENT_128.npy THREADS

Times (a) each 128-token input alone and (b) the short inputs in padded batches of 64; prints
one line: tool, threads, inputs/s of (a), inputs/s of (b)."""
import json
import sys
import time

import numpy as np
import torch

BATCH = 64


def lines(f):
    return [json.loads(s) for s in open(f) if s.strip()]


def arrays(batch, pad):
    S, B = max(len(s) for s in batch), len(batch)
    ids = np.full((B, S), pad, np.int64)
    mask = np.zeros((B, S), np.int64)
    for i, s in enumerate(batch):
        ids[i, :len(s)] = s
        mask[i, :len(s)] = 1
    return ids, mask


def load_st(d, eager=False):
    from sentence_transformers import SentenceTransformer
    kw = {"model_kwargs": {"attn_implementation": "eager"}} if eager else {}
    st = SentenceTransformer(d, device="cpu", **kw).eval()
    cfg = st[0].auto_model.config
    return st, cfg.pad_token_id if cfg.pad_token_id is not None else 0, cfg.model_type == "bert"


class Wrap(torch.nn.Module):
    def __init__(self, st, types):
        super().__init__()
        self.st, self.types = st, types

    def forward(self, ids, mask):
        f = {"input_ids": ids, "attention_mask": mask}
        if self.types:
            f["token_type_ids"] = torch.zeros_like(ids)
        return self.st(f)["sentence_embedding"]


def export(d, out):
    st, pad, types = load_st(d, eager=True)
    ids = torch.full((2, 16), 5, dtype=torch.long)
    mask = torch.ones(2, 16, dtype=torch.long)
    extra = {"dynamo": False} if "dynamo" in torch.onnx.export.__code__.co_varnames else {}
    with torch.no_grad():
        torch.onnx.export(Wrap(st, types), (ids, mask), out, input_names=["input_ids", "attention_mask"],
                          output_names=["embedding"], opset_version=17, do_constant_folding=True,
                          dynamic_axes={"input_ids": {0: "b", 1: "s"}, "attention_mask": {0: "b", 1: "s"},
                                        "embedding": {0: "b"}}, **extra)
    with open(out + ".pad", "w") as f:
        f.write(str(pad))


def timed(run, ids128, idsS, ref, name, T):
    got = np.concatenate([run([s]) for s in ids128])
    print(f"{name}: max-abs vs latent {float(np.abs(got - ref).max()):.2e}", file=sys.stderr)
    t0 = time.perf_counter()
    for s in ids128:
        run([s])
    ta = time.perf_counter() - t0
    run(idsS[:BATCH])   # warm the batch shapes
    t0 = time.perf_counter()
    for b in range(0, len(idsS), BATCH):
        run(idsS[b:b + BATCH])
    tb = time.perf_counter() - t0
    print(f"{name}\t{T}\t{len(ids128) / ta:.2f}\t{len(idsS) / tb:.2f}")


def main():
    mode = sys.argv[1]
    if mode == "export":
        return export(sys.argv[2], sys.argv[3])
    src, f128, fS, ref, T = sys.argv[2:7]
    T = int(T)
    ids128, idsS, ref = lines(f128), lines(fS), np.load(ref)
    if mode == "ort":
        import onnxruntime as ort
        so = ort.SessionOptions()
        so.intra_op_num_threads, so.inter_op_num_threads = T, 1
        so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        sess = ort.InferenceSession(src, so, providers=["CPUExecutionProvider"])
        pad = int(open(src + ".pad").read())

        def run(batch):
            ids, mask = arrays(batch, pad)
            return sess.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        timed(run, ids128, idsS, ref, f"onnxruntime-{ort.__version__}", T)
    else:
        torch.set_num_threads(T)
        st, pad, types = load_st(src)
        w = Wrap(st, types)

        def run(batch):
            ids, mask = arrays(batch, pad)
            with torch.inference_mode():
                return w(torch.from_numpy(ids), torch.from_numpy(mask)).numpy()
        import sentence_transformers
        timed(run, ids128, idsS, ref, f"sentence-transformers-{sentence_transformers.__version__}+torch-{torch.__version__}", T)


if __name__ == "__main__":
    main()
