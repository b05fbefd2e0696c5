//! Cell values: the literals AWS writes instead of a value, timestamps and
//! booleans.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde::{Serialize, Serializer};

/// An instant in UTC. Serialized as RFC 3339 ending in `Z`.
pub type Timestamp = DateTime<Utc>;

/// One cell of the report, with the literals AWS uses in place of a value kept
/// as distinct variants (never collapsed into one `None`).
///
/// Serialized as the value itself, the literal as AWS spells it (`"N/A"`,
/// `"no_information"`, `"not_supported"`), `""` for an empty cell, `null`
/// for a column the report does not have, and the raw text for a cell that
/// failed to parse in lenient mode.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Field<T> {
    /// A value of the column's type.
    Value(T),
    /// `N/A`: not applicable (no credential, never used, …).
    NotApplicable,
    /// `no_information`: AWS holds no data.
    NoInformation,
    /// `not_supported`: the concept does not apply (the root row's password).
    NotSupported,
    /// An empty cell (never written by AWS).
    Empty,
    /// The report has no such column (the legacy 16-column layout).
    #[default]
    Absent,
    /// Text that is neither a value nor a known literal; only kept in lenient
    /// mode, where it also yields a `row_error` anomaly.
    Invalid(String),
}

impl<T> Field<T> {
    /// The value, if the cell holds one.
    ///
    /// ```
    /// use keyrot::read::Field;
    /// assert_eq!(Field::Value(3).value(), Some(&3));
    /// assert_eq!(Field::<u8>::NotApplicable.value(), None);
    /// ```
    pub fn value(&self) -> Option<&T> {
        match self {
            Field::Value(v) => Some(v),
            _ => None,
        }
    }

    /// Whether the cell is AWS's `N/A`.
    pub fn is_not_applicable(&self) -> bool {
        matches!(self, Field::NotApplicable)
    }

    /// Whether the cell failed to parse (lenient mode only).
    pub fn is_invalid(&self) -> bool {
        matches!(self, Field::Invalid(_))
    }

    /// Recognises the literals shared by every column: `N/A`,
    /// `no_information`, `not_supported` and the empty cell.
    pub(crate) fn literal(text: &str) -> Option<Field<T>> {
        Field::literal_bytes(text.as_bytes())
    }

    /// [`literal`](Field::literal) of bytes.
    pub(crate) fn literal_bytes(text: &[u8]) -> Option<Field<T>> {
        // By length first: most cells are `N/A` or a value of another length.
        match text.len() {
            0 => Some(Field::Empty),
            3 if text.first_chunk::<3>() == Some(b"N/A") => Some(Field::NotApplicable),
            13 if text == b"not_supported" => Some(Field::NotSupported),
            14 if text == b"no_information" => Some(Field::NoInformation),
            _ => None,
        }
    }

    /// The text of a cell that holds no value: AWS's literal as it spells
    /// it (`N/A`, `no_information`, `not_supported`), `""` for an empty cell,
    /// or the raw text of an unreadable one; `None` for a value or a column
    /// the report does not have.
    ///
    /// ```
    /// use keyrot::read::Field;
    /// assert_eq!(Field::<bool>::NotApplicable.literal_text(), Some("N/A"));
    /// assert_eq!(Field::<bool>::Invalid("maybe".into()).literal_text(), Some("maybe"));
    /// assert_eq!(Field::Value(true).literal_text(), None);
    /// ```
    pub fn literal_text(&self) -> Option<&str> {
        match self {
            Field::NotApplicable => Some("N/A"),
            Field::NoInformation => Some("no_information"),
            Field::NotSupported => Some("not_supported"),
            Field::Empty => Some(""),
            Field::Invalid(raw) => Some(raw),
            Field::Value(_) | Field::Absent => None,
        }
    }
}

impl Serialize for Field<Timestamp> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Field::Value(ts) => s.serialize_str(&format_timestamp(ts)),
            Field::Absent => s.serialize_none(),
            other => s.serialize_str(other.literal_text().unwrap_or_default()),
        }
    }
}

impl Serialize for Field<bool> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Field::Value(b) => s.serialize_bool(*b),
            Field::Absent => s.serialize_none(),
            other => s.serialize_str(other.literal_text().unwrap_or_default()),
        }
    }
}

impl Serialize for Field<String> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Field::Value(v) => s.serialize_str(v),
            Field::Absent => s.serialize_none(),
            other => s.serialize_str(other.literal_text().unwrap_or_default()),
        }
    }
}

