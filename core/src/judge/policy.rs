//! The policy (rotation-rule.md §1.1) and the options of an analysis.

use crate::error::{Error, ErrorCode};
use crate::input::report::ParseOptions;
use crate::input::unwrap::InputFormat;
use crate::input::value::{format_timestamp, parse_timestamp, Timestamp};
use crate::judge::cis::{CisVersion, Rule};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// How ages are compared with the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    /// Compare exact durations, to the second: a key fails when its age is
    /// more than `max_age_days * 86400` seconds (the default).
    #[default]
    Exact,
    /// Fail only when the whole number of elapsed days is more than
    /// `max_age_days` (Prowler's behaviour, for reconciling with it).
    WholeDays,
}

impl Granularity {
    /// Both granularities, the default first.
    pub const ALL: [Granularity; 2] = [Granularity::Exact, Granularity::WholeDays];
}

crate::error::codes!(Granularity, "granularity", "granularities" {
    Exact => "exact",
    WholeDays => "whole_days",
});

/// The rule's options, with the defaults of rotation-rule.md §1.1.
///
/// ```
/// let policy = keyrot::Policy::default();
/// assert_eq!(policy.max_age_days, 90);
/// assert_eq!(policy.warn_days, 14);
/// assert!(policy.validate().is_ok());
///
/// let bad = keyrot::Policy { warn_days: 120, ..Default::default() };
/// let err = bad.validate().unwrap_err();
/// assert_eq!(err.code(), keyrot::ErrorCode::InvalidPolicy);
/// assert_eq!(err.column(), Some("warn_days"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    /// A key older than this many days fails; 1 to 3650.
    pub max_age_days: u32,
    /// An active key within this many days of `max_age_days` is `due_soon`;
    /// 0 disables; 0 to `max_age_days`.
    pub warn_days: u32,
    /// When true, an inactive key older than `max_age_days` fails too.
    pub include_inactive: bool,
    /// How ages are compared with the limit.
    pub granularity: Granularity,
    /// Rotation plan only: how long a replaced or deactivated key must have
    /// been unused before the plan says to delete it; 0 to 365.
    pub grace_days: u32,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy::DEFAULT
    }
}

impl Policy {
    /// The defaults of rotation-rule.md §1.1, written once: every interface
    /// (the command line's help, Python's signatures, JS) reads them here.
    pub const DEFAULT: Policy = Policy {
        max_age_days: 90,
        warn_days: 14,
        include_inactive: false,
        granularity: Granularity::Exact,
        grace_days: 7,
    };

    /// Checks every option's range; the error names the option in `column`.
    pub fn validate(&self) -> Result<(), Error> {
        let bad = |name: &str, value: u32, range: &str| Err(out_of_range(name, value, range));
        if !(1..=3650).contains(&self.max_age_days) {
            return bad("max_age_days", self.max_age_days, "from 1 to 3650");
        }
        if self.warn_days > self.max_age_days {
            return bad("warn_days", self.warn_days, &format!("from 0 to max_age_days ({})", self.max_age_days));
        }
        if self.grace_days > 365 {
            return bad("grace_days", self.grace_days, "from 0 to 365");
        }
        Ok(())
    }
}

/// The `invalid_policy` error of an option outside its range, naming it.
pub(crate) fn out_of_range(name: &str, value: u32, range: &str) -> Error {
    Error::new(ErrorCode::InvalidPolicy, format!("`{name}` must be {range}, not {value}"))
        .at_column(name)
        .with_value(&value.to_string())
}

/// Where `as_of`, the evaluation instant, came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum AsOfSource {
    /// Given by the caller.
    Explicit,
    /// Given by the caller as a date (`2026-11-26`): its midnight, UTC.
    Date,
    /// The report's `GeneratedTime`.
    Report,
    /// The current time, supplied by the caller as [`Options::clock`].
    Clock,
    /// The newest timestamp in the report: a lower bound for when it was
    /// generated (the older report of a diff, when it carries no
    /// `GeneratedTime`).
    NewestTimestamp,
}

crate::error::codes!(AsOfSource, "as_of source", "as_of sources" {
    Explicit => "explicit",
    Date => "date",
    Report => "report",
    Clock => "clock",
    NewestTimestamp => "newest_timestamp",
});

