"""DataFrames: dtypes that do not depend on the data, values that agree with
the findings, and both ways text reaches pandas (Arrow buffers or lists)."""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from typing import Any, Dict

import pytest

import keyrot
from conftest import AS_OF, REFERENCE, SAMPLES, report, row

pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")

UTC = timezone.utc
TIME = "datetime64[us, UTC]"


@pytest.fixture(scope="module")
def analysis() -> keyrot.Analysis:
    return keyrot.analyze(REFERENCE / "input.csv", as_of=AS_OF)


def text_dtype() -> Any:
    return pd.Series(["x"]).dtype


def expected_pandas_dtypes() -> Dict[str, str]:
    text = str(text_dtype())
    return {
        "account_id": "category",
        "user": text,
        "arn": text,
        "is_root": "bool",
        "slot": "Int8",
        "status": "category",
        "active": "bool",
        "last_rotated": TIME,
        "age_days": "Int64",
        "due_at": TIME,
        "days_until_due": "Int64",
        "last_used": TIME,
        "last_used_kind": "category",
        "last_used_region": "category",
        "last_used_service": "category",
        "used_since_rotation": "boolean",
        "exempted": "bool",
        "reason": text,
        "code": "category",
        "line": "int64",
        "rule": "category",
        "cis": "category",
        "severity": "category",
    }


def test_pandas_dtypes(analysis: keyrot.Analysis) -> None:
    df = analysis.to_pandas()
    assert {c: str(t) for c, t in df.dtypes.items()} == expected_pandas_dtypes()
    assert list(df["status"].cat.categories) == list(keyrot.STATUSES)
    assert df["status"].cat.ordered
    assert list(df["last_used_kind"].cat.categories) == ["used", "never", "no_information"]
    assert not df["last_used_kind"].cat.ordered


def test_pandas_dtypes_do_not_depend_on_the_data() -> None:
    empty = keyrot.analyze(report(), as_of=AS_OF).to_pandas()
    assert len(empty) == 0
    assert {c: str(t) for c, t in empty.dtypes.items()} == expected_pandas_dtypes()


def test_pandas_values_agree_with_findings(analysis: keyrot.Analysis) -> None:
    df = analysis.to_pandas()
    assert len(df) == len(analysis)
    for i, f in enumerate(analysis):
        r = df.iloc[i]
        assert (r["user"], r["arn"], r["account_id"], r["status"]) == (f.user, f.arn, f.account_id, f.status)
        assert (r["slot"], r["line"], bool(r["active"]), bool(r["is_root"])) == (f.slot, f.line, f.active, f.is_root)
        for col in ("last_rotated", "due_at"):
            value = getattr(f, col)
            assert (pd.isna(r[col]) and value is None) or r[col] == pd.Timestamp(value)
        for col in ("age_days", "days_until_due", "used_since_rotation"):
            value = getattr(f, col)
            assert (pd.isna(r[col]) and value is None) or r[col] == value
        if isinstance(f.last_used, datetime):
            assert r["last_used"] == pd.Timestamp(f.last_used) and r["last_used_kind"] == "used"
        else:
            assert pd.isna(r["last_used"]) and r["last_used_kind"] == f.last_used
        for col in ("last_used_region", "last_used_service", "code"):
            value = getattr(f, col)
            assert (pd.isna(r[col]) and value is None) or r[col] == value
        assert r["reason"] == f.reason
    fails = df[df.status == "fail"]
    assert list(fails.user) == ["over-by-1s", "never-used"]
    # Ordered statuses sort most severe first.
    assert list(df.sort_values("status", kind="stable").status)[:2] == ["fail", "fail"]
    assert df.loc[df.user == "exactly-90d", "last_rotated"].iloc[0] == pd.Timestamp("2026-08-28T00:00:00Z")


def test_frames_are_writable(analysis: keyrot.Analysis) -> None:
    df = analysis.to_pandas()
    df.loc[0, "age_days"] = 1
    df.loc[0, "line"] = 99
    assert df.loc[0, "age_days"] == 1 and df.loc[0, "line"] == 99
    assert analysis.to_pandas().loc[0, "age_days"] == 90


