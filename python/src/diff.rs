//! What changed from an older report to a newer one (the core's `diff`):
//! both reports read and compared with the GIL released, the result shown as
//! value objects, the JSON contract, or an Arrow C stream of its changes.

use crate::errors::{to_py_err, to_py_err_about};
use crate::options::{instant, Options};
use crate::run::{open, parse_options, FileFailure};
use crate::values::{self, name_of, quoted};
use keyrot::diff::ChangeCode;
use keyrot::read::{ParseOptions, Report};
use keyrot::Error;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyCapsule, PyList, PyString};
use std::path::PathBuf;
use std::sync::Arc;

/// One of the two reports, ready to read without the GIL.
enum Input<'py> {
    Bytes(Bound<'py, PyBytes>),
    Path(PathBuf),
}

impl<'py> Input<'py> {
    fn of(value: &Bound<'py, PyAny>, name: &str) -> PyResult<Input<'py>> {
        if let Ok(bytes) = value.cast::<PyBytes>() {
            return Ok(Input::Bytes(bytes.clone()));
        }
        value
            .extract::<PathBuf>()
            .map(Input::Path)
            .map_err(|_| PyTypeError::new_err(format!("`{name}` must be bytes or a path")))
    }

    /// The bytes, or the path to read.
    fn source(&self) -> Result<&[u8], PathBuf> {
        match self {
            Input::Bytes(b) => Ok(b.as_bytes()),
            Input::Path(p) => Err(p.clone()),
        }
    }
}

/// What the GIL-free part hands back: the diff, or why it could not be made.
enum Failure {
    /// A report could not be opened or read (`old` or `new`).
    Read(&'static str, FileFailure),
    /// The core's diff refused (an evaluation time it cannot find).
    Diff(Error),
}

fn read(input: &Result<&[u8], PathBuf>, options: &ParseOptions) -> Result<Report, FileFailure> {
    match input {
        Ok(bytes) => keyrot::read::parse(*bytes, options).map_err(FileFailure::Core),
        Err(path) => keyrot::read::parse(open(path).map_err(FileFailure::Open)?, options).map_err(FileFailure::Core),
    }
}

/// Reads two reports and compares them (the core's `diff`): `options`
/// hold the policy, `as_of` (the new report's) and the clock; `old_as_of`
/// is the old report's evaluation instant. `old_format` and `new_format`
/// override `options`' input format for one side (a boto3 response is
/// `cli_json` whatever the other is).
#[pyfunction]
#[pyo3(signature = (old, new, options, *, old_as_of=None, old_format=None, new_format=None))]
pub(crate) fn diff(
    py: Python<'_>,
    old: &Bound<'_, PyAny>,
    new: &Bound<'_, PyAny>,
    options: &Options,
    old_as_of: Option<&Bound<'_, PyAny>>,
    old_format: Option<&str>,
    new_format: Option<&str>,
) -> PyResult<DiffData> {
    let old_as_of = match old_as_of {
        Some(v) if !v.is_none() => Some(instant("old_as_of", v)?.map_err(|e| to_py_err(py, &e))?),
        _ => None,
    };
    let options = &options.inner;
    let format_name = |f: Option<&str>| f.map_or_else(|| name_of(&options.format), str::to_owned);
    let old_parse = parse_options(py, options.lenient, &format_name(old_format))?;
    let new_parse = parse_options(py, options.lenient, &format_name(new_format))?;
    let (old_in, new_in) = (Input::of(old, "old")?, Input::of(new, "new")?);
    // Bytes are borrowed from the Python objects (held above) and paths
    // owned, so the reading below needs no GIL.
    let old_source = old_in.source();
    let new_source = new_in.source();
    let result = py.detach(|| -> Result<keyrot::diff::Diff, Failure> {
        let old_report = read(&old_source, &old_parse).map_err(|e| Failure::Read("old", e))?;
        let new_report = read(&new_source, &new_parse).map_err(|e| Failure::Read("new", e))?;
        let times = keyrot::diff::DiffTimes { old_as_of, new_as_of: options.as_of };
        keyrot::diff(&old_report, &new_report, options, &times).map_err(Failure::Diff)
    });
    match result {
        Ok(d) => Ok(DiffData { inner: Arc::new(d) }),
        Err(Failure::Diff(e)) => Err(to_py_err(py, &e)),
        Err(Failure::Read(side, FileFailure::Core(e))) => Err(to_py_err_about(py, &e, &format!("the {side} report"))),
        Err(Failure::Read(side, open_failure)) => {
            let source = if side == "old" { old_source } else { new_source };
            let path = source.err().unwrap_or_default();
            Err(open_failure.into_py(py, &path))
        }
    }
}

/// The changes between two reports, as the core found them.
#[pyclass(frozen, module = "keyrot._native")]
pub(crate) struct DiffData {
    inner: Arc<keyrot::diff::Diff>,
}

#[pymethods]
impl DiffData {
    /// The policy both reports were judged by, as the JSON contract's dict.
    fn policy(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        values::to_python(py, &self.inner.policy)
    }

