//! A history: the rotation workflow followed across a season of reports of
//! the same accounts (README, "History"). Each report is judged at its own
//! time; keys are followed by account, user and creation time
//! (`last_rotated`), never by slot; each user's rotations are followed
//! through the plan's steps; and each account gets a trend.
//!
//! The reports are read once each, in time order, through
//! [`Run`]; per key only what its life needs is kept, so memory
//! does not grow with the number of reports. A streamed history
//! ([`HistoryRun::stream`]) hands each key and rotation out as it ends;
//! [`HistoryRun::collect`] keeps them all.

mod engine;
mod model;
mod names;

pub use model::{
    AccountTrend, DayBounds, GivenTime, History, HistoryRecord, HistoryReport, HistorySummary, HistoryTotals, KeyLife,
    LastUse, LongestStalls, OldestOverdue, Outcome, OverdueSpan, Remediation, Rotation, RotationOutcome, Stall,
    StallKind, StepSpan, TimeSource, Trend, TrendPoint,
};
pub use names::TimePattern;

use crate::drive::run::{Event, Input, Run};
use crate::error::{Error, ErrorCode};
use crate::input::limits::Limits;
use crate::input::simd::Simd;
use crate::input::unwrap::{unwrap, InputFormat};
use crate::input::value::Timestamp;
use crate::judge::policy::Options;
use engine::{Dated, Ended, Engine};
use serde::{Deserialize, Serialize};
use std::io::{self, BufRead, BufReader, Read};
use std::sync::Arc;

/// What a history takes besides the judging [`Options`]: the same names in
/// Rust, Python, JS and the command line (`--stall-days`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct HistoryOptions {
    /// A rotation at one step for longer than this many days, or whose old
    /// key is still used this many days after the new one was made, has
    /// stalled (0 to 3650; default 14).
    pub stall_days: u32,
    /// Keep each key's last use per report (`last_used_per_report`): one
    /// entry per report in which it changed, so memory grows with the
    /// reports for keys in use; without it, only its last use.
    pub last_used_per_report: bool,
}

impl Default for HistoryOptions {
    fn default() -> HistoryOptions {
        HistoryOptions::DEFAULT
    }
}

impl HistoryOptions {
    /// The defaults: stalls after 14 days, last uses per report kept.
    pub const DEFAULT: HistoryOptions = HistoryOptions { stall_days: 14, last_used_per_report: true };

    /// The names a history takes besides the judging options'.
    pub const NAMES: [&'static str; 2] = ["stall_days", "last_used_per_report"];

    /// Refuses values out of their ranges.
    pub fn validate(&self) -> Result<(), Error> {
        if self.stall_days > 3650 {
            return Err(Error::new(
                ErrorCode::InvalidPolicy,
                format!("stall_days must be 0 to 3650, not {}", self.stall_days),
            )
            .at_column("stall_days")
            .with_value(&self.stall_days.to_string()));
        }
        Ok(())
    }

    /// Reads the judging options and the history's from one object (a
    /// golden case's `options.json`, a binding's keyword arguments): the
    /// history's names are taken out and read here, the rest by
    /// [`Options::from_value`]. A history judges each report at its own
    /// time, so `as_of` is refused.
    ///
    /// ```
    /// let (options, history) = keyrot::plan::history::HistoryOptions::read(
    ///     serde_json::json!({"max_age_days": 30, "stall_days": 7}),
    /// ).unwrap();
    /// assert_eq!((options.max_age_days, history.stall_days), (30, 7));
    /// assert!(keyrot::plan::history::HistoryOptions::read(serde_json::json!({"as_of": "2026-01-01"})).is_err());
    /// ```
    pub fn read(value: serde_json::Value) -> Result<(Options, HistoryOptions), Error> {
        let serde_json::Value::Object(mut map) = value else {
            return Err(Error::new(ErrorCode::InvalidPolicy, "the options must be an object"));
        };
        let mut own = serde_json::Map::new();
        for name in HistoryOptions::NAMES {
            if let Some(v) = map.remove(name) {
                own.insert(name.to_owned(), v);
            }
        }
        let history: HistoryOptions = serde_path_to_error::deserialize(serde_json::Value::Object(own))
            .map_err(|e| crate::judge::policy::option_error("", &e.path().to_string(), &e.inner().to_string()))?;
        history.validate()?;
        let options = Options::from_value(serde_json::Value::Object(map))?;
        refuse_as_of(&options)?;
        Ok((options, history))
    }
}

fn refuse_as_of(options: &Options) -> Result<(), Error> {
    if options.as_of.is_some() {
        return Err(Error::new(
            ErrorCode::InvalidAsOf,
            "a history judges each report at its own time (its GeneratedTime, or the time given for it): `as_of` is not one of its options",
        )
        .at_column("as_of"));
    }
    Ok(())
}

/// A history's run: the judging options, the history's, and the threads
/// and limits the reports are read with.
#[derive(Debug, Clone)]
pub struct HistoryRun {
    options: Options,
    history: HistoryOptions,
    threads: usize,
    limits: Limits,
    chunk_bytes: Option<usize>,
    simd: Simd,
}

impl HistoryRun {
    /// A run with these options, the default threads and limits.
    pub fn new(options: &Options, history: &HistoryOptions) -> HistoryRun {
        HistoryRun {
            options: options.clone(),
            history: *history,
            threads: 0,
            limits: Limits::default(),
            chunk_bytes: None,
            simd: Simd::Auto,
        }
    }

