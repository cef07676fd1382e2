"""The server benchmarks (B2, B3, B4, B8, B10) still run: each at its smoke size, end to end
(seed, ``hogtree serve``, HTTP, the bare SQLite beside it). Figures are not judged here:
timings on a CI machine mean nothing; ``python -m benchmarks`` judges them."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks import (
    b2_children_page,
    b3_search_and_count,
    b4_move_folder,
    b8_events_page,
    b10_capture_ingest,
)
from benchmarks.harness import Figure, table

SERVER_SCENARIOS = (
    b2_children_page,
    b3_search_and_count,
    b4_move_folder,
    b8_events_page,
    b10_capture_ingest,
)


@pytest.fixture(scope="module", autouse=True)
def bench_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A cache of this run's own: the smoke database is seeded once, for all of them."""
    cache = tmp_path_factory.mktemp("bench-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOGTREE_BENCH_CACHE", str(cache))
        yield cache


@pytest.mark.parametrize("scenario", SERVER_SCENARIOS, ids=lambda m: m.SCENARIO)
def test_scenario_runs_and_reports_its_figures(scenario: object) -> None:
    figures: list[Figure] = scenario.run(smoke=True)  # type: ignore[attr-defined]
    own = [f for f in figures if f.scenario == scenario.SCENARIO]  # type: ignore[attr-defined]
    assert own, figures
    for figure in own:
        assert figure.value > 0 and math.isfinite(figure.value), figure
        assert figure.reference is not None and figure.reference > 0, figure
        assert figure.ratio == pytest.approx(figure.value / figure.reference), figure
        assert figure.target
    assert scenario.SCENARIO in table(figures)  # type: ignore[attr-defined]
