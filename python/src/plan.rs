//! The rotation plan (rotation-rule.md §2): made by the core from the
//! analysis the binding already holds (nothing is read again), and shown as
//! value objects, the JSON contract, or an Arrow C stream of its steps.

use crate::errors::IntoPyResult;
use crate::judged::{Judged, Outcome};
use crate::values::{self, name_of, quoted};
use keyrot::plan::{KnownKey, Plan, StepCode};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyList, PyString};
use std::sync::Arc;

/// A plan and the report it is for (`analyze_many`: the name given for it).
pub(crate) struct Planned {
    pub(crate) plan: Plan,
    pub(crate) source: Option<String>,
}

/// The plans of what was judged: one for `analyze`, one per judged report
/// for `analyze_many`. `access_keys` is the JSON `aws iam list-access-keys`
/// printed (one document, an array, or several one after another).
pub(crate) fn plans(py: Python<'_>, judged: &Judged, access_keys: Option<&[u8]>) -> PyResult<Vec<PlanData>> {
    let made = py.detach(|| -> Result<Vec<Planned>, keyrot::Error> {
        let known: Option<Vec<KnownKey>> = access_keys.map(keyrot::plan::read_access_keys).transpose()?;
        Ok(match judged.complete() {
            Outcome::One(analysis) => vec![Planned { plan: keyrot::plan(&analysis, known.as_deref()), source: None }],
            Outcome::Many(many) => many
                .analyses()
                .into_iter()
                .map(|(source, analysis)| Planned {
                    plan: keyrot::plan(&analysis, known.as_deref()),
                    source: Some(source.to_owned()),
                })
                .collect(),
        })
    });
    Ok(made.or_raise(py)?.into_iter().map(|p| PlanData { inner: Arc::new(p) }).collect())
}

/// A rotation plan, as the core made it.
#[pyclass(frozen, module = "keyrot._native")]
pub(crate) struct PlanData {
    inner: Arc<Planned>,
}

#[pymethods]
impl PlanData {
    /// The report the plan is for (`analyze_many`); `None` for `analyze`.
    #[getter]
    fn source(&self) -> Option<&str> {
        self.inner.source.as_deref()
    }

    /// The evaluation instant of the analysis, an aware `datetime` in UTC.
    #[getter]
    fn as_of(&self, py: Python<'_>) -> Py<PyAny> {
        values::time(py, &self.inner.plan.as_of)
    }

    /// The evaluation instant as RFC 3339 text ending in `Z`.
    fn as_of_text(&self) -> String {
        keyrot::format_timestamp(&self.inner.plan.as_of)
    }

    /// The policy of the analysis, as the JSON contract's dict.
    fn policy(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        values::to_python(py, &self.inner.plan.policy)
    }

    /// The number of steps.
    fn __len__(&self) -> usize {
        self.inner.plan.steps.len()
    }

    /// Every step, in input order.
    fn steps(&self, py: Python<'_>) -> PyResult<Py<PyList>> {
        let list = PyList::empty(py);
        for i in 0..self.inner.plan.steps.len() {
            list.append(Bound::new(py, Step { data: Arc::clone(&self.inner), index: i })?)?;
        }
        Ok(list.unbind())
    }

    /// How many steps of each code, in the order of §2.1, every code
    /// listed (0 when absent).
    fn step_counts(&self) -> Vec<(String, usize)> {
        let mut counts: Vec<(String, usize)> = StepCode::ALL.iter().map(|c| (c.as_str().to_owned(), 0)).collect();
        for step in &self.inner.plan.steps {
            let name = step.step.as_str();
            match counts.iter_mut().find(|(n, _)| n == name) {
                Some((_, count)) => *count += 1,
                None => counts.push((name.to_owned(), 1)),
            }
        }
        counts
    }

    /// The whole plan as JSON text (the contract), compact or indented.
    #[pyo3(signature = (indent=None))]
    fn to_json(&self, py: Python<'_>, indent: Option<usize>) -> PyResult<Py<PyString>> {
        let inner = &self.inner;
        let text = py.detach(|| values::to_json(&inner.plan, indent))?;
        Ok(PyString::new(py, &text).unbind())
    }

    /// The steps alone as JSON text (a list).
    fn steps_json(&self, py: Python<'_>) -> PyResult<Py<PyString>> {
        let inner = &self.inner;
        let text = py.detach(|| values::to_json(&inner.plan.steps, None))?;
        Ok(PyString::new(py, &text).unbind())
    }

    /// The steps as an Arrow C stream (the schema is `keyrot::arrow`'s
    /// `plan_schema`, with `source` first for a plan of several reports').
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        let (plan, source) = (&self.inner.plan, self.inner.source.as_deref());
        let batch = py.detach(|| keyrot::arrow::plan_batch([(source.unwrap_or(""), plan)], source.is_some()));
        crate::arrow::one_batch(py, batch, keyrot::arrow::plan_schema(source.is_some()))
    }

    /// The columns read as enumerations, with their values in order.
    fn enums(&self) -> Vec<(String, Vec<String>)> {
        crate::arrow::enums(&keyrot::arrow::plan_schema(self.inner.source.is_some()))
    }
}

/// The next step of one user: what to do, why, and the `aws iam` commands
/// to run after the checks (keyrot runs nothing).
#[pyclass(frozen, module = "keyrot._native")]
pub(crate) struct Step {
    data: Arc<Planned>,
    index: usize,
}

impl Step {
    fn get(&self) -> &keyrot::plan::Step {
        &self.data.plan.steps[self.index]
    }
}

