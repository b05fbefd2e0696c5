//! The findings of an analysis as columns, the one place the binding keeps
//! them.
//!
//! A part of the table is built from the findings of one judged chunk, on
//! the thread that judged it ([`PartBuilder::of_chunk`], from the core's
//! borrowed [`keyrot::FindingRef`]s: no `Finding` and no `String` per key),
//! and the parts are kept as they are, in input order, in a [`FindingTable`]. A part's text columns (`user`, `arn`,
//! `reason`) are Arrow `large_string` buffers, moved into Python `bytes` by
//! the thread that merges the parts, a batch of parts at a time
//! ([`TableBuilder`]): they are made once and never copied again. From
//! there:
//!
//! - a `Finding` object reads each attribute from its part when asked;
//! - a DataFrame shares the text buffers (Arrow arrays are immutable) and
//!   gets its own copy of every other column, written without the GIL
//!   straight into the `bytearray` handed to numpy (see
//!   [`FindingTable::to_python`]);
//! - the JSON contract and the rotation plan get owned [`keyrot::Finding`]s
//!   rebuilt exactly (timestamps to the nanosecond, exemptions kept) when
//!   they are asked for.

use crate::columns::FastMap;
use chrono::Timelike;
use keyrot::{Exemption, Finding, FindingCode, FindingRef, LastUsed, Status, Timestamp};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyList, PyString, PyTuple};

/// A null in an `i64` column: NaT for numpy's times; masked for the ages.
/// No value of a column reaches it (chrono's dates span ±262,000 years).
const NULL: i64 = i64::MIN;
/// No value in a dictionary-encoded column.
const NONE: u32 = u32::MAX;
/// `used_since_rotation` unknown.
const UNKNOWN: u8 = 2;

/// `last_used_kind`, by its code: the categories of the column.
const LAST_USED_KINDS: [&str; 3] = ["used", "never", "no_information"];
/// `last_used` absent (the legacy layout).
const NO_KIND: u8 = u8::MAX;

/// The order of the finding columns: the JSON contract's fields, with
/// `last_used` split into a time and `last_used_kind`, and `source` first
/// for several reports.
const COLUMNS: [&str; 21] = [
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
    "last_used_kind",
    "last_used_region",
    "last_used_service",
    "used_since_rotation",
    "exempted",
    "reason",
    "code",
    "line",
];

/// The time columns, for the rare timestamp that microseconds do not hold
/// (kept aside so that rebuilt findings are exact).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TimeColumn {
    LastRotated,
    DueAt,
    LastUsed,
}

/// The text columns of a part, by their place in [`PartBuilder::text`] and
/// [`Part::text`].
const USER: usize = 0;
const ARN: usize = 1;
const REASON: usize = 2;

/// A text column while its part is built: the values' UTF-8 `data`, and
/// their offsets in it as Arrow's `large_string` holds them, little-endian
/// `i64`s starting with 0.
struct TextBuilder {
    offsets: Vec<u8>,
    data: String,
}

impl TextBuilder {
    fn with_capacity(n: usize, bytes_each: usize) -> TextBuilder {
        let mut offsets = Vec::with_capacity((n + 1) * 8);
        offsets.extend_from_slice(&0i64.to_le_bytes());
        TextBuilder { offsets, data: String::with_capacity(n * bytes_each) }
    }

    fn push(&mut self, text: &str) {
        self.data.push_str(text);
        self.end();
    }

    /// Ends the value written into `data` since the last one.
    fn end(&mut self) {
        self.offsets.extend_from_slice(&(self.data.len() as i64).to_le_bytes());
    }

    /// The buffers as Python `bytes`.
    fn finish(&self, py: Python<'_>) -> Texts {
        Texts {
            offsets: PyBytes::new(py, &self.offsets).unbind(),
            data: PyBytes::new(py, self.data.as_bytes()).unbind(),
        }
    }
}

/// A text column of a part: the buffers of [`TextBuilder`], in Python
/// `bytes`.
struct Texts {
    offsets: Py<PyBytes>,
    data: Py<PyBytes>,
}

impl Texts {
    /// The buffers, readable for as long as the part is, with or without
    /// the GIL (Python's `bytes` are immutable).
    fn slice<'a>(&'a self, py: Python<'_>) -> TextSlice<'a> {
        TextSlice { offsets: self.offsets.as_bytes(py), data: self.data.as_bytes(py) }
    }
}

/// The buffers of a text column, borrowed.
#[derive(Clone, Copy)]
struct TextSlice<'a> {
    offsets: &'a [u8],
    data: &'a [u8],
}

