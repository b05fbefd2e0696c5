//! The typed model of a credential report, decoded from the records of the
//! one reader ([`Scanner`]).

use crate::error::{shorten, Error, ErrorCode, MAX_VALUE_CHARS};
use crate::input::anomaly::{Anomaly, AnomalyCode};
use crate::input::limits::Limits;
use crate::input::unwrap::InputFormat;
use crate::input::value::{parse_bool, parse_timestamp, Field, Timestamp};
use serde::{Deserialize, Serialize};

/// The columns keyrot knows, in the order of the 22-column layout.
pub const COLUMNS: [&str; 22] = [
    "user",
    "arn",
    "user_creation_time",
    "password_enabled",
    "password_last_used",
    "password_last_changed",
    "password_next_rotation",
    "mfa_active",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_1_last_used_date",
    "access_key_1_last_used_region",
    "access_key_1_last_used_service",
    "access_key_2_active",
    "access_key_2_last_rotated",
    "access_key_2_last_used_date",
    "access_key_2_last_used_region",
    "access_key_2_last_used_service",
    "cert_1_active",
    "cert_1_last_rotated",
    "cert_2_active",
    "cert_2_last_rotated",
];

/// The columns without which a file is not a credential report.
pub(crate) const REQUIRED_COLUMNS: [&str; 6] = [
    "user",
    "arn",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_2_active",
    "access_key_2_last_rotated",
];

/// The six columns the legacy 16-column layout lacks.
const LAST_USED_COLUMNS: [usize; 6] = [10, 11, 12, 15, 16, 17];

// Indexes into COLUMNS.
const USER: usize = 0;
const ARN: usize = 1;
const USER_CREATION_TIME: usize = 2;
const PASSWORD_ENABLED: usize = 3;
const PASSWORD_LAST_USED: usize = 4;
const PASSWORD_LAST_CHANGED: usize = 5;
const PASSWORD_NEXT_ROTATION: usize = 6;
const MFA_ACTIVE: usize = 7;
pub(crate) const KEY_BASE: [usize; 2] = [8, 13];
const CERT_BASE: [usize; 2] = [18, 20];

/// Which column layout the header has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// The 22-column layout AWS has written since 2015 (possibly with
    /// columns in another order, extra columns or optional ones missing).
    Current,
    /// The 16-column layout without the access keys' last-used columns.
    Legacy,
}

crate::error::codes!(Layout, "layout", "layouts" {
    Current => "current",
    Legacy => "legacy",
});

/// Options for reading a report.
///
/// ```
/// let opts = keyrot::read::ParseOptions { lenient: true, ..Default::default() };
/// let csv = "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n\
///            bob,arn:aws:iam::111122223333:user/bob,maybe,N/A,false,N/A\n";
/// let report = keyrot::read::parse(csv.as_bytes(), &opts).unwrap();
/// assert_eq!(report.rows.len(), 1);
/// let problem = report.anomalies.iter().find(|a| a.code == keyrot::AnomalyCode::RowError).unwrap();
/// assert_eq!(problem.column.as_deref(), Some("access_key_1_active"));
/// assert_eq!(problem.value.as_deref(), Some("maybe"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct ParseOptions {
    /// The form of the input; `Auto` detects it.
    pub format: InputFormat,
    /// Lenient mode: a row-level problem (bad timestamp, bad boolean, wrong
    /// field count) becomes a `row_error` anomaly and the row is kept, instead
    /// of stopping with an error.
    pub lenient: bool,
}

/// One access-key slot of a row.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AccessKey {
    /// `access_key_N_active`.
    #[cfg_attr(feature = "ts", ts(type = "BooleanCell"))]
    pub active: Field<bool>,
    /// `access_key_N_last_rotated`: the key's creation time in practice;
    /// `N/A` when the slot is empty (inactive keys keep their date).
    #[cfg_attr(feature = "ts", ts(type = "TimestampCell"))]
    pub last_rotated: Field<Timestamp>,
    /// `access_key_N_last_used_date` (minute precision from AWS).
    #[cfg_attr(feature = "ts", ts(type = "TimestampCell"))]
    pub last_used_date: Field<Timestamp>,
    /// `access_key_N_last_used_region`.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub last_used_region: Field<String>,
    /// `access_key_N_last_used_service`.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub last_used_service: Field<String>,
}

