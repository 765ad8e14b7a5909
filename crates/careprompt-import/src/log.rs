//! The import log: per-table counts, and every row that was rejected, not
//! carried into a plan, or carried with a warning, with file, line and
//! reason. Written as JSON next to the imported plans, and summarised for
//! people on the terminal.
//!
//! A reason names the table, line and column, never a field's value: the
//! values (which may be personal data, for example a name typed into a
//! date column) go in [`Issue::value`], which is written to the log file
//! only and never to the terminal.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

/// The version of the import log's JSON layout. Raised when a field changes
/// meaning or is removed; adding a field does not raise it.
pub const IMPORT_LOG_VERSION: u32 = 1;

/// How a row (or value) was handled by the importer. (Named so as not to
/// be confused with a rule's level in the engine.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Handling {
    /// The row is wrong and was not used (bad date, unknown child, overlap, duplicate…).
    Rejected,
    /// The row is valid but was not carried into a plan (dated after the
    /// as-of date, its table has no place in the schema, or the child's list
    /// it belongs to was left out because another of its rows was rejected).
    NotCarried,
    /// The row was used, but part of it was odd and left out or questioned
    /// (an unknown or retired code, an inconsistent pair of rows).
    Warning,
    /// Something worth knowing about the import as a whole.
    Note,
}

/// One reported row or event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Issue {
    /// The table (`episodes`, `reviews`, … or `Child` for the CIN census).
    pub table: String,
    /// The file the row is in.
    pub file: String,
    /// The line the row starts on (1 is the first line of the file), when
    /// the issue is about one row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// The child the row is about, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub child: Option<String>,
    /// How it was handled.
    pub level: Handling,
    /// Why, in plain words: table, column and line, never a field's value.
    pub reason: String,
    /// The value(s) the reason is about, as read, for the person fixing the
    /// return. Personal data: written to the import log file, never printed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// Counts for one table (or, for the CIN census, one kind of element).
///
/// Every row read is counted once as used, rejected or not carried:
/// `read == used + rejected + not_carried`. Warnings are counted among the
/// used rows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableCounts {
    /// The table's name.
    pub table: String,
    /// The file it was read from (empty when the table was not present).
    pub file: String,
    /// Whether the file was present.
    pub present: bool,
    /// Lines in the file (CSV tables only): the header line, the data
    /// records and the blank lines account for every one of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lines: Option<u64>,
    /// Blank lines in the file (CSV tables only), holding no record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blank_lines: Option<u64>,
    /// Data records read (the header is not counted).
    pub read: u64,
    /// Rows carried into plans.
    pub used: u64,
    /// Rows rejected.
    pub rejected: u64,
    /// Valid rows not carried into plans.
    pub not_carried: u64,
    /// Used rows with a warning.
    pub warnings: u64,
    /// Whether the table was rejected whole as damaged (a quote left open,
    /// a record running over lines): then its lines are not accounted for
    /// one by one, and every record it held is counted rejected. Written
    /// only when true.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub damaged: bool,
}

/// Codes from the CIN census that the case-plan schema has no field for,
/// kept here so that nothing the return carries is lost.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CinCodes {
    /// The child (LAchildID).
    pub child: String,
    /// The line of the child's `<Child>` element.
    pub line: u64,
    /// Referrals: date and ReferralSource code (3E is a referral from A&E).
    pub referrals: Vec<CinReferral>,
    /// Every assessment factor recorded for the child, valid codes only,
    /// sorted (4A is also carried as `child.mental_health_needs`).
    pub assessment_factors: Vec<String>,
    /// Child protection plans: start and end dates (YYYY-MM-DD).
    pub child_protection_plans: Vec<CinPeriod>,
}

/// A CIN referral.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CinReferral {
    /// CINreferralDate (YYYY-MM-DD), when valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// ReferralSource code, when valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// True when the source is 3E, Health services – A&E (emergency department).
    pub from_ae: bool,
}

/// A period with a start and, when it has ended, an end (YYYY-MM-DD).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CinPeriod {
    /// Start date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// End date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
}

