//! keyrot reads a saved AWS IAM credential report, offline, and judges
//! every access key against the CIS rotation rule (rotate within 90 days, to
//! the second, at an evaluation time `as_of` the caller gives), and, when
//! asked, the other CIS recommendations the report can answer (unused keys
//! and passwords, the root user's keys, MFA and use, console users' MFA,
//! two active keys, keys made at user setup) in the same pass. It says, per
//! user, the next step of the rotation workflow, and what changed between
//! two reports.
//!
//! The input can be the CSV itself, base64 of it (what
//! `aws iam get-credential-report --query Content --output text` prints), or
//! the JSON the AWS CLI prints around it. Both timestamp forms AWS has used,
//! the legacy 16-column layout, quoting, BOMs and any line ending are read;
//! bad input is an [`Error`] naming the line, the column and the value. The
//! rules are in [`spec`]: the contract every interface keeps.
//!
//! # Which entry point?
//!
//! | to | use | holds in memory |
//! |---|---|---|
//! | judge one report and keep its findings | [`analyze`] (or [`analyze_with_exemptions`]) | every [`Finding`] |
//! | judge many reports (a folder: one per account) together | [`analyze_many`] | every [`SourcedFinding`] |
//! | write one report's findings as CSV as it is read | [`Run::write_csv`] | a batch at a time |
//! | stream a report's findings to any sink | [`Run::report`]: [`FindingBatch`]es of [`FindingRef`] views, in input order | a batch at a time |
//! | stream many reports | [`Run::reports`]: each batch, then each report's [`ReportOutcome`] | a batch at a time |
//! | Arrow record batches (feature `arrow`) | `arrow::FindingStream` over reports, made on the judging threads; `arrow::finding_batch` on each batch, or `arrow::FindingBatches` over held ones | a few record batches |
//! | the rotation plan | [`plan`](fn@plan) over an [`Analysis`] | the steps |
//! | what changed between two reports | [`diff`](fn@diff) over two parsed [`read::Report`]s | the changes |
//! | the rotation workflow across a season of reports | [`plan::history::history`], or [`plan::history::HistoryRun::stream`] | every key's life, or those not yet ended |
//! | typed rows, without judging | [`read::parse`], or [`read::ReportReader`] row by row | the rows, or one |
//!
//! Every entry point reads its options from one [`Options`]: the defaults
//! with [`Options::at`] (or [`Options::default`]) and fields set by name, or
//! [`Options::from_value`] / [`Options::from_json`] (the names of the golden
//! cases' `options.json`, which the command line and the bindings use too).
//!
//! # Judge one report
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
//! let analysis = analyze(report.as_bytes(), &options)?;
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
//! # Ok::<(), keyrot::Error>(())
//! ```
//!
//! # Judge a folder of reports
//!
//! One report per account is the common case; they are judged together,
//! each at its own time unless `as_of` is given, into one verdict with the
//! counts of each account. A file that cannot be read is an outcome with its
//! error, and does not stop the others.
//!
//! ```
//! use keyrot::{analyze_many, parse_timestamp, Options};
//! let folder = std::env::temp_dir().join(format!("keyrot-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&folder).unwrap();
//! let header = "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n";
//! std::fs::write(folder.join("111111111111.csv"), format!("{header}a,arn:aws:iam::111111111111:user/a,true,2026-01-01T00:00:00Z,false,N/A\n")).unwrap();
//! std::fs::write(folder.join("222222222222.csv"), format!("{header}b,arn:aws:iam::222222222222:user/b,true,2026-11-01T00:00:00Z,false,N/A\n")).unwrap();
//!
//! let mut paths: Vec<_> = std::fs::read_dir(&folder).unwrap().map(|e| e.unwrap().path()).collect();
//! paths.sort();
//! let inputs: Vec<(String, std::fs::File)> =
//!     paths.iter().map(|p| (p.display().to_string(), std::fs::File::open(p).unwrap())).collect();
//! let many = analyze_many(inputs, &Options::at(parse_timestamp("2026-11-26T00:00:00Z").unwrap()), None);
//! assert_eq!(many.summary.accounts.len(), 2);
//! assert_eq!((many.summary.overall.fail, many.summary.overall.pass), (1, 1));
//! assert!(!many.is_compliant());
//! # std::fs::remove_dir_all(&folder).unwrap();
//! ```
//!
//! # Stream findings to a writer
//!
//! [`Run`] is the engine under every entry point: it cuts a report into
//! chunks of whole rows, judges them on several threads, and hands back
//! [`FindingBatch`]es in input order, the same for any number of threads.
//! A batch's findings are views ([`FindingRef`]) that borrow their text and
//! write their reason only when asked.
//!
//! ```
//! use keyrot::{parse_timestamp, Options, Run, Status};
//! use std::io::Write;
//! let csv = "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n\
//!            alice,arn:aws:iam::111122223333:user/alice,true,2026-01-01T00:00:00Z,false,N/A\n\
//!            bob,arn:aws:iam::111122223333:user/bob,true,2026-11-01T00:00:00Z,false,N/A\n";
//! let options = Options::at(parse_timestamp("2026-11-26T00:00:00Z").unwrap());
//! let mut out = Vec::new();
//! let analysis = Run::new(&options).report(csv.as_bytes(), |batch| {
//!     for finding in batch.findings().filter(|f| f.status() == Status::Fail) {
//!         writeln!(out, "{} key {}: {}", finding.user(), finding.slot().unwrap_or(0), finding.reason())?;
//!     }
//!     Ok::<(), keyrot::Error>(()) // an io::Error becomes keyrot's with `?`
//! })?;
//! assert_eq!(String::from_utf8(out).unwrap(), "alice key 1: active key 329 days old; limit 90; overdue since 2026-04-01T00:00:00Z\n");
//! assert_eq!(analysis.summary.overall.keys, 2);
//! # Ok::<(), keyrot::Error>(())
//! ```
//!
//! # Read Arrow
//!
//! With the cargo feature `arrow`, `keyrot::arrow` turns batches (and parsed
//! rows, plans and diffs) into Arrow `RecordBatch`es of one documented
//! schema.
//!
//! ```
//! # #[cfg(feature = "arrow")]
//! # {
//! use keyrot::{parse_timestamp, Options, Run};
//! let csv = "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n\
//!            alice,arn:aws:iam::111122223333:user/alice,true,2026-01-01T00:00:00Z,true,2026-11-01T00:00:00Z\n";
//! let options = Options::at(parse_timestamp("2026-11-26T00:00:00Z").unwrap());
//! let mut batches = Vec::new();
//! Run::new(&options).report(csv.as_bytes(), |batch| {
//!     batches.push(keyrot::arrow::finding_batch(&batch, false).expect("a record batch"));
//!     Ok::<(), keyrot::Error>(())
//! })?;
//! assert_eq!(batches[0].num_rows(), 2);
//! # }
//! # Ok::<(), keyrot::Error>(())
//! ```
//!
//! # Make a plan
//!
//! ```
//! use keyrot::{analyze, parse_timestamp, plan, Options};
//! use keyrot::plan::StepCode;
//! let csv = "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_2_active,access_key_2_last_rotated\n\
//!            alice,arn:aws:iam::111122223333:user/alice,true,2026-01-01T00:00:00Z,2026-11-25T10:00:00Z,false,N/A\n";
//! let analysis = analyze(csv.as_bytes(), &Options::at(parse_timestamp("2026-11-26T00:00:00Z").unwrap()))?;
//! let plan = plan(&analysis, None);
//! assert_eq!(plan.steps[0].step, StepCode::CreateNewKey); // in use: make a second key first
//! assert!(plan.steps[0].commands.iter().any(|c| c.starts_with("aws iam create-access-key")));
//! # Ok::<(), keyrot::Error>(())
//! ```
//!
//! # Time
//!
//! [`Timestamp`] is chrono's `DateTime<Utc>`, on purpose: instants are
//! compared to the second or finer, and a program that uses chrono reads
//! them as they are. The core never reads the clock: `as_of` comes from the
//! caller, the report's `GeneratedTime`, or [`Options::clock`].
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]
#![warn(unreachable_pub)]

