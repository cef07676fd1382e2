"""``POST query/`` with a TrendsQuery of event counts, over real HTTP: PostHog's request and
answer shape (trends_query_runner.py: ``data``/``labels``/``days``/``count``/``action`` per
series, ``days`` with a time by hour), and a plain 400 for what the local server does not
compute. Events go in through ``/batch/`` at fixed times; counts are checked against
``events/``, which lists the same events."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from support import ADMIN_KEY, READ_KEY, LiveServer, http_client, running_server, server_settings
from support.event_helpers import iso, sdk_event, send_batch, walk
from support.server_helpers import expect, module_api

# Hours before END at which events happened: (hours, name, distinct id, plan).
END = datetime(2025, 3, 4, 12, 0, tzinfo=UTC)
STOCK: list[tuple[float, str, str, str]] = [
    (0.2, "$pageview", "ada", "pro"),
    (0.5, "$pageview", "bob", "free"),
    (0.6, "signed_up", "bob", "free"),
    (2.1, "$pageview", "ada", "pro"),
    (2.9, "$pageview", "ada", "free"),
    (5.5, "signed_up", "cy", "pro"),
    (30.0, "$pageview", "cy", "pro"),  # the day before
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db_path = tmp_path_factory.mktemp("query") / "query.sqlite3"
    with running_server(server_settings(db_path, "empty")) as live:
        send_batch(
            live,
            [
                sdk_event(name, who, END - timedelta(hours=hours), plan=plan)
                for hours, name, who, plan in STOCK
            ],
        )
        yield live


api = module_api()


def trends(*events: str | None, interval: str = "hour", **extra: Any) -> dict[str, Any]:
    """A TrendsQuery as PostHog's web app sends it: the 24 hours up to END, exactly."""
    return {
        "kind": "TrendsQuery",
        "series": [{"kind": "EventsNode", "event": event, "math": "total"} for event in events],
        "interval": interval,
        "dateRange": {
            "date_from": iso(END - timedelta(hours=24)),
            "date_to": iso(END),
            "explicitDate": True,
        },
    } | extra


def run(api: httpx.Client, query: dict[str, Any], status: int = 200) -> Any:
    return expect(api.post("query/", json={"query": query, "refresh": "blocking"}), status)


def per_hour(**params: Any) -> dict[str, int]:
    """What ``events/`` lists in the 24 hours up to END, counted by hour."""
    counts: dict[str, int] = {}
    for hours, name, who, plan in STOCK:
        moment = END - timedelta(hours=hours)
        wanted = {"event": name, "distinct_id": who, "plan": plan}
        if hours <= 24 and all(wanted[key] == value for key, value in params.items()):
            key = moment.strftime("%Y-%m-%d %H:00:00")
            counts[key] = counts.get(key, 0) + 1
    return counts


def test_counts_per_hour_in_posthogs_shape(api: httpx.Client) -> None:
    body = run(api, trends(None))
    assert {"results", "is_cached", "last_refresh", "timezone", "resolved_date_range"} <= set(body)
    assert body["resolved_date_range"] == {
        "date_from": (END - timedelta(hours=24)).isoformat(),
        "date_to": END.isoformat(),
    }
    (series,) = body["results"]
    # 25 buckets: the hour holding date_from to the hour holding date_to.
    assert len(series["data"]) == len(series["days"]) == len(series["labels"]) == 25
    assert (
        series["days"][0] == "2025-03-03 12:00:00" and series["days"][-1] == "2025-03-04 12:00:00"
    )
    assert series["labels"][-1] == "4-Mar-2025 12:00"
    assert series["label"] == "All events" and series["action"]["name"] == "All events"
    assert series["action"]["math"] == "total" and series["action"]["order"] == 0
    expected = per_hour()
    assert dict(zip(series["days"], series["data"], strict=True)) == {
        day: expected.get(day, 0) for day in series["days"]
    }
    assert series["count"] == sum(expected.values())
    # The same events events/ lists over the same window.
    listed = walk(api, after=iso(END - timedelta(hours=24, microseconds=1)), before=iso(END))
    assert series["count"] == len(listed)


def test_one_series_per_event_and_filters(api: httpx.Client) -> None:
    body = run(api, trends("$pageview", "signed_up"))
    pageviews, signups = body["results"]
    assert (pageviews["label"], signups["label"]) == ("$pageview", "signed_up")
    assert pageviews["count"] == sum(per_hour(event="$pageview").values())
    assert signups["count"] == sum(per_hour(event="signed_up").values())
    assert signups["action"]["order"] == 1
    filtered = run(
        api,
        trends(
            "$pageview",
            properties=[
                {
                    "type": "event_metadata",
                    "key": "distinct_id",
                    "value": "ada",
                    "operator": "exact",
                },
                {"type": "event", "key": "plan", "value": ["pro"], "operator": "exact"},
            ],
        ),
    )["results"][0]
    expected = per_hour(event="$pageview", distinct_id="ada", plan="pro")
    assert filtered["count"] == sum(expected.values()) == 2
    assert [n for n in filtered["data"] if n] == [expected[d] for d in sorted(expected)]


def test_per_day_and_relative_dates(api: httpx.Client) -> None:
    body = run(api, trends(None, interval="day"))
    (series,) = body["results"]
    assert series["days"] == ["2025-03-03", "2025-03-04"]
    assert series["labels"] == ["3-Mar-2025", "4-Mar-2025"]
    # A relative range is read against the server's now: nothing of 2025 is in the last hour.
    recent = run(api, {"kind": "TrendsQuery", "series": [{"kind": "EventsNode"}],
                       "interval": "hour", "dateRange": {"date_from": "-1h"}})  # fmt: skip
    assert recent["results"][0]["count"] == 0
    assert 1 <= len(recent["results"][0]["data"]) <= 2


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ({"kind": "HogQLQuery", "query": "select 1"}, "TrendsQuery only"),
        (trends(None, interval="week"), "by hour or day"),
        (trends(None, breakdownFilter={"breakdown": "$browser"}), "breakdowns"),
        ({"kind": "TrendsQuery", "series": [{"kind": "EventsNode", "math": "dau"}]}, "in total"),
        (trends(None, dateRange={"date_from": "-2000d"}), "more than"),
    ],
    ids=["kind", "interval", "breakdown", "math", "too-many-buckets"],
)
def test_what_the_local_server_does_not_compute_is_a_plain_400(
    api: httpx.Client, query: dict[str, Any], fragment: str
) -> None:
    body = run(api, query, 400)
    assert body["type"] == "validation_error" and body["attr"] == "query"
    assert fragment in body["detail"]


def test_bad_bodies_and_missing_scope(api: httpx.Client, server: LiveServer) -> None:
    assert expect(api.post("query/", json={"refresh": "blocking"}), 400)["attr"] == "query"
    assert run(api, trends(None, dateRange={"date_from": "soon"}), 400)["attr"] == "date_from"
    with http_client(f"{server.url}/api/projects/1/", READ_KEY) as reader:
        refused = reader.post("query/", json={"query": trends(None)})
    assert refused.status_code == 403
    with http_client(f"{server.url}/api/environments/1/", ADMIN_KEY) as env:
        assert expect(env.post("query/", json={"query": trends(None)}), 200)["results"]
    assert api.get("query/").status_code == 405
