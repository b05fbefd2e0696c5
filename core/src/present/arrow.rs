//! Arrow record batches: findings, parsed rows, plan steps and diff changes
//! as columns (the cargo feature `arrow`).
//!
//! A presentation of the core's results, like [`CsvWriter`](crate::CsvWriter):
//! [`finding_batch`] turns one [`FindingBatch`] into one [`RecordBatch`], so
//! that a program can stream a report's findings into Arrow as they are
//! judged, or hand them through the Arrow C stream interface to pandas,
//! polars, DuckDB or pyarrow (the Python binding does). Each function's schema
//! does not depend on the data; the `*_schema` functions give it for no rows.
//!
//! The findings' columns are the JSON contract's fields, typed, with
//! `last_used` split in two:
//!
//! | column | Arrow type | null when |
//! |---|---|---|
//! | `source` (only with `with_source`) | dictionary (int32 → utf8) | never |
//! | `account_id` | dictionary (int32 → utf8) | never (empty when the ARN has none) |
//! | `user`, `arn` | large_utf8 | never |
//! | `is_root` | bool | never |
//! | `slot` | int8 (1 or 2) | a check about the user, not a key |
//! | `status` | dictionary (int8 → utf8), ordered, every [`Status::ALL`] in order | never |
//! | `active` | bool | never |
//! | `last_rotated`, `due_at` | timestamp (µs, `UTC`) | unknown |
//! | `age_days`, `days_until_due` | int64 | unknown |
//! | `last_used` | timestamp (µs, `UTC`) | not a time of use |
//! | `last_used_kind` | dictionary (int8 → utf8): `used`, `never`, `no_information` | legacy layout |
//! | `last_used_region`, `last_used_service` | dictionary (int32 → utf8) | `N/A` |
//! | `used_since_rotation` | bool | unknown |
//! | `exempted` | bool (an exemption in force matched) | never |
//! | `reason` | large_utf8 | never |
//! | `code` | dictionary (int32 → utf8) | status is not `invalid` |
//! | `line` | int64 | never |
//! | `rule` | dictionary (int8 → utf8), every [`Rule::ALL`](crate::judge::cis::Rule::ALL) id in order | never |
//! | `cis` | dictionary (int32 → utf8): the rule's number in the run's CIS version | that version has none |
//! | `severity` | dictionary (int8 → utf8), ordered, every [`Severity::ALL`](crate::cis::Severity::ALL) in order (`critical` first) | never |
//!
//! Timestamps hold whole microseconds (floored; AWS writes whole seconds).
//! A dictionary column whose field metadata has [`ENUM_KEY`] holds every
//! value it can take, in the contract's order, in each batch's dictionary,
//! and the metadata lists them (a consumer may read the column as an
//! enumeration: polars' `Enum`).
//!
//! ```
//! use keyrot::{Options, Run, parse_timestamp};
//! let csv = "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n\
//!            alice,arn:aws:iam::111122223333:user/alice,true,2026-01-01T00:00:00Z,false,2025-06-01T00:00:00Z\n";
//! let options = Options::at(parse_timestamp("2026-11-26T00:00:00Z").unwrap());
//! let mut batches = Vec::new();
//! Run::new(&options).report(csv.as_bytes(), |batch| {
//!     batches.push(keyrot::arrow::finding_batch(&batch, false).expect("a record batch"));
//!     Ok::<(), keyrot::Error>(())
//! })?;
//! assert_eq!(batches[0].num_rows(), 2);
//! assert_eq!(batches[0].schema(), keyrot::arrow::finding_schema(false));
//! # Ok::<(), keyrot::Error>(())
//! ```

use crate::drive::many::ManyAnalysis;
use crate::drive::run::{ReportEvent, Run};
use crate::error::{Error, ErrorCode};
use crate::input::report::Row;
use crate::input::value::{Field as Cell, Timestamp};
use crate::judge::batch::{FindingBatch, FindingRef};
use crate::judge::cis::Severity;
use crate::judge::rule::{FindingCode, LastUsed, Status};
use crate::plan::diff::{Change, ChangeCode, Diff};
use crate::plan::steps::{Plan, PlanKey, StepCode};
use arrow_array::builder::{
    BooleanBuilder, Int32Builder, Int64Builder, Int8Builder, LargeStringBuilder, TimestampMicrosecondBuilder,
};
use arrow_array::types::{Int32Type, Int8Type};
use arrow_array::{Array, ArrayRef, DictionaryArray, RecordBatch, StringArray};
use arrow_schema::{ArrowError, Field, Schema, SchemaRef};
use std::collections::HashMap;
use std::sync::Arc;

