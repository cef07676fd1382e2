"""The ``hogtree`` command line: parse arguments, pick what to run, run it. Nothing else."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import platformdirs

from tui import __version__
from tui.scripting.arguments import COMMANDS as SCRIPTING_COMMANDS
from tui.scripting.arguments import add_commands as add_scripting_commands
from tui.scripting.arguments import offer_completion

DEFAULT_PORT = 8010


def default_db_path() -> Path:
    """The demo database, in the user data dir so it survives between runs."""
    return Path(platformdirs.user_data_dir("hogtree")) / "hogtree.sqlite3"


def _project_list(text: str) -> tuple[int, ...]:
    try:
        ids = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected project ids like 1,2,3, got {text!r}") from None
    if not ids or any(i <= 0 for i in ids):
        raise argparse.ArgumentTypeError("project ids are positive numbers")
    return ids


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hogtree",
        description="Organise a PostHog project's file system from the terminal.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(
            "examples:\n"
            "  hogtree serve                         the local demo server on :8010\n"
            "  hogtree serve --seed empty --projects 1,2 --api-key 'phx_me=*@1'\n"
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
        choices=("demo", "empty"),
        default="demo",
        help="what a new database starts with (default: %(default)s)",
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    offer_completion(parser)
    args = parser.parse_args(argv)
    if args.command == "serve":
        from tui.server.serve import run_serve

        try:
            return run_serve(
                bind=args.bind,
                port=args.port,
                db_path=args.db or default_db_path(),
                seed=args.seed,
                projects=args.projects,
                api_keys=args.api_key,
                export_delay=args.export_delay,
                live_events_per_minute=args.live_events,
            )
        except ValueError as exc:
            parser.error(str(exc))
    if args.command in SCRIPTING_COMMANDS:
        from tui.scripting.runner import run_command

        return run_command(args, default_db_path())
    return run_app(parser, args)


def run_app(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """The app, on the configured host or on the local demo started in-process."""
    from tui.backend import Backend, LocalBackend, RemoteBackend
    from tui.config import ConfigError, default_config_path, load_config, resolve_connection

    try:
        connection = resolve_connection(host=args.host, project=args.project, profile=args.profile)
        keymap = dict(load_config(default_config_path()).keys)
    except ConfigError as error:
        print(f"hogtree: {error}", file=sys.stderr)
        return 2
    backend: Backend
    if connection.is_local:
        backend = LocalBackend(args.db or default_db_path(), connection.project_id)
    else:
        backend = RemoteBackend(connection)
    download_dir = args.download_dir or Path.cwd()
    if not download_dir.is_dir():
        parser.error(f"--download-dir {download_dir} is not a folder")

    from tui.app.app import HogtreeApp

    app = HogtreeApp(backend, read_only=args.read_only, download_dir=download_dir, keymap=keymap)
    try:
        app.run()
    finally:
        backend.close()
    return app.return_code or 0
