//! `keyrot diff`: what changed from an older report to a newer one.

use crate::args::{DiffArgs, DiffFormat, EXIT_BAD_INPUT, EXIT_COMPLIANT, EXIT_NOT_COMPLIANT};
use crate::io::{display_name, open};
use crate::output::printable;
use keyrot::diff::DiffSide;
use keyrot::read::{Report, Simd};
use keyrot::{format_timestamp, AsOfSource, Timestamp};
use std::io::{self, Write};
use std::path::Path;

fn read(path: &Path, options: &keyrot::Options, simd: Simd) -> Result<Report, String> {
    let source = display_name(path);
    let limits = keyrot::read::Limits::default();
    open(path)
        .and_then(|input| keyrot::read::ReportReader::with_simd(input, &options.parse_options(), &limits, simd))
        .and_then(keyrot::read::parse_reader)
        .map_err(|e| format!("{}: {}", printable(&source), printable(&e.to_string())))
}

fn side(name: &str, source: &str, s: &DiffSide) -> String {
    let why = match s.as_of_source {
        AsOfSource::Explicit => "given",
        AsOfSource::Date => "given as a date: its midnight, UTC",
        AsOfSource::Report => "its GeneratedTime",
        AsOfSource::Clock => "now",
        AsOfSource::NewestTimestamp => "its newest timestamp",
    };
    format!(
        "{name} {}: as_of {} ({why}); {} keys, {} failing",
        printable(source),
        format_timestamp(&s.as_of),
        s.keys,
        s.fail
    )
}

pub(crate) fn diff(args: &DiffArgs, now: Timestamp, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<i32> {
    let options = match args.policy.options(now, None) {
        Ok(o) => o,
        Err(e) => {
            writeln!(err, "keyrot: {e}")?;
            return Ok(EXIT_BAD_INPUT);
        }
    };
    let old_as_of = match args.old_as_of.as_deref().map(keyrot::options::parse_as_of).transpose() {
        Ok(t) => t,
        Err(e) => {
            writeln!(err, "keyrot: --old-as-of: {e}")?;
            return Ok(EXIT_BAD_INPUT);
        }
    };
    let (old, new) = match (read(&args.old, &options, args.policy.simd), read(&args.new, &options, args.policy.simd)) {
        (Ok(old), Ok(new)) => (old, new),
        (a, b) => {
            for e in [a.err(), b.err()].into_iter().flatten() {
                writeln!(err, "keyrot: {e}")?;
            }
            return Ok(EXIT_BAD_INPUT);
        }
    };
    let times = keyrot::diff::DiffTimes { old_as_of, new_as_of: options.as_of };
    let result = match keyrot::diff(&old, &new, &options, &times) {
        Ok(d) => d,
        Err(e) => {
            writeln!(err, "keyrot: {e}")?;
            return Ok(EXIT_BAD_INPUT);
        }
    };
    match args.format {
        DiffFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &result)?;
            writeln!(out)?;
        }
        DiffFormat::Table => {
            writeln!(out, "{}", side("old", &display_name(&args.old), &result.old))?;
            writeln!(out, "{}", side("new", &display_name(&args.new), &result.new))?;
            writeln!(out)?;
            let code = |c: keyrot::diff::ChangeCode| {
                serde_json::to_value(c).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
            };
            let width = result.changes.iter().map(|c| printable(&c.user).chars().count()).max().unwrap_or(4).max(4);
            for c in &result.changes {
                let user = printable(&c.user);
                writeln!(
                    out,
                    "{:<14} {:<12} {user}{}  {}",
                    code(c.change),
                    printable(&c.account_id),
                    " ".repeat(width - user.chars().count()),
                    printable(&c.message)
                )?;
            }
            if result.changes.is_empty() {
                writeln!(out, "no changes")?;
            }
            let counts: Vec<String> = result.counts.iter().map(|(k, v)| format!("{v} {}", code(*k))).collect();
            writeln!(out, "\n{}", if counts.is_empty() { "nothing changed".to_owned() } else { counts.join(", ") })?;
        }
    }
    out.flush()?;
    Ok(if result.became_overdue() { EXIT_NOT_COMPLIANT } else { EXIT_COMPLIANT })
}
