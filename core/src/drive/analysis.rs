//! The result of judging a report (rotation-rule.md §1.5), and the streaming
//! [`Analyzer`] that builds it row by row.

use crate::error::Error;
use crate::input::anomaly::{Anomalies, Anomaly, AnomalyCode};
use crate::input::reader::ReportReader;
use crate::input::report::{Layout, Preamble, Row};
use crate::input::scan::Scanner;
use crate::input::unwrap::InputFormat;
use crate::input::value::{format_timestamp, ser_opt_ts, ser_ts, Timestamp};
use crate::judge::batch::{row_user_key, FindingBatch, UserKeys};
use crate::judge::checks::findings_of_row;
use crate::judge::cis::Rule;
use crate::judge::exemptions::{ExemptionState, Exemptions};
use crate::judge::policy::{AsOfSource, Checks, Options, Policy};
use crate::judge::rule::{Finding, Status};
use chrono::TimeDelta;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

/// Counts for one account or for the whole report.
///
/// The flat fields (`keys`, `pass` ... `invalid`, `exempted`) count the
/// rotation rule's findings, one per key, as they always have; `compliant`
/// is of every rule judged. A run of more rules counts each in
/// [`rules`](Counts::rules): [`rule`](Counts::rule) reads one rule's counts
/// in any run, and [`all_rules`](Counts::all_rules) adds them up.
///
/// ```
/// use keyrot::{analyze, parse_timestamp, Options, Rule, RuleSet};
/// let csv = "user,arn,password_enabled,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n\
///            alice,arn:aws:iam::111122223333:user/alice,true,false,true,2026-01-01T00:00:00Z,false,N/A\n";
/// let mut options = Options::at(parse_timestamp("2026-11-26T00:00:00Z").unwrap());
/// options.rules = RuleSet::ALL;
/// let counts = analyze(csv.as_bytes(), &options)?.summary.overall;
/// assert_eq!(counts.fail, 1); // the rotation rule: one key over 90 days
/// assert_eq!(counts.rule(Rule::ConsoleUserMfa).fail, 1); // a console password without MFA
/// assert!(counts.all_rules().fail > counts.fail);
/// # Ok::<(), keyrot::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Counts {
    /// Rows (users, the root row included).
    pub users: u64,
    /// Rows with at least one key.
    pub users_with_keys: u64,
    /// Keys (findings).
    pub keys: u64,
    /// Active keys.
    pub active_keys: u64,
    /// Keys with status `pass`.
    pub pass: u64,
    /// Keys with status `due_soon`.
    pub due_soon: u64,
    /// Keys with status `fail`.
    pub fail: u64,
    /// Keys with status `inactive`.
    pub inactive: u64,
    /// Keys with status `invalid`.
    pub invalid: u64,
    /// Keys covered by an exemption in force (they keep their status).
    pub exempted: u64,
    /// The age in whole days of the oldest active key that could be judged.
    pub oldest_active_key_age_days: Option<i64>,
    /// No `fail` and no `invalid` finding (other than exempted ones), of
    /// any rule judged.
    pub compliant: bool,
    /// The findings of each rule judged, when the run labels its findings
    /// (it asked for more than the rotation rule, or for a CIS version).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    #[cfg_attr(feature = "ts", ts(optional, as = "Option<BTreeMap<Rule, RuleCounts>>"))]
    pub rules: BTreeMap<Rule, RuleCounts>,
}

/// The findings of one rule, by status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RuleCounts {
    /// Findings.
    pub findings: u64,
    /// Findings with status `pass`.
    pub pass: u64,
    /// Findings with status `due_soon`.
    pub due_soon: u64,
    /// Findings with status `fail`.
    pub fail: u64,
    /// Findings with status `inactive`.
    pub inactive: u64,
    /// Findings with status `invalid`.
    pub invalid: u64,
    /// Findings an exemption in force covers.
    pub exempted: u64,
}

