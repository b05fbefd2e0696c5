//! Property tests of the core.
//!
//! - Any bytes, and any mutation of a valid report, give `Ok` or `Err` in
//!   strict and lenient mode, never a panic; an `Ok` is self-consistent.
//! - A generated valid report yields one finding per key, in input order,
//!   with the status the rule of rotation-rule.md §1.3 gives (recomputed
//!   here from whole seconds, without the crate's judge), and counts that
//!   add up.
//! - Lenient mode never loses a row; strict mode stops at the first bad row.
//! - The one reader (`Scanner`) finds the records, fields and lines the
//!   `csv` crate finds (the oracle in `oracle/`), and fails where it fails,
//!   with every level of its structural scan (`Simd`) this machine has,
//!   also on text whose quotes, carriage returns and multibyte characters
//!   fall across the scan's 64-byte blocks and the chunks' ends.
//! - The fast decoding of a batch gives what the typed decoding (`Row`s and
//!   `Analyzer::judge`) gives, for any chunk size and number of threads, for
//!   one report and for many.

mod oracle;

use base64::Engine as _;
use chrono::{DateTime, Datelike, FixedOffset, TimeZone, Timelike, Utc};
use keyrot::read::{Simd, COLUMNS};
use keyrot::{analyze, AnomalyCode, ErrorCode, FindingCode, Granularity, InputFormat, LastUsed, Options, Status};
use proptest::prelude::*;
use proptest::sample::Index;
use std::collections::HashSet;

const DAY: i64 = 86_400;

/// The tests' shorthand for options that differ from a case's in one field.
trait With {
    fn with_lenient(self, lenient: bool) -> Options;
    fn with_rules(self, rules: keyrot::RuleSet) -> Options;
}

impl With for Options {
    fn with_lenient(mut self, lenient: bool) -> Options {
        self.lenient = lenient;
        self
    }

    fn with_rules(mut self, rules: keyrot::RuleSet) -> Options {
        self.rules = rules;
        self
    }
}

// ---------------------------------------------------------------------------
// A model of a valid report, rendered to bytes.

/// How one timestamp cell is written.
#[derive(Debug, Clone, Copy)]
enum Form {
    /// `…Z`, AWS since 2024.
    Z,
    /// `…+00:00`, AWS until 2024.
    Offset0,
    /// `…+05:30`, another offset (never seen from AWS, accepted).
    Plus0530,
    /// `….000Z`, fractional seconds that are zero.
    Millis,
}

fn form() -> impl Strategy<Value = Form> {
    prop_oneof![4 => Just(Form::Z), 4 => Just(Form::Offset0), 1 => Just(Form::Plus0530), 1 => Just(Form::Millis)]
}

fn render(t: DateTime<Utc>, form: Form) -> String {
    match form {
        Form::Z => t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        Form::Offset0 => t.format("%Y-%m-%dT%H:%M:%S+00:00").to_string(),
        Form::Plus0530 => {
            let tz = FixedOffset::east_opt(5 * 3600 + 30 * 60).expect("a valid offset");
            t.with_timezone(&tz).format("%Y-%m-%dT%H:%M:%S+05:30").to_string()
        }
        Form::Millis => t.format("%Y-%m-%dT%H:%M:%S.000Z").to_string(),
    }
}

/// One access-key slot.
#[derive(Debug, Clone)]
enum Slot {
    /// `false,N/A`: no key.
    Empty,
    /// `true,N/A`: inconsistent, judged `invalid` (`no_rotation_date`).
    ActiveNoDate,
    /// A key rotated `age` seconds before `as_of` (negative: in the future),
    /// last used `used` seconds before `as_of` (or never).
    Key { active: bool, age: i64, form: Form, used: Option<i64> },
}

#[derive(Debug, Clone)]
struct GenRow {
    user: String,
    root: bool,
    slots: [Slot; 2],
    /// Seconds before `as_of` the user was created.
    created: i64,
    /// Seconds before `as_of` the password was last used, when it has one.
    password: Option<i64>,
    /// Blank lines before the row.
    blank_before: usize,
    /// Write the booleans in upper case.
    upper: bool,
}

#[derive(Debug, Clone)]
struct GenReport {
    as_of: DateTime<Utc>,
    max_age_days: u32,
    warn_days: u32,
    include_inactive: bool,
    whole_days: bool,
    /// Accounts with their rows, in order.
    accounts: Vec<(String, Vec<GenRow>)>,
    /// The order of the 22 columns.
    columns: Vec<&'static str>,
    crlf: bool,
    final_newline: bool,
    bom: bool,
    quote_all: bool,
}

impl GenReport {
    fn rows(&self) -> impl Iterator<Item = (&str, &GenRow)> {
        self.accounts.iter().flat_map(|(acct, rows)| rows.iter().map(move |r| (acct.as_str(), r)))
    }

    fn options(&self) -> Options {
        let mut o = Options::at(self.as_of);
        o.max_age_days = self.max_age_days;
        o.warn_days = self.warn_days;
        o.include_inactive = self.include_inactive;
        o.granularity = if self.whole_days { Granularity::WholeDays } else { Granularity::Exact };
        o
    }

    fn at(&self, seconds_before: i64) -> DateTime<Utc> {
        self.as_of - chrono::TimeDelta::seconds(seconds_before)
    }

