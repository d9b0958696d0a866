"""Image towers at real shapes against transformers (issue "image encoders"): correctness end to
end from image files, and speed, side by side.

    bench_vision.py OUT_DIR LATENT [N_IMAGES] [ROUNDS]

Makes (once, seeded) random CLIPModel at ViT-B/32's shape (12 x 768, 12 heads, I 3072, 224 px,
patch 32, projection 512; text 12 x 512) and SiglipModel at base-patch16-224's (12 x 768, patch
16, 196 patches, attention pooling), each with its processor's preprocessor_config.json; takes
N_IMAGES PNG/JPEG files under /usr/share (every k-th, 64 by default); then per model: the
features of transformers (processor + get_image_features, float32) against `latent embed MODEL
FILES`, cosine per image; and the time of the features of all the images, batches of 32, 1 and 2
threads, tools alternating over ROUNDS (2). Rows to stdout as TSV.
"""
import os
import subprocess
import sys
import time

import numpy as np
import torch
import transformers
from PIL import Image

SHAPES = {
    "clip-vit-b32": lambda: transformers.CLIPModel(transformers.CLIPConfig(
        text_config=dict(hidden_size=512, intermediate_size=2048, num_hidden_layers=12, num_attention_heads=8,
                         vocab_size=49408, max_position_embeddings=77),
        vision_config=dict(hidden_size=768, intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12,
                           image_size=224, patch_size=32), projection_dim=512)),
    "siglip-b16": lambda: transformers.SiglipModel(transformers.SiglipConfig(
        text_config=dict(hidden_size=768, intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12,
                         vocab_size=32000, max_position_embeddings=64),
        vision_config=dict(hidden_size=768, intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12,
                           image_size=224, patch_size=16))),
}
PROCS = {
    "clip-vit-b32": lambda: transformers.CLIPImageProcessor(),   # shortest edge 224, bicubic, crop 224
    "siglip-b16": lambda: transformers.SiglipImageProcessor(),   # 224 x 224, bilinear
}


def images(n):
    out = subprocess.run("find /usr/share -type f \\( -name '*.png' -o -name '*.jpg' \\) -size +2k | LC_ALL=C sort",
                         shell=True, capture_output=True, text=True).stdout.split()
    k = max(1, len(out) // n)
    return out[::k][:n]


def main():
    out, latent = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 64
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    files = images(n)
    print("model\tcase\ttool\tthreads\timages\tseconds\timages_per_s\tmin_cosine\tversions")
    ver = f"torch {torch.__version__} transformers {transformers.__version__} pillow {Image.__version__}"
    for name, make in SHAPES.items():
        d = os.path.join(out, name)
        if not os.path.exists(os.path.join(d, "model.safetensors")):
            torch.manual_seed(5)
            make().save_pretrained(d, safe_serialization=True)
            PROCS[name]().save_pretrained(d)
        model = transformers.AutoModel.from_pretrained(d).eval()
        proc = PROCS[name]()
        pil = [Image.open(f).convert("RGB") for f in files]
        with torch.no_grad():
            want = model.get_image_features(pixel_values=proc(pil, return_tensors="pt")["pixel_values"])
            want = getattr(want, "pooler_output", want).numpy()
        npy = os.path.join(out, name + ".npy")
        subprocess.run([latent, "embed", d, *files, "-o", npy, "-q"], check=True)
        got = np.load(npy)
        cos = (got * want).sum(1) / np.linalg.norm(got, axis=1) / np.linalg.norm(want, axis=1)
        print(f"{name}\tend to end\tlatent vs transformers\t-\t{len(files)}\t-\t-\t{cos.min():.7f}\t{ver}", flush=True)
        for r in range(rounds):
            for threads in (1, 2):
                order = ("latent", "torch") if (r + threads) % 2 == 0 else ("torch", "latent")
                for tool in order:
                    if tool == "latent":
                        p = subprocess.run([latent, "embed", d, *files, "-o", npy, "-t", str(threads)],
                                           capture_output=True, text=True, check=True)
                        s = float(p.stderr.split(" in ")[1].split("s")[0])
                    else:
                        torch.set_num_threads(threads)
                        t = time.time()
                        with torch.no_grad():
                            for b in range(0, len(pil), 32):
                                px = proc(pil[b:b + 32], return_tensors="pt")["pixel_values"]
                                model.get_image_features(pixel_values=px)
                        s = time.time() - t
                    print(f"{name}\tfiles to features\t{tool}\t{threads}\t{len(files)}\t{s:.3f}\t{len(files) / s:.2f}\t-\t"
                          f"{ver if tool == 'torch' else '-'}", flush=True)


if __name__ == "__main__":
    main()
