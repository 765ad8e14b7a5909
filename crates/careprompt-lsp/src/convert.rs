//! Between the analysis layer's answers and LSP types, and between file
//! URIs and the file names the analysis uses (paths).

use std::collections::HashMap;
use std::str::FromStr;

use careprompt::analysis::{self, CompletionKind, Located, SymbolKind};
use careprompt::Level;
use lsp_types as lsp;

/// The file name for a URI: the decoded path of a `file:` URI, otherwise
/// the URI itself.
pub fn uri_to_name(uri: &str) -> String {
    let Some(rest) = uri.strip_prefix("file://") else {
        return uri.to_string();
    };
    // Skip a host (`file://host/path`); `file:///path` has none.
    let path = match rest.find('/') {
        Some(i) => rest.get(i..).unwrap_or_default(),
        None => rest,
    };
    decode(path)
}

/// The URI of a file name made by [`uri_to_name`].
pub fn name_to_uri(name: &str) -> String {
    if name.starts_with('/') {
        format!("file://{}", encode(name))
    } else {
        name.to_string()
    }
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(v) = hex {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn uri(name: &str) -> Option<lsp::Uri> {
    lsp::Uri::from_str(&name_to_uri(name)).ok()
}

pub fn range(r: analysis::Range) -> lsp::Range {
    lsp::Range {
        start: lsp::Position {
            line: r.start.line,
            character: r.start.character,
        },
        end: lsp::Position {
            line: r.end.line,
            character: r.end.character,
        },
    }
}

pub fn diagnostic(d: &Located) -> lsp::Diagnostic {
    let message = match &d.diagnostic.help {
        Some(h) => format!("{}\nhelp: {h}", d.diagnostic.message),
        None => d.diagnostic.message.clone(),
    };
    lsp::Diagnostic {
        range: range(d.range),
        severity: Some(match d.diagnostic.severity {
            Level::Error => lsp::DiagnosticSeverity::ERROR,
            Level::Warning => lsp::DiagnosticSeverity::WARNING,
        }),
        code: Some(lsp::NumberOrString::String(d.diagnostic.code.to_string())),
        source: Some("careprompt".into()),
        message,
        ..lsp::Diagnostic::default()
    }
}

fn markdown(value: String) -> lsp::MarkupContent {
    lsp::MarkupContent {
        kind: lsp::MarkupKind::Markdown,
        value,
    }
}

pub fn completion(c: analysis::Completion) -> lsp::CompletionItem {
    lsp::CompletionItem {
        kind: Some(match c.kind {
            CompletionKind::Field => lsp::CompletionItemKind::FIELD,
            CompletionKind::Value => lsp::CompletionItemKind::VALUE,
            CompletionKind::Definition => lsp::CompletionItemKind::FUNCTION,
            CompletionKind::Constant => lsp::CompletionItemKind::CONSTANT,
            CompletionKind::Keyword => lsp::CompletionItemKind::KEYWORD,
            CompletionKind::Unit => lsp::CompletionItemKind::UNIT,
            CompletionKind::Rule => lsp::CompletionItemKind::REFERENCE,
        }),
        detail: c.detail,
        documentation: c
            .documentation
            .map(|d| lsp::Documentation::MarkupContent(markdown(d))),
        insert_text: c.insert_text,
        label: c.label,
        ..lsp::CompletionItem::default()
    }
}

pub fn hover(h: analysis::Hover) -> lsp::Hover {
    lsp::Hover {
        contents: lsp::HoverContents::Markup(markdown(h.markdown)),
        range: Some(range(h.range)),
    }
}

pub fn location(l: &analysis::Location) -> Option<lsp::Location> {
    Some(lsp::Location {
        uri: uri(&l.file)?,
        range: range(l.range),
    })
}

#[allow(deprecated)] // `DocumentSymbol::deprecated` must still be written.
pub fn symbol(s: analysis::Symbol) -> lsp::DocumentSymbol {
    lsp::DocumentSymbol {
        name: s.name,
        detail: s.detail,
        kind: match s.kind {
            SymbolKind::Rule => lsp::SymbolKind::CLASS,
            SymbolKind::Definition => lsp::SymbolKind::FUNCTION,
            SymbolKind::Constant | SymbolKind::Override => lsp::SymbolKind::CONSTANT,
            SymbolKind::Import => lsp::SymbolKind::MODULE,
        },
        tags: None,
        deprecated: None,
        range: range(s.range),
        selection_range: range(s.selection_range),
        children: None,
    }
}

pub fn text_edit(e: &analysis::TextEdit) -> lsp::TextEdit {
    lsp::TextEdit {
        range: range(e.range),
        new_text: e.new_text.clone(),
    }
}

// `WorkspaceEdit::changes` is keyed by `Uri` (lsp-types' choice); the keys
// are never changed while in the map.
#[allow(clippy::mutable_key_type)]
pub fn code_action(a: &analysis::CodeAction) -> Option<lsp::CodeActionOrCommand> {
    let mut changes: HashMap<lsp::Uri, Vec<lsp::TextEdit>> = HashMap::new();
    for e in &a.edits {
        changes.entry(uri(&e.file)?).or_default().push(text_edit(e));
    }
    Some(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
        title: a.title.clone(),
        kind: Some(lsp::CodeActionKind::QUICKFIX),
        edit: Some(lsp::WorkspaceEdit {
            changes: Some(changes),
            ..lsp::WorkspaceEdit::default()
        }),
        is_preferred: Some(true),
        ..lsp::CodeAction::default()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_uris_and_names_round_trip() {
        assert_eq!(uri_to_name("file:///a/my%20pack/x.cpr"), "/a/my pack/x.cpr");
        assert_eq!(name_to_uri("/a/my pack/x.cpr"), "file:///a/my%20pack/x.cpr");
        assert_eq!(uri_to_name("untitled:Untitled-1"), "untitled:Untitled-1");
        assert_eq!(uri_to_name("file://host/a.cpr"), "/a.cpr");
    }
}