/// Formats a timestamp as RFC 3339 in UTC ending in `Z`, with fractional
/// seconds only when they are not zero.
///
/// ```
/// let ts = keyrot::parse_timestamp("2016-05-16T18:13:11+00:00").unwrap();
/// assert_eq!(keyrot::format_timestamp(&ts), "2016-05-16T18:13:11Z");
/// ```
pub fn format_timestamp(ts: &Timestamp) -> String {
    with_timestamp_text(ts, str::to_owned)
}

/// Calls `write` with [`format_timestamp`]'s text of `ts`, without
/// allocating in the common case: every writer of timestamps goes through it.
pub(crate) fn with_timestamp_text<R>(ts: &Timestamp, write: impl FnOnce(&str) -> R) -> R {
    let mut buf = [0u8; 20];
    match write_timestamp(ts, &mut buf) {
        Some(text) => write(text),
        None => write(&ts.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)),
    }
}

/// Whether `t` has an RFC 3339 form: a four-digit year, before
/// 10000-01-01T00:00:00Z (an instant computed from a late date, a due date
/// say, can be later; it is then left out rather than written `+10000-...`).
pub(crate) fn has_rfc3339_form(t: &Timestamp) -> bool {
    (-62_167_219_200..253_402_300_800).contains(&t.timestamp())
}

/// `n` in decimal, written into `buf` without the formatting machinery.
pub(crate) fn decimal(n: i64, buf: &mut [u8; 20]) -> &str {
    let mut at = buf.len();
    let mut v = n.unsigned_abs();
    loop {
        at -= 1;
        buf[at] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    if n < 0 {
        at -= 1;
        buf[at] = b'-';
    }
    std::str::from_utf8(&buf[at..]).unwrap_or_default()
}

/// Writes the common case of [`format_timestamp`] (whole seconds, years 0 to
/// 9999) into `out` without allocating; `None` for any other instant.
pub(crate) fn write_timestamp<'b>(ts: &Timestamp, out: &'b mut [u8; 20]) -> Option<&'b str> {
    use chrono::{Datelike, Timelike};
    let year = ts.year();
    if ts.nanosecond() != 0 || !(0..=9999).contains(&year) {
        return None;
    }
    let mut put = |at: usize, value: u32, width: usize| {
        let mut v = value;
        for i in (at..at + width).rev() {
            out[i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    put(0, year as u32, 4);
    put(5, ts.month(), 2);
    put(8, ts.day(), 2);
    put(11, ts.hour(), 2);
    put(14, ts.minute(), 2);
    put(17, ts.second(), 2);
    for (at, sep) in [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':'), (19, b'Z')] {
        out[at] = sep;
    }
    std::str::from_utf8(out).ok()
}

/// Serializes an optional timestamp as RFC 3339 ending in `Z`, or `null`.
pub(crate) fn ser_opt_ts<S: Serializer>(ts: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
    match ts {
        Some(ts) => s.serialize_str(&format_timestamp(ts)),
        None => s.serialize_none(),
    }
}

/// Serializes a timestamp as RFC 3339 ending in `Z`.
pub(crate) fn ser_ts<S: Serializer>(ts: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_timestamp(ts))
}

/// Deserializes a timestamp from its RFC 3339 text (as [`parse_timestamp`]
/// reads it).
pub(crate) fn de_timestamp<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
    let text = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
    parse_timestamp(&text).ok_or_else(|| serde::de::Error::custom(format!("`{text}` is not an RFC 3339 timestamp")))
}

/// Parses a timestamp of the profile keyrot accepts and normalises it to UTC:
/// `YYYY-MM-DDTHH:MM:SS`, optional `.` and 1 to 9 digits, then `Z`, `z`,
/// `±HH:MM` or `±HHMM`. Both forms AWS has used (`+00:00` until 2024, `Z`
/// since) take a fast path.
///
/// Returns `None` for anything else: a date alone, a space instead of `T`, an
/// impossible date such as February 30.
///
/// ```
/// use keyrot::parse_timestamp;
/// let a = parse_timestamp("2023-05-18T16:29:55Z").unwrap();
/// let b = parse_timestamp("2023-05-18T16:29:55+00:00").unwrap();
/// let c = parse_timestamp("2023-05-18T18:29:55.000+02:00").unwrap();
/// assert_eq!(a, b);
/// assert_eq!(a, c);
/// assert!(parse_timestamp("2023-05-18").is_none());
/// assert!(parse_timestamp("2019-02-30T00:00:00Z").is_none());
/// ```
pub fn parse_timestamp(text: &str) -> Option<Timestamp> {
    parse_timestamp_bytes(text.as_bytes())
}

