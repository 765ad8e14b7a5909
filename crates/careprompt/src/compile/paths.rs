//! Field paths: a path as written resolved against the schema and the
//! scopes it is used in, to slot numbers.

use std::sync::Arc;

use super::compiler::{Compiler, Scope};
use super::shape::mark;
use crate::ast::{self, Span};
use crate::diagnostic::did_you_mean;
use crate::program::*;
use crate::schema::{FieldType, ObjectType};

impl<'s> Compiler<'s> {
    /// The innermost scope whose object has the path's first field.
    pub(super) fn find_scope(&self, segments: &[String], scopes: &[Scope<'s>]) -> Option<usize> {
        let first = segments.first()?;
        scopes.iter().rposition(|s| s.ty.fields.contains_key(first))
    }

    /// Resolves `path` to an access and its schema type.
    pub(super) fn access(
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

    pub(super) fn unknown_first(&mut self, path: &ast::Spanned<ast::Path>, scopes: &[Scope<'s>]) {
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

    pub(super) fn list_access(
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
}
