#!/usr/bin/python3
"""Writes PyTorch checkpoints that Autograd's modules must load and reproduce (issue 11, interop).

Run with Debian's Python (which has torch 1.13):

    /usr/bin/python3 Autograd.Tests/Fixtures/make_interop_fixtures.py

It writes, next to this script, one safetensors file per model. Each holds the model's state_dict under
its own names ("model.<name>": parameters AND buffers, so BatchNorm's running statistics and
num_batches_tracked travel too), the input ("input"), the output ("output"), the loss weights that make a
scalar loss = sum(output * loss_weights) ("loss_weights") and every parameter's gradient of that loss
("grad.<name>"):

  interop_cnn.safetensors          a small CNN with BatchNorm, trained 3 SGD steps first (so the running
                                   statistics are not their initial values), then run in training mode
                                   (output_train, grads) and in eval mode (output_eval)
  interop_transformer.safetensors  a pre-norm transformer block: Embedding, LayerNorm, causal
                                   MultiheadAttention (batch_first), LayerNorm, Linear-GELU-Linear MLP
"""

import json
import os
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
DTYPES = {torch.float32: ("F32", "f"), torch.float64: ("F64", "d"), torch.int64: ("I64", "q")}


def save_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous()
        dtype, fmt = DTYPES[t.dtype]
        values = t.flatten().tolist()
        blob = struct.pack("<%d%s" % (len(values), fmt), *values)
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def with_prefix(prefix, state):
    return {prefix + k: v for k, v in state.items()}


def cnn():
    torch.manual_seed(11)
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 6, 3, stride=1, padding=1), nn.BatchNorm2d(6), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(6 * 3 * 3, 5))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(3):
        x = torch.randn(8, 1, 12, 12)
        y = torch.randint(0, 5, (8,))
        optimizer.zero_grad()
        F.cross_entropy(model(x), y).backward()
        optimizer.step()
    state = {k: v.clone() for k, v in model.state_dict().items()}   # before the forward below moves the statistics

    x = torch.randn(4, 1, 12, 12)
    weights = torch.randn(4, 5)
    model.train()
    model.zero_grad()
    out_train = model(x)
    (out_train * weights).sum().backward()
    grads = {"grad." + n: p.grad for n, p in model.named_parameters()}
    state_after = with_prefix("after.", {k: v for k, v in model.state_dict().items() if "running" in k or "tracked" in k})
    model.eval()
    with torch.no_grad():
        out_eval = model(x)
    tensors = {**with_prefix("model.", state), **grads, **state_after, "input": x, "loss_weights": weights,
               "output_train": out_train, "output_eval": out_eval}
    save_safetensors(os.path.join(HERE, "interop_cnn.safetensors"), tensors)


class Block(nn.Module):
    def __init__(self, vocabulary, width, heads):
        super().__init__()
        self.emb = nn.Embedding(vocabulary, width)
        self.ln1 = nn.LayerNorm(width)
        self.attn = nn.MultiheadAttention(width, heads, batch_first=True)
        self.ln2 = nn.LayerNorm(width)
        self.fc1 = nn.Linear(width, 4 * width)
        self.fc2 = nn.Linear(4 * width, width)

    def forward(self, idx):
        x = self.emb(idx)
        h = self.ln1(x)
        t = idx.shape[1]
        causal = torch.ones(t, t, dtype=torch.bool).triu(1)   # True = not allowed (nn.MultiheadAttention's convention)
        a, _ = self.attn(h, h, h, attn_mask=causal, need_weights=False)
        x = x + a
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))


def transformer():
    torch.manual_seed(12)
    model = Block(vocabulary=11, width=16, heads=4)
    with torch.no_grad():   # non-zero biases, so a wrong bias layout cannot hide
        for name, p in model.named_parameters():
            if "bias" in name:
                p.uniform_(-0.2, 0.2)
    idx = torch.randint(0, 11, (3, 7))
    out = model(idx)
    weights = torch.randn(*out.shape)
    (out * weights).sum().backward()
    grads = {"grad." + n: p.grad for n, p in model.named_parameters()}
    tensors = {**with_prefix("model.", model.state_dict()), **grads, "input": idx, "loss_weights": weights,
               "output": out}
    save_safetensors(os.path.join(HERE, "interop_transformer.safetensors"), tensors)


if __name__ == "__main__":
    cnn()
    transformer()
    print("wrote interop_cnn.safetensors and interop_transformer.safetensors")
