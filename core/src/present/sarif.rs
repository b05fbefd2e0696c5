//! SARIF 2.1.0: the findings as a static-analysis log that GitHub code
//! scanning and SARIF viewers read, written as the batches stream.
//!
//! One run, one rule per keyrot rule, one result per `fail` or `invalid`
//! key, located at the report's file and the key's line; the reports' names,
//! the SHA-256 of their bytes, the policy and each report's `as_of` are the
//! run's artifacts and properties (the evidence of what was judged). Text
//! from a report is escaped for Markdown (some viewers render `text` as
//! Markdown) and never holds a control character.
//!
//! The log is written in three parts, so that nothing but the reports'
//! outcomes is held: [`SarifWriter::begin`], then [`SarifWriter::results`]
//! for each batch (on any thread, in any order of batches; the parts are
//! joined in input order by [`SarifWriter::join`]), then
//! [`SarifWriter::end`].
//!
//! ```
//! use keyrot::{Options, Run, parse_timestamp};
//! use keyrot::sarif::SarifWriter;
//! let csv = "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n\
//!            alice,arn:aws:iam::111122223333:user/alice,true,2026-01-01T00:00:00Z,false,N/A\n";
//! let options = Options::at(parse_timestamp("2026-11-26T00:00:00Z").unwrap());
//! let mut sarif = SarifWriter::new();
//! let mut out = Vec::new();
//! sarif.begin(&mut out);
//! let many = Run::new(&options).reports(
//!     [("report.csv".to_owned(), Ok(csv.as_bytes()))],
//!     |batch| SarifWriter::results(batch, |_| true),
//!     |merged| {
//!         match merged {
//!             keyrot::ReportEvent::Batch { made, .. } => out.extend_from_slice(sarif.join(&made)),
//!             keyrot::ReportEvent::Done { .. } => sarif.commit(),
//!         }
//!         Ok::<(), keyrot::Error>(())
//!     },
//! )?;
//! sarif.end(&mut out, &many.policy, &many.reports);
//! let log: serde_json::Value = serde_json::from_slice(&out).unwrap();
//! assert_eq!(log["runs"][0]["results"][0]["ruleId"], "access_key_rotated");
//! assert_eq!(log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"], 2);
//! # Ok::<(), keyrot::Error>(())
//! ```

use crate::drive::many::ReportOutcome;
use crate::input::value::format_timestamp;
use crate::judge::batch::{FindingBatch, FindingRef};
use crate::judge::cis::Severity;
use crate::judge::cis::{CisVersion, Rule};
use crate::judge::policy::{Policy, RuleSet};
use crate::judge::rule::{FindingCode, Status};
use crate::present::VERSION;
use serde_json::{json, Value};

/// The rules a run judges, as SARIF `reportingDescriptor`s.
fn rules(rules: RuleSet) -> Value {
    rules.iter().map(descriptor).collect()
}

/// GitHub code scanning's `security-severity` of a severity.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "7.5",
        Severity::Medium => "5.0",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

fn descriptor(rule: Rule) -> Value {
    let fails = Severity::of(rule, Status::Fail, false);
    let name: String = rule.as_str().split('_').map(|w| w[..1].to_uppercase() + &w[1..]).collect();
    json!({
        "id": rule.as_str(),
        "name": name,
        "shortDescription": { "text": rule.summary() },
        "fullDescription": { "text": rule.description() },
        "defaultConfiguration": { "level": fails.sarif_level() },
        "properties": {
            "tags": ["security", "iam", "access-key", "cis-aws-foundations"],
            // GitHub code scanning's scale (critical 9.0 and over, high 7.0,
            // medium 4.0, low below), of a failing finding of a user.
            "security-severity": security_severity(fails),
            "severity": fails.as_str(),
            "cis": CisVersion::ALL
                .into_iter()
                .filter_map(|v| rule.recommendation(v).map(|r| (v.as_str().to_owned(), Value::from(r.number))))
                .collect::<serde_json::Map<_, _>>(),
            "security_hub": rule.security_hub(CisVersion::NEWEST),
        }
    })
}

/// Writes a SARIF 2.1.0 log of findings (see the module's documentation).
#[derive(Debug, Default)]
pub struct SarifWriter {
    /// The rules listed in the log.
    rules: RuleSet,
    /// Whether a result has been kept (the next is preceded by a comma).
    any: bool,
    /// Whether a result has been joined since the last commit or discard.
    pending: bool,
}

