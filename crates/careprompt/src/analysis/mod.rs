//! The analysis layer behind editors: every syntax error at once, then
//! completion, hover, go to definition, references, document symbols,
//! formatting, code actions and rule tests with coverage, at a position in
//! a set of open files.
//!
//! Every host (the language server, the WASM binding) uses this one layer.
//! A [`Workspace`] holds the files (rules `.cpr`, rule tests `.test.toml`
//! and the plans they read); each request is one method taking a
//! serde-deserialisable request and returning a serialisable answer, so a
//! binding can expose it as JSON in and JSON out ([`json::handle`] does
//! that for one request object at a time). Positions are 0-based
//! lines and UTF-16 columns, as LSP and JavaScript count them. Nothing here
//! reads files or the clock: the host passes every file in.
//!
//! A workspace holding a `pack.toml` is a local pack (docs/packs.md): its
//! manifest is checked, its rules are compiled on the pack it `extends`
//! (whose files are held read-only, for hover and go to definition), its
//! `[[field]]`s are merged into the schema and its `[[disable]]`d rules
//! are left out, as the CLI does.

mod actions;
mod completion;
mod context;
mod hover;
mod index;
pub mod json;
mod local_pack;
#[cfg(test)]
mod local_pack_tests;
mod navigation;
mod rule_tests;
mod symbols;
#[cfg(test)]
mod tests;
mod text;
mod tolerant;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;
use crate::load::Source;
use crate::ruleset::{CompileOptions, RuleSet};
use crate::schema::Schema;

pub use actions::{CodeAction, TextEdit};
pub use completion::{Completion, CompletionKind};
pub use hover::Hover;
pub use navigation::Location;
pub use rule_tests::{CaseFailure, RuleCoverage, TestsAnswer};
pub use symbols::{Symbol, SymbolKind};
pub use text::{Position, Range};

/// What a file holds, from its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    /// A rules file (`.cpr`).
    Rules,
    /// A rule test file (`.test.toml`).
    Tests,
    /// Anything else (plans that tests read).
    Data,
}

impl FileKind {
    /// The kind of the file called `name`.
    pub fn of(name: &str) -> FileKind {
        if name.ends_with(".cpr") {
            FileKind::Rules
        } else if name.ends_with(".test.toml") {
            FileKind::Tests
        } else {
            FileKind::Data
        }
    }
}

/// A request about one position in one file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct At {
    /// The file's name, as given to [`Workspace::set_file`].
    pub file: String,
    /// The position.
    pub position: Position,
}

/// A diagnostic with its range in editor positions.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Located {
    /// Where the problem is, in editor positions.
    pub range: Range,
    /// The problem (with 1-based line and column and byte offsets too).
    pub diagnostic: Diagnostic,
}

/// One file held by a workspace.
#[derive(Clone, Debug)]
pub(crate) struct Doc {
    pub text: String,
    pub lines: text::Lines,
    pub kind: FileKind,
    /// The tolerant parse (rules files only).
    pub parsed: tolerant::Parsed,
}

/// The open files of a rule pack and what the engine makes of them.
#[derive(Debug)]
pub struct Workspace {
    schema: Option<Schema>,
    files: BTreeMap<String, Doc>,
    rules: Option<RuleSet>,
    compile_diagnostics: Vec<Diagnostic>,
    /// The read-only files of the pack a local pack builds on.
    base: BTreeMap<String, Doc>,
    /// The schema of a local pack (the base schema with its fields).
    pack_schema: Option<Schema>,
}

impl Default for Workspace {
    fn default() -> Workspace {
        Workspace::new()
    }
}

impl Workspace {
    /// An empty workspace checked against the built-in case-plan schema.
    pub fn new() -> Workspace {
        Workspace {
            schema: None,
            files: BTreeMap::new(),
            rules: None,
            compile_diagnostics: Vec::new(),
            base: BTreeMap::new(),
            pack_schema: None,
        }
    }

    /// An empty workspace checked against `schema`.
    pub fn with_schema(schema: Schema) -> Workspace {
        Workspace {
            schema: Some(schema),
            ..Workspace::new()
        }
    }

    /// A workspace holding the built-in pack: its rules, tests and fixtures.
    pub fn builtin() -> Workspace {
        let mut ws = Workspace::new();
        let mut files: Vec<(String, String)> = crate::builtin::builtin_sources()
            .into_iter()
            .map(|s| (s.name, s.text))
            .collect();
        files.extend(
            crate::builtin::builtin_tests()
                .iter()
                .map(|(n, t)| (n.to_string(), t.to_string())),
        );
        ws.set_files(files);
        ws
    }

