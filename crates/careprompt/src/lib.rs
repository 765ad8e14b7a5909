//! careprompt: a rules engine that prompts good practice in children's
//! services case plans.
//!
//! Policy writers state learning points as rules in a small language; the
//! engine checks a case plan (JSON) against them and returns, for every
//! rule, whether it `fires` (with the evidence), is `clear`, or is
//! `unknown` (with the missing fields that kept it from being decided).
//!
//! ```
//! use careprompt::{CheckOptions, Date, RuleSet, Source};
//!
//! let rules = RuleSet::compile(&[Source::new(
//!     "example.cpr",
//!     r#"
//!     rule EX-01 {
//!       title "Virtual School involvement"
//!       theme "Education"
//!       kind practice
//!       severity high
//!       when child.looked_after and education.virtual_school.involved = false
//!       prompt "Consider involving the Virtual School."
//!     }"#,
//! )])?;
//! let plan = br#"{"child": {"looked_after": true}, "education": {"virtual_school": {"involved": false}}}"#;
//! let report = rules.check_json(plan, &CheckOptions::new(Date::parse("2026-11-26")?))?;
//! assert_eq!(report.outcome("EX-01").map(|o| o.outcome.as_str()), Some("fires"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod ast;
mod compile;
pub mod date;
pub mod diagnostic;
mod eval;
pub mod explain;
pub mod files;
pub mod format;
pub mod lint;
mod parser;
pub mod plan;
mod program;
pub mod report;
mod scan;
pub mod schema;
pub mod testing;

use std::collections::{BTreeSet, HashMap};

pub use ast::{RuleKind, Severity};
pub use compile::{MAX_CONDITIONS, MAX_CONDITION_DEPTH, MAX_DIAGNOSTICS};
pub use date::Date;
pub use diagnostic::{Diagnostic, Level};
pub use eval::{EvidenceValue, Truth, EVAL_STEPS_PER_PLAN_NODE};
pub use parser::{MAX_NESTING, MAX_NOTS, MAX_RULES_BYTES};
pub use plan::{PlanError, PlanErrorKind, MAX_LIST_LEN, MAX_PLAN_BYTES};
pub use program::Learning;
pub use report::{Evidence, Outcome, OutcomeKind, Report, RuleText, Summary, REPORT_VERSION};
pub use schema::{Schema, CASE_PLAN_SCHEMA};

use program::{CompiledRule, ShapeObj, SourceFile};

/// The most rules files one rule set may be compiled from, counting those
/// loaded through `import`.
pub const MAX_RULES_FILES: usize = 1000;

/// The engine's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

mod pack {
    include!(concat!(env!("OUT_DIR"), "/pack.rs"));
}

/// The built-in children's mental health pack's rules files, as sources.
pub fn builtin_sources() -> Vec<Source> {
    pack::PACK_RULES
        .iter()
        .map(|(n, t)| Source::new(*n, *t))
        .collect()
}

/// The built-in pack's rule tests and their fixtures: (name, text).
pub fn builtin_tests() -> &'static [(&'static str, &'static str)] {
    pack::PACK_TESTS
}

/// The case-plan JSON Schema text.
pub fn case_plan_schema() -> &'static str {
    CASE_PLAN_SCHEMA
}

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

/// Options for compiling a rule set.
#[derive(Default)]
pub struct CompileOptions<'l> {
    /// The case-plan schema to check against (the built-in one if `None`).
    pub schema: Option<Schema>,
    /// Constant overrides, as `name` and a literal written as in rules
    /// (`15`, `"text"`, `2 terms`).
    pub overrides: Vec<(String, String)>,
    /// Where to read imported files that are not among the sources.
    pub loader: Option<&'l dyn Loader>,
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
    fn one(d: Diagnostic) -> CompileError {
        CompileError {
            diagnostics: vec![d],
        }
    }

    /// The diagnostics as JSON: `{"diagnostics": [...]}`.
    pub fn to_json(&self) -> String {
        serde_json::json!({ "diagnostics": self.diagnostics }).to_string()
    }
}

/// Options for checking a plan.
#[derive(Clone, Copy, Debug)]
pub struct CheckOptions {
    /// The evaluation date: "within 6 months" and ages are measured from it.
    pub as_of: Date,
}

