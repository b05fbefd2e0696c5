//! The fast path for judging a report: the input is cut into chunks of whole
//! rows, each chunk is read and judged on its own (on any thread), and the
//! results are merged in input order by an [`Analyzer`](crate::Analyzer).
//!
//! The path gives exactly what [`ReportReader`](crate::ReportReader) and
//! [`judge_key`](crate::judge_key) give, row for row; it is faster because
//! it does less:
//!
//! - a row without quotes and carriage returns (every row AWS writes) is
//!   split on its commas in place, with no copy and no allocation; a row with
//!   either is handed to the `csv` crate's own tokenizer, so quoting means
//!   exactly what it means there;
//! - a row whose cells all read cleanly is judged from borrowed cells; any
//!   other row (a bad cell, a wrong field count, text that is not UTF-8)
//!   takes the typed path of `ReportReader`, which names the problem;
//! - a finding keeps its verdict and the places of its text in the chunk;
//!   the `reason` sentence and owned strings are made only when asked for.
//!
//! Cutting the input needs only the quoting state at each line end, so the
//! cutter follows quotes (with `memchr`, one chunk at a time) but does not
//! split fields; a chunk without a quote is cut at its last line end.

use crate::anomaly::Anomaly;
use crate::error::{Error, ErrorCode, MAX_VALUE_CHARS};
use crate::input::{self, InputFormat};
use crate::limits::Limits;
use crate::policy::Policy;
use crate::report::{
    account_range, build_row, check_limits, read_header, Header, Layout, ParseOptions, Preamble, Quote, Row, KEY_BASE,
};
use crate::rule::{judge_cells, judge_row_slot, KeyCells, RowText, Status, Verdict};
use crate::value::{parse_bool, parse_epoch, parse_timestamp_bytes, Field, Timestamp};
use std::collections::hash_map::DefaultHasher;
use std::hash::Hasher;
use std::io::{BufRead, Read};
use std::ops::Range;

/// How many bytes a chunk holds, about: a few thousand rows.
pub(crate) const CHUNK_BYTES: usize = 512 << 10;

/// The columns holding timestamps, as indexes into [`COLUMNS`], that count
/// for the newest timestamp (every one but `password_next_rotation`), other
/// than the access keys' (read with their slot).
const DATED: [usize; 5] = [2, 4, 5, 19, 21];
/// `password_next_rotation`: a timestamp, read but not counted as newest.
const NEXT_ROTATION: usize = 6;
/// The columns holding booleans, other than the access keys' `active`.
const FLAGS: [usize; 4] = [3, 7, 18, 20];

/// Reads a report as chunks of whole rows, in memory that does not grow with
/// the number of rows: the fast path that [`analyze`](crate::analyze) and the
/// command use.
///
/// A row without quotes and carriage returns (every row AWS writes) is split
/// on its commas in place; any other row goes through the `csv` crate's own
/// tokenizer, and any row whose cells do not all read cleanly through the
/// typed path of [`ReportReader`](crate::ReportReader), which names the
/// problem. The results are those of `ReportReader` and
/// [`judge_key`](crate::judge_key), row for row; a finding keeps the places
/// of its text in the chunk and writes its `reason` only when asked.
///
/// ```
/// use keyrot::{Analyzer, Options, Scanner, parse_timestamp};
/// let csv = "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n\
///            alice,arn:aws:iam::111122223333:user/alice,true,2026-01-01T00:00:00Z,false,N/A\n";
/// let options = Options::default().with_as_of(parse_timestamp("2026-11-26T00:00:00Z").unwrap());
/// let mut scanner = Scanner::new(csv.as_bytes(), &options.parse_options()).unwrap();
/// let mut analyzer = Analyzer::for_scanner(&scanner, &options).unwrap();
/// let judge = scanner.judge(&analyzer);
/// while let Some(chunk) = scanner.next_chunk().unwrap() {
///     let mut judged = chunk.judge(&judge).unwrap();
///     analyzer.absorb(&mut judged);
///     for finding in judged.findings(&judge) {
///         assert_eq!(finding.user(), "alice");
///         assert_eq!(finding.reason(), "active key 329 days old; limit 90; overdue since 2026-04-01T00:00:00Z");
///     }
/// }
/// assert_eq!(analyzer.finish(Vec::new()).summary.overall.fail, 1);
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
}

