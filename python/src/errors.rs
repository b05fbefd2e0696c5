//! The core's [`keyrot::Error`] as a Python exception.
//!
//! The exception classes are defined in Python (`keyrot/_errors.py`), which
//! works on every abi3 version; this module looks them up once and builds
//! instances carrying `code`, `line`, `column` and `value`, with the core's
//! `Display` sentence as the message.

use keyrot::ErrorCode;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyType};

static PARSE_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static POLICY_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// Whether an error code is about the options (the policy, the evaluation
/// time, the exemptions) rather than the report.
fn is_policy_error(code: ErrorCode) -> bool {
    matches!(code, ErrorCode::InvalidPolicy | ErrorCode::InvalidAsOf | ErrorCode::InvalidExemptions)
}

fn error_class<'py>(py: Python<'py>, code: ErrorCode) -> PyResult<&'py Bound<'py, PyType>> {
    let (cell, name) =
        if is_policy_error(code) { (&POLICY_ERROR, "PolicyError") } else { (&PARSE_ERROR, "ParseError") };
    cell.import(py, "keyrot._errors", name)
}

/// Builds the Python exception (`keyrot.ParseError` or `keyrot.PolicyError`)
/// for a core error.
pub(crate) fn to_py_err(py: Python<'_>, err: &keyrot::Error) -> PyErr {
    match build(py, err, err.to_string()) {
        Ok(exception) => exception,
        // Only if the Python half of the package is broken.
        Err(import_failure) => import_failure,
    }
}

/// Like [`to_py_err`], with the message saying which input it is about
/// (`the old report: line 3, …`); the attributes are the core's.
pub(crate) fn to_py_err_about(py: Python<'_>, err: &keyrot::Error, what: &str) -> PyErr {
    match build(py, err, format!("{what}: {err}")) {
        Ok(exception) => exception,
        Err(import_failure) => import_failure,
    }
}

fn build(py: Python<'_>, err: &keyrot::Error, message: String) -> PyResult<PyErr> {
    let class = error_class(py, err.code())?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("code", err.code().as_str())?;
    kwargs.set_item("line", err.line())?;
    kwargs.set_item("column", err.column())?;
    kwargs.set_item("value", err.value())?;
    let instance = class.call((message,), Some(&kwargs))?;
    Ok(PyErr::from_value(instance))
}

/// Shorthand for a `PyResult` out of a core result.
pub(crate) trait IntoPyResult<T> {
    /// Converts the core's error into the Python exception.
    fn or_raise(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> IntoPyResult<T> for Result<T, keyrot::Error> {
    fn or_raise(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| to_py_err(py, &e))
    }
}
