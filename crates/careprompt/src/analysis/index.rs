//! Declarations and uses of names across a workspace's syntax trees, and
//! the rule ids quoted in rule test files.

use crate::ast::{DurationRef, Expr, ExprKind, FieldKind, Item, ItemKind, Span, Value, ValueKind};

use super::{FileKind, Workspace};

/// What a declaration declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DeclKind {
    Const,
    Override,
    Define,
    Rule,
    Import,
}

/// One declaration: an item and the span of its name.
#[derive(Clone, Debug)]
pub(crate) struct Decl<'w> {
    pub kind: DeclKind,
    pub name: &'w str,
    pub file: &'w str,
    pub name_span: Span,
    pub item: &'w Item,
}

/// Every declaration in the workspace's rules files, file by file.
pub(crate) fn decls(ws: &Workspace) -> Vec<Decl<'_>> {
    let mut out = Vec::new();
    for (file, doc) in ws.docs() {
        for item in &doc.parsed.file.items {
            let (kind, name, span) = match &item.kind {
                ItemKind::Const { name, .. } => (DeclKind::Const, name.node.as_str(), name.span),
                ItemKind::Override { name, .. } => {
                    (DeclKind::Override, name.node.as_str(), name.span)
                }
                ItemKind::Define { name, .. } => (DeclKind::Define, name.node.as_str(), name.span),
                ItemKind::Rule(r) => (DeclKind::Rule, r.id.node.as_str(), r.id.span),
                ItemKind::Import(p) => (DeclKind::Import, p.node.as_str(), p.span),
            };
            out.push(Decl {
                kind,
                name,
                file,
                name_span: span,
                item,
            });
        }
    }
    out
}

/// A use of a name or a field path in a condition.
#[derive(Clone, Debug)]
pub(crate) struct Use<'w> {
    /// The path or name as written.
    pub segments: &'w [String],
    /// Where it is written.
    pub span: Span,
}

/// Every single-word name used in the conditions of `items` (definitions
/// and constants are used this way), with named durations.
pub(crate) fn name_uses<'w>(items: &'w [Item], out: &mut Vec<Use<'w>>) {
    for item in items {
        match &item.kind {
            ItemKind::Define { body, .. } => expr_uses(body, out),
            ItemKind::Rule(r) => {
                for f in &r.fields {
                    if let FieldKind::When(e) = &f.kind {
                        expr_uses(e, out);
                    }
                }
            }
            _ => {}
        }
    }
}

fn expr_uses<'w>(e: &'w Expr, out: &mut Vec<Use<'w>>) {
    match &e.kind {
        ExprKind::And(ops) | ExprKind::Or(ops) => ops.iter().for_each(|o| expr_uses(o, out)),
        ExprKind::Not(i) | ExprKind::Group(i) => expr_uses(i, out),
        ExprKind::Quantified { list, filter, .. } => {
            out.push(Use {
                segments: &list.node.segments,
                span: list.span,
            });
            if let Some(f) = filter {
                expr_uses(f, out);
            }
        }
        ExprKind::Bare(v) => value_uses(v, out),
        ExprKind::Compare { left, right, .. } => {
            value_uses(left, out);
            value_uses(right, out);
        }
        ExprKind::In { value, .. } => value_uses(value, out),
        ExprKind::Text { value, needle, .. } => {
            value_uses(value, out);
            value_uses(needle, out);
        }
        ExprKind::Presence { path, .. } => out.push(Use {
            segments: &path.node.segments,
            span: path.span,
        }),
        ExprKind::DateRelative {
            value, duration, ..
        } => {
            value_uses(value, out);
            if let DurationRef::Named(n) = &duration.node {
                out.push(Use {
                    segments: std::slice::from_ref(n),
                    span: duration.span,
                });
            }
        }
    }
}

fn value_uses<'w>(v: &'w Value, out: &mut Vec<Use<'w>>) {
    match &v.kind {
        ValueKind::Path(p) => out.push(Use {
            segments: &p.segments,
            span: v.span,
        }),
        ValueKind::Count { list, filter } => {
            out.push(Use {
                segments: &list.node.segments,
                span: list.span,
            });
            if let Some(f) = filter {
                expr_uses(f, out);
            }
        }
        ValueKind::Age(p) => out.push(Use {
            segments: &p.node.segments,
            span: p.span,
        }),
        ValueKind::Literal(_) => {}
    }
}

/// The byte ranges of the quoted strings of a TOML text equal to `id`
/// (the text between the quotes).
pub(crate) fn quoted(text: &str, id: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let needle = format!("\"{id}\"");
    let mut from = 0;
    while let Some(at) = text.get(from..).and_then(|t| t.find(&needle)) {
        let start = from + at + 1;
        out.push((start, start + id.len()));
        from = start + id.len() + 1;
    }
    out
}

/// The quoted string around byte `offset` of a TOML line, if any.
pub(crate) fn quoted_at(text: &str, offset: usize) -> Option<(usize, usize)> {
    let line_start = text.get(..offset)?.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let line_end = text
        .get(offset..)?
        .find('\n')
        .map(|i| offset + i)
        .unwrap_or(text.len());
    let line = text.get(line_start..line_end)?;
    let mut open: Option<usize> = None;
    for (i, b) in line.bytes().enumerate() {
        if b == b'"' {
            match open {
                None => open = Some(i),
                Some(s) => {
                    let (a, z) = (line_start + s + 1, line_start + i);
                    if (a..=z).contains(&offset) {
                        return Some((a, z));
                    }
                    open = None;
                }
            }
        }
    }
    None
}

/// The rule test files of a workspace.
pub(crate) fn test_files(ws: &Workspace) -> impl Iterator<Item = (&str, &super::Doc)> {
    ws.docs().filter(|(_, d)| d.kind == FileKind::Tests)
}
