//! Typed rows over the [`Scanner`]: [`ReportReader`] reads a report row by
//! row, and [`parse`] collects it into a [`Report`].

use crate::error::Error;
use crate::input::anomaly::Anomaly;
use crate::input::limits::Limits;
use crate::input::report::{build_row, Header, Layout, ParseOptions, Preamble, Row};
use crate::input::scan::{Scanner, CHUNK_BYTES};
use crate::input::simd::Simd;
use crate::input::unwrap::InputFormat;
use crate::input::value::{ser_opt_ts, Timestamp};
use serde::Serialize;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Reads a report row by row as typed [`Row`]s, in memory that does not grow
/// with the number of rows: the records of a [`Scanner`], decoded. This is
/// the typed path; [`parse`](crate::read::parse) collects it, and
/// [`Run`](crate::Run) judges the same records faster, from their bytes.
///
/// ```
/// let csv = "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n\
///            alice,arn:aws:iam::111122223333:user/alice,true,2026-01-01T00:00:00Z,false,N/A\n";
/// let mut reader = keyrot::read::ReportReader::new(csv.as_bytes(), &Default::default()).unwrap();
/// let row = reader.next().unwrap().unwrap();
/// assert_eq!(row.user, "alice");
/// assert_eq!(row.account_id, "111122223333");
/// assert!(reader.next().is_none());
/// ```
pub struct ReportReader<'a> {
    scanner: Scanner<'a>,
    header: Header,
    lenient: bool,
    done: bool,
}

impl std::fmt::Debug for ReportReader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReportReader").field("scanner", &self.scanner).finish_non_exhaustive()
    }
}

impl<'a> ReportReader<'a> {
    /// Detects the form of the input, unwraps it, and reads and checks the
    /// header. Fails with `empty_input`, `missing_header`,
    /// `missing_columns`, `duplicate_column`, `invalid_base64`,
    /// `invalid_json` or `invalid_utf8`.
    pub fn new<R: Read + 'a>(input: R, options: &ParseOptions) -> Result<ReportReader<'a>, Error> {
        ReportReader::with_limits(input, options, &Limits::default())
    }

    /// Like [`new`](ReportReader::new), with other [`Limits`] than the
    /// defaults. Input over a limit fails with `limit_exceeded`.
    pub fn with_limits<R: Read + 'a>(
        input: R,
        options: &ParseOptions,
        limits: &Limits,
    ) -> Result<ReportReader<'a>, Error> {
        ReportReader::from_scanner(Scanner::with_limits(input, options, limits)?)
    }

    /// Like [`with_limits`](ReportReader::with_limits), with the structural
    /// scan's instructions set to `simd` (see
    /// [`Scanner::with_simd`]); the rows do not depend on it.
    pub fn with_simd<R: Read + 'a>(
        input: R,
        options: &ParseOptions,
        limits: &Limits,
        simd: Simd,
    ) -> Result<ReportReader<'a>, Error> {
        ReportReader::from_scanner(Scanner::with_simd(input, options, limits, CHUNK_BYTES, simd)?)
    }

    /// Reads the rows `scanner` has not handed out yet.
    pub fn from_scanner(scanner: Scanner<'a>) -> Result<ReportReader<'a>, Error> {
        let header = scanner.preamble().header.clone();
        let lenient = scanner.lenient();
        Ok(ReportReader { scanner, header, lenient, done: false })
    }

    /// The column names as read (trimmed, lowercased), in input order.
    pub fn columns(&self) -> &[String] {
        self.scanner.columns()
    }

    pub(crate) fn preamble(&self) -> &Preamble {
        self.scanner.preamble()
    }

    /// The layout of the header.
    pub fn layout(&self) -> Layout {
        self.scanner.layout()
    }

    /// The form the input was in (never `Auto`).
    pub fn input_format(&self) -> InputFormat {
        self.scanner.input_format()
    }

    /// `GeneratedTime` from the JSON wrapper, when the input carried one.
    pub fn generated_time(&self) -> Option<Timestamp> {
        self.scanner.generated_time()
    }

    /// The anomalies of the header (`unknown_column`, `legacy_layout`,
    /// `missing_column`). Row problems in lenient mode are in each
    /// [`Row::problems`].
    pub fn header_anomalies(&self) -> &[Anomaly] {
        self.scanner.header_anomalies()
    }

    /// Reads the next row. `Ok(None)` at the end. In strict mode the first
    /// row-level problem is returned as an error and reading stops.
    pub fn read_row(&mut self) -> Result<Option<Row>, Error> {
        if self.done {
            return Ok(None);
        }
        let result = match self.scanner.next_record() {
            Ok(Some(record)) => build_row(&record, &self.header, self.lenient).map(Some),
            other => other.map(|_| None),
        };
        if !matches!(result, Ok(Some(_))) {
            self.done = true;
        }
        result
    }
}

