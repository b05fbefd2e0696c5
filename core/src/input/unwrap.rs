//! Recognising the form of the input: CSV, base64 of a CSV, or the JSON that
//! the AWS CLI (or a saved boto3 response) prints around it.

use crate::error::{Error, ErrorCode};
use crate::input::limits::{json_depth_exceeds, Limits};
use crate::input::value::{parse_timestamp, Timestamp};
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use std::io::{self, BufRead, BufReader, Read};

/// The form of the input.
///
/// ```
/// use keyrot::{InputFormat};
/// use keyrot::read::ParseOptions;
/// let csv = b"user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n";
/// let report = keyrot::read::parse(&csv[..], &ParseOptions::default()).unwrap();
/// assert_eq!(report.input_format, InputFormat::Csv);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum InputFormat {
    /// Detect the form from the first bytes (the default).
    #[default]
    Auto,
    /// The CSV text of the report.
    Csv,
    /// Base64 of the CSV, as `aws iam get-credential-report --query Content
    /// --output text` prints it; line breaks and spaces are ignored.
    Base64,
    /// A JSON object with `Content` (base64, or the CSV itself as in a saved
    /// boto3 response), and optionally `ReportFormat` and `GeneratedTime`,
    /// at the top level or under `data`.
    CliJson,
}

impl InputFormat {
    /// Every input format, `auto` (the default) first.
    pub const ALL: [InputFormat; 4] = [InputFormat::Auto, InputFormat::Csv, InputFormat::Base64, InputFormat::CliJson];
}

crate::error::codes!(InputFormat, "input format", "input formats" {
    Auto => "auto",
    Csv => "csv",
    Base64 => "base64",
    CliJson => "cli_json",
});

/// How far into the input detection looks.
const PEEK: usize = 64 * 1024;

/// The CSV byte stream after unwrapping, with what the wrapper told.
pub(crate) struct Unwrapped<'a> {
    pub reader: Box<dyn BufRead + 'a>,
    pub format: InputFormat,
    pub generated_time: Option<Timestamp>,
}

/// Detects (or takes) the form, and returns a reader of the CSV bytes with a
/// leading UTF-8 BOM removed.
pub(crate) fn unwrap<'a, R: Read + 'a>(input: R, format: InputFormat, limits: &Limits) -> Result<Unwrapped<'a>, Error> {
    let mut buf = BufReader::with_capacity(PEEK, input);
    let format = match format {
        InputFormat::Auto => detect(&mut buf)?,
        other => other,
    };
    match format {
        InputFormat::Csv | InputFormat::Auto => {
            let mut reader: Box<dyn BufRead + 'a> = Box::new(buf);
            skip_bom(&mut reader)?;
            Ok(Unwrapped { reader, format: InputFormat::Csv, generated_time: None })
        }
        InputFormat::Base64 => {
            let decoder = base64::read::DecoderReader::new(
                SkipWhitespace { inner: buf },
                &base64::engine::general_purpose::STANDARD,
            );
            let mut reader: Box<dyn BufRead + 'a> = Box::new(BufReader::with_capacity(PEEK, Base64Errors(decoder)));
            skip_bom(&mut reader)?;
            Ok(Unwrapped { reader, format: InputFormat::Base64, generated_time: None })
        }
        InputFormat::CliJson => {
            let mut text = Vec::new();
            buf.take(limits.max_json_bytes.saturating_add(1)).read_to_end(&mut text).map_err(|e| Error::io(&e))?;
            if text.len() as u64 > limits.max_json_bytes {
                return Err(Error::new(
                    ErrorCode::LimitExceeded,
                    format!(
                        "the JSON wrapper is larger than {} bytes, far more than any credential report",
                        limits.max_json_bytes
                    ),
                ));
            }
            if json_depth_exceeds(&text, limits.max_json_depth) {
                return Err(Error::new(
                    ErrorCode::LimitExceeded,
                    format!(
                        "the JSON wrapper nests deeper than {} levels; the AWS CLI's output has one",
                        limits.max_json_depth
                    ),
                ));
            }
            let (csv, generated_time) = unwrap_json(&text)?;
            let mut reader: Box<dyn BufRead + 'a> = Box::new(io::Cursor::new(csv));
            skip_bom(&mut reader)?;
            Ok(Unwrapped { reader, format: InputFormat::CliJson, generated_time })
        }
    }
}

/// What a file that is not text is, by its first bytes, and what to do:
/// a spreadsheet, an archive or a document given for the report.
fn binary_kind(head: &[u8]) -> Option<&'static str> {
    let kinds: [(&[u8], &str); 5] = [
        (b"PK\x03\x04", "a ZIP archive (an Excel .xlsx or another Office file is one): export the credential report as CSV, or unzip it"),
        (b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "an old Excel (.xls) or Office file: export the credential report as CSV"),
        (b"%PDF-", "a PDF document: keyrot reads the credential report's CSV, as `aws iam get-credential-report` or the IAM console gives it"),
        (b"\x1F\x8B", "gzip-compressed: decompress it first (`gunzip`)"),
        (b"\x89PNG", "a PNG image, not a report"),
    ];
    kinds.iter().find(|(magic, _)| head.starts_with(magic)).map(|(_, what)| *what)
}

