//! The one record model: a [`FindingBatch`] is a chunk of a report, read
//! and judged (rows, verdicts, exemptions matched, and the chunk's text),
//! and a [`FindingRef`] is its only view of one finding. The owned
//! [`Finding`](crate::Finding), the serde contract record, is made from a
//! view when JSON or a `Vec` is asked for; CSV and the other presentations
//! read views.
//!
//! Judging a chunk is faster than decoding it into typed rows because it
//! does less: a row whose cells all read cleanly is judged from borrowed
//! cells; any other row (a bad cell, a wrong field count, text that is not
//! UTF-8) is decoded into a typed [`Row`], which names the problem; and a
//! finding keeps its verdict and the places of its text, writing its
//! `reason` only when asked.

use crate::error::Error;
use crate::input::limits::Limits;
use crate::input::report::Record;
use crate::input::report::{account_range, build_row, check_limits, Header, Row, KEY_BASE};
use crate::input::scan::{row_too_long, Chunk, Rows, Scanner, Scratch, Structure};
use crate::input::simd::Kernel;
use crate::input::value::{parse_bool, parse_epoch, parse_timestamp_bytes, Field, Timestamp};
use crate::judge::checks::{judge_typed, UserCells};
use crate::judge::cis::{Rule, Severity};
use crate::judge::exemptions::{ExemptionRule, Exemptions};
use crate::judge::policy::{AsOfSource, Checks, Policy};
use crate::judge::rule::{
    judge_cells, Exemption, Finding, FindingCode, KeyCells, LastUsed, RowText, SourcedFinding, Status, Triage, Verdict,
};
use std::borrow::Cow;
use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::Hasher;
use std::ops::Range;
use std::sync::Arc;

/// The columns holding timestamps, as indexes into [`COLUMNS`](crate::COLUMNS), that count
/// for the newest timestamp (every one but `password_next_rotation`), other
/// than the access keys' (read with their slot). The first three are the
/// user's: `user_creation_time`, `password_last_used`,
/// `password_last_changed`.
const DATED: [usize; 5] = [2, 4, 5, 19, 21];
/// `password_next_rotation`: a timestamp, read but not counted as newest.
const NEXT_ROTATION: usize = 6;
/// The columns holding booleans, other than the access keys' `active`.
const FLAGS: [usize; 4] = [3, 7, 18, 20];

/// What judging a chunk of one report needs, shared by its batches and by
/// the threads that judge them.
#[derive(Debug)]
pub(crate) struct Judge {
    header: Header,
    pub(crate) policy: Policy,
    pub(crate) checks: Checks,
    pub(crate) as_of: Timestamp,
    as_of_source: AsOfSource,
    lenient: bool,
    limits: Limits,
    /// The report's name.
    source: Arc<str>,
    /// The exemptions, matched against every finding as it is judged.
    exemptions: Option<Arc<Exemptions>>,
    /// The structural scan's instructions.
    kernel: Kernel,
}

impl Judge {
    /// The judge of the report `scanner` reads, by `policy` and `checks`
    /// at `as_of` (which came from `as_of_source`).
    pub(crate) fn new(
        scanner: &Scanner<'_>,
        (policy, checks): (Policy, Checks),
        (as_of, as_of_source): (Timestamp, AsOfSource),
        source: Arc<str>,
        exemptions: Option<Arc<Exemptions>>,
    ) -> Judge {
        Judge {
            header: scanner.preamble().header.clone(),
            policy,
            checks,
            as_of,
            as_of_source,
            lenient: scanner.lenient(),
            limits: *scanner.limits(),
            source,
            exemptions: exemptions.filter(|e| !e.rules().is_empty()),
            kernel: scanner.kernel(),
        }
    }

    /// The report's name.
    pub(crate) fn source(&self) -> &Arc<str> {
        &self.source
    }

