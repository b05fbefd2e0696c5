"""Baseline: the standard library with datetime.fromisoformat.

csv.DictReader over the file, datetime.fromisoformat (Python 3.11 reads both
"Z" and "+00:00") on each active key's access_key_N_last_rotated, the 90-day
rule to the second, failing keys written as user,slot,age_days.

Usage: python py_fromisoformat.py REPORT OUT.csv [AS_OF]
"""

import csv
import sys
from datetime import datetime, timedelta

LIMIT = timedelta(days=90)
DAY = timedelta(days=1)


def main(report, out, as_of="2026-11-26T00:00:00Z"):
    as_of = datetime.fromisoformat(as_of)
    failing = 0
    with open(report, newline="") as src, open(out, "w", newline="") as dst:
        writer = csv.writer(dst)
        writer.writerow(["user", "slot", "age_days"])
        for row in csv.DictReader(src):
            for slot in ("1", "2"):
                if row[f"access_key_{slot}_active"] != "true":
                    continue
                try:
                    rotated = datetime.fromisoformat(row[f"access_key_{slot}_last_rotated"])
                except ValueError:  # N/A, no_information
                    continue
                age = as_of - rotated
                if age > LIMIT:
                    writer.writerow([row["user"], slot, age // DAY])
                    failing += 1
    print(failing)


if __name__ == "__main__":
    main(*sys.argv[1:])
