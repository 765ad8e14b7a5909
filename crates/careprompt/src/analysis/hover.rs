//! Hover text: a field's description, type and allowed values; a
//! constant's value and the comment that gives its source; a definition's
//! condition; a rule's title; what a keyword does.

use serde::{Deserialize, Serialize};

use crate::ast::{FieldKind, Item, ItemKind};
use crate::diagnostic::line_col;

use super::completion::{field_doc, CONDITION_KEYWORDS};
use super::context::{context_at, resolve, scopes, type_label};
use super::index::{decls, quoted_at, Decl, DeclKind};
use super::text::{lexical_state, word_at, Lexical, Range};
use super::{At, FileKind, Workspace};

/// Hover text for a range.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hover {
    /// The range the text is about.
    pub range: Range,
    /// The text, Markdown.
    pub markdown: String,
}

/// The hover text at a position.
pub(crate) fn hover(ws: &Workspace, at: &At) -> Option<Hover> {
    let doc = ws.doc(&at.file)?;
    let text = doc.text.as_str();
    let offset = doc.lines.offset(text, at.position);
    let (start, end, markdown) = match doc.kind {
        FileKind::Rules => in_rules(ws, &at.file, text, offset)?,
        FileKind::Tests => {
            let (s, e) = quoted_at(text, offset)?;
            let word = text.get(s..e)?;
            let md = rule_text(ws, word).or_else(|| {
                let segs: Vec<&str> = word.split('.').collect();
                let f = resolve(&[&ws.schema().root], &segs)?;
                Some(field_text(word, f))
            })?;
            (s, e, md)
        }
        FileKind::Data => return None,
    };
    Some(Hover {
        range: doc.lines.range(text, start, end),
        markdown,
    })
}

fn in_rules(
    ws: &Workspace,
    file: &str,
    text: &str,
    offset: usize,
) -> Option<(usize, usize, String)> {
    let line_start = text.get(..offset)?.rfind('\n').map(|i| i + 1).unwrap_or(0);
    if lexical_state(text.get(line_start..offset)?) != Lexical::Code {
        return None;
    }
    let (s, e) = word_at(text, offset)?;
    let word = text.get(s..e)?;
    let all = decls(ws);
    // A rule's id where it is declared.
    if let Some(d) = all
        .iter()
        .find(|d| d.kind == DeclKind::Rule && d.file == file && d.name_span.start == s)
    {
        return Some((s, e, rule_md(d.item)?));
    }
    if !word.contains('.') {
        if let Some(md) = name_text(ws, &all, word) {
            return Some((s, e, md));
        }
        if let Some((_, doc)) = CONDITION_KEYWORDS.iter().find(|(k, _)| *k == word) {
            return Some((s, e, format!("`{word}`: {doc}")));
        }
    }
    // A field path: the segment under the cursor, resolved in the scopes
    // of the `where` clauses around it.
    let before = text.get(s..offset)?;
    let k = before.matches('.').count();
    let segs: Vec<&str> = word.split('.').collect();
    let upto = segs.get(..=k)?;
    let cx = context_at(text, s);
    let f = resolve(&scopes(ws.schema(), &cx.where_lists), upto)?;
    let seg_start = s + upto.iter().take(k).map(|x| x.len() + 1).sum::<usize>();
    let seg_end = seg_start + upto.last().map(|x| x.len()).unwrap_or(0);
    Some((seg_start, seg_end, field_text(&upto.join("."), f)))
}

fn field_text(path: &str, f: &crate::schema::Field) -> String {
    format!("**{path}** ({})\n\n{}", type_label(&f.ty), field_doc(f))
}

/// The hover text of a definition or constant named `name`.
fn name_text(ws: &Workspace, all: &[Decl<'_>], name: &str) -> Option<String> {
    let decl = all
        .iter()
        .find(|d| d.name == name && matches!(d.kind, DeclKind::Const | DeclKind::Define))?;
    let at = place(ws, decl);
    match &decl.item.kind {
        ItemKind::Const { value, .. } => {
            let mut md = format!(
                "```careprompt\nconst {name} = {}\n```",
                crate::format::literal(&value.node)
            );
            if !decl.item.comments.is_empty() {
                md.push_str("\n\n");
                md.push_str(&decl.item.comments.join("\n"));
            }
            md.push_str(&format!("\n\nDeclared in {at}."));
            for o in all
                .iter()
                .filter(|d| d.kind == DeclKind::Override && d.name == name)
            {
                if let ItemKind::Override { value, .. } = &o.item.kind {
                    md.push_str(&format!(
                        "\n\nOverridden in {} with `{}`.",
                        place(ws, o),
                        crate::format::literal(&value.node)
                    ));
                }
            }
            Some(md)
        }
        ItemKind::Define { body, .. } => {
            let mut md = format!(
                "```careprompt\ndefine {name} =\n  {}\n```",
                crate::format::expr(body)
            );
            if !decl.item.comments.is_empty() {
                md.push_str("\n\n");
                md.push_str(&decl.item.comments.join("\n"));
            }
            md.push_str(&format!("\n\nDeclared in {at}."));
            Some(md)
        }
        _ => None,
    }
}

/// `` `file` line N `` for a declaration.
fn place(ws: &Workspace, d: &Decl<'_>) -> String {
    let line = ws
        .doc(d.file)
        .map(|doc| line_col(&doc.text, d.name_span.start).0)
        .unwrap_or(0);
    format!("`{}` line {line}", d.file)
}

/// The hover text of the rule with id `id`.
fn rule_text(ws: &Workspace, id: &str) -> Option<String> {
    let all = decls(ws);
    let d = all
        .iter()
        .find(|d| d.kind == DeclKind::Rule && d.name == id)?;
    rule_md(d.item)
}

fn rule_md(item: &Item) -> Option<String> {
    let ItemKind::Rule(r) = &item.kind else {
        return None;
    };
    let mut title = None;
    let mut facts = Vec::new();
    let mut learning = None;
    for f in &r.fields {
        match &f.kind {
            FieldKind::Title(t) => title = Some(t.node.clone()),
            FieldKind::Theme(t) => facts.push(format!("theme: {}", t.node)),
            FieldKind::Kind(k) => facts.push(format!("kind: {}", k.node.as_str())),
            FieldKind::Severity(s) => facts.push(format!("severity: {}", s.node.as_str())),
            FieldKind::Learning { source, section } => {
                learning = Some(match section {
                    Some(s) => format!("{}, section \"{}\"", source.node, s.node),
                    None => source.node.clone(),
                })
            }
            _ => {}
        }
    }
    let mut md = format!(
        "**{}**: {}",
        r.id.node,
        title.unwrap_or_else(|| "(no title)".into())
    );
    if !facts.is_empty() {
        md.push_str(&format!("\n\n{}", facts.join(" · ")));
    }
    if let Some(l) = learning {
        md.push_str(&format!("\n\nLearning: {l}"));
    }
    Some(md)
}
