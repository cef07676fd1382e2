"""What an export is made of, gathered by the server before rendering: plain data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tui.server.trends import TrendsResult


@dataclass(frozen=True)
class InsightSubject:
    """An insight and its computed trends (``result`` is None when it cannot be computed,
    and ``problem`` says why)."""

    title: str
    result: TrendsResult | None
    problem: str = ""


@dataclass(frozen=True)
class DashboardSubject:
    title: str
    tiles: tuple[InsightSubject, ...]


@dataclass(frozen=True)
class Table:
    """Rows ready for a spreadsheet: a header and one list of cells per row."""

    title: str
    header: list[str]
    rows: list[list[Any]]


Subject = InsightSubject | DashboardSubject | Table
