//! Runs every golden history case in `testdata/history/`: each folder holds
//! `reports/` (the reports of a season, any order), `options.json` (the
//! judging and history options, with `times` given per file name and
//! `time_from_name`, a pattern for the dates in the names) and
//! `expected.json` (the history, or `{"error": {code, line, column,
//! value}}`). `UPDATE_GOLDEN=1` rewrites `expected.json`, for review.

use keyrot::plan::history::{GivenTime, HistoryOptions, TimePattern, TimeSource};
use std::path::Path;

const ERROR_FIELDS: [&str; 4] = ["code", "line", "column", "value"];

fn run_case(options_path: &Path) -> datatest_stable::Result<()> {
    let dir = options_path.parent().ok_or("case has no folder")?;
    let mut options: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(options_path)?)?;
    let map = options.as_object_mut().ok_or("options.json is not an object")?;
    let times = map.remove("times").unwrap_or_default();
    let pattern = map.remove("time_from_name").and_then(|p| p.as_str().map(str::to_owned));
    let actual = match HistoryOptions::read(options) {
        Ok((options, history)) => {
            let mut paths: Vec<_> =
                std::fs::read_dir(dir.join("reports"))?.map(|e| e.map(|e| e.path())).collect::<Result<_, _>>()?;
            paths.sort();
            let pattern = pattern.map(|p| TimePattern::new(&p)).transpose().map_err(|e| e.to_string())?;
            let mut reports = Vec::new();
            let mut files = Vec::new();
            for path in paths {
                let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                let given = match times.get(&name).and_then(|t| t.as_str()) {
                    Some(t) => Some(GivenTime {
                        time: keyrot::parse_timestamp(t).ok_or("a time in `times` is not a timestamp")?,
                        source: TimeSource::Given,
                    }),
                    None => pattern
                        .as_ref()
                        .and_then(|p| p.find(&name))
                        .map(|time| GivenTime { time, source: TimeSource::FileName }),
                };
                files.push(std::fs::read(&path)?);
                reports.push((name, given));
            }
            match keyrot::plan::history::history(&reports, |i| Ok(files[i].as_slice()), &options, &history) {
                Ok(history) => serde_json::to_value(&history)?,
                Err(err) => error_json(&err),
            }
        }
        Err(err) => error_json(&err),
    };
    compare_or_bless(&dir.join("expected.json"), &actual)
}

fn error_json(err: &keyrot::Error) -> serde_json::Value {
    let full = serde_json::to_value(err).expect("an error always serializes");
    let mut error = serde_json::Map::new();
    for field in ERROR_FIELDS {
        error.insert(field.to_owned(), full[field].clone());
    }
    serde_json::json!({ "error": error })
}

fn compare_or_bless(expected_path: &Path, actual: &serde_json::Value) -> datatest_stable::Result<()> {
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        let mut text = serde_json::to_string_pretty(actual)?;
        text.push('\n');
        std::fs::write(expected_path, text)?;
        return Ok(());
    }
    let expected: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(expected_path).map_err(|e| format!("{}: {e}", expected_path.display()))?,
    )?;
    if *actual != expected {
        return Err(format!(
            "{} differs from the output (rerun with UPDATE_GOLDEN=1 to see the diff in git)\n--- expected\n{}\n--- actual\n{}",
            expected_path.display(),
            serde_json::to_string_pretty(&expected)?,
            serde_json::to_string_pretty(actual)?
        )
        .into());
    }
    Ok(())
}

datatest_stable::harness! {
    { test = run_case, root = "../testdata/history", pattern = r"options\.json$" },
}
