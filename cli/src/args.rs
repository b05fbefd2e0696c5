//! The command line's arguments: what each subcommand takes, as clap reads
//! it, and how the judging options become the core's [`Options`].

use clap::{Args, Parser, Subcommand, ValueEnum};
use keyrot::cis::CisVersion;
use keyrot::read::Simd;
use keyrot::{Checks, Error, Options, Policy, Status, Timestamp};
use serde::Serialize;
use std::path::PathBuf;

/// Exit status: every report is compliant.
pub const EXIT_COMPLIANT: i32 = 0;
/// Exit status: a report is not compliant (per `--fail-on`).
pub const EXIT_NOT_COMPLIANT: i32 = 1;
/// Exit status: an input could not be read or parsed, or the options are bad.
pub const EXIT_BAD_INPUT: i32 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "keyrot",
    version,
    about = "Checks saved AWS IAM credential reports for access keys overdue for rotation, offline.",
    long_about = "Checks saved AWS IAM credential reports for access keys overdue for rotation, offline.\n\n\
        keyrot reads the CSV that `aws iam get-credential-report` returns (as CSV, as base64, or as the \
        CLI's JSON), judges every access key against the rotation rule (90 days by default, to the second) \
        and never touches the network.\n\n\
        Exit status: 0 compliant, 1 not compliant (see --fail-on), 2 an input could not be read or parsed. \
        When standard output is closed early (`keyrot check report.csv | head`), keyrot stops writing, \
        still judges every report, and exits with the status of its verdict.\n\n\
        Vector instructions: the reader finds a report's commas, quotes and line ends 64 bytes at a \
        time with the widest the processor has (AVX2, else SSE2, on x86_64; NEON on aarch64). \
        --simd portable, or KEYROT_SIMD=portable in the environment, turns them off; the output is the \
        same bytes at every level."
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Reads `--simd` (or `KEYROT_SIMD`; empty is `auto`): a level this machine
/// has, never a silent fall back to another.
pub(crate) fn parse_simd(text: &str) -> Result<Simd, String> {
    if text.trim().is_empty() {
        return Ok(Simd::Auto);
    }
    let level: Simd = text.parse().map_err(|e: Error| e.message().to_owned())?;
    if !level.is_available() {
        let have: Vec<&str> = Simd::available().into_iter().map(Simd::as_str).collect();
        return Err(format!("this machine cannot use {level} (it can use auto, {})", have.join(", ")));
    }
    Ok(level)
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Judge every access key of one or more reports.
    #[command(
        long_about = "Judge every access key of one or more reports.\n\n\
        Each key gets a status: fail (active and older than --max-age-days), invalid (cannot be judged: \
        no or future rotation date, unreadable cell), due_soon (active and within --warn-days of the limit), \
        pass, or inactive. A report is compliant when no key fails and none is invalid.",
        after_help = "Examples:\n  \
        keyrot check report.csv\n  \
        aws iam get-credential-report --output json | keyrot check -\n  \
        keyrot check --as-of 2026-11-26T00:00:00Z --only fail --format csv report.csv > overdue.csv\n  \
        keyrot check --simd portable report.csv      (no vector instructions; the same output)"
    )]
    Check(CheckArgs),
    /// Say, per user, the next step of the rotation workflow, with the `aws iam` commands.
    #[command(
        long_about = "Say, per user, the next step of the rotation workflow, with the `aws iam` commands.\n\n\
        The steps follow the benchmark's workflow: create a second key, move applications to it, check the \
        old key is unused, make it inactive, wait, delete it. keyrot never calls AWS: commands are text for \
        a person to run after checking. Every value from the report is quoted for the shell, and key ids \
        are shell variables unless --access-keys supplies them.\n\n\
        Exit status: 0, or 2 when an input could not be read or parsed.",
        after_help = "Examples:\n  \
        keyrot plan report.csv\n  \
        keyrot plan --format sh --access-keys keys.json report.csv > rotate.sh\n  \
        keyrot plan --format markdown report.csv > plan.md"
    )]
    Plan(PlanArgs),
    /// Show what changed from an older report to a newer one: keys rotated, created, deleted,
    /// and keys that became, stayed or stopped being overdue.
    #[command(
        long_about = "Show what changed from an older report to a newer one of the same accounts.\n\n\
        Keys are matched by user and creation time (last_rotated), never by slot: slots move. Each \
        report is judged at its own time: --old-as-of / --as-of when given, else its GeneratedTime \
        (CLI JSON), else its newest timestamp (older report) or now (newer report); the output says which.\n\n\
        Exit status: 0, 1 when a key became overdue, 2 when an input could not be read or parsed.",
        after_help = "Example:\n  keyrot diff reports/2026-11-25.json reports/2026-11-26.json"
    )]
    Diff(DiffArgs),
    /// Follow the rotation workflow across a season of reports: each key's life, each rotation's
    /// steps and stalls, and each account's trend.
    #[command(
        long_about = "Follow the rotation workflow across a season of reports of the same accounts.\n\n\
        Each report is judged at its own time: its GeneratedTime (the CLI's JSON carries one), else the \
        time --time gives it, else a date in its name read with --time-from-name; a report with none is \
        refused, as are two reports of one account at the same time. Keys are followed by account, user and \
        creation time, never by slot. The output gives each key's life (first and last report, when it was \
        overdue, how it ended, between which reports), each user's rotations through the plan's steps and \
        where they stalled, and per account a trend with the days keys were overdue when fixed.\n\n\
        Exit status: 0, or 2 when an input could not be read, has no time, or the options are bad.",
        after_help = "Examples:\n  \
        keyrot history reports/\n  \
        keyrot history --time-from-name '%Y-%m-%d' 'reports/*/credential-report-*.csv'\n  \
        keyrot history --format csv reports/ > keys.csv"
    )]
    History(HistoryArgs),
}

