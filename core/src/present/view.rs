//! What a person sees. The plan as text ([`PlanFormat`], [`PlanWriter`]:
//! the table, JSON, Markdown, shell script and CSV of `keyrot plan`, the
//! same bytes from the command, Python and the page), and [`printable`].
//!
//! Findings held for a table that a person browses: the browser page's
//! model. Reports are judged by one [`Run`] and their findings kept as the
//! core's compact batches (no owned [`Finding`] per key), so
//! a million keys stay small. A [`Query`] filters and sorts them into a
//! [`Selection`] (row numbers), read a page at a time; the age chart is
//! counted from them ([`FindingTable::histogram`]); and every output format
//! is written from them by the core's writers ([`FindingTable::export`]),
//! so the page's CSV, JSON, SARIF, JUnit and OCSF are the command's bytes.
//!
//! ```
//! use keyrot::view::{Export, FindingTable, Query, SortKey};
//! use keyrot::{Options, Run, parse_timestamp};
//! let csv = "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n\
//!            bob,arn:aws:iam::111122223333:user/bob,true,2026-11-01T00:00:00Z,false,N/A\n\
//!            alice,arn:aws:iam::111122223333:user/alice,true,2026-01-01T00:00:00Z,false,N/A\n";
//! let options = Options::at(parse_timestamp("2026-11-26T00:00:00Z").unwrap());
//! let table = FindingTable::check(&Run::new(&options), [("r.csv".to_owned(), Ok(csv.as_bytes()))]);
//! let by_user = table.select(&Query { sort: SortKey::User, ..Query::default() });
//! let users: Vec<&str> = by_user.iter().map(|&row| table.get(row).unwrap().user()).collect();
//! assert_eq!(users, ["alice", "bob"]);
//! let mut out = Vec::new();
//! table.export(Export::Csv, &table.select(&Query::default()), &mut out)?;
//! assert!(String::from_utf8(out).unwrap().starts_with("source,account_id,user,"));
//! # Ok::<(), std::io::Error>(())
//! ```

use crate::drive::analysis::Analysis;
use crate::drive::many::ManyAnalysis;
use crate::drive::run::{ReportEvent, Run};
use crate::judge::batch::{FindingBatch, FindingRef};
use crate::judge::cis::{Rule, Severity};
use crate::judge::rule::Finding;
use crate::judge::rule::{LastUsed, Status, Triage};
use crate::plan::steps::{apply_known_keys, known_by_user};
use crate::plan::steps::{in_plan_order, plan_user, KnownKey, Step, StepCode};
pub use crate::present::chart::{Bin, BinCounts, Histogram};
use crate::present::csv::CsvWriter;
pub use crate::present::history::{trend_svg, write_history_html};
pub use crate::present::html::{write_html, REPORT_CSP};
use crate::present::junit::{JunitWriter, Tally};
pub use crate::present::plans::{printable, PlanFormat, PlanWriter, PLAN_CSV_COLUMNS};
use crate::present::sarif::SarifWriter;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::HashMap;
use std::io::{self, Read};

/// The judged reports and their findings, in the order given.
#[derive(Debug)]
pub struct FindingTable {
    /// The reports' outcomes, summary and anomalies; `findings` is empty
    /// (they are in `batches`).
    many: ManyAnalysis,
    /// The batches of the reports that were read whole, with the report's
    /// index, in input order.
    batches: Vec<(usize, FindingBatch)>,
    /// The row number of each batch's first finding, in input order, then
    /// how many findings there are in all.
    starts: Vec<u32>,
}

/// The row numbers of a [`FindingTable`] that a [`Query`] selects, in the
/// order it sorts them.
pub type Selection = Vec<u32>;

