//! The JS options objects: camelCase names, unknown names refused. serde
//! reads them into these structs (through `serde-wasm-bindgen` in the
//! binding, `serde_json` in the tests on the host), which convert into the
//! core's [`Options`]; their TypeScript declarations are generated from
//! them by ts-rs (`tests/types.rs`). What serde says is made into the core's
//! [`Error`]: `column` is the option's contract (snake_case) name, `value`
//! what was given, and an unknown name gets a "did you mean" hint.

use keyrot::plan::KnownKey;
use keyrot::read::ParseOptions;
use keyrot::{Error, ErrorCode, Exemptions, Granularity, InputFormat, Options, Run, Status, Timestamp};
use serde::de::{self, DeserializeOwned, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The judging fields every options object takes (`as_of` where the
/// struct names it: a history judges each report at its own time), then the
/// struct's own, and its `contract_value`; with `judging`, the [`Judging`]
/// that `$this` makes, given the caller's "now" `$clock` (its fields are
/// computed in the order they are written).
macro_rules! judging_options {
    (
        $(#[$meta:meta])* $name:ident $([$as_of:ident])? { $($(#[$fmeta:meta])* $field:ident: $ty:ty,)* }
        $($(#[$jmeta:meta])* judging: |$this:ident, $clock:ident| $judging:expr)?
    ) => {
        #[derive(Debug, Default, Deserialize, Serialize, TS)]
        #[serde(rename_all(deserialize = "camelCase", serialize = "snake_case"), deny_unknown_fields)]
        #[ts(rename_all = "camelCase", optional_fields = nullable)]
        $(#[$meta])*
        pub struct $name {
            $(
            /// The evaluation instant (an RFC 3339 string or a `Date`);
            /// default: the report's `GeneratedTime`, else now.
            #[ts(type = "string | Date | null", optional)]
            pub $as_of: Option<String>,
            )?
            /// A key older than this many days fails; 1 to 3650; default 90.
            #[ts(type = "number | null", optional)]
            pub max_age_days: Option<Days>,
            /// An active key within this many days of the limit is
            /// `due_soon`; 0 disables; default 14.
            #[ts(type = "number | null", optional)]
            pub warn_days: Option<Days>,
            /// When true, an inactive key over the limit fails too; default
            /// false.
            pub include_inactive: Option<bool>,
            /// `exact` (to the second, the default) or `whole_days`
            /// (Prowler's rounding).
            pub granularity: Option<Granularity>,
            /// Rotation plan: days a replaced key must be unused before
            /// deleting it; 0 to 365; default 7.
            #[ts(type = "number | null", optional)]
            pub grace_days: Option<Days>,
            /// Keep rows with bad cells (as `row_error` anomalies and
            /// `invalid` findings) instead of throwing.
            pub lenient: Option<bool>,
            /// The input's form; default `auto`.
            pub format: Option<InputFormat>,
            /// The CIS checks to judge: rule ids or `all`, an array or one
            /// string separated by commas; default `access_key_rotated`
            /// alone. With any other, findings carry `rule` and `cis`.
            #[ts(type = "Rule | \"all\" | (Rule | \"all\")[] | null", optional)]
            pub rules: Option<Names>,
            /// The CIS version whose numbers label the findings (`v5.0.0`,
            /// `1.4`, ...); default the newest.
            pub cis_version: Option<String>,
            /// `access_key_unused`, `console_password_unused`: days without
            /// use that fail; default 45.
            #[ts(type = "number | null", optional)]
            pub unused_days: Option<Days>,
            /// `root_recent_use`: a use within this many days fails; default 1.
            #[ts(type = "number | null", optional)]
            pub root_use_days: Option<Days>,
            /// `no_key_at_setup`: seconds after the user's creation; default 600.
            #[ts(type = "number | null", optional)]
            pub setup_seconds: Option<Days>,
            /// `one_active_key`: days the newer of two active keys may be
            /// old and still be a rotation in progress; default 14.
            #[ts(type = "number | null", optional)]
            pub rotation_window_days: Option<Days>,
            $($(#[$fmeta])* pub $field: $ty,)*
        }

        impl $name {
            /// The judging fields (and the struct's own that are not marked
            /// `skip_serializing`) under their contract (snake_case) names,
            /// the fields not given left out: what the core's readers take.
            pub fn contract_value(&self) -> Result<serde_json::Value, Error> {
                let mut value = serde_json::to_value(self)
                    .map_err(|e| Error::new(ErrorCode::InvalidPolicy, format!("cannot read the options: {e}")))?;
                if let Some(map) = value.as_object_mut() {
                    map.retain(|_, v| !v.is_null());
                }
                Ok(value)
            }
        }

        $(
        impl $name {
            /// The core's options, read by the core's one reader
            /// ([`Options::from_value`]) from these fields under their
            /// contract names (the defaults are the core's); `clock` is the
            /// caller's "now", the last resort for the evaluation time.
            fn core(&self, clock: Option<Timestamp>) -> Result<Options, Error> {
                let mut options = Options::from_value(self.contract_value()?)?;
                options.clock = clock;
                Ok(options)
            }

            $(#[$jmeta])*
            pub fn judging(self, $clock: Option<Timestamp>) -> Result<Judging, Error> {
                let $this = self;
                Ok($judging)
            }
        }
        )?
    };
}

judging_options! {
    /// Options of `analyze` and `analyzeMany`. `null` or `undefined` means
    /// "the default".
    AnalyzeOptions [as_of] {
        /// Accepted exceptions: the TOML text of an exemptions file
        /// (`[[exemption]]` tables), or a list of entries. A matching finding
        /// keeps its status but does not count against compliance.
        #[ts(type = "string | ExemptionEntry[] | null", optional)]
        #[serde(skip_serializing)]
        exemptions: Option<ExemptionsArg>,
    }
    /// Into the core's types. `clock` is the caller's "now".
    ///
    /// ```
    /// let options: keyrot_wasm::options::AnalyzeOptions =
    ///     serde_json::from_str(r#"{"maxAgeDays": 30, "asOf": "2026-11-26T00:00:00Z"}"#).unwrap();
    /// let judging = options.judging(None).unwrap();
    /// assert_eq!(judging.options.max_age_days, 30);
    /// assert!(judging.options.as_of.is_some());
    /// ```
    judging: |this, clock| Judging {
        exemptions: this.exemptions.as_ref().map(ExemptionsArg::read).transpose()?,
        options: this.core(clock)?,
        ..Judging::default()
    }
}

judging_options! {
    /// Options of `plan`: those of `analyze`, and the keys the account lists.
    PlanOptions [as_of] {
        /// Accepted exceptions, as for `analyze`.
        #[ts(type = "string | ExemptionEntry[] | null", optional)]
        #[serde(skip_serializing)]
        exemptions: Option<ExemptionsArg>,
        /// The JSON `aws iam list-access-keys` printed (text, bytes or the
        /// parsed data), so the commands name real key ids.
        #[ts(type = "string | Uint8Array | ArrayBuffer | object | null", optional)]
        #[serde(skip_serializing)]
        access_keys: Option<AccessKeysArg>,
    }
    /// Into the core's types. `clock` is the caller's "now".
    judging: |this, clock| Judging {
        exemptions: this.exemptions.as_ref().map(ExemptionsArg::read).transpose()?,
        access_keys: this.access_keys.as_ref().map(AccessKeysArg::read).transpose()?,
        options: this.core(clock)?,
        ..Judging::default()
    }
}

judging_options! {
    /// Options of `checkCsv`: those of `analyze`, and what to write.
    CheckCsvOptions [as_of] {
        /// Accepted exceptions, as for `analyze`.
        #[ts(type = "string | ExemptionEntry[] | null", optional)]
        #[serde(skip_serializing)]
        exemptions: Option<ExemptionsArg>,
        /// Write only findings with these statuses (`--only`); default all.
        /// The summary counts every key.
        #[ts(type = "Status | Status[] | null", optional)]
        #[serde(skip_serializing)]
        only: Option<Names>,
        /// The columns to write, in this order (`--columns`); default all.
        #[ts(type = "CsvColumn | CsvColumn[] | null", optional)]
        #[serde(skip_serializing)]
        columns: Option<Names>,
        /// The text of the `source` column (the command writes the file's
        /// path); default empty.
        #[serde(skip_serializing)]
        source: Option<String>,
        /// Called with each piece of the CSV, in order (the header line
        /// first, then the rows of about a megabyte of the report at a
        /// time), instead of collecting it in `csv`. Each piece is a new
        /// array the function may keep. When `checkCsv` throws, what was
        /// written before is to be thrown away.
        #[ts(type = "((bytes: Uint8Array) => void) | null", optional)]
        #[serde(skip_serializing)]
        write: Option<WriteFn>,
    }
    /// Into the core's types. `clock` is the caller's "now". `only` and
    /// `columns` are arrays of names or one string of them separated by
    /// commas, as on the command line (`due-soon` is `due_soon`).
    ///
    /// ```
    /// let options: keyrot_wasm::options::CheckCsvOptions =
    ///     serde_json::from_str(r#"{"only": "fail,due-soon", "columns": ["user", "slot", "age_days"]}"#).unwrap();
    /// let judging = options.judging(None).unwrap();
    /// assert_eq!(judging.only, [keyrot::Status::Fail, keyrot::Status::DueSoon]);
    /// assert_eq!(judging.columns, [2, 5, 9]);
    /// ```
    judging: |this, clock| Judging {
        exemptions: this.exemptions.as_ref().map(ExemptionsArg::read).transpose()?,
        options: this.core(clock)?,
        only: this.only.map(|n| keyrot::options::read_statuses("only", n.items())).transpose()?.unwrap_or_default(),
        columns: this.columns.map(|n| keyrot::options::read_columns("columns", n.items())).transpose()?.unwrap_or_default(),
        source: this.source.unwrap_or_default(),
        ..Judging::default()
    }
}

judging_options! {
    /// Options of `diff`: the policy and how to read both reports, and when
    /// each is judged (`asOf` is the new report's time).
    DiffOptions [as_of] {
        /// The old report's evaluation time; default: its `GeneratedTime`,
        /// else its newest timestamp.
        #[ts(type = "string | Date | null", optional)]
        #[serde(skip_serializing)]
        old_as_of: Option<String>,
    }
    /// Into the core's types: `asOf` is the new report's time, `oldAsOf`
    /// the old one's. `clock` is the caller's "now".
    judging: |this, clock| Judging {
        old_as_of: this.old_as_of.as_deref().map(|t| keyrot::options::parse_instant("old_as_of", t)).transpose()?,
        options: this.core(clock)?,
        ..Judging::default()
    }
}

judging_options! {
    /// Options of `history`: the judging options of `analyze` but `asOf`
    /// (each report is judged at its own time), the history's, and the
    /// reports' times. `null` or `undefined` means "the default".
    #[ts(rename = "HistoryOptions")]
    HistoryOptionsArg {
        /// A rotation at one step for longer than this many days, or whose
        /// old key is still used this long after the new one was made, has
        /// stalled; 0 to 3650; default 14.
        #[ts(type = "number | null", optional)]
        stall_days: Option<Days>,
        /// Keep each key's last use per report (default true).
        last_used_per_report: Option<bool>,
        /// The time of each report that carries no `GeneratedTime`, by its
        /// name (RFC 3339, or a date: its midnight UTC).
        #[serde(skip_serializing)]
        #[ts(type = "Record<string, string> | null", optional)]
        times: Option<std::collections::BTreeMap<String, String>>,
        /// A strftime pattern (`%Y-%m-%d`) that reads the time of each
        /// report with neither from its name (the part after the last `/`).
        #[serde(skip_serializing)]
        time_from_name: Option<String>,
    }
}

/// Options of `parse`: only how to read the input applies.
#[derive(Debug, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[ts(rename = "ParseOptions", rename_all = "camelCase", optional_fields = nullable)]
pub struct ParseOptionsArg {
    /// Keep rows with bad cells instead of throwing.
    pub lenient: Option<bool>,
    /// The input's form; default `auto`.
    pub format: Option<InputFormat>,
}

/// What the judging functions take besides the input, in the core's types.
#[derive(Debug, Default)]
pub struct Judging {
    /// The core's options.
    pub options: Options,
    /// The exemptions, when given.
    pub exemptions: Option<Exemptions>,
    /// The keys `aws iam list-access-keys` listed (`plan` only).
    pub access_keys: Option<Vec<KnownKey>>,
    /// The old report's evaluation time (`diff` only).
    pub old_as_of: Option<Timestamp>,
    /// The statuses of the findings to write (`checkCsv` only); empty: all.
    pub only: Vec<Status>,
    /// The columns to write, as positions in [`keyrot::CsvWriter::COLUMNS`]
    /// (`checkCsv` only); empty: all of them.
    pub columns: Vec<usize>,
    /// The text of the `source` column (`checkCsv` only).
    pub source: String,
}

impl Judging {
    /// A run of the options, with the exemptions when there are any.
    pub fn run(&self) -> Run {
        self.exemptions.iter().fold(Run::new(&self.options), Run::exemptions)
    }
}

impl ParseOptionsArg {
    /// Into the core's [`ParseOptions`].
    pub fn read(self) -> ParseOptions {
        let d = ParseOptions::default();
        ParseOptions { lenient: self.lenient.unwrap_or(d.lenient), format: self.format.unwrap_or(d.format) }
    }
}

/// `impl Deserialize for $ty` with a visitor that expects `$what` and
/// takes what its `visit_` methods take, given to `$deserialize`.
macro_rules! visited {
    ($ty:ident, $what:literal, $deserialize:ident { $($visit:item)* }) => {
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<$ty, D::Error> {
                struct V;
                impl Visitor<'_> for V {
                    type Value = $ty;
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str($what)
                    }
                    $($visit)*
                }
                deserializer.$deserialize(V)
            }
        }
    };
}

/// A whole number of days, 0 or more (JS has only doubles: `1.5` and `-1`
/// are refused here, the core checks the ranges).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Days(pub u32);

visited!(Days, "a whole number of days (0 or more)", deserialize_u32 {
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Days, E> {
        u32::try_from(n).map(Days).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(n), &self))
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Days, E> {
        u32::try_from(n).map(Days).map_err(|_| E::invalid_value(de::Unexpected::Signed(n), &self))
    }
    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Days, E> {
        let whole = n.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&n);
        whole.then_some(Days(n as u32)).ok_or_else(|| E::invalid_value(de::Unexpected::Float(n), &self))
    }
});

/// Exemptions as given: TOML text, or a list of entries as data.
#[derive(Debug, Deserialize)]
#[serde(untagged, expecting = "the TOML text of an exemptions file or a list of entries")]
pub enum ExemptionsArg {
    /// The TOML text of an exemptions file.
    Toml(String),
    /// A list of entries.
    Entries(Vec<serde_json::Value>),
}

impl ExemptionsArg {
    fn read(&self) -> Result<Exemptions, Error> {
        match self {
            ExemptionsArg::Toml(text) => Exemptions::from_toml(text),
            ExemptionsArg::Entries(data) => Exemptions::from_json(&serde_json::Value::Array(data.clone())),
        }
    }
}

/// The keys `aws iam list-access-keys` printed: its JSON as text or bytes,
/// or the parsed data.
#[derive(Debug, Deserialize)]
#[serde(untagged, expecting = "the JSON of `aws iam list-access-keys` (text, bytes or the parsed data)")]
pub enum AccessKeysArg {
    /// The JSON text.
    Text(String),
    /// The JSON as bytes.
    Bytes(serde_bytes::ByteBuf),
    /// The parsed data.
    Data(serde_json::Value),
}

impl AccessKeysArg {
    /// The keys the list names.
    pub fn read(&self) -> Result<Vec<KnownKey>, Error> {
        match self {
            AccessKeysArg::Text(text) => keyrot::plan::read_access_keys(text.as_bytes()),
            AccessKeysArg::Bytes(bytes) => keyrot::plan::read_access_keys(bytes),
            AccessKeysArg::Data(data) => keyrot::plan::read_access_keys(data.to_string().as_bytes()),
        }
    }
}

/// A list of names (`only`, `columns`): an array of strings, or one string
/// of them separated by commas.
#[derive(Debug, Deserialize, Serialize)]
#[serde(untagged, expecting = "an array of names (or one string of them separated by commas)")]
pub enum Names {
    /// One string, split at commas.
    Joined(String),
    /// An array of names.
    List(Vec<String>),
}

impl Names {
    /// The names, a joined string split at its commas.
    fn items(&self) -> Vec<&str> {
        match self {
            Names::Joined(text) => text.split(',').collect(),
            Names::List(items) => items.iter().map(String::as_str).collect(),
        }
    }
}

/// `write`: the function is taken out by the binding before the options
/// are read, so whatever is left here is not a function.
#[derive(Debug)]
pub struct WriteFn;

visited!(WriteFn, "a function", deserialize_any {});

/// Reads an options struct for `function` (`"analyze"`, …) with
/// `deserializer`, making serde's error the core's: `describe(name)` gives
/// the value of the option `name` as given, for the error's `value`.
///
/// ```
/// use keyrot_wasm::options::{read, AnalyzeOptions};
/// let json = serde_json::json!({"max_age_days": 30});
/// let err = read::<AnalyzeOptions, _>(&json, "analyze", |_| None).unwrap_err();
/// assert_eq!((err.code(), err.column()), (keyrot::ErrorCode::InvalidPolicy, Some("max_age_days")));
/// assert!(err.message().ends_with("(did you mean `maxAgeDays`?)"), "{}", err.message());
/// ```
pub fn read<'de, T: DeserializeOwned, D: Deserializer<'de>>(
    deserializer: D,
    function: &str,
    describe: impl Fn(&str) -> Option<String>,
) -> Result<T, Error> {
    serde_path_to_error::deserialize(deserializer).map_err(|err| {
        let (path, inner) = (err.path().to_string(), err.inner().to_string());
        // serde-wasm-bindgen's errors are JS `Error`s, shown as "Error: …".
        let error = keyrot::options::option_error(function, &path, inner.strip_prefix("Error: ").unwrap_or(&inner));
        if !inner.contains("unknown field `") {
            // The option is the path's first segment (`maxAgeDays`, `only[2]`).
            let name = path.split(['.', '[']).next().unwrap_or_default();
            return describe(name).map_or(error.clone(), |value| error.with_value(&value));
        }
        let name = error.column().unwrap_or_default();
        if function != "parse" || serde_json::from_value::<AnalyzeOptions>(serde_json::json!({ name: null })).is_err() {
            return error;
        }
        Error::new(error.code(), format!("{} (it applies to analyze only)", error.message())).at_column(name)
    })
}

/// The error for an options argument that is not an object.
pub fn not_an_object(kind: &str) -> Error {
    Error::new(ErrorCode::InvalidPolicy, format!("options must be an object, not {kind}")).with_value(kind)
}
