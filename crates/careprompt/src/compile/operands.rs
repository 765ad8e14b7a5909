//! Operands and comparisons: each side of a comparison compiled and the
//! two type-checked against each other.

use super::compiler::{Compiler, Scope};
use super::types::{lit_of, show_value, Vt};
use crate::ast::{self, CmpOp, Literal, Span, ValueKind};
use crate::diagnostic::did_you_mean;
use crate::program::*;
use crate::schema::FieldType;

impl<'s> Compiler<'s> {
    pub(super) fn operand(
        &mut self,
        v: &'s ast::Value,
        scopes: &mut Vec<Scope<'s>>,
    ) -> Option<(Operand, Vt)> {
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

    pub(super) fn check_enum(&mut self, vt: &Vt, lit: &Literal, span: Span) -> Option<()> {
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

    pub(super) fn check_compare(
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