/// [`parse_timestamp`] of bytes. The two forms AWS writes,
/// `YYYY-MM-DDTHH:MM:SSZ` and `YYYY-MM-DDTHH:MM:SS+00:00`, are read
/// directly into seconds since the epoch; anything else goes the general way.
pub(crate) fn parse_timestamp_bytes(b: &[u8]) -> Option<Timestamp> {
    if b.len() < 20 {
        return None;
    }
    if is_aws_form(b) {
        let secs = parse_aws_form(b)?;
        return chrono::DateTime::from_timestamp(secs, 0);
    }
    parse_general(b)
}

/// [`parse_timestamp`] of bytes as seconds since the epoch and nanoseconds,
/// for comparing without building a date.
pub(crate) fn parse_epoch(b: &[u8]) -> Option<(i64, u32)> {
    if b.len() < 20 {
        return None;
    }
    if is_aws_form(b) {
        return parse_aws_form(b).map(|secs| (secs, 0));
    }
    parse_general(b).map(|t| (t.timestamp(), t.timestamp_subsec_nanos()))
}

fn is_aws_form(b: &[u8]) -> bool {
    (b.len() == 20 && b[19] == b'Z') || (b.len() == 25 && &b[19..] == b"+00:00")
}

/// `YYYY-MM-DDTHH:MM:SS` at the start of `b` (at least 19 bytes), in UTC,
/// as seconds since the epoch. Eight bytes are checked and turned into
/// digits at a time.
fn parse_aws_form(b: &[u8]) -> Option<i64> {
    const ZEROS: u64 = 0x3030_3030_3030_3030;
    let word = |at: usize| b.get(at..at + 8).and_then(|w| w.first_chunk::<8>()).map(|w| u64::from_le_bytes(*w));
    // "YYYY-MM-" and "DDTHH:MM": the separators, then the digits with each
    // separator replaced by a zero.
    let (w0, w1) = (word(0)?, word(8)?);
    const SEP0: u64 = 0xff00_00ff_0000_0000;
    const SEP1: u64 = 0x0000_ff00_00ff_0000;
    if w0 & SEP0 != u64::from_le_bytes(*b"\0\0\0\0-\0\0-") || w1 & SEP1 != u64::from_le_bytes(*b"\0\0T\0\0:\0\0") {
        return None;
    }
    let d0 = ((w0 & !SEP0) | (ZEROS & SEP0)).wrapping_sub(ZEROS);
    let d1 = ((w1 & !SEP1) | (ZEROS & SEP1)).wrapping_sub(ZEROS);
    // Every byte a digit: 0 to 9, so adding 0x76 leaves the high bit clear.
    let not_digits = |d: u64| (d | d.wrapping_add(0x7676_7676_7676_7676)) & 0x8080_8080_8080_8080 != 0;
    if not_digits(d0) || not_digits(d1) || b[16] != b':' {
        return None;
    }
    let (s1, s2) = (b[17].wrapping_sub(b'0'), b[18].wrapping_sub(b'0'));
    if s1 > 9 || s2 > 9 {
        return None;
    }
    let byte = |d: u64, i: u32| ((d >> (8 * i)) & 0xff) as i64;
    let year = byte(d0, 0) * 1000 + byte(d0, 1) * 100 + byte(d0, 2) * 10 + byte(d0, 3);
    let month = byte(d0, 5) * 10 + byte(d0, 6);
    let day = byte(d1, 0) * 10 + byte(d1, 1);
    let hour = byte(d1, 3) * 10 + byte(d1, 4);
    let minute = byte(d1, 6) * 10 + byte(d1, 7);
    let second = i64::from(s1) * 10 + i64::from(s2);
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let month_days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if day < 1 || day > month_days || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hour * 3600 + minute * 60 + second)
}

fn parse_general(b: &[u8]) -> Option<Timestamp> {
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let year = digits(&b[0..4])? as i32;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    let hour = digits(&b[11..13])?;
    let minute = digits(&b[14..16])?;
    let second = digits(&b[17..19])?;
    let mut rest = &b[19..];
    let mut nanos = 0u32;
    if rest.first() == Some(&b'.') {
        let frac_len = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if frac_len == 0 || frac_len > 9 {
            return None;
        }
        nanos = digits(&rest[1..=frac_len])? * 10u32.pow(9 - frac_len as u32);
        rest = &rest[1 + frac_len..];
    }
    let offset_secs: i64 = match rest {
        b"Z" | b"z" => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] | [sign @ (b'+' | b'-'), h1, h2, m1, m2] => {
            let h = digits(&[*h1, *h2])? as i64;
            let m = digits(&[*m1, *m2])? as i64;
            if h > 23 || m > 59 {
                return None;
            }
            let total = h * 3600 + m * 60;
            if *sign == b'-' {
                -total
            } else {
                total
            }
        }
        _ => return None,
    };
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    let naive = date.and_hms_nano_opt(hour, minute, second, nanos)?;
    let utc = Utc.from_utc_datetime(&naive);
    utc.checked_sub_signed(chrono::TimeDelta::seconds(offset_secs))
}

