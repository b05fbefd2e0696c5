//! `keyrot check`: one report streamed, or many judged together.

use crate::args::{CheckArgs, FailOn, Format, EXIT_BAD_INPUT, EXIT_COMPLIANT, EXIT_NOT_COMPLIANT};
use crate::io::{display_name, open};
use crate::output::{self, printable};
use crate::spill::SpillBuffer;
use keyrot::junit::{JunitWriter, Tally};
use keyrot::sarif::SarifWriter;
use keyrot::{
    Analysis, Anomaly, CsvWriter, Error, Exemptions, ManyAnalysis, ReportEvent, Run, SourcedFinding, Status, Timestamp,
};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// The reports named on the command line, with folders replaced by the
/// files in them (sorted, hidden files left out).
fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            let files = keyrot::read::reports_in(path)
                .map_err(|e| format!("{}: cannot read the folder: {e}", path.display()))?;
            if files.is_empty() {
                return Err(format!("{}: the folder holds no reports", path.display()));
            }
            out.extend(files);
        } else {
            out.push(path.clone());
        }
    }
    Ok(out)
}

fn load_exemptions(path: &Option<PathBuf>) -> Result<Option<Exemptions>, String> {
    let Some(path) = path else { return Ok(None) };
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Exemptions::from_toml(&text).map(Some).map_err(|e| format!("{}: {e}", path.display()))
}

