//! Arguments several commands share, declared once (and flattened into
//! each command with `#[command(flatten)]`), and their parsing.

use std::path::PathBuf;

use careprompt::{Date, Severity};
use clap::{Args, ValueEnum};

/// `--rules PATH...`: the rules to use.
#[derive(Args)]
pub struct RulesArgs {
    /// Rules file or directory of `.cpr` files (repeatable). Default: the built-in pack.
    #[arg(long = "rules", value_name = "PATH")]
    pub rules: Vec<PathBuf>,
}

/// `--as-of DATE`: the evaluation date.
#[derive(Args)]
pub struct AsOfArgs {
    /// Evaluation date (YYYY-MM-DD). Default: today's date where you are (your time zone, `TZ`).
    #[arg(long = "as-of", value_name = "DATE")]
    pub as_of: Option<String>,
}

/// `--format human|json` for the commands that print a result for people or as JSON.
#[derive(Args)]
pub struct FormatArgs {
    /// Output format (human or json).
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Grouped by theme, colour on a terminal.
    Human,
    /// Like human, without colour or box drawing: for screen readers and logs.
    Plain,
    /// The report as JSON (one plan: its report; several: a batch object).
    Json,
    /// One JSON object a line per plan.
    Ndjson,
    /// One row per plan and rule outcome.
    Csv,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SeverityArg {
    High,
    Medium,
    Low,
    Info,
}

impl SeverityArg {
    pub fn severity(self) -> Severity {
        match self {
            SeverityArg::High => Severity::High,
            SeverityArg::Medium => Severity::Medium,
            SeverityArg::Low => Severity::Low,
            SeverityArg::Info => Severity::Info,
        }
    }
}

/// Today in the user's time zone (from `TZ`, else the system's), as the
/// cohort report's pages show it; the UTC date if the local one cannot be
/// had.
pub fn today() -> Date {
    let local = chrono::Local::now().format("%Y-%m-%d").to_string();
    Date::parse(&local).unwrap_or_else(|_| {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        Date::from_days(i32::try_from(secs / 86_400).unwrap_or(0))
    })
}

pub fn as_of_date(arg: Option<&str>) -> Result<Date, String> {
    match arg {
        None => Ok(today()),
        Some(s) => Date::parse(s).map_err(|e| format!("--as-of `{s}`: {e}")),
    }
}

pub fn parse_consts(consts: &[String]) -> Result<Vec<(String, String)>, String> {
    consts
        .iter()
        .map(|c| {
            c.split_once('=')
                .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
                .ok_or_else(|| {
                    format!("--const `{c}`: write NAME=VALUE, such as sdq_concern_threshold=15")
                })
        })
        .collect()
}