/// Which findings a table shows and in what order. Text filters are `None`
/// for "any".
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
pub struct Query {
    /// The column to sort by; ties keep the input order.
    #[cfg_attr(feature = "ts", ts(as = "Option<SortKey>", optional))]
    pub sort: SortKey,
    /// Sort from the largest; a missing value is last either way.
    #[cfg_attr(feature = "ts", ts(as = "Option<bool>", optional))]
    pub descending: bool,
    /// Only findings with this status.
    pub status: Option<Status>,
    /// Only this account.
    pub account: Option<String>,
    /// Only users whose name holds this text (case-insensitive).
    pub user: Option<String>,
    /// Only the report of this name.
    pub source: Option<String>,
    /// Only keys an exemption in force covers (`true`) or does not.
    pub exempted: Option<bool>,
    /// Only findings of this check.
    pub rule: Option<Rule>,
    /// Only findings of this severity.
    pub severity: Option<Severity>,
    /// Only the rotation rule's keys of at least this age, in days (a bar
    /// of the age chart: its `start`).
    pub age_from: Option<i64>,
    /// Only the rotation rule's keys younger than this, in days (the bar's
    /// `end`).
    pub age_to: Option<i64>,
}

/// The columns a table sorts by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum SortKey {
    /// Triage order, the page's first view: the most severe first, then
    /// the furthest overdue, then the oldest ([`Triage`]).
    Triage,
    /// The severity (`critical` first).
    Severity,
    /// From the most urgent status (`fail`, `invalid`, `due_soon`, `pass`,
    /// `inactive`).
    Status,
    /// The report's name.
    Source,
    /// The account id.
    AccountId,
    /// The user name (case-insensitive; digits by value: `u2` before `u10`).
    User,
    /// The slot.
    Slot,
    /// When the key was created or last rotated.
    LastRotated,
    /// The key's age.
    AgeDays,
    /// Days until the key is due.
    DaysUntilDue,
    /// When the key was last used (`never` and `no_information` last).
    LastUsed,
    /// The report's line: the input order.
    #[default]
    Line,
}

/// The output formats a table writes, each as `keyrot check --format`
/// writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Export {
    /// The findings CSV ([`CsvWriter`], every column).
    Csv,
    /// The JSON contract: an [`Analysis`] for one report, a
    /// [`ManyAnalysis`] for several.
    Json,
    /// SARIF 2.1.0 ([`crate::sarif`]).
    Sarif,
    /// JUnit XML ([`crate::junit`]).
    Junit,
    /// OCSF Compliance Findings as JSON Lines ([`crate::ocsf`]).
    Ocsf,
}

impl FindingTable {
    /// Judges the reports with `run` and keeps their findings. A report that
    /// cannot be read keeps none (its outcome says why); the others are
    /// kept whole.
    pub fn check<I, R>(run: &Run, inputs: I) -> FindingTable
    where
        I: IntoIterator<Item = (String, io::Result<R>)>,
        R: Read,
    {
        let (mut batches, mut pending) = (Vec::new(), Vec::new());
        let many = run.reports(inputs, FindingBatch::compact, |merged| {
            match merged {
                ReportEvent::Batch { report, mut batch, .. } => {
                    batch.forget_merge_state();
                    pending.push((report, batch));
                }
                ReportEvent::Done { outcome, .. } if outcome.error.is_none() => batches.append(&mut pending),
                ReportEvent::Done { .. } => pending.clear(),
            }
            Ok::<(), std::convert::Infallible>(())
        });
        let many = match many {
            Ok(many) => many,
            Err(never) => match never {},
        };
        let mut starts = Vec::with_capacity(batches.len() + 1);
        starts.push(0);
        for (_, batch) in &batches {
            starts.push(starts[starts.len() - 1] + batch.len() as u32);
        }
        FindingTable { many, batches, starts }
    }

    /// The reports' outcomes, summary, policy and anomalies (without
    /// findings).
    pub fn many(&self) -> &ManyAnalysis {
        &self.many
    }

    /// The one report as an [`Analysis`] without findings, when one report
    /// was given and read.
    pub fn analysis(&self) -> Option<Analysis> {
        if self.many.reports.len() != 1 {
            return None;
        }
        let (_, mut analysis) = self.many.analyses().pop()?;
        analysis.summary = self.many.summary.clone();
        Some(analysis)
    }

