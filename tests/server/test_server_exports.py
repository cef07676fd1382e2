"""``exports/`` of the local server over real HTTP (api.md section 3).

Every validation answer word for word, per-user assets, 405s, the content of each format
checked by opening it (Pillow, openpyxl, the csv module) and compared with what the
server serves elsewhere (the insight's result, ``GET events/``), both generation modes
(while the POST waits, and in the background after ``export_delay`` with 404 until
ready), and failures that end up in ``exception`` rather than in a 500.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from PIL import Image
from support import (
    ADMIN_KEY,
    OTHER_USER_KEY,
    READ_KEY,
    TEST_KEYS,
    LiveServer,
    running_server,
    server_settings,
)
from support.insight_helpers import (
    create_dashboard,
    create_insight,
    insert_events,
    seed_signups,
    stamp,
    today,
    trends_query,
)
from support.server_helpers import NOT_FOUND, parse_time

from tui.server import export_sources
from tui.server.exporting.charts import INSIGHT_SIZE, dashboard_size
from tui.server.settings import ApiKeySpec


def expect_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PNG = "image/png"
PDF = "application/pdf"
UNSUPPORTED = ("video/webm", "video/mp4", "image/gif", "application/json")
ASSET_FIELDS = {
    "id",
    "dashboard",
    "insight",
    "export_format",
    "created_at",
    "has_content",
    "export_context",
    "filename",
    "expires_after",
    "exception",
}
# Keys with exactly the scopes an export needs, or one fewer.
EXPORT_ONLY_KEY = "phx_test_export_only_0000000000000"
EXPORT_INSIGHT_KEY = "phx_test_export_insight_00000000000"


def validation(code: str, detail: str, attr: str | None) -> dict[str, Any]:
    return {"type": "validation_error", "code": code, "detail": detail, "attr": attr}


def read_csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8"))))


def read_xlsx(content: bytes) -> list[list[str]]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def held_exports(http: httpx.Client) -> list[dict[str, Any]]:
    body = http.get("exports/", params={"limit": 1000}).json()
    return list(body["results"])


def content(http: httpx.Client, asset: dict[str, Any], **params: Any) -> httpx.Response:
    return http.get(f"exports/{asset['id']}/content/", params=params)


@pytest.fixture
def signups(live_server: LiveServer) -> dict[str, Any]:
    """An insight over a week of known events: {"id", "expected"}."""
    expected = seed_signups(live_server.db_path)
    insight_id, _ = create_insight(
        live_server.db_path,
        "Weekly signups",
        trends_query(("signed_up", "total"), ("$pageview", "total")),
    )
    return {"id": insight_id, "expected": expected}


def start_server(tmp_path: Path, **overrides: Any) -> Iterator[LiveServer]:
    db_path = tmp_path / "exports.sqlite3"
    keys = (
        *TEST_KEYS,
        ApiKeySpec.parse(f"{EXPORT_ONLY_KEY}=export:write"),
        ApiKeySpec.parse(f"{EXPORT_INSIGHT_KEY}=export:write,insight:read"),
    )
    settings = server_settings(db_path, "empty", keys=keys, **overrides)
    with running_server(settings, wait=True) as server:
        yield server


@pytest.fixture
def scoped_server(tmp_path: Path) -> Iterator[LiveServer]:
    """An empty server that also knows keys with only some of an export's scopes."""
    yield from start_server(tmp_path)


@pytest.fixture
def slow_server(tmp_path: Path) -> Iterator[LiveServer]:
    """A server that makes exports in the background, half a second after the POST."""
    yield from start_server(tmp_path, export_delay=0.5)


# -- validation, word for word ------------------------------------------------------------


def test_unknown_format_is_invalid_choice(api: httpx.Client, signups: dict[str, Any]) -> None:
    response = api.post("exports/", json={"export_format": "image/jpeg", "insight": signups["id"]})
    assert response.status_code == 400
    assert response.json() == validation(
        "invalid_choice", '"image/jpeg" is not a valid choice.', "export_format"
    )


