"""Equivalence check of the comparison harness.

Reads one tool's failing-keys CSV (any column order; extra columns such as
keyrot's are ignored), takes user, slot and age_days from every data row,
sorts them, and prints "COUNT SHA256" so that outputs in any row order and
any number format can be compared.

Usage: python normalize.py OUT.csv
"""

import csv
import hashlib
import sys


def main(path):
    with open(path, newline="") as src:
        rows = [(r["user"], int(r["slot"]), int(float(r["age_days"]))) for r in csv.DictReader(src)]
    rows.sort()
    digest = hashlib.sha256("\n".join(f"{u}\t{s}\t{d}" for u, s, d in rows).encode()).hexdigest()
    print(len(rows), digest)


if __name__ == "__main__":
    main(*sys.argv[1:])
