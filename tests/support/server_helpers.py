"""Small helpers for the local server's conformance tests (``tests/test_server_*.py``).

They talk plain HTTP through the ``httpx.Client`` fixtures of ``conftest.py`` and assert only
what the contract (``/work/shared/spec/api.md``) promises, so a failure points at the server.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest

from support import LiveServer, running_server, server_settings

# Every field of an entry, no more and no fewer (api.md section 2, "The entry").
ENTRY_FIELDS = frozenset(
    {
        "id",
        "path",
        "depth",
        "type",
        "ref",
        "href",
        "meta",
        "shortcut",
        "created_at",
        "last_viewed_at",
        "user_access_level",
    }
)
USER_FIELDS = frozenset({"id", "uuid", "first_name", "last_name", "email"})
ERROR_FIELDS = frozenset({"type", "code", "detail", "attr"})

NOT_FOUND = {"type": "invalid_request", "code": "not_found", "detail": "Not found.", "attr": None}
NOT_AUTHENTICATED = {
    "type": "authentication_error",
    "code": "not_authenticated",
    "detail": "Authentication credentials were not provided.",
    "attr": None,
}
AUTHENTICATION_FAILED = {
    "type": "authentication_error",
    "code": "authentication_failed",
    "detail": "Personal API key found in request Authorization header is invalid.",
    "attr": None,
}
PROJECT_NOT_FOUND = {
    "type": "invalid_request",
    "code": "not_found",
    "detail": "Project not found.",
    "attr": None,
}
SERVER_ERROR = {
    "type": "server_error",
    "code": "error",
    "detail": "A server error occurred.",
    "attr": None,
}
UNDO_REFUSED = (
    "Couldn't restore this. It may already be restored, or you may not have access to it."
)

# A safety net for walking ``next``: a server that loops forever must fail, not hang.
MAX_PAGES = 500


def missing_scope(scope: str) -> dict[str, Any]:
    return {
        "type": "authentication_error",
        "code": "permission_denied",
        "detail": f"API key missing required scope '{scope}'",
        "attr": None,
    }


def no_project_access(project: int) -> dict[str, Any]:
    return {
        "type": "authentication_error",
        "code": "permission_denied",
        "detail": f"API key does not have access to the requested project: ID {project}.",
        "attr": None,
    }


def body(resp: httpx.Response) -> Any:
    """The JSON body, with the raw text in the failure message when it is not JSON."""
    try:
        return resp.json()
    except ValueError:  # pragma: no cover - only on a broken server
        request = resp.request
        pytest.fail(
            f"{request.method} {request.url} -> {resp.status_code}, not JSON: {resp.text!r}"
        )


def expect(resp: httpx.Response, status: int) -> Any:
    """Assert the status and return the JSON body (``None`` for an empty body)."""
    assert resp.status_code == status, (
        f"{resp.request.method} {resp.request.url} -> {resp.status_code} (wanted {status}): "
        f"{resp.text[:2000]}"
    )
    return body(resp) if resp.content else None


def assert_error(resp: httpx.Response, status: int, expected: dict[str, Any]) -> None:
    """The status and exactly this error body."""
    got = expect(resp, status)
    assert got == expected


def assert_error_shape(
    resp: httpx.Response, status: int, *, type_: str, code: str | None = None, **fields: Any
) -> dict[str, Any]:
    """PostHog's ``{type, code, detail, attr}`` body with the given values (others free)."""
    got = expect(resp, status)
    assert isinstance(got, dict) and set(got) == ERROR_FIELDS, got
    assert got["type"] == type_, got
    if code is not None:
        assert got["code"] == code, got
    assert isinstance(got["detail"], str) and got["detail"], got
    for key, value in fields.items():
        assert got[key] == value, got
    return got


def assert_bare_detail(resp: httpx.Response, detail: str, status: int = 400) -> None:
    """The file_system actions' bare ``{"detail": "…"}`` 400s (api.md section 1)."""
    assert expect(resp, status) == {"detail": detail}


# --- file_system --------------------------------------------------------------------------


def create(api: httpx.Client, path: str, **fields: Any) -> dict[str, Any]:
    """``POST file_system/`` and return the created entry."""
    entry = expect(api.post("file_system/", json={"path": path, **fields}), 201)
    assert isinstance(entry, dict)
    return entry


def create_many(api: httpx.Client, paths: Iterable[str], **fields: Any) -> list[dict[str, Any]]:
    return [create(api, path, **fields) for path in paths]


def folder(api: httpx.Client, path: str) -> dict[str, Any]:
    return create(api, path, type="folder")


