"""The API key never shows: not in the --debug log, the terminal, a screenshot, an error
message or a traceback printed with locals. A config file holding a key is refused while
others can read it, and a key never crosses the network in clear text unless the user says
so. The app runs for real (a pty, a local server); each output is grepped for the key."""

from __future__ import annotations

import logging
import os
import re
import socket
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from rich.console import Console
from rich.traceback import Traceback
from support import ADMIN_KEY, READ_KEY, LiveServer, crash_runner, running_server, server_settings
from support.app_harness import loaded, move_cursor_to, new_app, settle
from support.crash_runner import CRASH_MESSAGE
from support.terminal import Terminal, foreign_controls, hogtree_argv, plain

from tui.api import InsecureTransportError, PostHogClient
from tui.api.auth import BearerAuth, is_loopback
from tui.cli import main
from tui.config import (
    ENV_API_KEY,
    ENV_CONFIG,
    ConfigError,
    Connection,
    load_config,
    resolve_connection,
)
from tui.debuglog import start_debug_log, stop_debug_log

# Run as a script (it patches httpx before hogtree starts), so named by its file.
CRASH_RUNNER = Path(crash_runner.__file__)
LOG_LINE = re.compile(r"hogtree: debug log: (\S+\.log)")
# A key as a careless copy leaves it: with the line break of the file it came from.
PASTED_KEY = READ_KEY + "\n"


def write_config(path: Path, text: str, mode: int) -> Path:
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def profile_config(host: str, key: str) -> str:
    return (
        'default_profile = "here"\n'
        f'[profiles.here]\nhost = "{host}"\nproject = 1\napi_key = "{key}"\n'
    )


def terminal_env(tmp_path: Path, config: Path, **extra: str) -> dict[str, str]:
    """A clean environment: no key but the one the test gives, logs under ``tmp_path``."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        ENV_CONFIG: str(config),
        **extra,
    }


def rename_refused(term: Terminal) -> None:
    """``r``, a new name, enter: the read-only key makes the server answer 403."""
    term.press("r")
    mark = term.wait_for("enter: OK · esc: cancel")
    term.press("x", "enter")
    term.wait_for("Could not rename", after=mark)


# ---------------------------------------------------------------------- the real program


@pytest.fixture
def entries(api: httpx.Client) -> list[str]:
    paths = ["Reports/Weekly signups", "Reports/Churn", "Archive"]
    for path in paths:
        assert api.post("file_system/", json={"path": path, "type": "insight"}).status_code == 201
    return paths


def held_paths(api: httpx.Client) -> set[str]:
    results = api.get("file_system/", params={"limit": 100}).json()["results"]
    return {entry["path"] for entry in results}


def test_debug_log_and_terminal_never_show_the_key(
    live_server: LiveServer, api: httpx.Client, entries: list[str], tmp_path: Path
) -> None:
    """``hogtree --debug`` with the key in a config file, a refused change: the log says
    what was asked and answered and what went wrong, and nowhere is the key."""
    config = write_config(
        tmp_path / "config.toml", profile_config(live_server.url, READ_KEY), 0o600
    )
    before = held_paths(api)
    with Terminal(hogtree_argv("--debug"), env=terminal_env(tmp_path, config)) as term:
        term.wait_for("Archive")
        rename_refused(term)
        term.press("q")
        assert term.close() == 0
        output = term.text
    assert held_paths(api) == before  # the refused rename changed nothing

    found = LOG_LINE.findall(output)
    assert found and len(set(found)) == 1, output[-2000:]
    log_path = Path(found[0])
    assert log_path.is_relative_to(tmp_path / "state")
    assert stat.S_IMODE(log_path.stat().st_mode) == 0o600
    log = log_path.read_text(encoding="utf-8")
    assert "GET http" in log and "file_system/" in log  # each request, with its answer
    assert re.search(r"POST \S+/move/ .*403", log), log
    assert "Could not rename" in log and "file_system:write" in log  # the error shown
    for place, text in {"debug log": log, "terminal": output}.items():
        assert READ_KEY not in text, place
        assert READ_KEY[8:] not in text, place  # nor a recognisable part of it


def test_a_traceback_with_locals_does_not_show_the_key(
    live_server: LiveServer, entries: list[str], tmp_path: Path
) -> None:
    """A worker dies inside the HTTP stack, after the request got its Authorization header:
    Textual prints the traceback with every frame's locals. The key is in none of them."""
    missing = tmp_path / "none.toml"
    env = terminal_env(tmp_path, missing, **{ENV_API_KEY: READ_KEY})
    argv = [sys.executable, str(CRASH_RUNNER), "--debug", "--host", live_server.url]
    with Terminal([*argv, "--project", "1"], env=env) as term:
        term.wait_for("Archive")
        term.press("r")
        term.wait_for("enter: OK · esc: cancel")
        term.press("x", "enter")
        code = term.close(timeout=20)
        output = plain(term.text)
    assert code != 0
    assert CRASH_MESSAGE in output  # the traceback was printed ...
    assert "request = <Request('POST'" in output  # ... with its locals
    assert "_send_handling_auth" in output  # through the frames that hold the auth
    log = Path(LOG_LINE.findall(output)[0]).read_text(encoding="utf-8")
    assert "stopped by an unexpected error" in log and f"RuntimeError: {CRASH_MESSAGE}" in log
    for place, text in {"traceback": output, "debug log": log}.items():
        assert READ_KEY not in text, place


