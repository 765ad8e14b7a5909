//! Syntax trees to a checked program: names resolved against the case-plan
//! schema, types checked, definitions expanded (and cycles refused),
//! constants and their overrides applied.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use crate::ast::{self, FieldKind, ItemKind, Literal, Span};
use crate::diagnostic::{did_you_mean, Diagnostic, SourceRef};
use crate::load::SourceFile;
use crate::program::*;
use crate::schema::{FieldType, ObjectType, Schema};

use super::shape::{mark, shape_obj};
use super::types::Vt;

/// The deepest a compiled condition may nest, counting brackets, `not`s,
/// `where` clauses and the definitions it uses (each expanded in place).
pub const MAX_CONDITION_DEPTH: usize = 128;
/// The most conditions a rule set may compile to, with every use of a
/// definition expanded: definitions that use definitions twice over
/// would otherwise double the work at each step.
pub const MAX_CONDITIONS: usize = 1_000_000;
pub use crate::diagnostic::MAX_DIAGNOSTICS;

/// A constant's value and where it was declared.
#[derive(Clone, Debug)]
pub(crate) struct ConstInfo {
    pub name: String,
    pub value: Literal,
    /// The value as declared, before any override.
    pub declared: Literal,
    pub file: u32,
    pub span: Span,
    pub overridden: bool,
}

/// A definition and where it was declared.
#[derive(Clone, Debug)]
pub(crate) struct DefInfo {
    pub name: String,
    pub file: u32,
    pub span: Span,
}

/// What the compiler produces.
pub(crate) struct Compiled {
    pub rules: Vec<CompiledRule>,
    pub shape: ShapeObj,
    pub consts: Vec<ConstInfo>,
    pub defs: Vec<DefInfo>,
    pub used_names: BTreeSet<String>,
    pub read_paths: BTreeSet<String>,
}

pub(super) struct Scope<'s> {
    pub(super) ty: &'s ObjectType,
    /// Names from the plan root to this scope's object (list fields included).
    pub(super) route: Vec<String>,
    /// The list path as written, for messages.
    pub(super) label: String,
}

pub(crate) struct Compiler<'s> {
    pub(super) schema: &'s Schema,
    pub(super) sources: &'s [SourceFile],
    pub(super) shape: ShapeObj,
    pub(super) consts: HashMap<String, ConstInfo>,
    pub(super) const_order: Vec<String>,
    pub(super) defs: HashMap<String, (u32, &'s ast::Expr, Span)>,
    pub(super) def_order: Vec<DefInfo>,
    pub(super) def_stack: Vec<String>,
    pub(super) used: BTreeSet<String>,
    pub(super) read_paths: BTreeSet<String>,
    pub(super) errors: Vec<Diagnostic>,
    /// Problems found after [`MAX_DIAGNOSTICS`], counted but not built.
    pub(super) suppressed: usize,
    pub(super) file: u32,
    pub(super) next_id: u32,
    /// How deep the condition being compiled nests so far.
    pub(super) depth: usize,
    /// A limit (depth or size) has been reported; later hits stay quiet.
    pub(super) limit_reported: bool,
}

type Parsed<'s> = (u32, &'s ast::File);

