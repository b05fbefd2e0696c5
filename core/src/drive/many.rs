//! Many reports judged together: one report per account per day, gathered
//! from an organisation. One verdict across all of them, with the counts of
//! each account, and every finding naming its source.

use crate::drive::analysis::{Counts, Summary};
use crate::error::{shorten, Error};
use crate::input::anomaly::{Anomalies, Anomaly, AnomalyCode, SourcedAnomaly};
use crate::input::report::Layout;
use crate::input::unwrap::InputFormat;
use crate::input::value::{ser_opt_ts, Timestamp};
use crate::judge::batch::FindingBatch;
use crate::judge::policy::{AsOfSource, Policy};
use crate::judge::rule::SourcedFinding;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// What happened to one input of [`analyze_many`](crate::analyze_many).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReportOutcome {
    /// The name the caller gave the input (a file name).
    pub source: String,
    /// The evaluation instant of this report (`None` when it failed early).
    #[serde(serialize_with = "ser_opt_ts")]
    #[cfg_attr(feature = "ts", ts(type = "Timestamp | null"))]
    pub as_of: Option<Timestamp>,
    /// Where `as_of` came from.
    pub as_of_source: Option<AsOfSource>,
    /// The form the input was in.
    pub input_format: Option<InputFormat>,
    /// The lowercase hex SHA-256 of the input's bytes (see
    /// [`Analysis::input_sha256`](crate::drive::analysis::Analysis::input_sha256)); `None`
    /// when it failed or the run took none.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub input_sha256: Option<String>,
    /// The header's layout.
    pub layout: Option<Layout>,
    /// `GeneratedTime` from the input's wrapper, when known.
    #[serde(serialize_with = "ser_opt_ts")]
    #[cfg_attr(feature = "ts", ts(type = "Timestamp | null"))]
    pub generated_time: Option<Timestamp>,
    /// The latest timestamp in the report.
    #[serde(serialize_with = "ser_opt_ts")]
    #[cfg_attr(feature = "ts", ts(type = "Timestamp | null"))]
    pub newest_timestamp: Option<Timestamp>,
    /// The counts of this report.
    pub summary: Option<Counts>,
    /// Per code, how many more of this report's anomalies were found than
    /// were kept (see [`Analysis::anomalies_omitted`](crate::drive::analysis::Analysis::anomalies_omitted)).
    #[cfg_attr(feature = "ts", ts(type = "Partial<Record<AnomalyCode, number>>"))]
    pub anomalies_omitted: BTreeMap<AnomalyCode, u64>,
    /// Why the input could not be judged; its findings are then left out.
    pub error: Option<Error>,
}

