"""Checking the user's ``[keys]`` before the app starts: every id must name a binding, and
no key may end up bound twice where both would answer.

A typo (``renam``) or a key taken from another binding (``rename = "n"`` while ``n`` is New
folder's) would otherwise be a key that silently does nothing, or something else.
Bindings answer together in a *scope*: the app's and the tree's keys are one (the user sees
one screen), each modal screen's another, each side pane tab's another (a tab's ``f``
shadows the app's ``f`` on purpose while the tab has the focus).
"""

from __future__ import annotations

import difflib
import importlib
import pkgutil
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from textual.app import App
from textual.dom import DOMNode
from textual.screen import Screen

from tui.config import ConfigError, ConfigFile

# The scope of the app's keys and the tree's: what the main screen answers to.
MAIN_SCOPE = "the tree"
# Where hogtree's widgets and screens live: every class with bindings is found there.
_PACKAGES = ("tui.app.screens", "tui.app.widgets")


@dataclass(frozen=True)
class KnownBinding:
    key: str  # its default keys, comma separated, as declared
    id: str | None  # None: a Textual binding without an id (it holds its key all the same)
    description: str
    scope: str


def binding_classes() -> list[type[DOMNode]]:
    """hogtree's app and every widget or screen of it that declares keys."""
    from tui.app.app import HogtreeApp

    for package_name in _PACKAGES:
        package = importlib.import_module(package_name)
        for module in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"{package_name}.{module.name}")
    found: list[type[DOMNode]] = [HogtreeApp, Screen]  # the main screen is Textual's own
    for cls in _subclasses(DOMNode):
        if cls.__module__.startswith(_PACKAGES) and "BINDINGS" in vars(cls):
            found.append(cls)
    return found


def _subclasses(cls: type[DOMNode]) -> Iterator[type[DOMNode]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def scope_of(cls: type[DOMNode]) -> str:
    from tui.app.widgets.project_tree import ProjectTree

    if issubclass(cls, App | ProjectTree) or cls is Screen:
        return MAIN_SCOPE
    title = getattr(cls, "HELP_TITLE", None)
    if isinstance(title, str):
        return title
    # ConfirmScreen → "the confirm dialog", EventJsonScreen → "the event json dialog"
    words = re.sub(r"(?<!^)(?=[A-Z])", " ", cls.__name__.removesuffix("Screen")).lower()
    return f"the {words} dialog" if issubclass(cls, Screen) else words


def known_bindings() -> list[KnownBinding]:
    """Every binding of hogtree, with the scope it answers in (inherited ones included:
    a widget answers to its base class's keys too)."""
    known: dict[tuple[str, str], KnownBinding] = {}
    for cls in binding_classes():
        scope = scope_of(cls)
        for bindings in cls._merge_bindings().key_to_bindings.values():
            for binding in bindings:
                name = binding.id or f"{binding.action} {binding.key}"
                known.setdefault(
                    (scope, name), KnownBinding(binding.key, binding.id, binding.description, scope)
                )
    return list(known.values())


def checked_keymap(config: ConfigFile) -> dict[str, str]:
    """The ``[keys]`` of ``config`` as Textual's keymap (spaces around keys dropped).
    Raises :class:`ConfigError`, naming the file and the line, for an id no binding has
    or a key that would be bound twice in one scope."""
    keymap = {binding_id: _keys(keys) for binding_id, keys in config.keys.items()}
    if not keymap:
        # Nothing to check. Not a formality: knowing every binding imports every screen
        # and widget module, those the first screen leaves for later too (Pygments with the
        # event dialog…), ~40 ms of each start (B5) without a [keys] table.
        return keymap
    known = known_bindings()
    ids = sorted({b.id for b in known if b.id})
    for binding_id, keys in keymap.items():
        if binding_id not in ids:
            near = difflib.get_close_matches(binding_id, ids, n=1)
            hint = f" (did you mean '{near[0]}'?)" if near else " (? lists every binding's id)"
            raise ConfigError(
                f"{config.where(binding_id)}: no binding has the id '{binding_id}'{hint}"
            )
        if not all(keys.split(",")):
            raise ConfigError(
                f'{config.where(binding_id)}: {binding_id} = "{config.keys[binding_id]}" has an'
                ' empty key (keys are comma separated, e.g. "d,shift+delete")'
            )
    for binding_id, keys in keymap.items():
        for scope in sorted({b.scope for b in known if b.id == binding_id}):
            _check_free(config, keymap, binding_id, keys, [b for b in known if b.scope == scope])
    return keymap


def _keys(keys: str) -> str:
    return ",".join(key.strip() for key in keys.split(","))


def _check_free(
    config: ConfigFile,
    keymap: Mapping[str, str],
    binding_id: str,
    keys: str,
    scope: list[KnownBinding],
) -> None:
    """Each of ``keys`` is held by no other binding of the scope once the keymap applies
    (a binding the keymap moves elsewhere gives its keys up)."""
    for other in scope:
        if other.id == binding_id:
            continue
        held = keymap.get(other.id, other.key) if other.id else other.key
        taken = set(keys.split(",")) & set(held.split(","))
        if taken:
            key = sorted(taken)[0]
            owner = f"{other.id} ({other.description})" if other.id else f"{other.description}"
            remedy = (
                f"remap {other.id} too, or choose another key"
                if other.id
                else "choose another key (that one has no id to remap)"
            )
            raise ConfigError(
                f'{config.where(binding_id)}: {binding_id} = "{config.keys[binding_id]}" takes'
                f" {key} from {owner} in {other.scope}; {remedy}"
            )
