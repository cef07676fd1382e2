"""The app under network faults, driven with Pilot against a real local server.

A :class:`FaultyTransport` sits between the app's client and the server: every request goes
to the server over real HTTP except the ones a test picks to fail. The app must never
crash or show a traceback, must say what happened in plain words, must retry only what is
safe, must never send a change twice on its own, and after a failed change must show what
the server holds. ``tests/api/test_client_faults.py`` covers the client alone; these go
through the app.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from support import ADMIN_KEY, LiveServer, server_settings
from support.app_harness import (
    ServerBackend,
    backend_for,
    held,
    loaded,
    make,
    move_cursor_to,
    new_app,
    open_folder,
    settle,
    visible_names,
)
from support.fault_transport import (
    Fault,
    FaultyTransport,
    action,
    answer,
    captive_portal,
    drop,
    gateway_error,
    late,
    listing,
    refuse,
    throttled,
)
from textual.pilot import Pilot

from tui.app.app import HogtreeApp
from tui.app.screens.confirm import ConfirmScreen
from tui.server.runner import BackgroundServer, start_in_thread

pytestmark = pytest.mark.anyio

# Waits are real here, so keep them short: the first backoff step.
BACKOFF_S = 0.02
RETRIES = 3

# What a user must never read in the status line: Python's words for what went wrong.
PYTHON_WORDS = re.compile(r"Traceback|Exception|httpx|httpcore|\b\w+(Error|Timeout)\b")

TOP = listing("")
MOVE = action("POST", "/move/")
COUNT = action("POST", "/count/")
CREATE = action("POST", "/file_system/")
DELETE = action("DELETE", "/")


@pytest.fixture
def tree_data(api: httpx.Client) -> dict[str, dict[str, Any]]:
    return {
        "alpha": make(api, "Reports/Alpha", type="doc"),
        "beta": make(api, "Reports/Beta", type="doc"),
        "archive": make(api, "Archive", type="folder"),
        "old": make(api, "Archive/Old", type="folder"),
    }


def faulty_app(server: LiveServer, *faults: Fault) -> tuple[HogtreeApp, FaultyTransport]:
    transport = FaultyTransport(*faults)
    backend: ServerBackend = backend_for(server.url, ADMIN_KEY)
    backend.transport = transport
    backend.max_retries = RETRIES
    backend.backoff_base = BACKOFF_S
    return HogtreeApp(backend), transport


def assert_plain_words(app: HogtreeApp, *expected: str) -> None:
    """The app is alive, and its status line says ``expected`` in a user's words."""
    assert app.is_running
    error = app.status.error
    for words in expected:
        assert words in error, error
    assert not PYTHON_WORDS.search(error), error


async def started(pilot: Pilot[None]) -> HogtreeApp:
    """The app once its first listing has come back, whether or not it succeeded."""
    app = pilot.app
    assert isinstance(app, HogtreeApp)
    await settle(pilot, lambda: app.client is not None and bool(app.project_tree.root.children))
    await settle(pilot)
    return app


SERVER_ERROR = b'{"type": "server_error", "code": "error", "detail": "A server error occurred."}'


# -- reads: retried when safe, reported when not -------------------------------------------


# Faults a read gets through: each strikes the top level's listing, which then arrives.
PASSING_READ_FAULTS = [
    refuse(TOP),
    drop(TOP),
    gateway_error(TOP, 502),
    gateway_error(TOP, 503, times=2),
    gateway_error(TOP, 504),
    throttled(TOP, retry_after="0"),
]

