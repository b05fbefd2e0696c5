//! Writes a deterministic synthetic credential report to stdout.
//!
//! Usage: `gen-report ROWS [SEED] [AS_OF_EPOCH_SECONDS]`
//! (defaults: seed 42, as_of 2026-11-26T00:00:00Z).

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |i: usize, default: i64| -> i64 {
        args.get(i).map_or(default, |a| {
            a.parse().unwrap_or_else(|_| {
                eprintln!(
                    "gen-report: `{a}` is not a whole number\nusage: gen-report ROWS [SEED] [AS_OF_EPOCH_SECONDS]"
                );
                std::process::exit(2)
            })
        })
    };
    if args.is_empty() {
        eprintln!("usage: gen-report ROWS [SEED] [AS_OF_EPOCH_SECONDS]");
        std::process::exit(2);
    }
    let spec = keyrot_benches::Spec {
        rows: number(0, 0).max(1) as u64,
        seed: number(1, 42) as u64,
        as_of: number(2, 1_795_651_200),
        account: 111_122_223_333,
    };
    let stdout = std::io::stdout();
    if let Err(e) = keyrot_benches::write_report(&spec, &mut stdout.lock()) {
        eprintln!("gen-report: {e}");
        std::process::exit(1);
    }
}