/// The result of judging many reports together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ManyAnalysis {
    /// The policy applied to every report.
    pub policy: Policy,
    /// The checks judged, when the run labels its findings (see
    /// [`Analysis::checks`](crate::drive::analysis::Analysis::checks)).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub checks: Option<crate::judge::policy::Checks>,
    /// Every input, in the order given, judged or failed.
    pub reports: Vec<ReportOutcome>,
    /// The counts over every judged report, and per account (sorted).
    pub summary: Summary,
    /// Every finding, report by report in the order given.
    pub findings: Vec<SourcedFinding>,
    /// Every anomaly kept, with its report: the first
    /// [`ANOMALIES_KEPT_PER_CODE`](crate::Anomaly::KEPT_PER_CODE) of each
    /// code of each report (how many more there were is each report's
    /// [`anomalies_omitted`](ReportOutcome::anomalies_omitted)).
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

    /// Per anomaly code, how many more anomalies were found than were kept,
    /// summed over the reports (each keeps the first
    /// [`KEPT_PER_CODE`](crate::Anomaly::KEPT_PER_CODE) of each code).
    pub fn anomalies_omitted(&self) -> BTreeMap<AnomalyCode, u64> {
        let mut omitted = BTreeMap::new();
        for (code, n) in self.reports.iter().flat_map(|r| &r.anomalies_omitted) {
            *omitted.entry(*code).or_default() += n;
        }
        omitted
    }

    /// Each judged report as an [`Analysis`](crate::drive::analysis::Analysis) of its own,
    /// in the order given, with its name: its outcome, its counts (overall;
    /// the per-account counts of one report are not kept), its anomalies,
    /// and its findings from [`findings`](ManyAnalysis::findings) (as many
    /// as this holds of it). What [`plan`](fn@crate::plan) takes.
    ///
    /// ```
    /// use keyrot::{analyze_many, plan, Options, parse_timestamp};
    /// let header = "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n";
    /// let a = format!("{header}alice,arn:aws:iam::111111111111:user/alice,true,2026-01-01T00:00:00Z,false,N/A\n");
    /// let b = format!("{header}bob,arn:aws:iam::222222222222:user/bob,true,2026-11-01T00:00:00Z,false,N/A\n");
    /// let options = Options::at(parse_timestamp("2026-11-26T00:00:00Z").unwrap());
    /// let many = analyze_many(vec![("a.csv".to_owned(), a.as_bytes()), ("b.csv".to_owned(), b.as_bytes())], &options, None);
    /// let analyses = many.analyses();
    /// assert_eq!((analyses[0].0, analyses[0].1.findings.len()), ("a.csv", 1));
    /// assert_eq!(plan(&analyses[0].1, None).steps.len(), 1);
    /// assert!(plan(&analyses[1].1, None).steps.is_empty());
    /// ```
    pub fn analyses(&self) -> Vec<(&str, crate::drive::analysis::Analysis)> {
        let mut out = Vec::new();
        let mut findings = self.findings.iter().peekable();
        for report in &self.reports {
            let (Some(as_of), Some(as_of_source), Some(input_format), Some(layout), Some(counts)) =
                (report.as_of, report.as_of_source, report.input_format, report.layout, report.summary.as_ref())
            else {
                continue;
            };
            // A report's findings are together, in the order given.
            let mut mine = Vec::new();
            while let Some(f) =
                findings.next_if(|f| f.source == report.source && mine.len() < counts.findings() as usize)
            {
                mine.push(f.finding.clone());
            }
            let anomalies =
                self.anomalies.iter().filter(|a| a.source == report.source).map(|a| a.anomaly.clone()).collect();
            out.push((
                report.source.as_str(),
                crate::drive::analysis::Analysis {
                    as_of,
                    as_of_source,
                    policy: self.policy,
                    checks: self.checks,
                    input_format,
                    input_sha256: report.input_sha256.clone(),
                    layout,
                    generated_time: report.generated_time,
                    newest_timestamp: report.newest_timestamp,
                    summary: Summary { overall: counts.clone(), accounts: Vec::new() },
                    findings: mine,
                    anomalies,
                    anomalies_omitted: report.anomalies_omitted.clone(),
                },
            ));
        }
        out
    }
}

impl Counts {
    /// The number of findings counted: the keys, or every rule's findings
    /// when the run labels them.
    pub fn findings(&self) -> u64 {
        if self.rules.is_empty() {
            self.keys
        } else {
            self.rules.values().map(|r| r.findings).sum()
        }
    }

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
        for (rule, counts) in &other.rules {
            self.rules.entry(*rule).or_default().merge(counts);
        }
    }
}

/// The users of one account in one report, as fingerprints (the user name,
/// lower-cased and hashed), sorted.
type Users = Box<[u64]>;

/// Where an account was seen, across the reports judged so far.
struct AccountSeen {
    /// The first report it was in.
    first: usize,
    /// Each report it was in, with its users there.
    reports: Vec<(usize, Users)>,
}

/// What one report being merged has seen, kept until it is judged (a
/// report that fails names nothing).
#[derive(Default)]
struct ReportSeen {
    /// Its accounts, in order, with their users' fingerprints.
    accounts: Vec<(String, Vec<u64>)>,
    /// The accounts, by id: index into `accounts`.
    index: HashMap<String, usize>,
    /// The cross-report anomalies found so far.
    anomalies: Anomalies,
}

/// Builds a [`ManyAnalysis`] from the batches and outcomes of
/// [`Run::reports`], in input order: the counts, the outcomes, every
/// anomaly, and the checks across reports.
pub(crate) struct ManyBuilder {
    policy: crate::judge::policy::Policy,
    checks: crate::judge::policy::Checks,
    reports: Vec<ReportOutcome>,
    anomalies: Vec<SourcedAnomaly>,
    overall: Counts,
    accounts: BTreeMap<String, Counts>,
    seen: HashMap<String, AccountSeen>,
    /// The report being merged, by index, and what it has seen.
    current: Option<(usize, ReportSeen)>,
}

