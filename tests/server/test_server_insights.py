"""``insights/`` and ``dashboards/`` of the local server over real HTTP (api.md section 6).

Lookups by short id, one insight or dashboard, 404s for unknown and other projects' ids,
scopes, and trends results computed from the project's events.
"""

from __future__ import annotations

from typing import Any

import pytest
from support import ADMIN_KEY, P1_KEY, READ_KEY, LiveServer
from support.insight_helpers import (
    create_dashboard,
    create_insight,
    days_back,
    seed_signups,
    trends_query,
)
from support.server_helpers import NOT_FOUND

INSIGHT_FIELDS = {"id", "short_id", "name", "description", "deleted", "query", "result"}


def entry(server: LiveServer, path: str) -> dict[str, Any]:
    with server.client() as http:
        (row,) = http.get("file_system/", params={"path": path}).json()["results"]
        return dict(row)


# -- insights/?short_id= ------------------------------------------------------------------


def test_short_id_finds_the_insight_a_tree_entry_names(demo_server: LiveServer) -> None:
    ref = entry(demo_server, "Marketing/Weekly signups")["ref"]
    with demo_server.client() as http:
        response = http.get("insights/", params={"short_id": ref})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and body["next"] is None and body["previous"] is None
    (insight,) = body["results"]
    assert set(insight) >= INSIGHT_FIELDS
    assert insight["short_id"] == ref
    assert insight["name"] == "Weekly signups"
    assert isinstance(insight["id"], int)
    assert insight["deleted"] is False
    assert insight["query"]["source"]["kind"] == "TrendsQuery"


def test_unknown_short_id_is_an_empty_page(demo_server: LiveServer) -> None:
    with demo_server.client() as http:
        body = http.get("insights/", params={"short_id": "nope1234"}).json()
    assert body == {"count": 0, "next": None, "previous": None, "results": []}


def test_insights_are_paginated_by_offset(demo_server: LiveServer) -> None:
    with demo_server.client() as http:
        first = http.get("insights/", params={"limit": 2, "basic": "true"}).json()
        second = http.get("insights/", params={"limit": 2, "offset": 2, "basic": "true"}).json()
    assert first["count"] == second["count"] > 300
    assert len(first["results"]) == len(second["results"]) == 2
    assert "offset=2" in first["next"] and first["previous"] is None
    assert {r["id"] for r in first["results"]}.isdisjoint(r["id"] for r in second["results"])
    assert "result" not in first["results"][0]  # basic=true leaves results out


def test_list_and_retrieve_leave_other_projects_alone(live_server: LiveServer) -> None:
    create_insight(live_server.db_path, "Ours", trends_query(("a", "total")), short_id="shared01")
    other_id, _ = create_insight(
        live_server.db_path,
        "Theirs",
        trends_query(("a", "total")),
        project_id=2,
        short_id="shared02",
    )
    with live_server.client() as http:
        assert http.get("insights/", params={"short_id": "shared02"}).json()["count"] == 0
        names = [r["name"] for r in http.get("insights/").json()["results"]]
        response = http.get(f"insights/{other_id}/")
    assert names == ["Ours"]
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


# -- insights/{id}/ -----------------------------------------------------------------------


@pytest.mark.parametrize("insight_id", ["999999", "abc", "0", "-1", "99999999999999999999999"])
def test_unknown_insight_is_404(live_server: LiveServer, insight_id: str) -> None:
    with live_server.client() as http:
        response = http.get(f"insights/{insight_id}/")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_retrieve_answers_under_both_prefixes_with_and_without_slash(
    live_server: LiveServer,
) -> None:
    insight_id, short_id = create_insight(
        live_server.db_path, "Signups", trends_query(("signed_up", "total")), description="d"
    )
    with live_server.client() as http:
        plain = http.get(f"insights/{insight_id}").json()
        env = http.get(f"{live_server.url}/api/environments/1/insights/{insight_id}/").json()
    for body in (plain, env):
        assert body["id"] == insight_id
        assert body["short_id"] == short_id
        assert body["name"] == "Signups"
        assert body["description"] == "d"


def test_trends_result_counts_each_series_per_day(live_server: LiveServer) -> None:
    expected = seed_signups(live_server.db_path)
    insight_id, _ = create_insight(
        live_server.db_path,
        "Signups and views",
        trends_query(("signed_up", "total"), ("signed_up", "dau"), ("$pageview", "total")),
    )
    with live_server.client() as http:
        result = http.get(f"insights/{insight_id}/?refresh=blocking").json()["result"]
    assert [series["label"] for series in result] == ["signed_up", "signed_up", "$pageview"]
    assert [series["action"]["math"] for series in result] == ["total", "dau", "total"]
    for series in result:
        assert series["days"] == expected["days"]  # -6d: a week, today included
        assert len(series["labels"]) == 7
    assert result[0]["data"] == expected["signed_up"]
    assert result[1]["data"] == expected["signed_up_dau"]
    assert result[2]["data"] == expected["$pageview"]
    assert result[0]["count"] == sum(expected["signed_up"])


