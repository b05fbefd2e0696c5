"""Several reports judged together (``keyrot.analyze_many``) and
exemptions."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest

import keyrot
from conftest import AS_OF, REFERENCE, SAMPLES, report, row

UNUSED = SAMPLES / "c7n-test_iam_user_unused_keys.csv"
GUARDIAN = SAMPLES / "guardian-security-hq-CredentialsReportTest.csv"


def test_a_list_of_paths_is_named_by_path() -> None:
    many = keyrot.analyze_many([UNUSED, str(GUARDIAN)], as_of=AS_OF)
    assert [r.source for r in many.reports] == [str(UNUSED), str(GUARDIAN)]
    assert len(many) == len(keyrot.analyze(UNUSED, as_of=AS_OF)) + len(keyrot.analyze(GUARDIAN, as_of=AS_OF))
    assert {f.source for f in many} == {str(UNUSED), str(GUARDIAN)}
    assert [a.account_id for a in many.summary.accounts] == ["0123456789", "619193117841"]
    assert many.failed() == []
    assert all(r.as_of == datetime(2026, 11, 26, tzinfo=timezone.utc) for r in many.reports)
    assert many.to_dict()["findings"][0]["source"] == str(UNUSED)
    assert "2 reports" in repr(many)


def test_other_sources_are_numbered_and_a_dict_names_them() -> None:
    data = (REFERENCE / "input.csv").read_bytes()
    many = keyrot.analyze_many([data, UNUSED], as_of=AS_OF)
    assert [r.source for r in many.reports] == ["#1", str(UNUSED)]
    named = keyrot.analyze_many({"prod": data, "legacy": UNUSED}, as_of=AS_OF)
    assert [r.source for r in named.reports] == ["prod", "legacy"]


def test_an_unreadable_input_does_not_stop_the_others(tmp_path: Path) -> None:
    missing = tmp_path / "gone.csv"
    many = keyrot.analyze_many([UNUSED, missing, b"not,a,report\n"], as_of=AS_OF)
    failed = many.failed()
    assert [r.source for r in failed] == [str(missing), "#3"]
    assert isinstance(failed[0].error, keyrot.ParseError) and failed[0].error.code == "io"
    assert failed[1].error is not None and failed[1].error.code == "missing_columns"
    assert failed[0].as_of is None and failed[0].counts is None
    judged = many.reports[0]
    assert judged.error is None and judged.counts is not None and judged.counts["keys"] == 9
    assert len(many) == 9
    assert "could not be read" in repr(many)
    assert "could not be read" in many._repr_html_()


def test_the_same_account_twice_is_an_anomaly() -> None:
    many = keyrot.analyze_many({"a.csv": UNUSED, "b.csv": UNUSED}, as_of=AS_OF)
    codes = [(a.source, a.code) for a in many.anomalies]
    assert ("b.csv", "account_in_several_files") in codes
    assert ("b.csv", "duplicate_user") in codes
    assert many.summary.accounts[0].keys == 18


def test_each_report_at_its_own_generated_time() -> None:
    placebo = SAMPLES / "c7n-placebo-test_iam_user_credential_multi_delete.GetCredentialReport_1.json"
    many = keyrot.analyze_many([placebo, UNUSED])
    first, second = many.reports
    assert (first.as_of_source, first.as_of) == ("report", datetime(2018, 12, 2, 1, 18, 49, tzinfo=timezone.utc))
    assert second.as_of_source == "clock"


def test_many_frames_have_a_source_column() -> None:
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    many = keyrot.analyze_many({"x": UNUSED, "y": GUARDIAN}, as_of=AS_OF)
    df = many.to_pandas()
    assert df.columns[0] == "source" and str(df["source"].dtype) == "category"
    assert df.groupby("source", observed=True).size().to_dict() == {"x": 9, "y": 4}
    assert isinstance(df, pd.DataFrame)
    assert many.to_polars()["source"].to_list() == [f.source for f in many]
    assert "source" not in keyrot.analyze(UNUSED, as_of=AS_OF).to_pandas().columns
    assert pl.DataFrame is not None


def test_analyze_many_wants_several_sources() -> None:
    with pytest.raises(TypeError, match="list of sources"):
        keyrot.analyze_many(UNUSED)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="list of sources"):
        keyrot.analyze_many({"Content": b"", "GeneratedTime": None})


# --- exemptions ------------------------------------------------------------------

OVERDUE = report(
    row("legacy-printer", key1="true,2026-01-01T00:00:00Z,N/A,N/A,N/A"),
    row("deploy", key1="true,2026-01-01T00:00:00Z,N/A,N/A,N/A"),
)
ENTRY = {
    "account": "111122223333",
    "user": "legacy-*",
    "reason": "firmware cannot reload keys",
    "owner": "secops@example.com",
    "expires": date(2027, 3, 31),
}
TOML = """
[[exemption]]
account = "111122223333"
user = "legacy-*"
reason = "firmware cannot reload keys"
owner = "secops@example.com"
expires = 2027-03-31
"""


@pytest.mark.parametrize("form", ["dicts", "toml", "path", "str_path"])
def test_exemptions_in_every_form(form: str, tmp_path: Path) -> None:
    file = tmp_path / "exemptions.toml"
    file.write_text(TOML)
    exemptions = {"dicts": [ENTRY], "toml": TOML, "path": file, "str_path": str(file)}[form]
    analysis = keyrot.analyze(OVERDUE, as_of=AS_OF, exemptions=exemptions)
    printer, deploy = analysis.findings
    assert printer.status == "fail" and printer.exempted is not None
    assert printer.exempted["owner"] == "secops@example.com"
    assert deploy.exempted is None
    assert [f.user for f in analysis.failing()] == ["deploy"]
    assert analysis.summary.exempted == 1
    assert "(exempted)" in analysis._repr_html_()


def test_exempted_column() -> None:
    pytest.importorskip("pandas")
    analysis = keyrot.analyze(OVERDUE, as_of=AS_OF, exemptions=[ENTRY])
    assert list(analysis.to_pandas()["exempted"]) == [True, False]
    assert analysis.to_polars()["exempted"].to_list() == [True, False]


def test_exempting_every_failure_makes_the_report_compliant() -> None:
    everyone = dict(ENTRY, user="*")
    assert keyrot.analyze(OVERDUE, as_of=AS_OF, exemptions=[everyone]).compliant
    assert not keyrot.analyze(OVERDUE, as_of=AS_OF).compliant


def test_unusable_entries_are_anomalies_not_errors() -> None:
    broken = {k: v for k, v in ENTRY.items() if k != "owner"}
    analysis = keyrot.analyze(OVERDUE, as_of=AS_OF, exemptions=[broken, "not a dict", dict(ENTRY, slot=True)])
    codes = [a.code for a in analysis.anomalies]
    assert codes.count("exemption_invalid") == 3
    assert all(f.exempted is None for f in analysis)


def test_text_that_is_not_toml_is_a_policy_error() -> None:
    with pytest.raises(keyrot.PolicyError) as caught:
        keyrot.analyze(OVERDUE, as_of=AS_OF, exemptions="[[exemption]\nuser = ")
    assert caught.value.code == "invalid_exemptions"


def test_exemptions_of_the_wrong_type() -> None:
    with pytest.raises(TypeError, match="exemptions must be"):
        keyrot.analyze(OVERDUE, as_of=AS_OF, exemptions=42)  # type: ignore[arg-type]
