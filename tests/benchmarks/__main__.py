"""Run the benchmarks: ``python -m benchmarks`` from ``tests/`` (see the README)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from benchmarks.harness import discover, table, write_json


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--only", default="", help="comma list of scenarios, e.g. B2,B3")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: does it still run?")
    parser.add_argument("--json", type=Path, help="also write the figures here as JSON")
    args = parser.parse_args()
    figures = []
    for module in discover([s for s in args.only.split(",") if s]):
        print(f"{module.SCENARIO}: {module.TITLE} …", file=sys.stderr, flush=True)
        figures.extend(module.run(smoke=args.smoke))
    print(table(figures))
    if args.json:
        write_json(figures, args.json)
    return 0 if all(f.passed for f in figures) or args.smoke else 1


if __name__ == "__main__":
    sys.exit(main())
