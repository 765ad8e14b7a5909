//! Completion: field paths with their types and descriptions, allowed
//! values, element fields inside `where (...)`, definitions, constants,
//! keywords and units; rule ids, outcomes and field paths in rule tests.

use serde::{Deserialize, Serialize};

use crate::ast::ItemKind;
use crate::schema::{Field, FieldType, ObjectType};

use super::context::{context_at, object_of, resolve, scopes, type_label, Context, Tok};
use super::index::{decls, quoted_at, DeclKind};
use super::text::{is_word, lexical_state, Lexical};
use super::{At, FileKind, Workspace};

/// What a completion inserts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CompletionKind {
    /// A field of the case plan.
    Field,
    /// An allowed value.
    Value,
    /// A definition (`define`).
    Definition,
    /// A constant (`const`).
    Constant,
    /// A keyword of the language.
    Keyword,
    /// A unit of time.
    Unit,
    /// A rule id.
    Rule,
}

/// One completion.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Completion {
    /// What is shown and, unless `insert_text` says otherwise, inserted.
    pub label: String,
    /// What it is.
    pub kind: CompletionKind,
    /// A short note shown beside it (a field's type, a constant's value).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The longer text (a field's description and allowed values), Markdown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub documentation: Option<String>,
    /// The text inserted, when not the label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub insert_text: Option<String>,
}

impl Completion {
    fn new(label: impl Into<String>, kind: CompletionKind) -> Completion {
        Completion {
            label: label.into(),
            kind,
            detail: None,
            documentation: None,
            insert_text: None,
        }
    }

    fn detail(mut self, d: impl Into<String>) -> Completion {
        self.detail = Some(d.into());
        self
    }

    fn doc(mut self, d: Option<String>) -> Completion {
        self.documentation = d;
        self
    }
}

const ITEM_KEYWORDS: [(&str, &str); 5] = [
    ("rule", "a rule: `rule ID { ... }`"),
    ("define", "a named condition: `define name = condition`"),
    ("const", "a named value: `const name = value`"),
    ("override", "a new value for a constant declared elsewhere"),
    (
        "import",
        "the items of another rules file: `import \"file.cpr\"`",
    ),
];

const FIELD_KEYWORDS: [(&str, &str); 8] = [
    ("title", "the rule's title: `title \"...\"`"),
    ("theme", "the theme it belongs to: `theme \"...\"`"),
    ("kind", "`risk`, `practice` or `strength`"),
    ("severity", "`high`, `medium`, `low` or `info`"),
    (
        "learning",
        "the learning point cited: `learning \"source\" section \"section\"`",
    ),
    ("when", "the condition under which the rule fires"),
    ("prompt", "what the rule says when it fires"),
    ("next", "a next step or question (repeatable)"),
];

pub(crate) const CONDITION_KEYWORDS: [(&str, &str); 17] = [
    ("and", "both conditions hold"),
    ("or", "at least one condition holds"),
    ("not", "the condition does not hold"),
    (
        "any",
        "at least one element of a list: `any list where (...)`",
    ),
    ("all", "every element of a list: `all list where (...)`"),
    ("none", "no element of a list: `none list where (...)`"),
    ("where", "the condition on each element: `where (...)`"),
    ("count", "how many elements: `count list where (...) >= 2`"),
    (
        "age",
        "whole years from a date to the evaluation date: `age of child.date_of_birth`",
    ),
    ("exists", "the field is recorded"),
    ("missing", "the field is not recorded"),
    (
        "within",
        "a date no further back than a duration: `date within 6 months`",
    ),
    (
        "more",
        "a date further back than a duration: `date more than 6 months ago`",
    ),
    ("in", "one of a list of values: `field in [\"a\", \"b\"]`"),
    (
        "contains",
        "text holds a piece of text, or a list holds a value",
    ),
    (
        "starts",
        "text begins with a piece of text: `starts with \"...\"`",
    ),
    ("true", "the value true"),
];

