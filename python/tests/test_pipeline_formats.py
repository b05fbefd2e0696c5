"""``keyrot check --format sarif|junit``: each output validates against its
official schema or parser, on every real sample and on the hostile-names
cases, and says what the analysis says (the same failing keys, the same
lines, the inputs' SHA-256)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any, Dict, List

import pytest

import keyrot
from conftest import AS_OF, CASES, REPO, SAMPLES, report, row

jsonschema = pytest.importorskip("jsonschema")
junitparser = pytest.importorskip("junitparser")

SARIF_SCHEMA = json.loads((REPO / "testdata/schemas/sarif-2.1.0-rtm.5.json").read_text(encoding="utf-8"))
# Every recorded report (the localstack snapshot is rows already parsed into
# JSON, not a report: see testdata/samples/SOURCES.md).
NOT_REPORTS = {"SOURCES.md", "localstack-test_iam_credential_report.snapshot.json"}
INPUTS: List[Path] = sorted(p for p in SAMPLES.iterdir() if p.name not in NOT_REPORTS) + [
    CASES / name / "input.csv"
    for name in ("hostile_user_names", "user_names_with_special_characters", "user_names_non_ascii_and_128_chars")
]


def check(*args: str) -> "subprocess.CompletedProcess[bytes]":
    return subprocess.run(
        [sys.executable, "-m", "keyrot", "check", "--as-of", AS_OF, *args],
        capture_output=True,
        timeout=60,
        check=False,
    )


def spelled(text: str) -> str:
    """Text as keyrot writes it where a renderer shows it: control
    characters spelled out, as Rust's ``char::escape_unicode`` does."""
    return "".join(f"\\u{{{ord(c):x}}}" if unicodedata.category(c) == "Cc" else c for c in text)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def failing(path: Path) -> List[keyrot.Finding]:
    return [f for f in keyrot.analyze(path, as_of=AS_OF) if f.status in ("fail", "invalid")]


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: p.parent.name if p.name == "input.csv" else p.name)
def test_sarif_is_valid_and_lists_every_failing_key(path: Path) -> None:
    done = check("--format", "sarif", str(path))
    assert done.returncode in (0, 1), done.stderr
    log = json.loads(done.stdout)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    (sarif_run,) = log["runs"]
    assert sarif_run["tool"]["driver"]["name"] == "keyrot"
    assert sarif_run["tool"]["driver"]["version"] == keyrot.__version__
    results = sarif_run["results"]
    expected = failing(path)
    assert [(r["properties"]["arn"], r["properties"]["slot"]) for r in results] == [(f.arn, f.slot) for f in expected]
    for r, f in zip(results, expected):
        region = r["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] == f.line
        assert r["properties"]["status"] == f.status
        assert r["ruleId"] == "access_key_rotated"
        # Nothing from the report reaches a viewer as a control character
        # or as Markdown: names are code spans.
        text = r["message"]["text"]
        assert not any(ord(c) < 32 or c == "\x7f" for c in text), text
        if not f.is_root:
            assert "`" in text
    (artifact,) = sarif_run["artifacts"]
    assert artifact["hashes"]["sha-256"] == sha256(path)
    evidence = sarif_run["properties"]["keyrot"]
    assert evidence["version"] == keyrot.__version__
    assert evidence["inputs"][0]["input_sha256"] == sha256(path)
    assert evidence["inputs"][0]["as_of"] == AS_OF
    assert evidence["inputs"][0]["as_of_source"] == "explicit"
    assert evidence["policy"]["max_age_days"] == 90
    assert done.returncode == (1 if expected else 0)


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: p.parent.name if p.name == "input.csv" else p.name)
def test_junit_is_read_by_junitparser_and_agrees_with_the_analysis(path: Path, tmp_path: Path) -> None:
    done = check("--format", "junit", str(path))
    assert done.returncode in (0, 1), done.stderr
    out = tmp_path / "junit.xml"
    out.write_bytes(done.stdout)
    xml = junitparser.JUnitXml.fromfile(str(out))
    (suite,) = list(xml)
    analysis = keyrot.analyze(path, as_of=AS_OF)
    cases = list(suite)
    assert suite.tests == len(cases) == len(analysis)
    assert suite.failures == sum(f.status == "fail" for f in analysis)
    assert suite.errors == sum(f.status == "invalid" for f in analysis)
    properties: Dict[str, Any] = {p.name: p.value for p in suite.properties()}
    assert properties["input_sha256"] == sha256(path)
    assert properties["keyrot.version"] == keyrot.__version__
    assert json.loads(properties["policy"])["max_age_days"] == 90
    for case, f in zip(cases, analysis):
        assert case.name == f"{spelled(f.user)} key {f.slot}"
        kinds = [type(r).__name__ for r in case.result]
        assert kinds == {"fail": ["Failure"], "invalid": ["Error"]}.get(f.status, []), (f.status, kinds)
        if f.status == "fail":
            assert case.result[0].message == f"{f.to_dict()['severity']}: {spelled(f.reason)}"


