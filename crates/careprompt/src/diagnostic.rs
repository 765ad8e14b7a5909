//! Diagnostics: what went wrong in a rules file, where, and how to fix it.
//!
//! Every diagnostic carries the file, line, column and byte span of the
//! problem, a lowercase message with user input in backticks, and help that
//! names the fix. It renders for people ([`Diagnostic::render`]) and
//! serialises to JSON for JavaScript callers. Rendering for people uses
//! codespan-reporting.

use std::sync::Arc;

use codespan_reporting::diagnostic::{Diagnostic as Report, Label};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term;
use serde::Serialize;

use crate::ast::Span;

/// The most problems reported for one compilation; the rest are counted.
pub const MAX_DIAGNOSTICS: usize = 200;

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The rules cannot be used until it is fixed.
    Error,
    /// Worth fixing; the rules still work.
    Warning,
}

/// One problem found in a rules file (or a rule test file).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Level,
    /// A short stable code for the kind of problem (`syntax`, `unknown-field`, ...).
    pub code: &'static str,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// The file, as named by the caller.
    pub file: String,
    /// 1-based line of the start.
    pub line: usize,
    /// 1-based column (in characters) of the start.
    pub column: usize,
    /// 1-based line of the end.
    pub end_line: usize,
    /// 1-based column of the end (exclusive).
    pub end_column: usize,
    /// Byte offset of the start.
    pub start: usize,
    /// Byte offset of the end (exclusive).
    pub end: usize,
    /// The text of the file (rules text, never plan data), for rendering.
    #[serde(skip)]
    pub source: Arc<str>,
}

/// A source text with its name, for locating spans.
#[derive(Clone, Copy, Debug)]
pub struct SourceRef<'a> {
    /// The file name shown to users.
    pub name: &'a str,
    /// The text.
    pub text: &'a str,
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    line_column(text.as_bytes(), offset)
}

/// The 1-based line and column (in characters) of byte offset `at` in
/// `bytes`, which need not be UTF-8 (a plan's position is found before it
/// is known to be text): the one line and column rule for rules and plans.
pub(crate) fn line_column(bytes: &[u8], at: usize) -> (usize, usize) {
    let before = bytes.get(..at).unwrap_or(bytes);
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let in_line = before.get(line_start..).unwrap_or_default();
    // Count characters, not bytes: continuation bytes do not start one.
    let column = in_line.iter().filter(|b| (**b & 0xC0) != 0x80).count() + 1;
    (line, column)
}

impl Diagnostic {
    /// A diagnostic of `severity` at `span` in `source`.
    pub fn new(
        severity: Level,
        code: &'static str,
        source: SourceRef<'_>,
        span: Span,
        message: impl Into<String>,
    ) -> Diagnostic {
        let start = span.start.min(source.text.len());
        let end = span.end.clamp(start, source.text.len());
        let (line, column) = line_col(source.text, start);
        let (end_line, end_column) = line_col(source.text, end);
        Diagnostic {
            severity,
            code,
            message: message.into(),
            help: None,
            file: source.name.to_string(),
            line,
            column,
            end_line,
            end_column,
            start,
            end,
            source: Arc::from(source.text),
        }
    }

    /// An error at `span`.
    pub fn error(
        code: &'static str,
        source: SourceRef<'_>,
        span: Span,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::new(Level::Error, code, source, span, message)
    }

    /// A warning at `span`.
    pub fn warning(
        code: &'static str,
        source: SourceRef<'_>,
        span: Span,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::new(Level::Warning, code, source, span, message)
    }

    /// Adds help text.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// `file:line:column`.
    pub fn location(&self) -> String {
        format!("{}:{}:{}", self.file, self.line, self.column)
    }

    /// The diagnostic as codespan-reporting's structure, to render.
    fn to_codespan(&self) -> (SimpleFile<&str, &str>, Report<()>) {
        let file = SimpleFile::new(self.file.as_str(), self.source.as_ref());
        let base = match self.severity {
            Level::Error => Report::error(),
            Level::Warning => Report::warning(),
        };
        let mut notes = Vec::new();
        if let Some(help) = &self.help {
            notes.push(format!("help: {help}"));
        }
        let report = base
            .with_code(self.code)
            .with_message(self.message.as_str())
            .with_labels(vec![Label::primary((), self.start..self.end)])
            .with_notes(notes);
        (file, report)
    }

