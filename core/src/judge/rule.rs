//! The rule (rotation-rule.md §1.2 to §1.4): which keys are judged, their
//! status, and what each finding carries.

use crate::input::report::{AccessKey, Row};
use crate::input::value::{
    decimal, format_timestamp, ser_opt_ts, with_timestamp_text, Field, Timestamp, RFC3339_SECONDS,
};
use crate::judge::cis::{Rule, Severity};
use crate::judge::policy::{Checks, Granularity, Policy};
use serde::{Serialize, Serializer};

/// Seconds in a day.
const DAY: i64 = 86_400;

/// The status of one key (rotation-rule.md §1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The data cannot be judged; counts as non-compliant (fail closed).
    Invalid,
    /// Active and over the limit.
    Fail,
    /// Active, within the limit, but within `warn_days` of it.
    DueSoon,
    /// Active and within the limit.
    Pass,
    /// Not active (and not failing under `include_inactive`).
    Inactive,
}

impl Status {
    /// Every status, in the order used for counts and reports.
    pub const ALL: [Status; 5] = [Status::Fail, Status::Invalid, Status::DueSoon, Status::Pass, Status::Inactive];

    /// Reads a status from its `snake_case` string (a `-` is taken as `_`).
    ///
    /// ```
    /// assert_eq!(keyrot::Status::parse("due-soon"), Some(keyrot::Status::DueSoon));
    /// ```
    pub fn parse(text: &str) -> Option<Status> {
        text.parse().ok()
    }

    /// How a person reads the status: `Fail`, `Invalid`, `Due soon`,
    /// `Pass`, `Inactive` (the page's labels).
    pub const fn label(self) -> &'static str {
        match self {
            Status::Invalid => "Invalid",
            Status::Fail => "Fail",
            Status::DueSoon => "Due soon",
            Status::Pass => "Pass",
            Status::Inactive => "Inactive",
        }
    }

    /// Whether the status makes the report non-compliant.
    pub fn is_non_compliant(self) -> bool {
        matches!(self, Status::Invalid | Status::Fail)
    }
}

crate::error::codes!(Status, "status", "statuses" {
    Invalid => "invalid",
    Fail => "fail",
    DueSoon => "due_soon",
    Pass => "pass",
    Inactive => "inactive",
});

impl Severity {
    /// The severity of a finding of `rule` with `status`, on the root user's
    /// row or not. `fail` and `invalid` (which fails closed) take the rule's
    /// severity, one level up for the root user's keys; `due_soon` is low;
    /// `pass` and `inactive` are info.
    ///
    /// ```
    /// use keyrot::cis::Severity;
    /// use keyrot::{Rule, Status};
    /// assert_eq!(Severity::of(Rule::AccessKeyRotated, Status::Fail, false), Severity::High);
    /// assert_eq!(Severity::of(Rule::AccessKeyRotated, Status::Fail, true), Severity::Critical);
    /// assert_eq!(Severity::of(Rule::RootMfa, Status::Fail, true), Severity::Critical);
    /// assert_eq!(Severity::of(Rule::ConsolePasswordUnused, Status::Invalid, false), Severity::Medium);
    /// assert_eq!(Severity::of(Rule::OneActiveKey, Status::DueSoon, false), Severity::Low);
    /// assert_eq!(Severity::of(Rule::RootMfa, Status::Pass, true), Severity::Info);
    /// ```
    pub const fn of(rule: Rule, status: Status, is_root: bool) -> Severity {
        match status {
            Status::Pass | Status::Inactive => Severity::Info,
            Status::DueSoon => Severity::Low,
            Status::Fail | Status::Invalid => match rule {
                Rule::RootAccessKey | Rule::RootMfa => Severity::Critical,
                Rule::AccessKeyRotated | Rule::AccessKeyUnused if is_root => Severity::Critical,
                Rule::AccessKeyRotated | Rule::RootRecentUse | Rule::ConsoleUserMfa => Severity::High,
                Rule::AccessKeyUnused | Rule::ConsolePasswordUnused => Severity::Medium,
                Rule::OneActiveKey | Rule::NoKeyAtSetup => Severity::Low,
            },
        }
    }
}

/// Why a finding is `invalid`, or the special case it is: the finding's
/// `code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FindingCode {
    /// Active with `last_rotated = N/A`, or `last_rotated` neither `N/A` nor
    /// a timestamp (`no_information`, `not_supported`, empty).
    NoRotationDate,
    /// `last_rotated` is later than `as_of`.
    FutureTimestamp,
    /// A cell of this slot failed to parse (lenient mode), or the row's
    /// fields could not be assigned to columns.
    RowError,
    /// The slot holds a key but its `active` cell is not a boolean (`N/A`,
    /// `no_information`, `not_supported` or empty).
    NoActiveFlag,
    /// A cell a check reads (`password_enabled`, `mfa_active`,
    /// `user_creation_time`, `password_last_used`) holds no value it can
    /// judge.
    UnreadableCell,
    /// `one_active_key`, `due_soon`: the second active key is the new key of
    /// a rotation in progress.
    RotationInProgress,
}

crate::error::codes!(FindingCode, "finding code", "finding codes" {
    NoRotationDate => "no_rotation_date",
    FutureTimestamp => "future_timestamp",
    RowError => "row_error",
    NoActiveFlag => "no_active_flag",
    UnreadableCell => "unreadable_cell",
    RotationInProgress => "rotation_in_progress",
});

/// When a key was last used, as the report tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = r#"Timestamp | "never" | "no_information""#))]
pub enum LastUsed {
    /// Last used at this instant (minute precision from AWS).
    At(Timestamp),
    /// `N/A` for a key created on or after 2015-04-22, when AWS began
    /// tracking use: the key has never been used.
    Never,
    /// Unknown: `N/A` for an older key (unused since tracking began, or never
    /// used), `no_information`, `not_supported`, or an unreadable cell.
    NoInformation,
}

