//! Reports: what checking one plan found, rule by rule.
//!
//! The JSON form is stable and versioned ([`REPORT_VERSION`]); the CLI's
//! `--format json` and the WASM package print exactly [`Report::to_json`].

use std::sync::Arc;

use serde::Serialize;

use crate::ast::{RuleKind, Severity};
use crate::eval::EvidenceValue;
use crate::program::Learning;

/// The version of the report JSON layout. Raised when a field changes
/// meaning or is removed; adding a field does not raise it.
pub const REPORT_VERSION: u32 = 1;

/// A rule's outcome for one plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum OutcomeKind {
    /// The rule's condition holds: its prompt applies.
    Fires,
    /// The rule's condition does not hold.
    Clear,
    /// The plan lacks data the rule needs to decide.
    Unknown,
}

impl OutcomeKind {
    /// `fires`, `clear` or `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            OutcomeKind::Fires => "fires",
            OutcomeKind::Clear => "clear",
            OutcomeKind::Unknown => "unknown",
        }
    }
}

/// One piece of evidence: a plan path and its value.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Evidence {
    /// Where in the plan, with list elements by index (`placements[2].start_date`).
    pub path: String,
    /// The value found there (dates as YYYY-MM-DD; lists by their length).
    pub value: EvidenceValue,
}

/// One rule's outcome with what the practitioner needs to act on it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Outcome {
    /// The rule's id.
    pub rule: Arc<str>,
    /// fires, clear or unknown.
    pub outcome: OutcomeKind,
    /// The rule's title.
    pub title: Arc<str>,
    /// The theme it belongs to.
    pub theme: Arc<str>,
    /// risk, practice or strength.
    pub kind: RuleKind,
    /// high, medium, low or info.
    pub severity: Severity,
    /// The learning point it cites.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub learning: Option<Learning>,
    /// The prompt (when the rule fires).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt: Option<Arc<str>>,
    /// Next steps and questions (when the rule fires).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_steps: Option<Arc<[String]>>,
    /// The plan data that made the rule fire.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
    /// The plan paths whose absence kept the rule from being decided.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
}

/// Counts of outcomes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Rules that fired.
    pub fires: usize,
    /// Rules that were clear.
    pub clear: usize,
    /// Rules that could not be decided.
    pub unknown: usize,
}

/// What checking one plan found.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// The layout version ([`REPORT_VERSION`]).
    pub report_version: u32,
    /// The engine that produced it (`careprompt 0.1.0`).
    pub engine: String,
    /// The evaluation date used.
    pub as_of: String,
    /// The plan's own id, if it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan_id: Option<String>,
    /// Counts of outcomes.
    pub summary: Summary,
    /// Every rule's outcome, in the rule set's order.
    pub outcomes: Vec<Outcome>,
    /// Problems with the plan that did not stop the check (unknown fields).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl Report {
    /// The report as pretty-printed JSON (two-space indent), as the CLI's
    /// `--format json` prints it.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The report as one line of JSON, as `--format ndjson` prints it.
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The outcomes that fired.
    pub fn fired(&self) -> impl Iterator<Item = &Outcome> {
        self.outcomes
            .iter()
            .filter(|o| o.outcome == OutcomeKind::Fires)
    }

    /// The outcome of rule `id`, if the rule set has it.
    pub fn outcome(&self, id: &str) -> Option<&Outcome> {
        self.outcomes.iter().find(|o| o.rule.as_ref() == id)
    }
}
