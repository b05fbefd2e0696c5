//! The WebAssembly binding of keyrot, published to npm as `keyrot`.
//!
//! `analyze(input, options?)`, `parse(input, options?)`, `plan(input,
//! options?)`, `analyzeMany(inputs, options?)`, `diff(old, new, options?)`
//! and `checkCsv(input, options?)` take credential reports as strings or
//! `Uint8Array`s (the CSV, base64 of it, or the JSON the AWS CLI prints
//! around it) and return plain objects in the JSON contract of
//! `testdata/README.md`: the core's own serialization, snake_case keys,
//! timestamps as RFC 3339 strings ending in `Z`. The TypeScript
//! declarations of those objects are in `types.d.ts` (checked against every
//! golden output by `tests/types.test.mjs`). Options are an object with
//! camelCase names (`asOf`, `maxAgeDays`, …); unknown names
//! are errors. Errors are thrown as JS `Error`s whose message is the core's
//! `Display` and whose `code`, `line`, `column` and `value` properties are
//! the core's. `checkCsv` is the fast path for large reports: it returns the
//! findings as the CSV bytes the command writes, never as JS objects.
//!
//! The crate builds on the host too (so `cargo test --workspace` covers the
//! option handling in [`options`]); the exported functions only run in a
//! JS engine.
#![deny(missing_docs)]

pub mod check;
pub mod options;

use js_sys::{Array, ArrayBuffer, Date, Object, Reflect, Uint8Array};
use keyrot::Timestamp;
use options::OptionValue;
use serde::Serialize;
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = include_str!("types.d.ts");

#[wasm_bindgen]
extern "C" {
    /// The options object of `analyze` (typed `AnalyzeOptions` in
    /// TypeScript); checked property by property at run time.
    #[wasm_bindgen(typescript_type = "AnalyzeOptions")]
    pub type AnalyzeOptions;

    /// The options object of `parse` (typed `ParseOptions` in TypeScript).
    #[wasm_bindgen(typescript_type = "ParseOptions")]
    pub type ParseOptions;

    /// The options object of `plan` (typed `PlanOptions` in TypeScript).
    #[wasm_bindgen(typescript_type = "PlanOptions")]
    pub type PlanOptions;

    /// The options object of `diff` (typed `DiffOptions` in TypeScript).
    #[wasm_bindgen(typescript_type = "DiffOptions")]
    pub type DiffOptions;

    /// The options object of `checkCsv` (typed `CheckCsvOptions` in
    /// TypeScript).
    #[wasm_bindgen(typescript_type = "CheckCsvOptions")]
    pub type CheckCsvOptions;
}

/// Judges every access key of a credential report.
///
/// `input` is the report: a string or a `Uint8Array` (also an
/// `ArrayBuffer`) holding the CSV, base64 of it, or the AWS CLI's JSON.
/// `options` is an `AnalyzeOptions` object, or nothing for the defaults.
/// When `asOf` is not given, the report's `GeneratedTime` is used, else the
/// current time; `as_of_source` in the result says which.
///
/// Returns the analysis as a plain object; throws an `Error` with `code`,
/// `line`, `column` and `value` properties.
#[wasm_bindgen(unchecked_return_type = "Analysis")]
pub fn analyze(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array | ArrayBuffer")] input: JsValue,
    options: Option<AnalyzeOptions>,
) -> Result<JsValue, JsValue> {
    set_panic_hook();
    let entries = option_entries(options.map(JsValue::from))?;
    let judging = options::analyze_options(&entries, now()).map_err(to_js_error)?;
    let bytes = input_bytes(&input, "the input")?;
    to_plain_object(&judge(&bytes, &judging)?)
}