/// `$counts`'s field that counts `$status`, behind `$ref` (nothing, or
/// `&mut` for the field to add to).
macro_rules! status_field {
    ([$($ref:tt)*] $counts:ident, $status:expr) => {
        match $status {
            Status::Pass => $($ref)* $counts.pass,
            Status::DueSoon => $($ref)* $counts.due_soon,
            Status::Fail => $($ref)* $counts.fail,
            Status::Inactive => $($ref)* $counts.inactive,
            Status::Invalid => $($ref)* $counts.invalid,
        }
    };
}

/// Adds each named field of `$other` to `$this`'s.
macro_rules! add_fields {
    ($this:expr, $other:expr, $($field:ident),*) => {
        $($this.$field += $other.$field;)*
    };
}
pub(crate) use {add_fields, status_field};

impl RuleCounts {
    fn add(&mut self, status: Status, exempted: bool) {
        self.findings += 1;
        self.exempted += u64::from(exempted);
        *status_field!([&mut] self, status) += 1;
    }

    /// Adds `other`'s counts to these.
    pub fn merge(&mut self, other: &RuleCounts) {
        add_fields!(self, other, findings, pass, due_soon, fail, inactive, invalid, exempted);
    }
}

impl Default for Counts {
    fn default() -> Counts {
        Counts {
            users: 0,
            users_with_keys: 0,
            keys: 0,
            active_keys: 0,
            pass: 0,
            due_soon: 0,
            fail: 0,
            inactive: 0,
            invalid: 0,
            exempted: 0,
            oldest_active_key_age_days: None,
            compliant: true,
            rules: BTreeMap::new(),
        }
    }
}

impl Counts {
    /// The counts of `rule`'s findings: from [`rules`](Counts::rules) in a
    /// run that labels its findings, from the flat fields for the rotation
    /// rule in a run of it alone, and none for a rule not judged.
    pub fn rule(&self, rule: Rule) -> RuleCounts {
        match self.rules.get(&rule) {
            Some(counts) => counts.clone(),
            None if rule == Rule::AccessKeyRotated && self.rules.is_empty() => RuleCounts {
                findings: self.keys,
                pass: self.pass,
                due_soon: self.due_soon,
                fail: self.fail,
                inactive: self.inactive,
                invalid: self.invalid,
                exempted: self.exempted,
            },
            None => RuleCounts::default(),
        }
    }

    /// The findings of every rule judged, added up: what a verdict over
    /// every check counts.
    pub fn all_rules(&self) -> RuleCounts {
        let mut total = RuleCounts::default();
        for rule in Rule::ALL {
            total.merge(&self.rule(rule));
        }
        total
    }

    fn add_row(&mut self, findings: &[Finding], tally: &mut RuleTally) {
        self.add_user(findings.iter().any(|f| f.rule() == Rule::AccessKeyRotated));
        for f in findings {
            self.add(f.rule(), f.active, f.status, f.age_days, f.exempted.is_some());
            if f.rule.is_some() {
                tally.add(f.rule(), f.status, f.exempted.is_some());
            }
        }
    }

    /// Counts a finding of `rule` in the flat fields: the key counts are the
    /// rotation rule's; every rule's findings can make the counts not
    /// compliant. (The counts per rule are a [`RuleTally`]'s.)
    fn add(&mut self, rule: Rule, active: bool, status: Status, age: Option<i64>, exempted: bool) {
        if rule == Rule::AccessKeyRotated {
            self.add_key(active, status, age, exempted);
        } else if status.is_non_compliant() && !exempted {
            self.compliant = false;
        }
    }

    fn add_user(&mut self, has_keys: bool) {
        self.users += 1;
        if has_keys {
            self.users_with_keys += 1;
        }
    }

    fn add_key(&mut self, active: bool, status: Status, age_days: Option<i64>, exempted: bool) {
        self.keys += 1;
        if active {
            self.active_keys += 1;
        }
        *status_field!([&mut] self, status) += 1;
        if active && status != Status::Invalid {
            if let Some(age) = age_days {
                self.oldest_active_key_age_days = Some(self.oldest_active_key_age_days.map_or(age, |o| o.max(age)));
            }
        }
        if exempted {
            self.exempted += 1;
        }
        if status.is_non_compliant() && !exempted {
            self.compliant = false;
        }
    }

