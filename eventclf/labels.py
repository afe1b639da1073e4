"""The label set: event types and their codebook definitions, read from one YAML file."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError, one_line

DEFAULT_LABEL_FILE = Path(__file__).parent / "data" / "codebook.yaml"


@dataclass(frozen=True)
class EventType:
    name: str
    definition: str
    includes: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()
    borderline: tuple[str, ...] = ()
    example_in: str = ""
    example_out: str = ""


@dataclass(frozen=True)
class LabelSet:
    """The ordered event types a model predicts; the order fixes the columns of `predict_proba`."""

    types: tuple[EventType, ...]
    general_rules: tuple[str, ...] = field(default=())

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.types)

    def to_dict(self) -> dict[str, Any]:
        return {
            "general_rules": list(self.general_rules),
            "types": [{k: (list(v) if isinstance(v, tuple) else v) for k, v in t.__dict__.items()} for t in self.types],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "<dict>") -> "LabelSet":
        entries = data.get("types") if isinstance(data, dict) else None
        if not entries:
            raise ConfigError(f"{source}: a label file needs a non-empty `types` list")
        types = []
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict) or not entry.get("name") or not entry.get("definition"):
                raise ConfigError(f"{source}: types[{i}] needs a `name` and a `definition`")
            unknown = set(entry) - set(EventType.__dataclass_fields__)
            if unknown:
                raise ConfigError(f"{source}: types[{i}] ({entry['name']}) has unknown fields {sorted(unknown)}")
            types.append(EventType(**{k: tuple(v) if isinstance(v, list) else v for k, v in entry.items()}))
        names = [t.name for t in types]
        if len(set(names)) != len(names):
            raise ConfigError(f"{source}: duplicate type names in {names}")
        return cls(tuple(types), tuple(data.get("general_rules", ())))


def load_label_set(path: str | Path | None = None) -> LabelSet:
    """Read a codebook YAML (default: the bundled conflict-event codebook)."""
    path = Path(path) if path else DEFAULT_LABEL_FILE
    try:
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read the codebook: {one_line(exc)}") from None
    return LabelSet.from_dict(data, source=str(path))
