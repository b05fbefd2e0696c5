//! Anomalies: things about a report that do not stop it from being judged but
//! that a person must see. None is ever silently dropped.

use crate::error::{shorten, Error, ErrorCode};
use serde::Serialize;

/// A stable identifier for an [`Anomaly`], serialized in `snake_case`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AnomalyCode {
    /// Two rows of one account whose user names are equal ignoring case. Both
    /// rows are kept and judged.
    DuplicateUser,
    /// The rows of one account resume after rows of another account, so the
    /// report was assembled from pieces; duplicate users are looked for
    /// within each run of rows.
    AccountRepeated,
    /// `as_of` is earlier than the newest timestamp in the report.
    AsOfBeforeReport,
    /// `as_of` is more than 24 hours after the report's `GeneratedTime`.
    ReportStale,
    /// A header names a column keyrot does not know; it is ignored.
    UnknownColumn,
    /// The 16-column layout used until 2015, without the access keys'
    /// last-used columns.
    LegacyLayout,
    /// Some optional columns are missing (but not all of the last-used
    /// columns, which would be the legacy layout).
    MissingColumn,
    /// A row-level problem in lenient mode: the row is kept and the keys it
    /// affects are judged `invalid`.
    RowError,
    /// An exemption matched a finding but had expired at `as_of`: the
    /// finding counts as usual.
    ExemptionExpired,
    /// An entry of the exemptions file cannot be used (a required field
    /// missing, an unknown field, a bad value); it exempts nothing.
    ExemptionInvalid,
    /// An exemption matched no key.
    ExemptionUnused,
    /// One account's rows are in several of the reports judged together.
    AccountInSeveralFiles,
}

impl AnomalyCode {
    /// Every anomaly code, in the order of their declaration.
    pub const ALL: [AnomalyCode; 12] = [
        AnomalyCode::DuplicateUser,
        AnomalyCode::AccountRepeated,
        AnomalyCode::AsOfBeforeReport,
        AnomalyCode::ReportStale,
        AnomalyCode::UnknownColumn,
        AnomalyCode::LegacyLayout,
        AnomalyCode::MissingColumn,
        AnomalyCode::RowError,
        AnomalyCode::ExemptionExpired,
        AnomalyCode::ExemptionInvalid,
        AnomalyCode::ExemptionUnused,
        AnomalyCode::AccountInSeveralFiles,
    ];
}

crate::error::codes!(AnomalyCode, "anomaly code", "anomaly codes" {
    DuplicateUser => "duplicate_user",
    AccountRepeated => "account_repeated",
    AsOfBeforeReport => "as_of_before_report",
    ReportStale => "report_stale",
    UnknownColumn => "unknown_column",
    LegacyLayout => "legacy_layout",
    MissingColumn => "missing_column",
    RowError => "row_error",
    ExemptionExpired => "exemption_expired",
    ExemptionInvalid => "exemption_invalid",
    ExemptionUnused => "exemption_unused",
    AccountInSeveralFiles => "account_in_several_files",
});

/// Something about a report that a person must see, with where it is.
///
/// ```
/// let csv = "user,arn,extra,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n";
/// let report = keyrot::read::parse(csv.as_bytes(), &Default::default()).unwrap();
/// assert_eq!(report.anomalies[0].code, keyrot::AnomalyCode::UnknownColumn);
/// assert_eq!(report.anomalies[0].column.as_deref(), Some("extra"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Anomaly {
    /// The stable code.
    pub code: AnomalyCode,
    /// The 1-based line it concerns, when one applies.
    pub line: Option<u64>,
    /// The column (by header name) it concerns, when one applies.
    pub column: Option<String>,
    /// The offending value, cut to a readable length.
    pub value: Option<String>,
    /// For `row_error`: the code of the error the row would have raised in
    /// strict mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub error: Option<ErrorCode>,
    /// A sentence for people.
    pub message: String,
}

impl Anomaly {
    /// An anomaly with a code and a message and no place.
    pub fn new(code: AnomalyCode, message: impl Into<String>) -> Anomaly {
        Anomaly { code, line: None, column: None, value: None, error: None, message: message.into() }
    }

    /// Sets the line.
    pub fn at_line(mut self, line: u64) -> Anomaly {
        self.line = Some(line);
        self
    }