impl Iterator for ReportReader<'_> {
    type Item = Result<Row, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        self.read_row().transpose()
    }
}

/// A whole report read into memory: the rows in input order and what the
/// input said about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Report {
    /// The form the input was in.
    pub input_format: InputFormat,
    /// The header's layout.
    pub layout: Layout,
    /// The column names as read (trimmed, lowercased), in input order.
    pub columns: Vec<String>,
    /// `GeneratedTime` from the JSON wrapper, when the input carried one.
    #[serde(serialize_with = "ser_opt_ts")]
    #[cfg_attr(feature = "ts", ts(type = "Timestamp | null"))]
    pub generated_time: Option<Timestamp>,
    /// The rows, in input order.
    pub rows: Vec<Row>,
    /// Header anomalies, then one `row_error` per row problem (lenient mode).
    pub anomalies: Vec<Anomaly>,
}

/// Reads a whole report from any reader. See [`ReportReader`] for the
/// streaming path.
///
/// ```
/// let csv = "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n\
///            <root_account>,arn:aws:iam::111122223333:root,false,N/A,false,N/A\n";
/// let report = keyrot::read::parse(csv.as_bytes(), &Default::default()).unwrap();
/// assert!(report.rows[0].is_root);
/// ```
pub fn parse<R: Read>(input: R, options: &ParseOptions) -> Result<Report, Error> {
    parse_reader(ReportReader::new(input, options)?)
}

/// Reads the rest of `reader` into a [`Report`], as [`parse`] does: for a
/// reader made with other limits or another [`Simd`] level.
///
/// ```
/// use keyrot::read::{parse_reader, Limits, ReportReader, Simd};
/// let csv = "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n\
///            bob,arn:aws:iam::111122223333:user/bob,false,N/A,false,N/A\n";
/// let reader = ReportReader::with_simd(csv.as_bytes(), &Default::default(), &Limits::default(), Simd::Portable)?;
/// assert_eq!(parse_reader(reader)?.rows[0].user, "bob");
/// # Ok::<(), keyrot::Error>(())
/// ```
pub fn parse_reader(mut reader: ReportReader<'_>) -> Result<Report, Error> {
    let mut rows = Vec::new();
    let mut anomalies = reader.header_anomalies().to_vec();
    while let Some(row) = reader.read_row()? {
        anomalies.extend(row.problems.iter().map(Anomaly::row_error));
        rows.push(row);
    }
    let (input_format, layout, generated_time) = (reader.input_format(), reader.layout(), reader.generated_time());
    Ok(Report { input_format, layout, columns: reader.header.names, generated_time, rows, anomalies })
}

/// Opens a report file, refusing a folder (`ErrorKind::IsADirectory`: "is
/// a directory, not a report"), as the bindings open the paths given.
///
/// ```
/// let err = keyrot::read::open_report(&std::env::temp_dir()).unwrap_err();
/// assert_eq!(err.kind(), std::io::ErrorKind::IsADirectory);
/// ```
pub fn open_report(path: &Path) -> std::io::Result<std::fs::File> {
    let file = std::fs::File::open(path)?;
    match file.metadata() {
        Ok(meta) if meta.is_dir() => {
            Err(std::io::Error::new(std::io::ErrorKind::IsADirectory, "is a directory, not a report"))
        }
        _ => Ok(file),
    }
}

/// The reports of a folder, as every interface takes a folder: the regular
/// files in it (not in its subfolders), hidden ones (a name starting with
/// `.`) left out, sorted by name. A folder with none gives an empty list.
///
/// ```
/// let folder = std::env::temp_dir().join(format!("keyrot-reports-in-{}", std::process::id()));
/// std::fs::create_dir_all(folder.join("old")).unwrap();
/// for name in ["b.csv", "a.csv", ".hidden.csv", "old/c.csv"] {
///     std::fs::write(folder.join(name), "").unwrap();
/// }
/// let found = keyrot::read::reports_in(&folder).unwrap();
/// assert_eq!(found, [folder.join("a.csv"), folder.join("b.csv")]);
/// # std::fs::remove_dir_all(&folder).unwrap();
/// ```
pub fn reports_in(folder: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(folder)? {
        let entry = entry?;
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        if !hidden && entry.path().is_file() {
            files.push(entry.path());
        }
    }
    files.sort();
    Ok(files)
}
