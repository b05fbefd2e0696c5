"""``pyarrow.table(keyrot.stream(path))`` against ``keyrot.analyze(path)``
(judging alone), ``pyarrow.table(keyrot.analyze(path))`` and pyarrow's
``read_csv``, interleaved, on bench.py's report (run bench.py once first).

    python python/bench/stream.py [--rows 1000000] [--repeat 5]

Timings are printed, not asserted.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time

import pandas as pd
import pyarrow as pa

import keyrot
from bench import AS_OF, ensure_report

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--rows", type=int, default=1_000_000)
parser.add_argument("--repeat", type=int, default=5)
args = parser.parse_args()
path = ensure_report(args.rows)
variants = {
    "keyrot.analyze(path)": lambda: len(keyrot.analyze(path, as_of=AS_OF)),
    "pyarrow.table(keyrot.stream(path))": lambda: pa.table(keyrot.stream(path, as_of=AS_OF)).num_rows,
    "pyarrow.table(keyrot.analyze(path))": lambda: pa.table(keyrot.analyze(path, as_of=AS_OF)).num_rows,
    'pandas.read_csv(engine="pyarrow", dtype=str)': lambda: len(pd.read_csv(path, engine="pyarrow", dtype=str)),
}
times: dict[str, list[float]] = {name: [] for name in variants}
for _ in range(args.repeat):
    for name, run in variants.items():
        gc.collect()
        start = time.perf_counter()
        run()
        times[name].append(time.perf_counter() - start)
for name, values in times.items():
    print(f"{name:46} best {min(values):.3f} s, median {statistics.median(values):.3f} s")
