//! The rotation plan (rotation-rule.md §2): for each user with something to
//! do, the one next step of the rotation workflow, with the `aws iam`
//! commands a person runs after checking. keyrot never runs them.

use crate::drive::analysis::Analysis;
use crate::error::{Error, ErrorCode};
use crate::input::value::{format_timestamp, has_rfc3339_form, parse_timestamp, ser_opt_ts, ser_ts, Timestamp};
use crate::judge::cis::{Rule, Severity};
use crate::judge::policy::Policy;
use crate::judge::rule::{Finding, LastUsed, Status, Triage};
use chrono::TimeDelta;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The next step for one user, as a stable `snake_case` code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum StepCode {
    /// The root user has an access key: delete it (root should have none).
    RemoveRootKey,
    /// Both keys are overdue: deactivate the less recently used one after
    /// checking it is unused, then rotate the other.
    RotateBoth,
    /// Nothing uses the overdue key: deactivate it, no replacement needed.
    DeactivateUnusedKey,
    /// Rotation is underway but applications still use the old key.
    UpdateApplications,
    /// The old key is unused since the new one was created: deactivate it.
    DeactivateOldKey,
    /// The user has two keys (the IAM limit) and one is inactive: delete it,
    /// then create the new key.
    FreeSlot,
    /// Create the second key, then move applications to it.
    CreateNewKey,
    /// An inactive key has been unused for the grace period: delete it.
    DeleteInactiveKey,
    /// An inactive key was used recently: keep it inactive and wait.
    WaitBeforeDelete,
    /// A key is due soon: rotate it before its due date.
    ScheduleRotation,
    /// A console password unused for `unused_days` or more
    /// (`console_password_unused`): remove it.
    DisableConsolePassword,
    /// A user with a console password and no MFA (`console_user_mfa`):
    /// assign an MFA device, or remove the password.
    EnableUserMfa,
    /// The root user has no MFA (`root_mfa`): assign one, signed in as root.
    EnableRootMfa,
    /// The root user was used recently (`root_recent_use`): find out why and
    /// move that work to an IAM user or role.
    StopRootUse,
    /// A user has two active keys outside a rotation (`one_active_key`):
    /// deactivate the one nothing uses.
    DeactivateExtraKey,
    /// A key made with its console user and never used (`no_key_at_setup`):
    /// delete it.
    DeleteSetupKey,
}

impl StepCode {
    /// Every step code, in the order of rotation-rule.md §2.1 (the order in
    /// which a user's situation is matched).
    pub const ALL: [StepCode; 16] = [
        StepCode::RemoveRootKey,
        StepCode::RotateBoth,
        StepCode::DeactivateUnusedKey,
        StepCode::UpdateApplications,
        StepCode::DeactivateOldKey,
        StepCode::FreeSlot,
        StepCode::CreateNewKey,
        StepCode::DeleteInactiveKey,
        StepCode::WaitBeforeDelete,
        StepCode::ScheduleRotation,
        StepCode::DisableConsolePassword,
        StepCode::EnableUserMfa,
        StepCode::EnableRootMfa,
        StepCode::StopRootUse,
        StepCode::DeactivateExtraKey,
        StepCode::DeleteSetupKey,
    ];

    /// A title a person reads, for headings and tables.
    pub const fn title(self) -> &'static str {
        match self {
            StepCode::RemoveRootKey => "Delete the root user's access key",
            StepCode::RotateBoth => "Both keys overdue: retire one, rotate the other",
            StepCode::DeactivateUnusedKey => "Deactivate an unused key",
            StepCode::UpdateApplications => "Move applications to the new key",
            StepCode::DeactivateOldKey => "Deactivate the old key",
            StepCode::FreeSlot => "Delete the inactive key to make room",
            StepCode::CreateNewKey => "Create a second key",
            StepCode::DeleteInactiveKey => "Delete an inactive key",
            StepCode::WaitBeforeDelete => "Wait, then delete the inactive key",
            StepCode::ScheduleRotation => "Schedule the rotation",
            StepCode::DisableConsolePassword => "Remove an unused console password",
            StepCode::EnableUserMfa => "Give a console user MFA",
            StepCode::EnableRootMfa => "Give the root user MFA",
            StepCode::StopRootUse => "Stop using the root user",
            StepCode::DeactivateExtraKey => "Deactivate the second active key",
            StepCode::DeleteSetupKey => "Delete a key made at user setup",
        }
    }
}

crate::error::codes!(StepCode, "step", "steps" {
    RemoveRootKey => "remove_root_key",
    RotateBoth => "rotate_both",
    DeactivateUnusedKey => "deactivate_unused_key",
    UpdateApplications => "update_applications",
    DeactivateOldKey => "deactivate_old_key",
    FreeSlot => "free_slot",
    CreateNewKey => "create_new_key",
    DeleteInactiveKey => "delete_inactive_key",
    WaitBeforeDelete => "wait_before_delete",
    ScheduleRotation => "schedule_rotation",
    DisableConsolePassword => "disable_console_password",
    EnableUserMfa => "enable_user_mfa",
    EnableRootMfa => "enable_root_mfa",
    StopRootUse => "stop_root_use",
    DeactivateExtraKey => "deactivate_extra_key",
    DeleteSetupKey => "delete_setup_key",
});

