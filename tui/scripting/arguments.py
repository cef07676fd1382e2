"""The scripting commands' arguments, for ``tui.cli``'s parser. Parsing only: importing
this module costs nothing beyond argparse (shell completion runs it on every tab)."""

from __future__ import annotations

import argparse
import copy
import importlib
import os
import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

# The commands this package runs (``tui.cli`` hands them to ``tui.scripting.runner``).
COMMANDS = (
    "ls",
    "find",
    "mkdir",
    "mv",
    "ln",
    "rm",
    "count",
    "export",
    "show",
    "events",
    "shortcuts",
    "recent",
    "unfiled",
    "projects",
    "doctor",
)
# Those that change the project: refused with --read-only (see changes_something).
MUTATING = frozenset({"mkdir", "mv", "ln", "rm", "unfiled"})
# What ``shortcuts`` does, the first being its default; those after it change Shortcuts.
SHORTCUT_ACTIONS = ("list", "add", "rm")
# Options whose values are local files or folders: the only ones tab completes values of
# (a PATH names an entry on the server, which completion does not ask for).
_LOCAL_FILE_OPTIONS = frozenset({"db", "download_dir", "output"})
# Options of the top-level parser not repeated after a subcommand.
_NOT_REPEATED = frozenset({"help", "version"})

# Export formats --format offers (tui.scripting.export maps them to PostHog's).
FORMAT_CHOICES = ("png", "pdf", "csv", "xlsx")
# The longest an export is waited for, by default; the server may go on making it.
DEFAULT_EXPORT_TIMEOUT_S = 600.0
# How often --follow asks for new events, by default.
DEFAULT_FOLLOW_INTERVAL_S = 2.0
# Options whose value may start with "-" (a time ago: ``--after -24h``). argparse reads such
# a value as an option of its own, so :func:`join_dashed_values` glues it to its option.
DASHED_VALUE_OPTIONS = ("--after", "--before")
# A time ago, in PostHog's relative dates (``m`` months, ``M`` minutes): ``-24h``, ``7d``.
RELATIVE_WHEN = re.compile(r"^-?\d{1,6}[smMhdwqy]$")
# tui.scripting.events.DEFAULT_LIMIT and DEFAULT_FOLLOW_LIMIT, in words (not imported:
# this module stays free of the client's imports).
DEFAULT_LIMIT_TEXT = "100; 10 with --follow"

TOP_EXAMPLES = (
    "  hogtree ls -R Marketing                 the tree below a folder (local demo: no --host)\n"
    "  hogtree find 'type:insight revenue' --json\n"
    "  hogtree mkdir -p Reports/2024 && hogtree mv 'Unfiled/Insights/Untitled trend' Reports/2024\n"
    "  hogtree ln 'Product/Daily active users' Sales/     hogtree rm -r -y Archive\n"
    "  hogtree count Marketing                 hogtree export 'Marketing/Growth dashboard' -f pdf\n"
    "  hogtree events --follow --event '$pageview'\n"
    "  hogtree shortcuts                       hogtree recent --limit 10\n"
    "  hogtree unfiled                         hogtree projects\n"
    "  hogtree doctor                          which host, project and key: what is off\n"
    "  hogtree show 'Marketing/Weekly signups'   an insight's chart in the terminal\n"
    "  POSTHOG_PERSONAL_API_KEY=phx_... hogtree --host https://us.posthog.com --project 123 ls\n"
    "'hogtree COMMAND --help' shows a command's options and examples.\n"
)
PATHS_NOTE = (
    "PATH is a path as the tree shows it (a slash inside a name is written \\/, e.g.\n"
    "'Marketing/Campaigns/Q4 \\/ Q1 launch — conversions') or an entry's id.\n"
)
OUTPUT_NOTE = "Output: columns on a terminal, one path a line when piped, JSON lines with --json.\n"


