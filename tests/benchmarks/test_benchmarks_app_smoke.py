"""The app benchmarks (B1, B5, B6, B7) still run: each at its smoke size, no timing asserted.

The figures themselves come from ``cd tests && python -m benchmarks`` (see the README);
here only that every scenario drives the real app to the end and reports its figures.
"""

from __future__ import annotations

import math

import pytest

from benchmarks import b1_expand_big_folder, b5_cold_start, b6_event_loop_stalls, b7_request_economy
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
    if scenario is b7_request_economy:
        # Request counts have no clock in them: they are exact even in CI.
        by_name = {f.name: f for f in figures}
        marked = b7_request_economy.SMOKE_MARKED
        assert by_name["open + 3 pages: requests per page"].value == 1
        assert by_name[f"mark {marked}: requests"].value == 0
        assert by_name[f"move {marked} marked: requests (reloads apart)"].value == marked
        assert by_name[f"move {marked} marked: reloads"].value == 2
