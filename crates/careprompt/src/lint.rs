//! Lint: warnings about rules that compile but are probably not what was
//! meant: a rule that can never fire, a condition that is always true,
//! an unused definition or constant, a rule without a cited learning point,
//! next steps or a test.

use std::collections::{BTreeSet, HashMap};

use crate::ast::CmpOp;
use crate::diagnostic::{Diagnostic, SourceRef};
use crate::program::{Cond, CondKind, Lit, Operand};
use crate::ruleset::RuleSet;

/// The rule ids a rule test file states expectations for.
pub fn expected_rule_ids(test_toml: &str) -> Vec<String> {
    use toml::de::DeValue;
    let Ok(doc) = crate::toml_table::parse(test_toml) else {
        return Vec::new();
    };
    let mut ids = Vec::new();
    if let Some(DeValue::Array(cases)) = doc.get_ref().get("case").map(|v| v.get_ref()) {
        for c in cases.iter() {
            if let Some(DeValue::Table(expect)) = c
                .get_ref()
                .as_table()
                .and_then(|t| t.get("expect"))
                .map(|v| v.get_ref())
            {
                ids.extend(expect.keys().map(|k| k.get_ref().to_string()));
            }
        }
    }
    ids
}

/// Lints a compiled rule set. `tested` holds the rule ids that tests cover;
/// when given, rules outside it are warned about.
pub fn lint(rules: &RuleSet, tested: Option<&BTreeSet<String>>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let src = |file: u32| match rules.source_text(file) {
        Some(s) => SourceRef {
            name: &s.name,
            text: &s.text,
        },
        None => SourceRef { name: "", text: "" },
    };
    for c in &rules.consts {
        if !rules.used_names.contains(&c.name) {
            out.push(
                Diagnostic::warning(
                    "unused",
                    src(c.file),
                    c.span,
                    format!("constant `{}` is never used", c.name),
                )
                .with_help("use it in a rule or remove it"),
            );
        }
    }
    for d in &rules.defs {
        if !rules.used_names.contains(&d.name) {
            out.push(
                Diagnostic::warning(
                    "unused",
                    src(d.file),
                    d.span,
                    format!("definition `{}` is never used", d.name),
                )
                .with_help("use it in a rule or remove it"),
            );
        }
    }
    for r in rules.compiled_rules() {
        let s = src(r.loc.file);
        let id_span = crate::ast::Span::new(r.loc.span.start, r.loc.span.start + 4);
        match &r.text.learning {
            None => out.push(
                Diagnostic::warning(
                    "no-learning",
                    s,
                    id_span,
                    format!("rule `{}` cites no learning point", r.text.id),
                )
                .with_help("add `learning \"source document\" section \"section\"`"),
            ),
            Some(l) if l.section.is_none() => out.push(
                Diagnostic::warning(
                    "no-learning",
                    s,
                    id_span,
                    format!(
                        "rule `{}` cites no section of its learning point",
                        r.text.id
                    ),
                )
                .with_help("add `section \"...\"` after the source"),
            ),
            Some(_) => {}
        }
        if r.text.next_steps.is_empty() {
            out.push(
                Diagnostic::warning(
                    "no-next-steps",
                    s,
                    id_span,
                    format!("rule `{}` gives no next steps", r.text.id),
                )
                .with_help("add one or more `next \"...\"` lines the practitioner can act on"),
            );
        }
        if let Some(t) = tested {
            if !t.contains(r.text.id.as_str()) {
                out.push(
                    Diagnostic::warning("untested", s, id_span, format!("no test states an outcome for rule `{}`", r.text.id))
                        .with_help("add cases where it fires, stays clear and is unknown (docs/testing-rules.md)"),
                );
            }
        }
        if fold(&r.cond) == Some(false) {
            out.push(
                Diagnostic::warning(
                    "never-fires",
                    s,
                    id_span,
                    format!("rule `{}` can never fire", r.text.id),
                )
                .with_help("its condition is false whatever the plan holds; check the comparisons"),
            );
        }
        let mut always = Vec::new();
        always_true(&r.cond, &mut always);
        for c in always {
            out.push(
                Diagnostic::warning(
                    "always-true",
                    src(c.loc.file),
                    c.loc.span,
                    "this condition is always true",
                )
                .with_help(
                    "it does not depend on the plan; remove it or compare with what was meant",
                ),
            );
        }
        let mut never = Vec::new();
        contradictions(&r.cond, &mut never);
        for c in never {
            out.push(
                Diagnostic::warning(
                    "never-fires",
                    src(c.loc.file),
                    c.loc.span,
                    "these conditions contradict each other, so this part is never true",
                )
                .with_help("a field cannot be both; did you mean `or`?"),
            );
        }
    }
    // A pack's disabled rules are shown, never silent.
    out.extend(rules.pack_notes.iter().cloned());
    out
}

