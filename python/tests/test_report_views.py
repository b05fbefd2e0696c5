"""What a person sees from Python, each made by the core: the age chart
(``age_chart()``, ``plot()`` and the SVG of ``_repr_html_``, in the buckets
of the page and the HTML report), the HTML report (``to_html()``, byte for
byte what ``keyrot check --format html`` writes), the plan's exports
(``Plan.export()``, byte for byte ``keyrot plan --format``), the counts per
check (``Summary.rules``, those of ``--rules all``'s JSON) and the reprs in
the core's triage order with a rule column."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest

import keyrot
from conftest import AS_OF, CASES, SAMPLES, report, row

SAMPLE = SAMPLES / "c7n-test_iam_user_unused_keys.csv"
SAMPLE_AS_OF = "2016-11-26T00:00:00Z"
PLAN_CASE = CASES / "plan_with_access_key_ids"
#: The statuses a bucket counts (an invalid key has no usable age).
CHARTED = ("fail", "due_soon", "pass", "inactive")
SEVERITIES = ("critical", "high", "medium", "low", "info")


def cli(*args: str, stdin: bytes = b"") -> "subprocess.CompletedProcess[bytes]":
    """The command, as linked into the extension module (``python -m keyrot``)."""
    return subprocess.run(
        [sys.executable, "-m", "keyrot", *args], input=stdin, capture_output=True, timeout=120, check=False
    )


def dated(*ages: int) -> str:
    """A report (at AS_OF) with one active key per age in days; a negative
    age is a key dated after as_of (invalid)."""
    from datetime import datetime, timedelta, timezone

    at = datetime(2026, 11, 26, tzinfo=timezone.utc)
    rows = []
    for i, age in enumerate(ages):
        when = (at - timedelta(days=age)).strftime("%Y-%m-%dT%H:%M:%SZ")
        rows.append(row(f"u{i}", key1=f"true,{when},N/A,N/A,N/A"))
    return report(*rows)


# The HTML report.


@pytest.mark.parametrize("rules", [None, "all"])
def test_to_html_is_the_commands_report_byte_for_byte(rules: Optional[str], tmp_path: Path) -> None:
    extra = ["--rules", rules] if rules else []
    done = cli("check", "--as-of", SAMPLE_AS_OF, "--format", "html", *extra, str(SAMPLE))
    assert done.returncode == 1, done.stderr  # not compliant
    analysis = keyrot.analyze(SAMPLE, as_of=SAMPLE_AS_OF, **({"rules": rules} if rules else {}))  # type: ignore[arg-type]
    html = analysis.to_html()
    assert html.encode("utf-8") == done.stdout
    assert html.startswith("<!doctype html>") and "<script" not in html
    out = tmp_path / "report.html"
    analysis.write_html(out)
    assert out.read_bytes() == done.stdout


def test_to_html_of_bytes_is_the_report_of_stdin() -> None:
    data = SAMPLE.read_bytes()
    done = cli("check", "--as-of", SAMPLE_AS_OF, "--format", "html", "-", stdin=data)
    assert keyrot.analyze(data, as_of=SAMPLE_AS_OF).to_html().encode("utf-8") == done.stdout
    assert "&lt;stdin&gt;" in done.stdout.decode("utf-8")


def test_to_html_of_several_reports_is_the_commands(tmp_path: Path) -> None:
    other = CASES / "plan_two_key_rotation_phases" / "input.csv"
    done = cli("check", "--as-of", AS_OF, "--format", "html", "--rules", "all", str(SAMPLE), str(other))
    many = keyrot.analyze_many([SAMPLE, other], as_of=AS_OF, rules="all")
    assert many.to_html().encode("utf-8") == done.stdout
    assert 'id="accounts"' in done.stdout.decode("utf-8")


def test_hostile_names_stay_text_in_the_report() -> None:
    text = report(row("<script>alert(1)</script>", key1="true,2025-01-01T00:00:00Z,N/A,N/A,N/A"))
    html = keyrot.analyze(text, as_of=AS_OF).to_html()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script" not in html


# The plan's exports.


@pytest.mark.parametrize("format", ["json", "markdown", "sh", "csv", "table"])
def test_plan_exports_are_the_commands_byte_for_byte(format: keyrot._options.PlanFormat) -> None:
    report_csv = PLAN_CASE / "input.csv"
    keys = PLAN_CASE / "access_keys.json"
    done = cli("plan", "--as-of", AS_OF, "--format", format, "--access-keys", str(keys), str(report_csv))
    assert done.returncode == 0, done.stderr
    plan = keyrot.analyze(report_csv, as_of=AS_OF).plan(access_keys=keys)
    assert plan.export(format).encode("utf-8") == done.stdout
    # The same from keyrot.plan(), and for a plan of several reports, named alike.
    assert keyrot.plan(report_csv, as_of=AS_OF, access_keys=keys).export(format) == plan.export(format)
    many = keyrot.analyze_many([report_csv], as_of=AS_OF).plan(access_keys=keys)
    assert many[str(report_csv)].export(format).encode("utf-8") == done.stdout


def test_plan_export_of_bytes_names_stdin_and_write(tmp_path: Path) -> None:
    data = (PLAN_CASE / "input.csv").read_bytes()
    done = cli("plan", "--as-of", AS_OF, "--format", "sh", "-", stdin=data)
    plan = keyrot.analyze(data, as_of=AS_OF).plan()
    assert plan.export("sh").encode("utf-8") == done.stdout
    assert "<stdin>" in plan.export("sh")
    assert plan.export("csv", source="prod.csv").splitlines()[1].startswith("prod.csv,")
    out = tmp_path / "plan.md"
    plan.write(out, "markdown")
    assert out.read_text("utf-8") == plan.export("markdown")
    with pytest.raises(keyrot.PolicyError, match="plan format"):
        plan.export("yaml")  # type: ignore[arg-type]


# The age chart.


def test_the_age_chart_is_the_cores_buckets_without_invalid_keys() -> None:
    analysis = keyrot.analyze(dated(3, 10, 95, 400, 4000, -30, -400), as_of=AS_OF)
    chart = analysis.age_chart()
    bins = chart["bins"]
    labels = [b["label"] for b in bins]
    assert labels[0] == "0-7 d" and labels[-1] == "10 y+" and "84-90 d" in labels and "90-180 d" in labels
    assert all(a["end"] == b["start"] for a, b in zip(bins, bins[1:])) and bins[-1]["end"] is None
    # The two keys dated after as_of are invalid: counted as unusable, in no bucket.
    by_status = analysis.summary.by_status
    assert by_status["invalid"] == chart["unusable"] == 2
    assert chart["shown"] == len(analysis) - 2 == sum(sum(b["counts"].values()) for b in bins)
    for status in CHARTED:
        assert sum(b["counts"][status] for b in bins) == by_status[status]
    assert chart["max_age_days"] == 90 and chart["oldest"] >= 4000
    # The same buckets the HTML report draws, and the notebook view shows.
    assert analysis._table.chart(1100)["svg"] in analysis.to_html()
    assert analysis._table.chart(600)["svg"] in analysis._repr_html_()


def test_the_chart_of_every_check_counts_keys_only() -> None:
    keys = keyrot.analyze(SAMPLE, as_of=SAMPLE_AS_OF).age_chart()
    every = keyrot.analyze(SAMPLE, as_of=SAMPLE_AS_OF, rules="all").age_chart()
    assert every == keys and keys["shown"] == 9


def test_plot_draws_the_cores_buckets(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("matplotlib")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    import matplotlib.pyplot as plt

    analysis = keyrot.analyze(dated(3, 10, 95, 400, 4000, -30), as_of=AS_OF)
    chart = analysis.age_chart()
    ax = analysis.plot()
    # One bar container per status, each with one bar per bucket.
    assert [c.get_label() for c in ax.containers] == ["fail", "due soon", "pass", "inactive"]
    assert [len(c) for c in ax.containers] == [len(chart["bins"])] * 4
    heights = [sum(bar.get_height() for bar in bars) for bars in zip(*ax.containers)]
    assert heights == [sum(b["counts"].values()) for b in chart["bins"]]
    assert sum(heights) == chart["shown"] == 5  # the invalid key is left out
    assert [t.get_text() for t in ax.get_xticklabels()] == [b["label"] for b in chart["bins"]]
    assert "limit 90 d" in [t.get_text() for t in ax.get_legend().get_texts()]
    _, given = plt.subplots()
    assert analysis.plot(given) is given
    many = keyrot.analyze_many([SAMPLE], as_of=SAMPLE_AS_OF)
    assert [len(c) for c in many.plot().containers] == [len(many.age_chart()["bins"])] * 4
    plt.close("all")


def test_plot_without_matplotlib_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match="pip install matplotlib"):
        keyrot.analyze(SAMPLE, as_of=SAMPLE_AS_OF).plot()


# The counts per check and the reprs.


def test_summary_rules_are_the_commands_counts_per_check() -> None:
    done = cli("check", "--as-of", SAMPLE_AS_OF, "--format", "json", "--rules", "all", str(SAMPLE))
    expected = json.loads(done.stdout)["summary"]
    analysis = keyrot.analyze(SAMPLE, as_of=SAMPLE_AS_OF, rules="all")
    summary = analysis.summary
    assert summary.rules == expected["rules"] == analysis.to_dict()["summary"]["rules"]
    assert list(summary.rules) == [r for r in keyrot.RULES if r in expected["rules"]]
    assert [a.rules for a in summary.accounts] == [a["rules"] for a in expected["accounts"]]
    assert summary.rules["root_mfa"]["fail"] == 1
    assert keyrot.analyze(SAMPLE, as_of=SAMPLE_AS_OF).summary.rules == {}
    one = keyrot.analyze(SAMPLE, as_of=SAMPLE_AS_OF, rules="root_mfa")
    assert list(one.summary.rules) == ["root_mfa"] and "1 finding of 1 check" in repr(one)


def per_rule_text(rules: Dict[str, Dict[str, int]]) -> List[str]:
    """What the text repr says of each check: its statuses present."""
    order = ("fail", "invalid", "due_soon", "pass", "inactive")
    return [f"{rule}: " + ", ".join(f"{s}={c[s]:,}" for s in order if c[s]) for rule, c in rules.items()]


def test_the_text_repr_counts_every_check() -> None:
    analysis = keyrot.analyze(SAMPLE, as_of=SAMPLE_AS_OF, rules="all")
    rules = analysis.to_dict()["summary"]["rules"]
    text = repr(analysis)
    total = sum(c["findings"] for c in rules.values())
    fail = sum(c["fail"] for c in rules.values())
    assert text.startswith(f"<keyrot.Analysis NOT compliant: {total} findings of {len(rules)} checks (fail={fail}, ")
    for part in per_rule_text(rules):
        assert part in text
    many = keyrot.analyze_many([SAMPLE], as_of=SAMPLE_AS_OF, rules="all")
    assert all(part in repr(many) for part in per_rule_text(rules))


def test_thousands_separators_in_the_text_repr() -> None:
    analysis = keyrot.analyze(dated(*range(0, 1200)), as_of=AS_OF)
    assert repr(analysis).startswith("<keyrot.Analysis NOT compliant: 1,200 keys (fail=1,109, ")


class Tables(HTMLParser):
    """The tables of an HTML view: each a list of rows, each a list of cell
    texts; and each cell's ``text-align``."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: List[List[List[str]]] = []
        self.aligns: List[str] = []
        self._cell: Optional[List[str]] = None

    def handle_starttag(self, tag: str, attrs: List[Tuple[str, Optional[str]]]) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
            style = dict(attrs).get("style") or ""
            self.aligns.append(m.group(1) if (m := re.search(r"text-align:(\w+)", style)) else "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def tables_of(html: str) -> Tables:
    parser = Tables()
    parser.feed(html)
    return parser


def triage_key(finding: Dict[str, Any]) -> Tuple[int, bool, float, float]:
    """The core's triage order, spelled out for the test: severity, then
    those that count before exempted ones, then the fewest days until due,
    then the oldest."""
    due = finding["days_until_due"]
    age = finding["age_days"]
    return (
        SEVERITIES.index(finding["severity"]),
        finding.get("exempted") is not None,
        float("inf") if due is None else due,
        float("inf") if age is None else -age,
    )


def test_the_html_repr_lists_every_check_and_the_findings_in_triage_order() -> None:
    analysis = keyrot.analyze(SAMPLE, as_of=SAMPLE_AS_OF, rules="all")
    parsed = tables_of(analysis._repr_html_())
    checks, findings = parsed.tables[0], parsed.tables[-1]
    head = checks[0]
    assert head[:3] == ["check", "title", "findings"]
    rules = analysis.summary.rules
    assert len(checks) - 1 == len(rules)
    for cells in checks[1:]:
        counts = dict(zip(head[2:], (int(c.replace(",", "")) for c in cells[2:])))
        assert counts == {k: rules[cells[0]][k] for k in counts}
    assert findings[0][:3] == ["rule", "status", "account"]
    shown = [(cells[0], cells[3]) for cells in findings[1:]]
    expected = sorted(analysis.to_dicts(), key=triage_key)
    assert shown == [(f["rule"], f["user"]) for f in expected]
    assert shown[0][1] == "<root_account>"  # the root user's findings are critical
    # Every cell says its alignment (JupyterLab right-aligns by default).
    assert parsed.aligns and all(a in ("left", "right") for a in parsed.aligns)


def test_the_html_repr_of_the_rotation_rule_alone_has_no_rule_column() -> None:
    analysis = keyrot.analyze(SAMPLE, as_of=SAMPLE_AS_OF)
    parsed = tables_of(analysis._repr_html_())
    assert len(parsed.tables) == 1 and parsed.tables[0][0][0] == "status"
    users = [cells[2] for cells in parsed.tables[0][1:]]
    assert users == [f["user"] for f in sorted(analysis.to_dicts(), key=triage_key)]
