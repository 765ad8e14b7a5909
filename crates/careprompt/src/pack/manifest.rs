//! `pack.toml`: a pack's manifest, read with the spans of every value so
//! that each problem is reported at its file, line and column.

use crate::diagnostic::{Diagnostic, SourceRef};
use crate::toml_table::{self, Fields, Spanned, TomlError};

pub(crate) use crate::toml_table::span;

/// The manifest's file name inside a pack.
pub const MANIFEST: &str = "pack.toml";

pub(crate) struct Manifest {
    pub pack: PackSection,
    pub learning: Vec<LearningDoc>,
    pub disable: Vec<Spanned<Disable>>,
    pub field: Vec<Spanned<FieldDecl>>,
}

pub(crate) struct PackSection {
    pub name: Spanned<String>,
    pub version: Spanned<String>,
    pub extends: Option<Spanned<String>>,
    pub engine: Option<Spanned<String>>,
    pub description: Option<String>,
    pub authors: Vec<String>,
    pub rules: Option<Vec<Spanned<String>>>,
    pub tests: Option<Vec<Spanned<String>>>,
}

/// A learning document the pack encodes.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LearningDoc {
    /// The document's title.
    pub title: String,
    /// The sections the rules cite.
    pub sections: Vec<String>,
    /// Where it is published (an address or a citation).
    pub published: Option<String>,
}

pub(crate) struct Disable {
    pub rule: Spanned<String>,
    pub reason: Spanned<String>,
}

pub(crate) struct FieldDecl {
    pub path: Spanned<String>,
    pub ty: Spanned<String>,
    pub items: Option<Spanned<String>>,
    pub values: Option<Spanned<Vec<String>>>,
    pub description: Spanned<String>,
    pub none: Spanned<String>,
    pub unknown: Option<Spanned<String>>,
}

/// Parses manifest text; `name` is the file name diagnostics give.
pub(crate) fn parse(name: &str, text: &str) -> Result<Manifest, Box<Diagnostic>> {
    read(text).map_err(|e| {
        let help = e.help.unwrap_or_else(|| {
            "a manifest has a `[pack]` table with `name` and `version`; see docs/packs.md".into()
        });
        Box::new(
            Diagnostic::error("manifest", SourceRef { name, text }, e.span, e.message)
                .with_help(help),
        )
    })
}

fn read(text: &str) -> Result<Manifest, TomlError> {
    let doc = toml_table::parse(text)?;
    let root = Fields::new(
        doc.get_ref(),
        span(&doc),
        "",
        &["pack", "learning", "disable", "field"],
    )?;
    let (table, at) = root.table("pack")?.ok_or_else(|| root.missing("pack"))?;
    let p = Fields::new(
        table,
        at,
        "[pack]",
        &[
            "name",
            "version",
            "extends",
            "engine",
            "description",
            "authors",
            "rules",
            "tests",
        ],
    )?;
    let listed = |key: &str| Ok::<_, TomlError>(p.strings(key)?.map(Spanned::into_inner));
    let pack = PackSection {
        name: p.required_string("name")?,
        version: p.required_string("version")?,
        extends: p.string("extends")?,
        engine: p.string("engine")?,
        description: p.string("description")?.map(Spanned::into_inner),
        authors: p.plain_strings("authors")?,
        rules: listed("rules")?,
        tests: listed("tests")?,
    };
    let mut learning = Vec::new();
    for (table, at) in root.tables("learning")? {
        let f = Fields::new(
            table,
            at,
            "[[learning]]",
            &["title", "sections", "published"],
        )?;
        learning.push(LearningDoc {
            title: f.required_string("title")?.into_inner(),
            sections: f.plain_strings("sections")?,
            published: f.string("published")?.map(Spanned::into_inner),
        });
    }
    let mut disable = Vec::new();
    for (table, at) in root.tables("disable")? {
        let f = Fields::new(table, at, "[[disable]]", &["rule", "reason"])?;
        let d = Disable {
            rule: f.required_string("rule")?,
            reason: f.required_string("reason")?,
        };
        disable.push(Spanned::new(at.start..at.end, d));
    }
    let mut field = Vec::new();
    for (table, at) in root.tables("field")? {
        let f = Fields::new(
            table,
            at,
            "[[field]]",
            &[
                "path",
                "type",
                "items",
                "values",
                "description",
                "none",
                "unknown",
            ],
        )?;
        let values = f.strings("values")?.map(|v| {
            let at = v.span();
            let plain = v
                .into_inner()
                .into_iter()
                .map(Spanned::into_inner)
                .collect();
            Spanned::new(at, plain)
        });
        let d = FieldDecl {
            path: f.required_string("path")?,
            ty: f.required_string("type")?,
            items: f.string("items")?,
            values,
            description: f.required_string("description")?,
            none: f.required_string("none")?,
            unknown: f.string("unknown")?,
        };
        field.push(Spanned::new(at.start..at.end, d));
    }
    Ok(Manifest {
        pack,
        learning,
        disable,
        field,
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
