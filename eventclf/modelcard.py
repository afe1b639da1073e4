"""The model card (README.md) written into every trained model folder."""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any, Sequence

from .config import TrainingConfig
from .data import Example
from .labels import LabelSet
from .metrics import format_table


def _counts(examples: Sequence[Example], label_set: LabelSet) -> str:
    by_type = Counter(name for ex in examples for name in ex.labels)
    langs = Counter(ex.lang or "?" for ex in examples)
    none = sum(1 for ex in examples if not ex.labels)
    types = ", ".join(f"{name} {by_type[name]}" for name in label_set.names)
    return f"{len(examples)} paragraphs ({types}, no event {none}); languages: " + \
        ", ".join(f"{k} {v}" for k, v in langs.most_common())


def _weighting(config: TrainingConfig) -> str:
    share = config.threshold_no_event_share
    return f", its no-event rows weighted to {share:.0%} as in a news feed" if share else ""


def _blend(config: TrainingConfig) -> str:
    weight = config.lexical_weight
    return (f" Every score blends the encoder's probability ({1 - weight:.0%}) with a TF-IDF + logistic-regression "
            f"model of the same training split ({weight:.0%}; `lexical.json`).") if weight else ""


def write_model_card(folder: Path, label_set: LabelSet, config: TrainingConfig, metrics: dict[str, Any],
                     splits: dict[str, list[Example]]) -> None:
    """Write `folder/README.md`: what the model tags, what it was trained on, its test scores and how to load it."""
    lines = [
        "# eventclf model",
        "",
        f"Multi-label conflict-event tagger fine-tuned from `{config.base_model}` "
        f"({metrics['base_model_route']}) on {metrics['device']} in {metrics['train_seconds'] / 60:.1f} min "
        f"({metrics['epochs_run']} epochs, seed {config.seed}).{_blend(config)}",
        "",
        "## Event types",
        "",
        *[f"- `{t.name}`: {t.definition}" for t in label_set.types],
        "",
        "## Training data",
        "",
        f"Data: `{config.train_file or config.data_dir}`.",
        "",
        *[f"- {split}: {_counts(examples, label_set)}" for split, examples in splits.items()],
        "",
        f"## Scores on the held-out test split (thresholds tuned on validation{_weighting(config)})",
        "",
    ]
    if "test" in metrics:
        lines += ["```", format_table(metrics["test"]), "```", ""]
    else:
        lines += ["No test split was given.", ""]
    lines += [
        "Thresholds: " + ", ".join(f"{k} {v:.2f}" for k, v in metrics["thresholds"].items()),
        "",
        "## Use",
        "",
        "```python",
        "from eventclf import EventClassifier",
        f'clf = EventClassifier.from_pretrained("{config.output_dir}")',
        'clf.predict(["Rebels took the airbase and freed the prisoners held there."])[0].labels',
        "```",
        "",
        "Limits: scores above come from the same corpus the model was trained on (different paragraphs); expect "
        "lower scores on text whose style or topics the training data lacks. See `metrics.json` for all figures.",
    ]
    (folder / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