@pytest.mark.anyio
async def test_screenshots_and_error_messages_never_show_the_key(
    live_server: LiveServer, entries: list[str], tmp_path: Path
) -> None:
    app = new_app(live_server.url, READ_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await move_cursor_to(pilot, "Archive")
        await pilot.press("r", "x", "enter")
        await settle(pilot, lambda: "Could not rename" in app.status.error)
        saved = Path(app.save_screenshot(path=str(tmp_path), filename="shot.svg"))
        outputs = {
            "status": app.status.error,
            "exported screenshot": app.export_screenshot(),
            "saved screenshot": saved.read_text(encoding="utf-8"),
        }
    assert "file_system:write" in outputs["status"]
    for place, text in outputs.items():
        assert READ_KEY not in text, place


# ---------------------------------------------------------------------- where the key sits


def test_the_key_is_masked_in_headers_and_in_a_traceback_with_locals() -> None:
    """What Textual shows of a request in a traceback: httpx's Headers repr hides the
    Authorization value, and BearerAuth, Connection and the client show no key either. A
    plain ``str`` local would (the check below would catch it)."""
    request = httpx.Request("GET", "https://us.posthog.com/api/projects/1/file_system/")
    auth = BearerAuth(SecretStr(ADMIN_KEY))
    sent = next(auth.auth_flow(request))
    assert sent.headers["Authorization"] == f"Bearer {ADMIN_KEY}"  # it is there, and yet
    assert ADMIN_KEY not in repr(sent.headers)
    assert "[secure]" in repr(sent.headers)

    def fails(request: httpx.Request, auth: BearerAuth, connection: Connection) -> None:
        client = PostHogClient("https://us.posthog.com", 1, connection.api_key)
        raise RuntimeError(f"failed with {client!r}")

    def traceback_text(**extra: Any) -> str:
        connection = Connection("https://us.posthog.com", 1, SecretStr(ADMIN_KEY))
        try:
            fails(sent, auth, connection, **extra)
        except RuntimeError:
            console = Console(record=True, width=200, file=open(os.devnull, "w"))  # noqa: SIM115
            console.print(Traceback(show_locals=True, width=200))
            console.file.close()
            return console.export_text()
        raise AssertionError("no traceback")

    text = traceback_text()
    assert "auth = BearerAuth(key='phx_…')" in text and "connection = Connection(" in text
    assert ADMIN_KEY not in text

    def leaky(request: httpx.Request, auth: BearerAuth, connection: Connection) -> None:
        key = connection.api_key.get_secret_value()  # type: ignore[union-attr]
        raise RuntimeError(f"failed after {len(key)} characters")

    connection = Connection("https://us.posthog.com", 1, SecretStr(ADMIN_KEY))
    try:
        leaky(sent, auth, connection)
    except RuntimeError:
        console = Console(record=True, width=200, file=open(os.devnull, "w"))  # noqa: SIM115
        console.print(Traceback(show_locals=True, width=200))
        console.file.close()
        assert ADMIN_KEY in console.export_text()  # the check sees a plain local


def test_the_log_filter_redacts_a_key_a_library_might_log(tmp_path: Path) -> None:
    """Nothing in hogtree logs a header; if a library did, or a message quoted an echoed
    key, the --debug log still shows ``[redacted]``."""
    handler = start_debug_log(tmp_path / "logs")
    try:
        BearerAuth(SecretStr(ADMIN_KEY))  # a client was built with this key
        logging.getLogger("httpcore.http11").warning(
            "send_request_headers %s", [(b"Authorization", f"Bearer {ADMIN_KEY}".encode())]
        )
        logging.getLogger("tui.api.client").info("server said: %s", f"bad key {ADMIN_KEY}")
        try:
            raise ValueError(f"echoed {ADMIN_KEY}")
        except ValueError:
            logging.getLogger("tui.app").exception("worker failed")
        # names and server messages may hold what a terminal obeys: `cat` of the log is safe
        logging.getLogger("tui.app").warning("Could not rename %s", "\x1b]52;c;aGk=\x07x\u202e")
        handler.flush()
        log = Path(handler.baseFilename).read_text(encoding="utf-8")
    finally:
        stop_debug_log(handler)
    assert log.count("[redacted]") == 3, log  # the header, the message, the exception
    assert ADMIN_KEY not in log
    assert "Could not rename \\x1b]52;c;aGk=\\x07x\\u202e" in log
    assert foreign_controls(log) == [] and "\u202e" not in log
    assert stat.S_IMODE(Path(handler.baseFilename).stat().st_mode) == 0o600


# ---------------------------------------------------------------------- the config file


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620, 0o660, 0o666])
def test_a_config_holding_a_key_that_others_can_read_is_refused(tmp_path: Path, mode: int) -> None:
    config = write_config(
        tmp_path / "my config.toml", profile_config("https://us.posthog.com", READ_KEY), mode
    )
    with pytest.raises(ConfigError) as refused:
        load_config(config)
    message = str(refused.value)
    assert f"chmod 600 '{config}'" in message  # the exact command, quoted for the shell
    assert f"mode 0{mode:o}" in message
    assert READ_KEY not in message
    os.chmod(config, 0o600)  # what the message says to run, and then it reads
    assert load_config(config).profiles["here"].api_key is not None