impl<'a> TextSlice<'a> {
    fn offset(self, j: usize) -> usize {
        self.offsets.get(j * 8..j * 8 + 8).and_then(|b| b.try_into().ok()).map_or(0, i64::from_le_bytes) as usize
    }

    /// Value `j` (the buffers were made from `str`s).
    fn get(self, j: usize) -> &'a str {
        let bytes = self.data.get(self.offset(j)..self.offset(j + 1)).unwrap_or_default();
        std::str::from_utf8(bytes).unwrap_or_default()
    }
}

/// The distinct values of a dictionary-encoded column, in order of first
/// appearance.
#[derive(Default)]
struct Dict {
    values: Vec<String>,
    /// Values of at most 16 bytes (account ids, regions, most services), by
    /// [`short_key`]: no string to hash or compare.
    short: FastMap<(u64, u64, u8), u32>,
    long: FastMap<String, u32>,
    /// The code given last, and its short key: runs of one value (an
    /// account's rows) skip the lookup.
    last: u32,
    last_key: Option<(u64, u64, u8)>,
}

/// A value of at most 16 bytes as a key that only it maps to: its length,
/// and two (perhaps overlapping) loads of its bytes, which with the length
/// give the bytes back.
fn short_key(value: &str) -> Option<(u64, u64, u8)> {
    let b = value.as_bytes();
    let n = b.len();
    let word = |at: usize, len: usize| -> u64 {
        let mut w = [0u8; 8];
        w[..len].copy_from_slice(&b[at..at + len]);
        u64::from_le_bytes(w)
    };
    let (lo, hi) = match n {
        8..=16 => (word(0, 8), word(n - 8, 8)),
        4..=7 => (word(0, 4), word(n - 4, 4)),
        1..=3 => (u64::from(b[0]) | u64::from(b[n / 2]) << 8 | u64::from(b[n - 1]) << 16, 0),
        0 => (0, 0),
        _ => return None,
    };
    Some((lo, hi, n as u8))
}

impl Dict {
    fn code(&mut self, value: &str) -> u32 {
        let next = u32::try_from(self.values.len()).unwrap_or(NONE - 1);
        let key = short_key(value);
        let code = match key {
            Some(key) if self.last_key == Some(key) => return self.last,
            Some(key) => *self.short.entry(key).or_insert(next),
            None if self.values.get(self.last as usize).is_some_and(|v| v == value) => return self.last,
            None => match self.long.get(value) {
                Some(&code) => code,
                None => *self.long.entry(value.to_owned()).or_insert(next),
            },
        };
        if code == next {
            self.values.push(value.to_owned());
        }
        (self.last, self.last_key) = (code, key);
        code
    }

    fn opt_code(&mut self, value: Option<&str>) -> u32 {
        value.map_or(NONE, |v| self.code(v))
    }

    fn get(&self, code: u32) -> Option<&str> {
        self.values.get(code as usize).map(String::as_str)
    }

    /// Adds the values of `other` (a part's), giving the codes they have
    /// here.
    fn absorb(&mut self, other: &Dict) -> Vec<u32> {
        other.values.iter().map(|value| self.code(value)).collect()
    }
}

/// Every column of a part but the text ones.
struct Values {
    len: usize,
    /// The report, by its code in the table's sources (`analyze_many`).
    source: Option<u32>,
    account: Vec<u32>,
    is_root: Vec<u8>,
    slot: Vec<u8>,
    status: Vec<Status>,
    active: Vec<u8>,
    /// Microseconds since the epoch, or `NULL`.
    last_rotated: Vec<i64>,
    age_days: Vec<i64>,
    due_at: Vec<i64>,
    days_until_due: Vec<i64>,
    last_used: Vec<i64>,
    last_used_kind: Vec<u8>,
    region: Vec<u32>,
    service: Vec<u32>,
    used_since_rotation: Vec<u8>,
    exempted: Vec<u8>,
    code: Vec<Option<FindingCode>>,
    line: Vec<u64>,
    accounts: Dict,
    regions: Dict,
    services: Dict,
    /// Timestamps that microseconds do not hold exactly (nanoseconds, a
    /// leap second), by finding and column. Almost always empty.
    fine: Vec<(u32, TimeColumn, Timestamp)>,
    /// The exemption in force matching a finding, by finding (in order)
    /// and its code in the table's exemptions.
    exemptions: Vec<(u32, u32)>,
    /// The table's codes for this part's accounts, regions and services.
    global: [Vec<u32>; 3],
}

fn micros(ts: Option<Timestamp>) -> i64 {
    ts.map_or(NULL, |t| t.timestamp_micros())
}