pub use arrow_array;
pub use arrow_schema;

/// The field metadata key that marks a dictionary column holding every
/// value it can take, in order; its value lists them, joined by `,` (no
/// value holds one).
pub const ENUM_KEY: &str = "keyrot.enum";

/// The kinds of [`LastUsed`], as the `last_used_kind` column names them.
pub const LAST_USED_KINDS: [&str; 3] = ["used", "never", "no_information"];

/// The columns of one record batch while it is built.
struct Columns {
    fields: Vec<Field>,
    arrays: Vec<ArrayRef>,
}

impl Columns {
    /// The columns that say whose a row is, first in both tables: `source`
    /// (when given), `account_id`, `user`, `arn`, `is_root`.
    fn of_subject(
        source: Option<Category<'_>>,
        account_id: Category<'_>,
        user: LargeStringBuilder,
        arn: LargeStringBuilder,
        is_root: BooleanBuilder,
    ) -> Result<Columns, ArrowError> {
        let mut c = Columns::new();
        if let Some(source) = source {
            c.category("source", false, source)?;
        }
        c.category("account_id", false, account_id)?;
        c.text("user", user);
        c.text("arn", arn);
        c.bool("is_root", false, is_root);
        Ok(c)
    }

    fn new() -> Columns {
        Columns { fields: Vec::with_capacity(26), arrays: Vec::with_capacity(26) }
    }

    fn push(&mut self, name: &str, nullable: bool, array: ArrayRef) {
        self.fields.push(Field::new(name, array.data_type().clone(), nullable));
        self.arrays.push(array);
    }

    fn text(&mut self, name: &str, mut builder: LargeStringBuilder) {
        self.push(name, false, Arc::new(builder.finish()));
    }

    fn bool(&mut self, name: &str, nullable: bool, mut builder: BooleanBuilder) {
        self.push(name, nullable, Arc::new(builder.finish()));
    }

    fn int(&mut self, name: &str, nullable: bool, mut builder: Int64Builder) {
        self.push(name, nullable, Arc::new(builder.finish()));
    }

    fn slot(&mut self, name: &str, nullable: bool, mut builder: Int8Builder) {
        self.push(name, nullable, Arc::new(builder.finish()));
    }

    fn time(&mut self, name: &str, mut builder: TimestampMicrosecondBuilder) {
        self.push(name, true, Arc::new(builder.finish().with_timezone("UTC")));
    }

    fn category(&mut self, name: &str, nullable: bool, builder: Category<'_>) -> Result<(), ArrowError> {
        self.push(name, nullable, Arc::new(builder.finish()?));
        Ok(())
    }

    fn enumeration(&mut self, name: &str, nullable: bool, column: Enum) -> Result<(), ArrowError> {
        let Enum { values, ordered, mut keys } = column;
        let array = DictionaryArray::<Int8Type>::try_new(keys.finish(), Arc::new(StringArray::from(values.to_vec())))?;
        let metadata = HashMap::from([(ENUM_KEY.to_owned(), values.join(","))]);
        self.fields.push(
            Field::new(name, array.data_type().clone(), nullable).with_dict_is_ordered(ordered).with_metadata(metadata),
        );
        self.arrays.push(Arc::new(array));
        Ok(())
    }

    fn finish(self) -> Result<RecordBatch, ArrowError> {
        RecordBatch::try_new(Arc::new(Schema::new(self.fields)), self.arrays)
    }
}

/// A dictionary column of a fixed list of values.
struct Enum {
    values: &'static [&'static str],
    ordered: bool,
    keys: Int8Builder,
}

impl Enum {
    fn new(values: &'static [&'static str], ordered: bool, n: usize) -> Enum {
        Enum { values, ordered, keys: Int8Builder::with_capacity(n) }
    }

    /// Appends `value`, which must be one of the values (else a null).
    fn push(&mut self, value: Option<&str>) {
        let key = value.and_then(|v| self.values.iter().position(|x| *x == v));
        self.keys.append_option(key.and_then(|k| i8::try_from(k).ok()));
    }

    /// Appends the value at `index` in the values.
    fn push_index(&mut self, index: usize) {
        self.keys.append_option(i8::try_from(index).ok().filter(|_| index < self.values.len()));
    }
}

fn text(n: usize, bytes_each: usize) -> LargeStringBuilder {
    LargeStringBuilder::with_capacity(n, n * bytes_each)
}

/// A dictionary column of text with few distinct values, mostly repeated
/// from one row to the next (an account id, a region, a service): each
/// value is looked up in the last one, then the few seen, then a map.
struct Category<'a> {
    keys: Int32Builder,
    values: Vec<&'a str>,
    index: HashMap<&'a str, i32>,
    last: Option<(&'a str, i32)>,
}

