"""The benchmark harness's vocabulary: a measured figure beside its reference, and the table.

Every target of issue 7 is a figure measured in the same run as a reference (a bare SQLite
query, Textual's own DirectoryTree, a minimal Textual app…), so machine noise cancels out in
the ratio. A scenario is a module ``b<N>_<name>.py`` in this folder with::

    SCENARIO = "B2"
    TITLE = "server page of children at 1,000,000 entries"

    def run(smoke: bool) -> list[Figure]: ...

``smoke`` runs the scenario at a tiny size, only to prove it still works (CI runs that
without looking at the figures).
"""

from __future__ import annotations

import importlib
import json
import statistics
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from types import ModuleType
from typing import Protocol

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Figure:
    """One measured figure and the verdict on its target.

    ``ratio`` is value / reference when there is a reference ("how many times the
    reference"); for "at least 20x faster" targets the scenario stores reference / value
    and says so in ``target``.
    """

    scenario: str
    name: str
    value: float
    unit: str
    target: str
    passed: bool
    reference_name: str = ""
    reference: float | None = None
    ratio: float | None = None


class Scenario(Protocol):
    SCENARIO: str
    TITLE: str

    def run(self, smoke: bool) -> list[Figure]: ...


def discover(only: Sequence[str] = ()) -> list[ModuleType]:
    """The scenario modules ``b<N>_*.py`` here, in number order, optionally only some."""
    wanted = {name.upper() for name in only}
    modules = []
    for path in sorted(HERE.glob("b[0-9]*_*.py"), key=lambda p: int(p.stem[1:].split("_")[0])):
        module = importlib.import_module(f"benchmarks.{path.stem}")
        if not wanted or module.SCENARIO.upper() in wanted:
            modules.append(module)
    return modules


def percentile(samples: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) of ``samples``, interpolated."""
    if len(samples) == 1:
        return samples[0]
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    if q >= 100:
        return max(samples)
    if q <= 0:
        return min(samples)
    return cuts[int(q) - 1]


def timed_ms(action: Callable[[], object], repeat: int) -> list[float]:
    """Wall-clock milliseconds of ``action`` run ``repeat`` times."""
    import time

    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"
    return f"{text} {unit}".strip()


def table(figures: Sequence[Figure]) -> str:
    """The results as a Markdown table (readable in a terminal, pasteable in the README)."""
    header = ("#", "figure", "value", "reference", "ratio", "target", "")
    rows = [
        (
            f.scenario,
            f.name,
            _fmt(f.value, f.unit),
            f"{_fmt(f.reference, f.unit)} ({f.reference_name})" if f.reference_name else "-",
            f"{f.ratio:.2f}x" if f.ratio is not None else "-",
            f.target,
            "pass" if f.passed else "FAIL",
        )
        for f in figures
    ]
    widths = [max(len(str(r[i])) for r in (header, *rows)) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def write_json(figures: Sequence[Figure], path: Path) -> None:
    path.write_text(json.dumps([asdict(f) for f in figures], indent=2) + "\n")