    fn bool_text(upper: bool, b: bool) -> &'static str {
        match (upper, b) {
            (false, true) => "true",
            (false, false) => "false",
            (true, true) => "TRUE",
            (true, false) => "FALSE",
        }
    }

    /// The cells of one row, by column name.
    fn cells(&self, acct: &str, row: &GenRow) -> Vec<(&'static str, String)> {
        let b = |v: bool| Self::bool_text(row.upper, v).to_owned();
        let mut cells = vec![
            ("user", row.user.clone()),
            (
                "arn",
                if row.root {
                    format!("arn:aws:iam::{acct}:root")
                } else {
                    format!("arn:aws:iam::{acct}:user/{}", row.user)
                },
            ),
            ("user_creation_time", render(self.at(row.created), Form::Offset0)),
            ("mfa_active", b(row.root)),
        ];
        if row.root {
            cells.push(("password_enabled", "not_supported".into()));
            cells.push(("password_last_used", "no_information".into()));
            cells.push(("password_last_changed", "not_supported".into()));
            cells.push(("password_next_rotation", "not_supported".into()));
        } else if let Some(used) = row.password {
            cells.push(("password_enabled", b(true)));
            cells.push(("password_last_used", render(self.at(used), Form::Z)));
            cells.push(("password_last_changed", render(self.at(row.created), Form::Z)));
            // Scheduled in the future: never a report timestamp.
            cells.push(("password_next_rotation", render(self.at(-60 * DAY), Form::Z)));
        } else {
            cells.push(("password_enabled", b(false)));
            for c in ["password_last_used", "password_last_changed", "password_next_rotation"] {
                cells.push((c, "N/A".into()));
            }
        }
        for (n, slot) in row.slots.iter().enumerate() {
            let (active, rotated, used, region, service) = match slot {
                Slot::Empty => (b(false), "N/A".into(), "N/A".into(), "N/A", "N/A"),
                Slot::ActiveNoDate => (b(true), "N/A".into(), "N/A".into(), "N/A", "N/A"),
                Slot::Key { active, age, form, used } => {
                    let (used, region, service) = match used {
                        Some(u) => (render(self.at(*u), Form::Z), "us-east-1", "s3"),
                        None => ("N/A".to_owned(), "N/A", "N/A"),
                    };
                    (b(*active), render(self.at(*age), *form), used, region, service)
                }
            };
            let p = |s: &str| -> &'static str {
                COLUMNS.iter().find(|c| **c == format!("access_key_{}_{s}", n + 1)).copied().expect("a known column")
            };
            cells.push((p("active"), active));
            cells.push((p("last_rotated"), rotated));
            cells.push((p("last_used_date"), used));
            cells.push((p("last_used_region"), region.into()));
            cells.push((p("last_used_service"), service.into()));
        }
        for c in ["cert_1_active", "cert_2_active"] {
            cells.push((c, b(false)));
        }
        for c in ["cert_1_last_rotated", "cert_2_last_rotated"] {
            cells.push((c, "N/A".into()));
        }
        cells
    }

    fn field(&self, value: &str) -> String {
        if self.quote_all || value.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", value.replace('"', "\"\""))
        } else {
            value.to_owned()
        }
    }

    /// The lines of the report (no line endings), each row as its fields.
    fn row_fields(&self, acct: &str, row: &GenRow) -> Vec<String> {
        let cells = self.cells(acct, row);
        self.columns
            .iter()
            .map(|c| {
                let v = &cells.iter().find(|(name, _)| name == c).expect("every column has a cell").1;
                self.field(v)
            })
            .collect()
    }

    fn newline(&self) -> &'static [u8] {
        if self.crlf {
            b"\r\n"
        } else {
            b"\n"
        }
    }

    /// Renders the report; `corrupt` may rewrite the fields of row `i`.
    fn render_with(&self, corrupt: &dyn Fn(usize, &mut Vec<Vec<u8>>)) -> Vec<u8> {
        let nl = self.newline();
        let mut out = Vec::new();
        if self.bom {
            out.extend_from_slice(b"\xEF\xBB\xBF");
        }
        let header: Vec<String> = self.columns.iter().map(|c| self.field(c)).collect();
        out.extend_from_slice(header.join(",").as_bytes());
        for (i, (acct, row)) in self.rows().enumerate() {
            out.extend_from_slice(nl);
            for _ in 0..row.blank_before {
                out.extend_from_slice(nl);
            }
            let mut fields: Vec<Vec<u8>> = self.row_fields(acct, row).into_iter().map(String::into_bytes).collect();
            corrupt(i, &mut fields);
            out.extend_from_slice(&fields.join(&b","[..]));
        }
        if self.final_newline {
            out.extend_from_slice(nl);
        }
        out
    }

    fn render(&self) -> Vec<u8> {
        self.render_with(&|_, _| {})
    }

    /// The 1-based line of each row.
    fn lines(&self) -> Vec<u64> {
        let mut line = 1u64;
        self.rows()
            .map(|(_, row)| {
                line += 1 + row.blank_before as u64;
                line
            })
            .collect()
    }
}

/// A time offset in seconds (before `as_of`) near what matters for the
/// policy: the limit, the warning edge, now, and anywhere in between.
fn age(max_age_days: u32, warn_days: u32) -> impl Strategy<Value = i64> {
    let limit = i64::from(max_age_days) * DAY;
    let warn_edge = limit - i64::from(warn_days) * DAY;
    prop_oneof![
        3 => -5 * DAY..limit + 40 * DAY,
        1 => (-2i64..=2).prop_map(move |d| limit + d),
        1 => (-2i64..=2).prop_map(move |d| limit + DAY + d),
        1 => (-2i64..=2).prop_map(move |d| warn_edge + d),
        1 => -2i64..=2,
    ]
}

fn slot(max_age_days: u32, warn_days: u32) -> impl Strategy<Value = Slot> {
    let key = (any::<bool>(), age(max_age_days, warn_days), form(), prop::option::of(-DAY..400 * DAY))
        .prop_map(|(active, age, form, used)| Slot::Key { active, age, form, used });
    prop_oneof![3 => Just(Slot::Empty), 1 => Just(Slot::ActiveNoDate), 8 => key]
}

fn gen_row(max_age_days: u32, warn_days: u32) -> impl Strategy<Value = GenRow> {
    (
        "[A-Za-z0-9_+=,.@-]{1,16}",
        [slot(max_age_days, warn_days), slot(max_age_days, warn_days)],
        0..3000 * DAY,
        prop::option::of(0..100 * DAY),
        prop_oneof![6 => Just(0usize), 1 => 1usize..3],
        prop::bool::weighted(0.1),
    )
        .prop_map(|(user, slots, created, password, blank_before, upper)| GenRow {
            user,
            root: false,
            slots,
            created,
            password,
            blank_before,
            upper,
        })
}

fn account(max_age_days: u32, warn_days: u32) -> impl Strategy<Value = (String, Vec<GenRow>)> {
    (
        prop_oneof![Just("111122223333".to_owned()), Just("444455556666".to_owned()), Just("0123456789".to_owned())],
        any::<bool>(),
        slot(max_age_days, warn_days),
        prop::collection::vec(gen_row(max_age_days, warn_days), 0..8),
    )
        .prop_map(|(acct, with_root, root_slot, mut rows)| {
            if with_root {
                rows.insert(
                    0,
                    GenRow {
                        user: "<root_account>".into(),
                        root: true,
                        slots: [root_slot, Slot::Empty],
                        created: 4000 * DAY,
                        password: None,
                        blank_before: 0,
                        upper: false,
                    },
                );
            }
            (acct, rows)
        })
}

