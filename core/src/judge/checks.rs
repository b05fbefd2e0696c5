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
    judge_row_slot, literal_name, made_at_setup, since, use_basis, Detail, Evidence, Finding, FindingCode, LastUsed,
    PasswordBasis, RowText, Status, Verdict,
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
/// [`write_check_reason`] writes its reason when an output asks for it.
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

/// Judges a typed row under every rule of `checks`, as owned findings.
pub(crate) fn findings_of_row(row: &Row, checks: &Checks, policy: &Policy, as_of: Timestamp) -> Vec<Finding> {
    judge_typed(row, checks, policy, as_of)
        .iter()
        .map(|v| v.to_finding(&RowText::of(row, v.slot), checks, policy, as_of))
        .collect()
}
