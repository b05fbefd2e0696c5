"""Baseline: pandas.read_csv (C or pyarrow engine) and the rule vectorised.

Reads the five columns the rule needs as strings, converts each slot's
access_key_N_last_rotated with to_datetime(format="ISO8601", utc=True) (both
"Z" and "+00:00"; "N/A" becomes NaT), keeps active keys older than exactly 90
days, and writes user,slot,age_days.

Usage: python pandas_rule.py {c|pyarrow} REPORT OUT.csv [AS_OF]
"""

import sys

import pandas as pd

LIMIT = pd.Timedelta(days=90)
DAY = pd.Timedelta(days=1)


def main(engine, report, out, as_of="2026-11-26T00:00:00Z"):
    as_of = pd.Timestamp(as_of)
    columns = ["user"] + [f"access_key_{n}_{c}" for n in (1, 2) for c in ("active", "last_rotated")]
    frame = pd.read_csv(report, engine=engine, usecols=columns, dtype=str)
    parts = []
    for slot in (1, 2):
        rotated = pd.to_datetime(frame[f"access_key_{slot}_last_rotated"], format="ISO8601", utc=True, errors="coerce")
        age = as_of - rotated
        fails = (frame[f"access_key_{slot}_active"] == "true") & (age > LIMIT)
        parts.append(pd.DataFrame({"user": frame["user"][fails], "slot": slot, "age_days": age[fails] // DAY}))
    result = pd.concat(parts, ignore_index=True)
    result.to_csv(out, index=False)
    print(len(result))


if __name__ == "__main__":
    main(*sys.argv[1:])
