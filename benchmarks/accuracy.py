"""Accuracy benchmark: the fine-tuned model (several seeds) against three baselines, with a results page.

    python benchmarks/accuracy.py --reuse runs/default   # full run; runs/default (seed 42) counts as one seed
    python benchmarks/accuracy.py --quick                 # smoke run: tiny data, 1 epoch, output to a temp dir

Scores the bundled test split (per type, per language) and the real English data of `benchmarks/real_data.py`;
trains an English-only model for cross-lingual transfer; measures calibration and training cost. Writes
docs/results.md, docs/figures/*.png and benchmarks/results/accuracy.json (with --out DIR: all of them into DIR).
Models go to runs/benchmark/ and a rerun reuses any whose config and data are unchanged; frozen embeddings and
model probabilities are cached in benchmarks/.cache/, so a rerun after a finished run only redraws the page.
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import hashlib
import json
import os
import platform
import random
import shlex
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import psutil
from matplotlib.figure import Figure  # the object API draws straight to files: no pyplot, no display backend

sys.path.insert(0, str(Path(__file__).resolve().parent))  # sibling scripts, however this file is started
from baselines import (C_GRID, MAX_TOKENS, Baseline, FrozenEncoder, frozen_encoder_baseline,  # noqa: E402
                       model_predictor, tfidf_baseline, zero_shot_baseline)
from real_data import RealSet, available_sets, score_set  # noqa: E402
import real_text  # noqa: E402
import speed  # noqa: E402
from report import aggregate, fmt, replace_between, table  # noqa: E402

from eventclf.base_models import resolve_base_model  # noqa: E402
from eventclf.config import BUNDLED_CORPUS, TrainingConfig  # noqa: E402
from eventclf.data import SPLITS, Example, find_split_file, load_splits, write_examples  # noqa: E402
from eventclf.inference import SETTINGS_NAME, read_settings  # noqa: E402
from eventclf.labels import LabelSet, load_label_set  # noqa: E402
from eventclf.metrics import apply_thresholds, binarize, evaluate  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CONFIG = ROOT / "configs" / "default.yaml"
RESULTS_DIR = ROOT / "benchmarks" / "results"
SPEED_JSON = RESULTS_DIR / "speed.json"
REAL_TEXT_JSON = RESULTS_DIR / "real_text.json"
ECE_BINS = 15
QUICK_ROWS = {"train": 60, "validation": 30, "test": 40, "real": 40}
MODEL = "fine_tuned"
SPEED_BEGIN = ("<!-- speed:begin (filled from benchmarks/results/speed.json, which benchmarks/speed.py writes, by "
               "`python benchmarks/accuracy.py` or its --refresh-speed; edits inside are overwritten) -->")
SPEED_END = "<!-- speed:end -->"
# fields that change where or how a run is written, not what it learns: a reused model may differ in these
NOT_LEARNING = {"output_dir", "seed", "device", "resume", "keep_checkpoints", "logging_steps"}


# ---------------------------------------------------------------------------------------------------- setup

@dataclass
class Outputs:
    page: Path
    figures: Path
    json: Path
    runs: Path
    cache: Path


@dataclass
class Data:
    label_set: LabelSet
    splits: dict[str, list[Example]]
    real: list[RealSet]

    @property
    def labels(self) -> list[str]:
        return list(self.label_set.names)

    def texts(self, split: str) -> list[str]:
        return [ex.text for ex in self.splits[split]]

    def truth(self, split: str) -> np.ndarray:
        return binarize([ex.labels for ex in self.splits[split]], self.labels)

    def langs(self) -> list[str]:
        return [ex.lang or "?" for ex in self.splits["test"]]  # "?" as `evaluate` names an unknown language


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Accuracy of the fine-tuned model against baselines; writes the results "
                                            "page, its figures and a JSON of every number.")
    p.add_argument("--config", default=str(DEFAULT_CONFIG), help="training config (default: configs/default.yaml)")
    p.add_argument("--seeds", type=int, nargs="+", default=[42, 43, 44], help="seeds of the fine-tuned model")
    p.add_argument("--reuse", metavar="DIR", help="an already-trained model folder that counts as one of the seeds")
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
    return Outputs(ROOT / "docs" / "results.md", ROOT / "docs" / "figures", RESULTS_DIR / "accuracy.json",
                   ROOT / "runs" / "benchmark", ROOT / "benchmarks" / ".cache")


def sample(items: Sequence[Any], n: int) -> list[Any]:
    return random.Random(0).sample(list(items), min(n, len(items)))


def load_data(config: TrainingConfig, quick: bool, out: Outputs) -> tuple[TrainingConfig, Data]:
    """The config's splits and the real sets; for --quick, small samples of both and a config that trains on them."""
    label_set = load_label_set(config.label_file or None)
    splits = load_splits(config, label_set.names)
    real = available_sets()
    if quick:
        folder = out.runs / "quick-corpus"
        for split in SPLITS:
            write_examples(folder / f"{split}.jsonl", sample(splits[split], QUICK_ROWS[split]))
        config = dataclasses.replace(config, data_dir=str(folder), train_file="", validation_file="", test_file="")
        splits = load_splits(config, label_set.names)
        real = [dataclasses.replace(r, examples=sample(r.examples, QUICK_ROWS["real"])) for r in real]
    return config, Data(label_set, splits, real)


