//! The one reader of a report: the input is unwrapped, its header read, and
//! the rest cut into chunks of whole rows, which [`Run`](crate::Run) judges
//! on any thread, or read record by record as fields of text.
//!
//! Cutting the input needs only the quoting state at each line end, so the
//! cutter follows quotes (with `memchr`, one chunk at a time) but does not
//! split fields; a chunk without a quote is cut at its last line end. A row
//! without quotes and carriage returns (every row AWS writes) is split on its
//! commas in place, eight bytes at a time; any other row is handed to the
//! `csv` crate's own tokenizer (`csv-core`), so quoting means exactly what it
//! means there.

use crate::error::{Error, ErrorCode, MAX_VALUE_CHARS};
use crate::input::anomaly::Anomaly;
use crate::input::limits::Limits;
use crate::input::report::{check_limits, read_header, Header, Layout, ParseOptions, Preamble, Record};
use crate::input::unwrap::{self, InputFormat};
use crate::input::value::Timestamp;
use std::io::{BufRead, Read};
use std::ops::Range;

/// How many bytes a chunk holds, about: a few thousand rows.
pub(crate) const CHUNK_BYTES: usize = 512 << 10;

/// Reads a report: detects and unwraps its form, reads its header, and hands
/// out the rest as chunks of whole rows ([`next_chunk`](Scanner::next_chunk),
/// what [`Run`](crate::Run) judges on several threads) or as records of
/// fields ([`next_record`](Scanner::next_record), what
/// [`ReportReader`](crate::read::ReportReader) decodes into typed rows), in memory
/// that does not grow with the number of rows.
///
/// Lines are counted as an editor counts them (`\r\n`, `\n` and a lone `\r`
/// end one each). Blank lines and lines of spaces are not records.
///
/// ```
/// use keyrot::read::ParseOptions; use keyrot::read::Scanner;
/// let csv = "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n\
///            \"smith, j\",arn:aws:iam::111122223333:user/smith,true,2026-01-01T00:00:00Z,false,N/A\n\
///            \n\
///            bob,arn:aws:iam::111122223333:user/bob,false,N/A,false,N/A\n";
/// let mut scanner = Scanner::new(csv.as_bytes(), &ParseOptions::default()).unwrap();
/// assert_eq!(scanner.columns().len(), 6);
/// let first = scanner.next_record().unwrap().unwrap();
/// assert_eq!((first.line(), first.get(0), first.len()), (2, Some(&b"smith, j"[..]), 6));
/// let second = scanner.next_record().unwrap().unwrap();
/// assert_eq!((second.line(), second.get(0)), (4, Some(&b"bob"[..])));
/// assert!(scanner.next_record().unwrap().is_none());
/// ```
pub struct Scanner<'a> {
    input: Box<dyn BufRead + 'a>,
    /// Read but not yet handed out; starts at a row boundary.
    pending: Vec<u8>,
    /// The line `pending` starts on.
    line: u64,
    /// The input has been read to its end.
    at_end: bool,
    /// An error ended the input; nothing more is handed out.
    done: bool,
    /// Reading failed: the error, returned once the rows read before it
    /// have been handed out.
    read_error: Option<Error>,
    preamble: Preamble,
    limits: Limits,
    lenient: bool,
    chunk_bytes: usize,
    /// The chunk [`next_record`](Scanner::next_record) is reading.
    current: Option<Cursor>,
    fields: Vec<Range<usize>>,
    scratch: Scratch,
}

/// A chunk being read record by record, and where in it.
struct Cursor {
    chunk: Chunk,
    pos: usize,
    line: u64,
}

impl std::fmt::Debug for Scanner<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scanner").field("preamble", &self.preamble).field("line", &self.line).finish_non_exhaustive()
    }
}

impl<'a> Scanner<'a> {
    /// Detects the form of the input, unwraps it, and reads and checks the
    /// header. Fails with `empty_input`, `missing_header`,
    /// `missing_columns`, `duplicate_column`, `invalid_base64`,
    /// `invalid_json` or `invalid_utf8`.
    pub fn new<R: Read + 'a>(input: R, options: &ParseOptions) -> Result<Scanner<'a>, Error> {
        Scanner::with_limits(input, options, &Limits::default())
    }