/// Judges several reports together (one per account, say): one verdict,
/// counts per account, every finding and anomaly naming its report.
///
/// `inputs` is an array of `{ name, input }` objects, `input` as for
/// `analyze`. A report that cannot be read is reported in `reports` with
/// its error and does not stop the others. `options` are those of
/// `analyze`; without `asOf`, each report is judged at its own time.
#[wasm_bindgen(js_name = analyzeMany, unchecked_return_type = "ManyAnalysis")]
pub fn analyze_many(
    #[wasm_bindgen(unchecked_param_type = "Array<{ name: string; input: string | Uint8Array | ArrayBuffer }>")]
    inputs: JsValue,
    options: Option<AnalyzeOptions>,
) -> Result<JsValue, JsValue> {
    set_panic_hook();
    let entries = option_entries(options.map(JsValue::from))?;
    let judging = options::analyze_options(&entries, now()).map_err(to_js_error)?;
    if !Array::is_array(&inputs) {
        return Err(type_error(&format!(
            "the inputs must be an array of {{ name, input }} objects, not {}",
            js_type(&inputs)
        )));
    }
    let mut reports = Vec::new();
    for (index, item) in Array::from(&inputs).iter().enumerate() {
        let what = format!("inputs[{index}]");
        let name = Reflect::get(&item, &JsValue::from_str("name")).ok().and_then(|n| n.as_string());
        let Some(name) = name.filter(|_| item.is_object()) else {
            return Err(type_error(&format!("{what} must be an object with a string `name` and an `input`")));
        };
        let input = Reflect::get(&item, &JsValue::from_str("input"))?;
        reports.push((name, input_bytes(&input, &format!("{what}.input"))?));
    }
    let many = keyrot::analyze_many(
        reports.iter().map(|(name, bytes)| (name.clone(), bytes.as_slice())),
        &judging.options,
        judging.exemptions.as_ref(),
    );
    to_plain_object(&many)
}

/// The rotation plan of a report: for each user with something to do, the
/// one next step, with the `aws iam` commands a person runs after checking
/// (keyrot runs nothing).
///
/// `options` are those of `analyze`, and `accessKeys`: the JSON that
/// `aws iam list-access-keys` printed, so the commands name real key ids.
#[wasm_bindgen(unchecked_return_type = "Plan")]
pub fn plan(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array | ArrayBuffer")] input: JsValue,
    options: Option<PlanOptions>,
) -> Result<JsValue, JsValue> {
    set_panic_hook();
    let entries = option_entries(options.map(JsValue::from))?;
    let judging = options::plan_options(&entries, now()).map_err(to_js_error)?;
    let bytes = input_bytes(&input, "the input")?;
    let analysis = judge(&bytes, &judging)?;
    to_plain_object(&keyrot::plan(&analysis, judging.access_keys.as_deref()))
}

/// What changed from an older report to a newer one of the same accounts:
/// keys rotated, created and deleted, users added and removed, keys that
/// became, stayed or stopped being overdue. Keys are matched by user and
/// creation time, never by slot.
///
/// Each report is judged at its own time: `asOf` (else the new report's
/// `GeneratedTime`, else now) and `oldAsOf` (else the old report's
/// `GeneratedTime`, else its newest timestamp).
#[wasm_bindgen(unchecked_return_type = "Diff")]
pub fn diff(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array | ArrayBuffer")] old: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array | ArrayBuffer")] new: JsValue,
    options: Option<DiffOptions>,
) -> Result<JsValue, JsValue> {
    set_panic_hook();
    let entries = option_entries(options.map(JsValue::from))?;
    let judging = options::diff_options(&entries, now()).map_err(to_js_error)?;
    let parse_options = judging.options.parse_options();
    let old = keyrot::parse_bytes(&input_bytes(&old, "the old report")?, &parse_options).map_err(to_js_error)?;
    let new = keyrot::parse_bytes(&input_bytes(&new, "the new report")?, &parse_options).map_err(to_js_error)?;
    let times = keyrot::DiffTimes { old_as_of: judging.old_as_of, new_as_of: judging.options.as_of };
    to_plain_object(&keyrot::diff(&old, &new, &judging.options, &times).map_err(to_js_error)?)
}

