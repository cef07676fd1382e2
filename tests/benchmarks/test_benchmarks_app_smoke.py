"""The app benchmarks (B1, B5, B6, B7, B9) still run: each at its smoke size, no timing asserted.

The figures themselves come from ``cd tests && python -m benchmarks`` (see the README);
here only that every scenario drives the real app to the end and reports its figures.
"""

from __future__ import annotations

import math

import pytest

from benchmarks import (
    b1_expand_big_folder,
    b5_cold_start,
    b6_event_loop_stalls,
    b7_request_economy,
    b9_getting_to_an_entry,
)
from benchmarks.harness import Figure


@pytest.mark.parametrize(
    "scenario",
    [b1_expand_big_folder, b5_cold_start, b6_event_loop_stalls, b7_request_economy],
    ids=lambda module: module.SCENARIO,
)
def test_scenario_runs_at_smoke_size(scenario: object) -> None:
    figures: list[Figure] = scenario.run(smoke=True)  # type: ignore[attr-defined]
    assert figures
    for figure in figures:
        assert figure.scenario == scenario.SCENARIO  # type: ignore[attr-defined]
        assert math.isfinite(figure.value) and figure.value >= 0, figure
    if scenario is b5_cold_start:
        # Both ways hogtree starts, each beside its own runs of the reference.
        names = [f.name for f in figures]
        assert names == [b5_cold_start.EMBEDDED_FIGURE, b5_cold_start.REMOTE_FIGURE], names
        assert all(f.reference is not None and f.reference > 0 for f in figures), figures
    if scenario is b7_request_economy:
        # Request counts have no clock in them: they are exact even in CI.
        by_name = {f.name: f for f in figures}
        marked = b7_request_economy.SMOKE_MARKED
        assert by_name["open + 3 pages: requests per page"].value == 1
        assert by_name[f"mark {marked}: requests"].value == 0
        assert by_name[f"move {marked} marked: requests (reloads apart)"].value == marked
        assert by_name[f"move {marked} marked: reloads"].value == 2


def test_b9_runs_at_smoke_size() -> None:
    """B9 drives search → enter, G and the jumps to the end, and reports every figure; whether
    the app gets there in time (today's G does not: it stops a page on) is for the real run.
    Its memory figure may be negative (RSS can shrink), so it is only finite here."""
    figures = b9_getting_to_an_entry.run(smoke=True)
    names = [f.name for f in figures]
    assert len(figures) == 6, names
    assert all(f.scenario == "B9" and math.isfinite(f.value) for f in figures), figures
    timed = [f for f in figures if f.unit == "ms"]
    requests = [f for f in figures if f.unit == "req"]
    assert len(timed) == 3 and len(requests) == 2, names
    assert all(f.value >= 0 for f in timed), timed
    assert all(f.value == int(f.value) and f.value >= 0 for f in requests), requests
    assert any(f.unit == "MB" for f in figures), names
