//! The `keyrot` command: checks saved AWS IAM credential reports, offline.
//!
//! The binary is a thin shell over [`run`], which the Python package also
//! calls (`python -m keyrot`), so both behave the same by construction.

use clap::{Args, Parser, Subcommand, ValueEnum};
use keyrot::cis::CisVersion;
use keyrot::{Error, Granularity, InputFormat, Options, RuleSet, Status, Timestamp};
use std::ffi::OsString;
use std::io::{self, IsTerminal, Read, Write};
use std::path::PathBuf;

mod check;
mod diff;
mod output;
mod plan;
mod spill;

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
        still judges every report, and exits with the status of its verdict."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Judge every access key of one or more reports.
    #[command(
        long_about = "Judge every access key of one or more reports.\n\n\
        Each key gets a status: fail (active and older than --max-age-days), invalid (cannot be judged: \
        no or future rotation date, unreadable cell), due_soon (active and within --warn-days of the limit), \
        pass, or inactive. A report is compliant when no key fails and none is invalid.",
        after_help = "Examples:\n  \
        keyrot check report.csv\n  \
        aws iam get-credential-report --output json | keyrot check -\n  \
        keyrot check --as-of 2026-11-26T00:00:00Z --only fail --format csv report.csv > overdue.csv"
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
}

#[derive(Debug, Args)]
struct DiffArgs {
    /// The older report.
    #[arg(value_name = "OLD")]
    old: PathBuf,

    /// The newer report.
    #[arg(value_name = "NEW")]
    new: PathBuf,

    /// Evaluation time of the older report, RFC 3339. Default: its GeneratedTime, else its newest timestamp.
    #[arg(long, value_name = "RFC3339")]
    old_as_of: Option<String>,

    #[command(flatten)]
    policy: PolicyArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Table)]
    format: DiffFormat,
}

/// Output formats of `keyrot diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DiffFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
struct PlanArgs {
    /// Credential reports (CSV, base64, or `aws iam get-credential-report` JSON); `-` reads stdin.
    #[arg(value_name = "REPORT", required = true)]
    reports: Vec<PathBuf>,

    #[command(flatten)]
    policy: PolicyArgs,

    /// How long a deactivated or replaced key must have been unused before the plan says to delete it (0 to 365).
    #[arg(long, value_name = "DAYS", default_value_t = 7)]
    grace_days: u32,

    /// The JSON printed by `aws iam list-access-keys` (for one user or many, concatenated or as an array):
    /// fills in real key ids by matching CreateDate to the report's last_rotated.
    #[arg(long, value_name = "FILE")]
    access_keys: Option<PathBuf>,

    /// Output format: table for people, json, markdown, or sh (a commented shell script in which every
    /// command that changes something is commented out behind the check to run first).
    #[arg(long, value_enum, default_value_t = PlanFormat::Table)]
    format: PlanFormat,
}

/// Output formats of `keyrot plan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum PlanFormat {
    Table,
    Json,
    Markdown,
    Sh,
}

/// Options shared by the commands that judge reports.
#[derive(Debug, Args)]
struct PolicyArgs {
    /// Evaluation time, RFC 3339 (e.g. 2026-11-26T00:00:00Z). Default: each report's GeneratedTime
    /// when the input carries one (CLI JSON), else now. The output says which.
    #[arg(long, value_name = "RFC3339")]
    as_of: Option<String>,

    /// A key older than this many days fails (1 to 3650).
    #[arg(long, value_name = "DAYS", default_value_t = 90)]
    max_age_days: u32,

    /// An active key within this many days of the limit is due_soon; 0 disables.
    #[arg(long, value_name = "DAYS", default_value_t = 14)]
    warn_days: u32,

    /// Count inactive keys older than the limit as failing too.
    #[arg(long)]
    include_inactive: bool,

    /// exact: compare ages to the second. whole-days: fail only when the whole number of days
    /// exceeds the limit (Prowler's behaviour); due_at is then the first instant it does, and the
    /// checks' limits (--unused-days, --rotation-window-days) are compared in whole days too.
    #[arg(long, value_enum, default_value_t = GranularityArg::Exact)]
    granularity: GranularityArg,

    /// Keep going past bad rows: each becomes a row_error anomaly and its keys are judged invalid.
    #[arg(long)]
    lenient: bool,

    /// The form of the input; auto detects CSV, base64 and the CLI's JSON.
    #[arg(long, value_enum, default_value_t = InputFormatArg::Auto)]
    input_format: InputFormatArg,

