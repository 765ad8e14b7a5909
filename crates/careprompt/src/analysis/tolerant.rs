//! Error-tolerant parsing: every syntax error in a file, and the items
//! that did parse.
//!
//! The grammar stops at the first error, so a file is first parsed whole;
//! only if that fails is it cut into its top-level items (each starts on a
//! line whose first word is `import`, `const`, `override`, `define` or
//! `rule`, with the comment lines just above it; strings cannot span lines,
//! so a line start is never inside one) and each item parsed on its own.
//! Every item that fails gives one diagnostic; the failed items are then
//! blanked out (every byte but line breaks turned into a space, so offsets,
//! lines and columns stay those of the original) and the rest parsed again
//! into a syntax tree whose spans are offsets into the original text.

use crate::ast::File;
use crate::diagnostic::{Diagnostic, SourceRef};
use crate::parser::{parse_source, MAX_RULES_BYTES};

use super::text::is_ident;

/// The keywords that start a top-level item.
pub(crate) const ITEM_KEYWORDS: [&str; 5] = ["import", "const", "override", "define", "rule"];

/// A file parsed as far as it could be.
#[derive(Clone, Debug, Default)]
pub(crate) struct Parsed {
    /// The items that parsed, with spans into the original text.
    pub file: File,
    /// One diagnostic per item that did not parse.
    pub syntax: Vec<Diagnostic>,
    /// The text with the items that did not parse blanked out.
    pub clean: String,
    /// Names declared (`define x`, `const x`) by items that did not parse.
    pub broken_names: Vec<String>,
}

/// Parses `text`, reporting every item that does not parse.
pub(crate) fn parse(name: &str, text: &str) -> Parsed {
    let first = match parse_source(name, text) {
        Ok(file) => {
            return Parsed {
                file,
                clean: text.to_string(),
                ..Parsed::default()
            }
        }
        Err(e) => e,
    };
    if text.len() > MAX_RULES_BYTES {
        return Parsed {
            syntax: first.diagnostics,
            clean: blank(text, &[(0, text.len())]),
            ..Parsed::default()
        };
    }
    let src = SourceRef { name, text };
    let mut syntax = Vec::new();
    let mut broken = Vec::new();
    let mut broken_names = Vec::new();
    for (start, end) in chunks(text) {
        let Some(chunk) = text.get(start..end) else {
            continue;
        };
        if let Err(e) = parse_source(name, chunk) {
            // An error at the end of the item (something missing) is shown
            // after its last word, not on the next item's first line.
            let last = chunk.trim_end().len();
            for d in e.diagnostics {
                let (s, e) = if d.start >= last {
                    (last, last)
                } else {
                    (d.start, d.end)
                };
                let moved = Diagnostic::new(
                    d.severity,
                    d.code,
                    src,
                    crate::ast::Span::new(s + start, e + start),
                    if end < text.len() {
                        d.message
                            .replace("the end of the file", "the end of the item")
                    } else {
                        d.message
                    },
                );
                syntax.push(match d.help {
                    Some(h) => moved.with_help(h),
                    None => moved,
                });
            }
            broken.push((start, end));
            if let Some(n) = declared_name(chunk) {
                broken_names.push(n);
            }
        }
    }
    let clean = blank(text, &broken);
    let file = match parse_source(name, &clean) {
        Ok(f) => f,
        Err(e) => {
            // Items that parse one by one parse together; should that ever
            // fail, the error is reported rather than lost.
            if syntax.is_empty() {
                syntax.extend(e.diagnostics);
            }
            File::default()
        }
    };
    if syntax.is_empty() {
        syntax.extend(first.diagnostics);
    }
    Parsed {
        file,
        syntax,
        clean,
        broken_names,
    }
}

/// The byte ranges of the top-level items of `text` (the first range also
/// holds whatever comes before the first item).
pub(crate) fn chunks(text: &str) -> Vec<(usize, usize)> {
    let mut line_starts = vec![0];
    line_starts.extend(
        text.bytes()
            .enumerate()
            .filter(|(_, b)| *b == b'\n')
            .map(|(i, _)| i + 1),
    );
    let lines: Vec<&str> = line_starts
        .iter()
        .zip(
            line_starts
                .iter()
                .skip(1)
                .chain(std::iter::once(&text.len())),
        )
        .map(|(s, e)| text.get(*s..*e).unwrap_or_default())
        .collect();
    let mut starts: Vec<usize> = vec![0];
    for (i, line) in lines.iter().enumerate() {
        if !starts_item(line) {
            continue;
        }
        // Take in the comment lines directly above: they belong to the item.
        let mut first = i;
        while first > 0
            && lines
                .get(first - 1)
                .is_some_and(|l| l.trim_start().starts_with('#'))
        {
            first -= 1;
        }
        let at = line_starts.get(first).copied().unwrap_or(0);
        if starts.last().is_some_and(|last| at > *last) {
            starts.push(at);
        }
    }
    starts
        .iter()
        .zip(starts.iter().skip(1).chain(std::iter::once(&text.len())))
        .map(|(s, e)| (*s, *e))
        .collect()
}