def test_a_target_is_required(api: httpx.Client) -> None:
    for body in (
        {"export_format": CSV},
        {"export_format": CSV, "insight": None, "dashboard": None, "export_context": None},
        {"export_format": CSV, "export_context": {}},
    ):
        response = api.post("exports/", json=body)
        assert response.status_code == 400, body
        assert response.json() == validation(
            "invalid_input",
            "Either dashboard, insight or export_context is required for an export.",
            None,
        )


@pytest.mark.parametrize("field", ["dashboard", "insight"])
@pytest.mark.parametrize("value", [54321, "54321"])
def test_unknown_target_does_not_exist(api: httpx.Client, field: str, value: Any) -> None:
    response = api.post("exports/", json={"export_format": PNG, field: value})
    assert response.status_code == 400
    assert response.json() == validation(
        "does_not_exist", 'Invalid pk "54321" - object does not exist.', field
    )


def test_insight_id_is_not_a_dashboard(api: httpx.Client, signups: dict[str, Any]) -> None:
    response = api.post("exports/", json={"export_format": PNG, "dashboard": signups["id"]})
    assert response.json()["code"] == "does_not_exist"
    assert response.json()["attr"] == "dashboard"


def test_fields_are_checked_in_the_serializers_order(api: httpx.Client) -> None:
    # dashboard, then insight, then export_format; "a target is required" comes last.
    response = api.post(
        "exports/", json={"export_format": "image/jpeg", "dashboard": 54321, "insight": 54321}
    )
    assert response.json()["attr"] == "dashboard"
    response = api.post("exports/", json={"export_format": "image/jpeg", "insight": 54321})
    assert response.json()["attr"] == "insight"
    response = api.post("exports/", json={"export_format": "image/jpeg"})
    assert response.json()["attr"] == "export_format"


