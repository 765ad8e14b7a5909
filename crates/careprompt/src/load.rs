//! Loading rules files: the sources the caller gives, the files they
//! `import` (read through a [`Loader`]), each parsed once, and import
//! cycles refused.

use std::collections::HashMap;

use crate::ast;
use crate::diagnostic::{self, CompileError, Diagnostic, MAX_DIAGNOSTICS};
use crate::parser;

/// The most rules files one rule set may be compiled from, counting those
/// loaded through `import`.
pub const MAX_RULES_FILES: usize = 1000;

/// One rules file: a name for messages (usually its path) and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    /// The name diagnostics use; imports are resolved relative to it.
    pub name: String,
    /// The rules text.
    pub text: String,
}

impl Source {
    /// A source named `name` holding `text`.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Source {
        Source {
            name: name.into(),
            text: text.into(),
        }
    }
}

/// Reads files that rules `import` but the caller did not pass in.
pub trait Loader {
    /// The text of the file at `path` (already resolved against the
    /// importing file), or a short reason it cannot be read.
    fn load(&self, path: &str) -> Result<String, String>;
}

/// A function from a path to the file's text is a loader too.
impl<F: Fn(&str) -> Result<String, String>> Loader for F {
    fn load(&self, path: &str) -> Result<String, String> {
        self(path)
    }
}

/// A source file of the rule set, as loaded.
#[derive(Clone, Debug)]
pub(crate) struct SourceFile {
    pub name: String,
    pub text: String,
}

/// Resolves `import` against the importing file's name: `a/b.cpr` importing
/// `../c.cpr` gives `c.cpr`.
pub fn resolve_import(from: &str, path: &str) -> String {
    let mut parts: Vec<&str> = if path.starts_with('/') {
        Vec::new()
    } else {
        let mut p: Vec<&str> = from.split('/').collect();
        p.pop();
        p
    };
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") && !parts.is_empty() {
                    parts.pop();
                } else {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    if path.starts_with('/') {
        format!("/{joined}")
    } else {
        joined
    }
}

/// A file name in the one normal form every file is matched in (imports,
/// in-memory files, rule tests' fixtures): `resolve_import` from no file.
pub fn normalise_path(name: &str) -> String {
    resolve_import("", name)
}

pub(crate) fn load_sources(
    sources: &[Source],
    loader: Option<&dyn Loader>,
) -> Result<(Vec<SourceFile>, Vec<ast::File>), CompileError> {
    let mut files: Vec<SourceFile> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for s in sources {
        let key = normalise_path(&s.name);
        if index.contains_key(&key) {
            continue;
        }
        index.insert(key, files.len());
        files.push(SourceFile {
            name: s.name.clone(),
            text: s.text.clone(),
        });
    }
    let mut parsed: Vec<ast::File> = Vec::new();
    let mut edges: Vec<Vec<(usize, ast::Span)>> = Vec::new();
    let mut errors = Vec::new();
    let mut i = 0;
    while i < files.len() {
        let (name, text) = match files.get(i) {
            Some(f) => (f.name.clone(), f.text.clone()),
            None => break,
        };
        let file = match parser::parse(&name, &text) {
            Ok(f) => f,
            Err(d) => {
                errors.push(*d);
                ast::File::default()
            }
        };
        let mut my_edges = Vec::new();
        for item in &file.items {
            if let ast::ItemKind::Import(path) = &item.kind {
                let target = resolve_import(&name, &path.node);
                let key = normalise_path(&target);
                let idx = match index.get(&key) {
                    Some(&idx) => idx,
                    None => {
                        let loaded = match loader {
                            _ if files.len() >= MAX_RULES_FILES => {
                                Err(format!("the rules already come from {MAX_RULES_FILES} files, the most allowed"))
                            }
                            Some(l) => l.load(&target),
                            None => Err("no file of that name was given".to_string()),
                        };
                        match loaded {
                            Ok(text) => {
                                index.insert(key, files.len());
                                files.push(SourceFile {
                                    name: target.clone(),
                                    text,
                                });
                                files.len() - 1
                            }
                            Err(_) if errors.len() >= MAX_DIAGNOSTICS => continue,
                            Err(why) => {
                                errors.push(
                                    Diagnostic::error(
                                        "import",
                                        diagnostic::SourceRef { name: &name, text: &text },
                                        path.span,
                                        format!("cannot import `{}`: {why}", path.node),
                                    )
                                    .with_help("import paths are relative to the importing file; check the name"),
                                );
                                continue;
                            }
                        }
                    }
                };
                my_edges.push((idx, path.span));
            }
        }
        parsed.push(file);
        edges.push(my_edges);
        i += 1;
    }
    // Import cycles (a file importing itself, directly or not).
    for start in 0..files.len() {
        if let Some((span, chain)) = find_cycle(start, &edges, &files) {
            if let Some(f) = files.get(start) {
                errors.push(
                    Diagnostic::error(
                        "import-cycle",
                        diagnostic::SourceRef {
                            name: &f.name,
                            text: &f.text,
                        },
                        span,
                        format!("`{}` imports itself ({chain})", f.name),
                    )
                    .with_help(
                        "remove the import that closes the loop; every file is loaded once anyway",
                    ),
                );
            }
            break;
        }
    }
    if errors.is_empty() {
        Ok((files, parsed))
    } else {
        Err(CompileError {
            diagnostics: errors,
        })
    }
}

fn find_cycle(
    start: usize,
    edges: &[Vec<(usize, ast::Span)>],
    files: &[SourceFile],
) -> Option<(ast::Span, String)> {
    // Depth-first search from `start`, looking for a path back to it.
    let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
    let mut on_path = vec![start];
    let mut visited = vec![false; files.len()];
    while let Some((node, next)) = stack.last().copied() {
        let out = edges.get(node).map(Vec::as_slice).unwrap_or_default();
        if let Some(&(to, _)) = out.get(next) {
            if let Some(top) = stack.last_mut() {
                top.1 += 1;
            }
            if to == start {
                let names: Vec<String> = on_path
                    .iter()
                    .chain(std::iter::once(&start))
                    .filter_map(|i| files.get(*i).map(|f| format!("`{}`", f.name)))
                    .collect();
                let first_span = edges
                    .get(start)
                    .and_then(|e| e.get(stack.first().map(|s| s.1).unwrap_or(1).saturating_sub(1)))
                    .map(|e| e.1)
                    .unwrap_or_default();
                return Some((first_span, names.join(" -> ")));
            }
            if !visited.get(to).copied().unwrap_or(true) {
                if let Some(v) = visited.get_mut(to) {
                    *v = true;
                }
                stack.push((to, 0));
                on_path.push(to);
            }
        } else {
            stack.pop();
            on_path.pop();
        }
    }
    None
}