/// The README's Rust examples, run as doc tests so they stay true.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

mod drive;
mod error;
mod input;
mod judge;
pub mod plan;
mod present;

// The entry points.
pub use drive::run::{analyze, analyze_many, analyze_with_exemptions, ReportEvent, Run};
pub use plan::diff::diff;
pub use plan::steps::plan;

// What a run judges by.
pub use input::unwrap::InputFormat;
pub use judge::cis::Rule;
pub use judge::exemptions::Exemptions;
pub use judge::policy::{AsOfSource, Checks, Granularity, Options, Policy, RuleSet};

// The results and their records.
pub use drive::analysis::{AccountSummary, Analysis, Counts, RuleCounts, Summary};
pub use drive::many::{ManyAnalysis, ReportOutcome};
pub use input::anomaly::{Anomaly, AnomalyCode, SourcedAnomaly};
pub use judge::batch::{FindingBatch, FindingRef};
pub use judge::rule::{Exemption, Finding, FindingCode, LastUsed, SourcedFinding, Status, Triage};
pub use present::csv::CsvWriter;

// Errors and time.
pub use error::{Error, ErrorCode};
pub use input::value::{format_timestamp, parse_timestamp, Timestamp};

// The outputs for pipelines and the page.
pub use judge::cis;
#[cfg(feature = "arrow")]
#[cfg_attr(docsrs, doc(cfg(feature = "arrow")))]
pub use present::arrow;
pub use present::{junit, ocsf, sarif, view};

