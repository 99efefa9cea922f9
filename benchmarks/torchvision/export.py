#!/usr/bin/python3
"""Exports real torchvision architectures to ONNX for tinyq's differential tests and benchmarks.

    /usr/bin/python3 benchmarks/torchvision/export.py OUT_DIR [--names mobilenet_v2,resnet18]

Architectures come from Debian's torchvision 0.14 with ``weights=None`` (nothing is downloaded).
Weights are torch's default initialisation under a fixed seed, and every BatchNorm gets random
running statistics and affine parameters, so that folding and normalisation are really exercised.
Input 1x3x64x64, opset 13, dynamic batch axis. Also writes OUT_DIR/<name>.input.npy (seeded) and
OUT_DIR/<name>.torch.npy (PyTorch's own output for that input). Skips models already exported.
"""
import argparse
import os
import sys

import numpy as np
import torch
import torchvision

MODELS = ["mobilenet_v2", "mobilenet_v3_small", "resnet18", "squeezenet1_1",
          "shufflenet_v2_x0_5", "mnasnet0_5"]
SEED = 1234


def build(name):
    torch.manual_seed(SEED)
    model = getattr(torchvision.models, name)(weights=None)
    gen = torch.Generator().manual_seed(SEED + 1)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                c = m.num_features
                m.running_mean.copy_(torch.randn(c, generator=gen) * 0.1)
                m.running_var.copy_(torch.rand(c, generator=gen) * 0.5 + 0.75)
                m.weight.copy_(torch.rand(c, generator=gen) * 0.5 + 0.75)
                m.bias.copy_(torch.randn(c, generator=gen) * 0.1)
    return model.eval()


def export(name, out_dir):
    path = os.path.join(out_dir, name + ".onnx")
    if all(os.path.exists(os.path.join(out_dir, name + s))
           for s in (".onnx", ".input.npy", ".torch.npy")):
        return path
    model = build(name)
    x = torch.from_numpy(np.random.default_rng(SEED).standard_normal((1, 3, 64, 64),
                                                                     dtype=np.float32))
    with torch.no_grad():
        y = model(x).numpy()
    tmp = path + ".tmp"
    torch.onnx.export(model, x, tmp, opset_version=13, input_names=["input"],
                      output_names=["output"], dynamic_axes={"input": {0: "batch"},
                                                             "output": {0: "batch"}},
                      do_constant_folding=True)
    os.replace(tmp, path)
    np.save(os.path.join(out_dir, name + ".input.npy"), x.numpy())
    np.save(os.path.join(out_dir, name + ".torch.npy"), y)
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out_dir")
    ap.add_argument("--names", default=",".join(MODELS))
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    torch.set_num_threads(1)
    for name in args.names.split(","):
        print(export(name, args.out_dir), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
