//! `keyrot check`: one report streamed, or many judged together.

use crate::output::{self, printable};
use crate::{display_name, open, CheckArgs, FailOn, Format, EXIT_BAD_INPUT, EXIT_COMPLIANT, EXIT_NOT_COMPLIANT};
use keyrot::{Analysis, Analyzer, Anomaly, Error, Exemptions, Finding, ManyAnalysis, Options, ReportReader, Timestamp};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// The reports named on the command line, with folders replaced by the
/// files in them (sorted, hidden files left out).
fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for path in paths {
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
        } else {
            out.push(path.clone());
        }
    }
    Ok(out)
}

/// A reader that fails with the error met opening the file, so that a file
/// that cannot be opened is reported like one that cannot be read.
struct Unopened(Option<String>);

impl Read for Unopened {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        Err(io::Error::other(self.0.take().unwrap_or_default()))
    }
}

fn load_exemptions(path: &Option<PathBuf>) -> Result<Option<Exemptions>, String> {
    let Some(path) = path else { return Ok(None) };
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Exemptions::from_toml(&text).map(Some).map_err(|e| format!("{}: {e}", path.display()))
}

fn code_name<T: serde::Serialize>(code: T) -> String {
    serde_json::to_value(code).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// Prints anomalies on stderr, the first few of each report.
fn warn(err: &mut dyn Write, source: &str, anomalies: &[&Anomaly]) -> io::Result<()> {
    const SHOWN: usize = 20;
    if anomalies.len() > SHOWN {
        writeln!(
            err,
            "keyrot: {source}: {} anomalies; the first {SHOWN} follow (every one is in the JSON output)",
            anomalies.len()
        )?;
    }
    for anomaly in anomalies.iter().take(SHOWN) {
        let place = anomaly.line.map(|l| format!("line {l}: ")).unwrap_or_default();
        writeln!(
            err,
            "keyrot: {}: warning: {place}{} [{}]",
            printable(source),
            printable(&anomaly.message),
            code_name(anomaly.code)
        )?;
    }
    Ok(())
}

pub(crate) fn check(
    args: &CheckArgs,
    color: bool,
    now: Timestamp,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<i32> {
    let options = match args.policy.options(now, keyrot::Policy::default().grace_days) {
        Ok(o) => o,
        Err(e) => {
            writeln!(err, "keyrot: {e}")?;
            return Ok(EXIT_BAD_INPUT);
        }
    };
    let exemptions = match load_exemptions(&args.exemptions) {
        Ok(ex) => ex,
        Err(e) => {
            writeln!(err, "keyrot: {e}")?;
            return Ok(EXIT_BAD_INPUT);
        }
    };
    let inputs = match expand(&args.reports) {
        Ok(inputs) => inputs,
        Err(e) => {
            writeln!(err, "keyrot: {e}")?;
            return Ok(EXIT_BAD_INPUT);
        }
    };
    let only = &args.only;
    let keep = |f: &Finding| only.is_empty() || only.contains(&f.status);
    let one = inputs.len() == 1 && !args.reports[0].is_dir();
    if one {
        check_one(args, &inputs[0], &options, exemptions, &keep, color, out, err)
    } else {
        check_many(args, &inputs, &options, exemptions.as_ref(), &keep, color, out, err)
    }
}

fn exit_status(args: &CheckArgs, compliant: bool, due_soon: u64) -> i32 {
    let failing = match args.fail_on {
        FailOn::Fail => !compliant,
        FailOn::DueSoon => !compliant || due_soon > 0,
        FailOn::Never => false,
    };
    if failing {
        EXIT_NOT_COMPLIANT
    } else {
        EXIT_COMPLIANT
    }
}

/// Reads and judges one report, streaming: CSV rows are written as they are
/// judged, into a buffer that reaches stdout only once the whole input has
/// been read (so a bad input leaves stdout empty).
#[allow(clippy::too_many_arguments)]
fn check_one(
    args: &CheckArgs,
    path: &Path,
    options: &Options,
    exemptions: Option<Exemptions>,
    keep: &dyn Fn(&Finding) -> bool,
    color: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<i32> {
    let source = display_name(path);
    let mut csv_out = output::CsvFindings::new(crate::spill::SpillBuffer::new());
    let collect = args.format != Format::Csv;
    let result = (|| -> io::Result<Result<Analysis, Error>> {
        let input = match open(path) {
            Ok(input) => input,
            Err(e) => return Ok(Err(e)),
        };
        let mut reader = match ReportReader::new(input, &options.parse_options()) {
            Ok(r) => r,
            Err(e) => return Ok(Err(e)),
        };
        let mut analyzer = match Analyzer::new(&reader, options) {
            Ok(a) => a,
            Err(e) => return Ok(Err(e)),
        };
        if let Some(ex) = exemptions {
            analyzer = analyzer.with_exemptions(ex);
        }
        let mut kept = Vec::new();
        loop {
            match reader.read_row() {
                Ok(Some(row)) => {
                    for finding in analyzer.judge(&row).into_iter().filter(|f| keep(f)) {
                        if collect {
                            kept.push(finding);
                        } else {
                            csv_out.write(&source, &finding)?;
                        }
                    }
                }
                Ok(None) => break,
                Err(e) => return Ok(Err(e)),
            }
        }
        Ok(Ok(analyzer.finish(kept)))
    })()?;
    let analysis = match result {
        Ok(a) => a,
        Err(e) => {
            writeln!(err, "keyrot: {}: {}", printable(&source), printable(&e.to_string()))?;
            return Ok(EXIT_BAD_INPUT);
        }
    };
    match args.format {
        Format::Csv => csv_out.finish()?.copy_to(out)?,
        Format::Json => output::write_json(out, &analysis)?,
        Format::Table => output::write_table(out, &analysis, color)?,
    }
    out.flush()?;
    warn(err, &source, &analysis.anomalies.iter().collect::<Vec<_>>())?;
    Ok(exit_status(args, analysis.is_compliant(), analysis.summary.overall.due_soon))
}

/// Judges several reports together: one verdict, counts per account.
#[allow(clippy::too_many_arguments)]
fn check_many(
    args: &CheckArgs,
    inputs: &[PathBuf],
    options: &Options,
    exemptions: Option<&Exemptions>,
    keep: &dyn Fn(&Finding) -> bool,
    color: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<i32> {
    let readers = inputs.iter().map(|path| {
        let reader: Box<dyn Read> = match open(path) {
            Ok(r) => r,
            Err(e) => Box::new(Unopened(Some(e.message().to_owned()))),
        };
        (display_name(path), reader)
    });
    let mut many: ManyAnalysis = keyrot::analyze_many(readers, options, exemptions);
    for failed in many.failed() {
        if let Some(e) = &failed.error {
            writeln!(err, "keyrot: {}: {}", printable(&failed.source), printable(&e.to_string()))?;
        }
    }
    many.findings.retain(|f| keep(&f.finding));
    match args.format {
        Format::Csv => {
            let mut csv_out = output::CsvFindings::new(Vec::new());
            for f in &many.findings {
                csv_out.write(&f.source, &f.finding)?;
            }
            out.write_all(&csv_out.finish()?)?;
        }
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, &many)?;
            writeln!(out)?;
        }
        Format::Table => output::write_table_many(out, &many, color)?,
    }
    out.flush()?;
    for report in &many.reports {
        let mine: Vec<&Anomaly> =
            many.anomalies.iter().filter(|a| a.source == report.source).map(|a| &a.anomaly).collect();
        warn(err, &report.source, &mine)?;
    }
    if many.failed().next().is_some() {
        return Ok(EXIT_BAD_INPUT);
    }
    Ok(exit_status(args, many.is_compliant(), many.summary.overall.due_soon))
}
