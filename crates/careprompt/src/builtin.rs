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

/// The built-in pack's rule tests and their fixtures: (name, text).
pub fn builtin_tests() -> &'static [(&'static str, &'static str)] {
    pack::PACK_TESTS
}
