"""The notebook views (``_repr_html_``): of an analysis (the verdict, the
counts, per account for several reports, the anomalies and the findings,
most pressing first, each row coloured by its status), of a rotation plan
(each user's step, its reason and its commands), of a diff (the changes,
the most pressing first) and of a parsed report (its rows).

Every cell states its alignment (JupyterLab right-aligns table cells by
default): text to the left, numbers to the right, with thousands
separators. Commands keep their lines whole (``white-space: pre``), so a
token such as ``"$ACCESS_KEY_ID"`` is never broken.

Every value that comes from the report (user names, ARNs, regions, services,
reasons, anomaly messages, commands, notes, file names) is HTML-escaped: a
report is untrusted input.
"""

from __future__ import annotations

import html
import os
from datetime import datetime
from typing import TYPE_CHECKING, Any, Iterable, List, Sequence, Tuple

from ._names import CHANGES, STATUSES

if TYPE_CHECKING:
    from . import Analysis, Diff, ManyAnalysis, Plan, Report, _Judged, _Table
    from ._native import Finding
    from ._records import ChangedKey

#: How many rows a view lists; the rest are counted.
MAX_ROWS = 50

#: Background colours by status (light enough to read on a dark theme too).
COLOURS = {
    "fail": "#f8d0cd",
    "invalid": "#e6d0f2",
    "due_soon": "#fbeab2",
    "pass": "#d4ecd9",
    "inactive": "#e4e4e4",
}

#: Background colours of plan steps: what must happen now, what can wait.
STEP_COLOURS = {
    "remove_root_key": "#f8d0cd",
    "rotate_both": "#f8d0cd",
    "deactivate_unused_key": "#f8d0cd",
    "update_applications": "#fbeab2",
    "deactivate_old_key": "#f8d0cd",
    "free_slot": "#f8d0cd",
    "create_new_key": "#f8d0cd",
    "delete_inactive_key": "#e4e4e4",
    "wait_before_delete": "#e4e4e4",
    "schedule_rotation": "#fbeab2",
}

#: Background colours of diff changes.
CHANGE_COLOURS = {
    "newly_overdue": "#f8d0cd",
    "still_overdue": "#fbeab2",
    "fixed": "#d4ecd9",
    "rotated": "#d4ecd9",
    "key_deleted": "#e4e4e4",
    "key_created": "#e4e4e4",
    "user_added": "#e4e4e4",
    "user_removed": "#e4e4e4",
}

#: The order the diff view lists changes in: the most pressing first.
CHANGE_ORDER = (
    "newly_overdue",
    "still_overdue",
    "fixed",
    "rotated",
    "key_created",
    "key_deleted",
    "user_added",
    "user_removed",
)

_PAD = "padding:2px 6px;vertical-align:top"
_MUTED = "color:#555"


