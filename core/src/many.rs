//! Many reports judged together: one report per account per day, gathered
//! from an organisation. One verdict across all of them, with the counts of
//! each account, and every finding naming its source.

use crate::analysis::{AccountSummary, Analyzer, Counts, Summary};
use crate::anomaly::{Anomaly, AnomalyCode};
use crate::error::{shorten, Error};
use crate::exemptions::Exemptions;
use crate::input::InputFormat;
use crate::policy::{AsOfSource, Options, Policy};
use crate::report::Layout;
use crate::rule::Finding;
use crate::scan::Scanner;
use crate::value::{ser_opt_ts, Timestamp};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;

/// What happened to one input of [`analyze_many`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportOutcome {
    /// The name the caller gave the input (a file name).
    pub source: String,
    /// The evaluation instant of this report (`None` when it failed early).
    #[serde(serialize_with = "ser_opt_ts")]
    pub as_of: Option<Timestamp>,
    /// Where `as_of` came from.
    pub as_of_source: Option<AsOfSource>,
    /// The form the input was in.
    pub input_format: Option<InputFormat>,
    /// The header's layout.
    pub layout: Option<Layout>,
    /// `GeneratedTime` from the input's wrapper, when known.
    #[serde(serialize_with = "ser_opt_ts")]
    pub generated_time: Option<Timestamp>,
    /// The latest timestamp in the report.
    #[serde(serialize_with = "ser_opt_ts")]
    pub newest_timestamp: Option<Timestamp>,
    /// The counts of this report.
    pub summary: Option<Counts>,
    /// Why the input could not be judged; its findings are then left out.
    pub error: Option<Error>,
}

/// A finding with the report it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourcedFinding {
    /// The report's name.
    pub source: String,
    /// The finding.
    #[serde(flatten)]
    pub finding: Finding,
}

/// An anomaly with the report it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourcedAnomaly {
    /// The report's name.
    pub source: String,
    /// The anomaly.
    #[serde(flatten)]
    pub anomaly: Anomaly,
}

/// The result of judging many reports together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ManyAnalysis {
    /// The policy applied to every report.
    pub policy: Policy,
    /// Every input, in the order given, judged or failed.
    pub reports: Vec<ReportOutcome>,
    /// The counts over every judged report, and per account (sorted).
    pub summary: Summary,
    /// Every finding, report by report in the order given.
    pub findings: Vec<SourcedFinding>,
    /// Every anomaly, with its report.
    pub anomalies: Vec<SourcedAnomaly>,
}

impl ManyAnalysis {
    /// Whether every judged report is compliant (failed inputs aside: check
    /// [`ManyAnalysis::failed`]).
    pub fn is_compliant(&self) -> bool {
        self.summary.overall.compliant
    }

    /// The inputs that could not be judged.
    pub fn failed(&self) -> impl Iterator<Item = &ReportOutcome> {
        self.reports.iter().filter(|r| r.error.is_some())
    }
}

impl Counts {
    /// Adds `other`'s counts to these.
    pub fn merge(&mut self, other: &Counts) {
        self.users += other.users;
        self.users_with_keys += other.users_with_keys;
        self.keys += other.keys;
        self.active_keys += other.active_keys;
        self.pass += other.pass;
        self.due_soon += other.due_soon;
        self.fail += other.fail;
        self.inactive += other.inactive;
        self.invalid += other.invalid;
        self.exempted += other.exempted;
        self.oldest_active_key_age_days = match (self.oldest_active_key_age_days, other.oldest_active_key_age_days) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        self.compliant &= other.compliant;
    }
}

/// Where each account's users were first seen, across reports.
#[derive(Default)]
struct Seen {
    /// Account id -> the first report it appeared in.
    accounts: HashMap<String, String>,
    /// (account id, lower-case user) -> the first report it appeared in.
    users: HashMap<(String, String), String>,
}

