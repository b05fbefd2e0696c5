"""``keyrot.history``: the rotation workflow followed across a season of
reports (``keyrot history``).

The reports are named here (paths, folders, globs, or a mapping of names to
sources), each given its time when it carries no ``GeneratedTime`` of its
own (``times``, ``time_from_name``); the core reads each once, in time
order, with the GIL released, and the result is the JSON contract the
command prints: ``reports``, ``keys``, ``rotations``, ``trend``, ``totals``.
Its tables are DataFrames (pandas, through Arrow) and Arrow tables, and a
notebook shows its trend as an inline SVG chart.
"""

from __future__ import annotations

import html
import json
import os
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Mapping, Optional, Tuple, Union

from . import _native
from ._errors import PolicyError, _sentence
from ._options import HistoryOptions, _default, takes
from ._records import _time
from ._source import DataSource, report_paths, resolve

#: The most accounts whose trends the notebook view charts one by one.
MAX_ACCOUNT_CHARTS = 20

if TYPE_CHECKING:
    import pandas
    import pyarrow
    from typing_extensions import Unpack

    HistorySource = Union[str, "os.PathLike[str]", Mapping[str, Any], Iterable[Union[str, "os.PathLike[str]"]]]

#: The tables of a history, for ``to_pandas`` and ``to_arrow``.
TABLES = ("reports", "keys", "rotations", "trend", "overall")

#: The columns holding instants, per table (RFC 3339 text in the contract).
_TIMES = {
    "reports": ("time",),
    "keys": (
        "created",
        "first_seen",
        "last_seen",
        "due_at",
        "ended_after",
        "ended_before",
        "deleted_after",
        "deleted_before",
        "last_used",
    ),
    "rotations": ("old_key", "new_key", "started", "last_seen", "completed_after", "completed_before"),
    "trend": ("time",),
    "overall": ("time",),
}


def _named(reports: "HistorySource") -> List[Tuple[str, Any]]:
    """Each report's name and source, in the order given: a mapping's items;
    a folder's reports or a glob's files (as ``analyze_many`` takes them),
    each named by its path; a path named by itself; or a list of these."""
    if isinstance(reports, Mapping):
        return [(str(name), source) for name, source in reports.items()]
    items = [reports] if isinstance(reports, (str, os.PathLike)) else list(reports)
    out: List[Tuple[str, Any]] = []
    for item in items:
        paths = report_paths(item)
        out.extend((path, path) for path in (paths if paths is not None else [os.fspath(item)]))
    return out


@takes(HistoryOptions)
def history(reports: "HistorySource", **options: Unpack[HistoryOptions]) -> "History":
    """Follows the rotation workflow across a season of reports of the same
    accounts (``keyrot history``).

    ``reports`` is a folder, a glob (``"reports/*.csv"``), a path, a list of
    them, or a mapping of names to sources (paths, bytes, text, boto3's
    ``get_credential_report()`` responses). Each report's time is its
    ``GeneratedTime`` (the CLI's JSON and boto3's responses carry one), else
    ``times[name]`` (its name as given, or its file name: an aware
    ``datetime``, a date or RFC 3339 text), else the date ``time_from_name``
    (a strftime pattern, ``"%Y-%m-%d"``) reads in its file name. A report
    with none is refused, as are two reports of one account at the same
    time (``ParseError`` with ``code`` ``no_report_time`` or
    ``same_report_time`` and ``value`` the file). The other options are the
    judging options of ``analyze`` (but ``as_of``: each report is judged at
    its own time), with the core's defaults, and the history's:
    ``stall_days`` (a rotation at one step for longer, or whose old key is
    used that long after the new one was made, has stalled) and
    ``last_used_per_report``.
    """
    given: Dict[str, Any] = dict(options)
    times = {str(k): v for k, v in (given.pop("times", None) or {}).items()}
    pattern = given.pop("time_from_name", None)
    threads = given.pop("threads", None)
    format = given.get("format") or _default("format")
    inputs: List[Tuple[str, Any, Any, bool]] = []
    used = set()
    for name, source in _named(reports):
        base = os.path.basename(name)
        key = next((k for k in (name, base) if k in times), None)
        time = None if key is None else times[key]
        if key is not None:
            used.add(key)
        elif pattern is not None:
            time = _native.time_in_name(pattern, base)
        resolved = resolve(source, format)
        value = resolved.data if isinstance(resolved, DataSource) else os.fspath(resolved.path)
        inputs.append((name, value, time, key is None and time is not None))
    unused = [k for k in times if k not in used]
    if unused:
        message = f"`times` names `{unused[0]}`, which is not one of the reports"
        raise PolicyError(_sentence(message), code="invalid_policy", column="times", value=unused[0])
    return History(_native.history(inputs, given, threads=threads))


