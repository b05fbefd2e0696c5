"""``keyrot.diff``: what changed between two reports, each judged at its own
time; every kind of source; typed changes; DataFrames with fixed dtypes; the
notebook view with everything from the reports escaped."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict

import pytest

import keyrot
from conftest import AS_OF, CASES, report, row

CASE = CASES / "diff_a_day_later"
OLD = CASE / "old.csv"
NEW = CASE / "new.csv"
OLD_AS_OF = datetime(2026, 11, 1, tzinfo=timezone.utc)  # the old report's newest timestamp
NEW_AS_OF = datetime(2026, 11, 26, tzinfo=timezone.utc)
#: A report with nothing overdue.
FRESH = report(row("a", key1="true,2026-11-01T00:00:00Z,N/A,N/A,N/A"), row("b"))


def expected() -> Dict[str, Any]:
    result: Dict[str, Any] = json.loads((CASE / "expected.json").read_text(encoding="utf-8"))
    return result


def response(path: Path, generated: datetime) -> Dict[str, Any]:
    """What boto3's ``iam.get_credential_report()`` returns."""
    return {"Content": path.read_bytes(), "ReportFormat": "text/csv", "GeneratedTime": generated}


@pytest.fixture(scope="module")
def result() -> keyrot.Diff:
    return keyrot.diff(OLD, NEW, as_of=AS_OF)


def sources(kind: str) -> Any:
    if kind == "path":
        return OLD, NEW
    if kind == "str path":
        return str(OLD), str(NEW)
    if kind == "bytes":
        return OLD.read_bytes(), NEW.read_bytes()
    if kind == "str":
        return OLD.read_text(encoding="utf-8"), NEW.read_text(encoding="utf-8")
    if kind == "binary file":
        return io.BytesIO(OLD.read_bytes()), io.BytesIO(NEW.read_bytes())
    if kind == "mixed":
        return OLD.read_bytes(), str(NEW)
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["path", "str path", "bytes", "str", "binary file", "mixed"])
def test_every_kind_of_source(kind: str) -> None:
    old, new = sources(kind)
    assert keyrot.diff(old, new, as_of=AS_OF).to_dict() == expected()


def test_changes_have_typed_attributes(result: keyrot.Diff) -> None:
    rotated = result.changes[0]
    assert isinstance(rotated, keyrot.Change)
    assert (rotated.change, rotated.account_id, rotated.user, rotated.overdue_days) == (
        "rotated",
        "111122223333",
        "rotator",
        None,
    )
    assert rotated.message.startswith("the key created 2026-07-01T00:00:00Z was replaced")
    old, new = rotated.old_key, rotated.new_key
    assert isinstance(old, keyrot.ChangedKey) and isinstance(new, keyrot.ChangedKey)
    assert (old.slot, old.status, old.active) == (1, "fail", True)
    assert old.last_rotated == datetime(2026, 7, 1, tzinfo=timezone.utc)
    assert (new.status, new.last_rotated) == ("pass", datetime(2026, 11, 20, tzinfo=timezone.utc))
    by_change = {c.change: c for c in result}
    assert by_change["newly_overdue"].overdue_days == 8
    assert by_change["still_overdue"].overdue_days == 239
    assert by_change["key_deleted"].new_key is None
    assert by_change["key_created"].old_key is None
    assert by_change["user_added"].old_key is None and by_change["user_added"].new_key is None
    assert by_change["user_removed"].user == "gone"
    # Slots move: a key is matched by its creation time, not its slot.
    assert "Slots-Swapped" not in {c.user for c in result} and "slots-swapped" not in {c.user for c in result}