/// Everything an analysis takes besides the input: the evaluation time, the
/// policy and how to read the input. The same names are used in Rust,
/// Python, JS, the command line and the golden cases' `options.json`.
///
/// ```
/// let options = keyrot::Options::from_json(r#"{"as_of": "2026-11-26T00:00:00Z", "max_age_days": 30}"#).unwrap();
/// assert_eq!(options.max_age_days, 30);
/// assert!(keyrot::Options::from_json(r#"{"max_age_day": 30}"#).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct Options {
    /// The evaluation instant. When `None`, the report's `GeneratedTime` is
    /// used, else [`clock`](Options::clock).
    #[serde(serialize_with = "ser_as_of", deserialize_with = "de_as_of")]
    pub as_of: Option<Timestamp>,
    /// See [`Policy::max_age_days`].
    pub max_age_days: u32,
    /// See [`Policy::warn_days`].
    pub warn_days: u32,
    /// See [`Policy::include_inactive`].
    pub include_inactive: bool,
    /// See [`Policy::granularity`].
    pub granularity: Granularity,
    /// See [`Policy::grace_days`].
    pub grace_days: u32,
    /// See [`ParseOptions::lenient`].
    pub lenient: bool,
    /// See [`ParseOptions::format`].
    pub format: InputFormat,
    /// The rules judged (the README's "The other CIS checks"): rule ids or `"all"`; the
    /// rotation rule alone by default.
    pub rules: RuleSet,
    /// See [`Checks::unused_days`].
    pub unused_days: u32,
    /// See [`Checks::root_use_days`].
    pub root_use_days: u32,
    /// See [`Checks::setup_seconds`].
    pub setup_seconds: u32,
    /// See [`Checks::rotation_window_days`].
    pub rotation_window_days: u32,
    /// The CIS version whose numbers label the findings (`v1.4.0`, `1.4`,
    /// ...); when given, or when `rules` holds more than the rotation rule,
    /// every finding carries its `rule` and `cis` number (the newest
    /// version's by default).
    #[serde(deserialize_with = "de_cis_version")]
    pub cis_version: Option<CisVersion>,
    /// Whether `as_of` was given as a date (`2026-11-26`, its midnight
    /// UTC), so that the result says so (`as_of_source` `date`).
    #[serde(skip)]
    as_of_date: bool,
    /// The current time, used only when neither `as_of` nor the report's
    /// `GeneratedTime` is known. The core never reads the clock: a caller
    /// that wants "now" as the last resort passes it here.
    #[serde(skip)]
    pub clock: Option<Timestamp>,
}

impl Default for Options {
    fn default() -> Options {
        let (p, c) = (Policy::DEFAULT, Checks::DEFAULT);
        Options {
            as_of: None,
            max_age_days: p.max_age_days,
            warn_days: p.warn_days,
            include_inactive: p.include_inactive,
            granularity: p.granularity,
            grace_days: p.grace_days,
            lenient: false,
            format: InputFormat::Auto,
            rules: RuleSet::ROTATION,
            unused_days: c.unused_days,
            root_use_days: c.root_use_days,
            setup_seconds: c.setup_seconds,
            rotation_window_days: c.rotation_window_days,
            cis_version: None,
            as_of_date: false,
            clock: None,
        }
    }
}

impl Options {
    /// Reads options from JSON text (the format of the golden cases'
    /// `options.json`), as [`from_value`](Options::from_value) does.
    pub fn from_json(text: &str) -> Result<Options, Error> {
        let value = serde_json::from_str(text)
            .map_err(|e| Error::new(ErrorCode::InvalidPolicy, format!("the options are not JSON: {e}")))?;
        Options::from_value(value)
    }

    /// The default options at the evaluation instant `as_of`: what most
    /// callers start from.
    ///
    /// ```
    /// let options = keyrot::Options::at(keyrot::parse_timestamp("2026-11-26T00:00:00Z").unwrap());
    /// assert_eq!((options.max_age_days, options.as_of.is_some()), (90, true));
    /// ```
    pub fn at(as_of: Timestamp) -> Options {
        Options { as_of: Some(as_of), ..Options::default() }
    }

