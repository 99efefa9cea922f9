"""Recomputes each zoo card's float_metric with the numpy executor (onnx_np.py) on the full built
test split and compares it with the card (tolerance 0.05 pt for top1, 0.001 for AUC).

Usage: /usr/bin/python3 benchmarks/zoo/verify.py [model_dir ...]   (default: every zoo model)
"""
import json
import os
import sys

import numpy as np

ZOO = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, ZOO)
import common  # noqa: E402
import onnx_np  # noqa: E402


def main():
    dirs = sys.argv[1:] or sorted(d for d in os.listdir(ZOO) if os.path.exists(os.path.join(ZOO, d, "card.json")))
    bad = 0
    for d in dirs:
        d = os.path.join(ZOO, os.path.basename(os.path.normpath(d)))
        card = json.load(open(os.path.join(d, "card.json")))
        x, y = common.load(card["dataset"], card["split"])
        got = onnx_np.metric(card, onnx_np.Model(os.path.join(d, "model.onnx")), x, y)
        tol = 0.05 if card["metric"] == "top1" else 1e-3
        ok = abs(got - card["float_metric"]) <= tol
        bad += not ok
        print(f"{card['name']:20s} card {card['float_metric']:>8} numpy {got:.4f} {'ok' if ok else 'MISMATCH'}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