/// A status's place in `Status::ALL`: its code in the `status` column.
fn status_code(status: Status) -> Option<u32> {
    Status::ALL.iter().position(|s| *s == status).map(|i| i as u32)
}

impl Values {
    fn with_capacity(n: usize) -> Values {
        Values {
            len: 0,
            source: None,
            account: Vec::with_capacity(n),
            is_root: Vec::with_capacity(n),
            slot: Vec::with_capacity(n),
            status: Vec::with_capacity(n),
            active: Vec::with_capacity(n),
            last_rotated: Vec::with_capacity(n),
            age_days: Vec::with_capacity(n),
            due_at: Vec::with_capacity(n),
            days_until_due: Vec::with_capacity(n),
            last_used: Vec::with_capacity(n),
            last_used_kind: Vec::with_capacity(n),
            region: Vec::with_capacity(n),
            service: Vec::with_capacity(n),
            used_since_rotation: Vec::with_capacity(n),
            exempted: Vec::with_capacity(n),
            code: Vec::with_capacity(n),
            line: Vec::with_capacity(n),
            accounts: Dict::default(),
            regions: Dict::default(),
            services: Dict::default(),
            fine: Vec::new(),
            exemptions: Vec::new(),
            global: [Vec::new(), Vec::new(), Vec::new()],
        }
    }

    fn push(&mut self, f: &FindingRef<'_>, exemption: Option<u32>) {
        let j = self.len as u32;
        self.account.push(self.accounts.code(f.account_id()));
        self.is_root.push(u8::from(f.is_root()));
        self.slot.push(f.slot());
        self.status.push(f.status());
        self.active.push(u8::from(f.active()));
        let (used_at, kind) = match f.last_used() {
            None => (None, NO_KIND),
            Some(LastUsed::At(t)) => (Some(t), 0),
            Some(LastUsed::Never) => (None, 1),
            Some(LastUsed::NoInformation) => (None, 2),
        };
        for (column, ts) in [
            (TimeColumn::LastRotated, f.last_rotated()),
            (TimeColumn::DueAt, f.due_at()),
            (TimeColumn::LastUsed, used_at),
        ] {
            if let Some(t) = ts.filter(|t| t.timestamp_subsec_nanos() % 1000 != 0 || t.nanosecond() >= 1_000_000_000) {
                self.fine.push((j, column, t));
            }
            match column {
                TimeColumn::LastRotated => self.last_rotated.push(micros(ts)),
                TimeColumn::DueAt => self.due_at.push(micros(ts)),
                TimeColumn::LastUsed => self.last_used.push(micros(ts)),
            }
        }
        self.age_days.push(f.age_days().unwrap_or(NULL));
        self.days_until_due.push(f.days_until_due().unwrap_or(NULL));
        self.last_used_kind.push(kind);
        self.region.push(self.regions.opt_code(f.last_used_region()));
        self.service.push(self.services.opt_code(f.last_used_service()));
        self.used_since_rotation.push(f.used_since_rotation().map_or(UNKNOWN, u8::from));
        self.exempted.push(u8::from(exemption.is_some()));
        if let Some(code) = exemption {
            self.exemptions.push((j, code));
        }
        self.code.push(f.code());
        self.line.push(f.line());
        self.len += 1;
    }

    fn time(&self, column: TimeColumn, j: usize) -> Option<Timestamp> {
        let values = match column {
            TimeColumn::LastRotated => &self.last_rotated,
            TimeColumn::DueAt => &self.due_at,
            TimeColumn::LastUsed => &self.last_used,
        };
        let micros = values[j];
        if micros == NULL {
            return None;
        }
        // `fine` is in the order of the findings.
        let from = self.fine.partition_point(|(at, _, _)| (*at as usize) < j);
        let exact = self.fine[from..].iter().take_while(|(at, _, _)| *at as usize == j).find(|(_, c, _)| *c == column);
        match exact {
            Some(&(_, _, exact)) => Some(exact),
            None => Timestamp::from_timestamp_micros(micros),
        }
    }
}

/// The findings of one chunk (or, for `analyze_many`, of a run of one
/// report's findings) while they are made into columns, without the GIL.
pub(crate) struct PartBuilder {
    values: Values,
    text: [TextBuilder; 3],
}

impl PartBuilder {
    /// An empty part for about `n` findings.
    fn with_capacity(n: usize) -> PartBuilder {
        PartBuilder {
            values: Values::with_capacity(n),
            text: [
                TextBuilder::with_capacity(n, 24),
                TextBuilder::with_capacity(n, 64),
                TextBuilder::with_capacity(n, 80),
            ],
        }
    }