    /// How many findings there are.
    pub fn len(&self) -> usize {
        self.starts.last().copied().unwrap_or(0) as usize
    }

    /// Whether there is no finding.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The finding at row `row` (input order).
    pub fn get(&self, row: u32) -> Option<FindingRef<'_>> {
        let batch = self.batch_of(row)?;
        self.batches[batch].1.get((row - self.starts[batch]) as usize)
    }

    /// Every finding, in row order (input order).
    fn findings(&self) -> impl Iterator<Item = FindingRef<'_>> {
        self.batches.iter().flat_map(|(_, batch)| batch.findings())
    }

    /// The index in `batches` of the batch holding row `row`.
    fn batch_of(&self, row: u32) -> Option<usize> {
        (row < *self.starts.last()?).then(|| self.starts.partition_point(|&start| start <= row) - 1)
    }

    /// The rows `query` selects, in its order.
    pub fn select(&self, query: &Query) -> Selection {
        let user = query.user.as_deref().map(str::trim).filter(|u| !u.is_empty()).map(str::to_lowercase);
        let keep = |f: &FindingRef<'_>| {
            query.status.is_none_or(|s| f.status() == s)
                && query.account.as_deref().is_none_or(|a| f.account_id() == a)
                && query.source.as_deref().is_none_or(|s| f.source() == s)
                && query.exempted.is_none_or(|e| f.is_exempted() == e)
                && query.rule.is_none_or(|r| f.rule() == r)
                && query.severity.is_none_or(|s| f.severity() == s)
                && (query.age_from.is_none() && query.age_to.is_none()
                    || f.rule() == Rule::AccessKeyRotated
                        && f.status() != Status::Invalid
                        && f.age_days()
                            .is_some_and(|a| a >= query.age_from.unwrap_or(0) && query.age_to.is_none_or(|to| a < to)))
                && user.as_deref().is_none_or(|u| f.user().to_lowercase().contains(u))
        };
        let kept = self.findings().enumerate().filter(|(_, f)| keep(f)).map(|(row, f)| (row as u32, f));
        if query.sort == SortKey::Line && !query.descending {
            return kept.map(|(row, _)| row).collect();
        }
        sort_rows(kept, query.sort, query.descending)
    }

    /// The age chart of every key (the rotation rule's findings).
    pub fn histogram(&self) -> Histogram {
        let keys = self.findings().filter(|f| f.rule() == Rule::AccessKeyRotated).map(|f| (f.age_days(), f.status()));
        Histogram::of(self.many.policy.max_age_days, keys)
    }

    /// Writes the table as `format`: CSV and JSON hold the rows of
    /// `selection` in its order (every row in input order is what `keyrot
    /// check --format csv|json` writes); SARIF, JUnit and OCSF hold every
    /// report and the findings whose status one of `selection` has, in
    /// input order, as `keyrot check --format sarif|junit|ocsf` writes with
    /// `--only` those statuses. CSV, SARIF and OCSF reach `out` in pieces of
    /// about a mebibyte as they are written (a million rows' CSV is never
    /// held whole); JUnit a report at a time (a suite's counts come before
    /// its cases) and JSON whole, as the command writes them. Fails only as
    /// `out` does.
    pub fn export<W: io::Write>(&self, format: Export, selection: &[u32], mut out: W) -> io::Result<()> {
        let statuses: Vec<Status> = {
            let mut seen = [false; 5];
            selection.iter().filter_map(|&r| self.get(r)).for_each(|f| seen[f.status() as usize] = true);
            Status::ALL.into_iter().filter(|s| seen[*s as usize]).collect()
        };
        let keep = |s: Status| statuses.contains(&s);
        let by_report = |report: usize| self.batches.iter().filter(move |(r, _)| *r == report).map(|(_, b)| b);
        let mut piece = Vec::new();
        // Hands `piece` to `out` once it holds `at_least` bytes.
        let mut flush = |piece: &mut Vec<u8>, at_least: usize| -> io::Result<()> {
            if piece.len() >= at_least.max(1) {
                out.write_all(piece)?;
                piece.clear();
            }
            Ok(())
        };
        match format {
            Export::Csv => {
                let mut writer =
                    CsvWriter::for_checks(Vec::new(), &self.many.checks.unwrap_or_default()).unwrap_or_default();
                writer.header(&mut piece);
                for f in selection.iter().filter_map(|&r| self.get(r)) {
                    writer.row(&mut piece, &f);
                    flush(&mut piece, PIECE)?;
                }
            }
            Export::Json => {
                let mut many = self.many.clone();
                many.findings = selection.iter().filter_map(|&r| self.get(r)).map(|f| f.to_sourced()).collect();
                // Writing JSON into memory cannot fail.
                let _ = match self.analysis() {
                    Some(mut one) => {
                        one.findings = many.findings.into_iter().map(|f| f.finding).collect();
                        serde_json::to_writer_pretty(&mut piece, &one)
                    }
                    None => serde_json::to_writer_pretty(&mut piece, &many),
                };
                piece.push(b'\n');
            }
            Export::Sarif => {
                let mut sarif = SarifWriter::with_rules(self.many.checks.unwrap_or_default().rules);
                sarif.begin(&mut piece);
                for (report, outcome) in self.many.reports.iter().enumerate() {
                    for batch in by_report(report) {
                        piece.extend_from_slice(sarif.join(&SarifWriter::results(batch, keep)));
                        flush(&mut piece, PIECE)?;
                    }
                    if outcome.error.is_some() {
                        sarif.discard();
                    } else {
                        sarif.commit();
                    }
                }
                sarif.end(&mut piece, &self.many.policy, &self.many.reports);
            }
            Export::Junit => {
                JunitWriter::start(&mut piece);
                for (report, outcome) in self.many.reports.iter().enumerate() {
                    let (mut cases, mut tally) = (Vec::new(), Tally::default());
                    for batch in by_report(report) {
                        let (made, counted) = JunitWriter::cases(batch, keep);
                        cases.extend_from_slice(&made);
                        tally.add(&counted);
                    }
                    JunitWriter::suite_start(&mut piece, outcome, &self.many.policy, &tally);
                    piece.extend_from_slice(&cases);
                    JunitWriter::suite_end(&mut piece);
                    flush(&mut piece, PIECE)?;
                }
                JunitWriter::finish(&mut piece);
            }
            Export::Ocsf => {
                for (report, outcome) in self.many.reports.iter().enumerate() {
                    for batch in by_report(report) {
                        piece.extend_from_slice(&crate::present::ocsf::events(
                            batch,
                            keep,
                            outcome.input_sha256.as_deref(),
                        ));
                        flush(&mut piece, PIECE)?;
                    }
                }
            }
        }
        flush(&mut piece, 0)
    }
}

