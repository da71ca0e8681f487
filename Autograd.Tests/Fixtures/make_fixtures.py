#!/usr/bin/python3
"""Writes the PyTorch reference fixtures for the training-layer tests.

Run from anywhere with Debian's Python (which has torch installed):

    /usr/bin/python3 Autograd.Tests/Fixtures/make_fixtures.py                   # every fixture
    /usr/bin/python3 Autograd.Tests/Fixtures/make_fixtures.py tutorial_hessians # only the ones named

It writes, next to this script:
  optim_trajectories.json  parameters after each step of SGD / Adam / AdamW (float64)
  lr_schedules.json        learning rates produced by StepLR and CosineAnnealingLR
  mlp.safetensors          state_dict of nn.Sequential(Linear(4,8), ReLU(), Linear(8,3)), F32
  mlp_io.json              inputs for that model and PyTorch's outputs
  tutorial_hessians.json   Hessians of the shared/seeds tutorial networks' losses (float64)

Naming fixtures (optim_trajectories, lr_schedules, mlp, tutorial_hessians) regenerates only those:
a run on another machine or PyTorch build can change the last bit of the float32 and BLAS results
in the others.

The safetensors file is written with struct + json (the `safetensors` package is not
installed), following the format exactly: u64 little-endian header length, JSON header
with keys sorted, padded with spaces to 8-byte alignment, raw little-endian data.
"""

import json
import math
import os
import struct
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
STEPS = 12


def rounded(values):
    # repr() of a float64 round-trips exactly; keep the full precision.
    return [float(v) for v in values]


# ---------------------------------------------------------------- optimizers
# A fixed problem the C# tests rebuild identically:
#   W [3,4], v [4] are the parameters; X [5,3], Y [5,4] are constants;
#   loss = mean((X @ W + v - Y) ** 2)
def problem():
    W = torch.tensor([[0.5, -0.3, 0.8, 0.1],
                      [-0.7, 0.2, 0.4, -0.6],
                      [0.3, 0.9, -0.2, 0.05]], dtype=torch.float64)
    v = torch.tensor([0.1, -0.2, 0.3, -0.4], dtype=torch.float64)
    X = torch.tensor([[1.0, 2.0, -1.0],
                      [0.5, -1.5, 2.0],
                      [-2.0, 0.3, 0.7],
                      [1.2, 1.1, -0.4],
                      [0.0, -0.8, 1.5]], dtype=torch.float64)
    Y = torch.tensor([[0.2, -0.1, 0.4, 1.0],
                      [-0.5, 0.7, 0.1, 0.0],
                      [0.3, 0.3, -0.6, 0.2],
                      [1.1, -0.4, 0.5, -0.3],
                      [0.0, 0.6, -0.2, 0.8]], dtype=torch.float64)
    return W, v, X, Y


def loss_fn(W, v, X, Y):
    return ((X @ W + v - Y) ** 2).mean()


OPTIMIZER_CASES = [
    ("sgd", "Sgd", dict(lr=0.1)),
    ("sgd_momentum", "Sgd", dict(lr=0.05, momentum=0.9)),
    ("sgd_nesterov", "Sgd", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("sgd_weight_decay", "Sgd", dict(lr=0.1, weight_decay=0.05)),
    ("sgd_momentum_weight_decay", "Sgd", dict(lr=0.05, momentum=0.5, weight_decay=0.1)),
    ("adam", "Adam", dict(lr=0.05)),
    ("adam_betas_eps", "Adam", dict(lr=0.02, betas=(0.8, 0.99), eps=1e-3)),
    ("adam_weight_decay", "Adam", dict(lr=0.05, weight_decay=0.1)),
    ("adamw", "AdamW", dict(lr=0.05)),
    ("adamw_weight_decay", "AdamW", dict(lr=0.05, weight_decay=0.3)),
]


def optimizer_trajectories():
    W0, v0, X, Y = problem()
    cases = []
    for name, kind, kwargs in OPTIMIZER_CASES:
        W = W0.clone().requires_grad_(True)
        v = v0.clone().requires_grad_(True)
        opt = getattr(torch.optim, {"Sgd": "SGD"}.get(kind, kind))([W, v], **kwargs)
        steps = []
        for _ in range(STEPS):
            opt.zero_grad()
            loss_fn(W, v, X, Y).backward()
            opt.step()
            steps.append({"W": rounded(W.detach().flatten()), "v": rounded(v.detach())})
        options = dict(kwargs)
        if "betas" in options:
            options["beta1"], options["beta2"] = options.pop("betas")
        cases.append({"name": name, "optimizer": kind, "options": options, "steps": steps})
    return {
        "W0": rounded(W0.flatten()), "v0": rounded(v0),
        "X": rounded(X.flatten()), "Y": rounded(Y.flatten()),
        "cases": cases,
    }


# ---------------------------------------------------------------- LR schedules
def schedule(make, base_lr, steps):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=base_lr)
    sched = make(opt)
    lrs = [opt.param_groups[0]["lr"]]
    for _ in range(steps):
        opt.step()
        sched.step()
        lrs.append(opt.param_groups[0]["lr"])
    return lrs


