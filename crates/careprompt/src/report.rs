//! Reports: what checking one plan found, rule by rule.
//!
//! The JSON form is stable and versioned ([`REPORT_VERSION`]); the CLI's
//! `--format json` and the WASM package print exactly [`Report::to_json`].

use std::sync::Arc;

use serde::Serialize;

use crate::ast::{RuleKind, Severity};
use crate::eval::EvidenceValue;
use crate::program::Learning;
pub use crate::program::RuleText;
use crate::provenance::PackInfo;

/// The version of the report JSON layout. Raised when a field changes
/// meaning or is removed; adding a field does not raise it.
pub const REPORT_VERSION: u32 = 1;

pub use crate::provenance::VERSION;

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
    /// The outcome's letter in [`Report::to_compact`]: `f`, `c` or `u`.
    pub fn code(self) -> char {
        match self {
            OutcomeKind::Fires => 'f',
            OutcomeKind::Clear => 'c',
            OutcomeKind::Unknown => 'u',
        }
    }

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
    /// Of the missing paths, those outside the declared source coverage
    /// ("not in this source"): empty when no coverage is declared.
    pub not_in_source: Vec<String>,
    text: Arc<RuleText>,
}

impl Outcome {
    /// An outcome of the rule whose words are `text`, with no evidence yet.
    pub(crate) fn new(text: Arc<RuleText>, outcome: OutcomeKind) -> Outcome {
        Outcome {
            outcome,
            evidence: Vec::new(),
            missing: Vec::new(),
            not_in_source: Vec::new(),
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
        let mut o = s.serialize_struct("Outcome", 12)?;
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
        if !self.not_in_source.is_empty() {
            o.serialize_field("not_in_source", &self.not_in_source)?;
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
    /// The pack whose rules made the report: name, version, content hash,
    /// overridden constants and disabled rules.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pack: Option<Arc<PackInfo>>,
}

impl Report {
    /// The report as pretty-printed JSON (two-space indent), as the CLI's
    /// `--format json` prints it. The same bytes as serde_json's
    /// `to_string_pretty` of the report, written faster: the rules' words
    /// were escaped once, when the rules were compiled.
    pub fn to_json(&self) -> String {
        let mut w = JsonWriter::new(true, self.outcomes.len() * 1024 + 512);
        w.report(self);
        w.out
    }

    /// The report as one line of JSON, as `--format ndjson` prints it (the
    /// same bytes as serde_json's `to_string`).
    pub fn to_json_line(&self) -> String {
        let mut out = String::new();
        self.write_json_line(&mut out);
        out
    }

    /// Appends [`Report::to_json_line`]'s text to `out`, for a host that
    /// wraps each report in its own line (no copy of the report's text).
    pub fn write_json_line(&self, out: &mut String) {
        let mut buffer = std::mem::take(out);
        buffer.reserve(self.outcomes.len() * 1024 + 512);
        let mut w = JsonWriter::onto(buffer, false);
        w.report(self);
        *out = w.out;
    }

    /// The report without the rules' words, for a binding that holds them
    /// already ([`rule_words_json`]): one character per outcome, in the
    /// rule set's order (`f` fires, `c` clear, `u` unknown), a newline, and
    /// one line of JSON: `{"as_of", "plan_id"?, "warnings"?, "details":
    /// [[index, {"evidence"?, "missing"?, "not_in_source"?}], ...]}`, with
    /// an entry in `details` only for the outcomes that have any. The
    /// evidence, paths and warnings are written exactly as in
    /// [`Report::to_json`], so that the words and this give back the whole
    /// report.
    pub fn to_compact(&self) -> String {
        let mut w = JsonWriter::new(false, self.outcomes.len() + 256);
        w.compact(self);
        w.out
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

/// Writes a report's JSON byte for byte as serde_json would (pretty with a
/// two-space indent, or compact), copying the rules' words from their
/// pre-escaped form.
struct JsonWriter {
    out: String,
    pretty: bool,
    depth: usize,
    /// Whether the container being written has an entry yet.
    first: Vec<bool>,
}

impl JsonWriter {
    fn new(pretty: bool, capacity: usize) -> JsonWriter {
        JsonWriter::onto(String::with_capacity(capacity), pretty)
    }

    /// A writer appending to `out`.
    fn onto(out: String, pretty: bool) -> JsonWriter {
        JsonWriter {
            out,
            pretty,
            depth: 0,
            first: Vec::with_capacity(8),
        }
    }

    fn newline(&mut self) {
        if self.pretty {
            self.out.push('\n');
            for _ in 0..self.depth {
                self.out.push_str("  ");
            }
        }
    }

    fn open(&mut self, bracket: char) {
        self.out.push(bracket);
        self.depth += 1;
        self.first.push(true);
    }

    fn close(&mut self, bracket: char) {
        self.depth = self.depth.saturating_sub(1);
        if self.first.pop() == Some(false) {
            self.newline();
        }
        self.out.push(bracket);
    }

    /// Starts an entry of the open container.
    fn entry(&mut self) {
        match self.first.last_mut() {
            Some(f) if *f => *f = false,
            _ => self.out.push(','),
        }
        self.newline();
    }

    /// Starts a field of the open object: its name (a plain identifier).
    fn key(&mut self, name: &str) {
        self.entry();
        self.out.push('"');
        self.out.push_str(name);
        self.out.push_str(if self.pretty { "\": " } else { "\":" });
    }

    /// A JSON string literal already escaped.
    fn raw(&mut self, key: &str, literal: &str) {
        self.key(key);
        self.out.push_str(literal);
    }

    /// A text as a JSON string literal, escaped as serde_json escapes it.
    fn text(&mut self, s: &str) {
        crate::json::write_text(&mut self.out, s);
    }

    /// A field holding a text.
    fn text_field(&mut self, key: &str, s: &str) {
        self.key(key);
        self.text(s);
    }

    /// A field holding a word that needs no escaping (`fires`, `high`).
    fn word_field(&mut self, key: &str, word: &str) {
        self.key(key);
        self.out.push('"');
        self.out.push_str(word);
        self.out.push('"');
    }

    /// A field holding a bare JSON word (`true`, `null`).
    fn word_field_bare(&mut self, key: &str, word: &str) {
        self.key(key);
        self.out.push_str(word);
    }

    /// A field holding a count.
    fn count_field(&mut self, key: &str, n: usize) {
        use std::fmt::Write;
        self.key(key);
        let _ = write!(self.out, "{n}");
    }

    /// A field holding any other value, through serde_json.
    fn field<T: Serialize + ?Sized>(&mut self, key: &str, v: &T) {
        self.key(key);
        if let Ok(text) = serde_json::to_string(v) {
            self.out.push_str(&text);
        }
    }

    fn strings<'s>(&mut self, key: &str, items: impl Iterator<Item = &'s str>, raw: bool) {
        self.key(key);
        self.open('[');
        for item in items {
            self.entry();
            if raw {
                self.out.push_str(item);
            } else {
                self.text(item);
            }
        }
        self.close(']');
    }

    fn report(&mut self, r: &Report) {
        self.open('{');
        self.count_field("report_version", r.report_version as usize);
        self.text_field("engine", &r.engine);
        self.text_field("as_of", &r.as_of);
        if let Some(id) = &r.plan_id {
            self.text_field("plan_id", id);
        }
        self.key("summary");
        self.open('{');
        self.count_field("fires", r.summary.fires);
        self.count_field("clear", r.summary.clear);
        self.count_field("unknown", r.summary.unknown);
        self.close('}');
        self.key("outcomes");
        self.open('[');
        for o in &r.outcomes {
            self.entry();
            self.outcome(o);
        }
        self.close(']');
        if !r.warnings.is_empty() {
            self.strings("warnings", r.warnings.iter().map(String::as_str), false);
        }
        if let Some(p) = &r.pack {
            self.key("pack");
            self.pack(p);
        }
        self.close('}');
    }

    fn optional_text(&mut self, key: &str, s: Option<&str>) {
        match s {
            Some(s) => self.text_field(key, s),
            None => self.word_field_bare(key, "null"),
        }
    }

    fn pack(&mut self, p: &PackInfo) {
        self.open('{');
        self.optional_text("name", p.name.as_deref());
        self.optional_text("version", p.version.as_deref());
        if let Some(e) = &p.extends {
            self.text_field("extends", e);
        }
        self.text_field("hash", &p.hash);
        self.key("overrides");
        self.open('[');
        for o in &p.overrides {
            self.entry();
            self.open('{');
            self.text_field("name", &o.name);
            self.text_field("value", &o.value);
            self.text_field("declared", &o.declared);
            self.close('}');
        }
        self.close(']');
        self.key("disabled");
        self.open('[');
        for d in &p.disabled {
            self.entry();
            self.open('{');
            self.text_field("rule", &d.rule);
            self.text_field("reason", &d.reason);
            self.close('}');
        }
        self.close(']');
        self.close('}');
    }

    fn outcome(&mut self, o: &Outcome) {
        let json = &o.text.json;
        self.open('{');
        self.raw("rule", &json.id);
        self.word_field("outcome", o.outcome.as_str());
        self.raw("title", &json.title);
        self.raw("theme", &json.theme);
        self.word_field("kind", o.kind().as_str());
        self.word_field("severity", o.severity().as_str());
        if o.learning().is_some() {
            if let Some((source, section)) = &json.learning {
                self.key("learning");
                self.open('{');
                self.raw("source", source);
                if let Some(section) = section {
                    self.raw("section", section);
                }
                self.close('}');
            }
        }
        if o.prompt().is_some() {
            self.raw("prompt", &json.prompt);
        }
        if o.next_steps().is_some() {
            self.strings(
                "next_steps",
                json.next_steps.iter().map(String::as_str),
                true,
            );
        }
        self.details(o);
        self.close('}');
    }

    /// What an outcome found in the plan: its evidence, missing paths and
    /// paths not in the source (each only when there are some), the last
    /// fields of the outcome's object.
    fn details(&mut self, o: &Outcome) {
        if !o.evidence.is_empty() {
            self.key("evidence");
            self.open('[');
            for e in &o.evidence {
                self.entry();
                self.open('{');
                self.text_field("path", &e.path);
                match &e.value {
                    EvidenceValue::Text(t) => self.text_field("value", t),
                    EvidenceValue::Bool(b) => {
                        self.word_field_bare("value", if *b { "true" } else { "false" })
                    }
                    EvidenceValue::Absent => self.word_field_bare("value", "null"),
                    EvidenceValue::Number(_) => self.field("value", &e.value),
                }
                self.close('}');
            }
            self.close(']');
        }
        if !o.missing.is_empty() {
            self.strings("missing", o.missing.iter().map(String::as_str), false);
        }
        if !o.not_in_source.is_empty() {
            self.strings(
                "not_in_source",
                o.not_in_source.iter().map(String::as_str),
                false,
            );
        }
    }

    /// The compact form ([`Report::to_compact`]).
    fn compact(&mut self, r: &Report) {
        for o in &r.outcomes {
            self.out.push(o.outcome.code());
        }
        self.out.push('\n');
        self.open('{');
        self.text_field("as_of", &r.as_of);
        if let Some(id) = &r.plan_id {
            self.text_field("plan_id", id);
        }
        if !r.warnings.is_empty() {
            self.strings("warnings", r.warnings.iter().map(String::as_str), false);
        }
        self.key("details");
        self.open('[');
        for (i, o) in r.outcomes.iter().enumerate() {
            if o.evidence.is_empty() && o.missing.is_empty() && o.not_in_source.is_empty() {
                continue;
            }
            self.entry();
            self.open('[');
            self.entry();
            {
                use std::fmt::Write;
                let _ = write!(self.out, "{i}");
            }
            self.entry();
            self.open('{');
            self.details(o);
            self.close('}');
            self.close(']');
        }
        self.close(']');
        self.close('}');
    }

    /// Every rule's words, as [`rule_words_json`] lays them out.
    fn words<'t>(&mut self, rules: impl Iterator<Item = &'t RuleText>, pack: &PackInfo) {
        self.open('{');
        self.count_field("report_version", REPORT_VERSION as usize);
        self.text_field("engine", &format!("careprompt {VERSION}"));
        self.key("pack");
        self.pack(pack);
        self.key("rules");
        self.open('[');
        for t in rules {
            let json = &t.json;
            self.entry();
            self.open('{');
            self.raw("rule", &json.id);
            self.raw("title", &json.title);
            self.raw("theme", &json.theme);
            self.word_field("kind", t.kind.as_str());
            self.word_field("severity", t.severity.as_str());
            if t.learning.is_some() {
                if let Some((source, section)) = &json.learning {
                    self.key("learning");
                    self.open('{');
                    self.raw("source", source);
                    if let Some(section) = section {
                        self.raw("section", section);
                    }
                    self.close('}');
                }
            }
            self.raw("prompt", &json.prompt);
            self.strings(
                "next_steps",
                json.next_steps.iter().map(String::as_str),
                true,
            );
            self.close('}');
        }
        self.close(']');
        self.close('}');
    }
}

/// The words of every rule in `rules` and the pack they come from, as one
/// compact JSON object, for a binding to hold once per compiled rule set
/// and combine with each plan's [`Report::to_compact`] form:
/// `{"report_version", "engine", "pack", "rules": [{"rule", "title",
/// "theme", "kind", "severity", "learning"?, "prompt", "next_steps"}]}`.
/// Each text is exactly the text the full report gives for that rule.
pub fn rule_words_json<'t>(rules: impl Iterator<Item = &'t RuleText>, pack: &PackInfo) -> String {
    let mut w = JsonWriter::new(false, 16 * 1024);
    w.words(rules, pack);
    w.out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_as_serde_json_escapes_it() {
        let mut every_ascii: String = (0u8..0x80).map(char::from).collect();
        every_ascii.push_str("é€😀\u{2028}");
        for s in [
            every_ascii.as_str(),
            "",
            "plain",
            "\"",
            "\\",
            "a\u{0}b\u{1f}",
        ] {
            let mut w = JsonWriter::new(true, 0);
            w.text(s);
            assert_eq!(w.out, serde_json::to_string(s).unwrap(), "{s:?}");
            assert_eq!(crate::json::literal(s), serde_json::to_string(s).unwrap());
        }
    }
}