/// About how many bytes [`FindingTable::export`] hands its writer at once.
const PIECE: usize = 1 << 20;

/// The rotation plan of a [`FindingTable`]: the step of each row that has
/// one, held as the row's place and its step code. A step is written out
/// (reason, keys, commands, notes) only when asked for, by
/// the plan's own rule on that row's findings again, so a plan of a
/// million rows costs twelve bytes a step, not the steps.
#[derive(Debug, Clone)]
pub struct PlanTable {
    /// Per step, in the plan's order: the table row of its user's first
    /// finding, how many findings the row has, which of the row's steps it
    /// is, its code, and whether it is needed to pass.
    steps: Vec<(u32, u8, u8, StepCode, bool)>,
    known: Option<Vec<KnownKey>>,
}

/// Which steps of a [`PlanTable`] to show (every field may be left out).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
pub struct PlanQuery {
    /// Only steps with this code.
    pub step: Option<StepCode>,
    /// Only the report of this name.
    pub source: Option<String>,
    /// Only this account.
    pub account: Option<String>,
    /// Only users whose name holds this text (case-insensitive).
    pub user: Option<String>,
    /// Only the steps needed to pass (`true`) or the clean-up (`false`).
    pub needed: Option<bool>,
}

/// A step and the report it is for.
#[derive(Debug, Clone, Serialize)]
pub struct SourcedStep {
    /// The report's name.
    pub source: String,
    /// The step.
    #[serde(flatten)]
    pub step: Step,
}

