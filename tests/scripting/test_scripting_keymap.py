"""A mistake in ``[keys]`` stops ``hogtree`` before the app starts, saying where it is."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.scripting_helpers import command, environment, run

# No server needed: the keymap is checked before anything connects.
NOWHERE = ("--host", "http://127.0.0.1:9", "--project", "1")


def start_with(tmp_path: Path, config: str) -> tuple[int, str, Path]:
    env = environment(tmp_path)
    path = tmp_path / "config.toml"
    path.write_text(config, encoding="utf-8")
    env["HOGTREE_CONFIG"] = str(path)
    result = run(command(*NOWHERE), env)
    assert "Traceback" not in result.err
    return result.code, result.err, path


def test_an_unknown_binding_id_stops_start_up_naming_the_line(tmp_path: Path) -> None:
    code, err, path = start_with(tmp_path, '# mine\n[keys]\nmove = "M"\nrenam = "f2"\n')
    assert code == 2
    assert f"config file {path}, line 4" in err
    assert "'renam'" in err and "did you mean 'rename'" in err


def test_a_key_taken_from_another_binding_stops_start_up(tmp_path: Path) -> None:
    code, err, path = start_with(tmp_path, '[keys]\nrename = "n"\n')
    assert code == 2
    assert f"config file {path}, line 2" in err
    assert "takes n from new_folder (New)" in err and "remap new_folder too" in err


@pytest.mark.parametrize(
    "config",
    [
        '[keys]\nrename = "n"\nnew_folder = "N"\n',  # New folder moves away: n is free
        '[keys]\nevents_tail = "n"\n',  # the Events tab's keys are a scope of their own
    ],
)
def test_a_keymap_without_mistakes_is_not_refused(tmp_path: Path, config: str) -> None:
    from tui.app.keymap_check import checked_keymap
    from tui.config import load_config

    path = tmp_path / "config.toml"
    path.write_text(config, encoding="utf-8")
    assert checked_keymap(load_config(path))


def test_a_modal_screens_keys_are_their_own_scope(tmp_path: Path) -> None:
    code, err, _ = start_with(tmp_path, '[keys]\nconfirm_yes = "n"\n')
    assert code == 2 and "takes n from confirm_no (No) in the confirm dialog" in err
