#!/usr/bin/python3
"""Writes conv.json: PyTorch's convolution and pooling results for ConvolutionFixtureTests.

Run with Debian's Python (which has torch installed):

    /usr/bin/python3 Autograd.Tests/Fixtures/make_conv_fixtures.py

Every case is float64: inputs, parameters, the output, a random upstream gradient g and the gradients of
every input under g. Convolution cases also carry a second-order quantity: the gradient with respect to the
weight of sum((dL/dx)^2) where dL/dx is the input gradient built with create_graph=True (PyTorch's double
backward through conv). The pooling inputs are rounded to halves so that windows contain ties.
"""

import json
import os

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def conv_case(name, one_d, x_shape, w_shape, bias, stride, padding, dilation, groups, seed):
    torch.manual_seed(seed)
    x = torch.randn(x_shape, dtype=torch.float64, requires_grad=True)
    w = torch.randn(w_shape, dtype=torch.float64, requires_grad=True)
    b = torch.randn(w_shape[0], dtype=torch.float64, requires_grad=True) if bias else None
    conv = F.conv1d if one_d else F.conv2d
    y = conv(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
    g = torch.randn(y.shape, dtype=torch.float64)
    inputs = [x, w] + ([b] if bias else [])
    grads = torch.autograd.grad(y, inputs, g, create_graph=True)
    (second,) = torch.autograd.grad((grads[0] ** 2).sum(), [w])
    case = {
        "name": name, "op": "conv1d" if one_d else "conv2d",
        "stride": stride, "padding": padding, "dilation": dilation, "groups": groups,
        "x_shape": list(x.shape), "x": flat(x), "w_shape": list(w.shape), "w": flat(w),
        "y_shape": list(y.shape), "y": flat(y), "g": flat(g),
        "grad_x": flat(grads[0]), "grad_w": flat(grads[1]),
        "second_w": flat(second),
    }
    if bias:
        case["b"] = flat(b)
        case["grad_b"] = flat(grads[2])
    return case


def pool_case(name, op, x_shape, kernel, stride, padding, seed):
    torch.manual_seed(seed)
    x = (torch.randn(x_shape, dtype=torch.float64) * 2).round() / 2   # halves: ties inside windows
    x.requires_grad_(True)
    pool = F.max_pool2d if op == "max_pool2d" else F.avg_pool2d
    y = pool(x, kernel, stride, padding)
    g = torch.randn(y.shape, dtype=torch.float64)
    (grad_x,) = torch.autograd.grad(y, [x], g)
    return {
        "name": name, "op": op, "kernel": kernel, "stride": stride, "padding": padding,
        "x_shape": list(x.shape), "x": flat(x), "y_shape": list(y.shape), "y": flat(y),
        "g": flat(g), "grad_x": flat(grad_x),
    }


def main():
    cases = [
        conv_case("conv2d_nonsquare_stride2_pad1", False, [2, 3, 7, 6], [4, 3, 3, 2], True, 2, 1, 1, 1, 1),
        conv_case("conv2d_depthwise_dilation2_pad2", False, [1, 4, 8, 8], [8, 1, 3, 3], False, 1, 2, 2, 4, 2),
        conv_case("conv2d_1x1_groups2_stride2", False, [2, 6, 5, 5], [4, 3, 1, 1], True, 2, 0, 1, 2, 3),
        conv_case("conv2d_groups3_stride3_dilation2", False, [2, 6, 9, 10], [6, 2, 2, 3], True, 3, 1, 2, 3, 4),
        conv_case("conv1d_groups2_stride3_pad2_dilation2", True, [3, 4, 11], [6, 2, 4], True, 3, 2, 2, 2, 5),
        conv_case("conv1d_plain", True, [2, 3, 8], [2, 3, 3], False, 1, 0, 1, 1, 6),
        pool_case("max_pool2d_k3_s2_p1_ties", "max_pool2d", [2, 3, 7, 6], 3, 2, 1, 7),
        pool_case("max_pool2d_k2_overlap_ties", "max_pool2d", [1, 2, 5, 5], 2, 1, 0, 8),
        pool_case("max_pool2d_k2_default_stride", "max_pool2d", [2, 2, 6, 7], 2, None, 1, 9),
        pool_case("avg_pool2d_k3_s2_p1", "avg_pool2d", [2, 2, 7, 5], 3, 2, 1, 10),
        pool_case("avg_pool2d_k2_default_stride", "avg_pool2d", [1, 3, 6, 6], 2, None, 0, 11),
    ]
    with open(os.path.join(HERE, "conv.json"), "w") as f:
        json.dump({"torch": torch.__version__, "cases": cases}, f)


if __name__ == "__main__":
    main()
