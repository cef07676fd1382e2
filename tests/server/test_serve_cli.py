"""``hogtree serve`` as a user runs it: a real process, a real socket."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from support.serve_process import serving

from tui.cli import main


def test_serve_seeds_the_demo_and_prints_a_working_key(tmp_path: Path) -> None:
    db = tmp_path / "demo.sqlite3"
    with serving("--db", str(db)) as (url, process):
        pass
    output = process.stdout.read() if process.stdout else ""
    key = re.search(r"API key\s+(phx_\S+)", output)
    assert key, output
    assert db.exists()

    # A second run on the same database: still the demo, a new key, nothing seeded twice.
    with serving("--db", str(db)) as (url, process):
        output = ""
        response = None
        # the key is printed before the server listens, so it is in the pipe already
        assert process.stdout is not None
        for _ in range(6):
            line = process.stdout.readline()
            output += line
            if "API key" in line:
                break
        key = re.search(r"API key\s+(phx_\S+)", output)
        assert key, output
        response = httpx.get(
            url + "/api/projects/1/file_system/",
            params={"depth": 1},
            headers={"Authorization": f"Bearer {key.group(1)}"},
        )
    assert response.status_code == 200
    top = [entry["path"] for entry in response.json()["results"]]
    assert "Marketing" in top and "Unfiled" in top
    assert len(top) == len(set(top)), "the demo was seeded once"


def test_serve_with_given_keys_projects_and_an_empty_seed(tmp_path: Path) -> None:
    args = [
        "--db",
        str(tmp_path / "e.sqlite3"),
        "--seed",
        "empty",
        "--projects",
        "1,2",
        "--api-key",
        "phx_ro=file_system:read@2",
        "--api-key",
        "phx_rw",
    ]
    with serving(*args) as (url, _):
        read_only = {"Authorization": "Bearer phx_ro"}
        assert (
            httpx.get(url + "/api/projects/2/file_system/", headers=read_only).json()["count"] == 0
        )
        refused = httpx.get(url + "/api/projects/1/file_system/", headers=read_only)
        assert refused.status_code == 403
        created = httpx.post(
            url + "/api/environments/2/file_system",
            json={"path": "x/y"},
            headers={"Authorization": "Bearer phx_rw"},
        )
        assert created.status_code == 201
        assert (
            httpx.get(url + "/api/projects/2/file_system/", headers=read_only).json()["count"] == 2
        )
        unknown = httpx.get(
            url + "/api/projects/3/file_system/", headers={"Authorization": "Bearer phx_rw"}
        )
        assert unknown.status_code == 404


def test_serve_warns_when_not_on_loopback(tmp_path: Path) -> None:
    with serving(
        "--db",
        str(tmp_path / "w.sqlite3"),
        "--seed",
        "empty",
        "--bind",
        "0.0.0.0",
        "--api-key",
        "k",
    ) as (_, process):
        assert process.stdout is not None
        first = process.stdout.readline()
    assert first.startswith("warning:") and "0.0.0.0" in first


def test_serve_rejects_a_bad_key_spec(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tui",
            "serve",
            "--db",
            str(tmp_path / "x.sqlite3"),
            "--api-key",
            "k@one",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "project ids after '@' must be numbers" in result.stderr


def test_export_delay_makes_exports_wait_as_older_posthog(tmp_path: Path) -> None:
    args = ["--db", str(tmp_path / "d.sqlite3"), "--api-key", "phx_x", "--export-delay", "30"]
    with serving(*args) as (url, _):
        headers = {"Authorization": "Bearer phx_x"}
        insight = httpx.get(url + "/api/projects/1/insights/", headers=headers).json()["results"][0]
        created = httpx.post(
            url + "/api/projects/1/exports/",
            json={"insight": insight["id"], "export_format": "text/csv"},
            headers=headers,
        )
        assert created.status_code == 201
        assert created.json()["has_content"] is False
        content = httpx.get(
            url + f"/api/projects/1/exports/{created.json()['id']}/content/", headers=headers
        )
        assert content.status_code == 404
        assert content.json()["code"] == "not_found"


def test_serve_seeds_a_project_at_scale(tmp_path: Path) -> None:
    args = ["--db", str(tmp_path / "s.sqlite3"), "--seed", "scale:2k:500", "--api-key", "phx_s"]
    with serving(*args) as (url, process):
        headers = {"Authorization": "Bearer phx_s"}
        everything = httpx.get(
            url + "/api/projects/1/file_system/", params={"limit": 1}, headers=headers
        )
        big = httpx.get(
            url + "/api/projects/1/file_system/",
            params={"parent": "Big", "depth": 2, "limit": 1},
            headers=headers,
        )
        events = httpx.get(url + "/api/projects/1/events/", params={"limit": 1000}, headers=headers)
    assert everything.json()["count"] == 2000
    assert big.json()["count"] == 200
    assert len(events.json()["results"]) == 500
    assert process.stdout is not None
    assert "seed: scale:2000:500" in process.stdout.read()


def test_serve_rejects_a_bad_scale(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--seed", "scale:lots"])
    assert exited.value.code == 2
    assert "expected a count like 1000000, 250k or 1m, got 'lots'" in capsys.readouterr().err
