#!/usr/bin/python3
"""Writes optim.json: PyTorch 1.13 trajectories of the optimizers, parameter groups, gradient clipping and
learning-rate schedules, with the optimizers' and schedules' final state dicts.

Run from anywhere with Debian's Python (which has torch 1.13 installed):

    /usr/bin/python3 Autograd.Tests/Fixtures/make_optim_fixtures.py

Everything is float64 and deterministic. The problem is the one of make_fixtures.py: parameters W [3,4] and
v [4], constants X [5,3] and Y [5,4], loss = mean((X @ W + v - Y) ** 2). Each step is
zero_grad(set_to_none), loss.backward(), the clipping if any, optimizer.step(), then scheduler.step() (or
scheduler.step(metric) for ReduceLROnPlateau). Sections:

  optimizers   per case: the optimizer, its defaults, its parameter groups ("W" and "v" name the parameters),
               the clipping, and after each step the parameters (and the total norm clip_grad_norm_ returned);
               then optimizer.state_dict() after the last step
  schedules    per case: the optimizer and groups as above, the scheduler (nested for SequentialLR and
               ChainedScheduler; LambdaLR's functions by name, see LAMBDAS), the metric per step for
               ReduceLROnPlateau, the learning rate of every group after construction and after each step
               (with momentum or betas when OneCycleLR cycles them), the parameters when "train" is set, and
               the final scheduler.state_dict() and param_groups

Tensors in state dicts are flattened lists; `step` tensors become numbers. JSON has no infinity: +-inf is
written as the string "Infinity" / "-Infinity" (ReduceLROnPlateau's best before any metric). Entries PyTorch
keeps that are not data (the bound anneal_func of OneCycleLR, LambdaLR's plain functions) are left out.
"""

import json
import math
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
O = torch.optim
S = torch.optim.lr_scheduler


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


W0, V0, X, Y = problem()


def loss_fn(W, v):
    return ((X @ W + v - Y) ** 2).mean()


def flat(t):
    return [float(x) for x in t.detach().flatten()]


def jsonable(value):
    """A state-dict value as JSON: tensors flattened (0-d ones as numbers), infinities as strings."""
    if isinstance(value, torch.Tensor):
        return float(value) if value.dim() == 0 else flat(value)
    if isinstance(value, float) and math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items() if not callable(v)}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


OPTIMIZERS = {"Sgd": O.SGD, "Adam": O.Adam, "AdamW": O.AdamW, "RMSprop": O.RMSprop, "Adagrad": O.Adagrad}


def make_optimizer(kind, defaults, groups):
    """groups: None (both parameters, one group) or a list of dicts naming "W" / "v" in "params"."""
    W = W0.clone().requires_grad_(True)
    v = V0.clone().requires_grad_(True)
    named = {"W": W, "v": v}
    if groups is None:
        params = [W, v]
    else:
        params = [dict(g, params=[named[n] for n in g["params"]]) for g in groups]
    return OPTIMIZERS[kind](params, **defaults), W, v


def options_json(options):
    options = dict(options)
    if "betas" in options:
        options["betas"] = list(options["betas"])
    return options


def train_step(opt, W, v, clip=None):
    opt.zero_grad(set_to_none=True)
    loss_fn(W, v).backward()
    norm = None
    if clip is not None:
        if clip["kind"] == "norm":
            norm = float(torch.nn.utils.clip_grad_norm_([W, v], clip["max_norm"], clip["norm_type"]))
        else:
            torch.nn.utils.clip_grad_value_([W, v], clip["clip_value"])
    opt.step()
    return norm


STEPS = 12
INF = float("inf")