pub use present::VERSION;

/// The reader's parts, for a program that reads reports itself:
/// [`parse`](read::parse) reads a whole report into typed rows without
/// judging it (a [`Report`](read::Report), what [`diff`](fn@crate::diff)
/// compares); the
/// [`Scanner`](read::Scanner) (chunks of whole rows, or records of fields),
/// the typed [`ReportReader`](read::ReportReader) over it and its
/// [`Row`](read::Row)s, the [`Analyzer`](read::Analyzer) that judges typed
/// rows one by one, the [`Limits`](read::Limits) input is held to, the
/// [`Simd`](read::Simd) level of the structural scan, the SHA-256 of input
/// bytes (the evidence the outputs record), and the reports of a folder
/// ([`reports_in`](read::reports_in)).
pub mod read {
    pub use crate::drive::analysis::Analyzer;
    pub use crate::input::digest::{sha256_hex, sha256_reader};
    pub use crate::input::limits::Limits;
    pub use crate::input::reader::{open_report, parse, parse_reader, reports_in, Report, ReportReader};
    pub use crate::input::report::{AccessKey, Certificate, Layout, ParseOptions, Record, Row, COLUMNS};
    pub use crate::input::scan::{Chunk, Scanner};
    pub use crate::input::simd::Simd;
    pub use crate::input::value::Field;
}

/// What the command line and the bindings read their options with, so that
/// every interface reads a name, a list or an instant alike and reports a
/// bad one with the same error: the lists of columns and statuses, an
/// instant given as text, serde's errors on a binding's options, and the
/// values of an exemptions entry given as data.
pub mod options {
    pub use crate::judge::exemptions::EntryValue;
    pub use crate::judge::policy::{
        naive_datetime, option_error, parse_as_of, parse_instant, read_threads, unknown_option, MAX_THREADS,
    };
    pub use crate::present::csv::{read_columns, read_statuses};
}

/// The contract keyrot keeps, as the documents its interfaces cite: the
/// rotation rule, its statuses and the rotation plan
/// ([`spec::rotation_rule`]), and the input as AWS writes it, with its
/// quirks ([`spec::credential_report`]).
pub mod spec {
    #[doc = include_str!("../docs/rotation-rule.md")]
    pub mod rotation_rule {}
    // Its sources are cited as `[I2]`, `[D1]`: references, not links.
    #[allow(rustdoc::broken_intra_doc_links, rustdoc::bare_urls)]
    #[doc = include_str!("../docs/credential-report.md")]
    pub mod credential_report {}
}

/// What changed from an older report to a newer one: [`diff`](crate::diff())
/// and its records.
pub mod diff {
    pub use crate::plan::diff::{Change, ChangeCode, ChangedKey, Diff, DiffSide, DiffTimes};
}