# Faults a read does not get through, what the status line must say, and how many times the
# listing is asked for (once: not worth asking again; 1 + RETRIES: every retry spent).
FAILING_READ_FAULTS: list[tuple[Fault, tuple[str, ...], int]] = [
    (
        answer(TOP, 500, SERVER_ERROR, **{"Content-Type": "application/json"}),
        ("The server failed", "R retries"),
        1,  # a 500 is the server's bug, not a passing state: asking again won't help
    ),
    (gateway_error(TOP, 502, times=RETRIES + 1), ("non-JSON body", "R retries"), RETRIES + 1),
    (throttled(TOP, retry_after="120"), ("try again in 120 s",), 1),
    (captive_portal(TOP), ("its body is not JSON", "is this a PostHog server?"), 1),
    (late(TOP), ("Timed out", "R retries"), 1),  # a slow server is not asked again
    (refuse(TOP, times=RETRIES + 1), ("Disconnected", "R retries"), RETRIES + 1),
    (drop(TOP, times=RETRIES + 1), ("Disconnected", "R retries"), RETRIES + 1),
    (answer(TOP, 302, b"", Location="https://elsewhere.example/"), ("does not follow",), 1),
    # 300 MB announced: refused before a byte of it is read.
    (answer(TOP, 200, b"", **{"Content-Length": str(300 * 2**20)}), ("more than 64 MB",), 1),
    # Answers httpx itself chokes on: they must still be a message, not a crash.
    (answer(TOP, 302, b"", Location="javascript:alert(1)"), ("not a URL",), 1),
    (
        answer(
            TOP,
            200,
            b"not gzip",
            **{"Content-Type": "application/json", "Content-Encoding": "gzip"},
        ),
        ("does not decode",),
        1,
    ),
]


async def test_reads_are_retried_through_passing_faults(
    live_server: LiveServer, tree_data: dict[str, Any]
) -> None:
    """One session, one fault per reload (R) of the top level."""
    app, transport = faulty_app(live_server)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        for fault in PASSING_READ_FAULTS:
            tries_before = transport.attempted("GET", "/file_system/")
            transport.add(fault)
            await pilot.press("R")
            await settle(pilot, lambda fault=fault: fault.times == 0)
            await settle(pilot)
            assert visible_names(app) == ["Archive", "Reports"], fault.name
            assert app.status.error == "", (fault.name, app.status.error)
            assert app.status.work == "", fault.name  # the "retrying" note went with the retry
            tries = transport.attempted("GET", "/file_system/") - tries_before
            assert tries == transport.injected.count(fault.name) + 1, fault.name
            transport.injected.clear()
        assert app.is_running


async def test_a_rate_limit_says_how_long_it_waits(
    live_server: LiveServer, tree_data: dict[str, Any]
) -> None:
    app, transport = faulty_app(live_server, throttled(TOP, retry_after="1"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, lambda: "retrying" in app.status.work)
        assert "Rate limited" in app.status.work and "retrying in 1 s" in app.status.work
        await loaded(pilot)
        await settle(pilot)
        assert app.status.work == "" and app.status.error == ""
    assert transport.attempted("GET", "/file_system/") == 2


async def test_reads_that_fail_say_so_keep_the_tree_and_r_recovers(
    live_server: LiveServer, tree_data: dict[str, Any]
) -> None:
    """One session: each fault strikes a reload (R) of the top level, then R again heals."""
    app, transport = faulty_app(live_server)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        for fault, words, tries in FAILING_READ_FAULTS:
            tries_before = transport.attempted("GET", "/file_system/")
            transport.add(fault)
            await pilot.press("R")
            await settle(pilot, lambda: bool(app.status.error))
            await settle(pilot)
            assert_plain_words(app, *words)
            assert transport.attempted("GET", "/file_system/") - tries_before == tries
            assert visible_names(app) == ["Archive", "Reports"]  # the tree it had stays
            await pilot.press("R")
            await settle(pilot)
            assert app.status.error == "", (fault.name, app.status.error)
            assert visible_names(app) == ["Archive", "Reports"]
        assert app.is_running


async def test_a_first_load_that_fails_shows_nothing_made_up_and_r_recovers(
    live_server: LiveServer, tree_data: dict[str, Any]
) -> None:
    app, _ = faulty_app(live_server, gateway_error(TOP, 502, times=RETRIES + 1))
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot)
        assert_plain_words(app, "Could not load the top level", "R retries")
        assert visible_names(app) == []
        await pilot.press("R")
        await loaded(pilot)
        await settle(pilot)
        assert visible_names(app) == ["Archive", "Reports"]
        assert app.status.error == ""


