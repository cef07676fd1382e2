"""The ``hogtree`` command line: parse arguments, pick what to run, run it. Nothing else."""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

from tui import __version__
from tui.scripting.arguments import COMMANDS as SCRIPTING_COMMANDS
from tui.scripting.arguments import add_commands as add_scripting_commands
from tui.scripting.arguments import join_dashed_values, offer_completion
from tui.startup import start_lean, start_lean_server

if TYPE_CHECKING:
    from tui.backend import Backend
    from tui.config import ConfigFile, Connection
    from tui.server.settings import SeedKind

DEFAULT_PORT = 8010
# tui.labels.ICON_SETS' names (that module is not imported before it is needed).
ICON_SET_NAMES = ("emoji", "nerd", "ascii")
# The exit code of a configuration that cannot work (as argparse's usage errors).
EXIT_CONFIG = 2


def default_db_path() -> Path:
    """The demo database, in the user data dir so it survives between runs."""
    return Path(platformdirs.user_data_dir("hogtree")) / "hogtree.sqlite3"


def database_path(given: Path | None) -> Path:
    """The local server's database: ``--db``, or the default one (whose folder is made).
    A ``--db`` in a folder that does not exist is a mistake, not a wish to create it (as
    root that made ``/nonexistent``): raises :class:`ValueError` naming the folder."""
    if given is None:
        return default_db_path()
    folder = given.expanduser().parent
    if not folder.is_dir():
        reason = "is not a folder" if folder.exists() else "does not exist"
        raise ValueError(f"--db {given}: the folder {folder} {reason}")
    return given.expanduser()


def _project_list(text: str) -> tuple[int, ...]:
    try:
        ids = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected project ids like 1,2,3, got {text!r}") from None
    if not ids or any(i <= 0 for i in ids):
        raise argparse.ArgumentTypeError("project ids are positive numbers")
    return ids


