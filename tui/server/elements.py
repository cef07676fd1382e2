"""Autocapture's elements, as PostHog stores and answers them.

posthog-js sends the clicked element and its ancestors as ``properties.$elements``: a list
of ``{"tag_name", "$el_text", "attr__class", "attr__id", "attr__href", "nth_child",
"nth_of_type", "attr__…"}``. PostHog's ingestion takes them out of the properties and keeps
them as one string, ``elements_chain`` (``a.btn.primary:attr__href="/x"href="/x"nth-child="1"
nth-of-type="2"text="Buy"``, elements joined by ``;``, the clicked one first). The events
API answers that string and the list it parses back to (``elements``).
"""

from __future__ import annotations

import re
from typing import Any

# PostHog cuts an element's text and href to these lengths on the way in.
MAX_TEXT = 400
MAX_HREF = 2048

# One attribute of an element in a chain: key="value", quotes inside escaped with \".
_ATTRIBUTE = re.compile(r'([^="]+)="((?:\\.|[^"\\])*)"')


def _escape(text: str) -> str:
    return text.replace('"', r"\"")


def _unescape(text: str) -> str:
    return text.replace(r"\"", '"')


def chain_from_capture(raw: Any) -> str:
    """``elements_chain`` for the ``$elements`` an SDK sent ("" for anything else)."""
    if not isinstance(raw, list):
        return ""
    parts = []
    for element in raw:
        if not isinstance(element, dict):
            continue
        tag = str(element.get("tag_name") or "")
        classes = str(element.get("attr__class") or "").split()
        attributes: dict[str, str] = {
            key: str(value) for key, value in element.items() if key.startswith("attr__")
        }
        text = element.get("$el_text")
        if text:
            attributes["text"] = str(text)[:MAX_TEXT]
        href = element.get("attr__href")
        if href:
            attributes["href"] = str(href)[:MAX_HREF]
        if element.get("attr__id"):
            attributes["attr_id"] = str(element["attr__id"])
        attributes["nth-child"] = str(element.get("nth_child") or 0)
        attributes["nth-of-type"] = str(element.get("nth_of_type") or 0)
        head = tag + "".join("." + name.replace('"', "") for name in sorted(classes))
        body = "".join(
            f'{_escape(key)}="{_escape(value)}"' for key, value in sorted(attributes.items())
        )
        parts.append(f"{head}:{body}")
    return ";".join(parts)


def _split_elements(chain: str) -> list[str]:
    """The elements of a chain: split at ``;`` outside quotes."""
    parts: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for char in chain:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == ";" and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    if current:
        parts.append("".join(current))
    return parts


def elements_of(chain: str) -> list[dict[str, Any]]:
    """The ``elements`` the events API answers for ``elements_chain``."""
    elements = []
    for order, part in enumerate(_split_elements(chain)):
        head, _, body = part.partition(":")
        tag, *classes = head.split(".")
        attributes = {_unescape(key): _unescape(value) for key, value in _ATTRIBUTE.findall(body)}
        elements.append(
            {
                "text": attributes.get("text"),
                "tag_name": tag or None,
                "attr_class": classes or None,
                "href": attributes.get("href"),
                "attr_id": attributes.get("attr_id"),
                "nth_child": _number(attributes.get("nth-child")),
                "nth_of_type": _number(attributes.get("nth-of-type")),
                "attributes": {k: v for k, v in attributes.items() if k.startswith("attr__")},
                "order": order,
            }
        )
    return elements


def _number(text: str | None) -> int | None:
    return int(text) if text is not None and text.isdigit() else None
