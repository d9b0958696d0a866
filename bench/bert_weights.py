"""Shared by the BERT peers: config.json and the f32 tensors of model.safetensors (read
with NumPy, as torch tensors) of a model folder."""
import json, struct
import numpy as np
import torch


def load(d):
    cfg = json.load(open(d + "/config.json"))
    raw = open(d + "/model.safetensors", "rb").read()
    hl = struct.unpack("<Q", raw[:8])[0]
    hdr = json.loads(raw[8:8 + hl])
    W = {k: torch.from_numpy(np.frombuffer(raw, dtype=np.float32, count=int(np.prod(v["shape"])), offset=8 + hl + v["data_offsets"][0]).reshape(v["shape"]).copy())
         for k, v in hdr.items() if k != "__metadata__"}
    return cfg, W