impl FindingTable {
    /// The rotation plan of the findings: each report's rows planned at the
    /// time they were judged, with key ids from `known` (the list
    /// `aws iam list-access-keys` printed) when given.
    pub fn plan(&self, known: Option<Vec<KnownKey>>) -> PlanTable {
        let mut steps = Vec::new();
        let mut report = Vec::new();
        let mut current = None;
        let mut start = 0;
        while start < self.len() {
            let end = self.row_end(start);
            let count = (end - start) as u8;
            // Each report's steps in the plan's order, as `keyrot plan` writes them.
            let source = self.batch_of(start as u32).map(|b| self.batches[b].0);
            if source != current {
                steps.extend(in_plan_order(std::mem::take(&mut report)));
                current = source;
            }
            for (i, (step, triage)) in self.row_steps(start as u32, count, None).into_iter().enumerate() {
                report.push(((start as u32, count, i as u8, step.step, step.needed), step.needed, triage));
            }
            start = end;
        }
        steps.extend(in_plan_order(report));
        PlanTable { steps, known }
    }

    /// The end of the report row whose first finding is table row `start`.
    fn row_end(&self, start: usize) -> usize {
        let line = |r: usize| (self.batch_of(r as u32), self.get(r as u32).map(|f| f.line()));
        let first = line(start);
        (start + 1..self.len()).find(|&r| line(r) != first).unwrap_or(self.len())
    }

    /// The steps of the report row whose findings are table rows `start`
    /// and the `count` after it, with their triage keys.
    fn row_steps(&self, start: u32, count: u8, known: Option<&HashMap<&str, Vec<&KnownKey>>>) -> Vec<(Step, Triage)> {
        let Some(first) = self.get(start) else { return Vec::new() };
        let findings: Vec<Finding> =
            (start..start + u32::from(count)).filter_map(|r| self.get(r)).map(|f| f.to_finding()).collect();
        let row: Vec<&Finding> = findings.iter().collect();
        let mut steps = plan_user(&row, &self.many.policy, first.as_of());
        if let Some(known) = known {
            for (step, _) in steps.iter_mut().filter(|(s, _)| !s.keys.is_empty()) {
                apply_known_keys(step, known);
            }
        }
        steps
    }
}

impl PlanTable {
    /// How many steps there are.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// Whether there is no step.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// How many steps are needed to pass (the others are clean-up).
    pub fn needed(&self) -> usize {
        self.steps.iter().filter(|s| s.4).count()
    }

    /// How many steps of each code, in the workflow's order (codes with none
    /// left out).
    pub fn counts(&self) -> Vec<(StepCode, u64)> {
        crate::plan::steps::step_counts(self.steps.iter().map(|&(_, _, _, code, _)| code))
    }

    /// How many steps each report of `table` has, in the order of its reports.
    pub fn per_report(&self, table: &FindingTable) -> Vec<u64> {
        let mut counts = vec![0; table.many.reports.len()];
        for &(row, _, _, _, _) in &self.steps {
            if let Some(batch) = table.batch_of(row) {
                counts[table.batches[batch].0] += 1;
            }
        }
        counts
    }