    /// The CIS checks to judge (comma-separated rule ids, or `all`): access_key_rotated (the
    /// default alone), access_key_unused, console_password_unused, root_access_key, root_mfa,
    /// root_recent_use, console_user_mfa, one_active_key, no_key_at_setup. With any but the
    /// default, every finding carries its rule and CIS number.
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    rules: Vec<String>,

    /// The CIS AWS Foundations Benchmark version whose numbers label the findings (v1.2.0,
    /// v1.4.0, v1.5.0, v2.0.0, v3.0.0, v4.0.1, v5.0.0, v6.0.0, v7.0.0; `1.4` works). Default: the
    /// newest. Giving it labels every finding with its rule and number.
    #[arg(long, value_name = "VERSION", value_parser = parse_cis_version)]
    cis_version: Option<CisVersion>,

    /// access_key_unused and console_password_unused: this many days or more without use fails
    /// (the benchmark's "45 days or greater").
    #[arg(long, value_name = "DAYS", default_value_t = 45)]
    unused_days: u32,

    /// root_recent_use: a use of the root user within this many days fails.
    #[arg(long, value_name = "DAYS", default_value_t = 1)]
    root_use_days: u32,

    /// no_key_at_setup: a key made within this many seconds of its user counts as made at setup.
    #[arg(long, value_name = "SECONDS", default_value_t = 600)]
    setup_seconds: u32,

    /// one_active_key: two active keys, one over the limit, are a rotation in progress (due_soon)
    /// while the newer key is at most this many days old; an older rotation was abandoned and
    /// fails. --granularity applies.
    #[arg(long, value_name = "DAYS", default_value_t = 14)]
    rotation_window_days: u32,
}

fn parse_cis_version(text: &str) -> Result<CisVersion, String> {
    CisVersion::read("--cis-version", text).map_err(|e| e.message().to_owned())
}

#[derive(Debug, Args)]
struct CheckArgs {
    /// Credential reports to check (CSV, base64, or `aws iam get-credential-report` JSON), or folders
    /// of them; `-` reads stdin. Several reports are judged together: one verdict, counts per account.
    #[arg(value_name = "REPORT", required = true)]
    reports: Vec<PathBuf>,

    #[command(flatten)]
    policy: PolicyArgs,

    /// Print only findings with these statuses (comma-separated: fail, invalid, due-soon, pass,
    /// inactive). The summary still counts every key.
    #[arg(long, value_name = "STATUS", value_delimiter = ',', value_parser = parse_status)]
    only: Vec<Status>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,

    /// Which findings make the exit status 1: fail (fail or invalid), due-soon (also due_soon), never.
    #[arg(long, value_enum, default_value_t = FailOn::Fail)]
    fail_on: FailOn,

    /// Colour in the table: auto (only on a terminal, and not when NO_COLOR is set), always, never.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    color: ColorArg,

    /// Accepted exceptions (TOML: [[exemption]] tables with account, user, optional slot, and
    /// required reason, owner and expires). A matched finding keeps its status but does not count
    /// against compliance while the exemption is in force; expired, invalid and unused entries are
    /// reported.
    #[arg(long, value_name = "FILE")]
    exemptions: Option<PathBuf>,

    /// The columns of the CSV output, in this order (comma-separated; default: all of source,
    /// account_id, user, arn, is_root, slot, status, active, last_rotated, age_days, due_at,
    /// days_until_due, last_used, last_used_region, last_used_service, used_since_rotation, code,
    /// reason, line, exempted).
    #[arg(long, value_name = "COLUMN", value_delimiter = ',', value_parser = parse_column)]
    columns: Vec<usize>,

