//! Syntax trees to a checked program: names resolved against the case-plan
//! schema, types checked, definitions expanded (and cycles refused),
//! constants and their overrides applied.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use crate::ast::{
    self, CmpOp, DurationRef, ExprKind, FieldKind, ItemKind, Literal, Span, ValueKind,
};
use crate::date::Duration;
use crate::diagnostic::{did_you_mean, Diagnostic, SourceRef};
use crate::program::*;
use crate::schema::{FieldType, ObjectType, Schema};

/// The deepest a compiled condition may nest, counting brackets, `not`s,
/// `where` clauses and the definitions it uses (each expanded in place).
pub const MAX_CONDITION_DEPTH: usize = 128;
/// The most conditions a rule set may compile to, with every use of a
/// definition expanded: definitions that use definitions twice over
/// would otherwise double the work at each step.
pub const MAX_CONDITIONS: usize = 1_000_000;
/// The most problems reported for one compilation; the rest are counted.
pub const MAX_DIAGNOSTICS: usize = 200;

/// A constant's value and where it was declared.
#[derive(Clone, Debug)]
pub(crate) struct ConstInfo {
    pub name: String,
    pub value: Literal,
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

/// A value type as the compiler sees it.
#[derive(Clone, Debug, PartialEq)]
enum Vt {
    Text(Option<Vec<String>>),
    Number,
    Bool,
    Date,
    Duration,
    List(Box<FieldType>),
    Object,
}

impl Vt {
    fn of(ty: &FieldType) -> Vt {
        match ty {
            FieldType::Text { values } => Vt::Text(values.clone()),
            FieldType::Number { .. } => Vt::Number,
            FieldType::Bool => Vt::Bool,
            FieldType::Date => Vt::Date,
            FieldType::List(e) => Vt::List(e.clone()),
            FieldType::Object(_) => Vt::Object,
        }
    }

    fn of_lit(l: &Literal) -> Vt {
        match l {
            Literal::Text(_) => Vt::Text(None),
            Literal::Number(_) => Vt::Number,
            Literal::Bool(_) => Vt::Bool,
            Literal::Date(_) => Vt::Date,
            Literal::Duration(_) => Vt::Duration,
        }
    }

    fn describe(&self) -> &'static str {
        match self {
            Vt::Text(_) => "text",
            Vt::Number => "a number",
            Vt::Bool => "true or false",
            Vt::Date => "a date",
            Vt::Duration => "a duration",
            Vt::List(_) => "a list",
            Vt::Object => "a group of fields",
        }
    }

    fn same_kind(&self, other: &Vt) -> bool {
        matches!(
            (self, other),
            (Vt::Text(_), Vt::Text(_))
                | (Vt::Number, Vt::Number)
                | (Vt::Bool, Vt::Bool)
                | (Vt::Date, Vt::Date)
                | (Vt::Duration, Vt::Duration)
        )
    }
}

struct Scope<'s> {
    ty: &'s ObjectType,
    /// Names from the plan root to this scope's object (list fields included).
    route: Vec<String>,
    /// The list path as written, for messages.
    label: String,
}

pub(crate) struct Compiler<'s> {
    schema: &'s Schema,
    sources: &'s [SourceFile],
    shape: ShapeObj,
    consts: HashMap<String, ConstInfo>,
    const_order: Vec<String>,
    defs: HashMap<String, (u32, &'s ast::Expr, Span)>,
    def_order: Vec<DefInfo>,
    def_stack: Vec<String>,
    used: BTreeSet<String>,
    read_paths: BTreeSet<String>,
    errors: Vec<Diagnostic>,
    /// Problems found after [`MAX_DIAGNOSTICS`], counted but not built.
    suppressed: usize,
    file: u32,
    next_id: u32,
    /// How deep the condition being compiled nests so far.
    depth: usize,
    /// A limit (depth or size) has been reported; later hits stay quiet.
    limit_reported: bool,
}

type Parsed<'s> = (u32, &'s ast::File);

fn lit_of(l: &Literal) -> Option<Lit> {
    Some(match l {
        Literal::Text(t) => Lit::Text(Arc::from(t.as_str())),
        Literal::Number(n) => Lit::Num(*n),
        Literal::Bool(b) => Lit::Bool(*b),
        Literal::Date(d) => Lit::Date(*d),
        Literal::Duration(_) => return None,
    })
}