# ------------------------------------------------------------------------------------------------- training

class PeakMemory:
    """Highest resident memory of this process while the block runs, sampled by a background thread."""

    def __init__(self, interval: float = 0.2):
        self.interval, self.peak = interval, 0
        self._process, self._stop = psutil.Process(), threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, self._process.memory_info().rss)

    def __enter__(self) -> "PeakMemory":
        self.peak = self._process.memory_info().rss
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._process.memory_info().rss)


@dataclass
class Run:
    name: str
    folder: Path
    seed: int
    trained_by: str  # "this benchmark run", "an earlier benchmark run" or "--reuse"
    peak_rss_mb: float | None = None  # known only when a benchmark run trained it

    def metrics(self) -> dict[str, Any]:
        return json.loads((self.folder / "metrics.json").read_text(encoding="utf-8"))


def data_files(config: TrainingConfig) -> list[Path]:
    files = [getattr(config, f"{split}_file") or (config.data_dir and find_split_file(config.data_dir, split))
             for split in SPLITS]
    return [Path(f) for f in files if f]


def fingerprint(config: TrainingConfig) -> str:
    """What the model learns from: every config field but the output folder, and the bytes of the data."""
    h = hashlib.sha256(json.dumps({k: v for k, v in config.to_dict().items() if k != "output_dir"},
                                  sort_keys=True).encode())
    for path in data_files(config):
        h.update(path.read_bytes())
    return h.hexdigest()


def ensure_trained(config: TrainingConfig, name: str, runs_dir: Path) -> Run:
    """Train into runs_dir/name, unless a finished model from the same config and data is already there."""
    folder = runs_dir / name
    config = dataclasses.replace(config, output_dir=str(folder))
    manifest_path = runs_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.is_file() else {}
    entry, wanted = manifest.get(name, {}), fingerprint(config)
    if (folder / SETTINGS_NAME).is_file() and entry.get("fingerprint") == wanted:
        print(f"reusing {folder}: trained earlier from the same config and data")
        return Run(name, folder, config.seed, "an earlier benchmark run", entry.get("peak_rss_mb"))
    from eventclf.trainer import train  # the trainer pulls in the whole training stack: load it only to train

    print(f"training {name} into {folder}")
    with PeakMemory() as memory:
        train(config)
    manifest[name] = {"fingerprint": wanted, "peak_rss_mb": round(memory.peak / 2**20)}
    manifest_path.write_text(json.dumps(manifest, indent=2))
    return Run(name, folder, config.seed, "this benchmark run", manifest[name]["peak_rss_mb"])


def reused_run(folder: Path, config: TrainingConfig, data: Data) -> tuple[Run, dict[str, list]]:
    """The --reuse folder as a seed, and where its settings or data sizes differ from this benchmark's."""
    theirs = TrainingConfig.from_yaml(folder / "training_config.yaml").to_dict()
    ours = config.to_dict()
    differs = {k: [theirs.get(k), v] for k, v in ours.items() if k not in NOT_LEARNING and theirs.get(k) != v}
    run = Run(folder.name, folder, int(theirs["seed"]), "--reuse")
    counts = {split: len(examples) for split, examples in data.splits.items()}
    if run.metrics().get("counts") != counts:  # same files, other contents: the corpus changed since
        differs["counts"] = [run.metrics().get("counts"), counts]
    if differs:
        print(f"warning: {folder} was trained with settings or data other than this benchmark's: {differs}")
    return run, differs


def english_only_config(config: TrainingConfig, data: Data, runs_dir: Path) -> TrainingConfig:
    """Train and validate on English rows only; test on the full multilingual test split."""
    folder = runs_dir / "english-only-data"
    files = {split: write_examples(folder / f"{split}.jsonl",
                                [ex for ex in data.splits[split] if split == "test" or ex.lang == "en"])
             for split in SPLITS}
    return dataclasses.replace(config, train_file=str(files["train"]), validation_file=str(files["validation"]),
                               test_file=str(files["test"]))


def train_all(args: argparse.Namespace, config: TrainingConfig, data: Data,
              out: Outputs) -> tuple[list[Run], Run, dict[str, list]]:
    seeds = args.seeds[:1] if args.quick else args.seeds
    runs, differs = [], {}
    if args.reuse:
        reused, differs = reused_run(Path(args.reuse), config, data)
        runs.append(reused)
        seeds = [s for s in seeds if s != reused.seed][: len(seeds) - 1]
    runs += [ensure_trained(dataclasses.replace(config, seed=s), f"seed-{s}", out.runs) for s in seeds]
    english = ensure_trained(dataclasses.replace(english_only_config(config, data, out.runs), seed=runs[0].seed),
                             "english-only", out.runs)
    return runs, english, differs


# -------------------------------------------------------------------------------------------------- scoring

