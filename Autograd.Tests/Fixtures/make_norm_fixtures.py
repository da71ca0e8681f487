#!/usr/bin/python3
"""Writes norm.json, the PyTorch reference for the normalisation layers (float64 throughout).

    /usr/bin/python3 Autograd.Tests/Fixtures/make_norm_fixtures.py

Every input, parameter and upstream gradient is written into the file, so the C# tests rebuild nothing from a
random generator:
  layer_norm    nn.LayerNorm cases: input, normalized_shape, weight/bias (null without elementwise affine),
                grad_output; PyTorch's output and the gradients of input, weight and bias.
  batch_norm2d  nn.BatchNorm2d(3) trained for 3 steps, once with momentum 0.1 and once with momentum None
                (cumulative average): per step the input, grad_output, output, gradients, running_mean,
                running_var and num_batches_tracked; then one evaluation step (input, grad_output, output,
                gradients), which uses the running statistics.
"""

import json
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(20261202)
DT = torch.float64


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def layer_norm_case(name, shape, normalized_shape, affine):
    layer = torch.nn.LayerNorm(normalized_shape, elementwise_affine=affine, dtype=DT)
    if affine:
        with torch.no_grad():
            layer.weight.copy_(torch.randn(normalized_shape, dtype=DT))
            layer.bias.copy_(torch.randn(normalized_shape, dtype=DT))
    x = (torch.randn(shape, dtype=DT) * 3 + 1).requires_grad_()
    g = torch.randn(shape, dtype=DT)
    y = layer(x)
    y.backward(g)
    return {
        "name": name,
        "shape": list(shape),
        "normalized_shape": list(normalized_shape),
        "input": flat(x),
        "weight": flat(layer.weight) if affine else None,
        "bias": flat(layer.bias) if affine else None,
        "grad_output": flat(g),
        "output": flat(y),
        "grad_input": flat(x.grad),
        "grad_weight": flat(layer.weight.grad) if affine else None,
        "grad_bias": flat(layer.bias.grad) if affine else None,
    }


def step(layer, shape):
    x = (torch.randn(shape, dtype=DT) * 2 + 0.5).requires_grad_()
    g = torch.randn(shape, dtype=DT)
    layer.zero_grad()
    y = layer(x)
    y.backward(g)
    record = {
        "input": flat(x),
        "grad_output": flat(g),
        "output": flat(y),
        "grad_input": flat(x.grad),
        "grad_weight": flat(layer.weight.grad),
        "grad_bias": flat(layer.bias.grad),
    }
    return record


def batch_norm2d_case(momentum):
    shape = (4, 3, 3, 5)
    layer = torch.nn.BatchNorm2d(3, momentum=momentum, dtype=DT)
    with torch.no_grad():
        layer.weight.copy_(torch.randn(3, dtype=DT))
        layer.bias.copy_(torch.randn(3, dtype=DT))
    case = {"momentum": momentum, "shape": list(shape), "weight": flat(layer.weight), "bias": flat(layer.bias), "train": []}
    layer.train()
    for _ in range(3):
        record = step(layer, shape)
        record["running_mean"] = flat(layer.running_mean)
        record["running_var"] = flat(layer.running_var)
        record["num_batches_tracked"] = int(layer.num_batches_tracked)
        case["train"].append(record)
    layer.eval()
    case["eval"] = step(layer, shape)
    return case


def main():
    fixtures = {
        "layer_norm": [
            layer_norm_case("last_axis", (2, 3, 4), (4,), True),
            layer_norm_case("two_axes", (2, 3, 4), (3, 4), True),
            layer_norm_case("no_affine", (3, 5), (5,), False),
        ],
        "batch_norm2d": [batch_norm2d_case(0.1), batch_norm2d_case(None)],
    }
    with open(os.path.join(HERE, "norm.json"), "w") as f:
        json.dump(fixtures, f)
        f.write("\n")


if __name__ == "__main__":
    main()