impl SarifWriter {
    /// A writer with nothing written yet, of the rotation rule's results.
    pub fn new() -> SarifWriter {
        SarifWriter::default()
    }

    /// A writer listing these rules (the run's [`Checks::rules`](crate::Checks::rules)).
    pub fn with_rules(rules: RuleSet) -> SarifWriter {
        SarifWriter { rules, ..SarifWriter::default() }
    }

    /// The log's start: the schema, the tool and its rules, and the opening
    /// of the results.
    pub fn begin(&mut self, out: &mut Vec<u8>) {
        let driver = json!({
            "name": "keyrot",
            "version": VERSION,
            "semanticVersion": VERSION,
            "rules": rules(self.rules),
        });
        out.extend_from_slice(
            b"{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[{\"tool\":{\"driver\":",
        );
        out.extend_from_slice(driver.to_string().as_bytes());
        out.extend_from_slice(b"},\"columnKind\":\"unicodeCodePoints\",\"results\":[");
        self.any = false;
        self.pending = false;
    }

    /// The results of a batch's `fail` and `invalid` findings whose status
    /// `keep` keeps, each preceded by a comma (see [`join`](Self::join)).
    pub fn results(batch: &FindingBatch, keep: impl Fn(Status) -> bool) -> Vec<u8> {
        let mut out = Vec::new();
        for f in batch.findings().filter(|f| matches!(f.status(), Status::Fail | Status::Invalid) && keep(f.status())) {
            out.push(b',');
            out.extend_from_slice(result(&f).to_string().as_bytes());
        }
        out
    }

    /// The part of what [`results`](Self::results) made to write next, in
    /// order: all of it, or without its leading comma for the log's first
    /// result.
    pub fn join<'m>(&mut self, made: &'m [u8]) -> &'m [u8] {
        match made.split_first() {
            Some((_, rest)) if !self.any && !self.pending => {
                self.pending = true;
                rest
            }
            Some(_) => {
                self.pending = true;
                made
            }
            None => made,
        }
    }

    /// The results joined since the last call are kept (their report was
    /// read whole).
    pub fn commit(&mut self) {
        self.any |= self.pending;
        self.pending = false;
    }

    /// The results joined since the last commit were dropped (their report
    /// failed): the next result is joined as if they had never been.
    pub fn discard(&mut self) {
        self.pending = false;
    }

    /// The log's end: each report as an artifact with its SHA-256, one
    /// invocation (unsuccessful when a report could not be judged, with
    /// a notification per such report), and the evidence record.
    pub fn end(&mut self, out: &mut Vec<u8>, policy: &Policy, reports: &[ReportOutcome]) {
        let artifacts: Vec<Value> = reports
            .iter()
            .map(|r| {
                let mut artifact = json!({ "location": { "uri": uri(&r.source) }, "roles": ["analysisTarget"] });
                if let Some(sha) = &r.input_sha256 {
                    artifact["hashes"] = json!({ "sha-256": sha });
                }
                artifact
            })
            .collect();
        let failed: Vec<Value> = reports
            .iter()
            .filter_map(|r| {
                let e = r.error.as_ref()?;
                Some(json!({
                    "level": "error",
                    "message": { "text": format!("{}: {}", markdown(&r.source), markdown(&e.to_string())) },
                    "descriptor": { "id": e.code().as_str() },
                    "locations": [{ "physicalLocation": { "artifactLocation": { "uri": uri(&r.source) } } }],
                }))
            })
            .collect();
        let tail = json!({
            "artifacts": artifacts,
            "invocations": [{
                "executionSuccessful": failed.is_empty(),
                "toolExecutionNotifications": failed,
            }],
            "properties": { "keyrot": evidence(policy, reports) },
        });
        out.extend_from_slice(b"]");
        // The tail's members, after the results, in the same run object.
        let text = tail.to_string();
        out.push(b',');
        out.extend_from_slice(&text.as_bytes()[1..]);
        out.extend_from_slice(b"]}\n");
    }
}

/// The evidence record: keyrot's version, the policy, and each report's
/// name, SHA-256, `as_of` and where it came from.
pub fn evidence(policy: &Policy, reports: &[ReportOutcome]) -> Value {
    let inputs: Vec<Value> = reports
        .iter()
        .map(|r| {
            json!({
                "source": r.source,
                "input_sha256": r.input_sha256,
                "as_of": r.as_of.as_ref().map(format_timestamp),
                "as_of_source": r.as_of_source,
                "error": r.error.as_ref().map(|e| e.code().as_str()),
            })
        })
        .collect();
    json!({ "version": VERSION, "policy": policy, "inputs": inputs })
}