impl<'a> Category<'a> {
    fn append_value(&mut self, value: &'a str) {
        let key = match self.last {
            Some((last, key)) if last == value => key,
            _ => {
                let found = if self.values.len() <= 16 {
                    self.values.iter().position(|v| *v == value).map(|i| i as i32)
                } else {
                    self.index.get(value).copied()
                };
                let key = found.unwrap_or_else(|| {
                    let key = self.values.len() as i32;
                    self.values.push(value);
                    self.index.insert(value, key);
                    key
                });
                self.last = Some((value, key));
                key
            }
        };
        self.keys.append_value(key);
    }

    fn append_option(&mut self, value: Option<&'a str>) {
        match value {
            Some(v) => self.append_value(v),
            None => self.keys.append_null(),
        }
    }

    fn finish(mut self) -> Result<DictionaryArray<Int32Type>, ArrowError> {
        DictionaryArray::try_new(self.keys.finish(), Arc::new(StringArray::from(self.values)))
    }
}

fn category<'a>(n: usize) -> Category<'a> {
    Category { keys: Int32Builder::with_capacity(n), values: Vec::new(), index: HashMap::new(), last: None }
}

fn times(n: usize) -> TimestampMicrosecondBuilder {
    TimestampMicrosecondBuilder::with_capacity(n)
}

fn micros(t: Option<&Timestamp>) -> Option<i64> {
    t.map(Timestamp::timestamp_micros)
}

fn line(line: u64) -> i64 {
    i64::try_from(line).unwrap_or(i64::MAX)
}

/// The names of every `$code`, in order (`$code::ALL`'s `as_str`), as a
/// constant.
macro_rules! code_names {
    ($code:ty) => {{
        const NAMES: [&str; <$code>::ALL.len()] = {
            let mut names = [""; <$code>::ALL.len()];
            let mut i = 0;
            while i < names.len() {
                names[i] = <$code>::ALL[i].as_str();
                i += 1;
            }
            names
        };
        &NAMES
    }};
}

/// The findings' columns, for an iterator of findings.
fn findings<'a>(
    findings: impl ExactSizeIterator<Item = FindingRef<'a>>,
    with_source: bool,
) -> Result<RecordBatch, ArrowError> {
    let n = findings.len();
    let mut source = category(if with_source { n } else { 0 });
    let mut account_id = category(n);
    let (mut user, mut arn, mut reason) = (text(n, 16), text(n, 48), text(n, 80));
    let (mut is_root, mut active, mut exempted) =
        (BooleanBuilder::with_capacity(n), BooleanBuilder::with_capacity(n), BooleanBuilder::with_capacity(n));
    let mut slot = Int8Builder::with_capacity(n);
    let mut status = Enum::new(code_names!(Status), true, n);
    let (mut last_rotated, mut due_at, mut last_used) = (times(n), times(n), times(n));
    let (mut age_days, mut days_until_due, mut lines) =
        (Int64Builder::with_capacity(n), Int64Builder::with_capacity(n), Int64Builder::with_capacity(n));
    let mut last_used_kind = Enum::new(&LAST_USED_KINDS, false, n);
    let (mut region, mut service, mut code) = (category(n), category(n), category(n));
    let mut used_since_rotation = BooleanBuilder::with_capacity(n);
    let mut rule = Enum::new(code_names!(crate::judge::cis::Rule), false, n);
    let mut cis = category(n);
    let mut severity = Enum::new(code_names!(Severity), true, n);
    for f in findings {
        if with_source {
            source.append_value(f.source());
        }
        account_id.append_value(f.account_id());
        user.append_value(f.user());
        arn.append_value(f.arn());
        is_root.append_value(f.is_root());
        slot.append_option(f.slot().map(|s| i8::try_from(s).unwrap_or(i8::MAX)));
        rule.push_index(f.rule() as usize);
        cis.append_option(f.cis());
        status.push_index(Status::ALL.iter().position(|s| *s == f.status()).unwrap_or(usize::MAX));
        active.append_value(f.active());
        last_rotated.append_option(micros(f.last_rotated().as_ref()));
        age_days.append_option(f.age_days());
        due_at.append_option(micros(f.due_at().as_ref()));
        days_until_due.append_option(f.days_until_due());
        let (used_at, kind) = match f.last_used() {
            Some(LastUsed::At(t)) => (Some(t), Some(0)),
            Some(LastUsed::Never) => (None, Some(1)),
            Some(LastUsed::NoInformation) => (None, Some(2)),
            None => (None, None),
        };
        last_used.append_option(micros(used_at.as_ref()));
        match kind {
            Some(k) => last_used_kind.push_index(k),
            None => last_used_kind.push(None),
        }
        region.append_option(f.last_used_region());
        service.append_option(f.last_used_service());
        used_since_rotation.append_option(f.used_since_rotation());
        exempted.append_value(f.is_exempted());
        // Writing into the builder's value buffer cannot fail.
        let _ = f.write_reason(&mut reason);
        reason.append_value("");
        code.append_option(f.code().map(FindingCode::as_str));
        lines.append_value(line(f.line()));
        severity.push_index(f.severity() as usize);
    }
    let mut c = Columns::of_subject(with_source.then_some(source), account_id, user, arn, is_root)?;
    c.slot("slot", true, slot);
    c.enumeration("status", false, status)?;
    c.bool("active", false, active);
    c.time("last_rotated", last_rotated);
    c.int("age_days", true, age_days);
    c.time("due_at", due_at);
    c.int("days_until_due", true, days_until_due);
    c.time("last_used", last_used);
    c.enumeration("last_used_kind", true, last_used_kind)?;
    c.category("last_used_region", true, region)?;
    c.category("last_used_service", true, service)?;
    c.bool("used_since_rotation", true, used_since_rotation);
    c.bool("exempted", false, exempted);
    c.text("reason", reason);
    c.category("code", true, code)?;
    c.int("line", false, lines);
    c.enumeration("rule", false, rule)?;
    c.category("cis", true, cis)?;
    c.enumeration("severity", false, severity)?;
    c.finish()
}

