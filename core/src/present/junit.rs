//! JUnit XML: one test suite per report, one test case per key, which CI
//! systems show as a test report.
//!
//! A `fail` key is a test case with a `<failure>`, an `invalid` key one with
//! an `<error>` (the report could not say whether it complies), and the
//! others pass (a `due_soon` key says so in its `<system-out>`). Each suite's
//! properties are the evidence of what was judged: keyrot's version, the
//! report's SHA-256, `as_of` and where it came from, and the policy.
//!
//! The test cases of each batch are written on the thread that judged it
//! ([`JunitWriter::cases`]); a suite's opening tag, which carries its counts,
//! is written once its report has been read ([`JunitWriter::suite_start`]),
//! so a caller holds one report's cases at a time. Text is escaped for XML,
//! and characters XML 1.0 cannot hold are spelled out (`\u{1b}`).
//!
//! ```
//! use keyrot::{Options, Run, parse_timestamp};
//! use keyrot::junit::JunitWriter;
//! let csv = "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n\
//!            alice,arn:aws:iam::111122223333:user/alice,true,2026-01-01T00:00:00Z,true,2026-11-01T00:00:00Z\n";
//! let options = Options::at(parse_timestamp("2026-11-26T00:00:00Z").unwrap());
//! let mut out = Vec::new();
//! JunitWriter::start(&mut out);
//! let mut cases = Vec::new();
//! let mut tally = keyrot::junit::Tally::default();
//! let many = Run::new(&options).reports(
//!     [("report.csv".to_owned(), Ok(csv.as_bytes()))],
//!     |batch| JunitWriter::cases(batch, |_| true),
//!     |merged| {
//!         match merged {
//!             keyrot::ReportEvent::Batch { made: (xml, t), .. } => {
//!                 cases.extend_from_slice(&xml);
//!                 tally.add(&t);
//!             }
//!             keyrot::ReportEvent::Done { outcome, .. } => {
//!                 JunitWriter::suite_start(&mut out, outcome, &options.policy(), &tally);
//!                 out.append(&mut cases);
//!                 JunitWriter::suite_end(&mut out);
//!             }
//!         }
//!         Ok::<(), keyrot::Error>(())
//!     },
//! )?;
//! JunitWriter::finish(&mut out);
//! let xml = String::from_utf8(out).unwrap();
//! assert!(xml.contains(r#"<testsuite name="report.csv" tests="2" failures="1" errors="0""#));
//! # Ok::<(), keyrot::Error>(())
//! ```

use crate::drive::many::ReportOutcome;
use crate::input::value::format_timestamp;
use crate::judge::batch::{FindingBatch, FindingRef};
use crate::judge::cis::Rule;
use crate::judge::policy::Policy;
use crate::judge::rule::{FindingCode, Status};
use std::fmt::Write as _;

/// Writes JUnit XML (see the module's documentation). It holds no state:
/// every function writes one part.
#[derive(Debug, Clone, Copy, Default)]
pub struct JunitWriter;

impl JunitWriter {
    /// The document's start: the XML declaration and `<testsuites>`.
    pub fn start(out: &mut Vec<u8>) {
        out.extend_from_slice(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"keyrot\">\n");
    }

    /// The test cases of a batch's findings whose status `keep` keeps, one
    /// per key, and their tally.
    pub fn cases(batch: &FindingBatch, keep: impl Fn(Status) -> bool) -> (Vec<u8>, Tally) {
        let mut out = String::new();
        let mut tally = Tally::default();
        for f in batch.findings().filter(|f| keep(f.status())) {
            tally.tests += 1;
            match case(&mut out, &f) {
                Outcome::Failure => tally.failures += 1,
                Outcome::Error => tally.errors += 1,
                Outcome::Skipped => tally.skipped += 1,
                Outcome::Passed => {}
            }
        }
        (out.into_bytes(), tally)
    }