OPTIMIZER_CASES = [
    # name, optimizer, defaults, groups, clipping
    ("sgd_dampening", "Sgd", dict(lr=0.05, momentum=0.9, dampening=0.3), None, None),
    ("sgd_maximize", "Sgd", dict(lr=0.01, momentum=0.8, weight_decay=0.1, maximize=True), None, None),
    ("sgd_nesterov_weight_decay", "Sgd", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.05), None, None),
    ("sgd_groups", "Sgd", dict(lr=0.1, momentum=0.9, weight_decay=0.05),
     [{"params": ["W"]}, {"params": ["v"], "lr": 0.01, "weight_decay": 0.0, "momentum": 0.5, "dampening": 0.1}],
     None),
    ("adam_amsgrad", "Adam", dict(lr=0.05, amsgrad=True), None, None),
    ("adam_amsgrad_weight_decay_maximize", "Adam",
     dict(lr=0.02, betas=(0.8, 0.99), weight_decay=0.1, amsgrad=True, maximize=True), None, None),
    ("adam_groups", "Adam", dict(lr=0.05),
     [{"params": ["W"]}, {"params": ["v"], "lr": 0.01, "betas": (0.5, 0.9), "eps": 1e-4, "amsgrad": True}], None),
    ("adamw_amsgrad", "AdamW", dict(lr=0.05, weight_decay=0.1, amsgrad=True), None, None),
    ("adamw_maximize", "AdamW", dict(lr=0.05, maximize=True), None, None),
    ("adamw_no_decay_on_bias", "AdamW", dict(lr=0.05, weight_decay=0.2),
     [{"params": ["W"]}, {"params": ["v"], "weight_decay": 0.0}], None),
    ("rmsprop", "RMSprop", dict(lr=0.01), None, None),
    ("rmsprop_centered", "RMSprop", dict(lr=0.01, centered=True), None, None),
    ("rmsprop_momentum", "RMSprop", dict(lr=0.01, momentum=0.9), None, None),
    ("rmsprop_all_options", "RMSprop",
     dict(lr=0.005, alpha=0.9, eps=1e-6, weight_decay=0.1, momentum=0.5, centered=True, maximize=True), None, None),
    ("rmsprop_groups", "RMSprop", dict(lr=0.01),
     [{"params": ["W"]}, {"params": ["v"], "lr": 0.05, "momentum": 0.3, "centered": True, "alpha": 0.5}], None),
    ("adagrad", "Adagrad", dict(lr=0.1), None, None),
    ("adagrad_all_options", "Adagrad",
     dict(lr=0.1, lr_decay=0.05, weight_decay=0.1, initial_accumulator_value=0.2, eps=1e-6), None, None),
    ("adagrad_maximize", "Adagrad", dict(lr=0.1, maximize=True), None, None),
    ("adagrad_groups", "Adagrad", dict(lr=0.1),
     [{"params": ["W"]}, {"params": ["v"], "lr": 0.3, "lr_decay": 0.1, "weight_decay": 0.05}], None),
    ("clip_norm_2_sgd", "Sgd", dict(lr=0.1, momentum=0.9), None, dict(kind="norm", max_norm=0.5, norm_type=2.0)),
    ("clip_norm_inf_adam", "Adam", dict(lr=0.05), None, dict(kind="norm", max_norm=0.3, norm_type=INF)),
    ("clip_norm_3_sgd", "Sgd", dict(lr=0.1), None, dict(kind="norm", max_norm=0.4, norm_type=3.0)),
    ("clip_norm_1_rmsprop", "RMSprop", dict(lr=0.01), None, dict(kind="norm", max_norm=1.0, norm_type=1.0)),
    ("clip_value_sgd", "Sgd", dict(lr=0.1, momentum=0.5), None, dict(kind="value", clip_value=0.05)),
]


def clip_json(clip):
    if clip is None:
        return None
    clip = dict(clip)
    if clip.get("norm_type") == INF:
        clip["norm_type"] = "Infinity"
    return clip


def optimizer_cases():
    cases = []
    for name, kind, defaults, groups, clip in OPTIMIZER_CASES:
        opt, W, v = make_optimizer(kind, defaults, groups)
        steps = []
        for _ in range(STEPS):
            norm = train_step(opt, W, v, clip)
            step = {"W": flat(W), "v": flat(v)}
            if norm is not None:
                step["norm"] = norm
            steps.append(step)
        cases.append({
            "name": name, "optimizer": kind, "defaults": options_json(defaults),
            "groups": None if groups is None else [options_json(g) for g in groups],
            "clip": clip_json(clip), "steps": steps, "state_dict": jsonable(opt.state_dict()),
        })
    return cases


# ---------------------------------------------------------------- schedules
# LambdaLR's functions by name; the C# test has the same table.
LAMBDAS = {
    "pow095": lambda e: 0.95 ** e,
    "inverse": lambda e: 1.0 / (e + 1),
    "warmup5": lambda e: (e + 1) / 5 if e < 5 else 1.0,
}


def make_scheduler(opt, spec):
    kind, args = spec["kind"], dict(spec.get("args", {}))
    if kind == "LambdaLR":
        names = args.pop("lr_lambda")
        fns = [LAMBDAS[n] for n in names] if isinstance(names, list) else LAMBDAS[names]
        return S.LambdaLR(opt, fns, **args)
    if kind == "SequentialLR":
        children = [make_scheduler(opt, c) for c in spec["schedulers"]]
        return S.SequentialLR(opt, children, **args)
    if kind == "ChainedScheduler":
        return S.ChainedScheduler([make_scheduler(opt, c) for c in spec["schedulers"]])
    return getattr(S, kind)(opt, **args)