def reliability(y_true: np.ndarray, probs: np.ndarray, bins: int = ECE_BINS) -> list[dict[str, Any]]:
    """Equal-width probability bins over every (paragraph, type) pair: how often the type is there per bin."""
    p, y = np.asarray(probs, float).ravel(), np.asarray(y_true, float).ravel()
    which = np.minimum((p * bins).astype(int), bins - 1)
    rows = []
    for b in range(bins):
        hit = which == b
        rows.append({"lower": b / bins, "upper": (b + 1) / bins, "count": int(hit.sum()),
                     "confidence": float(p[hit].mean()) if hit.any() else None,
                     "frequency": float(y[hit].mean()) if hit.any() else None})
    return rows


def expected_calibration_error(y_true: np.ndarray, probs: np.ndarray, bins: int = ECE_BINS) -> float:
    """Count-weighted mean gap between predicted probability and observed frequency, over equal-width bins."""
    total = np.asarray(y_true).size
    return float(sum(r["count"] / total * abs(r["frequency"] - r["confidence"])
                     for r in reliability(y_true, probs, bins) if r["count"]))


def score_system(predict: Callable[[Sequence[str]], np.ndarray], thresholds: dict[str, float], data: Data,
                 probabilistic: bool = True) -> tuple[dict[str, Any], np.ndarray]:
    """Every number of one system at its tuned thresholds (and at 0.5 where its scores are probabilities)."""
    labels, y, langs = data.labels, data.truth("test"), data.langs()
    probs = predict(data.texts("test"))
    result: dict[str, Any] = {"thresholds": thresholds, "test": evaluate(y, probs, thresholds, labels, langs)}
    half = dict.fromkeys(labels, 0.5)
    if probabilistic:
        result["test_at_0.5"] = evaluate(y, probs, half, labels, langs)
        result["ece"] = expected_calibration_error(y, probs)
    real_probs = {r.name: predict([ex.text for ex in r.examples]) for r in data.real}
    result["real"] = {r.name: score_set(r, real_probs[r.name], thresholds, labels) for r in data.real}
    if probabilistic:
        result["real_at_0.5"] = {r.name: score_set(r, real_probs[r.name], half, labels) for r in data.real}
    return result, probs


def confusion_summary(y_true: np.ndarray, y_pred: np.ndarray, labels: Sequence[str]) -> dict[str, Any]:
    """Per type TP/FP/FN, what the paragraphs of its false positives really were, and what its misses got instead."""
    def names(row: np.ndarray, fallback: str) -> list[str]:
        return [labels[j] for j in np.flatnonzero(row)] or [fallback]

    summary = {}
    for i, name in enumerate(labels):
        fp_rows = np.flatnonzero((y_pred[:, i] == 1) & (y_true[:, i] == 0))
        fn_rows = np.flatnonzero((y_pred[:, i] == 0) & (y_true[:, i] == 1))
        summary[name] = {
            "tp": int(((y_pred[:, i] == 1) & (y_true[:, i] == 1)).sum()), "fp": len(fp_rows), "fn": len(fn_rows),
            "false_positives_were": dict(Counter(t for r in fp_rows for t in names(y_true[r], "no event"))),
            "misses_predicted_as": dict(Counter(t for r in fn_rows for t in names(y_pred[r], "nothing")))}
    return summary


def machine() -> dict[str, Any]:
    import torch

    cpu = platform.processor() or platform.machine()
    if Path("/proc/cpuinfo").is_file():
        names = [line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                 if line.startswith("model name")]
        cpu = names[0] if names else cpu
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
            "torch_threads": torch.get_num_threads(), "python": platform.python_version(),
            "torch": torch.__version__, "platform": platform.platform()}


def training_cost(runs: list[Run]) -> list[dict[str, Any]]:
    rows = []
    for run in runs:
        m = run.metrics()
        rows.append({"run": run.name, "seed": run.seed, "trained_by": run.trained_by, "device": m.get("device"),
                     "epochs_run": m.get("epochs_run"), "train_seconds": m.get("train_seconds"),
                     "peak_rss_mb": run.peak_rss_mb, "train_rows": m.get("counts", {}).get("train")})
    return rows


def build_baselines(data: Data, config: TrainingConfig, cache_dir: Path) -> list[Baseline]:
    encoder = FrozenEncoder(resolve_base_model(config.base_model)[0], cache_dir)
    train, val = (data.texts("train"), data.truth("train")), (data.texts("validation"), data.truth("validation"))
    return [tfidf_baseline(*train, *val, data.labels),
            frozen_encoder_baseline(encoder, *train, *val, data.labels),
            zero_shot_baseline(encoder, data.label_set, *val)]


def score_runs(runs: list[Run], data: Data, cache_dir: Path) -> tuple[list[dict[str, Any]], list[np.ndarray]]:
    scored = []
    for run in runs:
        print(f"scoring {run.name}")
        scored.append(score_system(model_predictor(run.folder, cache_dir), read_settings(run.folder)["thresholds"], data))
    return [result for result, _ in scored], [probs for _, probs in scored]


def score_baselines(data: Data, config: TrainingConfig, cache_dir: Path) -> dict[str, dict[str, Any]]:
    systems = {}
    for b in build_baselines(data, config, cache_dir):
        print(f"scoring baseline {b.name}")
        systems[b.key] = {"name": b.name, "details": b.details,
                          **score_system(b.predict, b.thresholds, data, b.probabilistic)[0]}
    return systems


