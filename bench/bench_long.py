"""Long inputs and the rotary families, side by side with PyTorch (issue "long-context models").

    bench_long.py make TOKENIZERS_DIR OUT_DIR     random sentence-transformers folders (seeded):
        OUT_DIR/modernbert-base (ModernBERT-base's shape: 22 x 768, I 1152, 12 heads, local
        attention 128, every third layer global) and OUT_DIR/qwen3-0.6b (Qwen3-0.6B's shape:
        28 x 1024, 16 query / 8 key-value heads of 128, I 3072), and OUT_DIR/long.txt (real
        lines of the tokenizer corpus, more than 8,192 tokens)
    bench_long.py run LATENT OUT_DIR ROUNDS        the cases below, tools alternating, one
        process per measurement; rows to stdout as TSV

Cases: ModernBERT-base shape, one input of 512 / 2,048 / 8,192 tokens, 2 threads: seconds per
token of the forward pass and the process's peak resident memory beyond the same process with
a one-word input (the weights and the runtime); the same for transformers' ModernBertModel (sdpa
attention) on torch. Qwen3-0.6B shape, batches of 1 and 8 inputs of 128 tokens, 1 and 2
threads: inputs/s. latent's time is what it reports for the embedding loop; torch's is the
model call alone (best of 2 after a warm-up), both after loading.

The vocabularies are the small trained tokenizers of build/tok_kinds (the real models have
50,368 and 151,669 pieces): only the embedding lookup sees the difference.
"""
import json
import os
import re
import subprocess
import sys
import time

PY = sys.executable
SHAPES = {
    "modernbert-base": ("wordpiece", dict(hidden_size=768, num_hidden_layers=22, num_attention_heads=12,
                                          intermediate_size=1152, max_position_embeddings=8192, local_attention=128,
                                          global_attn_every_n_layers=3, pad_token_id=0, cls_token_id=2, sep_token_id=3,
                                          bos_token_id=2, eos_token_id=3)),
    "qwen3-0.6b": ("bpe-bytelevel", dict(hidden_size=1024, num_hidden_layers=28, num_attention_heads=16,
                                         num_key_value_heads=8, head_dim=128, intermediate_size=3072,
                                         max_position_embeddings=40960, rope_parameters={"rope_type": "default",
                                                                                         "rope_theta": 1000000.0},
                                         pad_token_id=1, eos_token_id=2)),
}


def make(tok_dir, out):
    import torch
    import transformers
    from sentence_transformers import SentenceTransformer, models
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tools", "py"))
    from make_rotary_fixtures import BERT, QWEN, tokenizer_json
    os.makedirs(out, exist_ok=True)
    for name, (kind, sizes) in SHAPES.items():
        d = os.path.join(out, name)
        if os.path.exists(os.path.join(d, "model.safetensors")):
            continue
        torch.manual_seed(7)
        hf = d + ".hf"
        os.makedirs(hf, exist_ok=True)
        fam = "qwen3" if name.startswith("qwen3") else "modernbert"
        tokenizer_json(os.path.join(tok_dir, kind), fam, hf)
        tok = transformers.PreTrainedTokenizerFast(tokenizer_file=os.path.join(hf, "tokenizer.json"),
                                                   **(QWEN if fam == "qwen3" else BERT))
        tok.model_max_length = 8192
        tok.save_pretrained(hf)
        cfg = (transformers.Qwen3Config if fam == "qwen3" else transformers.ModernBertConfig)(vocab_size=len(tok), **sizes)
        transformers.AutoModel.from_config(cfg).save_pretrained(hf, safe_serialization=True)
        pool = "lasttoken" if fam == "qwen3" else "mean"
        st = SentenceTransformer(modules=[models.Transformer(hf, max_seq_length=8192),
                                          models.Pooling(sizes["hidden_size"], pooling_mode=pool), models.Normalize()],
                                 device="cpu")
        st.save(d)
        subprocess.run(["rm", "-rf", hf], check=True)
    lines = os.path.join(os.path.dirname(tok_dir.rstrip("/")), "tok_kinds.lines.jsonl")
    words = []
    with open(lines, encoding="utf-8") as f:
        for line in f:
            words += json.loads(line).split()
            if len(words) > 30000:
                break
    with open(os.path.join(out, "long.txt"), "w", encoding="utf-8") as f:
        f.write(" ".join(words) + "\n")