impl LastUsed {
    /// The instant, when known.
    pub fn at(self) -> Option<Timestamp> {
        match self {
            LastUsed::At(t) => Some(t),
            _ => None,
        }
    }
}

impl Serialize for LastUsed {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            LastUsed::At(t) => s.serialize_str(&format_timestamp(t)),
            LastUsed::Never => s.serialize_str("never"),
            LastUsed::NoInformation => s.serialize_str("no_information"),
        }
    }
}

/// An accepted exception to the rule (see the exemptions file). A finding it
/// matches keeps its status but does not count against compliance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Exemption {
    /// The account id, or `*`.
    pub account: String,
    /// The user name, exact or a glob.
    pub user: String,
    /// The slot, when the exemption is for one key only.
    pub slot: Option<u8>,
    /// The rules it exempts, when it names them (else the rotation rule
    /// alone).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub rules: Option<Vec<Rule>>,
    /// Why the exception is accepted.
    pub reason: String,
    /// Who accepted it.
    pub owner: String,
    /// The last day (UTC) it is in force, `YYYY-MM-DD`.
    pub expires: String,
}

/// The verdict on one key (rotation-rule.md §1.4), or of another check on
/// a key or a user (the README's "The other CIS checks").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Finding {
    /// The check, when the run labels its findings (it asked for more than
    /// the rotation rule, or for a CIS version); absent otherwise, where
    /// every finding is `access_key_rotated`'s. [`Finding::rule`] reads it
    /// either way.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub rule: Option<Rule>,
    /// The check's recommendation number in the run's CIS version (`null`
    /// when that version has none), with [`rule`](Finding::rule).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub cis: Option<Option<String>>,
    /// The account id from the row's ARN.
    pub account_id: String,
    /// The user name (`<root_account>` for the root row).
    pub user: String,
    /// The row's ARN.
    pub arn: String,
    /// Whether the row is the root account's.
    pub is_root: bool,
    /// The slot, 1 or 2; `None` for a check about the user, not a key.
    pub slot: Option<u8>,
    /// The status.
    pub status: Status,
    /// How much it matters: from the rule, the status and the root user
    /// ([`Severity::of`]).
    pub severity: Severity,
    /// Whether the key is active (`false` when the flag is unreadable, and
    /// for a check about the user).
    pub active: bool,
    /// When the key was created or last rotated.
    #[serde(serialize_with = "ser_opt_ts")]
    #[cfg_attr(feature = "ts", ts(type = "Timestamp | null"))]
    pub last_rotated: Option<Timestamp>,
    /// The age in whole days, floored (negative for a future date).
    pub age_days: Option<i64>,
    /// `last_rotated + max_age_days`; `None` when not representable.
    #[serde(serialize_with = "ser_opt_ts")]
    #[cfg_attr(feature = "ts", ts(type = "Timestamp | null"))]
    pub due_at: Option<Timestamp>,
    /// Whole days from `as_of` to `due_at`, floored: negative exactly when
    /// the key is overdue.
    pub days_until_due: Option<i64>,
    /// When the key was last used; `None` in the legacy layout.
    pub last_used: Option<LastUsed>,
    /// The region of the last use (`None` for `N/A`).
    pub last_used_region: Option<String>,
    /// The service of the last use (`None` for `N/A`).
    pub last_used_service: Option<String>,
    /// Whether the key has been used since it was last rotated; `None` when
    /// unknown.
    pub used_since_rotation: Option<bool>,
    /// The exemption in force that matched this finding, if any.
    pub exempted: Option<Exemption>,
    /// A sentence a person can read.
    pub reason: String,
    /// Why the finding is `invalid`, or its special case; `None` otherwise.
    pub code: Option<FindingCode>,
    /// The 1-based line of the row.
    pub line: u64,
}

/// A finding with the report it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SourcedFinding {
    /// The report's name.
    pub source: String,
    /// The finding.
    #[serde(flatten)]
    pub finding: Finding,
}

/// The key findings sort by in triage order, the one order every face
/// shows them in: the most severe first; among equals, those that count
/// against compliance before exempted ones, then the furthest over its
/// limit (fewest days until due, most negative first), then the oldest key.
/// Input order breaks the remaining ties (sort stably).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Triage {
    severity: Severity,
    exempted: bool,
    days_until_due: i64,
    younger: i64,
}

impl Triage {
    /// The key as two numbers that sort as it does (for sorting a million
    /// findings by a small key): severity and exemption, then days until
    /// due, in the first; the age, reversed, in the second.
    pub(crate) fn packed(&self) -> (i64, u32) {
        let head = (self.severity as i64) << 1 | i64::from(self.exempted);
        let due = self.days_until_due.clamp(-(1 << 40), 1 << 40) + (1 << 40);
        let younger = self.younger.clamp(-(1 << 31), (1 << 31) - 1) + (1 << 31);
        (head << 42 | due, younger as u32)
    }

    /// The triage key of a finding with these values.
    pub fn of(severity: Severity, exempted: bool, days_until_due: Option<i64>, age_days: Option<i64>) -> Triage {
        Triage {
            severity,
            exempted,
            days_until_due: days_until_due.unwrap_or(i64::MAX),
            younger: age_days.map_or(i64::MAX, |a| -a),
        }
    }
}

