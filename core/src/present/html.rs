//! The report a person opens and forwards: one self-contained HTML file
//! (`keyrot check --format html`, Python's `to_html()`, the page's
//! "Download report") with the verdict, each check's and each account's
//! counts, the age chart as inline SVG, the findings in triage order, the
//! plan's steps with their commands, and the evidence of what was judged.
//!
//! It holds no script and loads nothing: its Content-Security-Policy allows
//! inline styles and nothing else. Every text from a report is escaped, and
//! control characters are spelled out, as in every other output.

use crate::drive::analysis::{Counts, RuleCounts};
use crate::drive::many::ManyAnalysis;
use crate::input::value::format_timestamp;
use crate::judge::cis::Rule;
use crate::judge::rule::{Finding, LastUsed, SourcedFinding, Status};
use crate::plan::steps::{Plan, Step};
use crate::present::chart::{escape, Histogram};
use crate::present::VERSION;
use std::fmt::Write as _;
use std::io::{self, Write};

/// The Content-Security-Policy of the report: inline styles and inline
/// SVG, no script, no request of any kind.
pub const REPORT_CSP: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

pub(crate) const STYLE: &str = "\
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1b1b1b;margin:0;background:#fafafa}\
main{max-width:1180px;margin:0 auto;padding:16px 20px 48px}\
h1{font-size:28px;margin:8px 0 4px}h2{font-size:19px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}\
h3{font-size:15px;margin:18px 0 4px}\
.fail{color:#b71c1c}.ok{color:#1b5e20}.muted{color:#555}\
table{border-collapse:collapse;width:100%;background:#fff;font-size:13px}\
th,td{border:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}th{background:#f0f0f0}\
td.n{text-align:right;font-variant-numeric:tabular-nums}\
.sev{font-weight:600;text-transform:uppercase;font-size:11px}\
.critical{color:#fff;background:#7f0000}.high{color:#fff;background:#c62828}.medium{background:#ffb74d}\
.low{background:#fff3c4}.info{background:#e8f5e9}\
pre{background:#272822;color:#f8f8f2;padding:8px 10px;overflow-x:auto;white-space:pre;font-size:12px;border-radius:3px}\
.step{background:#fff;border:1px solid #ddd;border-radius:4px;padding:4px 12px;margin:10px 0}\
.wrap{overflow-x:auto}svg{max-width:100%;height:auto}td.d{white-space:nowrap}\
code{font-size:12px}";

