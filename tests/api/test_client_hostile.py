"""The client against hostile servers, over real sockets (``tests/support/hostile_server.py``):
download names that try to leave the folder, ``Content-Disposition`` tricks, redirects that
try to carry the key to another host, and answers too big to hold.

``tests/api/test_filenames.py`` covers the name rules alone and ``tests/api/test_client_exports.py``
the download's normal faults; these are what a server set on harm would send.
"""

from __future__ import annotations

import json
import time
import tracemalloc
import zlib
from collections.abc import Callable
from pathlib import Path

import anyio
import pytest
from support.hostile_server import HostileServer, Reply, Seen, hostile_server
from support.sample_bodies import ASSET, CSV_BODY
from support.sample_bodies import ENTRY as PLAIN_ENTRY

from tui.api import ApiError, PostHogClient, UnexpectedResponseError
from tui.api.bodies import MAX_RESPONSE_BYTES
from tui.api.filenames import MAX_NAME_BYTES
from tui.models.exports import ExportedAsset

pytestmark = pytest.mark.anyio

KEY = "phx_hostile_test_key_0123456789abcdef"
MB = 1024 * 1024
# What a hostile server tries to make the client hold or write: far past every limit.
HUGE = 300 * MB
# A limit small enough that tests reading up to it stay quick.
SMALL_LIMIT = 1 * MB


def client_for(server: HostileServer, **options: object) -> PostHogClient:
    return PostHogClient(server.url, 1, KEY, max_retries=0, **options)  # type: ignore[arg-type]


def asset_json(**changes: object) -> bytes:
    return json.dumps({**ASSET, **changes}).encode()


def json_reply(body: bytes, status: int = 200) -> Reply:
    return Reply(status, [("Content-Type", "application/json")], body)