    /// The findings of a judged batch (their exemptions get their codes in
    /// the table on the merging thread: see [`PartBuilder::exempt`]).
    pub(crate) fn of_batch(batch: &keyrot::FindingBatch) -> PartBuilder {
        let mut part = PartBuilder::with_capacity(batch.len());
        for finding in batch.findings() {
            part.push(&finding, None);
        }
        part
    }

    /// Names the report the part's findings are from (`analyze_many`).
    pub(crate) fn set_source(&mut self, code: u32) {
        self.values.source = Some(code);
    }

    /// Appends a finding, with the code of its exemption (see
    /// [`TableBuilder::exemption_code`]) when it has one.
    fn push(&mut self, f: &FindingRef<'_>, exemption: Option<u32>) {
        self.values.push(f, exemption);
        self.text[USER].push(f.user());
        self.text[ARN].push(f.arn());
        // Writing into a String cannot fail.
        let _ = f.write_reason(&mut self.text[REASON].data);
        self.text[REASON].end();
    }

    /// Records the exemption of finding `j` (known once the analyzer has
    /// absorbed the chunk; findings are exempted in order), by its code in
    /// the table (see [`TableBuilder::exemption_code`]).
    pub(crate) fn exempt(&mut self, j: usize, exemption: u32) {
        if let Some(flag) = self.values.exempted.get_mut(j) {
            *flag = 1;
            self.values.exemptions.push((j as u32, exemption));
        }
    }

    /// The part, its text moved into Python `bytes` (the one copy of it
    /// kept: DataFrames share it).
    fn finish(self, py: Python<'_>) -> Part {
        let [user, arn, reason] = &self.text;
        Part { values: self.values, text: [user.finish(py), arn.finish(py), reason.finish(py)] }
    }
}

/// The findings of one chunk (or, for `analyze_many`, of a run of one
/// report's findings), column by column.
pub(crate) struct Part {
    values: Values,
    text: [Texts; 3],
}

impl Part {
    /// The part with its text buffers read out (under the GIL, once).
    fn view<'t>(&'t self, py: Python<'_>) -> PartView<'t> {
        let [user, arn, reason] = &self.text;
        PartView { values: &self.values, text: [user.slice(py), arn.slice(py), reason.slice(py)] }
    }
}

/// A part with its text buffers borrowed: what an [`Entry`] reads, with or
/// without the GIL.
#[derive(Clone, Copy)]
struct PartView<'t> {
    values: &'t Values,
    text: [TextSlice<'t>; 3],
}

fn opt_int(value: i64) -> Option<i64> {
    (value != NULL).then_some(value)
}

/// The codes a part's dictionary column has in the table: `which` of its
/// `global` codes.
fn global(which: usize, local: fn(&Part) -> &Vec<u32>) -> impl Fn(&Part, usize) -> Option<u32> + Sync {
    move |p, j| match local(p)[j] {
        NONE => None,
        c => p.values.global[which].get(c as usize).copied(),
    }
}

/// One finding of a [`FindingTable`]: its part and its place there.
#[derive(Clone, Copy)]
pub(crate) struct Entry<'t> {
    table: &'t FindingTable,
    part: PartView<'t>,
    j: usize,
}

