//! The JS boundary, run in Node by wasm-bindgen-test:
//! `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner cargo test --target wasm32-unknown-unknown -p keyrot-wasm`.
//! The golden cases run against the Node package in `tests/golden.test.mjs`
//! (wasm32 tests cannot read files).
#![cfg(target_arch = "wasm32")]

use js_sys::Array;
use js_sys::{Date, Object, Reflect, Uint8Array};
use keyrot_wasm::{analyze, analyze_many, diff, parse, plan, AnalyzeOptions, DiffOptions, ParseOptions, PlanOptions};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

const CSV: &str =
    "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n\
                   exactly-90d,arn:aws:iam::111122223333:user/exactly-90d,true,2026-08-28T00:00:00Z,false,N/A\n\
                   over-by-1s,arn:aws:iam::111122223333:user/over-by-1s,true,2026-08-27T23:59:59Z,false,N/A\n";

fn object(entries: &[(&str, JsValue)]) -> Object {
    let obj = Object::new();
    for (name, value) in entries {
        Reflect::set(&obj, &JsValue::from_str(name), value).unwrap();
    }
    obj
}

fn options(entries: &[(&str, JsValue)]) -> Option<AnalyzeOptions> {
    Some(object(entries).unchecked_into())
}

fn get(value: &JsValue, path: &str) -> JsValue {
    path.split('.').fold(value.clone(), |v, key| match key.parse::<u32>() {
        Ok(i) => Reflect::get_u32(&v, i).unwrap(),
        Err(_) => Reflect::get(&v, &JsValue::from_str(key)).unwrap(),
    })
}

fn text(value: &JsValue, path: &str) -> Option<String> {
    get(value, path).as_string()
}

fn as_of_2026() -> Option<AnalyzeOptions> {
    options(&[("asOf", "2026-11-26T00:00:00Z".into())])
}

#[wasm_bindgen_test]
fn analyze_returns_a_plain_object_in_the_contract() {
    let result = analyze(CSV.into(), as_of_2026()).unwrap();
    assert_eq!(Object::get_prototype_of(&result), Object::get_prototype_of(&Object::new()));
    assert_eq!(text(&result, "as_of").as_deref(), Some("2026-11-26T00:00:00Z"));
    assert_eq!(text(&result, "as_of_source").as_deref(), Some("explicit"));
    assert_eq!(text(&result, "findings.0.status").as_deref(), Some("due_soon"));
    assert_eq!(text(&result, "findings.1.status").as_deref(), Some("fail"));
    assert_eq!(get(&result, "findings.1.age_days").as_f64(), Some(90.0));
    assert!(get(&result, "generated_time").is_null(), "None is null, not undefined");
    assert_eq!(get(&result, "summary.compliant").as_bool(), Some(false));
}

#[wasm_bindgen_test]
fn a_date_as_of_is_the_same_instant() {
    let date = Date::new(&JsValue::from_str("2026-11-26T00:00:00Z"));
    let result = analyze(CSV.into(), options(&[("asOf", date.into())])).unwrap();
    assert_eq!(text(&result, "as_of").as_deref(), Some("2026-11-26T00:00:00Z"));
    assert_eq!(text(&result, "as_of_source").as_deref(), Some("explicit"));
}

#[wasm_bindgen_test]
fn without_as_of_the_clock_is_used() {
    let before = Date::now();
    let result = analyze(CSV.into(), None).unwrap();
    let after = Date::now();
    assert_eq!(text(&result, "as_of_source").as_deref(), Some("clock"));
    let as_of = Date::parse(&text(&result, "as_of").unwrap());
    assert!(as_of >= before - 1.0 && as_of <= after + 1.0, "{as_of} not in [{before}, {after}]");
}

#[wasm_bindgen_test]
fn bytes_are_accepted() {
    let bytes = Uint8Array::from(CSV.as_bytes());
    let from_bytes = analyze(bytes.into(), as_of_2026()).unwrap();
    let from_text = analyze(CSV.into(), as_of_2026()).unwrap();
    assert_eq!(js_sys::JSON::stringify(&from_bytes).unwrap(), js_sys::JSON::stringify(&from_text).unwrap());
}

