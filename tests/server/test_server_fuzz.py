"""Fuzz the local server from its own OpenAPI schema with schemathesis, over real HTTP.

Every documented operation gets generated requests (valid and invalid bodies, odd query
values, strange ids); every answer must be no 5xx, a status the schema documents, a body
matching the schema documented for that status, and, for every 4xx, the contract's error
body (api.md section 1).

Random ids would only ever meet "Not found", so about half of the generated ids are swapped
for real ones of the demo project (and most project ids for 1, the capture token for the
real one), chosen by a hash of the generated value: the run stays reproducible and
hypothesis can still shrink a failure.

CI runs ``DEFAULT_EXAMPLES`` per operation; a larger run:

    HOGTREE_FUZZ_EXAMPLES=2000 python -m pytest tests/server/test_server_fuzz.py -s
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from support import ADMIN_KEY, LiveServer, http_client
from support.event_helpers import project_token
from support.server_helpers import ERROR_FIELDS, expect

# Examples per operation in CI: the whole test stays under ~40 s on a quiet machine. CI's run
# is derandomized (the same cases every time, so it never fails by chance); a larger run
# asked for with HOGTREE_FUZZ_EXAMPLES explores afresh each time.
DEFAULT_EXAMPLES = 12
LARGER_RUN = os.environ.get("HOGTREE_FUZZ_EXAMPLES")
EXAMPLES = int(LARGER_RUN) if LARGER_RUN else DEFAULT_EXAMPLES

# The file_system actions whose 400s PostHog answers with a bare {"detail"} (api.md 1).
BARE_400_ACTIONS = ("/count_by_path/", "/count/", "/link/", "/move/")
# 400s PostHog's view builds by hand as {detail, code, type}, with no attr (event.py's
# "Invalid UUID").
NO_ATTR_400_PATHS = ("/events/{event_id}/",)


class Fixtures:
    """Real ids of the demo project, and how many cases the fuzzer sent."""

    def __init__(self, ids: dict[str, list[str]], token: str) -> None:
        self.ids = ids
        self.token = token
        self.cases = 0


def _pick(value: object, choices: list[str], one_in: int) -> str | None:
    """A real id for ``one_in - 1`` of every ``one_in`` generated values, reproducibly."""
    digest = zlib.crc32(repr(value).encode("utf-8", "surrogatepass"))
    if not choices or digest % one_in == 0:
        return None
    return choices[digest % len(choices)]


def _results(client: httpx.Client, path: str) -> list[dict[str, Any]]:
    return list(expect(client.get(path, params={"limit": 1000}), 200)["results"])


@pytest.fixture
def fuzz_fixtures(demo_server: LiveServer) -> Iterator[Fixtures]:
    with demo_server.client() as api:
        entries = _results(api, "file_system/")
        insights = _results(api, "insights/")
        export = {"export_format": "text/csv", "insight": insights[0]["id"]}
        expect(api.post("exports/", json=export), 201)
        ids = {
            "entry_id": [entry["id"] for entry in entries],
            # A dashboard's entry names it by its numeric id (api.md section 2).
            "dashboard_id": [e["ref"] for e in entries if e["type"] == "dashboard" and e["ref"]],
            "event_id": [event["id"] for event in _results(api, "events/")],
            "export_id": [str(export["id"]) for export in _results(api, "exports/")],
            "insight_id": [str(insight["id"]) for insight in insights],
            "evaluation_id": ["1"],
        }
    fixtures = Fixtures(ids, project_token(demo_server))
    yield fixtures
    print(f"\nschemathesis: {fixtures.cases} cases, {EXAMPLES} examples per operation")


@pytest.fixture
def api_schema(demo_server: LiveServer) -> schemathesis.BaseSchema:
    with http_client(demo_server.url) as client:
        document = expect(client.get("/openapi.json"), 200)
    loaded = schemathesis.openapi.from_dict(document)
    loaded.config.update(base_url=demo_server.url)
    return loaded


schema = schemathesis.pytest.from_fixture("api_schema")


def _aim(case: schemathesis.Case, fixtures: Fixtures) -> None:
    """Swap some generated ids for real ones so that requests reach past the 404s."""
    for name, value in list((case.path_parameters or {}).items()):
        if name == "project_id":
            real = _pick(value, ["1"], one_in=4)
        else:
            real = _pick(value, fixtures.ids.get(name, []), one_in=2)
        if real is not None:
            case.path_parameters[name] = real
    capture = case.operation.path in ("/capture/", "/e/", "/i/v0/e/", "/batch/", "/i/v0/ai/batch/")
    if capture and isinstance(case.body, dict) and _pick(case.body, ["yes"], one_in=2):
        case.body["api_key"] = fixtures.token


def assert_error_format(response: schemathesis.Response, case: schemathesis.Case) -> None:
    """Every 4xx with a body carries ``{type, code, detail, attr}`` (or a bare ``detail``, or
    no ``attr``, where PostHog answers so); 405 on evaluations has no body at all."""
    if not 400 <= response.status_code < 500 or not response.content:
        return
    body = response.json()
    bare_allowed = response.status_code == 400 and case.operation.path.endswith(BARE_400_ACTIONS)
    if bare_allowed and isinstance(body, dict) and set(body) == {"detail"}:
        return
    no_attr = response.status_code == 400 and case.operation.path.endswith(NO_ATTR_400_PATHS)
    if no_attr and isinstance(body, dict) and set(body) == ERROR_FIELDS - {"attr"}:
        body = {**body, "attr": None}
    assert isinstance(body, dict) and set(body) == ERROR_FIELDS, body
    assert all(isinstance(body[key], str) and body[key] for key in ("type", "code", "detail"))
    assert body["attr"] is None or isinstance(body["attr"], str)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=not LARGER_RUN,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented(
    case: schemathesis.Case, fuzz_fixtures: Fixtures
) -> None:
    _aim(case, fuzz_fixtures)
    fuzz_fixtures.cases += 1
    response = case.call(headers={"Authorization": f"Bearer {ADMIN_KEY}"}, timeout=30)
    case.validate_response(
        response,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
    assert_error_format(response, case)