    /// Judges on `threads` threads besides the calling one (see
    /// [`Run::threads`]).
    #[must_use]
    pub fn threads(mut self, threads: usize) -> HistoryRun {
        self.threads = threads;
        self
    }

    /// Other [`Limits`] than the defaults.
    #[must_use]
    pub fn limits(mut self, limits: Limits) -> HistoryRun {
        self.limits = limits;
        self
    }

    /// Chunks of about `bytes` bytes (see [`Run::chunk_bytes`]); the
    /// history does not depend on it.
    #[must_use]
    pub fn chunk_bytes(mut self, bytes: usize) -> HistoryRun {
        self.chunk_bytes = Some(bytes);
        self
    }

    /// The structural scan's instructions (see [`Run::simd`]); the history
    /// does not depend on them.
    #[must_use]
    pub fn simd(mut self, level: Simd) -> HistoryRun {
        self.simd = level;
        self
    }

    /// Reads every report and hands each key's life and each rotation to
    /// `each` as it ends (the keys and rotations that a report no longer
    /// shows, after that report; the rest at the end), and returns the
    /// reports, the trends and the totals.
    ///
    /// `reports` names each report, with the time given for it if any;
    /// `open(i)` opens report `i` (it is called twice for a report in the
    /// AWS CLI's JSON, which carries its `GeneratedTime`: once to read that
    /// time, once to judge it). A report's time is its `GeneratedTime`,
    /// else the time given; a report with neither is refused before any
    /// is judged (`no_report_time`), as are two reports of one account at
    /// the same time (`same_report_time`), and any report that cannot be
    /// read (the error says which).
    pub fn stream<R, O>(
        &self,
        reports: &[(String, Option<GivenTime>)],
        mut open: O,
        mut each: impl FnMut(HistoryRecord<'_>) -> Result<(), Error>,
    ) -> Result<HistorySummary, Error>
    where
        R: Read,
        O: FnMut(usize) -> io::Result<R>,
    {
        let policy = self.options.policy();
        policy.validate()?;
        self.options.checks().validate()?;
        self.history.validate()?;
        refuse_as_of(&self.options)?;
        let order = order(reports, &mut open, self.options.format, &self.limits)?;
        let inputs: Vec<Dated> = order.iter().map(|(_, d)| d.clone()).collect();
        let mut engine = Engine::new(policy, self.history.stall_days, self.history.last_used_per_report, inputs);
        let mut emit = |ended: Ended| match ended {
            Ended::Key(key) => each(HistoryRecord::Key(&key)),
            Ended::Rotation(rotation) => each(HistoryRecord::Rotation(&rotation)),
        };
        let mut run = Run::new(&self.options).threads(self.threads).limits(self.limits).digest(false).simd(self.simd);
        if let Some(bytes) = self.chunk_bytes {
            run = run.chunk_bytes(bytes);
        }
        let inputs = order.iter().map(|(i, dated)| Input {
            name: dated.name.to_string(),
            as_of: Some(dated.time),
            reader: open(*i),
        });
        run.drive(inputs, &|batch: &mut crate::judge::batch::FindingBatch| engine::observe(batch), &mut |event| {
            match event {
                Event::Batch { file, batch, made } => engine.rows(file, &batch, made),
                Event::Done { file, source, result } => match result {
                    Ok(analysis) => {
                        let counts = analysis.summary.accounts.into_iter().map(|a| (a.account_id, a.counts)).collect();
                        engine.end_file(file, counts, &mut emit)
                    }
                    Err(e) => Err(e.in_report(&source)),
                },
            }
        })?;
        engine.finish(&mut emit)
    }

    /// [`stream`](HistoryRun::stream), keeping every key and rotation: the
    /// whole [`History`], keys sorted by account, user and creation time.
    pub fn collect<R, O>(&self, reports: &[(String, Option<GivenTime>)], open: O) -> Result<History, Error>
    where
        R: Read,
        O: FnMut(usize) -> io::Result<R>,
    {
        let (mut keys, mut rotations) = (Vec::new(), Vec::new());
        let summary = self.stream(reports, open, |record| {
            match record {
                HistoryRecord::Key(k) => keys.push(k.clone()),
                HistoryRecord::Rotation(r) => rotations.push(r.clone()),
            }
            Ok(())
        })?;
        Ok(History::of(summary, keys, rotations))
    }
}

/// The history of `reports` (see [`HistoryRun::stream`]), every key and
/// rotation kept.
///
/// ```
/// use keyrot::plan::history::{GivenTime, HistoryOptions, Outcome, TimeSource};
/// let header = "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n";
/// let before = format!("{header}ci,arn:aws:iam::111122223333:user/ci,true,2026-01-01T00:00:00Z,false,N/A\n");
/// let after = format!("{header}ci,arn:aws:iam::111122223333:user/ci,true,2026-11-20T00:00:00Z,false,N/A\n");
/// let at = |t: &str| Some(GivenTime { time: keyrot::parse_timestamp(t).unwrap(), source: TimeSource::Given });
/// let reports = [("a.csv".to_owned(), at("2026-11-01T00:00:00Z")), ("b.csv".to_owned(), at("2026-11-26T00:00:00Z"))];
/// let files = [before, after];
/// let history = keyrot::plan::history::history(&reports, |i| Ok(files[i].as_bytes()), &Default::default(), &HistoryOptions::DEFAULT)?;
/// assert_eq!(history.keys[0].outcome, Outcome::Rotated);
/// assert_eq!(history.keys[0].days_overdue, Some(214)); // overdue since 2026-04-01, at 2026-11-01
/// assert_eq!(history.keys[0].days_overdue_max, Some(239)); // fixed by 2026-11-26
/// assert_eq!(history.totals.remediated, 1);
/// # Ok::<(), keyrot::Error>(())
/// ```
pub fn history<R, O>(
    reports: &[(String, Option<GivenTime>)],
    open: O,
    options: &Options,
    history: &HistoryOptions,
) -> Result<History, Error>
where
    R: Read,
    O: FnMut(usize) -> io::Result<R>,
{
    HistoryRun::new(options, history).collect(reports, open)
}

/// Each report's time, and the order to read them in: by time, then name.
fn order<R: Read>(
    reports: &[(String, Option<GivenTime>)],
    open: &mut impl FnMut(usize) -> io::Result<R>,
    format: InputFormat,
    limits: &Limits,
) -> Result<Vec<(usize, Dated)>, Error> {
    let mut order = Vec::with_capacity(reports.len());
    for (i, (name, given)) in reports.iter().enumerate() {
        let generated = match format {
            InputFormat::Csv | InputFormat::Base64 => None,
            _ => {
                let input = open(i).map_err(|e| Error::io(&e).in_report(name))?;
                generated_time(input, format, limits).map_err(|e| e.in_report(name))?
            }
        };
        let (time, source) = match (generated, given) {
            (Some(t), _) => (t, TimeSource::GeneratedTime),
            (None, Some(g)) => (g.time, g.source),
            (None, None) => {
                return Err(Error::new(
                    ErrorCode::NoReportTime,
                    format!(
                        "`{name}` has no time: it carries no GeneratedTime (only the AWS CLI's JSON does), and none was given for it; give it one (the command: `--time '{name}=2026-11-26T00:00:00Z'`, or `--time-from-name '%Y-%m-%d'` for a date in its name; Python `times=` or `time_from_name=`; JS `times` or `timeFromName`)"
                    ),
                )
                .with_value(name))
            }
        };
        order.push((i, Dated { name: Arc::from(name.as_str()), time, source }));
    }
    order.sort_by(|(i, a), (j, b)| (a.time, &a.name, i).cmp(&(b.time, &b.name, j)));
    Ok(order)
}

/// The `GeneratedTime` of a report in the AWS CLI's JSON; `None` for any
/// other form, read no further than its first bytes.
fn generated_time<R: Read>(input: R, format: InputFormat, limits: &Limits) -> Result<Option<Timestamp>, Error> {
    let mut buf = BufReader::with_capacity(8 << 10, input);
    if format == InputFormat::Auto {
        let mut first = true;
        loop {
            let head = buf.fill_buf().map_err(|e| Error::io(&e))?;
            let bom = if first && head.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
            first = false;
            let blank = head[bom..].iter().take_while(|b| b.is_ascii_whitespace()).count();
            match head.get(bom + blank) {
                None if head.is_empty() => return Ok(None),
                None => buf.consume(bom + blank),
                Some(b'{') => {
                    buf.consume(bom);
                    break;
                }
                Some(_) => return Ok(None),
            }
        }
    }
    Ok(unwrap(buf, InputFormat::CliJson, limits)?.generated_time)
}
