//! Where a report's rules came from: the pack's name and version, the
//! content hash of its rules and schema, the constants it overrides and
//! the rules it disables. Also the SHA-256 the hashes are made with.

/// The engine's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

use serde::Serialize;

/// What a report records about the pack that produced it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PackInfo {
    /// The pack's name (its manifest's `name`); `None` for rules compiled
    /// from loose files without a manifest.
    pub name: Option<String>,
    /// The pack's version (its manifest's `version`).
    pub version: Option<String>,
    /// The pack it builds on, if any (`jtai-childrens-mental-health`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extends: Option<String>,
    /// `sha256:` and the hex SHA-256 of the rules and the schema the rules
    /// were compiled against (see docs/packs.md for what is hashed).
    pub hash: String,
    /// Constants whose value differs from their declaration, in
    /// declaration order.
    pub overrides: Vec<OverrideInfo>,
    /// Rules switched off, with the reason recorded for each.
    pub disabled: Vec<DisabledRule>,
}

/// A constant given a value other than the one it was declared with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OverrideInfo {
    /// The constant's name.
    pub name: String,
    /// The value in force, written as in rules (`15`, `2 terms`).
    pub value: String,
    /// The value it was declared with.
    pub declared: String,
}

/// A rule the pack switches off.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DisabledRule {
    /// The rule's id.
    pub rule: String,
    /// Why the pack does not use it.
    pub reason: String,
}

/// The name a manifest's `extends` gives the built-in pack, and the name
/// reports give it.
pub const BUILTIN_PACK: &str = "jtai-childrens-mental-health";

impl PackInfo {
    /// The identity of rules compiled from loose files: no name or
    /// version; `parts` are (kind, name, text) fed to the hash in order.
    pub(crate) fn loose<'a>(
        parts: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>,
        overrides: Vec<OverrideInfo>,
    ) -> PackInfo {
        let mut h = ContentHash::new();
        for (kind, name, text) in parts {
            h.part(kind, name, text.as_bytes());
        }
        PackInfo::with_hash(h.finish(), overrides)
    }

    /// The identity of loose files whose content hash is known already.
    pub(crate) fn with_hash(hash: String, overrides: Vec<OverrideInfo>) -> PackInfo {
        PackInfo {
            name: None,
            version: None,
            extends: None,
            hash,
            overrides,
            disabled: Vec::new(),
        }
    }
}

pub(crate) use crate::sha256::ContentHash;