def benchmark(args: argparse.Namespace, out: Outputs, command: str) -> dict[str, Any]:
    """Train, score and analyse; every number the page, the figures and the JSON show."""
    started = time.perf_counter()
    config = TrainingConfig.from_yaml(args.config, {"base_model": args.base_model} if args.base_model else None)
    if args.quick:
        config = dataclasses.replace(config, epochs=1, max_length=64, freeze_layers=0)
    config, data = load_data(config, args.quick, out)
    runs, english, reuse_differs = train_all(args, config, data, out)
    per_seed, seed_probs = score_runs(runs, data, out.cache)
    english_result = score_runs([english], data, out.cache)[0][0]
    systems = {MODEL: {"name": "Fine-tuned model", **aggregate(per_seed)}, **score_baselines(data, config, out.cache)}
    y_test = data.truth("test")
    first_pred = apply_thresholds(seed_probs[0], per_seed[0]["thresholds"], data.labels)
    results = {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": command,
        "quick": args.quick, "machine": machine(), "config": config.to_dict(),
        "seeds": [run.seed for run in runs], "reuse": args.reuse, "reuse_config_differences": reuse_differs,
        "labels": data.labels,
        "data": {"splits": {s: len(v) for s, v in data.splits.items()},
                 "train_languages": sorted({ex.lang for ex in data.splits["train"]}),
                 "test_languages": {lang: data.langs().count(lang) for lang in sorted(set(data.langs()))},
                 "real": {r.name: {"n": len(r.examples), "left_out": r.left_out, "scored_types": list(r.scored_types)}
                          for r in data.real}},
        "systems": systems,
        "fine_tuned_per_seed": [{"run": run.name, "seed": run.seed, **res} for run, res in zip(runs, per_seed)],
        "english_only": {"run": english.name, "seed": english.seed, **english_result},
        "calibration": {"bins": ECE_BINS, "reliability_per_seed": [reliability(y_test, p) for p in seed_probs]},
        "errors": {"model_run": runs[0].name, "confusion": confusion_summary(y_test, first_pred, data.labels),
                   "cooccurrence": (y_test.T @ y_test).tolist(), "no_event": int((y_test.sum(1) == 0).sum())},
        "training_cost": training_cost([*runs, english]),
        "benchmark_seconds": round(time.perf_counter() - started),
    }
    return results


# -------------------------------------------------------------------------------------------------- figures

def _ms(value: Any) -> tuple[float, float]:
    return (value["mean"], value["std"]) if isinstance(value, dict) else (float(value), 0.0)


