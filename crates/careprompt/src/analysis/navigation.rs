//! Go to definition and find references: definitions, constants (and
//! their overrides), imported files, and rule ids (declared in rules
//! files, named in rule test files).

use serde::{Deserialize, Serialize};

use crate::load::resolve_import;

use super::index::{decls, name_uses, quoted, quoted_at, test_files, DeclKind};
use super::text::{word_at, Range};
use super::{At, FileKind, Workspace};

/// A range in a file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    /// The file's name.
    pub file: String,
    /// The range.
    pub range: Range,
}

/// What the position names.
enum Target {
    /// A definition or constant.
    Name(String),
    /// A rule id.
    Rule(String),
    /// A file, by its normalised name.
    File(String),
}

fn normalise(name: &str) -> String {
    resolve_import("", name)
}

fn target(ws: &Workspace, at: &At) -> Option<Target> {
    let doc = ws.doc(&at.file)?;
    let text = doc.text.as_str();
    let offset = doc.lines.offset(text, at.position);
    let all = decls(ws);
    match doc.kind {
        FileKind::Rules => {
            if let Some(imp) = all.iter().find(|d| {
                d.kind == DeclKind::Import
                    && d.file == at.file
                    && (d.name_span.start..=d.name_span.end).contains(&offset)
            }) {
                return Some(Target::File(normalise(&resolve_import(&at.file, imp.name))));
            }
            let (s, e) = word_at(text, offset)?;
            let word = text.get(s..e)?;
            if all
                .iter()
                .any(|d| d.kind == DeclKind::Rule && d.name == word)
            {
                return Some(Target::Rule(word.to_string()));
            }
            if !word.contains('.')
                && all.iter().any(|d| {
                    d.name == word
                        && matches!(
                            d.kind,
                            DeclKind::Const | DeclKind::Define | DeclKind::Override
                        )
                })
            {
                return Some(Target::Name(word.to_string()));
            }
            None
        }
        FileKind::Tests => {
            let (s, e) = quoted_at(text, offset)?;
            let word = text.get(s..e)?;
            if all
                .iter()
                .any(|d| d.kind == DeclKind::Rule && d.name == word)
            {
                return Some(Target::Rule(word.to_string()));
            }
            let file = normalise(&resolve_import(&at.file, word));
            ws.docs()
                .any(|(n, _)| normalise(n) == file)
                .then_some(Target::File(file))
        }
        FileKind::Data => None,
    }
}

fn loc(ws: &Workspace, file: &str, start: usize, end: usize) -> Option<Location> {
    let doc = ws.doc(file)?;
    Some(Location {
        file: file.to_string(),
        range: doc.lines.range(&doc.text, start, end),
    })
}

/// Where the thing at a position is declared.
pub(crate) fn definition(ws: &Workspace, at: &At) -> Vec<Location> {
    let Some(t) = target(ws, at) else {
        return Vec::new();
    };
    let all = decls(ws);
    match t {
        Target::Name(n) => all
            .iter()
            .filter(|d| d.name == n && matches!(d.kind, DeclKind::Const | DeclKind::Define))
            .filter_map(|d| loc(ws, d.file, d.name_span.start, d.name_span.end))
            .collect(),
        Target::Rule(id) => all
            .iter()
            .filter(|d| d.kind == DeclKind::Rule && d.name == id)
            .filter_map(|d| loc(ws, d.file, d.name_span.start, d.name_span.end))
            .collect(),
        Target::File(f) => ws
            .docs()
            .filter(|(n, _)| normalise(n) == f)
            .filter_map(|(n, _)| loc(ws, n, 0, 0))
            .collect(),
    }
}

/// Every use of the thing at a position.
pub(crate) fn references(ws: &Workspace, at: &At, include_declaration: bool) -> Vec<Location> {
    let Some(t) = target(ws, at) else {
        return Vec::new();
    };
    let all = decls(ws);
    let mut out = Vec::new();
    match t {
        Target::Name(n) => {
            for d in &all {
                let is_decl = matches!(d.kind, DeclKind::Const | DeclKind::Define);
                if d.name == n && ((is_decl && include_declaration) || d.kind == DeclKind::Override)
                {
                    out.extend(loc(ws, d.file, d.name_span.start, d.name_span.end));
                }
            }
            for (file, doc) in ws.docs() {
                let mut uses = Vec::new();
                name_uses(&doc.parsed.file.items, &mut uses);
                for u in uses {
                    if u.segments.len() == 1 && u.segments.first().is_some_and(|s| *s == n) {
                        out.extend(loc(ws, file, u.span.start, u.span.end));
                    }
                }
            }
        }
        Target::Rule(id) => {
            if include_declaration {
                for d in all
                    .iter()
                    .filter(|d| d.kind == DeclKind::Rule && d.name == id)
                {
                    out.extend(loc(ws, d.file, d.name_span.start, d.name_span.end));
                }
            }
            for (file, doc) in test_files(ws) {
                for (s, e) in quoted(&doc.text, &id) {
                    out.extend(loc(ws, file, s, e));
                }
            }
        }
        Target::File(f) => {
            for d in all.iter().filter(|d| d.kind == DeclKind::Import) {
                if normalise(&resolve_import(d.file, d.name)) == f {
                    out.extend(loc(ws, d.file, d.name_span.start, d.name_span.end));
                }
            }
        }
    }
    out.sort_by(|a, b| (&a.file, a.range.start).cmp(&(&b.file, b.range.start)));
    out.dedup();
    out
}