impl std::fmt::Debug for Scanner<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scanner").field("preamble", &self.preamble).field("line", &self.line).finish_non_exhaustive()
    }
}

impl<'a> Scanner<'a> {
    /// Detects the form of the input, unwraps it, and reads and checks the
    /// header, failing as [`ReportReader::new`](crate::ReportReader::new)
    /// does.
    pub fn new<R: Read + 'a>(input: R, options: &ParseOptions) -> Result<Scanner<'a>, Error> {
        Scanner::with_limits(input, options, &Limits::default())
    }

    /// Like [`new`](Scanner::new), with other [`Limits`] than the defaults.
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
        let unwrapped = input::unwrap(input, options.format, limits)?;
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
        };
        scanner.read_header()?;
        Ok(scanner)
    }

    /// Reads the first row that is not blank as the header.
    fn read_header(&mut self) -> Result<(), Error> {
        loop {
            let Some(chunk) = self.next_chunk()? else {
                return Err(Error::new(ErrorCode::EmptyInput, "the input is empty: no header, no rows"));
            };
            // A chunk ends where a row does: its end is an end of input.
            let mut rows = Rows::new(&chunk.bytes, chunk.line, true);
            let mut fields = Vec::new();
            let mut scratch = Scratch::default();
            while let Some(row) = rows.next_row()? {
                if row.content.is_empty() {
                    continue;
                }
                if row.content.len() > self.limits.max_row_bytes {
                    return Err(row_too_long(row.line, &chunk.bytes[row.content], &self.limits));
                }
                let record = row.record(&chunk.bytes, &mut fields, &mut scratch)?;
                check_limits(&record, row.line, &[], &self.limits)?;
                if record.len() == 1 && record[0].iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                let (header, anomalies, layout) = read_header(&record, row.line)?;
                (self.preamble.header, self.preamble.anomalies, self.preamble.layout) = (header, anomalies, layout);
                // Hand the rest of this chunk out again as the first rows.
                let pos = rows.pos;
                self.line = rows.line;
                if pos < chunk.bytes.len() {
                    let mut rest = chunk.bytes;
                    rest.drain(..pos);
                    rest.extend_from_slice(&self.pending);
                    self.pending = rest;
                }
                return Ok(());
            }
        }
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

    /// The anomalies of the header.
    pub fn header_anomalies(&self) -> &[Anomaly] {
        &self.preamble.anomalies
    }

    /// What judging a chunk needs: the header, the analyzer's policy and
    /// `as_of`. It can be shared between threads.
    pub fn judge(&self, analyzer: &crate::Analyzer) -> Judge {
        Judge {
            header: self.preamble.header.clone(),
            policy: *analyzer.policy(),
            as_of: analyzer.as_of(),
            lenient: self.lenient,
            limits: self.limits,
        }
    }

    /// The next chunk of whole rows, `None` at the end. An input error (a
    /// read failure, a row over the length limit) ends the input.
    pub fn next_chunk(&mut self) -> Result<Option<Chunk>, Error> {
        if self.done {
            return Ok(None);
        }
        let result = self.cut();
        if !matches!(result, Ok(Some(_))) {
            self.done = true;
        }
        result
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
            Err(e) => self.read_error = Some(input::map_io(&e)),
        }
    }
}

