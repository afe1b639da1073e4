"""Labelled snippets: reading JSONL/CSV/`datasets`, validating them, and splitting them."""
from __future__ import annotations

import csv
import gzip
import io
import json
import random
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from .dedup import dedup_key
from .errors import ConfigError, DataError, one_line

if TYPE_CHECKING:
    from .config import TrainingConfig

SPLITS = ("train", "validation", "test")
FEED_NO_EVENT_SHARE = 0.8  # no-event share of a news feed: the stream split and the "feed" threshold rule
LONG_WORDS = 100  # a "long" paragraph, in the datasheet's length table and the real-text benchmark
_SUFFIXES = (".jsonl", ".csv")
_FIELDS = ("id", "text", "labels", "lang")


@dataclass(frozen=True)
class Example:
    text: str
    labels: tuple[str, ...]
    lang: str = ""
    id: str = ""
    where: str = ""  # "file, line N": where the row came from, for error messages
    # the row's other string fields (e.g. register, region, source), carried through and written back
    meta: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


def _parse_labels(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = value.strip()
        if value.startswith("["):
            value = json.loads(value)
        else:
            return [v.strip() for v in re.split(r"[;|,]", value) if v.strip()]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ValueError("must be a list of type names")
    return list(value)


def _row_to_example(row: Any, where: str, label_names: Sequence[str], problems: list[str]) -> Example | None:
    if not isinstance(row, dict):
        problems.append(f"{where}: expected an object with `text` and `labels`")
        return None
    text = row.get("text")
    if not isinstance(text, str) or not text.strip():
        problems.append(f"{where}, field `text`: empty or missing")
        return None
    if "labels" not in row:
        problems.append(f"{where}, field `labels`: missing (use [] for no event)")
        return None
    try:
        labels = _parse_labels(row["labels"])
    except ValueError as exc:
        problems.append(f"{where}, field `labels`: {exc}")
        return None
    unknown = [label for label in labels if label not in label_names]
    if unknown:
        problems.append(f"{where}, field `labels`: unknown type(s) {unknown}; known: {list(label_names)}")
        return None
    ordered = tuple(name for name in label_names if name in labels)
    meta = {k: v for k, v in row.items() if k not in _FIELDS and isinstance(v, str)}
    return Example(text, ordered, str(row.get("lang") or ""), str(row.get("id") or ""), where, meta)


def _format(path: Path) -> str:
    """".jsonl" or ".csv" (also under a ".gz"), or "" for a file this reader does not take."""
    suffixes = path.suffixes[-2:] if path.suffix == ".gz" else path.suffixes[-1:]
    return suffixes[0] if suffixes and suffixes[0] in _SUFFIXES else ""


def _text(path: Path, problems: list[str]) -> str:
    """The file decoded as UTF-8 (a BOM dropped, gzip undone), or "" with a problem per line that is not UTF-8."""
    try:
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
    except (OSError, EOFError) as exc:  # BadGzipFile is an OSError; a cut-off gzip stream is an EOFError
        problems.append(f"{path}: cannot read ({one_line(exc) or type(exc).__name__})")
        return ""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        for n, line in enumerate(data.split(b"\n"), start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                problems.append(f"{path}, line {n}: not UTF-8 (Latin-1 or another legacy encoding?); save the file "
                                f"as UTF-8")
        return ""


def _rows(path: Path, problems: list[str]) -> Iterable[tuple[int, Any]]:
    text = _text(path, problems)
    if _format(path) == ".csv":
        reader = csv.DictReader(io.StringIO(text, newline=""))
        for row in reader:  # a quoted field may hold newlines: name the line the row starts on
            yield reader.line_num - sum(v.count("\n") for v in row.values() if isinstance(v, str)), row
        return
    for line, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        try:
            yield line, json.loads(raw)
        except json.JSONDecodeError as exc:
            problems.append(f"{path}, line {line}: not valid JSON ({exc.msg})")


def _finish(rows: Iterable[tuple[str, Any]], label_names: Sequence[str], problems: list[str]) -> list[Example]:
    examples, seen = [], {}
    for where, row in rows:
        ex = _row_to_example(row, where, label_names, problems)
        if ex is None:
            continue
        key = dedup_key(ex.text)
        if key in seen:
            problems.append(f"{where}, field `text`: duplicate of {seen[key]}")
            continue
        seen[key] = where
        examples.append(ex)
    return examples


def read_examples(path: str | Path, label_names: Sequence[str]) -> list[Example]:
    """Read one JSONL or CSV file (UTF-8, a BOM and CRLF line ends allowed, `.gz` undone); raise `DataError`
    naming every bad row."""
    problems: list[str] = []
    examples = _read(Path(path), label_names, problems)
    if problems:
        raise DataError(problems)
    return examples


def _read(path: Path, label_names: Sequence[str], problems: list[str]) -> list[Example]:
    """The file's good rows; every bad row (or an unreadable file) is added to `problems`."""
    if not path.is_file():
        problems.append(f"{path}: no such file")
        return []
    if not _format(path):
        problems.append(f"{path}: unsupported format (use {' or '.join(_SUFFIXES)}, optionally gzipped)")
        return []
    return _finish(((f"{path}, line {n}", row) for n, row in _rows(path, problems)), label_names, problems)


def write_examples(path: str | Path, examples: Iterable[Example]) -> Path:
    """Write examples as JSONL in the bundled corpus' format, which `read_examples` reads back."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps({"id": ex.id, "text": ex.text, "labels": list(ex.labels), "lang": ex.lang,
                                        **ex.meta}, ensure_ascii=False) + "\n" for ex in examples), encoding="utf-8")
    return path


def examples_from_dataset(dataset: Any, label_names: Sequence[str], name: str = "dataset") -> list[Example]:
    """Read a `datasets.Dataset` (or any sequence of dicts) with the same checks as a file."""
    problems: list[str] = []
    examples = _finish(((f"{name}, row {i}", dict(row)) for i, row in enumerate(dataset)), label_names, problems)
    if problems:
        raise DataError(problems)
    return examples


def find_split_file(data_dir: str | Path, split: str) -> Path | None:
    """`data_dir`'s file for a split: `<split>.jsonl`, `.csv`, or either gzipped; None if there is none."""
    for suffix in (*_SUFFIXES, *(f"{s}.gz" for s in _SUFFIXES)):
        candidate = Path(data_dir) / f"{split}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def check_disjoint(splits: dict[str, list[Example]]) -> None:
    """Raise `DataError` naming every text found in two splits: it would leak the answer into the score."""
    problems = _overlaps(splits)
    if problems:
        raise DataError(problems)


def _overlaps(splits: dict[str, list[Example]]) -> list[str]:
    problems, owner = [], {}
    for split in SPLITS:
        for ex in splits.get(split, []):
            key = dedup_key(ex.text)
            if key in owner and owner[key][0] != split:
                problems.append(f"{ex.where}, field `text`: also in the {owner[key][0]} split ({owner[key][1]})")
            owner.setdefault(key, (split, ex.where))
    return problems


def split_examples(examples: Sequence[Example], fractions: tuple[float, float], seed: int) -> dict[str, list[Example]]:
    """Stratified train/validation/test split: each label combination is spread across splits in proportion."""
    val_frac, test_frac = fractions
    if not (0 <= val_frac < 1 and 0 <= test_frac < 1 and val_frac + test_frac < 1):
        raise ConfigError(f"split_fractions {fractions}: each must be in [0, 1) and their sum below 1")
    groups: dict[tuple[str, ...], list[Example]] = defaultdict(list)
    for ex in examples:
        groups[ex.labels].append(ex)
    rng = random.Random(seed)
    out: dict[str, list[Example]] = {s: [] for s in SPLITS}
    carry = {"validation": 0.0, "test": 0.0}  # fractional remainders, so rare combinations still reach every split
    for combo in sorted(groups):
        members = groups[combo][:]
        rng.shuffle(members)
        taken = 0
        for split, frac in (("validation", val_frac), ("test", test_frac)):
            exact = len(members) * frac + carry[split]
            n = int(exact)
            carry[split] = exact - n
            out[split].extend(members[taken : taken + n])
            taken += n
        out["train"].extend(members[taken:])
    for split in SPLITS:
        rng.shuffle(out[split])
    return out


def feed_sample(examples: Sequence[Example], no_event_share: float, seed: int,
                caps: Mapping[str, float] | None = None) -> list[Example]:
    """A subset whose label mix looks like a news feed: every no-event row, and event rows drawn at random until
    no-event rows make `no_event_share` of it; `caps` limits a type to a share of the subset (a rare type).

    Example:
        >>> rows = [Example(f"Quiet day {i}.", ()) for i in range(8)] + [Example(f"Blast {i}.", ("bombing",)) for i in range(8)]
        >>> stream = feed_sample(rows, no_event_share=0.8, seed=0)
        >>> len(stream), sum(1 for ex in stream if ex.labels)
        (10, 2)
    """
    rng = random.Random(seed)
    quiet = [ex for ex in examples if not ex.labels]
    events = [ex for ex in examples if ex.labels]
    rng.shuffle(events)
    total = round(len(quiet) / no_event_share) if no_event_share > 0 else len(examples)
    limit = {name: int(share * total) for name, share in (caps or {}).items()}
    taken: list[Example] = []
    for ex in events:
        if len(quiet) + len(taken) >= total:
            break
        if all(limit.get(name, total) > 0 for name in ex.labels):
            taken.append(ex)
            for name in ex.labels:
                limit[name] = limit.get(name, total) - 1
    chosen = {id(ex) for ex in quiet + taken}
    return [ex for ex in examples if id(ex) in chosen]


def split_files(config: "TrainingConfig") -> dict[str, Path]:
    """The file each split is read from: the config's `<split>_file`, else `data_dir`'s `<split>.jsonl` or `.csv`.

    A split with neither is left out; `load_splits` then carves it out of train. Anything that must know which files
    a config reads (e.g. to tell whether a trained model is out of date) asks here, so it cannot disagree with the
    reader.

    Example:
        >>> from eventclf.config import TrainingConfig
        >>> sorted(split_files(TrainingConfig()))
        ['test', 'train', 'validation']
    """
    files = {}
    for split in SPLITS:
        path = getattr(config, f"{split}_file") or (config.data_dir and find_split_file(config.data_dir, split))
        if path:
            files[split] = Path(path)
    return files


def load_splits(config: "TrainingConfig", label_names: Sequence[str]) -> dict[str, list[Example]]:
    """Train/validation/test examples as the config names them, split from train when not given."""
    files = split_files(config)
    if "train" not in files:
        raise DataError([f"no training data: set train_file, or data_dir to a folder with train.jsonl/.csv "
                         f"(data_dir={config.data_dir!r})"])
    # every row of every file, and every text in two splits, is checked before any error: all problems come at once
    problems: list[str] = []
    splits = {split: _read(path, label_names, problems) for split, path in files.items()}
    if "validation" not in splits or "test" not in splits:
        val_frac, test_frac = config.split_fractions
        fractions = (0.0 if "validation" in splits else val_frac, 0.0 if "test" in splits else test_frac)
        parts = split_examples(splits["train"], fractions, config.seed)
        splits = {"train": parts["train"], "validation": splits.get("validation", parts["validation"]),
                  "test": splits.get("test", parts["test"])}
    problems += _overlaps(splits)
    if problems:
        raise DataError(problems)
    return splits


def load_stream(config: "TrainingConfig", label_names: Sequence[str]) -> list[Example]:
    """The feed-like `stream` evaluation split of the config's data folder; empty when it has none."""
    path = find_split_file(config.data_dir, "stream") if config.data_dir else None
    return read_examples(path, label_names) if path else []
