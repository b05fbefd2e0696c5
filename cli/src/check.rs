//! `keyrot check`: one report streamed, or many judged together.

use crate::output::{self, printable};
use crate::{display_name, open, CheckArgs, FailOn, Format, EXIT_BAD_INPUT, EXIT_COMPLIANT, EXIT_NOT_COMPLIANT};
use keyrot::{
    Analysis, Analyzer, Anomaly, CsvWriter, Error, Exemptions, ManyAnalysis, Options, Scanner, Status, Timestamp,
};
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
    direct: Option<(std::fs::File, u64)>,
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
    let keep = |status: Status| only.is_empty() || only.contains(&status);
    let one = inputs.len() == 1 && !args.reports[0].is_dir();
    if one {
        check_one(args, &inputs[0], &options, exemptions, &keep, color, direct, out, err)
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

/// Why `check_one` stopped: the input, or writing the output.
enum Stop {
    Input(Error),
    Output(io::Error),
}

impl From<Error> for Stop {
    fn from(e: Error) -> Stop {
        Stop::Input(e)
    }
}

/// The CSV writer of the columns asked for, or of all of them.
fn csv_writer(args: &CheckArgs) -> CsvWriter {
    CsvWriter::new(args.columns.clone()).unwrap_or_default()
}

/// Reads and judges one report, streaming, on `--threads` threads: the
/// chunks of the input are judged (and their CSV rows written) in parallel
/// and merged in input order, into a buffer that reaches stdout only once the
/// whole input has been read (so a bad input leaves stdout empty).
#[allow(clippy::too_many_arguments)]
fn check_one(
    args: &CheckArgs,
    path: &Path,
    options: &Options,
    exemptions: Option<Exemptions>,
    keep: &(dyn Fn(Status) -> bool + Sync),
    color: bool,
    direct: Option<(std::fs::File, u64)>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<i32> {
    let source = display_name(path);
    let writer = csv_writer(args);
    let threads = match args.threads {
        Some(n) => usize::from(n),
        None => {
            // One thread per core, but no more than the input has chunks to
            // share: starting threads for one account's report (about 1 MB)
            // costs more than it saves.
            let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
            let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(u64::MAX);
            cores.min(usize::try_from(size / (4 << 20)).unwrap_or(usize::MAX).max(1))
        }
    };
    // Held until every row has been read, so that a bad input prints
    // nothing: in memory, then a temporary file, or (stdout being a file)
    // the destination itself, cut back on an error.
    let mut csv_out = match direct {
        Some((file, start)) => crate::spill::SpillBuffer::direct(file, start),
        None => crate::spill::SpillBuffer::new(),
    };
    let write_csv = args.format == Format::Csv;
    let result = (|| -> Result<Analysis, Stop> {
        let input = open(path)?;
        let mut scanner = Scanner::new(input, &options.parse_options())?;
        let mut analyzer = Analyzer::for_scanner(&scanner, options)?;
        if let Some(ex) = exemptions {
            analyzer = analyzer.with_exemptions(ex);
        }
        let judge = scanner.judge(&analyzer);
        if write_csv {
            let mut header = Vec::new();
            writer.header(&mut header);
            csv_out.write_all(&header).map_err(Stop::Output)?;
        }
        let mut kept = Vec::new();
        keyrot::judge_in_order(
            &mut scanner,
            &judge,
            threads,
            |chunk| {
                let mut rows = Vec::new();
                if write_csv {
                    let mut writer = writer.clone();
                    for finding in chunk.findings(&judge).filter(|f| keep(f.status())) {
                        writer.row(&mut rows, &source, &finding);
                    }
                }
                (chunk, rows)
            },
            |(mut chunk, rows)| -> Result<(), Stop> {
                analyzer.absorb(&mut chunk);
                if write_csv {
                    csv_out.write_all(&rows).map_err(Stop::Output)?;
                } else {
                    kept.extend(chunk.findings(&judge).filter(|f| keep(f.status())).map(|f| analyzer.finding(&f)));
                }
                Ok(())
            },
        )?;
        Ok(analyzer.finish(kept))
    })();
    let analysis = match result {
        Ok(a) => a,
        Err(Stop::Output(e)) => {
            let _ = csv_out.discard();
            return Err(e);
        }
        Err(Stop::Input(e)) => {
            csv_out.discard()?;
            writeln!(err, "keyrot: {}: {}", printable(&source), printable(&e.to_string()))?;
            return Ok(EXIT_BAD_INPUT);
        }
    };
    match args.format {
        Format::Csv => csv_out.copy_to(out)?,
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
    keep: &(dyn Fn(Status) -> bool + Sync),
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
    many.findings.retain(|f| keep(f.finding.status));
    match args.format {
        Format::Csv => {
            let mut writer = csv_writer(args);
            let mut rows = Vec::new();
            writer.header(&mut rows);
            for f in &many.findings {
                writer.row(&mut rows, &f.source, &f.finding);
            }
            out.write_all(&rows)?;
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
