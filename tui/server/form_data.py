"""Reading a ``multipart/form-data`` body (RFC 7578) into its parts, in order, each with
the headers capture's AI endpoint reads (name, Content-Type, Content-Encoding).

The standard library has no such parser, and Starlette's needs the optional
``python-multipart``; the AI endpoint also needs each part's own headers and their order,
which a form dictionary loses. Refusals say what ``multer`` (PostHog capture's parser) would
complain about, in :class:`FormDataError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import Message

CRLF = b"\r\n"
# A boundary is 1 to 70 characters (RFC 2046).
MAX_BOUNDARY = 70


class FormDataError(Exception):
    """A body that is not the form it says it is; the message says why."""


@dataclass(frozen=True)
class FormPart:
    """One part: its form field name, its own Content-Type and Content-Encoding (``None``
    when it sends none), and its bytes as sent."""

    name: str | None
    content_type: str | None
    content_encoding: str | None
    data: bytes


def boundary_of(content_type: str) -> str:
    """The ``boundary`` parameter of a ``multipart/form-data`` Content-Type."""
    message = Message()
    message["content-type"] = content_type
    boundary = message.get_param("boundary")
    if not isinstance(boundary, str) or not boundary:
        raise FormDataError("multipart boundary not found in Content-Type")
    if len(boundary) > MAX_BOUNDARY:
        raise FormDataError("multipart boundary is longer than 70 characters")
    return boundary


def parse_form_data(body: bytes, boundary: str) -> list[FormPart]:
    """Every part of ``body`` in order; :class:`FormDataError` if it is not well formed."""
    delimiter = b"--" + boundary.encode("latin-1")
    at = body.find(delimiter)
    if at == -1 or (at > 0 and body[at - 2 : at] != CRLF):
        raise FormDataError("incomplete multipart stream: no boundary found")
    parts: list[FormPart] = []
    at += len(delimiter)
    while True:
        if body[at : at + 2] == b"--":
            return parts  # the closing delimiter; an epilogue may follow
        line_end = body.find(CRLF, at)
        if line_end == -1 or body[at:line_end].strip(b" \t"):
            raise FormDataError("incomplete multipart stream")
        headers_start = line_end + 2
        if body[headers_start : headers_start + 2] == CRLF:
            headers_end = headers_start  # a part with no headers at all
        else:
            headers_end = body.find(CRLF + CRLF, headers_start)
            if headers_end == -1:
                raise FormDataError("incomplete multipart stream: a part's headers never end")
        data_start = headers_end + 4 if headers_end > headers_start else headers_start + 2
        next_at = body.find(CRLF + delimiter, data_start)
        if next_at == -1:
            raise FormDataError("incomplete multipart stream")
        parts.append(_part(body[headers_start:headers_end], body[data_start:next_at]))
        at = next_at + 2 + len(delimiter)


def _part(raw_headers: bytes, data: bytes) -> FormPart:
    headers: dict[str, str] = {}
    for line in raw_headers.split(CRLF) if raw_headers else []:
        name, colon, value = line.decode("utf-8", "replace").partition(":")
        if not colon or not name.strip():
            raise FormDataError(f"invalid part header: {line[:100]!r}")
        headers[name.strip().lower()] = value.strip()
    disposition = headers.get("content-disposition")
    field_name: str | None = None
    if disposition is not None:
        message = Message()
        message["content-disposition"] = disposition
        found = message.get_param("name", header="content-disposition")
        field_name = found if isinstance(found, str) else None
    return FormPart(
        name=field_name,
        content_type=headers.get("content-type"),
        content_encoding=headers.get("content-encoding"),
        data=data,
    )
