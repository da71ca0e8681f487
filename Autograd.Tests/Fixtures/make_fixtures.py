#!/usr/bin/python3
"""Writes the PyTorch reference fixtures for the training-layer tests.

Run from anywhere with Debian's Python (which has torch installed):

    /usr/bin/python3 Autograd.Tests/Fixtures/make_fixtures.py

It writes, next to this script:
  optim_trajectories.json  parameters after each step of SGD / Adam / AdamW (float64)
  lr_schedules.json        learning rates produced by StepLR and CosineAnnealingLR
  mlp.safetensors          state_dict of nn.Sequential(Linear(4,8), ReLU(), Linear(8,3)), F32
  mlp_io.json              inputs for that model and PyTorch's outputs

The safetensors file is written with struct + json (the `safetensors` package is not
installed), following the format exactly: u64 little-endian header length, JSON header
with keys sorted, padded with spaces to 8-byte alignment, raw little-endian data.
"""

import json
import math
import os
import struct

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


def write_json(name, obj):
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    torch.set_default_dtype(torch.float32)
    write_json("optim_trajectories.json", optimizer_trajectories())
    write_json("lr_schedules.json", lr_schedules())
    write_json("mlp_io.json", mlp_fixture())
    print("torch", torch.__version__, "fixtures written to", HERE)