    /// Renders the diagnostic for people: a header, the location, the
    /// source line with the span underlined, and the help.
    pub fn render(&self) -> String {
        let (file, report) = self.to_codespan();
        let config = term::Config {
            chars: term::Chars::ascii(),
            ..term::Config::default()
        };
        match term::emit_into_string(&config, &file, &report) {
            Ok(text) => text,
            Err(_) => format!("{}: {}\n", self.location(), self.message),
        }
    }
}

impl Diagnostic {
    /// Renders the diagnostic as [`Diagnostic::render`] does, with colour
    /// (ANSI escapes) and box-drawing characters, for a terminal.
    ///
    /// Control characters from the rules (the file name, the source line,
    /// text quoted in the message) are shown as escapes (`\x1b`), as the
    /// command line shows them in plain text, so that an `ESC[8m` in a rules
    /// file cannot hide what follows or a carriage return forge a line; the
    /// underline still points at the span, and the location is the
    /// column in the file.
    pub fn render_coloured(&self) -> String {
        let shown = self.with_controls_escaped();
        let (file, report) = shown.to_codespan();
        let mut out = term::termcolor::Ansi::new(Vec::new());
        match term::emit_to_write_style(&mut out, &term::Config::default(), &file, &report) {
            Ok(()) => {
                let text = String::from_utf8_lossy(&out.into_inner()).into_owned();
                // Escapes before the span on its line move the column the
                // renderer counts: give the file's own.
                let (line, column) = line_col(&shown.source, shown.start);
                if column == self.column {
                    return text;
                }
                let counted = format!("{}:{line}:{column}", shown.file);
                text.replacen(
                    &counted,
                    &format!("{}:{line}:{}", shown.file, self.column),
                    1,
                )
            }
            Err(_) => self.render(),
        }
    }
}

impl Diagnostic {
    /// The diagnostic with every control character but the line break in
    /// its file name, message, help and source written as an escape, and
    /// its span moved to match.
    fn with_controls_escaped(&self) -> Diagnostic {
        let has = |t: &str| t.chars().any(|c| c.is_control() && c != '\n');
        if !has(&self.file)
            && !has(&self.message)
            && !self.help.as_deref().is_some_and(has)
            && !has(&self.source)
        {
            return self.clone();
        }
        let mut d = self.clone();
        d.file = escape_controls(&self.file);
        d.message = escape_controls(&self.message);
        d.help = self.help.as_deref().map(escape_controls);
        if has(&self.source) {
            let shift = |at: usize| {
                at + self
                    .source
                    .get(..at)
                    .unwrap_or_default()
                    .chars()
                    .filter(|c| c.is_control() && *c != '\n')
                    .map(|c| 4 - c.len_utf8())
                    .sum::<usize>()
            };
            d.start = shift(self.start);
            d.end = shift(self.end);
            d.source = Arc::from(escape_controls(&self.source));
        }
        d
    }
}

