//! Reading the JS options object: camelCase names, JS types, strict about
//! unknown names. Pure Rust, so it is tested on the host too; `lib.rs` turns
//! the JS object into [`OptionValue`]s.

use keyrot::{Error, ErrorCode, Exemptions, KnownKey, Options, ParseOptions, Status, Timestamp};
use serde::de::value::{Error as DeError, StrDeserializer};
use serde::Deserialize;

/// One option's value as JS gave it, reduced to what the options need.
#[derive(Debug, Clone, PartialEq)]
pub enum OptionValue {
    /// `undefined` or `null`: the option is not given (its default applies).
    Missing,
    /// A boolean.
    Bool(bool),
    /// A number (JS numbers are doubles).
    Number(f64),
    /// A string.
    Text(String),
    /// A `Date`, as milliseconds since the Unix epoch (`NaN` for an invalid
    /// date).
    Date(f64),
    /// Bytes (a `Uint8Array` or an `ArrayBuffer`).
    Bytes(Vec<u8>),
    /// An array or a plain object, as JSON data.
    Data(serde_json::Value),
    /// Anything else, described by its JS type (`"function"`, `"bigint"`, …).
    Other(String),
}

impl OptionValue {
    /// The value as it reads in an error message, cut to a sane length.
    fn describe(&self) -> String {
        match self {
            OptionValue::Missing => "null".to_owned(),
            OptionValue::Bool(b) => b.to_string(),
            OptionValue::Number(n) => n.to_string(),
            OptionValue::Text(t) => t.clone(),
            OptionValue::Date(ms) => format!("Date({ms})"),
            OptionValue::Bytes(b) => format!("{} bytes", b.len()),
            OptionValue::Data(v) => if v.is_array() { "an array" } else { "an object" }.to_owned(),
            OptionValue::Other(kind) => format!("a value of type {kind}"),
        }
    }
}

/// The option names of `analyze` and `analyzeMany`: the JS name, then the
/// contract's name (the one `options.json`, Rust, Python and the CLI use).
pub const ANALYZE_OPTIONS: [(&str, &str); 9] = [
    ("asOf", "as_of"),
    ("maxAgeDays", "max_age_days"),
    ("warnDays", "warn_days"),
    ("includeInactive", "include_inactive"),
    ("granularity", "granularity"),
    ("graceDays", "grace_days"),
    ("lenient", "lenient"),
    ("format", "format"),
    ("exemptions", "exemptions"),
];

/// `a` then `b`: the option tables that add to `analyze`'s are built from it.
const fn then<const N: usize, const M: usize, const T: usize>(
    a: [(&'static str, &'static str); N],
    b: [(&'static str, &'static str); M],
) -> [(&'static str, &'static str); T] {
    assert!(N + M == T, "the table's length is the sum of its parts");
    let mut out = [("", ""); T];
    let mut i = 0;
    while i < N {
        out[i] = a[i];
        i += 1;
    }
    while i < T {
        out[i] = b[i - N];
        i += 1;
    }
    out
}

/// The option names of `plan`: those of `analyze` and `accessKeys`.
pub const PLAN_OPTIONS: [(&str, &str); 10] = then(ANALYZE_OPTIONS, [("accessKeys", "access_keys")]);

/// The option names of `diff`: the policy, how to read the inputs, the new
/// report's time (`asOf`) and the old report's (`oldAsOf`).
pub const DIFF_OPTIONS: [(&str, &str); 9] = [
    ("asOf", "as_of"),
    ("oldAsOf", "old_as_of"),
    ("maxAgeDays", "max_age_days"),
    ("warnDays", "warn_days"),
    ("includeInactive", "include_inactive"),
    ("granularity", "granularity"),
    ("graceDays", "grace_days"),
    ("lenient", "lenient"),
    ("format", "format"),
];

/// The option names of `checkCsv`: those of `analyze`, which findings
/// (`only`) and columns (`columns`) to write, the text of the `source`
/// column, and a function to give the CSV to (`write`).
pub const CHECK_CSV_OPTIONS: [(&str, &str); 13] =
    then(ANALYZE_OPTIONS, [("only", "only"), ("columns", "columns"), ("source", "source"), ("write", "write")]);

