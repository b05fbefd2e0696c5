//! The oracle of the one reader: the `csv` crate's own reader over a
//! normaliser of line endings (what keyrot shipped as its second reader
//! before `Scanner` became the only one). `core/tests/properties.rs` checks
//! that `Scanner` finds the same records, fields and lines, and fails on the
//! same inputs at the same lines.

use keyrot::read::Limits;
use keyrot::ErrorCode;
use std::io::{BufRead, Read};

/// Why the oracle stopped: the code keyrot would give, and the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub code: ErrorCode,
    pub line: Option<u64>,
}

/// A row over the row limit, found while normalising.
#[derive(Debug)]
struct RowTooLong(u64);

impl std::fmt::Display for RowTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a row too long at line {}", self.0)
    }
}

impl std::error::Error for RowTooLong {}

/// One record: its line and its fields.
pub type OracleRecord = (u64, Vec<Vec<u8>>);

/// Every record of `csv` (already unwrapped, without its BOM) that is not a
/// blank line or a line of spaces, as the csv crate reads it, or where it
/// fails.
pub fn records(csv: &[u8], limits: Limits) -> (Vec<OracleRecord>, Option<Failure>) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(64 * 1024)
        .from_reader(Newlines::new(csv, limits));
    let mut record = csv::ByteRecord::new();
    let mut out = Vec::new();
    loop {
        match next_record(&mut reader, &mut record) {
            Ok(Some(line)) => {
                if record.len() == 1 && record[0].iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                out.push((line, record.iter().map(<[u8]>::to_vec).collect()));
            }
            Ok(None) => {
                // Text that ends inside quotes without making a record (a
                // lone `"`) is a syntax error too.
                let text = reader.get_ref();
                if text.at_end && text.state.quote == Quote::Quoted {
                    let line = text.state.row_line;
                    return (out, Some(Failure { code: ErrorCode::CsvSyntax, line: Some(line) }));
                }
                return (out, None);
            }
            Err(failure) => return (out, Some(failure)),
        }
    }
}

/// The CSV parser over the normalised text.
type CsvReader<'a> = csv::Reader<Newlines<&'a [u8]>>;

/// The text with every line ending (`\r\n`, or a lone `\r` as old Mac
/// software writes) turned into `\n`, so that the parser counts lines as an
/// editor does, whatever the endings. A `\r` inside a quoted field becomes
/// `\n` too (no value keyrot reads may hold one). Also notes when the input
/// has been read to its end, and whether it ended inside a quoted field
/// (which the parser itself accepts silently).
///
/// It follows the quoting as the parser will see it, jumping between the
/// only bytes that matter (`"`, `\r`, `\n`) and copying the runs between
/// them whole, and refuses a row longer than [`Limits::max_row_bytes`]
/// before the parser buffers it.
struct Newlines<R> {
    inner: R,
    /// The input starts with a BOM not yet handed out: the parser strips
    /// it, so it is handed out without moving the quoting state (a `"`
    /// right after it opens a quoted field, for the parser and for keyrot).
    bom: bool,
    /// The input has been read to its end.
    at_end: bool,
    /// What the text handed out so far says.
    state: TextState,
}

impl<R> Newlines<R> {
    fn new(inner: R, limits: Limits) -> Newlines<R> {
        Newlines {
            inner,
            bom: true,
            at_end: false,
            state: TextState {
                after_cr: false,
                quote: Quote::Outside,
                last: b'\n',
                lines: 0,
                row_line: 1,
                row_bytes: 0,
                limits,
            },
        }
    }
}

/// The parser's view of the text handed out so far.
struct TextState {
    /// The last byte read was `\r`: a `\n` right after it is dropped.
    after_cr: bool,
    /// Where the text stands, as the parser sees quotes.
    quote: Quote,
    /// The last byte handed out (`\n` before the first).
    last: u8,
    /// Newlines handed out so far.
    lines: u64,
    /// The line the current row starts on.
    row_line: u64,
    /// Bytes of the current row handed out so far.
    row_bytes: usize,
    limits: Limits,
}

impl TextState {
    fn row_too_long(&self, _sample: &[u8]) -> std::io::Error {
        std::io::Error::new(std::io::ErrorKind::InvalidData, RowTooLong(self.row_line))
    }

    /// Follows one special byte (`"` or `\n`) through the quoting state.
    fn special(&mut self, b: u8) {
        match (self.quote, b) {
            (_, b'"') => self.quote = self.quote.after_quote(self.last),
            (Quote::Quoted, _) => self.lines += 1,
            (Quote::Outside | Quote::InnerQuoteSeen, _) => {
                self.lines += 1;
                self.quote = Quote::Outside;
                self.row_bytes = 0;
                self.row_line = self.lines + 1;
            }
        }
        self.last = b;
    }
}

