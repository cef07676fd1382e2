"""The local server's limits on a request (``tui/server/limits.py``), over real HTTP: a body,
URL, path, page bound, search or filter past them gets a clear 400 in the contract's error
format, never a hang or a 500, and nothing is written.

Bodies are sent over raw sockets where an HTTP client would not do what is tested: declare a
huge body and send none of it, or stream one without end.
"""

from __future__ import annotations

import gzip
import json
import socket
import threading
import time
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from support import ADMIN_KEY, LiveServer
from support.event_helpers import project_token, walk
from support.server_helpers import assert_error_shape, create, expect, folder, get_entry, snapshot

from tui.server.limits import (
    MAX_BODY_BYTES,
    MAX_INSIDE_DEPTH,
    MAX_PAGE_VALUE,
    MAX_PATH_DEPTH,
    MAX_PATH_LENGTH,
    MAX_PROPERTY_FILTERS,
    MAX_SEARCH_TERMS,
    MAX_URL_BYTES,
)

# Seconds a refused request may take: far more than it does, far less than a hang.
PROMPT_S = 10.0
# What may be in flight when the server stops reading: socket buffers on both sides.
IN_FLIGHT_BYTES = 16 * 1024 * 1024
CHUNK = b"x" * (1024 * 1024)


def held_folder(api: httpx.Client, path: str) -> dict[str, Any]:
    """The folder entry the server holds at ``path`` (``folder()`` would make another)."""
    found = expect(api.get("file_system/", params={"path": path, "type": "folder"}), 200)
    entry: dict[str, Any] = found["results"][0]
    return entry


def _deep(depth: int) -> str:
    return "/".join(f"d{level}" for level in range(depth))


# --------------------------------------------------------------------------- raw HTTP


class RawExchange:
    """One request written on a raw socket while another thread reads the answer, so the
    answer is seen even when the server answers (and closes) before the body is sent."""

    def __init__(self, server: LiveServer) -> None:
        url = urlsplit(server.url)
        self.sock = socket.create_connection((url.hostname, url.port), timeout=PROMPT_S)
        self.answer = b""
        self.sent = 0
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        try:
            while data := self.sock.recv(65536):
                self.answer += data
        except OSError:
            pass  # reset by the server after its answer: what was read is kept

    def send(self, data: bytes) -> bool:
        """Write ``data``; ``False`` once the server has stopped taking it."""
        try:
            self.sock.sendall(data)
        except OSError:
            return False
        self.sent += len(data)
        return True

    def finish(self) -> tuple[int, dict[str, str], bytes]:
        """The status, headers and body of the answer."""
        self._reader.join(PROMPT_S)
        self.sock.close()
        head, _, body = self.answer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
        return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, body


def _head(path: str, *fields: str, method: str = "POST") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Authorization: Bearer {ADMIN_KEY}"]
    return ("\r\n".join([*lines, *fields]) + "\r\n\r\n").encode()


def _assert_too_large(status: int, headers: dict[str, str], body: bytes) -> None:
    assert status == 400
    assert headers.get("connection") == "close"
    got = httpx.Response(400, content=body).json()
    assert got["type"] == "invalid_request" and got["code"] == "request_too_large", got
    assert str(MAX_BODY_BYTES) in got["detail"] and got["attr"] is None


# --------------------------------------------------------------------------- bodies


def test_a_declared_body_over_the_limit_is_refused_before_it_is_sent(
    live_server: LiveServer, api: httpx.Client
) -> None:
    started = time.monotonic()
    exchange = RawExchange(live_server)
    exchange.send(
        _head(
            "/api/projects/1/file_system/",
            "Content-Type: application/json",
            f"Content-Length: {MAX_BODY_BYTES + 1}",
        )
    )
    # Not a byte of the body: the answer must come anyway, at once.
    _assert_too_large(*exchange.finish())
    assert time.monotonic() - started < PROMPT_S
    assert snapshot(api) == []


