#!/usr/bin/python3
"""Fixtures for the safetensors half-precision tests (Autograd.Tests/Serialization), from PyTorch 1.13.

Run with /usr/bin/python3 (the interpreter that has torch). Writes, next to this script:

  halfs.safetensors      F16 and BF16 tensors with the edge values (signed zeros, the smallest and largest
                         subnormals, the smallest normal, the largest finite, infinities, NaN) and random ones,
                         beside F32, I64 and BOOL tensors (the 3-byte BOOL tensor puts the next F16 tensor at an
                         odd offset), and metadata
  f16_only.safetensors   F16 tensors only, with metadata: loading it and saving it again as F16 must give
  bf16_only.safetensors  the same bytes (likewise for BF16); without the signalling NaN, which comes back quiet
                         (as it does through PyTorch's .float() and .half())
  serialization.json     what torch's .float() makes of every stored value (float32 bit patterns, so that NaN,
                         infinities and -0 survive JSON), and torch's .half() / .bfloat16() of float32 and
                         float64 inputs chosen around the rounding and overflow boundaries (bit patterns)

torch 1.13 has no safetensors package: the files are written with struct + json, following the format exactly
(u64 little-endian header length, JSON header with "__metadata__" first and the tensors in name order, padded with
spaces to a multiple of 8 bytes, then raw little-endian data), as make_fixtures.py does.
"""

import json
import math
import os
import struct

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
METADATA = {"format": "pt", "producer": "make_serialization_fixtures.py"}

DTYPE_NAMES = {torch.float16: "F16", torch.bfloat16: "BF16", torch.float32: "F32", torch.int64: "I64", torch.bool: "BOOL"}
RAW_VIEWS = {torch.float16: torch.int16, torch.bfloat16: torch.int16, torch.float32: torch.int32, torch.int64: torch.int64}
RAW_FORMATS = {torch.int16: "h", torch.int32: "i", torch.int64: "q"}


def raw_bytes(t):
    t = t.detach().contiguous().flatten()
    if t.dtype == torch.bool:
        return bytes(int(v) for v in t.tolist())
    raw = t.view(RAW_VIEWS[t.dtype])
    return struct.pack("<%d%s" % (raw.numel(), RAW_FORMATS[raw.dtype]), *raw.tolist())