fn shape_of(ty: &FieldType) -> ShapeTy {
    match ty {
        FieldType::Text { values } => ShapeTy::Text(
            values
                .as_ref()
                .map(|v| v.iter().map(|s| s.as_str().into()).collect()),
        ),
        FieldType::Number { integer } => ShapeTy::Number { integer: *integer },
        FieldType::Bool => ShapeTy::Bool,
        FieldType::Date => ShapeTy::Date,
        FieldType::List(e) => ShapeTy::List(Box::new(shape_of(e))),
        FieldType::Object(o) => ShapeTy::Object(shape_obj(o)),
    }
}

fn shape_obj(o: &ObjectType) -> ShapeObj {
    ShapeObj::new(
        o.fields
            .iter()
            .map(|(name, f)| ShapeField {
                name: name.as_str().into(),
                slot: None,
                ty: shape_of(&f.ty),
            })
            .collect(),
    )
}

/// Gives field `name` of `obj` a slot if it has none; returns the slot and
/// the field's position.
fn slot_of(obj: &mut ShapeObj, name: &str) -> Option<(u16, usize)> {
    let i = obj.position(name)?;
    let next = obj.slots;
    let f = obj.fields.get_mut(i)?;
    let slot = match f.slot {
        Some(s) => s,
        None => {
            f.slot = Some(next);
            obj.slots = next.saturating_add(1);
            next
        }
    };
    Some((slot, i))
}

/// The object a field leads to, through any lists.
fn object_in(ty: &mut ShapeTy) -> Option<&mut ShapeObj> {
    match ty {
        ShapeTy::Object(o) => Some(o),
        ShapeTy::List(e) => object_in(e),
        _ => None,
    }
}

