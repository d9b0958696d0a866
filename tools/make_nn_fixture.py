#!/usr/bin/python3
"""Writes tests/fixtures/nn/torch_steps.txt: a few optimiser steps of small networks computed by
PyTorch (Debian python3-torch), for tests/test_nn.c to repeat with latent's training core.

Each case: a header line
  case NAME ARCH C H W LOSS OPTIM LR WD MOMENTUM NESTEROV STEPS B [entity NCAT NNUM CARD.. DIMS..]
then the initial parameters, the B input rows, the targets (class ids or values), and per step
the loss and the parameters after it. Everything is written in latent's layouts: samples
channels-last (H, W, C), conv weights (out, kh, kw, in), parameters layer by layer (weight,
bias; layer norm gamma, beta; embedding tables of card + 1 rows). The PyTorch models flatten
channels-last too, so their linear weights need no permutation.

Usage: /usr/bin/python3 tools/make_nn_fixture.py > tests/fixtures/nn/torch_steps.txt
Made with torch 1.13.0a0 (Debian 12)."""
import sys
import torch
import torch.nn as nn

torch.manual_seed(0)
torch.set_num_threads(1)


class NHWC(nn.Module):
    def forward(self, x):
        return x.permute(0, 2, 3, 1).reshape(x.shape[0], -1)


def params_latent(model):
    out = []
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            out += m.weight.detach().permute(0, 2, 3, 1).reshape(-1).tolist() + m.bias.detach().tolist()
        elif isinstance(m, nn.Linear):
            out += m.weight.detach().reshape(-1).tolist() + m.bias.detach().tolist()
        elif isinstance(m, nn.LayerNorm):
            out += m.weight.detach().tolist() + m.bias.detach().tolist()
        elif isinstance(m, nn.Embedding):
            out += m.weight.detach().reshape(-1).tolist()
    return out


def line(vals):
    return " ".join("%.9g" % v for v in vals)


class Entity(nn.Module):
    def __init__(self, card, dims, nnum, head):
        super().__init__()
        self.nnum = nnum
        self.emb = nn.ModuleList(nn.Embedding(c + 1, d) for c, d in zip(card, dims))
        for e, c in zip(self.emb, card):
            with torch.no_grad():
                e.weight[c].zero_()
        self.head = head

    def forward(self, x):
        ids = x[:, self.nnum:].long()
        parts = [e(ids[:, j]) for j, e in enumerate(self.emb)] + [x[:, :self.nnum]]
        return self.head(torch.cat(parts, 1))


def run(name, arch, chw, model, loss, optim, lr, wd, mom, nest, steps, X, target, torch_x, extra=""):
    if optim == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=wd)
    elif optim == "adamw":
        opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=wd)
    else:
        opt = torch.optim.SGD(model.parameters(), lr=lr, weight_decay=wd, momentum=mom, nesterov=bool(nest))
    lf = {"mse": nn.MSELoss(), "bce": nn.BCELoss(), "softmax_ce": nn.CrossEntropyLoss()}[loss]
    B = X.shape[0]
    print("case %s %s %d %d %d %s %s %g %g %g %d %d %d%s" % (name, arch, chw[0], chw[1], chw[2], loss, optim, lr, wd, mom, nest, steps, B, extra))
    print(line(params_latent(model)))
    print(line(X.reshape(-1).tolist()))
    print(line(target.reshape(-1).tolist()) if loss != "softmax_ce" else " ".join(str(int(v)) for v in target))
    for _ in range(steps):
        opt.zero_grad()
        out = model(torch_x)
        l = lf(out, target)
        l.backward()
        opt.step()
        print("%.9g" % l.item())
        print(line(params_latent(model)))


def main():
    # CNN, channels-last input (B, H, W, C) = (4, 6, 6, 2)
    X = torch.randn(4, 6, 6, 2)
    y = torch.tensor([0, 2, 1, 2])
    cnn = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 3, 3, padding=1), nn.ReLU(), NHWC(),
                        nn.Linear(27, 5), nn.ReLU(), nn.Linear(5, 3))
    run("cnn", "c4k3-p2-c3k3-f5-f3", (2, 6, 6), cnn, "softmax_ce", "adam", 1e-2, 0, 0, 0, 3, X, y, X.permute(0, 3, 1, 2))
    # strided conv, average pool, tanh, MSE, SGD with momentum
    X = torch.randn(3, 7, 7, 1)
    T = torch.randn(3, 4)
    c2 = nn.Sequential(nn.Conv2d(1, 3, 3, stride=2, padding=1), nn.Tanh(), nn.AvgPool2d(2), NHWC(), nn.Linear(12, 4))
    run("cnn_sgd", "c3k3s2p1:tanh-a2-f4", (1, 7, 7), c2, "mse", "sgd", 5e-2, 1e-3, 0.9, 0, 3, X, T, X.permute(0, 3, 1, 2))
    # autoencoder: hidden ReLU, bottleneck linear, sigmoid output; MSE and BCE
    X = torch.rand(5, 10)
    for loss in ("mse", "bce"):
        ae = nn.Sequential(nn.Linear(10, 6), nn.ReLU(), nn.Linear(6, 3), nn.Linear(3, 6), nn.ReLU(), nn.Linear(6, 10), nn.Sigmoid())
        run("ae_" + loss, "10-6-3-6-10", (10, 1, 1), ae, loss, "adam", 1e-2, 1e-2, 0, 0, 3, X, X, X)
    # GELU, layer norm, tanh; SGD with Nesterov momentum and weight decay
    X = torch.randn(6, 7)
    y = torch.tensor([0, 1, 2, 1, 0, 2])
    mlp = nn.Sequential(nn.Linear(7, 6), nn.GELU(), nn.LayerNorm(6), nn.Linear(6, 5), nn.Tanh(), nn.Linear(5, 3))
    with torch.no_grad():
        mlp[2].weight.uniform_(0.5, 1.5)
        mlp[2].bias.uniform_(-0.5, 0.5)
    run("mlp_sgd", "f6:gelu-ln-f5:tanh-f3", (7, 1, 1), mlp, "softmax_ce", "sgd", 1e-1, 1e-2, 0.9, 1, 3, X, y, X)
    # entity embeddings: 2 numerics then the ids of 2 categorical columns; AdamW
    num = torch.randn(8, 2)
    ids = torch.stack([torch.tensor([0, 1, 2, 0, 1, 2, 0, 1]), torch.tensor([3, 2, 1, 0, 3, 2, 1, 0])], 1).float()
    X = torch.cat([num, ids], 1)
    y = torch.tensor([0, 1, 1, 0, 1, 0, 0, 1])
    ent = Entity([3, 4], [2, 3], 2, nn.Sequential(nn.Linear(7, 6), nn.ReLU(), nn.Linear(6, 2)))
    run("entity", "f6-f2", (4, 1, 1), ent, "softmax_ce", "adamw", 1e-2, 1e-1, 0, 0, 3, X, y, X, " entity 2 2 3 4 2 3")


if __name__ == "__main__":
    main()
