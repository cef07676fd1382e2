"""PostHog's Node SDK (``posthog-node``) for tests: installed once, pinned, into a cache
folder reused across runs, and a way to run a script with it.

The suite runs on every CI build, so the install happens once per machine (per pinned
version), not once per run: ``<cache>/node-sdk/<version>/node_modules``. ``HOGTREE_NODE_SDK_CACHE``
chooses another cache folder. Two runs installing at once each install into a folder of
their own and the first to finish keeps its copy (a rename), so neither sees half an install.

When ``node`` or ``npm`` is missing, ``node`` is older than the SDK supports, or npm cannot
install (no network), :func:`installed_sdk` answers why instead of a folder: the tests skip
with that reason.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import platformdirs

# posthog-node and the one package it depends on, both pinned: an SDK release must not
# change what the tests send without a commit saying so.
SDK_VERSION = "5.74.0"
CORE_VERSION = "1.69.2"  # @posthog/core, which posthog-node 5.74.0 asks for as ^1.68.0
# posthog-node 5.74.0's "engines": node ^20.20.0 || >=22.22.0.
MIN_NODE = (20, 20)
INSTALL_TIMEOUT_S = 180
# npm retries a failing fetch for minutes by default: offline, give up soon.
NPM_FLAGS = (
    "--no-audit",
    "--no-fund",
    "--ignore-scripts",
    "--no-package-lock",
    "--loglevel=error",
    "--fetch-retries=1",
    "--fetch-timeout=30000",
)


def cache_dir() -> Path:
    configured = os.environ.get("HOGTREE_NODE_SDK_CACHE")
    base = Path(configured) if configured else Path(platformdirs.user_cache_dir("hogtree"))
    return base / "node-sdk" / SDK_VERSION


def _node_version(node: str) -> tuple[int, int] | None:
    try:
        out = subprocess.run(
            [node, "--version"], capture_output=True, text=True, timeout=30, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.match(r"v(\d+)\.(\d+)", out.strip())
    return (int(found[1]), int(found[2])) if found else None


def _is_installed(folder: Path) -> bool:
    package = folder / "node_modules" / "posthog-node" / "package.json"
    try:
        return bool(json.loads(package.read_text())["version"] == SDK_VERSION)
    except (OSError, ValueError, KeyError):
        return False


def _install(target: Path, npm: str) -> str | None:
    """Install the pinned SDK into ``target`` (made whole, or not at all); None when done,
    else why not."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        manifest = {
            "name": "hogtree-node-sdk-test",
            "private": True,
            "dependencies": {"posthog-node": SDK_VERSION},
            "overrides": {"@posthog/core": CORE_VERSION},
        }
        (staging / "package.json").write_text(json.dumps(manifest, indent=2))
        try:
            result = subprocess.run(
                [npm, "install", *NPM_FLAGS],
                cwd=staging,
                capture_output=True,
                text=True,
                timeout=INSTALL_TIMEOUT_S,
            )
        except subprocess.TimeoutExpired:
            return f"npm install posthog-node@{SDK_VERSION} took over {INSTALL_TIMEOUT_S} s"
        except OSError as exc:
            return f"npm could not run: {exc}"
        if result.returncode != 0 or not _is_installed(staging):
            # npm's first lines name the cause (``npm error code ECONNREFUSED``…).
            head = (result.stderr or result.stdout).strip().splitlines()[:2]
            return f"npm install posthog-node@{SDK_VERSION} failed: {' '.join(head)}"
        try:
            staging.rename(target)
        except OSError:
            # Another run finished first: its copy is as good as ours.
            if not _is_installed(target):
                return f"could not move the installed SDK to {target}"
        return None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def installed_sdk() -> tuple[Path, str] | str:
    """``(the folder holding node_modules/posthog-node, the node executable)``, installing
    the SDK first if needed; or the reason it cannot be had here."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None:
        return "node is not installed"
    version = _node_version(node)
    if version is None or version < MIN_NODE:
        found = ".".join(map(str, version)) if version else "unknown"
        return f"posthog-node {SDK_VERSION} needs node >= 20.20, this node is {found}"
    folder = cache_dir()
    if _is_installed(folder):
        return folder, node
    if npm is None:
        return "npm is not installed"
    if folder.exists():  # not a whole install (installs land whole): made again
        shutil.rmtree(folder, ignore_errors=True)
    problem = _install(folder, npm)
    return problem if problem is not None else (folder, node)