/// The option names of `parse` (only how to read the input applies).
pub const PARSE_OPTIONS: [(&str, &str); 2] = [("lenient", "lenient"), ("format", "format")];

/// What `analyze`, `analyzeMany` and `plan` take besides the input.
#[derive(Debug, Default)]
pub struct Judging {
    /// The core's options.
    pub options: Options,
    /// The exemptions, when given (`exemptions`: TOML text or a list of
    /// entries).
    pub exemptions: Option<Exemptions>,
    /// The keys `aws iam list-access-keys` listed, when given (`accessKeys`,
    /// `plan` only).
    pub access_keys: Option<Vec<KnownKey>>,
    /// The old report's evaluation time (`oldAsOf`, `diff` only).
    pub old_as_of: Option<Timestamp>,
    /// The statuses of the findings to write (`only`, `checkCsv` only);
    /// empty: every finding.
    pub only: Vec<Status>,
    /// The columns to write, as positions in [`keyrot::CSV_COLUMNS`]
    /// (`columns`, `checkCsv` only); empty: all of them.
    pub columns: Vec<usize>,
    /// The text of the `source` column (`source`, `checkCsv` only); empty
    /// by default.
    pub source: String,
}

/// Builds the core's [`Options`] (and the exemptions) from the options of
/// `analyze` or `analyzeMany`, in the order given. `clock` is the caller's
/// "now", used only when neither `asOf` nor the report's `GeneratedTime` is
/// known.
///
/// Errors: `invalid_as_of` for a bad `asOf`, `invalid_exemptions` for bad
/// exemptions, `invalid_policy` for any other bad value or an unknown name;
/// `column` names the option by its contract (snake_case) name, as the
/// core's own range errors do, or by the name as given when it is unknown.
///
/// ```
/// use keyrot_wasm::options::{analyze_options, OptionValue};
/// let judging = analyze_options(
///     &[("maxAgeDays".into(), OptionValue::Number(30.0)), ("asOf".into(), OptionValue::Text("2026-11-26T00:00:00Z".into()))],
///     None,
/// ).unwrap();
/// assert_eq!(judging.options.max_age_days, 30);
/// assert!(judging.options.as_of.is_some());
/// let err = analyze_options(&[("max_age_days".into(), OptionValue::Number(30.0))], None).unwrap_err();
/// assert_eq!(err.code(), keyrot::ErrorCode::InvalidPolicy);
/// ```
pub fn analyze_options(entries: &[(String, OptionValue)], clock: Option<Timestamp>) -> Result<Judging, Error> {
    judging(entries, clock, &ANALYZE_OPTIONS, "analyze")
}

/// Like [`analyze_options`], for `plan`, which also takes `accessKeys`: the
/// JSON `aws iam list-access-keys` prints (text, bytes or the parsed data).
pub fn plan_options(entries: &[(String, OptionValue)], clock: Option<Timestamp>) -> Result<Judging, Error> {
    judging(entries, clock, &PLAN_OPTIONS, "plan")
}

/// Like [`analyze_options`], for `checkCsv`, which also takes `only` (the
/// statuses to write: an array of names, or a string of them separated by
/// commas as on the command line; `due-soon` is `due_soon`), `columns` (the
/// columns of [`keyrot::CSV_COLUMNS`] to write, in order; an array or a
/// comma-separated string), `source` (the text of the `source` column) and
/// `write` (a function, checked here and taken by the binding).
///
/// ```
/// use keyrot_wasm::options::{check_csv_options, OptionValue};
/// let judging = check_csv_options(
///     &[
///         ("only".into(), OptionValue::Text("fail,due-soon".into())),
///         ("columns".into(), OptionValue::Data(serde_json::json!(["user", "slot", "age_days"]))),
///     ],
///     None,
/// )
/// .unwrap();
/// assert_eq!(judging.only, [keyrot::Status::Fail, keyrot::Status::DueSoon]);
/// assert_eq!(judging.columns, [2, 5, 9]);
/// let err = check_csv_options(&[("only".into(), OptionValue::Text("failed".into()))], None).unwrap_err();
/// assert_eq!((err.column(), err.value()), (Some("only"), Some("failed")));
/// ```
pub fn check_csv_options(entries: &[(String, OptionValue)], clock: Option<Timestamp>) -> Result<Judging, Error> {
    judging(entries, clock, &CHECK_CSV_OPTIONS, "checkCsv")
}

