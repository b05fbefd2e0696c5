//! Running the core, with the GIL released, and holding its results.

use crate::columns;
use crate::errors::IntoPyResult;
use crate::exemptions::Exemptions;
use crate::objects::{Anomaly, Finding, ReportOutcome, Row};
use crate::options::Options;
use crate::table::{FindingTable, PartBuilder, TableBuilder, TableView};
use crate::values;
use keyrot::{Analysis, ManyAnalysis, Merged, ParseOptions, Report, Run, Status};
use pyo3::exceptions::{PyIsADirectoryError, PyOSError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyString};
use serde::Serialize;
use std::convert::Infallible;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Why a report file could not be judged: opening it, or the core.
pub(crate) enum FileFailure {
    Open(std::io::Error),
    Core(keyrot::Error),
}

/// Opens a report file (without the GIL: the file system may be slow, or the
/// path a pipe that waits for a writer).
pub(crate) fn open(path: &Path) -> std::io::Result<File> {
    let file = File::open(path)?;
    match file.metadata() {
        Ok(meta) if meta.is_dir() => {
            Err(std::io::Error::new(std::io::ErrorKind::IsADirectory, "is a directory, not a report"))
        }
        _ => Ok(file),
    }
}

impl FileFailure {
    /// An open failure as the `OSError` subclass Python itself would raise
    /// (`FileNotFoundError`, `PermissionError`, …) with `errno`, `strerror`
    /// and `filename`; the core's error as `keyrot.ParseError`.
    pub(crate) fn into_py(self, py: Python<'_>, path: &Path) -> PyErr {
        match self {
            FileFailure::Open(e) if e.kind() == std::io::ErrorKind::IsADirectory => {
                PyIsADirectoryError::new_err(format!("is a directory, not a report: {}", path.display()))
            }
            FileFailure::Open(e) => os_error(py, &e, path),
            FileFailure::Core(e) => crate::errors::to_py_err(py, &e),
        }
    }
}

fn os_error(py: Python<'_>, err: &std::io::Error, path: &Path) -> PyErr {
    let Some(errno) = err.raw_os_error() else {
        return PyOSError::new_err(format!("{err}: {}", path.display()));
    };
    let text = err.to_string();
    let strerror = text.strip_suffix(&format!(" (os error {errno})")).unwrap_or(&text).to_owned();
    // OSError(errno, strerror, filename) picks the subclass from errno.
    match py.get_type::<PyOSError>().call1((errno, strerror, path.as_os_str())) {
        Ok(instance) => PyErr::from_value(instance),
        Err(e) => e,
    }
}

/// The most threads `analyze` judges a report on.
const MAX_THREADS: usize = 256;

/// `threads` as given to `analyze`, checked: 1 to [`MAX_THREADS`]; 0 (the
/// core's default policy) when not given.
fn requested_threads(py: Python<'_>, threads: Option<i64>) -> PyResult<usize> {
    let Some(n) = threads else { return Ok(0) };
    match usize::try_from(n) {
        Ok(n) if (1..=MAX_THREADS).contains(&n) => Ok(n),
        _ => Err(crate::errors::to_py_err(
            py,
            &keyrot::Error::new(
                keyrot::ErrorCode::InvalidPolicy,
                format!("`threads` must be between 1 and {MAX_THREADS}, not {n}"),
            )
            .at_column("threads")
            .with_value(&n.to_string()),
        )),
    }
}

/// The core's run with these options.
fn run(options: &keyrot::Options, exemptions: Option<&keyrot::Exemptions>, threads: usize) -> Run {
    let run = Run::new(options).threads(threads);
    match exemptions {
        Some(exemptions) => run.exemptions(exemptions),
        None => run,
    }
}

/// Reads and judges a report (the core's `Run`): each batch's findings are
/// made into columns on the thread that judged it, and the columns merged
/// in input order on this one, so the result does not depend on `threads`.
fn judge<R: Read>(input: R, run: &Run) -> Result<Judged, keyrot::Error> {
    let mut table = TableBuilder::new(false);
    let analysis = run.report_with(input, PartBuilder::of_batch, |batch, mut part| -> Result<(), keyrot::Error> {
        for (j, finding) in batch.findings().enumerate() {
            if let Some(exemption) = finding.exempted() {
                part.exempt(j, table.exemption_code(&exemption));
            }
        }
        table.push(part);
        Ok(())
    })?;
    Ok(Judged { outcome: Outcome::One(analysis), table: table.finish() })
}