def test_other_bad_bodies(api: httpx.Client, signups: dict[str, Any]) -> None:
    cases = [
        (
            {"insight": signups["id"]},
            validation("required", "This field is required.", "export_format"),
        ),
        (
            {"insight": signups["id"], "export_format": None},
            validation("null", "This field may not be null.", "export_format"),
        ),
        (
            {"insight": "abc", "export_format": PNG},
            validation(
                "incorrect_type", "Incorrect type. Expected pk value, received str.", "insight"
            ),
        ),
        (
            {"dashboard": True, "export_format": PNG},
            validation(
                "incorrect_type", "Incorrect type. Expected pk value, received bool.", "dashboard"
            ),
        ),
        (
            {"export_context": "path", "export_format": CSV},
            validation(
                "invalid_input",
                "Invalid data. Expected a dictionary, but got str.",
                "export_context",
            ),
        ),
        (
            {"insight": signups["id"], "export_format": 5},
            validation("invalid_choice", '"5" is not a valid choice.', "export_format"),
        ),
    ]
    for body, expected in cases:
        response = api.post("exports/", json=body)
        assert response.status_code == 400, body
        assert response.json() == expected, body
    assert api.post("exports/", content=b"{not json").json()["code"] == "parse_error"
    # Python reads Infinity, JSON has none: it used to be stored, and answer 500.
    infinite = b'{"export_format": "text/csv", "export_context": {"path": "/x", "n": Infinity}}'
    response = api.post("exports/", content=infinite, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json() == {  # DRF's ParseError: PostHog's handler types it invalid_request
        "type": "invalid_request",
        "code": "parse_error",
        "detail": "JSON parse error - Out of range float values are not JSON compliant",
        "attr": None,
    }
    assert held_exports(api) == []  # nothing refused was stored


# -- scopes -------------------------------------------------------------------------------


def test_scopes(scoped_server: LiveServer) -> None:
    insight_id, _ = create_insight(scoped_server.db_path, "I", trends_query(("e", "total")))
    dashboard_id = create_dashboard(scoped_server.db_path, "D", [insight_id])
    events = {"path": "/api/projects/1/events"}
    cases = [
        (READ_KEY, {"insight": insight_id}, "export:write"),
        (EXPORT_ONLY_KEY, {"insight": insight_id}, "insight:read"),
        (EXPORT_ONLY_KEY, {"insight": 54321}, "insight:read"),  # no probing of ids
        (EXPORT_ONLY_KEY, {"dashboard": dashboard_id}, "dashboard:read"),
        (EXPORT_ONLY_KEY, {"export_context": events}, "query:read"),
        (EXPORT_INSIGHT_KEY, {"dashboard": dashboard_id}, "dashboard:read"),
    ]
    for key, target, scope in cases:
        with scoped_server.client(key) as http:
            response = http.post("exports/", json={"export_format": CSV, **target})
        assert response.status_code == 403, (key, target)
        assert response.json()["detail"] == f"API key missing required scope '{scope}'"
    with scoped_server.client(EXPORT_INSIGHT_KEY) as http:
        response = http.post("exports/", json={"export_format": CSV, "insight": insight_id})
        assert response.status_code == 201
        # export:write satisfies export:read.
        assert http.get(f"exports/{response.json()['id']}/content/").status_code == 200
    with scoped_server.client(READ_KEY) as http:
        assert http.get("exports/").status_code == 403


# -- the asset ----------------------------------------------------------------------------


def test_created_asset_as_posthog_describes_it(api: httpx.Client, signups: dict[str, Any]) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    response = api.post("exports/", json={"export_format": CSV, "insight": signups["id"]})
    after = datetime.now(UTC)
    assert response.status_code == 201
    asset = response.json()
    assert set(asset) == ASSET_FIELDS
    assert asset["insight"] == signups["id"]
    assert asset["dashboard"] is None
    assert asset["export_context"] is None
    assert asset["export_format"] == CSV
    assert asset["has_content"] is True  # generated while the POST waited
    assert asset["exception"] is None
    created = parse_time(asset["created_at"])
    assert before <= created <= after
    assert re.fullmatch(r"export-weekly-signups-\d{4}-\d{2}-\d{2}-\d{6}\.csv", asset["filename"])
    assert asset["filename"] == f"export-weekly-signups-{created:%Y-%m-%d-%H%M%S}.csv"
    midnight = datetime.combine((created + timedelta(days=7)).date(), datetime.min.time(), UTC)
    assert parse_time(asset["expires_after"]) == midnight
    # As Django REST framework writes datetimes: Z, no microseconds when there are none.
    assert asset["expires_after"] == f"{midnight:%Y-%m-%dT%H:%M:%S}Z"
    assert asset["created_at"].endswith("Z") and "+" not in asset["created_at"]
    assert api.get(f"exports/{asset['id']}/").json() == asset
    assert held_exports(api) == [asset]


def test_the_list_filters_by_export_format(api: httpx.Client, signups: dict[str, Any]) -> None:
    made = {
        fmt: api.post("exports/", json={"export_format": fmt, "insight": signups["id"]}).json()
        for fmt in (CSV, "image/png")
    }
    only_csv = api.get("exports/", params={"export_format": CSV}).json()
    assert [asset["id"] for asset in only_csv["results"]] == [made[CSV]["id"]]
    assert only_csv["count"] == 1
    assert api.get("exports/", params={"export_format": "application/pdf"}).json()["count"] == 0


@pytest.mark.parametrize("field", ["insight", "dashboard"])
def test_another_projects_target_does_not_belong_to_your_team(
    live_server: LiveServer, api: httpx.Client, field: str
) -> None:
    elsewhere, _ = create_insight(live_server.db_path, "Theirs", None, project_id=2)
    if field == "dashboard":
        elsewhere = create_dashboard(live_server.db_path, "Theirs", [elsewhere], project_id=2)
    response = api.post("exports/", json={"export_format": "image/png", field: elsewhere})
    assert expect_problem(response, 400) == {
        "type": "validation_error",
        "code": "invalid_input",
        "detail": f"This {field} does not belong to your team.",
        "attr": field,
    }


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("file:///etc/passwd", "Disallowed scheme"),
        ("http://localhost:8000/x", "Local/Loopback host not allowed"),
        ("http://169.254.169.254/latest/meta-data/", "Local/metadata host"),
        ("http://10.1.2.3/", "Disallowed target IP: 10.1.2.3"),
        ("https://grafana.svc.cluster.local/", "Internal domain not allowed"),
    ],
)
def test_an_unsafe_heatmap_url_is_a_400(
    api: httpx.Client, signups: dict[str, Any], url: str, why: str
) -> None:
    body = {"export_format": "image/png", "export_context": {"heatmap_url": url, "path": "/"}}
    assert expect_problem(api.post("exports/", json=body), 400) == {
        "type": "validation_error",
        "code": "invalid_input",
        "detail": f"heatmap_url not allowed: {why}",
        "attr": "export_context",
    }