/// The quoting state of the CSV parser (RFC 4180 with `""` escapes; a quote
/// inside an unquoted field is a literal character).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quote {
    /// Not inside quotes.
    Outside,
    /// Inside quotes.
    Quoted,
    /// Just after a quote inside quotes: a closing quote, or the first half
    /// of `""`.
    InnerQuoteSeen,
}

impl Quote {
    /// The state after a `"` that follows the byte `last` (`\n` at the start
    /// of a row): a quote opens a field only at its start.
    fn after_quote(self, last: u8) -> Quote {
        match self {
            Quote::Outside if matches!(last, b',' | b'\n') => Quote::Quoted,
            Quote::Outside => Quote::Outside,
            Quote::Quoted => Quote::InnerQuoteSeen,
            Quote::InnerQuoteSeen => Quote::Quoted,
        }
    }

    /// The state after text other than a quote or a line ending: a field
    /// whose closing quote is followed by more text goes on unquoted.
    fn after_text(self) -> Quote {
        match self {
            Quote::InnerQuoteSeen => Quote::Outside,
            other => other,
        }
    }
}

impl<R: BufRead> Read for Newlines<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        let state = &mut self.state;
        loop {
            let chunk = self.inner.fill_buf()?;
            if chunk.is_empty() {
                self.at_end = true;
                return Ok(0);
            }
            let (mut used, mut written) = (0, 0);
            if std::mem::take(&mut self.bom) && chunk.starts_with(b"\xef\xbb\xbf") && out.len() >= 3 {
                out[..3].copy_from_slice(b"\xef\xbb\xbf");
                (used, written) = (3, 3);
            }
            if std::mem::take(&mut state.after_cr) && chunk[0] == b'\n' {
                used = 1;
            }
            while used < chunk.len() && written < out.len() {
                let room = out.len() - written;
                let window = &chunk[used..chunk.len().min(used + room)];
                let special = memchr::memchr3(b'"', b'\r', b'\n', window);
                let run = special.unwrap_or(window.len());
                if run > 0 {
                    out[written..written + run].copy_from_slice(&window[..run]);
                    written += run;
                    used += run;
                    state.row_bytes += run;
                    state.quote = state.quote.after_text();
                    state.last = window[run - 1];
                    if state.row_bytes > state.limits.max_row_bytes {
                        let err = state.row_too_long(&window[..run]);
                        self.inner.consume(used);
                        return Err(err);
                    }
                }
                let Some(at) = special else { continue };
                let mut b = window[at];
                used += 1;
                if b == b'\r' {
                    b = b'\n';
                    match chunk.get(used) {
                        Some(b'\n') => used += 1,
                        Some(_) => {}
                        None => state.after_cr = true,
                    }
                }
                out[written] = b;
                written += 1;
                state.row_bytes += 1;
                state.special(b);
            }
            self.inner.consume(used);
            if written > 0 {
                return Ok(written);
            }
        }
    }
}

/// Reads the next record and returns the 1-based line it starts on, or
/// `None` at the end.
///
/// The parser skips blank lines before a record and counts every `\n` it
/// reads, so its position before the read can be lines above the record.
/// The line is counted back from the position after the read instead:
/// minus the newlines inside quoted fields, minus the record's own line
/// ending (absent only on a last line that has none).
///
/// A last record that ends inside quotes (an opening `"` never closed, so
/// the rest of the text became one field) is a `csv_syntax` error.
fn next_record(csv: &mut CsvReader<'_>, record: &mut csv::ByteRecord) -> Result<Option<u64>, Failure> {
    let start = csv.position().line();
    if !csv.read_byte_record(record).map_err(|e| csv_error(&e))? {
        return Ok(None);
    }
    let end = csv.position().line();
    let inside = memchr::memchr_iter(b'\n', record.as_slice()).count() as u64;
    let text = csv.get_ref();
    let ending = u64::from(!text.at_end);
    let line = end.saturating_sub(inside + ending).max(start);
    if text.at_end && text.state.quote == Quote::Quoted {
        return Err(Failure { code: ErrorCode::CsvSyntax, line: Some(line) });
    }
    let limits = &text.state.limits;
    if record.len() > limits.max_fields || record.iter().any(|f| f.len() > limits.max_field_bytes) {
        return Err(Failure { code: ErrorCode::LimitExceeded, line: Some(line) });
    }
    Ok(Some(line))
}

fn csv_error(err: &csv::Error) -> Failure {
    let line = err.position().map(csv::Position::line);
    match err.kind() {
        csv::ErrorKind::Io(io) => match io.get_ref().and_then(|e| e.downcast_ref::<RowTooLong>()) {
            Some(RowTooLong(at)) => Failure { code: ErrorCode::LimitExceeded, line: Some(*at) },
            None => Failure { code: ErrorCode::Io, line },
        },
        csv::ErrorKind::Utf8 { .. } => Failure { code: ErrorCode::InvalidUtf8, line },
        _ => Failure { code: ErrorCode::CsvSyntax, line },
    }
}