#[wasm_bindgen_test]
fn camel_case_options_reach_the_policy() {
    let opts = options(&[
        ("asOf", "2026-11-26T00:00:00Z".into()),
        ("maxAgeDays", 30.into()),
        ("warnDays", 0.into()),
        ("includeInactive", true.into()),
        ("granularity", "whole_days".into()),
        ("graceDays", 2.into()),
        ("lenient", true.into()),
        ("format", "csv".into()),
    ]);
    let result = analyze(CSV.into(), opts).unwrap();
    assert_eq!(get(&result, "policy.max_age_days").as_f64(), Some(30.0));
    assert_eq!(get(&result, "policy.warn_days").as_f64(), Some(0.0));
    assert_eq!(get(&result, "policy.include_inactive").as_bool(), Some(true));
    assert_eq!(text(&result, "policy.granularity").as_deref(), Some("whole_days"));
    assert_eq!(get(&result, "policy.grace_days").as_f64(), Some(2.0));
    assert_eq!(text(&result, "input_format").as_deref(), Some("csv"));
}

fn error_fields(err: &JsValue) -> (Option<String>, Option<f64>, Option<String>, Option<String>) {
    (text(err, "code"), get(err, "line").as_f64(), text(err, "column"), text(err, "value"))
}

#[wasm_bindgen_test]
fn unknown_option_names_throw() {
    let err = analyze(CSV.into(), options(&[("max_age_days", 30.into())])).unwrap_err();
    assert!(err.is_instance_of::<js_sys::Error>());
    assert_eq!(error_fields(&err), (Some("invalid_policy".into()), None, Some("max_age_days".into()), None));
    let message = text(&err, "message").unwrap();
    assert!(message.contains("did you mean `maxAgeDays`?"), "{message}");
}

#[wasm_bindgen_test]
fn bad_option_values_throw_with_the_option_named() {
    let err = analyze(CSV.into(), options(&[("asOf", "26/11/2026".into())])).unwrap_err();
    assert_eq!(
        error_fields(&err),
        (Some("invalid_as_of".into()), None, Some("as_of".into()), Some("26/11/2026".into()))
    );
    let invalid_date = Date::new(&JsValue::from_str("nonsense"));
    let err = analyze(CSV.into(), options(&[("asOf", invalid_date.into())])).unwrap_err();
    assert_eq!(text(&err, "code").as_deref(), Some("invalid_as_of"));
    let err = analyze(CSV.into(), options(&[("maxAgeDays", "ninety".into())])).unwrap_err();
    assert_eq!(
        error_fields(&err),
        (Some("invalid_policy".into()), None, Some("max_age_days".into()), Some("ninety".into()))
    );
    let err = analyze(CSV.into(), options(&[("maxAgeDays", 0.into())])).unwrap_err();
    assert_eq!(
        error_fields(&err),
        (Some("invalid_policy".into()), None, Some("max_age_days".into()), Some("0".into()))
    );
}

#[wasm_bindgen_test]
fn options_that_are_not_an_object_throw() {
    let not_object: AnalyzeOptions = JsValue::from_str("maxAgeDays=30").unchecked_into();
    let err = analyze(CSV.into(), Some(not_object)).unwrap_err();
    assert_eq!(text(&err, "code").as_deref(), Some("invalid_policy"));
}

#[wasm_bindgen_test]
fn data_errors_carry_the_place() {
    let csv = "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n\
               bob,arn:aws:iam::1:user/bob,maybe,N/A,false,N/A\n";
    let err = analyze(csv.into(), as_of_2026()).unwrap_err();
    assert!(err.is_instance_of::<js_sys::Error>());
    assert_eq!(
        error_fields(&err),
        (Some("invalid_boolean".into()), Some(2.0), Some("access_key_1_active".into()), Some("maybe".into()))
    );
    let message = text(&err, "message").unwrap();
    assert!(message.starts_with("line 2, column `access_key_1_active`: "), "{message}");
}

#[wasm_bindgen_test]
fn input_of_another_type_is_a_type_error() {
    let err = analyze(JsValue::from_f64(42.0), as_of_2026()).unwrap_err();
    assert!(err.is_instance_of::<js_sys::TypeError>());
    assert_eq!(text(&err, "code").as_deref(), Some("invalid_input"));
}

