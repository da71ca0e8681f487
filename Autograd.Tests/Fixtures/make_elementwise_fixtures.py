#!/usr/bin/python3
"""Writes elementwise.json: PyTorch's values and gradients for the elementwise ops whose conventions are subtle.

    /usr/bin/python3 Autograd.Tests/Fixtures/make_elementwise_fixtures.py

Everything is float64. Non-finite numbers are written as the strings "NaN", "Infinity", "-Infinity" (JSON has no
literal for them). Read by Autograd.Tests/Ops/Elementwise/ElementwiseFixtureTests.cs.

  unary    for each case: x, the upstream gradient w, y = f(x), grad = w * f'(x) (autograd of sum(w * y)) and
           grad2 = d/dx sum(grad) = w * f''(x) (autograd with create_graph; zeros where PyTorch's graph ends):
           GELU both forms, SiLU, Softplus (threshold, beta), ELU (alpha; the derivative at 0), Clamp (gradient at
           the bounds, min > max), Sin, Cos, Square
  binary   a, b (broadcast), upstream w, y, grad_a, grad_b, and for smooth cases grad2_a, grad2_b (of
           sum(grad_a) + sum(grad_b)): Maximum/Minimum ties and NaN, Pow(Tensor) at x = 0
  normal   the standard normal CDF and density from mpmath at 40 digits, rounded to float64, from -38.5 to 38.5
           (the tail where erfc underflows), to check the exact GELU's Phi to a few ulps
"""

import json
import math
import os

import mpmath
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
D = torch.float64


def encode(values):
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


