"""The golden suite: every case in testdata/cases, read in place (never
copied), run through ``keyrot.analyze`` with the case's options as keyword
arguments.

Success cases compare ``analysis.to_dict()`` with expected.json (parsed JSON,
so key order does not matter); error cases compare the exception's class and
its ``code``, ``line``, ``column`` and ``value`` (messages are for people).
Each case runs twice: with the input as bytes and as a path (streamed from
the file by the core). A case with exemptions.toml is judged with it; a case
with an inputs/ folder judges its reports together (``analyze_many``). A case
with expected_plan.json also checks ``analysis.plan()`` (with
access_keys.json when the folder has one); a case with diff.json compares
``keyrot.diff(old, new)`` with expected.json, as core/tests/golden.rs does.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any, Dict, List

import pytest

import keyrot
from conftest import CASES

#: Error codes about the options; every other code is about the input.
POLICY_CODES = {"invalid_policy", "invalid_as_of", "invalid_exemptions"}


def case_dirs() -> List[Path]:
    dirs = sorted(p for p in CASES.iterdir() if (p / "options.json").is_file())
    assert dirs, f"no golden cases found in {CASES}"
    return dirs


def input_of(case: Path) -> Path:
    """The case's one input file."""
    inputs = [p for p in case.iterdir() if p.stem == "input"]
    assert len(inputs) == 1, f"{case.name}: expected one input.* file, found {inputs}"
    return inputs[0]


def load(case: Path) -> Dict[str, Any]:
    options = json.loads((case / "options.json").read_text(encoding="utf-8"))
    exemptions = case / "exemptions.toml"
    if exemptions.is_file():
        options["exemptions"] = exemptions
    many = (case / "inputs").is_dir()
    return {
        # Several reports judged together, named by file name, in name order.
        "input": sorted((case / "inputs").iterdir()) if many else input_of(case),
        "many": many,
        "options": options,
        "expected": json.loads((case / "expected.json").read_text(encoding="utf-8")),
    }


CASE_DIRS = case_dirs()


PLAN_CASES = [c for c in CASE_DIRS if (c / "expected_plan.json").is_file()]
DIFF_CASES = [c for c in CASE_DIRS if (c / "diff.json").is_file()]
#: Cases of one report (or several judged together): the others are diffs.
JUDGE_CASES = [c for c in CASE_DIRS if c not in DIFF_CASES]


def test_the_suite_is_the_shared_one() -> None:
    # The folder the Rust harness reads, in place.
    assert CASES == Path(__file__).resolve().parents[2] / "testdata" / "cases"
    assert "reference_cases" in [c.name for c in CASE_DIRS]
    # Every kind of case is found, so none is skipped by accident.
    assert len(PLAN_CASES) >= 6 and any((c / "access_keys.json").is_file() for c in PLAN_CASES)
    assert "diff_a_day_later" in [c.name for c in DIFF_CASES]


def side(case: Path, stem: str) -> Path:
    """The case's one ``stem.*`` file (a diff's ``old`` and ``new``)."""
    found = [p for p in case.iterdir() if p.is_file() and p.stem == stem]
    assert len(found) == 1, f"{case.name}: expected one {stem}.* file, found {found}"
    return found[0]


@pytest.mark.parametrize("as_path", [False, True], ids=["bytes", "path"])
@pytest.mark.parametrize("case", PLAN_CASES, ids=[c.name for c in PLAN_CASES])
def test_golden_plan(case: Path, as_path: bool) -> None:
    c = load(case)
    source: Any = c["input"] if as_path else c["input"].read_bytes()
    analysis = keyrot.analyze(source, **c["options"])
    keys_file = case / "access_keys.json"
    access_keys: Any = None
    if keys_file.is_file():
        access_keys = keys_file if as_path else keys_file.read_bytes()
    plan = analysis.plan(access_keys=access_keys)
    expected = json.loads((case / "expected_plan.json").read_text(encoding="utf-8"))
    assert plan.to_dict() == expected
    assert json.loads(plan.to_json(indent=2)) == expected
    # The typed view agrees with the contract.
    assert plan.to_dicts() == expected["steps"]
    assert [s.to_dict() for s in plan] == expected["steps"]
    assert len(plan) == len(expected["steps"])
    assert plan.policy.to_dict() == expected["policy"]
    assert plan.as_of == datetime.fromisoformat(expected["as_of"].replace("Z", "+00:00"))
    for step, want in zip(plan, expected["steps"]):
        assert (step.step, step.user, step.line, step.commands) == (
            want["step"],
            want["user"],
            want["line"],
            want["commands"],
        )
        assert [k.to_dict() for k in step.keys] == want["keys"]
    if keys_file.is_file():
        # The parsed JSON gives the same plan.
        parsed = json.loads(keys_file.read_text(encoding="utf-8"))
        assert analysis.plan(access_keys=parsed).to_dict() == expected


