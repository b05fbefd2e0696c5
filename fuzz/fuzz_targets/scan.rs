//! The structural scan against csv-core: for any bytes, at every SIMD level
//! this machine has and any chunk size, the `Scanner` finds the records,
//! fields and lines that csv-core's tokenizer finds in the same text (its
//! line endings read as `\n`, as keyrot reads them), and fails where it
//! fails: a quoted field still open at the end, a row over the field
//! limits. The batches judged from the same bytes (`Run`) are the same at
//! every level too.
//!
//! The first byte chooses the chunk size and whether the bytes follow a
//! report's header (most inputs) or are the whole text, header included.
#![no_main]

use keyrot::read::{Limits, ParseOptions, Scanner, Simd, COLUMNS};
use keyrot::{ErrorCode, InputFormat};
use libfuzzer_sys::fuzz_target;

/// Appended after the text: its own record when the text ends outside
/// quotes, the end of the last field when it ends inside them.
const END: &[u8] = b"\x01keyrot-scan-end\x02";

/// Small enough that fuzzed rows reach them, large enough for a header.
fn limits() -> Limits {
    Limits { max_fields: 40, max_field_bytes: 200, ..Limits::default() }
}

type Records = Vec<(u64, Vec<Vec<u8>>)>;

/// What the scan must find: the records (not blank lines or lines of
/// spaces) with their lines, and the failure (code and line) if any.
fn reference(text: &[u8], limits: &Limits) -> (Records, Option<(ErrorCode, Option<u64>)>) {
    let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
    // `\r\n`, `\n` and a lone `\r` each end a line, inside quotes too.
    let mut norm = Vec::with_capacity(text.len() + END.len() + 1);
    let mut i = 0;
    while i < text.len() {
        if text[i] == b'\r' {
            norm.push(b'\n');
            if text.get(i + 1) == Some(&b'\n') {
                i += 1;
            }
        } else {
            norm.push(text[i]);
        }
        i += 1;
    }
    norm.push(b'\n');
    norm.extend_from_slice(END);
    let mut reader = csv_core::Reader::new();
    let mut out = vec![0u8; norm.len() + 1];
    let mut ends = vec![0usize; norm.len() + 2];
    let (mut pos, mut written, mut ended, mut records) = (0, 0, 0, Vec::new());
    // The line the record being read starts on (csv-core skips the line
    // endings before it).
    let mut line = None;
    loop {
        let start = pos + norm[pos..].iter().take_while(|&&b| b == b'\n').count();
        let at = *line.get_or_insert_with(|| 1 + norm[..start].iter().filter(|&&b| b == b'\n').count() as u64);
        // The whole text at once, then nothing: the end of the input.
        let (result, read, w, n) = reader.read_record(&norm[pos..], &mut out[written..], &mut ends[ended..]);
        (pos, written, ended) = (pos + read, written + w, ended + n);
        match result {
            csv_core::ReadRecordResult::Record => {
                // Each end is an offset into the record's whole output.
                let mut fields = Vec::with_capacity(ended);
                let mut from = 0;
                for &end in &ends[..ended] {
                    fields.push(out[from..end].to_vec());
                    from = end;
                }
                records.push((at, fields));
                (written, ended, line) = (0, 0, None);
            }
            csv_core::ReadRecordResult::End => break,
            csv_core::ReadRecordResult::InputEmpty => {}
            csv_core::ReadRecordResult::OutputFull | csv_core::ReadRecordResult::OutputEndsFull => {
                unreachable!("the buffers hold the whole text")
            }
        }
    }
    let mut failure = None;
    match records.last() {
        Some((_, fields)) if fields.len() == 1 && fields[0] == END => {
            records.pop();
        }
        Some((line, fields)) => {
            let mut quoted_end = b"\n".to_vec();
            quoted_end.extend_from_slice(END);
            assert!(fields.last().is_some_and(|f| f.ends_with(&quoted_end)), "the end record is lost");
            failure = Some((ErrorCode::CsvSyntax, Some(*line)));
            records.pop();
        }
        None => unreachable!("the end record is always read"),
    }
    let mut kept = Vec::new();
    for (line, fields) in records {
        if fields.len() <= 1 && fields.iter().flatten().all(u8::is_ascii_whitespace) {
            continue;
        }
        if fields.len() > limits.max_fields || fields.iter().any(|f| f.len() > limits.max_field_bytes) {
            return (kept, Some((ErrorCode::LimitExceeded, Some(line))));
        }
        kept.push((line, fields));
    }
    (kept, failure)
}

