"""The OpenAPI schema the local server publishes: FastAPI's, made exact about its answers.

The shared models (``tui.models``) are lenient, as a client reading PostHog must be: most
fields may be missing. This server always sends every field, so its schema says so: every
property of a response schema is required, except the few listed here. The fuzz test
(``tests/test_server_fuzz.py``) then checks every answer against it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.responses import Response

# Fields an answer may leave out: ``insights/?basic=true`` drops each insight's result, and
# an event's person is PostHog's short one (no id, uuid or created_at; the shared model
# reads them from servers that send them).
OPTIONAL_FIELDS: dict[str, frozenset[str]] = {
    "Insight": frozenset({"result"}),
    "EventPerson": frozenset({"id", "uuid", "created_at"}),
}


def require_every_field(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with every property of every component required (but OPTIONAL_FIELDS).

    Request bodies are documented inline, so the components are the answers (and the error
    bodies, whose fields are required already).
    """
    for name, component in schema.get("components", {}).get("schemas", {}).items():
        properties = component.get("properties")
        if properties:
            optional = OPTIONAL_FIELDS.get(name, frozenset())
            component["required"] = [field for field in properties if field not in optional]
    return schema


def install(app: FastAPI) -> None:
    """Publish :func:`require_every_field` of FastAPI's schema at ``/openapi.json``, and at
    ``/api/schema/`` where PostHog serves its own (drf-spectacular's: YAML unless
    ``?format=json``; this one is JSON either way, which every YAML reader reads)."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        return require_every_field(generate())

    app.openapi = openapi  # type: ignore[method-assign]

    def schema(format: str | None = None) -> Response:
        media = "application/vnd.oai.openapi" + ("+json" if format == "json" else "")
        return Response(json.dumps(app.openapi()), media_type=media)

    for path in ("/api/schema", "/api/schema/"):
        app.add_api_route(path, schema, methods=["GET"], include_in_schema=False)
