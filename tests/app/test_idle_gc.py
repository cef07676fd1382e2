"""Full garbage collections wait for the user to pause (tui.app.idle_gc), on a clock the
test moves; and the app hands Python its own thresholds back when it ends."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from support import ADMIN_KEY, LiveServer
from support.app_harness import loaded, new_app

from tui.app.idle_gc import LONGEST_WAIT_S, NEVER, QUIET_S, IdleCollector


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def thresholds() -> Iterator[tuple[int, int, int]]:
    before = gc.get_threshold()
    yield before
    gc.set_threshold(*before)


def age_something() -> None:
    """A collection of the middle generation: the old generation's count goes up."""
    gc.collect(1)
    assert gc.get_count()[2] > 0


class Collections:
    """Counts the full passes asked for and does the young ones instead: a full pass of
    the test process (every object of every test before) takes seconds."""

    def __init__(self) -> None:
        self.full = 0

    def __call__(self) -> None:
        self.full += 1
        gc.collect(1)  # the young generations only: the old one's count stays


def test_a_full_pass_waits_for_a_quiet_user_and_no_work(thresholds: tuple[int, ...]) -> None:
    clock = Clock()
    busy = [False]
    collections = Collections()
    collector = IdleCollector(busy=lambda: busy[0], clock=clock, collect=collections)
    collector.take_over()
    assert gc.get_threshold()[2] == NEVER
    age_something()

    collector.user_input()
    clock.now += QUIET_S / 2
    assert not collector.check()  # typing
    clock.now += QUIET_S
    busy[0] = True
    assert not collector.check()  # quiet, but a page is on its way
    busy[0] = False
    clock.now += QUIET_S / 2
    assert not collector.check()  # the page just came: the user is about to act on it
    clock.now += QUIET_S / 2
    assert collector.check()
    assert collections.full == 1

    collector.give_back()
    assert gc.get_threshold() == thresholds


def test_a_full_pass_runs_when_overdue_however_busy(thresholds: tuple[int, ...]) -> None:
    clock = Clock()
    collections = Collections()
    collector = IdleCollector(busy=lambda: True, clock=clock, collect=collections)
    collector.take_over()
    age_something()
    clock.now += LONGEST_WAIT_S - 1
    collector.user_input()
    assert not collector.check()
    clock.now += 1
    assert collector.check()
    assert collections.full == 1
    collector.give_back()


@pytest.mark.anyio
async def test_the_app_takes_over_full_passes_and_gives_them_back(
    demo_server: LiveServer, thresholds: tuple[int, ...]
) -> None:
    app = new_app(demo_server.url, ADMIN_KEY)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        assert gc.get_threshold()[2] == NEVER
    assert gc.get_threshold() == thresholds