fn row_too_long(line: u64, sample: &[u8], limits: &Limits) -> Error {
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

/// Whole rows of a report, as read by [`Scanner::next_chunk`]. Judge it with
/// [`Chunk::judge`], on any thread.
#[derive(Debug)]
pub struct Chunk {
    bytes: Vec<u8>,
    line: u64,
    last: bool,
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

    /// Reads and judges every row of the chunk. In strict mode the first
    /// row-level problem is the error, as in
    /// [`ReportReader::read_row`](crate::ReportReader::read_row).
    pub fn judge(self, judge: &Judge) -> Result<JudgedChunk, Error> {
        debug_assert!(self.last || self.bytes.ends_with(b"\n") || self.bytes.ends_with(b"\r"));
        let clean = self.bytes.is_ascii() && memchr::memchr(0, &self.bytes).is_none();
        let end = self.bytes.len();
        // A row of a report is about 230 bytes and holds a key or two.
        let rows = end / 160 + 1;
        let mut out = JudgedChunk {
            text: self.bytes,
            checked: String::new(),
            rows: Vec::with_capacity(rows),
            keys: Vec::with_capacity(rows),
            slow: Vec::new(),
        };
        let mut fields: Vec<Range<usize>> = Vec::with_capacity(32);
        let mut scratch = Scratch::default();
        let mut at = 0;
        let mut line = self.line;
        while at < end {
            // A chunk ends where a row does (a last chunk, where the input
            // does): its end is an end of input for the row cutter.
            let mut rows = Rows { bytes: &out.text[..end], pos: at, line, at_end: true };
            let Some(row) = rows.next_row()? else { break };
            (at, line) = (rows.pos, rows.line);
            if row.content.is_empty() {
                continue;
            }
            if row.content.len() > judge.limits.max_row_bytes {
                return Err(row_too_long(row.line, &out.text[row.content], &judge.limits));
            }
            fields.clear();
            let simple = row.split_simple(&out.text, &mut fields);
            if simple {
                let len = row.content.len();
                if fields.len() == 1 && out.text[row.content.clone()].iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                if fields.len() <= judge.limits.max_fields
                    && (len <= judge.limits.max_field_bytes
                        || fields.iter().all(|f| f.len() <= judge.limits.max_field_bytes))
                    && fields.len() == judge.header.len
                    && (clean || text_is_clean(&out.text[row.content.clone()]))
                    && judge.fast_row(&mut out, &fields, row.line)
                {
                    continue;
                }
            }
            // Anything else: the typed path, which names the problem.
            let record = row.record(&out.text, &mut fields, &mut scratch)?;
            if record.len() == 1 && record[0].iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            check_limits(&record, row.line, &judge.header.names, &judge.limits)?;
            let typed = build_row(&record, &judge.header, row.line, judge.lenient)?;
            judge.slow_row(&mut out, typed);
        }
        if clean {
            // All ASCII, and what the typed path added is UTF-8: the text
            // can be kept as a `String`, so a span is a `&str` for free.
            match String::from_utf8(std::mem::take(&mut out.text)) {
                Ok(text) => out.checked = text,
                Err(e) => out.text = e.into_bytes(),
            }
        }
        Ok(out)
    }
}

fn text_is_clean(text: &[u8]) -> bool {
    std::str::from_utf8(text).is_ok() && memchr::memchr(0, text).is_none()
}

/// A row's place in its chunk.
struct RawRow {
    /// The row's text, without its line ending.
    content: Range<usize>,
    /// The line the row starts on.
    line: u64,
    /// The row holds a quote or a `\r` inside quotes.
    complex: bool,
}

/// Cuts text into rows, following quotes as the `csv` crate does, and counts
/// lines as an editor does (`\r\n`, `\n` and a lone `\r` end one each).
struct Rows<'b> {
    bytes: &'b [u8],
    pos: usize,
    line: u64,
    /// `bytes` runs to the end of the input: a last row needs no ending.
    at_end: bool,
}