def run_child(cmd, env=None):
    """runs cmd; its stdout+stderr, wall seconds and peak RSS in MB (wait4)"""
    t = time.time()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    out = p.stdout.read().decode("utf-8", "replace")
    _, status, ru = os.wait4(p.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{cmd[0]} failed: {out[-500:]}")
    return out, time.time() - t, ru.ru_maxrss / 1024


def latent_case(latent, model, text_file, n_tok, batch, threads, tmp):
    inp = os.path.join(tmp, "in.txt")
    with open(text_file, encoding="utf-8") as f:
        text = f.read().strip()
    with open(inp, "w", encoding="utf-8") as f:
        for _ in range(batch):
            f.write(text + "\n")
    cmd = [latent, "embed", model, "-i", inp, "-o", os.path.join(tmp, "out.npy"), "--max-seq", str(n_tok),
           "--batch", str(batch), "--latency", "-t", str(threads)]
    out, _, rss = run_child(cmd)
    m = re.search(r"embedded (\d+) inputs in ([0-9.]+)s", out)
    return float(m.group(2)), rss


TORCH_CHILD = r"""
import sys, time, resource, torch, transformers
model_dir, n_tok, batch, threads, text_file = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
torch.set_num_threads(threads)
tok = transformers.AutoTokenizer.from_pretrained(model_dir)
model = transformers.AutoModel.from_pretrained(model_dir, attn_implementation="sdpa").eval()
text = open(text_file, encoding="utf-8").read().strip()
enc = tok([text] * batch, truncation=True, max_length=n_tok, return_tensors="pt")
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
best = 1e9
with torch.inference_mode():
    model(**enc)
    for _ in range(2):
        t = time.time(); model(**enc); best = min(best, time.time() - t)
print("TIME", best, "BASE", base, "TOKENS", enc["input_ids"].shape[1])
"""


def torch_case(model, text_file, n_tok, batch, threads):
    out, _, rss = run_child([PY, "-c", TORCH_CHILD, model, str(n_tok), str(batch), str(threads), text_file])
    m = re.search(r"TIME ([0-9.e-]+) BASE ([0-9.]+) TOKENS (\d+)", out)
    return float(m.group(1)), rss, float(m.group(2)), int(m.group(3))


def run(latent, out, rounds):
    import torch
    import transformers
    tmp = os.path.join(out, "tmp")
    os.makedirs(tmp, exist_ok=True)
    long_txt = os.path.join(out, "long.txt")
    one_word = os.path.join(tmp, "one.txt")
    with open(one_word, "w") as f:
        f.write("word\n")
    ver = f"torch {torch.__version__} transformers {transformers.__version__}"
    print("case\ttool\tthreads\tbatch\ttokens\tseconds\tper_token_ms\tinputs_per_s\tpeak_rss_mb\tbeyond_base_mb\tversions")
    mb = os.path.join(out, "modernbert-base")
    qw = os.path.join(out, "qwen3-0.6b")
    for r in range(rounds):
        # the processes' base: the weights loaded, one word embedded
        _, lbase = latent_case(latent, mb, one_word, 8, 1, 2, tmp)
        for n in (512, 2048, 8192):
            order = ("latent", "torch") if r % 2 == 0 else ("torch", "latent")
            for tool in order:
                if tool == "latent":
                    s, rss = latent_case(latent, mb, long_txt, n, 1, 2, tmp)
                    print(f"modernbert-base long\tlatent\t2\t1\t{n}\t{s:.3f}\t{1000 * s / n:.3f}\t{1 / s:.3f}\t{rss:.0f}\t{rss - lbase:.0f}\t-", flush=True)
                else:
                    s, rss, base, nt = torch_case(mb, long_txt, n, 1, 2)
                    print(f"modernbert-base long\ttorch\t2\t1\t{nt}\t{s:.3f}\t{1000 * s / nt:.3f}\t{1 / s:.3f}\t{rss:.0f}\t{rss - base:.0f}\t{ver}", flush=True)
        for threads in (1, 2):
            for batch in (1, 8):
                order = ("latent", "torch") if (r + threads + batch) % 2 == 0 else ("torch", "latent")
                for tool in order:
                    if tool == "latent":
                        s, rss = latent_case(latent, qw, long_txt, 128, batch, threads, tmp)
                        print(f"qwen3-0.6b 128\tlatent\t{threads}\t{batch}\t128\t{s:.3f}\t-\t{batch / s:.3f}\t{rss:.0f}\t-\t-", flush=True)
                    else:
                        s, rss, base, nt = torch_case(qw, long_txt, 128, batch, threads)
                        print(f"qwen3-0.6b 128\ttorch\t{threads}\t{batch}\t{nt}\t{s:.3f}\t-\t{batch / s:.3f}\t{rss:.0f}\t-\t{ver}", flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2], sys.argv[3])
    else:
        run(sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 1)