impl AccessKey {
    /// Whether the slot holds a key: its `last_rotated` is anything but
    /// `N/A`, or it says it is active (`true`), or one of its cells could
    /// not be read (lenient mode). A slot whose `last_rotated` is `N/A` and
    /// whose flag is `false`, another literal or empty is empty.
    pub fn is_present(&self) -> bool {
        !self.last_rotated.is_not_applicable()
            || matches!(self.active, Field::Value(true))
            || self.active.is_invalid()
            || self.last_used_date.is_invalid()
            || self.last_used_region.is_invalid()
            || self.last_used_service.is_invalid()
    }
}

/// One X.509 signing-certificate slot of a row.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Certificate {
    /// `cert_N_active`.
    #[cfg_attr(feature = "ts", ts(type = "BooleanCell"))]
    pub active: Field<bool>,
    /// `cert_N_last_rotated`.
    #[cfg_attr(feature = "ts", ts(type = "TimestampCell"))]
    pub last_rotated: Field<Timestamp>,
}

/// One row of the report: one user (or the root account).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Row {
    /// The 1-based line the row starts on.
    pub line: u64,
    /// `user`: the IAM user name, or `<root_account>`.
    pub user: String,
    /// `arn`.
    pub arn: String,
    /// The account id: the fifth `:`-separated field of the ARN, as text
    /// (empty when the ARN has none).
    pub account_id: String,
    /// Whether this is the root row (`<root_account>`, `root_account`, or an
    /// ARN ending in `:root`).
    pub is_root: bool,
    /// `user_creation_time`.
    #[cfg_attr(feature = "ts", ts(type = "TimestampCell"))]
    pub user_creation_time: Field<Timestamp>,
    /// `password_enabled` (`not_supported` on the root row).
    #[cfg_attr(feature = "ts", ts(type = "BooleanCell"))]
    pub password_enabled: Field<bool>,
    /// `password_last_used`.
    #[cfg_attr(feature = "ts", ts(type = "TimestampCell"))]
    pub password_last_used: Field<Timestamp>,
    /// `password_last_changed`.
    #[cfg_attr(feature = "ts", ts(type = "TimestampCell"))]
    pub password_last_changed: Field<Timestamp>,
    /// `password_next_rotation`.
    #[cfg_attr(feature = "ts", ts(type = "TimestampCell"))]
    pub password_next_rotation: Field<Timestamp>,
    /// `mfa_active`.
    #[cfg_attr(feature = "ts", ts(type = "BooleanCell"))]
    pub mfa_active: Field<bool>,
    /// The two access-key slots; slot 1 first. Slot numbers are not stable
    /// and slot 1 is not the older key.
    pub access_keys: [AccessKey; 2],
    /// The two signing-certificate slots.
    pub certificates: [Certificate; 2],
    /// Lenient mode only: the problems found in this row. When the row's
    /// fields could not be assigned to columns (wrong field count), every
    /// field but `user` is `Absent` and both key slots are judged `invalid`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<Error>>", optional))]
    pub problems: Vec<Error>,
    /// Lenient mode only: the row's fields could not be assigned to columns
    /// (wrong field count, or text that is not UTF-8), so every field but
    /// `user` and `arn` is `Absent` and both key slots are judged `invalid`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(feature = "ts", ts(type = "true", optional))]
    pub malformed: bool,
}

impl Row {
    /// Every timestamp in the row that records something that has happened,
    /// for `newest_timestamp` (a lower bound for when the report was
    /// generated). `password_next_rotation` is left out: it is a date set in
    /// advance (`password_last_changed` plus the password policy's maximum
    /// age), later than any fresh report.
    pub fn timestamps(&self) -> impl Iterator<Item = Timestamp> + '_ {
        [
            &self.user_creation_time,
            &self.password_last_used,
            &self.password_last_changed,
            &self.access_keys[0].last_rotated,
            &self.access_keys[0].last_used_date,
            &self.access_keys[1].last_rotated,
            &self.access_keys[1].last_used_date,
            &self.certificates[0].last_rotated,
            &self.certificates[1].last_rotated,
        ]
        .into_iter()
        .filter_map(|f| f.value().copied())
    }
}

/// The header as read: which known column sits at which position.
#[derive(Debug, Clone, Default)]
pub(crate) struct Header {
    /// Position of each of [`COLUMNS`] in the record, if present.
    pub(crate) index: [Option<usize>; 22],
    /// Number of fields in the header.
    pub(crate) len: usize,
    /// Names as read, trimmed and lowercased.
    pub(crate) names: Vec<String>,
}

