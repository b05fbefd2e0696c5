//! The value objects: one finding, one anomaly, one row of a report.
//!
//! A `Finding` or `Row` holds a shared reference to the whole result and its
//! index, so making a million of them copies no data; each attribute is
//! converted when it is read.

use crate::judged::Judged;
use crate::values::{name_of, quoted};
use crate::{errors, values};
use keyrot::read::Report;
use keyrot::FindingRef;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::sync::Arc;

/// The verdict on one access key (rotation-rule.md §1.4).
#[pyclass(frozen, module = "keyrot._native")]
pub(crate) struct Finding {
    data: Arc<Judged>,
    index: usize,
}

impl Finding {
    pub(crate) fn new(data: Arc<Judged>, index: usize) -> Finding {
        Finding { data, index }
    }

    fn get(&self) -> FindingRef<'_> {
        // Findings are only made for indexes within their analysis.
        self.data.finding(self.index).expect("a finding's index is within its analysis")
    }

    fn source_of(&self) -> Option<&str> {
        self.data.many().then(|| self.get().source())
    }
}

/// A contract dict with the `source` key added, as the core flattens it
/// for `analyze_many`.
fn with_source(py: Python<'_>, dict: Py<PyAny>, source: Option<&str>) -> PyResult<Py<PyAny>> {
    if let Some(source) = source {
        dict.bind(py).cast::<PyDict>()?.set_item("source", source)?;
    }
    Ok(dict)
}

#[pymethods]
impl Finding {
    /// The report the key is in (`analyze_many`: the name given for it;
    /// `None` for `analyze`).
    #[getter]
    fn source(&self) -> Option<&str> {
        self.source_of()
    }

    /// The account id from the row's ARN (text; empty when the ARN has none).
    #[getter]
    fn account_id(&self) -> &str {
        self.get().account_id()
    }

    /// The user name (`<root_account>` for the root row).
    #[getter]
    fn user(&self) -> &str {
        self.get().user()
    }

    /// The row's ARN.
    #[getter]
    fn arn(&self) -> std::borrow::Cow<'_, str> {
        self.get().arn()
    }

    /// Whether the row is the root account's.
    #[getter]
    fn is_root(&self) -> bool {
        self.get().is_root()
    }

    /// The report's slot, 1 or 2 (not stable, not chronological); `None`
    /// for a check about the user, not a key.
    #[getter]
    fn slot(&self) -> Option<u8> {
        self.get().slot()
    }

    /// The check: `access_key_rotated` or another rule id.
    #[getter]
    fn rule(&self) -> &'static str {
        self.get().rule().as_str()
    }

    /// The check's recommendation number in the run's CIS version
    /// (`cis_version`, the newest by default); `None` when it has none.
    #[getter]
    fn cis(&self) -> Option<&'static str> {
        self.get().cis()
    }

    /// `fail`, `invalid`, `due_soon`, `pass` or `inactive`.
    #[getter]
    fn status(&self) -> &'static str {
        self.get().status().as_str()
    }

    /// Whether the key is active (`False` when the flag is unreadable).
    #[getter]
    fn active(&self) -> bool {
        self.get().active()
    }

    /// When the key was created or last rotated, in UTC.
    #[getter]
    fn last_rotated(&self, py: Python<'_>) -> Py<PyAny> {
        values::opt_time(py, self.get().last_rotated().as_ref())
    }

    /// The age in whole days, floored (negative for a future date).
    #[getter]
    fn age_days(&self) -> Option<i64> {
        self.get().age_days()
    }

    /// `last_rotated` plus `max_age_days`.
    #[getter]
    fn due_at(&self, py: Python<'_>) -> Py<PyAny> {
        values::opt_time(py, self.get().due_at().as_ref())
    }

    /// Whole days from `as_of` to `due_at`, floored: negative exactly when
    /// the key is overdue.
    #[getter]
    fn days_until_due(&self) -> Option<i64> {
        self.get().days_until_due()
    }

    /// When the key was last used: a `datetime`, `"never"`,
    /// `"no_information"`, or `None` in the legacy layout.
    #[getter]
    fn last_used(&self, py: Python<'_>) -> Py<PyAny> {
        values::last_used(py, self.get().last_used())
    }

    /// The region of the last use (`None` for `N/A`).
    #[getter]
    fn last_used_region(&self) -> Option<&str> {
        self.get().last_used_region()
    }

    /// The service of the last use (`None` for `N/A`).
    #[getter]
    fn last_used_service(&self) -> Option<&str> {
        self.get().last_used_service()
    }

    /// Whether the key was used since it was last rotated (`None` when
    /// unknown).
    #[getter]
    fn used_since_rotation(&self) -> Option<bool> {
        self.get().used_since_rotation()
    }

    /// The exemption in force that matched this finding, as a dict, or `None`.
    #[getter]
    fn exempted(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match self.get().exempted() {
            None => Ok(py.None()),
            Some(exemption) => values::to_python(py, &exemption),
        }
    }

    /// A sentence a person can read.
    #[getter]
    fn reason(&self) -> String {
        self.get().reason()
    }

    /// Why the key is `invalid` (`no_rotation_date`, `future_timestamp`,
    /// `row_error`, `no_active_flag`); `None` for other statuses.
    #[getter]
    fn code(&self) -> Option<&'static str> {
        self.get().code().map(keyrot::FindingCode::as_str)
    }

    /// The 1-based line of the row in the input.
    #[getter]
    fn line(&self) -> u64 {
        self.get().line()
    }

    /// The finding as the JSON contract's dict (with `source` for
    /// `analyze_many`).
    fn to_dict(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        with_source(py, values::to_python(py, &self.get().to_finding())?, self.source_of())
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<Finding>().is_ok_and(|o| {
            let (mine, theirs) = (self.get(), o.get().get());
            self.source_of() == o.get().source_of() && mine.to_finding() == theirs.to_finding()
        })
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let f = self.get();
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        (f.arn(), f.slot(), f.line(), f.status().as_str()).hash(&mut hasher);
        hasher.finish()
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let f = self.get();
        let age = f.age_days().map_or_else(|| "None".to_owned(), |a| a.to_string());
        format!(
            "Finding(account_id={}, user={}, slot={}, status={}, age_days={}, line={})",
            quoted(py, f.account_id()),
            quoted(py, f.user()),
            f.slot().map_or_else(|| "None".to_owned(), |s| s.to_string()),
            quoted(py, f.status().as_str()),
            age,
            f.line()
        )
    }
}

