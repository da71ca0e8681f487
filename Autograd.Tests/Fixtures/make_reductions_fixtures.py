#!/usr/bin/python3
"""Writes reductions.json: PyTorch's values and gradients for the reduction tests.

Run with Debian's Python (which has torch 1.13 installed):

    /usr/bin/python3 Autograd.Tests/Fixtures/make_reductions_fixtures.py

Every case is float64. Each case holds the op, its arguments, the input x, the upstream gradient
(the seed of backward), and PyTorch's output values, indices (for max/min along an axis and the
arg-extrema) and the gradient of x. Non-finite numbers are written as the strings "NaN",
"Infinity" and "-Infinity" (JSON has no literal for them; .NET parses these spellings).

What the cases pin down:
  max_all / min_all    ties share the gradient evenly (evenly_distribute_backward), NaNs too
  max_axis / min_axis  ties: values, the index PyTorch returns, and the gradient going there
  argmax / argmin      first occurrence on ties, NaN counts as the extremum
  var / std            biased and unbiased, values and gradients; a constant line (std's gradient 0);
                       one element unbiased (NaN)
  logsumexp            inputs of +-1000, a line of -inf (value -inf, gradient NaN), +inf
  sum_axes / mean_axes several axes, negative axes, dim=[] (everything), keepdim
"""

import json
import math
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(20240917)


def enc(values):
    out = []
    for v in values:
        v = float(v)
        if math.isnan(v):
            out.append("NaN")
        elif math.isinf(v):
            out.append("Infinity" if v > 0 else "-Infinity")
        else:
            out.append(v)
    return out


def flat(t):
    return enc(t.detach().reshape(-1).tolist())


def case(name, op, x, run, **args):
    """run(x) -> (output, indices or None); the upstream gradient is seeded per case."""
    x = x.detach().clone().to(torch.float64).requires_grad_(True)
    out, idx = run(x)
    gen = torch.Generator().manual_seed(len(cases) + 1)
    upstream = torch.randn(out.shape, generator=gen, dtype=torch.float64)
    out.backward(upstream)
    entry = {
        "name": name,
        "op": op,
        "shape": list(x.shape),
        "x": flat(x),
        "upstream": flat(upstream),
        "outShape": list(out.shape),
        "values": flat(out),
        "grad": flat(x.grad),
    }
    entry.update(args)
    if idx is not None:
        entry["indices"] = [int(i) for i in idx.reshape(-1).tolist()]
    cases.append(entry)


def index_case(name, op, x, axis, keepdim):
    fn = torch.argmax if op == "argmax" else torch.argmin
    out = fn(x, dim=axis, keepdim=keepdim)
    cases.append({
        "name": name, "op": op, "shape": list(x.shape), "x": flat(x), "axis": axis, "keepDim": keepdim,
        "outShape": list(out.shape), "indices": [int(i) for i in out.reshape(-1).tolist()],
    })


cases = []
nan, inf = float("nan"), float("inf")

# ---------------------------------------------------------------- max() / min() over everything
ties = torch.tensor([[1., 3., 3.], [2., 0., 3.]])
case("max_all_three_ties", "max_all", ties, lambda x: (x.max(), None))
case("min_all_two_ties", "min_all", torch.tensor([[1., 0., 3.], [0., 4., 2.]]), lambda x: (x.min(), None))
case("max_all_nans_share", "max_all", torch.tensor([1., nan, 2., nan]), lambda x: (x.max(), None))
case("min_all_all_equal", "min_all", torch.full((2, 2), 5.), lambda x: (x.min(), None))
case("max_all_distinct", "max_all", torch.randn(3, 4), lambda x: (x.max(), None))

# ---------------------------------------------------------------- max(axis) / min(axis) with ties
tied = torch.tensor([[1., 7., 7., 2.], [4., 4., 4., 4.], [0., -1., 5., 5.]])
for axis in (0, 1, -1):
    for keepdim in (False, True):
        case(f"max_axis{axis}_keep{keepdim}", "max_axis", tied,
             lambda x: tuple(torch.max(x, dim=axis, keepdim=keepdim)), axis=axis, keepDim=keepdim)
        case(f"min_axis{axis}_keep{keepdim}", "min_axis", tied,
             lambda x: tuple(torch.min(x, dim=axis, keepdim=keepdim)), axis=axis, keepDim=keepdim)
