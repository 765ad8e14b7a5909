//! The formatter: canonical output, idempotent, meaning-preserving
//! (parse(print(ast)) == ast on generated rules), and comments kept.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use careprompt::ast::*;
use careprompt::date::{Date, Duration, Unit};
use careprompt::{format_source, parse_source};
use proptest::prelude::*;

const KEYWORDS: &[&str] = &[
    "import", "const", "override", "define", "rule", "and", "or", "not", "any", "all", "none",
    "where", "count", "age", "of", "in", "contains", "starts", "with", "exists", "missing",
    "within", "more", "than", "ago", "true", "false",
];

fn ident() -> impl Strategy<Value = String> {
    "[a-z][a-z_]{0,7}".prop_filter("not a keyword", |s| !KEYWORDS.contains(&s.as_str()))
}

fn path() -> impl Strategy<Value = Path> {
    prop::collection::vec(ident(), 1..4).prop_map(|segments| Path { segments })
}

fn sp<T>(node: T) -> Spanned<T> {
    Spanned::new(node, Span::default())
}

fn text() -> impl Strategy<Value = String> {
    // Printable text, with the characters that need escaping.
    "[a-zA-Z0-9 ,.'\"\\\\\t£é-]{0,20}"
}

fn duration() -> impl Strategy<Value = Duration> {
    (
        0u32..100,
        prop_oneof![
            Just(Unit::Day),
            Just(Unit::Week),
            Just(Unit::Month),
            Just(Unit::Term),
            Just(Unit::Year)
        ],
    )
        .prop_map(|(amount, unit)| Duration { amount, unit })
}

fn literal() -> impl Strategy<Value = Literal> {
    prop_oneof![
        text().prop_map(Literal::Text),
        (-100_000i64..100_000).prop_map(|n| Literal::Number(n as f64)),
        (-100_000i64..100_000).prop_map(|n| Literal::Number(n as f64 / 100.0)),
        any::<bool>().prop_map(Literal::Bool),
        (1900i32..2100, 1u32..13, 1u32..29)
            .prop_map(|(y, m, d)| Literal::Date(Date::from_ymd(y, m, d).unwrap())),
        duration().prop_map(Literal::Duration),
    ]
}

fn value(expr: BoxedStrategy<Expr>) -> impl Strategy<Value = Value> {
    prop_oneof![
        literal().prop_map(ValueKind::Literal),
        path().prop_map(ValueKind::Path),
        (path(), prop::option::of(expr)).prop_map(|(p, f)| ValueKind::Count {
            list: sp(p),
            filter: f.map(Box::new)
        }),
        path().prop_map(|p| ValueKind::Age(sp(p))),
    ]
    .prop_map(|kind| Value {
        kind,
        span: Span::default(),
    })
}

fn e(kind: ExprKind) -> Expr {
    Expr {
        comments: Vec::new(),
        kind,
        span: Span::default(),
    }
}

fn cmp_op() -> impl Strategy<Value = CmpOp> {
    prop_oneof![
        Just(CmpOp::Eq),
        Just(CmpOp::Ne),
        Just(CmpOp::Lt),
        Just(CmpOp::Le),
        Just(CmpOp::Gt),
        Just(CmpOp::Ge)
    ]
}

/// Leaves: conditions without sub-conditions of their own.
fn leaf() -> BoxedStrategy<Expr> {
    let simple_value = prop_oneof![
        literal().prop_map(ValueKind::Literal),
        path().prop_map(ValueKind::Path),
        path().prop_map(|p| ValueKind::Age(sp(p))),
    ]
    .prop_map(|kind| Value {
        kind,
        span: Span::default(),
    })
    .boxed();
    prop_oneof![
        path().prop_map(|p| e(ExprKind::Bare(Value {
            kind: ValueKind::Path(p),
            span: Span::default()
        }))),
        any::<bool>().prop_map(|b| e(ExprKind::Bare(Value {
            kind: ValueKind::Literal(Literal::Bool(b)),
            span: Span::default()
        }))),
        (simple_value.clone(), cmp_op(), simple_value.clone()).prop_map(|(left, op, right)| e(
            ExprKind::Compare {
                left,
                op: sp(op),
                right
            }
        )),
        (
            simple_value.clone(),
            any::<bool>(),
            prop::collection::vec(literal(), 0..4)
        )
            .prop_map(|(value, negated, list)| {
                e(ExprKind::In {
                    value,
                    negated,
                    list: sp(list.into_iter().map(sp).collect()),
                })
            }),
        (simple_value.clone(), any::<bool>(), text()).prop_map(|(value, starts, t)| e(
            ExprKind::Text {
                value,
                op: if starts {
                    TextOp::StartsWith
                } else {
                    TextOp::Contains
                },
                needle: Value {
                    kind: ValueKind::Literal(Literal::Text(t)),
                    span: Span::default()
                },
            }
        )),
        (path(), any::<bool>()).prop_map(|(p, missing)| e(ExprKind::Presence {
            path: sp(p),
            missing
        })),
        (
            simple_value,
            any::<bool>(),
            prop_oneof![
                duration().prop_map(DurationRef::Literal),
                ident().prop_map(DurationRef::Named)
            ]
        )
            .prop_map(|(value, within, d)| e(ExprKind::DateRelative {
                value,
                op: if within {
                    DateOp::Within
                } else {
                    DateOp::MoreThanAgo
                },
                duration: sp(d),
            })),
    ]
    .boxed()
}

