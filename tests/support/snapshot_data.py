"""A fixed project for pictures of the app: the same tree, ids, refs and dates every run.

The snapshot tests (tests/app/test_app_snapshots.py) and the screenshot script
(tests/make_screenshots.py) both run the app on a local server over this project and take
the same steps (:data:`SCENES`) before each picture. Nothing here reads a clock or a random
source: entry ids are uuid5 of the path, refs are derived from names, dates are fixed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from textual.containers import VerticalScroll
from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from support import ADMIN_KEY, LiveServer, running_server, server_settings
from support.app_harness import (
    loaded,
    move_cursor_to,
    open_folder,
    open_section,
    settle,
    tree_of,
)
from support.snapshot_charts import add_charts
from tui import paths
from tui.app.app import HogtreeApp
from tui.app.screens.confirm import ConfirmScreen
from tui.app.screens.help import HelpScreen
from tui.app.screens.messages import MessagesScreen
from tui.app.screens.projects import ProjectsScreen
from tui.app.screens.prompt import PromptScreen
from tui.app.screens.search import SearchScreen
from tui.app.status import Level
from tui.app.widgets.tree_rows import GapRow
from tui.server.app import prepare_database
from tui.server.object_types import OBJECT_TYPES
from tui.server.store import accounts, objects, shortcuts, view_log
from tui.server.store import file_system as fs

PROJECT_ID = 1

# Every date in the project counts from here, a fixed step per entry.
EPOCH = datetime(2025, 11, 3, 9, 14, tzinfo=UTC)
ID_NAMESPACE = uuid.UUID("6f1c2a52-5c1e-4d7e-9a51-7c3f0e1b2d40")
_SHORT_ID_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

# Folder (unescaped segments) → its items (type, name), in creation order. Folders are
# created first, in this order, so that every folder has a fixed date too.
TREE: dict[tuple[str, ...], list[tuple[str, str]]] = {
    ("Marketing",): [
        ("insight", "Weekly signups"),
        ("dashboard", "Growth dashboard"),
        ("insight", "Signup funnel"),
        ("cohort", "Newsletter subscribers"),
    ],
    ("Marketing", "Campaigns"): [
        ("insight", "Black Friday traffic"),
        ("dashboard", "Campaign overview"),
        ("feature_flag", "promo-banner"),
        ("survey", "Campaign feedback"),
    ],
    ("Marketing", "Campaigns", "2025"): [
        ("insight", "Spring campaign reach"),
        ("notebook", "Retro: spring campaign"),
    ],
    ("Marketing", "Q4 / Q1 planning"): [
        ("insight", "Launch — conversions"),
    ],
    ("Product",): [
        ("dashboard", "Product health"),
        ("insight", "Daily active users"),
        ("notebook", "Roadmap [2026]"),
        ("insight", "Café ☕ metrics"),
        ("notebook", "[bold]not bold[/bold]"),
        ("link", "Status page"),
    ],
    ("Product", "Onboarding"): [
        ("experiment", "New onboarding flow"),
        ("feature_flag", "onboarding-v2"),
        ("insight", "Onboarding completion"),
        ("action", "Completed onboarding"),
        ("early_access_feature", "Guided tour"),
    ],
    ("Engineering",): [
        ("dashboard", "API latency"),
        ("insight", "Errors per release"),
        ("hog_function/destination", "Slack alerts"),
        ("hog_function/transformation", "GeoIP enrichment"),
        ("session_recording_playlist", "Errors after deploy"),
    ],
    ("Engineering", "Releases"): [
        ("feature_flag", "new-search-backend"),
        ("insight", "Release adoption"),
    ],
    ("Data",): [
        ("notebook", "Tracking plan"),
    ],
    ("Data", "Event catalogue"): [],  # filled with CATALOGUE_SIZE insights below
    ("Team 🦔 notes",): [
        ("notebook", "On-call handbook"),
        ("notebook", "Standup (Mon/Thu)"),
    ],
    ("Unfiled", "Insights"): [
        ("insight", "Signups by country"),
        ("insight", "Untitled trend"),
    ],
    ("Unfiled", "Dashboards"): [
        ("dashboard", "My first dashboard"),
    ],
    ("Unfiled", "Feature Flags"): [
        ("feature_flag", "beta-access"),
    ],
    ("Unfiled", "Surveys"): [
        ("survey", "NPS"),
    ],
    (): [
        ("dashboard", "Company KPIs"),
    ],
}

# A folder with more than two pages of entries, for the rows standing for entries not loaded.
CATALOGUE = ("Data", "Event catalogue")
CATALOGUE_SIZE = 250
CATALOGUE_EVENTS = (
    "$pageview",
    "$autocapture",
    "signed_up",
    "subscription_started",
    "invite_sent",
    "file_uploaded",
    "report_exported",
    "plan_changed",
    "$pageleave",
    "search_performed",
)

# Shortcuts: (folder, path of the original), both as unescaped segments.
SHORTCUTS: list[tuple[tuple[str, ...], tuple[str, ...]]] = [
    (("Marketing",), ("Product", "Onboarding", "Onboarding completion")),
]

# The test key's Shortcuts (PostHog's starred items), as paths of the tree, top to bottom.
STARRED = (
    ("Marketing", "Weekly signups"),
    ("Product", "Onboarding"),
    ("Marketing", "Campaigns", "Campaign overview"),
)
# What the test key's user viewed (newest first: a fixed time each) for Recent.
VIEWED = (
    ("Marketing", "Signup funnel"),
    ("Marketing", "Campaigns", "Black Friday traffic"),
    ("Marketing", "Growth dashboard"),
)
VIEWED_FROM = datetime(2026, 1, 14, 11, 30, tzinfo=UTC)
# The other project the switcher lists, and the picture project's own name.
PROJECT_NAME = "Hedgebox"
SECOND_PROJECT = (2, "Staging")

# The entry whose Details the main picture shows, and when it was last opened.
MAIN_ENTRY = paths.join(("Marketing", "Weekly signups"))
MAIN_ENTRY_VIEWED = "2026-01-12T16:05:00.000000Z"


def _short_id(name: str) -> str:
    """An 8-character PostHog-style short id, the same for the same name."""
    digest = hashlib.sha256(name.encode()).digest()
    return "".join(_SHORT_ID_ALPHABET[b % len(_SHORT_ID_ALPHABET)] for b in digest[:8])


def entry_id(path: str, shortcut: bool = False) -> str:
    """The fixed id of the entry at ``path`` (escaped)."""
    return str(uuid.uuid5(ID_NAMESPACE, f"{path}|{'shortcut' if shortcut else 'entry'}"))


class Filler:
    """Writes entries with dates one step apart, in the order they are written."""

    def __init__(self, conn: sqlite3.Connection, user_id: int) -> None:
        self.conn = conn
        self.user_id = user_id
        self.step = 0

    def moment(self) -> str:
        self.step += 1
        return fs.format_time(EPOCH + timedelta(minutes=97 * self.step))

    def folder(self, segments: tuple[str, ...]) -> None:
        for depth in range(1, len(segments) + 1):
            path = paths.join(segments[:depth])
            if not fs.path_exists(self.conn, PROJECT_ID, path):
                fs.create_entry(
                    self.conn,
                    PROJECT_ID,
                    path=path,
                    type="folder",
                    created_by=self.user_id,
                    created_at=self.moment(),
                )

    def item(self, folder: tuple[str, ...], entry_type: str, name: str) -> sqlite3.Row:
        path = paths.join((*folder, name))
        created_at = self.moment()
        if entry_type == "link":
            return fs.create_entry(
                self.conn,
                PROJECT_ID,
                path=path,
                type="link",
                href="https://status.posthog.example/",
                created_by=self.user_id,
                created_at=created_at,
            )
        obj = objects.create_object(
            self.conn,
            PROJECT_ID,
            entry_type,
            name,
            created_by=self.user_id,
            created_at=created_at,
            short_id=_short_id(f"{entry_type}:{name}"),
        )
        return fs.create_entry(
            self.conn,
            PROJECT_ID,
            path=path,
            type=entry_type,
            ref=obj["ref"],
            href=OBJECT_TYPES[entry_type].href(obj["ref"]),
            meta={"created_at": created_at, "created_by": self.user_id},
            created_by=self.user_id,
            created_at=created_at,
        )

    def shortcut(self, folder: tuple[str, ...], original: tuple[str, ...]) -> None:
        row = self.conn.execute(
            "SELECT type, ref, href, meta FROM file_system"
            " WHERE project_id = ? AND path = ? AND shortcut = 0",
            (PROJECT_ID, paths.join(original)),
        ).fetchone()
        fs.create_entry(
            self.conn,
            PROJECT_ID,
            path=paths.join((*folder, original[-1])),
            type=row["type"],
            ref=row["ref"],
            href=row["href"],
            shortcut=True,
            created_by=self.user_id,
            created_at=self.moment(),
        )


def fill(conn: sqlite3.Connection) -> None:
    """Write the picture project into project 1 (inside the caller's transaction)."""
    user_id = accounts.create_user(conn, "Maya", "Chen", "maya@hogtree.example")
    filler = Filler(conn, user_id)
    for folder in TREE:
        filler.folder(folder)
    for folder, items in TREE.items():
        for entry_type, name in items:
            filler.item(folder, entry_type, name)
    for index in range(CATALOGUE_SIZE):
        event = CATALOGUE_EVENTS[index % len(CATALOGUE_EVENTS)]
        filler.item(CATALOGUE, "insight", f"{event} — view {index + 1:03d}")
    for folder, original in SHORTCUTS:
        filler.shortcut(folder, original)
    conn.execute(
        "UPDATE file_system SET last_viewed_at = ? WHERE project_id = ? AND path = ?",
        (MAIN_ENTRY_VIEWED, PROJECT_ID, MAIN_ENTRY),
    )
    fix_ids(conn)
    add_charts(conn)
    star_and_view(conn)
    accounts.rename_project(conn, PROJECT_ID, PROJECT_NAME)
    second_id, second_name = SECOND_PROJECT
    accounts.ensure_project(conn, second_id, second_name, fs.format_time(EPOCH))
    accounts.rename_project(conn, second_id, second_name)  # the server may have made it


def star_and_view(conn: sqlite3.Connection) -> None:
    """The test key's Shortcuts and view history (its user exists: the server made it)."""
    found = conn.execute(
        "SELECT id FROM users WHERE key_hash = ?", (accounts.key_hash(ADMIN_KEY),)
    ).fetchone()
    assert found is not None, "the picture server's keys have their users by now"
    owner = shortcuts.Owner(PROJECT_ID, int(found[0]))
    for segments in STARRED:
        row = conn.execute(
            "SELECT id, type, ref, href FROM file_system WHERE project_id = ? AND path = ?",
            (PROJECT_ID, paths.join(segments)),
        ).fetchone()
        ref = row["id"] if row["type"] == "folder" else row["ref"]  # as hogtree stars them
        shortcuts.create_shortcut(
            conn,
            owner,
            path=segments[-1],
            type=row["type"],
            ref=ref,
            href=row["href"],
            created_at=fs.format_time(EPOCH),
        )
    viewer = view_log.Viewer(PROJECT_ID, owner.user_id)
    for minutes, segments in enumerate(VIEWED):
        row = conn.execute(
            "SELECT type, ref FROM file_system WHERE project_id = ? AND path = ?",
            (PROJECT_ID, paths.join(segments)),
        ).fetchone()
        when = fs.format_time(VIEWED_FROM - timedelta(minutes=37 * minutes))
        view_log.record_view(conn, viewer, row["type"], row["ref"], when)


def fix_ids(conn: sqlite3.Connection) -> None:
    """Fixed ids, so the Details pane (and any id-keyed order) is the same every run; and
    a check that nothing carries the moment the project was built."""
    rows = conn.execute("SELECT pk, path, shortcut FROM file_system").fetchall()
    for row in rows:
        conn.execute(
            "UPDATE file_system SET id = ? WHERE pk = ?",
            (entry_id(row["path"], bool(row["shortcut"])), row["pk"]),
        )
    late = conn.execute(
        "SELECT COUNT(*) FROM file_system WHERE created_at >= '2027'"
        " OR (last_viewed_at IS NOT NULL AND last_viewed_at >= '2027')"
    ).fetchone()[0]
    assert late == 0, "an entry got the current time"


def build_database(db_path: Path, filler: Callable[[sqlite3.Connection], None] = fill) -> Path:
    """A fresh SQLite file at ``db_path`` holding the picture project (or what ``filler``
    writes)."""
    for stale in (db_path, *(db_path.with_name(db_path.name + s) for s in ("-wal", "-shm"))):
        stale.unlink(missing_ok=True)
    db, _ = prepare_database(server_settings(db_path, "empty"))
    with db.write() as conn:
        filler(conn)
    db.close()  # the last connection to close folds the WAL into the file
    return db_path


def serve_copy(template: Path, db_path: Path) -> Iterator[LiveServer]:
    """A local server on a fresh copy of ``template`` at ``db_path``, dates shown in UTC."""
    shutil.copyfile(template, db_path)
    with running_server(server_settings(db_path, "empty")) as server, utc_clock():
        yield server


class utc_clock:
    """Dates in the Details pane follow the local time zone: pin it to UTC for pictures."""

    def __enter__(self) -> None:
        self.saved = os.environ.get("TZ")
        os.environ["TZ"] = "UTC"
        time.tzset()

    def __exit__(self, *exc: object) -> None:
        if self.saved is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = self.saved
        time.tzset()


# ---------------------------------------------------------------------- the scenes


async def still(pilot: Pilot[None]) -> None:
    """Wait until nothing runs and nothing moves: no worker, no spinner, steady cursors."""
    app = pilot.app
    assert isinstance(app, HogtreeApp)

    def idle() -> bool:
        on_base = app.screen is app.screen_stack[0]
        busy = [
            w
            for w in app.workers
            # under a dialog, the app's worker that opened it waits for the answer
            if not w.is_finished and (on_base or w.node is not app)
        ]
        return app.status.work == "" and not busy

    await settle(pilot, idle)
    for field in app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


async def main_scene(pilot: Pilot[None]) -> None:
    """The top level with Marketing open, the cursor on an insight, its Details shown."""
    await loaded(pilot)
    await open_folder(pilot, "Marketing")
    await move_cursor_to(pilot, MAIN_ENTRY)
    await still(pilot)


async def gap_scene(pilot: Pilot[None]) -> None:
    """Data/Event catalogue after a jump to its 101st entry: the page it landed on, between
    a row standing for the 100 entries above and one for the 50 below."""
    app = pilot.app
    assert isinstance(app, HogtreeApp)
    await loaded(pilot)
    big = paths.join(CATALOGUE)
    await open_folder(pilot, "Data")
    assert app.client is not None
    landing = (await app.client.list_folder(big, offset=100, limit=1)).results[0]
    app.jump_to(landing)
    tree = tree_of(app)
    await settle(pilot, lambda: tree.cursor_entry == landing)
    assert any(isinstance(node.data, GapRow) for node in tree.folders[big].node.children)
    await still(pilot)


async def search_scene(pilot: Pilot[None]) -> None:
    """``/`` and a query: the results as a flat list of paths."""
    app = pilot.app
    await loaded(pilot)
    await pilot.press("slash")
    await pilot.press(*"signup")
    await settle(
        pilot,
        lambda: (
            isinstance(app.screen, SearchScreen)
            and app.screen.query_one("#search-results", OptionList).option_count > 0
            and "found" in str(app.screen.query_one("#search-status").render())
        ),
    )
    await still(pilot)


async def move_scene(pilot: Pilot[None]) -> None:
    """``m`` on an insight: the prompt, with the folders of Marketing to complete."""
    app = pilot.app
    await main_scene(pilot)
    await pilot.press("m")

    def completed() -> bool:
        if not isinstance(app.screen, PromptScreen):
            return False
        field = app.screen.query_one(Input)
        # both the list of folders and the inline suggestion (→ accepts it) are shown
        return app.screen.query_one("#prompt-choices", OptionList).option_count > 0 and len(
            field._suggestion
        ) > len(field.value)

    await settle(pilot, completed)
    await still(pilot)


async def delete_scene(pilot: Pilot[None]) -> None:
    """``d`` on a folder: the confirmation counts what is inside and what else goes."""
    app = pilot.app
    await loaded(pilot)
    await open_folder(pilot, "Marketing")
    await move_cursor_to(pilot, paths.join(("Marketing", "Campaigns")))
    await pilot.press("d")
    await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
    await still(pilot)


async def delete_several_scene(pilot: Pilot[None]) -> None:
    """``d`` on a folder and 11 catalogue insights, marked: a screenful of names, then
    "and 4 more", the entries inside the folder and the objects that go."""
    app = pilot.app
    assert isinstance(app, HogtreeApp)
    await loaded(pilot)
    await open_folder(pilot, "Marketing")
    await move_cursor_to(pilot, paths.join(("Marketing", "Campaigns")))
    await pilot.press("space")
    await open_folder(pilot, "Data")
    await open_folder(pilot, paths.join(CATALOGUE))
    tree = tree_of(app)
    tree.move_cursor(tree.folders[paths.join(CATALOGUE)].node.children[0])
    await settle(pilot)
    await pilot.press(*["space"] * 11)
    await settle(pilot, lambda: len(tree.marks) == 12)
    await pilot.press("d")
    await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
    await still(pilot)


async def delete_shortcut_scene(pilot: Pilot[None]) -> None:
    """``d`` on a shortcut: only the shortcut goes, the object stays."""
    app = pilot.app
    await loaded(pilot)
    await open_folder(pilot, "Marketing")
    await move_cursor_to(pilot, paths.join(("Marketing", SHORTCUTS[0][1][-1])))
    await pilot.press("d")
    await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
    await still(pilot)


async def help_scene(pilot: Pilot[None]) -> None:
    """``?``: every key from the live bindings."""
    app = pilot.app
    await main_scene(pilot)
    await pilot.press("question_mark")
    await settle(pilot, lambda: isinstance(app.screen, HelpScreen))
    await still(pilot)


# What the message log's picture holds: every level, and an error too long for one line.
LOGGED: tuple[tuple[Level, str], ...] = (
    (Level.INFO, "Sorted newest first"),
    (Level.SUCCESS, "Moved 2 entries to Marketing/Campaigns"),
    (Level.WARNING, "Rate limited by the server: try again in 2 s: retrying in 2 s"),
    (
        Level.ERROR,
        "Could not load Marketing/Campaigns: The server failed: https://posthog.example"
        " answered HTTP 502 Bad Gateway with a non-JSON body (text/html); is a proxy in the"
        " way, or is this not a PostHog server? R retries.",
    ),
    (Level.SUCCESS, "Reloaded Marketing (and 1 open folder inside)"),
)


async def messages_scene(pilot: Pilot[None]) -> None:
    """``M``: the message log, every level, a long error wrapped in full, newest last."""
    app = pilot.app
    assert isinstance(app, HogtreeApp)
    await main_scene(pilot)
    start = datetime(2025, 3, 14, 9, 26, 53, tzinfo=UTC)
    for seconds, (level, text) in enumerate(LOGGED):
        app.status.clock = lambda at=start + timedelta(seconds=7 * seconds): at
        app.status.say(text, level)
    await pilot.press("M")
    await settle(pilot, lambda: isinstance(app.screen, MessagesScreen))
    await still(pilot)


async def sections_scene(pilot: Pilot[None]) -> None:
    """Shortcuts and Recent open above the project, the cursor on a recent entry."""
    app = pilot.app
    assert isinstance(app, HogtreeApp)
    await loaded(pilot)
    await open_section(pilot, "shortcuts")
    await open_section(pilot, "recent")
    tree = tree_of(app)
    tree.move_cursor(tree.sections["recent"].node.children[0])
    await still(pilot)


async def projects_scene(pilot: Pilot[None]) -> None:
    """``P``: the projects the key may open, the current one marked."""
    app = pilot.app
    assert isinstance(app, HogtreeApp)
    await loaded(pilot)
    await pilot.press("P")
    await settle(pilot, lambda: isinstance(app.screen, ProjectsScreen) and app.screen.projects)
    await still(pilot)


Scene = Callable[[Pilot[None]], Awaitable[None]]


def chart_scene(*segments: str) -> Scene:
    """The cursor on the insight or dashboard at ``segments`` (its folders opened), the
    Details pane scrolled to its chart."""

    async def scene(pilot: Pilot[None]) -> None:
        await loaded(pilot)
        for depth in range(1, len(segments)):
            await open_folder(pilot, paths.join(segments[:depth]))
        await move_cursor_to(pilot, paths.join(segments))
        await still(pilot)
        app = pilot.app
        chart = app.query_one("#details-chart")
        app.query_one("#details-scroll", VerticalScroll).scroll_to_widget(
            chart, animate=False, top=True
        )
        await still(pilot)

    return scene


CHART_SCENES: dict[str, Scene] = {
    "chart-line": chart_scene("Marketing", "Weekly signups"),
    "chart-bar": chart_scene("Marketing", "Campaigns", "Black Friday traffic"),
    "chart-number": chart_scene("Product", "Daily active users"),
    "chart-funnel": chart_scene("Marketing", "Signup funnel"),
    "chart-table": chart_scene("Product", "Café ☕ metrics"),
    "chart-dashboard": chart_scene("Marketing", "Growth dashboard"),
}

# name → the steps before its picture
SCENES: dict[str, Scene] = {
    "main": main_scene,
    "gap-row": gap_scene,
    "search": search_scene,
    "move": move_scene,
    "delete": delete_scene,
    "delete-several": delete_several_scene,
    "delete-shortcut": delete_shortcut_scene,
    "help": help_scene,
    "messages": messages_scene,
    "sections": sections_scene,
    "projects": projects_scene,
    **CHART_SCENES,
}