    /// Sets the column.
    pub fn at_column(mut self, column: impl Into<String>) -> Anomaly {
        self.column = Some(column.into());
        self
    }

    /// Sets the value, cut to a readable length.
    pub fn with_value(mut self, value: &str) -> Anomaly {
        self.value = Some(shorten(value));
        self
    }

    /// The `row_error` anomaly that stands for `err` in lenient mode.
    pub fn row_error(err: &Error) -> Anomaly {
        Anomaly {
            code: AnomalyCode::RowError,
            line: err.line(),
            column: err.column().map(str::to_owned),
            value: err.value().map(str::to_owned),
            error: Some(err.code()),
            message: err.message().to_owned(),
        }
    }
}

/// An anomaly with the report it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SourcedAnomaly {
    /// The report's name.
    pub source: String,
    /// The anomaly.
    #[serde(flatten)]
    pub anomaly: Anomaly,
}

impl Anomaly {
    /// How many anomalies of one code one report keeps: a report that
    /// repeats one user a million times (a concatenation, a broken export, a
    /// hostile file) is counted in full, but only this many of them are kept.
    pub const KEPT_PER_CODE: usize = 100;
}

/// The anomalies of one report: every one counted, the first
/// [`Anomaly::KEPT_PER_CODE`] of each code kept, in the order found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Anomalies {
    kept: Vec<Anomaly>,
    /// Per code: how many were found (kept or not).
    found: std::collections::BTreeMap<AnomalyCode, u64>,
}

impl Anomalies {
    /// Counts an anomaly of `code`, and keeps the one `make` builds while
    /// fewer than the limit of that code are kept (a dropped anomaly's
    /// message is never written).
    pub(crate) fn push_with(&mut self, code: AnomalyCode, make: impl FnOnce() -> Anomaly) {
        let found = self.found.entry(code).or_default();
        *found += 1;
        if *found <= Anomaly::KEPT_PER_CODE as u64 {
            let anomaly = make();
            debug_assert_eq!(anomaly.code, code);
            self.kept.push(anomaly);
        }
    }

    /// Counts and keeps `anomaly` as [`push_with`](Anomalies::push_with) does.
    pub(crate) fn push(&mut self, anomaly: Anomaly) {
        self.push_with(anomaly.code, || anomaly);
    }

    /// Adds every anomaly of `other` (found after this one's), within the
    /// same limits.
    pub(crate) fn extend(&mut self, other: Anomalies) {
        let mut kept_of: std::collections::BTreeMap<AnomalyCode, u64> = std::collections::BTreeMap::new();
        for anomaly in other.kept {
            *kept_of.entry(anomaly.code).or_default() += 1;
            self.push(anomaly);
        }
        // Those `other` did not keep are counted, never kept.
        for (code, found) in other.found {
            let not_kept = found - kept_of.get(&code).copied().unwrap_or_default();
            *self.found.entry(code).or_default() += not_kept;
        }
    }

    /// Per code, how many anomalies were found but not kept; only the codes
    /// with some.
    pub(crate) fn omitted(&self) -> std::collections::BTreeMap<AnomalyCode, u64> {
        self.found
            .iter()
            .map(|(code, &found)| (*code, found.saturating_sub(Anomaly::KEPT_PER_CODE as u64)))
            .filter(|(_, n)| *n > 0)
            .collect()
    }

    /// The anomalies of a finished report: those it kept and, per code, how
    /// many it did not ([`into_parts`](Anomalies::into_parts) read back).
    pub(crate) fn from_parts(kept: Vec<Anomaly>, omitted: std::collections::BTreeMap<AnomalyCode, u64>) -> Anomalies {
        let mut found = omitted;
        for anomaly in &kept {
            *found.entry(anomaly.code).or_default() += 1;
        }
        Anomalies { kept, found }
    }

    /// The kept anomalies and the counts of those not kept.
    pub(crate) fn into_parts(self) -> (Vec<Anomaly>, std::collections::BTreeMap<AnomalyCode, u64>) {
        let omitted = self.omitted();
        (self.kept, omitted)
    }
}

impl From<Vec<Anomaly>> for Anomalies {
    fn from(anomalies: Vec<Anomaly>) -> Anomalies {
        let mut all = Anomalies::default();
        anomalies.into_iter().for_each(|a| all.push(a));
        all
    }
}