    /// Like [`new`](Scanner::new), with other [`Limits`] than the defaults.
    /// Input over a limit fails with `limit_exceeded`.
    pub fn with_limits<R: Read + 'a>(input: R, options: &ParseOptions, limits: &Limits) -> Result<Scanner<'a>, Error> {
        Scanner::with_chunk_bytes(input, options, limits, CHUNK_BYTES)
    }

    /// Like [`with_limits`](Scanner::with_limits), with chunks of about
    /// `chunk_bytes` bytes (default 512 KiB; at least 1) instead. Smaller
    /// chunks spread a small report over more threads; larger ones cost
    /// fewer hand-overs. The results do not depend on it.
    pub fn with_chunk_bytes<R: Read + 'a>(
        input: R,
        options: &ParseOptions,
        limits: &Limits,
        chunk_bytes: usize,
    ) -> Result<Scanner<'a>, Error> {
        let unwrapped = unwrap::unwrap(input, options.format, limits)?;
        let mut scanner = Scanner {
            input: unwrapped.reader,
            pending: Vec::new(),
            line: 1,
            at_end: false,
            done: false,
            read_error: None,
            preamble: Preamble {
                header: Header::default(),
                layout: Layout::Current,
                format: unwrapped.format,
                generated_time: unwrapped.generated_time,
                anomalies: Vec::new(),
            },
            limits: *limits,
            lenient: options.lenient,
            chunk_bytes: chunk_bytes.max(1),
            current: None,
            fields: Vec::new(),
            scratch: Scratch::default(),
        };
        let Some(record) = scanner.next_record()? else {
            return Err(Error::new(ErrorCode::EmptyInput, "the input is empty: no header, no rows"));
        };
        let (header, anomalies, layout) = read_header(&record)?;
        (scanner.preamble.header, scanner.preamble.anomalies, scanner.preamble.layout) = (header, anomalies, layout);
        Ok(scanner)
    }

    /// The column names as read (trimmed, lowercased), in input order.
    pub fn columns(&self) -> &[String] {
        &self.preamble.header.names
    }

    pub(crate) fn preamble(&self) -> &Preamble {
        &self.preamble
    }

    /// The layout of the header.
    pub fn layout(&self) -> Layout {
        self.preamble.layout
    }

    /// The form the input was in (never `Auto`).
    pub fn input_format(&self) -> InputFormat {
        self.preamble.format
    }

    /// `GeneratedTime` from the JSON wrapper, when the input carried one.
    pub fn generated_time(&self) -> Option<Timestamp> {
        self.preamble.generated_time
    }

    /// The anomalies of the header (`unknown_column`, `legacy_layout`,
    /// `missing_column`).
    pub fn header_anomalies(&self) -> &[Anomaly] {
        &self.preamble.anomalies
    }

    /// Whether lenient mode is on (see [`ParseOptions::lenient`]).
    pub(crate) fn lenient(&self) -> bool {
        self.lenient
    }

    /// The limits the reader enforces.
    pub(crate) fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The next chunk of whole rows, `None` at the end. An input error (a
    /// read failure, a row over the length limit) ends the input. After
    /// [`next_record`](Scanner::next_record), the first chunk is the rest of
    /// the one it was reading.
    pub fn next_chunk(&mut self) -> Result<Option<Chunk>, Error> {
        if let Some(Cursor { mut chunk, pos, line }) = self.current.take() {
            if pos < chunk.bytes.len() {
                chunk.bytes.drain(..pos);
                chunk.line = line;
                return Ok(Some(chunk));
            }
        }
        if self.done {
            return Ok(None);
        }
        let result = self.cut();
        if !matches!(result, Ok(Some(_))) {
            self.done = true;
        }
        result
    }

    /// The next row as fields of text, `None` at the end. Blank lines and
    /// lines of spaces are skipped; a row over a [`Limits`] bound, or a
    /// quoted field that is never closed, is an error and ends the input.
    pub fn next_record(&mut self) -> Result<Option<Record<'_>>, Error> {
        match self.find_record() {
            Ok(Some((line, tokenized))) => {
                let text = match (&self.current, tokenized) {
                    (_, true) => &self.scratch.out[..],
                    (Some(cursor), false) => &cursor.chunk.bytes[..],
                    (None, false) => &[][..],
                };
                Ok(Some(Record { text, fields: &self.fields, line }))
            }
            Ok(None) => Ok(None),
            Err(e) => {
                self.done = true;
                self.current = None;
                Err(e)
            }
        }
    }

    /// Splits the next record into `fields` (of the current chunk's text, or
    /// of `scratch.out` when it was tokenized: the `bool`), and returns its
    /// line.
    fn find_record(&mut self) -> Result<Option<(u64, bool)>, Error> {
        loop {
            let Some(row) = self.next_row()? else { return Ok(None) };
            let Some(cursor) = &self.current else { return Ok(None) };
            let text = &cursor.chunk.bytes;
            let tokenized = row.split(text, &mut self.fields, &mut self.scratch)?;
            let record =
                Record { text: if tokenized { &self.scratch.out } else { text }, fields: &self.fields, line: row.line };
            if record.is_blank() {
                continue;
            }
            check_limits(&record, &self.preamble.header.names, &self.limits)?;
            return Ok(Some((row.line, tokenized)));
        }
    }

    /// The next row of the current chunk that is not empty, reading the
    /// next chunk when that one is done.
    fn next_row(&mut self) -> Result<Option<RawRow>, Error> {
        loop {
            if let Some(cursor) = &mut self.current {
                let mut rows = Rows { bytes: &cursor.chunk.bytes, pos: cursor.pos, line: cursor.line, at_end: true };
                if let Some(row) = rows.next_row()? {
                    (cursor.pos, cursor.line) = (rows.pos, rows.line);
                    if row.content.is_empty() {
                        continue;
                    }
                    if row.content.len() > self.limits.max_row_bytes {
                        return Err(row_too_long(row.line, &cursor.chunk.bytes[row.content], &self.limits));
                    }
                    return Ok(Some(row));
                }
            }
            self.current = None;
            if self.done {
                return Ok(None);
            }
            let chunk = self.cut();
            match chunk {
                Ok(Some(chunk)) => self.current = Some(Cursor { pos: 0, line: chunk.line, chunk }),
                Ok(None) => {
                    self.done = true;
                    return Ok(None);
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn cut(&mut self) -> Result<Option<Chunk>, Error> {
        let mut want = self.chunk_bytes;
        loop {
            self.fill(want);
            if let Some(err) = self.read_error.take() {
                // The rows read whole before the input failed are judged
                // first, as the typed reader judges them; then the error.
                // A row the failure cut short is not a row. A sentinel byte
                // lets a last `\r` count as a line ending.
                let mut bytes = std::mem::take(&mut self.pending);
                bytes.push(b'x');
                let Some((cut, lines)) = last_row_end(&bytes) else { return Err(err) };
                bytes.truncate(cut);
                let chunk = Chunk { bytes, line: self.line, last: false };
                self.line += lines;
                self.read_error = Some(err);
                return Ok(Some(chunk));
            }
            if self.pending.is_empty() {
                return Ok(None);
            }
            if self.at_end {
                let bytes = std::mem::take(&mut self.pending);
                return Ok(Some(Chunk { bytes, line: self.line, last: true }));
            }
            if let Some((cut, lines)) = last_row_end(&self.pending) {
                // Copy the smaller part: the rows, or the start of the next.
                let bytes = if cut < self.pending.len() / 2 {
                    let head = self.pending[..cut].to_vec();
                    self.pending.drain(..cut);
                    head
                } else {
                    let rest = self.pending[cut..].to_vec();
                    let mut bytes = std::mem::replace(&mut self.pending, rest);
                    bytes.truncate(cut);
                    bytes
                };
                let chunk = Chunk { bytes, line: self.line, last: false };
                self.line += lines;
                return Ok(Some(chunk));
            }
            // No row ends in what has been read: one row is longer than it.
            if self.pending.len() > self.limits.max_row_bytes + 2 {
                return Err(row_too_long(self.line, &self.pending, &self.limits));
            }
            want = (self.pending.len() * 2).max(self.chunk_bytes).min(self.limits.max_row_bytes + 3);
        }
    }

    /// Reads until `pending` holds `want` bytes or the input ends or fails
    /// (the error is kept in `read_error`).
    fn fill(&mut self, want: usize) {
        if self.pending.len() >= want || self.at_end || self.read_error.is_some() {
            return;
        }
        let missing = want - self.pending.len();
        self.pending.reserve_exact(missing);
        // `read_to_end` stops at the end of the input or at `missing`
        // bytes, writes into the spare capacity without zeroing it, and
        // keeps what it read before an error.
        match (&mut self.input).take(missing as u64).read_to_end(&mut self.pending) {
            Ok(n) if n < missing => self.at_end = true,
            Ok(_) => {}
            Err(e) => self.read_error = Some(unwrap::map_io(&e)),
        }
    }
}

pub(crate) fn row_too_long(line: u64, sample: &[u8], limits: &Limits) -> Error {
    Error::new(
        ErrorCode::LimitExceeded,
        format!("a row is longer than {} bytes; a row of a credential report is a few hundred", limits.max_row_bytes),
    )
    .at_line(line)
    .with_value(&String::from_utf8_lossy(&sample[..sample.len().min(2 * MAX_VALUE_CHARS)]))
}

/// Where the last whole row of `bytes` ends (the bytes to cut) and how many
/// lines come before that, or `None` when no row ends in `bytes`. The last
/// byte is left out of the search: a `\r` there may be half of `\r\n`.
fn last_row_end(bytes: &[u8]) -> Option<(usize, u64)> {
    let body = &bytes[..bytes.len().saturating_sub(1)];
    if memchr::memchr(b'"', body).is_none() {
        let end = memchr::memrchr2(b'\n', b'\r', body)?;
        let mut cut = end + 1;
        if bytes[end] == b'\r' && bytes[cut] == b'\n' {
            cut += 1;
        }
        return Some((cut, count_lines(&bytes[..cut])));
    }
    // Quotes: follow them row by row (a last `\r` may be half of `\r\n`:
    // the cutter leaves it for the next chunk).
    let mut rows = Rows::new(bytes, 1, false);
    let mut cut = None;
    while let Ok(Some(_)) = rows.next_row() {
        cut = Some((rows.pos, rows.line - 1));
    }
    cut
}

/// The line endings in `text`, which holds no quote: `\n`, `\r\n` and a lone
/// `\r` count one each.
fn count_lines(text: &[u8]) -> u64 {
    let lf = memchr::memchr_iter(b'\n', text).count() as u64;
    if memchr::memchr(b'\r', text).is_none() {
        return lf;
    }
    let lone_cr = memchr::memchr_iter(b'\r', text).filter(|&i| text.get(i + 1) != Some(&b'\n')).count() as u64;
    lf + lone_cr
}

/// Whole rows of a report, as read by [`Scanner::next_chunk`]; judged by
/// [`Run`](crate::Run) on any thread.
#[derive(Debug)]
pub struct Chunk {
    pub(crate) bytes: Vec<u8>,
    pub(crate) line: u64,
    pub(crate) last: bool,
}

impl Chunk {
    /// The 1-based line the chunk starts on.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The chunk's size in bytes.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether the chunk holds no bytes.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Whether the chunk runs to the end of the input.
    pub fn is_last(&self) -> bool {
        self.last
    }
}

/// A row's place in its chunk.
pub(crate) struct RawRow {
    /// The row's text, without its line ending.
    pub(crate) content: Range<usize>,
    /// The line the row starts on.
    pub(crate) line: u64,
    /// The row holds a quote or a `\r` inside quotes.
    pub(crate) complex: bool,
}

/// Cuts text into rows, following quotes as the `csv` crate does, and counts
/// lines as an editor does (`\r\n`, `\n` and a lone `\r` end one each).
pub(crate) struct Rows<'b> {
    pub(crate) bytes: &'b [u8],
    pub(crate) pos: usize,
    pub(crate) line: u64,
    /// `bytes` runs to the end of the input: a last row needs no ending.
    pub(crate) at_end: bool,
}

impl<'b> Rows<'b> {
    fn new(bytes: &'b [u8], line: u64, at_end: bool) -> Rows<'b> {
        Rows { bytes, pos: 0, line, at_end }
    }

    /// The next row, including blank ones; `None` when no whole row is left.
    /// Fails when the input ends inside quotes.
    pub(crate) fn next_row(&mut self) -> Result<Option<RawRow>, Error> {
        let start = self.pos;
        if start >= self.bytes.len() {
            return Ok(None);
        }
        let bytes = self.bytes;
        // The common case: no quote before the line ending.
        if let Some(i) = memchr::memchr3(b'\n', b'\r', b'"', &bytes[start..]) {
            let at = start + i;
            if bytes[at] != b'"' {
                if bytes[at] == b'\r' && at + 1 == bytes.len() && !self.at_end {
                    return Ok(None); // half of a `\r\n`, perhaps
                }
                let next = if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') { at + 2 } else { at + 1 };
                let row = RawRow { content: start..at, line: self.line, complex: false };
                self.pos = next;
                self.line += 1;
                return Ok(Some(row));
            }
        } else if self.at_end {
            self.pos = bytes.len();
            return Ok(Some(RawRow { content: start..bytes.len(), line: self.line, complex: false }));
        } else {
            return Ok(None);
        }
        // Quotes: follow them.
        let (mut quote, mut last, mut inner_lines, mut i) = (Quote::Outside, b'\n', 0u64, start);
        loop {
            let Some(found) = memchr::memchr3(b'\n', b'\r', b'"', &bytes[i..]) else {
                if !self.at_end {
                    return Ok(None);
                }
                if quote == Quote::Quoted {
                    return Err(Error::new(
                        ErrorCode::CsvSyntax,
                        "a quoted field is never closed: the text ends inside quotes (a missing `\"`?)",
                    )
                    .at_line(self.line));
                }
                self.pos = bytes.len();
                let row = RawRow { content: start..bytes.len(), line: self.line, complex: true };
                self.line += inner_lines;
                return Ok(Some(row));
            };
            let at = i + found;
            if found > 0 {
                quote = quote.after_text();
                last = bytes[at - 1];
            }
            let b = bytes[at];
            if b == b'"' {
                quote = quote.after_quote(last);
                last = b'"';
                i = at + 1;
                continue;
            }
            // A line ending.
            let next = if b == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
                at + 2
            } else if b == b'\r' && at + 1 == bytes.len() && !self.at_end {
                return Ok(None); // half of a `\r\n`, perhaps
            } else {
                at + 1
            };
            if quote == Quote::Quoted {
                inner_lines += 1;
                last = b'\n';
                i = next;
                continue;
            }
            self.pos = next;
            let row = RawRow { content: start..at, line: self.line, complex: true };
            self.line += inner_lines + 1;
            return Ok(Some(row));
        }
    }
}

/// Splits `row` (which starts at `offset` in its text) on every comma,
/// eight bytes at a time: a row of a report has a comma every ten bytes or
/// so, too often for a call to `memchr` per field to pay.
pub(crate) fn split_commas(row: &[u8], offset: usize, fields: &mut Vec<Range<usize>>) {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const COMMAS: u64 = 0x2c2c_2c2c_2c2c_2c2c;
    let mut start = offset;
    let mut words = row.chunks_exact(8);
    let mut base = offset;
    for word in &mut words {
        let Some(bytes) = word.first_chunk::<8>() else { break };
        let x = u64::from_le_bytes(*bytes) ^ COMMAS;
        // The high bit of each byte that was a comma (exact: no carry
        // crosses a byte, since each sum is at most 0xfe).
        let mut found = !(((x & LOW7) + LOW7) | x | LOW7);
        while found != 0 {
            let at = base + (found.trailing_zeros() / 8) as usize;
            fields.push(start..at);
            start = at + 1;
            found &= found - 1;
        }
        base += 8;
    }
    for (i, &b) in words.remainder().iter().enumerate() {
        if b == b',' {
            fields.push(start..base + i);
            start = base + i + 1;
        }
    }
    fields.push(start..offset + row.len());
}

/// Buffers for rows that go through the `csv` crate's tokenizer.
#[derive(Default)]
pub(crate) struct Scratch {
    text: Vec<u8>,
    pub(crate) out: Vec<u8>,
    ends: Vec<usize>,
}

impl RawRow {
    /// Splits the row into `fields`: a row without quotes on its commas, in
    /// place (`false`: the fields are of `text`); any other with the `csv`
    /// crate's own tokenizer, every line ending inside it read as `\n`
    /// (`true`: the fields are of `scratch.out`).
    pub(crate) fn split(
        &self,
        text: &[u8],
        fields: &mut Vec<Range<usize>>,
        scratch: &mut Scratch,
    ) -> Result<bool, Error> {
        fields.clear();
        if !self.complex {
            split_commas(&text[self.content.clone()], self.content.start, fields);
            return Ok(false);
        }
        let raw = &text[self.content.clone()];
        scratch.text.clear();
        // A blank line first, which the tokenizer skips: a fresh tokenizer
        // would take a BOM at the very start of its input for the file's.
        scratch.text.push(b'\n');
        let mut i = 0;
        while i < raw.len() {
            match raw[i] {
                b'\r' => {
                    scratch.text.push(b'\n');
                    if raw.get(i + 1) == Some(&b'\n') {
                        i += 1;
                    }
                }
                b => scratch.text.push(b),
            }
            i += 1;
        }
        scratch.text.push(b'\n');
        let mut reader = csv_core::Reader::new();
        scratch.out.clear();
        scratch.out.resize(scratch.text.len() + 1, 0);
        scratch.ends.clear();
        scratch.ends.resize(scratch.text.len() + 2, 0);
        let (result, _, written, nends) = reader.read_record(&scratch.text, &mut scratch.out, &mut scratch.ends);
        if !matches!(result, csv_core::ReadRecordResult::Record) {
            return Err(Error::new(ErrorCode::CsvSyntax, "the CSV framing is broken").at_line(self.line));
        }
        scratch.out.truncate(written);
        let mut start = 0;
        for &end in &scratch.ends[..nends] {
            fields.push(start..end);
            start = end;
        }
        Ok(true)
    }
}

/// The quoting state of the CSV parser (RFC 4180 with `""` escapes; a quote
/// inside an unquoted field is a literal character).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Quote {
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
    pub(crate) fn after_quote(self, last: u8) -> Quote {
        match self {
            Quote::Outside if matches!(last, b',' | b'\n') => Quote::Quoted,
            Quote::Outside => Quote::Outside,
            Quote::Quoted => Quote::InnerQuoteSeen,
            Quote::InnerQuoteSeen => Quote::Quoted,
        }
    }

    /// The state after text other than a quote or a line ending: a field
    /// whose closing quote is followed by more text goes on unquoted.
    pub(crate) fn after_text(self) -> Quote {
        match self {
            Quote::InnerQuoteSeen => Quote::Outside,
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str, at_end: bool) -> Vec<(String, u64)> {
        let mut rows = Rows::new(text.as_bytes(), 1, at_end);
        let mut out = Vec::new();
        while let Some(row) = rows.next_row().unwrap() {
            out.push((text[row.content].to_owned(), row.line));
        }
        out
    }

    #[test]
    fn rows_end_at_every_line_ending_outside_quotes() {
        assert_eq!(rows("a\nb\r\nc\rd", true), [("a".into(), 1), ("b".into(), 2), ("c".into(), 3), ("d".into(), 4)]);
        assert_eq!(rows("a,\"x\ny\"\nb\n", true), [("a,\"x\ny\"".into(), 1), ("b".into(), 3)]);
        // Without the end of the input, a last row without ending is not whole.
        assert_eq!(rows("a\nb", false), [("a".into(), 1)]);
        assert_eq!(rows("a\r", false), []);
    }

    #[test]
    fn commas_split_fields_eight_bytes_at_a_time() {
        for row in ["", ",", "a", "a,b", ",,,,,,,,,,,,,,,,,", "abcdefgh,ijklmnop,q", "héllo,wörld,,x,", "1234567,"] {
            let mut fields = Vec::new();
            split_commas(row.as_bytes(), 5, &mut fields);
            let got: Vec<&str> = fields.iter().map(|r| &row[r.start - 5..r.end - 5]).collect();
            assert_eq!(got, row.split(',').collect::<Vec<_>>(), "{row:?}");
        }
    }

    #[test]
    fn chunks_are_cut_after_the_last_whole_row() {
        assert_eq!(last_row_end(b"a\nb\nc"), Some((4, 2)));
        assert_eq!(last_row_end(b"a\r\nb\r\n"), Some((6, 2)));
        assert_eq!(last_row_end(b"a\r\nb\r"), Some((3, 1)));
        assert_eq!(last_row_end(b"a\r\nb\r\nc"), Some((6, 2)));
        assert_eq!(last_row_end(b"a,\"x\ny\"\nb\"\n"), Some((11, 3)));
        assert_eq!(last_row_end(b"a,\"x\ny\"\nb\"\r"), Some((8, 2)));
        assert_eq!(last_row_end(b"abc"), None);
    }
}