def test_sides_counts_and_verdict(result: keyrot.Diff) -> None:
    assert isinstance(result.old, keyrot.DiffSide)
    assert (result.old.as_of, result.old.as_of_source, result.old.generated_time) == (
        OLD_AS_OF,
        "newest_timestamp",
        None,
    )
    assert (result.old.keys, result.old.fail) == (10, 3)
    assert (result.new.as_of, result.new.as_of_source, result.new.keys, result.new.fail) == (
        NEW_AS_OF,
        "explicit",
        10,
        2,
    )
    assert tuple(result.counts) == keyrot.CHANGES
    assert result.counts["key_created"] == 2 and sum(result.counts.values()) == len(result) == 9
    assert result.became_overdue()
    assert result.policy == keyrot.Policy(90, 14, False, "exact", 7)
    assert result.to_dicts() == expected()["changes"]
    assert json.loads(result.to_json(indent=1)) == expected()
    assert repr(result) == (
        "<keyrot.Diff 9 changes (rotated=1, newly_overdue=1, still_overdue=1, fixed=1, key_deleted=1, "
        "key_created=2, user_added=1, user_removed=1); a key became overdue>"
    )
    assert repr(result.old) == (
        "DiffSide(as_of=datetime.datetime(2026, 11, 1, 0, 0, tzinfo=datetime.timezone.utc), "
        "as_of_source='newest_timestamp', generated_time=None, keys=10, fail=3)"
    )
    assert repr(result.changes[0]) == "Change(change='rotated', account_id='111122223333', user='rotator')"


def test_change_value_semantics(result: keyrot.Diff) -> None:
    again = keyrot.diff(OLD, NEW, as_of=AS_OF)
    assert list(again) == list(result)
    assert len({*again, *result}) == len(result)
    assert again.changes[0].old_key == result.changes[0].old_key
    assert again.changes[0].old_key != again.changes[0].new_key
    assert again.old == result.old and hash(again.old) == hash(result.old)


def test_a_report_against_itself_changes_nothing() -> None:
    same = keyrot.diff(FRESH, FRESH, as_of=AS_OF, old_as_of=AS_OF)
    assert len(same) == 0 and not same.became_overdue()
    assert same.to_dict()["counts"] == {} and set(same.counts.values()) == {0}
    assert repr(same) == "<keyrot.Diff 0 changes>"


# --- when each report is judged --------------------------------------------------


def test_boto3_responses_are_judged_at_their_generated_time() -> None:
    d = keyrot.diff(response(OLD, OLD_AS_OF), response(NEW, NEW_AS_OF))
    assert (d.old.as_of, d.old.as_of_source, d.old.generated_time) == (OLD_AS_OF, "report", OLD_AS_OF)
    assert (d.new.as_of, d.new.as_of_source, d.new.generated_time) == (NEW_AS_OF, "report", NEW_AS_OF)
    assert d.to_dicts() == expected()["changes"]


def test_explicit_times_win_over_generated_time() -> None:
    later = datetime(2026, 12, 1, tzinfo=timezone.utc)
    d = keyrot.diff(response(OLD, OLD_AS_OF), response(NEW, NEW_AS_OF), as_of=later, old_as_of="2026-11-02T00:00:00Z")
    assert (d.new.as_of, d.new.as_of_source) == (later, "explicit")
    assert (d.old.as_of, d.old.as_of_source) == (datetime(2026, 11, 2, tzinfo=timezone.utc), "explicit")
    assert d.new.generated_time == NEW_AS_OF


def test_a_boto3_response_beside_a_csv_file() -> None:
    d = keyrot.diff(response(OLD, OLD_AS_OF), NEW, as_of=AS_OF)
    assert d.old.as_of_source == "report" and d.to_dicts() == expected()["changes"]
    with pytest.raises(keyrot.PolicyError) as caught:
        keyrot.diff(response(OLD, OLD_AS_OF), NEW, as_of=AS_OF, format="csv")
    assert caught.value.column == "format"


def test_without_as_of_the_new_report_is_judged_now() -> None:
    before = datetime.now(timezone.utc)
    d = keyrot.diff(OLD, NEW)
    assert d.new.as_of_source == "clock"
    assert before - timedelta(seconds=1) <= d.new.as_of <= datetime.now(timezone.utc) + timedelta(seconds=1)
    assert d.old.as_of_source == "newest_timestamp"


def test_an_old_report_with_no_time_at_all_needs_old_as_of() -> None:
    timeless = (
        "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n"
        "ci,arn:aws:iam::111122223333:user/ci,false,N/A,false,N/A\n"
    )
    with pytest.raises(keyrot.PolicyError) as caught:
        keyrot.diff(timeless, NEW, as_of=AS_OF)
    assert (caught.value.code, caught.value.column) == ("invalid_as_of", "old_as_of")
    assert "old_as_of" in str(caught.value)
    d = keyrot.diff(timeless, NEW, as_of=AS_OF, old_as_of=AS_OF)
    assert d.old.as_of_source == "explicit"


