//! All terminal output goes through here, so `--quiet` and piping behave the same everywhere.
#![allow(clippy::print_stderr)]

use std::io::IsTerminal;

/// Writes warnings, hints and errors to standard error.
pub struct Printer {
    quiet: bool,
    color: bool,
}

impl Printer {
    /// A printer; colour only on a terminal and when `NO_COLOR` is unset.
    pub fn new(quiet: bool) -> Printer {
        let color = std::io::stderr().is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        Printer { quiet, color }
    }

    /// Whether progress bars may be drawn.
    pub fn show_progress(&self) -> bool {
        !self.quiet && std::io::stderr().is_terminal()
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    /// `warning[CODE]: message`.
    pub fn warning(&self, code: &str, message: &str) {
        if !self.quiet {
            eprintln!(
                "{}: {message}",
                self.paint("33", &format!("warning[{code}]"))
            );
        }
    }

    /// A plain status line on standard error (suppressed by `--quiet`).
    pub fn info(&self, message: &str) {
        if !self.quiet {
            eprintln!("{message}");
        }
    }

    /// `error: message` (never suppressed).
    pub fn error(&self, message: &str) {
        eprintln!("{}: {message}", self.paint("31", "error"));
    }
}
