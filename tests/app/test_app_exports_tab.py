"""The Exports tab against a real local server: every format reaches the download folder
with the right bytes, the polling path (``export_delay``), cancel, failures in the server's
words, the list of earlier exports, downloading again, the CSV preview."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]
from PIL import Image
from support import ADMIN_KEY, LiveServer
from support.app_harness import loaded, move_cursor_to, new_app, settle, slow_export_server, tree_of
from textual.pilot import Pilot
from textual.widgets import Static

from tui.api import PostHogClient
from tui.app.app import HogtreeApp
from tui.app.screens.export_format import ExportFormatScreen
from tui.app.widgets.cell_picture import MAX_KEPT_WIDTH
from tui.app.widgets.exports_tab import ExportsTab
from tui.server import export_sources

pytestmark = pytest.mark.anyio

INSIGHT = "Marketing/Weekly signups"
DASHBOARD = "Marketing/Growth dashboard"
FORMATS = ["PNG", "PDF", "CSV", "XLSX"]  # the chooser's order for an insight
MAGIC = {"PNG": b"\x89PNG\r\n\x1a\n", "PDF": b"%PDF", "XLSX": b"PK\x03\x04"}


@pytest.fixture
def slow_server(tmp_path: Path, demo_database: Path) -> Iterator[LiveServer]:
    """The demo project on a server that makes exports in the background, a second later
    (the older PostHog behaviour: the client polls)."""
    with slow_export_server(tmp_path, demo_database, 1.0) as server:
        yield server


@pytest.fixture
def slower_server(tmp_path: Path, demo_database: Path) -> Iterator[LiveServer]:
    """As slow_server, with time enough to cancel on a busy machine."""
    with slow_export_server(tmp_path, demo_database, 3.0) as server:
        yield server


def files_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if not p.name.startswith("."))


def tab_of(app: HogtreeApp) -> ExportsTab:
    return app.query_one(ExportsTab)


def text_of(app: HogtreeApp, selector: str) -> str:
    return str(app.query_one(selector, Static).render())


def entry_ref(server: LiveServer, path: str) -> str:
    with server.client() as http:
        results = http.get("file_system/", params={"path": path}).json()["results"]
    ref: str = results[0]["ref"]
    return ref


def insight_id(server: LiveServer, path: str = INSIGHT) -> int:
    with server.client() as http:
        found = http.get("insights/", params={"short_id": entry_ref(server, path)}).json()
    number: int = found["results"][0]["id"]
    return number


def served(server: LiveServer, asset_id: int) -> bytes:
    with server.client() as http:
        response = http.get(f"exports/{asset_id}/content/")
        response.raise_for_status()
        return response.content


def newest_export(server: LiveServer) -> dict[str, object]:
    with server.client() as http:
        first: dict[str, object] = http.get("exports/").json()["results"][0]
        return first


async def cursor_on(pilot: Pilot[None], path: str) -> HogtreeApp:
    app = await loaded(pilot)
    tree = tree_of(app)
    folder = path.rsplit("/", 1)[0]
    await move_cursor_to(pilot, folder)
    await pilot.press("l")
    await settle(pilot, lambda: folder in tree.folders and tree.folders[folder].total is not None)
    await move_cursor_to(pilot, path)
    return app


async def export(pilot: Pilot[None], format: str, formats: list[str] = FORMATS) -> None:
    """``e``, then the format chosen in the dialog (PNG is highlighted first)."""
    app = pilot.app
    await pilot.press("e")
    await settle(pilot, lambda: isinstance(app.screen, ExportFormatScreen))
    await pilot.press(*["down"] * formats.index(format), "enter")


async def saved_file(pilot: Pilot[None], folder: Path) -> Path:
    app = pilot.app
    assert isinstance(app, HogtreeApp)
    await settle(pilot, lambda: bool(files_in(folder)) and app.status.message.startswith("Saved"))
    (path,) = files_in(folder)
    assert app.status.message == f"Saved {path}"  # the full path
    return path


@pytest.mark.parametrize("format", FORMATS)
async def test_each_format_of_an_insight_reaches_the_download_folder(
    demo_server: LiveServer, downloads: Path, format: str
) -> None:
    app = new_app(demo_server.url, ADMIN_KEY, download_dir=downloads)
    async with app.run_test(size=(120, 40)) as pilot:
        await cursor_on(pilot, INSIGHT)
        await export(pilot, format)
        path = await saved_file(pilot, downloads)
        asset = newest_export(demo_server)
        assert asset["insight"] == insight_id(demo_server)
        assert path.name == asset["filename"]
        content = path.read_bytes()
        assert content == served(demo_server, int(str(asset["id"])))
        if format == "CSV":
            rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
            assert len(rows) > 1 and rows[0]
        else:
            assert content.startswith(MAGIC[format])
        # the new export is listed, newest first
        tab = tab_of(app)
        await settle(pilot, lambda: bool(tab.rows()))
        assert tab.listed()[0].id == asset["id"]
        assert tab.rows()[0][0] == format and tab.rows()[0][3] == path.name
        assert path.name in str(tab.list_view.get_option_at_index(0).prompt)


async def test_a_dashboard_exports_as_png_or_pdf_only(
    demo_server: LiveServer, downloads: Path
) -> None:
    app = new_app(demo_server.url, ADMIN_KEY, download_dir=downloads)
    async with app.run_test(size=(120, 40)) as pilot:
        await cursor_on(pilot, DASHBOARD)
        await pilot.press("e")
        await settle(pilot, lambda: isinstance(app.screen, ExportFormatScreen))
        chooser = app.screen
        assert isinstance(chooser, ExportFormatScreen)
        assert [f.name for f in chooser.formats] == ["PNG", "PDF"]
        await pilot.press("enter")  # PNG, selected by default
        path = await saved_file(pilot, downloads)
        assert path.read_bytes().startswith(MAGIC["PNG"])
        asset = newest_export(demo_server)
        assert asset["dashboard"] == int(entry_ref(demo_server, DASHBOARD))
        assert path.read_bytes() == served(demo_server, int(str(asset["id"])))


async def test_other_entries_say_exports_are_for_insights_and_dashboards(
    demo_server: LiveServer, downloads: Path
) -> None:
    app = new_app(demo_server.url, ADMIN_KEY, download_dir=downloads)
    async with app.run_test(size=(120, 40)) as pilot:
        await cursor_on(pilot, "Marketing/Campaigns")
        await pilot.press("e")
        await settle(pilot)
        assert not isinstance(app.screen, ExportFormatScreen)
        assert "insights and dashboards" in text_of(app, "#exports-target")
        # No button offering what the entry cannot have.
        tab = app.query_one(ExportsTab)
        assert not tab.query_one("#exports-actions").display
        assert files_in(downloads) == []
        await move_cursor_to(pilot, "Marketing/Weekly signups")  # Marketing is open
        assert tab.query_one("#exports-actions").display


async def test_read_only_mode_still_exports(demo_server: LiveServer, downloads: Path) -> None:
    app = new_app(demo_server.url, ADMIN_KEY, download_dir=downloads, read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await cursor_on(pilot, INSIGHT)
        await export(pilot, "PNG")
        path = await saved_file(pilot, downloads)
        assert path.read_bytes().startswith(MAGIC["PNG"])


async def test_csv_rows_equal_what_the_server_serves_and_are_previewed(
    demo_server: LiveServer, downloads: Path
) -> None:
    app = new_app(demo_server.url, ADMIN_KEY, download_dir=downloads)
    async with app.run_test(size=(120, 40)) as pilot:
        await cursor_on(pilot, INSIGHT)
        await export(pilot, "CSV")
        path = await saved_file(pilot, downloads)
        asset = newest_export(demo_server)
        served_csv = served(demo_server, int(str(asset["id"]))).decode()
        expected = list(csv.reader(io.StringIO(served_csv)))
        with path.open(newline="") as handle:
            assert list(csv.reader(handle)) == expected
        tab = tab_of(app)
        await settle(pilot, lambda: tab.preview_table.display and tab.preview_table.row_count > 0)
        preview = tab.preview_table
        assert [str(c.label) for c in preview.columns.values()] == expected[0]
        assert [[str(v) for v in preview.get_row_at(i)] for i in range(preview.row_count)] == (
            expected[1 : 1 + preview.row_count]
        )
        assert path.name in text_of(app, "#exports-preview-title")
        # tab reaches the list, p the preview, whose cursor moves with j/k/g/G
        await pilot.press("tab", "p")
        await settle(pilot, lambda: preview.has_focus)
        await pilot.press("j", "j", "k")
        assert preview.cursor_row == 1
        await pilot.press("G")
        assert preview.cursor_row == preview.row_count - 1 > 1
        await pilot.press("g")
        assert preview.cursor_row == 0
        await pilot.press("p")
        assert tab.list_view.has_focus


async def test_an_export_keeps_the_focus_on_the_tree(
    demo_server: LiveServer, downloads: Path
) -> None:
    app = new_app(demo_server.url, ADMIN_KEY, download_dir=downloads)
    async with app.run_test(size=(120, 40)) as pilot:
        await cursor_on(pilot, INSIGHT)
        await pilot.press("e")
        await settle(pilot, lambda: isinstance(app.screen, ExportFormatScreen))
        await pilot.press("enter")  # PNG
        await settle(pilot, lambda: not isinstance(app.screen, ExportFormatScreen))
        assert tree_of(app).has_focus
        assert app.query_one("#side").tabs.active == "exports"  # type: ignore[attr-defined]
        path = await saved_file(pilot, downloads)
        assert tree_of(app).has_focus
        asset = newest_export(demo_server)
        assert asset["export_format"] == "image/png"
        assert path.read_bytes() == served(demo_server, int(str(asset["id"])))


async def test_xlsx_is_previewed_too(demo_server: LiveServer, downloads: Path) -> None:
    app = new_app(demo_server.url, ADMIN_KEY, download_dir=downloads)
    async with app.run_test(size=(120, 40)) as pilot:
        await cursor_on(pilot, INSIGHT)
        await export(pilot, "XLSX")
        path = await saved_file(pilot, downloads)
        tab = tab_of(app)
        await settle(pilot, lambda: tab.preview_table.display and tab.preview_table.row_count > 0)
        # what openpyxl reads from the same file, numbers as the sheet stores them
        sheet = load_workbook(path, read_only=True).worksheets[0]
        expected = [
            ["" if v is None else _number_text(v) for v in row]
            for row in sheet.iter_rows(values_only=True)
        ]
        preview = tab.preview_table
        assert [str(c.label) for c in preview.columns.values()] == expected[0]
        shown = [[str(v) for v in preview.get_row_at(i)] for i in range(preview.row_count)]
        assert shown == expected[1 : 1 + preview.row_count]


def _number_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


async def test_the_polling_path_shows_progress_then_the_file(
    slow_server: LiveServer, downloads: Path
) -> None:
    app = new_app(slow_server.url, ADMIN_KEY, download_dir=downloads)
    async with app.run_test(size=(120, 40)) as pilot:
        await cursor_on(pilot, INSIGHT)
        tab = tab_of(app)
        await export(pilot, "PNG")
        # the server answered before the file was ready: polling, with progress shown
        await settle(pilot, lambda: tab.running is not None and tab.running.polls > 0)
        assert tab.has_class("running")
        assert app.status.work.startswith("exporting PNG of Weekly signups")
        assert "the server is making it" in text_of(app, "#exports-elapsed")
        assert files_in(downloads) == []
        # the tree keeps the focus and answers while the export runs
        assert tree_of(app).has_focus
        before = tree_of(app).cursor_line
        await pilot.press("k")
        assert tree_of(app).cursor_line == before - 1
        await pilot.press("j")
        path = await saved_file(pilot, downloads)
        assert path.read_bytes().startswith(MAGIC["PNG"])
        assert not tab.has_class("running") and app.status.work == ""


async def test_esc_cancels_an_export_and_writes_nothing(
    slower_server: LiveServer, downloads: Path
) -> None:
    app = new_app(slower_server.url, ADMIN_KEY, download_dir=downloads)
    async with app.run_test(size=(120, 40)) as pilot:
        await cursor_on(pilot, INSIGHT)
        tab = tab_of(app)
        await export(pilot, "CSV")
        await settle(pilot, lambda: tab.running is not None and tab.running.polls > 0)
        assert tree_of(app).has_focus  # the export runs in the background
        await pilot.press("tab")  # the Exports list, where esc cancels
        await settle(pilot, lambda: tab.list_view.has_focus)
        await pilot.press("escape")
        await settle(pilot)
        assert tab.running is None and not tab.has_class("running")
        assert app.status.message == "Export cancelled"
        assert app.status.work == ""
        assert files_in(downloads) == []
        # the server finishes it meanwhile (it cannot be deleted): still nothing is saved
        exported = newest_export(slower_server)
        with slower_server.client() as http:
            await settle(
                pilot, lambda: http.get(f"exports/{exported['id']}/").json()["has_content"]
            )
        await settle(pilot)
        assert list(downloads.iterdir()) == []


async def test_a_failed_export_shows_the_servers_exception(
    demo_server: LiveServer, downloads: Path
) -> None:
    # The local server cannot make videos: the asset records why, in `exception`.
    number = insight_id(demo_server)
    async with PostHogClient(demo_server.url, 1, ADMIN_KEY, max_retries=0) as client:
        failed = await client.exports.create("video/mp4", insight=number)
    assert failed.exception and "not supported" in failed.exception
    app = new_app(demo_server.url, ADMIN_KEY, download_dir=downloads)
    async with app.run_test(size=(120, 40)) as pilot:
        await cursor_on(pilot, INSIGHT)
        side = app.query_one("#side")
        side.tabs.active = "exports"  # type: ignore[attr-defined]
        tab = tab_of(app)
        await settle(pilot, lambda: tab.list_view.option_count == 1)
        (row,) = tab.rows()
        assert row[0] == "video/mp4" and row[2] == "failed"
        assert failed.exception in text_of(app, "#exports-detail").replace("\n", "")
        # enter on it says the same, and writes nothing
        tab.list_view.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert failed.exception in app.status.error
        assert files_in(downloads) == []


async def test_the_list_shows_earlier_exports_and_enter_downloads_again(
    demo_server: LiveServer, downloads: Path
) -> None:
    number = insight_id(demo_server)
    async with PostHogClient(demo_server.url, 1, ADMIN_KEY, max_retries=0) as client:
        pdf = await client.exports.create("application/pdf", insight=number)
        csv_asset = await client.exports.create("text/csv", insight=number)
        # another object's export is not listed
        await client.exports.create("image/png", dashboard=int(entry_ref(demo_server, DASHBOARD)))
    app = new_app(demo_server.url, ADMIN_KEY, download_dir=downloads)
    async with app.run_test(size=(120, 40)) as pilot:
        await cursor_on(pilot, INSIGHT)
        app.query_one("#side").tabs.active = "exports"  # type: ignore[attr-defined]
        tab = tab_of(app)
        await settle(pilot, lambda: tab.list_view.option_count == 2)
        rows = tab.rows()
        assert [r[0] for r in rows] == ["CSV", "PDF"]  # newest first
        assert [r[3] for r in rows] == [csv_asset.filename, pdf.filename]
        assert all(r[2].startswith("ready") for r in rows)
        tab.list_view.focus()
        await pilot.press("down", "enter")  # the PDF
        path = await saved_file(pilot, downloads)
        assert path.read_bytes() == served(demo_server, pdf.id)
        await settle(pilot, lambda: "kB" in tab.rows()[1][2])  # its size, once known
        # again: a second file beside the first, never over it
        await pilot.press("enter")
        await settle(pilot, lambda: len(files_in(downloads)) == 2)
        assert files_in(downloads)[1].read_bytes() == served(demo_server, pdf.id)


async def test_the_server_is_asked_for_nothing_while_the_tab_is_hidden(
    demo_server: LiveServer, downloads: Path
) -> None:
    app = new_app(demo_server.url, ADMIN_KEY, download_dir=downloads)
    async with app.run_test(size=(120, 40)) as pilot:
        await cursor_on(pilot, INSIGHT)
        tab = tab_of(app)
        assert tab.target is None and tab.list_view.option_count == 0
        app.query_one("#side").tabs.active = "exports"  # type: ignore[attr-defined]
        await settle(pilot, lambda: tab.target is not None)
        target = tab.target
        assert target is not None
        assert target.kind == "insight" and target.id == insight_id(demo_server)
        assert "No exports of this yet" in text_of(app, "#exports-detail")


async def test_an_export_failing_in_the_app_says_why_and_saves_nothing(
    demo_server: LiveServer, downloads: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*args: object) -> object:
        raise RuntimeError("the chart renderer ran out of ink")

    # A fault the real server cannot be made to produce: it runs in this process.
    monkeypatch.setattr(export_sources, "gather", explode)
    app = new_app(demo_server.url, ADMIN_KEY, download_dir=downloads)
    async with app.run_test(size=(120, 40)) as pilot:
        await cursor_on(pilot, INSIGHT)
        await export(pilot, "PDF")
        await settle(pilot, lambda: bool(app.status.error))
        assert app.status.error == "Export failed: RuntimeError: the chart renderer ran out of ink"
        tab = tab_of(app)
        await settle(pilot, lambda: bool(tab.rows()))
        assert tab.rows()[0][:3:2] == ("PDF", "failed")
        assert "ran out of ink" in text_of(app, "#exports-detail")
        assert tab.running is None and app.status.work == ""
        assert list(downloads.iterdir()) == []


async def test_a_damaged_table_file_is_a_message_not_a_crash(
    demo_server: LiveServer, downloads: Path
) -> None:
    broken = downloads / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    app = new_app(demo_server.url, ADMIN_KEY, download_dir=downloads)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        tab_of(app)._preview(broken)
        await settle(pilot)
        assert app.status.error.startswith("Could not preview broken.xlsx")
        assert app.is_running


async def test_the_new_export_button_opens_the_chooser_too(
    demo_server: LiveServer, downloads: Path
) -> None:
    app = new_app(demo_server.url, ADMIN_KEY, download_dir=downloads)
    async with app.run_test(size=(120, 40)) as pilot:
        await cursor_on(pilot, DASHBOARD)
        app.query_one("#side").tabs.active = "exports"  # type: ignore[attr-defined]
        await settle(pilot, lambda: tab_of(app).target is not None)
        await pilot.click("#exports-new")
        await settle(pilot, lambda: isinstance(app.screen, ExportFormatScreen))
        chooser = app.screen
        assert isinstance(chooser, ExportFormatScreen)
        chooser.query_one("#export-formats").action_cursor_down()  # type: ignore[attr-defined]
        chooser.query_one("#export-formats").action_select()  # type: ignore[attr-defined]
        path = await saved_file(pilot, downloads)
        assert path.suffix == ".pdf" and path.read_bytes().startswith(MAGIC["PDF"])


async def test_the_list_lays_its_columns_out_again_on_every_resize(
    demo_server: LiveServer,
) -> None:
    # A format wider than the others (the local server fails videos, and says so).
    number = insight_id(demo_server)
    async with PostHogClient(demo_server.url, 1, ADMIN_KEY, max_retries=0) as client:
        await client.exports.create("video/mp4", insight=number)
        await client.exports.create("image/png", insight=number)
    app = new_app(demo_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        await cursor_on(pilot, INSIGHT)
        await pilot.press("2")
        tab = tab_of(app)
        await settle(pilot, lambda: tab.list_view.option_count == 2)
        assert sorted(row[0] for row in tab.rows()) == ["PNG", "video/mp4"]
        for size, dated in (((120, 40), True), ((60, 15), False), ((120, 40), True)):
            await pilot.resize_terminal(*size)
            await settle(pilot)
            await pilot.pause(0.1)
            lines = ["".join(s.text for s in tab.list_view.render_line(y)).rstrip() for y in (0, 2)]
            for line, (format, created, state, _) in zip(lines, tab.rows(), strict=True):
                # the format, two spaces at least, the state whole, then the date if room
                assert line.startswith(format + "  "), line
                assert line.split()[1] == state.split()[0], line
                assert (created in line) is dated, line
                assert "…" not in line, line
            # the states, and the dates, start in the same column on every row
            starts = {line.index(row[2]) for line, row in zip(lines, tab.rows(), strict=True)}
            assert len(starts) == 1, lines
            if dated:
                dates = {line.index(row[1]) for line, row in zip(lines, tab.rows(), strict=True)}
                assert len(dates) == 1, lines


async def test_a_png_export_is_shown_in_the_tab_as_the_server_made_it(
    demo_server: LiveServer, downloads: Path
) -> None:
    app = new_app(demo_server.url, ADMIN_KEY, download_dir=downloads)
    async with app.run_test(size=(120, 40)) as pilot:
        await cursor_on(pilot, INSIGHT)
        await export(pilot, "PNG")
        path = await saved_file(pilot, downloads)
        tab = tab_of(app)
        await settle(pilot, lambda: tab.picture_view.display)
        asset = newest_export(demo_server)
        with Image.open(io.BytesIO(served(demo_server, int(str(asset["id"]))))) as made:
            served_size = made.size
        picture = tab.picture
        assert picture is not None
        # The server's picture, scaled down to what a pane can show, never altered.
        scale = min(1.0, MAX_KEPT_WIDTH / served_size[0])
        assert picture.width == round(served_size[0] * scale)
        assert abs(picture.height - served_size[1] * scale) <= 1
        assert path.name in text_of(app, "#exports-preview-title")
        assert not tab.preview_table.display
        # A table export afterwards replaces the picture with its table.
        await export(pilot, "CSV")
        await settle(pilot, lambda: tab.preview_table.display)
        assert not tab.picture_view.display


async def test_a_damaged_picture_is_a_message_not_a_crash(
    demo_server: LiveServer, downloads: Path
) -> None:
    broken = downloads / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    app = new_app(demo_server.url, ADMIN_KEY, download_dir=downloads)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        tab_of(app)._preview_picture(broken)
        await settle(pilot)
        assert app.status.error.startswith("Could not show broken.png")
        assert not tab_of(app).picture_view.display
