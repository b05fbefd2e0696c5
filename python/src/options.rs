//! The options of an analysis, checked once when built.

use crate::errors::to_py_err;
use keyrot::{Error, ErrorCode, Timestamp};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDateTime, PyDict, PyString};

/// The core's [`keyrot::Options`], built from Python values: `as_of` and
/// `clock` as aware `datetime`s or RFC 3339 text, the policy as integers,
/// `granularity` and `format` by the names the JSON contract uses.
#[pyclass(frozen, module = "keyrot._native")]
pub(crate) struct Options {
    pub(crate) inner: keyrot::Options,
}

/// An instant given as an aware `datetime` or as RFC 3339 text.
pub(crate) fn instant(name: &str, value: &Bound<'_, PyAny>) -> PyResult<Result<Timestamp, Error>> {
    if let Ok(text) = value.cast::<PyString>() {
        let text = text.to_cow()?;
        return Ok(keyrot::options::parse_instant(name, &text));
    }
    if let Ok(dt) = value.cast::<PyDateTime>() {
        let repr = dt.repr().map(|r| r.to_string()).unwrap_or_default();
        if dt.getattr("utcoffset")?.call0()?.is_none() {
            return Ok(Err(Error::new(
                ErrorCode::InvalidAsOf,
                format!(
                    "`{name}` is a naive datetime (no tzinfo), so the instant it means depends on a time zone \
                     keyrot cannot know: pass an aware datetime such as datetime(2026, 11, 26, tzinfo=timezone.utc), \
                     or RFC 3339 text like 2026-11-26T00:00:00Z"
                ),
            )
            .at_column(name)
            .with_value(&repr)));
        }
        return match dt.extract::<chrono::DateTime<chrono::FixedOffset>>() {
            Ok(t) => Ok(Ok(t.to_utc())),
            Err(e) => Ok(Err(Error::new(ErrorCode::InvalidAsOf, format!("`{name}` cannot be read: {e}"))
                .at_column(name)
                .with_value(&repr))),
        };
    }
    Err(PyTypeError::new_err(format!(
        "`{name}` must be an aware datetime or RFC 3339 text, not {}",
        value.get_type().name()?
    )))
}

#[pymethods]
impl Options {
    /// Reads the options given by name, as the JSON contract names them
    /// (the core's one reader, with its defaults for the names left out or
    /// `None`); `as_of` and `clock` may be aware `datetime`s. A bad one
    /// raises `keyrot.PolicyError` naming it in `column`; an unknown name
    /// lists the names and suggests the one meant.
    #[new]
    #[pyo3(signature = (**options))]
    fn new(py: Python<'_>, options: Option<&Bound<'_, PyDict>>) -> PyResult<Options> {
        let mut map = serde_json::Map::new();
        let mut clock = None;
        for (name, value) in options.into_iter().flat_map(|d| d.iter()) {
            let name: String = name.extract()?;
            if value.is_none() {
                continue;
            }
            if name == "as_of" && value.is_instance_of::<PyString>() {
                // Text is read by the core, which also takes a date alone.
                map.insert(name, value.extract::<String>()?.into());
                continue;
            }
            if name == "as_of" || name == "clock" {
                let t = instant(&name, &value)?.map_err(|e| to_py_err(py, &e))?;
                if name == "clock" {
                    clock = Some(t);
                } else {
                    map.insert(name, keyrot::format_timestamp(&t).into());
                }
                continue;
            }
            let value: serde_json::Value = pythonize::depythonize(&value)
                .map_err(|e| PyTypeError::new_err(format!("`{name}` cannot be read: {e}")))?;
            map.insert(name, value);
        }
        let mut inner = keyrot::Options::from_value(map.into()).map_err(|e| to_py_err(py, &e))?;
        inner.clock = clock;
        Ok(Options { inner })
    }

    fn __repr__(&self) -> PyResult<String> {
        Ok(format!("Options({})", crate::values::to_json(&self.inner, None)?))
    }
}