    /// Reads and judges every row of `chunk`. In strict mode the first
    /// row-level problem is the error, as in
    /// [`ReportReader::read_row`](crate::ReportReader::read_row).
    pub(crate) fn judge(self: &Arc<Judge>, chunk: Chunk) -> Result<FindingBatch, Error> {
        let Chunk { bytes, line, last } = chunk;
        debug_assert!(last || bytes.ends_with(b"\n") || bytes.ends_with(b"\r"));
        // Checked as UTF-8 once, as a whole (a report's text is): a span of
        // it is then a `&str` for free.
        let owned: Result<String, Vec<u8>> = String::from_utf8(bytes).map_err(|e| e.into_bytes());
        let text: &[u8] = match &owned {
            Ok(text) => text.as_bytes(),
            Err(bytes) => bytes,
        };
        let clean = owned.is_ok() && memchr::memchr(0, text).is_none();
        let end = text.len();
        // A row of a report is about 230 bytes and holds a key or two.
        let rows = end / 160 + 1;
        let rules = self.exemptions.as_ref().map_or(0, |e| e.rules().len());
        let mut out = FindingBatch {
            judge: Arc::clone(self),
            text: Vec::new(),
            checked: String::new(),
            rows: Vec::with_capacity(rows),
            merge: Vec::with_capacity(rows),
            keys: Vec::with_capacity(rows),
            places: Vec::with_capacity(rows),
            slow: Vec::new(),
            used: vec![false; rules],
        };
        // The text of rows read by the typed path, after the chunk's.
        let mut extra = Extra { base: end, text: String::new() };
        let mut fields: Vec<Range<usize>> = Vec::with_capacity(32);
        let mut scratch = Scratch::default();
        let mut structure = Structure::new(self.kernel);
        // A chunk ends where a row does (a last chunk, where the input
        // does): its end is an end of input for the row cutter.
        let mut rows = Rows::new(text, 0, line, true, &mut structure);
        while let Some(row) = rows.next_row(&mut fields)? {
            if row.content.is_empty() {
                continue;
            }
            if row.content.len() > self.limits.max_row_bytes {
                return Err(row_too_long(row.line, &text[row.content], &self.limits));
            }
            let tokenized = row.complex;
            if tokenized {
                row.tokenize(text, &mut fields, &mut scratch)?;
            } else {
                let len = row.content.len();
                if fields.len() == 1 && text[row.content.clone()].iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                if fields.len() <= self.limits.max_fields
                    && (len <= self.limits.max_field_bytes
                        || fields.iter().all(|f| f.len() <= self.limits.max_field_bytes))
                    && fields.len() == self.header.len
                    && (clean || text_is_clean(&text[row.content.clone()]))
                    && self.fast_row(&mut out, text, &fields, row.line)
                {
                    continue;
                }
            }
            // Anything else: the typed path, which names the problem.
            let typed = {
                let text = if tokenized { &scratch.out[..] } else { text };
                let record = Record::new(text, &fields, row.line);
                if record.is_blank() {
                    continue;
                }
                check_limits(&record, &self.header.names, &self.limits)?;
                build_row(&record, &self.header, self.lenient)?
            };
            self.slow_row(&mut out, &mut extra, typed);
        }
        match owned {
            Ok(mut text) => {
                text.push_str(&extra.text);
                out.checked = text;
            }
            Err(mut bytes) => {
                bytes.extend_from_slice(extra.text.as_bytes());
                out.text = bytes;
            }
        }
        if let Some(exemptions) = &self.exemptions {
            out.exempt(exemptions);
        }
        Ok(out)
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
    fn fast_row(&self, out: &mut FindingBatch, text: &[u8], fields: &[Range<usize>], line: u64) -> bool {
        // The newest of the other dated cells, as seconds and nanoseconds.
        let mut newest_other: Option<(i64, u32)> = None;
        // The user's dates (the first three of `DATED`), kept for the other
        // checks when they are judged: each cell is read once.
        let checks = self.checks.rules.has_checks();
        let mut user_dates = [Field::Absent, Field::Absent, Field::Absent];
        for (i, col) in DATED.into_iter().enumerate() {
            let Some(cell) = self.cell(text, fields, col) else { continue };
            // Every literal is shorter than any timestamp.
            if cell.len() < 20 {
                match Field::<Timestamp>::literal_bytes(cell) {
                    Some(literal) if i < 3 => user_dates[i] = literal,
                    Some(_) => {}
                    None => return false,
                }
                continue;
            }
            let epoch = if checks && i < 3 {
                let Some(t) = parse_timestamp_bytes(cell) else { return false };
                user_dates[i] = Field::Value(t);
                Some((t.timestamp(), t.timestamp_subsec_nanos()))
            } else {
                parse_epoch(cell)
            };
            match epoch {
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
        let row_index = out.rows.len() as u32;
        let span = |f: &Field<Span>| f.value().copied();
        let keys = [&k1, &k2];
        let verdicts = [0, 1].map(|slot| {
            let k = keys[slot];
            let cells = KeyCells {
                active: &k.active,
                last_rotated: &k.last_rotated,
                last_used_date: &k.last_used_date,
                text_invalid: false,
            };
            cells.is_present().then(|| judge_cells(cells, slot as u8 + 1, false, String::new, &self.policy, self.as_of))
        });
        let spans = |slot: u8| match slot {
            1 | 2 => (span(&keys[usize::from(slot) - 1].region), span(&keys[usize::from(slot) - 1].service)),
            _ => (None, None),
        };
        let is_root = user == b"<root_account>" || user == b"root_account" || arn.ends_with(b":root");
        // The other checks, when asked for (no allocation otherwise).
        let mut checked = Vec::new();
        if checks {
            let flag = |col: usize| self.flag(text, fields, col).unwrap_or(Field::Absent);
            let [created, used, changed] = user_dates;
            let (enabled, mfa) = (flag(3), flag(7));
            let cells = UserCells {
                is_root,
                user_creation_time: &created,
                password_enabled: &enabled,
                password_last_used: &used,
                password_last_changed: &changed,
                mfa_active: &mfa,
            };
            let refs = [verdicts[0].as_ref(), verdicts[1].as_ref()];
            crate::judge::checks::judge_row(&self.checks, &cells, refs, &self.policy, self.as_of, |v| checked.push(v));
        }
        let rotation = self.checks.rules.contains(Rule::AccessKeyRotated);
        for verdict in verdicts.into_iter().flatten().filter(|_| rotation).chain(checked) {
            let (region, service) = spans(verdict.slot);
            KeyOut::push(&mut out.keys, &mut out.places, verdict, row_index, (region, service));
        }
        let count = (out.keys.len() as u32 - first) as u8;
        let row = RowOut {
            line,
            user: Span::of(&user_range),
            arn: Span::of(&arn_range),
            account,
            is_root,
            first,
            count,
            slow: Index::NONE,
        };
        out.rows.push(row);
        out.merge.push(RowMerge { newest, user_key: user_key(user) });
        true
    }

    /// Adds a row read by the typed path.
    fn slow_row(&self, out: &mut FindingBatch, extra: &mut Extra, row: Row) {
        let first = out.keys.len() as u32;
        for verdict in judge_typed(&row, &self.checks, &self.policy, self.as_of) {
            let key = (verdict.slot > 0).then(|| &row.access_keys[usize::from(verdict.slot) - 1]);
            let region = key.and_then(|k| k.last_used_region.value()).map(|s| extra.push(s));
            let service = key.and_then(|k| k.last_used_service.value()).map(|s| extra.push(s));
            KeyOut::push(&mut out.keys, &mut out.places, verdict, out.rows.len() as u32, (region, service));
        }
        let count = (out.keys.len() as u32 - first) as u8;
        let user = extra.push(&row.user);
        let arn = extra.push(&row.arn);
        let account = extra.push(&row.account_id);
        let newest = row.timestamps().max();
        out.rows.push(RowOut {
            line: row.line,
            user,
            arn,
            account,
            is_root: row.is_root,
            first,
            count,
            slow: Index(out.slow.len() as u32),
        });
        out.merge.push(RowMerge { newest, user_key: row_user_key(&row) });
        out.slow.push(row);
    }
}

/// The text of the rows a chunk's typed path read, kept after the chunk's
/// own text (which starts at 0 and is `base` bytes long).
struct Extra {
    base: usize,
    text: String,
}

impl Extra {
    /// Adds `text`; its place in the batch's text.
    fn push(&mut self, text: &str) -> Span {
        let start = (self.base + self.text.len()) as u32;
        self.text.push_str(text);
        Span { start, end: (self.base + self.text.len()) as u32 }
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

/// Hashes the keys [`user_key`] makes, which are hashes already: a set of
/// them needs no second SipHash, only their bits (the set still compares
/// whole keys).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct UserKeyHasher(u64);

impl Hasher for UserKeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `u64`s are hashed with it; any other key still spreads.
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u64(&mut self, key: u64) {
        self.0 = key;
    }
}

/// A set of user keys.
pub(crate) type UserKeys = std::collections::HashSet<u64, std::hash::BuildHasherDefault<UserKeyHasher>>;

/// The key `user_key` gives a typed row's user.
pub(crate) fn row_user_key(row: &Row) -> u64 {
    user_key(row.user.as_bytes())
}

/// Each distinct text of a batch held once: the texts last seen, in a few
/// slots picked by a cheap mix of their bytes, in front of a map (a batch's
/// accounts, regions and services are a handful, looked up once a row or a
/// key).
#[derive(Default)]
struct Once<'a> {
    recent: [Option<(&'a str, Span)>; 16],
    seen: HashMap<&'a str, Span>,
}

impl<'a> Once<'a> {
    fn get(&mut self, value: &'a str, copy: &mut impl FnMut(&str) -> Span) -> Span {
        let b = value.as_bytes();
        let mix = |i: usize| b.get(i).map_or(0, |&c| usize::from(c));
        let slot = (b.len() + mix(0) * 31 + mix(b.len() / 2) * 7 + mix(b.len().wrapping_sub(1))) % 16;
        match self.recent[slot] {
            Some((text, span)) if text == value => span,
            _ => {
                let span = *self.seen.entry(value).or_insert_with(|| copy(value));
                self.recent[slot] = Some((value, span));
                span
            }
        }
    }
}

/// `items` in an allocation of their size.
fn exact<T>(items: Vec<T>) -> Vec<T> {
    let mut held = Vec::with_capacity(items.len());
    held.extend(items);
    held
}

/// What every ARN of an IAM user in the `aws` partition starts with.
const PLAIN_ARN_PREFIX: &str = "arn:aws:iam::";

/// Whether `arn` is `arn:aws:iam::{account}:user/{user}`.
fn is_plain_arn(arn: &str, account: &str, user: &str) -> bool {
    arn.strip_prefix(PLAIN_ARN_PREFIX)
        .and_then(|rest| rest.strip_prefix(account))
        .and_then(|rest| rest.strip_prefix(":user/"))
        .is_some_and(|rest| rest == user)
}

fn text_is_clean(text: &[u8]) -> bool {
    std::str::from_utf8(text).is_ok() && memchr::memchr(0, text).is_none()
}

/// A place in a [`FindingBatch`]'s text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
struct Span {
    start: u32,
    end: u32,
}

impl Span {
    /// No text (an absent cell).
    const NONE: Span = Span { start: u32::MAX, end: u32::MAX };
    /// An ARN not held: the one the row's account and user name make
    /// (see [`FindingBatch::compact`]).
    const PLAIN_ARN: Span = Span { start: u32::MAX - 1, end: u32::MAX - 1 };

    fn get(self) -> Option<Span> {
        (self != Span::NONE).then_some(self)
    }

    fn of(range: &Range<usize>) -> Span {
        Span { start: range.start as u32, end: range.end as u32 }
    }

    fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// One row of a batch.
#[derive(Debug, Clone)]
pub(crate) struct RowOut {
    pub(crate) line: u64,
    user: Span,
    arn: Span,
    account: Span,
    pub(crate) is_root: bool,
    /// The row's findings: `keys[first..first + count]`.
    first: u32,
    count: u8,
    /// For a row read by the typed path: its index in `slow`.
    slow: Index,
}

/// What the analysis reads of a row when it takes in its batch, and nothing
/// after: a table drops it ([`FindingBatch::forget_merge_state`]).
#[derive(Debug, Clone)]
pub(crate) struct RowMerge {
    /// The newest timestamp of the row (see [`Row::timestamps`]).
    pub(crate) newest: Option<Timestamp>,
    /// The user name, lower-cased and hashed, for duplicate detection.
    pub(crate) user_key: u64,
}

/// One finding of a batch.
#[derive(Debug, Clone)]
pub(crate) struct KeyOut {
    pub(crate) verdict: Verdict,
    /// The row, by index into `rows`.
    row: u32,
    // Optional indexes in 4 bytes, not 8, and the region and service as one
    // of them: a table holds one of these per key (104 bytes became 56, 48
    // in WebAssembly).
    /// Where it was last used: its region and service, by index into
    /// `places`.
    place: Index,
    /// The exemption that matched, by index into the rules: the first in
    /// force, or when none is, the first expired one ([`EXPIRED`] set).
    exemption: Index,
}

/// The bit of [`KeyOut::exemption`] that marks an expired exemption.
const EXPIRED: u32 = 1 << 31;

impl KeyOut {
    /// Adds the finding of `verdict` on row `row`, last used in `place`
    /// (its region and service), to a batch's `keys` and `places`.
    fn push(
        keys: &mut Vec<KeyOut>,
        places: &mut Vec<(Span, Span)>,
        verdict: Verdict,
        row: u32,
        (region, service): (Option<Span>, Option<Span>),
    ) {
        let place = match (region, service) {
            (None, None) => Index::NONE,
            _ => {
                places.push((region.unwrap_or(Span::NONE), service.unwrap_or(Span::NONE)));
                Index(places.len() as u32 - 1)
            }
        };
        keys.push(KeyOut { verdict, row, place, exemption: Index::NONE });
    }

    /// The exemption in force that matched, by index into the rules.
    pub(crate) fn exempted(&self) -> Option<u32> {
        self.exemption.get().filter(|i| i & EXPIRED == 0)
    }

    /// When none in force matched: the first expired exemption that did.
    pub(crate) fn expired(&self) -> Option<u32> {
        self.exemption.get().filter(|i| i & EXPIRED != 0).map(|i| i & !EXPIRED)
    }
}

/// An optional index in four bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Index(u32);

impl Index {
    const NONE: Index = Index(u32::MAX);

    fn of(index: Option<u32>) -> Index {
        index.map_or(Index::NONE, Index)
    }

    fn get(self) -> Option<u32> {
        (self != Index::NONE).then_some(self.0)
    }
}

/// A chunk of one report, read and judged: its rows, one finding per key
/// with the exemption that matched it, and the chunk's text, which the
/// findings borrow. What [`Run`](crate::Run) hands out, in input order;
/// read it through [`findings`](FindingBatch::findings).
///
/// ```
/// use keyrot::{Options, Run, Status, parse_timestamp};
/// let csv = "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n\
///            alice,arn:aws:iam::111122223333:user/alice,true,2026-01-01T00:00:00Z,true,2026-11-01T00:00:00Z\n";
/// let options = Options::at(parse_timestamp("2026-11-26T00:00:00Z").unwrap());
/// let mut batches = Vec::new();
/// let analysis = Run::new(&options).source("report.csv").report(csv.as_bytes(), |batch| {
///     batches.push(batch);
///     Ok::<(), keyrot::Error>(())
/// })?;
/// assert_eq!(analysis.summary.overall.keys, 2);
/// let batch = &batches[0];
/// assert_eq!((batch.len(), batch.rows(), batch.source()), (2, 1, "report.csv"));
/// let first = batch.get(0).unwrap();
/// assert_eq!((first.user(), first.slot(), first.status()), ("alice", Some(1), Status::Fail));
/// assert_eq!(first.reason(), "active key 329 days old; limit 90; overdue since 2026-04-01T00:00:00Z");
/// assert_eq!(batch.findings().map(|f| f.status()).collect::<Vec<_>>(), [Status::Fail, Status::Pass]);
/// # Ok::<(), keyrot::Error>(())
/// ```
#[derive(Debug)]
pub struct FindingBatch {
    judge: Arc<Judge>,
    /// The chunk's bytes, then the text of rows read by the typed path;
    /// empty when that text has been moved to `checked`.
    text: Vec<u8>,
    /// The same text when it is known to be UTF-8 as a whole.
    checked: String,
    pub(crate) rows: Vec<RowOut>,
    /// Per row, what the analysis reads of it; empty once forgotten.
    pub(crate) merge: Vec<RowMerge>,
    pub(crate) keys: Vec<KeyOut>,
    /// The regions and services keys were last used in (each pair once in
    /// a compact batch).
    places: Vec<(Span, Span)>,
    /// Rows read by the typed path (bad cells in lenient mode, quoted text).
    pub(crate) slow: Vec<Row>,
    /// Which exemption rules matched a key of the batch, in force or not.
    pub(crate) used: Vec<bool>,
}

impl FindingBatch {
    fn str(&self, span: Span) -> &str {
        if self.text.is_empty() {
            return self.checked.get(span.range()).unwrap_or_default();
        }
        // Spans only ever cover text checked to be UTF-8.
        std::str::from_utf8(&self.text[span.range()]).unwrap_or_default()
    }

    fn bytes(&self, span: Span) -> &[u8] {
        if self.text.is_empty() {
            &self.checked.as_bytes()[span.range()]
        } else {
            &self.text[span.range()]
        }
    }

    /// The name of the report the batch is from (the `source` of
    /// [`Run::source`](crate::Run::source) or of
    /// [`Run::reports`](crate::Run::reports)' inputs).
    pub fn source(&self) -> &str {
        &self.judge.source
    }

    /// Where its report's `as_of` came from.
    pub fn as_of_source(&self) -> AsOfSource {
        self.judge.as_of_source
    }

    /// The report's name, shared.
    pub fn source_arc(&self) -> &Arc<str> {
        &self.judge.source
    }

    /// The evaluation instant the findings were judged at.
    pub fn as_of(&self) -> Timestamp {
        self.judge.as_of
    }

    /// The policy the findings were judged by.
    pub fn policy(&self) -> &Policy {
        &self.judge.policy
    }

    /// The number of rows (users) in the batch.
    pub fn rows(&self) -> usize {
        self.rows.len()
    }

    /// The number of findings (keys) in the batch.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the batch holds no finding.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The finding at `index` (in input order, slot 1 before slot 2).
    pub fn get(&self, index: usize) -> Option<FindingRef<'_>> {
        let key = self.keys.get(index)?;
        Some(FindingRef { batch: self, row: &self.rows[key.row as usize], key })
    }

    /// The findings, in input order, slot 1 before slot 2.
    pub fn findings(&self) -> impl ExactSizeIterator<Item = FindingRef<'_>> + '_ {
        self.keys.iter().map(move |key| FindingRef { batch: self, row: &self.rows[key.row as usize], key })
    }

    /// The owned findings, with their reasons written out.
    pub fn to_findings(&self) -> Vec<Finding> {
        self.findings().map(|f| f.to_finding()).collect()
    }

    /// Keeps only the text the findings borrow, once each: user names, an
    /// account id once per batch, an ARN only when it is not the one its
    /// account and user name make (`arn:aws:iam::{account}:user/{user}`),
    /// and each region and service once; for a batch that is held after it
    /// has been read (a million rows' text is 10 MiB, not 62).
    pub fn compact(&mut self) {
        let old = std::mem::take(&mut self.text);
        let old_checked = std::mem::take(&mut self.checked);
        let old: &[u8] = if old.is_empty() { old_checked.as_bytes() } else { &old };
        // Checked once as a whole when it can be (a report's text is), not
        // span by span.
        let whole = std::str::from_utf8(old).ok();
        let text_of = |span: Span| match whole {
            Some(whole) => whole.get(span.range()).unwrap_or_default(),
            None => old.get(span.range()).and_then(|t| std::str::from_utf8(t).ok()).unwrap_or_default(),
        };
        let mut text = String::new();
        let mut copy = |value: &str| -> Span {
            let start = text.len() as u32;
            text.push_str(value);
            Span { start, end: text.len() as u32 }
        };
        let mut once = Once::default();
        for row in &mut self.rows {
            let (arn, account, user) = (text_of(row.arn), text_of(row.account), text_of(row.user));
            row.account = once.get(account, &mut copy);
            row.user = copy(user);
            let plain = row.arn == Span::PLAIN_ARN || is_plain_arn(arn, account, user);
            row.arn = if plain { Span::PLAIN_ARN } else { copy(arn) };
        }
        let mut places: Vec<(Span, Span)> = Vec::new();
        let mut place_of: HashMap<(Span, Span), u32> = HashMap::new();
        for key in &mut self.keys {
            if let Some(at) = key.place.get() {
                let (region, service) = self.places[at as usize];
                let mut held = |span: Span| span.get().map_or(Span::NONE, |s| once.get(text_of(s), &mut copy));
                let place = (held(region), held(service));
                // A batch has a few places: look among the first ones, then
                // in the map, which holds every one.
                let index = match places.iter().take(32).position(|p| *p == place) {
                    Some(i) => i as u32,
                    None => *place_of.entry(place).or_insert_with(|| {
                        places.push(place);
                        places.len() as u32 - 1
                    }),
                };
                key.place = Index(index);
            }
        }
        drop(once);
        self.places = places;
        // Fresh allocations of the exact sizes, not the judging's larger ones
        // shrunk in place: those leave holes between held batches that a
        // long run of them never fills (in WebAssembly's allocator a million
        // rows took 35 MiB more than they held).
        self.checked = String::with_capacity(text.len());
        self.checked.push_str(&text);
        drop(text);
        self.rows = exact(std::mem::take(&mut self.rows));
        self.keys = exact(std::mem::take(&mut self.keys));
        self.places = exact(std::mem::take(&mut self.places));
    }

    /// Drops what only the analysis's merge reads, for a batch held after
    /// it has been merged.
    pub(crate) fn forget_merge_state(&mut self) {
        self.merge = Vec::new();
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

    pub(crate) fn row_keys(&self, row: &RowOut) -> &[KeyOut] {
        &self.keys[row.first as usize..row.first as usize + row.count as usize]
    }

    pub(crate) fn slow_row(&self, row: &RowOut) -> Option<&Row> {
        row.slow.get().map(|i| &self.slow[i as usize])
    }

    pub(crate) fn exemption_rules(&self) -> &[ExemptionRule] {
        self.judge.exemptions.as_ref().map_or(&[], |e| e.rules())
    }

    /// Matches every finding against the exemptions: the first in force
    /// that matches exempts it; an expired one that alone matches is noted
    /// (the analyzer reports it, in input order).
    fn exempt(&mut self, exemptions: &Exemptions) {
        let mut used = std::mem::take(&mut self.used);
        let as_of = self.judge.as_of;
        let found: Vec<(Option<u32>, Option<u32>)> = self
            .keys
            .iter()
            .map(|key| {
                let row = &self.rows[key.row as usize];
                let subject = (key.verdict.slot, key.verdict.rule);
                exemptions.lookup(self.str(row.account), self.str(row.user), subject, as_of, &mut used)
            })
            .collect();
        for (key, (exempted, expired)) in self.keys.iter_mut().zip(found) {
            // Rules are far fewer than 2^31; one in force excludes an expired.
            key.exemption = Index::of(exempted.or(expired.map(|i| i | EXPIRED)));
        }
        self.used = used;
    }
}

/// One finding of a [`FindingBatch`], borrowing its text from the batch.
#[derive(Debug, Clone, Copy)]
pub struct FindingRef<'b> {
    batch: &'b FindingBatch,
    row: &'b RowOut,
    key: &'b KeyOut,
}

impl<'b> FindingRef<'b> {
    /// The name of the report the finding is from.
    pub fn source(&self) -> &'b str {
        self.batch.source()
    }

    /// The evaluation instant the finding was judged at.
    pub fn as_of(&self) -> Timestamp {
        self.batch.as_of()
    }

    /// The account id from the row's ARN.
    pub fn account_id(&self) -> &'b str {
        self.batch.str(self.row.account)
    }

    /// The user name.
    pub fn user(&self) -> &'b str {
        self.batch.str(self.row.user)
    }

    /// The row's ARN.
    pub fn arn(&self) -> Cow<'b, str> {
        if self.row.arn == Span::PLAIN_ARN {
            return Cow::Owned(format!("{PLAIN_ARN_PREFIX}{}:user/{}", self.account_id(), self.user()));
        }
        Cow::Borrowed(self.batch.str(self.row.arn))
    }

    /// Whether the row is the root account's.
    pub fn is_root(&self) -> bool {
        self.row.is_root
    }

    /// The slot, 1 or 2; `None` for a check about the user, not a key.
    pub fn slot(&self) -> Option<u8> {
        let slot = self.key.verdict.slot;
        (slot > 0).then_some(slot)
    }

    /// The check the finding is of.
    pub fn rule(&self) -> Rule {
        self.key.verdict.rule
    }

    /// Whether the run labels its findings with their rule and CIS number
    /// (see [`Finding::rule`]).
    pub fn labelled(&self) -> bool {
        self.batch.judge.checks.labelled
    }

    /// The check's recommendation number in the run's CIS version.
    pub fn cis(&self) -> Option<&'static str> {
        self.key.verdict.cis(&self.batch.judge.checks)
    }

