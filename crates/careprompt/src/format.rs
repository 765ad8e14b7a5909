//! The canonical formatter: prints a syntax tree as a rules file.
//!
//! Formatting is idempotent and keeps meaning: parsing the output gives
//! back the same tree. Comments are kept; each is printed on its own line
//! above the item, field or condition line it belongs to.

use crate::ast::*;
use crate::date::Duration;

const INDENT: &str = "  ";
/// Lines longer than this break nested conditions over several lines.
const WIDTH: usize = 88;

/// Formats a parsed file.
pub fn print_file(file: &File) -> String {
    let mut out = String::new();
    if !file.header_comments.is_empty() {
        comments(&mut out, &file.header_comments, "");
        if !file.items.is_empty() {
            out.push('\n');
        }
    }
    let mut prev: Option<&ItemKind> = None;
    for item in &file.items {
        if let Some(p) = prev {
            let grouped = matches!(
                (p, &item.kind),
                (ItemKind::Import(_), ItemKind::Import(_))
                    | (ItemKind::Const { .. }, ItemKind::Const { .. })
                    | (ItemKind::Override { .. }, ItemKind::Override { .. })
            );
            if !grouped || !item.comments.is_empty() {
                out.push('\n');
            }
        }
        comments(&mut out, &item.comments, "");
        match &item.kind {
            ItemKind::Import(path) => {
                out.push_str("import ");
                out.push_str(&quote(&path.node));
                out.push('\n');
            }
            ItemKind::Const { name, value } => {
                out.push_str(&format!("const {} = {}\n", name.node, literal(&value.node)));
            }
            ItemKind::Override { name, value } => {
                out.push_str(&format!(
                    "override {} = {}\n",
                    name.node,
                    literal(&value.node)
                ));
            }
            ItemKind::Define { name, body } => {
                out.push_str(&format!("define {} =\n", name.node));
                chain(&mut out, body, 1);
            }
            ItemKind::Rule(rule) => {
                out.push_str(&format!("rule {} {{\n", rule.id.node));
                for f in &rule.fields {
                    comments(&mut out, &f.comments, INDENT);
                    out.push_str(INDENT);
                    match &f.kind {
                        FieldKind::Title(s) => out.push_str(&format!("title {}\n", quote(&s.node))),
                        FieldKind::Theme(s) => out.push_str(&format!("theme {}\n", quote(&s.node))),
                        FieldKind::Kind(k) => out.push_str(&format!("kind {}\n", k.node.as_str())),
                        FieldKind::Severity(s) => {
                            out.push_str(&format!("severity {}\n", s.node.as_str()))
                        }
                        FieldKind::Learning { source, section } => {
                            out.push_str(&format!("learning {}", quote(&source.node)));
                            if let Some(s) = section {
                                out.push_str(&format!(" section {}", quote(&s.node)));
                            }
                            out.push('\n');
                        }
                        FieldKind::When(e) => {
                            out.push_str("when\n");
                            chain(&mut out, e, 2);
                        }
                        FieldKind::Prompt(s) => {
                            out.push_str(&format!("prompt {}\n", quote(&s.node)))
                        }
                        FieldKind::Next(s) => out.push_str(&format!("next {}\n", quote(&s.node))),
                    }
                }
                out.push_str("}\n");
            }
        }
        prev = Some(&item.kind);
    }
    if !file.trailing_comments.is_empty() {
        if !file.items.is_empty() {
            out.push('\n');
        }
        comments(&mut out, &file.trailing_comments, "");
    }
    out
}

fn comments(out: &mut String, list: &[String], indent: &str) {
    for c in list {
        out.push_str(indent);
        if c.is_empty() {
            out.push_str("#\n");
        } else {
            out.push_str("# ");
            out.push_str(c);
            out.push('\n');
        }
    }
}

/// Prints a condition one operand per line at `depth` indents.
fn chain(out: &mut String, e: &Expr, depth: usize) {
    let pad = INDENT.repeat(depth);
    let (ops, word): (&[Expr], &str) = match &e.kind {
        ExprKind::And(ops) => (ops, "and "),
        ExprKind::Or(ops) => (ops, "or "),
        _ => (std::slice::from_ref(e), ""),
    };
    for (i, op) in ops.iter().enumerate() {
        comments(out, &op.comments, &pad);
        let prefix = if i == 0 { "" } else { word };
        line(out, op, &pad, prefix, depth);
    }
}

