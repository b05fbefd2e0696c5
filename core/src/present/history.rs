//! A history's presentations: its key lives as CSV (one row per key, the
//! columns of the JSON contract's `keys` records, the overdue spans and the
//! last use per report left to the JSON, neutralised for spreadsheets as the
//! findings' CSV is), the trend as SVG, and the HTML report.

use crate::input::value::{format_timestamp, Timestamp};
use crate::judge::rule::LastUsed;
#[cfg(doc)]
use crate::plan::history::LongestStalls;
use crate::plan::history::{HistorySummary, KeyLife, Rotation, TrendPoint};
use crate::present::chart::escape;
use crate::present::csv::{int, text, timestamp};
use crate::present::html::{thousands, REPORT_CSP, STYLE};
use crate::present::VERSION;
use std::fmt::Write as _;
use std::io::{self, Write};

impl KeyLife {
    /// The columns of [`write_csv`](KeyLife::write_csv), in order.
    pub const CSV_COLUMNS: [&'static str; 19] = [
        "account_id",
        "user",
        "slot",
        "created",
        "first_seen",
        "last_seen",
        "due_at",
        "status",
        "active",
        "outcome",
        "ended_after",
        "ended_before",
        "deleted_after",
        "deleted_before",
        "days_overdue",
        "days_overdue_max",
        "overdue_reports_from",
        "overdue_reports_to",
        "last_used",
    ];

    /// Writes the header line of the keys' CSV.
    pub fn write_csv_header(out: &mut Vec<u8>) {
        out.extend_from_slice(KeyLife::CSV_COLUMNS.join(",").as_bytes());
        out.push(b'\n');
    }

    /// Writes the key as one CSV line: `overdue_reports_from` and
    /// `overdue_reports_to` are the first and last report that showed it
    /// overdue (its first and last overdue spans).
    ///
    /// ```
    /// use keyrot::plan::history::{GivenTime, HistoryOptions, KeyLife, TimeSource};
    /// let csv = "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n\
    ///            =cmd,arn:aws:iam::111122223333:user/x,true,2026-01-01T00:00:00Z,false,N/A\n";
    /// let time = Some(GivenTime { time: keyrot::parse_timestamp("2026-06-01T00:00:00Z").unwrap(), source: TimeSource::Given });
    /// let history = keyrot::plan::history::history(&[("r.csv".to_owned(), time)], |_| Ok(csv.as_bytes()), &Default::default(), &HistoryOptions::DEFAULT)?;
    /// let mut out = Vec::new();
    /// history.keys[0].write_csv(&mut out);
    /// assert_eq!(
    ///     String::from_utf8(out).unwrap(),
    ///     "111122223333,'=cmd,1,2026-01-01T00:00:00Z,2026-06-01T00:00:00Z,2026-06-01T00:00:00Z,2026-04-01T00:00:00Z,fail,true,still_open,,,,,61,,2026-06-01T00:00:00Z,2026-06-01T00:00:00Z,\n"
    /// );
    /// # Ok::<(), keyrot::Error>(())
    /// ```
    pub fn write_csv(&self, out: &mut Vec<u8>) {
        text(out, &self.account_id);
        out.push(b',');
        text(out, &self.user);
        out.push(b',');
        int(out, i64::from(self.slot));
        for t in [Some(self.created), Some(self.first_seen), Some(self.last_seen), self.due_at] {
            out.push(b',');
            timestamp(out, t);
        }
        out.push(b',');
        out.extend_from_slice(self.status.as_str().as_bytes());
        out.push(b',');
        out.extend_from_slice(if self.active { b"true" } else { b"false" });
        out.push(b',');
        out.extend_from_slice(self.outcome.as_str().as_bytes());
        for t in [self.ended_after, self.ended_before, self.deleted_after, self.deleted_before] {
            out.push(b',');
            timestamp(out, t);
        }
        for n in [self.days_overdue, self.days_overdue_max] {
            out.push(b',');
            if let Some(n) = n {
                int(out, n);
            }
        }
        out.push(b',');
        timestamp(out, self.overdue.first().map(|s| s.from));
        out.push(b',');
        timestamp(out, self.overdue.last().map(|s| s.to));
        out.push(b',');
        match self.last_used {
            Some(LastUsed::At(t)) => timestamp(out, Some(t)),
            Some(LastUsed::Never) => out.extend_from_slice(b"never"),
            Some(LastUsed::NoInformation) => out.extend_from_slice(b"no_information"),
            None => {}
        }
        out.push(b'\n');
    }
}