    /// The steps `query` selects (indexes, in input order).
    pub fn select(&self, table: &FindingTable, query: &PlanQuery) -> Vec<u32> {
        let user = query.user.as_deref().map(str::trim).filter(|u| !u.is_empty()).map(str::to_lowercase);
        let keep = |&(row, _, _, code, needed): &(u32, u8, u8, StepCode, bool)| {
            let Some(f) = table.get(row) else { return false };
            query.step.is_none_or(|s| s == code)
                && query.needed.is_none_or(|n| n == needed)
                && query.source.as_deref().is_none_or(|s| f.source() == s)
                && query.account.as_deref().is_none_or(|a| f.account_id() == a)
                && user.as_deref().is_none_or(|u| f.user().to_lowercase().contains(u))
        };
        (0..self.steps.len() as u32).filter(|&i| keep(&self.steps[i as usize])).collect()
    }

    /// Writes the whole plan as `format`, report by report, the bytes
    /// `keyrot plan --format` writes for the same reports (each step written
    /// out as it is reached, so a plan of a million steps is never held).
    pub fn export(&self, table: &FindingTable, format: PlanFormat, out: &mut dyn io::Write) -> io::Result<()> {
        let by_user = self.known.as_deref().map(known_by_user);
        let known = by_user.as_ref();
        let reports = &table.many.reports;
        let mut writer = PlanWriter::new(format, out, reports.len())?;
        let report_of =
            |&(row, _, _, _, _): &(u32, u8, u8, StepCode, bool)| table.batch_of(row).map(|b| table.batches[b].0);
        let mut next = 0;
        for (index, report) in reports.iter().enumerate() {
            let (Some(as_of), None) = (report.as_of, &report.error) else {
                match &report.error {
                    Some(e) => writer.failed(&report.source, e)?,
                    None => writer.report(&report.source, report.as_of.unwrap_or_default(), &table.many.policy, 0)?,
                }
                continue;
            };
            let mine = self.steps[next..].iter().take_while(|s| report_of(s) == Some(index)).count();
            writer.report(&report.source, as_of, &table.many.policy, mine)?;
            for &(row, count, nth, _, _) in &self.steps[next..next + mine] {
                if let Some((step, _)) = table.row_steps(row, count, known).into_iter().nth(usize::from(nth)) {
                    writer.step(&step)?;
                }
            }
            next += mine;
        }
        writer.finish()
    }

    /// Writes the HTML report of `table` with this plan: the bytes of
    /// `keyrot check --format html` for the same reports.
    pub fn html(&self, table: &FindingTable, out: &mut dyn io::Write) -> io::Result<()> {
        let mut many = table.many.clone();
        many.findings = table.findings().map(|f| f.to_sourced()).collect();
        let all: Vec<u32> = (0..self.steps.len() as u32).collect();
        let mut plans: Vec<(String, crate::plan::steps::Plan)> = many
            .reports
            .iter()
            .filter_map(|r| {
                let as_of = r.as_of.filter(|_| r.error.is_none())?;
                Some((r.source.clone(), crate::plan::steps::Plan { as_of, policy: many.policy, steps: Vec::new() }))
            })
            .collect();
        for sourced in self.steps(table, &all) {
            if let Some((_, plan)) = plans.iter_mut().find(|(source, _)| *source == sourced.source) {
                plan.steps.push(sourced.step);
            }
        }
        write_html(&many, &plans, out)
    }

    /// The steps at these indexes, written out.
    pub fn steps(&self, table: &FindingTable, indexes: &[u32]) -> Vec<SourcedStep> {
        let by_user = self.known.as_deref().map(known_by_user);
        let known = by_user.as_ref();
        indexes
            .iter()
            .filter_map(|&i| self.steps.get(i as usize))
            .filter_map(|&(row, count, nth, _, _)| {
                let source = table.get(row)?.source().to_owned();
                let (step, _) = table.row_steps(row, count, known).into_iter().nth(usize::from(nth))?;
                Some(SourcedStep { source, step })
            })
            .collect()
    }
}