/// Prints one operand line, breaking brackets that would be too wide.
fn line(out: &mut String, e: &Expr, pad: &str, prefix: &str, depth: usize) {
    let inline = expr(e);
    if pad.len() + prefix.len() + inline.len() <= WIDTH || !breakable(e) {
        out.push_str(&format!("{pad}{prefix}{inline}\n"));
        return;
    }
    match &e.kind {
        ExprKind::Not(inner) => line(out, inner, pad, &format!("{prefix}not "), depth),
        ExprKind::Group(inner) => {
            out.push_str(&format!("{pad}{prefix}(\n"));
            chain(out, inner, depth + 1);
            out.push_str(&format!("{pad})\n"));
        }
        ExprKind::Quantified {
            quantifier,
            list,
            filter: Some(f),
        } => {
            out.push_str(&format!(
                "{pad}{prefix}{} {} where (\n",
                quantifier.as_str(),
                list.node.dotted()
            ));
            chain(out, f, depth + 1);
            out.push_str(&format!("{pad})\n"));
        }
        ExprKind::Compare {
            left:
                Value {
                    kind:
                        ValueKind::Count {
                            list,
                            filter: Some(f),
                        },
                    ..
                },
            op,
            right,
        } => {
            out.push_str(&format!(
                "{pad}{prefix}count {} where (\n",
                list.node.dotted()
            ));
            chain(out, f, depth + 1);
            out.push_str(&format!(
                "{pad}) {} {}\n",
                op.node.as_str(),
                value_to_string(right)
            ));
        }
        _ => out.push_str(&format!("{pad}{prefix}{inline}\n")),
    }
}

fn breakable(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Not(inner) => breakable(inner),
        ExprKind::Group(_) => true,
        ExprKind::Quantified { filter, .. } => filter.is_some(),
        ExprKind::Compare { left, .. } => matches!(
            &left.kind,
            ValueKind::Count {
                filter: Some(_),
                ..
            }
        ),
        _ => false,
    }
}

/// A condition on one line.
pub fn expr(e: &Expr) -> String {
    match &e.kind {
        ExprKind::And(ops) => ops.iter().map(expr).collect::<Vec<_>>().join(" and "),
        ExprKind::Or(ops) => ops.iter().map(expr).collect::<Vec<_>>().join(" or "),
        ExprKind::Not(inner) => format!("not {}", expr(inner)),
        ExprKind::Group(inner) => format!("({})", expr(inner)),
        ExprKind::Quantified {
            quantifier,
            list,
            filter,
        } => match filter {
            Some(f) => format!(
                "{} {} where ({})",
                quantifier.as_str(),
                list.node.dotted(),
                expr(f)
            ),
            None => format!("{} {}", quantifier.as_str(), list.node.dotted()),
        },
        ExprKind::Bare(v) => value_to_string(v),
        ExprKind::Compare { left, op, right } => {
            format!(
                "{} {} {}",
                value_to_string(left),
                op.node.as_str(),
                value_to_string(right)
            )
        }
        ExprKind::In {
            value,
            negated,
            list,
        } => {
            let items = list
                .node
                .iter()
                .map(|l| literal(&l.node))
                .collect::<Vec<_>>()
                .join(", ");
            let word = if *negated { "not in" } else { "in" };
            format!("{} {word} [{items}]", value_to_string(value))
        }
        ExprKind::Text { value, op, needle } => {
            let word = match op {
                TextOp::Contains => "contains",
                TextOp::StartsWith => "starts with",
            };
            format!(
                "{} {word} {}",
                value_to_string(value),
                value_to_string(needle)
            )
        }
        ExprKind::Presence { path, missing } => {
            format!(
                "{} {}",
                path.node.dotted(),
                if *missing { "missing" } else { "exists" }
            )
        }
        ExprKind::DateRelative {
            value,
            op,
            duration,
        } => {
            let d = match &duration.node {
                DurationRef::Literal(d) => duration_text(d),
                DurationRef::Named(n) => n.clone(),
            };
            match op {
                DateOp::Within => format!("{} within {d}", value_to_string(value)),
                DateOp::MoreThanAgo => format!("{} more than {d} ago", value_to_string(value)),
            }
        }
    }
}

/// A value as written.
pub fn value_to_string(v: &Value) -> String {
    match &v.kind {
        ValueKind::Literal(l) => literal(l),
        ValueKind::Path(p) => p.dotted(),
        ValueKind::Count { list, filter } => match filter {
            Some(f) => format!("count {} where ({})", list.node.dotted(), expr(f)),
            None => format!("count {}", list.node.dotted()),
        },
        ValueKind::Age(p) => format!("age of {}", p.node.dotted()),
    }
}

fn duration_text(d: &Duration) -> String {
    d.to_string()
}

/// A literal as written.
pub fn literal(l: &Literal) -> String {
    match l {
        Literal::Text(t) => quote(t),
        Literal::Number(n) => number(*n),
        Literal::Bool(b) => b.to_string(),
        Literal::Date(d) => d.to_string(),
        Literal::Duration(d) => duration_text(d),
    }
}

fn number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
