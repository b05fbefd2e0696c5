//! The rotation plan as text, in the formats `keyrot plan --format` writes:
//! a table for the terminal, JSON, a Markdown checklist, a shell script in
//! which only read-only checks are live, and CSV of the steps. The command,
//! Python and the page all write them here, so that their bytes are the
//! same for the same reports. A [`PlanWriter`] writes a report's steps as
//! they come (the page's plan of a million rows is never held written out);
//! [`PlanFormat::write`] writes whole plans.

use crate::error::Error;
use crate::input::value::{format_timestamp, Timestamp};
use crate::judge::policy::Policy;
use crate::plan::steps::{Plan, Step};
use crate::present::csv::text;
use serde::Serialize;
use std::io::{self, Write};

/// A format of the rotation plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum PlanFormat {
    /// For a terminal: each step, its reason, checks and commands.
    Table,
    /// The plan as JSON: one report's plan, or `{"reports": [...]}`.
    Json,
    /// A Markdown checklist, commands in fenced blocks.
    Markdown,
    /// A POSIX shell script: the read-only checks are live, every command
    /// that creates, deactivates or deletes is commented out.
    Sh,
    /// One row per step: `source`, `account_id`, `user`, `arn`, `line`,
    /// `step`, `rule`, `severity`, `needed`, `reason`, `checks`, `commands`
    /// (one per line in a cell), `delete_after`, `notes`.
    Csv,
}

crate::error::codes!(PlanFormat, "plan format", "plan formats" {
    Table => "table",
    Json => "json",
    Markdown => "markdown",
    Sh => "sh",
    Csv => "csv",
});

/// The columns of [`PlanFormat::Csv`].
pub const PLAN_CSV_COLUMNS: [&str; 14] = [
    "source",
    "account_id",
    "user",
    "arn",
    "line",
    "step",
    "rule",
    "severity",
    "needed",
    "reason",
    "checks",
    "commands",
    "delete_after",
    "notes",
];

/// Spells control characters (and the invisible ones that reorder or hide
/// text) visibly, so text from a report cannot move a terminal's cursor,
/// recolour it, end a shell comment early or hide itself in a document.
///
/// ```
/// assert_eq!(keyrot::view::printable("a\x1b[31mb\nc"), "a\\u{1b}[31mb\\nc");
/// assert_eq!(keyrot::view::printable("a\u{202E}b"), "a\\u{202e}b");
/// ```
pub fn printable(text: &str) -> String {
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

/// Writes plans of one or more reports, step by step: [`report`](PlanWriter::report)
/// (or [`failed`](PlanWriter::failed)) for each report in order, then its
/// steps, then [`finish`](PlanWriter::finish). The bytes are those of
/// [`PlanFormat::write`] over the same plans.
pub struct PlanWriter<'w> {
    format: PlanFormat,
    out: &'w mut dyn Write,
    /// Several reports (the JSON and the headings say which).
    many: bool,
    /// Reports begun, and steps written in the current one.
    reports: usize,
    steps: usize,
    /// The current report's plan is open (begun and not yet closed).
    open: bool,
    /// The current report's name, and the steps it has (for the summary
    /// line of the table).
    source: String,
    total: usize,
    as_of: Option<Timestamp>,
}

impl std::fmt::Debug for PlanWriter<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlanWriter").field("format", &self.format).field("reports", &self.reports).finish()
    }
}

/// JSON text of `value`, pretty, each line after the first indented by
/// `indent` spaces: a piece of a pretty document that serde would write whole.
fn pretty<T: Serialize>(value: &T, indent: usize) -> io::Result<String> {
    let text = serde_json::to_string_pretty(value)?;
    let pad = " ".repeat(indent);
    Ok(text.replace('\n', &format!("\n{pad}")))
}