#[wasm_bindgen_test]
fn parse_reads_rows_and_rejects_policy_options() {
    let report = parse(CSV.into(), None).unwrap();
    assert_eq!(text(&report, "rows.1.user").as_deref(), Some("over-by-1s"));
    assert_eq!(text(&report, "rows.0.access_keys.1.last_rotated").as_deref(), Some("N/A"));
    let opts: ParseOptions = object(&[("maxAgeDays", 30.into())]).unchecked_into();
    let err = parse(CSV.into(), Some(opts)).unwrap_err();
    assert_eq!(text(&err, "code").as_deref(), Some("invalid_policy"));
}

#[wasm_bindgen_test]
fn exemptions_as_an_array_of_objects() {
    let entry = object(&[
        ("account", "111122223333".into()),
        ("user", "over-by-*".into()),
        ("reason", "vendor appliance".into()),
        ("owner", "secops@example.com".into()),
        ("expires", "2027-03-31".into()),
    ]);
    let entries = Array::of1(&entry);
    let opts = options(&[("asOf", "2026-11-26T00:00:00Z".into()), ("exemptions", entries.into())]);
    let result = analyze(CSV.into(), opts).unwrap();
    assert_eq!(text(&result, "findings.1.exempted.owner").as_deref(), Some("secops@example.com"));
    assert_eq!(get(&result, "summary.compliant").as_bool(), Some(true));
}

#[wasm_bindgen_test]
fn plan_takes_access_keys_as_bytes() {
    let json = r#"{"AccessKeyMetadata": [{"UserName": "over-by-1s", "AccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Status": "Active", "CreateDate": "2026-08-27T23:59:59Z"}]}"#;
    let opts: PlanOptions =
        object(&[("asOf", "2026-11-26T00:00:00Z".into()), ("accessKeys", Uint8Array::from(json.as_bytes()).into())])
            .unchecked_into();
    let result = plan(CSV.into(), Some(opts)).unwrap();
    // The plan is in triage order: find the user's step by its name.
    let at = (0..)
        .take_while(|i| text(&result, &format!("steps.{i}.user")).is_some())
        .find(|i| text(&result, &format!("steps.{i}.user")).as_deref() == Some("over-by-1s"))
        .expect("a step for over-by-1s");
    assert_eq!(text(&result, &format!("steps.{at}.step")).as_deref(), Some("deactivate_unused_key"));
    assert_eq!(text(&result, &format!("steps.{at}.keys.0.access_key_id")).as_deref(), Some("AKIAIOSFODNN7EXAMPLE"));
}

#[wasm_bindgen_test]
fn analyze_many_names_each_report_and_checks_its_argument() {
    let inputs = Array::of2(
        &object(&[("name", "a.csv".into()), ("input", CSV.into())]),
        &object(&[("name", "b.csv".into()), ("input", Uint8Array::from(CSV.as_bytes()).into())]),
    );
    let result = analyze_many(inputs.into(), as_of_2026()).unwrap();
    assert_eq!(text(&result, "reports.1.source").as_deref(), Some("b.csv"));
    assert_eq!(text(&result, "findings.2.source").as_deref(), Some("b.csv"));
    let err = analyze_many(JsValue::from_str(CSV), as_of_2026()).unwrap_err();
    assert!(err.is_instance_of::<js_sys::TypeError>());
    assert_eq!(text(&err, "code").as_deref(), Some("invalid_input"));
}

#[wasm_bindgen_test]
fn diff_takes_a_date_for_the_old_report() {
    let rotated = CSV.replace("2026-08-27T23:59:59Z", "2026-11-20T00:00:00Z");
    let opts: DiffOptions = object(&[
        ("asOf", "2026-11-26T00:00:00Z".into()),
        ("oldAsOf", Date::new(&JsValue::from_str("2026-11-25T00:00:00Z")).into()),
    ])
    .unchecked_into();
    let result = diff(CSV.into(), rotated.into(), Some(opts)).unwrap();
    assert_eq!(text(&result, "old.as_of").as_deref(), Some("2026-11-25T00:00:00Z"));
    assert_eq!(text(&result, "changes.0.change").as_deref(), Some("rotated"));
}