/// The finding's fields, as `keyrot::Finding` has them (see there).
impl<'t> Entry<'t> {
    pub(crate) fn source(self) -> Option<&'t str> {
        let code = self.part.values.source?;
        self.table.sources.get(code)
    }

    pub(crate) fn account_id(self) -> &'t str {
        let v = self.part.values;
        v.accounts.get(v.account[self.j]).unwrap_or_default()
    }

    pub(crate) fn user(self) -> &'t str {
        self.part.text[USER].get(self.j)
    }

    pub(crate) fn arn(self) -> &'t str {
        self.part.text[ARN].get(self.j)
    }

    pub(crate) fn is_root(self) -> bool {
        self.part.values.is_root[self.j] != 0
    }

    pub(crate) fn slot(self) -> u8 {
        self.part.values.slot[self.j]
    }

    pub(crate) fn status(self) -> Status {
        self.part.values.status[self.j]
    }

    pub(crate) fn active(self) -> bool {
        self.part.values.active[self.j] != 0
    }

    pub(crate) fn last_rotated(self) -> Option<Timestamp> {
        self.part.values.time(TimeColumn::LastRotated, self.j)
    }

    pub(crate) fn age_days(self) -> Option<i64> {
        opt_int(self.part.values.age_days[self.j])
    }

    pub(crate) fn due_at(self) -> Option<Timestamp> {
        self.part.values.time(TimeColumn::DueAt, self.j)
    }

    pub(crate) fn days_until_due(self) -> Option<i64> {
        opt_int(self.part.values.days_until_due[self.j])
    }

    pub(crate) fn last_used(self) -> Option<LastUsed> {
        match self.part.values.last_used_kind[self.j] {
            0 => self.part.values.time(TimeColumn::LastUsed, self.j).map(LastUsed::At),
            1 => Some(LastUsed::Never),
            2 => Some(LastUsed::NoInformation),
            _ => None,
        }
    }

    pub(crate) fn last_used_region(self) -> Option<&'t str> {
        let v = self.part.values;
        v.regions.get(v.region[self.j])
    }

    pub(crate) fn last_used_service(self) -> Option<&'t str> {
        let v = self.part.values;
        v.services.get(v.service[self.j])
    }

    pub(crate) fn used_since_rotation(self) -> Option<bool> {
        match self.part.values.used_since_rotation[self.j] {
            UNKNOWN => None,
            b => Some(b != 0),
        }
    }

    pub(crate) fn exempted(self) -> Option<&'t Exemption> {
        let v = self.part.values;
        if v.exempted[self.j] == 0 {
            return None;
        }
        let at = v.exemptions.binary_search_by_key(&(self.j as u32), |(k, _)| *k).ok()?;
        self.table.exemptions.get(v.exemptions[at].1 as usize)
    }

    pub(crate) fn reason(self) -> &'t str {
        self.part.text[REASON].get(self.j)
    }

    pub(crate) fn code(self) -> Option<FindingCode> {
        self.part.values.code[self.j]
    }

    pub(crate) fn line(self) -> u64 {
        self.part.values.line[self.j]
    }

    /// The core's owned finding, as the core made it.
    pub(crate) fn to_finding(self) -> Finding {
        Finding {
            account_id: self.account_id().to_owned(),
            user: self.user().to_owned(),
            arn: self.arn().to_owned(),
            is_root: self.is_root(),
            slot: self.slot(),
            status: self.status(),
            active: self.active(),
            last_rotated: self.last_rotated(),
            age_days: self.age_days(),
            due_at: self.due_at(),
            days_until_due: self.days_until_due(),
            last_used: self.last_used(),
            last_used_region: self.last_used_region().map(str::to_owned),
            last_used_service: self.last_used_service().map(str::to_owned),
            used_since_rotation: self.used_since_rotation(),
            exempted: self.exempted().cloned(),
            reason: self.reason().to_owned(),
            code: self.code(),
            line: self.line(),
        }
    }
}

/// Every finding of an analysis, as columns kept in parts (see the module
/// documentation).
#[derive(Default)]
pub(crate) struct FindingTable {
    parts: Vec<Part>,
    /// The index of each part's first finding.
    starts: Vec<usize>,
    len: usize,
    accounts: Dict,
    regions: Dict,
    services: Dict,
    /// The codes present, in order of first appearance.
    codes: Vec<FindingCode>,
    /// The reports' names (`analyze_many`).
    sources: Dict,
    /// The exemptions that matched findings, each once.
    exemptions: Vec<Exemption>,
    /// Whether the findings come from several reports (a `source` column).
    many: bool,
}

