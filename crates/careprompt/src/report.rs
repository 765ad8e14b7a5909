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

/// What a rule says, whatever the plan: shared by all of the rule's
/// outcomes (one reference count per outcome, not one per field).
#[derive(Debug, PartialEq)]
pub struct RuleText {
    /// The rule's id.
    pub id: String,
    /// The rule's title.
    pub title: String,
    /// The theme it belongs to.
    pub theme: String,
    /// risk, practice or strength.
    pub kind: RuleKind,
    /// high, medium, low or info.
    pub severity: Severity,
    /// The learning point it cites.
    pub learning: Option<Learning>,
    /// The prompt.
    pub prompt: String,
    /// Next steps and questions.
    pub next_steps: Vec<String>,
}

/// One rule's outcome with what the practitioner needs to act on it.
///
/// The rule's own words are read through methods ([`Outcome::rule`],
/// [`Outcome::title`], [`Outcome::prompt`]...); the prompt and next steps
/// are there only when the rule fires, the learning point only when it
/// fires or could not be decided, as in the report's JSON.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// fires, clear or unknown.
    pub outcome: OutcomeKind,
    /// The plan data that made the rule fire.
    pub evidence: Vec<Evidence>,
    /// The plan paths whose absence kept the rule from being decided.
    pub missing: Vec<String>,
    text: Arc<RuleText>,
}

impl Outcome {
    /// An outcome of the rule whose words are `text`, with no evidence yet.
    pub(crate) fn new(text: Arc<RuleText>, outcome: OutcomeKind) -> Outcome {
        Outcome {
            outcome,
            evidence: Vec::new(),
            missing: Vec::new(),
            text,
        }
    }

    /// The rule's id.
    pub fn rule(&self) -> &str {
        &self.text.id
    }

    /// The rule's title.
    pub fn title(&self) -> &str {
        &self.text.title
    }

    /// The theme the rule belongs to.
    pub fn theme(&self) -> &str {
        &self.text.theme
    }

    /// risk, practice or strength.
    pub fn kind(&self) -> RuleKind {
        self.text.kind
    }

    /// high, medium, low or info.
    pub fn severity(&self) -> Severity {
        self.text.severity
    }

    /// The learning point the rule cites (when it fires or could not be decided).
    pub fn learning(&self) -> Option<&Learning> {
        match self.outcome {
            OutcomeKind::Clear => None,
            _ => self.text.learning.as_ref(),
        }
    }

    /// The prompt (when the rule fires).
    pub fn prompt(&self) -> Option<&str> {
        (self.outcome == OutcomeKind::Fires).then_some(self.text.prompt.as_str())
    }

    /// Next steps and questions (when the rule fires).
    pub fn next_steps(&self) -> Option<&[String]> {
        (self.outcome == OutcomeKind::Fires).then_some(self.text.next_steps.as_slice())
    }

    /// Everything the rule says, whatever the outcome.
    pub fn text(&self) -> &RuleText {
        &self.text
    }
}

impl Serialize for Outcome {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut o = s.serialize_struct("Outcome", 11)?;
        o.serialize_field("rule", self.rule())?;
        o.serialize_field("outcome", &self.outcome)?;
        o.serialize_field("title", self.title())?;
        o.serialize_field("theme", self.theme())?;
        o.serialize_field("kind", &self.kind())?;
        o.serialize_field("severity", &self.severity())?;
        if let Some(l) = self.learning() {
            o.serialize_field("learning", l)?;
        }
        if let Some(p) = self.prompt() {
            o.serialize_field("prompt", p)?;
        }
        if let Some(n) = self.next_steps() {
            o.serialize_field("next_steps", n)?;
        }
        if !self.evidence.is_empty() {
            o.serialize_field("evidence", &self.evidence)?;
        }
        if !self.missing.is_empty() {
            o.serialize_field("missing", &self.missing)?;
        }
        o.end()
    }
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
        self.outcomes.iter().find(|o| o.rule() == id)
    }
}
