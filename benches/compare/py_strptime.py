"""Baseline: the standard library the way Prowler reads a credential report.

csv.DictReader over the file, datetime.strptime on each active key's
access_key_N_last_rotated (Prowler's literal "+00:00" format, then the newer
"Z" form AWS writes), the 90-day rule to the second, failing keys written as
user,slot,age_days.

Usage: python py_strptime.py REPORT OUT.csv [AS_OF]
"""

import csv
import sys
from datetime import datetime, timedelta, timezone

FORMATS = ("%Y-%m-%dT%H:%M:%S+00:00", "%Y-%m-%dT%H:%M:%SZ")
LIMIT = timedelta(days=90)
DAY = timedelta(days=1)


def rotated_at(text):
    """The timestamp in ``text`` as a naive UTC datetime, or None."""
    for fmt in FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            pass
    return None


def main(report, out, as_of="2026-11-26T00:00:00Z"):
    as_of = datetime.fromisoformat(as_of).astimezone(timezone.utc).replace(tzinfo=None)
    failing = 0
    with open(report, newline="") as src, open(out, "w", newline="") as dst:
        writer = csv.writer(dst)
        writer.writerow(["user", "slot", "age_days"])
        for row in csv.DictReader(src):
            for slot in ("1", "2"):
                if row[f"access_key_{slot}_active"] != "true":
                    continue
                rotated = rotated_at(row[f"access_key_{slot}_last_rotated"])
                if rotated is None:  # N/A, no_information
                    continue
                age = as_of - rotated
                if age > LIMIT:
                    writer.writerow([row["user"], slot, age // DAY])
                    failing += 1
    print(failing)


if __name__ == "__main__":
    main(*sys.argv[1:])