impl<'s> Compiler<'s> {
    pub fn new(schema: &'s Schema, sources: &'s [SourceFile]) -> Compiler<'s> {
        Compiler {
            schema,
            sources,
            shape: shape_obj(&schema.root),
            consts: HashMap::new(),
            const_order: Vec::new(),
            defs: HashMap::new(),
            def_order: Vec::new(),
            def_stack: Vec::new(),
            used: BTreeSet::new(),
            read_paths: BTreeSet::new(),
            errors: Vec::new(),
            suppressed: 0,
            file: 0,
            next_id: 0,
            depth: 0,
            limit_reported: false,
        }
    }

    pub(super) fn src(&self, file: u32) -> SourceRef<'s> {
        match self.sources.get(file as usize) {
            Some(s) => SourceRef {
                name: &s.name,
                text: &s.text,
            },
            None => SourceRef { name: "", text: "" },
        }
    }

    pub(super) fn error(
        &mut self,
        code: &'static str,
        span: Span,
        message: String,
        help: Option<String>,
    ) {
        if self.full() {
            return;
        }
        let mut d = Diagnostic::error(code, self.src(self.file), span, message);
        if let Some(h) = help {
            d = d.with_help(h);
        }
        self.errors.push(d);
    }

    /// True (and the problem counted) once [`MAX_DIAGNOSTICS`] have been
    /// reported: building a diagnostic scans its file, so a flood of them
    /// in a large file would take quadratic time.
    pub(super) fn full(&mut self) -> bool {
        if self.errors.len() >= MAX_DIAGNOSTICS {
            self.suppressed += 1;
            return true;
        }
        false
    }

    pub(super) fn id(&mut self) -> u32 {
        self.next_id += 1;
        self.next_id
    }

    /// Compiles parsed files. `overrides` come from the caller (CLI `--const`).
    pub fn compile(
        mut self,
        files: &[Parsed<'s>],
        overrides: &[(String, Literal)],
    ) -> Result<Compiled, Vec<Diagnostic>> {
        // Pass 1: constants and definitions.
        for &(file, ast) in files {
            self.file = file;
            for item in &ast.items {
                match &item.kind {
                    ItemKind::Const { name, value } => {
                        if let Some(prev) = self.consts.get(&name.node) {
                            let at = self.src(prev.file);
                            let (line, _) = crate::diagnostic::line_col(at.text, prev.span.start);
                            self.error(
                                "duplicate",
                                name.span,
                                format!("constant `{}` is declared twice", name.node),
                                Some(format!("it is first declared at {}:{line}; to change its value use `override {}`", at.name, name.node)),
                            );
                            continue;
                        }
                        self.const_order.push(name.node.clone());
                        self.consts.insert(
                            name.node.clone(),
                            ConstInfo {
                                name: name.node.clone(),
                                value: value.node.clone(),
                                declared: value.node.clone(),
                                file,
                                span: name.span,
                                overridden: false,
                            },
                        );
                    }
                    ItemKind::Define { name, body } => {
                        if let Some(&(pf, _, ps)) = self.defs.get(&name.node) {
                            let at = self.src(pf);
                            let (line, _) = crate::diagnostic::line_col(at.text, ps.start);
                            self.error(
                                "duplicate",
                                name.span,
                                format!("definition `{}` is declared twice", name.node),
                                Some(format!(
                                    "it is first declared at {}:{line}; rename one of them",
                                    at.name
                                )),
                            );
                            continue;
                        }
                        if self.schema.root.fields.contains_key(&name.node) {
                            self.error(
                                "name-clash",
                                name.span,
                                format!(
                                    "definition `{}` has the name of a case-plan field",
                                    name.node
                                ),
                                Some(
                                    "choose a name that is not a top-level field of the plan"
                                        .into(),
                                ),
                            );
                        }
                        self.defs.insert(name.node.clone(), (file, body, name.span));
                        self.def_order.push(DefInfo {
                            name: name.node.clone(),
                            file,
                            span: name.span,
                        });
                    }
                    _ => {}
                }
            }
        }
        for name in self.consts.keys() {
            if self.defs.contains_key(name) || self.schema.root.fields.contains_key(name) {
                let msg =
                    format!("constant `{name}` has the name of a definition or a case-plan field");
                let (file, span) = self
                    .consts
                    .get(name)
                    .map(|c| (c.file, c.span))
                    .unwrap_or((0, Span::default()));
                if self.errors.len() >= MAX_DIAGNOSTICS {
                    self.suppressed += 1;
                    continue;
                }
                let mut d = Diagnostic::error("name-clash", self.src(file), span, msg);
                d = d.with_help("rename the constant");
                self.errors.push(d);
            }
        }
        // Pass 2: overrides in files, then from the caller.
        for &(file, ast) in files {
            self.file = file;
            for item in &ast.items {
                if let ItemKind::Override { name, value } = &item.kind {
                    self.apply_override(&name.node, &value.node, name.span, value.span);
                }
            }
        }
        for (name, value) in overrides {
            match self.consts.get_mut(name) {
                Some(c) if Vt::of_lit(&c.value).same_kind(&Vt::of_lit(value)) => {
                    c.value = value.clone();
                    c.overridden = true;
                }
                Some(c) => {
                    let msg = format!(
                        "override of `{name}` is {} but the constant is {}",
                        Vt::of_lit(value).describe(),
                        Vt::of_lit(&c.value).describe()
                    );
                    let (file, span) = (c.file, c.span);
                    self.errors.push(Diagnostic::error(
                        "type-mismatch",
                        self.src(file),
                        span,
                        msg,
                    ));
                }
                None => {
                    let names: Vec<&str> = self.const_order.iter().map(String::as_str).collect();
                    let help = did_you_mean(name, names).map(|s| format!("did you mean `{s}`?"));
                    let mut d = Diagnostic::error(
                        "unknown-name",
                        SourceRef {
                            name: "<command line>",
                            text: name,
                        },
                        Span::new(0, name.len()),
                        format!("there is no constant `{name}` to override"),
                    );
                    if let Some(h) = help {
                        d = d.with_help(h);
                    }
                    self.errors.push(d);
                }
            }
        }
        // Pass 3: rules.
        let mut rules = Vec::new();
        let mut ids: HashMap<String, (u32, Span)> = HashMap::new();
        for &(file, ast) in files {
            self.file = file;
            for item in &ast.items {
                if let ItemKind::Rule(rule) = &item.kind {
                    if let Some(&(pf, ps)) = ids.get(&rule.id.node) {
                        let at = self.src(pf);
                        let (line, _) = crate::diagnostic::line_col(at.text, ps.start);
                        self.error(
                            "duplicate",
                            rule.id.span,
                            format!("rule id `{}` is used twice", rule.id.node),
                            Some(format!(
                                "it is first used at {}:{line}; rule ids must be unique and stable",
                                at.name
                            )),
                        );
                        continue;
                    }
                    ids.insert(rule.id.node.clone(), (file, rule.id.span));
                    if let Some(r) = self.rule(rule, item.span) {
                        rules.push(r);
                    }
                }
            }
        }
        // Definitions never used by a rule are still compiled, so their mistakes show.
        let unused: Vec<(String, u32)> = self
            .def_order
            .iter()
            .filter(|d| !self.used.contains(&d.name))
            .map(|d| (d.name.clone(), d.file))
            .collect();
        for (name, file) in unused {
            if let Some(&(_, body, _)) = self.defs.get(&name) {
                self.file = file;
                self.def_stack.push(name.clone());
                let mut scopes = vec![Scope {
                    ty: &self.schema.root,
                    route: Vec::new(),
                    label: String::new(),
                }];
                let _ = self.cond(body, &mut scopes);
                self.def_stack.pop();
                self.used.remove(&name);
            }
        }
        if !self.errors.is_empty() {
            self.errors
                .sort_by(|a, b| (a.file.as_str(), a.start).cmp(&(b.file.as_str(), b.start)));
            if self.suppressed > 0 {
                let first = self
                    .errors
                    .first()
                    .map(|d| d.file.clone())
                    .unwrap_or_default();
                self.errors.push(
                    Diagnostic::error(
                        "too-many-errors",
                        SourceRef {
                            name: &first,
                            text: "",
                        },
                        Span::default(),
                        format!(
                            "{} more problem(s) not shown (at most {MAX_DIAGNOSTICS} are listed)",
                            self.suppressed
                        ),
                    )
                    .with_help("fix the problems above and compile again"),
                );
            }
            return Err(self.errors);
        }
        // Always read the plan id, so reports can name the plan.
        if let Some(f) = self.schema.root.fields.get("plan_id") {
            if matches!(f.ty, FieldType::Text { .. }) {
                let _ = mark(&mut self.shape, &[], &["plan_id".to_string()]);
            }
        }
        self.shape.finish();
        let consts = self
            .const_order
            .iter()
            .filter_map(|n| self.consts.get(n).cloned())
            .collect();
        Ok(Compiled {
            rules,
            shape: self.shape,
            consts,
            defs: self.def_order,
            used_names: self.used,
            read_paths: self.read_paths,
        })
    }

    pub(super) fn apply_override(
        &mut self,
        name: &str,
        value: &Literal,
        name_span: Span,
        value_span: Span,
    ) {
        match self.consts.get_mut(name) {
            Some(c) => {
                if Vt::of_lit(&c.value).same_kind(&Vt::of_lit(value)) {
                    c.value = value.clone();
                    c.overridden = true;
                } else {
                    let msg = format!(
                        "`{name}` is {} but this override is {}",
                        Vt::of_lit(&c.value).describe(),
                        Vt::of_lit(value).describe()
                    );
                    self.error(
                        "type-mismatch",
                        value_span,
                        msg,
                        Some("override a constant with a value of the same kind".into()),
                    );
                }
            }
            None => {
                let names: Vec<&str> = self.const_order.iter().map(String::as_str).collect();
                let help = did_you_mean(name, names)
                    .map(|s| format!("did you mean `{s}`?"))
                    .or_else(|| {
                        Some(
                            "declare it with `const` in the pack, or import the file that does"
                                .into(),
                        )
                    });
                self.error(
                    "unknown-name",
                    name_span,
                    format!("there is no constant `{name}` to override"),
                    help,
                );
            }
        }
    }

    pub(super) fn rule(&mut self, rule: &'s ast::Rule, span: Span) -> Option<CompiledRule> {
        let mut title = None;
        let mut theme = None;
        let mut kind = None;
        let mut severity = None;
        let mut learning = None;
        let mut when = None;
        let mut prompt = None;
        let mut next = Vec::new();
        for f in &rule.fields {
            let seen = match &f.kind {
                FieldKind::Title(s) => title.replace(s.node.clone()).is_some(),
                FieldKind::Theme(s) => theme.replace(s.node.clone()).is_some(),
                FieldKind::Kind(k) => kind.replace(k.node).is_some(),
                FieldKind::Severity(s) => severity.replace(s.node).is_some(),
                FieldKind::Learning { source, section } => learning
                    .replace(Learning {
                        source: source.node.clone(),
                        section: section.as_ref().map(|s| s.node.clone()),
                    })
                    .is_some(),
                FieldKind::When(e) => when.replace(e).is_some(),
                FieldKind::Prompt(s) => prompt.replace(s.node.clone()).is_some(),
                FieldKind::Next(s) => {
                    next.push(s.node.clone());
                    false
                }
            };
            if seen {
                self.error(
                    "duplicate",
                    f.span,
                    format!("rule `{}` has `{}` twice", rule.id.node, f.kind.keyword()),
                    Some("keep one of them".into()),
                );
            }
        }
        let mut missing = Vec::new();
        if title.is_none() {
            missing.push("title");
        }
        if theme.is_none() {
            missing.push("theme");
        }
        if kind.is_none() {
            missing.push("kind");
        }
        if severity.is_none() {
            missing.push("severity");
        }
        if when.is_none() {
            missing.push("when");
        }
        if prompt.is_none() {
            missing.push("prompt");
        }
        if !missing.is_empty() {
            let list = missing
                .iter()
                .map(|m| format!("`{m}`"))
                .collect::<Vec<_>>()
                .join(", ");
            self.error(
                "incomplete-rule",
                rule.id.span,
                format!("rule `{}` has no {list}", rule.id.node),
                Some(
                    "every rule needs `title`, `theme`, `kind`, `severity`, `when` and `prompt`"
                        .into(),
                ),
            );
        }
        let mut scopes = vec![Scope {
            ty: &self.schema.root,
            route: Vec::new(),
            label: String::new(),
        }];
        let cond = self.cond(when?, &mut scopes)?;
        let (title, theme, kind, severity, prompt) = (title?, theme?, kind?, severity?, prompt?);
        let text = Arc::new(crate::program::RuleText::new(
            rule.id.node.clone(),
            title,
            theme,
            kind,
            severity,
            learning,
            prompt,
            next,
        ));
        Some(CompiledRule {
            text,
            flat: super::flatten::flatten(&cond),
            cond,
            loc: Loc {
                file: self.file,
                span,
            },
        })
    }

    pub(super) fn mk(&mut self, span: Span, kind: CondKind) -> Cond {
        let id = self.id();
        Cond {
            id,
            loc: Loc {
                file: self.file,
                span,
            },
            cost: kind.cost(),
            kind,
        }
    }
}