def test_a_folder_with_a_bad_report(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "a.csv").write_text(report(row("old", key1="true,2020-01-01T00:00:00Z,N/A,N/A,N/A")))
    (folder / "b.csv").write_text("not,a,report\n")
    (folder / "c.csv").write_text(report(row("new", key1="true,2026-11-01T00:00:00Z,N/A,N/A,N/A")))
    sarif = check("--format", "sarif", str(folder))
    assert sarif.returncode == 2, sarif.stderr
    log = json.loads(sarif.stdout)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    (sarif_run,) = log["runs"]
    assert [r["properties"]["user"] for r in sarif_run["results"]] == ["old"]
    invocation = sarif_run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    (notification,) = invocation["toolExecutionNotifications"]
    assert notification["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("/b.csv")
    assert notification["descriptor"]["id"] == "missing_columns"
    hashes = [a.get("hashes", {}).get("sha-256") for a in sarif_run["artifacts"]]
    assert hashes == [sha256(folder / "a.csv"), None, sha256(folder / "c.csv")]
    junit = check("--format", "junit", str(folder))
    assert junit.returncode == 2
    out = tmp_path / "junit.xml"
    out.write_bytes(junit.stdout)
    suites = list(junitparser.JUnitXml.fromfile(str(out)))
    assert [(s.tests, s.failures, s.errors) for s in suites] == [(1, 1, 0), (1, 0, 1), (1, 0, 0)]


def test_only_keeps_the_cases_asked_for(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(
        report(
            row("old", key1="true,2020-01-01T00:00:00Z,N/A,N/A,N/A"),
            row("new", key1="true,2026-11-01T00:00:00Z,N/A,N/A,N/A"),
        )
    )
    done = check("--format", "junit", "--only", "pass", str(path))
    out = tmp_path / "junit.xml"
    out.write_bytes(done.stdout)
    (suite,) = list(junitparser.JUnitXml.fromfile(str(out)))
    assert [c.name for c in suite] == ["new key 1"]
    assert (suite.tests, suite.failures) == (1, 0)
    assert done.returncode == 1  # the verdict counts every key


def unknown_keys(raw: Any, dumped: Any, path: str = "") -> List[str]:
    """The keys of ``raw`` that the validated model dropped (pydantic
    ignores fields a class does not have): what the schema does not know."""
    if isinstance(raw, dict) and isinstance(dumped, dict):
        found: List[str] = []
        for key, value in raw.items():
            if key not in dumped:
                found.append(f"{path}.{key}")
            else:
                found += unknown_keys(value, dumped[key], f"{path}.{key}")
        return found
    if isinstance(raw, list) and isinstance(dumped, list):
        return [k for i, (a, b) in enumerate(zip(raw, dumped)) for k in unknown_keys(a, b, f"{path}[{i}]")]
    return []


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: p.parent.name if p.name == "input.csv" else p.name)
def test_ocsf_events_are_compliance_findings_with_their_evidence(path: Path) -> None:
    models = pytest.importorskip("py_ocsf_models.events.findings.compliance_finding")
    done = check("--format", "ocsf", str(path))
    assert done.returncode in (0, 1), done.stderr
    lines = done.stdout.decode("utf-8").splitlines()
    analysis = keyrot.analyze(path, as_of=AS_OF)
    assert len(lines) == len(analysis)
    for line, f in zip(lines, analysis):
        event = json.loads(line)
        model = models.ComplianceFinding.model_validate(event)
        assert unknown_keys(event, model.model_dump(mode="json", exclude_unset=True)) == []
        assert (model.class_uid, model.type_uid, model.metadata.version) == (2003, 200301, "1.5.0")
        assert model.metadata.product.name == "keyrot" and model.metadata.product.version == keyrot.__version__
        expected_status = {"fail": 3, "invalid": 2, "due_soon": 2}.get(f.status, 1)
        assert model.compliance.status_id == expected_status
        (resource,) = event["resources"]
        # The severity is the event's (`severity_id`), not the resource's.
        ocsf_severity = {"critical": 5, "high": 4, "medium": 3, "low": 2, "info": 1}
        assert model.severity_id == ocsf_severity[f.to_dict()["severity"]]
        assert resource["data"] == {k: v for k, v in f.to_dict().items() if k not in ("line", "reason", "severity")} | {
            "last_used": f.to_dict()["last_used"]
        }
        evidence = event["evidences"][0]["data"]
        assert evidence["input_sha256"] == sha256(path)
        assert (evidence["line"], evidence["as_of"], evidence["as_of_source"]) == (f.line, AS_OF, "explicit")
        assert evidence["keyrot_version"] == keyrot.__version__
        assert evidence["policy"]["max_age_days"] == 90
        assert event["message"] == f.reason


def test_ocsf_from_standard_input_carries_the_digest_of_what_was_piped() -> None:
    path = SAMPLES / "c7n-test_iam_user_unused_keys.csv"
    done = subprocess.run(
        [sys.executable, "-m", "keyrot", "check", "--as-of", AS_OF, "--format", "ocsf", "-"],
        input=path.read_bytes(),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines()]
    assert events and {e["evidences"][0]["data"]["input_sha256"] for e in events} == {sha256(path)}
