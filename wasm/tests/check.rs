//! `checkCsv`'s work on the host (its options read, then the core's
//! `Run::report_csv`): the rows and cells asked for, what the core's writer
//! writes, chunk by chunk, and the core's errors.
#![cfg(not(target_arch = "wasm32"))]

use keyrot::{Analysis, CsvWriter, Error, Run};
use keyrot_wasm::options::{read, CheckCsvOptions};
use serde_json::{json, Value};

const REPORT: &str =
    "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n\
    alice,arn:aws:iam::111122223333:user/alice,true,2026-01-01T00:00:00Z,true,2026-11-01T00:00:00Z\n\
    =bob,arn:aws:iam::111122223333:user/bob,false,2026-01-01T00:00:00Z,true,2026-08-27T23:59:59Z\n";

fn run(input: &[u8], options: &[(&str, Value)]) -> Result<(String, Analysis, u64, usize), Error> {
    let mut object = json!({"asOf": "2026-11-26T00:00:00Z"});
    for (name, value) in options {
        object[*name] = value.clone();
    }
    let judging = read::<CheckCsvOptions, _>(&object, "checkCsv", |_| None)?.judging(None)?;
    let (mut out, mut pieces) = (Vec::new(), 0);
    let run = judging.run().source(&judging.source);
    let (analysis, rows) = run.report_csv(input, judging.columns, &judging.only, |piece| {
        out.extend_from_slice(piece);
        pieces += 1;
        Ok::<(), Error>(())
    })?;
    Ok((String::from_utf8(out).unwrap(), analysis, rows, pieces))
}

#[test]
fn writes_what_the_core_writer_writes_for_the_analysis() {
    let (csv, analysis, rows, _) = run(REPORT.as_bytes(), &[("source", json!("r.csv"))]).unwrap();
    let full = keyrot::analyze(REPORT.as_bytes(), &analysis_options()).unwrap();
    let mut writer = CsvWriter::default();
    let mut expected = Vec::new();
    writer.header(&mut expected);
    Run::new(&analysis_options())
        .source("r.csv")
        .report(REPORT.as_bytes(), |batch| {
            batch.findings().for_each(|f| writer.row(&mut expected, &f));
            Ok::<(), Error>(())
        })
        .unwrap();
    assert_eq!(csv, String::from_utf8(expected).unwrap());
    assert_eq!(rows, 4);
    assert!(csv.contains("\nr.csv,111122223333,'=bob,"), "the source column, a neutralised name: {csv}");
    // The analysis is the same, without its findings.
    assert_eq!(analysis.summary, full.summary);
    assert_eq!(analysis.anomalies, full.anomalies);
    assert!(analysis.findings.is_empty());
}

fn analysis_options() -> keyrot::Options {
    keyrot::Options::at(keyrot::parse_timestamp("2026-11-26T00:00:00Z").unwrap())
}

#[test]
fn only_and_columns_choose_rows_and_cells() {
    let (csv, analysis, rows, _) =
        run(REPORT.as_bytes(), &[("only", json!("fail")), ("columns", json!("user,slot,status,age_days"))]).unwrap();
    assert_eq!(csv, "user,slot,status,age_days\nalice,1,fail,329\n'=bob,2,fail,90\n");
    assert_eq!(rows, 2);
    assert_eq!(analysis.summary.overall.keys, 4, "the summary counts every key");
    let (csv, _, rows, _) = run(REPORT.as_bytes(), &[("only", json!("invalid"))]).unwrap();
    assert_eq!((csv.lines().count(), rows), (1, 0), "the header alone: {csv}");
}

#[test]
fn a_large_report_is_written_chunk_by_chunk() {
    let mut report = String::from(REPORT);
    let row = REPORT.lines().nth(1).unwrap();
    while report.len() < 3 << 20 {
        report.push_str(row);
        report.push('\n');
    }
    let (csv, analysis, rows, pieces) = run(report.as_bytes(), &[]).unwrap();
    assert!(pieces > 2, "{pieces} pieces");
    assert_eq!(rows, analysis.summary.overall.keys);
    assert_eq!(csv.lines().count() as u64, rows + 1);
    assert!(analysis.anomalies.iter().any(|a| a.code == keyrot::AnomalyCode::DuplicateUser));
}

#[test]
fn errors_are_the_cores() {
    let bad = REPORT.replace("false,2026", "maybe,2026");
    let err = run(bad.as_bytes(), &[]).unwrap_err();
    assert_eq!((err.code(), err.line(), err.value()), (keyrot::ErrorCode::InvalidBoolean, Some(3), Some("maybe")));
    assert_eq!(run(b"", &[]).unwrap_err().code(), keyrot::ErrorCode::EmptyInput);
    let err = run(REPORT.as_bytes(), &[("maxAgeDays", json!(0))]).unwrap_err();
    assert_eq!(err.code(), keyrot::ErrorCode::InvalidPolicy);
}
