//! Parse, judge and plan throughput on deterministic synthetic reports.
//! Each timed closure checks its count, so a broken parser cannot post a
//! fast number.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use keyrot::read::ParseOptions;
use keyrot::Options;
use std::hint::black_box;

const AS_OF: i64 = 1_795_651_200; // 2026-11-26T00:00:00Z

fn report(rows: u64) -> Vec<u8> {
    let mut buf = Vec::new();
    let spec = keyrot_benches::Spec { rows, seed: 42, as_of: AS_OF, account: 111_122_223_333 };
    keyrot_benches::write_report(&spec, &mut buf).expect("in-memory write");
    buf
}

fn options() -> Options {
    Options::at(keyrot::parse_timestamp("2026-11-26T00:00:00Z").expect("valid"))
}

fn engine(c: &mut Criterion) {
    for rows in [5_000u64, 100_000] {
        let input = report(rows);
        let expected = keyrot::analyze(&input[..], &options()).expect("valid report");
        let keys = expected.findings.len();
        let steps = keyrot::plan(&expected, None).steps.len();

        let mut group = c.benchmark_group("engine");
        group.throughput(Throughput::Bytes(input.len() as u64));
        group.sample_size(20);
        group.bench_with_input(BenchmarkId::new("parse", rows), &input, |b, input| {
            b.iter(|| {
                let reader = keyrot::read::ReportReader::new(black_box(input.as_slice()), &ParseOptions::default())
                    .expect("header");
                let mut n = 0u64;
                for row in reader {
                    row.expect("row");
                    n += 1;
                }
                assert_eq!(n, rows);
            })
        });
        group.bench_with_input(BenchmarkId::new("analyze", rows), &input, |b, input| {
            b.iter(|| {
                let analysis = keyrot::analyze(&black_box(input)[..], &options()).expect("valid");
                assert_eq!(analysis.findings.len(), keys);
            })
        });
        let failing = expected.summary.overall.fail as usize;
        for threads in [1usize, 2] {
            // What `keyrot check --only fail --format csv` does in process:
            // the fast path, the failing keys written as CSV.
            let id =
                BenchmarkId::new(format!("check-csv-{threads}-thread{}", if threads == 1 { "" } else { "s" }), rows);
            group.bench_with_input(id, &input, |b, input| {
                b.iter(|| {
                    let options = options();
                    let writer = keyrot::CsvWriter::default();
                    let (mut out, mut lines) = (Vec::new(), 0usize);
                    let analysis = keyrot::Run::new(&options)
                        .threads(threads)
                        .source("report.csv")
                        .report_with(
                            black_box(input.as_slice()),
                            |batch| {
                                let (mut writer, mut csv, mut n) = (writer.clone(), Vec::new(), 0usize);
                                for f in batch.findings().filter(|f| f.status() == keyrot::Status::Fail) {
                                    writer.row(&mut csv, &f);
                                    n += 1;
                                }
                                (csv, n)
                            },
                            |_, (csv, n)| -> Result<(), keyrot::Error> {
                                out.extend_from_slice(&csv);
                                lines += n;
                                Ok(())
                            },
                        )
                        .expect("valid");
                    assert_eq!(lines, failing);
                    assert_eq!(analysis.summary.overall.fail as usize, failing);
                    black_box(out);
                })
            });
        }
        group.bench_with_input(BenchmarkId::new("plan", rows), &expected, |b, analysis| {
            b.iter(|| {
                let plan = keyrot::plan(black_box(analysis), None);
                assert_eq!(plan.steps.len(), steps);
            })
        });
        group.finish();
    }
}

criterion_group!(benches, engine);
criterion_main!(benches);
