//! `keyrot history`: the rotation workflow followed across a season of
//! reports. The command finds the files (folders, globs), gives each the
//! time `--time` or `--time-from-name` says, and hands the core their
//! names, times and readers; the core reads each once, in time order.

use crate::args::{HistoryArgs, HistoryFormat, EXIT_BAD_INPUT, EXIT_COMPLIANT};
use crate::io::display_name;
use crate::output::printable;
use keyrot::plan::history::{
    GivenTime, HistoryOptions, HistoryRecord, HistoryRun, HistorySummary, KeyLife, LongestStalls, Rotation,
    TimePattern, TimeSource, TrendPoint,
};
use keyrot::{format_timestamp, Options, Timestamp};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Whether `name` matches the glob `pattern` (`*`, `?`, `[abc]`, `[a-z]`,
/// `[!a]`).
fn glob_match(pattern: &[char], name: &[char]) -> bool {
    match pattern.first() {
        None => name.is_empty(),
        Some('*') => (0..=name.len()).any(|skip| glob_match(&pattern[1..], &name[skip..])),
        Some('?') => !name.is_empty() && glob_match(&pattern[1..], &name[1..]),
        Some('[') => {
            let Some(end) = pattern.iter().skip(2).position(|&c| c == ']').map(|p| p + 2) else {
                return name.first() == Some(&'[') && glob_match(&pattern[1..], &name[1..]);
            };
            let Some(&c) = name.first() else { return false };
            let (negate, set) = match pattern[1] {
                '!' | '^' => (true, &pattern[2..end]),
                _ => (false, &pattern[1..end]),
            };
            let mut hit = false;
            let mut i = 0;
            while i < set.len() {
                if i + 2 < set.len() && set[i + 1] == '-' {
                    hit |= (set[i]..=set[i + 2]).contains(&c);
                    i += 3;
                } else {
                    hit |= set[i] == c;
                    i += 1;
                }
            }
            hit != negate && glob_match(&pattern[end + 1..], &name[1..])
        }
        Some(&p) => name.first() == Some(&p) && glob_match(&pattern[1..], &name[1..]),
    }
}

fn has_wildcard(text: &str) -> bool {
    text.contains(['*', '?', '['])
}

/// The files a glob names: each of its components matched in turn (hidden
/// files only when the pattern names them), sorted.
fn glob(pattern: &str) -> Result<Vec<PathBuf>, String> {
    let absolute = pattern.starts_with('/');
    let mut paths = vec![if absolute { PathBuf::from("/") } else { PathBuf::from(".") }];
    let parts: Vec<&str> = pattern.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        let mut next = Vec::new();
        for base in &paths {
            if !has_wildcard(part) {
                let path = base.join(part);
                if path.exists() {
                    next.push(path);
                }
                continue;
            }
            let Ok(entries) = std::fs::read_dir(base) else { continue };
            let chars: Vec<char> = part.chars().collect();
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.starts_with('.') && !part.starts_with('.') {
                    continue;
                }
                let path = entry.path();
                if glob_match(&chars, &name.chars().collect::<Vec<_>>()) && (last || path.is_dir()) {
                    next.push(path);
                }
            }
        }
        paths = next;
    }
    let mut files: Vec<PathBuf> = paths
        .into_iter()
        .filter(|p| p.is_file())
        .map(|p| if absolute { p } else { p.strip_prefix(".").map(Path::to_path_buf).unwrap_or(p) })
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!("{pattern}: no file matches"));
    }
    Ok(files)
}

/// The reports named: files, the files in folders (hidden ones left out),
/// and the files globs match; each once, in the order named.
fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out: Vec<PathBuf> = Vec::new();
    for path in paths {
        let text = path.to_string_lossy();
        if path.as_os_str() == "-" {
            return Err(
                "a history reads files (each is opened twice when it is the CLI's JSON), not standard input".into()
            );
        }
        if path.is_dir() {
            let mut files = Vec::new();
            let entries =
                std::fs::read_dir(path).map_err(|e| format!("{}: cannot read the folder: {e}", path.display()))?;
            for entry in entries {
                let entry = entry.map_err(|e| format!("{}: {e}", path.display()))?;
                let hidden = entry.file_name().to_string_lossy().starts_with('.');
                if !hidden && entry.path().is_file() {
                    files.push(entry.path());
                }
            }
            if files.is_empty() {
                return Err(format!("{}: the folder holds no reports", path.display()));
            }
            files.sort();
            out.extend(files);
        } else if !path.exists() && has_wildcard(&text) {
            out.extend(glob(&text)?);
        } else {
            out.push(path.clone());
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|p| seen.insert(p.clone()));
    Ok(out)
}