#[derive(Debug, Args)]
// Each report is judged at its own time: `--as-of` is refused, so not offered.
#[command(mut_arg("as_of", |arg| arg.hide(true)))]
pub(crate) struct HistoryArgs {
    /// Credential reports (CSV, base64, or `aws iam get-credential-report` JSON), folders of them,
    /// or globs (quoted, so that the shell leaves them: `'reports/*.csv'`).
    #[arg(value_name = "REPORT", required = true)]
    pub(crate) reports: Vec<PathBuf>,

    /// The time of a report that carries no GeneratedTime: FILE=TIME (RFC 3339, or a date: its
    /// midnight UTC), FILE as named or its file name. Repeat for each file.
    #[arg(long, value_name = "FILE=TIME")]
    pub(crate) time: Vec<String>,

    /// Read the time of each report that carries no GeneratedTime from its file name, with this
    /// strftime pattern (e.g. '%Y-%m-%d', '%Y%m%dT%H%M%SZ'); a date alone is its midnight UTC.
    #[arg(long, value_name = "PATTERN")]
    pub(crate) time_from_name: Option<String>,

    /// A rotation at one step for longer than this many days, or whose old key is still used this
    /// long after the new one was made, has stalled (0 to 3650).
    #[arg(long, value_name = "DAYS", default_value_t = keyrot::plan::history::HistoryOptions::DEFAULT.stall_days)]
    pub(crate) stall_days: u32,

    #[command(flatten)]
    pub(crate) policy: PolicyArgs,

    /// Output format: table for people (stalled rotations, a trend line per account, the
    /// figures), json (one document: reports, keys, rotations, trend, totals), or csv (one row per
    /// key, written as keys end: memory stays flat over any number of reports), or html (one
    /// self-contained file to open and forward: the figures, the trend chart, the stalled
    /// rotations, each account, the evidence; no script, nothing loaded).
    #[arg(long, value_enum, default_value_t = HistoryFormat::Table)]
    pub(crate) format: HistoryFormat,

