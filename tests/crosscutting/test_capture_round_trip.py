"""4,000 events sent by PostHog's own Python SDK, read back by every hogtree reader: all
there, none twice, none altered.

The SDK sends as it does to PostHog (batches to ``/batch/`` with ``sent_at``, its own
properties added); the events carry properties of every JSON kind, ``$set``, groups,
timestamps written in three time zones, and 500 of them one and the same moment (a batch
without timestamps gets one). ``hogtree events --json`` and the app's Events tab must each
give back exactly what was sent (timestamps moved only by ingestion's clock correction,
which PostHog applies too: a batch's time in transit).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from posthog import Posthog
from support import ADMIN_KEY, LiveServer, running_server, server_settings
from support.app_harness import new_app, open_events, settle
from support.event_helpers import project_token
from support.scripting_helpers import environment, on_host, run

from tui.app.widgets.events_tab import EventsTab

EVENTS = 4_000
TIED = range(2_000, 2_500)  # these share one moment, TIE_AT seconds after the first
TIE_AT = 1_000
# Newest first, the tied events stand at places 2,499 to 2,998: across a page boundary of
# the Events tab's pages of this size (and whole pages of the command's 100).
TAB_PAGE = 400
SKEW = timedelta(seconds=5)
ZONES = (UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8)))


@dataclass(frozen=True)
class Sent:
    distinct_id: str
    event: str
    properties: dict[str, Any]
    moment: datetime  # in UTC


def _event(index: int, start: datetime) -> tuple[str, Sent, dict[str, Any]]:
    event_id = str(uuid.UUID(int=index + 1, version=4))
    moment = start + timedelta(seconds=TIE_AT if index in TIED else index)
    properties: dict[str, Any] = {
        "n": index,
        "plan": ("free", "pro", None)[index % 3],
        "ratio": index / 7,
        "flag": index % 2 == 0,
        "nested": {"k": index % 7, "list": [index, str(index)]},
        "name": "ünï 🦔 [bold]markup[/bold]",
    }
    if index % 10 == 0:
        properties["$set"] = {"email": f"user-{index % 97}@example.com"}
    kwargs: dict[str, Any] = {
        "distinct_id": f"user-{index % 97}",
        "properties": properties,
        "timestamp": moment.astimezone(ZONES[index % len(ZONES)]),
        "uuid": event_id,
    }
    if index % 4 == 0:
        kwargs["groups"] = {"company": f"co-{index % 5}"}
    sent = Sent(kwargs["distinct_id"], f"round_trip_{index % 3}", properties, moment)
    return event_id, sent, kwargs


@pytest.fixture(scope="module")
def captured(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[LiveServer, dict[str, Sent]]]:
    db_path = tmp_path_factory.mktemp("round-trip") / "round-trip.sqlite3"
    with running_server(server_settings(db_path, "empty")) as server:
        errors: list[Exception] = []
        sdk = Posthog(
            project_token(server),
            host=server.url,
            flush_at=500,
            max_queue_size=EVENTS * 2,
            on_error=lambda error, _batch: errors.append(error),
        )
        start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=4)
        sent: dict[str, Sent] = {}
        for index in range(EVENTS):
            event_id, expected, kwargs = _event(index, start)
            sdk.capture(expected.event, **kwargs)
            sent[event_id] = expected
        sdk.flush()
        sdk.shutdown()
        assert errors == []
        yield server, sent


def _check(got: dict[str, dict[str, Any]], sent: dict[str, Sent]) -> None:
    """Every event sent, once, as it was sent (the SDK's own ``$`` properties aside)."""
    assert set(got) == set(sent)
    for event_id, expected in sent.items():
        event = got[event_id]
        assert event["distinct_id"] == expected.distinct_id
        assert event["event"] == expected.event
        # Ingestion corrects the sender's clock by (arrival - sent_at), which also moves each
        # event by its batch's time in transit: PostHog's rule, reproduced. Well under 5 s.
        assert abs(datetime.fromisoformat(event["timestamp"]) - expected.moment) < SKEW
        properties = event["properties"]
        assert {key: properties.get(key) for key in expected.properties} == expected.properties
        if expected.properties["n"] % 4 == 0:
            assert properties["$groups"] == {"company": f"co-{expected.properties['n'] % 5}"}


def test_hogtree_events_gives_back_every_event_once(
    captured: tuple[LiveServer, dict[str, Sent]], tmp_path: Path
) -> None:
    server, sent = captured
    argv = on_host(server, "events", "--json", "--limit", str(EVENTS * 2), "--after=-5h")
    result = run(argv, environment(tmp_path))
    assert result.code == 0, result.err
    printed = [json.loads(line) for line in result.lines if line.strip()]
    assert len(printed) == EVENTS  # none twice
    _check({event["id"]: event for event in printed}, sent)


@pytest.mark.anyio
async def test_the_events_tab_gives_back_every_event_once(
    captured: tuple[LiveServer, dict[str, Sent]], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, sent = captured
    monkeypatch.setattr(EventsTab, "page_size", TAB_PAGE)
    app = new_app(server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_events(pilot)
        while not tab.exhausted:
            tab.load_more()
            await settle(pilot, lambda: not tab.loading)
        shown = tab.events
    assert len(shown) == EVENTS  # none twice
    _check({event.id: event.model_dump(mode="json") for event in shown}, sent)
