//! The records of a history: each report of each account, each key's life
//! as the reports show it, each user's rotations, and the trend. Their serde
//! form is the JSON contract of `keyrot history` and the bindings.

use crate::drive::analysis::Counts;
use crate::input::value::{ser_opt_ts, ser_ts, Timestamp};
use crate::judge::policy::Policy;
use crate::judge::rule::{LastUsed, Status};
use crate::plan::steps::StepCode;
use serde::{Deserialize, Serialize};

/// Where a report's time came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TimeSource {
    /// The report's own `GeneratedTime` (the AWS CLI's JSON carries it).
    GeneratedTime,
    /// Given for the file by the caller (`--time FILE=TIME`, `times=`).
    Given,
    /// Read from the file's name (`--time-from-name PATTERN`).
    FileName,
}

crate::error::codes!(TimeSource, "time source", "time sources" {
    GeneratedTime => "generated_time",
    Given => "given",
    FileName => "file_name",
});

/// A time the caller gives a report that may carry none of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GivenTime {
    /// The instant.
    pub time: Timestamp,
    /// How it was given: [`TimeSource::Given`] or [`TimeSource::FileName`].
    pub source: TimeSource,
}

/// One account's rows in one report file, at the report's time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HistoryReport {
    /// The file's name.
    pub source: String,
    /// The account; `null` for a file with no rows (it shows no account).
    pub account_id: Option<String>,
    /// The report's time, at which its keys were judged.
    #[serde(serialize_with = "ser_ts")]
    #[cfg_attr(feature = "ts", ts(type = "Timestamp"))]
    pub time: Timestamp,
    /// Where that time came from.
    pub time_source: TimeSource,
    /// The account's counts in this report (every rule judged).
    pub counts: Counts,
}

/// How a key's active life ended, as far as the reports show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Outcome {
    /// Made inactive or deleted, with a newer active key of the same user in
    /// its place.
    Rotated,
    /// Made inactive, with no newer key in its place.
    Deactivated,
    /// Gone while active (deleted, or its user was), with no newer key in
    /// its place.
    Deleted,
    /// Still active in the last report of its account.
    StillOpen,
}

impl Outcome {
    /// Every outcome, in the order of the contract.
    pub const ALL: [Outcome; 4] = [Outcome::Rotated, Outcome::Deactivated, Outcome::Deleted, Outcome::StillOpen];
}

crate::error::codes!(Outcome, "outcome", "outcomes" {
    Rotated => "rotated",
    Deactivated => "deactivated",
    Deleted => "deleted",
    StillOpen => "still_open",
});

/// A run of reports in which a key was overdue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OverdueSpan {
    /// The first report that showed it overdue.
    #[serde(serialize_with = "ser_ts")]
    #[cfg_attr(feature = "ts", ts(type = "Timestamp"))]
    pub from: Timestamp,
    /// The last report that showed it overdue.
    #[serde(serialize_with = "ser_ts")]
    #[cfg_attr(feature = "ts", ts(type = "Timestamp"))]
    pub to: Timestamp,
    /// The first report after `to` that did not (the key fixed or gone);
    /// `null` while it is still overdue.
    #[serde(serialize_with = "ser_opt_ts")]
    #[cfg_attr(feature = "ts", ts(type = "Timestamp | null"))]
    pub until: Option<Timestamp>,
}

/// A key's last use as one report showed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LastUse {
    /// The report's time.
    #[serde(serialize_with = "ser_ts")]
    #[cfg_attr(feature = "ts", ts(type = "Timestamp"))]
    pub seen: Timestamp,
    /// The key's last use in it (`null` in the legacy layout).
    pub last_used: Option<LastUsed>,
}

