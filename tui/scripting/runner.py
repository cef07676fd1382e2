"""Run one scripting command on the backend :mod:`tui.cli` chose for it (as it does for
the app), and turn the outcome into an exit code and a line on stderr.

With no host the backend is the local demo server, started for the command and stopped
after it (:class:`tui.backend.LocalBackend`). Errors are printed in the server's words
(:attr:`tui.api.ApiError.message`, which never holds the key).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from typing import TextIO

from tui.api import ApiError, PostHogClient
from tui.api.errors import is_unknown_project
from tui.backend import Backend
from tui.config import Connection
from tui.debuglog import open_debug_log
from tui.ops import ChangeRefused
from tui.scripting import changes, doctor, events, export, listing, remove, show, tree_extras
from tui.scripting.arguments import changes_something
from tui.scripting.errors import (
    EXIT_BROKEN_PIPE,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    CommandError,
)
from tui.scripting.output import Output, safe

Command = Callable[[PostHogClient, argparse.Namespace, Output], Awaitable[int]]


def _rm(stdin: TextIO) -> Command:
    async def run(client: PostHogClient, args: argparse.Namespace, out: Output) -> int:
        return await remove.rm(client, args, out, stdin)

    return run


def _doctor(backend: Backend, connection: Connection) -> Command:
    async def run(client: PostHogClient, args: argparse.Namespace, out: Output) -> int:
        return await doctor.doctor(client, args, out, backend, connection)

    return run


def commands(stdin: TextIO, backend: Backend, connection: Connection) -> dict[str, Command]:
    return {
        "ls": listing.ls,
        "find": listing.find,
        "count": listing.count,
        "mkdir": changes.mkdir,
        "mv": changes.mv,
        "ln": changes.ln,
        "rm": _rm(stdin),
        "export": export.export,
        "show": show.show,
        "events": events.events,
        "shortcuts": tree_extras.shortcuts,
        "recent": tree_extras.recent,
        "unfiled": tree_extras.unfiled,
        "projects": tree_extras.projects,
        "doctor": _doctor(backend, connection),
    }


def refuse_read_only(args: argparse.Namespace) -> int | None:
    """The exit code of a change asked for with ``--read-only``; ``None`` when it may run."""
    if args.read_only and changes_something(args):
        Output().note(
            f"hogtree {args.command}: --read-only: {args.command} would change the project"
        )
        return EXIT_USAGE
    return None


def run_command(args: argparse.Namespace, backend: Backend, connection: Connection) -> int:
    """Run ``args.command`` on ``backend``; answers the process's exit code."""
    name = args.command
    out = Output(json=bool(getattr(args, "json", False)))
    if args.debug:
        open_debug_log(backend.description, connection.api_key)
    command = commands(sys.stdin, backend, connection)[name]
    try:
        client = backend.connect()
        return asyncio.run(_run(command, client, args, out))
    except KeyboardInterrupt:
        # ctrl+c: asyncio.run has cancelled the command and closed the client.
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (``| head``). Python would complain while flushing stdout
        # at exit: point it at /dev/null first.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    finally:
        backend.close()


async def _run(
    command: Command, client: PostHogClient, args: argparse.Namespace, out: Output
) -> int:
    async with client:
        try:
            return await command(client, args, out)
        except ApiError as error:
            said = safe(error.message)
            if is_unknown_project(error):
                # The server's words, and what to do: a 404 alone reads like a missing entry.
                said = (
                    f"project {client.project_id}: {said}"
                    " ('hogtree projects' lists the projects your key may open)"
                )
            out.note(f"hogtree {args.command}: {said}")
            return EXIT_FAILED
        except (CommandError, ChangeRefused) as error:
            out.note(f"hogtree {args.command}: {error}")
            return error.exit_code if isinstance(error, CommandError) else EXIT_FAILED
        finally:
            out.flush()
