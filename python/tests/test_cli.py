"""``python -m keyrot``: the command line of the ``keyrot-cli`` crate,
linked into the extension module: same options, same output, same exit
statuses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

import keyrot
from conftest import AS_OF, CASES, REFERENCE, SAMPLES, report, row
from keyrot.__main__ import main

REFERENCE_CSV = REFERENCE / "input.csv"


def run(*args: str, stdin: bytes = b"") -> "subprocess.CompletedProcess[bytes]":
    return subprocess.run(
        [sys.executable, "-m", "keyrot", *args], input=stdin, capture_output=True, timeout=60, check=False
    )


def test_check_json_is_the_analysis() -> None:
    done = run("check", "--as-of", AS_OF, "--format", "json", str(REFERENCE_CSV))
    assert done.returncode == 1, done.stderr  # not compliant
    assert json.loads(done.stdout) == keyrot.analyze(REFERENCE_CSV, as_of=AS_OF).to_dict()


def test_exit_statuses(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text(report(row("a", key1="true,2026-11-01T00:00:00Z,N/A,N/A,N/A")))
    assert run("check", "--as-of", AS_OF, str(good)).returncode == 0
    assert run("check", "--as-of", AS_OF, str(REFERENCE_CSV)).returncode == 1
    assert run("check", "--as-of", AS_OF, "--fail-on", "never", str(REFERENCE_CSV)).returncode == 0
    bad = run("check", "--as-of", AS_OF, str(SAMPLES / "SOURCES.md"))
    assert bad.returncode == 2
    assert b"missing" in bad.stderr.lower() or b"not a credential report" in bad.stderr
    assert run("check", "--max-age-days", "0", "--as-of", AS_OF, str(good)).returncode == 2
    assert run("check").returncode == 2  # usage error
    assert run("no-such-command").returncode == 2


def test_reads_stdin() -> None:
    done = run("check", "--as-of", AS_OF, "--format", "json", "-", stdin=REFERENCE_CSV.read_bytes())
    assert done.returncode == 1
    assert json.loads(done.stdout)["summary"]["fail"] == 2


def test_version_and_help() -> None:
    version = run("--version")
    assert version.returncode == 0
    assert keyrot.__version__ in version.stdout.decode()
    helped = run("check", "--help")
    assert helped.returncode == 0 and b"--max-age-days" in helped.stdout


def test_main_in_process_writes_to_the_process_streams(capfd: pytest.CaptureFixture[str]) -> None:
    print("before", flush=False)  # flushed by main() before the command writes
    status = main(["check", "--as-of", AS_OF, "--only", "fail", "--format", "csv", str(REFERENCE_CSV)])
    out = capfd.readouterr().out
    assert status == 1
    lines: List[str] = out.splitlines()
    assert lines[0] == "before"
    assert len([line for line in lines[2:] if line]) == 2  # header, then the two failing keys
    assert "over-by-1s" in out and "never-used" in out and "exactly-90d" not in out


PLAN_CASE = CASES / "plan_with_access_key_ids"
DIFF_CASE = CASES / "diff_a_day_later"


def test_every_subcommand_is_wired() -> None:
    for command in ("check", "plan", "diff"):
        helped = run(command, "--help")
        assert helped.returncode == 0, command
        assert b"Usage: keyrot " + command.encode() in helped.stdout
    listed = run("--help").stdout
    assert all(command in listed for command in (b"check", b"plan", b"diff"))


def test_plan_json_is_the_plan() -> None:
    report_csv = PLAN_CASE / "input.csv"
    done = run("plan", "--as-of", AS_OF, "--format", "json", str(report_csv))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == keyrot.analyze(report_csv, as_of=AS_OF).plan().to_dict()
    keys = PLAN_CASE / "access_keys.json"
    done = run("plan", "--as-of", AS_OF, "--format", "json", "--access-keys", str(keys), str(report_csv))
    assert done.returncode == 0, done.stderr
    plan = keyrot.analyze(report_csv, as_of=AS_OF).plan(access_keys=keys)
    assert json.loads(done.stdout) == plan.to_dict() == json.loads((PLAN_CASE / "expected_plan.json").read_text())


def test_plan_grace_days_and_formats() -> None:
    phases = CASES / "plan_two_key_rotation_phases" / "input.csv"
    done = run("plan", "--as-of", AS_OF, "--grace-days", "0", "--format", "json", str(phases))
    assert json.loads(done.stdout) == keyrot.analyze(phases, as_of=AS_OF, grace_days=0).plan().to_dict()
    script = run("plan", "--as-of", AS_OF, "--format", "sh", str(phases))
    assert script.returncode == 0 and script.stdout.startswith(b"#!/bin/sh")
    table = run("plan", "--as-of", AS_OF, str(phases))
    assert b"update_applications" in table.stdout and b"keyrot never calls AWS" in table.stdout
    assert run("plan", "--as-of", AS_OF, str(SAMPLES / "SOURCES.md")).returncode == 2


def test_plan_of_several_reports_from_stdin_too() -> None:
    phases = CASES / "plan_two_key_rotation_phases" / "input.csv"
    done = run(
        "plan", "--as-of", AS_OF, "--format", "json", str(phases), "-", stdin=(PLAN_CASE / "input.csv").read_bytes()
    )
    assert done.returncode == 0, done.stderr
    reports = json.loads(done.stdout)["reports"]
    plans = keyrot.analyze_many({str(phases): phases, "<stdin>": PLAN_CASE / "input.csv"}, as_of=AS_OF).plan()
    assert [r["source"] for r in reports] == list(plans)
    assert [r["plan"] for r in reports] == [p.to_dict() for p in plans.values()]


def test_diff_json_is_the_diff() -> None:
    old, new = DIFF_CASE / "old.csv", DIFF_CASE / "new.csv"
    done = run("diff", "--as-of", AS_OF, "--format", "json", str(old), str(new))
    assert done.returncode == 1, done.stderr  # a key became overdue
    assert json.loads(done.stdout) == keyrot.diff(old, new, as_of=AS_OF).to_dict()
    assert json.loads(done.stdout) == json.loads((DIFF_CASE / "expected.json").read_text())
    calm = run("diff", "--as-of", AS_OF, "--old-as-of", AS_OF, "--format", "json", str(new), str(new))
    assert calm.returncode == 0
    assert json.loads(calm.stdout) == keyrot.diff(new, new, as_of=AS_OF, old_as_of=AS_OF).to_dict()
    table = run("diff", "--as-of", AS_OF, str(old), str(new))
    assert b"newly_overdue" in table.stdout and b"its newest timestamp" in table.stdout
    assert run("diff", "--as-of", AS_OF, str(old), str(SAMPLES / "SOURCES.md")).returncode == 2
    assert run("diff", str(old)).returncode == 2  # usage: two reports
