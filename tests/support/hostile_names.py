"""Names a hostile (or just careless) server can give entries, and what must never come of
them: each is shown literally, with what a terminal would obey made visible.

Used by tests/app/test_app_hostile_names.py (what the app draws, what the terminal receives)
and by the hostile pictures of tests/app/test_app_snapshots.py.
"""

from __future__ import annotations

from collections.abc import Iterable

from tui import paths

# Long, but inside PostHog's 4,000-character path with the folders above it.
LONG_NAME_LENGTH = 3_000
STACKED_MARKS = 15  # a "Zalgo" pile, far beyond any script's real stacking

# what it tries → the entry's name (one path segment, unescaped)
HOSTILE_NAMES: dict[str, str] = {
    "rich markup": "[bold red]x[/] [link=https://evil.example]click[/link] [/]",
    "CSI colour": "\x1b[31mRED\x1b[0m \x1b[5;7mBLINK",
    "OSC 8 hyperlink": "\x1b]8;;https://evil.example\x1b\\LINK\x1b]8;;\x1b\\",
    "OSC 52 clipboard write": "\x1b]52;c;cm0gLXJmIH4=\x07CLIP",
    "OSC title set": "\x1b]0;PWNED\x07\x1b]2;PWNED2\x1b\\TITLE",
    "C0 controls": "c0 a\x00b\x01c\x07d\x08e\x0bf\x0cg\rh\ni\x7fj",
    "C1 controls": "c1 k\x9b31ml\x9d0;T\x9cm\x85n\x90q",
    "right-to-left override": "invoice\u202egpj.exe",
    "zero-width": "zero\u200bwidth\u2060join\ufeffend",
    "combining marks": "Z" + "".join(chr(0x0351 + i) for i in range(STACKED_MARKS)) + "algo",
    "emoji": "🦔 family 👨\u200d👩\u200d👧 ❤️ 🇬🇧",
    "3,000 characters": "L" * (LONG_NAME_LENGTH - 8) + "long end",
}

# Pieces of the names above a terminal would act on. None may reach the terminal as it is.
RAW_PAYLOADS: tuple[str, ...] = (
    "\x1b[31mRED",
    "\x1b[5;7mBLINK",
    "\x1b]8;;https://evil.example",
    "\x1b]52;",
    "\x1b]0;PWNED",
    "\x1b]2;PWNED2",
    "\x9b31m",
    "\x9d0;T",
    "\u202egpj",
    "\u200bwidth",
)


def top_level_path(name: str) -> str:
    return paths.join([name])


def leaked(output: str, payloads: Iterable[str] = RAW_PAYLOADS) -> list[str]:
    """The payloads found in ``output`` as they are."""
    return [payload for payload in payloads if payload in output]
