"""The results page's figures, drawn from the benchmark's results."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure  # the object API draws straight to files: no pyplot, no display backend

from benchmarks.accuracy import MODEL
from benchmarks.report import Spread


def _bars(ax: Axes, groups: list[str], series: dict[str, list[Spread]], ylabel: str) -> None:
    """Grouped bars, one series per system, with the seeds' std as error bars where there is any."""
    width = 0.8 / len(series)
    x = np.arange(len(groups))
    for k, (name, values) in enumerate(series.items()):
        stds = [v.std for v in values]
        ax.bar(x + (k - (len(series) - 1) / 2) * width, [v.mean for v in values], width, label=name,
               yerr=stds if any(stds) else None, capsize=2)
    ax.set_xticks(x, groups, rotation=20, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", alpha=0.3)


def _save(fig: Figure, path: Path, legend_from: Axes | None = None) -> None:
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
          {v["name"]: [Spread.of(v["test"]["per_type"][t]["f1"]) for t in labels] + [Spread.of(v["test"]["macro_f1"])]
           for v in systems.values()}, "F1")
    axes[0][0].set_title("Bundled test split (error bars: std over seeds)")
    if real_groups:
        _bars(axes[0][1], [f"{s}: {t}" for s, t in real_groups],
              {v["name"]: [Spread.of(v["real"][s]["per_type"][t]["f1"]) for s, t in real_groups]
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
    series = {kind.upper(): [Spread.of(conf[t][kind]) for t in labels] for kind in ("tp", "fp", "fn")}
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
          {v["name"]: [Spread.of(v["test"]["per_language"][lang]["macro_f1"]) for lang in counts]
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
          {"trained on all languages": [Spread.of(everyone[lang]["macro_f1"]) for lang in langs],
           "trained on English only": [Spread.of(english[lang]["macro_f1"]) for lang in langs]}, "macro-F1")
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


def draw_all(results: dict[str, Any], folder: Path) -> None:
    """Every figure of the page into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, plot in FIGURES.items():
        plot(results, folder / name)
