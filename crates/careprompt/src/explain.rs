//! Explanations: the evaluation trace of one rule on one plan, condition by
//! condition, so a policy writer sees why a rule fired or did not.

use serde::Serialize;

use crate::check::{self, CheckOptions};
use crate::diagnostic::did_you_mean;
use crate::eval::{Env, Item, Truth};
use crate::plan;
use crate::plan::PlanError;
use crate::program::{Cond, CondKind, Operand};
use crate::report::{Evidence, OutcomeKind};
use crate::ruleset::RuleSet;

/// One condition in a trace, with its result and the values it saw.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TraceNode {
    /// The condition as written (or the list element looked at).
    pub condition: String,
    /// true, false or unknown.
    pub result: Truth,
    /// The plan values it read (`path = value`, or `path is missing`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    /// Its parts.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<TraceNode>,
    /// The compiled condition's number (0 for list elements).
    #[serde(skip)]
    pub id: u32,
}

/// Why a rule was decided as it was on one plan.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Explanation {
    /// The rule's id.
    pub rule: String,
    /// The rule's title.
    pub title: String,
    /// The evaluation date.
    pub as_of: String,
    /// The rule's outcome.
    pub outcome: OutcomeKind,
    /// The trace of its condition.
    pub trace: TraceNode,
    /// Set when the trace was cut short at its size limit
    /// ([`MAX_TRACE_ENTRIES`], [`MAX_TRACE_TEXT`]): what was left out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The most entries (conditions and list elements) one trace holds: a
/// large rule over long lists would otherwise trace rule size times list
/// length. Past it, parts are left out and the explanation says so.
pub const MAX_TRACE_ENTRIES: usize = 20_000;

/// The most bytes of text (conditions as written, values seen) one trace
/// holds.
pub const MAX_TRACE_TEXT: usize = 16 * 1024 * 1024;

/// What a trace has used of its size limit.
#[derive(Default)]
pub(crate) struct TraceSize {
    entries: usize,
    text: usize,
    /// Something was left out.
    cut: bool,
}

impl TraceSize {
    /// Whether another entry fits; notes the cut when it does not.
    fn room(&mut self) -> bool {
        let room = self.entries < MAX_TRACE_ENTRIES && self.text < MAX_TRACE_TEXT;
        if !room {
            self.cut = true;
        }
        room
    }

    fn add(&mut self, text: usize) {
        self.entries += 1;
        self.text = self.text.saturating_add(text);
    }
}

/// Why an explanation could not be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ExplainError {
    /// No rule has that id.
    #[error("no rule has the id `{id}`{}", .suggestion.as_ref().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default())]
    UnknownRule {
        /// The id asked for.
        id: String,
        /// A close id, if any.
        suggestion: Option<String>,
    },
    /// The plan could not be read.
    #[error("{0}")]
    Plan(#[from] PlanError),
}

impl Explanation {
    /// The explanation as indented text, one condition a line.
    pub fn render(&self) -> String {
        let mut out = format!(
            "{}  {}\n  outcome: {} (as of {})\n\n",
            self.rule,
            self.title,
            self.outcome.as_str(),
            self.as_of
        );
        render_node(&self.trace, 1, &mut out);
        if let Some(note) = &self.note {
            out.push_str(&format!("\n  note: {note}\n"));
        }
        out
    }
}

fn render_node(n: &TraceNode, depth: usize, out: &mut String) {
    let pad = "  ".repeat(depth);
    let label = match n.result {
        Truth::True => "true   ",
        Truth::False => "false  ",
        Truth::Unknown => "unknown",
    };
    out.push_str(&format!("{pad}[{label}] {}\n", n.condition));
    for v in &n.values {
        out.push_str(&format!("{pad}            {v}\n"));
    }
    for c in &n.children {
        render_node(c, depth + 1, out);
    }
}

/// How many times a check's budget an explanation's trace may spend.
const TRACE_BUDGET_FACTOR: u64 = 8;

impl RuleSet {
    /// Explains rule `rule_id` on plan bytes.
    pub fn explain(
        &self,
        rule_id: &str,
        plan: &[u8],
        options: &CheckOptions,
    ) -> Result<Explanation, ExplainError> {
        let rule = self
            .compiled_rules()
            .iter()
            .find(|r| r.text.id.as_str() == rule_id)
            .ok_or_else(|| ExplainError::UnknownRule {
                id: rule_id.to_string(),
                suggestion: did_you_mean(
                    rule_id,
                    self.compiled_rules().iter().map(|r| r.text.id.as_str()),
                )
                .map(str::to_string),
            })?;
        let mut extracted = plan::extract(plan, self.shape())?;
        self.settle(&mut extracted, options.coverage.as_ref());
        let mut env = check::env(&extracted, options.as_of);
        // The outcome is decided as a check decides it, within the same
        // budget; the trace then has a budget of its own (it evaluates each
        // part again), and parts it has no budget left for show `unknown`.
        let outcome = check::decide(&mut env, &rule.cond);
        let budget = crate::eval::eval_budget(extracted.size());
        env.set_budget(budget.saturating_mul(TRACE_BUDGET_FACTOR));
        let mut size = TraceSize::default();
        let trace = self.trace_within(&mut env, &rule.cond, &mut size);
        let note = size.cut.then(|| {
            format!(
                "the trace is cut short at {} entries ({} bytes of text), its limit; the conditions and list elements after that are left out. The outcome is the check's",
                size.entries, size.text
            )
        });
        Ok(Explanation {
            rule: rule.text.id.clone(),
            title: rule.text.title.clone(),
            as_of: options.as_of.to_string(),
            outcome,
            trace,
            note,
        })
    }

