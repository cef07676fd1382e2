"""The app room's fixtures: the fixed picture project the snapshot tests take their
pictures of (support/snapshot_data.py), and a project at scale whose folder ``Big`` holds
5,000 entries, each on a server of the test's own."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import LiveServer, running_server, server_settings
from support.snapshot_data import build_database, serve_copy

from tui.server.app import prepare_database
from tui.server.settings import parse_seed

# A tenth of a scale project's entries are in Big: 5,000 here, fifty pages of a hundred.
SCALE_SEED = "scale:50k:0"


@pytest.fixture(autouse=True)
def _work_in_a_folder_of_the_tests_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The app saves exports into the current folder unless told otherwise: in a test,
    that is the test's own folder, never the checkout."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def snapshot_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The picture project, built once per run; each test gets its own copy."""
    return build_database(tmp_path_factory.mktemp("snapshots") / "template.sqlite3")


@pytest.fixture
def snapshot_server(tmp_path: Path, snapshot_database: Path) -> Iterator[LiveServer]:
    """A local server on a fresh copy of the picture project, with dates shown in UTC."""
    yield from serve_copy(snapshot_database, tmp_path / "snapshots.sqlite3")


@pytest.fixture(scope="session")
def scale_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project at scale (its folder Big holds 5,000 entries), seeded once per run."""
    template = tmp_path_factory.mktemp("scale") / "scale-template.sqlite3"
    db, _ = prepare_database(server_settings(template, parse_seed(SCALE_SEED)))
    db.close()
    return template


@pytest.fixture
def scale_server(tmp_path: Path, scale_database: Path) -> Iterator[LiveServer]:
    """A local server on a fresh copy of the project at scale, for this test alone."""
    db_path = tmp_path / "scale.sqlite3"
    shutil.copyfile(scale_database, db_path)
    with running_server(server_settings(db_path, parse_seed(SCALE_SEED))) as server:
        yield server
