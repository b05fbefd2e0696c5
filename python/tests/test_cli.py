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
from conftest import AS_OF, REFERENCE, SAMPLES, report, row
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
