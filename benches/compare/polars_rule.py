"""Baseline: polars.scan_csv and the rule as lazy expressions.

Scans the report with every column as a string (the streaming engine reads
only the five columns the rule needs), parses each slot's
access_key_N_last_rotated with str.to_datetime (both "Z" and "+00:00"; "N/A"
becomes null), keeps active keys older than exactly 90 days, and sinks
user,slot,age_days to a CSV file.

For a folder of reports, scans them all with one glob (FOLDER/*.csv).

Usage: python polars_rule.py REPORT|FOLDER OUT.csv [AS_OF]
"""

import os
import sys
from datetime import datetime

import polars as pl

LIMIT_S = 90 * 86_400


def main(report, out, as_of="2026-11-26T00:00:00Z"):
    as_of = datetime.fromisoformat(as_of)
    if os.path.isdir(report):
        report = os.path.join(report, "*.csv")
    scan = pl.scan_csv(report, infer_schema=False)
    parts = []
    for slot in (1, 2):
        rotated = pl.col(f"access_key_{slot}_last_rotated").str.to_datetime(
            "%Y-%m-%dT%H:%M:%S%#z", time_zone="UTC", strict=False
        )
        age_s = (pl.lit(as_of) - rotated).dt.total_seconds()
        parts.append(
            scan.filter((pl.col(f"access_key_{slot}_active") == "true") & (age_s > LIMIT_S)).select(
                pl.col("user"), pl.lit(slot).alias("slot"), (age_s // 86_400).alias("age_days")
            )
        )
    pl.concat(parts).sink_csv(out)
    print(pl.scan_csv(out).select(pl.len()).collect().item())


if __name__ == "__main__":
    main(*sys.argv[1:])