/// Like [`analyze_options`], for `diff`: `asOf` is the new report's time and
/// `oldAsOf` the old one's; exemptions do not apply.
pub fn diff_options(entries: &[(String, OptionValue)], clock: Option<Timestamp>) -> Result<Judging, Error> {
    judging(entries, clock, &DIFF_OPTIONS, "diff")
}

fn judging(
    entries: &[(String, OptionValue)],
    clock: Option<Timestamp>,
    known: &[(&'static str, &'static str)],
    function: &str,
) -> Result<Judging, Error> {
    let mut judging = Judging { options: Options { clock, ..Options::default() }, ..Judging::default() };
    let options = &mut judging.options;
    for (name, value) in entries {
        let contract = contract_name(name, known, function)?;
        if *value == OptionValue::Missing {
            continue;
        }
        match contract {
            "as_of" => options.as_of = Some(as_of(value)?),
            "old_as_of" => judging.old_as_of = Some(as_of(value).map_err(|e| old_as_of_error(&e))?),
            "max_age_days" => options.max_age_days = whole_number(name, contract, value)?,
            "warn_days" => options.warn_days = whole_number(name, contract, value)?,
            "grace_days" => options.grace_days = whole_number(name, contract, value)?,
            "include_inactive" => options.include_inactive = boolean(name, contract, value)?,
            "lenient" => options.lenient = boolean(name, contract, value)?,
            "granularity" => options.granularity = literal(name, contract, value, "`exact` or `whole_days`")?,
            "format" => options.format = literal(name, contract, value, "`auto`, `csv`, `base64` or `cli_json`")?,
            "exemptions" => judging.exemptions = Some(exemptions(value)?),
            "only" => {
                judging.only = names(name, contract, value, ("status", "statuses"), Status::parse, STATUS_NAMES)?;
            }
            "columns" => {
                let known = keyrot::CSV_COLUMNS.join(", ");
                judging.columns = names(name, contract, value, ("column", "columns"), keyrot::csv_column, &known)?;
            }
            "source" => match value {
                OptionValue::Text(text) => judging.source.clone_from(text),
                _ => return Err(bad_type(name, contract, value, "a string")),
            },
            // The function itself is taken by the binding.
            "write" => {
                if *value != OptionValue::Other("function".into()) {
                    return Err(bad_type(name, contract, value, "a function"));
                }
            }
            _ => judging.access_keys = Some(access_keys(value)?),
        }
    }
    Ok(judging)
}

/// The statuses `only` takes, as the error for another name lists them.
const STATUS_NAMES: &str = "fail, invalid, due_soon, pass, inactive";

/// A list of names (`only`, `columns`): an array of strings, or one string
/// of them separated by commas; each is read by `read`. At least one.
/// `(one, many)` name the kind of item; `known` lists the names taken.
fn names<T>(
    name: &str,
    contract: &str,
    value: &OptionValue,
    (one, many): (&str, &str),
    read: impl Fn(&str) -> Option<T>,
    known: &str,
) -> Result<Vec<T>, Error> {
    let wanted = format!("an array of {many} (or one string of them separated by commas)");
    let items: Vec<String> = match value {
        OptionValue::Text(text) => text.split(',').map(str::to_owned).collect(),
        OptionValue::Data(serde_json::Value::Array(items)) => {
            let mut texts = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    serde_json::Value::String(text) => texts.push(text.clone()),
                    _ => return Err(bad_type(name, contract, value, &wanted)),
                }
            }
            texts
        }
        _ => return Err(bad_type(name, contract, value, &wanted)),
    };
    if items.is_empty() {
        return Err(bad_type(name, contract, value, &format!("{wanted}, with at least one")));
    }
    items
        .iter()
        .map(|item| {
            read(item.trim()).ok_or_else(|| {
                Error::new(
                    ErrorCode::InvalidPolicy,
                    format!("`{name}` names an unknown {one} `{item}`; the {many} are {known}"),
                )
                .at_column(contract)
                .with_value(item)
            })
        })
        .collect()
}

