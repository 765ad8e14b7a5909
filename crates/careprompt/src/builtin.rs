//! The built-in children's mental health pack, embedded by build.rs.

use crate::load::Source;

mod pack {
    include!(concat!(env!("OUT_DIR"), "/pack.rs"));
}

/// The built-in children's mental health pack's rules files, as sources.
pub fn builtin_sources() -> Vec<Source> {
    pack::PACK_RULES
        .iter()
        .map(|(n, t)| Source::new(*n, *t))
        .collect()
}

/// The content hash of the built-in pack's files and the built-in schema,
/// worked out by build.rs (what [`crate::ruleset::RuleSet::compile_with`]
/// would compute for them).
pub(crate) fn builtin_hash() -> &'static str {
    pack::PACK_HASH
}

/// Whether `files` are the built-in pack's files, names and texts, in order.
pub(crate) fn is_builtin(files: &[crate::load::SourceFile]) -> bool {
    files.len() == pack::PACK_RULES.len()
        && files
            .iter()
            .zip(pack::PACK_RULES)
            .all(|(f, (name, text))| f.name == *name && f.text == *text)
}

/// The built-in pack's rule tests and their fixtures: (name, text).
pub fn builtin_tests() -> &'static [(&'static str, &'static str)] {
    pack::PACK_TESTS
}
