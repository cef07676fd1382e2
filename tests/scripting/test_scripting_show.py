"""``hogtree show`` as a shell runs it, against a real server: an insight's chart as plain
text when piped, a dashboard's tiles each drawn, ``--json`` the series and steps, and a
refusal (exit 1) for what has no chart."""

from __future__ import annotations

import json
from typing import Any

import httpx
from support import LiveServer
from support.insight_helpers import create_dashboard, create_insight, seed_signups, trends_query
from support.scripting_helpers import create, on_host, run

FUNNEL = {
    "kind": "InsightVizNode",
    "source": {
        "kind": "FunnelsQuery",
        "series": [{"kind": "EventsNode", "event": e} for e in ("$pageview", "signed_up")],
        "dateRange": {"date_from": "-6d"},
    },
}


def make_charts(server: LiveServer, http: httpx.Client) -> dict[str, Any]:
    expected = seed_signups(server.db_path)
    line, line_ref = create_insight(
        server.db_path, "Show signups", trends_query(("signed_up", "total"), ("$pageview", "total"))
    )
    funnel, funnel_ref = create_insight(server.db_path, "Show funnel", FUNNEL)
    board = create_dashboard(server.db_path, "Show board", [line, funnel])
    create(http, "Show/Signups", "insight", ref=line_ref)
    create(http, "Show/Funnel", "insight", ref=funnel_ref)
    create(http, "Show/Board", "dashboard", ref=str(board))
    return expected


def test_show_prints_an_insights_chart_and_legend(
    server: LiveServer, env: dict[str, str], http: httpx.Client
) -> None:
    expected = make_charts(server, http)
    result = run(on_host(server, "show", "Show/Signups"), env)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == "Show signups"
    assert "\x1b[" not in result.out  # piped: no colour
    assert any(ch in result.out for ch in "⠁⠂⠄⡀⠈⠐⠠⢀")  # the braille line
    assert f"⣿ signed_up  {sum(expected['signed_up'])}" in result.out
    assert f"• $pageview  {sum(expected['$pageview'])}" in result.out


def test_show_json_prints_the_series(
    server: LiveServer, env: dict[str, str], http: httpx.Client
) -> None:
    result = run(on_host(server, "show", "Show/Signups", "--json"), env)
    assert result.code == 0, result.err
    (line,) = result.out.splitlines()
    body = json.loads(line)
    with server.client() as api:
        insight = api.get("insights/", params={"short_id": body["short_id"]}).json()
        held = api.get(f"insights/{insight['results'][0]['id']}/").json()["result"]
    assert body["kind"] == "TrendsQuery" and body["display"] == "ActionsLineGraph"
    assert [s["data"] for s in body["series"]] == [s["data"] for s in held]
    assert [s["label"] for s in body["series"]] == ["signed_up", "$pageview"]


def test_show_dashboard_draws_each_tile(
    server: LiveServer, env: dict[str, str], http: httpx.Client
) -> None:
    result = run(on_host(server, "show", "Show/Board"), env)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == "Show board"
    assert "Show signups" in lines and "Show funnel" in lines
    assert any(line.startswith("1. $pageview") for line in lines)
    steps = run(on_host(server, "show", "Show/Board", "--json"), env)
    funnel = [json.loads(line) for line in steps.out.splitlines()][1]
    assert [step["name"] for step in funnel["steps"]] == ["$pageview", "signed_up"]
    assert funnel["steps"][0]["conversion"] == 1.0


def test_show_refuses_what_has_no_chart(
    server: LiveServer, env: dict[str, str], http: httpx.Client
) -> None:
    create(http, "Show/Notes", "notebook", ref="nb1")
    result = run(on_host(server, "show", "Show/Notes"), env)
    assert result.code == 1
    assert "show draws insights and dashboards" in result.err
    assert result.out == ""