/// The trend of overdue keys as a self-contained SVG (no script, no
/// external resource): a bar per point (its `counts.fail`, the keys overdue
/// then), each with its date and counts as a `<title>`, the first and last
/// dates under the axis, `width` pixels wide. The command's HTML report,
/// Python's repr and the page draw the same chart.
pub fn trend_svg(points: &[TrendPoint], width: u32) -> String {
    let (w, h, top, bottom, left) = (f64::from(width.max(200)), 150.0, 12.0, 28.0, 44.0);
    let tallest = points.iter().map(|p| p.counts.fail).max().unwrap_or(0);
    let n = points.len().max(1) as f64;
    let slot = (w - left - 8.0) / n;
    let scale = if tallest == 0 { 0.0 } else { (h - top - bottom) / tallest as f64 };
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0}" height="{h:.0}" viewBox="0 0 {w:.0} {h:.0}" role="img" aria-label="keys overdue at each of {} points, at most {tallest}"><line x1="{left}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#888"/><text x="4" y="{:.1}" font-size="10" fill="#444">{}</text>"##,
        points.len(),
        h - bottom,
        w - 4.0,
        h - bottom,
        top + 8.0,
        thousands(tallest)
    );
    for (i, p) in points.iter().enumerate() {
        let bar = p.counts.fail as f64 * scale;
        let _ = write!(
            s,
            r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{bar:.1}" fill="#c62828" data-fail="{}"><title>{}: {} overdue, {} newly overdue, {} remediated</title></rect>"##,
            left + i as f64 * slot + 1.0,
            h - bottom - bar,
            (slot - 2.0).max(1.0),
            p.counts.fail,
            day(p.time),
            thousands(p.counts.fail),
            thousands(p.newly_overdue),
            thousands(p.remediated)
        );
    }
    if let (Some(first), Some(last)) = (points.first(), points.last()) {
        let _ = write!(
            s,
            r##"<text x="{left}" y="{:.1}" font-size="10" fill="#444">{}</text><text x="{:.1}" y="{:.1}" font-size="10" fill="#444" text-anchor="end">{}</text>"##,
            h - bottom + 14.0,
            day(first.time),
            w - 4.0,
            h - bottom + 14.0,
            day(last.time)
        );
    }
    s.push_str("</svg>");
    s
}

fn day(t: Timestamp) -> String {
    format_timestamp(&t)[..10].to_owned()
}

