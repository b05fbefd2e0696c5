//! The three output formats of `keyrot check`.

use keyrot::{format_timestamp, AsOfSource, Finding, LastUsed, Status};
use std::io::{self, Write};

pub(crate) use keyrot::view::printable;

/// The analysis, the JSON contract, as one document.
pub(crate) fn write_json(out: &mut dyn Write, analysis: &keyrot::Analysis) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, analysis)?;
    writeln!(out)
}

fn paint(text: &str, status: Status, color: bool) -> String {
    if !color {
        return text.to_owned();
    }
    let code = match status {
        Status::Fail => "1;31",
        Status::Invalid => "1;35",
        Status::DueSoon => "33",
        Status::Pass => "32",
        Status::Inactive => "2",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

fn count(n: u64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn as_of_source_text(s: AsOfSource) -> &'static str {
    match s {
        AsOfSource::Explicit => "given with --as-of",
        AsOfSource::Date => "given with --as-of as a date: its midnight, UTC",
        AsOfSource::Report => "the report's GeneratedTime",
        AsOfSource::Clock => "now: the report carries no GeneratedTime",
        AsOfSource::NewestTimestamp => "the newest timestamp in the report: it carries no GeneratedTime",
    }
}

const HEAD: [&str; 10] =
    ["SOURCE", "ACCOUNT", "USER", "SLOT", "STATUS", "SEVERITY", "AGE", "LAST ROTATED", "LAST USED", "REASON"];

fn cells(source: &str, f: &Finding) -> [String; 10] {
    [
        printable(source),
        printable(&f.account_id),
        printable(&f.user),
        f.slot.map_or_else(|| "-".to_owned(), |s| s.to_string()),
        f.status.as_str().to_owned(),
        f.severity.as_str().to_owned(),
        f.age_days.map(|d| format!("{d}d")).unwrap_or_else(|| "-".to_owned()),
        f.last_rotated.map(|t| format_timestamp(&t)).unwrap_or_else(|| "-".to_owned()),
        match f.last_used {
            Some(LastUsed::At(t)) => format_timestamp(&t),
            Some(LastUsed::Never) => "never".to_owned(),
            Some(LastUsed::NoInformation) => "no_information".to_owned(),
            None => "-".to_owned(),
        },
        match (f.rule, &f.cis) {
            (Some(rule), Some(Some(number))) => format!("[{rule} {number}] "),
            (Some(rule), _) => format!("[{rule}] "),
            _ => String::new(),
        } + &printable(&f.reason)
            + if f.exempted.is_some() { " [exempted]" } else { "" },
    ]
}

/// Writes aligned rows; `first` is the first column shown (0 to show the
/// source, 1 to leave it out).
fn write_rows(out: &mut dyn Write, rows: &[([String; 10], Status)], first: usize, color: bool) -> io::Result<()> {
    let mut widths = HEAD.map(|h| h.chars().count());
    for (row, _) in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String; 10], status: Option<Status>| {
        let mut s = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate().skip(first) {
            let shown = match (i, status) {
                (4, Some(st)) => paint(cell, st, color),
                _ => cell.clone(),
            };
            s.push_str(&shown);
            if i < 9 {
                s.push_str(&" ".repeat(w - cell.chars().count() + 2));
            }
        }
        s
    };
    writeln!(out, "{}", line(&HEAD.map(str::to_owned), None))?;
    for (row, status) in rows {
        writeln!(out, "{}", line(row, Some(*status)))?;
    }
    Ok(())
}

fn verdict_line(c: &keyrot::Counts, accounts: usize, color: bool) -> String {
    let verdict = if c.compliant { "COMPLIANT" } else { "NOT COMPLIANT" };
    let verdict = if color {
        format!("\x1b[1;{}m{verdict}\x1b[0m", if c.compliant { 32 } else { 31 })
    } else {
        verdict.to_owned()
    };
    let exempted = if c.exempted > 0 { format!(", {} exempted", c.exempted) } else { String::new() };
    let keys = format!(
        "{} fail, {} invalid, {} due_soon, {} pass, {} inactive{exempted} ({}, {}, {})",
        c.fail,
        c.invalid,
        c.due_soon,
        c.pass,
        c.inactive,
        count(c.keys, "key"),
        count(c.users, "user"),
        count(accounts as u64, "account"),
    );
    if c.rules.is_empty() {
        return format!("{verdict}: {keys}");
    }
    // A run of several checks: every check's findings first, then the keys'.
    let all = c.all_rules();
    let failing = c.rules.values().filter(|r| r.fail + r.invalid > 0).count();
    format!(
        "{verdict}: {} of {} checks failing, {} fail, {} invalid, {} due_soon of {} findings; access keys: {keys}",
        failing,
        c.rules.len(),
        all.fail,
        all.invalid,
        all.due_soon,
        all.findings,
    )
}

/// One line per check judged: its id, its number in the run's CIS version
/// (or why it has none), its title and counts.
fn rule_lines(out: &mut dyn Write, c: &keyrot::Counts, checks: Option<&keyrot::Checks>) -> io::Result<()> {
    let Some(checks) = checks else { return Ok(()) };
    for (rule, r) in &c.rules {
        let number = match rule.recommendation(checks.cis_version) {
            Some(rec) => format!("CIS {} {}", checks.cis_version, rec.number),
            None => format!("not in CIS {} (judged because asked for; it counts)", checks.cis_version),
        };
        writeln!(
            out,
            "  {:<24} {}: {} fail, {} invalid, {} due_soon, {} pass{} [{number}]",
            rule.as_str(),
            rule.summary(),
            r.fail,
            r.invalid,
            r.due_soon,
            r.pass,
            if r.exempted > 0 { format!(", {} exempted", r.exempted) } else { String::new() },
        )?;
    }
    Ok(())
}

/// The findings in triage order: the most severe first, the furthest
/// overdue, the oldest ([`keyrot::Finding::triage`]).
fn triaged<'a, T>(items: impl Iterator<Item = (&'a Finding, T)>) -> Vec<(&'a Finding, T)> {
    let mut items: Vec<(&Finding, T)> = items.collect();
    items.sort_by_key(|(f, _)| f.triage());
    items
}

