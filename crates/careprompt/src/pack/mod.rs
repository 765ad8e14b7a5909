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

use std::collections::BTreeMap;

pub use bundle::BUNDLE_FORMAT;
pub use crate::provenance::{DisabledRule, OverrideInfo, PackInfo, BUILTIN_PACK};
pub use layer::{ExtensionField, PackOptions};
pub use manifest::{LearningDoc, MANIFEST};
pub use testing::{BaseTestRun, ChangedOutcome, PackTestRun};

use crate::diagnostic::CompileError;
use crate::ruleset::RuleSet;

/// A compiled local pack: what it is made of and its rule set.
#[derive(Debug)]
pub struct Pack {
    /// The manifest's `name`.
    pub name: String,
    /// The manifest's `version`.
    pub version: String,
    /// What the pack is for, if the manifest says.
    pub description: Option<String>,
    /// The pack it builds on.
    pub extends: Option<String>,
    /// The engine versions it supports, as written (`>=0.1, <0.2`).
    pub engine: Option<String>,
    /// Who wrote it.
    pub authors: Vec<String>,
    /// The learning documents it encodes.
    pub learning: Vec<LearningDoc>,
    /// Its files (manifest, rules, tests, fixtures), by path inside the pack.
    pub files: BTreeMap<String, String>,
    /// Its rules files, by path inside the pack.
    pub rules_files: Vec<String>,
    /// Its rule test files, by path inside the pack.
    pub test_files: Vec<String>,
    /// The fields it adds to the case-plan schema.
    pub extensions: Vec<ExtensionField>,
    /// The schema its rules are compiled against (the base schema with the
    /// extensions merged in), as JSON Schema text.
    pub schema_json: String,
    /// Where the files were read from, for messages (`rules/x/`, or the
    /// bundle's name and `:`).
    pub root: String,
    pub(crate) rule_set: RuleSet,
    /// The rules with the disabled ones kept, for the base pack's tests.
    pub(crate) full_rules: RuleSet,
}

impl Pack {
    /// Compiles a pack from its files (paths inside the pack, `/`-separated,
    /// the manifest at `pack.toml`). `root` prefixes file names in messages.
    /// Nothing is returned unless every part loads.
    pub fn from_files(
        root: &str,
        files: BTreeMap<String, String>,
        options: &PackOptions,
    ) -> Result<Pack, CompileError> {
        layer::compile(root, files, options)
    }

    /// Reads and verifies a bundle (see [`Pack::to_bundle`]) and compiles
    /// the pack in it. `name` is the bundle's file name, for messages.
    pub fn from_bundle(name: &str, text: &str, options: &PackOptions) -> Result<Pack, CompileError> {
        let files = bundle::read(name, text)?;
        layer::compile(&format!("{name}:"), files, options)
    }

    /// The pack as one bundle file: JSON holding every file of the pack
    /// and the hash of their contents, checked when it is loaded.
    pub fn to_bundle(&self) -> String {
        bundle::write(self)
    }

    /// The compiled rules (disabled rules left out).
    pub fn rule_set(&self) -> &RuleSet {
        &self.rule_set
    }

    /// The compiled rules, owned.
    pub fn into_rule_set(self) -> RuleSet {
        self.rule_set
    }

    /// What reports record about the pack.
    pub fn info(&self) -> &PackInfo {
        self.rule_set.pack_info()
    }
}

/// Loads a pack bundle's text into a rule set: the one function the CLI,
/// the WASM package and library callers share, so that a bundle gives the
/// same reports everywhere.
pub fn load_bundle(name: &str, text: &str) -> Result<RuleSet, CompileError> {
    Pack::from_bundle(name, text, &PackOptions::default()).map(Pack::into_rule_set)
}