impl Finding {
    /// The finding's place in triage order ([`Triage`]).
    ///
    /// ```
    /// use keyrot::{analyze, parse_timestamp, Options};
    /// let csv = "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n\
    ///            young,arn:aws:iam::111122223333:user/young,true,2026-11-01T00:00:00Z,false,N/A\n\
    ///            old,arn:aws:iam::111122223333:user/old,true,2025-01-01T00:00:00Z,false,N/A\n\
    ///            <root_account>,arn:aws:iam::111122223333:root,true,2026-06-01T00:00:00Z,false,N/A\n";
    /// let mut findings = analyze(csv.as_bytes(), &Options::at(parse_timestamp("2026-11-26T00:00:00Z").unwrap()))?.findings;
    /// findings.sort_by_key(|f| f.triage());
    /// let order: Vec<&str> = findings.iter().map(|f| f.user.as_str()).collect();
    /// assert_eq!(order, ["<root_account>", "old", "young"]); // the root's key is critical
    /// # Ok::<(), keyrot::Error>(())
    /// ```
    pub fn triage(&self) -> Triage {
        Triage::of(self.severity, self.exempted.is_some(), self.days_until_due, self.age_days)
    }

    /// The check the finding is of.
    pub fn rule(&self) -> Rule {
        self.rule.unwrap_or(Rule::AccessKeyRotated)
    }
}

/// What the rule reads of one access-key slot, borrowed from a typed
/// [`Row`] or from the fast scanner's view of a row.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KeyCells<'a> {
    pub active: &'a Field<bool>,
    pub last_rotated: &'a Field<Timestamp>,
    pub last_used_date: &'a Field<Timestamp>,
    /// The region or the service cell could not be read (lenient mode).
    pub text_invalid: bool,
}

impl<'a> KeyCells<'a> {
    pub(crate) fn of(key: &'a AccessKey) -> KeyCells<'a> {
        KeyCells {
            active: &key.active,
            last_rotated: &key.last_rotated,
            last_used_date: &key.last_used_date,
            text_invalid: key.last_used_region.is_invalid() || key.last_used_service.is_invalid(),
        }
    }

    /// The slot holds a key; see [`AccessKey::is_present`].
    pub(crate) fn is_present(&self) -> bool {
        !self.last_rotated.is_not_applicable()
            || matches!(self.active, Field::Value(true))
            || self.active.is_invalid()
            || self.last_used_date.is_invalid()
            || self.text_invalid
    }

    fn has_bad_cell(&self) -> bool {
        self.active.is_invalid()
            || self.last_rotated.is_invalid()
            || self.last_used_date.is_invalid()
            || self.text_invalid
    }
}

/// What the reason sentence of a finding needs beyond the verdict's numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Detail {
    /// `row_error`: what could not be read.
    RowError(String),
    /// `no_active_flag`: how the flag reads.
    NoActiveFlag(&'static str),
    /// `no_rotation_date`: how `last_rotated` reads.
    NoRotationDate(&'static str),
    /// A check's finding: the evidence its sentence is written from
    /// ([`write_check_reason`]).
    Check(Evidence),
}

/// The verdict on one key without the row's text: everything a [`Finding`]
/// holds but the names, the exemption and the reason, which is written only
/// when asked for ([`Verdict::write_reason`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Verdict {
    pub rule: Rule,
    /// 1 or 2; 0 for a check about the user.
    pub slot: u8,
    pub status: Status,
    pub code: Option<FindingCode>,
    pub active: bool,
    pub last_rotated: Option<Timestamp>,
    // A verdict is held for every key of a table: `age_days`, `due_at` and
    // `days_until_due` follow from `last_rotated` and `as_of` and are not
    // held (104 bytes became 40). `Option<LastUsed>` is held as a
    // timestamp and a byte (see [`Verdict::last_used`]).
    pub used_at: Option<Timestamp>,
    pub used_kind: u8,
    pub used_since_rotation: Option<bool>,
    /// `None` when the sentence follows from the status and the numbers.
    pub detail: Option<Box<Detail>>,
}

/// A timestamp written in the contract's form, without a `String` in the
/// common case.
pub(crate) struct Ts(pub Timestamp);

impl std::fmt::Display for Ts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        with_timestamp_text(&self.0, |text| f.write_str(text))
    }
}

/// Writes an integer without the formatting machinery.
fn num<W: std::fmt::Write>(out: &mut W, n: i64) -> std::fmt::Result {
    out.write_str(decimal(n, &mut [0; 20]))
}

/// Writes a timestamp in the contract's form.
fn timestamp<W: std::fmt::Write>(out: &mut W, t: Timestamp) -> std::fmt::Result {
    with_timestamp_text(&t, |text| out.write_str(text))
}

impl Verdict {
    /// When the key was last used.
    pub(crate) fn last_used(&self) -> Option<LastUsed> {
        match (self.used_kind, self.used_at) {
            (1, Some(t)) => Some(LastUsed::At(t)),
            (2, _) => Some(LastUsed::Never),
            (3 | USED_BEFORE_TRACKING | USED_NOT_SUPPORTED | USED_EMPTY, _) => Some(LastUsed::NoInformation),
            _ => None,
        }
    }

