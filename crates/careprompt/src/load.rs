//! Loading rules files: the sources the caller gives, the files they
//! `import` (read through a [`Loader`]), each parsed once, and import
//! cycles refused. Files whose exact text was parsed before in this
//! process take that syntax tree ([`ParseCache`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

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
) -> Result<(Vec<SourceFile>, Vec<Arc<ast::File>>), CompileError> {
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
    let mut parsed: Vec<Arc<ast::File>> = Vec::new();
    let mut edges: Vec<Vec<(usize, ast::Span)>> = Vec::new();
    let mut errors = Vec::new();
    let mut i = 0;
    while i < files.len() {
        let (name, text) = match files.get(i) {
            Some(f) => (f.name.clone(), f.text.clone()),
            None => break,
        };
        let file = match PARSED.parse(&name, &text) {
            Ok(f) => f,
            Err(d) => {
                errors.push(*d);
                Arc::default()
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

/// The syntax trees of the rules files parsed lately in this process, by
/// their exact text.
///
/// The workbench and the language server compile the whole pack again on
/// every edit, and a local pack compiles the built-in pack's files with its
/// own: parsing is three quarters of compiling, and most files have not
/// changed since the last compile. Parsing is a function of the text alone
/// (the name is only for messages), so a file whose text is byte for byte
/// one parsed before takes that tree. Only files that parsed are kept
/// (errors are worked out again, with the file's own name); the least
/// recently used go once there are [`ParseCache::MAX_FILES`] files or
/// [`ParseCache::MAX_BYTES`] of text.
pub(crate) struct ParseCache {
    entries: Mutex<Vec<(Arc<str>, Arc<ast::File>)>>,
}

/// The process's parse cache.
static PARSED: ParseCache = ParseCache {
    entries: Mutex::new(Vec::new()),
};

impl ParseCache {
    /// The most files kept.
    pub(crate) const MAX_FILES: usize = 64;
    /// The most text kept, in bytes (a syntax tree takes a few times its text).
    pub(crate) const MAX_BYTES: usize = 4 << 20;

    /// The syntax tree of `text`: the one kept, or parsed now (and kept).
    pub(crate) fn parse(&self, name: &str, text: &str) -> Result<Arc<ast::File>, Box<Diagnostic>> {
        if let Some(file) = self.find(text) {
            return Ok(file);
        }
        let file = Arc::new(parser::parse(name, text)?);
        self.keep(text, &file);
        Ok(file)
    }

    /// The tree kept for `text`, made the most recently used.
    fn find(&self, text: &str) -> Option<Arc<ast::File>> {
        // A lock poisoned by a panic elsewhere only means no cache.
        let mut entries = self.entries.lock().ok()?;
        let at = entries.iter().position(|(t, _)| **t == *text)?;
        let entry = entries.remove(at);
        let file = Arc::clone(&entry.1);
        entries.push(entry);
        Some(file)
    }

    /// Keeps `file` as the tree of `text`, the least recently used going
    /// first when the cache is full. A text larger than the whole cache is
    /// not kept.
    fn keep(&self, text: &str, file: &Arc<ast::File>) {
        if text.len() > Self::MAX_BYTES {
            return;
        }
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.iter().any(|(t, _)| **t == *text) {
            return;
        }
        let mut bytes: usize = entries.iter().map(|(t, _)| t.len()).sum::<usize>() + text.len();
        while !entries.is_empty() && (entries.len() >= Self::MAX_FILES || bytes > Self::MAX_BYTES) {
            let (gone, _) = entries.remove(0);
            bytes -= gone.len();
        }
        entries.push((Arc::from(text), Arc::clone(file)));
    }

    /// How many files are kept (for tests).
    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.lock().map_or(0, |e| e.len())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn cache() -> ParseCache {
        ParseCache {
            entries: Mutex::new(Vec::new()),
        }
    }

    /// What makes the cache sound: a file's syntax tree depends on its text
    /// only, not on the name it is parsed under.
    #[test]
    fn a_files_tree_is_the_same_whatever_its_name() {
        for s in crate::builtin::builtin_sources() {
            let a = parser::parse(&s.name, &s.text).unwrap();
            let b = parser::parse("elsewhere/other.cpr", &s.text).unwrap();
            assert_eq!(a, b, "{}", s.name);
        }
    }

    #[test]
    fn the_same_text_takes_the_tree_parsed_before_and_another_text_is_parsed() {
        let c = cache();
        let text = "const a = 1\n";
        let first = c.parse("a.cpr", text).unwrap();
        // Another string with the same text: found by the text, not the pointer.
        let same = String::from(text);
        let again = c.parse("b.cpr", &same).unwrap();
        assert!(Arc::ptr_eq(&first, &again));
        let edited = c.parse("a.cpr", "const a = 2\n").unwrap();
        assert!(!Arc::ptr_eq(&first, &edited));
        assert_ne!(*first, *edited);
        assert_eq!(c.len(), 2);
    }

    /// A file that does not parse is not kept: its error is worked out
    /// again, naming the file it is in now.
    #[test]
    fn errors_are_not_kept_and_name_their_own_file() {
        let c = cache();
        let bad = "rule {\n";
        assert_eq!(c.parse("one.cpr", bad).unwrap_err().file, "one.cpr");
        assert_eq!(c.parse("two.cpr", bad).unwrap_err().file, "two.cpr");
        assert_eq!(c.len(), 0);
    }

    #[test]
    fn the_least_recently_used_go_when_the_cache_is_full() {
        let c = cache();
        let text = |i: usize| format!("const c{i} = {i}\n");
        let first = c.parse("x.cpr", &text(0)).unwrap();
        for i in 1..ParseCache::MAX_FILES {
            c.parse("x.cpr", &text(i)).unwrap();
        }
        assert_eq!(c.len(), ParseCache::MAX_FILES);
        // Used again, the first is the most recent: the second is the oldest.
        assert!(Arc::ptr_eq(&first, &c.parse("x.cpr", &text(0)).unwrap()));
        c.parse("x.cpr", &text(ParseCache::MAX_FILES)).unwrap();
        assert_eq!(c.len(), ParseCache::MAX_FILES);
        assert!(c.find(&text(1)).is_none());
        assert!(Arc::ptr_eq(&first, &c.find(&text(0)).unwrap()));
        assert!(c.find(&text(2)).is_some());
    }

    #[test]
    fn text_beyond_the_byte_bound_is_not_kept() {
        let c = cache();
        let big = format!("# {}\nconst a = 1\n", "x".repeat(ParseCache::MAX_BYTES));
        // Larger than the parser's own file limit or not, it is never kept.
        let _ = c.parse("big.cpr", &big);
        assert_eq!(c.len(), 0);
    }
}
