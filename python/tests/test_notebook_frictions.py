"""The notebook's frictions (issue 26, items 5 and 7; the UX review's items
10 to 12): a folder or a glob for ``analyze_many``, ``diff`` of two
analyses, a top-level ``plan``, a date as ``as_of``, did-you-mean for a
misspelt keyword, and the notebook views."""

from __future__ import annotations

import re
import shutil
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, List

import pytest

import keyrot
from conftest import AS_OF, CASES, REFERENCE, SAMPLES, report, row

UTC = timezone.utc
MANY = CASES / "many_reports_one_verdict" / "inputs"
DIFF = CASES / "diff_a_day_later"
PLAN_CASE = CASES / "plan_with_access_key_ids"


# --- analyze_many: a folder or a glob pattern ----------------------------------


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The many-reports case's inputs in a folder, with a hidden file and a
    subfolder that are not reports."""
    target = tmp_path / "reports"
    shutil.copytree(MANY, target)
    (target / ".DS_Store").write_bytes(b"\x00\x01 not a report")
    (target / "archive").mkdir()
    shutil.copy(REFERENCE / "input.csv", target / "archive" / "old.csv")
    return target


def test_a_folder_is_its_reports_in_name_order(folder: Path) -> None:
    many = keyrot.analyze_many(folder, as_of=AS_OF)
    names = sorted(p.name for p in MANY.iterdir())
    assert [Path(r.source).name for r in many.reports] == names
    assert all(Path(r.source).parent == folder for r in many.reports)
    # The same verdict as the list of those files.
    listed = keyrot.analyze_many(sorted(folder.glob("[!.]*.*")), as_of=AS_OF)
    assert many.to_dict() == listed.to_dict()
    assert keyrot.analyze_many(str(folder), as_of=AS_OF).to_dict() == many.to_dict()


def test_a_glob_pattern_is_the_files_it_matches(folder: Path) -> None:
    many = keyrot.analyze_many(str(folder / "*.csv"), as_of=AS_OF)
    assert [Path(r.source).name for r in many.reports] == sorted(p.name for p in MANY.glob("*.csv"))
    assert keyrot.analyze_many(str(folder / "**" / "*.csv"), as_of=AS_OF).reports  # any glob syntax


def test_a_folder_or_pattern_with_nothing_raises(tmp_path: Path) -> None:
    (tmp_path / ".hidden.csv").write_text(report(row("a")))
    with pytest.raises(FileNotFoundError) as caught:
        keyrot.analyze_many(tmp_path, as_of=AS_OF)
    assert caught.value.filename == str(tmp_path)
    with pytest.raises(FileNotFoundError) as no_match:
        keyrot.analyze_many(str(tmp_path / "*.csv"), as_of=AS_OF)
    assert no_match.value.filename == str(tmp_path / "*.csv")


def test_one_report_is_still_refused() -> None:
    with pytest.raises(TypeError, match="for one report, use analyze"):
        keyrot.analyze_many(str(REFERENCE / "input.csv"), as_of=AS_OF)


# --- diff of two analyses -----------------------------------------------------


def test_diff_of_analyses_is_the_diff_of_their_reports_at_their_times() -> None:
    old = keyrot.analyze(DIFF / "old.csv", as_of="2026-11-01T00:00:00Z")
    new = keyrot.analyze((DIFF / "new.csv").read_bytes(), as_of=AS_OF)
    of_analyses = keyrot.diff(old, new)
    of_files = keyrot.diff(DIFF / "old.csv", DIFF / "new.csv", as_of=AS_OF, old_as_of="2026-11-01T00:00:00Z")
    assert of_analyses.to_dict() == of_files.to_dict()
    assert (of_analyses.old.as_of, of_analyses.new.as_of) == (old.as_of, new.as_of)
    assert of_analyses.new.fail == new.summary.by_status["fail"]
    # An analysis beside a source: the other side is read as given.
    assert keyrot.diff(DIFF / "old.csv", new, old_as_of="2026-11-01T00:00:00Z").to_dict() == of_files.to_dict()


def test_diff_of_analyses_takes_their_policy_and_the_keywords_win() -> None:
    old = keyrot.analyze(DIFF / "old.csv", as_of="2026-11-01T00:00:00Z", max_age_days=30)
    new = keyrot.analyze(DIFF / "new.csv", as_of=AS_OF, max_age_days=30)
    assert keyrot.diff(old, new).policy.max_age_days == 30
    assert keyrot.diff(old, new, max_age_days=60).policy.max_age_days == 60
    other = keyrot.analyze(DIFF / "new.csv", as_of=AS_OF)
    with pytest.raises(keyrot.PolicyError) as caught:
        keyrot.diff(old, other)
    assert (caught.value.code, caught.value.column) == ("invalid_policy", "max_age_days")
    assert keyrot.diff(old, other, max_age_days=90).policy.max_age_days == 90


def test_diff_refuses_an_analysis_whose_file_changed(tmp_path: Path) -> None:
    path = tmp_path / "old.csv"
    shutil.copy(DIFF / "old.csv", path)
    old = keyrot.analyze(path, as_of="2026-11-01T00:00:00Z")
    path.write_bytes((DIFF / "new.csv").read_bytes())
    with pytest.raises(keyrot.ParseError) as caught:
        keyrot.diff(old, DIFF / "new.csv", as_of=AS_OF)
    assert (caught.value.code, caught.value.value) == ("io", str(path))
    assert "changed since it was analyzed" in str(caught.value)


def test_diff_refuses_several_reports() -> None:
    many = keyrot.analyze_many(MANY, as_of=AS_OF)
    with pytest.raises(TypeError, match="two reports"):
        keyrot.diff(many, DIFF / "new.csv")  # type: ignore[arg-type]


# --- keyrot.plan ----------------------------------------------------------------


def test_plan_is_the_analysis_plan() -> None:
    keys = PLAN_CASE / "access_keys.json"
    top = keyrot.plan(PLAN_CASE / "input.csv", as_of=AS_OF, access_keys=keys, grace_days=3)
    via = keyrot.analyze(PLAN_CASE / "input.csv", as_of=AS_OF, grace_days=3).plan(access_keys=keys)
    assert type(top) is keyrot.Plan
    assert top.to_dict() == via.to_dict() and top.policy.grace_days == 3
    assert any(k.access_key_id for s in top for k in s.keys)


# --- as_of as a date ------------------------------------------------------------


@pytest.mark.parametrize("as_of", ["2026-11-26", date(2026, 11, 26)], ids=["text", "date"])
def test_as_of_may_be_a_date(as_of: Any) -> None:
    analysis = keyrot.analyze(REFERENCE / "input.csv", as_of=as_of)
    explicit = keyrot.analyze(REFERENCE / "input.csv", as_of=AS_OF)
    assert analysis.as_of == datetime(2026, 11, 26, tzinfo=UTC)
    assert analysis.as_of_source == "date"
    assert {**analysis.to_dict(), "as_of_source": "explicit"} == explicit.to_dict()
    many = keyrot.analyze_many([REFERENCE / "input.csv"], as_of=as_of)
    assert many.reports[0].as_of_source == "date"
    changes = keyrot.diff(DIFF / "old.csv", DIFF / "new.csv", as_of=as_of, old_as_of=date(2026, 11, 1))
    assert changes.old.as_of == datetime(2026, 11, 1, tzinfo=UTC)


def test_a_naive_datetime_is_still_refused() -> None:
    with pytest.raises(keyrot.PolicyError) as caught:
        keyrot.analyze(REFERENCE / "input.csv", as_of=datetime(2026, 11, 26))
    assert (caught.value.code, caught.value.column) == ("invalid_as_of", "as_of")


# --- a misspelt keyword -----------------------------------------------------------


@pytest.mark.parametrize(
    "call, wrong, meant",
    [
        (lambda **kw: keyrot.analyze(REFERENCE / "input.csv", **kw), "asof", "as_of"),
        (lambda **kw: keyrot.analyze_many([REFERENCE / "input.csv"], **kw), "MaxAgeDays", "max_age_days"),
        (lambda **kw: keyrot.plan(REFERENCE / "input.csv", **kw), "accesskeys", "access_keys"),
        (lambda **kw: keyrot.parse(REFERENCE / "input.csv", **kw), "Lenient", "lenient"),
        (lambda **kw: keyrot.diff(DIFF / "old.csv", DIFF / "new.csv", **kw), "oldasof", "old_as_of"),
        (lambda **kw: keyrot.analyze(REFERENCE / "input.csv", as_of=AS_OF).plan(**kw), "accessKeys", "access_keys"),
    ],
)
def test_a_misspelt_keyword_gets_a_did_you_mean(call: Any, wrong: str, meant: str) -> None:
    with pytest.raises(keyrot.PolicyError) as caught:
        call(**{wrong: 1})
    err = caught.value
    assert (err.code, err.column) == ("invalid_policy", wrong)
    assert f"unknown option `{wrong}`" in str(err) and str(err).endswith(f"(did you mean `{meant}`?)")


def test_an_unknown_keyword_lists_the_options() -> None:
    with pytest.raises(keyrot.PolicyError) as caught:
        keyrot.parse(REFERENCE / "input.csv", as_of=AS_OF)  # type: ignore[call-arg]
    assert str(caught.value) == ("`as_of`: unknown option `as_of` for parse; the options are `lenient`, `format`")


# --- the notebook views ----------------------------------------------------------


def cells(html: str) -> List[str]:
    return re.findall(r"<t[dh] [^>]*>", html)


def test_every_cell_states_its_alignment() -> None:
    analysis = keyrot.analyze(PLAN_CASE / "input.csv", as_of=AS_OF)
    views = [
        analysis._repr_html_(),
        analysis.plan()._repr_html_(),
        keyrot.diff(DIFF / "old.csv", DIFF / "new.csv", as_of=AS_OF)._repr_html_(),
        keyrot.analyze_many(MANY, as_of=AS_OF)._repr_html_(),
        keyrot.parse(PLAN_CASE / "input.csv")._repr_html_(),
    ]
    for html in views:
        assert "<td>" not in html and "<th>" not in html
        found = cells(html)
        assert found and all("text-align:" in c for c in found)
    # Text to the left: the plan's reason and commands.
    plan_html = views[1]
    assert re.search(r'<td style="text-align:left;[^"]*"><div style="[^"]*">check first</div><pre ', plan_html)


def test_commands_are_never_broken_mid_token() -> None:
    html = keyrot.analyze(PLAN_CASE / "input.csv", as_of=AS_OF).plan()._repr_html_()
    pres = re.findall(r"<pre style=\"([^\"]*)\">", html)
    assert pres and all("white-space:pre;" in style and "pre-wrap" not in style for style in pres)
    assert "aws iam" in html


def test_numbers_have_thousands_separators() -> None:
    rows = [row(f"user{i}", key1="true,2020-01-01T00:00:00Z,N/A,N/A,N/A") for i in range(1200)]
    analysis = keyrot.analyze(report(*rows), as_of=AS_OF)
    assert repr(analysis).startswith("<keyrot.Analysis NOT compliant: 1,200 keys (fail=1,200,")
    html = analysis._repr_html_()
    assert "1,200 access keys of 1,200 users" in html
    assert "oldest active key 2,521 days" in html
    assert re.search(r">2,521</td>", html)  # an age in the table
    assert "showing 50 of 1,200 keys" in html
    assert "1,200 steps" in analysis.plan()._repr_html_()


def test_many_reports_show_a_table_per_account() -> None:
    many = keyrot.analyze_many(MANY, as_of=AS_OF)
    html = many._repr_html_()
    accounts = [a.account_id for a in many.summary.accounts]
    assert len(accounts) >= 2
    table = html[html.index("account") : html.index("</details>")]
    for account in accounts:
        assert f">{account}</td>" in table
    # Judged at the time given, the view says so, and names files shortly.
    assert "as of 2026-11-26T00:00:00Z (explicit)" in html and "each as of its own time" not in html
    source = many.findings[0].source or ""
    assert f'title="{source}">{Path(source).name}</td>' in html
    own_times = keyrot.analyze_many([DIFF / "old.csv", SAMPLES / "c7n-test_iam_user_unused_keys.csv"])
    assert "each as of its own time" in own_times._repr_html_()


def test_reports_view_escapes_what_the_file_holds() -> None:
    evil = "<img src=x onerror=alert(1)>"
    html = keyrot.parse(report(row(evil)))._repr_html_()
    assert "<img" not in html and "&lt;img" in html
