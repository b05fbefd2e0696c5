"""The notebook view (``_repr_html_``): verdict, counts, findings by
severity, and every value from the report escaped."""

from __future__ import annotations

import re

import keyrot
from conftest import AS_OF, REFERENCE, report, row


def test_html_shows_verdict_counts_and_findings_by_severity() -> None:
    html = keyrot.analyze(REFERENCE / "input.csv", as_of=AS_OF)._repr_html_()
    assert "NOT compliant" in html
    assert "6 access keys of 6 users in 1 account<" in html
    assert "as of 2026-11-26T00:00:00Z (explicit)" in html
    for status, count in {"fail": 2, "invalid": 2, "due_soon": 1, "pass": 0, "inactive": 1}.items():
        assert re.search(rf">{status}</span>&nbsp;{count}\b", html), status
    # Most severe first: the failing users before the due_soon one.
    users = re.findall(r"<td style=\"text-align:left;[^\"]*\">([a-z0-9-]+)</td>", html)
    order = [u for u in users if u in {"over-by-1s", "never-used", "active-no-date", "exactly-90d", "inactive-old"}]
    assert order == ["over-by-1s", "never-used", "active-no-date", "exactly-90d", "inactive-old"]
    assert "as_of_before_report" in html  # the anomaly
    assert "background:#f8d0cd" in html  # a fail row's colour
    assert ">2026-08-27 23:59:59<" in html  # to the second: the boundary shows


def test_compliant_report() -> None:
    html = keyrot.analyze(report(row("a", key1="true,2026-11-01T00:00:00Z,N/A,N/A,N/A")), as_of=AS_OF)._repr_html_()
    assert ">compliant</b>" in html and "NOT" not in html


def test_everything_from_the_file_is_escaped() -> None:
    evil_user = "<img src=x onerror=alert(1)>"
    evil_service = "<script>alert('s')</script>"
    text = report(row(evil_user, key1=f"true,2026-01-01T00:00:00Z,2026-02-01T00:00:00Z,us-east-1,{evil_service}"))
    analysis = keyrot.analyze(text, as_of=AS_OF)
    html = analysis._repr_html_()
    assert "<img" not in html and "<script" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    # An anomaly quoting the value is escaped too.
    dup = keyrot.analyze(report(row(evil_user), row(evil_user.upper())), as_of=AS_OF)
    assert any(a.code == "duplicate_user" for a in dup.anomalies)
    assert "<img" not in dup._repr_html_() and "<IMG" not in dup._repr_html_()


def test_long_reports_are_cut() -> None:
    rows = [row(f"user{i}", key1="true,2026-01-01T00:00:00Z,N/A,N/A,N/A") for i in range(60)]
    html = keyrot.analyze(report(*rows), as_of=AS_OF)._repr_html_()
    assert "showing 50 of 60 keys" in html
    assert html.count("<tr style=") == 50
