//! The two hot value objects: one finding, one row of a report.
//!
//! A `Finding` or `Row` holds a shared reference to the whole result and its
//! index, so making a million of them copies no data; each attribute is
//! converted when it is read. Their getters are written once each, in the
//! `getters!` lists below: name, type and docstring.

use crate::judged::Judged;
use crate::values::{self, quoted, Cell};
use keyrot::read::Report;
use keyrot::FindingRef;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

/// The `#[pymethods]` of a view: a getter per `name: Type = expression;`
/// under its docstring (`$this` is the view, `$py` the GIL token), then the
/// view's other methods.
macro_rules! getters {
    ($class:ident, $this:ident, $py:ident {
        $($(#[doc = $doc:literal])+ $name:ident: $ty:ty = $body:expr;)+
    } $($methods:tt)*) => {
        #[pymethods]
        impl $class {
            $(
                $(#[doc = $doc])+
                #[getter]
                #[allow(unused_variables)]
                fn $name(&$this, $py: Python<'_>) -> $ty {
                    $body
                }
            )+
            $($methods)*
        }
    };
}

fn hash_of(value: impl Hash) -> u64 {
    let mut hasher = DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

fn or_none<T: ToString>(value: Option<T>) -> String {
    value.map_or_else(|| "None".to_owned(), |v| v.to_string())
}

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

getters!(Finding, self, py {
    /// The report the key is in (`analyze_many`: the name given for it;
    /// `None` for `analyze`).
    source: Option<&str> = self.source_of();
    /// The account id from the row's ARN (text; empty when the ARN has none).
    account_id: &str = self.get().account_id();
    /// The user name (`<root_account>` for the root row).
    user: &str = self.get().user();
    /// The row's ARN.
    arn: std::borrow::Cow<'_, str> = self.get().arn();
    /// Whether the row is the root account's.
    is_root: bool = self.get().is_root();
    /// The report's slot, 1 or 2 (not stable, not chronological); `None`
    /// for a check about the user, not a key.
    slot: Option<u8> = self.get().slot();
    /// The check: `access_key_rotated` or another rule id.
    rule: &'static str = self.get().rule().as_str();
    /// The check's recommendation number in the run's CIS version
    /// (`cis_version`, the newest by default); `None` when it has none.
    cis: Option<&'static str> = self.get().cis();
    /// `fail`, `invalid`, `due_soon`, `pass` or `inactive`.
    status: &'static str = self.get().status().as_str();
    /// Whether the key is active (`False` when the flag is unreadable).
    active: bool = self.get().active();
    /// When the key was created or last rotated, in UTC.
    last_rotated: Py<PyAny> = values::opt_time(py, self.get().last_rotated().as_ref());
    /// The age in whole days, floored (negative for a future date).
    age_days: Option<i64> = self.get().age_days();
    /// `last_rotated` plus `max_age_days`.
    due_at: Py<PyAny> = values::opt_time(py, self.get().due_at().as_ref());
    /// Whole days from `as_of` to `due_at`, floored: negative exactly when
    /// the key is overdue.
    days_until_due: Option<i64> = self.get().days_until_due();
    /// When the key was last used: a `datetime`, `"never"`,
    /// `"no_information"`, or `None` in the legacy layout.
    last_used: Py<PyAny> = values::last_used(py, self.get().last_used());
    /// The region of the last use (`None` for `N/A`).
    last_used_region: Option<&str> = self.get().last_used_region();
    /// The service of the last use (`None` for `N/A`).
    last_used_service: Option<&str> = self.get().last_used_service();
    /// Whether the key was used since it was last rotated (`None` when
    /// unknown).
    used_since_rotation: Option<bool> = self.get().used_since_rotation();
    /// The exemption in force that matched this finding, as a dict, or `None`.
    exempted: PyResult<Py<PyAny>> = values::to_python(py, &self.get().exempted());
    /// A sentence a person can read.
    reason: String = self.get().reason();
    /// Why the key is `invalid` (`no_rotation_date`, `future_timestamp`,
    /// `row_error`, `no_active_flag`); `None` for other statuses.
    code: Option<&'static str> = self.get().code().map(keyrot::FindingCode::as_str);
    /// The 1-based line of the row in the input.
    line: u64 = self.get().line();
}

    /// The finding as the JSON contract's dict (with `source` for
    /// `analyze_many`).
    fn to_dict(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let dict = values::to_python(py, &self.get().to_finding())?;
        if let Some(source) = self.source_of() {
            dict.bind(py).cast::<PyDict>()?.set_item("source", source)?;
        }
        Ok(dict)
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<Finding>().is_ok_and(|o| {
            let o = o.get();
            self.source_of() == o.source_of() && self.get().to_finding() == o.get().to_finding()
        })
    }

    fn __hash__(&self) -> u64 {
        let f = self.get();
        hash_of((f.arn(), f.slot(), f.line(), f.status().as_str()))
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let f = self.get();
        format!(
            "Finding(account_id={}, user={}, slot={}, status={}, age_days={}, line={})",
            quoted(py, f.account_id()),
            quoted(py, f.user()),
            or_none(f.slot()),
            quoted(py, f.status().as_str()),
            or_none(f.age_days()),
            f.line()
        )
    }
);

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

getters!(Row, self, py {
    /// The 1-based line the row starts on.
    line: u64 = self.get().line;
    /// `user`: the IAM user name, or `<root_account>`.
    user: &str = &self.get().user;
    /// `arn`.
    arn: &str = &self.get().arn;
    /// The account id: the fifth `:` field of the ARN, as text.
    account_id: &str = &self.get().account_id;
    /// Whether this is the root row.
    is_root: bool = self.get().is_root;
    /// Whether the row's fields could not be assigned to columns (lenient
    /// mode): every cell but `user` and `arn` then reads `None`.
    malformed: bool = self.get().malformed;
    /// `user_creation_time`.
    user_creation_time: Py<PyAny> = self.get().user_creation_time.to_py(py);
    /// `password_enabled` (`"not_supported"` on the root row).
    password_enabled: Py<PyAny> = self.get().password_enabled.to_py(py);
    /// `password_last_used`.
    password_last_used: Py<PyAny> = self.get().password_last_used.to_py(py);
    /// `password_last_changed`.
    password_last_changed: Py<PyAny> = self.get().password_last_changed.to_py(py);
    /// `password_next_rotation`.
    password_next_rotation: Py<PyAny> = self.get().password_next_rotation.to_py(py);
    /// `mfa_active`.
    mfa_active: Py<PyAny> = self.get().mfa_active.to_py(py);
    /// `access_key_1_active`.
    access_key_1_active: Py<PyAny> = self.get().access_keys[0].active.to_py(py);
    /// `access_key_1_last_rotated`.
    access_key_1_last_rotated: Py<PyAny> = self.get().access_keys[0].last_rotated.to_py(py);
    /// `access_key_1_last_used_date`.
    access_key_1_last_used_date: Py<PyAny> = self.get().access_keys[0].last_used_date.to_py(py);
    /// `access_key_1_last_used_region`.
    access_key_1_last_used_region: Py<PyAny> = self.get().access_keys[0].last_used_region.to_py(py);
    /// `access_key_1_last_used_service`.
    access_key_1_last_used_service: Py<PyAny> = self.get().access_keys[0].last_used_service.to_py(py);
    /// `access_key_2_active`.
    access_key_2_active: Py<PyAny> = self.get().access_keys[1].active.to_py(py);
    /// `access_key_2_last_rotated`.
    access_key_2_last_rotated: Py<PyAny> = self.get().access_keys[1].last_rotated.to_py(py);
    /// `access_key_2_last_used_date`.
    access_key_2_last_used_date: Py<PyAny> = self.get().access_keys[1].last_used_date.to_py(py);
    /// `access_key_2_last_used_region`.
    access_key_2_last_used_region: Py<PyAny> = self.get().access_keys[1].last_used_region.to_py(py);
    /// `access_key_2_last_used_service`.
    access_key_2_last_used_service: Py<PyAny> = self.get().access_keys[1].last_used_service.to_py(py);
    /// `cert_1_active`.
    cert_1_active: Py<PyAny> = self.get().certificates[0].active.to_py(py);
    /// `cert_1_last_rotated`.
    cert_1_last_rotated: Py<PyAny> = self.get().certificates[0].last_rotated.to_py(py);
    /// `cert_2_active`.
    cert_2_active: Py<PyAny> = self.get().certificates[1].active.to_py(py);
    /// `cert_2_last_rotated`.
    cert_2_last_rotated: Py<PyAny> = self.get().certificates[1].last_rotated.to_py(py);
    /// Lenient mode: the problems read in this row, as `row_error`
    /// anomalies.
    problems: PyResult<Py<PyList>> = {
        let problems: Vec<keyrot::Anomaly> = self.get().problems.iter().map(keyrot::Anomaly::row_error).collect();
        values::records(py, "Anomaly", &problems)
    };
}

    /// The row as the JSON contract's dict.
    fn to_dict(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        values::to_python(py, self.get())
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<Row>().is_ok_and(|o| o.get().get() == self.get())
    }

    fn __hash__(&self) -> u64 {
        let row = self.get();
        hash_of((&row.arn, &row.user, row.line))
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
);