def _seed(text: str) -> SeedKind:
    from tui.server.settings import parse_seed  # the app alone never loads the server

    try:
        return parse_seed(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hogtree",
        description="Organise a PostHog project's file system from the terminal.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(
            "examples:\n"
            "  hogtree serve                         the local demo server on :8010\n"
            "  hogtree serve --seed empty --projects 1,2 --api-key 'phx_me=*@1'\n"
            "  hogtree serve --seed scale:1m:1m --db big.sqlite3   a million entries and events\n"
        ),
    )
    parser.add_argument("--version", action="version", version=f"hogtree {__version__}")
    parser.add_argument(
        "--host", help="PostHog host, e.g. https://us.posthog.com (default: the local demo)"
    )
    parser.add_argument("--project", help="project id on that host")
    parser.add_argument("--profile", help="a profile of the config file")
    parser.add_argument(
        "--db",
        type=Path,
        default=None,
        help=f"the local demo's SQLite file (default: {default_db_path()})",
    )
    parser.add_argument(
        "--read-only", action="store_true", help="change nothing: every mutating action is off"
    )
    parser.add_argument(
        "--download-dir",
        type=Path,
        default=None,
        help="where exports are saved (default: the current directory)",
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        help="write a log of requests, retries and errors (never the key) and print its path",
    )
    parser.add_argument(
        "--allow-insecure-http",
        action="store_true",
        help="send the API key over plain http:// to a host other than this machine",
    )
    parser.add_argument(
        "--icons",
        choices=ICON_SET_NAMES,
        default=None,
        help="icons: emoji (default), nerd (a Nerd Font's glyphs) or ascii (any font);"
        " also icons = in the config file",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    # ls, find, mkdir … each also accept every option above after their name.
    add_scripting_commands(commands, parser)

    serve = commands.add_parser(
        "serve",
        help="run the local PostHog-compatible server",
        description="Run the local PostHog-compatible server (file_system API) over SQLite.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(
            "API keys: KEY[=SCOPES[@PROJECTS]], e.g.\n"
            "  --api-key phx_ro=file_system:read      read-only key\n"
            "  --api-key 'phx_p1=*@1'                  every scope, project 1 only\n"
            "With no --api-key a random key is generated and printed once.\n"
        ),
    )
    serve.add_argument(
        "--bind", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (default: %(default)s)")
    serve.add_argument(
        "--db", type=Path, default=None, help=f"SQLite file (default: {default_db_path()})"
    )
    serve.add_argument(
        "--seed",
        type=_seed,
        default="demo",
        metavar="{demo,empty,scale:ENTRIES[:EVENTS]}",
        help="what a new database starts with (default: %(default)s); scale:1m is a project of"
        " a million entries (a tenth in the folder Big), scale:1m:1m adds a million events",
    )
    serve.add_argument(
        "--projects",
        type=_project_list,
        default=(1,),
        help="comma list of the project ids that exist (default: 1)",
    )
    serve.add_argument(
        "--api-key",
        action="append",
        default=[],
        metavar="KEY[=SCOPES[@PROJECTS]]",
        help="a key the server accepts; may repeat",
    )
    serve.add_argument(
        "--export-delay",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="generate exports in the background, taking this long (as older PostHog does)",
    )
    serve.add_argument(
        "--live-events",
        type=float,
        default=0.0,
        metavar="RATE",
        help="keep generating realistic events, RATE per minute, for a live demo",
    )
    serve.add_argument(
        "--latency-ms",
        type=float,
        default=0.0,
        metavar="MS",
        help="add this much latency to every response, to play a far server",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    offer_completion(parser)
    args = parser.parse_args(join_dashed_values(sys.argv[1:] if argv is None else argv))
    if args.command == "serve":
        start_lean_server()
        from tui.server.serve import run_serve

        try:
            return run_serve(
                bind=args.bind,
                port=args.port,
                db_path=database_path(args.db),
                seed=args.seed,
                projects=args.projects,
                api_keys=args.api_key,
                export_delay=args.export_delay,
                live_events_per_minute=args.live_events,
                latency_ms=args.latency_ms,
            )
        except ValueError as exc:
            parser.error(str(exc))
    if args.command in SCRIPTING_COMMANDS:
        return run_scripting_command(args)
    return run_app(parser, args)


def configured_backend(args: argparse.Namespace) -> tuple[Backend, Connection]:
    """Where the app or a command gets its data: the connection the flags, environment and
    profiles name, and its backend (the local demo on ``--db`` when no host is named).
    Raises :class:`tui.config.ConfigError`."""
    from tui.backend import backend_for
    from tui.config import ConfigError, resolve_connection

    connection = resolve_connection(
        host=args.host,
        project=args.project,
        profile=args.profile,
        allow_insecure_http=args.allow_insecure_http,
    )
    db_path = default_db_path()
    if connection.is_local:
        try:
            db_path = database_path(args.db)
        except ValueError as error:
            raise ConfigError(str(error)) from None
    return backend_for(connection, db_path), connection


def chosen_icons(args: argparse.Namespace, config: ConfigFile) -> str:
    """The icon set: ``--icons``, else the config file's ``icons``, else emoji."""
    return str(args.icons or config.icons or ICON_SET_NAMES[0])


def run_scripting_command(args: argparse.Namespace) -> int:
    start_lean()
    from tui import labels
    from tui.config import ConfigError, default_config_path, load_config
    from tui.scripting.runner import refuse_read_only, run_command

    refused = refuse_read_only(args)
    if refused is not None:
        return refused
    try:
        backend, connection = configured_backend(args)
        labels.use_icons(chosen_icons(args, load_config(default_config_path())))
    except ConfigError as error:
        if args.command == "doctor":
            # What doctor can say without a connection: the version, the file, the mistake.
            from tui.scripting.doctor import Finding, config_finding

            for finding in (
                Finding("hogtree", __version__),
                config_finding(),
                Finding("settings", str(error), ok=False),
            ):
                print(finding.line())
        print(f"hogtree: {error}", file=sys.stderr)
        return EXIT_CONFIG
    return run_command(args, backend, connection)


def run_app(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """The app, on the configured host or on the local demo (a server process of its own)."""
    # Fast path: no garbage collection while the app starts. Start-up builds modules and
    # widgets that live as long as the app, so the collector's passes (about a quarter of
    # the imports' CPU time here) find next to nothing; HogtreeApp turns it back on when
    # mounted, with what start-up built frozen.
    gc.disable()
    start_lean()
    from tui.backend import LocalBackend
    from tui.config import ConfigError, default_config_path, load_config

    try:
        backend, connection = configured_backend(args)
        config = load_config(default_config_path())
    except ConfigError as error:
        print(f"hogtree: {error}", file=sys.stderr)
        return EXIT_CONFIG
    download_dir = args.download_dir or Path.cwd()
    if not download_dir.is_dir():
        parser.error(f"--download-dir {download_dir} is not a folder")
    if isinstance(backend, LocalBackend):
        backend.start()  # now, before the app's imports: it starts up on another core meanwhile

    # Imported once the server is starting: it brings tui.api (httpx), about 0.3 s.
    from tui.debuglog import open_debug_log

    log_path = open_debug_log(backend.description, connection.api_key) if args.debug else None

    from tui.app.app import HogtreeApp
    from tui.app.keymap_check import checked_keymap

    try:
        # Here, not before the server starts: it needs the app's classes, whose imports
        # the server's start-up overlaps.
        keymap = checked_keymap(config)
    except ConfigError as error:
        backend.close()
        print(f"hogtree: {error}", file=sys.stderr)
        return EXIT_CONFIG
    app = HogtreeApp(
        backend,
        read_only=args.read_only,
        download_dir=download_dir,
        keymap=keymap,
        icons=chosen_icons(args, config),
    )
    try:
        app.run()
    finally:
        backend.close()
        if log_path is not None:  # again: the app's screen hid the first time
            print(f"hogtree: debug log: {log_path}", file=sys.stderr)
    return app.return_code or 0