@pytest.mark.parametrize(
    ("export_format", "extension", "days"),
    [(XLSX, "xlsx", 7), (PNG, "png", 180), (PDF, "pdf", 180)],
)
def test_extension_and_lifetime_follow_the_format(
    api: httpx.Client, signups: dict[str, Any], export_format: str, extension: str, days: int
) -> None:
    asset = api.post("exports/", json={"export_format": export_format, "insight": signups["id"]})
    body = asset.json()
    assert body["filename"].endswith(f".{extension}")
    created = parse_time(body["created_at"])
    expires = parse_time(body["expires_after"])
    assert expires == datetime.combine(
        (created + timedelta(days=days)).date(), datetime.min.time(), UTC
    )


def test_context_filename_is_slugified(api: httpx.Client) -> None:
    for given, expected in [
        ("My Pageviews!", "my-pageviews.csv"),
        ("Café ☕ report.csv", "cafe-reportcsv.csv"),
        ("../../etc/passwd", "etcpasswd.csv"),
    ]:
        body = {
            "export_format": CSV,
            "export_context": {"path": "/api/projects/1/events", "filename": given},
        }
        assert api.post("exports/", json=body).json()["filename"] == expected


def test_dashboard_filename_names_the_dashboard(
    live_server: LiveServer, api: httpx.Client, signups: dict[str, Any]
) -> None:
    dashboard_id = create_dashboard(live_server.db_path, "Growth / Q4 — board", [signups["id"]])
    asset = api.post("exports/", json={"export_format": PNG, "dashboard": dashboard_id}).json()
    assert asset["dashboard"] == dashboard_id
    assert asset["filename"].startswith("export-growth-q4-board-")


def test_exports_are_per_user(live_server: LiveServer, signups: dict[str, Any]) -> None:
    with live_server.client(ADMIN_KEY) as admin, live_server.client(OTHER_USER_KEY) as other:
        first = admin.post("exports/", json={"export_format": CSV, "insight": signups["id"]})
        second = admin.post("exports/", json={"export_format": PNG, "insight": signups["id"]})
        theirs = other.post("exports/", json={"export_format": CSV, "insight": signups["id"]})
        mine = held_exports(admin)
        assert [a["id"] for a in mine] == [second.json()["id"], first.json()["id"]]  # newest first
        assert [a["id"] for a in held_exports(other)] == [theirs.json()["id"]]
        for path in (f"exports/{first.json()['id']}/", f"exports/{first.json()['id']}/content/"):
            response = other.get(path)
            assert response.status_code == 404
            assert response.json() == NOT_FOUND
    with live_server.client(ADMIN_KEY, project=2) as elsewhere:
        assert held_exports(elsewhere) == []
        assert elsewhere.get(f"exports/{first.json()['id']}/").status_code == 404


def test_list_is_paginated(api: httpx.Client, signups: dict[str, Any]) -> None:
    ids = [
        api.post("exports/", json={"export_format": CSV, "insight": signups["id"]}).json()["id"]
        for _ in range(3)
    ]
    page = api.get("exports/", params={"limit": 2}).json()
    assert page["count"] == 3
    assert [a["id"] for a in page["results"]] == ids[:0:-1]
    rest = httpx.get(page["next"], headers={"Authorization": f"Bearer {ADMIN_KEY}"}).json()
    assert [a["id"] for a in rest["results"]] == ids[:1]
    assert rest["next"] is None