def save_safetensors(path, tensors, metadata):
    header = {"__metadata__": metadata}
    offset = 0
    blobs = []
    for name in sorted(tensors):
        blob = raw_bytes(tensors[name])
        header[name] = {"dtype": DTYPE_NAMES[tensors[name].dtype], "shape": list(tensors[name].shape),
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


def float32_bits(t):
    return [v & 0xFFFFFFFF for v in t.float().contiguous().view(torch.int32).flatten().tolist()]


def float64_bits(t):
    return [v & 0xFFFFFFFFFFFFFFFF for v in t.double().contiguous().view(torch.int64).flatten().tolist()]


def half_bits(t):
    return [v & 0xFFFF for v in t.contiguous().view(torch.int16).flatten().tolist()]


def from_bits16(bits, dtype):
    signed = [b - 0x10000 if b >= 0x8000 else b for b in bits]
    return torch.tensor(signed, dtype=torch.int16).view(dtype)


inf, nan = math.inf, math.nan
SIGNALLING_NAN_AT = 16   # the index of the signalling NaN in F16_EDGES and BF16_EDGES

# Edge values by bit pattern: exact whatever Python's float parsing does.
F16_EDGES = from_bits16([
    0x0000, 0x8000,          # +0, -0
    0x3C00, 0xC100,          # 1, -2.5
    0x0001, 0x8001,          # smallest subnormal 2^-24, and negative
    0x03FF, 0x0200,          # largest subnormal, a middle one
    0x0400, 0x8400,          # smallest normal 2^-14, and negative
    0x7BFF, 0xFBFF,          # largest finite 65504, and negative
    0x7C00, 0xFC00,          # +inf, -inf
    0x7E00, 0xFE00,          # quiet NaN, negative NaN
    0x7C01,                  # signalling NaN, at SIGNALLING_NAN_AT
    0x3555, 0x2E66,          # 1/3, 0.1 rounded
], torch.float16)

BF16_EDGES = from_bits16([
    0x0000, 0x8000,          # +0, -0
    0x3F80, 0xC020,          # 1, -2.5
    0x0001, 0x8001,          # smallest subnormal 2^-133, and negative
    0x007F, 0x0040,          # largest subnormal, a middle one
    0x0080, 0x8080,          # smallest normal 2^-126, and negative
    0x7F7F, 0xFF7F,          # largest finite ~3.39e38, and negative
    0x7F80, 0xFF80,          # +inf, -inf
    0x7FC0, 0xFFC0,          # quiet NaN, negative NaN
    0x7F81,                  # signalling NaN, at SIGNALLING_NAN_AT
    0x3EAB, 0x3DCD,          # 1/3, 0.1 rounded
], torch.bfloat16)


def random_values(generator, count, scales):
    parts = [torch.randn(count, generator=generator, dtype=torch.float64) * s for s in scales]
    return torch.cat(parts)


def rounding_inputs_float32():
    """Float32 values around the F16 and BF16 rounding and overflow boundaries, plus random ones."""
    ties = []
    for base in [1.0, 1.0 + 2 ** -10, 1024.0, 2 ** -14, 2 ** -20, 3.0]:
        ulp16 = 2 ** (math.floor(math.log2(base)) - 10) if base >= 2 ** -14 else 2 ** -24
        ties += [base + ulp16 / 2, base + ulp16 / 2 + ulp16 / 64, base + ulp16 / 2 - ulp16 / 64]
        ulpb = 2 ** (math.floor(math.log2(base)) - 7)
        ties += [base + ulpb / 2, base + ulpb / 2 + ulpb / 256, -(base + ulpb / 2)]
    values = [0.0, -0.0, 1.0, -1.0, 65504.0, 65519.99, 65520.0, 70000.0, -1e6, 1e-8, 2 ** -25, 2 ** -25 * 1.5,
              5.9604645e-08, 6.1035156e-05, 3.3895313892515355e38, 3.3961775292304e38, 3.4028234663852886e38,
              1e-39, 1e-45, -1e-40, inf, -inf, nan, 1 / 3, 0.1, math.pi, -math.e] + ties
    generator = torch.Generator().manual_seed(5)
    randoms = random_values(generator, 48, [1e-6, 1e-3, 1.0, 1e3, 1e6, 1e30])
    return torch.cat([torch.tensor(values, dtype=torch.float32), randoms.float()])


def rounding_inputs_float64():
    """Float64 values where rounding straight to 16 bits and rounding through float32 first differ (torch does the
    latter: c10::Half and c10::BFloat16 are built from a float), plus random ones."""
    values = [1 + 2 ** -11 + 2 ** -40, 1 + 2 ** -8 + 2 ** -40, -(1 + 2 ** -11 + 2 ** -40), 65519.999999999, 1e300,
              -1e300, 1e-300, 2 ** -25 + 2 ** -60, 0.1, 1 / 3, inf, -inf, nan]
    generator = torch.Generator().manual_seed(6)
    randoms = random_values(generator, 16, [1e-5, 1.0, 1e4])
    return torch.cat([torch.tensor(values, dtype=torch.float64), randoms])


def main():
    generator = torch.Generator().manual_seed(4)
    f16 = torch.cat([F16_EDGES, random_values(generator, 32, [1.0, 100.0]).half()])
    bf16 = torch.cat([BF16_EDGES, random_values(generator, 32, [1.0, 1e20]).bfloat16()])
    f16_matrix = random_values(generator, 105, [3.0]).half().reshape(3, 5, 7)
    bf16_matrix = random_values(generator, 66, [3.0]).bfloat16().reshape(2, 33)
    tensors = {
        "bf16": bf16,
        "bf16_matrix": bf16_matrix,
        "bool": torch.tensor([True, False, True]),
        "f16": f16,
        "f16_matrix": f16_matrix,
        "f32": torch.tensor([1.5, -0.0, 3e38], dtype=torch.float32),
        "i64": torch.tensor([-(2 ** 62), 7], dtype=torch.int64),
    }
    save_safetensors(os.path.join(HERE, "halfs.safetensors"), tensors, METADATA)
    def quiet(t):
        return torch.cat([t[:SIGNALLING_NAN_AT], t[SIGNALLING_NAN_AT + 1:]])

    save_safetensors(os.path.join(HERE, "f16_only.safetensors"), {"f16": quiet(f16), "f16_matrix": f16_matrix}, METADATA)
    save_safetensors(os.path.join(HERE, "bf16_only.safetensors"), {"bf16": quiet(bf16), "bf16_matrix": bf16_matrix}, METADATA)

    loaded = {}
    for name, t in tensors.items():
        entry = {"dtype": DTYPE_NAMES[t.dtype], "shape": list(t.shape)}
        if t.is_floating_point():
            entry["float32_bits"] = float32_bits(t)
        else:
            entry["values"] = [int(v) for v in t.flatten().tolist()]
        loaded[name] = entry

    inputs32 = rounding_inputs_float32()
    inputs64 = rounding_inputs_float64()
    fixture = {
        "torch": torch.__version__,
        "metadata": METADATA,
        "loaded": loaded,
        "save_float32": {
            "input_bits": float32_bits(inputs32),
            "f16_bits": half_bits(inputs32.half()),
            "bf16_bits": half_bits(inputs32.bfloat16()),
        },
        "save_float64": {
            "input_bits": float64_bits(inputs64),
            "f16_bits": half_bits(inputs64.half()),
            "bf16_bits": half_bits(inputs64.bfloat16()),
        },
    }
    with open(os.path.join(HERE, "serialization.json"), "w") as f:
        json.dump(fixture, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