impl CheckOptions {
    /// Checks as of `as_of`.
    pub fn new(as_of: Date) -> CheckOptions {
        CheckOptions { as_of }
    }
}

/// A rule's description, without its condition.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct RuleInfo {
    /// The stable id.
    pub id: String,
    /// The title.
    pub title: String,
    /// The theme.
    pub theme: String,
    /// risk, practice or strength.
    pub kind: RuleKind,
    /// high, medium, low or info.
    pub severity: Severity,
    /// The learning point cited.
    pub learning: Option<Learning>,
    /// Next steps.
    pub next_steps: Vec<String>,
    /// The file it is written in.
    pub file: String,
    /// The line it starts on.
    pub line: usize,
}

/// A compiled rule set: compile once, check many plans, from many threads.
#[derive(Debug)]
pub struct RuleSet {
    rules: Vec<CompiledRule>,
    shape: ShapeObj,
    sources: Vec<SourceFile>,
    consts: Vec<compile::ConstInfo>,
    defs: Vec<compile::DefInfo>,
    used_names: BTreeSet<String>,
    read_paths: BTreeSet<String>,
}

impl RuleSet {
    /// Compiles the built-in children's mental health pack.
    pub fn builtin() -> Result<RuleSet, CompileError> {
        RuleSet::compile(&builtin_sources())
    }

    /// Compiles rules files against the built-in case-plan schema.
    pub fn compile(sources: &[Source]) -> Result<RuleSet, CompileError> {
        RuleSet::compile_with(sources, &CompileOptions::default())
    }

    /// Compiles rules files with options.
    pub fn compile_with(
        sources: &[Source],
        options: &CompileOptions<'_>,
    ) -> Result<RuleSet, CompileError> {
        let schema: &Schema = match &options.schema {
            Some(s) => s,
            None => Schema::builtin_ref().map_err(|e| {
                CompileError::one(Diagnostic::error(
                    "schema",
                    diagnostic::SourceRef {
                        name: "case-plan.schema.json",
                        text: "",
                    },
                    ast::Span::default(),
                    e.to_string(),
                ))
            })?,
        };
        let (files, parsed) = load_sources(sources, options.loader)?;
        let mut overrides = Vec::new();
        for (name, text) in &options.overrides {
            let lit = parser::parse_literal(text).map_err(|d| CompileError::one(*d))?;
            overrides.push((name.clone(), lit));
        }
        let refs: Vec<(u32, &ast::File)> = parsed
            .iter()
            .enumerate()
            .map(|(i, f)| (i as u32, f))
            .collect();
        let compiled = compile::Compiler::new(schema, &files)
            .compile(&refs, &overrides)
            .map_err(|diagnostics| CompileError { diagnostics })?;
        Ok(RuleSet {
            rules: compiled.rules,
            shape: compiled.shape,
            sources: files,
            consts: compiled.consts,
            defs: compiled.defs,
            used_names: compiled.used_names,
            read_paths: compiled.read_paths,
        })
    }

    /// The rules, in the order written.
    pub fn rules(&self) -> Vec<RuleInfo> {
        self.rules
            .iter()
            .map(|r| {
                let (file, line) = match self.sources.get(r.loc.file as usize) {
                    Some(s) => (
                        s.name.clone(),
                        diagnostic::line_col(&s.text, r.loc.span.start).0,
                    ),
                    None => (String::new(), 0),
                };
                RuleInfo {
                    id: r.text.id.clone(),
                    title: r.text.title.clone(),
                    theme: r.text.theme.clone(),
                    kind: r.text.kind,
                    severity: r.text.severity,
                    learning: r.text.learning.clone(),
                    next_steps: r.text.next_steps.clone(),
                    file,
                    line,
                }
            })
            .collect()
    }

    /// Every plan path some rule reads (list elements written `list[].field`).
    /// Fields outside this set are skipped, not parsed, when a plan is read.
    pub fn read_paths(&self) -> &BTreeSet<String> {
        &self.read_paths
    }

    /// The names of the files the rule set was compiled from.
    pub fn source_names(&self) -> Vec<&str> {
        self.sources.iter().map(|s| s.name.as_str()).collect()
    }

