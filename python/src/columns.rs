//! Columnar tables for DataFrames (a report's rows, a plan's steps, a
//! diff's changes): one buffer per column, built without the GIL, instead of
//! one Python object per row. Findings have their own store, built while
//! the report is judged (`table.rs`), handed to Python in the same format.
//!
//! Fixed-width columns are little-endian bytes that numpy reads in place;
//! low-cardinality text (account ids, statuses, regions, services, codes) is
//! dictionary-encoded; other text is one UTF-8 buffer with offsets (what
//! Arrow's `large_string` holds), or a list of `str` for callers without
//! pyarrow.

use keyrot::{Field, Row, Status, Timestamp};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyList, PyString, PyTuple};
use std::collections::HashMap;

/// One column.
pub(crate) enum Column {
    /// Dictionary-encoded text: `i32` codes (`-1` for null) into
    /// `categories`; `fixed` when every possible category is listed,
    /// `ordered` when their order means something.
    Category { codes: Vec<u8>, categories: Vec<String>, fixed: bool, ordered: bool },
    /// Text without nulls: `i64` offsets (`len + 1` of them) into `data`.
    Text { offsets: Vec<u8>, data: Vec<u8> },
    /// `i64` values; `nulls` holds 1 for null where any is null;
    /// `nullable` says whether the column can hold nulls at all (its dtype
    /// does not depend on the data).
    Int { values: Vec<u8>, nulls: Option<Vec<u8>>, nullable: bool },
    /// One byte (0 or 1) per value; `nulls` and `nullable` as for `Int`.
    Bool { values: Vec<u8>, nulls: Option<Vec<u8>>, nullable: bool },
    /// Microseconds since 1970-01-01T00:00:00Z as `i64`, `i64::MIN` (NaT)
    /// for null; `nulls` as for `Int`.
    Time { values: Vec<u8>, nulls: Option<Vec<u8>> },
}

/// A validity mask, kept only when some value is null.
struct Nulls {
    mask: Vec<u8>,
    any: bool,
}

impl Nulls {
    fn with_capacity(n: usize) -> Nulls {
        Nulls { mask: Vec::with_capacity(n), any: false }
    }

    fn push(&mut self, null: bool) {
        self.any |= null;
        self.mask.push(u8::from(null));
    }

    fn finish(self) -> Option<Vec<u8>> {
        self.any.then_some(self.mask)
    }
}

/// A fast hash for short keys (the multiply-rotate of rustc's FxHasher):
/// account ids, regions and services are a few bytes, and not attacker
/// chosen in a way that matters here (a worst case only slows one table).
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

pub(crate) type FastMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<FxHasher>>;

struct CategoryBuilder {
    codes: Vec<u8>,
    index: FastMap<String, i32>,
    categories: Vec<String>,
    fixed: bool,
    ordered: bool,
    /// The code pushed last: runs of one value (an account's rows) skip
    /// the lookup.
    last: Option<i32>,
}

impl CategoryBuilder {
    fn new(n: usize) -> CategoryBuilder {
        CategoryBuilder {
            codes: Vec::with_capacity(n * 4),
            index: FastMap::default(),
            categories: Vec::new(),
            fixed: false,
            ordered: false,
            last: None,
        }
    }

    /// A column whose categories are known in advance (statuses, the kinds
    /// of last use), all listed even when absent; `ordered` when their order
    /// means something (statuses, most severe first).
    fn fixed(n: usize, categories: &[&str], ordered: bool) -> CategoryBuilder {
        let mut b = CategoryBuilder::new(n);
        for c in categories {
            b.code_of(c);
        }
        b.fixed = true;
        b.ordered = ordered;
        b
    }

    fn code_of(&mut self, value: &str) -> i32 {
        if let Some(last) = self.last {
            if self.categories.get(last as usize).is_some_and(|c| c == value) {
                return last;
            }
        }
        let code = match self.index.get(value).copied() {
            Some(code) => code,
            None => {
                let code = i32::try_from(self.categories.len()).unwrap_or(i32::MAX);
                self.categories.push(value.to_owned());
                self.index.insert(value.to_owned(), code);
                code
            }
        };
        self.last = Some(code);
        code
    }

    fn push(&mut self, value: Option<&str>) {
        let code = value.map_or(-1, |v| self.code_of(v));
        self.push_code(code);
    }

    /// Pushes a code of a fixed column directly (`-1` for null).
    fn push_code(&mut self, code: i32) {
        self.codes.extend_from_slice(&code.to_le_bytes());
    }

    fn finish(self) -> Column {
        Column::Category { codes: self.codes, categories: self.categories, fixed: self.fixed, ordered: self.ordered }
    }
}