def _bars(ax, groups: list[str], series: dict[str, list[tuple[float, float]]], ylabel: str) -> None:
    width = 0.8 / len(series)
    x = np.arange(len(groups))
    for k, (name, values) in enumerate(series.items()):
        means, stds = zip(*values)
        ax.bar(x + (k - (len(series) - 1) / 2) * width, means, width, label=name,
               yerr=stds if any(stds) else None, capsize=2)
    ax.set_xticks(x, groups, rotation=20, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", alpha=0.3)


def _save(fig: Figure, path: Path, legend_from=None) -> None:
    """Legend under the plots, where it hides no bar."""
    if legend_from is not None:
        handles, names = legend_from.get_legend_handles_labels()
        fig.legend(handles, names, loc="lower center", ncol=len(names), fontsize=8, frameon=False)
        fig.tight_layout(rect=(0, 0.07, 1, 1))
    else:
        fig.tight_layout()
    fig.savefig(path, dpi=110)


def plot_f1(results: dict[str, Any], path: Path) -> None:
    systems, labels = results["systems"], results["labels"]
    real = results["data"]["real"]
    real_groups = [(s, t) for s in real for t in real[s]["scored_types"]
                   if systems[MODEL]["real"][s]["per_type"][t]["support"] > 0]
    fig = Figure(figsize=(14 if real_groups else 8, 4.5))
    axes = fig.subplots(1, 2 if real_groups else 1, squeeze=False)
    _bars(axes[0][0], [*labels, "macro-F1"],
          {v["name"]: [_ms(v["test"]["per_type"][t]["f1"]) for t in labels] + [_ms(v["test"]["macro_f1"])]
           for v in systems.values()}, "F1")
    axes[0][0].set_title("Bundled test split (error bars: std over seeds)")
    if real_groups:
        _bars(axes[0][1], [f"{s}: {t}" for s, t in real_groups],
              {v["name"]: [_ms(v["real"][s]["per_type"][t]["f1"]) for s, t in real_groups]
               for v in systems.values()}, "F1")
        axes[0][1].set_title("Real English data")
    _save(fig, path, axes[0][0])


def plot_errors(results: dict[str, Any], path: Path) -> None:
    labels, errors = results["labels"], results["errors"]
    matrix = np.asarray(errors["cooccurrence"])
    fig = Figure(figsize=(13, 5))
    left, right = fig.subplots(1, 2)
    left.imshow(matrix, cmap="Blues")
    for (i, j), count in np.ndenumerate(matrix):
        left.text(j, i, str(count), ha="center", va="center", color="white" if count > matrix.max() / 2 else "black")
    left.set_xticks(range(len(labels)), labels, rotation=30, ha="right")
    left.set_yticks(range(len(labels)), labels)
    left.set_title(f"Test split: paragraphs carrying both types\n(diagonal: the type; {errors['no_event']} "
                   f"paragraphs carry none)")
    conf = errors["confusion"]
    series = {kind.upper(): [(conf[t][kind], 0.0) for t in labels] for kind in ("tp", "fp", "fn")}
    _bars(right, labels, series, "paragraphs")
    right.set_ylim(0, max(max(conf[t]["tp"] + conf[t]["fn"], conf[t]["fp"]) for t in labels) * 1.1 + 1)
    right.set_title(f"Fine-tuned model ({errors['model_run']}) at its tuned thresholds")
    right.legend()
    _save(fig, path)


def plot_languages(results: dict[str, Any], path: Path) -> None:
    counts = results["data"]["test_languages"]
    fig = Figure(figsize=(11, 4))
    ax = fig.subplots()
    _bars(ax, [f"{lang} (n={n})" for lang, n in counts.items()],
          {v["name"]: [_ms(v["test"]["per_language"][lang]["macro_f1"]) for lang in counts]
           for v in results["systems"].values()}, "macro-F1")
    ax.set_title("Bundled test split by language (error bars: std over seeds)")
    _save(fig, path, ax)


def plot_cross_lingual(results: dict[str, Any], path: Path) -> None:
    langs = list(results["data"]["test_languages"])
    everyone = results["systems"][MODEL]["test"]["per_language"]
    english = results["english_only"]["test"]["per_language"]
    fig = Figure(figsize=(9, 4))
    ax = fig.subplots()
    _bars(ax, [f"{lang} (n={results['data']['test_languages'][lang]})" for lang in langs],
          {"trained on all languages": [_ms(everyone[lang]["macro_f1"]) for lang in langs],
           "trained on English only": [_ms(english[lang]["macro_f1"]) for lang in langs]}, "macro-F1")
    ax.set_title("Cross-lingual transfer on the bundled test split")
    _save(fig, path, ax)


def plot_reliability(results: dict[str, Any], path: Path) -> None:
    fig = Figure(figsize=(6, 7))
    top, bottom = fig.subplots(2, 1, gridspec_kw={"height_ratios": [3, 1]}, sharex=True)
    top.plot([0, 1], [0, 1], "k--", lw=1, label="perfect calibration")
    for seed, rows in zip(results["seeds"], results["calibration"]["reliability_per_seed"]):
        used = [r for r in rows if r["count"]]
        top.plot([r["confidence"] for r in used], [r["frequency"] for r in used], "o-", ms=4, label=f"seed {seed}")
    top.set_ylabel("observed frequency of the type")
    top.set_title(f"Reliability, test split ({results['calibration']['bins']} bins, all types)")
    top.legend(fontsize=8)
    rows = results["calibration"]["reliability_per_seed"][0]
    bottom.bar([r["lower"] for r in rows], [r["count"] for r in rows], width=1 / len(rows), align="edge")
    bottom.set_yscale("log")
    bottom.set_xlabel("predicted probability")
    bottom.set_ylabel(f"pairs (seed {results['seeds'][0]})")
    _save(fig, path)


FIGURES: dict[str, Callable[[dict[str, Any], Path], None]] = {
    "per_type_f1.png": plot_f1, "per_language.png": plot_languages, "errors.png": plot_errors,
    "cross_lingual.png": plot_cross_lingual, "reliability.png": plot_reliability,
}


# ------------------------------------------------------------------------------------------------ the page

def _mean(value: Any) -> float:
    return _ms(value)[0]


def section_setup(r: dict[str, Any]) -> list[str]:
    m, c = r["machine"], r["config"]
    hardware = m["gpu"] or f"{m['cpu']}, {m['cores']} cores (CPU only)"
    bundled = c["data_dir"] == str(BUNDLED_CORPUS) and not (c["train_file"] or c["test_file"])
    source = "the bundled corpus (`eventclf/data/corpus`)" if bundled else f"`{c['test_file'] or c['data_dir']}`"
    lines = [
        "# Accuracy results", "",
        "Generated by `benchmarks/accuracy.py`; do not edit by hand (rerun it instead).", "",
        f"- Date: {r['date']}",
        f"- Machine: {hardware}; {m['memory_gb']} GB RAM; torch {m['torch']} ({m['torch_threads']} threads), "
        f"Python {m['python']}",
        f"- Command: `{r['command']}` (took {r['benchmark_seconds'] / 60:.1f} min"
        + ("; models trained before it were reused, see [Training cost](#training-cost))"
           if any(c["trained_by"] != "this benchmark run" for c in r["training_cost"]) else ")"),
        f"- Fine-tuned model: `{c['base_model']}` trained with the benchmark config (max_length {c['max_length']}, "
        f"up to {c['epochs']} epochs, early stopping, batch {c['batch_size']}, lr {c['learning_rate']}, head lr "
        f"{c['head_learning_rate']}); seeds {', '.join(map(str, r['seeds']))}"
        + (f" ({r['reuse']} reused as seed {r['seeds'][0]})" if r["reuse"] else ""),
        f"- Data: {source}, " + ", ".join(f"{s} {n}" for s, n in r["data"]["splits"].items()) + " paragraphs; "
        "thresholds of every system are tuned per type on the validation split, scores are on the test split",
    ]
    if r["reuse_config_differences"]:
        lines.append(f"- **Note:** the reused model was trained with settings or data other than this benchmark's: "
                     f"{r['reuse_config_differences']} (as [reused, benchmark])")
    if r["quick"]:
        lines.append("- **Quick smoke run:** tiny samples and one epoch; these numbers mean nothing.")
    return lines + [""]


def rivals(r: dict[str, Any], where: Callable[[dict[str, Any]], Any]) -> list[tuple[str, float]]:
    """Baselines within one seed std of the model's mean macro-F1 or above it, where `where` picks the result."""
    mean, std = _ms(where(r["systems"][MODEL]))
    return [(v["name"], _mean(where(v))) for k, v in r["systems"].items()
            if k != MODEL and _mean(where(v)) >= mean - std]


def real_f1(name: str) -> Callable[[dict[str, Any]], Any]:
    return lambda system: system["real"][name]["macro_f1"]


def verdict(r: dict[str, Any], where: Callable[[dict[str, Any]], Any]) -> str:
    """A win only counts when it is larger than the model's spread across seeds."""
    model, close = where(r["systems"][MODEL]), rivals(r, where)
    named = ", ".join(f"{n} ({f:.3f})" for n, f in close)
    if any(f >= _mean(model) for _, f in close):
        return f"**the fine-tuned model ({fmt(model)}) does not beat** {named}"
    if close:
        return (f"**no clear win**: the fine-tuned model ({fmt(model)}) is ahead of {named} by less than its spread "
                "across seeds")
    return f"the fine-tuned model ({fmt(model)}) beats every baseline on macro-F1"


def section_summary(r: dict[str, Any]) -> list[str]:
    systems = r["systems"]
    lines = ["## Summary", ""]
    lines += table(["system", "test macro-F1", "test exact match",
                    *(f"{name} macro-F1" for name in r["data"]["real"])],
                   [[v["name"], v["test"]["macro_f1"], v["test"]["exact_match"],
                     *(v["real"][name]["macro_f1"] for name in r["data"]["real"])] for v in systems.values()])
    lines += ["", f"- Bundled test split: {verdict(r, lambda v: v['test']['macro_f1'])}."]
    for name in r["data"]["real"]:
        lines.append(f"- {name}: {verdict(r, real_f1(name))}"
                     + ("; see [why](#why-not-on-real-data)." if rivals(r, real_f1(name)) else "."))
    if not r["data"]["real"]:
        lines.append("- Real data: not scored (the real sets were not found; see `benchmarks/real_data.py`).")
    return lines + ["", "Cells are mean ± std over the fine-tuned model's seeds; baselines are deterministic.", ""]


def per_type_rows(systems: dict[str, Any], pick: Callable[[dict[str, Any]], dict[str, Any]],
                  types: Sequence[str]) -> list[list[Any]]:
    return [[t, v["name"], *(pick(v)["per_type"][t][k] for k in ("precision", "recall", "f1")),
             str(pick(v)["per_type"][t]["support"])] for t in types for v in systems.values()]


def section_test(r: dict[str, Any]) -> list[str]:
    systems, langs = r["systems"], list(r["data"]["test_languages"])
    lines = ["## Bundled test split", "", "![per-type F1](figures/per_type_f1.png)", "", "### Per type", ""]
    lines += table(["type", "system", "precision", "recall", "F1", "support"],
                   per_type_rows(systems, lambda v: v["test"], r["labels"]))
    for metric, title in (("macro_f1", "macro-F1"), ("exact_match", "exact match")):
        lines += ["", f"### Per language: {title}", ""]
        if metric == "macro_f1":
            lines += ["![per-language macro-F1](figures/per_language.png)", ""]
        lines += table(["language", "n", *(v["name"] for v in systems.values())],
                       [[lang, str(r["data"]["test_languages"][lang]),
                         *(v["test"]["per_language"][lang][metric] for v in systems.values())] for lang in langs])
    return lines + [""]


def why_not_real(r: dict[str, Any], name: str) -> list[str]:
    """The evidence behind a real-data loss: gap vs seed spread, precision or recall, thresholds, domain."""
    model = r["systems"][MODEL]
    ours, spread = _ms(model["real"][name]["macro_f1"])
    winner = max((v for k, v in r["systems"].items() if k != MODEL), key=lambda v: v["real"][name]["macro_f1"])
    gap = winner["real"][name]["macro_f1"] - ours
    lines = [f"**{name}**: {winner['name']} {winner['real'][name]['macro_f1']:.3f} vs the model's {ours:.3f} ± "
             f"{spread:.3f}, " + ("within the seed spread." if gap <= spread else "more than the seed spread.")]
    for t in r["data"]["real"][name]["scored_types"]:
        m, w = model["real"][name]["per_type"][t], winner["real"][name]["per_type"][t]
        if m["support"] == 0 or _mean(m["f1"]) >= w["f1"]:
            continue
        weak = [what for what, lower in (("precision (it over-calls)", _mean(m["precision"]) < w["precision"]),
                                         ("recall (it misses more)", _mean(m["recall"]) < w["recall"])) if lower]
        lines.append(f"- `{t}`: model precision {fmt(m['precision'])}, recall {fmt(m['recall'])} vs "
                     f"{w['precision']:.3f} / {w['recall']:.3f}: the model is lower in {' and '.join(weak)}.")
    at_half = _mean(model["real_at_0.5"][name]["macro_f1"])
    lines.append(f"- At a flat threshold of 0.5 the model scores {at_half:.3f} here "
                 + ("instead: part of the gap is the thresholds tuned on the bundled validation split, which do not "
                    "carry over to this data's style and base rate." if at_half > ours else
                    "(no better): the tuned thresholds are not what loses."))
    return lines


def section_real(r: dict[str, Any]) -> list[str]:
    if not r["data"]["real"]:
        return ["## Real English data", "", "Not scored: the real sets were not found (`benchmarks/real_data.py`).", ""]
    lines = ["## Real English data", "",
             "ACLED event notes and SATP incident reports mapped onto our types as documented in "
             "`benchmarks/real_data.py` (ambiguous ACLED sub-event types are left out; SATP only says whether a "
             "report is a bombing). Only the types a set can judge are scored. No system saw this data in training "
             "or tuning.", ""]
    for name, info in r["data"]["real"].items():
        lines += [f"### {name} ({info['n']} rows, {info['left_out']} ambiguous left out; types: "
                  f"{', '.join(info['scored_types'])})", ""]
        lines += table(["type", "system", "precision", "recall", "F1", "support"],
                       per_type_rows(r["systems"], lambda v: v["real"][name], info["scored_types"]))
        lines.append("")
    losing = [name for name in r["data"]["real"] if rivals(r, real_f1(name))]
    if losing:
        lines += ["### Why not on real data", "",
                  f"The fine-tuned model does **not** clearly beat every baseline on macro-F1 on "
                  f"{' and '.join(losing)}: a baseline scores above it or within its spread across seeds. "
                  "What the numbers show:", ""]
        for name in losing:
            lines += why_not_real(r, name) + [""]
        lines += [f"Likely causes: the fine-tuned model and the regressions learnt only from the "
                  f"{r['data']['splits']['train']:,} training paragraphs of the bundled corpus, in "
                  f"{len(r['data']['train_languages'])} languages, and every system's thresholds come from its "
                  "validation split, while these sets are English coder notes and incident reports with conventions "
                  "of their own. Fine-tuning the "
                  "whole encoder on that corpus fits its style closely; a baseline can carry over as well out of "
                  "domain: TF-IDF keys on the words short English reports share with the corpus, a linear model on "
                  "frozen embeddings keeps the encoder's general-purpose representation, and a zero-shot match uses "
                  "only the codebook. The label mapping is approximate too: neither set was "
                  "annotated with our codebook (ACLED's `Armed clash` stands in for `offensive`, SATP's `Bombing` "
                  "column for `bombing`), so at the edges their labels follow their own rules.", ""]
    return lines


def section_cross_lingual(r: dict[str, Any]) -> list[str]:
    everyone, english = r["systems"][MODEL]["test"], r["english_only"]["test"]
    rows = [[lang, str(n), everyone["per_language"][lang]["macro_f1"], english["per_language"][lang]["macro_f1"]]
            for lang, n in r["data"]["test_languages"].items()]
    rows.append(["all", str(everyone["n"]), everyone["macro_f1"], english["macro_f1"]])
    for name, info in r["data"]["real"].items():
        rows.append([f"{name} (real, English)", str(info["n"]), r["systems"][MODEL]["real"][name]["macro_f1"],
                     r["english_only"]["real"][name]["macro_f1"]])
    english_rows = next(c for c in r["training_cost"] if c["run"] == r["english_only"]["run"])["train_rows"]
    return ["## Cross-lingual transfer", "",
            f"The default config trained on the English rows only ({english_rows} training paragraphs, English "
            f"validation for thresholds; seed {r['english_only']['seed']}) against the model trained on every "
            "language, both scored on the full multilingual test split (and, last, on the real English sets).", "",
            "![cross-lingual transfer](figures/cross_lingual.png)", "",
            *table(["test set", "n", "all languages (macro-F1)", "English only (macro-F1)"], rows), ""]


def section_errors(r: dict[str, Any]) -> list[str]:
    conf = r["errors"]["confusion"]

    def top(counts: dict[str, int]) -> str:
        return ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1])) or "-"

    rows = [[t, str(c["tp"]), str(c["fp"]), str(c["fn"]), top(c["false_positives_were"]),
             top(c["misses_predicted_as"])] for t, c in conf.items()]
    return ["## Errors", "",
            f"Label co-occurrence in the test split, and the fine-tuned model's ({r['errors']['model_run']}) "
            "true positives, false positives and misses per type.", "",
            "![co-occurrence and confusion](figures/errors.png)", "",
            *table(["type", "TP", "FP", "FN", "false positives were really", "misses were predicted as"], rows), ""]