fn report() -> impl Strategy<Value = GenReport> {
    (1u32..=400)
        .prop_flat_map(|max| (Just(max), 0..=max))
        .prop_flat_map(|(max, warn)| {
            (
                (Just(max), Just(warn), any::<bool>(), any::<bool>()),
                // as_of anywhere from 2016 to 2030, to the second
                1_450_000_000i64..1_900_000_000,
                prop::collection::vec(account(max, warn), 1..3),
                Just(COLUMNS.to_vec()).prop_shuffle(),
                (any::<bool>(), any::<bool>(), prop::bool::weighted(0.2), prop::bool::weighted(0.2)),
            )
        })
        .prop_map(|((max, warn, include_inactive, whole_days), as_of, mut accounts, columns, flags)| {
            // Keep each account's rows together (one run per account).
            let mut seen = HashSet::new();
            accounts.retain(|(acct, _)| seen.insert(acct.clone()));
            GenReport {
                as_of: Utc.timestamp_opt(as_of, 0).single().expect("a valid instant"),
                max_age_days: max,
                warn_days: warn,
                include_inactive,
                whole_days,
                accounts,
                columns,
                crlf: flags.0,
                final_newline: flags.1,
                bom: flags.2,
                quote_all: flags.3,
            }
        })
}

// ---------------------------------------------------------------------------
// The rule, recomputed from rotation-rule.md §1.3 in whole seconds.

#[derive(Debug, PartialEq)]
struct Expected {
    line: u64,
    user: String,
    account: String,
    slot: u8,
    status: Status,
    code: Option<FindingCode>,
    active: bool,
    age_days: Option<i64>,
    days_until_due: Option<i64>,
}

fn expected_findings(r: &GenReport) -> Vec<Expected> {
    let limit = i64::from(r.max_age_days) * DAY;
    let warn = i64::from(r.warn_days) * DAY;
    let mut out = Vec::new();
    for ((acct, row), line) in r.rows().zip(r.lines()) {
        for (n, slot) in row.slots.iter().enumerate() {
            let base = |status, code, active, age: Option<i64>| Expected {
                line,
                user: row.user.clone(),
                account: acct.to_owned(),
                slot: n as u8 + 1,
                status,
                code,
                active,
                age_days: age.map(|a| a.div_euclid(DAY)),
                // Whole days: the limit less the whole days of age, so that
                // it is negative exactly when the key is overdue in that mode.
                days_until_due: age.map(|a| {
                    if r.whole_days {
                        i64::from(r.max_age_days) - a.div_euclid(DAY)
                    } else {
                        (limit - a).div_euclid(DAY)
                    }
                }),
            };
            match *slot {
                Slot::Empty => {}
                Slot::ActiveNoDate => out.push(base(Status::Invalid, Some(FindingCode::NoRotationDate), true, None)),
                Slot::Key { active, age, .. } => {
                    let over = if r.whole_days { age.div_euclid(DAY) > i64::from(r.max_age_days) } else { age > limit };
                    let (status, code) = if age < 0 {
                        (Status::Invalid, Some(FindingCode::FutureTimestamp))
                    } else if over && (active || r.include_inactive) {
                        (Status::Fail, None)
                    } else if !active {
                        (Status::Inactive, None)
                    } else if warn > 0
                        && if r.whole_days {
                            age.div_euclid(DAY) > i64::from(r.max_age_days - r.warn_days)
                        } else {
                            age > limit - warn
                        }
                    {
                        (Status::DueSoon, None)
                    } else {
                        (Status::Pass, None)
                    };
                    out.push(base(status, code, active, Some(age)));
                }
            }
        }
    }
    out
}

/// Checks what must hold of any analysis: counts add up, findings are in
/// input order.
fn check_consistency(a: &keyrot::Analysis) -> Result<(), TestCaseError> {
    let o = &a.summary.overall;
    prop_assert_eq!(o.keys as usize, a.findings.len());
    for s in Status::ALL {
        prop_assert_eq!(o.count(s) as usize, a.findings.iter().filter(|f| f.status == s).count(), "{}", s);
    }
    prop_assert_eq!(o.active_keys as usize, a.findings.iter().filter(|f| f.active).count());
    let non_compliant = a.findings.iter().any(|f| matches!(f.status, Status::Fail | Status::Invalid));
    prop_assert_eq!(o.compliant, !non_compliant);
    let oldest = a.findings.iter().filter(|f| f.active && f.status != Status::Invalid).filter_map(|f| f.age_days).max();
    prop_assert_eq!(o.oldest_active_key_age_days, oldest);
    prop_assert!(o.users_with_keys <= o.users);
    let lines_with_keys: HashSet<u64> = a.findings.iter().map(|f| f.line).collect();
    prop_assert_eq!(o.users_with_keys as usize, lines_with_keys.len());
    let sum = |get: fn(&keyrot::Counts) -> u64| a.summary.accounts.iter().map(|acc| get(&acc.counts)).sum::<u64>();
    prop_assert_eq!(sum(|c| c.users), o.users);
    prop_assert_eq!(sum(|c| c.keys), o.keys);
    prop_assert_eq!(sum(|c| c.fail), o.fail);
    prop_assert_eq!(sum(|c| c.invalid), o.invalid);
    for pair in a.findings.windows(2) {
        prop_assert!((pair[0].line, pair[0].slot) < (pair[1].line, pair[1].slot), "findings out of order");
    }
    for f in &a.findings {
        prop_assert!(f.slot == Some(1) || f.slot == Some(2));
        prop_assert_eq!(f.code.is_some(), f.status == Status::Invalid);
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// (a) No input panics.

fn as_of() -> Options {
    Options::at(keyrot::parse_timestamp("2026-11-26T00:00:00Z").expect("a valid as_of"))
}

fn run_all_modes(bytes: &[u8]) -> Result<(), TestCaseError> {
    for lenient in [false, true] {
        for format in [InputFormat::Auto, InputFormat::Csv, InputFormat::Base64, InputFormat::CliJson] {
            let mut options = as_of().with_lenient(lenient);
            options.format = format;
            if let Ok(analysis) = analyze(bytes, &options) {
                check_consistency(&analysis)?;
            }
        }
    }
    Ok(())
}

/// A byte that often means something to a CSV parser or to keyrot.
fn interesting_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        4 => any::<u8>(),
        2 => prop::sample::select(b",\"\n\r\0 \t=+/{}:".to_vec()),
        1 => prop::sample::select(vec![0xEF, 0xBB, 0xBF, 0xC3, 0xE9, 0xFF, 0x80]),
    ]
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(Index, u8),
    Insert(Index, u8),
    Delete(Index, usize),
    Truncate(Index),
    Duplicate(Index, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<Index>(), 1u8..=255).prop_map(|(i, x)| Mutation::Flip(i, x)),
        (any::<Index>(), interesting_byte()).prop_map(|(i, b)| Mutation::Insert(i, b)),
        (any::<Index>(), 1usize..40).prop_map(|(i, n)| Mutation::Delete(i, n)),
        any::<Index>().prop_map(Mutation::Truncate),
        (any::<Index>(), 1usize..200).prop_map(|(i, n)| Mutation::Duplicate(i, n)),
    ]
}