/// What a report says of itself before its rows, as both readers
/// ([`ReportReader`] and [`Scanner`](crate::Scanner)) find it.
#[derive(Debug, Clone)]
pub(crate) struct Preamble {
    pub(crate) header: Header,
    pub(crate) layout: Layout,
    pub(crate) format: InputFormat,
    pub(crate) generated_time: Option<Timestamp>,
    /// The header's anomalies.
    pub(crate) anomalies: Vec<Anomaly>,
}

/// One row of a report as fields of text, before any cell is read (what
/// `csv::ByteRecord` is to the `csv` crate's reader): quotes removed, every
/// line ending inside a quoted field read as `\n`.
#[derive(Debug, Clone, Copy)]
pub struct Record<'t> {
    pub(crate) text: &'t [u8],
    pub(crate) fields: &'t [std::ops::Range<usize>],
    pub(crate) line: u64,
}

impl<'t> Record<'t> {
    /// The 1-based line the row starts on.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The number of fields.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether the record has no field (never, for a record the reader hands out).
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The field at `index`.
    pub fn get(&self, index: usize) -> Option<&'t [u8]> {
        self.fields.get(index).map(|r| &self.text[r.clone()])
    }

    /// The fields, in order.
    pub fn iter(&self) -> impl Iterator<Item = &'t [u8]> + '_ {
        self.fields.iter().map(|r| &self.text[r.clone()])
    }

    /// The text from the first field's start to the last one's end: every
    /// field's bytes, with the commas between them (or none, for a row the
    /// tokenizer read).
    pub(crate) fn span(&self) -> &'t [u8] {
        match (self.fields.first(), self.fields.last()) {
            (Some(first), Some(last)) => &self.text[first.start..last.end],
            _ => &[],
        }
    }

    /// A row of one field of white space (or none): a blank line.
    pub(crate) fn is_blank(&self) -> bool {
        self.fields.len() <= 1 && self.span().iter().all(u8::is_ascii_whitespace)
    }

    /// A record over these fields of `text`.
    pub(crate) fn new(text: &'t [u8], fields: &'t [std::ops::Range<usize>], line: u64) -> Record<'t> {
        Record { text, fields, line }
    }
}

/// Refuses a row with more fields, or a longer field, than the limits allow,
/// naming the field by its header name when there is one.
pub(crate) fn check_limits(record: &Record<'_>, names: &[String], limits: &Limits) -> Result<(), Error> {
    let line = record.line();
    let column = |i: usize| names.get(i).cloned().unwrap_or_else(|| format!("#{}", i + 1));
    if record.len() > limits.max_fields {
        return Err(Error::new(
            ErrorCode::LimitExceeded,
            format!("the row has {} fields, more than {}; a credential report has 22", record.len(), limits.max_fields),
        )
        .at_line(line)
        .at_column(column(limits.max_fields)));
    }
    if let Some((i, field)) = record.iter().enumerate().find(|(_, f)| f.len() > limits.max_field_bytes) {
        return Err(Error::new(
            ErrorCode::LimitExceeded,
            format!(
                "a field is {} bytes, more than {}; no value of a credential report comes close",
                field.len(),
                limits.max_field_bytes
            ),
        )
        .at_line(line)
        .at_column(column(i))
        .with_value(&String::from_utf8_lossy(&field[..field.len().min(4 * MAX_VALUE_CHARS)])));
    }
    Ok(())
}

/// Checks a record's bytes for NUL and invalid UTF-8, naming the field and
/// the byte offset.
fn check_text(record: &Record<'_>, names: &[String]) -> Result<(), Error> {
    let line = record.line();
    let all = record.span();
    if std::str::from_utf8(all).is_ok() && !all.contains(&0) {
        return Ok(());
    }
    for (i, field) in record.iter().enumerate() {
        let column = names.get(i).cloned().unwrap_or_else(|| format!("#{}", i + 1));
        if let Some(at) = field.iter().position(|&b| b == 0) {
            return Err(Error::new(
                ErrorCode::InvalidUtf8,
                format!("the field holds a NUL byte (at byte {at} of the field)"),
            )
            .at_line(line)
            .at_column(column)
            .with_value(&String::from_utf8_lossy(field)));
        }
        if let Err(e) = std::str::from_utf8(field) {
            return Err(Error::new(
                ErrorCode::InvalidUtf8,
                format!(
                    "the text is not valid UTF-8 (byte {} of the field); re-save the file as UTF-8",
                    e.valid_up_to()
                ),
            )
            .at_line(line)
            .at_column(column)
            .with_value(&String::from_utf8_lossy(field)));
        }
    }
    Ok(())
}

