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
    RFC3339_SECONDS.contains(&t.timestamp())
}

/// The seconds since the epoch of the instants with an RFC 3339 form: years
/// 0000 to 9999.
pub(crate) const RFC3339_SECONDS: std::ops::Range<i64> = -62_167_219_200..253_402_300_800;

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
/// directly into a date and a time of day; anything else goes the general
/// way.
pub(crate) fn parse_timestamp_bytes(b: &[u8]) -> Option<Timestamp> {
    if b.len() < 20 {
        return None;
    }
    if is_aws_form(b) {
        return parse_aws_form(b)?.timestamp();
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
        return parse_aws_form(b).map(|parts| (parts.epoch(), 0));
    }
    parse_general(b).map(|t| (t.timestamp(), t.timestamp_subsec_nanos()))
}

fn is_aws_form(b: &[u8]) -> bool {
    (b.len() == 20 && b[19] == b'Z') || (b.len() == 25 && &b[19..] == b"+00:00")
}

/// A date and time of the AWS form, as read: what a [`Timestamp`] and
/// seconds since the epoch are both made from without dividing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct AwsParts {
    year: i32,
    /// The day of the year, from 1.
    ordinal: u32,
    /// Seconds since midnight.
    seconds: u32,
}

impl AwsParts {
    fn timestamp(self) -> Option<Timestamp> {
        let date = NaiveDate::from_yo_opt(self.year, self.ordinal)?;
        let time = chrono::NaiveTime::from_num_seconds_from_midnight_opt(self.seconds, 0)?;
        Some(date.and_time(time).and_utc())
    }

    fn epoch(self) -> i64 {
        // Days from 0001-01-01 to the start of the year, then to the date;
        // 719,162 days from 0001-01-01 to 1970-01-01. The year is 0 to
        // 9999 (four digits), so `y` is at least -1 and the divisions by
        // constants are exact for every such year (year 0 is a leap year).
        let y = i64::from(self.year) - 1;
        let before = 365 * y + y.div_euclid(4) - y.div_euclid(100) + y.div_euclid(400);
        let days = before + i64::from(self.ordinal) - 1 - 719_162;
        days * 86_400 + i64::from(self.seconds)
    }
}

/// The days before each month in a year that is not a leap year.
const DAYS_BEFORE: [u16; 13] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];

/// `YYYY-MM-DDTHH:MM:SS` at the start of `b` (at least 19 bytes), in UTC.
/// The first sixteen bytes are checked in one 128-bit word (the four
/// separators by one mask and compare, the twelve digits by one add) and
/// turned into two-digit numbers by one multiply; the seconds are two
/// bytes more.
fn parse_aws_form(b: &[u8]) -> Option<AwsParts> {
    const ZEROS: u128 = u128::from_le_bytes([b'0'; 16]);
    // The separators of "YYYY-MM-DDTHH:MM": bytes 4, 7, 10 and 13.
    const SEP: u128 = 0xff << 32 | 0xff << 56 | 0xff << 80 | 0xff << 104;
    const SEPS: u128 = u128::from_le_bytes(*b"\0\0\0\0-\0\0-\0\0T\0\0:\0\0");
    let (head, rest) = b.split_first_chunk::<16>()?;
    let &[colon, s1, s2, ..] = rest else { return None };
    let word = u128::from_le_bytes(*head);
    if word & SEP != SEPS || colon != b':' {
        return None;
    }
    // Each separator made a zero, then every byte its digit's value.
    let d = ((word & !SEP) | (ZEROS & SEP)).wrapping_sub(ZEROS);
    // A digit is 0 to 9: adding 0x76 leaves the high bit clear. (A borrow
    // or carry between bytes starts at a byte that is not a digit, which is
    // caught itself.)
    const HIGH: u128 = u128::from_le_bytes([0x80; 16]);
    const ADD: u128 = u128::from_le_bytes([0x76; 16]);
    let (s1, s2) = (s1.wrapping_sub(b'0'), s2.wrapping_sub(b'0'));
    if (d | d.wrapping_add(ADD)) & HIGH != 0 || s1 > 9 || s2 > 9 {
        return None;
    }
    // Byte i becomes 10 * digit i + digit i + 1: at most 99, no carry.
    let pairs = d.wrapping_mul(10).wrapping_add(d >> 8);
    let at = |i: u32| (pairs >> (8 * i)) as u8 as u32;
    let year = at(0) * 100 + at(2);
    let (month, day, hour, minute) = (at(5) as usize, at(8), at(11), at(14));
    let second = u32::from(s1) * 10 + u32::from(s2);
    if !(1..=12).contains(&month) || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let extra = u32::from(leap && month > 2);
    let length = u32::from(DAYS_BEFORE[month] - DAYS_BEFORE[month - 1]) + u32::from(leap && month == 2);
    if day < 1 || day > length {
        return None;
    }
    Some(AwsParts {
        year: year as i32,
        ordinal: u32::from(DAYS_BEFORE[month - 1]) + day + extra,
        seconds: hour * 3600 + minute * 60 + second,
    })
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
    use chrono::Datelike;

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

    /// The AWS form's fast path against the general one, which reads the
    /// same text field by field through chrono: every day of four centuries
    /// (leap years of every kind), the ends of the range, every time of day
    /// on the hour and minute edges, and every byte value at every position.
    #[test]
    fn aws_form_agrees_with_the_general_path() {
        let same = |text: &[u8]| {
            let general = parse_general(text);
            assert_eq!(parse_timestamp_bytes(text), general, "{:?}", String::from_utf8_lossy(text));
            assert_eq!(parse_epoch(text), general.map(|t| (t.timestamp(), 0)), "{:?}", String::from_utf8_lossy(text));
        };
        let mut day = NaiveDate::from_ymd_opt(1799, 12, 25).unwrap();
        while day.year() < 2201 {
            same(format!("{}T23:59:59Z", day.format("%Y-%m-%d")).as_bytes());
            day = day.succ_opt().unwrap();
        }
        for text in ["0000-01-01T00:00:00Z", "0000-02-29T12:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"] {
            same(text.as_bytes());
            assert!(parse_timestamp(text).is_some(), "{text}");
        }
        for (h, m, sec) in [(0, 0, 0), (23, 59, 59), (24, 0, 0), (23, 60, 0), (23, 59, 60), (19, 9, 9), (9, 19, 29)] {
            same(format!("2024-02-29T{h:02}:{m:02}:{sec:02}Z").as_bytes());
        }
        for month in 0..=13 {
            for day in [0, 1, 28, 29, 30, 31, 32] {
                for year in [1900, 2000, 2023, 2024] {
                    same(format!("{year:04}-{month:02}-{day:02}T01:02:03+00:00").as_bytes());
                }
            }
        }
        for base in [&b"2016-05-16T18:13:11Z"[..], b"2016-05-16T18:13:11+00:00"] {
            for at in 0..base.len() {
                for byte in 0..=255u8 {
                    let mut text = base.to_vec();
                    text[at] = byte;
                    same(&text);
                }
            }
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