    /// Reads options from a JSON-like value of the contract's names (what
    /// the command line and the Python binding hand over), with the defaults
    /// for the names it leaves out, and checks them ([`validate`](Options::validate)).
    /// An unknown name is an `invalid_policy` error that lists the names
    /// and suggests the one meant; a bad value names its option in the
    /// error's `column`.
    ///
    /// ```
    /// let options = keyrot::Options::from_value(serde_json::json!({"max_age_days": 30, "rules": "all"})).unwrap();
    /// assert_eq!((options.max_age_days, options.rules), (30, keyrot::RuleSet::ALL));
    /// let err = keyrot::Options::from_value(serde_json::json!({"asof": "2026-11-26"})).unwrap_err();
    /// assert!(err.message().ends_with("(did you mean `as_of`?)"), "{}", err.message());
    /// let err = keyrot::Options::from_value(serde_json::json!({"warn_days": 120})).unwrap_err();
    /// assert_eq!(err.column(), Some("warn_days"));
    /// ```
    pub fn from_value(value: serde_json::Value) -> Result<Options, Error> {
        let given = value.clone();
        let options: Options = serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            let error = option_error("", &path, &e.inner().to_string());
            // The value given, as the error's `value`, when it is one.
            match given.get(path.split(['.', '[']).next().unwrap_or_default()) {
                Some(serde_json::Value::String(text)) if error.value().is_none() => error.with_value(text),
                Some(v @ (serde_json::Value::Number(_) | serde_json::Value::Bool(_))) if error.value().is_none() => {
                    error.with_value(&v.to_string())
                }
                _ => error,
            }
        })?;
        let mut options = options;
        options.as_of_date =
            given.get("as_of").and_then(serde_json::Value::as_str).is_some_and(|t| parse_date(t).is_some());
        options.validate()?;
        Ok(options)
    }

    /// Checks every option's range ([`Policy::validate`],
    /// [`Checks::validate`]); the error names the option in `column`.
    pub fn validate(&self) -> Result<(), Error> {
        self.policy().validate()?;
        self.checks().validate()
    }

    /// The policy part of the options.
    pub fn policy(&self) -> Policy {
        Policy {
            max_age_days: self.max_age_days,
            warn_days: self.warn_days,
            include_inactive: self.include_inactive,
            granularity: self.granularity,
            grace_days: self.grace_days,
        }
    }

    /// The checks' part of the options.
    pub fn checks(&self) -> Checks {
        Checks {
            rules: self.rules,
            unused_days: self.unused_days,
            root_use_days: self.root_use_days,
            setup_seconds: self.setup_seconds,
            rotation_window_days: self.rotation_window_days,
            cis_version: self.cis_version.unwrap_or(CisVersion::NEWEST),
            labelled: self.rules.has_checks() || self.cis_version.is_some(),
        }
    }

    /// The parsing part of the options.
    pub fn parse_options(&self) -> ParseOptions {
        ParseOptions { format: self.format, lenient: self.lenient }
    }

    /// Chooses `as_of`: explicit, else the report's `GeneratedTime`, else the
    /// clock fallback; `invalid_as_of` when none is known.
    pub fn resolve_as_of(&self, generated_time: Option<Timestamp>) -> Result<(Timestamp, AsOfSource), Error> {
        if let Some(t) = self.as_of {
            Ok((t, if self.as_of_date { AsOfSource::Date } else { AsOfSource::Explicit }))
        } else if let Some(t) = generated_time {
            Ok((t, AsOfSource::Report))
        } else if let Some(t) = self.clock {
            Ok((t, AsOfSource::Clock))
        } else {
            Err(Error::new(
                ErrorCode::InvalidAsOf,
                "no evaluation time: the report carries no GeneratedTime, so give `as_of`",
            )
            .at_column("as_of"))
        }
    }
}

/// Parses an `as_of` given as text (RFC 3339, or a date: its midnight UTC),
/// naming the problem.
///
/// ```
/// assert!(keyrot::options::parse_as_of("2026-11-26T00:00:00Z").is_ok());
/// assert_eq!(keyrot::options::parse_as_of("2026-11-26"), keyrot::options::parse_as_of("2026-11-26T00:00:00Z"));
/// let err = keyrot::options::parse_as_of("26/11/2026").unwrap_err();
/// assert_eq!(err.code(), keyrot::ErrorCode::InvalidAsOf);
/// ```
pub fn parse_as_of(text: &str) -> Result<Timestamp, Error> {
    parse_instant("as_of", text)
}

