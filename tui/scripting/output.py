"""How the commands print: aligned columns on a terminal, one entry a line in a pipe,
JSON lines with ``--json``.

Names come from the server and may hold anything, escape sequences included: text for a
terminal or a pipe goes through :func:`tui.labels.visible` (a pipe often ends in a
terminal, ``| less``), so nothing printed is ever obeyed. ``--json`` carries the exact
values for scripts that need them.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from rich.cells import cell_len

from tui import paths
from tui.labels import shortcut_mark, visible
from tui.models import FileSystemEntry

# Characters json.dumps(ensure_ascii=False) leaves raw that a terminal may obey or that
# reorder text: C1 controls, bidi overrides and isolates, zero-width and line separators.
# They only ever occur inside JSON strings, where a \uXXXX escape means the same.
_JSON_UNSAFE = re.compile("[\x80-\x9f\u200b-\u200f\u2028-\u202e\u2060\u2066-\u2069\ufeff]")
# Between two columns of a table.
GUTTER = "  "
# The entry table's columns, left to right; the name goes last so a long one only makes
# its own line long.
ENTRY_HEADERS = ("TYPE", "CREATED", "ID", "NAME")


def safe(text: str) -> str:
    """``text`` fit for a terminal: control and invisible characters made visible."""
    return visible(text)


def pad(text: str, width: int) -> str:
    """``text`` filled with spaces to ``width`` terminal cells (wide characters count two)."""
    return text + " " * max(0, width - cell_len(text))


def format_table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    """Lines of a table whose columns line up; the last column is not padded."""
    rows = [list(row) for row in rows]
    widths = [cell_len(header) for header in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], cell_len(cell))
    lines = []
    for row in [list(headers), *rows]:
        cells = [pad(cell, widths[i]) for i, cell in enumerate(row[:-1])]
        lines.append(GUTTER.join([*cells, row[-1]]).rstrip())
    return lines


def json_text(value: Any, **options: Any) -> str:
    """``value`` as JSON, names readable (not ``\\u``-escaped) yet nothing a terminal obeys."""
    text = json.dumps(value, ensure_ascii=False, **options)
    return _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def entry_json(entry: FileSystemEntry) -> dict[str, Any]:
    return entry.model_dump(mode="json")


def entry_name(entry: FileSystemEntry, folder: str) -> str:
    """How a table row names the entry: its path below ``folder``, a folder with a ``/``
    after it (as ``ls -F`` does) and a shortcut with the tree's arrow."""
    name = entry.path[len(folder) + 1 :] if paths.is_within(entry.path, folder) else entry.path
    name = safe(name)
    if entry.is_folder:
        name += "/"
    if entry.shortcut:
        name += f" {shortcut_mark()}"
    return name


def entry_row(entry: FileSystemEntry, folder: str = "") -> list[str]:
    created = entry.created_at.strftime("%Y-%m-%d") if entry.created_at else "-"
    return [safe(entry.type) or "-", created, safe(entry.id), entry_name(entry, folder)]


@dataclass
class Output:
    """Where a command's results go (stdout) and in which form; messages go to ``err``."""

    json: bool = False
    stream: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)

    @property
    def tty(self) -> bool:
        """A person reads: columns and sentences. Otherwise a script does: plain lines."""
        return not self.json and self.stream.isatty()

    def line(self, text: str = "") -> None:
        self.stream.write(text + "\n")

    def json_line(self, value: Any) -> None:
        self.stream.write(json_text(value) + "\n")

    def lines(self, lines: Iterable[str]) -> None:
        for text in lines:
            self.line(text)

    def flush(self) -> None:
        self.stream.flush()

    def note(self, text: str) -> None:
        """A message for the person, not the result: on stderr, so pipes stay clean."""
        self.err.write(text + "\n")
        self.err.flush()


class EntryPrinter:
    """Entries as a listing prints them: a table on a terminal (printed at :meth:`close`,
    once the widths are known), else one per line as they come (the escaped path, which
    every command accepts back) or one JSON object per line."""

    def __init__(self, out: Output, folder: str = "") -> None:
        self.out = out
        self.folder = folder
        self.count = 0
        self._rows: list[list[str]] = []

    def add(self, entries: Iterable[FileSystemEntry]) -> None:
        for entry in entries:
            self.count += 1
            if self.out.json:
                self.out.json_line(entry_json(entry))
            elif self.out.tty:
                self._rows.append(entry_row(entry, self.folder))
            else:
                self.out.line(safe(entry.path))
        if not self.out.tty:
            # A script reading the pipe gets each page as soon as it arrives.
            self.out.flush()

    def close(self) -> None:
        if self._rows:
            self.out.lines(format_table(ENTRY_HEADERS, self._rows))
            self._rows = []