fn code_name<T: serde::Serialize>(code: T) -> String {
    serde_json::to_value(code).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// Prints anomalies on stderr, the first few of each report; `omitted` is
/// how many the engine counted but did not keep, per code.
fn warn(
    err: &mut dyn Write,
    source: &str,
    anomalies: &[&Anomaly],
    omitted: &std::collections::BTreeMap<keyrot::AnomalyCode, u64>,
) -> io::Result<()> {
    const SHOWN: usize = 20;
    let not_kept: u64 = omitted.values().sum();
    let total = anomalies.len() as u64 + not_kept;
    let shown = anomalies.len().min(SHOWN);
    if total > shown as u64 {
        let kept = if not_kept > 0 {
            format!(
                "the JSON output holds the first {} of each code of each report, and of those found across reports the first {} of the run, and counts the rest in anomalies_omitted",
                keyrot::Anomaly::KEPT_PER_CODE,
                keyrot::Anomaly::KEPT_PER_CODE
            )
        } else {
            "every one is in the JSON output".to_owned()
        };
        let follow = match shown {
            0 => "none kept to show".to_owned(),
            n => format!("the first {n} follow"),
        };
        writeln!(err, "keyrot: {}: {total} anomalies; {follow} ({kept})", printable(source))?;
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
    let options = match args.policy.options(now, None) {
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
    let mut run = Run::new(&options)
        .threads(args.threads.map_or(0, usize::from))
        .digest(args.format.records_evidence())
        .simd(args.policy.simd);
    // The sizes of the files, for the default number of threads (a pipe's
    // is unknown: the run then waits to see more than one chunk).
    let sizes: Option<u64> =
        inputs.iter().map(|p| std::fs::metadata(p).ok().filter(|m| m.is_file()).map(|m| m.len())).sum();
    if let Some(size) = sizes {
        run = run.size_hint(size);
    }
    if let Some(exemptions) = &exemptions {
        run = run.exemptions(exemptions);
    }
    let only = &args.only;
    let keep = |status: Status| only.is_empty() || only.contains(&status);
    // SARIF, JUnit and OCSF are written report by report with each one's
    // evidence (and SARIF and JUnit have a place for an input that could not
    // be read), so even one report is written as one of several.
    let one = inputs.len() == 1
        && !args.reports[0].is_dir()
        && !matches!(args.format, Format::Sarif | Format::Junit | Format::Ocsf | Format::Html);
    // Held until each report has been read whole, so that a bad report
    // prints nothing: in memory, then a temporary file, or (stdout being a
    // file) the destination itself, cut back on an error.
    let held = match direct {
        Some((file, start)) => SpillBuffer::direct(file, start),
        None => SpillBuffer::new(),
    };
    if one {
        check_one(args, &run.source(&display_name(&inputs[0])), &inputs[0], &keep, held, color, out, err)
    } else {
        check_many(args, &run, &options.policy(), &inputs, &keep, held, color, out, err)
    }
}

/// The reports to read, opened one at a time as the run reaches them;
/// standard input from `stdin` when it has been read already.
fn opened<'a>(
    paths: &'a [PathBuf],
    stdin: Option<&'a [u8]>,
) -> impl Iterator<Item = (String, io::Result<Box<dyn Read + 'a>>)> + 'a {
    paths.iter().map(move |path| {
        let input: io::Result<Box<dyn Read + 'a>> = if path.as_os_str() == "-" {
            match stdin {
                Some(bytes) => Ok(Box::new(bytes)),
                None => Ok(Box::new(io::stdin().lock())),
            }
        } else {
            std::fs::File::open(path)
                .map(|f| Box::new(f) as Box<dyn Read>)
                .map_err(|e| io::Error::new(e.kind(), format!("cannot open the file: {e}")))
        };
        (display_name(path), input)
    })
}

/// The SHA-256 of each input, taken before it is judged, for outputs that
/// carry it with every record (OCSF); the run takes it again as it reads,
/// and a report whose bytes changed in between is not written.
struct Digests {
    stdin: Option<Vec<u8>>,
    by_name: std::collections::HashMap<String, String>,
}

impl Digests {
    fn none() -> Digests {
        Digests { stdin: None, by_name: std::collections::HashMap::new() }
    }

    fn of(paths: &[PathBuf]) -> Digests {
        let mut digests = Digests::none();
        for path in paths {
            let digest = if path.as_os_str() == "-" {
                let mut bytes = Vec::new();
                if io::stdin().lock().read_to_end(&mut bytes).is_err() {
                    continue;
                }
                let digest = keyrot::read::sha256_hex(&bytes);
                digests.stdin = Some(bytes);
                digest
            } else {
                // A file that cannot be read is reported by the run.
                match std::fs::File::open(path).and_then(keyrot::read::sha256_reader) {
                    Ok(digest) => digest,
                    Err(_) => continue,
                }
            };
            digests.by_name.insert(display_name(path), digest);
        }
        digests
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

/// Why a run stopped: the input, or writing the output.
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
fn csv_writer(args: &CheckArgs, run: &Run) -> CsvWriter {
    CsvWriter::for_checks(args.columns.clone(), &run.checks()).unwrap_or_default()
}

/// The CSV lines of a batch's findings that `keep` keeps: the work done on
/// the thread that judged the batch.
fn csv_rows(writer: &CsvWriter, batch: &keyrot::FindingBatch, keep: &(dyn Fn(Status) -> bool + Sync)) -> Vec<u8> {
    let mut rows = Vec::new();
    writer.clone().batch(&mut rows, batch, keep);
    rows
}

/// Reads and judges one report, streaming: its chunks are judged (and
/// their CSV lines written) on `--threads` threads and merged in input
/// order, into `held`, which reaches stdout only once the whole input has
/// been read (so a bad input leaves stdout empty).
#[allow(clippy::too_many_arguments)]
fn check_one(
    args: &CheckArgs,
    run: &Run,
    path: &Path,
    keep: &(dyn Fn(Status) -> bool + Sync),
    mut held: SpillBuffer,
    color: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<i32> {
    let source = display_name(path);
    let writer = csv_writer(args, run);
    let write_csv = args.format == Format::Csv;
    let mut kept = Vec::new();
    let result = (|| -> Result<Analysis, Stop> {
        let input = open(path)?;
        if write_csv {
            let mut header = Vec::new();
            writer.header(&mut header);
            held.write_all(&header).map_err(Stop::Output)?;
        }
        run.report_with(
            input,
            |batch| if write_csv { csv_rows(&writer, batch, keep) } else { Vec::new() },
            |batch, rows| {
                if write_csv {
                    held.write_all(&rows).map_err(Stop::Output)
                } else {
                    kept.extend(batch.findings().filter(|f| keep(f.status())).map(|f| f.to_finding()));
                    Ok(())
                }
            },
        )
    })();
    let mut analysis = match result {
        Ok(a) => a,
        Err(Stop::Output(e)) => {
            let _ = held.discard();
            return Err(e);
        }
        Err(Stop::Input(e)) => {
            held.discard()?;
            writeln!(err, "keyrot: {}: {}", printable(&source), printable(&e.to_string()))?;
            return Ok(EXIT_BAD_INPUT);
        }
    };
    analysis.findings = kept;
    match args.format {
        Format::Csv => held.commit(out)?,
        Format::Json => output::write_json(out, &analysis)?,
        Format::Table => output::write_table(out, &analysis, color)?,
        Format::Sarif | Format::Junit | Format::Ocsf | Format::Html => unreachable!("written by check_many"),
    }
    out.flush()?;
    warn(err, &source, &analysis.anomalies.iter().collect::<Vec<_>>(), &analysis.anomalies_omitted)?;
    Ok(exit_status(args, analysis.is_compliant(), analysis.summary.overall.due_soon))
}

/// Judges several reports together: one verdict, counts per account. The
/// CSV of each report reaches stdout as soon as it has been read whole (a
/// report that fails prints none); JSON and the table hold the findings
/// they print.
#[allow(clippy::too_many_arguments)]
fn check_many(
    args: &CheckArgs,
    run: &Run,
    policy: &keyrot::Policy,
    inputs: &[PathBuf],
    keep: &(dyn Fn(Status) -> bool + Sync),
    mut held: SpillBuffer,
    color: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<i32> {
    let writer = csv_writer(args, run);
    let format = args.format;
    let mut sarif = SarifWriter::with_rules(run.checks().rules);
    let mut head = Vec::new();
    match format {
        Format::Csv => writer.header(&mut head),
        Format::Sarif => sarif.begin(&mut head),
        Format::Junit => JunitWriter::start(&mut head),
        Format::Json | Format::Table | Format::Ocsf | Format::Html => {}
    }
    held.write_all(&head)?;
    held.commit(out)?;
    let digests = if format == Format::Ocsf { Digests::of(inputs) } else { Digests::none() };
    let mut changed = false;
    // JUnit: a report's test cases, until its suite's counts are known.
    let mut cases = SpillBuffer::new();
    let mut tally = Tally::default();
    let mut findings: Vec<SourcedFinding> = Vec::new();
    let mut start = 0;
    let many = run.reports(
        opened(inputs, digests.stdin.as_deref()),
        |batch| match format {
            Format::Ocsf => (
                keyrot::ocsf::events(batch, keep, digests.by_name.get(batch.source()).map(String::as_str)),
                Tally::default(),
            ),
            Format::Csv => (csv_rows(&writer, batch, keep), Tally::default()),
            Format::Sarif => (SarifWriter::results(batch, keep), Tally::default()),
            Format::Junit => JunitWriter::cases(batch, keep),
            Format::Json | Format::Table | Format::Html => (Vec::new(), Tally::default()),
        },
        |merged| -> io::Result<()> {
            match merged {
                ReportEvent::Batch { batch, made: (made, counted), .. } => match format {
                    Format::Csv | Format::Ocsf => held.write_all(&made)?,
                    Format::Sarif => held.write_all(sarif.join(&made))?,
                    Format::Junit => {
                        cases.write_all(&made)?;
                        tally.add(&counted);
                    }
                    Format::Json | Format::Table | Format::Html => {
                        findings.extend(batch.findings().filter(|f| keep(f.status())).map(|f| f.to_sourced()))
                    }
                },
                ReportEvent::Done { outcome, .. } => {
                    if format == Format::Junit {
                        let mut suite = Vec::new();
                        JunitWriter::suite_start(&mut suite, outcome, policy, &tally);
                        tally = Tally::default();
                        held.write_all(&suite)?;
                        if outcome.error.is_some() {
                            cases.discard()?;
                        } else {
                            cases.commit(&mut held)?;
                        }
                        let mut end = Vec::new();
                        JunitWriter::suite_end(&mut end);
                        held.write_all(&end)?;
                        held.commit(out)?;
                    } else {
                        let mismatch = format == Format::Ocsf
                            && outcome.error.is_none()
                            && outcome.input_sha256.as_ref() != digests.by_name.get(&outcome.source);
                        if mismatch {
                            changed = true;
                            writeln!(
                                err,
                                "keyrot: {}: the input changed while it was read (its SHA-256 is not the one taken \
                                 before); nothing is written for it",
                                printable(&outcome.source)
                            )?;
                        }
                        match &outcome.error {
                            _ if mismatch => {
                                held.discard()?;
                            }
                            Some(_) => {
                                held.discard()?;
                                sarif.discard();
                                findings.truncate(start);
                            }
                            None => {
                                held.commit(out)?;
                                sarif.commit();
                                start = findings.len();
                            }
                        }
                    }
                    if let Some(e) = &outcome.error {
                        writeln!(err, "keyrot: {}: {}", printable(&outcome.source), printable(&e.to_string()))?;
                    }
                }
            }
            Ok(())
        },
    );
    let mut many: ManyAnalysis = many?;
    many.findings = findings;
    match args.format {
        Format::Csv | Format::Ocsf => {}
        Format::Sarif => {
            let mut tail = Vec::new();
            sarif.end(&mut tail, &many.policy, &many.reports);
            out.write_all(&tail)?;
        }
        Format::Junit => {
            let mut tail = Vec::new();
            JunitWriter::finish(&mut tail);
            out.write_all(&tail)?;
        }
        Format::Html => keyrot::view::write_report(&many, out)?,
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
        warn(err, &report.source, &mine, &report.anomalies_omitted)?;
    }
    if changed || many.failed().next().is_some() {
        return Ok(EXIT_BAD_INPUT);
    }
    Ok(exit_status(args, many.is_compliant(), many.summary.overall.due_soon))
}
