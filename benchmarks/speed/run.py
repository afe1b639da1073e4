"""Run the benchmark: exports, then every route in its own process, then the verdict; the command line."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import RESULTS_DIR, ROOT
from benchmarks.report import cpu
from benchmarks.speed.page import markdown
from benchmarks.speed.quick import quick_model
from benchmarks.speed.routes import EXPORTED, ROUTES, export_path, worker
from benchmarks.speed.verdict import decision, score
from benchmarks.speed.vocabulary import vocabulary

COMMAND = "python -m benchmarks.speed"


def run_worker(route: str, model: str, n: int, scratch: str = "") -> dict:
    """`route` in a fresh `python -m benchmarks.speed --worker` process; its JSON answer."""
    started = time.perf_counter()
    command = [sys.executable, "-m", "benchmarks.speed", "--worker", route, "--model", model, "--n", str(n),
               "--scratch", scratch or tempfile.gettempdir()]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)  # the repo root: `benchmarks` imports
    if done.returncode:
        raise SystemExit(f"route {route} failed:\n{done.stderr[-3000:]}")
    print(f"  {route}: {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def disk_mb(route: str, model: Path, scratch: Path) -> float:
    """What a deployment of this route ships: the folder's small files plus the one set of weights the route reads."""
    weights = export_path(route, model, scratch)
    files = [p for p in model.iterdir() if p.is_file() and not p.name.startswith(".") and p.suffix
             not in (".safetensors", ".onnx")] + ([*weights.iterdir()] if weights.is_dir() else [weights])
    return sum(p.stat().st_size for p in files) / 2**20


def measure(model: Path, n: int) -> dict:
    import onnxruntime
    import openvino
    import torch

    meta = {"date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "command": f"{COMMAND} --model {model} --n {n}", "n": n, "model": str(model),
            **cpu(), "load_average_1min": os.getloadavg()[0], "platform": platform.platform(),
            "torch": torch.__version__, "onnxruntime": onnxruntime.__version__, "openvino": openvino.__version__}
    with tempfile.TemporaryDirectory() as scratch:
        # first: each exported route then loads a fresh export, made as a user's first call would make it
        meta["exports"] = {route: run_worker(f"export:{route}", str(model), n, scratch) for route in EXPORTED}
        results = {route: run_worker(route, str(model), n, scratch) for route in ROUTES}
        for route, r in results.items():
            r["disk_mb"] = disk_mb(route, model, Path(scratch))
    meta["n_scored"] = score(model, results)
    base = results["hf-baseline"]
    for r in results.values():
        r["speedup_vs_baseline"] = r["paragraphs_per_s"] / base["paragraphs_per_s"]
        r["rss_vs_baseline"] = r["peak_rss_mb"] / base["peak_rss_mb"]
    meta["decision"] = decision(results)
    meta["vocabulary"] = {**vocabulary(model), "tokenizer_rss_mb": run_worker("tokenizer", str(model), n)["rss_mb"]}
    return {"meta": meta, "routes": results}


def main() -> None:
    parser = argparse.ArgumentParser(prog=COMMAND, description="CPU inference speed of eventclf's routes, side by side")
    parser.add_argument("--model", help="trained model folder (default: the config's output_dir, runs/default)")
    parser.add_argument("--n", type=int, help="paragraphs per route (default 1000; 64 with --quick)")
    parser.add_argument("--quick", action="store_true", help="smoke test on a tiny untrained model")
    parser.add_argument("--output", help="results JSON (default benchmarks/results/speed.json; none with --quick)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--scratch", help=argparse.SUPPRESS)
    args = parser.parse_args()
    n = args.n or (64 if args.quick else 1000)
    if args.worker:  # run_worker always names the model and the scratch folder
        print(json.dumps(worker(args.worker, Path(args.model), Path(args.scratch), n)))
        return
    from benchmarks.report import write_json
    from eventclf.config import TrainingConfig
    from eventclf.inference import read_settings

    with tempfile.TemporaryDirectory() as tmp:
        model = quick_model(Path(tmp)) if args.quick else Path(args.model or TrainingConfig().output_dir)
        try:
            read_settings(model)
        except FileNotFoundError as exc:
            raise SystemExit(str(exc)) from None
        report = measure(model, n)
    output = args.output or (None if args.quick else RESULTS_DIR / "speed.json")
    if output:
        write_json(Path(output), report)
    if args.quick:
        print("--quick: a tiny untrained model; the numbers only show that every route runs.\n")
    print(markdown(report["routes"], report["meta"]))
