"""Baseline: DuckDB SQL over read_csv with typed columns.

Declares the report's 22 columns (the key columns as BOOLEAN and
TIMESTAMPTZ, "N/A" as NULL; DuckDB reads both "Z" and "+00:00"), selects
active keys older than exactly 90 days, and COPYs user,slot,age_days to a
CSV file. DuckDB uses every core.

For a folder of reports, reads them all with one glob (FOLDER/*.csv).

Usage: python duckdb_rule.py REPORT|FOLDER OUT.csv [AS_OF]
"""

import os
import sys

import duckdb

HEADER = (
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
    "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
    "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
    "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,"
    "cert_2_active,cert_2_last_rotated"
).split(",")
TYPED = {
    "access_key_1_active": "BOOLEAN",
    "access_key_1_last_rotated": "TIMESTAMPTZ",
    "access_key_2_active": "BOOLEAN",
    "access_key_2_last_rotated": "TIMESTAMPTZ",
}


def quote(text):
    return "'" + text.replace("'", "''") + "'"


def main(report, out, as_of="2026-11-26T00:00:00Z"):
    if os.path.isdir(report):
        report = os.path.join(report, "*.csv")
    columns = "{" + ", ".join(f"{quote(c)}: {quote(TYPED.get(c, 'VARCHAR'))}" for c in HEADER) + "}"
    slots = " UNION ALL ".join(
        f"""SELECT "user", {n} AS slot, epoch(TIMESTAMPTZ {quote(as_of)}) - epoch(access_key_{n}_last_rotated) AS age
            FROM report WHERE access_key_{n}_active AND access_key_{n}_last_rotated IS NOT NULL"""
        for n in (1, 2)
    )
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(
        f"""CREATE VIEW report AS SELECT * FROM read_csv({quote(report)}, header = true,
            columns = {columns}, nullstr = 'N/A', auto_detect = false)"""
    )
    con.execute(
        f"""COPY (SELECT "user", slot, CAST(floor(age / 86400) AS BIGINT) AS age_days
            FROM ({slots}) WHERE age > {90 * 86_400}) TO {quote(out)} (HEADER, DELIMITER ',')"""
    )
    print(con.execute(f"SELECT count(*) FROM read_csv({quote(out)})").fetchone()[0])


if __name__ == "__main__":
    main(*sys.argv[1:])
