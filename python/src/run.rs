//! Running the core with the GIL released: Python's inputs made into the
//! core's, the core's `Run` doing the reading, threading and merging.

use crate::errors::IntoPyResult;
use crate::exemptions::Exemptions;
use crate::judged::{Judged, Outcome};
use crate::options::Options;
use crate::result::{AnalysisData, ReportData};
use keyrot::read::ParseOptions;
use keyrot::{FindingBatch, ReportEvent, Run};
use pyo3::exceptions::{PyIsADirectoryError, PyOSError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::convert::Infallible;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Why a report file could not be judged: opening it, or the core.
pub(crate) enum FileFailure {
    Open(std::io::Error),
    Core(keyrot::Error),
}

/// Opens a report file (without the GIL: the file system may be slow, or the
/// path a pipe that waits for a writer).
pub(crate) fn open(path: &Path) -> std::io::Result<File> {
    let file = File::open(path)?;
    match file.metadata() {
        Ok(meta) if meta.is_dir() => {
            Err(std::io::Error::new(std::io::ErrorKind::IsADirectory, "is a directory, not a report"))
        }
        _ => Ok(file),
    }
}

impl FileFailure {
    /// An open failure as the `OSError` subclass Python itself would raise
    /// (`FileNotFoundError`, `PermissionError`, …) with `errno`, `strerror`
    /// and `filename`; the core's error as `keyrot.ParseError`.
    pub(crate) fn into_py(self, py: Python<'_>, path: &Path) -> PyErr {
        match self {
            FileFailure::Open(e) if e.kind() == std::io::ErrorKind::IsADirectory => {
                PyIsADirectoryError::new_err(format!("is a directory, not a report: {}", path.display()))
            }
            FileFailure::Open(e) => os_error(py, &e, path),
            FileFailure::Core(e) => crate::errors::to_py_err(py, &e),
        }
    }
}

fn os_error(py: Python<'_>, err: &std::io::Error, path: &Path) -> PyErr {
    let Some(errno) = err.raw_os_error() else {
        return PyOSError::new_err(format!("{err}: {}", path.display()));
    };
    let text = err.to_string();
    let strerror = text.strip_suffix(&format!(" (os error {errno})")).unwrap_or(&text).to_owned();
    // OSError(errno, strerror, filename) picks the subclass from errno.
    match py.get_type::<PyOSError>().call1((errno, strerror, path.as_os_str())) {
        Ok(instance) => PyErr::from_value(instance),
        Err(e) => e,
    }
}

/// The most threads `analyze` judges a report on.
const MAX_THREADS: usize = 256;

/// `threads` as given to `analyze`, checked: 1 to [`MAX_THREADS`]; 0 (the
/// core's default policy) when not given.
fn requested_threads(py: Python<'_>, threads: Option<i64>) -> PyResult<usize> {
    let Some(n) = threads else { return Ok(0) };
    match usize::try_from(n) {
        Ok(n) if (1..=MAX_THREADS).contains(&n) => Ok(n),
        _ => Err(crate::errors::to_py_err(
            py,
            &keyrot::Error::new(
                keyrot::ErrorCode::InvalidPolicy,
                format!("`threads` must be between 1 and {MAX_THREADS}, not {n}"),
            )
            .at_column("threads")
            .with_value(&n.to_string()),
        )),
    }
}

/// The core's run with these options.
fn run(options: &keyrot::Options, exemptions: Option<&keyrot::Exemptions>, threads: usize) -> Run {
    let run = Run::new(options).threads(threads);
    match exemptions {
        Some(exemptions) => run.exemptions(exemptions),
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

/// Reads and judges a report held in memory.
#[pyfunction]
#[pyo3(signature = (data, options, exemptions=None, *, threads=None))]
pub(crate) fn analyze_bytes(
    py: Python<'_>,
    data: &[u8],
    options: &Options,
    exemptions: Option<&Exemptions>,
    threads: Option<i64>,
) -> PyResult<AnalysisData> {
    let run =
        run(&options.inner, exemptions.map(|e| &e.inner), requested_threads(py, threads)?).size_hint(data.len() as u64);
    let judged = py.detach(|| judge(data, &run)).or_raise(py)?;
    Ok(AnalysisData::new(judged))
}

/// Reads and judges a report file, streaming it.
#[pyfunction]
#[pyo3(signature = (path, options, exemptions=None, *, threads=None))]
pub(crate) fn analyze_file(
    py: Python<'_>,
    path: PathBuf,
    options: &Options,
    exemptions: Option<&Exemptions>,
    threads: Option<i64>,
) -> PyResult<AnalysisData> {
    let run = run(&options.inner, exemptions.map(|e| &e.inner), requested_threads(py, threads)?);
    let judged = py
        .detach(|| {
            let file = open(&path).map_err(FileFailure::Open)?;
            // A pipe cannot say its size.
            let run = match file.metadata().ok().filter(std::fs::Metadata::is_file) {
                Some(meta) => run.size_hint(meta.len()),
                None => run,
            };
            judge(file, &run).map_err(FileFailure::Core)
        })
        .map_err(|f| f.into_py(py, &path))?;
    Ok(AnalysisData::new(judged))
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
) -> PyResult<AnalysisData> {
    let mut held: Vec<(String, Option<Bound<'_, PyBytes>>, Option<PathBuf>)> = Vec::with_capacity(inputs.len());
    for (name, value) in inputs {
        if let Ok(bytes) = value.cast::<PyBytes>() {
            held.push((name, Some(bytes.clone()), None));
        } else if let Ok(path) = value.extract::<PathBuf>() {
            held.push((name, None, Some(path)));
        } else {
            return Err(PyTypeError::new_err(format!("input `{name}` must be bytes or a path")));
        }
    }
    let pending: Vec<(String, Result<&[u8], &Path>)> = held
        .iter()
        .map(|(name, bytes, path)| {
            let input = match (bytes, path) {
                (Some(b), _) => Ok(b.as_bytes()),
                (None, Some(p)) => Err(p.as_path()),
                (None, None) => Ok(&b""[..]),
            };
            (name.clone(), input)
        })
        .collect();
    let run = run(&options.inner, exemptions.map(|e| &e.inner), 0);
    let many = py.detach(move || {
        // Files are opened one at a time, as the run reaches them.
        let inputs = pending.into_iter().map(|(name, input)| {
            let reader: std::io::Result<Box<dyn Read>> = match input {
                Ok(bytes) => Ok(Box::new(bytes)),
                Err(path) => {
                    open(path).map(|f| Box::new(std::io::BufReader::with_capacity(64 * 1024, f)) as Box<dyn Read>)
                }
            };
            (name, reader)
        });
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
    Ok(AnalysisData::new(many))
}

/// The parse options, named as in the JSON contract.
pub(crate) fn parse_options(py: Python<'_>, lenient: bool, format: &str) -> PyResult<ParseOptions> {
    let format = serde_json::from_value(serde_json::Value::String(format.to_owned())).map_err(|e| {
        keyrot::Error::new(keyrot::ErrorCode::InvalidPolicy, format!("`format`: {e}"))
            .at_column("format")
            .with_value(format)
    });
    Ok(ParseOptions { format: format.or_raise(py)?, lenient })
}

/// Reads a report held in memory into typed rows (the core's `parse_bytes`).
#[pyfunction]
#[pyo3(signature = (data, *, lenient=false, format="auto"))]
pub(crate) fn parse_bytes(py: Python<'_>, data: &[u8], lenient: bool, format: &str) -> PyResult<ReportData> {
    let options = parse_options(py, lenient, format)?;
    let report = py.detach(|| keyrot::read::parse(data, &options)).or_raise(py)?;
    Ok(ReportData { inner: Arc::new(report) })
}

/// Reads a report file into typed rows (the core's `parse`).
#[pyfunction]
#[pyo3(signature = (path, *, lenient=false, format="auto"))]
pub(crate) fn parse_file(py: Python<'_>, path: PathBuf, lenient: bool, format: &str) -> PyResult<ReportData> {
    let options = parse_options(py, lenient, format)?;
    let report = py
        .detach(|| keyrot::read::parse(open(&path).map_err(FileFailure::Open)?, &options).map_err(FileFailure::Core))
        .map_err(|f| f.into_py(py, &path))?;
    Ok(ReportData { inner: Arc::new(report) })
}
