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
    let (mut out, mut err) = (io::Closable::new(stdout.lock()), io::Closable::new(std::io::stderr().lock()));
    let result = match cli.command {
        Command::Check(args) => {
            let color = match args.color {
                ColorArg::Always => true,
                ColorArg::Never => false,
                ColorArg::Auto => stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
            };
            let direct = if args.format == Format::Csv { io::stdout_file() } else { None };
            check::check(&args, color, chrono::Utc::now(), direct, &mut out, &mut err)
        }
        Command::Plan(args) => plan::plan(&args, chrono::Utc::now(), &mut out, &mut err),
        Command::Diff(args) => diff::diff(&args, chrono::Utc::now(), &mut out, &mut err),
        Command::History(args) => history::history(&args, chrono::Utc::now(), &mut out, &mut err),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(err, "keyrot: cannot write the output: {e}");
            EXIT_BAD_INPUT
        }
    }
}