impl<'b> Rows<'b> {
    fn new(bytes: &'b [u8], line: u64, at_end: bool) -> Rows<'b> {
        Rows { bytes, pos: 0, line, at_end }
    }

    /// The next row, including blank ones; `None` when no whole row is left.
    /// Fails when the input ends inside quotes.
    fn next_row(&mut self) -> Result<Option<RawRow>, Error> {
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
fn split_commas(row: &[u8], offset: usize, fields: &mut Vec<Range<usize>>) {
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
struct Scratch {
    text: Vec<u8>,
    out: Vec<u8>,
    ends: Vec<usize>,
}

impl RawRow {
    /// Splits a row without quotes on its commas; `false` (and nothing
    /// split) for a row that needs the tokenizer.
    fn split_simple(&self, text: &[u8], fields: &mut Vec<Range<usize>>) -> bool {
        if self.complex {
            return false;
        }
        split_commas(&text[self.content.clone()], self.content.start, fields);
        true
    }

    /// The row as a `csv::ByteRecord`, tokenized by the `csv` crate's own
    /// tokenizer, with every line ending inside it turned into `\n` as the
    /// typed reader sees it.
    fn record(
        &self,
        text: &[u8],
        fields: &mut Vec<Range<usize>>,
        scratch: &mut Scratch,
    ) -> Result<csv::ByteRecord, Error> {
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
        let mut record = csv::ByteRecord::with_capacity(written, nends);
        let mut start = 0;
        for &end in &scratch.ends[..nends] {
            record.push_field(&scratch.out[start..end]);
            start = end;
        }
        fields.clear();
        Ok(record)
    }
}

/// What judging a chunk needs; made by [`Scanner::judge`], shared by
/// reference between threads.
#[derive(Debug, Clone)]
pub struct Judge {
    header: Header,
    policy: Policy,
    as_of: Timestamp,
    lenient: bool,
    limits: Limits,
}

/// A place in a [`JudgedChunk`]'s text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Span {
    start: u32,
    end: u32,
}

impl Span {
    fn of(range: &Range<usize>) -> Span {
        Span { start: range.start as u32, end: range.end as u32 }
    }
}

/// One row of a judged chunk.
#[derive(Debug, Clone)]
pub(crate) struct RowOut {
    pub(crate) line: u64,
    user: Span,
    arn: Span,
    account: Span,
    pub(crate) is_root: bool,
    /// The newest timestamp of the row (see [`Row::timestamps`]).
    pub(crate) newest: Option<Timestamp>,
    /// The user name, lower-cased and hashed, for duplicate detection.
    pub(crate) user_key: u64,
    /// The row's findings: `keys[first..first + count]`.
    first: u32,
    count: u8,
    /// For a row read by the typed path: its index in `slow`.
    slow: Option<u32>,
}

/// One finding of a judged chunk.
#[derive(Debug, Clone)]
pub(crate) struct KeyOut {
    pub(crate) verdict: Verdict,
    region: Option<Span>,
    service: Option<Span>,
    /// The exemption in force that matched, by index into the rules.
    pub(crate) exempted: Option<u32>,
}

/// The rows of a [`Chunk`], read and judged. Merge it into the analysis with
/// [`Analyzer::absorb`](crate::Analyzer::absorb), then read its findings
/// with [`findings`](JudgedChunk::findings).
#[derive(Debug)]
pub struct JudgedChunk {
    /// The chunk's bytes, then the text of rows read by the typed path;
    /// empty when that text has been moved to `checked`.
    text: Vec<u8>,
    /// The same text when it is known to be UTF-8 as a whole.
    checked: String,
    pub(crate) rows: Vec<RowOut>,
    pub(crate) keys: Vec<KeyOut>,
    /// Rows read by the typed path (bad cells in lenient mode, quoted text).
    pub(crate) slow: Vec<Row>,
}

impl JudgedChunk {
    fn str(&self, span: Span) -> &str {
        let range = span.start as usize..span.end as usize;
        if self.text.is_empty() {
            return self.checked.get(range).unwrap_or_default();
        }
        // Spans only ever cover text checked to be UTF-8.
        std::str::from_utf8(&self.text[range]).unwrap_or_default()
    }

    fn bytes(&self, span: Span) -> &[u8] {
        let range = span.start as usize..span.end as usize;
        if self.text.is_empty() {
            &self.checked.as_bytes()[range]
        } else {
            &self.text[range]
        }
    }

    /// The number of rows (users) in the chunk.
    pub fn rows(&self) -> usize {
        self.rows.len()
    }

    /// The number of findings (keys) in the chunk.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the chunk holds no finding.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The findings, in input order.
    pub fn findings<'c>(&'c self, judge: &'c Judge) -> impl Iterator<Item = FindingRef<'c>> + 'c {
        self.rows.iter().flat_map(move |row| {
            let keys = &self.keys[row.first as usize..row.first as usize + row.count as usize];
            keys.iter().map(move |key| FindingRef { chunk: self, row, key, judge })
        })
    }

    pub(crate) fn account_bytes(&self, row: &RowOut) -> &[u8] {
        self.bytes(row.account)
    }

    pub(crate) fn user_bytes(&self, row: &RowOut) -> &[u8] {
        self.bytes(row.user)
    }

    pub(crate) fn account(&self, row: &RowOut) -> &str {
        self.str(row.account)
    }

    pub(crate) fn user(&self, row: &RowOut) -> &str {
        self.str(row.user)
    }

    pub(crate) fn row_keys(&self, row: &RowOut) -> Range<usize> {
        row.first as usize..row.first as usize + row.count as usize
    }

    pub(crate) fn slow_row(&self, row: &RowOut) -> Option<&Row> {
        row.slow.map(|i| &self.slow[i as usize])
    }

    fn push_text(&mut self, text: &str) -> Span {
        let start = self.text.len() as u32;
        self.text.extend_from_slice(text.as_bytes());
        Span { start, end: self.text.len() as u32 }
    }
}

/// One finding of a [`JudgedChunk`], borrowing its text from the chunk.
#[derive(Debug, Clone, Copy)]
pub struct FindingRef<'c> {
    chunk: &'c JudgedChunk,
    row: &'c RowOut,
    key: &'c KeyOut,
    judge: &'c Judge,
}

impl<'c> FindingRef<'c> {
    /// The account id from the row's ARN.
    pub fn account_id(&self) -> &'c str {
        self.chunk.str(self.row.account)
    }