impl FindingTable {
    /// The number of findings.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Finding `i`, if there is one.
    pub(crate) fn entry(&self, py: Python<'_>, i: usize) -> Option<Entry<'_>> {
        if i >= self.len {
            return None;
        }
        let k = self.starts.partition_point(|&start| start <= i) - 1;
        Some(Entry { table: self, part: self.parts[k].view(py), j: i - self.starts[k] })
    }

    /// The table with every part's text buffers read out: readable without
    /// the GIL.
    pub(crate) fn view(&self, py: Python<'_>) -> TableView<'_> {
        TableView { table: self, parts: self.parts.iter().map(|p| p.view(py)).collect() }
    }

    /// The indexes of the findings whose status is one of `statuses`.
    pub(crate) fn with_status<'a>(&'a self, statuses: &'a [Status]) -> impl Iterator<Item = usize> + 'a {
        self.parts.iter().zip(&self.starts).flat_map(move |(part, &start)| {
            let statuses_of = part.values.status.iter().enumerate();
            statuses_of.filter(|(_, s)| statuses.contains(s)).map(move |(j, _)| start + j)
        })
    }

    /// The columns as `(name, kind, payload)` tuples, in the format of
    /// [`crate::columns::to_python`]: numbers in `bytearray`s filled without
    /// the GIL (so that numpy arrays over them are writable, and each
    /// DataFrame has its own); text as one Arrow chunk per part, the
    /// part's own `bytes` (shared: Arrow arrays are immutable), or as lists
    /// of `str` with `text_lists`.
    pub(crate) fn to_python<'py>(&self, py: Python<'py>, text_lists: bool) -> PyResult<Bound<'py, PyList>> {
        let statuses: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
        let codes: Vec<&str> = self.codes.iter().map(|c| c.as_str()).collect();
        let code_of = |c: &FindingCode| self.codes.iter().position(|k| k == c).map(|i| i as u32);
        let out = PyList::empty(py);
        for name in COLUMNS {
            let (kind, payload) = match name {
                "source" if !self.many => continue,
                "source" => self.category(py, |p, _| p.values.source, &self.sources.values, false, false)?,
                "account_id" => {
                    self.category(py, global(0, |p| &p.values.account), &self.accounts.values, false, false)?
                }
                "last_used_region" => {
                    self.category(py, global(1, |p| &p.values.region), &self.regions.values, false, false)?
                }
                "last_used_service" => {
                    self.category(py, global(2, |p| &p.values.service), &self.services.values, false, false)?
                }
                "status" => self.category(py, |p, j| status_code(p.values.status[j]), &statuses, true, true)?,
                "last_used_kind" => {
                    let kind =
                        |p: &Part, j: usize| Some(p.values.last_used_kind[j]).filter(|&k| k != NO_KIND).map(u32::from);
                    self.category(py, kind, &LAST_USED_KINDS, true, false)?
                }
                "code" => {
                    self.category(py, |p, j| p.values.code[j].as_ref().and_then(code_of), &codes, false, false)?
                }
                "user" => self.text(py, USER, text_lists)?,
                "arn" => self.text(py, ARN, text_lists)?,
                "reason" => self.text(py, REASON, text_lists)?,
                "is_root" => self.flags(py, |p| &p.values.is_root, false)?,
                "active" => self.flags(py, |p| &p.values.active, false)?,
                "exempted" => self.flags(py, |p| &p.values.exempted, false)?,
                "used_since_rotation" => self.flags(py, |p| &p.values.used_since_rotation, true)?,
                "slot" => self.slots(py)?,
                "line" => self.ints(py, |p, j| i64::try_from(p.values.line[j]).unwrap_or(i64::MAX), false)?,
                "age_days" => self.ints(py, |p, j| p.values.age_days[j], true)?,
                "days_until_due" => self.ints(py, |p, j| p.values.days_until_due[j], true)?,
                "last_rotated" => self.times(py, |p| &p.values.last_rotated)?,
                "due_at" => self.times(py, |p| &p.values.due_at)?,
                "last_used" => self.times(py, |p| &p.values.last_used)?,
                _ => continue,
            };
            out.append((name, kind, payload))?;
        }
        Ok(out)
    }