    /// Threads to judge with, besides the one that reads and merges (default: one per core).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub(crate) threads: Option<u16>,
}

/// Output formats of `keyrot history`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum HistoryFormat {
    Table,
    Json,
    Csv,
    Html,
}

#[derive(Debug, Args)]
pub(crate) struct DiffArgs {
    /// The older report.
    #[arg(value_name = "OLD")]
    pub(crate) old: PathBuf,

    /// The newer report.
    #[arg(value_name = "NEW")]
    pub(crate) new: PathBuf,

    /// Evaluation time of the older report, RFC 3339. Default: its GeneratedTime, else its newest timestamp.
    #[arg(long, value_name = "RFC3339")]
    pub(crate) old_as_of: Option<String>,

    #[command(flatten)]
    pub(crate) policy: PolicyArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Table)]
    pub(crate) format: DiffFormat,
}

/// Output formats of `keyrot diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum DiffFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct PlanArgs {
    /// Credential reports (CSV, base64, or `aws iam get-credential-report` JSON); `-` reads stdin.
    #[arg(value_name = "REPORT", required = true)]
    pub(crate) reports: Vec<PathBuf>,

    #[command(flatten)]
    pub(crate) policy: PolicyArgs,

    /// How long a deactivated or replaced key must have been unused before the plan says to delete it (0 to 365).
    #[arg(long, value_name = "DAYS", default_value_t = Policy::DEFAULT.grace_days)]
    pub(crate) grace_days: u32,

    /// The JSON printed by `aws iam list-access-keys` (for one user or many, concatenated or as an array):
    /// fills in real key ids by matching CreateDate to the report's last_rotated.
    #[arg(long, value_name = "FILE")]
    pub(crate) access_keys: Option<PathBuf>,

    /// Output format: table for people, json, markdown, sh (a commented shell script in which every
    /// command that changes something is commented out behind the check to run first), or csv (one
    /// row per step). Steps needed to pass come first, the most severe first, then clean-up.
    #[arg(long, value_enum, default_value_t = PlanFormat::Table)]
    pub(crate) format: PlanFormat,
}

/// Output formats of `keyrot plan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum PlanFormat {
    Table,
    Json,
    Markdown,
    Sh,
    Csv,
}

/// Options shared by the commands that judge reports, named as the contract
/// names them (`Options`' serde names), their defaults read from the core.
#[derive(Debug, Args, Serialize)]
pub(crate) struct PolicyArgs {
    /// Evaluation time, RFC 3339 (e.g. 2026-11-26T00:00:00Z). Default: each report's GeneratedTime
    /// when the input carries one (CLI JSON), else now. The output says which.
    #[arg(long, value_name = "RFC3339")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) as_of: Option<String>,

    /// A key older than this many days fails (1 to 3650).
    #[arg(long, value_name = "DAYS", default_value_t = Policy::DEFAULT.max_age_days)]
    pub(crate) max_age_days: u32,

    /// An active key within this many days of the limit is due_soon; 0 disables.
    #[arg(long, value_name = "DAYS", default_value_t = Policy::DEFAULT.warn_days)]
    pub(crate) warn_days: u32,

    /// Count inactive keys older than the limit as failing too.
    #[arg(long)]
    pub(crate) include_inactive: bool,

    /// exact: compare ages to the second. whole-days: fail only when the whole number of days
    /// exceeds the limit (Prowler's behaviour); due_at is then the first instant it does, and the
    /// checks' limits (--unused-days, --rotation-window-days) are compared in whole days too.
    #[arg(long, value_enum, default_value_t = GranularityArg::Exact)]
    pub(crate) granularity: GranularityArg,

    /// Keep going past bad rows: each becomes a row_error anomaly and its keys are judged invalid.
    #[arg(long)]
    pub(crate) lenient: bool,

