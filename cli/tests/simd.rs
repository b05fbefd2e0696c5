//! The output does not depend on the reader's vector instructions or on the
//! threads: every golden case (`testdata/cases`, `testdata/history`),
//! through every output format of `check`, `plan`, `diff` and `history`,
//! gives the same bytes on standard output and standard error, and the same
//! exit status, on 1, 2 and 3 threads and at every `--simd` level this
//! machine has (forced), as with the defaults. Run in process
//! (`keyrot_cli::run_with`), at a fixed clock.
//!
//! (Each golden case is one chunk: the threads judge it whole. Chunks cut
//! across rows, quoted line breaks and blocks are the property tests' and
//! the `scan` fuzz target's; the 1M-row report is
//! `benches/simd/same-output.sh`'s.)

use keyrot::read::Simd;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

/// Stdout, stderr and the exit status of one command line.
type Outcome = (Vec<u8>, Vec<u8>, i32);

fn run(args: &[String]) -> Outcome {
    let now = keyrot::parse_timestamp("2026-11-26T00:00:00Z").expect("a timestamp");
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let mut argv: Vec<OsString> = vec!["keyrot".into()];
    argv.extend(args.iter().map(OsString::from));
    let status = keyrot_cli::run_with(argv, now, &mut out, &mut err);
    (out, err, status)
}

/// The flags of a case's `options.json` (the contract's names, as the
/// command spells them).
fn option_flags(options: &serde_json::Value, command: &str) -> Vec<String> {
    let mut flags = Vec::new();
    for (name, value) in options.as_object().expect("options.json is an object") {
        let flag = match name.as_str() {
            "format" => "--input-format".to_owned(),
            // A plan's option: `check` has no such flag.
            "grace_days" if command != "plan" => continue,
            other => format!("--{}", other.replace('_', "-")),
        };
        match value {
            serde_json::Value::Bool(true) => flags.push(flag),
            serde_json::Value::Bool(false) => {}
            serde_json::Value::Array(items) => {
                let items: Vec<String> =
                    items.iter().map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned)).collect();
                flags.push(format!("{flag}={}", items.join(",")));
            }
            serde_json::Value::String(s) if matches!(name.as_str(), "granularity" | "format") => {
                flags.push(format!("{flag}={}", s.replace('_', "-")));
            }
            serde_json::Value::String(s) => flags.push(format!("{flag}={s}")),
            other => flags.push(format!("{flag}={other}")),
        }
    }
    flags
}

/// The file of `dir` named `stem.*`, if there is one.
fn file(dir: &Path, stem: &str) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.is_file() && p.file_stem().is_some_and(|s| s == stem))
}

/// Every command line of one golden case of `testdata/cases`, each a list
/// of arguments after which the threads and the level are added (`None`:
/// the command takes no `--threads`).
fn case_commands(dir: &Path) -> Vec<(Vec<String>, bool)> {
    let options: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("options.json")).expect("options.json"))
            .expect("options.json is JSON");
    let show = |p: &Path| p.display().to_string();
    let mut commands = Vec::new();
    if let (Some(old), Some(new)) = (file(dir, "old"), file(dir, "new")) {
        let extra: serde_json::Value = file(dir, "diff")
            .map(|p| serde_json::from_str(&std::fs::read_to_string(p).expect("diff.json")).expect("JSON"))
            .unwrap_or_default();
        for format in ["table", "json"] {
            let mut args = vec!["diff".to_owned(), format!("--format={format}")];
            args.extend(option_flags(&options, "diff"));
            if let Some(t) = extra.get("old_as_of").and_then(|t| t.as_str()) {
                args.push(format!("--old-as-of={t}"));
            }
            args.extend([show(&old), show(&new)]);
            commands.push((args, false));
        }
        return commands;
    }
    let input = if dir.join("inputs").is_dir() { dir.join("inputs") } else { file(dir, "input").expect("an input") };
    for format in ["table", "json", "csv", "sarif", "junit", "ocsf", "html"] {
        let mut args = vec!["check".to_owned(), format!("--format={format}"), "--color=never".to_owned()];
        args.extend(option_flags(&options, "check"));
        if dir.join("exemptions.toml").is_file() {
            args.push(format!("--exemptions={}", show(&dir.join("exemptions.toml"))));
        }
        args.push(show(&input));
        commands.push((args, true));
    }
    if dir.join("expected_plan.json").is_file() {
        for format in ["table", "json", "markdown", "sh", "csv"] {
            let mut args = vec!["plan".to_owned(), format!("--format={format}")];
            args.extend(option_flags(&options, "plan"));
            if dir.join("access_keys.json").is_file() {
                args.push(format!("--access-keys={}", show(&dir.join("access_keys.json"))));
            }
            args.push(show(&input));
            commands.push((args, false));
        }
    }
    commands
}

