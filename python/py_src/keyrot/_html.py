"""The notebook view of an analysis: the verdict, the counts, the anomalies
and the findings, most severe first, each row coloured by its status.

Every value that comes from the report (user names, ARNs, regions, services,
reasons, anomaly messages) is HTML-escaped: a report is untrusted input.
"""

from __future__ import annotations

import html
from datetime import datetime
from typing import TYPE_CHECKING, Any, List

if TYPE_CHECKING:
    from . import _Judged
    from ._native import Finding

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
