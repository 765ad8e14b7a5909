//! A compiled rule set: sources loaded, parsed and compiled once, then
//! shared (read-only) by every check.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::ast::{self, RuleKind, Severity};
use crate::compile;
use crate::coverage;
use crate::diagnostic::{self, CompileError, Diagnostic};
use crate::load::{self, Loader, Source, SourceFile};
use crate::parser;
use crate::program::{CompiledRule, Learning, RuleText, ShapeObj};
use crate::provenance::{OverrideInfo, PackInfo, BUILTIN_PACK};
use crate::schema::Schema;

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

/// A rule's description, without its condition: its words (shared with
/// the rule set and every outcome) and where it is written.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleInfo {
    /// The rule's words: id, title, theme, kind, severity, learning point,
    /// prompt and next steps.
    pub text: Arc<RuleText>,
    /// The file it is written in.
    pub file: String,
    /// The line it starts on.
    pub line: usize,
}

impl serde::Serialize for RuleInfo {
    /// `{"id", "title", "theme", "kind", "severity", "learning", "next_steps", "file", "line"}`.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(serde::Serialize)]
        struct Json<'a> {
            id: &'a str,
            title: &'a str,
            theme: &'a str,
            kind: RuleKind,
            severity: Severity,
            learning: &'a Option<Learning>,
            next_steps: &'a [String],
            file: &'a str,
            line: usize,
        }
        let t = &self.text;
        Json {
            id: &t.id,
            title: &t.title,
            theme: &t.theme,
            kind: t.kind,
            severity: t.severity,
            learning: &t.learning,
            next_steps: &t.next_steps,
            file: &self.file,
            line: self.line,
        }
        .serialize(s)
    }
}

/// A compiled rule set: compile once, check many plans, from many threads.
#[derive(Clone, Debug)]
pub struct RuleSet {
    pub(crate) rules: Vec<CompiledRule>,
    pub(crate) shape: ShapeObj,
    pub(crate) sources: Vec<SourceFile>,
    pub(crate) consts: Vec<compile::ConstInfo>,
    pub(crate) defs: Vec<compile::DefInfo>,
    pub(crate) used_names: BTreeSet<String>,
    pub(crate) read_paths: BTreeSet<String>,
    /// Each field's explicit none, from the schema (source coverage).
    pub(crate) nones: coverage::NoneTree,
    /// The read fields' nones laid over the plan shape, for settling plans.
    pub(crate) settle_tree: coverage::SettleObj,
    /// What reports record about the pack (name, version, hash, ...).
    pub(crate) pack: Arc<PackInfo>,
    /// Notes `lint` shows about the pack (its disabled rules).
    pub(crate) pack_notes: Vec<Diagnostic>,
}

impl RuleSet {
    /// Compiles the built-in children's mental health pack.
    pub fn builtin() -> Result<RuleSet, CompileError> {
        RuleSet::builtin_with(&[])
    }

    /// Compiles the built-in pack with constant overrides (`name`, literal
    /// as in rules); reports name the built-in pack and the overrides.
    pub fn builtin_with(overrides: &[(String, String)]) -> Result<RuleSet, CompileError> {
        let options = CompileOptions {
            schema: None,
            overrides: overrides.to_vec(),
            loader: None,
        };
        let mut rules = RuleSet::compile_with(&crate::builtin::builtin_sources(), &options)?;
        let mut info = (*rules.pack).clone();
        info.name = Some(BUILTIN_PACK.to_string());
        info.version = Some(crate::provenance::VERSION.to_string());
        rules.pack = Arc::new(info);
        Ok(rules)
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
        let (files, parsed) = load::load_sources(sources, options.loader)?;
        let mut overrides = Vec::new();
        for (name, text) in &options.overrides {
            let lit = parser::parse_literal(text).map_err(|d| CompileError::one(*d))?;
            overrides.push((name.clone(), lit));
        }
        let refs: Vec<(u32, &ast::File)> = parsed
            .iter()
            .enumerate()
            .map(|(i, f)| (i as u32, &**f))
            .collect();
        let compiled = compile::Compiler::new(schema, &files)
            .compile(&refs, &overrides)
            .map_err(|diagnostics| CompileError { diagnostics })?;
        let pack = identity(&files, options.schema.as_ref(), &compiled.consts);
        let mut shape = compiled.shape;
        coverage::read_coverage_key(&mut shape);
        let nones = coverage::NoneTree::from_schema(&schema.root);
        Ok(RuleSet {
            settle_tree: coverage::SettleObj::new(&shape, &nones),
            nones,
            pack: Arc::new(pack),
            pack_notes: Vec::new(),
            rules: compiled.rules,
            shape,
            sources: files,
            consts: compiled.consts,
            defs: compiled.defs,
            used_names: compiled.used_names,
            read_paths: compiled.read_paths,
        })
    }

