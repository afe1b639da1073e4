"""benchmarks.accuracy: a whole quick run and its rerun, which models are trained or reused, and the page."""
import dataclasses
import json
import re
import shutil
from pathlib import Path

import pytest
import torch

from benchmarks import RESULTS_DIR
from benchmarks.accuracy import data as accuracy_data
from benchmarks.accuracy import page, runs
from benchmarks.accuracy.__main__ import _recorded, main
from benchmarks.accuracy.data import Data
from benchmarks.accuracy.figures import FIGURES
from benchmarks.real_data import RealSet
from benchmarks.report import read_json
from benchmarks.speed import ROUTES
from eventclf.config import TrainingConfig
from eventclf.data import Example, load_splits
from eventclf.labels import load_label_set

from conftest import make_rows


@dataclasses.dataclass
class QuickRuns:
    out: Path
    argv: list[str]
    first: dict
    first_page: str
    first_json: dict
    second: dict
    second_page: str


@pytest.fixture(scope="module")
def quick(tiny_base, tmp_path_factory):
    """The quick benchmark run twice with the same command, into the same --out, on a tiny base model and a synthetic
    stand-in for the real sets (so the run does not depend on ../shared being present)."""
    tmp = tmp_path_factory.mktemp("accuracy")
    fake = [Example(r["text"], tuple(r["labels"]), "en") for r in make_rows(40, 7)]
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a tiny model gains nothing from threads; on a busy machine their hand-offs cost more
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(accuracy_data, "available_sets", lambda: [RealSet("Synthetic", fake, ("bombing", "offensive"), 3)])
        mp.setattr(page, "SPEED_JSON", tmp / "speed.json")
        mp.setattr(page, "REAL_TEXT_JSON", tmp / "real_text.json")
        out = tmp / "out"
        argv = ["--quick", "--base-model", str(tiny_base), "--out", str(out)]
        first = main(argv)
        first_page, first_json = (out / "results.md").read_text(), json.loads((out / "accuracy.json").read_text())
        second = main(argv)
        yield QuickRuns(out, argv, first, first_page, first_json, second, (out / "results.md").read_text())
    torch.set_num_threads(threads)


def test_quick_run_writes_the_page_its_figures_and_the_json(quick):
    results = quick.first
    assert set(results["systems"]) == {"fine_tuned", "tfidf", "frozen", "zero_shot"}
    assert results["seeds"] == [42] and results["data"]["splits"] == {"train": 60, "validation": 30, "test": 40}
    assert set(results["english_only"]["test"]["per_language"]) == set(results["data"]["test_languages"])
    assert [c["trained_by"] for c in results["training_cost"]] == [runs.THIS_RUN, runs.THIS_RUN]
    assert quick.first_json["systems"]["tfidf"]["real"]["Synthetic"]["n"] == 40
    f1 = quick.first_json["systems"]["fine_tuned"]["test"]["macro_f1"]  # the seeds' spread, as {"mean", "std"}
    assert set(f1) == {"mean", "std"} and f1["std"] == 0.0
    assert sorted(p.name for p in (quick.out / "figures").iterdir()) == sorted(FIGURES)
    for heading in ("## Summary", "## Bundled test split", "## Real English data", "## Cross-lingual transfer",
                    "## Errors", "## Calibration", "## Training cost", "## Speed", "Quick smoke run"):
        assert heading in quick.first_page
    assert "speed benchmark has not been run" in quick.first_page
    assert "real-text benchmark has not been run" in quick.first_page
    assert f"\n- Command: `python -m benchmarks.accuracy {' '.join(quick.argv)}`\n" in quick.first_page
    assert quick.first_json["benchmark_seconds"] >= 0  # the duration is kept, in the JSON only