    /// The user name.
    pub fn user(&self) -> &'c str {
        self.chunk.str(self.row.user)
    }

    /// The row's ARN.
    pub fn arn(&self) -> &'c str {
        self.chunk.str(self.row.arn)
    }

    /// Whether the row is the root account's.
    pub fn is_root(&self) -> bool {
        self.row.is_root
    }

    /// The slot, 1 or 2.
    pub fn slot(&self) -> u8 {
        self.key.verdict.slot
    }

    /// The status.
    pub fn status(&self) -> Status {
        self.key.verdict.status
    }

    /// Whether the key is active.
    pub fn active(&self) -> bool {
        self.key.verdict.active
    }

    /// When the key was created or last rotated.
    pub fn last_rotated(&self) -> Option<Timestamp> {
        self.key.verdict.last_rotated
    }

    /// The age in whole days, floored.
    pub fn age_days(&self) -> Option<i64> {
        self.key.verdict.age_days
    }

    /// `last_rotated + max_age_days`.
    pub fn due_at(&self) -> Option<Timestamp> {
        self.key.verdict.due_at
    }

    /// Whole days from `as_of` to `due_at`, floored.
    pub fn days_until_due(&self) -> Option<i64> {
        self.key.verdict.days_until_due
    }

    /// When the key was last used.
    pub fn last_used(&self) -> Option<crate::LastUsed> {
        self.key.verdict.last_used
    }

    /// The region of the last use.
    pub fn last_used_region(&self) -> Option<&'c str> {
        self.key.region.map(|s| self.chunk.str(s))
    }

    /// The service of the last use.
    pub fn last_used_service(&self) -> Option<&'c str> {
        self.key.service.map(|s| self.chunk.str(s))
    }

    /// Whether the key has been used since it was last rotated.
    pub fn used_since_rotation(&self) -> Option<bool> {
        self.key.verdict.used_since_rotation
    }

    /// Why the key is `invalid`.
    pub fn code(&self) -> Option<crate::FindingCode> {
        self.key.verdict.code
    }

    /// Whether an exemption in force matched the key (known once the chunk
    /// has been absorbed by an analyzer with exemptions).
    pub fn is_exempted(&self) -> bool {
        self.key.exempted.is_some()
    }

    /// The 1-based line of the row.
    pub fn line(&self) -> u64 {
        self.row.line
    }

    /// Writes the `reason` sentence.
    pub fn write_reason<W: std::fmt::Write>(&self, out: &mut W) -> std::fmt::Result {
        self.key.verdict.write_reason(&self.judge.policy, self.judge.as_of, out)
    }

    /// The `reason` sentence.
    pub fn reason(&self) -> String {
        self.key.verdict.reason(&self.judge.policy, self.judge.as_of)
    }

    /// The owned [`Finding`](crate::Finding) (without its exemption, which
    /// the analyzer that absorbed the chunk knows: see
    /// [`Analyzer::finding`](crate::Analyzer::finding)).
    pub fn to_finding(&self) -> crate::Finding {
        let text = RowText {
            account_id: self.account_id(),
            user: self.user(),
            arn: self.arn(),
            is_root: self.row.is_root,
            region: self.last_used_region(),
            service: self.last_used_service(),
            line: self.row.line,
        };
        self.key.verdict.to_finding(&text, &self.judge.policy, self.judge.as_of)
    }

    pub(crate) fn exemption_index(&self) -> Option<u32> {
        self.key.exempted
    }
}

