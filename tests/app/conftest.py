"""The app room's fixtures: the fixed picture project the snapshot tests take their
pictures of (support/snapshot_data.py), on a server of the test's own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support import LiveServer
from support.snapshot_data import build_database, serve_copy


@pytest.fixture(scope="session")
def snapshot_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The picture project, built once per run; each test gets its own copy."""
    return build_database(tmp_path_factory.mktemp("snapshots") / "template.sqlite3")


@pytest.fixture
def snapshot_server(tmp_path: Path, snapshot_database: Path) -> Iterator[LiveServer]:
    """A local server on a fresh copy of the picture project, with dates shown in UTC."""
    yield from serve_copy(snapshot_database, tmp_path / "snapshots.sqlite3")
