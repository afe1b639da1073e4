"""`python -m benchmarks.accuracy`: train (or reuse), score, and write the results page, its figures and its JSON."""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import shlex
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from benchmarks import CACHE_DIR, RESULTS_DIR, RESULTS_PAGE, ROOT
from benchmarks.accuracy.data import load_data
from benchmarks.accuracy.figures import draw_all
from benchmarks.accuracy.page import COMMAND, render, with_speed_section
from benchmarks.accuracy.runs import machine, train_all, training_cost
from benchmarks.accuracy.scoring import score_all
from benchmarks.report import write_json, write_text
from eventclf.config import DEFAULT_CONFIG, TrainingConfig


@dataclass
class Outputs:
    page: Path
    figures: Path
    json: Path
    runs: Path
    cache: Path


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog=COMMAND, description="Accuracy of the fine-tuned model against baselines; "
                                "writes the results page, its figures and a JSON of every number.")
    p.add_argument("--config", default=str(ROOT / DEFAULT_CONFIG), help=f"training config (default: {DEFAULT_CONFIG})")
    p.add_argument("--seeds", type=int, nargs="+", default=[42, 43, 44], help="seeds of the fine-tuned model")
    p.add_argument("--reuse", metavar="DIR", nargs="+", default=[],
                   help="already-trained model folders, each counting as the seed it was trained with")
    p.add_argument("--base-model", help="override the config's base model (a folder), e.g. a tiny one for tests")
    p.add_argument("--quick", action="store_true", help="smoke run: few rows, 1 epoch, 1 seed, max_length 64, no frozen "
                                                        "layers, everything written to --out (default: a new temp dir)")
    p.add_argument("--out", help="write results.md, figures/, accuracy.json, runs/ and .cache/ here instead")
    p.add_argument("--refresh-speed", action="store_true",
                   help="only re-render the speed section of the results page from benchmarks/results/speed.json")
    return p.parse_args(argv)


def outputs_for(args: argparse.Namespace) -> Outputs:
    if args.quick and not args.out:
        args.out = tempfile.mkdtemp(prefix="eventclf-accuracy-")
    if args.out:
        out = Path(args.out)
        return Outputs(out / "results.md", out / "figures", out / "accuracy.json", out / "runs", out / ".cache")
    return Outputs(RESULTS_PAGE, RESULTS_PAGE.parent / "figures", RESULTS_DIR / "accuracy.json",
                   ROOT / "runs" / "benchmark", CACHE_DIR)


def benchmark(args: argparse.Namespace, out: Outputs, command: str) -> dict[str, Any]:
    """Train, score and analyse; every number the page, the figures and the JSON show."""
    started = time.perf_counter()
    config = TrainingConfig.from_yaml(args.config, {"base_model": args.base_model} if args.base_model else None)
    if args.quick:
        config = dataclasses.replace(config, epochs=1, max_length=64, freeze_layers=0)
    config, data = load_data(config, args.quick, out.runs / "quick-corpus")
    seeds = args.seeds[:1] if args.quick else args.seeds
    runs, english, reuse_differs = train_all(config, data, out.runs, seeds, [Path(f) for f in args.reuse])
    scores = score_all(runs, english, data, config, out.cache)
    return {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": command,
        "quick": args.quick, "machine": machine(), "config": _recorded(config),
        "seeds": [run.seed for run in runs], "reuse": args.reuse, "reuse_config_differences": reuse_differs,
        "labels": data.labels, "data": data.summary(),
        **scores,
        "training_cost": training_cost([*runs, english]),
        "benchmark_seconds": round(time.perf_counter() - started),
    }


def _recorded(config: TrainingConfig) -> dict[str, Any]:
    """The config as the JSON keeps it: a data folder inside this checkout is written relative to it, so the page
    reads the same when it is re-rendered in another checkout."""
    fields = config.to_dict()
    folder = Path(fields["data_dir"]).resolve()
    if folder.is_relative_to(ROOT):
        fields["data_dir"] = str(folder.relative_to(ROOT))
    return fields


def main(argv: Sequence[str] | None = None) -> dict[str, Any] | None:
    """Run the benchmark as the command line says; return its results (None for --refresh-speed)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    out = outputs_for(args)
    if args.refresh_speed:
        write_text(out.page, with_speed_section(out.page.read_text(encoding="utf-8")))
        return None
    results = benchmark(args, out, shlex.join([*COMMAND.split(), *argv]))
    draw_all(results, out.figures)
    write_json(out.json, results)
    write_text(out.page, render(results))
    print(f"wrote {out.page}, {out.figures}/ and {out.json}")
    return results


if __name__ == "__main__":
    main()