/// Reads and judges a report held in memory.
#[pyfunction]
#[pyo3(signature = (data, options, exemptions=None, *, threads=None))]
pub(crate) fn analyze_bytes(
    py: Python<'_>,
    data: &[u8],
    options: &Options,
    exemptions: Option<&Exemptions>,
    threads: Option<i64>,
) -> PyResult<AnalysisData> {
    let run =
        run(&options.inner, exemptions.map(|e| &e.inner), requested_threads(py, threads)?).size_hint(data.len() as u64);
    let judged = py.detach(|| judge(data, &run)).or_raise(py)?;
    Ok(AnalysisData::new(judged))
}

/// Reads and judges a report file, streaming it.
#[pyfunction]
#[pyo3(signature = (path, options, exemptions=None, *, threads=None))]
pub(crate) fn analyze_file(
    py: Python<'_>,
    path: PathBuf,
    options: &Options,
    exemptions: Option<&Exemptions>,
    threads: Option<i64>,
) -> PyResult<AnalysisData> {
    let run = run(&options.inner, exemptions.map(|e| &e.inner), requested_threads(py, threads)?);
    let judged = py
        .detach(|| {
            let file = open(&path).map_err(FileFailure::Open)?;
            // A pipe cannot say its size.
            let run = match file.metadata().ok().filter(std::fs::Metadata::is_file) {
                Some(meta) => run.size_hint(meta.len()),
                None => run,
            };
            judge(file, &run).map_err(FileFailure::Core)
        })
        .map_err(|f| f.into_py(py, &path))?;
    Ok(AnalysisData::new(judged))
}

/// Judges several reports together (the core's `analyze_many`): `inputs`
/// are `(name, bytes)` or `(name, path)` pairs. An input that cannot be read
/// is reported in its outcome and does not stop the others.
#[pyfunction]
#[pyo3(signature = (inputs, options, exemptions=None))]
pub(crate) fn analyze_many(
    py: Python<'_>,
    inputs: Vec<(String, Bound<'_, PyAny>)>,
    options: &Options,
    exemptions: Option<&Exemptions>,
) -> PyResult<AnalysisData> {
    let mut held: Vec<(String, Option<Bound<'_, PyBytes>>, Option<PathBuf>)> = Vec::with_capacity(inputs.len());
    for (name, value) in inputs {
        if let Ok(bytes) = value.cast::<PyBytes>() {
            held.push((name, Some(bytes.clone()), None));
        } else if let Ok(path) = value.extract::<PathBuf>() {
            held.push((name, None, Some(path)));
        } else {
            return Err(PyTypeError::new_err(format!("input `{name}` must be bytes or a path")));
        }
    }
    let pending: Vec<(String, Result<&[u8], &Path>)> = held
        .iter()
        .map(|(name, bytes, path)| {
            let input = match (bytes, path) {
                (Some(b), _) => Ok(b.as_bytes()),
                (None, Some(p)) => Err(p.as_path()),
                (None, None) => Ok(&b""[..]),
            };
            (name.clone(), input)
        })
        .collect();
    let run = run(&options.inner, exemptions.map(|e| &e.inner), 0);
    let many = py.detach(move || {
        // Files are opened one at a time, as the run reaches them.
        let inputs = pending.into_iter().map(|(name, input)| {
            let reader: std::io::Result<Box<dyn Read>> = match input {
                Ok(bytes) => Ok(Box::new(bytes)),
                Err(path) => {
                    open(path).map(|f| Box::new(std::io::BufReader::with_capacity(64 * 1024, f)) as Box<dyn Read>)
                }
            };
            (name, reader)
        });
        let mut table = TableBuilder::new(true);
        // A report's parts, until it is known to have been read whole.
        let mut parts: Vec<PartBuilder> = Vec::new();
        let many = run.reports(inputs, PartBuilder::of_batch, |merged| -> Result<(), Infallible> {
            match merged {
                Merged::Batch { batch, made: mut part, .. } => {
                    for (j, finding) in batch.findings().enumerate() {
                        if let Some(exemption) = finding.exempted() {
                            part.exempt(j, table.exemption_code(&exemption));
                        }
                    }
                    parts.push(part);
                }
                Merged::Done { outcome, .. } => {
                    if outcome.error.is_none() {
                        let code = table.source_code(&outcome.source);
                        for mut part in parts.drain(..) {
                            part.set_source(code);
                            table.push(part);
                        }
                    }
                    parts.clear();
                }
            }
            Ok(())
        });
        let Ok(many) = many;
        Judged { outcome: Outcome::Many(many), table: table.finish() }
    });
    Ok(AnalysisData::new(many))
}

/// The parse options, named as in the JSON contract.
pub(crate) fn parse_options(py: Python<'_>, lenient: bool, format: &str) -> PyResult<ParseOptions> {
    let format = serde_json::from_value(serde_json::Value::String(format.to_owned())).map_err(|e| {
        keyrot::Error::new(keyrot::ErrorCode::InvalidPolicy, format!("`format`: {e}"))
            .at_column("format")
            .with_value(format)
    });
    Ok(ParseOptions { format: format.or_raise(py)?, lenient })
}

/// Reads a report held in memory into typed rows (the core's `parse_bytes`).
#[pyfunction]
#[pyo3(signature = (data, *, lenient=false, format="auto"))]
pub(crate) fn parse_bytes(py: Python<'_>, data: &[u8], lenient: bool, format: &str) -> PyResult<ReportData> {
    let options = parse_options(py, lenient, format)?;
    let report = py.detach(|| keyrot::parse_bytes(data, &options)).or_raise(py)?;
    Ok(ReportData { inner: Arc::new(report) })
}

/// Reads a report file into typed rows (the core's `parse`).
#[pyfunction]
#[pyo3(signature = (path, *, lenient=false, format="auto"))]
pub(crate) fn parse_file(py: Python<'_>, path: PathBuf, lenient: bool, format: &str) -> PyResult<ReportData> {
    let options = parse_options(py, lenient, format)?;
    let report = py
        .detach(|| keyrot::parse(open(&path).map_err(FileFailure::Open)?, &options).map_err(FileFailure::Core))
        .map_err(|f| f.into_py(py, &path))?;
    Ok(ReportData { inner: Arc::new(report) })
}

/// The serde name of a core enum (`csv`, `current`, `report`, …).
pub(crate) fn name_of<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        other => format!("{other:?}"),
    }
}

