//! The table the browser page holds (`keyrot::view::FindingTable`) writes
//! every format as the command does: for every golden case of one report
//! that the command reads (the real samples and the hostile names among
//! them), `keyrot check --format F` on the case's file and the table's
//! export of all its rows give the same bytes, for CSV, JSON, SARIF, JUnit
//! and OCSF; and the same for a folder of several of them.

use keyrot::view::{Export, FindingTable, PlanQuery, Query};
use keyrot::{Options, Run};
use std::path::{Path, PathBuf};
use std::process::Command;

const FORMATS: [(&str, Export); 5] = [
    ("csv", Export::Csv),
    ("json", Export::Json),
    ("sarif", Export::Sarif),
    ("junit", Export::Junit),
    ("ocsf", Export::Ocsf),
];

fn cases() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/cases")
}

/// What the command writes for `files` (names relative to `dir`).
fn command(dir: &Path, format: &str, as_of: &str, files: &[&str]) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_keyrot"))
        .current_dir(dir)
        .args(["check", "--as-of", as_of, "--format", format])
        .args(files)
        .output()
        .expect("keyrot runs");
    assert!(out.status.code().is_some_and(|c| c <= 1), "{format} {files:?}: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

fn table(dir: &Path, as_of: &str, files: &[&str]) -> FindingTable {
    let options = Options::from_json(&format!("{{\"as_of\": \"{as_of}\"}}")).unwrap();
    let inputs = files.iter().map(|f| ((*f).to_owned(), std::fs::File::open(dir.join(f))));
    FindingTable::check(&Run::new(&options), inputs)
}

fn exported(table: &FindingTable, format: Export) -> Vec<u8> {
    let mut out = Vec::new();
    table.export(format, &table.select(&Query::default()), &mut out).unwrap();
    out
}

#[test]
fn each_report_exports_what_the_command_writes() {
    let mut checked = 0;
    for entry in std::fs::read_dir(cases()).unwrap() {
        let dir = entry.unwrap().path();
        let slug = dir.file_name().unwrap().to_string_lossy().into_owned();
        let options = std::fs::read_to_string(dir.join("options.json")).unwrap_or_default();
        // Cases of one CSV file judged at an explicit time, with no other option.
        let simple = options.trim().starts_with("{\"as_of\":") && options.matches(':').count() == 3;
        if !(slug.starts_with("real_") || slug.contains("hostile") || slug.contains("user_names")) || !simple {
            continue;
        }
        let Some(file) = ["input.csv", "input.json", "input.txt"].into_iter().find(|f| dir.join(f).exists()) else {
            continue;
        };
        let as_of: serde_json::Value = serde_json::from_str(&options).unwrap();
        let as_of = as_of["as_of"].as_str().unwrap();
        let table = table(&dir, as_of, &[file]);
        for (name, format) in FORMATS {
            let want = command(&dir, name, as_of, &[file]);
            let have = exported(&table, format);
            assert!(
                have == want,
                "{slug} as {name}:\n--- table\n{}\n--- command\n{}",
                String::from_utf8_lossy(&have),
                String::from_utf8_lossy(&want)
            );
        }
        checked += 1;
    }
    assert!(checked >= 8, "only {checked} cases");
}

#[test]
fn a_folder_exports_what_the_command_writes() {
    let dir = cases();
    let files =
        ["real_guardian_security_hq/input.csv", "hostile_user_names/input.csv", "real_c7n_unused_keys/input.csv"];
    let as_of = "2026-11-26T00:00:00Z";
    let table = table(&dir, as_of, &files);
    assert_eq!(table.many().reports.len(), 3);
    for (name, format) in FORMATS {
        let want = command(&dir, name, as_of, &files);
        assert!(exported(&table, format) == want, "{name}");
    }
}

/// The table's plan, written out step by step, is the plan of the analysis
/// (`keyrot::plan`) on every case that has an expected plan, with the
/// access-key list where the case has one; filtered by code and by user, it
/// keeps the steps that match, in order.
#[test]
fn the_plan_of_the_table_is_the_plan_of_the_analysis() {
    let mut checked = 0;
    for entry in std::fs::read_dir(cases()).unwrap() {
        let dir = entry.unwrap().path();
        let Ok(expected) = std::fs::read_to_string(dir.join("expected_plan.json")) else { continue };
        let options = Options::from_json(&std::fs::read_to_string(dir.join("options.json")).unwrap()).unwrap();
        let known =
            std::fs::read(dir.join("access_keys.json")).ok().map(|k| keyrot::plan::read_access_keys(&k).unwrap());
        let input = std::fs::read(dir.join("input.csv")).unwrap();
        let plan = keyrot::plan(&keyrot::analyze(&input[..], &options).unwrap(), known.as_deref());
        let table = FindingTable::check(&Run::new(&options), [("input.csv".to_owned(), Ok(input.as_slice()))]);
        let planned = table.plan(known);
        assert_eq!(planned.len(), plan.steps.len(), "{}", dir.display());
        let all: Vec<u32> = (0..planned.len() as u32).collect();
        let steps: Vec<keyrot::plan::Step> = planned.steps(&table, &all).into_iter().map(|s| s.step).collect();
        assert_eq!(steps, plan.steps, "{}", dir.display());
        // And the plan is the case's expected one.
        let expected: serde_json::Value = serde_json::from_str(&expected).unwrap();
        assert_eq!(serde_json::to_value(&steps).unwrap(), expected["steps"], "{}", dir.display());
        for (code, n) in planned.counts() {
            let query = PlanQuery { step: Some(code), ..PlanQuery::default() };
            let chosen = planned.steps(&table, &planned.select(&table, &query));
            assert_eq!(chosen.len() as u64, n);
            assert!(chosen.iter().all(|s| s.step.step == code));
        }
        if let Some(first) = steps.first() {
            let query = PlanQuery { user: Some(first.user.to_uppercase()), ..PlanQuery::default() };
            let chosen = planned.steps(&table, &planned.select(&table, &query));
            let want: Vec<&keyrot::plan::Step> =
                steps.iter().filter(|s| s.user.to_lowercase().contains(&first.user.to_lowercase())).collect();
            assert_eq!(chosen.iter().map(|s| &s.step).collect::<Vec<_>>(), want);
        }
        checked += 1;
    }
    assert!(checked >= 6, "{checked} cases with a plan");
}

/// The command's flags for a case's `options.json`.
fn flags(options: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    for (name, value) in options.as_object().unwrap() {
        let flag = format!("--{}", name.replace('_', "-"));
        match value {
            serde_json::Value::Bool(true) => out.push(flag),
            serde_json::Value::Bool(false) | serde_json::Value::Null => {}
            serde_json::Value::Array(items) => {
                out.push(flag);
                out.push(items.iter().map(|i| i.as_str().unwrap().to_owned()).collect::<Vec<_>>().join(","));
            }
            serde_json::Value::String(text) => {
                out.push(flag);
                out.push(text.replace("whole_days", "whole-days"));
            }
            other => {
                out.push(flag);
                out.push(other.to_string());
            }
        }
    }
    out
}

/// The table's plan exports (table, JSON, Markdown, shell script, CSV) are
/// the bytes `keyrot plan --format F` writes, for every golden case with a
/// plan (its options as the command's flags, its access-key list as
/// `--access-keys`), and for a folder of three of them.
#[test]
fn the_plan_exports_are_what_the_command_writes() {
    use keyrot::view::PlanFormat;
    let plan_cmd = |dir: &Path, format: &str, args: &[String], files: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_keyrot"))
            .current_dir(dir)
            .args(["plan", "--format", format])
            .args(args)
            .args(files)
            .output()
            .expect("keyrot runs");
        assert_eq!(out.status.code(), Some(0), "{format} {files:?}: {}", String::from_utf8_lossy(&out.stderr));
        out.stdout
    };
    let mut checked = 0;
    let mut folder = Vec::new();
    for entry in std::fs::read_dir(cases()).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.join("expected_plan.json").is_file() || dir.join("exemptions.toml").is_file() {
            continue;
        }
        let options: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("options.json")).unwrap()).unwrap();
        let mut args = flags(&options);
        let known =
            std::fs::read(dir.join("access_keys.json")).ok().map(|k| keyrot::plan::read_access_keys(&k).unwrap());
        if known.is_some() {
            args.extend(["--access-keys".to_owned(), "access_keys.json".to_owned()]);
        }
        let options = Options::from_json(&options.to_string()).unwrap();
        let input = std::fs::File::open(dir.join("input.csv"));
        let table = FindingTable::check(&Run::new(&options), [("input.csv".to_owned(), input)]);
        let planned = table.plan(known.clone());
        for format in PlanFormat::ALL {
            let mut out = Vec::new();
            planned.export(&table, format, &mut out).unwrap();
            let want = plan_cmd(&dir, format.as_str(), &args, &["input.csv"]);
            assert!(
                out == want,
                "{} {format}:\n{}\n---\n{}",
                dir.display(),
                String::from_utf8_lossy(&out),
                String::from_utf8_lossy(&want)
            );
        }
        if known.is_none() && options.rules == keyrot::RuleSet::default() && folder.len() < 3 {
            folder.push(dir.clone());
        }
        checked += 1;
    }
    assert!(checked >= 7, "{checked} cases with a plan");
    // Several reports, one of them broken: each report's plan in turn.
    let tmp = std::env::temp_dir().join(format!("keyrot-plan-folder-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let mut names = Vec::new();
    for (i, dir) in folder.iter().enumerate() {
        let name = format!("{i}.csv");
        std::fs::copy(dir.join("input.csv"), tmp.join(&name)).unwrap();
        names.push(name);
    }
    std::fs::write(tmp.join("broken.csv"), "user,arn\nbob,arn:aws:iam::111122223333:user/bob\n").unwrap();
    names.push("broken.csv".to_owned());
    let files: Vec<&str> = names.iter().map(String::as_str).collect();
    let options = Options::from_json(r#"{"as_of": "2026-11-26T00:00:00Z"}"#).unwrap();
    let table = FindingTable::check(
        &Run::new(&options),
        files.iter().map(|f| ((*f).to_owned(), std::fs::File::open(tmp.join(f)))),
    );
    let planned = table.plan(None);
    for format in PlanFormat::ALL {
        let mut out = Vec::new();
        planned.export(&table, format, &mut out).unwrap();
        let cmd = Command::new(env!("CARGO_BIN_EXE_keyrot"))
            .current_dir(&tmp)
            .args(["plan", "--as-of", "2026-11-26T00:00:00Z", "--format", format.as_str()])
            .args(&files)
            .output()
            .unwrap();
        assert_eq!(cmd.status.code(), Some(2), "a broken report");
        assert!(
            out == cmd.stdout,
            "folder {format}:\n{}\n---\n{}",
            String::from_utf8_lossy(&out),
            String::from_utf8_lossy(&cmd.stdout)
        );
        if format == PlanFormat::Json {
            let value: serde_json::Value = serde_json::from_slice(&out).expect("the plan's JSON parses");
            assert_eq!(value["reports"].as_array().unwrap().len(), files.len());
            assert_eq!(value["reports"][3]["error"]["code"], "missing_columns");
        }
        if format == PlanFormat::Csv {
            let mut reader = csv::Reader::from_reader(out.as_slice());
            assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), keyrot::view::PLAN_CSV_COLUMNS);
            assert_eq!(reader.records().count(), planned.len());
        }
    }
    std::fs::remove_dir_all(&tmp).unwrap();
}