/// Judges every input, each at its own `as_of` (explicit, else its
/// `GeneratedTime`, else [`Options::clock`]). An input that cannot be read
/// is reported with its error and does not stop the others. The same account
/// in several reports is an `account_in_several_files` anomaly, and the same
/// user of one account in several reports a `duplicate_user` anomaly: never a
/// silent merge.
///
/// ```
/// use keyrot::{analyze_many, Options, parse_timestamp};
/// let header = "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n";
/// let a = format!("{header}alice,arn:aws:iam::111111111111:user/alice,true,2026-01-01T00:00:00Z,false,N/A\n");
/// let b = format!("{header}bob,arn:aws:iam::222222222222:user/bob,true,2026-11-01T00:00:00Z,false,N/A\n");
/// let options = Options::default().with_as_of(parse_timestamp("2026-11-26T00:00:00Z").unwrap());
/// let many = analyze_many(
///     vec![("a.csv".to_owned(), a.as_bytes()), ("b.csv".to_owned(), b.as_bytes()), ("c.csv".to_owned(), &b""[..])],
///     &options,
///     None,
/// );
/// assert_eq!(many.summary.accounts.len(), 2);
/// assert_eq!(many.summary.overall.fail, 1);
/// assert_eq!(many.findings[0].source, "a.csv");
/// assert_eq!(many.failed().count(), 1);
/// ```
pub fn analyze_many<I, R>(inputs: I, options: &Options, exemptions: Option<&Exemptions>) -> ManyAnalysis
where
    I: IntoIterator<Item = (String, R)>,
    R: Read,
{
    let mut reports = Vec::new();
    let mut findings = Vec::new();
    let mut anomalies = Vec::new();
    let mut overall = Counts::default();
    let mut accounts: BTreeMap<String, Counts> = BTreeMap::new();
    let mut seen = Seen::default();
    for (source, input) in inputs {
        let start = findings.len();
        let outcome = judge_one(&source, input, options, exemptions, &mut seen, &mut findings, &mut anomalies);
        match outcome {
            Ok(analysis) => {
                overall.merge(&analysis.summary.overall);
                for account in &analysis.summary.accounts {
                    accounts.entry(account.account_id.clone()).or_default().merge(&account.counts);
                }
                reports.push(ReportOutcome {
                    source,
                    as_of: Some(analysis.as_of),
                    as_of_source: Some(analysis.as_of_source),
                    input_format: Some(analysis.input_format),
                    layout: Some(analysis.layout),
                    generated_time: analysis.generated_time,
                    newest_timestamp: analysis.newest_timestamp,
                    summary: Some(analysis.summary.overall),
                    error: None,
                });
            }
            Err(error) => {
                findings.truncate(start);
                reports.push(ReportOutcome {
                    source,
                    as_of: None,
                    as_of_source: None,
                    input_format: None,
                    layout: None,
                    generated_time: None,
                    newest_timestamp: None,
                    summary: None,
                    error: Some(error),
                });
            }
        }
    }
    ManyAnalysis {
        policy: options.policy(),
        reports,
        summary: Summary {
            overall,
            accounts: accounts.into_iter().map(|(account_id, counts)| AccountSummary { account_id, counts }).collect(),
        },
        findings,
        anomalies,
    }
}

/// Judges one input, streaming its findings into `findings` and its
/// anomalies (with the cross-report ones) into `anomalies`.
fn judge_one<R: Read>(
    source: &str,
    input: R,
    options: &Options,
    exemptions: Option<&Exemptions>,
    seen: &mut Seen,
    findings: &mut Vec<SourcedFinding>,
    anomalies: &mut Vec<SourcedAnomaly>,
) -> Result<crate::analysis::Analysis, Error> {
    let mut scanner = Scanner::new(input, &options.parse_options())?;
    let mut analyzer = Analyzer::for_scanner(&scanner, options)?;
    if let Some(ex) = exemptions {
        analyzer = analyzer.with_exemptions(ex.clone());
    }
    let judge = scanner.judge(&analyzer);
    let mut cross = Vec::new();
    // This report's accounts and users; merged into `seen` only once the
    // whole report has been read, so a report that fails names nothing.
    let mut accounts: HashSet<String> = HashSet::new();
    let mut users: HashSet<(String, String)> = HashSet::new();
    while let Some(chunk) = scanner.next_chunk()? {
        let mut judged = chunk.judge(&judge)?;
        analyzer.absorb(&mut judged);
        for row in &judged.rows {
            let (account, user) = (judged.account(row), judged.user(row));
            if !accounts.contains(account) {
                accounts.insert(account.to_owned());
                if let Some(first) = seen.accounts.get(account) {
                    cross.push(
                        Anomaly::new(
                            AnomalyCode::AccountInSeveralFiles,
                            format!(
                                "account `{}` is also in `{}`: both reports are judged, and their counts add up",
                                shorten(account),
                                shorten(first)
                            ),
                        )
                        .at_line(row.line)
                        .at_column("arn")
                        .with_value(account),
                    );
                }
            }
            let key = (account.to_owned(), user.to_lowercase());
            if let Some(first) = seen.users.get(&key) {
                cross.push(
                    Anomaly::new(
                        AnomalyCode::DuplicateUser,
                        format!(
                            "user `{}` of account `{}` is also in `{}`; every row is judged",
                            shorten(user),
                            shorten(&key.0),
                            shorten(first)
                        ),
                    )
                    .at_line(row.line)
                    .at_column("user")
                    .with_value(user),
                );
            }
            users.insert(key);
        }
        for finding in judged.findings(&judge) {
            findings.push(SourcedFinding { source: source.to_owned(), finding: analyzer.finding(&finding) });
        }
    }
    for account in accounts {
        seen.accounts.entry(account).or_insert_with(|| source.to_owned());
    }
    for user in users {
        seen.users.entry(user).or_insert_with(|| source.to_owned());
    }
    let analysis = analyzer.finish(Vec::new());
    let tag = |anomaly: Anomaly| SourcedAnomaly { source: source.to_owned(), anomaly };
    anomalies.extend(analysis.anomalies.iter().cloned().map(tag));
    anomalies.extend(cross.into_iter().map(tag));
    Ok(analysis)
}
