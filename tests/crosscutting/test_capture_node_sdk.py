"""Events sent by PostHog's own Node SDK (``posthog-node``, pinned in support.node_sdk)
reach the local server whole: every event once, none altered, persons merged as PostHog
merges them.

A node script (node_sdk_round_trip.js) drives the SDK's public API as an app would:
captures with properties of every JSON kind and timestamps written in three zones,
``identify`` with ``$set``/``$set_once`` and an anonymous id, ``alias``, ``groupIdentify``,
a capture with groups, ``captureImmediate``, ``captureAi`` (its own route), 250 events
sharing one timestamp, ``flush`` and ``shutdown``. It records each request as it went on
the wire (gzipped, as the SDK sends by default). The test then reads what the server holds:
the events through the events API, persons straight from its database.

Skips, saying why, when node or npm is missing or the SDK cannot be installed.
"""

from __future__ import annotations

import json
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from support import LiveServer, running_server, server_settings
from support.db_inspect import read_only
from support.event_helpers import iso, project_token, walk
from support.node_sdk import SDK_VERSION, installed_sdk

SCRIPT = Path(__file__).with_name("node_sdk_round_trip.js")
RUN_TIMEOUT_S = 60
TIED = 250  # more than a /batch/ request holds (100), so the tie spans requests
# Ingestion corrects each event by its request's time in transit (PostHog's clock-skew
# rule, reproduced by the server): well under this.
SKEW = timedelta(seconds=5)
ZONES = (UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8)))
# The server keeps these out of the stored properties (they are the event's own fields).
NOT_STORED = ("distinct_id", "token")


@dataclass(frozen=True)
class Planned:
    """An event the plan sends with a uuid of its own, and what the server must hold."""

    event: str
    distinct_id: str
    properties: dict[str, Any]
    moment: datetime | None  # None: the SDK's own clock stamps it
    groups: dict[str, str] | None = None


@dataclass(frozen=True)
class RoundTrip:
    server: LiveServer
    planned: dict[str, Planned]  # by uuid
    requests: list[dict[str, Any]]  # as the SDK sent them


def _kinds(n: int) -> dict[str, Any]:
    """Properties of every JSON kind."""
    return {
        "n": n,
        "ratio": n / 7,
        "flag": n % 2 == 0,
        "none": None,
        "name": "ünï 🦔 [bold]markup[/bold]",
        "nested": {"k": n, "list": [n, str(n), {"deep": True}]},
    }


class Plan:
    """The SDK calls to make, and the events among them whose uuid the test chose."""

    def __init__(self, start: datetime) -> None:
        self.start = start
        self.steps: list[dict[str, Any]] = []
        self.planned: dict[str, Planned] = {}

    def capture(
        self,
        event: str,
        distinct_id: str,
        properties: dict[str, Any],
        moment: datetime | None = None,
        zone: timezone = UTC,
        call: str = "capture",
        groups: dict[str, str] | None = None,
    ) -> None:
        event_id = str(uuid.uuid4())
        args: dict[str, Any] = {
            "distinctId": distinct_id,
            "event": event,
            "properties": properties,
            "uuid": event_id,
        }
        if moment is not None:
            # Written in `zone`: the SDK must send the same moment.
            args["timestamp"] = moment.astimezone(zone).isoformat(timespec="milliseconds")
        if groups is not None:
            args["groups"] = groups
        self.steps.append({"call": call, "args": args})
        self.planned[event_id] = Planned(event, distinct_id, properties, moment, groups)

    def call(self, name: str, **args: Any) -> None:
        self.steps.append({"call": name, "args": args})


