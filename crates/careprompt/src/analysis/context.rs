//! What surrounds a position in a rules file, read from the text (the item
//! being typed rarely parses): the tokens of its item so far, the lists of
//! the `where (...)` clauses it is inside, whether it is in a rule's braces
//! or in a `[...]` list, and the schema scopes that follow.

use crate::schema::{Field, FieldType, ObjectType, Schema};

use super::text::is_word;
use super::tolerant::chunks;

/// A token of rules text.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Tok {
    /// A name, dotted path, number or rule id.
    Word(String),
    /// A string literal (its contents).
    Str(String),
    /// Punctuation or an operator.
    Punct(String),
}

impl Tok {
    pub(crate) fn is_word(&self, w: &str) -> bool {
        matches!(self, Tok::Word(x) if x == w)
    }

    pub(crate) fn is_punct(&self, p: &str) -> bool {
        matches!(self, Tok::Punct(x) if x == p)
    }

    pub(crate) fn word(&self) -> Option<&str> {
        match self {
            Tok::Word(w) => Some(w),
            _ => None,
        }
    }
}

/// The surroundings of a position.
#[derive(Clone, Debug, Default)]
pub(crate) struct Context {
    /// The complete tokens of the item before the position (not the word
    /// being typed).
    pub tokens: Vec<Tok>,
    /// The list paths of the `where (...)` clauses around the position,
    /// outermost first.
    pub where_lists: Vec<String>,
    /// Inside a rule's braces.
    pub in_rule_body: bool,
    /// Inside `[` ... `]`: the tokens before the `[`.
    pub in_list: bool,
    /// The position is at the start of its line (only blanks, then the word
    /// being typed).
    pub line_start: bool,
}

/// Reads the surroundings of byte `offset` in `text`. `word_start` is
/// where the word being typed starts (tokens stop there).
pub(crate) fn context_at(text: &str, word_start: usize) -> Context {
    let item_start = chunks(text)
        .into_iter()
        .filter(|(s, _)| *s <= word_start)
        .map(|(s, _)| s)
        .next_back()
        .unwrap_or(0);
    let before = text.get(item_start..word_start).unwrap_or_default();
    let line_start = before
        .rsplit('\n')
        .next()
        .is_some_and(|l| l.trim().is_empty());
    let mut cx = Context {
        line_start,
        ..Context::default()
    };
    // Each open bracket: `Some(list)` for the `(` of `where`.
    let mut parens: Vec<Option<String>> = Vec::new();
    let bytes = before.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'#' => {
                while bytes.get(i).is_some_and(|c| *c != b'\n') {
                    i += 1;
                }
            }
            b'"' => {
                let start = i + 1;
                i += 1;
                while let Some(&c) = bytes.get(i) {
                    if c == b'\\' {
                        i += 2;
                        continue;
                    }
                    if c == b'"' || c == b'\n' {
                        break;
                    }
                    i += 1;
                }
                let s = before.get(start..i.min(before.len())).unwrap_or_default();
                cx.tokens.push(Tok::Str(s.to_string()));
                i += 1;
            }
            b if is_word(b) => {
                let start = i;
                while bytes.get(i).copied().is_some_and(is_word) {
                    i += 1;
                }
                let w = before.get(start..i).unwrap_or_default();
                cx.tokens.push(Tok::Word(w.to_string()));
            }
            b'(' => {
                let n = cx.tokens.len();
                let list = match (
                    n.checked_sub(2).and_then(|k| cx.tokens.get(k)),
                    cx.tokens.last(),
                ) {
                    (Some(Tok::Word(list)), Some(t)) if t.is_word("where") => Some(list.clone()),
                    _ => None,
                };
                if let Some(l) = &list {
                    cx.where_lists.push(l.clone());
                }
                parens.push(list);
                cx.tokens.push(Tok::Punct("(".into()));
                i += 1;
            }
            b')' => {
                if let Some(Some(_)) = parens.pop() {
                    cx.where_lists.pop();
                }
                cx.tokens.push(Tok::Punct(")".into()));
                i += 1;
            }
            b'{' => {
                cx.in_rule_body = true;
                cx.tokens.push(Tok::Punct("{".into()));
                i += 1;
            }
            b'}' => {
                cx.in_rule_body = false;
                cx.tokens.push(Tok::Punct("}".into()));
                i += 1;
            }
            b'[' => {
                cx.in_list = true;
                cx.tokens.push(Tok::Punct("[".into()));
                i += 1;
            }
            b']' => {
                cx.in_list = false;
                cx.tokens.push(Tok::Punct("]".into()));
                i += 1;
            }
            b'<' | b'>' | b'!' | b'=' => {
                let start = i;
                while bytes
                    .get(i)
                    .is_some_and(|c| matches!(c, b'<' | b'>' | b'!' | b'='))
                {
                    i += 1;
                }
                let op = before.get(start..i).unwrap_or_default();
                cx.tokens.push(Tok::Punct(op.to_string()));
            }
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            _ => {
                cx.tokens.push(Tok::Punct(char::from(b).to_string()));
                i += 1;
            }
        }
    }
    cx
}