/// Everything an import did, for people and machines.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ImportLog {
    /// The layout version ([`IMPORT_LOG_VERSION`]).
    pub import_log_version: u32,
    /// `ssda903`, `cin` or `ssda903+cin`.
    pub source: String,
    /// The inputs read (directories and files).
    pub inputs: Vec<String>,
    /// The evaluation date the plans describe (YYYY-MM-DD).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_of: Option<String>,
    /// The end of the SSDA903 collection year (31 March, YYYY-MM-DD).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collection_year_end: Option<String>,
    /// The responsible local authority code given with `--la-code`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub la_code: Option<String>,
    /// Counts per table, in reading order.
    pub tables: Vec<TableCounts>,
    /// Every rejected, not-carried and warned row, and notes.
    pub issues: Vec<Issue>,
    /// CIN census codes with no place in the schema, per child.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cin_codes: Vec<CinCodes>,
    /// Plans produced.
    pub plans: u64,
    /// Where the plans were written (set when written).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub out: Option<String>,
    /// Children whose plan file name differs from their id (characters other
    /// than letters, digits, `-` and `_` replaced): child id → file name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub file_names: BTreeMap<String, String>,
}

impl ImportLog {
    /// An empty log for `source`.
    pub fn new(source: &str) -> ImportLog {
        ImportLog {
            import_log_version: IMPORT_LOG_VERSION,
            source: source.to_string(),
            ..ImportLog::default()
        }
    }

    /// The counts for `table`, if it was read.
    pub fn table(&self, table: &str) -> Option<&TableCounts> {
        self.tables.iter().find(|t| t.table == table)
    }

    /// The issues about `table` at `level`.
    pub fn issues_at<'a>(
        &'a self,
        table: &'a str,
        level: Handling,
    ) -> impl Iterator<Item = &'a Issue> + 'a {
        self.issues
            .iter()
            .filter(move |i| i.table == table && i.level == level)
    }

    /// The log as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// A summary for people: lines and records per table, then the
    /// reported rows grouped by table and handling (at most `per_group`
    /// lines each; the JSON log has them all). It names files, lines and
    /// columns only: no child id and no field value.
    pub fn render_summary(&self, per_group: usize) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "import {}: {} plan(s)", self.source, self.plans);
        if let Some(a) = &self.as_of {
            let _ = write!(out, "as of {a}");
            if let Some(y) = &self.collection_year_end {
                let _ = write!(out, "; collection year ending {y}");
            }
            let _ = writeln!(out);
        }
        let _ = writeln!(out);
        let width = self
            .tables
            .iter()
            .map(|t| t.table.len())
            .max()
            .unwrap_or(5)
            .max(5);
        let _ = writeln!(
            out,
            "{:<width$}  {:>7}  {:>7}  {:>7}  {:>8}  {:>11}  {:>8}",
            "table", "lines", "records", "used", "rejected", "not carried", "warnings"
        );
        for t in &self.tables {
            if t.present {
                let lines = t.lines.map_or_else(|| "-".to_string(), |l| l.to_string());
                let _ = writeln!(
                    out,
                    "{:<width$}  {:>7}  {:>7}  {:>7}  {:>8}  {:>11}  {:>8}",
                    t.table, lines, t.read, t.used, t.rejected, t.not_carried, t.warnings
                );
            } else {
                let _ = writeln!(out, "{:<width$}  (not present)", t.table);
            }
        }
        let mut groups: BTreeMap<(String, Handling), Vec<&Issue>> = BTreeMap::new();
        for i in &self.issues {
            groups
                .entry((i.table.clone(), i.level))
                .or_default()
                .push(i);
        }
        for ((table, level), issues) in &groups {
            let label = match level {
                Handling::Rejected => "rejected",
                Handling::NotCarried => "not carried",
                Handling::Warning => "warnings",
                Handling::Note => "notes",
            };
            let _ = writeln!(out, "\n{table}: {label} ({})", issues.len());
            for i in issues.iter().take(per_group) {
                let at = match (i.file.is_empty(), i.line) {
                    (true, _) => String::new(),
                    (false, Some(l)) => format!("{}:{l}: ", i.file),
                    (false, None) => format!("{}: ", i.file),
                };
                // No child id and no value: both are in the log file.
                let _ = writeln!(out, "  {at}{}", i.reason);
            }
            if issues.len() > per_group {
                let _ = writeln!(
                    out,
                    "  … and {} more (see the import log)",
                    issues.len() - per_group
                );
            }
        }
        out
    }
}
