//! `keyrot history`, run as a user would run it: the golden history cases
//! through the command's JSON, its CSV, its table, and its errors.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

fn keyrot(args: &[String]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_keyrot")).args(args).output().expect("keyrot runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The command line of a golden case's `options.json`.
fn case_args(case: &str) -> Vec<String> {
    let dir = root().join("testdata/history").join(case);
    let options: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("options.json")).expect("options")).expect("json");
    let mut args = vec!["history".to_owned()];
    for (name, value) in options.as_object().expect("an object") {
        match name.as_str() {
            "times" => {
                for (file, time) in value.as_object().expect("times") {
                    args.push(format!("--time={file}={}", time.as_str().expect("a time")));
                }
            }
            "time_from_name" => args.push(format!("--time-from-name={}", value.as_str().expect("a pattern"))),
            "rules" => {
                let rules: Vec<&str> = value.as_array().expect("rules").iter().filter_map(|r| r.as_str()).collect();
                args.push(format!("--rules={}", rules.join(",")));
            }
            "stall_days" => args.push(format!("--stall-days={value}")),
            // The command keeps the last uses per report for JSON.
            "last_used_per_report" => {}
            other => panic!("{case}: option `{other}` has no flag in this test"),
        }
    }
    args.push(dir.join("reports").display().to_string());
    args
}

/// Leaves out what the command's JSON keeps and a case may not.
fn without_uses(mut v: serde_json::Value) -> serde_json::Value {
    if let Some(keys) = v.get_mut("keys").and_then(|k| k.as_array_mut()) {
        for key in keys {
            key.as_object_mut().expect("a key").remove("last_used_per_report");
        }
    }
    v
}

#[test]
fn every_golden_history_case_through_the_command() {
    let mut cases: Vec<String> = std::fs::read_dir(root().join("testdata/history"))
        .expect("cases")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("options.json").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    cases.sort();
    assert!(cases.len() >= 9, "{cases:?}");
    for case in cases {
        let dir = root().join("testdata/history").join(&case);
        let expected: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).expect("expected")).expect("json");
        let mut args = case_args(&case);
        args.insert(1, "--format=json".into());
        let out = keyrot(&args);
        if let Some(error) = expected.get("error") {
            assert_eq!(out.status.code(), Some(2), "{case}");
            assert!(out.stdout.is_empty(), "{case}");
            let stderr = text(&out.stderr);
            let value = error["value"].as_str().expect("the file it names");
            assert!(stderr.contains(value), "{case}: {stderr}");
            continue;
        }
        assert_eq!(out.status.code(), Some(0), "{case}: {}", text(&out.stderr));
        let mut actual: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
        // The command names each report by its path.
        for report in actual["reports"].as_array_mut().expect("reports") {
            let source = report["source"].as_str().expect("a source").to_owned();
            let name = Path::new(&source).file_name().expect("a file").to_string_lossy().into_owned();
            report["source"] = name.into();
        }
        if case == "clean_rotation_every_step" {
            let uses = &actual["keys"][0]["last_used_per_report"];
            assert_eq!(uses.as_array().map(Vec::len), Some(3), "{uses}");
        }
        assert_eq!(without_uses(actual), without_uses(expected), "{case}");
    }
}

#[test]
fn the_csv_has_a_row_per_key_and_the_table_leads_with_stalls() {
    let mut args = case_args("rotation_stalled_at_second_key");
    args.insert(1, "--format=csv".into());
    let out = keyrot(&args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "account_id,user,slot,created,first_seen,last_seen,due_at,status,active,outcome,ended_after,ended_before,deleted_after,deleted_before,days_overdue,days_overdue_max,overdue_reports_from,overdue_reports_to,last_used");
    assert_eq!(lines.len(), 3);
    assert!(lines[1].starts_with("111111111111,ci,1,2026-01-01T00:00:00Z,2026-05-04T06:00:00Z,2026-06-01T06:00:00Z,2026-04-01T00:00:00Z,fail,true,still_open,,,,,61,,"), "{}", lines[1]);

    let out = keyrot(&case_args("rotation_stalled_at_second_key"));
    let table = text(&out.stdout);
    let stalls = table.find("stalled rotations (1)").expect("the stalls");
    let trend = table.find("trend per account").expect("the trend");
    assert!(stalls < trend, "{table}");
    assert!(table.contains("old key used 29 days after the new one was made"), "{table}");
    assert!(table.contains("at update_applications from 2026-05-04 to 2026-06-01 (28 days)"), "{table}");
}