const UNITS: [&str; 5] = ["days", "weeks", "months", "terms", "years"];
const KINDS: [&str; 3] = ["risk", "practice", "strength"];
const SEVERITIES: [&str; 4] = ["high", "medium", "low", "info"];
const OUTCOMES: [(&str, &str); 3] = [
    ("fires", "the rule's condition holds"),
    ("clear", "the condition does not hold"),
    ("unknown", "the plan does not say enough to decide"),
];

/// The completions at a position.
pub(crate) fn complete(ws: &Workspace, at: &At) -> Vec<Completion> {
    let Some(doc) = ws.doc(&at.file) else {
        return Vec::new();
    };
    let text = doc.text.as_str();
    let offset = doc.lines.offset(text, at.position);
    match doc.kind {
        FileKind::Rules => in_rules(ws, text, offset),
        FileKind::Tests => in_tests(ws, text, offset),
        FileKind::Data => Vec::new(),
    }
}

fn in_rules(ws: &Workspace, text: &str, offset: usize) -> Vec<Completion> {
    let bytes = text.as_bytes();
    let line_start = text
        .get(..offset)
        .and_then(|t| t.rfind('\n'))
        .map(|i| i + 1)
        .unwrap_or(0);
    let line = text.get(line_start..offset).unwrap_or_default();
    match lexical_state(line) {
        Lexical::Comment => return Vec::new(),
        Lexical::String => {
            // Typing a value in quotes: the values the field allows.
            let quote = line.rfind('"').map(|i| line_start + i).unwrap_or(offset);
            let partial = text.get(quote + 1..offset).unwrap_or_default();
            let cx = context_at(text, quote);
            return filter(enum_values(ws, &cx, false), partial);
        }
        Lexical::Code => {}
    }
    let mut word_start = offset;
    while word_start > 0 && bytes.get(word_start - 1).copied().is_some_and(is_word) {
        word_start -= 1;
    }
    let word = text.get(word_start..offset).unwrap_or_default();
    let cx = context_at(text, word_start);
    let schema = ws.schema();
    let scopes = scopes(schema, &cx.where_lists);
    if let Some((base, partial)) = word.rsplit_once('.') {
        let segs: Vec<&str> = base.split('.').collect();
        return match object_of(&scopes, &segs) {
            Some(obj) => filter(fields(obj), partial),
            None => Vec::new(),
        };
    }
    let last = cx.tokens.last();
    let before_last = cx
        .tokens
        .len()
        .checked_sub(2)
        .and_then(|i| cx.tokens.get(i));
    let out =
        if cx.in_list {
            enum_values(ws, &cx, true)
        } else if last.is_some_and(|t| t.is_punct("=") || t.is_punct("!=")) {
            let mut v = enum_values(ws, &cx, true);
            if v.is_empty() {
                v = names(ws, Some(DeclKind::Const));
            }
            v
        } else if last.is_some_and(|t| t.word().is_some_and(is_number)) {
            UNITS
                .iter()
                .map(|u| Completion::new(*u, CompletionKind::Unit).detail("unit of time"))
                .collect()
        } else if last.is_some_and(|t| t.is_word("kind")) && cx.in_rule_body {
            plain(&KINDS, CompletionKind::Value)
        } else if last.is_some_and(|t| t.is_word("severity")) && cx.in_rule_body {
            plain(&SEVERITIES, CompletionKind::Value)
        } else if last.is_some_and(|t| t.is_word("within"))
            || (last.is_some_and(|t| t.is_word("than"))
                && before_last.is_some_and(|t| t.is_word("more")))
        {
            names(ws, Some(DeclKind::Const))
        } else if last.is_some_and(|t| t.is_word("more")) {
            vec![Completion::new("than", CompletionKind::Keyword)]
        } else if last.is_some_and(|t| t.is_word("starts")) {
            vec![Completion::new("with", CompletionKind::Keyword)]
        } else if last.is_some_and(|t| t.is_word("age")) {
            vec![Completion::new("of", CompletionKind::Keyword)]
        } else if at_item_start(&cx) {
            ITEM_KEYWORDS
                .iter()
                .map(|(k, d)| Completion::new(*k, CompletionKind::Keyword).doc(Some((*d).into())))
                .collect()
        } else if cx.in_rule_body && !in_when(&cx) {
            FIELD_KEYWORDS
                .iter()
                .map(|(k, d)| Completion::new(*k, CompletionKind::Keyword).doc(Some((*d).into())))
                .collect()
        } else {
            let mut v = Vec::new();
            if !cx.in_rule_body && cx.line_start {
                // A new line after an item: perhaps the next item.
                v.extend(ITEM_KEYWORDS.iter().map(|(k, d)| {
                    Completion::new(*k, CompletionKind::Keyword).doc(Some((*d).into()))
                }));
            }
            if cx.in_rule_body && cx.line_start {
                v.extend(FIELD_KEYWORDS.iter().map(|(k, d)| {
                    Completion::new(*k, CompletionKind::Keyword).doc(Some((*d).into()))
                }));
            }
            // Element fields first, then the plan's top-level groups.
            for s in scopes.iter().rev() {
                v.extend(fields(s));
            }
            v.extend(names(ws, None));
            v.extend(
                CONDITION_KEYWORDS.iter().map(|(k, d)| {
                    Completion::new(*k, CompletionKind::Keyword).doc(Some((*d).into()))
                }),
            );
            v
        };
    filter(out, word)
}

