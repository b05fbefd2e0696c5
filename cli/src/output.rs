//! The three output formats of `keyrot check`.

use crate::{Judged, Outcome};
use keyrot::{format_timestamp, AsOfSource, Finding, LastUsed, Status};
use std::io::{self, Write};

/// Spells control characters (and other invisible ones) visibly, so text from
/// a report cannot move the cursor, recolour or rewrite a terminal.
pub(crate) fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        if ch.is_control() || matches!(ch, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        {
            out.extend(ch.escape_default());
        } else {
            out.push(ch);
        }
    }
    out
}

/// Makes a text cell safe to open in a spreadsheet: a cell that starts with
/// `=`, `+`, `-`, `@`, tab or carriage return gets a leading `'` so it is not
/// run as a formula. Numbers keyrot computes are written as they are.
pub fn neutralize(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

const CSV_HEADER: [&str; 19] = [
    "source",
    "account_id",
    "user",
    "arn",
    "is_root",
    "slot",
    "status",
    "active",
    "last_rotated",
    "age_days",
    "due_at",
    "days_until_due",
    "last_used",
    "last_used_region",
    "last_used_service",
    "used_since_rotation",
    "code",
    "reason",
    "line",
];

fn opt_ts(t: Option<keyrot::Timestamp>) -> String {
    t.map(|t| format_timestamp(&t)).unwrap_or_default()
}

fn opt_num<T: ToString>(n: Option<T>) -> String {
    n.map(|n| n.to_string()).unwrap_or_default()
}

fn last_used_text(l: Option<LastUsed>) -> String {
    match l {
        None => String::new(),
        Some(LastUsed::At(t)) => format_timestamp(&t),
        Some(LastUsed::Never) => "never".to_owned(),
        Some(LastUsed::NoInformation) => "no_information".to_owned(),
    }
}

fn code_text(f: &Finding) -> String {
    f.code.and_then(|c| serde_json::to_value(c).ok()).and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// Writes findings as CSV rows, one per finding, after a header.
pub(crate) struct CsvFindings<W: Write> {
    writer: csv::Writer<W>,
    wrote_header: bool,
}

impl<W: Write> CsvFindings<W> {
    pub(crate) fn new(inner: W) -> Self {
        CsvFindings { writer: csv::Writer::from_writer(inner), wrote_header: false }
    }

    pub(crate) fn write(&mut self, source: &str, f: &Finding) -> io::Result<()> {
        if !self.wrote_header {
            self.writer.write_record(CSV_HEADER)?;
            self.wrote_header = true;
        }
        let text = |s: &str| neutralize(s).into_owned();
        let record: [String; 19] = [
            text(source),
            text(&f.account_id),
            text(&f.user),
            text(&f.arn),
            f.is_root.to_string(),
            f.slot.to_string(),
            f.status.as_str().to_owned(),
            f.active.to_string(),
            opt_ts(f.last_rotated),
            opt_num(f.age_days),
            opt_ts(f.due_at),
            opt_num(f.days_until_due),
            last_used_text(f.last_used),
            text(f.last_used_region.as_deref().unwrap_or("")),
            text(f.last_used_service.as_deref().unwrap_or("")),
            opt_num(f.used_since_rotation),
            code_text(f),
            text(&f.reason),
            f.line.to_string(),
        ];
        self.writer.write_record(&record)?;
        Ok(())
    }

    /// Writes the header if no row came, and returns the inner writer.
    pub(crate) fn finish(mut self) -> io::Result<W> {
        if !self.wrote_header {
            self.writer.write_record(CSV_HEADER)?;
        }
        self.writer.into_inner().map_err(|e| io::Error::other(e.to_string()))
    }
}

/// One document: the analysis itself for one input; for several, every
/// input's analysis or error.
pub(crate) fn write_json(out: &mut dyn Write, results: &[Judged]) -> io::Result<()> {
    let value = if let [single] = results {
        match &single.outcome {
            Outcome::Judged(a) => serde_json::to_value(a)?,
            Outcome::Failed(e) => serde_json::json!({ "source": single.source, "error": e }),
        }
    } else {
        let reports: Vec<serde_json::Value> = results
            .iter()
            .map(|r| match &r.outcome {
                Outcome::Judged(a) => serde_json::json!({ "source": r.source, "analysis": a }),
                Outcome::Failed(e) => serde_json::json!({ "source": r.source, "error": e }),
            })
            .collect();
        let compliant = results.iter().all(|r| matches!(&r.outcome, Outcome::Judged(a) if a.is_compliant()));
        serde_json::json!({ "compliant": compliant, "reports": reports })
    };
    serde_json::to_writer_pretty(&mut *out, &value)?;
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
        AsOfSource::Report => "the report's GeneratedTime",
        AsOfSource::Clock => "now: the report carries no GeneratedTime",
    }
}

/// Aligned columns, then a one-line verdict per report.
pub(crate) fn write_table(out: &mut dyn Write, results: &[Judged], color: bool) -> io::Result<()> {
    const HEAD: [&str; 8] = ["ACCOUNT", "USER", "SLOT", "STATUS", "AGE", "LAST ROTATED", "LAST USED", "REASON"];
    for (i, judged) in results.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        let analysis = match &judged.outcome {
            Outcome::Judged(a) => a,
            Outcome::Failed(e) => {
                writeln!(out, "{}: ERROR {}", printable(&judged.source), printable(&e.to_string()))?;
                continue;
            }
        };
        if results.len() > 1 {
            writeln!(out, "{}", printable(&judged.source))?;
        }
        let rows: Vec<[String; 8]> = analysis
            .findings
            .iter()
            .map(|f| {
                [
                    printable(&f.account_id),
                    printable(&f.user),
                    f.slot.to_string(),
                    f.status.as_str().to_owned(),
                    f.age_days.map(|d| format!("{d}d")).unwrap_or_else(|| "-".to_owned()),
                    f.last_rotated.map(|t| format_timestamp(&t)).unwrap_or_else(|| "-".to_owned()),
                    match f.last_used {
                        Some(LastUsed::At(t)) => format_timestamp(&t),
                        Some(LastUsed::Never) => "never".to_owned(),
                        Some(LastUsed::NoInformation) => "no_information".to_owned(),
                        None => "-".to_owned(),
                    },
                    printable(&f.reason),
                ]
            })
            .collect();
        if !rows.is_empty() {
            let mut widths = HEAD.map(|h| h.chars().count());
            for row in &rows {
                for (w, cell) in widths.iter_mut().zip(row) {
                    *w = (*w).max(cell.chars().count());
                }
            }
            let line = |cells: &[String; 8], status: Option<Status>| {
                let mut s = String::new();
                for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
                    let pad = w - cell.chars().count();
                    let shown = match (i, status) {
                        (3, Some(st)) => paint(cell, st, color),
                        _ => cell.clone(),
                    };
                    if i == 7 {
                        s.push_str(&shown);
                    } else {
                        s.push_str(&shown);
                        s.push_str(&" ".repeat(pad + 2));
                    }
                }
                s
            };
            writeln!(out, "{}", line(&HEAD.map(str::to_owned), None))?;
            for (row, f) in rows.iter().zip(&analysis.findings) {
                writeln!(out, "{}", line(row, Some(f.status)))?;
            }
        } else if analysis.summary.overall.keys == 0 {
            writeln!(out, "no access keys in the report")?;
        } else {
            writeln!(out, "no findings to show")?;
        }
        let c = &analysis.summary.overall;
        let verdict = if c.compliant { "COMPLIANT" } else { "NOT COMPLIANT" };
        let verdict = if color {
            format!("\x1b[1;{}m{verdict}\x1b[0m", if c.compliant { 32 } else { 31 })
        } else {
            verdict.to_owned()
        };
        writeln!(
            out,
            "{verdict}: {} fail, {} invalid, {} due_soon, {} pass, {} inactive ({}, {}, {}); as_of {} ({})",
            c.fail,
            c.invalid,
            c.due_soon,
            c.pass,
            c.inactive,
            count(c.keys, "key"),
            count(c.users, "user"),
            count(analysis.summary.accounts.len() as u64, "account"),
            format_timestamp(&analysis.as_of),
            as_of_source_text(analysis.as_of_source),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutralizes_formula_starts() {
        for bad in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralize(bad), format!("'{bad}"));
        }
        assert_eq!(neutralize("alice"), "alice");
        assert_eq!(neutralize(""), "");
    }

    #[test]
    fn printable_escapes_terminal_controls() {
        assert_eq!(printable("a\x1b[31mb\nc"), "a\\u{1b}[31mb\\nc");
        assert_eq!(printable("a\u{202E}b"), "a\\u{202e}b");
    }
}
