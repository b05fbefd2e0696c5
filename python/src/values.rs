//! Core values as Python objects: timestamps as aware `datetime`s, report
//! cells with AWS's literals kept as text, and the JSON contract as Python
//! dicts and lists.

use keyrot::read::Field;
use keyrot::{LastUsed, Timestamp};
use pyo3::prelude::*;
use pyo3::types::PyString;
use serde::Serialize;

/// A timestamp as a `datetime` in UTC, or `None` when Python cannot hold it
/// (its `datetime` spans the years 1 to 9999; the JSON contract keeps every
/// value as text).
pub(crate) fn time(py: Python<'_>, ts: &Timestamp) -> Py<PyAny> {
    match ts.into_pyobject(py) {
        Ok(dt) => dt.into_any().unbind(),
        Err(_) => py.None(),
    }
}

/// An optional timestamp as a `datetime` or `None`.
pub(crate) fn opt_time(py: Python<'_>, ts: Option<&Timestamp>) -> Py<PyAny> {
    ts.map_or_else(|| py.None(), |t| time(py, t))
}

/// The text AWS writes for a literal, or the raw text of an unreadable cell;
/// `None` for a value or an absent column (the core's spelling).
fn literal<T>(field: &Field<T>) -> Option<&str> {
    field.literal_text()
}

/// A timestamp cell: a `datetime`, the literal as text (`"N/A"`,
/// `"no_information"`, `"not_supported"`, `""`, or the raw text of an
/// unreadable cell), or `None` when the report has no such column.
pub(crate) fn time_field(py: Python<'_>, field: &Field<Timestamp>) -> Py<PyAny> {
    match field {
        Field::Value(ts) => time(py, ts),
        other => text_or_none(py, literal(other)),
    }
}

/// A boolean cell: `True`/`False`, the literal as text, or `None`.
pub(crate) fn bool_field(py: Python<'_>, field: &Field<bool>) -> PyResult<Py<PyAny>> {
    match field {
        Field::Value(b) => Ok(b.into_pyobject(py)?.to_owned().into_any().unbind()),
        other => Ok(text_or_none(py, literal(other))),
    }
}

/// A text cell: the text, the literal as text, or `None`.
pub(crate) fn text_field(py: Python<'_>, field: &Field<String>) -> Py<PyAny> {
    match field {
        Field::Value(text) => PyString::new(py, text).into_any().unbind(),
        other => text_or_none(py, literal(other)),
    }
}

fn text_or_none(py: Python<'_>, text: Option<&str>) -> Py<PyAny> {
    text.map_or_else(|| py.None(), |t| PyString::new(py, t).into_any().unbind())
}

/// When a key was last used: a `datetime`, `"never"` or `"no_information"`.
pub(crate) fn last_used(py: Python<'_>, value: Option<LastUsed>) -> Py<PyAny> {
    match value {
        None => py.None(),
        Some(LastUsed::At(ts)) => time(py, &ts),
        Some(LastUsed::Never) => PyString::new(py, "never").into_any().unbind(),
        Some(LastUsed::NoInformation) => PyString::new(py, "no_information").into_any().unbind(),
    }
}

/// A serializable core value as compact JSON text.
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

/// A serializable core value as Python objects (the JSON contract: dicts,
/// lists, strings, numbers, booleans and `None`).
pub(crate) fn to_python<T: Serialize>(py: Python<'_>, value: &T) -> PyResult<Py<PyAny>> {
    Ok(pythonize::pythonize(py, value)?.unbind())
}

/// Python's `repr()` of a text value, for `__repr__`.
pub(crate) fn quoted(py: Python<'_>, text: &str) -> String {
    PyString::new(py, text).repr().map_or_else(|_| format!("{text:?}"), |r| r.to_string())
}

/// The serde name of a core enum (`csv`, `current`, `report`, …).
pub(crate) fn name_of<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        other => format!("{other:?}"),
    }
}
