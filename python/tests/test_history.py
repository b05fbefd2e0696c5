"""The golden history cases (testdata/history, read in place) through
``keyrot.history``, and the history's tables, chart and errors.

Each case's reports are given as a mapping of file names to paths and to
bytes; ``times`` and ``time_from_name`` come from its options.json, the rest
are keyword arguments. Success cases compare ``to_dict()`` with
expected.json; error cases the exception's ``code``, ``line``, ``column`` and
``value``, as core/tests/history.rs does.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, List

import pytest

import keyrot
from conftest import REPO

HISTORY = REPO / "testdata" / "history"
CASES: List[Path] = sorted(p for p in HISTORY.iterdir() if (p / "options.json").is_file())


def run(case: Path, as_bytes: bool) -> Any:
    options: Dict[str, Any] = json.loads((case / "options.json").read_text(encoding="utf-8"))
    files = sorted((case / "reports").iterdir())
    reports = {p.name: (p.read_bytes() if as_bytes else p) for p in files}
    return keyrot.history(reports, **options)


def test_every_case_is_here() -> None:
    assert len(CASES) >= 9


@pytest.mark.parametrize("as_bytes", [False, True], ids=["path", "bytes"])
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_history(case: Path, as_bytes: bool) -> None:
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    if "error" in expected:
        with pytest.raises(keyrot.KeyrotError) as caught:
            run(case, as_bytes)
        err = caught.value
        got = {"code": err.code, "line": err.line, "column": err.column, "value": err.value}
        assert got == expected["error"]
        return
    assert run(case, as_bytes).to_dict() == expected


def test_a_folder_names_reports_by_path_and_times_by_file_name() -> None:
    folder = HISTORY / "account_added_midway" / "reports"
    history = keyrot.history(
        folder, time_from_name="%Y-%m-%d", times={"b-2026-08-08.csv": datetime(2026, 8, 8, 12, tzinfo=timezone.utc)}
    )
    sources = [(Path(r["source"]).name, r["time"], r["time_source"]) for r in history.reports]
    assert sources[:3] == [
        ("a-2026-08-01.csv", "2026-08-01T00:00:00Z", "file_name"),
        ("a-2026-08-08.csv", "2026-08-08T00:00:00Z", "file_name"),
        ("b-2026-08-08.csv", "2026-08-08T12:00:00Z", "given"),
    ]
    assert all(r["source"].startswith(str(folder)) for r in history.reports)
    globbed = keyrot.history(str(folder / "b-*.csv"), time_from_name="%Y-%m-%d")
    assert [r["account_id"] for r in globbed.reports] == ["222222222222", "222222222222"]


def test_tables_are_frames_with_utc_times() -> None:
    pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    history = run(HISTORY / "clean_rotation_every_step", as_bytes=False)
    keys = history.to_pandas("keys")
    assert len(keys) == len(history.keys) == 3
    assert str(keys["created"].dt.tz) == "UTC"
    alice_old = keys[(keys["user"] == "alice") & (keys["outcome"] == "rotated")].iloc[0]
    assert (alice_old["days_overdue"], alice_old["days_overdue_max"]) == (8, 12)
    trend = history.to_pandas("trend")
    assert list(trend["fail"]) == [p["counts"]["fail"] for p in history.trend["accounts"][0]["points"]]
    assert len(history.to_arrow("overall")) == len(history.trend["overall"])
    assert set(history.to_pandas("rotations")["outcome"]) == {"completed"}
    with pytest.raises(keyrot.PolicyError):
        history.to_pandas("nothing")


def test_the_notebook_view_charts_the_trend() -> None:
    history = run(HISTORY / "rotation_stalled_at_second_key", as_bytes=True)
    page = history._repr_html_()
    assert page.count("<svg") == 1 and 'class="keyrot-trend"' in page
    fails = [p["counts"]["fail"] for p in history.trend["overall"]]
    assert page.count('data-fail="1"') == fails.count(1) == 5
    assert "update_applications 28 days" in page
    assert repr(history).startswith("History(reports=5, accounts=1, keys=2")
    assert len(history.stalled()) == 1


def test_a_report_without_a_time_and_bad_options() -> None:
    folder = HISTORY / "report_without_time" / "reports"
    with pytest.raises(keyrot.ParseError) as caught:
        keyrot.history(folder, time_from_name="%Y-%m-%d")
    assert caught.value.code == "no_report_time"
    assert "times=" in str(caught.value) and caught.value.value is not None
    assert caught.value.value.endswith("undated.csv")
    with pytest.raises(keyrot.PolicyError) as bad:
        keyrot.history(folder, time_from_name="%Q")
    assert bad.value.column == "time_from_name"
    with pytest.raises(keyrot.PolicyError):
        keyrot.history(folder, times={"elsewhere.csv": "2026-01-01"})
    with pytest.raises(keyrot.PolicyError):
        keyrot.history(folder, times={"undated.csv": datetime(2026, 1, 1)})
    with pytest.raises(keyrot.PolicyError) as stall:
        keyrot.history(folder, stall_days=5000)
    assert stall.value.column == "stall_days"
