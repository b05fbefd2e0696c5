//! The comparison baselines (benches/compare) do the job keyrot does: on
//! generated reports in both timestamp forms, `plain-rust` finds exactly the
//! keys keyrot judges `fail` (user, slot, age in days), and the floors count
//! every record, field and line. No timing here: timings belong to
//! benches/compare/run.sh.

use std::path::PathBuf;
use std::process::Command;

const AS_OF: &str = "2026-11-26T00:00:00Z";
const ROWS: u64 = 6_000; // more than one account, so two root rows

fn report(seed: u64) -> (Vec<u8>, PathBuf) {
    let mut buf = Vec::new();
    let spec = keyrot_benches::Spec { rows: ROWS, seed, as_of: 1_795_651_200, account: 111_122_223_333 };
    keyrot_benches::write_report(&spec, &mut buf).expect("in-memory write");
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("keyrot-baselines-{}-{seed}.csv", std::process::id()));
    std::fs::write(&path, &buf).expect("write the report");
    (buf, path)
}

fn run(bin: &str, args: &[&std::ffi::OsStr]) -> String {
    let out = Command::new(bin).args(args).output().expect("run the baseline");
    assert!(out.status.success(), "{bin} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8").trim().to_owned()
}

#[test]
fn plain_rust_finds_what_keyrot_finds_in_both_timestamp_forms() {
    for seed in [42, 43] {
        let (input, path) = report(seed);
        let options = keyrot::Options::at(keyrot::parse_timestamp(AS_OF).expect("valid"));
        let analysis = keyrot::analyze(&input[..], &options).expect("valid report");
        let mut expected: Vec<(String, u8, i64)> = analysis
            .findings
            .iter()
            .filter(|f| f.status == keyrot::Status::Fail)
            .map(|f| (f.user.clone(), f.slot.expect("a key finding"), f.age_days.expect("a failing key has an age")))
            .collect();
        assert!(expected.len() > 1000, "the report has failing keys");

        let out = path.with_extension("out.csv");
        let printed = run(env!("CARGO_BIN_EXE_plain-rust"), &[path.as_os_str(), out.as_os_str(), AS_OF.as_ref()]);
        let mut reader = csv::Reader::from_path(&out).expect("plain-rust's output");
        assert_eq!(reader.headers().expect("header"), vec!["user", "slot", "age_days"]);
        let mut found: Vec<(String, u8, i64)> = reader
            .records()
            .map(|r| {
                let r = r.expect("record");
                (r[0].to_owned(), r[1].parse().expect("slot"), r[2].parse().expect("age"))
            })
            .collect();
        assert_eq!(printed, found.len().to_string());
        expected.sort();
        found.sort();
        assert_eq!(found, expected, "seed {seed}");

        assert_eq!(run(env!("CARGO_BIN_EXE_csv-floor"), &[path.as_os_str()]), ROWS.to_string());
        let simd = run(env!("CARGO_BIN_EXE_simd-csv-floor"), &[path.as_os_str()]);
        let counts: Vec<&str> = simd.split(' ').collect();
        assert_eq!(counts[..2], [ROWS.to_string(), (ROWS * 22).to_string()]);
        let field_bytes = input.len() as u64 - (ROWS + 1) * 22; // minus 21 commas and a newline per line
        let header_bytes = keyrot_benches::HEADER.len() as u64 - 21;
        assert_eq!(counts[2], (field_bytes - header_bytes).to_string());
        assert_eq!(run(env!("CARGO_BIN_EXE_io-floor"), &[path.as_os_str()]), (ROWS + 1).to_string());

        std::fs::remove_file(&path).ok();
        std::fs::remove_file(&out).ok();
    }
}
