//! Runs every golden case in `testdata/cases/`: each folder holds one
//! `input.*` file, `options.json` and `expected.json` (see
//! `testdata/README.md`). `UPDATE_GOLDEN=1` rewrites `expected.json` from the
//! current output, for review. A case with `expected_plan.json` also checks
//! the rotation plan, with `access_keys.json` (the output of
//! `aws iam list-access-keys`) when the folder has one. A case with
//! `exemptions.toml` judges with those exemptions.

mod golden_common;

use golden_common::{compare_or_bless, error_json};
use std::path::Path;

fn run_case(options_path: &Path) -> datatest_stable::Result<()> {
    let dir = options_path.parent().ok_or("case has no folder")?;
    if dir.join("inputs").is_dir() {
        return run_many(dir, options_path);
    }
    if dir.join("diff.json").is_file() {
        return run_diff(dir, options_path);
    }
    let input_path = find_input(dir)?;
    let input = std::fs::read(&input_path)?;
    // Options out of their ranges are the case's error, as every interface
    // refuses them before reading the input.
    let options = match keyrot::Options::from_json(&std::fs::read_to_string(options_path)?) {
        Ok(options) => options,
        Err(err) => return compare_or_bless(&dir.join("expected.json"), &error_json(&err)),
    };
    let exemptions = load_exemptions(dir)?;
    let actual = actual_json(&input, &options, exemptions.as_ref());
    if let Some(sha) = actual.get("input_sha256") {
        // The digest taken while reading is that of the whole file.
        if sha.as_str() != Some(keyrot::read::sha256_hex(&input).as_str()) {
            return Err(format!("{}: input_sha256 is not the file's", input_path.display()).into());
        }
    } else if actual.get("error").is_none() {
        return Err(format!("{}: an analysis without input_sha256", input_path.display()).into());
    }
    compare_or_bless(&dir.join("expected.json"), &actual)?;
    let plan_path = dir.join("expected_plan.json");
    if plan_path.exists() {
        let known = match std::fs::read(dir.join("access_keys.json")) {
            Ok(bytes) => Some(keyrot::plan::read_access_keys(&bytes).map_err(|e| format!("access_keys.json: {e}"))?),
            Err(_) => None,
        };
        let analysis = match &exemptions {
            Some(ex) => keyrot::analyze_with_exemptions(input.as_slice(), &options, ex),
            None => keyrot::analyze(&input[..], &options),
        }
        .map_err(|e| format!("a plan case must judge: {e}"))?;
        let plan = keyrot::plan(&analysis, known.as_deref());
        compare_or_bless(&plan_path, &serde_json::to_value(&plan)?)?;
    }
    Ok(())
}

/// The analysis as JSON, or `{"error": {code, line, column, value}}`.
fn actual_json(input: &[u8], options: &keyrot::Options, exemptions: Option<&keyrot::Exemptions>) -> serde_json::Value {
    let result = match exemptions {
        Some(ex) => keyrot::analyze_with_exemptions(input, options, ex),
        None => keyrot::analyze(input, options),
    };
    match result {
        Ok(analysis) => serde_json::to_value(&analysis).expect("an analysis always serializes"),
        Err(err) => error_json(&err),
    }
}

/// A case whose `inputs/` folder holds several reports, judged together
/// (sources named by file name, in name order).
fn run_many(dir: &Path, options_path: &Path) -> datatest_stable::Result<()> {
    let options = keyrot::Options::from_json(&std::fs::read_to_string(options_path)?)
        .map_err(|e| format!("{}: {e}", options_path.display()))?;
    let exemptions = load_exemptions(dir)?;
    let mut paths: Vec<_> =
        std::fs::read_dir(dir.join("inputs"))?.map(|e| e.map(|e| e.path())).collect::<Result<_, _>>()?;
    paths.sort();
    let mut inputs = Vec::new();
    for path in paths {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        inputs.push((name, std::fs::read(&path)?));
    }
    let many =
        keyrot::analyze_many(inputs.iter().map(|(n, b)| (n.clone(), b.as_slice())), &options, exemptions.as_ref());
    compare_or_bless(&dir.join("expected.json"), &serde_json::to_value(&many)?)
}

/// A diff case: `old.*` and `new.*` reports, `options.json` (its `as_of` is
/// the new report's) and `diff.json` (`{"old_as_of": …}`, or `{}`); the
/// expected diff, or the error.
fn run_diff(dir: &Path, options_path: &Path) -> datatest_stable::Result<()> {
    let options = keyrot::Options::from_json(&std::fs::read_to_string(options_path)?)
        .map_err(|e| format!("{}: {e}", options_path.display()))?;
    let extra: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("diff.json"))?)?;
    let old_as_of = match extra.get("old_as_of").and_then(|v| v.as_str()) {
        Some(t) => Some(keyrot::options::parse_as_of(t).map_err(|e| e.to_string())?),
        None => None,
    };
    let read = |stem: &str| -> datatest_stable::Result<keyrot::read::Report> {
        let path = find_file(dir, stem)?;
        Ok(keyrot::read::parse(&std::fs::read(&path)?[..], &options.parse_options())
            .map_err(|e| format!("{stem}: {e}"))?)
    };
    let times = keyrot::diff::DiffTimes { old_as_of, new_as_of: options.as_of };
    let actual = match keyrot::diff(&read("old")?, &read("new")?, &options, &times) {
        Ok(result) => serde_json::to_value(&result)?,
        Err(err) => error_json(&err),
    };
    compare_or_bless(&dir.join("expected.json"), &actual)
}

/// The case's `exemptions.toml`, when it has one.
fn load_exemptions(dir: &Path) -> datatest_stable::Result<Option<keyrot::Exemptions>> {
    match std::fs::read_to_string(dir.join("exemptions.toml")) {
        Ok(text) => Ok(Some(keyrot::Exemptions::from_toml(&text).map_err(|e| format!("exemptions.toml: {e}"))?)),
        Err(_) => Ok(None),
    }
}

fn find_input(dir: &Path) -> datatest_stable::Result<std::path::PathBuf> {
    find_file(dir, "input")
}

/// The one file of `dir` named `stem.*`.
fn find_file(dir: &Path, stem: &str) -> datatest_stable::Result<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_file() && path.file_stem().is_some_and(|s| s == stem) {
            found.push(path);
        }
    }
    match found.len() {
        1 => Ok(found.remove(0)),
        n => Err(format!("{}: expected one {stem}.* file, found {n}", dir.display()).into()),
    }
}

datatest_stable::harness! {
    { test = run_case, root = "../testdata/cases", pattern = r"options\.json$" },
}
