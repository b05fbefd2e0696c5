"""Every ```python block of python/README.md, run in order in one namespace
from the repository root, offline: the boto3 cell runs under moto's
in-process AWS, plots go to matplotlib's Agg backend."""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

import keyrot
from conftest import REPO

README = Path(__file__).resolve().parents[1] / "README.md"


def python_blocks() -> List[str]:
    blocks = re.findall(r"^```python\n(.*?)^```$", README.read_text(encoding="utf-8"), flags=re.S | re.M)
    assert len(blocks) >= 8, "the README's examples were not found"
    return blocks


@contextlib.contextmanager
def offline_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    moto = pytest.importorskip("moto")
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    with moto.mock_aws():
        yield


def test_readme_examples_run(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pandas")
    pytest.importorskip("polars")
    pytest.importorskip("matplotlib")
    pytest.importorskip("duckdb")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.chdir(REPO)
    namespace: Dict[str, Any] = {"__name__": "__readme__"}
    printed = io.StringIO()
    with offline_aws(monkeypatch), contextlib.redirect_stdout(printed):
        for number, block in enumerate(python_blocks(), start=1):
            code = compile(block, f"{README.name} python block {number}", "exec")
            exec(code, namespace)
    # What the examples claim in their comments holds.
    out = printed.getvalue()
    assert namespace["live"].as_of_source == "report"
    assert "[('619193117841', 6)]" in out
    assert namespace["arrow_table"].num_rows == namespace["polars_frame"].height == len(namespace["analysis"])
    assert "missing_columns 1" in out
    assert "[('ok', 'pass', None), ('bad', 'invalid', 'row_error')]" in out
    assert "[(3, 'access_key_1_last_rotated', 'invalid_timestamp')]" in out
    assert "<root_account> not_supported 2011-08-19 05:12:23+00:00" in out
    assert repr(namespace["analysis"]) == (
        "<keyrot.Analysis NOT compliant: 9 keys (fail=6, invalid=0, due_soon=0, pass=2, inactive=1); "
        "as_of 2016-11-26T00:00:00Z (explicit)>"
    )
    assert list(namespace["overdue"].user) == ["<root_account>", "charmworld", "Hazmat", "kapilt", "tyre", "kaleb"]
    by_account = namespace["by_account"]
    assert by_account.loc["644160558196", "reports"] == 4  # the same account in four of the samples
    assert by_account["failing"].sum() > 0
    # The age recipes leave invalid keys out: the samples hold two with a
    # date in the future (age about -26,000 days), which would crush the plot.
    keys = namespace["keys"]
    assert (keys.status == "invalid").sum() == 2 and keys[keys.status == "invalid"]["age_days"].max() < -20000
    assert "invalid" not in set(namespace["active"]["status"]) and namespace["active"]["age_days"].min() >= 0
    valid = keys[keys.status != "invalid"]
    assert by_account["oldest_days"].to_dict() == valid.groupby("account_id", observed=True)["age_days"].max().to_dict()
    assert "1 ['<root_account>', 'Hazmat', 'kaleb']" in out
    # The plan and the diff.
    assert repr(namespace["plan"]) == (
        "<keyrot.Plan 6 steps (remove_root_key=1, deactivate_unused_key=4, create_new_key=1); "
        "as_of 2016-11-26T00:00:00Z>"
    )
    assert "charmworld  deactivate_unused_key  aws iam update-access-key --user-name 'charmworld'" in out
    assert "free_slot [(2, 'target', 'AKIAI44QH8DHBEXAMPLE'), (1, 'old', 'AKIAIOSFODNN7EXAMPLE')]" in out
    assert "aws iam delete-access-key --user-name 'deploy' --access-key-id 'AKIAI44QH8DHBEXAMPLE'" in out
    assert "['no listed key of this user was created at 2025-06-01T00:00:00Z: " in out
    # The plan's steps in the core's order (needed to pass first, then triage), as the golden plan holds them.
    golden = json.loads((REPO / "testdata/cases/plan_with_access_key_ids/expected_plan.json").read_text("utf-8"))
    assert list(namespace["steps"].user) == [s["user"] for s in golden["steps"]]
    assert "'c7n-test_iam_user_unused_keys.csv': 8" in out
    assert "newest_timestamp 2026-11-01 00:00:00+00:00" in out
    assert "True 1 1" in out
    assert "becomes-overdue 8 2026-08-20 00:00:00+00:00" in out
    # The diff of two analyses, each at its own as_of, is the diff of the files at those times.
    assert namespace["before"].as_of_source == "date"
    assert keyrot.diff(namespace["before"], namespace["after"]).to_dicts() == namespace["changes"].to_dicts()


def test_root_readme_python_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Python block of the repository's front-page README."""
    pytest.importorskip("pandas")
    text = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```python\n(.*?)^```$", text, flags=re.S | re.M)
    assert len(blocks) == 1, "the front page has one Python example"
    monkeypatch.chdir(REPO)
    namespace: Dict[str, Any] = {"__name__": "__readme__"}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(blocks[0], "README.md python block", "exec"), namespace)
    assert printed.getvalue() == "False 8\n"
    frame = namespace["frame"]
    assert str(frame["status"].dtype) == "category"
    assert str(frame["last_rotated"].dtype) == "datetime64[us, UTC]"
