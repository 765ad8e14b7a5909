//! Bundles: a whole pack as one JSON file for distribution. The bundle
//! holds every file of the pack and the SHA-256 of their contents; a
//! bundle whose hash does not match is refused.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ast::Span;
use crate::diagnostic::{CompileError, Diagnostic, SourceRef};
use crate::provenance::ContentHash;

/// The value of a bundle's `format` field.
pub const BUNDLE_FORMAT: &str = "careprompt-pack-bundle/1";

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Bundle {
    format: String,
    name: String,
    version: String,
    hash: String,
    files: BTreeMap<String, String>,
}

/// The hash of a bundle's files: each file's path and text, in path order.
pub(crate) fn files_hash(files: &BTreeMap<String, String>) -> String {
    let mut h = ContentHash::new();
    for (name, text) in files {
        h.part("file", name, text.as_bytes());
    }
    h.finish()
}

pub(crate) fn write(name: &str, version: &str, files: &BTreeMap<String, String>) -> String {
    let bundle = Bundle {
        format: BUNDLE_FORMAT.to_string(),
        name: name.to_string(),
        version: version.to_string(),
        hash: files_hash(files),
        files: files.clone(),
    };
    let mut text = serde_json::to_string_pretty(&bundle).unwrap_or_default();
    text.push('\n');
    text
}

/// The byte offset of a 1-based line and column.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let rest = text.get(start..).unwrap_or_default();
    start
        + rest
            .char_indices()
            .nth(column.saturating_sub(1))
            .map(|(i, _)| i)
            .unwrap_or(rest.len())
}

fn at(text: &str, key: &str) -> Span {
    let needle = format!("\"{key}\"");
    text.find(&needle)
        .map(|i| Span::new(i, i + needle.len()))
        .unwrap_or_default()
}

pub(crate) fn read(name: &str, text: &str) -> Result<BTreeMap<String, String>, CompileError> {
    let src = SourceRef { name, text };
    let bundle: Bundle = serde_json::from_str(text).map_err(|e| {
        let offset = offset_of(text, e.line(), e.column());
        CompileError::one(
            Diagnostic::error(
                "bundle",
                src,
                Span::new(offset, offset),
                format!(
                    "the bundle is not readable: {}",
                    e.to_string().to_lowercase()
                ),
            )
            .with_help(
                "a bundle is written by `careprompt pack --bundle`; write it again from the pack",
            ),
        )
    })?;
    if bundle.format != BUNDLE_FORMAT {
        return Err(CompileError::one(
            Diagnostic::error(
                "bundle",
                src,
                at(text, "format"),
                format!(
                    "the bundle's format is `{}`, and this engine reads `{BUNDLE_FORMAT}`",
                    bundle.format
                ),
            )
            .with_help("bundle the pack again with this engine's `careprompt pack --bundle`"),
        ));
    }
    let actual = files_hash(&bundle.files);
    if actual != bundle.hash {
        return Err(CompileError::one(
            Diagnostic::error(
                "bundle-hash",
                src,
                at(text, "hash"),
                format!(
                    "the bundle's files do not match its hash: it records `{}`, its files hash to `{actual}`",
                    bundle.hash
                ),
            )
            .with_help("the bundle was changed after it was made; get the pack's bundle again, or rebuild it with `careprompt pack --bundle`"),
        ));
    }
    Ok(bundle.files)
}