fn is_primary(x: &Expr) -> bool {
    !matches!(x.kind, ExprKind::And(_) | ExprKind::Or(_))
}

/// Conditions shaped as the parser builds them: `and` chains hold no
/// `and` or bare `or`; `or` chains hold no bare `or`; `not` applies to a
/// primary.
fn expr() -> BoxedStrategy<Expr> {
    leaf()
        .prop_recursive(4, 24, 4, |inner| {
            prop_oneof![
                inner.clone().prop_map(|x| e(ExprKind::Group(Box::new(x)))),
                inner
                    .clone()
                    .prop_filter("not applies to a primary", is_primary)
                    .prop_map(|x| e(ExprKind::Not(Box::new(x)))),
                prop::collection::vec(inner.clone().prop_filter("and operands", is_primary), 2..4)
                    .prop_map(|v| e(ExprKind::And(v))),
                prop::collection::vec(
                    inner
                        .clone()
                        .prop_filter("or operands", |x| !matches!(x.kind, ExprKind::Or(_))),
                    2..4
                )
                .prop_map(|v| e(ExprKind::Or(v))),
                (
                    prop_oneof![
                        Just(Quantifier::Any),
                        Just(Quantifier::All),
                        Just(Quantifier::None)
                    ],
                    path(),
                    prop::option::of(inner.clone())
                )
                    .prop_map(|(quantifier, p, f)| e(ExprKind::Quantified {
                        quantifier,
                        list: sp(p),
                        filter: f.map(Box::new)
                    })),
                (value(inner.clone()), cmp_op(), value(inner)).prop_map(|(left, op, right)| e(
                    ExprKind::Compare {
                        left,
                        op: sp(op),
                        right
                    }
                )),
            ]
        })
        .boxed()
}

fn comment() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 ,.()#\"-]{0,30}".prop_map(|s| s.trim().to_string())
}

fn comments() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(comment(), 0..2)
}

fn with_comments(mut x: Expr, top: Vec<Vec<String>>) -> Expr {
    match &mut x.kind {
        ExprKind::And(ops) | ExprKind::Or(ops) => {
            for (op, c) in ops.iter_mut().zip(top) {
                op.comments = c;
            }
        }
        _ => x.comments = top.into_iter().next().unwrap_or_default(),
    }
    x
}

fn field(kind: FieldKind, comments: Vec<String>) -> Field {
    Field {
        comments,
        kind,
        span: Span::default(),
    }
}

fn rule_item() -> impl Strategy<Value = Item> {
    (
        "[A-Z]{2,4}-[0-9]{2}",
        text(),
        text(),
        prop_oneof![
            Just(RuleKind::Risk),
            Just(RuleKind::Practice),
            Just(RuleKind::Strength)
        ],
        prop_oneof![
            Just(Severity::High),
            Just(Severity::Medium),
            Just(Severity::Low),
            Just(Severity::Info)
        ],
        (text(), prop::option::of(text())),
        expr(),
        prop::collection::vec(comments(), 4),
        text(),
        prop::collection::vec(text(), 0..3),
        (comments(), comments(), comments()),
    )
        .prop_map(
            |(
                id,
                title,
                theme,
                kind,
                severity,
                (source, section),
                cond,
                op_comments,
                prompt,
                next,
                (c1, c2, c3),
            )| {
                let fields = vec![
                    field(FieldKind::Title(sp(title)), c1),
                    field(FieldKind::Theme(sp(theme)), Vec::new()),
                    field(FieldKind::Kind(sp(kind)), Vec::new()),
                    field(FieldKind::Severity(sp(severity)), Vec::new()),
                    field(
                        FieldKind::Learning {
                            source: sp(source),
                            section: section.map(sp),
                        },
                        c2,
                    ),
                    field(
                        FieldKind::When(with_comments(cond, op_comments)),
                        Vec::new(),
                    ),
                    field(FieldKind::Prompt(sp(prompt)), c3),
                ]
                .into_iter()
                .chain(
                    next.into_iter()
                        .map(|n| field(FieldKind::Next(sp(n)), Vec::new())),
                )
                .collect();
                Item {
                    comments: Vec::new(),
                    kind: ItemKind::Rule(Box::new(Rule { id: sp(id), fields })),
                    span: Span::default(),
                }
            },
        )
}