    /// The form of the input; auto detects CSV, base64 and the CLI's JSON.
    #[arg(long, value_enum, default_value_t = InputFormatArg::Auto)]
    #[serde(rename = "format")]
    pub(crate) input_format: InputFormatArg,

    /// The CIS checks to judge (comma-separated rule ids, or `all`): access_key_rotated (the
    /// default alone), access_key_unused, console_password_unused, root_access_key, root_mfa,
    /// root_recent_use, console_user_mfa, one_active_key, no_key_at_setup. With any but the
    /// default, every finding carries its rule and CIS number.
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) rules: Vec<String>,

    /// The CIS AWS Foundations Benchmark version whose numbers label the findings (v1.2.0,
    /// v1.4.0, v1.5.0, v2.0.0, v3.0.0, v4.0.1, v5.0.0, v6.0.0, v7.0.0; `1.4` works). Default: the
    /// newest. Giving it labels every finding with its rule and number.
    #[arg(long, value_name = "VERSION", value_parser = parse_cis_version)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) cis_version: Option<CisVersion>,

    /// access_key_unused and console_password_unused: this many days or more without use fails
    /// (the benchmark's "45 days or greater").
    #[arg(long, value_name = "DAYS", default_value_t = Checks::DEFAULT.unused_days)]
    pub(crate) unused_days: u32,

    /// root_recent_use: a use of the root user within this many days fails.
    #[arg(long, value_name = "DAYS", default_value_t = Checks::DEFAULT.root_use_days)]
    pub(crate) root_use_days: u32,

    /// no_key_at_setup: a key made within this many seconds of its user counts as made at setup.
    #[arg(long, value_name = "SECONDS", default_value_t = Checks::DEFAULT.setup_seconds)]
    pub(crate) setup_seconds: u32,

    /// one_active_key: two active keys, one over the limit, are a rotation in progress (due_soon)
    /// while the newer key is at most this many days old; an older rotation was abandoned and
    /// fails. --granularity applies.
    #[arg(long, value_name = "DAYS", default_value_t = Checks::DEFAULT.rotation_window_days)]
    pub(crate) rotation_window_days: u32,

    /// The vector instructions that find a report's commas, quotes and line ends: auto (the widest
    /// the processor has: AVX2, else SSE2, on x86_64; NEON on aarch64), avx2, sse2, neon, simd128
    /// (WebAssembly), or portable (none: eight bytes at a time in 64-bit words). The output is the
    /// same bytes at every level; a level this machine lacks is refused.
    #[arg(long, value_name = "LEVEL", env = "KEYROT_SIMD", default_value = "auto", value_parser = parse_simd)]
    #[serde(skip)]
    pub(crate) simd: Simd,
}

pub(crate) fn parse_cis_version(text: &str) -> Result<CisVersion, String> {
    CisVersion::read("--cis-version", text).map_err(|e| e.message().to_owned())
}

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// Credential reports to check (CSV, base64, or `aws iam get-credential-report` JSON), or folders
    /// of them; `-` reads stdin. Several reports are judged together: one verdict, counts per account.
    #[arg(value_name = "REPORT", required = true)]
    pub(crate) reports: Vec<PathBuf>,

    #[command(flatten)]
    pub(crate) policy: PolicyArgs,

    /// Print only findings with these statuses (comma-separated: fail, invalid, due-soon, pass,
    /// inactive). The summary still counts every key.
    #[arg(long, value_name = "STATUS", value_delimiter = ',', value_parser = parse_status)]
    pub(crate) only: Vec<Status>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub(crate) format: Format,

    /// Which findings make the exit status 1: fail (fail or invalid), due-soon (also due_soon), never.
    #[arg(long, value_enum, default_value_t = FailOn::Fail)]
    pub(crate) fail_on: FailOn,

    /// Colour in the table: auto (only on a terminal, and not when NO_COLOR is set), always, never.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    pub(crate) color: ColorArg,

    /// Accepted exceptions (TOML: [[exemption]] tables with account, user, optional slot, and
    /// required reason, owner and expires). A matched finding keeps its status but does not count
    /// against compliance while the exemption is in force; expired, invalid and unused entries are
    /// reported.
    #[arg(long, value_name = "FILE")]
    pub(crate) exemptions: Option<PathBuf>,

    /// The columns of the CSV output, in this order (comma-separated; default: all of source,
    /// account_id, user, arn, is_root, slot, status, active, last_rotated, age_days, due_at,
    /// days_until_due, last_used, last_used_region, last_used_service, used_since_rotation, code,
    /// reason, line, exempted).
    #[arg(long, value_name = "COLUMN", value_delimiter = ',', value_parser = parse_column)]
    pub(crate) columns: Vec<usize>,

    /// Threads to judge with, besides the one that reads and merges (default: one per core, but one
    /// per 4 MB of input at most, so one account's report starts none). The output is the same for
    /// any number.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub(crate) threads: Option<u16>,
}

