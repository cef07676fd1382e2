"""The Exports tab: export the selected insight or dashboard, follow it, download it.

``e`` (or the button) asks for a format, then the export runs in a worker: created, polled
while the server is still making it (older PostHog, or ``hogtree serve --export-delay``),
downloaded into the app's download folder under a sanitised name. ``esc`` cancels. The tab
lists the user's exports of the object under the cursor, newest first; ``enter`` on one
downloads it again; CSV and XLSX files are previewed as a table.

Nothing here blocks the tree: every request runs in a worker of its own group.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, TypeVar

import anyio
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.widgets import Button, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option
from textual.worker import Worker

from tui import labels
from tui.api import ApiError, PostHogClient
from tui.api.exports import ExportFailedError, ExportTarget
from tui.app.errors import describe
from tui.app.screens.export_format import (
    DASHBOARD_FORMATS,
    INSIGHT_FORMATS,
    ExportFormatScreen,
    format_name,
)
from tui.app.status import Level, StatusBoard, Work
from tui.app.widgets.cell_picture import CellPicture, load_picture
from tui.app.widgets.csv_preview import PREVIEW_ROWS, Table, read_table
from tui.app.widgets.export_rows import export_row_line
from tui.app.widgets.preview_table import PreviewTable
from tui.models import FileSystemEntry
from tui.models.exports import ExportedAsset, ExportFormat

if TYPE_CHECKING:  # Pillow loads with the first picture (see cell_picture)
    from PIL.Image import Image as PILImage

T = TypeVar("T")

# The longest an export may take before hogtree stops waiting (the server may go on).
EXPORT_TIMEOUT = 600.0
# How often the elapsed time of a running export is redrawn.
TICK_S = 0.5
# Pages of the user's exports read to find those of one object (100 each, newest first).
MAX_LIST_PAGES = 5
# Moving the cursor quickly over entries fetches only for the one it stops on.
DEBOUNCE_S = 0.15
# Before the list is laid out (no width yet), its rows are drawn as for this width.
LIST_WIDTH_UNKNOWN = 80

EXPORTABLE = {"insight": INSIGHT_FORMATS, "dashboard": DASHBOARD_FORMATS}


# What an export is of; tui/api finds it for an entry (the CLI's export shares it).
Target = ExportTarget


@dataclass
class Running:
    target: Target
    format: ExportFormat
    work: Work  # its part of the status line
    polls: int = 0

    @property
    def what(self) -> str:
        return f"{format_name(self.format)} of {labels.visible(self.target.name)}"


def human_size(size: int) -> str:
    if size < 1000:
        return f"{size} B"
    for unit in ("kB", "MB", "GB"):
        size_f = size / 1000
        if size_f < 1000 or unit == "GB":
            return f"{size_f:.1f} {unit}"
        size = int(size_f)
    return f"{size} B"  # pragma: no cover - the loop always returns


def created_text(asset: ExportedAsset) -> str:
    if asset.created_at is None:
        return "—"
    return asset.created_at.astimezone().strftime("%Y-%m-%d %H:%M")


class ExportsTab(Vertical):
    DEFAULT_CSS = """
    ExportsTab {
        height: 1fr;
    }
    ExportsTab #exports-target {
        height: auto;
    }
    ExportsTab #exports-actions {
        height: 1;
    }
    ExportsTab #exports-new {
        min-width: 16;
    }
    ExportsTab #exports-progress {
        height: 1;
        margin: 1 0 0 0;
        display: none;
    }
    ExportsTab.running #exports-progress {
        display: block;
    }
    ExportsTab #exports-bar {
        width: 12;
    }
    ExportsTab #exports-elapsed {
        width: 1fr;
        padding: 0 0 0 1;
    }
    ExportsTab #exports-list {
        height: auto;
        max-height: 6;
        margin: 0;
        border: none;
        padding: 0;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    ExportsTab #exports-detail {
        height: auto;
        color: $text-muted;
    }
    ExportsTab #exports-detail.failed {
        color: $error;
    }
    ExportsTab #exports-preview-title {
        height: auto;
        margin: 1 0 0 0;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    ExportsTab #exports-preview {
        height: 1fr;
        min-height: 3;
    }
    ExportsTab #exports-picture {
        height: auto;
        display: none;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel_export", "Cancel export", id="cancel_export"),
        # tab leaves the side pane for the tree: within the tab, p goes to and from the
        # preview of an exported table.
        Binding("p", "toggle_preview_focus", "Preview", id="exports_preview"),
    ]
    HELP_TITLE: ClassVar[str] = "Exports tab"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.client: PostHogClient | None = None
        # Until the app's board comes with the client, one nobody shows.
        self.status = StatusBoard()
        self.download_dir = Path.cwd()
        self.entry: FileSystemEntry | None = None
        self.target: Target | None = None  # the entry under the cursor, resolved
        self.assets: dict[int, ExportedAsset] = {}  # the listed exports, by id
        self.sizes: dict[int, int] = {}  # bytes of the exports downloaded in this session
        self.running: Running | None = None
        self.preview_path: Path | None = None
        self.picture: PILImage | None = None  # the PNG export shown, as drawn
        self._short_ids: dict[str, int] = {}  # insight short id → numeric id
        self._export_worker: Worker[None] | None = None
        self._ticker: Timer | None = None
        self._listed_width = 0  # the list's width when its rows were last laid out

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Static(id="exports-target")
        actions = Horizontal(id="exports-actions")
        actions.display = False  # nothing under the cursor yet: no button
        with actions:
            yield Button("New export (e)", id="exports-new", compact=True)
        with Horizontal(id="exports-progress"):
            yield ProgressBar(total=None, show_eta=False, show_percentage=False, id="exports-bar")
            yield Static(id="exports-elapsed")
        yield OptionList(id="exports-list")
        yield Static(id="exports-detail")
        yield Static(id="exports-preview-title")
        preview = PreviewTable(id="exports-preview")
        preview.display = False
        yield preview
        yield Static(id="exports-picture")

    def on_mount(self) -> None:
        self._render_target()

    @property
    def list_view(self) -> OptionList:
        """The exports of the object under the cursor: one option each, newest first."""
        return self.query_one("#exports-list", OptionList)

    @property
    def preview_table(self) -> PreviewTable:
        return self.query_one("#exports-preview", PreviewTable)

    # ------------------------------------------------------------------ the side pane's calls

    def connect(self, client: PostHogClient, status: StatusBoard, download_dir: Path) -> None:
        """Exports are made with ``client``, said on ``status``, saved in ``download_dir``."""
        self.client = client
        self.status = status
        self.download_dir = download_dir
        if self.is_on_screen:
            self.refresh_list()

    def focus_main(self) -> None:
        self.list_view.focus()

    def show(self, entry: FileSystemEntry | None) -> None:
        """The cursor moved to ``entry``. Fetch nothing unless this tab is on screen."""
        same = (
            entry is not None
            and self.entry is not None
            and (entry.type, entry.ref) == (self.entry.type, self.entry.ref)
        )
        self.entry = entry
        if not same:
            self.target = None
            self.assets = {}
            self.list_view.clear_options()
            self._clear_preview()
        self._render_target()
        if self.is_on_screen:
            self.refresh_list()

    def on_show(self) -> None:
        self.refresh_list()

    def exportable(self) -> bool:
        entry = self.entry
        return entry is not None and entry.type in EXPORTABLE and bool(entry.ref)

    # ------------------------------------------------------------------ drawing

    def _render_target(self) -> None:
        entry = self.entry
        line = Text()
        if entry is None:
            line.append("Nothing selected.", style="dim")
        elif not self.exportable():
            line.append("Exports are for insights and dashboards.", style="dim")
        else:
            line.append(labels.icon(entry.type) + " ")
            line.append_text(labels.literal(labels.entry_name(entry)))
            line.append(f"  {labels.type_name(entry.type)}", style="dim")
        self.query_one("#exports-target", Static).update(line)
        exportable = self.exportable()
        # No button offering what the entry cannot have. The (empty) list stays: tab still
        # has a stop in the pane. Set on the widget, not as a class on the tab: a class
        # restyles the tab's whole subtree (~20 ms a cursor move while paging); a display
        # left as it was costs nothing.
        self.query_one("#exports-actions").display = exportable
        if not exportable:
            self._say_detail(Text())

    def rows(self) -> list[tuple[str, str, str, str]]:
        """What the list shows, top to bottom: (format, created, state, file name)."""
        return [
            (
                format_name(asset.export_format),
                created_text(asset),
                self._state(asset).plain,
                labels.visible(asset.filename or f"export {asset.id}"),
            )
            for asset in self.listed()
        ]

    def listed(self) -> list[ExportedAsset]:
        return sorted(self.assets.values(), key=_newest_first)

    def _render_list(self) -> None:
        if not self.is_attached or not self.query("#exports-list"):
            return  # a worker's late answer while the app closes: nothing left to draw
        options = self.list_view
        keep = options.highlighted or 0
        options.clear_options()
        listed = self.listed()
        # Columns for the width the list has now: on_resize lays them out again.
        width = options.scrollable_content_region.width or LIST_WIDTH_UNKNOWN
        self._listed_width = width
        states = {asset.id: self._state(asset) for asset in listed}
        widths = (
            max((len(format_name(a.export_format)) for a in listed), default=0),
            max((state.cell_len for state in states.values()), default=0),
        )
        for asset in listed:
            prompt = export_row_line(
                format_name(asset.export_format),
                states[asset.id],
                created_text(asset),
                widths=widths,
                width=width,
            )
            prompt.append("\n")
            name = labels.literal(asset.filename or f"export {asset.id}")
            name.stylize("dim")
            prompt.append_text(name)
            prompt.no_wrap = True  # a long name ends in "…", never cut mid-word
            prompt.overflow = "ellipsis"
            options.add_option(Option(prompt, id=str(asset.id)))
        if options.option_count:
            options.highlighted = min(keep, options.option_count - 1)
        self._describe_highlighted()

    def on_resize(self) -> None:
        # After the list has its new width: its columns are laid out for it.
        self.call_after_refresh(self._relayout_list)

    def _relayout_list(self) -> None:
        if not self.is_attached or not self.query("#exports-list"):
            return
        width = self.list_view.scrollable_content_region.width
        if self.assets and width and width != self._listed_width:
            self._render_list()

    def _state(self, asset: ExportedAsset) -> Text:
        if asset.exception:
            return Text("failed", style="bold red")
        if asset.has_content:
            size = self.sizes.get(asset.id)
            return Text("ready" + (f" · {human_size(size)}" if size is not None else ""))
        return Text("making…", style="italic")

    def _describe_highlighted(self) -> None:
        asset = self._highlighted()
        if asset is None:
            self._say_detail(
                Text("No exports of this yet: e makes one.", style="dim")
                if self.target is not None and not self.assets
                else Text()
            )
        elif asset.exception:
            message = Text("✗ Failed: ")
            message.append_text(labels.literal(asset.exception, max_length=1000))
            message.no_wrap = False
            self._say_detail(message, failed=True)
        elif asset.has_content:
            message = labels.literal(asset.filename or f"export {asset.id}", max_length=1000)
            message.append(" · enter: download again", style="dim")
            self._say_detail(message)
        else:
            self._say_detail(Text("The server is still making it.", style="dim"))

    def _say_detail(self, text: Text, *, failed: bool = False) -> None:
        text.no_wrap = False
        text.overflow = "fold"
        detail = self.query_one("#exports-detail", Static)
        detail.update(text)
        detail.set_class(failed, "failed")

    def _highlighted(self) -> ExportedAsset | None:
        options = self.list_view
        if options.highlighted is None or not options.option_count:
            return None
        key = options.get_option_at_index(options.highlighted).id
        return self.assets.get(int(key)) if key is not None else None

    @on(OptionList.OptionHighlighted, "#exports-list")
    def _row_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self._describe_highlighted()

    # ------------------------------------------------------------------ listing

    def refresh_list(self) -> None:
        if self.client is not None and self.exportable():
            self._load_list(self.entry)

    @work(exclusive=True, group="exports-list")
    async def _load_list(self, entry: FileSystemEntry | None) -> None:
        assert self.client is not None
        await anyio.sleep(DEBOUNCE_S)
        try:
            target = await self._resolve(entry)
            if target is None or entry is not self.entry:
                return
            self.target = target
            assets = await self.client.exports.list_for(target, max_pages=MAX_LIST_PAGES)
        except ApiError as error:
            self._say_detail(Text(describe(error)), failed=True)
            return
        if entry is not self.entry:
            return
        self.assets = {asset.id: asset for asset in assets}
        self._render_list()

    async def _resolve(self, entry: FileSystemEntry | None) -> Target | None:
        """The insight's numeric id from its short id (cached), or the dashboard's id."""
        if entry is None or entry.type not in EXPORTABLE or not entry.ref:
            return None
        assert self.client is not None
        found = self._short_ids.get(entry.ref) if entry.type == "insight" else None
        if found is not None:
            return Target("insight", found, labels.entry_name(entry))
        target = await self.client.exports.target_of(entry)
        if target.kind == "insight":
            self._short_ids[entry.ref] = target.id
        return target

    # ------------------------------------------------------------------ a new export

    @on(Button.Pressed, "#exports-new")
    def _new_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.choose()

    def choose(self) -> None:
        """Ask for a format for the entry under the cursor, then export it."""
        entry = self.entry
        if self.client is None:
            self.status.fail("Not connected yet")
            return
        if entry is None or not self.exportable():
            self.status.fail("Exports are for insights and dashboards")
            return
        if self.running is not None:
            self.status.fail("An export is running: esc in the Exports list cancels it")
            return
        title = labels.literal(labels.entry_name(entry))

        def chosen(format: ExportFormat | None) -> None:
            if format is not None:
                # The focus goes back where it was (the tree, for e): the export runs in
                # the background; tab reaches this list, where esc cancels it.
                self._export_worker = self._export(entry, format)

        self.app.push_screen(ExportFormatScreen(title, EXPORTABLE[entry.type]), chosen)

    @work(exclusive=True, group="export")
    async def _export(self, entry: FileSystemEntry, format: ExportFormat) -> None:
        assert self.client is not None
        try:
            target = await self._resolve(entry)
        except ApiError as error:
            self.status.fail(describe(error))
            return
        assert target is not None
        what = f"{format_name(format)} of {labels.visible(target.name)}"
        running = Running(
            target, format, self.status.busy(f"exporting {what}…", replaces_message=True)
        )
        self.running = running
        self._start_progress()
        path: Path | None = None
        try:
            asset = await self.client.exports.create_for(target, format)
            self._merge(asset)

            def polled(elapsed: float, current: ExportedAsset) -> None:
                running.polls += 1
                self._tick()

            asset = await self.client.exports.wait(
                asset, timeout=EXPORT_TIMEOUT, on_progress=polled
            )
            self._merge(asset)
            path = await self.client.exports.download(asset, self.download_dir)
            self.sizes[asset.id] = path.stat().st_size
            self._merge(asset)
        except (ApiError, OSError) as error:
            self.status.fail(_export_failure("Export failed", error))
        except asyncio.CancelledError:
            self._stop_progress(running)
            self.status.say("Export cancelled")
            raise
        finally:
            self._stop_progress(running)
        self.refresh_list()
        if path is not None:
            self.status.say(f"Saved {path}", Level.SUCCESS)
            if format.is_table:
                self._preview(path)
            elif format is ExportFormat.PNG:
                self._preview_picture(path)

    def _merge(self, asset: ExportedAsset) -> None:
        """Show what is known of ``asset`` now, if it belongs in the list on screen."""
        if self.target is not None and self.target.owns(asset):
            self.assets[asset.id] = asset
            self._render_list()

    def _start_progress(self) -> None:
        self.add_class("running")
        self._ticker = self.set_interval(TICK_S, self._tick)
        self._tick()
        self.refresh_bindings()

    def _tick(self) -> None:
        running = self.running
        if running is None:
            return
        seconds = int(running.work.elapsed)
        what = running.what
        waiting = " · the server is making it" if running.polls else ""
        elapsed = Text(f"{what} · {seconds} s{waiting}")
        elapsed.append(" · esc in this list cancels", style="dim")
        self.query_one("#exports-elapsed", Static).update(elapsed)
        running.work.update(f"exporting {what}… {seconds} s")

    def _stop_progress(self, running: Running) -> None:
        running.work.end()
        if self.running is not running:
            return
        self.running = None
        if self._ticker is not None:
            self._ticker.stop()
            self._ticker = None
        self.remove_class("running")
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_export":
            return self.running is not None
        if action == "toggle_preview_focus":
            return self.preview_table.display
        return True

    def action_toggle_preview_focus(self) -> None:
        preview = self.preview_table
        if preview.has_focus:
            self.list_view.focus()
        else:
            preview.focus()

    def action_cancel_export(self) -> None:
        worker = self._export_worker
        running = self.running
        if worker is None or running is None:
            return
        worker.cancel()
        self._stop_progress(running)
        self.status.say("Export cancelled")

    # ------------------------------------------------------------------ downloading again

    @on(OptionList.OptionSelected, "#exports-list")
    def _row_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        key = event.option.id
        asset = self.assets.get(int(key)) if key is not None else None
        if asset is None:
            return
        if asset.exception:
            self.status.fail(f"That export failed: {labels.visible(asset.exception)}")
            return
        self._download_again(asset)

    @work(exclusive=True, group="exports-download")
    async def _download_again(self, asset: ExportedAsset) -> None:
        assert self.client is not None
        name = labels.visible(asset.filename or f"export {asset.id}")
        path: Path | None = None
        try:
            with self.status.busy(f"downloading {name}…"):
                path = await self.client.exports.download(asset, self.download_dir)
        except (ApiError, OSError) as error:
            self.status.fail(_export_failure("That export failed", error))
        if path is None:
            return
        self.sizes[asset.id] = path.stat().st_size
        if asset.id in self.assets:
            self._render_list()
        self.status.say(f"Saved {path}", Level.SUCCESS)
        known = asset.format
        if known is not None and known.is_table:
            self._preview(path)
        elif known is ExportFormat.PNG:
            self._preview_picture(path)

    # ------------------------------------------------------------------ preview

    async def _read_aside(self, path: Path, read: Callable[[Path], T], verb: str) -> T | None:
        """``read(path)`` in a thread; a damaged file is a message ("Could not ``verb``
        …"), never a crash: then None."""
        try:
            return await anyio.to_thread.run_sync(read, path)
        except Exception as error:
            self.status.fail(f"Could not {verb} {path.name}: {labels.visible(str(error))}")
            return None

    @work(exclusive=True, group="exports-preview")
    async def _preview(self, path: Path) -> None:
        table = await self._read_aside(path, read_table, "preview")
        if table is not None:
            self._show_preview(path, table)

    @work(exclusive=True, group="exports-preview")
    async def _preview_picture(self, path: Path) -> None:
        """A PNG export drawn in the tab, in cells (see :mod:`cell_picture`)."""
        picture = await self._read_aside(path, load_picture, "show")
        if picture is None:
            return
        self._clear_preview()
        self.preview_path = path
        title = Text("Picture: ", style="bold")
        title.append_text(labels.literal(path.name, max_length=120))
        self.query_one("#exports-preview-title", Static).update(title)
        self.picture = picture
        shown = self.picture_view
        shown.update(CellPicture(picture))
        shown.display = True

    @property
    def picture_view(self) -> Static:
        """Where a PNG export is drawn (hidden when there is none)."""
        return self.query_one("#exports-picture", Static)

    def _show_preview(self, path: Path, table: Table) -> None:
        self.picture_view.display = False
        self.preview_path = path
        preview = self.preview_table
        preview.clear(columns=True)
        for header in table.headers:
            preview.add_column(labels.literal(header, max_length=40))
        for row in table.rows:
            # Text, not str: a DataTable parses a str cell as markup ("[/]" would crash it).
            preview.add_row(*(labels.literal(cell) for cell in row))
        shown = len(table.rows)
        more = f"first {shown} rows" if table.more else f"{shown} rows"
        title = Text(f"Preview ({more}{', empty' if not table.headers else ''}): ", style="bold")
        title.append_text(labels.literal(path.name, max_length=120))
        self.query_one("#exports-preview-title", Static).update(title)
        preview.display = True
        self.refresh_bindings()

    def _clear_preview(self) -> None:
        self.preview_path = None
        self.preview_table.clear(columns=True)
        self.preview_table.display = False
        self.picture = None
        self.picture_view.display = False
        self.picture_view.update("")
        self.refresh_bindings()
        self.query_one("#exports-preview-title", Static).update("")


def _newest_first(asset: ExportedAsset) -> tuple[float, int]:
    created = asset.created_at.timestamp() if asset.created_at is not None else 0.0
    return (-created, -asset.id)


__all__ = ["PREVIEW_ROWS", "ExportsTab", "Target"]


def _export_failure(failed: str, error: ApiError | OSError) -> str:
    """What the status line says when making or saving an export went wrong: the server's
    reason for a failed export (after ``failed``), the API's words, or the disk's."""
    if isinstance(error, ExportFailedError):
        return f"{failed}: {labels.visible(error.detail or error.message)}"
    if isinstance(error, ApiError):
        return describe(error)
    return f"Could not save the export: {labels.visible(str(error))}"
