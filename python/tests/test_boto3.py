"""The dict boto3's ``iam.get_credential_report()`` returns: ``Content`` as
bytes (already decoded from base64) and ``GeneratedTime`` as an aware
datetime. ``as_of`` then defaults to ``GeneratedTime`` (``as_of_source ==
"report"``)."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, Iterator

import pytest

import keyrot
from conftest import AS_OF, CASES, SAMPLES, report, row

PLACEBO = SAMPLES / "c7n-placebo-test_iam_user_credential_multi_delete.GetCredentialReport_1.json"


def placebo_response() -> Dict[str, Any]:
    """The recorded response of the c7n sample, rebuilt as boto3 returns it."""
    data = json.loads(PLACEBO.read_text())["data"]
    t = data["GeneratedTime"]
    return {
        "Content": data["Content"].encode("utf-8"),
        "ReportFormat": data["ReportFormat"],
        "GeneratedTime": datetime(
            t["year"],
            t["month"],
            t["day"],
            t["hour"],
            t["minute"],
            t["second"],
            t["microsecond"],
            tzinfo=timezone.utc,
        ),
        "ResponseMetadata": data["ResponseMetadata"],
    }


def test_hand_built_response_matches_the_golden_case_of_the_same_recording() -> None:
    case = CASES / "real_c7n_placebo_credential_multi_delete_json"
    if not case.is_dir():
        pytest.skip("golden case not present")
    options = json.loads((case / "options.json").read_text())
    expected = json.loads((case / "expected.json").read_text())
    analysis = keyrot.analyze(placebo_response(), **options)
    got = analysis.to_dict()
    # The digest is of the JSON the binding made of the response, not of
    # the recording's file.
    assert re.fullmatch(r"[0-9a-f]{64}", got.pop("input_sha256"))
    expected.pop("input_sha256")
    assert got == expected


def test_as_of_defaults_to_generated_time() -> None:
    analysis = keyrot.analyze(placebo_response())
    generated = datetime(2018, 12, 2, 1, 18, 49, tzinfo=timezone.utc)
    assert analysis.as_of == generated
    assert analysis.as_of_source == "report"
    assert analysis.generated_time == generated
    assert analysis.input_format == "cli_json"
    # No report_stale when judged at its own GeneratedTime.
    assert "report_stale" not in [a.code for a in analysis.anomalies]
    ages = {(f.user, f.slot): f.age_days for f in analysis}
    # Key 2 was created 2016-06-24T20:30:37Z: 890 whole days before 2018-12-02T01:18:49Z.
    assert ages[("kapil", 2)] == 890


def test_explicit_as_of_wins_and_stale_report_is_flagged() -> None:
    analysis = keyrot.analyze(placebo_response(), as_of=AS_OF)
    assert analysis.as_of_source == "explicit"
    assert analysis.as_of == datetime(2026, 11, 26, tzinfo=timezone.utc)
    assert analysis.generated_time == datetime(2018, 12, 2, 1, 18, 49, tzinfo=timezone.utc)
    assert "report_stale" in [a.code for a in analysis.anomalies]


def test_generated_time_in_another_zone_is_the_same_instant() -> None:
    response = placebo_response()
    response["GeneratedTime"] = response["GeneratedTime"].astimezone(timezone(timedelta(hours=-8)))
    assert keyrot.analyze(response).as_of == datetime(2018, 12, 2, 1, 18, 49, tzinfo=timezone.utc)


def test_content_as_text_and_without_generated_time() -> None:
    text = report(row("alice", key1="true,2026-10-01T00:00:00Z,N/A,N/A,N/A"))
    analysis = keyrot.analyze({"Content": text, "ReportFormat": "text/csv"}, as_of=AS_OF)
    assert analysis.generated_time is None
    assert [f.status for f in analysis] == ["pass"]


def test_naive_generated_time_is_an_error_that_says_why() -> None:
    response = placebo_response()
    response["GeneratedTime"] = response["GeneratedTime"].replace(tzinfo=None)
    with pytest.raises(keyrot.ParseError) as caught:
        keyrot.analyze(response)
    assert caught.value.code == "invalid_json"
    assert caught.value.column == "GeneratedTime"
    assert "naive" in str(caught.value)


def test_response_without_content_is_invalid_json() -> None:
    # What generate_credential_report() returns, passed by mistake.
    with pytest.raises(keyrot.ParseError) as caught:
        keyrot.analyze({"State": "STARTED", "Description": "No report exists."}, as_of=AS_OF)
    assert caught.value.code == "invalid_json"


def test_report_format_is_checked_by_the_core() -> None:
    response = placebo_response()
    response["ReportFormat"] = "application/xml"
    with pytest.raises(keyrot.ParseError) as caught:
        keyrot.analyze(response)
    assert (caught.value.code, caught.value.column) == ("invalid_json", "ReportFormat")


def test_a_response_is_read_as_cli_json_only() -> None:
    with pytest.raises(keyrot.PolicyError) as caught:
        keyrot.analyze(placebo_response(), format="csv")
    assert (caught.value.code, caught.value.column, caught.value.value) == ("invalid_policy", "format", "csv")


def test_parse_reads_a_response_too() -> None:
    parsed = keyrot.parse(placebo_response())
    assert parsed.generated_time == datetime(2018, 12, 2, 1, 18, 49, tzinfo=timezone.utc)
    assert [r.user for r in parsed] == ["kapil"]


# --- a real response, produced in-process by moto ---------------------------

moto = pytest.importorskip("moto")
boto3 = pytest.importorskip("boto3")


@pytest.fixture
def iam(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    with moto.mock_aws():
        yield boto3.client("iam")


def moto_report(iam: Any) -> Dict[str, Any]:
    iam.create_user(UserName="alice")
    iam.create_access_key(UserName="alice")
    iam.create_user(UserName="bob")
    first = iam.create_access_key(UserName="bob")["AccessKey"]["AccessKeyId"]
    iam.create_access_key(UserName="bob")
    iam.update_access_key(UserName="bob", AccessKeyId=first, Status="Inactive")
    while iam.generate_credential_report()["State"] != "COMPLETE":
        pass
    response: Dict[str, Any] = iam.get_credential_report()
    return response


def test_moto_response(iam: Any) -> None:
    response = moto_report(iam)
    assert isinstance(response["Content"], bytes)
    assert isinstance(response["GeneratedTime"], datetime)

    analysis = keyrot.analyze(response)
    assert analysis.as_of_source == "report"
    assert analysis.as_of == response["GeneratedTime"]
    assert analysis.generated_time == response["GeneratedTime"]
    assert [(f.user, f.slot, f.active) for f in analysis] == [
        ("alice", 1, True),
        ("bob", 1, False),
        ("bob", 2, True),
    ]
    # moto stamps its reports 2015-02-02T20:02:02Z while the keys are made
    # now: judged at GeneratedTime, such a rotation date is in the future.
    for f in analysis:
        assert f.last_rotated is not None
        if f.last_rotated > analysis.as_of:
            assert (f.status, f.code) == ("invalid", "future_timestamp")
        else:
            assert f.status == ("pass" if f.active else "inactive")

    now = datetime.now(timezone.utc)
    fresh = keyrot.analyze(response, as_of=now)
    assert fresh.as_of_source == "explicit"
    assert [f.status for f in fresh] == ["pass", "inactive", "pass"]
    assert fresh.compliant
    assert all(f.age_days == 0 for f in fresh)
    assert {f.last_used for f in fresh} == {"never"}
