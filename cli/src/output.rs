//! The three output formats of `keyrot check`.

use keyrot::{format_timestamp, AsOfSource, Finding, FindingCode, FindingRef, LastUsed, Status, Timestamp};
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

/// The columns of the CSV output, in their default order.
pub(crate) const CSV_HEADER: [&str; 19] = [
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

/// A finding as the CSV writer reads it: owned, or borrowed from a judged
/// chunk of the streaming path.
pub(crate) trait FindingView {
    fn account_id(&self) -> &str;
    fn user(&self) -> &str;
    fn arn(&self) -> &str;
    fn is_root(&self) -> bool;
    fn slot(&self) -> u8;
    fn status(&self) -> Status;
    fn active(&self) -> bool;
    fn last_rotated(&self) -> Option<Timestamp>;
    fn age_days(&self) -> Option<i64>;
    fn due_at(&self) -> Option<Timestamp>;
    fn days_until_due(&self) -> Option<i64>;
    fn last_used(&self) -> Option<LastUsed>;
    fn region(&self) -> Option<&str>;
    fn service(&self) -> Option<&str>;
    fn used_since_rotation(&self) -> Option<bool>;
    fn code(&self) -> Option<FindingCode>;
    fn reason_into(&self, out: &mut String);
    fn line(&self) -> u64;
}

impl FindingView for Finding {
    fn account_id(&self) -> &str {
        &self.account_id
    }
    fn user(&self) -> &str {
        &self.user
    }
    fn arn(&self) -> &str {
        &self.arn
    }
    fn is_root(&self) -> bool {
        self.is_root
    }
    fn slot(&self) -> u8 {
        self.slot
    }
    fn status(&self) -> Status {
        self.status
    }
    fn active(&self) -> bool {
        self.active
    }
    fn last_rotated(&self) -> Option<Timestamp> {
        self.last_rotated
    }
    fn age_days(&self) -> Option<i64> {
        self.age_days
    }
    fn due_at(&self) -> Option<Timestamp> {
        self.due_at
    }
    fn days_until_due(&self) -> Option<i64> {
        self.days_until_due
    }
    fn last_used(&self) -> Option<LastUsed> {
        self.last_used
    }
    fn region(&self) -> Option<&str> {
        self.last_used_region.as_deref()
    }
    fn service(&self) -> Option<&str> {
        self.last_used_service.as_deref()
    }
    fn used_since_rotation(&self) -> Option<bool> {
        self.used_since_rotation
    }
    fn code(&self) -> Option<FindingCode> {
        self.code
    }
    fn reason_into(&self, out: &mut String) {
        out.push_str(&self.reason);
    }
    fn line(&self) -> u64 {
        self.line
    }
}

impl FindingView for FindingRef<'_> {
    fn account_id(&self) -> &str {
        FindingRef::account_id(self)
    }
    fn user(&self) -> &str {
        FindingRef::user(self)
    }
    fn arn(&self) -> &str {
        FindingRef::arn(self)
    }
    fn is_root(&self) -> bool {
        FindingRef::is_root(self)
    }
    fn slot(&self) -> u8 {
        FindingRef::slot(self)
    }
    fn status(&self) -> Status {
        FindingRef::status(self)
    }
    fn active(&self) -> bool {
        FindingRef::active(self)
    }
    fn last_rotated(&self) -> Option<Timestamp> {
        FindingRef::last_rotated(self)
    }
    fn age_days(&self) -> Option<i64> {
        FindingRef::age_days(self)
    }
    fn due_at(&self) -> Option<Timestamp> {
        FindingRef::due_at(self)
    }
    fn days_until_due(&self) -> Option<i64> {
        FindingRef::days_until_due(self)
    }
    fn last_used(&self) -> Option<LastUsed> {
        FindingRef::last_used(self)
    }
    fn region(&self) -> Option<&str> {
        self.last_used_region()
    }
    fn service(&self) -> Option<&str> {
        self.last_used_service()
    }
    fn used_since_rotation(&self) -> Option<bool> {
        FindingRef::used_since_rotation(self)
    }
    fn code(&self) -> Option<FindingCode> {
        FindingRef::code(self)
    }
    fn reason_into(&self, out: &mut String) {
        // Writing into a String cannot fail.
        let _ = self.write_reason(out);
    }
    fn line(&self) -> u64 {
        FindingRef::line(self)
    }
}

/// Reads `--columns`: a name of [`CSV_HEADER`].
pub(crate) fn parse_column(name: &str) -> Result<usize, String> {
    CSV_HEADER
        .iter()
        .position(|c| *c == name.trim())
        .ok_or_else(|| format!("unknown column `{name}`; the columns are {}", CSV_HEADER.join(", ")))
}

/// Writes findings as CSV, one row per finding, with the chosen columns. A
/// cell is quoted when it holds a comma, a quote or a line ending, as the
/// `csv` crate does; text from the report is neutralised for spreadsheets.
pub(crate) struct CsvWriter<'c> {
    columns: &'c [usize],
    reason: String,
}

impl<'c> CsvWriter<'c> {
    pub(crate) fn new(columns: &'c [usize]) -> CsvWriter<'c> {
        CsvWriter { columns, reason: String::new() }
    }

    pub(crate) fn header(&self, out: &mut Vec<u8>) {
        for (i, &col) in self.columns.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(CSV_HEADER[col].as_bytes());
        }
        out.push(b'\n');
    }

