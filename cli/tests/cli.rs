//! The `keyrot` command, run as a user would run it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const HEADER: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";
const AS_OF: &str = "2026-11-26T00:00:00Z";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

fn sample(name: &str) -> PathBuf {
    root().join("testdata/samples").join(name)
}

fn keyrot(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_keyrot"))
        .args(args)
        .env_remove("NO_COLOR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("keyrot runs");
    let mut pipe = child.stdin.take().expect("stdin");
    if let Some(bytes) = stdin {
        // keyrot may exit before reading (bad options): a closed pipe is fine.
        let _ = pipe.write_all(bytes);
    }
    drop(pipe);
    child.wait_with_output().expect("keyrot finishes")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A report with one user per (name, active, last_rotated, last_used).
fn report(rows: &[(&str, &str, &str, &str)]) -> String {
    let mut s = String::from(HEADER);
    s.push('\n');
    for (user, active, rotated, used) in rows {
        s.push_str(&format!(
            "{user},arn:aws:iam::111122223333:user/{user},2020-01-01T00:00:00Z,false,N/A,N/A,N/A,false,{active},{rotated},{used},us-east-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
        ));
    }
    s
}

fn temp_file(name: &str, contents: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("keyrot-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("write temp file");
    path
}

#[test]
fn exit_status_follows_compliance() {
    let ok = report(&[("alice", "true", "2026-11-01T00:00:00Z", "2026-11-20T10:00:00Z")]);
    let out = keyrot(&["check", "--as-of", AS_OF, "-"], Some(ok.as_bytes()));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("COMPLIANT: 0 fail"));

    let bad = report(&[("bob", "true", "2026-01-01T00:00:00Z", "N/A")]);
    let out = keyrot(&["check", "--as-of", AS_OF, "-"], Some(bad.as_bytes()));
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("NOT COMPLIANT: 1 fail"));

    let out = keyrot(&["check", "--as-of", AS_OF, "--fail-on", "never", "-"], Some(bad.as_bytes()));
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn fail_on_due_soon_counts_due_soon_keys() {
    let due = report(&[("carol", "true", "2026-08-30T00:00:00Z", "2026-11-20T10:00:00Z")]);
    let out = keyrot(&["check", "--as-of", AS_OF, "-"], Some(due.as_bytes()));
    assert_eq!(out.status.code(), Some(0));
    let out = keyrot(&["check", "--as-of", AS_OF, "--fail-on", "due-soon", "-"], Some(due.as_bytes()));
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn bad_input_names_file_line_column_and_value_and_prints_nothing() {
    let mut bad = report(&[("alice", "true", "2026-11-01T00:00:00Z", "N/A")]);
    bad.push_str(report(&[("bob", "true", "2026-13-01T00:00:00Z", "N/A")]).lines().nth(1).unwrap_or_default());
    let path = temp_file("bad.csv", bad.as_bytes());
    let out = keyrot(&["check", "--as-of", AS_OF, path.to_str().expect("utf-8 path")], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "stdout: {}", text(&out.stdout));
    let err = text(&out.stderr);
    assert!(err.contains("bad.csv"), "{err}");
    assert!(err.contains("line 3"), "{err}");
    assert!(err.contains("access_key_1_last_rotated"), "{err}");
    assert!(err.contains("2026-13-01T00:00:00Z"), "{err}");
}

#[test]
fn csv_output_is_also_empty_on_bad_input() {
    let mut bad = report(&[("alice", "true", "2026-01-01T00:00:00Z", "N/A")]);
    bad.push_str("bob,arn:aws:iam::111122223333:user/bob,cut-off\n");
    let out = keyrot(&["check", "--as-of", AS_OF, "--format", "csv", "-"], Some(bad.as_bytes()));
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(text(&out.stderr).contains("<stdin>: line 3"));
}

#[test]
fn several_inputs_judge_the_rest_and_exit_2() {
    let missing = root().join("testdata/no-such-report.csv");
    let good = sample("c7n-test_iam_user_unused_keys.csv");
    let out = keyrot(
        &[
            "check",
            "--as-of",
            AS_OF,
            "--format",
            "json",
            good.to_str().unwrap_or_default(),
            missing.to_str().unwrap_or_default(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    let reports = doc["reports"].as_array().expect("reports");
    assert_eq!(reports.len(), 2);
    assert_eq!(reports[0]["summary"]["fail"], 8);
    assert_eq!(reports[1]["error"]["code"], "io");
    assert_eq!(doc["summary"]["fail"], 8);
    assert_eq!(doc["summary"]["compliant"], false);
    assert!(
        text(&out.stderr).contains("no-such-report.csv: cannot read the input: cannot open the file"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_folder_is_judged_as_one_organisation() {
    let case = root().join("testdata/cases/many_reports_one_verdict");
    let out = keyrot(
        &["check", "--as-of", AS_OF, "--format", "json", case.join("inputs").to_str().unwrap_or_default()],
        None,
    );
    assert_eq!(out.status.code(), Some(2), "one report of the folder is broken");
    let actual: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(case.join("expected.json")).expect("expected.json"))
            .expect("JSON");
    // The command names each report by its path, the golden case by its file name.
    assert_eq!(actual["summary"], expected["summary"]);
    let strip = |v: &serde_json::Value, list: &str, field: &str| -> Vec<String> {
        v[list]
            .as_array()
            .expect("list")
            .iter()
            .map(|i| {
                let s = i[field].as_str().unwrap_or_default();
                s.rsplit('/').next().unwrap_or(s).to_owned()
            })
            .collect()
    };
    for (list, field) in [
        ("reports", "source"),
        ("findings", "source"),
        ("findings", "user"),
        ("findings", "status"),
        ("anomalies", "code"),
    ] {
        assert_eq!(strip(&actual, list, field), strip(&expected, list, field), "{list}.{field}");
    }
    let out = keyrot(&["check", "--as-of", AS_OF, case.join("inputs").to_str().unwrap_or_default()], None);
    let table = text(&out.stdout);
    assert!(table.contains("== account 111111111111: NOT COMPLIANT: 1 fail"), "{table}");
    assert!(table.contains("== account 222222222222: COMPLIANT"), "{table}");
    assert!(table.contains("4-broken.csv: ERROR line 1"), "{table}");
    assert!(text(&out.stderr).contains("[account_in_several_files]"));
}

#[test]
fn exemptions_keep_findings_but_not_their_weight() {
    let case = root().join("testdata/cases/exemptions_make_report_compliant");
    let input = case.join("input.csv");
    let out = keyrot(&["check", "--as-of", AS_OF, input.to_str().unwrap_or_default()], None);
    assert_eq!(out.status.code(), Some(1));
    let exemptions = case.join("exemptions.toml");
    let args = [
        "check",
        "--as-of",
        AS_OF,
        "--exemptions",
        exemptions.to_str().unwrap_or_default(),
        input.to_str().unwrap_or_default(),
    ];
    let out = keyrot(&args, None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    assert!(table.contains("fail") && table.contains("[exempted]"), "{table}");
    assert!(table.contains("COMPLIANT: 1 fail, 0 invalid, 0 due_soon, 0 pass, 0 inactive, 1 exempted"), "{table}");

    let bad = temp_file("bad-exemptions.toml", b"[[exemption]\n");
    let out = keyrot(
        &[
            "check",
            "--as-of",
            AS_OF,
            "--exemptions",
            bad.to_str().unwrap_or_default(),
            input.to_str().unwrap_or_default(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("not valid TOML"), "{}", text(&out.stderr));
}

#[test]
fn json_output_is_the_golden_contract() {
    let case = root().join("testdata/cases/reference_cases");
    let out = keyrot(
        &["check", "--as-of", AS_OF, "--format", "json", case.join("input.csv").to_str().unwrap_or_default()],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let actual: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(case.join("expected.json")).expect("expected.json"))
            .expect("JSON");
    assert_eq!(actual, expected);
}

#[test]
fn only_filters_findings_but_not_the_summary() {
    let rows = report(&[
        ("old", "true", "2026-01-01T00:00:00Z", "N/A"),
        ("new", "true", "2026-11-01T00:00:00Z", "2026-11-20T10:00:00Z"),
    ]);
    let out = keyrot(&["check", "--as-of", AS_OF, "--only", "fail", "--format", "json", "-"], Some(rows.as_bytes()));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(doc["findings"].as_array().map(Vec::len), Some(1));
    assert_eq!(doc["findings"][0]["user"], "old");
    assert_eq!(doc["summary"]["keys"], 2);
    assert_eq!(doc["summary"]["pass"], 1);

    let out =
        keyrot(&["check", "--as-of", AS_OF, "--only", "pass,due-soon", "--format", "csv", "-"], Some(rows.as_bytes()));
    let csv = text(&out.stdout);
    assert_eq!(csv.lines().count(), 2, "{csv}");
    assert!(csv.lines().nth(1).is_some_and(|l| l.contains(",new,")));
}

#[test]
fn csv_neutralizes_formulas_and_keeps_numbers_plain() {
    let rows = report(&[
        ("=HYPERLINK(1)", "true", "2026-01-01T00:00:00Z", "N/A"),
        ("+plus", "true", "2026-01-01T00:00:00Z", "N/A"),
    ]);
    let out = keyrot(&["check", "--as-of", AS_OF, "--format", "csv", "-"], Some(rows.as_bytes()));
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let header = reader.headers().expect("header").clone();
    let user = header.iter().position(|h| h == "user").expect("user column");
    let days = header.iter().position(|h| h == "days_until_due").expect("days column");
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("record")).collect();
    assert_eq!(&records[0][user], "'=HYPERLINK(1)");
    assert_eq!(&records[1][user], "'+plus");
    // Computed numbers stay numbers, even negative ones.
    assert_eq!(&records[0][days], "-239");
}

#[test]
fn as_of_comes_from_generated_time_then_the_clock() {
    let placebo = sample("c7n-placebo-test_iam_user_credential_multi_delete.GetCredentialReport_1.json");
    let out = keyrot(&["check", "--format", "json", placebo.to_str().unwrap_or_default()], None);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(doc["as_of_source"], "report");
    assert_eq!(doc["as_of"], "2018-12-02T01:18:49Z");
    // The 2019 rotation date of this hand-edited recording is after GeneratedTime.
    assert_eq!(doc["findings"][0]["code"], "future_timestamp");

    let csv = sample("c7n-test_iam_user_delete_options.csv");
    let out = keyrot(&["check", "--format", "json", csv.to_str().unwrap_or_default()], None);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(doc["as_of_source"], "clock");
    let out = keyrot(&["check", csv.to_str().unwrap_or_default()], None);
    assert!(text(&out.stdout).contains("(now: the report carries no GeneratedTime)"));
}

#[test]
fn table_has_no_colour_when_piped_and_escapes_control_characters() {
    let rows = report(&[("evil\u{1b}[2Jname", "true", "2026-01-01T00:00:00Z", "N/A")]);
    let out = keyrot(&["check", "--as-of", AS_OF, "-"], Some(rows.as_bytes()));
    let table = text(&out.stdout);
    assert!(!table.contains('\u{1b}'), "{table:?}");
    assert!(table.contains("evil\\u{1b}[2Jname"));
    let out = keyrot(&["check", "--as-of", AS_OF, "--color", "always", "-"], Some(rows.as_bytes()));
    assert!(text(&out.stdout).contains("\u{1b}[1;31mfail"));
}

#[test]
fn bad_options_exit_2_with_a_reason() {
    let rows = report(&[("alice", "true", "2026-11-01T00:00:00Z", "N/A")]);
    let out = keyrot(&["check", "--as-of", "yesterday", "-"], Some(rows.as_bytes()));
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("RFC 3339"));
    let out = keyrot(&["check", "--max-age-days", "0", "-"], Some(rows.as_bytes()));
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("max_age_days"));
    let out = keyrot(&["check", "--only", "bogus", "-"], Some(rows.as_bytes()));
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_other_checks_are_asked_for_and_decide_the_exit_status() {
    // Fresh keys, but a console user without MFA: compliant under the
    // rotation rule alone, not once console_user_mfa is asked for.
    let mut csv = String::from(HEADER);
    csv.push_str("\ndave,arn:aws:iam::111122223333:user/dave,2020-01-01T00:00:00Z,true,2026-11-25T00:00:00Z,N/A,N/A,false,true,2026-11-01T00:00:00Z,2026-11-25T00:00:00Z,us-east-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n");
    let out = keyrot(&["check", "--as-of", AS_OF, "--format", "json", "-"], Some(csv.as_bytes()));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(json["findings"][0].get("rule").is_none(), "a rotation-only run does not label its findings");
    assert!(json.get("checks").is_none());

    let out = keyrot(
        &["check", "--as-of", AS_OF, "--rules", "console-user-mfa,access_key_rotated", "--format", "json", "-"],
        Some(csv.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let rules: Vec<&str> =
        json["findings"].as_array().expect("findings").iter().map(|f| f["rule"].as_str().expect("a rule")).collect();
    assert_eq!(rules, ["access_key_rotated", "console_user_mfa"]);
    assert_eq!(json["findings"][1]["slot"], serde_json::Value::Null);
    assert_eq!(json["findings"][1]["cis"], "2.10");
    assert_eq!(json["summary"]["rules"]["console_user_mfa"]["fail"], 1);

    // The version chosen numbers every finding, the rotation rule's too.
    let out = keyrot(
        &["check", "--as-of", AS_OF, "--cis-version", "1.4", "--format", "csv", "--columns", "user,rule,cis", "-"],
        Some(csv.as_bytes()),
    );
    assert_eq!(text(&out.stdout), "user,rule,cis\ndave,access_key_rotated,1.14\n");

    let out = keyrot(&["check", "--rules", "root_mfo", "-"], Some(csv.as_bytes()));
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("unknown rule `root_mfo`"), "{}", text(&out.stderr));
    let out = keyrot(&["check", "--cis-version", "9.0", "-"], Some(csv.as_bytes()));
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("v7.0.0"), "{}", text(&out.stderr));
}

#[test]
fn help_explains_every_option() {
    let out = keyrot(&["check", "--help"], None);
    assert_eq!(out.status.code(), Some(0));
    let help = text(&out.stdout);
    for option in [
        "--as-of",
        "--max-age-days",
        "--warn-days",
        "--include-inactive",
        "--granularity",
        "--lenient",
        "--only",
        "--format",
        "--fail-on",
        "--input-format",
        "--color",
        "--rules",
        "--cis-version",
        "--unused-days",
        "--root-use-days",
        "--setup-seconds",
    ] {
        assert!(help.contains(option), "{option} missing from help");
    }
    let out = keyrot(&["--version"], None);
    assert!(text(&out.stdout).starts_with("keyrot "));
}

#[test]
fn lenient_keeps_bad_rows_as_invalid_findings() {
    let mut rows = report(&[("alice", "true", "2026-11-01T00:00:00Z", "N/A")]);
    rows.push_str("bob,arn:aws:iam::111122223333:user/bob,cut-off\n");
    let out = keyrot(&["check", "--as-of", AS_OF, "--lenient", "--format", "json", "-"], Some(rows.as_bytes()));
    assert_eq!(out.status.code(), Some(1), "invalid keys are not compliant");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(doc["summary"]["users"], 2);
    assert_eq!(doc["summary"]["invalid"], 2);
    assert_eq!(doc["anomalies"][0]["code"], "row_error");
    assert_eq!(doc["anomalies"][0]["error"], "field_count");
}

#[test]
fn plan_json_is_the_golden_plan_and_exits_0() {
    let case = root().join("testdata/cases/plan_with_access_key_ids");
    let out = keyrot(
        &[
            "plan",
            "--as-of",
            AS_OF,
            "--format",
            "json",
            "--access-keys",
            case.join("access_keys.json").to_str().unwrap_or_default(),
            case.join("input.csv").to_str().unwrap_or_default(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let actual: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(case.join("expected_plan.json")).expect("expected_plan.json"))
            .expect("JSON");
    assert_eq!(actual, expected);
}

#[test]
fn plan_exits_2_on_bad_input() {
    let out = keyrot(&["plan", "--as-of", AS_OF, "-"], Some(b"user,arn\nbob,arn:aws:iam::1:user/bob\n"));
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(text(&out.stderr).contains("lacks the required column"), "{}", text(&out.stderr));
    let out = keyrot(&["plan", "--as-of", AS_OF, "--grace-days", "400", "-"], Some(b""));
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("grace_days"));
}

/// Hostile user names cannot add a live command to the shell script: it
/// parses, and when run with a stand-in `aws` that logs its arguments, only
/// read-only calls happen, each with the user name as one exact argument.
#[test]
fn plan_sh_quotes_hostile_names_and_runs_nothing_that_changes() {
    let case = root().join("testdata/cases/plan_hostile_user_names/input.csv");
    let out = keyrot(&["plan", "--as-of", AS_OF, "--format", "sh", case.to_str().unwrap_or_default()], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let script = text(&out.stdout);
    let dir = temp_file("unused", b"").parent().expect("temp dir").join("sh-run");
    std::fs::create_dir_all(&dir).expect("dir");
    let script_path = dir.join("plan.sh");
    std::fs::write(&script_path, &script).expect("write script");
    let syntax = Command::new("bash").arg("-n").arg(&script_path).output().expect("bash -n");
    assert!(syntax.status.success(), "bash -n: {}", text(&syntax.stderr));

    // Every live line is a comment, `set -eu`, `unset`, or a read-only aws call.
    for line in script.lines().filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty()) {
        let ok = line == "set -eu" || line.starts_with("unset ") || line.starts_with("aws iam list-access-keys ");
        assert!(ok, "unexpected live line: {line}");
    }

    let log = dir.join("aws.log");
    let fake_aws = dir.join("aws");
    std::fs::write(
        &fake_aws,
        "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\036' \"$a\" >> \"$AWS_LOG\"; done\nprintf '\\n' >> \"$AWS_LOG\"\n",
    )
    .expect("fake aws");
    Command::new("chmod").arg("+x").arg(&fake_aws).status().expect("chmod");
    let path = format!("{}:{}", dir.display(), std::env::var("PATH").unwrap_or_default());
    let run = Command::new("sh")
        .arg(&script_path)
        .current_dir(&dir)
        .env("PATH", path)
        .env("AWS_LOG", &log)
        .output()
        .expect("run script");
    assert!(run.status.success(), "script failed: {}", text(&run.stderr));
    assert!(!text(&run.stdout).contains("pwned"));
    assert!(!Path::new("/tmp/pwned").exists() && !dir.join("pwned").exists());
    let calls: Vec<Vec<String>> = std::fs::read_to_string(&log)
        .expect("aws was called")
        .lines()
        .map(|l| l.split('\u{1e}').filter(|a| !a.is_empty()).map(str::to_owned).collect())
        .collect();
    let users: Vec<&str> = calls
        .iter()
        .map(|c| {
            assert_eq!(&c[..3], ["iam", "list-access-keys", "--user-name"], "only read-only calls: {c:?}");
            c[3].as_str()
        })
        .collect();
    // The name with a newline gets no command at all.
    assert_eq!(users, ["o'neil", "$(touch /tmp/pwned)", "`reboot`", "a;rm -rf ~", "x' ; echo pwned ; '"]);
}

#[test]
fn plan_markdown_escapes_names_and_fences_commands() {
    let rows = report(&[("a*b_<i>", "true", "2025-01-01T00:00:00Z", "N/A")]);
    let out = keyrot(&["plan", "--as-of", AS_OF, "--format", "markdown", "-"], Some(rows.as_bytes()));
    assert_eq!(out.status.code(), Some(0));
    let md = text(&out.stdout);
    assert!(md.contains("### Deactivate an unused key `deactivate_unused_key`: a\\*b\\_\\<i\\>"), "{md}");
    assert!(md.contains("```sh\n# check\naws iam list-access-keys --user-name 'a*b_<i>'"), "{md}");
}

#[test]
fn diff_json_is_the_golden_diff_and_exits_1_when_a_key_became_overdue() {
    let case = root().join("testdata/cases/diff_a_day_later");
    let old = case.join("old.csv");
    let new = case.join("new.csv");
    let (old, new) = (old.to_str().unwrap_or_default(), new.to_str().unwrap_or_default());
    let out = keyrot(&["diff", "--as-of", AS_OF, "--format", "json", old, new], None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let actual: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(case.join("expected.json")).expect("expected.json"))
            .expect("JSON");
    assert_eq!(actual, expected);

    // The same report twice: its overdue keys are still overdue, none became so.
    let out = keyrot(&["diff", "--as-of", AS_OF, new, new], None);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).ends_with("\n2 still_overdue\n"), "{}", text(&out.stdout));

    let out = keyrot(&["diff", "--as-of", AS_OF, old, "/no/such/report.csv"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("/no/such/report.csv"));
}

/// A report of several chunks (about 512 KiB each) whose rows hold quoted
/// names with commas, quotes and line breaks, CRLF endings and a lenient
/// bad row, so that chunk boundaries fall among them.
fn big_mixed_report(rows: usize) -> String {
    let mut s = String::from(HEADER);
    s.push_str("\r\n");
    for i in 0..rows {
        let user = match i % 97 {
            0 => format!("\"name, with comma {i}\""),
            1 => format!("\"two\r\nlines {i}\""),
            2 => format!("\"say \"\"hi\"\" {i}\""),
            _ => format!("user-{i}"),
        };
        let rotated = format!("20{:02}-0{}-1{}T0{}:00:00Z", 15 + i % 12, 1 + i % 9, i % 10, i % 10);
        let active = if i % 5 == 0 { "false" } else { "true" };
        let used = if i % 3 == 0 { "N/A".to_owned() } else { "2026-11-20T10:00:00+00:00".to_owned() };
        let ending = if i % 2 == 0 { "\r\n" } else { "\n" };
        s.push_str(&format!(
            "{user},arn:aws:iam::{:012}:user/u{i},2015-01-01T00:00:00Z,false,N/A,N/A,N/A,false,{active},{rotated},{used},us-east-1,s3,true,2026-10-01T00:00:00Z,N/A,N/A,N/A,false,N/A,false,N/A{ending}",
            100_000_000_000u64 + (i / 5000) as u64
        ));
    }
    s
}

#[test]
fn threads_never_change_the_output() {
    let path = temp_file("big-mixed.csv", big_mixed_report(12_000).as_bytes());
    let path = path.to_str().expect("utf-8 path");
    for format in ["csv", "json"] {
        let run = |threads: &str| {
            let out = keyrot(&["check", "--as-of", AS_OF, "--format", format, "--threads", threads, path], None);
            assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
            out.stdout
        };
        let one = run("1");
        assert!(one.len() > 1 << 20, "the output is too small to mean anything");
        assert_eq!(one, run("2"), "--threads 2 changed the {format} output");
        assert_eq!(one, run("4"), "--threads 4 changed the {format} output");
    }
    // The quoted names survived the chunk boundaries intact.
    let out = keyrot(&["check", "--as-of", AS_OF, "--format", "csv", "--columns", "user,line", path], None);
    let csv = text(&out.stdout);
    assert!(csv.contains("\"two\nlines 98\""), "{}", &csv[..200]);
    assert!(csv.contains("\"say \"\"hi\"\" 2\""));
    assert!(csv.contains("\"name, with comma 9700\""));
}

#[test]
fn columns_choose_the_csv_columns_in_order() {
    let path = temp_file(
        "columns.csv",
        report(&[("=alice", "true", "2026-01-01T00:00:00Z", "N/A"), ("bob", "true", "2026-11-01T00:00:00Z", "N/A")])
            .as_bytes(),
    );
    let path = path.to_str().expect("utf-8 path");
    let out = keyrot(&["check", "--as-of", AS_OF, "--format", "csv", "--columns", "age_days,user,status", path], None);
    assert_eq!(text(&out.stdout), "age_days,user,status\n329,'=alice,fail\n25,bob,pass\n");
    let out = keyrot(&["check", "--format", "csv", "--columns", "user,colour", path], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("unknown column `colour`"), "{}", text(&out.stderr));
    let out = keyrot(&["check", "--threads", "0", path], None);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn csv_into_a_file_is_written_directly_and_cut_back_on_bad_input() {
    let good = big_mixed_report(12_000);
    let mut bad = good.clone();
    bad.push_str("late,arn:aws:iam::111122223333:user/late,2015-01-01T00:00:00Z,maybe\n");
    let run_into = |input: &str, name: &str| {
        let report = temp_file(name, input.as_bytes());
        let out_path = report.with_extension("out");
        std::fs::write(&out_path, b"").expect("empty output file");
        let out_file = std::fs::File::create(&out_path).expect("output file");
        let status = Command::new(env!("CARGO_BIN_EXE_keyrot"))
            .args(["check", "--as-of", AS_OF, "--format", "csv", "--threads", "2"])
            .arg(&report)
            .stdout(out_file)
            .stderr(Stdio::piped())
            .output()
            .expect("keyrot runs");
        (status.status.code(), std::fs::read(&out_path).expect("output"))
    };
    let (code, written) = run_into(&good, "direct-good.csv");
    assert_eq!(code, Some(1));
    let piped = keyrot(
        &[
            "check",
            "--as-of",
            AS_OF,
            "--format",
            "csv",
            "--threads",
            "2",
            temp_file("direct-good.csv", good.as_bytes()).to_str().expect("path"),
        ],
        None,
    );
    assert!(written.len() > 1 << 20);
    assert_eq!(written, piped.stdout, "the file holds what a pipe gets");
    // The bad row comes after megabytes of output have gone into the file.
    let (code, written) = run_into(&bad, "direct-bad.csv");
    assert_eq!(code, Some(2));
    assert!(written.is_empty(), "{} bytes left in the output file", written.len());
}

/// Runs `keyrot` with its stdout a pipe that is closed after `keep` bytes
/// have been read, and returns the exit status.
fn exit_with_stdout_closed_after(args: &[&str], keep: usize) -> Option<i32> {
    use std::io::Read;
    let mut child = Command::new(env!("CARGO_BIN_EXE_keyrot"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("keyrot runs");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut head = vec![0; keep];
    stdout.read_exact(&mut head).expect("the first bytes of the output");
    drop(stdout);
    child.wait().expect("keyrot finishes").code()
}

#[test]
fn a_closed_stdout_never_turns_a_failing_verdict_into_success() {
    // Much more output than a pipe holds, so that keyrot meets the closed
    // pipe while it writes.
    let path = temp_file("closed-stdout.csv", big_mixed_report(12_000).as_bytes());
    let path = path.to_str().expect("utf-8 path");
    let folder = temp_file("closed-folder-a.csv", b"").with_file_name("closed-folder").join("a.csv");
    std::fs::create_dir_all(folder.parent().expect("folder")).expect("folder");
    std::fs::write(&folder, big_mixed_report(3_000)).expect("first report");
    std::fs::write(folder.with_file_name("b.csv"), big_mixed_report(3_000).replace(",true,20", ",false,20"))
        .expect("second report");
    let folder = folder.parent().expect("folder").to_str().expect("utf-8 path");
    for format in ["table", "csv", "json"] {
        for threads in ["1", "2"] {
            let args = ["check", "--as-of", AS_OF, "--format", format, "--threads", threads, path];
            assert_eq!(exit_with_stdout_closed_after(&args, 100), Some(1), "{format} on {threads} threads");
            let args = ["check", "--as-of", AS_OF, "--format", format, "--threads", threads, folder];
            assert_eq!(exit_with_stdout_closed_after(&args, 100), Some(1), "a folder, {format} on {threads} threads");
        }
    }
    // A compliant verdict stays 0, and bad input stays 2.
    let args = ["check", "--as-of", AS_OF, "--format", "csv", "--fail-on", "never", path];
    assert_eq!(exit_with_stdout_closed_after(&args, 100), Some(0));
    let mut bad = big_mixed_report(12_000);
    bad.push_str("late,arn:aws:iam::111122223333:user/late,2015-01-01T00:00:00Z,maybe\n");
    let bad = temp_file("closed-stdout-bad.csv", bad.as_bytes());
    let both = ["check", "--as-of", AS_OF, "--format", "csv", path, bad.to_str().expect("utf-8 path")];
    assert_eq!(exit_with_stdout_closed_after(&both, 100), Some(2));
    let plan = ["plan", "--as-of", AS_OF, "--format", "json", path];
    assert_eq!(exit_with_stdout_closed_after(&plan, 100), Some(0));
}

#[test]
fn a_folder_streams_each_report_as_it_would_alone_and_leaves_out_a_bad_one() {
    let dir = std::env::temp_dir().join(format!("keyrot-cli-folder-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("folder");
    let reports = [big_mixed_report(4_000), big_mixed_report(50), big_mixed_report(2_500)];
    let mut bad = big_mixed_report(3_000);
    bad.push_str("late,arn:aws:iam::111122223333:user/late,2015-01-01T00:00:00Z,maybe\n");
    std::fs::write(dir.join("a.csv"), &reports[0]).expect("a");
    std::fs::write(dir.join("b.csv"), &reports[1]).expect("b");
    std::fs::write(dir.join("c-bad.csv"), &bad).expect("c");
    std::fs::write(dir.join("d.csv"), &reports[2]).expect("d");
    let dir_text = dir.to_str().expect("utf-8 path");
    // Each report alone, named as the folder names it.
    let mut expected = String::from("source,user,slot,status,line\n");
    for name in ["a.csv", "b.csv", "d.csv"] {
        let path = dir.join(name);
        let alone = keyrot(
            &[
                "check",
                "--as-of",
                AS_OF,
                "--format",
                "csv",
                "--columns",
                "source,user,slot,status,line",
                path.to_str().expect("path"),
            ],
            None,
        );
        let csv = text(&alone.stdout);
        expected.push_str(csv.split_once('\n').expect("a header").1);
    }
    for threads in ["1", "2", "3"] {
        let out = keyrot(
            &[
                "check",
                "--as-of",
                AS_OF,
                "--format",
                "csv",
                "--columns",
                "source,user,slot,status,line",
                "--threads",
                threads,
                dir_text,
            ],
            None,
        );
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
        assert!(text(&out.stderr).contains("c-bad.csv: line 3033: the row has 4 fields"), "{}", text(&out.stderr));
        assert!(text(&out.stdout) == expected, "{threads} threads: the folder's CSV is not the reports' own");
        // Into a file: the bad report's rows are cut back out of it.
        let out_path = dir.with_extension(format!("{threads}.out"));
        let out_file = std::fs::File::create(&out_path).expect("output file");
        let status = Command::new(env!("CARGO_BIN_EXE_keyrot"))
            .args([
                "check",
                "--as-of",
                AS_OF,
                "--format",
                "csv",
                "--columns",
                "source,user,slot,status,line",
                "--threads",
                threads,
                dir_text,
            ])
            .stdout(out_file)
            .stderr(Stdio::null())
            .status()
            .expect("keyrot runs");
        assert_eq!(status.code(), Some(2));
        assert!(std::fs::read_to_string(&out_path).expect("output") == expected, "into a file, {threads} threads");
    }
}

/// The table puts the answer first: the verdict, counted over every check
/// when several are judged (the JSON's counts), one line per check, then the
/// findings in triage order, the root user's critical ones first.
#[test]
fn the_table_gives_the_verdict_first_and_the_worst_finding_first() {
    let sample = sample("c7n-test_iam_user_unused_keys.csv");
    let path = sample.to_str().unwrap();
    let args = ["check", "--as-of", "2016-11-26T00:00:00Z", "--rules", "all"];
    let table = text(&keyrot(&[&args[..], &[path]].concat(), None).stdout);
    let json: serde_json::Value =
        serde_json::from_slice(&keyrot(&[&args[..], &["--format", "json", path]].concat(), None).stdout).unwrap();
    let rules = json["summary"]["rules"].as_object().unwrap();
    let total = |status: &str| rules.values().map(|r| r[status].as_u64().unwrap()).sum::<u64>();
    let first = table.lines().next().unwrap();
    assert!(first.starts_with("NOT COMPLIANT: "), "{first}");
    assert!(first.contains(&format!(", {} fail, {} invalid,", total("fail"), total("invalid"))), "{first}");
    for rule in rules.keys() {
        assert!(table.lines().any(|l| l.trim_start().starts_with(rule.as_str())), "a line for {rule}");
    }
    let rows: Vec<&str> = table.lines().skip_while(|l| !l.starts_with("ACCOUNT")).skip(1).collect();
    let severities: Vec<&str> = rows.iter().map(|l| l.split_whitespace().nth(4).unwrap()).collect();
    let rank = |s: &str| ["critical", "high", "medium", "low", "info"].iter().position(|x| *x == s).unwrap();
    assert!(severities.windows(2).all(|w| rank(w[0]) <= rank(w[1])), "{severities:?}");
    assert!(rows[0].contains("<root_account>") && severities[0] == "critical", "{}", rows[0]);
    assert_eq!(rows.len(), json["findings"].as_array().unwrap().len());
}
