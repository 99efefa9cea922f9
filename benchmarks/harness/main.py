#!/usr/bin/python3
"""tinyq against its peers, every zoo model, one run: writes benchmarks/RESULTS.md and .json.

    benchmarks/run [--models a,b] [--quick] [--runs N] [--sections s1,s2] [--out-dir DIR]

Sections (all by default): accuracy (+ time to quantize), latency (batch 1, 1 thread),
throughput (test set, 2 threads; also ONNX Runtime's accuracy on tinyq's QDQ export), shrink
(`tinyq shrink` vs PyTorch PTQ + evaluation), footprint (flash, arena, Cortex-M4 instructions),
torchvision (float latency on torchvision architectures), binding (per-call front-end cost).
--quick: 50 latency runs and the first 1,000 test samples (numbers marked as such).
"""
import argparse
import datetime
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402

SECTIONS = ["accuracy", "latency", "throughput", "shrink", "footprint", "torchvision", "binding"]


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default=",".join(benchlib.MODELS), help="comma-separated zoo models")
    ap.add_argument("--sections", default=",".join(SECTIONS), help="comma-separated sections")
    ap.add_argument("--runs", type=int, default=0, help="latency runs (default 200, --quick 50)")
    ap.add_argument("--quick", action="store_true",
                    help="50 latency runs, first 1,000 test samples (a smoke run, not for RESULTS)")
    ap.add_argument("--out-dir", default=str(benchlib.ROOT / "benchmarks"),
                    help="where RESULTS.md and RESULTS.json go")
    args = ap.parse_args()
    models = [m for m in args.models.split(",") if m]
    sections = [s for s in args.sections.split(",") if s]
    if set(models) - set(benchlib.MODELS):
        ap.error(f"unknown models {sorted(set(models) - set(benchlib.MODELS))}; "
                 f"known: {benchlib.MODELS}")
    if set(sections) - set(SECTIONS):
        ap.error(f"unknown sections {sorted(set(sections) - set(SECTIONS))}; known: {SECTIONS}")
    runs = args.runs or (50 if args.quick else 200)
    limit = 1000 if args.quick else 0

    import accuracy
    import artifacts
    import footprint
    import latency
    import render
    import shrink_time

    started = time.perf_counter()
    result = {"format": "tinyq.benchmarks", "version": 1,
              "date": datetime.datetime.now().isoformat(timespec="seconds"),
              "command": "benchmarks/run " + " ".join(sys.argv[1:]),
              "machine": benchlib.machine(), "versions": benchlib.versions(),
              "settings": {"latency_runs": runs, "warmup": benchlib.WARMUP,
                           "test_limit": limit, "quick": args.quick,
                           "latency_threads": 1,
                           "throughput_threads": latency.THROUGHPUT_THREADS,
                           "shrink_threads": shrink_time.THREADS},
              "sections": sections, "models": {}}
    with tempfile.TemporaryDirectory(prefix="tinyq_bench_") as work:
        if "accuracy" in sections:
            log(f"accuracy: ptq_vs_pytorch.py on {len(models)} models")
            try:
                rows, meta = accuracy.run(models, limit, work)
                result["accuracy"] = meta
                for m in models:
                    result["models"].setdefault(m, {})["accuracy"] = rows.get(m, {})
            except benchlib.HarnessError as e:
                result["accuracy"] = {"error": str(e)}
        for m in models:
            log(f"{m}: building tinyq int8 and PyTorch modules")
            art = artifacts.build(m, work)
            row = result["models"].setdefault(m, {})
            row["build_errors"] = art.errors
            if "latency" in sections:
                log(f"{m}: latency, {runs} runs")
                row["latency"] = latency.latency(art, runs)
            if "throughput" in sections:
                log(f"{m}: throughput")
                row["throughput"], row["ort_qdq_metric"] = latency.throughput(art, limit)
            if "shrink" in sections:
                log(f"{m}: tinyq shrink vs PyTorch")
                row["shrink"] = shrink_time.compare(art, limit, work)
            if "footprint" in sections:
                log(f"{m}: footprint and Cortex-M4")
                row["footprint"] = footprint.footprint(art, work)
        if "torchvision" in sections:
            log("torchvision float latency")
            result["torchvision"] = latency.torchvision_float(work, runs)
        if "binding" in sections:
            log("front-end per-call cost")
            result["binding"] = latency.binding_overhead(work, runs)
    result["seconds"] = time.perf_counter() - started
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name, text in (("RESULTS.json", json.dumps(result, indent=1) + "\n"),
                       ("RESULTS.md", render.markdown(result))):
        tmp = out / f".{name}.partial"  # written whole, then renamed: never half a file
        tmp.write_text(text)
        tmp.replace(out / name)
    log(f"wrote {out / 'RESULTS.md'} and RESULTS.json in {result['seconds'] / 60:.1f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
