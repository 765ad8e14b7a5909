//! Writing to the terminal: results to standard output (quietly ending on
//! a closed pipe), errors and diagnostics to standard error, and loading
//! rules with their diagnostics printed.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use careprompt::RuleSet;

use crate::exit::Exit;
use crate::rules::{self, RulesError};

/// Writes to standard output; a closed pipe (`careprompt ... | head`) ends
/// the program quietly instead of panicking.
pub fn emit(text: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(Exit::Ok as i32);
        }
    }
}

/// Prints a diagnostic to standard error, in colour on a terminal (unless
/// `NO_COLOR` is set).
pub fn print_diagnostic(d: &careprompt::Diagnostic) {
    let colour = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    if colour {
        eprint!("{}", d.render_coloured());
        return;
    }
    eprint!("{}", d.render());
}

/// An error's text after the name of the input it is about: `file:line:column: ...`
/// when the text starts with a position, else `file: ...`.
pub fn located(source: &str, text: &str) -> String {
    if text.starts_with(|c: char| c.is_ascii_digit()) {
        format!("{source}:{text}")
    } else {
        format!("{source}: {text}")
    }
}

pub fn eprint_error(message: &str) {
    eprintln!("error: {message}");
}

/// A line of information on standard error (a file written, for example).
pub fn eprint_note(message: &str) {
    eprintln!("{message}");
}

pub fn load_rules(paths: &[PathBuf], overrides: &[(String, String)]) -> Result<RuleSet, Exit> {
    rules::load(paths, overrides).map_err(report_rules_error)
}

/// Like [`load_rules`], with a vendor's whole case-plan schema (file name
/// and text) in place of the built-in one.
pub fn load_rules_with_schema(
    paths: &[PathBuf],
    overrides: &[(String, String)],
    schema: Option<(String, String)>,
) -> Result<RuleSet, Exit> {
    rules::load_with_schema(paths, overrides, schema).map_err(report_rules_error)
}

/// Prints why rules could not be loaded; the exit code to end with.
pub fn report_rules_error(e: RulesError) -> Exit {
    match e {
        RulesError::Io(m) => eprint_error(&m),
        RulesError::Compile(e) => {
            for d in &e.diagnostics {
                print_diagnostic(d);
            }
            let n = e.diagnostics.len();
            eprintln!("error: the rules have {n} problem(s); no plan was checked");
        }
    }
    Exit::Error
}
