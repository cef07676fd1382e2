"""What a command can fail with besides an :class:`~tui.api.ApiError`, and the exit codes."""

from __future__ import annotations

# The exit codes scripts can rely on.
EXIT_OK = 0
EXIT_FAILED = 1  # the server refused or failed, or the project does not hold what was named
EXIT_USAGE = 2  # the command line itself is wrong (argparse uses 2 as well)
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a ctrl+c
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: the reader went away (``| head``), as coreutils die


class CommandError(Exception):
    """The project does not hold what the command needs (no such path, not a folder …):
    exit 1. The message is one line fit to print as it is."""

    exit_code = EXIT_FAILED


class UsageError(CommandError):
    """The arguments cannot work whatever the project holds: exit 2."""

    exit_code = EXIT_USAGE
