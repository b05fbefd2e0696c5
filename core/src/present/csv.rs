//! Findings as CSV: the columns every interface writes, neutralised for
//! spreadsheets.

use crate::drive::analysis::Analysis;
use crate::drive::run::Run;
use crate::error::Error;
use crate::input::value::{decimal, with_timestamp_text, Timestamp};
use crate::judge::batch::{FindingBatch, FindingRef};
use crate::judge::policy::{read_names, Checks};
use crate::judge::rule::{FindingCode, LastUsed, Status};
use std::io::{Read, Write};

/// Makes a text cell safe to open in a spreadsheet: a cell that starts with
/// `=`, `+`, `-`, `@`, tab or carriage return gets a leading `'` so it is not
/// run as a formula. Numbers keyrot computes are written as they are.
pub(crate) fn neutralize(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

/// The columns of the CSV output of findings, in their default order.
/// `exempted` came after the first 19, so they keep their places: `true`
/// when an exemption in force covers the finding (it keeps its status but
/// does not fail the report), the same in every interface. `rule` and `cis`
/// (the finding's check and its recommendation number in the run's CIS
/// version) follow, then `severity` (`critical` ... `info`, see
/// [`Severity`](crate::cis::Severity)); these three are among the default
/// columns only when the run labels its findings ([`Checks::labelled`]), so a
/// run of the rotation rule alone writes the 20 columns it always did.
pub(crate) const CSV_COLUMNS: [&str; 23] = [
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
    "exempted",
    "rule",
    "cis",
    "severity",
];

/// How many of [`CsvWriter::COLUMNS`] a run that does not label its findings
/// writes by default.
const UNLABELLED_COLUMNS: usize = 20;

/// The position in [`CsvWriter::COLUMNS`] of the column `name`.
pub(crate) fn csv_column(name: &str) -> Option<usize> {
    CSV_COLUMNS.iter().position(|c| *c == name.trim())
}

/// Reads the columns an option names (`--columns`, `columns=`), in the order
/// given: their positions in [`CsvWriter::COLUMNS`]. An empty list or an unknown
/// name is an `invalid_policy` error naming `option` and the name.
///
/// ```
/// assert_eq!(keyrot::options::read_columns("columns", ["user", " age_days"]).unwrap(), vec![2, 9]);
/// let err = keyrot::options::read_columns("columns", ["colour"]).unwrap_err();
/// assert_eq!((err.column(), err.value()), (Some("columns"), Some("colour")));
/// ```
pub fn read_columns<'a>(option: &str, names: impl IntoIterator<Item = &'a str>) -> Result<Vec<usize>, Error> {
    read_names(option, names, ("column", "columns"), csv_column, &CSV_COLUMNS)
}

/// Reads the statuses an option names (`--only`, `only=`), in the order
/// given (`due-soon` is read as `due_soon`). An empty list or an unknown
/// name is an `invalid_policy` error naming `option` and the name.
///
/// ```
/// use keyrot::Status;
/// assert_eq!(keyrot::options::read_statuses("only", ["fail", "due-soon"]).unwrap(), vec![Status::Fail, Status::DueSoon]);
/// assert!(keyrot::options::read_statuses("only", ["failed"]).unwrap_err().to_string().contains("unknown status `failed`"));
/// ```
pub fn read_statuses<'a>(option: &str, names: impl IntoIterator<Item = &'a str>) -> Result<Vec<Status>, Error> {
    read_names(option, names, ("status", "statuses"), Status::parse, &Status::ALL.map(Status::as_str))
}