/// The error for options of a binding's `function` (`analyze`, say) that
/// serde could not read: `path` is where (`maxAgeDays`, `only[2]`: the
/// binding's spelling) and `message` serde's. An unknown name lists the
/// names there are (serde's message holds them) and, when one differs from
/// it only in case and underscores, the one meant; any other error names
/// its option, with the code its name calls for (`invalid_as_of`,
/// `invalid_exemptions`, else `invalid_policy`) and the option in the
/// contract's spelling (`max_age_days`) as the column.
///
/// ```
/// let err = keyrot::options::option_error("analyze", "", "unknown field `max_age_days`, expected `asOf` or `maxAgeDays`");
/// assert_eq!(err.message(), "unknown option `max_age_days` for analyze; the options are `asOf`, `maxAgeDays` (did you mean `maxAgeDays`?)");
/// let err = keyrot::options::option_error("analyze", "warnDays", "invalid type: string \"x\", expected a whole number");
/// assert_eq!((err.code(), err.column()), (keyrot::ErrorCode::InvalidPolicy, Some("warn_days")));
/// ```
pub fn option_error(function: &str, path: &str, message: &str) -> Error {
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (name, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let known: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        return unknown_option(function, name, &known);
    }
    let name = path.split(['.', '[']).next().unwrap_or_default();
    // `maxAgeDays` as the contract spells it: `max_age_days`.
    let contract: String = name
        .chars()
        .flat_map(|c| c.is_ascii_uppercase().then_some('_').into_iter().chain([c.to_ascii_lowercase()]))
        .collect();
    let code = match contract.as_str() {
        "as_of" | "old_as_of" => ErrorCode::InvalidAsOf,
        "exemptions" => ErrorCode::InvalidExemptions,
        _ => ErrorCode::InvalidPolicy,
    };
    // The error's column names the option: the message names it again only
    // when the binding spells it otherwise.
    let message = if name == contract { message.to_owned() } else { format!("`{name}`: {message}") };
    Error::new(code, message).at_column(&contract)
}

/// The error for an option `name` that a binding's `function` (`analyze`,
/// say; empty for none) does not take: the `invalid_policy` error naming it
/// in `column`, listing the options there are (`known`) and, when one
/// differs from it only in case and underscores, the one meant.
///
/// ```
/// let err = keyrot::options::unknown_option("analyze", "asof", &["as_of", "max_age_days"]);
/// assert_eq!(err.message(), "unknown option `asof` for analyze; the options are `as_of`, `max_age_days` (did you mean `as_of`?)");
/// assert_eq!((err.code(), err.column()), (keyrot::ErrorCode::InvalidPolicy, Some("asof")));
/// ```
pub fn unknown_option(function: &str, name: &str, known: &[&str]) -> Error {
    let list = known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
    let of = if function.is_empty() { String::new() } else { format!(" for {function}") };
    let mut message = format!("unknown option `{}`{of}; the options are {list}", crate::error::shorten(name));
    let folded = |s: &str| s.replace('_', "").to_ascii_lowercase();
    if let Some(near) = known.iter().find(|k| folded(k) == folded(name)) {
        message.push_str(&format!(" (did you mean `{near}`?)"));
    }
    Error::new(ErrorCode::InvalidPolicy, message).at_column(name)
}

/// [`parse_as_of`] of the option `option` (`old_as_of`, say): its errors
/// name it.
///
/// ```
/// let err = keyrot::options::parse_instant("old_as_of", "yesterday").unwrap_err();
/// assert_eq!((err.code(), err.column()), (keyrot::ErrorCode::InvalidAsOf, Some("old_as_of")));
/// assert!(err.message().starts_with("`old_as_of` must be an RFC 3339 timestamp"));
/// ```
pub fn parse_instant(option: &str, text: &str) -> Result<Timestamp, Error> {
    parse_timestamp(text).or_else(|| parse_date(text)).ok_or_else(|| {
        Error::new(
            ErrorCode::InvalidAsOf,
            format!(
                "`{option}` must be an RFC 3339 timestamp with a time zone, like 2026-11-26T00:00:00Z, or a date, like 2026-11-26 (its midnight, UTC), not `{}`",
                crate::error::shorten(text)
            ),
        )
        .at_column(option)
        .with_value(text)
    })
}

