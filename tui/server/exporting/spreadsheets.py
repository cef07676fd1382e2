"""Tables as CSV (the standard library's writer) and XLSX (XlsxWriter)."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import xlsxwriter  # type: ignore[import-untyped]

from tui.server.exporting.subjects import Table

# Excel's limits: a sheet name of at most 31 characters without []:*?/\ , and a cell of at
# most 32,767 characters.
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
MAX_SHEET_NAME = 31
MAX_CELL_TEXT = 32_767


def csv_bytes(table: Table) -> bytes:
    """UTF-8 CSV with a header row (no byte order mark, as PostHog writes it)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(table.header)
    writer.writerows(table.rows)
    return buffer.getvalue().encode("utf-8")


def sheet_name(title: str) -> str:
    name = _SHEET_NAME_FORBIDDEN.sub(" ", title).strip().strip("'")[:MAX_SHEET_NAME].strip()
    return name or "Export"


def xlsx_bytes(table: Table) -> bytes:
    buffer = io.BytesIO()
    # in_memory: no temporary files on disk; the workbook is written straight to the buffer.
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    try:
        sheet = workbook.add_worksheet(sheet_name(table.title))
        bold = workbook.add_format({"bold": True})
        for column, name in enumerate(table.header):
            sheet.write_string(0, column, name[:MAX_CELL_TEXT], bold)
        for row_index, row in enumerate(table.rows, start=1):
            for column, value in enumerate(row):
                _write_cell(sheet, row_index, column, value)
        if table.header:
            sheet.freeze_panes(1, 0)
    finally:
        workbook.close()
    return buffer.getvalue()


def _write_cell(sheet: Any, row: int, column: int, value: Any) -> None:
    # Written by type, never with the generic write(): a property value such as
    # "=HYPERLINK(…)" or "https://…" must stay text, not become a formula or a link.
    if isinstance(value, bool):
        sheet.write_string(row, column, "true" if value else "false")
    elif isinstance(value, int | float):
        sheet.write_number(row, column, value)
    elif value is None or value == "":
        return
    else:
        sheet.write_string(row, column, str(value)[:MAX_CELL_TEXT])