@pytest.mark.parametrize("export_id", ["999999", "abc", "0", "99999999999999999999999"])
def test_unknown_export_is_404(api: httpx.Client, export_id: str) -> None:
    for path in (f"exports/{export_id}/", f"exports/{export_id}/content/"):
        response = api.get(path)
        assert response.status_code == 404
        assert response.json() == NOT_FOUND


@pytest.mark.parametrize("method", ["PATCH", "PUT", "DELETE"])
def test_no_update_or_delete(api: httpx.Client, signups: dict[str, Any], method: str) -> None:
    asset = api.post("exports/", json={"export_format": CSV, "insight": signups["id"]}).json()
    for path in (f"exports/{asset['id']}/", f"exports/{asset['id']}"):
        response = api.request(method, path, json={"export_format": PNG})
        assert response.status_code == 405
        assert response.json() == {
            "type": "invalid_request",
            "code": "method_not_allowed",
            "detail": f'Method "{method}" not allowed.',
            "attr": None,
        }
    assert api.get(f"exports/{asset['id']}/").json() == asset


def test_expired_export_is_gone(
    live_server: LiveServer, api: httpx.Client, signups: dict[str, Any]
) -> None:
    asset = api.post("exports/", json={"export_format": CSV, "insight": signups["id"]}).json()
    with sqlite3.connect(live_server.db_path) as conn:
        conn.execute(
            "UPDATE exports SET expires_after = ? WHERE id = ?",
            ("2020-01-01T00:00:00.000000Z", asset["id"]),
        )
    assert api.get(f"exports/{asset['id']}/").status_code == 404
    assert content(api, asset).status_code == 404
    assert held_exports(api) == []


# -- content ------------------------------------------------------------------------------


def test_insight_csv_holds_its_result(api: httpx.Client, signups: dict[str, Any]) -> None:
    asset = api.post("exports/", json={"export_format": CSV, "insight": signups["id"]}).json()
    response = content(api, asset)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "content-disposition" not in response.headers
    rows = read_csv(response.content)
    result = api.get(f"insights/{signups['id']}/?refresh=blocking").json()["result"]
    assert rows[0] == ["date", "signed_up", "$pageview"]
    assert rows[1:] == [
        [day, str(a), str(b)]
        for day, a, b in zip(result[0]["days"], result[0]["data"], result[1]["data"], strict=True)
    ]
    expected = signups["expected"]
    assert [row[1] for row in rows[1:]] == [str(n) for n in expected["signed_up"]]


def test_xlsx_has_the_same_rows_as_the_csv(api: httpx.Client, signups: dict[str, Any]) -> None:
    as_csv = api.post("exports/", json={"export_format": CSV, "insight": signups["id"]}).json()
    as_xlsx = api.post("exports/", json={"export_format": XLSX, "insight": signups["id"]}).json()
    response = content(api, as_xlsx)
    assert response.headers["content-type"] == XLSX
    assert read_xlsx(response.content) == read_csv(content(api, as_csv).content)


def test_download_names_the_file(api: httpx.Client, signups: dict[str, Any]) -> None:
    asset = api.post("exports/", json={"export_format": CSV, "insight": signups["id"]}).json()
    response = content(api, asset, download="true")
    assert response.headers["content-disposition"] == f'attachment; filename="{asset["filename"]}"'


def test_insight_png_is_a_chart_of_the_expected_size(
    api: httpx.Client, signups: dict[str, Any]
) -> None:
    asset = api.post("exports/", json={"export_format": PNG, "insight": signups["id"]}).json()
    response = content(api, asset)
    assert response.headers["content-type"] == PNG
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "PNG"
    assert image.size == INSIGHT_SIZE
    # Not a blank page: a chart has many colours (lines, text, gridlines).
    assert len(image.convert("RGB").getcolors(maxcolors=1_000_000) or []) > 10


