"""Error bodies as PostHog's exception handler (drf-exceptions-hog) renders them, for the
cases the local server used to spell otherwise.

The handler's rules: a ``ValidationError``'s DRF code ``invalid`` is reported as
``invalid_input``; ``ValidationError("…")`` has ``attr: null``, ``ValidationError({"detail":
…})`` ``attr: "detail"``, a serializer's ``non_field_errors`` ``attr: null``; a ``ParseError``
is typed ``invalid_request``. A body a view builds itself (``Response({...}, 400)``) is sent as
written. Each test here checks what the server held is unchanged by the refusal.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from support.server_helpers import create, expect, module_api, module_server, snapshot

from tui.server.routes.exports import GET_ONLY

server = module_server("errors")


api = module_api()


def validation(detail: str, attr: str | None, code: str = "invalid_input") -> dict[str, Any]:
    return {"type": "validation_error", "code": code, "detail": detail, "attr": attr}


def test_a_body_that_is_not_an_object_names_no_field(api: httpx.Client) -> None:
    """DRF's serializer raises {"non_field_errors": […]}: the handler drops the key."""
    item = create(api, "Errors/not an object")
    before = snapshot(api)
    expected = validation("Invalid data. Expected a dictionary, but got list.", None)
    for method, url in (
        ("POST", "file_system/"),
        ("PATCH", f"file_system/{item['id']}/"),
        ("PUT", f"file_system/{item['id']}/"),
        ("POST", "file_system/undo_delete/"),
        ("POST", "exports/"),
    ):
        assert expect(api.request(method, url, json=[{"path": "x"}]), 400) == expected, url
    assert snapshot(api) == before


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"path": "x", "shortcut": "maybe"}, validation("Must be a valid boolean.", "shortcut")),
        ({"path": ["x"]}, validation("Not a valid string.", "path")),
        ({"path": "x", "meta": "m"}, validation("Meta must be an object.", "meta")),
    ],
    ids=["boolean", "string", "meta"],
)
def test_a_field_of_the_wrong_kind_is_invalid_input(
    api: httpx.Client, fields: dict[str, Any], expected: dict[str, Any]
) -> None:
    before = snapshot(api)
    assert expect(api.post("file_system/", json=fields), 400) == expected
    assert snapshot(api) == before


def test_a_body_that_is_not_json_is_a_parse_error_typed_invalid_request(api: httpx.Client) -> None:
    before = snapshot(api)
    response = api.post(
        "file_system/", content=b'{"path": ', headers={"Content-Type": "application/json"}
    )
    got = expect(response, 400)
    assert (got["type"], got["code"], got["attr"]) == ("invalid_request", "parse_error", None)
    assert got["detail"].startswith("JSON parse error - ")
    assert snapshot(api) == before


def test_deleting_what_cannot_be_deleted_names_detail(api: httpx.Client) -> None:
    """file_system.py raises ValidationError({"detail": …}) for both refusals."""
    odd = create(api, "Errors/odd type", type="doc-file")
    bare = create(api, "Errors/no reference", type="dashboard")
    before = snapshot(api)
    for entry, detail in (
        (odd, "Cannot delete resources with type 'doc-file'."),
        (bare, "Cannot delete type 'dashboard' without a reference."),
    ):
        got = expect(api.delete(f"file_system/{entry['id']}/"), 400)
        assert got == validation(detail, "detail")
    assert snapshot(api) == before


def test_a_restore_refused_names_detail(api: httpx.Client) -> None:
    before = snapshot(api)
    items = {"items": [{"type": "dashboard", "ref": "no-such-dashboard"}]}
    got = expect(api.post("file_system/undo_delete/", json=items), 400)
    assert got == validation(
        "Couldn't restore this. It may already be restored, or you may not have access to it.",
        "detail",
    )
    assert snapshot(api) == before


def test_a_retrieve_of_no_uuid_is_events_own_body(api: httpx.Client) -> None:
    assert expect(api.get("events/not-a-uuid/"), 400) == {
        "detail": "Invalid UUID",
        "code": "invalid",
        "type": "validation_error",
    }


@pytest.mark.parametrize(
    "context",
    [
        {"path": "/api/projects/1/events/", "method": "POST"},
        {"path": "/api/projects/1/events/", "method": "delete"},
        {"path": "/api/projects/1/events/", "body": {}},
    ],
    ids=["post", "lowercase-delete", "with-a-body"],
)
def test_an_export_of_an_api_path_is_a_plain_get(
    api: httpx.Client, context: dict[str, Any]
) -> None:
    held = expect(api.get("exports/"), 200)["count"]
    body = {"export_format": "text/csv", "export_context": context}
    assert expect(api.post("exports/", json=body), 400) == validation(GET_ONLY, "export_context")
    assert GET_ONLY == (
        "Exports from API endpoints only support GET requests without a request body."
    )
    assert expect(api.get("exports/"), 200)["count"] == held
    # As a GET it is taken.
    plain = {"export_format": "text/csv", "export_context": {**context, "method": "get"}}
    plain["export_context"].pop("body", None)
    assert expect(api.post("exports/", json=plain), 201)["export_format"] == "text/csv"
