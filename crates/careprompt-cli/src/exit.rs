//! The exit codes, in one place.

use std::process::ExitCode;

/// How `careprompt` ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Success.
    Ok = 0,
    /// A prompt at or above `--fail-on` fired, or tests failed.
    Findings = 1,
    /// Usage, rules or input errors.
    Error = 2,
}

impl Exit {
    /// The exit for a numeric code (0, 1, anything else an error).
    pub fn from_code(code: u8) -> Exit {
        match code {
            0 => Exit::Ok,
            1 => Exit::Findings,
            _ => Exit::Error,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}
