//! Findings as CSV: the columns every interface writes, neutralised for
//! spreadsheets.

use crate::rule::{Finding, FindingCode, LastUsed, Status};
use crate::scan::FindingRef;
use crate::value::{decimal, with_timestamp_text, Timestamp};

/// Makes a text cell safe to open in a spreadsheet: a cell that starts with
/// `=`, `+`, `-`, `@`, tab or carriage return gets a leading `'` so it is not
/// run as a formula. Numbers keyrot computes are written as they are.
pub fn neutralize(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

/// The columns of the CSV output of findings, in their default order.
pub const CSV_COLUMNS: [&str; 19] = [
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

/// A finding as [`CsvWriter`] reads it: an owned [`Finding`] or a
/// [`FindingRef`] borrowed from a judged chunk.
#[allow(missing_docs)]
pub trait FindingFields {
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

impl FindingFields for Finding {
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

impl FindingFields for FindingRef<'_> {
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

/// The position in [`CSV_COLUMNS`] of the column `name`.
///
/// ```
/// assert_eq!(keyrot::csv_column("age_days"), Some(9));
/// assert_eq!(keyrot::csv_column("colour"), None);
/// ```
pub fn csv_column(name: &str) -> Option<usize> {
    CSV_COLUMNS.iter().position(|c| *c == name.trim())
}

/// Writes findings as CSV, one line per finding, with the chosen columns. A
/// cell is quoted when it holds a comma, a quote or a line ending, as the
/// `csv` crate does; text from the report is neutralised for spreadsheets.
///
/// ```
/// use keyrot::{analyze, CsvWriter, Options, parse_timestamp};
/// let csv = "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n\
///            =cmd,arn:aws:iam::111122223333:user/x,true,2026-01-01T00:00:00Z,false,N/A\n";
/// let options = Options::default().with_as_of(parse_timestamp("2026-11-26T00:00:00Z").unwrap());
/// let analysis = analyze(csv.as_bytes(), &options).unwrap();
/// let mut writer = CsvWriter::new(vec![2, 5, 9, 17]).unwrap();
/// let mut out = Vec::new();
/// writer.header(&mut out);
/// writer.row(&mut out, "report.csv", &analysis.findings[0]);
/// assert_eq!(
///     String::from_utf8(out).unwrap(),
///     "user,slot,age_days,reason\n'=cmd,1,329,active key 329 days old; limit 90; overdue since 2026-04-01T00:00:00Z\n"
/// );
/// ```
#[derive(Debug, Clone)]
pub struct CsvWriter {
    columns: Vec<usize>,
    reason: String,
}

impl Default for CsvWriter {
    fn default() -> CsvWriter {
        CsvWriter { columns: (0..CSV_COLUMNS.len()).collect(), reason: String::new() }
    }
}

impl CsvWriter {
    /// A writer of the columns at these positions of [`CSV_COLUMNS`], in
    /// this order; `None` when one is out of range. An empty list means all.
    pub fn new(columns: Vec<usize>) -> Option<CsvWriter> {
        if columns.is_empty() {
            return Some(CsvWriter::default());
        }
        columns.iter().all(|&c| c < CSV_COLUMNS.len()).then(|| CsvWriter { columns, reason: String::new() })
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

    /// Appends one finding's line; `source` fills the `source` column.
    pub fn row(&mut self, out: &mut Vec<u8>, source: &str, f: &impl FindingFields) {
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
                16 => out.extend_from_slice(f.code().map_or("", FindingCode::as_str).as_bytes()),
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

fn int(out: &mut Vec<u8>, n: i64) {
    out.extend_from_slice(decimal(n, &mut [0; 20]).as_bytes());
}

fn timestamp(out: &mut Vec<u8>, t: Option<Timestamp>) {
    if let Some(t) = t {
        with_timestamp_text(&t, |text| out.extend_from_slice(text.as_bytes()));
    }
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
}