/// Counts a verdict reads: every rule's findings in a labelled run, the
/// keys' otherwise.
fn verdict_counts(c: &Counts) -> RuleCounts {
    if c.rules.is_empty() {
        c.rule(Rule::AccessKeyRotated)
    } else {
        c.all_rules()
    }
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

/// `n` with thousands separators: `1,234,567`.
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

fn when(t: Option<crate::input::value::Timestamp>) -> String {
    t.map(|t| format_timestamp(&t)).unwrap_or_else(|| "-".to_owned())
}

/// The due column, as a person reads it: `overdue by 12 days`, `due in 3
/// days`.
pub(crate) fn due_text(days_until_due: Option<i64>) -> String {
    match days_until_due {
        None => String::new(),
        Some(d) if d < 0 => format!("overdue by {} day{}", thousands(d.unsigned_abs()), if d == -1 { "" } else { "s" }),
        Some(0) => "due today".to_owned(),
        Some(d) => format!("due in {} day{}", thousands(d as u64), if d == 1 { "" } else { "s" }),
    }
}

fn counts_cells(s: &mut String, key: &str, r: &RuleCounts) {
    for (status, n) in [
        ("fail", r.fail),
        ("invalid", r.invalid),
        ("due_soon", r.due_soon),
        ("pass", r.pass),
        ("inactive", r.inactive),
        ("exempted", r.exempted),
    ] {
        let _ = write!(s, r#"<td class="n" data-{key}="{status}">{}</td>"#, thousands(n));
    }
}

fn finding_row(s: &mut String, source: &str, f: &Finding, many: bool) {
    let _ = write!(s, "<tr>");
    if many {
        let _ = write!(s, "<td>{}</td>", escape(source));
    }
    let _ = write!(
        s,
        r#"<td><span class="sev {sev}">{sev}</span></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class="n">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>"#,
        f.status.as_str(),
        escape(f.rule().summary()),
        escape(&f.account_id),
        escape(&f.user),
        f.slot.map_or_else(|| "-".to_owned(), |n| n.to_string()),
        f.age_days.map(|d| format!("{} d", thousands(d.max(0) as u64))).unwrap_or_default(),
        due_text(f.days_until_due),
        match f.last_used {
            Some(LastUsed::At(t)) => format_timestamp(&t),
            Some(LastUsed::Never) => "never".to_owned(),
            Some(LastUsed::NoInformation) => "no information".to_owned(),
            None => "-".to_owned(),
        },
        escape(&f.reason) + if f.exempted.is_some() { " (exempted)" } else { "" },
        sev = f.severity.as_str(),
    );
}

fn findings_table(s: &mut String, rows: &[&SourcedFinding], many: bool) {
    s.push_str(r#"<div class="wrap"><table><thead><tr>"#);
    if many {
        s.push_str("<th>Report</th>");
    }
    s.push_str("<th>Severity</th><th>Status</th><th>Check</th><th>Account</th><th>User</th><th>Key</th><th>Age</th><th>Due</th><th>Last used</th><th>Why</th></tr></thead><tbody>");
    for f in rows {
        finding_row(s, &f.source, &f.finding, many);
    }
    s.push_str("</tbody></table></div>");
}

fn step_html(s: &mut String, source: Option<&str>, step: &Step) {
    let _ = write!(
        s,
        r#"<div class="step" data-step="{}"><h3><span class="sev {sev}">{sev}</span> {} <code>{}</code>: {} (account {}{})</h3><p>{}</p>"#,
        step.step.as_str(),
        escape(step.step.title()),
        step.step.as_str(),
        escape(&step.user),
        escape(&step.account_id),
        source.map(|s| format!(", {}", escape(s))).unwrap_or_default(),
        escape(&step.reason),
        sev = step.severity.as_str(),
    );
    for note in &step.notes {
        let _ = write!(s, "<p><strong>Note:</strong> {}</p>", escape(note));
    }
    if !step.checks.is_empty() || !step.commands.is_empty() {
        s.push_str("<pre>");
        for check in &step.checks {
            let _ = writeln!(s, "# check (read-only)\n{}", escape(check));
        }
        for command in &step.commands {
            let _ = writeln!(s, "# then\n{}", escape(command));
        }
        s.push_str("</pre>");
    }
    s.push_str("</div>");
}

/// Writes the report of `many` (its findings held, as `analyze_many`
/// returns them) and the plans of its reports.
///
/// ```
/// use keyrot::{analyze_many, parse_timestamp, plan, Options};
/// let csv = "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n\
///            <script>x</script>,arn:aws:iam::111122223333:user/a,true,2026-01-01T00:00:00Z,false,N/A\n";
/// let options = Options::at(parse_timestamp("2026-11-26T00:00:00Z").unwrap());
/// let many = analyze_many(vec![("report.csv".to_owned(), csv.as_bytes())], &options, None);
/// let plans: Vec<(String, keyrot::plan::Plan)> =
///     many.analyses().into_iter().map(|(source, a)| (source.to_owned(), plan(&a, None))).collect();
/// let mut out = Vec::new();
/// keyrot::view::write_html(&many, &plans, &mut out)?;
/// let html = String::from_utf8(out).unwrap();
/// assert!(html.starts_with("<!doctype html>"));
/// assert!(html.contains("&lt;script&gt;x&lt;/script&gt;") && !html.contains("<script"));
/// assert!(html.contains(keyrot::view::REPORT_CSP));
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn write_html(many: &ManyAnalysis, plans: &[(String, Plan)], out: &mut dyn Write) -> io::Result<()> {
    let c = &many.summary.overall;
    let totals = verdict_counts(c);
    let several = many.reports.len() > 1;
    let failed = many.failed().count();
    let verdict = if c.compliant && failed == 0 { "Compliant" } else { "Not compliant" };
    let mut s = String::with_capacity(64 * 1024);
    let _ = write!(
        s,
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="{REPORT_CSP}"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="generator" content="keyrot {VERSION}"><title>keyrot: {verdict}</title><style>{STYLE}</style></head><body><main>"#
    );
    // The answer first.
    let class = if verdict == "Compliant" { "ok" } else { "fail" };
    let _ = write!(s, r#"<header><h1 id="verdict" class="{class}">{verdict}</h1><p data-verdict="{}">"#, c.compliant);
    let what = if c.rules.is_empty() { "access keys" } else { "findings" };
    let _ = write!(
        s,
        r#"<strong data-total="fail">{}</strong> fail and <strong data-total="invalid">{}</strong> cannot be judged, of <span data-total="findings">{}</span> {what}; <span data-total="due_soon">{}</span> due soon, <span data-total="pass">{}</span> pass, <span data-total="inactive">{}</span> inactive{}."#,
        thousands(totals.fail),
        thousands(totals.invalid),
        thousands(totals.findings),
        thousands(totals.due_soon),
        thousands(totals.pass),
        thousands(totals.inactive),
        if totals.exempted > 0 { format!(", {} exempted", thousands(totals.exempted)) } else { String::new() },
    );
    if failed > 0 {
        let _ = write!(s, " {} could not be read.", plural(failed as u64, "report", "reports"));
    }
    let p = &many.policy;
    let _ = write!(
        s,
        r#"</p><p class="muted">{} in {}, {} users; the rule: rotate within {} days ({}), due soon within {} days. keyrot {VERSION} read the saved reports offline; nothing was sent anywhere.</p></header>"#,
        plural(c.keys, "key", "keys"),
        plural(many.summary.accounts.len() as u64, "account", "accounts"),
        thousands(c.users),
        p.max_age_days,
        p.granularity.as_str().replace('_', " "),
        p.warn_days,
    );

    // Each check.
    if let Some(checks) = &many.checks {
        s.push_str(r#"<section id="checks"><h2>Checks</h2><div class="wrap"><table><thead><tr><th>Check</th><th>CIS</th><th>Fail</th><th>Invalid</th><th>Due soon</th><th>Pass</th><th>Inactive</th><th>Exempted</th></tr></thead><tbody>"#);
        for (rule, r) in &c.rules {
            let number = rule.recommendation(checks.cis_version).map_or_else(
                || format!("not in {}: judged because asked for, and it counts", checks.cis_version),
                |rec| format!("{} {}", checks.cis_version, rec.number),
            );
            let _ = write!(
                s,
                r#"<tr data-rule="{}"><td>{} <code>{}</code></td><td>{}</td>"#,
                rule.as_str(),
                escape(rule.summary()),
                rule.as_str(),
                escape(&number)
            );
            counts_cells(&mut s, "count", r);
            s.push_str("</tr>");
        }
        s.push_str("</tbody></table></div></section>");
    }

    // Each account.
    s.push_str(r#"<section id="accounts"><h2>Accounts</h2><div class="wrap"><table><thead><tr><th>Account</th><th>Verdict</th><th>Users</th><th>Fail</th><th>Invalid</th><th>Due soon</th><th>Pass</th><th>Inactive</th><th>Exempted</th></tr></thead><tbody>"#);
    for account in &many.summary.accounts {
        let r = verdict_counts(&account.counts);
        let _ = write!(
            s,
            r#"<tr data-account="{}"><td>{}</td><td class="{}">{}</td><td class="n">{}</td>"#,
            escape(&account.account_id),
            escape(&account.account_id),
            if account.counts.compliant { "ok" } else { "fail" },
            if account.counts.compliant { "compliant" } else { "not compliant" },
            thousands(account.counts.users)
        );
        counts_cells(&mut s, "account-count", &r);
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table></div></section>");

    // The ages.
    let chart = Histogram::of(
        p.max_age_days,
        many.findings
            .iter()
            .filter(|f| f.finding.rule() == Rule::AccessKeyRotated)
            .map(|f| (f.finding.age_days, f.finding.status)),
    );
    let _ = write!(
        s,
        r#"<section id="ages"><h2>Key ages</h2><div class="wrap">{}</div><p class="muted">{} with a usable age; {} without (invalid, or dated after as_of).</p></section>"#,
        chart.svg(1100),
        plural(chart.shown, "key", "keys"),
        thousands(chart.unusable)
    );

    // The findings, the worst first.
    let mut rows: Vec<&SourcedFinding> = many.findings.iter().collect();
    rows.sort_by_key(|f| f.finding.triage());
    let (act, rest): (Vec<&SourcedFinding>, Vec<&SourcedFinding>) =
        rows.into_iter().partition(|f| !matches!(f.finding.status, Status::Pass | Status::Inactive));
    let _ = write!(s, r#"<section id="findings"><h2>Findings to act on ({})</h2>"#, thousands(act.len() as u64));
    if act.is_empty() {
        s.push_str("<p>None: every finding passes or is inactive.</p>");
    } else {
        findings_table(&mut s, &act, several);
    }
    if !rest.is_empty() {
        let _ = write!(s, "<details><summary>{} passing or inactive</summary>", thousands(rest.len() as u64));
        findings_table(&mut s, &rest, several);
        s.push_str("</details>");
    }
    s.push_str("</section>");

    // The plan.
    let steps: Vec<(&str, &Step)> =
        plans.iter().flat_map(|(source, plan)| plan.steps.iter().map(move |st| (source.as_str(), st))).collect();
    let needed = steps.iter().filter(|(_, st)| st.needed).count() as u64;
    let _ = write!(
        s,
        r#"<section id="plan"><h2>Plan: {} needed to pass, {} clean-up</h2><p class="muted">keyrot never calls AWS: run each step's read-only checks first, then the commands you mean to run.</p>"#,
        plural(needed, "step", "steps"),
        thousands(steps.len() as u64 - needed)
    );
    for (source, step) in &steps {
        step_html(&mut s, several.then_some(*source), step);
    }
    s.push_str("</section>");

    // The anomalies.
    if !many.anomalies.is_empty() {
        let _ =
            write!(s, r#"<section id="anomalies"><h2>Anomalies ({})</h2><ul>"#, thousands(many.anomalies.len() as u64));
        for a in &many.anomalies {
            let _ = write!(
                s,
                "<li><code>{}</code> {}{}: {}</li>",
                a.anomaly.code.as_str(),
                escape(&a.source),
                a.anomaly.line.map(|l| format!(" line {l}")).unwrap_or_default(),
                escape(&a.anomaly.message)
            );
        }
        let omitted: u64 = many.reports.iter().flat_map(|r| r.anomalies_omitted.values()).sum();
        if omitted > 0 {
            let _ = write!(s, "<li>and {} more of the same codes, counted but not kept</li>", thousands(omitted));
        }
        s.push_str("</ul></section>");
    }

    // The evidence.
    s.push_str(r#"<section id="evidence"><h2>Evidence</h2><div class="wrap"><table><thead><tr><th>Report</th><th>SHA-256 of its bytes</th><th>as_of</th><th>from</th><th>GeneratedTime</th><th>Outcome</th></tr></thead><tbody>"#);
    for r in &many.reports {
        let _ = write!(
            s,
            "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&r.source),
            r.input_sha256.as_deref().unwrap_or("-"),
            when(r.as_of),
            r.as_of_source.map(|a| a.as_str()).unwrap_or("-"),
            when(r.generated_time),
            match &r.error {
                Some(e) => escape(&format!("could not be read: {e}")),
                None => "judged".to_owned(),
            }
        );
    }
    let policy = serde_json::to_string(&many.policy).unwrap_or_default();
    let checks = many.checks.as_ref().map(|c| serde_json::to_string(c).unwrap_or_default());
    let _ = writeln!(
        s,
        "</tbody></table></div><p>keyrot {VERSION}; policy <code>{}</code>{}</p></section></main></body></html>",
        escape(&policy),
        checks.map(|c| format!("; checks <code>{}</code>", escape(&c))).unwrap_or_default()
    );
    out.write_all(s.as_bytes())?;
    out.flush()
}