/// The findings of one batch, in input order; with a `source` column first
/// (the batch's report name) when `with_source`.
pub fn finding_batch(batch: &FindingBatch, with_source: bool) -> Result<RecordBatch, ArrowError> {
    findings(batch.findings(), with_source)
}

/// The record batches of a sequence of finding batches, one per batch, in
/// order, made as they are pulled: each pull that finds none ready builds the
/// next few at once, one per thread, on up to [`threads`](Self::threads)
/// threads. A [`RecordBatchReader`](arrow_array::RecordBatchReader) (and so an Arrow C stream). It yields at
/// least one record batch, empty when there are no batches, so that a reader
/// of no findings still sees every enumeration's values.
///
/// ```
/// use keyrot::{Options, Run, parse_timestamp};
/// use keyrot::arrow::FindingBatches;
/// let csv = "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n\
///            alice,arn:aws:iam::111122223333:user/alice,true,2026-01-01T00:00:00Z,false,2025-06-01T00:00:00Z\n\
///            bob,arn:aws:iam::111122223333:user/bob,true,2026-11-01T00:00:00Z,false,N/A\n";
/// let options = Options::at(parse_timestamp("2026-11-26T00:00:00Z").unwrap());
/// let mut batches = Vec::new();
/// Run::new(&options).chunk_bytes(1).report(csv.as_bytes(), |mut batch| {
///     batch.compact();
///     batches.push(batch);
///     Ok::<(), keyrot::Error>(())
/// })?;
/// let records: Vec<_> = FindingBatches::new(batches, false).threads(2).collect::<Result<_, _>>().unwrap();
/// assert_eq!(records.iter().map(|r| r.num_rows()).sum::<usize>(), 3);
/// # Ok::<(), keyrot::Error>(())
/// ```
pub struct FindingBatches<B> {
    batches: B,
    with_source: bool,
    threads: usize,
    next: usize,
    ready: std::collections::VecDeque<Result<RecordBatch, ArrowError>>,
    schema: SchemaRef,
    yielded: bool,
}

impl<B: AsRef<[FindingBatch]>> FindingBatches<B> {
    /// The record batches of `batches`, with a `source` column when
    /// `with_source` (see [`finding_batch`]); built on one thread per core.
    pub fn new(batches: B, with_source: bool) -> FindingBatches<B> {
        FindingBatches {
            batches,
            with_source,
            threads: Run::default_threads(None),
            next: 0,
            ready: std::collections::VecDeque::new(),
            schema: finding_schema(with_source),
            yielded: false,
        }
    }

    /// Builds on up to `threads` threads (0: one per core). The batches are
    /// the same for any number.
    #[must_use]
    pub fn threads(mut self, threads: usize) -> FindingBatches<B> {
        self.threads = if threads == 0 { Run::default_threads(None) } else { threads };
        self
    }