fn at_item_start(cx: &Context) -> bool {
    !cx.in_rule_body && (cx.tokens.is_empty() || cx.tokens.last().is_some_and(|t| t.is_punct("}")))
}

/// Whether the last rule field begun is `when` (so a line start may carry
/// on the condition).
fn in_when(cx: &Context) -> bool {
    let fields = [
        "title", "theme", "kind", "severity", "learning", "when", "prompt", "next",
    ];
    cx.tokens
        .iter()
        .rev()
        .find_map(|t| t.word().filter(|w| fields.contains(w)))
        .is_some_and(|w| w == "when")
}

fn is_number(w: &str) -> bool {
    !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit() || b == b'.')
}

fn plain(words: &[&str], kind: CompletionKind) -> Vec<Completion> {
    words.iter().map(|w| Completion::new(*w, kind)).collect()
}

fn filter(items: Vec<Completion>, prefix: &str) -> Vec<Completion> {
    items
        .into_iter()
        .filter(|c| {
            c.label
                .trim_matches('"')
                .starts_with(prefix.trim_matches('"'))
        })
        .collect()
}

/// The fields of an object, each with its type and description.
pub(crate) fn fields(obj: &ObjectType) -> Vec<Completion> {
    obj.fields
        .iter()
        .map(|(name, f)| {
            Completion::new(name.clone(), CompletionKind::Field)
                .detail(type_label(&f.ty))
                .doc(Some(field_doc(f)))
        })
        .collect()
}