/// Every command line of one golden case of `testdata/history`.
fn history_commands(dir: &Path) -> Vec<(Vec<String>, bool)> {
    let options: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("options.json")).expect("options.json"))
            .expect("options.json is JSON");
    let mut flags = Vec::new();
    for (name, value) in options.as_object().expect("an object") {
        match name.as_str() {
            "times" => {
                for (file, time) in value.as_object().expect("times") {
                    flags.push(format!("--time={file}={}", time.as_str().expect("a time")));
                }
            }
            "time_from_name" => flags.push(format!("--time-from-name={}", value.as_str().expect("a pattern"))),
            "rules" => {
                let rules: Vec<&str> = value.as_array().expect("rules").iter().filter_map(|r| r.as_str()).collect();
                flags.push(format!("--rules={}", rules.join(",")));
            }
            "stall_days" => flags.push(format!("--stall-days={value}")),
            "last_used_per_report" => {}
            other => panic!("{}: option `{other}` has no flag in this test", dir.display()),
        }
    }
    ["table", "json", "csv", "html"]
        .into_iter()
        .map(|format| {
            let mut args = vec!["history".to_owned(), format!("--format={format}")];
            args.extend(flags.iter().cloned());
            args.push(dir.join("reports").display().to_string());
            (args, true)
        })
        .collect()
}

/// Runs `args` with the defaults, then on 1, 2 and 3 threads (when the
/// command takes `--threads`) at every level, and names the first
/// difference.
fn same_everywhere(args: &[String], threads: bool) -> Result<usize, String> {
    let reference = run(args);
    // The case's options, as flags, are the command's own (a case whose
    // options are out of range is refused by the core, not by clap).
    if String::from_utf8_lossy(&reference.1).contains("try '--help'") {
        return Err(format!("keyrot {}: {}", args.join(" "), String::from_utf8_lossy(&reference.1)));
    }
    let mut levels = vec![Simd::Auto];
    levels.extend(Simd::available());
    let counts: &[Option<&str>] = if threads { &[Some("1"), Some("2"), Some("3")] } else { &[None] };
    let mut runs = 0;
    for &level in &levels {
        for &count in counts {
            let mut forced = vec![format!("--simd={level}")];
            forced.extend(count.map(|n| format!("--threads={n}")));
            let (command, rest) = args.split_first().expect("a subcommand");
            let mut full = vec![command.clone()];
            full.extend(forced.iter().cloned());
            full.extend(rest.iter().cloned());
            let got = run(&full);
            runs += 1;
            if got != reference {
                let show = |o: &Outcome| {
                    format!("status {}\n{}\n{}", o.2, String::from_utf8_lossy(&o.0), String::from_utf8_lossy(&o.1))
                };
                return Err(format!(
                    "keyrot {} differs from keyrot {}:\n--- forced\n{}\n--- default\n{}",
                    full.join(" "),
                    args.join(" "),
                    show(&got),
                    show(&reference)
                ));
            }
        }
    }
    Ok(runs)
}

fn case_dirs(folder: &str) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root().join(folder))
        .expect("the golden cases")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("options.json").is_file())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn every_golden_case_gives_the_same_bytes_at_every_simd_level_and_thread_count() {
    let mut commands = Vec::new();
    for dir in case_dirs("testdata/cases") {
        commands.extend(case_commands(&dir));
    }
    for dir in case_dirs("testdata/history") {
        commands.extend(history_commands(&dir));
    }
    assert!(commands.len() > 900, "{} command lines: the cases were not found", commands.len());
    // Two workers: the machine's cores.
    let (next, failures, runs) = (
        std::sync::atomic::AtomicUsize::new(0),
        std::sync::Mutex::new(Vec::new()),
        std::sync::atomic::AtomicUsize::new(0),
    );
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some((args, threads)) = commands.get(i) else { break };
                match same_everywhere(args, *threads) {
                    Ok(n) => {
                        runs.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
                    }
                    Err(e) => failures.lock().expect("not poisoned").push(e),
                }
            });
        }
    });
    let failures = failures.into_inner().expect("not poisoned");
    assert!(
        failures.is_empty(),
        "{} of {} command lines differ; the first:\n{}",
        failures.len(),
        commands.len(),
        failures[0]
    );
    eprintln!("{} command lines, {} forced runs, all the same bytes", commands.len(), runs.into_inner());
}

#[test]
fn a_level_this_machine_lacks_is_refused_and_empty_means_auto() {
    let input = root().join("testdata/cases/timestamp_forms/input.csv").display().to_string();
    let missing = Simd::ALL.into_iter().find(|l| !l.is_available());
    if let Some(level) = missing {
        let (out, err, status) = run(&["check".into(), format!("--simd={level}"), input.clone()]);
        assert_eq!(status, keyrot_cli::EXIT_BAD_INPUT);
        assert!(out.is_empty());
        assert!(String::from_utf8_lossy(&err).contains("this machine cannot use"), "{}", String::from_utf8_lossy(&err));
    }
    let (_, err, status) = run(&["check".into(), "--simd=avx-9000".into(), input.clone()]);
    assert_eq!(status, keyrot_cli::EXIT_BAD_INPUT);
    assert!(String::from_utf8_lossy(&err).contains("the SIMD levels are auto, avx2, sse2, neon, simd128, portable"));
    let base = ["check".to_owned(), "--as-of=2026-11-26T00:00:00Z".to_owned(), input];
    let mut empty = base.to_vec();
    empty.insert(1, "--simd=".into());
    assert_eq!(run(&empty), run(&base));
}