/// What a finding is sorted by under `key`, when that is a number: whole
/// seconds (or the number) and nanoseconds; `None` when missing.
fn number(f: &FindingRef<'_>, key: SortKey) -> Option<(i64, u32)> {
    let time = |t: crate::input::value::Timestamp| (t.timestamp(), t.timestamp_subsec_nanos());
    match key {
        SortKey::Source | SortKey::AccountId | SortKey::User => None,
        SortKey::Triage => Some(f.triage().packed()),
        SortKey::Severity => Some((f.severity() as i64, 0)),
        SortKey::Status => Status::ALL.iter().position(|s| *s == f.status()).map(|r| (r as i64, 0)),
        SortKey::Slot => f.slot().map(|s| (i64::from(s), 0)),
        SortKey::LastRotated => f.last_rotated().map(time),
        SortKey::AgeDays => f.age_days().map(|d| (d, 0)),
        SortKey::DaysUntilDue => f.days_until_due().map(|d| (d, 0)),
        SortKey::LastUsed => f.last_used().and_then(LastUsed::at).map(time),
        SortKey::Line => Some((f.line() as i64, 0)),
    }
}

/// The rows of `found` ordered by `key`, ties in the order given. Each
/// row's value is read once, as it is found, into a 16-byte key (text keys:
/// the text and the row), not at every comparison (sorting a million rows
/// by age took 1.3 s comparing findings, 0.3 s so).
fn sort_rows<'a>(found: impl Iterator<Item = (u32, FindingRef<'a>)>, key: SortKey, descending: bool) -> Selection {
    let text = |f: &FindingRef<'a>| match key {
        SortKey::Source => Some(f.source()),
        SortKey::AccountId => Some(f.account_id()),
        SortKey::User => Some(f.user()),
        _ => None,
    };
    if matches!(key, SortKey::Source | SortKey::AccountId | SortKey::User) {
        let mut texts: Vec<(&str, u32)> = found.filter_map(|(row, f)| text(&f).map(|t| (t, row))).collect();
        texts.sort_unstable_by(|(a, ra), (b, rb)| {
            let order = natural(a, b);
            if descending { order.reverse() } else { order }.then(ra.cmp(rb))
        });
        texts.into_iter().map(|(_, row)| row).collect()
    } else {
        // Missing values last either way; descending negates (the values
        // are far from i64's ends: seconds of years 1 to 9999, days, lines).
        let mut numbers: Vec<(i64, u32, u32)> = found
            .map(|(row, f)| match number(&f, key) {
                None => (i64::MAX, u32::MAX, row),
                Some((v, sub)) if descending => (-v, u32::MAX - 1 - sub, row),
                Some((v, sub)) => (v, sub, row),
            })
            .collect();
        // Unstable is enough: the row breaks every tie, as the input order.
        numbers.sort_unstable();
        numbers.into_iter().map(|(_, _, row)| row).collect()
    }
}

/// Text in the order people expect: letters without regard to case, and
/// runs of digits by their value (`u2` before `u10`).
fn natural(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    loop {
        match (a.first(), b.first()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let digits = |s: &[u8]| s.iter().take_while(|c| c.is_ascii_digit()).count();
                let (na, nb) = (digits(a), digits(b));
                let (da, db) = (&a[..na], &b[..nb]);
                // Without leading zeros, a longer run is a larger number.
                let trim = |d: &'_ [u8]| -> usize { d.iter().take_while(|c| **c == b'0').count() };
                let (ta, tb) = (&da[trim(da)..], &db[trim(db)..]);
                let order = ta.len().cmp(&tb.len()).then_with(|| ta.cmp(tb));
                if order != Ordering::Equal {
                    return order;
                }
                (a, b) = (&a[na..], &b[nb..]);
            }
            (Some(x), Some(y)) => {
                let order = x.to_ascii_lowercase().cmp(&y.to_ascii_lowercase());
                if order != Ordering::Equal {
                    return order;
                }
                (a, b) = (&a[1..], &b[1..]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order_ignores_case_and_reads_numbers() {
        let mut names = ["u10", "U2", "alice", "Bob", "u2", "u02x", "b"];
        names.sort_by(|a, b| natural(a, b));
        assert_eq!(names, ["alice", "b", "Bob", "U2", "u2", "u02x", "u10"]);
    }
}
