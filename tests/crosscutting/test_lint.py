"""The code stays ruff-clean, ruff-formatted and strictly typed: part of the test run so CI
enforces it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def ruff(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.skipif(
    shutil.which("ruff") is None and sys.prefix == sys.base_prefix, reason="ruff is not installed"
)
def test_ruff_check_and_format_are_clean() -> None:
    # One test for both (each run says what it found): `ruff format tui tests` fixes the second.
    check = ruff("check", "tui", "tests")
    formatted = ruff("format", "--check", "tui", "tests")
    assert (check.returncode, formatted.returncode) == (0, 0), (
        check.stdout + check.stderr + formatted.stdout + formatted.stderr
    )


def test_mypy_strict_is_clean() -> None:
    # pyproject's [tool.mypy] says strict, and which package.
    result = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