    /// Checks plan JSON bytes.
    pub fn check_json(&self, plan: &[u8], options: &CheckOptions) -> Result<Report, PlanError> {
        let extracted = plan::extract(plan, &self.shape)?;
        let warnings = extracted.warnings.clone();
        Ok(self.report(&extracted, warnings, options))
    }

    /// Checks an already-parsed plan. The plan is borrowed, never copied.
    pub fn check_value(
        &self,
        plan: &serde_json::Value,
        options: &CheckOptions,
    ) -> Result<Report, PlanError> {
        let extracted = plan::extract_value(plan, &self.shape)?;
        let warnings = extracted.warnings.clone();
        Ok(self.report(&extracted, warnings, options))
    }

    /// Decides every rule on plan bytes without building a report: the
    /// fastest path, for callers that only need outcomes.
    pub fn outcomes_json(
        &self,
        plan: &[u8],
        options: &CheckOptions,
    ) -> Result<Vec<OutcomeKind>, PlanError> {
        let extracted = plan::extract(plan, &self.shape)?;
        Ok(self.outcomes(&extracted, options))
    }

    /// Reads plan bytes once, for evaluating them many times (on several
    /// dates, or in a benchmark that times evaluation apart from reading).
    /// The result borrows the rules and the bytes; its outcomes and report
    /// are exactly those of [`RuleSet::outcomes_json`] and
    /// [`RuleSet::check_json`] on the same bytes.
    pub fn prepare<'r, 'a>(&'r self, plan: &'a [u8]) -> Result<Prepared<'r, 'a>, PlanError> {
        let extracted = plan::extract(plan, &self.shape)?;
        Ok(Prepared {
            rules: self,
            extracted,
        })
    }

    fn outcomes(&self, plan: &plan::Extracted<'_>, options: &CheckOptions) -> Vec<OutcomeKind> {
        let mut env = eval::Env::new(&plan.root, &plan.nodes, options.as_of);
        self.rules
            .iter()
            .map(|r| {
                env.set_plan_budget();
                match env.cond::<false>(&r.cond) {
                    _ if env.exhausted() => OutcomeKind::Unknown,
                    Truth::True => OutcomeKind::Fires,
                    Truth::False => OutcomeKind::Clear,
                    Truth::Unknown => OutcomeKind::Unknown,
                }
            })
            .collect()
    }

    fn report(
        &self,
        plan: &plan::Extracted<'_>,
        mut warnings: Vec<String>,
        options: &CheckOptions,
    ) -> Report {
        warnings.extend(plan::date_warnings(
            &plan.root,
            &plan.nodes,
            &self.shape,
            options.as_of,
        ));
        let mut env = eval::Env::new(&plan.root, &plan.nodes, options.as_of);
        let mut summary = Summary::default();
        let mut outcomes = Vec::with_capacity(self.rules.len());
        for r in &self.rules {
            env.set_plan_budget();
            let mut truth = env.cond::<false>(&r.cond);
            let too_costly = env.exhausted();
            if too_costly {
                truth = Truth::Unknown;
                warnings.push(format!(
                    "rule `{}` needs more work than the size of this plan allows, so it is reported unknown",
                    r.text.id
                ));
            }
            let mut o = Outcome::new(r.text.clone(), OutcomeKind::Clear);
            match truth {
                Truth::False => summary.clear += 1,
                Truth::True | Truth::Unknown => {
                    env.items.clear();
                    let items = if too_costly {
                        Vec::new()
                    } else {
                        env.set_plan_budget();
                        let again = env.cond::<true>(&r.cond);
                        if env.exhausted() {
                            // Recording looks at every element where deciding stopped at the
                            // first that settled it; the outcome stands, the evidence is partial.
                            warnings.push(format!(
                                "the evidence listed for rule `{}` is incomplete",
                                r.text.id
                            ));
                        } else {
                            debug_assert_eq!(again, truth);
                        }
                        std::mem::take(&mut env.items)
                    };
                    if truth == Truth::True {
                        summary.fires += 1;
                        o.outcome = OutcomeKind::Fires;
                        let mut seen = FirstSeen::for_items(items.len());
                        for item in items {
                            if let eval::Item::Evidence { path, value } = item {
                                if seen.first(&path, o.evidence.iter().map(|e| &e.path)) {
                                    o.evidence.push(Evidence { path, value });
                                }
                            }
                        }
                    } else {
                        summary.unknown += 1;
                        o.outcome = OutcomeKind::Unknown;
                        let mut seen = FirstSeen::for_items(items.len());
                        for item in items {
                            if let eval::Item::Missing(path) = item {
                                if seen.first(&path, o.missing.iter()) {
                                    o.missing.push(path);
                                }
                            }
                        }
                    }
                }
            }
            outcomes.push(o);
        }
        let plan_id = self
            .shape
            .field("plan_id")
            .and_then(|f| f.slot)
            .and_then(|slot| plan.root.children(&plan.nodes).get(usize::from(slot)))
            .and_then(|n| match n {
                plan::Node::Text(t) => Some(t.to_string()),
                _ => None,
            });
        Report {
            report_version: REPORT_VERSION,
            engine: format!("careprompt {VERSION}"),
            as_of: options.as_of.to_string(),
            plan_id,
            summary,
            outcomes,
            warnings,
        }
    }

