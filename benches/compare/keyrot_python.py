"""Runs keyrot's Python binding: keyrot.analyze(path, as_of=...).failing()
(for a folder, keyrot.analyze_many over its reports), written as
user,slot,age_days. Needs an importable keyrot: run.sh copies the package
from a venv that has it (.venv or python/.venv) and puts the copy on
PYTHONPATH.

Usage: python keyrot_python.py REPORT|FOLDER OUT.csv [AS_OF]
"""

import csv
import os
import sys

import keyrot


def main(report, out, as_of="2026-11-26T00:00:00Z"):
    if os.path.isdir(report):
        paths = sorted(os.path.join(report, name) for name in os.listdir(report) if name.endswith(".csv"))
        failing = keyrot.analyze_many(paths, as_of=as_of).failing()
    else:
        failing = keyrot.analyze(report, as_of=as_of).failing()
    with open(out, "w", newline="") as dst:
        writer = csv.writer(dst)
        writer.writerow(["user", "slot", "age_days"])
        writer.writerows((f.user, f.slot, f.age_days) for f in failing)
    print(len(failing))


if __name__ == "__main__":
    main(*sys.argv[1:])
