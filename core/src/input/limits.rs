//! Limits on what a report may hold, set far above anything AWS writes, so
//! that a crafted file cannot exhaust memory. A file over a limit is refused
//! with `limit_exceeded`, naming where and which limit.

use serde::{Deserialize, Serialize};

/// The bounds the reader enforces while it reads, before it buffers more.
///
/// IAM user names are at most 128 characters and a report has 22 columns,
/// so the defaults leave a wide margin; concatenated reports of millions of
/// rows are fine, since no limit counts rows.
///
/// ```
/// use keyrot::read::ParseOptions; use keyrot::read::{Limits, ReportReader};
/// let limits = Limits { max_field_bytes: 32, ..Limits::default() };
/// let csv = "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n\
///            a-user-name-that-is-longer-than-thirty-two-bytes,arn,false,N/A,false,N/A\n";
/// let mut reader = ReportReader::with_limits(csv.as_bytes(), &ParseOptions::default(), &limits).unwrap();
/// let err = reader.read_row().unwrap_err();
/// assert_eq!(err.code(), keyrot::ErrorCode::LimitExceeded);
/// assert_eq!(err.line(), Some(2));
/// assert_eq!(err.column(), Some("user"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// The longest field, in bytes (default 64 KiB).
    pub max_field_bytes: usize,
    /// The most fields in one row (default 1,024).
    pub max_fields: usize,
    /// The longest row, in bytes (default 1 MiB). The reader refuses a
    /// longer row before the parser buffers it, so a huge field costs at
    /// most a few times this much memory.
    pub max_row_bytes: usize,
    /// The largest JSON wrapper, in bytes (default 256 MiB: one account's
    /// report is about 1.2 MB).
    pub max_json_bytes: u64,
    /// The deepest nesting of arrays and objects in a JSON wrapper
    /// (default 16; the AWS CLI's output has 1).
    pub max_json_depth: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_field_bytes: 64 * 1024,
            max_fields: 1024,
            max_row_bytes: 1 << 20,
            max_json_bytes: 256 << 20,
            max_json_depth: 16,
        }
    }
}

/// The nesting depth of a JSON text (arrays and objects), ignoring brackets
/// inside strings; stops counting once `max` is passed.
pub(crate) fn json_depth_exceeds(text: &[u8], max: usize) -> bool {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for &b in text {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > max {
                    return true;
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_depth_ignores_brackets_in_strings() {
        assert!(!json_depth_exceeds(br#"{"Content": "[[[[[[[[[[[[[[[[[[[[", "a": {"b": 1}}"#, 2));
        assert!(json_depth_exceeds(br#"{"a": {"b": {"c": 1}}}"#, 2));
        assert!(!json_depth_exceeds(br#"{"a": "\"{{{{"}"#, 1));
    }
}
