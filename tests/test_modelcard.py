from eventclf.config import TrainingConfig
from eventclf.data import Example
from eventclf.labels import load_label_set
from eventclf.modelcard import write_model_card


def _metrics(test: bool) -> dict:
    per_type = {name: {"precision": 0.9, "recall": 0.8, "f1": 0.847, "support": 3}
                for name in load_label_set().names}
    scores = {"per_type": per_type, "macro_f1": 0.847, "micro_f1": 0.85, "exact_match": 0.7, "n": 9}
    return {"base_model_route": "local folder", "device": "cpu", "train_seconds": 90.0, "epochs_run": 2.0,
            "thresholds": dict.fromkeys(load_label_set().names, 0.85), **({"test": scores} if test else {})}


def test_card_says_what_the_model_tags_what_it_saw_and_how_it_was_tuned(tmp_path):
    label_set = load_label_set()
    splits = {"train": [Example("A car bomb hit the market.", ("bombing",), "en"), Example("Talks resumed.", (), "fr")],
              "validation": [Example("Rebels took the town.", ("takeover",), "ar")]}
    config = TrainingConfig(output_dir="runs/mine", threshold_no_event_share=0.8, seed=7)
    write_model_card(tmp_path, label_set, config, _metrics(test=True), splits)
    card = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert all(f"- `{name}`:" in card for name in label_set.names)
    assert "- train: 2 paragraphs (bombing 1, takeover 0" in card and "no event 1); languages: en 1, fr 1" in card
    assert "no-event rows weighted to 80% as in a news feed" in card
    assert "macro-F1 0.847" in card and "bombing 0.85" in card
    assert 'EventClassifier.from_pretrained("runs/mine")' in card and "1.5 min (2.0 epochs, seed 7)" in card


def test_card_without_a_test_split_says_so_and_plain_tuning_is_not_called_a_feed(tmp_path):
    write_model_card(tmp_path, load_label_set(), TrainingConfig(), _metrics(test=False), {"train": []})
    card = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "No test split was given." in card and "news feed" not in card
