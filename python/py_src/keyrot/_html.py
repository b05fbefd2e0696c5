"""The notebook views: of an analysis (the verdict, the counts, the anomalies
and the findings, most severe first, each row coloured by its status), of a
rotation plan (each user's step, its reason and its commands) and of a diff
(the changes, the most pressing first).

Every value that comes from the report (user names, ARNs, regions, services,
reasons, anomaly messages, commands, notes) is HTML-escaped: a report is
untrusted input.
"""

from __future__ import annotations

import html
from datetime import datetime
from typing import TYPE_CHECKING, Any, List

if TYPE_CHECKING:
    from . import Diff, Plan, _Judged
    from ._native import ChangedKey, Finding

#: How many findings the view lists; the rest are counted.
MAX_ROWS = 50

#: Background colours by status (light enough to read on a dark theme too).
COLOURS = {
    "fail": "#f8d0cd",
    "invalid": "#e6d0f2",
    "due_soon": "#fbeab2",
    "pass": "#d4ecd9",
    "inactive": "#e4e4e4",
}


def _e(value: Any) -> str:
    """Escapes one value for HTML text or an attribute."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return html.escape(value.strftime("%Y-%m-%d %H:%M:%S"), quote=True)
    return html.escape(str(value), quote=True)


def _cell(value: Any, *, align: str = "left") -> str:
    return f'<td style="text-align:{align};padding:2px 6px">{_e(value)}</td>'


def _status_badge(status: str) -> str:
    colour = COLOURS.get(status, "#ffffff")
    return (
        f'<span style="background:{colour};color:#000;padding:0 6px;border-radius:3px;'
        f'white-space:nowrap">{_e(status)}</span>'
    )


def analysis_html(analysis: "_Judged", max_rows: int = MAX_ROWS) -> str:
    from . import STATUSES, ManyAnalysis

    many = isinstance(analysis, ManyAnalysis)
    summary = analysis.summary
    policy = analysis.policy
    parts: List[str] = ['<div class="keyrot-analysis" style="font-family:sans-serif;line-height:1.4">']

    verdict_colour = "#1e7e34" if analysis.compliant else "#b00020"
    verdict = "compliant" if analysis.compliant else "NOT compliant"
    parts.append(
        f'<div style="font-size:1.15em;margin-bottom:4px"><b style="color:{verdict_colour}">{verdict}</b>'
        f" &mdash; {summary.keys} access keys of {summary.users} users"
        f" in {len(summary.accounts)} account{'s' if len(summary.accounts) != 1 else ''}</div>"
    )
    if isinstance(analysis, ManyAnalysis):
        failed = analysis.failed()
        when = f"{len(analysis.reports)} reports, each as of its own time"
        if failed:
            when += f'; <b style="color:#b00020">{len(failed)} could not be read</b>: ' + "; ".join(
                f"{_e(r.source)} ({_e(r.error)})" for r in failed[:10]
            )
    else:
        when = f"as of {_e(analysis._data.as_of_text())} ({_e(analysis._data.as_of_source)})"
    parts.append(
        f'<div style="color:#555;margin-bottom:6px">{when}; limit {policy.max_age_days} days, '
        f"warn {policy.warn_days} days, "
        f"{_e(policy.granularity)}{', inactive keys count' if policy.include_inactive else ''}</div>"
    )

    badges = " ".join(f"{_status_badge(s)}&nbsp;{summary.by_status[s]}" for s in STATUSES)
    oldest = summary.oldest_active_key_age_days
    oldest_text = f"; oldest active key {oldest} days" if oldest is not None else ""
    if summary.exempted:
        oldest_text += f"; {summary.exempted} exempted"
    parts.append(f'<div style="margin-bottom:6px">{badges}{_e(oldest_text)}</div>')

    anomalies = analysis.anomalies
    if anomalies:
        shown = anomalies[:20]
        items = "".join(
            f"<li><code>{_e(a.code)}</code>{' ' + _e(a.source) if a.source is not None else ''}"
            f"{' line ' + _e(a.line) if a.line is not None else ''}: {_e(a.message)}</li>"
            for a in shown
        )
        more = f"<li>… {len(anomalies) - len(shown)} more</li>" if len(anomalies) > len(shown) else ""
        omitted = analysis.anomalies_omitted
        if omitted:
            counts = ", ".join(f"{n:,} <code>{_e(code)}</code>" for code, n in sorted(omitted.items()))
            more += f"<li>and {counts} not kept (the first 100 of each code are)</li>"
        parts.append(
            f"<details{' open' if len(anomalies) <= 5 else ''}><summary>{len(anomalies)} "
            f'anomal{"y" if len(anomalies) == 1 else "ies"}</summary><ul style="margin:2px 0">'
            f"{items}{more}</ul></details>"
        )

    # Most severe first, in input order within a status; only as many
    # findings as are shown are made into objects.
    rows: List[Finding] = []
    for status in STATUSES:
        if len(rows) >= max_rows:
            break
        rows.extend(analysis._data.findings_with_status([status], max_rows - len(rows)))
    if rows:
        numeric = {"slot", "age (days)", "days until due"}
        names = (["source"] if many else []) + [
            "status",
            "account",
            "user",
            "slot",
            "age (days)",
            "last rotated",
            "days until due",
            "last used",
            "reason",
        ]
        header = "".join(
            f'<th style="text-align:{"right" if h in numeric else "left"};padding:2px 6px">{h}</th>' for h in names
        )
        body = []
        for f in rows:
            last_used = f.last_used
            body.append(
                f'<tr style="background:{COLOURS.get(f.status, "#fff")};color:#000">'
                + (_cell(f.source) if many else "")
                + f'<td style="padding:2px 6px">{_status_badge(f.status)}'
                f"{' (exempted)' if f.exempted is not None else ''}</td>"
                + _cell(f.account_id)
                + _cell(f.user)
                + _cell(f.slot, align="right")
                + _cell(f.age_days, align="right")
                + _cell(f.last_rotated)
                + _cell(f.days_until_due, align="right")
                + _cell(last_used)
                + _cell(f.reason)
                + "</tr>"
            )
        parts.append(
            '<table style="border-collapse:collapse;font-size:0.9em">'
            f"<thead><tr>{header}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        )
        total = len(analysis)
        if total > len(rows):
            parts.append(
                f'<div style="color:#555">showing {len(rows)} of {total} keys, most severe first; '
                "<code>.to_pandas()</code> has them all</div>"
            )
    parts.append("</div>")
    return "".join(parts)


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


def _badge(text: str, colour: str) -> str:
    return (
        f'<span style="background:{colour};color:#000;padding:0 6px;border-radius:3px;'
        f'white-space:nowrap">{_e(text)}</span>'
    )


def _lines(lines: "List[str]", label: str) -> str:
    """Commands as preformatted text, each line escaped."""
    if not lines:
        return ""
    body = "\n".join(_e(line) for line in lines)
    return (
        f'<div style="color:#555;font-size:0.85em">{label}</div>'
        f'<pre style="margin:0 0 4px 0;padding:2px 4px;background:#f6f6f6;color:#000;white-space:pre-wrap">'
        f"{body}</pre>"
    )


def plan_html(plan: "Plan", max_rows: int = MAX_ROWS) -> str:
    parts: List[str] = ['<div class="keyrot-plan" style="font-family:sans-serif;line-height:1.4">']
    steps = plan.steps
    source = f" for {_e(plan.source)}" if plan.source is not None else ""
    parts.append(
        f'<div style="font-size:1.15em;margin-bottom:4px"><b>Rotation plan{source}</b> &mdash; '
        f"{len(steps)} step{'s' if len(steps) != 1 else ''}</div>"
    )
    policy = plan.policy
    parts.append(
        f'<div style="color:#555;margin-bottom:6px">as of {_e(plan._data.as_of_text())}; limit '
        f"{policy.max_age_days} days, grace {policy.grace_days} days. keyrot never calls AWS: run each "
        "step's checks, then the commands you mean to run.</div>"
    )
    counts = [(step, n) for step, n in plan.counts.items() if n]
    if counts:
        parts.append(
            '<div style="margin-bottom:6px">'
            + " ".join(f"{_badge(step, STEP_COLOURS.get(step, '#fff'))}&nbsp;{n}" for step, n in counts)
            + "</div>"
        )
    if steps:
        header = "".join(
            f'<th style="text-align:left;padding:2px 6px">{h}</th>'
            for h in ("step", "account", "user", "line", "what and why", "commands")
        )
        body = []
        for step in steps[:max_rows]:
            notes = "".join(f'<div style="color:#b00020">note: {_e(note)}</div>' for note in step.notes)
            commands = _lines(step.checks, "check first") + _lines(step.commands, "then run")
            body.append(
                '<tr style="vertical-align:top">'
                f'<td style="padding:2px 6px">{_badge(step.step, STEP_COLOURS.get(step.step, "#fff"))}</td>'
                + _cell(step.account_id)
                + _cell(step.user)
                + _cell(step.line, align="right")
                + f'<td style="padding:2px 6px;max-width:40em">{_e(step.reason)}{notes}</td>'
                + f'<td style="padding:2px 6px">{commands}</td>'
                + "</tr>"
            )
        parts.append(
            '<table style="border-collapse:collapse;font-size:0.9em">'
            f"<thead><tr>{header}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        )
        if len(steps) > max_rows:
            parts.append(
                f'<div style="color:#555">showing {max_rows} of {len(steps)} steps; '
                "<code>.to_pandas()</code> has them all</div>"
            )
    parts.append("</div>")
    return "".join(parts)


def _key_text(key: "Any") -> str:
    if key is None:
        return ""
    k: "ChangedKey" = key
    state = "active" if k.active else "inactive"
    return f"slot {k.slot}, created {_e(k.last_rotated)}, {_e(k.status)} ({state})"


def diff_html(diff: "Diff", max_rows: int = MAX_ROWS) -> str:
    parts: List[str] = ['<div class="keyrot-diff" style="font-family:sans-serif;line-height:1.4">']
    changes = diff.changes
    overdue = diff.became_overdue()
    headline = (
        '<b style="color:#b00020">a key became overdue</b>'
        if overdue
        else '<b style="color:#1e7e34">no key became overdue</b>'
    )
    parts.append(
        f'<div style="font-size:1.15em;margin-bottom:4px">{headline} &mdash; '
        f"{len(changes)} change{'s' if len(changes) != 1 else ''}</div>"
    )
    for name, side in (("old", diff.old), ("new", diff.new)):
        parts.append(
            f'<div style="color:#555">{name}: as of {_e(side.as_of)} ({_e(side.as_of_source)}); '
            f"{side.keys} keys, {side.fail} failing</div>"
        )
    counts = [(change, n) for change, n in diff.counts.items() if n]
    if counts:
        parts.append(
            '<div style="margin:6px 0">'
            + " ".join(f"{_badge(change, CHANGE_COLOURS.get(change, '#fff'))}&nbsp;{n}" for change, n in counts)
            + "</div>"
        )
    rank = {change: i for i, change in enumerate(CHANGE_ORDER)}
    ordered = sorted(changes, key=lambda c: rank.get(c.change, len(rank)))[:max_rows]
    if ordered:
        header = "".join(
            f'<th style="text-align:left;padding:2px 6px">{h}</th>'
            for h in ("change", "account", "user", "old key", "new key", "days overdue", "message")
        )
        body = [
            f'<tr style="background:{CHANGE_COLOURS.get(c.change, "#fff")};color:#000">'
            f'<td style="padding:2px 6px">{_badge(c.change, CHANGE_COLOURS.get(c.change, "#fff"))}</td>'
            + _cell(c.account_id)
            + _cell(c.user)
            + f'<td style="padding:2px 6px">{_key_text(c.old_key)}</td>'
            + f'<td style="padding:2px 6px">{_key_text(c.new_key)}</td>'
            + _cell(c.overdue_days, align="right")
            + _cell(c.message)
            + "</tr>"
            for c in ordered
        ]
        parts.append(
            '<table style="border-collapse:collapse;font-size:0.9em">'
            f"<thead><tr>{header}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        )
        if len(changes) > len(ordered):
            parts.append(
                f'<div style="color:#555">showing {len(ordered)} of {len(changes)} changes, the most pressing '
                "first; <code>.to_pandas()</code> has them all</div>"
            )
    parts.append("</div>")
    return "".join(parts)