/// Judges every access key of a report and returns the findings as CSV
/// bytes: exactly what `keyrot check --format csv` writes with the same
/// `--only` and `--columns`, without making a JS object per finding.
///
/// `input` is as for `analyze`, or a function that fills the `Uint8Array`
/// it is given with the next bytes of the report and returns how many, 0
/// at the end (`buf => fs.readSync(fd, buf)`); a `Uint8Array` or
/// `ArrayBuffer` is read in pieces, not copied whole into the module's
/// memory. `options` are those of `analyze`, and `only` (the statuses to
/// write; default all), `columns` (the columns, in order; default all 20),
/// `source` (the text of the `source` column; default empty) and `write` (a
/// function given each piece of the CSV, in order, instead of collecting
/// it).
///
/// Returns the analysis without `findings` (every key is counted in
/// `summary`), with `csv` (a `Uint8Array`: the header line, then one line
/// per finding written; empty when `write` took them) and `csv_rows` (how
/// many findings were written). Throws as `analyze` does, and what `input`
/// or `write` throw.
#[wasm_bindgen(js_name = checkCsv, unchecked_return_type = "CsvCheck")]
pub fn check_csv(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array | ArrayBuffer | ReadInto")] input: JsValue,
    options: Option<CheckCsvOptions>,
) -> Result<JsValue, JsValue> {
    set_panic_hook();
    let options = options.map(JsValue::from);
    let entries = option_entries(options.clone())?;
    let judging = options::check_csv_options(&entries, now()).map_err(to_js_error)?;
    // Checked to be a function, or not given, by `check_csv_options`.
    let write = match &options {
        Some(object) if object.is_object() => {
            Reflect::get(object, &JsValue::from_str("write"))?.dyn_into::<js_sys::Function>().ok()
        }
        _ => None,
    };
    let thrown = Rc::new(Cell::new(None));
    let (reader, size) = input_reader(&input, "the input", &thrown)?;
    // What `input` threw, else the error.
    let rethrow = |err: JsValue| thrown.take().unwrap_or(err);
    let (analysis, rows, csv) = if let Some(write) = write {
        let (analysis, rows) = check::check_csv(reader, judging, |piece| {
            // A copy: the function may keep it (a stream's `write` does).
            write.call1(&JsValue::NULL, &Uint8Array::from(piece)).map(|_| ()).map_err(JsThrown)
        })
        .map_err(|e| rethrow(e.0))?;
        (analysis, rows, Uint8Array::new_with_length(0))
    } else {
        let mut csv = JsOut::with_capacity(size.unwrap_or(1 << 20));
        let (analysis, rows) = check::check_csv(reader, judging, |piece| {
            csv.push(piece);
            Ok::<(), keyrot::Error>(())
        })
        .map_err(|e| rethrow(to_js_error(e)))?;
        (analysis, rows, csv.finish()?)
    };
    let result = to_plain_object(&analysis)?;
    Reflect::delete_property(result.unchecked_ref::<Object>(), &JsValue::from_str("findings"))?;
    set(&result, "csv", &csv)?;
    set(&result, "csv_rows", &JsValue::from_f64(rows as f64))?;
    Ok(result)
}

/// What a JS function called by `checkCsv` threw, or the core's error made
/// into a JS one.
struct JsThrown(JsValue);

impl From<keyrot::Error> for JsThrown {
    fn from(err: keyrot::Error) -> JsThrown {
        JsThrown(to_js_error(err))
    }
}

/// Judges one report, with the exemptions when there are some.
fn judge(bytes: &[u8], judging: &options::Judging) -> Result<keyrot::Analysis, JsValue> {
    match &judging.exemptions {
        Some(exemptions) => keyrot::analyze_with_exemptions(bytes, &judging.options, exemptions),
        None => keyrot::analyze_bytes(bytes, &judging.options),
    }
    .map_err(to_js_error)
}

