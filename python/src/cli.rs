//! `python -m keyrot`: the `keyrot` command itself, from the `keyrot-cli`
//! crate, so the module and the binary behave the same by construction.

use pyo3::prelude::*;
use std::ffi::OsString;
use std::path::PathBuf;

/// Runs the `keyrot` command line with `args` (the program name first),
/// writing to this process's stdout and stderr, and returns the exit status
/// (0 compliant, 1 not compliant, 2 bad input). The GIL is released while it
/// runs.
#[pyfunction]
pub(crate) fn run_cli(py: Python<'_>, args: Vec<PathBuf>) -> i32 {
    let args: Vec<OsString> = args.into_iter().map(PathBuf::into_os_string).collect();
    py.detach(move || keyrot_cli::run(args))
}