/// `text` with every control character but the line break written as
/// `\xNN`.
fn escape_controls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() && c != '\n' {
            out.push_str(&format!("\\x{:02x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// The closest of `candidates` to `word`, if any is close enough to be a
/// likely misspelling.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let len = word.chars().count();
    let limit = (len / 3).max(1) + 1;
    candidates
        .into_iter()
        // The distance is at least the difference in length: skip the
        // quadratic comparison where that alone rules a candidate out.
        .filter(|c| len.abs_diff(c.chars().count()) <= limit)
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        if let Some(first) = cur.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            let del = prev.get(j + 1).copied().unwrap_or(usize::MAX) + 1;
            let ins = cur.get(j).copied().unwrap_or(usize::MAX) + 1;
            let sub = prev.get(j).copied().unwrap_or(usize::MAX) + cost;
            if let Some(slot) = cur.get_mut(j + 1) {
                *slot = del.min(ins).min(sub);
            }
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev.last().copied().unwrap_or(0)
}

/// Rules that could not be compiled: every problem found, each with its
/// file, line, column and help.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{}", render_all(.diagnostics))]
pub struct CompileError {
    /// The problems, errors first.
    pub diagnostics: Vec<Diagnostic>,
}

fn render_all(diags: &[Diagnostic]) -> String {
    diags
        .iter()
        .map(Diagnostic::render)
        .collect::<Vec<_>>()
        .join("\n")
}

impl CompileError {
    pub(crate) fn one(d: Diagnostic) -> CompileError {
        CompileError {
            diagnostics: vec![d],
        }
    }

    /// The diagnostics as JSON: `{"diagnostics": [...]}`.
    pub fn to_json(&self) -> String {
        diagnostics_json(&self.diagnostics)
    }
}

/// Diagnostics (errors, or lint warnings) as JSON: `{"diagnostics": [...]}`.
pub fn diagnostics_json(diagnostics: &[Diagnostic]) -> String {
    #[derive(Serialize)]
    struct Diagnostics<'a> {
        diagnostics: &'a [Diagnostic],
    }
    serde_json::to_string(&Diagnostics { diagnostics }).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        let text = "ab\ncdé f\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 3), (2, 1));
        let f = text.find('f').unwrap();
        assert_eq!(line_col(text, f), (2, 5));
    }

    #[test]
    fn suggests_close_names_only() {
        let names = ["date_of_birth", "looked_after", "legal_status"];
        assert_eq!(did_you_mean("date_of_brith", names), Some("date_of_birth"));
        assert_eq!(did_you_mean("looked_afte", names), Some("looked_after"));
        assert_eq!(did_you_mean("placements", names), None);
    }

    #[test]
    fn renders_location_underline_and_help() {
        let src = SourceRef {
            name: "a.cpr",
            text: "rule X {\n  when chld.x\n}",
        };
        let at = src.text.find("chld").unwrap();
        let d = Diagnostic::error(
            "unknown-field",
            src,
            Span::new(at, at + 6),
            "unknown field `chld.x`",
        )
        .with_help("did you mean `child.x`?");
        let text = d.render();
        assert!(
            text.starts_with("error[unknown-field]: unknown field `chld.x`"),
            "{text}"
        );
        assert!(text.contains("a.cpr:2:8"), "{text}");
        assert!(text.contains("2 |   when chld.x"), "{text}");
        assert!(text.contains("^^^^^^"), "{text}");
        assert!(text.contains("= help: did you mean `child.x`?"), "{text}");
    }

    /// Issue 14: the coloured renderer wrote control characters from the
    /// rules as they were: an `ESC[8m` in a file name, a message or a
    /// source line hid what followed on the terminal, a carriage return
    /// overwrote a line. They are escaped, as in plain text; the colour
    /// codes are the renderer's own, and the underline still fits.
    #[test]
    fn the_coloured_renderer_escapes_control_characters_from_the_rules() {
        let text = "rule X {\n  title \"t\"\n  when \"\u{1b}[8mhidden\r\u{85}\" = chld.x\n}";
        let src = SourceRef {
            name: "evil\u{1b}[8m.cpr",
            text,
        };
        let at = text.find("chld").unwrap();
        let d = Diagnostic::error(
            "unknown-field",
            src,
            Span::new(at, at + 6),
            "unknown field `chld\u{1b}[2J.x`",
        )
        .with_help("did you mean `child.x`?\u{7}");
        let coloured = d.render_coloured();
        // The renderer's own colour codes, and none of the input's.
        assert!(coloured.contains("\u{1b}["), "{coloured:?}");
        for raw in ["\u{1b}[8m", "\u{1b}[2J", "\r", "\u{85}", "\u{7}"] {
            assert!(!coloured.contains(raw), "{raw:?} in {coloured:?}");
        }
        for shown in [
            "evil\\x1b[8m.cpr",
            "chld\\x1b[2J.x",
            "\\x1b[8mhidden\\x0d\\x85",
            "\\x07",
        ] {
            assert!(coloured.contains(shown), "{shown} not in {coloured:?}");
        }
        // The underline is under `chld.x`, on its own line.
        let plain: String = {
            let mut out = String::new();
            let mut in_code = false;
            for c in coloured.chars() {
                match c {
                    '\u{1b}' => in_code = true,
                    'm' if in_code => in_code = false,
                    _ if in_code => {}
                    c => out.push(c),
                }
            }
            out
        };
        let lines: Vec<&str> = plain.lines().collect();
        let code = lines.iter().position(|l| l.ends_with("= chld.x")).unwrap();
        let col = lines[code].find("chld").unwrap();
        assert_eq!(lines[code + 1].find('^'), Some(col), "{plain}");
        // The location is the column in the file, as the plain text gives it.
        assert!(plain.contains("evil\\x1b[8m.cpr:3:25"), "{plain}");
        assert_eq!(d.column, 25);
        // Nothing to escape: the same as before.
        let clean = Diagnostic::error(
            "e",
            SourceRef {
                name: "a.cpr",
                text: "when x",
            },
            Span::new(5, 6),
            "m",
        );
        assert_eq!(clean.with_controls_escaped(), clean);
    }
}
