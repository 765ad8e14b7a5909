//! Conditions: each expression of a rule's `when` compiled to a [`Cond`],
//! with definitions expanded in place and quantifiers' scopes entered.

use std::sync::Arc;

use super::compiler::{Compiler, Scope, MAX_CONDITIONS, MAX_CONDITION_DEPTH};
use super::types::{lit_of, show_value, Vt};
use crate::ast::{self, DurationRef, ExprKind, Literal, Span, ValueKind};
use crate::date::Duration;
use crate::diagnostic::did_you_mean;
use crate::program::*;
use crate::schema::FieldType;

impl<'s> Compiler<'s> {
    pub(super) fn cond(&mut self, e: &'s ast::Expr, scopes: &mut Vec<Scope<'s>>) -> Option<Cond> {
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

    pub(super) fn cond_at(
        &mut self,
        e: &'s ast::Expr,
        scopes: &mut Vec<Scope<'s>>,
    ) -> Option<Cond> {
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

    pub(super) fn duration(&mut self, d: &ast::Spanned<DurationRef>) -> Option<Duration> {
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

    pub(super) fn bare(&mut self, v: &'s ast::Value, scopes: &mut Vec<Scope<'s>>) -> Option<Cond> {
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

    pub(super) fn expand(
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

    pub(super) fn in_element(
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
}
