//! The one reader of a report: the input is unwrapped, its header read, and
//! the rest cut into chunks of whole rows, which [`Run`](crate::Run) judges
//! on any thread, or read record by record as fields of text.
//!
//! The scan is structural: [`simd`](crate::input::simd) classifies each
//! block of 64 bytes into bit masks of its commas, quotes, line feeds and
//! carriage returns, and the rows are read off the set bits. A row without
//! quotes (every row AWS writes) is split on its commas in place as its line
//! end is found, in the same walk over the bits; in a row with quotes the
//! quoting state is followed from quote to quote, across blocks, as the `csv`
//! crate's parser follows it, and the row is handed to that crate's own
//! tokenizer (`csv-core`), so quoting means exactly what it means there.
//! Cutting the input needs only the quoting state at each line end: a chunk
//! without a quote is cut at its last line end (found with `memchr`), any
//! other by following its quotes the same way.

use crate::error::{Error, ErrorCode, MAX_VALUE_CHARS};
use crate::input::anomaly::Anomaly;
use crate::input::limits::Limits;
use crate::input::report::{check_limits, read_header, Header, Layout, ParseOptions, Preamble, Record};
use crate::input::simd::{classify, Kernel, Masks, Simd, BLOCK};
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
    /// The structural scan's instructions.
    kernel: Kernel,
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
    structure: Structure,
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
        Scanner::with_simd(input, options, limits, chunk_bytes, Simd::Auto)
    }

    /// Like [`with_chunk_bytes`](Scanner::with_chunk_bytes), with the
    /// structural scan's instructions set to `simd` (see [`Simd`]; a level
    /// the machine lacks is read as [`Simd::Portable`]). The results do not
    /// depend on it.
    ///
    /// ```
    /// use keyrot::read::{Limits, ParseOptions, Scanner, Simd};
    /// let csv = "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n\
    ///            bob,arn:aws:iam::111122223333:user/bob,false,N/A,false,N/A\n";
    /// for level in Simd::available() {
    ///     let mut scanner = Scanner::with_simd(csv.as_bytes(), &ParseOptions::default(), &Limits::default(), 64, level)?;
    ///     assert_eq!(scanner.simd(), level);
    ///     assert_eq!(scanner.next_record()?.unwrap().get(0), Some(&b"bob"[..]));
    /// }
    /// # Ok::<(), keyrot::Error>(())
    /// ```
    pub fn with_simd<R: Read + 'a>(
        input: R,
        options: &ParseOptions,
        limits: &Limits,
        chunk_bytes: usize,
        simd: Simd,
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
            kernel: simd.kernel(),
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

    /// The structural scan's level: the one asked for, resolved (see
    /// [`Simd::resolve`]).
    pub fn simd(&self) -> Simd {
        self.kernel.level()
    }

    pub(crate) fn kernel(&self) -> Kernel {
        self.kernel
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
        if let Some(Cursor { mut chunk, pos, line, .. }) = self.current.take() {
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
            let tokenized = row.complex;
            if tokenized {
                row.tokenize(text, &mut self.fields, &mut self.scratch)?;
            }
            let record =
                Record { text: if tokenized { &self.scratch.out } else { text }, fields: &self.fields, line: row.line };
            if record.is_blank() {
                continue;
            }
            check_limits(&record, &self.preamble.header.names, &self.limits)?;
            return Ok(Some((row.line, tokenized)));
        }
    }

    /// The next row of the current chunk that is not empty (a row without
    /// quotes split into `fields`), reading the next chunk when that one is
    /// done.
    fn next_row(&mut self) -> Result<Option<RawRow>, Error> {
        loop {
            if let Some(cursor) = &mut self.current {
                let mut rows = Rows::new(&cursor.chunk.bytes, cursor.pos, cursor.line, true, &mut cursor.structure);
                if let Some(row) = rows.next_row(&mut self.fields)? {
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
                Ok(Some(chunk)) => {
                    self.current =
                        Some(Cursor { pos: 0, line: chunk.line, chunk, structure: Structure::new(self.kernel) });
                }
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
                let Some((cut, lines)) = last_row_end(&bytes, self.kernel) else { return Err(err) };
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
            if let Some((cut, lines)) = last_row_end(&self.pending, self.kernel) {
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
fn last_row_end(bytes: &[u8], kernel: Kernel) -> Option<(usize, u64)> {
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
    let mut structure = Structure::new(kernel);
    let mut rows = Rows::new(bytes, 0, 1, false, &mut structure);
    let mut cut = None;
    while let Ok(Some(_)) = rows.skip_row() {
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

/// How many blocks' masks the scan classifies at a time: 512 bytes, a row
/// or two.
const WINDOW: usize = 8;

/// The masks of the blocks of one text around where the scan is, classified
/// a window at a time. Made for one text: a new text needs a new one.
pub(crate) struct Structure {
    kernel: Kernel,
    /// The index of the block `masks[0]` is of.
    first: usize,
    /// How many of `masks` hold a block's (0 before the first window).
    len: usize,
    masks: [Masks; WINDOW],
}

impl Structure {
    pub(crate) fn new(kernel: Kernel) -> Structure {
        Structure { kernel, first: 0, len: 0, masks: [Masks::default(); WINDOW] }
    }

    /// The masks of block `index` of `text`.
    #[inline]
    fn block(&mut self, text: &[u8], index: usize) -> Masks {
        let at = index.wrapping_sub(self.first);
        if at < self.len {
            return self.masks[at];
        }
        self.fill(text, index);
        self.masks[0]
    }

    #[inline(never)]
    fn fill(&mut self, text: &[u8], index: usize) {
        classify(self.kernel, text, index * BLOCK, &mut self.masks);
        (self.first, self.len) = (index, WINDOW);
    }
}

/// Cuts text into rows, following quotes as the `csv` crate does, and counts
/// lines as an editor does (`\r\n`, `\n` and a lone `\r` end one each), from
/// the masks of its blocks.
pub(crate) struct Rows<'b, 's> {
    pub(crate) bytes: &'b [u8],
    pub(crate) pos: usize,
    pub(crate) line: u64,
    /// `bytes` runs to the end of the input: a last row needs no ending.
    pub(crate) at_end: bool,
    structure: &'s mut Structure,
}

impl<'b, 's> Rows<'b, 's> {
    /// The rows of `bytes` from `pos`, which starts a row on `line`; the
    /// masks of `structure` must be of `bytes`.
    pub(crate) fn new(
        bytes: &'b [u8],
        pos: usize,
        line: u64,
        at_end: bool,
        structure: &'s mut Structure,
    ) -> Rows<'b, 's> {
        Rows { bytes, pos, line, at_end, structure }
    }

    /// The next row, including blank ones; `None` when no whole row is
    /// left. A row without quotes is split into `fields` (every field's
    /// place in `bytes`) as it is found; a row with quotes is `complex`, and
    /// its fields are for [`RawRow::tokenize`]. Fails when the input ends
    /// inside quotes.
    #[inline]
    pub(crate) fn next_row(&mut self, fields: &mut Vec<Range<usize>>) -> Result<Option<RawRow>, Error> {
        self.row::<true>(fields)
    }

    /// Like [`next_row`](Rows::next_row), without splitting fields.
    pub(crate) fn skip_row(&mut self) -> Result<Option<RawRow>, Error> {
        self.row::<false>(&mut Vec::new())
    }

    #[inline]
    fn row<const SPLIT: bool>(&mut self, fields: &mut Vec<Range<usize>>) -> Result<Option<RawRow>, Error> {
        let (bytes, start) = (self.bytes, self.pos);
        let len = bytes.len();
        if start >= len {
            return Ok(None);
        }
        if SPLIT {
            fields.clear();
        }
        let mut field = start;
        let mut index = start / BLOCK;
        let mut from = u64::MAX << (start % BLOCK);
        loop {
            if index * BLOCK >= len {
                if !self.at_end {
                    return Ok(None);
                }
                if SPLIT {
                    fields.push(field..len);
                }
                self.pos = len;
                return Ok(Some(RawRow { content: start..len, line: self.line, complex: false }));
            }
            let m = self.structure.block(bytes, index);
            let base = index * BLOCK;
            let special = m.special() & from;
            if SPLIT {
                // The commas before the block's first quote or line end.
                let mut commas = m.comma & from & special.wrapping_sub(1) & !special;
                while commas != 0 {
                    let at = base + commas.trailing_zeros() as usize;
                    fields.push(field..at);
                    field = at + 1;
                    commas &= commas - 1;
                }
            }
            if special == 0 {
                index += 1;
                from = u64::MAX;
                continue;
            }
            let bit = special & special.wrapping_neg();
            let at = base + bit.trailing_zeros() as usize;
            if m.quote & bit != 0 {
                return self.quoted(start);
            }
            // A line end: `\n`, `\r\n` or a lone `\r`.
            let next = if m.lf & bit != 0 {
                at + 1
            } else if at + 1 < len {
                if bytes[at + 1] == b'\n' {
                    at + 2
                } else {
                    at + 1
                }
            } else if self.at_end {
                at + 1
            } else {
                return Ok(None); // half of a `\r\n`, perhaps
            };
            if SPLIT {
                fields.push(field..at);
            }
            let row = RawRow { content: start..at, line: self.line, complex: false };
            self.pos = next;
            self.line += 1;
            return Ok(Some(row));
        }
    }

    /// The row from `start`, which holds a quote before its first line
    /// end: the quoting state is followed from one quote or line end to the
    /// next, across blocks.
    fn quoted(&mut self, start: usize) -> Result<Option<RawRow>, Error> {
        let bytes = self.bytes;
        let (mut quote, mut last, mut inner_lines, mut i) = (Quote::Outside, b'\n', 0u64, start);
        loop {
            let Some(at) = self.next_special(i) else {
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
            if at > i {
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

    /// The first quote or line end at or after `from`.
    fn next_special(&mut self, from: usize) -> Option<usize> {
        let len = self.bytes.len();
        if from >= len {
            return None;
        }
        let mut index = from / BLOCK;
        let mut bits = self.structure.block(self.bytes, index).special() & (u64::MAX << (from % BLOCK));
        while bits == 0 {
            index += 1;
            if index * BLOCK >= len {
                return None;
            }
            bits = self.structure.block(self.bytes, index).special();
        }
        Some(index * BLOCK + bits.trailing_zeros() as usize)
    }
}

/// Buffers for rows that go through the `csv` crate's tokenizer.
#[derive(Default)]
pub(crate) struct Scratch {
    text: Vec<u8>,
    pub(crate) out: Vec<u8>,
    ends: Vec<usize>,
}

impl RawRow {
    /// Splits a `complex` row (one with quotes) into `fields` of
    /// `scratch.out` with the `csv` crate's own tokenizer, every line ending
    /// inside it read as `\n`. (A row without quotes is split as it is
    /// found.)
    pub(crate) fn tokenize(
        &self,
        text: &[u8],
        fields: &mut Vec<Range<usize>>,
        scratch: &mut Scratch,
    ) -> Result<(), Error> {
        fields.clear();
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
        Ok(())
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

    /// The rows of `text` and their fields, with every available level.
    fn rows_fields(text: &str, at_end: bool) -> Vec<(String, u64, Vec<String>)> {
        let mut every = Vec::new();
        for level in Simd::available() {
            let mut structure = Structure::new(level.kernel());
            let mut rows = Rows::new(text.as_bytes(), 0, 1, at_end, &mut structure);
            let mut out = Vec::new();
            let mut fields = Vec::new();
            while let Some(row) = rows.next_row(&mut fields).unwrap() {
                let split =
                    if row.complex { Vec::new() } else { fields.iter().map(|f| text[f.clone()].to_owned()).collect() };
                out.push((text[row.content].to_owned(), row.line, split));
            }
            every.push(out);
        }
        every.dedup();
        assert_eq!(every.len(), 1, "the levels disagree: {every:?}");
        every.remove(0)
    }

    fn rows(text: &str, at_end: bool) -> Vec<(String, u64)> {
        rows_fields(text, at_end).into_iter().map(|(row, line, _)| (row, line)).collect()
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
    fn rows_without_quotes_are_split_on_their_commas() {
        let long = format!("{},{},\r\n{}", "x".repeat(70), "y".repeat(130), ",".repeat(65));
        for text in
            ["", ",", "a", "a,b", ",,,,,,,,,,,,,,,,,", "abcdefgh,ijklmnop,q", "héllo,wörld,,x,", "1234567,", &long]
        {
            let got: Vec<Vec<String>> = rows_fields(text, true).into_iter().map(|(_, _, f)| f).collect();
            let want: Vec<Vec<String>> = text
                .split("\r\n")
                .filter(|r| !r.is_empty())
                .map(|r| r.split(',').map(str::to_owned).collect())
                .collect();
            assert_eq!(got, want, "{text:?}");
        }
    }

    #[test]
    fn quotes_are_followed_across_blocks() {
        let field = format!("\"{}\n,{}\"\"\"", "a".repeat(60), "b".repeat(70));
        let text = format!("x,{field}\ny\n");
        assert_eq!(rows(&text, true), [(format!("x,{field}"), 1), ("y".into(), 3)]);
    }

    #[test]
    fn chunks_are_cut_after_the_last_whole_row() {
        for level in Simd::available() {
            let k = level.kernel();
            assert_eq!(last_row_end(b"a\nb\nc", k), Some((4, 2)));
            assert_eq!(last_row_end(b"a\r\nb\r\n", k), Some((6, 2)));
            assert_eq!(last_row_end(b"a\r\nb\r", k), Some((3, 1)));
            assert_eq!(last_row_end(b"a\r\nb\r\nc", k), Some((6, 2)));
            assert_eq!(last_row_end(b"a,\"x\ny\"\nb\"\n", k), Some((11, 3)));
            assert_eq!(last_row_end(b"a,\"x\ny\"\nb\"\r", k), Some((8, 2)));
            assert_eq!(last_row_end(b"abc", k), None);
        }
    }
}
