"""The fine-tuned models the accuracy benchmark scores: trained once per config and data, reused after, and what
each cost to train."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import platform
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import psutil

from benchmarks.accuracy.data import Data
from benchmarks.report import cpu, write_json
from eventclf.config import TrainingConfig
from eventclf.data import SPLITS, split_files, write_examples
from eventclf.inference import SETTINGS_NAME

# who trained a model, as the results record it
THIS_RUN, EARLIER_RUN, REUSED = "this benchmark run", "an earlier benchmark run", "--reuse"


class PeakMemory:
    """Highest resident memory of this process while the block runs, sampled by a background thread."""

    def __init__(self, interval: float = 0.2):
        self.interval, self.peak = interval, 0
        self._process, self._stop = psutil.Process(), threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, self._process.memory_info().rss)

    def __enter__(self) -> PeakMemory:
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
    trained_by: str  # THIS_RUN, EARLIER_RUN or REUSED
    peak_rss_mb: float | None = None  # known only when the benchmark trained it

    def metrics(self) -> dict[str, Any]:
        return json.loads((self.folder / "metrics.json").read_text(encoding="utf-8"))


# where a config reads its data from; a reused model is compared with the benchmark by those files' bytes instead
DATA_FIELDS = frozenset({"data_dir", "train_file", "validation_file", "test_file"})


def fingerprint(config: TrainingConfig) -> str:
    """What a model learns from: the config fields that affect learning, and the bytes of every data file it reads.
    Where the run is written and how it logs are left out, so changing them does not force a retrain."""
    h = hashlib.sha256(json.dumps(config.learning_dict(), sort_keys=True).encode())
    h.update(data_digest(config).encode())
    return h.hexdigest()


def data_digest(config: TrainingConfig) -> str:
    """A hash of the bytes of every split file the config reads."""
    h = hashlib.sha256()
    for split, path in sorted(split_files(config).items()):
        h.update(split.encode() + path.read_bytes())
    return h.hexdigest()


def ensure_trained(config: TrainingConfig, name: str, runs_dir: Path) -> Run:
    """Train into runs_dir/name, unless a finished model from the same config and data is already there."""
    folder = runs_dir / name
    config = dataclasses.replace(config, output_dir=str(folder))
    manifest_path = runs_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.is_file() else {}
    entry, wanted = manifest.get(name, {}), fingerprint(config)
    if (folder / SETTINGS_NAME).is_file() and entry.get("fingerprint") == wanted:
        print(f"reusing {folder}: trained earlier from the same config and data")
        return Run(name, folder, config.seed, EARLIER_RUN, entry.get("peak_rss_mb"))
    from eventclf.trainer import train  # the trainer pulls in the whole training stack: load it only to train

    print(f"training {name} into {folder}")
    with PeakMemory() as memory:
        train(config)
    manifest[name] = {"fingerprint": wanted, "peak_rss_mb": round(memory.peak / 2**20)}
    write_json(manifest_path, manifest)  # whole or not at all: a torn manifest would retrain every model
    return Run(name, folder, config.seed, THIS_RUN, manifest[name]["peak_rss_mb"])


def reused_run(folder: Path, config: TrainingConfig, data: Data) -> tuple[Run, dict[str, list]]:
    """A --reuse folder as a seed, and where its learning settings or data differ from this benchmark's (as
    [reused, benchmark]). Data read from another folder with the same bytes is the same data."""
    theirs = TrainingConfig.from_yaml(folder / "training_config.yaml")
    reused, ours = theirs.learning_dict(), config.learning_dict()
    # the seed is not a difference: the folder stands in for the seed it was trained with
    differs = {k: [reused[k], v] for k, v in ours.items() if k != "seed" and reused[k] != v}
    if DATA_FIELDS & differs.keys() and _same_data(theirs, config):
        differs = {k: v for k, v in differs.items() if k not in DATA_FIELDS}
    run = Run(folder.name, folder, theirs.seed, REUSED)
    counts = {split: len(examples) for split, examples in data.splits.items()}
    if run.metrics().get("counts") != counts:  # same files, other contents: the corpus changed since
        differs["counts"] = [run.metrics().get("counts"), counts]
    if differs:
        print(f"warning: {folder} was trained with settings or data other than this benchmark's: {differs}")
    return run, differs


def _same_data(theirs: TrainingConfig, ours: TrainingConfig) -> bool:
    try:
        return data_digest(theirs) == data_digest(ours)
    except OSError:  # the reused model's data folder is gone: only its paths can be compared
        return False


def english_only_config(config: TrainingConfig, data: Data, runs_dir: Path) -> TrainingConfig:
    """Train and validate on English rows only; test on the full multilingual test split."""
    folder = runs_dir / "english-only-data"
    files = {split: write_examples(folder / f"{split}.jsonl",
                                   [ex for ex in data.splits[split] if split == "test" or ex.lang == "en"])
             for split in SPLITS}
    return dataclasses.replace(config, train_file=str(files["train"]), validation_file=str(files["validation"]),
                               test_file=str(files["test"]))


def train_all(config: TrainingConfig, data: Data, runs_dir: Path, seeds: Sequence[int],
              reuse: Sequence[Path] = ()) -> tuple[list[Run], Run, dict[str, dict[str, list]]]:
    """One model per seed (each --reuse folder standing in for its own seed, or for a seed of the list), the
    English-only model, and each --reuse folder's differences from this config (folders that differ only)."""
    runs, differs = [], {}
    for folder in reuse:
        reused, folder_differs = reused_run(folder, config, data)
        runs.append(reused)
        if folder_differs:
            differs[str(folder)] = folder_differs
    taken = {run.seed for run in runs}
    seeds = [s for s in seeds if s not in taken][: max(len(seeds) - len(runs), 0)]
    runs += [ensure_trained(dataclasses.replace(config, seed=s), f"seed-{s}", runs_dir) for s in seeds]
    english = ensure_trained(dataclasses.replace(english_only_config(config, data, runs_dir), seed=runs[0].seed),
                             "english-only", runs_dir)
    return runs, english, differs


def training_cost(runs: list[Run]) -> list[dict[str, Any]]:
    """What each model cost to train, as its trainer recorded it (and the benchmark measured, for peak memory)."""
    rows = []
    for run in runs:
        m = run.metrics()
        rows.append({"run": run.name, "seed": run.seed, "trained_by": run.trained_by, "device": m.get("device"),
                     "epochs_run": m.get("epochs_run"), "train_seconds": m.get("train_seconds"),
                     "peak_rss_mb": run.peak_rss_mb, "train_rows": m.get("counts", {}).get("train")})
    return rows


def machine() -> dict[str, Any]:
    """The hardware and software the numbers were measured on."""
    import torch

    return {**cpu(), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
            "torch_threads": torch.get_num_threads(), "python": platform.python_version(),
            "torch": torch.__version__, "platform": platform.platform()}