def test_dashboard_png_is_a_grid_of_its_tiles(
    live_server: LiveServer, api: httpx.Client, signups: dict[str, Any]
) -> None:
    other, _ = create_insight(live_server.db_path, "Views", trends_query(("$pageview", "dau")))
    funnel, _ = create_insight(live_server.db_path, "Funnel", {"kind": "FunnelsQuery"})
    dashboard_id = create_dashboard(live_server.db_path, "Board", [signups["id"], other, funnel])
    asset = api.post("exports/", json={"export_format": PNG, "dashboard": dashboard_id}).json()
    assert asset["has_content"] is True
    image = Image.open(io.BytesIO(content(api, asset).content))
    assert image.size == dashboard_size(3)
    assert image.size[1] > INSIGHT_SIZE[1]


def test_pdf_is_a_pdf(live_server: LiveServer, api: httpx.Client, signups: dict[str, Any]) -> None:
    dashboard_id = create_dashboard(live_server.db_path, "Board", [signups["id"]])
    for target in ({"insight": signups["id"]}, {"dashboard": dashboard_id}):
        asset = api.post("exports/", json={"export_format": PDF, **target}).json()
        response = content(api, asset)
        assert response.headers["content-type"] == PDF
        assert response.content.startswith(b"%PDF")
        assert response.content.rstrip().endswith(b"%%EOF")


def test_empty_dashboard_still_exports(live_server: LiveServer, api: httpx.Client) -> None:
    dashboard_id = create_dashboard(live_server.db_path, "Empty", [])
    asset = api.post("exports/", json={"export_format": PNG, "dashboard": dashboard_id}).json()
    assert Image.open(io.BytesIO(content(api, asset).content)).size == dashboard_size(0)


# -- events export_context ----------------------------------------------------------------

BROWSERS = ("Safari", "Chrome", "Firefox")


@pytest.fixture
def browsing(live_server: LiveServer) -> int:
    """2,400 $pageview events a minute apart (800 per browser) plus noise; answers the
    number of Safari pageviews."""
    start = datetime.now(UTC) - timedelta(days=2)
    for index, browser in enumerate(BROWSERS):
        insert_events(
            live_server.db_path,
            [("$pageview", f"user-{i % 37}", _at(start, i, index)) for i in range(800)],
            properties={"$browser": browser, "$current_url": f"https://x.example/{browser}"},
        )
    insert_events(live_server.db_path, [("signed_up", "u", stamp(today()))])
    return 800


def _at(start: datetime, i: int, offset: int) -> str:
    return (start + timedelta(minutes=3 * i + offset)).isoformat(timespec="microseconds")


SAFARI = json.dumps(
    [{"key": "$browser", "value": ["Safari"], "operator": "exact", "type": "event"}]
)


def all_events(http: httpx.Client, params: dict[str, Any]) -> list[dict[str, Any]]:
    """What GET events/ serves for ``params``, following ``next``."""
    rows: list[dict[str, Any]] = []
    response = http.get("events/", params=params)
    while True:
        body = response.json()
        rows += body["results"]
        if not body["next"]:
            return rows
        response = http.get(body["next"])


def test_events_csv_matches_what_the_events_api_serves(api: httpx.Client, browsing: int) -> None:
    query = f"event=$pageview&properties={SAFARI}"
    columns = ["timestamp", "event", "distinct_id", "properties.$browser", "properties.missing"]
    asset = api.post(
        "exports/",
        json={
            "export_format": CSV,
            "export_context": {"path": f"/api/projects/1/events?{query}", "columns": columns},
        },
    ).json()
    assert asset["exception"] is None and asset["has_content"] is True
    rows = read_csv(content(api, asset).content)
    served = all_events(api, {"event": "$pageview", "properties": SAFARI, "limit": 300})
    assert len(served) == browsing
    assert rows[0] == columns
    assert rows[1:] == [
        [e["timestamp"], e["event"], e["distinct_id"], e["properties"]["$browser"], ""]
        for e in served
    ]


def test_events_csv_without_columns_is_the_events_apis_csv(
    api: httpx.Client, browsing: int
) -> None:
    asset = api.post(
        "exports/",
        json={
            "export_format": CSV,
            "export_context": {"path": f"/api/environments/1/events/?properties={SAFARI}"},
        },
    ).json()
    served = api.get("events/", params={"properties": SAFARI, "format": "csv", "limit": 1000})
    assert content(api, asset).content == served.content
    assert read_csv(served.content)[0][:4] == ["id", "distinct_id", "event", "timestamp"]


