//! The credential report's other CIS checks (the README's "The other CIS checks"): unused
//! keys and passwords, the root user's keys, MFA and use, console users'
//! MFA, two active keys, and keys made at user setup. They are judged in the
//! same pass over the report as the rotation rule, from the same cells, and
//! become findings of the same record model, told apart by their
//! [`Rule`].

use crate::input::report::Row;
use crate::input::value::{Field, Timestamp};
use crate::judge::cis::Rule;
use crate::judge::policy::{Checks, Granularity, Policy};
use crate::judge::rule::{
    judge_row_slot, literal_name, Detail, Finding, FindingCode, LastUsed, RowText, Status, Ts, Verdict,
};

/// Seconds in a day.
const DAY: i64 = 86_400;

/// The cells of a row the checks read beyond the access keys'.
#[derive(Debug, Clone, Copy)]
pub(crate) struct UserCells<'a> {
    pub is_root: bool,
    pub user_creation_time: &'a Field<Timestamp>,
    pub password_enabled: &'a Field<bool>,
    pub password_last_used: &'a Field<Timestamp>,
    pub password_last_changed: &'a Field<Timestamp>,
    pub mfa_active: &'a Field<bool>,
}

impl<'a> UserCells<'a> {
    /// The cells of a typed row.
    pub(crate) fn of(row: &'a Row) -> UserCells<'a> {
        UserCells {
            is_root: row.is_root,
            user_creation_time: &row.user_creation_time,
            password_enabled: &row.password_enabled,
            password_last_used: &row.password_last_used,
            password_last_changed: &row.password_last_changed,
            mfa_active: &row.mfa_active,
        }
    }
}

/// Judges a typed row under every rule of `checks`: the rotation rule's
/// findings (when it is judged), then the other checks'.
pub(crate) fn judge_typed(row: &Row, checks: &Checks, policy: &Policy, as_of: Timestamp) -> Vec<Verdict> {
    let keys = [0, 1].map(|slot| judge_row_slot(row, slot, policy, as_of));
    let mut out = Vec::new();
    if checks.rules.has_checks() {
        judge_row(checks, &UserCells::of(row), [keys[0].as_ref(), keys[1].as_ref()], policy, as_of, |v| out.push(v));
    }
    if checks.rules.contains(Rule::AccessKeyRotated) {
        out.splice(0..0, keys.into_iter().flatten());
    }
    out
}

/// A finding of a check: the key's evidence when it is about a key, and
/// what its sentence needs beyond the verdict's own numbers (`None` when the
/// rule, the status, the code and the key's evidence say it all).
fn verdict(
    rule: Rule,
    key: Option<&Verdict>,
    status: Status,
    code: Option<FindingCode>,
    evidence: Option<Evidence>,
) -> Verdict {
    Verdict {
        rule,
        slot: key.map_or(0, |k| k.slot),
        status,
        code,
        active: key.is_some_and(|k| k.active),
        last_rotated: key.and_then(|k| k.last_rotated),
        used_at: key.and_then(|k| k.used_at),
        used_kind: key.map_or(0, |k| k.used_kind),
        used_since_rotation: key.and_then(|k| k.used_since_rotation),
        detail: evidence.map(|e| Box::new(Detail::Check(e))),
    }
}

fn invalid(rule: Rule, key: Option<&Verdict>, code: FindingCode, evidence: Option<Evidence>) -> Verdict {
    verdict(rule, key, Status::Invalid, Some(code), evidence)
}

/// What the sentence of a check's finding needs that the verdict does not
/// hold: numbers and names, kept as they are judged and written out only
/// when an output asks for the reason ([`write_reason`]).
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
fn since(t: Timestamp, as_of: Timestamp) -> i64 {
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

/// The status of a credential idle for `idle` seconds against `limit` days.
/// The benchmark says "unused for 45 days or greater", so reaching the limit
/// fails: to the second, or in whole days under whole-days granularity (the
/// rotation rule is the other way round: "rotated every 90 days or less").
/// The `warn_days` before the limit are `due_soon`, in the same unit.
fn idle_status(idle: i64, limit: u32, policy: &Policy) -> Status {
    let (limit, warn) = (i64::from(limit), i64::from(policy.warn_days.min(limit)));
    let (over, soon) = match policy.granularity {
        Granularity::Exact => (idle >= limit * DAY, idle > (limit - warn) * DAY),
        Granularity::WholeDays => {
            let days = idle.div_euclid(DAY);
            (days >= limit, days >= limit - warn)
        }
    };
    if over {
        Status::Fail
    } else if warn > 0 && soon {
        Status::DueSoon
    } else {
        Status::Pass
    }
}

/// Judges the checks of one row, from its cells and the rotation verdicts
/// of its present key slots, in [`Rule::ALL`]'s order; `push` receives each
/// finding. No sentence is written here: a finding keeps its evidence, and
/// [`write_reason`] writes its reason when an output asks for it.
pub(crate) fn judge_row(
    checks: &Checks,
    user: &UserCells<'_>,
    keys: [Option<&Verdict>; 2],
    policy: &Policy,
    as_of: Timestamp,
    mut push: impl FnMut(Verdict),
) {
    let rules = checks.rules;
    let present = || keys.iter().flatten().copied();
    // A key whose cells the rotation rule could not read cannot be judged
    // by another rule either: its finding carries the same code and reason.
    let unreadable = |rule: Rule, k: &Verdict| -> Option<Verdict> {
        match k.code {
            Some(FindingCode::RowError | FindingCode::NoActiveFlag) => {
                // The rotation verdict's detail (what could not be read).
                Some(Verdict { detail: k.detail.clone(), ..verdict(rule, Some(k), Status::Invalid, k.code, None) })
            }
            _ => None,
        }
    };
    let console = !user.is_root && matches!(user.password_enabled, Field::Value(true));
    let flag_problem = |rule: Rule, column: &'static str, field: &Field<bool>| {
        invalid(rule, None, FindingCode::UnreadableCell, Some(Evidence::Flag { column, reads: literal_name(field) }))
    };

    if rules.contains(Rule::AccessKeyUnused) {
        for k in present() {
            push(unreadable(Rule::AccessKeyUnused, k).unwrap_or_else(|| key_unused(checks, k, policy, as_of)));
        }
    }
    if rules.contains(Rule::ConsolePasswordUnused) && !user.is_root {
        match user.password_enabled {
            Field::Value(true) => push(password_unused(checks, user, policy, as_of)),
            Field::Value(false) => {}
            other => push(flag_problem(Rule::ConsolePasswordUnused, "password_enabled", other)),
        }
    }
    if user.is_root && rules.contains(Rule::RootAccessKey) {
        let bad = present().find_map(|k| unreadable(Rule::RootAccessKey, k));
        let (mut slots, mut n) = ([0u8; 2], 0u8);
        for k in present().filter(|k| k.active) {
            slots[usize::from(n.min(1))] = k.slot;
            n += 1;
        }
        push(bad.unwrap_or_else(|| match n {
            0 => verdict(Rule::RootAccessKey, None, Status::Pass, None, None),
            n => verdict(Rule::RootAccessKey, None, Status::Fail, None, Some(Evidence::RootKeys { slots, n })),
        }));
    }
    if user.is_root && rules.contains(Rule::RootMfa) {
        push(match user.mfa_active {
            Field::Value(true) => verdict(Rule::RootMfa, None, Status::Pass, None, None),
            Field::Value(false) => verdict(Rule::RootMfa, None, Status::Fail, None, None),
            other => flag_problem(Rule::RootMfa, "mfa_active", other),
        });
    }
    if user.is_root && rules.contains(Rule::RootRecentUse) {
        push(root_use(checks, user, &keys, as_of));
    }
    if console && rules.contains(Rule::ConsoleUserMfa) {
        push(match user.mfa_active {
            Field::Value(true) => verdict(Rule::ConsoleUserMfa, None, Status::Pass, None, None),
            Field::Value(false) => verdict(Rule::ConsoleUserMfa, None, Status::Fail, None, None),
            other => flag_problem(Rule::ConsoleUserMfa, "mfa_active", other),
        });
    } else if !user.is_root && rules.contains(Rule::ConsoleUserMfa) && !matches!(user.password_enabled, Field::Value(_))
    {
        push(flag_problem(Rule::ConsoleUserMfa, "password_enabled", user.password_enabled));
    }
    if !user.is_root && rules.contains(Rule::OneActiveKey) {
        if let Some(v) = one_active_key(checks, &keys, policy, as_of, unreadable) {
            push(v);
        }
    }
    if console && rules.contains(Rule::NoKeyAtSetup) {
        for k in present().filter(|k| k.active || k.code.is_some()) {
            push(unreadable(Rule::NoKeyAtSetup, k).unwrap_or_else(|| key_at_setup(checks, user, k)));
        }
    }
}

/// What an active key's idle time is counted from: its last use, or its
/// rotation date when it was never used or its use is unknown; `None` when
/// there is neither.
fn use_basis(k: &Verdict) -> Option<Timestamp> {
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

fn key_unused(checks: &Checks, k: &Verdict, policy: &Policy, as_of: Timestamp) -> Verdict {
    let rule = Rule::AccessKeyUnused;
    if !k.active {
        return verdict(rule, Some(k), Status::Inactive, None, None);
    }
    let Some(basis) = use_basis(k) else {
        return invalid(rule, Some(k), FindingCode::NoRotationDate, None);
    };
    let idle = since(basis, as_of);
    if idle < 0 {
        return invalid(rule, Some(k), FindingCode::FutureTimestamp, None);
    }
    verdict(rule, Some(k), idle_status(idle, checks.unused_days, policy), None, None)
}

fn password_unused(checks: &Checks, user: &UserCells<'_>, policy: &Policy, as_of: Timestamp) -> Verdict {
    let rule = Rule::ConsolePasswordUnused;
    let (basis, at) = match (user.password_last_used, user.password_last_changed, user.user_creation_time) {
        (Field::Value(t), _, _) => (PasswordBasis::Used, *t),
        (Field::Invalid(_), _, _) => {
            return invalid(rule, None, FindingCode::UnreadableCell, Some(Evidence::PasswordUsedUnreadable))
        }
        (used, Field::Value(c), _) => (PasswordBasis::Changed(literal_name(used)), *c),
        (used, _, Field::Value(c)) => (PasswordBasis::Created(literal_name(used)), *c),
        (used, _, _) => {
            return invalid(
                rule,
                None,
                FindingCode::UnreadableCell,
                Some(Evidence::PasswordNoBasis { used: literal_name(used) }),
            )
        }
    };
    let evidence = Some(Evidence::Password { basis, at });
    let idle = since(at, as_of);
    if idle < 0 {
        return invalid(rule, None, FindingCode::FutureTimestamp, evidence);
    }
    verdict(rule, None, idle_status(idle, checks.unused_days, policy), None, evidence)
}

fn root_use(checks: &Checks, user: &UserCells<'_>, keys: &[Option<&Verdict>; 2], as_of: Timestamp) -> Verdict {
    let rule = Rule::RootRecentUse;
    let mut uses: Vec<(Timestamp, u8)> = Vec::new();
    if let Field::Value(t) = user.password_last_used {
        uses.push((*t, 0));
    }
    for k in keys.iter().flatten() {
        if let Some(LastUsed::At(t)) = k.last_used() {
            uses.push((t, k.slot));
        }
    }
    let window = i64::from(checks.root_use_days) * DAY;
    let Some((last, by)) = uses.into_iter().max_by_key(|(t, _)| *t) else {
        return verdict(rule, None, Status::Pass, None, None);
    };
    let status = if since(last, as_of) <= window { Status::Fail } else { Status::Pass };
    verdict(rule, None, status, None, Some(Evidence::RootUse { last, by }))
}

fn one_active_key(
    checks: &Checks,
    keys: &[Option<&Verdict>; 2],
    policy: &Policy,
    as_of: Timestamp,
    unreadable: impl Fn(Rule, &Verdict) -> Option<Verdict>,
) -> Option<Verdict> {
    let rule = Rule::OneActiveKey;
    if let Some(bad) = keys.iter().flatten().find_map(|k| unreadable(rule, k)) {
        return Some(bad);
    }
    let active: Vec<&Verdict> = keys.iter().flatten().copied().filter(|k| k.active).collect();
    match active[..] {
        [] => None,
        [k] => Some(verdict(rule, Some(k), Status::Pass, None, None)),
        [a, b] => {
            // A rotation in progress: one key over the limit, the other
            // within it and newer (the plan's step 2 or 3).
            let over = |k: &Verdict| k.status == Status::Fail;
            let fresh = |k: &Verdict| matches!(k.status, Status::Pass | Status::DueSoon);
            let new = if over(a) && fresh(b) {
                Some(b)
            } else if over(b) && fresh(a) {
                Some(a)
            } else {
                None
            };
            // It is in progress while the new key is at most
            // `rotation_window_days` old (to the second, or in whole days);
            // an older one was abandoned.
            let window = i64::from(checks.rotation_window_days);
            let age = |k: &Verdict| k.last_rotated.map(|t| since(t, as_of)).unwrap_or_default();
            let in_window = |k: &Verdict| match policy.granularity {
                Granularity::Exact => age(k) <= window * DAY,
                Granularity::WholeDays => age(k).div_euclid(DAY) <= window,
            };
            // The sentence tells the three apart by status and slot (0
            // for two keys and no rotation).
            Some(match new {
                Some(n) if !in_window(n) => verdict(rule, Some(n), Status::Fail, None, None),
                Some(n) => verdict(rule, Some(n), Status::DueSoon, Some(FindingCode::RotationInProgress), None),
                None => verdict(rule, None, Status::Fail, None, None),
            })
        }
        _ => None,
    }
}

fn key_at_setup(checks: &Checks, user: &UserCells<'_>, k: &Verdict) -> Verdict {
    let rule = Rule::NoKeyAtSetup;
    let Field::Value(created) = user.user_creation_time else {
        return invalid(
            rule,
            Some(k),
            FindingCode::UnreadableCell,
            Some(Evidence::CreationTime { reads: literal_name(user.user_creation_time) }),
        );
    };
    if k.last_rotated.is_none() {
        return invalid(rule, Some(k), FindingCode::NoRotationDate, None);
    }
    let at_setup = made_at_setup(checks, *created, k).1;
    let status = if at_setup && k.last_used() == Some(LastUsed::Never) { Status::Fail } else { Status::Pass };
    verdict(rule, Some(k), status, None, Some(Evidence::Setup { created: *created }))
}

/// Seconds from the user's creation to the key's date, and whether that is
/// within `setup_seconds` (the key was made at setup).
fn made_at_setup(checks: &Checks, created: Timestamp, k: &Verdict) -> (i64, bool) {
    let after = since(created, k.last_rotated.unwrap_or_default());
    (after, (0..=i64::from(checks.setup_seconds)).contains(&after))
}

/// Writes the reason of a check's finding (`v.rule` is not the rotation
/// rule) from its evidence, the run's settings and `as_of`: the sentence the
/// check would have written when it judged, written only now. A key the
/// rotation rule could not read is written by the rotation rule's own
/// sentence ([`Verdict::write_reason`]) before this is asked.
pub(crate) fn write_reason<W: std::fmt::Write>(
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

/// Judges a typed row under every rule of `checks`, as owned findings.
pub(crate) fn findings_of_row(row: &Row, checks: &Checks, policy: &Policy, as_of: Timestamp) -> Vec<Finding> {
    judge_typed(row, checks, policy, as_of)
        .iter()
        .map(|v| v.to_finding(&RowText::of(row, v.slot), checks, policy, as_of))
        .collect()
}
