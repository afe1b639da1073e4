"""Real-text benchmark: how trained models hold up on text nobody here wrote, against TF-IDF + logistic regression.

    python -m benchmarks.real_text runs/default runs/seed-43 runs/seed-44   # each folder counts as one seed

Scores, as mean ± std over the model folders given:
- the real ACLED coder notes and SATP reports of `benchmarks/real_data.py`, with what was predicted for each of
  their source categories (a protest, an armed clash, an armed assault...);
- the bundled test split per register and per language, and its feed-like `stream` split (80% no event), with
  precision per type;
- each threshold rule's stream scores, as the training recorded them in its metrics.json, and its test scores;
- the splits of our own writing in `OWN_SPLITS`, never trained on and written apart from the corpus, per register
  and language (who wrote each and from which brief: `_OWN_SPLIT_ABOUT` and benchmarks/data/README.md).
Each folder's headline score on every set is kept too (`per_seed`), so a decision rule that compares seeds can be
read from the JSON.
A TF-IDF + logistic regression baseline trained and tuned on the same corpus is scored on the same sets.
Writes benchmarks/results/real_text.json and the "Real text" section of docs/results.md. Real sentences are never
printed or written, only counts and scores.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import shlex
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from benchmarks import CACHE_DIR, DATA_DIR, RESULTS_DIR, RESULTS_PAGE, ROOT
from benchmarks.baselines import model_predictor, tfidf_baseline
from benchmarks.real_data import RealSet, available_sets, score_set
from benchmarks.report import aggregate, fmt, read_json, replace_between, table, write_json, write_text
from eventclf.config import DEFAULT_CONFIG, TrainingConfig
from eventclf.data import FEED_NO_EVENT_SHARE, LONG_WORDS, Example, load_splits, load_stream, read_examples
from eventclf.inference import read_settings
from eventclf.labels import load_label_set
from eventclf.metrics import apply_thresholds, binarize, evaluate, scores

COMMAND = "python -m benchmarks.real_text"
JSON_PATH = RESULTS_DIR / "real_text.json"
# the marker text is also in docs/results.md: `replace_between` finds the section by it, so change both together
BEGIN = (f"<!-- real-text:begin (filled from benchmarks/results/real_text.json by `{COMMAND}`; "
         "edits inside are overwritten) -->")
END = "<!-- real-text:end -->"
# our own splits written apart from the corpus and never trained on, each in DATA_DIR/<name>.jsonl:
# heading, what they are. Splits unguided to M hold training rows of the corpus since v2.10, so are not here.
_OWN_SPLIT_ABOUT = {
    "incidents": ("Incident split", "coder notes, incident reports and dispatches; the writers knew the codebook"),
    "unguided_n": ("Unguided split N",
                   "coder notes, headlines, wire copy and situation reports, from a brief of their own"),
    "unguided_p": ("Unguided split P",
                   "live-blog entries, local-outlet reports, translated statements and channel posts, from a brief "
                   "of their own"),
    "unguided_q": ("Unguided split Q",
                   "radio and TV bulletins, press releases, human-rights report paragraphs and press reviews, from a "
                   "brief of their own")}
OWN_SPLITS = {name: (DATA_DIR / f"{name}.jsonl", *about) for name, about in _OWN_SPLIT_ABOUT.items()}
OWN_SETS = ("test", "stream", *OWN_SPLITS)
GROUPS = {"per_register": lambda ex: ex.meta.get("register", "v1"),
          "per_length": lambda ex: f"{LONG_WORDS}+ words" if len(ex.text.split()) >= LONG_WORDS else "shorter"}


def corpus(config: TrainingConfig) -> tuple[list[str], dict[str, list[Example]]]:
    labels = list(load_label_set(config.label_file or None).names)
    return labels, {**load_splits(config, labels), "stream": load_stream(config, labels),
                    **{name: read_examples(path, labels) for name, (path, _, _) in OWN_SPLITS.items()}}


def by_group(examples: Sequence[Example], key) -> dict[str, np.ndarray]:
    groups: dict[str, list[int]] = defaultdict(list)
    for i, ex in enumerate(examples):
        groups[key(ex)].append(i)
    return {name: np.array(rows) for name, rows in sorted(groups.items())}


def category_rates(real: RealSet, pred: np.ndarray, labels: list[str]) -> dict[str, dict[str, Any]]:
    """For each source category: its size and the share of its rows given each scored type."""
    cols = [labels.index(t) for t in real.scored_types]
    return {cat: {"n": len(rows), **{t: float(pred[rows, c].mean()) for t, c in zip(real.scored_types, cols)}}
            for cat, rows in by_group(real.examples, lambda ex: ex.meta.get("category", "?")).items()}


def score_system(probs: dict[str, np.ndarray], thresholds: dict[str, float], labels: list[str],
                 splits: dict[str, list[Example]], real: list[RealSet]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for r in real:
        pred = apply_thresholds(probs[r.name], thresholds, labels)
        result[r.name] = {**score_set(r, probs[r.name], thresholds, labels),
                          "categories": category_rates(r, pred, labels)}
    for name in OWN_SETS:
        examples = splits[name]
        y = binarize([ex.labels for ex in examples], labels)
        result[name] = evaluate(y, probs[name], thresholds, labels, [ex.lang for ex in examples])
        pred = apply_thresholds(probs[name], thresholds, labels)
        for group, key in GROUPS.items():
            result[name][group] = {
                g: {k: v for k, v in scores(y[rows], pred[rows], labels).items() if k != "per_type"}
                for g, rows in by_group(examples, key).items()}
    return result


def texts_of(splits: dict[str, list[Example]], real: list[RealSet]) -> dict[str, list[str]]:
    return {**{r.name: [ex.text for ex in r.examples] for r in real},
            **{name: [ex.text for ex in splits[name]] for name in OWN_SETS}}


def rule_scores(folder: Path, probs: dict[str, np.ndarray], splits: dict[str, list[Example]],
                labels: list[str]) -> dict[str, Any]:
    """Each threshold rule the training recorded, its thresholds scored on every split of our own: the stream is
    mostly no event and the others are not, so the rules pull apart."""
    metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    truth = {name: binarize([ex.labels for ex in splits[name]], labels) for name in OWN_SETS}
    result = {}
    for rule, v in metrics.get("threshold_rules", {}).items():
        on = {name: scores(y, apply_thresholds(probs[name], v["thresholds"], labels), labels)
              for name, y in truth.items()}
        result[rule] = {"thresholds": v["thresholds"],
                        **{name: {k: on[name][k] for k in ("macro_f1", "micro_f1")} for name in OWN_SETS}}
    return result


def run(folders: Sequence[str], config: TrainingConfig, cache_dir: Path = CACHE_DIR) -> dict[str, Any]:
    labels, splits = corpus(config)
    real = available_sets()
    texts = texts_of(splits, real)
    seeds, rules = [], []
    for folder in folders:
        print(f"scoring {folder}")
        predict = model_predictor(Path(folder), cache_dir)
        probs = {name: predict(t) for name, t in texts.items()}
        seeds.append(score_system(probs, read_settings(Path(folder))["thresholds"], labels, splits, real))
        rules.append(rule_scores(Path(folder), probs, splits, labels))
    tfidf = tfidf_baseline([ex.text for ex in splits["train"]], binarize([ex.labels for ex in splits["train"]], labels),
                           [ex.text for ex in splits["validation"]],
                           binarize([ex.labels for ex in splits["validation"]], labels), labels)
    baseline = score_system({name: tfidf.predict(t) for name, t in texts.items()}, tfidf.thresholds, labels, splits,
                            real)
    return {"date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "models": list(folders),
            "labels": labels, "counts": {name: len(t) for name, t in texts.items()},
            "per_seed": {folder: {name: s[name]["macro_f1"] for name in texts} for folder, s in zip(folders, seeds)},
            "model": aggregate(seeds), "tfidf": baseline, "threshold_rules": aggregate(rules) if rules[0] else {}}


def _summary(r: dict[str, Any]) -> list[str]:
    m, b = r["model"], r["tfidf"]
    rows = [[name, *(s.get(k, {}).get("macro_f1") for k in ("ACLED", "SATP", "test", "stream", *OWN_SPLITS)),
             s["stream"]["micro_f1"]] for name, s in (("Fine-tuned model", m), ("TF-IDF + logistic regression", b))]
    return table(["system", "ACLED macro-F1", "SATP bombing F1", "test macro-F1", "stream macro-F1",
                  *(f"{k} macro-F1" for k in OWN_SPLITS), "stream micro-F1"], rows)


def _stream_types(r: dict[str, Any]) -> list[str]:
    rows = []
    for name in r["labels"]:
        m, b = r["model"]["stream"]["per_type"][name], r["tfidf"]["stream"]["per_type"][name]
        rows.append([name, m["support"], m["precision"], m["recall"], b["precision"], b["recall"]])
    return table(["type", "stream positives", "model precision", "model recall", "TF-IDF precision",
                  "TF-IDF recall"], rows)


def _rules(r: dict[str, Any]) -> list[str]:
    rows = [[rule, *(v[name]["macro_f1"] for name in OWN_SETS), v["stream"]["micro_f1"],
             ", ".join(f"{k} {fmt(t)}" for k, t in v["thresholds"].items())]
            for rule, v in r["threshold_rules"].items()]
    return table(["threshold rule", *(f"{name} macro-F1" for name in OWN_SETS), "stream micro-F1", "thresholds"],
                 rows) if rows else []


def _groups(r: dict[str, Any], split: str, key: str) -> list[str]:
    m, b = r["model"][split].get(key, {}), r["tfidf"][split].get(key, {})
    return table([key.replace("per_", ""), "n", "model macro-F1", "TF-IDF macro-F1"],
                 [[g, m[g]["n"], m[g]["macro_f1"], b[g]["macro_f1"]] for g in m])


def _categories(r: dict[str, Any], name: str) -> list[str]:
    m, b = r["model"][name]["categories"], r["tfidf"][name]["categories"]
    types = [t for t in r["labels"] if t in next(iter(m.values()))]
    header = ["source category", "n", *(f"model: {t}" for t in types), *(f"TF-IDF: {t}" for t in types)]
    rows = [[c, m[c]["n"], *(m[c][t] for t in types), *(b[c][t] for t in types)]
            for c in sorted(m, key=lambda c: -m[c]["n"])]
    return table(header, rows)


def markdown(r: dict[str, Any]) -> str:
    lines = [f"Measured {r['date']} with `{r.get('command', COMMAND)}`: "
             f"{len(r['models'])} model(s) ({', '.join(r['models'])}), mean ± std over them; TF-IDF + logistic "
             f"regression trained and tuned on the same corpus. Rows: "
             + ", ".join(f"{k} {v}" for k, v in r["counts"].items()) + ".", "", *_summary(r), "",
             "ACLED is scored over bombing, takeover and offensive (takeover has no row in this subset, so it only "
             "counts against false alarms), SATP over bombing alone (benchmarks/real_data.py gives the mapping).",
             "", f"### Stream split (feed-like: {FEED_NO_EVENT_SHARE:.0%} no event, fatwa at most 1%): precision and "
             "recall per type", "",
             *_stream_types(r), "", "### Threshold rules scored on each split of our own", "",
             "`validation`: thresholds tuned on the validation split as it is; `feed`: tuned with validation's "
             f"no-event rows weighted to make {FEED_NO_EVENT_SHARE:.0%} of it. The config's "
             "`threshold_no_event_share` picks the rule. The test split has validation's label mix, "
             "the stream a feed's, the other splits 40-60% no event; docs/training_choices.md (Rule R) weighs them "
             "at a feed's mix too. `eventclf tune-thresholds --no-event-share` re-tunes a model for another mix.", "",
             *_rules(r), "", "### Bundled test split by register", "", *_groups(r, "test", "per_register"), "",
             "### Bundled test split by length", "", *_groups(r, "test", "per_length"), "",
             "### Bundled test split by language", "", *_groups(r, "test", "per_language"), "",
             "### Stream split by language", "", *_groups(r, "stream", "per_language")]
    for name, (_, title, about) in OWN_SPLITS.items():
        if name in r["model"]:
            lines += ["", f"### {title} by register", "", f"Our own writing, never trained on: {about}.", "",
                      *_groups(r, name, "per_register"), "", f"### {title} by language", "",
                      *_groups(r, name, "per_language")]
    for name in ("ACLED", "SATP"):
        if name in r["model"]:
            lines += ["", f"### {name}: share of each source category given each type", "", *_categories(r, name)]
    return "\n".join(lines)


def section(json_path: Path = JSON_PATH) -> str:
    if not json_path.is_file():
        return f"The real-text benchmark has not been run yet (`{COMMAND} MODEL...`)."
    return markdown(read_json(json_path))


def with_section(page: str, json_path: Path = JSON_PATH) -> str:
    return replace_between(page, BEGIN, END, section(json_path)) if BEGIN in page else page


def main(argv: Sequence[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+", help="trained model folders, one per seed")
    parser.add_argument("--config", default=str(ROOT / DEFAULT_CONFIG), help="the corpus to score on")
    parser.add_argument("--json", default=str(JSON_PATH))
    parser.add_argument("--page", default=str(RESULTS_PAGE))
    parser.add_argument("--cache", default=str(CACHE_DIR), help="model probabilities, shared with benchmarks.accuracy")
    args = parser.parse_args(argv)
    result = run(args.models, TrainingConfig.from_yaml(args.config), Path(args.cache))
    result["command"] = shlex.join([*COMMAND.split(), *argv])
    write_json(Path(args.json), result)
    page = Path(args.page)
    if page.is_file():
        write_text(page, with_section(page.read_text(encoding="utf-8"), Path(args.json)))
    print(markdown(result))


if __name__ == "__main__":
    main()