/// Reads a credential report without judging it: its rows with every cell
/// as the report has it, and the anomalies of reading.
///
/// `input` is as for `analyze`; `options` is a `ParseOptions` object
/// (`format` and `lenient` only).
#[wasm_bindgen(unchecked_return_type = "Report")]
pub fn parse(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array | ArrayBuffer")] input: JsValue,
    options: Option<ParseOptions>,
) -> Result<JsValue, JsValue> {
    set_panic_hook();
    let entries = option_entries(options.map(JsValue::from))?;
    let options = options::parse_options(&entries).map_err(to_js_error)?;
    let bytes = input_bytes(&input, "the input")?;
    let report = keyrot::parse_bytes(&bytes, &options).map_err(to_js_error)?;
    to_plain_object(&report)
}

/// Sends a panic's message to `console.error` (feature `panic-hook`); does
/// nothing after the first call.
fn set_panic_hook() {
    #[cfg(feature = "panic-hook")]
    console_error_panic_hook::set_once();
}

/// The current time from the JS clock, as the core's `clock` fallback.
fn now() -> Option<Timestamp> {
    chrono::DateTime::from_timestamp_millis(Date::now() as i64)
}

/// The options object's own enumerable properties, in order.
fn option_entries(options: Option<JsValue>) -> Result<Vec<(String, OptionValue)>, JsValue> {
    let Some(value) = options else {
        return Ok(Vec::new());
    };
    // The binding does not check the argument's type: do it here.
    if value.is_undefined() || value.is_null() {
        return Ok(Vec::new());
    }
    if !value.is_object() || Array::is_array(&value) {
        let kind = if Array::is_array(&value) { "an array".to_owned() } else { js_type(&value) };
        return Err(to_js_error(options::not_an_object(&kind)));
    }
    let object: &Object = value.unchecked_ref();
    let keys = Object::keys(object);
    let mut entries = Vec::with_capacity(keys.length() as usize);
    for key in keys.iter() {
        let name = key.as_string().unwrap_or_default();
        let item = Reflect::get(&value, &key)?;
        entries.push((name, option_value(&item)));
    }
    Ok(entries)
}

fn option_value(value: &JsValue) -> OptionValue {
    if value.is_undefined() || value.is_null() {
        OptionValue::Missing
    } else if let Some(b) = value.as_bool() {
        OptionValue::Bool(b)
    } else if let Some(n) = value.as_f64() {
        OptionValue::Number(n)
    } else if let Some(s) = value.as_string() {
        OptionValue::Text(s)
    } else if let Some(date) = value.dyn_ref::<Date>() {
        OptionValue::Date(date.get_time())
    } else if let Some(bytes) = value.dyn_ref::<Uint8Array>() {
        OptionValue::Bytes(bytes.to_vec())
    } else if let Some(buffer) = value.dyn_ref::<ArrayBuffer>() {
        OptionValue::Bytes(Uint8Array::new(buffer).to_vec())
    } else if value.is_object() {
        match serde_wasm_bindgen::from_value::<serde_json::Value>(value.clone()) {
            Ok(data) => OptionValue::Data(data),
            Err(_) => OptionValue::Other(js_type(value)),
        }
    } else {
        OptionValue::Other(js_type(value))
    }
}

fn js_type(value: &JsValue) -> String {
    value.js_typeof().as_string().unwrap_or_default()
}