def upstream(n):
    # Deterministic, nonzero, both signs.
    return [(0.5 + 0.25 * (i % 5)) * (1 if (i // 5) % 2 == 0 else -1) for i in range(n)]


def flat(t):
    return t.detach().reshape(-1).tolist()


def unary_case(name, f, xs, **params):
    x = torch.tensor(xs, dtype=D, requires_grad=True)
    w = torch.tensor(upstream(len(xs)), dtype=D)
    y = f(x)
    (grad,) = torch.autograd.grad((w * y).sum(), x, create_graph=True)
    if grad.requires_grad:
        (grad2,) = torch.autograd.grad(grad.sum(), x, allow_unused=True)
        grad2 = torch.zeros_like(x) if grad2 is None else grad2
    else:
        grad2 = torch.zeros_like(x)
    return {"name": name, "params": params, "x": encode(xs), "upstream": encode(flat(w)), "y": encode(flat(y)),
            "grad": encode(flat(grad)), "grad2": encode(flat(grad2))}


def binary_case(name, f, a, a_shape, b, b_shape, second_order=False):
    ta = torch.tensor(a, dtype=D).reshape(a_shape).requires_grad_()
    tb = torch.tensor(b, dtype=D).reshape(b_shape).requires_grad_()
    y = f(ta, tb)
    w = torch.tensor(upstream(y.numel()), dtype=D).reshape(y.shape)
    ga, gb = torch.autograd.grad((w * y).sum(), [ta, tb], create_graph=second_order)
    case = {"name": name, "a": encode(a), "a_shape": list(a_shape), "b": encode(b), "b_shape": list(b_shape),
            "upstream": encode(flat(w)), "y": encode(flat(y)), "y_shape": list(y.shape),
            "grad_a": encode(flat(ga)), "grad_b": encode(flat(gb))}
    if second_order:
        ha, hb = torch.autograd.grad(ga.sum() + gb.sum(), [ta, tb])
        case["grad2_a"] = encode(flat(ha))
        case["grad2_b"] = encode(flat(hb))
    return case


def unary_cases():
    gelu_x = [-1000, -40, -38, -30, -10, -8, -5, -3, -1.5, -1, -0.7518, -0.5, -1e-8, 0, 1e-8, 0.5, 1, 1.5, 3, 5, 8,
              10, 1000]
    silu_x = [-1000, -50, -20, -5, -1, -1e-8, 0, 1e-8, 0.5, 1, 5, 20, 50, 1000]
    softplus_x = [-1000, -50, -20, -5, -1, -1e-10, 0, 1e-10, 1, 5, 15, 19.99, 20, 20.01, 25, 50, 1000]
    elu_x = [-1000, -20, -5, -1, -1e-10, -1e-20, 0, 1e-10, 1, 1000]
    trig_x = [-10, -3, -1, 0, 0.5, 1, 2, 3, 10, 100]
    return [
        unary_case("Gelu", lambda x: F.gelu(x), gelu_x, tanh=False),
        unary_case("Gelu", lambda x: F.gelu(x, approximate="tanh"), gelu_x, tanh=True),
        unary_case("Silu", F.silu, silu_x),
        unary_case("Softplus", F.softplus, softplus_x, beta=1.0, threshold=20.0),
        unary_case("Softplus", lambda x: F.softplus(x, beta=2, threshold=5), [-500, -1, 0, 1, 2.49, 2.5, 2.51, 10],
                   beta=2.0, threshold=5.0),
        unary_case("Softplus", lambda x: F.softplus(x, beta=0.5, threshold=3), [-100, -1, 0, 5.99, 6, 6.01, 100],
                   beta=0.5, threshold=3.0),
        unary_case("Elu", F.elu, elu_x, alpha=1.0),
        unary_case("Elu", lambda x: F.elu(x, alpha=0.5), elu_x, alpha=0.5),
        unary_case("Elu", lambda x: F.elu(x, alpha=2.0), elu_x, alpha=2.0),
        unary_case("Clamp", lambda x: x.clamp(-1, 1), [-2, -1, -0.5, 0, 0.5, 1, 2], min=-1.0, max=1.0),
        unary_case("Clamp", lambda x: x.clamp(0.5, 0.5), [0, 0.5, 1], min=0.5, max=0.5),
        unary_case("Clamp", lambda x: x.clamp(1, -1), [-2, -1, 0, 1, 2], min=1.0, max=-1.0),
        unary_case("Sin", torch.sin, trig_x),
        unary_case("Cos", torch.cos, trig_x),
        unary_case("Square", torch.square, [-3, -1, 0, 0.5, 2, 1000]),
    ]


def binary_cases():
    nan = float("nan")
    ties_a, ties_b = [1, 2, 3, 4, 5, 6], [1, 5, 3]
    pow_x = [0, 0, 0, 0, 0, 2, -2, -2, 0.5, 3, 1, -0.5]
    pow_e = [2, 0, -1, 0.5, 1, 3, 2, 0.5, -1.5, 0, 2.5, -2]
    pos_x = [0.5, 0.8, 1.3, 1.7, 2.0, 0.9]
    pos_e = [-0.7, 0.4, 1.6]
    return [
        binary_case("Maximum", torch.maximum, ties_a, [2, 3], ties_b, [3]),
        binary_case("Minimum", torch.minimum, ties_a, [2, 3], ties_b, [3]),
        binary_case("Maximum", torch.maximum, [nan, 1, 2, nan], [4], [1, nan, 2, nan], [4]),
        binary_case("Minimum", torch.minimum, [nan, 1, 2, nan], [4], [1, nan, 2, nan], [4]),
        binary_case("Maximum", torch.maximum, [2, -1, 2, 3], [2, 2], [2], []),
        binary_case("Minimum", torch.minimum, [2, -1, 2, 3], [2, 2], [2], []),
        binary_case("Pow", torch.pow, pow_x, [12], pow_e, [12]),
        binary_case("Pow", torch.pow, [0, 1.5, 2], [3, 1], [0, 1, 2.5, -1], [4]),
        binary_case("Pow", torch.pow, pos_x, [2, 3], pos_e, [3], second_order=True),
    ]


def normal_reference():
    mpmath.mp.dps = 40
    xs = [i / 8 for i in range(-308, 309)] + [-38.6, -37.9, -26.3, -1e-300, 1e-300, 1e-10, -1e-10, 0.7071067811865476,
                                               2.828427124746190, 5.656854249492380]
    cdf = [float(mpmath.ncdf(mpmath.mpf(x))) for x in xs]
    pdf = [float(mpmath.npdf(mpmath.mpf(x))) for x in xs]
    return {"x": encode(xs), "cdf": encode(cdf), "pdf": encode(pdf)}


def main():
    fixtures = {
        "torch_version": torch.__version__,
        "unary": unary_cases(),
        "binary": binary_cases(),
        "normal": normal_reference(),
    }
    path = os.path.join(HERE, "elementwise.json")
    with open(path, "w") as f:
        json.dump(fixtures, f, indent=1)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