@pytest.mark.parametrize("as_path", [False, True], ids=["bytes", "path"])
@pytest.mark.parametrize("case", DIFF_CASES, ids=[c.name for c in DIFF_CASES])
def test_golden_diff(case: Path, as_path: bool) -> None:
    options = json.loads((case / "options.json").read_text(encoding="utf-8"))
    extra = json.loads((case / "diff.json").read_text(encoding="utf-8"))
    old, new = side(case, "old"), side(case, "new")
    sources: Any = (old, new) if as_path else (old.read_bytes(), new.read_bytes())
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    if "error" in expected:
        with pytest.raises(keyrot.KeyrotError) as caught:
            keyrot.diff(*sources, old_as_of=extra.get("old_as_of"), **options)
        err = caught.value
        got = {"code": err.code, "line": err.line, "column": err.column, "value": err.value}
        assert got == expected["error"], str(err)
        return
    result = keyrot.diff(*sources, old_as_of=extra.get("old_as_of"), **options)
    assert result.to_dict() == expected
    assert result.to_dicts() == expected["changes"]
    assert [c.to_dict() for c in result] == expected["changes"]
    assert result.old.to_dict() == expected["old"]
    assert result.new.to_dict() == expected["new"]
    assert {k: v for k, v in result.counts.items() if v} == expected["counts"]
    assert result.became_overdue() is any(c["change"] == "newly_overdue" for c in expected["changes"])


@pytest.mark.parametrize("as_path", [False, True], ids=["bytes", "path"])
@pytest.mark.parametrize("case", JUDGE_CASES, ids=[c.name for c in JUDGE_CASES])
def test_golden_case(case: Path, as_path: bool) -> None:
    c = load(case)
    expected = c["expected"]
    if c["many"]:
        sources = {p.name: (p if as_path else p.read_bytes()) for p in c["input"]}
        many = keyrot.analyze_many(sources, **c["options"])
        assert many.to_dict() == expected
        assert [f.to_dict() for f in many] == expected["findings"]
        assert [a.to_dict() for a in many.anomalies] == expected["anomalies"]
        assert [r.to_dict() for r in many.reports] == expected["reports"]
        assert many.compliant is expected["summary"]["compliant"]
        return
    source: Any = c["input"] if as_path else c["input"].read_bytes()
    if "error" in expected:
        want = expected["error"]
        with pytest.raises(keyrot.KeyrotError) as caught:
            keyrot.analyze(source, **c["options"])
        err = caught.value
        expected_class = keyrot.PolicyError if want["code"] in POLICY_CODES else keyrot.ParseError
        assert type(err) is expected_class, f"{type(err).__name__}: {err}"
        assert isinstance(err, ValueError)
        got = {"code": err.code, "line": err.line, "column": err.column, "value": err.value}
        assert got == want, str(err)
    else:
        analysis = keyrot.analyze(source, **c["options"])
        assert analysis.to_dict() == expected
        # The typed view agrees with the contract.
        assert len(analysis) == len(expected["findings"])
        assert [f.to_dict() for f in analysis] == expected["findings"]
        assert [a.to_dict() for a in analysis.anomalies] == expected["anomalies"]
        assert analysis.compliant is expected["summary"]["compliant"]
        assert analysis.as_of_source == expected["as_of_source"]