impl ManyBuilder {
    pub(crate) fn new(policy: crate::judge::policy::Policy, checks: crate::judge::policy::Checks) -> ManyBuilder {
        ManyBuilder {
            policy,
            checks,
            reports: Vec::new(),
            anomalies: Vec::new(),
            overall: Counts::default(),
            accounts: BTreeMap::new(),
            seen: HashMap::new(),
            current: None,
        }
    }

    /// Looks at a batch of report `file` for accounts and users seen in
    /// earlier reports.
    pub(crate) fn observe(&mut self, file: usize, batch: &FindingBatch) {
        if self.current.as_ref().is_none_or(|(f, _)| *f != file) {
            self.current = Some((file, ReportSeen::default()));
        }
        let Some((_, mine)) = &mut self.current else { return };
        let (seen, reports) = (&self.seen, &self.reports);
        // The rows of one account come together: look it up once per run.
        let mut run: Option<(usize, Option<&AccountSeen>)> = None;
        debug_assert_eq!(batch.rows.len(), batch.merge.len(), "a batch is merged once");
        for (row, merge) in batch.rows.iter().zip(&batch.merge) {
            let account = batch.account(row);
            let (at, earlier) = match run.filter(|(i, _)| mine.accounts[*i].0 == account) {
                Some(found) => found,
                None => {
                    let earlier = seen.get(account);
                    let i = match mine.index.get(account) {
                        Some(&i) => i,
                        None => {
                            let i = mine.accounts.len();
                            mine.accounts.push((account.to_owned(), Vec::new()));
                            mine.index.insert(account.to_owned(), i);
                            if let Some(earlier) = earlier {
                                mine.anomalies.push_with(AnomalyCode::AccountInSeveralFiles, || {
                                    Anomaly::new(
                                        AnomalyCode::AccountInSeveralFiles,
                                        format!(
                                            "account `{}` is also in `{}`: both reports are judged, and their counts add up",
                                            shorten(account),
                                            shorten(&reports[earlier.first].source)
                                        ),
                                    )
                                    .at_line(row.line)
                                    .at_column("arn")
                                    .with_value(account)
                                });
                            }
                            i
                        }
                    };
                    run = Some((i, earlier));
                    (i, earlier)
                }
            };
            mine.accounts[at].1.push(merge.user_key);
            let Some(earlier) = earlier else { continue };
            if let Some((first, _)) =
                earlier.reports.iter().find(|(_, users)| users.binary_search(&merge.user_key).is_ok())
            {
                let user = batch.user(row);
                mine.anomalies.push_with(AnomalyCode::DuplicateUser, || {
                    Anomaly::new(
                        AnomalyCode::DuplicateUser,
                        format!(
                            "user `{}` of account `{}` is also in `{}`; every row is judged",
                            shorten(user),
                            shorten(account),
                            shorten(&reports[*first].source)
                        ),
                    )
                    .at_line(row.line)
                    .at_column("user")
                    .with_value(user)
                });
            }
        }
    }

    /// Records the outcome of report `file`, and returns it.
    pub(crate) fn finish_report(
        &mut self,
        file: usize,
        source: &str,
        result: Result<crate::drive::analysis::Analysis, Error>,
    ) -> &ReportOutcome {
        let mine = match self.current.take() {
            Some((f, mine)) if f == file => mine,
            _ => ReportSeen::default(),
        };
        let outcome = match result {
            Ok(analysis) => {
                self.overall.merge(&analysis.summary.overall);
                for account in &analysis.summary.accounts {
                    self.accounts.entry(account.account_id.clone()).or_default().merge(&account.counts);
                }
                for (account, mut users) in mine.accounts {
                    users.sort_unstable();
                    users.dedup();
                    let seen =
                        self.seen.entry(account).or_insert_with(|| AccountSeen { first: file, reports: Vec::new() });
                    seen.reports.push((file, users.into_boxed_slice()));
                }
                let mut anomalies = Anomalies::from_parts(analysis.anomalies, analysis.anomalies_omitted);
                anomalies.extend(mine.anomalies);
                let (kept, anomalies_omitted) = anomalies.into_parts();
                let tag = |anomaly: Anomaly| SourcedAnomaly { source: source.to_owned(), anomaly };
                self.anomalies.extend(kept.into_iter().map(tag));
                ReportOutcome {
                    source: source.to_owned(),
                    as_of: Some(analysis.as_of),
                    as_of_source: Some(analysis.as_of_source),
                    input_format: Some(analysis.input_format),
                    input_sha256: analysis.input_sha256,
                    layout: Some(analysis.layout),
                    generated_time: analysis.generated_time,
                    newest_timestamp: analysis.newest_timestamp,
                    summary: Some(analysis.summary.overall),
                    anomalies_omitted,
                    error: None,
                }
            }
            Err(error) => ReportOutcome {
                source: source.to_owned(),
                as_of: None,
                as_of_source: None,
                input_format: None,
                input_sha256: None,
                layout: None,
                generated_time: None,
                newest_timestamp: None,
                summary: None,
                anomalies_omitted: BTreeMap::new(),
                error: Some(error),
            },
        };
        // Reports arrive in input order, one outcome each.
        debug_assert_eq!(self.reports.len(), file);
        self.reports.push(outcome);
        &self.reports[self.reports.len() - 1]
    }

