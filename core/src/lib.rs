//! keyrot reads a saved AWS IAM credential report, offline, and judges every
//! access key against one documented rotation rule, to the second, at an
//! evaluation time (`as_of`) the caller gives.
//!
//! The input can be the CSV itself, base64 of it (what
//! `aws iam get-credential-report --query Content --output text` prints), or
//! the JSON the AWS CLI prints around it. Both timestamp forms AWS has used,
//! the legacy 16-column layout, quoting, BOMs and any line ending are read;
//! bad input is an [`Error`] naming the line, the column and the value.
//!
//! ```
//! use keyrot::{analyze, Options, Status, parse_timestamp};
//!
//! let report = "\
//! user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated
//! <root_account>,arn:aws:iam::111122223333:root,2020-01-01T00:00:00Z,not_supported,2026-11-01T10:00:00Z,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
//! deploy,arn:aws:iam::111122223333:user/deploy,2024-01-01T00:00:00Z,false,N/A,N/A,N/A,false,true,2026-01-01T00:00:00Z,2026-11-20T08:15:00Z,us-east-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
//! ";
//! let options = Options::at(parse_timestamp("2026-11-26T00:00:00Z").unwrap());
//! let analysis = analyze(report.as_bytes(), &options).unwrap();
//!
//! assert_eq!(analysis.findings.len(), 1);
//! let finding = &analysis.findings[0];
//! assert_eq!(finding.user, "deploy");
//! assert_eq!(finding.status, Status::Fail);
//! assert_eq!(finding.age_days, Some(329));
//! assert_eq!(finding.reason, "active key 329 days old; limit 90; overdue since 2026-04-01T00:00:00Z");
//! assert!(!analysis.is_compliant());
//!
//! // The result serializes to the JSON contract shared by every interface.
//! let json = serde_json::to_value(&analysis).unwrap();
//! assert_eq!(json["findings"][0]["last_rotated"], "2026-01-01T00:00:00Z");
//! ```
//!
//! [`Run`] is the engine underneath: it reads one report or many, judges
//! their chunks on several threads, and hands back [`FindingBatch`]es in
//! input order, in memory that does not grow with the number of rows or
//! reports; [`FindingRef`] is the view of one finding in a batch, and
//! [`CsvWriter`] writes views as the command's CSV. [`ReportReader`] reads
//! typed rows from the same reader, [`Scanner`].
#![deny(missing_docs)]

/// The README's Rust examples, run as doc tests so they stay true.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

mod codes;
mod drive;
mod error;
mod input;
mod judge;
pub mod plan;
mod present;

// The entry points.
pub use drive::run::{analyze, analyze_many, analyze_with_exemptions, ReportEvent, Run};
pub use input::reader::parse;
pub use plan::steps::plan;
pub use plan::diff::diff;

// What a run judges by.
pub use input::report::ParseOptions;
pub use input::unwrap::InputFormat;
pub use judge::cis::Rule;
pub use judge::exemptions::Exemptions;
pub use judge::policy::{AsOfSource, Checks, Granularity, Options, Policy, RuleSet};

// The results and their records.
pub use drive::analysis::{AccountSummary, Analysis, Counts, RuleCounts, Summary};
pub use drive::many::{ManyAnalysis, ReportOutcome};
pub use input::anomaly::{Anomaly, AnomalyCode, SourcedAnomaly};
pub use input::reader::Report;
pub use judge::batch::{FindingBatch, FindingRef};
pub use judge::rule::{Exemption, Finding, FindingCode, LastUsed, SourcedFinding, Status};
pub use present::csv::{CsvWriter, CSV_COLUMNS};

// Errors and time.
pub use error::{Error, ErrorCode};
pub use input::value::{format_timestamp, parse_timestamp, Timestamp};

// The outputs for pipelines and the page.
#[cfg(feature = "arrow")]
pub use present::arrow;
pub use judge::cis;
pub use present::{junit, ocsf, sarif, view};

/// The version of keyrot, as its outputs' evidence records name it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The reader's parts, for a program that reads reports itself: the
/// [`Scanner`](read::Scanner) (chunks of whole rows, or records of fields),
/// the typed [`ReportReader`](read::ReportReader) over it and its
/// [`Row`](read::Row)s, the [`Analyzer`](read::Analyzer) that judges typed
/// rows one by one, the [`Limits`](read::Limits) input is held to, and the
/// SHA-256 of input bytes (the evidence the outputs record).
pub mod read {
    pub use crate::drive::analysis::Analyzer;
    pub use crate::input::digest::{sha256_hex, sha256_reader};
    pub use crate::input::limits::Limits;
    pub use crate::input::reader::ReportReader;
    pub use crate::input::report::{AccessKey, Certificate, Layout, Record, Row, COLUMNS};
    pub use crate::input::scan::{Chunk, Scanner};
    pub use crate::input::value::Field;
}

/// What the command line and the bindings read their options with, so that
/// every interface reads a name, a list or an instant alike and reports a
/// bad one with the same error: the lists of columns and statuses, an
/// instant given as text, serde's errors on a binding's options, and the
/// values of an exemptions entry given as data.
pub mod options {
    pub use crate::judge::exemptions::EntryValue;
    pub use crate::judge::policy::{option_error, parse_as_of, parse_instant};
    pub use crate::present::csv::{read_columns, read_statuses};
}

/// What changed from an older report to a newer one: [`diff`](crate::diff())
/// and its records.
pub mod diff {
    pub use crate::plan::diff::{Change, ChangeCode, ChangedKey, Diff, DiffSide, DiffTimes};
}