/// Writes findings as CSV, one line per finding, with the chosen columns:
/// the CSV every interface writes. A cell is quoted when it holds a comma, a
/// quote or a line ending, as the `csv` crate does; text from the report is
/// neutralised for spreadsheets.
///
/// ```
/// use keyrot::{CsvWriter, Options, Run, parse_timestamp};
/// let csv = "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n\
///            =cmd,arn:aws:iam::111122223333:user/x,true,2026-01-01T00:00:00Z,false,N/A\n";
/// let options = Options::at(parse_timestamp("2026-11-26T00:00:00Z").unwrap());
/// let mut writer = CsvWriter::new(vec![0, 2, 5, 9, 17]).unwrap();
/// let mut out = Vec::new();
/// writer.header(&mut out);
/// Run::new(&options).source("report.csv").report(csv.as_bytes(), |batch| {
///     batch.findings().for_each(|finding| writer.row(&mut out, &finding));
///     Ok::<(), keyrot::Error>(())
/// })?;
/// assert_eq!(
///     String::from_utf8(out).unwrap(),
///     "source,user,slot,age_days,reason\n\
///      report.csv,'=cmd,1,329,active key 329 days old; limit 90; overdue since 2026-04-01T00:00:00Z\n"
/// );
/// # Ok::<(), keyrot::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct CsvWriter {
    columns: Vec<usize>,
    reason: String,
}

impl Default for CsvWriter {
    /// The default columns of a run that does not label its findings.
    fn default() -> CsvWriter {
        CsvWriter { columns: (0..UNLABELLED_COLUMNS).collect(), reason: String::new() }
    }
}

impl CsvWriter {
    /// The columns of the CSV output of findings, in their default order:
    /// `source`, `account_id`, `user`, `arn`, ... (`rule` and `cis` last,
    /// default columns only in a run that labels its findings).
    pub const COLUMNS: [&'static str; 23] = CSV_COLUMNS;

    /// A writer of the columns at these positions of [`CsvWriter::COLUMNS`], in
    /// this order; `None` when one is out of range. An empty list means the
    /// default columns of a run that does not label its findings.
    pub fn new(columns: Vec<usize>) -> Option<CsvWriter> {
        if columns.is_empty() {
            return Some(CsvWriter::default());
        }
        columns.iter().all(|&c| c < CSV_COLUMNS.len()).then(|| CsvWriter { columns, reason: String::new() })
    }

    /// [`new`](CsvWriter::new) for a run with these checks: an empty list
    /// means the default columns, with `rule` and `cis` when the run labels
    /// its findings.
    pub fn for_checks(columns: Vec<usize>, checks: &Checks) -> Option<CsvWriter> {
        if columns.is_empty() && checks.labelled {
            return CsvWriter::new((0..CSV_COLUMNS.len()).collect());
        }
        CsvWriter::new(columns)
    }

    /// Appends the header line.
    pub fn header(&self, out: &mut Vec<u8>) {
        for (i, &col) in self.columns.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(CSV_COLUMNS[col].as_bytes());
        }
        out.push(b'\n');
    }

    /// Appends the lines of a batch's findings whose status `keep` keeps,
    /// in input order; returns how many.
    pub fn batch(&mut self, out: &mut Vec<u8>, batch: &FindingBatch, keep: impl Fn(Status) -> bool) -> u64 {
        let mut rows = 0;
        for finding in batch.findings().filter(|f| keep(f.status())) {
            self.row(out, &finding);
            rows += 1;
        }
        rows
    }

    /// Appends one finding's line.
    pub fn row(&mut self, out: &mut Vec<u8>, f: &FindingRef<'_>) {
        for (i, &col) in self.columns.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            match col {
                0 => text(out, f.source()),
                1 => text(out, f.account_id()),
                2 => text(out, f.user()),
                3 => text(out, &f.arn()),
                4 => out.extend_from_slice(if f.is_root() { b"true" } else { b"false" }),
                5 => f.slot().into_iter().for_each(|n| int(out, i64::from(n))),
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
                13 => text(out, f.last_used_region().unwrap_or("")),
                14 => text(out, f.last_used_service().unwrap_or("")),
                15 => match f.used_since_rotation() {
                    None => {}
                    Some(true) => out.extend_from_slice(b"true"),
                    Some(false) => out.extend_from_slice(b"false"),
                },
                16 => out.extend_from_slice(f.code().map_or("", FindingCode::as_str).as_bytes()),
                17 => {
                    self.reason.clear();
                    // Writing into a String cannot fail.
                    let _ = f.write_reason(&mut self.reason);
                    text(out, &self.reason);
                }
                18 => int(out, f.line() as i64),
                19 => out.extend_from_slice(if f.is_exempted() { b"true" } else { b"false" }),
                20 => out.extend_from_slice(f.rule().as_str().as_bytes()),
                21 => out.extend_from_slice(f.cis().unwrap_or_default().as_bytes()),
                _ => out.extend_from_slice(f.severity().as_str().as_bytes()),
            }
        }
        out.push(b'\n');
    }
}

