"""The Arrow PyCapsule interface: pyarrow, polars, DuckDB and pandas 3 read
every table keyrot makes (findings, rows, plan steps, diff changes) through
``__arrow_c_stream__``, and what they read is what ``to_dicts()`` says."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, Dict, List

import pytest

import keyrot
from conftest import AS_OF, CASES, REFERENCE, REPO, SAMPLES, report, row

pa = pytest.importorskip("pyarrow")
pl = pytest.importorskip("polars")
pd = pytest.importorskip("pandas")
duckdb = pytest.importorskip("duckdb")

UNUSED = SAMPLES / "c7n-test_iam_user_unused_keys.csv"
GUARDIAN = SAMPLES / "guardian-security-hq-CredentialsReportTest.csv"
HOSTILE = CASES / "plan_hostile_user_names" / "input.csv"


def parse_time(text: Any) -> Any:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if isinstance(text, str) else text


def finding_as_arrow_row(contract: Dict[str, Any], finding: Any) -> Dict[str, Any]:
    """A finding of the JSON contract in the Arrow schema's terms: times
    parsed, ``last_used`` split into a time and its kind, ``exempted`` a
    flag, and the ``rule`` and ``cis`` Arrow has whether or not the run
    labels its findings."""
    out = dict(contract)
    out["rule"], out["cis"] = finding.rule, finding.cis
    for name in ("last_rotated", "due_at"):
        out[name] = parse_time(out[name])
    used = out["last_used"]
    if used in ("never", "no_information"):
        out["last_used"], out["last_used_kind"] = None, used
    else:
        out["last_used"], out["last_used_kind"] = parse_time(used), None if used is None else "used"
    out["exempted"] = out["exempted"] is not None
    return out


def normalise(rows: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Arrow rows with aware datetimes compared as instants (pyarrow gives
    ``zoneinfo`` UTC, the contract ``timezone.utc``)."""
    return [{k: (v.timestamp() if isinstance(v, datetime) else v) for k, v in r.items()} for r in rows]


def analyses() -> List[Any]:
    exemptions = [{"account": "*", "user": "never-*", "reason": "migrating", "expires": "2027-01-01"}]
    return [
        keyrot.analyze(REFERENCE / "input.csv", as_of=AS_OF),
        keyrot.analyze(REFERENCE / "input.csv", as_of=AS_OF, exemptions=exemptions),
        keyrot.analyze(UNUSED, as_of=AS_OF),
        keyrot.analyze(HOSTILE, as_of=AS_OF),
        # Every check: findings about users (no slot) beside keys'.
        keyrot.analyze(GUARDIAN, as_of=AS_OF, rules="all", cis_version="v5.0.0"),
        keyrot.analyze_many({"unused.csv": UNUSED, "guardian.csv": GUARDIAN}, as_of=AS_OF),
    ]


@pytest.mark.parametrize(
    "analysis", analyses(), ids=["reference", "exempted", "unused", "hostile", "every_check", "many"]
)
def test_every_consumer_reads_the_findings_of_to_dicts(analysis: Any) -> None:
    expected = normalise([finding_as_arrow_row(d, f) for d, f in zip(analysis.to_dicts(), analysis)])
    assert len(expected) == len(analysis) > 0
    through_pyarrow = pa.table(analysis)
    assert normalise(through_pyarrow.to_pylist()) == expected
    assert normalise(pl.DataFrame(analysis).to_dicts()) == expected
    assert normalise(analysis.to_polars().to_dicts()) == expected
    frame = pd.DataFrame.from_arrow(analysis)
    assert list(frame.columns) == through_pyarrow.schema.names
    assert set(frame.columns) == set(expected[0])
    assert list(frame["user"]) == [e["user"] for e in expected]
    assert list(frame["status"]) == [e["status"] for e in expected]
    # DuckDB finds the object by its Python name.
    relation = duckdb.sql("select * from analysis")
    assert relation.columns == through_pyarrow.schema.names
    assert normalise([dict(zip(relation.columns, r)) for r in relation.fetchall()]) == expected
    failing = duckdb.sql("select arn, slot from analysis where status = 'fail'").fetchall()
    assert sorted(failing) == sorted((f.arn, f.slot) for f in analysis if f.status == "fail")


