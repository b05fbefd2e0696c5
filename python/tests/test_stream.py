"""``keyrot.stream``: the findings as Arrow record batches made while the
reports are read, on every golden case, against ``analyze`` and
``analyze_many``'s tables, and failing closed where a report fails.

Every case that judges gives the same Arrow table, pandas and polars frames
as the analysis (from a path and from bytes, on one thread and on three); a
case whose report is refused raises from ``to_pandas()`` the error
``analyze`` raises, with its code, line, column and value.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas.testing
import pyarrow as pa
import pytest
from test_golden import JUDGE_CASES, POLICY_CODES, load

import keyrot


def options_of(c: dict[str, Any], threads: int) -> dict[str, Any]:
    return dict(c["options"], threads=threads)


@pytest.mark.parametrize("as_path", [False, True], ids=["bytes", "path"])
@pytest.mark.parametrize("case", JUDGE_CASES, ids=[c.name for c in JUDGE_CASES])
def test_golden_case_streams_the_analysis_table(case: Path, as_path: bool) -> None:
    c = load(case)
    expected = c["expected"]
    if c["many"]:
        sources = {p.name: (p if as_path else p.read_bytes()) for p in c["input"]}
        failed = [r for r in expected["reports"] if r["error"] is not None]
        if failed:
            # analyze_many lists a failed report; the stream fails closed.
            with pytest.raises(keyrot.KeyrotError) as caught:
                keyrot.stream(sources, **c["options"]).to_arrow()
            assert caught.value.code == failed[0]["error"]["code"]
            assert f"`{failed[0]['source']}`" in str(caught.value)
            return
        many = keyrot.analyze_many(sources, **c["options"])
        table = keyrot.stream(sources, **c["options"]).to_arrow()
        assert table.column_names[0] == "source"
        assert table.equals(pa.table(many))
        return
    source: Any = c["input"] if as_path else c["input"].read_bytes()
    if "error" in expected:
        want = expected["error"]
        expected_class = keyrot.PolicyError if want["code"] in POLICY_CODES else keyrot.ParseError
        with pytest.raises(keyrot.KeyrotError) as caught:
            keyrot.stream(source, **c["options"]).to_pandas()
        err = caught.value
        assert type(err) is expected_class, f"{type(err).__name__}: {err}"
        assert {"code": err.code, "line": err.line, "column": err.column, "value": err.value} == want, str(err)
        return
    analysis = keyrot.analyze(source, **c["options"])
    for threads in (1, 3):
        table = keyrot.stream(source, **options_of(c, threads)).to_arrow()
        assert table.num_rows == len(expected["findings"])
        assert table.equals(pa.table(analysis)), f"{threads} threads"
    pandas.testing.assert_frame_equal(keyrot.stream(source, **c["options"]).to_pandas(), analysis.to_pandas())
    assert keyrot.stream(source, **c["options"]).to_polars().equals(analysis.to_polars())


REPORT = (
    "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n"
    "alice,arn:aws:iam::111122223333:user/alice,true,2026-01-01T00:00:00Z,false,N/A\n"
)
AS_OF = "2026-11-26T00:00:00Z"


def test_a_stream_is_read_once() -> None:
    stream = keyrot.stream(REPORT.encode(), as_of=AS_OF)
    assert pa.table(stream).num_rows == 1
    with pytest.raises(RuntimeError, match="read once"):
        pa.table(stream)


def test_a_folder_names_each_report_and_a_bad_one_fails_the_stream(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text(REPORT)
    (tmp_path / "b.csv").write_text(REPORT.replace("alice", "bob"))
    table = keyrot.stream(tmp_path, as_of=AS_OF).to_arrow()
    assert table.column("source").to_pylist() == [str(tmp_path / "a.csv"), str(tmp_path / "b.csv")]
    assert table.column("user").to_pylist() == ["alice", "bob"]
    (tmp_path / "c.csv").write_text(REPORT.replace("2026-01-01T00:00:00Z", "2026-01-01"))
    stream = keyrot.stream(str(tmp_path / "*.csv"), as_of=AS_OF)
    with pytest.raises(keyrot.ParseError) as caught:
        stream.to_polars()
    assert (caught.value.code, caught.value.line, caught.value.column) == (
        "invalid_timestamp",
        2,
        "access_key_1_last_rotated",
    )
    assert "c.csv" in str(caught.value)
    # The capsule's own consumer gets Arrow's error with the same message.
    with pytest.raises(pa.ArrowInvalid, match="c.csv"):
        pa.table(keyrot.stream(tmp_path, as_of=AS_OF))


def test_a_missing_file_raises_oserror_as_analyze_does(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        keyrot.stream(tmp_path / "missing.csv", as_of=AS_OF)


def test_duckdb_reads_the_schema_then_the_stream() -> None:
    duckdb = pytest.importorskip("duckdb")
    samples = str(Path(__file__).resolve().parents[2] / "testdata" / "samples" / "*.csv")
    query = "select source, status, count(*) from {} group by all order by all"
    many = keyrot.analyze_many(samples, as_of=AS_OF)
    stream = keyrot.stream(samples, as_of=AS_OF)  # noqa: F841 (DuckDB finds it by its name)
    got = duckdb.sql(query.format("stream")).fetchall()
    assert got == duckdb.sql(query.format("many")).fetchall()
    assert sum(n for _, _, n in got) == len(many) > 20
