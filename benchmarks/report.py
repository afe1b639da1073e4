"""Pieces every benchmark report shares: mean ± std over seeds, number formatting, markdown tables, JSON that keeps
both, whole-or-nothing writes, regenerated sections of a page between two markers, and the CPU a timing ran on."""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import platform
import resource
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks import RESULTS_PAGE
from eventclf.atomic import atomic_path


@dataclass(frozen=True)
class Spread:
    """One number over several seeds: its mean and sample std (0 for a single seed). In JSON: {"mean", "std"}."""

    mean: float
    std: float

    @classmethod
    def of(cls, value: Spread | float) -> Spread:
        """`value` itself, or a single measurement (a deterministic baseline's) as a spread of zero."""
        return value if isinstance(value, Spread) else cls(float(value), 0.0)

    def __str__(self) -> str:
        return f"{self.mean:.3f} ± {self.std:.3f}"


def aggregate(items: list[Any]) -> Any:
    """Same-shaped results of several seeds as one: numbers become a `Spread`; counts that agree, and anything that
    is not a number, stay as the first seed has them."""
    first = items[0]
    if isinstance(first, dict):
        return {k: aggregate([item[k] for item in items]) for k in first}
    if isinstance(first, bool) or not isinstance(first, (int, float)):
        return first
    if isinstance(first, int) and all(item == first for item in items):
        return first
    values = np.asarray(items, dtype=float)
    return Spread(float(values.mean()), float(values.std(ddof=1)) if len(values) > 1 else 0.0)


def fmt(value: Any) -> str:
    """A table cell: three decimals for scores, `mean ± std` for a spread, "n/a" for a missing number."""
    if value is None:
        return "n/a"
    if isinstance(value, Spread):
        return str(value)
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def table(header: Sequence[str], rows: Sequence[Sequence[Any]], align: str = "") -> list[str]:
    """A markdown table; cells that are not strings go through `fmt`. `align` has one letter per column, "l" or
    "r" (default: every column left-aligned)."""
    rule = "".join("---:|" if a == "r" else "---|" for a in align.ljust(len(header), "l"))
    cells = [[c if isinstance(c, str) else fmt(c) for c in row] for row in rows]
    return ["| " + " | ".join(header) + " |", "|" + rule, *("| " + " | ".join(r) + " |" for r in cells)]


def replace_between(page: str, begin: str, end: str, body: str) -> str:
    """The page with the text between its `begin` and `end` markers replaced by `body`."""
    before, rest = page.split(begin, 1)
    after = rest.split(end, 1)[1]
    return f"{before}{begin}\n{body}\n{end}{after}"


def section_markers(name: str, command: str) -> tuple[str, str]:
    """The two comments around the section of docs/results.md that `command` fills from results/`name`.json."""
    return (f"<!-- {name}:begin (filled from benchmarks/results/{name}.json by `{command}`; edits inside are "
            f"overwritten) -->", f"<!-- {name}:end -->")


def fill_section(page: str, markers: tuple[str, str], json_path: Path, render, command: str) -> str:
    """`page` with the section between `markers` set to `render(read_json(json_path))` (or a not-run-yet line);
    a page without the markers is returned as it is."""
    if markers[0] not in page:
        return page
    body = render(read_json(json_path)) if json_path.is_file() else f"Not run yet (`{command}`)."
    return replace_between(page, *markers, body)


def section_filler(markers: tuple[str, str], json_path: Path, render, command: str) -> Callable[[str], str]:
    """A benchmark's `with_section`: the results page with that benchmark's section filled from its JSON."""
    return lambda page: fill_section(page, markers, json_path, render, command)


def model_benchmark_args(command: str, doc: str, json_path: Path) -> argparse.Namespace:
    """The command line of a benchmark that scores one trained model and fills its section of the results page:
    --model, --output (the JSON) and --page; `doc` is the benchmark's module docstring."""
    parser = argparse.ArgumentParser(prog=command, description=doc.split("\n")[0])
    parser.add_argument("--model", default="runs/default", help="trained model folder")
    parser.add_argument("--output", default=str(json_path), help="results JSON")
    parser.add_argument("--page", default=str(RESULTS_PAGE), help="results page whose section to refresh")
    return parser.parse_args()


def stamp(command: str, **extra: Any) -> dict[str, Any]:
    """A results JSON's "meta": when, on which CPU, by which command (and `extra`)."""
    when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return {"date": when, **cpu(), "command": command, **extra}


def publish(report: Any, json_path: Path, page: Path, markers: tuple[str, str], render, command: str) -> None:
    """Write a benchmark's JSON, refresh its section of the results page (when the page exists), print it."""
    write_json(json_path, report)
    if page.is_file():
        write_text(page, fill_section(page.read_text(encoding="utf-8"), markers, json_path, render, command))
    print(render(report))


def write_text(path: Path, text: str) -> None:
    """Write `path` whole or not at all: a killed run leaves the previous page or JSON, never half of a new one."""
    with atomic_path(path) as partial:
        partial.write_text(text, encoding="utf-8")


def _to_json(value: Any) -> Any:
    if isinstance(value, Spread):
        return dataclasses.asdict(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _from_json(obj: dict[str, Any]) -> Any:
    return Spread(**obj) if obj.keys() == {"mean", "std"} else obj


def write_json(path: Path, value: Any) -> None:
    """`value` as indented JSON, a `Spread` as {"mean": .., "std": ..}, written whole or not at all."""
    write_text(path, json.dumps(value, indent=2, ensure_ascii=False, default=_to_json) + "\n")


def read_json(path: Path) -> Any:
    """What `write_json` wrote, with every {"mean": .., "std": ..} read back as a `Spread`."""
    return json.loads(Path(path).read_text(encoding="utf-8"), object_hook=_from_json)


# the flags that decide how fast fp32 and int8 matrix products run: machines in one fleet differ in them
SPEED_FLAGS = ("avx2", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8")


def cpu() -> dict[str, Any]:
    """The CPU a timing was taken on: model name, cores, and which of SPEED_FLAGS it has (Linux; elsewhere the
    platform's processor string and no flags)."""
    name, flags = platform.processor() or platform.machine(), set()
    info = Path("/proc/cpuinfo")
    if info.is_file():
        for line in info.read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name":
                name = value.strip()
            elif key.strip() == "flags":
                flags = set(value.split())
    return {"cpu": name, "cores": os.cpu_count(), "cpu_flags": [f for f in SPEED_FLAGS if f in flags]}


def cpu_line(meta: dict[str, Any]) -> str:
    """One header line for a benchmark page: "AMD EPYC, 2 cores, flags avx2 avx512f avx512_vnni"."""
    flags = meta.get("cpu_flags")  # results written before flags were recorded lack them
    listed = "not recorded" if flags is None else " ".join(flags) or "none of " + "/".join(SPEED_FLAGS)
    return f"{meta['cpu']}, {meta['cores']} cores, flags {listed}"


def peak_rss_mb() -> float:
    """Peak resident memory of this process. Linux: VmHWM, since ru_maxrss is carried over from the parent through
    fork and exec, so a light worker would report its parent's peak."""
    status = Path("/proc/self/status")
    if status.is_file():
        return next(int(line.split()[1]) for line in status.read_text().splitlines() if line.startswith("VmHWM:")) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (2**20 if sys.platform == "darwin" else 2**10)
