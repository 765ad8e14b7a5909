//! Local packs: a manifest (`pack.toml`) naming the pack, its version,
//! the learning it encodes and the pack it builds on; rules files that
//! add rules and definitions and `override` the base pack's constants;
//! rules switched off with a recorded reason; fields added to the
//! case-plan schema. A pack compiles to a [`RuleSet`] whose reports name
//! it, and can be shipped as one bundle file. `docs/packs.md` describes
//! the format for policy writers.
//!
//! `manifest` reads the manifest, `layer` puts the pack on its base and
//! compiles it, `bundle` writes and verifies bundles, and `testing` runs
//! the pack's tests and the base pack's tests under the pack's changes.
//! What reports record about a pack is in [`crate::provenance`].

mod bundle;
mod layer;
mod manifest;
mod testing;

pub use crate::provenance::{DisabledRule, OverrideInfo, PackInfo, BUILTIN_PACK};
pub use bundle::BUNDLE_FORMAT;
pub use layer::{ExtensionField, Pack, PackOptions};
pub use manifest::{LearningDoc, MANIFEST};
pub use testing::{BaseFailure, BaseTestRun, ChangedOutcome, PackTestRun};

use crate::diagnostic::CompileError;
use crate::ruleset::RuleSet;

/// Loads a pack bundle's text into a rule set: the one function the CLI,
/// the WASM package and library callers share, so that a bundle gives the
/// same reports everywhere.
pub fn load_bundle(name: &str, text: &str) -> Result<RuleSet, CompileError> {
    Pack::from_bundle(name, text, &PackOptions::default()).map(Pack::into_rule_set)
}

/// The pack layering for the editor analysis, which compiles a local pack
/// from the open files in two steps so that it sees the base pack and the
/// extended schema even while a rule does not compile.
pub(crate) use layer::{compile_layers, layers};
