"""Events as CSV, the way PostHog's ``format=csv`` renders a page: nested keys flattened
with dots (``properties.$browser``), list items by index (``person.distinct_ids.0``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any

# Always present, so even an empty page has a header row to read.
BASE_COLUMNS = ("id", "distinct_id", "event", "timestamp")
# Flattened columns come grouped by the field they came from, in this order, so every
# ``properties.*`` column sits together whichever row first had it.
FIELD_ORDER = (*BASE_COLUMNS, "properties", "person", "elements", "elements_chain")


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """``{"a": {"b": 1}, "c": [2]}`` → ``{"a.b": 1, "c.0": 2}``; empty containers vanish."""
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list | tuple):
        out = {}
        for index, item in enumerate(value):
            out.update(flatten(item, f"{prefix}.{index}" if prefix else str(index)))
        return out
    return {prefix: value}


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def events_csv(events: Sequence[Mapping[str, Any]]) -> str:
    """CSV text of ``events`` (as :func:`tui.server.store.events.event_json` shapes them);
    columns in order of first appearance."""
    rows = [flatten(event) for event in events]
    seen: dict[str, None] = dict.fromkeys(BASE_COLUMNS)
    for row in rows:
        seen.update(dict.fromkeys(row))
    columns = sorted(seen, key=_field_rank)  # stable: first appearance within a field
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in columns])
    return out.getvalue()


def _field_rank(column: str) -> int:
    field = column.split(".", 1)[0]
    return FIELD_ORDER.index(field) if field in FIELD_ORDER else len(FIELD_ORDER)
