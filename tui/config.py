"""Where hogtree connects: flags, environment variables and the config file, merged.

Each setting is taken from the first place that has it: a flag (``--host``,
``--project``, ``--profile``), then the environment (``POSTHOG_HOST``,
``POSTHOG_PROJECT_ID``, ``POSTHOG_PERSONAL_API_KEY``), then the chosen profile of the
config file, then the defaults. No host at all means the local server.

The config file is TOML, in the user config dir (``HOGTREE_CONFIG`` points elsewhere)::

    default_profile = "us"
    [profiles.us]
    host = "https://us.posthog.com"
    project = 12345
    api_key = "phx_..."

The key is never a flag: a flag would end up in the shell history and in ``ps``. A config
file holding a key must be readable by its owner alone (like ssh's private keys), and a key
is not sent over plain ``http://`` to another machine unless ``--allow-insecure-http``.
"""

from __future__ import annotations

import os
import re
import shlex
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs

if TYPE_CHECKING:
    # Imported where a key is wrapped (secret): the local demo's start reads this module
    # before it starts its server, and pydantic's import (~50 ms) need not come first.
    from pydantic import SecretStr

ENV_HOST = "POSTHOG_HOST"
ENV_PROJECT = "POSTHOG_PROJECT_ID"
ENV_API_KEY = "POSTHOG_PERSONAL_API_KEY"
ENV_PROFILE = "HOGTREE_PROFILE"
ENV_CONFIG = "HOGTREE_CONFIG"

APP_NAME = "hogtree"
# The local server's first project, which its demo data fills.
DEFAULT_LOCAL_PROJECT = 1

PROFILE_SETTINGS = frozenset({"host", "project", "api_key"})

# Permission bits for the group and others: a file holding a key must have none of them,
# as ssh demands of a private key.
SHARED_MODE_BITS = 0o077


class ConfigError(Exception):
    """A setting is missing or wrong; the message is one line fit to print as it is."""


@dataclass(frozen=True)
class Profile:
    name: str
    host: str | None = None
    project: int | str | None = None
    api_key: SecretStr | None = None


@dataclass(frozen=True)
class ConfigFile:
    path: Path
    default_profile: str | None = None
    profiles: Mapping[str, Profile] = field(default_factory=dict)
    # [keys]: binding id → keys, e.g. rename = "f2" or delete = "d,shift+delete".
    keys: Mapping[str, str] = field(default_factory=dict)
    # icons = "emoji" | "nerd" | "ascii": the icon set (--icons chooses too, and first).
    icons: str | None = None
    # The line of the file each of [keys] is on, for messages that say where a mistake is.
    key_lines: Mapping[str, int] = field(default_factory=dict)

    def where(self, binding_id: str) -> str:
        """``config file PATH, line N`` of the ``[keys]`` entry ``binding_id``."""
        line = self.key_lines.get(binding_id)
        return f"config file {self.path}" + (f", line {line}" if line else "")


@dataclass(frozen=True)
class Connection:
    """What to talk to. ``host`` is ``None`` for the local server."""

    host: str | None
    project_id: int
    # SecretStr reprs as '**********', so printing a Connection shows no key.
    api_key: SecretStr | None = None
    profile: str | None = None
    # The user said plain http:// to a non-loopback host is fine (--allow-insecure-http).
    allow_insecure_http: bool = False
    # Where the key came from, for a refused key's message: the variable or the profile.
    key_source: str | None = None

    @property
    def is_local(self) -> bool:
        return self.host is None