def test_pandas_needs_pyarrow_and_polars_does_not(analysis: keyrot.Analysis, monkeypatch: pytest.MonkeyPatch) -> None:
    through_pyarrow = analysis.to_polars()
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(ImportError, match=r"pip install 'pandas>=2' 'pyarrow>=15'"):
        analysis.to_pandas()
    # polars reads the Arrow C stream itself.
    assert analysis.to_polars().equals(through_pyarrow)


def test_polars_schema_and_values(analysis: keyrot.Analysis) -> None:
    df = analysis.to_polars()
    schema = dict(df.schema)
    assert schema["status"] == pl.Enum(list(keyrot.STATUSES))
    assert schema["last_used_kind"] == pl.Enum(["used", "never", "no_information"])
    for col in ("account_id", "last_used_region", "last_used_service", "code"):
        assert schema[col] == pl.Categorical, col
    for col in ("last_rotated", "due_at", "last_used"):
        assert schema[col] == pl.Datetime("us", "UTC"), col
    for col in ("user", "arn", "reason"):
        assert schema[col] == pl.String, col
    assert schema["age_days"] == pl.Int64 and schema["slot"] == pl.Int8 and schema["line"] == pl.Int64
    assert schema["used_since_rotation"] == pl.Boolean and schema["active"] == pl.Boolean
    assert df["status"].to_list() == [f.status for f in analysis]
    assert df["last_rotated"].to_list() == [f.last_rotated for f in analysis]
    assert df["age_days"].to_list() == [f.age_days for f in analysis]
    assert df["used_since_rotation"].to_list() == [f.used_since_rotation for f in analysis]
    assert df["last_used_region"].to_list() == [f.last_used_region for f in analysis]
    assert df.filter(pl.col("status") == "fail")["user"].to_list() == ["over-by-1s", "never-used"]


def test_report_frames_are_typed() -> None:
    parsed = keyrot.parse(SAMPLES / "c7n-test_iam_user_unused_keys.csv")
    df = parsed.to_pandas()
    assert len(df) == len(parsed)
    dtypes = {c: str(t) for c, t in df.dtypes.items()}
    assert dtypes["user_creation_time"] == TIME and dtypes["access_key_1_last_rotated"] == TIME
    assert dtypes["password_enabled"] == "boolean" and dtypes["mfa_active"] == "boolean"
    assert dtypes["access_key_1_last_used_region"] == "category" and dtypes["line"] == "int64"
    root = df.iloc[0]
    assert pd.isna(root["password_enabled"])  # not_supported
    assert pd.isna(root["access_key_2_last_used_date"])  # N/A
    assert root["access_key_1_last_rotated"] == pd.Timestamp("2011-08-19T05:12:23Z")
    assert list(df.columns[:5]) == ["line", "user", "arn", "account_id", "is_root"]
    pdf = parsed.to_polars()
    assert pdf.columns == list(df.columns)
    assert pdf["access_key_1_last_rotated"].to_list() == [
        r.access_key_1_last_rotated if isinstance(r.access_key_1_last_rotated, datetime) else None for r in parsed
    ]


def test_import_errors_say_what_to_install(analysis: keyrot.Analysis, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"pip install 'pandas>=2'"):
        analysis.to_pandas()
    monkeypatch.setitem(sys.modules, "polars", None)
    with pytest.raises(ImportError, match="pip install polars"):
        analysis.to_polars()


def test_old_pandas_is_refused(analysis: keyrot.Analysis, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pd, "__version__", "1.5.3")
    with pytest.raises(ImportError, match="pandas 2.0 or later"):
        analysis.to_pandas()


def test_large_values_survive() -> None:
    # Timestamps beyond pandas' nanosecond range (year 2262) still fit.
    text = report(row("far", key1="true,2999-01-01T00:00:00Z,N/A,N/A,N/A"))
    analysis = keyrot.analyze(text, as_of="3000-01-01T00:00:00Z", max_age_days=3650)
    df = analysis.to_pandas()
    assert df.loc[0, "last_rotated"] == pd.Timestamp("2999-01-01T00:00:00Z")
    assert df.loc[0, "due_at"].year == 3008
    assert analysis.to_polars()["last_rotated"].to_list() == [datetime(2999, 1, 1, tzinfo=UTC)]
