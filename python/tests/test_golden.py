"""The golden suite: every case in testdata/cases, read in place (never
copied), run through ``keyrot.analyze`` with the case's options as keyword
arguments.

Success cases compare ``analysis.to_dict()`` with expected.json (parsed JSON,
so key order does not matter); error cases compare the exception's class and
its ``code``, ``line``, ``column`` and ``value`` (messages are for people).
Each case runs twice: with the input as bytes and as a path (streamed from
the file by the core). A case with exemptions.toml is judged with it; a case
with an inputs/ folder judges its reports together (``analyze_many``).
"""

from __future__ import annotations

import json
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


def test_the_suite_is_the_shared_one() -> None:
    # The folder the Rust harness reads, in place.
    assert CASES == Path(__file__).resolve().parents[2] / "testdata" / "cases"
    assert "reference_cases" in [c.name for c in CASE_DIRS]


@pytest.mark.parametrize("as_path", [False, True], ids=["bytes", "path"])
@pytest.mark.parametrize("case", CASE_DIRS, ids=[c.name for c in CASE_DIRS])
def test_golden_case(case: Path, as_path: bool) -> None:
    if (case / "diff.json").is_file():
        pytest.skip("a diff of two reports (keyrot::diff): not part of the Python API yet")
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