class History:
    """A history: each account's reports, each key's life, each rotation,
    the trends and the totals (the JSON contract's, as dicts and lists)."""

    def __init__(self, data: Dict[str, Any]) -> None:
        # The core's views of the history (its charts, its stalls as text)
        # are not part of the contract.
        self._views: Dict[str, Any] = data.pop("views", None) or {"trend_svg": "", "accounts": [], "stalls": []}
        self._data = data

    @property
    def reports(self) -> List[Dict[str, Any]]:
        """Each account of each report, in time order."""
        return list(self._data["reports"])

    @property
    def keys(self) -> List[Dict[str, Any]]:
        """Every key's life, by account, user and creation time."""
        return list(self._data["keys"])

    @property
    def rotations(self) -> List[Dict[str, Any]]:
        """Every rotation, by account, user and start."""
        return list(self._data["rotations"])

    @property
    def trend(self) -> Dict[str, Any]:
        """``accounts`` (a point per report of each) and ``overall`` (a point
        per day)."""
        return dict(self._data["trend"])

    @property
    def totals(self) -> Dict[str, Any]:
        """The figures of the whole history."""
        return dict(self._data["totals"])

    @property
    def stall_days(self) -> int:
        """The ``stall_days`` the history was made with."""
        return int(self._data["stall_days"])

    def stalled(self) -> List[Dict[str, Any]]:
        """The rotations that stalled."""
        return [r for r in self._data["rotations"] if r["stalled"]]

    def to_dict(self) -> Dict[str, Any]:
        """The JSON contract, as ``keyrot history --format json`` prints it."""
        return json.loads(json.dumps(self._data))  # type: ignore[no-any-return]

    def to_json(self, indent: Optional[int] = None) -> str:
        """The JSON contract as text, compact or indented."""
        return json.dumps(self._data, indent=indent)

    def _rows(self, table: str) -> List[Dict[str, Any]]:
        if table not in TABLES:
            raise PolicyError(
                f"no table `{table}`: the tables are {', '.join(TABLES)}",
                code="invalid_policy",
                column="table",
                value=table,
            )
        if table == "trend":
            return [{"account_id": a["account_id"], **p} for a in self._data["trend"]["accounts"] for p in a["points"]]
        if table == "overall":
            return list(self._data["trend"]["overall"])
        return list(self._data[table])

    def _flat(self, table: str) -> List[Dict[str, Any]]:
        """The table's rows with nested values flattened (``counts.fail``
        becomes ``fail``; lists and objects as JSON text) and instants as
        aware datetimes."""
        rows = []
        for raw in self._rows(table):
            row: Dict[str, Any] = {}
            for name, value in raw.items():
                if name == "counts" and isinstance(value, dict):
                    for k, v in value.items():
                        row[k] = json.dumps(v) if isinstance(v, (dict, list)) else v
                elif isinstance(value, (dict, list)):
                    row[name] = json.dumps(value)
                else:
                    row[name] = value
            for name in _TIMES[table]:
                if name in row:
                    text = row[name]
                    row[name] = _time(text) if isinstance(text, str) and text[:1].isdigit() else None
            rows.append(row)
        return rows

    def to_arrow(self, table: str = "keys") -> "pyarrow.Table":
        """One table (``reports``, ``keys``, ``rotations``, ``trend``: a row per
        account per report, ``overall``: a row per day) as a pyarrow Table,
        instants as ``timestamp[us, UTC]``."""
        import pyarrow as pa

        rows = self._flat(table)
        if not rows:
            return pa.table({})
        return pa.Table.from_pylist(rows)

    def to_pandas(self, table: str = "keys") -> "pandas.DataFrame":
        """One table as a pandas DataFrame (through Arrow: UTC datetimes)."""
        return self.to_arrow(table).to_pandas()

    def __repr__(self) -> str:
        t = self._data["totals"]
        return (
            f"History(reports={t['reports']:,}, accounts={t['accounts']:,}, keys={t['keys']:,}, "
            f"overdue_now={t['overdue_now']:,}, remediated={t['remediated']:,}, rotations={t['rotations']:,}, "
            f"stalled={t['rotations_stalled']:,})"
        )

    def _repr_html_(self) -> str:
        return history_html(self)


def history_html(history: History) -> str:
    """The notebook view: the totals, the trend of keys overdue (the core's
    chart, the one ``keyrot history --format html`` draws; one per account
    too when there are several), the stalled rotations with the core's
    words for their stalls."""
    data = history._data
    views = history._views
    t = data["totals"]
    remediation = t.get("remediation")
    fixed = (
        f"; days overdue when fixed: median {remediation['median']['at_least']:,} to "
        f"{remediation['median']['at_most']:,}, 90th percentile {remediation['p90']['at_least']:,} to "
        f"{remediation['p90']['at_most']:,}"
        if remediation
        else ""
    )
    parts = [
        '<div class="keyrot-history" style="font-family:sans-serif;line-height:1.4;text-align:left">',
        f"<p><b>{t['reports']:,} reports of {t['accounts']:,} account(s)</b>: {t['keys']:,} keys followed, "
        f"{t['overdue_now']:,} overdue now, {t['remediated']:,} remediated{html.escape(fixed)}; "
        f"{t['rotations']:,} rotations, {t['rotations_completed']:,} completed, "
        f"{t['rotations_stalled']:,} stalled.</p>",
        f'<div class="keyrot-trend" style="max-width:100%;overflow-x:auto">{views["trend_svg"]}</div>',
    ]
    accounts = views["accounts"]
    if len(accounts) > 1:
        shown = accounts[:MAX_ACCOUNT_CHARTS]
        parts.append(f"<details><summary>each account ({len(shown):,} of {len(accounts):,})</summary>")
        for account_id, svg in shown:
            parts.append(
                f'<div data-account="{html.escape(account_id, quote=True)}">{html.escape(account_id)}{svg}</div>'
            )
        parts.append("</details>")
    stalled = [(r, text) for r, text in zip(data["rotations"], views["stalls"]) if r["stalled"]][:20]
    if stalled:
        cell = '<td style="text-align:left;padding:2px 6px;vertical-align:top">'
        head = "".join(
            f'<th style="text-align:left;padding:2px 6px">{h}</th>' for h in ("account", "user", "key made", "stalls")
        )
        parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>")
        for r, text in stalled:
            parts.append(
                f"<tr>{cell}{html.escape(r['account_id'])}</td>{cell}{html.escape(r['user'])}</td>"
                f"{cell}{html.escape(r['old_key'][:10])}</td>{cell}{html.escape(text)}</td></tr>"
            )
        parts.append("</tbody></table>")
    parts.append("</div>")
    return "".join(parts)