/// The value a condition has whatever the plan holds, if any.
fn fold(c: &Cond) -> Option<bool> {
    match &c.kind {
        CondKind::Const(b) => Some(*b),
        CondKind::Not(i) => fold(i).map(|b| !b),
        CondKind::Def { body, .. } => fold(body),
        CondKind::And(ops) => {
            let vals: Vec<Option<bool>> = ops.iter().map(fold).collect();
            if vals.contains(&Some(false)) {
                Some(false)
            } else if vals.iter().all(|v| *v == Some(true)) {
                Some(true)
            } else {
                None
            }
        }
        CondKind::Or(ops) => {
            let vals: Vec<Option<bool>> = ops.iter().map(fold).collect();
            if vals.contains(&Some(true)) {
                Some(true)
            } else if vals.iter().all(|v| *v == Some(false)) {
                Some(false)
            } else {
                None
            }
        }
        CondKind::Cmp {
            left: Operand::Lit(a),
            op,
            right: Operand::Lit(b),
        } => lit_cmp(a, *op, b),
        CondKind::Cmp {
            left: Operand::Count { .. },
            op,
            right: Operand::Lit(Lit::Num(n)),
        } => match op {
            CmpOp::Ge if *n <= 0.0 => Some(true),
            CmpOp::Lt if *n <= 0.0 => Some(false),
            _ => None,
        },
        _ => None,
    }
}

fn lit_cmp(a: &Lit, op: CmpOp, b: &Lit) -> Option<bool> {
    let ord = match (a, b) {
        (Lit::Num(x), Lit::Num(y)) => x.partial_cmp(y)?,
        (Lit::Text(x), Lit::Text(y)) => x.cmp(y),
        (Lit::Date(x), Lit::Date(y)) => x.cmp(y),
        (Lit::Bool(x), Lit::Bool(y)) => x.cmp(y),
        _ => return None,
    };
    use std::cmp::Ordering::*;
    Some(match op {
        CmpOp::Eq => ord == Equal,
        CmpOp::Ne => ord != Equal,
        CmpOp::Lt => ord == Less,
        CmpOp::Le => ord != Greater,
        CmpOp::Gt => ord == Greater,
        CmpOp::Ge => ord != Less,
    })
}

fn always_true<'c>(c: &'c Cond, out: &mut Vec<&'c Cond>) {
    if !matches!(c.kind, CondKind::Const(_)) && fold(c) == Some(true) {
        out.push(c);
        return;
    }
    match &c.kind {
        CondKind::And(ops) | CondKind::Or(ops) => ops.iter().for_each(|o| always_true(o, out)),
        CondKind::Not(i) | CondKind::Def { body: i, .. } => always_true(i, out),
        CondKind::Quant {
            filter: Some(f), ..
        } => always_true(f, out),
        _ => {}
    }
}

/// `and`s that ask one field for two things it cannot both be.
fn contradictions<'c>(c: &'c Cond, out: &mut Vec<&'c Cond>) {
    match &c.kind {
        CondKind::And(ops) => {
            // Per field: the range of numbers or dates allowed, and the text it must equal.
            let mut lo: HashMap<(bool, usize, &str), f64> = HashMap::new();
            let mut hi: HashMap<(bool, usize, &str), f64> = HashMap::new();
            let mut eq: HashMap<(bool, usize, &str), &Lit> = HashMap::new();
            let mut bad = false;
            for o in ops.iter() {
                if let CondKind::Cmp {
                    left: left @ (Operand::Access(a) | Operand::Age(a)),
                    op,
                    right: Operand::Lit(l),
                } = &o.kind
                {
                    let key = (matches!(left, Operand::Age(_)), a.scope, a.display.as_ref());
                    let n = match l {
                        Lit::Num(n) => Some(*n),
                        Lit::Date(d) => Some(f64::from(d.days())),
                        _ => None,
                    };
                    match (op, n) {
                        (CmpOp::Gt | CmpOp::Ge, Some(n)) => {
                            let e = lo.entry(key).or_insert(n);
                            *e = e.max(n);
                        }
                        (CmpOp::Lt | CmpOp::Le, Some(n)) => {
                            let e = hi.entry(key).or_insert(n);
                            *e = e.min(n);
                        }
                        (CmpOp::Eq, _) => {
                            if let Some(prev) = eq.insert(key, l) {
                                if prev != l {
                                    bad = true;
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            for (k, l) in &lo {
                if hi.get(k).is_some_and(|h| h < l) {
                    bad = true;
                }
            }
            if bad {
                out.push(c);
            }
            ops.iter().for_each(|o| contradictions(o, out));
        }
        CondKind::Or(ops) => ops.iter().for_each(|o| contradictions(o, out)),
        CondKind::Not(i) | CondKind::Def { body: i, .. } => contradictions(i, out),
        CondKind::Quant {
            filter: Some(f), ..
        } => contradictions(f, out),
        _ => {}
    }
}