/// What the core judged, its findings aside: one report, or several
/// together.
pub(crate) enum Outcome {
    /// `analyze`: one report.
    One(Analysis),
    /// `analyze_many`: several reports, each finding naming its source.
    Many(ManyAnalysis),
}

/// What the core judged: the outcome, whose `findings` are empty, and the
/// findings as columns (see `table.rs`), the one copy kept.
pub(crate) struct Judged {
    pub(crate) outcome: Outcome,
    pub(crate) table: FindingTable,
}

impl Judged {
    pub(crate) fn len(&self) -> usize {
        self.table.len()
    }

    /// The outcome with its findings, rebuilt from the columns (for the
    /// JSON contract and the plans); `view` is `self.table`'s.
    pub(crate) fn complete(&self, view: &TableView<'_>) -> Outcome {
        match &self.outcome {
            Outcome::One(a) => Outcome::One(Analysis { findings: view.findings(), ..a.clone() }),
            Outcome::Many(m) => Outcome::Many(ManyAnalysis { findings: view.sourced_findings(), ..m.clone() }),
        }
    }

    fn policy(&self) -> &keyrot::Policy {
        match &self.outcome {
            Outcome::One(a) => &a.policy,
            Outcome::Many(m) => &m.policy,
        }
    }

    fn summary(&self) -> &keyrot::Summary {
        match &self.outcome {
            Outcome::One(a) => &a.summary,
            Outcome::Many(m) => &m.summary,
        }
    }

    fn one(&self) -> Option<&Analysis> {
        match &self.outcome {
            Outcome::One(a) => Some(a),
            Outcome::Many(_) => None,
        }
    }

    pub(crate) fn reports(&self) -> &[keyrot::ReportOutcome] {
        match &self.outcome {
            Outcome::One(_) => &[],
            Outcome::Many(m) => &m.reports,
        }
    }

    fn to_json(&self, view: &TableView<'_>, indent: Option<usize>) -> PyResult<String> {
        match self.complete(view) {
            Outcome::One(a) => values::to_json(&a, indent),
            Outcome::Many(m) => values::to_json(&m, indent),
        }
    }

    fn findings_json(&self, view: &TableView<'_>) -> PyResult<String> {
        match &self.outcome {
            Outcome::One(_) => values::to_json(&view.findings(), None),
            Outcome::Many(_) => values::to_json(&view.sourced_findings(), None),
        }
    }
}

