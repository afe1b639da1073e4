"""The real-text benchmark: scores per source category, register and language, and the page section it fills."""
import json

import numpy as np

from benchmarks import real_text
from benchmarks.real_data import RealSet
from eventclf.config import BUNDLED_CORPUS, TrainingConfig
from eventclf.data import Example, feed_sample, read_examples
from eventclf.labels import load_label_set

from conftest import make_rows, write_corpus, write_jsonl

LABELS = load_label_set().names
# Each own split in the fixture: (language, or None for make_rows' mix of en and ar; register; rows; seed).
OWN_FIXTURE = {
    "incidents": ("fr", "coder_note", 10, 3),
    "unguided_n": (None, "sitrep", 4, 18),
    "unguided_p": ("ar", "post", 5, 21),
    "unguided_q": ("ru", "bulletin", 4, 23),
}


def test_run_scores_every_set_and_fills_the_page_section(trained_model, tmp_path, monkeypatch):
    corpus = write_corpus(tmp_path)
    rows = read_examples(corpus / "test.jsonl", LABELS)
    write_jsonl(corpus / "stream.jsonl", [{"text": ex.text, "labels": list(ex.labels), "register": "wire"}
                                          for ex in feed_sample(rows, 0.5, seed=0)])
    fake = [Example(r["text"], tuple(r["labels"]), "en", meta={"category": "clash" if i % 2 else "protest"})
            for i, r in enumerate(make_rows(30, 7))]
    monkeypatch.setattr(real_text, "available_sets", lambda: [RealSet("ACLED", fake, ("bombing", "offensive"), 0)])
    own = {name: (tmp_path / f"{name}.jsonl", *about) for name, (_, *about) in real_text.OWN_SPLITS.items()}
    assert set(OWN_FIXTURE) == set(own)  # a new own split needs a fixture line
    for name, (lang, register, n, seed) in OWN_FIXTURE.items():
        write_jsonl(own[name][0], [{**r, **({"lang": lang} if lang else {}), "register": register}
                                   for r in make_rows(n, seed)])
    monkeypatch.setattr(real_text, "OWN_SPLITS", own)
    page = tmp_path / "results.md"
    page.write_text(f"# Results\n\n{real_text.BEGIN}\nSTALE\n{real_text.END}\n\n## After\n")
    config = tmp_path / "config.yaml"
    TrainingConfig(data_dir=str(tmp_path)).to_yaml(config)

    real_text.main([str(trained_model), "--config", str(config), "--json", str(tmp_path / "r.json"),
                    "--page", str(page), "--cache", str(tmp_path / "cache")])

    result = json.loads((tmp_path / "r.json").read_text())
    assert len(list((tmp_path / "cache").glob("probs-*.npy"))) == 3 + len(own)  # ACLED, test, stream, each own split
    categories = result["model"]["ACLED"]["categories"]
    assert {c: v["n"] for c, v in categories.items()} == {"clash": 15, "protest": 15}
    assert set(result["model"]["stream"]["per_register"]) == {"wire"}
    assert set(result["model"]["test"]["per_register"]) == {"v1"}
    for name, (lang, register, n, _) in OWN_FIXTURE.items():
        assert result["counts"][name] == n, name
        assert set(result["model"][name]["per_register"]) == {register}, name
        assert not lang or set(result["model"][name]["per_language"]) == {lang}, name
    assert result["per_seed"][str(trained_model)]["unguided_n"] == result["model"]["unguided_n"]["macro_f1"]["mean"]
    assert "### Unguided split N by language" in page.read_text()
    assert set(result["model"]["test"]["per_length"]) == {"shorter"}  # the tiny rows are all under 100 words
    text = page.read_text()
    assert "STALE" not in text and text.endswith("## After\n")
    assert "### ACLED: share of each source category given each type" in text
    assert "| protest | 15 |" in text


def test_shipped_own_splits_are_valid_rows_of_every_kind():
    for path in (p for p, _, _ in real_text.OWN_SPLITS.values()):
        rows = read_examples(path, LABELS)  # raises DataError naming the file, line and field
        assert len(rows) > 300, path
        registers = {ex.meta.get("register") for ex in rows}  # splits N, P and Q had briefs of their own
        assert registers in ({"coder_note", "report", "wire"}, {"coder_note", "headline", "wire", "sitrep"},
                             {"liveblog", "local", "statement", "post"},
                             {"bulletin", "release", "rights_report", "press_review"}), path
        assert sum(not ex.labels for ex in rows) > len(rows) / 4, path  # hard negatives, not only events


def test_no_own_split_shares_a_text_with_the_bundled_training_split():
    train = {ex.text for ex in read_examples(BUNDLED_CORPUS / "train.jsonl", LABELS)}
    for path, _, _ in real_text.OWN_SPLITS.values():
        assert not train & {ex.text for ex in read_examples(path, LABELS)}, path  # a column must be unseen text


def test_each_threshold_rule_is_scored_on_every_split_of_our_own(tmp_path):
    rules = {"calls_none": dict.fromkeys(LABELS, 0.99), "calls_at_half": dict.fromkeys(LABELS, 0.5)}
    (tmp_path / "metrics.json").write_text(json.dumps(
        {"threshold_rules": {rule: {"thresholds": t, "stream": {}} for rule, t in rules.items()}}))
    rows = [Example("a", ("bombing",)), Example("b", ()), Example("c", ("fatwa",))]
    scores = np.zeros((3, len(LABELS)))
    scores[0, LABELS.index("bombing")] = scores[2, LABELS.index("fatwa")] = 0.7
    splits = dict.fromkeys(real_text.OWN_SETS, rows)

    scored = real_text.rule_scores(tmp_path, dict.fromkeys(real_text.OWN_SETS, scores), splits, list(LABELS))

    for name in real_text.OWN_SETS:
        assert scored["calls_at_half"][name] == {"macro_f1": 1.0, "micro_f1": 1.0}, name
        assert scored["calls_none"][name] == {"macro_f1": 0.0, "micro_f1": 0.0}, name  # the 0.7s fall under 0.99
    assert scored["calls_none"]["thresholds"] == rules["calls_none"]