    /// The number of keys with `status`.
    pub fn count(&self, status: Status) -> u64 {
        status_field!([] self, status)
    }
}

/// The counts of each rule's findings while a run of rows is counted: one
/// fixed slot per rule, folded into [`Counts::rules`] when the run ends (a
/// map entry per finding was 8 % of judging under every rule).
#[derive(Debug, Default)]
struct RuleTally([RuleCounts; Rule::ALL.len()]);

// A rule's slot is its place in `Rule::ALL`, which is its declaration order.
const _: () = {
    let mut i = 0;
    while i < Rule::ALL.len() {
        assert!(Rule::ALL[i] as usize == i, "Rule::ALL is in declaration order");
        i += 1;
    }
};

impl RuleTally {
    fn add(&mut self, rule: Rule, status: Status, exempted: bool) {
        self.0[rule as usize].add(status, exempted);
    }

    /// Moves the counts into `counts.rules`, leaving this tally empty.
    fn fold_into(&mut self, counts: &mut Counts) {
        for (rule, tally) in Rule::ALL.into_iter().zip(&mut self.0) {
            if tally.findings > 0 {
                counts.rules.entry(rule).or_default().merge(tally);
                *tally = RuleCounts::default();
            }
        }
    }
}

/// The counts of one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AccountSummary {
    /// The account id from the rows' ARNs.
    pub account_id: String,
    /// The counts.
    #[serde(flatten)]
    pub counts: Counts,
}

/// The counts overall and per account (sorted by account id).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Summary {
    /// The counts over every row.
    #[serde(flatten)]
    pub overall: Counts,
    /// The counts of each account, sorted by account id.
    pub accounts: Vec<AccountSummary>,
}

impl Summary {
    /// The counts over every row and those of each account.
    pub(crate) fn of(overall: Counts, accounts: BTreeMap<String, Counts>) -> Summary {
        Summary {
            overall,
            accounts: accounts.into_iter().map(|(account_id, counts)| AccountSummary { account_id, counts }).collect(),
        }
    }
}

/// The result of judging one report: the contract every interface exposes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Analysis {
    /// The evaluation instant.
    #[serde(serialize_with = "ser_ts")]
    #[cfg_attr(feature = "ts", ts(type = "Timestamp"))]
    pub as_of: Timestamp,
    /// Where `as_of` came from.
    pub as_of_source: AsOfSource,
    /// The policy as applied.
    pub policy: Policy,
    /// The checks judged and their options, when the run labels its
    /// findings (it asked for more than the rotation rule, or for a CIS
    /// version); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub checks: Option<Checks>,
    /// The form the input was in.
    pub input_format: InputFormat,
    /// The lowercase hex SHA-256 of the input's bytes, as given (before any
    /// base64 or JSON wrapper was taken off): the evidence of exactly what was
    /// judged. `None` (and left out of the JSON) when the run took none
    /// ([`Run::digest`](crate::Run::digest)) or the rows came one by one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub input_sha256: Option<String>,
    /// The header's layout.
    pub layout: Layout,
    /// `GeneratedTime` from the input's wrapper, when known.
    #[serde(serialize_with = "ser_opt_ts")]
    #[cfg_attr(feature = "ts", ts(type = "Timestamp | null"))]
    pub generated_time: Option<Timestamp>,
    /// The latest timestamp anywhere in the report: a lower bound for when
    /// it was generated.
    #[serde(serialize_with = "ser_opt_ts")]
    #[cfg_attr(feature = "ts", ts(type = "Timestamp | null"))]
    pub newest_timestamp: Option<Timestamp>,
    /// The counts.
    pub summary: Summary,
    /// One finding per key, in input order, slot 1 before slot 2.
    pub findings: Vec<Finding>,
    /// Everything a person must see that is not a finding: the first
    /// [`ANOMALIES_KEPT_PER_CODE`](crate::Anomaly::KEPT_PER_CODE) of each
    /// code, in the order found.
    pub anomalies: Vec<Anomaly>,
    /// Per code, how many more anomalies were found than were kept (only
    /// the codes with some; usually empty).
    #[cfg_attr(feature = "ts", ts(type = "Partial<Record<AnomalyCode, number>>"))]
    pub anomalies_omitted: BTreeMap<AnomalyCode, u64>,
}

