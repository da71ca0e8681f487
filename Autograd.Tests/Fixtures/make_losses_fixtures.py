#!/usr/bin/python3
"""Writes losses.json: PyTorch's values and gradients of the losses with their options.

Run from anywhere with Debian's Python (which has torch 1.13 installed):

    /usr/bin/python3 Autograd.Tests/Fixtures/make_losses_fixtures.py

Every case is float64 and deterministic (inputs from a seeded torch.Generator). Each records the inputs, the
options, an upstream gradient g of the output's shape (random, so that Reduction.None's per-element scaling
is exercised), the output, and the gradients of g·output with respect to each input that has one:

  cross_entropy   F.cross_entropy: class indices (with weight, ignore_index, label_smoothing, each reduction,
                  [N,C], [N,C,d1,...] and [C] logits, an all-ignored batch) and class probabilities
                  (gradient for the target too)
  nll_loss        F.nll_loss with the same options
  l1, huber       F.l1_loss, F.huber_loss(delta) with differences exactly 0 and exactly +-delta (the kinks);
                  huber also records the second derivative d/dx (v . dL/dx) for a random v
  mse, bce, bce_logits   the existing losses under each reduction

NaN (the mean of an all-ignored batch) is written as the string "NaN": JSON has no NaN.
"""

import json
import math
import os

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
REDUCTIONS = ["mean", "sum", "none"]
GEN = torch.Generator().manual_seed(1013)


def randn(*shape):
    return torch.randn(tuple(shape), generator=GEN, dtype=torch.float64)


def rand(*shape):
    return torch.rand(tuple(shape), generator=GEN, dtype=torch.float64)


def labels(classes, *shape):
    return torch.randint(0, classes, tuple(shape), generator=GEN, dtype=torch.int64)


def numbers(t):
    return [v if math.isfinite(v) else str(v).replace("nan", "NaN").replace("inf", "Infinity")
            for v in (float(x) for x in t.detach().reshape(-1).tolist())]


def tensor_json(t):
    values = t.reshape(-1).tolist() if t.dtype == torch.int64 else numbers(t)
    return {"shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", ""), "values": values}


def case(op, name, inputs, options, fn, second_order_of=None):
    """Runs fn(*inputs) with gradients for the floating inputs, and backward with a random upstream."""
    leaves = [x.clone().requires_grad_(x.is_floating_point()) for x in inputs]
    out = fn(*leaves)
    upstream = randn(*out.shape)
    wanted = [x for x in leaves if x.requires_grad]
    grads = torch.autograd.grad(out, wanted, upstream, create_graph=second_order_of is not None, allow_unused=True)
    record = {
        "op": op,
        "name": name,
        "inputs": [tensor_json(x) for x in inputs],
        "options": options,
        "upstream": tensor_json(upstream),
        "output": tensor_json(out.detach()),
        "grads": [None if g is None else numbers(g) for g in grads],
    }
    if second_order_of is not None:
        # d/dx (v . dL/dx): the second derivative along v, where the kinks decide.
        v = randn(*wanted[0].shape)
        (hv,) = torch.autograd.grad((grads[0] * v).sum(), wanted[0], allow_unused=True)
        record["v"] = numbers(v)
        record["hessian_v"] = numbers(torch.zeros_like(v) if hv is None else hv)
    return record


def cross_entropy_cases():
    cases = []

    def add(name, logits, target, weight=None, ignore_index=-100, smoothing=0.0, reductions=REDUCTIONS):
        for reduction in reductions:
            options = {"weight": None if weight is None else numbers(weight), "ignore_index": ignore_index,
                       "label_smoothing": smoothing, "reduction": reduction}
            cases.append(case("cross_entropy", f"{name}/{reduction}", [logits, target], options,
                              lambda z, t: F.cross_entropy(z, t, weight=weight, ignore_index=ignore_index,
                                                           label_smoothing=smoothing, reduction=reduction)))

    z = randn(6, 5) * 2
    y = labels(5, 6)
    w = rand(5) + 0.25
    add("indices", z, y)
    add("weight", z, y, weight=w)
    y_ignored = y.clone()
    y_ignored[[1, 4]] = -100
    add("ignore_index", z, y_ignored)
    add("weight+ignore_index", z, y_ignored, weight=w)
    y_ignore2 = y.clone()
    y_ignore2[0] = 2  # class 2, a real class, is the ignored one
    add("ignore_index=2 (a real class)+weight", z, y_ignore2, weight=w, ignore_index=2)
    add("smoothing", z, y, smoothing=0.1)
    add("smoothing+weight", z, y, weight=w, smoothing=0.3)
    add("smoothing+weight+ignore_index", z, y_ignored, weight=w, smoothing=0.2)
    add("smoothing=1", z, y_ignored, smoothing=1.0)

    z3 = randn(3, 4, 5)
    y3 = labels(4, 3, 5)
    y3[0, 1] = -100
    y3[2, 4] = -100
    w4 = rand(4) + 0.25
    add("[N,C,d]", z3, y3)
    add("[N,C,d]+weight+smoothing", z3, y3, weight=w4, smoothing=0.15)
    z4 = randn(2, 3, 2, 2)
    y4 = labels(3, 2, 2, 2)
    y4[1, 0, 1] = -100
    add("[N,C,d1,d2]+weight+smoothing", z4, y4, weight=rand(3) + 0.5, smoothing=0.1)
    add("[C]", randn(5), labels(5), smoothing=0.1)
    add("[C]+weight", randn(4), torch.tensor(2), weight=rand(4) + 0.5)

    add("all ignored", z, torch.full((6,), -100, dtype=torch.int64), weight=w, smoothing=0.1)
    add("all ignored, no weight", z, torch.full((6,), -100, dtype=torch.int64))

    huge = torch.tensor([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 500.0], [1000.0, 1000.0, -1000.0]], dtype=torch.float64)
    add("logits of +-1000+smoothing+weight", huge, torch.tensor([1, 1, 2]), weight=torch.tensor([0.5, 1.0, 2.0], dtype=torch.float64),
        smoothing=0.1)

    # Class probabilities (a float target of the logits' shape).
    p = torch.softmax(randn(5, 4) * 2, dim=1)
    add("probabilities", randn(5, 4), p)
    add("probabilities+weight+smoothing", randn(5, 4), p, weight=rand(4) + 0.25, smoothing=0.2)
    p3 = torch.softmax(randn(2, 3, 4), dim=1)
    add("probabilities [N,C,d]+weight", randn(2, 3, 4), p3, weight=rand(3) + 0.25, smoothing=0.1)
    return cases