pub(crate) fn read_header(record: &Record<'_>) -> Result<(Header, Vec<Anomaly>, Layout), Error> {
    let line = record.line();
    let names_raw: Vec<String> = record.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect();
    check_text(record, &names_raw)?;
    let names: Vec<String> = names_raw.iter().map(|n| n.trim().to_ascii_lowercase()).collect();
    let looks_like_data = names.first().is_some_and(|n| n == "<root_account>" || n == "root_account")
        || names.iter().any(|n| n.starts_with("arn:"));
    if looks_like_data {
        return Err(Error::new(
            ErrorCode::MissingHeader,
            "the first line is a data row, not the header: the report must start with `user,arn,…`",
        )
        .at_line(line)
        .with_value(&names_raw.join(",")));
    }
    let mut index = [None; 22];
    let mut anomalies = Vec::new();
    for (pos, name) in names.iter().enumerate() {
        if names[..pos].contains(name) {
            return Err(Error::new(
                ErrorCode::DuplicateColumn,
                format!("the header names column `{}` twice", shorten(name)),
            )
            .at_line(line)
            .at_column(name.clone())
            .with_value(name));
        }
        match COLUMNS.iter().position(|c| c == name) {
            Some(known) => index[known] = Some(pos),
            None => anomalies.push(
                Anomaly::new(AnomalyCode::UnknownColumn, format!("unknown column `{}` is ignored", shorten(name)))
                    .at_line(line)
                    .at_column(name.clone()),
            ),
        }
    }
    let missing: Vec<&str> = REQUIRED_COLUMNS
        .iter()
        .filter(|c| index[COLUMNS.iter().position(|k| k == *c).unwrap_or(0)].is_none())
        .copied()
        .collect();
    if !missing.is_empty() {
        let list = missing.join(", ");
        let shown: Vec<String> = names_raw.iter().take(8).map(|n| format!("`{}`", shorten(n.trim()))).collect();
        let found = match names_raw.len() {
            0 => "nothing".to_owned(),
            n if n > shown.len() => format!("{}, and {} more", shown.join(", "), n - shown.len()),
            _ => shown.join(", "),
        };
        return Err(Error::new(
            ErrorCode::MissingColumns,
            format!(
                "not a credential report: the header lacks the required column(s) {list}; its first line has {found}. \
                 A credential report starts `user,arn,user_creation_time,…`: get one with `aws iam generate-credential-report` \
                 then `aws iam get-credential-report`, or the IAM console's Credential report download"
            ),
        )
        .at_line(line)
        .with_value(&list));
    }
    let last_used_missing = LAST_USED_COLUMNS.iter().filter(|&&c| index[c].is_none()).count();
    let layout = if last_used_missing == LAST_USED_COLUMNS.len() {
        anomalies.push(
            Anomaly::new(
                AnomalyCode::LegacyLayout,
                "legacy 16-column layout (before 2015): the report has no last-used columns for access keys",
            )
            .at_line(line),
        );
        Layout::Legacy
    } else {
        Layout::Current
    };
    for (known, name) in COLUMNS.iter().enumerate() {
        let is_last_used = LAST_USED_COLUMNS.contains(&known);
        if index[known].is_none() && !(is_last_used && layout == Layout::Legacy) {
            anomalies.push(
                Anomaly::new(AnomalyCode::MissingColumn, format!("optional column `{name}` is missing"))
                    .at_line(line)
                    .at_column(*name),
            );
        }
    }
    Ok((Header { index, len: names.len(), names }, anomalies, layout))
}

/// The account id: the fifth `:`-separated field of an ARN.
pub(crate) fn account_of(arn: &str) -> String {
    arn[account_range(arn.as_bytes())].to_owned()
}