    /// The checks' options the run applied.
    pub fn checks(&self) -> &'b Checks {
        &self.batch.judge.checks
    }

    /// The finding's place in triage order ([`Triage`]).
    pub fn triage(&self) -> Triage {
        Triage::of(self.severity(), self.is_exempted(), self.days_until_due(), self.age_days())
    }

    /// How much the finding matters ([`Severity::of`]).
    pub fn severity(&self) -> Severity {
        Severity::of(self.key.verdict.rule, self.key.verdict.status, self.row.is_root)
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
        self.key.verdict.age_days(self.batch.judge.as_of)
    }

    /// `last_rotated + max_age_days`.
    pub fn due_at(&self) -> Option<Timestamp> {
        self.key.verdict.due_at(&self.batch.judge.policy)
    }

    /// Whole days from `as_of` to `due_at`, floored.
    pub fn days_until_due(&self) -> Option<i64> {
        self.key.verdict.days_until_due(&self.batch.judge.policy, self.batch.judge.as_of)
    }

    /// When the key was last used.
    pub fn last_used(&self) -> Option<LastUsed> {
        self.key.verdict.last_used()
    }

    /// The region and service of the last use (`Span::NONE` when absent).
    fn place(&self) -> (Span, Span) {
        self.key.place.get().map_or((Span::NONE, Span::NONE), |at| self.batch.places[at as usize])
    }

    /// The region of the last use.
    pub fn last_used_region(&self) -> Option<&'b str> {
        self.place().0.get().map(|s| self.batch.str(s))
    }

    /// The service of the last use.
    pub fn last_used_service(&self) -> Option<&'b str> {
        self.place().1.get().map(|s| self.batch.str(s))
    }

    /// Whether the key has been used since it was last rotated.
    pub fn used_since_rotation(&self) -> Option<bool> {
        self.key.verdict.used_since_rotation
    }

    /// Why the key is `invalid`.
    pub fn code(&self) -> Option<FindingCode> {
        self.key.verdict.code
    }

    /// The exemption in force that matched the key, if any.
    pub fn exemption(&self) -> Option<&'b ExemptionRule> {
        self.key.exempted().and_then(|i| self.batch.exemption_rules().get(i as usize))
    }

    /// Whether an exemption in force matched the key.
    pub fn is_exempted(&self) -> bool {
        self.key.exempted().is_some()
    }

    /// The 1-based line of the row.
    pub fn line(&self) -> u64 {
        self.row.line
    }

    /// Writes the `reason` sentence.
    pub fn write_reason<W: std::fmt::Write>(&self, out: &mut W) -> std::fmt::Result {
        self.key.verdict.write_reason(&self.batch.judge.checks, &self.batch.judge.policy, self.batch.judge.as_of, out)
    }

    /// The `reason` sentence.
    pub fn reason(&self) -> String {
        self.key.verdict.reason(&self.batch.judge.checks, &self.batch.judge.policy, self.batch.judge.as_of)
    }

    /// The owned [`SourcedFinding`]: the finding with its report's name.
    pub fn to_sourced(&self) -> SourcedFinding {
        SourcedFinding { source: self.source().to_owned(), finding: self.to_finding() }
    }

    /// The owned [`Finding`], the contract record, with its exemption.
    pub fn to_finding(&self) -> Finding {
        let arn = self.arn();
        let text = RowText {
            account_id: self.account_id(),
            user: self.user(),
            arn: &arn,
            is_root: self.row.is_root,
            region: self.last_used_region(),
            service: self.last_used_service(),
            line: self.row.line,
        };
        let judge = &self.batch.judge;
        let mut finding = self.key.verdict.to_finding(&text, &judge.checks, &judge.policy, judge.as_of);
        finding.exempted = self.exemption().map(ExemptionRule::as_exemption);
        finding
    }

    /// The owned exemption, as [`Finding::exempted`] holds it.
    pub fn exempted(&self) -> Option<Exemption> {
        self.exemption().map(ExemptionRule::as_exemption)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_compacted_batch_reads_the_same() {
        let csv = "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_region,access_key_2_active,access_key_2_last_rotated\n\
                   alice,arn:aws:iam::111122223333:user/alice,true,2026-01-01T00:00:00Z,eu-west-1,false,N/A\n\
                   \"smith, j\",arn:aws:iam::111122223333:user/smith,true,2026-11-01T00:00:00Z,N/A,true,2026-02-01T00:00:00Z\n\
                   bob,arn:aws:iam::444455556666:user/bob,maybe,2026-01-01T00:00:00Z,us-east-1,false,N/A\n";
        let mut options = crate::Options::at(crate::parse_timestamp("2026-11-26T00:00:00Z").expect("a timestamp"));
        options.lenient = true;
        let mut batches = Vec::new();
        crate::Run::new(&options)
            .report(csv.as_bytes(), |batch| {
                batches.push(batch);
                Ok::<(), Error>(())
            })
            .expect("judged");
        let [mut batch] = <[FindingBatch; 1]>::try_from(batches).expect("one batch");
        let before = batch.to_findings();
        assert_eq!(before.len(), 4);
        assert_eq!((before[1].user.as_str(), before[3].account_id.as_str()), ("smith, j", "444455556666"));
        let size = batch.text.len() + batch.checked.len();
        batch.compact();
        assert_eq!(batch.to_findings(), before);
        assert!(batch.checked.len() < size / 2, "{} of {size} bytes kept", batch.checked.len());
    }

    #[test]
    fn user_keys_ignore_case_and_only_case() {
        assert_eq!(user_key(b"Alice"), user_key(b"aLICE"));
        assert_eq!(user_key("Ärger".as_bytes()), user_key("äRGER".as_bytes()));
        let keys: std::collections::HashSet<u64> =
            (0..20_000).map(|i| user_key(format!("user-{i}").as_bytes())).collect();
        assert_eq!(keys.len(), 20_000);
    }
}