fn mutate(bytes: &mut Vec<u8>, m: &Mutation) {
    if bytes.is_empty() {
        return;
    }
    match m {
        Mutation::Flip(i, x) => {
            let i = i.index(bytes.len());
            bytes[i] ^= x;
        }
        Mutation::Insert(i, b) => {
            let i = i.index(bytes.len() + 1);
            bytes.insert(i, *b);
        }
        Mutation::Delete(i, n) => {
            let i = i.index(bytes.len());
            let end = (i + n).min(bytes.len());
            bytes.drain(i..end);
        }
        Mutation::Truncate(i) => {
            let i = i.index(bytes.len());
            bytes.truncate(i);
        }
        Mutation::Duplicate(i, n) => {
            let i = i.index(bytes.len());
            let end = (i + n).min(bytes.len());
            let copy = bytes[i..end].to_vec();
            bytes.splice(i..i, copy);
        }
    }
}

/// How a (possibly mutated) report is handed over: as is, as base64, in
/// the AWS CLI's JSON, or in a saved boto3 response (c7n placebo shape).
fn wrap(csv: &[u8], how: u8, generated: DateTime<Utc>) -> Vec<u8> {
    let b64 = base64::engine::general_purpose::STANDARD.encode(csv);
    match how % 4 {
        0 => csv.to_vec(),
        1 => b64.into_bytes(),
        2 => serde_json::json!({
            "Content": b64,
            "ReportFormat": "text/csv",
            "GeneratedTime": generated.format("%Y-%m-%dT%H:%M:%S+00:00").to_string(),
        })
        .to_string()
        .into_bytes(),
        _ => serde_json::json!({"status_code": 200, "data": {
            "Content": String::from_utf8_lossy(csv),
            "ReportFormat": "text/csv",
            "GeneratedTime": {
                "__class__": "datetime",
                "year": generated.year(), "month": generated.month(), "day": generated.day(),
                "hour": generated.hour(), "minute": generated.minute(), "second": generated.second(),
                "microsecond": 0,
            },
        }})
        .to_string()
        .into_bytes(),
    }
}

