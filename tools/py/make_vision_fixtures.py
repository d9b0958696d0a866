"""Tiny random image towers (CLIP and SigLIP in both of Hugging Face's layouts, ViT) with what transformers
computes for them from the same input tensor: the fixtures tests/test_bert.c (vision_towers)
checks, committed so that `make test` needs no torch.

    make_vision_fixtures.py TOKENIZERS_DIR OUT_DIR

OUT_DIR/pixels.npy: 3 images (3, 32, 32), drawn from a normal distribution, one row each (as
the model's processor would give them, normalised); for each model OUT_DIR/<name>/model (its
config.json and model.safetensors) and OUT_DIR/<name>/embeddings.npy: CLIP's image features
(get_image_features: the class token's post-layernorm and the visual projection), ViT's class
token after the final layernorm; OUT_DIR/VERSIONS. The CLIPModel also has a text tower: its
folder carries the WordPiece tokenizer of TOKENIZERS_DIR (build/tok_kinds) and
OUT_DIR/clip/text_embeddings.npy holds get_text_features of tests/fixtures/encoders/sentences.json
(pooled at the first [SEP], the config's eos_token_id); OUT_DIR/clip-legacy is the same model with
the legacy eos_token_id 2 (pooled at the largest id, as transformers does for it). Weights drawn wider than the initialisers
(std 0.3 for matrices, 1 +- 0.2 for norms) so that attention is far from uniform.
"""
import json
import os
import shutil
import sys

import numpy as np
import torch
import transformers

V = dict(hidden_size=32, intermediate_size=48, num_hidden_layers=2, num_attention_heads=4, image_size=32, patch_size=8)


