//! The Arrow presentation against the JSON contract: for every golden case
//! that judges one report, each row of the record batches, read back as
//! JSON, is the finding the contract serialises (with `last_used` made whole
//! again from `last_used` and `last_used_kind`, and `exempted` as whether an
//! exemption matched); and the batches are the same built on one thread or
//! several, from any chunk size.

use keyrot::arrow::arrow_array::cast::AsArray;
use keyrot::arrow::arrow_array::types::{Int32Type, Int64Type, Int8Type, TimestampMicrosecondType};
use keyrot::arrow::arrow_array::RecordBatchReader;
use keyrot::arrow::arrow_array::{Array, RecordBatch};
use keyrot::arrow::arrow_schema::{DataType, TimeUnit};
use keyrot::arrow::{finding_schema, FindingBatches, FindingStream};
use keyrot::{FindingBatch, Options, Run};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// The golden cases that judge one report: (folder, input, options).
fn single_report_cases() -> Vec<(PathBuf, Vec<u8>, Options)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/cases");
    let mut cases = Vec::new();
    for entry in std::fs::read_dir(&root).expect("testdata/cases") {
        let dir = entry.expect("a case folder").path();
        if dir.join("inputs").is_dir() || dir.join("diff.json").is_file() {
            continue;
        }
        let Some(input) = std::fs::read_dir(&dir)
            .expect("a case folder")
            .map(|e| e.expect("a case file").path())
            .find(|p| p.file_stem().is_some_and(|s| s == "input"))
        else {
            continue;
        };
        let options = std::fs::read_to_string(dir.join("options.json")).expect("options.json");
        // A case of bad options (an `invalid_policy` error) has no batches.
        let Ok(options) = Options::from_json(&options) else { continue };
        cases.push((dir, std::fs::read(input).expect("the case's input"), options));
    }
    cases.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(cases.len() > 50, "expected the golden cases in {}", root.display());
    cases
}

fn exemptions(dir: &Path) -> Option<keyrot::Exemptions> {
    let text = std::fs::read_to_string(dir.join("exemptions.toml")).ok()?;
    Some(keyrot::Exemptions::from_toml(&text).expect("the case's exemptions"))
}

/// The case's findings' batches (compacted), or `None` when it does not
/// judge.
fn judge(dir: &Path, input: &[u8], options: &Options, chunk_bytes: usize) -> Option<Vec<FindingBatch>> {
    let exemptions = exemptions(dir);
    let mut run = Run::new(options).threads(2).chunk_bytes(chunk_bytes);
    if let Some(ex) = &exemptions {
        run = run.exemptions(ex);
    }
    let mut batches = Vec::new();
    run.report_with(input, FindingBatch::compact, |batch, ()| -> Result<(), keyrot::Error> {
        batches.push(batch);
        Ok(())
    })
    .ok()?;
    Some(batches)
}

/// The value at `row` of a column, as JSON: text for strings and
/// dictionaries, RFC 3339 text for timestamps.
fn cell(column: &dyn Array, row: usize) -> Value {
    if column.is_null(row) {
        return Value::Null;
    }
    match column.data_type() {
        DataType::Boolean => Value::Bool(column.as_boolean().value(row)),
        DataType::Int8 => Value::from(column.as_primitive::<Int8Type>().value(row)),
        DataType::Int64 => Value::from(column.as_primitive::<Int64Type>().value(row)),
        DataType::LargeUtf8 => Value::from(column.as_string::<i64>().value(row)),
        DataType::Timestamp(TimeUnit::Microsecond, Some(zone)) if zone.as_ref() == "UTC" => {
            let micros = column.as_primitive::<TimestampMicrosecondType>().value(row);
            let time = keyrot::Timestamp::from_timestamp_micros(micros).expect("a timestamp in range");
            Value::from(keyrot::format_timestamp(&time))
        }
        DataType::Dictionary(key, _) => {
            let (keys, values) = match key.as_ref() {
                DataType::Int8 => {
                    let d = column.as_dictionary::<Int8Type>();
                    (usize::try_from(d.keys().value(row)).expect("a key"), d.values().clone())
                }
                DataType::Int32 => {
                    let d = column.as_dictionary::<Int32Type>();
                    (usize::try_from(d.keys().value(row)).expect("a key"), d.values().clone())
                }
                other => panic!("unexpected dictionary key {other}"),
            };
            Value::from(values.as_string::<i32>().value(keys))
        }
        other => panic!("unexpected column type {other}"),
    }
}