struct TextBuilder {
    offsets: Vec<u8>,
    data: Vec<u8>,
}

impl TextBuilder {
    fn new(n: usize) -> TextBuilder {
        TextBuilder::with_bytes(n, n * 16)
    }

    /// A column of `n` values holding `bytes` bytes in all.
    fn with_bytes(n: usize, bytes: usize) -> TextBuilder {
        let mut offsets = Vec::with_capacity((n + 1) * 8);
        offsets.extend_from_slice(&0i64.to_le_bytes());
        TextBuilder { offsets, data: Vec::with_capacity(bytes) }
    }

    fn push(&mut self, value: &str) {
        self.data.extend_from_slice(value.as_bytes());
        let end = i64::try_from(self.data.len()).unwrap_or(i64::MAX);
        self.offsets.extend_from_slice(&end.to_le_bytes());
    }

    fn finish(self) -> Column {
        Column::Text { offsets: self.offsets, data: self.data }
    }
}

struct IntBuilder {
    values: Vec<u8>,
    nulls: Nulls,
    nullable: bool,
}

impl IntBuilder {
    fn new(n: usize) -> IntBuilder {
        IntBuilder { values: Vec::with_capacity(n * 8), nulls: Nulls::with_capacity(n), nullable: false }
    }

    fn nullable(n: usize) -> IntBuilder {
        IntBuilder { nullable: true, ..IntBuilder::new(n) }
    }

    fn push(&mut self, value: Option<i64>) {
        self.values.extend_from_slice(&value.unwrap_or(0).to_le_bytes());
        self.nulls.push(value.is_none());
    }

    fn finish(self) -> Column {
        Column::Int { values: self.values, nulls: self.nulls.finish(), nullable: self.nullable }
    }
}

struct BoolBuilder {
    values: Vec<u8>,
    nulls: Nulls,
    nullable: bool,
}

impl BoolBuilder {
    fn new(n: usize) -> BoolBuilder {
        BoolBuilder { values: Vec::with_capacity(n), nulls: Nulls::with_capacity(n), nullable: false }
    }

    fn nullable(n: usize) -> BoolBuilder {
        BoolBuilder { nullable: true, ..BoolBuilder::new(n) }
    }

    fn push(&mut self, value: Option<bool>) {
        self.values.push(u8::from(value.unwrap_or(false)));
        self.nulls.push(value.is_none());
    }

    fn finish(self) -> Column {
        Column::Bool { values: self.values, nulls: self.nulls.finish(), nullable: self.nullable }
    }
}

struct TimeBuilder {
    values: Vec<u8>,
    nulls: Nulls,
}

impl TimeBuilder {
    fn new(n: usize) -> TimeBuilder {
        TimeBuilder { values: Vec::with_capacity(n * 8), nulls: Nulls::with_capacity(n) }
    }

    fn push(&mut self, value: Option<&Timestamp>) {
        let micros = value.map_or(i64::MIN, Timestamp::timestamp_micros);
        self.values.extend_from_slice(&micros.to_le_bytes());
        self.nulls.push(value.is_none());
    }

    fn finish(self) -> Column {
        Column::Time { values: self.values, nulls: self.nulls.finish() }
    }
}

fn time_cell(field: &Field<Timestamp>) -> Option<&Timestamp> {
    field.value()
}

fn bool_cell(field: &Field<bool>) -> Option<bool> {
    field.value().copied()
}

fn text_cell(field: &Field<String>) -> Option<&str> {
    field.value().map(String::as_str)
}