fn result(f: &FindingRef<'_>) -> Value {
    let reason = f.reason();
    let who = if f.is_root() { "the root account".to_owned() } else { format!("user {}", code_span(f.user())) };
    let what = match f.slot() {
        Some(slot) => format!("Access key {slot} of {who}"),
        None => who[..1].to_uppercase() + &who[1..],
    };
    let text = format!("{what} ({}): {}", code_span(&f.arn()), markdown(&reason));
    let rule = f.rule();
    let index = f.checks().rules.iter().position(|r| r == rule).unwrap_or_default();
    let fingerprint = match (f.slot(), rule) {
        (Some(slot), Rule::AccessKeyRotated) => format!("{}#{slot}", f.arn()),
        (Some(slot), rule) => format!("{}#{slot}#{rule}", f.arn()),
        (None, rule) => format!("{}#{rule}", f.arn()),
    };
    json!({
        "ruleId": rule.as_str(),
        "ruleIndex": index,
        "level": f.severity().sarif_level(),
        "kind": "fail",
        "message": { "text": text },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": uri(f.source()) },
                "region": { "startLine": f.line() },
            },
            "logicalLocations": [{ "name": clean(f.user()), "fullyQualifiedName": clean(&f.arn()), "kind": "member" }],
        }],
        "partialFingerprints": { "keyrotAccessKey/v1": fingerprint },
        // Data, not display: the values as the report has them (JSON
        // escapes what needs it), as in the JSON contract.
        "properties": {
            "account_id": f.account_id(),
            "user": f.user(),
            "arn": f.arn(),
            "slot": f.slot(),
            "status": f.status().as_str(),
            "severity": f.severity().as_str(),
            "code": f.code().map(FindingCode::as_str),
            "age_days": f.age_days(),
            "last_rotated": f.last_rotated().as_ref().map(format_timestamp),
            "due_at": f.due_at().as_ref().map(format_timestamp),
            "exempted": f.is_exempted(),
            "reason": reason,
        },
    })
}

/// Text with every control character spelled out (`\u{7}`), so that
/// nothing from a report can reach a terminal or a renderer as one.
fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        if ch.is_control() || matches!(ch, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        {
            out.extend(ch.escape_unicode());
        } else {
            out.push(ch);
        }
    }
    out
}

/// Text with its control characters spelled out and every character that
/// can start Markdown markup inside a line escaped with a backslash, so
/// that a viewer rendering the message as Markdown shows it as written (no
/// link, no image, no emphasis, no HTML, no mail autolink).
pub fn markdown(text: &str) -> String {
    let clean = clean(text);
    let mut out = String::with_capacity(clean.len() + 8);
    for ch in clean.chars() {
        if "\\`*_{}[]()<>#!|~&@".contains(ch) {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// Text as a Markdown code span: shown as written by a viewer that renders
/// Markdown, and readable as plain text. The fence is longer than any run
/// of backticks inside.
pub fn code_span(text: &str) -> String {
    let clean = clean(text);
    let mut longest = 0;
    let mut run = 0;
    for ch in clean.chars() {
        run = if ch == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if clean.starts_with('`') || clean.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{clean}{pad}{fence}")
}

/// A report's name as a URI reference: a relative path, with every byte
/// outside the unreserved characters and `/` percent-encoded.
pub fn uri(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_and_control_characters_are_escaped() {
        assert_eq!(markdown("[x](http://e/)"), "\\[x\\]\\(http://e/\\)");
        assert_eq!(markdown("a@b.example"), "a\\@b.example");
        assert_eq!(code_span("alice"), "`alice`");
        assert_eq!(code_span("a``b"), "```a``b```");
        assert_eq!(code_span("`x"), "`` `x ``");
        // The escape of the control character is itself escaped: Markdown
        // shows `a\u{1b}[2J`.
        assert_eq!(markdown("a\u{1b}[2J"), r"a\\u\{1b\}\[2J");
        assert_eq!(markdown("<img src=x>"), "\\<img src=x\\>");
    }

    #[test]
    fn names_become_uri_references() {
        assert_eq!(uri("reports/credentialReport_1.csv"), "reports/credentialReport_1.csv");
        assert_eq!(uri("a b#c?.csv"), "a%20b%23c%3F.csv");
        assert_eq!(uri("ü"), "%C3%BC");
    }
}
