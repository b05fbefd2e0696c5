//! `keyrot._native`: the extension module behind the Python package
//! `keyrot` (see `python/py_src/keyrot`).
//!
//! An adapter over the `keyrot` core: it converts Python arguments into the
//! core's [`keyrot::Options`], runs the core with the GIL released, and hands
//! the result back as frozen value objects, the core's JSON contract, or an
//! Arrow C stream of the core's record batches (`__arrow_c_stream__`). It re-implements no rule: every verdict,
//! field name and error comes from the core, and `python -m keyrot` calls
//! the `keyrot-cli` crate itself.

mod arrow;
mod cli;
mod diff;
mod errors;
mod exemptions;
mod history;
mod judged;
mod objects;
mod options;
mod plan;
mod result;
mod run;
mod values;

use pyo3::prelude::*;

/// The extension module. It keeps no global state that needs the GIL, so it
/// declares support for free-threaded Python.
#[pymodule(gil_used = false)]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<options::Options>()?;
    m.add_class::<result::AnalysisData>()?;
    m.add_class::<result::ReportData>()?;
    m.add_class::<exemptions::Exemptions>()?;
    m.add_class::<objects::Finding>()?;
    m.add_class::<objects::Anomaly>()?;
    m.add_class::<objects::Row>()?;
    m.add_class::<objects::ReportOutcome>()?;
    m.add_class::<plan::PlanData>()?;
    m.add_class::<plan::Step>()?;
    m.add_class::<plan::PlanKey>()?;
    m.add_class::<diff::DiffData>()?;
    m.add_class::<diff::DiffSide>()?;
    m.add_class::<diff::Change>()?;
    m.add_class::<diff::ChangedKey>()?;
    m.add_function(wrap_pyfunction!(run::analyze_bytes, m)?)?;
    m.add_function(wrap_pyfunction!(run::analyze_file, m)?)?;
    m.add_function(wrap_pyfunction!(run::analyze_many, m)?)?;
    m.add_function(wrap_pyfunction!(run::parse_bytes, m)?)?;
    m.add_function(wrap_pyfunction!(run::parse_file, m)?)?;
    m.add_function(wrap_pyfunction!(diff::diff, m)?)?;
    m.add_function(wrap_pyfunction!(history::history, m)?)?;
    m.add_function(wrap_pyfunction!(history::time_in_name, m)?)?;
    m.add_function(wrap_pyfunction!(cli::run_cli, m)?)?;
    Ok(())
}