/// The same error, naming `old_as_of`.
fn old_as_of_error(err: &Error) -> Error {
    let mut renamed =
        Error::new(err.code(), err.message().replace("`asOf`", "`oldAsOf`").replace("`as_of`", "`old_as_of`"))
            .at_column("old_as_of");
    if let Some(value) = err.value() {
        renamed = renamed.with_value(value);
    }
    renamed
}

fn exemptions(value: &OptionValue) -> Result<Exemptions, Error> {
    match value {
        OptionValue::Text(toml) => Exemptions::from_toml(toml),
        OptionValue::Data(data) if data.is_array() => Exemptions::from_json(data),
        other => {
            let shown = other.describe();
            Err(Error::new(
                ErrorCode::InvalidExemptions,
                format!("`exemptions` must be the TOML text of an exemptions file or a list of entries, not {shown}"),
            )
            .at_column("exemptions")
            .with_value(&shown))
        }
    }
}

fn access_keys(value: &OptionValue) -> Result<Vec<KnownKey>, Error> {
    match value {
        OptionValue::Text(json) => keyrot::read_access_keys(json.as_bytes()),
        OptionValue::Bytes(json) => keyrot::read_access_keys(json),
        OptionValue::Data(data) => keyrot::read_access_keys(data.to_string().as_bytes()),
        other => Err(bad_type(
            "accessKeys",
            "access_keys",
            other,
            "the JSON of `aws iam list-access-keys` (text, bytes or the parsed data)",
        )),
    }
}

/// Builds the core's [`ParseOptions`] from the JS options' entries: only
/// `format` and `lenient` apply to `parse`.
///
/// ```
/// use keyrot_wasm::options::{parse_options, OptionValue};
/// let opts = parse_options(&[("lenient".into(), OptionValue::Bool(true))]).unwrap();
/// assert!(opts.lenient);
/// assert!(parse_options(&[("asOf".into(), OptionValue::Text("2026-11-26T00:00:00Z".into()))]).is_err());
/// ```
pub fn parse_options(entries: &[(String, OptionValue)]) -> Result<ParseOptions, Error> {
    let mut options = ParseOptions::default();
    for (name, value) in entries {
        let contract = contract_name(name, &PARSE_OPTIONS, "parse")?;
        if *value == OptionValue::Missing {
            continue;
        }
        if contract == "lenient" {
            options.lenient = boolean(name, contract, value)?;
        } else {
            options.format = literal(name, contract, value, "`auto`, `csv`, `base64` or `cli_json`")?;
        }
    }
    Ok(options)
}

/// The error for an options argument that is not an object.
pub fn not_an_object(kind: &str) -> Error {
    Error::new(ErrorCode::InvalidPolicy, format!("options must be an object, not {kind}")).with_value(kind)
}

fn contract_name(name: &str, known: &[(&'static str, &'static str)], function: &str) -> Result<&'static str, Error> {
    if let Some((_, contract)) = known.iter().find(|(js, _)| *js == name) {
        return Ok(contract);
    }
    let names: Vec<String> = known.iter().map(|(js, _)| format!("`{js}`")).collect();
    let mut message = format!("unknown option `{name}` for {function}; the options are {}", names.join(", "));
    if let Some((js, _)) = known.iter().find(|(_, contract)| *contract == name) {
        message.push_str(&format!(" (did you mean `{js}`?)"));
    } else if function == "parse" && ANALYZE_OPTIONS.iter().any(|(js, _)| *js == name) {
        message.push_str(" (it applies to analyze only)");
    }
    Err(Error::new(ErrorCode::InvalidPolicy, message).at_column(name))
}

