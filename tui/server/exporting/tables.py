"""Data as tables: a trends result, or events flattened to dotted columns."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from tui.server import events_csv, trends
from tui.server.exporting.subjects import Table


def trends_table(title: str, result: trends.TrendsResult) -> Table:
    """Header ``date`` then one column per series; a row per day."""
    header, rows = trends.result_table(result)
    return Table(title=title, header=header, rows=rows)


def events_table(
    title: str, events: Iterable[Mapping[str, Any]], columns: Sequence[str] = ()
) -> Table:
    """Events (as ``events/`` answers them) as a table, flattened the way the events
    API's own ``format=csv`` does (``properties.$browser``, ``person.distinct_ids.0``).

    ``columns`` fixes the header (a value a row lacks is blank); without it the header is
    the events CSV's: id, distinct_id, event, timestamp, then every other key grouped by
    the field it came from, in the order first seen.
    """
    flat_rows = [events_csv.flatten(event) for event in events]
    if columns:
        header = [str(column) for column in columns]
    else:
        seen: dict[str, None] = dict.fromkeys(events_csv.BASE_COLUMNS)
        for flat in flat_rows:
            seen.update(dict.fromkeys(flat))
        header = sorted(seen, key=_field_rank)  # stable: first seen within a field
    return Table(
        title=title,
        header=header,
        rows=[[cell_text(flat.get(column)) for column in header] for flat in flat_rows],
    )


def _field_rank(column: str) -> int:
    order = events_csv.FIELD_ORDER
    field = column.split(".", 1)[0]
    return order.index(field) if field in order else len(order)


def cell_text(value: Any) -> Any:
    """A value as a spreadsheet cell: numbers stay numbers, structures become JSON text,
    nothing becomes blank."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
