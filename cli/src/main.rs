//! The `keyrot` binary: see the `keyrot_cli` library.

fn main() {
    std::process::exit(keyrot_cli::run(std::env::args_os().collect()));
}