    pub(crate) fn finish(self) -> ManyAnalysis {
        ManyAnalysis {
            policy: self.policy,
            checks: self.checks.labelled.then_some(self.checks),
            reports: self.reports,
            summary: Summary::of(self.overall, self.accounts),
            findings: Vec::new(),
            anomalies: self.anomalies,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str =
        "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n";

    fn report(rows: &[(&str, &str)]) -> String {
        let mut text = String::from(HEADER);
        for (user, account) in rows {
            text.push_str(&format!("{user},arn:aws:iam::{account}:user/{user},true,2026-11-01T00:00:00Z,false,N/A\n"));
        }
        text
    }

    #[test]
    fn accounts_and_users_seen_in_earlier_reports_are_anomalies_and_failed_reports_name_nothing() {
        let (one, two) = ("111111111111", "222222222222");
        let mut failing = report(&[("erin", one)]);
        failing.push_str("frank,arn:aws:iam::111111111111:user/frank,maybe,N/A,false,N/A\n");
        let inputs = [
            ("a.csv", report(&[("alice", one), ("bob", one)])),
            ("b.csv", report(&[("carol", two)])),
            ("c.csv", report(&[("Alice", one), ("dave", one), ("carol", two)])),
            ("d.csv", failing),
            ("e.csv", report(&[("erin", one)])),
        ];
        let options = crate::Options::at(crate::parse_timestamp("2026-11-26T00:00:00Z").expect("a time"));
        for threads in [1, 2] {
            let many = crate::Run::new(&options).threads(threads).chunk_bytes(64).reports(
                inputs.iter().map(|(name, text)| ((*name).to_owned(), Ok(text.as_bytes()))),
                |_| (),
                |_| Ok::<(), std::convert::Infallible>(()),
            );
            let Ok(many) = many;
            let found: Vec<(&str, AnomalyCode, Option<u64>, Option<&str>)> = many
                .anomalies
                .iter()
                .filter(|a| matches!(a.anomaly.code, AnomalyCode::AccountInSeveralFiles | AnomalyCode::DuplicateUser))
                .map(|a| (a.source.as_str(), a.anomaly.code, a.anomaly.line, a.anomaly.value.as_deref()))
                .collect();
            assert_eq!(
                found,
                [
                    ("c.csv", AnomalyCode::AccountInSeveralFiles, Some(2), Some(one)),
                    ("c.csv", AnomalyCode::DuplicateUser, Some(2), Some("Alice")),
                    ("c.csv", AnomalyCode::AccountInSeveralFiles, Some(4), Some(two)),
                    ("c.csv", AnomalyCode::DuplicateUser, Some(4), Some("carol")),
                    ("e.csv", AnomalyCode::AccountInSeveralFiles, Some(2), Some(one)),
                ],
                "{threads} threads"
            );
            let messages: Vec<&str> = many
                .anomalies
                .iter()
                .filter(|a| a.anomaly.code == AnomalyCode::DuplicateUser)
                .map(|a| a.anomaly.message.as_str())
                .collect();
            assert!(messages[0].contains("also in `a.csv`") && messages[1].contains("also in `b.csv`"), "{messages:?}");
            assert_eq!(many.failed().map(|r| r.source.as_str()).collect::<Vec<_>>(), ["d.csv"]);
            assert_eq!(many.summary.overall.users, 7);
        }
    }
}