def nll_cases():
    cases = []

    def add(name, x, target, weight=None, ignore_index=-100):
        for reduction in REDUCTIONS:
            options = {"weight": None if weight is None else numbers(weight), "ignore_index": ignore_index,
                       "reduction": reduction}
            cases.append(case("nll_loss", f"{name}/{reduction}", [x, target], options,
                              lambda a, t: F.nll_loss(a, t, weight=weight, ignore_index=ignore_index, reduction=reduction)))

    x = torch.log_softmax(randn(6, 5), dim=1)
    y = labels(5, 6)
    y[3] = -100
    w = rand(5) + 0.25
    add("indices", x, y)
    add("weight+ignore_index", x, y, weight=w)
    add("ignore_index=1+weight", x, labels(5, 6), weight=w, ignore_index=1)
    x3 = torch.log_softmax(randn(2, 4, 3), dim=1)
    y3 = labels(4, 2, 3)
    y3[1, 2] = -100
    add("[N,C,d]+weight", x3, y3, weight=rand(4) + 0.25)
    add("[C]", torch.log_softmax(randn(4), dim=0), torch.tensor(3))
    add("all ignored", x, torch.full((6,), -100, dtype=torch.int64), weight=w)
    return cases


def regression_cases():
    cases = []
    # Differences exactly 0, +-delta (the kinks) and in between, on both sides.
    for delta in [1.0, 0.5, 2.0]:
        target = randn(3, 4)
        offsets = torch.tensor([0.0, delta, -delta, 0.3 * delta, -0.7 * delta, 1.5 * delta, -3 * delta, 0.0,
                                2 * delta, -0.01 * delta, delta, 5.0], dtype=torch.float64).reshape(3, 4)
        prediction = target + offsets
        for reduction in REDUCTIONS:
            cases.append(case("huber", f"delta={delta}/{reduction}", [prediction, target],
                              {"delta": delta, "reduction": reduction},
                              lambda a, b: F.huber_loss(a, b, delta=delta, reduction=reduction), second_order_of=0))
    target = randn(2, 5)
    prediction = target + torch.tensor([0.0, 1.0, -2.0, 0.5, 0.0, -0.25, 3.0, 0.0, -1.0, 0.1], dtype=torch.float64).reshape(2, 5)
    for reduction in REDUCTIONS:
        cases.append(case("l1", f"l1/{reduction}", [prediction, target], {"reduction": reduction},
                          lambda a, b: F.l1_loss(a, b, reduction=reduction)))
        cases.append(case("mse", f"mse/{reduction}", [randn(3, 2), randn(3, 2)], {"reduction": reduction},
                          lambda a, b: F.mse_loss(a, b, reduction=reduction)))
        cases.append(case("bce", f"bce/{reduction}", [rand(2, 3) * 0.9 + 0.05, rand(2, 3)], {"reduction": reduction},
                          lambda a, b: F.binary_cross_entropy(a, b, reduction=reduction)))
        cases.append(case("bce_logits", f"bce_logits/{reduction}", [randn(4) * 3, rand(4)], {"reduction": reduction},
                          lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction=reduction)))
    return cases


def main():
    fixture = {
        "torch": torch.__version__,
        "cases": cross_entropy_cases() + nll_cases() + regression_cases(),
    }
    path = os.path.join(HERE, "losses.json")
    with open(path, "w") as f:
        json.dump(fixture, f, indent=1, allow_nan=False)
    print(f"wrote {path}: {len(fixture['cases'])} cases")


if __name__ == "__main__":
    main()
