"""ONNX Runtime peer for the BERT encoder benchmark (PyPI onnxruntime, pinned in
tools/py/requirements-oracle.txt). Same token ids as latent (`latent tokenize`), the ONNX file
from bench/bert_onnx.py. Validates against latent's embeddings, then times (a) one 128-token
sentence at a time and (b) padded batches of 64 short sentences.
usage: bert_ort.py MODEL.onnx IDS_128.jsonl IDS_SHORT.jsonl LATENT_128.npy THREADS"""
import json
import sys
import time

import numpy as np
import onnxruntime as ort

onnx, f128, fshort, ref, T = sys.argv[1:6]
T = int(T)
lines = lambda f: [json.loads(l) for l in open(f) if l.strip()]
so = ort.SessionOptions()
so.intra_op_num_threads = T
so.inter_op_num_threads = 1
so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
sess = ort.InferenceSession(onnx, so, providers=["CPUExecutionProvider"])


def feeds(batch):
    S, B = max(len(s) for s in batch), len(batch)
    ids = np.zeros((B, S), np.int64)
    mask = np.zeros((B, S), np.int64)
    for i, s in enumerate(batch):
        ids[i, :len(s)] = s
        mask[i, :len(s)] = 1
    return {"input_ids": ids, "attention_mask": mask}


ids128, idsS = lines(f128), lines(fshort)
R = np.load(ref)
maxd = 0.0
for i, s in enumerate(ids128):
    e = sess.run(None, feeds([s]))[0]
    maxd = max(maxd, float(np.abs(e[0] - R[i]).max()))
print(f"max-abs vs latent {maxd:.2e} (onnxruntime {ort.__version__})", file=sys.stderr)
t0 = time.perf_counter()
for s in ids128:
    sess.run(None, feeds([s]))
ta = time.perf_counter() - t0
for b in range(0, 128, 64):   # warm the batch shapes
    sess.run(None, feeds(idsS[b:b + 64]))
t0 = time.perf_counter()
for b in range(0, len(idsS), 64):
    sess.run(None, feeds(idsS[b:b + 64]))
tb = time.perf_counter() - t0
print(f"ort\t{T}\t128-token one at a time\t{len(ids128) / ta:.1f}\tbatches of 64 short\t{len(idsS) / tb:.1f}")
