"""The wheel people install: the manylinux abi3 wheel python/ci.sh built
(``KEYROT_WHEEL``), installed, not the source tree, into a fresh venv with
pandas and pyarrow from a local wheelhouse (``KEYROT_WHEELHOUSE``, filled by
ci.sh; nothing is downloaded here), runs the README's notebook example."""

from __future__ import annotations

import os
import re
import subprocess
import venv
from pathlib import Path

import pytest

import keyrot
from conftest import REPO

WHEEL = os.environ.get("KEYROT_WHEEL")
WHEELHOUSE = os.environ.get("KEYROT_WHEELHOUSE")


def readme_notebook_example() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## In Python notebooks") :]
    match = re.search(r"^```python\n(.*?)^```$", section, flags=re.S | re.M)
    assert match, "the README's notebook example was not found"
    return match.group(1)


@pytest.mark.skipif(not (WHEEL and WHEELHOUSE), reason="python/ci.sh sets KEYROT_WHEEL and KEYROT_WHEELHOUSE")
def test_the_manylinux_wheel_runs_the_readme_example(tmp_path: Path) -> None:
    assert WHEEL and WHEELHOUSE
    wheel = Path(WHEEL)
    # abi3 for CPython 3.9 and later, and a manylinux tag any glibc 2.17+ Linux accepts.
    assert re.fullmatch(r"keyrot-[^-]+-cp39-abi3-.*manylinux2014_x86_64.*\.whl", wheel.name), wheel.name
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    install = [str(python), "-m", "pip", "install", "--quiet", "--no-index", "--find-links", WHEELHOUSE]
    subprocess.run([*install, str(wheel), "pandas", "pyarrow"], check=True)
    checks = (
        "\nimport keyrot as _k, pyarrow as _pa\n"
        "print('module', _k._native.__file__)\n"
        "print('status', frame['status'].dtype, len(frame), _pa.table(analysis).num_rows)\n"
    )
    done = subprocess.run(
        [str(python), "-c", readme_notebook_example() + checks],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
        # Not this process's path: only the fresh venv's packages.
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)},
    )
    lines = done.stdout.splitlines()
    expected = keyrot.analyze(REPO / "testdata/samples/c7n-test_iam_user_unused_keys.csv", as_of="2026-11-26T00:00:00Z")
    assert lines[0] == f"{expected.summary.compliant} {len(expected.failing())}"
    assert lines[1].startswith("module " + str(env_dir)), lines[1]
    assert lines[2] == f"status category {len(expected)} {len(expected)}"