/// The rows of a report as columns named as in the report, typed: a cell
/// that holds no value of its column's type (a literal such as `N/A`, or an
/// absent column) is null.
pub(crate) fn rows(rows: &[Row]) -> Vec<(&'static str, Column)> {
    let n = rows.len();
    let mut line = IntBuilder::new(n);
    let mut user = TextBuilder::new(n);
    let mut arn = TextBuilder::new(n);
    let mut account_id = CategoryBuilder::new(n);
    let mut is_root = BoolBuilder::new(n);
    let mut user_creation_time = TimeBuilder::new(n);
    let mut password_enabled = BoolBuilder::nullable(n);
    let mut password_last_used = TimeBuilder::new(n);
    let mut password_last_changed = TimeBuilder::new(n);
    let mut password_next_rotation = TimeBuilder::new(n);
    let mut mfa_active = BoolBuilder::nullable(n);
    let mut key_active = [BoolBuilder::nullable(n), BoolBuilder::nullable(n)];
    let mut key_rotated = [TimeBuilder::new(n), TimeBuilder::new(n)];
    let mut key_used = [TimeBuilder::new(n), TimeBuilder::new(n)];
    let mut key_region = [CategoryBuilder::new(n), CategoryBuilder::new(n)];
    let mut key_service = [CategoryBuilder::new(n), CategoryBuilder::new(n)];
    let mut cert_active = [BoolBuilder::nullable(n), BoolBuilder::nullable(n)];
    let mut cert_rotated = [TimeBuilder::new(n), TimeBuilder::new(n)];
    let mut malformed = BoolBuilder::new(n);
    for r in rows {
        line.push(Some(i64::try_from(r.line).unwrap_or(i64::MAX)));
        user.push(&r.user);
        arn.push(&r.arn);
        account_id.push(Some(&r.account_id));
        is_root.push(Some(r.is_root));
        user_creation_time.push(time_cell(&r.user_creation_time));
        password_enabled.push(bool_cell(&r.password_enabled));
        password_last_used.push(time_cell(&r.password_last_used));
        password_last_changed.push(time_cell(&r.password_last_changed));
        password_next_rotation.push(time_cell(&r.password_next_rotation));
        mfa_active.push(bool_cell(&r.mfa_active));
        for (slot, key) in r.access_keys.iter().enumerate() {
            key_active[slot].push(bool_cell(&key.active));
            key_rotated[slot].push(time_cell(&key.last_rotated));
            key_used[slot].push(time_cell(&key.last_used_date));
            key_region[slot].push(text_cell(&key.last_used_region));
            key_service[slot].push(text_cell(&key.last_used_service));
        }
        for (slot, cert) in r.certificates.iter().enumerate() {
            cert_active[slot].push(bool_cell(&cert.active));
            cert_rotated[slot].push(time_cell(&cert.last_rotated));
        }
        malformed.push(Some(r.malformed));
    }
    let [key1_active, key2_active] = key_active;
    let [key1_rotated, key2_rotated] = key_rotated;
    let [key1_used, key2_used] = key_used;
    let [key1_region, key2_region] = key_region;
    let [key1_service, key2_service] = key_service;
    let [cert1_active, cert2_active] = cert_active;
    let [cert1_rotated, cert2_rotated] = cert_rotated;
    vec![
        ("line", line.finish()),
        ("user", user.finish()),
        ("arn", arn.finish()),
        ("account_id", account_id.finish()),
        ("is_root", is_root.finish()),
        ("user_creation_time", user_creation_time.finish()),
        ("password_enabled", password_enabled.finish()),
        ("password_last_used", password_last_used.finish()),
        ("password_last_changed", password_last_changed.finish()),
        ("password_next_rotation", password_next_rotation.finish()),
        ("mfa_active", mfa_active.finish()),
        ("access_key_1_active", key1_active.finish()),
        ("access_key_1_last_rotated", key1_rotated.finish()),
        ("access_key_1_last_used_date", key1_used.finish()),
        ("access_key_1_last_used_region", key1_region.finish()),
        ("access_key_1_last_used_service", key1_service.finish()),
        ("access_key_2_active", key2_active.finish()),
        ("access_key_2_last_rotated", key2_rotated.finish()),
        ("access_key_2_last_used_date", key2_used.finish()),
        ("access_key_2_last_used_region", key2_region.finish()),
        ("access_key_2_last_used_service", key2_service.finish()),
        ("cert_1_active", cert1_active.finish()),
        ("cert_1_last_rotated", cert1_rotated.finish()),
        ("cert_2_active", cert2_active.finish()),
        ("cert_2_last_rotated", cert2_rotated.finish()),
        ("malformed", malformed.finish()),
    ]
}

fn opt_bytes<'py>(py: Python<'py>, bytes: Option<&[u8]>) -> Bound<'py, PyAny> {
    match bytes {
        Some(b) => PyByteArray::new(py, b).into_any(),
        None => py.None().into_bound(py),
    }
}

/// Text as a list of `str`; a value equal to the one before it (a user's
/// second key) shares its object.
fn text_list<'py>(py: Python<'py>, offsets: &[u8], data: &[u8]) -> PyResult<Bound<'py, PyList>> {
    let ends: Vec<usize> =
        offsets.chunks_exact(8).map(|c| c.try_into().map_or(0, i64::from_le_bytes)).map(|v| v as usize).collect();
    let list = PyList::empty(py);
    let mut previous: Option<(&[u8], Bound<'py, PyString>)> = None;
    for pair in ends.windows(2) {
        let slice = data.get(pair[0]..pair[1]).unwrap_or_default();
        let item = match &previous {
            Some((bytes, object)) if *bytes == slice => object.clone(),
            _ => PyString::new(py, &String::from_utf8_lossy(slice)),
        };
        list.append(&item)?;
        previous = Some((slice, item));
    }
    Ok(list)
}

