"""What the accuracy benchmark scores: the config's splits and the real sets, or small samples of them for --quick."""
from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from benchmarks.real_data import RealSet, available_sets
from eventclf.config import TrainingConfig
from eventclf.data import SPLITS, Example, load_splits, write_examples
from eventclf.labels import LabelSet, load_label_set
from eventclf.metrics import binarize

QUICK_ROWS = {"train": 60, "validation": 30, "test": 40, "real": 40}


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

    def summary(self) -> dict[str, Any]:
        """Sizes and languages, as the results record them."""
        langs = self.langs()
        return {"splits": {s: len(v) for s, v in self.splits.items()},
                "train_languages": sorted({ex.lang for ex in self.splits["train"]}),
                "test_languages": {lang: langs.count(lang) for lang in sorted(set(langs))},
                "real": {r.name: {"n": len(r.examples), "left_out": r.left_out, "scored_types": list(r.scored_types)}
                         for r in self.real}}


def sample(items: Sequence[Any], n: int) -> list[Any]:
    """n items drawn with a fixed seed, so a rerun of --quick trains on the same rows and can reuse its models."""
    return random.Random(0).sample(list(items), min(n, len(items)))


def load_data(config: TrainingConfig, quick: bool, quick_folder: Path) -> tuple[TrainingConfig, Data]:
    """The config's splits and the real sets; for --quick, small samples of both, written to `quick_folder`, and a
    config that trains on them."""
    label_set = load_label_set(config.label_file or None)
    splits = load_splits(config, label_set.names)
    real = available_sets()
    if quick:
        for split in SPLITS:
            write_examples(quick_folder / f"{split}.jsonl", sample(splits[split], QUICK_ROWS[split]))
        config = dataclasses.replace(config, data_dir=str(quick_folder), train_file="", validation_file="",
                                     test_file="")
        splits = load_splits(config, label_set.names)
        real = [dataclasses.replace(r, examples=sample(r.examples, QUICK_ROWS["real"])) for r in real]
    return config, Data(label_set, splits, real)
