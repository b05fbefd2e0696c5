//! Comparison baseline (benches/compare): the whole job in plain Rust, the
//! way a careful programmer would write it in an afternoon with the `csv`
//! crate's `ByteRecord` and `chrono`.
//!
//! Usage: `plain-rust REPORT OUT.csv [AS_OF_RFC3339]` (default as_of
//! 2026-11-26T00:00:00Z). Streams the report, judges every active key (fail
//! when its `access_key_N_last_rotated` is a timestamp and `as_of -
//! last_rotated` exceeds exactly 90 days, to the second), writes the failing
//! keys as `user,slot,age_days` to OUT.csv and prints their number.

use chrono::DateTime;
use std::error::Error;
use std::fs::File;

/// 90 days in seconds: the rule's limit.
const LIMIT: i64 = 90 * 86_400;

fn run(input: &str, output: &str, as_of: &str) -> Result<u64, Box<dyn Error>> {
    let as_of = DateTime::parse_from_rfc3339(as_of)?.timestamp();
    let mut reader = csv::Reader::from_reader(File::open(input)?);
    let headers = reader.byte_headers()?.clone();
    let column =
        |name: &str| headers.iter().position(|h| h == name.as_bytes()).ok_or_else(|| format!("no `{name}` column"));
    let user = column("user")?;
    let slots = [
        (b"1", column("access_key_1_active")?, column("access_key_1_last_rotated")?),
        (b"2", column("access_key_2_active")?, column("access_key_2_last_rotated")?),
    ];
    let mut writer = csv::Writer::from_path(output)?;
    writer.write_record(["user", "slot", "age_days"])?;
    let mut record = csv::ByteRecord::new();
    let mut failing = 0u64;
    while reader.read_byte_record(&mut record)? {
        for (slot, active, rotated) in &slots {
            if &record[*active] != b"true" {
                continue;
            }
            // `N/A` (empty slot), `no_information` and the like are not timestamps.
            let text = std::str::from_utf8(&record[*rotated]).ok();
            let Some(rotated) = text.and_then(|t| DateTime::parse_from_rfc3339(t).ok()) else {
                continue;
            };
            let age = as_of - rotated.timestamp();
            if age > LIMIT {
                let days = age.div_euclid(86_400).to_string();
                writer.write_record([&record[user], &slot[..], days.as_bytes()])?;
                failing += 1;
            }
        }
    }
    writer.flush()?;
    Ok(failing)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 || args.len() > 3 {
        eprintln!("usage: plain-rust REPORT OUT.csv [AS_OF_RFC3339]");
        std::process::exit(2);
    }
    let as_of = args.get(2).map_or("2026-11-26T00:00:00Z", String::as_str);
    match run(&args[0], &args[1], as_of) {
        Ok(failing) => println!("{failing}"),
        Err(e) => {
            eprintln!("plain-rust: {e}");
            std::process::exit(2);
        }
    }
}