/// Every row of `batches` as the JSON contract's finding.
fn as_contract(batches: &[RecordBatch]) -> Vec<Value> {
    let mut rows = Vec::new();
    for batch in batches {
        assert_eq!(batch.schema(), finding_schema(false), "every batch has the documented schema");
        for row in 0..batch.num_rows() {
            let mut map = Map::new();
            for (field, column) in batch.schema().fields().iter().zip(batch.columns()) {
                map.insert(field.name().clone(), cell(column.as_ref(), row));
            }
            let kind = map.remove("last_used_kind").expect("a last_used_kind column");
            if kind != "used" {
                map.insert("last_used".to_owned(), kind);
            }
            rows.push(Value::Object(map));
        }
    }
    rows
}

/// A contract timestamp floored to whole microseconds, as Arrow holds it;
/// any other value as it is.
fn floored_to_micros(value: &Value) -> Value {
    match value.as_str().and_then(keyrot::parse_timestamp) {
        Some(time) => {
            let floored = keyrot::Timestamp::from_timestamp_micros(time.timestamp_micros()).expect("in range");
            Value::from(keyrot::format_timestamp(&floored))
        }
        None => value.clone(),
    }
}

#[test]
fn every_row_is_the_contract_finding() {
    let mut checked = 0;
    for (dir, input, options) in single_report_cases() {
        let Some(batches) = judge(&dir, &input, &options, 1 << 20) else { continue };
        let records: Vec<RecordBatch> =
            FindingBatches::new(batches.as_slice(), false).collect::<Result<_, _>>().expect("record batches");
        let mut expected = Vec::new();
        for f in batches.iter().flat_map(FindingBatch::findings) {
            let mut json = serde_json::to_value(f.to_finding()).expect("a finding serialises");
            let exempted = json["exempted"].is_object();
            json["exempted"] = Value::Bool(exempted);
            // Arrow has the rule and its number whether or not the JSON
            // labels the finding with them.
            json["rule"] = Value::from(f.rule().as_str());
            json["cis"] = f.cis().map_or(Value::Null, Value::from);
            for key in ["last_rotated", "due_at", "last_used"] {
                json[key] = floored_to_micros(&json[key]);
            }
            expected.push(json);
        }
        let actual = as_contract(&records);
        assert_eq!(actual.len(), expected.len(), "{}: one row per finding", dir.display());
        for (a, e) in actual.iter().zip(&expected) {
            assert_eq!(a, e, "{}", dir.display());
        }
        checked += expected.len();
    }
    assert!(checked > 200, "only {checked} findings checked");
}

#[test]
fn batches_are_the_same_on_any_threads_and_chunk_size() {
    for (dir, input, options) in single_report_cases() {
        let Some(whole) = judge(&dir, &input, &options, 1 << 20) else { continue };
        let one: Vec<RecordBatch> =
            FindingBatches::new(whole.as_slice(), false).threads(1).collect::<Result<_, _>>().expect("batches");
        let one = as_contract(&one);
        for chunk in [1, 97] {
            let cut = judge(&dir, &input, &options, chunk).expect("judges at every chunk size");
            for threads in [1, 3] {
                let many: Vec<RecordBatch> = FindingBatches::new(cut.as_slice(), false)
                    .threads(threads)
                    .collect::<Result<_, _>>()
                    .expect("batches");
                assert!(!many.is_empty(), "{}: at least one batch", dir.display());
                assert_eq!(as_contract(&many), one, "{}: chunk {chunk}, {threads} threads", dir.display());
            }
        }
    }
}