@pytest.mark.parametrize("mode", [0o600, 0o400])
def test_a_config_holding_a_key_for_its_owner_alone_is_read(tmp_path: Path, mode: int) -> None:
    config = write_config(
        tmp_path / "config.toml", profile_config("https://us.posthog.com", READ_KEY), mode
    )
    connection = resolve_connection(env={}, config_path=config)
    assert connection.api_key is not None
    assert connection.api_key.get_secret_value() == READ_KEY


def test_a_config_without_a_key_may_be_shared(tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.toml", '[keys]\nrename = "f2"\n', 0o644)
    assert load_config(config).keys == {"rename": "f2"}


def test_the_program_refuses_an_open_config_with_the_chmod_to_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(
        tmp_path / "config.toml", profile_config("https://us.posthog.com", READ_KEY), 0o644
    )
    monkeypatch.setenv(ENV_CONFIG, str(config))
    monkeypatch.delenv(ENV_API_KEY, raising=False)
    assert main([]) == 2
    error = capsys.readouterr().err
    assert f"chmod 600 {config}" in error
    assert READ_KEY not in error


# ---------------------------------------------------------------------- plain http


@pytest.mark.parametrize(
    "host", ["http://localhost:8010", "http://127.0.0.1:1", "http://127.8.9.10", "http://[::1]:80"]
)
def test_plain_http_to_this_machine_is_allowed(host: str) -> None:
    assert is_loopback(httpx.URL(host).host)
    PostHogClient(host, 1, READ_KEY)  # no error: the key never leaves the machine


@pytest.mark.parametrize(
    "host",
    [
        "http://us.posthog.com",
        "http://192.0.2.2:8010",
        "http://[2001:db8::1]",
        "http://localhost.evil.example",
    ],
)
def test_plain_http_to_another_machine_is_refused_unless_allowed(host: str) -> None:
    with pytest.raises(InsecureTransportError, match="--allow-insecure-http"):
        PostHogClient(host, 1, READ_KEY)
    with pytest.raises(ConfigError, match="--allow-insecure-http"):
        resolve_connection(
            host=host, project=1, env={ENV_API_KEY: READ_KEY}, config_path=Path("/nonexistent")
        )
    PostHogClient(host, 1, READ_KEY, allow_insecure_http=True)
    PostHogClient(host, 1, None)  # no key, nothing to leak
    connection = resolve_connection(
        host=host,
        project=1,
        env={ENV_API_KEY: READ_KEY},
        config_path=Path("/nonexistent"),
        allow_insecure_http=True,
    )
    assert connection.allow_insecure_http
    PostHogClient(host.replace("http://", "https://"), 1, READ_KEY)


def _own_address() -> str | None:
    """This machine's address on its network (not loopback), if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 9))  # sends nothing: only picks a route
            address = str(probe.getsockname()[0])
        except OSError:
            return None
    return None if is_loopback(address) else address


@pytest.fixture
def lan_server(tmp_path: Path) -> Iterator[str]:
    """A local server listening on this machine's network address: a non-loopback host
    that answers."""
    address = _own_address()
    if address is None:
        pytest.skip("this machine has no non-loopback address")
    with running_server(server_settings(tmp_path / "lan.sqlite3", "empty"), host=address) as server:
        yield server.url


@pytest.mark.anyio
async def test_the_flag_lets_the_key_go_over_plain_http(lan_server: str) -> None:
    assert not is_loopback(httpx.URL(lan_server).host)
    with pytest.raises(InsecureTransportError):
        PostHogClient(lan_server, 1, ADMIN_KEY)
    async with PostHogClient(lan_server, 1, ADMIN_KEY, allow_insecure_http=True) as client:
        assert (await client.list_entries()).count == 0  # the request really went


def test_the_program_refuses_plain_http_with_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(ENV_CONFIG, str(tmp_path / "none.toml"))
    monkeypatch.setenv(ENV_API_KEY, READ_KEY)
    assert main(["--host", "http://192.0.2.2:8010", "--project", "1"]) == 2
    error = capsys.readouterr().err
    assert "refusing to send the API key in clear text to http://192.0.2.2" in error
    assert "--allow-insecure-http" in error
    assert READ_KEY not in error


# ---------------------------------------------------------------------- malformed keys


def test_a_blank_key_variable_counts_as_unset(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no API key"):
        resolve_connection(
            host="https://us.posthog.com",
            project=1,
            env={ENV_API_KEY: "  \n"},
            config_path=tmp_path / "none.toml",
        )


def test_a_pasted_line_break_is_trimmed_and_the_key_works(live_server: LiveServer) -> None:
    connection = resolve_connection(
        host=live_server.url,
        project=1,
        env={ENV_API_KEY: PASTED_KEY},
        config_path=Path("/nonexistent"),
    )
    assert connection.api_key is not None
    assert connection.api_key.get_secret_value() == READ_KEY


@pytest.mark.parametrize("key", [PASTED_KEY, "phx_two words", "phx_clé_000000000000"])
def test_a_malformed_key_is_refused_without_being_quoted(key: str) -> None:
    """h11 would refuse the header itself, quoting it whole in its error message."""
    with pytest.raises(ValueError) as refused:
        PostHogClient("https://us.posthog.com", 1, key)
    assert key.strip() not in str(refused.value)
    if key.strip() != key:
        return  # trimmed by the config: see the test above
    with pytest.raises(ConfigError) as refused_config:
        resolve_connection(
            host="https://us.posthog.com",
            project=1,
            env={ENV_API_KEY: key},
            config_path=Path("/nonexistent"),
        )
    assert key not in str(refused_config.value)
    assert ENV_API_KEY in str(refused_config.value)