impl Analysis {
    /// Whether the report is compliant: no `fail` and no `invalid`.
    pub fn is_compliant(&self) -> bool {
        self.summary.overall.compliant
    }
}

/// Judges rows one at a time, keeping only the counts, the anomalies and a
/// fingerprint per user of the current run of one account's rows (an AWS
/// account has at most 5,000 users), so memory does not grow with the
/// number of rows.
///
/// ```
/// use keyrot::{Options, parse_timestamp}; use keyrot::read::{Analyzer, ReportReader};
/// let csv = "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n\
///            alice,arn:aws:iam::111122223333:user/alice,true,2026-01-01T00:00:00Z,false,N/A\n";
/// let options = Options::at(parse_timestamp("2026-11-26T00:00:00Z").unwrap());
/// let mut reader = ReportReader::new(csv.as_bytes(), &options.parse_options()).unwrap();
/// let mut analyzer = Analyzer::new(&reader, &options).unwrap();
/// let mut failing = 0;
/// while let Some(row) = reader.read_row().unwrap() {
///     for finding in analyzer.judge(&row) {
///         failing += usize::from(finding.status == keyrot::Status::Fail);
///     }
/// }
/// let analysis = analyzer.finish(Vec::new());
/// assert_eq!(failing, 1);
/// assert_eq!(analysis.summary.overall.fail, 1);
/// assert!(!analysis.is_compliant());
/// ```
#[derive(Debug)]
pub struct Analyzer {
    policy: Policy,
    checks: Checks,
    as_of: Timestamp,
    as_of_source: AsOfSource,
    input_format: InputFormat,
    layout: Layout,
    generated_time: Option<Timestamp>,
    newest: Option<(Timestamp, u64)>,
    overall: Counts,
    accounts: BTreeMap<String, Counts>,
    anomalies: Anomalies,
    current_account: Option<String>,
    /// The counts of the current run of rows of `current_account` (added to
    /// its account's and to `overall` when the run ends).
    run: Counts,
    /// The counts per rule of the same run.
    tally: RuleTally,
    finished_accounts: HashSet<String>,
    users_in_run: UserKeys,
    exemptions: Option<ExemptionState>,
}

impl Analyzer {
    /// Starts an analysis of the report `reader` reads: validates the policy
    /// and chooses `as_of` (explicit, else the report's `GeneratedTime`,
    /// else [`Options::clock`]).
    pub fn new(reader: &ReportReader<'_>, options: &Options) -> Result<Analyzer, Error> {
        Analyzer::start(reader.preamble(), options)
    }

    /// Starts an analysis of the report `scanner` reads, as
    /// [`new`](Analyzer::new) does for a [`ReportReader`].
    pub(crate) fn for_scanner(scanner: &Scanner<'_>, options: &Options) -> Result<Analyzer, Error> {
        Analyzer::start(scanner.preamble(), options)
    }

    fn start(preamble: &Preamble, options: &Options) -> Result<Analyzer, Error> {
        let Preamble { layout, format: input_format, generated_time, .. } = *preamble;
        let policy = options.policy();
        policy.validate()?;
        let checks = options.checks();
        checks.validate()?;
        let (as_of, as_of_source) = options.resolve_as_of(generated_time)?;
        Ok(Analyzer {
            policy,
            checks,
            as_of,
            as_of_source,
            input_format,
            layout,
            generated_time,
            newest: None,
            overall: Counts::default(),
            accounts: BTreeMap::new(),
            anomalies: Anomalies::from(preamble.anomalies.clone()),
            current_account: None,
            run: Counts::default(),
            tally: RuleTally::default(),
            finished_accounts: HashSet::new(),
            users_in_run: UserKeys::default(),
            exemptions: None,
        })
    }

