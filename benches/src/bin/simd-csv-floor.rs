//! Comparison floor (benches/compare): the `simd-csv` crate's streaming
//! zero-copy reader splitting every record into its fields (no unescaping),
//! counting records and fields; no judging, no output file.
//!
//! Usage: `simd-csv-floor REPORT`; prints `RECORDS FIELDS BYTES` (after the
//! header; BYTES is the total length of the fields, so every field is
//! visited).

use std::fs::File;

fn run(input: &str) -> Result<(u64, u64, u64), Box<dyn std::error::Error>> {
    let mut reader = simd_csv::ZeroCopyReader::from_reader(File::open(input)?);
    let (mut records, mut fields, mut bytes) = (0u64, 0u64, 0u64);
    while let Some(record) = reader.read_byte_record()? {
        records += 1;
        for field in record.iter() {
            fields += 1;
            bytes += field.len() as u64;
        }
    }
    Ok((records, fields, bytes))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input] = args.as_slice() else {
        eprintln!("usage: simd-csv-floor REPORT");
        std::process::exit(2);
    };
    match run(input) {
        Ok((records, fields, bytes)) => println!("{records} {fields} {bytes}"),
        Err(e) => {
            eprintln!("simd-csv-floor: {e}");
            std::process::exit(2);
        }
    }
}
