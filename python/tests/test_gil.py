"""The GIL is released while the core reads and judges.

The report comes through a FIFO: the native side blocks reading it while
this process's main thread, in Python, writes the report. Were the GIL held
during the native call, the writer could never run and the child process
would hang; it runs in a subprocess with a timeout so that shows as a
failure, not a hung suite.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import AS_OF, REFERENCE

CHILD = textwrap.dedent(
    """
    import json, os, sys, threading, time
    import keyrot

    fifo, data_path, expected_path, as_of, how = sys.argv[1:]
    data = open(data_path, "rb").read()
    result = {}

    def judge():
        if how == "analyze":
            result["out"] = keyrot.analyze(fifo, as_of=as_of).to_dict()
        elif how == "many":
            result["out"] = keyrot.analyze_many({"r": fifo}, as_of=as_of).to_dict()["summary"]
        elif how == "diff":
            # The old report through the FIFO, the new one in memory.
            result["out"] = keyrot.diff(fifo, data, as_of=as_of, old_as_of=as_of).to_dict()["new"]
        else:
            result["out"] = len(keyrot.parse(fifo))

    worker = threading.Thread(target=judge)
    worker.start()
    # Let the worker get into the native call, where it waits on the FIFO
    # (first to open it, then for each chunk): this Python code only runs on
    # if that call let go of the GIL.
    time.sleep(0.3)
    with open(fifo, "wb") as w:
        for i in range(0, len(data), 64):
            w.write(data[i : i + 64])
            w.flush()
    worker.join()
    expected = json.load(open(expected_path))
    want = {
        "analyze": expected,
        "many": expected["summary"],
        "parse": 6,
        "diff": {"as_of": as_of, "as_of_source": "explicit", "generated_time": None, "keys": 6, "fail": 2},
    }[how]
    sys.exit(0 if result["out"] == want else 3)
    """
)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs a FIFO")
@pytest.mark.parametrize("how", ["analyze", "many", "parse", "diff"])
def test_the_gil_is_released_while_reading(tmp_path: Path, how: str) -> None:
    fifo = tmp_path / "report.csv"
    os.mkfifo(fifo)
    args = [str(fifo), str(REFERENCE / "input.csv"), str(REFERENCE / "expected.json"), AS_OF, how]
    done = subprocess.run([sys.executable, "-c", CHILD, *args], capture_output=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr.decode()