def _plan(start: datetime) -> Plan:
    plan = Plan(start)
    for n in range(3):  # an anonymous visitor, in three zones
        at = start + timedelta(seconds=n)
        plan.capture("viewed_page", "anon-1", _kinds(n), at, ZONES[n])
    plan.capture("opened_app", "device-9", _kinds(3), start + timedelta(seconds=3), ZONES[1])
    plan.call("flush")
    plan.call(
        "identify",
        distinctId="user-1",
        properties={
            "$set": {"email": "u1@example.com", "plan": "pro"},
            "$set_once": {"first_plan": "free"},
            "$anon_distinct_id": "anon-1",
        },
    )
    plan.capture(
        "upgraded",
        "user-1",
        {"$set": {"plan": "team"}, **_kinds(4)},
        None,  # stamped by the SDK, after identify: its $set comes later
        groups={"company": "acme"},
    )
    plan.call("setPersonProperties", distinctId="user-1", properties={"seats": 5})
    plan.call("alias", distinctId="user-1", alias="device-9")
    plan.call(
        "groupIdentify",
        groupType="company",
        groupKey="acme",
        properties={"name": "Acme", "employees": 40},
    )
    plan.capture("checked_out", "user-1", _kinds(5), start + timedelta(seconds=5), ZONES[1],
                 call="captureImmediate")  # fmt: skip
    plan.capture(
        "$ai_generation",
        "user-1",
        {"$ai_model": "gpt-test", "$ai_input_tokens": 12, "$ai_output_tokens": 34},
        start + timedelta(seconds=6),
        call="captureAi",
    )
    tied = start + timedelta(seconds=60)
    for n in range(TIED):  # one moment for all, as a backfill sends
        plan.capture("tied", f"batch-{n % 5}", {"n": n}, tied, ZONES[n % 3])
    return plan


def _run_sdk(sdk_folder: Path, node: str, plan_file: Path) -> dict[str, Any]:
    result = subprocess.run(
        [node, str(SCRIPT), str(plan_file), str(sdk_folder)],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
    )
    assert result.returncode == 0, f"{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
    out: dict[str, Any] = json.loads(result.stdout)
    return out


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RoundTrip]:
    found = installed_sdk()
    if isinstance(found, str):
        pytest.skip(f"posthog-node round trip: {found}")
    sdk_folder, node = found
    folder = tmp_path_factory.mktemp("node-sdk")
    with running_server(server_settings(folder / "node-sdk.sqlite3", "empty")) as server:
        # Milliseconds: a JavaScript Date holds no finer.
        start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)
        plan = _plan(start)
        plan_file = folder / "plan.json"
        plan_file.write_text(
            json.dumps(
                {
                    "host": server.url,
                    "token": project_token(server),
                    # Small batches: several requests, the tie split across them.
                    "options": {"flushAt": 20, "maxBatchSize": 100, "flushInterval": 0},
                    "steps": plan.steps,
                }
            )
        )
        out = _run_sdk(sdk_folder, node, plan_file)
        assert out["errors"] == []
        yield RoundTrip(server, plan.planned, out["requests"])


