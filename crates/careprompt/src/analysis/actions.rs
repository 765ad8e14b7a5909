//! Formatting (the canonical formatter) and code actions (applying a
//! diagnostic's "did you mean").

use serde::{Deserialize, Serialize};

use super::text::{is_ident, Range};
use super::Workspace;

/// A replacement of a range of a file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextEdit {
    /// The file's name.
    pub file: String,
    /// The range replaced.
    pub range: Range,
    /// The new text.
    pub new_text: String,
}

/// A fix offered for a problem.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeAction {
    /// What the fix does, for a menu.
    pub title: String,
    /// The code of the diagnostic it fixes.
    pub code: String,
    /// The edits that make it.
    pub edits: Vec<TextEdit>,
}

/// The edit that formats `file`, if it parses and is not already in
/// canonical form.
pub(crate) fn format(ws: &Workspace, file: &str) -> Option<TextEdit> {
    let doc = ws.doc(file)?;
    if !doc.parsed.syntax.is_empty() || doc.kind != super::FileKind::Rules {
        return None;
    }
    let formatted = crate::parser::parse_source(file, &doc.text)
        .map(|f| crate::format::print_file(&f))
        .ok()?;
    (formatted != doc.text).then(|| TextEdit {
        file: file.to_string(),
        range: doc.lines.range(&doc.text, 0, doc.text.len()),
        new_text: formatted,
    })
}

/// The "did you mean" fixes for the diagnostics that meet `range`.
pub(crate) fn code_actions(ws: &Workspace, file: &str, range: Range) -> Vec<CodeAction> {
    let Some(doc) = ws.doc(file) else {
        return Vec::new();
    };
    let text = doc.text.as_str();
    let mut out = Vec::new();
    for located in ws.diagnostics(file) {
        let r = located.range;
        if r.end < range.start || range.end < r.start {
            continue;
        }
        let d = &located.diagnostic;
        let Some(help) = &d.help else { continue };
        let Some((start, end, new_text)) = suggestion(text, d.start, d.end, help) else {
            continue;
        };
        out.push(CodeAction {
            title: format!("change to `{new_text}`"),
            code: d.code.to_string(),
            edits: vec![TextEdit {
                file: file.to_string(),
                range: doc.lines.range(text, start, end),
                new_text,
            }],
        });
    }
    out
}

/// The replacement a help's "did you mean" asks for: the range of `text`
/// it replaces and the new text.
pub(crate) fn suggestion(
    text: &str,
    start: usize,
    end: usize,
    help: &str,
) -> Option<(usize, usize, String)> {
    let at = help.find("did you mean ")?;
    let rest = help.get(at + "did you mean ".len()..)?;
    if let Some(q) = rest.strip_prefix('"') {
        // A value: `"X"`.
        let value = q.get(..q.find('"')?)?;
        let quoted = text.get(start..end)?.starts_with('"');
        let new = if quoted {
            format!("\"{value}\"")
        } else {
            value.to_string()
        };
        return Some((start, end, new));
    }
    let q = rest.strip_prefix('`')?;
    let s = q.get(..q.find('`')?)?;
    // Names and paths: the span may cover one segment of a dotted path,
    // and the suggestion gives the path up to it or the whole path.
    let bytes = text.as_bytes();
    let path_char = |b: u8| is_ident(b) || b == b'.';
    let mut tok_start = start;
    while tok_start > 0 && bytes.get(tok_start - 1).copied().is_some_and(path_char) {
        tok_start -= 1;
    }
    let mut tok_end = end;
    while bytes.get(tok_end).copied().is_some_and(path_char) {
        tok_end += 1;
    }
    let segs = |a: usize, b: usize| text.get(a..b).map(|t| t.split('.').count());
    let wanted = s.split('.').count();
    if segs(tok_start, end) == Some(wanted) {
        Some((tok_start, end, s.to_string()))
    } else if segs(tok_start, tok_end) == Some(wanted) {
        Some((tok_start, tok_end, s.to_string()))
    } else {
        Some((start, end, s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_replace_the_segment_or_the_path() {
        let text = "when education.virtual_shool.involved = true";
        let at = text.find("virtual_shool").unwrap();
        let (s, e, new) = suggestion(
            text,
            at,
            at + "virtual_shool".len(),
            "did you mean `education.virtual_school`?",
        )
        .unwrap();
        let mut fixed = text.to_string();
        fixed.replace_range(s..e, &new);
        assert_eq!(fixed, "when education.virtual_school.involved = true");

        let text = "when chld.looked_after";
        let (s, e, new) = suggestion(text, 5, 9, "did you mean `child.looked_after`?").unwrap();
        let mut fixed = text.to_string();
        fixed.replace_range(s..e, &new);
        assert_eq!(fixed, "when child.looked_after");

        let text = "x = \"mental_helth\"";
        let (s, e, new) =
            suggestion(text, 4, text.len(), "did you mean \"mental_health\"?").unwrap();
        assert_eq!((s, e, new.as_str()), (4, text.len(), "\"mental_health\""));
        assert!(suggestion(text, 4, 5, "fields here are: `a`").is_none());
    }
}
