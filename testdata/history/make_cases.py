"""Writes the reports of the golden history cases (testdata/history/<case>/reports/).

Each case is a few reports of the same accounts, a week or so apart, built
from the rows below so that the situation each case names is easy to read
here. Run from anywhere: `python3 testdata/history/make_cases.py`; then
`UPDATE_GOLDEN=1 cargo test -p keyrot --test history` writes expected.json.
The options.json files are written by hand and kept.
"""

import base64
import json
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEADER = (
    "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,"
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date"
)
NONE = ("false", "N/A", "N/A")


def key(active, created, used="N/A"):
    return ("true" if active else "false", created, used)


def row(account, user, k1=NONE, k2=NONE):
    return ",".join([user, f"arn:aws:iam::{account}:user/{user}", *k1, *k2])


def csv(rows):
    return HEADER + "\n" + "\n".join(rows) + "\n"


def write(case, reports, cli_json=False):
    """reports: {file name: (rows, GeneratedTime or None)}"""
    folder = HERE / case / "reports"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for name, (rows, generated) in reports.items():
        text = csv(rows)
        if cli_json:
            content = base64.b64encode(text.encode()).decode()
            text = json.dumps({"Content": content, "ReportFormat": "text/csv", "GeneratedTime": generated}, indent=4) + "\n"
        (folder / name).write_text(text)


A = "111111111111"
B = "222222222222"

# One rotation through each step the plan names on its way: schedule it,
# create the second key, deactivate the old key once nothing uses it, wait,
# delete it. bob's key is fresh throughout.
old, new = "2026-01-01T00:00:00Z", "2026-04-08T21:00:00Z"
bob = row(A, "bob", key(True, "2026-03-01T00:00:00Z", "2026-04-20T00:00:00Z"))
write("clean_rotation_every_step", {
    "acct-2026-03-26.csv": ([row(A, "alice", key(True, old, "2026-03-25T10:00:00Z")), bob], None),
    "acct-2026-04-02.csv": ([row(A, "alice", key(True, old, "2026-04-01T10:00:00Z")), bob], None),
    "acct-2026-04-09.csv": ([row(A, "alice", key(True, old, "2026-04-08T20:00:00Z"), key(True, new, "2026-04-09T08:00:00Z")), bob], None),
    "acct-2026-04-13.csv": ([row(A, "alice", key(True, new, "2026-04-12T08:00:00Z"), key(False, old, "2026-04-08T20:00:00Z")), bob], None),
    "acct-2026-04-20.csv": ([row(A, "alice", key(True, new, "2026-04-19T08:00:00Z"), key(False, old, "2026-04-08T20:00:00Z")), bob], None),
    "acct-2026-04-27.csv": ([row(A, "alice", key(True, new, "2026-04-26T08:00:00Z")), bob], None),
})

# The second key was made on 2026-05-02, but the old one is still in use a
# month later: update_applications in every report.
old, new = "2026-01-01T00:00:00Z", "2026-05-02T09:00:00Z"
write("rotation_stalled_at_second_key", {
    f"ci-{day}.csv": ([row(A, "ci", key(True, old, used), key(True, new, "2026-05-03T00:00:00Z"))], None)
    for day, used in [
        ("2026-05-04", "2026-05-03T12:00:00Z"),
        ("2026-05-11", "2026-05-10T12:00:00Z"),
        ("2026-05-18", "2026-05-17T12:00:00Z"),
        ("2026-05-25", "2026-05-24T12:00:00Z"),
        ("2026-06-01", "2026-05-31T12:00:00Z"),
    ]
})

# An overdue key nothing uses: deactivated, then deleted two reports
# later. The reports are the AWS CLI's JSON, each with its GeneratedTime.
svc = "2025-12-01T00:00:00Z"
write("key_deactivated_then_deleted", {
    "week-1.json": ([row(A, "svc", key(True, svc, "2025-12-15T08:00:00Z"))], "2026-04-01T10:00:00Z"),
    "week-2.json": ([row(A, "svc", key(False, svc, "2025-12-15T08:00:00Z"))], "2026-04-08T10:00:00Z"),
    "week-3.json": ([row(A, "svc", key(False, svc, "2025-12-15T08:00:00Z"))], "2026-04-15T10:00:00Z"),
    "week-4.json": ([row(A, "svc")], "2026-04-22T10:00:00Z"),
}, cli_json=True)

