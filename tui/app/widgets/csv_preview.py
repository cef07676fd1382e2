"""Reading the first rows of a downloaded CSV or XLSX export, for a preview table.

Only the standard library: ``csv`` for CSV, and for XLSX the zip's first worksheet and its
shared strings (what XlsxWriter and PostHog write). Rows and cells are bounded so a huge
export previews as fast as a small one.
"""

from __future__ import annotations

import csv
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

PREVIEW_ROWS = 50
MAX_COLUMNS = 50
MAX_CELL_CHARS = 200
# Shared strings read from an XLSX before giving up on the rest (a preview, not a reader).
MAX_SHARED_STRINGS = 100_000

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)
    more: bool = False  # the file has rows beyond ``rows``


def read_table(path: Path, max_rows: int = PREVIEW_ROWS) -> Table:
    """The header row and up to ``max_rows`` data rows of a CSV or XLSX file."""
    if path.suffix.lower() == ".xlsx":
        lines = _xlsx_rows(path, max_rows + 2)
    else:
        lines = _csv_rows(path, max_rows + 2)
    if not lines:
        return Table(headers=[])
    width = min(MAX_COLUMNS, max(len(line) for line in lines))
    cut = [[_cell(c) for c in line[:width]] + [""] * (width - len(line)) for line in lines]
    headers = cut[0]
    body = cut[1:]
    return Table(headers=headers, rows=body[:max_rows], more=len(body) > max_rows)


def _cell(value: str) -> str:
    return value if len(value) <= MAX_CELL_CHARS else value[: MAX_CELL_CHARS - 1] + "…"


def _csv_rows(path: Path, limit: int) -> list[list[str]]:
    rows: list[list[str]] = []
    with path.open(newline="", encoding="utf-8-sig", errors="replace") as handle:
        for row in csv.reader(handle):
            rows.append(row)
            if len(rows) >= limit:
                break
    return rows


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + (ord(letter) - ord("A") + 1)
    return index - 1


def _text_of(node: ElementTree.Element) -> str:
    return "".join(t.text or "" for t in node.iter(f"{_MAIN}t"))


def _xlsx_rows(path: Path, limit: int) -> list[list[str]]:
    with zipfile.ZipFile(path) as book:
        names = set(book.namelist())
        shared: list[str] = []
        if "xl/sharedStrings.xml" in names:
            with book.open("xl/sharedStrings.xml") as handle:
                for _, node in ElementTree.iterparse(handle):
                    if node.tag == f"{_MAIN}si":
                        shared.append(_text_of(node))
                        node.clear()
                        if len(shared) >= MAX_SHARED_STRINGS:
                            break
        sheets = sorted(n for n in names if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))
        if not sheets:
            return []
        rows: list[list[str]] = []
        with book.open(sheets[0]) as handle:
            for _, node in ElementTree.iterparse(handle):
                if node.tag != f"{_MAIN}row":
                    continue
                row: list[str] = []
                for cell in node.iter(f"{_MAIN}c"):
                    match = _CELL_REF.fullmatch(cell.get("r", ""))
                    column = _column_index(match.group(1)) if match else len(row)
                    if column >= MAX_COLUMNS:
                        continue
                    row.extend([""] * (column - len(row)))
                    kind = cell.get("t")
                    value = cell.find(f"{_MAIN}v")
                    if kind == "s" and value is not None and value.text is not None:
                        index = int(value.text)
                        text = shared[index] if index < len(shared) else ""
                    elif kind == "inlineStr":
                        text = _text_of(cell)
                    else:
                        text = value.text or "" if value is not None else ""
                    row.append(text)
                rows.append(row)
                node.clear()
                if len(rows) >= limit:
                    break
        return rows
