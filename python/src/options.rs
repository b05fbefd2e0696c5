//! The options of an analysis, checked once when built.

use crate::errors::to_py_err;
use keyrot::{Error, ErrorCode, Timestamp};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDateTime, PyString};
use serde::de::DeserializeOwned;

/// The core's [`keyrot::Options`], built from Python values: `as_of` and
/// `clock` as aware `datetime`s or RFC 3339 text, the policy as integers,
/// `granularity` and `format` by the names the JSON contract uses.
#[pyclass(frozen, module = "keyrot._native")]
pub(crate) struct Options {
    pub(crate) inner: keyrot::Options,
}

/// An `invalid_policy` error naming the option.
fn bad_option(name: &str, message: String, value: &str) -> Error {
    Error::new(ErrorCode::InvalidPolicy, message).at_column(name).with_value(value)
}

/// A whole number of days as the core's `u32`. Out of that range it is an
/// `invalid_policy` error; within it, the core checks the option's own range.
fn days(name: &str, value: i64) -> Result<u32, Error> {
    u32::try_from(value).map_err(|_| bad_option(name, format!("`{name}` is out of range: {value}"), &value.to_string()))
}

/// An option named by text (`granularity`, `format`), read with the core's
/// own names so no list of names is kept here.
fn named<T: DeserializeOwned>(name: &str, value: &str) -> Result<T, Error> {
    serde_json::from_value(serde_json::Value::String(value.to_owned()))
        .map_err(|e| bad_option(name, format!("`{name}`: {e}"), value))
}

/// An instant given as an aware `datetime` or as RFC 3339 text.
pub(crate) fn instant(name: &str, value: &Bound<'_, PyAny>) -> PyResult<Result<Timestamp, Error>> {
    if let Ok(text) = value.cast::<PyString>() {
        let text = text.to_cow()?;
        return Ok(keyrot::parse_instant(name, &text));
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

/// `rules`: one string of ids separated by commas, or a sequence of ids.
#[derive(FromPyObject)]
enum Rules {
    One(String),
    Many(Vec<String>),
}

#[pymethods]
impl Options {
    /// Checks every option: a bad one raises `keyrot.PolicyError` naming it
    /// in `column`.
    #[new]
    #[pyo3(signature = (*, as_of=None, clock=None, max_age_days=90, warn_days=14, include_inactive=false,
                        granularity="exact", grace_days=7, lenient=false, format="auto", rules=None,
                        cis_version=None, unused_days=45, root_use_days=1, setup_seconds=600,
                        rotation_window_days=14))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        as_of: Option<&Bound<'_, PyAny>>,
        clock: Option<&Bound<'_, PyAny>>,
        max_age_days: i64,
        warn_days: i64,
        include_inactive: bool,
        granularity: &str,
        grace_days: i64,
        lenient: bool,
        format: &str,
        rules: Option<Rules>,
        cis_version: Option<&str>,
        unused_days: i64,
        root_use_days: i64,
        setup_seconds: i64,
        rotation_window_days: i64,
    ) -> PyResult<Options> {
        let as_of = match as_of {
            Some(v) if !v.is_none() => Some(instant("as_of", v)?.map_err(|e| to_py_err(py, &e))?),
            _ => None,
        };
        let clock = match clock {
            Some(v) if !v.is_none() => Some(instant("clock", v)?.map_err(|e| to_py_err(py, &e))?),
            _ => None,
        };
        let build = || -> Result<keyrot::Options, Error> {
            let inner = keyrot::Options {
                as_of,
                max_age_days: days("max_age_days", max_age_days)?,
                warn_days: days("warn_days", warn_days)?,
                include_inactive,
                granularity: named("granularity", granularity)?,
                grace_days: days("grace_days", grace_days)?,
                lenient,
                format: named("format", format)?,
                rules: match &rules {
                    None => keyrot::RuleSet::ROTATION,
                    Some(Rules::One(text)) => keyrot::RuleSet::read("rules", text.split(','))?,
                    Some(Rules::Many(names)) => keyrot::RuleSet::read("rules", names.iter().map(String::as_str))?,
                },
                cis_version: cis_version.map(|v| keyrot::cis::CisVersion::read("cis_version", v)).transpose()?,
                unused_days: days("unused_days", unused_days)?,
                root_use_days: days("root_use_days", root_use_days)?,
                setup_seconds: days("setup_seconds", setup_seconds)?,
                rotation_window_days: days("rotation_window_days", rotation_window_days)?,
                clock,
            };
            inner.policy().validate()?;
            inner.checks().validate()?;
            Ok(inner)
        };
        Ok(Options { inner: build().map_err(|e| to_py_err(py, &e))? })
    }

    fn __repr__(&self) -> PyResult<String> {
        Ok(format!("Options({})", crate::values::to_json(&self.inner, None)?))
    }
}