def section_calibration(r: dict[str, Any]) -> list[str]:
    systems = r["systems"]
    model = systems[MODEL]
    rows = [[v["name"], v.get("ece")] for v in systems.values()]
    decisions = [["0.5 for every type", model["test_at_0.5"]["macro_f1"], model["test_at_0.5"]["exact_match"]],
                 ["tuned per type on validation", model["test"]["macro_f1"], model["test"]["exact_match"]]]
    return ["## Calibration", "",
            f"Expected calibration error on the test split: {r['calibration']['bins']} equal-width bins over every "
            "(paragraph, type) probability, weighted by count. Zero-shot scores are rescaled cosines, not "
            "probabilities, so they have none.", "",
            *table(["system", "ECE"], rows), "",
            "![reliability](figures/reliability.png)", "",
            "Threshold tuning moves decisions, not probabilities (the ECE above is the same at any threshold); "
            "its effect on the fine-tuned model's decisions:", "",
            *table(["thresholds", "test macro-F1", "test exact match"], decisions), ""]


def section_cost(r: dict[str, Any]) -> list[str]:
    rows = [[c["run"], str(c["seed"]), str(c["train_rows"]), str(c["device"]), str(c["epochs_run"]),
             f"{c['train_seconds'] / 60:.1f}" if c["train_seconds"] is not None else "n/a",
             f"{c['peak_rss_mb']:,.0f}" if c["peak_rss_mb"] is not None else "not measured",
             c["trained_by"]] for c in r["training_cost"]]
    fits = [[v["name"], f"{v['details'].get('fit_seconds', 'n/a')}", str(v["details"].get("C", "-"))]
            for k, v in r["systems"].items() if k != MODEL]
    return ["## Training cost", "",
            "Wall time is the trainer's `train_seconds` (data loading to the end of training, early stopping "
            "included); peak memory is the benchmark process's resident memory sampled during training "
            "(psutil), so it includes Python, torch and the data.", "",
            *table(["run", "seed", "train rows", "device", "epochs", "train minutes", "peak RSS (MB)", "trained by"],
                   rows), "",
            *([] if any(str(c["device"]).startswith("cuda") for c in r["training_cost"]) else
              ["No GPU was at hand on this machine, so there is no GPU row. Run the same command on a machine with "
               "one: the trainer uses CUDA (bf16 or fp16, word embeddings trained) and the rows then say `cuda`.", ""]),
            "Baselines (fit and C search on validation; frozen embeddings are computed once and cached):", "",
            *table(["baseline", "fit seconds", "chosen C"], fits), ""]


