//! What changed from one report to a newer one of the same accounts: keys
//! rotated, created and deleted, users added and removed, and keys that
//! became, stayed or stopped being overdue. Keys are matched by user and
//! creation time (`last_rotated`), never by slot: slots move.

use crate::error::Error;
use crate::input::reader::Report;
use crate::input::report::Row;
use crate::input::value::{format_timestamp, ser_opt_ts, ser_ts, Timestamp};
use crate::judge::policy::{AsOfSource, Options, Policy};
use crate::judge::rule::{judge_key, Finding, Status};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// A stable identifier for a [`Change`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ChangeCode {
    /// A key was replaced by a newer one (the old one is gone, a newer one
    /// appeared).
    Rotated,
    /// A key that was not overdue is now, or a new key is already overdue.
    NewlyOverdue,
    /// A key overdue in the old report is still overdue.
    StillOverdue,
    /// A key overdue in the old report no longer is (deactivated, say).
    Fixed,
    /// A key of the old report is gone, with no newer key in its place.
    KeyDeleted,
    /// A key appeared that does not replace one.
    KeyCreated,
    /// A user appeared.
    UserAdded,
    /// A user is gone.
    UserRemoved,
}

impl ChangeCode {
    /// Every change code, in the order of the contract (and of a diff's
    /// changes of one user).
    pub const ALL: [ChangeCode; 8] = [
        ChangeCode::Rotated,
        ChangeCode::NewlyOverdue,
        ChangeCode::StillOverdue,
        ChangeCode::Fixed,
        ChangeCode::KeyDeleted,
        ChangeCode::KeyCreated,
        ChangeCode::UserAdded,
        ChangeCode::UserRemoved,
    ];
}

crate::error::codes!(ChangeCode, "change", "changes" {
    Rotated => "rotated",
    NewlyOverdue => "newly_overdue",
    StillOverdue => "still_overdue",
    Fixed => "fixed",
    KeyDeleted => "key_deleted",
    KeyCreated => "key_created",
    UserAdded => "user_added",
    UserRemoved => "user_removed",
});

/// One key of a change, as one report shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ChangedKey {
    /// The slot in that report.
    pub slot: u8,
    /// The key's creation time: what matches it across reports.
    #[serde(serialize_with = "ser_opt_ts")]
    #[cfg_attr(feature = "ts", ts(type = "Timestamp | null"))]
    pub last_rotated: Option<Timestamp>,
    /// Its status in that report, judged at that report's `as_of`.
    pub status: Status,
    /// Whether it is active.
    pub active: bool,
}

impl ChangedKey {
    fn of(f: &Finding) -> ChangedKey {
        ChangedKey {
            slot: f.slot.unwrap_or_default(),
            last_rotated: f.last_rotated,
            status: f.status,
            active: f.active,
        }
    }
}

/// One change between the reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Change {
    /// What changed.
    pub change: ChangeCode,
    /// The account id.
    pub account_id: String,
    /// The user name.
    pub user: String,
    /// The key as the old report shows it.
    pub old_key: Option<ChangedKey>,
    /// The key as the new report shows it.
    pub new_key: Option<ChangedKey>,
    /// For `still_overdue` and `newly_overdue`: whole days overdue at the
    /// new report's `as_of`.
    pub overdue_days: Option<i64>,
    /// A sentence for people.
    pub message: String,
}

/// One side of a diff: when it was judged and why then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DiffSide {
    /// The evaluation instant of this report.
    #[serde(serialize_with = "ser_ts")]
    #[cfg_attr(feature = "ts", ts(type = "Timestamp"))]
    pub as_of: Timestamp,
    /// Where it came from.
    pub as_of_source: AsOfSource,
    /// The report's `GeneratedTime`, when its input carried one.
    #[serde(serialize_with = "ser_opt_ts")]
    #[cfg_attr(feature = "ts", ts(type = "Timestamp | null"))]
    pub generated_time: Option<Timestamp>,
    /// The number of keys in the report.
    pub keys: u64,
    /// The number of failing keys.
    pub fail: u64,
}

/// The changes from an older report to a newer one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Diff {
    /// The policy both reports were judged by.
    pub policy: Policy,
    /// The older report.
    pub old: DiffSide,
    /// The newer report.
    pub new: DiffSide,
    /// How many changes of each kind.
    pub counts: BTreeMap<ChangeCode, u64>,
    /// Every change: users in the new report's order, then users removed.
    pub changes: Vec<Change>,
}

impl Diff {
    /// Whether a key became overdue (the command's exit status 1).
    pub fn became_overdue(&self) -> bool {
        self.changes.iter().any(|c| c.change == ChangeCode::NewlyOverdue)
    }
}