fn detect<R: Read>(buf: &mut BufReader<R>) -> Result<InputFormat, Error> {
    let head = buf.fill_buf().map_err(|e| Error::io(&e))?;
    if let Some(what) = binary_kind(head) {
        return Err(Error::new(ErrorCode::NotText, format!("this is {what}")).at_line(1));
    }
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let start = head.iter().position(|b| !b.is_ascii_whitespace());
    let Some(start) = start else {
        // Empty or white space only: let the CSV stage say so.
        return Ok(InputFormat::Csv);
    };
    let head = &head[start..];
    if head[0] == b'{' {
        return Ok(InputFormat::CliJson);
    }
    let first_line = head.split(|&b| b == b'\n').next().unwrap_or(head);
    let first_line = first_line.strip_suffix(b"\r").unwrap_or(first_line);
    let looks_base64 = first_line.len() >= 8
        && first_line
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b' ' | b'\t' | b'\r'));
    Ok(if looks_base64 { InputFormat::Base64 } else { InputFormat::Csv })
}

fn skip_bom(reader: &mut dyn BufRead) -> Result<(), Error> {
    let head = reader.fill_buf().map_err(|e| map_io(&e))?;
    if head.starts_with(b"\xEF\xBB\xBF") {
        reader.consume(3);
    }
    Ok(())
}

/// Turns an I/O error from the reader chain into the right [`Error`]: a
/// base64 decoding failure is `invalid_base64`, anything else `io`.
pub(crate) fn map_io(err: &io::Error) -> Error {
    if let Some(inner) = err.get_ref() {
        if let Some(b) = inner.downcast_ref::<Base64Failure>() {
            return Error::new(ErrorCode::InvalidBase64, format!("the input is not valid base64: {}", b.0));
        }
    }
    Error::io(err)
}

#[derive(Debug)]
struct Base64Failure(String);

impl std::fmt::Display for Base64Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Base64Failure {}

/// Tags the decoder's errors so they are reported as `invalid_base64`.
struct Base64Errors<R>(R);

impl<R: Read> Read for Base64Errors<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        self.0.read(out).map_err(|e| {
            if e.kind() == io::ErrorKind::InvalidData {
                io::Error::new(io::ErrorKind::InvalidData, Base64Failure(e.to_string()))
            } else {
                e
            }
        })
    }
}

/// Drops ASCII white space, so wrapped base64 (76 columns, CRLF, a final
/// newline) decodes as one stream.
struct SkipWhitespace<R> {
    inner: R,
}

impl<R: BufRead> Read for SkipWhitespace<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        loop {
            let chunk = self.inner.fill_buf()?;
            if chunk.is_empty() || out.is_empty() {
                return Ok(0);
            }
            let mut written = 0;
            let mut used = 0;
            for &b in chunk {
                if written == out.len() {
                    break;
                }
                used += 1;
                if !b.is_ascii_whitespace() {
                    out[written] = b;
                    written += 1;
                }
            }
            self.inner.consume(used);
            if written > 0 {
                return Ok(written);
            }
        }
    }
}

fn json_error(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::InvalidJson, message)
}

/// Unwraps the CLI JSON (or a saved boto3 response), returning the CSV bytes
/// and `GeneratedTime`.
fn unwrap_json(text: &[u8]) -> Result<(Vec<u8>, Option<Timestamp>), Error> {
    let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
    let value: serde_json::Value = serde_json::from_slice(text).map_err(|e| {
        let err = json_error(format!("the input looks like JSON but is not valid JSON: {e}"));
        if e.line() > 0 {
            err.at_line(e.line() as u64)
        } else {
            err
        }
    })?;
    let object = match value.get("Content") {
        Some(_) => &value,
        None => match value.get("data") {
            Some(data) if data.get("Content").is_some() => data,
            _ => {
                return Err(json_error(
                    "the JSON has no `Content` field: expected the output of `aws iam get-credential-report`",
                ))
            }
        },
    };
    let content = object
        .get("Content")
        .and_then(|c| c.as_str())
        .ok_or_else(|| json_error("`Content` is not a string").at_column("Content"))?;
    if let Some(format) = object.get("ReportFormat") {
        if format.as_str() != Some("text/csv") {
            return Err(json_error("`ReportFormat` is not `text/csv`")
                .at_column("ReportFormat")
                .with_value(&format.to_string()));
        }
    }
    let generated_time = match object.get("GeneratedTime") {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) => Some(parse_timestamp(s).ok_or_else(|| {
            json_error(format!("`GeneratedTime` is not a timestamp: `{}`", crate::error::shorten(s)))
                .at_column("GeneratedTime")
                .with_value(s)
        })?),
        Some(obj @ serde_json::Value::Object(_)) => Some(split_datetime(obj).ok_or_else(|| {
            json_error("`GeneratedTime` is not a valid date").at_column("GeneratedTime").with_value(&obj.to_string())
        })?),
        Some(other) => {
            return Err(json_error("`GeneratedTime` is not a timestamp")
                .at_column("GeneratedTime")
                .with_value(&other.to_string()))
        }
    };
    // A saved boto3 response holds the CSV itself; the CLI holds base64.
    let csv = if content.contains(',') || content.is_empty() {
        content.as_bytes().to_vec()
    } else {
        let compact: Vec<u8> = content.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
        base64::engine::general_purpose::STANDARD.decode(&compact).map_err(|e| {
            Error::new(ErrorCode::InvalidBase64, format!("`Content` is not valid base64: {e}")).at_column("Content")
        })?
    };
    Ok((csv, generated_time))
}