    /// A report's `<testsuite>` tag with the tally of its cases and its
    /// properties (the evidence); for a report that could not be judged, a
    /// suite with one test case in error that says why (its cases, if any
    /// were made, are to be dropped).
    pub fn suite_start(out: &mut Vec<u8>, report: &ReportOutcome, policy: &Policy, tally: &Tally) {
        let mut s = String::new();
        let name = xml(&report.source);
        let tally = if report.error.is_some() { Tally { tests: 1, errors: 1, ..Tally::default() } } else { *tally };
        let _ = write!(
            s,
            "  <testsuite name=\"{name}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\"",
            tally.tests, tally.failures, tally.errors, tally.skipped
        );
        if let Some(as_of) = &report.as_of {
            // JUnit's timestamp has no zone: it is UTC.
            let _ = write!(s, " timestamp=\"{}\"", as_of.format("%Y-%m-%dT%H:%M:%S"));
        }
        s.push_str(">\n    <properties>\n");
        let mut property = |name: &str, value: &str| {
            let _ = writeln!(s, "      <property name=\"{name}\" value=\"{}\"/>", xml(value));
        };
        property("keyrot.version", crate::present::VERSION);
        if let Some(sha) = &report.input_sha256 {
            property("input_sha256", sha);
        }
        if let Some(as_of) = &report.as_of {
            property("as_of", &format_timestamp(as_of));
        }
        if let Some(source) = report.as_of_source {
            let name = serde_json::to_value(source).ok();
            property("as_of_source", name.as_ref().and_then(serde_json::Value::as_str).unwrap_or_default());
        }
        property("policy", &serde_json::to_string(policy).unwrap_or_default());
        s.push_str("    </properties>\n");
        if let Some(e) = &report.error {
            let _ = writeln!(
                s,
                "    <testcase classname=\"{name}\" name=\"read the report\"><error type=\"{}\" message=\"{}\"/></testcase>",
                e.code().as_str(),
                xml(&e.to_string())
            );
        }
        out.extend_from_slice(s.as_bytes());
    }

    /// The end of a report's suite.
    pub fn suite_end(out: &mut Vec<u8>) {
        out.extend_from_slice(b"  </testsuite>\n");
    }

    /// The document's end.
    pub fn finish(out: &mut Vec<u8>) {
        out.extend_from_slice(b"</testsuites>\n");
    }
}

/// How many test cases a suite holds, and how they ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Test cases.
    pub tests: u64,
    /// Cases with a `<failure>` (`fail` keys).
    pub failures: u64,
    /// Cases with an `<error>` (`invalid` keys).
    pub errors: u64,
    /// Cases `<skipped>` (keys an exemption in force covers).
    pub skipped: u64,
}

impl Tally {
    /// Adds another tally to this one.
    pub fn add(&mut self, other: &Tally) {
        self.tests += other.tests;
        self.failures += other.failures;
        self.errors += other.errors;
        self.skipped += other.skipped;
    }
}

enum Outcome {
    Passed,
    Failure,
    Error,
    Skipped,
}

fn case(out: &mut String, f: &FindingRef<'_>) -> Outcome {
    let account = if f.account_id().is_empty() { "(no account)" } else { f.account_id() };
    let reason = xml(&f.reason());
    let _ = write!(
        out,
        "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" line=\"{}\"",
        xml(account),
        xml(&match (f.slot(), f.rule()) {
            (Some(slot), Rule::AccessKeyRotated) => format!("{} key {slot}", f.user()),
            (Some(slot), rule) => format!("{} key {slot} {rule}", f.user()),
            (None, rule) => format!("{} {rule}", f.user()),
        }),
        xml(f.source()),
        f.line()
    );
    if let Some(exemption) = f.exempted() {
        let why = xml(&format!("exempted ({}, {}): {}", exemption.owner, exemption.expires, exemption.reason));
        let _ = writeln!(out, "><skipped message=\"{why}\"/><system-out>{reason}</system-out></testcase>");
        return Outcome::Skipped;
    }
    // A failure or an error: its kind, its type, and the finding's severity
    // before the reason.
    let mut result = |element: &str, kind: &str| {
        let (severity, arn) = (f.severity().as_str(), xml(&f.arn()));
        let _ =
            writeln!(out, "><{element} type=\"{kind}\" message=\"{severity}: {reason}\">{arn}</{element}></testcase>");
    };
    match f.status() {
        Status::Fail => {
            result("failure", "fail");
            Outcome::Failure
        }
        Status::Invalid => {
            result("error", f.code().map_or("invalid", FindingCode::as_str));
            Outcome::Error
        }
        Status::DueSoon => {
            let _ = writeln!(out, "><system-out>due soon: {reason}</system-out></testcase>");
            Outcome::Passed
        }
        Status::Pass | Status::Inactive => {
            out.push_str("/>\n");
            Outcome::Passed
        }
    }
}

/// Text for an XML attribute or element: `&<>"'` escaped, and every
/// character XML 1.0 cannot hold, and every other control character,
/// spelled out (`\u{1b}`).
pub fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() || matches!(c, '\u{FFFE}' | '\u{FFFF}') => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_for_xml() {
        assert_eq!(xml("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert_eq!(xml("x\u{1b}[2J\u{0}"), "x\\u{1b}[2J\\u{0}");
    }
}