def _number(kind: Callable[[str], Any], *, zero: bool) -> Callable[[str], Any]:
    """An argparse type: a number of ``kind``, above 0 (or from 0 when ``zero``)."""

    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        if value < 0 or (value == 0 and not zero):
            bound = ">= 0" if zero else "> 0"
            raise argparse.ArgumentTypeError(f"expected a number {bound}, got {text!r}")
        return value

    return parse


def when(text: str) -> str:
    """An argparse type for ``--after``/``--before``: a time ago (``-24h``, or ``24h``, which
    means the same: the past is the only direction) as PostHog's ``-24h``, or an ISO 8601
    date or time passed on as written."""
    text = text.strip()
    if RELATIVE_WHEN.match(text):
        return text if text.startswith("-") else f"-{text}"
    try:
        datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a time ago like -24h, -7d, -2w, or an ISO date like 2026-11-01"
            f" (or 2026-11-01T09:30), got {text!r}"
        ) from None
    return text


def join_dashed_values(argv: Sequence[str]) -> list[str]:
    """``--after -24h`` as ``--after=-24h``: argparse takes a word starting with ``-`` for
    an option (unless it is a plain negative number), so the documented spelling would
    fail with "expected one argument". Nothing after ``--`` is touched."""
    joined: list[str] = []
    words = iter(argv)
    for word in words:
        if word == "--":
            joined += [word, *words]
            break
        if word in DASHED_VALUE_OPTIONS:
            value = next(words, None)
            if value is None:
                joined.append(word)
            elif value.startswith("-") and RELATIVE_WHEN.match(value):
                joined.append(f"{word}={value}")
            else:
                joined += [word, value]
            continue
        joined.append(word)
    return joined