case("max_axis_nan", "max_axis", torch.tensor([[1., nan, 3., nan], [2., 2., 1., 1.]]),
     lambda x: tuple(torch.max(x, dim=1)), axis=1, keepDim=False)
case("min_axis_nan", "min_axis", torch.tensor([[1., nan, 3., nan], [2., 2., 1., 1.]]),
     lambda x: tuple(torch.min(x, dim=1)), axis=1, keepDim=False)

# ---------------------------------------------------------------- argmax / argmin
arg = torch.tensor([[1., nan, 3., nan], [2., 2., 1., 1.], [-inf, -inf, 0., 0.]])
for op in ("argmax", "argmin"):
    for axis in (0, 1, -2):
        for keepdim in (False, True):
            index_case(f"{op}_axis{axis}_keep{keepdim}", op, arg, axis, keepdim)
    index_case(f"{op}_rank3", op, torch.tensor([[[3., 1.], [3., 4.]], [[0., 0.], [-2., 9.]]]), 1, False)

# ---------------------------------------------------------------- var / std
spread = torch.randn(4, 5) * 3 + 10
spread[2] = 1.25   # a constant row: variance exactly 0, std's gradient 0
for op in ("var", "std"):
    fn = torch.var if op == "var" else torch.std
    for axis in (0, 1, -1):
        for unbiased in (True, False):
            for keepdim in (False, True):
                case(f"{op}_axis{axis}_unbiased{unbiased}_keep{keepdim}", op, spread,
                     lambda x: (fn(x, dim=axis, unbiased=unbiased, keepdim=keepdim), None),
                     axis=axis, unbiased=unbiased, keepDim=keepdim)
    for unbiased in (True, False):
        case(f"{op}_one_element_unbiased{unbiased}", op, torch.tensor([[2.], [-3.]]),
             lambda x: (fn(x, dim=1, unbiased=unbiased), None), axis=1, unbiased=unbiased, keepDim=False)
    case(f"{op}_rank3_middle", op, torch.randn(2, 3, 4),
         lambda x: (fn(x, dim=1), None), axis=1, unbiased=True, keepDim=False)

# ---------------------------------------------------------------- logsumexp
lse = torch.tensor([[1000., 1000., 999.], [-1000., -1000., -999.], [-inf, -inf, -inf], [1., 2., 3.], [inf, 0., 1.]])
for axis in (1, -1):
    for keepdim in (False, True):
        case(f"logsumexp_axis{axis}_keep{keepdim}", "logsumexp", lse,
             lambda x: (torch.logsumexp(x, dim=axis, keepdim=keepdim), None), axis=axis, keepDim=keepdim)
case("logsumexp_axis0", "logsumexp", torch.tensor([[1000., -1000.], [999., -999.], [998., -inf]]),
     lambda x: (torch.logsumexp(x, dim=0), None), axis=0, keepDim=False)
case("logsumexp_rank3", "logsumexp", torch.randn(2, 3, 4) * 50,
     lambda x: (torch.logsumexp(x, dim=1), None), axis=1, keepDim=False)

# ---------------------------------------------------------------- sum / mean over several axes
cube = torch.randn(2, 3, 4)
for axes in ([0, 2], [-1, 0], [1, 2], [0, 1, 2], []):
    for keepdim in (False, True):
        case(f"sum_axes{axes}_keep{keepdim}", "sum_axes", cube,
             lambda x: (torch.sum(x, dim=axes, keepdim=keepdim), None), axes=axes, keepDim=keepdim)
        case(f"mean_axes{axes}_keep{keepdim}", "mean_axes", cube,
             lambda x: (torch.mean(x, dim=axes, keepdim=keepdim), None), axes=axes, keepDim=keepdim)

with open(os.path.join(HERE, "reductions.json"), "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f, indent=1)
    f.write("\n")
print(f"wrote {len(cases)} cases to reductions.json")