# --- errors ----------------------------------------------------------------------------


@pytest.mark.parametrize("side", ["old", "new"])
def test_an_unreadable_report_says_which(side: str) -> None:
    bad = b"user,arn\nbob,arn:aws:iam::111122223333:user/bob\n"
    old, new = (bad, NEW) if side == "old" else (OLD, bad)
    with pytest.raises(keyrot.ParseError) as caught:
        keyrot.diff(old, new, as_of=AS_OF)
    err = caught.value
    assert (err.code, err.line) == ("missing_columns", 1)
    assert str(err).startswith(f"the {side} report: line 1")


def test_bad_times_and_options_name_themselves() -> None:
    with pytest.raises(keyrot.PolicyError) as caught:
        keyrot.diff(OLD, NEW, as_of=AS_OF, old_as_of=datetime(2026, 11, 1))
    assert (caught.value.code, caught.value.column) == ("invalid_as_of", "old_as_of")
    assert "naive" in str(caught.value)
    with pytest.raises(keyrot.PolicyError) as caught:
        keyrot.diff(OLD, NEW, as_of="yesterday")
    assert (caught.value.code, caught.value.column) == ("invalid_as_of", "as_of")
    with pytest.raises(keyrot.PolicyError) as caught:
        keyrot.diff(OLD, NEW, as_of=AS_OF, max_age_days=0)
    assert caught.value.column == "max_age_days"
    with pytest.raises(keyrot.PolicyError) as caught:
        keyrot.diff(OLD, NEW, as_of=AS_OF, granularity="hourly")
    assert caught.value.column == "granularity"
    with pytest.raises(TypeError):
        keyrot.diff(OLD, NEW, AS_OF)  # type: ignore[misc]


def test_a_missing_file_is_file_not_found(tmp_path: Path) -> None:
    missing = tmp_path / "nope.csv"
    with pytest.raises(FileNotFoundError) as caught:
        keyrot.diff(OLD, missing, as_of=AS_OF)
    assert caught.value.filename == str(missing)
    with pytest.raises(FileNotFoundError):
        keyrot.diff(str(missing), NEW, as_of=AS_OF)


def test_policy_options_apply_to_both_reports() -> None:
    strict = keyrot.diff(OLD, NEW, as_of=AS_OF, max_age_days=30, warn_days=0)
    assert strict.policy.max_age_days == 30
    assert strict.old.fail > 3 and strict.new.fail > 2
    with_inactive = keyrot.diff(OLD, NEW, as_of=AS_OF, include_inactive=True)
    assert "fixed" not in {c.change for c in with_inactive}  # the deactivated key still fails


def test_lenient_reads_past_bad_rows() -> None:
    text = NEW.read_text(encoding="utf-8").replace("2026-11-25T00:00:00Z", "2026-13-25T00:00:00Z")
    with pytest.raises(keyrot.ParseError):
        keyrot.diff(OLD, text, as_of=AS_OF)
    d = keyrot.diff(OLD, text, as_of=AS_OF, lenient=True)
    newcomer = [c for c in d if c.user == "newcomer" and c.new_key is not None]
    assert [c.new_key.status for c in newcomer if c.new_key] == ["invalid"]


# --- DataFrames -----------------------------------------------------------------------

DIFF_DTYPES = {
    "change": "category",
    "account_id": "category",
    "old_slot": "Int8",
    "old_last_rotated": "datetime64[us, UTC]",
    "old_status": "category",
    "old_active": "boolean",
    "new_slot": "Int8",
    "new_last_rotated": "datetime64[us, UTC]",
    "new_status": "category",
    "new_active": "boolean",
    "overdue_days": "Int64",
}


def check_diff_dtypes(frame: Any) -> None:
    pd = pytest.importorskip("pandas")
    assert list(frame.columns) == [
        "change",
        "account_id",
        "user",
        "old_slot",
        "old_last_rotated",
        "old_status",
        "old_active",
        "new_slot",
        "new_last_rotated",
        "new_status",
        "new_active",
        "overdue_days",
        "message",
    ]
    for name, dtype in DIFF_DTYPES.items():
        assert str(frame[name].dtype) == dtype, name
    text = pd.Series(["x"]).dtype
    assert frame.user.dtype == text and frame.message.dtype == text
    assert list(frame.change.cat.categories) == list(keyrot.CHANGES)
    assert frame.old_status.cat.ordered and list(frame.new_status.cat.categories) == list(keyrot.STATUSES)