/// Where the account id sits in an ARN: after its fourth `:`, up to the
/// fifth (empty when the ARN has fewer than four).
pub(crate) fn account_range(arn: &[u8]) -> std::ops::Range<usize> {
    // An ARN is short and its colons close together: a plain loop beats a
    // search call per colon.
    let mut colons = arn.iter().enumerate().filter(|&(_, &b)| b == b':').map(|(i, _)| i);
    match (colons.nth(3), colons.next()) {
        (Some(start), Some(end)) => start + 1..end,
        (Some(start), None) => start + 1..arn.len(),
        _ => 0..0,
    }
}

pub(crate) fn is_root(user: &str, arn: &str) -> bool {
    user == "<root_account>" || user == "root_account" || arn.ends_with(":root")
}

struct RowBuilder<'r> {
    record: &'r Record<'r>,
    header: &'r Header,
    line: u64,
    lenient: bool,
    problems: Vec<Error>,
}

impl RowBuilder<'_> {
    fn text(&self, col: usize) -> Option<&str> {
        let pos = self.header.index[col]?;
        // check_text has validated the record as UTF-8.
        self.record.get(pos).and_then(|b| std::str::from_utf8(b).ok())
    }

    fn fail(&mut self, err: Error) -> Result<(), Error> {
        if self.lenient {
            self.problems.push(err);
            Ok(())
        } else {
            Err(err)
        }
    }

    fn timestamp(&mut self, col: usize) -> Result<Field<Timestamp>, Error> {
        let Some(text) = self.text(col) else { return Ok(Field::Absent) };
        if let Some(lit) = Field::literal(text) {
            return Ok(lit);
        }
        if let Some(ts) = parse_timestamp(text) {
            return Ok(Field::Value(ts));
        }
        let raw = text.to_owned();
        self.fail(
            Error::new(ErrorCode::InvalidTimestamp, format!("invalid timestamp `{}`", shorten(&raw)))
                .at_line(self.line)
                .at_column(COLUMNS[col])
                .with_value(&raw),
        )?;
        Ok(Field::Invalid(raw))
    }

    fn boolean(&mut self, col: usize) -> Result<Field<bool>, Error> {
        let Some(text) = self.text(col) else { return Ok(Field::Absent) };
        if let Some(b) = parse_bool(text) {
            return Ok(Field::Value(b));
        }
        if let Some(lit) = Field::literal(text) {
            return Ok(lit);
        }
        let raw = text.to_owned();
        self.fail(
            Error::new(
                ErrorCode::InvalidBoolean,
                format!("invalid boolean `{}`: expected `true` or `false`", shorten(&raw)),
            )
            .at_line(self.line)
            .at_column(COLUMNS[col])
            .with_value(&raw),
        )?;
        Ok(Field::Invalid(raw))
    }

    fn string(&self, col: usize) -> Field<String> {
        match self.text(col) {
            None => Field::Absent,
            Some(text) => Field::literal(text).unwrap_or_else(|| Field::Value(text.to_owned())),
        }
    }
}

/// The record as one line of text (fields joined by `,`), for an error's
/// value; long rows are cut (the error cuts the value further).
fn row_text(record: &Record<'_>) -> String {
    let mut text = String::new();
    for (i, field) in record.iter().enumerate() {
        if text.len() > 4 * crate::error::MAX_VALUE_CHARS {
            break;
        }
        if i > 0 {
            text.push(',');
        }
        text.push_str(&String::from_utf8_lossy(field));
    }
    text
}

/// A row whose fields cannot be assigned to columns (lenient mode): only
/// its user and ARN are kept, and both key slots are judged `invalid`.
fn malformed_row(line: u64, user: String, arn: String, err: Error) -> Row {
    Row {
        line,
        account_id: account_of(&arn),
        is_root: is_root(&user, &arn),
        user,
        arn,
        problems: vec![err],
        malformed: true,
        ..Row::default()
    }
}