    /// A copy of these rules that shares no reference count with them, for
    /// a thread of its own.
    ///
    /// Every report refers to its rules' words (one reference a rule) and
    /// to the pack's description. Threads checking with one `RuleSet` count
    /// those references on the same memory, and the cores then spend their
    /// time handing it to each other: on two cores, that cost the CLI's
    /// batch about a tenth of its speed (docs/performance.md, "Fifth
    /// round"). Each thread of a batch should check with its own copy, made
    /// once: a copy of the built-in pack takes about 0.14 ms, as long as
    /// checking eight plans. Reports from a copy are identical to the
    /// original's.
    pub fn clone_unshared(&self) -> RuleSet {
        let mut copy = self.clone();
        for rule in &mut copy.rules {
            rule.text = Arc::new(RuleText::clone(&rule.text));
        }
        copy.pack = Arc::new(PackInfo::clone(&self.pack));
        copy
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
                    text: Arc::clone(&r.text),
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

    /// What reports record about the pack these rules come from: its name
    /// and version (when compiled from a pack), the content hash, the
    /// constants overridden and the rules disabled.
    pub fn pack_info(&self) -> &PackInfo {
        &self.pack
    }

    /// The names of the files the rule set was compiled from.
    pub fn source_names(&self) -> Vec<&str> {
        self.sources.iter().map(|s| s.name.as_str()).collect()
    }
}

impl RuleSet {
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

/// The identity of rules compiled from loose files: the hash of the files
/// as named and of the schema, and the constants whose value was changed.
fn identity(
    files: &[SourceFile],
    schema: Option<&Schema>,
    consts: &[compile::ConstInfo],
) -> PackInfo {
    let overrides = consts
        .iter()
        .filter(|c| c.overridden && c.value != c.declared)
        .map(|c| OverrideInfo {
            name: c.name.clone(),
            value: crate::format::literal(&c.value),
            declared: crate::format::literal(&c.declared),
        })
        .collect();
    if schema.is_none() && crate::builtin::is_builtin(files) {
        // The built-in pack's files against the built-in schema: the hash
        // build.rs worked out for them (a quarter of the compile).
        return PackInfo::with_hash(crate::builtin::builtin_hash().to_string(), overrides);
    }
    let schema_text = match schema {
        None => crate::schema::CASE_PLAN_SCHEMA.to_string(),
        Some(s) => format!("{s:?}"),
    };
    let parts = files
        .iter()
        .map(|f| ("rules", f.name.as_str(), f.text.as_str()))
        .chain(std::iter::once(("schema", "", schema_text.as_str())));
    PackInfo::loose(parts, overrides)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hash build.rs works out for the built-in pack is the one the
    /// library computes for the same files and schema.
    #[test]
    fn the_built_in_packs_hash_from_the_build_is_the_hash_of_its_files() {
        let sources = crate::builtin::builtin_sources();
        let parts = sources
            .iter()
            .map(|s| ("rules", s.name.as_str(), s.text.as_str()))
            .chain(std::iter::once((
                "schema",
                "",
                crate::schema::CASE_PLAN_SCHEMA,
            )));
        let computed = PackInfo::loose(parts, Vec::new()).hash;
        assert_eq!(crate::builtin::builtin_hash(), computed);
        assert_eq!(
            RuleSet::compile(&sources).unwrap().pack_info().hash,
            computed
        );
        assert_eq!(RuleSet::builtin().unwrap().pack_info().hash, computed);
        // Any change to a file is a change of hash, computed again.
        let mut changed = sources.clone();
        changed[0].text.push_str("\n# a comment\n");
        let other = RuleSet::compile(&changed).unwrap().pack_info().hash.clone();
        assert_ne!(other, computed);
    }

    /// A copy made for a thread of its own gives the same reports, byte
    /// for byte, and shares no rule words or pack description with the
    /// original.
    #[test]
    fn an_unshared_copy_reports_the_same_and_shares_no_words() {
        let rules = RuleSet::builtin().unwrap();
        let copy = rules.clone_unshared();
        assert_eq!(copy.rules.len(), rules.rules.len());
        for (a, b) in rules.rules.iter().zip(&copy.rules) {
            assert!(!Arc::ptr_eq(&a.text, &b.text), "{}", a.text.id);
            assert_eq!(a.text, b.text);
        }
        assert!(!Arc::ptr_eq(&rules.pack, &copy.pack));
        assert_eq!(rules.pack, copy.pack);
        let options = crate::CheckOptions::new(crate::Date::parse("2026-11-26").unwrap());
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/plans");
        let mut seen = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let plan = std::fs::read(entry.unwrap().path()).unwrap();
            let (a, b) = (
                rules.check_json(&plan, &options),
                copy.check_json(&plan, &options),
            );
            assert_eq!(a.map(|r| r.to_json()), b.map(|r| r.to_json()));
            seen += 1;
        }
        assert!(seen > 0);
    }
}