/// The bytes a dictionary code takes for `categories` categories (and -1
/// for null): 1, 2 or 4.
pub(crate) fn code_width(categories: usize) -> usize {
    if categories < 128 {
        1
    } else if categories < 32_768 {
        2
    } else {
        4
    }
}

/// Hands the columns to Python as `(name, kind, payload)` tuples, numbers in
/// `bytearray`s (so numpy arrays over them are writable), all little-endian:
///
/// - `("category", (codes, categories, fixed, ordered, width))`: signed
///   codes of `width` bytes, -1 for null
/// - `("text", [(offsets, data), ...])`: the Arrow `large_string` buffers of
///   each chunk of the column (`i64` offsets), or `("text_list", list)` with
///   `text_lists`
/// - `("int", (values, nulls or None, nullable, width))`: signed integers of
///   `width` bytes
/// - `("bool" | "time", (values, nulls or None, nullable))`: a byte a value,
///   or microseconds since the epoch as `i64` (NaT for null)
pub(crate) fn to_python<'py>(
    py: Python<'py>,
    columns: &[(&'static str, Column)],
    text_lists: bool,
) -> PyResult<Bound<'py, PyList>> {
    let out = PyList::empty(py);
    for (name, column) in columns {
        let (kind, payload): (&str, Bound<'py, PyAny>) = match column {
            Column::Category { codes, categories, fixed, ordered } => (
                "category",
                PyTuple::new(
                    py,
                    [
                        PyByteArray::new(py, codes).into_any(),
                        PyList::new(py, categories)?.into_any(),
                        fixed.into_pyobject(py)?.to_owned().into_any(),
                        ordered.into_pyobject(py)?.to_owned().into_any(),
                        4usize.into_pyobject(py)?.into_any(),
                    ],
                )?
                .into_any(),
            ),
            Column::Text { offsets, data } if text_lists => ("text_list", text_list(py, offsets, data)?.into_any()),
            Column::Text { offsets, data } => {
                ("text", PyList::new(py, [(PyBytes::new(py, offsets), PyBytes::new(py, data))])?.into_any())
            }
            Column::Int { values, nulls, nullable } => {
                let (values, nulls) = (PyByteArray::new(py, values).into_any(), opt_bytes(py, nulls.as_deref()));
                let (nullable, width) = (nullable.into_pyobject(py)?.to_owned().into_any(), 8usize.into_pyobject(py)?);
                ("int", PyTuple::new(py, [values, nulls, nullable, width.into_any()])?.into_any())
            }
            Column::Bool { values, nulls, nullable } => ("bool", triple(py, values, nulls.as_deref(), *nullable)?),
            Column::Time { values, nulls } => ("time", triple(py, values, nulls.as_deref(), true)?),
        };
        out.append((*name, kind, payload))?;
    }
    Ok(out)
}

fn triple<'py>(py: Python<'py>, values: &[u8], nulls: Option<&[u8]>, nullable: bool) -> PyResult<Bound<'py, PyAny>> {
    let nullable = nullable.into_pyobject(py)?.to_owned().into_any();
    Ok(PyTuple::new(py, [PyByteArray::new(py, values).into_any(), opt_bytes(py, nulls), nullable])?.into_any())
}

