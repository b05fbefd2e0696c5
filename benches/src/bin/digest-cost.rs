//! What `input_sha256` costs a run: the core's `Run` over one report held in
//! memory, findings dropped, without and with the digest, alternated, best
//! of each; and SHA-256 alone of the same bytes. Reports timings; asserts
//! nothing.
//!
//! Usage: `digest-cost REPORT [REPEATS]` (default 5 repeats).

use keyrot::{parse_timestamp, Options, Run};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (input, repeats) = match args.as_slice() {
        [input] => (input, 5),
        [input, n] => (input, n.parse().unwrap_or(5)),
        _ => {
            eprintln!("usage: digest-cost REPORT [REPEATS]");
            std::process::exit(2);
        }
    };
    let data = match std::fs::read(input) {
        Ok(data) => data,
        Err(e) => {
            eprintln!("digest-cost: {input}: {e}");
            std::process::exit(2);
        }
    };
    let Some(as_of) = parse_timestamp("2026-11-26T00:00:00Z") else { unreachable!("a valid timestamp") };
    let options = Options::at(as_of);
    let mut best = [f64::MAX; 2];
    for _ in 0..repeats {
        for (i, digest) in [false, true].into_iter().enumerate() {
            let start = Instant::now();
            let judged = Run::new(&options).digest(digest).report(data.as_slice(), |_| Ok::<(), keyrot::Error>(()));
            let seconds = start.elapsed().as_secs_f64();
            if let Err(e) = judged {
                eprintln!("digest-cost: {input}: {e}");
                std::process::exit(2);
            }
            best[i] = best[i].min(seconds);
        }
    }
    let start = Instant::now();
    let _ = keyrot::read::sha256_hex(&data);
    let hash = start.elapsed().as_secs_f64();
    println!(
        "{} MB: run without the digest {:.3} s, with it {:.3} s ({:.2}x); SHA-256 alone {:.3} s",
        data.len() / 1_000_000,
        best[0],
        best[1],
        best[1] / best[0],
        hash
    );
}