#[test]
fn no_findings_still_give_one_empty_batch_with_every_enumeration() {
    let batches: Vec<FindingBatch> = Vec::new();
    let records: Vec<RecordBatch> =
        FindingBatches::new(batches, true).collect::<Result<_, _>>().expect("record batches");
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].num_rows(), 0);
    let status = records[0].column_by_name("status").expect("a status column").as_dictionary::<Int8Type>();
    let values: Vec<&str> = status.values().as_string::<i32>().iter().map(|v| v.expect("a value")).collect();
    assert_eq!(values, keyrot::Status::ALL.map(keyrot::Status::as_str));
}

#[test]
fn the_plan_and_diff_enumerations_list_every_code() {
    let listed = |schema: keyrot::arrow::arrow_schema::SchemaRef, column: &str| -> Vec<String> {
        let field = schema.field_with_name(column).expect("the column").clone();
        let values = field.metadata().get(keyrot::arrow::ENUM_KEY).expect("its values").clone();
        values.split(',').map(str::to_owned).collect()
    };
    let steps: Vec<String> = keyrot::plan::StepCode::ALL.iter().map(|s| s.as_str().to_owned()).collect();
    assert_eq!(listed(keyrot::arrow::plan_schema(false), "step"), steps);
    let changes: Vec<String> = keyrot::diff::ChangeCode::ALL.iter().map(|c| c.as_str().to_owned()).collect();
    assert_eq!(listed(keyrot::arrow::diff_schema(), "change"), changes);
    let rules: Vec<String> = keyrot::Rule::ALL.iter().map(|r| r.as_str().to_owned()).collect();
    assert_eq!(listed(finding_schema(false), "rule"), rules);
}

/// A case's inputs as the stream takes them: owned, with a name.
fn named(name: &str, input: &[u8]) -> (String, std::io::Result<std::io::Cursor<Vec<u8>>>) {
    (name.to_owned(), Ok(std::io::Cursor::new(input.to_vec())))
}

fn stream_run(dir: &Path, options: &Options, chunk_bytes: usize, threads: usize) -> Run {
    let run = Run::new(options).threads(threads).chunk_bytes(chunk_bytes);
    match exemptions(dir) {
        Some(ex) => run.exemptions(&ex),
        None => run,
    }
}

#[test]
fn the_stream_is_the_held_batches_on_any_threads_and_chunk_size() {
    let mut checked = 0;
    for (dir, input, options) in single_report_cases() {
        let Some(whole) = judge(&dir, &input, &options, 1 << 20) else { continue };
        let held: Vec<RecordBatch> =
            FindingBatches::new(whole.as_slice(), false).threads(1).collect::<Result<_, _>>().expect("batches");
        let held = as_contract(&held);
        for (chunk, threads) in [(1 << 20, 1), (1, 2), (97, 3)] {
            let run = stream_run(&dir, &options, chunk, threads);
            let mut stream = FindingStream::new(run, vec![named("input.csv", &input)], false);
            assert_eq!(stream.schema(), finding_schema(false));
            let streamed: Vec<RecordBatch> = stream.by_ref().collect::<Result<_, _>>().expect("record batches");
            assert!(!streamed.is_empty(), "{}: at least one batch", dir.display());
            assert_eq!(as_contract(&streamed), held, "{}: chunk {chunk}, {threads} threads", dir.display());
            let many = stream.finish().expect("the report is judged");
            assert_eq!(many.summary.overall.findings() as usize, whole.iter().map(FindingBatch::len).sum::<usize>());
            checked += held.len();
        }
    }
    assert!(checked > 600, "only {checked} findings checked");
}

