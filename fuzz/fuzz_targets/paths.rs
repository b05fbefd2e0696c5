//! The two decodings of a file: the fast path (`Run`, chunks of any size,
//! judged on one or two threads) and the typed path (`ReportReader`'s rows
//! and `Analyzer::judge`) give the same analysis, or the same error, for any
//! bytes, whatever SIMD level the fast path's structural scan uses.
#![no_main]

use libfuzzer_sys::fuzz_target;

fn typed(body: &[u8], options: &keyrot::Options) -> Result<String, String> {
    let run = || -> Result<keyrot::Analysis, keyrot::Error> {
        let mut reader = keyrot::read::ReportReader::new(body, &options.parse_options())?;
        let mut analyzer = keyrot::read::Analyzer::new(&reader, options)?;
        let mut findings = Vec::new();
        while let Some(row) = reader.read_row()? {
            findings.extend(analyzer.judge(&row));
        }
        Ok(analyzer.finish(findings))
    };
    run().map(|a| serde_json::to_string(&a).expect("serializes")).map_err(|e| format!("{e:?}"))
}

fn fast(
    body: &[u8],
    options: &keyrot::Options,
    chunk: usize,
    threads: usize,
    simd: keyrot::read::Simd,
) -> Result<String, String> {
    let mut findings = Vec::new();
    keyrot::Run::new(options)
        .simd(simd)
        .chunk_bytes(chunk)
        .threads(threads)
        .report(body, |batch| {
            findings.extend(batch.to_findings());
            Ok::<(), keyrot::Error>(())
        })
        .map(|mut a| {
            a.findings = findings;
            serde_json::to_string(&a).expect("serializes")
        })
        .map_err(|e| format!("{e:?}"))
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let (head, body) = data.split_at(3);
    let mut options = keyrot::Options::at(keyrot::parse_timestamp("2026-11-26T00:00:00Z").expect("a timestamp"));
    options.lenient = head[0] & 1 == 1;
    let chunk = 1 + usize::from(head[1]) * 4;
    let threads = 1 + usize::from(head[2] & 1);
    // The structural scan of the fast path at any level this machine has.
    let levels = keyrot::read::Simd::available();
    let simd = levels[usize::from(head[2] >> 1) % levels.len()];
    assert_eq!(fast(body, &options, chunk, threads, simd), typed(body, &options), "{simd}");
});
