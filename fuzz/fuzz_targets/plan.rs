//! The plan: any report (lenient) gives at most one step per row, and no
//! command ever holds a control character (a newline could add a command).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut options = keyrot::Options::at(keyrot::parse_timestamp("2026-11-26T00:00:00Z").expect("a timestamp"));
    options.lenient = true;
    if let Ok(analysis) = keyrot::analyze(data, &options) {
        let plan = keyrot::plan(&analysis, None);
        assert!(plan.steps.len() as u64 <= analysis.summary.overall.users);
        for step in &plan.steps {
            for line in step.checks.iter().chain(&step.commands) {
                assert!(!line.chars().any(char::is_control), "control character in {line:?}");
                assert!(line.starts_with("aws iam "));
            }
        }
    }
});