/// Something about a report that a person must see and that is not a
/// finding: a duplicate user, a stale report, an unknown column, a bad row
/// in lenient mode, …
#[pyclass(frozen, module = "keyrot._native")]
pub(crate) struct Anomaly {
    inner: keyrot::Anomaly,
    source: Option<String>,
}

impl Anomaly {
    pub(crate) fn new(inner: keyrot::Anomaly) -> Anomaly {
        Anomaly { inner, source: None }
    }

    pub(crate) fn with_source(inner: keyrot::Anomaly, source: String) -> Anomaly {
        Anomaly { inner, source: Some(source) }
    }
}

#[pymethods]
impl Anomaly {
    /// The report it concerns (`analyze_many`); `None` for `analyze`.
    #[getter]
    fn source(&self) -> Option<&str> {
        self.source.as_deref()
    }

    /// The stable code, e.g. `duplicate_user`, `report_stale`, `row_error`.
    #[getter]
    fn code(&self) -> String {
        name_of(&self.inner.code)
    }

    /// The 1-based line it concerns, when one applies.
    #[getter]
    fn line(&self) -> Option<u64> {
        self.inner.line
    }

    /// The column (by header name) it concerns, when one applies.
    #[getter]
    fn column(&self) -> Option<&str> {
        self.inner.column.as_deref()
    }

    /// The offending value, cut to a readable length.
    #[getter]
    fn value(&self) -> Option<&str> {
        self.inner.value.as_deref()
    }

    /// For `row_error`: the code of the error strict mode would have raised.
    #[getter]
    fn error(&self) -> Option<&'static str> {
        self.inner.error.map(keyrot::ErrorCode::as_str)
    }

    /// A sentence for people.
    #[getter]
    fn message(&self) -> &str {
        &self.inner.message
    }

    /// The anomaly as the JSON contract's dict (with `source` for
    /// `analyze_many`).
    fn to_dict(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        with_source(py, values::to_python(py, &self.inner)?, self.source.as_deref())
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<Anomaly>().is_ok_and(|o| o.get().inner == self.inner && o.get().source == self.source)
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        (&self.inner.message, self.inner.line).hash(&mut hasher);
        hasher.finish()
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let line = self.inner.line.map_or_else(|| "None".to_owned(), |l| l.to_string());
        format!(
            "Anomaly(code={}, line={}, message={})",
            quoted(py, &self.code()),
            line,
            quoted(py, &self.inner.message)
        )
    }
}

/// One row of a report (one IAM user, or the root account), with every
/// column typed: timestamps as `datetime`s, booleans as `bool`s. A cell
/// holding one of AWS's literals keeps it as text (`"N/A"`,
/// `"no_information"`, `"not_supported"`, `""`), an unreadable cell (lenient
/// mode) keeps its raw text, and a column the report lacks reads `None`.
#[pyclass(frozen, module = "keyrot._native")]
pub(crate) struct Row {
    data: Arc<Report>,
    index: usize,
}