    /// The trace of `c`, within the size limit of one trace (rule tests'
    /// coverage walks the conditions without a trace; its test compares
    /// the two).
    #[cfg(test)]
    pub(crate) fn trace(&self, env: &mut Env<'_, '_>, c: &Cond) -> TraceNode {
        self.trace_within(env, c, &mut TraceSize::default())
    }

    /// The trace of `c`, counting its entries in `size`: parts past the
    /// limit are left out (the node itself always fits: a caller asks
    /// [`TraceSize::room`] first).
    fn trace_within(&self, env: &mut Env<'_, '_>, c: &Cond, size: &mut TraceSize) -> TraceNode {
        let result = env.cond::<false>(c);
        let condition = self.text_of(c);
        size.add(condition.len());
        let mut node = TraceNode {
            condition,
            result,
            values: Vec::new(),
            children: Vec::new(),
            id: c.id,
        };
        match &c.kind {
            CondKind::And(ops) | CondKind::Or(ops) => {
                for op in ops.iter() {
                    if !size.room() {
                        break;
                    }
                    node.children.push(self.trace_within(env, op, size));
                }
            }
            CondKind::Not(inner) | CondKind::Def { body: inner, .. } => {
                if size.room() {
                    node.children = vec![self.trace_within(env, inner, size)];
                }
            }
            CondKind::Quant {
                list,
                filter: Some(f),
                ..
            } => {
                node.children = self.elements(env, list, f, size);
            }
            CondKind::Cmp { left, right, .. } => {
                node.values = values(env, c);
                size.text = size
                    .text
                    .saturating_add(node.values.iter().map(String::len).sum());
                for op in [left, right] {
                    if let Operand::Count {
                        list,
                        filter: Some(f),
                    } = op
                    {
                        node.children.extend(self.elements(env, list, f, size));
                    }
                }
            }
            _ => {
                node.values = values(env, c);
                size.text = size
                    .text
                    .saturating_add(node.values.iter().map(String::len).sum());
            }
        }
        node
    }

    fn elements(
        &self,
        env: &mut Env<'_, '_>,
        list: &crate::program::Access,
        f: &Cond,
        size: &mut TraceSize,
    ) -> Vec<TraceNode> {
        let mut out = Vec::new();
        let count = env.list_len(list);
        for i in 0..count {
            // An element's entry and its condition's.
            if !size.room() || !env.spend(1) || !env.enter_index(list, i) {
                break;
            }
            let label = env.current_prefix();
            size.add(label.len());
            if !size.room() {
                env.leave_scope();
                break;
            }
            let inner = self.trace_within(env, f, size);
            env.leave_scope();
            out.push(TraceNode {
                condition: label,
                result: inner.result,
                values: Vec::new(),
                children: vec![inner],
                id: 0,
            });
        }
        out
    }

    /// The condition as written, on one line (a definition by its name).
    pub(crate) fn text_of(&self, c: &Cond) -> String {
        if let CondKind::Def { name, .. } = &c.kind {
            return name.to_string();
        }
        let Some(src) = self.source_text(c.loc.file) else {
            return String::new();
        };
        let raw = src.text.get(c.loc.span.start..c.loc.span.end).unwrap_or("");
        let mut out = String::with_capacity(raw.len());
        for line in raw.lines() {
            let line = match line.find('#') {
                Some(i) if !line.get(..i).unwrap_or("").contains('"') => {
                    line.get(..i).unwrap_or("")
                }
                _ => line,
            };
            let t = line.trim();
            if t.is_empty() {
                continue;
            }
            if !out.is_empty() && !out.ends_with('(') && !t.starts_with(')') {
                out.push(' ');
            }
            out.push_str(t);
        }
        out
    }
}

fn values(env: &mut Env<'_, '_>, c: &Cond) -> Vec<String> {
    env.items.clear();
    let _ = env.cond::<true>(c);
    let items = std::mem::take(&mut env.items);
    let mut out: Vec<String> = Vec::new();
    for item in items {
        let s = match item {
            Item::Evidence { path, value } => {
                let v = Evidence {
                    path: path.clone(),
                    value,
                };
                format!(
                    "{} = {}",
                    v.path,
                    serde_json::to_string(&v.value).unwrap_or_default()
                )
            }
            Item::Missing(path) => format!("{path} is missing"),
        };
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}