def _sent_events(requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [event for request in requests for event in request["body"]["batch"]]


def _stored(trip: RoundTrip) -> list[dict[str, Any]]:
    with trip.server.client() as api:
        return walk(api, limit=1000, after=iso(datetime.now(UTC) - timedelta(hours=4)))


def test_the_sdk_sends_gzipped_batches_and_each_is_taken(round_trip: RoundTrip) -> None:
    requests = round_trip.requests
    assert {(r["method"], r["path"], r["status"]) for r in requests} == {
        ("POST", "/batch/", 200),
        ("POST", "/i/v0/ai/batch/", 200),
    }
    assert {r["content_encoding"] for r in requests} == {"gzip"}
    assert len(requests) >= 4  # the tie alone needs three
    for request in requests:
        assert request["body"]["api_key"] == project_token(round_trip.server)
        assert isinstance(request["body"]["sent_at"], str)


def test_every_event_sent_is_stored_once_and_unaltered(round_trip: RoundTrip) -> None:
    sent = _sent_events(round_trip.requests)
    stored = _stored(round_trip)
    assert len(stored) == len(sent)  # none twice, none lost
    by_id = {event["id"]: event for event in stored}
    assert set(by_id) == {event["uuid"] for event in sent}
    for event in sent:
        held = by_id[event["uuid"]]
        assert (held["event"], held["distinct_id"]) == (event["event"], event["distinct_id"])
        expected = {k: v for k, v in event["properties"].items() if k not in NOT_STORED}
        assert held["properties"] == expected
        moved = datetime.fromisoformat(held["timestamp"]) - datetime.fromisoformat(
            event["timestamp"]
        )
        assert abs(moved) < SKEW


def test_what_the_app_asked_for_is_what_the_server_holds(round_trip: RoundTrip) -> None:
    stored = {event["id"]: event for event in _stored(round_trip)}
    for event_id, planned in round_trip.planned.items():
        held = stored[event_id]
        assert (held["event"], held["distinct_id"]) == (planned.event, planned.distinct_id)
        properties = held["properties"]
        assert {key: properties.get(key) for key in planned.properties} == planned.properties
        assert (properties["$lib"], properties["$lib_version"]) == ("posthog-node", SDK_VERSION)
        if planned.moment is not None:  # the moment, whichever zone it was written in
            assert abs(datetime.fromisoformat(held["timestamp"]) - planned.moment) < SKEW
        if planned.groups is not None:
            assert properties["$groups"] == planned.groups
    tied = {held["timestamp"] for held in stored.values() if held["event"] == "tied"}
    assert sum(held["event"] == "tied" for held in stored.values()) == TIED
    # One moment per request (each corrected by its own time in transit), at most three.
    assert 1 <= len(tied) <= 3


def test_identify_set_and_group_identify_are_stored_as_sent(round_trip: RoundTrip) -> None:
    stored = _stored(round_trip)
    (identify,) = [event for event in stored if event["event"] == "$identify"]
    assert identify["distinct_id"] == "user-1"
    assert identify["properties"]["$set"] == {"email": "u1@example.com", "plan": "pro"}
    assert identify["properties"]["$set_once"] == {"first_plan": "free"}
    assert identify["properties"]["$anon_distinct_id"] == "anon-1"
    (alias,) = [event for event in stored if event["event"] == "$create_alias"]
    assert (alias["distinct_id"], alias["properties"]["alias"]) == ("user-1", "device-9")
    (group,) = [event for event in stored if event["event"] == "$groupidentify"]
    assert group["distinct_id"] == "$company_acme"
    assert group["properties"]["$group_type"] == "company"
    assert group["properties"]["$group_key"] == "acme"
    assert group["properties"]["$group_set"] == {"name": "Acme", "employees": 40}
    (set_event,) = [event for event in stored if event["event"] == "$set"]
    assert set_event["properties"]["$set"] == {"seats": 5}


def _persons(server: LiveServer) -> dict[str, tuple[int, dict[str, Any]]]:
    """distinct id -> (its person's pk, the person's properties), as stored."""
    with read_only(server.db_path) as conn:
        rows = conn.execute(
            "SELECT d.distinct_id, p.pk, p.properties FROM person_distinct_ids AS d"
            " JOIN persons AS p ON p.pk = d.person_pk WHERE d.project_id = 1"
        ).fetchall()
    return {row[0]: (row[1], json.loads(row[2])) for row in rows}


def test_identify_and_alias_make_one_person_as_posthog_merges(round_trip: RoundTrip) -> None:
    persons = _persons(round_trip.server)
    # identify joined the anonymous visitor; alias brought the device's person in.
    pks = {persons[distinct_id][0] for distinct_id in ("anon-1", "user-1", "device-9")}
    assert len(pks) == 1
    (pk,) = pks
    properties = persons["user-1"][1]
    # $set: the newest wins (the later capture's plan); $set_once: the first value stays.
    assert {key: properties.get(key) for key in ("email", "plan", "first_plan", "seats")} == {
        "email": "u1@example.com",
        "plan": "team",
        "first_plan": "free",
        "seats": 5,
    }
    # The tied events' senders stay people of their own.
    batch_pks = {persons[f"batch-{n}"][0] for n in range(5)}
    assert len(batch_pks) == 5 and pk not in batch_pks