/// One key a step concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PlanKey {
    /// The report's slot.
    pub slot: u8,
    /// What the step does with it: `target` (the key acted on), `old`, `new`
    /// (the replacement, left alone), or `inactive` (one of
    /// [`PlanKey::ROLES`]).
    #[cfg_attr(feature = "ts", ts(type = r#""target" | "old" | "new" | "inactive""#))]
    pub role: &'static str,
    /// The key's status.
    pub status: Status,
    /// Whether it is active.
    pub active: bool,
    /// Its creation (rotation) time: how to find it in `list-access-keys`.
    #[serde(serialize_with = "ser_opt_ts")]
    #[cfg_attr(feature = "ts", ts(type = "Timestamp | null"))]
    pub last_rotated: Option<Timestamp>,
    /// Its last use.
    pub last_used: Option<LastUsed>,
    /// The access key id, when the caller gave `list-access-keys` output and
    /// a key's `CreateDate` matched `last_rotated`.
    pub access_key_id: Option<String>,
    /// The shell variable that stands for the key id in the commands.
    pub variable: String,
}

impl PlanKey {
    /// Every [`role`](PlanKey::role) a key can have in a step.
    pub const ROLES: [&'static str; 4] = ["target", "old", "new", "inactive"];
}

/// The next step of one user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Step {
    /// The step.
    pub step: StepCode,
    /// The check whose finding the step answers (`access_key_rotated` for
    /// the rotation workflow's steps).
    pub rule: Rule,
    /// How much it matters: the most severe finding it answers
    /// ([`Severity`]); `critical` for deleting the root user's keys.
    pub severity: Severity,
    /// Whether the step is needed to pass: it answers a `fail` or `invalid`
    /// finding no exemption covers. The others (deleting a key already
    /// inactive, waiting, scheduling a rotation due soon) are clean-up.
    pub needed: bool,
    /// The account id.
    pub account_id: String,
    /// The user name.
    pub user: String,
    /// The user's ARN.
    pub arn: String,
    /// Whether this is the root user.
    pub is_root: bool,
    /// The 1-based line of the row.
    pub line: u64,
    /// The keys the step concerns.
    pub keys: Vec<PlanKey>,
    /// What to do and why, citing the evidence.
    pub reason: String,
    /// Read-only commands to run first: find the key id, check last use.
    pub checks: Vec<String>,
    /// The commands that change something, in order, for a person to run
    /// after the checks. Empty when the step is to wait or to change
    /// applications, or when a value from the report cannot be put safely in
    /// a command.
    pub commands: Vec<String>,
    /// For `wait_before_delete`: the earliest time the key may be deleted.
    #[serde(serialize_with = "ser_opt_ts")]
    #[cfg_attr(feature = "ts", ts(type = "Timestamp | null"))]
    pub delete_after: Option<Timestamp>,
    /// Things the person must know: a key that `list-access-keys` did not
    /// list, a value kept out of the commands.
    pub notes: Vec<String>,
}

/// The plan for a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Plan {
    /// The evaluation instant of the analysis.
    #[serde(serialize_with = "ser_ts")]
    #[cfg_attr(feature = "ts", ts(type = "Timestamp"))]
    pub as_of: Timestamp,
    /// The policy of the analysis (its `grace_days` decides deletions).
    pub policy: Policy,
    /// The steps: those needed to pass first, then clean-up; within each,
    /// the most severe first, then the furthest overdue, then input order.
    pub steps: Vec<Step>,
}

impl Plan {
    /// How many steps of each code, in the workflow's order (codes with none
    /// left out), as the page's plan counts them.
    pub fn counts(&self) -> Vec<(StepCode, u64)> {
        step_counts(self.steps.iter().map(|s| s.step))
    }
}

/// How many of each code `codes` holds, in [`StepCode::ALL`]'s order, codes
/// with none left out.
pub(crate) fn step_counts(codes: impl Iterator<Item = StepCode>) -> Vec<(StepCode, u64)> {
    let mut counts = StepCode::ALL.map(|code| (code, 0));
    for code in codes {
        if let Some(count) = counts.iter_mut().find(|(c, _)| *c == code) {
            count.1 += 1;
        }
    }
    counts.into_iter().filter(|(_, n)| *n > 0).collect()
}

/// One key as `aws iam list-access-keys` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownKey {
    /// `UserName`.
    pub user: String,
    /// `AccessKeyId`.
    pub access_key_id: String,
    /// `Status` (`Active` or `Inactive`).
    pub status: String,
    /// `CreateDate`.
    pub create_date: Timestamp,
}