    /// A `bytearray` of `len` bytes, filled by `fill` without the GIL.
    fn filled<'py, F>(py: Python<'py>, len: usize, fill: F) -> PyResult<Bound<'py, PyAny>>
    where
        F: FnOnce(&mut [u8]) + Send,
    {
        Ok(PyByteArray::new_with(py, len, |buf| {
            py.detach(|| fill(buf));
            Ok(())
        })?
        .into_any())
    }

    /// Fills `buf`, `width` bytes a finding, with `write(part, j, bytes)`.
    fn fill_each<F>(&self, buf: &mut [u8], width: usize, write: F)
    where
        F: Fn(&Part, usize, &mut [u8]),
    {
        let mut out = buf.chunks_exact_mut(width);
        for p in &self.parts {
            for (j, slot) in (0..p.values.len).zip(&mut out) {
                write(p, j, slot);
            }
        }
    }

    /// The null mask of a column, one byte a value, 1 for null; `None` when
    /// nothing is null.
    fn nulls<'py, F>(&self, py: Python<'py>, is_null: F) -> PyResult<Bound<'py, PyAny>>
    where
        F: Fn(&Part, usize) -> bool + Sync,
    {
        if !self.parts.iter().any(|p| (0..p.values.len).any(|j| is_null(p, j))) {
            return Ok(py.None().into_bound(py));
        }
        Self::filled(py, self.len, |buf| self.fill_each(buf, 1, |p, j, b| b[0] = u8::from(is_null(p, j))))
    }

    fn tuple<'py, const N: usize>(py: Python<'py>, items: [Bound<'py, PyAny>; N]) -> PyResult<Bound<'py, PyAny>> {
        Ok(PyTuple::new(py, items)?.into_any())
    }

    fn flag(py: Python<'_>, value: bool) -> Bound<'_, PyAny> {
        PyBool::new(py, value).to_owned().into_any()
    }

    fn int(py: Python<'_>, value: usize) -> PyResult<Bound<'_, PyAny>> {
        Ok(value.into_pyobject(py)?.into_any())
    }

    /// A dictionary-encoded column: codes (`-1` for null) into `categories`,
    /// as narrow as the number of categories allows (pandas would narrow
    /// them anyway); `fixed` when every possible category is listed.
    fn category<'py, F>(
        &self,
        py: Python<'py>,
        code: F,
        categories: &[impl AsRef<str>],
        fixed: bool,
        ordered: bool,
    ) -> PyResult<(&'static str, Bound<'py, PyAny>)>
    where
        F: Fn(&Part, usize) -> Option<u32> + Sync,
    {
        let width = crate::columns::code_width(categories.len());
        let codes = Self::filled(py, self.len * width, |buf| {
            self.fill_each(buf, width, |p, j, out| {
                let c = code(p, j).map_or(-1, i64::from);
                out.copy_from_slice(&c.to_le_bytes()[..width]);
            });
        })?;
        let names = PyList::new(py, categories.iter().map(AsRef::as_ref))?.into_any();
        let items = [codes, names, Self::flag(py, fixed), Self::flag(py, ordered), Self::int(py, width)?];
        Ok(("category", Self::tuple(py, items)?))
    }

    /// A boolean column (one byte a value); a `nullable` one holds
    /// `UNKNOWN` for null.
    fn flags<'py>(
        &self,
        py: Python<'py>,
        values: fn(&Part) -> &Vec<u8>,
        nullable: bool,
    ) -> PyResult<(&'static str, Bound<'py, PyAny>)> {
        let data = Self::filled(py, self.len, |buf| {
            let mut at = 0;
            for p in &self.parts {
                let v = values(p);
                let out = &mut buf[at..at + v.len()];
                if nullable {
                    for (o, &b) in out.iter_mut().zip(v) {
                        *o = u8::from(b == 1);
                    }
                } else {
                    out.copy_from_slice(v);
                }
                at += v.len();
            }
        })?;
        let nulls = if nullable { self.nulls(py, |p, j| values(p)[j] == UNKNOWN)? } else { py.None().into_bound(py) };
        Ok(("bool", Self::tuple(py, [data, nulls, Self::flag(py, nullable)])?))
    }

    /// The slots, one byte each (numpy's `int8`).
    fn slots<'py>(&self, py: Python<'py>) -> PyResult<(&'static str, Bound<'py, PyAny>)> {
        let data = Self::filled(py, self.len, |buf| {
            let mut at = 0;
            for p in &self.parts {
                buf[at..at + p.values.len].copy_from_slice(&p.values.slot);
                at += p.values.len;
            }
        })?;
        Ok(("int", Self::tuple(py, [data, py.None().into_bound(py), Self::flag(py, false), Self::int(py, 1)?])?))
    }

    /// An `i64` column; a `nullable` one holds `NULL` for null (0 in the
    /// buffer, under the mask).
    fn ints<'py, F>(&self, py: Python<'py>, value: F, nullable: bool) -> PyResult<(&'static str, Bound<'py, PyAny>)>
    where
        F: Fn(&Part, usize) -> i64 + Sync,
    {
        let data = Self::filled(py, self.len * 8, |buf| {
            self.fill_each(buf, 8, |p, j, out| {
                let v = value(p, j);
                let v = if nullable && v == NULL { 0 } else { v };
                out.copy_from_slice(&v.to_le_bytes());
            });
        })?;
        let nulls = if nullable { self.nulls(py, |p, j| value(p, j) == NULL)? } else { py.None().into_bound(py) };
        Ok(("int", Self::tuple(py, [data, nulls, Self::flag(py, nullable), Self::int(py, 8)?])?))
    }

    /// Microseconds since the epoch as `i64`, `NULL` (numpy's NaT) for null.
    fn times<'py>(
        &self,
        py: Python<'py>,
        values: fn(&Part) -> &Vec<i64>,
    ) -> PyResult<(&'static str, Bound<'py, PyAny>)> {
        let data = Self::filled(py, self.len * 8, |buf| {
            self.fill_each(buf, 8, |p, j, out| out.copy_from_slice(&values(p)[j].to_le_bytes()));
        })?;
        let nulls = self.nulls(py, |p, j| values(p)[j] == NULL)?;
        Ok(("time", Self::tuple(py, [data, nulls, Self::flag(py, true)])?))
    }

    /// A text column: the Arrow `large_string` buffers of each part, shared
    /// (they are immutable), or a list of `str` (a value equal to the one
    /// before it, a user's second key, shares its object).
    fn text<'py>(&self, py: Python<'py>, column: usize, lists: bool) -> PyResult<(&'static str, Bound<'py, PyAny>)> {
        if lists {
            let list = PyList::empty(py);
            let mut previous: Option<(&str, Bound<'py, PyString>)> = None;
            for p in &self.parts {
                let t = p.text[column].slice(py);
                for j in 0..p.values.len {
                    let value = t.get(j);
                    let item = match &previous {
                        Some((text, object)) if *text == value => object.clone(),
                        _ => PyString::new(py, value),
                    };
                    list.append(&item)?;
                    previous = Some((value, item));
                }
            }
            return Ok(("text_list", list.into_any()));
        }
        let chunks = PyList::empty(py);
        for p in &self.parts {
            let t = &p.text[column];
            chunks.append((t.offsets.clone_ref(py), t.data.clone_ref(py)))?;
        }
        Ok(("text", chunks.into_any()))
    }
}