fn digits(b: &[u8]) -> Option<u32> {
    let mut n = 0u32;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u32::from(c - b'0');
    }
    Some(n)
}

/// Parses a boolean cell case-insensitively: `true`, `TRUE`, `True`, … and
/// the same for `false`.
pub(crate) fn parse_bool(text: &str) -> Option<bool> {
    match text.as_bytes() {
        b"true" => return Some(true),
        b"false" => return Some(false),
        _ => {}
    }
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_timestamp_examples() {
        let ts = crate::parse_timestamp("2016-05-16T18:13:11+00:00").unwrap();
        let mut buf = [0u8; 20];
        assert_eq!(super::write_timestamp(&ts, &mut buf), Some("2016-05-16T18:13:11Z"));
    }

    #[test]
    fn parse_bool_examples() {
        assert_eq!(super::parse_bool("TRUE"), Some(true));
        assert_eq!(super::parse_bool("false"), Some(false));
        assert_eq!(super::parse_bool("yes"), None);
    }

    fn ts(s: &str) -> Timestamp {
        parse_timestamp(s).unwrap_or_else(|| panic!("{s} should parse"))
    }

    #[test]
    fn both_aws_forms_and_the_profile() {
        let z = ts("2016-05-16T18:13:11Z");
        assert_eq!(ts("2016-05-16T18:13:11+00:00"), z);
        assert_eq!(ts("2016-05-16T18:13:11z"), z);
        assert_eq!(ts("2016-05-16T18:13:11-0000"), z);
        assert_eq!(ts("2016-05-16T20:13:11+02:00"), z);
        assert_eq!(ts("2016-05-16T13:13:11-05:00"), z);
        assert_eq!(ts("2016-05-16T18:13:11.5Z").timestamp_subsec_millis(), 500);
        assert_eq!(ts("2016-05-16T18:13:11.123456789Z").timestamp_subsec_nanos(), 123_456_789);
        assert_eq!(format_timestamp(&ts("2016-05-16T18:13:11.250Z")), "2016-05-16T18:13:11.250Z");
    }

    #[test]
    fn fast_format_matches_chrono() {
        for text in [
            "0001-01-01T00:00:00Z",
            "1970-01-01T00:00:00Z",
            "2016-02-29T23:59:59Z",
            "2026-11-26T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "2016-05-16T18:13:11.5Z",
        ] {
            let t = ts(text);
            assert_eq!(format_timestamp(&t), t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true), "{text}");
        }
        let far = Utc.with_ymd_and_hms(12_000, 1, 1, 0, 0, 0).single().unwrap();
        assert_eq!(format_timestamp(&far), far.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true));
    }

    #[test]
    fn rejects_outside_the_profile() {
        for bad in [
            "2016-05-16",
            "2016-05-16 18:13:11Z",
            "2016-05-16T18:13:11",
            "2016-05-16T18:13:11.Z",
            "2016-05-16T18:13:11.1234567890Z",
            "2019-02-30T00:00:00Z",
            "2016-13-01T00:00:00Z",
            "2016-05-16T24:00:00Z",
            "2016-05-16T18:13:60Z",
            "2016-05-16T18:13:11+24:00",
            "2016-05-16T18:13:11+00:00 ",
            "2016-05-16T18:13:11Zjunk",
            "２016-05-16T18:13:11Z",
            "",
        ] {
            assert!(parse_timestamp(bad).is_none(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn field_serializes_literals_distinctly() {
        let v = serde_json::to_value([
            Field::<Timestamp>::NotApplicable,
            Field::NoInformation,
            Field::NotSupported,
            Field::Empty,
            Field::Absent,
            Field::Value(ts("2016-05-16T18:13:11Z")),
        ])
        .unwrap();
        assert_eq!(v, serde_json::json!(["N/A", "no_information", "not_supported", "", null, "2016-05-16T18:13:11Z"]));
    }
}