/// A date alone, `YYYY-MM-DD`, as its midnight UTC.
fn parse_date(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    if text.len() != 10 {
        return None;
    }
    let date = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    Some(date.and_hms_opt(0, 0, 0)?.and_utc())
}

fn ser_as_of<S: Serializer>(v: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(t) => s.serialize_str(&format_timestamp(t)),
        None => s.serialize_none(),
    }
}

fn de_as_of<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
    let text: Option<String> = Option::deserialize(d)?;
    match text {
        None => Ok(None),
        Some(t) => parse_as_of(&t).map(Some).map_err(|e| serde::de::Error::custom(e.message())),
    }
}

fn de_cis_version<'de, D: Deserializer<'de>>(d: D) -> Result<Option<CisVersion>, D::Error> {
    let text: Option<String> = Option::deserialize(d)?;
    text.map(|t| CisVersion::read("cis_version", &t).map_err(|e| serde::de::Error::custom(e.message()))).transpose()
}

/// A set of [`Rule`]s: which checks a run judges.
///
/// ```
/// use keyrot::{cis::Rule, RuleSet};
/// let rules = RuleSet::read("rules", ["root_mfa", "access-key-unused"]).unwrap();
/// assert!(rules.contains(Rule::RootMfa) && !rules.contains(Rule::AccessKeyRotated));
/// assert_eq!(RuleSet::read("rules", ["all"]).unwrap(), RuleSet::ALL);
/// assert_eq!(RuleSet::default(), RuleSet::ROTATION);
/// assert!(RuleSet::read("rules", ["root_mfo"]).unwrap_err().to_string().contains("unknown rule `root_mfo`"));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct RuleSet(u16);

impl RuleSet {
    /// The rotation rule alone: the default, so that a caller who does not
    /// ask for the other checks gets the output it always had.
    pub const ROTATION: RuleSet = RuleSet(1);
    /// Every rule.
    pub const ALL: RuleSet = RuleSet((1 << Rule::ALL.len()) - 1);

    /// The set of these rules.
    pub fn of(rules: impl IntoIterator<Item = Rule>) -> RuleSet {
        RuleSet(rules.into_iter().fold(0, |bits, r| bits | 1 << r as u16))
    }

    /// Whether `rule` is in the set.
    pub const fn contains(self, rule: Rule) -> bool {
        self.0 & (1 << rule as u16) != 0
    }

    /// Whether the set is the rotation rule alone.
    pub const fn is_rotation_only(self) -> bool {
        self.0 == RuleSet::ROTATION.0
    }

    /// Whether the set holds a rule other than the rotation rule.
    pub const fn has_checks(self) -> bool {
        self.0 & !RuleSet::ROTATION.0 != 0
    }

    /// The rules, in [`Rule::ALL`]'s order.
    pub fn iter(self) -> impl Iterator<Item = Rule> {
        Rule::ALL.into_iter().filter(move |r| self.contains(*r))
    }

    /// Reads the rules an option names (`--rules`, `rules=`): rule ids
    /// (`-` read as `_`) or `all`. An empty list or an unknown name is an
    /// `invalid_policy` error naming `option` and the name.
    pub fn read<'a>(option: &str, names: impl IntoIterator<Item = &'a str>) -> Result<RuleSet, Error> {
        let mut known: Vec<&str> = Rule::ALL.iter().map(|r| r.as_str()).collect();
        known.push("all");
        let read = read_names(option, names, ("rule", "rules"), read_rule, &known)?;
        Ok(read.into_iter().fold(RuleSet(0), |set, r| RuleSet(set.0 | r.0)))
    }
}

fn read_rule(name: &str) -> Option<RuleSet> {
    if name == "all" {
        return Some(RuleSet::ALL);
    }
    Rule::parse(name).map(|r| RuleSet::of([r]))
}