/// One key's life as the reports show it: identified by account, user and
/// creation time (`last_rotated`), never by slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct KeyLife {
    /// The account.
    pub account_id: String,
    /// The user, as last seen.
    pub user: String,
    /// The slot, as last seen (slots move).
    pub slot: u8,
    /// The key's creation time (`last_rotated`): what identifies it.
    #[serde(serialize_with = "ser_ts")]
    #[cfg_attr(feature = "ts", ts(type = "Timestamp"))]
    pub created: Timestamp,
    /// The first report that showed it.
    #[serde(serialize_with = "ser_ts")]
    #[cfg_attr(feature = "ts", ts(type = "Timestamp"))]
    pub first_seen: Timestamp,
    /// The last report that showed it.
    #[serde(serialize_with = "ser_ts")]
    #[cfg_attr(feature = "ts", ts(type = "Timestamp"))]
    pub last_seen: Timestamp,
    /// The rule's due instant (`due_at` of the finding); `null` past year
    /// 9999.
    #[serde(serialize_with = "ser_opt_ts")]
    #[cfg_attr(feature = "ts", ts(type = "Timestamp | null"))]
    pub due_at: Option<Timestamp>,
    /// Its status in the last report that showed it.
    pub status: Status,
    /// Whether it was active in the last report that showed it.
    pub active: bool,
    /// The runs of reports in which it was overdue (status `fail`), oldest
    /// first.
    pub overdue: Vec<OverdueSpan>,
    /// How its active life ended.
    pub outcome: Outcome,
    /// The end of its active life is after this instant: the last report
    /// that showed it active; `null` when no report did.
    #[serde(serialize_with = "ser_opt_ts")]
    #[cfg_attr(feature = "ts", ts(type = "Timestamp | null"))]
    pub ended_after: Option<Timestamp>,
    /// ... and at or before this one: the first report that showed it
    /// inactive or gone; `null` while `still_open`.
    #[serde(serialize_with = "ser_opt_ts")]
    #[cfg_attr(feature = "ts", ts(type = "Timestamp | null"))]
    pub ended_before: Option<Timestamp>,
    /// It was deleted after this instant (its last report); `null` while a
    /// report still shows it.
    #[serde(serialize_with = "ser_opt_ts")]
    #[cfg_attr(feature = "ts", ts(type = "Timestamp | null"))]
    pub deleted_after: Option<Timestamp>,
    /// ... and at or before this one (the first report without it).
    #[serde(serialize_with = "ser_opt_ts")]
    #[cfg_attr(feature = "ts", ts(type = "Timestamp | null"))]
    pub deleted_before: Option<Timestamp>,
    /// Whole days it was overdue at the last report that showed it overdue
    /// (its last overdue span's `to`): a lower bound of its days overdue
    /// when it was fixed, its days overdue so far while still overdue;
    /// `null` when never overdue.
    pub days_overdue: Option<i64>,
    /// Whole days from its due instant to the first report that showed it
    /// fixed or gone (the span's `until`): an upper bound; `null` while
    /// overdue or when never overdue.
    pub days_overdue_max: Option<i64>,
    /// Its last use in the last report that showed it.
    pub last_used: Option<LastUsed>,
    /// Its last use per report: the first report's, then one entry for
    /// each report in which it changed (its value in a report is the last
    /// entry at or before it). Left out when the history was asked not to
    /// keep it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub last_used_per_report: Option<Vec<LastUse>>,
}

/// How a rotation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RotationOutcome {
    /// The old key is gone, or the plan has no step left for the user.
    Completed,
    /// Still underway in the last report of the account.
    Open,
    /// The user was deleted first.
    UserDeleted,
}

crate::error::codes!(RotationOutcome, "rotation outcome", "rotation outcomes" {
    Completed => "completed",
    Open => "open",
    UserDeleted => "user_deleted",
});

/// A run of reports in which a rotation was at the same step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StepSpan {
    /// The plan's step for the user in those reports.
    pub step: StepCode,
    /// The first report that showed it.
    #[serde(serialize_with = "ser_ts")]
    #[cfg_attr(feature = "ts", ts(type = "Timestamp"))]
    pub first_seen: Timestamp,
    /// The last report that showed it.
    #[serde(serialize_with = "ser_ts")]
    #[cfg_attr(feature = "ts", ts(type = "Timestamp"))]
    pub last_seen: Timestamp,
    /// How many reports showed it.
    pub reports: u32,
}

/// What kind of stall.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum StallKind {
    /// The rotation stayed at one step for longer than `stall_days`.
    SameStep,
    /// The old key was still used more than `stall_days` after the new one
    /// was made.
    OldKeyInUse,
}

crate::error::codes!(StallKind, "stall kind", "stall kinds" {
    SameStep => "same_step",
    OldKeyInUse => "old_key_in_use",
});

/// One stall of a rotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Stall {
    /// What stalled.
    pub kind: StallKind,
    /// For `same_step`: the step.
    pub step: Option<StepCode>,
    /// `same_step`: the first report at the step; `old_key_in_use`: when
    /// the new key was made.
    #[serde(serialize_with = "ser_ts")]
    #[cfg_attr(feature = "ts", ts(type = "Timestamp"))]
    pub since: Timestamp,
    /// `same_step`: the last report at the step; `old_key_in_use`: the old
    /// key's latest use seen.
    #[serde(serialize_with = "ser_ts")]
    #[cfg_attr(feature = "ts", ts(type = "Timestamp"))]
    pub until: Timestamp,
    /// Whole days from `since` to `until`.
    pub days: i64,
}

