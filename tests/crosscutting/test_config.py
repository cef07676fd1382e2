"""Where hogtree connects: flags > environment > profile > defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.config import ConfigError, default_config_path, load_config, resolve_connection

US_KEY = "phx_us_profile_key_0000000000000000"
EU_KEY = "phx_eu_profile_key_0000000000000000"
ENV_KEY = "phx_from_the_environment_000000000"

CONFIG = f"""
default_profile = "us"

[profiles.us]
host = "https://us.posthog.com/"
project = 111
api_key = "{US_KEY}"

[profiles.eu]
host = "https://eu.posthog.com"
project = "222"
api_key = "{EU_KEY}"

[profiles.sandbox]
project = 2
"""


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG, encoding="utf-8")
    path.chmod(0o600)  # it holds keys: only its owner may read it
    return path


@pytest.fixture
def missing_config(tmp_path: Path) -> Path:
    return tmp_path / "nowhere" / "config.toml"


def test_nothing_configured_means_the_local_server(missing_config: Path) -> None:
    connection = resolve_connection(env={}, config_path=missing_config)
    assert connection.is_local
    assert connection.host is None
    assert connection.project_id == 1
    assert connection.api_key is None
    assert connection.profile is None


def test_default_profile_is_used_and_host_loses_its_trailing_slash(config_path: Path) -> None:
    connection = resolve_connection(env={}, config_path=config_path)
    assert connection.profile == "us"
    assert connection.host == "https://us.posthog.com"
    assert connection.project_id == 111
    assert connection.api_key is not None
    assert connection.api_key.get_secret_value() == US_KEY
    assert not connection.is_local


def test_profile_flag_beats_the_profile_env_var_which_beats_the_default(
    config_path: Path,
) -> None:
    by_env = resolve_connection(env={"HOGTREE_PROFILE": "eu"}, config_path=config_path)
    assert (by_env.profile, by_env.host, by_env.project_id) == ("eu", "https://eu.posthog.com", 222)
    by_flag = resolve_connection(
        profile="sandbox", env={"HOGTREE_PROFILE": "eu"}, config_path=config_path
    )
    assert by_flag.profile == "sandbox"
    assert by_flag.is_local
    assert by_flag.project_id == 2


def test_env_beats_the_profile_and_flags_beat_env(config_path: Path) -> None:
    env = {
        "POSTHOG_HOST": "https://posthog.example.com",
        "POSTHOG_PROJECT_ID": "7",
        "POSTHOG_PERSONAL_API_KEY": ENV_KEY,
    }
    from_env = resolve_connection(env=env, config_path=config_path)
    assert from_env.host == "https://posthog.example.com"
    assert from_env.project_id == 7
    assert from_env.api_key is not None
    assert from_env.api_key.get_secret_value() == ENV_KEY

    from_flags = resolve_connection(
        host="https://flag.example.com", project=9, env=env, config_path=config_path
    )
    assert from_flags.host == "https://flag.example.com"
    assert from_flags.project_id == 9
    assert from_flags.api_key is not None
    assert from_flags.api_key.get_secret_value() == ENV_KEY


def test_each_setting_falls_through_on_its_own(config_path: Path) -> None:
    connection = resolve_connection(env={"POSTHOG_PROJECT_ID": "5"}, config_path=config_path)
    assert connection.host == "https://us.posthog.com"  # from the profile
    assert connection.project_id == 5  # from the environment
    assert connection.api_key is not None
    assert connection.api_key.get_secret_value() == US_KEY  # from the profile


def test_an_empty_env_var_counts_as_unset(config_path: Path) -> None:
    connection = resolve_connection(
        env={"POSTHOG_HOST": "", "POSTHOG_PROJECT_ID": "", "POSTHOG_PERSONAL_API_KEY": ""},
        config_path=config_path,
    )
    assert connection.host == "https://us.posthog.com"
    assert connection.project_id == 111


def test_a_profiles_key_never_travels_to_another_host(config_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        resolve_connection(host="https://evil.example.com", env={}, config_path=config_path)
    message = str(caught.value)
    assert "no API key for https://evil.example.com" in message
    assert US_KEY not in message
    # The same host spelt with a trailing slash is still the profile's host.
    same = resolve_connection(host="https://us.posthog.com/", env={}, config_path=config_path)
    assert same.api_key is not None


def test_missing_key_names_the_env_var_and_the_profile(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[profiles.x]\nhost = "https://us.posthog.com"\nproject = 1\n')
    with pytest.raises(ConfigError) as caught:
        resolve_connection(profile="x", env={}, config_path=path)
    assert str(caught.value) == (
        "no API key: set POSTHOG_PERSONAL_API_KEY or api_key in profile 'x'"
    )


def test_missing_key_without_a_profile(missing_config: Path) -> None:
    with pytest.raises(ConfigError, match="no API key: set POSTHOG_PERSONAL_API_KEY") as caught:
        resolve_connection(
            host="https://us.posthog.com", project=1, env={}, config_path=missing_config
        )
    assert "\n" not in str(caught.value)


def test_missing_project_for_a_remote_host(missing_config: Path) -> None:
    with pytest.raises(ConfigError, match=r"no project for https://us\.posthog\.com") as caught:
        resolve_connection(
            host="https://us.posthog.com",
            env={"POSTHOG_PERSONAL_API_KEY": ENV_KEY},
            config_path=missing_config,
        )
    assert "POSTHOG_PROJECT_ID" in str(caught.value)


@pytest.mark.parametrize("project", ["abc", "12.5", "-3", "0"])
def test_a_non_numeric_project_is_refused(missing_config: Path, project: str) -> None:
    with pytest.raises(ConfigError, match="project must be a"):
        resolve_connection(
            env={
                "POSTHOG_HOST": "https://us.posthog.com",
                "POSTHOG_PROJECT_ID": project,
                "POSTHOG_PERSONAL_API_KEY": ENV_KEY,
            },
            config_path=missing_config,
        )


def test_unknown_profile(config_path: Path, missing_config: Path) -> None:
    with pytest.raises(ConfigError, match=r"unknown profile 'nope' \(known: eu, sandbox, us\)"):
        resolve_connection(profile="nope", env={}, config_path=config_path)
    with pytest.raises(ConfigError, match="unknown profile 'nope': no profiles in"):
        resolve_connection(profile="nope", env={}, config_path=missing_config)


def test_unknown_default_profile(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('default_profile = "gone"\n[profiles.here]\nproject = 1\n')
    with pytest.raises(ConfigError, match="unknown profile 'gone'"):
        resolve_connection(env={}, config_path=path)


def test_a_misspelt_setting_is_named(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[profiles.x]\nhost = "https://us.posthog.com"\nprojet = 1\n')
    with pytest.raises(ConfigError, match="unknown setting 'projet'"):
        resolve_connection(profile="x", env={}, config_path=path)


def test_a_boolean_project_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[profiles.x]\nproject = true\n")
    with pytest.raises(ConfigError, match="project must be a number"):
        resolve_connection(profile="x", env={}, config_path=path)


def test_broken_toml_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[profiles.x\nhost = 1")
    with pytest.raises(ConfigError, match="is not valid TOML") as caught:
        resolve_connection(env={}, config_path=path)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize("host", ["us.posthog.com", "ftp://us.posthog.com", "https://"])
def test_a_host_must_be_an_http_url(missing_config: Path, host: str) -> None:
    with pytest.raises(ConfigError, match="host"):
        resolve_connection(host=host, project=1, env={}, config_path=missing_config)


def test_the_key_is_masked_in_repr(config_path: Path) -> None:
    connection = resolve_connection(env={}, config_path=config_path)
    assert US_KEY not in repr(connection)
    assert US_KEY not in str(connection)


def test_the_config_file_location(tmp_path: Path) -> None:
    assert default_config_path({}).name == "config.toml"
    assert "hogtree" in str(default_config_path({}))
    elsewhere = tmp_path / "other.toml"
    elsewhere.write_text("[profiles.only]\nproject = 4\n")
    connection = resolve_connection(
        profile="only", env={"HOGTREE_CONFIG": str(elsewhere)}, config_path=None
    )
    assert connection.project_id == 4


def test_keys_table_remaps_bindings_by_id(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[keys]\nrename = "f2"\ndelete = "d,shift+delete"\n')
    assert dict(load_config(path).keys) == {"rename": "f2", "delete": "d,shift+delete"}


def test_keys_table_must_map_ids_to_strings(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[keys]\nrename = 2\n")
    with pytest.raises(ConfigError, match=r"\[keys\] maps a binding id to keys"):
        load_config(path)