def test_the_bundled_corpus_is_recorded_so_that_any_checkout_renders_the_page_alike(tmp_path):
    assert _recorded(TrainingConfig())["data_dir"] == "eventclf/data/corpus"
    assert _recorded(TrainingConfig(data_dir=str(tmp_path)))["data_dir"] == str(tmp_path)
    setup = "\n".join(page.section_setup(read_json(RESULTS_DIR / "accuracy.json")))
    assert "- Data: the bundled corpus (`eventclf/data/corpus`)" in setup


def without_date(text: str) -> str:
    text, dates = re.subn(r"^- Date: .*$", "- Date:", text, flags=re.M)
    assert dates == 1
    return text


def test_a_rerun_reuses_the_models_and_writes_the_same_page(quick):
    assert [c["trained_by"] for c in quick.second["training_cost"]] == [runs.EARLIER_RUN, runs.EARLIER_RUN]
    assert without_date(quick.second_page) == without_date(quick.first_page)
    assert quick.second["systems"] == quick.first["systems"]


def test_a_reused_folder_counts_as_its_seed(quick):
    again = main([*quick.argv, "--reuse", str(quick.out / "runs" / "seed-42")])
    assert [c["trained_by"] for c in again["training_cost"]] == [runs.REUSED, runs.EARLIER_RUN]
    assert again["reuse_config_differences"] == {}
    assert again["systems"]["fine_tuned"] == quick.first["systems"]["fine_tuned"]
    assert "| seed-42 | 42 | 60 | cpu | 1.0 |" in (quick.out / "results.md").read_text()


def test_refresh_speed_fills_the_speed_section_from_its_json(quick):
    routes = {name: {"paragraphs_per_s": 12.0 + i, "f1_change_vs_fp32": 0.0, "peak_rss_mb": 1000.0, "disk_mb": 150.0,
                     "speedup_vs_baseline": 1.0 + i, "cpu_share": 0.99, "load_s": 4.0, "warmup_s": 1.0, "threads": 2,
                     "macro_f1": 0.9, "same_labels_as_fp32": 1.0, "latency_ms_p50": 15.0, "latency_ms_p95": 40.0,
                     "tokenize_s": 0.1, "seconds": 10.0}
              for i, name in enumerate(ROUTES)}
    meta = {"date": "2026-11-25 16:00 UTC", "command": "python -m benchmarks.speed --n 1000", "n": 1000,
            "cpu": "AMD EPYC", "cores": 2, "cpu_flags": ["avx2"], "load_average_1min": 0.1, "n_scored": 40, "decision": "- Kept: eventclf-int8",
            "exports": {"eventclf-int8": {"seconds": 18.0, "peak_rss_mb": 3000.0}}, "vocabulary": {}}
    page.SPEED_JSON.write_text(json.dumps({"meta": meta, "routes": routes}))
    main(["--refresh-speed", "--out", str(quick.out)])
    text = (quick.out / "results.md").read_text()
    assert "Measured 2026-11-25 16:00 UTC with `python -m benchmarks.speed --n 1000`" in text
    assert "on AMD EPYC, 2 cores, flags avx2;" in text
    assert "| eventclf-int8 | 17.0 | 6.00 | 0.900 |" in text and "- Kept: eventclf-int8" in text
    assert "| eventclf-int8 | 18 | 3000 |" in text  # its one-time export
    assert "## Calibration" in text and "speed benchmark has not been run" not in text


def test_fingerprint_follows_what_the_model_learns_from(corpus_dir, tmp_path):
    config = TrainingConfig(data_dir=str(corpus_dir))
    same = runs.fingerprint(config)
    # where and how a run is written does not force a retrain
    assert runs.fingerprint(dataclasses.replace(config, logging_steps=1, output_dir=str(tmp_path),
                                                keep_checkpoints=True, resume=False)) == same
    assert runs.fingerprint(dataclasses.replace(config, learning_rate=1e-4)) != same
    assert runs.fingerprint(dataclasses.replace(config, seed=7)) != same
    with open(corpus_dir / "validation.jsonl", "a", encoding="utf-8") as f:  # the data changed, not the config
        f.write('{"text": "one more row", "labels": []}\n')
    assert runs.fingerprint(config) != same