    /// What the `last_used_date` cell of a key whose use is
    /// `no_information` says: `no_information`, `N/A` (on a key made before
    /// AWS began recording use, 2015-04-22), `not_supported` or empty.
    pub(crate) fn unknown_use_cell(&self) -> &'static str {
        match self.used_kind {
            USED_BEFORE_TRACKING => "`N/A`",
            USED_NOT_SUPPORTED => "`not_supported`",
            USED_EMPTY => "empty",
            _ => "`no_information`",
        }
    }

    /// `last_used` as [`Verdict::last_used`] reads it back.
    pub(crate) fn held_last_used(last_used: Option<LastUsed>) -> (Option<Timestamp>, u8) {
        match last_used {
            None => (None, 0),
            Some(LastUsed::At(t)) => (Some(t), 1),
            Some(LastUsed::Never) => (None, 2),
            Some(LastUsed::NoInformation) => (None, 3),
        }
    }

    /// Whole days from `last_rotated` to `as_of`, floored (negative for a
    /// date after `as_of`); `None` without a date, or beyond 32 bits.
    pub(crate) fn age_days(&self, as_of: Timestamp) -> Option<i64> {
        let t = self.last_rotated?;
        let now = (as_of.timestamp(), i64::from(as_of.timestamp_subsec_nanos()));
        let days = span(now, (t.timestamp(), i64::from(t.timestamp_subsec_nanos()))).0.div_euclid(DAY);
        i32::try_from(days).ok().map(i64::from)
    }

    /// The check's recommendation number in the run's CIS version.
    pub(crate) fn cis(&self, checks: &Checks) -> Option<&'static str> {
        self.rule.recommendation(checks.cis_version).map(|r| r.number)
    }

    /// When the key is due: `last_rotated + max_age_days`, the last instant
    /// it passes (a second later it fails); under whole days,
    /// `last_rotated + max_age_days + 1 day`, the first instant its whole
    /// days exceed the limit. `None` when past year 9999 (not an RFC 3339
    /// timestamp), and for a check other than the rotation rule.
    pub(crate) fn due_at(&self, policy: &Policy) -> Option<Timestamp> {
        let (secs, nanos) = self.due_epoch(policy)?;
        Timestamp::from_timestamp(secs, nanos)
    }

    /// [`due_at`](Verdict::due_at) as seconds since the epoch and
    /// nanoseconds, without building a date.
    fn due_epoch(&self, policy: &Policy) -> Option<(i64, u32)> {
        if self.rule != Rule::AccessKeyRotated {
            return None;
        }
        let t = self.last_rotated?;
        let limit = i64::from(policy.max_age_days) + i64::from(policy.granularity == Granularity::WholeDays);
        let secs = t.timestamp() + limit * DAY;
        // A due date past year 9999 has no RFC 3339 form.
        RFC3339_SECONDS.contains(&secs).then_some((secs, t.timestamp_subsec_nanos()))
    }

    /// Whole days from `as_of` to `due_at`, floored: negative exactly when
    /// the key is overdue. Under whole days, the limit less the whole days
    /// of age (`due_at` is then the first failing instant, not the last
    /// passing one).
    pub(crate) fn days_until_due(&self, policy: &Policy, as_of: Timestamp) -> Option<i64> {
        let (due, nanos) = self.due_epoch(policy)?;
        if policy.granularity == Granularity::WholeDays {
            return self.age_days(as_of).map(|age| i64::from(policy.max_age_days) - age);
        }
        let now = (as_of.timestamp(), i64::from(as_of.timestamp_subsec_nanos()));
        Some(span((due, i64::from(nanos)), now).0.div_euclid(DAY))
    }

    /// Writes the finding's `reason` sentence.
    pub(crate) fn write_reason<W: std::fmt::Write>(
        &self,
        checks: &Checks,
        policy: &Policy,
        as_of: Timestamp,
        out: &mut W,
    ) -> std::fmt::Result {
        // Written piece by piece rather than with `write!`: a report of a
        // million keys writes a million of these.
        let state = if self.active { "active" } else { "inactive" };
        let max = i64::from(policy.max_age_days);
        let days = self.age_days(as_of).unwrap_or_default();
        let old = |out: &mut W| -> std::fmt::Result {
            num(out, days)?;
            out.write_str(if days == 1 || days == -1 { " day" } else { " days" })
        };
        match (self.detail.as_deref(), self.status) {
            (Some(Detail::RowError(what)), _) => {
                out.write_str("cannot judge this key: ")?;
                out.write_str(what)
            }
            (Some(Detail::NoActiveFlag(flag)), _) => {
                write!(out, "the key has a rotation date but its active flag is {flag}, not true or false")
            }
            // A check's sentence, from its evidence (a key the rotation
            // rule could not read keeps that rule's sentence, above).
            (Some(Detail::Check(_)), _) => write_check_reason(self, checks, policy, as_of, out),
            _ if self.rule != Rule::AccessKeyRotated => write_check_reason(self, checks, policy, as_of, out),
            (Some(Detail::NoRotationDate(lit)), _) => {
                write!(out, "{state} key has no rotation date (last_rotated is {lit})")
            }
            (None, Status::Invalid) => write!(
                out,
                "rotation date {} is later than as_of {}: is as_of right? It is before this key was made",
                Ts(self.last_rotated.unwrap_or_default()),
                Ts(as_of)
            ),
            (None, Status::Fail) => {
                out.write_str(state)?;
                out.write_str(" key ")?;
                old(out)?;
                out.write_str(" old; limit ")?;
                num(out, max)?;
                if let Some(due) = self.due_at(policy) {
                    out.write_str("; overdue since ")?;
                    timestamp(out, due)?;
                }
                if !self.active {
                    out.write_str(" (inactive keys count: include_inactive)")?;
                }
                Ok(())
            }
            (None, Status::Inactive) => {
                out.write_str("inactive key ")?;
                old(out)?;
                out.write_str(" old")
            }
            (None, Status::DueSoon) => {
                out.write_str("active key ")?;
                old(out)?;
                out.write_str(" old; due by ")?;
                if let Some(due) = self.due_at(policy) {
                    timestamp(out, due)?;
                }
                out.write_str(" (limit ")?;
                num(out, max)?;
                out.write_str(")")
            }
            (None, Status::Pass) => {
                out.write_str("active key ")?;
                old(out)?;
                out.write_str(" old; limit ")?;
                num(out, max)
            }
        }
    }

    /// The finding's `reason` sentence.
    pub(crate) fn reason(&self, checks: &Checks, policy: &Policy, as_of: Timestamp) -> String {
        let mut s = String::with_capacity(64);
        // Writing into a String cannot fail.
        let _ = self.write_reason(checks, policy, as_of, &mut s);
        s
    }
}

