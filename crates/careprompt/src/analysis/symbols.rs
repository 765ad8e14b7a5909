//! Document symbols: the items of a rules file, for an outline.

use serde::{Deserialize, Serialize};

use crate::ast::{FieldKind, ItemKind};

use super::text::Range;
use super::Workspace;

/// What a symbol is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SymbolKind {
    /// `rule`.
    Rule,
    /// `define`.
    Definition,
    /// `const`.
    Constant,
    /// `override`.
    Override,
    /// `import`.
    Import,
}

/// One item of a file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Symbol {
    /// The id or name.
    pub name: String,
    /// What it is.
    pub kind: SymbolKind,
    /// A rule's title, a constant's value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The whole item.
    pub range: Range,
    /// The name.
    pub selection_range: Range,
}

/// The items of `file`, in the order written.
pub(crate) fn symbols(ws: &Workspace, file: &str) -> Vec<Symbol> {
    let Some(doc) = ws.doc(file) else {
        return Vec::new();
    };
    let text = doc.text.as_str();
    doc.parsed
        .file
        .items
        .iter()
        .map(|item| {
            let (name, kind, detail, span) = match &item.kind {
                ItemKind::Rule(r) => (
                    r.id.node.clone(),
                    SymbolKind::Rule,
                    r.fields.iter().find_map(|f| match &f.kind {
                        FieldKind::Title(t) => Some(t.node.clone()),
                        _ => None,
                    }),
                    r.id.span,
                ),
                ItemKind::Define { name, .. } => {
                    (name.node.clone(), SymbolKind::Definition, None, name.span)
                }
                ItemKind::Const { name, value } => (
                    name.node.clone(),
                    SymbolKind::Constant,
                    Some(crate::format::literal(&value.node)),
                    name.span,
                ),
                ItemKind::Override { name, value } => (
                    name.node.clone(),
                    SymbolKind::Override,
                    Some(crate::format::literal(&value.node)),
                    name.span,
                ),
                ItemKind::Import(p) => (p.node.clone(), SymbolKind::Import, None, p.span),
            };
            Symbol {
                name,
                kind,
                detail,
                range: doc.lines.range(text, item.span.start, item.span.end),
                selection_range: doc.lines.range(text, span.start, span.end),
            }
        })
        .collect()
}
