//! Comparison floor (benches/compare): streaming the file through a 64 KiB
//! buffer and counting newlines with `memchr`. The cost of reading the bytes
//! at all, below which no tool can go.
//!
//! Usage: `io-floor REPORT`; prints the number of newlines.

use std::fs::File;
use std::io::{self, Read};

fn run(input: &str) -> io::Result<u64> {
    let mut file = File::open(input)?;
    let mut buf = vec![0u8; 1 << 16];
    let mut lines = 0u64;
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => return Ok(lines),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        lines += memchr::memchr_iter(b'\n', &buf[..n]).count() as u64;
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input] = args.as_slice() else {
        eprintln!("usage: io-floor REPORT");
        std::process::exit(2);
    };
    match run(input) {
        Ok(lines) => println!("{lines}"),
        Err(e) => {
            eprintln!("io-floor: {e}");
            std::process::exit(2);
        }
    }
}
