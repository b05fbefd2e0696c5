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
from datetime import datetime
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from . import _native
from ._errors import PolicyError, _sentence
from ._options import HistoryOptions, _default, takes
from ._records import _time
from ._source import DataSource, report_paths, resolve

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


#: The colours of the chart's lines: overall first, then the accounts.
_LINES = ("#b3261e", "#1f6feb", "#8250df", "#1a7f37", "#9a6700", "#bf3989", "#0a7480", "#6e7781")


def trend_svg(points: Sequence[Mapping[str, Any]], series: Sequence[Tuple[str, Sequence[Mapping[str, Any]]]]) -> str:
    """An inline SVG chart of keys overdue (``counts.fail``) per point:
    ``points`` the overall line, ``series`` up to seven accounts' lines."""
    width, height, left, bottom, top, right = 640, 220, 44, 28, 12, 12
    lines = [("overall", points)] + list(series[: len(_LINES) - 1])
    times = [_time(p["time"]) for _, ps in lines for p in ps]
    stamps = [t.timestamp() for t in times if t is not None]
    values = [int(p["counts"]["fail"]) for _, ps in lines for p in ps]
    if not stamps:
        return (
            '<svg xmlns="http://www.w3.org/2000/svg" width="640" height="40" role="img">'
            '<text x="8" y="24">no reports</text></svg>'
        )
    t0, t1 = min(stamps), max(stamps)
    top_value = max(values + [1])

    def x(t: Optional[datetime]) -> float:
        if t is None or t1 == t0:
            return float(left + (width - left - right) / 2)
        return left + (t.timestamp() - t0) / (t1 - t0) * (width - left - right)

    def y(v: int) -> float:
        return top + (1 - v / top_value) * (height - top - bottom)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="keyrot-trend" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="keys overdue per report">',
        f'<line x1="{left}" y1="{y(0):.1f}" x2="{width - right}" y2="{y(0):.1f}" stroke="#888"/>',
        f'<text x="{left - 6}" y="{y(top_value) + 4:.1f}" text-anchor="end" font-size="11">{top_value}</text>',
        f'<text x="{left - 6}" y="{y(0) + 4:.1f}" text-anchor="end" font-size="11">0</text>',
    ]
    first, last = min(t for t in times if t is not None), max(t for t in times if t is not None)
    out.append(f'<text x="{left}" y="{height - 8}" font-size="11">{first:%Y-%m-%d}</text>')
    out.append(f'<text x="{width - right}" y="{height - 8}" text-anchor="end" font-size="11">{last:%Y-%m-%d}</text>')
    for i, (label, ps) in enumerate(lines):
        if not ps:
            continue
        coords = " ".join(f"{x(_time(p['time'])):.1f},{y(int(p['counts']['fail'])):.1f}" for p in ps)
        colour = _LINES[i % len(_LINES)]
        width_attr = 2.5 if i == 0 else 1.5
        out.append(
            f'<polyline class="keyrot-line" data-series="{html.escape(label, quote=True)}" fill="none" '
            f'stroke="{colour}" stroke-width="{width_attr}" points="{coords}">'
            f"<title>{html.escape(label)}</title></polyline>"
        )
        for p in ps:
            value = int(p["counts"]["fail"])
            out.append(
                f'<circle cx="{x(_time(p["time"])):.1f}" cy="{y(value):.1f}" r="2.5" fill="{colour}" '
                f'data-time="{html.escape(p["time"], quote=True)}" data-fail="{value}"/>'
            )
    out.append("</svg>")
    return "".join(out)


def history_html(history: History) -> str:
    """The notebook view: the totals, the trend chart, the stalled rotations."""
    data = history._data
    t = data["totals"]
    accounts = data["trend"]["accounts"]
    series = [(a["account_id"], a["points"]) for a in accounts] if len(accounts) > 1 else []
    remediation = t.get("remediation")
    fixed = (
        f"; days overdue when fixed: median {remediation['median']['at_least']} to {remediation['median']['at_most']}, "
        f"90th percentile {remediation['p90']['at_least']} to {remediation['p90']['at_most']}"
        if remediation
        else ""
    )
    parts = [
        '<div class="keyrot-history">',
        f"<p><b>{t['reports']} reports of {t['accounts']} account(s)</b>: {t['keys']} keys followed, "
        f"{t['overdue_now']} overdue now, {t['remediated']} remediated{html.escape(fixed)}; "
        f"{t['rotations']} rotations, {t['rotations_completed']} completed, {t['rotations_stalled']} stalled.</p>",
        trend_svg(data["trend"]["overall"], series),
    ]
    stalled = history.stalled()[:20]
    if stalled:
        parts.append(
            "<table><thead><tr><th>account</th><th>user</th><th>key made</th><th>stall</th></tr></thead><tbody>"
        )
        for r in stalled:
            stall = "; ".join(
                f"{s['step'] or 'old key in use'} {s['days']} days ({s['since'][:10]} to {s['until'][:10]})"
                for s in r["stalls"]
            )
            parts.append(
                f"<tr><td>{html.escape(r['account_id'])}</td><td>{html.escape(r['user'])}</td>"
                f"<td>{html.escape(r['old_key'][:10])}</td><td>{html.escape(stall)}</td></tr>"
            )
        parts.append("</tbody></table>")
    parts.append("</div>")
    return "".join(parts)