def test_the_schema_is_typed_and_the_same_for_no_findings() -> None:
    schema = pa.table(keyrot.analyze(REFERENCE / "input.csv", as_of=AS_OF)).schema
    empty = pa.table(keyrot.analyze(report(), as_of=AS_OF))
    assert empty.num_rows == 0 and empty.schema == schema
    assert schema.field("last_rotated").type == pa.timestamp("us", tz="UTC")
    assert schema.field("age_days").type == pa.int64() and schema.field("age_days").nullable
    assert schema.field("line").type == pa.int64() and not schema.field("line").nullable
    assert schema.field("slot").type == pa.int8()
    status = schema.field("status")
    assert pa.types.is_dictionary(status.type) and status.type.ordered and not status.nullable
    assert status.metadata == {b"keyrot.enum": ",".join(keyrot.STATUSES).encode()}
    # The enumerations' values do not depend on the data.
    nothing = keyrot.analyze(report(), as_of=AS_OF)
    assert list(nothing.to_pandas()["status"].cat.categories) == list(keyrot.STATUSES)
    assert nothing.to_polars().schema["status"] == pl.Enum(list(keyrot.STATUSES))
    assert "source" not in schema.names
    many = pa.table(keyrot.analyze_many([REFERENCE / "input.csv"], as_of=AS_OF))
    assert many.schema.names == ["source", *schema.names]


def test_a_large_report_streams_one_batch_per_judged_chunk(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    subprocess.run(
        [sys.executable, str(REPO / "python" / "bench" / "gen_report.py"), str(path), "--rows", "20000"], check=True
    )
    analysis = keyrot.analyze(path, as_of=AS_OF)
    reader = pa.RecordBatchReader.from_stream(analysis)
    batches = list(reader)
    # 20,000 rows are about 4.5 MB: several chunks, each its own batch.
    assert len(batches) > 3
    assert sum(b.num_rows for b in batches) == len(analysis) > 10_000
    table = pa.Table.from_batches(batches)
    assert table.column("line").to_pylist() == [f.line for f in analysis]
    assert table.column("reason").to_pylist() == [f.reason for f in analysis]
    # The dictionaries differ by batch; consumers unify them.
    frame = analysis.to_pandas()
    assert frame["account_id"].value_counts().sum() == len(analysis)
    assert pl.DataFrame(analysis)["status"].to_list() == [f.status for f in analysis]


def test_rows_plans_and_diffs_are_streams_too() -> None:
    parsed = keyrot.parse(UNUSED)
    rows = pa.table(parsed)
    assert rows.num_rows == len(parsed)
    assert rows.column("user").to_pylist() == [r.user for r in parsed]
    assert rows.column("access_key_1_last_rotated").to_pylist()[0] == parsed.rows[0].access_key_1_last_rotated
    assert rows.schema.field("password_enabled").nullable
    plan = keyrot.analyze(CASES / "plan_two_key_rotation_phases" / "input.csv", as_of=AS_OF).plan()
    steps = pa.table(plan)
    assert steps.column("step").to_pylist() == [s.step for s in plan]
    assert steps.schema.field("step").metadata == {b"keyrot.enum": ",".join(keyrot.STEPS).encode()}
    assert duckdb.sql("select count(*) from plan").fetchall() == [(len(plan),)]
    old = report(row("alice", key1="true,2026-01-01T00:00:00Z,N/A,N/A,N/A"))
    new = report(row("alice", key1="true,2026-11-01T00:00:00Z,N/A,N/A,N/A"))
    changes = keyrot.diff(old, new, as_of=AS_OF, old_as_of="2026-03-01T00:00:00Z")
    table = pa.table(changes)
    assert table.column("change").to_pylist() == [c.change for c in changes]
    assert pl.DataFrame(changes)["change"].to_list() == [c.change for c in changes]


def test_a_stream_is_made_anew_each_time() -> None:
    analysis = keyrot.analyze(REFERENCE / "input.csv", as_of=AS_OF)
    first, second = pa.table(analysis), pa.table(analysis)
    assert first.equals(second)
