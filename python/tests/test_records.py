"""The package's values over the core's contract (issue 25 §3): the cold
records are frozen dataclasses made of the contract's dicts, the lists of
names and the option defaults are the core's, and the stub's ``Literal``
types are those lists."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import json
import typing
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, List

import pytest

import keyrot
from conftest import AS_OF, CASES, REFERENCE

UTC = timezone.utc
STUB = Path(keyrot.__file__).with_name("_native.pyi")


def stub_literals() -> Dict[str, List[str]]:
    """The ``_Name = Literal[...]`` aliases of the stub, by name."""
    found = {}
    for node in ast.parse(STUB.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Subscript):
            target = node.targets[0]
            if isinstance(target, ast.Name) and getattr(node.value.value, "id", None) == "Literal":
                inner = node.value.slice
                items = inner.elts if isinstance(inner, ast.Tuple) else [inner]
                found[target.id] = [ast.literal_eval(item) for item in items]
    return found


@pytest.mark.parametrize(
    "alias, names",
    [
        ("_Status", "STATUSES"),
        ("_Rule", "RULES"),
        ("_CisVersion", "CIS_VERSIONS"),
        ("_Granularity", "GRANULARITIES"),
        ("_Format", "FORMATS"),
        ("_AnomalyCode", "ANOMALY_CODES"),
        ("_Step", "STEPS"),
        ("_Role", "ROLES"),
        ("_ChangeCode", "CHANGES"),
    ],
)
def test_the_stubs_literals_are_the_cores_lists(alias: str, names: str) -> None:
    listed = getattr(keyrot._native, names)
    assert isinstance(listed, tuple) and listed
    assert stub_literals()[alias] == list(listed)


def test_the_public_lists_are_the_native_ones() -> None:
    for name in ("STATUSES", "RULES", "STEPS", "CHANGES", "ANOMALY_CODES"):
        assert getattr(keyrot, name) is getattr(keyrot._native, name), name
    assert keyrot.STATUSES == ("fail", "invalid", "due_soon", "pass", "inactive")
    assert keyrot._native.NON_COMPLIANT == ("fail", "invalid")
    # What the core judges: every rule id it reports is in the list.
    analysis = keyrot.analyze(REFERENCE / "input.csv", as_of=AS_OF, rules="all")
    assert {f.rule for f in analysis} <= set(keyrot.RULES)
    assert {a.code for a in analysis.anomalies} <= set(keyrot.ANOMALY_CODES)


def test_runtime_literal_types_come_from_the_lists() -> None:
    hints = inspect.signature(keyrot.analyze).parameters
    assert typing.get_args(hints["granularity"].annotation) == keyrot._native.GRANULARITIES
    assert typing.get_args(hints["format"].annotation) == keyrot._native.FORMATS
    (cis, _none) = typing.get_args(hints["cis_version"].annotation)
    assert typing.get_args(cis) == keyrot._native.CIS_VERSIONS
    step = typing.get_type_hints(keyrot.Step)["step"]
    assert typing.get_args(step) == keyrot.STEPS


def test_signature_defaults_are_the_cores() -> None:
    defaults = keyrot._native.DEFAULT_OPTIONS
    assert defaults["max_age_days"] == 90 and defaults["granularity"] == "exact"
    for function in (keyrot.analyze, keyrot.analyze_many, keyrot.plan, keyrot.diff, keyrot.parse):
        parameters = inspect.signature(function).parameters
        shared = [name for name in parameters if name in defaults]
        assert shared, function.__name__
        for name in shared:
            want = defaults[name]
            assert parameters[name].default == (tuple(want) if isinstance(want, list) else want), name
            assert parameters[name].kind is inspect.Parameter.KEYWORD_ONLY
    # The core applies them: an analysis with no options has that policy.
    policy = keyrot.analyze(REFERENCE / "input.csv", as_of=AS_OF).policy.to_dict()
    assert policy == {k: defaults[k] for k in policy}


def test_help_shows_real_types_and_defaults() -> None:
    text = inspect.signature(keyrot.analyze).__str__()
    assert "'Source'" not in text and '"' not in text
    assert "source: Union[str, os.PathLike[str], bytes" in text
    assert "granularity: Literal['exact', 'whole_days'] = 'exact'" in text
    assert "max_age_days: int = 90" in text
    assert text.endswith("-> keyrot.Analysis")
    assert "access_keys" in str(inspect.signature(keyrot.plan))
    assert "old_as_of" in str(inspect.signature(keyrot.diff))
    assert str(inspect.signature(keyrot.Analysis.plan)).startswith("(self, *, access_keys:")


@pytest.fixture(scope="module")
def plan() -> keyrot.Plan:
    case = CASES / "plan_with_access_key_ids"
    analysis = keyrot.analyze(case / "input.csv", as_of=AS_OF)
    return analysis.plan(access_keys=case / "access_keys.json")


def test_records_are_frozen_dataclasses_of_the_contract(plan: keyrot.Plan) -> None:
    step = plan.steps[0]
    for record in (step, step.keys[0]):
        assert dataclasses.is_dataclass(record)
        with pytest.raises(dataclasses.FrozenInstanceError):
            record.slot = 3  # type: ignore[misc,union-attr]
    expected = json.loads((CASES / "plan_with_access_key_ids" / "expected_plan.json").read_text())
    assert step.to_dict() == expected["steps"][0]
    # to_dict() is a copy: changing it changes nothing.
    step.to_dict()["user"] = "someone else"
    assert step.to_dict() == expected["steps"][0]
    key = step.keys[0]
    assert isinstance(key.last_rotated, datetime) and key.last_rotated.tzinfo is not None
    assert key.last_rotated.isoformat().replace("+00:00", "Z") == expected["steps"][0]["keys"][0]["last_rotated"]
    assert step == dataclasses.replace(step) and hash(step) == hash(dataclasses.replace(step))


def test_a_records_times_are_aware_and_outside_years_read_none() -> None:
    from keyrot._records import _time

    assert _time("2026-11-26T00:00:00Z") == datetime(2026, 11, 26, tzinfo=UTC)
    assert _time("2026-11-26T00:00:00.123456789Z") == datetime(2026, 11, 26, 0, 0, 0, 123456, tzinfo=UTC)
    assert _time("2026-11-26T00:00:00.500Z") == datetime(2026, 11, 26, 0, 0, 0, 500000, tzinfo=UTC)
    assert _time("+10000-01-01T00:00:00Z") is None
    assert _time(None) is None


def test_report_outcomes_carry_their_error_and_contract() -> None:
    case = CASES / "many_reports_one_verdict"
    expected = json.loads((case / "expected.json").read_text())
    many = keyrot.analyze_many({p.name: p for p in sorted((case / "inputs").iterdir())}, as_of=AS_OF)
    assert [r.to_dict() for r in many.reports] == expected["reports"]
    broken = [r for r in many.reports if r.error is not None]
    assert [r.source for r in broken] == [r["source"] for r in expected["reports"] if r["error"]]
    assert all(isinstance(r.error, keyrot.KeyrotError) and r.error.code == r.to_dict()["error"]["code"] for r in broken)
    judged = [r for r in many.reports if r.error is None]
    assert all(r.as_of == datetime(2026, 11, 26, tzinfo=UTC) and r.counts is not None for r in judged)


def test_row_problems_are_anomaly_records() -> None:
    case = CASES / "invalid_boolean_lenient"
    report = keyrot.parse(next(case.glob("input.*")), lenient=True)
    problems = [p for row in report for p in row.problems]
    assert problems and all(isinstance(p, keyrot.Anomaly) for p in problems)
    assert problems == [a for a in report.anomalies if a.code == "row_error"]


def test_table_views_share_one_base() -> None:
    bases = {
        cls: cls.__mro__ for cls in (keyrot.Analysis, keyrot.ManyAnalysis, keyrot.Report, keyrot.Plan, keyrot.Diff)
    }
    for cls, mro in bases.items():
        assert keyrot._Table in mro, cls
        for method in ("to_dicts", "to_json", "to_pandas", "to_polars", "__arrow_c_stream__", "_repr_html_"):
            assert method not in vars(cls), (cls, method)


def test_native_views_stay_lazy_and_typed() -> None:
    analysis = keyrot.analyze(REFERENCE / "input.csv", as_of=AS_OF)
    finding = analysis.findings[0]
    assert type(finding) is keyrot.Finding and type(finding).__module__ == "keyrot._native"
    # Each getter carries its docstring, written once in Rust.
    assert "whole days" in (type(finding).age_days.__doc__ or "")
    assert finding.to_dict() == json.loads((REFERENCE / "expected.json").read_text())["findings"][0]


def test_anything_the_contract_dict_holds_is_kept(plan: keyrot.Plan) -> None:
    raw: Any = plan.to_dicts()[0]
    assert set(f.name for f in dataclasses.fields(keyrot.Step)) - {"_raw", "source"} <= set(raw)