/// The steps of a plan as columns, one row per step: the step's fields, the
/// role of each slot's key (null when the step does not concern it), and
/// `checks`, `commands` and `notes` each as one text, its lines joined by
/// `\n` (a command never holds a line break: a value with a control
/// character is never put in one). `source` first when the plan is one of
/// several reports'.
pub(crate) fn plan_steps(plan: &keyrot::Plan, source: Option<&str>) -> Vec<(&'static str, Column)> {
    let steps = &plan.steps;
    let n = steps.len();
    let step_names: Vec<&str> = crate::plan::STEP_CODES.iter().map(|c| c.as_str()).collect();
    let mut sources = CategoryBuilder::new(n);
    let mut account_id = CategoryBuilder::new(n);
    let mut user = TextBuilder::new(n);
    let mut arn = TextBuilder::new(n);
    let mut is_root = BoolBuilder::new(n);
    let mut step = CategoryBuilder::fixed(n, &step_names, false);
    let mut roles = [
        CategoryBuilder::fixed(n, &crate::plan::KEY_ROLES, false),
        CategoryBuilder::fixed(n, &crate::plan::KEY_ROLES, false),
    ];
    let mut reason = TextBuilder::new(n);
    let mut checks = TextBuilder::new(n);
    let mut commands = TextBuilder::new(n);
    let mut notes = TextBuilder::new(n);
    let mut delete_after = TimeBuilder::new(n);
    let mut line = IntBuilder::new(n);
    for s in steps {
        sources.push(source);
        account_id.push(Some(&s.account_id));
        user.push(&s.user);
        arn.push(&s.arn);
        is_root.push(Some(s.is_root));
        step.push(Some(s.step.as_str()));
        for (slot, column) in roles.iter_mut().enumerate() {
            let role = s.keys.iter().find(|k| usize::from(k.slot) == slot + 1).map(|k| k.role);
            column.push(role);
        }
        reason.push(&s.reason);
        checks.push(&s.checks.join("\n"));
        commands.push(&s.commands.join("\n"));
        notes.push(&s.notes.join("\n"));
        delete_after.push(s.delete_after.as_ref());
        line.push(Some(i64::try_from(s.line).unwrap_or(i64::MAX)));
    }
    let [slot_1_role, slot_2_role] = roles;
    let mut columns = Vec::with_capacity(15);
    if source.is_some() {
        columns.push(("source", sources.finish()));
    }
    columns.extend([
        ("account_id", account_id.finish()),
        ("user", user.finish()),
        ("arn", arn.finish()),
        ("is_root", is_root.finish()),
        ("step", step.finish()),
        ("slot_1_role", slot_1_role.finish()),
        ("slot_2_role", slot_2_role.finish()),
        ("reason", reason.finish()),
        ("checks", checks.finish()),
        ("commands", commands.finish()),
        ("notes", notes.finish()),
        ("delete_after", delete_after.finish()),
        ("line", line.finish()),
    ]);
    columns
}

/// The changes of a diff as columns, one row per change: the change, the
/// user, and each side's key (`old_*`, `new_*`; null where that side has no
/// key).
pub(crate) fn diff_changes(diff: &keyrot::Diff) -> Vec<(&'static str, Column)> {
    let n = diff.changes.len();
    let change_names: Vec<String> = crate::diff::CHANGE_CODES.iter().map(crate::data::name_of).collect();
    let change_names: Vec<&str> = change_names.iter().map(String::as_str).collect();
    let statuses: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
    let mut change = CategoryBuilder::fixed(n, &change_names, false);
    let mut account_id = CategoryBuilder::new(n);
    let mut user = TextBuilder::new(n);
    let mut slot = [IntBuilder::nullable(n), IntBuilder::nullable(n)];
    let mut last_rotated = [TimeBuilder::new(n), TimeBuilder::new(n)];
    let mut status = [CategoryBuilder::fixed(n, &statuses, true), CategoryBuilder::fixed(n, &statuses, true)];
    let mut active = [BoolBuilder::nullable(n), BoolBuilder::nullable(n)];
    let mut overdue_days = IntBuilder::nullable(n);
    let mut message = TextBuilder::new(n);
    for c in &diff.changes {
        change.push(Some(&crate::data::name_of(&c.change)));
        account_id.push(Some(&c.account_id));
        user.push(&c.user);
        for (side, key) in [&c.old_key, &c.new_key].into_iter().enumerate() {
            slot[side].push(key.as_ref().map(|k| i64::from(k.slot)));
            last_rotated[side].push(key.as_ref().and_then(|k| k.last_rotated.as_ref()));
            let code = key
                .as_ref()
                .and_then(|k| Status::ALL.iter().position(|s| *s == k.status))
                .map_or(-1, |i| i32::try_from(i).unwrap_or(-1));
            status[side].push_code(code);
            active[side].push(key.as_ref().map(|k| k.active));
        }
        overdue_days.push(c.overdue_days);
        message.push(&c.message);
    }
    let [old_slot, new_slot] = slot;
    let [old_last_rotated, new_last_rotated] = last_rotated;
    let [old_status, new_status] = status;
    let [old_active, new_active] = active;
    vec![
        ("change", change.finish()),
        ("account_id", account_id.finish()),
        ("user", user.finish()),
        ("old_slot", old_slot.finish()),
        ("old_last_rotated", old_last_rotated.finish()),
        ("old_status", old_status.finish()),
        ("old_active", old_active.finish()),
        ("new_slot", new_slot.finish()),
        ("new_last_rotated", new_last_rotated.finish()),
        ("new_status", new_status.finish()),
        ("new_active", new_active.finish()),
        ("overdue_days", overdue_days.finish()),
        ("message", message.finish()),
    ]
}