def section_method() -> list[str]:
    return ["## How the baselines are built", "",
            "- **TF-IDF + logistic regression**: word 1-2grams and char_wb 2-5grams (sublinear TF), one-vs-rest "
            f"logistic regression with balanced class weights; C from {{{', '.join(f'{c:g}' for c in C_GRID)}}} "
            "by validation macro-F1.",
            "- **Frozen encoder + logistic regression**: the same base encoder, not fine-tuned: mean-pooled, "
            f"L2-normalised embeddings of `query: ` + paragraph (truncated at {MAX_TOKENS} tokens), same regression "
            "and C search.",
            "- **Zero-shot**: cosine between the paragraph embedding (`query: `) and each type's codebook definition "
            "plus its includes (`passage: `), each type's cosine stretched onto [0, 1] by its validation range.",
            "- Every system, the fine-tuned model included, tunes one threshold per type on the validation split "
            "(`eventclf.metrics.tune_thresholds`).", ""]


def speed_section(speed_json: Path | None = None) -> str:
    """The speed benchmark's own report of benchmarks/results/speed.json, or a line saying it has not run."""
    speed_json = speed_json or SPEED_JSON
    if not speed_json.is_file():
        return f"The speed benchmark has not been run yet (no `{speed_json.name}` in `benchmarks/results/`)."
    report = json.loads(speed_json.read_text(encoding="utf-8"))
    return speed.markdown(report["routes"], report["meta"])