impl Row {
    pub(crate) fn new(data: Arc<Report>, index: usize) -> Row {
        Row { data, index }
    }

    fn get(&self) -> &keyrot::read::Row {
        &self.data.rows[self.index]
    }
}

#[pymethods]
impl Row {
    /// The 1-based line the row starts on.
    #[getter]
    fn line(&self) -> u64 {
        self.get().line
    }

    /// `user`: the IAM user name, or `<root_account>`.
    #[getter]
    fn user(&self) -> &str {
        &self.get().user
    }

    /// `arn`.
    #[getter]
    fn arn(&self) -> &str {
        &self.get().arn
    }

    /// The account id: the fifth `:` field of the ARN, as text.
    #[getter]
    fn account_id(&self) -> &str {
        &self.get().account_id
    }

    /// Whether this is the root row.
    #[getter]
    fn is_root(&self) -> bool {
        self.get().is_root
    }

    /// Whether the row's fields could not be assigned to columns (lenient
    /// mode): every cell but `user` and `arn` then reads `None`.
    #[getter]
    fn malformed(&self) -> bool {
        self.get().malformed
    }

    /// `user_creation_time`.
    #[getter]
    fn user_creation_time(&self, py: Python<'_>) -> Py<PyAny> {
        values::time_field(py, &self.get().user_creation_time)
    }

    /// `password_enabled` (`"not_supported"` on the root row).
    #[getter]
    fn password_enabled(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        values::bool_field(py, &self.get().password_enabled)
    }

    /// `password_last_used`.
    #[getter]
    fn password_last_used(&self, py: Python<'_>) -> Py<PyAny> {
        values::time_field(py, &self.get().password_last_used)
    }

    /// `password_last_changed`.
    #[getter]
    fn password_last_changed(&self, py: Python<'_>) -> Py<PyAny> {
        values::time_field(py, &self.get().password_last_changed)
    }

    /// `password_next_rotation`.
    #[getter]
    fn password_next_rotation(&self, py: Python<'_>) -> Py<PyAny> {
        values::time_field(py, &self.get().password_next_rotation)
    }

    /// `mfa_active`.
    #[getter]
    fn mfa_active(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        values::bool_field(py, &self.get().mfa_active)
    }

    /// `access_key_1_active`.
    #[getter]
    fn access_key_1_active(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        values::bool_field(py, &self.get().access_keys[0].active)
    }

    /// `access_key_1_last_rotated`.
    #[getter]
    fn access_key_1_last_rotated(&self, py: Python<'_>) -> Py<PyAny> {
        values::time_field(py, &self.get().access_keys[0].last_rotated)
    }

    /// `access_key_1_last_used_date`.
    #[getter]
    fn access_key_1_last_used_date(&self, py: Python<'_>) -> Py<PyAny> {
        values::time_field(py, &self.get().access_keys[0].last_used_date)
    }

    /// `access_key_1_last_used_region`.
    #[getter]
    fn access_key_1_last_used_region(&self, py: Python<'_>) -> Py<PyAny> {
        values::text_field(py, &self.get().access_keys[0].last_used_region)
    }

    /// `access_key_1_last_used_service`.
    #[getter]
    fn access_key_1_last_used_service(&self, py: Python<'_>) -> Py<PyAny> {
        values::text_field(py, &self.get().access_keys[0].last_used_service)
    }

    /// `access_key_2_active`.
    #[getter]
    fn access_key_2_active(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        values::bool_field(py, &self.get().access_keys[1].active)
    }

    /// `access_key_2_last_rotated`.
    #[getter]
    fn access_key_2_last_rotated(&self, py: Python<'_>) -> Py<PyAny> {
        values::time_field(py, &self.get().access_keys[1].last_rotated)
    }

    /// `access_key_2_last_used_date`.
    #[getter]
    fn access_key_2_last_used_date(&self, py: Python<'_>) -> Py<PyAny> {
        values::time_field(py, &self.get().access_keys[1].last_used_date)
    }

    /// `access_key_2_last_used_region`.
    #[getter]
    fn access_key_2_last_used_region(&self, py: Python<'_>) -> Py<PyAny> {
        values::text_field(py, &self.get().access_keys[1].last_used_region)
    }

    /// `access_key_2_last_used_service`.
    #[getter]
    fn access_key_2_last_used_service(&self, py: Python<'_>) -> Py<PyAny> {
        values::text_field(py, &self.get().access_keys[1].last_used_service)
    }

    /// `cert_1_active`.
    #[getter]
    fn cert_1_active(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        values::bool_field(py, &self.get().certificates[0].active)
    }

    /// `cert_1_last_rotated`.
    #[getter]
    fn cert_1_last_rotated(&self, py: Python<'_>) -> Py<PyAny> {
        values::time_field(py, &self.get().certificates[0].last_rotated)
    }