fn fixed_generated_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 0, 0, 0).single().expect("a valid instant")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        run_all_modes(&bytes)?;
    }

    #[test]
    fn bytes_after_a_valid_header_never_panic(tail in prop::collection::vec(interesting_byte(), 0..2048)) {
        let mut bytes = COLUMNS.join(",").into_bytes();
        bytes.push(b'\n');
        bytes.extend_from_slice(&tail);
        run_all_modes(&bytes)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn mutated_reports_never_panic(
        r in report(),
        mutations in prop::collection::vec(mutation(), 1..8),
        how in any::<u8>(),
    ) {
        let mut bytes = r.render();
        for m in &mutations {
            mutate(&mut bytes, m);
        }
        let wrapped = wrap(&bytes, how, fixed_generated_time());
        for lenient in [false, true] {
            let options = r.options().with_lenient(lenient);
            if let Ok(analysis) = analyze(&wrapped[..], &options) {
                check_consistency(&analysis)?;
            }
            if let Ok(analysis) = analyze(&bytes[..], &options) {
                check_consistency(&analysis)?;
            }
        }
    }

    // (b) A valid report is judged as the rule says.
    #[test]
    fn valid_reports_are_judged_by_the_rule(r in report(), how in 0u8..4, generated_before in 0i64..2 * DAY) {
        let generated = r.at(generated_before);
        let bytes = wrap(&r.render(), how, generated);
        let analysis = analyze(&bytes[..], &r.options())
            .map_err(|e| TestCaseError::fail(format!("a valid report must parse: {e}")))?;
        check_consistency(&analysis)?;
        let (format, known) = match how {
            0 => (InputFormat::Csv, None),
            1 => (InputFormat::Base64, None),
            _ => (InputFormat::CliJson, Some(generated)),
        };
        prop_assert_eq!(analysis.input_format, format);
        prop_assert_eq!(analysis.generated_time, known);
        let stale = analysis.anomalies.iter().any(|a| a.code == AnomalyCode::ReportStale);
        prop_assert_eq!(stale, known.is_some() && generated_before > DAY);

        let expected = expected_findings(&r);
        let actual: Vec<Expected> = analysis
            .findings
            .iter()
            .map(|f| Expected {
                line: f.line,
                user: f.user.clone(),
                account: f.account_id.clone(),
                slot: f.slot.unwrap_or_default(),
                status: f.status,
                code: f.code,
                active: f.active,
                age_days: f.age_days,
                days_until_due: f.days_until_due,
            })
            .collect();
        prop_assert_eq!(&actual, &expected);

        // Every field of a finding that can be recomputed.
        let slots = r.rows().flat_map(|(_, row)| row.slots.iter().filter(|s| !matches!(s, Slot::Empty)).map(move |s| (row, s)));
        for (f, (row, slot)) in analysis.findings.iter().zip(slots) {
            prop_assert_eq!(f.is_root, row.root);
            match *slot {
                Slot::Key { age, used, .. } => {
                    let rotated = r.at(age);
                    prop_assert_eq!(f.last_rotated, Some(rotated));
                    // Exact: the last passing instant; whole days: the first
                    // failing one (a day later).
                    let due_days = i64::from(r.max_age_days) + i64::from(r.whole_days);
                    prop_assert_eq!(f.due_at, Some(rotated + chrono::TimeDelta::days(due_days)));
                    match used {
                        None => {
                            // `N/A` means "never used" only for a key created since AWS tracks use.
                            let tracked = rotated >= Utc.with_ymd_and_hms(2015, 4, 22, 0, 0, 0).unwrap();
                            prop_assert_eq!(f.last_used, Some(if tracked { LastUsed::Never } else { LastUsed::NoInformation }));
                            prop_assert_eq!(f.used_since_rotation, if tracked { Some(false) } else { None });
                            prop_assert_eq!(f.last_used_region.as_deref(), None);
                        }
                        Some(u) => {
                            let used_at = r.at(u);
                            prop_assert_eq!(f.last_used, Some(LastUsed::At(used_at)));
                            let rotated_minute = rotated.timestamp().div_euclid(60) * 60;
                            prop_assert_eq!(f.used_since_rotation, Some(used_at.timestamp() >= rotated_minute));
                            prop_assert_eq!(f.last_used_region.as_deref(), Some("us-east-1"));
                            prop_assert_eq!(f.last_used_service.as_deref(), Some("s3"));
                        }
                    }
                }
                Slot::ActiveNoDate => {
                    prop_assert_eq!(f.last_rotated, None);
                    prop_assert_eq!(f.due_at, None);
                }
                Slot::Empty => prop_assert!(false, "an empty slot has no finding"),
            }
        }

        // The summary, recomputed.
        let rows: Vec<_> = r.rows().collect();
        let o = &analysis.summary.overall;
        prop_assert_eq!(o.users as usize, rows.len());
        let with_keys = rows.iter().filter(|(_, row)| row.slots.iter().any(|s| !matches!(s, Slot::Empty))).count();
        prop_assert_eq!(o.users_with_keys as usize, with_keys);
        for s in Status::ALL {
            prop_assert_eq!(o.count(s) as usize, expected.iter().filter(|e| e.status == s).count());
        }
        let accounts: Vec<&str> = analysis.summary.accounts.iter().map(|a| a.account_id.as_str()).collect();
        let mut want: Vec<&str> = r.accounts.iter().filter(|(_, rows)| !rows.is_empty()).map(|(a, _)| a.as_str()).collect();
        want.sort_unstable();
        prop_assert_eq!(accounts, want);

        // Anomalies: duplicate users (case-insensitive, per account), and
        // as_of_before_report exactly when a recorded event is after as_of.
        let mut dups = Vec::new();
        for (_, rows) in &r.accounts {
            let mut seen = HashSet::new();
            for row in rows {
                if !seen.insert(row.user.to_lowercase()) {
                    dups.push(row.user.clone());
                }
            }
        }
        let found: Vec<String> = analysis
            .anomalies
            .iter()
            .filter(|a| a.code == AnomalyCode::DuplicateUser)
            .filter_map(|a| a.value.clone())
            .collect();
        prop_assert_eq!(found, dups);
        let newest = rows
            .iter()
            .flat_map(|(_, row)| {
                let mut t = vec![row.created];
                if !row.root {
                    if let Some(p) = row.password {
                        t.push(p);
                    }
                }
                for s in &row.slots {
                    if let Slot::Key { age, used, .. } = s {
                        t.push(*age);
                        t.extend(used);
                    }
                }
                t
            })
            .min()
            .map(|s| r.at(s));
        prop_assert_eq!(analysis.newest_timestamp, newest);
        let before = analysis.anomalies.iter().any(|a| a.code == AnomalyCode::AsOfBeforeReport);
        prop_assert_eq!(before, newest.is_some_and(|n| n > r.as_of));
        let others = analysis
            .anomalies
            .iter()
            .filter(|a| !matches!(a.code, AnomalyCode::DuplicateUser | AnomalyCode::AsOfBeforeReport | AnomalyCode::ReportStale))
            .count();
        prop_assert_eq!(others, 0, "{:?}", analysis.anomalies);
    }
}

// ---------------------------------------------------------------------------
// (c) Lenient mode never loses a row.

/// A row-level problem put into one row.
#[derive(Debug, Clone)]
enum Corruption {
    /// An invalid timestamp in a timestamp column.
    Timestamp(&'static str, &'static str),
    /// An invalid boolean in a boolean column.
    Boolean(&'static str, &'static str),
    /// An unquoted comma: one field more.
    ExtraField,
    /// The last `n` fields cut off.
    MissingFields(usize),
    /// Latin-1 text (not UTF-8) in a column.
    Latin1(&'static str),
}

const TIMESTAMP_COLUMNS: [&str; 9] = [
    "user_creation_time",
    "password_last_used",
    "password_last_changed",
    "password_next_rotation",
    "access_key_1_last_rotated",
    "access_key_1_last_used_date",
    "access_key_2_last_rotated",
    "access_key_2_last_used_date",
    "cert_2_last_rotated",
];
const BOOLEAN_COLUMNS: [&str; 5] =
    ["password_enabled", "mfa_active", "access_key_1_active", "access_key_2_active", "cert_1_active"];

fn corruption() -> impl Strategy<Value = Corruption> {
    prop_oneof![
        (
            prop::sample::select(TIMESTAMP_COLUMNS.to_vec()),
            prop::sample::select(vec!["2019-02-30T00:00:00Z", "2026-10-01", "2026-10-01 09:30:00", "yesterday", "0"])
        )
            .prop_map(|(c, v)| Corruption::Timestamp(c, v)),
        (prop::sample::select(BOOLEAN_COLUMNS.to_vec()), prop::sample::select(vec!["yes", "1", "maybe", "Active"]))
            .prop_map(|(c, v)| Corruption::Boolean(c, v)),
        Just(Corruption::ExtraField),
        (1usize..21).prop_map(Corruption::MissingFields),
        prop::sample::select(vec!["user", "arn", "access_key_1_last_used_service", "cert_2_last_rotated"])
            .prop_map(Corruption::Latin1),
    ]
}

impl Corruption {
    fn apply(&self, columns: &[&str], fields: &mut Vec<Vec<u8>>) {
        let pos = |c: &str| columns.iter().position(|x| *x == c).expect("a known column");
        match self {
            Corruption::Timestamp(c, v) | Corruption::Boolean(c, v) => fields[pos(c)] = v.as_bytes().to_vec(),
            Corruption::ExtraField => fields.push(b"extra".to_vec()),
            Corruption::MissingFields(n) => fields.truncate(fields.len() - n),
            Corruption::Latin1(c) => fields[pos(c)] = b"jos\xe9".to_vec(),
        }
    }