/// Whether a line's first word is an item keyword.
fn starts_item(line: &str) -> bool {
    let t = line.trim_start_matches([' ', '\t']);
    ITEM_KEYWORDS.iter().any(|k| {
        t.strip_prefix(k)
            .is_some_and(|rest| !rest.bytes().next().is_some_and(is_ident))
    })
}

/// The name a `define` or `const` item declares, read from its first line.
fn declared_name(chunk: &str) -> Option<String> {
    let line = chunk
        .lines()
        .find(|l| starts_item(l))?
        .trim_start_matches([' ', '\t']);
    let rest = line
        .strip_prefix("define")
        .or_else(|| line.strip_prefix("const"))?
        .trim_start();
    let name: String = rest
        .bytes()
        .take_while(|b| is_ident(*b))
        .map(char::from)
        .collect();
    (!name.is_empty()).then_some(name)
}

/// `text` with every byte in `ranges` other than a line break made a space.
fn blank(text: &str, ranges: &[(usize, usize)]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for &(s, e) in ranges {
        for b in bytes.iter_mut().take(e).skip(s) {
            if *b != b'\n' && *b != b'\r' {
                *b = b' ';
            }
        }
    }
    // Every multi-byte character is blanked whole (ranges start and end at
    // line starts or the end), so the bytes stay UTF-8.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::ItemKind;

    /// Whether an item kind declares `name`.
    fn declares(kind: &ItemKind, name: &str) -> bool {
        match kind {
            ItemKind::Const { name: n, .. } | ItemKind::Define { name: n, .. } => n.node == name,
            _ => false,
        }
    }

    const THREE_ERRORS: &str = r#"# Three broken items and two good ones.
const good_number = 3

define broken_one = child.looked_after and

rule GOOD-01 {
  title "Fine"
  theme "T"
  kind practice
  severity low
  when child.looked_after = true
  prompt "P"
}

rule BROKEN-02 {
  title "Missing its prompt's quote
  when child.looked_after
}

# A constant with no value.
const broken_three =
"#;

    #[test]
    fn every_broken_item_gives_one_diagnostic_and_the_rest_parse() {
        let p = parse("a.cpr", THREE_ERRORS);
        assert_eq!(p.syntax.len(), 3, "{:#?}", p.syntax);
        let lines: Vec<usize> = p.syntax.iter().map(|d| d.line).collect();
        assert!(lines.iter().all(|l| *l > 2), "{lines:?}");
        assert!(p
            .syntax
            .iter()
            .all(|d| d.code == "syntax" && d.file == "a.cpr"));
        let kinds: Vec<&str> = p
            .file
            .items
            .iter()
            .map(|i| match &i.kind {
                ItemKind::Const { name, .. } => name.node.as_str(),
                ItemKind::Rule(r) => r.id.node.as_str(),
                _ => "?",
            })
            .collect();
        assert_eq!(kinds, ["good_number", "GOOD-01"]);
        assert_eq!(p.broken_names, ["broken_one", "broken_three"]);
        // Spans point into the original text.
        let rule = p.file.items.get(1).unwrap();
        assert!(THREE_ERRORS[rule.span.start..].starts_with("rule GOOD-01"));
        assert_eq!(p.clean.len(), THREE_ERRORS.len());
    }

    #[test]
    fn comments_above_an_item_stay_with_it() {
        let text = "const a = 1\n\n# why b\nconst b = \n# why c\nconst c = 2\n";
        let p = parse("a.cpr", text);
        assert_eq!(p.syntax.len(), 1);
        let c = p
            .file
            .items
            .iter()
            .find(|i| declares(&i.kind, "c"))
            .unwrap();
        assert_eq!(c.comments, ["why c"]);
    }

    #[test]
    fn a_file_that_parses_is_parsed_once_whole() {
        let p = parse("a.cpr", "const a = 1\nconst b = 2 const c = 3\n");
        assert!(p.syntax.is_empty());
        assert_eq!(p.file.items.len(), 3);
        assert_eq!(chunks("const a = 1\n  rule X {}\n").len(), 2);
    }
}
