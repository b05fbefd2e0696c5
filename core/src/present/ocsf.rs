//! OCSF: each finding as a Compliance Finding event (class 2003, OCSF
//! 1.5.0), one JSON object a line, which AWS Security Lake and Prowler's
//! pipelines ingest.
//!
//! Every event carries its evidence: keyrot's version, the report's name
//! and line, the SHA-256 of the report's bytes, `as_of` and where it came
//! from, and the policy (`evidences[0].data`); the key itself is the event's
//! resource, with the values the JSON contract gives it. The severity is
//! the finding's ([`Severity`](crate::cis::Severity): for a failing or
//! invalid one, its rule's, `Critical` for the root user's keys and MFA;
//! `Low` for one due soon, `Informational` for the rest); the compliance
//! status is `Fail`, `Warning` (invalid or due soon) or `Pass`.
//!
//! [`events`] writes a batch's events on the thread that judged it.
//!
//! ```
//! use keyrot::{Options, Run, parse_timestamp};
//! let csv = "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n\
//!            alice,arn:aws:iam::111122223333:user/alice,true,2026-01-01T00:00:00Z,false,N/A\n";
//! let options = Options::at(parse_timestamp("2026-11-26T00:00:00Z").unwrap());
//! let sha = keyrot::read::sha256_hex(csv.as_bytes());
//! let mut out = Vec::new();
//! Run::new(&options).source("report.csv").report(csv.as_bytes(), |batch| {
//!     out.extend(keyrot::ocsf::events(&batch, |_| true, Some(&sha)));
//!     Ok::<(), keyrot::Error>(())
//! })?;
//! let event: serde_json::Value = serde_json::from_slice(out.split(|b| *b == b'\n').next().unwrap()).unwrap();
//! assert_eq!(event["class_uid"], 2003);
//! assert_eq!(event["compliance"]["status_id"], 3); // Fail
//! assert_eq!(event["evidences"][0]["data"]["input_sha256"], sha.as_str());
//! # Ok::<(), keyrot::Error>(())
//! ```

use crate::input::value::format_timestamp;
use crate::judge::batch::{FindingBatch, FindingRef};
use crate::judge::cis::{CisVersion, Rule};
use crate::judge::rule::{FindingCode, LastUsed, Status};
use crate::present::VERSION;
use serde_json::{json, Value};

/// The OCSF schema version the events follow.
pub const OCSF_VERSION: &str = "1.5.0";

/// The JSON lines of the events of a batch's findings whose status `keep`
/// keeps; `input_sha256` is the report's digest, for the evidence.
pub fn events(batch: &FindingBatch, keep: impl Fn(Status) -> bool, input_sha256: Option<&str>) -> Vec<u8> {
    let mut out = Vec::new();
    let as_of = format_timestamp(&batch.as_of());
    let time = batch.as_of().timestamp_millis();
    let evidence = json!({
        "keyrot_version": VERSION,
        "source": batch.source(),
        "input_sha256": input_sha256,
        "as_of": as_of,
        "as_of_source": batch.as_of_source(),
        "policy": batch.policy(),
    });
    for f in batch.findings().filter(|f| keep(f.status())) {
        let mut evidence = evidence.clone();
        evidence["line"] = json!(f.line());
        // A value always serialises.
        if serde_json::to_writer(&mut out, &event(&f, time, &as_of, evidence)).is_ok() {
            out.push(b'\n');
        }
    }
    out
}

fn event(f: &FindingRef<'_>, time: i64, as_of: &str, evidence: Value) -> Value {
    let mut event = body(f, time, as_of, evidence);
    if f.status() == Status::Fail && f.rule() == Rule::AccessKeyRotated {
        event["remediation"] = json!({
            "desc": "Rotate the key with the two-key workflow (create a second key, move applications to it, check the \
                     old key is unused, make it inactive, then delete it): `keyrot plan` prints the next step and its \
                     aws iam command.",
        });
    }
    event
}