/// One user's rotation: the plan's workflow on one old key, from the first
/// report that gave the user a step about it until the key was gone or no
/// step was left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Rotation {
    /// The account.
    pub account_id: String,
    /// The user, as last seen.
    pub user: String,
    /// The creation time of the key the rotation retires.
    #[serde(serialize_with = "ser_ts")]
    #[cfg_attr(feature = "ts", ts(type = "Timestamp"))]
    pub old_key: Timestamp,
    /// The creation time of its replacement, once a report showed one.
    #[serde(serialize_with = "ser_opt_ts")]
    #[cfg_attr(feature = "ts", ts(type = "Timestamp | null"))]
    pub new_key: Option<Timestamp>,
    /// The first report with a step of it.
    #[serde(serialize_with = "ser_ts")]
    #[cfg_attr(feature = "ts", ts(type = "Timestamp"))]
    pub started: Timestamp,
    /// The last report with a step of it.
    #[serde(serialize_with = "ser_ts")]
    #[cfg_attr(feature = "ts", ts(type = "Timestamp"))]
    pub last_seen: Timestamp,
    /// The step in each report, runs of the same step as one span: when
    /// each step was first and last seen.
    pub steps: Vec<StepSpan>,
    /// How it ended.
    pub outcome: RotationOutcome,
    /// It ended after this instant (its last report)...
    #[serde(serialize_with = "ser_opt_ts")]
    #[cfg_attr(feature = "ts", ts(type = "Timestamp | null"))]
    pub completed_after: Option<Timestamp>,
    /// ... and at or before this one (the first report that showed it
    /// over); both `null` while open.
    #[serde(serialize_with = "ser_opt_ts")]
    #[cfg_attr(feature = "ts", ts(type = "Timestamp | null"))]
    pub completed_before: Option<Timestamp>,
    /// Whether it stalled (see `stalls`).
    pub stalled: bool,
    /// Its stalls.
    pub stalls: Vec<Stall>,
}

/// A figure in whole days from both bounds of when keys were fixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DayBounds {
    /// From each key's `days_overdue`: the last report that showed it
    /// overdue (the figure is at least this).
    pub at_least: i64,
    /// From each key's `days_overdue_max`: the first report that showed it
    /// fixed (the figure is at most this).
    pub at_most: i64,
}

/// Days overdue when keys were fixed: the median and the 90th percentile
/// (nearest rank) of each bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Remediation {
    /// The median.
    pub median: DayBounds,
    /// The 90th percentile.
    pub p90: DayBounds,
}

/// The overdue key with the earliest due instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OldestOverdue {
    /// The account.
    pub account_id: String,
    /// The user.
    pub user: String,
    /// The key's creation time.
    #[serde(serialize_with = "ser_ts")]
    #[cfg_attr(feature = "ts", ts(type = "Timestamp"))]
    pub created: Timestamp,
    /// Its due instant.
    #[serde(serialize_with = "ser_ts")]
    #[cfg_attr(feature = "ts", ts(type = "Timestamp"))]
    pub due_at: Timestamp,
    /// Whole days overdue at the time of its account's report (overall, the
    /// account's latest report of the day or before).
    pub days_overdue: i64,
}

/// One point of a trend: an account at one report, or every account at the
/// end of one day (UTC).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TrendPoint {
    /// The report's time; overall, the latest report time of the day.
    #[serde(serialize_with = "ser_ts")]
    #[cfg_attr(feature = "ts", ts(type = "Timestamp"))]
    pub time: Timestamp,
    /// The accounts counted: 1; overall, every account seen so far, each as
    /// its latest report at or before `time` shows it.
    pub accounts: u64,
    /// The reports at this point: 1; overall, those of the day.
    pub reports: u64,
    /// The counts by status (and by rule, when more rules are judged):
    /// `fail` is the keys overdue.
    pub counts: Counts,
    /// The overdue key with the earliest due instant.
    pub oldest_overdue: Option<OldestOverdue>,
    /// Keys overdue now that the account's previous report showed not
    /// overdue or did not show (an account's first report is its baseline:
    /// 0).
    pub newly_overdue: u64,
    /// Keys overdue in the account's previous report that are now fixed or
    /// gone.
    pub remediated: u64,
    /// Days overdue of the keys remediated at this point.
    pub remediation: Option<Remediation>,
    /// Rotations underway.
    pub rotations_open: u64,
    /// Rotations underway that have stalled.
    pub rotations_stalled: u64,
}

/// One account's trend: a point per report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AccountTrend {
    /// The account.
    pub account_id: String,
    /// A point per report, oldest first.
    pub points: Vec<TrendPoint>,
}

/// The trends: per account, and overall per day.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Trend {
    /// Per account, sorted by account id.
    pub accounts: Vec<AccountTrend>,
    /// Overall: a point per day (UTC) with reports.
    pub overall: Vec<TrendPoint>,
}