async def test_a_failed_folder_keeps_the_rest_of_the_tree(
    live_server: LiveServer, tree_data: dict[str, Any]
) -> None:
    app, _ = faulty_app(live_server, gateway_error(listing("Reports"), times=RETRIES + 1))
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await move_cursor_to(pilot, "Reports")
        await pilot.press("l")
        await settle(pilot, lambda: bool(app.status.error))
        assert_plain_words(app, "Could not load Reports", "non-JSON")
        assert visible_names(app) == ["Archive", "Reports"]
        await pilot.press("R")  # on the failed folder: it loads afresh
        await settle(pilot, lambda: "Reports/Alpha" in visible_names(app))


# -- changes: never sent twice, and the tree shows the server's truth after ----------------


async def cut_and_paste(pilot: Pilot[None], entry: str, folder: str) -> HogtreeApp:
    """Move ``entry`` into ``folder`` with x and p, then wait for the outcome. Both folders
    are open first, so the tree has something to get wrong on each side."""
    app = await started(pilot)
    await open_folder(pilot, folder)
    await open_folder(pilot, "Reports")
    await move_cursor_to(pilot, entry)
    await pilot.press("x")
    await move_cursor_to(pilot, folder)
    await pilot.press("p")
    await settle(pilot, lambda: bool(app.status.error or app.status.message.startswith("Moved")))
    await settle(pilot)
    return app


@pytest.mark.parametrize(
    ("fault", "words", "applied"),
    [
        (late(MOVE), "may have happened anyway", True),
        (drop(MOVE), "may have happened anyway", True),
        (gateway_error(MOVE, 502), "non-JSON body", False),
        (throttled(MOVE, retry_after="1"), "Rate limited", False),
    ],
    ids=["late", "dropped", "502", "429"],
)
async def test_a_failed_move_is_not_resent_and_the_tree_shows_the_server(
    live_server: LiveServer,
    api: httpx.Client,
    tree_data: dict[str, Any],
    fault: Fault,
    words: str,
    applied: bool,
) -> None:
    alpha = tree_data["alpha"]["id"]
    app, transport = faulty_app(live_server, fault)
    async with app.run_test(size=(120, 40)) as pilot:
        await cut_and_paste(pilot, "Reports/Alpha", "Archive")
        assert_plain_words(app, "Moved 0 of 1 entries", words)
        truth = "Archive/Alpha" if applied else "Reports/Alpha"
        assert held(api)[alpha] == truth
        # Both folders reloaded after the failure: Alpha is shown once, where the server has it.
        alphas = [name for name in visible_names(app) if name.endswith("/Alpha")]
        assert alphas == [truth]
        await pilot.press("R")  # the user reloads: that is a read, not the move again
        await settle(pilot)
        assert [name for name in visible_names(app) if name.endswith("/Alpha")] == [truth]
        assert app.is_running
    assert transport.attempted("POST", "/move/") == 1
    assert transport.reached("POST", "/move/") == (1 if applied else 0)
    assert held(api)[alpha] == truth


async def test_a_move_that_never_left_is_sent_once_it_can_be(
    live_server: LiveServer, api: httpx.Client, tree_data: dict[str, Any]
) -> None:
    """A refused connection proves the server never saw the move: sending it again is safe."""
    app, transport = faulty_app(live_server, refuse(MOVE))
    async with app.run_test(size=(120, 40)) as pilot:
        await cut_and_paste(pilot, "Reports/Alpha", "Archive")
        assert app.status.error == "" and "Moved 1 entry" in app.status.message
    assert (transport.attempted("POST", "/move/"), transport.reached("POST", "/move/")) == (2, 1)
    assert held(api)[tree_data["alpha"]["id"]] == "Archive/Alpha"