def _e(value: Any) -> str:
    """One value as HTML text: escaped, a time to the second, a number with
    thousands separators."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.strftime("%Y-%m-%d %H:%M:%S")
    elif isinstance(value, int) and not isinstance(value, bool):
        value = f"{value:,}"
    return html.escape(str(value), quote=True)


def _cell(value: Any, *, raw: bool = False, number: bool = False, style: str = "", title: str = "") -> str:
    """A table cell, aligned explicitly: numbers right, anything else left.
    ``raw`` cells hold HTML already made of escaped values."""
    align = "right" if number else "left"
    hover = f' title="{_e(title)}"' if title else ""
    return f'<td style="text-align:{align};{_PAD}{style}"{hover}>{value if raw else _e(value)}</td>'


def _table(headers: Sequence[Tuple[str, bool]], rows: Iterable[str]) -> str:
    """A table: ``headers`` are (name, is a number) pairs, ``rows`` the
    ``<tr>`` elements."""
    head = "".join(f'<th style="text-align:{"right" if n else "left"};{_PAD}">{_e(h)}</th>' for h, n in headers)
    return (
        '<table style="border-collapse:collapse;font-size:0.9em">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _badge(text: str, colour: str) -> str:
    return (
        f'<span style="background:{colour};color:#000;padding:0 6px;border-radius:3px;'
        f'white-space:nowrap">{_e(text)}</span>'
    )


def _badges(counts: Iterable[Tuple[str, int]], colours: Any) -> str:
    return " ".join(f"{_badge(name, colours.get(name, '#fff'))}&nbsp;{_e(n)}" for name, n in counts)


def _plural(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def _more(shown: int, total: int, what: str) -> str:
    if total <= shown:
        return ""
    return f'<div style="{_MUTED}">showing {shown:,} of {total:,} {what}; <code>.to_pandas()</code> has them all</div>'


def _short(source: str) -> str:
    """A report's name as a column shows it: a path's file name."""
    return os.path.basename(source) or source


def _most_pressing(analysis: "_Judged", limit: int) -> List["Finding"]:
    """The findings the view lists: by status, most severe first
    (``STATUSES``), in input order within a status. The one place that
    decides the view's order; only the findings shown are made into
    objects."""
    rows: List[Finding] = []
    for status in STATUSES:
        if len(rows) >= limit:
            break
        rows.extend(analysis._table.views([status], limit - len(rows)))
    return rows


def _when(analysis: "_Judged") -> str:
    """When the analysis judged at, and why then."""
    from . import ManyAnalysis

    if not isinstance(analysis, ManyAnalysis):
        a: Analysis = analysis  # type: ignore[assignment]
        return f"as of {_e(a._head['as_of'])} ({_e(a.as_of_source)})"
    reports = analysis._head["reports"]
    times = {(r["as_of"], r["as_of_source"]) for r in reports if r["as_of"] is not None}
    if len(times) == 1 and next(iter(times))[1] in ("explicit", "date"):
        ((as_of, source),) = times
        when = f"{_plural(len(reports), 'report', 'reports')}, as of {_e(as_of)} ({_e(source)})"
    else:
        when = f"{_plural(len(reports), 'report', 'reports')}, each as of its own time"
    failed = analysis.failed()
    if failed:
        when += f'; <b style="color:#b00020">{len(failed):,} could not be read</b>: ' + "; ".join(
            f"{_e(r.source)} ({_e(r.error)})" for r in failed[:10]
        )
    return when


def _accounts(analysis: "ManyAnalysis") -> str:
    """The counts of each account, the worst first."""
    accounts = sorted(analysis.summary.accounts, key=lambda a: (a.compliant, -a.by_status["fail"], a.account_id))
    headers = [("account", False), ("verdict", False), ("keys", True)] + [(s, True) for s in STATUSES]
    headers.append(("oldest active key (days)", True))
    rows = (
        f'<tr style="color:inherit">{_cell(a.account_id)}'
        + _cell(
            _badge("compliant", COLOURS["pass"]) if a.compliant else _badge("NOT compliant", COLOURS["fail"]), raw=True
        )
        + _cell(a.keys, number=True)
        + "".join(_cell(a.by_status[s], number=True) for s in STATUSES)
        + _cell(a.oldest_active_key_age_days, number=True)
        + "</tr>"
        for a in accounts[:MAX_ROWS]
    )
    return (
        f"<details open><summary>{_plural(len(accounts), 'account', 'accounts')}</summary>"
        f"{_table(headers, rows)}{_more(min(len(accounts), MAX_ROWS), len(accounts), 'accounts')}</details>"
    )


def analysis_html(analysis: "_Judged", max_rows: int = MAX_ROWS) -> str:
    from . import ManyAnalysis

    many = isinstance(analysis, ManyAnalysis)
    summary = analysis.summary
    policy = analysis.policy
    parts: List[str] = ['<div class="keyrot-analysis" style="font-family:sans-serif;line-height:1.4">']

    verdict_colour = "#1e7e34" if analysis.compliant else "#b00020"
    verdict = "compliant" if analysis.compliant else "NOT compliant"
    parts.append(
        f'<div style="font-size:1.15em;margin-bottom:4px"><b style="color:{verdict_colour}">{verdict}</b>'
        f" &mdash; {_plural(summary.keys, 'access key', 'access keys')} of {_plural(summary.users, 'user', 'users')}"
        f" in {_plural(len(summary.accounts), 'account', 'accounts')}</div>"
    )
    parts.append(
        f'<div style="{_MUTED};margin-bottom:6px">{_when(analysis)}; limit {_e(policy.max_age_days)} days, '
        f"warn {_e(policy.warn_days)} days, "
        f"{_e(policy.granularity)}{', inactive keys count' if policy.include_inactive else ''}</div>"
    )

    oldest = summary.oldest_active_key_age_days
    extra = f"; oldest active key {oldest:,} days" if oldest is not None else ""
    if summary.exempted:
        extra += f"; {summary.exempted:,} exempted"
    badges = _badges(((s, summary.by_status[s]) for s in STATUSES), COLOURS)
    parts.append(f'<div style="margin-bottom:6px">{badges}{_e(extra)}</div>')
    if many:
        parts.append(_accounts(analysis))  # type: ignore[arg-type]

    anomalies = analysis.anomalies
    if anomalies:
        shown = anomalies[:20]
        items = "".join(
            f"<li><code>{_e(a.code)}</code>{' ' + _e(a.source) if a.source is not None else ''}"
            f"{' line ' + _e(a.line) if a.line is not None else ''}: {_e(a.message)}</li>"
            for a in shown
        )
        more = f"<li>… {len(anomalies) - len(shown):,} more</li>" if len(anomalies) > len(shown) else ""
        omitted = analysis.anomalies_omitted
        if omitted:
            counts = ", ".join(f"{n:,} <code>{_e(code)}</code>" for code, n in sorted(omitted.items()))
            more += f"<li>and {counts} not kept (the first 100 of each code are)</li>"
        summary_line = _plural(len(anomalies), "anomaly", "anomalies")
        parts.append(
            f"<details{' open' if len(anomalies) <= 5 else ''}><summary>{summary_line}</summary>"
            f'<ul style="margin:2px 0">{items}{more}</ul></details>'
        )

    rows = _most_pressing(analysis, max_rows)
    if rows:
        headers = [("source", False)] if many else []
        headers += [("status", False), ("account", False), ("user", False), ("slot", True), ("age (days)", True)]
        headers += [("last rotated", False), ("days until due", True), ("last used", False), ("reason", False)]
        body = [
            f'<tr style="background:{COLOURS.get(f.status, "#fff")};color:#000">'
            + (_cell(_short(f.source or ""), title=f.source or "", style=";white-space:nowrap") if many else "")
            + _cell(_badge(f.status, COLOURS.get(f.status, "#fff")) + (" (exempted)" if f.exempted else ""), raw=True)
            + _cell(f.account_id)
            + _cell(f.user)
            + _cell(f.slot, number=True)
            + _cell(f.age_days, number=True)
            + _cell(f.last_rotated, style=";white-space:nowrap")
            + _cell(f.days_until_due, number=True)
            + _cell(f.last_used, style=";white-space:nowrap")
            + _cell(f.reason, style=";min-width:20em")
            + "</tr>"
            for f in rows
        ]
        parts.append(_table(headers, body))
        parts.append(_more(len(rows), len(analysis), "keys, most severe first"))
    parts.append("</div>")
    return "".join(parts)


def _lines(lines: Sequence[str], label: str) -> str:
    """Commands as preformatted text, each line escaped and kept whole."""
    if not lines:
        return ""
    body = "\n".join(_e(line) for line in lines)
    return (
        f'<div style="{_MUTED};font-size:0.85em;text-align:left">{label}</div>'
        '<pre style="margin:0 0 4px 0;padding:2px 4px;background:#f6f6f6;color:#000;text-align:left;'
        f'white-space:pre;overflow-x:auto">{body}</pre>'
    )


def plan_html(plan: "Plan", max_rows: int = MAX_ROWS) -> str:
    parts: List[str] = ['<div class="keyrot-plan" style="font-family:sans-serif;line-height:1.4">']
    source = f" for {_e(plan.source)}" if plan.source is not None else ""
    parts.append(
        f'<div style="font-size:1.15em;margin-bottom:4px"><b>Rotation plan{source}</b> &mdash; '
        f"{_plural(len(plan), 'step', 'steps')}</div>"
    )
    policy = plan.policy
    parts.append(
        f'<div style="{_MUTED};margin-bottom:6px">as of {_e(plan._head["as_of"])}; limit '
        f"{_e(policy.max_age_days)} days, grace {_e(policy.grace_days)} days. keyrot never calls AWS: run each "
        "step's checks, then the commands you mean to run.</div>"
    )
    counts = [(step, n) for step, n in plan.counts.items() if n]
    if counts:
        parts.append(f'<div style="margin-bottom:6px">{_badges(counts, STEP_COLOURS)}</div>')
    steps = plan._first(max_rows)
    if steps:
        headers = [("step", False), ("account", False), ("user", False), ("line", True)]
        headers += [("what and why", False), ("commands", False)]
        body = []
        for step in steps:
            notes = "".join(f'<div style="color:#b00020">note: {_e(note)}</div>' for note in step.notes)
            commands = _lines(step.checks, "check first") + _lines(step.commands, "then run")
            body.append(
                '<tr style="color:inherit">'
                + _cell(_badge(step.step, STEP_COLOURS.get(step.step, "#fff")), raw=True)
                + _cell(step.account_id)
                + _cell(step.user)
                + _cell(step.line, number=True)
                + _cell(f"{_e(step.reason)}{notes}", raw=True, style=";max-width:40em")
                + _cell(commands, raw=True)
                + "</tr>"
            )
        parts.append(_table(headers, body))
        parts.append(_more(len(steps), len(plan), "steps"))
    parts.append("</div>")
    return "".join(parts)


def _key_text(key: "ChangedKey | None") -> str:
    if key is None:
        return ""
    state = "active" if key.active else "inactive"
    return f"slot {key.slot}, created {_e(key.last_rotated)}, {_e(key.status)} ({state})"


def diff_html(diff: "Diff", max_rows: int = MAX_ROWS) -> str:
    parts: List[str] = ['<div class="keyrot-diff" style="font-family:sans-serif;line-height:1.4">']
    changes = diff.changes
    headline = (
        '<b style="color:#b00020">a key became overdue</b>'
        if diff.became_overdue()
        else '<b style="color:#1e7e34">no key became overdue</b>'
    )
    parts.append(
        f'<div style="font-size:1.15em;margin-bottom:4px">{headline} &mdash; '
        f"{_plural(len(changes), 'change', 'changes')}</div>"
    )
    for name, side in (("old", diff.old), ("new", diff.new)):
        parts.append(
            f'<div style="{_MUTED}">{name}: as of {_e(side.as_of)} ({_e(side.as_of_source)}); '
            f"{_plural(side.keys, 'key', 'keys')}, {_e(side.fail)} failing</div>"
        )
    counts = [(change, n) for change, n in diff.counts.items() if n]
    if counts:
        parts.append(f'<div style="margin:6px 0">{_badges(counts, CHANGE_COLOURS)}</div>')
    rank = {change: i for i, change in enumerate(CHANGE_ORDER)}
    ordered = sorted(changes, key=lambda c: rank.get(c.change, len(CHANGES)))[:max_rows]
    if ordered:
        headers = [("change", False), ("account", False), ("user", False), ("old key", False), ("new key", False)]
        headers += [("days overdue", True), ("message", False)]
        body = [
            f'<tr style="background:{CHANGE_COLOURS.get(c.change, "#fff")};color:#000">'
            + _cell(_badge(c.change, CHANGE_COLOURS.get(c.change, "#fff")), raw=True)
            + _cell(c.account_id)
            + _cell(c.user)
            + _cell(_key_text(c.old_key), raw=True)
            + _cell(_key_text(c.new_key), raw=True)
            + _cell(c.overdue_days, number=True)
            + _cell(c.message)
            + "</tr>"
            for c in ordered
        ]
        parts.append(_table(headers, body))
        parts.append(_more(len(ordered), len(changes), "changes, the most pressing first"))
    parts.append("</div>")
    return "".join(parts)


def report_html(report: "Report", max_rows: int = MAX_ROWS) -> str:
    parts: List[str] = ['<div class="keyrot-report" style="font-family:sans-serif;line-height:1.4">']
    parts.append(
        f'<div style="font-size:1.15em;margin-bottom:4px"><b>Credential report</b> &mdash; '
        f"{_plural(len(report), 'row', 'rows')}, {_e(report.layout)} layout, {_e(report.input_format)}</div>"
    )
    rows = report._table.views(None, max_rows)
    if rows:
        headers = [("line", True), ("user", False), ("account", False), ("mfa", False)]
        headers += [("key 1 active", False), ("key 1 last rotated", False)]
        headers += [("key 2 active", False), ("key 2 last rotated", False)]
        body = (
            '<tr style="color:inherit">'
            + _cell(r.line, number=True)
            + _cell(r.user)
            + _cell(r.account_id)
            + _cell(r.mfa_active)
            + _cell(r.access_key_1_active)
            + _cell(r.access_key_1_last_rotated, style=";white-space:nowrap")
            + _cell(r.access_key_2_active)
            + _cell(r.access_key_2_last_rotated, style=";white-space:nowrap")
            + "</tr>"
            for r in rows
        )
        parts.append(_table(headers, body))
        parts.append(_more(len(rows), len(report), "rows"))
    parts.append("</div>")
    return "".join(parts)


def render(table: "_Table") -> str:
    """The view of any result."""
    from . import Diff, Plan, Report, _Judged

    if isinstance(table, _Judged):
        return analysis_html(table)
    if isinstance(table, Plan):
        return plan_html(table)
    if isinstance(table, Diff):
        return diff_html(table)
    assert isinstance(table, Report)
    return report_html(table)
