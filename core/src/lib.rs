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
//! let options = Options::default().with_as_of(parse_timestamp("2026-11-26T00:00:00Z").unwrap());
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

mod analysis;
mod anomaly;
#[cfg(feature = "arrow")]
pub mod arrow;
mod batch;
mod checks;
pub mod cis;
mod diff;
mod digest;
mod error;
mod exemptions;
mod export;
mod input;
pub mod junit;
mod limits;
mod many;
pub mod ocsf;
mod plan;
mod policy;
mod report;
mod rule;
mod run;
pub mod sarif;
mod scan;
mod value;
pub mod view;

pub use analysis::{
    analyze, analyze_bytes, analyze_with_exemptions, AccountSummary, Analysis, Analyzer, Counts, RuleCounts, Summary,
};
pub use anomaly::{Anomaly, AnomalyCode, ANOMALIES_KEPT_PER_CODE};
pub use batch::{FindingBatch, FindingRef};
pub use checks::{Checks, RuleSet};
pub use diff::{diff, Change, ChangeCode, ChangedKey, Diff, DiffSide, DiffTimes};
pub use digest::{sha256_hex, sha256_reader};

/// The version of keyrot, as its outputs' evidence records name it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
pub use error::{Error, ErrorCode, MAX_VALUE_CHARS};
pub use exemptions::{glob_match, EntryValue, ExemptionRule, Exemptions};
pub use export::{csv_column, neutralize, read_columns, read_statuses, CsvWriter, CSV_COLUMNS};
pub use input::InputFormat;
pub use limits::Limits;
pub use many::{analyze_many, ManyAnalysis, ReportOutcome, SourcedAnomaly, SourcedFinding};
pub use plan::{plan, plan_row, read_access_keys, shell_quote, KnownKey, Plan, PlanKey, Step, StepCode};
pub use policy::{option_error, parse_as_of, parse_instant, AsOfSource, Granularity, Options, Policy};
pub use report::{
    parse, parse_bytes, AccessKey, Certificate, Layout, ParseOptions, Report, ReportReader, Row, COLUMNS,
    REQUIRED_COLUMNS,
};
pub use rule::{judge_key, Exemption, Finding, FindingCode, LastUsed, Status};
pub use run::{default_threads, Merged, Run};
pub use scan::{Chunk, Record, Scanner};
pub use value::{format_timestamp, parse_bool, parse_timestamp, write_timestamp, Field, Timestamp};