def widen(model, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.ndim == 1 and ("norm" in name or "layrnorm" in name):
                p.copy_(1 + 0.2 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(0.3 * torch.randn(p.shape, generator=g))


BERT = dict(unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]",
            model_input_names=["input_ids", "attention_mask"])


def text_features(model, tok, sentences):
    enc = tok(sentences, padding=True, truncation=True, max_length=64, return_tensors="pt")
    with torch.no_grad():
        e = model.get_text_features(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"])
    return getattr(e, "pooler_output", e).numpy().astype(np.float32)


def synthetic_images(d):
    """four small images of our own (smooth random fields): RGB PNG 45x61, RGBA PNG 70x38 (alpha
    dropped by convert("RGB")), JPEG 53x53 (quality 90), grey PNG 33x90"""
    from PIL import Image
    os.makedirs(d, exist_ok=True)
    g = np.random.default_rng(11)
    def field(h, w, c):
        x = g.normal(size=(h // 4 + 2, w // 4 + 2, c)).cumsum(0).cumsum(1)
        x = (x - x.min()) / (x.max() - x.min() + 1e-9) * 255
        return np.asarray(Image.fromarray(x.astype(np.uint8).squeeze()).resize((w, h), Image.Resampling.BILINEAR))
    Image.fromarray(field(61, 45, 3)).save(os.path.join(d, "a_rgb.png"))
    Image.fromarray(field(38, 70, 4)).save(os.path.join(d, "b_rgba.png"))
    Image.fromarray(field(53, 53, 3)).save(os.path.join(d, "c.jpg"), quality=90)
    Image.fromarray(field(90, 33, 1)).save(os.path.join(d, "d_grey.png"))
    return sorted(os.path.join(d, f) for f in os.listdir(d))


def decode_fixtures(d):
    """images whose decoding latent must match Pillow's (the test compares latent's decode with
    the PNG written here): WebP lossless with alpha, WebP lossy, and JPEGs with EXIF orientations
    2..8 (the PNG is ImageOps.exif_transpose's result, as transformers' load_image)"""
    from PIL import Image, ImageOps
    os.makedirs(d, exist_ok=True)
    g = np.random.default_rng(12)
    base = (g.random((23, 37, 3)) * 255).astype(np.uint8)
    rgba = Image.fromarray(np.dstack([base, (g.random((23, 37)) * 255).astype(np.uint8)]))
    rgba.save(os.path.join(d, "w_lossless.webp"), lossless=True)
    Image.open(os.path.join(d, "w_lossless.webp")).convert("RGB").save(os.path.join(d, "w_lossless.want.png"))
    Image.fromarray(base).save(os.path.join(d, "w_lossy.webp"), quality=80)
    Image.open(os.path.join(d, "w_lossy.webp")).convert("RGB").save(os.path.join(d, "w_lossy.want.png"))
    for o in range(2, 9):
        exif = Image.Exif()
        exif[0x0112] = o
        p = os.path.join(d, f"x_orient{o}.jpg")
        Image.fromarray(base).save(p, quality=95, exif=exif.tobytes())
        ImageOps.exif_transpose(Image.open(p)).convert("RGB").save(os.path.join(d, f"x_orient{o}.want.png"))


def main():
    tok_dir, out = sys.argv[1], sys.argv[2]
    sentences = json.load(open(os.path.join(os.path.dirname(__file__), "..", "..", "tests", "fixtures", "encoders",
                                            "sentences.json"), encoding="utf-8"))
    tok = transformers.PreTrainedTokenizerFast(tokenizer_file=os.path.join(tok_dir, "wordpiece", "tokenizer.json"), **BERT)
    tok.model_max_length = 64
    # SigLIP's: a SentencePiece Unigram tokenizer that appends </s>, inputs padded to 64 (max_length)
    sys.path.insert(0, os.path.dirname(__file__))
    from make_rotary_fixtures import tokenizer_json
    import tempfile
    sdir = tempfile.mkdtemp()
    tokenizer_json(os.path.join(tok_dir, "unigram-spm"), "qwen3", sdir)   # "$A </s>"
    stok = transformers.PreTrainedTokenizerFast(tokenizer_file=os.path.join(sdir, "tokenizer.json"), unk_token="<unk>",
                                                pad_token="<pad>", eos_token="</s>", model_input_names=["input_ids"])
    stok.model_max_length = 64
    os.makedirs(out, exist_ok=True)
    px = torch.randn(3, 3, 32, 32, generator=torch.Generator().manual_seed(5))
    np.save(os.path.join(out, "pixels.npy"), px.reshape(3, -1).numpy().astype(np.float32))
    models = [
        ("clip-vision", lambda: transformers.CLIPVisionModelWithProjection(
            transformers.CLIPVisionConfig(**V, projection_dim=16))),
        ("clip", lambda: transformers.CLIPModel(transformers.CLIPConfig(
            text_config=dict(hidden_size=32, intermediate_size=48, num_hidden_layers=2, num_attention_heads=4,
                             vocab_size=len(tok), max_position_embeddings=64, bos_token_id=tok.cls_token_id,
                             eos_token_id=tok.sep_token_id, pad_token_id=tok.pad_token_id),
            vision_config=dict(V, hidden_act="gelu"), projection_dim=24))),
        ("vit", lambda: transformers.ViTModel(transformers.ViTConfig(**V), add_pooling_layer=False)),
        ("siglip-vision", lambda: transformers.SiglipVisionModel(transformers.SiglipVisionConfig(**V))),
        ("siglip", lambda: transformers.SiglipModel(transformers.SiglipConfig(
            text_config=dict(hidden_size=32, intermediate_size=48, num_hidden_layers=2, num_attention_heads=4,
                             vocab_size=len(stok), max_position_embeddings=64, pad_token_id=stok.pad_token_id,
                             eos_token_id=stok.eos_token_id), vision_config=V))),
    ]
    for i, (name, make) in enumerate(models):
        torch.manual_seed(6000 + i)
        d = os.path.join(out, name)
        shutil.rmtree(d, ignore_errors=True)
        model = make()
        widen(model, 7000 + i)
        model.eval()
        model.save_pretrained(os.path.join(d, "model"), safe_serialization=True)
        with torch.no_grad():
            if name in ("clip", "siglip"):
                e = model.get_image_features(pixel_values=px)
                e = getattr(e, "pooler_output", e)
            elif name == "clip-vision":
                e = model(pixel_values=px).image_embeds
            elif name == "siglip-vision":
                e = model(pixel_values=px).pooler_output
            else:
                e = model(pixel_values=px).last_hidden_state[:, 0]
        np.save(os.path.join(d, "embeddings.npy"), e.numpy().astype(np.float32))
        if name == "siglip":
            stok.save_pretrained(os.path.join(d, "model"))
            enc = stok(sentences, padding="max_length", max_length=64, truncation=True, return_tensors="pt")
            with torch.no_grad():
                t = model.get_text_features(input_ids=enc["input_ids"])
            np.save(os.path.join(d, "text_embeddings.npy"), getattr(t, "pooler_output", t).numpy().astype(np.float32))
        if name == "clip":
            tok.save_pretrained(os.path.join(d, "model"))
            np.save(os.path.join(d, "text_embeddings.npy"), text_features(model, tok, sentences))
            model.config.text_config.eos_token_id = 2   # the legacy rule: pooled at the largest id
            legacy = transformers.CLIPModel(model.config)
            legacy.load_state_dict(model.state_dict())
            legacy.eval()
            ld = os.path.join(out, "clip-legacy")
            shutil.rmtree(ld, ignore_errors=True)
            legacy.save_pretrained(os.path.join(ld, "model"), safe_serialization=True)
            tok.save_pretrained(os.path.join(ld, "model"))
            np.save(os.path.join(ld, "text_embeddings.npy"), text_features(legacy, tok, sentences))
    # end to end: the images through each model's own processor (PIL), then the tower
    from PIL import Image
    import PIL
    files = synthetic_images(os.path.join(out, "images"))
    decode_fixtures(os.path.join(out, "decode"))
    procs = {"clip": transformers.CLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32}),
             "vit": transformers.ViTImageProcessor(size={"height": 32, "width": 32})}
    for name, proc in procs.items():
        d = os.path.join(out, name)
        proc.save_pretrained(os.path.join(d, "model"))
        model = transformers.AutoModel.from_pretrained(os.path.join(d, "model")).eval()
        px = proc([Image.open(f).convert("RGB") for f in files], return_tensors="pt")["pixel_values"]
        with torch.no_grad():
            e = model.get_image_features(pixel_values=px) if name == "clip" else model(pixel_values=px).last_hidden_state[:, 0]
            e = getattr(e, "pooler_output", e)
        np.save(os.path.join(d, "image_file_embeddings.npy"), e.numpy().astype(np.float32))
        np.save(os.path.join(d, "image_file_pixels.npy"), px.reshape(len(files), -1).numpy().astype(np.float32))
    # zero-shot classification as transformers' pipeline computes it: the labels in the template,
    # logits_per_image (exp(logit_scale) * cosine) and a softmax over the labels
    d = os.path.join(out, "clip")
    model = transformers.CLIPModel.from_pretrained(os.path.join(d, "model")).eval()
    labels, template = ["a dog", "a cat", "a car"], "This is a photo of {}."
    enc = tok([template.format(l) for l in labels], padding=True, return_tensors="pt")
    px = procs["clip"]([Image.open(f).convert("RGB") for f in files], return_tensors="pt")["pixel_values"]
    with torch.no_grad():
        probs = model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"],
                      pixel_values=px).logits_per_image.softmax(dim=-1)
    with open(os.path.join(d, "zero_shot.json"), "w") as f:
        json.dump({"labels": labels, "template": template, "images": [os.path.basename(x) for x in files],
                   "probs": probs.tolist()}, f)
    # SigLIP: sigmoid(logit_scale.exp() * cosine + logit_bias), the labels padded to max_length
    d = os.path.join(out, "siglip")
    sp = transformers.SiglipImageProcessor(size={"height": 32, "width": 32})
    sp.save_pretrained(os.path.join(d, "model"))
    model = transformers.SiglipModel.from_pretrained(os.path.join(d, "model")).eval()
    enc = stok([template.format(l) for l in labels], padding="max_length", max_length=64, return_tensors="pt")
    px = sp([Image.open(f).convert("RGB") for f in files], return_tensors="pt")["pixel_values"]
    with torch.no_grad():
        probs = torch.sigmoid(model(input_ids=enc["input_ids"], pixel_values=px).logits_per_image)
    with open(os.path.join(d, "zero_shot.json"), "w") as f:
        json.dump({"labels": labels, "template": template, "images": [os.path.basename(x) for x in files],
                   "probs": probs.tolist()}, f)
    # DINOv2 trained at 48 px (6 x 6 patches), used at its processor's 32 px crop: the positions
    # resized by torch's bicubic interpolation; GELU and SwiGLU feed-forwards, layer scales
    for i, (name, swiglu) in enumerate((("dinov2", False), ("dinov2-swiglu", True))):
        torch.manual_seed(8000 + i)
        d = os.path.join(out, name)
        shutil.rmtree(d, ignore_errors=True)
        model = transformers.Dinov2Model(transformers.Dinov2Config(
            hidden_size=32, num_hidden_layers=2, num_attention_heads=4, mlp_ratio=4, image_size=48, patch_size=8,
            use_swiglu_ffn=swiglu, layerscale_value=0.5))
        widen(model, 9000 + i)
        model.eval()
        model.save_pretrained(os.path.join(d, "model"), safe_serialization=True)
        proc = transformers.BitImageProcessor(size={"shortest_edge": 40}, crop_size={"height": 32, "width": 32},
                                              image_mean=[0.485, 0.456, 0.406], image_std=[0.229, 0.224, 0.225])
        proc.save_pretrained(os.path.join(d, "model"))
        px = proc([Image.open(f).convert("RGB") for f in files], return_tensors="pt")["pixel_values"]
        with torch.no_grad():
            e = model(pixel_values=px).pooler_output
        np.save(os.path.join(d, "image_file_embeddings.npy"), e.numpy().astype(np.float32))
    with open(os.path.join(out, "VERSIONS"), "w") as f:
        f.write(f"torch {torch.__version__}\ntransformers {transformers.__version__}\npillow {PIL.__version__}\n")


if __name__ == "__main__":
    main()