/// A datetime saved field by field (`{"year": 2018, "month": 12, …}`), as
/// recording tools store boto3's `datetime`.
fn split_datetime(obj: &serde_json::Value) -> Option<Timestamp> {
    let part = |name: &str| obj.get(name).and_then(serde_json::Value::as_u64);
    let date = chrono::NaiveDate::from_ymd_opt(
        i32::try_from(part("year")?).ok()?,
        part("month")? as u32,
        part("day")? as u32,
    )?;
    let micros = part("microsecond").unwrap_or(0) as u32;
    let time = date.and_hms_micro_opt(
        part("hour").unwrap_or(0) as u32,
        part("minute").unwrap_or(0) as u32,
        part("second").unwrap_or(0) as u32,
        micros,
    )?;
    Some(time.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(u: Unwrapped<'_>) -> Vec<u8> {
        let mut out = Vec::new();
        let mut r = u.reader;
        r.read_to_end(&mut out).unwrap();
        out
    }

    #[test]
    fn detects_each_form() {
        let csv = b"user,arn\nx,y\n".to_vec();
        let u = unwrap(io::Cursor::new(csv.clone()), InputFormat::Auto, &Limits::default()).unwrap();
        assert_eq!(u.format, InputFormat::Csv);
        assert_eq!(read_all(u), csv);

        let b64 = base64::engine::general_purpose::STANDARD.encode(&csv);
        let wrapped = format!("{}\n{}\n", &b64[..8], &b64[8..]);
        let u = unwrap(io::Cursor::new(wrapped.into_bytes()), InputFormat::Auto, &Limits::default()).unwrap();
        assert_eq!(u.format, InputFormat::Base64);
        assert_eq!(read_all(u), csv);

        let json =
            format!(r#"{{"Content": "{b64}", "ReportFormat": "text/csv", "GeneratedTime": "2015-02-02T20:02:02Z"}}"#);
        let u = unwrap(io::Cursor::new(json.into_bytes()), InputFormat::Auto, &Limits::default()).unwrap();
        assert_eq!(u.format, InputFormat::CliJson);
        assert_eq!(u.generated_time, parse_timestamp("2015-02-02T20:02:02Z"));
        assert_eq!(read_all(u), csv);
    }

    #[test]
    fn spreadsheets_archives_and_documents_are_named() {
        for (head, word) in [(&b"PK\x03\x04rest"[..], "Excel"), (b"%PDF-1.7\n", "PDF"), (b"\x1F\x8B\x08", "gzip")] {
            let err = unwrap(io::Cursor::new(head.to_vec()), InputFormat::Auto, &Limits::default()).err().unwrap();
            assert_eq!(err.code(), ErrorCode::NotText);
            assert!(err.message().contains(word), "{}", err.message());
        }
    }

    #[test]
    fn bad_base64_is_invalid_base64() {
        // The error surfaces when the first bytes are decoded.
        let err = unwrap(io::Cursor::new(b"dXNlcixhcm4K!!!!".to_vec()), InputFormat::Base64, &Limits::default())
            .err()
            .unwrap();
        assert_eq!(err.code(), ErrorCode::InvalidBase64);
    }

    #[test]
    fn json_without_content_is_invalid_json() {
        let err =
            unwrap(io::Cursor::new(br#"{"Foo": 1}"#.to_vec()), InputFormat::Auto, &Limits::default()).err().unwrap();
        assert_eq!(err.code(), ErrorCode::InvalidJson);
        let err =
            unwrap(io::Cursor::new(br#"{"Content": "#.to_vec()), InputFormat::Auto, &Limits::default()).err().unwrap();
        assert_eq!(err.code(), ErrorCode::InvalidJson);
    }
}
