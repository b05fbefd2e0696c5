//! Exemptions: accepted exceptions to the rule, from TOML or Python data,
//! checked by the core.

use crate::errors::IntoPyResult;
use keyrot::options::EntryValue;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDate, PyDateTime, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use std::collections::BTreeMap;

/// Checked exemptions, ready to apply (the core's [`keyrot::Exemptions`]).
/// Entries that cannot be used exempt nothing and are reported as
/// `exemption_invalid` anomalies.
#[pyclass(frozen, module = "keyrot._native")]
pub(crate) struct Exemptions {
    pub(crate) inner: keyrot::Exemptions,
}

/// One Python value of an entry, as the core takes it: text, a whole
/// number, a date (`datetime.date`, not `datetime`), or the kind of
/// anything else (which the core reports).
fn entry_value(value: &Bound<'_, PyAny>) -> PyResult<EntryValue> {
    Ok(if let Ok(text) = value.cast::<PyString>() {
        EntryValue::Text(text.to_cow()?.into_owned())
    } else if value.is_instance_of::<PyBool>() {
        EntryValue::Other("boolean")
    } else if value.is_instance_of::<PyInt>() {
        value.extract::<i64>().map_or(EntryValue::Other("integer out of range"), EntryValue::Integer)
    } else if value.is_instance_of::<PyDateTime>() {
        EntryValue::Other("date-time")
    } else if value.is_instance_of::<PyDate>() {
        EntryValue::Date(value.call_method0("isoformat")?.extract()?)
    } else if value.is_none() {
        EntryValue::Other("None")
    } else if value.is_instance_of::<PyFloat>() {
        EntryValue::Other("float")
    } else if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
        EntryValue::List(value.try_iter()?.map(|item| entry_value(&item?)).collect::<PyResult<_>>()?)
    } else if value.is_instance_of::<PyDict>() {
        EntryValue::Other("dict")
    } else {
        EntryValue::Other("unsupported value")
    })
}

#[pymethods]
impl Exemptions {
    /// Reads an exemptions file's text: `[[exemption]]` tables with
    /// `account`, `user`, optional `slot`, `reason`, `owner` and `expires`.
    /// Text that is not such TOML raises `keyrot.PolicyError`
    /// (`invalid_exemptions`).
    #[staticmethod]
    fn from_toml(py: Python<'_>, text: &str) -> PyResult<Exemptions> {
        Ok(Exemptions { inner: keyrot::Exemptions::from_toml(text).or_raise(py)? })
    }

    /// Checks entries given as dicts with the same fields (`expires` a
    /// `datetime.date` or `"YYYY-MM-DD"`); an item that is not a dict is an
    /// unusable entry.
    #[staticmethod]
    fn from_entries(entries: Vec<Bound<'_, PyAny>>) -> PyResult<Exemptions> {
        let mut checked = Vec::with_capacity(entries.len());
        for entry in entries {
            let Ok(dict) = entry.cast::<PyDict>() else {
                checked.push(None);
                continue;
            };
            let mut map = BTreeMap::new();
            for (key, value) in dict.iter() {
                let key = match key.cast::<PyString>() {
                    Ok(k) => k.to_cow()?.into_owned(),
                    Err(_) => key.str()?.to_string(),
                };
                map.insert(key, entry_value(&value)?);
            }
            checked.push(Some(map));
        }
        Ok(Exemptions { inner: keyrot::Exemptions::from_entries(checked) })
    }

    /// The number of usable entries.
    fn __len__(&self) -> usize {
        self.inner.rules().len()
    }

    /// The entries that cannot be used, as `exemption_invalid` anomalies
    /// (they also appear among an analysis's anomalies).
    #[getter]
    fn problems(&self, py: Python<'_>) -> PyResult<Py<PyList>> {
        crate::values::records(py, "Anomaly", self.inner.problems())
    }

    fn __repr__(&self) -> String {
        format!("Exemptions({} usable, {} unusable)", self.inner.rules().len(), self.inner.problems().len())
    }
}
