import json
import os
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import torch

from eventclf import EventClassifier
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


def test_every_window_of_a_long_paragraph_is_a_training_instance(tiny_config, tiny_base):
    from transformers import AutoTokenizer

    from eventclf.data import Example
    from eventclf.trainer import _collator, _dataset

    tok = AutoTokenizer.from_pretrained(tiny_base)
    long = " ".join(["town"] * 60 + ["blast"])
    rows = _dataset([Example(long, ("bombing",)), Example("road", ())], tok, tiny_config, ("bombing",))
    assert len(rows[0]["windows"]) > 1 and len(rows[1]["windows"]) == 1
    assert tok.convert_tokens_to_ids("blast") in rows[0]["windows"][-1]
    batch = _collator(tok)([rows[0], rows[1]])
    assert batch["owners"].tolist() == [0] * len(rows[0]["windows"]) + [1]
    assert batch["labels"].tolist() == [[1.0], [0.0]]


def test_stream_split_and_augmented_rows_are_used_and_reported(tiny_config, corpus_dir):
    from eventclf.data import feed_sample, read_examples

    test_rows = read_examples(corpus_dir / "test.jsonl", ("bombing", "takeover", "prisoner_release", "fatwa",
                                                           "offensive"))
    stream = feed_sample(test_rows, 0.5, seed=0)
    write_jsonl(corpus_dir / "stream.jsonl", [{"text": ex.text, "labels": list(ex.labels)} for ex in stream])
    tiny_config.augment_fraction, tiny_config.epochs = 0.5, 2
    said = []
    metrics = json.loads((train(tiny_config, log=said.append) / "metrics.json").read_text())
    assert any(line.startswith("augmented: 120 synthetic") for line in said)
    assert metrics["stream"]["n"] == len(stream)
    assert set(metrics["threshold_rules"]) == {"validation", "feed"}
    assert metrics["counts"]["train"] == 240


def test_optimizer_follows_the_arguments_with_a_faster_head(tiny_base, tmp_path):
    from transformers import TrainingArguments

    from eventclf.modeling import EventModel
    from eventclf.trainer import _EventTrainer

    model = EventModel.from_base(str(tiny_base), ["bombing", "fatwa"], 0.1, None)
    args = TrainingArguments(output_dir=str(tmp_path), optim="sgd", learning_rate=1e-4, use_cpu=True,
                             report_to="none")
    optimizer = _EventTrainer(model=model, args=args, head_learning_rate=1e-2).create_optimizer()
    assert isinstance(optimizer, torch.optim.SGD)
    head = {id(p) for p in model.head.parameters()}
    lrs = {group["lr"] for group in optimizer.param_groups if all(id(p) in head for p in group["params"])}
    assert lrs == {1e-2}
    assert sum(len(g["params"]) for g in optimizer.param_groups) == sum(p.requires_grad for p in model.parameters())


def test_tuning_thresholds_afterwards_equals_training_with_that_share(tiny_config, tmp_path):
    from eventclf.trainer import tune_thresholds_for

    tiny_config.threshold_no_event_share = 0.9
    trained = json.loads((train(tiny_config, log=lambda _: None) / "metrics.json").read_text())
    tiny_config.threshold_no_event_share, tiny_config.output_dir = 0.0, str(tmp_path / "plain")
    folder = tune_thresholds_for(train(tiny_config, log=lambda _: None), 0.9, log=lambda _: None)
    retuned = json.loads((folder / "metrics.json").read_text())
    assert retuned["thresholds"] == trained["thresholds"] and retuned["test"] == trained["test"]
    assert json.loads((folder / SETTINGS_NAME).read_text())["thresholds"] == trained["thresholds"]
    assert "threshold_no_event_share: 0.9" in (folder / "training_config.yaml").read_text()


def test_blending_afterwards_equals_training_with_that_lexical_weight(tiny_config, tmp_path):
    from eventclf.trainer import tune_thresholds_for

    tiny_config.lexical_weight = 0.5
    blended = train(tiny_config, log=lambda _: None)
    tiny_config.lexical_weight, tiny_config.output_dir = 0.0, str(tmp_path / "plain")
    plain = train(tiny_config, log=lambda _: None)
    assert not (plain / "lexical.json").exists()
    folder = tune_thresholds_for(plain, lexical_weight=0.5, log=lambda _: None)
    trained, retuned = (json.loads((f / "metrics.json").read_text()) for f in (blended, folder))
    assert retuned["thresholds"] == trained["thresholds"] and retuned["test"] == trained["test"]
    texts = ["a blast near the town", "the mufti issued a ruling"]
    clf, reference = (EventClassifier.from_pretrained(f, device="cpu") for f in (folder, blended))
    assert clf.lexical.weight == 0.5 and np.allclose(clf.predict_proba(texts), reference.predict_proba(texts))


def test_torchrun_two_cpu_processes_write_one_complete_model(tiny_config, tmp_path):
    """`torchrun --nproc_per_node 2` on CPU (gloo): one model folder, written by rank 0 only, scoring like one
    process with the same effective batch (16 = 2 x 8; the two ranks see the rows in another order)."""
    single = json.loads((train(tiny_config, log=lambda _: None) / "metrics.json").read_text())
    tiny_config.batch_size, tiny_config.output_dir = 8, str(tmp_path / "ddp")
    tiny_config.to_yaml(tmp_path / "ddp.yaml")
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": os.getcwd()}
    done = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port",
                           "29533", "training/train.py", "--config", str(tmp_path / "ddp.yaml")],
                          capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("ddp")) == ["ddp", "ddp.yaml"]
    assert (tmp_path / "ddp" / SETTINGS_NAME).is_file()  # written last: the folder is complete
    metrics = json.loads((tmp_path / "ddp" / "metrics.json").read_text())
    assert metrics["counts"] == single["counts"]
    # at one fixed threshold, so that the comparison is of the two networks, not of thresholds tuned on a tiny split
    assert abs(metrics["test_at_0.5"]["macro_f1"] - single["test_at_0.5"]["macro_f1"]) < 0.1


def test_training_killed_mid_epoch_keeps_the_old_model_and_resumes(tiny_config, trained_model, tmp_path):
    """SIGKILL a training run once it has saved a checkpoint: the model folder is still the old complete one;
    the next run resumes from the checkpoint and swaps in the new complete one."""
    out = tmp_path / "model"
    shutil.copytree(trained_model, out)
    old = (out / "model.safetensors").read_bytes()
    tiny_config.output_dir, tiny_config.epochs, tiny_config.early_stopping_patience = str(out), 12, 100
    tiny_config.to_yaml(tmp_path / "c.yaml")
    command = [sys.executable, "-m", "eventclf.cli", "train", "--config", str(tmp_path / "c.yaml")]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    checkpoints = tmp_path / "model-checkpoints"
    while process.poll() is None and not (checkpoints.is_dir() and any(checkpoints.glob("checkpoint-*/trainer_state.json"))):
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL  # killed mid-run, not finished
    assert (out / "model.safetensors").read_bytes() == old and (out / SETTINGS_NAME).is_file()
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 0 and "resuming from" in done.stdout
    assert (out / "model.safetensors").read_bytes() != old
    assert json.loads((out / "metrics.json").read_text())["epochs_run"] == 12