/// The result of `analyze` or `analyze_many`, as the core made it. The
/// attributes of a single report (`as_of`, `input_format`, …) are `None`
/// for several; `reports()` is empty for one.
#[pyclass(frozen, module = "keyrot._native")]
pub(crate) struct AnalysisData {
    inner: Arc<Judged>,
}

impl AnalysisData {
    fn new(judged: Judged) -> AnalysisData {
        AnalysisData { inner: Arc::new(judged) }
    }
}

#[pymethods]
impl AnalysisData {
    /// Whether several reports were judged together.
    #[getter]
    fn many(&self) -> bool {
        matches!(self.inner.outcome, Outcome::Many(_))
    }

    /// The evaluation instant, an aware `datetime` in UTC.
    #[getter]
    fn as_of(&self, py: Python<'_>) -> Py<PyAny> {
        values::opt_time(py, self.inner.one().map(|a| &a.as_of))
    }

    /// The evaluation instant as RFC 3339 text ending in `Z`.
    fn as_of_text(&self) -> Option<String> {
        self.inner.one().map(|a| keyrot::format_timestamp(&a.as_of))
    }

    /// Where `as_of` came from: `explicit`, `report` or `clock`.
    #[getter]
    fn as_of_source(&self) -> Option<String> {
        self.inner.one().map(|a| name_of(&a.as_of_source))
    }

    /// `csv`, `base64` or `cli_json`.
    #[getter]
    fn input_format(&self) -> Option<String> {
        self.inner.one().map(|a| name_of(&a.input_format))
    }

    /// `current` or `legacy`.
    #[getter]
    fn layout(&self) -> Option<String> {
        self.inner.one().map(|a| name_of(&a.layout))
    }

    /// `GeneratedTime` from the input's wrapper, when known.
    #[getter]
    fn generated_time(&self, py: Python<'_>) -> Py<PyAny> {
        values::opt_time(py, self.inner.one().and_then(|a| a.generated_time.as_ref()))
    }

    /// The latest timestamp in the report.
    #[getter]
    fn newest_timestamp(&self, py: Python<'_>) -> Py<PyAny> {
        values::opt_time(py, self.inner.one().and_then(|a| a.newest_timestamp.as_ref()))
    }

    /// Whether no key fails and none is invalid (for several reports: of
    /// those that could be judged).
    #[getter]
    fn compliant(&self) -> bool {
        self.inner.summary().overall.compliant
    }

    /// The policy as applied, as the JSON contract's dict.
    fn policy(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        values::to_python(py, self.inner.policy())
    }

    /// The counts, as the JSON contract's dict.
    fn summary(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        values::to_python(py, self.inner.summary())
    }

    /// What happened to each input of `analyze_many`, in the order given.
    fn reports(&self) -> Vec<ReportOutcome> {
        (0..self.inner.reports().len()).map(|i| ReportOutcome::new(Arc::clone(&self.inner), i)).collect()
    }

    /// The number of findings.
    fn __len__(&self) -> usize {
        self.inner.len()
    }

    /// Every finding, in input order.
    fn findings(&self, py: Python<'_>) -> PyResult<Py<PyList>> {
        let list = PyList::empty(py);
        for i in 0..self.inner.len() {
            list.append(Bound::new(py, Finding::new(Arc::clone(&self.inner), i))?)?;
        }
        Ok(list.unbind())
    }

    /// The findings whose status is one of `statuses`, in input order; at
    /// most `limit` of them when given.
    #[pyo3(signature = (statuses, limit=None))]
    fn findings_with_status(
        &self,
        py: Python<'_>,
        statuses: Vec<String>,
        limit: Option<usize>,
    ) -> PyResult<Py<PyList>> {
        let mut wanted = Vec::new();
        for name in &statuses {
            wanted.push(Status::parse(name).ok_or_else(|| PyValueError::new_err(format!("unknown status `{name}`")))?);
        }
        let list = PyList::empty(py);
        for i in self.inner.table.with_status(&wanted).take(limit.unwrap_or(usize::MAX)) {
            list.append(Bound::new(py, Finding::new(Arc::clone(&self.inner), i))?)?;
        }
        Ok(list.unbind())
    }

    /// The anomalies, in the order the core found them.
    fn anomalies(&self) -> Vec<Anomaly> {
        match &self.inner.outcome {
            Outcome::One(a) => a.anomalies.iter().cloned().map(Anomaly::new).collect(),
            Outcome::Many(m) => {
                m.anomalies.iter().map(|s| Anomaly::with_source(s.anomaly.clone(), s.source.clone())).collect()
            }
        }
    }