def get_entry(api: httpx.Client, entry_id: str) -> dict[str, Any]:
    entry = expect(api.get(f"file_system/{entry_id}/"), 200)
    assert isinstance(entry, dict)
    return entry


def is_gone(api: httpx.Client, entry_id: str) -> bool:
    resp = api.get(f"file_system/{entry_id}/")
    assert resp.status_code in (200, 404), resp.text
    return resp.status_code == 404


def list_page(api: httpx.Client, **params: Any) -> dict[str, Any]:
    page = expect(api.get("file_system/", params=params), 200)
    assert isinstance(page, dict)
    return page


def list_all(api: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    """Every entry matching ``params``, walking ``next`` to the end."""
    page = list_page(api, **params)
    results = list(page["results"])
    pages = 1
    while page["next"]:
        pages += 1
        assert pages < MAX_PAGES, "next never became null"
        page = expect(api.get(page["next"]), 200)
        results.extend(page["results"])
    return results


def search(api: httpx.Client, query: str, **params: Any) -> set[str]:
    """The paths of every entry that ``search=query`` finds."""
    return path_set(list_all(api, search=query, **params))


def at_path(api: httpx.Client, path: str) -> list[dict[str, Any]]:
    """Every entry stored at exactly ``path``."""
    return list_all(api, path=path)


def one_at(api: httpx.Client, path: str) -> dict[str, Any]:
    entries = at_path(api, path)
    assert len(entries) == 1, f"expected one entry at {path!r}, found {entries}"
    return entries[0]


def paths(entries: Iterable[dict[str, Any]]) -> list[str]:
    return [entry["path"] for entry in entries]


def path_set(entries: Iterable[dict[str, Any]]) -> set[str]:
    return {entry["path"] for entry in entries}


def snapshot(api: httpx.Client) -> list[dict[str, Any]]:
    """Everything the server holds for the project, comparable before/after an action."""
    entries = list_all(api, limit=1000)
    for entry in entries:
        entry.pop("last_viewed_at", None)
    return sorted(entries, key=lambda entry: entry["id"])


def tree(api: httpx.Client) -> dict[str, list[tuple[str, int, bool]]]:
    """``path -> [(type, depth, shortcut), …]`` of the whole project."""
    out: dict[str, list[tuple[str, int, bool]]] = {}
    for entry in list_all(api, limit=1000):
        out.setdefault(entry["path"], []).append((entry["type"], entry["depth"], entry["shortcut"]))
    for rows in out.values():
        rows.sort()
    return out


def assert_is_entry(entry: Any) -> None:
    assert isinstance(entry, dict), entry
    assert set(entry) == ENTRY_FIELDS, sorted(entry)


# --- the demo project's objects -------------------------------------------------------------


def sole_entry(api: httpx.Client, type_: str) -> dict[str, Any]:
    """An original entry of ``type_`` that is the only entry (shortcuts included) of its object.

    Skips when the demo project holds no such entry (the contract does not fix the demo).
    """
    entries = [e for e in list_all(api, type=type_, limit=1000) if e["ref"]]
    per_ref: dict[str, int] = {}
    for entry in entries:
        per_ref[entry["ref"]] = per_ref.get(entry["ref"], 0) + 1
    for entry in entries:
        if per_ref[entry["ref"]] == 1 and not entry["shortcut"]:
            return entry
    pytest.skip(f"the demo project has no {type_} entry to work with")


def originals_of(api: httpx.Client, type_: str, ref: str) -> list[dict[str, Any]]:
    return [e for e in list_all(api, type=type_, ref=ref) if not e["shortcut"]]


def unfiled(api: httpx.Client, **params: Any) -> int:
    got = expect(api.get("file_system/unfiled/", params=params), 200)
    assert isinstance(got, dict) and set(got) == {"count"}, got
    assert isinstance(got["count"], int)
    return got["count"]


def parse_time(text: str) -> datetime:
    """A timestamp as the server writes it (``Z`` or ``+00:00``)."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def module_server(name: str) -> Any:
    """A ``server`` fixture for a whole test module: an empty local server on a database
    of its own (``name`` names its folder). Assign it: ``server = module_server("x")``."""

    @pytest.fixture(scope="module")
    def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
        db_path = tmp_path_factory.mktemp(name) / f"{name}.sqlite3"
        with running_server(server_settings(db_path, "empty")) as live:
            yield live

    return server


def module_api() -> Any:
    """An ``api`` fixture for a whole test module: an admin HTTP client on its ``server``.
    Assign it: ``api = module_api()``."""

    @pytest.fixture(scope="module")
    def api(server: LiveServer) -> Iterator[httpx.Client]:
        with server.client() as client:
            yield client

    return api