def add_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], top: argparse.ArgumentParser
) -> None:
    """Add the scripting commands to ``commands``, each accepting ``top``'s options
    (``--host``, ``--project``, ``--profile``, ``--db`` …) after its name as well, and
    their examples to ``top``'s help."""
    # Appended here rather than written into tui/cli.py's epilog: the commands and their
    # examples stay in one file.
    top.epilog = (top.epilog or "") + TOP_EXAMPLES

    def command(
        name: str, help: str, epilog: str, description: str = ""
    ) -> argparse.ArgumentParser:
        parser = commands.add_parser(
            name,
            help=help,
            description=description or help[0].upper() + help[1:] + ".",
            epilog=epilog,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        _repeat_options(top, parser)
        return parser

    ls = command(
        "ls",
        "list a folder (every page), or the whole tree with -R",
        "examples:\n"
        "  hogtree ls                               the top level\n"
        "  hogtree ls Marketing/Campaigns\n"
        "  hogtree ls -R Marketing --type insight   every insight under Marketing\n"
        "  hogtree ls -R --type hog_function/       all hog functions (a type prefix)\n"
        "  hogtree ls Marketing --json | jq -r .id\n\n" + PATHS_NOTE + OUTPUT_NOTE,
    )
    ls.add_argument("path", nargs="?", default="", metavar="PATH", help="folder (default: top)")
    ls.add_argument("-R", "--recursive", action="store_true", help="everything below, any depth")
    ls.add_argument("--type", metavar="T", help="only this type (a trailing / makes it a prefix)")
    _json_option(ls)

    find = command(
        "find",
        "search the tree with PostHog's search syntax",
        "examples:\n"
        "  hogtree find revenue                     in names, paths and types\n"
        "  hogtree find 'type:insight path:Marketing -name:old'\n"
        "  hogtree find 'user:me type:dashboard' --json\n\n"
        "Tokens must all match; - or ! negates one; name:, path:, type:, ref:, user: narrow.\n"
        + OUTPUT_NOTE,
    )
    find.add_argument("query", metavar="QUERY", help="PostHog search syntax")
    find.add_argument("--type", metavar="T", help="only this type (a trailing / makes it a prefix)")
    find.add_argument(
        "--name-only", action="store_true", help="plain words match the last segment only"
    )
    _json_option(find)

    mkdir = command(
        "mkdir",
        "create folders",
        "examples:\n"
        "  hogtree mkdir Marketing/Q4\n"
        "  hogtree mkdir -p 'Reports/2024/Q4 \\/ Q1'   with the folders above it\n",
    )
    mkdir.add_argument("paths", nargs="+", metavar="PATH", help="folder to create")
    mkdir.add_argument(
        "-p", "--parents", action="store_true", help="create missing parents; no error if it exists"
    )
    _json_option(mkdir)

    mv = command(
        "mv",
        "move or rename entries (a folder with all it holds)",
        "examples:\n"
        "  hogtree mv 'Unfiled/Insights/Untitled trend' Marketing   into the folder Marketing\n"
        "  hogtree mv Marketing/Campaigns Marketing/Launches        rename (no such folder yet)\n"
        "  hogtree mv a b c Archive/                            several, into Archive\n\n"
        "Like mv: into DEST if it is a folder (or ends with /, which creates it);\n"
        "otherwise DEST is the single source's new path. A folder moved onto a folder of\n"
        "the same name merges into it.\n" + PATHS_NOTE,
    )
    mv.add_argument("sources", nargs="+", metavar="SRC", help="entry to move")
    mv.add_argument("destination", metavar="DEST", help="folder to move into, or new path")
    _json_option(mv)

    ln = command(
        "ln",
        "make shortcuts (of a folder: of all it holds)",
        "examples:\n"
        "  hogtree ln 'Marketing/Signup funnel' Sales/                a shortcut in the folder\n"
        "  hogtree ln 'Marketing/Signup funnel' 'Sales/Funnel (link)'   at that path\n\n"
        "DEST is read as by mv.\n" + PATHS_NOTE,
    )
    ln.add_argument("sources", nargs="+", metavar="SRC", help="entry to link to")
    ln.add_argument("destination", metavar="DEST", help="folder to link into, or the new path")
    _json_option(ln)

    rm = command(
        "rm",
        "delete entries, and the objects only they point at",
        "examples:\n"
        "  hogtree rm 'Sales/Pipeline'             asks first, naming what goes\n"
        "  hogtree rm -r -y Archive                 a folder with all it holds, no question\n"
        "  echo y | hogtree rm -r Archive           answer from a pipe\n\n"
        "Deleting an insight's (dashboard's, flag's …) last entry deletes the object; the\n"
        "question says which objects go. Without -y the answer is read from stdin: no\n"
        "answer (e.g. </dev/null) is a no, and nothing is deleted (exit 1).\n" + PATHS_NOTE,
    )
    rm.add_argument("paths", nargs="+", metavar="PATH", help="entry to delete")
    rm.add_argument("-r", "--recursive", action="store_true", help="folders, with all they hold")
    rm.add_argument("-y", "--yes", action="store_true", help="do not ask")
    _json_option(rm)

    count = command(
        "count",
        "count what a folder holds, at any depth",
        "examples:\n"
        "  hogtree count Marketing                  42 (piped), or a sentence with the types\n"
        "  hogtree count / --json                   the whole project\n\n" + PATHS_NOTE,
    )
    count.add_argument("path", metavar="PATH", help="folder to count (/ is the top level)")
    _json_option(count)

    export = command(
        "export",
        "export an insight or dashboard to a file",
        "examples:\n"
        "  hogtree export 'Marketing/Weekly signups' --format png\n"
        "  hogtree export 'Marketing/Growth dashboard' --format pdf -o ~/reports\n"
        "  hogtree export 0193c0de-… --format csv --json\n\n"
        "Waits while the server makes the file (a progress line on a terminal's stderr),\n"
        "then prints where it was saved: the server's filename, made safe, never\n"
        "overwriting a file (' (1)' is added).\n" + PATHS_NOTE,
    )
    export.add_argument("path", metavar="PATH", help="the insight or dashboard")
    export.add_argument(
        "--format", "-f", required=True, choices=FORMAT_CHOICES, help="png, pdf, csv or xlsx"
    )
    export.add_argument(
        "-o", "--output", metavar="DIR", help="folder to save in (default: --download-dir, or .)"
    )
    export.add_argument(
        "--timeout",
        type=_number(float, zero=False),
        default=DEFAULT_EXPORT_TIMEOUT_S,
        metavar="SECONDS",
        help="give up waiting after this long (default: %(default)g)",
    )
    _json_option(export)

    show = command(
        "show",
        "draw an insight's chart (or a dashboard's tiles) in the terminal",
        "examples:\n"
        "  hogtree show 'Marketing/Weekly signups'\n"
        "  hogtree show 'Marketing/Growth dashboard'   a chart per tile\n"
        "  hogtree show 'Marketing/Signup funnel' --json\n\n"
        "Asks for the cached result first and computes it only when there is none (as\n"
        "PostHog's previews do). --json prints one line per insight: its series (or a\n"
        "funnel's steps with their conversion).\n" + PATHS_NOTE,
    )
    show.add_argument("path", metavar="PATH", help="the insight or dashboard")
    _json_option(show)

    events = command(
        "events",
        "print recent events, oldest first; --follow prints new ones as they come",
        "examples:\n"
        "  hogtree events --limit 20\n"
        "  hogtree events --event '$pageview' --where '$browser=Safari' --after -24h\n"
        "  hogtree events --distinct-id user-42 --json | jq .properties\n"
        "  hogtree events --follow --event signed_up      until ctrl+c\n"
        "  hogtree events --csv --limit 1000 > events.csv\n\n"
        "--where: key=value (exact), key!=value (is not), key~value (contains), key (set);\n"
        "repeat it to require several.\n",
    )
    events.add_argument("--event", metavar="E", help="only events named E")
    events.add_argument("--distinct-id", metavar="D", help="only events of distinct id D")
    events.add_argument(
        "--where", action="append", default=[], metavar="KEY=VALUE", help="property filter"
    )
    events.add_argument(
        "--after", type=when, metavar="WHEN", help="a time ago (-24h, -7d) or an ISO date"
    )
    events.add_argument(
        "--before", type=when, metavar="WHEN", help="a time ago (-1h) or an ISO date"
    )
    events.add_argument(
        "--limit",
        type=_number(int, zero=True),
        metavar="N",
        help=f"the newest N (default: {DEFAULT_LIMIT_TEXT})",
    )
    events.add_argument("--follow", action="store_true", help="keep printing new events")
    events.add_argument(
        "--interval",
        type=_number(float, zero=False),
        default=DEFAULT_FOLLOW_INTERVAL_S,
        metavar="SECONDS",
        help="how often --follow asks (default: %(default)g)",
    )
    formats = events.add_mutually_exclusive_group()
    formats.add_argument("--json", action="store_true", help="one JSON object a line")
    formats.add_argument("--csv", action="store_true", help="CSV with a header row")

    shortcuts = command(
        "shortcuts",
        "list your Shortcuts (PostHog's starred entries), add or remove one",
        "examples:\n"
        "  hogtree shortcuts                        yours, with where each is in the tree\n"
        "  hogtree shortcuts add 'Marketing/Weekly signups'\n"
        "  hogtree shortcuts rm 'Marketing/Weekly signups'\n\n" + PATHS_NOTE + OUTPUT_NOTE,
    )
    shortcuts.add_argument(
        "action",
        nargs="?",
        default=SHORTCUT_ACTIONS[0],
        choices=SHORTCUT_ACTIONS,
        metavar="ACTION",
        help="list (default), add or rm",
    )
    shortcuts.add_argument("path", nargs="?", metavar="PATH", help="the entry to add or remove")
    _json_option(shortcuts)

    recent = command(
        "recent",
        "what you viewed last, newest first (PostHog's Recents)",
        "examples:\n"
        "  hogtree recent --limit 10\n"
        "  hogtree recent --json | jq -r .path\n\n"
        "PostHog records the views of its web app (not of API keys).\n" + OUTPUT_NOTE,
    )
    recent.add_argument(
        "--limit",
        type=_number(int, zero=False),
        default=100,
        metavar="N",
        help="at most N (default: %(default)s, PostHog's at most 1000)",
    )
    _json_option(recent)

    unfiled = command(
        "unfiled",
        "file every object the tree does not hold yet (under Unfiled/)",
        "examples:\n"
        "  hogtree unfiled                          prints how many were filed\n"
        "  hogtree unfiled --type insight\n\n"
        "Running it again files nothing twice.\n",
    )
    unfiled.add_argument("--type", metavar="T", help="only objects of this type")
    _json_option(unfiled)

    projects = command(
        "projects",
        "the organisation's projects your key may open (* the one in use)",
        "examples:\n"
        "  hogtree projects                         the table, * marks the one in use\n"
        "  hogtree projects --json | jq -r .id\n"
        "  hogtree --project 2 ls                   another project\n",
    )
    _json_option(projects)

    doctor = command(
        "doctor",
        "say which host, project, key and files are in use, and what is wrong",
        "examples:\n"
        "  hogtree doctor                           the local demo (no host configured)\n"
        "  hogtree doctor --profile us              a profile of the config file\n\n"
        "Asks the server what the key may do (its scopes and projects) and whether the\n"
        "project exists; prints the key masked at most. Exit 1 when something is wrong.\n",
    )
    _json_option(doctor)


def changes_something(args: argparse.Namespace) -> bool:
    """Whether these arguments ask for a change (refused with ``--read-only``)."""
    if args.command == "shortcuts":
        return bool(args.action != SHORTCUT_ACTIONS[0])
    return args.command in MUTATING


def _json_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="JSON lines, exact values")