/// When each report is judged, for [`diff`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiffTimes {
    /// The old report's `as_of`; else its `GeneratedTime`, else its newest
    /// timestamp.
    pub old_as_of: Option<Timestamp>,
    /// The new report's `as_of`; else its `GeneratedTime`, else
    /// [`Options::clock`].
    pub new_as_of: Option<Timestamp>,
}

fn newest(report: &Report) -> Option<Timestamp> {
    report.rows.iter().flat_map(Row::timestamps).max()
}

struct Judged<'r> {
    side: DiffSide,
    /// (account, lower-case user) -> (row, findings), in input order.
    users: Vec<((String, String), &'r Row, Vec<Finding>)>,
}

/// Which report of a diff.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Old,
    New,
}

fn judge_report<'r>(
    report: &'r Report,
    side: Side,
    policy: &Policy,
    explicit: Option<Timestamp>,
    fallback: Option<(Timestamp, AsOfSource)>,
) -> Result<Judged<'r>, Error> {
    let (as_of, as_of_source) = match (explicit, report.generated_time, fallback) {
        (Some(t), _, _) => (t, AsOfSource::Explicit),
        (None, Some(t), _) => (t, AsOfSource::Report),
        (None, None, Some(f)) => f,
        (None, None, None) => {
            let (message, option) = match side {
                Side::Old => (
                    "the old report has no GeneratedTime and no timestamp to judge it at: give `old_as_of`",
                    "old_as_of",
                ),
                Side::New => ("the new report has no GeneratedTime to judge it at: give `as_of`", "as_of"),
            };
            return Err(Error::new(crate::error::ErrorCode::InvalidAsOf, message).at_column(option));
        }
    };
    let mut users = Vec::new();
    let (mut keys, mut fail) = (0, 0);
    for row in &report.rows {
        let findings: Vec<Finding> = (0..2).filter_map(|slot| judge_key(row, slot, policy, as_of)).collect();
        keys += findings.len() as u64;
        fail += findings.iter().filter(|f| f.status == Status::Fail).count() as u64;
        users.push(((row.account_id.clone(), row.user.to_lowercase()), row, findings));
    }
    Ok(Judged { side: DiffSide { as_of, as_of_source, generated_time: report.generated_time, keys, fail }, users })
}