/// The verdict first (and each check's counts), then the findings in triage
/// order, the most severe first.
pub(crate) fn write_table(out: &mut dyn Write, analysis: &keyrot::Analysis, color: bool) -> io::Result<()> {
    writeln!(
        out,
        "{}; as_of {} ({})",
        verdict_line(&analysis.summary.overall, analysis.summary.accounts.len(), color),
        format_timestamp(&analysis.as_of),
        as_of_source_text(analysis.as_of_source),
    )?;
    rule_lines(out, &analysis.summary.overall, analysis.checks.as_ref())?;
    writeln!(out)?;
    let rows: Vec<([String; 10], Status)> = triaged(analysis.findings.iter().map(|f| (f, ())))
        .into_iter()
        .map(|(f, ())| (cells("", f), f.status))
        .collect();
    if !rows.is_empty() {
        write_rows(out, &rows, 1, color)?;
    } else if analysis.summary.overall.keys == 0 {
        writeln!(out, "no access keys in the report")?;
    } else {
        writeln!(out, "no findings to show")?;
    }
    Ok(())
}

/// Several reports: the findings grouped by account, a line per account,
/// a line per report, and the verdict over all of them.
pub(crate) fn write_table_many(out: &mut dyn Write, many: &keyrot::ManyAnalysis, color: bool) -> io::Result<()> {
    let failed = many.failed().count();
    let failed = if failed > 0 { format!("; {failed} report(s) could not be read") } else { String::new() };
    let verdict = format!(
        "{} across {}{failed}",
        verdict_line(&many.summary.overall, many.summary.accounts.len(), color),
        count(many.reports.len() as u64, "report")
    );
    writeln!(out, "{verdict}")?;
    rule_lines(out, &many.summary.overall, many.checks.as_ref())?;
    writeln!(out)?;
    for account in &many.summary.accounts {
        let mine = many.findings.iter().filter(|f| f.finding.account_id == account.account_id);
        let rows: Vec<([String; 10], Status)> = triaged(mine.map(|f| (&f.finding, f.source.as_str())))
            .into_iter()
            .map(|(f, source)| (cells(source, f), f.status))
            .collect();
        writeln!(out, "== account {}: {}", printable(&account.account_id), verdict_line(&account.counts, 1, color))?;
        if !rows.is_empty() {
            write_rows(out, &rows, 0, color)?;
        }
        writeln!(out)?;
    }
    for report in &many.reports {
        match (&report.error, report.as_of, report.as_of_source) {
            (Some(e), _, _) => writeln!(out, "{}: ERROR {}", printable(&report.source), printable(&e.to_string()))?,
            (None, Some(as_of), Some(source)) => writeln!(
                out,
                "{}: as_of {} ({})",
                printable(&report.source),
                format_timestamp(&as_of),
                as_of_source_text(source)
            )?,
            _ => {}
        }
    }
    writeln!(out, "{verdict}")
}