/// The table's HTML report is the command's (`keyrot check --format
/// html`), on the real samples under every rule and on hostile names.
#[test]
fn the_html_report_is_what_the_command_writes() {
    let mut checked = 0;
    for slug in ["rules_all_real_c7n_unused_keys", "rules_all_real_guardian_security_hq", "plan_hostile_user_names"] {
        let dir = cases().join(slug);
        let options: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("options.json")).unwrap()).unwrap();
        let args = flags(&options);
        let out = Command::new(env!("CARGO_BIN_EXE_keyrot"))
            .current_dir(&dir)
            .args(["check", "--format", "html"])
            .args(&args)
            .arg("input.csv")
            .output()
            .unwrap();
        assert!(out.status.code().is_some_and(|c| c <= 1), "{}", String::from_utf8_lossy(&out.stderr));
        let options = Options::from_json(&options.to_string()).unwrap();
        let table = FindingTable::check(
            &Run::new(&options),
            [("input.csv".to_owned(), std::fs::File::open(dir.join("input.csv")))],
        );
        let mut html = Vec::new();
        table.plan(None).html(&table, &mut html).unwrap();
        assert!(html == out.stdout, "{slug}");
        let text = String::from_utf8(html).unwrap();
        // No markup but the report's own: a name's `<`, quotes and `&` are text.
        let lower = text.to_lowercase();
        assert!(!lower.contains("<script") && !lower.contains("<img") && !lower.contains("javascript:"), "{slug}");
        assert!(text.matches("<table>").count() >= 2, "{slug}");
        checked += 1;
    }
    assert_eq!(checked, 3);
}