    pub(crate) fn row(&mut self, out: &mut Vec<u8>, source: &str, f: &impl FindingView) {
        for (i, &col) in self.columns.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            match col {
                0 => text(out, source),
                1 => text(out, f.account_id()),
                2 => text(out, f.user()),
                3 => text(out, f.arn()),
                4 => out.extend_from_slice(if f.is_root() { b"true" } else { b"false" }),
                5 => int(out, i64::from(f.slot())),
                6 => out.extend_from_slice(f.status().as_str().as_bytes()),
                7 => out.extend_from_slice(if f.active() { b"true" } else { b"false" }),
                8 => timestamp(out, f.last_rotated()),
                9 => f.age_days().into_iter().for_each(|n| int(out, n)),
                10 => timestamp(out, f.due_at()),
                11 => f.days_until_due().into_iter().for_each(|n| int(out, n)),
                12 => match f.last_used() {
                    None => {}
                    Some(LastUsed::At(t)) => timestamp(out, Some(t)),
                    Some(LastUsed::Never) => out.extend_from_slice(b"never"),
                    Some(LastUsed::NoInformation) => out.extend_from_slice(b"no_information"),
                },
                13 => text(out, f.region().unwrap_or("")),
                14 => text(out, f.service().unwrap_or("")),
                15 => match f.used_since_rotation() {
                    None => {}
                    Some(true) => out.extend_from_slice(b"true"),
                    Some(false) => out.extend_from_slice(b"false"),
                },
                16 => out.extend_from_slice(f.code().map_or("", keyrot::FindingCode::as_str).as_bytes()),
                17 => {
                    self.reason.clear();
                    f.reason_into(&mut self.reason);
                    text(out, &self.reason);
                }
                _ => int(out, f.line() as i64),
            }
        }
        out.push(b'\n');
    }
}

/// A text cell: neutralised, and quoted when it must be.
fn text(out: &mut Vec<u8>, cell: &str) {
    let cell = neutralize(cell);
    let bytes = cell.as_bytes();
    if !bytes.iter().any(|&b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        out.extend_from_slice(bytes);
        return;
    }
    out.push(b'"');
    for part in bytes.split_inclusive(|&b| b == b'"') {
        out.extend_from_slice(part);
        if part.ends_with(b"\"") {
            out.push(b'"');
        }
    }
    out.push(b'"');
}

fn int(out: &mut Vec<u8>, n: i64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut v = n.unsigned_abs();
    loop {
        at -= 1;
        digits[at] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    if n < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(&digits[at..]);
}

fn timestamp(out: &mut Vec<u8>, t: Option<Timestamp>) {
    if let Some(t) = t {
        let mut buf = [0u8; 20];
        match keyrot::write_timestamp(&t, &mut buf) {
            Some(text) => out.extend_from_slice(text.as_bytes()),
            None => out.extend_from_slice(format_timestamp(&t).as_bytes()),
        }
    }
}

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
        AsOfSource::Report => "the report's GeneratedTime",
        AsOfSource::Clock => "now: the report carries no GeneratedTime",
        AsOfSource::NewestTimestamp => "the newest timestamp in the report: it carries no GeneratedTime",
    }
}

const HEAD: [&str; 9] = ["SOURCE", "ACCOUNT", "USER", "SLOT", "STATUS", "AGE", "LAST ROTATED", "LAST USED", "REASON"];

fn cells(source: &str, f: &Finding) -> [String; 9] {
    [
        printable(source),
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
        printable(&f.reason) + if f.exempted.is_some() { " [exempted]" } else { "" },
    ]
}

/// Writes aligned rows; `first` is the first column shown (0 to show the
/// source, 1 to leave it out).
fn write_rows(out: &mut dyn Write, rows: &[([String; 9], Status)], first: usize, color: bool) -> io::Result<()> {
    let mut widths = HEAD.map(|h| h.chars().count());
    for (row, _) in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String; 9], status: Option<Status>| {
        let mut s = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate().skip(first) {
            let shown = match (i, status) {
                (4, Some(st)) => paint(cell, st, color),
                _ => cell.clone(),
            };
            s.push_str(&shown);
            if i < 8 {
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
    format!(
        "{verdict}: {} fail, {} invalid, {} due_soon, {} pass, {} inactive{exempted} ({}, {}, {})",
        c.fail,
        c.invalid,
        c.due_soon,
        c.pass,
        c.inactive,
        count(c.keys, "key"),
        count(c.users, "user"),
        count(accounts as u64, "account"),
    )
}

/// Aligned columns, then a one-line verdict.
pub(crate) fn write_table(out: &mut dyn Write, analysis: &keyrot::Analysis, color: bool) -> io::Result<()> {
    let rows: Vec<([String; 9], Status)> = analysis.findings.iter().map(|f| (cells("", f), f.status)).collect();
    if !rows.is_empty() {
        write_rows(out, &rows, 1, color)?;
    } else if analysis.summary.overall.keys == 0 {
        writeln!(out, "no access keys in the report")?;
    } else {
        writeln!(out, "no findings to show")?;
    }
    writeln!(
        out,
        "{}; as_of {} ({})",
        verdict_line(&analysis.summary.overall, analysis.summary.accounts.len(), color),
        format_timestamp(&analysis.as_of),
        as_of_source_text(analysis.as_of_source),
    )
}

/// Several reports: the findings grouped by account, a line per account,
/// a line per report, and the verdict over all of them.
pub(crate) fn write_table_many(out: &mut dyn Write, many: &keyrot::ManyAnalysis, color: bool) -> io::Result<()> {
    for account in &many.summary.accounts {
        let rows: Vec<([String; 9], Status)> = many
            .findings
            .iter()
            .filter(|f| f.finding.account_id == account.account_id)
            .map(|f| (cells(&f.source, &f.finding), f.finding.status))
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
    let failed = many.failed().count();
    let failed = if failed > 0 { format!("; {failed} report(s) could not be read") } else { String::new() };
    writeln!(
        out,
        "{} across {}{failed}",
        verdict_line(&many.summary.overall, many.summary.accounts.len(), color),
        count(many.reports.len() as u64, "report")
    )
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