/// Several reports: the rows of each in the order given, each named in the
/// `source` column; then a report that fails ends the stream with its error
/// (its code, naming it), and `finish` returns that error too.
#[test]
fn the_stream_of_several_reports_fails_closed() {
    let good =
        b"user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n\
        alice,arn:aws:iam::111122223333:user/alice,true,2026-01-01T00:00:00Z,false,N/A\n\
        bob,arn:aws:iam::111122223333:user/bob,true,2026-11-01T00:00:00Z,true,2020-01-01T00:00:00Z\n";
    let bad = b"user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n\
        carol,arn:aws:iam::444455556666:user/carol,true,2026-13-01T00:00:00Z,false,N/A\n";
    let options = Options::from_json(r#"{"as_of": "2026-11-26T00:00:00Z"}"#).expect("options");
    let run = || Run::new(&options).threads(2).chunk_bytes(64);
    let inputs = vec![named("a.csv", good), named("b.csv", good)];
    let records: Vec<RecordBatch> =
        FindingStream::new(run(), inputs, true).collect::<Result<_, _>>().expect("record batches");
    assert_eq!(records[0].schema(), finding_schema(true));
    let sources: Vec<Value> = records
        .iter()
        .flat_map(|r| (0..r.num_rows()).map(|row| cell(r.column_by_name("source").expect("a source column"), row)))
        .collect();
    assert_eq!(sources, ["a.csv", "a.csv", "a.csv", "b.csv", "b.csv", "b.csv"].map(Value::from));

    let inputs = vec![named("a.csv", good), named("b.csv", bad), named("c.csv", good)];
    let mut stream = FindingStream::new(run(), inputs, true);
    let mut rows = 0;
    let error = loop {
        match stream.next().expect("the stream ends with the error") {
            Ok(batch) => rows += batch.num_rows(),
            Err(error) => break error,
        }
    };
    assert_eq!(rows, 3, "a.csv's findings come before b.csv's error, and c.csv's never");
    assert!(error.to_string().contains("b.csv"), "{error}");
    let core = stream.error().expect("the core's error");
    assert_eq!(core.code(), keyrot::ErrorCode::InvalidTimestamp);
    assert!(stream.next().is_none(), "nothing after the error");
    assert_eq!(stream.finish().expect_err("the stream failed").code(), keyrot::ErrorCode::InvalidTimestamp);

    let missing = vec![named("a.csv", good), ("gone.csv".to_owned(), Err(std::io::Error::other("permission denied")))];
    let error = FindingStream::new(run(), missing, true).finish().expect_err("an input that cannot be opened");
    assert_eq!(error.code(), keyrot::ErrorCode::Io);
    assert!(error.to_string().contains("gone.csv"), "{error}");
}

/// A stream dropped half read stops its reader (the test would hang if
/// the reader waited for a consumer that is gone).
#[test]
fn a_stream_dropped_early_stops_reading() {
    let mut text = String::from(
        "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n",
    );
    for i in 0..20_000 {
        text.push_str(&format!("u{i},arn:aws:iam::111122223333:user/u{i},true,2026-01-01T00:00:00Z,false,N/A\n"));
    }
    let options = Options::from_json(r#"{"as_of": "2026-11-26T00:00:00Z"}"#).expect("options");
    let mut stream = FindingStream::new(
        Run::new(&options).threads(2).chunk_bytes(4096),
        vec![named("big.csv", text.as_bytes())],
        false,
    );
    assert!(stream.next().expect("a first batch").expect("a record batch").num_rows() > 0);
    drop(stream);
    let empty = FindingStream::new(
        Run::new(&options),
        vec![named("empty.csv", &text.as_bytes()[..text.find('\n').unwrap() + 1])],
        false,
    );
    let records: Vec<RecordBatch> = empty.collect::<Result<_, _>>().expect("a report of no users");
    assert_eq!((records.len(), records[0].num_rows()), (1, 0), "one empty batch");
}