#[derive(Debug, Clone, Copy, ValueEnum, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum GranularityArg {
    Exact,
    WholeDays,
}

#[derive(Debug, Clone, Copy, ValueEnum, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum InputFormatArg {
    Auto,
    Csv,
    Base64,
    CliJson,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// Aligned columns for people, with a verdict line.
    Table,
    /// The JSON contract, one document.
    Json,
    /// One row per finding, with a header; safe to open in a spreadsheet.
    Csv,
    /// SARIF 2.1.0 (GitHub code scanning, SARIF viewers): one result per
    /// failing or invalid key, at its report's line; the inputs' SHA-256 and
    /// the policy as the run's evidence.
    Sarif,
    /// JUnit XML (CI test reports): one suite per report, one test case per
    /// key; failures for `fail`, errors for `invalid`.
    Junit,
    /// OCSF 1.5.0 Compliance Finding events (class 2003), one JSON object a
    /// line (AWS Security Lake, Prowler's pipelines), each with its evidence.
    Ocsf,
    /// One self-contained HTML report to open and forward (no script, no
    /// external resource): the verdict, each check's and account's counts,
    /// the age chart, the findings in triage order, the plan, the evidence.
    Html,
}

impl Format {
    /// Whether the output records what was judged (the inputs' SHA-256),
    /// which the run then takes as it reads.
    pub(crate) fn records_evidence(self) -> bool {
        !matches!(self, Format::Table | Format::Csv)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum FailOn {
    Fail,
    DueSoon,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorArg {
    Auto,
    Always,
    Never,
}

pub(crate) fn parse_status(text: &str) -> Result<Status, String> {
    Ok(keyrot::options::read_statuses("--only", [text]).map_err(|e| e.message().to_owned())?[0])
}

impl PolicyArgs {
    /// The core's options: the arguments as the contract names them, read by
    /// [`Options::from_value`] (the one reader, with the defaults and the
    /// checks every interface shares), with `now` as the clock's fallback.
    pub(crate) fn options(&self, now: Timestamp, grace_days: Option<u32>) -> Result<Options, Error> {
        let mut value = serde_json::to_value(self)
            .map_err(|e| Error::new(keyrot::ErrorCode::InvalidPolicy, format!("cannot read the options: {e}")))?;
        if let (Some(days), Some(map)) = (grace_days, value.as_object_mut()) {
            map.insert("grace_days".to_owned(), days.into());
        }
        let mut options = Options::from_value(value)?;
        options.clock = Some(now);
        Ok(options)
    }
}

/// Reads `--columns`: a column of the CSV output.
pub(crate) fn parse_column(name: &str) -> Result<usize, String> {
    Ok(keyrot::options::read_columns("--columns", [name]).map_err(|e| e.message().to_owned())?[0])
}