def test_an_endless_chunked_body_is_cut_off_at_the_limit(
    live_server: LiveServer, api: httpx.Client
) -> None:
    exchange = RawExchange(live_server)
    exchange.send(
        _head(
            "/api/projects/1/file_system/",
            "Content-Type: application/json",
            "Transfer-Encoding: chunked",
        )
    )
    frame = f"{len(CHUNK):x}\r\n".encode() + CHUNK + b"\r\n"
    # Three times the limit, unless the server stops taking it first, as it must.
    while exchange.sent < 3 * MAX_BODY_BYTES and not exchange.answer:
        if not exchange.send(frame):
            break
    _assert_too_large(*exchange.finish())
    # It read no more than the limit (plus what sockets hold), so it never held it all.
    assert exchange.sent <= MAX_BODY_BYTES + IN_FLIGHT_BYTES
    assert snapshot(api) == []
    assert expect(api.get("file_system/"), 200)["count"] == 0  # and it still answers


def test_a_gzip_bomb_is_refused_when_it_inflates_past_the_limit(
    live_server: LiveServer, api: httpx.Client
) -> None:
    padding = " " * (MAX_BODY_BYTES + 1)
    bomb = gzip.compress(
        f'{{"api_key": "{project_token(live_server)}", "event": "e", "distinct_id": "d",'
        f' "properties": {{"pad": "{padding}"}}}}'.encode(),
        compresslevel=9,
    )
    assert len(bomb) < MAX_BODY_BYTES // 100  # small on the wire
    response = httpx.post(
        f"{live_server.url}/capture/",
        content=bomb,
        headers={"Content-Encoding": "gzip"},
        timeout=PROMPT_S,
    )
    assert_error_shape(response, 400, type_="invalid_request", code="request_too_large")
    assert walk(api) == []


# --------------------------------------------------------------------------- URLs


def test_a_url_over_the_limit_gets_the_contract_error(live_server: LiveServer) -> None:
    """httpx sends no URL this long, so the request goes over a raw socket."""
    exchange = RawExchange(live_server)
    query = "search=" + "q" * MAX_URL_BYTES
    exchange.send(_head(f"/api/projects/1/file_system/?{query}", "Content-Length: 0", method="GET"))
    status, _, body = exchange.finish()
    assert status == 400
    got = httpx.Response(status, content=body).json()
    assert got["type"] == "invalid_request" and got["code"] == "url_too_long", got
    assert str(MAX_URL_BYTES) in got["detail"] and got["attr"] is None


@pytest.mark.parametrize("letter", ["a", " "], ids=["plain", "percent-encoded"])
def test_a_folder_at_the_path_limit_can_be_listed(api: httpx.Client, letter: str) -> None:
    """The app lists a folder with ``?parent=<its path>``: the URL limit leaves room for the
    longest path, even one whose every character is percent-encoded."""
    parent = "F" + letter * (MAX_PATH_LENGTH - 3)
    create(api, f"{parent}/x")
    page = expect(api.get("file_system/", params={"parent": parent, "depth": 2}), 200)
    assert [entry["path"] for entry in page["results"]] == [f"{parent}/x"]


# --------------------------------------------------------------------------- paths


def test_a_path_at_the_length_limit_is_stored(api: httpx.Client) -> None:
    name = "n" * 3_000  # a long name, as hostile-name tests use, fits inside folders
    path = f"Folder/{name}/" + "x" * (MAX_PATH_LENGTH - len(name) - len("Folder//"))
    assert len(path) == MAX_PATH_LENGTH
    assert get_entry(api, create(api, path)["id"])["path"] == path


TOO_LONG = "Path must be 4000 characters or fewer."  # PostHog's words
TOO_DEEP = "Path can be at most 50 levels deep."


@pytest.mark.parametrize(
    ("path", "detail"),
    [
        ("x" * (MAX_PATH_LENGTH + 1), TOO_LONG),
        ("x" * 5_000_000, TOO_LONG),
        (_deep(MAX_PATH_DEPTH + 1), TOO_DEEP),
        ("a/" * 1_500, TOO_DEEP),  # used to create 1,500 folders, taking a while
    ],
    ids=["one-too-long", "huge", "one-too-deep", "very-deep"],
)
def test_a_path_over_the_limits_is_refused_and_nothing_is_created(
    api: httpx.Client, path: str, detail: str
) -> None:
    started = time.monotonic()
    response = api.post("file_system/", json={"path": path})
    got = assert_error_shape(
        response, 400, type_="validation_error", code="invalid_input", attr="path"
    )
    assert time.monotonic() - started < PROMPT_S
    assert got["detail"] == detail
    assert snapshot(api) == []  # not even the folders above it


