//! A season of reports followed through time (the core's history): the
//! reports read, each once and in time order, with the GIL released; the
//! history handed back as the JSON contract (dicts and lists), which
//! `keyrot/_history.py` wraps.

use crate::errors::IntoPyResult;
use crate::options::instant;
use crate::run::{requested_threads, Input, Source};
use crate::values::to_python;
use keyrot::plan::history::{GivenTime, HistoryOptions, HistoryRun, TimePattern, TimeSource};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// A report as Python names it: its name, its bytes or path, the time given
/// for it (an aware `datetime`, a date or RFC 3339 text), and whether that
/// time was read in its file name.
type Named<'py> = (String, Bound<'py, PyAny>, Option<Bound<'py, PyAny>>, bool);

/// The history of `reports`, each `(name, bytes or path, time or None,
/// the time read in the file name)`. `options` are the judging options and
/// the history's, by the contract's names, read by the core's one reader
/// (`HistoryOptions::read`, with its defaults for the names left out or
/// `None`). Returns the history as the JSON contract.
#[pyfunction]
#[pyo3(signature = (reports, options, *, threads=None))]
pub(crate) fn history(
    py: Python<'_>,
    reports: Vec<Named<'_>>,
    options: &Bound<'_, PyDict>,
    threads: Option<i64>,
) -> PyResult<Py<PyAny>> {
    let mut given = serde_json::Map::new();
    for (name, value) in options.iter().filter(|(_, v)| !v.is_none()) {
        let name: String = name.extract()?;
        let value = pythonize::depythonize(&value)
            .map_err(|e| PyTypeError::new_err(format!("`{name}` cannot be read: {e}")))?;
        given.insert(name, value);
    }
    let (options, history) = HistoryOptions::read(given.into()).or_raise(py)?;
    let threads = requested_threads(py, threads)?;
    let mut held = Vec::with_capacity(reports.len());
    let mut named = Vec::with_capacity(reports.len());
    for (name, value, time, from_name) in reports {
        held.push(Input::of(&value, &format!("report `{name}`"))?);
        let source = if from_name { TimeSource::FileName } else { TimeSource::Given };
        let time = time.map(|t| instant("times", &t)?.or_raise(py)).transpose()?;
        named.push((name, time.map(|time| GivenTime { time, source })));
    }
    let sources: Vec<Source<'_>> = held.iter().map(Input::source).collect();
    let run = HistoryRun::new(&options, &history).threads(threads);
    let made = py.detach(move || run.collect(&named, |i| sources[i].reader()));
    to_python(py, &made.or_raise(py)?)
}

/// The time a `--time-from-name` pattern reads in a file name, as RFC 3339
/// text, or `None`; a bad pattern raises `keyrot.PolicyError`.
#[pyfunction]
pub(crate) fn time_in_name(py: Python<'_>, pattern: &str, name: &str) -> PyResult<Option<String>> {
    let pattern = TimePattern::new(pattern).or_raise(py)?;
    Ok(pattern.find(name).map(|t| keyrot::format_timestamp(&t)))
}