/// [`Verdict::used_kind`]s of a use that is `no_information` for another
/// reason than the cell saying so, told apart for the reason's sake: `N/A`
/// on a key made before AWS began recording use, `not_supported`, empty.
const USED_BEFORE_TRACKING: u8 = 4;
const USED_NOT_SUPPORTED: u8 = 5;
const USED_EMPTY: u8 = 6;

/// 2015-04-22T00:00:00Z, when AWS began tracking access-key use, in
/// seconds since the epoch.
const TRACKING_START: i64 = 1_429_660_800;

/// `a - b` for instants as (seconds, nanoseconds), normalised so that the
/// nanoseconds are in `0..1e9`.
fn span(a: (i64, i64), b: (i64, i64)) -> (i64, i64) {
    let (mut secs, mut nanos) = (a.0 - b.0, a.1 - b.1);
    if nanos < 0 {
        secs -= 1;
        nanos += 1_000_000_000;
    }
    (secs, nanos)
}

/// How a cell that holds no value reads in a sentence.
pub(crate) fn literal_name<T>(field: &Field<T>) -> &'static str {
    match field {
        Field::NotApplicable => "`N/A`",
        Field::NoInformation => "`no_information`",
        Field::NotSupported => "`not_supported`",
        Field::Empty => "empty",
        Field::Absent => "missing",
        Field::Invalid(_) => "unreadable",
        Field::Value(_) => "a value",
    }
}

/// Judges one present slot (rotation-rule.md §1.3). `problem` says what
/// could not be read, for a malformed row or a slot with a bad cell.
pub(crate) fn judge_cells(
    key: KeyCells<'_>,
    slot: u8,
    malformed: bool,
    problem: impl FnOnce() -> String,
    policy: &Policy,
    as_of: Timestamp,
) -> Verdict {
    let active = matches!(key.active, Field::Value(true));
    let last_rotated = key.last_rotated.value().copied();
    // The arithmetic is done on whole seconds since the epoch and
    // nanoseconds: a span (s, n) with 0 <= n < 1e9 is s + n/1e9 seconds, so
    // `s` is the span floored to the second.
    let limit = i64::from(policy.max_age_days) * DAY;
    let now = (as_of.timestamp(), i64::from(as_of.timestamp_subsec_nanos()));
    let rotated = last_rotated.map(|t| (t.timestamp(), i64::from(t.timestamp_subsec_nanos())));
    let age = rotated.map(|r| span(now, r));
    let age_days = age.map(|(secs, _)| secs.div_euclid(DAY));

    let last_used = match key.last_used_date {
        Field::Absent => None,
        Field::Value(t) => Some(LastUsed::At(*t)),
        Field::NotApplicable => match rotated {
            Some((secs, _)) if secs >= TRACKING_START => Some(LastUsed::Never),
            _ => Some(LastUsed::NoInformation),
        },
        _ => Some(LastUsed::NoInformation),
    };
    let used_since_rotation = match (last_used, rotated) {
        (Some(LastUsed::At(used)), Some((secs, _))) => {
            // AWS truncates last use to the minute: compare at that precision.
            Some(used.timestamp() >= secs - secs.rem_euclid(60))
        }
        (Some(LastUsed::Never), _) => Some(false),
        _ => None,
    };

    let (status, code, detail) = if malformed || key.has_bad_cell() {
        (Status::Invalid, Some(FindingCode::RowError), Some(Detail::RowError(problem())))
    } else if !matches!(key.active, Field::Value(_)) {
        let flag = match key.active {
            Field::NotApplicable => "`N/A`",
            Field::NoInformation => "`no_information`",
            Field::NotSupported => "`not_supported`",
            _ => "empty",
        };
        (Status::Invalid, Some(FindingCode::NoActiveFlag), Some(Detail::NoActiveFlag(flag)))
    } else if last_rotated.is_none() {
        (
            Status::Invalid,
            Some(FindingCode::NoRotationDate),
            Some(Detail::NoRotationDate(literal_name(key.last_rotated))),
        )
    } else if age.is_some_and(|(secs, _)| secs < 0) {
        (Status::Invalid, Some(FindingCode::FutureTimestamp), None)
    } else {
        let age = age.unwrap_or_default();
        let days = age_days.unwrap_or_default();
        let warn = i64::from(policy.warn_days);
        // Exact: more than the limit fails, to the second. Whole days: more
        // whole days than the limit fails. `due_soon` is the last
        // `warn_days` before that, in the same unit.
        let (over, soon) = match policy.granularity {
            Granularity::Exact => (age > (limit, 0), age > (limit - warn * DAY, 0)),
            Granularity::WholeDays => {
                let max = i64::from(policy.max_age_days);
                (days > max, days > max - warn)
            }
        };
        let status = if over && (active || policy.include_inactive) {
            Status::Fail
        } else if !active {
            Status::Inactive
        } else if warn > 0 && soon {
            Status::DueSoon
        } else {
            Status::Pass
        };
        (status, None, None)
    };
    let (used_at, mut used_kind) = Verdict::held_last_used(last_used);
    if last_used == Some(LastUsed::NoInformation) {
        used_kind = match key.last_used_date {
            Field::NotApplicable => USED_BEFORE_TRACKING,
            Field::NotSupported => USED_NOT_SUPPORTED,
            Field::Empty => USED_EMPTY,
            _ => used_kind,
        };
    }
    Verdict {
        rule: Rule::AccessKeyRotated,
        slot,
        status,
        code,
        active,
        last_rotated,
        used_at,
        used_kind,
        used_since_rotation,
        detail: detail.map(Box::new),
    }
}

// The other checks' sentences (`judge::checks` judges them).