def test_a_reused_folder_reports_only_learning_differences(corpus_dir, tmp_path):
    ours = TrainingConfig(data_dir=str(corpus_dir))
    names = load_label_set().names
    splits = load_splits(ours, names)
    folder = tmp_path / "theirs"
    folder.mkdir()
    dataclasses.replace(ours, seed=43, logging_steps=1, output_dir="elsewhere",
                        learning_rate=1e-4).to_yaml(folder / "training_config.yaml")
    counts = {split: len(rows) for split, rows in splits.items()}
    (folder / "metrics.json").write_text(json.dumps({"counts": {**counts, "train": counts["train"] + 5}}))

    run, differs = runs.reused_run(folder, ours, Data(load_label_set(), splits, []))
    assert run.seed == 43 and run.trained_by == runs.REUSED
    assert differs == {"learning_rate": [1e-4, ours.learning_rate],
                       "counts": [{**counts, "train": counts["train"] + 5}, counts]}


@pytest.fixture
def trained(monkeypatch) -> list[str]:
    """The names `train_all` asks to train, in order, with training and the English-only data faked."""
    names = []

    def ensure_trained(config, name, runs_dir):
        names.append(name)
        return runs.Run(name, runs_dir / name, config.seed, runs.THIS_RUN)

    monkeypatch.setattr(runs, "ensure_trained", ensure_trained)
    monkeypatch.setattr(runs, "english_only_config", lambda config, data, runs_dir: config)
    return names


def test_reuse_stands_in_for_its_own_seed_and_the_others_are_trained(trained, monkeypatch, tmp_path):
    monkeypatch.setattr(runs, "reused_run",
                        lambda folder, config, data: (runs.Run("mine", folder, 43, runs.REUSED), {}))
    seeds, english, _ = runs.train_all(TrainingConfig(), None, tmp_path, [42, 43, 44], reuse=[tmp_path / "mine"])
    assert [r.seed for r in seeds] == [43, 42, 44] and trained == ["seed-42", "seed-44", "english-only"]
    assert english.seed == 43  # the English-only model is compared with the first seed, the reused one


def test_several_reused_folders_leave_only_the_missing_seeds_to_train(trained, monkeypatch, tmp_path):
    monkeypatch.setattr(runs, "reused_run", lambda folder, config, data: (
        runs.Run(folder.name, folder, int(folder.name), runs.REUSED), {"epochs": [2, 3]} if folder.name == "44" else {}))
    seeds, _, differs = runs.train_all(TrainingConfig(), None, tmp_path, [42, 43, 44],
                                       reuse=[tmp_path / "44", tmp_path / "42"])
    assert [r.seed for r in seeds] == [44, 42, 43] and trained == ["seed-43", "english-only"]
    assert differs == {str(tmp_path / "44"): {"epochs": [2, 3]}}  # only the folder that differs is reported


def test_a_reused_folder_trained_on_a_copy_of_the_data_reports_no_difference(corpus_dir, tmp_path):
    ours = TrainingConfig(data_dir=str(corpus_dir))
    names = load_label_set().names
    splits = load_splits(ours, names)
    copy = tmp_path / "copy"
    shutil.copytree(corpus_dir, copy)
    folder = tmp_path / "theirs"
    folder.mkdir()
    dataclasses.replace(ours, data_dir=str(copy)).to_yaml(folder / "training_config.yaml")
    (folder / "metrics.json").write_text(json.dumps({"counts": {split: len(rows) for split, rows in splits.items()}}))
    data = Data(load_label_set(), splits, [])

    assert runs.reused_run(folder, ours, data)[1] == {}
    with open(copy / "train.jsonl", "a", encoding="utf-8") as f:  # the copy drifts: now the path is a difference
        f.write('{"text": "one more row", "labels": []}\n')
    assert runs.reused_run(folder, ours, data)[1] == {"data_dir": [str(copy), str(corpus_dir)]}