def with_speed_section(page: str, speed_json: Path | None = None) -> str:
    return replace_between(page, SPEED_BEGIN, SPEED_END, speed_section(speed_json))


def render(r: dict[str, Any]) -> str:
    lines = [*section_setup(r), *section_summary(r), "## Real text", "", real_text.BEGIN, real_text.END, "",
             *section_test(r), *section_real(r), *section_cross_lingual(r),
             *section_errors(r), *section_calibration(r), *section_cost(r),
             "## Speed", "", SPEED_BEGIN, SPEED_END, "", *section_method()]
    return real_text.with_section(with_speed_section("\n".join(lines)), REAL_TEXT_JSON)


def main(argv: Sequence[str] | None = None) -> dict[str, Any] | None:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    out = outputs_for(args)
    if args.refresh_speed:
        out.page.write_text(with_speed_section(out.page.read_text(encoding="utf-8")), encoding="utf-8")
        return None
    results = benchmark(args, out, shlex.join(["python", "benchmarks/accuracy.py", *argv]))
    out.figures.mkdir(parents=True, exist_ok=True)
    for name, plot in FIGURES.items():
        plot(results, out.figures / name)
    out.json.parent.mkdir(parents=True, exist_ok=True)
    out.json.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    out.page.write_text(render(results), encoding="utf-8")
    print(f"wrote {out.page}, {out.figures}/ and {out.json}")
    return results


if __name__ == "__main__":
    main()
