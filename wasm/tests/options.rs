//! The option structs on the host: what serde reads from an options
//! object (JSON here, as the JS object would be), and the errors it makes.
#![cfg(not(target_arch = "wasm32"))]

use keyrot::{Error, ErrorCode, Granularity, InputFormat, Options, Timestamp};
use keyrot_wasm::options::*;
use serde_json::json;

fn analyze(options: serde_json::Value) -> Result<Judging, Error> {
    let describe = |name: &str| options.get(name).map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned));
    read::<AnalyzeOptions, _>(&options, "analyze", describe)?.judging(None)
}

fn ts(text: &str) -> Timestamp {
    keyrot::parse_timestamp(text).unwrap()
}

#[test]
fn every_option_maps_to_the_core() {
    let opts = read::<AnalyzeOptions, _>(
        &json!({
            "asOf": "2026-11-26T01:02:03+01:00", "maxAgeDays": 30, "warnDays": 0, "includeInactive": true,
            "granularity": "whole_days", "graceDays": 3, "lenient": true, "format": "cli_json",
            "rules": "access_key_rotated,root-mfa", "cisVersion": "1.4", "unusedDays": 90, "rootUseDays": 0,
            "setupSeconds": 60, "rotationWindowDays": 30,
        }),
        "analyze",
        |_| None,
    )
    .unwrap()
    .judging(Some(ts("2030-01-01T00:00:00Z")))
    .unwrap()
    .options;
    let mut want = Options::default();
    want.as_of = Some(ts("2026-11-26T00:02:03Z"));
    want.max_age_days = 30;
    want.warn_days = 0;
    want.include_inactive = true;
    want.granularity = Granularity::WholeDays;
    want.grace_days = 3;
    want.lenient = true;
    want.format = InputFormat::CliJson;
    want.rules = keyrot::RuleSet::of([keyrot::cis::Rule::AccessKeyRotated, keyrot::cis::Rule::RootMfa]);
    want.cis_version = Some(keyrot::cis::CisVersion::V1_4);
    want.unused_days = 90;
    want.root_use_days = 0;
    want.setup_seconds = 60;
    want.rotation_window_days = 30;
    want.clock = Some(ts("2030-01-01T00:00:00Z"));
    assert_eq!(opts, want);
}

#[test]
fn no_options_and_nulls_are_the_defaults() {
    assert_eq!(analyze(json!({})).unwrap().options, Options::default());
    assert_eq!(analyze(json!({"asOf": null, "maxAgeDays": null})).unwrap().options, Options::default());
}

#[test]
fn unknown_names_are_errors_with_a_hint() {
    let err = analyze(json!({"max_age_days": 30})).unwrap_err();
    assert_eq!((err.code(), err.column()), (ErrorCode::InvalidPolicy, Some("max_age_days")));
    assert!(err.message().starts_with("unknown option `max_age_days` for analyze; the options are `asOf`,"));
    assert!(err.message().ends_with("(did you mean `maxAgeDays`?)"), "{}", err.message());
    let err = analyze(json!({"colour": 1})).unwrap_err();
    assert_eq!(err.column(), Some("colour"));
    assert!(!err.message().contains("did you mean"));
    let err = read::<ParseOptionsArg, _>(&json!({"asOf": "x"}), "parse", |_| None).unwrap_err();
    assert!(err.message().ends_with("(it applies to analyze only)"), "{}", err.message());
}

#[test]
fn a_bad_value_names_the_option_by_its_contract_name() {
    for (options, code, column, value) in [
        (json!({"maxAgeDays": "90"}), ErrorCode::InvalidPolicy, "max_age_days", "90"),
        (json!({"maxAgeDays": 1.5}), ErrorCode::InvalidPolicy, "max_age_days", "1.5"),
        (json!({"warnDays": -1}), ErrorCode::InvalidPolicy, "warn_days", "-1"),
        (json!({"lenient": "yes"}), ErrorCode::InvalidPolicy, "lenient", "yes"),
        (json!({"granularity": "days"}), ErrorCode::InvalidPolicy, "granularity", "days"),
        (json!({"asOf": 5}), ErrorCode::InvalidAsOf, "as_of", "5"),
        (json!({"asOf": "yesterday"}), ErrorCode::InvalidAsOf, "as_of", "yesterday"),
        (json!({"exemptions": 5}), ErrorCode::InvalidExemptions, "exemptions", "5"),
    ] {
        let err = analyze(options.clone()).unwrap_err();
        assert_eq!((err.code(), err.column(), err.value()), (code, Some(column), Some(value)), "{options}");
    }
}

#[test]
fn exemptions_and_access_keys_come_as_text_or_data() {
    let entry = json!({"account": "*", "user": "ci-*", "reason": "r", "owner": "o", "expires": "2027-01-01"});
    let toml = "[[exemption]]\naccount = \"*\"\nuser = \"ci-*\"\nreason = \"r\"\nowner = \"o\"\nexpires = 2027-01-01\n";
    let from_data = analyze(json!({ "exemptions": [entry] })).unwrap().exemptions.unwrap();
    let from_toml = analyze(json!({ "exemptions": toml })).unwrap().exemptions.unwrap();
    assert_eq!(from_data, from_toml);
    let keys = json!({"AccessKeyMetadata": [{"UserName": "a", "AccessKeyId": "AKIAEXAMPLE1", "Status": "Active",
        "CreateDate": "2026-01-01T00:00:00Z"}]});
    let plan = |v: serde_json::Value| read::<PlanOptions, _>(&json!({ "accessKeys": v }), "plan", |_| None);
    let from_data = plan(keys.clone()).unwrap().judging(None).unwrap().access_keys.unwrap();
    let from_text = plan(json!(keys.to_string())).unwrap().judging(None).unwrap().access_keys.unwrap();
    assert_eq!((from_data.len(), from_data), (1, from_text));
}

#[test]
fn only_and_columns_name_what_they_take() {
    let check = |v: serde_json::Value| read::<CheckCsvOptions, _>(&v, "checkCsv", |_| None)?.judging(None);
    let err = check(json!({"only": "failed"})).unwrap_err();
    assert_eq!((err.column(), err.value()), (Some("only"), Some("failed")));
    let err = check(json!({"columns": []})).unwrap_err();
    assert_eq!(err.column(), Some("columns"));
    let err = check(json!({"write": 5})).unwrap_err();
    assert!(err.message().contains("expected a function"), "{}", err.message());
}

#[test]
fn old_as_of_is_named_in_its_errors() {
    let options = read::<DiffOptions, _>(&json!({"oldAsOf": "26/11/2026"}), "diff", |_| None).unwrap();
    let err = options.judging(None).unwrap_err();
    assert_eq!((err.code(), err.column()), (ErrorCode::InvalidAsOf, Some("old_as_of")));
}