/// Each report's name and the time given for it: `--time NAME=TIME`
/// (matched against the path as named, then the file's name) before
/// `--time-from-name`.
fn given_times(args: &HistoryArgs, paths: &[PathBuf]) -> Result<Vec<(String, Option<GivenTime>)>, String> {
    let mut explicit = Vec::new();
    for entry in &args.time {
        let (name, time) = entry.rsplit_once('=').ok_or_else(|| format!("--time `{entry}`: expected FILE=TIME"))?;
        let time = keyrot::options::parse_instant("time", time).map_err(|e| format!("--time `{entry}`: {e}"))?;
        explicit.push((name.to_owned(), time, false));
    }
    let pattern = args.time_from_name.as_deref().map(TimePattern::new).transpose().map_err(|e| e.to_string())?;
    let mut reports = Vec::new();
    for path in paths {
        let shown = display_name(path);
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let given = match explicit.iter_mut().find(|(n, _, _)| *n == shown || Path::new(n) == path || *n == file_name) {
            Some((_, time, used)) => {
                *used = true;
                Some(GivenTime { time: *time, source: TimeSource::Given })
            }
            None => pattern
                .as_ref()
                .and_then(|p| p.find(&file_name))
                .map(|time| GivenTime { time, source: TimeSource::FileName }),
        };
        reports.push((shown, given));
    }
    if let Some((name, _, _)) = explicit.iter().find(|(_, _, used)| !used) {
        return Err(format!("--time names `{name}`, which is not one of the reports"));
    }
    Ok(reports)
}