/// Reads the JSON that `aws iam list-access-keys` prints: one document, an
/// array of documents, or several documents one after another (one per
/// user). Each holds `AccessKeyMetadata`, a list of `UserName`,
/// `AccessKeyId`, `Status`, `CreateDate`.
///
/// ```
/// let json = r#"{"AccessKeyMetadata": [{"UserName": "deploy", "AccessKeyId": "AKIAIOSFODNN7EXAMPLE",
///               "Status": "Active", "CreateDate": "2026-01-01T00:00:00+00:00"}]}"#;
/// let keys = keyrot::plan::read_access_keys(json.as_bytes()).unwrap();
/// assert_eq!(keys[0].access_key_id, "AKIAIOSFODNN7EXAMPLE");
/// ```
pub fn read_access_keys(json: &[u8]) -> Result<Vec<KnownKey>, Error> {
    let bad = |message: String| Error::new(ErrorCode::InvalidJson, message);
    let mut keys = Vec::new();
    let stream = serde_json::Deserializer::from_slice(json).into_iter::<serde_json::Value>();
    let mut documents = 0;
    for doc in stream {
        let doc =
            doc.map_err(|e| bad(format!("the access-key list is not valid JSON: {e}")).at_line(e.line() as u64))?;
        let docs = match doc {
            serde_json::Value::Array(items) => items,
            other => vec![other],
        };
        for doc in docs {
            documents += 1;
            let list = doc.get("AccessKeyMetadata").and_then(|v| v.as_array()).ok_or_else(|| {
                bad("the access-key list has no `AccessKeyMetadata`: expected the output of `aws iam list-access-keys`".into())
            })?;
            for item in list {
                let field = |name: &str| {
                    item.get(name).and_then(|v| v.as_str()).map(str::to_owned).ok_or_else(|| {
                        bad(format!("an `AccessKeyMetadata` entry has no `{name}`")).at_column(name.to_owned())
                    })
                };
                let created = field("CreateDate")?;
                keys.push(KnownKey {
                    user: field("UserName")?,
                    access_key_id: field("AccessKeyId")?,
                    status: field("Status")?,
                    create_date: parse_timestamp(&created).ok_or_else(|| {
                        bad(format!("`CreateDate` is not a timestamp: `{}`", crate::error::shorten(&created)))
                            .at_column("CreateDate")
                            .with_value(&created)
                    })?,
                });
            }
        }
    }
    if documents == 0 {
        return Err(bad("the access-key list is empty".into()));
    }
    Ok(keys)
}

/// Quotes a value for a POSIX shell (single quotes, embedded `'` escaped),
/// or `None` when it holds a control character and must not be put in a
/// command at all.
pub(crate) fn shell_quote(value: &str) -> Option<String> {
    if value.chars().any(char::is_control) {
        return None;
    }
    Some(format!("'{}'", value.replace('\'', r"'\''")))
}

