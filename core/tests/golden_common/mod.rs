//! What the golden tests of `testdata/cases` and `testdata/history` share:
//! an error's pinned fields and the compare-or-bless of an expected file.

use std::path::Path;

/// The fields of an error that a case pins down (messages are for people).
const ERROR_FIELDS: [&str; 4] = ["code", "line", "column", "value"];

/// `{"error": {code, line, column, value}}`.
pub fn error_json(err: &keyrot::Error) -> serde_json::Value {
    let full = serde_json::to_value(err).expect("an error always serializes");
    let mut error = serde_json::Map::new();
    for field in ERROR_FIELDS {
        error.insert(field.to_owned(), full[field].clone());
    }
    serde_json::json!({ "error": error })
}

/// Compares `actual` with the JSON in `expected_path`, or rewrites the file
/// when `UPDATE_GOLDEN` is set.
pub fn compare_or_bless(expected_path: &Path, actual: &serde_json::Value) -> datatest_stable::Result<()> {
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
