//! Anomalies: things about a report that do not stop it from being judged but
//! that a person must see. None is ever silently dropped.

use crate::error::{shorten, Error, ErrorCode};
use serde::Serialize;

/// A stable identifier for an [`Anomaly`], serialized in `snake_case`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
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

/// Something about a report that a person must see, with where it is.
///
/// ```
/// let csv = "user,arn,extra,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n";
/// let report = keyrot::parse_bytes(csv.as_bytes(), &Default::default()).unwrap();
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