/// Compares two reports of the same accounts, each judged at its own time
/// (see [`DiffTimes`]) under the policy of `options`.
///
/// ```
/// use keyrot::{diff, parse_timestamp, Options};
/// use keyrot::read::parse;
/// use keyrot::diff::{ChangeCode, DiffTimes};
/// let header = "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n";
/// let old = format!("{header}ci,arn:aws:iam::111122223333:user/ci,true,2026-01-01T00:00:00Z,false,N/A\n");
/// let new = format!("{header}ci,arn:aws:iam::111122223333:user/ci,true,2026-11-20T00:00:00Z,false,N/A\n");
/// let times = DiffTimes {
///     old_as_of: parse_timestamp("2026-11-01T00:00:00Z"),
///     new_as_of: parse_timestamp("2026-11-26T00:00:00Z"),
/// };
/// let d = diff(
///     &parse(old.as_bytes(), &Default::default()).unwrap(),
///     &parse(new.as_bytes(), &Default::default()).unwrap(),
///     &Options::default(),
///     &times,
/// ).unwrap();
/// assert_eq!(d.changes[0].change, ChangeCode::Rotated);
/// assert!(!d.became_overdue());
/// ```
pub fn diff(old: &Report, new: &Report, options: &Options, times: &DiffTimes) -> Result<Diff, Error> {
    let policy = options.policy();
    policy.validate()?;
    let old_j =
        judge_report(old, Side::Old, &policy, times.old_as_of, newest(old).map(|t| (t, AsOfSource::NewestTimestamp)))?;
    let new_j = judge_report(new, Side::New, &policy, times.new_as_of, options.clock.map(|t| (t, AsOfSource::Clock)))?;
    let new_as_of = new_j.side.as_of;

    let mut old_users: HashMap<&(String, String), (&Row, &Vec<Finding>)> = HashMap::new();
    for (key, row, findings) in &old_j.users {
        old_users.entry(key).or_insert((row, findings));
    }
    let mut changes = Vec::new();
    let mut seen_new: HashMap<&(String, String), ()> = HashMap::new();
    for (key, row, findings) in &new_j.users {
        if seen_new.insert(key, ()).is_some() {
            continue;
        }
        let change = |code, old_key: Option<&Finding>, new_key: Option<&Finding>, message: String| Change {
            change: code,
            account_id: row.account_id.clone(),
            user: row.user.clone(),
            old_key: old_key.map(ChangedKey::of),
            new_key: new_key.map(ChangedKey::of),
            overdue_days: new_key.filter(|f| f.status == Status::Fail).and_then(|f| f.days_until_due).map(|d| -d),
            message,
        };
        let Some((_, old_findings)) = old_users.get(key) else {
            changes.push(change(
                ChangeCode::UserAdded,
                None,
                None,
                format!("user added with {} key(s)", findings.len()),
            ));
            for f in findings {
                changes.push(change(ChangeCode::KeyCreated, None, Some(f), describe_new(f)));
                if f.status == Status::Fail {
                    changes.push(change(ChangeCode::NewlyOverdue, None, Some(f), overdue_message(f, new_as_of)));
                }
            }
            continue;
        };
        // Match keys by creation time.
        let mut unmatched_old: Vec<&Finding> = Vec::new();
        let mut matched_new = vec![false; findings.len()];
        for o in old_findings.iter() {
            let found = findings
                .iter()
                .enumerate()
                .find(|(i, n)| !matched_new[*i] && n.last_rotated.is_some() && n.last_rotated == o.last_rotated);
            match found {
                Some((i, n)) => {
                    matched_new[i] = true;
                    match (o.status == Status::Fail, n.status == Status::Fail) {
                        (false, true) => changes.push(change(
                            ChangeCode::NewlyOverdue,
                            Some(o),
                            Some(n),
                            overdue_message(n, new_as_of),
                        )),
                        (true, true) => changes.push(change(
                            ChangeCode::StillOverdue,
                            Some(o),
                            Some(n),
                            format!("still {}", overdue_message(n, new_as_of)),
                        )),
                        (true, false) => changes.push(change(
                            ChangeCode::Fixed,
                            Some(o),
                            Some(n),
                            format!("the key created {} is no longer overdue: now {}", when(n.last_rotated), n.status),
                        )),
                        (false, false) => {}
                    }
                }
                None => unmatched_old.push(o),
            }
        }
        let mut unmatched_new: Vec<&Finding> =
            findings.iter().zip(&matched_new).filter(|(_, m)| !**m).map(|(f, _)| f).collect();
        // Pair each gone key with a newer key that appeared: a rotation.
        unmatched_old.sort_by_key(|f| f.last_rotated);
        unmatched_new.sort_by_key(|f| f.last_rotated);
        let mut remaining_new = Vec::new();
        for n in unmatched_new {
            let pair = unmatched_old.iter().position(|o| match (o.last_rotated, n.last_rotated) {
                (Some(a), Some(b)) => b > a,
                _ => false,
            });
            match pair {
                Some(i) => {
                    let o = unmatched_old.remove(i);
                    changes.push(change(
                        ChangeCode::Rotated,
                        Some(o),
                        Some(n),
                        format!(
                            "the key created {} was replaced by one created {}",
                            when(o.last_rotated),
                            when(n.last_rotated)
                        ),
                    ));
                    if n.status == Status::Fail {
                        changes.push(change(ChangeCode::NewlyOverdue, None, Some(n), overdue_message(n, new_as_of)));
                    }
                }
                None => remaining_new.push(n),
            }
        }
        for o in unmatched_old {
            changes.push(change(
                ChangeCode::KeyDeleted,
                Some(o),
                None,
                format!("the key created {} is gone", when(o.last_rotated)),
            ));
        }
        for n in remaining_new {
            changes.push(change(ChangeCode::KeyCreated, None, Some(n), describe_new(n)));
            if n.status == Status::Fail {
                changes.push(change(ChangeCode::NewlyOverdue, None, Some(n), overdue_message(n, new_as_of)));
            }
        }
    }
    let mut removed: HashMap<&(String, String), ()> = HashMap::new();
    for (key, row, findings) in &old_j.users {
        if seen_new.contains_key(key) || removed.insert(key, ()).is_some() {
            continue;
        }
        changes.push(Change {
            change: ChangeCode::UserRemoved,
            account_id: row.account_id.clone(),
            user: row.user.clone(),
            old_key: None,
            new_key: None,
            overdue_days: None,
            message: format!("user removed, with {} key(s)", findings.len()),
        });
    }
    let mut counts = BTreeMap::new();
    for c in &changes {
        *counts.entry(c.change).or_insert(0) += 1;
    }
    Ok(Diff { policy, old: old_j.side, new: new_j.side, counts, changes })
}

fn when(t: Option<Timestamp>) -> String {
    t.map(|t| format_timestamp(&t)).unwrap_or_else(|| "at an unknown time".to_owned())
}

fn describe_new(f: &Finding) -> String {
    format!("a key created {} appeared in slot {} ({})", when(f.last_rotated), f.slot.unwrap_or_default(), f.status)
}

fn overdue_message(f: &Finding, as_of: Timestamp) -> String {
    format!(
        "the key created {} is overdue since {} ({} days at {})",
        when(f.last_rotated),
        when(f.due_at),
        f.days_until_due.map(|d| -d).unwrap_or_default(),
        format_timestamp(&as_of)
    )
}
