//! The `shipshape` binary: parse flags, call the libraries, print, map to an exit code.

mod cli;
mod commands;
mod printer;
mod progress;
mod target;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let printer = printer::Printer::new(cli.global.quiet);
    match commands::run(cli, &printer) {
        Ok(status) => status.into(),
        Err(err) => {
            // A closed pipe (`| head`) is not a failure.
            if err.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            printer.error(&format!("{err:#}"));
            commands::ExitStatus::Error.into()
        }
    }
}