fn is_key_id(text: &str) -> bool {
    (16..=128).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

fn used_recently(f: &Finding, as_of: Timestamp, policy: &Policy) -> bool {
    match f.last_used {
        Some(LastUsed::At(t)) => as_of.signed_duration_since(t) <= TimeDelta::days(i64::from(policy.max_age_days)),
        _ => false,
    }
}

fn floor_minute(t: Timestamp) -> Timestamp {
    t - TimeDelta::seconds(t.timestamp().rem_euclid(60)) - TimeDelta::nanoseconds(i64::from(t.timestamp_subsec_nanos()))
}

fn describe_use(f: &Finding) -> String {
    match f.last_used {
        Some(LastUsed::At(t)) => {
            let mut s = format!("last used {}", format_timestamp(&t));
            match (&f.last_used_service, &f.last_used_region) {
                (Some(service), Some(region)) => s.push_str(&format!(" ({service} in {region})")),
                (Some(service), None) => s.push_str(&format!(" ({service})")),
                (None, Some(region)) => s.push_str(&format!(" (in {region})")),
                (None, None) => {}
            }
            s
        }
        Some(LastUsed::Never) => "never used".to_owned(),
        Some(LastUsed::NoInformation) => "no record of use".to_owned(),
        None => "use not recorded (legacy report)".to_owned(),
    }
}

fn describe(f: &Finding) -> String {
    let created = f.last_rotated.map(|t| format!("created {}", format_timestamp(&t))).unwrap_or_default();
    let age = f.age_days.map(|d| format!(", {d} days old")).unwrap_or_default();
    format!("slot {} key ({created}{age}, {})", f.slot.unwrap_or_default(), describe_use(f))
}

/// Every step of one report row (one user) from all its findings: the
/// rotation workflow's next step (from the rotation rule's findings), then
/// one step per other check that fails and has a remedy, each graded
/// ([`Step::severity`], [`Step::needed`]); with the triage key each sorts
/// by. Every finding must belong to the same row.
pub(crate) fn plan_user(findings: &[&Finding], policy: &Policy, as_of: Timestamp) -> Vec<(Step, Triage)> {
    let rotation: Vec<&Finding> = findings.iter().copied().filter(|f| f.rule() == Rule::AccessKeyRotated).collect();
    let mut steps = Vec::new();
    let rotation_step = plan_row(&rotation, policy, as_of);
    for step in rotation_step.iter().cloned().chain(check_steps(findings, rotation_step.as_ref())) {
        steps.push(grade(step, findings));
    }
    steps
}

/// Sets a step's severity and whether it is needed from the findings it
/// answers (its rule's, for its keys' slots, or about the user), and
/// returns its triage key: the most urgent of those findings.
fn grade(mut step: Step, findings: &[&Finding]) -> (Step, Triage) {
    let slots: Vec<u8> = step.keys.iter().map(|k| k.slot).collect();
    let answers = |f: &&Finding| {
        let mine =
            f.rule() == step.rule || (step.step == StepCode::RemoveRootKey && f.rule() == Rule::AccessKeyRotated);
        mine && (slots.is_empty() || f.slot.is_none_or(|s| slots.contains(&s)))
    };
    let answered: Vec<&Finding> = findings.iter().copied().filter(answers).collect();
    step.needed = answered.iter().any(|f| f.status.is_non_compliant() && f.exempted.is_none());
    step.severity = if step.step == StepCode::RemoveRootKey {
        Severity::Critical
    } else {
        answered.iter().map(|f| f.severity).min().unwrap_or(Severity::Low).min(Severity::Low)
    };
    let triage =
        answered.iter().map(|f| f.triage()).min().unwrap_or_else(|| Triage::of(step.severity, false, None, None));
    (step, triage)
}

/// The steps of the other checks' failing findings of one row, besides
/// the rotation workflow's `rotation` step (which answers some of them
/// already: an overdue unused key, two active keys of a rotation).
fn check_steps(findings: &[&Finding], rotation: Option<&Step>) -> Vec<Step> {
    let Some(first) = findings.first() else { return Vec::new() };
    let rotation_slots: Vec<u8> = rotation.map(|s| s.keys.iter().map(|k| k.slot).collect()).unwrap_or_default();
    let key_of = |slot: Option<u8>| {
        findings
            .iter()
            .copied()
            .find(|f| f.rule() == Rule::AccessKeyRotated && f.slot == slot)
            .or_else(|| findings.iter().copied().find(|f| f.slot == slot && f.slot.is_some()))
    };
    let mut steps = Vec::new();
    let mut push = |code: StepCode, rule: Rule, keys: Vec<(&Finding, &'static str)>, reason: String| {
        let several = keys.iter().filter(|(_, role)| *role == "target").count() > 1;
        let keys = keys.into_iter().map(|(f, role)| plan_key(f, role, several)).collect();
        steps.push(Step::of(code, rule, first, keys, reason, None, Vec::new()));
    };
    for f in findings.iter().copied().filter(|f| f.status == Status::Fail && f.rule() != Rule::AccessKeyRotated) {
        let because = &f.reason;
        match f.rule() {
            Rule::AccessKeyUnused if !f.slot.is_some_and(|s| rotation_slots.contains(&s)) => {
                let key = key_of(f.slot).unwrap_or(f);
                push(StepCode::DeactivateUnusedKey, f.rule(), vec![(key, "target")], format!(
                    "{because}. Check that nothing uses the slot {} key, then deactivate it; delete it after the grace period",
                    f.slot.unwrap_or_default()
                ));
            }
            Rule::ConsolePasswordUnused => push(StepCode::DisableConsolePassword, f.rule(), Vec::new(), format!(
                "{because}. A console password nobody uses is a way in: remove it (the user keeps its access keys and can be given a new password later)"
            )),
            Rule::ConsoleUserMfa => push(StepCode::EnableUserMfa, f.rule(), Vec::new(), format!(
                "{because}. Assign the user an MFA device (a virtual one is shown: the user scans the QR code and gives two consecutive codes), or remove the console password if the user does not sign in"
            )),
            Rule::RootMfa => push(StepCode::EnableRootMfa, f.rule(), Vec::new(), format!(
                "{because}. Sign in as the root user, open Security credentials, and assign an MFA device (a hardware key is best); this cannot be done with the root user's keys or another user's"
            )),
            Rule::RootRecentUse => push(StepCode::StopRootUse, f.rule(), Vec::new(), format!(
                "{because}. Find what the root user did (CloudTrail events by the root user), move that work to an IAM user or role, and keep the root user for the few tasks that need it"
            )),
            Rule::RootAccessKey if rotation.is_none_or(|s| s.step != StepCode::RemoveRootKey) => {
                push(StepCode::RemoveRootKey, f.rule(), Vec::new(), format!(
                    "{because}. List the root user's keys while signed in as root, then delete each"
                ));
            }
            Rule::OneActiveKey if rotation.is_none() => {
                let mut active: Vec<&Finding> = findings
                    .iter()
                    .copied()
                    .filter(|k| k.rule() == Rule::AccessKeyRotated && k.active && k.slot.is_some())
                    .collect();
                // The less recently used key is the one to deactivate.
                active.sort_by_key(|k| k.last_used.and_then(LastUsed::at));
                let keys = match active[..] {
                    [a, b] => vec![(a, "target"), (b, "old")],
                    _ => Vec::new(),
                };
                push(StepCode::DeactivateExtraKey, f.rule(), keys, format!(
                    "{because}. Check which key the applications use, deactivate the other (the less recently used is shown), and delete it after the grace period"
                ));
            }
            Rule::NoKeyAtSetup => {
                let key = key_of(f.slot).unwrap_or(f);
                push(StepCode::DeleteSetupKey, f.rule(), vec![(key, "target")], format!(
                    "{because}. A key made with the user and never used was not needed: check it is unused, then delete it"
                ));
            }
            _ => {}
        }
    }
    steps
}

/// The plan's view of one key of a step.
fn plan_key(f: &Finding, role: &'static str, several_targets: bool) -> PlanKey {
    PlanKey {
        slot: f.slot.unwrap_or_default(),
        role,
        status: f.status,
        active: f.active,
        last_rotated: f.last_rotated,
        last_used: f.last_used,
        access_key_id: None,
        variable: if several_targets {
            format!("ACCESS_KEY_ID_{}", f.slot.unwrap_or_default())
        } else {
            "ACCESS_KEY_ID".to_owned()
        },
    }
}

/// Decides the step for one row from its findings (rotation-rule.md §2.1).
/// Every finding must belong to the same row. Keys with status `invalid`
/// take no part.
pub(crate) fn plan_row(findings: &[&Finding], policy: &Policy, as_of: Timestamp) -> Option<Step> {
    let first = findings.first()?;
    let judged: Vec<&Finding> = findings.iter().copied().filter(|f| f.status != Status::Invalid).collect();
    let over: Vec<&Finding> = judged.iter().copied().filter(|f| f.active && f.status == Status::Fail).collect();
    let fresh: Vec<&Finding> = judged.iter().copied().filter(|f| f.active && f.status != Status::Fail).collect();
    let inactive: Vec<&Finding> = judged.iter().copied().filter(|f| !f.active).collect();
    let max = policy.max_age_days;

    let (code, keys, reason, delete_after): (StepCode, Vec<(&Finding, &'static str)>, String, Option<Timestamp>) =
        if first.is_root {
            let keys: Vec<(&Finding, &str)> = findings.iter().map(|f| (*f, "target")).collect();
            let list: Vec<String> = findings.iter().map(|f| describe(f)).collect();
            (
                StepCode::RemoveRootKey,
                keys,
                format!(
                    "the root user has {} access key{}: {}; root should have none (CIS: no root access key), so delete {} while signed in as root",
                    findings.len(),
                    if findings.len() == 1 { "" } else { "s" },
                    list.join("; "),
                    if findings.len() == 1 { "it" } else { "them" }
                ),
                None,
            )
        } else if let [a, b] = over[..] {
            // Deactivate the less recently used key first.
            let rank = |f: &Finding| f.last_used.and_then(LastUsed::at);
            let (target, other) = if rank(a) <= rank(b) { (a, b) } else { (b, a) };
            (
                StepCode::RotateBoth,
                vec![(target, "target"), (other, "old")],
                format!(
                    "both keys are over the {max}-day limit: {}; {}. Check that the less recently used slot {} key is unused, deactivate it, delete it after the grace period, then rotate the other",
                    describe(a),
                    describe(b),
                    target.slot.unwrap_or_default()
                ),
                None,
            )
        } else if let [o] = over[..] {
            if !used_recently(o, as_of, policy) {
                (
                    StepCode::DeactivateUnusedKey,
                    vec![(o, "target")],
                    format!(
                        "the {} is over the {max}-day limit and not used in the last {max} days, so nothing needs a replacement: deactivate it",
                        describe(o)
                    ),
                    None,
                )
            } else if let [n] = fresh[..] {
                let used_after = match (o.last_used.and_then(LastUsed::at), n.last_rotated) {
                    (Some(used), Some(created)) => used >= floor_minute(created),
                    _ => true,
                };
                if used_after {
                    (
                        StepCode::UpdateApplications,
                        vec![(o, "old"), (n, "new")],
                        format!(
                            "rotation is underway: the new {} exists, but the old {} was still used after the new key was created; move the applications that use it to the new key, then look again",
                            describe(n),
                            describe(o)
                        ),
                        None,
                    )
                } else {
                    (
                        StepCode::DeactivateOldKey,
                        vec![(o, "target"), (n, "new")],
                        format!(
                            "the old {} has not been used since the new {} was created: deactivate the old key",
                            describe(o),
                            describe(n)
                        ),
                        None,
                    )
                }
            } else if let [i] = inactive[..] {
                (
                    StepCode::FreeSlot,
                    vec![(i, "target"), (o, "old")],
                    format!(
                        "the {} is over the {max}-day limit and in use, and the user already has two keys (the IAM limit): delete the inactive {}, then create the new key",
                        describe(o),
                        describe(i)
                    ),
                    None,
                )
            } else {
                (
                    StepCode::CreateNewKey,
                    vec![(o, "old")],
                    format!(
                        "the {} is over the {max}-day limit and in use: create a second key, move the applications to it, then deactivate the old key",
                        describe(o)
                    ),
                    None,
                )
            }
        } else if !inactive.is_empty() {
            let grace = TimeDelta::days(i64::from(policy.grace_days));
            let basis = |f: &Finding| f.last_used.and_then(LastUsed::at).or(f.last_rotated);
            let ready: Vec<&Finding> = inactive
                .iter()
                .copied()
                .filter(|f| basis(f).is_some_and(|b| as_of.signed_duration_since(b) >= grace))
                .collect();
            if !ready.is_empty() {
                let list: Vec<String> = ready.iter().map(|f| describe(f)).collect();
                (
                    StepCode::DeleteInactiveKey,
                    ready.iter().map(|f| (*f, "target")).collect(),
                    format!(
                        "the inactive {} has been unused for at least the {}-day grace period: delete it",
                        list.join(" and the inactive "),
                        policy.grace_days
                    ),
                    None,
                )
            } else {
                let after = inactive
                    .iter()
                    .filter_map(|f| basis(f))
                    .max()
                    .and_then(|b| b.checked_add_signed(grace))
                    .filter(has_rfc3339_form);
                let list: Vec<String> = inactive.iter().map(|f| describe(f)).collect();
                (
                    StepCode::WaitBeforeDelete,
                    inactive.iter().map(|f| (*f, "inactive")).collect(),
                    format!(
                        "the inactive {} was used within the {}-day grace period: keep it inactive, watch for failures, and delete it after {}",
                        list.join(" and the inactive "),
                        policy.grace_days,
                        after.map(|t| format_timestamp(&t)).unwrap_or_else(|| "the grace period".to_owned())
                    ),
                    after,
                )
            }
        } else if let Some(due) = judged.iter().copied().find(|f| f.status == Status::DueSoon) {
            (
                StepCode::ScheduleRotation,
                vec![(due, "old")],
                format!(
                    "the {} is due for rotation by {}: schedule the rotation (create a second key, move applications, deactivate the old one)",
                    describe(due),
                    due.due_at.map(|t| format_timestamp(&t)).unwrap_or_default()
                ),
                None,
            )
        } else {
            return None;
        };

    let several_targets = keys.iter().filter(|(_, role)| *role == "target").count() > 1;
    let keys: Vec<PlanKey> = keys.into_iter().map(|(f, role)| plan_key(f, role, several_targets)).collect();
    // An accepted exception does not change the workflow, but the person
    // acting on the step must know about it.
    let notes = findings
        .iter()
        .filter(|f| keys.iter().any(|k| Some(k.slot) == f.slot))
        .filter_map(|f| {
            f.exempted.as_ref().map(|e| {
                format!(
                    "the slot {} key is exempted until {} (owner {}: {}); the step is what the rotation would be",
                    f.slot.unwrap_or_default(),
                    e.expires,
                    e.owner,
                    e.reason
                )
            })
        })
        .collect();
    let rule = if code == StepCode::RemoveRootKey { Rule::RootAccessKey } else { Rule::AccessKeyRotated };
    Some(Step::of(code, rule, first, keys, reason, delete_after, notes))
}

impl Step {
    /// The step `code` of the user of `first`, answering `rule`, with its
    /// commands written (graded later: [`grade`]).
    fn of(
        code: StepCode,
        rule: Rule,
        first: &Finding,
        keys: Vec<PlanKey>,
        reason: String,
        delete_after: Option<Timestamp>,
        notes: Vec<String>,
    ) -> Step {
        let mut step = Step {
            step: code,
            rule,
            severity: Severity::Low,
            needed: false,
            account_id: first.account_id.clone(),
            user: first.user.clone(),
            arn: first.arn.clone(),
            is_root: first.is_root,
            line: first.line,
            keys,
            reason,
            checks: Vec::new(),
            commands: Vec::new(),
            delete_after,
            notes,
        };
        write_commands(&mut step);
        step
    }
}

/// Fills in `checks` and `commands` from the step, its keys and their ids.
fn write_commands(step: &mut Step) {
    step.checks.clear();
    step.commands.clear();
    let user_flag = if step.is_root {
        String::new()
    } else {
        match shell_quote(&step.user) {
            Some(q) => format!(" --user-name {q}"),
            None => {
                let note = "the user name holds a control character, so no command is given: find the user by its ARN in the IAM console".to_owned();
                if !step.notes.contains(&note) {
                    step.notes.push(note);
                }
                return;
            }
        }
    };
    let about_keys = !matches!(
        step.step,
        StepCode::DisableConsolePassword | StepCode::EnableUserMfa | StepCode::EnableRootMfa | StepCode::StopRootUse
    );
    if about_keys {
        step.checks.push(format!("aws iam list-access-keys{user_flag}"));
    }
    let id = |k: &PlanKey| match &k.access_key_id {
        Some(id) => shell_quote(id).unwrap_or_else(|| format!("\"${}\"", k.variable)),
        None => format!("\"${}\"", k.variable),
    };
    let targets: Vec<&PlanKey> = step.keys.iter().filter(|k| k.role == "target").collect();
    let check_use = |k: &PlanKey| format!("aws iam get-access-key-last-used --access-key-id {}", id(k));
    match step.step {
        StepCode::RemoveRootKey if targets.is_empty() => {
            // Known from the root_access_key check alone: the ids come from
            // the listing.
            step.commands.push("aws iam delete-access-key --access-key-id \"$ACCESS_KEY_ID\"".to_owned());
        }
        StepCode::RemoveRootKey => {
            for k in &targets {
                step.checks.push(check_use(k));
                step.commands.push(format!("aws iam delete-access-key --access-key-id {}", id(k)));
            }
        }
        StepCode::DisableConsolePassword => {
            step.checks.push(format!("aws iam get-login-profile{user_flag}"));
            step.commands.push(format!("aws iam delete-login-profile{user_flag}"));
        }
        StepCode::EnableUserMfa => {
            step.checks.push(format!("aws iam list-mfa-devices{user_flag}"));
            if let Some(name) = shell_quote(&step.user) {
                step.commands.push(format!(
                    "aws iam create-virtual-mfa-device --virtual-mfa-device-name {name} --outfile mfa-qr.png --bootstrap-method QRCodePNG"
                ));
            }
            step.commands.push(format!(
                "aws iam enable-mfa-device{user_flag} --serial-number \"$MFA_SERIAL\" --authentication-code1 \"$CODE_1\" --authentication-code2 \"$CODE_2\""
            ));
        }
        StepCode::EnableRootMfa => step.checks.push("aws iam get-account-summary".to_owned()),
        StepCode::StopRootUse => step.checks.push(
            "aws cloudtrail lookup-events --lookup-attributes AttributeKey=Username,AttributeValue=root --max-results 50"
                .to_owned(),
        ),
        StepCode::DeactivateExtraKey | StepCode::DeleteSetupKey if targets.is_empty() => {
            let change = if step.step == StepCode::DeleteSetupKey { "delete-access-key" } else { "update-access-key" };
            let status = if step.step == StepCode::DeleteSetupKey { "" } else { " --status Inactive" };
            step.commands.push(format!("aws iam {change}{user_flag} --access-key-id \"$ACCESS_KEY_ID\"{status}"));
        }
        StepCode::DeactivateExtraKey => {
            for k in &targets {
                step.checks.push(check_use(k));
                step.commands
                    .push(format!("aws iam update-access-key{user_flag} --access-key-id {} --status Inactive", id(k)));
            }
        }
        StepCode::DeleteSetupKey => {
            for k in &targets {
                step.checks.push(check_use(k));
                step.commands.push(format!("aws iam delete-access-key{user_flag} --access-key-id {}", id(k)));
            }
        }
        StepCode::RotateBoth | StepCode::DeactivateUnusedKey | StepCode::DeactivateOldKey => {
            for k in &targets {
                step.checks.push(check_use(k));
                step.commands
                    .push(format!("aws iam update-access-key{user_flag} --access-key-id {} --status Inactive", id(k)));
            }
        }
        StepCode::UpdateApplications => {
            for k in step.keys.iter().filter(|k| k.role == "old") {
                step.checks.push(check_use(k));
            }
        }
        StepCode::FreeSlot => {
            for k in &targets {
                step.checks.push(check_use(k));
                step.commands.push(format!("aws iam delete-access-key{user_flag} --access-key-id {}", id(k)));
            }
            step.commands.push(format!("aws iam create-access-key{user_flag}"));
        }
        StepCode::CreateNewKey | StepCode::ScheduleRotation => {
            step.commands.push(format!("aws iam create-access-key{user_flag}"));
        }
        StepCode::DeleteInactiveKey => {
            for k in &targets {
                step.checks.push(check_use(k));
                step.commands.push(format!("aws iam delete-access-key{user_flag} --access-key-id {}", id(k)));
            }
        }
        StepCode::WaitBeforeDelete => {
            for k in &step.keys {
                step.checks.push(check_use(k));
            }
        }
    }
}

/// The listed keys by user name, as [`apply_known_keys`] looks them up.
pub(crate) fn known_by_user(keys: &[KnownKey]) -> HashMap<&str, Vec<&KnownKey>> {
    let mut by_user: HashMap<&str, Vec<&KnownKey>> = HashMap::new();
    for k in keys {
        by_user.entry(k.user.as_str()).or_default().push(k);
    }
    by_user
}

/// Fills in real key ids from `list-access-keys` output, matching each
/// key's `CreateDate` to `last_rotated` for the same user, and notes every
/// key that cannot be matched.
pub(crate) fn apply_known_keys(step: &mut Step, known: &HashMap<&str, Vec<&KnownKey>>) {
    let listed = known.get(step.user.as_str());
    for key in &mut step.keys {
        let Some(listed) = listed else {
            step.notes.push(format!(
                "the access-key list has no entry for this user: find the slot {} key by its creation time with list-access-keys",
                key.slot
            ));
            continue;
        };
        let matches: Vec<&&KnownKey> =
            listed.iter().filter(|k| Some(k.create_date) == key.last_rotated && is_key_id(&k.access_key_id)).collect();
        match matches[..] {
            [one] => {
                let listed_active = one.status.eq_ignore_ascii_case("Active");
                if listed_active != key.active {
                    step.notes.push(format!(
                        "key {} is {} now but was {} in the report: the report is older than the list",
                        one.access_key_id,
                        one.status,
                        if key.active { "active" } else { "inactive" }
                    ));
                }
                key.access_key_id = Some(one.access_key_id.clone());
            }
            [] => step.notes.push(format!(
                "no listed key of this user was created at {}: the slot {} key may have been rotated or deleted since the report",
                key.last_rotated.map(|t| format_timestamp(&t)).unwrap_or_else(|| "an unknown time".to_owned()),
                key.slot
            )),
            _ => step.notes.push(format!(
                "several listed keys were created at the same time as the slot {} key: pick it by hand",
                key.slot
            )),
        }
    }
    write_commands(step);
}

/// Makes the plan of an analysis: one step per user with something to do,
/// in input order. `known_keys` (from [`read_access_keys`]) fills in real
/// key ids.
///
/// ```
/// use keyrot::{analyze, plan, parse_timestamp, Options}; use keyrot::plan::StepCode;
/// let csv = "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_2_active,access_key_2_last_rotated\n\
///            deploy,arn:aws:iam::111122223333:user/deploy,true,2026-01-01T00:00:00Z,N/A,false,N/A\n";
/// let options = Options::at(parse_timestamp("2026-11-26T00:00:00Z").unwrap());
/// let analysis = analyze(csv.as_bytes(), &options).unwrap();
/// let plan = plan(&analysis, None);
/// assert_eq!(plan.steps[0].step, StepCode::DeactivateUnusedKey);
/// assert_eq!(
///     plan.steps[0].commands,
///     ["aws iam update-access-key --user-name 'deploy' --access-key-id \"$ACCESS_KEY_ID\" --status Inactive"]
/// );
/// ```
pub fn plan(analysis: &Analysis, known_keys: Option<&[KnownKey]>) -> Plan {
    let by_user = known_by_user(known_keys.unwrap_or_default());
    let findings = &analysis.findings;
    let mut steps = Vec::new();
    let mut start = 0;
    while start < findings.len() {
        let line = findings[start].line;
        let end = findings[start..].iter().position(|f| f.line != line).map_or(findings.len(), |n| start + n);
        let row: Vec<&Finding> = findings[start..end].iter().collect();
        for (mut step, triage) in plan_user(&row, &analysis.policy, analysis.as_of) {
            if known_keys.is_some() && !step.keys.is_empty() {
                apply_known_keys(&mut step, &by_user);
            }
            let needed = step.needed;
            steps.push((step, needed, triage));
        }
        start = end;
    }
    Plan { as_of: analysis.as_of, policy: analysis.policy, steps: in_plan_order(steps) }
}

/// Steps in the plan's order: those needed to pass first, then clean-up;
/// within each, by the triage of the findings they answer; input order
/// breaks ties.
pub(crate) fn in_plan_order<T>(mut steps: Vec<(T, bool, Triage)>) -> Vec<T> {
    steps.sort_by_key(|(_, needed, triage)| (!needed, *triage));
    steps.into_iter().map(|(step, _, _)| step).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_quote_examples() {
        assert_eq!(super::shell_quote("bob").as_deref(), Some("'bob'"));
        assert_eq!(super::shell_quote("o'neil").as_deref(), Some(r#"'o'\''neil'"#));
        assert_eq!(super::shell_quote("a\nb"), None);
    }

    use crate::{analyze_with_exemptions, parse_timestamp, Exemptions, Options};

    #[test]
    fn an_exempted_key_keeps_its_step_with_a_note() {
        let csv = "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_2_active,access_key_2_last_rotated\n\
                   vendor,arn:aws:iam::111122223333:user/vendor,true,2025-01-01T00:00:00Z,N/A,false,N/A\n";
        let exemptions = Exemptions::from_toml(
            "[[exemption]]\naccount = \"*\"\nuser = \"vendor\"\nreason = \"appliance\"\nowner = \"secops\"\nexpires = 2027-01-31\n",
        )
        .unwrap();
        let options = Options::at(parse_timestamp("2026-11-26T00:00:00Z").unwrap());
        let analysis = analyze_with_exemptions(csv.as_bytes(), &options, &exemptions).unwrap();
        let plan = plan(&analysis, None);
        assert_eq!(plan.steps[0].step, StepCode::DeactivateUnusedKey);
        assert_eq!(
            plan.steps[0].notes,
            ["the slot 1 key is exempted until 2027-01-31 (owner secops: appliance); the step is what the rotation would be"]
        );
    }
}