/// The cells of one key slot, read from the row.
struct FastKey {
    active: Field<bool>,
    last_rotated: Field<Timestamp>,
    last_used_date: Field<Timestamp>,
    region: Field<Span>,
    service: Field<Span>,
}

/// The user name lower-cased and hashed (SipHash, one call per name): rows
/// with the same name ignoring case get the same key.
fn user_key(user: &[u8]) -> u64 {
    let mut hasher = DefaultHasher::new();
    let mut lower = [0u8; 128];
    if user.is_ascii() && user.len() <= lower.len() {
        for (l, b) in lower.iter_mut().zip(user) {
            *l = b.to_ascii_lowercase();
        }
        hasher.write(&lower[..user.len()]);
    } else {
        let text = String::from_utf8_lossy(user);
        let folded: String = text.chars().flat_map(char::to_lowercase).collect();
        hasher.write(folded.as_bytes());
    }
    hasher.finish()
}

/// The key `user_key` gives a typed row's user.
pub(crate) fn row_user_key(row: &Row) -> u64 {
    user_key(row.user.as_bytes())
}

impl Judge {
    /// The policy in force.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The evaluation instant.
    pub fn as_of(&self) -> Timestamp {
        self.as_of
    }

    fn cell<'t>(&self, text: &'t [u8], fields: &[Range<usize>], col: usize) -> Option<&'t [u8]> {
        let pos = self.header.index[col]?;
        Some(&text[fields[pos].clone()])
    }

    fn timestamp(&self, text: &[u8], fields: &[Range<usize>], col: usize) -> Option<Field<Timestamp>> {
        let Some(cell) = self.cell(text, fields, col) else { return Some(Field::Absent) };
        // Every literal is shorter than any timestamp.
        if cell.len() < 20 {
            return Field::literal_bytes(cell);
        }
        parse_timestamp_bytes(cell).map(Field::Value)
    }

    fn flag(&self, text: &[u8], fields: &[Range<usize>], col: usize) -> Option<Field<bool>> {
        let Some(cell) = self.cell(text, fields, col) else { return Some(Field::Absent) };
        // The two spellings AWS writes, compared as words.
        match (cell.len(), cell.first_chunk::<4>()) {
            (4, Some(b"true")) => Some(Field::Value(true)),
            (5, Some(b"fals")) if cell[4] == b'e' => Some(Field::Value(false)),
            _ => match std::str::from_utf8(cell).ok().and_then(parse_bool) {
                Some(b) => Some(Field::Value(b)),
                None => Field::literal_bytes(cell),
            },
        }
    }

    /// A text cell's place, or how it reads when it is a literal.
    fn words(&self, fields: &[Range<usize>], text: &[u8], col: usize) -> Field<Span> {
        let Some(pos) = self.header.index[col] else { return Field::Absent };
        let range = &fields[pos];
        Field::literal_bytes(&text[range.clone()]).unwrap_or(Field::Value(Span::of(range)))
    }

    /// Reads and judges a row whose every cell reads cleanly; `false` (and
    /// nothing added) when one does not.
    fn fast_row(&self, out: &mut JudgedChunk, fields: &[Range<usize>], line: u64) -> bool {
        let text = &out.text;
        // The newest of the other dated cells, as seconds and nanoseconds.
        let mut newest_other: Option<(i64, u32)> = None;
        for col in DATED {
            let Some(cell) = self.cell(text, fields, col) else { continue };
            // Every literal is shorter than any timestamp.
            if cell.len() < 20 {
                if Field::<Timestamp>::literal_bytes(cell).is_none() {
                    return false;
                }
                continue;
            }
            match parse_epoch(cell) {
                Some(t) => newest_other = Some(newest_other.map_or(t, |n| n.max(t))),
                None => return false,
            }
        }
        if let Some(cell) = self.cell(text, fields, NEXT_ROTATION) {
            if Field::<Timestamp>::literal_bytes(cell).is_none() && parse_epoch(cell).is_none() {
                return false;
            }
        }
        for col in FLAGS {
            if self.flag(text, fields, col).is_none() {
                return false;
            }
        }
        let key = |slot: usize| -> Option<FastKey> {
            let base = KEY_BASE[slot];
            Some(FastKey {
                active: self.flag(text, fields, base)?,
                last_rotated: self.timestamp(text, fields, base + 1)?,
                last_used_date: self.timestamp(text, fields, base + 2)?,
                region: self.words(fields, text, base + 3),
                service: self.words(fields, text, base + 4),
            })
        };
        let (Some(k1), Some(k2)) = (key(0), key(1)) else { return false };
        let mut newest = newest_other.and_then(|(secs, nanos)| Timestamp::from_timestamp(secs, nanos));
        for k in [&k1, &k2] {
            for cell in [&k.last_rotated, &k.last_used_date] {
                if let Field::Value(t) = cell {
                    newest = Some(newest.map_or(*t, |n| n.max(*t)));
                }
            }
        }
        let user_range = self.header.index[0].map(|p| fields[p].clone()).unwrap_or(0..0);
        let arn_range = self.header.index[1].map(|p| fields[p].clone()).unwrap_or(0..0);
        let (user, arn) = (&text[user_range.clone()], &text[arn_range.clone()]);
        let in_arn = account_range(arn);
        let account = Span::of(&(arn_range.start + in_arn.start..arn_range.start + in_arn.end));
        let first = out.keys.len() as u32;
        let mut count = 0;
        for (slot, k) in [k1, k2].iter().enumerate() {
            let cells = KeyCells {
                active: &k.active,
                last_rotated: &k.last_rotated,
                last_used_date: &k.last_used_date,
                text_invalid: false,
            };
            if !cells.is_present() {
                continue;
            }
            let verdict = judge_cells(cells, slot as u8 + 1, false, String::new, &self.policy, self.as_of);
            let span = |f: &Field<Span>| f.value().copied();
            out.keys.push(KeyOut { verdict, region: span(&k.region), service: span(&k.service), exempted: None });
            count += 1;
        }
        let row = RowOut {
            line,
            user: Span::of(&user_range),
            arn: Span::of(&arn_range),
            account,
            is_root: user == b"<root_account>" || user == b"root_account" || arn.ends_with(b":root"),
            newest,
            user_key: user_key(user),
            first,
            count,
            slow: None,
        };
        out.rows.push(row);
        true
    }

    /// Adds a row read by the typed path.
    fn slow_row(&self, out: &mut JudgedChunk, row: Row) {
        let first = out.keys.len() as u32;
        let mut count = 0;
        for slot in 0..2 {
            if let Some(verdict) = judge_row_slot(&row, slot, &self.policy, self.as_of) {
                let key = &row.access_keys[slot];
                let region = key.last_used_region.value().map(|s| out.push_text(s));
                let service = key.last_used_service.value().map(|s| out.push_text(s));
                out.keys.push(KeyOut { verdict, region, service, exempted: None });
                count += 1;
            }
        }
        let user = out.push_text(&row.user);
        let arn = out.push_text(&row.arn);
        let account = out.push_text(&row.account_id);
        let newest = row.timestamps().max();
        out.rows.push(RowOut {
            line: row.line,
            user,
            arn,
            account,
            is_root: row.is_root,
            newest,
            user_key: row_user_key(&row),
            first,
            count,
            slow: Some(out.slow.len() as u32),
        });
        out.slow.push(row);
    }
}