    fn error(&self) -> ErrorCode {
        match self {
            Corruption::Timestamp(..) => ErrorCode::InvalidTimestamp,
            Corruption::Boolean(..) => ErrorCode::InvalidBoolean,
            Corruption::ExtraField | Corruption::MissingFields(_) => ErrorCode::FieldCount,
            Corruption::Latin1(_) => ErrorCode::InvalidUtf8,
        }
    }

    /// The key slot the problem makes `invalid`: `Some(None)` for both.
    fn slots(&self) -> Option<Option<u8>> {
        match self {
            Corruption::Timestamp(c, _) | Corruption::Boolean(c, _) => {
                if c.starts_with("access_key_1") {
                    Some(Some(1))
                } else if c.starts_with("access_key_2") {
                    Some(Some(2))
                } else {
                    None
                }
            }
            _ => Some(None),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn lenient_mode_never_loses_a_row(
        r in report(),
        picks in prop::collection::vec((any::<Index>(), corruption()), 1..4),
    ) {
        let rows = r.rows().count();
        prop_assume!(rows > 0);
        let mut bad: Vec<Option<Corruption>> = vec![None; rows];
        for (i, c) in picks {
            bad[i.index(rows)] = Some(c);
        }
        let columns = r.columns.clone();
        let bytes = r.render_with(&|i, fields| {
            if let Some(c) = &bad[i] {
                c.apply(&columns, fields);
            }
        });
        let lines = r.lines();

        let lenient = analyze(&bytes[..], &r.options().with_lenient(true))
            .map_err(|e| TestCaseError::fail(format!("lenient mode must judge: {e}")))?;
        check_consistency(&lenient)?;
        prop_assert_eq!(lenient.summary.overall.users as usize, rows);

        let valid = expected_findings(&r);
        for (i, c) in bad.iter().enumerate() {
            let line = lines[i];
            let Some(c) = c else {
                // An untouched row is judged as in a clean report.
                let want: Vec<(u8, Status)> = valid.iter().filter(|e| e.line == line).map(|e| (e.slot, e.status)).collect();
                let got: Vec<(u8, Status)> = lenient.findings.iter().filter(|f| f.line == line).map(|f| (f.slot.unwrap_or_default(), f.status)).collect();
                prop_assert_eq!(got, want);
                continue;
            };
            let errors: Vec<ErrorCode> = lenient
                .anomalies
                .iter()
                .filter(|a| a.code == AnomalyCode::RowError && a.line == Some(line))
                .filter_map(|a| a.error)
                .collect();
            prop_assert_eq!(errors, vec![c.error()]);
            let invalid: Vec<u8> = lenient
                .findings
                .iter()
                .filter(|f| f.line == line && f.code == Some(FindingCode::RowError))
                .filter_map(|f| f.slot)
                .collect();
            match c.slots() {
                Some(None) => prop_assert_eq!(invalid, vec![1, 2]),
                Some(Some(slot)) => prop_assert_eq!(invalid, vec![slot]),
                None => {
                    prop_assert!(invalid.is_empty());
                    let want: Vec<(u8, Status)> = valid.iter().filter(|e| e.line == line).map(|e| (e.slot, e.status)).collect();
                    let got: Vec<(u8, Status)> = lenient.findings.iter().filter(|f| f.line == line).map(|f| (f.slot.unwrap_or_default(), f.status)).collect();
                    prop_assert_eq!(got, want);
                }
            }
        }

        // Strict mode stops at the first bad row, naming it.
        let first = bad.iter().position(Option::is_some).expect("one row is bad");
        let err = analyze(&bytes[..], &r.options()).err();
        let err = err.ok_or_else(|| TestCaseError::fail("strict mode must reject a bad row"))?;
        prop_assert_eq!(err.line(), Some(lines[first]));
        prop_assert_eq!(err.code(), bad[first].as_ref().map(Corruption::error).expect("the first bad row"));
    }
}

// ---------------------------------------------------------------------------
// (d) The fast decoding (`Run`: batches judged from their bytes, what
// `analyze` uses) gives exactly what the typed decoding (`ReportReader`'s
// `Row`s and `Analyzer::judge`) gives, wherever the input is cut into chunks
// and on any number of threads.

/// The analysis by the typed path, as JSON, or the error.
fn typed_path(bytes: &[u8], options: &Options) -> Result<serde_json::Value, String> {
    let run = || -> Result<keyrot::Analysis, keyrot::Error> {
        let mut reader = keyrot::read::ReportReader::new(bytes, &options.parse_options())?;
        let mut analyzer = keyrot::read::Analyzer::new(&reader, options)?;
        let mut findings = Vec::new();
        while let Some(row) = reader.read_row()? {
            findings.extend(analyzer.judge(&row));
        }
        // The typed path reads rows, not bytes: its digest is that of the
        // whole input, which the fast path takes as it reads.
        Ok(keyrot::Analysis { input_sha256: Some(keyrot::read::sha256_hex(bytes)), ..analyzer.finish(findings) })
    };
    run().map(|a| serde_json::to_value(&a).expect("serializable")).map_err(|e| format!("{e:?}"))
}

/// The analysis by the fast path with chunks of about `chunk` bytes, on
/// `threads` threads, with the structural scan's instructions `simd`.
fn fast_path(
    bytes: &[u8],
    options: &Options,
    chunk: usize,
    threads: usize,
    simd: Simd,
) -> Result<serde_json::Value, String> {
    let mut findings = Vec::new();
    keyrot::Run::new(options)
        .simd(simd)
        .chunk_bytes(chunk)
        .threads(threads)
        .report(bytes, |batch| {
            findings.extend(batch.to_findings());
            Ok::<(), keyrot::Error>(())
        })
        .map(|mut analysis| {
            analysis.findings = findings;
            serde_json::to_value(&analysis).expect("serializable")
        })
        .map_err(|e| format!("{e:?}"))
}

fn paths_agree(bytes: &[u8], options: &Options, chunk: usize) -> Result<(), TestCaseError> {
    let typed = typed_path(bytes, options);
    // Every level of the scan, each on the three.
    let runs = [(chunk, 1), (chunk, 2), (1 << 20, 1)];
    for (simd, (size, threads)) in Simd::available().into_iter().flat_map(|simd| runs.map(|run| (simd, run))) {
        let fast = fast_path(bytes, options, size, threads, simd);
        if fast != typed {
            eprintln!("INPUT {}", bytes.escape_ascii());
            let show = |r: &Result<serde_json::Value, String>| match r {
                Ok(v) => serde_json::to_string_pretty(v).unwrap_or_default(),
                Err(e) => e.clone(),
            };
            let (f, t) = (show(&fast), show(&typed));
            let first = f.lines().zip(t.lines()).position(|(a, b)| a != b).unwrap_or(0);
            let around = |s: &str| s.lines().skip(first.saturating_sub(3)).take(8).collect::<Vec<_>>().join("\n");
            return Err(TestCaseError::fail(format!(
                "chunks of {size} bytes on {threads} threads, {simd}: the fast path gives\n{}\nthe typed path\n{}",
                around(&f),
                around(&t)
            )));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn fast_path_agrees_on_valid_reports(r in report(), chunk in 1usize..400) {
        paths_agree(&r.render(), &r.options(), chunk)?;
        // The other checks are judged from the same cells on both paths.
        paths_agree(&r.render(), &r.options().with_rules(keyrot::RuleSet::ALL), chunk)?;
    }

    #[test]
    fn fast_path_agrees_on_mutated_reports(
        r in report(),
        mutations in prop::collection::vec(mutation(), 1..8),
        chunk in 1usize..400,
    ) {
        let mut bytes = r.render();
        for m in &mutations {
            mutate(&mut bytes, m);
        }
        for lenient in [false, true] {
            paths_agree(&bytes, &r.options().with_lenient(lenient), chunk)?;
            paths_agree(&bytes, &r.options().with_lenient(lenient).with_rules(keyrot::RuleSet::ALL), chunk)?;
        }
    }

    #[test]
    fn fast_path_agrees_on_mutated_wrapped_reports(
        r in report(),
        how in 1u8..4,
        mutations in prop::collection::vec(mutation(), 0..4),
        chunk in 1usize..400,
    ) {
        // Mutating the base64 or the JSON makes the input fail part way.
        let mut bytes = wrap(&r.render(), how, fixed_generated_time());
        for m in &mutations {
            mutate(&mut bytes, m);
        }
        for lenient in [false, true] {
            paths_agree(&bytes, &r.options().with_lenient(lenient), chunk)?;
        }
    }

    #[test]
    fn fast_path_agrees_on_csv_soup(tail in csv_soup(), chunk in 1usize..400) {
        let mut bytes = COLUMNS.join(",").into_bytes();
        bytes.push(b'\n');
        bytes.extend_from_slice(&tail);
        for lenient in [false, true] {
            paths_agree(&bytes, &as_of().with_lenient(lenient), chunk)?;
        }
    }

    #[test]
    fn fast_path_agrees_after_a_valid_header(
        tail in prop::collection::vec(interesting_byte(), 0..2048),
        chunk in 1usize..400,
    ) {
        let mut bytes = COLUMNS.join(",").into_bytes();
        bytes.push(b'\n');
        bytes.extend_from_slice(&tail);
        for lenient in [false, true] {
            paths_agree(&bytes, &as_of().with_lenient(lenient), chunk)?;
            paths_agree(&bytes, &as_of().with_lenient(lenient).with_rules(keyrot::RuleSet::ALL), chunk)?;
        }
    }
}

// ---------------------------------------------------------------------------
// (e) The fast reading of the two timestamp forms AWS writes agrees with
// chrono's, digit for digit, valid or not.

fn timestamp_like() -> impl Strategy<Value = String> {
    (
        (0u32..=9999, 0u32..=13, 0u32..=32),
        (0u32..=24, 0u32..=60, 0u32..=60),
        prop::sample::select(vec!["Z", "+00:00"]),
        prop::option::weighted(0.2, (0usize..19, any::<u8>().prop_filter("ascii", u8::is_ascii))),
    )
        .prop_map(|((year, month, day), (hour, minute, second), zone, typo)| {
            let mut text =
                format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}{zone}").into_bytes();
            if let Some((at, b)) = typo {
                text[at] = b;
            }
            String::from_utf8(text).expect("ascii")
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4096, ..ProptestConfig::default() })]

    #[test]
    fn aws_timestamp_forms_read_as_chrono_reads_them(text in timestamp_like()) {
        let reference = chrono::NaiveDateTime::parse_from_str(&text[..19], "%Y-%m-%dT%H:%M:%S")
            .ok()
            // chrono also takes a leap second (`:60`) and padding the profile refuses.
            .filter(|t| t.and_utc().timestamp_subsec_nanos() == 0)
            .filter(|_| [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18].iter().all(|&i| text.as_bytes()[i].is_ascii_digit()))
            .map(|t| t.and_utc());
        prop_assert_eq!(keyrot::parse_timestamp(&text), reference, "{}", text);
    }
}

// ---------------------------------------------------------------------------
// (f) The one reader finds what the csv crate finds.

/// `Scanner`'s records (after the header) equal the oracle's, as do the
/// header's names and where each fails, with every level of the scan.
fn readers_agree(bytes: &[u8], chunk: usize) -> Result<(), TestCaseError> {
    for simd in Simd::available() {
        reader_agrees(bytes, chunk, simd)?;
    }
    Ok(())
}

fn reader_agrees(bytes: &[u8], chunk: usize, simd: Simd) -> Result<(), TestCaseError> {
    let limits = keyrot::read::Limits::default();
    // csv-core strips one leading BOM itself, as keyrot does (a second one
    // is then the first header name's text, for both).
    let (expected, failure) = oracle::records(bytes, limits);
    let options = keyrot::read::ParseOptions { format: InputFormat::Csv, lenient: false };
    let failed = |e: &keyrot::Error| oracle::Failure { code: e.code(), line: e.line() };
    let mut scanner = match keyrot::read::Scanner::with_simd(bytes, &options, &limits, chunk, simd) {
        Ok(scanner) => scanner,
        Err(e) => {
            // The oracle fails before any record, or the first record is
            // not a report's header (which only keyrot knows).
            if expected.is_empty() {
                prop_assert_eq!(
                    Some(failed(&e)),
                    failure.clone().or(Some(oracle::Failure { code: ErrorCode::EmptyInput, line: None }))
                );
            }
            return Ok(());
        }
    };
    prop_assert_eq!(scanner.simd(), simd);
    prop_assert!(!expected.is_empty(), "keyrot read a header the csv crate did not see");
    let names: Vec<String> =
        expected[0].1.iter().map(|f| String::from_utf8_lossy(f).trim().to_ascii_lowercase()).collect();
    prop_assert_eq!(scanner.columns(), &names[..]);
    let mut got = Vec::new();
    let error = loop {
        match scanner.next_record() {
            Ok(Some(record)) => got.push((record.line(), record.iter().map(<[u8]>::to_vec).collect::<Vec<_>>())),
            Ok(None) => break None,
            Err(e) => break Some(failed(&e)),
        }
    };
    prop_assert_eq!(&got[..], &expected[1..], "{}", simd);
    prop_assert_eq!(error, failure, "{}", simd);
    Ok(())
}

/// Text of CSV's own bytes, dense: commas, quotes (opening, closing,
/// doubled and stray), every line ending, multibyte characters (some cut
/// in half) and runs of plain text long enough to carry a field or a quoted
/// line break across a 64-byte block or a chunk's end.
fn csv_soup() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        6 => Just(b",".to_vec()),
        3 => Just(b"\"".to_vec()),
        1 => Just(b"\"\"".to_vec()),
        3 => Just(b"\n".to_vec()),
        2 => Just(b"\r\n".to_vec()),
        1 => Just(b"\r".to_vec()),
        2 => Just("é".as_bytes().to_vec()),
        1 => Just("😀".as_bytes().to_vec()),
        1 => Just(vec![0xF0, 0x9F]),
        1 => Just(vec![0xEF, 0xBB, 0xBF]),
        1 => Just(b" ".to_vec()),
        4 => (1usize..90).prop_map(|n| b"abcdefghij".iter().cycle().take(n).copied().collect()),
    ];
    prop::collection::vec(piece, 0..120).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn the_reader_agrees_with_the_csv_crate_on_valid_reports(r in report(), chunk in 1usize..400) {
        readers_agree(&r.render(), chunk)?;
    }

