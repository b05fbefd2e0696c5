//! The age chart: every key's age (the rotation rule's findings) counted in
//! buckets that follow the ages present. Up to the limit the buckets are a
//! week wide (wider when the limit is long: about thirteen of them), so the
//! keys due soon stand apart; past it they widen to six months, a year, two,
//! five and ten years, and a last one for every older key, and the buckets
//! past the oldest key are left out. The page draws it, the HTML report and
//! the notebook show it as SVG ([`Histogram::svg`]), and Python's `plot()`
//! draws the same buckets.

use crate::judge::rule::Status;
use serde::Serialize;
use std::fmt::Write as _;

/// Key ages counted in buckets for a chart: keys with a usable age (not
/// `invalid`, not in the future), per status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Histogram {
    /// The buckets, from age 0, as wide as the module says.
    pub bins: Vec<Bin>,
    /// Keys counted in the buckets.
    pub shown: u64,
    /// Keys with no usable age (`invalid`, or dated after `as_of`).
    pub unusable: u64,
    /// The most keys in one bucket.
    pub tallest: u64,
    /// The oldest age counted, in days.
    pub oldest: i64,
    /// The policy's limit.
    pub max_age_days: u32,
}

/// One bucket of a [`Histogram`]: ages from `start` (included) to `end`
/// (excluded; none for the last, open-ended bucket).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Bin {
    /// The first age, in days.
    pub start: i64,
    /// The age after the last; `None` for the bucket of every older key.
    pub end: Option<i64>,
    /// The bucket as a person reads it: `0-7 d`, `90-180 d`, `1-2 y`, `10 y+`.
    pub label: String,
    /// Keys per status (`invalid` keys are never counted).
    pub counts: BinCounts,
}

/// The keys of one bucket per status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BinCounts {
    /// `fail`.
    pub fail: u64,
    /// `due_soon`.
    pub due_soon: u64,
    /// `pass`.
    pub pass: u64,
    /// `inactive`.
    pub inactive: u64,
}

impl BinCounts {
    /// Every key of the bucket.
    pub fn total(&self) -> u64 {
        self.fail + self.due_soon + self.pass + self.inactive
    }
}

/// The ages past the limit where a bucket ends: six months, one, two, five
/// and ten years.
const LONG: [(i64, &str); 5] = [(180, "6 m"), (365, "1 y"), (730, "2 y"), (1825, "5 y"), (3650, "10 y")];

/// A bucket's label: days below six months, months and years past it.
fn label(start: i64, end: Option<i64>) -> String {
    let long = |d: i64| LONG.iter().find(|(days, _)| *days == d).map(|(_, l)| *l);
    match (long(start), end.map(|e| (e, long(e)))) {
        (None, Some((end, _))) => format!("{start}-{end} d"),
        (None, None) => format!("{start} d+"),
        (Some(from), None) => format!("{from}+"),
        (Some(from), Some((_, Some(to)))) => match (from.split_once(' '), to.split_once(' ')) {
            (Some((a, unit)), Some((b, unit_to))) if unit == unit_to => format!("{a}-{b} {unit}"),
            _ => format!("{from}-{to}"),
        },
        (Some(from), Some((end, None))) => format!("{from}-{end} d"),
    }
}

/// The edges of the buckets for a limit of `limit` days and keys up to
/// `oldest` days old: each bucket runs from one edge to the next; past the
/// last edge, an open bucket holds the older keys when there are any.
fn edges(limit: i64, oldest: i64) -> Vec<i64> {
    let limit = limit.max(1);
    let width = ((limit + 12) / 13).max(7);
    let mut edges: Vec<i64> = (0..limit).step_by(width as usize).collect();
    edges.push(limit);
    edges.extend(LONG.iter().map(|(end, _)| *end).filter(|end| *end > limit));
    // Leave out the buckets past the oldest key (the limit's stays).
    while edges.len() > 2 && edges[edges.len() - 2] > oldest.max(limit) {
        edges.pop();
    }
    edges
}