def test_diff_pandas_dtypes_and_values(result: keyrot.Diff) -> None:
    pd = pytest.importorskip("pandas")
    frame = result.to_pandas()
    check_diff_dtypes(frame)
    assert list(frame.change) == [c.change for c in result]
    assert list(frame.user) == [c.user for c in result]
    first = frame.iloc[0]
    assert (first.old_slot, first.old_status, first.new_status, bool(first.old_active)) == (1, "fail", "pass", True)
    assert first.old_last_rotated == datetime(2026, 7, 1, tzinfo=timezone.utc)
    deleted = frame[frame.change == "key_deleted"].iloc[0]
    assert pd.isna(deleted.new_slot) and pd.isna(deleted.new_status) and pd.isna(deleted.new_active)
    assert pd.isna(deleted.new_last_rotated)
    assert frame.overdue_days.dropna().tolist() == [8, 239]
    # Rows sort by severity as the categories do.
    assert frame.sort_values("new_status").new_status.iloc[0] == "fail"


def test_diff_dtypes_do_not_depend_on_the_data() -> None:
    same = keyrot.diff(FRESH, FRESH, as_of=AS_OF, old_as_of=AS_OF)
    frame = same.to_pandas()
    assert len(frame) == 0
    check_diff_dtypes(frame)


def test_diff_polars_schema(result: keyrot.Diff) -> None:
    pl = pytest.importorskip("polars")
    frame = result.to_polars()
    schema = dict(frame.schema)
    assert schema["change"] == pl.Enum(list(keyrot.CHANGES))
    assert schema["old_status"] == pl.Enum(list(keyrot.STATUSES))
    assert schema["old_slot"] == pl.Int8 and schema["overdue_days"] == pl.Int64
    assert schema["new_active"] == pl.Boolean
    assert schema["old_last_rotated"] == pl.Datetime("us", "UTC")
    assert schema["user"] == pl.String and schema["account_id"] == pl.Categorical
    assert frame["overdue_days"].drop_nulls().to_list() == [8, 239]
    assert frame["new_slot"].null_count() == 3  # key_deleted, user_added, user_removed


# --- the notebook view -------------------------------------------------------------------


def test_diff_html_puts_the_most_pressing_first(result: keyrot.Diff) -> None:
    html = result._repr_html_()
    assert "a key became overdue</b> &mdash; 9 changes" in html
    assert "old: as of 2026-11-01 00:00:00 (newest_timestamp); 10 keys, 3 failing" in html
    rows = html.split("<tbody>")[1]
    assert rows.index(">newly_overdue<") < rows.index(">still_overdue<") < rows.index(">rotated<")
    assert "slot 1, created 2026-07-01 00:00:00, fail (active)" in html


def test_diff_html_escapes_hostile_names() -> None:
    evil = "<img src=x onerror=alert(1)>"
    old = report(row(evil, key1="true,2026-08-20T00:00:00Z,N/A,N/A,N/A"), row("<script>x</script>"))
    new = report(row(evil, key1="true,2026-08-20T00:00:00Z,N/A,N/A,N/A"), row("a'b\"c&d"))
    d = keyrot.diff(old, new, as_of=AS_OF, old_as_of="2026-11-01T00:00:00Z")
    assert {c.user for c in d} >= {evil, "<script>x</script>", "a'b\"c&d"}
    html = d._repr_html_()
    assert "<img" not in html and "<script" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "a&#x27;b&quot;c&amp;d" in html
    assert "no key became overdue" not in html  # the evil user's key is newly overdue


def test_long_diffs_are_cut() -> None:
    rows = [row(f"user{i}", key1="true,2026-11-01T00:00:00Z,N/A,N/A,N/A") for i in range(60)]
    d = keyrot.diff(report(row("x")), report(*rows), as_of=AS_OF, old_as_of=AS_OF)
    html = d._repr_html_()
    assert len(d) == 121  # user_added and key_created for each, and x removed
    assert "showing 50 of 121 changes" in html
    assert "no key became overdue" in html