def group_lrs(opt):
    return [g["lr"] for g in opt.param_groups]


def momenta(opt):
    groups = opt.param_groups
    if "betas" in groups[0]:
        return {"betas": [list(g["betas"]) for g in groups]}
    if "momentum" in groups[0]:
        return {"momentum": [g["momentum"] for g in groups]}
    return {}


TWO_GROUPS = [{"params": ["W"]}, {"params": ["v"], "lr": 0.01}]
PLATEAU_METRICS = [1.0, 0.9, 0.95, 0.95, 0.91, 0.9, 0.9, 0.89999, 0.85, 0.86, 0.87, 0.88, 0.8, 0.8, 0.8, 0.8,
                   0.8, 0.8, 0.81, 0.7, 0.7, 0.7, 0.7, 0.7]
RISING_METRICS = [0.1, 0.2, 0.21, 0.22, 0.3, 0.3, 0.31, 0.5, 0.5, 0.5, 0.5, 0.56, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5,
                  0.9, 0.9]

SCHEDULE_CASES = [
    # name, optimizer, defaults, groups, scheduler spec, steps, extra
    ("linear_lr_default", "Sgd", dict(lr=0.1), TWO_GROUPS, {"kind": "LinearLR"}, 10, {}),
    ("linear_lr_decay", "Sgd", dict(lr=0.1), TWO_GROUPS,
     {"kind": "LinearLR", "args": dict(start_factor=1.0, end_factor=0.1, total_iters=8)}, 12, {}),
    ("lambda_lr_per_group", "Sgd", dict(lr=0.1), TWO_GROUPS,
     {"kind": "LambdaLR", "args": dict(lr_lambda=["pow095", "inverse"])}, 10, {}),
    ("lambda_lr_warmup", "Sgd", dict(lr=0.1), TWO_GROUPS,
     {"kind": "LambdaLR", "args": dict(lr_lambda="warmup5")}, 10, {}),
    ("step_lr_groups", "Sgd", dict(lr=0.1), TWO_GROUPS,
     {"kind": "StepLR", "args": dict(step_size=3, gamma=0.5)}, 10, {}),
    ("cosine_groups", "Sgd", dict(lr=0.1), TWO_GROUPS,
     {"kind": "CosineAnnealingLR", "args": dict(T_max=6, eta_min=0.001)}, 15, {}),
    ("exponential", "Sgd", dict(lr=0.1), TWO_GROUPS, {"kind": "ExponentialLR", "args": dict(gamma=0.9)}, 10, {}),
    ("one_cycle_cos_sgd", "Sgd", dict(lr=0.1, momentum=0.9), TWO_GROUPS,
     {"kind": "OneCycleLR", "args": dict(max_lr=[1.0, 0.1], total_steps=20)}, 20, {"train": True}),
    ("one_cycle_linear_three_phase_adam", "Adam", dict(lr=0.05), TWO_GROUPS,
     {"kind": "OneCycleLR", "args": dict(max_lr=0.05, epochs=4, steps_per_epoch=5, pct_start=0.25,
                                         anneal_strategy="linear", three_phase=True, div_factor=10.0,
                                         final_div_factor=100.0, base_momentum=0.8, max_momentum=0.9)},
     20, {"train": True}),
    ("one_cycle_no_momentum_cycle", "Adagrad", dict(lr=0.1), TWO_GROUPS,
     {"kind": "OneCycleLR", "args": dict(max_lr=0.2, total_steps=15, pct_start=0.4, cycle_momentum=False)},
     15, {}),
    ("one_cycle_rmsprop", "RMSprop", dict(lr=0.01, momentum=0.5), None,
     {"kind": "OneCycleLR", "args": dict(max_lr=0.02, total_steps=12, pct_start=0.5, base_momentum=0.6,
                                         max_momentum=0.7)}, 12, {}),
    ("plateau_min_rel", "Sgd", dict(lr=0.1), TWO_GROUPS,
     {"kind": "ReduceLROnPlateau", "args": dict(mode="min", factor=0.5, patience=2, threshold=0.01)},
     len(PLATEAU_METRICS), {"metrics": PLATEAU_METRICS}),
    ("plateau_max_abs_cooldown", "Sgd", dict(lr=0.1), TWO_GROUPS,
     {"kind": "ReduceLROnPlateau", "args": dict(mode="max", factor=0.2, patience=1, threshold=0.05,
                                                threshold_mode="abs", cooldown=2, min_lr=[0.01, 0.001])},
     len(RISING_METRICS), {"metrics": RISING_METRICS}),
    ("plateau_eps_min_lr", "Sgd", dict(lr=0.1), TWO_GROUPS,
     {"kind": "ReduceLROnPlateau", "args": dict(factor=0.1, patience=0, min_lr=0.002, eps=0.005)},
     len(PLATEAU_METRICS), {"metrics": PLATEAU_METRICS}),
    ("sequential_warmup_cosine", "Sgd", dict(lr=0.1, momentum=0.9), TWO_GROUPS,
     {"kind": "SequentialLR", "args": dict(milestones=[3]),
      "schedulers": [{"kind": "LinearLR", "args": dict(start_factor=0.1, total_iters=3)},
                     {"kind": "CosineAnnealingLR", "args": dict(T_max=8)}]}, 15, {"train": True}),
    ("sequential_three", "Sgd", dict(lr=0.1), TWO_GROUPS,
     {"kind": "SequentialLR", "args": dict(milestones=[2, 6]),
      "schedulers": [{"kind": "LinearLR", "args": dict(start_factor=0.5, total_iters=2)},
                     {"kind": "StepLR", "args": dict(step_size=2, gamma=0.5)},
                     {"kind": "ExponentialLR", "args": dict(gamma=0.8)}]}, 12, {}),
    ("sequential_lambda_then_linear", "Sgd", dict(lr=0.1), TWO_GROUPS,
     {"kind": "SequentialLR", "args": dict(milestones=[4]),
      "schedulers": [{"kind": "LambdaLR", "args": dict(lr_lambda="warmup5")},
                     {"kind": "LinearLR", "args": dict(start_factor=1.0, end_factor=0.2, total_iters=5)}]},
     12, {}),
    ("chained_linear_exponential", "AdamW", dict(lr=0.05), TWO_GROUPS,
     {"kind": "ChainedScheduler",
      "schedulers": [{"kind": "LinearLR", "args": dict(start_factor=0.2, total_iters=4)},
                     {"kind": "ExponentialLR", "args": dict(gamma=0.9)}]}, 10, {"train": True}),
    ("chained_step_cosine", "Sgd", dict(lr=0.1), TWO_GROUPS,
     {"kind": "ChainedScheduler",
      "schedulers": [{"kind": "StepLR", "args": dict(step_size=3, gamma=0.5)},
                     {"kind": "CosineAnnealingLR", "args": dict(T_max=10, eta_min=0.0)}]}, 14, {}),
]