    fn fill(&mut self) {
        let all = self.batches.as_ref();
        let window = &all[self.next..all.len().min(self.next + self.threads.max(1))];
        self.next += window.len();
        let with_source = self.with_source;
        match window {
            [] => {}
            [one] => self.ready.push_back(finding_batch(one, with_source)),
            [first, rest @ ..] => std::thread::scope(|scope| {
                let handles: Vec<_> = rest.iter().map(|b| scope.spawn(move || finding_batch(b, with_source))).collect();
                self.ready.push_back(finding_batch(first, with_source));
                for handle in handles {
                    // Building a record batch does not panic; if it did, the
                    // panic is the caller's, as on one thread.
                    let built = handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                    self.ready.push_back(built);
                }
            }),
        }
    }
}

impl<B: AsRef<[FindingBatch]>> Iterator for FindingBatches<B> {
    type Item = Result<RecordBatch, ArrowError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.ready.is_empty() {
            self.fill();
        }
        match self.ready.pop_front() {
            Some(batch) => {
                self.yielded = true;
                Some(batch)
            }
            None if !self.yielded => {
                self.yielded = true;
                Some(findings(std::iter::empty(), self.with_source))
            }
            None => None,
        }
    }
}

impl<B: AsRef<[FindingBatch]>> arrow_array::RecordBatchReader for FindingBatches<B> {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }
}

/// The findings of reports as Arrow record batches made while the reports
/// are read: each on the thread that judged its batch, handed on in input
/// order, with no finding batch held (a batch is dropped once its record
/// batch is made). A [`RecordBatchReader`](arrow_array::RecordBatchReader),
/// so an Arrow C stream: what `pyarrow.table`, `polars.DataFrame` and
/// `to_pandas()` read on a path, costing little more than judging it.
///
/// The reports are read on a thread of the stream's own, which stays at
/// most a few record batches ahead of the consumer (one per judging thread,
/// twice over). A report that cannot be opened or read ends the stream with
/// its error (after the record batches of the reports before it, and of it
/// up to where it failed): a security tool fails closed, so a consumer that
/// collects the stream sees the error, never a table without that report's
/// findings. [`error`](FindingStream::error) gives the error as the core's,
/// with its code; [`finish`](FindingStream::finish) the counts and anomalies
/// once the stream is read to its end (without the reports' SHA-256, which
/// the stream does not take). Dropping the stream stops the reading.
///
/// ```
/// use keyrot::{Options, Run, parse_timestamp};
/// use keyrot::arrow::FindingStream;
/// let csv = "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n\
///            alice,arn:aws:iam::111122223333:user/alice,true,2026-01-01T00:00:00Z,false,2025-06-01T00:00:00Z\n\
///            bob,arn:aws:iam::111122223333:user/bob,true,2026-11-01T00:00:00Z,false,N/A\n";
/// let options = Options::at(parse_timestamp("2026-11-26T00:00:00Z").unwrap());
/// let inputs = vec![("a.csv".to_owned(), Ok(csv.as_bytes().to_vec())), ("b.csv".to_owned(), Ok(csv.as_bytes().to_vec()))];
/// let inputs = inputs.into_iter().map(|(name, bytes)| (name, bytes.map(std::io::Cursor::new)));
/// let mut stream = FindingStream::new(Run::new(&options).chunk_bytes(1), inputs, true);
/// let rows: usize = stream.by_ref().map(|batch| batch.unwrap().num_rows()).sum();
/// assert_eq!(rows, 6);
/// let many = stream.finish()?;
/// assert_eq!((many.reports.len(), many.summary.overall.fail), (2, 2));
/// # Ok::<(), keyrot::Error>(())
/// ```
pub struct FindingStream {
    schema: SchemaRef,
    with_source: bool,
    batches: Option<std::sync::mpsc::Receiver<RecordBatch>>,
    reader: Option<std::thread::JoinHandle<Result<ManyAnalysis, Stop>>>,
    outcome: Option<Result<ManyAnalysis, Error>>,
    yielded: bool,
}

/// Why the stream's reading stopped early.
enum Stop {
    /// A report failed (its error, naming it) or a record batch could not
    /// be made.
    Failed(Error),
    /// The stream was dropped.
    Dropped,
}

