//! What the core judged, held as it made it: the analysis (counts, policy,
//! anomalies) and the findings as the core's compact batches, which
//! `Finding` objects, the JSON contract and the Arrow stream all read.

use keyrot::{Analysis, FindingBatch, FindingRef, ManyAnalysis, SourcedFinding};
use std::sync::Arc;

/// One report, or several together; `findings` empty in both (they are in
/// the batches).
pub(crate) enum Outcome {
    One(Analysis),
    Many(ManyAnalysis),
}

/// The outcome and the findings' batches, in input order (for several
/// reports, those of the reports judged whole).
pub(crate) struct Judged {
    pub(crate) outcome: Outcome,
    batches: Vec<FindingBatch>,
    /// The index of each batch's first finding.
    starts: Vec<usize>,
    pub(crate) len: usize,
}

impl Judged {
    pub(crate) fn new(outcome: Outcome, batches: Vec<FindingBatch>) -> Judged {
        let batches: Vec<FindingBatch> = batches.into_iter().filter(|b| !b.is_empty()).collect();
        let mut starts = Vec::with_capacity(batches.len());
        let mut len = 0;
        for b in &batches {
            starts.push(len);
            len += b.len();
        }
        Judged { outcome, batches, starts, len }
    }

    pub(crate) fn many(&self) -> bool {
        matches!(self.outcome, Outcome::Many(_))
    }

    /// The finding at `index`, in input order.
    pub(crate) fn finding(&self, index: usize) -> Option<FindingRef<'_>> {
        let b = self.starts.partition_point(|&s| s <= index).checked_sub(1)?;
        self.batches[b].get(index - self.starts[b])
    }

    pub(crate) fn findings(&self) -> impl Iterator<Item = FindingRef<'_>> {
        self.batches.iter().flat_map(FindingBatch::findings)
    }

    /// The outcome with its owned findings (the JSON contract, the plans).
    pub(crate) fn complete(&self) -> Outcome {
        match &self.outcome {
            Outcome::One(a) => {
                Outcome::One(Analysis { findings: self.findings().map(|f| f.to_finding()).collect(), ..a.clone() })
            }
            Outcome::Many(m) => Outcome::Many(ManyAnalysis { findings: self.sourced(usize::MAX), ..m.clone() }),
        }
    }

    /// The first `limit` findings, each with its report's name.
    pub(crate) fn sourced(&self, limit: usize) -> Vec<SourcedFinding> {
        self.findings()
            .take(limit)
            .map(|f| SourcedFinding { source: f.source().to_owned(), finding: f.to_finding() })
            .collect()
    }

    pub(crate) fn reports(&self) -> &[keyrot::ReportOutcome] {
        match &self.outcome {
            Outcome::One(_) => &[],
            Outcome::Many(m) => &m.reports,
        }
    }
}

/// A shared result's batches, for the core's Arrow stream
/// (`keyrot::arrow::FindingBatches`).
pub(crate) struct Batches(pub(crate) Arc<Judged>);

impl AsRef<[FindingBatch]> for Batches {
    fn as_ref(&self) -> &[FindingBatch] {
        &self.0.batches
    }
}
