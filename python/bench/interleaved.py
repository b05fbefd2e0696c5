"""The best of three of ``analyze(path).to_pandas()``, ``.to_polars()``,
``analyze(path)`` and pyarrow's ``read_csv`` on the bench report, for one
build of keyrot: run it alternately with two builds to compare them in one
run, for example an older wheel unpacked with ``pip install --target``:

    PYTHONPATH=/tmp/old-keyrot python python/bench/interleaved.py old
    python python/bench/interleaved.py new

Reports timings only; asserts nothing.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Callable, Dict

import pandas as pd

import keyrot

REPORT = Path(__file__).resolve().parents[2] / "target" / "keyrot-bench" / "report-1000000.csv"
AS_OF = "2026-11-26T00:00:00Z"


def best(run: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
        del result
    return min(times)


def main() -> None:
    label = sys.argv[1] if len(sys.argv) > 1 else "this"
    if not REPORT.exists():
        raise SystemExit(f"{REPORT} is missing: run python/bench/bench.py once first")
    path = str(REPORT)
    results: Dict[str, float] = {
        "to_pandas": best(lambda: keyrot.analyze(path, as_of=AS_OF).to_pandas()),
        "to_polars": best(lambda: keyrot.analyze(path, as_of=AS_OF).to_polars()),
        "analyze": best(lambda: keyrot.analyze(path, as_of=AS_OF)),
        "read_csv_pyarrow": best(lambda: pd.read_csv(path, engine="pyarrow", dtype=str)),
    }
    cells = " ".join(f"{name}={seconds:.3f}" for name, seconds in results.items())
    print(f"{label} ({keyrot.__file__}): {cells}", flush=True)


if __name__ == "__main__":
    main()
