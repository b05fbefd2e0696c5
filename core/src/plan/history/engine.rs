//! The state a history keeps while it reads the reports in time order: per
//! account its users, per user its keys and its rotation, each key holding
//! only what its life needs. A report's rows are taken in as its batches
//! arrive; at its end the keys and users it no longer shows are ended, and
//! the account's trend gets a point.

use crate::drive::analysis::Counts;
use crate::error::{Error, ErrorCode};
use crate::input::value::{format_timestamp, Timestamp};
use crate::judge::batch::FindingBatch;
use crate::judge::batch::FindingRef;
use crate::judge::cis::Rule;
use crate::judge::policy::Policy;
use crate::judge::rule::{LastUsed, Status};
use crate::plan::history::model::{
    AccountTrend, DayBounds, HistoryReport, HistorySummary, HistoryTotals, KeyLife, LastUse, OldestOverdue, Outcome,
    OverdueSpan, Remediation, Rotation, RotationOutcome, Stall, StallKind, StepSpan, TimeSource, Trend, TrendPoint,
};
use crate::plan::steps::StepCode;
use chrono::{NaiveDate, TimeDelta};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

const DAY: i64 = 86_400;

/// Whole days from `earlier` to `later`, floored.
fn days(later: Timestamp, earlier: Timestamp) -> i64 {
    later.signed_duration_since(earlier).num_seconds().div_euclid(DAY)
}

fn floor_minute(t: Timestamp) -> Timestamp {
    t - TimeDelta::seconds(t.timestamp().rem_euclid(60)) - TimeDelta::nanoseconds(i64::from(t.timestamp_subsec_nanos()))
}

/// One key of a row, as a report shows it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KeyObs {
    slot: u8,
    created: Timestamp,
    status: Status,
    active: bool,
    last_used: Option<LastUsed>,
    due_at: Option<Timestamp>,
}

/// The plan's step for a row: its code, and the keys it retires and
/// brings in, by creation time.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StepObs {
    step: StepCode,
    old: Option<Timestamp>,
    new: Option<Timestamp>,
}

impl StepObs {
    /// The step's code and keys, as [`step_of`] reads them from the row.
    #[cfg(test)]
    fn of(step: &crate::plan::steps::Step) -> StepObs {
        let role = |role: &str| step.keys.iter().find(|k| k.role == role).and_then(|k| k.last_rotated);
        let old = match step.step {
            StepCode::RotateBoth
            | StepCode::DeactivateUnusedKey
            | StepCode::DeactivateOldKey
            | StepCode::DeleteInactiveKey
            | StepCode::RemoveRootKey => role("target"),
            StepCode::WaitBeforeDelete => role("inactive"),
            _ => role("old"),
        };
        StepObs {
            step: step.step,
            old: old.or_else(|| step.keys.iter().find_map(|k| k.last_rotated)),
            new: role("new"),
        }
    }
}

