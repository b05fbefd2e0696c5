//! Judging: any bytes under a policy taken from the first bytes give an
//! analysis whose counts agree with its findings, or an error.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 4 {
        return;
    }
    let (head, body) = data.split_at(4);
    let mut options = keyrot::Options::at(keyrot::parse_timestamp("2026-11-26T00:00:00Z").expect("a timestamp"));
    options.max_age_days = 1 + u32::from(head[0]) * 14;
    options.warn_days = u32::from(head[1] % 30);
    options.include_inactive = head[2] & 1 == 1;
    options.granularity = if head[2] & 2 == 2 { keyrot::Granularity::WholeDays } else { keyrot::Granularity::Exact };
    options.lenient = head[3] & 1 == 1;
    if let Ok(analysis) = keyrot::analyze(body, &options) {
        let c = &analysis.summary.overall;
        assert_eq!(c.keys as usize, analysis.findings.len());
        assert_eq!(c.pass + c.due_soon + c.fail + c.inactive + c.invalid, c.keys);
        assert_eq!(c.compliant, c.fail == 0 && c.invalid == 0);
        serde_json::to_string(&analysis).expect("an analysis serializes");
    }
});
