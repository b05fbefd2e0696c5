//! `keyrot._native`: the extension module behind the Python package
//! `keyrot` (see `python/py_src/keyrot`).
//!
//! An adapter over the `keyrot` core: it converts Python arguments into the
//! core's [`keyrot::Options`], runs the core with the GIL released, and hands
//! the result back as lazy views (`Finding`, `Row`), the core's JSON
//! contract as Python data (which the package makes into frozen
//! dataclasses), or an Arrow C stream of the core's record batches
//! (`__arrow_c_stream__`). It re-implements no rule: every verdict, field
//! name, default, list of names and error comes from the core, and
//! `python -m keyrot` calls the `keyrot-cli` crate itself.

mod arrow;
mod cli;
mod errors;
mod exemptions;
mod history;
mod judged;
mod options;
mod run;
mod stream;
mod table;
mod values;
mod views;

use pyo3::prelude::*;
use pyo3::types::PyTuple;

/// The stable names of a core enumeration, in the core's order.
fn names<'py, T: Copy>(py: Python<'py>, all: &[T], name: fn(T) -> &'static str) -> PyResult<Bound<'py, PyTuple>> {
    PyTuple::new(py, all.iter().map(|&v| name(v)))
}

/// The error for an option `name` that the package's `function` does not
/// take (one of `known`): a `keyrot.PolicyError` instance, not raised,
/// with the core's message and did-you-mean.
#[pyfunction]
fn unknown_option(py: Python<'_>, function: &str, name: &str, known: Vec<String>) -> Py<PyAny> {
    let known: Vec<&str> = known.iter().map(String::as_str).collect();
    let error = keyrot::options::unknown_option(function, name, &known);
    errors::to_py_err(py, &error).into_value(py).into_any()
}

/// The extension module. It keeps no global state that needs the GIL, so it
/// declares support for free-threaded Python.
#[pymodule(gil_used = false)]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("DEFAULT_OPTIONS", values::to_python(py, &keyrot::Options::default())?)?;
    m.add("HISTORY_DEFAULTS", values::to_python(py, &keyrot::plan::history::HistoryOptions::DEFAULT)?)?;
    m.add("STATUSES", names(py, &keyrot::Status::ALL, keyrot::Status::as_str)?)?;
    let non_compliant: Vec<keyrot::Status> = keyrot::Status::ALL.into_iter().filter(|s| s.is_non_compliant()).collect();
    m.add("NON_COMPLIANT", names(py, &non_compliant, keyrot::Status::as_str)?)?;
    m.add("RULES", names(py, &keyrot::Rule::ALL, keyrot::Rule::as_str)?)?;
    m.add("RULE_TITLES", names(py, &keyrot::Rule::ALL, keyrot::Rule::summary)?)?;
    m.add("CIS_VERSIONS", names(py, &keyrot::cis::CisVersion::ALL, keyrot::cis::CisVersion::as_str)?)?;
    m.add("GRANULARITIES", names(py, &keyrot::Granularity::ALL, keyrot::Granularity::as_str)?)?;
    m.add("FORMATS", names(py, &keyrot::InputFormat::ALL, keyrot::InputFormat::as_str)?)?;
    m.add("ANOMALY_CODES", names(py, &keyrot::AnomalyCode::ALL, keyrot::AnomalyCode::as_str)?)?;
    m.add("STEPS", names(py, &keyrot::plan::StepCode::ALL, keyrot::plan::StepCode::as_str)?)?;
    m.add("ROLES", PyTuple::new(py, keyrot::plan::PlanKey::ROLES)?)?;
    m.add("CHANGES", names(py, &keyrot::diff::ChangeCode::ALL, keyrot::diff::ChangeCode::as_str)?)?;
    m.add_class::<options::Options>()?;
    m.add_class::<exemptions::Exemptions>()?;
    m.add_class::<table::Table>()?;
    m.add_class::<views::Finding>()?;
    m.add_class::<views::Row>()?;
    m.add_class::<stream::Stream>()?;
    m.add_function(wrap_pyfunction!(run::analyze, m)?)?;
    m.add_function(wrap_pyfunction!(run::analyze_many, m)?)?;
    m.add_function(wrap_pyfunction!(run::parse, m)?)?;
    m.add_function(wrap_pyfunction!(stream::stream, m)?)?;
    m.add_function(wrap_pyfunction!(run::diff, m)?)?;
    m.add_function(wrap_pyfunction!(run::reports_in, m)?)?;
    m.add_function(wrap_pyfunction!(unknown_option, m)?)?;
    m.add_function(wrap_pyfunction!(history::history, m)?)?;
    m.add_function(wrap_pyfunction!(history::time_in_name, m)?)?;
    m.add_function(wrap_pyfunction!(cli::run_cli, m)?)?;
    Ok(())
}
