"""The preview reader of downloaded CSV and XLSX exports: headers, bounded rows and cells."""

from __future__ import annotations

import csv
from pathlib import Path

import xlsxwriter  # type: ignore[import-untyped]

from tui.app.widgets.csv_preview import MAX_CELL_CHARS, MAX_COLUMNS, PREVIEW_ROWS, read_table


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_csv_headers_and_first_rows(tmp_path: Path) -> None:
    rows = [["day", "count"], *([f"2026-01-{i:02d}", str(i)] for i in range(1, 200))]
    table = read_table(write_csv(tmp_path / "a.csv", rows))
    assert table.headers == ["day", "count"]
    assert table.rows == rows[1 : 1 + PREVIEW_ROWS] and table.more


def test_short_csv_has_no_more(tmp_path: Path) -> None:
    table = read_table(write_csv(tmp_path / "a.csv", [["a", "b"], ["1"], ["2", "3", "4"]]))
    # ragged rows are padded to the widest
    assert table.headers == ["a", "b", ""] and table.rows == [["1", "", ""], ["2", "3", "4"]]
    assert not table.more


def test_cells_and_columns_are_bounded(tmp_path: Path) -> None:
    wide = [[f"c{i}" for i in range(MAX_COLUMNS + 10)], ["x" * (MAX_CELL_CHARS * 3)]]
    table = read_table(write_csv(tmp_path / "a.csv", wide))
    assert len(table.headers) == MAX_COLUMNS
    assert len(table.rows[0][0]) == MAX_CELL_CHARS and table.rows[0][0].endswith("…")


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "e.csv").write_text("")
    assert read_table(tmp_path / "e.csv").headers == []


def test_xlsx_strings_numbers_and_gaps(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["series", "2026-01-01", "2026-01-02"])
    sheet.write_row(1, 0, ["signed_up", 3, 4.5])
    sheet.write(2, 2, "only C")  # A3 and B3 empty
    for row in range(3, 3 + PREVIEW_ROWS + 5):
        sheet.write(row, 0, f"r{row}")
    book.close()
    table = read_table(path)
    assert table.headers == ["series", "2026-01-01", "2026-01-02"]
    assert table.rows[0] == ["signed_up", "3", "4.5"]
    assert table.rows[1] == ["", "", "only C"]
    assert len(table.rows) == PREVIEW_ROWS and table.more
