"""``doctor``: the first thing to run when something is off. Which host, which project (and
its name), whether the key works and what it may do (from the API's own answer about the
key, ``personal_api_keys/@current/``), the config file in use and the download folder.

The key itself is never printed: the server's masked form at most. Exit 1 when something
is wrong (a refused key, a project that does not exist or cannot be read, a download folder
that is not one), so that a script can run it first.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from tui import __version__
from tui.api import ApiError, PermissionDeniedError, PostHogClient
from tui.api.errors import is_unknown_project
from tui.backend import Backend, LocalBackend
from tui.config import Connection, default_config_path
from tui.models.accounts import KeyInfo
from tui.scripting.errors import EXIT_FAILED, EXIT_OK
from tui.scripting.output import Output, pad, safe

# The labels' column on a terminal and piped alike (a script may cut it: ``cut -c13-``).
LABEL_WIDTH = 11
# Marks a finding that is wrong, before its words.
PROBLEM = "✗ "


@dataclass(frozen=True)
class Finding:
    label: str
    value: str
    ok: bool = True

    def line(self) -> str:
        return pad(self.label, LABEL_WIDTH) + " " + ("" if self.ok else PROBLEM) + self.value


def config_finding(path: Path | None = None) -> Finding:
    path = path or default_config_path()
    return Finding("config", str(path) if path.is_file() else f"{path} (none there: not used)")


def _scopes(info: KeyInfo) -> str:
    if "*" in info.scopes:
        return "* (every scope)"
    return ", ".join(sorted(info.scopes)) or "none"


def _key_projects(info: KeyInfo) -> str:
    if not info.scoped_teams:
        return "any of the organisation's"
    return ", ".join(str(team) for team in info.scoped_teams)


async def _project_name(client: PostHogClient) -> str | None:
    """The project's name, when the key may read the projects (``project:read``)."""
    try:
        projects = await client.accounts.projects()
    except PermissionDeniedError:
        return None
    return next((p.name for p in projects if p.id == client.project_id), None)


async def _user(client: PostHogClient) -> str:
    try:
        me = await client.accounts.me()
    except PermissionDeniedError:
        return "(not shown: the key lacks user:read)"
    name = me.display_name
    return name if name == me.email else f"{name} <{me.email}>"


async def _project(client: PostHogClient, info: KeyInfo) -> Finding:
    project_id = client.project_id
    if not info.allows_project(project_id):
        return Finding(
            "project", f"{project_id}: the key may open only {_key_projects(info)}", ok=False
        )
    try:
        # The cheapest read of the project itself: its tree's first entry.
        await client.list_entries(limit=1)
    except ApiError as error:
        said = safe(error.message)
        if is_unknown_project(error):
            said += " ('hogtree projects' lists the projects your key may open)"
        return Finding("project", f"{project_id}: {said}", ok=False)
    name = await _project_name(client)
    return Finding("project", f"{project_id} {safe(repr(name)) if name else '(name not readable)'}")


async def findings(
    client: PostHogClient, args: argparse.Namespace, backend: Backend, connection: Connection
) -> list[Finding]:
    found = [Finding("hogtree", __version__)]
    if isinstance(backend, LocalBackend):
        found.append(Finding("host", f"{backend.place} on {backend.db_path}, for this command"))
    else:
        found.append(Finding("host", connection.host or ""))
    found.append(config_finding())
    if connection.profile:
        found.append(Finding("profile", connection.profile))
    downloads = (args.download_dir or Path.cwd()).expanduser().absolute()
    if downloads.is_dir():
        found.append(Finding("downloads", str(downloads)))
    else:
        found.append(Finding("downloads", f"{downloads}: not a folder", ok=False))
    source = connection.key_source or (
        "the key the local demo made for this run" if backend.is_local else "none given"
    )
    try:
        info = await client.accounts.key_info()
    except ApiError as error:
        found.append(Finding("key", f"from {source}: {safe(error.message)}", ok=False))
        return found
    masked = f"{safe(info.mask_value)} " if info.mask_value else ""
    label = f" ({safe(info.label)})" if info.label else ""
    found.append(Finding("key", f"{masked}from {source}: accepted{label}"))
    found.append(Finding("scopes", _scopes(info)))
    found.append(Finding("projects", f"the key may open {_key_projects(info)}"))
    found.append(Finding("user", await _user(client)))
    found.append(await _project(client, info))
    return found


async def doctor(
    client: PostHogClient,
    args: argparse.Namespace,
    out: Output,
    backend: Backend,
    connection: Connection,
) -> int:
    found = await findings(client, args, backend, connection)
    if out.json:
        out.json_line({f.label: {"value": f.value, "ok": f.ok} for f in found})
    else:
        out.lines(f.line() for f in found)
    return EXIT_OK if all(f.ok for f in found) else EXIT_FAILED