impl FindingStream {
    /// Starts reading and judging `inputs` (names and readers, as
    /// [`Run::reports`] takes them) by `run`, on `run`'s threads; a `source`
    /// column first when `with_source` (see [`finding_batch`]).
    pub fn new<I, R>(run: Run, inputs: I, with_source: bool) -> FindingStream
    where
        I: IntoIterator<Item = (String, std::io::Result<R>)> + Send + 'static,
        R: std::io::Read,
    {
        // The table has no digest column: the reports' SHA-256 is not taken
        // (`input_sha256` is `None` in `finish`'s outcomes).
        let run = run.digest(false);
        let (send, batches) = std::sync::mpsc::sync_channel(2 * run.thread_count().max(1));
        let reader = std::thread::spawn(move || {
            let made = |batch: &mut FindingBatch| finding_batch(batch, with_source);
            run.reports(inputs, made, |event| match event {
                ReportEvent::Batch { made, .. } => {
                    let too_big = |e: ArrowError| Error::new(ErrorCode::LimitExceeded, format!("a record batch: {e}"));
                    let batch = made.map_err(|e| Stop::Failed(too_big(e)))?;
                    send.send(batch).map_err(|_| Stop::Dropped)
                }
                ReportEvent::Done { outcome, .. } => match &outcome.error {
                    Some(error) => Err(Stop::Failed(error.clone().in_report(&outcome.source))),
                    None => Ok(()),
                },
            })
        });
        FindingStream {
            schema: finding_schema(with_source),
            with_source,
            batches: Some(batches),
            reader: Some(reader),
            outcome: None,
            yielded: false,
        }
    }

    /// Waits for the reading to end and keeps how it ended.
    fn join(&mut self) {
        if let Some(reader) = self.reader.take() {
            // Judging does not panic; if it did, the panic is the caller's.
            let ended = reader.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            self.outcome = Some(ended.map_err(|stop| match stop {
                Stop::Failed(error) => error,
                Stop::Dropped => Error::new(ErrorCode::Io, "the stream was dropped before its end"),
            }));
        }
    }

    /// The error that ended the stream, once it has ended: a report's (with
    /// its code, naming the report), as the core reports it. `None` while
    /// record batches remain, and after a clean end.
    pub fn error(&self) -> Option<&Error> {
        self.outcome.as_ref().and_then(|outcome| outcome.as_ref().err())
    }

    /// Reads the stream to its end (dropping the record batches left) and
    /// returns the counts, every report's outcome and the anomalies; the
    /// error that ended the stream, if one did.
    pub fn finish(mut self) -> Result<ManyAnalysis, Error> {
        for _ in self.by_ref() {}
        self.join();
        // A stream read to its end has joined its reader and kept how it ended.
        let lost = || Err(Error::new(ErrorCode::Io, "the stream's reader ended without an outcome"));
        self.outcome.take().unwrap_or_else(lost)
    }
}

impl Iterator for FindingStream {
    type Item = Result<RecordBatch, ArrowError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(batch) = self.batches.as_ref().and_then(|batches| batches.recv().ok()) {
            self.yielded = true;
            return Some(Ok(batch));
        }
        if self.batches.take().is_some() {
            self.join();
            if let Some(error) = self.error() {
                return Some(Err(ArrowError::ExternalError(Box::new(error.clone()))));
            }
        }
        if self.yielded {
            return None;
        }
        // No findings: one empty batch, so that a reader still sees every
        // enumeration's values (as `FindingBatches` does).
        self.yielded = true;
        Some(findings(std::iter::empty(), self.with_source))
    }
}

impl arrow_array::RecordBatchReader for FindingStream {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }
}