def _repeat_options(top: argparse.ArgumentParser, sub: argparse.ArgumentParser) -> None:
    """Make ``top``'s options (every one, including those added later to tui.cli) also
    valid after the command's name: ``hogtree ls --host …`` as ``hogtree --host … ls``.

    argparse has no public way to share options between a parser and its subparsers other
    than ``parents=``, which would need the options declared apart from ``top``. The copies
    default to SUPPRESS, so an option not repeated keeps the value given before the command
    (argparse copies every subparser default over the top-level namespace).
    """
    group = sub.add_argument_group("hogtree's options (valid before the command too)")
    for action in top._actions:
        if not action.option_strings or action.dest in _NOT_REPEATED:
            continue
        clone = copy.copy(action)
        clone.default = argparse.SUPPRESS
        group._add_action(clone)


def offer_completion(parser: argparse.ArgumentParser) -> None:
    """Tab completion of commands and options in bash, zsh and fish, through argcomplete
    (``pip install 'hogtree[completion]'``, then the one line of the README). Only when a
    shell asks (it sets ``_ARGCOMPLETE``): an ordinary run imports nothing more."""
    if "_ARGCOMPLETE" not in os.environ:
        return
    try:
        # Imported by name: argcomplete is optional, and mypy need not find it.
        argcomplete = importlib.import_module("argcomplete")
    except ImportError:
        return
    for action in _all_actions(parser):
        if action.dest in _LOCAL_FILE_OPTIONS:
            action.completer = argcomplete.completers.FilesCompleter()  # type: ignore[attr-defined]
    # Nothing else completes local file names: a PATH is an entry on the server.
    argcomplete.autocomplete(parser, default_completer=argcomplete.completers.SuppressCompleter())


def _all_actions(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    found = list(parser._actions)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found += _all_actions(sub)
    return found