    /// The schema rules are checked against.
    pub fn schema(&self) -> &Schema {
        if let Some(s) = &self.pack_schema {
            return s;
        }
        match &self.schema {
            Some(s) => s,
            None => match Schema::builtin_ref() {
                Ok(s) => s,
                Err(_) => empty_schema(),
            },
        }
    }

    /// Adds or replaces a file and analyses the workspace again.
    pub fn set_file(&mut self, name: &str, text: &str) {
        self.insert(name, text);
        if self.compiles_with(name) {
            self.recompile();
        }
    }

    /// Adds or replaces many files, analysing once.
    pub fn set_files(&mut self, files: impl IntoIterator<Item = (String, String)>) {
        for (name, text) in files {
            self.insert(&name, &text);
        }
        self.recompile();
    }

    /// Removes a file.
    pub fn remove_file(&mut self, name: &str) {
        let compiles_with = self.compiles_with(name);
        if self.files.remove(name).is_some() && compiles_with {
            self.recompile();
        }
    }

    /// Whether the compiled rules depend on the file `name`: rules files,
    /// a manifest, and (in a local pack, whose manifest may list them)
    /// test files.
    fn compiles_with(&self, name: &str) -> bool {
        match FileKind::of(name) {
            FileKind::Rules => true,
            FileKind::Tests => self.manifest().is_some(),
            FileKind::Data => is_manifest(name),
        }
    }

    /// The names of the files held, in name order.
    pub fn file_names(&self) -> Vec<&str> {
        self.files.keys().map(String::as_str).collect()
    }

    /// The text of a file held, or of a read-only file of the base pack
    /// (see [`Workspace::base_file_names`]).
    pub fn text(&self, name: &str) -> Option<&str> {
        self.doc(name).map(|d| d.text.as_str())
    }

    /// The names of the read-only files of the pack a local pack builds on
    /// (empty without a `pack.toml` that `extends` one). Definitions and
    /// references may point into them; they are never the user's problems.
    pub fn base_file_names(&self) -> Vec<&str> {
        self.base.keys().map(String::as_str).collect()
    }

    /// The name of the local pack's manifest held, if any: a file called
    /// `pack.toml`, the one nearest the top when there are several.
    pub fn manifest(&self) -> Option<&str> {
        self.files
            .keys()
            .filter(|n| is_manifest(n))
            .min_by_key(|n| (n.matches('/').count(), n.len()))
            .map(String::as_str)
    }

    /// The compiled rule set, when every rules file compiles.
    pub fn rule_set(&self) -> Option<&RuleSet> {
        self.rules.as_ref()
    }

    /// Every problem in one file: each syntax error, and the compile errors
    /// and warnings of the items that parsed (rules files); TOML errors,
    /// unknown rule ids and outcomes (rule test files; failing cases come
    /// from [`Workspace::run_tests`]); a local pack's manifest problems
    /// and its disabled rules, as warnings (its `pack.toml`).
    pub fn diagnostics(&self, file: &str) -> Vec<Located> {
        let Some(doc) = self.files.get(file) else {
            return Vec::new();
        };
        let mut out: Vec<Diagnostic> = Vec::new();
        match doc.kind {
            FileKind::Rules => {
                out.extend(doc.parsed.syntax.iter().cloned());
                let broken_names: Vec<String> = self
                    .files
                    .values()
                    .flat_map(|d| d.parsed.broken_names.iter())
                    .map(|n| format!("`{n}`"))
                    .collect();
                for d in &self.compile_diagnostics {
                    if d.file != file {
                        continue;
                    }
                    // A name declared by an item that does not parse is
                    // reported there, not at every use.
                    if d.code.starts_with("unknown")
                        && broken_names.iter().any(|n| d.message.ends_with(n.as_str()))
                    {
                        continue;
                    }
                    let mut d = d.clone();
                    d.source = std::sync::Arc::from(doc.text.as_str());
                    out.push(d);
                }
            }
            FileKind::Tests => out.extend(rule_tests::file_diagnostics(self, file)),
            FileKind::Data => {
                if self.manifest() == Some(file) {
                    out.extend(
                        self.compile_diagnostics
                            .iter()
                            .filter(|d| d.file == file)
                            .cloned(),
                    );
                }
            }
        }
        out.into_iter()
            .map(|d| Located {
                range: doc.lines.range(&doc.text, d.start, d.end),
                diagnostic: d,
            })
            .collect()
    }

