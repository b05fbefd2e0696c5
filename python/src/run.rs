//! Running the core with the GIL released: Python's inputs made into the
//! core's, the core's `Run` doing the reading, threading and merging, and
//! its `parse` and `diff`.

use crate::errors::{to_py_err, to_py_err_about, IntoPyResult};
use crate::exemptions::Exemptions;
use crate::judged::{Judged, Outcome};
use crate::options::{instant, Options};
use crate::table::Table;
use keyrot::read::{ParseOptions, Report};
use keyrot::{FindingBatch, InputFormat, ReportEvent, Run};
use pyo3::exceptions::{PyIsADirectoryError, PyOSError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::convert::Infallible;
use std::io::Read;
use std::path::{Path, PathBuf};

/// A report as Python gives it: bytes, or a path to read.
pub(crate) enum Input<'py> {
    Bytes(Bound<'py, PyBytes>),
    Path(PathBuf),
}

/// What the part without the GIL reads: the bytes (borrowed from the Python
/// object, which the caller holds) or the path.
#[derive(Clone, Copy)]
pub(crate) enum Source<'a> {
    Bytes(&'a [u8]),
    Path(&'a Path),
}

impl<'py> Input<'py> {
    pub(crate) fn of(value: &Bound<'py, PyAny>, what: &str) -> PyResult<Input<'py>> {
        if let Ok(bytes) = value.cast::<PyBytes>() {
            return Ok(Input::Bytes(bytes.clone()));
        }
        let path = value.extract::<PathBuf>();
        path.map(Input::Path).map_err(|_| PyTypeError::new_err(format!("{what} must be bytes or a path")))
    }

    pub(crate) fn source(&self) -> Source<'_> {
        match self {
            Input::Bytes(b) => Source::Bytes(b.as_bytes()),
            Input::Path(p) => Source::Path(p),
        }
    }
}

impl<'a> Source<'a> {
    /// The report's bytes as a reader: a file opened now, buffered.
    pub(crate) fn reader(self) -> std::io::Result<Box<dyn Read + 'a>> {
        Ok(match self {
            Source::Bytes(bytes) => Box::new(bytes),
            Source::Path(path) => Box::new(std::io::BufReader::with_capacity(64 * 1024, open(path)?)),
        })
    }
}

/// Why a report could not be judged: opening its file, or the core.
pub(crate) enum FileFailure {
    Open(std::io::Error),
    Core(keyrot::Error),
}

impl From<keyrot::Error> for FileFailure {
    fn from(e: keyrot::Error) -> FileFailure {
        FileFailure::Core(e)
    }
}

/// Opens a report file (without the GIL: the file system may be slow, or the
/// path a pipe that waits for a writer).
pub(crate) use keyrot::read::open_report as open;

impl FileFailure {
    /// An open failure as the `OSError` subclass Python itself would raise
    /// (`FileNotFoundError`, `PermissionError`, …) with `errno`, `strerror`
    /// and `filename`; the core's error as `keyrot.ParseError`.
    pub(crate) fn into_py(self, py: Python<'_>, source: Source<'_>) -> PyErr {
        let path = match source {
            Source::Path(p) => p,
            Source::Bytes(_) => Path::new(""),
        };
        match self {
            FileFailure::Open(e) if e.kind() == std::io::ErrorKind::IsADirectory => {
                PyIsADirectoryError::new_err(format!("is a directory, not a report: {}", path.display()))
            }
            FileFailure::Open(e) => match e.raw_os_error() {
                None => PyOSError::new_err(format!("{e}: {}", path.display())),
                Some(errno) => {
                    let text = e.to_string();
                    let strerror = text.strip_suffix(&format!(" (os error {errno})")).unwrap_or(&text).to_owned();
                    // OSError(errno, strerror, filename) picks the subclass from errno.
                    let instance = py.get_type::<PyOSError>().call1((errno, strerror, path.as_os_str()));
                    instance.map_or_else(|e| e, PyErr::from_value)
                }
            },
            FileFailure::Core(e) => to_py_err(py, &e),
        }
    }
}

/// `threads` as given to `analyze`, checked by the core: 1 to 256; 0 (the
/// core's default policy) when not given.
pub(crate) fn requested_threads(py: Python<'_>, threads: Option<i64>) -> PyResult<usize> {
    keyrot::options::read_threads(threads).or_raise(py)
}

/// The core's run with these options.
pub(crate) fn run(options: &Options, exemptions: Option<&Exemptions>, threads: usize) -> Run {
    let run = Run::new(&options.inner).threads(threads);
    match exemptions {
        Some(exemptions) => run.exemptions(&exemptions.inner),
        None => run,
    }
}

/// Reads and judges a report (the core's `Run`): each batch compacted on
/// the thread that judged it, and kept.
fn judge<R: Read>(input: R, run: &Run) -> Result<Judged, keyrot::Error> {
    let mut batches = Vec::new();
    let analysis = run.report_with(input, FindingBatch::compact, |batch, ()| -> Result<(), keyrot::Error> {
        batches.push(batch);
        Ok(())
    })?;
    Ok(Judged::new(Outcome::One(analysis), batches))
}

/// Reads and judges a report: bytes, or a file streamed.
#[pyfunction]
#[pyo3(signature = (source, options, exemptions=None, *, threads=None))]
pub(crate) fn analyze(
    py: Python<'_>,
    source: &Bound<'_, PyAny>,
    options: &Options,
    exemptions: Option<&Exemptions>,
    threads: Option<i64>,
) -> PyResult<Table> {
    let run = run(options, exemptions, requested_threads(py, threads)?);
    let input = Input::of(source, "source")?;
    let source = input.source();
    let judged = py.detach(|| match source {
        Source::Bytes(bytes) => Ok(judge(bytes, &run.size_hint(bytes.len() as u64))?),
        Source::Path(path) => {
            let file = open(path).map_err(FileFailure::Open)?;
            // A pipe cannot say its size.
            let run = match file.metadata().ok().filter(std::fs::Metadata::is_file) {
                Some(meta) => run.size_hint(meta.len()),
                None => run,
            };
            Ok(judge(file, &run)?)
        }
    });
    Ok(Table::analysis(judged.map_err(|f: FileFailure| f.into_py(py, source))?))
}

/// Judges several reports together (the core's `analyze_many`): `inputs`
/// are `(name, bytes)` or `(name, path)` pairs. An input that cannot be read
/// is reported in its outcome and does not stop the others.
#[pyfunction]
#[pyo3(signature = (inputs, options, exemptions=None))]
pub(crate) fn analyze_many(
    py: Python<'_>,
    inputs: Vec<(String, Bound<'_, PyAny>)>,
    options: &Options,
    exemptions: Option<&Exemptions>,
) -> PyResult<Table> {
    let held: Vec<(String, Input<'_>)> = inputs
        .iter()
        .map(|(name, value)| Ok((name.clone(), Input::of(value, &format!("input `{name}`"))?)))
        .collect::<PyResult<_>>()?;
    let sources: Vec<(String, Source<'_>)> = held.iter().map(|(name, input)| (name.clone(), input.source())).collect();
    let run = run(options, exemptions, 0);
    let many = py.detach(move || {
        // Files are opened one at a time, as the run reaches them.
        let inputs = sources.into_iter().map(|(name, source)| (name, source.reader()));
        let mut batches = Vec::new();
        // A report's batches are kept once it is known to have been read whole.
        let mut pending: Vec<FindingBatch> = Vec::new();
        let many = run.reports(inputs, FindingBatch::compact, |merged| -> Result<(), Infallible> {
            match merged {
                ReportEvent::Batch { batch, .. } => pending.push(batch),
                ReportEvent::Done { outcome, .. } if outcome.error.is_none() => batches.append(&mut pending),
                ReportEvent::Done { .. } => pending.clear(),
            }
            Ok(())
        });
        let Ok(many) = many;
        Judged::new(Outcome::Many(many), batches)
    });
    Ok(Table::analysis(many))
}

/// Reads a whole report into memory.
fn read(source: Source<'_>, options: &ParseOptions) -> Result<Report, FileFailure> {
    Ok(match source {
        Source::Bytes(bytes) => keyrot::read::parse(bytes, options)?,
        Source::Path(path) => keyrot::read::parse(open(path).map_err(FileFailure::Open)?, options)?,
    })
}

/// Reads a report into typed rows (the core's `parse`), with the options'
/// `lenient` and `format`.
#[pyfunction]
pub(crate) fn parse(py: Python<'_>, source: &Bound<'_, PyAny>, options: &Options) -> PyResult<Table> {
    let input = Input::of(source, "source")?;
    let (source, parse_options) = (input.source(), options.inner.parse_options());
    let report = py.detach(|| read(source, &parse_options)).map_err(|f| f.into_py(py, source))?;
    Ok(Table::report(report))
}

/// Why a diff could not be made: a report could not be read (`old` or
/// `new`), or the core's diff refused (an evaluation time it cannot find).
enum Failure {
    Read(&'static str, FileFailure),
    Diff(keyrot::Error),
}

/// Reads two reports and compares them (the core's `diff`): `options`
/// hold the policy, `as_of` (the new report's) and the clock; `old_as_of`
/// is the old report's evaluation instant. `old_format` and `new_format`
/// override `options`' input format for one side (a boto3 response is
/// `cli_json` whatever the other is).
#[pyfunction]
#[pyo3(signature = (old, new, options, *, old_as_of=None, old_format=None, new_format=None))]
pub(crate) fn diff(
    py: Python<'_>,
    old: &Bound<'_, PyAny>,
    new: &Bound<'_, PyAny>,
    options: &Options,
    old_as_of: Option<&Bound<'_, PyAny>>,
    old_format: Option<&str>,
    new_format: Option<&str>,
) -> PyResult<Table> {
    let old_as_of = match old_as_of {
        Some(v) if !v.is_none() => Some(instant("old_as_of", v)?.or_raise(py)?),
        _ => None,
    };
    let options = &options.inner;
    let parse_options = |format: Option<&str>| -> PyResult<ParseOptions> {
        let format = format.map(str::parse::<InputFormat>).transpose().or_raise(py)?;
        Ok(ParseOptions { format: format.unwrap_or(options.format), lenient: options.lenient })
    };
    let (old_parse, new_parse) = (parse_options(old_format)?, parse_options(new_format)?);
    let (old_in, new_in) = (Input::of(old, "old")?, Input::of(new, "new")?);
    // Bytes are borrowed from the Python objects (held above) and paths
    // owned, so the reading below needs no GIL.
    let (old_source, new_source) = (old_in.source(), new_in.source());
    let result = py.detach(|| {
        let old = read(old_source, &old_parse).map_err(|f| Failure::Read("old", f))?;
        let new = read(new_source, &new_parse).map_err(|f| Failure::Read("new", f))?;
        let times = keyrot::diff::DiffTimes { old_as_of, new_as_of: options.as_of };
        keyrot::diff(&old, &new, options, &times).map_err(Failure::Diff)
    });
    match result {
        Ok(diff) => Ok(Table::diff(diff)),
        Err(Failure::Diff(e)) => Err(to_py_err(py, &e)),
        Err(Failure::Read(side, FileFailure::Core(e))) => Err(to_py_err_about(py, &e, &format!("the {side} report"))),
        Err(Failure::Read(side, failure)) => {
            Err(failure.into_py(py, if side == "old" { old_source } else { new_source }))
        }
    }
}

/// The reports of a folder, as the command takes a folder (the core's
/// `read::reports_in`): its regular files, hidden ones left out, sorted by
/// name.
#[pyfunction]
pub(crate) fn reports_in(py: Python<'_>, folder: PathBuf) -> PyResult<Vec<PathBuf>> {
    let found = py.detach(|| keyrot::read::reports_in(&folder));
    found.map_err(|e| FileFailure::Open(e).into_py(py, Source::Path(&folder)))
}