def test_events_xlsx_has_the_same_rows_as_the_csv(api: httpx.Client, browsing: int) -> None:
    context = {"path": "/api/projects/1/events?event=signed_up", "columns": ["event", "timestamp"]}
    rows = {}
    for export_format in (CSV, XLSX):
        asset = api.post(
            "exports/", json={"export_format": export_format, "export_context": context}
        ).json()
        body = content(api, asset).content
        rows[export_format] = read_csv(body) if export_format == CSV else read_xlsx(body)
    assert rows[CSV] == rows[XLSX]
    assert len(rows[CSV]) == 2


def test_events_export_stops_at_the_row_limit(
    api: httpx.Client, browsing: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The server runs in this process: a smaller limit makes the cap cheap to test.
    monkeypatch.setattr(export_sources, "MAX_EXPORT_ROWS", 1500)
    asset = api.post(
        "exports/",
        json={"export_format": CSV, "export_context": {"path": "/api/projects/1/events"}},
    ).json()
    rows = read_csv(content(api, asset).content)
    served = all_events(api, {"limit": 1000})
    assert len(rows) == 1 + 1500
    assert [row[0] for row in rows[1:]] == [e["id"] for e in served[:1500]]


@pytest.mark.parametrize(
    ("context", "message"),
    [
        ({"path": "/api/projects/1/events?properties=nope"}, "Properties are unparsable!"),
        ({"path": "/api/projects/2/events"}, "An export can only read the events of its own"),
        ({"path": "/api/projects/1/persons"}, "The local server exports only its events API"),
        ({"columns": ["event"]}, "The export_context needs a path or a source to export."),
    ],
)
def test_bad_context_fails_the_export_not_the_request(
    api: httpx.Client, context: dict[str, Any], message: str
) -> None:
    response = api.post("exports/", json={"export_format": CSV, "export_context": context})
    assert response.status_code == 201
    asset = response.json()
    assert asset["has_content"] is False
    assert asset["exception"].startswith(message)


def test_context_source_trends_query_exports_its_table(
    api: httpx.Client, signups: dict[str, Any]
) -> None:
    source = trends_query(("signed_up", "total"))["source"]
    context = {"source": source, "filename": "Signups"}
    asset = api.post("exports/", json={"export_format": CSV, "export_context": context}).json()
    rows = read_csv(content(api, asset).content)
    assert asset["filename"] == "signups.csv"
    assert rows[0] == ["date", "signed_up"]
    assert [row[1] for row in rows[1:]] == [str(n) for n in signups["expected"]["signed_up"]]


# -- failures -----------------------------------------------------------------------------


@pytest.mark.parametrize("export_format", UNSUPPORTED)
def test_formats_the_local_server_cannot_make(
    api: httpx.Client, signups: dict[str, Any], export_format: str
) -> None:
    response = api.post("exports/", json={"export_format": export_format, "insight": signups["id"]})
    assert response.status_code == 201
    asset = response.json()
    assert asset["has_content"] is False
    assert "not supported by the local server" in asset["exception"]
    failed = content(api, asset)
    assert failed.status_code == 404  # as PostHog: the asset's exception says why
    assert failed.json() == {
        "type": "invalid_request",
        "code": "not_found",
        "detail": "Not found.",
        "attr": None,
    }


def test_tables_of_what_is_not_a_table_fail_clearly(
    live_server: LiveServer, api: httpx.Client
) -> None:
    funnel, _ = create_insight(live_server.db_path, "Funnel", {"kind": "FunnelsQuery"})
    dashboard_id = create_dashboard(live_server.db_path, "Board", [funnel])
    events = {"path": "/api/projects/1/events"}
    cases = [
        ({"export_format": CSV, "insight": funnel}, "trends insights only"),
        ({"export_format": XLSX, "dashboard": dashboard_id}, "A dashboard exports as PNG or PDF"),
        ({"export_format": PNG, "export_context": events}, "as CSV or XLSX only"),
    ]
    for body, words in cases:
        asset = api.post("exports/", json=body).json()
        assert words in asset["exception"], body


def test_a_crash_while_generating_is_recorded_and_the_server_carries_on(
    live_server: LiveServer,
    api: httpx.Client,
    signups: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def explode(*args: Any) -> Any:
        raise RuntimeError("boom")

    # A fault the real server cannot be made to produce: the server runs in this process.
    with monkeypatch.context() as patch:
        patch.setattr(export_sources, "gather", explode)
        response = api.post("exports/", json={"export_format": PNG, "insight": signups["id"]})
    assert response.status_code == 201
    assert response.json()["exception"] == "RuntimeError: boom"
    assert content(api, response.json()).status_code == 404  # the asset's exception says why
    assert api.get(f"exports/{response.json()['id']}/").json()["exception"] == "RuntimeError: boom"
    assert httpx.get(f"{live_server.url}/_health").status_code == 200
    again = api.post("exports/", json={"export_format": PNG, "insight": signups["id"]}).json()
    assert again["has_content"] is True and again["exception"] is None


# -- generation in the background ---------------------------------------------------------


def wait_for(http: httpx.Client, asset: dict[str, Any], timeout: float = 15) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        current: dict[str, Any] = http.get(f"exports/{asset['id']}/").json()
        if current["has_content"] or current["exception"]:
            return current
        time.sleep(0.1)
    raise AssertionError(f"export {asset['id']} never finished")


def test_slow_server_answers_at_once_then_404_until_ready(slow_server: LiveServer) -> None:
    expected = seed_signups(slow_server.db_path)
    insight_id, _ = create_insight(
        slow_server.db_path, "Signups", trends_query(("signed_up", "total"))
    )
    with slow_server.client() as http:
        response = http.post("exports/", json={"export_format": CSV, "insight": insight_id})
        assert response.status_code == 201
        asset = response.json()
        # Answered before the file was made (no clock asserted: a loaded machine is slow).
        assert asset["has_content"] is False and asset["exception"] is None
        not_ready = content(http, asset)
        assert not_ready.status_code == 404
        assert not_ready.json()["code"] == "not_found"
        ready = wait_for(http, asset)
        assert ready["has_content"] is True
        rows = read_csv(content(http, ready).content)
    assert [row[1] for row in rows[1:]] == [str(n) for n in expected["signed_up"]]


def test_slow_server_records_failures_in_the_background(slow_server: LiveServer) -> None:
    insight_id, _ = create_insight(slow_server.db_path, "I", trends_query(("e", "total")))
    with slow_server.client() as http:
        asset = http.post("exports/", json={"export_format": "video/mp4", "insight": insight_id})
        assert asset.status_code == 201 and asset.json()["exception"] is None
        failed = wait_for(http, asset.json())
        assert "not supported by the local server" in failed["exception"]
        assert content(http, failed).json()["code"] == "not_found"


def test_stopping_does_not_wait_out_a_pending_export(tmp_path: Path) -> None:
    servers = start_server(tmp_path, export_delay=60)
    server = next(servers)
    insight_id, _ = create_insight(server.db_path, "I", trends_query(("e", "total")))
    with server.client() as http:
        assert http.post("exports/", json={"export_format": CSV, "insight": insight_id}).is_success
    started = time.monotonic()
    with pytest.raises(StopIteration):
        next(servers)  # runs the fixture's finally: the server stops
    assert time.monotonic() - started < 5
    assert not server.background.thread.is_alive()


def test_exports_left_waiting_are_made_when_the_server_starts_again(tmp_path: Path) -> None:
    first = start_server(tmp_path, export_delay=60)
    server = next(first)
    insight_id, _ = create_insight(server.db_path, "I", trends_query(("e", "total")))
    with server.client() as http:
        asset = http.post("exports/", json={"export_format": CSV, "insight": insight_id}).json()
    first.close()  # stopped before the export was made
    again = start_server(tmp_path)
    restarted = next(again)
    try:
        with restarted.client() as http:
            assert wait_for(http, asset)["has_content"] is True
    finally:
        again.close()