#[test]
fn globs_and_times_given_per_file() {
    let dir = root().join("testdata/history/account_added_midway/reports");
    let pattern = format!("{}/b-*.csv", dir.display());
    let out = keyrot(&[
        "history".into(),
        "--format=json".into(),
        "--time=b-2026-08-08.csv=2026-08-08T12:00:00Z".into(),
        "--time-from-name=%Y-%m-%d".into(),
        pattern,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let history: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let reports = history["reports"].as_array().expect("reports");
    assert_eq!(reports.len(), 2);
    assert_eq!(
        (reports[0]["time"].as_str(), reports[0]["time_source"].as_str()),
        (Some("2026-08-08T12:00:00Z"), Some("given"))
    );
    assert_eq!(
        (reports[1]["time"].as_str(), reports[1]["time_source"].as_str()),
        (Some("2026-08-15T00:00:00Z"), Some("file_name"))
    );

    let out = keyrot(&["history".into(), format!("{}/z-*.csv", dir.display())]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no file matches"), "{}", text(&out.stderr));
    let out = keyrot(&["history".into(), "--time-from-name=%Q".into(), dir.display().to_string()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("unknown `%` field"), "{}", text(&out.stderr));
    let out = keyrot(&["history".into(), "-".into()]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_report_without_a_time_is_named_with_how_to_give_it() {
    let out = keyrot(&case_args("report_without_time"));
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("undated.csv` has no time"), "{stderr}");
    assert!(stderr.contains("--time") && stderr.contains("--time-from-name"), "{stderr}");
}

/// The number in the element marked `data-total="name"` of an HTML report.
fn html_total(html: &str, name: &str) -> u64 {
    let mark = format!("data-total=\"{name}\">");
    let at = html.find(&mark).unwrap_or_else(|| panic!("no {name} in the report")) + mark.len();
    html[at..].split('<').next().expect("a number").replace(',', "").parse().expect("a count")
}

#[test]
fn the_html_report_holds_the_json_figures_and_no_script() {
    for case in ["clean_rotation_every_step", "rotation_stalled_at_second_key", "account_added_midway"] {
        let mut args = case_args(case);
        args.insert(1, "--format=json".into());
        let json: serde_json::Value = serde_json::from_slice(&keyrot(&args).stdout).expect("json");
        args[1] = "--format=html".into();
        let out = keyrot(&args);
        assert_eq!(out.status.code(), Some(0), "{case}: {}", text(&out.stderr));
        let html = text(&out.stdout);
        assert!(html.starts_with("<!doctype html>") && html.ends_with("</html>\n"), "{case}");
        assert!(html.contains("Content-Security-Policy") && html.contains("default-src 'none'"), "{case}");
        assert!(!html.contains("<script") && !html.contains("src=\"http"), "{case}");
        let totals = &json["totals"];
        for name in ["overdue_now", "newly_overdue", "remediated", "keys", "rotations", "rotations_stalled"] {
            assert_eq!(Some(html_total(&html, name)), totals[name].as_u64(), "{case}: {name}");
        }
        // A bar per overall trend point, each with that point's overdue keys.
        let bars: Vec<u64> = html
            .split("<rect ")
            .skip(1)
            .map(|r| r.split("data-fail=\"").nth(1).expect("a count").split('"').next().expect("").parse().expect("n"))
            .collect();
        let overall: Vec<u64> = json["trend"]["overall"]
            .as_array()
            .expect("points")
            .iter()
            .map(|p| p["counts"]["fail"].as_u64().expect("fail"))
            .collect();
        assert_eq!(bars, overall, "{case}");
        let stalled = json["rotations"].as_array().expect("rotations").iter().filter(|r| r["stalled"] == true).count();
        assert_eq!(html.matches("<tr data-user=").count(), stalled, "{case}");
    }
}

#[test]
fn a_hostile_user_name_stays_text_in_the_html_report() {
    let dir = tempdir("hostile");
    let name = "<img src=x onerror=alert(1)>";
    for (week, rotated) in [("2026-05-04", "2026-01-01"), ("2026-05-11", "2026-01-01")] {
        let csv = format!(
            "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date\n\
             \"{name}\",arn:aws:iam::111111111111:user/x,true,{rotated}T00:00:00Z,N/A,true,2026-05-01T00:00:00Z,N/A\n"
        );
        std::fs::write(dir.join(format!("r-{week}.csv")), csv).expect("write");
    }
    let out = keyrot(&[
        "history".into(),
        "--format=html".into(),
        "--time-from-name=%Y-%m-%d".into(),
        dir.display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let html = text(&out.stdout);
    assert!(!html.contains("<img"), "{html}");
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"), "{html}");
}

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("keyrot-history-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    dir
}
