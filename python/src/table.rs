//! Every result with a table, as the core made it: an analysis (one report
//! or several), a parsed report, a rotation plan, a diff. One class serves
//! them all with the same methods (the contract as JSON text or Python data,
//! the Arrow C stream, the lazy views), so the Python classes above it share
//! one base.

use crate::errors::{to_py_err, IntoPyResult};
use crate::judged::{Batches, Judged, Outcome};
use crate::values::{to_json, to_python};
use crate::views::{Finding, Row};
use keyrot::arrow::{self as arrow_out, FindingBatches};
use keyrot::diff::Diff;
use keyrot::plan::{KnownKey, Plan};
use keyrot::read::Report;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyDict, PyList, PyString};
use std::sync::Arc;

/// A plan and the report it is for (`analyze_many`: the name given for it).
struct Planned {
    plan: Plan,
    source: Option<String>,
}

/// What a table holds, shared with the views made of it.
enum Held {
    Analysis(Arc<Judged>),
    Report(Arc<Report>),
    Plan(Arc<Planned>),
    Diff(Arc<Diff>),
}

/// A result of the core: an analysis (`analyze`, `analyze_many`), a parsed
/// report (`parse`), a rotation plan (`plans`) or a diff (`diff`).
#[pyclass(frozen, module = "keyrot._native")]
pub(crate) struct Table {
    held: Held,
}

impl Table {
    pub(crate) fn analysis(judged: Judged) -> Table {
        Table { held: Held::Analysis(Arc::new(judged)) }
    }

    pub(crate) fn report(report: Report) -> Table {
        Table { held: Held::Report(Arc::new(report)) }
    }

    pub(crate) fn diff(diff: Diff) -> Table {
        Table { held: Held::Diff(Arc::new(diff)) }
    }

    fn judged(&self) -> PyResult<&Arc<Judged>> {
        match &self.held {
            Held::Analysis(judged) => Ok(judged),
            _ => Err(PyTypeError::new_err("only an analysis has findings, plans and report outcomes")),
        }
    }

    fn schema(&self) -> arrow_schema::SchemaRef {
        match &self.held {
            Held::Analysis(judged) => arrow_out::finding_schema(judged.many()),
            Held::Report(_) => arrow_out::rows_schema(),
            Held::Plan(planned) => arrow_out::plan_schema(planned.source.is_some()),
            Held::Diff(_) => arrow_out::diff_schema(),
        }
    }
}

/// The dict `head` is, with one more item.
fn with_item<T: serde::Serialize>(py: Python<'_>, head: Py<PyAny>, key: &str, value: &T) -> PyResult<Py<PyAny>> {
    head.bind(py).cast::<PyDict>()?.set_item(key, to_python(py, value)?)?;
    Ok(head)
}

#[pymethods]
impl Table {
    /// The number of rows: findings, report rows, steps or changes.
    fn __len__(&self) -> usize {
        match &self.held {
            Held::Analysis(judged) => judged.len,
            Held::Report(report) => report.rows.len(),
            Held::Plan(planned) => planned.plan.steps.len(),
            Held::Diff(diff) => diff.changes.len(),
        }
    }

    /// The contract's dict without the rows (`findings`, `rows`, `steps`
    /// or `changes` empty), with a plan's `source` and `step_counts` (the
    /// steps of each code present), a diff's `became_overdue`, and the
    /// `anomalies_omitted` of several reports.
    fn head(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match &self.held {
            Held::Analysis(judged) => match &judged.outcome {
                Outcome::One(analysis) => to_python(py, analysis),
                Outcome::Many(many) => {
                    with_item(py, to_python(py, many)?, "anomalies_omitted", &many.anomalies_omitted())
                }
            },
            Held::Report(r) => {
                let (columns, anomalies) = (r.columns.clone(), r.anomalies.clone());
                to_python(py, &Report { rows: Vec::new(), columns, anomalies, ..**r })
            }
            Held::Plan(p) => {
                let head = with_item(py, to_python(py, &Plan { steps: Vec::new(), ..p.plan })?, "source", &p.source)?;
                let counts: std::collections::BTreeMap<&str, u64> =
                    p.plan.counts().into_iter().map(|(code, n)| (code.as_str(), n)).collect();
                with_item(py, head, "step_counts", &counts)
            }
            Held::Diff(d) => {
                let (old, new, counts) = (d.old.clone(), d.new.clone(), d.counts.clone());
                let head = to_python(py, &Diff { changes: Vec::new(), old, new, counts, ..**d })?;
                with_item(py, head, "became_overdue", &d.became_overdue())
            }
        }
    }

    /// The rows as the contract's dicts, at most `limit` of them: findings
    /// (with `source` for several reports), report rows, steps or changes.
    #[pyo3(signature = (limit=None))]
    fn records(&self, py: Python<'_>, limit: Option<usize>) -> PyResult<Py<PyAny>> {
        let n = limit.unwrap_or(usize::MAX);
        match &self.held {
            Held::Analysis(judged) if judged.many() => to_python(py, &judged.sourced(n)),
            Held::Analysis(judged) => {
                to_python(py, &judged.findings().take(n).map(|f| f.to_finding()).collect::<Vec<_>>())
            }
            Held::Report(report) => to_python(py, &report.rows[..n.min(report.rows.len())]),
            Held::Plan(planned) => to_python(py, &planned.plan.steps[..n.min(planned.plan.steps.len())]),
            Held::Diff(diff) => to_python(py, &diff.changes[..n.min(diff.changes.len())]),
        }
    }