impl Drop for FindingStream {
    fn drop(&mut self) {
        // The reader stops at its next record batch, finding no one to take it.
        self.batches.take();
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}

/// The schema of [`finding_batch`]'s record batches.
pub fn finding_schema(with_source: bool) -> SchemaRef {
    schema_of(findings(std::iter::empty(), with_source))
}

fn schema_of(empty: Result<RecordBatch, ArrowError>) -> SchemaRef {
    // Building no rows cannot fail: every column is empty and of its type.
    empty.map_or_else(|_| Arc::new(Schema::empty()), |b| b.schema())
}

fn cell_time(cell: &Cell<Timestamp>) -> Option<i64> {
    micros(cell.value())
}

/// The rows of a parsed report, in input order: columns named as in the
/// report, typed (a cell that holds no value of its column's type, such as
/// `N/A` or `not_supported`, or an absent column, is null), with `line`
/// first, `account_id` after `arn`, and `malformed` last. Times are
/// timestamps (µs, `UTC`), flags nullable bools, regions and services
/// dictionaries.
pub fn rows_batch(rows: &[Row]) -> Result<RecordBatch, ArrowError> {
    let n = rows.len();
    let mut lines = Int64Builder::with_capacity(n);
    let (mut user, mut arn) = (text(n, 16), text(n, 48));
    let mut account_id = category(n);
    let (mut is_root, mut malformed) = (BooleanBuilder::with_capacity(n), BooleanBuilder::with_capacity(n));
    let mut created = times(n);
    let (mut password_enabled, mut mfa_active) = (BooleanBuilder::with_capacity(n), BooleanBuilder::with_capacity(n));
    let (mut pw_used, mut pw_changed, mut pw_next) = (times(n), times(n), times(n));
    let mut key_active = [BooleanBuilder::with_capacity(n), BooleanBuilder::with_capacity(n)];
    let mut key_rotated = [times(n), times(n)];
    let mut key_used = [times(n), times(n)];
    let mut key_region = [category(n), category(n)];
    let mut key_service = [category(n), category(n)];
    let mut cert_active = [BooleanBuilder::with_capacity(n), BooleanBuilder::with_capacity(n)];
    let mut cert_rotated = [times(n), times(n)];
    for r in rows {
        lines.append_value(line(r.line));
        user.append_value(&r.user);
        arn.append_value(&r.arn);
        account_id.append_value(&r.account_id);
        is_root.append_value(r.is_root);
        created.append_option(cell_time(&r.user_creation_time));
        password_enabled.append_option(r.password_enabled.value().copied());
        pw_used.append_option(cell_time(&r.password_last_used));
        pw_changed.append_option(cell_time(&r.password_last_changed));
        pw_next.append_option(cell_time(&r.password_next_rotation));
        mfa_active.append_option(r.mfa_active.value().copied());
        for (slot, key) in r.access_keys.iter().enumerate() {
            key_active[slot].append_option(key.active.value().copied());
            key_rotated[slot].append_option(cell_time(&key.last_rotated));
            key_used[slot].append_option(cell_time(&key.last_used_date));
            key_region[slot].append_option(key.last_used_region.value().map(String::as_str));
            key_service[slot].append_option(key.last_used_service.value().map(String::as_str));
        }
        for (slot, cert) in r.certificates.iter().enumerate() {
            cert_active[slot].append_option(cert.active.value().copied());
            cert_rotated[slot].append_option(cell_time(&cert.last_rotated));
        }
        malformed.append_value(r.malformed);
    }
    let mut c = Columns::new();
    c.int("line", false, lines);
    c.text("user", user);
    c.text("arn", arn);
    c.category("account_id", false, account_id)?;
    c.bool("is_root", false, is_root);
    c.time("user_creation_time", created);
    c.bool("password_enabled", true, password_enabled);
    c.time("password_last_used", pw_used);
    c.time("password_last_changed", pw_changed);
    c.time("password_next_rotation", pw_next);
    c.bool("mfa_active", true, mfa_active);
    let [a1, a2] = key_active;
    let [r1, r2] = key_rotated;
    let [u1, u2] = key_used;
    let [g1, g2] = key_region;
    let [s1, s2] = key_service;
    for (i, (((active, rotated), used), (region, service))) in
        [(((a1, r1), u1), (g1, s1)), (((a2, r2), u2), (g2, s2))].into_iter().enumerate()
    {
        let k = i + 1;
        c.bool(&format!("access_key_{k}_active"), true, active);
        c.time(&format!("access_key_{k}_last_rotated"), rotated);
        c.time(&format!("access_key_{k}_last_used_date"), used);
        c.category(&format!("access_key_{k}_last_used_region"), true, region)?;
        c.category(&format!("access_key_{k}_last_used_service"), true, service)?;
    }
    for (i, (active, rotated)) in cert_active.into_iter().zip(cert_rotated).enumerate() {
        let k = i + 1;
        c.bool(&format!("cert_{k}_active"), true, active);
        c.time(&format!("cert_{k}_last_rotated"), rotated);
    }
    c.bool("malformed", false, malformed);
    c.finish()
}

/// The schema of [`rows_batch`]'s record batches.
pub fn rows_schema() -> SchemaRef {
    schema_of(rows_batch(&[]))
}

/// The steps of plans, one row per step: the step's fields, the role of
/// each slot's key (`slot_1_role`, `slot_2_role`: one of
/// [`PlanKey::ROLES`], null when the step does not concern that slot), and
/// `checks`, `commands` and `notes` each as one text, its lines joined by
/// `\n` (a command never holds a line break). With a `source` column first
/// (the name given with each plan) when `with_source`.
pub fn plan_batch<'a>(
    plans: impl IntoIterator<Item = (&'a str, &'a Plan)>,
    with_source: bool,
) -> Result<RecordBatch, ArrowError> {
    let plans: Vec<(&str, &Plan)> = plans.into_iter().collect();
    let n = plans.iter().map(|(_, p)| p.steps.len()).sum();
    let (mut source, mut account_id) = (category(n), category(n));
    let (mut user, mut arn, mut reason) = (text(n, 16), text(n, 48), text(n, 80));
    let (mut checks, mut commands, mut notes) = (text(n, 80), text(n, 120), text(n, 40));
    let mut is_root = BooleanBuilder::with_capacity(n);
    let mut step = Enum::new(code_names!(StepCode), false, n);
    let mut roles = [Enum::new(&PlanKey::ROLES, false, n), Enum::new(&PlanKey::ROLES, false, n)];
    let mut delete_after = times(n);
    let mut lines = Int64Builder::with_capacity(n);
    for (name, plan) in &plans {
        for s in &plan.steps {
            if with_source {
                source.append_value(name);
            }
            account_id.append_value(&s.account_id);
            user.append_value(&s.user);
            arn.append_value(&s.arn);
            is_root.append_value(s.is_root);
            step.push(Some(s.step.as_str()));
            for (slot, column) in roles.iter_mut().enumerate() {
                column.push(s.keys.iter().find(|k| usize::from(k.slot) == slot + 1).map(|k| k.role));
            }
            reason.append_value(&s.reason);
            checks.append_value(s.checks.join("\n"));
            commands.append_value(s.commands.join("\n"));
            notes.append_value(s.notes.join("\n"));
            delete_after.append_option(micros(s.delete_after.as_ref()));
            lines.append_value(line(s.line));
        }
    }
    let mut c = Columns::of_subject(with_source.then_some(source), account_id, user, arn, is_root)?;
    c.enumeration("step", false, step)?;
    let [slot_1, slot_2] = roles;
    c.enumeration("slot_1_role", true, slot_1)?;
    c.enumeration("slot_2_role", true, slot_2)?;
    c.text("reason", reason);
    c.text("checks", checks);
    c.text("commands", commands);
    c.text("notes", notes);
    c.time("delete_after", delete_after);
    c.int("line", false, lines);
    c.finish()
}

