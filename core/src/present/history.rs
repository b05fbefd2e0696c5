//! A history's key lives as CSV: one row per key, the columns of the JSON
//! contract's `keys` records (the overdue spans and the last use per report
//! left to the JSON), neutralised for spreadsheets as the findings' CSV is.

use crate::judge::rule::LastUsed;
use crate::plan::history::KeyLife;
use crate::present::csv::{int, text, timestamp};

impl KeyLife {
    /// The columns of [`write_csv`](KeyLife::write_csv), in order.
    pub const CSV_COLUMNS: [&'static str; 19] = [
        "account_id",
        "user",
        "slot",
        "created",
        "first_seen",
        "last_seen",
        "due_at",
        "status",
        "active",
        "outcome",
        "ended_after",
        "ended_before",
        "deleted_after",
        "deleted_before",
        "days_overdue",
        "days_overdue_max",
        "overdue_reports_from",
        "overdue_reports_to",
        "last_used",
    ];

    /// Writes the header line of the keys' CSV.
    pub fn write_csv_header(out: &mut Vec<u8>) {
        out.extend_from_slice(KeyLife::CSV_COLUMNS.join(",").as_bytes());
        out.push(b'\n');
    }

    /// Writes the key as one CSV line: `overdue_reports_from` and
    /// `overdue_reports_to` are the first and last report that showed it
    /// overdue (its first and last overdue spans).
    ///
    /// ```
    /// use keyrot::plan::history::{GivenTime, HistoryOptions, KeyLife, TimeSource};
    /// let csv = "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n\
    ///            =cmd,arn:aws:iam::111122223333:user/x,true,2026-01-01T00:00:00Z,false,N/A\n";
    /// let time = Some(GivenTime { time: keyrot::parse_timestamp("2026-06-01T00:00:00Z").unwrap(), source: TimeSource::Given });
    /// let history = keyrot::plan::history::history(&[("r.csv".to_owned(), time)], |_| Ok(csv.as_bytes()), &Default::default(), &HistoryOptions::DEFAULT)?;
    /// let mut out = Vec::new();
    /// history.keys[0].write_csv(&mut out);
    /// assert_eq!(
    ///     String::from_utf8(out).unwrap(),
    ///     "111122223333,'=cmd,1,2026-01-01T00:00:00Z,2026-06-01T00:00:00Z,2026-06-01T00:00:00Z,2026-04-01T00:00:00Z,fail,true,still_open,,,,,61,,2026-06-01T00:00:00Z,2026-06-01T00:00:00Z,\n"
    /// );
    /// # Ok::<(), keyrot::Error>(())
    /// ```
    pub fn write_csv(&self, out: &mut Vec<u8>) {
        text(out, &self.account_id);
        out.push(b',');
        text(out, &self.user);
        out.push(b',');
        int(out, i64::from(self.slot));
        for t in [Some(self.created), Some(self.first_seen), Some(self.last_seen), self.due_at] {
            out.push(b',');
            timestamp(out, t);
        }
        out.push(b',');
        out.extend_from_slice(self.status.as_str().as_bytes());
        out.push(b',');
        out.extend_from_slice(if self.active { b"true" } else { b"false" });
        out.push(b',');
        out.extend_from_slice(self.outcome.as_str().as_bytes());
        for t in [self.ended_after, self.ended_before, self.deleted_after, self.deleted_before] {
            out.push(b',');
            timestamp(out, t);
        }
        for n in [self.days_overdue, self.days_overdue_max] {
            out.push(b',');
            if let Some(n) = n {
                int(out, n);
            }
        }
        out.push(b',');
        timestamp(out, self.overdue.first().map(|s| s.from));
        out.push(b',');
        timestamp(out, self.overdue.last().map(|s| s.to));
        out.push(b',');
        match self.last_used {
            Some(LastUsed::At(t)) => timestamp(out, Some(t)),
            Some(LastUsed::Never) => out.extend_from_slice(b"never"),
            Some(LastUsed::NoInformation) => out.extend_from_slice(b"no_information"),
            None => {}
        }
        out.push(b'\n');
    }
}