/// Judges every chunk of `scanner` on `threads` threads and merges the
/// results in input order, so that the outcome is the same for any number of
/// threads.
///
/// Each chunk is judged and handed to `work` on one of the threads (say, to
/// write its findings out); what `work` returns is handed to `merge` on the
/// calling thread, in input order (say, to
/// [`Analyzer::absorb`](crate::Analyzer::absorb) it). With `threads` at 1 or
/// 0 no thread is started, which is what a target without threads (such as
/// WebAssembly) needs. At most two chunks per thread are in flight, so
/// memory stays flat. The first error in input order (a row in strict mode,
/// a read failure, or one `merge` returns) stops the work and is returned.
///
/// ```
/// use keyrot::{judge_in_order, Analyzer, Options, Scanner, parse_timestamp};
/// let csv = "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n\
///            alice,arn:aws:iam::111122223333:user/alice,true,2026-01-01T00:00:00Z,false,N/A\n\
///            bob,arn:aws:iam::111122223333:user/bob,true,2026-11-01T00:00:00Z,false,N/A\n";
/// let options = Options::default().with_as_of(parse_timestamp("2026-11-26T00:00:00Z").unwrap());
/// let mut scanner = Scanner::new(csv.as_bytes(), &options.parse_options()).unwrap();
/// let mut analyzer = Analyzer::for_scanner(&scanner, &options).unwrap();
/// let judge = scanner.judge(&analyzer);
/// let mut users = Vec::new();
/// judge_in_order(
///     &mut scanner,
///     &judge,
///     2,
///     |chunk| {
///         let names: Vec<String> = chunk.findings(&judge).map(|f| f.user().to_owned()).collect();
///         (chunk, names)
///     },
///     |(mut chunk, names)| -> Result<(), keyrot::Error> {
///         analyzer.absorb(&mut chunk);
///         users.extend(names);
///         Ok(())
///     },
/// )
/// .unwrap();
/// assert_eq!(users, ["alice", "bob"]);
/// assert_eq!(analyzer.finish(Vec::new()).summary.overall.keys, 2);
/// ```
pub fn judge_in_order<T, E, W, M>(
    scanner: &mut Scanner<'_>,
    judge: &Judge,
    threads: usize,
    work: W,
    mut merge: M,
) -> Result<(), E>
where
    T: Send,
    E: From<Error>,
    W: Fn(JudgedChunk) -> T + Sync,
    M: FnMut(T) -> Result<(), E>,
{
    if threads <= 1 {
        while let Some(chunk) = scanner.next_chunk()? {
            merge(work(chunk.judge(judge)?))?;
        }
        return Ok(());
    }
    use std::collections::BTreeMap;
    use std::sync::{mpsc, Mutex};
    let (job_tx, job_rx) = mpsc::sync_channel::<(u64, Chunk)>(threads);
    let job_rx = Mutex::new(job_rx);
    // A worker's panic is sent back and raised again here, so that the
    // merge never waits for a chunk that will not come.
    let (done_tx, done_rx) = mpsc::channel::<(u64, std::thread::Result<Result<T, Error>>)>();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let (job_rx, done_tx, work) = (&job_rx, done_tx.clone(), &work);
            scope.spawn(move || loop {
                // A poisoned lock means another worker panicked; the scope
                // re-raises that panic.
                let job = match job_rx.lock() {
                    Ok(rx) => rx.recv(),
                    Err(_) => return,
                };
                let Ok((index, chunk)) = job else { return };
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| chunk.judge(judge).map(work)));
                if done_tx.send((index, outcome)).is_err() {
                    return;
                }
            });
        }
        drop(done_tx);
        let (mut sent, mut merged) = (0u64, 0u64);
        let mut read_error = None;
        let mut waiting = BTreeMap::new();
        let mut job_tx = Some(job_tx);
        loop {
            while read_error.is_none() && job_tx.is_some() && sent - merged < 2 * threads as u64 {
                match scanner.next_chunk() {
                    Ok(Some(chunk)) => {
                        if let Some(tx) = &job_tx {
                            if tx.send((sent, chunk)).is_err() {
                                break;
                            }
                        }
                        sent += 1;
                    }
                    Ok(None) => job_tx = None,
                    Err(e) => read_error = Some(e),
                }
            }
            if merged == sent {
                break;
            }
            let Ok((index, result)) = done_rx.recv() else { break };
            waiting.insert(index, result);
            while let Some(outcome) = waiting.remove(&merged) {
                merged += 1;
                match outcome {
                    Ok(result) => merge(result?)?,
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
        }
        drop(job_tx);
        match read_error {
            Some(e) => Err(e.into()),
            None => Ok(()),
        }
    })
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
    fn user_keys_ignore_case_and_only_case() {
        assert_eq!(user_key(b"Alice"), user_key(b"aLICE"));
        assert_eq!(user_key("Ärger".as_bytes()), user_key("äRGER".as_bytes()));
        let keys: std::collections::HashSet<u64> =
            (0..20_000).map(|i| user_key(format!("user-{i}").as_bytes())).collect();
        assert_eq!(keys.len(), 20_000);
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