/// The schema of [`plan_batch`]'s record batches.
pub fn plan_schema(with_source: bool) -> SchemaRef {
    schema_of(plan_batch(std::iter::empty(), with_source))
}

/// The changes of a diff, one row per change: the change, the user, and
/// each side's key (`old_*`, `new_*`; null where that side has no key).
pub fn diff_batch(diff: &Diff) -> Result<RecordBatch, ArrowError> {
    changes(&diff.changes)
}

/// The schema of [`diff_batch`]'s record batches.
pub fn diff_schema() -> SchemaRef {
    schema_of(changes(&[]))
}

fn changes(changes: &[Change]) -> Result<RecordBatch, ArrowError> {
    let n = changes.len();
    let mut change = Enum::new(code_names!(ChangeCode), false, n);
    let mut account_id = category(n);
    let (mut user, mut message) = (text(n, 16), text(n, 80));
    let mut slot = [Int8Builder::with_capacity(n), Int8Builder::with_capacity(n)];
    let mut last_rotated = [times(n), times(n)];
    let mut status = [Enum::new(code_names!(Status), true, n), Enum::new(code_names!(Status), true, n)];
    let mut active = [BooleanBuilder::with_capacity(n), BooleanBuilder::with_capacity(n)];
    let mut overdue_days = Int64Builder::with_capacity(n);
    for ch in changes {
        change.push(Some(ch.change.as_str()));
        account_id.append_value(&ch.account_id);
        user.append_value(&ch.user);
        for (side, key) in [&ch.old_key, &ch.new_key].into_iter().enumerate() {
            slot[side].append_option(key.as_ref().map(|k| i8::try_from(k.slot).unwrap_or(i8::MAX)));
            last_rotated[side].append_option(key.as_ref().and_then(|k| micros(k.last_rotated.as_ref())));
            status[side].push(key.as_ref().map(|k| k.status.as_str()));
            active[side].append_option(key.as_ref().map(|k| k.active));
        }
        overdue_days.append_option(ch.overdue_days);
        message.append_value(&ch.message);
    }
    let mut c = Columns::new();
    c.enumeration("change", false, change)?;
    c.category("account_id", false, account_id)?;
    c.text("user", user);
    let [old_slot, new_slot] = slot;
    let [old_rotated, new_rotated] = last_rotated;
    let [old_status, new_status] = status;
    let [old_active, new_active] = active;
    for (side, (((slot, rotated), status), active)) in [
        ("old", (((old_slot, old_rotated), old_status), old_active)),
        ("new", (((new_slot, new_rotated), new_status), new_active)),
    ] {
        c.slot(&format!("{side}_slot"), true, slot);
        c.time(&format!("{side}_last_rotated"), rotated);
        c.enumeration(&format!("{side}_status"), true, status)?;
        c.bool(&format!("{side}_active"), true, active);
    }
    c.int("overdue_days", true, overdue_days);
    c.text("message", message);
    c.finish()
}