impl Histogram {
    /// Counts keys of `(age_days, status)`, the rotation rule's findings, for
    /// the limit `max_age_days`.
    ///
    /// ```
    /// use keyrot::view::Histogram;
    /// use keyrot::Status;
    /// let chart = Histogram::of(90, [(Some(3), Status::Pass), (Some(95), Status::Fail), (Some(4000), Status::Fail), (None, Status::Invalid)]);
    /// let labels: Vec<&str> = chart.bins.iter().map(|b| b.label.as_str()).collect();
    /// assert_eq!(labels.first(), Some(&"0-7 d"));
    /// assert_eq!(labels.last(), Some(&"10 y+"));
    /// assert_eq!((chart.shown, chart.unusable, chart.tallest), (3, 1, 1));
    /// assert_eq!(chart.bins.iter().map(|b| b.counts.fail).sum::<u64>(), 2);
    /// ```
    pub fn of(max_age_days: u32, keys: impl IntoIterator<Item = (Option<i64>, Status)>) -> Histogram {
        let mut unusable = 0;
        let mut keys_seen: Vec<(i64, Status)> = Vec::new();
        for (age, status) in keys {
            match age.filter(|&a| a >= 0 && status != Status::Invalid) {
                Some(age) => keys_seen.push((age, status)),
                None => unusable += 1,
            }
        }
        let oldest = keys_seen.iter().map(|(a, _)| *a).max().unwrap_or(0);
        let limit = i64::from(max_age_days);
        let edges = edges(limit, oldest);
        let mut bins: Vec<Bin> = edges
            .windows(2)
            .map(|w| Bin { start: w[0], end: Some(w[1]), label: label(w[0], Some(w[1])), counts: BinCounts::default() })
            .collect();
        let last = edges[edges.len() - 1];
        if oldest >= last {
            bins.push(Bin { start: last, end: None, label: label(last, None), counts: BinCounts::default() });
        }
        for (age, status) in &keys_seen {
            let i = bins.iter().rposition(|b| b.start <= *age).unwrap_or(0);
            let counts = &mut bins[i].counts;
            match status {
                Status::Fail => counts.fail += 1,
                Status::DueSoon => counts.due_soon += 1,
                Status::Pass => counts.pass += 1,
                Status::Inactive | Status::Invalid => counts.inactive += 1,
            }
        }
        let tallest = bins.iter().map(|b| b.counts.total()).max().unwrap_or(0);
        Histogram { bins, shown: keys_seen.len() as u64, unusable, tallest, oldest, max_age_days }
    }

    /// The chart as a self-contained SVG (no script, no external resource):
    /// a stacked bar per bucket (fail, due soon, pass, inactive), each with
    /// its count as a `<title>`, the limit marked, `width` pixels wide.
    pub fn svg(&self, width: u32) -> String {
        const COLORS: [(&str, &str); 4] =
            [("fail", "#c62828"), ("due soon", "#ef8f00"), ("pass", "#2e7d32"), ("inactive", "#9e9e9e")];
        let (w, h, top, bottom, left) = (f64::from(width.max(200)), 180.0, 12.0, 40.0, 36.0);
        let n = self.bins.len().max(1) as f64;
        let slot = (w - left - 8.0) / n;
        let scale = if self.tallest == 0 { 0.0 } else { (h - top - bottom) / self.tallest as f64 };
        let mut s = String::new();
        let _ = write!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0}" height="{h:.0}" viewBox="0 0 {w:.0} {h:.0}" role="img" aria-label="key ages: {} keys in {} buckets; limit {} days">"#,
            self.shown,
            self.bins.len(),
            self.max_age_days
        );
        let _ = write!(
            s,
            r##"<line x1="{left}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#888"/><text x="4" y="{:.1}" font-size="10" fill="#444">{}</text>"##,
            h - bottom,
            w - 4.0,
            h - bottom,
            top + 8.0,
            self.tallest
        );
        for (i, bin) in self.bins.iter().enumerate() {
            let x = left + i as f64 * slot + 1.0;
            let mut y = h - bottom;
            let c = &bin.counts;
            for ((name, color), count) in COLORS.iter().zip([c.fail, c.due_soon, c.pass, c.inactive]) {
                if count == 0 {
                    continue;
                }
                let bar = count as f64 * scale;
                y -= bar;
                let _ = write!(
                    s,
                    r#"<rect x="{x:.1}" y="{y:.1}" width="{:.1}" height="{bar:.1}" fill="{color}"><title>{}: {count} {name}</title></rect>"#,
                    (slot - 2.0).max(1.0),
                    escape(&bin.label)
                );
            }
            let _ = write!(
                s,
                r##"<text x="{:.1}" y="{:.1}" font-size="9" fill="#444" text-anchor="end" transform="rotate(-40 {:.1} {:.1})">{}</text>"##,
                x + slot / 2.0,
                h - bottom + 12.0,
                x + slot / 2.0,
                h - bottom + 12.0,
                escape(&bin.label)
            );
            if bin.start == i64::from(self.max_age_days) {
                let _ = write!(
                    s,
                    r##"<line x1="{:.1}" y1="{top}" x2="{:.1}" y2="{:.1}" stroke="#c62828" stroke-dasharray="4 3"/><text x="{:.1}" y="{:.1}" font-size="10" fill="#c62828">limit {} d</text>"##,
                    x - 1.0,
                    x - 1.0,
                    h - bottom,
                    x + 2.0,
                    top + 8.0,
                    self.max_age_days
                );
            }
        }
        s.push_str("</svg>");
        s
    }
}

