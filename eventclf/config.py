"""The training configuration: one typed object, read from YAML, every field overridable."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Literal, get_args, get_origin, get_type_hints

import yaml

BUNDLED_CORPUS = Path(__file__).parent / "data" / "corpus"


@dataclass
class TrainingConfig:
    """Everything a training run depends on; saved beside the model it produced."""

    # data: a folder with train/validation/test files, or separate files; empty validation/test = split train
    data_dir: str = str(BUNDLED_CORPUS)
    train_file: str = ""
    validation_file: str = ""
    test_file: str = ""
    label_file: str = ""  # empty = the bundled codebook
    split_fractions: tuple[float, float] = (0.15, 0.2)  # validation, test, when the data has no split

    # model
    base_model: str = "intfloat/multilingual-e5-small"
    text_prefix: str = "query: "  # E5 was trained with this prefix; use "" for other encoders
    max_length: int = 256
    dropout: float = 0.1

    # optimisation
    epochs: float = 6
    batch_size: int = 16
    learning_rate: float = 5e-5
    head_learning_rate: float = 1e-3
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    freeze_word_embeddings: Literal["auto", "always", "never"] = "auto"  # auto = frozen on CPU only
    pos_weight_cap: float = 5.0  # class imbalance: positive weight per type, neg/pos capped here
    early_stopping_patience: int = 2
    seed: int = 42

    # run
    output_dir: str = "runs/default"
    device: Literal["auto", "cpu", "cuda"] = "auto"
    resume: bool = True
    keep_checkpoints: bool = False
    logging_steps: int = 10

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