    /// The findings of an analysis as `Finding` views, or the rows of a
    /// report as `Row` views, in input order: only those whose status is
    /// one of `statuses` when given, and at most `limit` of them.
    #[pyo3(signature = (statuses=None, limit=None))]
    fn views(&self, py: Python<'_>, statuses: Option<Vec<String>>, limit: Option<usize>) -> PyResult<Py<PyList>> {
        let list = PyList::empty(py);
        let n = limit.unwrap_or(usize::MAX);
        if let Held::Report(report) = &self.held {
            for i in 0..report.rows.len().min(n) {
                list.append(Bound::new(py, Row::new(Arc::clone(report), i))?)?;
            }
            return Ok(list.unbind());
        }
        let judged = self.judged()?;
        let wanted = statuses
            .map(|s| keyrot::options::read_statuses("statuses", s.iter().map(String::as_str)))
            .transpose()
            .or_raise(py)?;
        let found =
            judged.findings().enumerate().filter(|(_, f)| wanted.as_ref().is_none_or(|w| w.contains(&f.status())));
        for i in found.map(|(i, _)| i).take(n).collect::<Vec<_>>() {
            list.append(Bound::new(py, Finding::new(Arc::clone(judged), i))?)?;
        }
        Ok(list.unbind())
    }

    /// The errors that kept the inputs of several reports from being judged,
    /// one per input in the order given (`None` for a report judged): each
    /// a `keyrot.ParseError` (or `PolicyError`) instance, not raised.
    fn errors(&self, py: Python<'_>) -> PyResult<Vec<Option<Py<PyAny>>>> {
        let reports = self.judged()?.reports();
        Ok(reports.iter().map(|r| r.error.as_ref().map(|e| to_py_err(py, e).into_value(py).into_any())).collect())
    }

    /// The rotation plans (rotation-rule.md §2) of an analysis, made without
    /// reading the report again: one for `analyze`, one per judged report
    /// for `analyze_many`. `access_keys` is the JSON `aws iam
    /// list-access-keys` printed (one document, an array, or several one
    /// after another).
    #[pyo3(signature = (access_keys=None))]
    fn plans(&self, py: Python<'_>, access_keys: Option<&[u8]>) -> PyResult<Vec<Table>> {
        let judged = self.judged()?;
        let made = py.detach(|| -> Result<Vec<Planned>, keyrot::Error> {
            let known: Option<Vec<KnownKey>> = access_keys.map(keyrot::plan::read_access_keys).transpose()?;
            let plan = |analysis: &keyrot::Analysis| keyrot::plan(analysis, known.as_deref());
            Ok(match judged.complete() {
                Outcome::One(analysis) => vec![Planned { plan: plan(&analysis), source: None }],
                Outcome::Many(many) => many
                    .analyses()
                    .into_iter()
                    .map(|(source, analysis)| Planned { plan: plan(&analysis), source: Some(source.to_owned()) })
                    .collect(),
            })
        });
        Ok(made.or_raise(py)?.into_iter().map(|p| Table { held: Held::Plan(Arc::new(p)) }).collect())
    }

    /// The whole result as JSON text (the contract), compact or indented.
    #[pyo3(signature = (indent=None))]
    fn to_json(&self, py: Python<'_>, indent: Option<usize>) -> PyResult<Py<PyString>> {
        let held = &self.held;
        let text = py.detach(|| match held {
            Held::Analysis(judged) => match judged.complete() {
                Outcome::One(analysis) => to_json(&analysis, indent),
                Outcome::Many(many) => to_json(&many, indent),
            },
            Held::Report(report) => to_json(report.as_ref(), indent),
            Held::Plan(planned) => to_json(&planned.plan, indent),
            Held::Diff(diff) => to_json(diff.as_ref(), indent),
        })?;
        Ok(PyString::new(py, &text).unbind())
    }

    /// The rows as an Arrow C stream (the Arrow PyCapsule interface), made
    /// without the GIL; an analysis' findings one record batch per judged
    /// batch, as the consumer reads them. The schemas are `keyrot::arrow`'s.
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        let batch = match &self.held {
            Held::Analysis(judged) => {
                return crate::arrow::stream(py, FindingBatches::new(Batches(Arc::clone(judged)), judged.many()));
            }
            Held::Report(report) => py.detach(|| arrow_out::rows_batch(&report.rows)),
            Held::Plan(p) => {
                let source = p.source.as_deref();
                py.detach(|| arrow_out::plan_batch([(source.unwrap_or(""), &p.plan)], source.is_some()))
            }
            Held::Diff(diff) => py.detach(|| arrow_out::diff_batch(diff)),
        };
        crate::arrow::one_batch(py, batch, self.schema())
    }

    /// The columns read as enumerations, with their values in order.
    fn enums(&self) -> Vec<(String, Vec<String>)> {
        crate::arrow::enums(&self.schema())
    }
}