    /// The older report: when it was judged, and its counts.
    #[getter(old)]
    fn old_side(&self) -> DiffSide {
        DiffSide { inner: self.inner.old.clone() }
    }

    /// The newer report.
    #[getter(new)]
    fn new_side(&self) -> DiffSide {
        DiffSide { inner: self.inner.new.clone() }
    }

    /// How many changes of each kind, every kind listed (0 when absent), in
    /// the contract's order.
    fn counts(&self) -> Vec<(String, u64)> {
        let mut counts: Vec<(String, u64)> =
            ChangeCode::ALL.iter().map(|c| (name_of(c), self.inner.counts.get(c).copied().unwrap_or(0))).collect();
        for (code, n) in &self.inner.counts {
            if !ChangeCode::ALL.contains(code) {
                counts.push((name_of(code), *n));
            }
        }
        counts
    }

    /// Whether a key became overdue (the command's exit status 1).
    fn became_overdue(&self) -> bool {
        self.inner.became_overdue()
    }

    /// The number of changes.
    fn __len__(&self) -> usize {
        self.inner.changes.len()
    }

    /// Every change, users in the new report's order, then users removed.
    fn changes(&self, py: Python<'_>) -> PyResult<Py<PyList>> {
        let list = PyList::empty(py);
        for i in 0..self.inner.changes.len() {
            list.append(Bound::new(py, Change { data: Arc::clone(&self.inner), index: i })?)?;
        }
        Ok(list.unbind())
    }

    /// The whole diff as JSON text (the contract), compact or indented.
    #[pyo3(signature = (indent=None))]
    fn to_json(&self, py: Python<'_>, indent: Option<usize>) -> PyResult<Py<PyString>> {
        let inner = &self.inner;
        let text = py.detach(|| values::to_json(inner.as_ref(), indent))?;
        Ok(PyString::new(py, &text).unbind())
    }

    /// The changes alone as JSON text (a list).
    fn changes_json(&self, py: Python<'_>) -> PyResult<Py<PyString>> {
        let inner = &self.inner;
        let text = py.detach(|| values::to_json(&inner.changes, None))?;
        Ok(PyString::new(py, &text).unbind())
    }

    /// The changes as an Arrow C stream (the schema is `keyrot::arrow`'s
    /// `diff_schema`).
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        let inner = &self.inner;
        let batch = py.detach(|| keyrot::arrow::diff_batch(inner));
        crate::arrow::one_batch(py, batch, keyrot::arrow::diff_schema())
    }

    /// The columns read as enumerations, with their values in order.
    fn enums(&self) -> Vec<(String, Vec<String>)> {
        crate::arrow::enums(&keyrot::arrow::diff_schema())
    }
}

/// One side of a diff: when that report was judged, why then, and its
/// counts.
#[pyclass(frozen, module = "keyrot._native")]
pub(crate) struct DiffSide {
    inner: keyrot::diff::DiffSide,
}

#[pymethods]
impl DiffSide {
    /// The evaluation instant of this report, an aware `datetime` in UTC.
    #[getter]
    fn as_of(&self, py: Python<'_>) -> Py<PyAny> {
        values::time(py, &self.inner.as_of)
    }

    /// Where `as_of` came from: `explicit`, `report` (its `GeneratedTime`),
    /// `newest_timestamp` (the old report's newest timestamp) or `clock`
    /// (now, for the new report).
    #[getter]
    fn as_of_source(&self) -> String {
        name_of(&self.inner.as_of_source)
    }

    /// The report's `GeneratedTime`, when its input carried one.
    #[getter]
    fn generated_time(&self, py: Python<'_>) -> Py<PyAny> {
        values::opt_time(py, self.inner.generated_time.as_ref())
    }

    /// The number of keys in the report.
    #[getter]
    fn keys(&self) -> u64 {
        self.inner.keys
    }