    /// Applies `exemptions` to every finding from now on: a finding matched
    /// by an entry in force at `as_of` gets `exempted` and stops counting
    /// against compliance; expired, unusable and unused entries become
    /// anomalies.
    pub fn with_exemptions(self, exemptions: Exemptions) -> Analyzer {
        self.with_shared_exemptions(Arc::new(exemptions))
    }

    /// [`with_exemptions`](Analyzer::with_exemptions), shared with the
    /// judges of the report's batches.
    pub(crate) fn with_shared_exemptions(mut self, exemptions: Arc<Exemptions>) -> Analyzer {
        self.exemptions = Some(ExemptionState::new(exemptions));
        self
    }

    /// The evaluation instant.
    pub fn as_of(&self) -> Timestamp {
        self.as_of
    }

    /// Where the evaluation instant came from.
    pub fn as_of_source(&self) -> AsOfSource {
        self.as_of_source
    }

    /// The policy in force.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The checks judged, and their options.
    pub fn checks(&self) -> &Checks {
        &self.checks
    }

    /// Judges one row: returns its findings (none, one or two), and updates
    /// the counts and anomalies.
    pub fn judge(&mut self, row: &Row) -> Vec<Finding> {
        let mut findings = findings_of_row(row, &self.checks, &self.policy, self.as_of);
        if let Some(state) = &mut self.exemptions {
            for finding in &mut findings {
                state.apply(finding, self.as_of, &mut self.anomalies);
            }
        }
        self.record(row, &findings);
        findings
    }

    /// Updates the counts and anomalies for a row whose findings were made
    /// (and perhaps changed, as exemptions do) by the caller.
    pub fn record(&mut self, row: &Row, findings: &[Finding]) {
        for problem in &row.problems {
            self.anomalies.push_with(AnomalyCode::RowError, || Anomaly::row_error(problem));
        }
        self.note_newest(row.timestamps().max(), row.line);
        self.check_duplicate(row.account_id.as_bytes(), row.user.as_bytes(), row_user_key(row), row.line);
        self.run.add_row(findings, &mut self.tally);
    }

    /// Merges a judged batch into the analysis, in input order: counts,
    /// anomalies, and the exemptions its findings used.
    pub(crate) fn absorb(&mut self, batch: &FindingBatch) {
        if let Some(state) = &mut self.exemptions {
            state.mark_used(&batch.used);
        }
        debug_assert_eq!(batch.rows.len(), batch.merge.len(), "a batch is merged once");
        for (row, merge) in batch.rows.iter().zip(&batch.merge) {
            if let Some(typed) = batch.slow_row(row) {
                for problem in &typed.problems {
                    self.anomalies.push_with(AnomalyCode::RowError, || Anomaly::row_error(problem));
                }
            }
            self.note_newest(merge.newest, row.line);
            self.check_duplicate(batch.account_bytes(row), batch.user_bytes(row), merge.user_key, row.line);
            let keys = batch.row_keys(row);
            if let Some(state) = &self.exemptions {
                for key in keys {
                    if let Some(rule) = key.expired() {
                        let subject = (key.verdict.slot, key.verdict.rule);
                        let user = batch.user(row);
                        self.anomalies
                            .push_with(AnomalyCode::ExemptionExpired, || state.expired(rule, user, subject, row.line));
                    }
                }
            }
            let labelled = self.checks.labelled;
            self.run.add_user(keys.iter().any(|k| k.verdict.rule == Rule::AccessKeyRotated));
            for key in keys {
                let v = &key.verdict;
                let exempted = key.exempted().is_some();
                self.run.add(v.rule, v.active, v.status, v.age_days(batch.as_of()), exempted);
                if labelled {
                    self.tally.add(v.rule, v.status, exempted);
                }
            }
        }
    }

    fn note_newest(&mut self, newest: Option<Timestamp>, line: u64) {
        if let Some(ts) = newest {
            if self.newest.is_none_or(|(n, _)| ts > n) {
                self.newest = Some((ts, line));
            }
        }
    }