/// A [`FindingTable`] being built, part by part in input order, without the
/// GIL. The text of the parts goes into Python `bytes` [`TableBuilder::BATCH`]
/// parts at a time, so the GIL is taken a few times per report (when
/// another Python thread is busy, each time can wait for its switch
/// interval), never by the threads that judge.
pub(crate) struct TableBuilder {
    table: FindingTable,
    pending: Vec<PartBuilder>,
}

impl TableBuilder {
    /// How many parts (about 1 MiB of input each) wait to have their text
    /// moved into Python together.
    const BATCH: usize = 16;

    /// An empty table; `many` for the findings of several reports.
    pub(crate) fn new(many: bool) -> TableBuilder {
        TableBuilder { table: FindingTable { many, ..FindingTable::default() }, pending: Vec::new() }
    }

    /// Appends a part's findings after the others.
    pub(crate) fn push(&mut self, mut part: PartBuilder) {
        let (table, v) = (&mut self.table, &mut part.values);
        if v.len == 0 {
            return;
        }
        v.global =
            [table.accounts.absorb(&v.accounts), table.regions.absorb(&v.regions), table.services.absorb(&v.services)];
        for code in v.code.iter().flatten() {
            if !table.codes.contains(code) {
                table.codes.push(*code);
            }
        }
        table.starts.push(table.len);
        table.len += v.len;
        self.pending.push(part);
        if self.pending.len() >= Self::BATCH {
            self.flush();
        }
    }

    /// Moves the text of the pending parts into Python, taking the GIL once.
    fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let pending = std::mem::take(&mut self.pending);
        let parts: Vec<Part> = Python::attach(|py| pending.into_iter().map(|p| p.finish(py)).collect());
        self.table.parts.extend(parts);
    }

    /// The code of an exemption in the table's exemptions: findings that one
    /// exemption matches share one copy of it.
    /// The code of a report's name in the table's sources.
    pub(crate) fn source_code(&mut self, name: &str) -> u32 {
        self.table.sources.code(name)
    }

    pub(crate) fn exemption_code(&mut self, exemption: &Exemption) -> u32 {
        let exemptions = &mut self.table.exemptions;
        // Exempted keys come in runs of one entry (an account, a user
        // pattern): the last one first.
        let at = exemptions.iter().rposition(|e| e == exemption).unwrap_or_else(|| {
            exemptions.push(exemption.clone());
            exemptions.len() - 1
        });
        u32::try_from(at).unwrap_or(u32::MAX)
    }

    /// The table, every part's text in Python.
    pub(crate) fn finish(mut self) -> FindingTable {
        self.flush();
        self.table
    }
}

/// A [`FindingTable`] with every part's text buffers borrowed (read out
/// under the GIL once): readable without the GIL.
pub(crate) struct TableView<'t> {
    table: &'t FindingTable,
    parts: Vec<PartView<'t>>,
}

impl<'t> TableView<'t> {
    /// Every finding, in order.
    fn entries(&self) -> impl Iterator<Item = Entry<'t>> + '_ {
        let table = self.table;
        self.parts.iter().flat_map(move |&part| (0..part.values.len).map(move |j| Entry { table, part, j }))
    }

    /// The core's owned findings, rebuilt.
    pub(crate) fn findings(&self) -> Vec<Finding> {
        self.entries().map(Entry::to_finding).collect()
    }

    /// The core's owned findings with their reports (`analyze_many`).
    pub(crate) fn sourced_findings(&self) -> Vec<keyrot::SourcedFinding> {
        let sourced = |e: Entry<'_>| keyrot::SourcedFinding {
            source: e.source().unwrap_or_default().to_owned(),
            finding: e.to_finding(),
        };
        self.entries().map(sourced).collect()
    }
}