fn item() -> impl Strategy<Value = Item> {
    let plain = prop_oneof![
        text().prop_map(|t| ItemKind::Import(sp(t))),
        (ident(), literal()).prop_map(|(n, v)| ItemKind::Const {
            name: sp(n),
            value: sp(v)
        }),
        (ident(), literal()).prop_map(|(n, v)| ItemKind::Override {
            name: sp(n),
            value: sp(v)
        }),
        (ident(), expr(), prop::collection::vec(comments(), 4)).prop_map(|(n, x, c)| {
            ItemKind::Define {
                name: sp(n),
                body: with_comments(x, c),
            }
        }),
    ]
    .prop_map(|kind| Item {
        comments: Vec::new(),
        kind,
        span: Span::default(),
    });
    (prop_oneof![plain, rule_item()], comments()).prop_map(|(mut i, c)| {
        i.comments = c;
        i
    })
}

fn file() -> impl Strategy<Value = File> {
    (prop::collection::vec(item(), 0..5), comments(), comments()).prop_map(
        |(items, header, trailing_comments)| File {
            header_comments: if items.is_empty() { Vec::new() } else { header },
            items,
            trailing_comments,
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn printing_then_parsing_gives_the_same_tree(f in file()) {
        let printed = careprompt::format::print_file(&f);
        let parsed = parse_source("gen.cpr", &printed).map_err(|e| TestCaseError::fail(format!("{e}\n---\n{printed}")))?;
        prop_assert_eq!(&parsed, &f, "printed:\n{}", printed);
        // And formatting is idempotent.
        let again = careprompt::format::print_file(&parsed);
        prop_assert_eq!(again, printed);
    }
}

#[test]
fn the_pack_is_in_canonical_form_and_formatting_is_idempotent() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/pack/jtai-childrens-mental-health"
    );
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "cpr") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let once = format_source("x.cpr", &text).unwrap();
        let twice = format_source("x.cpr", &once).unwrap();
        assert_eq!(once, twice, "{}", path.display());
        assert_eq!(
            parse_source("x.cpr", &text).unwrap(),
            parse_source("x.cpr", &once).unwrap(),
            "meaning kept: {}",
            path.display()
        );
        assert_eq!(
            once,
            text,
            "{} is not in canonical form: run `careprompt fmt --write`",
            path.display()
        );
    }
}

#[test]
fn comments_are_kept_and_moved_above_their_line() {
    let text = "const x = 3 # from the guidance\nrule R { # the rule\n  title \"t\"\n  theme \"T\"\n  kind risk\n  severity low\n  when\n    # first\n    a.b # trailing\n    and c\n  prompt \"p\"\n  # last words\n}\n# the end\n";
    let out = format_source("x.cpr", text).unwrap();
    let expected = "# from the guidance\nconst x = 3\n\n# the rule\nrule R {\n  title \"t\"\n  theme \"T\"\n  kind risk\n  severity low\n  when\n    # first\n    # trailing\n    a.b\n    and c\n  # last words\n  prompt \"p\"\n}\n\n# the end\n";
    assert_eq!(out, expected);
    assert_eq!(format_source("x.cpr", &out).unwrap(), out);
}

#[test]
fn long_conditions_break_over_lines() {
    let text = "define d = a and (bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb = 1 or cccccccccccccccccccccccccccccccccccccccccc = 2 or ddddddddddd)\n";
    let out = format_source("x.cpr", text).unwrap();
    assert_eq!(
        out,
        "define d =\n  a\n  and (\n    bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb = 1\n    or cccccccccccccccccccccccccccccccccccccccccc = 2\n    or ddddddddddd\n  )\n"
    );
    assert_eq!(
        parse_source("x.cpr", text).unwrap(),
        parse_source("x.cpr", &out).unwrap()
    );
}