fn body(f: &FindingRef<'_>, time: i64, as_of: &str, evidence: Value) -> Value {
    let (severity_id, severity) = f.severity().ocsf();
    let (status_id, status) = match f.status() {
        Status::Fail => (3, "Fail"),
        Status::Invalid | Status::DueSoon => (2, "Warning"),
        Status::Pass | Status::Inactive => (1, "Pass"),
    };
    let reason = f.reason();
    let rule = f.rule();
    let key = match f.slot() {
        Some(slot) => format!("{}#access-key-{slot}", f.arn()),
        None => f.arn().into_owned(),
    };
    // A check other than rotation is a finding of its own on the same key.
    let uid = match rule {
        Rule::AccessKeyRotated => key.clone(),
        rule => format!("{key}#{rule}"),
    };
    let last_used = match f.last_used() {
        Some(LastUsed::At(t)) => Value::from(format_timestamp(&t)),
        Some(LastUsed::Never) => Value::from("never"),
        Some(LastUsed::NoInformation) => Value::from("no_information"),
        None => Value::Null,
    };
    let compliance = json!({
        "standards": ["CIS AWS Foundations Benchmark"],
        "requirements": rule.requirements(),
        "control": rule.security_hub(CisVersion::NEWEST),
        "status_id": status_id,
        "checks": [{
            "uid": rule.as_str(),
            "name": title(rule),
            "status": status,
            "status_id": status_id,
            "severity": severity,
            "severity_id": severity_id,
        }],
    });
    let resource = json!({
        "type": if f.slot().is_some() { "AwsIamAccessKey" } else { "AwsIamUser" },
        "uid": key,
        "name": match f.slot() {
            Some(slot) => format!("{} key {slot}", f.user()),
            None => f.user().to_owned(),
        },
        "cloud_partition": f.arn().split(':').nth(1).unwrap_or("aws"),
        "data": {
            "account_id": f.account_id(),
            "user": f.user(),
            "arn": f.arn(),
            "is_root": f.is_root(),
            "slot": f.slot(),
            "status": f.status().as_str(),
            "active": f.active(),
            "last_rotated": f.last_rotated().as_ref().map(format_timestamp),
            "age_days": f.age_days(),
            "due_at": f.due_at().as_ref().map(format_timestamp),
            "days_until_due": f.days_until_due(),
            "last_used": last_used,
            "last_used_region": f.last_used_region(),
            "last_used_service": f.last_used_service(),
            "used_since_rotation": f.used_since_rotation(),
            "code": f.code().map(FindingCode::as_str),
            "exempted": f.exempted(),
        },
    });
    json!({
        "activity_id": 1,
        "activity_name": "Create",
        "category_uid": 2,
        "category_name": "Findings",
        "class_uid": 2003,
        "class_name": "Compliance Finding",
        "type_uid": 200_301,
        "type_name": "Compliance Finding: Create",
        "severity_id": severity_id,
        "severity": severity,
        "time": time,
        "time_dt": as_of,
        "message": reason,
        "status_code": f.status().as_str(),
        "metadata": {
            "version": OCSF_VERSION,
            "product": { "name": "keyrot", "vendor_name": "keyrot", "version": VERSION },
            "event_code": rule.as_str(),
            "uid": format!("keyrot:{uid}:{as_of}"),
            "labels": ["cis-aws-foundations", "iam", "access-key"],
        },
        "finding_info": {
            "uid": format!("keyrot:{rule}:{key}"),
            "title": title(rule),
            "desc": reason,
            "types": ["Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark"],
            "data_sources": ["IAM credential report"],
        },
        "compliance": compliance,
        "resources": [resource],
        "evidences": [{ "name": "IAM credential report", "data": evidence }],
    })
}

/// The check's title: the rotation rule's as it has always been written.
fn title(rule: Rule) -> &'static str {
    match rule {
        Rule::AccessKeyRotated => "Access keys are rotated within the policy's maximum age",
        rule => rule.summary(),
    }
}