impl Default for RuleSet {
    fn default() -> RuleSet {
        RuleSet::ROTATION
    }
}

impl std::fmt::Debug for RuleSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter().map(Rule::as_str)).finish()
    }
}

impl Serialize for RuleSet {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for RuleSet {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<RuleSet, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Names {
            One(String),
            Many(Vec<String>),
        }
        // One string is a list separated by commas, as every interface
        // takes it (`--rules a,b`, `rules="a,b"`).
        let names = match Names::deserialize(d)? {
            Names::One(one) => one.split(',').map(str::to_owned).collect(),
            Names::Many(many) => many,
        };
        RuleSet::read("rules", names.iter().map(String::as_str)).map_err(|e| serde::de::Error::custom(e.message()))
    }
}

/// The checks' options as a run applies them, written in the analysis when
/// a run asks for more than the rotation rule or for a CIS version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Checks {
    /// The rules judged.
    #[cfg_attr(feature = "ts", ts(as = "Vec<Rule>"))]
    pub rules: RuleSet,
    /// `access_key_unused` and `console_password_unused`: more than this
    /// many days without use fails.
    pub unused_days: u32,
    /// `root_recent_use`: a use of the root user within this many days
    /// fails.
    pub root_use_days: u32,
    /// `no_key_at_setup`: a key made within this many seconds of its user.
    pub setup_seconds: u32,
    /// `one_active_key`: two active keys, one over the rotation limit, are a
    /// rotation in progress (`due_soon`) while the newer key is at most this
    /// many days old; after that the rotation is abandoned and fails.
    pub rotation_window_days: u32,
    /// The version of the benchmark whose numbers label the findings.
    pub cis_version: CisVersion,
    /// Whether findings carry their rule and CIS number (`false` for a run
    /// of the rotation rule alone with no CIS version asked for).
    #[serde(skip)]
    pub labelled: bool,
}

impl Default for Checks {
    fn default() -> Checks {
        Checks::DEFAULT
    }
}

impl Checks {
    /// The checks' defaults, written once (see [`Policy::DEFAULT`]).
    pub const DEFAULT: Checks = Checks {
        rules: RuleSet::ROTATION,
        unused_days: 45,
        root_use_days: 1,
        setup_seconds: 600,
        rotation_window_days: 14,
        cis_version: CisVersion::NEWEST,
        labelled: false,
    };

    /// Checks every option's range; the error names the option in `column`.
    pub fn validate(&self) -> Result<(), Error> {
        let bad = |name: &str, value: u32, range: &str| Err(out_of_range(name, value, range));
        if !(1..=3650).contains(&self.unused_days) {
            return bad("unused_days", self.unused_days, "from 1 to 3650");
        }
        if self.root_use_days > 3650 {
            return bad("root_use_days", self.root_use_days, "from 0 to 3650");
        }
        if self.setup_seconds > 86_400 {
            return bad("setup_seconds", self.setup_seconds, "from 0 to 86400");
        }
        if self.rotation_window_days > 3650 {
            return bad("rotation_window_days", self.rotation_window_days, "from 0 to 3650");
        }
        Ok(())
    }
}

/// Reads the names an option gives (`--rules`, `--columns`, `--only`): each
/// through `read`, in the order given. An empty list or an unknown name is an
/// `invalid_policy` error naming `option` and the name, and listing `known`.
pub(crate) fn read_names<'a, T>(
    option: &str,
    names: impl IntoIterator<Item = &'a str>,
    (one, many): (&str, &str),
    read: impl Fn(&str) -> Option<T>,
    known: &[&str],
) -> Result<Vec<T>, Error> {
    let known = known.join(", ");
    let read: Vec<T> = names
        .into_iter()
        .map(|name| {
            read(name.trim()).ok_or_else(|| {
                let message = format!("unknown {one} `{name}`; the {many} are {known}");
                Error::new(ErrorCode::InvalidPolicy, message).at_column(option).with_value(name)
            })
        })
        .collect::<Result<_, _>>()?;
    if read.is_empty() {
        let message = format!("no {one} named; name at least one of the {many}: {known}");
        return Err(Error::new(ErrorCode::InvalidPolicy, message).at_column(option).with_value("an empty array"));
    }
    Ok(read)
}
