//! The options of an analysis, read by the core once when built.

use crate::errors::to_py_err;
use keyrot::{Error, ErrorCode, Timestamp};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDate, PyDateTime, PyDict, PyString};

/// The core's [`keyrot::Options`], built from Python values: `as_of` and
/// `clock` as aware `datetime`s or text, the policy as integers,
/// `granularity` and `format` by the names the JSON contract uses.
#[pyclass(frozen, module = "keyrot._native")]
pub(crate) struct Options {
    pub(crate) inner: keyrot::Options,
}

/// An instant given as text (RFC 3339, or a date alone) or a `datetime.date`
/// (its ISO text: a date alone), for the core to read; `None` for anything
/// else.
fn text_of(value: &Bound<'_, PyAny>) -> PyResult<Option<String>> {
    if let Ok(text) = value.cast::<PyString>() {
        return Ok(Some(text.to_cow()?.into_owned()));
    }
    if value.is_instance_of::<PyDate>() && !value.is_instance_of::<PyDateTime>() {
        return Ok(Some(value.call_method0("isoformat")?.extract()?));
    }
    Ok(None)
}

/// An instant given as an aware `datetime`, a `datetime.date` (its midnight
/// UTC) or text (RFC 3339, or a date alone). A naive `datetime` is an error
/// that says why.
pub(crate) fn instant(name: &str, value: &Bound<'_, PyAny>) -> PyResult<Result<Timestamp, Error>> {
    if let Some(text) = text_of(value)? {
        return Ok(keyrot::options::parse_instant(name, &text));
    }
    let Ok(dt) = value.cast::<PyDateTime>() else {
        return Err(PyTypeError::new_err(format!(
            "`{name}` must be an aware datetime, a date or RFC 3339 text, not {}",
            value.get_type().name()?
        )));
    };
    let repr = dt.repr().map(|r| r.to_string()).unwrap_or_default();
    let message = if dt.getattr("utcoffset")?.call0()?.is_none() {
        format!(
            "`{name}` is a naive datetime (no tzinfo), so the instant it means depends on a time zone \
             keyrot cannot know: pass an aware datetime such as datetime(2026, 11, 26, tzinfo=timezone.utc), \
             a date, or RFC 3339 text like 2026-11-26T00:00:00Z"
        )
    } else {
        match dt.extract::<chrono::DateTime<chrono::FixedOffset>>() {
            Ok(t) => return Ok(Ok(t.to_utc())),
            Err(e) => format!("`{name}` cannot be read: {e}"),
        }
    };
    Ok(Err(Error::new(ErrorCode::InvalidAsOf, message).at_column(name).with_value(&repr)))
}

#[pymethods]
impl Options {
    /// Reads the options given by name, as the JSON contract names them
    /// (the core's one reader, with its defaults for the names left out or
    /// `None`); `as_of` may be an aware `datetime` or a `datetime.date`, and
    /// `clock` an aware `datetime`. A bad one raises `keyrot.PolicyError`
    /// naming it in `column`; an unknown name lists the names and suggests
    /// the one meant.
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
            let value: serde_json::Value = match name.as_str() {
                "clock" => {
                    clock = Some(instant(&name, &value)?.map_err(|e| to_py_err(py, &e))?);
                    continue;
                }
                // Text is read by the core, which also takes a date alone.
                "as_of" => match text_of(&value)? {
                    Some(text) => text.into(),
                    None => keyrot::format_timestamp(&instant(&name, &value)?.map_err(|e| to_py_err(py, &e))?).into(),
                },
                _ => pythonize::depythonize(&value)
                    .map_err(|e| PyTypeError::new_err(format!("`{name}` cannot be read: {e}")))?,
            };
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