/// Text for HTML and SVG: `&<>"'` escaped, control characters spelled.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in crate::present::plans::printable(text).chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(limit: u32, oldest: i64) -> Vec<String> {
        Histogram::of(limit, [(Some(oldest), Status::Fail)]).bins.into_iter().map(|b| b.label).collect()
    }

    #[test]
    fn buckets_follow_the_ages_present() {
        let week = ["0-7 d", "7-14 d", "14-21 d", "21-28 d", "28-35 d", "35-42 d", "42-49 d", "49-56 d", "56-63 d"];
        let mut want: Vec<String> = week.iter().map(|s| (*s).to_owned()).collect();
        want.extend(["63-70 d", "70-77 d", "77-84 d", "84-90 d"].map(str::to_owned));
        let mut young = want.clone();
        young.push("90-180 d".to_owned());
        assert_eq!(labels(90, 100), young);
        assert_eq!(labels(90, 10), young, "keys all young: the bucket past the limit ends the axis");
        let mut old = want.clone();
        old.extend(["90-180 d", "6 m-1 y", "1-2 y", "2-5 y", "5-10 y", "10 y+"].map(str::to_owned));
        assert_eq!(labels(90, 5_000), old);
        // A long limit: about thirteen buckets up to it, then the long ones.
        let long = labels(3650, 4_000);
        assert_eq!(long.len(), 14, "{long:?}");
        assert_eq!(long[0], "0-281 d");
        assert_eq!(long.last().map(String::as_str), Some("10 y+"));
    }

    #[test]
    fn every_usable_key_is_in_one_bucket() {
        let keys = (0..5_000).step_by(37).map(|a| (Some(a), if a > 90 { Status::Fail } else { Status::Pass }));
        let chart = Histogram::of(90, keys.chain([(Some(-1), Status::Invalid), (None, Status::Invalid)]));
        assert_eq!(chart.bins.iter().map(|b| b.counts.total()).sum::<u64>(), chart.shown);
        assert_eq!(chart.unusable, 2);
        for bin in &chart.bins {
            assert!(bin.end.is_none_or(|e| e > bin.start));
        }
    }

    #[test]
    fn the_svg_holds_no_script_and_escapes_labels() {
        let svg = Histogram::of(90, [(Some(100), Status::Fail)]).svg(600);
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"));
        assert!(!svg.contains("<script") && !svg.contains("href"));
        assert_eq!(escape("<b a='x'>&"), "&lt;b a=&#39;x&#39;&gt;&amp;");
    }
}
