//! Comparison floor (benches/compare): the `csv` crate reading every record
//! of a report into a reused `ByteRecord` and counting them; no judging, no
//! output file. What any tool built on the `csv` crate pays at least.
//!
//! Usage: `csv-floor REPORT`; prints the number of records after the header.

use std::fs::File;

fn run(input: &str) -> Result<u64, csv::Error> {
    let mut reader = csv::Reader::from_reader(File::open(input)?);
    let mut record = csv::ByteRecord::new();
    let mut records = 0u64;
    while reader.read_byte_record(&mut record)? {
        records += 1;
    }
    Ok(records)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input] = args.as_slice() else {
        eprintln!("usage: csv-floor REPORT");
        std::process::exit(2);
    };
    match run(input) {
        Ok(records) => println!("{records}"),
        Err(e) => {
            eprintln!("csv-floor: {e}");
            std::process::exit(2);
        }
    }
}