/// A text cell: neutralised, and quoted when it must be.
pub(crate) fn text(out: &mut Vec<u8>, cell: &str) {
    let cell = neutralize(cell);
    let bytes = cell.as_bytes();
    if !bytes.iter().any(|&b| QUOTE[usize::from(b)]) {
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

/// The bytes that make a cell need quotes: `,`, `"`, `\n` and `\r`.
const QUOTE: [bool; 256] = {
    let mut table = [false; 256];
    table[b',' as usize] = true;
    table[b'"' as usize] = true;
    table[b'\n' as usize] = true;
    table[b'\r' as usize] = true;
    table
};

pub(crate) fn int(out: &mut Vec<u8>, n: i64) {
    out.extend_from_slice(decimal(n, &mut [0; 20]).as_bytes());
}

pub(crate) fn timestamp(out: &mut Vec<u8>, t: Option<Timestamp>) {
    if let Some(t) = t {
        // An instant past year 9999 is written `+10000-...`: a cell that
        // starts with `+` is neutralised as any other (the outputs leave such
        // instants out, so this is a second line of defence).
        with_timestamp_text(&t, |cell| match cell.as_bytes().first() {
            Some(b'0'..=b'9') => out.extend_from_slice(cell.as_bytes()),
            _ => text(out, cell),
        });
    }
}

impl Run {
    /// Reads and judges one report and writes the CSV of every finding to
    /// `out` as `keyrot check --format csv` does (every default column), a
    /// batch at a time as the report is read, in memory that does not grow
    /// with the report; returns the analysis (without findings). An error
    /// writing is an `io` error whose [`source`](std::error::Error::source)
    /// is the writer's.
    ///
    /// ```
    /// use keyrot::{parse_timestamp, Options, Run};
    /// let csv = "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n\
    ///            alice,arn:aws:iam::111122223333:user/alice,true,2026-01-01T00:00:00Z,false,N/A\n";
    /// let mut out = Vec::new();
    /// let options = Options::at(parse_timestamp("2026-11-26T00:00:00Z").unwrap());
    /// let analysis = Run::new(&options).write_csv(csv.as_bytes(), &mut out)?;
    /// let text = String::from_utf8(out).unwrap();
    /// assert!(text.starts_with("source,account_id,user,arn,"));
    /// assert!(text.lines().nth(1).unwrap().contains(",alice,"));
    /// assert!(!analysis.is_compliant());
    /// # Ok::<(), keyrot::Error>(())
    /// ```
    pub fn write_csv<R: Read, W: Write>(&self, input: R, out: &mut W) -> Result<Analysis, Error> {
        let (analysis, _) =
            self.report_csv(input, Vec::new(), &[], |piece| out.write_all(piece).map_err(Error::from))?;
        out.flush()?;
        Ok(analysis)
    }

    /// Reads and judges one report and hands the CSV of the findings whose
    /// status is in `only` (all when it is empty), with the columns of
    /// `columns` (positions in [`CsvWriter::COLUMNS`](CsvWriter::COLUMNS); all when
    /// it is empty), to `sink` in pieces: the header line first, then the
    /// rows of each chunk of the input that has some, in input order: the
    /// bytes `keyrot check --format csv` writes. Returns the analysis, with
    /// every key counted and no finding kept, and the number of rows
    /// written. An error in the input, or from `sink`, stops the reading:
    /// what `sink` was given is then a prefix of the output.
    ///
    /// ```
    /// use keyrot::{Options, Run, Status, parse_timestamp};
    /// let csv = "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n\
    ///            alice,arn:aws:iam::111122223333:user/alice,true,2026-01-01T00:00:00Z,true,2026-11-01T00:00:00Z\n";
    /// let options = Options::at(parse_timestamp("2026-11-26T00:00:00Z").unwrap());
    /// let columns = keyrot::options::read_columns("columns", ["user", "slot", "age_days"])?;
    /// let mut out = Vec::new();
    /// let (analysis, rows) = Run::new(&options).report_csv(csv.as_bytes(), columns, &[Status::Fail], |piece| {
    ///     out.extend_from_slice(piece);
    ///     Ok::<(), keyrot::Error>(())
    /// })?;
    /// assert_eq!(String::from_utf8(out).unwrap(), "user,slot,age_days\nalice,1,329\n");
    /// assert_eq!((rows, analysis.summary.overall.keys, analysis.findings.len()), (1, 2, 0));
    /// # Ok::<(), keyrot::Error>(())
    /// ```
    pub fn report_csv<R: Read, E: From<Error>>(
        &self,
        input: R,
        columns: Vec<usize>,
        only: &[Status],
        mut sink: impl FnMut(&[u8]) -> Result<(), E>,
    ) -> Result<(Analysis, u64), E> {
        // An empty list of columns means all of them.
        let mut writer = CsvWriter::for_checks(columns, &self.checks()).unwrap_or_default();
        let mut out = Vec::new();
        writer.header(&mut out);
        sink(&out)?;
        let mut rows = 0u64;
        let analysis = self.report(input, |batch| {
            out.clear();
            rows += writer.batch(&mut out, &batch, |s| only.is_empty() || only.contains(&s));
            if out.is_empty() {
                Ok(())
            } else {
                sink(&out)
            }
        })?;
        Ok((analysis, rows))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_column_examples() {
        assert_eq!(super::csv_column("age_days"), Some(9));
        assert_eq!(super::csv_column("colour"), None);
    }

    #[test]
    fn neutralizes_formula_starts() {
        for bad in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralize(bad), format!("'{bad}"));
        }
        assert_eq!(neutralize("alice"), "alice");
        assert_eq!(neutralize(""), "");
    }

    #[test]
    fn cells_are_quoted_as_the_csv_crate_quotes_them() {
        for cell in ["a,b", "say \"hi\"", "two\nlines", "cr\rx", "plain", "", "\"", "a\"\"b"] {
            let mut ours = Vec::new();
            text(&mut ours, cell);
            let mut theirs = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
            theirs.write_record([neutralize(cell).as_ref(), "x"]).unwrap();
            let theirs = theirs.into_inner().unwrap();
            assert_eq!(ours, theirs[..theirs.len() - 3], "{cell:?}");
        }
    }

    #[test]
    fn integers_are_written_in_full() {
        for n in [0, 7, -1, 42, -90, i64::MAX, i64::MIN] {
            let mut out = Vec::new();
            int(&mut out, n);
            assert_eq!(String::from_utf8(out).unwrap(), n.to_string());
        }
    }

    #[test]
    fn the_exempted_column_says_which_keys_an_exemption_covers() {
        let case = concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/cases/exemptions_make_report_compliant");
        let input = std::fs::read(format!("{case}/input.csv")).unwrap();
        let options =
            crate::Options::from_json(&std::fs::read_to_string(format!("{case}/options.json")).unwrap()).unwrap();
        let toml = std::fs::read_to_string(format!("{case}/exemptions.toml")).unwrap();
        let exemptions = crate::Exemptions::from_toml(&toml).unwrap();
        let csv = |exemptions: Option<&crate::Exemptions>| {
            let mut writer = CsvWriter::new(vec![2, 6, 19]).unwrap();
            let mut out = Vec::new();
            let mut run = crate::Run::new(&options);
            if let Some(exemptions) = exemptions {
                run = run.exemptions(exemptions);
            }
            run.report(&input[..], |batch| {
                batch.findings().for_each(|f| writer.row(&mut out, &f));
                Ok::<(), crate::Error>(())
            })
            .unwrap();
            String::from_utf8(out).unwrap()
        };
        assert_eq!(csv(Some(&exemptions)), "legacy-appliance,fail,true\n");
        assert_eq!(csv(None), "legacy-appliance,fail,false\n");
    }
}
