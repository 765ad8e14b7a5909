//! Writing to the terminal: results to standard output (quietly ending on
//! a closed pipe), errors and diagnostics to standard error, and loading
//! rules with their diagnostics printed.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use careprompt::RuleSet;

use crate::exit::Exit;
use crate::rules::{self, RulesError};

/// The first write to standard output that failed (other than a closed
/// pipe), kept so that the command ends with exit 2 and says so.
static WRITE_FAILURE: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Records a failed write to standard output: a closed pipe ends the
/// program quietly (exit 0, the reader has what it wanted); any other
/// error is kept for [`finish`], and later writes are skipped.
fn output_failed(e: &std::io::Error) {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(Exit::Ok as i32);
    }
    let _ = WRITE_FAILURE.set(crate::rules::short_io(e));
}

/// Whether a write to standard output has already failed.
pub fn output_broken() -> bool {
    WRITE_FAILURE.get().is_some()
}

/// Writes to standard output; a closed pipe (`careprompt ... | head`) ends
/// the program quietly, any other failure is kept for [`finish`].
pub fn emit(text: &str) {
    if output_broken() {
        return;
    }
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        output_failed(&e);
    }
}

/// Buffered standard output for commands that write a lot (`check`): a
/// write that fails is recorded as by [`emit`], never ignored.
pub struct Out {
    inner: std::io::BufWriter<std::io::StdoutLock<'static>>,
}

impl Out {
    /// Standard output, buffered.
    pub fn new() -> Out {
        Out {
            inner: std::io::BufWriter::new(std::io::stdout().lock()),
        }
    }

    /// Writes `text`.
    pub fn put(&mut self, text: &str) {
        if output_broken() {
            return;
        }
        if let Err(e) = self.inner.write_all(text.as_bytes()) {
            output_failed(&e);
        }
    }

    /// Writes `text` and a line break.
    pub fn line(&mut self, text: &str) {
        self.put(text);
        self.put("\n");
    }

    /// Writes out what is buffered.
    pub fn flush(&mut self) {
        if output_broken() {
            return;
        }
        if let Err(e) = self.inner.flush() {
            output_failed(&e);
        }
    }
}

/// The command's exit, or exit 2 with a message if writing its output
/// failed (a full disk, for example): output that was not written is
/// never a success.
pub fn finish(exit: Exit) -> Exit {
    match WRITE_FAILURE.get() {
        Some(m) => {
            eprint_error(&format!(
                "could not write to standard output: {m}\n  = help: the output is incomplete; free space on the disk or write elsewhere"
            ));
            Exit::Error
        }
        None => exit,
    }
}

/// Writes to standard error, ignoring failure: with standard error itself
/// unwritable there is nowhere left to say so, and the exit code still
/// tells (`eprint!` would panic instead).
pub fn stderr_text(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// `eprintln!` that never panics (see [`stderr_text`]).
#[macro_export]
macro_rules! eprintln_quiet {
    ($($arg:tt)*) => {
        $crate::console::stderr_text(&format!("{}\n", format_args!($($arg)*)))
    };
}

/// `eprint!` that never panics (see [`stderr_text`]).
#[macro_export]
macro_rules! eprint_quiet {
    ($($arg:tt)*) => {
        $crate::console::stderr_text(&format!($($arg)*))
    };
}

/// Prints a diagnostic to standard error, in colour on a terminal (unless
/// `NO_COLOR` is set).
pub fn print_diagnostic(d: &careprompt::Diagnostic) {
    let colour = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    if colour {
        stderr_text(&d.render_coloured());
        return;
    }
    stderr_text(&escaped(&d.render()));
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

/// Prints `error: message` to standard error.
pub fn eprint_error(message: &str) {
    stderr_text(&format!("error: {}\n", escaped(message)));
}

/// Prints `warning: message` to standard error.
pub fn eprint_warning(message: &str) {
    stderr_text(&format!("warning: {}\n", escaped(message)));
}

/// `text` with control characters other than line breaks shown as
/// escapes (`\x1b`), so that names and values from files cannot drive the
/// terminal (an `ESC[8m` would hide everything after it). For messages
/// whose line breaks are their own.
pub fn escaped(text: &str) -> String {
    escape(text, true)
}

/// `text` with every control character shown as an escape, line breaks
/// too: for one field from a plan, a rule or a file name, which must not
/// forge lines of its own.
pub fn escaped_line(text: &str) -> String {
    escape(text, false)
}

fn escape(text: &str, keep_newlines: bool) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() && !(keep_newlines && c == '\n') {
            out.push_str(&format!("\\x{:02x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// A line of information on standard error (a file written, for example).
pub fn eprint_note(message: &str) {
    stderr_text(&format!("{}\n", escaped(message)));
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
            stderr_text(&format!(
                "error: the rules have {n} problem(s); no plan was checked\n"
            ));
        }
    }
    Exit::Error
}
