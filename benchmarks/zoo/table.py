"""Prints the Markdown table of the zoo (from each card.json) used in benchmarks/zoo/README.md."""
import json
import os

ZOO = os.path.dirname(os.path.abspath(__file__))


def main():
    print("| model | task | dataset | params | MACs | fp32 weights (KB) | float metric |")
    print("| --- | --- | --- | ---: | ---: | ---: | ---: |")
    for d in sorted(os.listdir(ZOO)):
        p = os.path.join(ZOO, d, "card.json")
        if not os.path.exists(p):
            continue
        c = json.load(open(p))
        metric = f"top-1 {c['float_metric']:.2f} %" if c["metric"] == "top1" else \
            f"AUC {c['float_metric']:.4f}"
        print(f"| {c['name']} | {c['task']} | {c['dataset']} | {c['params']:,} | {c['macs']:,} | "
              f"{c['params'] * 4 / 1024:.1f} | {metric} |")


if __name__ == "__main__":
    main()
