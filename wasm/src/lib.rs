//! The WebAssembly binding of keyrot, published to npm as `keyrot`.
//!
//! `analyze(input, options?)`, `parse(input, options?)`, `plan(input,
//! options?)`, `analyzeMany(inputs, options?)` and `diff(old, new,
//! options?)` take credential reports as strings or `Uint8Array`s (the CSV,
//! base64 of it, or the JSON the AWS CLI prints around it) and return plain
//! objects in the JSON contract of `testdata/README.md`: the core's own
//! serialization, snake_case keys, timestamps as RFC 3339 strings ending in
//! `Z`. The TypeScript declarations of those objects are in `types.d.ts`
//! (checked against every golden output by `tests/types.test.mjs`). Options are
//! an object with camelCase names (`asOf`, `maxAgeDays`, …); unknown names
//! are errors. Errors are thrown as JS `Error`s whose message is the core's
//! `Display` and whose `code`, `line`, `column` and `value` properties are
//! the core's.
//!
//! The crate builds on the host too (so `cargo test --workspace` covers the
//! option handling in [`options`]); the exported functions only run in a
//! JS engine.
#![deny(missing_docs)]

pub mod options;

use js_sys::{Array, ArrayBuffer, Date, Object, Reflect, Uint8Array};
use keyrot::Timestamp;
use options::OptionValue;
use serde::Serialize;
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