/// What the scanner reads, from its header on, or the error that stops it
/// from reading a header.
#[allow(clippy::type_complexity)]
fn scan(
    text: &[u8],
    chunk: usize,
    simd: Simd,
    limits: &Limits,
) -> Result<(Vec<String>, Records, Option<(ErrorCode, Option<u64>)>), (ErrorCode, Option<u64>)> {
    let options = ParseOptions { format: InputFormat::Csv, lenient: false };
    let mut scanner =
        Scanner::with_simd(text, &options, limits, chunk, simd).map_err(|e| (e.code(), e.line()))?;
    assert_eq!(scanner.simd(), simd);
    let columns = scanner.columns().to_vec();
    let mut got = Vec::new();
    let failure = loop {
        match scanner.next_record() {
            Ok(Some(record)) => got.push((record.line(), record.iter().map(<[u8]>::to_vec).collect())),
            Ok(None) => break None,
            Err(e) => break Some((e.code(), e.line())),
        }
    };
    Ok((columns, got, failure))
}

/// The analysis of `text` by batches, as JSON, or the error.
fn judged(text: &[u8], chunk: usize, simd: Simd) -> Result<String, String> {
    let as_of = keyrot::parse_timestamp("2026-11-26T00:00:00Z").expect("a timestamp");
    let options = keyrot::Options::at(as_of);
    let mut findings = Vec::new();
    keyrot::Run::new(&options)
        .simd(simd)
        .chunk_bytes(chunk)
        .threads(1)
        .report(text, |batch| {
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
    let Some((&head, body)) = data.split_first() else { return };
    if body.windows(END.len()).any(|w| w == END) {
        return;
    }
    // Chunks of 1 to 256 bytes: every row is cut from its neighbours, and a
    // quoted field or a `\r\n` falls across a chunk's end.
    let chunk = 1 + usize::from(head & 0x7f) * 2;
    let text = if head & 0x80 == 0 {
        let mut text = COLUMNS.join(",").into_bytes();
        text.push(b'\n');
        text.extend_from_slice(body);
        text
    } else {
        body.to_vec()
    };
    let limits = limits();
    let (expected, failure) = reference(&text, &limits);
    let levels = Simd::available();
    for &simd in &levels {
        match scan(&text, chunk, simd, &limits) {
            Ok((columns, got, error)) => {
                let header = expected.first().expect("a header the reference did not see");
                let names: Vec<String> =
                    header.1.iter().map(|f| String::from_utf8_lossy(f).trim().to_ascii_lowercase()).collect();
                assert_eq!(columns, names, "{simd}: the header");
                assert_eq!(got, expected[1..], "{simd}: the records");
                assert_eq!(error, failure, "{simd}: the failure");
            }
            Err(error) => {
                // A header keyrot refuses (not a report's), or none at all.
                assert!(head & 0x80 != 0 || expected.is_empty(), "{simd}: a report's header refused: {error:?}");
                if expected.is_empty() {
                    assert_eq!(Some(error), failure.or(Some((ErrorCode::EmptyInput, None))), "{simd}");
                }
            }
        }
    }
    let first = judged(&text, chunk, Simd::Portable);
    for &simd in &levels {
        assert_eq!(judged(&text, chunk, simd), first, "{simd}: the judged batches");
    }
});
