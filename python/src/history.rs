//! A season of reports followed through time (the core's history): the
//! reports read, each once and in time order, with the GIL released; the
//! history handed back as the JSON contract (dicts and lists), which
//! `keyrot/_history.py` wraps.

use crate::errors::to_py_err;
use crate::run::open;
use crate::values::to_python;
use keyrot::plan::history::{GivenTime, HistoryOptions, HistoryRun, TimePattern, TimeSource};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use std::io::Read;
use std::path::{Path, PathBuf};

/// A report as Python names it: its name, its bytes or path, the time
/// given for it (RFC 3339 text), and how (`"given"` or `"file_name"`).
type Named<'py> = (String, Bound<'py, PyAny>, Option<String>, Option<String>);

/// The history of `reports`, each `(name, bytes or path, time, how the time
/// was given)`: the time RFC 3339 text or `None`, given as `"given"` or
/// `"file_name"`. `options` are the judging options and the history's
/// (`stall_days`, `last_used_per_report`), by the contract's names. Returns
/// the history as the JSON contract.
#[pyfunction]
#[pyo3(signature = (reports, options, *, threads=0))]
pub(crate) fn history(
    py: Python<'_>,
    reports: Vec<Named<'_>>,
    options: &Bound<'_, PyDict>,
    threads: usize,
) -> PyResult<Py<PyAny>> {
    let value: serde_json::Value = pythonize::depythonize(options.as_any())
        .map_err(|e| PyTypeError::new_err(format!("the options cannot be read: {e}")))?;
    let (options, history) = HistoryOptions::read(value).map_err(|e| to_py_err(py, &e))?;
    let mut held: Vec<(Option<Bound<'_, PyBytes>>, Option<PathBuf>)> = Vec::with_capacity(reports.len());
    let mut named = Vec::with_capacity(reports.len());
    for (name, value, time, source) in reports {
        if let Ok(bytes) = value.cast::<PyBytes>() {
            held.push((Some(bytes.clone()), None));
        } else if let Ok(path) = value.extract::<PathBuf>() {
            held.push((None, Some(path)));
        } else {
            return Err(PyTypeError::new_err(format!("report `{name}` must be bytes or a path")));
        }
        let given = match time {
            None => None,
            Some(text) => {
                let time = keyrot::options::parse_instant("times", &text).map_err(|e| to_py_err(py, &e))?;
                let source = match source.as_deref() {
                    Some("file_name") => TimeSource::FileName,
                    _ => TimeSource::Given,
                };
                Some(GivenTime { time, source })
            }
        };
        named.push((name, given));
    }
    let inputs: Vec<Result<&[u8], &Path>> = held
        .iter()
        .map(|(bytes, path)| match (bytes, path) {
            (Some(b), _) => Ok(b.as_bytes()),
            (None, Some(p)) => Err(p.as_path()),
            (None, None) => Ok(&b""[..]),
        })
        .collect();
    let run = HistoryRun::new(&options, &history).threads(threads);
    let result = py.detach(move || {
        run.collect(&named, |i| -> std::io::Result<Box<dyn Read + '_>> {
            match inputs[i] {
                Ok(bytes) => Ok(Box::new(bytes)),
                Err(path) => {
                    open(path).map(|f| Box::new(std::io::BufReader::with_capacity(64 * 1024, f)) as Box<dyn Read>)
                }
            }
        })
    });
    match result {
        Ok(history) => to_python(py, &history),
        Err(e) => Err(to_py_err(py, &e)),
    }
}

/// The time a `--time-from-name` pattern reads in a file name, as RFC 3339
/// text, or `None`; a bad pattern raises `keyrot.PolicyError`.
#[pyfunction]
pub(crate) fn time_in_name(py: Python<'_>, pattern: &str, name: &str) -> PyResult<Option<String>> {
    let pattern = TimePattern::new(pattern).map_err(|e| to_py_err(py, &e))?;
    Ok(pattern.find(name).map(|t| keyrot::format_timestamp(&t)))
}
