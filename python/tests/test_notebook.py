"""python/examples/tour.ipynb, executed by a real Jupyter kernel (nbclient):
it loads a sample, renders the notebook view, builds DataFrames through
Arrow and queries the analysis with DuckDB; its outputs say what it
claims."""

from __future__ import annotations

from typing import Any, List

import pytest

from conftest import REPO

NOTEBOOK = REPO / "python" / "examples" / "tour.ipynb"


def outputs(cell: Any, kind: str) -> List[str]:
    found = []
    for out in cell.get("outputs", []):
        if out.get("output_type") in ("execute_result", "display_data") and kind in out.get("data", {}):
            found.append(out["data"][kind])
    return found


def test_the_tour_notebook_runs() -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    pytest.importorskip("duckdb")
    from jupyter_client.manager import KernelManager

    notebook = nbformat.read(NOTEBOOK, as_version=4)
    # The kernel talks to this process over Unix sockets, not TCP.
    manager = KernelManager(kernel_name="python3", transport="ipc", ip=str(REPO / "target" / "kernel"))
    (REPO / "target").mkdir(exist_ok=True)
    client = nbclient.NotebookClient(notebook, km=manager, timeout=120, resources={"metadata": {"path": str(REPO)}})
    client.execute()
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(not any(o.get("output_type") == "error" for o in c.get("outputs", [])) for c in code)
    view, failing, by_status, query, plan = code
    html = outputs(view, "text/html")
    assert html and "NOT compliant" in html[0] and "&lt;root_account&gt;" in html[0]
    table = outputs(failing, "text/html")
    assert table and table[0].count("<tr>") >= 7 and "fail" in table[0]
    assert "fail" in outputs(by_status, "text/plain")[0]
    assert outputs(query, "text/plain") == ["[('619193117841', 8, 9)]"]
    assert "<table" in outputs(plan, "text/html")[0]
