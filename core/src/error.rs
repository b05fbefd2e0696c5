//! Errors: every one names what went wrong with a stable code and, where one
//! applies, the line, the column and the offending value.

use serde::Serialize;
use std::fmt;

/// The longest offending value an error or anomaly quotes, in characters.
/// Longer values are cut and end with `…`.
pub(crate) const MAX_VALUE_CHARS: usize = 80;

/// Implements `as_str`, `Display` and `FromStr` for the code enum `$name`,
/// whose variants are listed with their names; `$what` and `$whats` name a
/// code in an error (`status`, `statuses`). `FromStr` takes `-` as `_` and
/// ignores surrounding white space; an unknown name is an `invalid_policy`
/// error that lists the names.
macro_rules! codes {
    ($name:ident, $what:literal, $whats:literal { $($variant:ident => $text:literal,)+ }) => {
        impl $name {
            /// The stable `snake_case` name, the same as the JSON's.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::error::Error;

            fn from_str(text: &str) -> Result<$name, $crate::error::Error> {
                let name = text.trim().replace('-', "_");
                [$($name::$variant,)+]
                    .into_iter()
                    .find(|code| code.as_str() == name)
                    .ok_or_else(|| $crate::error::Error::unknown_name($what, $whats, text, &[$($text,)+]))
            }
        }
    };
}

pub(crate) use codes;

/// A stable, machine-readable identifier for an [`Error`].
///
/// Tests and bindings key on these codes (serialized in `snake_case`), never
/// on the message text. New codes may be added; existing ones do not change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorCode {
    /// The input holds no bytes, or only white space.
    EmptyInput,
    /// The first line is a data row, not a header.
    MissingHeader,
    /// The header lacks columns the rule needs (`user`, `arn`, and the
    /// `active`/`last_rotated` columns of both key slots).
    MissingColumns,
    /// The header names one column twice.
    DuplicateColumn,
    /// A row has more or fewer fields than the header.
    FieldCount,
    /// A timestamp column holds something that is neither a timestamp of the
    /// accepted RFC 3339 profile nor one of the literals AWS uses.
    InvalidTimestamp,
    /// A boolean column holds something other than `true`/`false` (any case)
    /// or one of the literals AWS uses.
    InvalidBoolean,
    /// The text is not valid UTF-8, or holds a NUL byte.
    InvalidUtf8,
    /// The input is not text at all: a spreadsheet, an archive, a document
    /// or an image (its first bytes say which, and the message says what to
    /// do).
    NotText,
    /// The input looked like base64 but does not decode.
    InvalidBase64,
    /// The input looked like the AWS CLI's JSON wrapper but is not valid
    /// JSON, or lacks a usable `Content` field.
    InvalidJson,
    /// The CSV framing itself is broken (for example an unterminated quote).
    CsvSyntax,
    /// A policy option is out of its range.
    InvalidPolicy,
    /// The evaluation time (`as_of`) is missing or not a valid timestamp.
    InvalidAsOf,
    /// The input is over one of the [`Limits`](crate::read::Limits): a field too
    /// long, a row with too many fields, a JSON wrapper too large or too
    /// deeply nested.
    LimitExceeded,
    /// The exemptions file is not TOML, or not a list of `[[exemption]]`
    /// tables.
    InvalidExemptions,
    /// Reading the input failed.
    Io,
    /// A report of a history has no time: it carries no `GeneratedTime`
    /// and none was given for it.
    NoReportTime,
    /// Two reports of one account in a history have the same time.
    SameReportTime,
}

codes!(ErrorCode, "error code", "error codes" {
    EmptyInput => "empty_input",
    MissingHeader => "missing_header",
    MissingColumns => "missing_columns",
    DuplicateColumn => "duplicate_column",
    FieldCount => "field_count",
    InvalidTimestamp => "invalid_timestamp",
    InvalidBoolean => "invalid_boolean",
    InvalidUtf8 => "invalid_utf8",
    NotText => "not_text",
    InvalidBase64 => "invalid_base64",
    InvalidJson => "invalid_json",
    CsvSyntax => "csv_syntax",
    InvalidPolicy => "invalid_policy",
    InvalidAsOf => "invalid_as_of",
    LimitExceeded => "limit_exceeded",
    InvalidExemptions => "invalid_exemptions",
    Io => "io",
    NoReportTime => "no_report_time",
    SameReportTime => "same_report_time",
});

