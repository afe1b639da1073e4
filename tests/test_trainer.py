import json
import os

import pytest

from eventclf.data import DataError
from eventclf.inference import SETTINGS_NAME
from eventclf.trainer import train

from conftest import write_jsonl


def test_trained_model_beats_chance_on_held_out_test(trained_model):
    metrics = json.loads((trained_model / "metrics.json").read_text())
    assert metrics["test"]["macro_f1"] > 0.6
    assert metrics["counts"] == {"train": 240, "validation": 60, "test": 60}


def test_same_seed_same_model(tiny_config, tmp_path):
    first = json.loads((train(tiny_config, log=lambda _: None) / "metrics.json").read_text())
    tiny_config.output_dir = str(tmp_path / "again")
    second = json.loads((train(tiny_config, log=lambda _: None) / "metrics.json").read_text())
    assert first["test"] == second["test"] and first["thresholds"] == second["thresholds"]


def test_interrupted_run_resumes_from_its_checkpoint(tiny_config, tmp_path):
    tiny_config.epochs, tiny_config.keep_checkpoints = 2, True
    train(tiny_config, log=lambda _: None)
    checkpoints = tmp_path / "run-checkpoints"
    assert any(p.name.startswith("checkpoint-") for p in checkpoints.iterdir())
    tiny_config.epochs, tiny_config.keep_checkpoints = 4, False
    said = []
    folder = train(tiny_config, log=said.append)
    assert any(line.startswith("resuming from") for line in said)
    assert json.loads((folder / "metrics.json").read_text())["epochs_run"] == 4
    assert not checkpoints.exists()


def test_failed_write_leaves_the_previous_model_whole(tiny_config, monkeypatch):
    folder = train(tiny_config, log=lambda _: None)
    before = (folder / SETTINGS_NAME).read_text()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("eventclf.trainer.write_model_card", broken)
    with pytest.raises(OSError, match="disk full"):
        train(tiny_config, log=lambda _: None)
    assert (folder / SETTINGS_NAME).read_text() == before
    assert [p.name for p in folder.parent.iterdir() if ".partial-" in p.name] == []


def test_bad_training_data_stops_before_any_training(tiny_config, corpus_dir):
    write_jsonl(corpus_dir / "validation.jsonl", [{"text": "x", "labels": ["bombing", "raid"]}])
    with pytest.raises(DataError, match="validation.jsonl, line 1, field `labels`"):
        train(tiny_config, log=lambda _: None)
    assert not os.path.exists(tiny_config.output_dir)
