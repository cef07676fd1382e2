"""An insight's result and its ``refresh`` modes over real HTTP (api.md 8.7).

``force_cache`` (the default) never computes; ``blocking`` computes a missing or stale
result; ``true``/empty force a recompute; unknown words read as ``force_cache``. Results
in PostHog's shapes: trends per series, totals with ``aggregated_value``, funnel steps.
One server for the module: each test makes insights of its own, so none shares a cache.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from support import LiveServer, running_server, server_settings
from support.insight_helpers import create_insight, database, insert_events, stamp, trends_query

FIRST = date(2025, 3, 3)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db_path = Path(tmp_path_factory.mktemp("results")) / "results.sqlite3"
    with running_server(server_settings(db_path, "empty")) as live:
        insert_events(
            live.db_path,
            [
                # three days of signups: 2, 0, 1
                ("signed_up", "a", stamp(FIRST)),
                ("signed_up", "b", stamp(FIRST)),
                ("signed_up", "c", stamp(FIRST + timedelta(days=2))),
                # a funnel: a goes all the way, b stops at step 2, c at step 1, d never enters
                ("file_uploaded", "a", stamp(FIRST, 13)),
                ("subscription_started", "a", stamp(FIRST + timedelta(days=1))),
                ("file_uploaded", "b", stamp(FIRST, 14)),
                ("subscription_started", "d", stamp(FIRST)),
                # too late for a's second attempt to matter, outside the range for step 1
                ("signed_up", "e", stamp(FIRST + timedelta(days=40))),
            ],
        )
        yield live


def fixed_trend(display: str | None = None) -> dict[str, Any]:
    query = trends_query(("signed_up", "total"))
    source = query["source"]
    source["dateRange"] = {"date_from": FIRST.isoformat(), "date_to": "2025-03-05"}
    if display:
        source["trendsFilter"] = {"display": display}
    return query


def funnel_query(*steps: str) -> dict[str, Any]:
    return {
        "kind": "InsightVizNode",
        "source": {
            "kind": "FunnelsQuery",
            "series": [{"kind": "EventsNode", "event": e} for e in steps],
            "dateRange": {"date_from": FIRST.isoformat(), "date_to": "2025-03-05"},
        },
    }


def get(server: LiveServer, insight_id: int, refresh: str | None = None) -> dict[str, Any]:
    params = {} if refresh is None else {"refresh": refresh}
    with server.client() as http:
        response = http.get(f"insights/{insight_id}/", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_force_cache_is_the_default_and_never_computes(server: LiveServer) -> None:
    insight_id, _ = create_insight(server.db_path, "Cold", fixed_trend())
    for refresh in (None, "force_cache", "no_such_mode", "false"):
        body = get(server, insight_id, refresh)
        assert body["result"] is None, refresh
        assert body["is_cached"] is False and body["last_refresh"] is None
    assert {"query_status", "timezone", "resolved_date_range", "derived_name"} <= set(body)
    assert body["timezone"] == "UTC"
    assert body["resolved_date_range"]["date_from"].startswith("2025-03-03T00:00:00")
    assert body["resolved_date_range"]["date_to"].startswith("2025-03-05T23:59:59")


def test_blocking_computes_then_force_cache_serves_the_cache(server: LiveServer) -> None:
    insight_id, _ = create_insight(server.db_path, "Warm", fixed_trend())
    computed = get(server, insight_id, "blocking")
    assert computed["is_cached"] is False and computed["last_refresh"] is not None
    assert computed["result"][0]["data"] == [2, 0, 1]
    cached = get(server, insight_id)
    assert cached["is_cached"] is True
    assert cached["result"] == computed["result"]
    assert cached["last_refresh"] == computed["last_refresh"]
    again = get(server, insight_id, "blocking")  # fresh: blocking keeps the cache
    assert again["is_cached"] is True


@pytest.mark.parametrize("refresh", ["true", "", "force_blocking"])
def test_true_or_empty_force_a_recompute(server: LiveServer, refresh: str) -> None:
    insight_id, _ = create_insight(server.db_path, f"Forced {refresh}", fixed_trend())
    get(server, insight_id, "blocking")
    forced = get(server, insight_id, refresh)
    assert forced["is_cached"] is False
    assert forced["result"][0]["count"] == 3


def test_async_modes_answer_with_a_complete_status(server: LiveServer) -> None:
    insight_id, _ = create_insight(server.db_path, "Async", fixed_trend())
    body = get(server, insight_id, "async")
    assert body["query_status"]["complete"] is True
    assert body["result"][0]["data"] == [2, 0, 1]
    assert get(server, insight_id)["query_status"] is None


def test_trend_series_have_labels_days_data_and_count(server: LiveServer) -> None:
    insight_id, _ = create_insight(server.db_path, "Line", fixed_trend("ActionsBar"))
    (series,) = get(server, insight_id, "blocking")["result"]
    assert series["days"] == ["2025-03-03", "2025-03-04", "2025-03-05"]
    assert series["labels"] == ["3-Mar-2025", "4-Mar-2025", "5-Mar-2025"]
    assert series["count"] == 3 and series["label"] == "signed_up"
    assert series["action"]["math"] == "total"


@pytest.mark.parametrize("display", ["BoldNumber", "ActionsPie", "ActionsBarValue", "ActionsTable"])
def test_total_displays_answer_an_aggregated_value(server: LiveServer, display: str) -> None:
    insight_id, _ = create_insight(server.db_path, display, fixed_trend(display))
    (series,) = get(server, insight_id, "blocking")["result"]
    assert series["aggregated_value"] == 3
    assert series["data"] == [] and series["days"] == []


def test_funnel_counts_people_reaching_each_step_in_order(server: LiveServer) -> None:
    query = funnel_query("signed_up", "file_uploaded", "subscription_started")
    insight_id, _ = create_insight(server.db_path, "Funnel", query)
    steps = get(server, insight_id, "blocking")["result"]
    assert [step["name"] for step in steps] == [
        "signed_up",
        "file_uploaded",
        "subscription_started",
    ]
    assert [step["order"] for step in steps] == [0, 1, 2]
    assert [step["count"] for step in steps] == [3, 2, 1]
    assert all(step["type"] == "events" for step in steps)


def test_edited_query_is_a_cache_miss(server: LiveServer) -> None:
    insight_id, _ = create_insight(server.db_path, "Edited", fixed_trend())
    get(server, insight_id, "blocking")
    with database(server.db_path) as conn:
        conn.execute(
            "UPDATE objects SET data = json_set(data, '$.query.source.interval', 'week')"
            " WHERE id = ?",
            (insight_id,),
        )
    assert get(server, insight_id)["result"] is None