/// The object types a path may start in at a position: the plan's top
/// level, then each enclosing `where` list's element, innermost last.
pub(crate) fn scopes<'s>(schema: &'s Schema, where_lists: &[String]) -> Vec<&'s ObjectType> {
    let mut out: Vec<&'s ObjectType> = vec![&schema.root];
    for list in where_lists {
        let segs: Vec<&str> = list.split('.').collect();
        if let Some(Field {
            ty: FieldType::List(elem),
            ..
        }) = resolve(&out, &segs)
        {
            if let FieldType::Object(o) = elem.as_ref() {
                out.push(o);
            }
        }
    }
    out
}

/// The schema field a path names, starting in the innermost scope that has
/// its first segment.
pub(crate) fn resolve<'s>(scopes: &[&'s ObjectType], segs: &[&str]) -> Option<&'s Field> {
    let first = segs.first()?;
    let scope = scopes
        .iter()
        .rev()
        .find(|s| s.fields.contains_key(*first))?;
    let mut obj: &'s ObjectType = scope;
    let mut field: Option<&'s Field> = None;
    for seg in segs {
        if let Some(f) = field {
            match &f.ty {
                FieldType::Object(o) => obj = o,
                _ => return None,
            }
        }
        field = Some(obj.fields.get(*seg)?);
    }
    field
}

/// The fields of the object a path names (for `path.` completion).
pub(crate) fn object_of<'s>(scopes: &[&'s ObjectType], segs: &[&str]) -> Option<&'s ObjectType> {
    match &resolve(scopes, segs)?.ty {
        FieldType::Object(o) => Some(o),
        _ => None,
    }
}

/// A schema type in a few words, with what a list holds.
pub(crate) fn type_label(ty: &FieldType) -> String {
    match ty {
        FieldType::Text { values: Some(_) } => "one of a set of values".into(),
        FieldType::Text { values: None } => "text".into(),
        FieldType::Number { integer: true } => "whole number".into(),
        FieldType::Number { integer: false } => "number".into(),
        FieldType::Bool => "true or false".into(),
        FieldType::Date => "date".into(),
        FieldType::List(elem) => match elem.as_ref() {
            FieldType::Object(_) => "list of records".into(),
            other => format!("list of {}", type_label(other)),
        },
        FieldType::Object(_) => "group of fields".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn where_clauses_open_element_scopes() {
        let text =
            "rule X {\n  when any placements where (end_date missing and (out_of_area = true or ";
        let cx = context_at(text, text.len());
        assert_eq!(cx.where_lists, ["placements"]);
        assert!(cx.in_rule_body);
        let closed = "define d = any placements where (end_date missing) and ";
        assert!(context_at(closed, closed.len()).where_lists.is_empty());
    }

    #[test]
    fn scopes_resolve_element_fields_then_the_plan() {
        let schema = Schema::builtin().unwrap();
        let s = scopes(&schema, &["placements".to_string()]);
        assert_eq!(s.len(), 2);
        assert!(resolve(&s, &["end_date"]).is_some());
        assert!(resolve(&s, &["child", "looked_after"]).is_some());
        assert!(resolve(&scopes(&schema, &[]), &["end_date"]).is_none());
    }

    #[test]
    fn tokens_skip_strings_and_comments() {
        let text = "rule X { # a { comment\n title \"a ( b\"\n when a.b = ";
        let cx = context_at(text, text.len());
        assert!(cx.where_lists.is_empty());
        assert_eq!(cx.tokens.last(), Some(&Tok::Punct("=".into())));
        assert!(cx.tokens.contains(&Tok::Str("a ( b".into())));
    }
}
