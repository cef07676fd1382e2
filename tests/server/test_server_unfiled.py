"""Conformance: ``file_system/unfiled/`` in detail (api.md 8.4): names, equal names, which
``type`` values file what. (Filing the demo's objects, idempotence and the folders per type
are in test_server_actions.py; the scope, ``file_system:read``, in the auth matrix.)

Objects are written straight into the server's file: the local server has no endpoint that
creates insights, flags or hog functions.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import httpx
import pytest
from support import LiveServer
from support.insight_helpers import database
from support.server_helpers import list_all, unfiled

from tui.server.store import objects
from tui.server.store.file_system import now


def make(server: LiveServer, *made: tuple[str, str]) -> list[str]:
    """Objects (type, name) of project 1 with no entry; their refs."""
    with database(server.db_path) as conn:
        conn.row_factory = sqlite3.Row
        return [
            objects.create_object(conn, 1, kind, name, created_by=None, created_at=now())["ref"]
            for kind, name in made
        ]


def filed(api: httpx.Client) -> list[tuple[str, str]]:
    return sorted((e["path"], e["type"]) for e in list_all(api) if e["type"] != "folder")


def test_a_nameless_object_is_untitled_and_equal_names_share_a_path(
    live_server: LiveServer, api: httpx.Client
) -> None:
    make(live_server, ("insight", ""), ("notebook", "Same"), ("notebook", "Same"))
    assert unfiled(api) == 3
    assert filed(api) == [
        ("Unfiled/Insights/Untitled", "insight"),
        ("Unfiled/Notebooks/Same", "notebook"),
        ("Unfiled/Notebooks/Same", "notebook"),
    ]
    assert unfiled(api) == 0


@pytest.mark.parametrize("type_", ["", "   ", "no_such_type", "hog_function/destination"])
def test_a_type_posthog_does_not_know_files_nothing(
    live_server: LiveServer, api: httpx.Client, type_: str
) -> None:
    make(live_server, ("insight", "Waiting"), ("hog_function/destination", "Slack"))
    assert unfiled(api, type=type_) == 0
    assert filed(api) == []


def test_hog_function_files_every_kind_of_hog_function(
    live_server: LiveServer, api: httpx.Client
) -> None:
    make(
        live_server,
        ("hog_function/destination", "Slack"),
        ("hog_function/transformation", "GeoIP"),
        ("insight", "Not a hog function"),
    )
    assert unfiled(api, type="hog_function") == 2
    assert [kind for _, kind in filed(api)] == [
        "hog_function/destination",
        "hog_function/transformation",
    ]
    assert unfiled(api) == 1


def test_a_filed_object_keeps_its_creation(live_server: LiveServer, api: httpx.Client) -> None:
    (ref,) = make(live_server, ("dashboard", "Dated"))
    unfiled(api, type="dashboard")
    (entry,) = list_all(api, type="dashboard", ref=ref)
    meta: dict[str, Any] = entry["meta"]
    assert meta["created_at"] == entry["created_at"]
    assert (entry["href"], entry["shortcut"], entry["depth"]) == (f"/dashboard/{ref}", False, 3)