fn bad_type(name: &str, contract: &str, value: &OptionValue, wanted: &str) -> Error {
    let shown = value.describe();
    Error::new(ErrorCode::InvalidPolicy, format!("`{name}` must be {wanted}, not {shown}"))
        .at_column(contract)
        .with_value(&shown)
}

fn as_of(value: &OptionValue) -> Result<Timestamp, Error> {
    match value {
        OptionValue::Text(text) => keyrot::parse_as_of(text),
        OptionValue::Date(ms) => {
            let date = if ms.is_finite() { chrono::DateTime::from_timestamp_millis(*ms as i64) } else { None };
            date.ok_or_else(|| {
                Error::new(ErrorCode::InvalidAsOf, "`asOf` is an invalid Date")
                    .at_column("as_of")
                    .with_value("Invalid Date")
            })
        }
        other => {
            let shown = other.describe();
            Err(Error::new(
                ErrorCode::InvalidAsOf,
                format!("`asOf` must be an RFC 3339 string (like 2026-11-26T00:00:00Z) or a Date, not {shown}"),
            )
            .at_column("as_of")
            .with_value(&shown))
        }
    }
}

fn whole_number(name: &str, contract: &str, value: &OptionValue) -> Result<u32, Error> {
    match value {
        OptionValue::Number(n) if n.fract() == 0.0 && *n >= 0.0 && *n <= f64::from(u32::MAX) => Ok(*n as u32),
        _ => Err(bad_type(name, contract, value, "a whole number of days (0 or more)")),
    }
}

fn boolean(name: &str, contract: &str, value: &OptionValue) -> Result<bool, Error> {
    match value {
        OptionValue::Bool(b) => Ok(*b),
        _ => Err(bad_type(name, contract, value, "true or false")),
    }
}