/// A field's description, with its allowed values.
pub(crate) fn field_doc(f: &Field) -> String {
    let mut s = f
        .description
        .clone()
        .unwrap_or_else(|| "(the schema gives no description)".into());
    if let Some(values) = allowed(&f.ty) {
        s.push_str("\n\nAllowed values: ");
        s.push_str(
            &values
                .iter()
                .map(|v| format!("`\"{v}\"`"))
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    s
}

/// The values a text field (or a list of them) allows.
pub(crate) fn allowed(ty: &FieldType) -> Option<&[String]> {
    match ty {
        FieldType::Text { values: Some(v) } => Some(v),
        FieldType::List(e) => allowed(e),
        _ => None,
    }
}

/// The values allowed for the field compared (before `=`, `!=` or `in [`).
fn enum_values(ws: &Workspace, cx: &Context, quoted: bool) -> Vec<Completion> {
    let toks = &cx.tokens;
    // The path: the word before the operator, or before `in [` / `not in [`.
    let mut i = toks.len();
    let mut written: Vec<String> = Vec::new();
    if cx.in_list {
        while let Some(t) = i.checked_sub(1).and_then(|k| toks.get(k)) {
            i -= 1;
            if t.is_punct("[") {
                break;
            }
            if let Tok::Str(s) = t {
                written.push(s.clone());
            }
        }
        if i.checked_sub(1)
            .and_then(|k| toks.get(k))
            .is_some_and(|t| t.is_word("in"))
        {
            i -= 1;
        }
        if i.checked_sub(1)
            .and_then(|k| toks.get(k))
            .is_some_and(|t| t.is_word("not"))
        {
            i -= 1;
        }
    } else if i
        .checked_sub(1)
        .and_then(|k| toks.get(k))
        .is_some_and(|t| matches!(t, Tok::Punct(_)))
    {
        i -= 1;
    }
    let Some(path) = i
        .checked_sub(1)
        .and_then(|k| toks.get(k))
        .and_then(Tok::word)
    else {
        return Vec::new();
    };
    let segs: Vec<&str> = path.split('.').collect();
    let scopes = scopes(ws.schema(), &cx.where_lists);
    let Some(field) = resolve(&scopes, &segs) else {
        return Vec::new();
    };
    if matches!(field.ty, FieldType::Bool) && !cx.in_list {
        return plain(&["true", "false"], CompletionKind::Value);
    }
    let Some(values) = allowed(&field.ty) else {
        return Vec::new();
    };
    values
        .iter()
        .filter(|v| !written.contains(v))
        .map(|v| {
            let label = if quoted {
                format!("\"{v}\"")
            } else {
                v.clone()
            };
            Completion::new(label, CompletionKind::Value).detail(format!("a value of `{path}`"))
        })
        .collect()
}

/// Definitions and constants (or only those of `only`).
fn names(ws: &Workspace, only: Option<DeclKind>) -> Vec<Completion> {
    let mut out = Vec::new();
    for d in decls(ws) {
        if only.is_some_and(|k| k != d.kind) {
            continue;
        }
        match &d.item.kind {
            ItemKind::Define { body, .. } => out.push(
                Completion::new(d.name, CompletionKind::Definition)
                    .detail("definition")
                    .doc(Some(format!("```\n{}\n```", crate::format::expr(body)))),
            ),
            ItemKind::Const { value, .. } => out.push(
                Completion::new(d.name, CompletionKind::Constant)
                    .detail(format!("= {}", crate::format::literal(&value.node)))
                    .doc((!d.item.comments.is_empty()).then(|| d.item.comments.join("\n"))),
            ),
            _ => {}
        }
    }
    out
}

fn in_tests(ws: &Workspace, text: &str, offset: usize) -> Vec<Completion> {
    let Some((start, _)) = quoted_at(text, offset) else {
        return Vec::new();
    };
    let partial = text.get(start..offset).unwrap_or_default();
    let line_start = text
        .get(..start)
        .and_then(|t| t.rfind('\n'))
        .map(|i| i + 1)
        .unwrap_or(0);
    let before = text
        .get(line_start..start.saturating_sub(1))
        .unwrap_or_default();
    let section = text
        .get(..line_start)
        .unwrap_or_default()
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with('['))
        .unwrap_or_default()
        .trim();
    let is_key = before.trim().is_empty();
    let out: Vec<Completion> = if section.starts_with("[case.expect") && is_key {
        ws.rule_set()
            .map(|r| r.rules())
            .unwrap_or_default()
            .into_iter()
            .map(|r| {
                Completion::new(r.text.id.clone(), CompletionKind::Rule)
                    .detail(r.text.title.clone())
            })
            .collect()
    } else if section == "[case.expect]" {
        OUTCOMES
            .iter()
            .map(|(o, d)| Completion::new(*o, CompletionKind::Value).detail(*d))
            .collect()
    } else if (section == "[case.set]" && is_key)
        || before.contains("remove")
        || section.starts_with("[case.expect_missing")
    {
        let mut v = Vec::new();
        leaf_paths(&ws.schema().root, "", &mut v);
        v
    } else {
        Vec::new()
    };
    filter(out, partial)
}

/// Every dotted path through objects (not into lists), with its type.
fn leaf_paths(obj: &ObjectType, prefix: &str, out: &mut Vec<Completion>) {
    for (name, f) in &obj.fields {
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        if let FieldType::Object(o) = &f.ty {
            leaf_paths(o, &path, out);
        }
        out.push(
            Completion::new(path, CompletionKind::Field)
                .detail(type_label(&f.ty))
                .doc(Some(field_doc(f))),
        );
    }
}