/// What the sentence of a check's finding needs that the verdict does not
/// hold: numbers and names, kept as they are judged and written out only
/// when an output asks for the reason ([`write_check_reason`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Evidence {
    /// A flag cell (`column`) reads `reads`, not true or false.
    Flag { column: &'static str, reads: &'static str },
    /// `user_creation_time` reads `reads`, not a date.
    CreationTime { reads: &'static str },
    /// `password_last_used` is unreadable.
    PasswordUsedUnreadable,
    /// `password_last_used` reads `used`, and neither other date is one.
    PasswordNoBasis { used: &'static str },
    /// A console password's idle time is counted from `at`.
    Password { basis: PasswordBasis, at: Timestamp },
    /// The root user's active keys: their slots, `n` of them.
    RootKeys { slots: [u8; 2], n: u8 },
    /// The root user was last used at `last`, by its password (`by` 0) or
    /// the access key of slot `by`.
    RootUse { last: Timestamp, by: u8 },
    /// The user was created at `created` (the key's date is the verdict's).
    Setup { created: Timestamp },
}

/// What a console password's idle time is counted from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PasswordBasis {
    /// `password_last_used`.
    Used,
    /// `password_last_changed`; `password_last_used` reads the literal.
    Changed(&'static str),
    /// `user_creation_time`; `password_last_used` reads the literal.
    Created(&'static str),
}

/// Seconds from `t` to `as_of` (negative when `t` is later).
pub(crate) fn since(t: Timestamp, as_of: Timestamp) -> i64 {
    let (secs, nanos) = (as_of.timestamp() - t.timestamp(), as_of.timestamp_subsec_nanos() as i64);
    secs - i64::from(nanos < i64::from(t.timestamp_subsec_nanos()))
}

/// A span of seconds in words: `600 s`, `2 h 5 min`, `3 days 4 h`.
fn span_text(secs: i64) -> String {
    let (d, h, m) = (secs.div_euclid(DAY), secs.rem_euclid(DAY) / 3600, secs.rem_euclid(3600) / 60);
    match (d, h) {
        (0, 0) if secs < 60 || secs % 60 != 0 => format!("{secs} s"),
        (0, 0) => format!("{m} min"),
        (0, h) => format!("{h} h {m} min"),
        (d, 0) => days(d),
        (d, h) => format!("{} {h} h", days(d)),
    }
}

fn days(n: i64) -> String {
    format!("{n} day{}", if n == 1 || n == -1 { "" } else { "s" })
}

/// What an active key's idle time is counted from: its last use, or its
/// rotation date when it was never used or its use is unknown; `None` when
/// there is neither.
pub(crate) fn use_basis(k: &Verdict) -> Option<Timestamp> {
    match (k.last_used(), k.last_rotated) {
        (Some(LastUsed::At(t)), _) => Some(t),
        (_, r) => r,
    }
}

/// Writes what [`use_basis`] counts from, in words.
fn write_use_basis<W: std::fmt::Write>(k: &Verdict, out: &mut W) -> std::fmt::Result {
    match (k.last_used(), k.last_rotated) {
        (Some(LastUsed::At(t)), _) => write!(out, "last used {}", Ts(t)),
        (Some(LastUsed::Never), Some(r)) => write!(out, "never used since it was created {}", Ts(r)),
        (Some(LastUsed::NoInformation), Some(r)) if k.unknown_use_cell() == "`N/A`" => write!(
            out,
            "last_used_date is `N/A` on a key made {} (before 2015-04-22, when AWS began recording use), so its use is unknown and counted from that date",
            Ts(r)
        ),
        (Some(LastUsed::NoInformation), Some(r)) => write!(
            out,
            "last use unknown (last_used_date is {}), so counted from its rotation date {}",
            k.unknown_use_cell(),
            Ts(r)
        ),
        (None, Some(r)) => write!(out, "last use not in the report (legacy layout), so counted from {}", Ts(r)),
        (_, None) => Ok(()),
    }
}

/// Seconds from the user's creation to the key's date, and whether that is
/// within `setup_seconds` (the key was made at setup).
pub(crate) fn made_at_setup(checks: &Checks, created: Timestamp, k: &Verdict) -> (i64, bool) {
    let after = since(created, k.last_rotated.unwrap_or_default());
    (after, (0..=i64::from(checks.setup_seconds)).contains(&after))
}

/// Writes the reason of a check's finding (`v.rule` is not the rotation
/// rule) from its evidence, the run's settings and `as_of`: the sentence the
/// check would have written when it judged, written only now. A key the
/// rotation rule could not read is written by the rotation rule's own
/// sentence ([`Verdict::write_reason`]) before this is asked.
pub(crate) fn write_check_reason<W: std::fmt::Write>(
    v: &Verdict,
    checks: &Checks,
    policy: &Policy,
    as_of: Timestamp,
    out: &mut W,
) -> std::fmt::Result {
    let evidence = match v.detail.as_deref() {
        Some(Detail::Check(e)) => Some(e),
        _ => None,
    };
    let limit = checks.unused_days;
    match (evidence, v.rule, v.status) {
        (Some(Evidence::Flag { column, reads }), _, _) => {
            write!(out, "cannot judge: `{column}` is {reads}, not true or false")
        }
        (Some(Evidence::CreationTime { reads }), _, _) => write!(out, "cannot judge: `user_creation_time` is {reads}"),
        (Some(Evidence::PasswordUsedUnreadable), _, _) => {
            out.write_str("cannot judge: `password_last_used` is unreadable")
        }
        (Some(Evidence::PasswordNoBasis { used }), _, _) => write!(
            out,
            "cannot judge: password_last_used is {used} and neither password_last_changed nor user_creation_time is a date"
        ),
        (Some(Evidence::Password { basis, at }), _, status) => {
            match basis {
                PasswordBasis::Used => write!(out, "password last used {}", Ts(*at))?,
                PasswordBasis::Changed(used) => {
                    write!(out, "password never used (password_last_used is {used}) since it was set {}", Ts(*at))?
                }
                PasswordBasis::Created(used) => write!(
                    out,
                    "password never used (password_last_used is {used}) since the user was created {}",
                    Ts(*at)
                )?,
            }
            if v.code == Some(FindingCode::FutureTimestamp) {
                return write!(out, ", later than as_of {}", Ts(as_of));
            }
            let end = if status == Status::Fail { ": disable console access" } else { "" };
            write!(out, ": {} without use; limit {limit}{end}", days(since(*at, as_of).div_euclid(DAY)))
        }
        (Some(Evidence::RootKeys { slots, n }), _, _) => {
            let n = *n;
            out.write_str("the root user has ")?;
            write!(out, "{n} active access key{} (slot {}", if n == 1 { "" } else { "s" }, slots[0])?;
            if n > 1 {
                write!(out, " and {}", slots[1])?;
            }
            write!(
                out,
                "); root should have none: delete {} (see the plan's remove_root_key)",
                if n == 1 { "it" } else { "them" }
            )
        }
        (Some(Evidence::RootUse { last, by }), _, status) => {
            let how = |out: &mut W| match by {
                0 => out.write_str("password"),
                slot => write!(out, "access key {slot}"),
            };
            let ago = since(*last, as_of);
            if status == Status::Fail {
                out.write_str("the root user's ")?;
                how(out)?;
                write!(out, " was used {} (", Ts(*last))?;
                if ago < 0 {
                    out.write_str("later than as_of")?;
                } else {
                    write!(out, "{} before as_of", span_text(ago))?;
                }
                write!(
                    out,
                    "); a use within {} fails: use IAM users or roles for daily work",
                    days(i64::from(checks.root_use_days))
                )
            } else {
                write!(out, "the root user was last used {} (", Ts(*last))?;
                how(out)?;
                write!(out, "), {} ago", days(ago.div_euclid(DAY)))
            }
        }
        (Some(Evidence::Setup { created }), _, status) => {
            let (after, at_setup) = made_at_setup(checks, *created, v);
            if status == Status::Fail {
                write!(
                    out,
                    "active key made {} after the user (created {}), never used, on a user with a console password: delete it",
                    span_text(after),
                    Ts(*created)
                )
            } else {
                let why = if at_setup { "made at setup but used since" } else { "not made at user setup" };
                write!(out, "active key {why} (made {} after the user)", span_text(after))
            }
        }
        (None, Rule::AccessKeyUnused, Status::Inactive) => out.write_str("inactive key: not judged for use"),
        (None, Rule::AccessKeyUnused, status) => match v.code {
            Some(FindingCode::NoRotationDate) => out.write_str(
                "cannot judge use: the key was never used or its use is unknown, and it has no rotation date to count from",
            ),
            Some(FindingCode::FutureTimestamp) => {
                write_use_basis(v, out)?;
                write!(out, ", later than as_of {}", Ts(as_of))
            }
            _ => {
                out.write_str("active key ")?;
                write_use_basis(v, out)?;
                let idle = use_basis(v).map(|t| since(t, as_of)).unwrap_or_default();
                let end = if status == Status::Fail { ": deactivate it" } else { "" };
                write!(out, ": {} without use; limit {limit}{end}", days(idle.div_euclid(DAY)))
            }
        },
        (None, Rule::RootAccessKey, _) => out.write_str("the root user has no active access key"),
        (None, Rule::RootMfa, Status::Pass) => out.write_str("the root user has MFA"),
        (None, Rule::RootMfa, _) => out.write_str("the root user has no MFA device (mfa_active is false)"),
        (None, Rule::RootRecentUse, _) => out.write_str("the root user has no recorded use"),
        (None, Rule::ConsoleUserMfa, Status::Pass) => out.write_str("console password with MFA"),
        (None, Rule::ConsoleUserMfa, _) => {
            out.write_str("the user has a console password and no MFA device (mfa_active is false)")
        }
        (None, Rule::OneActiveKey, Status::Pass) => write!(out, "one active key (slot {})", v.slot),
        (None, Rule::OneActiveKey, Status::DueSoon) => write!(
            out,
            "two active keys, but slot {} is the new key of a rotation in progress (the old key is over the {}-day limit): finish the rotation plan's steps, then one key remains",
            v.slot, policy.max_age_days
        ),
        (None, Rule::OneActiveKey, _) if v.slot > 0 => write!(
            out,
            "two active keys: the rotation that made the slot {} key {} is older than the {}-day window and unfinished, while the old key is over the {}-day limit: finish it (the plan's next step), then one key remains",
            v.slot,
            Ts(v.last_rotated.unwrap_or_default()),
            checks.rotation_window_days,
            policy.max_age_days,
        ),
        (None, Rule::OneActiveKey, _) => {
            out.write_str("two active keys (slots 1 and 2); keep one: deactivate the other once nothing uses it")
        }
        (None, Rule::NoKeyAtSetup, _) => out.write_str("cannot judge: the key has no creation date"),
        (None, _, _) => Ok(()),
    }
}

/// The text of a row a finding carries.
pub(crate) struct RowText<'a> {
    pub account_id: &'a str,
    pub user: &'a str,
    pub arn: &'a str,
    pub is_root: bool,
    pub region: Option<&'a str>,
    pub service: Option<&'a str>,
    pub line: u64,
}

impl Verdict {
    /// The owned finding, with its reason written out.
    pub(crate) fn to_finding(&self, text: &RowText<'_>, checks: &Checks, policy: &Policy, as_of: Timestamp) -> Finding {
        Finding {
            rule: checks.labelled.then_some(self.rule),
            cis: checks.labelled.then(|| self.cis(checks).map(str::to_owned)),
            account_id: text.account_id.to_owned(),
            user: text.user.to_owned(),
            arn: text.arn.to_owned(),
            is_root: text.is_root,
            slot: (self.slot > 0).then_some(self.slot),
            status: self.status,
            severity: Severity::of(self.rule, self.status, text.is_root),
            active: self.active,
            last_rotated: self.last_rotated,
            age_days: self.age_days(as_of),
            due_at: self.due_at(policy),
            days_until_due: self.days_until_due(policy, as_of),
            last_used: self.last_used(),
            last_used_region: text.region.map(str::to_owned),
            last_used_service: text.service.map(str::to_owned),
            used_since_rotation: self.used_since_rotation,
            exempted: None,
            reason: self.reason(checks, policy, as_of),
            code: self.code,
            line: text.line,
        }
    }
}

/// Judges the slot `slot` (0 or 1) of a typed row and returns the verdict, or
/// `None` when the slot is empty.
pub(crate) fn judge_row_slot(row: &Row, slot: usize, policy: &Policy, as_of: Timestamp) -> Option<Verdict> {
    let key = KeyCells::of(&row.access_keys[slot]);
    if !row.malformed && !key.is_present() {
        return None;
    }
    let problem = || {
        let prefix = format!("access_key_{}_", slot + 1);
        row.problems
            .iter()
            .find(|p| row.malformed || p.column().is_some_and(|c| c.starts_with(&prefix)))
            .map_or_else(|| "a cell of this key could not be read".to_owned(), |p| p.to_string())
    };
    Some(judge_cells(key, slot as u8 + 1, row.malformed, problem, policy, as_of))
}

/// Judges one slot of a row; `None` when the slot is empty.
pub(crate) fn judge_key(row: &Row, slot: usize, policy: &Policy, as_of: Timestamp) -> Option<Finding> {
    let verdict = judge_row_slot(row, slot, policy, as_of)?;
    Some(verdict.to_finding(&RowText::of(row, verdict.slot), &Checks::default(), policy, as_of))
}

impl<'a> RowText<'a> {
    /// The text of a typed row, with the key of `slot` (0 for none).
    pub(crate) fn of(row: &'a Row, slot: u8) -> RowText<'a> {
        let key = (slot > 0).then(|| &row.access_keys[usize::from(slot) - 1]);
        RowText {
            account_id: &row.account_id,
            user: &row.user,
            arn: &row.arn,
            is_root: row.is_root,
            region: key.and_then(|k| k.last_used_region.value()).map(String::as_str),
            service: key.and_then(|k| k.last_used_service.value()).map(String::as_str),
            line: row.line,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn judge_key_examples() {
        use crate::input::report::Row;
        use crate::input::value::Field;
        use crate::{parse_timestamp, Policy, Status};
        let mut row = Row::default();
        row.access_keys[0].active = Field::Value(true);
        row.access_keys[0].last_rotated = Field::Value(parse_timestamp("2026-08-28T00:00:00Z").unwrap());
        row.access_keys[1].active = Field::Value(false);
        row.access_keys[1].last_rotated = Field::NotApplicable;
        let as_of = parse_timestamp("2026-11-26T00:00:00Z").unwrap();
        let finding = judge_key(&row, 0, &Policy::default(), as_of).unwrap();
        assert_eq!(finding.status, Status::DueSoon); // exactly 90 days passes
        assert!(judge_key(&row, 1, &Policy::default(), as_of).is_none()); // slot 2 is empty
    }

    use crate::input::value::parse_timestamp;
    use chrono::{TimeZone, Utc};

    fn one_key(active: bool, rotated: &str) -> Row {
        let mut row = Row::default();
        row.access_keys[0].active = Field::Value(active);
        row.access_keys[0].last_rotated = Field::Value(parse_timestamp(rotated).unwrap());
        row.access_keys[1].active = Field::Value(false);
        row.access_keys[1].last_rotated = Field::NotApplicable;
        row
    }

    fn judge(rotated: &str) -> Finding {
        let as_of = parse_timestamp("2026-11-26T00:00:00Z").unwrap();
        judge_key(&one_key(true, rotated), 0, &Policy::default(), as_of).unwrap()
    }

    #[test]
    fn days_are_floored_below_a_second() {
        // Half a second in the future: day -1, not day 0.
        let f = judge("2026-11-26T00:00:00.5Z");
        assert_eq!((f.status, f.code, f.age_days), (Status::Invalid, Some(FindingCode::FutureTimestamp), Some(-1)));
        // Overdue by half a second: days_until_due is negative, as for any overdue key.
        let f = judge("2026-08-27T23:59:59.5Z");
        assert_eq!((f.status, f.age_days, f.days_until_due), (Status::Fail, Some(90), Some(-1)));
        // Half a second short of the limit: not overdue.
        let f = judge("2026-08-28T00:00:00.5Z");
        assert_eq!((f.status, f.age_days, f.days_until_due), (Status::DueSoon, Some(89), Some(0)));
    }

    #[test]
    fn spans_floor_toward_minus_infinity() {
        let days = |a: (i64, i64), b: (i64, i64)| span(a, b).0.div_euclid(DAY);
        assert_eq!(days((0, 0), (0, 0)), 0);
        assert_eq!(span((0, 0), (0, 1)), (-1, 999_999_999));
        assert_eq!(days((0, 0), (0, 1)), -1);
        assert_eq!(days((DAY - 1, 999_999_999), (0, 0)), 0);
        assert_eq!(days((DAY, 0), (0, 0)), 1);
        assert_eq!(days((-DAY, 0), (0, 0)), -1);
        assert_eq!(days((-DAY, 0), (0, 1)), -2);
    }

    #[test]
    fn tracking_start_is_the_day_aws_began() {
        let start = Utc.with_ymd_and_hms(2015, 4, 22, 0, 0, 0).single().unwrap();
        assert_eq!(start.timestamp(), TRACKING_START);
    }
}
