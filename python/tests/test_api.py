"""The Python API: what a source may be, the evaluation time, the options,
the typed findings and the exceptions."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import pickle
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, List

import pytest

import keyrot
from conftest import AS_OF, REFERENCE, report, row

UTC = timezone.utc
REFERENCE_CSV = REFERENCE / "input.csv"
EXPECTED = json.loads((REFERENCE / "expected.json").read_text())


# --- sources -----------------------------------------------------------------


def sources(tmp_path: Path) -> List[Any]:
    data = REFERENCE_CSV.read_bytes()
    text = data.decode("utf-8")
    return [
        str(REFERENCE_CSV),
        REFERENCE_CSV,
        data,
        bytearray(data),
        memoryview(data),
        text,
        base64.b64encode(data).decode("ascii"),  # one line, as --output text prints it
        base64.encodebytes(data).decode("ascii"),  # wrapped at 76 columns
        json.dumps({"Content": base64.b64encode(data).decode("ascii"), "ReportFormat": "text/csv"}),
        io.BytesIO(data),
        io.StringIO(text),
    ]


def given_bytes(source: Any) -> bytes:
    """The bytes a source hands the core: what ``input_sha256`` digests."""
    if isinstance(source, (str, Path)) and Path(source) == REFERENCE_CSV:
        return REFERENCE_CSV.read_bytes()
    if isinstance(source, str):
        return source.encode("utf-8")
    if isinstance(source, io.StringIO):
        return source.getvalue().encode("utf-8")
    if isinstance(source, io.BytesIO):
        return source.getvalue()
    return bytes(source)


def test_every_kind_of_source_gives_the_same_analysis(tmp_path: Path) -> None:
    for source in sources(tmp_path):
        digest = hashlib.sha256(given_bytes(source)).hexdigest()
        analysis = keyrot.analyze(source, as_of=AS_OF)
        got = analysis.to_dict()
        got.pop("input_format")
        # The evidence is of the bytes as given: the same report in base64
        # or in a JSON wrapper is other bytes.
        assert got.pop("input_sha256") == analysis.input_sha256 == digest, type(source).__name__
        want = dict(EXPECTED)
        want.pop("input_format")
        want.pop("input_sha256")
        assert got == want, type(source).__name__


def test_input_format_says_what_was_read() -> None:
    data = REFERENCE_CSV.read_bytes()
    assert keyrot.analyze(data, as_of=AS_OF).input_format == "csv"
    assert keyrot.analyze(base64.b64encode(data), as_of=AS_OF).input_format == "base64"


def test_open_binary_file(tmp_path: Path) -> None:
    with open(REFERENCE_CSV, "rb") as f:
        assert keyrot.analyze(f, as_of=AS_OF).to_dict() == EXPECTED


def test_str_naming_an_existing_file_is_a_path(tmp_path: Path) -> None:
    # Even a name made only of base64 letters.
    target = tmp_path / "report"
    target.write_bytes(REFERENCE_CSV.read_bytes())
    assert keyrot.analyze(str(target), as_of=AS_OF).to_dict() == EXPECTED


def test_str_with_a_line_break_is_content_even_when_a_file_has_that_name(tmp_path: Path) -> None:
    odd = tmp_path / "report\n.csv"
    odd.write_bytes(REFERENCE_CSV.read_bytes())
    with pytest.raises(keyrot.ParseError):
        keyrot.analyze(str(odd), as_of=AS_OF)
    # As an os.PathLike it is a path.
    assert keyrot.analyze(odd, as_of=AS_OF).to_dict() == EXPECTED


def test_str_with_a_comma_is_content() -> None:
    # A header-only report without its final newline.
    analysis = keyrot.analyze(report().strip(), as_of=AS_OF)
    assert len(analysis) == 0 and analysis.summary.users == 0


def test_missing_file_is_file_not_found() -> None:
    with pytest.raises(FileNotFoundError) as caught:
        keyrot.analyze("no-such-report.csv", as_of=AS_OF)
    assert caught.value.filename == "no-such-report.csv"
    with pytest.raises(FileNotFoundError) as caught_path:
        keyrot.analyze(Path("no-such-dir") / "report.csv", as_of=AS_OF)
    assert caught_path.value.errno == 2
    assert str(caught_path.value.filename).endswith("report.csv")


def test_directory_is_not_a_report(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError):
        keyrot.analyze(tmp_path, as_of=AS_OF)


def test_unsupported_source_type() -> None:
    with pytest.raises(TypeError, match="source must be"):
        keyrot.analyze(42, as_of=AS_OF)  # type: ignore[arg-type]


def test_options_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        keyrot.analyze(REFERENCE_CSV, AS_OF)  # type: ignore[misc]


# --- the evaluation time -------------------------------------------------------


def test_as_of_aware_datetime_in_any_zone() -> None:
    eastern = datetime(2026, 11, 25, 19, 0, tzinfo=timezone(timedelta(hours=-5)))
    analysis = keyrot.analyze(REFERENCE_CSV, as_of=eastern)
    assert analysis.as_of == datetime(2026, 11, 26, tzinfo=UTC)
    assert analysis.as_of.utcoffset() == timedelta(0)
    assert analysis.as_of_source == "explicit"
    assert analysis.to_dict() == EXPECTED


def test_as_of_text_with_offset() -> None:
    analysis = keyrot.analyze(REFERENCE_CSV, as_of="2026-11-26T01:00:00+01:00")
    assert analysis.to_dict()["as_of"] == "2026-11-26T00:00:00Z"


def test_naive_as_of_is_an_error_that_says_why() -> None:
    with pytest.raises(keyrot.PolicyError) as caught:
        keyrot.analyze(REFERENCE_CSV, as_of=datetime(2026, 11, 26))
    err = caught.value
    assert (err.code, err.column) == ("invalid_as_of", "as_of")
    assert "naive" in str(err) and "tzinfo" in str(err)
    assert err.value == "datetime.datetime(2026, 11, 26, 0, 0)"


def test_malformed_as_of_text() -> None:
    with pytest.raises(keyrot.PolicyError) as caught:
        keyrot.analyze(REFERENCE_CSV, as_of="26/11/2026")
    assert (caught.value.code, caught.value.column, caught.value.value) == ("invalid_as_of", "as_of", "26/11/2026")


def test_a_date_as_of_is_its_midnight_utc() -> None:
    analysis = keyrot.analyze(REFERENCE_CSV, as_of="2026-11-26")
    assert analysis.as_of_source == "date"
    assert analysis.as_of == keyrot.analyze(REFERENCE_CSV, as_of="2026-11-26T00:00:00Z").as_of


def test_as_of_of_the_wrong_type() -> None:
    with pytest.raises(TypeError, match="as_of"):
        keyrot.analyze(REFERENCE_CSV, as_of=1764115200)  # type: ignore[arg-type]


def test_without_as_of_the_clock_is_used() -> None:
    before = datetime.now(UTC)
    analysis = keyrot.analyze(REFERENCE_CSV)
    after = datetime.now(UTC)
    assert analysis.as_of_source == "clock"
    assert before <= analysis.as_of <= after
    assert analysis.generated_time is None


def test_generated_time_of_cli_json_is_the_default() -> None:
    data = base64.b64encode(REFERENCE_CSV.read_bytes()).decode("ascii")
    wrapper = json.dumps({"Content": data, "GeneratedTime": "2026-11-25T06:00:00Z"})
    analysis = keyrot.analyze(wrapper.encode())
    assert analysis.as_of_source == "report"
    assert analysis.as_of == datetime(2026, 11, 25, 6, tzinfo=UTC)


# --- the policy ----------------------------------------------------------------


@pytest.mark.parametrize(
    "options, column, value",
    [
        ({"max_age_days": 0}, "max_age_days", "0"),
        ({"max_age_days": 3651}, "max_age_days", "3651"),
        ({"max_age_days": -1}, "max_age_days", "-1"),
        ({"warn_days": 91}, "warn_days", "91"),
        ({"grace_days": 366}, "grace_days", "366"),
        ({"grace_days": 2**40}, "grace_days", str(2**40)),
        ({"granularity": "weekly"}, "granularity", "weekly"),
        ({"format": "xml"}, "format", "xml"),
    ],
)
def test_bad_options_name_themselves(options: Any, column: str, value: str) -> None:
    with pytest.raises(keyrot.PolicyError) as caught:
        keyrot.analyze(REFERENCE_CSV, as_of=AS_OF, **options)
    assert (caught.value.code, caught.value.column, caught.value.value) == ("invalid_policy", column, value)
    assert str(caught.value).startswith(f"`{column}`: ")


def test_policy_is_applied_and_reported() -> None:
    analysis = keyrot.analyze(
        REFERENCE_CSV,
        as_of=AS_OF,
        max_age_days=30,
        warn_days=0,
        include_inactive=True,
        granularity="whole_days",
        grace_days=0,
    )
    assert analysis.policy == keyrot.Policy(30, 0, True, "whole_days", 0)
    assert analysis.policy.to_dict() == analysis.to_dict()["policy"]
    statuses = {f.user: f.status for f in analysis}
    assert statuses["exactly-90d"] == "fail"
    assert statuses["inactive-old"] == "fail"  # include_inactive


def test_grace_days_and_format_options_are_accepted() -> None:
    data = base64.b64encode(REFERENCE_CSV.read_bytes())
    analysis = keyrot.analyze(data, as_of=AS_OF, grace_days=30, format="base64")
    assert analysis.policy.grace_days == 30
    assert analysis.input_format == "base64"


# --- results -------------------------------------------------------------------


@pytest.fixture(scope="module")
def analysis() -> keyrot.Analysis:
    return keyrot.analyze(REFERENCE_CSV, as_of=AS_OF)


def test_findings_have_typed_attributes(analysis: keyrot.Analysis) -> None:
    by_user = {f.user: f for f in analysis}
    due = by_user["exactly-90d"]
    assert due.status == "due_soon"
    assert due.account_id == "111122223333"
    assert due.arn == "arn:aws:iam::111122223333:user/exactly-90d"
    assert due.is_root is False and due.active is True
    assert due.slot == 1 and due.line == 2
    assert due.last_rotated == datetime(2026, 8, 28, tzinfo=UTC)
    assert due.last_rotated.tzinfo is not None and due.last_rotated.utcoffset() == timedelta(0)
    assert due.age_days == 90 and isinstance(due.age_days, int)
    assert due.due_at == datetime(2026, 11, 26, tzinfo=UTC)
    assert due.days_until_due == 0
    assert due.last_used == datetime(2026, 11, 20, 10, tzinfo=UTC)
    assert (due.last_used_region, due.last_used_service) == ("us-east-1", "s3")
    assert due.used_since_rotation is True
    assert due.exempted is None and due.code is None
    assert due.reason == "active key 90 days old; due by 2026-11-26T00:00:00Z (limit 90)"

    never = by_user["never-used"]
    assert never.last_used == "never" and never.used_since_rotation is False
    assert never.last_used_region is None
    no_date = by_user["active-no-date"]
    assert (no_date.status, no_date.code) == ("invalid", "no_rotation_date")
    assert no_date.last_rotated is None and no_date.age_days is None and no_date.due_at is None
    assert no_date.last_used == "no_information" and no_date.used_since_rotation is None
    assert by_user["future"].age_days == -36


def test_finding_value_semantics(analysis: keyrot.Analysis) -> None:
    again = keyrot.analyze(REFERENCE_CSV, as_of=AS_OF)
    assert list(analysis) == list(again)
    assert hash(analysis.findings[0]) == hash(again.findings[0])
    assert analysis.findings[0] != analysis.findings[1]
    assert analysis.findings[0] != "exactly-90d"
    assert repr(analysis.findings[0]) == (
        "Finding(account_id='111122223333', user='exactly-90d', slot=1, status='due_soon', age_days=90, line=2)"
    )
    with pytest.raises(AttributeError):
        analysis.findings[0].status = "pass"  # type: ignore[misc]


def test_failing_len_and_iteration(analysis: keyrot.Analysis) -> None:
    assert len(analysis) == 6
    assert [f.user for f in analysis.failing()] == ["over-by-1s", "never-used", "active-no-date", "future"]
    assert [f.user for f in analysis][:2] == ["exactly-90d", "over-by-1s"]
    assert not analysis.compliant


def test_contract_views(analysis: keyrot.Analysis) -> None:
    assert analysis.to_dict() == EXPECTED
    assert analysis.to_dicts() == EXPECTED["findings"]
    assert json.loads(analysis.to_json()) == EXPECTED
    pretty = analysis.to_json(indent=2)
    assert json.loads(pretty) == EXPECTED and '\n  "as_of"' in pretty
    assert analysis.summary.to_dict() == EXPECTED["summary"]
    assert analysis.newest_timestamp == datetime(2027, 1, 1, tzinfo=UTC)
    assert (analysis.layout, analysis.input_format) == ("current", "csv")


def test_summary(analysis: keyrot.Analysis) -> None:
    s = analysis.summary
    assert (s.users, s.users_with_keys, s.keys, s.active_keys) == (6, 6, 6, 5)
    assert s.by_status == {"fail": 2, "invalid": 2, "due_soon": 1, "pass": 0, "inactive": 1}
    assert list(s.by_status) == list(keyrot.STATUSES)
    assert s.oldest_active_key_age_days == 329 and s.compliant is False
    assert [a.account_id for a in s.accounts] == ["111122223333"]
    assert s.accounts[0].by_status == s.by_status


def test_anomalies(analysis: keyrot.Analysis) -> None:
    (anomaly,) = analysis.anomalies
    assert (anomaly.code, anomaly.line, anomaly.column, anomaly.value, anomaly.error) == (
        "as_of_before_report",
        7,
        None,
        "2027-01-01T00:00:00Z",
        None,
    )
    assert anomaly.message.startswith("as_of 2026-11-26T00:00:00Z is earlier")
    assert anomaly.to_dict() == EXPECTED["anomalies"][0]
    assert "as_of_before_report" in repr(anomaly)


def test_repr_states_the_verdict(analysis: keyrot.Analysis) -> None:
    assert repr(analysis) == (
        "<keyrot.Analysis NOT compliant: 6 keys (fail=2, invalid=2, due_soon=1, pass=0, inactive=1); "
        "as_of 2026-11-26T00:00:00Z (explicit)>"
    )


def test_lenient_keeps_bad_rows() -> None:
    text = report(
        row("good", key1="true,2026-10-01T00:00:00Z,N/A,N/A,N/A"),
        row("bad", key1="true,2026-13-01T00:00:00Z,N/A,N/A,N/A"),
    )
    with pytest.raises(keyrot.ParseError) as caught:
        keyrot.analyze(text, as_of=AS_OF)
    err = caught.value
    assert (err.code, err.line, err.column, err.value) == (
        "invalid_timestamp",
        3,
        "access_key_1_last_rotated",
        "2026-13-01T00:00:00Z",
    )
    assert str(err) == "line 3, column `access_key_1_last_rotated`: invalid timestamp `2026-13-01T00:00:00Z`"

    analysis = keyrot.analyze(text, as_of=AS_OF, lenient=True)
    assert [(f.user, f.status, f.code) for f in analysis] == [("good", "pass", None), ("bad", "invalid", "row_error")]
    (problem,) = [a for a in analysis.anomalies if a.code == "row_error"]
    assert (problem.line, problem.column, problem.error) == (3, "access_key_1_last_rotated", "invalid_timestamp")


def test_threads_share_nothing_mutable() -> None:
    data = REFERENCE_CSV.read_bytes() * 1  # one report, judged from many threads at once
    results: List[Any] = []

    def work() -> None:
        for _ in range(20):
            results.append(keyrot.analyze(data, as_of=AS_OF).to_dict())

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 80 and all(r == EXPECTED for r in results)


# --- exceptions ----------------------------------------------------------------


def test_exception_hierarchy() -> None:
    assert issubclass(keyrot.KeyrotError, ValueError)
    assert issubclass(keyrot.ParseError, keyrot.KeyrotError)
    assert issubclass(keyrot.PolicyError, keyrot.KeyrotError)
    assert not issubclass(keyrot.ParseError, keyrot.PolicyError)
    assert keyrot.ParseError.__module__ == "keyrot"


def test_exception_attributes_and_message() -> None:
    with pytest.raises(keyrot.ParseError) as caught:
        keyrot.analyze(b"user,arn\nbob,arn:aws:iam::1:user/bob\n", as_of=AS_OF)
    err = caught.value
    assert (err.code, err.line, err.column) == ("missing_columns", 1, None)
    # The value is cut to 80 characters, as the core does.
    assert err.value is not None and err.value.startswith("access_key_1_active, access_key_1_last_rotated, ")
    assert err.value.endswith("…") and len(err.value) == 81
    assert str(err).startswith("line 1: not a credential report: the header lacks the required column(s)")
    assert err.args == (str(err),)


def test_exceptions_survive_pickle() -> None:
    with pytest.raises(keyrot.ParseError) as caught:
        keyrot.analyze(b"", as_of=AS_OF)
    copy = pickle.loads(pickle.dumps(caught.value))
    assert type(copy) is keyrot.ParseError
    assert (copy.code, copy.line, copy.column, copy.value, str(copy)) == (
        "empty_input",
        caught.value.line,
        None,
        None,
        str(caught.value),
    )
    assert "code='empty_input'" in repr(copy)


def test_non_utf8_text_is_reported_with_its_place() -> None:
    data = report(row("caf\xe9")).encode("latin-1")
    with pytest.raises(keyrot.ParseError) as caught:
        keyrot.analyze(data, as_of=AS_OF)
    assert (caught.value.code, caught.value.line, caught.value.column) == ("invalid_utf8", 2, "user")


# --- parse -----------------------------------------------------------------------

UNUSED_KEYS = Path(__file__).resolve().parents[2] / "testdata" / "samples" / "c7n-test_iam_user_unused_keys.csv"


def test_parse_gives_typed_rows_with_literals_kept() -> None:
    parsed = keyrot.parse(UNUSED_KEYS)
    assert len(parsed) == 8 and parsed.layout == "current" and parsed.input_format == "csv"
    assert parsed.columns[:3] == ["user", "arn", "user_creation_time"]
    root = parsed.rows[0]
    assert root.is_root and root.user == "<root_account>" and root.account_id == "619193117841"
    assert root.password_enabled == "not_supported"
    assert root.mfa_active is False
    assert root.access_key_1_active is True
    assert root.access_key_1_last_rotated == datetime(2011, 8, 19, 5, 12, 23, tzinfo=UTC)
    assert root.access_key_1_last_used_region == "us-east-1"
    assert root.access_key_2_last_used_date == "N/A"
    assert root.cert_1_active is True
    assert root.line == 2 and not root.malformed and root.problems == []
    assert parsed.to_dicts()[0]["user"] == "<root_account>"
    assert parsed.to_dict()["rows"] == parsed.to_dicts()
    assert json.loads(parsed.to_json()) == parsed.to_dict()
    assert repr(root) == "Row(line=2, user='<root_account>', account_id='619193117841', is_root=True)"
    assert [r.user for r in parsed] == [r.user for r in parsed.rows]


def test_parse_legacy_layout_has_no_last_used_cells() -> None:
    header = (
        "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
        "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
        "access_key_2_active,access_key_2_last_rotated,cert_1_active,cert_1_last_rotated,"
        "cert_2_active,cert_2_last_rotated"
    )
    line = (
        "bob,arn:aws:iam::1:user/bob,2014-01-01T00:00:00Z,false,N/A,N/A,N/A,false,"
        "true,2014-02-01T00:00:00Z,false,N/A,false,N/A,false,N/A"
    )
    parsed = keyrot.parse(f"{header}\n{line}\n")
    assert parsed.layout == "legacy"
    assert parsed.rows[0].access_key_1_last_used_date is None
    assert "legacy_layout" in [a.code for a in parsed.anomalies]
    analysis = keyrot.analyze(f"{header}\n{line}\n", as_of=AS_OF)
    assert analysis.findings[0].last_used is None


def test_parse_lenient_row_problems() -> None:
    text = report(row("bad", key1="maybe,N/A,N/A,N/A,N/A"))
    with pytest.raises(keyrot.ParseError):
        keyrot.parse(text)
    parsed = keyrot.parse(text, lenient=True)
    (bad,) = parsed.rows
    assert bad.access_key_1_active == "maybe"
    (problem,) = bad.problems
    assert (problem.code, problem.column, problem.value, problem.error) == (
        "row_error",
        "access_key_1_active",
        "maybe",
        "invalid_boolean",
    )
    assert list(parsed.anomalies) == [problem]


def test_version() -> None:
    assert keyrot.__version__ == keyrot._native.__version__
    assert keyrot.__version__.count(".") == 2
