"""Changing the tree: ``mkdir``, ``mv`` and ``ln``, over :mod:`tui.ops`.

Each prints the entries it made or moved as a listing does, so a script can read them
back. Like ``mv`` and ``mkdir``, one source failing does not stop the others: each failure
is reported on stderr, and the exit code says that something failed.
"""

from __future__ import annotations

import argparse

from tui import ops, paths
from tui.api import ApiError, PostHogClient
from tui.ops import ChangeRefused
from tui.scripting.errors import EXIT_FAILED, EXIT_OK
from tui.scripting.output import EntryPrinter, Output, safe


class Failures:
    """Failures of single sources, each told in the server's words."""

    def __init__(self, out: Output, command: str) -> None:
        self.out = out
        self.command = command
        self.count = 0

    def add(self, what: str, error: ApiError | ChangeRefused) -> None:
        self.count += 1
        self.out.note(f"hogtree {self.command}: {what}: {safe(str(error))}")

    def add_all(self, result: ops.ChangeResult | ops.DeleteResult) -> None:
        for failure in result.failures:
            what = failure.source.describe() if failure.source is not None else "all"
            self.add(what, failure.error)

    @property
    def exit_code(self) -> int:
        return EXIT_FAILED if self.count else EXIT_OK


async def mkdir(client: PostHogClient, args: argparse.Namespace, out: Output) -> int:
    printer = EntryPrinter(out)
    failures = Failures(out, "mkdir")
    for text in args.paths:
        try:
            made = await ops.make_folder(client, paths.normalize(text), parents=args.parents)
        except (ApiError, ChangeRefused) as error:
            failures.add(safe(text), error)
            continue
        if made is not None:
            printer.add([made])
    printer.close()
    return failures.exit_code


async def mv(client: PostHogClient, args: argparse.Namespace, out: Output) -> int:
    # Every source resolved first: a typo changes nothing.
    sources = [await ops.require(client, text) for text in args.sources]
    where = await ops.destination(client, args.destination, len(sources))
    result = await ops.move(client, sources, where)
    for found in result.unchanged:
        out.note(f"hogtree mv: {found.describe()} is there already")
    return _report(out, "mv", result)


async def ln(client: PostHogClient, args: argparse.Namespace, out: Output) -> int:
    sources = [await ops.require(client, text) for text in args.sources]
    where = await ops.destination(client, args.destination, len(sources))
    return _report(out, "ln", await ops.link(client, sources, where))


def _report(out: Output, command: str, result: ops.ChangeResult) -> int:
    printer = EntryPrinter(out)
    printer.add([done.entry for done in result.done])
    printer.close()
    failures = Failures(out, command)
    failures.add_all(result)
    return failures.exit_code