def test_a_path_at_the_depth_limit_is_stored_with_its_folders(api: httpx.Client) -> None:
    entry = create(api, _deep(MAX_PATH_DEPTH))
    assert entry["depth"] == MAX_PATH_DEPTH
    assert len(snapshot(api)) == MAX_PATH_DEPTH  # the entry and every folder above it


def test_patch_to_a_path_over_the_limits_changes_nothing(api: httpx.Client) -> None:
    entry = create(api, "Box/item")
    before = snapshot(api)
    for path, detail in (("x" * (MAX_PATH_LENGTH + 1), TOO_LONG), ("a/" * 200, TOO_DEEP)):
        response = api.patch(f"file_system/{entry['id']}/", json={"path": path})
        got = assert_error_shape(
            response, 400, type_="validation_error", code="invalid_input", attr="path"
        )
        assert got["detail"] == detail
    assert snapshot(api) == before


@pytest.mark.parametrize("action", ["move", "link"])
def test_new_path_over_the_limits_changes_nothing(api: httpx.Client, action: str) -> None:
    item = create(api, "Box/item")
    before = snapshot(api)
    response = api.post(f"file_system/{item['id']}/{action}/", json={"new_path": "a/" * 200})
    # PostHog's shape on a move or link: attr null.
    got = assert_error_shape(
        response, 400, type_="validation_error", code="invalid_input", attr=None
    )
    assert got["detail"] == TOO_DEEP
    response = api.post(f"file_system/{item['id']}/{action}/", json={"new_path": ["a"]})
    got = assert_error_shape(
        response, 400, type_="validation_error", code="invalid_input", attr=None
    )
    assert got["detail"] == "Path must be a string."
    assert snapshot(api) == before


@pytest.mark.parametrize("action", ["move", "link"])
def test_a_folder_whose_insides_would_go_past_what_is_stored_stays_put(
    api: httpx.Client, action: str
) -> None:
    """The folder's own new path is fine; a path inside it would be deeper than the server
    stores (PostHog checks none of them: only a hazard is refused)."""
    # Paths are written at most 50 deep, but moves take what is inside along: B holds 48
    # levels, and C (48 levels of its own) moves to B's bottom, so B holds 97.
    create(api, "B/" + _deep(48))
    create(api, "C/" + _deep(48))
    into_b = "B/" + _deep(48) + "/C"
    c = held_folder(api, "C")
    expect(api.post(f"file_system/{c['id']}/move/", json={"new_path": into_b}), 200)
    b = held_folder(api, "B")
    before = snapshot(api)
    target = _deep(MAX_PATH_DEPTH - 1) + "/B"
    response = api.post(f"file_system/{b['id']}/{action}/", json={"new_path": target})
    got = assert_error_shape(
        response, 400, type_="validation_error", code="max_depth", attr="new_path"
    )
    assert got["detail"].startswith("A path inside this folder would be")
    assert int(got["detail"].split(" be ")[1].split()[0]) > MAX_INSIDE_DEPTH
    assert snapshot(api) == before


def test_a_folder_moves_even_when_paths_inside_go_past_50_levels(api: httpx.Client) -> None:
    # As PostHog: only the path written is checked, not the paths moved along with it.
    create(api, "Top/" + _deep(10))
    top = folder(api, "Top")
    target = _deep(MAX_PATH_DEPTH - 1) + "/Top"
    moved = expect(api.post(f"file_system/{top['id']}/move/", json={"new_path": target}), 200)
    assert moved["path"] == target
    assert max(entry["depth"] for entry in snapshot(api)) == MAX_PATH_DEPTH + 10