pub(crate) fn history(args: &HistoryArgs, now: Timestamp, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<i32> {
    let prepared = (|| -> Result<_, String> {
        let mut value = serde_json::to_value(&args.policy).map_err(|e| e.to_string())?;
        if let Some(map) = value.as_object_mut() {
            map.insert("stall_days".into(), args.stall_days.into());
            map.insert("last_used_per_report".into(), (args.format == HistoryFormat::Json).into());
        }
        let (mut options, history) = HistoryOptions::read(value).map_err(|e| e.to_string())?;
        options.clock = Some(now);
        let paths = expand(&args.reports)?;
        let reports = given_times(args, &paths)?;
        Ok((options, history, paths, reports))
    })();
    let (options, history, paths, reports) = match prepared {
        Ok(p) => p,
        Err(e) => {
            writeln!(err, "keyrot: {}", printable(&e))?;
            return Ok(EXIT_BAD_INPUT);
        }
    };
    let run = HistoryRun::new(&options, &history).threads(args.threads.map_or(0, usize::from)).simd(args.policy.simd);
    let open = |i: usize| std::fs::File::open(&paths[i]);
    match args.format {
        HistoryFormat::Json => match run.collect(&reports, open) {
            Ok(history) => {
                serde_json::to_writer_pretty(&mut *out, &history)?;
                writeln!(out)?;
            }
            Err(e) => return fail(err, &e, false),
        },
        HistoryFormat::Csv => {
            let mut buf = Vec::with_capacity(1 << 16);
            KeyLife::write_csv_header(&mut buf);
            let mut written = false;
            let result = run.stream(&reports, open, |record| {
                if let HistoryRecord::Key(key) = record {
                    key.write_csv(&mut buf);
                    if buf.len() >= 1 << 16 {
                        out.write_all(&buf)?;
                        written = true;
                        buf.clear();
                    }
                }
                Ok(())
            });
            if let Err(e) = result {
                return fail(err, &e, written);
            }
            out.write_all(&buf)?;
        }
        HistoryFormat::Table | HistoryFormat::Html => {
            // The longest stalls, a bounded few: the rest are in the JSON.
            let mut stalled = LongestStalls::new(LongestStalls::SHOWN);
            let result = run.stream(&reports, open, |record| {
                if let HistoryRecord::Rotation(r) = record {
                    stalled.push(r);
                }
                Ok(())
            });
            let summary = match result {
                Ok(summary) => summary,
                Err(e) => return fail(err, &e, false),
            };
            let stalled = stalled.into_sorted();
            if args.format == HistoryFormat::Html {
                keyrot::view::write_history_html(&summary, &stalled, out)?;
            } else {
                table(out, &summary, &stalled, &options)?;
            }
        }
    }
    out.flush()?;
    Ok(EXIT_COMPLIANT)
}

fn fail(err: &mut dyn Write, e: &keyrot::Error, written: bool) -> io::Result<i32> {
    let note = if written { " (the CSV written before it is incomplete)" } else { "" };
    writeln!(err, "keyrot: {}{note}", printable(&e.to_string()))?;
    Ok(EXIT_BAD_INPUT)
}

/// `n thing` or `n things`.
fn count(n: u64, thing: &str) -> String {
    if n == 1 {
        format!("1 {thing}")
    } else {
        format!("{n} {thing}s")
    }
}

fn day(t: Timestamp) -> String {
    format_timestamp(&t)[..10].to_owned()
}

/// Eight levels of a bar, for a count against the largest.
fn spark(values: &[u64]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = values.iter().copied().max().unwrap_or(0);
    values.iter().map(|&v| if max == 0 { BARS[0] } else { BARS[((v * 7).div_ceil(max)) as usize] }).collect()
}

fn line(out: &mut dyn Write, label: &str, points: &[TrendPoint]) -> io::Result<()> {
    let (Some(first), Some(last)) = (points.first(), points.last()) else { return Ok(()) };
    let fail: Vec<u64> = points.iter().map(|p| p.counts.fail).collect();
    let remediated: u64 = points.iter().map(|p| p.remediated).sum();
    let newly: u64 = points.iter().map(|p| p.newly_overdue).sum();
    let oldest = last
        .oldest_overdue
        .as_ref()
        .map(|o| format!("; oldest overdue {} ({} days)", printable(&o.user), o.days_overdue))
        .unwrap_or_default();
    writeln!(
        out,
        "{:<14} {} to {}  overdue {} {} -> {}  newly overdue {newly}  remediated {remediated}  rotations {} ({} stalled){oldest}",
        printable(label),
        day(first.time),
        day(last.time),
        spark(&fail),
        first.counts.fail,
        last.counts.fail,
        last.rotations_open,
        last.rotations_stalled,
    )
}

fn table(out: &mut dyn Write, summary: &HistorySummary, stalled: &[Rotation], options: &Options) -> io::Result<()> {
    let totals = &summary.totals;
    let (first, last) = (summary.reports.first().map(|r| r.time), summary.reports.last().map(|r| r.time));
    writeln!(
        out,
        "history of {} of {}{}; limit {} days, a rotation stalls after {} days",
        count(totals.reports, "report"),
        count(totals.accounts, "account"),
        match (first, last) {
            (Some(a), Some(b)) => format!(", {} to {}", day(a), day(b)),
            _ => String::new(),
        },
        options.max_age_days,
        summary.stall_days
    )?;
    let shown = stalled.len();
    if shown > 0 {
        let of = if totals.rotations_stalled as usize > shown {
            format!(", the {shown} longest of {}; the JSON lists every one", totals.rotations_stalled)
        } else {
            String::new()
        };
        writeln!(out, "\nstalled rotations ({shown}{of})")?;
        for r in &stalled[..shown] {
            let at = r.steps.last().map(|s| s.step.as_str()).unwrap_or("-");
            let state = match r.completed_before {
                Some(t) => format!("{} by {}", r.outcome, day(t)),
                None => format!("{}, at {at}", r.outcome),
            };
            writeln!(
                out,
                "  {:<14} {}  the key made {}, from {} ({state}): {}",
                printable(&r.account_id),
                printable(&r.user),
                day(r.old_key),
                day(r.started),
                r.stalls_text()
            )?;
        }
    }
    writeln!(out, "\ntrend per account (overdue keys per report)")?;
    for account in &summary.trend.accounts {
        line(out, &account.account_id, &account.points)?;
    }
    if summary.trend.accounts.len() > 1 {
        line(out, "overall", &summary.trend.overall)?;
    }
    let remediation = totals
        .remediation
        .map(|r| {
            format!(
                "; days overdue when fixed: median {} to {}, 90th percentile {} to {} (from the last report that showed each overdue to the first that did not)",
                r.median.at_least, r.median.at_most, r.p90.at_least, r.p90.at_most
            )
        })
        .unwrap_or_default();
    writeln!(
        out,
        "\n{} followed, {} overdue now, {} became overdue, {} remediated{remediation}",
        count(totals.keys, "key"),
        totals.overdue_now,
        totals.newly_overdue,
        totals.remediated
    )?;
    writeln!(
        out,
        "{}: {} completed, {} open, {} stalled",
        count(totals.rotations, "rotation"),
        totals.rotations_completed,
        totals.rotations_open,
        totals.rotations_stalled
    )
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    fn matches(p: &str, n: &str) -> bool {
        glob_match(&p.chars().collect::<Vec<_>>(), &n.chars().collect::<Vec<_>>())
    }

    #[test]
    fn globs_match_as_the_shell_does() {
        assert!(matches("*.csv", "a-2026-01-01.csv"));
        assert!(!matches("*.csv", "a.json"));
        assert!(matches("a-2026-0?-*.csv", "a-2026-01-05.csv"));
        assert!(matches("[ab]-*", "b-1"));
        assert!(!matches("[!ab]-*", "b-1"));
        assert!(matches("w[0-9][0-9].csv", "w52.csv"));
    }
}