/// An error that stops parsing or judging, or (in lenient mode) a row-level
/// problem that becomes a `row_error` anomaly.
///
/// Its [`Display`](fmt::Display) form is a lowercase sentence that names the
/// place and the value, for example
/// ``line 4, column `access_key_1_last_rotated`: invalid timestamp `2024-13-01` ``.
///
/// ```
/// let err = keyrot::read::parse(&b"user,arn\nbob,arn:aws:iam::1:user/bob\n"[..], &Default::default())
///     .unwrap_err();
/// assert_eq!(err.code(), keyrot::ErrorCode::MissingColumns);
/// assert_eq!(err.line(), Some(1));
/// ```
#[derive(Debug, Clone, Serialize, thiserror::Error)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "ErrorRecord"))]
pub struct Error {
    code: ErrorCode,
    message: String,
    line: Option<u64>,
    column: Option<String>,
    value: Option<String>,
    /// The I/O error an `io` error was made from, for
    /// [`source`](std::error::Error::source).
    #[serde(skip)]
    #[cfg_attr(feature = "ts", ts(skip))]
    #[source]
    source: Option<std::sync::Arc<std::io::Error>>,
}

/// Errors are equal when their code, message and place are: the I/O error
/// underneath is not compared.
impl PartialEq for Error {
    fn eq(&self, other: &Error) -> bool {
        (self.code, &self.message, self.line, &self.column, &self.value)
            == (other.code, &other.message, other.line, &other.column, &other.value)
    }
}

impl Eq for Error {}

/// An I/O error as keyrot's: code `io`, the I/O error kept as the
/// [`source`](std::error::Error::source). So a callback of
/// [`Run`](crate::Run) that writes can use `?` on its writes.
///
/// ```
/// use std::error::Error as _;
/// let err = keyrot::Error::from(std::io::Error::other("disk full"));
/// assert_eq!(err.code(), keyrot::ErrorCode::Io);
/// assert_eq!(err.source().unwrap().to_string(), "disk full");
/// ```
impl From<std::io::Error> for Error {
    fn from(err: std::io::Error) -> Error {
        let mut error = Error::io(&err);
        error.source = Some(std::sync::Arc::new(err));
        error
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.line, &self.column) {
            (Some(line), Some(col)) => write!(f, "line {line}, column `{col}`: ")?,
            (Some(line), None) => write!(f, "line {line}: ")?,
            (None, Some(col)) => write!(f, "`{col}`: ")?,
            (None, None) => {}
        }
        f.write_str(&self.message)
    }
}

impl Error {
    /// Builds an error with a code and a message; add the place with the
    /// `at_*` and `with_*` methods.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Error {
        Error { code, message: message.into(), line: None, column: None, value: None, source: None }
    }

    /// Sets the 1-based line.
    pub fn at_line(mut self, line: u64) -> Error {
        self.line = Some(line);
        self
    }

    /// Sets the column, by its header name (or the option's name).
    pub fn at_column(mut self, column: impl Into<String>) -> Error {
        self.column = Some(column.into());
        self
    }

    /// Sets the offending value, cut to 80 characters.
    pub fn with_value(mut self, value: &str) -> Error {
        self.value = Some(shorten(value));
        self
    }

    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The message without the place (see `Display` for the full sentence).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The 1-based line of the input, when the error belongs to one.
    pub fn line(&self) -> Option<u64> {
        self.line
    }

    /// The column's header name (or a policy option's name).
    pub fn column(&self) -> Option<&str> {
        self.column.as_deref()
    }

    /// The offending value, cut to 80 characters characters.
    pub fn value(&self) -> Option<&str> {
        self.value.as_deref()
    }

    /// The `invalid_policy` error of a name that is none of `known` (a
    /// `what`, one of the `whats`).
    pub(crate) fn unknown_name(what: &str, whats: &str, name: &str, known: &[&str]) -> Error {
        let message = format!("unknown {what} `{}`; the {whats} are {}", shorten(name), known.join(", "));
        Error::new(ErrorCode::InvalidPolicy, message).with_value(name)
    }

    /// The same error, its message saying which report it is about.
    pub(crate) fn in_report(mut self, source: &str) -> Error {
        self.message = format!("{} (in `{source}`)", self.message);
        self
    }

    pub(crate) fn io(err: &std::io::Error) -> Error {
        Error::new(ErrorCode::Io, format!("cannot read the input: {err}"))
    }
}

/// Cuts a value to 80 characters characters, marking the cut with `…`,
/// and spells control characters visibly so a message stays on one line.
pub(crate) fn shorten(value: &str) -> String {
    let mut out = String::new();
    for (count, ch) in value.chars().enumerate() {
        if count == MAX_VALUE_CHARS {
            out.push('…');
            break;
        }
        if ch.is_control() {
            out.extend(ch.escape_default());
        } else {
            out.push(ch);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shorten_cuts_long_values_and_escapes_controls() {
        let long = "x".repeat(200);
        let cut = shorten(&long);
        assert_eq!(cut.chars().count(), MAX_VALUE_CHARS + 1);
        assert!(cut.ends_with('…'));
        assert_eq!(shorten("a\nb"), "a\\nb");
    }

    #[test]
    fn display_names_place_and_value() {
        let err = Error::new(ErrorCode::InvalidTimestamp, "invalid timestamp `x`")
            .at_line(4)
            .at_column("access_key_1_last_rotated")
            .with_value("x");
        assert_eq!(err.to_string(), "line 4, column `access_key_1_last_rotated`: invalid timestamp `x`");
    }
}
