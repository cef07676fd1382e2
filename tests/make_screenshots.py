"""Regenerate the pictures in screenshots/ from the app itself:

    python tests/make_screenshots.py [OUT_DIR]

Each picture is the app on a local server over the fixed picture project
(tests/support/snapshot_data.py), after the same steps as the snapshot tests, so the SVGs only
change when the app's look does.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

from support import ADMIN_KEY, running_server, server_settings
from support.app_harness import new_app
from support.snapshot_data import SCENES, build_database, utc_clock

REPOSITORY = Path(__file__).resolve().parent.parent

# file name (without .svg) → (scene, terminal size)
SHOTS: dict[str, tuple[str, tuple[int, int]]] = {
    "main": ("main", (120, 40)),
    "gap-row": ("gap-row", (120, 40)),
    "search": ("search", (120, 40)),
    "move": ("move", (120, 40)),
    "delete": ("delete", (120, 40)),
    "delete-several": ("delete-several", (120, 40)),
    "help": ("help", (120, 40)),
    "messages": ("messages", (120, 40)),
    "shortcuts-recent": ("sections", (120, 40)),
    "projects": ("projects", (120, 40)),
    "main-80x24": ("main", (80, 24)),
    "shortcuts-recent-80x24": ("sections", (80, 24)),
    "messages-60x15": ("messages", (60, 15)),
}


def _stable_ids(svg: str, name: str) -> str:
    """Rich names the SVG's styles with a random number; a fixed one per picture keeps an
    unchanged picture byte for byte the same."""
    return re.sub(r"\bterminal-\d+-", f"terminal-{zlib.crc32(name.encode())}-", svg)


async def shoot(url: str, scene: str, size: tuple[int, int]) -> str:
    app = new_app(url, ADMIN_KEY)
    async with app.run_test(size=size) as pilot:
        await SCENES[scene](pilot)
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()
        return app.export_screenshot(title="hogtree", simplify=True)


async def shoot_all(url: str, out_dir: Path) -> list[Path]:
    written = []
    for name, (scene, size) in SHOTS.items():
        path = out_dir / f"{name}.svg"
        path.write_text(_stable_ids(await shoot(url, scene, size), name), encoding="utf-8")
        written.append(path)
    return written


# The side pane's tabs are pictured by their own snapshot tests, each on data of its own
# (exports with fixed dates, events at fixed times): re-accept those pictures, then copy
# them here. file name → (test selector, the accepted picture it writes).
TAB_SHOTS: dict[str, tuple[str, str]] = {
    "exports": (
        "tests/app/test_app_exports_snapshots.py::test_exports_tab",
        "tests/app/__snapshots__/test_app_exports_snapshots/test_exports_tab[120x40].svg",
    ),
    "events": (
        "tests/app/test_app_events_tab.py::test_events_tab_picture",
        "tests/app/__snapshots__/test_app_events_tab/test_events_tab_picture[120x40].svg",
    ),
}


def shoot_tabs(out_dir: Path) -> list[Path]:
    selectors = [selector for selector, _ in TAB_SHOTS.values()]
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-n", "0", "--snapshot-update", *selectors],
        cwd=REPOSITORY,
        check=True,
    )
    written = []
    for name, (_, accepted) in TAB_SHOTS.items():
        path = out_dir / f"{name}.svg"
        shutil.copyfile(REPOSITORY / accepted, path)
        written.append(path)
    return written


def main(argv: list[str]) -> int:
    out_dir = Path(argv[1]) if len(argv) > 1 else REPOSITORY / "screenshots"
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, utc_clock():
        settings = server_settings(build_database(Path(tmp) / "pictures.sqlite3"), "empty")
        with running_server(settings, wait=True) as server:
            written = asyncio.run(shoot_all(server.url, out_dir))
    written += shoot_tabs(out_dir)
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