/// The input's bytes: a string's UTF-8, or a copy of the byte array.
/// `what` names the argument in the error.
fn input_bytes(input: &JsValue, what: &str) -> Result<Vec<u8>, JsValue> {
    if let Some(text) = input.as_string() {
        Ok(text.into_bytes())
    } else if let Some(bytes) = input.dyn_ref::<Uint8Array>() {
        Ok(bytes.to_vec())
    } else if let Some(buffer) = input.dyn_ref::<ArrayBuffer>() {
        Ok(Uint8Array::new(buffer).to_vec())
    } else {
        let kind = if input.is_null() { "null".to_owned() } else { js_type(input) };
        Err(type_error(&format!("{what} must be a string, a Uint8Array or an ArrayBuffer, not {kind}")))
    }
}

/// The input as a reader, and its size in bytes when known: a string's
/// UTF-8, a byte array read in pieces straight from JS memory, or what a
/// read function gives. What the function throws is kept in `thrown`.
/// `what` names the argument in the error.
fn input_reader(
    input: &JsValue,
    what: &str,
    thrown: &Rc<Cell<Option<JsValue>>>,
) -> Result<(Box<dyn std::io::Read>, Option<usize>), JsValue> {
    let array = if let Some(bytes) = input.dyn_ref::<Uint8Array>() {
        bytes.clone()
    } else if let Some(buffer) = input.dyn_ref::<ArrayBuffer>() {
        Uint8Array::new(buffer)
    } else if let Some(read) = input.dyn_ref::<js_sys::Function>() {
        let reader = JsRead { read: read.clone(), buf: None, thrown: Rc::clone(thrown) };
        return Ok((Box::new(reader), None));
    } else {
        let bytes = input_bytes(input, what)?;
        let size = bytes.len();
        return Ok((Box::new(std::io::Cursor::new(bytes)), Some(size)));
    };
    let size = array.length() as usize;
    Ok((Box::new(JsBytes { array, at: 0 }), Some(size)))
}

/// Reads through a JS function that fills the `Uint8Array` it is given and
/// returns how many bytes it put there (0 at the end), as `fs.readSync`
/// does. The array is the reader's own, reused, and copied into the
/// module's memory after each call.
struct JsRead {
    read: js_sys::Function,
    buf: Option<Uint8Array>,
    /// What the function threw, for `checkCsv` to throw again.
    thrown: Rc<Cell<Option<JsValue>>>,
}

impl std::io::Read for JsRead {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        // At most 1 MiB a call: about a chunk.
        let want = out.len().min(1 << 20) as u32;
        if want == 0 {
            return Ok(0);
        }
        let buf = match &self.buf {
            Some(buf) if buf.length() >= want => buf.clone(),
            _ => Uint8Array::new_with_length(want.max(1 << 16)),
        };
        self.buf = Some(buf.clone());
        let view = buf.subarray(0, want);
        let got = self.read.call1(&JsValue::NULL, &view).map_err(|err| {
            self.thrown.set(Some(err));
            std::io::Error::other("the read function threw")
        })?;
        let n = got.as_f64().filter(|n| n.fract() == 0.0 && (0.0..=f64::from(want)).contains(n)).ok_or_else(|| {
            let shown = got.as_f64().map_or_else(|| js_type(&got), |n| n.to_string());
            std::io::Error::other(format!(
                "the read function returned {shown}; it must return the number of bytes it put in the array, 0 to {want}"
            ))
        })? as usize;
        view.subarray(0, n as u32).copy_to(&mut out[..n]);
        Ok(n)
    }
}

/// Output bytes written straight into a JS byte array, so the module's
/// memory holds one chunk's rows at a time. The array starts at the size of
/// the input, 1 MiB when that is not known (the CSV of the failing keys of
/// a real report is smaller than the report; a large allocation that is
/// never written costs no memory), and doubles when full.
///
/// Measured on a 1,000,000-row report (`only: ['fail']`, 193 MB of CSV): a
/// JS array per chunk joined at the end, or this with a final copy to the
/// exact size, took 15 to 20 % more time and about 180 MB more peak memory.
struct JsOut {
    buf: Uint8Array,
    len: u32,
    /// More than a JS byte array can hold was written.
    overflow: bool,
}