    /// The whole result as JSON text (the contract), compact or indented.
    #[pyo3(signature = (indent=None))]
    fn to_json(&self, py: Python<'_>, indent: Option<usize>) -> PyResult<Py<PyString>> {
        let (inner, view) = (&self.inner, self.inner.table.view(py));
        let text = py.detach(|| inner.to_json(&view, indent))?;
        Ok(PyString::new(py, &text).unbind())
    }

    /// The findings alone as JSON text (a list).
    fn findings_json(&self, py: Python<'_>) -> PyResult<Py<PyString>> {
        let (inner, view) = (&self.inner, self.inner.table.view(py));
        let text = py.detach(|| inner.findings_json(&view))?;
        Ok(PyString::new(py, &text).unbind())
    }

    /// The rotation plans (rotation-rule.md §2), made from this analysis
    /// without reading the report again: one for `analyze`, one per judged
    /// report for `analyze_many` (each at its report's `as_of`).
    /// `access_keys`: the JSON `aws iam list-access-keys` printed, to fill
    /// in real key ids (a list that cannot be read raises
    /// `keyrot.ParseError`, `invalid_json`).
    #[pyo3(signature = (access_keys=None))]
    fn plans(&self, py: Python<'_>, access_keys: Option<&[u8]>) -> PyResult<Vec<crate::plan::PlanData>> {
        crate::plan::plans(py, &self.inner, access_keys)
    }

    /// The findings as columns (see `table.rs`), made as the report was
    /// judged: the text ones shared, the others copied into new buffers at
    /// each call.
    #[pyo3(signature = (*, text_lists=false))]
    fn columns<'py>(&self, py: Python<'py>, text_lists: bool) -> PyResult<Bound<'py, PyList>> {
        self.inner.table.to_python(py, text_lists)
    }
}

/// A parsed report, as the core read it.
#[pyclass(frozen, module = "keyrot._native")]
pub(crate) struct ReportData {
    inner: Arc<Report>,
}

#[pymethods]
impl ReportData {
    /// `csv`, `base64` or `cli_json`.
    #[getter]
    fn input_format(&self) -> String {
        name_of(&self.inner.input_format)
    }

    /// `current` or `legacy`.
    #[getter]
    fn layout(&self) -> String {
        name_of(&self.inner.layout)
    }

    /// The column names as read (trimmed, lowercased), in input order.
    #[getter]
    fn columns_read(&self) -> Vec<String> {
        self.inner.columns.clone()
    }

    /// `GeneratedTime` from the input's wrapper, when known.
    #[getter]
    fn generated_time(&self, py: Python<'_>) -> Py<PyAny> {
        values::opt_time(py, self.inner.generated_time.as_ref())
    }

    /// The number of rows.
    fn __len__(&self) -> usize {
        self.inner.rows.len()
    }

    /// Every row, in input order.
    fn rows(&self, py: Python<'_>) -> PyResult<Py<PyList>> {
        let list = PyList::empty(py);
        for i in 0..self.inner.rows.len() {
            list.append(Bound::new(py, Row::new(Arc::clone(&self.inner), i))?)?;
        }
        Ok(list.unbind())
    }

    /// Header anomalies, then one `row_error` per row problem.
    fn anomalies(&self) -> Vec<Anomaly> {
        self.inner.anomalies.iter().cloned().map(Anomaly::new).collect()
    }

    /// The whole report as JSON text (the contract), compact or indented.
    #[pyo3(signature = (indent=None))]
    fn to_json(&self, py: Python<'_>, indent: Option<usize>) -> PyResult<Py<PyString>> {
        let inner = &self.inner;
        let text = py.detach(|| values::to_json(inner.as_ref(), indent))?;
        Ok(PyString::new(py, &text).unbind())
    }

    /// The rows alone as JSON text (a list).
    fn rows_json(&self, py: Python<'_>) -> PyResult<Py<PyString>> {
        let inner = &self.inner;
        let text = py.detach(|| values::to_json(&inner.rows, None))?;
        Ok(PyString::new(py, &text).unbind())
    }

    /// The rows as typed columns (see `columns.rs`): built without the GIL.
    #[pyo3(signature = (*, text_lists=false))]
    fn columns<'py>(&self, py: Python<'py>, text_lists: bool) -> PyResult<Bound<'py, PyList>> {
        let inner = &self.inner;
        let built = py.detach(|| columns::rows(&inner.rows));
        columns::to_python(py, &built, text_lists)
    }
}