    pub(crate) fn compiled_rules(&self) -> &[CompiledRule] {
        &self.rules
    }

    pub(crate) fn source_text(&self, file: u32) -> Option<&SourceFile> {
        self.sources.get(file as usize)
    }

    pub(crate) fn shape(&self) -> &ShapeObj {
        &self.shape
    }
}

/// Which paths a report has listed already. Most rules record a handful,
/// which are compared in place; a set is kept only for long lists.
struct FirstSeen(Option<std::collections::HashSet<String>>);

impl FirstSeen {
    fn for_items(n: usize) -> FirstSeen {
        FirstSeen((n > 32).then(std::collections::HashSet::new))
    }

    /// Whether `path` is not among those `listed` so far (and notes it).
    fn first<'s>(&mut self, path: &str, mut listed: impl Iterator<Item = &'s String>) -> bool {
        match &mut self.0 {
            Some(set) => set.insert(path.to_string()),
            None => !listed.any(|p| p == path),
        }
    }
}

/// A plan read against a rule set once ([`RuleSet::prepare`]), ready to be
/// evaluated any number of times.
pub struct Prepared<'r, 'a> {
    rules: &'r RuleSet,
    extracted: plan::Extracted<'a>,
}

impl Prepared<'_, '_> {
    /// Every rule's outcome, as [`RuleSet::outcomes_json`] gives it.
    pub fn outcomes(&self, options: &CheckOptions) -> Vec<OutcomeKind> {
        self.rules.outcomes(&self.extracted, options)
    }

    /// The report, as [`RuleSet::check_json`] gives it.
    pub fn report(&self, options: &CheckOptions) -> Report {
        self.rules
            .report(&self.extracted, self.extracted.warnings.clone(), options)
    }

    /// The warnings found while reading the plan (unknown fields).
    pub fn warnings(&self) -> &[String] {
        &self.extracted.warnings
    }
}

impl std::fmt::Debug for Prepared<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prepared")
            .field("warnings", &self.extracted.warnings)
            .finish_non_exhaustive()
    }
}

/// The list elements one rule may visit on a plan of `size` values: a
/// multiple of it, so that checking is bounded by rules times plan size.
pub(crate) fn eval_budget(size: usize) -> u64 {
    eval::EVAL_STEPS_PER_PLAN_NODE.saturating_mul(size as u64 + 1)
}

/// Formats a rules file in canonical form.
pub fn format_source(name: &str, text: &str) -> Result<String, CompileError> {
    let file = parser::parse(name, text).map_err(|d| CompileError::one(*d))?;
    Ok(format::print_file(&file))
}

/// Parses a rules file into its syntax tree.
pub fn parse_source(name: &str, text: &str) -> Result<ast::File, CompileError> {
    parser::parse(name, text).map_err(|d| CompileError::one(*d))
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

fn normalise(name: &str) -> String {
    resolve_import("", name)
}

fn load_sources(
    sources: &[Source],
    loader: Option<&dyn Loader>,
) -> Result<(Vec<SourceFile>, Vec<ast::File>), CompileError> {
    let mut files: Vec<SourceFile> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for s in sources {
        let key = normalise(&s.name);
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
                let key = normalise(&target);
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
