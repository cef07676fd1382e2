"""Turning a server-supplied filename into a safe file inside a folder the user chose.

A server (or anything between it and us) picks an export's filename, so the name is
data, never a path: only its last segment is kept, separators, ``..``, control and
invisible characters go, characters Windows refuses are replaced, the length is bounded,
and the final file is created next to nothing it could overwrite.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

# Most filesystems allow 255 bytes per name; room is left for " (NNN)" and a temp suffix.
MAX_NAME_BYTES = 200
# Extensions longer than this are not extensions worth keeping whole when cutting a name.
MAX_EXTENSION_CHARS = 16
# Numbered alternatives tried before giving up on a folder full of same-named files.
MAX_ALTERNATIVES = 10_000

# Characters Windows forbids in names (separators are handled before this).
_WINDOWS_FORBIDDEN = re.compile(r'[<>:"|?*]')
# Names Windows reserves for devices, whatever the extension.
_WINDOWS_DEVICES = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"COM{i}" for i in range(1, 10)}
    | {f"LPT{i}" for i in range(1, 10)}
)
# Unicode categories that draw nothing or move the cursor: controls, format characters
# (bidi overrides that disguise an extension), surrogates, unassigned, line separators.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def safe_filename(name: str | None, fallback: str) -> str:
    """A plain file name (no directory part) made from ``name``, or from ``fallback``
    when nothing usable is left. ``fallback`` must itself be a plain, safe name."""
    cleaned = _clean(name or "")
    if cleaned:
        return cleaned
    cleaned_fallback = _clean(fallback)
    if not cleaned_fallback:
        raise ValueError(f"the fallback name {fallback!r} is not a usable file name")
    return cleaned_fallback


def _clean(name: str) -> str:
    name = unicodedata.normalize("NFC", name)
    # Both separators count, whatever this machine uses: a name made on Windows or meant
    # to escape on it is cut at "\" as well as "/".
    segments = [s for s in re.split(r"[/\\]", name) if s.strip() not in ("", ".", "..")]
    name = segments[-1] if segments else ""
    name = "".join(" " if unicodedata.category(ch) in _INVISIBLE_CATEGORIES else ch for ch in name)
    name = _WINDOWS_FORBIDDEN.sub("_", name)
    name = re.sub(r"\s+", " ", name)
    # Leading dots hide a file (or spell ".."); trailing dots and spaces vanish on Windows.
    name = name.strip(" ").lstrip(".").rstrip(". ")
    if not name:
        return ""
    # "CON.txt" and "nul.tar.gz" still name devices on Windows.
    if name.split(".")[0].strip().upper() in _WINDOWS_DEVICES:
        name = f"_{name}"
    return _shorten(name)


def _shorten(name: str) -> str:
    """``name`` cut to MAX_NAME_BYTES of UTF-8, keeping a short extension whole."""
    if len(name.encode("utf-8")) <= MAX_NAME_BYTES:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or len(extension) > MAX_EXTENSION_CHARS:
        stem, extension = name, ""
    suffix = f".{extension}" if extension else ""
    budget = MAX_NAME_BYTES - len(suffix.encode("utf-8"))
    cut = stem.encode("utf-8")[:budget].decode("utf-8", "ignore").rstrip(". ")
    return f"{cut}{suffix}" if cut else suffix.lstrip(".")


def alternative(name: str, number: int) -> str:
    """``report.csv`` → ``report (1).csv``: the name tried when ``name`` is taken. The
    stem is cut, not the number, when the result would be too long."""
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or len(extension) > MAX_EXTENSION_CHARS:
        stem, extension = name, ""
    tail = f" ({number})" + (f".{extension}" if extension else "")
    budget = MAX_NAME_BYTES - len(tail.encode("utf-8"))
    cut = stem.encode("utf-8")[:budget].decode("utf-8", "ignore").rstrip(". ")
    return f"{cut}{tail}"


def inside(folder: Path, name: str) -> Path:
    """``folder / name`` (folder resolved), refused unless ``name`` is one plain segment.

    The name itself is not resolved: an existing link by that name is simply taken, and
    exclusive creation in :func:`claim` skips it rather than follow it.
    """
    root = folder.resolve()
    separators = {os.sep, os.altsep or os.sep, "/", "\\", "\0"}
    if name in ("", ".", "..") or any(sep in name for sep in separators):
        raise ValueError(f"{name!r} does not name a file inside {str(root)!r}")
    target = root / name
    if target.parent != root or target.name != name:
        raise ValueError(f"{name!r} does not name a file inside {str(root)!r}")
    return target


def claim(folder: Path, name: str) -> Path:
    """Create an empty file for ``name`` in ``folder`` — or ``name (1)``, ``name (2)``…
    when taken — and answer its path. Exclusive creation never follows a link or
    overwrites anything, so two downloads of one name both survive."""
    for number in range(MAX_ALTERNATIVES):
        candidate = inside(folder, name if number == 0 else alternative(name, number))
        try:
            fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            continue
        os.close(fd)
        return candidate
    raise FileExistsError(f"no free name like {name!r} in {str(folder)!r}")
