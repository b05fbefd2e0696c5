"""``python -m keyrot``: the ``keyrot`` command line itself.

Runs the same code as the ``keyrot`` binary (the ``keyrot-cli`` crate, linked
into the extension module), every subcommand, with the same options and exit
statuses: 0 compliant, 1 not compliant (``diff``: a key became overdue), 2 an
input could not be read or parsed.

    python -m keyrot check report.csv
    python -m keyrot check --as-of 2026-11-26T00:00:00Z --format json report.csv
    python -m keyrot plan --access-keys keys.json --format sh report.csv
    python -m keyrot diff reports/2026-11-25.json reports/2026-11-26.json
"""

from __future__ import annotations

import sys
from typing import Optional, Sequence

from . import _native


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Runs the command line with ``argv`` (default: ``sys.argv[1:]``) and
    returns the exit status. The command writes to the process's own stdout
    and stderr, so Python's buffers are flushed first."""
    args = list(sys.argv[1:] if argv is None else argv)
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            stream.flush()
    return _native.run_cli(["keyrot", *args])


if __name__ == "__main__":
    sys.exit(main())
