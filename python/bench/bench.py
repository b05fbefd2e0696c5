"""How long ``keyrot.analyze(path).to_pandas()`` takes on a large report,
against ``pandas.read_csv`` of the same file (C and pyarrow engines), and
``keyrot.analyze_many`` on the same rows cut into a folder of account
reports against ``keyrot.analyze`` of the one file, in one run, on one
machine.

    python python/bench/bench.py [--rows 1000000] [--repeat 5] [--files 200]

``keyrot.stream(path)`` (the record batches made while the report is read)
is timed beside them. The report is written by gen_report.py (deterministic) into
target/keyrot-bench/ (git-ignored) the first time. Each repeat runs every
variant once, in turn, so a busy machine slows them alike; the table gives
the best and the median time of each. The goals are keyrot at no more than
half the pyarrow engine's bare ``read_csv`` (which only parses: it judges
nothing), for ``to_pandas()`` and for ``polars.DataFrame(analysis)``
(through the Arrow C stream), and ``analyze_many`` on the folder at no more than 1.3 times
``analyze`` on the one file; the peak RSS of each of those two, each in a
process of its own, is reported too. Nothing here is asserted: timings are
reported, not tested.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Dict, List

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
AS_OF = "2026-11-26T00:00:00Z"


def ensure_report(rows: int) -> Path:
    path = REPO / "target" / "keyrot-bench" / f"report-{rows}.csv"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        sys.path.insert(0, str(HERE))
        import gen_report

        print(f"writing {path} ({rows} rows) ...", flush=True)
        tmp = path.with_suffix(".tmp")
        sys.argv = ["gen_report.py", str(tmp), "--rows", str(rows)]
        gen_report.main()
        tmp.rename(path)
    return path


def ensure_folder(report: Path, files: int) -> Path:
    """The report's rows cut, in order, into ``files`` reports with its
    header (one account each at 5,000 rows a report, as gen_report makes
    them)."""
    folder = report.parent / f"{report.stem}-in-{files}"
    if not (folder / ".done").exists():
        folder.mkdir(parents=True, exist_ok=True)
        with report.open("rb") as src:
            header = src.readline()
            rows = src.readlines()
        size = -(-len(rows) // files)
        for i in range(files):
            (folder / f"credentialReport_{i:05}.csv").write_bytes(header + b"".join(rows[i * size : (i + 1) * size]))
        (folder / ".done").write_text("")
    return folder


def peak_mib(code: str) -> float:
    """The peak RSS of a fresh Python process that runs ``code``, in MiB."""
    # VmHWM, the high-water mark of this process's own memory (ru_maxrss would
    # count the parent's, which Linux carries over the fork and the exec).
    report = "; print(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1])"
    done = subprocess.run([sys.executable, "-c", code + report], check=True, capture_output=True, text=True)
    return int(done.stdout.split()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--files", type=int, default=200, help="reports in the folder (0: no folder)")
    args = parser.parse_args()

    import pandas as pd
    import polars as pl
    import pyarrow

    import keyrot

    path = ensure_report(args.rows)
    size_mb = path.stat().st_size / 1e6
    folder = ensure_folder(path, args.files) if args.files else None
    reports = sorted(str(p) for p in folder.glob("*.csv")) if folder else []

    split: Dict[str, List[float]] = {"analyze": [], "to_pandas": []}

    def keyrot_pandas() -> int:
        t0 = time.perf_counter()
        analysis = keyrot.analyze(path, as_of=AS_OF)
        t1 = time.perf_counter()
        frame = analysis.to_pandas()
        t2 = time.perf_counter()
        split["analyze"].append(t1 - t0)
        split["to_pandas"].append(t2 - t1)
        return len(frame)

    def keyrot_polars() -> int:
        return len(keyrot.analyze(path, as_of=AS_OF).to_polars())

    def polars_stream() -> int:
        return len(pl.DataFrame(keyrot.analyze(path, as_of=AS_OF)))

    def stream_pandas() -> int:
        return len(keyrot.stream(path, as_of=AS_OF).to_pandas())

    def stream_polars() -> int:
        return len(pl.DataFrame(keyrot.stream(path, as_of=AS_OF)))

    def stream_arrow() -> int:
        return len(pyarrow.table(keyrot.stream(path, as_of=AS_OF)))

    def stream_folder() -> int:
        return len(pyarrow.table(keyrot.stream(reports, as_of=AS_OF)))

    def read_csv_c() -> int:
        return len(pd.read_csv(path, engine="c"))

    def read_csv_pyarrow() -> int:
        return len(pd.read_csv(path, engine="pyarrow", dtype=str))

    def keyrot_one() -> int:
        return len(keyrot.analyze(path, as_of=AS_OF))

    def keyrot_many() -> int:
        return len(keyrot.analyze_many(reports, as_of=AS_OF))

    variants: Dict[str, Callable[[], int]] = {
        "keyrot.analyze(path).to_pandas()": keyrot_pandas,
        "keyrot.analyze(path).to_polars()": keyrot_polars,
        "polars.DataFrame(keyrot.analyze(path))": polars_stream,
        "keyrot.stream(path).to_pandas()": stream_pandas,
        "polars.DataFrame(keyrot.stream(path))": stream_polars,
        "pyarrow.table(keyrot.stream(path))": stream_arrow,
        'pandas.read_csv(engine="c")': read_csv_c,
        'pandas.read_csv(engine="pyarrow", dtype=str)': read_csv_pyarrow,
    }
    many_name = f"keyrot.analyze_many(folder of {args.files})"
    if folder:
        variants["keyrot.analyze(path)"] = keyrot_one
        variants[many_name] = keyrot_many
        variants[f"pyarrow.table(keyrot.stream(folder of {args.files}))"] = stream_folder
    times: Dict[str, List[float]] = {name: [] for name in variants}
    cpu: Dict[str, List[float]] = {name: [] for name in variants}
    counts: Dict[str, int] = {}
    for _ in range(args.repeat):
        for name, run in variants.items():
            gc.collect()
            c0, t0 = time.process_time(), time.perf_counter()
            counts[name] = run()
            times[name].append(time.perf_counter() - t0)
            cpu[name].append(time.process_time() - c0)

    print(
        f"report: {path.relative_to(REPO)}, {args.rows} rows, {size_mb:.0f} MB; "
        f"{counts['keyrot.analyze(path).to_pandas()']} keys judged"
    )
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cpus, load average "
        f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}; Python {platform.python_version()}, "
        f"keyrot {keyrot.__version__}, pandas {pd.__version__}, pyarrow {pyarrow.__version__}, "
        f"polars {pl.__version__}"
    )
    print(f"seconds over {args.repeat} runs (CPU: this process's, all threads):")
    width = max(len(n) for n in variants)
    print(f"  {'':<{width}}  {'best':>7}  {'median':>7}  {'CPU med':>7}")
    for name in variants:
        print(
            f"  {name:<{width}}  {min(times[name]):7.3f}  {statistics.median(times[name]):7.3f}"
            f"  {statistics.median(cpu[name]):7.3f}"
        )
    for name, values in split.items():
        label = f"  (of which {name})"
        print(f"{label:<{width + 2}}  {min(values):7.3f}  {statistics.median(values):7.3f}")
    ours = min(times["keyrot.analyze(path).to_pandas()"])
    arrow = min(times['pandas.read_csv(engine="pyarrow", dtype=str)'])
    print(f"keyrot to_pandas / pyarrow read_csv (best): {ours / arrow:.2f} (goal: <= 0.50)")
    polars = min(times["polars.DataFrame(keyrot.analyze(path))"])
    print(f"polars.DataFrame(keyrot) / pyarrow read_csv (best): {polars / arrow:.2f} (goal: <= 0.50)")
    for name in ("keyrot.stream(path).to_pandas()", "polars.DataFrame(keyrot.stream(path))"):
        print(f"{name} / pyarrow read_csv (best): {min(times[name]) / arrow:.2f} (goal: <= 0.50)")
    judging = min(times["keyrot.analyze(path)"]) if folder else None
    if judging:
        streamed = min(times["pyarrow.table(keyrot.stream(path))"])
        print(f"pyarrow.table(keyrot.stream(path)) / keyrot.analyze(path) (best): {streamed / judging:.2f}")
    frames = f"import keyrot, polars, pandas; AS_OF = {AS_OF!r}; "
    pandas_mib = peak_mib(frames + f"keyrot.analyze({str(path)!r}, as_of=AS_OF).to_pandas()")
    polars_mib = peak_mib(frames + f"polars.DataFrame(keyrot.analyze({str(path)!r}, as_of=AS_OF))")
    csv_mib = peak_mib(frames + f"pandas.read_csv({str(path)!r}, engine='pyarrow', dtype=str)")
    stream_mib = peak_mib(frames + f"keyrot.stream({str(path)!r}, as_of=AS_OF).to_pandas()")
    print(
        f"peak RSS, a process each: analyze().to_pandas() {pandas_mib:.0f} MiB, "
        f"stream().to_pandas() {stream_mib:.0f} MiB, "
        f"polars.DataFrame(analyze()) {polars_mib:.0f} MiB, pyarrow read_csv {csv_mib:.0f} MiB"
    )
    if folder:
        assert counts[many_name] == counts["keyrot.analyze(path)"], "the folder holds the same keys"
        one, many = min(times["keyrot.analyze(path)"]), min(times[many_name])
        print(f"analyze_many on the folder / analyze on the one file (best): {many / one:.2f} (goal: <= 1.30)")
        setup = f"import keyrot, glob; AS_OF = {AS_OF!r}; "
        one_mib = peak_mib(setup + f"keyrot.analyze({str(path)!r}, as_of=AS_OF)")
        many_mib = peak_mib(setup + f"keyrot.analyze_many(sorted(glob.glob({str(folder)!r} + '/*.csv')), as_of=AS_OF)")
        print(f"peak RSS, a process each: analyze {one_mib:.0f} MiB, analyze_many on the folder {many_mib:.0f} MiB")


if __name__ == "__main__":
    main()