impl JsOut {
    fn with_capacity(capacity: usize) -> JsOut {
        let capacity = capacity.clamp(1 << 16, 1 << 31);
        JsOut { buf: Uint8Array::new_with_length(capacity as u32), len: 0, overflow: false }
    }

    fn push(&mut self, bytes: &[u8]) {
        let need = u64::from(self.len) + bytes.len() as u64;
        if need > u64::from(u32::MAX) || self.overflow {
            self.overflow = true;
            return;
        }
        if need > u64::from(self.buf.length()) {
            let grown = need.max(2 * u64::from(self.buf.length())).min(u64::from(u32::MAX));
            let grown = Uint8Array::new_with_length(grown as u32);
            grown.set(&self.buf.subarray(0, self.len), 0);
            self.buf = grown;
        }
        self.buf.subarray(self.len, need as u32).copy_from(bytes);
        self.len = need as u32;
    }

    /// The bytes written: a view of the array when they fill at least half
    /// of it (no copy), else a copy of the exact size, so that what is kept
    /// alive is at most twice what was written.
    fn finish(self) -> Result<Uint8Array, JsValue> {
        if self.overflow {
            let err = keyrot::Error::new(keyrot::ErrorCode::LimitExceeded, "the CSV output would be 4 GiB or more");
            return Err(to_js_error(err));
        }
        Ok(if self.len >= self.buf.length() / 2 { self.buf.subarray(0, self.len) } else { self.buf.slice(0, self.len) })
    }
}

/// Reads a JS byte array from its start, copying each piece asked for into
/// the module's memory.
struct JsBytes {
    array: Uint8Array,
    at: u32,
}

impl std::io::Read for JsBytes {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let left = self.array.length() - self.at;
        let n = left.min(u32::try_from(buf.len()).unwrap_or(u32::MAX));
        if n > 0 {
            self.array.subarray(self.at, self.at + n).copy_to(&mut buf[..n as usize]);
            self.at += n;
        }
        Ok(n as usize)
    }
}

/// A `TypeError` for an argument of the wrong kind, with `code`
/// `invalid_input` and no place, like the core's errors.
fn type_error(message: &str) -> JsValue {
    let err = js_sys::TypeError::new(message);
    let props = [
        ("code", JsValue::from_str("invalid_input")),
        ("line", JsValue::NULL),
        ("column", JsValue::NULL),
        ("value", JsValue::NULL),
    ];
    for (name, value) in props {
        // Setting a property on a fresh Error cannot fail.
        let _ = set(&err, name, &value);
    }
    err.into()
}

/// The core's result as a plain object in the JSON contract: `null` for
/// `None`, objects for maps, numbers for integers. (A `serde_json` string
/// handed to `JSON.parse` measured no faster on a 200,000-row report, about
/// 5 s of CPU either way in Node, and needs the whole text in memory twice.)
fn to_plain_object<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(JsValue::from)
}

/// The core's error as a JS `Error`: the message is its `Display`; `code`,
/// `line`, `column` and `value` are properties (`null` when they do not
/// apply).
fn to_js_error(err: keyrot::Error) -> JsValue {
    let js = js_sys::Error::new(&err.to_string());
    let props: [(&str, JsValue); 4] = [
        ("code", JsValue::from_str(err.code().as_str())),
        ("line", err.line().map_or(JsValue::NULL, |l| JsValue::from_f64(l as f64))),
        ("column", err.column().map_or(JsValue::NULL, JsValue::from_str)),
        ("value", err.value().map_or(JsValue::NULL, JsValue::from_str)),
    ];
    for (name, value) in props {
        // Setting a property on a fresh Error cannot fail.
        let _ = set(&js, name, &value);
    }
    js.into()
}

fn set(target: &JsValue, name: &str, value: &JsValue) -> Result<(), JsValue> {
    Reflect::set(target, &JsValue::from_str(name), value).map(|_| ())
}