    /// Completions at a position.
    pub fn completion(&self, at: &At) -> Vec<Completion> {
        completion::complete(self, at)
    }

    /// Hover text at a position.
    pub fn hover(&self, at: &At) -> Option<Hover> {
        hover::hover(self, at)
    }

    /// Where the name at a position is declared.
    pub fn definition(&self, at: &At) -> Vec<Location> {
        navigation::definition(self, at)
    }

    /// Every use of the name at a position (and its declaration when
    /// `include_declaration`).
    pub fn references(&self, at: &At, include_declaration: bool) -> Vec<Location> {
        navigation::references(self, at, include_declaration)
    }

    /// The items of a file, for an outline.
    pub fn symbols(&self, file: &str) -> Vec<Symbol> {
        symbols::symbols(self, file)
    }

    /// The edit that formats a file in canonical form, if it parses and is
    /// not already so.
    pub fn format(&self, file: &str) -> Option<TextEdit> {
        actions::format(self, file)
    }

    /// Fixes offered for the problems in a range ("did you mean").
    pub fn code_actions(&self, file: &str, range: Range) -> Vec<CodeAction> {
        actions::code_actions(self, file, range)
    }

    /// Runs every rule test file held, with coverage per rule.
    pub fn run_tests(&self) -> TestsAnswer {
        rule_tests::run(self)
    }

    /// A file held, or a read-only file of the base pack.
    pub(crate) fn doc(&self, name: &str) -> Option<&Doc> {
        self.files.get(name).or_else(|| self.base.get(name))
    }

    /// The files held, then the base pack's read-only files.
    pub(crate) fn docs(&self) -> impl Iterator<Item = (&str, &Doc)> {
        self.files
            .iter()
            .chain(self.base.iter())
            .map(|(n, d)| (n.as_str(), d))
    }

    /// Whether `name` is one of the files held (not a base pack's file).
    pub(crate) fn holds(&self, name: &str) -> bool {
        self.files.contains_key(name)
    }

    fn insert(&mut self, name: &str, text: &str) {
        self.files.insert(name.to_string(), Doc::new(name, text));
    }

    fn recompile(&mut self) {
        if let Some(manifest) = self.manifest().map(str::to_string) {
            self.compile_pack(&manifest);
            return;
        }
        self.base.clear();
        self.pack_schema = None;
        let sources: Vec<Source> = self
            .files
            .iter()
            .filter(|(_, d)| d.kind == FileKind::Rules)
            .map(|(n, d)| Source::new(n.clone(), d.parsed.clean.clone()))
            .collect();
        let options = CompileOptions {
            schema: self.schema.clone(),
            ..CompileOptions::default()
        };
        match RuleSet::compile_with(&sources, &options) {
            Ok(rules) => {
                self.compile_diagnostics = lint_diagnostics(&rules);
                self.rules = Some(rules);
            }
            Err(e) => {
                self.compile_diagnostics = e.diagnostics;
                self.rules = None;
            }
        }
    }
}

impl Doc {
    fn new(name: &str, text: &str) -> Doc {
        let kind = FileKind::of(name);
        let parsed = if kind == FileKind::Rules {
            tolerant::parse(name, text)
        } else {
            tolerant::Parsed::default()
        };
        Doc {
            text: text.to_string(),
            lines: text::Lines::new(text),
            kind,
            parsed,
        }
    }
}

/// The warnings of a compiled rule set an editor shows (whether a rule is
/// tested is the test run's answer, not a problem of the rules).
fn lint_diagnostics(rules: &RuleSet) -> Vec<Diagnostic> {
    crate::lint::lint(rules, None)
        .into_iter()
        .filter(|d| d.code != "untested")
        .collect()
}

/// Whether a file name is a local pack's manifest.
fn is_manifest(name: &str) -> bool {
    name == crate::pack::MANIFEST
        || name
            .strip_suffix(crate::pack::MANIFEST)
            .is_some_and(|dir| dir.ends_with('/'))
}

fn empty_schema() -> &'static Schema {
    static EMPTY: std::sync::OnceLock<Schema> = std::sync::OnceLock::new();
    EMPTY.get_or_init(|| Schema {
        root: crate::schema::ObjectType::default(),
    })
}
