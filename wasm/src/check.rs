//! `checkCsv`'s work, in pure Rust (so it is tested on the host too): one
//! report streamed through the core's [`Run`](keyrot::Run) on the calling thread, the
//! findings asked for written as CSV by the core's [`CsvWriter`] (the bytes
//! `keyrot check --format csv` writes), one judged chunk at a time, and the
//! analysis without its findings.

use crate::options::Judging;
use keyrot::{Analysis, CsvWriter, Error};
use std::io::Read;

/// Reads and judges one report, and hands the CSV of the findings whose
/// status is in `judging.only` (all when it is empty), with the columns of
/// `judging.columns` (all when it is empty), to `sink` in pieces: the header
/// line first, then the rows of each chunk of the input that has some, in
/// input order. Returns the analysis, with every key counted but no
/// finding kept, and the number of rows written.
///
/// An error in the input, or from `sink`, stops the reading: what `sink` was
/// given is then a prefix of the output.
///
/// ```
/// use keyrot_wasm::{check::check_csv, options::CheckCsvOptions};
/// let csv = "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n\
///            alice,arn:aws:iam::111122223333:user/alice,true,2026-01-01T00:00:00Z,true,2026-11-01T00:00:00Z\n";
/// let options: CheckCsvOptions =
///     serde_json::from_str(r#"{"asOf": "2026-11-26T00:00:00Z", "only": "fail", "columns": "user,slot,age_days"}"#).unwrap();
/// let judging = options.judging(None).unwrap();
/// let mut out = Vec::new();
/// let (analysis, rows) = check_csv(csv.as_bytes(), judging, |piece| {
///     out.extend_from_slice(piece);
///     Ok::<(), keyrot::Error>(())
/// })
/// .unwrap();
/// assert_eq!(String::from_utf8(out).unwrap(), "user,slot,age_days\nalice,1,329\n");
/// assert_eq!((rows, analysis.summary.overall.keys, analysis.findings.len()), (1, 2, 0));
/// ```
pub fn check_csv<R: Read, E: From<Error>>(
    input: R,
    judging: Judging,
    mut sink: impl FnMut(&[u8]) -> Result<(), E>,
) -> Result<(Analysis, u64), E> {
    // The core's default: one thread on wasm32, which has no others.
    let run = judging.run().source(&judging.source);
    let only = judging.only;
    // The options check every position; an empty list means all columns.
    let mut writer = CsvWriter::for_checks(judging.columns, &judging.options.checks()).unwrap_or_default();
    let mut out = Vec::new();
    writer.header(&mut out);
    sink(&out)?;
    let mut rows = 0u64;
    let analysis = run.report(input, |batch| {
        out.clear();
        rows += writer.batch(&mut out, &batch, |s| only.is_empty() || only.contains(&s));
        if out.is_empty() {
            Ok(())
        } else {
            sink(&out)
        }
    })?;
    Ok((analysis, rows))
}