# Between two reports dev's overdue key was deleted and a newer one made: a
# rotation. qa's newer key was deleted and its older one kept: not one.
write("key_deleted_and_replaced", {
    "r1.csv": ([
        row(A, "dev", key(True, "2026-02-01T00:00:00Z", "2026-05-31T00:00:00Z")),
        row(A, "qa", key(True, "2026-01-10T00:00:00Z", "2026-05-30T00:00:00Z"), key(True, "2026-05-20T00:00:00Z", "N/A")),
    ], None),
    "r2.csv": ([
        row(A, "dev", key(True, "2026-06-05T00:00:00Z", "2026-06-07T00:00:00Z")),
        row(A, "qa", key(True, "2026-01-10T00:00:00Z", "2026-06-07T00:00:00Z")),
    ], None),
})

# A user deleted with its overdue key, under two rules.
write("user_deleted", {
    "r1.csv": ([
        row(A, "temp", key(True, "2026-03-01T00:00:00Z", "2026-06-30T00:00:00Z")),
        row(A, "keep", key(True, "2026-06-01T00:00:00Z", "2026-06-30T00:00:00Z")),
    ], None),
    "r2.csv": ([row(A, "keep", key(True, "2026-06-01T00:00:00Z", "2026-07-07T00:00:00Z"))], None),
})

# Overdue in three reports, then made inactive: 18 days overdue at least
# (the last report that showed it overdue), 25 at most (the first that did not).
legacy = "2026-01-01T00:00:00Z"
write("overdue_three_reports_then_fixed", {
    "legacy-2026-04-05.csv": ([row(A, "legacy", key(True, legacy, "2026-04-04T00:00:00Z"))], None),
    "legacy-2026-04-12.csv": ([row(A, "legacy", key(True, legacy, "2026-04-11T00:00:00Z"))], None),
    "legacy-2026-04-19.csv": ([row(A, "legacy", key(True, legacy, "2026-04-18T00:00:00Z"))], None),
    "legacy-2026-04-26.csv": ([row(A, "legacy", key(False, legacy, "2026-04-18T00:00:00Z"))], None),
})

# Account B's reports start a week after A's: its first report is its
# baseline, and the overall trend counts it from then on.
write("account_added_midway", {
    f"{acct}-{day}.csv": (rows, None)
    for acct, day, rows in [
        ("a", "2026-08-01", [row(A, "app", key(True, "2026-07-01T00:00:00Z", "2026-07-31T00:00:00Z"))]),
        ("a", "2026-08-08", [row(A, "app", key(True, "2026-07-01T00:00:00Z", "2026-08-07T00:00:00Z"))]),
        ("a", "2026-08-15", [row(A, "app", key(True, "2026-07-01T00:00:00Z", "2026-08-14T00:00:00Z"))]),
        ("b", "2026-08-08", [row(B, "etl", key(True, "2026-03-01T00:00:00Z", "2026-08-07T00:00:00Z"))]),
        ("b", "2026-08-15", [row(B, "etl", key(True, "2026-03-01T00:00:00Z", "2026-08-14T00:00:00Z"), key(True, "2026-08-10T00:00:00Z", "2026-08-14T00:00:00Z"))]),
    ]
})

# Two reports of one account given the same time.
same = [row(A, "app", key(True, "2026-07-01T00:00:00Z", "2026-07-31T00:00:00Z"))]
write("two_reports_same_time", {"first.csv": (same, None), "second.csv": (same, None)})

# A report with no time of its own and none given.
write("report_without_time", {"dated-2026-08-01.csv": (same, None), "undated.csv": (same, None)})
