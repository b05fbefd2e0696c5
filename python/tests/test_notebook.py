"""python/examples/tour.ipynb, executed by a real Jupyter kernel (nbclient):
it loads a sample, renders the notebook view, builds DataFrames through
Arrow and queries the analysis with DuckDB; its outputs say what it
claims."""

from __future__ import annotations

import ast
import json
import re
from typing import Any, List

import pytest

import keyrot
from conftest import REPO

NOTEBOOK = REPO / "python" / "examples" / "tour.ipynb"
SAMPLE = REPO / "testdata" / "samples" / "c7n-test_iam_user_unused_keys.csv"


def outputs(cell: Any, kind: str) -> List[str]:
    found = []
    for out in cell.get("outputs", []):
        if out.get("output_type") in ("execute_result", "display_data") and kind in out.get("data", {}):
            found.append(out["data"][kind])
    return found


def test_the_tour_notebook_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    pytest.importorskip("duckdb")
    from jupyter_client.manager import KernelManager

    notebook = nbformat.read(NOTEBOOK, as_version=4)
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel draws inline, as Jupyter's does
    # The kernel talks to this process over Unix sockets, not TCP.
    manager = KernelManager(kernel_name="python3", transport="ipc", ip=str(REPO / "target" / "kernel"))
    (REPO / "target").mkdir(exist_ok=True)
    client = nbclient.NotebookClient(notebook, km=manager, timeout=120, resources={"metadata": {"path": str(REPO)}})
    client.execute()
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(not any(o.get("output_type") == "error" for o in c.get("outputs", [])) for c in code)
    view, plotted, failing, by_status, query, plan, every, fails, handed = code
    html = outputs(view, "text/html")
    assert html and "NOT compliant" in html[0] and "&lt;root_account&gt;" in html[0] and "<svg" in html[0]
    bins = len(keyrot.analyze(SAMPLE, as_of="2026-11-26T00:00:00Z").age_chart()["bins"])
    assert outputs(plotted, "image/png") and str([bins] * 4) in outputs(plotted, "text/plain")
    rules = keyrot.analyze(SAMPLE, as_of="2026-11-26T00:00:00Z", rules="all").summary.rules
    assert "no_key_at_setup" in outputs(every, "text/html")[0]
    (shown,) = outputs(fails, "text/plain")
    assert ast.literal_eval(shown) == {rule: c["fail"] for rule, c in rules.items()}
    printed = "".join(o.get("text", "") for o in handed.get("outputs", []) if o.get("output_type") == "stream")
    assert printed.startswith("<!doctype html> False\n") and "keyrot" in printed
    table = outputs(failing, "text/html")
    assert table and table[0].count("<tr>") >= 7 and "fail" in table[0]
    assert "fail" in outputs(by_status, "text/plain")[0]
    assert outputs(query, "text/plain") == ["[('619193117841', 8, 9)]"]
    assert "<table" in outputs(plan, "text/html")[0]


def readme_notebook_blocks() -> List[str]:
    """The ```python blocks of python/README.md's notebook session (from
    "A notebook session" to "Reference")."""
    text = (REPO / "python" / "README.md").read_text(encoding="utf-8")
    session = text[text.index("## A notebook session") : text.index("## Reference")]
    return re.findall(r"^```python\n(.*?)^```$", session, flags=re.S | re.M)


def cell_of(cells: List[Any], start: str) -> Any:
    (found,) = [c for c in cells if c.source.startswith(start)]
    return found


def test_the_readme_notebook_examples_run_in_a_kernel() -> None:
    """Every notebook example of python/README.md, executed by a real
    Jupyter kernel, as a person would paste them: the views say what the
    JSON says, ``plot()`` draws an image with the core's buckets."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    pytest.importorskip("matplotlib")
    pytest.importorskip("moto")
    pytest.importorskip("duckdb")
    from jupyter_client.manager import KernelManager
    from test_report_views import per_rule_text, tables_of

    blocks = readme_notebook_blocks()
    assert any(b.startswith("ages = analysis.plot()") for b in blocks)
    # The boto3 example runs under moto's in-process AWS; plots inline, as in Jupyter.
    setup = (
        "%matplotlib inline\n"
        "import os, moto\n"
        "os.environ.update(AWS_ACCESS_KEY_ID='testing', AWS_SECRET_ACCESS_KEY='testing', "
        "AWS_SESSION_TOKEN='testing', AWS_DEFAULT_REGION='us-east-1')\n"
        "_aws = moto.mock_aws()\n"
        "_aws.start()"
    )
    facts = (
        "import json\n"
        "print(json.dumps({'bars': [len(c) for c in ages.containers], "
        "'labels': [t.get_text() for t in ages.get_xticklabels()]}))"
    )
    cells = [nbformat.v4.new_code_cell(setup)] + [nbformat.v4.new_code_cell(b) for b in blocks]
    cells.append(nbformat.v4.new_code_cell(facts))
    notebook = nbformat.v4.new_notebook(cells=cells)
    (REPO / "target").mkdir(exist_ok=True)
    manager = KernelManager(kernel_name="python3", transport="ipc", ip=str(REPO / "target" / "kernel-readme"))
    client = nbclient.NotebookClient(notebook, km=manager, timeout=120, resources={"metadata": {"path": str(REPO)}})
    client.execute()
    code = notebook.cells
    assert not [o for c in code for o in c.get("outputs", []) if o.get("output_type") == "error"]

    sample = REPO / "testdata" / "samples" / "c7n-test_iam_user_unused_keys.csv"
    analysis = keyrot.analyze(sample, as_of="2016-11-26T00:00:00Z")
    every = keyrot.analyze(sample, as_of="2016-11-26T00:00:00Z", rules="all")
    rules = every.to_dict()["summary"]["rules"]

    # The analysis' view: the age chart inline, the findings in triage order.
    view = outputs(cell_of(code, "analysis = keyrot.analyze("), "text/html")
    assert view and "<svg" in view[0] and "NOT compliant" in view[0]
    assert analysis._table.chart(600)["svg"] in view[0]

    # plot(): an image, and as many bars per status as the core has buckets.
    assert outputs(cell_of(code, "ages = analysis.plot()"), "image/png")
    printed = "".join(o.get("text", "") for o in code[-1].get("outputs", []) if o.get("output_type") == "stream")
    drawn = json.loads(printed)
    bins = analysis.age_chart()["bins"]
    assert drawn == {"bars": [len(bins)] * 4, "labels": [b["label"] for b in bins]}

    # The repr under rules="all": each check's counts are the JSON's.
    every_cell = cell_of(code, "every = keyrot.analyze(")
    (html,) = outputs(every_cell, "text/html")
    checks = tables_of(html).tables[0]
    head = checks[0]
    shown = {cells[0]: dict(zip(head[2:], (int(c.replace(",", "")) for c in cells[2:]))) for cells in checks[1:]}
    assert shown == {rule: {k: counts[k] for k in head[2:]} for rule, counts in rules.items()}
    assert '<td style="text-align:left' in html and "rule" in tables_of(html).tables[-1][0]
    (text,) = outputs(every_cell, "text/plain")
    assert all(part in text for part in per_rule_text(rules))