def scheduler_state(scheduler):
    if isinstance(scheduler, (S.SequentialLR, S.ChainedScheduler)):
        state = scheduler.state_dict()
        return jsonable(state)
    state = dict(scheduler.state_dict())
    state.pop("anneal_func", None)
    return jsonable(state)


def spec_json(spec):
    spec = dict(spec)
    if "schedulers" in spec:
        spec["schedulers"] = [spec_json(c) for c in spec["schedulers"]]
    return spec


def schedule_cases():
    cases = []
    for name, kind, defaults, groups, spec, steps, extra in SCHEDULE_CASES:
        opt, W, v = make_optimizer(kind, defaults, groups)
        scheduler = make_scheduler(opt, spec)
        train = extra.get("train", False)
        metrics = extra.get("metrics")
        record = [dict(lrs=group_lrs(opt), **momenta(opt))]
        for i in range(steps):
            if train:
                train_step(opt, W, v)
            else:
                opt.step()   # no gradients: nothing moves, but PyTorch sees the order optimizer, scheduler
            if metrics is not None:
                scheduler.step(metrics[i])
            else:
                scheduler.step()
            entry = dict(lrs=group_lrs(opt), **momenta(opt))
            if train:
                entry.update(W=flat(W), v=flat(v))
            record.append(entry)
        param_groups = opt.state_dict()["param_groups"]
        cases.append({
            "name": name, "optimizer": kind, "defaults": options_json(defaults),
            "groups": None if groups is None else [options_json(g) for g in groups],
            "scheduler": spec_json(spec), "metrics": metrics, "train": train, "steps": record,
            "state_dict": scheduler_state(scheduler), "param_groups": jsonable(param_groups),
        })
    return cases


def main():
    torch.set_default_dtype(torch.float64)
    fixture = {
        "torch": torch.__version__,
        "W0": flat(W0), "v0": flat(V0), "X": flat(X), "Y": flat(Y),
        "optimizers": optimizer_cases(),
        "schedules": schedule_cases(),
    }
    path = os.path.join(HERE, "optim.json")
    with open(path, "w") as f:
        json.dump(fixture, f, indent=1, allow_nan=False)
        f.write("\n")
    print("torch", torch.__version__, "wrote", path)


if __name__ == "__main__":
    main()