    /// `cert_2_active`.
    #[getter]
    fn cert_2_active(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        values::bool_field(py, &self.get().certificates[1].active)
    }

    /// `cert_2_last_rotated`.
    #[getter]
    fn cert_2_last_rotated(&self, py: Python<'_>) -> Py<PyAny> {
        values::time_field(py, &self.get().certificates[1].last_rotated)
    }

    /// Lenient mode: the problems read in this row, as `row_error`
    /// anomalies.
    #[getter]
    fn problems(&self) -> Vec<Anomaly> {
        self.get().problems.iter().map(|p| Anomaly::new(keyrot::Anomaly::row_error(p))).collect()
    }

    /// The row as the JSON contract's dict.
    fn to_dict(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        values::to_python(py, self.get())
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<Row>().is_ok_and(|o| o.get().get() == self.get())
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let row = self.get();
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        (&row.arn, &row.user, row.line).hash(&mut hasher);
        hasher.finish()
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let row = self.get();
        format!(
            "Row(line={}, user={}, account_id={}, is_root={})",
            row.line,
            quoted(py, &row.user),
            quoted(py, &row.account_id),
            if row.is_root { "True" } else { "False" }
        )
    }
}

/// What happened to one input of `analyze_many`: its evaluation time and
/// counts, or the error that kept it from being judged (its findings are then
/// left out).
#[pyclass(frozen, module = "keyrot._native")]
pub(crate) struct ReportOutcome {
    data: Arc<Judged>,
    index: usize,
}

impl ReportOutcome {
    pub(crate) fn new(data: Arc<Judged>, index: usize) -> ReportOutcome {
        ReportOutcome { data, index }
    }

    fn get(&self) -> Option<&keyrot::ReportOutcome> {
        self.data.reports().get(self.index)
    }
}

#[pymethods]
impl ReportOutcome {
    /// The name given for the input.
    #[getter]
    fn source(&self) -> &str {
        self.get().map_or("", |r| r.source.as_str())
    }

    /// The evaluation instant of this report (`None` when it failed).
    #[getter]
    fn as_of(&self, py: Python<'_>) -> Py<PyAny> {
        values::opt_time(py, self.get().and_then(|r| r.as_of.as_ref()))
    }

    /// Where `as_of` came from: `explicit`, `report` or `clock`.
    #[getter]
    fn as_of_source(&self) -> Option<String> {
        self.get().and_then(|r| r.as_of_source).map(|s| name_of(&s))
    }

    /// `csv`, `base64` or `cli_json`.
    #[getter]
    fn input_format(&self) -> Option<String> {
        self.get().and_then(|r| r.input_format).map(|f| name_of(&f))
    }

    /// The lowercase hex SHA-256 of the input's bytes (`None` when it
    /// failed).
    #[getter]
    fn input_sha256(&self) -> Option<&str> {
        self.get().and_then(|r| r.input_sha256.as_deref())
    }

    /// `current` or `legacy`.
    #[getter]
    fn layout(&self) -> Option<String> {
        self.get().and_then(|r| r.layout).map(|l| name_of(&l))
    }

    /// `GeneratedTime` from the input's wrapper, when known.
    #[getter]
    fn generated_time(&self, py: Python<'_>) -> Py<PyAny> {
        values::opt_time(py, self.get().and_then(|r| r.generated_time.as_ref()))
    }

    /// The latest timestamp in the report.
    #[getter]
    fn newest_timestamp(&self, py: Python<'_>) -> Py<PyAny> {
        values::opt_time(py, self.get().and_then(|r| r.newest_timestamp.as_ref()))
    }

    /// This report's counts, as the JSON contract's dict (`None` when it
    /// failed).
    #[getter]
    fn counts(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match self.get().and_then(|r| r.summary.as_ref()) {
            None => Ok(py.None()),
            Some(counts) => values::to_python(py, counts),
        }
    }

    /// Why the input could not be judged: a `keyrot.ParseError` (or
    /// `PolicyError`) instance, not raised; `None` when it was judged.
    #[getter]
    fn error(&self, py: Python<'_>) -> Py<PyAny> {
        match self.get().and_then(|r| r.error.as_ref()) {
            None => py.None(),
            Some(e) => errors::to_py_err(py, e).into_value(py).into_any(),
        }
    }

    /// The outcome as the JSON contract's dict.
    fn to_dict(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match self.get() {
            None => Ok(py.None()),
            Some(r) => values::to_python(py, r),
        }
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let state = match self.get().and_then(|r| r.error.as_ref()) {
            Some(e) => format!("error={}", quoted(py, e.code().as_str())),
            None => "judged".to_owned(),
        };
        format!("ReportOutcome(source={}, {state})", quoted(py, self.source()))
    }
}
