"""The training configuration: one typed object, read from YAML, every field overridable."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal, get_args, get_origin, get_type_hints

import yaml

from .errors import ConfigError, one_line

BUNDLED_CORPUS = Path(__file__).parent / "data" / "corpus"
# the default run's config: relative to the working directory for `eventclf train`, to the repo root for benchmarks
DEFAULT_CONFIG = Path("configs") / "default.yaml"
# EventClassifier.from_pretrained(quantize=...): the CPU export routes (eventclf/quantize.py)
QUANTIZE_CHOICES = ("int8", "openvino-int8")


def _f(default: Any, help: str, learns: bool = True) -> Any:
    """A config field; `learns=False` marks one that changes where or how a run is written, not what it learns."""
    return field(default=default, metadata={"help": help, "learns": learns})


@dataclass
class TrainingConfig:
    """Everything a training run depends on; saved beside the model it produced as `training_config.yaml`.

    Every field has a default and a help text (`eventclf train --help` lists them all); values are checked when the
    object is made, so a bad one fails before any data is read. The main fields:

    Args:
        data_dir: folder holding the train/validation/test `.jsonl` or `.csv` files (default: the bundled corpus).
        label_file: codebook YAML defining the event types; empty = the bundled codebook.
        base_model: the encoder to fine-tune: a local folder or a Hugging Face hub id.
        text_prefix: put before every text in training and inference ("query: " for E5, "" for most others).
        max_length: tokens per window; longer paragraphs are read in overlapping windows.
        epochs: maximum epochs; early stopping (`early_stopping_patience`) may end sooner.
        batch_size: paragraphs per step per device.
        learning_rate: peak learning rate of the encoder (`head_learning_rate`: of the new head).
        threshold_no_event_share: tune thresholds as if no-event rows made this share of validation (0.8 = a feed).
        seed: seed for splitting, initialisation and shuffling.
        output_dir: the model folder to write.
        device: "auto" (CUDA with mixed precision when present, else CPU), "cpu" or "cuda".

    Example:
        >>> TrainingConfig(epochs=2, output_dir="runs/quick").learning_rate
        5e-05
    """

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
    encoder_dropout: float | None = _f(None, "dropout inside the encoder's layers (hidden and attention); empty = "
                                             "the base model's own (0.1 for E5 and XLM-R)")

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
    cache_frozen_layers: bool = _f(True, "with freeze_layers: run the frozen layers once per window, not at every "
                                         "step (faster epochs; those layers then run without dropout)")
    pos_weight_cap: float = _f(5.0, "class imbalance: positives of a type weigh neg/pos, capped at this")
    augment_fraction: float = _f(0.0, "synthetic training rows to add, as a fraction of the training split: no-event "
                                      "context spliced before event rows, and rows joined into roundups")
    threshold_no_event_share: float = _f(0.0, "tune thresholds as if no-event rows made this share of the validation "
                                              "split (e.g. 0.8, like a news feed); 0 = the split as it is")
    lexical_weight: float = _f(0.0, "blend a TF-IDF + logistic-regression model of the training split into every "
                                    "score at this weight (eventclf/lexical.py); 0 = the encoder alone")
    early_stopping_patience: int = _f(2, "epochs without a better validation macro-F1 before stopping")
    seed: int = _f(42, "seed for splitting, initialisation and shuffling")

    # run
    output_dir: str = _f("runs/default", "model folder to write (checkpoints go to OUTPUT_DIR-checkpoints)",
                         learns=False)
    device: Literal["auto", "cpu", "cuda"] = _f("auto", "auto = CUDA with mixed precision when present, else CPU")
    resume: bool = _f(True, "resume from the last checkpoint of an interrupted run with the same output_dir",
                      learns=False)
    keep_checkpoints: bool = _f(False, "keep the checkpoints once the model folder is written", learns=False)
    logging_steps: int = _f(10, "steps between loss reports", learns=False)

    def __post_init__(self) -> None:
        problems = [f"field `{name}` = {getattr(self, name)!r}: must be {rule}"
                    for name, rule, ok in _RULES if not ok(getattr(self, name))]
        if problems:
            raise ConfigError("; ".join(problems))

    @classmethod
    def from_yaml(cls, path: str | Path | None = None, overrides: dict[str, Any] | None = None) -> "TrainingConfig":
        """Read a YAML config, then apply `overrides` (strings, as the command line gives them, are converted).

        Args:
            path: the YAML file; None = the built-in defaults.
            overrides: field values that win over the file's.

        Returns:
            The config. Raises `ConfigError` naming the file and field of every bad value.

        Example:
            >>> TrainingConfig.from_yaml("configs/default.yaml", {"epochs": "2"}).epochs  # doctest: +SKIP
            2.0
        """
        values: dict[str, Any] = {}
        if path:
            try:
                with open(path, encoding="utf-8") as f:
                    values = yaml.safe_load(f) or {}
            except (OSError, yaml.YAMLError) as exc:
                raise ConfigError(f"{path}: cannot read the config: {one_line(exc)}") from None
            if not isinstance(values, dict):
                raise ConfigError(f"{path}: a config file must be a mapping of field: value")
        values.update(overrides or {})
        return cls.from_dict(values, source=str(path or "<overrides>"))

    @classmethod
    def from_dict(cls, values: dict[str, Any], source: str = "<dict>") -> "TrainingConfig":
        """A config from a mapping of field names to values; `source` names it in error messages."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ConfigError(f"{source}: unknown config field(s) {unknown}; known: {sorted(known)}")
        hints = get_type_hints(cls)
        try:
            return cls(**{k: _coerce(k, v, hints[k], source) for k, v in values.items()})
        except ConfigError as exc:
            if str(exc).startswith(f"{source}: "):  # from _coerce, which names the source already
                raise
            raise ConfigError(f"{source}: {exc}") from None

    def to_dict(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(self).items()}

    def learning_dict(self) -> dict[str, Any]:
        """The fields that decide what a run learns (all but output folder, resuming, checkpoints and logging): two
        runs that agree here train the same model from the same data files."""
        learns = {f.name for f in fields(self) if f.metadata["learns"]}
        return {k: v for k, v in self.to_dict().items() if k in learns}

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
        inner = _optional(hint)
        if value is None or (inner and isinstance(value, str) and value.lower() in {"", "none", "null"}):
            return None
        return (inner or hint)(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{source}: field `{name}` = {value!r}: {exc}") from None


def _optional(hint: Any) -> Any:
    """X for a hint of `X | None`, else None."""
    args = get_args(hint)
    return next(a for a in args if a is not type(None)) if type(None) in args and len(args) == 2 else None


def _fraction(x: float) -> bool:
    return 0 <= x < 1


# (field, what it must be, check): checked when a config is made, so a bad value fails before any data is read
_RULES = (
    ("max_length", "at least 16 tokens", lambda x: x >= 16),
    ("dropout", "in [0, 1)", _fraction),
    ("encoder_dropout", "in [0, 1) or empty", lambda x: x is None or _fraction(x)),
    ("epochs", "above 0", lambda x: x > 0),
    ("batch_size", "at least 1", lambda x: x >= 1),
    ("learning_rate", "above 0", lambda x: x > 0),
    ("head_learning_rate", "above 0", lambda x: x > 0),
    ("weight_decay", "at least 0", lambda x: x >= 0),
    ("warmup_ratio", "in [0, 1) (a fraction of the steps, not a count)", _fraction),
    ("freeze_layers", "at least 0", lambda x: x >= 0),
    ("pos_weight_cap", "at least 1", lambda x: x >= 1),
    ("augment_fraction", "at least 0", lambda x: x >= 0),
    ("threshold_no_event_share", "in [0, 1)", _fraction),
    ("lexical_weight", "in [0, 1)", _fraction),
    ("early_stopping_patience", "at least 1 (epochs without improvement)", lambda x: x >= 1),
    ("logging_steps", "at least 1", lambda x: x >= 1),
    ("split_fractions", "two fractions in [0, 1) whose sum is below 1",
     lambda x: len(x) == 2 and all(map(_fraction, x)) and sum(x) < 1),
)
