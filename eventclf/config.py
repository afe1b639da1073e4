"""The training configuration: one typed object, read from YAML, every field overridable."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal, get_args, get_origin, get_type_hints

import yaml

BUNDLED_CORPUS = Path(__file__).parent / "data" / "corpus"


def _f(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass
class TrainingConfig:
    """Everything a training run depends on; saved beside the model it produced."""

    # data
    data_dir: str = _f(str(BUNDLED_CORPUS), "folder holding train/validation/test .jsonl or .csv files")
    train_file: str = _f("", "training file (overrides data_dir's train file)")
    validation_file: str = _f("", "validation file; empty = split from train")
    test_file: str = _f("", "test file; empty = split from train")
    label_file: str = _f("", "codebook YAML defining the event types; empty = the bundled codebook")
    split_fractions: tuple[float, float] = _f((0.15, 0.2), "validation,test fractions when the data has no split")

    # model
    base_model: str = _f("intfloat/multilingual-e5-small", "encoder: a local folder or a Hugging Face hub id")
    text_prefix: str = _f("query: ", "prepended to every text in training and inference (E5 needs 'query: ')")
    max_length: int = _f(256, "tokens per window; longer paragraphs are read in overlapping windows")
    dropout: float = _f(0.1, "dropout before the classification head")

    # optimisation
    epochs: float = _f(3, "maximum epochs (early stopping may end sooner)")
    batch_size: int = _f(16, "paragraphs per step per device")
    learning_rate: float = _f(5e-5, "peak learning rate of the encoder")
    head_learning_rate: float = _f(1e-3, "peak learning rate of the new classification head")
    weight_decay: float = _f(0.01, "AdamW weight decay")
    warmup_ratio: float = _f(0.1, "fraction of steps spent warming up the learning rate")
    freeze_word_embeddings: Literal["auto", "always", "never"] = _f(
        "auto", "freeze the (large) word-embedding matrix: auto = on CPU only, where it makes steps ~5x faster")
    freeze_layers: int = _f(0, "also freeze the embeddings and this many lowest encoder layers: the backward pass "
                               "skips them (faster steps); 0 = train every layer")
    pos_weight_cap: float = _f(5.0, "class imbalance: positives of a type weigh neg/pos, capped at this")
    augment_fraction: float = _f(0.0, "synthetic training rows to add, as a fraction of the training split: no-event "
                                      "context spliced before event rows, and rows joined into roundups")
    threshold_no_event_share: float = _f(0.0, "tune thresholds as if no-event rows made this share of the validation "
                                              "split (e.g. 0.8, like a news feed); 0 = the split as it is")
    early_stopping_patience: int = _f(2, "epochs without a better validation macro-F1 before stopping")
    seed: int = _f(42, "seed for splitting, initialisation and shuffling")

    # run
    output_dir: str = _f("runs/default", "model folder to write (checkpoints go to OUTPUT_DIR-checkpoints)")
    device: Literal["auto", "cpu", "cuda"] = _f("auto", "auto = CUDA with mixed precision when present, else CPU")
    resume: bool = _f(True, "resume from the last checkpoint of an interrupted run with the same output_dir")
    keep_checkpoints: bool = _f(False, "keep the checkpoints once the model folder is written")
    logging_steps: int = _f(10, "steps between loss reports")

    @classmethod
    def from_yaml(cls, path: str | Path | None = None, overrides: dict[str, Any] | None = None) -> "TrainingConfig":
        values: dict[str, Any] = {}
        if path:
            with open(path, encoding="utf-8") as f:
                values = yaml.safe_load(f) or {}
            if not isinstance(values, dict):
                raise ValueError(f"{path}: a config file must be a mapping of field: value")
        values.update(overrides or {})
        return cls.from_dict(values, source=str(path or "<overrides>"))

    @classmethod
    def from_dict(cls, values: dict[str, Any], source: str = "<dict>") -> "TrainingConfig":
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"{source}: unknown config field(s) {unknown}; known: {sorted(known)}")
        hints = get_type_hints(cls)
        return cls(**{k: _coerce(k, v, hints[k], source) for k, v in values.items()})

    def to_dict(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(self).items()}

    def to_yaml(self, path: str | Path) -> None:
        Path(path).write_text(yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True), encoding="utf-8")


def _coerce(name: str, value: Any, hint: Any, source: str) -> Any:
    """Turn YAML or command-line strings into the field's type, with an error naming the field."""
    try:
        if get_origin(hint) is Literal:
            if value not in get_args(hint):
                raise ValueError(f"must be one of {list(get_args(hint))}")
            return value
        if get_origin(hint) is tuple:
            items = value.split(",") if isinstance(value, str) else list(value)
            return tuple(get_args(hint)[0](x) for x in items)
        if hint is bool and isinstance(value, str):
            if value.lower() not in {"true", "false", "yes", "no", "1", "0"}:
                raise ValueError("must be true or false")
            return value.lower() in {"true", "yes", "1"}
        return hint(value) if value is not None else value
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{source}: field `{name}` = {value!r}: {exc}") from None