/// Marks the fields along `route` then `names` as read and returns the
/// slots of `names`.
fn mark(shape: &mut ShapeObj, route: &[String], names: &[String]) -> Vec<u16> {
    let mut obj = shape;
    for name in route {
        let Some((_, i)) = slot_of(obj, name) else {
            return Vec::new();
        };
        let Some(next) = obj.fields.get_mut(i).and_then(|f| object_in(&mut f.ty)) else {
            return Vec::new();
        };
        obj = next;
    }
    let mut slots = Vec::with_capacity(names.len());
    for (k, name) in names.iter().enumerate() {
        let Some((slot, i)) = slot_of(obj, name) else {
            break;
        };
        slots.push(slot);
        if k + 1 == names.len() {
            break;
        }
        let Some(next) = obj.fields.get_mut(i).and_then(|f| match &mut f.ty {
            ShapeTy::Object(o) => Some(o),
            _ => None,
        }) else {
            break;
        };
        obj = next;
    }
    slots
}

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

    fn src(&self, file: u32) -> SourceRef<'s> {
        match self.sources.get(file as usize) {
            Some(s) => SourceRef {
                name: &s.name,
                text: &s.text,
            },
            None => SourceRef { name: "", text: "" },
        }
    }

    fn error(&mut self, code: &'static str, span: Span, message: String, help: Option<String>) {
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
    fn full(&mut self) -> bool {
        if self.errors.len() >= MAX_DIAGNOSTICS {
            self.suppressed += 1;
            return true;
        }
        false
    }

    fn id(&mut self) -> u32 {
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

    fn apply_override(&mut self, name: &str, value: &Literal, name_span: Span, value_span: Span) {
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

    fn rule(&mut self, rule: &'s ast::Rule, span: Span) -> Option<CompiledRule> {
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
        let text = Arc::new(crate::report::RuleText::new(
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
            cond,
            loc: Loc {
                file: self.file,
                span,
            },
        })
    }

    fn mk(&mut self, span: Span, kind: CondKind) -> Cond {
        let id = self.id();
        Cond {
            id,
            loc: Loc {
                file: self.file,
                span,
            },
            kind,
        }
    }

    fn cond(&mut self, e: &'s ast::Expr, scopes: &mut Vec<Scope<'s>>) -> Option<Cond> {
        if self.depth >= MAX_CONDITION_DEPTH || self.next_id as usize >= MAX_CONDITIONS {
            if !self.limit_reported {
                self.limit_reported = true;
                let (message, help) = if self.depth >= MAX_CONDITION_DEPTH {
                    (
                        format!("this condition nests more than {MAX_CONDITION_DEPTH} levels deep, counting the definitions it uses"),
                        "split it into definitions that do not use each other so deeply, or simplify it",
                    )
                } else {
                    (
                        format!("the rules expand to more than {MAX_CONDITIONS} conditions once definitions are written out"),
                        "a definition that uses another definition several times doubles its size at each step; simplify them",
                    )
                };
                self.error("too-deep", e.span, message, Some(help.into()));
            }
            return None;
        }
        self.depth += 1;
        let c = self.cond_at(e, scopes);
        self.depth -= 1;
        c
    }

    fn cond_at(&mut self, e: &'s ast::Expr, scopes: &mut Vec<Scope<'s>>) -> Option<Cond> {
        let span = e.span;
        match &e.kind {
            ExprKind::And(ops) | ExprKind::Or(ops) => {
                let mut out = Vec::with_capacity(ops.len());
                let mut ok = true;
                for op in ops {
                    match self.cond(op, scopes) {
                        Some(c) => out.push(c),
                        None => ok = false,
                    }
                }
                if !ok {
                    return None;
                }
                let kind = if matches!(e.kind, ExprKind::And(_)) {
                    CondKind::And(out.into())
                } else {
                    CondKind::Or(out.into())
                };
                Some(self.mk(span, kind))
            }
            ExprKind::Not(inner) => {
                let c = self.cond(inner, scopes)?;
                Some(self.mk(span, CondKind::Not(Box::new(c))))
            }
            ExprKind::Group(inner) => self.cond(inner, scopes),
            ExprKind::Quantified {
                quantifier,
                list,
                filter,
            } => {
                let (access, elem) = self.list_access(list, scopes)?;
                let filter = match filter {
                    Some(f) => Some(Box::new(self.in_element(list, elem, f, scopes)?)),
                    None => None,
                };
                Some(self.mk(
                    span,
                    CondKind::Quant {
                        q: *quantifier,
                        list: access,
                        filter,
                    },
                ))
            }
            ExprKind::Bare(v) => self.bare(v, scopes),
            ExprKind::Compare { left, op, right } => {
                let (l, lt) = self.operand(left, scopes)?;
                let (r, rt) = self.operand(right, scopes)?;
                self.check_compare(&lt, &rt, op.node, left, right, op.span)?;
                Some(self.mk(
                    span,
                    CondKind::Cmp {
                        left: l,
                        op: op.node,
                        right: r,
                    },
                ))
            }
            ExprKind::In {
                value,
                negated,
                list,
            } => {
                let (v, vt) = self.operand(value, scopes)?;
                let mut set = Vec::new();
                for lit in &list.node {
                    let lt = Vt::of_lit(&lit.node);
                    if !vt.same_kind(&lt) || matches!(lt, Vt::Duration) {
                        self.error(
                            "type-mismatch",
                            lit.span,
                            format!(
                                "this list holds {} but `{}` is {}",
                                lt.describe(),
                                show_value(value),
                                vt.describe()
                            ),
                            Some("list values of the same kind as the field".into()),
                        );
                        return None;
                    }
                    self.check_enum(&vt, &lit.node, lit.span)?;
                    set.extend(lit_of(&lit.node));
                }
                Some(self.mk(
                    span,
                    CondKind::In {
                        value: v,
                        set: set.into(),
                        negated: *negated,
                    },
                ))
            }
            ExprKind::Text { value, op, needle } => {
                let (v, vt) = self.operand(value, scopes)?;
                let (n, nt) = self.operand(needle, scopes)?;
                let text_list =
                    matches!(&vt, Vt::List(e) if matches!(e.as_ref(), FieldType::Text { .. }));
                if !matches!(vt, Vt::Text(_)) && !text_list {
                    self.error(
                        "type-mismatch",
                        value.span,
                        format!(
                            "`{}` is {}; `contains` and `starts with` apply to text",
                            show_value(value),
                            vt.describe()
                        ),
                        Some("use `=` or `in` for other kinds of value".into()),
                    );
                    return None;
                }
                if text_list && *op == ast::TextOp::StartsWith {
                    self.error(
                        "type-mismatch",
                        value.span,
                        format!(
                            "`{}` is a list; `starts with` applies to text",
                            show_value(value)
                        ),
                        Some("use `contains` to ask whether the list holds a value".into()),
                    );
                    return None;
                }
                if !matches!(nt, Vt::Text(_)) {
                    self.error(
                        "type-mismatch",
                        needle.span,
                        format!("expected text to search for, found {}", nt.describe()),
                        Some("put the text in double quotes".into()),
                    );
                    return None;
                }
                if text_list {
                    if let (Vt::List(e), ValueKind::Literal(lit)) = (&vt, &needle.kind) {
                        self.check_enum(&Vt::of(e), lit, needle.span)?;
                    }
                }
                // Literal needles are matched case-insensitively: store them lowercased.
                let n = match n {
                    Operand::Lit(Lit::Text(t)) => {
                        Operand::Lit(Lit::Text(Arc::from(t.to_lowercase().as_str())))
                    }
                    other => other,
                };
                Some(self.mk(
                    span,
                    CondKind::Text {
                        value: v,
                        op: *op,
                        needle: n,
                    },
                ))
            }
            ExprKind::Presence { path, missing } => {
                let (access, _) = self.access(path, scopes)?;
                Some(self.mk(
                    span,
                    CondKind::Present {
                        access,
                        missing: *missing,
                    },
                ))
            }
            ExprKind::DateRelative {
                value,
                op,
                duration,
            } => {
                let (v, vt) = self.operand(value, scopes)?;
                if vt != Vt::Date {
                    self.error(
                        "type-mismatch",
                        value.span,
                        format!(
                            "`{}` is {}; `within` and `more than ... ago` apply to dates",
                            show_value(value),
                            vt.describe()
                        ),
                        Some("use a date field, such as `education.pep.last_reviewed`".into()),
                    );
                    return None;
                }
                let d = self.duration(duration)?;
                Some(self.mk(
                    span,
                    CondKind::DateRel {
                        value: v,
                        op: *op,
                        duration: d,
                    },
                ))
            }
        }
    }

    fn duration(&mut self, d: &ast::Spanned<DurationRef>) -> Option<Duration> {
        match &d.node {
            DurationRef::Literal(x) => Some(*x),
            DurationRef::Named(name) => match self.consts.get(name).map(|c| c.value.clone()) {
                Some(Literal::Duration(x)) => {
                    self.used.insert(name.clone());
                    Some(x)
                }
                Some(other) => {
                    self.error(
                        "type-mismatch",
                        d.span,
                        format!(
                            "constant `{name}` is {}, not a duration",
                            Vt::of_lit(&other).describe()
                        ),
                        Some("declare it as a duration, such as `const name = 6 months`".into()),
                    );
                    None
                }
                None => {
                    let names: Vec<&str> = self.const_order.iter().map(String::as_str).collect();
                    let help = did_you_mean(name, names)
                        .map(|s| format!("did you mean `{s}`?"))
                        .unwrap_or_else(|| {
                            "write a duration such as `6 months`, or declare a constant".into()
                        });
                    self.error(
                        "unknown-name",
                        d.span,
                        format!("unknown constant `{name}`"),
                        Some(help),
                    );
                    None
                }
            },
        }
    }

    fn bare(&mut self, v: &'s ast::Value, scopes: &mut Vec<Scope<'s>>) -> Option<Cond> {
        if let ValueKind::Path(p) = &v.kind {
            if let [single] = p.segments.as_slice() {
                if !scopes.iter().any(|s| s.ty.fields.contains_key(single)) {
                    if let Some(&(file, body, _)) = self.defs.get(single) {
                        return self.expand(single, file, body, v.span, scopes);
                    }
                }
            }
        }
        let (op, vt) = self.operand(v, scopes)?;
        if vt != Vt::Bool {
            let shown = show_value(v);
            let help = match vt {
                Vt::Text(_) => format!("compare it with a value: `{shown} = \"...\"`"),
                Vt::Date => format!("compare it with a date, or use `{shown} within 6 months`"),
                Vt::List(_) => format!("use `any {shown}`, `count {shown}` or `{shown} exists`"),
                Vt::Object => format!("use `{shown} exists` or `{shown} missing`"),
                _ => format!("compare it with a value: `{shown} >= 1`"),
            };
            self.error(
                "type-mismatch",
                v.span,
                format!("`{shown}` is {}, not a condition", vt.describe()),
                Some(help),
            );
            return None;
        }
        if let Operand::Lit(Lit::Bool(b)) = op {
            return Some(self.mk(v.span, CondKind::Const(b)));
        }
        Some(self.mk(v.span, CondKind::Truthy(op)))
    }

    fn expand(
        &mut self,
        name: &str,
        file: u32,
        body: &'s ast::Expr,
        use_span: Span,
        scopes: &mut Vec<Scope<'s>>,
    ) -> Option<Cond> {
        if self.def_stack.iter().any(|d| d == name) {
            let chain = self
                .def_stack
                .iter()
                .skip_while(|d| d.as_str() != name)
                .map(|d| format!("`{d}`"))
                .collect::<Vec<_>>()
                .join(" -> ");
            self.error(
                "cycle",
                use_span,
                format!("definition `{name}` refers to itself ({chain} -> `{name}`)"),
                Some("a definition cannot use itself, directly or through others; write the condition out".into()),
            );
            return None;
        }
        self.used.insert(name.to_string());
        self.def_stack.push(name.to_string());
        let saved = self.file;
        self.file = file;
        let body = self.cond(body, scopes);
        self.file = saved;
        self.def_stack.pop();
        let body = body?;
        Some(self.mk(
            use_span,
            CondKind::Def {
                name: Arc::from(name),
                body: Box::new(body),
            },
        ))
    }

    fn in_element(
        &mut self,
        list: &ast::Spanned<ast::Path>,
        elem: &'s FieldType,
        filter: &'s ast::Expr,
        scopes: &mut Vec<Scope<'s>>,
    ) -> Option<Cond> {
        let FieldType::Object(obj) = elem else {
            self.error(
                "type-mismatch",
                list.span,
                format!(
                    "the elements of `{}` are {}, not records with fields",
                    list.node.dotted(),
                    elem.describe()
                ),
                Some(format!(
                    "use `{} contains \"...\"` to ask whether the list holds a value",
                    list.node.dotted()
                )),
            );
            return None;
        };
        let scope_idx = self.find_scope(&list.node.segments, scopes)?;
        let parent = scopes.get(scope_idx)?;
        let mut route = parent.route.clone();
        route.extend(list.node.segments.iter().cloned());
        let label = if parent.label.is_empty() {
            list.node.dotted()
        } else {
            format!("{}[].{}", parent.label, list.node.dotted())
        };
        scopes.push(Scope {
            ty: obj,
            route,
            label,
        });
        let c = self.cond(filter, scopes);
        scopes.pop();
        c
    }

    /// The innermost scope whose object has the path's first field.
    fn find_scope(&self, segments: &[String], scopes: &[Scope<'s>]) -> Option<usize> {
        let first = segments.first()?;
        scopes.iter().rposition(|s| s.ty.fields.contains_key(first))
    }

    /// Resolves `path` to an access and its schema type.
    fn access(
        &mut self,
        path: &ast::Spanned<ast::Path>,
        scopes: &[Scope<'s>],
    ) -> Option<(Access, &'s FieldType)> {
        let segs = &path.node.segments;
        let Some(scope_idx) = self.find_scope(segs, scopes) else {
            self.unknown_first(path, scopes);
            return None;
        };
        let scope = scopes.get(scope_idx)?;
        let mut obj: &'s ObjectType = scope.ty;
        let mut ty: Option<&'s FieldType> = None;
        let mut offset = path.span.start;
        for (i, seg) in segs.iter().enumerate() {
            if let Some(prev) = ty {
                match prev {
                    FieldType::Object(o) => obj = o,
                    FieldType::List(_) => {
                        let so_far = segs.get(..i).unwrap_or_default().join(".");
                        self.error(
                            "list-path",
                            Span::new(path.span.start, offset.saturating_sub(1)),
                            format!(
                                "`{so_far}` is a list, so `{}` has no single value",
                                path.node.dotted()
                            ),
                            Some(format!(
                                "ask about its elements: `any {so_far} where ({seg} ...)`"
                            )),
                        );
                        return None;
                    }
                    other => {
                        let so_far = segs.get(..i).unwrap_or_default().join(".");
                        self.error(
                            "unknown-field",
                            Span::new(offset, offset + seg.len()),
                            format!(
                                "`{so_far}` is {} and has no field `{seg}`",
                                other.describe()
                            ),
                            Some(format!("use `{so_far}` on its own")),
                        );
                        return None;
                    }
                }
            }
            match obj.fields.get(seg) {
                Some(f) => ty = Some(&f.ty),
                None => {
                    let prefix = segs.get(..i).unwrap_or_default().join(".");
                    let suggestion = did_you_mean(seg, obj.fields.keys().map(String::as_str));
                    let full = |s: &str| {
                        if prefix.is_empty() {
                            s.to_string()
                        } else {
                            format!("{prefix}.{s}")
                        }
                    };
                    let help = match suggestion {
                        Some(s) => format!("did you mean `{}`?", full(s)),
                        None => format!(
                            "fields here are: {}",
                            obj.fields
                                .keys()
                                .take(12)
                                .map(|k| format!("`{}`", full(k)))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    };
                    self.error(
                        "unknown-field",
                        Span::new(offset, offset + seg.len()),
                        format!("unknown field `{}`", full(seg)),
                        Some(help),
                    );
                    return None;
                }
            }
            offset += seg.len() + 1;
        }
        let ty = ty?;
        let slots = mark(&mut self.shape, &scope.route, segs);
        let display = path.node.dotted();
        let full_path = if scope.label.is_empty() {
            display.clone()
        } else {
            format!("{}[].{display}", scope.label)
        };
        self.read_paths.insert(full_path);
        Some((
            Access {
                scope: scope_idx,
                slots: slots.into(),
                display: Arc::from(display.as_str()),
            },
            ty,
        ))
    }

    fn unknown_first(&mut self, path: &ast::Spanned<ast::Path>, scopes: &[Scope<'s>]) {
        let first = path.node.segments.first().cloned().unwrap_or_default();
        let mut names: Vec<String> = Vec::new();
        for s in scopes {
            names.extend(s.ty.fields.keys().cloned());
        }
        let single = path.node.segments.len() == 1;
        if single {
            names.extend(self.defs.keys().cloned());
            names.extend(self.const_order.iter().cloned());
        }
        let help = match did_you_mean(&first, names.iter().map(String::as_str)) {
            Some(s) => {
                let rest: Vec<&str> = path.node.segments.iter().skip(1).map(String::as_str).collect();
                let full = if rest.is_empty() { s.to_string() } else { format!("{s}.{}", rest.join(".")) };
                format!("did you mean `{full}`?")
            }
            None if scopes.len() > 1 => "inside `where (...)` names refer to the list element's fields, then to the plan's".into(),
            None => "field paths start with a top-level group of the plan, such as `child`, `placements` or `education`".into(),
        };
        let what = if single { "name" } else { "field" };
        self.error(
            "unknown-field",
            Span::new(path.span.start, path.span.start + first.len()),
            format!("unknown {what} `{first}`"),
            Some(help),
        );
    }

    fn list_access(
        &mut self,
        list: &ast::Spanned<ast::Path>,
        scopes: &[Scope<'s>],
    ) -> Option<(Access, &'s FieldType)> {
        let (access, ty) = self.access(list, scopes)?;
        match ty {
            FieldType::List(elem) => Some((access, elem.as_ref())),
            other => {
                self.error(
                    "type-mismatch",
                    list.span,
                    format!(
                        "`{}` is {}, not a list",
                        list.node.dotted(),
                        other.describe()
                    ),
                    Some("`any`, `all`, `none` and `count` apply to lists".into()),
                );
                None
            }
        }
    }

    fn operand(&mut self, v: &'s ast::Value, scopes: &mut Vec<Scope<'s>>) -> Option<(Operand, Vt)> {
        match &v.kind {
            ValueKind::Literal(l) => match lit_of(l) {
                Some(lit) => Some((Operand::Lit(lit), Vt::of_lit(l))),
                None => {
                    self.error(
                        "type-mismatch",
                        v.span,
                        "a duration can only follow `within` or `more than`".into(),
                        Some(
                            "write `DATE within 6 months` or `DATE more than 6 months ago`".into(),
                        ),
                    );
                    None
                }
            },
            ValueKind::Path(p) => {
                if let [single] = p.segments.as_slice() {
                    if !scopes.iter().any(|s| s.ty.fields.contains_key(single)) {
                        if let Some(c) = self.consts.get(single).cloned() {
                            self.used.insert(single.clone());
                            return match lit_of(&c.value) {
                                Some(lit) => Some((Operand::Lit(lit), Vt::of_lit(&c.value))),
                                None => {
                                    self.error(
                                        "type-mismatch",
                                        v.span,
                                        format!("constant `{single}` is a duration, usable only after `within` or `more than`"),
                                        Some(format!("write `DATE within {single}`")),
                                    );
                                    None
                                }
                            };
                        }
                        if self.defs.contains_key(single) {
                            self.error(
                                "type-mismatch",
                                v.span,
                                format!("`{single}` is a definition (a condition), not a value"),
                                Some(format!("use it on its own: `{single}` or `not {single}`")),
                            );
                            return None;
                        }
                    }
                }
                let spanned = ast::Spanned::new(p.clone(), v.span);
                let (access, ty) = self.access(&spanned, scopes)?;
                Some((Operand::Access(access), Vt::of(ty)))
            }
            ValueKind::Count { list, filter } => {
                let (access, elem) = self.list_access(list, scopes)?;
                let filter = match filter {
                    Some(f) => Some(Box::new(self.in_element(list, elem, f, scopes)?)),
                    None => None,
                };
                Some((
                    Operand::Count {
                        list: access,
                        filter,
                    },
                    Vt::Number,
                ))
            }
            ValueKind::Age(path) => {
                let (access, ty) = self.access(path, scopes)?;
                if *ty != FieldType::Date {
                    self.error(
                        "type-mismatch",
                        path.span,
                        format!(
                            "`age of` needs a date, and `{}` is {}",
                            path.node.dotted(),
                            ty.describe()
                        ),
                        Some("use a date of birth, such as `age of child.date_of_birth`".into()),
                    );
                    return None;
                }
                Some((Operand::Age(access), Vt::Number))
            }
        }
    }

    fn check_enum(&mut self, vt: &Vt, lit: &Literal, span: Span) -> Option<()> {
        if let (Vt::Text(Some(values)), Literal::Text(t)) = (vt, lit) {
            if !values.iter().any(|v| v == t) {
                let help = match did_you_mean(t, values.iter().map(String::as_str)) {
                    Some(s) => format!("did you mean \"{s}\"?"),
                    None => format!(
                        "the schema allows: {}",
                        values
                            .iter()
                            .take(16)
                            .map(|v| format!("\"{v}\""))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                self.error(
                    "unknown-value",
                    span,
                    format!("\"{t}\" is not a value this field can hold"),
                    Some(help),
                );
                return None;
            }
        }
        Some(())
    }

    fn check_compare(
        &mut self,
        lt: &Vt,
        rt: &Vt,
        op: CmpOp,
        left: &ast::Value,
        right: &ast::Value,
        op_span: Span,
    ) -> Option<()> {
        if !lt.same_kind(rt) || matches!(lt, Vt::Duration | Vt::List(_) | Vt::Object) {
            let help = match (lt, rt) {
                (Vt::Date, Vt::Text(_)) | (Vt::Text(_), Vt::Date) => "write dates without quotes: 2024-09-01".to_string(),
                (Vt::Date, Vt::Number) | (Vt::Number, Vt::Date) => {
                    "compare a date with a date (2024-09-01), or use `within 6 months` / `more than 6 months ago`".to_string()
                }
                (Vt::List(_), _) | (_, Vt::List(_)) => "use `count LIST` to compare a list's length".to_string(),
                (Vt::Bool, Vt::Text(_)) | (Vt::Text(_), Vt::Bool) => "write true and false without quotes".to_string(),
                (Vt::Duration, _) | (_, Vt::Duration) => {
                    "use a duration after `within` or `more than`: `start_date within 6 months`".to_string()
                }
                _ => "compare values of the same kind".to_string(),
            };
            self.error(
                "type-mismatch",
                Span::new(left.span.start, right.span.end),
                format!(
                    "cannot compare {} (`{}`) with {} (`{}`)",
                    lt.describe(),
                    show_value(left),
                    rt.describe(),
                    show_value(right)
                ),
                Some(help),
            );
            return None;
        }
        if matches!(lt, Vt::Text(_) | Vt::Bool) && !matches!(op, CmpOp::Eq | CmpOp::Ne) {
            self.error(
                "type-mismatch",
                op_span,
                format!("`{}` does not apply to {}", op.as_str(), lt.describe()),
                Some("use `=` or `!=` (or `in [...]`)".into()),
            );
            return None;
        }
        if let ValueKind::Literal(l) = &right.kind {
            self.check_enum(lt, l, right.span)?;
        }
        if let ValueKind::Literal(l) = &left.kind {
            self.check_enum(rt, l, left.span)?;
        }
        Some(())
    }
}

fn show_value(v: &ast::Value) -> String {
    crate::format::value_to_string(v)
}
