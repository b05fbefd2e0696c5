//! The results as Python objects: an analysis (one report or several) and a
//! parsed report, over what the core made (see `judged`).

use crate::judged::{Batches, Judged, Outcome};
use crate::objects::{Anomaly, Finding, ReportOutcome, Row};
use crate::values::{self, name_of};
use keyrot::read::Report;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyList, PyString};
use std::sync::Arc;

/// The result of `analyze` or `analyze_many`. The attributes of a single
/// report (`as_of`, `input_format`, …) are `None` for several; `reports()`
/// is empty for one.
#[pyclass(frozen, module = "keyrot._native")]
pub(crate) struct AnalysisData {
    inner: Arc<Judged>,
}

impl AnalysisData {
    pub(crate) fn new(judged: Judged) -> AnalysisData {
        AnalysisData { inner: Arc::new(judged) }
    }

    fn list(&self, py: Python<'_>, indexes: impl Iterator<Item = usize>) -> PyResult<Py<PyList>> {
        let list = PyList::empty(py);
        for i in indexes {
            list.append(Bound::new(py, Finding::new(Arc::clone(&self.inner), i))?)?;
        }
        Ok(list.unbind())
    }
}

#[pymethods]
impl AnalysisData {
    /// Whether several reports were judged together.
    #[getter]
    fn many(&self) -> bool {
        self.inner.many()
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

    /// The lowercase hex SHA-256 of the input's bytes, as given: the
    /// evidence of exactly what was judged.
    #[getter]
    fn input_sha256(&self) -> Option<&str> {
        self.inner.one().and_then(|a| a.input_sha256.as_deref())
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
        match &self.inner.outcome {
            Outcome::One(a) => a.summary.overall.compliant,
            Outcome::Many(m) => m.summary.overall.compliant,
        }
    }

    /// The policy as applied, as the JSON contract's dict.
    fn policy(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match &self.inner.outcome {
            Outcome::One(a) => values::to_python(py, &a.policy),
            Outcome::Many(m) => values::to_python(py, &m.policy),
        }
    }

    /// The counts, as the JSON contract's dict.
    fn summary(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match &self.inner.outcome {
            Outcome::One(a) => values::to_python(py, &a.summary),
            Outcome::Many(m) => values::to_python(py, &m.summary),
        }
    }

    /// What happened to each input of `analyze_many`, in the order given.
    fn reports(&self) -> Vec<ReportOutcome> {
        (0..self.inner.reports().len()).map(|i| ReportOutcome::new(Arc::clone(&self.inner), i)).collect()
    }

    /// The number of findings.
    fn __len__(&self) -> usize {
        self.inner.len
    }

    /// Every finding, in input order.
    fn findings(&self, py: Python<'_>) -> PyResult<Py<PyList>> {
        self.list(py, 0..self.inner.len)
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
        let wanted = keyrot::options::read_statuses("statuses", statuses.iter().map(String::as_str))
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        let found = self.inner.findings().enumerate().filter(|(_, f)| wanted.contains(&f.status())).map(|(i, _)| i);
        let found: Vec<usize> = found.take(limit.unwrap_or(usize::MAX)).collect();
        self.list(py, found.into_iter())
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

    /// Per anomaly code, how many more anomalies were found than were kept
    /// (the first 100 of each code of each report are), summed over the
    /// reports of `analyze_many`.
    fn anomalies_omitted(&self) -> std::collections::BTreeMap<&'static str, u64> {
        let mut omitted = std::collections::BTreeMap::new();
        let maps: Vec<&std::collections::BTreeMap<keyrot::AnomalyCode, u64>> = match &self.inner.outcome {
            Outcome::One(a) => vec![&a.anomalies_omitted],
            Outcome::Many(m) => m.reports.iter().map(|r| &r.anomalies_omitted).collect(),
        };
        for (code, n) in maps.into_iter().flatten() {
            *omitted.entry(code.as_str()).or_default() += n;
        }
        omitted
    }

    /// The whole result as JSON text (the contract), compact or indented.
    #[pyo3(signature = (indent=None))]
    fn to_json(&self, py: Python<'_>, indent: Option<usize>) -> PyResult<Py<PyString>> {
        let inner = &self.inner;
        let text = py.detach(|| match inner.complete() {
            Outcome::One(a) => values::to_json(&a, indent),
            Outcome::Many(m) => values::to_json(&m, indent),
        })?;
        Ok(PyString::new(py, &text).unbind())
    }

    /// The findings alone as JSON text (a list).
    fn findings_json(&self, py: Python<'_>) -> PyResult<Py<PyString>> {
        let inner = &self.inner;
        let text = py.detach(|| match &inner.outcome {
            Outcome::One(_) => values::to_json(&inner.findings().map(|f| f.to_finding()).collect::<Vec<_>>(), None),
            Outcome::Many(_) => values::to_json(&inner.sourced(), None),
        })?;
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

    /// The findings as an Arrow C stream (the Arrow PyCapsule interface):
    /// one record batch per judged batch, made as the consumer reads it
    /// (a few at once, one per core).
    /// The schema is `keyrot::arrow`'s (see the README).
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        let batches = keyrot::arrow::FindingBatches::new(Batches(Arc::clone(&self.inner)), self.inner.many());
        crate::arrow::stream(py, batches)
    }

    /// The columns read as enumerations, with their values in order.
    fn enums(&self) -> Vec<(String, Vec<String>)> {
        crate::arrow::enums(&keyrot::arrow::finding_schema(self.inner.many()))
    }
}

/// A parsed report, as the core read it.
#[pyclass(frozen, module = "keyrot._native")]
pub(crate) struct ReportData {
    pub(crate) inner: Arc<Report>,
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

    /// The rows as an Arrow C stream (the schema is `keyrot::arrow`'s
    /// `rows_schema`), built without the GIL.
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        let inner = &self.inner;
        let batch = py.detach(|| keyrot::arrow::rows_batch(&inner.rows));
        crate::arrow::one_batch(py, batch, keyrot::arrow::rows_schema())
    }

    /// The columns read as enumerations (none for rows).
    fn enums(&self) -> Vec<(String, Vec<String>)> {
        crate::arrow::enums(&keyrot::arrow::rows_schema())
    }
}
