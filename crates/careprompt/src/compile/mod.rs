//! Syntax trees to a checked program: names resolved against the case-plan
//! schema, types checked, definitions expanded (and cycles refused),
//! constants and their overrides applied.
//!
//! [`compiler`] holds the compiler and drives it over files and rules;
//! [`conditions`] compiles each condition, [`paths`] resolves field paths,
//! [`flatten`] lowers a compiled condition to the flat form deciding runs,
//! [`operands`] compiles and type-checks comparisons, [`types`] is the
//! compiler's view of value types and [`shape`] the plan shape it marks.

mod compiler;
mod conditions;
mod flatten;
mod operands;
mod paths;
mod shape;
mod types;

pub(crate) use compiler::{Compiler, ConstInfo, DefInfo};
pub use compiler::{MAX_CONDITIONS, MAX_CONDITION_DEPTH, MAX_DIAGNOSTICS};