impl Rotation {
    /// Its stalls as a person reads them: `at update_applications from
    /// 2026-05-04 to 2026-06-01 (28 days)`, `old key used 29 days after the
    /// new one was made (last 2026-05-31)`, joined by `; `.
    pub fn stalls_text(&self) -> String {
        self.stalls
            .iter()
            .map(|s| match s.step {
                Some(step) => format!("at {step} from {} to {} ({} days)", day(s.since), day(s.until), s.days),
                None => format!("old key used {} days after the new one was made (last {})", s.days, day(s.until)),
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Writes a history as one self-contained HTML file (`keyrot history
/// --format html`), as the check's report is (no script, nothing loaded,
/// [`REPORT_CSP`]): the answer first (keys overdue now, became overdue,
/// remediated, days overdue when fixed), the overall trend as inline SVG,
/// the longest stalled rotations (`stalled`, from [`LongestStalls`]), a
/// trend line per account, and the evidence (version, policy, every report
/// with its time and where the time came from). Every text from a report
/// is escaped.
pub fn write_history_html(summary: &HistorySummary, stalled: &[Rotation], out: &mut dyn Write) -> io::Result<()> {
    let t = &summary.totals;
    let mut s = String::with_capacity(32 * 1024);
    let (first, last) = (summary.reports.first().map(|r| r.time), summary.reports.last().map(|r| r.time));
    let span = match (first, last) {
        (Some(a), Some(b)) => format!(", {} to {}", day(a), day(b)),
        _ => String::new(),
    };
    let _ = write!(
        s,
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="{REPORT_CSP}"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="generator" content="keyrot {VERSION}"><title>keyrot history: {} overdue now</title><style>{STYLE}</style></head><body><main>"#,
        thousands(t.overdue_now)
    );
    let class = if t.overdue_now == 0 { "ok" } else { "fail" };
    let _ = write!(
        s,
        r#"<header><h1 id="verdict" class="{class}"><span data-total="overdue_now">{}</span> keys overdue now</h1><p><span data-total="newly_overdue">{}</span> became overdue and <span data-total="remediated">{}</span> were remediated over {} reports of {} accounts{span}; <span data-total="keys">{}</span> keys followed."#,
        thousands(t.overdue_now),
        thousands(t.newly_overdue),
        thousands(t.remediated),
        thousands(t.reports),
        thousands(t.accounts),
        thousands(t.keys),
    );
    if let Some(r) = &t.remediation {
        let _ = write!(
            s,
            " Days overdue when fixed: median {} to {}, 90th percentile {} to {} (from the last report that showed each key overdue to the first that did not).",
            r.median.at_least, r.median.at_most, r.p90.at_least, r.p90.at_most
        );
    }
    let _ = write!(
        s,
        r#" <span data-total="rotations">{}</span> rotations: {} completed, {} open, <span data-total="rotations_stalled">{}</span> stalled.</p><p class="muted">Limit {} days; a rotation stalls after {} days at one step, or when its old key is used that long after the new one was made. keyrot {VERSION} read the saved reports offline; nothing was sent anywhere.</p></header>"#,
        thousands(t.rotations),
        thousands(t.rotations_completed),
        thousands(t.rotations_open),
        thousands(t.rotations_stalled),
        summary.policy.max_age_days,
        summary.stall_days,
    );

    s.push_str(r#"<section id="trend"><h2>Keys overdue, over time</h2>"#);
    s.push_str(&trend_svg(&summary.trend.overall, 900));
    s.push_str("</section>");

    if !stalled.is_empty() {
        let of = if (t.rotations_stalled as usize) > stalled.len() {
            format!(" (the {} longest of {}; the JSON lists every one)", stalled.len(), thousands(t.rotations_stalled))
        } else {
            String::new()
        };
        let _ = write!(
            s,
            r#"<section id="stalled"><h2>Stalled rotations{of}</h2><div class="wrap"><table><thead><tr><th>Account</th><th>User</th><th>Old key made</th><th>Started</th><th>State</th><th>Stalls</th></tr></thead><tbody>"#
        );
        for r in stalled {
            let at = r.steps.last().map(|s| s.step.as_str()).unwrap_or("-");
            let state = match r.completed_before {
                Some(t) => format!("{} by {}", r.outcome, day(t)),
                None => format!("{}, at {at}", r.outcome),
            };
            let _ = write!(
                s,
                r#"<tr data-user="{}"><td>{}</td><td>{}</td><td class="d">{}</td><td class="d">{}</td><td>{}</td><td>{}</td></tr>"#,
                escape(&r.user),
                escape(&r.account_id),
                escape(&r.user),
                day(r.old_key),
                day(r.started),
                escape(&state),
                escape(&r.stalls_text())
            );
        }
        s.push_str("</tbody></table></div></section>");
    }

    s.push_str(r#"<section id="accounts"><h2>Accounts</h2><div class="wrap"><table><thead><tr><th>Account</th><th>Reports</th><th>From</th><th>To</th><th>Overdue, first report</th><th>Overdue, last report</th><th>Newly overdue</th><th>Remediated</th><th>Rotations open</th><th>Stalled</th><th>Oldest overdue</th></tr></thead><tbody>"#);
    for account in &summary.trend.accounts {
        let (Some(first), Some(last)) = (account.points.first(), account.points.last()) else { continue };
        let newly: u64 = account.points.iter().map(|p| p.newly_overdue).sum();
        let remediated: u64 = account.points.iter().map(|p| p.remediated).sum();
        let oldest = last
            .oldest_overdue
            .as_ref()
            .map(|o| format!("{} ({} days)", escape(&o.user), thousands(o.days_overdue.unsigned_abs())))
            .unwrap_or_default();
        let _ = write!(
            s,
            r#"<tr data-account="{}"><td>{}</td><td class="n">{}</td><td class="d">{}</td><td class="d">{}</td><td class="n">{}</td><td class="n" data-fail="{}">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td>{oldest}</td></tr>"#,
            escape(&account.account_id),
            escape(&account.account_id),
            account.points.len(),
            day(first.time),
            day(last.time),
            thousands(first.counts.fail),
            last.counts.fail,
            thousands(last.counts.fail),
            thousands(newly),
            thousands(remediated),
            thousands(last.rotations_open),
            thousands(last.rotations_stalled),
        );
    }
    s.push_str("</tbody></table></div></section>");

    let p = &summary.policy;
    let _ = write!(
        s,
        r#"<section id="evidence"><h2>Evidence</h2><p>keyrot {VERSION}; limit {} days ({}), due soon within {} days, grace {} days, inactive keys {}; stalls after {} days.</p><div class="wrap"><table><thead><tr><th>Report</th><th>Account</th><th>Time</th><th>Time from</th><th>Overdue</th></tr></thead><tbody>"#,
        p.max_age_days,
        p.granularity.as_str().replace('_', " "),
        p.warn_days,
        p.grace_days,
        if p.include_inactive { "judged" } else { "not judged" },
        summary.stall_days,
    );
    for r in &summary.reports {
        let _ = write!(
            s,
            r#"<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class="n">{}</td></tr>"#,
            escape(&r.source),
            r.account_id.as_deref().map(escape).unwrap_or_default(),
            format_timestamp(&r.time),
            r.time_source.as_str(),
            thousands(r.counts.fail)
        );
    }
    s.push_str("</tbody></table></div></section></main></body></html>\n");
    out.write_all(s.as_bytes())
}
