//! careprompt: a rules engine that prompts good practice in children's
//! services case plans.
//!
//! Policy writers state learning points as rules in a small language; the
//! engine checks a case plan (JSON) against them and returns, for every
//! rule, whether it `fires` (with the evidence), is `clear`, or is
//! `unknown` (with the missing fields that kept it from being decided).
//!
//! ```
//! use careprompt::{CheckOptions, Date, RuleSet, Source};
//!
//! let rules = RuleSet::compile(&[Source::new(
//!     "example.cpr",
//!     r#"
//!     rule EX-01 {
//!       title "Virtual School involvement"
//!       theme "Education"
//!       kind practice
//!       severity high
//!       when child.looked_after and education.virtual_school.involved = false
//!       prompt "Consider involving the Virtual School."
//!     }"#,
//! )])?;
//! let plan = br#"{"child": {"looked_after": true}, "education": {"virtual_school": {"involved": false}}}"#;
//! let report = rules.check_json(plan, &CheckOptions::new(Date::parse("2026-11-26")?))?;
//! assert_eq!(report.outcome("EX-01").map(|o| o.outcome.as_str()), Some("fires"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

// The modules, a group per stage of the pipeline (ARCHITECTURE.md); a
// module imports only from its own group and those above it.

// Foundations: the syntax tree and its printer, dates, diagnostics, JSON text,
// the content hash.
#[doc(hidden)]
pub mod ast;
pub mod date;
pub mod diagnostic;
pub mod format;
mod json;
mod sha256;
mod toml_table;

// Load and parse rules files, against the case-plan schema.
mod load;
mod parser;
pub mod schema;
pub mod schema_ext;

// Compile them into a rule set.
mod builtin;
mod compile;
pub mod coverage;
mod program;
pub mod provenance;
mod ruleset;

// Read a plan (settled under its source coverage), evaluate the rules on it,
// build the report.
mod check;
mod eval;
mod flat;
pub mod plan;
pub mod report;

// Built on checking: explanations, rule tests, lint, and the host layer
// every binding shares; the editor analysis on top.
pub mod analysis;
pub mod explain;
pub mod files;
pub mod host;
pub mod lint;
pub mod pack;
pub mod testing;

pub use ast::{RuleKind, Severity};
pub use builtin::{builtin_sources, builtin_tests};
pub use check::{CheckOptions, Prepared};
pub use compile::{MAX_CONDITIONS, MAX_CONDITION_DEPTH, MAX_DIAGNOSTICS};
pub use coverage::{Coverage, CoverageError};
pub use date::{Date, DateError};
pub use diagnostic::{CompileError, Diagnostic, Level};
pub use eval::{EvidenceValue, Truth, EVAL_STEPS_PER_PLAN_NODE};
pub use load::{resolve_import, Loader, Source, MAX_RULES_FILES};
pub use pack::{load_bundle, Pack, PackInfo, PackOptions};
pub use parser::{parse_source, MAX_NESTING, MAX_NOTS, MAX_RULES_BYTES};
pub use plan::{PlanError, PlanErrorKind, MAX_LIST_LEN, MAX_PLAN_BYTES};
pub use program::Learning;
pub use report::{
    Evidence, Outcome, OutcomeKind, Report, RuleText, Summary, REPORT_VERSION, VERSION,
};
pub use ruleset::{CompileOptions, RuleInfo, RuleSet};
pub use schema::{NoneForm, Schema, SchemaError, CASE_PLAN_SCHEMA};

/// The case-plan JSON Schema text.
pub fn case_plan_schema() -> &'static str {
    CASE_PLAN_SCHEMA
}

/// Formats a rules file in canonical form.
pub fn format_source(name: &str, text: &str) -> Result<String, CompileError> {
    Ok(format::print_file(&parse_source(name, text)?))
}
