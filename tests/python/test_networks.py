"""train_autoencoder, train_cnn, train_entity from Python against `latent train` + `latent encode`."""
import subprocess

import numpy as np
import pytest

import latent
from conftest import LATENT


def test_autoencoder_equals_cli(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.random((300, 20)).astype(np.float32)
    np.save(tmp_path / "x.npy", X)
    subprocess.run([LATENT, "train", "autoencoder", str(tmp_path / "x.npy"), "-o", str(tmp_path / "m.lmodel"),
                    "--epochs", "3", "-t", "1", "-q"], check=True)
    subprocess.run([LATENT, "encode", str(tmp_path / "m.lmodel"), str(tmp_path / "x.npy"), "-o",
                    str(tmp_path / "z.npy"), "-t", "1", "-q"], check=True)
    m = latent.train_autoencoder(X, epochs=3, threads=1)
    assert m.metadata["nn_arch"] == "20-256-32-256-20" and len(m.losses_) == 3
    np.testing.assert_array_equal(m.encode(X, threads=1), np.load(tmp_path / "z.npy"))
    np.testing.assert_array_equal(latent.NeuralModel.load(tmp_path / "m.lmodel").encode(X, threads=1),
                                  m.encode(X, threads=1))
    m.save(tmp_path / "p.lmodel")
    assert latent.NeuralModel.load(tmp_path / "p.lmodel").encode(X, layer="output").shape == (300, 20)


def test_cnn_learns_and_equals_cli(tmp_path):
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 240)
    imgs = rng.random((240, 8, 8)).astype(np.float32) * 0.2
    imgs[y == 1, 2:6, 2:6] += 0.8   # class 1 has a bright square
    np.save(tmp_path / "x.npy", imgs.reshape(240, 64))
    (tmp_path / "y.txt").write_text("".join(f"{v}\n" for v in y))
    args = ["--arch", "c4k3-p2-f16-f2", "--epochs", "15", "--lr", "0.01", "--shape", "8x8x1", "-t", "1", "-q"]
    subprocess.run([LATENT, "train", "cnn", str(tmp_path / "x.npy"), str(tmp_path / "y.txt"), "-o",
                    str(tmp_path / "m.lmodel")] + args, check=True)
    subprocess.run([LATENT, "encode", str(tmp_path / "m.lmodel"), str(tmp_path / "x.npy"), "-o",
                    str(tmp_path / "z.npy"), "-t", "1", "-q"], check=True)
    m = latent.train_cnn(imgs, y, arch="c4k3-p2-f16-f2", epochs=15, lr=0.01, threads=1)
    assert list(m.classes_) == ["0", "1"]
    np.testing.assert_array_equal(m.encode(imgs, threads=1), np.load(tmp_path / "z.npy"))
    logits = m.encode(imgs, layer="output")
    assert (logits.argmax(1) == y).mean() > 0.9


def test_entity_equals_cli(tmp_path):
    rng = np.random.default_rng(2)
    c = rng.choice(["a", "b", "c", "d"], 300)
    num = np.round(rng.normal(size=300), 3)
    target = np.where(np.isin(c, ["a", "b"]), "yes", "no")
    T = np.column_stack([c, num.astype(object), target]).astype(object)
    (tmp_path / "t.csv").write_text("x0,x1,x2\n" + "".join(f"{a},{b},{t}\n" for a, b, t in T))
    subprocess.run([LATENT, "train", "entity", str(tmp_path / "t.csv"), "--target", "x2", "-o",
                    str(tmp_path / "m.lmodel"), "--epochs", "3", "-t", "1", "-q"], check=True)
    subprocess.run([LATENT, "encode", str(tmp_path / "m.lmodel"), str(tmp_path / "t.csv"), "-o",
                    str(tmp_path / "z.npy"), "-t", "1", "-q"], check=True)
    m = latent.train_entity(T, "x2", epochs=3, threads=1)
    np.testing.assert_allclose(m.encode(T, threads=1), np.load(tmp_path / "z.npy"), rtol=0, atol=1e-6)
    with pytest.raises(ValueError, match="not a column"):
        latent.train_entity(T, "y")
