//! The WebAssembly binding of keyrot, published to npm as `keyrot`.
//!
//! `analyze(input, options?)`, `parse(input, options?)`, `plan(input,
//! options?)`, `analyzeMany(inputs, options?)`, `diff(old, new, options?)`,
//! `history(inputs, options?)` and `checkCsv(input, options?)` take credential reports as strings or
//! `Uint8Array`s (the CSV, base64 of it, or the JSON the AWS CLI prints
//! around it) and return plain objects in the JSON contract of
//! `testdata/README.md`: the core's own serialization, snake_case keys,
//! timestamps as RFC 3339 strings ending in `Z`. Their TypeScript
//! declarations (`types.d.ts`) are generated from the Rust types
//! (`tests/types.rs`). Options are an object with camelCase names (`asOf`,
//! `maxAgeDays`, …) read by serde into the structs of [`options`]; unknown
//! names are errors. Errors are thrown as JS `Error`s whose message is the
//! core's `Display` and whose `code`, `line`, `column` and `value`
//! properties are the core's. `checkCsv` is the fast path for large
//! reports: it returns the findings as the CSV bytes the command writes,
//! never as JS objects.
//!
//! The crate builds on the host too (so `cargo test --workspace` covers
//! [`options`]); the exported functions only run in a JS engine.
#![deny(missing_docs)]

pub mod history;
mod io;
pub mod options;
pub mod page;

use io::{input_bytes, input_reader, named_inputs, JsOut, JsPieces};
use js_sys::{Array, ArrayBuffer, Date, Object, Reflect, Uint8Array};
use keyrot::Timestamp;
use serde::de::value::MapDeserializer;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::cell::Cell;
use std::io::Write;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = include_str!("types.d.ts");

#[wasm_bindgen]
extern "C" {
    /// The options object of `analyze` and `analyzeMany`
    /// ([`options::AnalyzeOptions`]).
    #[wasm_bindgen(typescript_type = "AnalyzeOptions")]
    pub type AnalyzeOptions;

    /// The options object of `parse` ([`options::ParseOptionsArg`]).
    #[wasm_bindgen(typescript_type = "ParseOptions")]
    pub type ParseOptions;

    /// The options object of `plan` ([`options::PlanOptions`]).
    #[wasm_bindgen(typescript_type = "PlanOptions")]
    pub type PlanOptions;

    /// The options object of `diff` ([`options::DiffOptions`]).
    #[wasm_bindgen(typescript_type = "DiffOptions")]
    pub type DiffOptions;

    /// The options object of `checkCsv` ([`options::CheckCsvOptions`]).
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
    let judging = start(options, "analyze", options::AnalyzeOptions::judging)?;
    to_plain_object(&judging.run().analyze(&*input_bytes(&input, "the input")?).map_err(to_js_error)?)
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
    let judging = start(options, "analyzeMany", options::AnalyzeOptions::judging)?;
    let reports = named_inputs(&inputs, input_bytes)?;
    let reports = reports.iter().map(|(name, bytes)| (name.clone(), bytes.as_slice()));
    to_plain_object(&keyrot::analyze_many(reports, &judging.options, judging.exemptions.as_ref()))
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
    let judging = start(options, "plan", options::PlanOptions::judging)?;
    let analysis = judging.run().analyze(&*input_bytes(&input, "the input")?).map_err(to_js_error)?;
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
    let judging = start(options, "diff", options::DiffOptions::judging)?;
    let read = |input: &JsValue, what| {
        keyrot::read::parse(&input_bytes(input, what)?[..], &judging.options.parse_options()).map_err(to_js_error)
    };
    let (old, new) = (read(&old, "the old report")?, read(&new, "the new report")?);
    let times = keyrot::diff::DiffTimes { old_as_of: judging.old_as_of, new_as_of: judging.options.as_of };
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
/// write; default all), `columns` (the columns, in order; default all of
/// `CsvColumn`), `source` (the text of the `source` column; default empty)
/// and `write` (a function given each piece of the CSV, in order, instead
/// of collecting it).
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
    let options: Option<JsValue> = options.map(Into::into);
    let judging = start(options.clone(), "checkCsv", options::CheckCsvOptions::judging)?;
    // A function, or nothing: `read_options` refused anything else.
    let write = options.and_then(|o| Reflect::get(&o, &"write".into()).ok()?.dyn_into::<js_sys::Function>().ok());
    let thrown = Rc::new(Cell::new(None));
    let (reader, size) = input_reader(&input, "the input", &thrown)?;
    // Left empty when `write` takes the pieces (an array never written costs
    // no memory).
    let mut csv = JsOut::with_capacity(if write.is_some() { 0 } else { size.unwrap_or(1 << 20) });
    let run = judging.run().source(&judging.source);
    let (analysis, rows) = run
        .report_csv(reader, judging.columns, &judging.only, |piece| match &write {
            Some(write) => (JsPieces { write, thrown: &thrown }.write_all(piece))
                .map_err(|e| keyrot::Error::new(keyrot::ErrorCode::Io, e.to_string())),
            None => {
                csv.push(piece);
                Ok(())
            }
        })
        // What `input` or `write` threw, else the error.
        .map_err(|err| thrown.take().unwrap_or_else(|| to_js_error(err)))?;
    let result = to_plain_object(&analysis)?;
    Reflect::delete_property(result.unchecked_ref::<Object>(), &JsValue::from_str("findings"))?;
    set(&result, "csv", &JsValue::from(csv.finish()?))?;
    set(&result, "csv_rows", &JsValue::from_f64(rows as f64))?;
    Ok(result)
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
    let options = start(options, "parse", |options: options::ParseOptionsArg, _| Ok(options.read()))?;
    to_plain_object(&keyrot::read::parse(&input_bytes(&input, "the input")?[..], &options).map_err(to_js_error)?)
}