    /// The number of failing keys in it.
    #[getter]
    fn fail(&self) -> u64 {
        self.inner.fail
    }

    /// The side as the JSON contract's dict.
    fn to_dict(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        values::to_python(py, &self.inner)
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<DiffSide>().is_ok_and(|o| o.get().inner == self.inner)
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        (self.inner.as_of, self.inner.keys, self.inner.fail).hash(&mut hasher);
        hasher.finish()
    }

    fn __repr__(&self) -> String {
        format!(
            "DiffSide(as_of={}, as_of_source={}, keys={}, fail={})",
            keyrot::format_timestamp(&self.inner.as_of),
            name_of(&self.inner.as_of_source),
            self.inner.keys,
            self.inner.fail
        )
    }
}

/// One change between the reports.
#[pyclass(frozen, module = "keyrot._native")]
pub(crate) struct Change {
    data: Arc<keyrot::diff::Diff>,
    index: usize,
}

impl Change {
    fn get(&self) -> &keyrot::diff::Change {
        &self.data.changes[self.index]
    }
}

#[pymethods]
impl Change {
    /// What changed: `rotated`, `newly_overdue`, `still_overdue`, `fixed`,
    /// `key_deleted`, `key_created`, `user_added` or `user_removed`.
    #[getter]
    fn change(&self) -> String {
        name_of(&self.get().change)
    }

    /// The account id.
    #[getter]
    fn account_id(&self) -> &str {
        &self.get().account_id
    }

    /// The user name.
    #[getter]
    fn user(&self) -> &str {
        &self.get().user
    }

    /// The key as the old report shows it (`None` for a key that appeared,
    /// and for users added or removed).
    #[getter]
    fn old_key(&self) -> Option<ChangedKey> {
        self.get().old_key.clone().map(|inner| ChangedKey { inner })
    }

    /// The key as the new report shows it (`None` for a key that is gone).
    #[getter]
    fn new_key(&self) -> Option<ChangedKey> {
        self.get().new_key.clone().map(|inner| ChangedKey { inner })
    }

    /// For `newly_overdue` and `still_overdue`: whole days overdue at the
    /// new report's `as_of`.
    #[getter]
    fn overdue_days(&self) -> Option<i64> {
        self.get().overdue_days
    }

    /// A sentence for people.
    #[getter]
    fn message(&self) -> &str {
        &self.get().message
    }

    /// The change as the JSON contract's dict.
    fn to_dict(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        values::to_python(py, self.get())
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<Change>().is_ok_and(|o| o.get().get() == self.get())
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let c = self.get();
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        (c.change, &c.account_id, &c.user).hash(&mut hasher);
        hasher.finish()
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let c = self.get();
        format!(
            "Change(change={}, account_id={}, user={})",
            quoted(py, &name_of(&c.change)),
            quoted(py, &c.account_id),
            quoted(py, &c.user)
        )
    }
}

/// One key of a change, as one report shows it.
#[pyclass(frozen, module = "keyrot._native")]
pub(crate) struct ChangedKey {
    inner: keyrot::diff::ChangedKey,
}

#[pymethods]
impl ChangedKey {
    /// The slot in that report.
    #[getter]
    fn slot(&self) -> u8 {
        self.inner.slot
    }

    /// The key's creation time: what matches it across reports.
    #[getter]
    fn last_rotated(&self, py: Python<'_>) -> Py<PyAny> {
        values::opt_time(py, self.inner.last_rotated.as_ref())
    }

    /// Its status in that report, judged at that report's `as_of`.
    #[getter]
    fn status(&self) -> &'static str {
        self.inner.status.as_str()
    }

    /// Whether it is active.
    #[getter]
    fn active(&self) -> bool {
        self.inner.active
    }

    /// The key as the JSON contract's dict.
    fn to_dict(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        values::to_python(py, &self.inner)
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<ChangedKey>().is_ok_and(|o| o.get().inner == self.inner)
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        (self.inner.slot, self.inner.last_rotated, self.inner.active).hash(&mut hasher);
        hasher.finish()
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let created = self.inner.last_rotated.map_or_else(|| "None".to_owned(), |t| keyrot::format_timestamp(&t));
        format!(
            "ChangedKey(slot={}, last_rotated={created}, status={}, active={})",
            self.inner.slot,
            quoted(py, self.inner.status.as_str()),
            if self.inner.active { "True" } else { "False" }
        )
    }
}