def files_under(root: Path) -> list[str]:
    """Every file below ``root``, as paths relative to it."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def export_server(filename: str | None, disposition: str) -> Callable[[Seen], Reply]:
    """Serves export 7: its JSON with ``filename``, its content with ``disposition``."""

    def respond(seen: Seen) -> Reply:
        if seen.path.endswith("/exports/7/"):
            return json_reply(asset_json(filename=filename))
        return Reply(
            200, [("Content-Type", "text/csv"), ("Content-Disposition", disposition)], CSV_BODY
        )

    return respond


# -- names: the asset's filename is data, Content-Disposition is never read ----------------


@pytest.mark.parametrize(
    ("filename", "disposition", "expected"),
    [
        ("../../../.bashrc", 'attachment; filename="../../../.bashrc"', "bashrc"),
        ("..\\..\\AppData\\Roaming\\evil.bat", "attachment; filename=evil.bat", "evil.bat"),
        ("report\x00.csv.exe", 'attachment; filename="report.csv"', "report .csv.exe"),
        # OSC 52 would set the terminal's clipboard if the name were ever echoed raw.
        ("\x1b]52;c;ZXZpbA==\x07report.csv", "attachment", "]52;c;ZXZpbA== report.csv"),
        ("\r\nSet-Cookie: x=1;.csv", "attachment", "Set-Cookie_ x=1;.csv"),
        ("\u202ecod.exe", "attachment", "cod.exe"),
        # RFC 5987 with encoded slashes, alone and beside a plain filename.
        ("/", "attachment; filename*=UTF-8''..%2F..%2F..%2Fevil.sh", "export-7.csv"),
        (
            None,
            "attachment; filename=\"safe.csv\"; filename*=UTF-8''%2E%2E%2F%2E%2E%2Fevil.sh",
            "export-7.csv",
        ),
        # Quotes and escapes that a naive parser would end early, or unescape into a path.
        ("a.csv", r'attachment; filename="a\"b\\..\\..\\c.csv"; filename="/etc/x"', "a.csv"),
        ("%2e%2e%2fevil.csv", "attachment; filename=%2e%2e%2fevil.csv", "%2e%2e%2fevil.csv"),
    ],
)
async def test_a_hostile_name_lands_inside_the_folder(
    tmp_path: Path, filename: str | None, disposition: str, expected: str
) -> None:
    folder = tmp_path / "a" / "b" / "c" / "downloads"  # deep enough for ../../.. to stay in
    folder.mkdir(parents=True)
    with hostile_server(export_server(filename, disposition)) as server:
        async with client_for(server) as client:
            path = await client.exports.download(await client.exports.get(7), folder)
    assert path == folder / expected
    assert files_under(tmp_path) == [f"a/b/c/downloads/{expected}"]
    assert path.read_bytes() == CSV_BODY


async def test_an_absurdly_long_name_is_cut_and_keeps_its_extension(tmp_path: Path) -> None:
    long = "x" * 10_000 + ".csv"
    disposition = f"attachment; filename=\"{long}\"; filename*=UTF-8''{'%2F' * 2000}"
    with hostile_server(export_server(long, disposition)) as server:
        async with client_for(server) as client:
            path = await client.exports.download(await client.exports.get(7), tmp_path)
    assert path.parent == tmp_path and path.suffix == ".csv"
    assert len(path.name.encode()) == MAX_NAME_BYTES
    assert files_under(tmp_path) == [path.name]


async def test_a_header_too_long_to_hold_is_an_error_and_no_file(tmp_path: Path) -> None:
    """200 kB of Content-Disposition: httpx stops reading headers at 100 kB."""
    disposition = "attachment; filename=" + "y" * 200_000
    with hostile_server(export_server("report.csv", disposition)) as server:
        async with client_for(server) as client:
            asset = await client.exports.get(7)
            with pytest.raises(ApiError) as caught:
                await client.exports.download(asset, tmp_path)
    assert server.url in caught.value.message
    assert KEY not in caught.value.message
    assert files_under(tmp_path) == []


# -- redirects: the key never goes to another host -----------------------------------------


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_an_api_redirect_to_another_host_is_not_followed(status: int) -> None:
    with hostile_server(lambda seen: json_reply(b'{"count": 0, "results": []}')) as elsewhere:
        target = f"{elsewhere.url}/api/projects/1/file_system/"
        with hostile_server(lambda seen: Reply(status, [("Location", target)])) as server:
            async with client_for(server) as client:
                with pytest.raises(UnexpectedResponseError, match="redirect"):
                    await client.list_folder("")
                with pytest.raises(UnexpectedResponseError, match="redirect"):
                    await client.move("some-id", "Archive/x")
        assert [seen.headers["authorization"] for seen in server.seen] == [f"Bearer {KEY}"] * 2
    assert elsewhere.seen == []


async def test_an_api_redirect_to_no_url_at_all_is_an_error_not_a_crash() -> None:
    with hostile_server(lambda seen: Reply(302, [("Location", "javascript:alert(1)")])) as server:
        async with client_for(server) as client:
            with pytest.raises(UnexpectedResponseError, match="not a URL"):
                await client.list_folder("")


async def test_a_body_that_does_not_unpack_is_an_error_not_a_crash(tmp_path: Path) -> None:
    garbage = [("Content-Type", "application/json"), ("Content-Encoding", "gzip")]
    with hostile_server(lambda seen: Reply(200, garbage, b"not gzip at all")) as server:
        async with client_for(server) as client:
            with pytest.raises(UnexpectedResponseError, match="does not decode"):
                await client.list_folder("")
            with pytest.raises(UnexpectedResponseError, match="does not decode"):
                await client.exports.download(client_asset(), tmp_path)
    assert files_under(tmp_path) == []


async def test_a_download_redirect_reaches_storage_without_the_key(tmp_path: Path) -> None:
    """The API redirects the content to storage, which bounces it back to the API host: no
    hop after the first carries the key, not even back to the host that has it."""
    hops: list[str] = []

    def api(seen: Seen) -> Reply:
        if seen.path.endswith("/exports/7/content/"):
            # The key in the URL's user info would be sent as Basic auth if kept.
            location = f"http://hogtree:{KEY}@127.0.0.1:{storage_port()}/bucket/7.csv?sig=s1"
            return Reply(302, [("Location", location)])
        return Reply(200, [("Content-Type", "text/csv")], CSV_BODY)  # the bounce, back here

    def storage(seen: Seen) -> Reply:
        hops.append(seen.path)
        return Reply(307, [("Location", f"{api_server.url}/signed/7.csv")])

    with hostile_server(storage) as storage_server, hostile_server(api) as api_server:

        def storage_port() -> int:
            return int(storage_server.url.rsplit(":", 1)[1])

        async with client_for(api_server) as client:
            path = await client.exports.download(client_asset(), tmp_path)
    assert path.read_bytes() == CSV_BODY
    first, bounce = api_server.seen
    assert first.headers["authorization"] == f"Bearer {KEY}"
    assert hops == ["/bucket/7.csv?sig=s1"]
    for seen in (*storage_server.seen, bounce):
        assert "authorization" not in seen.headers
        assert KEY.encode() not in seen.raw


def client_asset() -> ExportedAsset:
    return ExportedAsset.model_validate(ASSET)


@pytest.mark.parametrize(
    ("location", "words"),
    [
        ("file:///etc/passwd", "non-HTTP address"),
        ("javascript:alert(1)", "not a URL"),
        ("", "without saying where"),
    ],
)
async def test_a_download_redirect_that_is_not_http_is_refused(
    tmp_path: Path, location: str, words: str
) -> None:
    headers = [("Location", location)] if location else []
    with hostile_server(lambda seen: Reply(302, headers)) as server:
        async with client_for(server) as client:
            with pytest.raises(UnexpectedResponseError, match=words):
                await client.exports.download(client_asset(), tmp_path)
    assert files_under(tmp_path) == []


async def test_a_download_redirect_loop_ends(tmp_path: Path) -> None:
    with hostile_server(lambda seen: Reply(302, [("Location", "/again")])) as server:
        async with client_for(server) as client:
            with pytest.raises(UnexpectedResponseError, match="more than 3 times"):
                await client.exports.download(client_asset(), tmp_path)
    assert len(server.seen) == 4  # the request and three redirects, then it stops
    assert all("authorization" not in seen.headers for seen in server.seen[1:])


# -- size: nothing past a limit is held in memory or written to disk -----------------------


def endless_json(**reply: object) -> Callable[[Seen], Reply]:
    """A listing that begins like JSON and goes on for HUGE bytes."""
    return lambda seen: Reply(
        200,
        [("Content-Type", "application/json")],
        stream_bytes=HUGE,
        fill=b" ",  # JSON allows any amount of white space: only the size gives it away
        **reply,  # type: ignore[arg-type]
    )


async def test_a_declared_huge_answer_is_refused_before_it_is_read() -> None:
    with hostile_server(endless_json(content_length=HUGE)) as server:
        async with client_for(server) as client:
            started = time.monotonic()
            with pytest.raises(UnexpectedResponseError, match="more than 64 MB"):
                await client.list_folder("")
            took = time.monotonic() - started
        await anyio.sleep(0.2)  # the server notices the hang-up
    assert took < 2
    # What the socket buffers took before the client hung up: nothing like the whole body.
    assert server.body_bytes_sent < MAX_RESPONSE_BYTES


async def test_an_endless_answer_is_refused_at_the_limit_with_bounded_memory() -> None:
    """300 MB of chunked JSON with the default 64 MB limit: reading stops at the limit and
    memory stays near it, never near the body."""
    with hostile_server(endless_json()) as server:
        async with client_for(server) as client:
            tracemalloc.start()
            try:
                with pytest.raises(UnexpectedResponseError, match="stops reading there"):
                    await client.list_folder("")
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
        await anyio.sleep(0.2)
    assert MAX_RESPONSE_BYTES <= server.body_bytes_sent < HUGE / 2
    assert peak < 2 * MAX_RESPONSE_BYTES  # the limit and a chunk: nothing like 300 MB


# An entry with a long note: ~5 kB.
ENTRY = {**PLAIN_ENTRY, "meta": {"notes": "x" * 5000}}
# A page of 100 entries, ~500 kB: more than one unpacking step.
PAGE = json.dumps({"count": 100, "next": None, "previous": None, "results": [ENTRY] * 100})


def compressed(data: bytes, wbits: int) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, wbits)
    return packer.compress(data) + packer.flush()


@pytest.mark.parametrize(
    ("encoding", "wbits"),
    [("gzip", 31), ("x-gzip", 31), ("deflate", 15), ("deflate", -15), ("identity", 0)],
    ids=["gzip", "x-gzip", "deflate", "raw-deflate", "identity"],
)
async def test_compressed_answers_are_read_whole(encoding: str, wbits: int, tmp_path: Path) -> None:
    """What PostHog Cloud and its proxies send is unpacked here, not by httpx: it must come
    out the same, for the API and for downloads."""
    body = PAGE.encode() if wbits == 0 else compressed(PAGE.encode(), wbits)
    headers = [("Content-Type", "application/json"), ("Content-Encoding", encoding)]
    with hostile_server(lambda seen: Reply(200, headers, body)) as server:
        async with client_for(server) as client:
            page = await client.list_entries()
            path = await client.exports.download(client_asset(), tmp_path)
    assert page.count == 100 and [e.meta for e in page.results] == [ENTRY["meta"]] * 100
    assert path.read_bytes() == PAGE.encode()


def gzip_bomb(size: int) -> bytes:
    """The gzip stream of ``size`` zero bytes, ~1000 times smaller, made without compressing
    them all: after a full flush each megabyte of zeros packs to the same bytes, repeated.
    The trailer (checksum and length) is left off: the client must stop long before it."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(MB)
    first = packer.compress(zeros) + packer.flush(zlib.Z_FULL_FLUSH)
    again = packer.compress(zeros) + packer.flush(zlib.Z_FULL_FLUSH)
    return first + again * (size // MB - 1)


async def test_a_compressed_bomb_is_measured_as_it_unpacks() -> None:
    bomb = gzip_bomb(HUGE)
    assert len(bomb) < MB
    reply = Reply(200, [("Content-Type", "application/json"), ("Content-Encoding", "gzip")], bomb)
    with hostile_server(lambda seen: reply) as server:
        async with client_for(server, max_response_bytes=SMALL_LIMIT) as client:
            tracemalloc.start()
            try:
                with pytest.raises(UnexpectedResponseError, match="more than 1 MB"):
                    await client.list_folder("")
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
    # Unpacked a bounded step at a time: the limit and a step, never the 300 MB (httpx's own
    # unpacking would hold what one 64 kB read unpacks to: ~64 MB, twice over).
    assert peak < 8 * MB


async def test_a_huge_error_page_is_refused_too() -> None:
    page = Reply(502, [("Content-Type", "text/html")], stream_bytes=HUGE, fill=b"<p>down</p>")
    with hostile_server(lambda seen: page) as server:
        async with client_for(server, max_response_bytes=SMALL_LIMIT) as client:
            with pytest.raises(UnexpectedResponseError, match="more than 1 MB"):
                await client.list_folder("")
        await anyio.sleep(0.2)
    assert server.body_bytes_sent < HUGE / 2


def endless_csv(declared: bool) -> Reply:
    return Reply(
        200,
        [("Content-Type", "text/csv")],
        stream_bytes=HUGE,
        fill=b"1,2,3\r\n",
        content_length=HUGE if declared else None,
    )


@pytest.mark.parametrize(
    "reply",
    [
        endless_csv(declared=False),
        endless_csv(declared=True),
        Reply(200, [("Content-Type", "text/csv"), ("Content-Encoding", "gzip")], gzip_bomb(HUGE)),
    ],
    ids=["chunked", "content-length", "gzip-bomb"],
)
async def test_a_download_past_its_cap_is_stopped_and_leaves_nothing(
    tmp_path: Path, reply: Reply
) -> None:
    with hostile_server(lambda seen: reply) as server:
        async with client_for(server) as client:
            tracemalloc.start()
            try:
                with pytest.raises(UnexpectedResponseError, match="more than 1 MB"):
                    await client.exports.download(client_asset(), tmp_path, max_bytes=SMALL_LIMIT)
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
        await anyio.sleep(0.2)
    assert files_under(tmp_path) == []  # no file, no temporary ".part" either
    assert server.body_bytes_sent < HUGE / 2
    assert peak < 16 * MB  # streamed to disk a chunk at a time
