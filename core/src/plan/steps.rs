//! The rotation plan (rotation-rule.md §2): for each user with something to
//! do, the one next step of the rotation workflow, with the `aws iam`
//! commands a person runs after checking. keyrot never runs them.

use crate::drive::analysis::Analysis;
use crate::error::{Error, ErrorCode};
use crate::input::value::{format_timestamp, has_rfc3339_form, parse_timestamp, ser_opt_ts, ser_ts, Timestamp};
use crate::judge::cis::Rule;
use crate::judge::policy::Policy;
use crate::judge::rule::{Finding, LastUsed, Status};
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
}

impl StepCode {
    /// Every step code, in the order of rotation-rule.md §2.1 (the order in
    /// which a user's situation is matched).
    pub const ALL: [StepCode; 10] = [
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
    ];
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
    /// One step per user with something to do, in input order.
    pub steps: Vec<Step>,
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
    let keys: Vec<PlanKey> = keys
        .into_iter()
        .map(|(f, role)| PlanKey {
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
        })
        .collect();
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
    let mut step = Step {
        step: code,
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
    Some(step)
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
    step.checks.push(format!("aws iam list-access-keys{user_flag}"));
    let id = |k: &PlanKey| match &k.access_key_id {
        Some(id) => shell_quote(id).unwrap_or_else(|| format!("\"${}\"", k.variable)),
        None => format!("\"${}\"", k.variable),
    };
    let targets: Vec<&PlanKey> = step.keys.iter().filter(|k| k.role == "target").collect();
    let check_use = |k: &PlanKey| format!("aws iam get-access-key-last-used --access-key-id {}", id(k));
    match step.step {
        StepCode::RemoveRootKey => {
            for k in &targets {
                step.checks.push(check_use(k));
                step.commands.push(format!("aws iam delete-access-key --access-key-id {}", id(k)));
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
    let mut steps = Vec::new();
    let mut start = 0;
    // The plan is the rotation workflow's: the other checks take no part.
    let rotation: Vec<Finding>;
    let findings = if analysis.findings.iter().all(|f| f.rule() == Rule::AccessKeyRotated) {
        &analysis.findings
    } else {
        rotation = analysis.findings.iter().filter(|f| f.rule() == Rule::AccessKeyRotated).cloned().collect();
        &rotation
    };
    while start < findings.len() {
        let line = findings[start].line;
        let end = findings[start..].iter().position(|f| f.line != line).map_or(findings.len(), |n| start + n);
        let row: Vec<&Finding> = findings[start..end].iter().collect();
        if let Some(mut step) = plan_row(&row, &analysis.policy, analysis.as_of) {
            if known_keys.is_some() {
                apply_known_keys(&mut step, &by_user);
            }
            steps.push(step);
        }
        start = end;
    }
    Plan { as_of: analysis.as_of, policy: analysis.policy, steps }
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