/// Reads an enum of the core from its contract spelling, so a variant the
/// core adds is accepted without a change here.
fn literal<T: for<'de> Deserialize<'de>>(
    name: &str,
    contract: &str,
    value: &OptionValue,
    wanted: &str,
) -> Result<T, Error> {
    match value {
        OptionValue::Text(text) => {
            T::deserialize(StrDeserializer::<DeError>::new(text)).map_err(|_| bad_type(name, contract, value, wanted))
        }
        _ => Err(bad_type(name, contract, value, wanted)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use keyrot::{Granularity, InputFormat};

    fn entries(list: &[(&str, OptionValue)]) -> Vec<(String, OptionValue)> {
        list.iter().map(|(n, v)| ((*n).to_owned(), v.clone())).collect()
    }

    fn ts(text: &str) -> Timestamp {
        keyrot::parse_timestamp(text).unwrap()
    }

    #[test]
    fn every_option_maps_to_the_core() {
        let opts = analyze_options(
            &entries(&[
                ("asOf", OptionValue::Text("2026-11-26T01:02:03+01:00".into())),
                ("maxAgeDays", OptionValue::Number(30.0)),
                ("warnDays", OptionValue::Number(0.0)),
                ("includeInactive", OptionValue::Bool(true)),
                ("granularity", OptionValue::Text("whole_days".into())),
                ("graceDays", OptionValue::Number(3.0)),
                ("lenient", OptionValue::Bool(true)),
                ("format", OptionValue::Text("cli_json".into())),
            ]),
            Some(ts("2030-01-01T00:00:00Z")),
        )
        .unwrap()
        .options;
        assert_eq!(opts.as_of, Some(ts("2026-11-26T00:02:03Z")));
        assert_eq!(opts.max_age_days, 30);
        assert_eq!(opts.warn_days, 0);
        assert!(opts.include_inactive);
        assert_eq!(opts.granularity, Granularity::WholeDays);
        assert_eq!(opts.grace_days, 3);
        assert!(opts.lenient);
        assert_eq!(opts.format, InputFormat::CliJson);
        assert_eq!(opts.clock, Some(ts("2030-01-01T00:00:00Z")));
    }

    #[test]
    fn no_options_are_the_defaults_plus_the_clock() {
        let now = ts("2030-01-01T00:00:00Z");
        let opts = analyze_options(&[], Some(now)).unwrap().options;
        assert_eq!(opts, Options { clock: Some(now), ..Options::default() });
    }

    #[test]
    fn missing_values_keep_the_default() {
        let opts =
            analyze_options(&entries(&[("asOf", OptionValue::Missing), ("maxAgeDays", OptionValue::Missing)]), None)
                .unwrap()
                .options;
        assert_eq!(opts.as_of, None);
        assert_eq!(opts.max_age_days, 90);
    }

    #[test]
    fn a_date_is_taken_to_the_millisecond() {
        let opts =
            analyze_options(&entries(&[("asOf", OptionValue::Date(1_795_651_200_123.0))]), None).unwrap().options;
        assert_eq!(opts.as_of, Some(ts("2026-11-26T00:00:00.123Z")));
    }

    #[test]
    fn an_invalid_date_is_invalid_as_of() {
        let err = analyze_options(&entries(&[("asOf", OptionValue::Date(f64::NAN))]), None).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidAsOf);
        assert_eq!(err.column(), Some("as_of"));
        assert_eq!(err.value(), Some("Invalid Date"));
    }

    #[test]
    fn a_bad_as_of_string_is_the_cores_error() {
        let err = analyze_options(&entries(&[("asOf", OptionValue::Text("2026-11-26".into()))]), None).unwrap_err();
        assert_eq!(err, keyrot::parse_as_of("2026-11-26").unwrap_err());
    }

    #[test]
    fn as_of_of_another_type_is_invalid_as_of() {
        let err = analyze_options(&entries(&[("asOf", OptionValue::Number(1.0))]), None).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidAsOf);
        assert_eq!(err.value(), Some("1"));
    }

    #[test]
    fn unknown_names_are_errors_and_snake_case_gets_a_hint() {
        let err = analyze_options(&entries(&[("max_age_days", OptionValue::Number(30.0))]), None).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidPolicy);
        assert_eq!(err.column(), Some("max_age_days"));
        assert!(err.message().contains("did you mean `maxAgeDays`?"), "{}", err.message());

        let err = analyze_options(&entries(&[("colour", OptionValue::Missing)]), None).unwrap_err();
        assert_eq!(err.column(), Some("colour"));
        assert!(err.message().starts_with("unknown option `colour`"));
    }

    #[test]
    fn numbers_must_be_whole_and_not_negative() {
        for bad in [OptionValue::Number(1.5), OptionValue::Number(-1.0), OptionValue::Text("90".into())] {
            let err = analyze_options(&entries(&[("maxAgeDays", bad.clone())]), None).unwrap_err();
            assert_eq!(err.code(), ErrorCode::InvalidPolicy, "{bad:?}");
            assert_eq!(err.column(), Some("max_age_days"));
        }
        let err = analyze_options(&entries(&[("warnDays", OptionValue::Number(f64::INFINITY))]), None).unwrap_err();
        assert_eq!(err.value(), Some("inf"));
    }

    #[test]
    fn ranges_are_left_to_the_core() {
        // 0 is a whole number, so the binding takes it; the core rejects it
        // when the policy is validated.
        let opts = analyze_options(&entries(&[("maxAgeDays", OptionValue::Number(0.0))]), None).unwrap().options;
        assert_eq!(opts.max_age_days, 0);
        assert_eq!(opts.policy().validate().unwrap_err().column(), Some("max_age_days"));
    }

    #[test]
    fn booleans_and_enums_are_checked() {
        let err = analyze_options(&entries(&[("lenient", OptionValue::Text("yes".into()))]), None).unwrap_err();
        assert_eq!((err.code(), err.column(), err.value()), (ErrorCode::InvalidPolicy, Some("lenient"), Some("yes")));
        let err = analyze_options(&entries(&[("granularity", OptionValue::Text("days".into()))]), None).unwrap_err();
        assert_eq!(err.column(), Some("granularity"));
        let err = analyze_options(&entries(&[("format", OptionValue::Other("object".into()))]), None).unwrap_err();
        assert_eq!(err.value(), Some("a value of type object"));
    }

    #[test]
    fn parse_takes_only_format_and_lenient() {
        let opts = parse_options(&entries(&[
            ("format", OptionValue::Text("base64".into())),
            ("lenient", OptionValue::Bool(true)),
        ]))
        .unwrap();
        assert_eq!(opts, ParseOptions { format: InputFormat::Base64, lenient: true });
        let err = parse_options(&entries(&[("maxAgeDays", OptionValue::Number(30.0))])).unwrap_err();
        assert!(err.message().contains("applies to analyze only"), "{}", err.message());
    }

    const TOML: &str = "[[exemption]]\naccount = \"*\"\nuser = \"ci\"\nreason = \"vendor\"\nowner = \"sec@example.com\"\nexpires = 2027-01-01\n";

    #[test]
    fn exemptions_come_as_toml_or_as_entries() {
        let judging = analyze_options(&entries(&[("exemptions", OptionValue::Text(TOML.into()))]), None).unwrap();
        assert_eq!(judging.exemptions.unwrap().rules().len(), 1);

        let data = serde_json::json!([
            {"account": "*", "user": "ci", "reason": "vendor", "owner": "sec@example.com", "expires": "2027-01-01"},
            {"account": "*", "user": "x"}
        ]);
        let judging = analyze_options(&entries(&[("exemptions", OptionValue::Data(data))]), None).unwrap();
        let exemptions = judging.exemptions.unwrap();
        assert_eq!(exemptions.rules().len(), 1);
        assert_eq!(exemptions.problems().len(), 1, "an unusable entry is reported, not dropped");

        let err =
            analyze_options(&entries(&[("exemptions", OptionValue::Text("[[exemption".into()))]), None).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidExemptions);
        let err = analyze_options(&entries(&[("exemptions", OptionValue::Number(1.0))]), None).unwrap_err();
        assert_eq!((err.code(), err.column()), (ErrorCode::InvalidExemptions, Some("exemptions")));
    }

    #[test]
    fn access_keys_are_for_plan_only() {
        let json = r#"{"AccessKeyMetadata": [{"UserName": "ci", "AccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Status": "Active", "CreateDate": "2026-01-01T00:00:00Z"}]}"#;
        let judging = plan_options(&entries(&[("accessKeys", OptionValue::Text(json.into()))]), None).unwrap();
        assert_eq!(judging.access_keys.unwrap()[0].access_key_id, "AKIAIOSFODNN7EXAMPLE");
        let data: serde_json::Value = serde_json::from_str(json).unwrap();
        let judging = plan_options(&entries(&[("accessKeys", OptionValue::Data(data))]), None).unwrap();
        assert_eq!(judging.access_keys.unwrap().len(), 1);
        let judging = plan_options(&entries(&[("accessKeys", OptionValue::Bytes(json.as_bytes().to_vec()))]), None);
        assert_eq!(judging.unwrap().access_keys.unwrap()[0].user, "ci");

        let err = analyze_options(&entries(&[("accessKeys", OptionValue::Text(json.into()))]), None).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidPolicy);
        let err = plan_options(&entries(&[("accessKeys", OptionValue::Bool(true))]), None).unwrap_err();
        assert_eq!(err.column(), Some("access_keys"));
    }

    #[test]
    fn check_csv_takes_only_columns_and_source() {
        let judging = check_csv_options(
            &entries(&[
                ("only", OptionValue::Data(serde_json::json!(["fail", "due-soon", "invalid"]))),
                ("columns", OptionValue::Data(serde_json::json!(["line", "user"]))),
                ("source", OptionValue::Text("a.csv".into())),
                ("maxAgeDays", OptionValue::Number(30.0)),
            ]),
            None,
        )
        .unwrap();
        assert_eq!(judging.only, [Status::Fail, Status::DueSoon, Status::Invalid]);
        assert_eq!(judging.columns, [18, 2]);
        assert_eq!(judging.source, "a.csv");
        assert_eq!(judging.options.max_age_days, 30);

        // One string: one name, or several separated by commas.
        let judging = check_csv_options(
            &entries(&[
                ("only", OptionValue::Text("pass".into())),
                ("columns", OptionValue::Text("user, slot".into())),
            ]),
            None,
        )
        .unwrap();
        assert_eq!((judging.only, judging.columns), (vec![Status::Pass], vec![2, 5]));

        // Not given: every status, every column, no source.
        let judging = check_csv_options(&entries(&[("only", OptionValue::Missing)]), None).unwrap();
        assert!(judging.only.is_empty() && judging.columns.is_empty() && judging.source.is_empty());
    }

    #[test]
    fn check_csv_names_are_checked() {
        let err = check_csv_options(&entries(&[("only", OptionValue::Data(serde_json::json!(["fail", "ok"])))]), None)
            .unwrap_err();
        assert_eq!((err.code(), err.column(), err.value()), (ErrorCode::InvalidPolicy, Some("only"), Some("ok")));
        assert!(err.message().contains("unknown status `ok`"), "{}", err.message());
        let err =
            check_csv_options(&entries(&[("columns", OptionValue::Text("user,colour".into()))]), None).unwrap_err();
        assert_eq!((err.column(), err.value()), (Some("columns"), Some("colour")));
        assert!(err.message().contains("the columns are source, account_id"), "{}", err.message());
        for bad in [
            OptionValue::Data(serde_json::json!([])),
            OptionValue::Data(serde_json::json!([1])),
            OptionValue::Data(serde_json::json!({"fail": true})),
            OptionValue::Bool(true),
        ] {
            let err = check_csv_options(&entries(&[("only", bad.clone())]), None).unwrap_err();
            assert_eq!((err.code(), err.column()), (ErrorCode::InvalidPolicy, Some("only")), "{bad:?}");
        }
        let err = check_csv_options(&entries(&[("source", OptionValue::Number(1.0))]), None).unwrap_err();
        assert_eq!(err.column(), Some("source"));
        // `write` is a function (which the binding takes itself).
        assert!(check_csv_options(&entries(&[("write", OptionValue::Other("function".into()))]), None).is_ok());
        let err = check_csv_options(&entries(&[("write", OptionValue::Text("out.csv".into()))]), None).unwrap_err();
        assert_eq!((err.code(), err.column(), err.value()), (ErrorCode::InvalidPolicy, Some("write"), Some("out.csv")));
        // The new names belong to checkCsv only.
        let err = analyze_options(&entries(&[("only", OptionValue::Text("fail".into()))]), None).unwrap_err();
        assert!(err.message().starts_with("unknown option `only` for analyze"), "{}", err.message());
    }

    #[test]
    fn diff_takes_two_times_and_no_exemptions() {
        let judging = diff_options(
            &entries(&[
                ("asOf", OptionValue::Text("2026-11-26T00:00:00Z".into())),
                ("oldAsOf", OptionValue::Text("2026-11-25T00:00:00Z".into())),
            ]),
            None,
        )
        .unwrap();
        assert_eq!(judging.options.as_of, Some(ts("2026-11-26T00:00:00Z")));
        assert_eq!(judging.old_as_of, Some(ts("2026-11-25T00:00:00Z")));
        let err = diff_options(&entries(&[("oldAsOf", OptionValue::Text("yesterday".into()))]), None).unwrap_err();
        assert_eq!(
            (err.code(), err.column(), err.value()),
            (ErrorCode::InvalidAsOf, Some("old_as_of"), Some("yesterday"))
        );
        let err = diff_options(&entries(&[("exemptions", OptionValue::Text(TOML.into()))]), None).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidPolicy);
    }
}