def test_demo_insight_has_a_row_per_day_of_its_thirty_day_range(demo_server: LiveServer) -> None:
    ref = entry(demo_server, "Marketing/Weekly signups")["ref"]
    with demo_server.client() as http:
        (insight,) = http.get("insights/", params={"short_id": ref}).json()["results"]
        result = http.get(f"insights/{insight['id']}/?refresh=blocking").json()["result"]
    series = insight["query"]["source"]["series"]
    assert [s["label"] for s in result] == [s["event"] for s in series]
    assert result[0]["days"] == [d.isoformat() for d in days_back(31)]


def test_insight_of_a_kind_not_computed_has_no_result(live_server: LiveServer) -> None:
    insight_id, _ = create_insight(
        live_server.db_path,
        "Lifecycle",
        {"kind": "InsightVizNode", "source": {"kind": "LifecycleQuery"}},
    )
    with live_server.client() as http:
        body = http.get(f"insights/{insight_id}/?refresh=blocking").json()
    assert body["result"] is None
    assert body["query"]["source"]["kind"] == "LifecycleQuery"


def test_deleted_insight_reads_as_deleted_and_leaves_the_list(demo_server: LiveServer) -> None:
    row = entry(demo_server, "Sales/Trials started")
    with demo_server.client() as http:
        (insight,) = http.get("insights/", params={"short_id": row["ref"]}).json()["results"]
        assert http.delete(f"file_system/{row['id']}/").status_code == 200  # soft-deletes it
        listed = http.get("insights/", params={"short_id": row["ref"]}).json()
        retrieved = http.get(f"insights/{insight['id']}/").json()
    assert listed["count"] == 0
    assert retrieved["deleted"] is True


# -- dashboards/{id}/ ---------------------------------------------------------------------


def test_dashboard_lists_its_insights_as_tiles(live_server: LiveServer) -> None:
    a, a_ref = create_insight(live_server.db_path, "A", trends_query(("x", "total")))
    b, b_ref = create_insight(live_server.db_path, "B", trends_query(("y", "total")))
    dashboard_id = create_dashboard(live_server.db_path, "Board", [b, a], description="about")
    with live_server.client() as http:
        body = http.get(f"dashboards/{dashboard_id}/").json()
    assert body["id"] == dashboard_id
    assert body["name"] == "Board"
    assert body["description"] == "about"
    assert body["deleted"] is False
    assert [tile["insight"] for tile in body["tiles"]] == [
        {"id": b, "short_id": b_ref, "name": "B"},
        {"id": a, "short_id": a_ref, "name": "A"},
    ]


def test_dashboard_tiles_skip_other_projects_and_missing_insights(live_server: LiveServer) -> None:
    ours, _ = create_insight(live_server.db_path, "Ours", trends_query(("x", "total")))
    theirs, _ = create_insight(
        live_server.db_path, "Theirs", trends_query(("x", "total")), project_id=2
    )
    dashboard_id = create_dashboard(live_server.db_path, "Board", [theirs, 424242, ours])
    with live_server.client() as http:
        tiles = http.get(f"dashboards/{dashboard_id}").json()["tiles"]
    assert [tile["insight"]["id"] for tile in tiles] == [ours]


def test_demo_dashboard_tiles_are_insights_of_the_project(demo_server: LiveServer) -> None:
    dashboard_ref = entry(demo_server, "Marketing/Growth dashboard")["ref"]
    with demo_server.client() as http:
        body = http.get(f"dashboards/{dashboard_ref}/").json()
        assert body["name"] == "Growth dashboard"
        assert 2 <= len(body["tiles"]) <= 4
        for tile in body["tiles"]:
            insight = http.get(f"insights/{tile['insight']['id']}/").json()
            assert insight["short_id"] == tile["insight"]["short_id"]
            assert insight["name"] == tile["insight"]["name"]


def test_other_projects_or_unknown_dashboard_is_404(live_server: LiveServer) -> None:
    theirs = create_dashboard(live_server.db_path, "Theirs", [], project_id=2)
    insight_id, _ = create_insight(live_server.db_path, "Not a board", None)
    with live_server.client() as http:
        for dashboard_id in (theirs, 999999, "abc", insight_id):
            response = http.get(f"dashboards/{dashboard_id}/")
            assert response.status_code == 404, dashboard_id
            assert response.json() == NOT_FOUND


# -- scopes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "scope"), [("insights/", "insight:read"), ("dashboards/1/", "dashboard:read")]
)
def test_reading_needs_its_scope(live_server: LiveServer, path: str, scope: str) -> None:
    with live_server.client(READ_KEY) as http:
        response = http.get(path)
    assert response.status_code == 403
    assert response.json() == {
        "type": "authentication_error",
        "code": "permission_denied",
        "detail": f"API key missing required scope '{scope}'",
        "attr": None,
    }


def test_key_limited_to_project_one_cannot_read_project_two(live_server: LiveServer) -> None:
    with live_server.client(P1_KEY, project=2) as http:
        response = http.get("insights/")
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "API key does not have access to the requested project: ID 2."
    )
    with live_server.client(ADMIN_KEY, project=2) as http:
        assert http.get("insights/").json()["count"] == 0


def test_no_key_is_401(live_server: LiveServer) -> None:
    with live_server.client(None) as http:
        assert http.get("insights/").status_code == 401
        assert http.get("dashboards/1/").status_code == 401