    #[test]
    fn the_reader_agrees_with_the_csv_crate_on_mutated_reports(
        r in report(),
        mutations in prop::collection::vec(mutation(), 1..8),
        chunk in 1usize..400,
    ) {
        let mut bytes = r.render();
        for m in &mutations {
            mutate(&mut bytes, m);
        }
        readers_agree(&bytes, chunk)?;
    }

    #[test]
    fn the_reader_agrees_with_the_csv_crate_on_csv_soup(tail in csv_soup(), chunk in 1usize..400) {
        let mut bytes = COLUMNS.join(",").into_bytes();
        bytes.push(b'\n');
        bytes.extend_from_slice(&tail);
        readers_agree(&bytes, chunk)?;
        // And as the header itself.
        readers_agree(&tail, chunk)?;
    }

    #[test]
    fn the_reader_agrees_with_the_csv_crate_after_a_valid_header(
        tail in prop::collection::vec(interesting_byte(), 0..2048),
        chunk in 1usize..400,
    ) {
        let mut bytes = COLUMNS.join(",").into_bytes();
        bytes.push(b'\n');
        bytes.extend_from_slice(&tail);
        readers_agree(&bytes, chunk)?;
    }
}

// ---------------------------------------------------------------------------
// (g) Many reports: the same result on any number of threads and any chunk
// size, and the same as the reports judged one by one.

/// Every outcome, anomaly and finding of `Run::reports`, as JSON.
fn many_path(inputs: &[(String, Vec<u8>)], options: &Options, chunk: usize, threads: usize) -> serde_json::Value {
    let mut findings: Vec<Vec<keyrot::Finding>> = vec![Vec::new(); inputs.len()];
    let many = keyrot::Run::new(options)
        .chunk_bytes(chunk)
        .threads(threads)
        .reports(
            inputs.iter().map(|(name, bytes)| (name.clone(), Ok(bytes.as_slice()))),
            |batch| batch.to_findings(),
            |merged| {
                match merged {
                    keyrot::ReportEvent::Batch { report, made, .. } => findings[report].extend(made),
                    keyrot::ReportEvent::Done { report, outcome } => {
                        if outcome.error.is_some() {
                            findings[report].clear();
                        }
                    }
                }
                Ok::<(), keyrot::Error>(())
            },
        )
        .expect("the merge never fails");
    serde_json::json!({ "many": many, "findings": findings })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn many_reports_agree_on_any_threads_and_chunks(
        reports in prop::collection::vec((report(), prop::collection::vec(mutation(), 0..3)), 1..5),
        chunk in 1usize..400,
        lenient in any::<bool>(),
    ) {
        let inputs: Vec<(String, Vec<u8>)> = reports
            .iter()
            .enumerate()
            .map(|(i, (r, mutations))| {
                let mut bytes = r.render();
                for m in mutations {
                    mutate(&mut bytes, m);
                }
                (format!("r{i}.csv"), bytes)
            })
            .collect();
        let options = reports[0].0.options().with_lenient(lenient);
        let one = many_path(&inputs, &options, 1 << 20, 1);
        prop_assert_eq!(&many_path(&inputs, &options, chunk, 1), &one);
        prop_assert_eq!(&many_path(&inputs, &options, chunk, 2), &one);
        prop_assert_eq!(&many_path(&inputs, &options, chunk, 3), &one);
        // Each report's findings are those of the report judged alone.
        for (i, (_, bytes)) in inputs.iter().enumerate() {
            match keyrot::analyze(&bytes[..], &options) {
                Ok(alone) => prop_assert_eq!(&one["findings"][i], &serde_json::to_value(&alone.findings).expect("json")),
                Err(e) => prop_assert_eq!(&one["many"]["reports"][i]["error"]["code"], &serde_json::to_value(e.code()).expect("json")),
            }
        }
    }
}

/// Inputs the `scan` fuzz target once failed on (fuzz/artifacts), read as
/// the csv crate reads them at every level and chunk size.
#[test]
fn the_reader_agrees_with_the_csv_crate_on_fuzz_findings() {
    let header = {
        let mut h = COLUMNS.join(",").into_bytes();
        h.push(b'\n');
        h
    };
    // Blank lines, a tab and lines of spaces after the header, with CRLF.
    let tails: [&[u8]; 1] = [b"\n\t\r\n   \n\n"];
    for tail in tails {
        for chunk in [1, 2, 3, 7, 64, 65, 66, 1 << 20] {
            readers_agree(&[&header[..], tail].concat(), chunk).unwrap();
            readers_agree(tail, chunk).unwrap();
        }
    }
}