pub(crate) fn build_row(record: &Record<'_>, header: &Header, lenient: bool) -> Result<Row, Error> {
    let line = record.line();
    if record.len() != header.len {
        let user = String::from_utf8_lossy(record.get(header.index[USER].unwrap_or(0)).unwrap_or(b"")).into_owned();
        let err = Error::new(
            ErrorCode::FieldCount,
            format!(
                "the row has {} fields but the header has {} (an unquoted comma in a name, or a cut-off line?)",
                record.len(),
                header.len
            ),
        )
        .at_line(line)
        .with_value(&row_text(record));
        if !lenient {
            return Err(err);
        }
        // The fields are shifted (an unquoted comma in a name shifts the
        // ARN too): take the ARN from the first field that is one, so the
        // row still counts in its account.
        let positional = record.get(header.index[ARN].unwrap_or(1)).unwrap_or(b"");
        let arn = if positional.starts_with(b"arn:") {
            positional
        } else {
            record.iter().find(|f| f.starts_with(b"arn:")).unwrap_or(positional)
        };
        let arn = String::from_utf8_lossy(arn).into_owned();
        return Ok(malformed_row(line, user, arn, err));
    }
    if let Err(err) = check_text(record, &header.names) {
        if !lenient {
            return Err(err);
        }
        let lossy = |col: usize| {
            String::from_utf8_lossy(record.get(header.index[col].unwrap_or(0)).unwrap_or(b"")).into_owned()
        };
        let (user, arn) = (lossy(USER), lossy(ARN));
        // Fields cannot be trusted: judge both slots invalid.
        return Ok(malformed_row(line, user, arn, err));
    }
    let mut b = RowBuilder { record, header, line, lenient, problems: Vec::new() };
    let user = b.text(USER).unwrap_or("").to_owned();
    let arn = b.text(ARN).unwrap_or("").to_owned();
    let user_creation_time = b.timestamp(USER_CREATION_TIME)?;
    let password_enabled = b.boolean(PASSWORD_ENABLED)?;
    let password_last_used = b.timestamp(PASSWORD_LAST_USED)?;
    let password_last_changed = b.timestamp(PASSWORD_LAST_CHANGED)?;
    let password_next_rotation = b.timestamp(PASSWORD_NEXT_ROTATION)?;
    let mfa_active = b.boolean(MFA_ACTIVE)?;
    let mut access_keys: [AccessKey; 2] = Default::default();
    for (slot, key) in access_keys.iter_mut().enumerate() {
        let base = KEY_BASE[slot];
        *key = AccessKey {
            active: b.boolean(base)?,
            last_rotated: b.timestamp(base + 1)?,
            last_used_date: b.timestamp(base + 2)?,
            last_used_region: b.string(base + 3),
            last_used_service: b.string(base + 4),
        };
    }
    let mut certificates: [Certificate; 2] = Default::default();
    for (slot, cert) in certificates.iter_mut().enumerate() {
        let base = CERT_BASE[slot];
        *cert = Certificate { active: b.boolean(base)?, last_rotated: b.timestamp(base + 1)? };
    }
    Ok(Row {
        line,
        account_id: account_of(&arn),
        is_root: is_root(&user, &arn),
        user,
        arn,
        user_creation_time,
        password_enabled,
        password_last_used,
        password_last_changed,
        password_next_rotation,
        mfa_active,
        access_keys,
        certificates,
        problems: b.problems,
        malformed: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::reader::parse;

    const HEADER: &str =
        "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated";

    fn lines_of(text: &str) -> Vec<(String, u64)> {
        let report = parse(text.as_bytes(), &ParseOptions::default()).unwrap();
        report.rows.iter().map(|r| (r.user.clone(), r.line)).collect()
    }

    fn row(user: &str) -> String {
        format!("{user},arn:aws:iam::111122223333:user/{user},false,N/A,false,N/A")
    }

    #[test]
    fn account_is_the_fifth_field_of_the_arn() {
        assert_eq!(account_of("arn:aws:iam::111122223333:user/a:b"), "111122223333");
        assert_eq!(account_of("arn:aws:iam::111122223333"), "111122223333");
        assert_eq!(account_of("arn:aws-us-gov:iam::0123456789:root"), "0123456789");
        assert_eq!(account_of("fakearn"), "");
        assert_eq!(account_of("arn:aws:iam:"), "");
    }

    #[test]
    fn lines_count_every_ending_and_blank_line() {
        let (a, b, c) = (row("a"), row("b"), row("c"));
        let expected = |x: u64, y: u64, z: u64| vec![("a".to_owned(), x), ("b".to_owned(), y), ("c".to_owned(), z)];
        assert_eq!(lines_of(&format!("{HEADER}\n{a}\n{b}\n{c}")), expected(2, 3, 4));
        assert_eq!(lines_of(&format!("{HEADER}\r\n{a}\r\n{b}\r\n{c}\r\n")), expected(2, 3, 4));
        assert_eq!(lines_of(&format!("{HEADER}\r{a}\r{b}\r{c}\r")), expected(2, 3, 4));
        assert_eq!(lines_of(&format!("{HEADER}\r\n{a}\n{b}\r{c}")), expected(2, 3, 4));
        assert_eq!(lines_of(&format!("\n\n{HEADER}\n\n{a}\r\n\r\n\r\n{b}\r\r{c}\n\n")), expected(5, 8, 10));
        // A quoted field spanning lines moves the next rows down.
        let quoted = format!("{HEADER}\n\"a\",\"x\r\ny\nz\",false,N/A,false,N/A\n{b}\n{c}\n");
        assert_eq!(lines_of(&quoted), expected(2, 5, 6));
    }

    #[test]
    fn an_unclosed_quote_is_a_csv_syntax_error() {
        let text = format!("{HEADER}\n{}\n\"{}\n{}\n", row("a"), row("b"), row("c"));
        let err = parse(text.as_bytes(), &ParseOptions { lenient: true, ..Default::default() }).unwrap_err();
        assert_eq!(err.code(), ErrorCode::CsvSyntax);
        assert_eq!(err.line(), Some(3));
        // Closed quotes, escaped quotes and a quote inside an unquoted field are fine.
        let text = format!("{HEADER}\n\"a\"\"b\",arn:aws:iam::1:user/a\"b,false,N/A,false,N/A\n");
        let report = parse(text.as_bytes(), &ParseOptions::default()).unwrap();
        assert_eq!(report.rows[0].user, "a\"b");
        assert_eq!(report.rows[0].arn, "arn:aws:iam::1:user/a\"b");
    }

    #[test]
    fn field_count_error_quotes_the_row_with_its_commas() {
        let text = format!("{HEADER}\nsvc,ops,arn:aws:iam::111122223333:user/svc,ops,false,N/A,false,N/A\n");
        let err = parse(text.as_bytes(), &ParseOptions::default()).unwrap_err();
        assert_eq!(err.code(), ErrorCode::FieldCount);
        assert_eq!(err.value(), Some("svc,ops,arn:aws:iam::111122223333:user/svc,ops,false,N/A,false,N/A"));
        // Lenient: the row keeps its account, found in the first ARN-looking field.
        let report = parse(text.as_bytes(), &ParseOptions { lenient: true, ..Default::default() }).unwrap();
        let row = &report.rows[0];
        assert!(row.malformed);
        assert_eq!(row.user, "svc");
        assert_eq!(row.arn, "arn:aws:iam::111122223333:user/svc");
        assert_eq!(row.account_id, "111122223333");
    }

    #[test]
    fn a_slot_is_present_when_dated_active_or_unreadable() {
        let key = |active: Field<bool>, rotated: Field<Timestamp>| AccessKey {
            active,
            last_rotated: rotated,
            ..AccessKey::default()
        };
        let date = Field::Value(parse_timestamp("2026-01-01T00:00:00Z").unwrap());
        assert!(key(Field::Value(false), date.clone()).is_present());
        assert!(key(Field::NotApplicable, date).is_present());
        assert!(key(Field::Value(true), Field::NotApplicable).is_present());
        assert!(key(Field::Invalid("maybe".into()), Field::NotApplicable).is_present());
        assert!(key(Field::Value(false), Field::NoInformation).is_present());
        assert!(!key(Field::Value(false), Field::NotApplicable).is_present());
        assert!(!key(Field::NotApplicable, Field::NotApplicable).is_present());
        assert!(!key(Field::Empty, Field::NotApplicable).is_present());
        assert!(!key(Field::NoInformation, Field::NotApplicable).is_present());
        let mut bad_use = key(Field::Value(false), Field::NotApplicable);
        bad_use.last_used_date = Field::Invalid("2026-13-01T00:00:00Z".into());
        assert!(bad_use.is_present());
    }

    #[test]
    fn password_next_rotation_is_not_a_report_timestamp() {
        let text = "user,arn,password_last_changed,password_next_rotation,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n\
                    bob,arn:aws:iam::1:user/bob,2026-11-01T00:00:00Z,2027-01-30T00:00:00Z,false,N/A,false,N/A\n";
        let report = parse(text.as_bytes(), &ParseOptions::default()).unwrap();
        let stamps: Vec<Timestamp> = report.rows[0].timestamps().collect();
        assert_eq!(stamps, vec![parse_timestamp("2026-11-01T00:00:00Z").unwrap()]);
    }
}