    /// Threads to judge with, besides the one that reads and merges (default: one per core, but one
    /// per 4 MB of input at most, so one account's report starts none). The output is the same for
    /// any number.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum GranularityArg {
    Exact,
    WholeDays,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum InputFormatArg {
    Auto,
    Csv,
    Base64,
    CliJson,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
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
}

impl Format {
    /// Whether the output records what was judged (the inputs' SHA-256),
    /// which the run then takes as it reads.
    fn records_evidence(self) -> bool {
        !matches!(self, Format::Table | Format::Csv)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FailOn {
    Fail,
    DueSoon,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorArg {
    Auto,
    Always,
    Never,
}

fn parse_status(text: &str) -> Result<Status, String> {
    Ok(keyrot::read_statuses("--only", [text]).map_err(|e| e.message().to_owned())?[0])
}

impl PolicyArgs {
    fn options(&self, now: Timestamp, grace_days: u32) -> Result<Options, Error> {
        let as_of = self.as_of.as_deref().map(keyrot::parse_as_of).transpose()?;
        let options = Options {
            as_of,
            max_age_days: self.max_age_days,
            warn_days: self.warn_days,
            include_inactive: self.include_inactive,
            granularity: match self.granularity {
                GranularityArg::Exact => Granularity::Exact,
                GranularityArg::WholeDays => Granularity::WholeDays,
            },
            lenient: self.lenient,
            format: match self.input_format {
                InputFormatArg::Auto => InputFormat::Auto,
                InputFormatArg::Csv => InputFormat::Csv,
                InputFormatArg::Base64 => InputFormat::Base64,
                InputFormatArg::CliJson => InputFormat::CliJson,
            },
            clock: Some(now),
            grace_days,
            rules: if self.rules.is_empty() {
                RuleSet::ROTATION
            } else {
                RuleSet::read("--rules", self.rules.iter().map(String::as_str))?
            },
            unused_days: self.unused_days,
            root_use_days: self.root_use_days,
            setup_seconds: self.setup_seconds,
            rotation_window_days: self.rotation_window_days,
            cis_version: self.cis_version,
        };
        options.policy().validate()?;
        options.checks().validate()?;
        Ok(options)
    }
}

/// Stdout as a file, when it is a regular file and its offset is at its end
/// (`> out.csv`, not `>> log`): the CSV output can then go straight into it,
/// and be cut back if an input turns out bad, instead of being held in a
/// temporary file and copied.
fn stdout_file() -> Option<(std::fs::File, u64)> {
    #[cfg(unix)]
    {
        use std::io::Seek;
        use std::os::fd::AsFd;
        let fd = io::stdout().as_fd().try_clone_to_owned().ok()?;
        let mut file = std::fs::File::from(fd);
        let meta = file.metadata().ok()?;
        let at = file.stream_position().ok()?;
        (meta.is_file() && at == meta.len()).then_some((file, at))
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// Runs the command line with `args` (the program name first), writing to
/// this process's stdout and stderr, and returns the exit status: 0
/// compliant, 1 not compliant, 2 bad input.
pub fn run(args: Vec<OsString>) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() { EXIT_BAD_INPUT } else { EXIT_COMPLIANT };
            let _ = err.print();
            return code;
        }
    };
    let stdout = io::stdout();
    let (mut out, mut err) = (Closable::new(stdout.lock()), Closable::new(io::stderr().lock()));
    let result = match cli.command {
        Command::Check(args) => {
            let color = match args.color {
                ColorArg::Always => true,
                ColorArg::Never => false,
                ColorArg::Auto => stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
            };
            let direct = if args.format == Format::Csv { stdout_file() } else { None };
            check::check(&args, color, chrono::Utc::now(), direct, &mut out, &mut err)
        }
        Command::Plan(args) => plan::plan(&args, chrono::Utc::now(), &mut out, &mut err),
        Command::Diff(args) => diff::diff(&args, chrono::Utc::now(), &mut out, &mut err),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(err, "keyrot: cannot write the output: {e}");
            EXIT_BAD_INPUT
        }
    }
}

/// An output that its reader may close early (`keyrot check report.csv |
/// head -3`): from then on writing does nothing, so the command still reads
/// and judges everything and exits with the status of its verdict. A closed
/// pipe never turns a failing verdict into success, and never fails the run.
struct Closable<W> {
    inner: W,
    closed: bool,
}

impl<W: Write> Closable<W> {
    fn new(inner: W) -> Closable<W> {
        Closable { inner, closed: false }
    }

    fn unless_closed<T>(&mut self, done: T, result: io::Result<T>) -> io::Result<T> {
        match result {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(done)
            }
            other => other,
        }
    }
}

impl<W: Write> Write for Closable<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.closed {
            return Ok(data.len());
        }
        let result = self.inner.write(data);
        self.unless_closed(data.len(), result)
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        let result = self.inner.flush();
        self.unless_closed((), result)
    }
}

pub(crate) fn display_name(path: &std::path::Path) -> String {
    if path.as_os_str() == "-" {
        "<stdin>".to_owned()
    } else {
        path.display().to_string()
    }
}

/// Reads `--columns`: a column of the CSV output.
fn parse_column(name: &str) -> Result<usize, String> {
    Ok(keyrot::read_columns("--columns", [name]).map_err(|e| e.message().to_owned())?[0])
}

pub(crate) fn open(path: &std::path::Path) -> Result<Box<dyn Read>, Error> {
    if path.as_os_str() == "-" {
        Ok(Box::new(io::stdin().lock()))
    } else {
        std::fs::File::open(path)
            .map(|f| Box::new(f) as Box<dyn Read>)
            .map_err(|e| Error::new(keyrot::ErrorCode::Io, format!("cannot open the file: {e}")))
    }
}
