"""The Details tab: every field of the entry under the cursor."""

from __future__ import annotations

import json
from datetime import datetime

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from tui import labels
from tui.models import FileSystemEntry


def _when(moment: datetime | None) -> Text:
    if moment is None:
        return Text("—", style="dim")
    return Text(moment.astimezone().strftime("%Y-%m-%d %H:%M"))


def web_url(web_host: str, project_id: int, entry: FileSystemEntry) -> str | None:
    """The entry's page in PostHog's web app: ``<host>/project/<id><href>``."""
    if not entry.href or not web_host:
        return None
    href = entry.href if entry.href.startswith("/") else "/" + entry.href
    return f"{web_host.rstrip('/')}/project/{project_id}{href}"


class DetailsView(Static):
    """A two-column table of the entry's fields, each value shown literally."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.web_host = ""
        self.project_id = 0
        self.entry: FileSystemEntry | None = None  # the entry described now

    def connect(self, web_host: str, project_id: int) -> None:
        """Where the entries' web pages are (the url row), once the backend is known."""
        self.web_host = web_host
        self.project_id = project_id

    def show(self, entry: FileSystemEntry | None) -> None:
        self.entry = entry
        if entry is None:
            self.update(Text("Nothing selected.", style="dim italic"))
            return
        table = Table.grid(padding=(0, 1))
        table.add_column(style="bold dim", no_wrap=True)
        table.add_column(overflow="fold")
        meta = json.dumps(entry.meta or {}, ensure_ascii=False, sort_keys=True)
        rows: list[tuple[str, Text]] = [
            ("name", labels.literal(labels.entry_name(entry))),
            ("type", Text(f"{labels.icon(entry.type)} {labels.type_name(entry.type)}")),
            ("path", labels.display_path(entry.path)),
            ("depth", Text(str(entry.depth if entry.depth is not None else "—"))),
            ("ref", labels.literal(entry.ref) if entry.ref else Text("—", style="dim")),
            ("shortcut", Text("yes ↪" if entry.shortcut else "no")),
            ("created", _when(entry.created_at)),
            ("viewed", _when(entry.last_viewed_at)),
            ("href", labels.literal(entry.href) if entry.href else Text("—", style="dim")),
            ("url", labels.literal(web_url(self.web_host, self.project_id, entry) or "—")),
            ("access", Text(entry.user_access_level or "—")),
            ("meta", labels.literal(meta, max_length=2000)),
            ("id", Text(entry.id, style="dim")),
        ]
        for name, value in rows:
            table.add_row(name, value)
        self.update(table)