async def test_the_count_before_a_folder_move_is_retried_the_move_is_not(
    live_server: LiveServer, api: httpx.Client, tree_data: dict[str, Any]
) -> None:
    """``count`` is a POST that changes nothing: it may be asked again, unlike the move."""
    app, transport = faulty_app(live_server, gateway_error(COUNT, 503), late(MOVE))
    async with app.run_test(size=(120, 40)) as pilot:
        app = await started(pilot)
        await move_cursor_to(pilot, "Archive")
        await pilot.press("x")
        await open_folder(pilot, "Reports")
        await pilot.press("p")  # into Reports, the folder under the cursor
        await settle(pilot, lambda: bool(app.status.error))
        assert_plain_words(app, "Moved 0 of 1 entries", "may have happened anyway")
        await settle(pilot, lambda: "Reports/Archive" in visible_names(app))
        assert "Archive" not in visible_names(app)
    assert transport.attempted("POST", "/count/") == 2
    assert (transport.attempted("POST", "/move/"), transport.reached("POST", "/move/")) == (1, 1)
    assert held(api)[tree_data["old"]["id"]] == "Reports/Archive/Old"


async def test_a_create_that_timed_out_shows_what_the_server_made(
    live_server: LiveServer, api: httpx.Client, tree_data: dict[str, Any]
) -> None:
    app, transport = faulty_app(live_server, late(CREATE))
    async with app.run_test(size=(120, 40)) as pilot:
        app = await started(pilot)
        await move_cursor_to(pilot, "Archive")
        await pilot.press("l", "n")
        await pilot.press(*"Q4", "enter")
        await settle(pilot, lambda: bool(app.status.error))
        assert_plain_words(app, "Could not create Q4", "may have happened anyway")
        await settle(pilot, lambda: "Archive/Q4" in visible_names(app))
    sent = (
        transport.attempted("POST", "/file_system/"),
        transport.reached("POST", "/file_system/"),
    )
    assert sent == (1, 1)
    assert "Archive/Q4" in held(api).values()


async def test_a_delete_that_timed_out_is_not_resent(
    live_server: LiveServer, api: httpx.Client, tree_data: dict[str, Any]
) -> None:
    app, transport = faulty_app(live_server, late(DELETE))
    async with app.run_test(size=(120, 40)) as pilot:
        app = await started(pilot)
        await move_cursor_to(pilot, "Archive")
        await pilot.press("d")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await settle(pilot, lambda: bool(app.status.error))
        assert_plain_words(app, "Deleted 0 of 1 entries", "may have happened anyway")
        await settle(pilot, lambda: visible_names(app) == ["Reports"])
    assert (transport.attempted("DELETE", "/"), transport.reached("DELETE", "/")) == (1, 1)
    assert set(held(api).values()) == {"Reports", "Reports/Alpha", "Reports/Beta"}


# -- the server gone mid-session, and back -------------------------------------------------


async def test_the_server_gone_and_back(
    live_server: LiveServer, api: httpx.Client, tree_data: dict[str, Any]
) -> None:
    """The app says it is disconnected, keeps its tree, and R brings it back once the server
    is up again (same port, same database)."""
    port = httpx.URL(live_server.url).port
    assert port is not None
    app = new_app(live_server.url, ADMIN_KEY)
    restarted: BackgroundServer | None = None
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await loaded(pilot)
            await open_folder(pilot, "Reports")
            shown = ["Archive", "Reports", "Reports/Alpha", "Reports/Beta"]
            assert visible_names(app) == shown

            live_server.background.stop(wait=True)
            await move_cursor_to(pilot, "Archive")
            await pilot.press("l")  # a folder not loaded yet: it needs the server
            await settle(pilot, lambda: bool(app.status.error))
            assert_plain_words(app, "Disconnected", "Cannot reach", "R retries")
            await move_cursor_to(pilot, "Reports/Alpha")
            await pilot.press("R")  # still gone: the tree stays as it was
            await settle(pilot, lambda: bool(app.status.error))
            assert_plain_words(app, "Disconnected", "R retries")
            assert [n for n in visible_names(app) if n != "Archive/Old"] == shown

            restarted = start_in_thread(server_settings(live_server.db_path, "empty"), port=port)
            make(api, "Reports/Gamma", type="doc")  # changed while the app was away
            await pilot.press("R")
            await settle(pilot, lambda: "Reports/Gamma" in visible_names(app))
            assert app.status.error == ""
            await move_cursor_to(pilot, "Archive")
            await pilot.press("R")  # the folder that failed loads too
            await settle(pilot, lambda: "Archive/Old" in visible_names(app))
            assert app.status.error == "" and app.is_running
    finally:
        if restarted is not None:
            restarted.stop()
