"""Real labelled text nobody here wrote (ACLED notes, SATP reports), mapped onto our event types.

The files live outside the project in `../shared/data/real/` (set EVENTCLF_REAL_DATA to move it); they are read at
benchmark time only, never copied. Mapping (see that folder's README):

ACLED `sub_event_type`
- bombing: Air/drone strike, Remote explosive/landmine/IED, Suicide bomb
- takeover: Non-state actor overtakes territory, Government regains territory, Non-violent transfer of territory
- offensive: Armed clash
- no event: protests, riots, mob violence, arrests, looting, Disrupted weapons use (a bomb defused or a missile
  intercepted is not a bombing under our codebook), Change to group/activity, Other
- left out of the score as ambiguous: Shelling/artillery/missile attack (our codebook calls it bombing only when a
  place is said to be hit; ACLED does not tell), Attack (a one-sided attack may or may not involve explosives),
  Grenade (thrown, may not explode), Abduction/forced disappearance and Agreement (a release is possible but
  not stated)
SATP (train+dev+test, 1,550 reports): the Bombing column is `bombing`; the other columns (armed assault,
  kidnapping, other) have no counterpart, so only `bombing` is scored there.

Usage: `python -m benchmarks.real_data --model runs/default` prints per-type tables for both sets.
"""
from __future__ import annotations

import argparse
import csv
import os
from dataclasses import dataclass
from pathlib import Path

from benchmarks import ROOT
from eventclf.config import TrainingConfig
from eventclf.data import Example

REAL_DIR = Path(os.environ.get("EVENTCLF_REAL_DATA", ROOT.parent / "shared" / "data" / "real"))

ACLED_MAP: dict[str, tuple[str, ...] | None] = {
    "Air/drone strike": ("bombing",), "Remote explosive/landmine/IED": ("bombing",), "Suicide bomb": ("bombing",),
    "Non-state actor overtakes territory": ("takeover",), "Government regains territory": ("takeover",),
    "Non-violent transfer of territory": ("takeover",),
    "Armed clash": ("offensive",),
    "Peaceful protest": (), "Protest with intervention": (), "Excessive force against protesters": (),
    "Violent demonstration": (), "Mob violence": (), "Arrests": (), "Looting/property destruction": (),
    "Disrupted weapons use": (), "Change to group/activity": (), "Other": (),
    "Shelling/artillery/missile attack": None, "Attack": None, "Grenade": None,
    "Abduction/forced disappearance": None, "Agreement": None,
}


SATP_COLUMNS = ("armed assault", "bombing", "kidnapping", "other")


@dataclass
class RealSet:
    name: str
    examples: list[Example]
    scored_types: tuple[str, ...]  # types this set can say anything about
    left_out: int


def load_acled(path: Path | None = None) -> RealSet:
    path = path or REAL_DIR / "acled" / "acled_2023_subset.csv"
    examples, left_out = [], 0
    with open(path, encoding="utf-8-sig", newline="") as f:
        for line, row in enumerate(csv.DictReader(f), start=2):
            labels = ACLED_MAP.get(row["sub_event_type"])
            if labels is None:  # ambiguous or unknown: kept out of the score rather than forced
                left_out += 1
                continue
            examples.append(Example(row["notes"], labels, "en", row["event_id_cnty"], f"{path}, line {line}",
                                    {"category": row["sub_event_type"]}))
    return RealSet("ACLED", examples, ("bombing", "takeover", "offensive"), left_out)


def load_satp(folder: Path | None = None) -> RealSet:
    folder = folder or REAL_DIR / "satp"
    examples = []
    for split in ("train", "dev", "test"):
        with open(folder / f"{split}.tsv", encoding="utf-8") as f:
            for line, raw in enumerate(f, start=1):
                text, *flags = raw.rstrip("\n").split("\t")
                category = "+".join(n for n, f in zip(SATP_COLUMNS, flags) if f == "1") or "none"
                examples.append(Example(text, ("bombing",) if flags[1] == "1" else (), "en", f"{split}-{line}",
                                        f"{folder / split}.tsv, line {line}", {"category": category}))
    return RealSet("SATP", examples, ("bombing",), 0)


def available_sets() -> list[RealSet]:
    """Every real set that is present; a missing one is skipped with a message, not an error."""
    sets = []
    for loader, what in ((load_acled, "acled/acled_2023_subset.csv"), (load_satp, "satp/")):
        try:
            sets.append(loader())
        except FileNotFoundError:
            print(f"skipping real data {what}: not found under {REAL_DIR} (set EVENTCLF_REAL_DATA)")
    return sets


def score_set(real: RealSet, probs, thresholds, labels) -> dict:
    """Scores restricted to the types the set can judge; the others are not counted either way."""
    import numpy as np

    from eventclf.metrics import apply_thresholds, binarize, scores

    cols = [labels.index(t) for t in real.scored_types]
    y = binarize([ex.labels for ex in real.examples], labels)[:, cols]
    pred = apply_thresholds(np.asarray(probs), thresholds, labels)[:, cols]
    return scores(y, pred, real.scored_types)


def main() -> None:
    from eventclf import EventClassifier
    from eventclf.metrics import format_table

    parser = argparse.ArgumentParser(prog="python -m benchmarks.real_data",
                                     description="Score a trained model on the real ACLED and SATP text.")
    parser.add_argument("--model", default=TrainingConfig().output_dir, help="trained model folder")
    args = parser.parse_args()
    clf = EventClassifier.from_pretrained(args.model)
    for real in available_sets():
        probs = clf.predict_proba([ex.text for ex in real.examples])
        print(f"\n{real.name}: {len(real.examples)} rows scored ({real.left_out} ambiguous left out); "
              f"types scored: {', '.join(real.scored_types)}")
        print(format_table(score_set(real, probs, clf.thresholds, list(clf.labels))))


if __name__ == "__main__":
    main()