/// Escapes Markdown's special characters in text from a report.
fn md_text(text: &str) -> String {
    let mut out = String::new();
    for ch in printable(text).chars() {
        if "\\`*_{}[]()#+-.!|<>&".contains(ch) {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

fn who(step: &Step) -> String {
    format!("{} (account {}, line {})", printable(&step.user), printable(&step.account_id), step.line)
}

fn needed(step: &Step) -> &'static str {
    if step.needed {
        "needed to pass"
    } else {
        "clean-up"
    }
}

impl<'w> PlanWriter<'w> {
    /// A writer of `format` to `out`, for `reports` reports.
    pub fn new(format: PlanFormat, out: &'w mut dyn Write, reports: usize) -> io::Result<PlanWriter<'w>> {
        let writer = PlanWriter {
            format,
            out,
            many: reports > 1,
            reports: 0,
            steps: 0,
            open: false,
            source: String::new(),
            total: 0,
            as_of: None,
        };
        match format {
            PlanFormat::Json if writer.many => write!(writer.out, "{{\n  \"reports\": [")?,
            PlanFormat::Markdown => {
                writeln!(writer.out, "# Access-key rotation plan\n")?;
                writeln!(
                    writer.out,
                    "keyrot never calls AWS. Run each step's checks first, then the commands you mean to run. \
                     Steps needed to pass come first, then clean-up.\n"
                )?;
            }
            PlanFormat::Sh => {
                writeln!(writer.out, "#!/bin/sh")?;
                writeln!(writer.out, "# Access-key rotation plan written by keyrot. keyrot never calls AWS.")?;
                writeln!(
                    writer.out,
                    "# Read each step. The checks (read-only) are live; every command that creates, deactivates"
                )?;
                writeln!(
                    writer.out,
                    "# or deletes is commented out: run the check, set the key id, then uncomment what you mean to run."
                )?;
                writeln!(writer.out, "set -eu")?;
            }
            PlanFormat::Csv => {
                let mut line = PLAN_CSV_COLUMNS.join(",").into_bytes();
                line.push(b'\n');
                writer.out.write_all(&line)?;
            }
            _ => {}
        }
        Ok(writer)
    }

    /// Ends the report before, if any.
    fn end_report(&mut self) -> io::Result<()> {
        if !self.open {
            return Ok(());
        }
        self.open = false;
        match self.format {
            PlanFormat::Json => {
                let indent = if self.many { "    " } else { "" };
                if self.steps > 0 {
                    write!(self.out, "\n{indent}  ]")?;
                } else {
                    write!(self.out, "]")?;
                }
                write!(self.out, "\n{indent}}}")?;
                if self.many {
                    write!(self.out, "\n    }}")?;
                }
            }
            PlanFormat::Table if self.as_of.is_some() => {
                let n = self.total;
                writeln!(
                    self.out,
                    "{n} step{} as_of {}; keyrot never calls AWS: run each check, then the commands you mean to run.",
                    if n == 1 { ";" } else { "s;" },
                    self.as_of.as_ref().map(format_timestamp).unwrap_or_default()
                )?;
            }
            _ => {}
        }
        Ok(())
    }

    fn begin(&mut self, source: &str) -> io::Result<()> {
        self.end_report()?;
        if self.format == PlanFormat::Json && self.many {
            write!(
                self.out,
                "{}\n    {{\n      \"source\": {},",
                if self.reports > 0 { "," } else { "" },
                pretty(&source, 6)?
            )?;
        }
        self.reports += 1;
        self.steps = 0;
        self.total = 0;
        self.as_of = None;
        self.source = source.to_owned();
        match self.format {
            PlanFormat::Table if self.many => writeln!(self.out, "== {}", printable(source))?,
            PlanFormat::Markdown if self.many => writeln!(self.out, "## {}\n", md_text(source))?,
            PlanFormat::Sh => {
                writeln!(self.out)?;
                self.comment(&format!("Report: {source}"))?;
            }
            _ => {}
        }
        Ok(())
    }

    /// Begins the plan of the report `source`, judged at `as_of` under
    /// `policy`, which has `steps` steps.
    pub fn report(&mut self, source: &str, as_of: Timestamp, policy: &Policy, steps: usize) -> io::Result<()> {
        self.begin(source)?;
        self.open = true;
        self.as_of = Some(as_of);
        self.total = steps;
        match self.format {
            PlanFormat::Json => {
                let (open, indent) = if self.many { ("\n      \"plan\": {", 8) } else { ("{", 2) };
                let pad = " ".repeat(indent);
                write!(
                    self.out,
                    "{open}\n{pad}\"as_of\": {},\n{pad}\"policy\": {},\n{pad}\"steps\": [",
                    pretty(&format_timestamp(&as_of), indent)?,
                    pretty(policy, indent)?
                )?;
            }
            PlanFormat::Markdown => writeln!(self.out, "As of {}: {} step(s).\n", format_timestamp(&as_of), steps)?,
            PlanFormat::Sh => self.comment(&format!("as_of {}", format_timestamp(&as_of)))?,
            _ => {}
        }
        Ok(())
    }

    /// A report whose plan could not be made: `error` says why.
    pub fn failed(&mut self, source: &str, error: &Error) -> io::Result<()> {
        self.begin(source)?;
        match self.format {
            PlanFormat::Json if self.many => write!(self.out, "\n      \"error\": {}\n    }}", pretty(error, 6)?)?,
            PlanFormat::Json => {
                write!(self.out, "{{\n  \"error\": {},\n  \"source\": {}\n}}", pretty(error, 2)?, pretty(&source, 2)?)?
            }
            PlanFormat::Table => writeln!(self.out, "ERROR {}", printable(&error.to_string()))?,
            PlanFormat::Markdown => writeln!(self.out, "**Error:** {}\n", md_text(&error.to_string()))?,
            PlanFormat::Sh => self.comment(&format!("ERROR: {error}"))?,
            PlanFormat::Csv => {}
        }
        Ok(())
    }

    fn comment(&mut self, text: &str) -> io::Result<()> {
        // `printable` spells every control character, so no comment can end
        // early and start a live line.
        writeln!(self.out, "# {}", printable(text))
    }

    /// Writes one step of the current report.
    pub fn step(&mut self, step: &Step) -> io::Result<()> {
        self.steps += 1;
        match self.format {
            PlanFormat::Json => {
                let indent = if self.many { 10 } else { 4 };
                let pad = " ".repeat(indent);
                write!(self.out, "{}\n{pad}{}", if self.steps > 1 { "," } else { "" }, pretty(step, indent)?)?;
            }
            PlanFormat::Table => {
                writeln!(self.out, "{}: {} [{}, {}]", who(step), step.step.as_str(), step.severity, needed(step))?;
                writeln!(self.out, "  {}", printable(&step.reason))?;
                for note in &step.notes {
                    writeln!(self.out, "  note: {}", printable(note))?;
                }
                for check in &step.checks {
                    writeln!(self.out, "  check: {check}")?;
                }
                for command in &step.commands {
                    writeln!(self.out, "  run:   {command}")?;
                }
                writeln!(self.out)?;
            }
            PlanFormat::Markdown => {
                writeln!(self.out, "### {} `{}`: {}\n", step.step.title(), step.step.as_str(), md_text(&who(step)))?;
                writeln!(self.out, "*{}, {}; check `{}`.*\n", step.severity, needed(step), step.rule)?;
                writeln!(self.out, "{}\n", md_text(&step.reason))?;
                for note in &step.notes {
                    writeln!(self.out, "> **Note:** {}\n", md_text(note))?;
                }
                let lines: Vec<String> = step
                    .checks
                    .iter()
                    .map(|c| format!("# check\n{c}"))
                    .chain(step.commands.iter().map(|c| format!("# then\n{c}")))
                    .collect();
                if !lines.is_empty() {
                    let body = lines.join("\n");
                    // A fence longer than any run of backticks in the body.
                    let longest = body.split(|c| c != '`').map(str::len).max().unwrap_or(0);
                    let fence = "`".repeat(longest.max(2) + 1);
                    writeln!(self.out, "{fence}sh\n{body}\n{fence}\n")?;
                }
            }
            PlanFormat::Sh => self.sh_step(step)?,
            PlanFormat::Csv => {
                let mut line = Vec::new();
                let cells: [String; 14] = [
                    self.source.clone(),
                    step.account_id.clone(),
                    step.user.clone(),
                    step.arn.clone(),
                    step.line.to_string(),
                    step.step.as_str().to_owned(),
                    step.rule.as_str().to_owned(),
                    step.severity.as_str().to_owned(),
                    step.needed.to_string(),
                    step.reason.clone(),
                    step.checks.join("\n"),
                    step.commands.join("\n"),
                    step.delete_after.as_ref().map(format_timestamp).unwrap_or_default(),
                    step.notes.join("\n"),
                ];
                for (i, cell) in cells.iter().enumerate() {
                    if i > 0 {
                        line.push(b',');
                    }
                    text(&mut line, cell);
                }
                line.push(b'\n');
                self.out.write_all(&line)?;
            }
        }
        Ok(())
    }

    fn sh_step(&mut self, step: &Step) -> io::Result<()> {
        writeln!(self.out)?;
        self.comment(&format!("=== {}: {} ({}, {})", who(step), step.step.as_str(), step.severity, needed(step)))?;
        self.comment(&step.reason)?;
        for note in &step.notes {
            self.comment(&format!("NOTE: {note}"))?;
        }
        if step.checks.is_empty() && step.commands.is_empty() {
            return Ok(());
        }
        let mut unique: Vec<&str> = step.keys.iter().map(|k| k.variable.as_str()).collect();
        unique.dedup();
        if !unique.is_empty() {
            writeln!(self.out, "unset {}", unique.join(" "))?;
        }
        for key in &step.keys {
            if key.access_key_id.is_none() {
                let created = key.last_rotated.map(|t| format_timestamp(&t)).unwrap_or_else(|| "?".to_owned());
                writeln!(
                    self.out,
                    "# {}=''  # the slot {} key ({}), CreateDate {created} in list-access-keys",
                    key.variable, key.slot, key.role
                )?;
            }
        }
        for check in &step.checks {
            if check.contains("\"$") {
                writeln!(self.out, "# {check}  # set the key id first")?;
            } else {
                writeln!(self.out, "{check}")?;
            }
        }
        for command in &step.commands {
            writeln!(self.out, "# {command}")?;
        }
        Ok(())
    }

    /// Ends the last report and the document.
    pub fn finish(mut self) -> io::Result<()> {
        self.end_report()?;
        if self.format == PlanFormat::Json {
            if self.many {
                write!(self.out, "{}]\n}}", if self.reports > 0 { "\n  " } else { "" })?;
            }
            writeln!(self.out)?;
        }
        self.out.flush()
    }
}

impl PlanFormat {
    /// Every plan format.
    pub const ALL: [PlanFormat; 5] =
        [PlanFormat::Table, PlanFormat::Json, PlanFormat::Markdown, PlanFormat::Sh, PlanFormat::Csv];

    /// Writes the plans of `reports` (each report's name and its plan, or
    /// why it has none), in order, as `keyrot plan --format` does.
    ///
    /// ```
    /// use keyrot::{analyze, parse_timestamp, plan, Options};
    /// use keyrot::view::PlanFormat;
    /// let csv = "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_2_active,access_key_2_last_rotated\n\
    ///            deploy,arn:aws:iam::111122223333:user/deploy,true,2026-01-01T00:00:00Z,2026-11-25T10:00:00Z,false,N/A\n";
    /// let analysis = analyze(csv.as_bytes(), &Options::at(parse_timestamp("2026-11-26T00:00:00Z").unwrap()))?;
    /// let plan = plan(&analysis, None);
    /// let mut out = Vec::new();
    /// PlanFormat::Sh.write(&[("report.csv", Ok(&plan))], &mut out)?;
    /// let script = String::from_utf8(out).unwrap();
    /// assert!(script.starts_with("#!/bin/sh\n"));
    /// assert!(script.contains("\n# aws iam create-access-key --user-name 'deploy'\n")); // commented out
    /// let mut json = Vec::new();
    /// PlanFormat::Json.write(&[("report.csv", Ok(&plan))], &mut json)?;
    /// assert_eq!(serde_json::from_slice::<serde_json::Value>(&json).unwrap(), serde_json::to_value(&plan).unwrap());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write(self, reports: &[(&str, Result<&Plan, &Error>)], out: &mut dyn Write) -> io::Result<()> {
        let mut writer = PlanWriter::new(self, out, reports.len())?;
        for (source, plan) in reports {
            match plan {
                Ok(plan) => {
                    writer.report(source, plan.as_of, &plan.policy, plan.steps.len())?;
                    for step in &plan.steps {
                        writer.step(step)?;
                    }
                }
                Err(e) => writer.failed(source, e)?,
            }
        }
        writer.finish()
    }
}
