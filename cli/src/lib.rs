//! The `keyrot` command: checks saved AWS IAM credential reports, offline.
//!
//! The binary is a thin shell over [`run`], which the Python package also
//! calls (`python -m keyrot`), so both behave the same by construction.
//! `args` is what the command takes; each subcommand's module (`check`,
//! `plan`, `diff`, `history`) judges and writes, over the helpers of `io`.

use args::{Cli, ColorArg, Command, Format};
use clap::Parser;
use std::ffi::OsString;
use std::io::{IsTerminal, Write};

mod args;
mod check;
mod diff;
mod history;
mod io;
mod output;
mod plan;
mod spill;

pub use args::{EXIT_BAD_INPUT, EXIT_COMPLIANT, EXIT_NOT_COMPLIANT};

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
    let stdout = std::io::stdout();
    let terminal = stdout.is_terminal();
    // A terminal sees each line as it is written; a file or a pipe gets
    // 64 KiB at a time (stdout's own buffer writes a line at a time: a
    // million-key JSON report was 30 million writes, 112 s).
    let lines: Box<dyn Write> = if terminal {
        Box::new(stdout.lock())
    } else {
        Box::new(std::io::BufWriter::with_capacity(1 << 16, stdout.lock()))
    };
    let (mut out, mut err) = (io::Closable::new(lines), io::Closable::new(std::io::stderr().lock()));
    let direct =
        matches!(&cli.command, Command::Check(args) if args.format == Format::Csv).then(io::stdout_file).flatten();
    let status = dispatch(cli, terminal, direct, chrono::Utc::now(), &mut out, &mut err);
    // What is left in the buffer; a closed pipe is not an error here either.
    let _ = out.flush();
    status
}

/// Runs the command line with `args` (the program name first) as [`run`]
/// does, at the time `now` (what a report without `--as-of` or a
/// `GeneratedTime` is judged at), writing to `out` and `err` instead of
/// this process's streams (so no colour unless `--color always`), and
/// returns the exit status. For tests that compare outputs in process.
pub fn run_with(args: Vec<OsString>, now: keyrot::Timestamp, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    match Cli::try_parse_from(args) {
        Ok(cli) => dispatch(cli, false, None, now, out, err),
        Err(e) => {
            let _ = write!(err, "{e}");
            if e.use_stderr() {
                EXIT_BAD_INPUT
            } else {
                EXIT_COMPLIANT
            }
        }
    }
}

fn dispatch(
    cli: Cli,
    terminal: bool,
    direct: Option<(std::fs::File, u64)>,
    now: keyrot::Timestamp,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let result = match cli.command {
        Command::Check(args) => {
            let color = match args.color {
                ColorArg::Always => true,
                ColorArg::Never => false,
                ColorArg::Auto => terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
            };
            check::check(&args, color, now, direct, out, err)
        }
        Command::Plan(args) => plan::plan(&args, now, out, err),
        Command::Diff(args) => diff::diff(&args, now, out, err),
        Command::History(args) => history::history(&args, now, out, err),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(err, "keyrot: cannot write the output: {e}");
            EXIT_BAD_INPUT
        }
    }
}