    /// Adds the current run of rows of one account to that account's counts
    /// and to the overall counts.
    fn end_run(&mut self) {
        if let Some(account) = &self.current_account {
            let mut run = std::mem::take(&mut self.run);
            self.tally.fold_into(&mut run);
            self.overall.merge(&run);
            match self.accounts.get_mut(account) {
                Some(counts) => counts.merge(&run),
                None => {
                    self.accounts.insert(account.clone(), run);
                }
            }
        }
    }

    fn check_duplicate(&mut self, account: &[u8], user: &[u8], user_key: u64, line: u64) {
        if self.current_account.as_deref().map(str::as_bytes) != Some(account) {
            self.end_run();
            let account = String::from_utf8_lossy(account).into_owned();
            if let Some(previous) = self.current_account.take() {
                self.finished_accounts.insert(previous);
            }
            if self.finished_accounts.contains(&account) {
                self.anomalies.push_with(AnomalyCode::AccountRepeated, || {
                    Anomaly::new(
                        AnomalyCode::AccountRepeated,
                        format!(
                            "rows of account `{account}` resume after other accounts' rows; duplicate users are looked for within each run of rows"
                        ),
                    )
                    .at_line(line)
                    .at_column("arn")
                    .with_value(&account)
                });
            }
            self.current_account = Some(account);
            self.users_in_run.clear();
        }
        if !self.users_in_run.insert(user_key) {
            let account = self.current_account.as_deref().unwrap_or_default();
            self.anomalies.push_with(AnomalyCode::DuplicateUser, || {
                let user = String::from_utf8_lossy(user);
                Anomaly::new(
                    AnomalyCode::DuplicateUser,
                    format!(
                        "user `{}` of account `{account}` appears more than once (names are unique ignoring case); every row is judged",
                        crate::error::shorten(&user),
                    ),
                )
                .at_line(line)
                .at_column("user")
                .with_value(&user)
            });
        }
    }

    /// Finishes the analysis: adds the report-level anomalies and returns the
    /// result holding `findings` (pass an empty `Vec` when the findings were
    /// streamed elsewhere).
    pub fn finish(mut self, findings: Vec<Finding>) -> Analysis {
        self.end_run();
        self.add_report_anomalies();
        let (anomalies, anomalies_omitted) = self.anomalies.into_parts();
        Analysis {
            as_of: self.as_of,
            as_of_source: self.as_of_source,
            policy: self.policy,
            checks: self.checks.labelled.then_some(self.checks),
            input_format: self.input_format,
            input_sha256: None,
            layout: self.layout,
            generated_time: self.generated_time,
            newest_timestamp: self.newest.map(|(t, _)| t),
            summary: Summary::of(self.overall, self.accounts),
            findings,
            anomalies,
            anomalies_omitted,
        }
    }

    /// The anomalies of the whole report, found once it has been read.
    fn add_report_anomalies(&mut self) {
        if let Some(state) = &self.exemptions {
            state.finish(&mut self.anomalies);
        }
        if let Some((newest, line)) = self.newest {
            if self.as_of < newest {
                self.anomalies.push(
                    Anomaly::new(
                        AnomalyCode::AsOfBeforeReport,
                        format!(
                            "as_of {} is earlier than the newest timestamp in the report, {}",
                            format_timestamp(&self.as_of),
                            format_timestamp(&newest)
                        ),
                    )
                    .at_line(line)
                    .with_value(&format_timestamp(&newest)),
                );
            }
        }
        if let Some(generated) = self.generated_time {
            let age = self.as_of.signed_duration_since(generated);
            if age > TimeDelta::hours(24) {
                self.anomalies.push(
                    Anomaly::new(
                        AnomalyCode::ReportStale,
                        format!(
                            "the report was generated at {}, {} hours before as_of: keys may have changed since",
                            format_timestamp(&generated),
                            age.num_hours()
                        ),
                    )
                    .with_value(&format_timestamp(&generated)),
                );
            }
        }
    }
}