/// What every export does first: sends a panic's message to
/// `console.error` (feature `panic-hook`; once), reads the options object
/// of `function` (see [`read_options`]) and makes it the core's with
/// `into`, given the JS clock's time as the core's `clock` fallback.
pub(crate) fn start<T: DeserializeOwned + Default, R>(
    options: Option<impl Into<JsValue>>,
    function: &str,
    into: fn(T, Option<Timestamp>) -> Result<R, keyrot::Error>,
) -> Result<R, JsValue> {
    #[cfg(feature = "panic-hook")]
    console_error_panic_hook::set_once();
    let options = read_options(options.map_or(JsValue::UNDEFINED, Into::into), function)?;
    into(options, chrono::DateTime::from_timestamp_millis(Date::now() as i64)).map_err(to_js_error)
}

/// Reads the options object of `function` into `T` with serde: nothing
/// (`undefined`, `null`) is the defaults. serde reads its entries, in
/// which a `Date` is its RFC 3339 text (`"Invalid Date"` when it is one,
/// which `asOf` then refuses), an `ArrayBuffer` is a `Uint8Array`, and the
/// function `write` is left out (the caller takes it). They are read as a
/// map, every key seen: serde-wasm-bindgen reads a struct by looking up the
/// names it knows, so an unknown name would go unseen by
/// `deny_unknown_fields`.
pub(crate) fn read_options<T: DeserializeOwned + Default>(given: JsValue, function: &str) -> Result<T, JsValue> {
    if given.is_null_or_undefined() {
        return Ok(T::default());
    }
    // The binding does not check the argument's type: do it here.
    if !given.is_object() || Array::is_array(&given) {
        let kind = if Array::is_array(&given) { "an array".to_owned() } else { js_type(&given) };
        return Err(to_js_error(options::not_an_object(&kind)));
    }
    let mut entries = Vec::new();
    for key in Object::keys(given.unchecked_ref::<Object>()).iter() {
        let value = Reflect::get(&given, &key)?;
        let value = if let Some(date) = value.dyn_ref::<Date>() {
            JsValue::from(if date.get_time().is_nan() { "Invalid Date".into() } else { date.to_iso_string() })
        } else if let Some(buffer) = value.dyn_ref::<ArrayBuffer>() {
            Uint8Array::new(buffer).into()
        } else if value.is_function() && key.as_string().as_deref() == Some("write") {
            continue;
        } else {
            value
        };
        entries.push((key.as_string().unwrap_or_default(), value));
    }
    // What serde reads is what the error's `value` shows.
    let describe = |name: &str| entries.iter().find(|(key, _)| key == name).map(|(_, value)| describe(value));
    let map = entries.iter().map(|(key, value)| (key.as_str(), serde_wasm_bindgen::Deserializer::from(value.clone())));
    options::read(MapDeserializer::<_, serde_wasm_bindgen::Error>::new(map), function, describe).map_err(to_js_error)
}

/// A JS value as an error's `value` shows it.
fn describe(value: &JsValue) -> String {
    match (value.as_string(), value.as_f64(), value.as_bool()) {
        (Some(text), ..) => text,
        (_, Some(n), _) => n.to_string(),
        (.., Some(b)) => b.to_string(),
        _ if value.is_null() => "null".to_owned(),
        _ if Array::is_array(value) => "an array".to_owned(),
        _ if value.is_function() || !value.is_object() => format!("a value of type {}", js_type(value)),
        _ => "an object".to_owned(),
    }
}

pub(crate) fn js_type(value: &JsValue) -> String {
    value.js_typeof().as_string().unwrap_or_default()
}

/// A `TypeError` for an argument of the wrong kind, with `code`
/// `invalid_input` and no place, like the core's errors.
pub(crate) fn type_error(message: &str) -> JsValue {
    error_with(js_sys::TypeError::new(message).into(), "invalid_input", None, None, None)
}

/// The core's result as a plain object in the JSON contract: `null` for
/// `None`, objects for maps, numbers for integers. (A `serde_json` string
/// handed to `JSON.parse` measured no faster on a 200,000-row report, about
/// 5 s of CPU either way in Node, and needs the whole text in memory twice.)
pub(crate) fn to_plain_object<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(JsValue::from)
}

/// The core's error as a JS `Error`: the message is its `Display`; `code`,
/// `line`, `column` and `value` are properties.
pub(crate) fn to_js_error(err: keyrot::Error) -> JsValue {
    error_with(js_sys::Error::new(&err.to_string()), err.code().as_str(), err.line(), err.column(), err.value())
}

/// `err` with the properties `code`, `line`, `column` and `value` (`null`
/// when they do not apply).
fn error_with(err: js_sys::Error, code: &str, line: Option<u64>, column: Option<&str>, value: Option<&str>) -> JsValue {
    let text = |t: Option<&str>| t.map_or(JsValue::NULL, JsValue::from_str);
    let line = line.map_or(JsValue::NULL, |l| JsValue::from_f64(l as f64));
    for (name, value) in [("code", code.into()), ("line", line), ("column", text(column)), ("value", text(value))] {
        // Setting a property on a fresh Error cannot fail.
        let _ = set(&err, name, &value);
    }
    err.into()
}

fn set(target: &JsValue, name: &str, value: &JsValue) -> Result<(), JsValue> {
    Reflect::set(target, &JsValue::from_str(name), value).map(|_| ())
}
