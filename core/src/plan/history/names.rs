//! A report's time read from its file's name (`--time-from-name`): a pure
//! function of the pattern and the name, so that the command line and the
//! bindings read names alike.

use crate::error::{Error, ErrorCode};
use crate::input::value::Timestamp;
use chrono::format::{Item, StrftimeItems};
use chrono::{DateTime, NaiveDate, NaiveDateTime};

/// A pattern of `strftime` fields (`%Y-%m-%d`, `%Y%m%dT%H%M%SZ`) found in
/// a file's name: a date alone is its midnight UTC, a date and time without
/// an offset is UTC.
///
/// ```
/// use keyrot::plan::history::TimePattern;
/// let pattern = TimePattern::new("%Y-%m-%d").unwrap();
/// let time = pattern.find("111122223333-2026-11-26.json").unwrap();
/// assert_eq!(keyrot::format_timestamp(&time), "2026-11-26T00:00:00Z");
/// assert_eq!(pattern.find("latest.json"), None);
/// assert!(TimePattern::new("%Q").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimePattern {
    pattern: String,
    /// Whether the pattern starts with a numeric field: a match then
    /// starts at a digit that no digit precedes.
    numeric_start: bool,
}

impl TimePattern {
    /// Reads a pattern; `invalid_policy` when it holds an unknown field or
    /// no year.
    pub fn new(pattern: &str) -> Result<TimePattern, Error> {
        let bad = |why: &str| {
            Error::new(ErrorCode::InvalidPolicy, format!("the time pattern `{pattern}` {why}"))
                .at_column("time_from_name")
                .with_value(pattern)
        };
        let items: Vec<Item<'_>> = StrftimeItems::new(pattern).collect();
        if items.iter().any(|i| matches!(i, Item::Error)) {
            return Err(bad("holds an unknown `%` field (use strftime's, as in `%Y-%m-%d`)"));
        }
        if !["%Y", "%F", "%G", "%y", "%s"].iter().any(|f| pattern.contains(f)) {
            return Err(bad("has no year (`%Y`)"));
        }
        let numeric_start = pattern.starts_with('%')
            && pattern[1..].starts_with(['Y', 'm', 'd', 'H', 'M', 'S', 'y', 'F', 'G', 'j', 's', 'T', 'R']);
        Ok(TimePattern { pattern: pattern.to_owned(), numeric_start })
    }

    /// The pattern as given.
    pub fn as_str(&self) -> &str {
        &self.pattern
    }

    /// The first time the pattern reads in `name` (a file's name, without
    /// its folder), from the left.
    pub fn find(&self, name: &str) -> Option<Timestamp> {
        let mut previous: Option<char> = None;
        for (at, c) in name.char_indices() {
            let starts = !self.numeric_start || (c.is_ascii_digit() && !previous.is_some_and(|p| p.is_ascii_digit()));
            previous = Some(c);
            if !starts {
                continue;
            }
            let text = &name[at..];
            if let Ok((t, _)) = DateTime::parse_and_remainder(text, &self.pattern) {
                return Some(t.to_utc());
            }
            if let Ok((t, _)) = NaiveDateTime::parse_and_remainder(text, &self.pattern) {
                return Some(t.and_utc());
            }
            if let Ok((d, _)) = NaiveDate::parse_and_remainder(text, &self.pattern) {
                return d.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::TimePattern;
    use crate::input::value::format_timestamp;

    fn found(pattern: &str, name: &str) -> Option<String> {
        TimePattern::new(pattern).expect("a pattern").find(name).map(|t| format_timestamp(&t))
    }

    #[test]
    fn finds_dates_and_times_in_names() {
        assert_eq!(found("%Y-%m-%d", "2026-11-26.csv").as_deref(), Some("2026-11-26T00:00:00Z"));
        assert_eq!(found("%Y-%m-%d", "111122223333-2026-11-26.csv").as_deref(), Some("2026-11-26T00:00:00Z"));
        assert_eq!(found("%Y%m%d", "report-20261126.csv").as_deref(), Some("2026-11-26T00:00:00Z"));
        assert_eq!(found("%Y%m%dT%H%M%SZ", "r-20261126T101500Z.json").as_deref(), Some("2026-11-26T10:15:00Z"));
        assert_eq!(found("week-%Y-%m-%d", "acct-week-2026-01-05.csv").as_deref(), Some("2026-01-05T00:00:00Z"));
        assert_eq!(found("%Y-%m-%d", "2026-13-01.csv"), None);
    }
}