def test_undo_delete_to_a_path_over_the_limit_is_refused(api: httpx.Client) -> None:
    item = {"type": "insight", "ref": "abc", "path": "x" * (MAX_PATH_LENGTH + 1)}
    response = api.post("file_system/undo_delete/", json={"items": [item]})
    got = assert_error_shape(
        response, 400, type_="validation_error", code="invalid_input", attr="items__0__path"
    )
    assert got["detail"] == TOO_LONG
    assert snapshot(api) == []


@pytest.mark.parametrize("method", ["post", "patch"])
def test_meta_must_be_an_object_under_1_mb(api: httpx.Client, method: str) -> None:
    item = create(api, "Box/item")
    before = snapshot(api)

    def write(meta: Any) -> httpx.Response:
        if method == "post":
            return api.post("file_system/", json={"path": "Box/other", "meta": meta})
        return api.patch(f"file_system/{item['id']}/", json={"meta": meta})

    for meta, detail in (
        ([1, 2], "Meta must be an object."),
        ("text", "Meta must be an object."),
        ({"blob": "x" * (1024 * 1024)}, "Meta must be smaller than 1 MB."),
    ):
        got = assert_error_shape(
            write(meta), 400, type_="validation_error", code="invalid_input", attr="meta"
        )
        assert got["detail"] == detail
    assert snapshot(api) == before
    assert write({"fine": True}).status_code in (200, 201)


# --------------------------------------------------------------------------- limit and offset

PAGED = ["file_system/", "events/", "exports/", "insights/"]


OUT_OF_RANGE = (str(MAX_PAGE_VALUE + 1), "9" * 30, "9" * 5000, f"-{MAX_PAGE_VALUE + 1}")


@pytest.mark.parametrize("endpoint", PAGED)
def test_a_page_bound_far_out_of_range_is_400(api: httpx.Client, endpoint: str) -> None:
    for name in ("limit", "offset"):
        for value in OUT_OF_RANGE:
            got = assert_error_shape(
                api.get(endpoint, params={name: value}),
                400,
                type_="validation_error",
                code="max_value",
                attr=name,
            )
            assert got["detail"] == f"Ensure this value is less than or equal to {MAX_PAGE_VALUE}."


@pytest.mark.parametrize("endpoint", PAGED)
def test_page_bounds_within_range_are_read_as_drf_does(api: httpx.Client, endpoint: str) -> None:
    """Up to the bound a number is taken; anything not a positive number is the default,
    as Django REST framework reads it (PostHog's behaviour, unchanged)."""
    params: list[dict[str, Any]] = [
        {"limit": MAX_PAGE_VALUE, "offset": MAX_PAGE_VALUE},
        {"limit": "abc", "offset": "-3"},
        {"limit": "0", "offset": "x"},
    ]
    for query in params:
        body = expect(api.get(endpoint, params=query), 200)
        assert body["results"] == []


# --------------------------------------------------------------------------- conditions


def test_a_search_of_too_many_terms_is_400(api: httpx.Client) -> None:
    """Each term is one more SQL condition: past 1,000 SQLite refused, and this was a 500."""
    create(api, "a")
    assert (
        expect(api.get("file_system/", params={"search": "a " * MAX_SEARCH_TERMS}), 200)["count"]
        == 1
    )
    for count in (MAX_SEARCH_TERMS + 1, 5_000):
        got = assert_error_shape(
            api.get("file_system/", params={"search": "a " * count}),
            400,
            type_="validation_error",
            code="max_length",
            attr="search",
        )
        assert got["detail"] == f"This search has {count} terms; at most 100 are allowed."


@pytest.mark.parametrize("combine", ["AND", "OR"])
def test_too_many_property_filters_is_400(api: httpx.Client, combine: str) -> None:
    def properties(count: int) -> str:
        values = [{"key": "a", "value": "x"}] * count  # short, so 1,100 fit in a URL
        return json.dumps({"type": combine, "values": values}, separators=(",", ":"))

    expect(api.get("events/", params={"properties": properties(MAX_PROPERTY_FILTERS)}), 200)
    got = assert_error_shape(
        api.get("events/", params={"properties": properties(1_100)}),
        400,
        type_="validation_error",
        code="max_length",
        attr="properties",
    )
    assert got["detail"] == "These properties hold 1100 filters; at most 100 are allowed."