def default_config_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get(ENV_CONFIG):
        return Path(env[ENV_CONFIG]).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def load_config(path: Path) -> ConfigFile:
    """Read the config file; a missing file is an empty config."""
    try:
        with path.open("rb") as stream:
            mode = os.fstat(stream.fileno()).st_mode  # of the file read, not a later one
            text = stream.read().decode("utf-8")
        data = tomllib.loads(text)
    except FileNotFoundError:
        return ConfigFile(path=path)
    except UnicodeDecodeError:
        raise ConfigError(f"config file {path} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None

    default_profile = data.get("default_profile")
    if default_profile is not None and not isinstance(default_profile, str):
        raise ConfigError(f"config file {path}: default_profile must be a string")
    tables = data.get("profiles", {})
    if not isinstance(tables, dict):
        raise ConfigError(f"config file {path}: 'profiles' must be a table ([profiles.NAME])")
    profiles = {name: _profile(name, table, path) for name, table in tables.items()}
    if any(profile.api_key is not None for profile in profiles.values()):
        _check_private(path, mode)
    keys = data.get("keys", {})
    if not isinstance(keys, dict) or not all(isinstance(v, str) for v in keys.values()):
        raise ConfigError(
            f'config file {path}: [keys] maps a binding id to keys, e.g. rename = "f2"'
        )
    icons = data.get("icons")
    from tui.labels import ICON_SETS  # here: only a file that sets icons needs them

    if icons is not None and icons not in ICON_SETS:
        known = ", ".join(ICON_SETS)
        raise ConfigError(f"config file {path}: icons must be one of {known}, got {icons!r}")
    return ConfigFile(
        path=path,
        default_profile=default_profile,
        profiles=profiles,
        keys=keys,
        icons=icons,
        key_lines=_table_lines(text, "keys"),
    )


_TABLE_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")
_SETTING = re.compile(r"""^\s*(["']?)([A-Za-z0-9_-]+)\1\s*=""")


def _table_lines(text: str, table: str) -> dict[str, int]:
    """The line (from 1) of each setting of ``[table]`` in the TOML ``text``: tomllib
    keeps no positions, and a message about a setting should say where it is."""
    lines: dict[str, int] = {}
    current = ""
    for number, line in enumerate(text.splitlines(), start=1):
        header = _TABLE_HEADER.match(line)
        if header:
            current = header.group(1).strip("\"' ")
            continue
        setting = _SETTING.match(line)
        if setting and current == table:
            lines.setdefault(setting.group(2), number)
    return lines


def _profile(name: str, table: Any, path: Path) -> Profile:
    where = f"profile '{name}' in {path}"
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table ([profiles.{name}])")
    unknown = sorted(set(table) - PROFILE_SETTINGS)
    if unknown:
        known = ", ".join(sorted(PROFILE_SETTINGS))
        raise ConfigError(f"{where}: unknown setting '{unknown[0]}' (known: {known})")
    for key in ("host", "api_key"):
        if key in table and not isinstance(table[key], str):
            raise ConfigError(f"{where}: {key} must be a string")
    project = table.get("project")
    if project is not None and (isinstance(project, bool) or not isinstance(project, int | str)):
        raise ConfigError(f"{where}: project must be a number")
    return Profile(
        name=name,
        host=table.get("host") or None,
        project=project,
        api_key=secret(table["api_key"].strip()) if table.get("api_key", "").strip() else None,
    )


def secret(text: str) -> SecretStr:
    """``text`` as a SecretStr, like every key hogtree holds: it reprs as '**********'."""
    from pydantic import SecretStr

    return SecretStr(text)


def _check_private(path: Path, mode: int) -> None:
    """Refuse a key file others may read, saying the command that fixes it."""
    if os.name != "posix":  # Windows guards files with ACLs, not these bits
        return
    if mode & SHARED_MODE_BITS:
        raise ConfigError(
            f"config file {path} holds an API key but other users can read it"
            f" (mode {stat.S_IMODE(mode):04o}); make it yours alone:"
            f" chmod 600 {shlex.quote(str(path))}"
        )


def resolve_connection(
    *,
    host: str | None = None,
    project: int | str | None = None,
    profile: str | None = None,
    env: Mapping[str, str] | None = None,
    config_path: Path | None = None,
    allow_insecure_http: bool = False,
) -> Connection:
    """Merge flags (the arguments), ``env`` and the config file into a :class:`Connection`.

    Raises :class:`ConfigError` when a remote host lacks a key or a project, a profile is
    unknown, the key is malformed, or it would go over plain http:// to another machine
    without ``allow_insecure_http``.
    """
    env = os.environ if env is None else env
    config = load_config(config_path or default_config_path(env))
    chosen = _choose_profile(config, profile or env.get(ENV_PROFILE) or None)

    host_source, raw_host = _first(
        ("--host", host), (ENV_HOST, env.get(ENV_HOST)), (_name(chosen), chosen.host)
    )
    resolved_host = _host(raw_host, host_source) if raw_host else None

    project_source, raw_project = _first(
        ("--project", project),
        (ENV_PROJECT, env.get(ENV_PROJECT)),
        (_name(chosen), chosen.project),
    )

    # A profile's key belongs to the profile's host: when a flag or the environment points
    # elsewhere, that key must not travel there.
    profile_key = chosen.api_key
    if chosen.host and resolved_host != _host(chosen.host, _name(chosen)):
        profile_key = None
    # Whitespace around a key is a copy-and-paste accident; a blank variable is unset.
    env_text = env.get(ENV_API_KEY, "").strip()
    env_key = secret(env_text) if env_text else None
    api_key = env_key if env_key is not None else profile_key
    if api_key is not None:
        # Imported where used, like normalize_host below: tui.api brings httpx, which the
        # local demo's start need not wait for.
        from tui.api.auth import check_key

        try:
            check_key(api_key)
        except ValueError as exc:
            where = ENV_API_KEY if api_key is env_key else _name(chosen)
            raise ConfigError(f"{exc} ({where})") from None

    if resolved_host is None:
        project_id = _project(raw_project, project_source) if raw_project else DEFAULT_LOCAL_PROJECT
        return Connection(None, project_id, api_key, chosen.name or None)

    if api_key is None:
        raise ConfigError(_missing_key_message(resolved_host, chosen, config.path))
    if raw_project is None or raw_project == "":
        where = f"project in profile '{chosen.name}'" if chosen.name else "a profile's project"
        raise ConfigError(
            f"no project for {resolved_host}: set --project, {ENV_PROJECT} or {where}"
        )
    project_id = _project(raw_project, project_source)
    from tui.api.auth import InsecureTransportError, check_transport

    try:
        check_transport(resolved_host, has_key=True, allow_insecure_http=allow_insecure_http)
    except InsecureTransportError as exc:
        raise ConfigError(str(exc)) from None
    key_source = (
        ENV_API_KEY
        if api_key is env_key
        else f"api_key in profile '{chosen.name}' of {config.path}"
    )
    return Connection(
        resolved_host, project_id, api_key, chosen.name or None, allow_insecure_http, key_source
    )


def _choose_profile(config: ConfigFile, name: str | None) -> Profile:
    name = name or config.default_profile
    if name is None:
        return Profile(name="")
    if name not in config.profiles:
        if not config.profiles:
            raise ConfigError(f"unknown profile '{name}': no profiles in {config.path}")
        known = ", ".join(sorted(config.profiles))
        raise ConfigError(f"unknown profile '{name}' (known: {known}) in {config.path}")
    return config.profiles[name]


def _name(profile: Profile) -> str:
    return f"profile '{profile.name}'"


def _first(*candidates: tuple[str, Any]) -> tuple[str, Any]:
    """The first candidate with a value (an empty env var counts as unset)."""
    for source, value in candidates:
        if value is not None and value != "":
            return source, value
    return "", None


def _host(raw: str, source: str) -> str:
    # Imported here: it brings httpx, which the local demo's start need not wait for.
    from tui.api.client import normalize_host

    if "://" not in raw:
        raise ConfigError(f"host '{raw}' ({source}) needs a scheme, e.g. https://{raw}")
    try:
        return normalize_host(raw)
    except ValueError:
        raise ConfigError(
            f"host '{raw}' ({source}) is not an http(s) URL like https://us.posthog.com"
        ) from None


def _project(raw: int | str, source: str) -> int:
    try:
        project_id = int(str(raw).strip())
    except ValueError:
        raise ConfigError(f"project must be a number, got '{raw}' ({source})") from None
    if project_id < 1:
        raise ConfigError(f"project must be a positive number, got {project_id} ({source})")
    return project_id


def _missing_key_message(host: str, profile: Profile, path: Path) -> str:
    if profile.api_key is not None:
        # The profile has a key, but for another host (see resolve_connection).
        return (
            f"no API key for {host}: set {ENV_API_KEY} (profile '{profile.name}' holds a key"
            f" for {profile.host} only)"
        )
    if profile.name:
        return f"no API key: set {ENV_API_KEY} or api_key in profile '{profile.name}'"
    return f"no API key: set {ENV_API_KEY} or api_key in a profile of {path}"