def lr_schedules():
    S = torch.optim.lr_scheduler
    return {
        "step_lr": {"base_lr": 0.1, "step_size": 3, "gamma": 0.5,
                    "lrs": schedule(lambda o: S.StepLR(o, step_size=3, gamma=0.5), 0.1, 12)},
        "step_lr_default_gamma": {"base_lr": 1.0, "step_size": 4, "gamma": 0.1,
                                  "lrs": schedule(lambda o: S.StepLR(o, step_size=4), 1.0, 10)},
        "cosine": {"base_lr": 0.1, "t_max": 10, "eta_min": 0.001,
                   "lrs": schedule(lambda o: S.CosineAnnealingLR(o, T_max=10, eta_min=0.001), 0.1, 25)},
        "cosine_zero_min": {"base_lr": 0.5, "t_max": 7, "eta_min": 0.0,
                            "lrs": schedule(lambda o: S.CosineAnnealingLR(o, T_max=7), 0.5, 16)},
    }


# ---------------------------------------------------------------- safetensors
DTYPE_NAMES = {torch.float32: ("F32", "<f"), torch.float64: ("F64", "<d")}


def save_safetensors(path, tensors, metadata=None):
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    offset = 0
    blobs = []
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous()
        dtype, fmt = DTYPE_NAMES[t.dtype]
        values = t.flatten().tolist()
        blob = struct.pack("<%d%s" % (len(values), fmt[1]), *values)
        header[name] = {"dtype": dtype, "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def mlp_fixture():
    torch.manual_seed(1234)
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    save_safetensors(os.path.join(HERE, "mlp.safetensors"), model.state_dict(),
                     metadata={"format": "pt"})
    x = torch.randn(6, 4)
    with torch.no_grad():
        y = model(x)
    return {
        "input_shape": list(x.shape), "input": rounded(x.flatten().double()),
        "output_shape": list(y.shape), "output": rounded(y.flatten().double()),
        "state_dict_keys": list(model.state_dict().keys()),
    }


# ---------------------------------------------------------------- tutorial Hessians
# The networks of shared/seeds (as Autograd.Tests/Seeds rebuild them), in float64, with the Hessian of
# each loss with respect to (a) the network's input, (b) its first weight matrix, (c) all its
# parameters flattened in order (torch.autograd.functional.hessian, blocks assembled into [P, P]).
# Every tensor the C# test needs is written out, so it does not depend on any random generator.
# 000 (one layer and a ReLU, no loss) has no Hessian to speak of; 001, 002 and 003 do.
#
# The binary cross-entropy is written out as the tutorials define it: F.binary_cross_entropy's
# double backward adds 1e-12 inside its denominators (binary_cross_entropy_double_backward), which
# moves the Hessian by ~2e-12/p relative; the formula is the exact function. Checked below.

def bce(p, y):
    return -(y * p.log() + (1 - y) * (1 - p).log()).mean()


def binary_classifier(t, loss=bce):
    # 001: f(x) = sigmoid(max(0, x w1) w2 + b), mean BCE.
    return loss(((t["x"] @ t["w1"]).relu() @ t["w2"] + t["b"]).sigmoid(), t["y"])


def softmax_classifier(t):
    # 002: y1 = X W1 + b1, h1 = max(0, y1), y2 = h1 W2 + b2, softmax cross-entropy.
    y2 = (t["x"] @ t["W1"] + t["b1"]).relu() @ t["W2"] + t["b2"]
    return torch.nn.functional.cross_entropy(y2, t["labels"])


def walkthrough(t, loss=bce):
    # 003: three Linear layers (x W^T + b), ReLU, ReLU, sigmoid, mean BCE.
    F = torch.nn.functional
    a1 = F.linear(t["x"], t["W1"], t["b1"]).relu()
    a2 = F.linear(a1, t["W2"], t["b2"]).relu()
    return loss(F.linear(a2, t["W3"], t["b3"]).sigmoid(), t["y"])


def hessian_network(name, seed_file, loss, t, parameters, weight, preactivations=()):
    # Well away from the ReLU kinks, so that rounding cannot flip a mask between the two libraries.
    for z in preactivations:
        assert float(z.abs().min()) > 1e-3, (name, float(z.abs().min()))

    H = torch.autograd.functional.hessian

    def of(key):
        return lambda value: loss({**t, key: value})

    def flat(h, shape):
        return {"shape": list(shape), "values": rounded(h.flatten())}

    blocks = H(lambda *ps: loss({**t, **dict(zip(parameters, ps))}), tuple(t[p] for p in parameters))
    full = torch.cat([torch.cat([blocks[i][j].reshape(t[a].numel(), t[b].numel()) for j, b in enumerate(parameters)], 1)
                      for i, a in enumerate(parameters)], 0)
    return {
        "name": name,
        "seed": seed_file,
        "tensors": {k: flat(v, v.shape) for k, v in t.items() if k != "labels"},
        "labels": [int(v) for v in t["labels"]] if "labels" in t else None,
        "parameters": parameters,
        "weight": weight,
        "loss": float(loss(t)),
        "hessian_input": flat(H(of("x"), t["x"]), list(t["x"].shape) * 2),
        "hessian_weight": flat(H(of(weight), t[weight]), list(t[weight].shape) * 2),
        "hessian_parameters": flat(full, list(full.shape)),
    }


def check_against_torch_bce(network, t, fixture):
    # F.binary_cross_entropy gives the same Hessian to within its 1e-12 (2e-11 relative at most here).
    F = torch.nn.functional
    hessian = torch.autograd.functional.hessian(lambda x: network({**t, "x": x}, F.binary_cross_entropy), t["x"])
    expected = torch.tensor(fixture["hessian_input"]["values"], dtype=torch.float64).reshape(hessian.shape)
    assert torch.allclose(hessian, expected, rtol=1e-8, atol=1e-14), fixture["name"]


def tutorial_hessians():
    gen = torch.Generator().manual_seed(2024)

    def randn(*shape):
        return torch.randn(*shape, generator=gen, dtype=torch.float64)

    def tensor(values):
        return torch.tensor(values, dtype=torch.float64)

    t001 = {"x": randn(6, 2), "y": tensor([[0.], [1.], [1.], [0.], [1.], [0.]]),
            "w1": randn(2, 3), "w2": randn(3, 1), "b": randn(1)}
    t002 = {"x": randn(6, 4), "labels": torch.tensor([0, 2, 1, 1, 0, 2]),
            "W1": randn(4, 5), "b1": randn(5), "W2": randn(5, 3), "b2": randn(3)}
    # 003: the tutorial's own weights and data. Its Z2[0,0] is exactly 0, where both libraries take ReLU' = 0.
    t003 = {"x": tensor([[1., 2.], [3., 4.]]), "y": tensor([[0.], [1.]]),
            "W1": tensor([[-1., 2.], [3., 0.5], [-0.1, -4.]]), "b1": tensor([1., -2., 0.3]),
            "W2": tensor([[0.5, 1., -2.], [0.7, 0.1, 0.3]]), "b2": tensor([-4., 5.]),
            "W3": tensor([[0.5, -0.3]]), "b3": tensor([0.1])}
    n001 = hessian_network("binary_classifier_001", "001_99c68d54839f4e9b.txt", binary_classifier, t001,
                           ["w1", "w2", "b"], "w1", [t001["x"] @ t001["w1"]])
    n002 = hessian_network("softmax_classifier_002", "002_e18d81f6fabee860.txt", softmax_classifier, t002,
                           ["W1", "b1", "W2", "b2"], "W1", [t002["x"] @ t002["W1"] + t002["b1"]])
    n003 = hessian_network("walkthrough_003", "003_0834851c8f1242d4.txt", walkthrough, t003,
                           ["W1", "b1", "W2", "b2", "W3", "b3"], "W1")
    check_against_torch_bce(binary_classifier, t001, n001)
    check_against_torch_bce(walkthrough, t003, n003)
    return {"torch": torch.__version__, "networks": [n001, n002, n003]}


def write_json(name, obj):
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")


FIXTURES = {
    "optim_trajectories": lambda: write_json("optim_trajectories.json", optimizer_trajectories()),
    "lr_schedules": lambda: write_json("lr_schedules.json", lr_schedules()),
    "mlp": lambda: write_json("mlp_io.json", mlp_fixture()),   # also writes mlp.safetensors
    "tutorial_hessians": lambda: write_json("tutorial_hessians.json", tutorial_hessians()),
}


if __name__ == "__main__":
    torch.set_default_dtype(torch.float32)
    names = sys.argv[1:] or list(FIXTURES)
    unknown = [n for n in names if n not in FIXTURES]
    if unknown:
        sys.exit("unknown fixture(s) %s; choose from %s" % (", ".join(unknown), ", ".join(FIXTURES)))
    for name in names:
        FIXTURES[name]()
    print("torch", torch.__version__, "fixtures", ", ".join(names), "written to", HERE)
