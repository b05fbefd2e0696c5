//! Core values as Python objects: timestamps as aware `datetime`s, report
//! cells with AWS's literals kept as text, the JSON contract as Python dicts
//! and lists, and the package's frozen dataclasses built from it.

use keyrot::read::Field;
use keyrot::{LastUsed, Timestamp};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyList, PyModule, PyString};
use serde::Serialize;

/// A timestamp as a `datetime` in UTC, or `None` when Python cannot hold it
/// (its `datetime` spans the years 1 to 9999; the JSON contract keeps every
/// value as text).
pub(crate) fn time(py: Python<'_>, ts: &Timestamp) -> Py<PyAny> {
    ts.into_pyobject(py).map_or_else(|_| py.None(), |dt| dt.into_any().unbind())
}

/// An optional timestamp as a `datetime` or `None`.
pub(crate) fn opt_time(py: Python<'_>, ts: Option<&Timestamp>) -> Py<PyAny> {
    ts.map_or_else(|| py.None(), |t| time(py, t))
}

fn text(py: Python<'_>, text: &str) -> Py<PyAny> {
    PyString::new(py, text).into_any().unbind()
}

/// A report cell as Python reads it: the typed value (`datetime`, `bool`,
/// `str`); the literal AWS wrote (`"N/A"`, `"no_information"`,
/// `"not_supported"`, `""`) or the raw text of an unreadable cell, as text;
/// `None` when the report has no such column.
pub(crate) trait Cell {
    /// The cell as a Python value.
    fn to_py(&self, py: Python<'_>) -> Py<PyAny>;
}

impl Cell for Field<Timestamp> {
    fn to_py(&self, py: Python<'_>) -> Py<PyAny> {
        match self {
            Field::Value(ts) => time(py, ts),
            other => other.literal_text().map_or_else(|| py.None(), |t| text(py, t)),
        }
    }
}

impl Cell for Field<bool> {
    fn to_py(&self, py: Python<'_>) -> Py<PyAny> {
        match self {
            Field::Value(b) => b.into_pyobject(py).map_or_else(|_| py.None(), |b| b.to_owned().into_any().unbind()),
            other => other.literal_text().map_or_else(|| py.None(), |t| text(py, t)),
        }
    }
}

impl Cell for Field<String> {
    fn to_py(&self, py: Python<'_>) -> Py<PyAny> {
        match self {
            Field::Value(value) => text(py, value),
            other => other.literal_text().map_or_else(|| py.None(), |t| text(py, t)),
        }
    }
}

/// When a key was last used: a `datetime`, `"never"` or `"no_information"`.
pub(crate) fn last_used(py: Python<'_>, value: Option<LastUsed>) -> Py<PyAny> {
    match value {
        None => py.None(),
        Some(LastUsed::At(ts)) => time(py, &ts),
        Some(LastUsed::Never) => text(py, "never"),
        Some(LastUsed::NoInformation) => text(py, "no_information"),
    }
}

/// A serializable core value as JSON text, compact or indented.
pub(crate) fn to_json<T: Serialize>(value: &T, indent: Option<usize>) -> PyResult<String> {
    let result = match indent {
        None => serde_json::to_string(value),
        Some(width) => {
            let spaces = vec![b' '; width];
            let mut out = Vec::new();
            let formatter = serde_json::ser::PrettyFormatter::with_indent(&spaces);
            let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
            value.serialize(&mut serializer).map(|()| String::from_utf8_lossy(&out).into_owned())
        }
    };
    result.map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(format!("cannot serialize: {e}")))
}

/// A serializable core value as Python objects: the JSON contract as dicts,
/// lists, strings, numbers, booleans and `None`, read by Python's `json`
/// from the core's JSON text (so that it is exactly what `to_json` says, a
/// fixed-size array a list, and a million findings read at C speed).
pub(crate) fn to_python<T: Serialize + ?Sized>(py: Python<'_>, value: &T) -> PyResult<Py<PyAny>> {
    let text = serde_json::to_string(value)
        .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(format!("cannot serialize: {e}")))?;
    let loads = JSON_LOADS.get_or_try_init(py, || py.import("json")?.getattr("loads").map(Bound::unbind))?;
    Ok(loads.bind(py).call1((text,))?.unbind())
}

static JSON_LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

static RECORDS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

/// Core records as the package's frozen dataclasses (`keyrot._records`):
/// each an instance of `class` built from its contract dict.
pub(crate) fn records<T: Serialize>(py: Python<'_>, class: &str, items: &[T]) -> PyResult<Py<PyList>> {
    let module = RECORDS.get_or_try_init(py, || py.import("keyrot._records").map(Bound::unbind))?;
    let build = module.bind(py).getattr(class)?.getattr("_from_contract")?;
    let list = PyList::empty(py);
    for item in items {
        list.append(build.call1((to_python(py, item)?,))?)?;
    }
    Ok(list.unbind())
}

/// Python's `repr()` of a text value, for `__repr__`.
pub(crate) fn quoted(py: Python<'_>, text: &str) -> String {
    PyString::new(py, text).repr().map_or_else(|_| format!("{text:?}"), |r| r.to_string())
}
