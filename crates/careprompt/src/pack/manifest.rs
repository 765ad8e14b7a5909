//! `pack.toml`: a pack's manifest, read with the spans of every value so
//! that each problem is reported at its file, line and column.

use serde::Deserialize;
use toml::Spanned;

use crate::ast::Span;
use crate::diagnostic::{Diagnostic, SourceRef};

/// The manifest's file name inside a pack.
pub const MANIFEST: &str = "pack.toml";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Manifest {
    pub pack: PackSection,
    #[serde(default)]
    pub learning: Vec<LearningDoc>,
    #[serde(default)]
    pub disable: Vec<Spanned<Disable>>,
    #[serde(default)]
    pub field: Vec<Spanned<FieldDecl>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PackSection {
    pub name: Spanned<String>,
    pub version: Spanned<String>,
    pub extends: Option<Spanned<String>>,
    pub engine: Option<Spanned<String>>,
    pub description: Option<String>,
    #[serde(default)]
    pub authors: Vec<String>,
    pub rules: Option<Vec<Spanned<String>>>,
    pub tests: Option<Vec<Spanned<String>>>,
}

/// A learning document the pack encodes.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct LearningDoc {
    /// The document's title.
    pub title: String,
    /// The sections the rules cite.
    #[serde(default)]
    pub sections: Vec<String>,
    /// Where it is published (an address or a citation).
    pub published: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Disable {
    pub rule: Spanned<String>,
    pub reason: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FieldDecl {
    pub path: Spanned<String>,
    #[serde(rename = "type")]
    pub ty: Spanned<String>,
    pub items: Option<Spanned<String>>,
    pub values: Option<Spanned<Vec<String>>>,
    pub description: Spanned<String>,
    pub none: Spanned<String>,
    pub unknown: Option<Spanned<String>>,
}

pub(crate) fn span<T>(s: &Spanned<T>) -> Span {
    let r = s.span();
    Span::new(r.start, r.end)
}

/// Parses manifest text; `name` is the file name diagnostics give.
pub(crate) fn parse(name: &str, text: &str) -> Result<Manifest, Box<Diagnostic>> {
    toml::from_str::<Manifest>(text).map_err(|e| {
        let span = e
            .span()
            .map(|r| Span::new(r.start, r.end))
            .unwrap_or_default();
        let message = e.message().trim().to_lowercase();
        Box::new(
            Diagnostic::error("manifest", SourceRef { name, text }, span, message).with_help(
                "a manifest has a `[pack]` table with `name` and `version`; see docs/packs.md",
            ),
        )
    })
}

/// Whether the engine version `have` satisfies `req`: comparisons such as
/// `>=0.1, <0.2` (all must hold), each against a version of one to three
/// numbers; a bare version means `=`, matching every version it prefixes.
pub(crate) fn engine_supports(req: &str, have: &str) -> Result<bool, String> {
    let have = numbers(have).ok_or_else(|| format!("engine version `{have}` is not readable"))?;
    let mut all = true;
    for part in req.split(',') {
        let part = part.trim();
        let (op, ver) = ["<=", ">=", "<", ">", "=", "^", "~"]
            .iter()
            .find_map(|op| part.strip_prefix(op).map(|v| (*op, v.trim())))
            .unwrap_or(("=", part));
        let want = numbers(ver).ok_or_else(|| {
            format!("`{part}` is not a version comparison such as `>=0.1` or `<0.2`")
        })?;
        let len = want.len();
        let cmp = have.iter().take(len).cmp(want.iter());
        let ok = match op {
            "<=" => cmp.is_le(),
            ">=" => cmp.is_ge(),
            "<" => cmp.is_lt(),
            ">" => cmp.is_gt(),
            "=" => cmp.is_eq(),
            _ => {
                return Err(format!(
                    "`{op}` is not supported; write `>=` and `<` bounds"
                ))
            }
        };
        all &= ok;
    }
    Ok(all)
}

fn numbers(v: &str) -> Option<Vec<u64>> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    let parts: Option<Vec<u64>> = v.split('.').map(|p| p.parse().ok()).collect();
    parts.filter(|p| p.len() <= 3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_ranges() {
        assert_eq!(engine_supports(">=0.1, <0.2", "0.1.0"), Ok(true));
        assert_eq!(engine_supports(">=0.2", "0.1.0"), Ok(false));
        assert_eq!(engine_supports("0.1", "0.1.7"), Ok(true));
        assert_eq!(engine_supports("<0.1", "0.1.0"), Ok(false));
        assert!(engine_supports("^0.1", "0.1.0").is_err());
        assert!(engine_supports(">=x", "0.1.0").is_err());
    }

    #[test]
    fn parse_errors_carry_line_and_column() {
        let text = "[pack]\nname = \"x\"\nversion = 1\n";
        let d = parse("p/pack.toml", text).err().unwrap();
        assert_eq!((d.file.as_str(), d.line), ("p/pack.toml", 3));
        assert!(d.column > 1);
    }
}