#[pymethods]
impl Step {
    /// The report the step is for (`analyze_many`); `None` for `analyze`.
    #[getter]
    fn source(&self) -> Option<&str> {
        self.data.source.as_deref()
    }

    /// The step's code: `remove_root_key`, `rotate_both`,
    /// `deactivate_unused_key`, `update_applications`, `deactivate_old_key`,
    /// `free_slot`, `create_new_key`, `delete_inactive_key`,
    /// `wait_before_delete` or `schedule_rotation`.
    #[getter]
    fn step(&self) -> &'static str {
        self.get().step.as_str()
    }

    /// The account id.
    #[getter]
    fn account_id(&self) -> &str {
        &self.get().account_id
    }

    /// The user name (`<root_account>` for the root row).
    #[getter]
    fn user(&self) -> &str {
        &self.get().user
    }

    /// The user's ARN.
    #[getter]
    fn arn(&self) -> &str {
        &self.get().arn
    }

    /// Whether this is the root user.
    #[getter]
    fn is_root(&self) -> bool {
        self.get().is_root
    }

    /// The 1-based line of the user's row in the input.
    #[getter]
    fn line(&self) -> u64 {
        self.get().line
    }

    /// The keys the step concerns, each with its role.
    #[getter]
    fn keys(&self) -> Vec<PlanKey> {
        self.get().keys.iter().cloned().map(|inner| PlanKey { inner }).collect()
    }

    /// What to do and why, citing the evidence.
    #[getter]
    fn reason(&self) -> &str {
        &self.get().reason
    }

    /// Read-only commands to run first (find the key id, check its last use).
    #[getter]
    fn checks(&self) -> Vec<String> {
        self.get().checks.clone()
    }

    /// The commands that change something, in order, for a person to run
    /// after the checks; empty when the step is to wait or to change
    /// applications, or when a value cannot be put safely in a command.
    #[getter]
    fn commands(&self) -> Vec<String> {
        self.get().commands.clone()
    }

    /// For `wait_before_delete`: the earliest time the key may be deleted.
    #[getter]
    fn delete_after(&self, py: Python<'_>) -> Py<PyAny> {
        values::opt_time(py, self.get().delete_after.as_ref())
    }

    /// What the person must know: a key `list-access-keys` did not list, a
    /// value kept out of the commands.
    #[getter]
    fn notes(&self) -> Vec<String> {
        self.get().notes.clone()
    }

    /// The step as the JSON contract's dict.
    fn to_dict(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        values::to_python(py, self.get())
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<Step>().is_ok_and(|o| {
            let o = o.get();
            o.get() == self.get() && o.source() == self.source()
        })
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let s = self.get();
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        (&s.arn, s.line, s.step.as_str()).hash(&mut hasher);
        hasher.finish()
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let s = self.get();
        format!(
            "Step(step={}, account_id={}, user={}, line={})",
            quoted(py, s.step.as_str()),
            quoted(py, &s.account_id),
            quoted(py, &s.user),
            s.line
        )
    }
}

/// One key of a step: which slot, its role in the step, what the report
/// says about it, and the id `list-access-keys` gave for it, if any.
#[pyclass(frozen, module = "keyrot._native")]
pub(crate) struct PlanKey {
    inner: keyrot::plan::PlanKey,
}

#[pymethods]
impl PlanKey {
    /// The report's slot, 1 or 2.
    #[getter]
    fn slot(&self) -> u8 {
        self.inner.slot
    }

    /// What the step does with it: `target` (the key acted on), `old`,
    /// `new` (the replacement, left alone) or `inactive`.
    #[getter]
    fn role(&self) -> &'static str {
        self.inner.role
    }

    /// The key's status in the analysis.
    #[getter]
    fn status(&self) -> &'static str {
        self.inner.status.as_str()
    }

    /// Whether the key is active.
    #[getter]
    fn active(&self) -> bool {
        self.inner.active
    }

    /// When the key was created or last rotated (its `CreateDate` in
    /// `list-access-keys`).
    #[getter]
    fn last_rotated(&self, py: Python<'_>) -> Py<PyAny> {
        values::opt_time(py, self.inner.last_rotated.as_ref())
    }

    /// When the key was last used: a `datetime`, `"never"`,
    /// `"no_information"`, or `None` in the legacy layout.
    #[getter]
    fn last_used(&self, py: Python<'_>) -> Py<PyAny> {
        values::last_used(py, self.inner.last_used)
    }

    /// The access key id, when `access_keys` listed a key of this user
    /// created at `last_rotated`.
    #[getter]
    fn access_key_id(&self) -> Option<&str> {
        self.inner.access_key_id.as_deref()
    }

    /// The shell variable that stands for the key id in the commands.
    #[getter]
    fn variable(&self) -> &str {
        &self.inner.variable
    }

    /// The key as the JSON contract's dict.
    fn to_dict(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        values::to_python(py, &self.inner)
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PlanKey>().is_ok_and(|o| o.get().inner == self.inner)
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        (self.inner.slot, self.inner.role, &self.inner.access_key_id).hash(&mut hasher);
        hasher.finish()
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let created = self.inner.last_rotated.map_or_else(|| "None".to_owned(), |t| keyrot::format_timestamp(&t));
        let id = self.inner.access_key_id.as_deref().map_or_else(|| "None".to_owned(), |i| quoted(py, i));
        format!(
            "PlanKey(slot={}, role={}, status={}, last_rotated={}, access_key_id={id})",
            self.inner.slot,
            quoted(py, self.inner.role),
            quoted(py, &name_of(&self.inner.status)),
            created
        )
    }
}
