//! Plan JSON to the compact tree the evaluator reads.
//!
//! One streaming pass over the plan bytes (`scan`): fields that some rule
//! reads are kept (typed and checked against the schema, strings borrowed
//! from the input where they have no escapes), fields that no rule reads are
//! skipped without being built, and fields the schema does not know are
//! skipped with a warning. Errors give line and column and name the field,
//! never its value. The tree and the type checks both readers share are in
//! `tree`; a plan already parsed by serde is read by `value`.

mod extra;
mod scan;
pub(crate) mod settle;
mod tree;
mod value;

use serde::de::DeserializeSeed;

use crate::program::ShapeObj;

pub use extra::{ExtraReads, ExtraValue};
pub(crate) use tree::{plan_size, Extracted, Node};
pub use tree::{PlanError, PlanErrorKind, MAX_LIST_LEN, MAX_PLAN_BYTES};

use tree::Sink;

/// Reads plan bytes against `shape`.
pub(crate) fn extract<'a>(bytes: &'a [u8], shape: &ShapeObj) -> Result<Extracted<'a>, PlanError> {
    if bytes.len() > MAX_PLAN_BYTES {
        return Err(PlanError {
            kind: PlanErrorKind::Limit,
            message: format!(
                "the plan is {} bytes; the limit is {MAX_PLAN_BYTES}",
                bytes.len()
            ),
            help: Some("check that this is one plan, not a whole export".into()),
            line: 0,
            column: 0,
        });
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(PlanError {
            kind: PlanErrorKind::Empty,
            message: "the plan is empty".into(),
            help: Some("a plan is one JSON object: `{ \"child\": { ... } }`".into()),
            line: 1,
            column: 1,
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let (line, column) = crate::diagnostic::line_column(bytes, e.valid_up_to());
        PlanError {
            kind: PlanErrorKind::Syntax,
            message: "the plan is not UTF-8 text".into(),
            help: Some("save the plan as UTF-8 (JSON is always UTF-8)".into()),
            line,
            column,
        }
    })?;
    let mut sink = Sink::for_bytes(bytes.len());
    let root = scan::scan(text, shape, &mut sink)?;
    Ok(finish(root, sink))
}

/// Reads plan bytes against the shape of `extra` (the rule set's shape with
/// the extra fields added); returns the plan as the rule set's own shape
/// reads it, and the extra values. `None` when that read fails: the caller
/// reads the plan again with the rule set's shape, so that a value checked
/// only because it was asked for (an impossible date the rules never read)
/// never turns a plan the rules accept into an error.
pub(crate) fn extract_with<'a>(
    bytes: &'a [u8],
    extra: &ExtraReads,
) -> Option<(Extracted<'a>, Vec<ExtraValue>)> {
    let mut plan = extract(bytes, &extra.shape).ok()?;
    let values = extra.take(&plan.root, &mut plan.nodes);
    Some((plan, values))
}

fn finish<'a>(root: Node<'a>, sink: Sink<'a>) -> Extracted<'a> {
    let Sink {
        nodes,
        mut warnings,
        ..
    } = sink;
    warnings.sort();
    warnings.dedup();
    Extracted {
        root,
        nodes,
        warnings,
        coverage: None,
    }
}

/// Reads an already-parsed `serde_json::Value` against `shape`, borrowing its strings.
pub(crate) fn extract_value<'a>(
    value: &'a serde_json::Value,
    shape: &ShapeObj,
) -> Result<Extracted<'a>, PlanError> {
    let mut sink = Sink::default();
    let root = value::RootSeed {
        shape,
        sink: &mut sink,
    }
    .deserialize(value)
    .map_err(|e| PlanError {
        kind: PlanErrorKind::Schema,
        message: e.to_string(),
        help: None,
        line: 0,
        column: 0,
    })?;
    Ok(finish(root, sink))
}