/// The plan's step for a row (rotation-rule.md §2.1) as
/// [`plan_row`](crate::plan::steps::plan_row) decides it, without writing
/// its reason and commands: only its code and the keys it retires and
/// brings in, for each of the many rows of a history. A test holds the two
/// to the same decision on every golden case's rows.
fn step_of(findings: &[FindingRef<'_>], is_root: bool, policy: &Policy, as_of: Timestamp) -> Option<StepObs> {
    let step = |step, old: &FindingRef<'_>, new: Option<&FindingRef<'_>>| {
        Some(StepObs { step, old: old.last_rotated(), new: new.and_then(FindingRef::last_rotated) })
    };
    if is_root {
        let old = findings.iter().find_map(FindingRef::last_rotated);
        return findings.first().map(|_| StepObs { step: StepCode::RemoveRootKey, old, new: None });
    }
    let judged = || findings.iter().filter(|f| f.status() != Status::Invalid);
    let over: Vec<&FindingRef<'_>> = judged().filter(|f| f.active() && f.status() == Status::Fail).collect();
    let fresh: Vec<&FindingRef<'_>> = judged().filter(|f| f.active() && f.status() != Status::Fail).collect();
    let inactive: Vec<&FindingRef<'_>> = judged().filter(|f| !f.active()).collect();
    let used_at = |f: &FindingRef<'_>| f.last_used().and_then(LastUsed::at);
    if let [a, b] = over[..] {
        let target = if used_at(a) <= used_at(b) { a } else { b };
        return step(StepCode::RotateBoth, target, None);
    }
    if let [o] = over[..] {
        let recently = used_at(o)
            .is_some_and(|t| as_of.signed_duration_since(t) <= TimeDelta::days(i64::from(policy.max_age_days)));
        if !recently {
            return step(StepCode::DeactivateUnusedKey, o, None);
        }
        if let [n] = fresh[..] {
            let used_after = match (used_at(o), n.last_rotated()) {
                (Some(used), Some(created)) => used >= floor_minute(created),
                _ => true,
            };
            let code = if used_after { StepCode::UpdateApplications } else { StepCode::DeactivateOldKey };
            return step(code, o, Some(n));
        }
        if let [_] = inactive[..] {
            return step(StepCode::FreeSlot, o, None);
        }
        return step(StepCode::CreateNewKey, o, None);
    }
    if let Some(first) = inactive.first() {
        let grace = TimeDelta::days(i64::from(policy.grace_days));
        let ready = inactive
            .iter()
            .find(|f| used_at(f).or(f.last_rotated()).is_some_and(|b| as_of.signed_duration_since(b) >= grace));
        return match ready {
            Some(f) => step(StepCode::DeleteInactiveKey, f, None),
            None => step(StepCode::WaitBeforeDelete, first, None),
        };
    }
    judged().find(|f| f.status() == Status::DueSoon).and_then(|due| step(StepCode::ScheduleRotation, due, None))
}

/// One row of a report, as the history takes it in: read on the thread
/// that judged its batch (its names are read from the batch, which the
/// merge holds too).
#[derive(Debug)]
pub(crate) struct RowObs {
    /// The row's index in its batch.
    row: u32,
    /// The user name lower-cased, when that differs from it: what finds
    /// the user again (IAM names are unique ignoring case).
    lower: Option<Box<str>>,
    keys: [Option<KeyObs>; 2],
    step: Option<StepObs>,
}

/// Reads a judged batch into rows: the rotation rule's keys that have a
/// creation time (the others cannot be followed), and the plan's step.
pub(crate) fn observe(batch: &FindingBatch) -> Vec<RowObs> {
    let (policy, as_of) = (*batch.policy(), batch.as_of());
    let mut findings = batch.findings().peekable();
    let mut rows = Vec::with_capacity(batch.rows());
    let mut mine = Vec::new();
    for (index, row) in batch.rows.iter().enumerate() {
        mine.clear();
        while let Some(f) = findings.peek() {
            if f.line() != row.line {
                break;
            }
            if f.rule() == Rule::AccessKeyRotated {
                mine.push(*f);
            }
            findings.next();
        }
        let step = step_of(&mine, row.is_root, &policy, as_of);
        let mut keys = [None, None];
        let followed = mine.iter().filter_map(|f| {
            Some(KeyObs {
                slot: f.slot()?,
                created: f.last_rotated()?,
                status: f.status(),
                active: f.active(),
                last_used: f.last_used(),
                due_at: f.due_at(),
            })
        });
        for (place, key) in keys.iter_mut().zip(followed) {
            *place = Some(key);
        }
        let user = batch.user(row);
        let lower = user.chars().any(char::is_uppercase).then(|| user.to_lowercase().into_boxed_str());
        rows.push(RowObs { row: index as u32, lower, keys, step });
    }
    rows
}

/// A key being followed.
#[derive(Debug)]
struct KeyState {
    created: Timestamp,
    /// Among the keys of its user made in the same second, its place.
    ordinal: u8,
    slot: u8,
    /// The serial of the last report of its account that showed it.
    seen: u32,
    first_seen: Timestamp,
    last_seen: Timestamp,
    due_at: Option<Timestamp>,
    status: Status,
    active: bool,
    last_used: Option<LastUsed>,
    uses: Option<Vec<LastUse>>,
    overdue: Vec<OverdueSpan>,
    outcome: Outcome,
    ended_after: Option<Timestamp>,
    ended_before: Option<Timestamp>,
    /// Its active life ended in the report being read: the outcome is
    /// decided once the user's every key is in.
    ending: bool,
    /// It is the replacement of a key already.
    claimed: bool,
}

impl KeyState {
    fn life(&self, account: &str, user: &str) -> KeyLife {
        let last = self.overdue.last();
        let due = self.due_at;
        KeyLife {
            account_id: account.to_owned(),
            user: user.to_owned(),
            slot: self.slot,
            created: self.created,
            first_seen: self.first_seen,
            last_seen: self.last_seen,
            due_at: self.due_at,
            status: self.status,
            active: self.active,
            overdue: self.overdue.clone(),
            outcome: self.outcome,
            ended_after: self.ended_after,
            ended_before: self.ended_before,
            deleted_after: None,
            deleted_before: None,
            days_overdue: last.zip(due).map(|(s, due)| days(s.to, due)),
            days_overdue_max: last.zip(due).and_then(|(s, due)| s.until.map(|u| days(u, due))),
            last_used: self.last_used,
            last_used_per_report: self.uses.clone(),
        }
    }
}

/// A rotation underway.
#[derive(Debug)]
struct RotationState {
    old: Timestamp,
    new: Option<Timestamp>,
    started: Timestamp,
    last_seen: Timestamp,
    steps: Vec<StepSpan>,
    stalls: Vec<Stall>,
}

impl RotationState {
    fn record(&self, account: &str, user: &str, outcome: RotationOutcome, before: Option<Timestamp>) -> Rotation {
        Rotation {
            account_id: account.to_owned(),
            user: user.to_owned(),
            old_key: self.old,
            new_key: self.new,
            started: self.started,
            last_seen: self.last_seen,
            steps: self.steps.clone(),
            outcome,
            completed_after: before.map(|_| self.last_seen),
            completed_before: before,
            stalled: !self.stalls.is_empty(),
            stalls: self.stalls.clone(),
        }
    }
}

#[derive(Debug)]
struct UserState {
    /// The name as last seen, when it is not the map's key (the name
    /// lower-cased): most names are lower-case already.
    name: Option<Box<str>>,
    seen: u32,
    keys: Vec<KeyState>,
    /// The plan's step in the report being read.
    step: Option<StepObs>,
    rotation: Option<Box<RotationState>>,
}

impl UserState {
    /// The name as last seen; `lower` is its key in the account's map.
    fn name<'a>(&'a self, lower: &'a str) -> &'a str {
        self.name.as_deref().unwrap_or(lower)
    }
}

/// What an account's report being read adds up to.
#[derive(Debug, Default)]
struct Current {
    newly_overdue: u64,
    remediated: u64,
    /// The days overdue of each key remediated: (at least, at most).
    fixed: Vec<(i64, i64)>,
    /// The overdue key with the earliest due instant: (due, user, created).
    oldest: Option<(Timestamp, Box<str>, Timestamp)>,
}

#[derive(Debug)]
struct AccountState {
    id: Arc<str>,
    /// Reports of it read so far; the one being read is `serial + 1`.
    serial: u32,
    last: Option<(Timestamp, Arc<str>)>,
    /// The file whose rows are being read, and its time.
    reading: Option<(usize, Timestamp)>,
    current: Current,
    users: HashMap<Box<str>, UserState>,
    points: Vec<TrendPoint>,
}

/// The day being added up for the overall trend.
#[derive(Debug)]
struct Day {
    date: NaiveDate,
    latest: Timestamp,
    reports: u64,
    newly_overdue: u64,
    remediated: u64,
    fixed: Vec<(i64, i64)>,
}

/// One input, in the order read.
#[derive(Debug, Clone)]
pub(crate) struct Dated {
    pub(crate) name: Arc<str>,
    pub(crate) time: Timestamp,
    pub(crate) source: TimeSource,
}

/// What the engine hands out as keys and rotations end.
pub(crate) enum Ended {
    Key(KeyLife),
    Rotation(Rotation),
}

/// The history being built.
pub(crate) struct Engine {
    policy: Policy,
    stall_days: u32,
    stall: TimeDelta,
    keep_uses: bool,
    inputs: Vec<Dated>,
    accounts: HashMap<Arc<str>, AccountState>,
    /// The accounts of the file being read, in the order first seen.
    touched: Vec<Arc<str>>,
    file: Option<usize>,
    reports: Vec<HistoryReport>,
    day: Option<Day>,
    overall: Vec<TrendPoint>,
    totals: HistoryTotals,
    /// Days overdue at remediation, at least and at most: value -> keys.
    fixed_at_least: BTreeMap<i64, u64>,
    fixed_at_most: BTreeMap<i64, u64>,
}

/// The median and the 90th percentile of each bound, by nearest rank.
fn remediation(fixed: &[(i64, i64)]) -> Option<Remediation> {
    if fixed.is_empty() {
        return None;
    }
    let mut low: Vec<i64> = fixed.iter().map(|f| f.0).collect();
    let mut high: Vec<i64> = fixed.iter().map(|f| f.1).collect();
    low.sort_unstable();
    high.sort_unstable();
    let rank = |values: &[i64], q: u64| values[nearest_rank(values.len() as u64, q) as usize];
    Some(Remediation {
        median: DayBounds { at_least: rank(&low, 50), at_most: rank(&high, 50) },
        p90: DayBounds { at_least: rank(&low, 90), at_most: rank(&high, 90) },
    })
}

/// The 0-based index of the `q`th percentile of `n` sorted values by
/// nearest rank: the smallest value with at least `q`% of the values at or
/// below it.
fn nearest_rank(n: u64, q: u64) -> u64 {
    (n * q).div_ceil(100).max(1) - 1
}

/// [`remediation`] of values counted in a map.
fn remediation_of(at_least: &BTreeMap<i64, u64>, at_most: &BTreeMap<i64, u64>) -> Option<Remediation> {
    let n: u64 = at_least.values().sum();
    if n == 0 {
        return None;
    }
    let rank = |values: &BTreeMap<i64, u64>, q: u64| {
        let index = nearest_rank(n, q);
        let mut seen = 0;
        for (value, count) in values {
            seen += count;
            if seen > index {
                return *value;
            }
        }
        0
    };
    Some(Remediation {
        median: DayBounds { at_least: rank(at_least, 50), at_most: rank(at_most, 50) },
        p90: DayBounds { at_least: rank(at_least, 90), at_most: rank(at_most, 90) },
    })
}

/// Adds `c` to `total`.
fn add_counts(total: &mut Counts, c: &Counts) {
    total.users += c.users;
    total.users_with_keys += c.users_with_keys;
    total.keys += c.keys;
    total.active_keys += c.active_keys;
    total.pass += c.pass;
    total.due_soon += c.due_soon;
    total.fail += c.fail;
    total.inactive += c.inactive;
    total.invalid += c.invalid;
    total.exempted += c.exempted;
    total.oldest_active_key_age_days = match (total.oldest_active_key_age_days, c.oldest_active_key_age_days) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    total.compliant &= c.compliant;
    for (rule, counts) in &c.rules {
        total.rules.entry(*rule).or_default().merge(counts);
    }
}

impl Engine {
    pub(crate) fn new(policy: Policy, stall_days: u32, keep_uses: bool, inputs: Vec<Dated>) -> Engine {
        Engine {
            policy,
            stall_days,
            stall: TimeDelta::days(i64::from(stall_days)),
            keep_uses,
            inputs,
            accounts: HashMap::new(),
            touched: Vec::new(),
            file: None,
            reports: Vec::new(),
            day: None,
            overall: Vec::new(),
            totals: HistoryTotals::default(),
            fixed_at_least: BTreeMap::new(),
            fixed_at_most: BTreeMap::new(),
        }
    }

    /// Starts reading file `file`, when it is not the one being read: a
    /// new day closes the day before.
    fn start_file(&mut self, file: usize) {
        if self.file == Some(file) {
            return;
        }
        self.file = Some(file);
        let time = self.inputs[file].time;
        if self.day.as_ref().is_some_and(|d| d.date != time.date_naive()) {
            self.close_day();
        }
        let day = self.day.get_or_insert_with(|| Day {
            date: time.date_naive(),
            latest: time,
            reports: 0,
            newly_overdue: 0,
            remediated: 0,
            fixed: Vec::new(),
        });
        day.latest = day.latest.max(time);
    }

    /// Takes in the rows of a batch of file `file`, read by [`observe`].
    pub(crate) fn rows(&mut self, file: usize, batch: &FindingBatch, rows: Vec<RowObs>) -> Result<(), Error> {
        self.start_file(file);
        let (time, keep_uses) = (self.inputs[file].time, self.keep_uses);
        let mut account: Option<Arc<str>> = None;
        for obs in rows {
            let row = &batch.rows[obs.row as usize];
            let id = batch.account(row);
            let id = match &account {
                Some(a) if **a == *id => Arc::clone(a),
                _ => {
                    let entered = self.enter_account(file, id)?;
                    account = Some(Arc::clone(&entered));
                    entered
                }
            };
            let state = self.accounts.get_mut(&id).expect("entered");
            observe_row(state, batch.user(row), obs, time, keep_uses);
        }
        Ok(())
    }

    /// The account `id` as file `file` shows it: entered on its first row,
    /// refused when another report of it has the same time.
    fn enter_account(&mut self, file: usize, id: &str) -> Result<Arc<str>, Error> {
        let Dated { name, time, .. } = &self.inputs[file];
        let state = match self.accounts.get_mut(id) {
            Some(state) => state,
            None => {
                let id: Arc<str> = Arc::from(id);
                self.accounts.entry(Arc::clone(&id)).or_insert_with(|| AccountState {
                    id,
                    serial: 0,
                    last: None,
                    reading: None,
                    current: Current::default(),
                    users: HashMap::new(),
                    points: Vec::new(),
                })
            }
        };
        if state.reading.is_some_and(|(f, _)| f == file) {
            return Ok(Arc::clone(&state.id));
        }
        if let Some((last, source)) = &state.last {
            if last == time {
                return Err(Error::new(
                    ErrorCode::SameReportTime,
                    format!(
                        "`{name}` and `{source}` are two reports of account {id} at the same time, {}: a history needs one report per account per time",
                        format_timestamp(time)
                    ),
                )
                .with_value(name));
            }
        }
        state.reading = Some((file, *time));
        state.current = Current::default();
        self.touched.push(Arc::clone(&state.id));
        Ok(Arc::clone(&state.id))
    }

    /// File `file` has been read whole, with these counts per account:
    /// ends what it no longer shows, and adds each account's point.
    pub(crate) fn end_file(
        &mut self,
        file: usize,
        counts: Vec<(String, Counts)>,
        each: &mut dyn FnMut(Ended) -> Result<(), Error>,
    ) -> Result<(), Error> {
        self.start_file(file);
        let Dated { name, time, source } = self.inputs[file].clone();
        if counts.is_empty() {
            self.reports.push(HistoryReport {
                source: name.to_string(),
                account_id: None,
                time,
                time_source: source,
                counts: Counts::default(),
            });
        }
        let mut by_account: HashMap<String, Counts> = counts.into_iter().collect();
        let touched = std::mem::take(&mut self.touched);
        let mut touched_sorted = touched.clone();
        touched_sorted.sort();
        for id in touched_sorted {
            let counts = by_account.remove(&*id).unwrap_or_default();
            self.reports.push(HistoryReport {
                source: name.to_string(),
                account_id: Some(id.to_string()),
                time,
                time_source: source,
                counts: counts.clone(),
            });
            let state = self.accounts.get_mut(&id).expect("touched");
            let mut ended = Vec::new();
            let point = end_account(state, time, self.stall, &mut ended, &mut self.totals);
            state.reading = None;
            state.last = Some((time, Arc::clone(&name)));
            state.serial += 1;
            let fixed = std::mem::take(&mut state.current.fixed);
            for (low, high) in &fixed {
                *self.fixed_at_least.entry(*low).or_default() += 1;
                *self.fixed_at_most.entry(*high).or_default() += 1;
            }
            let point = TrendPoint { counts, remediation: remediation(&fixed), ..point };
            if let Some(day) = &mut self.day {
                day.reports += 1;
                day.newly_overdue += point.newly_overdue;
                day.remediated += point.remediated;
                day.fixed.extend(fixed);
            }
            self.totals.newly_overdue += point.newly_overdue;
            self.totals.remediated += point.remediated;
            state.points.push(point);
            ended.sort_by(|a, b| match (a, b) {
                (Ended::Key(a), Ended::Key(b)) => (&a.user, a.created).cmp(&(&b.user, b.created)),
                (Ended::Rotation(a), Ended::Rotation(b)) => (&a.user, a.started).cmp(&(&b.user, b.started)),
                (Ended::Key(_), Ended::Rotation(_)) => std::cmp::Ordering::Less,
                (Ended::Rotation(_), Ended::Key(_)) => std::cmp::Ordering::Greater,
            });
            for e in ended {
                each(e)?;
            }
        }
        Ok(())
    }

    /// Adds the overall point of the day being added up.
    fn close_day(&mut self) {
        let Some(day) = self.day.take() else { return };
        let mut counts = Counts::default();
        let (mut accounts, mut open, mut stalled) = (0, 0, 0);
        let mut oldest: Option<&OldestOverdue> = None;
        for state in self.accounts.values() {
            let Some(point) = state.points.last() else { continue };
            accounts += 1;
            add_counts(&mut counts, &point.counts);
            open += point.rotations_open;
            stalled += point.rotations_stalled;
            if let Some(o) = &point.oldest_overdue {
                if oldest.is_none_or(|b| (o.due_at, &o.account_id, &o.user) < (b.due_at, &b.account_id, &b.user)) {
                    oldest = Some(o);
                }
            }
        }
        let oldest_overdue = oldest.cloned();
        self.overall.push(TrendPoint {
            time: day.latest,
            accounts,
            reports: day.reports,
            counts,
            oldest_overdue,
            newly_overdue: day.newly_overdue,
            remediated: day.remediated,
            remediation: remediation(&day.fixed),
            rotations_open: open,
            rotations_stalled: stalled,
        });
    }

    /// Ends the history: every key still shown and every rotation still
    /// open is handed out, by account, user and creation time.
    pub(crate) fn finish(mut self, each: &mut dyn FnMut(Ended) -> Result<(), Error>) -> Result<HistorySummary, Error> {
        self.close_day();
        let mut ids: Vec<Arc<str>> = self.accounts.keys().cloned().collect();
        ids.sort();
        let mut accounts = Vec::new();
        for id in ids {
            let mut state = self.accounts.remove(&id).expect("listed");
            let mut users: Vec<(Box<str>, UserState)> = state.users.drain().collect();
            users.sort_by(|a, b| a.1.name(&a.0).cmp(b.1.name(&b.0)).then_with(|| a.0.cmp(&b.0)));
            for (lower, mut user) in users {
                let name = user.name(&lower).to_owned();
                user.keys.sort_by_key(|k| (k.created, k.ordinal));
                for key in &user.keys {
                    self.totals.keys += 1;
                    if key.status == Status::Fail {
                        self.totals.overdue_now += 1;
                    }
                    each(Ended::Key(key.life(&id, &name)))?;
                }
                if let Some(rotation) = user.rotation.take() {
                    self.totals.rotations += 1;
                    self.totals.rotations_open += 1;
                    if !rotation.stalls.is_empty() {
                        self.totals.rotations_stalled += 1;
                    }
                    each(Ended::Rotation(rotation.record(&id, &name, RotationOutcome::Open, None)))?;
                }
            }
            accounts.push(AccountTrend { account_id: id.to_string(), points: std::mem::take(&mut state.points) });
        }
        self.totals.accounts = accounts.len() as u64;
        self.totals.reports = self.reports.iter().filter(|r| r.account_id.is_some()).count() as u64;
        self.totals.remediation = remediation_of(&self.fixed_at_least, &self.fixed_at_most);
        Ok(HistorySummary {
            policy: self.policy,
            stall_days: self.stall_days,
            reports: self.reports,
            trend: Trend { accounts, overall: self.overall },
            totals: self.totals,
        })
    }
}

/// Takes in one row of `state`'s report at `time`.
fn observe_row(state: &mut AccountState, name: &str, row: RowObs, time: Timestamp, keep_uses: bool) {
    let serial = state.serial + 1;
    let baseline = state.serial == 0;
    let lower: &str = row.lower.as_deref().unwrap_or(name);
    if !state.users.contains_key(lower) {
        // Most users have a key or two: room for two, not the four a first
        // push would make.
        let name = (name != lower).then(|| name.into());
        let user = UserState { name, seen: 0, keys: Vec::with_capacity(2), step: None, rotation: None };
        state.users.insert(lower.into(), user);
    }
    let user = state.users.get_mut(lower).expect("inserted");
    if user.name(lower) != name {
        user.name = (name != lower).then(|| name.into());
    }
    if user.seen != serial {
        user.step = None;
    }
    user.seen = serial;
    if row.step.is_some() {
        user.step = row.step;
    }
    let current = &mut state.current;
    for (i, k) in row.keys.iter().enumerate() {
        let Some(k) = k else { continue };
        let ordinal = row.keys[..i].iter().flatten().filter(|o| o.created == k.created).count() as u8;
        let found = user.keys.iter_mut().find(|s| s.created == k.created && s.ordinal == ordinal && s.seen != serial);
        let key = match found {
            Some(key) => {
                let was_fail = key.status == Status::Fail;
                let was_active = key.active;
                match (was_fail, k.status == Status::Fail) {
                    (false, true) => {
                        key.overdue.reserve_exact(1);
                        key.overdue.push(OverdueSpan { from: time, to: time, until: None });
                        current.newly_overdue += u64::from(!baseline);
                    }
                    (true, true) => {
                        if let Some(span) = key.overdue.last_mut() {
                            span.to = time;
                        }
                    }
                    (true, false) => {
                        if let Some(span) = key.overdue.last_mut() {
                            span.until = Some(time);
                            if let Some(due) = key.due_at.or(k.due_at) {
                                current.fixed.push((days(span.to, due), days(time, due)));
                            }
                        }
                        current.remediated += 1;
                    }
                    (false, false) => {}
                }
                if was_active && !k.active {
                    key.ending = true;
                    key.ended_after = Some(key.last_seen);
                    key.ended_before = Some(time);
                } else if !was_active && k.active {
                    // Made active again: its active life goes on.
                    key.outcome = Outcome::StillOpen;
                    key.ended_after = None;
                    key.ended_before = None;
                }
                key
            }
            None => {
                if k.status == Status::Fail {
                    current.newly_overdue += u64::from(!baseline);
                }
                user.keys.push(KeyState {
                    created: k.created,
                    ordinal,
                    slot: k.slot,
                    seen: serial,
                    first_seen: time,
                    last_seen: time,
                    due_at: k.due_at,
                    status: k.status,
                    active: k.active,
                    last_used: k.last_used,
                    uses: keep_uses.then(|| vec![LastUse { seen: time, last_used: k.last_used }]),
                    overdue: if k.status == Status::Fail {
                        vec![OverdueSpan { from: time, to: time, until: None }]
                    } else {
                        Vec::new()
                    },
                    outcome: Outcome::StillOpen,
                    ended_after: None,
                    ended_before: (!k.active).then_some(time),
                    ending: !k.active,
                    claimed: false,
                });
                user.keys.last_mut().expect("pushed")
            }
        };
        if key.last_used != k.last_used {
            if let Some(uses) = &mut key.uses {
                uses.push(LastUse { seen: time, last_used: k.last_used });
            }
        }
        key.seen = serial;
        key.slot = k.slot;
        key.last_seen = time;
        key.status = k.status;
        key.active = k.active;
        key.last_used = k.last_used;
        key.due_at = k.due_at.or(key.due_at);
        if k.status == Status::Fail {
            if let Some(due) = k.due_at {
                let older = current.oldest.as_ref().is_none_or(|(d, u, c)| (due, name, k.created) < (*d, &**u, *c));
                if older {
                    current.oldest = Some((due, name.into(), k.created));
                }
            }
        }
    }
}

/// Ends what `state`'s report at `time` no longer shows, decides the
/// outcomes of the keys whose active life ended, moves the rotations on,
/// and makes the account's point (its counts and remediation filled in by
/// the caller).
fn end_account(
    state: &mut AccountState,
    time: Timestamp,
    stall: TimeDelta,
    ended: &mut Vec<Ended>,
    totals: &mut HistoryTotals,
) -> TrendPoint {
    let serial = state.serial + 1;
    let id = Arc::clone(&state.id);
    let current = &mut state.current;
    let (mut open, mut stalled) = (0, 0);
    state.users.retain(|lower, user| {
        let name: &str = user.name.as_deref().unwrap_or(lower);
        let present = user.seen == serial;
        if !present {
            user.step = None;
        }
        // The keys whose active life ended now, oldest first, each take the
        // oldest newer active key no other has taken: a rotation.
        let mut order: Vec<usize> = (0..user.keys.len()).collect();
        order.sort_by_key(|&i| (user.keys[i].created, user.keys[i].ordinal));
        for &i in &order {
            let key = &user.keys[i];
            let gone_active = key.seen != serial && key.active && key.outcome == Outcome::StillOpen;
            if !(key.ending || gone_active) {
                continue;
            }
            let created = key.created;
            let replacement = order.iter().copied().find(|&j| {
                let n = &user.keys[j];
                j != i && n.seen == serial && n.active && !n.claimed && !n.ending && n.created > created
            });
            if let Some(j) = replacement {
                user.keys[j].claimed = true;
            }
            let key = &mut user.keys[i];
            key.ending = false;
            key.outcome = match (replacement.is_some(), key.seen == serial) {
                (true, _) => Outcome::Rotated,
                (false, true) => Outcome::Deactivated,
                (false, false) => Outcome::Deleted,
            };
            if key.seen != serial {
                key.ended_after = Some(key.last_seen);
                key.ended_before = Some(time);
            }
        }
        // Move the rotation on, before the keys it names are dropped.
        if let Some(rotation) = &mut user.rotation {
            let old_present = user.keys.iter().any(|k| k.created == rotation.old && k.seen == serial);
            match (present, old_present, user.step) {
                (false, _, _) => {
                    ended.push(Ended::Rotation(rotation.record(&id, name, RotationOutcome::UserDeleted, Some(time))));
                    count_rotation(totals, rotation, false);
                    user.rotation = None;
                }
                (true, true, Some(step)) => advance(rotation, step, &user.keys, serial, time, stall),
                (true, _, _) => {
                    if rotation.new.is_none() {
                        rotation.new = replacement(rotation, &user.keys, serial);
                    }
                    ended.push(Ended::Rotation(rotation.record(&id, name, RotationOutcome::Completed, Some(time))));
                    count_rotation(totals, rotation, true);
                    user.rotation = None;
                }
            }
        }
        if let (None, Some(step)) = (&user.rotation, user.step) {
            if let Some(old) = step.old {
                let mut rotation = RotationState {
                    old,
                    new: None,
                    started: time,
                    last_seen: time,
                    steps: Vec::new(),
                    stalls: Vec::new(),
                };
                advance(&mut rotation, step, &user.keys, serial, time, stall);
                user.rotation = Some(Box::new(rotation));
            }
        }
        if let Some(rotation) = &user.rotation {
            open += 1;
            stalled += u64::from(!rotation.stalls.is_empty());
        }
        // The keys it no longer shows are gone.
        user.keys.retain_mut(|key| {
            if key.seen == serial {
                return true;
            }
            if key.status == Status::Fail {
                if let Some(span) = key.overdue.last_mut() {
                    span.until = Some(time);
                    if let Some(due) = key.due_at {
                        current.fixed.push((days(span.to, due), days(time, due)));
                    }
                }
                current.remediated += 1;
            }
            let mut life = key.life(&id, name);
            life.deleted_after = Some(key.last_seen);
            life.deleted_before = Some(time);
            totals.keys += 1;
            ended.push(Ended::Key(life));
            false
        });
        present
    });
    let oldest_overdue = current.oldest.take().map(|(due, user, created)| OldestOverdue {
        account_id: id.to_string(),
        user: user.into_string(),
        created,
        due_at: due,
        days_overdue: days(time, due),
    });
    TrendPoint {
        time,
        accounts: 1,
        reports: 1,
        counts: Counts::default(),
        oldest_overdue,
        newly_overdue: current.newly_overdue,
        remediated: current.remediated,
        remediation: None,
        rotations_open: open,
        rotations_stalled: stalled,
    }
}

/// The oldest active key of the report `serial` made after the rotation's
/// old key and not overdue itself: its replacement, when the plan names
/// none.
fn replacement(rotation: &RotationState, keys: &[KeyState], serial: u32) -> Option<Timestamp> {
    keys.iter()
        .filter(|k| k.seen == serial && k.active && k.status != Status::Fail && k.created > rotation.old)
        .map(|k| k.created)
        .min()
}

fn count_rotation(totals: &mut HistoryTotals, rotation: &RotationState, completed: bool) {
    totals.rotations += 1;
    totals.rotations_completed += u64::from(completed);
    totals.rotations_stalled += u64::from(!rotation.stalls.is_empty());
}

/// Records the rotation's step in the report at `time`, finds its new key,
/// and notes its stalls.
fn advance(
    rotation: &mut RotationState,
    step: StepObs,
    keys: &[KeyState],
    serial: u32,
    time: Timestamp,
    stall: TimeDelta,
) {
    rotation.last_seen = time;
    // A replacement deleted before the old key was is no replacement.
    if rotation.new.is_some_and(|n| !keys.iter().any(|k| k.created == n && k.seen == serial)) {
        rotation.new = None;
    }
    match rotation.steps.last_mut() {
        Some(span) if span.step == step.step => {
            span.last_seen = time;
            span.reports += 1;
        }
        _ => {
            // Held for every user with a rotation underway: no spare room.
            rotation.steps.reserve_exact(1);
            rotation.steps.push(StepSpan { step: step.step, first_seen: time, last_seen: time, reports: 1 });
        }
    }
    if rotation.new.is_none() {
        rotation.new = step.new.filter(|n| *n > rotation.old).or_else(|| replacement(rotation, keys, serial));
    }
    let span = *rotation.steps.last().expect("pushed");
    let waits = matches!(span.step, StepCode::ScheduleRotation | StepCode::WaitBeforeDelete);
    if !waits && span.last_seen.signed_duration_since(span.first_seen) > stall {
        let stall_of = Stall {
            kind: StallKind::SameStep,
            step: Some(span.step),
            since: span.first_seen,
            until: span.last_seen,
            days: days(span.last_seen, span.first_seen),
        };
        match rotation.stalls.iter_mut().find(|s| s.kind == StallKind::SameStep && s.since == span.first_seen) {
            Some(s) => *s = stall_of,
            None => {
                rotation.stalls.reserve_exact(1);
                rotation.stalls.push(stall_of);
            }
        }
    }
    if let Some(new) = rotation.new {
        let old_use = keys.iter().find(|k| k.created == rotation.old && k.seen == serial).and_then(|k| k.last_used);
        if let Some(LastUsed::At(used)) = old_use {
            let made = floor_minute(new);
            if used.signed_duration_since(made) > stall {
                let stall_of =
                    Stall { kind: StallKind::OldKeyInUse, step: None, since: new, until: used, days: days(used, made) };
                match rotation.stalls.iter_mut().find(|s| s.kind == StallKind::OldKeyInUse) {
                    Some(s) if s.until < used => *s = stall_of,
                    Some(_) => {}
                    None => {
                        rotation.stalls.reserve_exact(1);
                        rotation.stalls.push(stall_of);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{step_of, StepObs};
    use crate::drive::run::Run;
    use crate::judge::cis::Rule;
    use crate::judge::policy::Options;
    use crate::judge::rule::Finding;
    use crate::plan::steps::plan_row;
    use std::path::Path;

    /// Every row of every golden case that judges: the plan's step, and
    /// the history's reading of it, agree.
    #[test]
    fn the_history_reads_each_row_s_step_as_the_plan_decides_it() {
        let cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/cases");
        let mut rows = 0;
        for case in std::fs::read_dir(&cases).expect("the cases") {
            let dir = case.expect("a case").path();
            let Ok(options) = std::fs::read_to_string(dir.join("options.json")) else { continue };
            let Ok(options) = Options::from_json(&options) else { continue };
            let Some(input) = std::fs::read_dir(&dir)
                .expect("a folder")
                .filter_map(Result::ok)
                .map(|e| e.path())
                .find(|p| p.file_stem().is_some_and(|s| s == "input"))
            else {
                continue;
            };
            let bytes = std::fs::read(&input).expect("an input");
            let mut batches = Vec::new();
            let judged = Run::new(&options).threads(1).report(&bytes[..], |batch| {
                batches.push(batch);
                Ok::<(), crate::error::Error>(())
            });
            if judged.is_err() {
                continue;
            }
            for batch in &batches {
                let mut findings = batch.findings().peekable();
                for row in &batch.rows {
                    let mut mine = Vec::new();
                    while let Some(f) = findings.next_if(|f| f.line() == row.line) {
                        if f.rule() == Rule::AccessKeyRotated {
                            mine.push(f);
                        }
                    }
                    let owned: Vec<Finding> = mine.iter().map(|f| f.to_finding()).collect();
                    let refs: Vec<&Finding> = owned.iter().collect();
                    let planned = plan_row(&refs, batch.policy(), batch.as_of()).map(|s| StepObs::of(&s));
                    let read = step_of(&mine, row.is_root, batch.policy(), batch.as_of());
                    let view = |s: Option<StepObs>| s.map(|s| (s.step, s.old, s.new));
                    assert_eq!(view(read), view(planned), "{}: line {}", dir.display(), row.line);
                    rows += 1;
                }
            }
        }
        assert!(rows > 300, "{rows} rows");
    }
}