/// The figures of the whole history.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HistoryTotals {
    /// Accounts seen.
    pub accounts: u64,
    /// Reports (an account in a file).
    pub reports: u64,
    /// Keys followed (one per life).
    pub keys: u64,
    /// Keys overdue in the last report of their account.
    pub overdue_now: u64,
    /// Keys that became overdue after their account's first report.
    pub newly_overdue: u64,
    /// Overdue keys that were fixed or went.
    pub remediated: u64,
    /// Their days overdue when fixed.
    pub remediation: Option<Remediation>,
    /// Rotations.
    pub rotations: u64,
    /// Rotations completed.
    pub rotations_completed: u64,
    /// Rotations still underway.
    pub rotations_open: u64,
    /// Rotations that stalled (completed or not).
    pub rotations_stalled: u64,
}

/// What a streamed history returns: everything but the keys and the
/// rotations, which it handed out as they ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HistorySummary {
    /// The policy every report was judged by.
    pub policy: Policy,
    /// How many days at one step make a stall.
    pub stall_days: u32,
    /// Each account of each report, in time order.
    pub reports: Vec<HistoryReport>,
    /// The trends.
    pub trend: Trend,
    /// The figures of the whole history.
    pub totals: HistoryTotals,
}

/// A history: the reports, every key's life, every rotation, the trends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct History {
    /// The policy every report was judged by.
    pub policy: Policy,
    /// How many days at one step make a stall.
    pub stall_days: u32,
    /// Each account of each report, in time order.
    pub reports: Vec<HistoryReport>,
    /// Every key's life, by account, user and creation time.
    pub keys: Vec<KeyLife>,
    /// Every rotation, by account, user and start; the stalled ones are
    /// those with `stalled`.
    pub rotations: Vec<Rotation>,
    /// The trends.
    pub trend: Trend,
    /// The figures of the whole history.
    pub totals: HistoryTotals,
}

impl History {
    /// The history of `summary` with these keys and rotations, sorted.
    pub(crate) fn of(summary: HistorySummary, mut keys: Vec<KeyLife>, mut rotations: Vec<Rotation>) -> History {
        keys.sort_by(|a, b| (&a.account_id, &a.user, a.created).cmp(&(&b.account_id, &b.user, b.created)));
        rotations.sort_by(|a, b| (&a.account_id, &a.user, a.started).cmp(&(&b.account_id, &b.user, b.started)));
        let HistorySummary { policy, stall_days, reports, trend, totals } = summary;
        History { policy, stall_days, reports, keys, rotations, trend, totals }
    }

    /// The rotations that stalled.
    pub fn stalled(&self) -> impl Iterator<Item = &Rotation> {
        self.rotations.iter().filter(|r| r.stalled)
    }
}

/// A record a streamed history hands out as it ends.
#[derive(Debug, Clone, Copy)]
pub enum HistoryRecord<'a> {
    /// A key's life: gone, or (at the end) still shown.
    Key(&'a KeyLife),
    /// A rotation: ended, or (at the end) still open.
    Rotation(&'a Rotation),
}

/// The longest stalled rotations of a streamed history, a bounded few: what
/// the command's table and the HTML report list (the JSON lists every one).
/// Memory stays at twice the number kept, whatever the number of stalls.
#[derive(Debug, Clone)]
pub struct LongestStalls {
    kept: usize,
    rotations: Vec<Rotation>,
}

impl LongestStalls {
    /// How many the command's table and the HTML report list.
    pub const SHOWN: usize = 50;

    /// Keeps the `kept` longest stalled rotations.
    pub fn new(kept: usize) -> LongestStalls {
        LongestStalls { kept, rotations: Vec::new() }
    }

    /// Takes in a rotation as the history hands it out; one that did not
    /// stall is passed over.
    pub fn push(&mut self, rotation: &Rotation) {
        if !rotation.stalled || self.kept == 0 {
            return;
        }
        self.rotations.push(rotation.clone());
        if self.rotations.len() >= 2 * self.kept {
            self.sort();
            self.rotations.truncate(self.kept);
        }
    }

    /// The longest stall of a rotation, in whole days.
    pub fn days(rotation: &Rotation) -> i64 {
        rotation.stalls.iter().map(|s| s.days).max().unwrap_or(0)
    }

    fn sort(&mut self) {
        self.rotations.sort_by(|a, b| {
            LongestStalls::days(b)
                .cmp(&LongestStalls::days(a))
                .then_with(|| (&a.account_id, &a.user, a.started).cmp(&(&b.account_id, &b.user, b.started)))
        });
    }

    /// The rotations kept, the longest stall first (ties by account, user
    /// and start).
    pub fn into_sorted(mut self) -> Vec<Rotation> {
        self.sort();
        self.rotations.truncate(self.kept);
        self.rotations
    }
}
