"""A report of several chunks judged on several threads: the same result as
on one, the same as the command's, and the same whichever way it is read
(findings, contract dicts, DataFrames).

The report is about 2.3 MB (the core cuts its input into chunks of about
1 MiB) and holds what takes every path of the binding: both timestamp
forms, timestamps with nanoseconds, quoted cells (read by the core's typed
path), unreadable cells (lenient mode), root rows, keys without a rotation
date or with a future one, exemptions matching keys in every chunk, and
accounts that change along the way.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

import pytest

import keyrot
from conftest import AS_OF, report, row

ROWS = 10_000
# Regions (and services) of every length the binding's dictionaries tell
# apart in different ways: up to 3 bytes, 4 to 7, 8 to 16, longer.
REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2", "sa-east-1", "x", "xy", "xyx", "yxy", "abcd", "abcde"]
REGIONS += ["abcdefgh", "abcdefghi", "abcdefghijklmnop", "bbcdefghijklmnop", "abcdefghijklmnopq", "abcdefghijklmnopr"]
SERVICES = ["s3", "ecr", "sts", "elasticloadbalancing", "secretsmanager"]
EXEMPTIONS = [
    {
        "account": "*",
        "user": "user-*7",
        "slot": 1,
        "reason": "vendor appliance cannot rotate keys",
        "owner": "secops@example.com",
        "expires": "2027-03-31",
    },
    {
        "account": "100000000005",
        "user": "user-6?9?",
        "reason": "replacement ordered",
        "owner": "secops@example.com",
        "expires": "2027-01-31",
    },
]
EXEMPTIONS_TOML = "".join(
    "[[exemption]]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in entry.items()) for entry in EXEMPTIONS
)


def timestamp(rnd: random.Random) -> str:
    day = rnd.randrange(1, 29)
    month = rnd.randrange(1, 13)
    year = rnd.choice([2024, 2025, 2026])
    clock = f"{year}-{month:02d}-{day:02d}T{rnd.randrange(24):02d}:{rnd.randrange(60):02d}:{rnd.randrange(60):02d}"
    return clock + rnd.choice(["Z", "+00:00", ".123456789Z", ".5Z"])


def key(rnd: random.Random) -> str:
    kind = rnd.random()
    if kind < 0.15:
        return "false,N/A,N/A,N/A,N/A"  # no key
    if kind < 0.17:
        return "true,N/A,N/A,N/A,N/A"  # invalid: no rotation date
    if kind < 0.19:
        return "true,2027-06-01T00:00:00Z,N/A,N/A,N/A"  # invalid: after as_of
    if kind < 0.20:
        return f'true,{timestamp(rnd)},N/A,"{rnd.choice(REGIONS)}",s3'  # quoted: the typed path
    if kind < 0.205:
        return f"maybe,{timestamp(rnd)},N/A,N/A,N/A"  # unreadable (lenient)
    active = rnd.choice(["true", "true", "false"])
    used = rnd.random()
    if used < 0.3:
        last_used = "N/A,N/A,N/A"
    elif used < 0.35:
        last_used = "no_information,N/A,N/A"
    else:
        last_used = f"{timestamp(rnd)},{rnd.choice(REGIONS)},{rnd.choice(SERVICES)}"
    return f"{active},{timestamp(rnd)},{last_used}"


def big_report() -> bytes:
    rnd = random.Random(6)
    rows: List[str] = []
    for i in range(ROWS):
        account = f"10000000000{i // 1200}"
        user = "<root_account>" if i % 1200 == 0 else f"user-{i}"
        rows.append(row(user, account=account, key1=key(rnd), key2=key(rnd)))
    data = report(*rows).encode()
    assert len(data) > 2_200_000, "the report must span three chunks"
    return data


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("threads") / "big.csv"
    path.write_bytes(big_report())
    return path


@pytest.fixture(scope="module")
def on_one_thread(big: Path) -> keyrot.Analysis:
    return keyrot.analyze(big, as_of=AS_OF, lenient=True, exemptions=EXEMPTIONS, threads=1)


@pytest.fixture(scope="module")
def expected(on_one_thread: keyrot.Analysis) -> Dict[str, Any]:
    return on_one_thread.to_dict()


def test_the_report_takes_every_path(on_one_thread: keyrot.Analysis) -> None:
    statuses = on_one_thread.summary.by_status
    assert all(statuses[s] > 100 for s in keyrot.STATUSES), statuses
    codes = {f.code for f in on_one_thread.failing()}
    assert {"no_rotation_date", "future_timestamp", "row_error"} <= codes
    exempted = [f for f in on_one_thread if f.exempted is not None]
    assert len({f.line * 4 // ROWS for f in exempted}) == 4, "exempted keys in every quarter of the report"
    assert any(a.code == "row_error" for a in on_one_thread.anomalies)
    assert {f.last_used_region for f in on_one_thread} == {None, *REGIONS}
    nanos = [f for f in on_one_thread.to_dicts() if str(f["last_rotated"]).endswith(".123456789Z")]
    assert nanos, "timestamps with nanoseconds"


@pytest.mark.parametrize("threads", [2, 5])
def test_any_number_of_threads_gives_the_same_result(
    big: Path, on_one_thread: keyrot.Analysis, expected: Dict[str, Any], threads: int
) -> None:
    from_file = keyrot.analyze(big, as_of=AS_OF, lenient=True, exemptions=EXEMPTIONS, threads=threads)
    from_bytes = keyrot.analyze(big.read_bytes(), as_of=AS_OF, lenient=True, exemptions=EXEMPTIONS, threads=threads)
    assert from_file.to_dict() == expected
    assert from_bytes.to_dict() == expected
    assert from_file.findings == on_one_thread.findings
    pytest.importorskip("pandas")
    frame, expected_frame = from_file.to_pandas(), on_one_thread.to_pandas()
    assert frame.dtypes.equals(expected_frame.dtypes)
    assert frame.equals(expected_frame)


def test_the_default_is_the_same_result(big: Path, expected: Dict[str, Any]) -> None:
    assert keyrot.analyze(big, as_of=AS_OF, lenient=True, exemptions=EXEMPTIONS).to_dict() == expected


def test_the_command_agrees(big: Path, expected: Dict[str, Any], tmp_path: Path) -> None:
    exemptions = tmp_path / "exemptions.toml"
    exemptions.write_text(EXEMPTIONS_TOML)
    args = ["check", "--as-of", AS_OF, "--lenient", "--exemptions", str(exemptions), "--format", "json", str(big)]
    done = subprocess.run([sys.executable, "-m", "keyrot", *args], capture_output=True, timeout=120, check=False)
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout) == expected


def test_findings_read_what_the_contract_says(on_one_thread: keyrot.Analysis) -> None:
    dicts = on_one_thread.to_dicts()
    assert len(dicts) == len(on_one_thread) > 16_384
    for finding, expected in zip(on_one_thread, dicts):
        assert finding.to_dict() == expected
    # Attributes, spot-checked along the whole report.
    for i in range(0, len(dicts), 997):
        f, d = on_one_thread.findings[i], dicts[i]
        got: Dict[str, Any] = {
            "user": f.user,
            "arn": f.arn,
            "account_id": f.account_id,
            "slot": f.slot,
            "status": f.status,
            "age_days": f.age_days,
            "line": f.line,
            "reason": f.reason,
            "code": f.code,
            "exempted": f.exempted,
            "last_used_region": f.last_used_region,
        }
        assert got == {k: d[k] for k in got}
    failing = on_one_thread.failing()
    assert failing == [f for f in on_one_thread if f.status in ("fail", "invalid") and f.exempted is None]


def test_frames_agree_with_the_findings(on_one_thread: keyrot.Analysis) -> None:
    pd = pytest.importorskip("pandas")
    df = on_one_thread.to_pandas()
    findings = on_one_thread.findings
    assert list(df.user) == [f.user for f in findings]
    assert list(df.reason) == [f.reason for f in findings]
    assert list(df.exempted) == [f.exempted is not None for f in findings]
    assert list(df.status.astype(str)) == [f.status for f in findings]
    regions = [f.last_used_region for f in findings]
    assert [None if pd.isna(r) else r for r in df.last_used_region] == regions
    assert sorted(df.last_used_region.cat.categories) == sorted(REGIONS)
    assert list(df.account_id.cat.categories) == sorted({f.account_id for f in findings})
    # Frames share the text buffers, which Arrow never writes to: a frame's
    # change stays in that frame.
    df.loc[5, "user"] = "changed"
    df["reason"] = df["reason"].str.upper()
    again = on_one_thread.to_pandas()
    assert (again.loc[5, "user"], findings[5].user) == (findings[5].user, f"user-{findings[5].line - 2}")
    assert list(again.reason) == [f.reason for f in findings]
    pl = pytest.importorskip("polars")
    assert on_one_thread.to_polars()["arn"].to_list() == [f.arn for f in findings]
    assert on_one_thread.to_polars()["last_used_service"].to_list() == [f.last_used_service for f in findings]
    assert pl.Series(df.line.to_numpy()).to_list() == [f.line for f in findings]


def test_many_reports_of_several_parts(big: Path, on_one_thread: keyrot.Analysis) -> None:
    many = keyrot.analyze_many({"big": big, "again": big}, as_of=AS_OF, lenient=True, exemptions=EXEMPTIONS)
    assert len(many) == 2 * len(on_one_thread)
    dicts = many.to_dicts()
    assert [d["source"] for d in dicts] == ["big"] * len(on_one_thread) + ["again"] * len(on_one_thread)
    one = on_one_thread.to_dicts()
    assert [{k: v for k, v in d.items() if k != "source"} for d in dicts] == one + one
    findings = many.findings
    for i in [*range(0, len(dicts), 499), len(dicts) - 1]:
        assert findings[i].to_dict() == dicts[i]
        assert findings[i].source == dicts[i]["source"]


def test_the_first_bad_row_is_the_error_on_any_number_of_threads(big: Path, tmp_path: Path) -> None:
    # Strict mode stops at the first unreadable cell, in input order: here
    # one in the last chunk, then one in the first as well.
    lines = big.read_bytes().replace(b",maybe,", b",true,").split(b"\n")
    late, early = len(lines) - 100, 50
    for bad in ([late], [early, late]):
        for at in bad:
            lines[at] = lines[at].replace(b",false,", b",maybe,", 1)
        path = tmp_path / "bad.csv"
        path.write_bytes(b"\n".join(lines))
        for threads in (1, 2, 4):
            with pytest.raises(keyrot.ParseError) as caught:
                keyrot.analyze(path, as_of=AS_OF, threads=threads)
            error = caught.value
            assert (error.code, error.line, error.value) == ("invalid_boolean", bad[0] + 1, "maybe")


@pytest.mark.parametrize("threads", [0, -1, 257])
def test_threads_out_of_range_is_a_policy_error(threads: int) -> None:
    with pytest.raises(keyrot.PolicyError) as caught:
        keyrot.analyze(report(row("a")), as_of=AS_OF, threads=threads)
    assert caught.value.code == "invalid_policy"
    assert caught.value.column == "threads"
    assert caught.value.value == str(threads)
